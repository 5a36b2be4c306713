/* test_pg_translate.c: the store's SQLite dialect translated for
 * PostgreSQL (server/store/dbi_pg.c, pg_translate and pg_insert_target):
 * every rule of the translation contract, what must stay untouched
 * (string literals, quoted identifiers, comments), and the real SCOPE_CTE
 * of server/store/store_int.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "server/store/dbi_pg.h"
#include "server/store/store_int.h"

static int np;
static bool used[PG_MAX_PARAMS];

/* The translation of sql, which must succeed (freed by the caller). */
static char *tr(const char *sql)
{
	char why[128] = "";
	char *out = pg_translate(sql, &np, used, why, sizeof why);
	if (!out)
		fail_msg("%s: %s", sql, why);
	return out;
}

static void expect(const char *sql, const char *want)
{
	char *out = tr(sql);
	if (strcmp(out, want))
		fail_msg("\n  in:   %s\n  got:  %s\n  want: %s", sql, out, want);
	free(out);
}

static void expect_has(const char *out, const char *part)
{
	if (!strstr(out, part))
		fail_msg("'%s' not in:\n%s", part, out);
}

static void expect_not(const char *out, const char *part)
{
	if (strstr(out, part))
		fail_msg("'%s' unexpectedly in:\n%s", part, out);
}

static void test_params(void **state)
{
	(void)state;
	expect("SELECT a FROM t WHERE a = ?1 AND b = ?3", "SELECT a FROM t WHERE a = $1 AND b = $3");
	assert_int_equal(np, 3);
	assert_true(used[1]);
	assert_false(used[2]);
	assert_true(used[3]);
	/* Bare ? is one more than the highest so far, as in SQLite. */
	expect("VALUES (?, ?, ?5, ?)", "VALUES ($1, $2, $5, $6)");
	assert_int_equal(np, 6);
	/* Not in literals, identifiers or comments. */
	expect("SELECT '?1', \"a?\" -- ?2\n FROM t /* ? */ WHERE x = ?",
	       "SELECT '?1', \"a?\" -- ?2\n FROM t /* ? */ WHERE x = $1");
	assert_int_equal(np, 1);
	char why[64];
	assert_null(pg_translate("SELECT ?5000", &np, used, why, sizeof why));
	assert_null(pg_translate("SELECT 'open", &np, used, why, sizeof why));
	assert_null(pg_translate("SELECT (1", &np, used, why, sizeof why));
}

static void test_functions(void **state)
{
	(void)state;
	expect("SELECT date(a, 'unixepoch'), strftime('%Y', b), julianday(c),"
	       " group_concat(d), json_extract(e, '$.x'), sum(f), instr(g, ','),"
	       " ifnull(h, 0), printf('%s%%', i) FROM t",
	       "SELECT sq_date(a, 'unixepoch'), sq_strftime('%Y', b), sq_julianday(c),"
	       " sq_group_concat(d), sq_json_extract(e, '$.x'), sq_sum(f), strpos(g, ','),"
	       " coalesce(h, 0), format('%s%%', i) FROM t");
	/* Upper case and a space before the parenthesis too; not a column
	 * named date, not a qualified name, not inside a literal. */
	expect("SELECT SUM (x), t.date, date FROM t WHERE s = 'date(x)'",
	       "SELECT sq_sum (x), t.date, date FROM t WHERE s = 'date(x)'");
	/* max/min: the aggregate with one argument stays, two or more become
	 * greatest/least; commas inside nested calls do not count. */
	expect("SELECT max(a), min(coalesce(b, 0)), max(a, b), MIN(a, max(b, c), 3) FROM t",
	       "SELECT max(a), min(coalesce(b, 0)), greatest(a, b), least(a, greatest(b, c), 3) FROM t");
}

static void test_like_in_cast(void **state)
{
	(void)state;
	expect("SELECT 1 WHERE a LIKE ?1 ESCAPE '\\' OR b NOT like 'x%'",
	       "SELECT 1 WHERE a ILIKE $1 ESCAPE '\\' OR b NOT ILIKE 'x%'");
	expect("SELECT id FROM t WHERE id IN scope OR id NOT IN temp.sub OR id IN (1, 2)"
	       " OR id IN (SELECT id FROM u)",
	       "SELECT id FROM t WHERE id IN (SELECT * FROM scope) OR id NOT IN (SELECT * FROM pg_temp.sub)"
	       " OR id IN (1, 2) OR id IN (SELECT id FROM u)");
	expect("SELECT CAST(?2 AS INTEGER), CAST(x * 1.5 AS integer), CAST(y AS TEXT), 1 AS integer",
	       "SELECT CAST($2 AS BIGINT), CAST(x * 1.5 AS BIGINT), CAST(y AS TEXT), 1 AS integer");
	expect("SELECT 1 WHERE a == 2 AND b != 3", "SELECT 1 WHERE a = 2 AND b != 3");
	expect("INSERT INTO temp.rep_scope(id) SELECT id FROM temp.x",
	       "INSERT INTO pg_temp.rep_scope(id) SELECT id FROM pg_temp.x");
}

static void test_joins(void **state)
{
	(void)state;
	/* SQLite's JOIN with no condition, CROSS JOIN with one. */
	expect("SELECT 1 FROM a JOIN (SELECT 'P' AS kind UNION ALL SELECT 'Q') k WHERE x",
	       "SELECT 1 FROM a JOIN (SELECT 'P' AS kind UNION ALL SELECT 'Q') k ON TRUE WHERE x");
	expect("SELECT 1 FROM a JOIN b ON b.id = a.id LEFT JOIN c USING (id) JOIN d",
	       "SELECT 1 FROM a JOIN b ON b.id = a.id LEFT JOIN c USING (id) JOIN d ON TRUE");
	expect("SELECT 1 FROM temp.r rs CROSS JOIN t a ON a.org_id = rs.id JOIN u ON u.id = a.id",
	       "SELECT 1 FROM pg_temp.r rs JOIN t a ON a.org_id = rs.id JOIN u ON u.id = a.id");
	expect("SELECT 1 FROM a CROSS JOIN b WHERE 1", "SELECT 1 FROM a CROSS JOIN b WHERE 1");
	/* A subquery in FROM needs an alias on PostgreSQL 15. */
	expect("SELECT * FROM (SELECT 1 UNION SELECT 2) WHERE x IN (SELECT y FROM (SELECT 3))",
	       "SELECT * FROM (SELECT 1 UNION SELECT 2) AS _s1 WHERE x IN (SELECT y FROM (SELECT 3) AS _s2)");
	expect("SELECT * FROM (SELECT 1) t, (SELECT 2) AS u JOIN (SELECT 3) v ON TRUE",
	       "SELECT * FROM (SELECT 1) t, (SELECT 2) AS u JOIN (SELECT 3) v ON TRUE");
	/* full: a column name. */
	expect("SELECT max(full) FROM m WHERE a.full OR x FULL JOIN y ON 1",
	       "SELECT max(\"full\") FROM m WHERE a.\"full\" OR x FULL JOIN y ON 1");
}

static void test_order_by(void **state)
{
	(void)state;
	expect("SELECT a FROM t ORDER BY a, b DESC, c ASC, d DESC NULLS FIRST LIMIT 5",
	       "SELECT a FROM t ORDER BY a NULLS FIRST, b DESC NULLS LAST, c ASC NULLS FIRST,"
	       " d DESC NULLS FIRST LIMIT 5");
	/* Terms with calls and commas inside; ends at OFFSET, ')' and the end. */
	expect("SELECT (SELECT x FROM u ORDER BY coalesce(x, y), z) FROM t ORDER BY f(a, b) OFFSET 2",
	       "SELECT (SELECT x FROM u ORDER BY coalesce(x, y) NULLS FIRST, z NULLS FIRST) FROM t"
	       " ORDER BY f(a, b) NULLS FIRST OFFSET 2");
	expect("SELECT a FROM t ORDER BY a DESC;", "SELECT a FROM t ORDER BY a DESC NULLS LAST;");
	expect("SELECT row_number() OVER (PARTITION BY a ORDER BY b) FROM t",
	       "SELECT row_number() OVER (PARTITION BY a ORDER BY b NULLS FIRST) FROM t");
	/* A bare id (a primary key) keeps its index order. */
	expect("SELECT a FROM t ORDER BY t.id, id DESC, a.b.id",
	       "SELECT a FROM t ORDER BY t.id, id DESC, a.b.id NULLS FIRST");
	/* COLLATE NOCASE: lower(). */
	expect("SELECT a FROM t ORDER BY u.name COLLATE NOCASE, b COLLATE NOCASE DESC LIMIT 1",
	       "SELECT a FROM t ORDER BY lower(u.name) NULLS FIRST, lower(b) DESC NULLS LAST LIMIT 1");
}

static void test_insert(void **state)
{
	(void)state;
	expect("INSERT OR IGNORE INTO t(a, b) VALUES (?1, ?2)",
	       "INSERT INTO t(a, b) VALUES ($1, $2) ON CONFLICT DO NOTHING");
	expect("INSERT OR IGNORE INTO t(a) SELECT x FROM u ORDER BY x RETURNING a",
	       "INSERT INTO t(a) SELECT x FROM u ORDER BY x NULLS FIRST ON CONFLICT DO NOTHING RETURNING a");
	expect("insert or ignore into t(a) values (1);",
	       "insert into t(a) values (1) ON CONFLICT DO NOTHING;");
	char why[64];
	assert_null(pg_translate("INSERT OR REPLACE INTO t VALUES (1)", &np, used, why, sizeof why));

	char table[64];
	assert_true(pg_insert_target("INSERT INTO Offer(a) VALUES ($1)", table, sizeof table));
	assert_string_equal(table, "offer");
	assert_true(pg_insert_target("WITH x AS (SELECT 1) INSERT INTO t(a) SELECT * FROM x ON CONFLICT"
				     " DO NOTHING", table, sizeof table));
	assert_string_equal(table, "t");
	assert_false(pg_insert_target("INSERT INTO t(a) VALUES (1) RETURNING a", table, sizeof table));
	assert_false(pg_insert_target("INSERT INTO pg_temp.x(a) VALUES (1)", table, sizeof table));
	assert_false(pg_insert_target("SELECT 1 FROM (SELECT 2) x", table, sizeof table));
	assert_false(pg_insert_target("UPDATE t SET a = 1", table, sizeof table));
}

static void test_scope_cte(void **state)
{
	(void)state;
	char *out = tr(SCOPE_CTE " SELECT 1 WHERE ?2 IN scope");
	expect_has(out, "user_id = $1 AND revoked_at IS NULL");
	expect_has(out, "($99 IS NULL OR strpos(',' || $99 || ',', ',' || role_code || ',') > 0)");
	expect_has(out, "CASE WHEN strpos(',");
	expect_has(out, "OR r.id IN (SELECT * FROM cld)");
	expect_has(out, "m.practice_id NOT IN (SELECT * FROM cld)");
	expect_has(out, "ELSE sq_group_concat(pt) END FROM reach WHERE id IN (SELECT * FROM scope) GROUP BY id");
	expect_has(out, "$2 IN (SELECT * FROM scope)");
	expect_has(out, "(SELECT d FROM business_today)");
	expect_not(out, "?");
	expect_not(out, "instr(");
	assert_int_equal(np, 99);
	assert_true(used[1] && used[2] && used[99]);
	assert_false(used[3]);
	free(out);
}

static void test_sqlstate(void **state)
{
	(void)state;
	assert_int_equal(pg_sqlstate_code("23505"), SQLITE_CONSTRAINT);
	assert_int_equal(pg_sqlstate_code("23503"), SQLITE_CONSTRAINT);
	assert_int_equal(pg_sqlstate_code("P0001"), SQLITE_CONSTRAINT);
	assert_int_equal(pg_sqlstate_code("40001"), SQLITE_BUSY);
	assert_int_equal(pg_sqlstate_code("40P01"), SQLITE_BUSY);
	assert_int_equal(pg_sqlstate_code("55P03"), SQLITE_BUSY);
	assert_int_equal(pg_sqlstate_code("57014"), SQLITE_BUSY);
	assert_int_equal(pg_sqlstate_code("42P01"), SQLITE_ERROR);
	assert_int_equal(pg_sqlstate_code(NULL), SQLITE_ERROR);
	assert_true(pg_is_conninfo("postgresql://u@h/db"));
	assert_true(pg_is_conninfo("postgres://h/db"));
	assert_true(pg_is_conninfo("postgresql:host=/tmp dbname=x"));
	assert_false(pg_is_conninfo("/var/lib/cqrs/cqrs.db"));
	assert_false(pg_is_conninfo("postgresql.db"));
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_like_in_cast),
		cmocka_unit_test(test_joins),
		cmocka_unit_test(test_order_by),
		cmocka_unit_test(test_insert),
		cmocka_unit_test(test_scope_cte),
		cmocka_unit_test(test_sqlstate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
