/* test_pty_keys.c: the real cqrs reading keys as real terminals send them.
 * ANSI-mode (`ESC [ B`) and application-mode (`ESC O B`) arrows in a
 * list, a drop-down and the group form; xterm F-keys (`ESC [ 17 ~`) on
 * TERM=vt100 in the form (F6 saves and stays); an unknown CSI sequence
 * swallowed whole; a lone Esc acted on within the Esc delay and an arrow
 * split across two writes still an arrow; digits and letters typed into a
 * form never switch tabs or quit; F10 with typed values asks first; C-z
 * suspends under a real job-control shell and `fg` redraws; the sign-in
 * screen: User ID first, the demo users from a key (all of them at
 * 80x24), Esc and C-c leave it, 80x23 works, and keys typed while a saved
 * sign-in is checked are not run as commands; a POSIX locale still shows £
 * and keeps typed text. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/pty/pty.h"

static struct pty_server srv;

/* The row the cursor marker ">" of a list or drop-down is on, or -1. */
static int marker_row(const struct pty_term *t)
{
	for (int r = PTY_SUBTAB_ROW + 1; r < PTY_MSG_ROW(t); r++) {
		char *row = pty_row(t, r);
		bool here = str_has_prefix(row, "> ") || strstr(row, "|>") != NULL;
		free(row);
		if (here)
			return r;
	}
	return -1;
}

/* The row of a drop-down's cursor marker ("|>"), or -1: the list behind
 * an open drop-down has a marker of its own. */
static int popup_marker_row(const struct pty_term *t)
{
	for (int r = PTY_SUBTAB_ROW + 1; r < PTY_MSG_ROW(t); r++) {
		char *row = pty_row(t, r);
		bool here = strstr(row, "|>") != NULL;
		free(row);
		if (here)
			return r;
	}
	return -1;
}

static int cursor_row(const struct pty_term *t)
{
	int r, c;
	pty_cursor(t, &r, &c);
	return r;
}

/* Sends each sequence in turn and records rowf's answer before the first
 * and after each (rows[0..n]). */
static void rows_after(struct pty_term *t, int (*rowf)(const struct pty_term *),
		       const char *const *seqs, int *rows)
{
	rows[0] = rowf(t);
	for (int i = 0; seqs[i]; i++) {
		pty_send(t, seqs[i]);
		pty_settle(t, 100, 2000);
		rows[i + 1] = rowf(t);
	}
}

/* ANSI-mode Down, then application-mode Up. */
static const char *const down_up[] = { "\033[B", "\033OA", NULL };

/* demo.practice on Data > Record Achievement, Minor Surgery ES 2024/25,
 * the achievements panel shown. Arrows in both modes are used on the way:
 * in the year drop-down (which must stay open) and in the service list. */
static struct pty_term *to_minor_surgery(const struct pty_opts *o, bool check)
{
	struct pty_term *t = pty_client_as(o, srv.url, "demo.practice");
	pty_key(t, "3");
	pty_wait_text(t, "Quality Service: DES", 5000);
	pty_key(t, "f");
	pty_wait_text(t, "2024/25", 3000);
	pty_settle(t, 100, 2000);
	int rows[3];
	rows_after(t, popup_marker_row, down_up, rows);
	int before = rows[0], ansi = rows[1], app = rows[2];
	if (check) {
		char *sub = pty_active_item(t, PTY_SUBTAB_ROW);
		pty_check(t, before > 0 && ansi == before + 1 && app == before &&
			  strcmp(sub, "Record Achievement") == 0,
			  "drop-down: ANSI Down and application Up move the cursor; it stays open "
			  "on the same sub-tab (rows %d %d %d, %s)", before, ansi, app, sub);
		free(sub);
	}
	/* to 2024/25 in the drop-down (the list behind has a marker too) */
	for (int i = 0; i < 6; i++) {
		int r = popup_marker_row(t);
		char *row = r >= 0 ? pty_row(t, r) : NULL;
		bool there = row && strstr(row, "|> 2024/25");
		free(row);
		if (there)
			break;
		pty_key(t, "Down");
		pty_settle(t, 100, 2000);
	}
	pty_key(t, "Enter");
	pty_wait_text(t, "Financial Year: 2024/25", 3000);
	pty_key(t, "s");
	pty_wait_text(t, "Minor Surgery ES 2024/25", 3000);
	pty_move_to(t, "Down", "Minor Surgery ES 2024/25");
	pty_key(t, "Enter");
	pty_wait_text(t, "31/03/2025*", 5000);
	pty_settle(t, 100, 2000);
	return t;
}

static void arrows_list_dropdown_form(void)
{
	struct pty_term *t = to_minor_surgery(NULL, true);
	/* the achievements panel is a list */
	int rows[4];
	rows_after(t, marker_row, down_up, rows);
	int top = rows[0], ansi = rows[1], app = rows[2];
	char *tab = pty_active_item(t, PTY_TAB_ROW), *sub = pty_active_item(t, PTY_SUBTAB_ROW);
	pty_check(t, top > 0 && ansi == top + 1 && app == top && strcmp(tab, "Data") == 0 &&
		  strcmp(sub, "Record Achievement") == 0,
		  "list: ANSI Down and application Up move the cursor and nothing else "
		  "(rows %d %d %d, %s > %s)", top, ansi, app, tab, sub);
	free(tab);
	free(sub);

	/* an unknown CSI sequence (and an SS3 one) is swallowed whole:
	 * without it, "[" would go to the previous sub-tab and "2" to tab 2 */
	uint64_t bytes = pty_bytes(t);
	pty_send(t, "\033[2;99~\033[?25h\033Oz\033[99X");
	pty_settle(t, 150, 2000);
	tab = pty_active_item(t, PTY_TAB_ROW);
	sub = pty_active_item(t, PTY_SUBTAB_ROW);
	pty_check(t, strcmp(tab, "Data") == 0 && strcmp(sub, "Record Achievement") == 0 &&
		  marker_row(t) == top && !pty_find(t, "Confirm", NULL, NULL),
		  "unknown CSI/SS3 sequences are swallowed: same tab, sub-tab and row "
		  "(%s > %s, %llu bytes redrawn)", tab, sub,
		  (unsigned long long)(pty_bytes(t) - bytes));
	free(tab);
	free(sub);

	/* the group form: Down (either mode) is next-field, never a way out */
	pty_move_to(t, "Down", "31/03/2025*");
	pty_key(t, "Enter");
	pty_wait_text(t, "MS-MI", 5000);
	pty_key(t, "Enter");
	pty_expect(t, "MS Minor surgery procedures (Payment)", 5000, "the group form opens");
	pty_settle(t, 100, 2000);
	rows_after(t, cursor_row, (const char *const[]){ "\033[B", "\033OB", "\033[A", NULL }, rows);
	int f0 = rows[0], f1 = rows[1], f2 = rows[2], f3 = rows[3];
	pty_check(t, f1 > f0 && f2 > f1 && f3 == f1 &&
		  pty_find(t, "MS Minor surgery procedures (Payment)", NULL, NULL),
		  "form: ANSI and application arrows move between fields and stay in the "
		  "form (rows %d %d %d %d)", f0, f1, f2, f3);

	/* digits and letters are input: 5 is not the Reports tab, q does not
	 * quit, ? is not help */
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, "5q?");
	pty_settle(t, 150, 2000);
	int r = cursor_row(t);
	tab = pty_active_item(t, PTY_TAB_ROW);
	pty_check(t, !pty_exited(t, NULL) && strcmp(tab, "Data") == 0 &&
		  pty_find_in_row(t, r, "5q?", NULL) && !pty_find(t, "keys in context", NULL, NULL),
		  "form: 5, q and ? are typed into the field (tab %s)", tab);
	free(tab);

	/* the form's help lists only keys that work there */
	pty_key(t, "F1");
	pty_wait_text(t, "keys in context \"entry\"", 3000);
	pty_settle(t, 100, 2000);
	bool first = !pty_find(t, "tab-", NULL, NULL) && !pty_find(t, "F1 ?", NULL, NULL) &&
		     !pty_find(t, "F10 q", NULL, NULL) && pty_find(t, "F10 C-c", NULL, NULL);
	pty_key(t, "End");
	pty_settle(t, 100, 2000);
	pty_check(t, first && !pty_find(t, "tab-", NULL, NULL) &&
		  !pty_find(t, "prev-subtab", NULL, NULL) && !pty_find(t, "filter", NULL, NULL) &&
		  pty_find(t, "save-wip", NULL, NULL),
		  "form help: no tab switches or typed-character keys, save-wip listed");
	pty_key(t, "Esc");
	pty_wait_gone(t, "keys in context", 3000);

	/* quitting with typed values not stored asks first */
	pty_key(t, "F10");
	pty_expect(t, "Quit? What you typed is not stored", 3000, "F10 with typed values asks first");
	pty_key(t, "n");
	pty_settle(t, 100, 2000);
	pty_check(t, !pty_exited(t, NULL) && pty_find(t, "5q?", NULL, NULL),
		  "n: still in the form with the typed text");
	pty_key(t, "C-c");
	pty_wait_text(t, "Quit?", 3000);
	pty_key(t, "y");
	int status;
	pty_check(t, pty_wait_exit(t, 5000, &status) && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0, "C-c then y quits");
	pty_close(&t);
}

/* TERM=vt100: its terminfo knows no ESC [ n ~ keys, but terminals send
 * them; F6 in the form saves and stays there. */
static void vt100_fkeys_in_form(void)
{
	struct pty_opts o = { .term = "vt100" };
	struct pty_term *t = to_minor_surgery(&o, false);
	pty_move_to(t, "Down", "31/03/2025*");
	pty_key(t, "Enter");
	pty_wait_text(t, "MS-MI", 5000);
	pty_key(t, "Enter");
	pty_wait_text(t, "MS Minor surgery procedures (Payment)", 5000);
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, "3");
	pty_send(t, "\033[17~"); /* F6 as xterm sends it */
	pty_expect(t, "Work in progress saved for MS", 5000, "TERM=vt100: F6 (ESC [ 17 ~) saves");
	char *tab = pty_active_item(t, PTY_TAB_ROW);
	pty_check(t, strcmp(tab, "Data") == 0 &&
		  pty_find(t, "MS Minor surgery procedures (Payment)", NULL, NULL),
		  "TERM=vt100: F6 stays in the form (tab %s)", tab);
	free(tab);
	/* PgDn as xterm sends it, and F1 as SS3 */
	pty_send(t, "\033[6~");
	pty_settle(t, 100, 2000);
	tab = pty_active_item(t, PTY_TAB_ROW);
	pty_check(t, strcmp(tab, "Data") == 0, "TERM=vt100: PgDn (ESC [ 6 ~) is not tab 6");
	free(tab);
	pty_send(t, "\033OP");
	pty_expect(t, "keys in context \"entry\"", 3000, "TERM=vt100: F1 (ESC O P) is help");
	pty_close(&t);
}

/* A lone Esc acts within the Esc delay (25 ms), and an arrow split in
 * two writes 60 ms apart is still an arrow. */
static void esc_timing(void)
{
	struct pty_term *t = pty_client_as(NULL, srv.url, "demo.practice");
	pty_key(t, "F1");
	pty_wait_text(t, "keys in context", 3000);
	pty_settle(t, 100, 2000);
	int64_t t0 = mono_ms();
	pty_key(t, "Esc");
	bool gone = pty_wait_gone(t, "keys in context", 2000);
	int64_t ms = mono_ms() - t0;
	pty_check(t, gone && ms < 300, "a lone Esc closes help in %lld ms (Esc delay 25 ms)",
		  (long long)ms);

	pty_key(t, "2");
	pty_wait_text(t, "Participation", 3000);
	pty_key(t, "f");
	pty_settle(t, 200, 3000);
	int before = popup_marker_row(t);
	pty_send(t, "\033[");
	pty_pump(t, 60);
	pty_send(t, "B");
	pty_settle(t, 150, 2000);
	int after = popup_marker_row(t);
	char *sub = pty_active_item(t, PTY_SUBTAB_ROW);
	pty_check(t, before > 0 && after == before + 1,
		  "ESC [ and B 60 ms apart: still Down in the drop-down (rows %d %d, %s)", before,
		  after, sub);
	free(sub);
	pty_close(&t);
}

/* C-z under an interactive bash with job control: the shell gets the
 * terminal back, `fg` brings cqrs back redrawn and reading keys. */
static void suspend_resume(void)
{
	if (access("/bin/bash", X_OK) != 0) {
		tap_skip("no /bin/bash", "C-z suspends to the shell");
		tap_skip("no /bin/bash", "fg resumes and redraws");
		return;
	}
	const char *argv[] = { "/bin/bash", "--norc", "--noprofile", "-i", NULL };
	const char *env[] = { "PS1=shell$ ", NULL };
	struct pty_opts o = { .env = env };
	struct pty_term *t = pty_spawn(&o, argv);
	pty_wait_text(t, "shell$", 5000);
	char *cmd = xasprintf("'%s' --server %s\r", getenv("CQRS"), srv.url);
	pty_send(t, cmd);
	free(cmd);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_send(t, "demo.prac");
	pty_settle(t, 100, 2000);
	pty_key(t, "C-z");
	int i = pty_wait_any(t, (const char *const[]){ "Stopped", NULL }, 5000);
	pty_check(t, i == 0 && pty_find(t, "shell$", NULL, NULL),
		  "C-z suspends cqrs: the shell says Stopped and prompts");
	pty_send(t, "fg\r");
	bool back = pty_wait_text(t, PTY_SIGNIN_READY, 5000);
	pty_send(t, "tice");
	pty_settle(t, 150, 2000);
	int r = -1;
	pty_find(t, "User ID:", &r, NULL);
	pty_check(t, back && r >= 0 && pty_find_in_row(t, r, "demo.practice", NULL),
		  "fg resumes cqrs redrawn, the typed text kept and keys read again");
	pty_key(t, "F10");
	pty_wait_text(t, "shell$", 5000);
	pty_send(t, "exit\r");
	pty_close(&t);
}

static struct pty_term *demo_client(const struct pty_opts *o)
{
	const char *args[] = { "--demo", NULL };
	struct pty_term *t = pty_spawn_cqrs(o, args);
	if (!t)
		pty_bail("cannot run cqrs --demo");
	pty_wait_text(t, PTY_SIGNIN_READY, 20000);
	pty_settle(t, 100, 2000);
	return t;
}

static void sign_in_screen(void)
{
	/* --demo: the focus starts on User ID; the demo users are all on
	 * the screen at 80x24 and come from Space */
	struct pty_term *t = demo_client(NULL);
	pty_check(t, pty_find(t, "demo.cluster", NULL, NULL) &&
		  pty_find(t, "demo.practice", NULL, NULL),
		  "demo sign-in at 80x24: the list shows every demo user, demo.cluster too");
	pty_key(t, "Space");
	pty_expect(t, "Demo users (password", 3000, "Space on User ID lists the demo users");
	pty_check(t, pty_find(t, "|  demo.cluster", NULL, NULL) || pty_find(t, "|> demo.cluster", NULL, NULL)
		  || pty_find(t, "demo.cluster ", NULL, NULL), "the drop-down has demo.cluster");
	pty_key(t, "Esc");
	pty_settle(t, 100, 2000);
	pty_check(t, pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000),
		  "--demo: typing the user ID first signs in");
	pty_close(&t);

	/* Esc and C-c leave the sign-in screen */
	const char *args[] = { "--server", srv.url, NULL };
	const char *keys[] = { "Esc", "C-c" };
	for (int k = 0; k < 2; k++) {
		t = pty_spawn_cqrs(NULL, args);
		pty_wait_text(t, PTY_SIGNIN_READY, 10000);
		pty_settle(t, 100, 2000);
		pty_key(t, keys[k]);
		int status;
		pty_check(t, pty_wait_exit(t, 3000, &status) && WIFEXITED(status) &&
			  WEXITSTATUS(status) == 0, "%s leaves the sign-in screen", keys[k]);
		pty_close(&t);
	}

	/* 80x23 works: sign in and Home */
	struct pty_opts small = { .rows = 23 };
	t = demo_client(&small);
	pty_check(t, pty_find(t, "demo.cluster", NULL, NULL), "80x23: every demo user is listed");
	pty_check(t, pty_sign_in(t, "demo.pcn", PTY_DEMO_PASSWORD, 15000) &&
		  pty_wait_text(t, "Message Centre", 5000), "80x23: signing in shows Home");
	pty_close(&t);
}

/* Keys typed while the saved sign-in is checked are not run as commands. */
static void typeahead_while_checking(void)
{
	char *home = pty_mkdir("home");
	char *conf = xasprintf("%s/.config/cqrs/config", home);
	pty_write_file(conf, "token_file = yes\n");
	struct pty_opts o = { .home = home };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000);
	pty_key(t, "q");
	pty_wait_exit(t, 5000, NULL);
	pty_close(&t);

	t = pty_spawn_cqrs(&o, args);
	/* typed at once, out of habit: user, Tab, a password holding tab
	 * numbers and r, Enter */
	pty_send(t, "demo.practice\t5r2Terminal\r");
	pty_expect(t, PTY_SIGNED_IN "demo.practice", 10000, "the saved sign-in signs in");
	pty_settle(t, 200, 3000);
	char *tab = pty_active_item(t, PTY_TAB_ROW), *sub = pty_active_item(t, PTY_SUBTAB_ROW);
	pty_check(t, strcmp(tab, "Home") == 0 && strcmp(sub, "Message Centre") == 0 &&
		  pty_find(t, "keys typed while checking: not used.", NULL, NULL),
		  "keys typed meanwhile ran no command and the message says so (%s > %s)", tab, sub);
	free(tab);
	free(sub);
	pty_close(&t);
	free(conf);
	free(home);
}

/* LANG and LC_ALL = C (an SSH session without a locale): £ still shows
 * (C.UTF-8 is used) and typed non-ASCII text is kept. */
static void posix_locale(void)
{
	const char *env[] = { "LANG=C", "LC_ALL=C", NULL };
	struct pty_opts o = { .env = env };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_settle(t, 100, 2000);
	pty_send(t, "Caf\xc3\xa9 \xc2\xa3" "12 Zo\xc3\xab");
	pty_settle(t, 150, 2000);
	int r = -1;
	pty_find(t, "User ID:", &r, NULL);
	pty_check(t, r >= 0 && pty_find_in_row(t, r, "Caf\xc3\xa9 \xc2\xa3" "12 Zo\xc3\xab", NULL),
		  "POSIX locale: non-ASCII typed in one burst is kept whole");
	pty_close(&t);
	t = pty_client_as(&o, srv.url, "demo.practice");
	pty_key(t, "4");
	int i = pty_wait_any(t, (const char *const[]){ "\xc2\xa3", "GBP", NULL }, 8000);
	pty_check(t, i >= 0 && !pty_find(t, "??", NULL, NULL),
		  "POSIX locale: money shows %s, never ??", i == 0 ? "\xc2\xa3" : "GBP");
	pty_close(&t);
}

int main(void)
{
	pty_init(240);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	arrows_list_dropdown_form();
	vt100_fkeys_in_form();
	esc_timing();
	suspend_resume();
	sign_in_screen();
	typeahead_while_checking();
	posix_locale();
	pty_server_free(&srv);
	return pty_finish();
}
