/* test_network.c: API tests of issue 6 over real HTTP against the real
 * cqrsd with the demo database: Achievement Results (points for everyone,
 * pounds only for those allowed them, the explanation of each figure);
 * extract loading (a good file, the same file again changing nothing, a
 * bad file changing nothing and naming line and field, the role, tick-box
 * defaults carried from the previous date, an extract and a manual entry
 * at once); network aggregation (the PCN's achievement from its members,
 * Awaiting Network Achievement with reasons, completing it, and a
 * membership change re-aggregating what it touches). TAP; 180 s. */
#include "config.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define PASSWORD "Terminal-2025"

static struct server srv;
static char *t_practice, *t_view, *t_comm, *t_loader, *t_pcn;
/* A reader of every organisation: extract.loader, a system account, may
 * only load extracts, so demo.approver is given View at NHS England (X24)
 * in this test's database, written as another process would. */
static char *t_national;
static json_int_t svc_ncd, svc_qof;

static const char *F(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *F(const char *fmt, ...)
{
	static char *ring[8];
	static unsigned next;
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	free(ring[next % 8]);
	ring[next++ % 8] = s;
	return s;
}

/* GET path; returns the parsed body (caller decrefs) and the status. */
static json_t *get(const char *token, const char *path, long *status)
{
	struct http_resp r;
	http_get(&srv, path, token, &r);
	json_t *j = json_incref(r.json);
	if (status)
		*status = r.status;
	http_resp_free(&r);
	return j;
}

static json_t *api_send(const char *token, const char *method, const char *path, const char *body,
		    long *status)
{
	struct http_resp r;
	http_send(&srv, method, path, token, body, &r);
	json_t *j = json_incref(r.json);
	if (status)
		*status = r.status;
	if (r.status >= 500 || r.status == 0)
		diag_resp(&r);
	http_resp_free(&r);
	return j;
}

static const char *err_code_of(json_t *j)
{
	const char *c = jstr(json_object_get(j, "error"), "code");
	return c ? c : "";
}

static json_int_t service_by_code(const char *code)
{
	json_t *j = get(t_practice, "/api/v1/services", NULL);
	json_int_t id = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "services"), i, s)
		if (!strcmp(jstr(s, "code"), code))
			id = json_integer_value(json_object_get(s, "id"));
	json_decref(j);
	return id;
}

/* The achievement of org for service at date (0: none), as token sees it. */
static json_int_t achievement(const char *token, const char *org, json_int_t svc, const char *date)
{
	json_t *j = get(token, F("/api/v1/achievements?organisation=%s&service=%lld", org,
				 (long long)svc), NULL);
	json_int_t id = 0;
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(j, "achievements"), i, a)
		if (!strcmp(jstr(a, "date"), date))
			id = json_integer_value(json_object_get(a, "id"));
	json_decref(j);
	return id;
}

/* The current value of indicator code in achievement ach (via results). */
static json_t *value_of(const char *token, json_int_t ach, const char *code)
{
	json_t *j = get(token, F("/api/v1/achievements/%lld/results", (long long)ach), NULL);
	json_t *v = NULL;
	size_t i, k;
	json_t *g, *ind;
	json_array_foreach(json_object_get(j, "groups"), i, g)
		json_array_foreach(json_object_get(g, "indicators"), k, ind)
			if (!strcmp(jstr(ind, "code"), code))
				v = json_incref(ind);
	json_decref(j);
	return v;
}

static int stuck_rows(const char *org, const char *date)
{
	json_t *j = get(t_comm, "/api/v1/network/stuck?year=2024/25", NULL);
	int n = 0;
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "stuck"), i, s)
		n += !strcmp(jstr(s, "organisation"), org) && !strcmp(jstr(s, "date"), date);
	json_decref(j);
	return n;
}

static const char *stuck_reason(const char *org, const char *date)
{
	static char out[300];
	json_t *j = get(t_comm, "/api/v1/network/stuck?year=2024/25", NULL);
	out[0] = '\0';
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(j, "stuck"), i, s)
		if (!strcmp(jstr(s, "organisation"), org) && !strcmp(jstr(s, "date"), date))
			strlcpy_s(out, jstr(s, "reason") ? jstr(s, "reason") : "", sizeof out);
	json_decref(j);
	return out;
}

#define HEADER "practice,service,achievement_date,indicator,value,numerator,denominator\n"

static void test_results(void)
{
	json_int_t a = achievement(t_practice, "A81001", svc_qof, "2025-03-31");
	tap_ok(a > 0, "A81001 has its QOF 2024/25 year-end achievement");
	long st;
	json_t *j = get(t_practice, F("/api/v1/achievements/%lld/results", (long long)a), &st);
	json_t *calc = json_object_get(j, "calculation");
	json_t *g0 = json_array_get(json_object_get(j, "groups"), 0);
	json_t *i0 = json_array_get(json_object_get(g0, "indicators"), 0);
	tap_ok(st == 200 && json_is_integer(json_object_get(calc, "points_milli")) &&
	       json_integer_value(json_object_get(calc, "pence")) > 0 &&
	       json_is_integer(json_object_get(calc, "aspiration_pence")),
	       "Finance View: results with points, pounds and the aspiration figure");
	tap_ok(i0 && jstr(i0, "explanation") && *jstr(i0, "explanation") && jstr(i0, "pay_explanation"),
	       "each figure says how it was calculated (points and pounds)");
	/* Sum of the groups equals the service total. */
	int64_t sum = 0;
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(j, "groups"), i, g)
		sum += json_integer_value(json_object_get(g, "pence"));
	tap_ok(sum == json_integer_value(json_object_get(calc, "pence")),
	       "the groups add up to the service total, to the penny (%lld)", (long long)sum);
	json_decref(j);
	j = get(t_view, F("/api/v1/achievements/%lld/results", (long long)a), &st);
	char *text = json_dumps(j, 0);
	calc = json_object_get(j, "calculation");
	tap_ok(st == 200 && json_is_integer(json_object_get(calc, "points_milli")) && text &&
	       !strstr(text, "pence") && !strstr(text, "pay_explanation") && !strstr(text, "\\u00a3"),
	       "View: points only, no pence, no payment explanation, no pound sign");
	free(text);
	json_decref(j);
}

static void test_extract(void)
{
	long st;
	const char *good = HEADER
		"A81001,NCD2425,2025-03-31,CAN.FIT.IIF02,,30,40\n"
		"A81001,NCD2425,2025-03-31,ACC.MI01,4000,,\n"
		"A81001,NCD2425,2025-03-31,ACC.MI02,500,,\n"
		"A81004,NCD2425,2025-03-31,ACC.MI01,5000,,\n";
	json_int_t pcn_ach = achievement(t_pcn, "U60172", svc_ncd, "2025-03-31");
	tap_ok(stuck_rows("U60172", "2025-03-31") == 1 &&
	       strstr(stuck_reason("U60172", "2025-03-31"), "2 member practices"),
	       "before: U60172's 31/03/2025 network achievement is stuck, two practices short");

	json_t *j = api_send(t_practice, "POST", "/api/v1/extracts?name=t.csv", good, &st);
	tap_ok(st == 403, "a practice user cannot load extracts (403)");
	json_decref(j);

	/* A bad file: one good line, then a numerator above its denominator
	 * and an unknown indicator. Nothing changes. */
	const char *bad = HEADER
		"A81001,NCD2425,2025-03-31,CAN.FIT.IIF02,,30,40\n"
		"A81004,NCD2425,2025-03-31,CAN.FIT.IIF02,,50,40\n"
		"A81004,NCD2425,2025-03-31,NOPE,1,,\n";
	j = api_send(t_loader, "POST", "/api/v1/extracts?name=bad.csv", bad, &st);
	json_t *errs = json_object_get(j, "errors");
	const char *m0 = jstr(json_array_get(errs, 0), "message");
	tap_ok(st == 400 && !strcmp(err_code_of(j), "bad_extract") && json_array_size(errs) == 2 &&
	       m0 && strstr(m0, "line 3") && json_integer_value(json_object_get(
		       json_array_get(errs, 1), "line")) == 4,
	       "a bad file: 400 naming each bad line and field");
	json_decref(j);
	json_t *v = value_of(t_practice, achievement(t_practice, "A81001", svc_ncd, "2025-03-31"),
			     "CAN.FIT.IIF02");
	tap_ok(v && json_is_null(json_object_get(v, "value")),
	       "... and nothing changed (the good line of the bad file was not applied)");
	json_decref(v);

	/* Each reason says the value once (data D25: "U60172 U60172 is a
	 * PCN", "2024-03-31 2024-03-31 is not ...", "XYZ unknown indicator XYZ"). */
	const char *words = HEADER
		"U60172,NCD2425,2025-03-31,ACC.MI01,1,,\n"
		"A81001,NCD2425,2024-03-31,ACC.MI01,1,,\n"
		"A81001,NCD2425,2025-03-31,XYZ,1,,\n";
	j = api_send(t_loader, "POST", "/api/v1/extracts?name=words.csv", words, &st);
	errs = json_object_get(j, "errors");
	const char *want[] = {"U60172 is a PCN, not a practice",
			      "2024-03-31 is not an achievement date of service NCD2425",
			      "unknown indicator XYZ for service NCD2425"};
	const char *twice[] = {"U60172 U60172", "2024-03-31 2024-03-31", "XYZ unknown"};
	bool once = st == 400 && json_array_size(errs) == 3;
	for (size_t k = 0; once && k < 3; k++) {
		const char *m = jstr(json_array_get(errs, k), "message");
		once = m && strstr(m, want[k]) && !strstr(m, twice[k]);
		if (!once)
			tap_diag("line %zu: %s", k + 2, m ? m : "(none)");
	}
	tap_ok(once, "extract errors say each value once: \"U60172 is a PCN, not a practice\", "
	       "\"2024-03-31 is not an achievement date ...\", \"unknown indicator XYZ ...\"");
	json_decref(j);

	j = api_send(t_loader, "POST", "/api/v1/extracts?name=good.csv", good, &st);
	tap_ok(st == 200 && json_integer_value(json_object_get(j, "values")) == 4 &&
	       json_integer_value(json_object_get(j, "values_changed")) == 4 &&
	       json_integer_value(json_object_get(j, "practices")) == 2 &&
	       json_integer_value(json_object_get(j, "recalculated")) >= 1,
	       "a good file: 4 values for 2 practices loaded and recalculated");
	json_decref(j);
	v = value_of(t_practice, achievement(t_practice, "A81001", svc_ncd, "2025-03-31"), "CAN.FIT.IIF02");
	tap_ok(v && !strcmp(jstr(v, "source"), "EXTRACT") &&
	       json_integer_value(json_object_get(json_object_get(v, "value"), "numerator")) == 30,
	       "the extracted value is marked EXTRACT");
	json_decref(v);
	tap_ok(stuck_rows("U60172", "2025-03-31") == 0 && stuck_rows("A81001", "2025-03-31") == 0,
	       "the network figure now exists: nothing of U60172 on 31/03/2025 is stuck");
	j = get(t_pcn, F("/api/v1/achievements/%lld/results", (long long)pcn_ach), &st);
	tap_ok(st == 200 && !strcmp(jstr(json_object_get(j, "achievement"), "status"), "CALCULATED") &&
	       json_integer_value(json_object_get(json_object_get(j, "calculation"), "points_milli")) > 0,
	       "the PCN's network achievement is aggregated and calculated");
	json_decref(j);
	j = get(t_pcn, "/api/v1/declarations?organisation=U60172&status=AWAITING_PROVIDER", &st);
	bool decl = false;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(j, "declarations"), i, d)
		decl |= !strcmp(jstr(json_object_get(d, "achievement"), "date"), "2025-03-31");
	tap_ok(decl, "and it awaits the PCN's declaration");
	json_decref(j);

	j = api_send(t_loader, "POST", "/api/v1/extracts?name=good.csv", good, &st);
	tap_ok(st == 200 && json_integer_value(json_object_get(j, "values_changed")) == 0 &&
	       json_integer_value(json_object_get(j, "recalculated")) == 0,
	       "the same file again changes nothing");
	json_decref(j);

	/* A practice with no achievement on 31/03/2025 (L83005): the load
	 * creates it. Its PCN's tick-box and CAIP components are the PCN's
	 * own values for the date: a late extract for one member never
	 * touches them (issue 10, finding D1). */
	json_int_t u40 = achievement(t_national, "U40517", svc_ncd, "2025-03-31");
	static const char *const pcn_codes[] = {"EA.TB01", "CAIP.01", "CAIP.02", "CAIP.03"};
	json_int_t before[4];
	for (size_t k = 0; k < 4; k++) {
		v = value_of(t_national, u40, pcn_codes[k]);
		json_t *cv = json_object_get(json_object_get(v, "value"), "value");
		before[k] = json_is_integer(cv) ? json_integer_value(cv) : -1;
		json_decref(v);
	}
	tap_ok(u40 && before[1] == 1 && before[2] == 1 && before[3] == 1,
	       "U40517 has certified its CAIP components for 31/03/2025 (Yes, Yes, Yes)");
	const char *l83 = HEADER
		"L83005,NCD2425,2025-03-31,LD.HC.IIF01,,20,30\n"
		"L83005,NCD2425,2025-03-31,CAN.FIT.IIF02,,10,12\n";
	j = api_send(t_loader, "POST", "/api/v1/extracts?name=l83.csv", l83, &st);
	tap_ok(st == 200 && json_integer_value(json_object_get(j, "defaults_set")) == 0,
	       "the late extract loads, and sets no default over the PCN's own values (%lld set)",
	       (long long)json_integer_value(json_object_get(j, "defaults_set")));
	json_decref(j);
	bool same = true;
	for (size_t k = 0; k < 4; k++) {
		v = value_of(t_national, u40, pcn_codes[k]);
		json_t *cv = json_object_get(json_object_get(v, "value"), "value");
		same = same && (json_is_integer(cv) ? json_integer_value(cv) : -1) == before[k];
		json_decref(v);
	}
	tap_ok(same, "U40517's tick-box and CAIP values are unchanged by a member's late extract");
	json_int_t l = achievement(t_national, "L83005", svc_ncd, "2025-03-31");
	v = value_of(t_national, l, "EA.TB01");
	tap_ok(l && v && json_integer_value(json_object_get(json_object_get(v, "value"), "value")) ==
			 before[0],
	       "the member practice's results show its PCN's tick-box value (the PCN's own, read-only)");
	json_decref(v);

	/* Carry-forward: U60172 did not set its tick-box for 31/03/2025; its
	 * Yes of 28/02/2025 carried when the extract loaded (the demo). */
	v = value_of(t_pcn, achievement(t_pcn, "U60172", svc_ncd, "2025-03-31"), "EA.TB01");
	tap_ok(v && json_integer_value(json_object_get(json_object_get(v, "value"), "value")) == 1 &&
	       !strcmp(jstr(v, "source"), "EXTRACT"),
	       "the tick-box Yes of 28/02/2025 carries to 31/03/2025 (U60172, source EXTRACT)");
	json_decref(v);
}

struct entry_arg {
	json_int_t ach, group;
	long status;
};

static size_t sink(char *ptr, size_t size, size_t nmemb, void *ud)
{
	buf_append(ud, ptr, size * nmemb);
	return size * nmemb;
}

/* One request on the thread's own libcurl handle (the harness keeps one
 * shared handle, which two threads must not use at once). */
static long thread_request(CURL *c, const char *method, const char *path, const char *body,
			   struct buf *out)
{
	char url[160], auth[120];
	snprintf(url, sizeof url, "%s%s", srv.base, path);
	snprintf(auth, sizeof auth, "Authorization: Bearer %s", t_practice);
	struct curl_slist *h = curl_slist_append(NULL, auth);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	if (srv.ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, srv.ca);
	long status = 0;
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	return status;
}

static void *manual_entry(void *p)
{
	struct entry_arg *e = p;
	char path[96], body[256];
	struct buf out;
	buf_init(&out);
	CURL *c = curl_easy_init();
	snprintf(path, sizeof path, "/api/v1/achievements/%lld/groups/%lld", (long long)e->ach,
		 (long long)e->group);
	thread_request(c, "GET", path, NULL, &out);
	json_t *form = out.data ? json_loads(out.data, 0, NULL) : NULL;
	json_int_t version = json_integer_value(json_object_get(form, "version"));
	json_decref(form);
	snprintf(body, sizeof body, "{\"mode\": \"submit\", \"version\": %lld, \"notes\":"
		 " \"at once\", \"values\": [{\"indicator\": \"MS01\", \"value\": \"7\"}]}",
		 (long long)version);
	buf_reset(&out);
	e->status = thread_request(c, "PUT", path, body, &out);
	curl_easy_cleanup(c);
	buf_free(&out);
	return NULL;
}

static void test_concurrent(void)
{
	/* A manual entry (Minor Surgery, March 2025) while an extract loads
	 * (NCD): both land, neither is lost. */
	json_int_t ms = service_by_code("MS2425");
	json_int_t a = achievement(t_practice, "A81001", ms, "2025-03-31");
	json_t *j = get(t_practice, F("/api/v1/achievements/%lld", (long long)a), NULL);
	json_int_t group = json_integer_value(json_object_get(json_array_get(json_object_get(j, "groups"),
									     0), "id"));
	json_decref(j);
	struct entry_arg e = {a, group, 0};
	pthread_t t;
	pthread_create(&t, NULL, manual_entry, &e);
	long st;
	const char *x = HEADER "A81007,NCD2425,2025-03-31,ACC.MI01,4321,,\n";
	j = api_send(t_loader, "POST", "/api/v1/extracts?name=x.csv", x, &st);
	pthread_join(t, NULL);
	json_decref(j);
	json_t *v = value_of(t_practice, a, "MS01");
	if (e.status != 200)
		tap_diag("manual entry answered %ld", e.status);
	tap_ok(st == 200 && e.status == 200 && v &&
	       json_integer_value(json_object_get(json_object_get(v, "value"), "value")) == 7,
	       "an extract and a manual entry at the same time both land");
	json_decref(v);
}

static json_int_t membership_id(const char *pcn, const char *practice)
{
	json_t *j = get(t_comm, F("/api/v1/organisations/%s", pcn), NULL);
	json_int_t id = 0;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "memberships"), i, m)
		if (!strcmp(jstr(m, "practice"), practice) && json_is_null(json_object_get(m, "end_date")))
			id = json_integer_value(json_object_get(m, "id"));
	json_decref(j);
	return id;
}

static bool is_member(const char *org, json_int_t svc, const char *date, const char *practice)
{
	json_t *j = get(t_comm, F("/api/v1/network?organisation=%s&service=%lld&date=%s", org,
				  (long long)svc, date), NULL);
	bool in = false;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(j, "members"), i, m)
		in |= !strcmp(jstr(m, "practice"), practice);
	json_decref(j);
	return in;
}

static void test_membership(void)
{
	long st;
	json_int_t id = membership_id("U60381", "A81016");
	tap_ok(id > 0, "A81016's current membership of U60381 has an id");
	tap_ok(is_member("U60381", svc_ncd, "2025-02-28", "A81016"),
	       "A81016 counts in U60381's network achievement for 28/02/2025");
	json_t *j = api_send(t_view, "PUT", F("/api/v1/memberships/%lld", (long long)id),
			 "{\"end_date\": \"2025-01-31\"}", &st);
	tap_ok(st == 403 || st == 404, "a View user cannot change memberships (%ld)", st);
	json_decref(j);
	j = api_send(t_comm, "PUT", F("/api/v1/memberships/%lld", (long long)id),
		 "{\"end_date\": \"2025-01-31\"}", &st);
	tap_ok(st == 200, "the commissioner ends it on 31/01/2025");
	json_decref(j);
	tap_ok(!is_member("U60381", svc_ncd, "2025-02-28", "A81016") &&
	       is_member("U60381", svc_ncd, "2025-01-31", "A81016"),
	       "U60381's February network figures no longer include A81016; January's still do");
	tap_ok(stuck_rows("A81016", "2025-02-28") == 1 &&
	       strstr(stuck_reason("A81016", "2025-02-28"), "not a member of any PCN"),
	       "A81016's February achievement is stuck: no PCN membership, and says so");
	j = api_send(t_comm, "POST", "/api/v1/memberships",
		 "{\"pcn\": \"U60381\", \"practice\": \"A81016\", \"start_date\": \"2025-01-15\"}", &st);
	tap_ok(st == 409, "an overlapping membership is refused (409)");
	json_decref(j);
	j = api_send(t_comm, "POST", "/api/v1/memberships",
		 "{\"pcn\": \"U60381\", \"practice\": \"A81016\", \"start_date\": \"2025-02-01\"}", &st);
	tap_ok(st == 201, "the membership is corrected from 01/02/2025");
	json_decref(j);
	tap_ok(is_member("U60381", svc_ncd, "2025-02-28", "A81016") &&
	       stuck_rows("A81016", "2025-02-28") == 0,
	       "A81016 is back in February's network figures and no longer stuck");
	/* Re-running an aggregation by hand. */
	j = api_send(t_comm, "POST", "/api/v1/network/aggregate",
		 F("{\"pcn\": \"U60381\", \"service_id\": %lld, \"date\": \"2025-02-28\"}",
		   (long long)svc_ncd), &st);
	tap_ok(st == 200 && json_is_true(json_object_get(j, "complete")),
	       "re-running U60381's February aggregation: complete");
	json_decref(j);
	j = api_send(t_practice, "POST", "/api/v1/network/aggregate",
		 F("{\"pcn\": \"U60172\", \"service_id\": %lld, \"date\": \"2025-02-28\"}",
		   (long long)svc_ncd), &st);
	tap_ok(st == 403 || st == 404, "a practice user cannot re-run an aggregation (%ld)", st);
	json_decref(j);
}

int main(void)
{
	harness_timeout(180);
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	t_practice = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	t_view = sign_in(&srv, "demo.view", PASSWORD, NULL);
	t_comm = sign_in(&srv, "demo.commissioner", PASSWORD, NULL);
	t_loader = sign_in(&srv, "extract.loader", PASSWORD, NULL);
	t_pcn = sign_in(&srv, "demo.pcn", PASSWORD, NULL);
	char *grant = server_sql(&srv, "INSERT INTO role_grant(user_id, org_id, role_code, granted_at)"
				       " SELECT u.id, o.id, 'VIEW', 0 FROM app_user u, organisation o"
				       " WHERE u.user_id = 'demo.approver' AND o.code = 'X24'");
	bool granted = grant != NULL;
	free(grant);
	t_national = granted ? sign_in(&srv, "demo.approver", PASSWORD, NULL) : NULL;
	if (!t_practice || !t_view || !t_comm || !t_loader || !t_pcn || !t_national)
		tap_bail("the demo users cannot sign in");
	svc_ncd = service_by_code("NCD2425");
	svc_qof = service_by_code("QOF2425");
	if (!svc_ncd || !svc_qof)
		tap_bail("the demo services are missing");
	test_results();
	test_extract();
	test_concurrent();
	test_membership();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
