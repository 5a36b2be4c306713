/* test_common.c: unit tests for the shared library: dates, money, strict
 * JSON, field validation and the password policy. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "dates.h"
#include "jsonx.h"
#include "money.h"
#include "util.h"
#include "validate.h"
#include "password.h"

static void test_dates(void **state)
{
	struct ymd d;
	assert_true(date_parse("2024-02-29", &d));
	assert_int_equal(d.y, 2024);
	assert_false(date_valid("2023-02-29"));
	assert_false(date_valid("2024-13-01"));
	assert_false(date_valid("2024-1-01"));
	assert_false(date_valid("31/03/2025"));
	assert_true(date_is_month_end("2025-03-31"));
	assert_true(date_is_month_end("2024-02-29"));
	assert_false(date_is_month_end("2025-03-30"));
	char fy[8], s[11], e[11], out[11];
	assert_true(date_financial_year("2025-03-31", fy));
	assert_string_equal(fy, "2024/25");
	assert_true(date_financial_year("2024-04-01", fy));
	assert_string_equal(fy, "2024/25");
	assert_true(fy_bounds("2024/25", s, e));
	assert_string_equal(s, "2024-04-01");
	assert_string_equal(e, "2025-03-31");
	assert_false(fy_valid("2024/26"));
	assert_false(fy_valid("2024-25"));
	date_display("2025-03-31", out);
	assert_string_equal(out, "31/03/2025");
	assert_true(date_add_days("2025-02-28", 1, out));
	assert_string_equal(out, "2025-03-01");
}

static void test_money(void **state)
{
	char buf[32];
	assert_string_equal(money_format(1492471, buf, sizeof buf), "\xc2\xa3" "14,924.71");
	assert_string_equal(money_format(0, buf, sizeof buf), "\xc2\xa3" "0.00");
	assert_string_equal(money_format(-5, buf, sizeof buf), "-\xc2\xa3" "0.05");
	assert_string_equal(money_format(100000000, buf, sizeof buf), "\xc2\xa3" "1,000,000.00");
	int64_t p;
	assert_true(money_parse("1,234.5", &p));
	assert_int_equal(p, 123450);
	assert_true(money_parse("\xc2\xa3" "12", &p));
	assert_int_equal(p, 1200);
	assert_false(money_parse("12.345", &p));
	assert_false(money_parse("abc", &p));
	assert_false(money_parse(".5", &p));
	/* The rounding rule: halves away from zero. */
	assert_int_equal(div_round_half_away(5, 2), 3);
	assert_int_equal(div_round_half_away(-5, 2), -3);
	assert_int_equal(div_round_half_away(4, 3), 1);
	assert_int_equal(div_round_half_away(5, 3), 2);
}

static void test_json_strict(void **state)
{
	struct jx_error err;
	const char *dup = "{\"a\": 1, \"a\": 2}";
	assert_null(jx_parse_object(dup, strlen(dup), &err));
	assert_null(jx_parse_object("[1]", 3, &err));
	assert_null(jx_parse_object("{", 1, &err));
	assert_null(jx_parse_object("", 0, &err));
	const char *ok = "{\"user_id\": \"x\", \"n\": 3}";
	json_t *j = jx_parse_object(ok, strlen(ok), &err);
	assert_non_null(j);
	const char *uid = NULL;
	json_int_t n = 0;
	struct jx_field spec[] = {
		{"user_id", JX_STRING, true, &uid, 10, false},
		{"n", JX_INT, true, &n, 0, false},
	};
	assert_true(jx_unpack(j, spec, 2, &err));
	assert_string_equal(uid, "x");
	assert_int_equal(n, 3);
	struct jx_field spec_short[] = {{"user_id", JX_STRING, true, &uid, 10, false}};
	assert_false(jx_unpack(j, spec_short, 1, &err));
	assert_string_equal(err.field, "n");
	struct jx_field spec_type[] = {
		{"user_id", JX_INT, true, &n, 0, false},
		{"n", JX_INT, true, &n, 0, false},
	};
	assert_false(jx_unpack(j, spec_type, 2, &err));
	assert_string_equal(err.field, "user_id");
	json_decref(j);
	const char *longs = "{\"user_id\": \"abcdefghijklmnop\"}";
	j = jx_parse_object(longs, strlen(longs), &err);
	assert_false(jx_unpack(j, spec_short, 1, &err));
	json_decref(j);
}

static void test_values(void **state)
{
	int64_t v;
	char why[128];
	assert_true(value_check(VK_COUNT, NULL, "42", &v, why, sizeof why));
	assert_int_equal(v, 42);
	assert_false(value_check(VK_COUNT, NULL, "-1", &v, why, sizeof why));
	assert_false(value_check(VK_COUNT, NULL, "4.2", &v, why, sizeof why));
	assert_false(value_check(VK_COUNT, NULL, "", &v, why, sizeof why));
	assert_false(value_check(VK_COUNT, NULL, "1234567890", &v, why, sizeof why));
	assert_true(value_check(VK_YESNO, NULL, "Yes", &v, why, sizeof why));
	assert_int_equal(v, 1);
	assert_true(value_check(VK_YESNO, NULL, "n", &v, why, sizeof why));
	assert_int_equal(v, 0);
	assert_false(value_check(VK_YESNO, NULL, "maybe", &v, why, sizeof why));
	assert_true(value_check(VK_MONEY, NULL, "1,234.56", &v, why, sizeof why));
	assert_int_equal(v, 123456);
	assert_false(value_check(VK_MONEY, NULL, "12.345", &v, why, sizeof why));
	assert_true(value_check(VK_DATE, NULL, "31/03/2025", &v, why, sizeof why));
	assert_int_equal(v, 20250331);
	assert_false(value_check(VK_DATE, NULL, "31/02/2025", &v, why, sizeof why));
	/* A service-supplied pattern narrows the kind. */
	assert_true(value_check(VK_COUNT, "[0-9]{1,3}", "999", &v, why, sizeof why));
	assert_false(value_check(VK_COUNT, "[0-9]{1,3}", "1000", &v, why, sizeof why));
	assert_false(value_check(VK_COUNT, "([", "1", &v, why, sizeof why));
	char err[100];
	assert_int_equal(re_match_full("([", "x", err, sizeof err), -1);
}

static void test_password_policy(void **state)
{
	assert_int_equal(password_check_text("demo.practice", "Terminal-2025"), PW_OK);
	assert_int_equal(password_check_text("demo.practice", "Short1!"), PW_LENGTH);
	assert_int_equal(password_check_text("demo.practice", "alllowercaseletters"), PW_CLASSES);
	assert_int_equal(password_check_text("demo.practice", "abcdefgh12345678"), PW_CLASSES);
	assert_int_equal(password_check_text("demo.practice", "abcdefgh1234567!"), PW_OK);
	assert_int_equal(password_check_text("demo.practice", "Practice-2025"), PW_USER_ID);
	assert_int_equal(password_check_text("demo.practice", "xDEMOx-2025a"), PW_USER_ID);
	assert_int_equal(password_check_text("jsmith", "xJSMITHx-2025"), PW_USER_ID);
	/* parts split at digits; parts under 4 characters are allowed */
	assert_int_equal(password_check_text("jane.smith2", "Smith-x-2025"), PW_USER_ID);
	assert_int_equal(password_check_text("al.bo", "Al-Bo-2025x"), PW_OK);
	assert_int_equal(password_check_text("demo.practice",
					     "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!X"), PW_LENGTH);
	assert_string_equal(password_rule_key(PW_FREQUENCY), "frequency");
	/* the frequency rule before the history, only when asked */
	const char hist[1][160] = {"h"};
	struct pw_context c = {.user_id = "a.b", .history = hist, .nhistory = 1,
			       .set_at = 1000, .now = 1000 + 3600, .frequency = true};
	int64_t next = 0;
	assert_int_equal(password_check(&c, "Good-Pass-2025", &next), PW_FREQUENCY);
	assert_int_equal(next, 1000 + PASSWORD_MIN_AGE);
	c.frequency = false;
	assert_int_equal(password_check(&c, "Good-Pass-2025", NULL), PW_OK);
	assert_true(user_id_valid("demo.practice"));
	assert_false(user_id_valid("a b"));
	assert_false(user_id_valid("ab"));
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_money),
		cmocka_unit_test(test_json_strict),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_password_policy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
