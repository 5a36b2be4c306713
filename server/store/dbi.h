/* dbi.h: the store's one door to its database engine.
 *
 * Two engines: SQLite (the database argument is a path) and PostgreSQL
 * (postgresql://... or a "postgresql:" key=value string). A process uses
 * one engine, chosen once by store_open (dbi_engine). The statement and
 * column calls below keep SQLite's shapes and result codes (SQLITE_ROW,
 * SQLITE_DONE, SQLITE_CONSTRAINT, SQLITE_BUSY, ...), so every named store
 * operation is written once for both engines; on SQLite they are the
 * sqlite3_* calls themselves. SQL text is written once, in a portable
 * subset of SQLite's dialect, and translated for PostgreSQL when first
 * prepared on a connection (dbi_pg.c, pg_translate). */
#ifndef CQRS_DBI_H
#define CQRS_DBI_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum dbi_engine { DBI_SQLITE = 0, DBI_PG = 1 };
/* Set by store_open before the first connection; never changes after. */
extern enum dbi_engine dbi_engine;

/* A prepared statement: a sqlite3_stmt on SQLite, a struct pgstmt
 * (dbi_pg.c) on PostgreSQL. */
typedef struct dbstmt dbstmt;

/* The PostgreSQL halves (dbi_pg.c). Same contracts as the sqlite3_*
 * functions of the same suffix. */
int pgs_step(dbstmt *st);
int pgs_step_defer(dbstmt *st);
int pgs_reset(dbstmt *st);
int pgs_clear_bindings(dbstmt *st);
int pgs_bind_int64(dbstmt *st, int i, int64_t v);
int pgs_bind_text(dbstmt *st, int i, const char *s, int n);
int pgs_bind_blob(dbstmt *st, int i, const void *p, int n);
int pgs_bind_null(dbstmt *st, int i);
int pgs_bind_parameter_count(dbstmt *st);
int64_t pgs_column_int64(dbstmt *st, int col);
const unsigned char *pgs_column_text(dbstmt *st, int col);
const void *pgs_column_blob(dbstmt *st, int col);
int pgs_column_bytes(dbstmt *st, int col);
int pgs_column_type(dbstmt *st, int col);
int pgs_column_count(dbstmt *st);
const char *pgs_column_name(dbstmt *st, int col);

#define DBI_PG_ONLY (dbi_engine == DBI_PG)
#define DBI_SQ(st) ((sqlite3_stmt *)(void *)(st))

static inline int dbs_step(dbstmt *st)
{
	return DBI_PG_ONLY ? pgs_step(st) : sqlite3_step(DBI_SQ(st));
}
/* dbs_step for a write whose answer the caller needs only as success or
 * failure (and an INSERT's id): on PostgreSQL, while pgc_defer has it on,
 * sent ahead without waiting (see pgc_defer); SQLITE_DONE then means
 * "sent", db_changes is 0, an INSERT into a table with an identity id
 * was given one taken ahead from its sequence (db_last_insert_rowid),
 * and a failure surfaces at a later statement of the transaction. */
static inline int dbs_step_defer(dbstmt *st)
{
	return DBI_PG_ONLY ? pgs_step_defer(st) : sqlite3_step(DBI_SQ(st));
}
static inline int dbs_reset(dbstmt *st)
{
	return DBI_PG_ONLY ? pgs_reset(st) : sqlite3_reset(DBI_SQ(st));
}
static inline int dbs_clear_bindings(dbstmt *st)
{
	return DBI_PG_ONLY ? pgs_clear_bindings(st) : sqlite3_clear_bindings(DBI_SQ(st));
}
static inline int dbs_bind_int64(dbstmt *st, int i, int64_t v)
{
	return DBI_PG_ONLY ? pgs_bind_int64(st, i, v) : sqlite3_bind_int64(DBI_SQ(st), i, v);
}
static inline int dbs_bind_int(dbstmt *st, int i, int v)
{
	return DBI_PG_ONLY ? pgs_bind_int64(st, i, v) : sqlite3_bind_int(DBI_SQ(st), i, v);
}
/* The text is always copied on PostgreSQL; on SQLite free says whether
 * (SQLITE_TRANSIENT) or not (SQLITE_STATIC). */
static inline int dbs_bind_text(dbstmt *st, int i, const char *s, int n, void (*free)(void *))
{
	return DBI_PG_ONLY ? pgs_bind_text(st, i, s, n) : sqlite3_bind_text(DBI_SQ(st), i, s, n, free);
}
static inline int dbs_bind_blob(dbstmt *st, int i, const void *p, int n, void (*free)(void *))
{
	return DBI_PG_ONLY ? pgs_bind_blob(st, i, p, n) : sqlite3_bind_blob(DBI_SQ(st), i, p, n, free);
}
static inline int dbs_bind_null(dbstmt *st, int i)
{
	return DBI_PG_ONLY ? pgs_bind_null(st, i) : sqlite3_bind_null(DBI_SQ(st), i);
}
static inline int dbs_bind_parameter_count(dbstmt *st)
{
	return DBI_PG_ONLY ? pgs_bind_parameter_count(st) : sqlite3_bind_parameter_count(DBI_SQ(st));
}
static inline int64_t dbs_column_int64(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? pgs_column_int64(st, col) : sqlite3_column_int64(DBI_SQ(st), col);
}
static inline int dbs_column_int(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? (int)pgs_column_int64(st, col) : sqlite3_column_int(DBI_SQ(st), col);
}
static inline const unsigned char *dbs_column_text(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? pgs_column_text(st, col) : sqlite3_column_text(DBI_SQ(st), col);
}
static inline const void *dbs_column_blob(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? pgs_column_blob(st, col) : sqlite3_column_blob(DBI_SQ(st), col);
}
static inline int dbs_column_bytes(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? pgs_column_bytes(st, col) : sqlite3_column_bytes(DBI_SQ(st), col);
}
/* SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT or SQLITE_BLOB (PostgreSQL:
 * from the column's type: integers and booleans are SQLITE_INTEGER). */
static inline int dbs_column_type(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? pgs_column_type(st, col) : sqlite3_column_type(DBI_SQ(st), col);
}
static inline int dbs_column_count(dbstmt *st)
{
	return DBI_PG_ONLY ? pgs_column_count(st) : sqlite3_column_count(DBI_SQ(st));
}
static inline const char *dbs_column_name(dbstmt *st, int col)
{
	return DBI_PG_ONLY ? pgs_column_name(st, col) : sqlite3_column_name(DBI_SQ(st), col);
}

#endif
