/* test_readcache.c: the read cache (store_token_auth, store_me_text)
 * never serves what has changed. Each worker thread of cqrsd keeps the
 * sign-in data of recent tokens and the account part of GET /me, valid
 * only while the database holds what it held when they were read. Here
 * every change is made while the caches are warm (many requests, so both
 * worker threads have the entry), some through the API and some by
 * another process writing the database file directly (as a second cqrsd
 * would), and the very next requests must see it: a revoked token, a
 * disabled user and a withdrawn role stop working at once. Speaks TAP;
 * the whole program is limited to 60 s. */
#include "config.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"

/* Requests per check: enough to reach every worker thread. */
#define ROUNDS 12

/* Runs sql on the server's database from this process (another
 * connection, another process: what a second cqrsd would do). */
static bool other_process(const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;
	bool ok = sqlite3_open(srv.db, &h) == SQLITE_OK &&
		  sqlite3_busy_timeout(h, 5000) == SQLITE_OK &&
		  sqlite3_exec(h, sql, NULL, NULL, &msg) == SQLITE_OK;
	if (!ok)
		tap_diag("%s: %s", sql, msg ? msg : h ? sqlite3_errmsg(h) : "cannot open");
	sqlite3_free(msg);
	sqlite3_close(h);
	return ok;
}

/* ROUNDS GETs of path with tok; true when every one answered want and,
 * when needle is not NULL, every body contains it (has_it) or not. */
static bool all_answer(const char *tok, const char *path, long want, const char *needle,
		       bool has_it)
{
	for (int i = 0; i < ROUNDS; i++) {
		GET(tok, path);
		if (R.status != want)
			return false;
		if (needle && contains(R.body.data, needle) != has_it)
			return false;
	}
	return true;
}

int main(void)
{
	apitest_start(60);
	char *tok = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	char *other = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	char *view = sign_in(&srv, "demo.view", PASSWORD, NULL);
	if (!tok || !other || !view)
		tap_bail("the demo users cannot sign in");

	/* Warm: every thread has demo.practice's token and account. */
	ck(all_answer(tok, "/api/v1/me", 200, "\"Priya Shah\"", true),
	   "GET /me answers %d times in a row (the caches are warm)", ROUNDS);

	ck(other_process("UPDATE app_user SET name = 'Priya Shah-Okoro'"
			 " WHERE user_id = 'demo.practice'") &&
	   all_answer(tok, "/api/v1/me", 200, "\"Priya Shah-Okoro\"", true),
	   "a name changed by another process shows in the very next GET /me, on every thread");

	/* Pounds follow the user's roles (FINANCE_VIEW, DECLARATION_MANAGEMENT),
	 * which come from the cached sign-in data. */
	GET(tok, "/api/v1/services?year=2024/25");
	json_t *list = json_object_get(R.json, "services");
	json_int_t sid = 0;
	size_t i;
	json_t *s;
	json_array_foreach(list, i, s)
		if (contains(jstr(s, "name"), "Network Contract DES"))
			sid = jint(s, "id");
	ck(sid > 0, "the Network Contract DES 2024/25 is in the catalogue");
	const char *svc = F("/api/v1/services/%lld", (long long)sid);
	ck(all_answer(tok, svc, 200, "pence", true),
	   "GET /services/ID shows pounds to demo.practice (FINANCE_VIEW) %d times", ROUNDS);
	ck(other_process(F("UPDATE quality_service SET name = name || ' (renamed)' WHERE id = %lld",
			   (long long)sid)) &&
	   all_answer(tok, svc, 200, "(renamed)", true),
	   "a service renamed by another process: the very next GET /services/ID, on every"
	   " thread, has the new name (its cached JSON is not served)");
	ck(other_process("UPDATE role_grant SET revoked_at = 1 WHERE revoked_at IS NULL"
			 " AND role_code IN ('FINANCE_VIEW', 'DECLARATION_MANAGEMENT')"
			 " AND user_id = (SELECT id FROM app_user WHERE user_id = 'demo.practice')") &&
	   all_answer(tok, svc, 200, "pence", false),
	   "roles withdrawn by another process: the very next answers carry no pounds");
	ck(all_answer(tok, "/api/v1/me", 200, "FINANCE_VIEW", false),
	   "... and GET /me no longer lists FINANCE_VIEW");

	/* A session revoked by another process. */
	ck(all_answer(other, "/api/v1/me", 200, NULL, false), "a second token of demo.practice works");
	ck(other_process("UPDATE session SET revoked_at = 1 WHERE revoked_at IS NULL AND user_id ="
			 " (SELECT id FROM app_user WHERE user_id = 'demo.practice')") &&
	   all_answer(other, "/api/v1/me", 401, NULL, false) &&
	   all_answer(tok, "/api/v1/me", 401, NULL, false),
	   "sessions revoked by another process: 401 on the very next request, every time");

	/* Signed out through the API (the server's own writer connection). */
	ck(all_answer(view, "/api/v1/me", 200, "demo.view", true), "demo.view's token works");
	go(view, "DELETE", NULL, "/api/v1/session");
	ck(R.status == 204, "demo.view signs out (DELETE /session 204)");
	ck(all_answer(view, "/api/v1/me", 401, NULL, false),
	   "the signed-out token gets 401 on the very next request, every time");

	/* A user disabled by another process. */
	char *view2 = sign_in(&srv, "demo.view", PASSWORD, NULL);
	ck(view2 && all_answer(view2, "/api/v1/me", 200, NULL, false), "demo.view signs in again");
	ck(other_process("UPDATE app_user SET disabled = 1 WHERE user_id = 'demo.view'") &&
	   all_answer(view2, "/api/v1/me", 401, "can no longer sign in", true),
	   "a user disabled by another process: 401 on the very next request, every time");

	free(tok);
	free(other);
	free(view);
	free(view2);
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
