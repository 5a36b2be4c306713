/* h_me.c: GET /health, GET /me ("My Account") and GET /tasks. */
#include "config.h"

#include "auth.h"
#include "handlers.h"

void h_health(struct req *r)
{
	reply_json(r, 200, json_pack("{s:s, s:s, s:i}", "status", "ok", "version", PACKAGE_VERSION,
				     "schema", store_schema_version(r->db)));
}

void h_me(struct req *r)
{
	json_t *me = store_me_json(r->db, r->auth->uid);
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
