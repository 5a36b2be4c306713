/* test_api.c: the API tests. Starts the real cqrsd (from $CQRSD) on a free
 * loopback port with a temporary demo database and checks every endpoint of
 * docs/api.md over real HTTP, bad input included; a second server with
 * short token and lockout times checks expiry and locking. Speaks TAP, one
 * line per case; the whole program is limited to 120 s. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PASSWORD "Terminal-2025"

/* ------------------------------------------------------------ state */

struct user {
	const char *id;
	char *token;   /* owned */
	json_t *me;    /* GET /me answer, owned */
};

static struct user users[] = {
	{ "demo.practice", NULL, NULL },
	{ "demo.view", NULL, NULL },
	{ "demo.pcn", NULL, NULL },
	{ "demo.commissioner", NULL, NULL },
	{ "demo.approver", NULL, NULL },
	{ "demo.finance", NULL, NULL },
	{ "demo.admin", NULL, NULL },
	{ "demo.cluster", NULL, NULL },
};

static struct server srv;            /* the main server */
static char *own_practice;           /* demo.practice's practice code */
static char *own_icb;                /* demo.commissioner's ICB code */
static char *own_pcn;                /* demo.pcn's PCN code */
static json_int_t ncd_id = -1;       /* Network Contract DES 2024/25 */
static json_int_t qof_id = -1;       /* QOF 2024/25 */
static json_t *icb_practices;        /* practices seen by demo.commissioner */
static char *all_tokens;             /* every token handed out, for the log check */

static struct user *U(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(users); i++)
		if (strcmp(users[i].id, id) == 0)
			return &users[i];
	tap_bail("unknown test user %s", id);
}

static const char *T(const char *id)
{
	return U(id)->token;
}

static void remember_token(const char *token)
{
	if (!token)
		return;
	char *joined = xasprintf("%s%s\n", all_tokens ? all_tokens : "", token);
	free(all_tokens);
	all_tokens = joined;
}

/* GET path with token; returns the parsed body (owned) and the status. */
static json_t *fetch(const char *path, const char *token, long *status)
{
	struct http_resp r;
	http_get(&srv, path, token, &r);
	json_t *j = r.json ? json_incref(r.json) : NULL;
	if (status)
		*status = r.status;
	http_resp_free(&r);
	return j;
}

/* strcmp() == 0 that takes NULL (as never equal). */
static bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
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

static bool is_date(const char *s)
{
	int y, m, d;
	char tail;
	return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
	       s[4] == '-' && s[7] == '-' && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* True when obj (recursively) has a key containing "pence". */
static bool has_pence(const json_t *j)
{
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)(uintptr_t)j, k, v) {
			if (strstr(k, "pence") || has_pence(v))
				return true;
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v) {
			if (has_pence(v))
				return true;
		}
	}
	return false;
}

/* Deletes, recursively, every key containing "pence" from j. */
static void strip_pence(json_t *j)
{
	if (json_is_object(j)) {
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(j, tmp, k, v) {
			if (strstr(k, "pence"))
				json_object_del(j, k);
			else
				strip_pence(v);
		}
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			strip_pence(v);
	}
}

/* The code of a "parent" that may be a code string or {"code", ...}. */
static const char *parent_code(const json_t *org)
{
	json_t *p = json_object_get(org, "parent");
	if (json_is_string(p))
		return json_string_value(p);
	return jstr(p, "code");
}

static bool array_has_code(const json_t *arr, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (streq(jstr(v, "code"), code))
			return true;
	}
	return false;
}

/* The organisation of kind in a /me answer (borrowed), or NULL. */
static json_t *me_org(const json_t *me, const char *kind)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(me, "organisations"), i, o) {
		if (jstr(o, "kind") && strcmp(jstr(o, "kind"), kind) == 0)
			return o;
	}
	return NULL;
}

static bool org_has_role(const json_t *org, const char *role)
{
	return array_has_code(json_object_get(org, "roles"), role);
}

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
	json_decref(h);
	buf_free(&out);
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
		long st = 0;
		users[i].token = sign_in(&srv, users[i].id, PASSWORD, &st);
		remember_token(users[i].token);
		tap_ok(users[i].token != NULL, "%s signs in with the demo password", users[i].id);
	}
	for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
		if (!users[i].token) {
			tap_skip("no token", "GET /me as %s", users[i].id);
			continue;
		}
		long st;
		users[i].me = fetch("/api/v1/me", users[i].token, &st);
		bool ok = st == 200 && me_well_formed(users[i].me, users[i].id);
		tap_ok(ok, "GET /me as %s: 200 with user, organisations, roles, pounds, clusters",
		       users[i].id);
		if (!ok) {
			char *s = users[i].me ? json_dumps(users[i].me, 0) : NULL;
			tap_diag("status %ld: %s", st, s ? s : "(no JSON)");
			free(s);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(who); i++) {
		json_t *org = me_org(U(who[i].user)->me, who[i].kind);
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
	json_t *pr = me_org(U("demo.practice")->me, "PRACTICE");
	json_t *vw = me_org(U("demo.view")->me, "PRACTICE");
	tap_ok(pr && vw && streq(jstr(pr, "code"), jstr(vw, "code")) &&
	       !org_has_role(vw, "FINANCE_VIEW") && json_array_size(json_object_get(vw, "roles")) == 1,
	       "demo.view has only VIEW, on demo.practice's practice");
	if (pr)
		own_practice = xstrdup(jstr(pr, "code"));
	json_t *icb = me_org(U("demo.commissioner")->me, "ICB");
	if (icb)
		own_icb = xstrdup(jstr(icb, "code"));
	json_t *pcn = me_org(U("demo.pcn")->me, "PCN");
	if (pcn)
		own_pcn = xstrdup(jstr(pcn, "code"));

	json_t *cl = json_object_get(U("demo.cluster")->me, "clusters");
	json_t *c0 = json_array_get(cl, 0);
	tap_ok(json_array_size(cl) == 1 && json_is_integer(json_object_get(c0, "id")) && jstr(c0, "name") &&
	       jstr(c0, "organisation"),
	       "GET /me as demo.cluster lists its one cluster {id, name, organisation}");
	tap_ok(json_array_size(json_object_get(U("demo.commissioner")->me, "clusters")) == 0,
	       "demo.commissioner has no cluster restriction");
	if (!own_practice || !own_icb || !own_pcn)
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

/* ------------------------------------------------------------ organisations */

/* GET /organisations?QUERY as user; returns the answer (owned) and checks
 * its shape. */
static json_t *orgs_query(const char *user, const char *query, long *status)
{
	char *path = xasprintf("/api/v1/organisations%s%s", query ? "?" : "", query ? query : "");
	json_t *j = fetch(path, T(user), status);
	free(path);
	return j;
}

static bool orgs_well_formed(const json_t *j)
{
	json_t *arr = json_object_get(j, "organisations");
	if (!json_is_array(arr) || !json_is_integer(json_object_get(j, "total")))
		return false;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!jstr(o, "code") || !jstr(o, "name") || !jstr(o, "kind") ||
		    !json_object_get(o, "parent") || !json_object_get(o, "list_size"))
			return false;
	}
	return true;
}

static bool all_of_kind(const json_t *arr, const char *kind)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!jstr(o, "kind") || strcmp(jstr(o, "kind"), kind) != 0)
			return false;
	}
	return true;
}

static void test_org_search(void)
{
	long st;
	json_t *j = orgs_query("demo.practice", NULL, &st);
	tap_ok(st == 200 && orgs_well_formed(j),
	       "GET /organisations: 200 {organisations: [{code, name, kind, parent, list_size}], total}");
	json_t *arr = json_object_get(j, "organisations");
	bool only_own = json_array_size(arr) >= 1;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (streq(jstr(o, "kind") ? jstr(o, "kind") : "", "PRACTICE") &&
		    !streq(jstr(o, "code"), own_practice))
			only_own = false;
		if (streq(jstr(o, "kind") ? jstr(o, "kind") : "", "ICB") ||
		    streq(jstr(o, "kind") ? jstr(o, "kind") : "", "NHSE"))
			only_own = false;
	}
	tap_ok(only_own && array_has_code(arr, own_practice),
	       "demo.practice's search finds its practice and no other practice or ICB");
	json_decref(j);

	j = orgs_query("demo.practice", "kind=PRACTICE&limit=500", &st);
	arr = json_object_get(j, "organisations");
	tap_ok(st == 200 && json_array_size(arr) == 1 && array_has_code(arr, own_practice) &&
	       json_integer_value(json_object_get(j, "total")) == 1,
	       "demo.practice, kind=PRACTICE: exactly its own practice, total 1");
	json_decref(j);

	/* demo.commissioner: the practices of its ICB only. */
	j = orgs_query("demo.commissioner", "kind=PRACTICE&limit=500", &st);
	arr = json_object_get(j, "organisations");
	bool in_icb = json_array_size(arr) >= 2 && all_of_kind(arr, "PRACTICE");
	json_array_foreach(arr, i, o) {
		const char *pc = parent_code(o);
		if (!pc || strcmp(pc, own_icb) != 0) {
			in_icb = false;
			tap_diag("practice %s has parent %s, not %s", jstr(o, "code"), pc ? pc : "null",
				 own_icb);
		}
	}
	tap_ok(st == 200 && orgs_well_formed(j) && in_icb,
	       "demo.commissioner, kind=PRACTICE: several practices, all in its ICB %s", own_icb);
	tap_ok(json_integer_value(json_object_get(j, "total")) == (json_int_t)json_array_size(arr),
	       "total counts every match (%zu listed)", json_array_size(arr));
	icb_practices = json_incref(arr);
	json_decref(j);

	j = orgs_query("demo.commissioner", "kind=NHSE", &st);
	tap_ok(st == 200 && json_integer_value(json_object_get(j, "total")) == 0,
	       "demo.commissioner does not reach NHS England (above its ICB)");
	json_decref(j);
	j = orgs_query("demo.commissioner", "kind=ICB", &st);
	arr = json_object_get(j, "organisations");
	tap_ok(st == 200 && json_array_size(arr) == 1 && array_has_code(arr, own_icb),
	       "demo.commissioner, kind=ICB: only its own ICB");
	json_decref(j);

	/* Paging. */
	json_t *p0 = orgs_query("demo.commissioner", "kind=PRACTICE&limit=1&offset=0", &st);
	json_t *p1 = orgs_query("demo.commissioner", "kind=PRACTICE&limit=1&offset=1", &st);
	json_t *a0 = json_array_get(json_object_get(p0, "organisations"), 0);
	json_t *a1 = json_array_get(json_object_get(p1, "organisations"), 0);
	tap_ok(json_array_size(json_object_get(p0, "organisations")) == 1 &&
	       json_array_size(json_object_get(p1, "organisations")) == 1 && a0 && a1 &&
	       jstr(a0, "code") && !streq(jstr(a0, "code"), jstr(a1, "code")) &&
	       json_integer_value(json_object_get(p0, "total")) == (json_int_t)json_array_size(icb_practices),
	       "limit=1 with offset 0 and 1 pages through distinct practices; total stays the full count");
	json_decref(p0);
	json_decref(p1);

	/* Search by code and by name, case-insensitively. */
	char *q = xasprintf("q=%s", own_practice);
	j = orgs_query("demo.practice", q, &st);
	tap_ok(st == 200 && array_has_code(json_object_get(j, "organisations"), own_practice),
	       "q=%s finds the practice by code", own_practice);
	free(q);
	json_decref(j);
	json_t *mine = orgs_query("demo.practice", "kind=PRACTICE", &st);
	const char *pname = jstr(json_array_get(json_object_get(mine, "organisations"), 0), "name");
	if (pname && strlen(pname) >= 4) {
		/* a middle part of the name, upper-cased */
		size_t n = strlen(pname);
		char *part = xstrndup(pname + n / 4, n / 2 > 3 ? n / 2 : 3);
		for (char *c = part; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		char *enc = url_encode(part);
		q = xasprintf("q=%s", enc);
		j = orgs_query("demo.practice", q, &st);
		tap_ok(st == 200 && array_has_code(json_object_get(j, "organisations"), own_practice),
		       "q=\"%s\" (part of \"%s\", other case) finds the practice by name", part, pname);
		json_decref(j);
		free(q);
		free(enc);
		free(part);
	} else {
		tap_ok(false, "the practice has a name to search for");
	}
	json_decref(mine);
	j = orgs_query("demo.commissioner", "q=zzqqxx-nothing", &st);
	tap_ok(st == 200 && json_array_size(json_object_get(j, "organisations")) == 0 &&
	       json_integer_value(json_object_get(j, "total")) == 0,
	       "a search that matches nothing: 200, empty, total 0");
	json_decref(j);

	/* Bad queries. */
	static const char *const bad[] = {
		"kind=HOSPITAL", "limit=0", "limit=501", "limit=ten", "offset=-1", "limit=5x",
	};
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		struct http_resp r;
		char *path = xasprintf("/api/v1/organisations?%s", bad[k]);
		http_get(&srv, path, T("demo.commissioner"), &r);
		expect_error(&r, 400, "bad_query", NULL, "GET /organisations?%s: 400 bad_query", bad[k]);
		http_resp_free(&r);
		free(path);
	}
	j = orgs_query("demo.commissioner", "kind=PRACTICE&limit=500", &st);
	tap_ok(st == 200, "limit=500 is accepted");
	json_decref(j);
}

/* A practice of the commissioner's ICB that is not demo.practice's (borrowed). */
static const char *other_practice(void)
{
	size_t i;
	json_t *o;
	json_array_foreach(icb_practices, i, o) {
		if (!streq(jstr(o, "code"), own_practice))
			return jstr(o, "code");
	}
	return NULL;
}

static bool membership_well_formed(const json_t *m)
{
	json_t *end = json_object_get(m, "end_date");
	return jstr(m, "pcn") && jstr(m, "practice") && jstr(m, "name") &&
	       is_date(jstr(m, "start_date")) && (json_is_null(end) || is_date(json_string_value(end)));
}

static void test_org_one(void)
{
	long st;
	char *path = xasprintf("/api/v1/organisations/%s", own_practice);
	json_t *j = fetch(path, T("demo.practice"), &st);
	json_t *parent = json_object_get(j, "parent");
	json_t *mem = json_object_get(j, "memberships");
	bool mem_ok = json_is_array(mem) && json_array_size(mem) >= 1;
	size_t i;
	json_t *m;
	json_array_foreach(mem, i, m) {
		if (!membership_well_formed(m) || !streq(jstr(m, "practice"), own_practice))
			mem_ok = false;
	}
	tap_ok(st == 200 && jstr(j, "code") && strcmp(jstr(j, "code"), own_practice) == 0 &&
	       jstr(j, "name") && jstr(j, "kind") && strcmp(jstr(j, "kind"), "PRACTICE") == 0 &&
	       jstr(parent, "code") && jstr(parent, "name") &&
	       json_is_integer(json_object_get(j, "list_size")) &&
	       json_integer_value(json_object_get(j, "list_size")) > 0,
	       "GET /organisations/%s: 200 {code, name, kind, parent {code, name}, list_size}", own_practice);
	tap_ok(mem_ok, "its memberships list its PCN(s) {pcn, practice, name, start_date, end_date}");
	json_decref(j);

	j = fetch(path, T("demo.view"), &st);
	tap_ok(st == 200, "demo.view reads its own practice: 200");
	json_decref(j);
	free(path);

	const char *other = other_practice();
	if (!other) {
		tap_ok(false, "the demo ICB has a second practice to test scope with");
		return;
	}
	struct http_resp r;
	path = xasprintf("/api/v1/organisations/%s", other);
	http_get(&srv, path, T("demo.practice"), &r);
	tap_ok(r.status == 404 || r.status == 403,
	       "demo.practice cannot read another practice (%s): 404 or 403", other);
	tap_ok(r.status == 404 && strcmp(err_code(&r), "not_found") == 0,
	       "... and, as docs/api.md says, answers 404 not_found as if it did not exist");
	if (r.status != 404)
		diag_resp(&r);
	http_resp_free(&r);
	http_get(&srv, path, T("demo.commissioner"), &r);
	tap_ok(r.status == 200, "demo.commissioner reads that practice: 200");
	http_resp_free(&r);
	free(path);

	http_get(&srv, "/api/v1/organisations/ZZ9999", T("demo.commissioner"), &r);
	expect_error(&r, 404, "not_found", NULL, "GET /organisations/ZZ9999 (no such code): 404 not_found");
	http_resp_free(&r);

	/* The PCN: its member practices past and present. */
	path = xasprintf("/api/v1/organisations/%s", own_pcn);
	j = fetch(path, T("demo.pcn"), &st);
	mem = json_object_get(j, "memberships");
	mem_ok = json_is_array(mem) && json_array_size(mem) >= 2;
	json_array_foreach(mem, i, m) {
		if (!membership_well_formed(m) || !streq(jstr(m, "pcn"), own_pcn))
			mem_ok = false;
	}
	tap_ok(st == 200 && jstr(j, "kind") && strcmp(jstr(j, "kind"), "PCN") == 0 && mem_ok,
	       "GET /organisations/%s as demo.pcn: the PCN with its member practices", own_pcn);
	/* A PCN's grants reach its current members for viewing. */
	const char *member = NULL;
	json_array_foreach(mem, i, m) {
		if (json_is_null(json_object_get(m, "end_date"))) {
			member = jstr(m, "practice");
			break;
		}
	}
	if (member) {
		char *mp = xasprintf("/api/v1/organisations/%s", member);
		json_t *mj = fetch(mp, T("demo.pcn"), &st);
		tap_ok(st == 200, "demo.pcn reads a current member practice (%s): 200", member);
		json_decref(mj);
		free(mp);
	} else {
		tap_ok(false, "demo.pcn's PCN has a current member practice");
	}
	json_decref(j);
	free(path);

	/* The practice that moved PCN during 2024/25, if in the ICB. */
	const char *moved = NULL;
	json_array_foreach(icb_practices, i, m) {
		char *p = xasprintf("/api/v1/organisations/%s", jstr(m, "code"));
		json_t *o = fetch(p, T("demo.commissioner"), NULL);
		free(p);
		json_t *ms = json_object_get(o, "memberships");
		size_t k;
		json_t *x;
		bool ended = false, started = false;
		json_array_foreach(ms, k, x) {
			const char *e = jstr(x, "end_date"), *s = jstr(x, "start_date");
			if (e && strcmp(e, "2024-04-01") >= 0 && strcmp(e, "2025-03-31") <= 0)
				ended = true;
			if (s && strcmp(s, "2024-04-01") > 0 && strcmp(s, "2025-03-31") <= 0)
				started = true;
		}
		json_decref(o);
		if (ended && started) {
			moved = jstr(m, "code");
			break;
		}
	}
	if (moved)
		tap_ok(true, "practice %s moved PCN during 2024/25 (one membership ends, another starts)",
		       moved);
	else
		tap_skip("not in demo.commissioner's ICB", "a practice moved PCN during 2024/25");
}

/* demo.cluster sees only its cluster's practices: a non-empty, strict
 * subset of its ICB's, and the others answer 404. */
static void test_cluster_scope(void)
{
	long st;
	json_t *c0 = json_array_get(json_object_get(U("demo.cluster")->me, "clusters"), 0);
	json_t *j = orgs_query("demo.cluster", "kind=PRACTICE&limit=500", &st);
	json_t *arr = json_object_get(j, "organisations");
	bool subset = json_array_size(arr) >= 1;
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!array_has_code(icb_practices, jstr(o, "code")))
			subset = false;
	}
	const char *cl_org = jstr(c0, "organisation");
	tap_ok(cl_org && strcmp(cl_org, own_icb) == 0,
	       "demo.cluster's cluster belongs to demo.commissioner's ICB %s", own_icb);
	tap_ok(st == 200 && subset && json_array_size(arr) < json_array_size(icb_practices),
	       "demo.cluster sees some practices, all of them in the ICB, fewer than the ICB has (%zu of %zu)",
	       json_array_size(arr), json_array_size(icb_practices));
	const char *outside = NULL;
	json_array_foreach(icb_practices, i, o) {
		if (!array_has_code(arr, jstr(o, "code"))) {
			outside = jstr(o, "code");
			break;
		}
	}
	if (outside) {
		struct http_resp r;
		char *path = xasprintf("/api/v1/organisations/%s", outside);
		http_get(&srv, path, T("demo.cluster"), &r);
		expect_error(&r, 404, "not_found", NULL,
			     "demo.cluster reading a practice of its ICB outside the cluster (%s): 404", outside);
		http_resp_free(&r);
		free(path);
		path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", outside);
		http_get(&srv, path, T("demo.cluster"), &r);
		expect_error(&r, 404, "not_found", NULL,
			     "... and its services: 404");
		http_resp_free(&r);
		free(path);
	} else {
		tap_ok(false, "a practice outside the cluster exists to test with");
	}
	json_t *in = json_array_get(arr, 0);
	if (in) {
		char *path = xasprintf("/api/v1/organisations/%s", jstr(in, "code"));
		json_t *x = fetch(path, T("demo.cluster"), &st);
		tap_ok(st == 200, "demo.cluster reads a practice in its cluster (%s): 200", jstr(in, "code"));
		json_decref(x);
		free(path);
	}
	json_decref(j);
}

/* ------------------------------------------------------------ services */

static const char *const summary_fields[] = {
	"id", "code", "name", "display_name", "financial_year", "payment_type",
	"payment_type_name", "frequency", "level", "start_date", "end_date",
	"payment_period", "entry", "participation_only",
};

static bool summary_well_formed(const json_t *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(summary_fields); i++)
		if (!json_object_get(s, summary_fields[i])) {
			tap_diag("service summary lacks \"%s\"", summary_fields[i]);
			return false;
		}
	const char *pt = jstr(s, "payment_type"), *name = jstr(s, "name"), *dn = jstr(s, "display_name");
	if (!json_is_integer(json_object_get(s, "id")) || !pt || !name || !dn ||
	    !json_is_boolean(json_object_get(s, "participation_only")) ||
	    !is_date(jstr(s, "start_date")) || !is_date(jstr(s, "end_date")))
		return false;
	/* "DES — Annual — Network Contract DES 2024/25" */
	char *head = xasprintf("%s \xe2\x80\x94 ", pt);
	char *tail = xasprintf(" \xe2\x80\x94 %s", name);
	bool ok = str_has_prefix(dn, head) && strlen(dn) > strlen(tail) &&
		  strcmp(dn + strlen(dn) - strlen(tail), tail) == 0;
	if (!ok)
		tap_diag("display_name \"%s\" does not follow \"TYPE — Frequency — name\"", dn);
	free(head);
	free(tail);
	return ok;
}

static json_t *services_query(const char *user, const char *query, long *status)
{
	char *path = xasprintf("/api/v1/services%s%s", query ? "?" : "", query ? query : "");
	json_t *j = fetch(path, T(user), status);
	free(path);
	return j;
}

static void test_services_list(void)
{
	long st;
	json_t *j = services_query("demo.practice", "year=2024/25", &st);
	json_t *arr = json_object_get(j, "services");
	bool ok = st == 200 && json_array_size(arr) >= 4;
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		if (!summary_well_formed(s) || !streq(jstr(s, "financial_year"), "2024/25"))
			ok = false;
		const char *name = jstr(s, "name"), *pt = jstr(s, "payment_type");
		if (name && pt && strstr(name, "Network Contract DES") && strcmp(pt, "DES") == 0)
			ncd_id = json_integer_value(json_object_get(s, "id"));
		if (pt && strcmp(pt, "QOF") == 0)
			qof_id = json_integer_value(json_object_get(s, "id"));
	}
	tap_ok(ok, "GET /services?year=2024/25: 200, every summary complete and of 2024/25, display names "
	       "\"TYPE — Frequency — name\"");
	tap_ok(ncd_id > 0, "the 2024/25 catalogue has the Network Contract DES");
	tap_ok(qof_id > 0, "the 2024/25 catalogue has QOF");
	bool po = false, es = false;
	json_array_foreach(arr, i, s) {
		if (json_is_true(json_object_get(s, "participation_only")))
			po = true;
		if (jstr(s, "payment_type") && strcmp(jstr(s, "payment_type"), "ES") == 0)
			es = true;
	}
	tap_ok(po && es, "2024/25 also has an enhanced service and a participation-only service");
	tap_ok(!has_pence(j), "the catalogue carries no pounds");
	json_t *view = services_query("demo.view", "year=2024/25", &st);
	tap_ok(st == 200 && json_equal(view, j), "demo.view sees the same catalogue");
	json_decref(view);
	json_t *enc = services_query("demo.practice", "year=2024%2F25", &st);
	tap_ok(st == 200 && json_equal(enc, j), "year=2024%%2F25 (percent-encoded) is the same query");
	json_decref(enc);
	json_decref(j);

	j = services_query("demo.practice", "year=2024/25&payment_type=DES", &st);
	arr = json_object_get(j, "services");
	ok = st == 200 && json_array_size(arr) >= 1;
	bool has_ncd = false;
	json_array_foreach(arr, i, s) {
		if (!jstr(s, "payment_type") || strcmp(jstr(s, "payment_type"), "DES") != 0)
			ok = false;
		if (json_integer_value(json_object_get(s, "id")) == ncd_id)
			has_ncd = true;
	}
	tap_ok(ok && has_ncd, "payment_type=DES filters to DES services, the Network Contract DES among them");
	json_decref(j);

	static const char *const years[] = { "2023/24", "2025/26" };
	for (size_t k = 0; k < ARRAY_SIZE(years); k++) {
		char *q = xasprintf("year=%s&payment_type=QOF", years[k]);
		j = services_query("demo.practice", q, &st);
		arr = json_object_get(j, "services");
		tap_ok(st == 200 && json_array_size(arr) >= 1 &&
		       streq(jstr(json_array_get(arr, 0), "financial_year"), years[k]),
		       "QOF exists for %s", years[k]);
		json_decref(j);
		free(q);
	}
	j = services_query("demo.practice", NULL, &st);
	arr = json_object_get(j, "services");
	bool y23 = false, y25 = false;
	json_array_foreach(arr, i, s) {
		const char *fy = jstr(s, "financial_year");
		if (fy && strcmp(fy, "2023/24") == 0)
			y23 = true;
		if (fy && strcmp(fy, "2025/26") == 0)
			y25 = true;
	}
	tap_ok(st == 200 && y23 && y25, "GET /services without filters lists every year");
	json_decref(j);
	j = services_query("demo.practice", "year=2031/32", &st);
	tap_ok(st == 200 && json_is_array(json_object_get(j, "services")) &&
	       json_array_size(json_object_get(j, "services")) == 0,
	       "a year with no services: 200 with an empty list");
	json_decref(j);

	static const char *const bad[] = { "year=2024", "year=2024/26", "year=24/25",
					   "payment_type=XYZ" };
	for (size_t k = 0; k < ARRAY_SIZE(bad); k++) {
		struct http_resp r;
		char *path = xasprintf("/api/v1/services?%s", bad[k]);
		http_get(&srv, path, T("demo.practice"), &r);
		expect_error(&r, 400, "bad_query", NULL, "GET /services?%s: 400 bad_query", bad[k]);
		http_resp_free(&r);
		free(path);
	}
}

/* Collects every indicator of a domain/sub-domain tree into out (borrowed
 * references); false when a level is malformed. */
static bool collect_indicators(const json_t *node, json_t *out, json_t *groups)
{
	bool ok = true;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(node, "subdomains"), i, x) {
		if (!jstr(x, "name"))
			ok = false;
		ok = collect_indicators(x, out, groups) && ok;
	}
	json_array_foreach(json_object_get(node, "groups"), i, x) {
		if (!jstr(x, "code") || !jstr(x, "name") || !jstr(x, "kind") ||
		    !json_is_array(json_object_get(x, "indicators")))
			ok = false;
		json_array_append(groups, x);
		size_t k;
		json_t *ind;
		json_array_foreach(json_object_get(x, "indicators"), k, ind)
			json_array_append(out, ind);
	}
	return ok;
}

static bool indicator_well_formed(const json_t *ind)
{
	static const char *const kinds[] = { "count", "ratio", "yesno", "money", "date" };
	const char *kind = jstr(ind, "kind");
	bool kind_ok = false;
	for (size_t i = 0; kind && i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			kind_ok = true;
	json_t *pts = json_object_get(ind, "points");
	json_t *lo = json_object_get(ind, "lower_threshold"), *hi = json_object_get(ind, "upper_threshold");
	json_t *pat = json_object_get(ind, "pattern");
	bool ok = jstr(ind, "code") && jstr(ind, "description") && kind_ok &&
		  (json_is_integer(pts) || json_is_null(pts)) &&
		  (json_is_integer(lo) || json_is_null(lo)) && (json_is_integer(hi) || json_is_null(hi)) &&
		  (json_is_string(pat) || json_is_null(pat)) &&
		  json_is_boolean(json_object_get(ind, "pcn_entered"));
	if (ok && json_is_integer(lo) && json_is_integer(hi))
		ok = json_integer_value(lo) >= 0 && json_integer_value(lo) <= json_integer_value(hi) &&
		     json_integer_value(hi) <= 100;
	if (!ok) {
		char *s = json_dumps(ind, JSON_COMPACT);
		tap_diag("malformed indicator: %s", s);
		free(s);
	}
	return ok;
}

/* GET /services/{id} as user; checks the structure and returns the answer
 * (owned) with its indicators and groups (owned arrays). */
static json_t *service_detail(const char *user, json_int_t id, json_t **inds, json_t **groups,
			      bool *well_formed)
{
	long st;
	char *path = xasprintf("/api/v1/services/%lld", (long long)id);
	json_t *j = fetch(path, T(user), &st);
	free(path);
	*inds = json_array();
	*groups = json_array();
	json_t *dom = json_object_get(j, "domains");
	json_t *decl = json_object_get(j, "declaration");
	bool ok = st == 200 && summary_well_formed(j) && json_integer_value(json_object_get(j, "id")) == id &&
		  json_is_array(dom) && json_array_size(dom) >= 1 &&
		  json_is_boolean(json_object_get(decl, "required")) &&
		  json_is_boolean(json_object_get(decl, "approval_required")) &&
		  json_is_array(json_object_get(decl, "statements")) &&
		  json_is_array(json_object_get(j, "achievement_dates"));
	size_t i;
	json_t *d;
	json_array_foreach(dom, i, d) {
		if (!jstr(d, "name") || !json_is_array(json_object_get(d, "groups")) ||
		    !json_is_array(json_object_get(d, "subdomains")))
			ok = false;
		ok = collect_indicators(d, *inds, *groups) && ok;
	}
	json_array_foreach(*inds, i, d) {
		if (!indicator_well_formed(d))
			ok = false;
	}
	ok = ok && json_array_size(*inds) > 0;
	if (st != 200)
		tap_diag("GET /services/%lld as %s answered %ld", (long long)id, user, st);
	*well_formed = ok;
	return j;
}

static bool any_text_contains(const json_t *j, const char *needle)
{
	if (json_is_string(j))
		return strstr(json_string_value(j), needle) != NULL;
	const char *k;
	json_t *v;
	size_t i;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)(uintptr_t)j, k, v)
			if (any_text_contains(v, needle))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (any_text_contains(v, needle))
				return true;
	}
	return false;
}

static void test_service_detail(void)
{
	json_t *inds, *groups;
	bool wf;
	if (ncd_id <= 0 || qof_id <= 0) {
		tap_ok(false, "the services to inspect were found");
		return;
	}

	/* Network Contract DES 2024/25 as demo.practice. */
	json_t *ncd = service_detail("demo.practice", ncd_id, &inds, &groups, &wf);
	tap_ok(wf, "GET /services/%lld (Network Contract DES 2024/25): the whole structure, "
	       "domains > groups > indicators, declaration, achievement dates", (long long)ncd_id);
	tap_ok(jstr(ncd, "level") && strcasecmp(jstr(ncd, "level"), "network") == 0,
	       "the Network Contract DES is network level (got %s)", jstr(ncd, "level"));
	tap_ok(json_is_integer(json_object_get(ncd, "pence_per_point")),
	       "demo.practice (Finance View) sees pence_per_point");
	json_t *dates = json_object_get(ncd, "achievement_dates");
	bool dates_ok = json_array_size(dates) >= 12;
	int months[12] = { 0 };
	int pay = 0, nopay = 0;
	const char *prev = "";
	size_t i;
	json_t *d;
	json_array_foreach(dates, i, d) {
		const char *ds = jstr(d, "date");
		json_t *p = json_object_get(d, "payment");
		if (!is_date(ds) || !json_is_boolean(p) || strcmp(ds, prev) <= 0 ||
		    strcmp(ds, "2024-04-01") < 0 || strcmp(ds, "2025-03-31") > 0) {
			dates_ok = false;
			continue;
		}
		prev = ds;
		int y = atoi(ds), m = atoi(ds + 5);
		int idx = y == 2024 ? m - 4 : m + 8;
		if (idx >= 0 && idx < 12)
			months[idx]++;
		if (json_is_true(p))
			pay++;
		else
			nopay++;
	}
	for (int m = 0; m < 12; m++)
		if (months[m] == 0)
			dates_ok = false;
	tap_ok(dates_ok, "its achievement dates are monthly, April 2024 to March 2025, ascending");
	tap_ok(pay >= 1 && nopay >= 1, "payment dates are flagged: %d payment, %d not", pay, nopay);
	json_t *last = json_array_get(dates, json_array_size(dates) - 1);
	tap_ok(last && jstr(last, "date") && strcmp(jstr(last, "date"), "2025-03-31") == 0 &&
	       json_is_true(json_object_get(last, "payment")),
	       "31 March 2025 is a payment date");
	bool yesno = false, ratio_pair = false;
	json_array_foreach(inds, i, d) {
		if (streq(jstr(d, "kind"), "yesno"))
			yesno = true;
		if (streq(jstr(d, "kind"), "ratio") &&
		    json_is_integer(json_object_get(d, "lower_threshold")) &&
		    json_is_integer(json_object_get(d, "upper_threshold")))
			ratio_pair = true;
	}
	tap_ok(yesno, "the Network Contract DES has a tick-box (yesno) indicator");
	tap_ok(ratio_pair, "it has IIF-style ratio indicators with lower and upper thresholds");
	tap_ok(any_text_contains(json_object_get(ncd, "domains"), "CAIP") ||
	       any_text_contains(json_object_get(ncd, "domains"), "Capacity and Access"),
	       "it has the Capacity and Access (CAIP) components");
	json_decref(inds);
	json_decref(groups);

	/* demo.view: points, never pounds. */
	json_t *vncd = service_detail("demo.view", ncd_id, &inds, &groups, &wf);
	tap_ok(wf && !json_object_get(vncd, "pence_per_point"),
	       "demo.view: GET /services/%lld has no pence_per_point", (long long)ncd_id);
	tap_ok(!has_pence(vncd), "demo.view: no pounds field anywhere in the service (absent, not zero)");
	bool pts = false;
	json_array_foreach(inds, i, d) {
		if (json_is_integer(json_object_get(d, "points")))
			pts = true;
	}
	tap_ok(pts, "demo.view still sees indicator points");
	json_decref(inds);
	json_decref(groups);
	strip_pence(ncd);
	tap_ok(json_equal(ncd, vncd),
	       "apart from pounds, demo.view and demo.practice get the same structure");
	json_decref(vncd);
	json_decref(ncd);

	/* QOF 2024/25. */
	json_t *qof = service_detail("demo.practice", qof_id, &inds, &groups, &wf);
	tap_ok(wf, "GET /services/%lld (QOF 2024/25): the whole structure", (long long)qof_id);
	json_t *ppp = json_object_get(qof, "pence_per_point");
	tap_ok(json_is_integer(ppp) && json_integer_value(ppp) == 22062,
	       "QOF 2024/25 pays 22062 pence a point (got %lld)",
	       ppp ? (long long)json_integer_value(ppp) : -1LL);
	static const char *const real[] = {
		"AF006", "AF008", "AST007", "AST011", "BP002", "CAN004", "CHD005", "CHD015",
		"COPD010", "DEM004", "DM006", "DM012", "DM014", "DM034", "HF003", "HYP008",
		"HYP009", "LD004", "MH002", "SMOK002", "STIA014", "CKD005", "OST004", "PAD004",
		"NDH002", "CS005", "VI001", "QI011", "SMI021", "EP001",
	};
	int nreal = 0;
	bool codes_ok = true, group_kinds = false, groups_ok = true;
	json_array_foreach(inds, i, d) {
		const char *c = jstr(d, "code");
		if (!c) {
			codes_ok = false;
			continue;
		}
		for (size_t k = 0; k < ARRAY_SIZE(real); k++)
			if (strcmp(c, real[k]) == 0)
				nreal++;
		size_t n = strlen(c);
		if (n < 4 || !isupper((unsigned char)c[0]) || !isdigit((unsigned char)c[n - 1]))
			codes_ok = false;
	}
	json_array_foreach(groups, i, d) {
		const char *k = jstr(d, "kind");
		/* docs/api.md shows "payment"; the other kind is management
		 * information, for which the contract names no code: accept the
		 * obvious spellings. */
		if (streq(k, "payment"))
			group_kinds = true;
		else if (!streq(k, "mi") && !streq(k, "management") &&
			 !streq(k, "management_information"))
			groups_ok = false;
	}
	tap_ok(nreal >= 5 && codes_ok, "QOF 2024/25 uses real indicator codes (%d well-known ones found)", nreal);
	tap_ok(group_kinds && groups_ok,
	       "indicator groups are payment or management information (mi) groups");
	json_decref(inds);
	json_decref(groups);
	json_decref(qof);
	json_t *vq = service_detail("demo.view", qof_id, &inds, &groups, &wf);
	tap_ok(wf && !has_pence(vq), "demo.view: QOF 2024/25 without any pounds");
	json_decref(inds);
	json_decref(groups);
	json_decref(vq);

	/* Pounds follow the roles of GET /me. */
	static const char *const fin[] = { "demo.commissioner", "demo.finance", "demo.approver", "demo.pcn" };
	for (size_t k = 0; k < ARRAY_SIZE(fin); k++) {
		long st;
		char *path = xasprintf("/api/v1/services/%lld", (long long)qof_id);
		json_t *j = fetch(path, T(fin[k]), &st);
		tap_ok(st == 200 && json_integer_value(json_object_get(j, "pence_per_point")) == 22062,
		       "%s sees QOF's pence_per_point", fin[k]);
		json_decref(j);
		free(path);
	}
	{
		long st;
		char *path = xasprintf("/api/v1/services/%lld", (long long)qof_id);
		json_t *j = fetch(path, T("demo.admin"), &st);
		tap_ok(st == 200 && !has_pence(j), "demo.admin (no finance role) sees no pounds");
		json_decref(j);
		free(path);
	}

	struct http_resp r;
	http_get(&srv, "/api/v1/services/999999", T("demo.practice"), &r);
	expect_error(&r, 404, "not_found", NULL, "GET /services/999999: 404 not_found");
	http_resp_free(&r);
	static const char *const odd[] = { "0", "-1", "abc", "12abc" };
	for (size_t k = 0; k < ARRAY_SIZE(odd); k++) {
		char *path = xasprintf("/api/v1/services/%s", odd[k]);
		http_get(&srv, path, T("demo.practice"), &r);
		bool ok = (r.status == 404 && strcmp(err_code(&r), "not_found") == 0) ||
			  (r.status == 400 && strcmp(err_code(&r), "bad_query") == 0);
		tap_ok(ok, "GET /services/%s: 404 not_found or 400 bad_query", odd[k]);
		if (!ok)
			diag_resp(&r);
		http_resp_free(&r);
		free(path);
	}
}

static void test_org_services(void)
{
	long st;
	char *path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", own_practice);
	json_t *j = fetch(path, T("demo.practice"), &st);
	json_t *arr = json_object_get(j, "services");
	bool ok = st == 200 && json_array_size(arr) >= 1;
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s) {
		json_t *offer = json_object_get(s, "offer");
		const char *status = jstr(offer, "status");
		if (!summary_well_formed(s) || !json_is_integer(json_object_get(offer, "id")) || !status ||
		    (strcmp(status, "OFFERED") && strcmp(status, "APPROVED") && strcmp(status, "REJECTED") &&
		     strcmp(status, "CANCELLED")) ||
		    !streq(jstr(s, "financial_year"), "2024/25"))
			ok = false;
	}
	tap_ok(ok, "GET /organisations/%s/services?year=2024/25: summaries with offer {id, status}",
	       own_practice);
	json_t *v = fetch(path, T("demo.view"), &st);
	tap_ok(st == 200 && json_equal(v, j), "demo.view sees the same offers");
	json_decref(v);
	json_decref(j);
	free(path);

	/* The PCN has the Network Contract DES. */
	path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", own_pcn);
	j = fetch(path, T("demo.pcn"), &st);
	bool has_ncd = false;
	json_array_foreach(json_object_get(j, "services"), i, s) {
		if (json_integer_value(json_object_get(s, "id")) == ncd_id)
			has_ncd = true;
	}
	tap_ok(st == 200 && has_ncd, "demo.pcn: its PCN is offered the Network Contract DES 2024/25");
	json_decref(j);
	free(path);

	/* Offers in every status across the ICB. */
	bool seen[4] = { false, false, false, false };
	static const char *const names[] = { "OFFERED", "APPROVED", "REJECTED", "CANCELLED" };
	json_t *o;
	json_array_foreach(icb_practices, i, o) {
		path = xasprintf("/api/v1/organisations/%s/services", jstr(o, "code"));
		j = fetch(path, T("demo.commissioner"), &st);
		size_t k;
		json_array_foreach(json_object_get(j, "services"), k, s) {
			const char *status = jstr(json_object_get(s, "offer"), "status");
			for (size_t n = 0; status && n < 4; n++)
				if (strcmp(status, names[n]) == 0)
					seen[n] = true;
		}
		json_decref(j);
		free(path);
	}
	tap_ok(seen[0] && seen[1] && seen[2] && seen[3],
	       "the ICB's practices have offers in every status (offered %d, approved %d, rejected %d, "
	       "cancelled %d)", seen[0], seen[1], seen[2], seen[3]);

	const char *other = other_practice();
	struct http_resp r;
	if (other) {
		path = xasprintf("/api/v1/organisations/%s/services?year=2024/25", other);
		http_get(&srv, path, T("demo.practice"), &r);
		tap_ok(r.status == 404 || r.status == 403,
		       "demo.practice cannot list another practice's services (%s): 404 or 403", other);
		tap_ok(r.status == 404 && !has_pence(r.json) && !json_object_get(r.json, "services"),
		       "... 404 as docs/api.md says, and nothing of it leaks");
		if (r.status != 404)
			diag_resp(&r);
		http_resp_free(&r);
		free(path);
	}
	http_get(&srv, "/api/v1/organisations/ZZ9999/services", T("demo.commissioner"), &r);
	expect_error(&r, 404, "not_found", NULL, "GET /organisations/ZZ9999/services: 404 not_found");
	http_resp_free(&r);
	path = xasprintf("/api/v1/organisations/%s/services?year=twenty", own_practice);
	http_get(&srv, path, T("demo.practice"), &r);
	expect_error(&r, 400, "bad_query", NULL, "GET /organisations/%s/services?year=twenty: 400 bad_query",
		     own_practice);
	http_resp_free(&r);
	free(path);
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

	/* Lock demo.commissioner: five failures in a row. */
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
	expect_error(&r, 429, "account_locked", NULL,
		     "after five failures even the right password gets 429 account_locked");
	tap_ok(digit, "the lock message says until when (\"%s\")", msg ? msg : "");
	http_resp_free(&r);
	long st;
	char *other = sign_in(&srv, "demo.approver", PASSWORD, &st);
	tap_ok(st == 201, "the lock is per account: demo.approver still signs in");
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
	tap_ok(st == 201 && other, "after the %d s lockout demo.commissioner signs in again", LOCKOUT_S);
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
	harness_timeout(120);
	if (!tap_ok(server_start(&srv, NULL, 60), "cqrsd --demo starts on a free loopback port and says where"))
		tap_bail("cqrsd did not start");
	tap_diag("cqrsd listening at %s", srv.base);

	test_health();
	test_cli();
	test_session_ok();
	test_session_bad();
	test_failed_writes_nothing();
	test_users_and_me();
	test_no_token();
	test_revoke();
	test_org_search();
	test_org_one();
	test_cluster_scope();
	test_services_list();
	test_service_detail();
	test_org_services();
	test_http_level();
	test_too_large();
	test_log();

	int ws = server_stop(&srv, 10, tap_failed() > 0);
	tap_ok(ws >= 0 && WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "cqrsd exits 0 on SIGTERM");

	test_short_timeouts();

	for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
		free(users[i].token);
		if (users[i].me)
			json_decref(users[i].me);
	}
	if (icb_practices)
		json_decref(icb_practices);
	free(own_practice);
	free(own_icb);
	free(own_pcn);
	free(all_tokens);
	return tap_done();
}
