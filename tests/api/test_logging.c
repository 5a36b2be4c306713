/* test_logging.c: cqrsd's log and its transport options (issue 14):
 * --log-level warn keeps only 4xx/5xx requests and warnings, debug adds
 * connections, --quiet drops request lines; bad --log-level, half a TLS
 * pair or a file that is not PEM are refused with a message; listening on
 * a non-loopback address without TLS warns (checked with a database that
 * cannot be opened, so nothing is ever bound off loopback). TAP; 60 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

/* Runs cqrsd with args (a shell-quoted string) and returns its exit
 * status; its stderr goes to *err (the caller frees it). */
static int run_cqrsd(const char *args, char **err)
{
	const char *bin = getenv("CQRSD");
	char *cmd = xasprintf("timeout 20 '%s' %s 2>&1 >/dev/null", bin, args);
	int st;
	*err = run_capture(cmd, &st);
	free(cmd);
	return st;
}

static bool has_line(const char *log, const char *level, const char *text)
{
	for (const char *p = log; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = xstrndup(p, n);
		char *lv = xasprintf("Z %s ", level);
		bool hit = strstr(line, lv) && strstr(line, text);
		free(lv);
		free(line);
		if (hit)
			return true;
		p += n + (nl ? 1 : 0);
	}
	return false;
}

static void level(const char *lv, bool want_200, bool want_404, bool want_conn)
{
	struct server s;
	const char *args[] = { "--log-level", lv, NULL };
	if (!server_start(&s, args, 30))
		tap_bail("cqrsd --log-level %s did not start", lv);
	struct http_resp r;
	http_get(&s, "/api/v1/health", NULL, &r);
	http_resp_free(&r);
	http_get(&s, "/api/v1/no-such-thing", NULL, &r);
	http_resp_free(&r);
	char *log = server_log(&s);
	bool got200 = has_line(log, "info", "GET /api/v1/health 200");
	bool got404 = has_line(log, "warn", "GET /api/v1/no-such-thing 404");
	bool conn = has_line(log, "debug", "connection from 127.0.0.1:");
	tap_ok(got200 == want_200 && got404 == want_404 && conn == want_conn,
	       "--log-level %s: 2xx lines %s, 4xx lines (level warn) %s, connections %s", lv,
	       want_200 ? "kept" : "dropped", want_404 ? "kept" : "dropped",
	       want_conn ? "logged" : "not logged");
	server_stop(&s, 5, !(got200 == want_200 && got404 == want_404 && conn == want_conn));
	free(log);
}

static void quiet(void)
{
	struct server s;
	const char *args[] = { "--quiet", NULL };
	if (!server_start(&s, args, 30))
		tap_bail("cqrsd --quiet did not start");
	struct http_resp r;
	http_get(&s, "/api/v1/no-such-thing", NULL, &r);
	http_resp_free(&r);
	char *log = server_log(&s);
	tap_ok(!strstr(log, "/api/v1/no-such-thing"), "--quiet: no request lines");
	free(log);
	server_stop(&s, 5, false);
}

static void refusals(void)
{
	char *err;
	int rc = run_cqrsd("--db /nonexistent/x.db --log-level chatty", &err);
	tap_ok(rc == 2 && strstr(err, "--log-level wants error, warn, info or debug"),
	       "--log-level chatty is refused (%d)", rc);
	free(err);

	rc = run_cqrsd("--db /nonexistent/x.db --tls-cert /etc/hostname", &err);
	tap_ok(rc == 2 && strstr(err, "needs both --tls-cert FILE and --tls-key FILE"),
	       "--tls-cert without --tls-key is refused (%d)", rc);
	free(err);

	/* Not PEM: refused with a message, nothing served. */
	char *dir = harness_mkdtemp("cqrs-log");
	if (dir) {
		char *cmd = xasprintf("--listen 127.0.0.1:0 --db '%s/t.db' --tls-cert /etc/hostname "
				      "--tls-key /etc/hostname", dir);
		rc = run_cqrsd(cmd, &err);
		tap_ok(rc == 1 && strstr(err, "the TLS certificate /etc/hostname is not a PEM file"),
		       "a certificate that is not PEM is refused in words (%d)", rc);
		free(err);
		free(cmd);
		cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
		free(cmd);
	} else {
		tap_ok(false, "a temporary directory for the PEM case");
	}
	free(dir);

	rc = run_cqrsd("--listen 0.0.0.0:0 --db /nonexistent/x.db", &err);
	tap_ok(rc != 0 && strstr(err, " warn listening on 0.0.0.0 without TLS"),
	       "listening on 0.0.0.0 without TLS warns first (%d)", rc);
	if (!strstr(err, "without TLS"))
		tap_diag("%s", err);
	free(err);
	rc = run_cqrsd("--listen 127.0.0.2:0 --db /nonexistent/x.db", &err);
	tap_ok(rc != 0 && !strstr(err, "without TLS"), "a loopback address does not warn");
	free(err);
}

int main(void)
{
	harness_timeout(60);
	tap_plan(10);
	level("info", true, true, false);
	level("warn", false, true, false);
	level("error", false, false, false);
	level("debug", true, true, true);
	quiet();
	refusals();
	return tap_done();
}
