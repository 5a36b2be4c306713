/* test_idempotency.c: API tests of answering twice the same (issue 13):
 * a write sent again with the same Idempotency-Key gets its first answer
 * again and is stored once (PUT of a group form, POST of an achievement
 * date), the same key with another body or path is refused 422 with
 * nothing written, one user's key does not touch another's, a malformed
 * key is 400; a version conflict caused by the user's own earlier save
 * says so and names who saved (saved_by); reads carry a strong ETag and
 * If-None-Match with it answers 304 without a body, and a changed
 * resource answers 200 with a new ETag. TAP; limited to 120 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"

static json_int_t ncd_mar, iif_g, acc_g;

/* One request with an Idempotency-Key (NULL: none) and, optionally, an
 * If-None-Match; the answer in R. */
static void keyed(const char *token, const char *method, const char *path, const char *body,
		  const char *key, const char *inm)
{
	const char *h1 = key ? F("Idempotency-Key: %s", key) : NULL;
	const char *h2 = inm ? F("If-None-Match: %s", inm) : NULL;
	const char *hs[3] = {NULL, NULL, NULL};
	int n = 0;
	if (h1)
		hs[n++] = h1;
	if (h2)
		hs[n++] = h2;
	http_resp_free(&R);
	struct http_req q = {.method = method, .path = path, .token = token, .body = body,
			     .headers = hs};
	http_do(&srv, &q, &R);
}

static int nsubs(const char *token, json_int_t ach, json_int_t gid)
{
	json_t *j = fetch(F("/api/v1/achievements/%lld/submissions?group=%lld", (long long)ach,
			    (long long)gid), token, NULL);
	int n = j ? (int)json_array_size(json_object_get(j, "submissions")) : -1;
	json_decref(j);
	return n;
}

static const char *group_path(json_int_t ach, json_int_t gid)
{
	return F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid);
}

static void test_replay(void)
{
	const char *p = T("demo.practice");
	json_int_t v = form_version(p, ncd_mar, iif_g);
	int before = nsubs(p, ncd_mar, iif_g);
	char *body = xstrdup(F("{\"mode\": \"wip\", \"version\": %lld, \"notes\": \"first try\", "
			       "\"values\": [{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"7\", "
			       "\"denominator\": \"9\"}]}", (long long)v));
	keyed(p, "PUT", group_path(ncd_mar, iif_g), body, "k-save-0001", NULL);
	char *first = xstrndup(R.body.data ? R.body.data : "", R.body.len);
	long first_status = R.status;
	ck(R.status == 200 && json_is_true(J("stored")), "a keyed save is stored (200, stored)");
	char *rep = http_header(&R, "Idempotent-Replayed");
	ck(rep == NULL, "the first answer is not marked replayed");
	free(rep);
	ck(nsubs(p, ncd_mar, iif_g) == before + 1, "one submission more");

	/* The reply was lost: the client sends the same request again. */
	keyed(p, "PUT", group_path(ncd_mar, iif_g), body, "k-save-0001", NULL);
	rep = http_header(&R, "Idempotent-Replayed");
	ck(R.status == first_status && R.body.len == strlen(first) &&
	   memcmp(R.body.data, first, R.body.len) == 0,
	   "the same key again: the first answer again (not a conflict), byte for byte");
	ck(rep && streq(rep, "true"), "... marked Idempotent-Replayed: true");
	free(rep);
	ck(nsubs(p, ncd_mar, iif_g) == before + 1, "... and nothing written twice");

	/* The same key with another body: 422, nothing written. */
	char *other = xstrdup(F("{\"mode\": \"wip\", \"version\": %lld, \"values\": [{\"indicator\": "
				"\"CAN.FIT.IIF02\", \"numerator\": \"8\", \"denominator\": \"9\"}]}",
				(long long)v));
	json_int_t v2 = form_version(p, ncd_mar, iif_g);
	keyed(p, "PUT", group_path(ncd_mar, iif_g), other, "k-save-0001", NULL);
	ck(is_err(422, "idempotency_key_reused", "Idempotency-Key", "different request"),
	   "the same key with another body: 422 idempotency_key_reused");
	ck(form_version(p, ncd_mar, iif_g) == v2 && nsubs(p, ncd_mar, iif_g) == before + 1,
	   "... and nothing written");
	keyed(p, "PUT", group_path(ncd_mar, acc_g), body, "k-save-0001", NULL);
	ck(is_err(422, "idempotency_key_reused", NULL, NULL),
	   "the same key on another path: 422");

	/* The version conflict of the user's own earlier save says so (a
	 * second save from a form opened before the first, with a new key). */
	keyed(p, "PUT", group_path(ncd_mar, iif_g), other, "k-save-0002", NULL);
	ck(R.status == 409 && contains(err_msg(), "your own earlier save") &&
	   json_is_true(json_object_get(J("saved_by"), "own")) &&
	   streq(jstr(J("saved_by"), "user_id"), "demo.practice"),
	   "a stale version after one's own save: 409 \"your own earlier save\", saved_by own");

	/* Another user's same key is independent. */
	const char *c = T("demo.commissioner");
	json_int_t vc = form_version(c, ncd_mar, iif_g);
	char *cbody = xstrdup(F("{\"mode\": \"wip\", \"version\": %lld, \"values\": [{\"indicator\": "
				"\"CAN.FIT.IIF02\", \"numerator\": \"6\", \"denominator\": \"9\"}]}",
				(long long)vc));
	keyed(c, "PUT", group_path(ncd_mar, iif_g), cbody, "k-save-0001", NULL);
	ck(R.status == 200 && json_is_true(J("stored")),
	   "another user with the same key: their own write runs (200, stored)");
	ck(nsubs(p, ncd_mar, iif_g) == before + 2, "... one submission more");

	/* Malformed keys. */
	keyed(p, "PUT", group_path(ncd_mar, iif_g), body, "bad key!", NULL);
	ck(is_err(400, "bad_header", "Idempotency-Key", NULL), "a key with spaces: 400");
	char longkey[130];
	memset(longkey, 'a', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	keyed(p, "PUT", group_path(ncd_mar, iif_g), body, longkey, NULL);
	ck(is_err(400, "bad_header", "Idempotency-Key", NULL), "a key of 129 characters: 400");

	/* A refused write is answered the same way again, and writes nothing. */
	keyed(p, "PUT", group_path(ncd_mar, iif_g), "{\"mode\": \"wip\"}", "k-bad-0001", NULL);
	long st1 = R.status;
	keyed(p, "PUT", group_path(ncd_mar, iif_g), "{\"mode\": \"wip\"}", "k-bad-0001", NULL);
	ck(st1 == 400 && R.status == 400, "a refused write's key answers the same refusal again");

	free(first);
	free(body);
	free(other);
	free(cbody);
}

static void test_conflict_names(void)
{
	const char *p = T("demo.practice"), *c = T("demo.commissioner");
	json_int_t vp = form_version(p, ncd_mar, acc_g);
	keyed(c, "PUT", group_path(ncd_mar, acc_g),
	      F("{\"mode\": \"wip\", \"version\": %lld, \"values\": [{\"indicator\": \"ACC.MI01\", "
		"\"value\": \"4000\"}]}", (long long)vp), "k-comm-0001", NULL);
	ck(R.status == 200, "the commissioner saves the ACC group");
	keyed(p, "PUT", group_path(ncd_mar, acc_g),
	      F("{\"mode\": \"wip\", \"version\": %lld, \"values\": [{\"indicator\": \"ACC.MI01\", "
		"\"value\": \"4100\"}]}", (long long)vp), "k-prac-0001", NULL);
	json_t *by = J("saved_by");
	ck(R.status == 409 && !contains(err_msg(), "your own") &&
	   streq(jstr(by, "user_id"), "demo.commissioner") && json_is_false(json_object_get(by, "own")),
	   "someone else's save: 409 naming them (saved_by demo.commissioner, own false)");
}

static void test_etag(void)
{
	const char *p = T("demo.practice");
	keyed(p, "GET", "/api/v1/tasks", NULL, NULL, NULL);
	char *etag = http_header(&R, "ETag");
	ck(R.status == 200 && etag && etag[0] == '"' && strlen(etag) == 18,
	   "GET /tasks carries a strong ETag");
	keyed(p, "GET", "/api/v1/tasks", NULL, NULL, etag ? etag : "\"x\"");
	char *etag2 = http_header(&R, "ETag");
	ck(R.status == 304 && R.body.len == 0 && etag2 && streq(etag, etag2),
	   "If-None-Match with it: 304, no body, the same ETag");
	keyed(p, "GET", "/api/v1/tasks", NULL, NULL, "\"0000\", W/" );
	ck(R.status == 200 && R.body.len > 0, "another ETag: 200 with the body");
	keyed(p, "GET", "/api/v1/tasks", NULL, NULL, F("\"0000\", W/%s", etag ? etag : ""));
	ck(R.status == 304, "a list of ETags naming it (weak form): 304");
	keyed(T("demo.commissioner"), "GET", "/api/v1/tasks", NULL, NULL, etag ? etag : "");
	ck(R.status == 200, "another user's different tasks: 200 (the ETag is of the body)");

	/* A change makes a new ETag. */
	const char *path = F("/api/v1/achievements/%lld/groups/%lld", (long long)ncd_mar,
			     (long long)iif_g);
	char *gpath = xstrdup(path);
	keyed(p, "GET", gpath, NULL, NULL, NULL);
	char *g1 = http_header(&R, "ETag");
	json_int_t v = form_version(p, ncd_mar, iif_g);
	keyed(p, "PUT", gpath, F("{\"mode\": \"wip\", \"version\": %lld, \"values\": [{\"indicator\": "
				 "\"CAN.FIT.IIF02\", \"numerator\": \"3\", \"denominator\": \"9\"}]}",
				 (long long)v), "k-etag-0001", NULL);
	ck(R.status == 200, "a save changes the group");
	char *none = http_header(&R, "ETag");
	ck(none == NULL, "a write's answer carries no ETag");
	free(none);
	keyed(p, "GET", gpath, NULL, NULL, g1 ? g1 : "");
	char *g2 = http_header(&R, "ETag");
	ck(R.status == 200 && R.body.len > 0 && g2 && g1 && !streq(g1, g2),
	   "the old ETag after the change: 200 with the new body and a new ETag");
	keyed(p, "GET", gpath, NULL, NULL, "*");
	ck(R.status == 304, "If-None-Match: * answers 304");
	free(g1);
	free(g2);
	free(gpath);
	free(etag);
	free(etag2);
}

int main(void)
{
	apitest_start(120);
	const char *p = T("demo.practice");
	if (!p || !T("demo.commissioner"))
		tap_bail("the demo users cannot sign in");
	json_int_t ncd = service_by_code(p, "NCD2425");
	ncd_mar = ach_on(p, "A81001", ncd, "2025-03-31");
	iif_g = group_of(p, ncd_mar, "IIF");
	acc_g = group_of(p, ncd_mar, "ACC");
	if (!ncd_mar || !iif_g || !acc_g)
		tap_bail("the demo achievements are not as expected");
	test_replay();
	test_conflict_names();
	test_etag();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
