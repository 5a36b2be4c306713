/* store_int.h: internals shared by the store_*.c files only: the
 * connection, the prepared-statement cache and small binding helpers. */
#ifndef CQRS_STORE_INT_H
#define CQRS_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>

#include "store.h"

struct store_migration {
	int version;
	const char *sql;
};
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_n;

/* A cached prepared statement, keyed by the address of its SQL text (so
 * every named operation's SQL is a static const string). */
struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *sql;
	struct store *store;
	struct stmt_slot *slots;
	size_t nslots, capslots;
	int tx_depth;
	struct db *next; /* the store's list of connections */
};

/* Returns the cached, reset statement for sql (prepared on first use), or
 * NULL on error (logged). The statement belongs to the connection. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);
/* Executes SQL text with no results (for DDL and seeding scripts). */
enum st db_exec(struct db *db, const char *sql);
/* Logs the connection's last error with a context string. */
void db_log_error(struct db *db, const char *context);
/* Copies a text column into a fixed buffer. */
void col_text(sqlite3_stmt *st, int col, char *out, size_t size);
/* A text column as a new JSON string (null for NULL). */
json_t *col_json_text(sqlite3_stmt *st, int col);
/* Maps a sqlite result code to enum st. */
enum st st_from_sqlite(int rc);

#endif
