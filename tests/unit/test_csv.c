/* test_csv.c: unit tests for the one CSV writer (lib/csv.c), which the
 * server's report CSV and the client's list exports share: quoting by
 * RFC 4180 (and a field beginning or ending with a space), CRLF line
 * ends, UTF-8 passed through, and the plain-number forms of pounds,
 * points and percentages. */
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
	csv_field(&b, "Organisation");
	csv_sep(&b);
	csv_field(&b, "Points");
	csv_eol(&b);
	const char *row[] = {"Dr Smith, Jones & Partners", "say \"yes\"", "two\nlines", NULL, "",
			     "Café £5", " lead", "trail ", "cr\rhere"};
	for (size_t i = 0; i < sizeof row / sizeof row[0]; i++) {
		if (i)
			csv_sep(&b);
		csv_field(&b, row[i]);
	}
	csv_eol(&b);
	assert_string_equal(b.data, "Organisation,Points\r\n"
			    "\"Dr Smith, Jones & Partners\",\"say \"\"yes\"\"\",\"two\nlines\",,,"
			    "Café £5,\" lead\",\"trail \",\"cr\rhere\"\r\n");
	buf_free(&b);
}

static void test_pounds(void **state)
{
	char out[32];
	csv_pounds(out, 123456);
	assert_string_equal(out, "1234.56");
	csv_pounds(out, 0);
	assert_string_equal(out, "0.00");
	csv_pounds(out, -5);
	assert_string_equal(out, "-0.05");
	csv_pounds(out, 100000000000LL);
	assert_string_equal(out, "1000000000.00");
	csv_pounds(out, INT64_MIN);
	assert_string_equal(out, "-92233720368547758.08");
}

static void test_points(void **state)
{
	char out[32];
	csv_points(out, 26040);
	assert_string_equal(out, "26.04");
	csv_points(out, 26045);
	assert_string_equal(out, "26.045");
	csv_points(out, 100000);
	assert_string_equal(out, "100.00");
	csv_points(out, -1005);
	assert_string_equal(out, "-1.005");
	csv_points(out, 0);
	assert_string_equal(out, "0.00");
}

static void test_percent(void **state)
{
	char out[32];
	csv_percent(out, 875);
	assert_string_equal(out, "87.5");
	csv_percent(out, 1000);
	assert_string_equal(out, "100.0");
	csv_percent(out, 0);
	assert_string_equal(out, "0.0");
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_pounds),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_percent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
