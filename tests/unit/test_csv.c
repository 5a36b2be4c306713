/* test_csv.c: unit tests for the one CSV writer (lib/csv.c): quoting by
 * RFC 4180, CRLF line ends, UTF-8 passed through, and the plain-number
 * forms of pounds and points. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "csv.h"

static void test_fields(void **state)
{
	struct buf b;
	buf_init(&b);
	csv_field(&b, "Organisation", true);
	csv_field(&b, "Points", false);
	csv_end(&b);
	csv_field(&b, "Dr Smith, Jones & Partners", true);
	csv_field(&b, "say \"yes\"", false);
	csv_field(&b, "two\nlines", false);
	csv_field(&b, NULL, false);
	csv_field(&b, "", false);
	csv_field(&b, "Café £5", false);
	csv_end(&b);
	assert_string_equal(b.data, "Organisation,Points\r\n"
			    "\"Dr Smith, Jones & Partners\",\"say \"\"yes\"\"\",\"two\nlines\",,,"
			    "Café £5\r\n");
	buf_free(&b);
}

static void test_first_empty(void **state)
{
	struct buf b;
	buf_init(&b);
	csv_field(&b, NULL, true);
	csv_field(&b, "x", false);
	csv_field(&b, "cr\rhere", false);
	csv_end(&b);
	assert_string_equal(b.data, ",x,\"cr\rhere\"\r\n");
	buf_free(&b);
}

static void test_pounds(void **state)
{
	char out[32];
	assert_string_equal(csv_pounds(123456, out, sizeof out), "1234.56");
	assert_string_equal(csv_pounds(0, out, sizeof out), "0.00");
	assert_string_equal(csv_pounds(5, out, sizeof out), "0.05");
	assert_string_equal(csv_pounds(-50, out, sizeof out), "-0.50");
	assert_string_equal(csv_pounds(100000000000LL, out, sizeof out), "1000000000.00");
	assert_string_equal(csv_pounds(INT64_MIN, out, sizeof out), "-92233720368547758.08");
}

static void test_points(void **state)
{
	char out[32];
	assert_string_equal(csv_points(26040, out, sizeof out), "26.04");
	assert_string_equal(csv_points(26045, out, sizeof out), "26.045");
	assert_string_equal(csv_points(26100, out, sizeof out), "26.10");
	assert_string_equal(csv_points(0, out, sizeof out), "0.00");
	assert_string_equal(csv_points(-1005, out, sizeof out), "-1.005");
	assert_string_equal(csv_points(-50, out, sizeof out), "-0.05");
}

int main(void)
{
	alarm(60);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_first_empty),
		cmocka_unit_test(test_pounds),
		cmocka_unit_test(test_points),
	};
	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
