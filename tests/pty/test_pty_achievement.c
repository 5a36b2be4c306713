/* test_pty_achievement.c: the Achievement Results and Network Achievement
 * screens by keyboard against a real demo cqrsd: demo.practice sees QOF
 * points and pounds with threshold bars and opens a breakdown, sees a
 * tick-box value "entered at PCN level", and the Network Achievement
 * dashboard of its PCN; demo.view sees points and never a pound sign; the
 * commissioner finds the achievements stuck in Awaiting Network
 * Achievement, re-runs the aggregation after the missing data were
 * entered (through the API), adds a PCN membership through the form, and
 * goes to enter data on a practice's behalf. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;
static struct server api; /* the same server, for the harness's HTTP helpers */

static struct pty_term *start_as(const char *user)
{
	struct pty_opts o = {0};
	char *home = pty_mkdir("home");
	o.home = home;
	const char *args[] = {"--server", srv.url, NULL};
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	free(home);
	if (t && pty_sign_in(t, user, PTY_DEMO_PASSWORD, 15000)) {
		pty_settle(t, 100, 3000);
		return t;
	}
	pty_close(&t);
	return NULL;
}

/* The id of the service with code, or 0. */
static long long service_id(const char *token, const char *code)
{
	struct http_resp r;
	http_get(&api, "/api/v1/services", token, &r);
	long long id = 0;
	size_t i;
	json_t *sv;
	json_array_foreach(json_object_get(r.json, "services"), i, sv)
		if (!strcmp(jstr(sv, "code"), code))
			id = json_integer_value(json_object_get(sv, "id"));
	http_resp_free(&r);
	return id;
}

/* The achievement of org for service at date, or 0. */
static long long achievement_id(const char *token, const char *org, long long service,
				const char *date)
{
	char *path = xasprintf("/api/v1/achievements?organisation=%s&service=%lld", org, service);
	struct http_resp r;
	http_get(&api, path, token, &r);
	free(path);
	long long id = 0;
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(r.json, "achievements"), i, a)
		if (!strcmp(jstr(a, "date"), date))
			id = json_integer_value(json_object_get(a, "id"));
	http_resp_free(&r);
	return id;
}

/* Submits a value for every indicator of the achievement that has none
 * (as the commissioner, on the practice's behalf). True if all stored. */
static bool fill_missing(const char *token, long long ach)
{
	char *path = xasprintf("/api/v1/achievements/%lld", ach);
	struct http_resp r;
	http_get(&api, path, token, &r);
	free(path);
	bool ok = r.status == 200;
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r.json, "groups"), i, g) {
		if (json_integer_value(json_object_get(g, "submitted")) >=
		    json_integer_value(json_object_get(g, "total")))
			continue;
		long long gid = json_integer_value(json_object_get(g, "id"));
		char *gpath = xasprintf("/api/v1/achievements/%lld/groups/%lld", ach, gid);
		struct http_resp f;
		http_get(&api, gpath, token, &f);
		json_t *values = json_array();
		size_t k;
		json_t *ind;
		json_array_foreach(json_object_get(f.json, "indicators"), k, ind) {
			if (!json_is_null(json_object_get(ind, "current")))
				continue;
			const char *kind = jstr(ind, "kind");
			if (!strcmp(kind, "ratio"))
				json_array_append_new(values, json_pack("{s:s, s:s, s:s}", "indicator",
					jstr(ind, "code"), "numerator", "20", "denominator", "30"));
			else
				json_array_append_new(values, json_pack("{s:s, s:s}", "indicator",
					jstr(ind, "code"), "value", !strcmp(kind, "yesno") ? "Yes" : "100"));
		}
		json_t *body = json_pack("{s:s, s:I, s:o}", "mode", "submit", "version",
					 json_integer_value(json_object_get(f.json, "version")),
					 "values", values);
		char *text = json_dumps(body, JSON_COMPACT);
		struct http_resp p;
		http_send(&api, "PUT", gpath, token, text, &p);
		if (p.status != 200) {
			tap_diag("PUT %s answered %ld", gpath, p.status);
			diag_resp(&p);
			ok = false;
		}
		http_resp_free(&p);
		free(text);
		json_decref(body);
		http_resp_free(&f);
		free(gpath);
	}
	http_resp_free(&r);
	return ok;
}

static void practice_results(void)
{
	struct pty_term *t = start_as("demo.practice");
	if (!pty_check(t, t != NULL, "demo.practice signs in")) {
		for (int i = 0; i < 9; i++)
			tap_skip("no session", "demo.practice results %d", i);
		return;
	}
	pty_key(t, "4");
	pty_expect(t, "Achievement Results: A81001 The Densham Surgery", 5000,
		   "Achievement > Achievement Results opens on the practice");
	pty_expect(t, "Payment £128,659.10", 8000,
		   "QOF 2024/25 at 31/03/2025: service total in pounds from integer pence");
	pty_check(t, pty_find(t, "Date 31/03/2025* ", NULL, NULL),
		  "the latest achievement date is chosen and marked as a payment date");
	pty_check(t, pty_find(t, "£2,876.39", NULL, NULL) && pty_find(t, "12.00/12", NULL, NULL) &&
		  pty_find(t, "86.5%", NULL, NULL) && pty_find(t, "40-70", NULL, NULL),
		  "AF006: achievement, thresholds, points and payment");
	int r = -1, c = -1;
	bool bar = pty_find(t, "AF008", &r, NULL);
	char *row = bar ? pty_row(t, r) : xstrdup("");
	bar = strchr(row, '[') && strchr(row, '#') && strchr(row, '|') && strchr(row, ']');
	pty_check(t, bar, "a threshold bar made of brackets, hashes, bars and dots: %s", row);
	free(row);
	/* the breakdown of AF006 */
	pty_key(t, "/");
	pty_send(t, "AF006");
	pty_key(t, "Enter");
	pty_settle(t, 50, 1000);
	pty_key(t, "Enter");
	pty_expect(t, "How the points were reached", 3000, "Enter opens the breakdown of AF006");
	pty_check(t, pty_find(t, "How the payment was reached", NULL, NULL) &&
		  pty_find(t, "Achievement 86.49% (32", NULL, NULL),
		  "the breakdown gives the server's explanation and pay_explanation");
	pty_key(t, "Esc");
	pty_wait_gone(t, "How the points were reached", 2000);
	/* the NCD achievement: the tick-box entered at PCN level */
	pty_key(t, "f");
	pty_expect(t, "Quality service", 2000, "f offers the filters");
	pty_key(t, "Down");
	pty_key(t, "Enter");
	pty_expect(t, "Network Contract DES 2024/25", 3000, "the service drop-down lists the NCD");
	pty_key(t, "Home");
	pty_key(t, "Enter");
	pty_expect(t, "Awaiting Network Achievement: not calculated yet", 5000,
		   "a practice's NCD achievement waits for its network figure");
	pty_key(t, "/");
	pty_send(t, "EA.TB01");
	pty_key(t, "Enter");
	pty_expect(t, "EA.TB01: entered at PCN level", 3000,
		   "the tick-box indicator says it is entered at PCN level");
	(void)c;
	/* Network Achievement */
	pty_key(t, "3");
	pty_settle(t, 100, 3000);
	pty_key(t, "]");
	pty_key(t, "]");
	pty_expect(t, "PCN U60172 Tees Riverside PCN", 6000,
		   "Data Submission > Network Achievement shows the practice's PCN");
	pty_check(t, pty_find(t, "A81004", NULL, NULL) && pty_find(t, "A81007", NULL, NULL) &&
		  pty_find(t, "5 of 8 submitted", NULL, NULL) &&
		  pty_find(t, "A81001 The Densham Surgery: 3 indicator values are missing", NULL, NULL),
		  "each member practice's submission state and the gaps");
	pty_close(&t);
}

static void view_results(void)
{
	struct pty_term *t = start_as("demo.view");
	if (!pty_check(t, t != NULL, "demo.view signs in")) {
		tap_skip("no session", "demo.view points");
		tap_skip("no session", "demo.view no pounds");
		return;
	}
	pty_key(t, "4");
	pty_expect(t, "Points 570.68 of 699", 8000, "demo.view sees the QOF points");
	pty_settle(t, 100, 2000);
	bool pound = pty_find(t, "£", NULL, NULL);
	pty_key(t, "Enter");
	pty_settle(t, 100, 2000);
	pound |= pty_find(t, "£", NULL, NULL) || pty_find(t, "How the payment", NULL, NULL);
	pty_check(t, !pound, "demo.view never sees a pound figure (the server sends none)");
	pty_close(&t);
}

static void commissioner_stuck(void)
{
	struct pty_term *t = start_as("demo.commissioner");
	if (!pty_check(t, t != NULL, "demo.commissioner signs in")) {
		for (int i = 0; i < 7; i++)
			tap_skip("no session", "stuck %d", i);
		return;
	}
	pty_key(t, "3");
	pty_settle(t, 100, 3000);
	pty_key(t, "]");
	pty_expect(t, "Achievements stuck in Awaiting Network Achievement", 5000,
		   "the commissioner's Network Achievement lists the stuck achievements");
	pty_expect(t, " of 12", 5000, "twelve achievements are stuck in the demo");
	/* the missing data of 30/11/2024 entered on the practice's behalf */
	char *tok = sign_in(&api, "demo.commissioner", PTY_DEMO_PASSWORD, NULL);
	long long ncd = service_id(tok, "NCD2425");
	long long ach = achievement_id(tok, "A81001", ncd, "2024-11-30");
	pty_check(t, tok && ach && fill_missing(tok, ach),
		  "the missing 30/11/2024 values of A81001 are entered through the API");
	free(tok);
	pty_key(t, "End");
	pty_key(t, "Up");
	pty_key(t, "Up");
	pty_key(t, "Up");
	pty_expect(t, "> U60172  PCN      30/11/2024", 2000, "the cursor is on U60172 30/11/2024");
	pty_key(t, "A");
	pty_expect(t, "Aggregation re-run: The network achievement was aggregated and calculated",
		   5000, "re-running the aggregation reports the server's result");
	pty_expect(t, "1-8 of 8", 5000, "30/11/2024 is no longer stuck");
	/* correcting a membership through the form */
	pty_key(t, "m");
	pty_expect(t, "Correct a PCN membership", 2000, "m opens the membership form");
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, "A81030");
	pty_key(t, "Tab");
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, "U60381");
	pty_key(t, "Tab");
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, "01/04/2025");
	pty_key(t, "Enter");
	pty_expect(t, "Add A81030 to U60381 from 2025-04-01?", 3000, "the change is confirmed first");
	pty_key(t, "y");
	pty_expect(t, "Membership added: A81030 in U60381 from 2025-04-01", 5000,
		   "the server adds the membership and re-aggregates");
	/* entering data on a practice's behalf: Record Provider Achievement */
	pty_key(t, "e");
	char *sub = NULL;
	int64_t deadline = mono_ms() + 5000;
	for (;;) {
		free(sub);
		sub = pty_active_item(t, PTY_SUBTAB_ROW);
		if (!strcmp(sub, "Record Provider Achievement") || mono_ms() > deadline)
			break;
		pty_pump(t, 20);
	}
	pty_check(t, !strcmp(sub, "Record Provider Achievement"),
		  "e goes to Record Provider Achievement to enter the missing data (got %s)", sub);
	free(sub);
	pty_close(&t);
}

int main(void)
{
	pty_init(150);
	pty_server_start_api(&srv, &api);
	practice_results();
	view_results();
	commissioner_stuck();
	pty_server_free(&srv);
	return pty_finish();
}
