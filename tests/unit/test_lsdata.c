/* test_lsdata.c: unit tests for the pure parts of the list screens
 * (screens/lsdata.c): dotted paths, templates and the financial years of
 * a year drop-down. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "screens/lsdata.h"

static json_t *row(void)
{
	return json_pack("{s:i, s:{s:s, s:{s:i}}, s:s, s:n}", "id", 42, "service", "name",
			 "Minor Surgery", "offer", "n", 7, "status", "OFFERED", "none");
}

static void test_get(void **state)
{
	json_t *r = row();
	assert_int_equal(json_integer_value(ls_get(r, "id")), 42);
	assert_string_equal(json_string_value(ls_get(r, "service.name")), "Minor Surgery");
	assert_int_equal(json_integer_value(ls_get(r, "service.offer.n")), 7);
	assert_null(ls_get(r, "service.missing"));
	assert_null(ls_get(r, "status.deeper"));
	assert_null(ls_get(NULL, "id"));
	assert_ptr_equal(ls_get(r, ""), r);
	char long_key[100];
	memset(long_key, 'k', sizeof long_key - 1);
	long_key[sizeof long_key - 1] = '\0';
	assert_null(ls_get(r, long_key));
	json_decref(r);
}

static void test_text(void **state)
{
	char tmp[32];
	json_t *i = json_integer(-12), *s = json_string("x"), *t = json_true();
	assert_string_equal(ls_text(i, tmp, sizeof tmp), "-12");
	assert_string_equal(ls_text(s, tmp, sizeof tmp), "x");
	assert_string_equal(ls_text(t, tmp, sizeof tmp), "");
	assert_string_equal(ls_text(NULL, tmp, sizeof tmp), "");
	json_decref(i);
	json_decref(s);
	json_decref(t);
}

static void expect(const char *tmpl, json_t *ctx, const char *want)
{
	char *got = ls_expand(tmpl, ctx);
	assert_string_equal(got, want);
	free(got);
}

static void test_expand(void **state)
{
	json_t *ctx = json_pack("{s:o, s:i, s:s}", "row", row(), "count", 3, "Status",
				"Offered");
	expect("Withdraw Service for {row.service.name}?", ctx,
	       "Withdraw Service for Minor Surgery?");
	expect("{count} rows, {Status}", ctx, "3 rows, Offered");
	expect("{row.id}/{row.service.offer.n}", ctx, "42/7");
	expect("absent: [{row.nothing}] [{row.none}]", ctx, "absent: [] []");
	expect("no template", ctx, "no template");
	expect("open { brace", ctx, "open { brace");
	expect("{}", ctx, "");
	expect("", ctx, "");
	expect(NULL, ctx, "");
	expect("{count}", NULL, "");
	json_decref(ctx);
	ctx = json_pack("{s:s, s:s, s:i}", "date", "2025-03-31", "text", "soon", "n", 4);
	expect("on {date|date}", ctx, "on 31/03/2025");
	expect("on {date}", ctx, "on 2025-03-31");
	expect("{text|date} {n|date} [{none|date}]", ctx, "soon 4 []");
	expect("{date|other}", ctx, "2025-03-31");
	json_decref(ctx);
}

static void test_years_around(void **state)
{
	struct year_pick p;
	year_pick_around(&p, "2025/26", 1, 3);
	assert_int_equal(p.n, 5);
	assert_string_equal(p.years[0], "2026/27");
	assert_string_equal(p.years[1], "2025/26");
	assert_string_equal(p.years[4], "2022/23");
	assert_null(p.items[0]);
	year_pick_around(&p, "1999/00", 0, 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.years[0], "1999/00");
	year_pick_around(&p, "2025-26", 1, 1);
	assert_int_equal(p.n, 0);
	year_pick_around(&p, NULL, 1, 1);
	assert_int_equal(p.n, 0);
	year_pick_around(&p, "2025/26", 0, 40);
	assert_int_equal(p.n, 15); /* one place is kept for year_pick_all */
	year_pick_all(&p, "All years");
	assert_int_equal(p.n, 16);
	assert_string_equal(p.years[15], "");
	assert_string_equal(p.items[15], "All years");
	year_pick_all(&p, "Every year");
	assert_int_equal(p.n, 16);
	assert_string_equal(p.items[15], "Every year");
}

static void test_years_of(void **state)
{
	json_t *arr = json_pack("[{s:s}, {s:s}, {s:s}, {}, {s:s}]", "financial_year", "2025/26",
				"financial_year", "2024/25", "financial_year", "2025/26",
				"financial_year", "2023/24");
	struct year_pick p;
	year_pick_of(&p, arr, "financial_year");
	assert_int_equal(p.n, 4);
	assert_string_equal(p.years[0], "2025/26");
	assert_string_equal(p.years[1], "2024/25");
	assert_string_equal(p.years[2], "");
	assert_string_equal(p.years[3], "2023/24");
	year_pick_of(&p, NULL, "financial_year");
	assert_int_equal(p.n, 0);
	json_decref(arr);
}

static void test_year_before(void **state)
{
	char out[8];
	year_before("2025/26", out);
	assert_string_equal(out, "2024/25");
	year_before("2000/01", out);
	assert_string_equal(out, "1999/00");
	year_before("", out);
	assert_string_equal(out, "1999/00");
	year_before("garbage", out);
	assert_string_equal(out, "1999/00");
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_years_around),
		cmocka_unit_test(test_years_of),
		cmocka_unit_test(test_year_before),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
