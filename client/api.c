/* api.c: the cqrsd HTTP/JSON client on libcurl multi (see api.h). */
#include "config.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/api.h"
#include "util.h"

#define BACKOFF_FIRST_MS 1000
#define BACKOFF_MAX_MS 16000

struct req {
	struct req *next;
	unsigned id;
	char *method, *path;
	char *body;     /* serialised JSON or NULL; owned */
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
	unsigned nrequests;
	bool sink_failed;     /* writing the head download's file failed */
	uint64_t sunk;        /* bytes written to it */
};

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
	a->headers = curl_slist_append(NULL, "Accept: application/json");
	if (a->token) {
		char *h = xasprintf("Authorization: Bearer %s", a->token);
		a->headers = curl_slist_append(a->headers, h);
		memset(h, 0, strlen(h));
		free(h);
	}
	if (r->body)
		a->headers = curl_slist_append(a->headers,
					       "Content-Type: application/json; charset=utf-8");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, a->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "cqrs/" PACKAGE_VERSION);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, a->connect_timeout);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, a->stall_timeout);
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
	buf_reset(&a->resp);
	a->sink_failed = false;
	a->sunk = 0;
	curl_multi_add_handle(a->multi, e);
	a->running = true;
	a->started_ms = mono_ms();
	a->nrequests++;
	free(url);
}

/* Starts the head request if nothing runs and no retry is pending. */
static void kick(struct api *a)
{
	if (a->running || !a->head)
		return;
	if (a->retry_at && mono_ms() < a->retry_at)
		return;
	a->retry_at = 0;
	start_head(a);
}

unsigned api_request(struct api *a, const char *method, const char *path, json_t *body,
		     bool retry, api_done_fn cb, void *ud, const void *owner)
{
	struct req *r = xcalloc(1, sizeof(*r));
	r->id = a->next_id++;
	r->method = xstrdup(method);
	r->path = xstrdup(path);
	if (body) {
		r->body = json_dumps(body, JSON_COMPACT);
		json_decref(body);
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
	if (a->resp.len)
		j = json_loadb(a->resp.data, a->resp.len, 0, &jerr);
	struct api_response resp = {.outcome = API_HTTP, .status = status, .json = j,
				    .err_code = "", .err_message = ""};
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
	if (a->running) {
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
	kick(a);
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

void api_counters(const struct api *a, uint64_t *in, uint64_t *out, unsigned *requests)
{
	*in = a->bytes_in;
	*out = a->bytes_out;
	*requests = a->nrequests;
}
