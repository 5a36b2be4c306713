/* test_pty_keymap.c: user key bindings and configuration in the real
 * cqrs. A keymap file with bad lines is reported as file:line on the
 * message line, the client still starts, and the good lines still apply
 * (a new binding works and shows in the help; an unbind takes a key away).
 * A bad line in the config file is reported the same way while the good
 * lines (keymap = vi) apply. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;

static void keymap_file(void)
{
	char *home = pty_mkdir("home");
	char *path = xasprintf("%s/.config/cqrs/keymap", home);
	pty_write_file(path, "# my keys\n"
			     "bind global z help\n"
			     "bind global F13 quit\n"
			     "bind nowhere y quit\n"
			     "unbind global q\n");
	struct pty_opts o = { .home = home };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_expect(t, "cqrs/keymap:3:", 10000, "a bad keymap line is reported as file:line");
	pty_check(t, pty_find(t, PTY_SIGNIN_READY, NULL, NULL) &&
		  pty_find_in_row(t, PTY_MSG_ROW(t), "keymap:3:", NULL),
		  "the client still starts (sign-in screen), the error on the message line");
	if (!pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000))
		pty_bail("cannot sign in");
	pty_wait_text(t, "of 3", 5000);
	pty_key(t, "z");
	pty_expect(t, "keys in context", 5000, "a good line applies: z opens the help");
	int r = -1;
	pty_find(t, "Show the keys of the current screen", &r, NULL);
	char *row = r >= 0 ? pty_row(t, r) : xstrdup("");
	pty_check(t, strstr(row, " z ") != NULL, "the help, read from the live keymap, lists z (%s)",
		  row);
	free(row);
	pty_key(t, "Esc");
	pty_wait_gone(t, "closes this help", 3000);
	pty_key(t, "q");
	pty_pump(t, 500);
	pty_check(t, !pty_exited(t, NULL) && pty_find(t, "Message Centre", NULL, NULL),
		  "unbind global q: q no longer quits");
	pty_key(t, "F10");
	pty_check(t, pty_wait_exit(t, 5000, NULL), "F10 still quits");
	pty_close(&t);
	free(path);
	free(home);
}

static void config_file(void)
{
	char *home = pty_mkdir("home");
	char *path = xasprintf("%s/.config/cqrs/config", home);
	pty_write_file(path, "keymap = vi\nescdelay = forever\n");
	struct pty_opts o = { .home = home };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_expect(t, "cqrs/config:2:", 10000, "a bad config line is reported as file:line");
	if (!pty_sign_in(t, "demo.view", PTY_DEMO_PASSWORD, 15000))
		pty_bail("cannot sign in");
	pty_settle(t, 150, 3000);
	pty_key(t, "L");
	pty_wait_text(t, "[2 Participation", 5000);
	char *tab = pty_active_item(t, PTY_TAB_ROW);
	pty_check(t, strncmp(tab, "Participation", 13) == 0,
		  "the good line applies: keymap = vi, L goes to the next tab (%s)", tab);
	free(tab);
	pty_close(&t);
	free(path);
	free(home);
}

int main(void)
{
	pty_init(90);
	tap_plan(8);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	keymap_file();
	config_file();
	pty_server_free(&srv);
	return pty_finish();
}
