/* calls.h: every cqrsd endpoint the client uses, one typed function each.
 * This module is the only place that writes the protocol: paths, query
 * strings (one URL builder, escaping with curl_easy_escape) and request
 * bodies. A screen asks for "offers of year Y with status S for
 * organisation O" (call_offers) and gets a request value that the frame
 * issues (app_call in screens/app.h); it never sees how that is spelt on
 * the wire. See docs/api.md for the endpoints. No curses here. */
#ifndef CQRS_CLIENT_CALLS_H
#define CQRS_CLIENT_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "util.h"

/* One request: METHOD /api/v1PATH with an optional JSON body. Whoever
 * holds it owns path and body: app_call takes them, api_call_free frees
 * them. The path also names the request in api_response.path, so a
 * screen may keep a copy to know which answer it waits for. */
struct api_call {
	const char *method;     /* "GET", "POST", "PUT" or "DELETE" (static) */
	char *path;             /* path and query, under /api/v1; owned */
	json_t *body;           /* request body or NULL; owned */
	/* A write's Idempotency-Key (32 hex digits, api_new_key); "": the
	 * frame makes a new one. A screen that may send the same write again
	 * after a lost or stopped reply keeps its key and sets it here. */
	char key[33];
};

/* Frees c's path and body and clears it. */
void api_call_free(struct api_call *c);

/* ------------------------------------------------------------ URL builder */

/* Percent-encodes s (curl_easy_escape: everything but A-Z a-z 0-9 - . _ ~,
 * UTF-8 byte by byte); returns a new string. */
char *api_escape(const char *s);

/* A path with its query, built piece by piece; every piece that is not a
 * literal is escaped. */
struct url {
	struct buf b;
	bool query;             /* a '?' has been written */
};

/* Starts with a literal path such as "/offers". */
void url_init(struct url *u, const char *path);
/* Appends "/" and seg, escaped (an organisation code, ...). */
void url_seg(struct url *u, const char *seg);
/* Appends "/" and a number. */
void url_id(struct url *u, long long id);
/* Appends key=value (value escaped); a NULL value is left out, "" is sent
 * as "key=". */
void url_param(struct url *u, const char *key, const char *value);
/* Appends key=number; 0 is left out. */
void url_param_id(struct url *u, const char *key, long long value);
/* Returns the path (the caller frees it); u is empty afterwards. */
char *url_steal(struct url *u);

/* ------------------------------------------------------------ session */

/* POST /session: signs in; the answer also holds "me" (GET /me) and
 * "home" (Home's GET /tasks answer, for api_prime). */
struct api_call call_sign_in(const char *user_id, const char *password);
/* DELETE /session: revokes the token. */
struct api_call call_sign_out(void);
/* GET /me: the user, roles and organisations. */
struct api_call call_me(void);
/* GET /me/notifications. */
struct api_call call_notifications(void);
/* PUT /me/notifications: turns one kind of e-mail on or off. */
struct api_call call_notification_set(const char *kind, bool enabled);
/* GET /tasks: the Message Centre. */
struct api_call call_tasks(void);
/* POST /tasks/{id}/done: dismisses a notice (204; 409 for a work task). */
struct api_call call_task_done(long id);

/* ------------------------------------------------------------ organisations */

/* GET /organisations: a search in the user's scope. NULL (or 0) fields
 * are left out. */
struct orgs_q {
	const char *kind;       /* "NHSE", "ICB", "PCN", "PRACTICE" */
	const char *q;          /* code or name; "" is sent as an empty search */
	int limit;              /* rows (server default 50) */
};
struct api_call call_orgs(const struct orgs_q *q);
/* GET /organisations/{code}: one organisation with its memberships. */
struct api_call call_org(const char *code);
/* GET /organisations/{code}/services, of year (NULL: the current one). */
struct api_call call_org_services(const char *code, const char *year);

/* ------------------------------------------------------------ services */

/* GET /services: the catalogue. */
struct api_call call_services(void);
/* GET /services/{id}: one service's structure. */
struct api_call call_service(long long id);

/* ------------------------------------------------------------ offers */

/* GET /offers. NULL (or 0) fields are left out. */
struct offers_q {
	const char *year;       /* "2025/26" */
	const char *status;     /* "OFFERED", "APPROVED", ... */
	const char *organisation;
	long long service;
	/* issue 13: a page (limit rows from offset; limit 0: all) with the
	 * server's search q, or, with summary, each service's offers counted
	 * by status ({"services": [...]}) */
	const char *q;
	size_t limit, offset;
	bool summary;
};
struct api_call call_offers(const struct offers_q *q);
/* GET /offers/{id}. */
struct api_call call_offer(long long id);
/* POST /offers: offers a service to organisations. */
struct offer_new {
	long long service;
	const char *start, *end;        /* YYYY-MM-DD */
	const char *response, *target;  /* YYYY-MM-DD; NULL or "": none */
	const char *const *orgs;        /* organisation codes */
	size_t norgs;
};
struct api_call call_offers_create(const struct offer_new *o);
/* POST /offers/actions: accept, reject, withdraw or cancel offers. */
struct api_call call_offers_action(const char *action, const long *ids, size_t n);

/* ------------------------------------------------------------ achievements */

/* GET /achievements of an organisation for a service. */
struct api_call call_achievements(const char *organisation, long long service);
/* GET /achievements/{id}. */
struct api_call call_achievement(long long id);
/* GET /achievements/{id}/results: the calculation explained. */
struct api_call call_achievement_results(long long id);
/* GET /achievements/{id}/submissions, of one indicator group (0: all). */
struct api_call call_submissions(long long achievement, long long group);
/* GET /achievements/{id}/groups/{group}: an indicator group's form. */
struct api_call call_group(long long achievement, long long group);
/* PUT /achievements/{id}/groups/{group}: saves (work in progress) or
 * submits a group's values; values is stolen. */
struct group_save {
	bool submit;
	long long version;
	const char *notes;
	json_t *values;
};
struct api_call call_group_save(long long achievement, long long group,
				const struct group_save *g);
/* POST /achievements: adds an organisation's achievement for a date. */
struct api_call call_achievement_add(const char *organisation, long long service,
				     const char *date);
/* GET /missing: achievement dates with no data. */
struct api_call call_missing(void);
/* GET /missing, a page of it (issue 13). NULL (or 0) fields are left out. */
struct missing_page_q {
	long long service;
	const char *date;       /* YYYY-MM-DD */
	const char *q;          /* the server's search */
	size_t limit, offset;
};
struct api_call call_missing_page(const struct missing_page_q *q);

/* ------------------------------------------------------------ declarations */

/* GET /declarations. NULL (or 0) fields are left out. */
struct declarations_q {
	const char *organisation;
	const char *status;     /* "AWAITING_PROVIDER", ... */
	long long service;
};
struct api_call call_declarations(const struct declarations_q *q);
/* GET /declarations/{id}. */
struct api_call call_declaration(long long id);
/* POST /declarations/actions on the ids (a JSON array, stolen); reason
 * (NULL: left out) goes with "return". */
struct api_call call_declarations_action(const char *action, json_t *ids, const char *reason);
/* POST /declarations/{id}/declare with the ticked checklist items (a JSON
 * array of their ids, stolen). */
struct api_call call_declare(long long id, long long version, json_t *ticked,
			     const char *notes);

/* ------------------------------------------------------------ network */

/* GET /network: a PCN's network achievement for a service, on date (NULL
 * or "": the latest). */
struct api_call call_network(const char *organisation, long long service, const char *date);
/* GET /network/stuck: network achievements awaiting aggregation. */
struct api_call call_network_stuck(void);
/* POST /network/aggregate: re-runs a PCN's aggregation for a date. */
struct api_call call_network_aggregate(const char *pcn, long long service, const char *date);
/* POST /memberships: a practice joins a PCN (end NULL: open-ended). */
struct api_call call_membership_add(const char *pcn, const char *practice, const char *start,
				    const char *end);
/* PUT /memberships/{id}: ends a membership. */
struct api_call call_membership_end(long long id, const char *end);

/* ------------------------------------------------------------ reports */

/* GET /reports: the catalogue of the reports the user may run (their
 * parameters, role-aware columns and the report a row opens). */
struct api_call call_reports(void);
/* GET /reports/{name}: one run. NULL (or 0) fields are left out. */
struct report_q {
	const char *name;       /* "achievement-summary" */
	json_t *params;         /* {"key": "value"} (strings), borrowed; NULL: none */
	const char *q;          /* search text */
	const char *sort;       /* a column's key */
	bool desc;
	long limit, offset;
	const char *format;     /* "csv" (app_download / api_download) or NULL: JSON */
};
struct api_call call_report(const struct report_q *q);

/* ------------------------------------------------------------ administration (issue 11) */

/* GET /admin/users: the users an administrator manages. NULL (or 0)
 * fields are left out. */
struct admin_users_q {
	const char *q;            /* name, user ID or e-mail */
	const char *state;        /* "ACTIVE", "AWAITING_REGISTRATION", "LOCKED", "DISABLED" */
	const char *organisation; /* a code */
	int limit, offset;
};
struct api_call call_admin_users(const struct admin_users_q *q);
/* GET /admin/email-check: the Add New User "Continue" step. */
struct api_call call_admin_email_check(const char *email, const char *confirm);
/* GET /admin/roles?organisation=: the roles, payment types and clusters
 * that fit an organisation (and its PCN declarer count). */
struct api_call call_admin_roles(const char *organisation);
/* One organisation link of a new or changed user: the arrays hold codes
 * (roles, payment types) and cluster ids; they are stolen. */
json_t *admin_link(const char *code, json_t *roles, json_t *payment_types, json_t *clusters);
/* POST /admin/users: a new user; links is an array of admin_link values
 * (stolen). */
struct admin_user_new {
	const char *email, *email_confirm;
	const char *title, *first_name, *last_name, *work_phone, *mobile;
	json_t *links;
};
struct api_call call_admin_user_create(const struct admin_user_new *u);
/* GET /admin/users/{id}: one user with links and history. */
struct api_call call_admin_user(long long id);
/* PUT /admin/users/{id}/organisations/{code}: adds or replaces a link;
 * link is an admin_link value (stolen; its code is the path's). */
struct api_call call_admin_user_link(long long id, json_t *link);
/* DELETE /admin/users/{id}/organisations/{code}: revokes a link. */
struct api_call call_admin_user_unlink(long long id, const char *code);
/* POST /admin/users/{id}/actions: "disable", "enable", "unlock", "resend". */
struct api_call call_admin_user_action(long long id, const char *action);

/* GET /password-policy (public): every rule in words. */
struct api_call call_password_policy(void);
/* POST /registration (public): sets the password with a registration or
 * reset code. */
struct api_call call_registration(const char *user_id, const char *code, const char *password,
				  const char *confirm);
/* POST /password-reset (public): who is a user ID, or an e-mail address
 * when it holds an "@". */
struct api_call call_password_reset(const char *who);
/* PUT /me/password: the signed-in user changes their own password. */
struct api_call call_password_change(const char *current, const char *password,
				     const char *confirm);

/* GET /clusters?organisation=: a commissioner's Service Provider Clusters. */
struct api_call call_clusters(const char *organisation);
/* GET /clusters/{id}: one cluster with its practices and users. */
struct api_call call_cluster(long long id);
/* POST /clusters; practices is an array of codes (stolen). */
struct api_call call_cluster_create(const char *organisation, const char *name,
				    const char *description, json_t *practices);
/* PUT /clusters/{id}: name and description (NULL: unchanged) and the
 * practice codes to add and remove (arrays, stolen; NULL: none). */
struct api_call call_cluster_update(long long id, const char *name, const char *description,
				    json_t *add, json_t *remove);

/* GET /allocations?organisation=&q=: the organisations under a parent
 * with their allocated-report counts. */
struct api_call call_allocations(const char *organisation, const char *q);
/* GET /allocations/{code}?year=&payment_type= (NULL: left out). */
struct api_call call_allocation(const char *code, const char *year, const char *payment_type);
/* PUT /allocations/{code}: service ids to allocate and to remove
 * (arrays, stolen). */
struct api_call call_allocation_save(const char *code, json_t *allocate, json_t *remove);

#endif
