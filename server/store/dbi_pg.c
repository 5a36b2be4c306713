/* dbi_pg.c: the PostgreSQL engine (libpq). Until it is built in, a
 * PostgreSQL database argument is refused at start with a clear error. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "server/store/dbi_pg.h"

bool pg_is_conninfo(const char *arg)
{
	return !strncmp(arg, "postgresql://", 13) || !strncmp(arg, "postgres://", 11) ||
	       !strncmp(arg, "postgresql:", 11);
}

struct pgconn *pgc_open(const char *arg, char *err, size_t errlen)
{
	(void)arg;
	snprintf(err, errlen, "this cqrsd was built without PostgreSQL support");
	return NULL;
}
void pgc_close(struct pgconn *c) { (void)c; }
dbstmt *pgc_prepare(struct pgconn *c, const char *sql) { (void)c; (void)sql; return NULL; }
void pgs_finalize(dbstmt *st) { (void)st; }
int pgc_exec(struct pgconn *c, const char *sql) { (void)c; (void)sql; return SQLITE_ERROR; }
int64_t pgc_query_int(struct pgconn *c, const char *sql, int64_t def) { (void)c; (void)sql; return def; }
const char *pgc_errmsg(struct pgconn *c) { (void)c; return "no PostgreSQL support"; }
int pgc_changes(struct pgconn *c) { (void)c; return 0; }
int64_t pgc_last_insert_id(struct pgconn *c) { (void)c; return 0; }
int pgs_step(dbstmt *st) { (void)st; return SQLITE_ERROR; }
int pgs_reset(dbstmt *st) { (void)st; return SQLITE_OK; }
int pgs_clear_bindings(dbstmt *st) { (void)st; return SQLITE_OK; }
int pgs_bind_int64(dbstmt *st, int i, int64_t v) { (void)st; (void)i; (void)v; return SQLITE_ERROR; }
int pgs_bind_text(dbstmt *st, int i, const char *s, int n) { (void)st; (void)i; (void)s; (void)n; return SQLITE_ERROR; }
int pgs_bind_blob(dbstmt *st, int i, const void *p, int n) { (void)st; (void)i; (void)p; (void)n; return SQLITE_ERROR; }
int pgs_bind_null(dbstmt *st, int i) { (void)st; (void)i; return SQLITE_ERROR; }
int pgs_bind_parameter_count(dbstmt *st) { (void)st; return 0; }
int64_t pgs_column_int64(dbstmt *st, int col) { (void)st; (void)col; return 0; }
const unsigned char *pgs_column_text(dbstmt *st, int col) { (void)st; (void)col; return NULL; }
const void *pgs_column_blob(dbstmt *st, int col) { (void)st; (void)col; return NULL; }
int pgs_column_bytes(dbstmt *st, int col) { (void)st; (void)col; return 0; }
int pgs_column_type(dbstmt *st, int col) { (void)st; (void)col; return SQLITE_NULL; }
int pgs_column_count(dbstmt *st) { (void)st; return 0; }
const char *pgs_column_name(dbstmt *st, int col) { (void)st; (void)col; return NULL; }
