/* h_orgs.c: organisations: scoped search, one organisation, and the
 * services offered to one. Out-of-scope organisations answer 404. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"

void h_orgs_search(struct req *r)
{
	const char *q = req_query(r, "q");
	const char *kind = req_query(r, "kind");
	int limit, offset;
	if (!query_int(r, "limit", 50, 1, 500, &limit) ||
	    !query_int(r, "offset", 0, 0, 10000000, &offset))
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
	json_t *j = store_org_services_json(r->db, r->auth->uid, org.id, year);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}
