/* test_pty_declare.c: the declaration job aids by keyboard against a real
 * demo cqrsd. demo.practice declares Minor Surgery 30/06/2024 through the
 * checklist (refused until every statement is ticked; Esc at the
 * confirmation aborts); demo.pcn declares the PCN's Network Contract DES
 * achievement of 31/03/2025 with its statement and indicator items (the
 * demo has none awaiting, so the missing member data are first entered
 * through the API, which completes and calculates the network figure);
 * demo.approver opens the approval task from Home, returns one declaration
 * with a reason, then approves with Select All; demo.finance financially
 * approves the rest from the Home task, with Select All. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;
static struct server api;

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

static bool go_declare(struct pty_term *t)
{
	pty_key(t, "4");
	pty_settle(t, 100, 3000);
	pty_key(t, "]");
	return pty_wait_text(t, "Declare: ", 5000);
}

/* Ticks checklist items with Space until every one is ticked. */
static bool tick_all(struct pty_term *t)
{
	for (int i = 0; i < 30; i++) {
		if (pty_find(t, ": d declares", NULL, NULL))
			return true;
		pty_key(t, "Space");
		pty_settle(t, 30, 500);
	}
	return pty_find(t, ": d declares", NULL, NULL);
}

static void practice_declares(void)
{
	struct pty_term *t = start_as("demo.practice");
	if (!pty_check(t, t && go_declare(t), "demo.practice opens Achievement > Declare")) {
		for (int i = 0; i < 8; i++)
			tap_skip("no session", "practice declare %d", i);
		pty_close(&t);
		return;
	}
	pty_expect(t, "30/06/2024*  Minor Surgery ES 2024/25", 5000,
		   "the achievement awaiting declaration, with its payment date marked");
	pty_check(t, pty_find(t, "£1,018.80", NULL, NULL) && pty_find(t, "To be declared", NULL, NULL),
		  "its status and provisional payment");
	pty_expect(t, "Payment Declaration History", 3000, "the history panel");
	pty_check(t, pty_find(t, "Awaiting Service Provider Approval", NULL, NULL),
		  "the history says the status and who moved it");
	/* Several achievements await declaration on the demo's business date
	 * (newest first): move the cursor down to June's, then tick it. */
	for (int i = 0; i < 12; i++) {
		int row = -1, col = -1;
		if (pty_find(t, "30/06/2024*  Minor Surgery", &row, &col) && pty_text_at(t, row, 0, ">"))
			break;
		pty_key(t, "Down");
		pty_settle(t, 30, 500);
	}
	pty_key(t, "Space");
	pty_key(t, "d");
	pty_expect(t, "Declaration checklist: Minor Surgery ES 2024/25 30/06/2024", 5000,
		   "d opens the declaration checklist of the ticked row");
	pty_key(t, "d");
	pty_expect(t, "Error: Tick every statement before declaring: 0 of 2 ticked", 2000,
		   "Declare Achievement is refused until every statement is ticked");
	pty_check(t, tick_all(t), "Space ticks each statement");
	pty_key(t, "e");
	pty_expect(t, "Notes:", 2000, "e asks for the notes");
	pty_send(t, "Checked against the minor surgery log");
	pty_key(t, "Enter");
	pty_key(t, "d");
	pty_expect(t, "for payment of £1,018.80?", 3000, "declaring asks for confirmation");
	pty_key(t, "Esc");
	pty_expect(t, "Not declared", 2000, "Esc at the confirmation aborts");
	pty_key(t, "d");
	pty_expect(t, "for payment of £1,018.80?", 3000, "asked again");
	pty_key(t, "y");
	pty_expect(t, "Declared: Minor Surgery ES 2024/25 30/06/2024", 5000,
		   "the declaration is made and reported");
	pty_check(t, pty_wait_gone(t, "30/06/2024*  Minor Surgery ES 2024/25", 5000),
		  "June is no longer awaiting declaration");
	pty_close(&t);
}

/* Completes the PCN's 31/03/2025 network data through the API. */
static bool complete_network(void)
{
	char *tok = sign_in(&api, "demo.commissioner", PTY_DEMO_PASSWORD, NULL);
	if (!tok)
		return false;
	bool ok = true;
	struct http_resp r;
	http_get(&api, "/api/v1/network/stuck", tok, &r);
	json_t *gaps = NULL;
	size_t i;
	json_t *st;
	json_array_foreach(json_object_get(r.json, "stuck"), i, st)
		if (!strcmp(jstr(st, "organisation"), "U60172") && !strcmp(jstr(st, "date"), "2025-03-31"))
			gaps = json_object_get(st, "gaps");
	ok = json_array_size(gaps) > 0;
	json_t *g;
	json_array_foreach(gaps, i, g) {
		long long ach = json_integer_value(json_object_get(g, "achievement_id"));
		char *path = xasprintf("/api/v1/achievements/%lld", ach);
		struct http_resp a;
		http_get(&api, path, tok, &a);
		size_t k;
		json_t *grp;
		json_array_foreach(json_object_get(a.json, "groups"), k, grp) {
			if (json_integer_value(json_object_get(grp, "submitted")) >=
			    json_integer_value(json_object_get(grp, "total")))
				continue;
			char *gp = xasprintf("%s/groups/%lld", path,
					     (long long)json_integer_value(json_object_get(grp, "id")));
			struct http_resp f;
			http_get(&api, gp, tok, &f);
			json_t *values = json_array();
			size_t m;
			json_t *ind;
			json_array_foreach(json_object_get(f.json, "indicators"), m, ind) {
				/* PCN-entered values are the PCN's, not the member's. */
				if (!json_is_null(json_object_get(ind, "current")) ||
				    json_is_true(json_object_get(ind, "pcn_entered")))
					continue;
				if (!strcmp(jstr(ind, "kind"), "ratio"))
					json_array_append_new(values, json_pack("{s:s, s:s, s:s}", "indicator",
						jstr(ind, "code"), "numerator", "21", "denominator", "30"));
				else
					json_array_append_new(values, json_pack("{s:s, s:s}", "indicator",
						jstr(ind, "code"), "value", "150"));
			}
			if (!json_array_size(values)) {
				json_decref(values);
				http_resp_free(&f);
				free(gp);
				continue;
			}
			json_t *body = json_pack("{s:s, s:I, s:o}", "mode", "submit", "version",
						 json_integer_value(json_object_get(f.json, "version")),
						 "values", values);
			char *text = json_dumps(body, JSON_COMPACT);
			struct http_resp p;
			http_send(&api, "PUT", gp, tok, text, &p);
			if (p.status != 200) {
				diag_resp(&p);
				ok = false;
			}
			http_resp_free(&p);
			free(text);
			json_decref(body);
			http_resp_free(&f);
			free(gp);
		}
		http_resp_free(&a);
		free(path);
	}
	http_resp_free(&r);
	free(tok);
	return ok;
}

static void pcn_declares(void)
{
	tap_ok(complete_network(), "the missing member data of U60172 at 31/03/2025 are entered "
	       "(the demo has no PCN declaration awaiting)");
	struct pty_term *t = start_as("demo.pcn");
	if (!pty_check(t, t && go_declare(t), "demo.pcn opens Achievement > Declare")) {
		for (int i = 0; i < 4; i++)
			tap_skip("no session", "pcn declare %d", i);
		pty_close(&t);
		return;
	}
	pty_expect(t, "31/03/2025*  Network Contract DES 2024/25", 5000,
		   "the PCN's network achievement awaits declaration");
	pty_key(t, "d");
	pty_expect(t, "Declaration checklist: Network Contract DES 2024/25", 5000,
		   "d (no row ticked) opens the checklist of the cursor row");
	pty_check(t, pty_find(t, "Indicator: ", NULL, NULL),
		  "the service asks for declaration of indicators: indicator items are listed");
	pty_check(t, tick_all(t), "every statement and indicator is ticked");
	pty_key(t, "d");
	pty_expect(t, "Declare Network Contract DES 2024/25 31/03/2025 for U60172", 3000,
		   "the PCN's declaration is confirmed");
	pty_key(t, "y");
	pty_expect(t, "Declared: Network Contract DES 2024/25 31/03/2025", 5000,
		   "the PCN user declared the network achievement");
	pty_close(&t);
}

/* Opens the first task of the Message Centre. */
static bool open_task(struct pty_term *t, const char *title)
{
	if (!pty_wait_text(t, title, 5000))
		return false;
	pty_key(t, "Enter");
	return pty_wait_text(t, "Declaration Management", 5000);
}

static void approver_approves(void)
{
	struct pty_term *t = start_as("demo.approver");
	if (!pty_check(t, t && open_task(t, "Declaration awaiting approval"),
		       "demo.approver opens a Home task: Declaration Management")) {
		for (int i = 0; i < 6; i++)
			tap_skip("no session", "approver %d", i);
		pty_close(&t);
		return;
	}
	pty_expect(t, "1-5 of 5", 5000, "five declarations await approval (MS May, MS June, NCD"
		   " 2024/25 and the demo's two NCD 2021/22 ones)");
	pty_check(t, pty_find(t, "Status: Awaiting Commissioning Organisation Approval", NULL, NULL),
		  "the Status filter shows what the task is about");
	/* return the cursor row with a reason */
	pty_key(t, "u");
	pty_expect(t, "Reason:", 2000, "Return to provider asks for a reason");
	pty_send(t, "Please check the June count");
	pty_key(t, "Enter");
	pty_expect(t, "Return to the provider the declaration of", 2000, "and a confirmation");
	pty_key(t, "y");
	pty_expect(t, "1-4 of 4", 5000, "the returned declaration left the list");
	pty_key(t, "a");
	pty_expect(t, "ticked 4", 2000, "Select All ticks every row");
	pty_key(t, "p");
	pty_expect(t, "Approve the 4 ticked declarations (", 2000, "Approve asks for confirmation");
	pty_check(t, pty_find(t, "in all?", NULL, NULL), "... with their total");
	pty_key(t, "y");
	pty_expect(t, "Approve: 4 of 4 done", 5000, "all four approved, reported row by row");
	pty_close(&t);
}

static void finance_approves(void)
{
	struct pty_term *t = start_as("demo.finance");
	if (!pty_check(t, t && open_task(t, "Declaration awaiting financial approval"),
		       "demo.finance opens a Home task: Declaration Management")) {
		for (int i = 0; i < 5; i++)
			tap_skip("no session", "finance %d", i);
		pty_close(&t);
		return;
	}
	pty_expect(t, "1-4 of 4", 5000, "four declarations await financial approval");
	pty_key(t, "a");
	pty_key(t, "P");
	pty_expect(t, "Financially approve the 4 ticked declarations (", 2000, "confirmation");
	pty_key(t, "y");
	pty_expect(t, "Financially approve: 4 of 4 done", 5000, "all four financially approved");
	/* the Quality Service filter: the services fetched, then one of them */
	pty_key(t, "Esc");
	pty_key(t, "f");
	pty_key(t, "Down");
	pty_key(t, "Enter");
	pty_expect(t, "All quality services", 2000, "the Quality Service drop-down lists the services");
	pty_key(t, "Down");
	pty_key(t, "Enter");
	pty_check(t, pty_wait_gone(t, "Quality Service: All", 5000),
		  "choosing a quality service narrows the declarations to it");
	pty_close(&t);
}

int main(void)
{
	pty_init(150);
	pty_server_start_api(&srv, &api);
	practice_declares();
	pcn_declares();
	approver_approves();
	finance_approves();
	pty_server_free(&srv);
	return pty_finish();
}
