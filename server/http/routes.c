/* routes.c: the route table and the dispatcher. Adding an endpoint is one
 * line here plus its handler. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "jsonx.h"
#include "server/http/routes.h"

static const struct route routes[] = {
	{"GET", "/api/v1/health", h_health, false},
	{"POST", "/api/v1/session", h_session_create, false},
	{"DELETE", "/api/v1/session", h_session_delete, true},
	{"GET", "/api/v1/me", h_me, true},
	{"GET", "/api/v1/me/notifications", h_prefs_get, true},
	{"PUT", "/api/v1/me/notifications", h_prefs_set, true},
	{"GET", "/api/v1/tasks", h_tasks, true},
	{"POST", "/api/v1/tasks/{}/done", h_task_done, true},
	{"GET", "/api/v1/organisations", h_orgs_search, true},
	{"GET", "/api/v1/organisations/{}", h_org_get, true},
	{"GET", "/api/v1/organisations/{}/services", h_org_services, true},
	{"GET", "/api/v1/services", h_services_list, true},
	{"GET", "/api/v1/services/{}", h_service_get, true},
	{"GET", "/api/v1/offers", h_offers_list, true},
	{"POST", "/api/v1/offers", h_offers_create, true},
	{"POST", "/api/v1/offers/actions", h_offers_action, true},
	{"GET", "/api/v1/offers/{}", h_offer_get, true},
	{"GET", "/api/v1/achievements", h_achievements_list, true},
	{"POST", "/api/v1/achievements", h_achievement_add, true},
	{"GET", "/api/v1/achievements/{}", h_achievement_get, true},
	{"GET", "/api/v1/achievements/{}/groups/{}", h_group_get, true},
	{"PUT", "/api/v1/achievements/{}/groups/{}", h_group_save, true},
	{"GET", "/api/v1/achievements/{}/submissions", h_submissions, true},
	{"GET", "/api/v1/achievements/{}/results", h_results, true},
	{"GET", "/api/v1/missing", h_missing, true},
	{"GET", "/api/v1/network", h_network, true},
	{"GET", "/api/v1/network/stuck", h_network_stuck, true},
	{"POST", "/api/v1/network/aggregate", h_network_aggregate, true},
	{"POST", "/api/v1/memberships", h_membership_add, true},
	{"PUT", "/api/v1/memberships/{}", h_membership_end, true},
	{"POST", "/api/v1/extracts", h_extract_load, true, (size_t)64 << 20, "EXTRACT_LOADER"},
	{"GET", "/api/v1/declarations", h_declarations_list, true},
	{"POST", "/api/v1/declarations/actions", h_declarations_action, true},
	{"GET", "/api/v1/declarations/{}", h_declaration_get, true},
	{"POST", "/api/v1/declarations/{}/declare", h_declaration_declare, true},
	/* administration, registration and passwords (issue 11) */
	{"GET", "/api/v1/admin/users", h_admin_users, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"POST", "/api/v1/admin/users", h_admin_user_create, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"GET", "/api/v1/admin/email-check", h_admin_email_check, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"GET", "/api/v1/admin/roles", h_admin_roles, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"GET", "/api/v1/admin/users/{}", h_admin_user_get, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"PUT", "/api/v1/admin/users/{}", h_admin_user_update, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"PUT", "/api/v1/admin/users/{}/organisations/{}", h_admin_link_set, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"DELETE", "/api/v1/admin/users/{}/organisations/{}", h_admin_link_revoke, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"POST", "/api/v1/admin/users/{}/actions", h_admin_user_action, true, 0, "USER_ADMIN,ADV_USER_ADMIN"},
	{"GET", "/api/v1/password-policy", h_password_policy, false},
	{"POST", "/api/v1/registration", h_registration, false},
	{"POST", "/api/v1/password-reset", h_password_reset, false},
	{"PUT", "/api/v1/me/password", h_me_password, true},
	{"GET", "/api/v1/clusters", h_clusters_list, true, 0, "ORG_ADMIN"},
	{"POST", "/api/v1/clusters", h_cluster_create, true, 0, "ORG_ADMIN"},
	{"GET", "/api/v1/clusters/{}", h_cluster_get, true, 0, "ORG_ADMIN"},
	{"PUT", "/api/v1/clusters/{}", h_cluster_update, true, 0, "ORG_ADMIN"},
	{"GET", "/api/v1/allocations", h_allocations_list, true, 0, "ORG_ADMIN"},
	{"GET", "/api/v1/allocations/{}", h_allocations_get, true, 0, "ORG_ADMIN"},
	{"PUT", "/api/v1/allocations/{}", h_allocations_set, true, 0, "ORG_ADMIN"},
	/* Reports (issue 12) */
	{"GET", "/api/v1/reports", h_reports_list, true},
	{"GET", "/api/v1/reports/{}", h_report_run, true},
};

/* Matches path against pattern; on success copies the {} segments into
 * r's params (owned by r->param_store). */
static bool match(const char *pattern, const char *path, struct req *r, bool capture)
{
	const char *p = pattern, *s = path;
	const char *caps[MAX_PATH_PARAMS];
	size_t lens[MAX_PATH_PARAMS];
	int n = 0;
	while (*p && *s) {
		if (p[0] == '{' && p[1] == '}') {
			const char *end = strchr(s, '/');
			size_t len = end ? (size_t)(end - s) : strlen(s);
			if (len == 0 || n == MAX_PATH_PARAMS)
				return false;
			caps[n] = s;
			lens[n++] = len;
			s += len;
			p += 2;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*s == '/' && s[1] == '\0')
		s++; /* a trailing slash is tolerated */
	if (*p || *s)
		return false;
	if (capture) {
		size_t total = 0;
		for (int i = 0; i < n; i++)
			total += lens[i] + 1;
		r->param_store = xmalloc(total + 1);
		char *w = r->param_store;
		for (int i = 0; i < n; i++) {
			memcpy(w, caps[i], lens[i]);
			w[lens[i]] = '\0';
			r->params[i] = w;
			w += lens[i] + 1;
		}
	}
	return true;
}

/* A system account (extract.loader) signs in to do one job: it may use
 * the routes that name a role it holds (POST /extracts), read its own
 * account and sign out. Everything else is refused 403 whatever scope
 * its grants would give it (docs/api.md). */
static bool system_may(const struct req *r)
{
	if (r->route->roles)
		return true; /* the role check below decides */
	return (!strcmp(r->route->method, "GET") && !strcmp(r->route->pattern, "/api/v1/me")) ||
	       (!strcmp(r->route->method, "DELETE") &&
		!strcmp(r->route->pattern, "/api/v1/session"));
}

/* The token (401), the route's roles and system accounts (403); false
 * when answered. */
static bool authorise(struct req *r)
{
	if (!auth_request(r))
		return false;
	if (r->auth->system_account && !system_may(r)) {
		reply_error(r, 403, "forbidden", NULL,
			    "%s is a system account: it may only load extracts (POST /extracts) "
			    "and read GET /me", r->auth->user_id);
		return false;
	}
	if (r->route->roles && !auth_has_role_anywhere(r->auth, r->route->roles)) {
		reply_error(r, 403, "forbidden", NULL,
			    "you do not have a role that may do this (%s)", r->route->roles);
		return false;
	}
	return true;
}

bool routes_begin(struct req *r)
{
	char allow[128] = "";
	int matched_path = -1;
	for (size_t i = 0; i < ARRAY_SIZE(routes); i++) {
		if (!match(routes[i].pattern, r->path, r, false))
			continue;
		if (strcmp(routes[i].method, r->method) != 0) {
			if (matched_path < 0)
				matched_path = (int)i;
			if (strlen(allow) + strlen(routes[i].method) + 3 < sizeof allow) {
				if (*allow)
					strcat(allow, ", ");
				strcat(allow, routes[i].method);
			}
			continue;
		}
		match(routes[i].pattern, r->path, r, true);
		r->route = &routes[i];
		if (routes[i].max_body)
			r->body_limit = routes[i].max_body;
		if (!routes[i].auth)
			return true;
		/* A read has no body to wait for: it is authenticated when it
		 * runs, inside its one read transaction (see run_request). */
		if (!strcmp(r->method, "GET") || !strcmp(r->method, "HEAD")) {
			r->auth_at_dispatch = true;
			return true;
		}
		r->db = store_db(r->srv->store);
		return authorise(r);
	}
	if (matched_path >= 0) {
		strlcpy_s(r->allow_buf, allow, sizeof r->allow_buf);
		r->allow = r->allow_buf;
		reply_error(r, 405, "method_not_allowed", NULL, "%s is not allowed on %s; use %s",
			    r->method, r->path, allow);
		return false;
	}
	reply_error(r, 404, "not_found", NULL, "there is no endpoint %s", r->path);
	return false;
}

void routes_dispatch(struct req *r)
{
	if (r->auth_at_dispatch) {
		r->auth_at_dispatch = false;
		if (!authorise(r))
			return;
	}
	r->route->handler(r);
}

json_t *body_object(struct req *r)
{
	struct jx_error err;
	json_t *j = jx_parse_object(r->body.data, r->body.len, &err);
	if (!j)
		reply_error(r, 400, "malformed_json", NULL, "%s", err.message);
	return j;
}

void reply_jx_error(struct req *r, const struct jx_error *err)
{
	reply_error(r, 400, strncmp(err->message, "unknown", 7) == 0 ? "unknown_field" : "bad_field",
		    err->field, "%s", err->message);
}

bool query_id(struct req *r, const char *name, bool required, int64_t *out)
{
	const char *s = req_query(r, name);
	*out = 0;
	if (!s) {
		if (required)
			reply_error(r, 400, "bad_query", name, "%s is required", name);
		return !required;
	}
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v <= 0) {
		reply_error(r, 400, "bad_query", name, "%s must be a positive whole number", name);
		return false;
	}
	*out = v;
	return true;
}

bool query_int(struct req *r, const char *name, int def, int min, int max, int *out)
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

bool query_year(struct req *r, const char **out)
{
	*out = req_query(r, "year");
	if (*out && !fy_valid(*out)) {
		reply_error(r, 400, "bad_query", "year", "year must be a financial year like 2024/25");
		return false;
	}
	return true;
}

bool scoped_org(struct req *r, const char *code, const char *field, struct org_rec *out)
{
	if (!code || strlen(code) > 15 || store_org_by_code(r->db, code, out) != ST_OK ||
	    !auth_org_in_scope(r, out->id, NULL)) {
		reply_error(r, 404, "not_found", field, "there is no organisation %s that you can see",
			    code ? code : "");
		return false;
	}
	return true;
}

bool query_org(struct req *r, const char *name, bool required, struct org_rec *out)
{
	const char *code = req_query(r, name);
	memset(out, 0, sizeof *out);
	if (!code) {
		if (required)
			reply_error(r, 400, "bad_query", name, "%s is required", name);
		return !required;
	}
	return scoped_org(r, code, name, out);
}

int64_t param_id(struct req *r, int i)
{
	const char *s = r->params[i];
	char *end = NULL;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || *end || v <= 0) {
		reply_error(r, 404, "not_found", NULL, "there is no such resource: %s", s ? s : "");
		return 0;
	}
	return v;
}

bool rows_check(struct req *r, json_t *ids, const char *field, const char *what)
{
	size_t n = json_array_size(ids);
	if (n == 0 || n > 2000) {
		reply_error(r, 400, "bad_field", field, "choose between 1 and 2,000 %ss", what);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (!json_is_integer(json_array_get(ids, i)) ||
		    json_integer_value(json_array_get(ids, i)) <= 0) {
			char f[48];
			snprintf(f, sizeof f, "%s[%zu]", field, i);
			reply_error(r, 400, "bad_field", f, "%s must be %s %s id", f,
				    strchr("aeiou", what[0]) ? "an" : "a", what);
			return false;
		}
	return true;
}

void rows_run(struct req *r, json_t *ids, const void *tmpl, size_t size, store_tx_fn fn,
	      const char *ok_status, const char *ok_msg)
{
	json_t *results = json_array();
	int ok = 0, bad = 0;
	void *state = xmalloc(size);
	for (size_t i = 0; i < json_array_size(ids); i++) {
		memcpy(state, tmpl, size);
		struct row *x = state;
		x->r = r;
		x->id = json_integer_value(json_array_get(ids, i));
		x->org[0] = x->code[0] = x->msg[0] = '\0';
		enum st st = store_tx(r->db, true, fn, state);
		json_t *org = *x->org ? json_string(x->org) : json_null();
		if (st == ST_OK) {
			ok++;
			json_array_append_new(results, json_pack("{s:I, s:b, s:s, s:o, s:s}",
				"id", (json_int_t)x->id, "ok", 1, "status", ok_status,
				"organisation", org, "message", ok_msg));
			continue;
		}
		bad++;
		if (!*x->code) {
			strcpy(x->code, st == ST_BUSY ? "busy" : "internal");
			snprintf(x->msg, sizeof x->msg, "the change could not be saved; try again");
		}
		json_array_append_new(results, json_pack("{s:I, s:b, s:s, s:o, s:s}",
			"id", (json_int_t)x->id, "ok", 0, "code", x->code, "organisation", org,
			"message", x->msg));
	}
	free(state);
	reply_json(r, 200, json_pack("{s:o, s:i, s:i}", "results", results, "succeeded", ok,
				     "failed", bad));
}

/* ---- paging (issue 13) ----------------------------------------------------- */

static bool query_count(struct req *r, const char *name, int64_t lo, int64_t hi, int64_t *out)
{
	const char *s = req_query(r, name);
	if (!s)
		return true;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < lo || v > hi) {
		reply_error(r, 400, "bad_query", name, "%s must be a whole number from %lld to %lld",
			    name, (long long)lo, (long long)hi);
		return false;
	}
	*out = v;
	return true;
}

bool query_page(struct req *r, int64_t max, struct page_q *out)
{
	memset(out, 0, sizeof *out);
	if (!query_count(r, "limit", 1, max, &out->limit) ||
	    !query_count(r, "offset", 0, 1000000, &out->offset))
		return false;
	const char *q = req_query(r, "q");
	if (q) {
		while (*q == ' ')
			q++;
		size_t n = strlen(q);
		while (n && q[n - 1] == ' ')
			n--;
		if (n > 100) {
			reply_error(r, 400, "bad_query", "q", "q must be at most 100 characters");
			return false;
		}
		memcpy(out->qbuf, q, n);
		out->qbuf[n] = '\0';
		out->q = n ? out->qbuf : NULL;
	}
	return true;
}
