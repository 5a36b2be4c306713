/* h_orgs.c: organisations: scoped search, one organisation, and the
 * services offered to one. Out-of-scope organisations answer 404. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"

static bool int_query(struct req *r, const char *name, int min, int max, int def, int *out)
{
	const char *s = req_query(r, name);
	*out = def;
	if (!s)
		return true;
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max) {
		reply_error(r, 400, "bad_query", name, "%s must be a whole number from %d to %d",
			    name, min, max);
		return false;
	}
	*out = (int)v;
	return true;
}

void h_orgs_search(struct req *r)
{
	const char *q = req_query(r, "q");
	const char *kind = req_query(r, "kind");
	int limit, offset;
	if (!int_query(r, "limit", 1, 500, 50, &limit) ||
	    !int_query(r, "offset", 0, 10000000, 0, &offset))
		return;
	if (kind && strcmp(kind, "NHSE") && strcmp(kind, "ICB") && strcmp(kind, "PCN") &&
	    strcmp(kind, "PRACTICE")) {
		reply_error(r, 400, "bad_query", "kind", "kind must be NHSE, ICB, PCN or PRACTICE");
		return;
	}
	if (q && strlen(q) > 100) {
		reply_error(r, 400, "bad_query", "q", "the search text is too long");
		return;
	}
	json_t *j = store_org_search_json(r->db, r->auth->uid, q, kind, limit, offset);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

void h_org_get(struct req *r)
{
	struct org_rec org;
	if (!scoped_org(r, r->params[0], NULL, &org))
		return;
	json_t *j = store_org_json(r->db, org.id);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

void h_org_services(struct req *r)
{
	struct org_rec org;
	const char *year;
	if (!query_year(r, &year) || !scoped_org(r, r->params[0], NULL, &org))
		return;
	json_t *j = store_org_services_json(r->db, org.id, year);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}
