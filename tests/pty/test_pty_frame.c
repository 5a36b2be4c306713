/* test_pty_frame.c: the frame of the real cqrs in a pseudo-terminal: the
 * help overlay (? and F1, on the sign-in screen and in a list, Esc and F1
 * close it), resizing to 100x30 and back with the state kept, a terminal
 * below 80x24 (at start and during a session), colours on a colour
 * terminal, and NO_COLOR and TERM=vt100 where bold, reverse, underline and
 * marker characters must say what colour says. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;

static struct pty_term *start(const struct pty_opts *o)
{
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(o, args);
	if (!t)
		pty_bail("cannot run cqrs");
	return t;
}

static struct pty_term *signed_in(const struct pty_opts *o, const char *user)
{
	struct pty_term *t = start(o);
	if (!pty_sign_in(t, user, PTY_DEMO_PASSWORD, 15000))
		tap_diag("could not sign in as %s", user);
	pty_wait_text(t, "Message Centre: your tasks", 5000);
	pty_settle(t, 150, 5000);
	return t;
}

/* The row holding the list cursor marker "> " at column 0 in the body,
 * or -1. */
static int cursor_row(struct pty_term *t)
{
	for (int r = 3; r < pty_rows(t) - 2; r++)
		if (pty_text_at(t, r, 0, "> "))
			return r;
	return -1;
}

static void help_overlay(void)
{
	struct pty_term *t = start(NULL);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_key(t, "F1");
	pty_expect(t, "Sign in: keys in context \"signin\"", 5000,
		   "F1 on the sign-in screen: help for the signin context (a form)");
	pty_key(t, "End");
	pty_check(t, pty_wait_text(t, "submit", 3000) && pty_find(t, "delete-back", NULL, NULL),
		  "the sign-in help lists the form's own actions too (End scrolls to them)");
	pty_key(t, "Esc");
	pty_check(t, pty_wait_gone(t, "closes this help", 3000) &&
		  pty_wait_text(t, PTY_SIGNIN_READY, 3000), "Esc closes the help");
	pty_close(&t);

	t = signed_in(NULL, "demo.practice");
	pty_key(t, "?");
	pty_expect(t, "Message Centre: keys in context \"tasks\"", 5000,
		   "? in the Message Centre: help for the tasks context (a list)");
	int r = -1;
	pty_find(t, "help ", &r, NULL);
	char *line = r >= 0 ? pty_row(t, r) : xstrdup("");
	pty_check(t, strstr(line, "F1 ?") && strstr(line, "Show the keys of the current screen"),
		  "each action is listed with its keys and help text (%s)", line);
	free(line);
	pty_check(t, pty_find(t, "move-down", NULL, NULL) || pty_find(t, "of 3", NULL, NULL) ||
		  pty_find(t, "1-", NULL, NULL), "the help is a scrollable list");
	pty_check(t, pty_find_in_row(t, PTY_FBAR_ROW(t), "Back", NULL),
		  "the function bar follows the help's context");
	pty_key(t, "Esc");
	pty_check(t, pty_wait_gone(t, "keys in context", 3000), "Esc closes the help");
	pty_check(t, pty_wait_text(t, "Message Centre: your tasks", 3000) &&
		  pty_find_in_row(t, PTY_FBAR_ROW(t), "Quit", NULL),
		  "the screen under the help is back intact");
	pty_key(t, "F1");
	pty_expect(t, "keys in context \"tasks\"", 5000, "F1 opens the help too");
	pty_key(t, "F1");
	pty_check(t, pty_wait_gone(t, "keys in context", 3000), "F1 closes it again");
	pty_close(&t);
}

static void resize(void)
{
	struct pty_term *t = signed_in(NULL, "demo.admin");
	/* Administration > Users: a list of the 13 users demo.admin manages. */
	pty_key(t, "6");
	pty_wait_text(t, "Users you administer", 5000);
	pty_wait_text(t, "of 14", 5000);
	pty_key(t, "Down");
	pty_key(t, "Down");
	pty_settle(t, 150, 3000);
	int before = cursor_row(t);
	char *item = before >= 0 ? pty_row(t, before) : xstrdup("?");

	pty_resize(t, 30, 100);
	bool big = pty_wait_text(t, "of 14", 5000);
	pty_settle(t, 150, 3000);
	int r = -1, c = -1;
	pty_find(t, "online", &r, &c);
	pty_check(t, big && r == PTY_TITLE_ROW && c == 100 - 7,
		  "100x30: the title spans 100 columns (state at column %d)", c);
	/* (the sign-in message was about another screen: gone since 6) */
	pty_check(t, pty_find_in_row(t, 29, "F10", NULL) && !pty_find_in_row(t, 23, "F10", NULL),
		  "100x30: the function bar at the new bottom");
	char *tab = pty_active_item(t, PTY_TAB_ROW), *sub = pty_active_item(t, PTY_SUBTAB_ROW);
	int now = cursor_row(t);
	char *item_now = now >= 0 ? pty_row(t, now) : xstrdup("");
	pty_check(t, strcmp(sub, "Users") == 0 && strstr(tab, "Admin") &&
		  strncmp(item_now, item, 10) == 0,
		  "100x30: same tab, sub-tab and list cursor (%s > %s)", tab, sub);
	free(tab);
	free(sub);
	free(item_now);

	pty_resize(t, 24, 80);
	pty_wait_text(t, "of 14", 5000);
	pty_settle(t, 150, 3000);
	pty_find(t, "online", &r, &c);
	now = cursor_row(t);
	item_now = now >= 0 ? pty_row(t, now) : xstrdup("");
	pty_check(t, r == 0 && c == 80 - 7 && now == before && strcmp(item_now, item) == 0 &&
		  pty_find_in_row(t, 23, "F10", NULL),
		  "back to 80x24: the same screen as before");
	free(item_now);

	/* Below 80x24 during a session, then back. */
	pty_resize(t, 24, 79);
	pty_expect(t, "needs at least 80x23", 5000, "79x24: a clear \"needs 80x23\" message");
	pty_check(t, pty_find(t, "79x24", NULL, NULL) && !pty_find(t, "Organisations", NULL, NULL),
		  "79x24: the message says the size and nothing else is drawn");
	pty_resize(t, 23, 80);
	pty_wait_gone(t, "needs at least", 5000);
	pty_expect(t, "of 14", 5000, "80x23 (tmux on an 80x24 terminal) is big enough");
	pty_resize(t, 24, 80);
	pty_wait_text(t, "of 14", 5000);
	pty_settle(t, 150, 3000);
	now = cursor_row(t);
	item_now = now >= 0 ? pty_row(t, now) : xstrdup("");
	char *tab2 = pty_active_item(t, PTY_TAB_ROW);
	pty_check(t, now == before && strcmp(item_now, item) == 0 && strstr(tab2, "Admin") &&
		  !pty_find(t, "needs at least", NULL, NULL),
		  "80x24 again: the session resumes where it was");
	free(tab2);
	free(item_now);
	free(item);
	pty_close(&t);

	/* Started in a small terminal. */
	struct pty_opts o = { .rows = 20, .cols = 70 };
	t = start(&o);
	pty_expect(t, "cqrs needs at least 80x23: this terminal is 70x20.", 10000,
		   "started at 70x20: the \"needs 80x23\" message");
	/* keys typed meanwhile are kept for the screen that comes */
	pty_send(t, "demo.practice");
	pty_settle(t, 100, 1000);
	pty_resize(t, 24, 80);
	pty_expect(t, PTY_SIGNIN_READY, 5000, "enlarged to 80x24: the sign-in screen");
	r = -1;
	pty_find(t, "User ID:", &r, NULL);
	pty_check(t, r >= 0 && pty_find_in_row(t, r, "demo.practice", NULL),
		  "what was typed while the window was too small is in the User ID");
	pty_close(&t);
}

/* Checks the signed-in Home screen for meaning without colour: the
 * active tab and sub-tab, the list cursor, the title and the keys. */
static void monochrome_checks(struct pty_term *t, const char *what)
{
	pty_check(t, !pty_any_colour(t), "%s: no cell has a colour", what);
	int r, c;
	struct pty_cell cell;
	pty_find(t, "[1 Home]", &r, &c);
	pty_cell(t, r, c + 1, &cell);
	pty_check(t, r == PTY_TAB_ROW && (cell.reverse || cell.bold),
		  "%s: the active tab is bracketed and reverse/bold", what);
	pty_find(t, "[Message Centre]", &r, &c);
	pty_cell(t, r, c + 1, &cell);
	pty_check(t, r == PTY_SUBTAB_ROW && (cell.underline || cell.bold || cell.reverse),
		  "%s: the active sub-tab is bracketed and underlined/bold", what);
	int cr = cursor_row(t);
	pty_check(t, cr > 0, "%s: the list cursor is marked with \">\"", what);
	pty_cell(t, PTY_TITLE_ROW, 2, &cell);
	pty_check(t, cell.reverse, "%s: the title line is in reverse video", what);
	pty_find_in_row(t, PTY_FBAR_ROW(t), "F1", &c);
	pty_cell(t, PTY_FBAR_ROW(t), c, &cell);
	pty_check(t, cell.reverse, "%s: function keys in the bar are in reverse video", what);
}

static void colours(void)
{
	struct pty_term *t = signed_in(NULL, "demo.view");
	struct pty_cell cell;
	pty_cell(t, PTY_TITLE_ROW, 2, &cell);
	pty_check(t, cell.bg != PTY_DEFAULT && pty_any_colour(t),
		  "xterm-256color: the title line has a background colour (%d)", cell.bg);
	pty_close(&t);

	struct pty_opts nc = { .no_color = true };
	t = signed_in(&nc, "demo.practice");
	monochrome_checks(t, "NO_COLOR");
	pty_key(t, "3");
	pty_wait_text(t, "Services you take part in", 3000);
	pty_settle(t, 150, 3000);
	pty_check(t, !pty_any_colour(t), "NO_COLOR: still no colour on another tab");
	pty_close(&t);

	struct pty_opts vt = { .term = "vt100" };
	t = signed_in(&vt, "demo.practice");
	monochrome_checks(t, "TERM=vt100");
	pty_key(t, "F1");
	pty_expect(t, "keys in context", 5000, "TERM=vt100: F1 (SS3 P) opens the help");
	pty_key(t, "Esc");
	pty_wait_gone(t, "keys in context", 3000);
	pty_close(&t);
}

int main(void)
{
	pty_init(150);
	tap_plan(37);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	help_overlay();
	resize();
	colours();
	pty_server_free(&srv);
	return pty_finish();
}
