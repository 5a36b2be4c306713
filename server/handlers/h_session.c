/* h_session.c: signing in (POST /session) and out (DELETE /session). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/http/auth.h"
#include "server/handlers/handlers.h"
#include "jsonx.h"
#include "validate.h"

struct signin {
	const char *user_id;
	const char *password;
	struct user_rec user;
	bool password_ok;
	int outcome; /* 0 ok, 1 bad credentials, 2 locked, 3 disabled */
	char token[65];
	int64_t expires_at;
	struct server_config cfg;
};

/* Runs inside a write transaction so that the failure counter and the
 * lock are updated atomically with the check. */
static enum st signin_tx(struct db *db, void *arg)
{
	struct signin *s = arg;
	int64_t now = wall_s();
	enum st st = store_user_by_login(db, s->user_id, &s->user);
	if (st == ST_NOTFOUND) {
		s->outcome = 1;
		return ST_OK;
	}
	if (st != ST_OK)
		return st;
	if (s->user.locked_until > now) {
		s->outcome = 2;
		return ST_OK;
	}
	if (s->user.disabled) {
		s->outcome = 3;
		return ST_OK;
	}
	if (!s->password_ok) {
		/* A lock that has run out starts a fresh count. */
		if (s->user.locked_until && s->user.locked_until <= now) {
			st = store_user_login_ok(db, s->user.id);
			if (st != ST_OK)
				return st;
		}
		st = store_user_login_failed(db, &s->user, s->cfg.max_failures,
					     now + s->cfg.lockout_seconds);
		s->outcome = s->user.locked_until > now ? 2 : 1;
		return st;
	}
	st = store_user_login_ok(db, s->user.id);
	if (st != ST_OK)
		return st;
	unsigned char hash[32];
	auth_new_token(s->token, hash);
	s->expires_at = now + s->cfg.token_lifetime;
	s->outcome = 0;
	return store_session_create(db, s->user.id, hash, now, s->expires_at);
}

void h_session_create(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct signin s;
	memset(&s, 0, sizeof s);
	s.cfg = r->srv->cfg;
	struct jx_field spec[] = {
		{"user_id", JX_STRING, true, &s.user_id, 64, false},
		{"password", JX_STRING, true, &s.password, 128, false},
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
	/* Verify the password outside the transaction (argon2id is slow on
	 * purpose); the transaction re-reads the account state. */
	struct user_rec pre;
	if (store_user_by_login(r->db, s.user_id, &pre) == ST_OK)
		s.password_ok = auth_verify_password(pre.password_hash, s.password);
	else
		auth_dummy_verify(s.password); /* same time for unknown users */
	enum st st = store_tx(r->db, true, signin_tx, &s);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	switch (s.outcome) {
	case 0:
		reply_json(r, 201, json_pack("{s:s, s:I, s:I, s:s}", "token", s.token,
					     "expires_at", (json_int_t)s.expires_at,
					     "idle_timeout", (json_int_t)r->srv->cfg.token_idle,
					     "user_id", s.user.user_id));
		break;
	case 2: {
		char when[32];
		time_t t = (time_t)s.user.locked_until;
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%H:%M:%S UTC", &tm);
		reply_error(r, 429, "account_locked", NULL,
			    "too many failed sign-ins: the account is locked until %s", when);
		break;
	}
	case 3:
		reply_error(r, 403, "account_disabled", NULL,
			    "this account is disabled; ask your user administrator");
		break;
	default:
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
