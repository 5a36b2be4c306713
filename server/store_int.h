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

/* A WITH clause defining scope(id): every organisation user ?1 reaches
 * (the organisations of their grants and all their descendants, the
 * current member practices of PCNs they are granted on), limited for
 * cluster users to cluster members and their descendants (a PCN when all
 * its current members are in the cluster). The same rule for one
 * organisation is store_org_in_scope(). */
#define SCOPE_CTE \
	"WITH RECURSIVE granted(id) AS (SELECT DISTINCT org_id FROM role_grant" \
	"   WHERE user_id = ?1 AND revoked_at IS NULL)," \
	" reach(id) AS (SELECT id FROM granted" \
	"   UNION SELECT m.practice_id FROM pcn_membership m JOIN granted g ON g.id = m.pcn_id" \
	"     WHERE m.start_date <= date('now') AND (m.end_date IS NULL OR m.end_date >= date('now'))" \
	"   UNION SELECT o.id FROM organisation o JOIN reach r ON o.parent_id = r.id)," \
	" cl(id) AS (SELECT cm.org_id FROM user_cluster uc" \
	"   JOIN cluster_member cm ON cm.cluster_id = uc.cluster_id WHERE uc.user_id = ?1)," \
	" cld(id) AS (SELECT id FROM cl UNION SELECT o.id FROM organisation o JOIN cld ON o.parent_id = cld.id)," \
	" scope(id) AS (SELECT r.id FROM reach r JOIN organisation o ON o.id = r.id" \
	"   WHERE NOT EXISTS (SELECT 1 FROM cl) OR r.id IN cld" \
	"   OR (o.kind = 'PCN' AND EXISTS (SELECT 1 FROM pcn_membership m WHERE m.pcn_id = o.id" \
	"        AND m.end_date IS NULL)" \
	"     AND NOT EXISTS (SELECT 1 FROM pcn_membership m WHERE m.pcn_id = o.id" \
	"        AND m.end_date IS NULL AND m.practice_id NOT IN cld)))"

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
