/* h_me.c: GET /health, GET /me ("My Account") and GET /tasks. */
#include "config.h"

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "password.h"

void h_health(struct req *r)
{
	reply_json(r, 200, json_pack("{s:s, s:s, s:i}", "status", "ok", "version", PACKAGE_VERSION,
				     "schema", store_schema_version(r->db)));
}

/* The account (store_me_text, an object) with the business date, its
 * financial year, the year with work and the password expiry added,
 * which the calendar moves without any change in the database, so they
 * are never cached; appended to b. */
static enum st me_text(struct db *db, const struct server_config *cfg, int64_t uid,
		       struct buf *b)
{
	enum st st = store_me_text(db, uid, b);
	if (st != ST_OK)
		return st;
	if (b->len < 2 || b->data[b->len - 1] != '}')
		return ST_ERROR;
	char today[11], fy[8];
	store_business_date(db, today);
	b->len--; /* reopen the object */
	buf_printf(b, ",\"business_date\":\"%s\"", today);
	if (date_financial_year(today, fy))
		buf_printf(b, ",\"financial_year\":\"%s\"", fy);
	if (date_work_year(today, fy))
		buf_printf(b, ",\"work_year\":\"%s\"", fy);
	/* Password expiry (cqrsd --password-max-age): the date, and the Home
	 * warning from PASSWORD_WARN_DAYS before it. */
	struct user_rec u;
	char on[11];
	bool expiry = cfg->password_max_age > 0 && store_user_by_id(db, uid, &u) == ST_OK &&
		      (password_expired(cfg, u.password_set_at, on), u.password_set_at > 0);
	bool warn = expiry && u.password_set_at + (int64_t)cfg->password_max_age * 86400 -
				      (int64_t)PASSWORD_WARN_DAYS * 86400 <= wall_s();
	if (expiry)
		buf_printf(b, ",\"password_expires\":\"%s\"", on);
	else
		buf_printf(b, ",\"password_expires\":null");
	buf_printf(b, ",\"password_warning\":%s", warn ? "true" : "false");
	buf_putc(b, '}');
	return ST_OK;
}

json_t *me_json(struct db *db, const struct server_config *cfg, int64_t uid)
{
	struct buf b;
	buf_init(&b);
	json_t *me = me_text(db, cfg, uid, &b) == ST_OK ? json_loadb(b.data, b.len, 0, NULL)
							 : NULL;
	buf_free(&b);
	return me;
}

void h_me(struct req *r)
{
	struct buf b;
	buf_init(&b);
	enum st st = me_text(r->db, &r->srv->cfg, r->auth->uid, &b);
	if (st != ST_OK) {
		buf_free(&b);
		reply_store_error(r, st);
		return;
	}
	reply_raw(r, 200, b.data, b.len);
	buf_free(&b);
}

void h_tasks(struct req *r)
{
	json_t *j = store_tasks_json(r->db, r->auth->uid);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

void h_prefs_get(struct req *r)
{
	reply_json(r, 200, store_notification_prefs_json(r->db, r->auth->uid));
}

struct prefs {
	int64_t uid;
	json_t *body;
};

static enum st prefs_tx(struct db *db, void *arg)
{
	struct prefs *p = arg;
	const char *kind;
	json_t *v;
	json_object_foreach(p->body, kind, v) {
		enum st st = store_notification_pref_set(db, p->uid, kind, json_is_true(v));
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

void h_prefs_set(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *kind;
	json_t *v;
	json_object_foreach(body, kind, v) {
		if (!store_notification_kind_valid(kind)) {
			reply_error(r, 400, "unknown_field", kind, "unknown kind of notification \"%s\"",
				    kind);
			goto out;
		}
		if (!json_is_boolean(v)) {
			reply_error(r, 400, "bad_field", kind, "\"%s\" must be true or false", kind);
			goto out;
		}
	}
	struct prefs p = {r->auth->uid, body};
	enum st st = store_tx(r->db, true, prefs_tx, &p);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	reply_json(r, 200, store_notification_prefs_json(r->db, r->auth->uid));
out:
	json_decref(body);
}
