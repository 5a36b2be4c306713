/* h_me.c: GET /health, GET /me ("My Account") and GET /tasks. */
#include "config.h"

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"

void h_health(struct req *r)
{
	reply_json(r, 200, json_pack("{s:s, s:s, s:i}", "status", "ok", "version", PACKAGE_VERSION,
				     "schema", store_schema_version(r->db)));
}

json_t *me_json(struct db *db, int64_t uid)
{
	json_t *me = store_me_json(db, uid);
	if (!me)
		return NULL;
	char today[11], fy[8];
	store_business_date(db, today);
	json_object_set_new(me, "business_date", json_string(today));
	if (date_financial_year(today, fy))
		json_object_set_new(me, "financial_year", json_string(fy));
	return me;
}

void h_me(struct req *r)
{
	json_t *me = me_json(r->db, r->auth->uid);
	if (!me) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, me);
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
