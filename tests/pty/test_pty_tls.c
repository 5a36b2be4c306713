/* test_pty_tls.c: the real cqrs against cqrsd over HTTPS (a test CA made
 * by the API harness with openssl): with --ca-file (or `ca_file =` in the
 * config) it signs in; without it, or with another CA, sign-in is refused
 * with a message in words that says the connection is not secure and what
 * to do; http:// to the HTTPS port gets a hint; an unreadable CA file stops
 * cqrs before the screen with a message. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/pty/pty.h"

static struct server srv;

static struct pty_term *client(const char *const *args)
{
	struct pty_opts o = { .rows = 24, .cols = 200 };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	if (!t)
		pty_bail("cannot run cqrs");
	return t;
}

static void type_sign_in(struct pty_term *t)
{
	pty_wait_text(t, PTY_SIGNIN_READY, 10000);
	pty_send(t, "demo.practice");
	pty_key(t, "Tab");
	pty_send(t, PTY_DEMO_PASSWORD);
	pty_key(t, "Enter");
}

static void with_ca(void)
{
	const char *args[] = { "--server", srv.base, "--ca-file", srv.ca, NULL };
	struct pty_term *t = client(args);
	type_sign_in(t);
	pty_expect(t, PTY_SIGNED_IN "demo.practice", 10000,
		   "--ca-file with the test CA: signed in over https");
	pty_close(&t);

	char *conf = xasprintf("%s/tls.conf", pty_tmpdir());
	char *text = xasprintf("ca_file = %s\n", srv.ca);
	pty_write_file(conf, text);
	const char *args2[] = { "--server", srv.base, "--config", conf, NULL };
	t = client(args2);
	type_sign_in(t);
	pty_expect(t, PTY_SIGNED_IN "demo.practice", 10000,
		   "ca_file in the config: signed in over https");
	pty_close(&t);
	free(text);
	free(conf);
}

static void refused(const char *ca, const char *what)
{
	const char *args[] = { "--server", srv.base, ca ? "--ca-file" : NULL, ca, NULL };
	struct pty_term *t = client(args);
	type_sign_in(t);
	pty_expect(t, "the connection is not secure: the server's certificate could not be verified",
		   10000, "%s: sign-in refused, said in words", what);
	char *msg = pty_message(t);
	pty_check(t, !strstr(msg, PTY_SIGNED_IN) && (ca || strstr(msg, "--ca-file")),
		  "%s: not signed in%s", what, ca ? "" : "; the message names --ca-file");
	free(msg);
	pty_close(&t);
}

/* http:// to the HTTPS port: no answer, and a hint rather than libcurl's
 * words alone. */
static void plain_http(void)
{
	char *url = xasprintf("http://127.0.0.1:%d", srv.port);
	const char *args[] = { "--server", url, NULL };
	struct pty_term *t = client(args);
	type_sign_in(t);
	pty_expect(t, "the server closed the connection without an answer (if it serves https://, "
		   "use an https:// URL)", 10000, "http:// to the HTTPS port: a hint in words");
	pty_expect_not(t, PTY_SIGNED_IN, "http:// to the HTTPS port: not signed in");
	pty_close(&t);
	free(url);
}

static void unreadable_ca(void)
{
	const char *args[] = { "--server", srv.base, "--ca-file", "/nonexistent/ca.pem", NULL };
	struct pty_term *t = client(args);
	int status = -1;
	bool gone = pty_wait_exit(t, 5000, &status);
	pty_check(t, gone && WIFEXITED(status) && WEXITSTATUS(status) != 0 &&
		  pty_find(t, "the CA file /nonexistent/ca.pem cannot be read", NULL, NULL),
		  "an unreadable --ca-file stops cqrs with a message (status 0x%x)", status);
	pty_close(&t);
}

int main(void)
{
	pty_init(120);
	if (!harness_have_openssl())
		pty_bail("openssl is not installed (scripts/dev.sh installs it)");
	setenv("TMPDIR", pty_tmpdir(), 1);
	if (!server_start_tls(&srv, NULL, 30))
		pty_bail("cqrsd did not start with TLS");
	pty_track_child(srv.pid);
	with_ca();
	refused(NULL, "no --ca-file (the system store)");
	char *other = xasprintf("%s/other-ca.pem", srv.dir);
	refused(other, "--ca-file with another CA");
	free(other);
	plain_http();
	unreadable_ca();
	pid_t pid = srv.pid;
	server_stop(&srv, 5, tap_failed() > 0);
	pty_forget_child(pid);
	return pty_finish();
}
