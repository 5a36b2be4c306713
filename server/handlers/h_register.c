/* h_register.c: registration with an e-mailed code, forgotten-password
 * reset, changing one's own password and the password policy (issue 11).
 * The policy itself is lib/password.c; here it is applied to a
 * user's history and clock, and every password set is audited with the
 * client's address. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/http/auth.h"
#include "server/handlers/handlers.h"
#include "password.h"
#include "jsonx.h"

void h_password_policy(struct req *r)
{
	json_t *rules = json_array();
	for (enum pw_rule k = PW_LENGTH; k < PW_NRULES; k++)
		json_array_append_new(rules, json_pack("{s:s, s:s}", "key", password_rule_key(k),
						       "text", password_rule_text(k)));
	reply_json(r, 200, json_pack("{s:o}", "rules", rules));
}

static void reply_rule(struct req *r, enum pw_rule rule, const char *field, int64_t next)
{
	char msg[300];
	if (rule == PW_FREQUENCY) {
		time_t t = (time_t)next;
		struct tm tm;
		char when[32];
		gmtime_r(&t, &tm);
		strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", &tm);
		snprintf(msg, sizeof msg, "the password was changed less than 72 hours ago; "
			 "you can change it again from %s", when);
	} else {
		snprintf(msg, sizeof msg, "the password does not meet the policy: %s",
			 password_rule_text(rule));
	}
	reply_json(r, 400, json_pack("{s:{s:s, s:s, s:s, s:s}}", "error", "code", "password_policy",
				     "rule", password_rule_key(rule), "message", msg, "field", field));
}

/* Applies the whole policy to password for user u; replies 400 naming the
 * rule and returns false when one is broken. */
static bool policy_ok(struct req *r, const struct user_rec *u, const char *password,
		      bool frequency)
{
	char (*hist)[160] = xcalloc(PASSWORD_PREVIOUS + 1, sizeof *hist);
	size_t n = 0;
	if (*u->password_hash &&
	    store_password_history(r->db, u->id, hist, PASSWORD_PREVIOUS + 1, &n) != ST_OK) {
		free(hist);
		reply_store_error(r, ST_ERROR);
		return false;
	}
	struct pw_context c = {.user_id = u->user_id, .verify = auth_verify_password,
			       .history = (const char (*)[160])hist, .nhistory = n,
			       .set_at = u->password_set_at, .now = wall_s(),
			       .frequency = frequency};
	int64_t next = 0;
	enum pw_rule rule = password_check(&c, password, &next);
	free(hist);
	if (rule != PW_OK) {
		reply_rule(r, rule, "password", next);
		return false;
	}
	return true;
}

/* ---- POST /registration ---------------------------------------------------------------- */

struct reg {
	struct req *r;
	struct user_rec u;
	struct code_rec code;
	char hash[160];
	bool wrong;   /* count a failure (after the transaction) */
	int status;
	const char *err;
	char msg[200];
};

static enum st reg_tx(struct db *db, void *arg)
{
	struct reg *g = arg;
	enum st st = store_code_use(db, g->code.id, wall_s());
	if (st == ST_CONFLICT) {
		g->status = 409;
		g->err = "code_used";
		snprintf(g->msg, sizeof g->msg, "this code has been used");
		return ST_CONFLICT;
	}
	bool reset = !strcmp(g->code.kind, "RESET");
	if (st == ST_OK)
		st = store_user_set_password(db, g->u.id, g->hash, wall_s());
	if (st == ST_OK)
		st = store_signin_unlock(db, g->u.user_id);
	if (st == ST_OK) {
		json_t *d = json_pack("{s:s}", "detail", reset ? "a new password was set with a reset code"
						 : "registered: the first password was set with the code");
		st = store_audit_from(db, g->u.id, g->r->addr, reset ? "password.reset" : "registration",
				      "user", g->u.id, NULL, d);
		json_decref(d);
	}
	return st;
}

static enum st wrong_code_tx(struct db *db, void *arg)
{
	struct reg *g = arg;
	json_t *d = json_pack("{s:s}", "detail", "a wrong registration or reset code was typed");
	enum st st = g->u.id ? store_audit_from(db, 0, g->r->addr, "registration.failed", "user",
						g->u.id, NULL, d)
			     : ST_OK;
	json_decref(d);
	if (st == ST_OK)
		st = signin_failure_add(db, g->r, g->u.user_id);
	return st;
}

void h_registration(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct reg g;
	memset(&g, 0, sizeof g);
	g.r = r;
	const char *user_id = NULL, *code = NULL, *pw = NULL, *confirm = NULL;
	struct jx_field spec[] = {
		{"user_id", JX_STRING, true, &user_id, 64, false},
		{"code", JX_STRING, true, &code, 40, false},
		{"password", JX_STRING, true, &pw, 128, false},
		{"password_confirm", JX_STRING, true, &confirm, 128, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!*user_id || signin_waits(r, user_id))
		goto out;
	char hash[65];
	enum st st = store_user_by_login(r->db, user_id, &g.u);
	if (st == ST_OK && !g.u.disabled && !g.u.system_account && auth_code_hash(code, hash))
		st = store_code_find(r->db, g.u.id, hash, wall_s(), &g.code);
	else if (st == ST_OK)
		st = ST_NOTFOUND;
	if (st != ST_OK || g.code.revoked) {
		if (st != ST_OK && st != ST_NOTFOUND) {
			reply_store_error(r, st);
			goto out;
		}
		strlcpy_s(g.u.user_id, user_id, sizeof g.u.user_id);
		if (store_tx(r->db, true, wrong_code_tx, &g) != ST_OK)
			fprintf(stderr, "cqrsd: registration: cannot record a wrong code\n");
		reply_error(r, 400, "bad_code", "code", "the user ID or code is wrong");
		goto out;
	}
	bool reset = !strcmp(g.code.kind, "RESET");
	if (g.code.used) {
		reply_error(r, 409, "code_used", "code", "this code has been used");
		goto out;
	}
	if (g.code.expired) {
		reply_error(r, 409, "code_expired", "code", reset
			    ? "this code has expired; ask for a new one with Forgotten password"
			    : "this code has expired; ask your user administrator to resend it");
		goto out;
	}
	if (strcmp(pw, confirm) != 0) {
		reply_error(r, 400, "bad_field", "password_confirm", "the passwords do not match");
		goto out;
	}
	if (!policy_ok(r, &g.u, pw, false))
		goto out;
	if (!auth_hash_password(pw, g.hash, sizeof g.hash)) {
		reply_store_error(r, ST_ERROR);
		goto out;
	}
	st = store_tx(r->db, true, reg_tx, &g);
	if (st != ST_OK && g.status)
		reply_error(r, g.status, g.err, "code", "%s", g.msg);
	else if (st != ST_OK)
		reply_store_error(r, st);
	else
		reply_json(r, 200, json_pack("{s:s}", "user_id", g.u.user_id));
out:
	json_decref(body);
}

/* ---- POST /password-reset ----------------------------------------------------------------- */

struct reset {
	struct req *r;
	struct user_rec u;
};

static enum st reset_tx(struct db *db, void *arg)
{
	struct reset *x = arg;
	enum st st = admin_send_code(db, x->u.id, x->u.user_id, x->u.name, x->u.email, true, wall_s());
	if (st == ST_OK) {
		json_t *d = json_pack("{s:s}", "detail", "a password reset code was e-mailed");
		st = store_audit_from(db, 0, x->r->addr, "password.reset.request", "user", x->u.id,
				      NULL, d);
		json_decref(d);
	}
	return st;
}

void h_password_reset(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *user_id = NULL, *email = NULL;
	struct jx_field spec[] = {
		{"user_id", JX_STRING, false, &user_id, 64, false},
		{"email", JX_STRING, false, &email, 120, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if ((!user_id || !*user_id) == (!email || !*email)) {
		reply_error(r, 400, "bad_field", "user_id", "give your user ID or your e-mail address");
		goto out;
	}
	struct reset x = {.r = r};
	enum st st = user_id ? store_user_by_login(r->db, user_id, &x.u)
			     : store_user_by_email(r->db, email, &x.u);
	if (st == ST_OK && !x.u.disabled && !x.u.system_account && *x.u.password_hash &&
	    *x.u.email) {
		st = store_tx(r->db, true, reset_tx, &x);
		if (st != ST_OK) {
			reply_store_error(r, st);
			goto out;
		}
	}
	reply_json(r, 202, json_pack("{s:s}", "message",
		"if the account exists and is active, a reset code has been e-mailed"));
out:
	json_decref(body);
}

/* ---- PUT /me/password ------------------------------------------------------------------------ */

struct change {
	struct req *r;
	int64_t uid;
	char hash[160];
};

static enum st change_tx(struct db *db, void *arg)
{
	struct change *c = arg;
	enum st st = store_user_set_password(db, c->uid, c->hash, wall_s());
	if (st == ST_OK) {
		json_t *d = json_pack("{s:s}", "detail", "changed own password");
		st = store_audit_from(db, c->uid, c->r->addr, "password.change", "user", c->uid, NULL, d);
		json_decref(d);
	}
	return st;
}

void h_me_password(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *cur = NULL, *pw = NULL, *confirm = NULL;
	struct jx_field spec[] = {
		{"current", JX_STRING, true, &cur, 128, false},
		{"password", JX_STRING, true, &pw, 128, false},
		{"password_confirm", JX_STRING, true, &confirm, 128, false},
	};
	struct jx_error err;
	struct user_rec u;
	struct change c = {.r = r, .uid = r->auth->uid};
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (store_user_by_id(r->db, r->auth->uid, &u) != ST_OK) {
		reply_store_error(r, ST_ERROR);
		goto out;
	}
	if (!auth_verify_password(u.password_hash, cur)) {
		reply_error(r, 403, "forbidden", "current", "the current password is wrong");
		goto out;
	}
	if (strcmp(pw, confirm) != 0) {
		reply_error(r, 400, "bad_field", "password_confirm", "the passwords do not match");
		goto out;
	}
	if (!policy_ok(r, &u, pw, true))
		goto out;
	if (!auth_hash_password(pw, c.hash, sizeof c.hash)) {
		reply_store_error(r, ST_ERROR);
		goto out;
	}
	enum st st = store_tx(r->db, true, change_tx, &c);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	char on[11];
	bool has = r->srv->cfg.password_max_age > 0;
	if (has)
		password_expired(&r->srv->cfg, wall_s(), on);
	reply_json(r, 200, json_pack("{s:o}", "password_expires", has ? json_string(on) : json_null()));
out:
	json_decref(body);
}
