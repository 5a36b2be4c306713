/* apitest.c: the helpers the API test programs share (see apitest.h). */
#include "config.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"

struct server srv;
struct http_resp R;
static bool R_used;
static char *last_req; /* "METHOD path body" of the last request */
static char *ring[8];
static unsigned next;

/* The demo users signed in so far, with their GET /me answers. */
static struct demo_user {
	char *id;     /* owned */
	char *token;  /* owned; NULL when the sign-in failed */
	json_t *me;   /* owned; NULL until fetched */
} users[16];
static size_t nusers;

const char *F(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	free(ring[next % 8]);
	ring[next++ % 8] = s;
	return s;
}

void apitest_start(unsigned seconds)
{
	apitest_start_with(seconds, NULL);
}

void apitest_start_with(unsigned seconds, const char *const *extra_args)
{
	harness_timeout(seconds);
	if (!tap_ok(server_start(&srv, extra_args, 60),
		    "cqrsd --demo starts on a free loopback port and says where"))
		tap_bail("cqrsd did not start");
	tap_diag("cqrsd listening at %s", srv.base);
}

void go(const char *token, const char *method, const char *body, const char *path)
{
	if (R_used)
		http_resp_free(&R);
	free(last_req);
	last_req = xasprintf("%s %s %s", method, path, body ? body : "");
	struct http_req q = {.method = method, .path = path, .token = token, .body = body};
	http_do(&srv, &q, &R);
	R_used = true;
}

void GET(const char *token, const char *path)
{
	go(token, "GET", NULL, path);
}

void POST(const char *token, const char *path, const char *body)
{
	go(token, "POST", body, path);
}

void PUT(const char *token, const char *path, const char *body)
{
	go(token, "PUT", body, path);
}

bool ck(bool cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *name = xvasprintf(fmt, ap);
	va_end(ap);
	tap_ok(cond, "%s", name);
	if (!cond) {
		tap_diag("last request: %.600s", last_req ? last_req : "(none)");
		diag_resp(&R);
	}
	free(name);
	return cond;
}

bool streq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool contains(const char *hay, const char *needle)
{
	return hay && needle && strstr(hay, needle);
}

const char *err_msg(void)
{
	return jstr(json_object_get(R.json, "error"), "message");
}

const char *err_field(void)
{
	return jstr(json_object_get(R.json, "error"), "field");
}

bool is_err(long status, const char *code, const char *field, const char *needle)
{
	const char *m = err_msg();
	return R.status == status && streq(err_code(&R), code) && m && *m &&
	       (!field || streq(err_field(), field)) && (!needle || contains(m, needle));
}

json_int_t jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

json_t *J(const char *key)
{
	return json_object_get(R.json, key);
}

/* Counts token's open tasks about subject_type subject (of kind, when
 * kind is not NULL); *id receives the last one's id. */
static int tasks_count(const char *token, const char *subject_type, const char *kind,
		       json_int_t subject, json_int_t *id)
{
	struct http_resp r;
	http_get(&srv, "/api/v1/tasks", token, &r);
	int n = 0;
	size_t i;
	json_t *t;
	*id = 0;
	json_array_foreach(json_object_get(r.json, "tasks"), i, t)
		if ((!kind || streq(jstr(t, "kind"), kind)) &&
		    streq(jstr(t, "subject_type"), subject_type) && jint(t, "subject_id") == subject) {
			n++;
			*id = jint(t, "id");
		}
	http_resp_free(&r);
	return n;
}

json_int_t task_with(const char *token, const char *subject_type, const char *kind,
		     json_int_t subject)
{
	json_int_t id;
	tasks_count(token, subject_type, kind, subject, &id);
	return id;
}

int tasks_with(const char *token, const char *subject_type, json_int_t subject)
{
	json_int_t id;
	return tasks_count(token, subject_type, NULL, subject, &id);
}

void apitest_done(void)
{
	if (R_used)
		http_resp_free(&R);
	R_used = false;
	xfree(&last_req);
	for (size_t i = 0; i < 8; i++)
		xfree(&ring[i]);
	for (size_t i = 0; i < nusers; i++) {
		xfree(&users[i].id);
		xfree(&users[i].token);
		if (users[i].me)
			json_decref(users[i].me);
		users[i].me = NULL;
	}
	nusers = 0;
}

json_int_t service_by_code(const char *token, const char *code)
{
	GET(token, "/api/v1/services");
	size_t i;
	json_t *s;
	json_array_foreach(J("services"), i, s)
		if (streq(jstr(s, "code"), code))
			return jint(s, "id");
	tap_bail("the demo has no service %s", code);
}

json_t *fetch(const char *path, const char *token, long *status)
{
	struct http_resp r;
	http_get(&srv, path, token, &r);
	json_t *j = r.json ? json_incref(r.json) : NULL;
	if (status)
		*status = r.status;
	http_resp_free(&r);
	return j;
}

/* The demo user id, signed in on first use. */
static struct demo_user *demo_user(const char *id)
{
	for (size_t i = 0; i < nusers; i++)
		if (strcmp(users[i].id, id) == 0)
			return &users[i];
	if (nusers == ARRAY_SIZE(users))
		tap_bail("too many demo users for apitest.c");
	struct demo_user *u = &users[nusers++];
	u->id = xstrdup(id);
	u->token = sign_in(&srv, id, PASSWORD, NULL);
	u->me = NULL;
	return u;
}

const char *T(const char *user)
{
	return demo_user(user)->token;
}

json_t *ME(const char *user)
{
	struct demo_user *u = demo_user(user);
	if (!u->me && u->token) {
		long st;
		u->me = fetch("/api/v1/me", u->token, &st);
		if (st != 200 && u->me) {
			json_decref(u->me);
			u->me = NULL;
		}
	}
	return u->me;
}

json_t *me_org(const json_t *me, const char *kind)
{
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(me, "organisations"), i, o) {
		if (streq(jstr(o, "kind"), kind))
			return o;
	}
	return NULL;
}

bool array_has_code(const json_t *arr, const char *code)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		if (streq(jstr(v, "code"), code))
			return true;
	}
	return false;
}

const char *other_code(const json_t *arr, const char *code)
{
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		if (!streq(jstr(o, "code"), code))
			return jstr(o, "code");
	}
	return NULL;
}

bool is_date(const char *s)
{
	int y, m, d;
	char tail;
	return s && strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
	       s[4] == '-' && s[7] == '-' && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

bool has_pence(const json_t *j)
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

json_int_t ach_on(const char *token, const char *org, json_int_t svc, const char *date)
{
	GET(token, F("/api/v1/achievements?organisation=%s&service=%lld", org, (long long)svc));
	size_t i;
	json_t *a;
	json_array_foreach(J("achievements"), i, a)
		if (streq(jstr(a, "date"), date))
			return jint(a, "id");
	return 0;
}

json_int_t uid_of(const char *admin, const char *user_id)
{
	GET(T(admin), F("/api/v1/admin/users?q=%s&limit=500", user_id));
	size_t i;
	json_t *u;
	json_array_foreach(J("users"), i, u)
		if (streq(jstr(u, "user_id"), user_id))
			return jint(u, "id");
	return 0;
}

json_int_t group_of(const char *token, json_int_t ach, const char *code)
{
	GET(token, F("/api/v1/achievements/%lld", (long long)ach));
	size_t i;
	json_t *g;
	json_array_foreach(J("groups"), i, g)
		if (streq(jstr(g, "code"), code))
			return jint(g, "id");
	return 0;
}

json_int_t form_version(const char *token, json_int_t ach, json_int_t gid)
{
	struct http_resp r;
	http_get(&srv, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid),
		 token, &r);
	json_int_t v = json_is_integer(json_object_get(r.json, "version")) ?
		       json_integer_value(json_object_get(r.json, "version")) : -1;
	http_resp_free(&r);
	return v;
}
