/* test_store.c: unit tests for the store layer and sign-in rules on a
 * temporary database: migrations, users, lockout, sessions, password
 * hashing, the scope rule with clusters, and append-only tables. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "server/http/auth.h"
#include "server/store/store_int.h"
#include "util.h"

static char dir[64];
static char path[128];
/* The memo test's own database (the demo's data need an empty one). */
static char mdir[64];

/* A new store in a new temporary folder d (a mkdtemp template with the
 * folder's prefix, overwritten with its name); *p its database path. */
static int open_temp(void **state, char d[64], const char *prefix, char *p, size_t plen)
{
	snprintf(d, 64, "%sXXXXXX", prefix);
	if (!mkdtemp(d))
		return -1;
	snprintf(p, plen, "%s/t.db", d);
	char err[256];
	struct store *s = store_open(p, err, sizeof err);
	*state = s;
	return s ? 0 : -1;
}

/* Closes the store and removes its folder d. */
static int close_temp(void **state, const char *d)
{
	struct store *s = *state;
	store_close(&s);
	char cmd[200];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
	return system(cmd) == 0 ? 0 : -1;
}

static int setup(void **state)
{
	return open_temp(state, dir, "/tmp/cqrs-store-", path, sizeof path);
}

static int teardown(void **state)
{
	return close_temp(state, dir);
}

static int setup_memo(void **state)
{
	char p[128];
	return open_temp(state, mdir, "/tmp/cqrs-memo-", p, sizeof p);
}

static int teardown_memo(void **state)
{
	return close_temp(state, mdir);
}

static int64_t org(struct db *db, const char *code, const char *kind, const char *parent)
{
	sqlite3_stmt *st = NULL;
	sqlite3_prepare_v2(db->sql,
		"INSERT INTO organisation(code, name, kind, parent_id)"
		" VALUES (?1, ?1, ?2, (SELECT id FROM organisation WHERE code = ?3))", -1, &st, NULL);
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	if (parent)
		sqlite3_bind_text(st, 3, parent, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	return sqlite3_last_insert_rowid(db->sql);
}

static void test_migration(void **state)
{
	struct db *db = store_db(*state);
	assert_int_equal(store_schema_version(db), (int)store_migrations[store_migrations_n - 1].version);
	assert_true(store_is_empty(db));
	/* Opening again does not re-run migrations. */
	char err[256];
	struct store *again = store_open(path, err, sizeof err);
	assert_non_null(again);
	store_close(&again);
	assert_null(again);
}

static void test_users_and_lockout(void **state)
{
	struct db *db = store_db(*state);
	char hash[160];
	assert_true(auth_hash_password("Terminal-2025", hash, sizeof hash));
	assert_true(str_has_prefix(hash, "$argon2id$"));
	assert_true(auth_verify_password(hash, "Terminal-2025"));
	assert_false(auth_verify_password(hash, "terminal-2025"));
	int64_t id;
	assert_int_equal(store_user_create(db, "t.user", "Test User", "t@nhs.net", hash, 100, &id), ST_OK);
	assert_int_equal(store_user_create(db, "T.USER", "Dup", "", hash, 100, NULL), ST_CONFLICT);
	struct user_rec u;
	assert_int_equal(store_user_by_login(db, "t.user", &u), ST_OK);
	assert_int_equal(u.id, id);
	assert_int_equal(store_user_by_login(db, "nobody", &u), ST_NOTFOUND);
	/* Sign-in failures: per user ID as typed (any case) and address. */
	struct signin_failures f = {3, 5000};
	assert_int_equal(store_signin_failures(db, "t.user", "127.0.0.1", &f), ST_OK);
	assert_int_equal(f.failures, 0);
	assert_int_equal(f.wait_until_ms, 0);
	f.failures = 5;
	f.wait_until_ms = 7000;
	assert_int_equal(store_signin_failed(db, "T.User", "127.0.0.1", 5000, &f), ST_OK);
	f.failures = 1;
	f.wait_until_ms = 0;
	assert_int_equal(store_signin_failed(db, "nobody", "127.0.0.1", 5000, &f), ST_OK);
	assert_int_equal(store_signin_failures(db, "t.user", "127.0.0.1", &f), ST_OK);
	assert_int_equal(f.failures, 5);
	assert_int_equal(f.wait_until_ms, 7000);
	assert_int_equal(store_signin_failures(db, "t.user", "127.0.0.2", &f), ST_OK);
	assert_int_equal(f.failures, 0);
	assert_int_equal(store_signin_ok(db, "t.user", "127.0.0.1"), ST_OK);
	assert_int_equal(store_signin_failures(db, "t.user", "127.0.0.1", &f), ST_OK);
	assert_int_equal(f.failures, 0);
	/* A failure a day later prunes the records idle since. */
	assert_int_equal(store_signin_failed(db, "t.user", "127.0.0.3", 5000 + 86400001, &f),
			 ST_OK);
	assert_int_equal(store_signin_failures(db, "nobody", "127.0.0.1", &f), ST_OK);
	assert_int_equal(f.failures, 0);
	char hist[8][160];
	size_t n;
	assert_int_equal(store_user_set_password(db, id, "h2", 200), ST_OK);
	assert_int_equal(store_password_history(db, id, hist, 8, &n), ST_OK);
	assert_int_equal(n, 2);
	assert_string_equal(hist[0], "h2");
}

static void test_sessions(void **state)
{
	struct db *db = store_db(*state);
	struct user_rec u;
	assert_int_equal(store_user_by_login(db, "t.user", &u), ST_OK);
	char tok[65];
	unsigned char h[32], h2[32];
	auth_new_token(tok, h);
	assert_int_equal(strlen(tok), 64);
	assert_true(auth_token_hash(tok, h2));
	assert_memory_equal(h, h2, 32);
	assert_false(auth_token_hash("zz", h2));
	assert_int_equal(store_session_create(db, u.id, h, 1000, 2000), ST_OK);
	struct session_rec s;
	assert_int_equal(store_session_lookup(db, h, 1100, 300, &s), ST_OK);
	assert_int_equal(s.uid, u.id);
	/* Idle too long, then past the absolute lifetime. */
	assert_int_equal(store_session_lookup(db, h, 1400, 300, &s), ST_NOTFOUND);
	assert_int_equal(store_session_touch(db, s.id, 1350), ST_OK);
	assert_int_equal(store_session_lookup(db, h, 1400, 300, &s), ST_OK);
	assert_int_equal(store_session_lookup(db, h, 2000, 3000, &s), ST_NOTFOUND);
	assert_int_equal(store_session_revoke(db, s.id, 1500), ST_OK);
	assert_int_equal(store_session_lookup(db, h, 1501, 3000, &s), ST_NOTFOUND);
}

static void test_scope_and_clusters(void **state)
{
	struct db *db = store_db(*state);
	org(db, "X24", "NHSE", NULL);
	org(db, "QAA", "ICB", "X24");
	org(db, "QBB", "ICB", "X24");
	int64_t p1 = org(db, "A00001", "PRACTICE", "QAA");
	int64_t p2 = org(db, "A00002", "PRACTICE", "QAA");
	int64_t p3 = org(db, "B00001", "PRACTICE", "QBB");
	int64_t pcn = org(db, "U00001", "PCN", "QAA");
	assert_int_equal(db_exec(db, "INSERT INTO pcn_membership(pcn_id, practice_id, start_date)"
				 " SELECT o.id, p.id, '2019-07-01' FROM organisation o, organisation p"
				 " WHERE o.code = 'U00001' AND p.code IN ('A00001', 'A00002')"), ST_OK);
	int64_t icb_user, pr_user, pcn_user;
	assert_int_equal(store_user_create(db, "icb.user", "I", "", NULL, 1, &icb_user), ST_OK);
	assert_int_equal(store_user_create(db, "pr.user", "P", "", NULL, 1, &pr_user), ST_OK);
	assert_int_equal(store_user_create(db, "pcn.user", "N", "", NULL, 1, &pcn_user), ST_OK);
	assert_int_equal(store_grant_role(db, icb_user, "QAA", "COMMISSIONING_MANAGEMENT", 1), ST_OK);
	assert_int_equal(store_grant_role(db, pr_user, "A00001", "VIEW", 1), ST_OK);
	assert_int_equal(store_grant_role(db, pcn_user, "U00001", "PCN_MANAGEMENT", 1), ST_OK);
	assert_int_equal(store_grant_role(db, pr_user, "NOPE", "VIEW", 1), ST_NOTFOUND);

	assert_true(store_org_in_scope(db, icb_user, p1, NULL));
	assert_true(store_org_in_scope(db, icb_user, pcn, "COMMISSIONING_MANAGEMENT"));
	assert_false(store_org_in_scope(db, icb_user, p3, NULL));
	assert_false(store_org_in_scope(db, icb_user, p1, "APPROVAL_MANAGEMENT"));
	assert_true(store_org_in_scope(db, pr_user, p1, "VIEW"));
	assert_false(store_org_in_scope(db, pr_user, p2, NULL));
	assert_true(store_org_in_scope(db, pcn_user, p2, NULL)); /* a member practice */
	assert_false(store_org_in_scope(db, pcn_user, p3, NULL));

	/* A cluster of one practice limits the ICB user to it. */
	assert_int_equal(db_exec(db, "INSERT INTO cluster(owner_org_id, name, created_at)"
				 " SELECT id, 'South', 1 FROM organisation WHERE code = 'QAA';"
				 "INSERT INTO cluster_member(cluster_id, org_id)"
				 " SELECT 1, id FROM organisation WHERE code = 'A00001';"
				 "INSERT INTO user_cluster(user_id, cluster_id)"
				 " SELECT id, 1 FROM app_user WHERE user_id = 'icb.user'"), ST_OK);
	assert_true(store_user_has_cluster(db, icb_user));
	assert_true(store_org_in_scope(db, icb_user, p1, NULL));
	assert_false(store_org_in_scope(db, icb_user, p2, NULL));
	assert_false(store_org_in_scope(db, icb_user, pcn, NULL));
	json_t *j = store_org_search_json(db, icb_user, NULL, NULL, 50, 0);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
	j = store_org_search_json(db, pr_user, "a000", NULL, 50, 0);
	assert_int_equal(json_integer_value(json_object_get(j, "total")), 1);
	json_decref(j);
}

static void test_append_only(void **state)
{
	struct db *db = store_db(*state);
	assert_int_equal(db_exec(db, "INSERT INTO audit_log(at, action, entity) VALUES (1, 'x', 'y')"),
			 ST_OK);
	assert_int_not_equal(db_exec(db, "UPDATE audit_log SET action = 'z'"), ST_OK);
	assert_int_not_equal(db_exec(db, "DELETE FROM audit_log"), ST_OK);
	/* Foreign keys are enforced. */
	assert_int_not_equal(db_exec(db, "INSERT INTO role_grant(user_id, org_id, role_code, granted_at)"
				     " VALUES (999, 999, 'VIEW', 1)"), ST_OK);
}

/* Every answer the load memo gives (store_memo.c) is the database's: on
 * the demo data, each organisation, PCN membership, achievement, final
 * figure, participation, value set, list size and achievement record is
 * asked with the memo off and on and compared; then what a load writes
 * is seen through it. */
static bool same_vals(const struct store_val *a, const struct store_val *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i].present != b[i].present || a[i].value != b[i].value || a[i].num != b[i].num ||
		    a[i].den != b[i].den || strcmp(a[i].source, b[i].source))
			return false;
	return true;
}

static void test_load_memo(void **state)
{
	struct db *db = store_db(*state);
	assert_int_equal(store_seed_demo(db), ST_OK);
	/* every achievement, with its service, organisation and date */
	sqlite3_stmt *q = NULL;
	assert_int_equal(sqlite3_prepare_v2(db->sql,
		"SELECT a.id, a.service_id, a.org_id, a.date_id, d.date, o.code FROM achievement a"
		" JOIN achievement_date d ON d.id = a.date_id JOIN organisation o ON o.id = a.org_id"
		" ORDER BY a.id", -1, &q, NULL), SQLITE_OK);
	size_t checked = 0, finals = 0, members = 0;
	while (sqlite3_step(q) == SQLITE_ROW) {
		int64_t ach = sqlite3_column_int64(q, 0), svc = sqlite3_column_int64(q, 1),
			org = sqlite3_column_int64(q, 2), date_id = sqlite3_column_int64(q, 3);
		char date[11], code[16];
		snprintf(date, sizeof date, "%s", (const char *)sqlite3_column_text(q, 4));
		snprintf(code, sizeof code, "%s", (const char *)sqlite3_column_text(q, 5));
		struct calc_def_row *defs = NULL;
		size_t n = 0;
		assert_int_equal(store_calc_defs(db, svc, &defs, &n), ST_OK);
		struct store_val *v[2] = {xcalloc(n + 1, sizeof **v), xcalloc(n + 1, sizeof **v)};
		struct org_rec o[2], oc[2];
		struct ach_rec a[2];
		int64_t pcn[2] = {0, 0}, size[2] = {0, 0}, found[2] = {0, 0};
		enum st pst[2], fst[2], sst[2];
		bool fin[2], part[2], on[2];
		char since[2][11] = {"", ""};
		for (int k = 0; k < 2; k++) {
			if (k)
				store_memo_begin(db);
			assert_int_equal(store_org_get(db, org, &o[k]), ST_OK);
			assert_int_equal(store_org_by_code(db, code, &oc[k]), ST_OK);
			pst[k] = store_pcn_of_practice(db, org, date, &pcn[k]);
			fst[k] = store_achievement_find(db, svc, org, date_id, &found[k]);
			fin[k] = store_final_since(db, ach, since[k]);
			part[k] = store_participates(db, svc, org);
			on[k] = store_participates_on(db, svc, org, date);
			assert_int_equal(store_values_get(db, ach, defs, n, v[k]), ST_OK);
			sst[k] = store_list_size_on(db, org, date, &size[k]);
			assert_int_equal(store_achievement_get(db, ach, &a[k]), ST_OK);
			if (k)
				store_memo_end(db);
		}
		assert_memory_equal(&o[0], &o[1], sizeof o[0]);
		assert_memory_equal(&oc[0], &oc[1], sizeof oc[0]);
		assert_int_equal(pst[0], pst[1]);
		assert_int_equal(pcn[0], pcn[1]);
		assert_int_equal(fst[0], ST_OK);
		assert_int_equal(fst[1], ST_OK);
		assert_int_equal(found[0], ach);
		assert_int_equal(found[1], ach);
		assert_int_equal(fin[0], fin[1]);
		assert_string_equal(since[0], since[1]);
		assert_int_equal(part[0], part[1]);
		assert_int_equal(on[0], on[1]);
		assert_true(same_vals(v[0], v[1], n));
		assert_int_equal(sst[0], sst[1]);
		assert_int_equal(size[0], size[1]);
		assert_memory_equal(&a[0], &a[1], sizeof a[0]);
		finals += fin[0];
		members += pst[0] == ST_OK;
		checked++;
		free(v[0]);
		free(v[1]);
		free(defs);
	}
	sqlite3_finalize(q);
	/* the demo has final figures and PCN members: both kinds of answer */
	assert_true(checked > 100);
	assert_true(finals > 0);
	assert_true(members > 0);

	/* What a load writes is seen through the memo: a value, a status, a
	 * new achievement; a code that is no organisation is not found. */
	int64_t ach = 0, svc = 0, org = 0, date_id = 0, ind = 0;
	assert_int_equal(sqlite3_prepare_v2(db->sql,
		"SELECT v.achievement_id, a.service_id, a.org_id, a.date_id, v.indicator_id"
		" FROM achievement_value v JOIN achievement a ON a.id = v.achievement_id"
		" WHERE v.numerator IS NULL AND NOT EXISTS (SELECT 1 FROM declaration d"
		" WHERE d.achievement_id = a.id AND d.status = 'FINANCIALLY_APPROVED') LIMIT 1",
		-1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	ach = sqlite3_column_int64(q, 0);
	svc = sqlite3_column_int64(q, 1);
	org = sqlite3_column_int64(q, 2);
	date_id = sqlite3_column_int64(q, 3);
	ind = sqlite3_column_int64(q, 4);
	sqlite3_finalize(q);
	struct calc_def_row *defs = NULL;
	size_t n = 0;
	assert_int_equal(store_calc_defs(db, svc, &defs, &n), ST_OK);
	struct store_val *v = xcalloc(n + 1, sizeof *v);
	store_memo_begin(db);
	assert_int_equal(store_values_get(db, ach, defs, n, v), ST_OK); /* read */
	struct ind_val nv = {424242, 0, 0};
	assert_int_equal(store_value_put(db, ach, ind, &nv, false, "EXTRACT", 0), ST_OK);
	assert_int_equal(store_values_get(db, ach, defs, n, v), ST_OK);
	bool seen = false;
	for (size_t i = 0; i < n; i++)
		if (defs[i].id == ind)
			seen = v[i].present && v[i].value == 424242 && !strcmp(v[i].source, "EXTRACT");
	assert_true(seen);
	struct ach_rec ar;
	assert_int_equal(store_achievement_get(db, ach, &ar), ST_OK);
	assert_int_equal(store_achievement_set_status(db, ach, "AWAITING_RECALCULATION"), ST_OK);
	assert_int_equal(store_achievement_get(db, ach, &ar), ST_OK);
	assert_string_equal(ar.status, "AWAITING_RECALCULATION");
	int64_t other = 0, made = 0;
	assert_int_equal(sqlite3_prepare_v2(db->sql,
		"SELECT o.id FROM organisation o WHERE o.kind = 'PRACTICE' AND NOT EXISTS"
		" (SELECT 1 FROM achievement a WHERE a.org_id = o.id AND a.service_id = ?1"
		" AND a.date_id = ?2) LIMIT 1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_int64(q, 1, svc);
	sqlite3_bind_int64(q, 2, date_id);
	if (sqlite3_step(q) == SQLITE_ROW)
		other = sqlite3_column_int64(q, 0);
	sqlite3_finalize(q);
	if (other) {
		assert_int_equal(store_achievement_find(db, svc, other, date_id, &made), ST_NOTFOUND);
		assert_int_equal(store_achievement_create(db, svc, other, date_id, &made), ST_OK);
		int64_t again = 0;
		assert_int_equal(store_achievement_find(db, svc, other, date_id, &again), ST_OK);
		assert_int_equal(again, made);
		assert_false(store_final_since(db, made, NULL));
	}
	struct org_rec none;
	assert_int_equal(store_org_by_code(db, "NO-SUCH-ORG", &none), ST_NOTFOUND);
	store_memo_end(db);
	(void)org;
	free(v);
	free(defs);
}

int main(void)
{
	alarm(120);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	if (!auth_init())
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migration),
		cmocka_unit_test(test_users_and_lockout),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_scope_and_clusters),
		cmocka_unit_test(test_append_only),
		cmocka_unit_test_setup_teardown(test_load_memo, setup_memo, teardown_memo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
