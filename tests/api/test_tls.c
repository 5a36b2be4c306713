/* test_tls.c: cqrsd over HTTPS (issue 14) with a test CA and a server
 * certificate made now with openssl: sign-in, GET /me and a write over
 * https trusting the test CA; a client that does not trust it (the system
 * store, or another CA) is refused before anything is sent; TLS 1.1 is
 * refused while TLS 1.2 and 1.3 connect; plain http to the HTTPS port
 * fails at once and leaves the server serving; the request log has a
 * timestamp and a level on every line. TAP; limited to 90 s. */
#include "config.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness.h"

#define PASSWORD "Terminal-2025"

static struct server srv;

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* GET /health on srv with a client of our own: ca NULL leaves libcurl's
 * default (the system trust store). Returns the CURLcode; *status gets
 * the HTTP status (0 when none). */
static CURLcode get_with(const char *url, const char *ca, long *status, long *ms)
{
	CURL *c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 8000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	if (ca)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	int64_t t0 = mono_ms();
	CURLcode rc = curl_easy_perform(c);
	*ms = (long)(mono_ms() - t0);
	*status = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
	curl_easy_cleanup(c);
	return rc;
}

/* Runs openssl s_client against srv with the given protocol options;
 * true when a cipher was agreed (a TLS session was set up). */
static bool s_client(const char *proto_opts, char **transcript)
{
	char *cmd = xasprintf("timeout 10 openssl s_client -connect 127.0.0.1:%d -CAfile '%s' %s "
			      "</dev/null 2>&1", srv.port, srv.ca, proto_opts);
	*transcript = run_capture(cmd, NULL);
	free(cmd);
	return strstr(*transcript, ", Cipher is ") && !strstr(*transcript, "Cipher is (NONE)");
}

static void test_api_over_https(void)
{
	tap_ok(str_has_prefix(srv.base, "https://127.0.0.1:"), "cqrsd says it listens on https://");
	struct http_resp r;
	http_get(&srv, "/api/v1/health", NULL, &r);
	expect_status(&r, 200, "GET /health over https, trusting the test CA: 200");
	http_resp_free(&r);

	long st = 0;
	char *tok = sign_in(&srv, "demo.practice", PASSWORD, &st);
	tap_ok(tok && st == 201, "POST /session over https: 201 with a token");
	http_get(&srv, "/api/v1/me", tok, &r);
	tap_ok(r.status == 200 && jstr(r.json, "user_id") &&
	       strcmp(jstr(r.json, "user_id"), "demo.practice") == 0,
	       "GET /me over https names the user");
	if (r.status != 200)
		diag_resp(&r);
	http_resp_free(&r);

	http_send(&srv, "PUT", "/api/v1/me/notifications", tok, "{\"OFFER\": false}", &r);
	bool off = false;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r.json, "preferences"), i, p)
		if (jstr(p, "kind") && strcmp(jstr(p, "kind"), "OFFER") == 0)
			off = json_is_false(json_object_get(p, "enabled"));
	tap_ok(r.status == 200 && off, "a write over https (PUT /me/notifications) is stored");
	if (r.status != 200)
		diag_resp(&r);
	http_resp_free(&r);

	http_send(&srv, "DELETE", "/api/v1/session", tok, NULL, &r);
	tap_ok(r.status == 204 || r.status == 200, "DELETE /session over https");
	http_resp_free(&r);
	free(tok);
}

static void test_untrusted(void)
{
	char *url = xasprintf("%s/api/v1/health", srv.base);
	long st, ms;
	CURLcode rc = get_with(url, NULL, &st, &ms);
	tap_ok(rc == CURLE_PEER_FAILED_VERIFICATION && st == 0,
	       "a client that trusts only the system store is refused (%s)", curl_easy_strerror(rc));
	char *other = xasprintf("%s/other-ca.pem", srv.dir);
	rc = get_with(url, other, &st, &ms);
	tap_ok(rc == CURLE_PEER_FAILED_VERIFICATION && st == 0,
	       "a client that trusts another CA is refused (%s)", curl_easy_strerror(rc));
	rc = get_with(url, srv.ca, &st, &ms);
	tap_ok(rc == CURLE_OK && st == 200, "the same client trusting the test CA gets 200");
	free(other);
	free(url);
}

static void test_versions(void)
{
	char *t;
	bool ok = s_client("-tls1_1 -cipher 'DEFAULT:@SECLEVEL=0'", &t);
	/* An openssl that cannot offer TLS 1.1 at all proves nothing. */
	if (strstr(t, "no protocols available")) {
		tap_skip("this openssl cannot offer TLS 1.1", "TLS 1.1 is refused");
	} else {
		tap_ok(!ok, "TLS 1.1 is refused");
		if (ok)
			tap_diag("%s", t);
	}
	free(t);
	ok = s_client("-tls1_2", &t);
	tap_ok(ok && strstr(t, "Verify return code: 0"), "TLS 1.2 connects and verifies");
	if (!ok)
		tap_diag("%s", t);
	free(t);
	ok = s_client("-tls1_3", &t);
	tap_ok(ok && strstr(t, "TLSv1.3"), "TLS 1.3 connects");
	if (!ok)
		tap_diag("%s", t);
	free(t);
}

static void test_plain_http(void)
{
	char *url = xasprintf("http://127.0.0.1:%d/api/v1/health", srv.port);
	long st, ms;
	CURLcode rc = get_with(url, NULL, &st, &ms);
	tap_ok(rc != CURLE_OK && st == 0 && ms < 5000,
	       "plain http to the HTTPS port fails without an answer, in %ld ms (%s)", ms,
	       curl_easy_strerror(rc));
	free(url);
	struct http_resp r;
	http_get(&srv, "/api/v1/health", NULL, &r);
	tap_ok(r.status == 200, "the server still serves https afterwards");
	http_resp_free(&r);
}

static void test_log(void)
{
	char *log = server_log(&srv);
	regex_t re;
	regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z "
		     "info GET /api/v1/me 200 [0-9]+ms [0-9]+B from 127\\.0\\.0\\.1$",
		REG_EXTENDED | REG_NEWLINE);
	tap_ok(regexec(&re, log, 0, NULL, 0) == 0,
	       "the log line of GET /me has an ISO timestamp, the level info and the client address");
	regfree(&re);
	tap_ok(strstr(log, PASSWORD) == NULL, "the log never holds the password");
	free(log);
}

int main(void)
{
	harness_timeout(90);
	tap_plan(16);
	if (!harness_have_openssl())
		tap_bail("openssl is not installed (scripts/dev.sh installs it)");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!server_start_tls(&srv, NULL, 30))
		tap_bail("cqrsd did not start with TLS");
	test_api_over_https();
	test_untrusted();
	test_versions();
	test_plain_http();
	test_log();
	server_stop(&srv, 5, tap_failed() > 0);
	return tap_done();
}
