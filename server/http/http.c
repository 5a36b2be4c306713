/* http.c: libmicrohttpd glue: a request context per connection; every
 * check that needs only the request line and headers (well-formed method,
 * path and query, route, token, role, Content-Length) answered before any
 * body is read; bodies collected up to a limit; gzip for larger replies,
 * and one log line per request. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <search.h>
#include <microhttpd.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include "server/http/auth.h"
#include "server/http/clientaddr.h"
#include "server/http/http.h"
#include "server/http/idem.h"
#include "server/http/routes.h"
#include "server/log.h"
#include "server/store/store.h"

#if MHD_VERSION < 0x00097002
typedef int MHD_Result_t;
#else
typedef enum MHD_Result MHD_Result_t;
#endif

const char *req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

struct query_each {
	bool (*fn)(void *cls, const char *key, const char *value);
	void *cls;
	bool stopped;
};

static MHD_Result_t query_each_one(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	(void)kind;
	struct query_each *e = cls;
	if (!e->fn(e->cls, key, value ? value : "")) {
		e->stopped = true;
		return MHD_NO;
	}
	return MHD_YES;
}

bool req_query_each(struct req *r, bool (*fn)(void *cls, const char *key, const char *value),
		    void *cls)
{
	struct query_each e = {fn, cls, false};
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_each_one, &e);
	return !e.stopped;
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Length of the valid UTF-8 sequence at s (strict: no overlong forms, no
 * surrogates, nothing over U+10FFFF), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	size_t n;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	unsigned cp = c & (0x3fu >> (n - 1));
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* True when s is valid UTF-8 without control characters. */
static bool clean_text(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_seq(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f)
			return false;
		p += n;
	}
	return true;
}

/* A copy of s with every byte that is not part of valid UTF-8, and every
 * control character, replaced by U+FFFD: messages may quote what the
 * client sent, never bytes a JSON encoder refuses. */
static char *clean_copy(const char *s)
{
	struct buf b;
	buf_init(&b);
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_seq(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			buf_append(&b, "\xef\xbf\xbd", 3);
			p += n ? n : 1;
			continue;
		}
		buf_append(&b, (const char *)p, n);
		p += n;
	}
	buf_append(&b, "", 1);
	return b.data;
}

static void set_reply(struct req *r, int status, char *text, size_t len)
{
	if (r->replied) {
		free(text);
		return;
	}
	r->replied = true;
	r->status = status;
	r->reply = text;
	r->reply_len = len;
}

void reply_json(struct req *r, int status, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	json_decref(obj);
	if (!text) {
		reply_error(r, 500, "internal", NULL, "could not encode the reply");
		return;
	}
	set_reply(r, status, text, strlen(text));
}

void reply_raw(struct req *r, int status, const char *json, size_t len)
{
	set_reply(r, status, xstrndup(json, len), len);
}

void reply_empty(struct req *r, int status)
{
	set_reply(r, status, NULL, 0);
}

void reply_error(struct req *r, int status, const char *code, const char *field,
		 const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = clean_copy(raw);
	free(raw);
	json_t *err = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (field && *field) {
		char *f = clean_copy(field);
		json_object_set_new(err, "field", json_string(f));
		free(f);
	}
	free(msg);
	reply_json(r, status, json_pack("{s:o}", "error", err));
}

void reply_store_error(struct req *r, int st)
{
	switch (st) {
	case ST_NOTFOUND:
		reply_error(r, 404, "not_found", NULL, "not found");
		break;
	case ST_CONFLICT:
		reply_error(r, 409, "conflict", NULL, "the change conflicts with the current state");
		break;
	case ST_FORBIDDEN:
		reply_error(r, 403, "forbidden", NULL, "you do not have permission to do this");
		break;
	case ST_INVALID:
		reply_error(r, 400, "bad_field", NULL, "invalid input");
		break;
	case ST_BUSY:
		reply_error(r, 503, "busy", NULL, "the server is busy; try again");
		break;
	default:
		reply_error(r, 500, "internal", NULL, "the server could not complete the request; nothing was changed");
		break;
	}
}

/* Gzips in into a new buffer; NULL if compression failed. */
static char *gzip_buf(const char *in, size_t len, size_t *outlen)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	size_t cap = deflateBound(&zs, len) + 32;
	char *out = xmalloc(cap);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	*outlen = zs.total_out;
	deflateEnd(&zs);
	if (rc != Z_STREAM_END) {
		free(out);
		return NULL;
	}
	return out;
}

/* A streamed reply (reply_stream) and its gzip state. */
struct stream_reply {
	stream_fn fn;
	void (*done)(void *cls);
	void *cls;
	char *content_type;
	char *disposition;
	bool gzip;
	bool z_ready;
	z_stream zs;
	int state;       /* 1: more to produce, 0: produced all, -1: failed */
	bool finished;   /* every byte (and gzip's trailer) is in out */
	struct buf raw;  /* produced, not yet compressed */
	struct buf out;  /* ready to send from out_pos */
	size_t out_pos;
	size_t sent;
};

void reply_stream(struct req *r, int status, const char *content_type, const char *disposition,
		  stream_fn fn, void (*done)(void *cls), void *cls)
{
	if (r->replied) {
		done(cls);
		return;
	}
	struct stream_reply *s = xcalloc(1, sizeof *s);
	s->fn = fn;
	s->done = done;
	s->cls = cls;
	s->content_type = xstrdup(content_type);
	s->disposition = disposition ? xstrdup(disposition) : NULL;
	s->gzip = r->accept_gzip;
	s->state = 1;
	buf_init(&s->raw);
	buf_init(&s->out);
	r->replied = true;
	r->status = status;
	r->stream = s;
}

static void stream_free(void *cls)
{
	struct stream_reply *s = cls;
	if (s->done)
		s->done(s->cls);
	if (s->z_ready)
		deflateEnd(&s->zs);
	buf_free(&s->raw);
	buf_free(&s->out);
	free(s->content_type);
	free(s->disposition);
	free(s);
}

/* Moves raw into out (compressing it when gzip); false on a zlib fault. */
static bool stream_pack(struct stream_reply *s, bool last)
{
	if (!s->gzip) {
		buf_append(&s->out, s->raw.data, s->raw.len);
		buf_reset(&s->raw);
		return true;
	}
	if (!s->z_ready) {
		/* Level 1: a streamed body is large (all of England); the
		 * fastest level keeps the server's time near the query's. */
		if (deflateInit2(&s->zs, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
			return false;
		s->z_ready = true;
	}
	s->zs.next_in = (Bytef *)s->raw.data;
	s->zs.avail_in = (uInt)s->raw.len;
	int rc;
	do {
		unsigned char chunk[16384];
		s->zs.next_out = chunk;
		s->zs.avail_out = sizeof chunk;
		rc = deflate(&s->zs, last ? Z_FINISH : Z_NO_FLUSH);
		if (rc == Z_STREAM_ERROR)
			return false;
		buf_append(&s->out, chunk, sizeof chunk - s->zs.avail_out);
	} while (s->zs.avail_out == 0 || (last && rc != Z_STREAM_END));
	buf_reset(&s->raw);
	return true;
}

/* libmicrohttpd's reader: hands out what is ready, producing more (at
 * least 16 KiB of body at a time) when nothing is. */
static ssize_t stream_read(void *cls, uint64_t pos, char *dst, size_t max)
{
	(void)pos;
	struct stream_reply *s = cls;
	while (s->out_pos == s->out.len) {
		if (s->finished)
			return s->state < 0 ? MHD_CONTENT_READER_END_WITH_ERROR :
					      MHD_CONTENT_READER_END_OF_STREAM;
		buf_reset(&s->out);
		s->out_pos = 0;
		while (s->state > 0 && s->raw.len < 16384)
			s->state = s->fn(s->cls, &s->raw);
		if (s->state < 0) {
			s->finished = true;
			continue;
		}
		if (!stream_pack(s, s->state == 0)) {
			s->state = -1;
			s->finished = true;
			continue;
		}
		if (s->state == 0)
			s->finished = true;
	}
	size_t n = s->out.len - s->out_pos;
	if (n > max)
		n = max;
	memcpy(dst, s->out.data + s->out_pos, n);
	s->out_pos += n;
	s->sent += n;
	return (ssize_t)n;
}

static MHD_Result_t send_stream(struct req *r)
{
	struct stream_reply *s = r->stream;
	r->stream = NULL;
	struct MHD_Response *resp = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, s, stream_free);
	if (!resp) {
		stream_free(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", s->content_type);
	if (s->disposition)
		MHD_add_response_header(resp, "Content-Disposition", s->disposition);
	if (s->gzip)
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_Result_t ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	if (!r->srv->cfg.quiet)
		log_msg(LV_INFO, "%s %s %d %lldms streamed from %s", r->method, r->path, r->status,
			(long long)(mono_ms() - r->start_ms), r->addr);
	return ret;
}

static bool is_write(const struct req *r)
{
	return strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
}

static MHD_Result_t send_reply(struct req *r)
{
	if (r->stream)
		return send_stream(r);
	struct MHD_Response *resp;
	bool gz = false;
	size_t len = r->reply_len;
	char *body = r->reply;
	r->reply = NULL;
	/* A read that answers 200 carries an ETag; sent back in If-None-Match
	 * it gets 304 and no body. */
	char etag[IDEM_ETAG_SIZE] = "";
	if (body && r->status == 200 && !is_write(r)) {
		idem_etag(body, len, etag);
		if (idem_etag_matches(req_header(r, "If-None-Match"), etag)) {
			free(body);
			body = NULL;
			len = 0;
			r->status = 304;
		}
	}
	if (body && len > 1024 && r->accept_gzip) {
		size_t zlen;
		char *z = gzip_buf(body, len, &zlen);
		if (z) {
			free(body);
			body = z;
			len = zlen;
			gz = true;
		}
	}
	resp = MHD_create_response_from_buffer(len, body ? body : (void *)"",
					       body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	if (body)
		MHD_add_response_header(resp, "Content-Type", "application/json; charset=utf-8");
	if (gz)
		MHD_add_response_header(resp, "Content-Encoding", "gzip");
	MHD_add_response_header(resp, "Vary", "Accept-Encoding");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	if (*etag)
		MHD_add_response_header(resp, "ETag", etag);
	if (r->replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	if (r->allow)
		MHD_add_response_header(resp, "Allow", r->allow);
	if (r->retry_after > 0) {
		char ra[24];
		snprintf(ra, sizeof ra, "%lld", (long long)r->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	MHD_Result_t ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	if (!r->srv->cfg.quiet)
		log_msg(r->status >= 500 ? LV_ERROR : r->status >= 400 ? LV_WARN : LV_INFO,
			"%s %s %d %lldms %zuB from %s", r->method, r->path, r->status,
			(long long)(mono_ms() - r->start_ms), len, r->addr);
	return ret;
}

/* A request line may carry at most this many query arguments; more get
 * 400 before libmicrohttpd parses them. */
#define MAX_QUERY_ARGS 64
/* Seconds a connection may stay silent before its first request is in
 * (the daemon's timeout), and once a request has come (a keep-alive
 * client, or a slow upload). */
#define FIRST_REQUEST_TIMEOUT 10
#define CONNECTION_TIMEOUT 120
/* Connections one client address may hold at once. A trusted proxy
 * (--trusted-proxy) is not held to it: its connections carry many
 * clients' requests (HAProxy limits them with its own maxconn), and the
 * addresses it forwards are known per request, not per connection. */
#define PER_ADDRESS_CONNECTIONS 64

/* ---- the per-address limit --------------------------------------------------
 * libmicrohttpd's own limit (MHD_OPTION_PER_IP_CONNECTION_LIMIT) cannot
 * exempt anyone, so the connections are counted here: the accept policy
 * refuses a connection whose address already holds the limit, and each
 * connection is counted when libmicrohttpd starts it and uncounted when
 * it closes. Two accepts racing on different threads may both pass the
 * policy; the one counted beyond the limit is marked, and closed
 * unanswered at its first request. */
struct addr_count {
	unsigned char a[16];
	unsigned n;
};

struct addr_counts {
	pthread_mutex_t lock;
	void *tree; /* of struct addr_count, by address (tsearch) */
};

/* What is kept for each connection (its socket context). */
struct conn_info {
	unsigned char peer[16];
	bool counted; /* in the per-address count */
	bool over;    /* counted beyond the limit: refused */
};

static int addr_cmp(const void *x, const void *y)
{
	return memcmp(((const struct addr_count *)x)->a, ((const struct addr_count *)y)->a, 16);
}

/* The connections open from a (0 when none). */
static unsigned addr_open(struct addr_counts *c, const unsigned char a[16])
{
	struct addr_count key;
	memcpy(key.a, a, 16);
	pthread_mutex_lock(&c->lock);
	struct addr_count **hit = tfind(&key, &c->tree, addr_cmp);
	unsigned n = hit ? (*hit)->n : 0;
	pthread_mutex_unlock(&c->lock);
	return n;
}

/* Adds delta (+1 or -1) to a's count; returns the new count. */
static unsigned addr_add(struct addr_counts *c, const unsigned char a[16], int delta)
{
	struct addr_count key;
	memcpy(key.a, a, 16);
	pthread_mutex_lock(&c->lock);
	struct addr_count **hit = tfind(&key, &c->tree, addr_cmp);
	unsigned n = 0;
	if (delta > 0) {
		if (!hit) {
			struct addr_count *e = xcalloc(1, sizeof *e);
			memcpy(e->a, a, 16);
			hit = tsearch(e, &c->tree, addr_cmp);
			if (!hit) { /* no memory for the node: not counted */
				free(e);
				pthread_mutex_unlock(&c->lock);
				return 0;
			}
		}
		n = ++(*hit)->n;
	} else if (hit) {
		n = --(*hit)->n;
		if (n == 0) {
			struct addr_count *e = *hit;
			tdelete(e, &c->tree, addr_cmp);
			free(e);
		}
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

static bool peer_trusted(const struct server *srv, const unsigned char a[16])
{
	return nets_contain(srv->cfg.trusted, srv->cfg.n_trusted, a);
}

/* libmicrohttpd's accept policy: no more connections from an address
 * that holds the limit (trusted proxies excepted). */
static MHD_Result_t accept_policy(void *cls, const struct sockaddr *sa, socklen_t len)
{
	(void)len;
	struct server *srv = cls;
	unsigned char a[16];
	if (!srv->conns || !addr_from_sockaddr(sa, a) || peer_trusted(srv, a))
		return MHD_YES;
	return addr_open(srv->conns, a) < PER_ADDRESS_CONNECTIONS ? MHD_YES : MHD_NO;
}

static const struct conn_info *conn_info_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

static void addr_counts_free(struct addr_counts *c)
{
	if (!c)
		return;
	tdestroy(c->tree, free);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

/* The X-Forwarded-For lines of a request, joined with commas: a proxy
 * may add its own line after the client's rather than extend it, and
 * libmicrohttpd's look-up would give only the first. */
static MHD_Result_t xff_line(void *cls, enum MHD_ValueKind kind, const char *key,
			     const char *value)
{
	(void)kind;
	struct buf *b = cls;
	if (key && value && strcasecmp(key, "X-Forwarded-For") == 0) {
		if (b->len)
			buf_append(b, ",", 1);
		buf_append(b, value, strlen(value));
	}
	return MHD_YES;
}

/* Sets r->addr: the connection's peer, or behind a trusted proxy the
 * client it forwarded (clientaddr.h). */
static void request_client(struct req *r)
{
	struct MHD_Connection *conn = r->conn;
	unsigned char peer[16], client[16];
	const struct conn_info *c = conn_info_of(conn);
	if (c) {
		memcpy(peer, c->peer, 16);
	} else {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (!ci || !addr_from_sockaddr(ci->client_addr, peer))
			return; /* stays "" */
	}
	memcpy(client, peer, 16);
	if (peer_trusted(r->srv, peer)) {
		struct buf xff;
		buf_init(&xff);
		MHD_get_connection_values(conn, MHD_HEADER_KIND, xff_line, &xff);
		if (xff.len) {
			buf_append(&xff, "", 1); /* the nul */
			client_addr(r->srv->cfg.trusted, r->srv->cfg.n_trusted, peer, xff.data, client);
		}
		buf_free(&xff);
	}
	addr_format(client, r->addr, sizeof r->addr);
}

/* Called by libmicrohttpd with the raw request target as soon as the
 * request line is in, before it splits the query: it keeps every
 * argument in the connection's small memory pool, and with a few hundred
 * of them runs out and drops the connection without an answer. So the
 * arguments are counted here and, when there are too many, the query is
 * cut off (the text is libmicrohttpd's writable read buffer) and the
 * request answered 400 in on_request. The returned context becomes
 * on_request's *con_cls. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	struct req *r = xcalloc(1, sizeof *r);
	buf_init(&r->body);
	/* libmicrohttpd decodes %00 and cuts the text there: /me%00x would
	 * be served as /me. */
	for (const char *p = strchr(uri, '%'); p; p = strchr(p + 1, '%'))
		if (p[1] == '0' && p[2] == '0')
			r->nul_byte = true;
	char *q = strchr(uri, '?');
	if (q) {
		size_t n = 1;
		for (const char *p = q + 1; *p && *p != ' '; p++)
			if (*p == '&' || *p == ';')
				n++;
		if (n > MAX_QUERY_ARGS) {
			r->many_args = true;
			q[1] = '\0';
		}
	}
	return r;
}

struct arg_check {
	size_t n;
	const char *bad; /* the first argument that is not clean text */
};

static MHD_Result_t check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			      const char *value)
{
	(void)kind;
	struct arg_check *c = cls;
	c->n++;
	if (!c->bad && (!clean_text(key) || (value && !clean_text(value))))
		c->bad = key;
	return MHD_YES;
}

/* An HTTP method is a token of letters (RFC 9110 allows more; no client
 * of this API sends anything else). */
static bool method_ok(const char *m)
{
	size_t n = 0;
	for (; m[n]; n++)
		if (!((m[n] >= 'A' && m[n] <= 'Z') || (m[n] >= 'a' && m[n] <= 'z')))
			return false;
	return n > 0 && n <= 16;
}

/* The first call for a request: its line and headers are in, its body
 * (if any) is not. Answers here whatever can be answered without the
 * body. Returns false when it has answered. */
static bool request_begin(struct req *r)
{
	struct MHD_Connection *conn = r->conn;
	request_client(r);
	/* A request has come: the connection may now idle as long as usual. */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
				  (unsigned)CONNECTION_TIMEOUT);
	if (!method_ok(r->method)) {
		reply_error(r, 400, "bad_request", NULL, "the request method is not valid");
		return false;
	}
	if (r->nul_byte) {
		reply_error(r, 400, "bad_request", NULL, "the request line holds a NUL byte (%%00)");
		return false;
	}
	if (!clean_text(r->path)) {
		reply_error(r, 400, "bad_request", NULL,
			    "the path is not valid UTF-8 text (or has control characters)");
		return false;
	}
	struct arg_check args = {0, NULL};
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, check_arg, &args);
	if (r->many_args || args.n > MAX_QUERY_ARGS) {
		reply_error(r, 400, "bad_query", NULL,
			    "the query has more than %d arguments", MAX_QUERY_ARGS);
		return false;
	}
	if (args.bad) {
		reply_error(r, 400, "bad_query", clean_text(args.bad) ? args.bad : NULL,
			    "a query argument is not valid UTF-8 text (or has control characters)");
		return false;
	}
	r->body_limit = r->srv->cfg.body_limit;
	if (!routes_begin(r))
		return false;
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > r->body_limit) {
		r->too_large = true;
		reply_error(r, 413, "too_large", NULL,
			    "the request body is larger than %zu bytes", r->body_limit);
		return false;
	}
	return true;
}

/* ---- the write queue --------------------------------------------------------
 * SQLite has one writer at a time. A request that writes (any method but
 * GET and HEAD) is not run on the worker thread that read it: its
 * connection is suspended and the request queued for the one writer
 * thread, which runs it and resumes the connection; the worker goes back
 * to serving others at once. Reads never wait behind a write (WAL
 * readers see the last commit), and a write waits in this queue, in
 * order, not in SQLite's busy handler on a worker thread. */
struct write_queue {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct req *head, *tail;
	size_t length;
	bool stopping;
	pthread_t thread;
};


/* Forgets a reply not yet sent (a transaction that will run again, or
 * that did not commit). */
static void reply_forget(struct req *r)
{
	free(r->reply);
	r->reply = NULL;
	r->reply_len = 0;
	r->replied = false;
	r->replayed = false;
	r->status = 0;
}

/* A write with an Idempotency-Key runs in one transaction with the
 * look-up of its key and the keeping of its answer: the write and its
 * answer commit together or not at all, whatever instance of cqrsd runs
 * it and whenever one dies, so a retry either gets the first answer or
 * runs a write that never happened (the handler's own transactions nest
 * as savepoints). */
static enum st idempotent_write_tx(struct db *db, void *arg)
{
	struct req *r = arg;
	(void)db;
	reply_forget(r); /* a retried transaction starts afresh */
	bool replayed = idem_replay(r);
	if (!replayed)
		routes_dispatch(r);
	if (!r->replied)
		reply_error(r, 500, "internal", NULL, "no reply was produced");
	if (!replayed)
		idem_record(r);
	return ST_OK;
}

static void run_request(struct req *r)
{
	r->db = store_db(r->srv->store);
	if (is_write(r) && idem_applies(r)) {
		if (store_tx(r->db, true, idempotent_write_tx, r) != ST_OK) {
			reply_forget(r);
			reply_error(r, 503, "busy", NULL, "the server is busy; nothing was changed:"
				    " try again");
		}
		return;
	}
	bool reading = !is_write(r) && store_read_begin(r->db);
	bool replayed = !reading && is_write(r) && idem_replay(r);
	if (!replayed)
		routes_dispatch(r);
	if (reading)
		store_read_end(r->db);
	if (!r->replied)
		reply_error(r, 500, "internal", NULL, "no reply was produced");
	if (is_write(r) && !replayed)
		idem_record(r);
}

static void *writer_main(void *arg)
{
	struct server *srv = arg;
	struct write_queue *q = srv->writes;
	pthread_mutex_lock(&q->lock);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->more, &q->lock);
		struct req *r = q->head;
		if (!r)
			break; /* stopping, and nothing left */
		q->head = r->next_write;
		if (!q->head)
			q->tail = NULL;
		q->length--;
		pthread_mutex_unlock(&q->lock);
		run_request(r);
		r->written = true;
		MHD_resume_connection(r->conn);
		pthread_mutex_lock(&q->lock);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

static bool queue_write(struct server *srv, struct req *r)
{
	struct write_queue *q = srv->writes;
	if (!q)
		return false;
	pthread_mutex_lock(&q->lock);
	if (q->stopping) {
		pthread_mutex_unlock(&q->lock);
		return false;
	}
	r->queued = true;
	r->next_write = NULL;
	MHD_suspend_connection(r->conn);
	if (q->tail)
		q->tail->next_write = r;
	else
		q->head = r;
	q->tail = r;
	q->length++;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	return true;
}

static bool writer_start(struct server *srv)
{
	struct write_queue *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->lock, NULL);
	pthread_cond_init(&q->more, NULL);
	srv->writes = q;
	if (pthread_create(&q->thread, NULL, writer_main, srv) != 0) {
		pthread_cond_destroy(&q->more);
		pthread_mutex_destroy(&q->lock);
		free(q);
		srv->writes = NULL;
		return false;
	}
	return true;
}

/* Runs what is queued, then ends the writer thread. */
static void writer_stop(struct server *srv)
{
	struct write_queue *q = srv->writes;
	if (!q)
		return;
	pthread_mutex_lock(&q->lock);
	q->stopping = true;
	pthread_cond_signal(&q->more);
	pthread_mutex_unlock(&q->lock);
	pthread_join(q->thread, NULL);
	pthread_cond_destroy(&q->more);
	pthread_mutex_destroy(&q->lock);
	free(q);
	srv->writes = NULL;
}

static MHD_Result_t on_request(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version,
			       const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct req *r = *con_cls;
	if (!r) { /* no URI callback ran (it always should) */
		r = xcalloc(1, sizeof *r);
		buf_init(&r->body);
		*con_cls = r;
	}
	if (!r->srv) {
		const struct conn_info *c = conn_info_of(conn);
		if (c && c->over)
			return MHD_NO; /* beyond the per-address limit: closed */
		r->srv = srv;
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->start_ms = mono_ms();
		const char *ae = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_ACCEPT_ENCODING);
		r->accept_gzip = ae && strstr(ae, "gzip");
		if (!request_begin(r))
			return send_reply(r);
		return MHD_YES;
	}
	if (r->written) {
		r->written = false;
		return send_reply(r); /* the writer thread ran it; back on this one */
	}
	if (r->queued)
		return MHD_YES; /* waiting in the write queue */
	if (r->replied) {
		*upload_data_size = 0;
		return MHD_YES; /* already answered; discard the rest */
	}
	if (*upload_data_size) {
		if (!r->too_large && r->body.len + *upload_data_size <= r->body_limit)
			buf_append(&r->body, upload_data, *upload_data_size);
		else
			r->too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->too_large) {
		reply_error(r, 413, "too_large", NULL,
			    "the request body is larger than %zu bytes", r->body_limit);
		return send_reply(r);
	}
	if (is_write(r) && queue_write(srv, r))
		return MHD_YES;
	run_request(r);
	return send_reply(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;
	if (!r)
		return;
	buf_free(&r->body);
	if (r->stream) /* answered but never sent */
		stream_free(r->stream);
	free(r->reply);
	free(r->param_store);
	auth_free(&r->auth);
	free(r);
	*con_cls = NULL;
}

static void log_mhd(void *cls, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof msg, fmt, ap);
	log_msg(LV_WARN, "http: %s", msg);
}

/* Counts connections per address (the per-address limit) and, at
 * --log-level debug, logs them opening and closing with the peer. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct server *srv = cls;
	struct conn_info *c = *socket_context;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		c = xcalloc(1, sizeof *c);
		*socket_context = c;
		if (ci && addr_from_sockaddr(ci->client_addr, c->peer) && srv->conns &&
		    !peer_trusted(srv, c->peer)) {
			unsigned n = addr_add(srv->conns, c->peer, +1);
			c->counted = n > 0;
			c->over = n > PER_ADDRESS_CONNECTIONS;
		}
	}
	if (log_enabled(LV_DEBUG)) {
		char addr[INET6_ADDRSTRLEN] = "?";
		int port = 0;
		if (c && ci && ci->client_addr) {
			addr_format(c->peer, addr, sizeof addr);
			if (ci->client_addr->sa_family == AF_INET)
				port = ntohs(((const struct sockaddr_in *)(const void *)ci->client_addr)
						     ->sin_port);
			else if (ci->client_addr->sa_family == AF_INET6)
				port = ntohs(((const struct sockaddr_in6 *)(const void *)ci->client_addr)
						     ->sin6_port);
		}
		log_msg(LV_DEBUG, "connection from %s:%d %s", addr, port,
			toe == MHD_CONNECTION_NOTIFY_STARTED ? "opened" : "closed");
	}
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED && c) {
		if (c->counted)
			addr_add(srv->conns, c->peer, -1);
		free(c);
		*socket_context = NULL;
	}
}

bool http_tls_supported(void)
{
	return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

bool http_host_is_loopback(const char *host)
{
	struct in_addr a;
	return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* Reads a PEM file whole; NULL with err filled. */
static char *read_pem(const char *what, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read the TLS %s %s: %s", what, path, strerror(errno));
		return NULL;
	}
	struct buf b;
	buf_init(&b);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len < 1024 * 1024)
		buf_append(&b, chunk, n);
	bool bad = ferror(f) != 0;
	fclose(f);
	if (bad || !b.data || !strstr(b.data, "-----BEGIN ")) {
		snprintf(err, errlen, "the TLS %s %s is not a PEM file", what, path);
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b);
}

static void tls_free(struct server *srv)
{
	for (int i = 0; i < 2; i++) {
		if (srv->tls_mem[i]) {
			sodium_memzero(srv->tls_mem[i], strlen(srv->tls_mem[i]));
			xfree(&srv->tls_mem[i]);
		}
	}
}

bool http_start(struct server *srv, const char *host, int port, int *bound,
		char *err, size_t errlen)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "not an IPv4 address: %s", host);
		return false;
	}
	bool tls = srv->cfg.tls_cert || srv->cfg.tls_key;
	if (tls) {
		if (!srv->cfg.tls_cert || !srv->cfg.tls_key) {
			snprintf(err, errlen, "HTTPS needs both --tls-cert and --tls-key");
			return false;
		}
		if (!http_tls_supported()) {
			snprintf(err, errlen, "this cqrsd cannot serve HTTPS: its libmicrohttpd was built "
				 "without TLS (GnuTLS) support; install a libmicrohttpd with HTTPS, "
				 "or serve plain HTTP on 127.0.0.1 behind a TLS proxy");
			return false;
		}
		srv->tls_mem[0] = read_pem("certificate", srv->cfg.tls_cert, err, errlen);
		if (srv->tls_mem[0])
			srv->tls_mem[1] = read_pem("key", srv->cfg.tls_key, err, errlen);
		if (!srv->tls_mem[1]) {
			tls_free(srv);
			return false;
		}
	}
	srv->conns = xcalloc(1, sizeof *srv->conns);
	pthread_mutex_init(&srv->conns->lock, NULL);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned threads = ncpu > 0 ? (unsigned)ncpu : 2;
	if (threads < 2)
		threads = 2;
	/* A worker waits for PostgreSQL's answers on the network, where
	 * SQLite's are computed in the thread: more workers keep the cores
	 * busy while some wait (each has its own database connection). */
	if (store_over_network(srv->store))
		threads *= 2;
	/* Several cqrsd on one machine share its cores, and a container may
	 * have fewer than the machine shows: then the operator says. */
	if (srv->cfg.threads)
		threads = srv->cfg.threads;
	/* Without TLS the array passed is just its MHD_OPTION_END. */
	struct MHD_OptionItem tls_opts[] = {
		{MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_mem[0]},
		{MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_mem[1]},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)HTTP_TLS_PRIORITIES},
		{MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
			MHD_ALLOW_SUSPEND_RESUME | (tls ? MHD_USE_TLS : 0),
		0, accept_policy, srv, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
		MHD_OPTION_ARRAY, tls ? tls_opts : tls_opts + 3,
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)FIRST_REQUEST_TIMEOUT,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)512,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_END);
	if (!d) {
		if (tls)
			snprintf(err, errlen, "cannot serve HTTPS on %s:%d with the certificate %s and "
				 "the key %s (are they a matching PEM pair, and is the port free?)",
				 host, port, srv->cfg.tls_cert, srv->cfg.tls_key);
		else
			snprintf(err, errlen, "cannot listen on %s:%d", host, port);
		tls_free(srv);
		addr_counts_free(srv->conns);
		srv->conns = NULL;
		return false;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = info ? info->port : port;
	srv->daemon = d;
	if (!writer_start(srv))
		log_msg(LV_WARN, "no writer thread: writes run on the worker threads");
	return true;
}

void http_stop(struct server *srv)
{
	/* Suspended connections are resumed (their writes run) before the
	 * daemon stops, as libmicrohttpd requires. */
	writer_stop(srv);
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
	tls_free(srv);
	addr_counts_free(srv->conns); /* every connection is closed */
	srv->conns = NULL;
}
