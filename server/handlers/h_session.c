/* h_session.c: signing in (POST /session) and out (DELETE /session). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/http/auth.h"
#include "server/http/idem.h"
#include "server/handlers/handlers.h"
#include "jsonx.h"
#include "validate.h"

enum outcome { SIGNED_IN, BAD_CREDENTIALS, WAIT, DISABLED, EXPIRED };

struct signin {
	const char *user_id;
	const char *password;
	const char *addr;
	struct user_rec user;
	bool password_ok;
	enum outcome outcome;
	int64_t now_ms;
	int64_t wait_until_ms;
	char token[65];
	int64_t expires_at;
	char expired_on[11];
	struct server_config cfg;
};

static int64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long attempts wait after the n-th failure in a row: nothing before
 * max_failures, then 2, 4, 8 ... seconds, at most cfg.lockout_seconds. */
static int64_t wait_ms(const struct server_config *cfg, int n)
{
	int64_t cap = cfg->lockout_seconds > 0 ? cfg->lockout_seconds : 1;
	if (n < cfg->max_failures)
		return 0;
	int shift = n - cfg->max_failures + 1;
	int64_t s = shift >= 30 ? cap : (int64_t)1 << shift;
	return (s < cap ? s : cap) * 1000;
}

/* An audit row about a sign-in attempt (the user, when known, is the
 * entity; nobody is "by"). */
static enum st audit_signin(struct db *db, struct signin *s, const char *action, const char *why)
{
	json_t *d = json_pack("{s:s}", "detail", why);
	enum st st = store_audit_from(db, 0, s->addr, action, "user", s->user.id, NULL, d);
	json_decref(d);
	return st;
}

bool password_expired(const struct server_config *cfg, int64_t set_at, char on[11])
{
	if (cfg->password_max_age <= 0 || set_at <= 0)
		return false;
	int64_t at = set_at + (int64_t)cfg->password_max_age * 86400;
	time_t t = (time_t)at;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(on, 11, "%Y-%m-%d", &tm);
	return at <= wall_s();
}

/* Runs inside a write transaction so that the failure count is updated
 * atomically with the check. Failures are counted per user ID as typed
 * and client address, for unknown user IDs too: the answers never tell a
 * real account from an unknown one, and a stranger elsewhere cannot make
 * anyone wait. */
static enum st signin_tx(struct db *db, void *arg)
{
	struct signin *s = arg;
	struct signin_failures f;
	enum st st = store_signin_failures(db, s->user_id, s->addr, &f);
	if (st != ST_OK)
		return st;
	if (f.wait_until_ms > s->now_ms) {
		s->outcome = WAIT;
		s->wait_until_ms = f.wait_until_ms;
		return ST_OK;
	}
	st = store_user_by_login(db, s->user_id, &s->user);
	if (st != ST_OK && st != ST_NOTFOUND)
		return st;
	bool known = st == ST_OK;
	if (known && s->password_ok) {
		if (s->user.disabled) {
			s->outcome = DISABLED;
			return audit_signin(db, s, "signin.failed", "refused: the account is disabled");
		}
		if (password_expired(&s->cfg, s->user.password_set_at, s->expired_on)) {
			s->outcome = EXPIRED;
			return audit_signin(db, s, "signin.failed", "refused: the password has expired");
		}
		st = store_signin_ok(db, s->user_id, s->addr);
		if (st != ST_OK)
			return st;
		unsigned char hash[32];
		auth_new_token(s->token, hash);
		int64_t now = s->now_ms / 1000;
		s->expires_at = now + s->cfg.token_lifetime;
		s->outcome = SIGNED_IN;
		st = store_session_create(db, s->user.id, hash, now, s->expires_at);
		if (st == ST_OK)
			st = store_user_signed_in(db, s->user.id, wall_s());
		if (st == ST_OK)
			st = store_audit_from(db, s->user.id, s->addr, "signin", "user", s->user.id,
					      NULL, NULL);
		return st;
	}
	f.failures++;
	int64_t wait = wait_ms(&s->cfg, f.failures);
	f.wait_until_ms = wait ? s->now_ms + wait : 0;
	s->outcome = wait ? WAIT : BAD_CREDENTIALS;
	s->wait_until_ms = f.wait_until_ms;
	if (!known)
		memset(&s->user, 0, sizeof s->user);
	char why[160];
	if (known)
		snprintf(why, sizeof why, "wrong password (failure %d in a row)", f.failures);
	else
		snprintf(why, sizeof why, "unknown user ID \"%.64s\" (failure %d in a row)",
			 s->user_id, f.failures);
	st = audit_signin(db, s, "signin.failed", why);
	if (st == ST_OK && wait) {
		snprintf(why, sizeof why, "sign-ins wait %lld s from this address",
			 (long long)(wait / 1000));
		st = audit_signin(db, s, "signin.wait", why);
	}
	if (st != ST_OK)
		return st;
	return store_signin_failed(db, s->user_id, s->addr, s->now_ms, &f);
}

static void reply_wait(struct req *r, int64_t wait_until_ms, int64_t now_ms)
{
	int64_t secs = (wait_until_ms - now_ms + 999) / 1000;
	if (secs < 1)
		secs = 1;
	r->retry_after = secs;
	reply_error(r, 429, "too_many_attempts", NULL,
		    "too many failed sign-ins with this user ID from your address: "
		    "try again in %lld second%s", (long long)secs, secs == 1 ? "" : "s");
}

bool signin_waits(struct req *r, const char *login)
{
	int64_t now = wall_ms();
	struct signin_failures f;
	enum st st = store_signin_failures(r->db, login, r->addr, &f);
	if (st != ST_OK) {
		reply_store_error(r, st);
		return true;
	}
	if (f.wait_until_ms > now) {
		reply_wait(r, f.wait_until_ms, now);
		return true;
	}
	return false;
}

enum st signin_failure_add(struct db *db, struct req *r, const char *login)
{
	int64_t now = wall_ms();
	struct signin_failures f;
	enum st st = store_signin_failures(db, login, r->addr, &f);
	if (st != ST_OK)
		return st;
	f.failures++;
	int64_t wait = wait_ms(&r->srv->cfg, f.failures);
	f.wait_until_ms = wait ? now + wait : 0;
	return store_signin_failed(db, login, r->addr, now, &f);
}

/* "home": true (issue 13, one round trip from sign-in to Home): the
 * answer also holds what GET /me gives ("me") and the Message Centre's
 * GET /tasks answer with its ETag ("home": {path, etag, answer}). */
static void add_home(struct db *db, const struct server_config *cfg, int64_t uid, json_t *j)
{
	json_t *me = me_json(db, cfg, uid);
	json_t *tasks = store_tasks_json(db, uid);
	char *text = tasks ? json_dumps(tasks, JSON_COMPACT) : NULL;
	if (me)
		json_object_set_new(j, "me", me);
	if (text) {
		char etag[IDEM_ETAG_SIZE];
		idem_etag(text, strlen(text), etag);
		json_object_set_new(j, "home", json_pack("{s:s, s:s, s:O}", "path", "/tasks",
							 "etag", etag, "answer", tasks));
	}
	free(text);
	json_decref(tasks);
}

void h_session_create(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct signin s;
	int home = 0;
	memset(&s, 0, sizeof s);
	s.cfg = r->srv->cfg;
	s.addr = r->addr;
	struct jx_field spec[] = {
		{"user_id", JX_STRING, true, &s.user_id, 64, false},
		{"password", JX_STRING, true, &s.password, 128, false},
		{"home", JX_BOOL, false, &home, 0, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!*s.user_id || !*s.password) {
		reply_error(r, 400, "bad_field", *s.user_id ? "password" : "user_id",
			    "enter your user ID and password");
		goto out;
	}
	/* While attempts from here wait, no password is tried at all (known
	 * user ID or not). */
	s.now_ms = wall_ms();
	struct signin_failures f;
	enum st st = store_signin_failures(r->db, s.user_id, s.addr, &f);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	if (f.wait_until_ms > s.now_ms) {
		reply_wait(r, f.wait_until_ms, s.now_ms);
		goto out;
	}
	/* Verify the password outside the transaction (argon2id is slow on
	 * purpose); the transaction re-reads the account state. */
	struct user_rec pre;
	if (store_user_by_login(r->db, s.user_id, &pre) == ST_OK)
		s.password_ok = auth_verify_password(pre.password_hash, s.password);
	else
		auth_dummy_verify(s.password); /* same time for unknown users */
	s.now_ms = wall_ms();
	st = store_tx(r->db, true, signin_tx, &s);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	switch (s.outcome) {
	case SIGNED_IN: {
		json_t *j = json_pack("{s:s, s:I, s:I, s:s}", "token", s.token,
				      "expires_at", (json_int_t)s.expires_at,
				      "idle_timeout", (json_int_t)r->srv->cfg.token_idle,
				      "user_id", s.user.user_id);
		if (home)
			add_home(r->db, &r->srv->cfg, s.user.id, j);
		reply_json(r, 201, j);
		break;
	}
	case WAIT:
		reply_wait(r, s.wait_until_ms, s.now_ms);
		break;
	case EXPIRED:
		reply_error(r, 403, "password_expired", NULL,
			    "your password expired on %s; use Forgotten password to set a new one",
			    s.expired_on);
		break;
	case DISABLED:
		reply_error(r, 403, "account_disabled", NULL,
			    "this account is disabled; ask your user administrator");
		break;
	case BAD_CREDENTIALS:
		reply_error(r, 401, "bad_credentials", NULL, "the user ID or password is wrong");
		break;
	}
out:
	json_decref(body);
}

void h_session_delete(struct req *r)
{
	enum st st = store_session_revoke(r->db, r->auth->session_id, wall_s());
	if (st != ST_OK) {
		reply_store_error(r, st);
		return;
	}
	reply_empty(r, 204);
}
