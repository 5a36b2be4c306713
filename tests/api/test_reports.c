/* test_reports.c: the API tests of Reports (issue 12). Starts the real
 * cqrsd with a temporary demo database and checks GET /reports (the
 * catalogue each demo user may run, role-aware columns) and GET
 * /reports/{name}: every report as every demo user (columns and rows as
 * the user's roles, scope and cluster allow; a View user never gets
 * pounds), refused parameters (400 naming the parameter), the three kinds
 * of user of the Network organisation relationship report, allocated
 * reports (seen by the descendant organisation they were allocated to
 * and by no other), declaration history, search, sort and paging, and
 * the CSV of a run parsed and compared with the JSON of the same run
 * (plain and gzip). Speaks TAP, one line per case; limited to 240 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"

static const char *const users[] = {
	"demo.practice", "demo.view", "demo.pcn", "demo.commissioner", "demo.approver",
	"demo.finance", "demo.cluster", "demo.admin", "demo.other",
};
static const char *const reports[] = {
	"achievement-summary", "achievement-monthly", "indicator-detail", "declaration-status",
	"participation-status", "missing-data", "network-relationship", "users-roles",
};
static json_int_t qof, ms; /* QOF 2024/25 and Minor Surgery ES 2024/25 */

/* ------------------------------------------------------------ helpers */

/* GET /api/v1/reports/NAME?QUERY as user: the answer (owned). */
static json_t *run(const char *user, const char *name, const char *query, long *status)
{
	char *path = xasprintf("/api/v1/reports/%s%s%s", name, query && *query ? "?" : "",
			       query ? query : "");
	json_t *j = fetch(path, T(user), status);
	free(path);
	return j;
}

static json_t *catalogue_entry(json_t *cat, const char *name)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(cat, "reports"), i, r)
		if (streq(jstr(r, "name"), name))
			return r;
	return NULL;
}

static bool has_column_type(const json_t *cols, const char *type)
{
	size_t i;
	json_t *c;
	json_array_foreach(cols, i, c)
		if (streq(jstr(c, "type"), type))
			return true;
	return false;
}

/* The organisation codes user may see (GET /organisations), as an object. */
static json_t *scope_of(const char *user)
{
	json_t *set = json_object();
	json_t *j = fetch("/api/v1/organisations?limit=500", T(user), NULL);
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(j, "organisations"), i, o)
		json_object_set_new(set, jstr(o, "code"), json_true());
	json_decref(j);
	return set;
}

/* The distinct values of key in rows (an object of them). */
static json_t *values_of(const json_t *rows, const char *key)
{
	json_t *set = json_object();
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r) {
		const char *v = jstr(r, key);
		if (v)
			json_object_set_new(set, v, json_true());
	}
	return set;
}

/* The distinct values of key in the rows of a run (an object of them). */
static json_t *run_values(const char *user, const char *name, const char *query, const char *key)
{
	json_t *j = run(user, name, query, NULL);
	json_t *set = values_of(json_object_get(j, "rows"), key);
	json_decref(j);
	return set;
}

static bool set_within(const json_t *set, const json_t *allowed, const char **outside)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)set, k, v)
		if (!json_object_get(allowed, k)) {
			*outside = k;
			return false;
		}
	return true;
}

static bool set_is(const json_t *set, const char *const *codes)
{
	size_t n = 0;
	for (; codes[n]; n++)
		if (!json_object_get(set, codes[n]))
			return false;
	return json_object_size(set) == n;
}

static json_t *row_where(const json_t *rows, const char *k1, const char *v1, const char *k2,
			 const char *v2)
{
	size_t i;
	json_t *r;
	json_array_foreach(rows, i, r)
		if (streq(jstr(r, k1), v1) && (!k2 || streq(jstr(r, k2), v2)))
			return r;
	return NULL;
}

static const char *practice_of(const char *user)
{
	const char *p = jstr(me_org(ME(user), "PRACTICE"), "code");
	return p ? p : "A81001";
}

static bool is_admin(const char *user)
{
	return streq(user, "demo.practice") || streq(user, "demo.admin") || streq(user, "demo.other");
}

/* ------------------------------------------------------------ catalogue */

static void test_catalogue(void)
{
	for (size_t u = 0; u < ARRAY_SIZE(users); u++) {
		long st;
		json_t *cat = fetch("/api/v1/reports", T(users[u]), &st);
		bool all = true, pounds = false;
		for (size_t i = 0; i < ARRAY_SIZE(reports); i++) {
			json_t *e = catalogue_entry(cat, reports[i]);
			bool want = !streq(reports[i], "users-roles") || is_admin(users[u]);
			if (!e != !want)
				all = false;
			if (e && has_column_type(json_object_get(e, "columns"), "pounds"))
				pounds = true;
		}
		tap_ok(st == 200 && all, "%s: the catalogue lists the reports its roles allow%s", users[u],
		       is_admin(users[u]) ? " (Users and Roles too)" : " (not Users and Roles)");
		bool want_pounds = !streq(users[u], "demo.view") && !streq(users[u], "demo.admin");
		tap_ok(pounds == want_pounds, "%s: the catalogue %s pounds columns", users[u],
		       want_pounds ? "has" : "has no");
		json_decref(cat);
	}
	json_t *cat = fetch("/api/v1/reports", T("demo.commissioner"), NULL);
	json_t *sum = catalogue_entry(cat, "achievement-summary");
	json_t *mon = catalogue_entry(cat, "achievement-monthly");
	json_t *rel = catalogue_entry(cat, "network-relationship");
	tap_ok(sum && streq(jstr(sum, "tab"), "predefined") && streq(jstr(sum, "row_opens"), "indicator-detail") &&
	       streq(jstr(sum, "row_opens_also"), "achievement-monthly") && jstr(sum, "purpose"),
	       "achievement-summary: predefined, a purpose, rows open indicator-detail and achievement-monthly");
	tap_ok(mon && streq(jstr(mon, "tab"), "hidden"), "achievement-monthly is hidden from the tabs");
	tap_ok(rel && streq(jstr(rel, "tab"), "administrative"), "network-relationship is administrative");
	json_t *year = json_array_get(json_object_get(sum, "params"), 0);
	tap_ok(streq(jstr(year, "key"), "year") && streq(jstr(year, "default"), "2024/25") &&
	       json_is_true(json_object_get(year, "required")),
	       "the year defaults to the year of the latest achievement date (2024/25)");
	json_t *status = json_array_get(json_object_get(sum, "columns"), 8);
	tap_ok(streq(jstr(status, "type"), "status") &&
	       streq(jstr(json_object_get(status, "labels"), "FINANCIALLY_APPROVED"), "Financially Approved"),
	       "a status column carries the labels of its codes");
	json_decref(cat);
}

/* ------------------------------------------------------------ every report as every user */

static const char *query_for(const char *report, const char *user)
{
	if (streq(report, "achievement-monthly"))
		return F("organisation=%s&service=%lld", practice_of(user), (long long)qof);
	if (streq(report, "indicator-detail"))
		return F("service=%lld", (long long)qof);
	return "";
}

static void test_every_report_every_user(void)
{
	json_t *icb = scope_of("demo.commissioner");
	for (size_t u = 0; u < ARRAY_SIZE(users); u++) {
		const char *user = users[u];
		json_t *scope = scope_of(user);
		json_t *cat = fetch("/api/v1/reports", T(user), NULL);
		for (size_t i = 0; i < ARRAY_SIZE(reports); i++) {
			const char *rep = reports[i];
			long st;
			json_t *j = run(user, rep, query_for(rep, user), &st);
			if (streq(rep, "users-roles") && !is_admin(user)) {
				tap_ok(st == 403, "%s %s: 403 (administrators only)", user, rep);
				json_decref(j);
				continue;
			}
			json_t *e = catalogue_entry(cat, rep);
			json_t *cols = json_object_get(j, "columns");
			json_t *rows = json_object_get(j, "rows");
			bool ok = st == 200 && e && json_equal(cols, json_object_get(e, "columns")) &&
				  json_is_array(rows) &&
				  jint(j, "total") == (json_int_t)json_array_size(rows);
			/* every row has exactly the columns (and "open" when it opens) */
			size_t k;
			json_t *r;
			bool pounds_key = false;
			json_array_foreach(rows, k, r) {
				size_t c;
				json_t *col;
				json_array_foreach(cols, c, col)
					if (!json_object_get(r, jstr(col, "key")))
						ok = false;
				if (json_object_get(r, "pounds"))
					pounds_key = true;
				size_t extra = json_object_get(r, "open") ? 1 : 0;
				if (json_object_size(r) != json_array_size(cols) + extra)
					ok = false;
			}
			tap_ok(ok, "%s %s: 200, the catalogue's columns, every row with each (%zu rows)",
			       user, rep, json_array_size(rows));
			if (streq(user, "demo.view") || streq(user, "demo.admin"))
				tap_ok(!has_column_type(cols, "pounds") && !pounds_key,
				       "%s %s: no pounds column and no pounds in any row", user, rep);
			/* rows only inside the user's scope (demo.pcn's QOF reach
			 * includes the ICB's practices: an allocated report) */
			const char *key = streq(rep, "network-relationship") ? NULL : "org_code";
			if (key && json_array_size(rows) && json_object_get(json_array_get(rows, 0), key)) {
				json_t *seen = values_of(rows, key);
				json_t *allowed = json_deep_copy(scope);
				if (streq(user, "demo.pcn") && *query_for(rep, user))
					json_object_update(allowed, icb);
				const char *outside = NULL;
				tap_ok(set_within(seen, allowed, &outside), "%s %s: every row is in the user's reach%s%s",
				       user, rep, outside ? "; outside: " : "", outside ? outside : "");
				json_decref(allowed);
				json_decref(seen);
			}
			json_decref(j);
		}
		json_decref(cat);
		json_decref(scope);
	}
	json_decref(icb);

	/* a cluster user: its cluster only */
	static const char *const cluster[] = {"A81001", "A81004", "A81011", "A81019", NULL};
	json_t *j = run("demo.cluster", "achievement-summary", F("service=%lld", (long long)qof), NULL);
	json_t *seen = values_of(json_object_get(j, "rows"), "org_code");
	tap_ok(set_is(seen, cluster), "demo.cluster: Achievement Summary of QOF covers its cluster's four practices, no other");
	json_decref(seen);
	json_decref(j);
	j = run("demo.commissioner", "achievement-summary", F("service=%lld", (long long)qof), NULL);
	tap_ok(json_array_size(json_object_get(j, "rows")) == 8,
	       "demo.commissioner: Achievement Summary of QOF covers the ICB's eight practices");
	json_decref(j);
}

/* ------------------------------------------------------------ pounds */

static void test_pounds(void)
{
	json_t *j = run("demo.practice", "achievement-summary", F("service=%lld", (long long)qof), NULL);
	json_t *r = json_array_get(json_object_get(j, "rows"), 0);
	tap_ok(streq(jstr(r, "org_code"), "A81001") && json_is_integer(json_object_get(r, "pounds")) &&
	       jint(r, "pounds") > 0 && jint(r, "points") > 0 && jint(r, "max_points") == 699000,
	       "demo.practice (Finance View): its QOF row has points, the maximum and pounds (pence)");
	json_t *v = run("demo.view", "achievement-summary", F("service=%lld", (long long)qof), NULL);
	json_t *rv = json_array_get(json_object_get(v, "rows"), 0);
	tap_ok(streq(jstr(rv, "org_code"), "A81001") && jint(rv, "points") == jint(r, "points") &&
	       !json_object_get(rv, "pounds"),
	       "demo.view (View): the same points, no pounds");
	json_decref(v);
	json_decref(j);
	GET(T("demo.view"), "/api/v1/reports/achievement-summary?sort=pounds");
	tap_ok(is_err(400, "bad_query", "sort", NULL), "demo.view cannot sort by pounds (400 sort)");
	GET(T("demo.view"), F("/api/v1/reports/indicator-detail?service=%lld&format=csv", (long long)qof));
	tap_ok(R.status == 200 && !contains(R.body.data, "Pounds") && contains(R.body.data, "Points"),
	       "demo.view's CSV has no Pounds column");
}

/* ------------------------------------------------------------ refusals */

static void test_refusals(void)
{
	char ms_query[40];
	snprintf(ms_query, sizeof ms_query, "service=%lld", (long long)ms);
	const struct {
		const char *user, *report, *query;
		long status;
		const char *field, *words;
	} cases[] = {
		{"demo.commissioner", "achievement-summary", "colour=red", 400, "colour", "not a parameter"},
		{"demo.commissioner", "achievement-summary", "year=2024", 400, "year", "financial year"},
		{"demo.commissioner", "achievement-summary", "year=2024/25&year=2023/24", 400, "year", "twice"},
		{"demo.commissioner", "achievement-summary", "service=abc", 400, "service", "service id"},
		{"demo.commissioner", "achievement-summary", "service=99999", 400, "service", "no service"},
		{"demo.commissioner", "achievement-summary", "year=2023/24&service=QOF", 400, "service", NULL},
		{"demo.commissioner", "achievement-summary", "date=2025-02-30", 400, "date", "YYYY-MM-DD"},
		{"demo.commissioner", "achievement-summary", "organisation=L83002", 400, "organisation", "L83002"},
		{"demo.commissioner", "achievement-summary", "organisation=A8'1", 400, "organisation", NULL},
		{"demo.commissioner", "achievement-summary", "sort=colour", 400, "sort", "column"},
		{"demo.commissioner", "achievement-summary", "desc=yes", 400, "desc", NULL},
		{"demo.commissioner", "achievement-summary", "limit=0", 400, "limit", NULL},
		{"demo.commissioner", "achievement-summary", "offset=-1", 400, "offset", NULL},
		{"demo.commissioner", "achievement-summary", "format=xml", 400, "format", "json or csv"},
		{"demo.commissioner", "indicator-detail", "", 400, "service", "required"},
		{"demo.commissioner", "indicator-detail", "service=QOF&date=2025-03-30", 400, "date", NULL},
		{"demo.commissioner", "achievement-monthly", "service=QOF", 400, "organisation", "required"},
		{"demo.commissioner", "declaration-status", "status=DONE", 400, "status", "choices"},
		{"demo.commissioner", "participation-status", "status=AWAITING_FINANCE", 400, "status", NULL},
		{"demo.commissioner", "network-relationship", "start=2025-01-01&end=2024-01-01", 400, "end", NULL},
		{"demo.commissioner", "network-relationship", "pcn=A81001", 400, "pcn", NULL},
		{"demo.commissioner", "network-relationship", "pcn=U40517", 400, "pcn", NULL},
		{"demo.practice", "network-relationship", "practice=A81016", 400, "practice", NULL},
		{"demo.practice", "achievement-summary", "organisation=A81004", 400, "organisation", NULL},
		{"demo.pcn", "achievement-summary", ms_query /* not allocated to it */, 200, NULL, NULL},
		{"demo.view", "users-roles", "", 403, NULL, "administrators"},
		{"demo.commissioner", "no-such-report", "", 404, NULL, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *q = xstrdup(cases[i].query);
		char *p = strstr(q, "=QOF");
		if (p) { /* the QOF 2024/25 id */
			char *rest = xstrdup(p + 4);
			*p = '\0';
			char *nq = xasprintf("%s=%lld%s", q, (long long)qof, rest);
			free(rest);
			free(q);
			q = nq;
		}
		GET(T(cases[i].user), F("/api/v1/reports/%s%s%s", cases[i].report, *q ? "?" : "", q));
		bool ok = cases[i].status == 200 ? R.status == 200 :
			  is_err(cases[i].status, cases[i].status == 400 ? "bad_query" :
					 cases[i].status == 403 ? "forbidden" : "not_found",
				 cases[i].field, cases[i].words);
		tap_ok(ok, "%s %s?%s: %ld%s%s", cases[i].user, cases[i].report, q, cases[i].status,
		       cases[i].field ? " naming " : "", cases[i].field ? cases[i].field : "");
		free(q);
	}
}

/* ------------------------------------------------------------ the relationship report */

static void test_relationship(void)
{
	const char *period = "start=2024-04-01&end=2025-03-31";
	/* the ICB commissioner: everything in the ICB, a practice in no PCN
	 * as such; filtered to a PCN, or to a practice */
	json_t *j = run("demo.commissioner", "network-relationship", period, NULL);
	json_t *rows = json_object_get(j, "rows");
	json_t *none = row_where(rows, "practice_code", "A81030", NULL, NULL);
	tap_ok(none && json_is_null(json_object_get(none, "pcn_code")) &&
	       streq(jstr(none, "relationship"), "NONE"),
	       "commissioner: A81030, in no PCN, is a row saying so");
	json_t *old = row_where(rows, "practice_code", "A81011", "pcn_code", "U60172");
	json_t *now = row_where(rows, "practice_code", "A81011", "pcn_code", "U60381");
	tap_ok(old && now && streq(jstr(old, "relationship"), "ENDED") &&
	       streq(jstr(old, "end"), "2024-09-30") && streq(jstr(now, "relationship"), "CURRENT") &&
	       streq(jstr(now, "start"), "2024-10-01"),
	       "commissioner: A81011 moved from U60172 (ended 2024-09-30) to U60381 (current)");
	json_decref(j);
	j = run("demo.commissioner", "network-relationship", F("%s&pcn=U60172", period), NULL);
	json_t *seen = values_of(json_object_get(j, "rows"), "practice_code");
	static const char *const u60172[] = {"A81001", "A81004", "A81007", "A81011", NULL};
	tap_ok(set_is(seen, u60172) &&
	       streq(jstr(row_where(json_object_get(j, "rows"), "practice_code", "A81011", NULL, NULL),
			  "relationship"), "ENDED") &&
	       streq(jstr(json_object_get(j, "params"), "pcn"), "U60172"),
	       "commissioner filtered to U60172: its four practices of the year, A81011 ended");
	json_decref(seen);
	json_decref(j);
	j = run("demo.commissioner", "network-relationship", F("%s&practice=A81011", period), NULL);
	seen = values_of(json_object_get(j, "rows"), "pcn_code");
	static const char *const both[] = {"U60172", "U60381", NULL};
	tap_ok(json_array_size(json_object_get(j, "rows")) == 2 && set_is(seen, both),
	       "commissioner filtered to A81011: its past and current PCN");
	json_decref(seen);
	json_decref(j);
	j = run("demo.commissioner", "network-relationship", "start=2025-01-01&end=2025-03-31&pcn=U60172", NULL);
	seen = values_of(json_object_get(j, "rows"), "practice_code");
	static const char *const u60172_now[] = {"A81001", "A81004", "A81007", NULL};
	tap_ok(set_is(seen, u60172_now), "commissioner, January to March 2025: U60172 has its three current practices");
	json_decref(seen);
	json_decref(j);

	/* a GP user and a PCN user: the practices of their PCN in the period */
	const char *gp[] = {"demo.practice", "demo.view", "demo.pcn"};
	for (size_t i = 0; i < ARRAY_SIZE(gp); i++) {
		j = run(gp[i], "network-relationship", period, NULL);
		rows = json_object_get(j, "rows");
		seen = values_of(rows, "practice_code");
		json_t *pcns = values_of(rows, "pcn_code");
		static const char *const only[] = {"U60172", NULL};
		tap_ok(set_is(seen, u60172) && set_is(pcns, only),
		       "%s: the practices of U60172 in 2024/25 and no other PCN", gp[i]);
		json_decref(pcns);
		json_decref(seen);
		json_decref(j);
		long st;
		j = run(gp[i], "network-relationship", F("%s&pcn=U60172", period), &st);
		tap_ok(st == 200 && json_array_size(json_object_get(j, "rows")) == 4,
		       "%s may filter to its own PCN U60172", gp[i]);
		json_decref(j);
	}
	/* the other ICB's practice: its own PCN */
	j = run("demo.other", "network-relationship", period, NULL);
	seen = values_of(json_object_get(j, "rows"), "practice_code");
	static const char *const u40517[] = {"L83002", "L83005", "L83009", NULL};
	tap_ok(set_is(seen, u40517), "demo.other: the practices of U40517");
	json_decref(seen);
	json_decref(j);
	/* a cluster user: the memberships of its cluster's practices only */
	j = run("demo.cluster", "network-relationship", period, NULL);
	seen = values_of(json_object_get(j, "rows"), "practice_code");
	static const char *const cluster[] = {"A81001", "A81004", "A81011", "A81019", NULL};
	tap_ok(set_is(seen, cluster), "demo.cluster: its cluster's practices only");
	json_decref(seen);
	json_decref(j);
}

/* ------------------------------------------------------------ allocated reports */

static bool choice_allocated(const char *user, json_int_t svc, bool *present)
{
	json_t *cat = fetch("/api/v1/reports", T(user), NULL);
	json_t *sum = catalogue_entry(cat, "achievement-summary");
	json_t *svcp = json_array_get(json_object_get(sum, "params"), 1);
	bool alloc = false;
	*present = false;
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(svcp, "choices"), i, c)
		if (streq(jstr(c, "value"), F("%lld", (long long)svc))) {
			*present = true;
			alloc = json_is_true(json_object_get(c, "allocated"));
		}
	json_decref(cat);
	return alloc;
}

static void test_allocated(void)
{
	bool present;
	tap_ok(choice_allocated("demo.pcn", qof, &present) && present,
	       "demo.pcn (U60172): QOF 2024/25 is among its report choices, allocated by 00K");
	tap_ok(!choice_allocated("demo.pcn", ms, &present) && present,
	       "demo.pcn: Minor Surgery (allocated to U60381, not to it) is not marked allocated");
	tap_ok(!choice_allocated("demo.practice", qof, &present) && present,
	       "demo.practice (A81001, also under 00K): QOF 2024/25 is its own, not allocated");
	json_t *j = run("demo.pcn", "achievement-summary", F("service=%lld", (long long)qof), NULL);
	json_t *seen = values_of(json_object_get(j, "rows"), "org_code");
	tap_ok(json_object_size(seen) == 8 && json_object_get(seen, "A81016") &&
	       json_object_get(seen, "A81030") && json_is_integer(json_object_get(
		       row_where(json_object_get(j, "rows"), "org_code", "A81030", NULL, NULL), "pounds")),
	       "demo.pcn: the allocated QOF report covers all eight of 00K's practices, with pounds");
	json_decref(seen);
	json_decref(j);
	j = run("demo.pcn", "indicator-detail", F("service=%lld&organisation=A81016", (long long)qof), NULL);
	tap_ok(json_array_size(json_object_get(j, "rows")) > 0,
	       "demo.pcn: may open the allocated report for A81016 (not its member)");
	json_decref(j);
	seen = run_values("demo.pcn", "participation-status", F("service=%lld", (long long)ms), "org_code");
	tap_ok(json_object_size(seen) > 0 && !json_object_get(seen, "A81023"),
	       "demo.pcn: Minor Surgery (not allocated to it) covers only its own practices, not A81023");
	json_decref(seen);
	static const char *const own[] = {"A81001", NULL};
	seen = run_values("demo.practice", "achievement-summary", F("service=%lld", (long long)qof), "org_code");
	tap_ok(set_is(seen, own), "demo.practice: QOF 2024/25 for its own practice only (no allocation)");
	json_decref(seen);
	static const char *const other[] = {"L83002", NULL};
	seen = run_values("demo.other", "achievement-summary", F("service=%lld", (long long)qof), "org_code");
	tap_ok(set_is(seen, other), "demo.other (the other ICB): QOF 2024/25 for L83002 only");
	json_decref(seen);
	long st;
	j = run("demo.practice", "achievement-summary", F("service=%lld&organisation=A81016", (long long)qof), &st);
	tap_ok(st == 400, "demo.practice: A81016 refused (400 organisation): the allocation is not its");
	json_decref(j);
}

/* ------------------------------------------------------------ contents */

static void test_contents(void)
{
	json_t *j = run("demo.commissioner", "declaration-status",
			F("service=%lld&organisation=A81001", (long long)ms), NULL);
	json_t *r = row_where(json_object_get(j, "rows"), "date", "2024-04-30", NULL, NULL);
	tap_ok(r && streq(jstr(r, "status"), "FINANCIALLY_APPROVED") &&
	       streq(jstr(r, "declared_by"), "Priya Shah") && streq(jstr(r, "approved_by"), "Sarah Okafor") &&
	       streq(jstr(r, "paid_by"), "Martin Hughes"),
	       "declaration-status: who declared, approved and financially approved");
	tap_ok(r && strcmp(jstr(r, "created"), jstr(r, "declared")) <= 0 &&
	       strcmp(jstr(r, "declared"), jstr(r, "approved")) <= 0 &&
	       strcmp(jstr(r, "approved"), jstr(r, "paid")) <= 0 && streq(jstr(r, "since"), jstr(r, "paid")) &&
	       jint(r, "days") > 0,
	       "declaration-status: the date each status was reached, in order; in status since the last");
	json_t *first = json_array_get(json_object_get(j, "rows"), 0);
	tap_ok(streq(jstr(first, "status"), "AWAITING_PROVIDER"), "declaration-status: what waits on the provider first");
	json_decref(j);

	j = run("demo.commissioner", "missing-data", "", NULL);
	size_t i;
	bool ok = json_array_size(json_object_get(j, "rows")) > 0;
	json_array_foreach(json_object_get(j, "rows"), i, r)
		if (!(jint(r, "submitted") < jint(r, "total") &&
		      jint(r, "missing") == jint(r, "total") - jint(r, "submitted")))
			ok = false;
	tap_ok(ok, "missing-data: every row is n of m with n < m, and the missing count");
	json_decref(j);

	j = run("demo.admin", "users-roles", "", NULL);
	r = row_where(json_object_get(j, "rows"), "user_id", "demo.commissioner", NULL, NULL);
	tap_ok(r && streq(jstr(r, "org_code"), "00K") && contains(jstr(r, "roles"), "Commissioning Management") &&
	       streq(jstr(r, "state"), "ACTIVE") &&
	       json_object_get(json_object_get(j, "rows"), "pounds") == NULL,
	       "users-roles: demo.admin sees demo.commissioner at 00K with its roles");
	json_t *c = row_where(json_object_get(j, "rows"), "user_id", "demo.cluster", NULL, NULL);
	tap_ok(c && streq(jstr(c, "clusters"), "Tees Valley South"), "users-roles: a user's clusters");
	tap_ok(!row_where(json_object_get(j, "rows"), "user_id", "demo.other", NULL, NULL),
	       "users-roles: no user of the other ICB");
	json_decref(j);
	j = run("demo.practice", "users-roles", "", NULL);
	json_t *seen = values_of(json_object_get(j, "rows"), "user_id");
	tap_ok(json_object_get(seen, "demo.view") && json_object_get(seen, "demo.practice") &&
	       !json_object_get(seen, "demo.commissioner"),
	       "users-roles: a practice's User Administrator sees its practice's users only");
	json_decref(seen);
	json_decref(j);

	/* search, sort, paging */
	j = run("demo.commissioner", "achievement-summary", "sort=points&desc=1", NULL);
	json_t *rows = json_object_get(j, "rows");
	ok = json_array_size(rows) > 3;
	for (i = 1; i < json_array_size(rows); i++)
		if (jint(json_array_get(rows, i - 1), "points") < jint(json_array_get(rows, i), "points"))
			ok = false;
	tap_ok(ok, "sort=points&desc=1: rows by points, highest first");
	json_t *page = run("demo.commissioner", "achievement-summary", "sort=points&desc=1&limit=2&offset=1", NULL);
	tap_ok(json_array_size(json_object_get(page, "rows")) == 2 &&
	       jint(page, "total") == (json_int_t)json_array_size(rows) &&
	       json_equal(json_array_get(json_object_get(page, "rows"), 0), json_array_get(rows, 1)),
	       "limit and offset page the sorted rows; total counts them all");
	json_decref(page);
	json_decref(j);
	j = run("demo.commissioner", "achievement-summary", "q=DENSHAM", NULL);
	seen = values_of(json_object_get(j, "rows"), "org_code");
	static const char *const densham[] = {"A81001", NULL};
	tap_ok(set_is(seen, densham), "q=DENSHAM: the rows of The Densham Surgery only");
	json_decref(seen);
	json_decref(j);
	/* a row's "open" runs the report it opens (the second one with the
	 * keys it declares) */
	j = run("demo.commissioner", "achievement-summary", F("service=%lld&organisation=A81001", (long long)qof), NULL);
	json_t *open = json_object_get(json_array_get(json_object_get(j, "rows"), 0), "open");
	struct buf q;
	buf_init(&q);
	const char *k;
	json_t *v;
	json_object_foreach(open, k, v)
		buf_printf(&q, "%s%s=%s", q.len ? "&" : "", k, json_string_value(v));
	json_t *det = run("demo.commissioner", "indicator-detail", q.data, NULL);
	json_t *drows = json_object_get(det, "rows");
	tap_ok(json_array_size(drows) > 10 && streq(jstr(json_array_get(drows, 0), "org_code"), "A81001") &&
	       json_object_get(json_array_get(drows, 0), "achievement"),
	       "a summary row's open (%s) runs indicator-detail: its indicators with a bar each", q.data);
	json_decref(det);
	det = run("demo.commissioner", "achievement-monthly", F("organisation=%s&service=%s&year=%s",
		  jstr(open, "organisation"), jstr(open, "service"), jstr(open, "year")), NULL);
	tap_ok(json_array_size(json_object_get(det, "rows")) == 12,
	       "and achievement-monthly with the keys it declares");
	json_decref(det);
	buf_free(&q);
	json_decref(j);
	j = run("demo.commissioner", "achievement-monthly", F("organisation=A81001&service=%lld", (long long)qof), NULL);
	rows = json_object_get(j, "rows");
	tap_ok(json_array_size(rows) == 12 && streq(jstr(json_array_get(rows, 0), "date"), "2024-04-30") &&
	       streq(jstr(json_object_get(json_array_get(rows, 11), "open"), "organisation"), "A81001"),
	       "achievement-monthly: twelve month ends of A81001's year, each opening its indicators");
	json_decref(j);
}

/* ------------------------------------------------------------ CSV */

/* RFC 4180 parsed into an array of arrays of strings; NULL when it is not. */
static json_t *parse_csv(const char *s, size_t len)
{
	json_t *rows = json_array(), *row = json_array();
	struct buf f;
	buf_init(&f);
	size_t i = 0;
	bool ok = true;
	while (i < len) {
		buf_reset(&f);
		if (s[i] == '"') {
			i++;
			for (;;) {
				if (i >= len) {
					ok = false;
					break;
				}
				if (s[i] == '"') {
					if (i + 1 < len && s[i + 1] == '"') {
						buf_putc(&f, '"');
						i += 2;
						continue;
					}
					i++;
					break;
				}
				buf_putc(&f, s[i++]);
			}
		} else {
			while (i < len && s[i] != ',' && s[i] != '\r' && s[i] != '\n' && s[i] != '"')
				buf_putc(&f, s[i++]);
		}
		json_array_append_new(row, json_string(f.data ? f.data : ""));
		if (!ok)
			break;
		if (i < len && s[i] == ',') {
			i++;
			continue;
		}
		if (i + 1 < len && s[i] == '\r' && s[i + 1] == '\n') {
			i += 2;
			json_array_append_new(rows, row);
			row = json_array();
			continue;
		}
		ok = false; /* a bare LF, a stray quote, or no CRLF at the end */
		break;
	}
	buf_free(&f);
	json_decref(row);
	if (!ok) {
		json_decref(rows);
		return NULL;
	}
	return rows;
}

/* A JSON value as the CSV rules write it. */
static char *csv_of(const json_t *v, const json_t *col)
{
	const char *type = jstr(col, "type");
	if (json_is_null(v) || !v)
		return xstrdup("");
	if (json_is_string(v)) {
		if (streq(type, "status")) {
			const char *l = jstr(json_object_get(col, "labels"), json_string_value(v));
			return xstrdup(l ? l : json_string_value(v));
		}
		return xstrdup(json_string_value(v));
	}
	long long n = json_integer_value(v), a = n < 0 ? -n : n;
	const char *sign = n < 0 ? "-" : "";
	if (streq(type, "pounds"))
		return xasprintf("%s%lld.%02lld", sign, a / 100, a % 100);
	if (streq(type, "points"))
		return a % 10 == 0 ? xasprintf("%s%lld.%02lld", sign, a / 1000, a % 1000 / 10) :
				     xasprintf("%s%lld.%03lld", sign, a / 1000, a % 1000);
	if (streq(type, "bar"))
		return xasprintf("%s%lld.%lld", sign, a / 10, a % 10);
	return xasprintf("%lld", n);
}

static bool csv_matches_json(json_t *csv, json_t *j, char *why, size_t whylen)
{
	json_t *cols = json_object_get(j, "columns"), *rows = json_object_get(j, "rows");
	if (!csv || json_array_size(csv) != json_array_size(rows) + 1) {
		snprintf(why, whylen, "%zu CSV lines for %zu rows", csv ? json_array_size(csv) : 0,
			 json_array_size(rows));
		return false;
	}
	json_t *head = json_array_get(csv, 0);
	for (size_t c = 0; c < json_array_size(cols); c++)
		if (!streq(json_string_value(json_array_get(head, c)), jstr(json_array_get(cols, c), "label"))) {
			snprintf(why, whylen, "header %zu", c);
			return false;
		}
	for (size_t i = 0; i < json_array_size(rows); i++) {
		json_t *line = json_array_get(csv, i + 1), *row = json_array_get(rows, i);
		if (json_array_size(line) != json_array_size(cols)) {
			snprintf(why, whylen, "line %zu has %zu fields", i + 2, json_array_size(line));
			return false;
		}
		for (size_t c = 0; c < json_array_size(cols); c++) {
			json_t *col = json_array_get(cols, c);
			char *want = csv_of(json_object_get(row, jstr(col, "key")), col);
			bool same = streq(want, json_string_value(json_array_get(line, c)));
			if (!same)
				snprintf(why, whylen, "line %zu %s: %s, not %s", i + 2, jstr(col, "key"),
					 json_string_value(json_array_get(line, c)), want);
			free(want);
			if (!same)
				return false;
		}
	}
	return true;
}

static void test_csv(void)
{
	const char *runs[][3] = {
		{"demo.commissioner", "achievement-summary", ""},
		{"demo.commissioner", "indicator-detail", "service=QOF"},
		{"demo.commissioner", "declaration-status", ""},
		{"demo.commissioner", "participation-status", ""},
		{"demo.commissioner", "missing-data", ""},
		{"demo.commissioner", "network-relationship", "start=2024-04-01&end=2025-03-31"},
		{"demo.admin", "users-roles", ""},
		{"demo.view", "achievement-summary", "sort=org_name&desc=1"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(runs); i++) {
		const char *q = streq(runs[i][2], "service=QOF") ? F("service=%lld", (long long)qof) : runs[i][2];
		json_t *j = run(runs[i][0], runs[i][1], q, NULL);
		const char *path = F("/api/v1/reports/%s?%s%sformat=csv", runs[i][1], q, *q ? "&" : "");
		GET(T(runs[i][0]), path);
		char *ctype = http_header(&R, "Content-Type"), *disp = http_header(&R, "Content-Disposition");
		json_t *csv = parse_csv(R.body.data, R.body.len);
		char why[200] = "";
		bool ok = R.status == 200 && csv_matches_json(csv, j, why, sizeof why);
		tap_ok(ok && ctype && contains(ctype, "text/csv") && disp &&
		       contains(disp, F("cqrs-%s-2025-04-10.csv", runs[i][1])),
		       "%s %s: the CSV (RFC 4180, labels, pounds and points as decimals) is the JSON's rows%s%s",
		       runs[i][0], runs[i][1], *why ? ": " : "", why);
		free(ctype);
		free(disp);
		json_decref(csv);
		json_decref(j);
	}
	/* quoting: an indicator description with a comma comes back whole */
	GET(T("demo.commissioner"), F("/api/v1/reports/indicator-detail?service=%lld&format=csv", (long long)qof));
	tap_ok(R.status == 200 && contains(R.body.data, ",\"") && contains(R.body.data, "\r\n"),
	       "indicator-detail CSV: fields with commas are quoted; lines end CRLF");
	/* gzip on the wire, streamed */
	static const char *const gz[] = {"Accept-Encoding: gzip", NULL};
	struct http_req rq = {.path = "/api/v1/reports/indicator-detail?format=csv&service=0",
			      .token = T("demo.commissioner"), .headers = gz};
	char *p = xasprintf("/api/v1/reports/indicator-detail?format=csv&service=%lld", (long long)qof);
	rq.path = p;
	struct http_resp zr;
	http_do(&srv, &rq, &zr);
	char *enc = http_header(&zr, "Content-Encoding");
	size_t plain_len = 0;
	char *plain = gunzip(zr.body.data, zr.body.len, &plain_len);
	GET(T("demo.commissioner"), p);
	tap_ok(zr.status == 200 && enc && streq(enc, "gzip") && plain && plain_len == R.body.len &&
	       memcmp(plain, R.body.data, plain_len) == 0 && zr.body.len < R.body.len,
	       "gzip: the compressed CSV (%zu bytes) unpacks to the plain one (%zu bytes)", zr.body.len,
	       R.body.len);
	free(plain);
	free(enc);
	http_resp_free(&zr);
	rq.path = F("/api/v1/reports/achievement-summary?service=%lld", (long long)qof);
	http_do(&srv, &rq, &zr);
	plain = gunzip(zr.body.data, zr.body.len, &plain_len);
	json_t *pj = plain ? json_loads(plain, 0, NULL) : NULL;
	tap_ok(pj && json_array_size(json_object_get(pj, "rows")) == 8 && jint(pj, "total") == 8,
	       "gzip: the streamed JSON unpacks whole");
	json_decref(pj);
	free(plain);
	http_resp_free(&zr);
	free(p);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	apitest_start(240);
	qof = service_by_code(T("demo.commissioner"), "QOF2425");
	ms = service_by_code(T("demo.commissioner"), "MS2425");
	test_catalogue();
	test_every_report_every_user();
	test_pounds();
	test_refusals();
	test_relationship();
	test_allocated();
	test_contents();
	test_csv();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
