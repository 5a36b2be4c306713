/* test_proxy.c: cqrsd behind a trusted proxy (--trusted-proxy 127.0.0.1):
 * - failed sign-ins forwarded for different client addresses (the
 *   X-Forwarded-For that the proxy appends) do not make each other wait;
 *   the same forwarded address does;
 * - a client's own (spoofed) leftmost entries are ignored, in one header
 *   line or in a line of their own before the proxy's;
 * - from a peer that is not a trusted proxy the header is ignored: a
 *   client cannot dodge its wait by sending X-Forwarded-For;
 * - the user's history (audit_log.addr) and the request log show the
 *   forwarded address (IPv6 too);
 * - the trusted proxy may hold more than the 64 connections per address
 *   that any other peer is held to.
 * Every socket connects to 127.0.0.1 from a chosen loopback address.
 * Speaks TAP, one line per case; limited to 90 s. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "harness.h"

#define WRONG "Wrong-Password-1"

/* The same from the proxy (127.0.0.1) forwarding for client. */
static long signin_for(const char *client, const char *user, const char *password)
{
	char *h = xasprintf("X-Forwarded-For: %s\r\n", client);
	long st = raw_signin(&srv, "127.0.0.1", h, user, password);
	free(h);
	return st;
}

/* Wrong passwords for user until one is not 401 (at most 8); returns
 * how many got 401 and the status that ended it in *last. */
static int fail_until_wait(const char *src, const char *extra, const char *user, long *last)
{
	int n = 0;
	*last = 0;
	while (n < 8) {
		*last = raw_signin(&srv, src, extra, user, WRONG);
		if (*last != 401)
			break;
		n++;
	}
	return n;
}

static void test_waits(void)
{
	/* The five failures start a 2 s wait for 198.51.100.1: the checks
	 * that rely on it come first (a 429 tries no password, so each takes
	 * milliseconds), and the last of them checks it is still on. */
	long last;
	int n = fail_until_wait("127.0.0.1", "X-Forwarded-For: 198.51.100.1\r\n", "demo.view", &last);
	ck(n == 4 && last == 429, "forwarded for 198.51.100.1: four wrong passwords get 401, the "
	   "fifth 429 (%d, then %ld)", n, last);
	long same = signin_for("198.51.100.1", "demo.view", PASSWORD);
	ck(same == 429, "the same forwarded address waits, even with the right password (%ld)",
	   same);
	/* A client of the proxy sends its own X-Forwarded-For: the proxy
	 * appends the address it saw, and that one counts. */
	long spoof = signin_for("198.51.100.2, 198.51.100.1", "demo.view", PASSWORD);
	ck(spoof == 429, "\"X-Forwarded-For: 198.51.100.2, 198.51.100.1\": the rightmost entry "
	   "counts, the spoofed leftmost is ignored (429: %ld)", spoof);
	long lines = raw_signin(&srv, "127.0.0.1", "X-Forwarded-For: 198.51.100.2\r\n"
				"X-Forwarded-For: 198.51.100.1\r\n", "demo.view", PASSWORD);
	ck(lines == 429, "two X-Forwarded-For lines (the client's, then the proxy's): the "
	   "proxy's counts (429: %ld)", lines);
	/* A peer that is not a trusted proxy cannot borrow the wait. */
	long ignored = raw_signin(&srv, "127.0.0.2", "X-Forwarded-For: 198.51.100.1\r\n",
				  "demo.view", PASSWORD);
	long still = signin_for("198.51.100.1", "demo.view", PASSWORD);
	ck(ignored == 201 && still == 429, "127.0.0.2 (not a trusted proxy) forwarding for the "
	   "waiting 198.51.100.1 signs in (%ld) while 198.51.100.1 still waits (%ld)", ignored,
	   still);

	long other = signin_for("198.51.100.2", "demo.view", WRONG);
	long right = signin_for("198.51.100.2", "demo.view", PASSWORD);
	ck(other == 401 && right == 201, "another forwarded address does not wait: a wrong "
	   "password gets 401 (%ld), the right one signs in (%ld)", other, right);
	long junk = raw_signin(&srv, "127.0.0.1", "X-Forwarded-For: unknown\r\n", "demo.view",
			       PASSWORD);
	long proxy = raw_signin(&srv, "127.0.0.1", "", "demo.view", PASSWORD);
	ck(junk == 201 && proxy == 201, "an X-Forwarded-For that is not an address, or none: the "
	   "proxy's own address, which does not wait (%ld, %ld)", junk, proxy);
	long v6 = signin_for("[2001:db8::5]:4711", "demo.view", WRONG);
	ck(v6 == 401, "forwarded for [2001:db8::5]:4711: 401 (%ld)", v6);

	/* From a peer that is not a trusted proxy the header is ignored: a
	 * different X-Forwarded-For each time does not dodge the wait. */
	n = 0;
	last = 0;
	for (int i = 1; i <= 8 && last != 429; i++) {
		char *h = xasprintf("X-Forwarded-For: 203.0.113.%d\r\n", i);
		last = raw_signin(&srv, "127.0.0.2", h, "demo.pcn", WRONG);
		n += last == 401;
		free(h);
	}
	ck(n == 4 && last == 429, "from 127.0.0.2 (not a trusted proxy) with a different "
	   "X-Forwarded-For each time: 429 after four 401 all the same (%d, then %ld)", n, last);
	long fwd = raw_signin(&srv, "127.0.0.2", "X-Forwarded-For: 198.51.100.9\r\n",
			      "demo.pcn", PASSWORD);
	ck(fwd == 429, "... the right password from 127.0.0.2 waits whatever it forwards (%ld)", fwd);
	long from3 = raw_signin(&srv, "127.0.0.3", "", "demo.pcn", PASSWORD);
	ck(from3 == 201, "... and from 127.0.0.3 it signs in (%ld)", from3);
}

/* The first history entry of demo.view with action and from (in R). */
static bool in_history(json_int_t id, const char *action, const char *from)
{
	GET(T("demo.admin"), F("/api/v1/admin/users/%lld", (long long)id));
	size_t i;
	json_t *h;
	json_array_foreach(J("history"), i, h)
		if (streq(jstr(h, "action"), action) && streq(jstr(h, "from"), from))
			return true;
	return false;
}

static void test_audit(void)
{
	json_int_t view = uid_of("demo.admin", "demo.view");
	ck(view > 0, "demo.view's id: %lld", (long long)view);
	ck(in_history(view, "signin.failed", "198.51.100.1") &&
	   in_history(view, "signin.wait", "198.51.100.1"),
	   "demo.view's history: the failures and the wait are from 198.51.100.1");
	ck(in_history(view, "signin", "198.51.100.2"), "... the sign-in from 198.51.100.2");
	ck(in_history(view, "signin", "127.0.0.2") && !in_history(view, "signin", "198.51.100.1"),
	   "... the sign-in from 127.0.0.2 (not the 198.51.100.1 it forwarded)");
	ck(in_history(view, "signin.failed", "2001:db8::5"), "... and the failure from 2001:db8::5");
	char *log = server_log(&srv);
	ck(contains(log, "POST /api/v1/session 401") && contains(log, "B from 198.51.100.2\n") &&
	   contains(log, "B from 2001:db8::5\n") && contains(log, "B from 127.0.0.2\n") &&
	   !contains(log, "from 203.0.113."),
	   "the request log names the forwarded client (and 127.0.0.2 for what it forwarded)");
	free(log);
}

/* The trusted proxy is not held to 64 connections per address; any other
 * peer is. */
static void test_connections(void)
{
	enum { N = 100 };
	int fds[N], from2[N];
	int open1 = 0;
	for (int i = 0; i < N; i++) {
		fds[i] = raw_connect(&srv, "127.0.0.1");
		from2[i] = raw_connect(&srv, "127.0.0.2");
	}
	/* The server closes those over the limit as it accepts them: wait
	 * for that (a slow build takes longer than 300 ms), up to 5 s. */
	int alive1 = 0, alive2 = 0;
	int64_t until = mono_ms() + 5000;
	do {
		struct timespec ts = {0, 300 * 1000000L};
		nanosleep(&ts, NULL);
		alive1 = alive2 = open1 = 0;
		for (int i = 0; i < N; i++) {
			char c;
			if (fds[i] >= 0) {
				open1++;
				ssize_t n = recv(fds[i], &c, 1, MSG_DONTWAIT);
				alive1 += n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
			}
			if (from2[i] >= 0) {
				ssize_t n = recv(from2[i], &c, 1, MSG_DONTWAIT);
				alive2 += n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
			}
		}
	} while (alive2 > 64 && mono_ms() < until);
	/* The last connection from the proxy is served. */
	const char *get = "GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			  "Connection: close\r\n\r\n";
	char reply[64] = "";
	int last = fds[N - 1];
	if (last >= 0 && send(last, get, strlen(get), 0) == (ssize_t)strlen(get)) {
		struct buf out;
		buf_init(&out);
		raw_read(last, &out, mono_ms() + 5000);
		if (out.data)
			snprintf(reply, sizeof reply, "%.12s", out.data);
		buf_free(&out);
	}
	ck(alive1 == N && open1 == N && strcmp(reply, "HTTP/1.1 200") == 0,
	   "the trusted proxy 127.0.0.1 holds %d of %d connections, and the last is served (%s)",
	   alive1, N, reply);
	ck(alive2 <= 64 && alive2 >= 32, "127.0.0.2 is held to 64 (%d of %d still open)", alive2, N);
	for (int i = 0; i < N; i++) {
		if (fds[i] >= 0)
			close(fds[i]);
		if (from2[i] >= 0)
			close(from2[i]);
	}
	struct timespec ts = {0, 200 * 1000000L};
	nanosleep(&ts, NULL);
	long st = raw_signin(&srv, "127.0.0.2", "", "demo.practice", PASSWORD);
	ck(st == 201, "after they close, 127.0.0.2 is served again (%ld)", st);
}

/* A --trusted-proxy that is not an address or a network is refused. */
static void test_option(void)
{
	static const char *const bad[] = {"proxy.example", "10.0.0.0/33", "10.0.0.1:80"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int st;
		char *out = run_capture(F("'%s' --db /nonexistent/x.db --trusted-proxy '%s' 2>&1",
					  getenv("CQRSD"), bad[i]), &st);
		ck(st == 2 && contains(out, "--trusted-proxy wants an IPv4 or IPv6 address") &&
		   contains(out, bad[i]), "--trusted-proxy %s: refused with exit status 2 (%d: %s)",
		   bad[i], st, out);
		free(out);
	}
}

int main(void)
{
	const char *args[] = {"--trusted-proxy", "127.0.0.1", NULL};
	apitest_start_with(90, args);
	test_waits();
	test_audit();
	test_connections();
	test_option();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
