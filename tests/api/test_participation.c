/* test_participation.c: API tests of Participation Management (issue 4)
 * over real HTTP against the real cqrsd with the demo database: listing
 * offers by year, service, status and organisation within each user's
 * scope and cluster; one offer with its history and service structure
 * (pounds only for those allowed them); creating offers with every
 * validation rule, network services through a PCN with automatic
 * acceptance, duplicates refused with nothing created; every allowed and
 * forbidden transition with its reason, row by row; the tasks each step
 * leaves on Home; and two concurrent accepts of one offer. TAP, one line
 * per case; limited to 180 s. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"



static char *t_practice, *t_view, *t_comm, *t_cluster, *t_other;
static json_int_t svc_ldhc, svc_ms, svc_vfp, svc_ncd2526, svc_qof2425;

/* ------------------------------------------------------------ helpers */

/* The offers array of R. */
static json_t *offers(void)
{
	return json_object_get(R.json, "offers");
}

static const char *org_of(const json_t *offer)
{
	return jstr(json_object_get(offer, "organisation"), "code");
}

/* True when every offer of R satisfies key (of obj sub, or the offer
 * itself when sub is NULL) == want, and there is at least one. */
static bool all_offers(const char *sub, const char *key, const char *want)
{
	size_t i;
	json_t *o;
	if (!json_array_size(offers()))
		return false;
	json_array_foreach(offers(), i, o) {
		const json_t *x = sub ? json_object_get(o, sub) : o;
		if (!streq(jstr(x, key), want))
			return false;
	}
	return true;
}

/* The sorted, comma-joined organisation codes of R's offers (static). */
static const char *org_set(void)
{
	static char out[512];
	const char *codes[64];
	size_t n = 0, i;
	json_t *o;
	json_array_foreach(offers(), i, o)
		if (n < 64 && org_of(o))
			codes[n++] = org_of(o);
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && strcmp(codes[b - 1], codes[b]) > 0; b--) {
			const char *t = codes[b];
			codes[b] = codes[b - 1];
			codes[b - 1] = t;
		}
	out[0] = '\0';
	for (size_t k = 0; k < n; k++) {
		if (k)
			strncat(out, ",", sizeof out - strlen(out) - 1);
		strncat(out, codes[k], sizeof out - strlen(out) - 1);
	}
	return out;
}

/* The id of the newest offer of service to org (in status, if given) that
 * token can see, or 0. */
static json_int_t offer_of(const char *token, json_int_t svc, const char *org, const char *status)
{
	GET(token, F("/api/v1/offers?service=%lld&organisation=%s%s%s", (long long)svc, org,
		     status ? "&status=" : "", status ? status : ""));
	json_int_t best = 0;
	size_t i;
	json_t *o;
	json_array_foreach(offers(), i, o)
		if (jint(o, "id") > best)
			best = jint(o, "id");
	return best;
}

static size_t offer_count(const char *token, json_int_t svc)
{
	GET(token, F("/api/v1/offers?service=%lld", (long long)svc));
	return json_array_size(offers());
}

/* The status of offer id as token sees it, or "" (static). */
static const char *offer_status(const char *token, json_int_t id)
{
	static char out[24];
	struct http_resp r;
	http_get(&srv, F("/api/v1/offers/%lld", (long long)id), token, &r);
	strlcpy_s(out, jstr(r.json, "status") ? jstr(r.json, "status") : "", sizeof out);
	http_resp_free(&r);
	return out;
}

/* Performs an offers action on one id; the answer is in R. */
static void act(const char *token, const char *action, json_int_t id)
{
	POST(token, "/api/v1/offers/actions",
	     F("{\"action\": \"%s\", \"offers\": [%lld]}", action, (long long)id));
}

/* The row of R's results for id, or NULL. */
static json_t *row(json_int_t id)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(R.json, "results"), i, x)
		if (jint(x, "id") == id)
			return x;
	return NULL;
}

static bool row_ok(json_int_t id)
{
	return json_is_true(json_object_get(row(id), "ok"));
}

/* Row id failed with code and a message containing needle (NULL: any). */
static bool row_failed(json_int_t id, const char *code, const char *needle)
{
	json_t *x = row(id);
	return x && json_is_false(json_object_get(x, "ok")) && streq(jstr(x, "code"), code) &&
	       jstr(x, "message") && (!needle || contains(jstr(x, "message"), needle));
}

/* j as compact JSON text, valid until the next call. */
static const char *json_dumps_static(const json_t *j)
{
	static char *text;
	free(text);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	return text ? text : "";
}

/* The id of token's open task of kind about offer subject, or 0. */
static json_int_t task_of(const char *token, const char *kind, json_int_t subject)
{
	return task_with(token, "offer", kind, subject);
}

/* The title of token's open task id ("" when it has none such); static. */
static const char *task_title(const char *token, json_int_t id)
{
	static char title[300];
	title[0] = '\0';
	GET(token, "/api/v1/tasks");
	size_t i;
	json_t *tk;
	json_array_foreach(J("tasks"), i, tk)
		if (jint(tk, "id") == id)
			strlcpy_s(title, jstr(tk, "title"), sizeof title);
	return title;
}

/* Number of token's open tasks about offer subject, of any kind. */
static int tasks_about(const char *token, json_int_t subject)
{
	return tasks_with(token, "offer", subject);
}

/* POST /offers of svc to the organisations (a JSON array text). */
static void create(const char *token, json_int_t svc, const char *start, const char *end,
		   const char *response, const char *target, const char *orgs)
{
	POST(token, "/api/v1/offers",
	     F("{\"service_id\": %lld, \"start_date\": \"%s\", \"end_date\": \"%s\","
	       " \"response_date\": %s%s%s, \"target_date\": %s%s%s, \"organisations\": %s}",
	       (long long)svc, start, end, response ? "\"" : "", response ? response : "null",
	       response ? "\"" : "", target ? "\"" : "", target ? target : "null",
	       target ? "\"" : "", orgs));
}

/* A 2024/25 offer of svc to orgs with ordinary dates. */
static void create_2425(const char *token, json_int_t svc, const char *orgs)
{
	create(token, svc, "2024-04-01", "2025-03-31", "2025-01-31", "2025-03-31", orgs);
}

/* The id of the first offer in R's created list for org, or 0. */
static json_int_t created_for(const char *org)
{
	size_t i;
	json_t *o;
	json_array_foreach(offers(), i, o)
		if (streq(org_of(o), org))
			return jint(o, "id");
	return 0;
}

/* ------------------------------------------------------------ listing */

static void test_lists(void)
{
	GET(t_practice, "/api/v1/offers");
	ck(R.status == 200 && all_offers("organisation", "code", "A81001"),
	   "practice: GET /offers lists only its own practice's offers");
	GET(t_practice, "/api/v1/offers?year=2024/25");
	ck(R.status == 200 && all_offers("service", "financial_year", "2024/25") &&
	   strstr(org_set(), "A81001"), "practice: ?year=2024/25 gives only 2024/25 services");
	GET(t_practice, "/api/v1/offers?status=OFFERED");
	ck(R.status == 200 && all_offers(NULL, "status", "OFFERED") && json_array_size(offers()) >= 2,
	   "practice: ?status=OFFERED gives its two open offers and nothing else");
	GET(t_practice, F("/api/v1/offers?service=%lld", (long long)svc_ms));
	bool one_svc = R.status == 200 && json_array_size(offers()) == 1;
	ck(one_svc && jint(json_object_get(json_array_get(offers(), 0), "service"), "id") == svc_ms,
	   "practice: ?service=ID filters by service");
	GET(t_practice, "/api/v1/offers?organisation=A81001");
	ck(R.status == 200 && all_offers("organisation", "code", "A81001"),
	   "practice: ?organisation=its own code is allowed");
	GET(t_practice, "/api/v1/offers?organisation=A81004");
	ck(is_err(404, "not_found", "organisation", NULL),
	   "practice: another practice of the same ICB is invisible (404)");
	GET(t_practice, "/api/v1/offers?organisation=L83002");
	ck(is_err(404, "not_found", "organisation", NULL),
	   "practice: a practice of another ICB is invisible (404)");

	GET(t_comm, F("/api/v1/offers?year=2024/25&service=%lld", (long long)svc_ldhc));
	ck(R.status == 200 && streq(org_set(), "A81001,A81004,A81007,A81016,A81019,A81023"),
	   "commissioner: LDHC 2024/25 offers are those of its ICB's practices only (got %s)",
	   org_set());
	GET(t_comm, F("/api/v1/offers?service=%lld&status=REJECTED", (long long)svc_ldhc));
	ck(R.status == 200 && streq(org_set(), "A81016") && all_offers(NULL, "status", "REJECTED"),
	   "commissioner: Status filter Rejected (got %s)", org_set());
	GET(t_comm, F("/api/v1/offers?service=%lld&status=CANCELLED", (long long)svc_ldhc));
	ck(R.status == 200 && streq(org_set(), "A81019,A81023"),
	   "commissioner: Status filter Cancelled holds withdrawn and cancelled offers (got %s)",
	   org_set());
	GET(t_comm, F("/api/v1/offers?service=%lld&status=APPROVED", (long long)svc_ldhc));
	ck(R.status == 200 && streq(org_set(), "A81004"),
	   "commissioner: Status filter Approved (got %s)", org_set());
	GET(t_comm, F("/api/v1/offers?service=%lld&status=OFFERED", (long long)svc_ldhc));
	ck(R.status == 200 && streq(org_set(), "A81001,A81007"),
	   "commissioner: Status filter Offered (got %s)", org_set());
	GET(t_comm, "/api/v1/offers?organisation=L83002");
	ck(is_err(404, "not_found", "organisation", NULL),
	   "commissioner: another ICB's practice is invisible (404)");

	GET(t_cluster, F("/api/v1/offers?service=%lld", (long long)svc_ldhc));
	ck(R.status == 200 && streq(org_set(), "A81001,A81004,A81019"),
	   "cluster user: only the cluster's practices' offers (got %s)", org_set());
	GET(t_cluster, "/api/v1/offers?organisation=A81007");
	ck(is_err(404, "not_found", "organisation", NULL),
	   "cluster user: a practice of its ICB outside the cluster is invisible (404)");

	GET(t_other, "/api/v1/offers");
	ck(R.status == 200 && all_offers("organisation", "code", "L83002"),
	   "the other ICB's practice sees only its own offers");
	json_int_t theirs = offer_of(t_other, svc_ldhc, "L83002", NULL);
	GET(t_practice, F("/api/v1/offers/%lld", (long long)theirs));
	ck(theirs && is_err(404, "not_found", NULL, NULL),
	   "practice: GET /offers/{id} of another ICB's practice is 404");
	GET(t_comm, F("/api/v1/offers/%lld", (long long)theirs));
	ck(is_err(404, "not_found", NULL, NULL),
	   "commissioner: GET /offers/{id} of another ICB's practice is 404");
	json_int_t a81007 = offer_of(t_comm, svc_ldhc, "A81007", NULL);
	GET(t_cluster, F("/api/v1/offers/%lld", (long long)a81007));
	ck(a81007 && is_err(404, "not_found", NULL, NULL),
	   "cluster user: GET /offers/{id} outside the cluster is 404");
	json_int_t a81004 = offer_of(t_comm, svc_ldhc, "A81004", NULL);
	GET(t_practice, F("/api/v1/offers/%lld", (long long)a81004));
	ck(a81004 && is_err(404, "not_found", NULL, NULL),
	   "practice: GET /offers/{id} of a neighbouring practice is 404");

	GET(t_practice, "/api/v1/offers?status=ACCEPTED");
	ck(is_err(400, "bad_query", "status", NULL), "?status=ACCEPTED is refused (400 bad_query)");
	GET(t_practice, "/api/v1/offers?year=2024");
	ck(is_err(400, "bad_query", "year", NULL), "?year=2024 is refused (400 bad_query)");
	GET(t_practice, "/api/v1/offers?service=abc");
	ck(is_err(400, "bad_query", "service", NULL), "?service=abc is refused (400 bad_query)");
	GET(NULL, "/api/v1/offers");
	ck(R.status == 401, "GET /offers without a token is 401");
}

/* ------------------------------------------------------------ one offer */

static bool domain_named(const json_t *svc, const char *name)
{
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(svc, "domains"), i, d)
		if (streq(jstr(d, "name"), name))
			return true;
	return false;
}

static void test_view(void)
{
	json_int_t ldhc = offer_of(t_practice, svc_ldhc, "A81001", NULL);
	GET(t_practice, F("/api/v1/offers/%lld", (long long)ldhc));
	json_t *hist = json_object_get(R.json, "history");
	json_t *h0 = json_array_get(hist, 0);
	ck(R.status == 200 && streq(jstr(R.json, "status"), "OFFERED") && json_array_size(hist) >= 1 &&
	   streq(jstr(h0, "to"), "OFFERED") && json_is_null(json_object_get(h0, "from")) &&
	   streq(jstr(h0, "user_id"), "demo.commissioner") && json_object_get(h0, "at"),
	   "practice: an offer shows its history (who, when, from, to)");
	json_t *svc = json_object_get(R.json, "service");
	ck(json_array_size(json_object_get(svc, "domains")) > 0 &&
	   json_object_get(svc, "achievement_dates") && jstr(svc, "payment_period") &&
	   jstr(svc, "frequency") && jstr(svc, "entry"),
	   "practice: the offer carries the service structure (domains, dates, period, entry)");
	ck(has_pence(svc), "practice (Service Management, Finance View): pounds are present");
	GET(t_view, F("/api/v1/offers/%lld", (long long)ldhc));
	ck(R.status == 200 && !has_pence(R.json) &&
	   json_array_size(json_object_get(json_object_get(R.json, "service"), "domains")) > 0,
	   "View user: the same offer with its domains but no pounds at all");
	json_int_t qof = offer_of(t_practice, svc_qof2425, "A81001", NULL);
	GET(t_practice, F("/api/v1/offers/%lld", (long long)qof));
	svc = json_object_get(R.json, "service");
	ck(R.status == 200 && domain_named(svc, "Clinical") && domain_named(svc, "Organisational") &&
	   domain_named(svc, "Patient Experience") && domain_named(svc, "Additional Services"),
	   "QOF offer: domains Clinical, Organisational, Patient Experience, Additional Services");
	ck(json_integer_value(json_object_get(svc, "pence_per_point")) > 0,
	   "QOF offer: pence_per_point shown to the practice");
	GET(t_view, F("/api/v1/offers/%lld", (long long)qof));
	ck(R.status == 200 && !json_object_get(json_object_get(R.json, "service"), "pence_per_point"),
	   "QOF offer: pence_per_point absent (not zero) for the View user");
	GET(t_practice, "/api/v1/offers/999999");
	ck(is_err(404, "not_found", NULL, NULL), "GET /offers/999999 is 404");
}

/* ------------------------------------------------------------ creating */

static void test_create_rules(void)
{
	size_t before = offer_count(t_comm, svc_ms);
	create_2425(t_practice, svc_ms, "[\"A81001\"]");
	ck(is_err(403, "forbidden", NULL, NULL), "practice user cannot create offers (403)");
	create_2425(t_view, svc_ms, "[\"A81007\"]");
	ck(is_err(403, "forbidden", NULL, NULL), "View user cannot create offers (403)");
	create_2425(t_comm, 999999, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "service_id", NULL), "unknown service: 400 naming service_id");
	create(t_comm, svc_ms, "2024-03-31", "2025-03-31", NULL, NULL, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "start_date", "within"),
	   "start date before the service's start: 400 naming start_date");
	create(t_comm, svc_ms, "2024-04-01", "2025-04-01", NULL, NULL, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "end_date", "within"),
	   "end date after the service's end: 400 naming end_date");
	create(t_comm, svc_ms, "2024-04-01", "2025-03-31", "2023-12-01", NULL, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "response_date", "within"),
	   "response date outside the service's dates: 400 naming response_date");
	create(t_comm, svc_ms, "2024-04-01", "2025-03-31", NULL, "2025-06-30", "[\"A81007\"]");
	ck(is_err(400, "bad_field", "target_date", "within"),
	   "target date outside the service's dates: 400 naming target_date");
	create(t_comm, svc_ms, "2024-09-01", "2024-06-30", NULL, NULL, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "end_date", NULL), "end date before start date: 400 naming end_date");
	create(t_comm, svc_ms, "2024-04-01", "2024-12-31", "2025-01-15", NULL, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "response_date", NULL),
	   "response date after the end date: 400 naming response_date");
	create(t_comm, svc_ms, "2024-02-30", "2025-03-31", NULL, NULL, "[\"A81007\"]");
	ck(is_err(400, "bad_field", "start_date", NULL), "a date not in the calendar: 400");
	create_2425(t_comm, svc_ms, "[\"L83002\"]");
	ck(is_err(404, "not_found", "organisations[0]",
		  "there is no organisation L83002 that you can see"),
	   "a practice of another ICB: 404 naming organisations[0], as if it did not exist");
	create_2425(t_comm, svc_ms, "[\"A81007\", \"ZZZ99\"]");
	ck(is_err(404, "not_found", "organisations[1]",
		  "there is no organisation ZZZ99 that you can see"),
	   "an unknown organisation: the same 404 naming organisations[1]");
	create_2425(t_cluster, svc_ms, "[\"A81007\"]");
	ck(is_err(404, "not_found", "organisations[0]", "that you can see"),
	   "cluster user: a practice outside the cluster: 404 naming organisations[0]");
	create_2425(t_comm, svc_ms, "[\"A81007\", \"A81016\", \"A81007\"]");
	ck(is_err(400, "bad_field", "organisations[2]", "twice"),
	   "an organisation listed twice: 400 naming organisations[2]");
	create_2425(t_comm, svc_ms, "[]");
	ck(is_err(400, "bad_field", "organisations", NULL), "no organisations: 400");
	create_2425(t_comm, svc_ms, "[\"U60172\"]");
	ck(is_err(400, "bad_field", "organisations[0]", NULL),
	   "a practice-level service offered to a PCN: 400");
	create(t_comm, svc_ncd2526, "2025-04-01", "2026-03-31", NULL, NULL, "[\"A81001\"]");
	ck(is_err(400, "bad_field", "organisations[0]", "PCN"),
	   "a network service offered to a practice: 400 saying to offer it to a PCN");
	POST(t_comm, "/api/v1/offers",
	     F("{\"service_id\": %lld, \"start_date\": \"2024-04-01\", \"end_date\": \"2025-03-31\","
	       " \"organisations\": [\"A81007\"], \"colour\": \"red\"}", (long long)svc_ms));
	ck(is_err(400, "unknown_field", "colour", NULL), "an unknown field: 400 unknown_field");
	POST(t_comm, "/api/v1/offers", "{\"service_id\": \"7\"}");
	ck(R.status == 400 && (streq(err_code(&R), "bad_field")), "a service_id as text: 400");
	ck(offer_count(t_comm, svc_ms) == before, "none of the refused requests created an offer");

	/* A duplicate among good ones: 409 and nothing created. */
	before = offer_count(t_comm, svc_ms);
	create_2425(t_comm, svc_ms, "[\"A81007\", \"A81004\"]");
	ck(is_err(409, "conflict", "organisations[1]", "A81004"),
	   "a practice that already has a live offer: 409 naming it");
	ck(offer_count(t_comm, svc_ms) == before,
	   "after the 409 no offer was created, not even for the good practice (%zu before)",
	   before);

	/* Good: two practices, each gets an OFFERED offer and a task. */
	create(t_comm, svc_ms, "2024-05-01", "2025-03-31", "2024-06-30", "2025-03-31",
	       "[\"A81007\", \"A81016\"]");
	json_t *o0 = json_array_get(offers(), 0);
	ck(R.status == 201 && json_array_size(offers()) == 2 && all_offers(NULL, "status", "OFFERED") &&
	   streq(org_set(), "A81007,A81016") && streq(jstr(o0, "start_date"), "2024-05-01") &&
	   streq(jstr(o0, "response_date"), "2024-06-30") &&
	   jint(json_object_get(o0, "service"), "id") == svc_ms,
	   "commissioner offers Minor Surgery to two practices: 201 with two OFFERED offers");
	ck(offer_count(t_comm, svc_ms) == before + 2, "the offer count grew by two");
	json_int_t a81007 = created_for("A81007");
	GET(t_comm, F("/api/v1/offers/%lld", (long long)a81007));
	json_t *h = json_array_get(json_object_get(R.json, "history"), 0);
	ck(streq(jstr(h, "to"), "OFFERED") && streq(jstr(h, "user_id"), "demo.commissioner"),
	   "the new offer's history says who offered it");
	create(t_comm, svc_ms, "2024-05-01", "2025-03-31", NULL, NULL, "[\"A81016\"]");
	ck(is_err(409, "conflict", "organisations[0]", NULL), "offering it again: 409");

	/* The cluster user offers within its cluster. */
	create_2425(t_cluster, svc_ldhc, "[\"A81019\"]");
	ck(R.status == 201 && streq(org_set(), "A81019"),
	   "cluster user offers to a practice in its cluster whose last offer was withdrawn: 201");
}

/* ------------------------------------------------------------ network */

static void test_network(void)
{
	/* The demo's NCD 2025/26 offers of Tees Riverside's practices are
	 * live, so offering the service to the PCN again is a duplicate. */
	size_t before = offer_count(t_comm, svc_ncd2526);
	create(t_comm, svc_ncd2526, "2025-04-01", "2026-03-31", "2025-04-30", NULL, "[\"U60172\"]");
	ck(is_err(409, "conflict", "organisations[0]", NULL),
	   "NCD 2025/26 to a PCN whose practices already take part: 409");
	ck(offer_count(t_comm, svc_ncd2526) == before, "and nothing was created");

	/* A member's offer through its PCN follows the PCN: it cannot be
	 * cancelled on its own (issue 10). */
	GET(t_comm, "/api/v1/organisations/U60172");
	const char *members[8];
	size_t nm = 0, i;
	json_t *m;
	json_array_foreach(json_object_get(R.json, "memberships"), i, m)
		if (json_is_null(json_object_get(m, "end_date")) && nm < 8)
			members[nm++] = xstrdup(jstr(m, "practice"));
	json_int_t one_member = nm ? offer_of(t_comm, svc_ncd2526, members[0], "APPROVED") : 0;
	act(t_comm, "cancel", one_member);
	ck(one_member && R.status == 200 && row_failed(one_member, "conflict", "follows it"),
	   "cancelling one member's offer through the PCN alone: refused, it follows its PCN");
	ck(streq(offer_status(t_comm, one_member), "APPROVED"), "... and it is still Approved");

	/* Cancelling the PCN's own offer cancels its members' with it. */
	json_int_t pcn_offer = offer_of(t_comm, svc_ncd2526, "U60172", "APPROVED");
	act(t_comm, "cancel", pcn_offer);
	bool cancelled = pcn_offer && row_ok(pcn_offer) && nm > 0;
	for (size_t k = 0; k < nm; k++)
		cancelled = cancelled && offer_of(t_comm, svc_ncd2526, members[k], "APPROVED") == 0;
	ck(cancelled, "cancelling U60172's own offer cancels its %zu member practices' offers too", nm);

	/* Offered again: the PCN's own offer and its members', together. */
	create(t_comm, svc_ncd2526, "2025-04-01", "2026-03-31", "2025-04-30", NULL, "[\"U60172\"]");
	bool all_members = R.status == 201 && json_array_size(offers()) == nm + 1 &&
			   created_for("U60172");
	for (size_t k = 0; k < nm; k++)
		all_members = all_members && created_for(members[k]);
	ck(all_members, "NCD 2025/26 offered again to U60172: the PCN's own offer and one per current"
	   " member practice (%zu)", nm);
	bool auto_ok = R.status == 201;
	json_t *o;
	json_array_foreach(offers(), i, o)
		auto_ok = auto_ok && streq(jstr(o, "status"), "APPROVED") &&
			  json_is_true(json_object_get(o, "auto_accepted")) &&
			  (streq(jstr(o, "via_pcn"), "U60172") ||
			   streq(jstr(json_object_get(o, "organisation"), "code"), "U60172"));
	ck(auto_ok, "each is accepted automatically, the members' via_pcn U60172");
	json_int_t mine = created_for("A81001");
	GET(t_practice, F("/api/v1/offers/%lld", (long long)mine));
	json_t *hist = json_object_get(R.json, "history");
	json_t *last = json_array_get(hist, json_array_size(hist) - 1);
	ck(R.status == 200 && streq(jstr(last, "from"), "OFFERED") && streq(jstr(last, "to"), "APPROVED") &&
	   (contains(jstr(last, "note"), "automatic") || contains(jstr(last, "note"), "Automatic")),
	   "the practice sees the offer, its history note saying it was accepted automatically");
	ck(task_of(t_practice, "OFFER", mine) == 0,
	   "an automatically accepted offer leaves no 'new offer' task to answer");
	act(t_practice, "reject", mine);
	ck(R.status == 200 && row_failed(mine, "conflict", "already been accepted"),
	   "the practice cannot reject an automatically accepted offer (conflict)");
	for (size_t k = 0; k < nm; k++)
		free((char *)members[k]);
}

/* ------------------------------------------------------------ transitions */

static void test_transitions(void)
{
	json_int_t vfp = offer_of(t_practice, svc_vfp, "A81001", "OFFERED");
	json_int_t ldhc = offer_of(t_practice, svc_ldhc, "A81001", "OFFERED");
	json_int_t neighbour = offer_of(t_comm, svc_ldhc, "A81004", "APPROVED");
	json_int_t rejected = offer_of(t_comm, svc_ldhc, "A81016", "REJECTED");
	json_int_t cancelled = offer_of(t_comm, svc_ldhc, "A81023", "CANCELLED");
	ck(vfp && ldhc && neighbour && rejected && cancelled, "the demo offers used below exist");
	ck(task_of(t_practice, "OFFER", vfp) && task_of(t_practice, "OFFER", ldhc),
	   "the practice's Home has an OFFER task for each open offer");

	/* Bad requests. */
	POST(t_practice, "/api/v1/offers/actions", F("{\"action\": \"approve\", \"offers\": [%lld]}",
						     (long long)vfp));
	ck(is_err(400, "bad_field", "action", NULL), "action approve (not a word here): 400");
	POST(t_practice, "/api/v1/offers/actions", "{\"action\": \"accept\", \"offers\": []}");
	ck(is_err(400, "bad_field", "offers", NULL), "no offers chosen: 400");
	POST(t_practice, "/api/v1/offers/actions", "{\"action\": \"accept\", \"offers\": [\"1\"]}");
	ck(is_err(400, "bad_field", "offers[0]", NULL), "an offer id as text: 400 naming offers[0]");
	POST(t_practice, "/api/v1/offers/actions", "{\"action\": \"accept\", \"offers\": [0]}");
	ck(is_err(400, "bad_field", "offers[0]", NULL), "offer id 0: 400");
	POST(t_practice, "/api/v1/offers/actions",
	     F("{\"action\": \"accept\", \"offers\": [%lld], \"why\": 1}", (long long)vfp));
	ck(is_err(400, "unknown_field", "why", NULL), "unknown field: 400 unknown_field");
	char longnote[620];
	memset(longnote, 'x', 600);
	longnote[600] = '\0';
	POST(t_practice, "/api/v1/offers/actions",
	     F("{\"action\": \"accept\", \"offers\": [%lld], \"note\": \"%s\"}", (long long)vfp,
	       longnote));
	ck(is_err(400, "bad_field", "note", NULL), "a note over 500 characters: 400");
	ck(streq(offer_status(t_practice, vfp), "OFFERED"), "after the bad requests the offer is still OFFERED");

	/* Wrong roles. */
	act(t_view, "accept", vfp);
	ck(R.status == 200 && row_failed(vfp, "forbidden", "Service Management"),
	   "View user cannot accept: row forbidden naming Service Management");
	act(t_comm, "accept", vfp);
	ck(R.status == 200 && row_failed(vfp, "forbidden", "Service Management"),
	   "commissioner cannot accept for the practice: row forbidden");
	act(t_comm, "reject", vfp);
	ck(R.status == 200 && row_failed(vfp, "forbidden", "Service Management"),
	   "commissioner cannot reject for the practice: row forbidden");
	act(t_practice, "withdraw", vfp);
	ck(R.status == 200 && row_failed(vfp, "forbidden", "Commissioning Management"),
	   "practice cannot withdraw: row forbidden naming Commissioning Management");
	act(t_practice, "cancel", neighbour);
	ck(R.status == 200 && row_failed(neighbour, "not_found", NULL),
	   "practice acting on a neighbour's offer: row not_found");
	ck(!contains(json_dumps_static(row(neighbour)), "A81004"),
	   "that not_found row does not reveal whose offer it is (as if it did not exist)");
	act(t_other, "accept", vfp);
	ck(R.status == 200 && row_failed(vfp, "not_found", NULL),
	   "another ICB's practice acting on this offer: row not_found");
	ck(!contains(json_dumps_static(row(vfp)), "A81001"),
	   "that not_found row does not reveal the other ICB's practice code");
	act(t_cluster, "withdraw", offer_of(t_comm, svc_ldhc, "A81007", "OFFERED"));
	ck(R.status == 200 && json_integer_value(json_object_get(R.json, "failed")) == 1 &&
	   streq(jstr(json_array_get(json_object_get(R.json, "results"), 0), "code"), "not_found"),
	   "cluster user withdrawing an offer outside its cluster: row not_found");
	ck(streq(offer_status(t_practice, vfp), "OFFERED"), "after the refused actions the offer is still OFFERED");

	/* Forbidden transitions with their reasons. */
	act(t_comm, "cancel", vfp);
	ck(R.status == 200 && row_failed(vfp, "conflict", "an offered service cannot be cancelled; withdraw it instead"),
	   "cancel an OFFERED offer: conflict \"an offered service cannot be cancelled; withdraw it instead\"");
	act(t_comm, "withdraw", neighbour);
	ck(R.status == 200 && row_failed(neighbour, "conflict", "cancel it instead"),
	   "withdraw an APPROVED offer: conflict saying to cancel it instead");
	act(t_comm, "withdraw", rejected);
	ck(R.status == 200 && row_failed(rejected, "conflict", "cancel it instead"),
	   "withdraw a REJECTED offer: conflict saying to cancel it instead");
	act(t_comm, "withdraw", cancelled);
	ck(R.status == 200 && row_failed(cancelled, "conflict", "already cancelled"),
	   "withdraw a CANCELLED offer: conflict \"already cancelled\"");
	act(t_comm, "cancel", cancelled);
	ck(R.status == 200 && row_failed(cancelled, "conflict", "already cancelled"),
	   "cancel a CANCELLED offer: conflict \"already cancelled\"");

	/* Withdraw: OFFERED -> CANCELLED, a task for the practice. */
	act(t_comm, "withdraw", vfp);
	ck(R.status == 200 && row_ok(vfp) && streq(jstr(row(vfp), "status"), "CANCELLED") &&
	   jint(R.json, "succeeded") == 1 && jint(R.json, "failed") == 0,
	   "commissioner withdraws the Veteran Friendly offer: CANCELLED");
	ck(task_of(t_practice, "OFFER_WITHDRAWN", vfp) != 0, "withdrawing leaves an OFFER_WITHDRAWN task for the practice");
	ck(task_of(t_practice, "OFFER", vfp) == 0, "and settles the practice's OFFER task");
	act(t_comm, "withdraw", vfp);
	ck(R.status == 200 && row_failed(vfp, "conflict", "Gareth Lewis"),
	   "withdrawing twice: conflict naming who did it (%s)", jstr(row(vfp), "message"));
	act(t_practice, "accept", vfp);
	ck(R.status == 200 && row_failed(vfp, "conflict", "withdrawn or cancelled"),
	   "accepting a withdrawn offer: conflict \"withdrawn or cancelled\"");
	GET(t_comm, F("/api/v1/offers?service=%lld&status=CANCELLED&organisation=A81001", (long long)svc_vfp));
	ck(R.status == 200 && json_array_size(offers()) == 1, "the withdrawn offer appears under Cancelled");

	/* A new offer of the same service after the withdrawal: a task. */
	create_2425(t_comm, svc_vfp, "[\"A81001\"]");
	json_int_t vfp2 = created_for("A81001");
	ck(R.status == 201 && vfp2 && vfp2 != vfp, "the service can be offered again once cancelled: 201");
	json_int_t vfp2_task = task_of(t_practice, "OFFER", vfp2);
	ck(vfp2_task != 0, "the new offer leaves an OFFER task on the practice's Home");
	GET(t_practice, "/api/v1/tasks");
	json_t *t0 = NULL;
	size_t i;
	json_t *t;
	json_array_foreach(json_object_get(R.json, "tasks"), i, t)
		if (jint(t, "id") == vfp2_task)
			t0 = t;
	ck(contains(jstr(t0, "title"), "New offer: Veteran Friendly Practice Accreditation 2024/25") &&
	   streq(jstr(t0, "organisation"), "A81001"),
	   "the task says \"New offer: <service>\" for A81001");
	ck(task_of(t_view, "OFFER", vfp2) == 0, "the View user (no Service Management) gets no OFFER task");

	/* Reject: a task for the commissioner; then cancel: a task for the practice. */
	POST(t_practice, "/api/v1/offers/actions",
	     F("{\"action\": \"reject\", \"offers\": [%lld], \"note\": \"Not this year.\"}", (long long)vfp2));
	ck(R.status == 200 && row_ok(vfp2) && streq(jstr(row(vfp2), "status"), "REJECTED") &&
	   streq(jstr(row(vfp2), "organisation"), "A81001"),
	   "practice rejects the new offer: REJECTED");
	ck(task_of(t_practice, "OFFER", vfp2) == 0, "rejecting settles the practice's OFFER task");
	json_int_t rej_task = task_of(t_comm, "OFFER_REJECTED", vfp2);
	ck(rej_task != 0, "rejecting leaves an OFFER_REJECTED task for the commissioner");
	GET(t_practice, F("/api/v1/offers/%lld", (long long)vfp2));
	json_t *hist = json_object_get(R.json, "history");
	json_t *hl = json_array_get(hist, json_array_size(hist) - 1);
	ck(streq(jstr(hl, "from"), "OFFERED") && streq(jstr(hl, "to"), "REJECTED") &&
	   streq(jstr(hl, "user_id"), "demo.practice") && streq(jstr(hl, "note"), "Not this year."),
	   "the history records the rejection: who, from, to and the note");
	act(t_practice, "reject", vfp2);
	ck(R.status == 200 && row_failed(vfp2, "conflict", "already been rejected") &&
	   contains(jstr(row(vfp2), "message"), "Priya Shah"),
	   "rejecting twice: conflict naming who rejected it");
	act(t_practice, "accept", vfp2);
	ck(R.status == 200 && row_failed(vfp2, "conflict", "already been rejected"),
	   "accepting a rejected offer: conflict");
	POST(t_practice, F("/api/v1/tasks/%lld/done", (long long)rej_task), "{}");
	ck(R.status == 404, "the practice cannot dismiss the commissioner's task (404)");
	act(t_comm, "cancel", vfp2);
	ck(R.status == 200 && row_ok(vfp2) && streq(jstr(row(vfp2), "status"), "CANCELLED"),
	   "commissioner cancels the rejected offer: CANCELLED");
	json_int_t cn_task = task_of(t_practice, "OFFER_CANCELLED", vfp2);
	ck(cn_task != 0, "cancelling leaves an OFFER_CANCELLED task for the practice");
	{
		GET(t_comm, "/api/v1/tasks");
		size_t k;
		json_t *tk;
		bool notice = false, work = true;
		json_array_foreach(J("tasks"), k, tk) {
			if (jint(tk, "id") == rej_task)
				notice = json_is_true(json_object_get(tk, "dismissable"));
			if (!strncmp(jstr(tk, "kind"), "DECLARATION", 11))
				work = work && json_is_false(json_object_get(tk, "dismissable"));
		}
		ck(notice && work, "GET /tasks: a notice is dismissable, a work task is not");
		GET(t_practice, "/api/v1/tasks");
		json_int_t offer_task = 0;
		json_array_foreach(J("tasks"), k, tk)
			if (streq(jstr(tk, "kind"), "OFFER"))
				offer_task = jint(tk, "id");
		POST(t_practice, F("/api/v1/tasks/%lld/done", (long long)offer_task), NULL);
		ck(offer_task && is_err(409, "conflict", NULL, "closes itself when the work is done"),
		   "dismissing a work task (a new offer to review): 409, it stays open");
		ck(*task_title(t_practice, offer_task), "... and the task is still open");
	}
	ck(contains(task_title(t_comm, rej_task), "Offer rejected by A81001 "),
	   "the rejection notice names the practice first: %s", task_title(t_comm, rej_task));
	POST(t_comm, F("/api/v1/tasks/%lld/done", (long long)rej_task), NULL);
	ck(R.status == 204 && task_of(t_comm, "OFFER_REJECTED", vfp2) == 0,
	   "the commissioner dismisses the rejection notice (204) and it is gone");
	POST(t_other, F("/api/v1/tasks/%lld/done", (long long)cn_task), NULL);
	ck(R.status == 404 && task_of(t_practice, "OFFER_CANCELLED", vfp2) == cn_task,
	   "another organisation's user cannot dismiss the practice's task (404, still open)");
	POST(t_practice, F("/api/v1/tasks/%lld/done", (long long)cn_task), NULL);
	ck(R.status == 204 && task_of(t_practice, "OFFER_CANCELLED", vfp2) == 0,
	   "the practice dismisses its cancellation notice (204)");
	POST(t_practice, F("/api/v1/tasks/%lld/done", (long long)cn_task), NULL);
	ck(R.status == 404, "dismissing it again: 404");

	/* Accept: APPROVED, the task settled, no notice to the commissioner. */
	create_2425(t_comm, svc_vfp, "[\"A81001\"]");
	json_int_t vfp3 = created_for("A81001");
	int comm_tasks = -1;
	GET(t_comm, "/api/v1/tasks");
	comm_tasks = (int)json_array_size(json_object_get(R.json, "tasks"));
	/* Several offers at once, some failing: reported row by row. */
	POST(t_practice, "/api/v1/offers/actions",
	     F("{\"action\": \"accept\", \"offers\": [%lld, %lld, %lld, 999999]}", (long long)vfp3,
	       (long long)vfp2, (long long)neighbour));
	json_t *res = json_object_get(R.json, "results");
	ck(R.status == 200 && json_array_size(res) == 4 && jint(json_array_get(res, 0), "id") == vfp3 &&
	   jint(R.json, "succeeded") == 1 && jint(R.json, "failed") == 3,
	   "accepting four offers at once: 200, four rows in order, 1 succeeded, 3 failed");
	ck(row_ok(vfp3) && streq(jstr(row(vfp3), "status"), "APPROVED"), "row 1: the new offer accepted");
	ck(row_failed(vfp2, "conflict", "withdrawn or cancelled"), "row 2: the cancelled one refused with its reason");
	ck(row_failed(neighbour, "not_found", NULL), "row 3: a neighbour's offer not found");
	ck(row_failed(999999, "not_found", NULL), "row 4: an unknown offer not found");
	ck(task_of(t_practice, "OFFER", vfp3) == 0, "accepting settles the practice's OFFER task");
	GET(t_comm, "/api/v1/tasks");
	ck((int)json_array_size(json_object_get(R.json, "tasks")) == comm_tasks && tasks_about(t_comm, vfp3) == 0,
	   "accepting leaves no task for the commissioner");
	act(t_practice, "accept", vfp3);
	ck(R.status == 200 && row_failed(vfp3, "conflict", "already been accepted") &&
	   contains(jstr(row(vfp3), "message"), "APPROVED by Priya Shah"),
	   "accepting twice: conflict \"(APPROVED by Priya Shah)\"");
	act(t_comm, "withdraw", vfp3);
	ck(R.status == 200 && row_failed(vfp3, "conflict", "cancel it instead"),
	   "withdrawing an accepted offer: conflict saying to cancel it instead");
	act(t_comm, "cancel", vfp3);
	ck(R.status == 200 && row_ok(vfp3) && task_of(t_practice, "OFFER_CANCELLED", vfp3),
	   "cancelling the accepted offer: CANCELLED with a task for the practice");
	act(t_comm, "cancel", vfp3);
	ck(R.status == 200 && row_failed(vfp3, "conflict", "already cancelled"),
	   "cancelling twice: conflict \"already cancelled\"");
	GET(t_practice, F("/api/v1/offers/%lld", (long long)vfp3));
	hist = json_object_get(R.json, "history");
	const char *path[] = {"OFFERED", "APPROVED", "CANCELLED"};
	bool hist_ok = json_array_size(hist) == 3;
	for (size_t k = 0; hist_ok && k < 3; k++)
		hist_ok = streq(jstr(json_array_get(hist, k), "to"), path[k]) &&
			  (k == 0 || streq(jstr(json_array_get(hist, k), "from"), path[k - 1]));
	ck(hist_ok && streq(jstr(json_array_get(hist, 1), "user_id"), "demo.practice") &&
	   streq(jstr(json_array_get(hist, 2), "user_id"), "demo.commissioner"),
	   "the history holds every change in order: OFFERED, APPROVED, CANCELLED, with who");
}

/* ------------------------------------------------------------ a race */

struct racer {
	const char *token;
	json_int_t offer;
	pthread_barrier_t *go;
	long status;
	char body[2048];
};

static size_t on_race_body(char *p, size_t size, size_t n, void *arg)
{
	struct racer *x = arg;
	size_t have = strlen(x->body), len = size * n;
	if (have + len < sizeof x->body) {
		memcpy(x->body + have, p, len);
		x->body[have + len] = '\0';
	}
	return len;
}

/* One thread: accepts the offer on its own connection at the barrier. */
static void *race_accept(void *arg)
{
	struct racer *x = arg;
	CURL *c = curl_easy_init();
	char url[128], auth[128], body[96];
	snprintf(url, sizeof url, "%s/api/v1/offers/actions", srv.base);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", x->token);
	snprintf(body, sizeof body, "{\"action\": \"accept\", \"offers\": [%lld]}", (long long)x->offer);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_race_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
	if (srv.ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, srv.ca);
	pthread_barrier_wait(x->go);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return NULL;
}

/* Tasks follow the cluster: the ICB's "offer rejected" task about A81016
 * (outside the cluster) is on the commissioner's Home, not on the cluster
 * user's. Runs first, before other cases add tasks. */
static void test_cluster_tasks(void)
{
	bool comm = false, clus = false;
	size_t i;
	json_t *t;
	GET(t_comm, "/api/v1/tasks");
	json_array_foreach(J("tasks"), i, t)
		comm |= contains(jstr(t, "title"), "by A81016 ");
	GET(t_cluster, "/api/v1/tasks");
	json_array_foreach(J("tasks"), i, t)
		clus |= contains(jstr(t, "title"), "by A81016 ");
	ck(R.status == 200 && comm && !clus,
	   "a task about a practice outside the cluster: on the commissioner's Home only");
}

static void test_race(void)
{
	char *second = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	for (int round = 1; round <= 3; round++) {
		create_2425(t_comm, svc_vfp, "[\"A81001\"]");
		json_int_t id = created_for("A81001");
		struct racer a = {.token = t_practice, .offer = id}, b = {.token = second, .offer = id};
		pthread_barrier_t bar;
		pthread_barrier_init(&bar, NULL, 2);
		a.go = b.go = &bar;
		pthread_t ta, tb;
		pthread_create(&ta, NULL, race_accept, &a);
		pthread_create(&tb, NULL, race_accept, &b);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&bar);
		json_t *ja = json_loads(a.body, 0, NULL), *jb = json_loads(b.body, 0, NULL);
		bool wa = jint(ja, "succeeded") == 1, wb = jint(jb, "succeeded") == 1;
		int wins = wa + wb;
		json_t *lose = json_array_get(json_object_get(wa ? jb : ja, "results"), 0);
		bool told = wins == 1 && json_is_false(json_object_get(lose, "ok")) &&
			    contains(jstr(lose, "message"), "already been accepted");
		json_decref(ja);
		json_decref(jb);
		ck(id && a.status == 200 && b.status == 200 && wins == 1 && told,
		   "race %d: two concurrent accepts of one offer: exactly one succeeds, the other is told", round);
		if (wins != 1 || !told)
			tap_diag("A: %ld %s\nB: %ld %s", a.status, a.body, b.status, b.body);
		GET(t_practice, F("/api/v1/offers/%lld", (long long)id));
		json_t *hist = json_object_get(R.json, "history");
		ck(streq(jstr(R.json, "status"), "APPROVED") && json_array_size(hist) == 2,
		   "race %d: the offer is APPROVED once (history of two entries)", round);
		act(t_comm, "cancel", id);
	}
	free(second);
}

int main(void)
{
	harness_timeout(180);
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	t_practice = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	t_view = sign_in(&srv, "demo.view", PASSWORD, NULL);
	t_comm = sign_in(&srv, "demo.commissioner", PASSWORD, NULL);
	t_cluster = sign_in(&srv, "demo.cluster", PASSWORD, NULL);
	t_other = sign_in(&srv, "demo.other", PASSWORD, NULL);
	if (!t_practice || !t_view || !t_comm || !t_cluster || !t_other)
		tap_bail("the demo users cannot sign in");
	svc_ldhc = service_by_code(t_practice, "LDHC2425");
	svc_ms = service_by_code(t_practice, "MS2425");
	svc_vfp = service_by_code(t_practice, "VFP2425");
	svc_ncd2526 = service_by_code(t_practice, "NCD2526");
	svc_qof2425 = service_by_code(t_practice, "QOF2425");

	test_cluster_tasks();
	test_lists();
	test_view();
	test_create_rules();
	test_network();
	test_transitions();
	test_race();

	apitest_done();
	free(t_practice);
	free(t_view);
	free(t_comm);
	free(t_cluster);
	free(t_other);
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
