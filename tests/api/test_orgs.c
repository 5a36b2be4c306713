/* test_orgs.c: the API tests of organisations. Starts the real cqrsd
 * (from $CQRSD) on a free loopback port with a temporary demo database and
 * checks GET /organisations (search, kinds, paging, bad queries) and GET
 * /organisations/{code} (memberships) as each demo user's scope allows:
 * a practice, its PCN, the commissioner's ICB and a Service Provider
 * Cluster. Speaks TAP, one line per case; limited to 120 s. */
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
static const char *own_icb;          /* demo.commissioner's ICB code */
static const char *own_pcn;          /* demo.pcn's PCN code */
static json_t *icb_practices;        /* practices seen by demo.commissioner */

/* The code of a "parent" that may be a code string or {"code", ...}. */
static const char *parent_code(const json_t *org)
{
	json_t *p = json_object_get(org, "parent");
	if (json_is_string(p))
		return json_string_value(p);
	return jstr(p, "code");
}

/* ------------------------------------------------------------ organisations */

/* GET /organisations?QUERY as user; returns the answer (owned) and checks
 * its shape. */
static json_t *orgs_query(const char *user, const char *query, long *status)
{
	char *path = xasprintf("/api/v1/organisations%s%s", query ? "?" : "", query ? query : "");
	json_t *j = fetch(path, T(user), status);
	free(path);
	return j;
}

static bool orgs_well_formed(const json_t *j)
{
	json_t *arr = json_object_get(j, "organisations");
	if (!json_is_array(arr) || !json_is_integer(json_object_get(j, "total")))
		return false;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!jstr(o, "code") || !jstr(o, "name") || !jstr(o, "kind") ||
		    !json_object_get(o, "parent") || !json_object_get(o, "list_size"))
			return false;
	}
	return true;
}

static bool all_of_kind(const json_t *arr, const char *kind)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!jstr(o, "kind") || strcmp(jstr(o, "kind"), kind) != 0)
			return false;
	}
	return true;
}

static void test_org_search(void)
{
	long st;
	json_t *j = orgs_query("demo.practice", NULL, &st);
	tap_ok(st == 200 && orgs_well_formed(j),
	       "GET /organisations: 200 {organisations: [{code, name, kind, parent, list_size}], total}");
	json_t *arr = json_object_get(j, "organisations");
	bool only_own = json_array_size(arr) >= 1;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (streq(jstr(o, "kind") ? jstr(o, "kind") : "", "PRACTICE") &&
		    !streq(jstr(o, "code"), own_practice))
			only_own = false;
		if (streq(jstr(o, "kind") ? jstr(o, "kind") : "", "ICB") ||
		    streq(jstr(o, "kind") ? jstr(o, "kind") : "", "NHSE"))
			only_own = false;
	}
	tap_ok(only_own && array_has_code(arr, own_practice),
	       "demo.practice's search finds its practice and no other practice or ICB");
	json_decref(j);

	j = orgs_query("demo.practice", "kind=PRACTICE&limit=500", &st);
	arr = json_object_get(j, "organisations");
	tap_ok(st == 200 && json_array_size(arr) == 1 && array_has_code(arr, own_practice) &&
	       json_integer_value(json_object_get(j, "total")) == 1,
	       "demo.practice, kind=PRACTICE: exactly its own practice, total 1");
	json_decref(j);

	/* demo.commissioner: the practices of its ICB only. */
	j = orgs_query("demo.commissioner", "kind=PRACTICE&limit=500", &st);
	arr = json_object_get(j, "organisations");
	bool in_icb = json_array_size(arr) >= 2 && all_of_kind(arr, "PRACTICE");
	json_array_foreach(arr, i, o) {
		const char *pc = parent_code(o);
		if (!pc || strcmp(pc, own_icb) != 0) {
			in_icb = false;
			tap_diag("practice %s has parent %s, not %s", jstr(o, "code"), pc ? pc : "null",
				 own_icb);
		}
	}
	tap_ok(st == 200 && orgs_well_formed(j) && in_icb,
	       "demo.commissioner, kind=PRACTICE: several practices, all in its ICB %s", own_icb);
	tap_ok(json_integer_value(json_object_get(j, "total")) == (json_int_t)json_array_size(arr),
	       "total counts every match (%zu listed)", json_array_size(arr));
	icb_practices = json_incref(arr);
	json_decref(j);

	j = orgs_query("demo.commissioner", "kind=NHSE", &st);
	tap_ok(st == 200 && json_integer_value(json_object_get(j, "total")) == 0,
	       "demo.commissioner does not reach NHS England (above its ICB)");
	json_decref(j);
	j = orgs_query("demo.commissioner", "kind=ICB", &st);
	arr = json_object_get(j, "organisations");
	tap_ok(st == 200 && json_array_size(arr) == 1 && array_has_code(arr, own_icb),
	       "demo.commissioner, kind=ICB: only its own ICB");
	json_decref(j);

	/* Paging. */
	json_t *p0 = orgs_query("demo.commissioner", "kind=PRACTICE&limit=1&offset=0", &st);
	json_t *p1 = orgs_query("demo.commissioner", "kind=PRACTICE&limit=1&offset=1", &st);
	json_t *a0 = json_array_get(json_object_get(p0, "organisations"), 0);
	json_t *a1 = json_array_get(json_object_get(p1, "organisations"), 0);
	tap_ok(json_array_size(json_object_get(p0, "organisations")) == 1 &&
	       json_array_size(json_object_get(p1, "organisations")) == 1 && a0 && a1 &&
	       jstr(a0, "code") && !streq(jstr(a0, "code"), jstr(a1, "code")) &&
	       json_integer_value(json_object_get(p0, "total")) == (json_int_t)json_array_size(icb_practices),
	       "limit=1 with offset 0 and 1 pages through distinct practices; total stays the full count");
	json_decref(p0);
	json_decref(p1);

	/* Search by code and by name, case-insensitively. */
	char *q = xasprintf("q=%s", own_practice);
	j = orgs_query("demo.practice", q, &st);
	tap_ok(st == 200 && array_has_code(json_object_get(j, "organisations"), own_practice),
	       "q=%s finds the practice by code", own_practice);
	free(q);
	json_decref(j);
	json_t *mine = orgs_query("demo.practice", "kind=PRACTICE", &st);
	const char *pname = jstr(json_array_get(json_object_get(mine, "organisations"), 0), "name");
	if (pname && strlen(pname) >= 4) {
		/* a middle part of the name, upper-cased */
		size_t n = strlen(pname);
		char *part = xstrndup(pname + n / 4, n / 2 > 3 ? n / 2 : 3);
		for (char *c = part; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		char *enc = url_encode(part);
		q = xasprintf("q=%s", enc);
		j = orgs_query("demo.practice", q, &st);
		tap_ok(st == 200 && array_has_code(json_object_get(j, "organisations"), own_practice),
		       "q=\"%s\" (part of \"%s\", other case) finds the practice by name", part, pname);
		json_decref(j);
		free(q);
		free(enc);
		free(part);
	} else {
		tap_ok(false, "the practice has a name to search for");
	}
	json_decref(mine);
	j = orgs_query("demo.commissioner", "q=zzqqxx-nothing", &st);
	tap_ok(st == 200 && json_array_size(json_object_get(j, "organisations")) == 0 &&
	       json_integer_value(json_object_get(j, "total")) == 0,
	       "a search that matches nothing: 200, empty, total 0");
	json_decref(j);

	/* Bad queries. */
	static const char *const bad[] = {
		"kind=HOSPITAL", "limit=0", "limit=501", "limit=ten", "offset=-1", "limit=5x",
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		struct http_resp r;
		char *path = xasprintf("/api/v1/organisations?%s", bad[k]);
		http_get(&srv, path, T("demo.commissioner"), &r);
		expect_error(&r, 400, "bad_query", NULL, "GET /organisations?%s: 400 bad_query", bad[k]);
		http_resp_free(&r);
		free(path);
	}
	j = orgs_query("demo.commissioner", "kind=PRACTICE&limit=500", &st);
	tap_ok(st == 200, "limit=500 is accepted");
	json_decref(j);
}

static bool membership_well_formed(const json_t *m)
{
	json_t *end = json_object_get(m, "end_date");
	return jstr(m, "pcn") && jstr(m, "practice") && jstr(m, "name") &&
	       is_date(jstr(m, "start_date")) && (json_is_null(end) || is_date(json_string_value(end)));
}

static void test_org_one(void)
{
	long st;
	char *path = xasprintf("/api/v1/organisations/%s", own_practice);
	json_t *j = fetch(path, T("demo.practice"), &st);
	json_t *parent = json_object_get(j, "parent");
	json_t *mem = json_object_get(j, "memberships");
	bool mem_ok = json_is_array(mem) && json_array_size(mem) >= 1;
	size_t i;
	json_t *m;
	json_array_foreach(mem, i, m) {
		if (!membership_well_formed(m) || !streq(jstr(m, "practice"), own_practice))
			mem_ok = false;
	}
	tap_ok(st == 200 && jstr(j, "code") && strcmp(jstr(j, "code"), own_practice) == 0 &&
	       jstr(j, "name") && jstr(j, "kind") && strcmp(jstr(j, "kind"), "PRACTICE") == 0 &&
	       jstr(parent, "code") && jstr(parent, "name") &&
	       json_is_integer(json_object_get(j, "list_size")) &&
	       json_integer_value(json_object_get(j, "list_size")) > 0,
	       "GET /organisations/%s: 200 {code, name, kind, parent {code, name}, list_size}", own_practice);
	tap_ok(mem_ok, "its memberships list its PCN(s) {pcn, practice, name, start_date, end_date}");
	json_decref(j);

	j = fetch(path, T("demo.view"), &st);
	tap_ok(st == 200, "demo.view reads its own practice: 200");
	json_decref(j);
	free(path);

	const char *other = other_code(icb_practices, own_practice);
	if (!other) {
		tap_ok(false, "the demo ICB has a second practice to test scope with");
		return;
	}
	struct http_resp r;
	path = xasprintf("/api/v1/organisations/%s", other);
	http_get(&srv, path, T("demo.practice"), &r);
	tap_ok(r.status == 404 || r.status == 403,
	       "demo.practice cannot read another practice (%s): 404 or 403", other);
	tap_ok(r.status == 404 && strcmp(err_code(&r), "not_found") == 0,
	       "... and, as docs/api.md says, answers 404 not_found as if it did not exist");
	if (r.status != 404)
		diag_resp(&r);
	http_resp_free(&r);
	http_get(&srv, path, T("demo.commissioner"), &r);
	tap_ok(r.status == 200, "demo.commissioner reads that practice: 200");
	http_resp_free(&r);
	free(path);

	http_get(&srv, "/api/v1/organisations/ZZ9999", T("demo.commissioner"), &r);
	expect_error(&r, 404, "not_found", NULL, "GET /organisations/ZZ9999 (no such code): 404 not_found");
	http_resp_free(&r);

	/* The PCN: its member practices past and present. */
	path = xasprintf("/api/v1/organisations/%s", own_pcn);
	j = fetch(path, T("demo.pcn"), &st);
	mem = json_object_get(j, "memberships");
	mem_ok = json_is_array(mem) && json_array_size(mem) >= 2;
	json_array_foreach(mem, i, m) {
		if (!membership_well_formed(m) || !streq(jstr(m, "pcn"), own_pcn))
			mem_ok = false;
	}
	tap_ok(st == 200 && jstr(j, "kind") && strcmp(jstr(j, "kind"), "PCN") == 0 && mem_ok,
	       "GET /organisations/%s as demo.pcn: the PCN with its member practices", own_pcn);
	/* A PCN's grants reach its current members for viewing. */
	const char *member = NULL;
	json_array_foreach(mem, i, m) {
		if (json_is_null(json_object_get(m, "end_date"))) {
			member = jstr(m, "practice");
			break;
		}
	}
	if (member) {
		char *mp = xasprintf("/api/v1/organisations/%s", member);
		json_t *mj = fetch(mp, T("demo.pcn"), &st);
		tap_ok(st == 200, "demo.pcn reads a current member practice (%s): 200", member);
		json_decref(mj);
		free(mp);
	} else {
		tap_ok(false, "demo.pcn's PCN has a current member practice");
	}
	json_decref(j);
	free(path);

	/* The practice that moved PCN during 2024/25, if in the ICB. */
	const char *moved = NULL;
	json_array_foreach(icb_practices, i, m) {
		char *p = xasprintf("/api/v1/organisations/%s", jstr(m, "code"));
		json_t *o = fetch(p, T("demo.commissioner"), NULL);
		free(p);
		json_t *ms = json_object_get(o, "memberships");
		size_t k;
		json_t *x;
		bool ended = false, started = false;
		json_array_foreach(ms, k, x) {
			const char *e = jstr(x, "end_date"), *s = jstr(x, "start_date");
			if (e && strcmp(e, "2024-04-01") >= 0 && strcmp(e, "2025-03-31") <= 0)
				ended = true;
			if (s && strcmp(s, "2024-04-01") > 0 && strcmp(s, "2025-03-31") <= 0)
				started = true;
		}
		json_decref(o);
		if (ended && started) {
			moved = jstr(m, "code");
			break;
		}
	}
	if (moved)
		tap_ok(true, "practice %s moved PCN during 2024/25 (one membership ends, another starts)",
		       moved);
	else
		tap_skip("not in demo.commissioner's ICB", "a practice moved PCN during 2024/25");
}

/* demo.cluster sees only its cluster's practices: a non-empty, strict
 * subset of its ICB's, and the others answer 404. */
static void test_cluster_scope(void)
{
	long st;
	json_t *c0 = json_array_get(json_object_get(ME("demo.cluster"), "clusters"), 0);
	json_t *j = orgs_query("demo.cluster", "kind=PRACTICE&limit=500", &st);
	json_t *arr = json_object_get(j, "organisations");
	bool subset = json_array_size(arr) >= 1;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!array_has_code(icb_practices, jstr(o, "code")))
			subset = false;
	}
	const char *cl_org = jstr(c0, "organisation");
	tap_ok(cl_org && strcmp(cl_org, own_icb) == 0,
	       "demo.cluster's cluster belongs to demo.commissioner's ICB %s", own_icb);
	tap_ok(st == 200 && subset && json_array_size(arr) < json_array_size(icb_practices),
	       "demo.cluster sees some practices, all of them in the ICB, fewer than the ICB has (%zu of %zu)",
	       json_array_size(arr), json_array_size(icb_practices));
	const char *outside = NULL;
	json_array_foreach(icb_practices, i, o) {
		if (!array_has_code(arr, jstr(o, "code"))) {
			outside = jstr(o, "code");
			break;
		}
	}
	if (outside) {
		struct http_resp r;
		char *path = xasprintf("/api/v1/organisations/%s", outside);
		http_get(&srv, path, T("demo.cluster"), &r);
		expect_error(&r, 404, "not_found", NULL,
			     "demo.cluster reading a practice of its ICB outside the cluster (%s): 404", outside);
		http_resp_free(&r);
		free(path);
		path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", outside);
		http_get(&srv, path, T("demo.cluster"), &r);
		expect_error(&r, 404, "not_found", NULL,
			     "... and its services: 404");
		http_resp_free(&r);
		free(path);
	} else {
		tap_ok(false, "a practice outside the cluster exists to test with");
	}
	json_t *in = json_array_get(arr, 0);
	if (in) {
		char *path = xasprintf("/api/v1/organisations/%s", jstr(in, "code"));
		json_t *x = fetch(path, T("demo.cluster"), &st);
		tap_ok(st == 200, "demo.cluster reads a practice in its cluster (%s): 200", jstr(in, "code"));
		json_decref(x);
		free(path);
	}
	json_decref(j);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	apitest_start(120);
	own_practice = jstr(me_org(ME("demo.practice"), "PRACTICE"), "code");
	own_icb = jstr(me_org(ME("demo.commissioner"), "ICB"), "code");
	own_pcn = jstr(me_org(ME("demo.pcn"), "PCN"), "code");
	if (!own_practice || !own_icb || !own_pcn)
		tap_bail("the demo users' organisations could not be read from GET /me");

	test_org_search();
	test_org_one();
	test_cluster_scope();

	if (icb_practices)
		json_decref(icb_practices);
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
