/* test_session.c: the API tests of signing in and out. Starts the real
 * cqrsd (from $CQRSD) on a free loopback port with a temporary demo
 * database and checks GET /health, POST and DELETE /session (bad input
 * included), the demo users and GET /me, requests without a valid token, and that the
 * request log never holds a token or a password; a second server with
 * short token and sign-in wait times checks expiry and the wait after
 * failed sign-ins (tests/api/test_security.c checks it per address). Speaks TAP,
 * one line per case; the whole program is limited to 120 s. */
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

/* ------------------------------------------------------------ state */

static const char *const users[] = {
	"demo.practice", "demo.view", "demo.pcn", "demo.commissioner",
	"demo.approver", "demo.finance", "demo.admin", "demo.cluster",
};
static json_t *mes[ARRAY_SIZE(users)]; /* GET /me answers, owned */
static char *own_practice;           /* demo.practice's practice code */
static char *all_tokens;             /* every token handed out, for the log check */

/* The GET /me answer of one of users (borrowed). */
static json_t *me_of(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		if (strcmp(users[i], id) == 0)
			return mes[i];
	tap_bail("unknown test user %s", id);
}

static void remember_token(const char *token)
{
	if (!token)
		return;
	char *joined = xasprintf("%s%s\n", all_tokens ? all_tokens : "", token);
	free(all_tokens);
	all_tokens = joined;
}

static bool is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (const char *p = s; *p; p++)
		if (!isxdigit((unsigned char)*p))
			return false;
	return true;
}

static bool org_has_role(const json_t *org, const char *role)
{
	return array_has_code(json_object_get(org, "roles"), role);
}

/* ------------------------------------------------------------ health */

static void test_health(void)
{
	struct http_resp r;
	http_get(&srv, "/api/v1/health", NULL, &r);
	tap_ok(r.status == 200 && jstr(r.json, "status") && strcmp(jstr(r.json, "status"), "ok") == 0 &&
	       jstr(r.json, "version") && json_is_integer(json_object_get(r.json, "schema")),
	       "GET /health without a token: 200 {status: ok, version, schema}");
	if (r.status != 200)
		diag_resp(&r);
	char *ct = http_header(&r, "Content-Type");
	tap_ok(ct && strcasecmp(ct, "application/json; charset=utf-8") == 0,
	       "responses are Content-Type: application/json; charset=utf-8 (got %s)",
	       ct ? ct : "none");
	free(ct);
	http_resp_free(&r);
}

/* ------------------------------------------------------------ session */

static void post_session(const char *body, const char *ctype, struct http_resp *r)
{
	struct http_req q = { .method = "POST", .path = "/api/v1/session", .body = body,
			      .content_type = ctype };
	http_do(&srv, &q, r);
}

static void test_session_ok(void)
{
	struct http_resp r;
	post_session("{\"user_id\": \"demo.practice\", \"password\": \"" PASSWORD "\"}", NULL, &r);
	int64_t now = now_s();
	json_t *exp = json_object_get(r.json, "expires_at");
	json_t *idle = json_object_get(r.json, "idle_timeout");
	const char *tok = jstr(r.json, "token");
	tap_ok(r.status == 201, "POST /session with good credentials: 201");
	if (r.status != 201)
		diag_resp(&r);
	tap_ok(is_hex64(tok), "the token is 64 hex digits (256 bits)");
	tap_ok(jstr(r.json, "user_id") && strcmp(jstr(r.json, "user_id"), "demo.practice") == 0,
	       "the answer names the user");
	tap_ok(json_is_integer(idle) && json_integer_value(idle) == 1800,
	       "idle_timeout is 1800 s by default");
	tap_ok(json_is_integer(exp) && llabs((long long)(json_integer_value(exp) - (now + 12 * 3600))) < 120,
	       "expires_at is 12 hours from now");
	char *t1 = tok ? xstrdup(tok) : NULL;
	remember_token(t1);
	http_resp_free(&r);
	char *t2 = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	remember_token(t2);
	tap_ok(t1 && t2 && strcmp(t1, t2) != 0, "two sign-ins get two different tokens");
	free(t1);
	free(t2);
}

static void test_session_bad(void)
{
	struct http_resp r, r2;

	post_session("{\"user_id\": \"demo.practice\", \"password\": \"Wrong-Password-1\"}", NULL, &r);
	expect_error(&r, 401, "bad_credentials", NULL, "wrong password: 401 bad_credentials");
	post_session("{\"user_id\": \"no.such.user\", \"password\": \"Wrong-Password-1\"}", NULL, &r2);
	expect_error(&r2, 401, "bad_credentials", NULL, "unknown user: 401 bad_credentials");
	json_t *e1 = json_object_get(r.json, "error"), *e2 = json_object_get(r2.json, "error");
	tap_ok(e1 && e2 && json_equal(e1, e2),
	       "an unknown user gets the very same answer as a wrong password");
	http_resp_free(&r);
	http_resp_free(&r2);

	static const struct {
		const char *body;
		const char *code;   /* NULL: any 400 code of the contract */
		const char *field;
		const char *name;
	} cases[] = {
		{ "{\"user_id\": \"demo.practice\", ", "malformed_json", NULL, "truncated JSON" },
		{ "{user_id: 'demo.practice'}", "malformed_json", NULL, "not JSON at all" },
		{ "{\"user_id\": \"demo.practice\", \"password\": \"" PASSWORD "\"} x", "malformed_json", NULL,
		  "JSON followed by rubbish" },
		{ "[\"demo.practice\", \"" PASSWORD "\"]", NULL, NULL, "an array instead of an object" },
		{ "\"demo.practice\"", NULL, NULL, "a string instead of an object" },
		{ "null", NULL, NULL, "null instead of an object" },
		{ "{\"user_id\": \"demo.practice\", \"password\": 12345}", "bad_field", "password",
		  "password as a number" },
		{ "{\"user_id\": [\"demo.practice\"], \"password\": \"" PASSWORD "\"}", "bad_field", "user_id",
		  "user_id as an array" },
		{ "{\"user_id\": \"demo.practice\", \"password\": null}", "bad_field", "password",
		  "password null" },
		{ "{\"user_id\": \"demo.practice\", \"password\": true}", "bad_field", "password",
		  "password as a boolean" },
		{ "{\"user_id\": \"demo.practice\"}", "bad_field", "password", "password missing" },
		{ "{\"password\": \"" PASSWORD "\"}", "bad_field", "user_id", "user_id missing" },
		{ "{}", "bad_field", NULL, "an empty object" },
		{ "{\"user_id\": \"demo.practice\", \"password\": \"" PASSWORD "\", \"remember\": true}",
		  "unknown_field", "remember", "an unknown field" },
		{ "{\"user_id\": \"demo.practice\", \"password\": \"\\u0000" PASSWORD "\"}", NULL, NULL,
		  "a NUL character in a string" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		post_session(cases[i].body, NULL, &r);
		if (cases[i].code) {
			expect_error(&r, 400, cases[i].code, cases[i].field,
				     "POST /session, %s: 400 %s%s%s", cases[i].name, cases[i].code,
				     cases[i].field ? " naming " : "", cases[i].field ? cases[i].field : "");
		} else {
			const char *c = err_code(&r);
			bool ok = r.status == 400 && (strcmp(c, "malformed_json") == 0 ||
						      strcmp(c, "bad_field") == 0);
			tap_ok(ok, "POST /session, %s: 400 malformed_json or bad_field", cases[i].name);
			if (!ok)
				diag_resp(&r);
		}
		http_resp_free(&r);
	}

	/* Duplicate keys: refused, and the message or field names the key. */
	post_session("{\"user_id\": \"demo.view\", \"user_id\": \"demo.practice\", \"password\": \""
		     PASSWORD "\"}", NULL, &r);
	{
		json_t *e = json_object_get(r.json, "error");
		const char *msg = jstr(e, "message"), *field = jstr(e, "field");
		bool named = (field && strcmp(field, "user_id") == 0) || (msg && strstr(msg, "user_id"));
		bool ok = r.status == 400 && named && !json_object_get(r.json, "token");
		tap_ok(ok, "POST /session with a duplicate key: 400 naming user_id, no token");
		if (!ok)
			diag_resp(&r);
	}
	http_resp_free(&r);

	/* Invalid UTF-8. */
	post_session("{\"user_id\": \"demo.practice\xff\", \"password\": \"" PASSWORD "\"}", NULL, &r);
	expect_error(&r, 400, "malformed_json", NULL, "POST /session with invalid UTF-8: 400 malformed_json");
	http_resp_free(&r);

	/* Empty body. */
	{
		struct http_req q = { .method = "POST", .path = "/api/v1/session", .body = "",
				      .body_len = 0 };
		http_do(&srv, &q, &r);
		tap_ok(r.status == 400 && (strcmp(err_code(&r), "malformed_json") == 0 ||
					   strcmp(err_code(&r), "bad_field") == 0),
		       "POST /session with an empty body: 400");
		if (r.status != 400)
			diag_resp(&r);
		http_resp_free(&r);
	}

	/* The body is parsed as JSON whatever its Content-Type says
	 * (docs/api.md): a form is not JSON, JSON labelled text/plain is. */
	post_session("user_id=demo.practice&password=" PASSWORD, "application/x-www-form-urlencoded", &r);
	expect_error(&r, 400, "malformed_json", NULL,
		     "POST /session with a form body: 400 malformed_json");
	http_resp_free(&r);
	post_session("{\"user_id\": \"demo.practice\", \"password\": \"" PASSWORD "\"}", "text/plain", &r);
	tap_ok(r.status == 201, "POST /session with JSON labelled text/plain is parsed as JSON");
	remember_token(jstr(r.json, "token"));
	http_resp_free(&r);
	post_session("{\"user_id\": \"demo.practice\", \"password\": \"" PASSWORD "\"}",
		     "application/json; charset=utf-8", &r);
	tap_ok(r.status == 201, "POST /session with application/json; charset=utf-8 is accepted");
	remember_token(jstr(r.json, "token"));
	http_resp_free(&r);
}

/* A request that fails writes nothing: refused sign-ins with bad fields do
 * not count as failed logins (six of them would lock the account). */
static void test_failed_writes_nothing(void)
{
	struct http_resp r;
	for (int i = 0; i < 3; i++) {
		post_session("{\"user_id\": \"demo.approver\", \"password\": 12345}", NULL, &r);
		http_resp_free(&r);
		post_session("{\"user_id\": \"demo.approver\", \"password\": \"Wrong-Password-1\", "
			     "\"x\": 1}", NULL, &r);
		http_resp_free(&r);
	}
	long st = 0;
	char *t = sign_in(&srv, "demo.approver", PASSWORD, &st);
	tap_ok(st == 201, "six refused sign-ins with bad fields did not count as failed logins "
	       "(demo.approver still signs in: %ld)", st);
	remember_token(t);
	free(t);
}

/* ------------------------------------------------------------ users, /me */

static const struct {
	const char *user;
	const char *kind;
	const char *roles[3];
	bool pounds;
} who[] = {
	{ "demo.practice", "PRACTICE",
	  { "SERVICE_MANAGEMENT", "FINANCE_VIEW", "USER_ADMIN" }, true },
	{ "demo.view", "PRACTICE", { "VIEW" }, false },
	{ "demo.pcn", "PCN", { "PCN_MANAGEMENT", "DECLARATION_MANAGEMENT" }, true },
	{ "demo.commissioner", "ICB", { "COMMISSIONING_MANAGEMENT", "ACHIEVEMENT_ENTRY" }, true },
	{ "demo.approver", "ICB", { "APPROVAL_MANAGEMENT" }, true },
	{ "demo.finance", "ICB", { "FINANCE_MANAGEMENT" }, true },
	{ "demo.admin", "ICB", { "ADV_USER_ADMIN", "ORG_ADMIN" }, false },
	{ "demo.cluster", "ICB", { "COMMISSIONING_MANAGEMENT" }, true },
};

static bool me_well_formed(const json_t *me, const char *user)
{
	if (!json_is_object(me) || !jstr(me, "user_id") || strcmp(jstr(me, "user_id"), user) != 0 ||
	    !jstr(me, "name") || !*jstr(me, "name") || !jstr(me, "email") ||
	    !strchr(jstr(me, "email"), '@'))
		return false;
	json_t *orgs = json_object_get(me, "organisations");
	if (!json_is_array(orgs) || json_array_size(orgs) == 0)
		return false;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o) {
		if (!jstr(o, "code") || !jstr(o, "name") || !jstr(o, "kind") ||
		    !json_is_boolean(json_object_get(o, "pounds")))
			return false;
		json_t *roles = json_object_get(o, "roles");
		if (!json_is_array(roles) || json_array_size(roles) == 0)
			return false;
		size_t k;
		json_t *role;
		json_array_foreach(roles, k, role) {
			if (!jstr(role, "code") || !jstr(role, "name") || !*jstr(role, "name"))
				return false;
		}
	}
	return json_is_array(json_object_get(me, "clusters"));
}

static void test_users_and_me(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
		remember_token(T(users[i]));
		tap_ok(T(users[i]) != NULL, "%s signs in with the demo password", users[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
		if (!T(users[i])) {
			tap_skip("no token", "GET /me as %s", users[i]);
			continue;
		}
		long st;
		mes[i] = fetch("/api/v1/me", T(users[i]), &st);
		bool ok = st == 200 && me_well_formed(mes[i], users[i]);
		tap_ok(ok, "GET /me as %s: 200 with user, organisations, roles, pounds, clusters",
		       users[i]);
		if (!ok) {
			char *s = mes[i] ? json_dumps(mes[i], 0) : NULL;
			tap_diag("status %ld: %s", st, s ? s : "(no JSON)");
			free(s);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(who); i++) {
		json_t *org = me_org(me_of(who[i].user), who[i].kind);
		bool ok = org != NULL;
		for (size_t k = 0; ok && k < ARRAY_SIZE(who[i].roles) && who[i].roles[k]; k++)
			ok = org_has_role(org, who[i].roles[k]);
		tap_ok(ok, "%s holds %s%s%s%s%s on a %s", who[i].user, who[i].roles[0],
		       who[i].roles[1] ? ", " : "", who[i].roles[1] ? who[i].roles[1] : "",
		       who[i].roles[2] ? ", " : "", who[i].roles[2] ? who[i].roles[2] : "",
		       who[i].kind);
		json_t *p = json_object_get(org, "pounds");
		tap_ok(org && json_is_boolean(p) && json_is_true(p) == who[i].pounds,
		       "GET /me as %s says pounds: %s", who[i].user, who[i].pounds ? "true" : "false");
	}
	json_t *pr = me_org(me_of("demo.practice"), "PRACTICE");
	json_t *vw = me_org(me_of("demo.view"), "PRACTICE");
	tap_ok(pr && vw && streq(jstr(pr, "code"), jstr(vw, "code")) &&
	       !org_has_role(vw, "FINANCE_VIEW") && json_array_size(json_object_get(vw, "roles")) == 1,
	       "demo.view has only VIEW, on demo.practice's practice");
	if (pr)
		own_practice = xstrdup(jstr(pr, "code"));
	json_t *icb = me_org(me_of("demo.commissioner"), "ICB");
	json_t *pcn = me_org(me_of("demo.pcn"), "PCN");

	json_t *cl = json_object_get(me_of("demo.cluster"), "clusters");
	json_t *c0 = json_array_get(cl, 0);
	tap_ok(json_array_size(cl) == 1 && json_is_integer(json_object_get(c0, "id")) && jstr(c0, "name") &&
	       jstr(c0, "organisation"),
	       "GET /me as demo.cluster lists its one cluster {id, name, organisation}");
	tap_ok(json_array_size(json_object_get(me_of("demo.commissioner"), "clusters")) == 0,
	       "demo.commissioner has no cluster restriction");
	if (!own_practice || !jstr(icb, "code") || !jstr(pcn, "code"))
		tap_bail("the demo users' organisations could not be read from GET /me");
}

/* ------------------------------------------------------------ tokens */

static void test_no_token(void)
{
	char *p_org = xasprintf("/api/v1/organisations/%s", own_practice);
	char *p_orgsvc = xasprintf("/api/v1/organisations/%s/services?year=2024/25", own_practice);
	const struct { const char *method, *path; } eps[] = {
		{ "GET", "/api/v1/me" },
		{ "GET", "/api/v1/organisations" },
		{ "GET", p_org },
		{ "GET", p_orgsvc },
		{ "GET", "/api/v1/services?year=2024/25" },
		{ "GET", "/api/v1/services/1" },
		{ "DELETE", "/api/v1/session" },
	};
	struct http_resp r;
	for (size_t i = 0; i < ARRAY_SIZE(eps); i++) {
		http_send(&srv, eps[i].method, eps[i].path, NULL, NULL, &r);
		expect_error(&r, 401, "unauthenticated", NULL, "%s %s without a token: 401 unauthenticated",
			     eps[i].method, eps[i].path);
		http_resp_free(&r);
	}
	static const char *const bad[] = {
		"Authorization: Bearer 00000000000000000000000000000000000000000000000000000000000000ff",
		"Authorization: Bearer not-a-token",
		"Authorization: Bearer ",
		"Authorization: Basic ZGVtby5wcmFjdGljZTpUZXJtaW5hbC0yMDI1",
	};
	static const char *const what[] = {
		"an unknown 64-hex token", "a malformed token", "an empty bearer token",
		"Basic authentication with the right password",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *hdrs[] = { bad[i], NULL };
		struct http_req q = { .path = "/api/v1/me", .headers = hdrs };
		http_do(&srv, &q, &r);
		expect_error(&r, 401, "unauthenticated", NULL, "GET /me with %s: 401", what[i]);
		http_resp_free(&r);
	}
	/* A valid token with one extra character is a different token. */
	char *longer = xasprintf("%s0", T("demo.practice"));
	http_get(&srv, "/api/v1/me", longer, &r);
	expect_error(&r, 401, "unauthenticated", NULL, "GET /me with a valid token plus one character: 401");
	http_resp_free(&r);
	free(longer);
	free(p_org);
	free(p_orgsvc);
}

static void test_revoke(void)
{
	char *t1 = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	char *t2 = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	remember_token(t1);
	remember_token(t2);
	struct http_resp r;
	http_send(&srv, "DELETE", "/api/v1/session", t1, NULL, &r);
	tap_ok(r.status == 204 && r.body.len == 0, "DELETE /session: 204 with no body");
	if (r.status != 204)
		diag_resp(&r);
	http_resp_free(&r);
	http_get(&srv, "/api/v1/me", t1, &r);
	expect_error(&r, 401, "unauthenticated", NULL, "a revoked token: GET /me answers 401");
	http_resp_free(&r);
	http_send(&srv, "DELETE", "/api/v1/session", t1, NULL, &r);
	expect_error(&r, 401, "unauthenticated", NULL, "a revoked token cannot be revoked again: 401");
	http_resp_free(&r);
	http_get(&srv, "/api/v1/me", t2, &r);
	tap_ok(r.status == 200, "revoking one token leaves the user's other token working");
	http_resp_free(&r);
	free(t1);
	free(t2);
}

/* The request log: one line per request, never a token or a password. */
static void test_log(void)
{
	char *log = server_log(&srv);
	int lines = 0;
	for (const char *p = log; *p; p++)
		if (*p == '\n')
			lines++;
	tap_ok(strstr(log, "/api/v1/health") && strstr(log, "GET") && strstr(log, "200") &&
	       lines >= http_count(),
	       "cqrsd logs a line per request on stderr (%d lines for %d requests)", lines, http_count());
	bool leak_pw = strstr(log, PASSWORD) != NULL;
	bool leak_tok = false;
	for (const char *t = all_tokens; t && *t;) {
		const char *nl = strchr(t, '\n');
		size_t n = nl ? (size_t)(nl - t) : strlen(t);
		char *one = xstrndup(t, n);
		if (n >= 16 && strstr(log, one))
			leak_tok = true;
		free(one);
		t += n + (nl ? 1 : 0);
	}
	tap_ok(!leak_pw, "the log never contains a password");
	tap_ok(!leak_tok, "the log never contains a token");
	free(log);
}

/* ------------------------------------------------------------ short timeouts */

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

/* Times here allow for a server that keeps whole seconds: a token is
 * surely alive while (real) idle < idle - 1 and age < lifetime - 1, and
 * surely dead once idle >= idle-timeout + 0.2 or age >= lifetime + 0.2,
 * measured from before (alive) or after (dead) the sign-in request. */
enum { IDLE_S = 2, LIFETIME_S = 6, LOCKOUT_S = 2 };

/* Signs user in on srv; *before and *after receive mono_ms() around it. */
static char *timed_sign_in(const char *user, int64_t *before, int64_t *after)
{
	*before = mono_ms();
	char *t = sign_in(&srv, user, PASSWORD, NULL);
	*after = mono_ms();
	return t;
}

static void test_short_timeouts(void)
{
	struct server s2;
	static const char *const args[] = { "--token-idle", "2", "--token-lifetime", "6",
					    "--lockout-seconds", "2", NULL };
	if (!tap_ok(server_start(&s2, args, 30),
		    "a second cqrsd starts with --token-idle 2 --token-lifetime 6 --lockout-seconds 2"))
		return;
	struct server saved = srv;
	srv = s2; /* the helpers talk to srv */

	struct http_resp r;
	int64_t idle_before, idle_after, life_before, life_after;

	/* Five failures in a row: attempts for demo.commissioner from here
	 * wait (2 s, the --lockout-seconds cap). */
	const char *bad = "{\"user_id\": \"demo.commissioner\", \"password\": \"Wrong-Password-1\"}";
	bool first4 = true;
	for (int i = 0; i < 4; i++) {
		http_send(&srv, "POST", "/api/v1/session", NULL, bad, &r);
		if (r.status != 401 || strcmp(err_code(&r), "bad_credentials") != 0)
			first4 = false;
		http_resp_free(&r);
	}
	tap_ok(first4, "four wrong passwords: 401 bad_credentials each");
	http_send(&srv, "POST", "/api/v1/session", NULL, bad, &r);
	int64_t locked_at = mono_ms();
	tap_ok(r.status == 401 || r.status == 429, "the fifth wrong password: 401 or 429 (got %ld)", r.status);
	http_resp_free(&r);
	http_send(&srv, "POST", "/api/v1/session", NULL,
		  "{\"user_id\": \"demo.commissioner\", \"password\": \"" PASSWORD "\"}", &r);
	const char *msg = jstr(json_object_get(r.json, "error"), "message");
	bool digit = false;
	for (const char *p = msg; p && *p; p++)
		if (isdigit((unsigned char)*p))
			digit = true;
	expect_error(&r, 429, "too_many_attempts", NULL,
		     "after five failures even the right password gets 429 too_many_attempts");
	tap_ok(digit, "the message says how long to wait (\"%s\")", msg ? msg : "");
	char *ra = http_header(&r, "Retry-After");
	tap_ok(ra && atoi(ra) >= 1 && atoi(ra) <= LOCKOUT_S, "Retry-After: %s (1 to %d s)",
	       ra ? ra : "none", LOCKOUT_S);
	free(ra);
	http_resp_free(&r);
	long st;
	char *other = sign_in(&srv, "demo.approver", PASSWORD, &st);
	tap_ok(st == 201, "the wait is per user ID: demo.approver still signs in");
	free(other);

	/* Failures must be in a row: a success resets the count. */
	const char *fbad = "{\"user_id\": \"demo.admin\", \"password\": \"Wrong-Password-1\"}";
	for (int i = 0; i < 4; i++) {
		http_send(&srv, "POST", "/api/v1/session", NULL, fbad, &r);
		http_resp_free(&r);
	}
	free(sign_in(&srv, "demo.admin", PASSWORD, NULL));
	for (int i = 0; i < 4; i++) {
		http_send(&srv, "POST", "/api/v1/session", NULL, fbad, &r);
		http_resp_free(&r);
	}
	other = sign_in(&srv, "demo.admin", PASSWORD, &st);
	tap_ok(st == 201, "4 failures, a success, 4 failures: not locked (failures count in a row)");
	free(other);

	/* Tokens: signed in only now, as sign-ins are slow (argon2id). */
	char *idle_tok = timed_sign_in("demo.practice", &idle_before, &idle_after);
	char *life_tok = timed_sign_in("demo.view", &life_before, &life_after);
	http_send(&srv, "POST", "/api/v1/session", NULL,
		  "{\"user_id\": \"demo.finance\", \"password\": \"" PASSWORD "\"}", &r);
	tap_ok(r.status == 201 && json_integer_value(json_object_get(r.json, "idle_timeout")) == IDLE_S,
	       "idle_timeout reports the configured %d s", IDLE_S);
	http_resp_free(&r);

	/* Use life_tok every 0.5 s: never idle, until well past the idle
	 * timeout (counted from after its sign-in, which may be slow on a busy
	 * machine) and still short of its lifetime. */
	bool alive = true;
	int uses = 0;
	while (mono_ms() - life_after < IDLE_S * 1000 + 500 &&
	       mono_ms() - life_before < (LIFETIME_S - 1) * 1000 - 200) {
		sleep_ms(500);
		http_get(&srv, "/api/v1/me", life_tok, &r);
		uses++;
		if (r.status != 200) {
			alive = false;
			tap_diag("use %d, %lld ms after sign-in: %ld", uses,
				 (long long)(mono_ms() - life_before), r.status);
		}
		http_resp_free(&r);
	}
	tap_ok(alive && mono_ms() - life_after > IDLE_S * 1000,
	       "a token used every 0.5 s lives past the %d s idle timeout", IDLE_S);
	while (mono_ms() - idle_after < IDLE_S * 1000 + 200)
		sleep_ms(50);
	http_get(&srv, "/api/v1/me", idle_tok, &r);
	expect_error(&r, 401, "unauthenticated", NULL, "a token idle for over %d s: 401 unauthenticated",
		     IDLE_S);
	http_resp_free(&r);
	while (mono_ms() - life_after < LIFETIME_S * 1000 + 200) {
		sleep_ms(400);
		http_get(&srv, "/api/v1/me", life_tok, &r);
		http_resp_free(&r);
	}
	http_get(&srv, "/api/v1/me", life_tok, &r);
	expect_error(&r, 401, "unauthenticated", NULL,
		     "a token kept busy still ends at its %d s lifetime: 401", LIFETIME_S);
	http_resp_free(&r);
	while (mono_ms() - locked_at < (LOCKOUT_S + 1) * 1000 + 200)
		sleep_ms(50);
	other = sign_in(&srv, "demo.commissioner", PASSWORD, &st);
	tap_ok(st == 201 && other, "after the %d s wait demo.commissioner signs in again", LOCKOUT_S);
	free(other);
	free(idle_tok);
	free(life_tok);

	srv = saved;
	int ws = server_stop(&s2, 10, tap_failed() > 0);
	tap_ok(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "the second cqrsd exits 0 on SIGTERM");
}

/* ------------------------------------------------------------ main */

int main(void)
{
	apitest_start(120);

	test_health();
	test_session_ok();
	test_session_bad();
	test_failed_writes_nothing();
	test_users_and_me();
	test_no_token();
	test_revoke();
	test_log();

	int ws = server_stop(&srv, 10, tap_failed() > 0);
	tap_ok(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "cqrsd exits 0 on SIGTERM");
	apitest_done(); /* the tokens were the stopped server's */

	test_short_timeouts();

	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		if (mes[i])
			json_decref(mes[i]);
	free(own_practice);
	free(all_tokens);
	return tap_done();
}
