/* test_load_data.c: unit tests for the data loader (store_load_data.c) on
 * a temporary database and small inline tables: good rows with comments,
 * continuation lines and "-", a row with the wrong number of cells, an
 * unknown reference, a service built from its structure, and the demo's
 * own compiled-in tables. */
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

#include "server/store/store_load_data.h"
#include "server/store/store_seed.h"
#include "util.h"

/* Each test gets a fresh database in memory. */
static int setup(void **state)
{
	char err[256];
	struct store *s = store_open(":memory:", err, sizeof err);
	*state = s;
	return s ? 0 : -1;
}

static int teardown(void **state)
{
	struct store *s = *state;
	store_close(&s);
	return 0;
}

static int64_t query_int(struct db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL), SQLITE_OK);
	int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	return v;
}

static const char good[] =
	"# organisations\n"
	"[organisation]\n"
	"code | name        | kind     | parent | list_size | postcode\n"
	"X24  | NHS England | NHSE     | -      | 0         | -\n"
	"00K  | A long \\\n"
	"       ICB name    | ICB      | X24    | 0         | TS17 6BL\n"
	"\n"
	"A1   | Practice    | PRACTICE | 00K    | 1200      | TS1 1AA\n"
	"[user]\n"
	"user_id | name | email     | phone | organisation | system | roles\n"
	"u.one   | One  | one@x.net | -     | A1           | no     | VIEW FINANCE_VIEW\n";

static void test_good_rows(void **state)
{
	struct db *db = store_db(*state);
	char err[384] = "";
	struct dd *dd = dd_parse(good, "t.tables", err, sizeof err);
	assert_non_null(dd);
	assert_int_equal(dd_section(dd, "organisation")->nrow, 3);
	assert_int_equal(db_exec(db, "BEGIN"), ST_OK);
	assert_int_equal(dd_load(db, dd, "organisation", 1000000), ST_OK);
	assert_int_equal(dd_load(db, dd, "user", 1000000), ST_OK);
	/* A section the text lacks loads nothing. */
	assert_int_equal(dd_load(db, dd, "cluster", 1000000), ST_OK);
	assert_int_equal(db_exec(db, "COMMIT"), ST_OK);
	assert_string_equal(dd->err, "");
	/* The continuation joined the name; "-" is none; references resolved. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM organisation"
				       " WHERE code = '00K' AND name = 'A long ICB name'"), 1);
	assert_int_equal(query_int(db, "SELECT parent_id IS NULL FROM organisation"
				       " WHERE code = 'X24'"), 1);
	assert_int_equal(query_int(db, "SELECT p.code = '00K' FROM organisation o"
				       " JOIN organisation p ON p.id = o.parent_id WHERE o.code = 'A1'"), 1);
	assert_int_equal(query_int(db, "SELECT count(*) FROM role_grant g JOIN organisation o"
				       " ON o.id = g.org_id WHERE o.code = 'A1'"), 2);
	assert_int_equal(query_int(db, "SELECT password_set_at FROM app_user"
				       " WHERE user_id = 'u.one'"), 1000000 - 7 * 86400);
	dd_free(&dd);
	assert_null(dd);
}

static void test_bad_column_count(void **state)
{
	static const char text[] =
		"[organisation]\n"
		"code | name | kind | parent | list_size | postcode\n"
		"X24  | NHS England | NHSE | - | 0 | -\n"
		"# the next row lacks its postcode\n"
		"00K  | An ICB | ICB | X24 | 0\n";
	char err[384] = "";
	assert_null(dd_parse(text, "t.tables", err, sizeof err));
	assert_string_equal(err, "t.tables:5: [organisation]: 5 columns, but its header (line 2)"
				 " names 6");
	assert_null(dd_parse("[a]\nx | y\n1 |  \n", "e.tables", err, sizeof err));
	assert_string_equal(err, "e.tables:3: [a]: cell 2 is empty (write - for none)");
	assert_null(dd_parse("x | y\n", "r.tables", err, sizeof err));
	assert_string_equal(err, "r.tables:1: a row before any [section]");
}

static void test_unknown_reference(void **state)
{
	static const char text[] =
		"[organisation]\n"
		"code | name | kind | parent | list_size | postcode\n"
		"X24  | NHS England | NHSE | - | 0 | -\n"
		"00K  | An ICB | ICB | ZZZ | 0 | -\n"
		"[membership]\n"
		"pcn | practice | start | end\n"
		"X24 | 00K | soon | -\n";
	struct db *db = store_db(*state);
	char err[384] = "";
	struct dd *dd = dd_parse(text, "t.tables", err, sizeof err);
	assert_non_null(dd);
	assert_int_equal(db_exec(db, "BEGIN"), ST_OK);
	assert_int_equal(dd_load(db, dd, "organisation", 0), ST_INVALID);
	assert_int_equal(db_exec(db, "ROLLBACK"), ST_OK);
	assert_string_equal(dd->err, "t.tables:4: [organisation] parent: unknown organisation"
				     " \"ZZZ\"");
	dd_free(&dd);
	/* A number where a number belongs. */
	dd = dd_parse("[organisation]\ncode | name | kind | parent | list_size | postcode\n"
		      "X24 | N | NHSE | - | many | -\n", "n.tables", err, sizeof err);
	assert_non_null(dd);
	assert_int_equal(db_exec(db, "BEGIN"), ST_OK);
	assert_int_equal(dd_load(db, dd, "organisation", 0), ST_INVALID);
	assert_int_equal(db_exec(db, "ROLLBACK"), ST_OK);
	assert_string_equal(dd->err, "n.tables:3: [organisation] list_size: \"many\" is not a"
				     " whole number");
	dd_free(&dd);
}

static const char service_text[] =
	"[service]\n"
	"code | year | type | frequency | level | entry | structure | statements | dates_from |"
	" paid | payment_period | name | description\n"
	"T2425 | 2024/25 | ES | MONTHLY | PRACTICE | MANUAL | t | s | 2025-01-31 | quarters |"
	" Monthly | Test | A test service\n"
	"[service_terms]\n"
	"service | pence_per_point | national_list_size | declaration | approval |"
	" indicator_declaration | auto_accept | window_days | aspiration | unpaid_registers\n"
	"T2425 | 0 | 0 | yes | yes | no | no | 45 | 0 | no\n"
	"[statement]\n"
	"set | text\n"
	"s | First.\n"
	"s | Second.\n"
	"[domain]\n"
	"structure | name\n"
	"t | Empty\n"
	"[indicator_group]\n"
	"structure | domain | code | kind | prevalence_ppm | years | name\n"
	"t | Top / Sub | G1 | PAYMENT | 0 | 24/25 | Group one\n"
	"t | Top | G2 | MI | 0 | 24/25 | Group two\n"
	"t | Top / Sub | G3 | PAYMENT | 0 | 23/24 | Not this year\n"
	"[indicator]\n"
	"structure | group | code | years | kind | points | lower | upper | pence_per_item |"
	" pcn_entered | register | den_ppm | rate_pct | cumulative | activity | description\n"
	"t | G1 | I1 | 24/25 | count | 0 | - | - | 250 | no | - | 0 | 0 | no | no | One\n"
	"t | G2 | I2 | 24/25 | ratio | 5 | 40 | 80 | 0 | no | - | 100 | 70 | yes | no | Two\n"
	"t | G1 | I3 | 23/24 | count | 0 | - | - | 0 | no | - | 0 | 0 | no | no | Not this year\n";

static void test_service(void **state)
{
	struct db *db = store_db(*state);
	char err[384] = "";
	struct dd *dd = dd_parse(service_text, "s.tables", err, sizeof err);
	assert_non_null(dd);
	struct seed_service *s = xcalloc(1, sizeof *s);
	assert_int_equal(db_exec(db, "BEGIN"), ST_OK);
	assert_int_equal(dd_load_service(db, dd, "T2425", s), ST_OK);
	assert_int_equal(db_exec(db, "COMMIT"), ST_OK);
	assert_string_equal(s->code, "T2425");
	/* January to March: three dates, March the quarter end paid. */
	assert_int_equal(s->ndates, 3);
	assert_string_equal(s->date[0], "2025-01-31");
	assert_false(s->payment[0]);
	assert_true(s->payment[2]);
	assert_int_equal(s->nind, 2);
	assert_string_equal(s->ind[0].code, "I1");
	assert_int_equal(s->ind[0].pence_per_item, 250);
	assert_int_equal(query_int(db, "SELECT count(*) FROM declaration_statement"), 2);
	/* The listed domain first (even empty), then Top and its sub-domain. */
	assert_int_equal(query_int(db, "SELECT count(*) FROM service_domain"), 3);
	assert_int_equal(query_int(db, "SELECT position FROM service_domain WHERE name = 'Top'"),
			 2);
	assert_int_equal(query_int(db, "SELECT p.name = 'Top' FROM service_domain d JOIN"
				       " service_domain p ON p.id = d.parent_id WHERE d.name = 'Sub'"),
			 1);
	assert_int_equal(query_int(db, "SELECT lower_threshold FROM indicator WHERE code = 'I2'"),
			 40);
	/* An unknown service is an error that names the section. */
	assert_int_equal(dd_load_service(db, dd, "NOPE", s), ST_INVALID);
	assert_string_equal(dd->err, "s.tables:2: [service] has no row for NOPE");
	free(s);
	dd_free(&dd);
}

static void test_demo_tables_parse(void **state)
{
	char err[384] = "";
	struct dd *dd = dd_parse(store_demo_tables, "demo.tables", err, sizeof err);
	if (!dd)
		fail_msg("%s", err);
	assert_non_null(dd_section(dd, "organisation"));
	assert_int_equal(dd_section(dd, "service")->nrow, 10);
	assert_int_equal(dd_section(dd, "user")->nrow, 16);
	assert_int_equal(dd_section(dd, "user_state")->nrow, 3);
	dd_free(&dd);
}

int main(void)
{
	alarm(120);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_good_rows, setup, teardown),
		cmocka_unit_test(test_bad_column_count),
		cmocka_unit_test_setup_teardown(test_unknown_reference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_service, setup, teardown),
		cmocka_unit_test(test_demo_tables_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
