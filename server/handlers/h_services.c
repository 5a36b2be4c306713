/* h_services.c: the quality services catalogue and one service's
 * structure. Service structures are read-mostly and requested on every
 * entry screen, so their JSON is kept in the connection's read cache
 * (store_cache_text), one copy with pounds and one without, for as long
 * as the database is unchanged: a change by any process sharing it
 * (another cqrsd, an extract load) is never served stale. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "server/handlers/present.h"

void h_services_list(struct req *r)
{
	const char *year, *ptype = req_query(r, "payment_type");
	if (!query_year(r, &year))
		return;
	if (ptype && strcmp(ptype, "QOF") && strcmp(ptype, "DES") && strcmp(ptype, "ES") &&
	    strcmp(ptype, "VI") && strcmp(ptype, "PO")) {
		reply_error(r, 400, "bad_query", "payment_type",
			    "payment_type must be QOF, DES, ES, VI or PO");
		return;
	}
	json_t *j = store_services_json(r->db, year, ptype);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

void h_service_get(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	bool pounds = present_pounds(r, 0, id);
	int64_t key = id * 2 + pounds;
	size_t len = 0;
	const char *hit = store_cached_text(r->db, key, &len);
	if (hit) {
		reply_raw(r, 200, hit, len);
		return;
	}
	json_t *j = present_money(store_service_json(r->db, id), pounds);
	if (!j) {
		reply_error(r, 404, "not_found", NULL, "there is no quality service %lld", (long long)id);
		return;
	}
	char *text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	len = strlen(text);
	reply_raw(r, 200, text, len);
	store_cache_text(r->db, key, text, len);
}
