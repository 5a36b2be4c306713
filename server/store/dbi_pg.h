/* dbi_pg.h: the PostgreSQL engine's connection half (dbi_pg.c), used by
 * store.c only; the statement half is in dbi.h (pgs_*). */
#ifndef CQRS_DBI_PG_H
#define CQRS_DBI_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/store/dbi.h"

struct pgconn;

/* Whether a database argument names PostgreSQL: "postgresql://...",
 * "postgres://..." or "postgresql:" followed by a libpq key=value string
 * (the prefix is removed before it reaches libpq). */
bool pg_is_conninfo(const char *arg);

/* Connects (libpq, text protocol). NULL with err set on failure; the
 * password, if any, never appears in err. */
struct pgconn *pgc_open(const char *arg, char *err, size_t errlen);
void pgc_close(struct pgconn *c);

/* Prepares SQL written in the store's portable SQLite dialect: translated
 * once (pg_translate), prepared on the server at the first step. NULL on
 * a translation error (pgc_errmsg says why). */
dbstmt *pgc_prepare(struct pgconn *c, const char *sql);
void pgs_finalize(dbstmt *st);

/* Runs SQL text as is (no translation; several statements allowed, no
 * parameters, results discarded). SQLITE_OK or an SQLITE_* error code
 * (pgc_errmsg). */
int pgc_exec(struct pgconn *c, const char *sql);
/* Sends SQL text as is without waiting for its answer, which is read
 * (and an error in it logged) before the connection is next used: for a
 * read transaction's COMMIT, which need not cost the request a round
 * trip. */
int pgc_send(struct pgconn *c, const char *sql);
/* A statement (a static string) to run, as is, just before the
 * connection's next one, and only if there is one: a read transaction's
 * BEGIN, for requests that may need no database at all.
 * pgc_lazy_cancel forgets it and says whether it was still waiting. */
void pgc_lazy(struct pgconn *c, const char *sql);
bool pgc_lazy_cancel(struct pgconn *c);
/* Writes sent ahead: while on, pgs_step_defer (dbi.h) sends a write
 * without waiting for its answer, in libpq's pipeline mode;
 * the answers are read before anything else uses the connection, and the
 * first failure fails that statement and every one after it until
 * ROLLBACK (COMMIT included). Turning it off reads what is outstanding;
 * a COMMIT or ROLLBACK turns it off too. For bulk loads inside a
 * transaction (store_bulk_begin), where any failure fails the load. */
void pgc_defer(struct pgconn *c, bool on);
/* The first column of the first row of SQL text run as is (def when no
 * row or on error). */
int64_t pgc_query_int(struct pgconn *c, const char *sql, int64_t def);

const char *pgc_errmsg(struct pgconn *c);
/* Rows changed by the last INSERT, UPDATE or DELETE stepped. */
int pgc_changes(struct pgconn *c);
/* Rows changed by every statement stepped on the connection. */
int64_t pgc_total_changes(struct pgconn *c);
/* The id of the last row inserted (by an INSERT into a table with an
 * identity id column; unchanged when the INSERT inserted nothing). */
int64_t pgc_last_insert_id(struct pgconn *c);

/* Maps a PostgreSQL SQLSTATE to the SQLite result code the store expects:
 * class 23 (integrity) and trigger refusals (P0001) SQLITE_CONSTRAINT,
 * 40001/40P01/55P03 SQLITE_BUSY, everything else SQLITE_ERROR. */
int pg_sqlstate_code(const char *sqlstate);

/* The highest parameter number a statement may use, plus one (the
 * store's largest multi-row INSERT binds 224). */
#define PG_MAX_PARAMS 4096

/* Translates one statement from the store's SQLite dialect to
 * PostgreSQL (the rules are listed in dbi_pg.c and docs/architecture.md).
 * Returns a new string, or NULL with why set. *nparams gets the highest
 * parameter number; used[i] (i < PG_MAX_PARAMS) whether $i appears. */
char *pg_translate(const char *sql, int *nparams, bool used[PG_MAX_PARAMS], char *why,
		   size_t whylen);
/* Whether translated SQL is an INSERT (top level, after any WITH) with no
 * RETURNING into an unqualified table; table gets its name, lower case
 * (pgc_prepare appends RETURNING id when that table has an identity id). */
bool pg_insert_target(const char *sql, char *table, size_t tablelen);

/* ---- bulk loads ----------------------------------------------------------
 * COPY table (columns) FROM STDIN: rows are sent as text, fields in order;
 * NULL for a NULL field. pgc_copy_end returns SQLITE_OK or an error. */
int pgc_copy_begin(struct pgconn *c, const char *table, const char *columns);
int pgc_copy_row(struct pgconn *c, int nfields, const char *const *fields);
int pgc_copy_end(struct pgconn *c);

#endif
