/* test_pty_edges.c: the rough edges the findings' reproductions still met
 * at 80x24 (issue 13, "The findings' reproductions pass as written"),
 * by keyboard against a real demo cqrsd:
 * - Offered Services shows long service names whole (participation P3:
 *   "Veteran Friendly Practice Accreditation 20");
 * - Achievement Results keeps "F10 Quit" on the function bar and the
 *   declaration beside "Aspiration £102,927.28" (it was cut to "D");
 * - help lines wrap inside the popup ("... kept for next tim", terminals
 *   D12);
 * - the group form's key line is whole ("Esc back"), with the letter keys;
 * - a message said about one screen is gone once the user moves to
 *   another ("Press c to choose a practice or PCN." in Declaration
 *   Management);
 * - s in Record Achievement before the services are in says so, never
 *   "takes part in no service";
 * - quitting with the memory-only token store revokes the token on the
 *   server (terminals D12: it stayed live until its idle timeout). */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/pty/pty.h"

static struct pty_server srv;

#define MS 6000

static struct pty_term *as(const char *user)
{
	struct pty_opts o = {0};
	return pty_client_as(&o, srv.url, user);
}

/* A case: the message line does not say text. */
static void message_lacks(struct pty_term *t, const char *text, const char *what)
{
	char *m = pty_message(t);
	pty_check(t, !strstr(m, text), "%s (%s)", what, m);
	free(m);
}

/* The text of row r from column c to its end. */
static bool row_from(struct pty_term *t, const char *text, const char *then)
{
	int r = -1, c = -1;
	if (!pty_find(t, text, &r, &c))
		return false;
	char *row = pty_row(t, r);
	bool ok = strstr(row, then) != NULL;
	free(row);
	return ok;
}

static void commissioner(void)
{
	struct pty_term *t = as("demo.commissioner");
	pty_keys(t, "2");
	pty_expect(t, "Offered Services: quality services offered in 2024/25", MS,
		   "Offered Services opens on 2024/25");
	pty_check(t, row_from(t, "Veteran Friendly Practice Accreditation ", "1        1        1"),
		  "a long service name is whole on its row, beside its counts");
	pty_check(t, row_from(t, "Learning Disability Health Check ES ", "2        1        1"),
		  "... Learning Disability Health Check ES too");
	pty_expect_not(t, "Accreditation 20", "no name is cut (\"Accreditation 20\")");
	pty_expect_not(t, "Check ES 2024/2 ", "no name is cut (\"Check ES 2024/2\")");

	/* a message about Achievement Results leaves with it */
	pty_keys(t, "4");
	pty_expect(t, "Press c to choose a practice or PCN.", MS,
		   "Achievement Results asks for a practice or PCN");
	pty_keys(t, "Tab");
	pty_expect(t, "[Declaration Management]", MS, "Tab opens Declaration Management");
	message_lacks(t, "Press c to choose", "... and the message about Achievement Results is gone");
	pty_keys(t, "BTab");
	pty_expect(t, "Choose a practice or PCN: press c", MS,
		   "back on Achievement Results, the screen itself still says what to do");

	/* the network dashboard's nine F-keys: labels shortened, none dropped */
	pty_keys(t, "3 ]");
	pty_expect(t, "Achievements stuck in Awaiting Network Achievement", MS,
		   "the commissioner's Network Achievement: the stuck list");
	pty_keys(t, "s");
	pty_expect(t, "Member practices on this date", MS,
		   "s: the dashboard, on 2024/25 (data D19: no \"not found\" for 2025/26)");
	int fr = PTY_FBAR_ROW(t);
	pty_check(t, pty_find_in_row(t, fr, "F8", NULL) && pty_find_in_row(t, fr, "F9", NULL) &&
		  pty_find_in_row(t, fr, "F10", NULL),
		  "the function bar keeps F8, F9 and F10 even with nine keys");

	/* help lines wrap inside the popup */
	pty_keys(t, "F1");
	pty_expect(t, "Leave cqrs (the token is kept for next", MS, "help is open");
	pty_check(t, pty_find(t, "time)", NULL, NULL),
		  "the help of quit is whole: \"... kept for next\" / \"time)\"");
	pty_close(&t);
}

static void practice(void)
{
	struct pty_term *t = as("demo.practice");
	pty_keys(t, "4");
	pty_expect(t, "Aspiration £102,927.28", MS, "Achievement Results shows the aspiration");
	pty_check(t, pty_find(t, "Declaration: Awaiting Service Provider Approval", NULL, NULL),
		  "the declaration is whole on the row below, not cut to \"D\"");
	int r = PTY_FBAR_ROW(t);
	pty_check(t, pty_find_in_row(t, r, "F10", NULL) && pty_find_in_row(t, r, "Quit", NULL) &&
		  pty_find_in_row(t, r, "F3", NULL) && pty_find_in_row(t, r, "F9", NULL),
		  "the function bar keeps every key, F10 Quit included");

	/* the group form's key line */
	pty_keys(t, "3");
	pty_expect(t, "Achievement Date", MS, "Record Achievement");
	pty_expect(t, "31/03/2025*", MS, "... with the year's dates");
	pty_keys(t, "Enter");
	pty_expect(t, "Investment and Impact Fund", MS, "the groups of 31/03/2025");
	pty_keys(t, "Enter");
	pty_expect(t, "New Value", MS, "the IIF form");
	pty_check(t, pty_find(t, "Esc back", NULL, NULL) && pty_find(t, "F6/C-w Save WIP", NULL, NULL) &&
		  pty_find(t, "F8/C-s Submit", NULL, NULL),
		  "the form's key line is whole, with C-w and C-s");
	/* a field's error leaves once the field is fixed (terminals D12) */
	pty_keys(t, "4 0 Tab 3 1 Tab");
	pty_expect(t, "CAN.FIT.IIF02: numerator above denominator", MS,
		   "40 of 31: the message line says what is wrong");
	pty_expect_not(t, "(null)", "... never \"(null)\" (data D9)");
	pty_keys(t, "BTab BTab C-a C-k 2 0 Tab Tab");
	message_lacks(t, "numerator above denominator", "... and says nothing of it once 20 of 31 is typed");
	pty_keys(t, "BTab BTab C-a C-k 4 0 Tab Tab");
	pty_expect(t, "CAN.FIT.IIF02: numerator above denominator", MS, "40 of 31 again");
	pty_keys(t, "Esc");
	pty_wait_text(t, "Enter opens a group", MS);
	message_lacks(t, "numerator above denominator", "... and leaving the form takes its error away");
	/* the history popup wraps its lines, the notes whole */
	pty_keys(t, "F3");
	pty_expect(t, "Submission history", MS, "F3 shows the submission history");
	pty_check(t, pty_find(t, "date 31/03/2025 ", NULL, NULL) && pty_find(t, "(extract.loader)", NULL, NULL),
		  "its long lines wrap inside the popup (\"... achievement\" / \"date 31/03/2025\")");
	pty_keys(t, "Esc");
	message_lacks(t, "Loading the submission history", "the history's Loading message is gone once it is shown");
	pty_close(&t);

	/* s before the services are in */
	t = as("demo.practice");
	kill(srv.pid, SIGSTOP);
	pty_keys(t, "3");
	pty_expect(t, "Services you take part in: ... (s)", MS,
		   "while the services load, their count is not said to be 0");
	pty_keys(t, "s");
	pty_expect(t, "The services are still loading", MS, "s then says they are still loading");
	pty_expect_not(t, "takes part in no service", "... never \"takes part in no service\"");
	kill(srv.pid, SIGCONT);
	pty_expect(t, "Network Contract DES 2024/25", MS * 2, "the services come in");
	pty_keys(t, "s");
	pty_expect(t, "Quality Service", MS, "... and s then offers them");
	pty_close(&t);
}

/* A PCN's Missing Data: the row under the cursor whole, and no "Enter
 * adds it" for what only the practice can add (data D23). */
static void pcn(void)
{
	struct pty_term *t = as("demo.pcn");
	pty_keys(t, "3");
	pty_expect(t, "Missing Data: indicator groups", MS, "demo.pcn's Missing Data");
	pty_expect(t, "A81004 Learning Disability Health Check ES 2024/25", MS,
		   "the service of the row under the cursor is whole under the list");
	pty_check(t, pty_find(t, "the practice (or its commissioner)", NULL, NULL) &&
		  !pty_find(t, "Enter adds it", NULL, NULL),
		  "a date not recorded says who records it, not \"Enter adds it\"");
	pty_keys(t, "Enter");
	pty_expect(t, "records its own achievement for this", MS, "Enter on it says so, sending nothing");
	pty_close(&t);
}

/* The vi keymap's help: keys wider than their column get a line of
 * their own (terminals D12: "Enter C-n Tab Down next-field" overflowed). */
static void vi_help(void)
{
	struct pty_opts o = {0};
	const char *args[] = {"--server", srv.url, "--keymap", "vi", NULL};
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	if (!pty_check(t, t && pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000),
		       "vi keymap: demo.practice signs in")) {
		pty_close(&t);
		return;
	}
	pty_keys(t, "3");
	pty_expect(t, "31/03/2025*", MS, "vi keymap: Record Achievement");
	pty_keys(t, "Enter");
	pty_expect(t, "Investment and Impact Fund", MS, "vi keymap: the groups");
	pty_keys(t, "Enter");
	pty_expect(t, "New Value", MS, "vi keymap: the IIF form");
	pty_keys(t, "F1");
	pty_expect(t, "keys in context \"entry\"", MS, "F1: the form's help");
	bool alone = false, under = false;
	for (int i = 0; i < 60 && !(alone && under); i++) {
		int r = -1;
		if (pty_find(t, "Enter C-n Tab Down", &r, NULL)) {
			char *row = pty_row(t, r), *next = pty_row(t, r + 1);
			alone = !strstr(row, "next-field");
			under = strstr(next, "next-field") != NULL;
			free(row);
			free(next);
		}
		if (!(alone && under))
			pty_keys(t, "C-n");
	}
	pty_check(t, alone && under,
		  "the keys \"Enter C-n Tab Down\" have a line of their own, next-field below");
	pty_close(&t);
}

/* How many times the server's log has text. */
static int log_count(const char *text)
{
	char *log = pty_read_file(srv.log);
	int n = 0;
	for (const char *p = log; p && (p = strstr(p, text)) != NULL; p++)
		n++;
	free(log);
	return n;
}

static void quit_revokes(void)
{
	int before = log_count("DELETE /api/v1/session");
	struct pty_term *t = as("demo.view"); /* no D-Bus, no token file: memory only */
	pty_keys(t, "q");
	int status = 0;
	pty_check(t, pty_wait_exit(t, 5000, &status), "q quits");
	pty_close(&t);
	int after = 0;
	for (int i = 0; i < 20 && (after = log_count("DELETE /api/v1/session")) == before; i++)
		usleep(100000);
	tap_ok(after == before + 1,
	       "quitting with a token kept nowhere revokes it on the server (DELETE /session %d -> %d)",
	       before, after);
}

int main(void)
{
	pty_init(180);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	commissioner();
	practice();
	pcn();
	vi_help();
	quit_revokes();
	pty_server_free(&srv);
	return pty_finish();
}
