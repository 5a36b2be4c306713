/* handlers.h: every endpoint handler, one group per file (h_*.c). */
#ifndef CQRS_HANDLERS_H
#define CQRS_HANDLERS_H

#include "server/http/http.h"
#include "server/store/store.h"

/* h_session.c */
void h_session_create(struct req *r);
void h_session_delete(struct req *r);
/* The sign-in rules shared with registration (h_session.c): whether
 * attempts for login from r's address wait (then 429 is replied), and
 * counting one more failure (inside a write transaction). */
bool signin_waits(struct req *r, const char *login);
ST_MUST enum st signin_failure_add(struct db *db, struct req *r, const char *login);
/* Whether a password set at set_at has expired under cfg (--password-max-age);
 * on gets the date it expires (or expired) when expiry is on. */
struct server_config;
bool password_expired(const struct server_config *cfg, int64_t set_at, char on[11]);
/* h_me.c */
void h_health(struct req *r);
void h_me(struct req *r);
void h_tasks(struct req *r);
void h_prefs_get(struct req *r);
void h_prefs_set(struct req *r);
/* h_orgs.c */
void h_orgs_search(struct req *r);
void h_org_get(struct req *r);
void h_org_services(struct req *r);
/* h_offers.c */
void h_offers_list(struct req *r);
void h_offer_get(struct req *r);
void h_offers_create(struct req *r);
void h_offers_action(struct req *r);
void h_task_done(struct req *r);
/* h_achievements.c */
void h_achievements_list(struct req *r);
void h_achievement_add(struct req *r);
void h_achievement_get(struct req *r);
void h_group_get(struct req *r);
void h_group_save(struct req *r);
void h_submissions(struct req *r);
void h_missing(struct req *r);
/* h_declarations.c */
void h_declarations_list(struct req *r);
void h_declaration_get(struct req *r);
void h_declaration_declare(struct req *r);
void h_declarations_action(struct req *r);
/* h_network.c */
void h_results(struct req *r);
void h_network(struct req *r);
void h_network_stuck(struct req *r);
void h_network_aggregate(struct req *r);
void h_membership_add(struct req *r);
void h_membership_end(struct req *r);
/* h_extracts.c */
void h_extract_load(struct req *r);
/* h_reports.c */
void h_reports_list(struct req *r);
void h_report_run(struct req *r);
/* h_services.c */
void h_services_list(struct req *r);
void h_service_get(struct req *r);

/* h_admin.c (issue 11; roles USER_ADMIN, ADV_USER_ADMIN) */
void h_admin_users(struct req *r);
void h_admin_email_check(struct req *r);
void h_admin_roles(struct req *r);
void h_admin_user_create(struct req *r);
void h_admin_user_get(struct req *r);
void h_admin_user_update(struct req *r);
void h_admin_link_set(struct req *r);
void h_admin_link_revoke(struct req *r);
void h_admin_user_action(struct req *r);
/* An nhs.net / nhs.uk address of sane form. */
bool admin_email_valid(const char *email);
/* Issues a registration (14 days) or reset (30 minutes) code for the user
 * and queues the e-mail that carries it (inside a write transaction). */
ST_MUST enum st admin_send_code(struct db *db, int64_t uid, const char *user_id, const char *name,
				const char *email, bool reset, int64_t now);
/* h_register.c (public but PUT /me/password) */
void h_password_policy(struct req *r);
void h_registration(struct req *r);
void h_password_reset(struct req *r);
void h_me_password(struct req *r);
/* h_clusters.c (role ORG_ADMIN) */
void h_clusters_list(struct req *r);
void h_cluster_create(struct req *r);
void h_cluster_get(struct req *r);
void h_cluster_update(struct req *r);
void h_allocations_list(struct req *r);
void h_allocations_get(struct req *r);
void h_allocations_set(struct req *r);

/* Row-by-row actions (accept, approve ... on several chosen rows): each
 * row is changed in its own write transaction and reported on its own.
 * A handler's row state begins with ROW_HEAD; its transaction function
 * fills org once the row is seen (never for a row out of scope), and code
 * and msg when it refuses the row. */
#define ROW_HEAD \
	struct req *r; \
	int64_t id; \
	char org[16]; \
	char code[24]; \
	char msg[300]
struct row {
	ROW_HEAD;
};
/* Checks ids: an array of 1 to 2,000 positive whole numbers; replies 400
 * naming field[i] and returns false otherwise. what: "offer", ... */
bool rows_check(struct req *r, json_t *ids, const char *field, const char *what);
/* For each id: copies tmpl (size bytes, beginning with ROW_HEAD) into a
 * fresh state, sets r and id, and runs fn in a write transaction; replies
 * 200 {"results": [...], "succeeded", "failed"} with ok_status and ok_msg
 * for the rows that succeeded. */
void rows_run(struct req *r, json_t *ids, const void *tmpl, size_t size, store_tx_fn fn,
	      const char *ok_status, const char *ok_msg);

/* Shared by handlers: parses the body as a strict JSON object, replying
 * 400 and returning NULL when it is not one. */
json_t *body_object(struct req *r);
/* Replies 400 for a body that does not fit its spec: unknown_field or
 * bad_field, naming the field. */
struct jx_error;
void reply_jx_error(struct req *r, const struct jx_error *err);
/* Query-string parameters. Each replies 400 bad_query (404 for an
 * organisation) naming the parameter and returns false when it is wrong.
 * query_id: a positive whole number, 0 when absent (and not required).
 * query_year: a financial year like 2024/25, NULL when absent.
 * query_org: an organisation code the user can see; out->id is 0 when
 * the parameter is absent (and not required). */
bool query_id(struct req *r, const char *name, bool required, int64_t *out);
bool query_year(struct req *r, const char **out);
/* query_int: a whole number from min to max, def when absent. */
bool query_int(struct req *r, const char *name, int def, int min, int max, int *out);
bool query_org(struct req *r, const char *name, bool required, struct org_rec *out);
/* The organisation with code when the user can see it; otherwise replies
 * 404 naming field (may be NULL) and returns false. */
bool scoped_org(struct req *r, const char *code, const char *field, struct org_rec *out);
/* Parses a positive integer path parameter; replies 404 and returns 0 if
 * it is not one. */
int64_t param_id(struct req *r, int i);

/* h_me.c (issue 13): GET /me's answer for user uid (NULL on error), which
 * POST /session also gives with "home": true. */
json_t *me_json(struct db *db, const struct server_config *cfg, int64_t uid);

/* routes.c (issue 13): the paging arguments of a list, limit (1 to
 * max; absent: 0, the whole list), offset (0 to 1,000,000) and q (a
 * search of at most 100 characters, trimmed; NULL when absent or blank);
 * false when answered 400. */
struct page_q {
	int64_t limit, offset;
	const char *q;
	char qbuf[101];
};
bool query_page(struct req *r, int64_t max, struct page_q *out);

#endif
