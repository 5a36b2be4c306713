/* h_extracts.c: POST /extracts: a system account loads a GPES-style
 * extract (the CSV text is the request body, up to 64 MiB). */
#include "config.h"

#include <string.h>

#include "server/http/auth.h"
#include "server/handlers/handlers.h"
#include "server/rules/load.h"

void h_extract_load(struct req *r)
{
	if (!auth_has_role_anywhere(r->auth, "EXTRACT_LOADER")) {
		reply_error(r, 403, "forbidden", NULL,
			    "loading extracts is for the extract system account (Extract loader role)");
		return;
	}
	const char *name = req_query(r, "name");
	if (!name || !*name || strlen(name) > 200)
		name = "uploaded extract";
	struct load_summary sum;
	json_t *errors = NULL, *refused = NULL;
	enum st st = load_extract(r->db, r->body.data ? r->body.data : "", r->body.len, NULL, name,
				  r->auth->uid, &sum, &errors, &refused, NULL, NULL);
	if (st == ST_INVALID) {
		json_t *first = json_array_get(errors, 0);
		json_t *e = json_pack("{s:{s:s, s:O}, s:o}", "error", "code", "bad_extract",
				      "message", first ? json_object_get(first, "message") :
				      json_string("the extract is not valid"), "errors", errors);
		reply_json(r, 400, e);
		return;
	}
	json_decref(errors);
	if (st != ST_OK) {
		reply_store_error(r, st);
		return;
	}
	/* the lines refused (a final figure), each with its reason */
	json_t *out = load_summary_json(&sum);
	json_object_set_new(out, "refused_lines", refused ? refused : json_array());
	reply_json(r, 200, out);
}
