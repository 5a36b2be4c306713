/* test_pty_pcn.c: the PCN's own values (issue 10) in the real cqrs
 * against a fresh demo cqrsd, by keyboard:
 *   (a) demo.pcn (PCN Management at U60172), under NO_COLOR and
 *       TERM=vt100, goes from Home to its PCN's own NCD 2024/25 31/03/2025
 *       network achievement (3 ] E), sets EA.TB01 (Yes, carried from
 *       February) to No and CAIP.03 to Yes from the Yes/No drop-down
 *       (C-t) and submits (C-s, y); the API then holds the new values
 *       and the dashboard shows EA.TB01 No; the key
 *       is on the function bar and in the help only where it works;
 *   (b) Create Offers marks the practices that already hold the Learning
 *       Disability offer ("already Offered" / "already Approved"), which
 *       cannot be ticked, are skipped by Select All and never reviewed;
 *   (c) demo.practice opening its own NCD 2024/25 31/03/2025 achievement
 *       sees EA.TB01 read-only "entered at PCN level" with the PCN's
 *       value (No, as the PCN has just set it). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

#define WAIT 6000

static struct pty_server srv;
static struct server api; /* the same server, for the http helpers */

static struct pty_term *client(const struct pty_opts *o, const char *user)
{
	return pty_client_as(o, srv.url, user);
}


/* The current value of indicator code in a group form, as user. */
static long long current_value(const char *user, const char *path, const char *code)
{
	long st = 0;
	char *tok = sign_in(&api, user, PTY_DEMO_PASSWORD, &st);
	struct http_resp r;
	http_get(&api, path, tok, &r);
	long long v = -1;
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(r.json, "indicators"), i, ind)
		if (!strcmp(jstr(ind, "code"), code))
			v = json_integer_value(json_object_get(json_object_get(ind, "current"),
							       "value"));
	http_resp_free(&r);
	free(tok);
	return v;
}

/* In an open group form: the Yes/No drop-down (C-t) chooses word (Up:
 * Yes, Down: No), then C-s and y submit. */
static void choose_and_submit(struct pty_term *t, const char *code, const char *key,
			      const char *word)
{
	pty_key(t, "C-t");
	char title[64];
	snprintf(title, sizeof title, "%s: New Value", code);
	pty_expect(t, title, 3000, "C-t opens the Yes/No drop-down of %s", code);
	pty_key(t, key);
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
	pty_check(t, !pty_find(t, title, NULL, NULL) && pty_row_has(t, code, word),
		  "choosing %s puts it in %s's New Value", word, code);
	pty_key(t, "C-s");
	pty_expect(t, "Submit Achievement Data for", 3000, "C-s asks to confirm the submission");
	pty_key(t, "y");
}

static void pcn_user(void)
{
	struct pty_opts o = { 0 };
	o.term = "vt100";
	o.no_color = true;
	struct pty_term *t = client(&o, "demo.pcn");
	/* from Home: 3 ] E */
	pty_key(t, "3");
	pty_wait_text(t, "Missing Data", WAIT);
	pty_key(t, "]");
	pty_expect(t, "Network Achievement: U60172", WAIT, "3 ]: the Network Achievement dashboard");
	pty_check(t, pty_wait_text(t, "Network figures", WAIT) &&
		  pty_find(t, "Network Contract DES 2024/25", NULL, NULL) &&
		  pty_find(t, "Date 31/03/2025", NULL, NULL),
		  "it shows NCD 2024/25 at 31/03/2025 by default");
	pty_check(t, pty_find(t, "E: enter the PCN's own values", NULL, NULL) &&
		  pty_find_in_row(t, PTY_FBAR_ROW(t), "F3", NULL) &&
		  pty_find_in_row(t, PTY_FBAR_ROW(t), "PCNValues", NULL),
		  "the dashboard and function bar offer E / F3 to the PCN Management user");
	pty_key(t, "?");
	pty_wait_text(t, "keys in context", 3000);
	bool listed = false, other = false;
	for (int i = 0; i < 80; i++) { /* long helps wrap: more lines */
		listed |= pty_find(t, "enter-pcn-values", NULL, NULL);
		other |= pty_find(t, "enter-on-behalf", NULL, NULL) ||
			 pty_find(t, "correct-membership", NULL, NULL);
		pty_key(t, "C-n");
		pty_settle(t, 20, 500);
	}
	pty_check(t, listed, "the help lists enter-pcn-values");
	pty_check(t, !other, "the help leaves out the commissioner's keys, which do not work here");
	pty_key(t, "Esc");
	pty_wait_gone(t, "keys in context", 3000);
	pty_key(t, "E");
	pty_expect(t, "U60172 Tees Riverside PCN: Network Contract DES 2024/25", WAIT,
		   "E opens the PCN's own network achievement");
	pty_check(t, pty_wait_text(t, "The PCN enters CAIP, EA", WAIT) &&
		  pty_row_has(t, "Capacity and Access", "> "),
		  "it names the groups the PCN enters, the cursor on the first (CAIP)");
	pty_check(t, pty_move_to(t, "Down", "Enhanced Access tick-box"), "Down reaches EA");
	pty_key(t, "Enter");
	pty_expect(t, "EA Enhanced Access tick-box indicator (Payment)", WAIT,
		   "Enter opens the EA form");
	pty_check(t, pty_wait_text(t, "EA.TB01", 3000) && pty_row_has(t, "EA.TB01", "Yes") &&
		  pty_row_has(t, "EA.TB01", "> "),
		  "EA.TB01 is editable, currently Yes (carried from February), the focus on it");
	choose_and_submit(t, "EA.TB01", "Down", "No");
	pty_expect(t, "submitted", WAIT, "the submission is stored");
	pty_check(t, current_value("demo.pcn", "/api/v1/achievements/608/groups/63", "EA.TB01") == 0,
		  "the API holds EA.TB01 = No on the PCN's achievement");

	/* a CAIP component */
	pty_key(t, "Esc");
	pty_wait_text(t, "Indicator group", WAIT);
	pty_check(t, pty_move_to(t, "Up", "Capacity and Access"), "Up reaches CAIP");
	pty_key(t, "Enter");
	pty_expect(t, "CAIP Capacity and Access Improvement Payment", WAIT, "Enter opens CAIP");
	pty_wait_text(t, "CAIP.03", 3000);
	pty_key(t, "Tab");
	pty_key(t, "Tab");
	pty_settle(t, 60, 1000);
	pty_check(t, pty_row_has(t, "CAIP.03", "> ") && pty_row_has(t, "CAIP.03", "No"),
		  "Tab Tab: CAIP.03, currently No");
	choose_and_submit(t, "CAIP.03", "Up", "Yes");
	pty_expect(t, "submitted", WAIT, "the CAIP component is submitted");
	pty_check(t, current_value("demo.pcn", "/api/v1/achievements/608/groups/61", "CAIP.03") == 1,
		  "the API holds CAIP.03 = Yes");

	/* back to the dashboard, fetched again */
	pty_key(t, "Esc");
	pty_wait_text(t, "Indicator group", WAIT);
	pty_key(t, "Esc");
	pty_expect(t, "Network figures", WAIT, "Esc Esc: back to the dashboard");
	pty_key(t, "/");
	pty_send(t, "EA.TB01");
	pty_key(t, "Enter");
	pty_settle(t, 100, 2000);
	pty_check(t, pty_row_has(t, "EA.TB01", "No"), "the network figure EA.TB01 is now No");
	pty_close(&t);

	/* a practice user: no E on the dashboard */
	struct pty_opts p = { 0 };
	t = client(&p, "demo.practice");
	pty_key(t, "3");
	pty_wait_text(t, "Record Achievement", WAIT);
	pty_key(t, "]");
	pty_key(t, "]");
	pty_expect(t, "Network Achievement: A81001", WAIT, "demo.practice: the dashboard");
	pty_wait_text(t, "Network figures", WAIT);
	pty_check(t, !pty_find_in_row(t, PTY_FBAR_ROW(t), "PCNValues", NULL) &&
		  !pty_find(t, "E: enter the PCN's own values", NULL, NULL),
		  "a practice user is not offered E / F3");
	pty_key(t, "E");
	pty_expect(t, "needs PCN Management", 3000, "E says what it needs");
	pty_close(&t);
}

static void offers(void)
{
	struct pty_opts o = { 0 };
	struct pty_term *t = client(&o, "demo.commissioner");
	pty_key(t, "2");
	pty_wait_text(t, "Offered Services", WAIT);
	pty_key(t, "]");
	pty_expect(t, "Create Offers, step 1 of 5", WAIT, "Create Offers");
	pty_wait_text(t, "Financial year: 2025/26", WAIT);
	pty_key(t, "f");
	pty_wait_text(t, "Filter", 3000);
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
	pty_key(t, "Down");
	pty_key(t, "Enter");
	pty_wait_text(t, "Financial year: 2024/25", WAIT);
	pty_key(t, "/");
	pty_send(t, "Learning");
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
	pty_key(t, "Enter");
	pty_expect(t, "step 2 of 5", WAIT, "Learning Disability: step 2");
	pty_key(t, "Enter");
	pty_expect(t, "step 3 of 5", WAIT, "step 3");
	pty_check(t, pty_wait_text(t, "Norton Green Surgery", WAIT) &&
		  pty_row_has(t, "A81001", "already Offered") &&
		  pty_row_has(t, "A81004", "already Approved") &&
		  pty_row_has(t, "A81016", "already Rejected") && !pty_row_has(t, "A81011", "already"),
		  "the providers holding the offer are marked, the others not");
	pty_key(t, "/");
	pty_send(t, "A81001");
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
	pty_key(t, "Space");
	pty_check(t, pty_wait_text(t, "A81001 already holds", 3000) &&
		  pty_find(t, "0 ticked", NULL, NULL) && !pty_row_has(t, "A81001", "[x]"),
		  "Space on A81001 does not tick it and says why");
	pty_key(t, "a");
	pty_settle(t, 60, 1000);
	pty_check(t, !pty_row_has(t, "A81001", "[x]") && !pty_row_has(t, "A81004", "[x]") &&
		  pty_row_has(t, "A81011", "[x]") && pty_row_has(t, "A81030", "[x]"),
		  "Select All ticks the others only");
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, "step 4 of 5", WAIT) &&
		  pty_wait_text(t, "A81011 Harbour View", 3000) &&
		  !pty_find(t, "A81001", NULL, NULL) && !pty_find(t, "A81004", NULL, NULL),
		  "the review never lists the providers that hold the offer");
	pty_close(&t);
}

static void practice_view(void)
{
	struct pty_opts o = { 0 };
	struct pty_term *t = client(&o, "demo.practice");
	/* Record Achievement: the NCD 2024/25 achievement of 31/03/2025 */
	pty_key(t, "3");
	pty_wait_text(t, "Record Achievement", WAIT);
	/* it opens on 2024/25, the year with work on the business date */
	pty_wait_text(t, "Quality Service: DES — Annual — Network Contract DES 2024/25", WAIT);
	pty_wait_text(t, "31/03/2025", WAIT);
	pty_check(t, pty_move_to(t, "Down", "31/03/2025"), "the 31/03/2025 achievement");
	pty_key(t, "Enter");
	pty_wait_text(t, "Enhanced Access tick-box", WAIT);
	pty_move_to(t, "Down", "Enhanced Access tick-box");
	pty_key(t, "Enter");
	pty_expect(t, "EA Enhanced Access tick-box indicator (Payment)", WAIT,
		   "demo.practice opens its EA form");
	pty_check(t, pty_wait_text(t, "locked: entered at PCN level", 3000),
		  "EA.TB01 is read-only: entered at PCN level");
	pty_check(t, pty_row_has(t, "EA.TB01", "No"),
		  "it shows the PCN's value, No, as the PCN set it");
	pty_close(&t);
}

int main(void)
{
	pty_init(170);
	pty_server_start_api(&srv, &api);
	pcn_user();
	offers();
	practice_view();
	pty_server_free(&srv);
	return pty_finish();
}
