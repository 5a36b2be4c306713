/* test_http.c: the API tests of the HTTP level. Starts the real cqrsd
 * (from $CQRSD) on a free loopback port with a temporary demo database and
 * checks the cqrsd command line (--version, --help, a bad option), 404
 * and 405 with Allow, gzip for large answers, and bodies over 64 KiB
 * refused with 413 before they are read. Speaks TAP, one line per case; limited to 120 s. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "harness.h"

static json_int_t qof_id = -1;       /* QOF 2024/25 */

/* ------------------------------------------------------------ cqrsd CLI */

/* Runs $CQRSD with one argument; returns its exit status (-1 when it could
 * not run) and its stdout in out. */
static int run_cli(const char *arg, struct buf *out)
{
	int fds[2];
	const char *bin = getenv("CQRSD");
	if (!bin || pipe(fds) < 0)
		return -1;
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl(bin, bin, arg, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char chunk[1024];
	ssize_t n;
	while ((n = read(fds[0], chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		buf_append(out, chunk, (size_t)n);
	}
	close(fds[0]);
	int st;
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_cli(void)
{
	struct buf out;
	buf_init(&out);
	int rc = run_cli("--version", &out);
	json_t *h = fetch("/api/v1/health", NULL, NULL);
	const char *v = jstr(h, "version");
	tap_ok(rc == 0 && out.data && v && strstr(out.data, v),
	       "cqrsd --version exits 0 and names the version /health reports");
	if (rc != 0 || !v || !out.data || !strstr(out.data, v))
		tap_diag("exit %d, output \"%s\", /health version %s", rc,
			 out.data ? out.data : "", v ? v : "(none)");
	buf_reset(&out);
	rc = run_cli("--help", &out);
	tap_ok(rc == 0 && out.data && strstr(out.data, "--listen") && strstr(out.data, "--db"),
	       "cqrsd --help exits 0 and describes --listen and --db");
	buf_reset(&out);
	rc = run_cli("--no-such-option", &out);
	tap_ok(rc > 0, "cqrsd with an unknown option exits non-zero (got %d)", rc);
	rc = run_cli("--threads=0", &out);
	tap_ok(rc == 2, "cqrsd --threads 0 is refused (exit %d)", rc);
	/* One worker thread serves requests one after another. */
	struct server one;
	const char *args[] = {"--threads", "1", NULL};
	if (tap_ok(server_start(&one, args, 60), "a server with --threads 1 starts")) {
		struct http_resp r;
		int answered = 0;
		for (int i = 0; i < 5; i++) {
			struct http_req q = {.method = "GET", .path = "/api/v1/health"};
			http_do(&one, &q, &r);
			answered += r.status == 200;
			http_resp_free(&r);
		}
		tap_ok(answered == 5, "and answers (%d of 5 GET /health)", answered);
		server_stop(&one, 10, false);
	}
	json_decref(h);
	buf_free(&out);
}

/* ------------------------------------------------------------ HTTP level */

static void test_http_level(void)
{
	struct http_resp r;
	static const struct { const char *method, *path, *allow; } m405[] = {
		{ "POST", "/api/v1/health", "GET" },
		{ "PUT", "/api/v1/session", "POST" },
		{ "GET", "/api/v1/session", "DELETE" },
		{ "DELETE", "/api/v1/me", "GET" },
		{ "POST", "/api/v1/services", "GET" },
		{ "PATCH", "/api/v1/organisations", "GET" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(m405); i++) {
		struct http_req q = { .method = m405[i].method, .path = m405[i].path,
				      .token = T("demo.practice") };
		if (strcmp(m405[i].method, "GET") != 0 && strcmp(m405[i].method, "DELETE") != 0)
			q.body = "{}";
		http_do(&srv, &q, &r);
		char *allow = http_header(&r, "Allow");
		bool ok = r.status == 405 && strcmp(err_code(&r), "method_not_allowed") == 0 && allow &&
			  strstr(allow, m405[i].allow) && !strstr(allow, m405[i].method);
		tap_ok(ok, "%s %s: 405 method_not_allowed, Allow lists %s (got Allow: %s)", m405[i].method,
		       m405[i].path, m405[i].allow, allow ? allow : "none");
		if (!ok)
			diag_resp(&r);
		free(allow);
		http_resp_free(&r);
	}
	static const char *const unknown[] = { "/api/v1/nope", "/api/v2/health", "/", "/api/v1/services/1/x" };
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		http_get(&srv, unknown[i], T("demo.practice"), &r);
		expect_error(&r, 404, "not_found", NULL, "GET %s: 404 not_found", unknown[i]);
		http_resp_free(&r);
	}

	/* gzip: large answers compressed on request, small ones not. */
	char *path = xasprintf("/api/v1/services/%lld", (long long)qof_id);
	struct http_resp plain;
	http_get(&srv, path, T("demo.practice"), &plain);
	const char *gz_hdr[] = { "Accept-Encoding: gzip", NULL };
	struct http_req q = { .path = path, .token = T("demo.practice"), .headers = gz_hdr };
	http_do(&srv, &q, &r);
	char *ce = http_header(&r, "Content-Encoding");
	size_t ulen = 0;
	char *un = ce ? gunzip(r.body.data, r.body.len, &ulen) : NULL;
	json_t *uj = un ? json_loadb(un, ulen, 0, NULL) : NULL;
	tap_ok(plain.status == 200 && plain.body.len > 1024, "the QOF structure is over 1 KiB (%zu bytes)",
	       plain.body.len);
	tap_ok(r.status == 200 && ce && strcasecmp(ce, "gzip") == 0 && uj && json_equal(uj, plain.json) &&
	       r.body.len < plain.body.len,
	       "with Accept-Encoding: gzip it comes gzip-compressed (%zu bytes) and unpacks to the same JSON",
	       r.body.len);
	char *pce = http_header(&plain, "Content-Encoding");
	tap_ok(!pce, "without Accept-Encoding it is not compressed");
	free(pce);
	free(ce);
	free(un);
	if (uj)
		json_decref(uj);
	http_resp_free(&r);
	http_resp_free(&plain);
	free(path);
	struct http_req hq = { .path = "/api/v1/health", .headers = gz_hdr };
	http_do(&srv, &hq, &r);
	ce = http_header(&r, "Content-Encoding");
	tap_ok(r.status == 200 && !ce && r.json, "a small answer (GET /health) is not compressed");
	free(ce);
	http_resp_free(&r);
}

/* 413: bodies over 64 KiB are refused before they are read. */
static void test_too_large(void)
{
	struct buf out;
	buf_init(&out);
	const char req[] =
		"POST /api/v1/session HTTP/1.1\r\n"
		"Host: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: 10485760\r\n"
		"\r\n"
		"{\"user_id\": \"demo.practice\", \"password\": \"";
	long ms = raw_exchange(&srv, req, sizeof req - 1, 5000, &out);
	bool got = out.data && str_has_prefix(out.data, "HTTP/1.1 413");
	tap_ok(got && ms >= 0 && ms < 3000,
	       "Content-Length of 10 MB with only a few bytes sent: 413 at once (%ld ms), not waiting for the body",
	       ms);
	if (!got)
		tap_diag("answer: %.300s", out.data ? out.data : "(nothing)");
	const char *body = out.data ? strstr(out.data, "\r\n\r\n") : NULL;
	json_t *j = body ? json_loads(body + 4, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	tap_ok(j && jstr(json_object_get(j, "error"), "code") &&
	       strcmp(jstr(json_object_get(j, "error"), "code"), "too_large") == 0,
	       "... with error code too_large");
	if (j)
		json_decref(j);
	buf_free(&out);

	/* With Expect: 100-continue the server must refuse without asking for the body. */
	buf_init(&out);
	const char req2[] =
		"POST /api/v1/session HTTP/1.1\r\n"
		"Host: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: 10485760\r\n"
		"Expect: 100-continue\r\n"
		"\r\n";
	ms = raw_exchange(&srv, req2, sizeof req2 - 1, 5000, &out);
	got = out.data && str_has_prefix(out.data, "HTTP/1.1 413");
	tap_ok(got && ms < 3000, "Expect: 100-continue with 10 MB announced: 413 instead of 100 Continue");
	if (!got)
		tap_diag("answer: %.300s", out.data ? out.data : "(nothing)");
	buf_free(&out);

	/* A real body just over the limit, and one just under it. */
	size_t n = 64 * 1024 + 1;
	char *big = xmalloc(n + 1);
	memset(big, ' ', n);
	static const char head[] = "{\"user_id\": \"nobody.at.all\", \"password\": \"x\"}";
	memcpy(big, head, sizeof head - 1);
	big[n] = '\0';
	struct http_resp r;
	struct http_req q = { .method = "POST", .path = "/api/v1/session", .body = big, .body_len = n };
	http_do(&srv, &q, &r);
	expect_error(&r, 413, "too_large", NULL, "a body of 64 KiB + 1 byte: 413 too_large");
	http_resp_free(&r);
	q.body_len = 64 * 1024;
	http_do(&srv, &q, &r);
	expect_error(&r, 401, "bad_credentials", NULL,
		     "a body of exactly 64 KiB is read (401 for the unknown user, not 413)");
	http_resp_free(&r);
	free(big);

	/* Chunked, with no length announced: cut off once over the limit. */
	buf_init(&out);
	struct buf chunked;
	buf_init(&chunked);
	buf_puts(&chunked, "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
	char *block = xmalloc(8192);
	memset(block, ' ', 8192);
	for (int i = 0; i < 12; i++) {
		buf_printf(&chunked, "2000\r\n");
		buf_append(&chunked, block, 8192);
		buf_puts(&chunked, "\r\n");
	}
	buf_puts(&chunked, "0\r\n\r\n");
	free(block);
	ms = raw_exchange(&srv, chunked.data, chunked.len, 5000, &out);
	got = out.data && str_has_prefix(out.data, "HTTP/1.1 413");
	tap_ok(got, "a chunked body of 96 KiB: 413 (%ld ms)", ms);
	if (!got)
		tap_diag("answer: %.300s", out.data ? out.data : "(nothing)");
	buf_free(&out);
	buf_free(&chunked);

	/* The server still serves after all that. */
	struct http_resp h;
	http_get(&srv, "/api/v1/health", NULL, &h);
	tap_ok(h.status == 200, "the server still answers after the refused bodies");
	http_resp_free(&h);
}

/* ------------------------------------------------------------ main */

int main(void)
{
	apitest_start(120);
	qof_id = service_by_code(T("demo.practice"), "QOF2425");

	test_cli();
	test_http_level();
	test_too_large();

	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
