/* http.h: the HTTP front of cqrsd on libmicrohttpd: requests, the reply
 * helpers every handler uses, and starting and stopping the daemon. */
#ifndef CQRS_HTTP_H
#define CQRS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util.h"

struct store;
struct db;
struct authctx;
struct route;
struct net;

/* Server-wide settings, fixed once the daemon starts. */
struct server_config {
	int64_t token_idle;      /* seconds a token lives unused */
	int64_t token_lifetime;  /* seconds a token lives in all */
	int64_t lockout_seconds; /* the longest wait between sign-in attempts */
	int max_failures;        /* failures in a row before attempts wait */
	int password_max_age;    /* days a password lives (0: for ever) */
	size_t body_limit;       /* bytes; larger bodies get 413 */
	bool quiet;              /* no per-request log lines */
	const char *tls_cert;    /* PEM files: with both, HTTPS only */
	const char *tls_key;
	/* --trusted-proxy: peers whose X-Forwarded-For names the client
	 * (clientaddr.h); they are not held to the per-address limit. */
	const struct net *trusted;
	size_t n_trusted;
	/* --threads: worker threads (0: two per core on PostgreSQL, one per
	 * core and at least two on SQLite) */
	unsigned threads;
};

struct write_queue;
struct addr_counts;

struct server {
	struct store *store;
	struct server_config cfg;
	void *daemon;
	char *tls_mem[2];        /* the certificate and key, read at start */
	/* Requests that write run one at a time on one writer thread, their
	 * connections suspended meanwhile, so that they wait in this queue
	 * and never on a worker thread that reads could use. */
	struct write_queue *writes;
	/* Open connections per client address (the per-address limit). */
	struct addr_counts *conns;
};

#define MAX_PATH_PARAMS 4

struct req {
	struct server *srv;      /* NULL until the request's headers are in */
	void *conn;              /* struct MHD_Connection */
	const char *method;
	const char *path;
	char addr[48];           /* the client's address, as text: the peer,
				  * or what a trusted proxy forwarded */
	const struct route *route; /* set by routes_begin */
	bool many_args;          /* the query had too many arguments */
	bool nul_byte;           /* the request target had %00 */
	struct buf body;
	size_t body_limit;       /* for this route */
	bool too_large;
	bool accept_gzip;
	const char *params[MAX_PATH_PARAMS]; /* {} segments of the route */
	char *param_store;       /* owns the params' text */
	struct db *db;           /* this thread's connection */
	struct authctx *auth;    /* set for authenticated routes */
	int64_t start_ms;
	/* The reply, set once by a reply_* helper. */
	int status;
	char *reply;
	size_t reply_len;
	const char *allow;       /* for 405 */
	int64_t retry_after;     /* seconds, for 429; 0: no Retry-After */
	char allow_buf[128];
	bool replied;
	bool replayed;           /* the first answer to its Idempotency-Key */
	bool auth_at_dispatch;   /* a read: authenticated when it runs */
	bool queued;             /* handed to the writer thread */
	bool written;            /* the writer thread has answered it */
	struct req *next_write;  /* in the write queue */
	/* A streamed reply (reply_stream): set instead of reply. */
	struct stream_reply *stream;
};

/* A query-string argument, or NULL. */
const char *req_query(struct req *r, const char *name);
/* Calls fn for every query-string argument in order (value "" when it
 * has none) until fn returns false; false if it was stopped. */
bool req_query_each(struct req *r, bool (*fn)(void *cls, const char *key, const char *value),
		    void *cls);
/* A request header, or NULL. */
const char *req_header(struct req *r, const char *name);

/* Replies with obj as JSON (takes ownership of obj). */
void reply_json(struct req *r, int status, json_t *obj);
/* Replies with {"error": {code, message[, field]}}. */
void reply_error(struct req *r, int status, const char *code, const char *field,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Replies with pre-serialised JSON text (copied). */
void reply_raw(struct req *r, int status, const char *json, size_t len);
void reply_empty(struct req *r, int status);
/* A streamed reply's producer: appends the next piece of the body to out
 * (any size; a few KiB at a time keeps memory flat). Returns 1 while more
 * follows, 0 after the last piece, -1 on a failure (the response then
 * ends without its last chunk, so the client sees it cut). */
typedef int (*stream_fn)(void *cls, struct buf *out);
/* Replies with a body produced piece by piece as the client reads it
 * (HTTP/1.1 chunked; gzip-compressed on the fly when the request accepts
 * gzip). content_type is copied; disposition (a Content-Disposition
 * value, copied) may be NULL. done(cls) is called once, when the
 * response is finished or abandoned (also when it is never sent). */
void reply_stream(struct req *r, int status, const char *content_type, const char *disposition,
		  stream_fn fn, void (*done)(void *cls), void *cls);
/* The usual error for a store result other than ST_OK. */
void reply_store_error(struct req *r, int st);

/* GnuTLS priorities of the HTTPS listener: TLS 1.2 and 1.3 only. */
#define HTTP_TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

/* Starts listening on host:port (port 0 picks a free one); writes the
 * bound port to *bound. With cfg.tls_cert and cfg.tls_key it serves
 * HTTPS only (TLS 1.2+). Returns false with err filled on failure. */
bool http_start(struct server *srv, const char *host, int port, int *bound,
		char *err, size_t errlen);
void http_stop(struct server *srv);
/* True when this libmicrohttpd can serve HTTPS. */
bool http_tls_supported(void);
/* True when host (dotted IPv4) is a loopback address (127.0.0.0/8). */
bool http_host_is_loopback(const char *host);

#endif
