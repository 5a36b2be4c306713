/* test_declarations.c: API tests of declarations and approvals (issue 7)
 * over real HTTP against the real cqrsd with the demo database: listing
 * with filters and pounds only for those allowed them; a declaration's
 * checklist; declaring (every item ticked, the version read, the right
 * role); approval, financial approval and return by the right roles only,
 * row by row with Select-All style requests; the tasks each step moves to
 * the next actor's Home; the lock after financial approval; and the
 * reversion to Awaiting Service Provider Approval when data change. TAP,
 * one line per case; limited to 180 s. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"
#include "dates.h"



static char *t_practice, *t_view, *t_pcn, *t_comm, *t_appr, *t_fin, *t_cluster, *t_other;
static json_int_t svc_ms, svc_ncd;
static json_int_t d_apr, d_may, d_jun; /* the demo's Minor Surgery declarations */

/* ------------------------------------------------------------ helpers */


static json_t *decls(void)
{
	return J("declarations");
}

/* The row of R's declarations for id, or NULL. */
static json_t *decl_row(json_int_t id)
{
	size_t i;
	json_t *d;
	json_array_foreach(decls(), i, d)
		if (jint(d, "id") == id)
			return d;
	return NULL;
}

/* The declaration of achievement ach as token lists them, or 0. */
static json_int_t decl_of_achievement(const char *token, json_int_t ach)
{
	GET(token, "/api/v1/declarations");
	size_t i;
	json_t *d;
	json_array_foreach(decls(), i, d)
		if (jint(json_object_get(d, "achievement"), "id") == ach)
			return jint(d, "id");
	return 0;
}

/* The declaration of the demo practice's Minor Surgery at date. */
static json_int_t decl_on(const char *date)
{
	GET(t_practice, F("/api/v1/declarations?service=%lld", (long long)svc_ms));
	size_t i;
	json_t *d;
	json_array_foreach(decls(), i, d)
		if (streq(jstr(json_object_get(d, "achievement"), "date"), date))
			return jint(d, "id");
	return 0;
}

/* The status of declaration id as the practice sees it (static). */
static const char *status_of(json_int_t id)
{
	static char out[32];
	struct http_resp r;
	http_get(&srv, F("/api/v1/declarations/%lld", (long long)id), t_practice, &r);
	strlcpy_s(out, jstr(r.json, "status") ? jstr(r.json, "status") : "", sizeof out);
	http_resp_free(&r);
	return out;
}

static json_int_t version_of(json_int_t id)
{
	struct http_resp r;
	http_get(&srv, F("/api/v1/declarations/%lld", (long long)id), t_practice, &r);
	json_int_t v = jint(r.json, "version");
	http_resp_free(&r);
	return v;
}

/* The checklist ids of declaration id as a JSON array text, the first
 * n of them (n < 0: all); static. */
static const char *ticks(json_int_t id, int n)
{
	static char out[512];
	struct http_resp r;
	http_get(&srv, F("/api/v1/declarations/%lld", (long long)id), t_practice, &r);
	strlcpy_s(out, "[", sizeof out);
	size_t i;
	json_t *item;
	int k = 0;
	json_array_foreach(json_object_get(r.json, "checklist"), i, item) {
		if (n >= 0 && k >= n)
			break;
		if (k++)
			strncat(out, ", ", sizeof out - strlen(out) - 1);
		strncat(out, "\"", sizeof out - strlen(out) - 1);
		strncat(out, jstr(item, "id") ? jstr(item, "id") : "", sizeof out - strlen(out) - 1);
		strncat(out, "\"", sizeof out - strlen(out) - 1);
	}
	strncat(out, "]", sizeof out - strlen(out) - 1);
	http_resp_free(&r);
	return out;
}

static void declare(const char *token, json_int_t id, json_int_t version, const char *ticked,
		    const char *notes)
{
	POST(token, F("/api/v1/declarations/%lld/declare", (long long)id),
	     F("{\"version\": %lld, \"ticked\": %s%s%s%s}", (long long)version, ticked,
	       notes ? ", \"notes\": \"" : "", notes ? notes : "", notes ? "\"" : ""));
}

/* Declares id as the practice with every item ticked and the current version. */
static bool declare_all(json_int_t id, const char *notes)
{
	char *t = xstrdup(ticks(id, -1));
	declare(t_practice, id, version_of(id), t, notes);
	free(t);
	return R.status == 200;
}

/* POST /declarations/actions with ids (a JSON array text) and a reason. */
static void dact(const char *token, const char *action, const char *ids, const char *reason)
{
	POST(token, "/api/v1/declarations/actions",
	     F("{\"action\": \"%s\", \"declarations\": %s%s%s%s}", action, ids,
	       reason ? ", \"reason\": \"" : "", reason ? reason : "", reason ? "\"" : ""));
}

static const char *one(json_int_t id)
{
	return F("[%lld]", (long long)id);
}

static json_t *row(json_int_t id)
{
	size_t i;
	json_t *x;
	json_array_foreach(J("results"), i, x)
		if (jint(x, "id") == id)
			return x;
	return NULL;
}

static bool row_ok(json_int_t id, const char *status)
{
	json_t *x = row(id);
	return x && json_is_true(json_object_get(x, "ok")) && streq(jstr(x, "status"), status);
}

/* Row id failed with code and a message containing needle (NULL: any). */
static bool row_failed(json_int_t id, const char *code, const char *needle)
{
	json_t *x = row(id);
	return x && json_is_false(json_object_get(x, "ok")) && streq(jstr(x, "code"), code) &&
	       jstr(x, "message") && (!needle || contains(jstr(x, "message"), needle));
}

/* The id of token's open task of kind about declaration id, or 0. */
static json_int_t task_of(const char *token, const char *kind, json_int_t id)
{
	return task_with(token, "declaration", kind, id);
}

/* Number of token's open tasks about declaration id. */
static int tasks_about(const char *token, json_int_t id)
{
	return tasks_with(token, "declaration", id);
}

/* Exactly who has a task about declaration id: the practice's declarer,
 * the approver, the finance user (each 0 or 1). */
static bool tasks_are(json_int_t id, int practice, int approver, int finance)
{
	int p = tasks_about(t_practice, id), a = tasks_about(t_appr, id), f = tasks_about(t_fin, id);
	if (p == practice && a == approver && f == finance)
		return true;
	tap_diag("tasks about declaration %lld: practice %d, approver %d, finance %d", (long long)id,
		 p, a, f);
	return false;
}

/* ------------------------------------------------------------ listing */

/* Rows of the last list whose achievement date is date. */
static size_t rows_on(const char *date)
{
	size_t i, n = 0;
	json_t *d;
	json_array_foreach(decls(), i, d)
		n += streq(jstr(json_object_get(d, "achievement"), "date"), date);
	return n;
}

/* True if the last list is in newest-achievement-date-first order. */
static bool newest_first(void)
{
	size_t i;
	json_t *d;
	const char *prev = NULL;
	json_array_foreach(decls(), i, d) {
		const char *date = jstr(json_object_get(d, "achievement"), "date");
		if (!date || (prev && strcmp(prev, date) < 0))
			return false;
		prev = date;
	}
	return true;
}

static void test_list(void)
{
	/* The demo, on its business date 10/04/2025: Minor Surgery April 2024
	 * financially approved, May awaiting the commissioner, June and the
	 * recent months (December to February) awaiting the practice, and the
	 * QOF year end (31/03/2025) awaiting the practice. */
	GET(t_practice, "/api/v1/declarations");
	json_t *d0 = json_array_get(decls(), 0);
	json_t *ach = json_object_get(d0, "achievement");
	size_t all = json_array_size(decls());
	ck(R.status == 200 && all == 7 && newest_first() && d0 &&
	   json_is_integer(json_object_get(d0, "pence")) && json_object_get(d0, "updated_at") &&
	   jint(ach, "id") > 0 && streq(jstr(ach, "date"), "2025-03-31") &&
	   json_is_true(json_object_get(ach, "payment")) && jstr(ach, "status") &&
	   streq(jstr(json_object_get(d0, "organisation"), "code"), "A81001") &&
	   json_object_get(d0, "service") && json_object_get(d0, "declared_by") &&
	   json_object_get(d0, "declared_at") && json_object_get(d0, "notes"),
	   "practice: seven declarations, newest achievement date first, with every field");
	ck(streq(jstr(decl_row(d_may), "declared_by"), "Priya Shah"), "the list says who declared");
	GET(t_practice, "/api/v1/declarations?status=AWAITING_PROVIDER");
	ck(R.status == 200 && json_array_size(decls()) == 5 && decl_row(d_jun) && !decl_row(d_may) &&
	   rows_on("2025-03-31") == 1,
	   "?status=AWAITING_PROVIDER: June, December to February, and the QOF year end");
	GET(t_practice, "/api/v1/declarations?status=AWAITING_COMMISSIONER");
	ck(R.status == 200 && json_array_size(decls()) == 1 && decl_row(d_may),
	   "?status=AWAITING_COMMISSIONER: May only");
	GET(t_practice, "/api/v1/declarations?status=FINANCIALLY_APPROVED");
	ck(R.status == 200 && json_array_size(decls()) == 1 && decl_row(d_apr),
	   "?status=FINANCIALLY_APPROVED: April only");
	GET(t_practice, F("/api/v1/declarations?service=%lld", (long long)svc_ms));
	ck(R.status == 200 && json_array_size(decls()) == 6 && rows_on("2025-03-31") == 0,
	   "?service=Minor Surgery: April to June and December to February (March has no data yet)");
	GET(t_practice, F("/api/v1/declarations?service=%lld", (long long)svc_ncd));
	ck(R.status == 200 && json_array_size(decls()) == 0, "?service=NCD 2024/25: none");
	GET(t_practice, "/api/v1/declarations?year=2024/25&organisation=A81001");
	ck(R.status == 200 && json_array_size(decls()) == all,
	   "?year=2024/25&organisation=A81001: all seven");
	GET(t_practice, "/api/v1/declarations?year=2023/24");
	ck(R.status == 200 && json_array_size(decls()) == 0, "?year=2023/24: none");
	/* Paging like GET /offers: limit (1 to 200), offset, q; total. */
	GET(t_practice, "/api/v1/declarations");
	json_t *whole = json_incref(decls());
	bool bare = !json_object_get(R.json, "total") && !json_object_get(R.json, "limit");
	bool same = true;
	for (int64_t off = 0; off < 7; off += 3) {
		GET(t_practice, F("/api/v1/declarations?limit=3&offset=%lld", (long long)off));
		same = same && R.status == 200 && jint(R.json, "total") == 7 &&
		       jint(R.json, "limit") == 3 && jint(R.json, "offset") == off &&
		       json_array_size(decls()) == (off == 6 ? 1 : 3);
		for (size_t k = 0; same && k < json_array_size(decls()); k++)
			same = jint(json_array_get(decls(), k), "id") ==
			       jint(json_array_get(whole, (size_t)off + k), "id");
	}
	json_decref(whole);
	ck(bare && same, "pages of 3 (offset 0, 3, 6) are the whole list's rows in order, total 7;"
	   " the whole list has no paging members");
	GET(t_practice, "/api/v1/declarations?limit=50&q=minor%20surg");
	ck(R.status == 200 && jint(R.json, "total") == 6 && json_array_size(decls()) == 6,
	   "?q=minor surg: the six Minor Surgery declarations");
	GET(t_practice, "/api/v1/declarations?limit=50&q=a81001");
	ck(R.status == 200 && jint(R.json, "total") == 7, "?q=a81001: the practice's code, any case");
	GET(t_practice, "/api/v1/declarations?limit=0");
	ck(is_err(400, "bad_query", "limit", NULL), "?limit=0: 400 naming limit");
	GET(t_practice, "/api/v1/declarations?limit=201");
	ck(is_err(400, "bad_query", "limit", NULL), "?limit=201: 400 naming limit");
	GET(t_practice, "/api/v1/declarations?limit=5&offset=-1");
	ck(is_err(400, "bad_query", "offset", NULL), "?offset=-1: 400 naming offset");
	GET(t_practice, "/api/v1/declarations?organisation=A81004");
	ck(is_err(404, "not_found", "organisation", NULL), "practice: another practice's declarations: 404");
	GET(t_appr, "/api/v1/declarations?organisation=L83002");
	ck(is_err(404, "not_found", "organisation", NULL), "approver: another ICB's practice: 404");
	GET(t_practice, "/api/v1/declarations?status=APPROVED");
	ck(is_err(400, "bad_query", "status", NULL), "?status=APPROVED: 400 bad_query");
	GET(t_practice, "/api/v1/declarations?year=2024");
	ck(is_err(400, "bad_query", "year", NULL), "?year=2024: 400 bad_query");
	GET(t_practice, "/api/v1/declarations?service=x");
	ck(is_err(400, "bad_query", "service", NULL), "?service=x: 400 bad_query");
	GET(t_appr, "/api/v1/declarations?status=AWAITING_COMMISSIONER");
	ck(R.status == 200 && json_array_size(decls()) == 3 && decl_row(d_may) &&
	   json_is_integer(json_object_get(decl_row(d_may), "pence")) &&
	   rows_on("2022-02-28") == 1 && rows_on("2022-03-31") == 1,
	   "approver: Declaration Management's list, awaiting approval, with pounds (MS May and"
	   " the two NCD 2021/22 PCN declarations)");
	GET(t_other, "/api/v1/declarations");
	ck(R.status == 200 && !decl_row(d_may) && !decl_row(d_jun) && !decl_row(d_apr),
	   "another ICB's practice sees none of them");
	GET(t_other, F("/api/v1/declarations/%lld", (long long)d_jun));
	ck(is_err(404, "not_found", NULL, NULL), "... and GET one of them is 404");

	/* Pounds: hidden from the View user, in the list and the detail. */
	GET(t_view, "/api/v1/declarations");
	bool none = json_array_size(decls()) == all;
	size_t i;
	json_t *d;
	json_array_foreach(decls(), i, d)
		none = none && !json_object_get(d, "pence");
	ck(R.status == 200 && none, "View user: the list without pence (absent, not zero)");
	GET(t_view, F("/api/v1/declarations/%lld", (long long)d_jun));
	ck(R.status == 200 && !json_object_get(R.json, "pence") && json_object_get(R.json, "checklist"),
	   "View user: the detail without pence");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_jun));
	ck(R.status == 200 && json_integer_value(json_object_get(R.json, "pence")) > 0,
	   "practice (Declaration Management, Finance View): the detail with pence");
	GET(t_practice, "/api/v1/declarations/999999");
	ck(is_err(404, "not_found", NULL, NULL), "GET /declarations/999999: 404");
}

/* ------------------------------------------------------------ declaring */

static void test_declare(void)
{
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_jun));
	json_t *cl = J("checklist");
	json_t *h0 = json_array_get(J("history"), 0);
	bool items = json_array_size(cl) == 2;
	size_t i;
	json_t *it;
	json_array_foreach(cl, i, it)
		items = items && streq(jstr(it, "kind"), "statement") && jstr(it, "id") &&
			jstr(it, "id")[0] == 'S' && jstr(it, "text") && *jstr(it, "text") &&
			json_is_false(json_object_get(it, "ticked"));
	ck(R.status == 200 && items, "June: a checklist of two unticked statements");
	ck(streq(jstr(R.json, "status"), "AWAITING_PROVIDER") && json_is_integer(J("version")) &&
	   json_is_true(J("can_declare")) && !J("blocked") && streq(jstr(h0, "to"), "AWAITING_PROVIDER"),
	   "June: awaiting the provider, a version, can_declare, its history");
	GET(t_view, F("/api/v1/declarations/%lld", (long long)d_jun));
	ck(R.status == 200 && json_is_false(J("can_declare")), "View user: can_declare false");
	GET(t_appr, F("/api/v1/declarations/%lld", (long long)d_jun));
	ck(R.status == 200 && json_is_false(J("can_declare")), "approver: can_declare false");
	ck(task_of(t_practice, "DECLARATION", d_jun) != 0 && tasks_are(d_jun, 1, 0, 0),
	   "June's DECLARATION task is on the practice's Home, nobody else's");

	json_int_t v = version_of(d_jun);
	char *all = xstrdup(ticks(d_jun, -1));
	char *first = xstrdup(ticks(d_jun, 1));
	declare(t_view, d_jun, v, all, NULL);
	ck(is_err(403, "forbidden", NULL, "Declaration Management"), "View user declaring: 403");
	declare(t_appr, d_jun, v, all, NULL);
	ck(is_err(403, "forbidden", NULL, NULL), "approver declaring for the practice: 403");
	declare(t_practice, d_jun, v, first, NULL);
	ck(is_err(400, "bad_field", "ticked", "1 of 2 ticked"),
	   "one of two ticked: 400 \"tick every statement before declaring: 1 of 2 ticked\"");
	declare(t_practice, d_jun, v, "[]", NULL);
	ck(is_err(400, "bad_field", "ticked", "0 of 2 ticked"), "none ticked: 400 \"0 of 2 ticked\"");
	declare(t_practice, d_jun, v, F("[%s, \"S99999\"]", first + 1 < first + strlen(first) - 1 ?
					 F("%.*s", (int)strlen(first) - 2, first + 1) : "\"\""),
		NULL);
	ck(is_err(400, "bad_field", "ticked[1]", "S99999"), "an unknown checklist item: 400 naming ticked[1]");
	declare(t_practice, d_jun, v, F("[%.*s, %.*s]", (int)strlen(first) - 2, first + 1,
					(int)strlen(first) - 2, first + 1), NULL);
	ck(is_err(400, "bad_field", NULL, "twice"), "an item ticked twice: 400");
	declare(t_practice, d_jun, v, "[19]", NULL);
	ck(is_err(400, "bad_field", "ticked[0]", NULL), "an item given as a number: 400");
	POST(t_practice, F("/api/v1/declarations/%lld/declare", (long long)d_jun),
	     F("{\"ticked\": %s}", all));
	ck(is_err(400, "bad_field", "version", NULL), "no version: 400 naming version");
	POST(t_practice, F("/api/v1/declarations/%lld/declare", (long long)d_jun),
	     F("{\"version\": %lld, \"ticked\": %s, \"signed\": true}", (long long)v, all));
	ck(is_err(400, "unknown_field", "signed", NULL), "an unknown field: 400 unknown_field");
	declare(t_practice, d_jun, v + 1, all, NULL);
	ck(is_err(409, "conflict", NULL, NULL), "a version other than the one read: 409");
	declare(t_practice, 999999, v, all, NULL);
	ck(is_err(404, "not_found", NULL, NULL), "declaring an unknown declaration: 404");
	ck(streq(status_of(d_jun), "AWAITING_PROVIDER") && version_of(d_jun) == v,
	   "after the refusals June is unchanged");

	declare(t_practice, d_jun, v, all, "Checked against the minor surgery log.");
	ck(R.status == 200 && jint(R.json, "id") == d_jun &&
	   streq(jstr(R.json, "status"), "AWAITING_COMMISSIONER") && jstr(R.json, "message"),
	   "practice declares June with every statement ticked: 200, Awaiting Commissioning Organisation Approval");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_jun));
	json_t *h = json_array_get(J("history"), 0);
	bool ticked = json_array_size(J("checklist")) == 2;
	json_array_foreach(J("checklist"), i, it)
		ticked = ticked && json_is_true(json_object_get(it, "ticked"));
	ck(ticked && streq(jstr(h, "from"), "AWAITING_PROVIDER") && streq(jstr(h, "to"), "AWAITING_COMMISSIONER") &&
	   streq(jstr(h, "user_id"), "demo.practice") && json_is_false(J("can_declare")) &&
	   streq(jstr(R.json, "notes"), "Checked against the minor surgery log."),
	   "the declaration shows the ticks, the notes and the step in its history (newest first)");
	ck(tasks_are(d_jun, 0, 1, 0) && task_of(t_appr, "DECLARATION_APPROVAL", d_jun),
	   "the practice's task is cleared and a DECLARATION_APPROVAL task is on the approver's Home");
	declare(t_practice, d_jun, version_of(d_jun), all, NULL);
	ck(is_err(409, "conflict", NULL, "no longer awaiting"), "declaring twice: 409");
	free(all);
	free(first);
}

/* ------------------------------------------------------------ approving */

static void test_approve(void)
{
	dact(t_fin, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "forbidden", "Approval Management"),
	   "demo.finance approving: row forbidden (Approval Management only)");
	dact(t_practice, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "forbidden", NULL), "the practice approving: row forbidden");
	dact(t_comm, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "forbidden", NULL),
	   "the commissioner (Commissioning Management) approving: row forbidden");
	dact(t_cluster, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "forbidden", NULL), "the cluster user approving: row forbidden");
	dact(t_appr, "financially_approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "forbidden", "Finance Management"),
	   "the approver financially approving: row forbidden (Finance Management only)");
	dact(t_other, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "not_found", NULL), "another ICB's practice user: row not_found");
	ck(streq(status_of(d_jun), "AWAITING_COMMISSIONER"), "after the refusals June still awaits approval");

	dact(t_appr, "authorise", one(d_jun), NULL);
	ck(is_err(400, "bad_field", "action", NULL), "an unknown action: 400");
	dact(t_appr, "approve", "[]", NULL);
	ck(is_err(400, "bad_field", "declarations", NULL), "no declarations: 400");
	dact(t_appr, "approve", "[\"2\"]", NULL);
	ck(is_err(400, "bad_field", "declarations[0]", NULL), "an id as text: 400 naming declarations[0]");
	dact(t_appr, "return", one(d_jun), NULL);
	ck(is_err(400, "bad_field", "reason", NULL), "return without a reason: 400 naming reason");
	dact(t_appr, "return", one(d_jun), "");
	ck(is_err(400, "bad_field", "reason", NULL), "return with an empty reason: 400");
	dact(t_appr, "return", one(d_jun), "   \\t ");
	ck(is_err(400, "bad_field", "reason", "only spaces"),
	   "return with a reason of only spaces and a tab: 400 naming reason");
	POST(t_appr, "/api/v1/declarations/actions",
	     F("{\"action\": \"approve\", \"declarations\": [%lld], \"when\": 1}", (long long)d_jun));
	ck(is_err(400, "unknown_field", "when", NULL), "an unknown field: 400 unknown_field");
	ck(streq(status_of(d_jun), "AWAITING_COMMISSIONER"), "nothing changed");

	/* Select All: two to approve, one final, one unknown. */
	dact(t_appr, "approve", F("[%lld, %lld, %lld, 999999]", (long long)d_jun, (long long)d_may,
				  (long long)d_apr), NULL);
	json_t *res = J("results");
	ck(R.status == 200 && json_array_size(res) == 4 && jint(json_array_get(res, 0), "id") == d_jun &&
	   jint(R.json, "succeeded") == 2 && jint(R.json, "failed") == 2,
	   "approver approves four at once: four rows in order, 2 succeeded, 2 failed");
	ck(row_ok(d_jun, "AWAITING_FINANCE") && row_ok(d_may, "AWAITING_FINANCE") &&
	   streq(jstr(row(d_jun), "organisation"), "A81001"),
	   "June and May: approved, now Awaiting Financial Approval");
	ck(row_failed(d_apr, "conflict", "financially approved"),
	   "April: refused, it is financially approved and final");
	ck(row_failed(999999, "not_found", NULL), "an unknown id: not_found");
	ck(tasks_are(d_jun, 0, 0, 1) && task_of(t_fin, "DECLARATION_FINANCE", d_jun) &&
	   tasks_are(d_may, 0, 0, 1) && task_of(t_fin, "DECLARATION_FINANCE", d_may),
	   "the approver's tasks are cleared; DECLARATION_FINANCE tasks are on the finance user's Home");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_jun));
	json_t *h = json_array_get(J("history"), 0);
	ck(streq(jstr(h, "to"), "AWAITING_FINANCE") && streq(jstr(h, "user_id"), "demo.approver"),
	   "the history says the approver moved it");
	dact(t_appr, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "conflict", "AWAITING_FINANCE"),
	   "approving twice: conflict saying it is awaiting finance");

	/* Return from finance, with the reason; declare again; return from the approver. */
	dact(t_fin, "return", one(d_may), "MS02 count to be checked");
	ck(R.status == 200 && row_ok(d_may, "AWAITING_PROVIDER"),
	   "demo.finance returns May to the provider");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_may));
	h = json_array_get(J("history"), 0);
	ck(contains(jstr(h, "note"), "MS02 count to be checked") && streq(jstr(h, "user_id"), "demo.finance") &&
	   streq(jstr(h, "from"), "AWAITING_FINANCE") && streq(jstr(h, "to"), "AWAITING_PROVIDER"),
	   "May's history holds the return with its reason");
	ck(tasks_are(d_may, 1, 0, 0) && task_of(t_practice, "DECLARATION", d_may),
	   "the finance task is cleared and a DECLARATION task is back on the practice's Home");
	dact(t_fin, "return", one(d_may), "again");
	ck(R.status == 200 && row_failed(d_may, "conflict", NULL), "returning it twice: conflict");
	dact(t_appr, "approve", one(d_may), NULL);
	ck(R.status == 200 && row_failed(d_may, "conflict", "not declared"),
	   "approving before the provider declares again: conflict");
	ck(declare_all(d_may, "Rechecked."), "the practice declares May again");
	ck(tasks_are(d_may, 0, 1, 0), "... the approver has the task again");
	dact(t_appr, "return", one(d_may), "Wrong month attached");
	ck(R.status == 200 && row_ok(d_may, "AWAITING_PROVIDER") && tasks_are(d_may, 1, 0, 0),
	   "the approver returns it too: Awaiting Service Provider Approval, task back with the practice");
}

/* ------------------------------------------------------------ financial approval */

static void test_finance(void)
{
	dact(t_fin, "financially_approve", F("[%lld, %lld, 999999]", (long long)d_jun, (long long)d_may),
	     NULL);
	ck(R.status == 200 && jint(R.json, "succeeded") == 1 && jint(R.json, "failed") == 2 &&
	   row_ok(d_jun, "FINANCIALLY_APPROVED"), "finance financially approves June (row by row, 1 of 3)");
	ck(row_failed(d_may, "conflict", "not declared"), "May (awaiting the provider): conflict");
	ck(row_failed(999999, "not_found", NULL), "an unknown id: not_found");
	ck(tasks_are(d_jun, 0, 0, 0), "every task about June is cleared");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_jun));
	json_t *h = json_array_get(J("history"), 0);
	ck(streq(jstr(R.json, "status"), "FINANCIALLY_APPROVED") && streq(jstr(h, "user_id"), "demo.finance") &&
	   json_is_false(J("can_declare")), "June is Financially Approved, by demo.finance");
	json_int_t v = version_of(d_jun);

	/* Final: every change refused. */
	dact(t_appr, "approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "conflict", "financially approved"),
	   "approving it again: conflict \"financially approved\"");
	dact(t_fin, "financially_approve", one(d_jun), NULL);
	ck(R.status == 200 && row_failed(d_jun, "conflict", "financially approved"),
	   "financially approving it again: conflict");
	dact(t_fin, "return", one(d_jun), "too late");
	ck(R.status == 200 && row_failed(d_jun, "conflict", "financially approved"),
	   "finance returning it: conflict \"financially approved\"");
	dact(t_appr, "return", one(d_jun), "too late");
	ck(R.status == 200 && row_failed(d_jun, "conflict", "financially approved"),
	   "the approver returning it: conflict");
	char *all = xstrdup(ticks(d_jun, -1));
	declare(t_practice, d_jun, v, all, NULL);
	free(all);
	ck(is_err(409, "conflict", NULL, NULL), "declaring it: 409");

	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_jun));
	json_int_t ach = jint(J("achievement"), "id");
	GET(t_comm, F("/api/v1/achievements/%lld", (long long)ach));
	json_int_t g = jint(json_array_get(J("groups"), 0), "id");
	ck(R.status == 200 && json_is_false(J("can_edit")) && contains(jstr(R.json, "reason"), "financially approved"),
	   "its achievement is read-only even for the commissioner, saying why");
	GET(t_comm, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)g));
	json_int_t gv = jint(R.json, "version");
	const char *code = jstr(json_array_get(J("indicators"), 0), "code");
	char *c = xstrdup(code ? code : "MS01");
	PUT(t_comm, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)g),
	    F("{\"mode\": \"submit\", \"version\": %lld, \"values\": [{\"indicator\": \"%s\", \"value\": \"99\"}]}",
	      (long long)gv, c));
	ck(is_err(409, "final", NULL, "financially approved on"),
	   "submitting data to it: 409 final, \"financially approved on\" a date");
	PUT(t_practice, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)g),
	    F("{\"mode\": \"wip\", \"version\": %lld, \"values\": [{\"indicator\": \"%s\", \"value\": \"99\"}]}",
	      (long long)gv, c));
	ck(is_err(409, "final", NULL, "financially approved on"),
	   "saving work in progress on it: 409 final");
	free(c);
	ck(version_of(d_jun) == v && streq(status_of(d_jun), "FINANCIALLY_APPROVED"), "June is unchanged");
}

/* ------------------------------------------------------------ reversion */

static void submit_ms(const char *token, json_int_t ach, json_int_t g, const char *mode, int ms01)
{
	PUT(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)g),
	    F("{\"mode\": \"%s\", \"version\": %lld, \"values\": [{\"indicator\": \"MS01\", \"value\": \"%d\"},"
	      " {\"indicator\": \"MS02\", \"value\": \"4\"}, {\"indicator\": \"MS03\", \"value\": \"6\"}]}",
	      mode, (long long)form_version(token, ach, g), ms01));
}

static void test_reversion(void)
{
	GET(t_practice, F("/api/v1/achievements?organisation=A81001&service=%lld", (long long)svc_ms));
	json_int_t mar = jint(json_array_get(J("achievements"), 0), "id");
	json_int_t g = group_of(t_practice, mar, "MS");
	submit_ms(t_practice, mar, g, "wip", 11);
	ck(R.status == 200 && decl_of_achievement(t_practice, mar) == 0,
	   "work in progress at a payment date creates no declaration");
	submit_ms(t_practice, mar, g, "submit", 11);
	json_int_t d = decl_of_achievement(t_practice, mar);
	ck(d && streq(status_of(d), "AWAITING_PROVIDER"),
	   "the first submission at a payment date creates a declaration awaiting the provider");
	ck(tasks_are(d, 1, 0, 0) && task_of(t_practice, "DECLARATION", d),
	   "... with a DECLARATION task on the practice's Home");
	ck(declare_all(d, "March checked."), "the practice declares March");
	ck(streq(status_of(d), "AWAITING_COMMISSIONER") && tasks_are(d, 0, 1, 0),
	   "March awaits the approver, whose Home has the task");
	json_int_t v = version_of(d);

	submit_ms(t_practice, mar, g, "submit", 11);
	ck(R.status == 200 && json_is_false(J("stored")) && streq(status_of(d), "AWAITING_COMMISSIONER"),
	   "submitting identical values stores nothing and leaves the declaration alone");
	/* A note with unchanged values is stored, and nothing else moves. */
	PUT(t_practice, F("/api/v1/achievements/%lld/groups/%lld", (long long)mar, (long long)g),
	    F("{\"mode\": \"submit\", \"version\": %lld, \"notes\": \"Checked against the log.\","
	      " \"values\": [{\"indicator\": \"MS01\", \"value\": \"11\"},"
	      " {\"indicator\": \"MS02\", \"value\": \"4\"}, {\"indicator\": \"MS03\", \"value\": \"6\"}]}",
	      (long long)form_version(t_practice, mar, g)));
	ck(R.status == 200 && json_is_true(J("stored")) && contains(jstr(R.json, "message"), "Note stored") &&
	   streq(jstr(json_array_get(json_object_get(J("form"), "notes"), 0), "notes"),
		 "Checked against the log."),
	   "a note typed with unchanged values is stored and is the form's last note");
	ck(streq(status_of(d), "AWAITING_COMMISSIONER") && version_of(d) == v,
	   "... and the declaration is left alone (no recalculation, no reversion)");
	/* The form warns before a submission that would revert it. */
	GET(t_practice, F("/api/v1/achievements/%lld/groups/%lld", (long long)mar, (long long)g));
	ck(contains(jstr(R.json, "submit_reverts"), "awaiting the commissioner's approval") &&
	   contains(jstr(R.json, "submit_reverts"), "declare again"),
	   "the group form says a submission sends the declaration back (submit_reverts)");
	submit_ms(t_practice, mar, g, "submit", 12);
	ck(R.status == 200 && json_is_true(J("stored")) &&
	   contains(jstr(R.json, "message"), "went back to the provider"),
	   "the practice submits a changed MS01; the answer says the declaration went back");
	GET(t_practice, F("/api/v1/achievements/%lld/groups/%lld", (long long)mar, (long long)g));
	ck(R.status == 200 && !json_object_get(R.json, "submit_reverts"),
	   "awaiting the provider again, a submission would revert nothing (no submit_reverts)");
	{
		GET(t_practice, F("/api/v1/declarations/%lld", (long long)d));
		size_t i, ticked = 0, n = json_array_size(J("checklist"));
		json_t *it;
		json_array_foreach(J("checklist"), i, it)
			ticked += json_is_true(json_object_get(it, "ticked"));
		ck(n > 0 && ticked == 0, "after the reversion no statement is ticked (%zu of %zu)", ticked, n);
		char date[11];
		date_display(jstr(J("achievement"), "date"), date);
		json_int_t task = task_of(t_practice, "DECLARATION", d);
		GET(t_practice, "/api/v1/tasks");
		json_t *tk;
		const char *title = "";
		json_array_foreach(J("tasks"), i, tk)
			if (jint(tk, "id") == task)
				title = jstr(tk, "title");
		const char *at = strstr(title, date), *org = strstr(title, "A81001");
		ck(at && org && at - title < 40 && org - title < 40,
		   "the task title has the date and the practice first: %s", title);
	}
	declare(t_practice, d, version_of(d), "[]", NULL);
	ck(is_err(400, "bad_field", "ticked", "tick every statement"),
	   "declaring again without ticking the statements again: 400");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d));
	json_t *h = json_array_get(J("history"), 0);
	ck(streq(jstr(R.json, "status"), "AWAITING_PROVIDER") && json_is_true(J("can_declare")) &&
	   streq(jstr(h, "from"), "AWAITING_COMMISSIONER") && streq(jstr(h, "to"), "AWAITING_PROVIDER") &&
	   contains(jstr(h, "note"), "the data changed and were recalculated; declare again"),
	   "the declaration goes back to Awaiting Service Provider Approval with the history note");
	ck(tasks_are(d, 1, 0, 0), "the approver's task is cleared; the practice must declare again");
	char *all = xstrdup(ticks(d, -1));
	declare(t_practice, d, v, all, NULL);
	free(all);
	ck(is_err(409, "conflict", NULL, NULL), "declaring with the version read before the change: 409");
	ck(declare_all(d, "Declared again after the correction."), "declaring with the new version: 200");

	/* From Awaiting Financial Approval, through the commissioner's entry. */
	ck(declare_all(d_may, "May, third time."), "the practice declares May again");
	dact(t_appr, "approve", one(d_may), NULL);
	ck(row_ok(d_may, "AWAITING_FINANCE") && tasks_are(d_may, 0, 0, 1), "May is approved: awaiting finance");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_may));
	json_int_t may_ach = jint(J("achievement"), "id");
	json_int_t mg = group_of(t_comm, may_ach, "MS");
	submit_ms(t_comm, may_ach, mg, "submit", 18);
	ck(R.status == 200 && json_is_true(J("stored")),
	   "the commissioner corrects May's data on the practice's behalf (outside the practice's window)");
	GET(t_practice, F("/api/v1/declarations/%lld", (long long)d_may));
	h = json_array_get(J("history"), 0);
	ck(streq(jstr(R.json, "status"), "AWAITING_PROVIDER") && streq(jstr(h, "from"), "AWAITING_FINANCE") &&
	   contains(jstr(h, "note"), "declare again"),
	   "May goes back from Awaiting Financial Approval to Awaiting Service Provider Approval");
	ck(tasks_are(d_may, 1, 0, 0), "the finance task is cleared; the practice has the task");

	/* The PCN's grants reach its member practices for viewing only
	 * (docs/api.md, Scope): it cannot declare a practice-level service. */
	char *t = xstrdup(ticks(d_may, -1));
	declare(t_pcn, d_may, version_of(d_may), t, NULL);
	free(t);
	ck(is_err(403, "forbidden", NULL, NULL),
	   "the PCN user declaring a member practice's Minor Surgery: 403");
	ck(streq(status_of(d_may), "AWAITING_PROVIDER"), "... and May still awaits the practice");
}

/* ------------------------------------------------------------ a PCN's declaration */

static void submit_vals(const char *token, json_int_t ach, json_int_t g, const char *values)
{
	PUT(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)g),
	    F("{\"mode\": \"submit\", \"version\": %lld, \"values\": %s}",
	      (long long)form_version(token, ach, g), values));
}

/* Declares id as token with every checklist item ticked (read as token). */
static void declare_as(const char *token, json_int_t id, const char *notes)
{
	struct http_resp r;
	http_get(&srv, F("/api/v1/declarations/%lld", (long long)id), token, &r);
	json_t *ids = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "checklist"), i, item)
		json_array_append(ids, json_object_get(item, "id"));
	char *text = json_dumps(ids, JSON_COMPACT);
	json_int_t v = jint(r.json, "version");
	http_resp_free(&r);
	declare(token, id, v, text, notes);
	free(text);
	json_decref(ids);
}

static const char *decl_status_as(const char *token, json_int_t id)
{
	static char out[32];
	struct http_resp r;
	http_get(&srv, F("/api/v1/declarations/%lld", (long long)id), token, &r);
	strlcpy_s(out, jstr(r.json, "status") ? jstr(r.json, "status") : "", sizeof out);
	http_resp_free(&r);
	return out;
}

static void test_network_declaration(void)
{
	/* Complete Tees Riverside's 31 March 2025 network data: the demo
	 * practice's own gaps, and Riverbank's through the commissioner. */
	json_int_t p1 = ach_on(t_practice, "A81001", svc_ncd, "2025-03-31");
	json_int_t rb = ach_on(t_comm, "A81004", svc_ncd, "2025-03-31");
	json_int_t iif = group_of(t_practice, p1, "IIF"), acc = group_of(t_practice, p1, "ACC");
	json_int_t ea = group_of(t_practice, p1, "EA"), rb_acc = group_of(t_comm, rb, "ACC");
	ck(p1 && rb && iif && acc && ea && rb_acc, "the NCD 2024/25 31/03/2025 member achievements exist");
	GET(t_pcn, "/api/v1/declarations?organisation=U60172");
	ck(R.status == 200 && rows_on("2025-03-31") == 0 && rows_on("2024-12-31") == 1,
	   "while members' data are incomplete the PCN has no 31/03/2025 declaration yet"
	   " (December's awaits it)");
	submit_vals(t_practice, p1, iif,
		    "[{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"30\", \"denominator\": \"40\"}]");
	bool ok = R.status == 200;
	submit_vals(t_practice, p1, acc, "[{\"indicator\": \"ACC.MI01\", \"value\": \"4000\"},"
		    " {\"indicator\": \"ACC.MI02\", \"value\": \"500\"}]");
	ok = ok && R.status == 200;
	submit_vals(t_comm, rb, rb_acc, "[{\"indicator\": \"ACC.MI01\", \"value\": \"5000\"}]");
	ck(ok && R.status == 200, "the missing member values are submitted");
	GET(t_pcn, "/api/v1/declarations?organisation=U60172");
	json_t *d0 = json_array_get(decls(), 0); /* newest first: 31/03/2025 */
	json_int_t d = jint(d0, "id");
	ck(R.status == 200 && rows_on("2025-03-31") == 1 &&
	   streq(jstr(json_object_get(d0, "achievement"), "date"), "2025-03-31") &&
	   streq(jstr(d0, "status"), "AWAITING_PROVIDER") &&
	   streq(jstr(json_object_get(d0, "organisation"), "code"), "U60172"),
	   "once the network is complete the PCN has a 31/03/2025 declaration awaiting it");
	ck(task_of(t_pcn, "DECLARATION", d) != 0, "... and a DECLARATION task on the PCN user's Home");

	GET(t_pcn, F("/api/v1/declarations/%lld", (long long)d));
	size_t i, nstat = 0, nind = 0;
	json_t *it;
	json_array_foreach(J("checklist"), i, it) {
		if (streq(jstr(it, "kind"), "statement") && jstr(it, "id")[0] == 'S')
			nstat++;
		else if (streq(jstr(it, "kind"), "indicator") && jstr(it, "id")[0] == 'I')
			nind++;
	}
	ck(R.status == 200 && nstat == 3 && nind > 0 && json_is_true(J("can_declare")),
	   "the NCD 2024/25 checklist: 3 statements and one item per payment indicator (%zu)", nind);
	json_int_t v = jint(R.json, "version");
	declare(t_pcn, d, v, "[\"S10\", \"S11\", \"S12\"]", NULL);
	ck(R.status == 400 && (contains(err_msg(), F("3 of %zu ticked", nstat + nind)) ||
			       contains(err_msg(), F("of %zu ticked", nstat + nind))),
	   "declaring with the statements but not the indicators: 400 \"... of %zu ticked\"", nstat + nind);
	declare_as(t_practice, d, NULL);
	ck(R.status == 403 || R.status == 404,
	   "a member practice's declarer cannot declare for the PCN (%ld)", R.status);
	declare_as(t_pcn, d, "Clinical director certified CAIP.");
	ck(R.status == 200 && streq(jstr(R.json, "status"), "AWAITING_COMMISSIONER"),
	   "demo.pcn declares the network achievement through the checklist");
	ck(task_of(t_pcn, "DECLARATION", d) == 0 && task_of(t_appr, "DECLARATION_APPROVAL", d) != 0,
	   "the PCN's task is cleared; the approver has one");

	/* Tick-box: the PCN may change it until it declares, the
	 * commissioner until financial approval (issue 7). It is the PCN's
	 * own value, on the PCN's network achievement (issue 10). */
	p1 = ach_on(t_pcn, "U60172", svc_ncd, "2025-03-31");
	ea = group_of(t_pcn, p1, "EA");
	GET(t_pcn, F("/api/v1/achievements/%lld/groups/%lld", (long long)p1, (long long)ea));
	json_int_t cur = json_integer_value(json_object_get(
		json_object_get(json_array_get(J("indicators"), 0), "current"), "value"));
	submit_vals(t_pcn, p1, ea, F("[{\"indicator\": \"EA.TB01\", \"value\": \"%s\"}]", cur ? "No" : "Yes"));
	ck(R.status == 403, "after declaring, the PCN can no longer change the tick-box (403, got %ld)",
	   R.status);
	if (!streq(decl_status_as(t_pcn, d), "AWAITING_COMMISSIONER"))
		declare_as(t_pcn, d, "Declared again.");
	GET(t_comm, F("/api/v1/achievements/%lld/groups/%lld", (long long)p1, (long long)ea));
	cur = json_integer_value(json_object_get(
		json_object_get(json_array_get(J("indicators"), 0), "current"), "value"));
	ck(json_is_true(json_object_get(json_array_get(J("indicators"), 0), "editable")),
	   "the commissioner can still change the tick-box");
	submit_vals(t_comm, p1, ea, F("[{\"indicator\": \"EA.TB01\", \"value\": \"%s\"}]", cur ? "No" : "Yes"));
	ck(R.status == 200 && json_is_true(J("stored")), "the commissioner changes it: stored");
	GET(t_pcn, F("/api/v1/declarations/%lld", (long long)d));
	json_t *h = json_array_get(J("history"), 0);
	ck(streq(jstr(R.json, "status"), "AWAITING_PROVIDER") &&
	   contains(jstr(h, "note"), "declare again"),
	   "the payment recalculates and the PCN's declaration goes back to it");
	declare_as(t_pcn, d, "Declared after the tick-box change.");
	ck(R.status == 200, "demo.pcn declares again");

	/* A membership correction leaves the network incomplete: blocked. */
	POST(t_comm, "/api/v1/memberships",
	     "{\"pcn\": \"U60172\", \"practice\": \"A81030\", \"start_date\": \"2025-03-01\", \"end_date\": null}");
	ck(R.status == 201 || R.status == 200, "the commissioner adds Hartburn Lodge (no NCD data) to the PCN from 01/03/2025");
	dact(t_appr, "return", one(d), "membership corrected");
	GET(t_pcn, F("/api/v1/declarations/%lld", (long long)d));
	ck(streq(jstr(R.json, "status"), "AWAITING_PROVIDER") && contains(jstr(R.json, "blocked"), "network") &&
	   json_is_false(J("can_declare")),
	   "the declaration says it is blocked waiting for network figures, and cannot be declared");
	declare_as(t_pcn, d, NULL);
	ck(is_err(409, "conflict", NULL, "network"), "declaring it: 409 with the reason");
}

int main(void)
{
	harness_timeout(180);
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	t_practice = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	t_view = sign_in(&srv, "demo.view", PASSWORD, NULL);
	t_pcn = sign_in(&srv, "demo.pcn", PASSWORD, NULL);
	t_comm = sign_in(&srv, "demo.commissioner", PASSWORD, NULL);
	t_appr = sign_in(&srv, "demo.approver", PASSWORD, NULL);
	t_fin = sign_in(&srv, "demo.finance", PASSWORD, NULL);
	t_cluster = sign_in(&srv, "demo.cluster", PASSWORD, NULL);
	t_other = sign_in(&srv, "demo.other", PASSWORD, NULL);
	if (!t_practice || !t_view || !t_pcn || !t_comm || !t_appr || !t_fin || !t_cluster || !t_other)
		tap_bail("the demo users cannot sign in");
	svc_ms = service_by_code(t_practice, "MS2425");
	svc_ncd = service_by_code(t_practice, "NCD2425");
	d_apr = decl_on("2024-04-30");
	d_may = decl_on("2024-05-31");
	d_jun = decl_on("2024-06-30");
	if (!d_apr || !d_may || !d_jun)
		tap_bail("the demo's Minor Surgery declarations are not as expected");
	ck(streq(status_of(d_apr), "FINANCIALLY_APPROVED") && streq(status_of(d_may), "AWAITING_COMMISSIONER") &&
	   streq(status_of(d_jun), "AWAITING_PROVIDER"),
	   "the demo: April financially approved, May awaiting approval, June awaiting declaration");

	test_list();
	test_declare();
	test_approve();
	test_finance();
	test_reversion();
	test_network_declaration();

	apitest_done();
	char *tokens[] = {t_practice, t_view, t_pcn, t_comm, t_appr, t_fin, t_cluster, t_other};
	for (size_t i = 0; i < ARRAY_SIZE(tokens); i++)
		free(tokens[i]);
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
