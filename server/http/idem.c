/* idem.c: idempotent writes and conditional reads (see idem.h). A write
 * with a key runs in one writing transaction with the look-up of its key
 * and the keeping of its answer (http.c, run_request): writers are one at
 * a time across every process sharing the database, so that cannot race
 * with another write, and the answer commits with the write. */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "server/http/auth.h"
#include "server/http/idem.h"
#include "server/log.h"
#include "server/store/store.h"
#include "util.h"

static bool key_ok(const char *k)
{
	size_t n = strlen(k);
	if (n == 0 || n > IDEM_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = k[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

static void body_hash(const struct req *r, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)(r->body.data ? r->body.data : ""),
			   r->body.len, NULL, 0);
}

/* A key's record, looked up or kept in its own transaction. */
struct idem_op {
	int64_t uid;
	const char *key;
	struct idem_rec rec;
};

static enum st get_tx(struct db *db, void *arg)
{
	struct idem_op *g = arg;
	return store_idem_get(db, g->uid, g->key, &g->rec);
}

static enum st put_tx(struct db *db, void *arg)
{
	struct idem_op *p = arg;
	return store_idem_put(db, p->uid, p->key, &p->rec, now_s() * 1000);
}

bool idem_applies(struct req *r)
{
	const char *key = req_header(r, "Idempotency-Key");
	return key && r->auth && key_ok(key);
}

bool idem_replay(struct req *r)
{
	const char *key = req_header(r, "Idempotency-Key");
	if (!key || !r->auth)
		return false;
	if (!key_ok(key)) {
		reply_error(r, 400, "bad_header", "Idempotency-Key",
			    "Idempotency-Key must be 1 to %d letters, digits, '-' or '_'",
			    IDEM_KEY_MAX);
		return true;
	}
	struct idem_op g = {.uid = r->auth->uid, .key = key};
	enum st st = store_tx(r->db, false, get_tx, &g);
	if (st == ST_NOTFOUND)
		return false;
	if (st != ST_OK) {
		reply_store_error(r, st);
		return true;
	}
	unsigned char h[32];
	body_hash(r, h);
	if (strcmp(g.rec.method, r->method) != 0 || strcmp(g.rec.path, r->path) != 0 ||
	    sodium_memcmp(h, g.rec.request_hash, sizeof h) != 0) {
		reply_error(r, 422, "idempotency_key_reused", "Idempotency-Key",
			    "this Idempotency-Key was used for a different request (%s %s); "
			    "nothing was changed", g.rec.method, g.rec.path);
	} else {
		if (g.rec.body)
			reply_raw(r, g.rec.status, g.rec.body, g.rec.body_len);
		else
			reply_empty(r, g.rec.status);
		r->replayed = true;
	}
	store_idem_free(&g.rec);
	return true;
}

void idem_record(struct req *r)
{
	const char *key = req_header(r, "Idempotency-Key");
	if (!key || !r->auth || !r->replied || r->replayed || !key_ok(key))
		return;
	if (r->status >= 500 || r->status == 429 || r->status == 401)
		return;
	struct idem_op p = {.uid = r->auth->uid, .key = key};
	strlcpy_s(p.rec.method, r->method, sizeof p.rec.method);
	p.rec.path = (char *)r->path;
	body_hash(r, p.rec.request_hash);
	p.rec.status = r->status;
	p.rec.body = r->reply;
	p.rec.body_len = r->reply_len;
	if (store_tx(r->db, true, put_tx, &p) != ST_OK)
		log_msg(LV_WARN, "could not keep the answer of %s %s under its Idempotency-Key",
			r->method, r->path);
}

void idem_etag(const char *body, size_t len, char out[IDEM_ETAG_SIZE])
{
	/* 64 bits of BLAKE2b: a stale answer needs a collision between two
	 * versions of one resource for one user (odds 2^-64); short, because
	 * it travels in every revalidation */
	unsigned char h[8];
	crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
	out[0] = '"';
	for (size_t i = 0; i < sizeof h; i++)
		snprintf(out + 1 + 2 * i, 3, "%02x", h[i]);
	out[17] = '"';
	out[18] = '\0';
}

bool idem_etag_matches(const char *inm, const char *etag)
{
	if (!inm)
		return false;
	size_t n = strlen(etag);
	const char *p = inm;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2; /* weak comparison, as If-None-Match asks */
		if (!strncmp(p, etag, n) && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return true;
		while (*p && *p != ',')
			p++;
	}
	return false;
}
