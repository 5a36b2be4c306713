/* test_pty_text.c: text that carries meaning is never cut at 80x24, and
 * the work-and-declarations rules as the client shows them, by keyboard
 * against a real demo cqrsd (issue 13, "Text" and "Work and
 * declarations"):
 * - a payment confirmation wraps and shows the organisation and the whole
 *   amount (QOF's £128,659.10 was cut at 80 columns);
 * - a refusal shows its whole reason ("... withdraw it instead");
 * - Home task titles keep the date and the practice, so the declarations
 *   due are told apart;
 * - a notice is dismissed with x, a work task is not;
 * - a note typed without changing a value is stored;
 * - submitting data that will revert a declaration warns first, and the
 *   declaration then needs its statements ticked again;
 * - a reason of only spaces is refused, and the prompt counts what is left
 *   of the server's limit;
 * - screens open on the financial year with work on the business date;
 * - the stuck list's "e" opens the gap's practice and achievement;
 * - the row-by-row results popup keeps one row per line. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;
static struct server api;

#define MS 6000

static struct pty_term *as(const char *user)
{
	struct pty_opts o = {0};
	return pty_client_as(&o, srv.url, user);
}

/* Presses keys (as pty_keys()), then types text. */
static void type_after(struct pty_term *t, const char *names, const char *text)
{
	pty_keys(t, names);
	pty_send(t, text);
	pty_settle(t, 100, 1500);
}

/* Waits for text, moves the cursor down onto its row and opens it. */
static void open_row(struct pty_term *t, const char *text)
{
	pty_wait_text(t, text, MS);
	pty_move_to(t, "Down", text);
	pty_keys(t, "Enter");
}

static bool row_has(struct pty_term *t, const char *a, const char *b)
{
	int r = -1;
	return pty_find(t, a, &r, NULL) && pty_find_in_row(t, r, b, NULL);
}

/* ------------------------------------------------------------ practice */

static void practice(void)
{
	struct pty_term *t = as("demo.practice");
	/* Task titles: the date and the practice first. */
	pty_expect(t, "Declaration due: 31/01/2025 A81001 Minor Surgery", MS,
		   "task titles keep the date and practice (31/01/2025)");
	pty_expect(t, "Declaration due: 28/02/2025 A81001 Minor Surgery", MS,
		   "... and tell the next declaration apart (28/02/2025)");
	pty_key(t, "d");
	pty_expect(t, "work, not a notice", MS, "d on a work task says it closes when done");

	/* The year with work: 2024/25 on 10/04/2025, not the empty 2025/26. */
	pty_key(t, "3");
	pty_expect(t, "Financial Year: 2024/25", MS, "Record Achievement opens on 2024/25");
	pty_check(t, pty_wait_text(t, "Awaiting network", MS) &&
		  !pty_find(t, "AWAITING_", NULL, NULL),
		  "statuses in words, no raw codes");

	/* A confirmation whose amount was cut at 80 columns: QOF's year end. */
	pty_keys(t, "4 Tab");
	pty_expect(t, "Quality and Outcomes Framewor", MS, "Declare lists the QOF year end");
	pty_move_to(t, "Down", "31/03/2025*  Quality");
	pty_keys(t, "d Space Space Space d");
	pty_expect(t, "£128,659.10?", MS, "the QOF confirmation shows the whole amount");
	pty_check(t, pty_find(t, "A81001 The Densham", NULL, NULL),
		  "... and the organisation");
	pty_keys(t, "Esc Esc Esc");
	pty_close(&t);
}

/* Declares 28/02/2025 Minor Surgery through the API (awaiting approval). */
static bool declare_february(void)
{
	char *tok = sign_in(&api, "demo.practice", PTY_DEMO_PASSWORD, NULL);
	if (!tok)
		return false;
	struct http_resp r;
	http_get(&api, "/api/v1/declarations?status=AWAITING_PROVIDER", tok, &r);
	long long id = 0, version = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(r.json, "declarations"), i, d)
		if (!strcmp(jstr(json_object_get(d, "achievement"), "date"), "2025-02-28"))
			id = json_integer_value(json_object_get(d, "id"));
	http_resp_free(&r);
	char *path = xasprintf("/api/v1/declarations/%lld", id);
	http_get(&api, path, tok, &r);
	version = json_integer_value(json_object_get(r.json, "version"));
	struct buf ticks;
	buf_init(&ticks);
	json_array_foreach(json_object_get(r.json, "checklist"), i, d)
		buf_printf(&ticks, "%s\"%s\"", i ? ", " : "", jstr(d, "id"));
	http_resp_free(&r);
	char *dpath = xasprintf("%s/declare", path);
	char *body = xasprintf("{\"version\": %lld, \"ticked\": [%s], \"notes\": \"Feb checked.\"}",
			       version, ticks.data ? ticks.data : "");
	http_send(&api, "POST", dpath, tok, body, &r);
	bool ok = id && r.status == 200;
	http_resp_free(&r);
	free(body);
	free(dpath);
	free(path);
	buf_free(&ticks);
	free(tok);
	return ok;
}

static void practice_data(void)
{
	tap_ok(declare_february(), "(set-up) 28/02/2025 Minor Surgery declared: awaiting approval");
	struct pty_term *t = as("demo.practice");
	pty_keys(t, "3");
	pty_wait_text(t, "Financial Year: 2024/25", MS);
	pty_keys(t, "s");
	open_row(t, "Minor Surgery ES 2024/25");
	open_row(t, "28/02/2025* Calculated");
	pty_expect(t, "declaration: To be approved", MS, "the achievement's declaration in words");
	pty_keys(t, "Enter");
	pty_expect(t, "Submission notes:", MS, "the MS form opens");
	pty_check(t, pty_find(t, "2000 left", NULL, NULL),
		  "the notes field shows what is left of the server's limit");

	/* A note typed without changing any value is stored. */
	type_after(t, "Tab Tab Tab", "Checked against the log");
	pty_check(t, pty_find(t, "1977 left", NULL, NULL), "the count goes down as the note is typed");
	pty_key(t, "C-w");
	pty_expect(t, "Note stored for MS", MS, "a note alone is stored");
	pty_expect(t, "Last note 10/04/2025", MS, "... and is the form's last note");
	pty_check(t, pty_find(t, "Priya Shah: Checked against the log", NULL, NULL),
		  "... with its text");

	/* A submission that reverts the declaration warns first. */
	type_after(t, "Tab", "14");
	pty_key(t, "F8");
	pty_expect(t, "back to the provider to declare again", MS,
		   "the Submit confirmation warns that the declaration will revert");
	pty_check(t, pty_find(t, "commissioner's approval", NULL, NULL),
		  "... naming where it waits");
	pty_key(t, "y");
	pty_expect(t, "the declaration went", MS,
		   "the answer says the declaration went back");

	/* Declaring again needs the statements ticked again. */
	pty_keys(t, "Esc Esc 4 Tab");
	pty_wait_text(t, "28/02/2025*  Minor Surgery", MS);
	pty_move_to(t, "Down", "28/02/2025*  Minor Surgery");
	pty_keys(t, "d");
	pty_expect(t, "Declaration checklist: Minor Surgery ES 2024/25 28/02/2025", MS,
		   "the reverted declaration's checklist");
	pty_check(t, pty_find(t, "ticked 0", NULL, NULL) &&
		  !pty_find(t, "[x] The achievement data", NULL, NULL),
		  "after the reversion no statement is ticked");
	pty_keys(t, "d");
	pty_expect(t, "Tick every statement before declaring: 0 of 2", MS,
		   "declaring without ticking again is refused");
	pty_keys(t, "Esc");
	pty_close(&t);
}

/* ------------------------------------------------------------ approver */

static void approver(void)
{
	struct pty_term *t = as("demo.approver");
	pty_keys(t, "4 Tab");
	pty_expect(t, "Declaration Management", MS, "Declaration Management");
	pty_wait_text(t, "31/05/2024", MS);
	pty_move_to(t, "Down", "31/05/2024");
	pty_keys(t, "p");
	pty_expect(t, "£1,507.81?", MS, "the approval confirmation shows the amount");
	pty_check(t, pty_find(t, "A81001 The Densham Surgery", NULL, NULL),
		  "... and the organisation, wrapped inside the dialog");
	pty_keys(t, "Esc u");
	pty_expect(t, "500 of 500 characters left", MS,
		   "the reason prompt counts what is left of the server's limit");
	type_after(t, "", "   ");
	pty_check(t, pty_find(t, "497 of 500 characters left", NULL, NULL), "... as it is typed");
	pty_key(t, "Enter");
	pty_expect(t, "Returning needs a reason", MS, "a reason of only spaces is refused");
	pty_check(t, !pty_find(t, "+- Confirm", NULL, NULL), "... and nothing is asked or sent");

	/* The results popup: one row per line, wrapped under itself. */
	pty_keys(t, "f");
	pty_wait_text(t, "+- Filter", MS);
	pty_keys(t, "Enter");
	pty_wait_text(t, "All statuses", MS);
	pty_move_to(t, "Up", "All statuses");
	pty_keys(t, "Enter");
	pty_wait_text(t, "Financially Approved", 3000);
	pty_keys(t, "a p y");
	pty_expect(t, "Not done:", MS, "Approve on every status: the results popup");
	int lone = 0;
	for (int r = 0; r < pty_rows(t); r++) {
		char *row = pty_row(t, r);
		/* a popup line holding one word far right of its indent */
		const char *bar = strchr(row, '|');
		if (bar) {
			const char *p = bar + 1;
			int blanks = 0;
			while (*p == ' ') {
				p++;
				blanks++;
			}
			const char *sp = strchr(p, ' ');
			if (blanks > 20 && *p && *p != '|' && (!sp || sp[strspn(sp, " ")] == '|'))
				lone++;
		}
		free(row);
	}
	pty_check(t, lone == 0, "no result line is a lone word under a long prefix (%d)", lone);
	pty_keys(t, "Esc");
	pty_close(&t);
}

/* ------------------------------------------------------------ commissioner */

static void commissioner(void)
{
	struct pty_term *t = as("demo.commissioner");
	pty_expect(t, "Offer rejected by A81016 Larchfield Family Practice", MS,
		   "the rejection notice names the practice first");
	pty_move_to(t, "Down", "Offer rejected by A81016");
	pty_keys(t, "d");
	pty_expect(t, "Dismissed.", MS, "d dismisses the notice");
	pty_check(t, pty_wait_gone(t, "Offer rejected by A81016", MS), "... and it is gone");

	/* The whole refusal reason: cancelling an Offered offer. */
	pty_keys(t, "2");
	pty_expect(t, "Offered Services: quality services offered in 2024/25", MS,
		   "Offered Services opens on 2024/25, the year with work");
	pty_check(t, row_has(t, "Quality Service", "Rejected Cancelled"),
		  "the count columns do not run together");
	open_row(t, "Learning Disability Health Check");
	pty_wait_text(t, "A81001", MS);
	pty_move_to(t, "Down", "A81001");
	pty_keys(t, "Space C");
	pty_expect(t, "+- Confirm", MS, "Cancel Service asks");
	pty_keys(t, "y");
	pty_expect(t, "withdraw it instead", MS, "the refusal's whole reason is shown, wrapped");

	/* The stuck list's "enter data" opens the gap's practice and year. */
	pty_keys(t, "3 Tab");
	pty_expect(t, "Achievements stuck in Awaiting Network Achievement", MS, "the stuck list");
	pty_move_to(t, "Down", "U60172  PCN      28/02/2025");
	pty_keys(t, "e");
	pty_expect(t, "A81001 The Densham Surgery: Network Contract DES 2024/25", MS,
		   "e opens the practice with the gap, on the network service of 2024/25");
	pty_check(t, pty_find(t, "Achievement date: 28/02/2025", NULL, NULL),
		  "... at the stuck achievement date");
	pty_close(&t);
}

int main(void)
{
	pty_init(240);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	memset(&api, 0, sizeof api);
	api.port = srv.port;
	snprintf(api.base, sizeof api.base, "%s", srv.url);
	practice();
	practice_data();
	approver();
	commissioner();
	pty_server_free(&srv);
	return pty_finish();
}
