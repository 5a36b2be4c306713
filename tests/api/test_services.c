/* test_services.c: the API tests of the service catalogue. Starts the
 * real cqrsd (from $CQRSD) on a free loopback port with a temporary demo
 * database and checks GET /services (filters, years, bad queries), GET
 * /services/{id} (the whole structure of the Network Contract DES and QOF
 * 2024/25, pounds only for the roles that see them) and GET
 * /organisations/{code}/services (offers in every status, scope). Speaks
 * TAP, one line per case; limited to 120 s. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "harness.h"

/* ------------------------------------------------------------ state */

static const char *own_practice;     /* demo.practice's practice code */
static const char *own_pcn;          /* demo.pcn's PCN code */
static json_int_t ncd_id = -1;       /* Network Contract DES 2024/25 */
static json_int_t qof_id = -1;       /* QOF 2024/25 */
static json_t *icb_practices;        /* practices seen by demo.commissioner */

/* Deletes, recursively, every key containing "pence" from j. */
static void strip_pence(json_t *j)
{
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(j, tmp, k, v) {
			if (strstr(k, "pence"))
				json_object_del(j, k);
			else
				strip_pence(v);
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			strip_pence(v);
	}
}

/* ------------------------------------------------------------ services */

static const char *const summary_fields[] = {
	"id", "code", "name", "display_name", "financial_year", "payment_type",
	"payment_type_name", "frequency", "level", "start_date", "end_date",
	"payment_period", "entry", "participation_only",
};

static bool summary_well_formed(const json_t *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(summary_fields); i++)
		if (!json_object_get(s, summary_fields[i])) {
			tap_diag("service summary lacks \"%s\"", summary_fields[i]);
			return false;
		}
	const char *pt = jstr(s, "payment_type"), *name = jstr(s, "name"), *dn = jstr(s, "display_name");
	if (!json_is_integer(json_object_get(s, "id")) || !pt || !name || !dn ||
	    !json_is_boolean(json_object_get(s, "participation_only")) ||
	    !is_date(jstr(s, "start_date")) || !is_date(jstr(s, "end_date")))
		return false;
	/* "DES — Annual — Network Contract DES 2024/25" */
	char *head = xasprintf("%s \xe2\x80\x94 ", pt);
	char *tail = xasprintf(" \xe2\x80\x94 %s", name);
	bool ok = str_has_prefix(dn, head) && strlen(dn) > strlen(tail) &&
		  strcmp(dn + strlen(dn) - strlen(tail), tail) == 0;
	if (!ok)
		tap_diag("display_name \"%s\" does not follow \"TYPE — Frequency — name\"", dn);
	free(head);
	free(tail);
	return ok;
}

static json_t *services_query(const char *user, const char *query, long *status)
{
	char *path = xasprintf("/api/v1/services%s%s", query ? "?" : "", query ? query : "");
	json_t *j = fetch(path, T(user), status);
	free(path);
	return j;
}

static void test_services_list(void)
{
	long st;
	json_t *j = services_query("demo.practice", "year=2024/25", &st);
	json_t *arr = json_object_get(j, "services");
	bool ok = st == 200 && json_array_size(arr) >= 4;
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		if (!summary_well_formed(s) || !streq(jstr(s, "financial_year"), "2024/25"))
			ok = false;
		const char *name = jstr(s, "name"), *pt = jstr(s, "payment_type");
		if (name && pt && strstr(name, "Network Contract DES") && strcmp(pt, "DES") == 0)
			ncd_id = json_integer_value(json_object_get(s, "id"));
		if (pt && strcmp(pt, "QOF") == 0)
			qof_id = json_integer_value(json_object_get(s, "id"));
	}
	tap_ok(ok, "GET /services?year=2024/25: 200, every summary complete and of 2024/25, display names "
	       "\"TYPE — Frequency — name\"");
	tap_ok(ncd_id > 0, "the 2024/25 catalogue has the Network Contract DES");
	tap_ok(qof_id > 0, "the 2024/25 catalogue has QOF");
	bool po = false, es = false;
	json_array_foreach(arr, i, s) {
		if (json_is_true(json_object_get(s, "participation_only")))
			po = true;
		if (jstr(s, "payment_type") && strcmp(jstr(s, "payment_type"), "ES") == 0)
			es = true;
	}
	tap_ok(po && es, "2024/25 also has an enhanced service and a participation-only service");
	tap_ok(!has_pence(j), "the catalogue carries no pounds");
	json_t *view = services_query("demo.view", "year=2024/25", &st);
	tap_ok(st == 200 && json_equal(view, j), "demo.view sees the same catalogue");
	json_decref(view);
	json_t *enc = services_query("demo.practice", "year=2024%2F25", &st);
	tap_ok(st == 200 && json_equal(enc, j), "year=2024%%2F25 (percent-encoded) is the same query");
	json_decref(enc);
	json_decref(j);

	j = services_query("demo.practice", "year=2024/25&payment_type=DES", &st);
	arr = json_object_get(j, "services");
	ok = st == 200 && json_array_size(arr) >= 1;
	bool has_ncd = false;
	json_array_foreach(arr, i, s) {
		if (!jstr(s, "payment_type") || strcmp(jstr(s, "payment_type"), "DES") != 0)
			ok = false;
		if (json_integer_value(json_object_get(s, "id")) == ncd_id)
			has_ncd = true;
	}
	tap_ok(ok && has_ncd, "payment_type=DES filters to DES services, the Network Contract DES among them");
	json_decref(j);

	static const char *const years[] = { "2023/24", "2025/26" };
	for (size_t k = 0; k < ARRAY_SIZE(years); k++) {
		char *q = xasprintf("year=%s&payment_type=QOF", years[k]);
		j = services_query("demo.practice", q, &st);
		arr = json_object_get(j, "services");
		tap_ok(st == 200 && json_array_size(arr) >= 1 &&
		       streq(jstr(json_array_get(arr, 0), "financial_year"), years[k]),
		       "QOF exists for %s", years[k]);
		json_decref(j);
		free(q);
	}
	j = services_query("demo.practice", NULL, &st);
	arr = json_object_get(j, "services");
	bool y23 = false, y25 = false;
	json_array_foreach(arr, i, s) {
		const char *fy = jstr(s, "financial_year");
		if (fy && strcmp(fy, "2023/24") == 0)
			y23 = true;
		if (fy && strcmp(fy, "2025/26") == 0)
			y25 = true;
	}
	tap_ok(st == 200 && y23 && y25, "GET /services without filters lists every year");
	json_decref(j);
	j = services_query("demo.practice", "year=2031/32", &st);
	tap_ok(st == 200 && json_is_array(json_object_get(j, "services")) &&
	       json_array_size(json_object_get(j, "services")) == 0,
	       "a year with no services: 200 with an empty list");
	json_decref(j);

	static const char *const bad[] = { "year=2024", "year=2024/26", "year=24/25",
					   "payment_type=XYZ" };
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		struct http_resp r;
		char *path = xasprintf("/api/v1/services?%s", bad[k]);
		http_get(&srv, path, T("demo.practice"), &r);
		expect_error(&r, 400, "bad_query", NULL, "GET /services?%s: 400 bad_query", bad[k]);
		http_resp_free(&r);
		free(path);
	}
}

/* Collects every indicator of a domain/sub-domain tree into out (borrowed
 * references); false when a level is malformed. */
static bool collect_indicators(const json_t *node, json_t *out, json_t *groups)
{
	bool ok = true;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(node, "subdomains"), i, x) {
		if (!jstr(x, "name"))
			ok = false;
		ok = collect_indicators(x, out, groups) && ok;
	}
	json_array_foreach(json_object_get(node, "groups"), i, x) {
		if (!jstr(x, "code") || !jstr(x, "name") || !jstr(x, "kind") ||
		    !json_is_array(json_object_get(x, "indicators")))
			ok = false;
		json_array_append(groups, x);
		size_t k;
		json_t *ind;
		json_array_foreach(json_object_get(x, "indicators"), k, ind)
			json_array_append(out, ind);
	}
	return ok;
}

static bool indicator_well_formed(const json_t *ind)
{
	static const char *const kinds[] = { "count", "ratio", "yesno", "money", "date" };
	const char *kind = jstr(ind, "kind");
	bool kind_ok = false;
	for (size_t i = 0; kind && i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			kind_ok = true;
	json_t *pts = json_object_get(ind, "points");
	json_t *lo = json_object_get(ind, "lower_threshold"), *hi = json_object_get(ind, "upper_threshold");
	json_t *pat = json_object_get(ind, "pattern");
	bool ok = jstr(ind, "code") && jstr(ind, "description") && kind_ok &&
		  (json_is_integer(pts) || json_is_null(pts)) &&
		  (json_is_integer(lo) || json_is_null(lo)) && (json_is_integer(hi) || json_is_null(hi)) &&
		  (json_is_string(pat) || json_is_null(pat)) &&
		  json_is_boolean(json_object_get(ind, "pcn_entered"));
	if (ok && json_is_integer(lo) && json_is_integer(hi))
		ok = json_integer_value(lo) >= 0 && json_integer_value(lo) <= json_integer_value(hi) &&
		     json_integer_value(hi) <= 100;
	if (!ok) {
		char *s = json_dumps(ind, JSON_COMPACT);
		tap_diag("malformed indicator: %s", s);
		free(s);
	}
	return ok;
}

/* GET /services/{id} as user; checks the structure and returns the answer
 * (owned) with its indicators and groups (owned arrays). */
static json_t *service_detail(const char *user, json_int_t id, json_t **inds, json_t **groups,
			      bool *well_formed)
{
	long st;
	char *path = xasprintf("/api/v1/services/%lld", (long long)id);
	json_t *j = fetch(path, T(user), &st);
	free(path);
	*inds = json_array();
	*groups = json_array();
	json_t *dom = json_object_get(j, "domains");
	json_t *decl = json_object_get(j, "declaration");
	bool ok = st == 200 && summary_well_formed(j) && json_integer_value(json_object_get(j, "id")) == id &&
		  json_is_array(dom) && json_array_size(dom) >= 1 &&
		  json_is_boolean(json_object_get(decl, "required")) &&
		  json_is_boolean(json_object_get(decl, "approval_required")) &&
		  json_is_array(json_object_get(decl, "statements")) &&
		  json_is_array(json_object_get(j, "achievement_dates"));
	size_t i;
	json_t *d;
	json_array_foreach(dom, i, d) {
		if (!jstr(d, "name") || !json_is_array(json_object_get(d, "groups")) ||
		    !json_is_array(json_object_get(d, "subdomains")))
			ok = false;
		ok = collect_indicators(d, *inds, *groups) && ok;
	}
	json_array_foreach(*inds, i, d) {
		if (!indicator_well_formed(d))
			ok = false;
	}
	ok = ok && json_array_size(*inds) > 0;
	if (st != 200)
		tap_diag("GET /services/%lld as %s answered %ld", (long long)id, user, st);
	*well_formed = ok;
	return j;
}

static bool any_text_contains(const json_t *j, const char *needle)
{
	if (json_is_string(j))
		return strstr(json_string_value(j), needle) != NULL;
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
			if (any_text_contains(v, needle))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (any_text_contains(v, needle))
				return true;
	}
	return false;
}

static void test_service_detail(void)
{
	json_t *inds, *groups;
	bool wf;
	if (ncd_id <= 0 || qof_id <= 0) {
		tap_ok(false, "the services to inspect were found");
		return;
	}

	/* Network Contract DES 2024/25 as demo.practice. */
	json_t *ncd = service_detail("demo.practice", ncd_id, &inds, &groups, &wf);
	tap_ok(wf, "GET /services/%lld (Network Contract DES 2024/25): the whole structure, "
	       "domains > groups > indicators, declaration, achievement dates", (long long)ncd_id);
	tap_ok(jstr(ncd, "level") && strcasecmp(jstr(ncd, "level"), "network") == 0,
	       "the Network Contract DES is network level (got %s)", jstr(ncd, "level"));
	tap_ok(json_is_integer(json_object_get(ncd, "pence_per_point")),
	       "demo.practice (Finance View) sees pence_per_point");
	json_t *dates = json_object_get(ncd, "achievement_dates");
	bool dates_ok = json_array_size(dates) >= 12;
	int months[12] = { 0 };
	int pay = 0, nopay = 0;
	const char *prev = "";
	size_t i;
	json_t *d;
	json_array_foreach(dates, i, d) {
		const char *ds = jstr(d, "date");
		json_t *p = json_object_get(d, "payment");
		if (!is_date(ds) || !json_is_boolean(p) || strcmp(ds, prev) <= 0 ||
		    strcmp(ds, "2024-04-01") < 0 || strcmp(ds, "2025-03-31") > 0) {
			dates_ok = false;
			continue;
		}
		prev = ds;
		int y = atoi(ds), m = atoi(ds + 5);
		int idx = y == 2024 ? m - 4 : m + 8;
		if (idx >= 0 && idx < 12)
			months[idx]++;
		if (json_is_true(p))
			pay++;
		else
			nopay++;
	}
	for (int m = 0; m < 12; m++)
		if (months[m] == 0)
			dates_ok = false;
	tap_ok(dates_ok, "its achievement dates are monthly, April 2024 to March 2025, ascending");
	tap_ok(pay >= 1 && nopay >= 1, "payment dates are flagged: %d payment, %d not", pay, nopay);
	json_t *last = json_array_get(dates, json_array_size(dates) - 1);
	tap_ok(last && jstr(last, "date") && strcmp(jstr(last, "date"), "2025-03-31") == 0 &&
	       json_is_true(json_object_get(last, "payment")),
	       "31 March 2025 is a payment date");
	bool yesno = false, ratio_pair = false;
	json_array_foreach(inds, i, d) {
		if (streq(jstr(d, "kind"), "yesno"))
			yesno = true;
		if (streq(jstr(d, "kind"), "ratio") &&
		    json_is_integer(json_object_get(d, "lower_threshold")) &&
		    json_is_integer(json_object_get(d, "upper_threshold")))
			ratio_pair = true;
	}
	tap_ok(yesno, "the Network Contract DES has a tick-box (yesno) indicator");
	tap_ok(ratio_pair, "it has IIF-style ratio indicators with lower and upper thresholds");
	tap_ok(any_text_contains(json_object_get(ncd, "domains"), "CAIP") ||
	       any_text_contains(json_object_get(ncd, "domains"), "Capacity and Access"),
	       "it has the Capacity and Access (CAIP) components");
	json_decref(inds);
	json_decref(groups);

	/* demo.view: points, never pounds. */
	json_t *vncd = service_detail("demo.view", ncd_id, &inds, &groups, &wf);
	tap_ok(wf && !json_object_get(vncd, "pence_per_point"),
	       "demo.view: GET /services/%lld has no pence_per_point", (long long)ncd_id);
	tap_ok(!has_pence(vncd), "demo.view: no pounds field anywhere in the service (absent, not zero)");
	bool pts = false;
	json_array_foreach(inds, i, d) {
		if (json_is_integer(json_object_get(d, "points")))
			pts = true;
	}
	tap_ok(pts, "demo.view still sees indicator points");
	json_decref(inds);
	json_decref(groups);
	strip_pence(ncd);
	tap_ok(json_equal(ncd, vncd),
	       "apart from pounds, demo.view and demo.practice get the same structure");
	json_decref(vncd);
	json_decref(ncd);

	/* QOF 2024/25. */
	json_t *qof = service_detail("demo.practice", qof_id, &inds, &groups, &wf);
	tap_ok(wf, "GET /services/%lld (QOF 2024/25): the whole structure", (long long)qof_id);
	json_t *ppp = json_object_get(qof, "pence_per_point");
	tap_ok(json_is_integer(ppp) && json_integer_value(ppp) == 22062,
	       "QOF 2024/25 pays 22062 pence a point (got %lld)",
	       ppp ? (long long)json_integer_value(ppp) : -1LL);
	static const char *const real[] = {
		"AF006", "AF008", "AST007", "AST011", "BP002", "CAN004", "CHD005", "CHD015",
		"COPD010", "DEM004", "DM006", "DM012", "DM014", "DM034", "HF003", "HYP008",
		"HYP009", "LD004", "MH002", "SMOK002", "STIA014", "CKD005", "OST004", "PAD004",
		"NDH002", "CS005", "VI001", "QI011", "SMI021", "EP001",
	};
	int nreal = 0;
	bool codes_ok = true, group_kinds = false, groups_ok = true;
	json_array_foreach(inds, i, d) {
		const char *c = jstr(d, "code");
		if (!c) {
			codes_ok = false;
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(real); k++)
			if (strcmp(c, real[k]) == 0)
				nreal++;
		size_t n = strlen(c);
		if (n < 4 || !isupper((unsigned char)c[0]) || !isdigit((unsigned char)c[n - 1]))
			codes_ok = false;
	}
	json_array_foreach(groups, i, d) {
		const char *k = jstr(d, "kind");
		/* docs/api.md shows "payment"; the other kind is management
		 * information, for which the contract names no code: accept the
		 * obvious spellings. */
		if (streq(k, "payment"))
			group_kinds = true;
		else if (!streq(k, "mi") && !streq(k, "management") &&
			 !streq(k, "management_information"))
			groups_ok = false;
	}
	tap_ok(nreal >= 5 && codes_ok, "QOF 2024/25 uses real indicator codes (%d well-known ones found)", nreal);
	tap_ok(group_kinds && groups_ok,
	       "indicator groups are payment or management information (mi) groups");
	json_decref(inds);
	json_decref(groups);
	json_decref(qof);
	json_t *vq = service_detail("demo.view", qof_id, &inds, &groups, &wf);
	tap_ok(wf && !has_pence(vq), "demo.view: QOF 2024/25 without any pounds");
	json_decref(inds);
	json_decref(groups);
	json_decref(vq);

	/* Pounds follow the roles of GET /me. */
	static const char *const fin[] = { "demo.commissioner", "demo.finance", "demo.approver", "demo.pcn" };
	for (size_t k = 0; k < ARRAY_SIZE(fin); k++) {
		long st;
		char *path = xasprintf("/api/v1/services/%lld", (long long)qof_id);
		json_t *j = fetch(path, T(fin[k]), &st);
		tap_ok(st == 200 && json_integer_value(json_object_get(j, "pence_per_point")) == 22062,
		       "%s sees QOF's pence_per_point", fin[k]);
		json_decref(j);
		free(path);
	}
	{
		long st;
		char *path = xasprintf("/api/v1/services/%lld", (long long)qof_id);
		json_t *j = fetch(path, T("demo.admin"), &st);
		tap_ok(st == 200 && !has_pence(j), "demo.admin (no finance role) sees no pounds");
		json_decref(j);
		free(path);
	}

	struct http_resp r;
	http_get(&srv, "/api/v1/services/999999", T("demo.practice"), &r);
	expect_error(&r, 404, "not_found", NULL, "GET /services/999999: 404 not_found");
	http_resp_free(&r);
	static const char *const odd[] = { "0", "-1", "abc", "12abc" };
	for (size_t k = 0; k < ARRAY_SIZE(odd); k++) {
		char *path = xasprintf("/api/v1/services/%s", odd[k]);
		http_get(&srv, path, T("demo.practice"), &r);
		bool ok = (r.status == 404 && strcmp(err_code(&r), "not_found") == 0) ||
			  (r.status == 400 && strcmp(err_code(&r), "bad_query") == 0);
		tap_ok(ok, "GET /services/%s: 404 not_found or 400 bad_query", odd[k]);
		if (!ok)
			diag_resp(&r);
		http_resp_free(&r);
		free(path);
	}
}

static void test_org_services(void)
{
	long st;
	char *path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", own_practice);
	json_t *j = fetch(path, T("demo.practice"), &st);
	json_t *arr = json_object_get(j, "services");
	bool ok = st == 200 && json_array_size(arr) >= 1;
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		json_t *offer = json_object_get(s, "offer");
		const char *status = jstr(offer, "status");
		if (!summary_well_formed(s) || !json_is_integer(json_object_get(offer, "id")) || !status ||
		    (strcmp(status, "OFFERED") && strcmp(status, "APPROVED") && strcmp(status, "REJECTED") &&
		     strcmp(status, "CANCELLED")) ||
		    !streq(jstr(s, "financial_year"), "2024/25"))
			ok = false;
	}
	tap_ok(ok, "GET /organisations/%s/services?year=2024/25: summaries with offer {id, status}",
	       own_practice);
	json_t *v = fetch(path, T("demo.view"), &st);
	tap_ok(st == 200 && json_equal(v, j), "demo.view sees the same offers");
	json_decref(v);
	json_decref(j);
	free(path);

	/* The PCN has the Network Contract DES. */
	path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", own_pcn);
	j = fetch(path, T("demo.pcn"), &st);
	bool has_ncd = false;
	json_array_foreach(json_object_get(j, "services"), i, s) {
		if (json_integer_value(json_object_get(s, "id")) == ncd_id)
			has_ncd = true;
	}
	tap_ok(st == 200 && has_ncd, "demo.pcn: its PCN is offered the Network Contract DES 2024/25");
	json_decref(j);
	free(path);

	/* Offers in every status across the ICB. */
	bool seen[4] = { false, false, false, false };
	static const char *const names[] = { "OFFERED", "APPROVED", "REJECTED", "CANCELLED" };
	json_t *o;
	json_array_foreach(icb_practices, i, o) {
		path = xasprintf("/api/v1/organisations/%s/services", jstr(o, "code"));
		j = fetch(path, T("demo.commissioner"), &st);
		size_t k;
		json_array_foreach(json_object_get(j, "services"), k, s) {
			const char *status = jstr(json_object_get(s, "offer"), "status");
			for (size_t n = 0; status && n < 4; n++)
				if (strcmp(status, names[n]) == 0)
					seen[n] = true;
		}
		json_decref(j);
		free(path);
	}
	tap_ok(seen[0] && seen[1] && seen[2] && seen[3],
	       "the ICB's practices have offers in every status (offered %d, approved %d, rejected %d, "
	       "cancelled %d)", seen[0], seen[1], seen[2], seen[3]);

	const char *other = other_code(icb_practices, own_practice);
	struct http_resp r;
	if (other) {
		path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", other);
		http_get(&srv, path, T("demo.practice"), &r);
		tap_ok(r.status == 404 || r.status == 403,
		       "demo.practice cannot list another practice's services (%s): 404 or 403", other);
		tap_ok(r.status == 404 && !has_pence(r.json) && !json_object_get(r.json, "services"),
		       "... 404 as docs/api.md says, and nothing of it leaks");
		if (r.status != 404)
			diag_resp(&r);
		http_resp_free(&r);
		free(path);
	}
	http_get(&srv, "/api/v1/organisations/ZZ9999/services", T("demo.commissioner"), &r);
	expect_error(&r, 404, "not_found", NULL, "GET /organisations/ZZ9999/services: 404 not_found");
	http_resp_free(&r);
	path = xasprintf("/api/v1/organisations/%s/services?year=twenty", own_practice);
	http_get(&srv, path, T("demo.practice"), &r);
	expect_error(&r, 400, "bad_query", NULL, "GET /organisations/%s/services?year=twenty: 400 bad_query",
		     own_practice);
	http_resp_free(&r);
	free(path);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	apitest_start(120);
	own_practice = jstr(me_org(ME("demo.practice"), "PRACTICE"), "code");
	own_pcn = jstr(me_org(ME("demo.pcn"), "PCN"), "code");
	json_t *ps = fetch("/api/v1/organisations?kind=PRACTICE&limit=500", T("demo.commissioner"), NULL);
	icb_practices = json_incref(json_object_get(ps, "organisations"));
	if (ps)
		json_decref(ps);
	if (!own_practice || !own_pcn || json_array_size(icb_practices) < 2)
		tap_bail("the demo users' organisations could not be read");

	test_services_list();
	test_service_detail();
	test_org_services();

	json_decref(icb_practices);
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
