/* test_pty_signin.c: the real cqrs signing in to a real cqrsd in a
 * pseudo-terminal: a good sign-in (masked password, the frame after it,
 * q quits cleanly), a wrong password, an account locked after five
 * failures, an unreachable server (a closed port), `cqrs --demo` with its
 * pick-list of demo users (and its server stopped on exit), and --help and
 * --version. */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/pty/pty.h"

static struct pty_server srv;

static struct pty_term *client(const char *url)
{
	const char *args[] = { "--server", url, NULL };
	struct pty_term *t = pty_spawn_cqrs(NULL, args);
	if (!t)
		pty_bail("cannot run cqrs");
	return t;
}

/* Replaces the content of the focused field (the password after a failed
 * attempt) and submits. */
static void retype_and_submit(struct pty_term *t, const char *text)
{
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, text);
	pty_key(t, "Enter");
}

static void good_sign_in(void)
{
	struct pty_term *t = client(srv.url);
	pty_expect(t, PTY_SIGNIN_READY, 10000, "sign-in screen appears");
	pty_check(t, pty_find_in_row(t, PTY_TITLE_ROW, "sign in", NULL) &&
		  pty_find_in_row(t, PTY_TITLE_ROW, srv.url, NULL),
		  "the title line says sign in and names the server");
	pty_send(t, "demo.practice");
	pty_key(t, "Tab");
	pty_send(t, PTY_DEMO_PASSWORD);
	pty_wait_text(t, "demo.practice", 3000);
	pty_settle(t, 200, 2000);
	int r, c;
	bool masked = pty_find(t, "Password:", &r, &c) &&
		      !pty_find(t, PTY_DEMO_PASSWORD, NULL, NULL) &&
		      !pty_find(t, "Terminal", NULL, NULL);
	char *row = pty_row(t, r);
	size_t stars = 0;
	for (const char *p = row; *p; p++)
		stars += *p == '*';
	free(row);
	pty_check(t, masked && stars == strlen(PTY_DEMO_PASSWORD),
		  "the password is masked (%zu mask characters)", stars);
	pty_key(t, "Enter");
	pty_expect(t, PTY_SIGNED_IN "demo.practice (Priya Shah).", 10000,
		   "good password: signed in message");
	pty_check(t, pty_find_in_row(t, PTY_TITLE_ROW, "demo.practice", NULL) &&
		  pty_find_in_row(t, PTY_TITLE_ROW, "A81001", NULL) &&
		  pty_find_in_row(t, PTY_TITLE_ROW, "online", NULL),
		  "title shows user, organisation and online");
	char *tab = pty_active_item(t, PTY_TAB_ROW), *sub = pty_active_item(t, PTY_SUBTAB_ROW);
	pty_check(t, strcmp(tab, "Home") == 0 && strcmp(sub, "Message Centre") == 0,
		  "lands on Home > Message Centre (got %s > %s)", tab, sub);
	free(tab);
	free(sub);
	pty_expect(t, "Message Centre: your tasks", 5000, "the Message Centre lists tasks");
	pty_key(t, "q");
	int status = -1;
	bool gone = pty_wait_exit(t, 5000, &status);
	pty_check(t, gone && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		  "q quits with status 0 (status 0x%x)", status);
	pty_close(&t);
}

static void wrong_password(void)
{
	struct pty_term *t = client(srv.url);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_send(t, "demo.view");
	pty_key(t, "Tab");
	pty_send(t, "Not-the-password-1");
	pty_key(t, "Enter");
	pty_expect(t, "Wrong user ID or password.", 10000, "wrong password: clear message");
	int r = -1, c = -1;
	pty_find(t, "Error:", &r, &c);
	struct pty_cell cell;
	pty_cell(t, r, c, &cell);
	pty_check(t, r == PTY_MSG_ROW(t) && cell.bold && cell.bg != PTY_DEFAULT,
		  "the message is on the message line marked \"Error:\" in the error style");
	pty_check(t, pty_find(t, PTY_SIGNIN_READY, NULL, NULL) &&
		  pty_find(t, "demo.view", NULL, NULL) &&
		  !pty_find_in_row(t, PTY_TITLE_ROW, "demo.view", NULL),
		  "still on the sign-in screen, user ID kept, not signed in");
	/* Correct it in place: the form keeps what was typed. */
	retype_and_submit(t, PTY_DEMO_PASSWORD);
	pty_expect(t, PTY_SIGNED_IN "demo.view", 10000, "correcting the password signs in");
	pty_close(&t);
}

static void locked_account(void)
{
	struct pty_term *t = client(srv.url);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_send(t, "demo.finance");
	pty_key(t, "Tab");
	/* Five failures in a row lock the account: the fifth answer or the
	 * sixth says so, never an earlier one. */
	int attempts = 0;
	bool locked = false;
	const char *answers[] = { "Wrong user ID or password.", "Account locked", NULL };
	for (int i = 1; i <= 6 && !locked; i++) {
		char pw[32];
		snprintf(pw, sizeof pw, "Wrong-%d", i);
		retype_and_submit(t, pw);
		/* The message goes to "Signing in..." and back. */
		pty_wait_gone(t, "Wrong user ID or password.", 2000);
		int got = pty_wait_any(t, answers, 10000);
		if (got < 0)
			break;
		attempts = i;
		locked = got == 1;
	}
	pty_check(t, locked && (attempts == 5 || attempts == 6),
		  "wrong passwords are refused, then the account is locked (after %d)", attempts);
	retype_and_submit(t, PTY_DEMO_PASSWORD);
	pty_expect(t, "Account locked", 10000,
		   "the sixth attempt, even with the right password: account locked");
	pty_expect_not(t, PTY_SIGNED_IN, "a locked account is not signed in");
	pty_close(&t);
}

static void unreachable(void)
{
	int port = pty_closed_port();
	char *url = xasprintf("http://127.0.0.1:%d", port);
	struct pty_term *t = client(url);
	pty_expect(t, PTY_SIGNIN_READY, 10000, "closed port: the sign-in screen still appears");
	pty_send(t, "demo.practice");
	pty_key(t, "Tab");
	pty_send(t, PTY_DEMO_PASSWORD);
	pty_key(t, "Enter");
	char *want = xasprintf("Cannot reach the server at %s", url);
	pty_expect(t, want, 15000, "closed port: \"cannot reach the server\" message");
	pty_check(t, pty_find_in_row(t, PTY_TITLE_ROW, "OFFLINE", NULL) ||
		  pty_find_in_row(t, PTY_TITLE_ROW, "online", NULL),
		  "the title line shows the connection state");
	pty_key(t, "F10");
	pty_check(t, pty_wait_exit(t, 5000, NULL), "F10 quits even while the server is unreachable");
	free(want);
	free(url);
	pty_close(&t);
}

/* True when something accepts connections on the loopback port. */
static bool port_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static void demo_mode(void)
{
	const char *args[] = { "--demo", NULL };
	struct pty_term *t = pty_spawn_cqrs(NULL, args);
	pty_expect(t, "Demo users (password " PTY_DEMO_PASSWORD, 20000,
		   "--demo: the sign-in screen lists the demo users");
	/* at 80x24 all eleven, none cut off (their roles are in the F4 list) */
	pty_check(t, pty_find(t, "demo.cluster", NULL, NULL) &&
		  pty_find(t, "demo.commissioner", NULL, NULL) &&
		  pty_find(t, "demo.admin", NULL, NULL) &&
		  pty_find(t, "demo.practiceadmin", NULL, NULL) &&
		  pty_find(t, "demo.qofview", NULL, NULL) &&
		  pty_find_in_row(t, PTY_TITLE_ROW, "(demo)", NULL),
		  "--demo: every demo user shown at 80x24, title says demo");
	int port = 0;
	char *title = pty_row(t, PTY_TITLE_ROW);
	const char *p = strstr(title, "http://127.0.0.1:");
	if (p)
		port = atoi(p + strlen("http://127.0.0.1:"));
	free(title);
	pty_key(t, "Space");
	pty_expect(t, "|> demo.practice", 5000, "--demo: Space opens the pick-list");
	pty_check(t, pty_find(t, "|  demo.cluster", NULL, NULL),
		  "--demo: the pick-list offers all eight demo users");
	pty_key(t, "Down");
	pty_key(t, "Down");
	pty_key(t, "Enter");
	pty_expect(t, "Press Enter to sign in as demo.pcn.", 5000,
		   "--demo: picking demo.pcn fills the form");
	pty_key(t, "Enter");
	pty_expect(t, PTY_SIGNED_IN "demo.pcn", 10000, "--demo: Enter signs in as the picked user");
	pty_check(t, port > 0 && port_open(port), "--demo: the bundled server listens (port %d)",
		  port);
	pty_key(t, "q");
	pty_check(t, pty_wait_exit(t, 10000, NULL), "--demo: q quits");
	pty_check(t, port > 0 && !port_open(port), "--demo: the bundled server stopped on exit");
	pty_close(&t);
}

static void help_and_version(void)
{
	const char *v[] = { "--version", NULL };
	struct pty_term *t = pty_spawn_cqrs(NULL, v);
	pty_expect(t, PACKAGE_VERSION, 5000, "--version prints %s", PACKAGE_VERSION);
	int status = -1;
	pty_check(t, pty_wait_exit(t, 5000, &status) && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0, "--version exits 0");
	pty_close(&t);
	const char *h[] = { "--help", NULL };
	t = pty_spawn_cqrs(NULL, h);
	pty_expect(t, "--server URL", 5000, "--help describes the options");
	pty_check(t, pty_wait_exit(t, 5000, &status) && WIFEXITED(status) &&
		  WEXITSTATUS(status) == 0, "--help exits 0");
	pty_close(&t);
}

int main(void)
{
	pty_init(150);
	tap_plan(32);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	good_sign_in();
	wrong_password();
	locked_account();
	unreachable();
	demo_mode();
	help_and_version();
	pty_server_free(&srv);
	return pty_finish();
}
