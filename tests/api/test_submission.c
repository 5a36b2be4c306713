/* test_submission.c: API tests of Data Submission (issue 5) over real
 * HTTP against the real cqrsd with the demo database (business date 10
 * April 2025): the achievements panel with payment dates, adding an
 * achievement date (participation, month ends, dates of the service), the
 * group form with patterns and locked indicators, work in progress and
 * submit stored only when changed, every kind of bad value reported by
 * field with nothing stored, the version conflict between two users, the
 * amendment rules (window, View user, commissioner entry on the
 * practice's behalf, financial approval, future dates), the PCN's
 * tick-box values, another practice's achievement, submission history
 * and missing data. TAP, one line per case; limited to 180 s. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"



static char *t_practice, *t_view, *t_comm, *t_pcn, *t_other;
static json_int_t svc_ms, svc_ldhc, svc_ncd, svc_ncd2526, svc_vfp;

/* ------------------------------------------------------------ helpers */


static void panel(const char *token, const char *org, json_int_t svc)
{
	GET(token, F("/api/v1/achievements?organisation=%s&service=%lld", org, (long long)svc));
}

/* The group object code of R's achievement, or NULL. */
static json_t *group_row(const char *code)
{
	size_t i;
	json_t *g;
	json_array_foreach(J("groups"), i, g)
		if (streq(jstr(g, "code"), code))
			return g;
	return NULL;
}

static void form(const char *token, json_int_t ach, json_int_t gid)
{
	GET(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid));
}

/* The indicator code of a form object, or NULL. */
static json_t *ind(const json_t *f, const char *code)
{
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(f, "indicators"), i, x)
		if (streq(jstr(x, "code"), code))
			return x;
	return NULL;
}

/* obj[key] is {"value": v}. */
static bool has_value(const json_t *x, const char *key, json_int_t v)
{
	json_t *o = json_object_get(x, key);
	return json_is_object(o) && json_integer_value(json_object_get(o, "value")) == v &&
	       json_is_integer(json_object_get(o, "value"));
}

/* PUT a group: mode, version, notes (NULL: none), values (JSON array text). */
static void save(const char *token, json_int_t ach, json_int_t gid, const char *mode,
		 json_int_t version, const char *notes, const char *values)
{
	PUT(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid),
	    F("{\"mode\": \"%s\", \"version\": %lld%s%s%s, \"values\": %s}", mode, (long long)version,
	      notes ? ", \"notes\": \"" : "", notes ? notes : "", notes ? "\"" : "", values));
}

/* Number of submissions of achievement ach token can see, or -1. */
static int nsubs(const char *token, json_int_t ach)
{
	struct http_resp r;
	http_get(&srv, F("/api/v1/achievements/%lld/submissions", (long long)ach), token, &r);
	int n = r.status == 200 ? (int)json_array_size(json_object_get(r.json, "submissions")) : -1;
	http_resp_free(&r);
	return n;
}

/* The errors[] entry of R for field, or NULL. */
static json_t *error_for(const char *field)
{
	size_t i;
	json_t *e;
	json_array_foreach(J("errors"), i, e)
		if (streq(jstr(e, "field"), field))
			return e;
	return NULL;
}

static bool error_says(const char *field, const char *needle)
{
	json_t *e = error_for(field);
	return e && contains(jstr(e, "message"), needle);
}

/* ------------------------------------------------------------ the panel */

static bool dates_descending(const json_t *list)
{
	const char *prev = NULL;
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a) {
		const char *d = jstr(a, "date");
		if (!d || (prev && strcmp(prev, d) <= 0))
			return false;
		prev = d;
	}
	return true;
}

static void test_panel(void)
{
	panel(t_practice, "A81001", svc_ms);
	json_t *list = J("achievements");
	bool all_pay = json_array_size(list) == 12;
	size_t i;
	json_t *a;
	json_array_foreach(list, i, a)
		all_pay = all_pay && json_is_true(json_object_get(a, "payment")) &&
			  json_is_integer(json_object_get(a, "indicators_total")) &&
			  json_is_integer(json_object_get(a, "indicators_submitted")) &&
			  json_is_integer(json_object_get(a, "indicators_in_progress")) &&
			  json_is_boolean(json_object_get(a, "complete")) &&
			  json_is_integer(json_object_get(a, "last_updated"));
	ck(R.status == 200 && streq(jstr(R.json, "business_date"), "2025-04-10") &&
	   json_is_true(J("participates")), "MS panel: 200, business_date 2025-04-10, participates");
	ck(all_pay && dates_descending(list),
	   "MS panel: twelve monthly achievements, newest first, each a payment date with counts");
	ck(json_array_size(J("available_dates")) == 0, "MS panel: every date recorded, none available");
	a = json_array_get(list, 0);
	ck(streq(jstr(a, "date"), "2025-03-31") && jint(a, "indicators_in_progress") == 2 &&
	   jint(a, "indicators_submitted") == 0 && json_is_false(json_object_get(a, "complete")),
	   "MS panel: March 2025 is work in progress (2 in progress, 0 submitted, incomplete)");

	panel(t_practice, "A81001", svc_ncd);
	bool quarters = R.status == 200 && json_array_size(J("achievements")) == 12;
	json_array_foreach(J("achievements"), i, a) {
		const char *d = jstr(a, "date");
		bool want = d && (strstr(d, "-06-30") || strstr(d, "-09-30") || strstr(d, "-12-31") ||
				  strstr(d, "-03-31"));
		quarters = quarters && json_is_boolean(json_object_get(a, "payment")) &&
			   json_is_true(json_object_get(a, "payment")) == want;
	}
	ck(quarters, "NCD 2024/25 panel: payment true exactly at the quarter ends");
	/* "Last updated" is when the data came, never when the demo was
	 * built (data D17): NCD 30/04/2024's is in May 2024, before the
	 * next month's. */
	json_int_t apr = 0, may = 0;
	json_array_foreach(J("achievements"), i, a) {
		if (streq(jstr(a, "date"), "2024-04-30"))
			apr = jint(a, "last_updated");
		if (streq(jstr(a, "date"), "2024-05-31"))
			may = jint(a, "last_updated");
	}
	ck(apr >= 1714521600 && apr < 1717200000 && may > apr,
	   "NCD 30/04/2024 was last updated in May 2024, not when the demo was built (%lld, %lld)",
	   (long long)apr, (long long)may);

	panel(t_practice, "A81001", svc_ldhc);
	list = J("available_dates");
	bool avail = R.status == 200 && json_is_false(J("participates")) &&
		     json_array_size(J("achievements")) == 0 && json_array_size(list) == 12;
	json_array_foreach(list, i, a)
		avail = avail && json_is_true(json_object_get(a, "payment")) && jstr(a, "date");
	ck(avail, "LDHC panel before accepting: participates false, twelve available payment dates");

	panel(t_view, "A81001", svc_ms);
	ck(R.status == 200 && json_array_size(J("achievements")) == 12, "View user sees the panel");
	panel(t_practice, "A81004", svc_ms);
	ck(is_err(404, "not_found", "organisation", NULL), "panel of another practice: 404");
	panel(t_practice, "A81001", 999999);
	ck(is_err(404, "not_found", NULL, NULL), "panel of an unknown service: 404");
	GET(t_practice, "/api/v1/achievements?organisation=A81001");
	ck(is_err(400, "bad_query", "service", NULL), "panel without a service: 400 bad_query");
	GET(t_practice, F("/api/v1/achievements?service=%lld", (long long)svc_ms));
	ck(is_err(400, "bad_query", "organisation", NULL), "panel without an organisation: 400 bad_query");
}

/* ------------------------------------------------------------ adding */

static void add(const char *token, const char *org, json_int_t svc, const char *date)
{
	POST(token, "/api/v1/achievements",
	     F("{\"organisation\": \"%s\", \"service_id\": %lld, \"date\": \"%s\"}", org,
	       (long long)svc, date));
}

static json_int_t ldhc_mar; /* A81001's LDHC 31 March 2025, added below */

static void test_add(void)
{
	add(t_practice, "A81001", svc_ldhc, "2025-03-31");
	ck(is_err(409, "conflict", NULL, "does not take part"),
	   "add LDHC before accepting its offer: 409 (not participating)");
	GET(t_practice, F("/api/v1/offers?service=%lld&status=OFFERED", (long long)svc_ldhc));
	json_int_t offer = jint(json_array_get(J("offers"), 0), "id");
	POST(t_practice, "/api/v1/offers/actions",
	     F("{\"action\": \"accept\", \"offers\": [%lld]}", (long long)offer));
	ck(R.status == 200 && jint(R.json, "succeeded") == 1, "the practice accepts the LDHC offer");
	add(t_practice, "A81001", svc_ldhc, "2025-03-15");
	ck(is_err(400, "bad_field", "date", "last day of a month"),
	   "a mid-month date for a monthly manual service: 400 (month ends only)");
	add(t_practice, "A81001", svc_ldhc, "2025-05-31");
	ck(is_err(400, "bad_field", "date", "not an achievement date"),
	   "a month end that is not one of the service's dates: 400");
	add(t_practice, "A81001", svc_ldhc, "2025-02-30");
	ck(is_err(400, "bad_field", "date", NULL), "a date not in the calendar: 400");
	add(t_practice, "A81001", 999999, "2025-03-31");
	ck(is_err(400, "bad_field", "service_id", NULL), "an unknown service: 400 naming service_id");
	POST(t_practice, "/api/v1/achievements",
	     F("{\"organisation\": \"A81001\", \"service_id\": %lld, \"date\": \"2025-03-31\", \"x\": 1}",
	       (long long)svc_ldhc));
	ck(is_err(400, "unknown_field", "x", NULL), "an unknown field: 400 unknown_field");
	add(t_view, "A81001", svc_ldhc, "2025-03-31");
	ck(is_err(403, "forbidden", NULL, NULL), "View user cannot add an achievement (403)");
	add(t_practice, "A81004", svc_ldhc, "2025-03-31");
	ck(is_err(404, "not_found", "organisation", NULL), "adding for another practice: 404");
	panel(t_practice, "A81001", svc_ldhc);
	ck(json_array_size(J("achievements")) == 0, "none of the refused requests recorded anything");

	add(t_practice, "A81001", svc_ldhc, "2025-03-31");
	ldhc_mar = jint(R.json, "id");
	ck(R.status == 201 && ldhc_mar > 0 && json_is_true(J("created")) &&
	   streq(jstr(R.json, "date"), "2025-03-31") && json_is_true(J("payment")),
	   "Add New Achievement 31/03/2025: 201, created, a payment date");
	add(t_practice, "A81001", svc_ldhc, "2025-03-31");
	ck(R.status == 200 && jint(R.json, "id") == ldhc_mar && json_is_false(J("created")),
	   "adding it again: 200 with the existing achievement");
	panel(t_practice, "A81001", svc_ldhc);
	bool gone = json_is_true(J("participates")) && json_array_size(J("achievements")) == 1 &&
		    json_array_size(J("available_dates")) == 11;
	size_t i;
	json_t *d;
	json_array_foreach(J("available_dates"), i, d)
		gone = gone && !streq(jstr(d, "date"), "2025-03-31");
	ck(gone, "the panel now lists it, and 31/03/2025 is no longer available");

	add(t_comm, "A81004", svc_ldhc, "2024-07-31");
	ck(R.status == 201 && json_is_true(J("created")),
	   "the commissioner adds an achievement on Riverbank's behalf: 201");
	add(t_comm, "L83002", svc_ldhc, "2024-07-31");
	ck(is_err(404, "not_found", "organisation", NULL),
	   "the commissioner cannot add for another ICB's practice: 404");
	/* Dates still to come cannot be added (nor are they offered). */
	add(t_practice, "A81001", svc_ncd2526, "2025-04-30");
	ck(is_err(400, "bad_field", "date", "still to come"),
	   "a date after the business date cannot be added: 400 (%s)", err_msg());
	add(t_comm, "A81001", svc_ncd2526, "2025-04-30");
	ck(is_err(400, "bad_field", "date", "still to come"),
	   "not even by the commissioner on the practice's behalf: 400");
	panel(t_practice, "A81001", svc_ncd2526);
	ck(R.status == 200 && json_array_size(J("available_dates")) == 0,
	   "the panel offers no 2025/26 date before its time");
}

/* ------------------------------------------------------------ the form */

static json_int_t ms_mar, ms_g, msmi_g, ncd_mar, iif_g, acc_g, ea_g, caip_g;

static void test_form(void)
{
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)ms_mar));
	json_t *g = group_row("MS"), *mi = group_row("MS-MI");
	ck(R.status == 200 && json_is_true(J("can_edit")) && json_is_false(J("commissioner")) &&
	   streq(jstr(g, "kind"), "payment") && streq(jstr(mi, "kind"), "mi") &&
	   jint(g, "total") == 3 && jint(g, "submitted") == 0 && jint(g, "in_progress") == 2 &&
	   json_is_false(json_object_get(g, "complete")),
	   "achievement: groups with kind payment and mi, 'submitted of total', in progress");
	form(t_practice, ms_mar, ms_g);
	json_t *m1 = ind(R.json, "MS01"), *m3 = ind(R.json, "MS03");
	ck(R.status == 200 && json_is_integer(J("version")) && json_is_true(J("can_edit")) &&
	   json_array_size(J("indicators")) == 3, "group form: version, can_edit, three indicators");
	ck(streq(jstr(m1, "kind"), "count") && jstr(m1, "pattern") && *jstr(m1, "pattern") &&
	   json_object_get(m1, "extra_pattern") && json_is_true(json_object_get(m1, "editable")) &&
	   jstr(m1, "description"), "MS01: kind count, a pattern, extra_pattern, editable, description");
	ck(has_value(m1, "wip", 9) && json_is_null(json_object_get(m1, "current")) &&
	   json_is_null(json_object_get(m3, "wip")),
	   "MS01 shows its work in progress (9) and no current value; MS03 nothing");
	json_t *n0 = json_array_get(J("notes"), 0);
	ck(contains(jstr(n0, "notes"), "Part-month"), "the form shows the last submission notes");
	form(t_practice, ms_mar, msmi_g);
	json_t *m5 = ind(R.json, "MS05");
	ck(streq(jstr(m5, "kind"), "date") && jstr(m5, "pattern"), "MS05 is a date with its pattern");

	form(t_practice, ncd_mar, iif_g);
	json_t *ld = ind(R.json, "LD.HC.IIF01"), *fit = ind(R.json, "CAN.FIT.IIF02");
	ck(R.status == 200 && json_is_false(json_object_get(ld, "editable")) &&
	   streq(jstr(ld, "locked_because"), "extracted from the clinical system") &&
	   streq(jstr(ld, "source"), "EXTRACT") &&
	   json_is_integer(json_object_get(json_object_get(ld, "current"), "numerator")),
	   "NCD IIF: LD.HC.IIF01 locked, \"extracted from the clinical system\", with its ratio");
	ck(json_is_true(json_object_get(fit, "editable")) && json_is_null(json_object_get(fit, "current")) &&
	   json_integer_value(json_object_get(fit, "points")) > 0 &&
	   json_array_size(json_object_get(fit, "thresholds")) == 2,
	   "NCD IIF: CAN.FIT.IIF02 editable, no value yet, with points and thresholds");
	form(t_practice, ncd_mar, ea_g);
	json_t *ea = ind(R.json, "EA.TB01");
	ck(json_is_false(json_object_get(ea, "editable")) &&
	   contains(jstr(ea, "locked_because"), "entered at PCN level") && streq(jstr(ea, "kind"), "yesno"),
	   "NCD EA: the tick-box is locked for the practice, \"entered at PCN level\"");
	form(t_view, ms_mar, ms_g);
	ck(R.status == 200 && json_is_false(J("can_edit")) && contains(jstr(R.json, "reason"), "Achievement Entry"),
	   "View user: the form is read-only and says why");
	form(t_practice, ms_mar, 999999);
	ck(is_err(404, "not_found", NULL, NULL), "a group that is not the service's: 404");
}

/* ------------------------------------------------------------ saving */

static void test_save(void)
{
	json_int_t v = form_version(t_practice, ms_mar, ms_g);
	int subs = nsubs(t_practice, ms_mar);
	const char *vals = "[{\"indicator\": \"MS01\", \"value\": \"10\"},"
			   " {\"indicator\": \"MS02\", \"value\": \"4\"},"
			   " {\"indicator\": \"MS03\", \"value\": \"7\"}]";
	save(t_practice, ms_mar, ms_g, "wip", v, "Clinic log to 28 March.", vals);
	json_t *f = J("form");
	ck(R.status == 200 && json_is_true(J("stored")) && json_is_integer(J("submission_id")) &&
	   contains(jstr(R.json, "message"), "Work in progress saved") && has_value(ind(f, "MS01"), "wip", 10) &&
	   json_is_null(json_object_get(ind(f, "MS01"), "current")),
	   "Save Work in Progress: stored, with the form showing the new work in progress");
	v = jint(f, "version");
	save(t_practice, ms_mar, ms_g, "wip", v, NULL, vals);
	ck(R.status == 200 && json_is_false(J("stored")) && contains(jstr(R.json, "message"), "Nothing stored"),
	   "saving the same work in progress again: stored false, \"Nothing stored\"");
	save(t_practice, ms_mar, ms_g, "submit", v, "Year end complete.", vals);
	f = J("form");
	ck(R.status == 200 && json_is_true(J("stored")) &&
	   contains(jstr(R.json, "message"), "Achievement data submitted") &&
	   has_value(ind(f, "MS01"), "current", 10) && has_value(ind(f, "MS03"), "current", 7) &&
	   streq(jstr(ind(f, "MS01"), "source"), "MANUAL"),
	   "Submit (same values as the work in progress, no previous submission): stored");
	json_int_t v2 = jint(f, "version");
	ck(v2 != v, "the form's version moved on");
	save(t_practice, ms_mar, ms_g, "submit", v2, "Year end complete.", vals);
	ck(R.status == 200 && json_is_false(J("stored")) && contains(jstr(R.json, "message"), "Nothing stored"),
	   "submitting identical values and the same note again: stored false, \"Nothing stored\"");
	save(t_practice, ms_mar, ms_g, "submit", v2, NULL, vals);
	ck(R.status == 200 && json_is_false(J("stored")), "identical values without a note: nothing stored");
	ck(nsubs(t_practice, ms_mar) == subs + 2, "exactly two submissions were appended (WIP, SUBMIT)");
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)ms_mar));
	json_t *g = group_row("MS");
	ck(jint(g, "submitted") == 3 && json_is_true(json_object_get(g, "complete")),
	   "the group now shows 3 of 3 submitted, complete");

	/* History: who, when, values, source, notes; newest first. */
	GET(t_practice, F("/api/v1/achievements/%lld/submissions", (long long)ms_mar));
	json_t *s0 = json_array_get(J("submissions"), 0), *s1 = json_array_get(J("submissions"), 1);
	json_t *v0 = json_array_get(json_object_get(s0, "values"), 0);
	ck(R.status == 200 && streq(jstr(s0, "kind"), "SUBMIT") && streq(jstr(s0, "source"), "MANUAL") &&
	   streq(jstr(s0, "user_id"), "demo.practice") && streq(jstr(s0, "user_name"), "Priya Shah") &&
	   streq(jstr(s0, "notes"), "Year end complete.") && json_integer_value(json_object_get(s0, "at")) > 0 &&
	   json_array_size(json_object_get(s0, "values")) == 3 && jstr(v0, "indicator") &&
	   json_is_integer(json_object_get(v0, "value")),
	   "submission history: newest first, who, when, source, notes and values");
	ck(streq(jstr(s1, "kind"), "WIP") && streq(jstr(s1, "notes"), "Clinic log to 28 March.") &&
	   jint(s1, "at") <= jint(s0, "at"), "the work in progress is in the history too, before it");
	GET(t_practice, F("/api/v1/achievements/%lld/submissions?group=%lld", (long long)ms_mar,
			  (long long)msmi_g));
	ck(R.status == 200 && json_array_size(J("submissions")) == 0,
	   "history filtered to the MI group: nothing submitted there");
	GET(t_practice, F("/api/v1/achievements/%lld/submissions?group=abc", (long long)ms_mar));
	ck(is_err(400, "bad_query", "group", NULL), "history ?group=abc: 400");

	/* A form saved and submitted for another kind: date and money. */
	v = form_version(t_practice, ms_mar, msmi_g);
	save(t_practice, ms_mar, msmi_g, "submit", v, NULL,
	     "[{\"indicator\": \"MS04\", \"value\": \"6\"}, {\"indicator\": \"MS05\", \"value\": \"27/03/2025\"}]");
	ck(R.status == 200 && json_is_true(J("stored")) && has_value(ind(J("form"), "MS05"), "current", 20250327),
	   "a date typed DD/MM/YYYY is stored as yyyymmdd (20250327)");
}

static void test_bad_values(void)
{
	json_int_t v = form_version(t_practice, ms_mar, ms_g);
	int subs = nsubs(t_practice, ms_mar);
	save(t_practice, ms_mar, ms_g, "submit", v, NULL,
	     "[{\"indicator\": \"MS01\", \"value\": \"1.5\"},"
	     " {\"indicator\": \"MS02\", \"value\": \"-3\"},"
	     " {\"indicator\": \"XX99\", \"value\": \"1\"}]");
	ck(is_err(400, "bad_field", "values[0].value", "MS01") && json_array_size(J("errors")) == 3,
	   "three bad values in one request: 400, error for the first, three in errors[]");
	ck(error_says("values[0].value", "whole number"), "values[0]: \"1.5\" must be a whole number");
	ck(error_says("values[1].value", "whole number"), "values[1]: \"-3\" must be a whole number");
	ck(error_says("values[2].indicator", "not an indicator"), "values[2]: an unknown indicator");
	ck(streq(jstr(error_for("values[0].value"), "indicator"), "MS01") &&
	   streq(jstr(error_for("values[2].indicator"), "indicator"), "XX99"),
	   "each error names its indicator");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL,
	     "[{\"indicator\": \"MS03\", \"value\": \"5\"}, {\"indicator\": \"MS03\", \"value\": \"6\"}]");
	ck(is_err(400, "bad_field", "values[1].indicator", "twice"), "the same indicator given twice: 400 naming values[1]");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL,
	     "[{\"indicator\": \"MS01\", \"value\": \"1.5\"}, {\"indicator\": \"MS01\", \"value\": \"2\"}]");
	ck(R.status == 400 && error_for("values[0].value") && error_says("values[1].indicator", "twice"),
	   "a bad value and its duplicate: both reported (every bad value, docs/api.md)");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL,
	     "[{\"indicator\": \"MS01\", \"value\": \"1\"}, {\"indicator\": \"MS02\", \"value\": \"2\"},"
	     " {\"indicator\": \"MS03\", \"value\": \"3\"}, {\"indicator\": \"MS01\", \"value\": \"4\"}]");
	ck(is_err(400, "bad_field", NULL, NULL), "four values for a three-indicator group: 400");
	ck(form_version(t_practice, ms_mar, ms_g) == v && nsubs(t_practice, ms_mar) == subs,
	   "nothing was stored (version and history unchanged)");
	form(t_practice, ms_mar, ms_g);
	ck(has_value(ind(R.json, "MS03"), "current", 7), "MS03 keeps its value although values[3] was good");

	save(t_practice, ms_mar, ms_g, "submit", v, NULL, "[{\"indicator\": \"MS01\", \"value\": \"\"}]");
	ck(is_err(400, "bad_field", "values[0].value", NULL), "an empty value: 400");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL, "[{\"indicator\": \"MS01\", \"value\": 12}]");
	ck(is_err(400, "bad_field", "values[0].value", NULL), "a value sent as a number, not typed text: 400");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL, "[{\"indicator\": \"MS01\", \"value\": \"1000000000\"}]");
	ck(is_err(400, "bad_field", "values[0].value", NULL), "a count over 999,999,999: 400");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL,
	     "[{\"indicator\": \"MS01\", \"value\": \"3\", \"comment\": \"x\"}]");
	ck(is_err(400, "bad_field", NULL, NULL), "a value with an unknown field: 400");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL, "[{\"indicator\": \"MS04\", \"value\": \"3\"}]");
	ck(is_err(400, "bad_field", "values[0].indicator", "not an indicator of group MS"),
	   "an indicator of another group: 400");
	save(t_practice, ms_mar, ms_g, "submit", v, NULL, "[]");
	ck(is_err(400, "bad_field", "values", NULL), "no values: 400");
	save(t_practice, ms_mar, ms_g, "save", v, NULL, "[{\"indicator\": \"MS01\", \"value\": \"3\"}]");
	ck(is_err(400, "bad_field", "mode", NULL), "mode save (neither wip nor submit): 400");
	PUT(t_practice, F("/api/v1/achievements/%lld/groups/%lld", (long long)ms_mar, (long long)ms_g),
	    "{\"mode\": \"submit\", \"values\": [{\"indicator\": \"MS01\", \"value\": \"3\"}]}");
	ck(is_err(400, "bad_field", "version", NULL), "no version: 400 naming version");
	PUT(t_practice, F("/api/v1/achievements/%lld/groups/%lld", (long long)ms_mar, (long long)ms_g),
	    "{\"mode\": \"submit\", \"mode\": \"wip\", \"version\": 1, \"values\": []}");
	ck(R.status == 400, "duplicate keys: 400");

	/* Ratio: numerator above denominator, missing denominator. */
	v = form_version(t_practice, ncd_mar, iif_g);
	save(t_practice, ncd_mar, iif_g, "submit", v, NULL,
	     "[{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"50\", \"denominator\": \"40\"}]");
	ck(is_err(400, "bad_field", "values[0].numerator", NULL) &&
	   error_says("values[0].numerator", "numerator must not be above the denominator"),
	   "ratio 50 of 40: 400, the numerator must not be above the denominator");
	save(t_practice, ncd_mar, iif_g, "submit", v, NULL,
	     "[{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"5\"}]");
	ck(is_err(400, "bad_field", NULL, NULL), "ratio without a denominator: 400");
	save(t_practice, ncd_mar, iif_g, "submit", v, NULL,
	     "[{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"5\", \"denominator\": \"4x\"}]");
	ck(is_err(400, "bad_field", "values[0].denominator", NULL), "ratio denominator 4x: 400 naming the denominator");
	save(t_practice, ncd_mar, iif_g, "submit", v, NULL,
	     "[{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"-1\", \"denominator\": \"x\"}]");
	ck(is_err(400, "bad_field", "values[0].numerator", NULL) && contains(err_msg(), "numerator") &&
	   contains(err_msg(), "denominator") && !contains(err_msg(), "CAN.FIT.IIF02: CAN.FIT.IIF02"),
	   "ratio -1 of x: one error saying both parts are wrong, the code once (%s)",
	   err_msg() ? err_msg() : "");
	ck(form_version(t_practice, ncd_mar, iif_g) == v, "nothing stored for the ratio");

	/* Locked indicators: 403 with the reason (docs/api.md). */
	save(t_practice, ncd_mar, iif_g, "submit", v, NULL,
	     "[{\"indicator\": \"LD.HC.IIF01\", \"numerator\": \"40\", \"denominator\": \"42\"}]");
	ck(R.status == 403 && contains(err_msg(), "extracted from the clinical system"),
	   "an extracted indicator: 403 \"extracted from the clinical system\" (got %ld)", R.status);
	json_int_t vea = form_version(t_practice, ncd_mar, ea_g);
	save(t_practice, ncd_mar, ea_g, "submit", vea, NULL, "[{\"indicator\": \"EA.TB01\", \"value\": \"Yes\"}]");
	ck(R.status == 403 && contains(err_msg(), "entered at PCN level"),
	   "the practice setting a tick-box: 403 \"entered at PCN level\" (got %ld)", R.status);
	ck(form_version(t_practice, ncd_mar, ea_g) == vea && form_version(t_practice, ncd_mar, iif_g) == v,
	   "nothing stored for the locked indicators");

	/* Money on LDHC: pounds with two decimals at most. */
	json_int_t mi = group_of(t_practice, ldhc_mar, "LDHC-MI");
	v = form_version(t_practice, ldhc_mar, mi);
	save(t_practice, ldhc_mar, mi, "submit", v, NULL, "[{\"indicator\": \"LDHC03\", \"value\": \"12.345\"}]");
	ck(is_err(400, "bad_field", "values[0].value", NULL) && error_says("values[0].value", "pounds"),
	   "money 12.345: 400 (an amount in pounds)");
	save(t_practice, ldhc_mar, mi, "submit", v, NULL, "[{\"indicator\": \"LDHC03\", \"value\": \"1234.56\"}]");
	ck(R.status == 200 && json_is_true(J("stored")) && has_value(ind(J("form"), "LDHC03"), "current", 123456),
	   "money 1234.56 is stored as 123456 pence");
	v = jint(J("form"), "version");
	save(t_practice, ldhc_mar, mi, "submit", v, NULL, "[{\"indicator\": \"LDHC02\", \"value\": \"31/02/2025\"}]");
	ck(is_err(400, "bad_field", "values[0].value", NULL), "a date-shaped value for a count: 400");
	form(t_practice, ms_mar, msmi_g);
	v = jint(R.json, "version");
	save(t_practice, ms_mar, msmi_g, "submit", v, NULL, "[{\"indicator\": \"MS05\", \"value\": \"31/02/2025\"}]");
	ck(is_err(400, "bad_field", "values[0].value", "calendar"), "date 31/02/2025: 400, not in the calendar");
}

/* ------------------------------------------------------------ the PCN */

static void test_pcn(void)
{
	/* The tick-box is the PCN's own value, on the PCN's network
	 * achievement for the date (issue 10). */
	GET(t_pcn, F("/api/v1/achievements/%lld", (long long)ncd_mar));
	ck(R.status == 200 && json_is_false(J("can_edit")),
	   "PCN user: a member practice's NCD achievement is not the PCN's to enter");
	json_int_t pcn_mar = ach_on(t_pcn, "U60172", svc_ncd, "2025-03-31");
	json_int_t pea = group_of(t_pcn, pcn_mar, "EA");
	GET(t_pcn, F("/api/v1/achievements/%lld", (long long)pcn_mar));
	ck(pcn_mar && pea && R.status == 200 && json_is_true(J("can_edit")) && json_is_true(J("pcn")),
	   "PCN user: the PCN's own NCD 31/03/2025 achievement is open to it (pcn true)");
	form(t_pcn, pcn_mar, pea);
	json_int_t v = jint(R.json, "version");
	ck(json_is_true(json_object_get(ind(R.json, "EA.TB01"), "editable")),
	   "PCN user: the tick-box is editable");
	save(t_pcn, pcn_mar, pea, "submit", v, NULL, "[{\"indicator\": \"EA.TB01\", \"value\": \"maybe\"}]");
	ck(is_err(400, "bad_field", "values[0].value", "Yes or No"), "tick-box \"maybe\": 400, must be Yes or No");
	save(t_pcn, pcn_mar, pea, "submit", v, "Enhanced Access delivered all year.",
	     "[{\"indicator\": \"EA.TB01\", \"value\": \"No\"}]");
	ck(R.status == 200 && json_is_true(J("stored")) && has_value(ind(J("form"), "EA.TB01"), "current", 0),
	   "PCN user sets the tick-box to No: stored as 0");
	form(t_practice, ncd_mar, ea_g);
	json_t *ea = ind(R.json, "EA.TB01");
	ck(has_value(ea, "current", 0) && json_is_false(json_object_get(ea, "editable")) &&
	   contains(jstr(ea, "locked_because"), "entered at PCN level"),
	   "the practice sees the PCN's No, read-only, \"entered at PCN level\"");
	form(t_pcn, pcn_mar, pea);
	save(t_pcn, pcn_mar, pea, "submit", jint(R.json, "version"), NULL,
	     "[{\"indicator\": \"EA.TB01\", \"value\": \"Yes\"}]");
	form(t_practice, ncd_mar, ea_g);
	ck(has_value(ind(R.json, "EA.TB01"), "current", 1),
	   "the PCN sets Yes: the practice's read-only view follows (Yes)");
	json_int_t pacc = group_of(t_pcn, pcn_mar, "ACC");
	form(t_pcn, pcn_mar, pacc);
	json_t *n1 = ind(R.json, "ACC.MI01");
	ck(n1 && json_is_false(json_object_get(n1, "editable")) &&
	   contains(jstr(n1, "locked_because"), "network figure"),
	   "PCN user: on the network achievement the members' figures are locked (a network figure)");
	form(t_pcn, ncd_mar, acc_g);
	json_t *a1 = ind(R.json, "ACC.MI01");
	ck(json_is_false(json_object_get(a1, "editable")), "PCN user: the practice's own indicators are locked");
	save(t_pcn, ncd_mar, acc_g, "submit", jint(R.json, "version"), NULL,
	     "[{\"indicator\": \"ACC.MI01\", \"value\": \"4000\"}]");
	ck(R.status == 403 || R.status == 400, "PCN user cannot set a practice value (refused, %ld)", R.status);
	ck(R.status == 403, "... and the refusal of a locked indicator is 403 as docs/api.md says (got %ld)",
	   R.status);
	form(t_pcn, ms_mar, ms_g);
	save(t_pcn, ms_mar, ms_g, "submit", jint(R.json, "version"), NULL,
	     "[{\"indicator\": \"MS01\", \"value\": \"1\"}]");
	ck(is_err(403, "forbidden", NULL, NULL), "PCN user cannot enter a practice-level service's data (403)");
}

/* ------------------------------------------------------------ two users */

static void test_conflict_and_commissioner(void)
{
	json_int_t vp = form_version(t_practice, ncd_mar, acc_g);
	json_int_t vc = form_version(t_comm, ncd_mar, acc_g);
	ck(vp == vc && vp >= 0, "practice and commissioner open the same form (same version)");
	save(t_practice, ncd_mar, acc_g, "submit", vp, "GPAD figures.",
	     "[{\"indicator\": \"ACC.MI01\", \"value\": \"4100\"}, {\"indicator\": \"ACC.MI02\", \"value\": \"600\"}]");
	ck(R.status == 200 && json_is_true(J("stored")), "the practice submits first");
	save(t_comm, ncd_mar, acc_g, "submit", vc, NULL,
	     "[{\"indicator\": \"ACC.MI01\", \"value\": \"4200\"}, {\"indicator\": \"ACC.MI02\", \"value\": \"600\"}]");
	json_t *ch = json_array_get(J("changes"), 0);
	ck(is_err(409, "conflict", NULL, "Priya Shah") && json_array_size(J("changes")) == 1 &&
	   streq(jstr(ch, "indicator"), "ACC.MI01") && has_value(ch, "yours", 4200) &&
	   has_value(ch, "current", 4100),
	   "the later submit gets 409 naming who saved, with what changed (ACC.MI01: yours 4200, current 4100)");
	json_t *cur = J("current");
	ck(json_is_object(cur) && json_is_integer(json_object_get(cur, "version")) &&
	   jint(cur, "version") != vc && has_value(ind(cur, "ACC.MI01"), "current", 4100),
	   "... and the current form with its new version");
	form(t_practice, ncd_mar, acc_g);
	ck(has_value(ind(R.json, "ACC.MI01"), "current", 4100), "nothing was overwritten");

	/* The commissioner enters on the practice's behalf. */
	json_int_t v = form_version(t_comm, ncd_mar, acc_g);
	GET(t_comm, F("/api/v1/achievements/%lld", (long long)ncd_mar));
	ck(json_is_true(J("commissioner")) && json_is_true(J("can_edit")),
	   "for the commissioner the achievement says commissioner: true");
	save(t_comm, ncd_mar, acc_g, "submit", v, "Corrected from the GPAD dashboard.",
	     "[{\"indicator\": \"ACC.MI01\", \"value\": \"4200\"}]");
	ck(R.status == 200 && json_is_true(J("stored")) &&
	   streq(jstr(ind(J("form"), "ACC.MI01"), "source"), "COMMISSIONER"),
	   "the commissioner submits with the fresh version: stored, source COMMISSIONER");
	GET(t_practice, F("/api/v1/achievements/%lld/submissions", (long long)ncd_mar));
	json_t *s0 = json_array_get(J("submissions"), 0);
	ck(streq(jstr(s0, "source"), "COMMISSIONER") && streq(jstr(s0, "user_id"), "demo.commissioner") &&
	   streq(jstr(s0, "notes"), "Corrected from the GPAD dashboard."),
	   "the practice's history shows the COMMISSIONER entry, who and the notes");
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)ncd_mar));
	ck(json_is_true(J("commissioner_entry")) && json_is_false(J("can_edit")) &&
	   contains(jstr(R.json, "reason"), "Commissioning Organisation entry"),
	   "the achievement is flagged commissioner_entry and read-only for the practice");
	save(t_practice, ncd_mar, acc_g, "submit", form_version(t_practice, ncd_mar, acc_g), NULL,
	     "[{\"indicator\": \"ACC.MI02\", \"value\": \"601\"}]");
	ck(is_err(403, "forbidden", NULL, "Commissioning Organisation entry"),
	   "the practice is refused: 403 \"Commissioning Organisation entry\"");
	panel(t_practice, "A81001", svc_ncd);
	json_t *a0 = json_array_get(J("achievements"), 0);
	ck(jint(a0, "id") == ncd_mar && json_is_true(json_object_get(a0, "commissioner_entry")),
	   "the panel flags it commissioner_entry too");
}

/* ------------------------------------------------------------ the rules */

static void test_rules(void)
{
	json_int_t jul = ach_on(t_practice, "A81001", svc_ms, "2024-07-31");
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)jul));
	ck(R.status == 200 && json_is_false(J("can_edit")) &&
	   streq(jstr(R.json, "reason"), "the amendment window closed on 14/09/2024"),
	   "July 2024: read-only, \"the amendment window closed on 14/09/2024\"");
	json_int_t g = group_of(t_practice, jul, "MS");
	json_int_t v = form_version(t_practice, jul, g);
	form(t_practice, jul, g);
	ck(json_is_false(J("can_edit")) && streq(jstr(R.json, "reason"), "the amendment window closed on 14/09/2024"),
	   "the form says the same");
	save(t_practice, jul, g, "submit", v, NULL, "[{\"indicator\": \"MS01\", \"value\": \"13\"}]");
	ck(is_err(403, "forbidden", NULL, "the amendment window closed on 14/09/2024"),
	   "submitting to it: 403 with the reason");
	json_int_t feb = ach_on(t_practice, "A81001", svc_ms, "2025-02-28");
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)feb));
	ck(json_is_true(J("can_edit")), "February 2025 is still inside its 45-day window");

	save(t_comm, jul, g, "submit", v, "Late correction agreed with the practice.",
	     "[{\"indicator\": \"MS01\", \"value\": \"13\"}]");
	ck(R.status == 200 && json_is_true(J("stored")),
	   "the commissioner may still correct it after the window (not financially approved)");
	save(t_view, feb, group_of(t_practice, feb, "MS"), "submit", form_version(t_practice, feb, group_of(t_practice, feb, "MS")),
	     NULL, "[{\"indicator\": \"MS01\", \"value\": \"1\"}]");
	ck(is_err(403, "forbidden", NULL, "Achievement Entry"), "View user: 403 (needs Achievement Entry)");

	json_int_t apr = ach_on(t_practice, "A81001", svc_ms, "2024-04-30");
	json_int_t ga = group_of(t_comm, apr, "MS");
	GET(t_comm, F("/api/v1/achievements/%lld", (long long)apr));
	ck(json_is_false(J("can_edit")) && contains(jstr(R.json, "reason"), "financially approved"),
	   "April 2024 (financially approved): read-only even for the commissioner");
	save(t_comm, apr, ga, "submit", form_version(t_comm, apr, ga), NULL,
	     "[{\"indicator\": \"MS01\", \"value\": \"15\"}]");
	ck(is_err(409, "final", NULL, "financially approved on"), "the commissioner's submit: 409 final, \"financially approved on\" a date");

	/* Another practice's achievement: invisible. */
	json_int_t theirs = ach_on(t_comm, "A81004", svc_ldhc, "2024-05-31");
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)theirs));
	ck(theirs && is_err(404, "not_found", NULL, NULL), "practice: a neighbour's achievement is 404");
	json_int_t tg = group_of(t_comm, theirs, "LDHC");
	form(t_practice, theirs, tg);
	ck(is_err(404, "not_found", NULL, NULL), "practice: its group form is 404");
	save(t_practice, theirs, tg, "submit", 1, NULL, "[{\"indicator\": \"LDHC01\", \"value\": \"1\"}]");
	ck(is_err(404, "not_found", NULL, NULL), "practice: submitting to it is 404");
	GET(t_practice, F("/api/v1/achievements/%lld/submissions", (long long)theirs));
	ck(is_err(404, "not_found", NULL, NULL), "practice: its history is 404");
	json_int_t other = ach_on(t_other, "L83002", svc_ldhc, "2024-04-30");
	GET(t_comm, F("/api/v1/achievements/%lld", (long long)other));
	ck(other && is_err(404, "not_found", NULL, NULL), "commissioner: another ICB's achievement is 404");

	/* LDHC May at Riverbank was entered by the commissioner. */
	GET(t_comm, F("/api/v1/achievements/%lld", (long long)theirs));
	ck(R.status == 200 && json_is_true(J("commissioner_entry")),
	   "the demo's Riverbank LDHC May is a Commissioning Organisation entry");
}

/* ------------------------------------------------------------ missing data */

static json_t *missing_row(json_int_t ach, const char *group)
{
	size_t i;
	json_t *m;
	json_array_foreach(J("missing"), i, m)
		if (jint(m, "achievement_id") == ach && streq(jstr(json_object_get(m, "group"), "code"), group))
			return m;
	return NULL;
}

static void test_missing(void)
{
	GET(t_practice, "/api/v1/missing");
	json_t *iif = missing_row(ncd_mar, "IIF"), *acc = missing_row(ncd_mar, "ACC");
	ck(R.status == 200 && iif && jint(iif, "submitted") == 1 && jint(iif, "total") == 2 &&
	   acc && jint(acc, "submitted") == 0 && jint(acc, "total") == 2,
	   "missing data: NCD 2024/25 31/03/2025 groups IIF (1 of 2) and ACC (0 of 2) are listed");
	ck(!missing_row(ncd_mar, "CAIP") && !missing_row(ncd_mar, "EA"), "complete groups are not listed");
	ck(streq(jstr(iif, "organisation"), "A81001") && streq(jstr(iif, "date"), "2025-03-31") &&
	   jint(iif, "service_id") == svc_ncd, "each row says organisation, service and date");
	size_t i;
	json_t *m;
	bool own = json_array_size(J("missing")) > 0;
	json_array_foreach(J("missing"), i, m)
		own = own && streq(jstr(m, "organisation"), "A81001");
	ck(own, "the practice sees only its own missing data");
	GET(t_practice, F("/api/v1/missing?service=%lld", (long long)svc_ncd));
	bool svc = json_array_size(J("missing")) >= 2;
	json_array_foreach(J("missing"), i, m)
		svc = svc && jint(m, "service_id") == svc_ncd;
	ck(R.status == 200 && svc, "?service= filters to that service");
	GET(t_practice, F("/api/v1/missing?service=%lld&date=2025-03-31", (long long)svc_ncd));
	ck(R.status == 200 && json_array_size(J("missing")) == 2 && missing_row(ncd_mar, "IIF") &&
	   missing_row(ncd_mar, "ACC"), "?service=&date=2025-03-31: exactly the two incomplete groups");
	GET(t_practice, "/api/v1/missing?date=2024-11-30");
	bool nov = json_array_size(J("missing")) >= 1;
	json_array_foreach(J("missing"), i, m)
		nov = nov && streq(jstr(m, "date"), "2024-11-30");
	ck(R.status == 200 && nov, "?date=2024-11-30: only that date (ACC.MI02 missing in November)");
	GET(t_practice, "/api/v1/missing?organisation=A81004");
	ck(is_err(404, "not_found", "organisation", NULL), "?organisation= another practice: 404");
	GET(t_practice, "/api/v1/missing?date=31/03/2025");
	ck(is_err(400, "bad_query", "date", NULL), "?date=31/03/2025: 400");
	GET(t_comm, "/api/v1/missing?organisation=A81004");
	bool riverbank = json_array_size(J("missing")) > 0;
	json_array_foreach(J("missing"), i, m)
		riverbank = riverbank && streq(jstr(m, "organisation"), "A81004");
	ck(R.status == 200 && riverbank, "the commissioner sees a practice's missing data (Riverbank)");
}

/* Runs after the LDHC offer was accepted and one date recorded. */
static void test_missing_not_recorded(void)
{
	GET(t_practice, F("/api/v1/missing?service=%lld", (long long)svc_ldhc));
	size_t i, unrecorded = 0;
	json_t *m;
	bool april = false, future = false;
	json_array_foreach(J("missing"), i, m) {
		if (json_is_true(json_object_get(m, "not_recorded")) &&
		    json_is_null(json_object_get(m, "achievement_id"))) {
			unrecorded++;
			april |= streq(jstr(m, "date"), "2024-04-30");
			future |= jstr(m, "date") && strcmp(jstr(m, "date"), "2025-04-10") > 0;
		}
	}
	ck(R.status == 200 && unrecorded == 11 && april && !future,
	   "missing data: the 11 LDHC payment dates with nothing recorded appear as not_recorded (%zu)",
	   unrecorded);
	ck(missing_row(ldhc_mar, "LDHC") != NULL, "the recorded but empty 31/03/2025 LDHC group is listed");
}

/* ------------------------------------------------------------ participation only */

static void test_participation_only(void)
{
	GET(t_practice, F("/api/v1/offers?service=%lld&status=OFFERED", (long long)svc_vfp));
	json_int_t offer = jint(json_array_get(J("offers"), 0), "id");
	POST(t_practice, "/api/v1/offers/actions",
	     F("{\"action\": \"accept\", \"offers\": [%lld]}", (long long)offer));
	ck(R.status == 200 && jint(R.json, "succeeded") == 1,
	   "the practice accepts the participation-only Veteran Friendly offer");
	panel(t_practice, "A81001", svc_vfp);
	ck(R.status == 200 && json_is_true(J("participates")) && json_array_size(J("achievements")) == 0 &&
	   json_array_size(J("available_dates")) == 0,
	   "participation-only: participation recorded, and no achievement dates asked for");
	GET(t_practice, F("/api/v1/missing?service=%lld", (long long)svc_vfp));
	ck(R.status == 200 && json_array_size(J("missing")) == 0, "participation-only: nothing is missing");
	add(t_practice, "A81001", svc_vfp, "2025-03-31");
	ck(is_err(400, "bad_field", "date", NULL), "participation-only: no achievement can be added (400)");
}

int main(void)
{
	harness_timeout(180);
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	t_practice = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	t_view = sign_in(&srv, "demo.view", PASSWORD, NULL);
	t_comm = sign_in(&srv, "demo.commissioner", PASSWORD, NULL);
	t_pcn = sign_in(&srv, "demo.pcn", PASSWORD, NULL);
	t_other = sign_in(&srv, "demo.other", PASSWORD, NULL);
	if (!t_practice || !t_view || !t_comm || !t_pcn || !t_other)
		tap_bail("the demo users cannot sign in");
	svc_ms = service_by_code(t_practice, "MS2425");
	svc_ldhc = service_by_code(t_practice, "LDHC2425");
	svc_ncd = service_by_code(t_practice, "NCD2425");
	svc_ncd2526 = service_by_code(t_practice, "NCD2526");
	svc_vfp = service_by_code(t_practice, "VFP2425");
	ms_mar = ach_on(t_practice, "A81001", svc_ms, "2025-03-31");
	ncd_mar = ach_on(t_practice, "A81001", svc_ncd, "2025-03-31");
	ms_g = group_of(t_practice, ms_mar, "MS");
	msmi_g = group_of(t_practice, ms_mar, "MS-MI");
	iif_g = group_of(t_practice, ncd_mar, "IIF");
	acc_g = group_of(t_practice, ncd_mar, "ACC");
	ea_g = group_of(t_practice, ncd_mar, "EA");
	caip_g = group_of(t_practice, ncd_mar, "CAIP");
	if (!ms_mar || !ncd_mar || !ms_g || !msmi_g || !iif_g || !acc_g || !ea_g || !caip_g)
		tap_bail("the demo achievements are not as expected");

	test_panel();
	test_missing();
	test_form();
	test_add();
	test_missing_not_recorded();
	test_save();
	test_bad_values();
	test_pcn();
	test_conflict_and_commissioner();
	test_rules();
	test_participation_only();

	apitest_done();
	free(t_practice);
	free(t_view);
	free(t_comm);
	free(t_pcn);
	free(t_other);
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
