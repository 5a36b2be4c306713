/* test_pty_offline.c: the server goes away under the real cqrs and comes
 * back on the same port with the same database. The title line must say
 * OFFLINE (in a style that also works without colour), the screen must
 * stay responsive, nothing the user typed may be lost (a list search on
 * Home, a filled-in sign-in form), and work must resume by itself when
 * the server returns. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;


static void mid_session(void)
{
	struct pty_opts o = { .no_color = true };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	if (!pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000))
		pty_bail("cannot sign in");
	pty_wait_text(t, "of 3", 5000);

	pty_server_kill(&srv);
	/* Typed while the server is down: a search in the Home list. */
	pty_key(t, "/");
	pty_send(t, "Declar");
	pty_expect(t, "Search: Declar", 3000, "server down: the list search still takes typing");
	pty_key(t, "Enter");
	pty_settle(t, 100, 2000);
	int r = -1;
	pty_find(t, "Declaration due", &r, NULL);
	pty_check(t, r > 0 && pty_text_at(t, r, 0, "> "),
		  "server down: the search moved the cursor to the matching task");

	/* A tab that needs the server. */
	pty_key(t, "3");
	bool offline = pty_wait_title(t, "OFFLINE", 10000);
	pty_check(t, offline, "server down: the title line says OFFLINE");
	int c = -1;
	pty_find_in_row(t, PTY_TITLE_ROW, "OFFLINE", &c);
	struct pty_cell cell;
	pty_cell(t, PTY_TITLE_ROW, c, &cell);
	pty_check(t, c > 0 && (cell.bold || cell.underline || cell.reverse || cell.blink),
		  "OFFLINE is emphasised without colour (NO_COLOR)");
	/* Still responsive: the help opens and closes while offline. */
	pty_key(t, "?");
	bool help = pty_wait_text(t, "keys in context", 3000);
	pty_key(t, "Esc");
	help = help && pty_wait_gone(t, "closes this help", 3000);
	pty_check(t, help, "server down: the screen stays responsive (help opens and closes)");

	if (!pty_server_restart(&srv))
		pty_bail("cannot restart cqrsd on port %d", srv.port);
	pty_check(t, pty_wait_title(t, "online", 30000) && !pty_find_in_row(t, PTY_TITLE_ROW, "OFFLINE", NULL),
		  "server back on the same port: the title says online again");
	pty_expect(t, "Services you take part in", 20000,
		   "the tab asked for while offline loads by itself");
	pty_key(t, "1");
	pty_wait_text(t, "Message Centre: your tasks", 5000);
	pty_settle(t, 150, 3000);
	pty_find(t, "Declaration due", &r, NULL);
	pty_check(t, r > 0 && pty_text_at(t, r, 0, "> ") && pty_find(t, "Search: Declar", NULL, NULL),
		  "back on Home: the search typed while offline is still there");
	pty_check(t, !pty_find(t, PTY_SIGNIN_READY, NULL, NULL) &&
		  pty_find_in_row(t, PTY_TITLE_ROW, "demo.practice", NULL),
		  "still signed in after the restart (the token survived in the database)");
	pty_close(&t);
}

static void sign_in_form(void)
{
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(NULL, args);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_server_kill(&srv);
	pty_send(t, "demo.view");
	pty_key(t, "Tab");
	pty_send(t, PTY_DEMO_PASSWORD);
	pty_key(t, "Enter");
	pty_expect(t, "Cannot reach the server", 15000, "sign-in with the server down: clear message");
	if (!pty_server_restart(&srv))
		pty_bail("cannot restart cqrsd on port %d", srv.port);
	/* The form still holds what was typed: Enter alone signs in. */
	pty_key(t, "Enter");
	pty_expect(t, PTY_SIGNED_IN "demo.view", 15000,
		   "server back: Enter alone signs in with what was typed");
	pty_close(&t);
}

int main(void)
{
	pty_init(180);
	tap_plan(11);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	mid_session();
	sign_in_form();
	pty_server_free(&srv);
	return pty_finish();
}
