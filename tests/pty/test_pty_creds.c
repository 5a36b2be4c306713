/* test_pty_creds.c: where the real cqrs keeps its sign-in token when no
 * Secret Service is reachable. Without D-Bus (as over SSH) it must simply
 * work with the token in memory (nothing on disk, sign in again next
 * time); a D-Bus address that is dead or never answers must not hang it;
 * with `token_file = yes` the token goes to a 0600 file under
 * $XDG_STATE_HOME/cqrs/ (never the password), the next start is signed in
 * already, and signing out revokes the token on the server and forgets it.
 * The keyring case is test_pty_keyring. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

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

/* The first run of 64 hex digits in text, or NULL. Caller frees. */
static char *find_token(const char *text)
{
	for (const char *p = text; p && *p; p++) {
		size_t n = strspn(p, "0123456789abcdef");
		if (n == 64)
			return xstrndup(p, 64);
		if (n)
			p += n - 1;
	}
	return NULL;
}

/* GET /api/v1/me with token: the HTTP status. */
static long me_status(const char *token)
{
	struct server s;
	memset(&s, 0, sizeof s);
	strlcpy_s(s.base, srv.url, sizeof s.base);
	struct http_resp r;
	http_get(&s, "/api/v1/me", token, &r);
	long st = r.status;
	http_resp_free(&r);
	return st;
}

/* Opens Home > My Account and returns whether it names store. */
static bool account_says(struct pty_term *t, const char *store)
{
	pty_key(t, "1");
	pty_key(t, "]");
	char *want = xasprintf("Sign-in token kept in: %s", store);
	bool ok = pty_wait_text(t, want, 5000);
	free(want);
	return ok;
}

static void no_dbus(void)
{
	char *home = pty_mkdir("home");
	struct pty_opts o = { .home = home };
	int64_t t0 = mono_ms();
	struct pty_term *t = start(&o);
	bool up = pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_check(t, up && mono_ms() - t0 < 3000, "no D-Bus: the sign-in screen comes at once (%lld ms)",
		  (long long)(mono_ms() - t0));
	pty_check(t, pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000),
		  "no D-Bus: signing in works");
	pty_check(t, account_says(t, "memory only"), "no D-Bus: My Account says the token is in memory only");
	pty_check(t, !pty_find(t, "GLib", NULL, NULL) && !pty_find(t, "DBus", NULL, NULL) &&
		  !pty_find(t, "D-Bus", NULL, NULL) && !pty_find(t, "libsecret", NULL, NULL),
		  "no D-Bus: no GLib or D-Bus message reached the screen");
	char *path = xasprintf("%s/.local/state/cqrs/token", home);
	struct stat st;
	pty_check(t, stat(path, &st) < 0 && errno == ENOENT, "no D-Bus: nothing written to %s", path);
	pty_key(t, "q");
	pty_wait_exit(t, 5000, NULL);
	pty_close(&t);
	t = start(&o);
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_pump(t, 1000);
	pty_check(t, pty_find(t, PTY_SIGNIN_READY, NULL, NULL) && !pty_find(t, PTY_SIGNED_IN, NULL, NULL),
		  "no D-Bus: the next start asks to sign in again (the token was in memory)");
	pty_close(&t);
	free(path);
	free(home);
}

static void dead_dbus(void)
{
	/* A bus address whose socket does not exist. */
	char *dir = pty_mkdir("bus");
	char *addr = xasprintf("unix:path=%s/missing", dir);
	struct pty_opts o = { .dbus = addr };
	int64_t t0 = mono_ms();
	struct pty_term *t = start(&o);
	bool up = pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_check(t, up && mono_ms() - t0 < 3000,
		  "dead D-Bus address: the sign-in screen comes at once (%lld ms)",
		  (long long)(mono_ms() - t0));
	pty_close(&t);
	free(addr);

	/* A bus that accepts the connection and never says a word. */
	char *sock = xasprintf("%s/stuck", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un un;
	memset(&un, 0, sizeof un);
	un.sun_family = AF_UNIX;
	strlcpy_s(un.sun_path, sock, sizeof un.sun_path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof un) < 0 || listen(fd, 8) < 0)
		pty_bail("cannot make a stuck bus socket at %s: %s", sock, strerror(errno));
	addr = xasprintf("unix:path=%s", sock);
	o.dbus = addr;
	t0 = mono_ms();
	t = start(&o);
	up = pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	int64_t took = mono_ms() - t0;
	pty_check(t, up && took < 4000,
		  "D-Bus that never answers: the probe gives up and the client starts (%lld ms)",
		  (long long)took);
	pty_check(t, pty_sign_in(t, "demo.view", PTY_DEMO_PASSWORD, 15000) &&
		  account_says(t, "memory only"),
		  "D-Bus that never answers: signing in works, token in memory");
	pty_close(&t);
	close(fd);
	free(addr);
	free(sock);
	free(dir);
}

static void token_file(void)
{
	char *home = pty_mkdir("home");
	char *cfg = xasprintf("%s/.config/cqrs/config", home);
	pty_write_file(cfg, "token_file = yes\n");
	char *path = xasprintf("%s/.local/state/cqrs/token", home);
	struct pty_opts o = { .home = home };
	struct pty_term *t = start(&o);
	pty_check(t, pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000),
		  "token_file = yes: signing in works");
	/* The path may be cut at the right edge: what is shown must be the
	 * start of it. */
	char *store = xasprintf("Sign-in token kept in: file %s", path);
	int r = -1;
	pty_key(t, "1");
	pty_key(t, "]");
	pty_wait_text(t, "Sign-in token kept in: file /", 5000);
	pty_find(t, "Sign-in token kept in: file /", &r, NULL);
	char *shown = r >= 0 ? pty_row(t, r) : xstrdup("");
	pty_check(t, r >= 0 && strlen(shown) > 30 && strncmp(store, shown, strlen(shown)) == 0,
		  "token_file = yes: My Account names the file");
	free(shown);
	free(store);
	struct stat st;
	memset(&st, 0, sizeof st);
	bool exists = stat(path, &st) == 0;
	char *text = pty_read_file(path);
	char *token = text ? find_token(text) : NULL;
	pty_check(t, exists && (st.st_mode & 0777) == 0600 && token &&
		  !strstr(text, PTY_DEMO_PASSWORD),
		  "the token file is 0600 and holds a token, not the password (mode %o)",
		  (unsigned)(st.st_mode & 0777));
	pty_check(t, token && me_status(token) == 200, "the saved token is the live one");
	pty_key(t, "q");
	pty_wait_exit(t, 5000, NULL);
	pty_close(&t);

	t = start(&o);
	pty_expect(t, PTY_SIGNED_IN "demo.practice", 10000,
		   "the next start is signed in already from the file");
	pty_key(t, "F9");
	pty_expect(t, "Sign out?", 5000, "F9 asks before signing out");
	pty_key(t, "y");
	pty_expect(t, "Signed out: the server has revoked your token.", 10000, "y signs out");
	pty_check(t, pty_wait_text(t, PTY_SIGNIN_READY, 5000), "back on the sign-in screen");
	char *after = pty_read_file(path);
	pty_check(t, !after || !token || !strstr(after, token),
		  "signing out forgets the token on disk");
	pty_check(t, token && me_status(token) == 401, "the server refuses the revoked token");
	free(after);
	pty_close(&t);
	free(text);
	free(token);
	free(path);
	free(cfg);
	free(home);
}

int main(void)
{
	pty_init(120);
	tap_plan(19);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	no_dbus();
	dead_dbus();
	token_file();
	pty_server_free(&srv);
	return pty_finish();
}
