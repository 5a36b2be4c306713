/* h_services.c: the quality services catalogue and one service's
 * structure. Service structures are read-mostly and requested on every
 * entry screen, so their JSON is cached in memory, one copy with pounds
 * and one without. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "server/handlers/present.h"

struct cached {
	int64_t id;
	bool pounds;
	char *json;
	size_t len;
};
static struct cached cache[128];
static size_t cache_n;
static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;

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
	pthread_rwlock_rdlock(&cache_lock);
	for (size_t i = 0; i < cache_n; i++)
		if (cache[i].id == id && cache[i].pounds == pounds) {
			reply_raw(r, 200, cache[i].json, cache[i].len);
			pthread_rwlock_unlock(&cache_lock);
			return;
		}
	pthread_rwlock_unlock(&cache_lock);
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
	size_t len = strlen(text);
	reply_raw(r, 200, text, len);
	pthread_rwlock_wrlock(&cache_lock);
	bool present = false;
	for (size_t i = 0; i < cache_n; i++)
		if (cache[i].id == id && cache[i].pounds == pounds)
			present = true;
	if (!present && cache_n < ARRAY_SIZE(cache)) {
		cache[cache_n].id = id;
		cache[cache_n].pounds = pounds;
		cache[cache_n].json = text;
		cache[cache_n].len = len;
		cache_n++;
		text = NULL;
	}
	pthread_rwlock_unlock(&cache_lock);
	free(text);
}
