/* test_client.c: unit tests for the client library without curses: the
 * config file parser and its `file:line` errors, XDG paths, the token
 * store (0600 file and memory, and no keyring without D-Bus), and the HTTP
 * client's behaviour when the server cannot be reached (no retry: an
 * error; retry: offline with back-off; Esc: cancelled), and the typed
 * endpoint calls with their URL builder (escaping, optional parameters). */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "client/api.h"
#include "client/calls.h"
#include "client/creds.h"
#include "client/settings.h"
#include "util.h"

static void test_config_defaults_and_values(void **state)
{
	struct cqrs_config c;
	config_defaults(&c);
	assert_null(c.server);
	assert_false(c.token_file);
	assert_int_equal(c.escdelay, 25);
	assert_false(c.vi_keys);
	assert_true(c.color);
	struct buf errs;
	buf_init(&errs);
	int bad = config_parse(&c,
			       "# cqrs config\n"
			       "server = http://cqrs.example:8080\n"
			       "  token_file=yes  \n"
			       "escdelay = 40\n"
			       "keymap = vi\n"
			       "color = no\n"
			       "connect_timeout = 3\n", "cfg", &errs);
	assert_int_equal(bad, 0);
	assert_int_equal(errs.len, 0);
	assert_string_equal(c.server, "http://cqrs.example:8080");
	assert_true(c.token_file);
	assert_int_equal(c.escdelay, 40);
	assert_true(c.vi_keys);
	assert_false(c.color);
	assert_int_equal(c.connect_timeout, 3);
	config_free(&c);
	assert_null(c.server);
	buf_free(&errs);
}

static void test_config_errors(void **state)
{
	struct cqrs_config c;
	config_defaults(&c);
	struct buf errs;
	buf_init(&errs);
	int bad = config_parse(&c,
			       "server = ftp://x\n"
			       "token_file = maybe\n"
			       "escdelay = -5\n"
			       "escdelay = 10ms\n"
			       "colour\n"
			       "wibble = 1\n"
			       "keymap = emacs\n"
			       "server =\n"
			       "escdelay = 100\n", "/etc/cqrs.conf", &errs);
	assert_int_equal(bad, 8);
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:1: server: \"ftp://x\" is not an http:// or https:// URL\n"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:2: token_file: expected yes or no"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:3: escdelay: expected milliseconds"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:4: escdelay"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:5: expected \"key = value\"\n"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:6: unknown setting \"wibble\"\n"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:7: keymap: expected default or vi"));
	assert_non_null(strstr(errs.data, "/etc/cqrs.conf:8: server: missing value\n"));
	/* bad lines change nothing; the good one applies */
	assert_null(c.server);
	assert_false(c.token_file);
	assert_int_equal(c.escdelay, 100);
	config_free(&c);
	buf_free(&errs);
}

static void test_config_file_and_xdg(void **state)
{
	char dir[] = "/tmp/test_client.XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("XDG_CONFIG_HOME", dir, 1);
	char *p = xdg_path("XDG_CONFIG_HOME", ".config", "config");
	char *want = xasprintf("%s/cqrs/config", dir);
	assert_string_equal(p, want);
	free(want);
	/* a relative XDG_ variable is ignored, per the XDG rules */
	setenv("XDG_CONFIG_HOME", "relative/dir", 1);
	setenv("HOME", "/home/someone", 1);
	char *p2 = xdg_path("XDG_CONFIG_HOME", ".config", "config");
	assert_string_equal(p2, "/home/someone/.config/cqrs/config");
	free(p2);

	struct cqrs_config c;
	struct buf errs;
	config_defaults(&c);
	buf_init(&errs);
	assert_int_equal(config_load_file(&c, p, &errs), 0); /* missing: defaults */
	char *sub = xasprintf("%s/cqrs", dir);
	assert_true(mkdir_p(sub, 0700));
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("server = https://x.example\nbogus\n", f);
	fclose(f);
	assert_int_equal(config_load_file(&c, p, &errs), 1);
	char *line = xasprintf("%s:2: expected \"key = value\"", p);
	assert_non_null(strstr(errs.data, line));
	assert_string_equal(c.server, "https://x.example");
	unlink(p);
	rmdir(sub);
	rmdir(dir);
	free(line);
	free(sub);
	free(p);
	config_free(&c);
	buf_free(&errs);
}

static void test_creds_file_store(void **state)
{
	char dir[] = "/tmp/test_creds.XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS"); /* as over SSH: no keyring probe */
	int64_t t0 = mono_ms();
	struct creds *c = creds_open(true, 1500);
	assert_true(mono_ms() - t0 < 1000); /* never hangs without D-Bus */
	assert_int_equal(creds_backend(c), CREDS_FILE);
	assert_true(creds_save(c, "http://a:1", "demo.view", "abc123"));
	char *path = xasprintf("%s/cqrs/token", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	creds_close(&c);

	/* a fresh store reads it back; another server has no token */
	c = creds_open(true, 1500);
	char *user = NULL;
	char *tok = creds_load(c, "http://a:1", &user);
	assert_non_null(tok);
	assert_string_equal(tok, "abc123");
	assert_string_equal(user, "demo.view");
	free(tok);
	free(user);
	assert_null(creds_load(c, "http://b:2", NULL));
	creds_close(&c);

	/* a token file others can read is refused */
	assert_int_equal(chmod(path, 0644), 0);
	c = creds_open(true, 1500);
	assert_null(creds_load(c, "http://a:1", NULL));
	assert_int_equal(chmod(path, 0600), 0);
	creds_forget(c, "http://a:1");
	assert_int_not_equal(access(path, F_OK), 0);
	creds_close(&c);

	char *sub = xasprintf("%s/cqrs", dir);
	rmdir(sub);
	rmdir(dir);
	free(sub);
	free(path);
}

static void test_creds_memory_store(void **state)
{
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	char dir[] = "/tmp/test_creds.XXXXXX";
	assert_non_null(mkdtemp(dir));
	setenv("XDG_STATE_HOME", dir, 1);
	struct creds *c = creds_open(false, 1500);
	assert_int_equal(creds_backend(c), CREDS_MEMORY);
	assert_true(creds_save(c, "http://a:1", "demo.pcn", "tok"));
	char *tok = creds_load(c, "http://a:1", NULL);
	assert_string_equal(tok, "tok");
	free(tok);
	creds_close(&c);
	/* nothing was written anywhere */
	char *path = xasprintf("%s/cqrs/token", dir);
	assert_int_not_equal(access(path, F_OK), 0);
	c = creds_open(false, 1500);
	assert_null(creds_load(c, "http://a:1", NULL));
	creds_close(&c);
	free(path);
	rmdir(dir);
}

/* A loopback port with nothing listening on it. */
static int dead_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t len = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &len);
	close(fd);
	return ntohs(sa.sin_port);
}

struct got {
	int calls;
	enum api_outcome outcome;
	char path[64];
};

static void on_done(void *ud, const struct api_response *r)
{
	struct got *g = ud;
	g->calls++;
	g->outcome = r->outcome;
	snprintf(g->path, sizeof(g->path), "%s", r->path);
}

static void test_api_unreachable(void **state)
{
	char *url = xasprintf("http://127.0.0.1:%d", dead_port());
	struct api *a = api_new(url, 2, 5);
	struct got g = {0};
	assert_true(api_online(a));
	api_request(a, "POST", "/session", json_pack("{s:s}", "user_id", "x"), false, on_done,
		    &g, NULL);
	int64_t deadline = mono_ms() + 5000;
	while (!g.calls && mono_ms() < deadline) {
		api_wait(a, -1, -1, 100);
		api_run(a);
	}
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.outcome, API_NET_ERROR);
	assert_string_equal(g.path, "/session");
	assert_false(api_online(a));

	/* a read is kept and retried with back-off; Esc cancels it */
	struct got g2 = {0};
	api_request(a, "GET", "/me", NULL, true, on_done, &g2, &g2);
	deadline = mono_ms() + 3000;
	while (api_retry_in(a) == 0 && mono_ms() < deadline) {
		api_wait(a, -1, -1, 50);
		api_run(a);
	}
	assert_true(api_retry_in(a) >= 1);
	assert_int_equal(g2.calls, 0);
	assert_true(api_busy(a));
	assert_true(api_cancel_current(a));
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g2.outcome, API_CANCELLED);
	assert_false(api_busy(a));

	/* dropped requests never call back */
	struct got g3 = {0};
	api_request(a, "GET", "/me", NULL, true, on_done, &g3, &g3);
	api_drop_owner(a, &g3);
	assert_false(api_busy(a));
	api_run(a);
	assert_int_equal(g3.calls, 0);
	api_free(&a);
	assert_null(a);
	free(url);
}

/* The URL builder escapes every piece that is not a literal: spaces,
 * '&', '/', '=', '+' and UTF-8 bytes, and leaves unreserved characters. */
static void test_url_builder(void **state)
{
	(void)state;
	char *e = api_escape("a b&c/d=e+f~g.h-i_j");
	assert_string_equal(e, "a%20b%26c%2Fd%3De%2Bf~g.h-i_j");
	free(e);
	e = api_escape("Gwasanaeth \xc3\xa9 \xe2\x80\x94");
	assert_string_equal(e, "Gwasanaeth%20%C3%A9%20%E2%80%94");
	free(e);
	e = api_escape("");
	assert_string_equal(e, "");
	free(e);

	struct url u;
	url_init(&u, "/organisations");
	url_seg(&u, "A/B C");
	url_id(&u, 42);
	url_param(&u, "q", "Smith & Jones");
	url_param(&u, "left_out", NULL);
	url_param(&u, "empty", "");
	url_param_id(&u, "zero", 0);
	url_param_id(&u, "limit", 500);
	char *path = url_steal(&u);
	assert_string_equal(path, "/organisations/A%2FB%20C/42?q=Smith%20%26%20Jones&empty=&limit=500");
	free(path);

	url_init(&u, "/tasks");
	url_param(&u, "none", NULL);
	path = url_steal(&u);
	assert_string_equal(path, "/tasks");
	free(path);
}

/* A typed call spells its endpoint; optional parameters are left out. */
static void test_typed_calls(void **state)
{
	(void)state;
	struct api_call c = call_offers(&(struct offers_q){
		.year = "2025/26", .status = "OFFERED", .organisation = "P 1&2" });
	assert_string_equal(c.method, "GET");
	assert_string_equal(c.path, "/offers?year=2025%2F26&status=OFFERED&organisation=P%201%262");
	assert_null(c.body);
	api_call_free(&c);
	assert_null(c.path);

	c = call_offers(&(struct offers_q){ .service = 7 });
	assert_string_equal(c.path, "/offers?service=7");
	api_call_free(&c);

	c = call_orgs(&(struct orgs_q){ .kind = "PRACTICE", .q = "St Mary's", .limit = 500 });
	assert_string_equal(c.path, "/organisations?kind=PRACTICE&q=St%20Mary%27s&limit=500");
	api_call_free(&c);

	c = call_org_services("Y01", NULL);
	assert_string_equal(c.path, "/organisations/Y01/services");
	api_call_free(&c);
	c = call_org_services("Y01", "2024/25");
	assert_string_equal(c.path, "/organisations/Y01/services?year=2024%2F25");
	api_call_free(&c);

	c = call_submissions(5, 0);
	assert_string_equal(c.path, "/achievements/5/submissions");
	api_call_free(&c);
	c = call_submissions(5, 9);
	assert_string_equal(c.path, "/achievements/5/submissions?group=9");
	api_call_free(&c);

	c = call_declarations(&(struct declarations_q){ 0 });
	assert_string_equal(c.path, "/declarations");
	api_call_free(&c);

	c = call_network("U1", 3, "");
	assert_string_equal(c.path, "/network?organisation=U1&service=3");
	api_call_free(&c);
	c = call_network("U1", 3, "2025-03-31");
	assert_string_equal(c.path, "/network?organisation=U1&service=3&date=2025-03-31");
	api_call_free(&c);

	c = call_membership_end(12, "2025-06-30");
	assert_string_equal(c.method, "PUT");
	assert_string_equal(c.path, "/memberships/12");
	char *body = json_dumps(c.body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(body, "{\"end_date\":\"2025-06-30\"}");
	free(body);
	api_call_free(&c);

	const char *orgs[] = { "A1", "B2" };
	c = call_offers_create(&(struct offer_new){ .service = 4, .start = "2025-04-01",
		.end = "2026-03-31", .response = "", .target = "2025-05-01", .orgs = orgs,
		.norgs = 2 });
	assert_string_equal(c.method, "POST");
	assert_string_equal(c.path, "/offers");
	body = json_dumps(c.body, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(body, "{\"end_date\":\"2026-03-31\",\"organisations\":[\"A1\",\"B2\"],"
			    "\"response_date\":null,\"service_id\":4,\"start_date\":\"2025-04-01\","
			    "\"target_date\":\"2025-05-01\"}");
	free(body);
	api_call_free(&c);

	c = call_sign_out();
	assert_string_equal(c.method, "DELETE");
	assert_string_equal(c.path, "/session");
	api_call_free(&c);
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults_and_values),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_file_and_xdg),
		cmocka_unit_test(test_creds_file_store),
		cmocka_unit_test(test_creds_memory_store),
		cmocka_unit_test(test_api_unreachable),
		cmocka_unit_test(test_url_builder),
		cmocka_unit_test(test_typed_calls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
