/* test_pty_keyring.c: the real cqrs with a reachable, unlocked Secret
 * Service. The test re-runs itself inside a private `dbus-run-session`,
 * starts `gnome-keyring-daemon --foreground --unlock --components=secrets`
 * there (password on stdin, keyring files in the test's temporary
 * directory), signs in, and checks through libsecret that the token (never
 * the password) is in the keyring under the client's schema, that the
 * next start is signed in from it, and that signing out removes it and
 * revokes it on the server. When dbus-run-session, gnome-keyring or
 * libsecret is missing, or the keyring cannot run here, every case is
 * SKIPped with the reason. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "tests/pty/pty.h"

#define NCASES 12

static void skip_all(const char *reason)
{
	tap_plan(NCASES);
	for (int i = 0; i < NCASES; i++)
		tap_skip(reason, "keyring case %d", i + 1);
}

/* True when prog is an executable on PATH. */
static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy = xstrdup(path ? path : "/usr/bin:/bin");
	bool found = false;
	for (char *dir = strtok(copy, ":"); dir && !found; dir = strtok(NULL, ":")) {
		char *p = xasprintf("%s/%s", dir, prog);
		found = access(p, X_OK) == 0;
		free(p);
	}
	free(copy);
	return found;
}

#ifdef HAVE_LIBSECRET

/* The client's schema (client/creds.c): the token, keyed by server URL
 * and user ID. */
static const SecretSchema token_schema = {
	"uk.nhs.cqrs.Token", SECRET_SCHEMA_NONE,
	{
		{ "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "user", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
	0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

static struct pty_server srv;

/* Starts gnome-keyring-daemon in the foreground with its files under dir
 * and the password on stdin. Returns its pid, or -1. */
static pid_t start_keyring(const char *dir)
{
	int in[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return -1;
	char *share = xasprintf("%s/share", dir);
	char *run = xasprintf("%s/run", dir);
	mkdir(share, 0700);
	mkdir(run, 0700);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		int nul = open("/dev/null", O_WRONLY);
		if (nul >= 0) {
			dup2(nul, STDOUT_FILENO);
			dup2(nul, STDERR_FILENO);
		}
		setenv("HOME", dir, 1);
		setenv("XDG_DATA_HOME", share, 1);
		setenv("XDG_RUNTIME_DIR", run, 1);
		execlp("gnome-keyring-daemon", "gnome-keyring-daemon", "--foreground", "--unlock",
		       "--components=secrets", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	if (pid > 0) {
		pty_track_child(pid);
		if (write(in[1], "test-keyring-pw", 15) != 15)
			tap_diag("could not give gnome-keyring its password");
	}
	close(in[1]);
	free(share);
	free(run);
	return pid;
}

/* True once the keyring we started owns org.freedesktop.secrets. Asked
 * of the bus itself, so that D-Bus activation never starts another
 * keyring daemon (with the real HOME) behind our back. */
static bool secrets_owned(void)
{
	GError *err = NULL;
	GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SESSION, NULL, &err);
	if (!bus) {
		g_error_free(err);
		return false;
	}
	GVariant *v = g_dbus_connection_call_sync(
		bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
		"NameHasOwner", g_variant_new("(s)", "org.freedesktop.secrets"),
		G_VARIANT_TYPE("(b)"), G_DBUS_CALL_FLAGS_NONE, 2000, NULL, &err);
	gboolean owned = FALSE;
	if (v) {
		g_variant_get(v, "(b)", &owned);
		g_variant_unref(v);
	} else {
		g_error_free(err);
	}
	g_object_unref(bus);
	return owned;
}

/* Waits up to ms for the default collection to answer unlocked. */
static bool keyring_ready(int ms, char *why, size_t whylen)
{
	int64_t deadline = mono_ms() + ms;
	snprintf(why, whylen, "gnome-keyring-daemon did not take the Secret Service name");
	while (!secrets_owned()) {
		if (mono_ms() > deadline)
			return false;
		usleep(50 * 1000);
	}
	for (;;) {
		GError *err = NULL;
		SecretService *svc = secret_service_get_sync(SECRET_SERVICE_OPEN_SESSION, NULL, &err);
		if (svc) {
			SecretCollection *col = secret_collection_for_alias_sync(
				svc, SECRET_COLLECTION_DEFAULT, SECRET_COLLECTION_NONE, NULL, &err);
			bool ok = col && !secret_collection_get_locked(col);
			if (col)
				g_object_unref(col);
			g_object_unref(svc);
			if (ok)
				return true;
			snprintf(why, whylen, "%s", err ? err->message : "the default collection is locked");
		} else {
			snprintf(why, whylen, "%s", err ? err->message : "no Secret Service");
		}
		if (err)
			g_error_free(err);
		if (mono_ms() > deadline)
			return false;
		usleep(100 * 1000);
	}
}

/* The token the keyring holds for the test server, or NULL. */
static char *keyring_token(void)
{
	GError *err = NULL;
	gchar *pw = secret_password_lookup_sync(&token_schema, NULL, &err, "server", srv.url,
						NULL);
	if (err) {
		tap_diag("libsecret lookup: %s", err->message);
		g_error_free(err);
	}
	char *out = pw ? xstrdup(pw) : NULL;
	if (pw)
		secret_password_free(pw);
	return out;
}

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

static void run(void)
{
	char *kdir = pty_mkdir("keyring");
	pid_t kpid = start_keyring(kdir);
	char why[256];
	if (kpid < 0 || !keyring_ready(8000, why, sizeof why)) {
		char *reason = xasprintf("gnome-keyring could not run in this sandbox (%s)",
					 kpid < 0 ? strerror(errno) : why);
		skip_all(reason);
		free(reason);
		free(kdir);
		return;
	}
	tap_plan(NCASES);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	char *home = pty_mkdir("home");
	struct pty_opts o = { .home = home, .dbus = getenv("DBUS_SESSION_BUS_ADDRESS") };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_check(t, pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000),
		  "keyring: signing in works");
	pty_key(t, "1");
	pty_key(t, "]");
	pty_expect(t, "Sign-in token kept in: keyring", 5000, "keyring: My Account says the keyring");
	char *token = keyring_token();
	pty_check(t, token && strlen(token) == 64 && strcmp(token, PTY_DEMO_PASSWORD) != 0,
		  "keyring: the token (not the password) is stored under uk.nhs.cqrs.Token");
	pty_check(t, token && me_status(token) == 200, "keyring: the stored token is the live one");
	char *file = xasprintf("%s/.local/state/cqrs/token", home);
	struct stat st;
	pty_check(t, stat(file, &st) < 0, "keyring: no token file is written");
	pty_key(t, "q");
	pty_wait_exit(t, 5000, NULL);
	pty_close(&t);

	/* An SSH session without D-Bus keeps its token in the file
	 * (token_file = yes); the keyring session's sign-out must remove it
	 * too, or the next session without D-Bus signs in by itself. */
	char *conf = xasprintf("%s/.config/cqrs/config", home);
	pty_write_file(conf, "token_file = yes\n");
	struct pty_opts nobus = { .home = home };
	t = pty_spawn_cqrs(&nobus, args);
	pty_check(t, pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000) &&
		  stat(file, &st) == 0, "keyring: a session without D-Bus writes the token file");
	pty_key(t, "q");
	pty_wait_exit(t, 5000, NULL);
	pty_close(&t);

	t = pty_spawn_cqrs(&o, args);
	pty_expect(t, PTY_SIGNED_IN "demo.practice", 10000,
		   "keyring: the next start is signed in from the keyring");
	pty_key(t, "F9");
	pty_wait_text(t, "Sign out?", 5000);
	pty_key(t, "y");
	pty_expect(t, "Signed out: the server has revoked your token.", 10000, "keyring: signing out");
	char *after = keyring_token();
	pty_check(t, !after || (token && strcmp(after, token) != 0),
		  "keyring: signing out removes the token from the keyring");
	pty_check(t, token && me_status(token) == 401, "keyring: the server refuses the old token");
	pty_check(t, stat(file, &st) < 0, "keyring: signing out removes the token file as well");
	pty_close(&t);
	t = pty_spawn_cqrs(&nobus, args);
	pty_expect(t, "User ID:", 10000, "keyring: the next session without D-Bus asks to sign in");
	pty_close(&t);
	free(conf);
	free(after);
	free(token);
	free(file);
	free(home);
	pty_server_free(&srv);
	kill(kpid, SIGTERM);
	waitpid(kpid, NULL, 0);
	pty_forget_child(kpid);
	free(kdir);
}
#endif

int main(int argc, char **argv)
{
	(void)argc;
#ifndef HAVE_LIBSECRET
	(void)argv;
	pty_init(30);
	skip_all("cqrs was built without libsecret");
	return pty_finish();
#else
	if (!getenv("CQRS_PTY_IN_BUS")) {
		if (!on_path("dbus-run-session") || !on_path("gnome-keyring-daemon")) {
			pty_init(30);
			skip_all("dbus-run-session or gnome-keyring-daemon is not installed");
			return pty_finish();
		}
		/* Again, inside a private session bus. */
		setenv("CQRS_PTY_IN_BUS", "1", 1);
		alarm(150);
		execlp("dbus-run-session", "dbus-run-session", "--", argv[0], (char *)NULL);
		pty_init(30);
		skip_all("cannot run dbus-run-session");
		return pty_finish();
	}
	pty_init(120);
	run();
	return pty_finish();
#endif
}
