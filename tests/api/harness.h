/* harness.h: support for the API tests. Starts and stops a real cqrsd on a
 * free loopback port with a temporary database (a SQLite file, or a fresh
 * PostgreSQL database when CQRS_TEST_PG is set), makes HTTP requests with
 * libcurl (status, headers, body, parsed JSON), signs users in, and prints
 * TAP (one "ok N - name" line per case, diagnostics as "# ..."). */
#ifndef CQRS_TEST_HARNESS_H
#define CQRS_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>

#include "util.h"

/* ------------------------------------------------------------ TAP */

/* Announces the number of cases up front (optional: tap_done() prints a
 * trailing plan when none was given). */
void tap_plan(int n);
/* Prints "ok N - name" or "not ok N - name"; returns cond. */
bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "ok N - name # SKIP reason". */
void tap_skip(const char *reason, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints "# ..." lines (each line of the message prefixed). */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "Bail out! reason", stops every server still running and exits 1. */
void tap_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Number of cases that failed so far. */
int tap_failed(void);
/* Prints the trailing plan if needed; returns the exit status for main(). */
int tap_done(void);

/* Arms alarm(seconds); on expiry every server is stopped and the program
 * bails out instead of hanging. */
void harness_timeout(unsigned seconds);

/* ------------------------------------------------------------ server */

struct server {
	pid_t pid;
	int port;
	int out_fd;        /* read end of the server's stdout */
	char *dir;         /* the temporary directory (owned) */
	char *db;          /* SQLite: dir/t.db (owned); NULL on PostgreSQL */
	char *pg_db;       /* PostgreSQL: the database made for this server
			    * (owned; dropped when it stops), else NULL */
	char *db_arg;      /* what cqrsd got as --db (owned) */
	char *log;         /* dir/server.log: the server's stderr (owned) */
	char base[64];     /* "http://127.0.0.1:PORT" (https:// with TLS) */
	char *ca;          /* with TLS: dir/ca.pem, the test CA (owned), else NULL */
};

/* Starts $CQRSD --listen 127.0.0.1:0 --db DIR/t.db --demo followed by the
 * NULL-terminated extra args, and waits (up to timeout_s) for its
 * "cqrsd: listening on http://127.0.0.1:PORT" line. Returns false with a
 * diagnostic (and everything cleaned up) on failure.
 * On PostgreSQL (CQRS_TEST_PG is a libpq conninfo base such as
 * "host=/tmp/cqrs-pg-x port=5432 user=postgres", which
 * tests/pg/run-on-pg.sh sets) a new database is made for each start
 * (UTF8, C collation, from template0) and cqrsd gets
 * --db "postgresql:BASE dbname=NAME" instead; server_stop drops it. */
bool server_start(struct server *s, const char *const *extra_args, int timeout_s);
/* The same over HTTPS: a test CA and a server certificate for 127.0.0.1
 * are made in the server's directory with openssl (ca.pem, server.pem,
 * server.key, and other-ca.pem, a CA that signed nothing), cqrsd gets
 * --tls-cert and --tls-key, s->base is https:// and every request made
 * through http_do trusts s->ca. server_start does this too when the
 * environment has CQRS_TEST_TLS=1. */
bool server_start_tls(struct server *s, const char *const *extra_args, int timeout_s);
/* Runs cmd with /bin/sh and returns its standard output (never NULL; the
 * caller frees it); *status (may be NULL) gets the exit status, or -1. */
char *run_capture(const char *cmd, int *status);
/* True when openssl can be run (server_start_tls needs it). */
bool harness_have_openssl(void);
/* Sends SIGTERM, reaps the process (SIGKILL after timeout_s) and removes
 * the temporary directory. Returns the wait status, or -1. When
 * dump_log is true the server's stderr is printed as diagnostics first. */
int server_stop(struct server *s, int timeout_s, bool dump_log);
/* The server's stderr so far; the caller frees it. */
char *server_log(const struct server *s);
/* A file's whole text (empty when it cannot be read); the caller frees. */
char *harness_read_file(const char *path);

/* ------------------------------------------------------------ database */

/* CQRS_TEST_PG (the PostgreSQL conninfo base) when this run's servers use
 * PostgreSQL, or NULL when they use SQLite. Checks about SQLite's file
 * itself skip with a reason when it is not NULL. */
const char *harness_pg(void);

/* A connection of this process to a running test server's database (the
 * SQLite file, or the PostgreSQL database): another connection, as a
 * second cqrsd would have. NULL with a diagnostic when it cannot open. */
struct dbconn;
struct dbconn *server_db_open(const struct server *s);
/* Runs sql (one or more statements; on SQLite a lock is waited for up to
 * 5 s, on PostgreSQL lock_timeout is 5 s) and returns the first column of
 * the first row of the last statement as text, newly allocated: "" when
 * it returned no row or NULL; NULL, with a diagnostic, on error.
 * PostgreSQL shows booleans as t and f. The SQL goes to the engine as
 * written (no translation): keep it to what both understand. */
char *dbconn_query(struct dbconn *c, const char *sql);
void dbconn_close(struct dbconn *c);
/* Open, query once, close. */
char *server_sql(const struct server *s, const char *sql);

/* ------------------------------------------------------------ HTTP */

struct http_resp {
	long status;        /* 0 when the request failed at transport level */
	struct buf headers; /* raw header lines of the final response */
	struct buf body;    /* the body as received (not decoded) */
	json_t *json;       /* body parsed as JSON when possible (owned) */
	double seconds;     /* total time */
	char error[256];    /* libcurl's message when status is 0 */
};

struct http_req {
	const char *method;     /* default "GET" */
	const char *path;       /* "/api/v1/..." (query string included) */
	const char *token;      /* adds Authorization: Bearer TOKEN */
	const char *body;       /* sent as is */
	size_t body_len;        /* 0: strlen(body) */
	const char *content_type; /* default application/json when a body is sent */
	const char *const *headers; /* extra raw header lines, NULL-terminated */
	long timeout_ms;        /* default 10000 */
};

/* Performs one request against s; fills r (free with http_resp_free). */
void http_do(const struct server *s, const struct http_req *q, struct http_resp *r);
/* Shorthands: GET path with token (may be NULL). */
void http_get(const struct server *s, const char *path, const char *token, struct http_resp *r);
void http_send(const struct server *s, const char *method, const char *path,
	       const char *token, const char *body, struct http_resp *r);
void http_resp_free(struct http_resp *r);
/* The value of header name (case-insensitive) in r, newly allocated, or NULL. */
char *http_header(const struct http_resp *r, const char *name);
/* Number of HTTP requests made through http_do so far that got an answer. */
int http_count(void);

/* Decompresses a gzip stream; returns a new NUL-terminated buffer (the
 * caller frees it) and its length, or NULL when data is not valid gzip. */
char *gunzip(const void *data, size_t len, size_t *out_len);

/* Writes raw bytes to the server on a fresh connection and reads until the
 * server closes or answers completely, or timeout_ms passes. The answer is
 * appended to out; returns the elapsed milliseconds, or -1 when the
 * connection failed. After sending, waits for an answer without closing. */
long raw_exchange(const struct server *s, const void *data, size_t len,
		  long timeout_ms, struct buf *out);
/* The same from source address src (e.g. "127.0.0.2"; NULL: any), so
 * that a test can be several clients. */
long raw_exchange_from(const struct server *s, const char *src, const void *data, size_t len,
		       long timeout_ms, struct buf *out);
/* POST /api/v1/session for user with password on a fresh connection
 * from src (NULL: any), with the raw header lines extra ("" or lines
 * each ending in CRLF, such as an X-Forwarded-For); the status, or 0
 * when no answer came. */
long raw_signin(const struct server *s, const char *src, const char *extra, const char *user,
		const char *password);
/* A socket connected to s from source address src (NULL: any), or -1. */
int raw_connect(const struct server *s, const char *src);
/* Reads from fd into out until a whole response is in (headers and
 * Content-Length bytes), the server closes, or mono_ms() reaches deadline. */
void raw_read(int fd, struct buf *out, int64_t deadline);

/* ------------------------------------------------------------ helpers */

/* Signs user in; returns the token (the caller frees it) or NULL. *status
 * (may be NULL) receives the HTTP status. */
/* A new private directory $TMPDIR/PREFIX-XXXXXX (/tmp without TMPDIR),
 * or NULL with a diagnostic; the caller frees the path and removes it. */
char *harness_mkdtemp(const char *prefix);
char *sign_in(const struct server *s, const char *user, const char *password, long *status);

/* A case: status == want_status and, when want_code is not NULL, the body
 * is {"error": {"code": want_code, "message": non-empty}} and, when
 * want_field is not NULL, error.field == want_field. Prints one TAP line;
 * on failure the request and answer go out as diagnostics. */
bool expect_error(const struct http_resp *r, long want_status, const char *want_code,
		  const char *want_field, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* A case: status == want and the body is JSON (object); one TAP line. */
bool expect_status(const struct http_resp *r, long want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prints r's status, headers and (truncated) body as diagnostics. */
void diag_resp(const struct http_resp *r);

/* The error code of r's JSON body, or "" (borrowed). */
const char *err_code(const struct http_resp *r);
/* json_string_value of obj[key], or NULL (borrowed). */
const char *jstr(const json_t *obj, const char *key);
/* Percent-encodes s for a query string; the caller frees the result. */
char *url_encode(const char *s);

#endif
