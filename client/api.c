/* api.c: the cqrsd HTTP/JSON client on libcurl multi (see api.h). */
#include "config.h"

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "client/api.h"
#include "util.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 16000
/* Answers kept for If-None-Match, by path (the oldest replaced first). */
#define CACHE_SLOTS 64
/* A dead link: keep-alive probes after this many idle seconds, one a
 * second, three unanswered end the connection; data unacknowledged for
 * USER_TIMEOUT_MS ends it too. */
#define KEEPALIVE_IDLE 2
/* A silent request is given up after GIVE_UP x stall_timeout (see
 * silent_deadline). */
#define GIVE_UP 3
#define KEEPALIVE_COUNT 3
#define USER_TIMEOUT_MS 6000

struct cached {
	char *path;
	char etag[72];
	char *body;
	size_t len;
	int64_t primed_until; /* mono ms: answer the next GET without asking */
};

struct req {
	struct req *next;
	unsigned id;
	char *method, *path;
	char *body;     /* serialised JSON or NULL; owned */
	char key[API_KEY_SIZE]; /* a write's Idempotency-Key; "" for a read */
	bool retry;
	api_done_fn cb;
	void *ud;
	const void *owner;
	FILE *sink;     /* api_download: a 200 answer's body goes here */
};

struct api {
	char *base;
	char *token;
	char *ca_file;        /* NULL: the system trust store */
	CURLM *multi;
	CURL *easy;           /* the one kept-alive handle */
	struct curl_slist *headers;
	struct req *head, *tail;
	bool running;         /* head is attached to multi */
	int64_t started_ms;
	struct buf resp;
	char errbuf[CURL_ERROR_SIZE];
	bool online;
	int backoff_ms;
	int64_t retry_at;     /* mono ms; 0 = none */
	unsigned next_id;
	long connect_timeout, stall_timeout;
	uint64_t bytes_in, bytes_out;
	unsigned nrequests, n304;
	bool sink_failed;     /* writing the head download's file failed */
	uint64_t sunk;        /* bytes written to it */
	/* headers of the answer in flight */
	int64_t rx_ms;        /* mono ms of the last byte received (or the start) */
	char etag[72];
	bool replayed;
	struct cached cache[CACHE_SLOTS];
	unsigned cache_next;
};

static void copy_header_value(const char *line, size_t n, size_t name_len, char *out,
			      size_t size)
{
	const char *v = line + name_len;
	size_t len = n - name_len;
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
		len--;
	if (len >= size)
		len = 0; /* too long to be ours: ignore it */
	memcpy(out, v, len);
	out[len] = '\0';
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct api *a = ud;
	size_t n = size * nmemb;
	a->rx_ms = mono_ms();
	if (n > 5 && !strncasecmp(ptr, "ETag:", 5)) {
		copy_header_value(ptr, n, 5, a->etag, sizeof a->etag);
	} else if (n > 20 && !strncasecmp(ptr, "Idempotent-Replayed:", 20)) {
		char v[16];
		copy_header_value(ptr, n, 20, v, sizeof v);
		a->replayed = !strcmp(v, "true");
	}
	return n;
}

/* Keep-alive and the user timeout on each new socket (see api.h). */
static int on_socket(void *ud, curl_socket_t fd, curlsocktype purpose)
{
	(void)ud;
	if (purpose != CURLSOCKTYPE_IPCXN)
		return CURL_SOCKOPT_OK;
	int on = 1, idle = KEEPALIVE_IDLE, intvl = 1, cnt = KEEPALIVE_COUNT;
	unsigned ut = USER_TIMEOUT_MS;
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof intvl);
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof cnt);
#ifdef TCP_USER_TIMEOUT
	setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &ut, sizeof ut);
#else
	(void)ut;
#endif
	return CURL_SOCKOPT_OK;
}

static struct cached *cache_find(struct api *a, const char *path)
{
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		if (a->cache[i].path && !strcmp(a->cache[i].path, path))
			return &a->cache[i];
	return NULL;
}

static void cache_clear(struct cached *c)
{
	free(c->path);
	free(c->body);
	memset(c, 0, sizeof *c);
}

static void cache_put(struct api *a, const char *path, const char *etag, const char *body,
		      size_t len)
{
	struct cached *c = cache_find(a, path);
	if (!c) {
		c = &a->cache[a->cache_next];
		a->cache_next = (a->cache_next + 1) % CACHE_SLOTS;
		cache_clear(c);
		c->path = xstrdup(path);
	}
	free(c->body);
	strlcpy_s(c->etag, etag, sizeof c->etag);
	c->body = xmalloc(len + 1);
	memcpy(c->body, body, len);
	c->body[len] = '\0';
	c->len = len;
}

void api_new_key(char out[API_KEY_SIZE])
{
	unsigned char r[16];
	size_t got = 0;
	while (got < sizeof r) {
		ssize_t n = getrandom(r + got, sizeof r - got, 0);
		if (n <= 0)
			abort(); /* the kernel always has randomness for this */
		got += (size_t)n;
	}
	for (size_t i = 0; i < sizeof r; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct api *a = ud;
	long status = 0;
	if (a->head && a->head->sink) {
		curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200) {
			if (fwrite(ptr, 1, size * nmemb, a->head->sink) != size * nmemb) {
				a->sink_failed = true;
				return 0;
			}
			a->sunk += size * nmemb;
			return size * nmemb;
		}
	}
	buf_append(&a->resp, ptr, size * nmemb);
	a->rx_ms = mono_ms();
	return size * nmemb;
}

struct api *api_new(const char *base_url, int connect_timeout, int stall_timeout)
{
	static bool global_done;
	if (!global_done) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_done = true;
	}
	struct api *a = xcalloc(1, sizeof(*a));
	a->base = xstrdup(base_url);
	size_t n = strlen(a->base);
	while (n && a->base[n - 1] == '/')
		a->base[--n] = '\0';
	a->multi = curl_multi_init();
	a->easy = curl_easy_init();
	if (!a->multi || !a->easy) {
		fputs("cqrs: libcurl initialisation failed\n", stderr);
		abort();
	}
	buf_init(&a->resp);
	a->online = true;
	a->connect_timeout = connect_timeout;
	a->stall_timeout = stall_timeout;
	a->next_id = 1;
	return a;
}

static void req_free(struct req **r)
{
	if (!*r)
		return;
	free((*r)->method);
	free((*r)->path);
	free((*r)->body);
	xfree(r);
}

static void detach(struct api *a)
{
	if (a->running) {
		curl_multi_remove_handle(a->multi, a->easy);
		a->running = false;
	}
}

void api_free(struct api **ap)
{
	struct api *a = *ap;
	if (!a)
		return;
	detach(a);
	while (a->head) {
		struct req *r = a->head;
		a->head = r->next;
		req_free(&r);
	}
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		cache_clear(&a->cache[i]);
	curl_slist_free_all(a->headers);
	curl_easy_cleanup(a->easy);
	curl_multi_cleanup(a->multi);
	buf_free(&a->resp);
	free(a->base);
	free(a->ca_file);
	if (a->token) {
		memset(a->token, 0, strlen(a->token));
		free(a->token);
	}
	xfree(ap);
}

void api_set_token(struct api *a, const char *token)
{
	if (a->token) {
		memset(a->token, 0, strlen(a->token));
		xfree(&a->token);
	}
	if (token)
		a->token = xstrdup(token);
}

void api_set_ca_file(struct api *a, const char *path)
{
	xfree(&a->ca_file);
	if (path)
		a->ca_file = xstrdup(path);
}

bool api_describe_error(int rc, const char *details, const char *ca_file, char *out,
			size_t outlen)
{
	const char *what;
	bool tls = true;
	char buf[512];
	switch ((CURLcode)rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
		if (ca_file) {
			snprintf(buf, sizeof buf, "the connection is not secure: the server's "
				 "certificate could not be verified with the CA file %s; nothing was "
				 "sent", ca_file);
			what = buf;
		} else {
			what = "the connection is not secure: the server's certificate could not be "
			       "verified (a private authority? use --ca-file FILE); nothing was sent";
		}
		break;
	case CURLE_SSL_CACERT_BADFILE:
		snprintf(buf, sizeof buf, "the CA file %s cannot be read or holds no PEM "
			 "certificate; nothing was sent", ca_file ? ca_file : "(system default)");
		what = buf;
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_USE_SSL_FAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		what = "a secure (TLS 1.2 or later) connection to the server could not be set up: "
		       "it may not serve https:// on this port, or only an older TLS version; "
		       "nothing was sent";
		break;
	case CURLE_GOT_NOTHING:
		tls = false;
		what = "the server closed the connection without an answer (if it serves "
		       "https://, use an https:// URL)";
		break;
	case CURLE_COULDNT_CONNECT:
		tls = false;
		details = NULL;
		what = "the server refused the connection or cannot be reached (is it running, "
		       "and is the address right?)";
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
		tls = false;
		details = NULL;
		what = "the server's name cannot be found (check the address, or the network)";
		break;
	case CURLE_OPERATION_TIMEDOUT:
		tls = false;
		details = NULL;
		what = "no answer from the server for several seconds: the link seems to be down";
		break;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
		tls = false;
		details = NULL;
		what = "the connection to the server was lost";
		break;
	default:
		tls = false;
		what = curl_easy_strerror((CURLcode)rc);
		break;
	}
	if (details && *details && strcmp(details, what) != 0)
		snprintf(out, outlen, "%s (%s)", what, details);
	else
		snprintf(out, outlen, "%s", what);
	return tls;
}

const char *api_token(const struct api *a)
{
	return a->token;
}

const char *api_base(const struct api *a)
{
	return a->base;
}

static void start_head(struct api *a)
{
	struct req *r = a->head;
	char *url = xasprintf("%s/api/v1%s", a->base, r->path);
	CURL *e = a->easy;

	curl_easy_reset(e); /* keeps the live connection */
	curl_slist_free_all(a->headers);
	/* Few header bytes: a revalidated screen costs a few hundred bytes in
	 * all (no Accept: every answer is JSON; gzip, the one encoding the
	 * server uses) */
	a->headers = NULL;
	if (a->token) {
		char *h = xasprintf("Authorization: Bearer %s", a->token);
		a->headers = curl_slist_append(a->headers, h);
		memset(h, 0, strlen(h));
		free(h);
	}
	if (r->body)
		a->headers = curl_slist_append(a->headers,
					       "Content-Type: application/json; charset=utf-8");
	if (r->key[0]) {
		char h[64];
		snprintf(h, sizeof h, "Idempotency-Key: %s", r->key);
		a->headers = curl_slist_append(a->headers, h);
	} else {
		struct cached *c = cache_find(a, r->path);
		if (c) {
			char h[96];
			snprintf(h, sizeof h, "If-None-Match: %s", c->etag);
			a->headers = curl_slist_append(a->headers, h);
		}
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, a->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "cqrs/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPIDLE, (long)KEEPALIVE_IDLE);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPINTVL, 1L);
	curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, on_socket);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, a->connect_timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, a->stall_timeout * GIVE_UP);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, a->errbuf);
	if (str_has_prefix(a->base, "https://")) {
		/* Never anything but verified TLS 1.2+ to an https:// server. */
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
		curl_easy_setopt(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
		if (a->ca_file)
			curl_easy_setopt(e, CURLOPT_CAINFO, a->ca_file);
	} else {
		curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
	}
	if (strcmp(r->method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(r->method, "POST") == 0) {
		curl_easy_setopt(e, CURLOPT_POST, 1L);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body ? r->body : "");
	} else {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, r->method);
		if (r->body)
			curl_easy_setopt(e, CURLOPT_POSTFIELDS, r->body);
	}
	a->errbuf[0] = '\0';
	a->etag[0] = '\0';
	a->replayed = false;
	buf_reset(&a->resp);
	a->sink_failed = false;
	a->sunk = 0;
	curl_multi_add_handle(a->multi, e);
	a->running = true;
	a->started_ms = a->rx_ms = mono_ms();
	a->nrequests++;
	free(url);
}

#define PRIME_MS 10000

void api_prime(struct api *a, const char *path, const char *etag, const char *body)
{
	cache_put(a, path, etag, body, strlen(body));
	struct cached *c = cache_find(a, path);
	if (c)
		c->primed_until = mono_ms() + PRIME_MS;
}

/* The kept answer of a primed GET at the head, or NULL. */
static struct cached *primed_head(struct api *a)
{
	struct req *r = a->head;
	if (!r || a->running || strcmp(r->method, "GET") != 0)
		return NULL;
	struct cached *c = cache_find(a, r->path);
	return c && c->primed_until > mono_ms() ? c : NULL;
}

static void complete(struct api *a, struct api_response *resp);

/* Answers primed GETs at the head from what was kept (from api_run only:
 * a callback never runs inside api_request). */
static void answer_primed(struct api *a)
{
	struct cached *c;
	while ((c = primed_head(a))) {
		c->primed_until = 0;
		json_error_t jerr;
		json_t *j = json_loadb(c->body, c->len, 0, &jerr);
		struct api_response resp = {.outcome = API_HTTP, .status = 200, .json = j,
					    .err_code = "", .err_message = "",
					    .not_modified = true};
		complete(a, &resp);
		json_decref(j);
	}
}

/* Starts the head request if nothing runs and no retry is pending. */
static void kick(struct api *a)
{
	if (a->running || !a->head || primed_head(a))
		return;
	if (a->retry_at && mono_ms() < a->retry_at)
		return;
	a->retry_at = 0;
	start_head(a);
}

unsigned api_request_keyed(struct api *a, const char *method, const char *path, json_t *body,
			   const char *key, bool retry, api_done_fn cb, void *ud,
			   const void *owner)
{
	struct req *r = xcalloc(1, sizeof(*r));
	r->id = a->next_id++;
	r->method = xstrdup(method);
	r->path = xstrdup(path);
	if (body) {
		r->body = json_dumps(body, JSON_COMPACT);
		json_decref(body);
	}
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		if (key && *key)
			strlcpy_s(r->key, key, sizeof r->key);
		else
			api_new_key(r->key);
	}
	r->retry = retry;
	r->cb = cb;
	r->ud = ud;
	r->owner = owner;
	if (a->tail)
		a->tail->next = r;
	else
		a->head = r;
	a->tail = r;
	kick(a);
	return r->id;
}

unsigned api_download(struct api *a, const char *path, FILE *out, api_done_fn cb, void *ud,
			  const void *owner)
{
	unsigned id = api_request(a, "GET", path, NULL, false, cb, ud, owner);
	a->tail->sink = out;
	return id;
}

uint64_t api_downloaded(const struct api *a)
{
	return a->sunk;
}

unsigned api_request(struct api *a, const char *method, const char *path, json_t *body,
		     bool retry, api_done_fn cb, void *ud, const void *owner)
{
	return api_request_keyed(a, method, path, body, NULL, retry, cb, ud, owner);
}

static struct req *pop_head(struct api *a)
{
	struct req *r = a->head;
	if (r) {
		a->head = r->next;
		if (!a->head)
			a->tail = NULL;
	}
	return r;
}

void api_drop_owner(struct api *a, const void *owner)
{
	struct req **pp = &a->head, *prev = NULL;
	bool head_dropped = false;
	while (*pp) {
		struct req *r = *pp;
		if (r->owner == owner) {
			if (r == a->head) {
				head_dropped = true;
				detach(a);
			}
			*pp = r->next;
			req_free(&r);
		} else {
			prev = r;
			pp = &r->next;
		}
	}
	a->tail = prev;
	if (head_dropped)
		a->retry_at = a->online ? 0 : a->retry_at;
	kick(a);
}

static void complete(struct api *a, struct api_response *resp)
{
	struct req *r = pop_head(a);
	resp->method = r->method;
	resp->path = r->path;
	if (r->cb)
		r->cb(r->ud, resp);
	req_free(&r);
}

bool api_cancel_current(struct api *a)
{
	if (!a->head)
		return false;
	detach(a);
	a->retry_at = 0;
	struct api_response resp = {.outcome = API_CANCELLED, .err_code = "",
				    .err_message = "cancelled"};
	complete(a, &resp);
	kick(a);
	return true;
}

static void finish(struct api *a, CURLcode rc)
{
	long status = 0;
	curl_off_t down = 0, up = 0;
	long hdr = 0;
	curl_easy_getinfo(a->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(a->easy, CURLINFO_SIZE_DOWNLOAD_T, &down);
	curl_easy_getinfo(a->easy, CURLINFO_SIZE_UPLOAD_T, &up);
	curl_easy_getinfo(a->easy, CURLINFO_HEADER_SIZE, &hdr);
	a->bytes_in += (uint64_t)down + (uint64_t)hdr;
	a->bytes_out += (uint64_t)up;
	detach(a);

	if (a->sink_failed) {
		struct api_response resp = {.outcome = API_NET_ERROR, .err_code = "",
					    .err_message = "the file could not be written"};
		complete(a, &resp);
		return;
	}
	if (rc != CURLE_OK || status == 0) {
		char msg[CURL_ERROR_SIZE + 640];
		bool tls = api_describe_error((int)rc, a->errbuf, a->ca_file, msg, sizeof msg);
		a->online = false;
		if (a->head->retry && !tls) {
			a->backoff_ms = a->backoff_ms ? a->backoff_ms * 2 : BACKOFF_FIRST_MS;
			if (a->backoff_ms > BACKOFF_MAX_MS)
				a->backoff_ms = BACKOFF_MAX_MS;
			a->retry_at = mono_ms() + a->backoff_ms;
			return;
		}
		struct api_response resp = {.outcome = API_NET_ERROR, .err_code = "",
					    .err_message = msg};
		complete(a, &resp);
		return;
	}
	a->online = true;
	a->backoff_ms = 0;
	json_error_t jerr;
	json_t *j = NULL;
	const char *path = a->head->path;
	bool not_modified = false;
	struct cached *kept = status == 304 ? cache_find(a, path) : NULL;
	if (kept) {
		/* Unchanged: the answer kept for this path, as a 200. */
		a->n304++;
		not_modified = true;
		status = 200;
		j = json_loadb(kept->body, kept->len, 0, &jerr);
	} else if (a->resp.len) {
		j = json_loadb(a->resp.data, a->resp.len, 0, &jerr);
		if (status == 200 && a->etag[0] && !a->head->key[0] && j)
			cache_put(a, path, a->etag, a->resp.data, a->resp.len);
	}
	struct api_response resp = {.outcome = API_HTTP, .status = status, .json = j,
				    .err_code = "", .err_message = "",
				    .replayed = a->replayed, .not_modified = not_modified};
	json_t *e = json_object_get(j, "error");
	if (json_is_object(e)) {
		const char *c = json_string_value(json_object_get(e, "code"));
		const char *m = json_string_value(json_object_get(e, "message"));
		resp.err_code = c ? c : "";
		resp.err_message = m ? m : "";
	} else if (status >= 400) {
		resp.err_message = "the server answered with an error";
	}
	complete(a, &resp);
	json_decref(j);
}

/* The client's requests are small, so once one is sent its answer should
 * start within stall_timeout: a link silent that long is shown as
 * probably down (api_silent), and given up after GIVE_UP times as long (a
 * busy server may think that long; libcurl's low-speed check alone would
 * take 5 s more, as it averages over the upload too). */
static int64_t silent_deadline(const struct api *a)
{
	return a->rx_ms + (int64_t)a->stall_timeout * 1000 * GIVE_UP;
}

int api_silent(const struct api *a)
{
	if (!a->running)
		return 0;
	int64_t quiet = mono_ms() - a->rx_ms;
	return quiet >= (int64_t)a->stall_timeout * 1000 ? (int)(quiet / 1000) : 0;
}

bool api_wait(struct api *a, int fd, int fd2, int timeout_ms)
{
	struct curl_waitfd w[2];
	unsigned n = 0;
	if (fd >= 0)
		w[n++] = (struct curl_waitfd){.fd = fd, .events = CURL_WAIT_POLLIN};
	if (fd2 >= 0)
		w[n++] = (struct curl_waitfd){.fd = fd2, .events = CURL_WAIT_POLLIN};
	if (a->retry_at) {
		int64_t left = a->retry_at - mono_ms();
		if (left < 0)
			left = 0;
		if (left < timeout_ms)
			timeout_ms = (int)left;
	}
	if (primed_head(a))
		timeout_ms = 0;
	if (a->running) {
		/* wake at the give-up time, and each second while silent (the
		 * title counts) */
		int64_t left = silent_deadline(a) - mono_ms();
		if (left > 1000)
			left = 1000;
		if (left < timeout_ms)
			timeout_ms = left < 0 ? 0 : (int)left;
		long t = -1;
		curl_multi_timeout(a->multi, &t);
		if (t >= 0 && t < timeout_ms)
			timeout_ms = (int)t;
	}
	int numfds = 0;
	curl_multi_poll(a->multi, w, n, timeout_ms, &numfds);
	bool ready = false;
	for (unsigned i = 0; i < n; i++)
		ready |= (w[i].revents & CURL_WAIT_POLLIN) != 0;
	return ready;
}

void api_run(struct api *a)
{
	answer_primed(a);
	kick(a);
	if (a->running && mono_ms() >= silent_deadline(a)) {
		snprintf(a->errbuf, sizeof a->errbuf, "no answer for %ld s",
			 a->stall_timeout * GIVE_UP);
		finish(a, CURLE_OPERATION_TIMEDOUT);
		kick(a);
		return;
	}
	if (a->running) {
		int still = 0;
		curl_multi_perform(a->multi, &still);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(a->multi, &left))) {
			if (m->msg == CURLMSG_DONE && m->easy_handle == a->easy) {
				finish(a, m->data.result);
				break;
			}
		}
	}
	kick(a);
}

bool api_busy(const struct api *a)
{
	return a->head != NULL;
}

int64_t api_busy_ms(const struct api *a)
{
	return a->running ? mono_ms() - a->started_ms : 0;
}

bool api_online(const struct api *a)
{
	return a->online;
}

int api_retry_in(const struct api *a)
{
	if (!a->retry_at)
		return 0;
	int64_t left = a->retry_at - mono_ms();
	return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

unsigned api_not_modified(const struct api *a)
{
	return a->n304;
}

bool api_retry_now(struct api *a)
{
	if (!a->head || (a->online && !api_silent(a)))
		return false;
	/* offline: a try still waiting on the dead link is dropped too (a
	 * write keeps its key, so sending it again cannot store it twice) */
	detach(a);
	a->retry_at = 0;
	a->backoff_ms = 0;
	kick(a);
	return true;
}

bool api_write_unanswered(const struct api *a)
{
	return a->head && a->head->key[0] && (!a->online || api_silent(a));
}

void api_counters(const struct api *a, uint64_t *in, uint64_t *out, unsigned *requests)
{
	*in = a->bytes_in;
	*out = a->bytes_out;
	*requests = a->nrequests;
}
