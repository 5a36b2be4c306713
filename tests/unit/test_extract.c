/* test_extract.c: unit tests for the extract parser (server/rules/extract.c):
 * good files (BOM, CRLF, blank lines, quotes, every kind), every kind of
 * bad line with the line and field named, the size limit, the file
 * reader, and a 100,000-line file parsed well under a second. */
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

#include "server/rules/extract.h"
#include "util.h"

/* ---- a small catalogue standing in for the store's tables ------------------ */

struct fake {
	unsigned asked_practice, asked_indicator, asked_achievement;
	bool refuse_achievement;
	bool generated; /* also accept P00000..P00999 and I000..I099 */
};

static bool fk_practice(void *ctx, const char *code, int64_t *id, char *why, size_t whylen)
{
	struct fake *f = ctx;
	f->asked_practice++;
	if (!strcmp(code, "A81001")) {
		*id = 1;
		return true;
	}
	if (!strcmp(code, "A81002")) {
		*id = 2;
		return true;
	}
	if (!strcmp(code, "U12345")) {
		snprintf(why, whylen, "is a PCN, not a practice");
		return false;
	}
	if (f->generated && code[0] == 'P' && strlen(code) == 6) {
		*id = 1000 + atoi(code + 1);
		return true;
	}
	return false;
}

static bool fk_service(void *ctx, const char *code, int64_t *id, char *why, size_t whylen)
{
	if (!strcmp(code, "QOF2425")) {
		*id = 10;
		return true;
	}
	if (!strcmp(code, "NCD2425")) {
		*id = 20;
		return true;
	}
	return false;
}

static bool fk_date(void *ctx, int64_t service_id, const char *iso, int64_t *date_id, char *why,
		    size_t whylen)
{
	if (service_id == 10 && !strcmp(iso, "2025-03-31")) {
		*date_id = 100;
		return true;
	}
	if (service_id == 10 && !strcmp(iso, "2025-02-28")) {
		*date_id = 101;
		return true;
	}
	if (service_id == 20 && !strcmp(iso, "2025-03-31")) {
		*date_id = 200;
		return true;
	}
	if (!strcmp(iso, "2019-03-31")) {
		snprintf(why, whylen, "is before the service started");
		return false;
	}
	return false;
}

static bool fk_indicator(void *ctx, int64_t service_id, const char *code,
			 struct extract_indicator *out, char *why, size_t whylen)
{
	struct fake *f = ctx;
	f->asked_indicator++;
	static const struct {
		int64_t service;
		const char *code;
		int64_t id;
		enum value_kind kind;
	} tab[] = {
		{10, "AF001", 1000, VK_COUNT}, {10, "AF006", 1001, VK_RATIO},
		{10, "QIDC01", 1002, VK_YESNO}, {10, "MON01", 1003, VK_MONEY},
		{10, "DT01", 1004, VK_DATE}, {20, "EA.TB01", 2000, VK_YESNO},
	};
	for (size_t i = 0; i < ARRAY_SIZE(tab); i++)
		if (tab[i].service == service_id && !strcmp(tab[i].code, code)) {
			out->id = tab[i].id;
			out->kind = tab[i].kind;
			return true;
		}
	if (f->generated && service_id == 10 && code[0] == 'I' && strlen(code) == 4) {
		int n = atoi(code + 1);
		out->id = 5000 + n;
		out->kind = n % 2 ? VK_COUNT : VK_RATIO;
		return true;
	}
	return false;
}

static bool fk_achievement(void *ctx, int64_t practice_id, int64_t service_id, int64_t date_id,
			   char *why, size_t whylen)
{
	struct fake *f = ctx;
	f->asked_achievement++;
	if (f->refuse_achievement && practice_id == 2) {
		snprintf(why, whylen, "the achievement is financially approved");
		return false;
	}
	return true;
}

static struct fake fk;
static const struct extract_lookup lookup = {
	.ctx = &fk, .practice = fk_practice, .service = fk_service, .date = fk_date,
	.indicator = fk_indicator, .achievement = fk_achievement,
};

#define HDR EXTRACT_HEADER "\n"

static int parse(const char *text, struct extract_result *r)
{
	return extract_parse(text, strlen(text), &lookup, NULL, r);
}

/* Parses a one-data-line file and checks its single error text. */
static void bad_line(const char *line, const char *expected)
{
	struct extract_result r;
	char *text = xasprintf(HDR "%s\n", line);
	int rc = parse(text, &r);
	if (rc != -1 || r.nerrors != 1 || strcmp(r.errors[0].text, expected) != 0)
		fail_msg("for \"%s\": rc %d, %zu errors, first: %s (expected: %s)", line, rc,
			 r.nerrors, r.nerrors ? r.errors[0].text : "-", expected);
	assert_int_equal(r.nrows, 0);
	assert_null(r.rows);
	extract_result_free(&r);
	free(text);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_good_file(void **state)
{
	memset(&fk, 0, sizeof fk);
	const char *text =
		"\xef\xbb\xbf" "Practice,Service,Achievement_Date,Indicator,Value,Numerator,Denominator\r\n"
		"A81002,QOF2425,2025-03-31,AF001,120,,\r\n"
		"\r\n"
		"A81001,QOF2425,2025-03-31,AF006,, 45 ,60\r\n"
		"  \r\n"
		"\"A81001\",\"QOF2425\",\"2025-03-31\",\"QIDC01\",\"Yes\",\"\",\"\"\r\n"
		"A81001,QOF2425,2025-03-31,MON01,\"1,234.56\",,\r\n"
		"A81001,QOF2425,2025-03-31,DT01,2025-01-15,,\r\n"
		"A81001,QOF2425,2025-02-28,QIDC01,no,,\r\n"
		"A81001,NCD2425,2025-03-31,EA.TB01,NO,,\r\n"
		"A81001,QOF2425,2025-03-31,AF001,0,,"; /* no final line end */
	struct extract_result r;
	assert_int_equal(parse(text, &r), 0);
	assert_int_equal(r.total_errors, 0);
	assert_int_equal(r.nrows, 8);
	assert_int_equal(r.lines, 11);
	assert_int_equal(r.npractices, 2);
	assert_int_equal(r.nachs, 4);
	/* Sorted by practice, service, date, indicator. */
	const struct extract_row *x = r.rows;
	assert_int_equal(x[0].practice_id, 1);
	assert_int_equal(x[0].date_id, 100);
	assert_int_equal(x[0].line, 11);
	assert_int_equal(x[0].indicator_id, 1000);
	assert_int_equal(x[0].kind, VK_COUNT);
	assert_int_equal(x[0].value, 0);
	assert_int_equal(x[1].line, 4);
	assert_int_equal(x[1].kind, VK_RATIO);
	assert_int_equal(x[1].num, 45);
	assert_int_equal(x[1].den, 60);
	assert_int_equal(x[2].line, 6);
	assert_int_equal(x[2].value, 1);
	assert_int_equal(x[3].value, 123456);
	assert_int_equal(x[4].value, 20250115);
	assert_int_equal(x[5].date_id, 101);
	assert_int_equal(x[5].value, 0);
	assert_int_equal(x[6].service_id, 20);
	assert_int_equal(x[6].value, 0);
	assert_int_equal(x[7].practice_id, 2);
	assert_int_equal(x[7].value, 120);
	/* Achievements: (1,10,100) x5, (1,10,101), (1,20,200), (2,10,100). */
	assert_int_equal(r.achs[0].count, 5);
	assert_int_equal(r.achs[0].first, 0);
	assert_int_equal(r.achs[1].date_id, 101);
	assert_int_equal(r.achs[1].first, 5);
	assert_int_equal(r.achs[2].service_id, 20);
	assert_int_equal(r.achs[3].practice_id, 2);
	assert_int_equal(r.achs[3].count, 1);
	/* Each question asked once. */
	assert_int_equal(fk.asked_practice, 2);
	assert_int_equal(fk.asked_achievement, 4);
	extract_result_free(&r);
}

static void test_bad_lines(void **state)
{
	memset(&fk, 0, sizeof fk);
	bad_line("A81001,QOF2425,2025-03-31,AF001,120",
		 "line 2: 5 fields, expected 7 (" EXTRACT_HEADER ")");
	bad_line("A81001,QOF2425,2025-03-31,AF001,120,,,",
		 "line 2: 8 fields, expected 7 (" EXTRACT_HEADER ")");
	bad_line("A81001,QOF2425,2025-02-30,AF001,120,,",
		 "line 2, field achievement_date: 2025-02-30 is not a date (YYYY-MM-DD)");
	bad_line("A81001,QOF2425,31/03/2025,AF001,120,,",
		 "line 2, field achievement_date: 31/03/2025 is not a date (YYYY-MM-DD)");
	bad_line("A81001,QOF2425,2025-03-15,AF001,120,,",
		 "line 2, field achievement_date: 2025-03-15 is not an achievement date of"
		 " service QOF2425");
	bad_line("A81001,QOF2425,2019-03-31,AF001,120,,",
		 "line 2, field achievement_date: 2019-03-31 is before the service started");
	bad_line("A81001,QOF2425,2025-03-31,AF001,-3,,",
		 "line 2, field value: -3 is negative");
	bad_line("A81001,QOF2425,2025-03-31,AF001,2.5,,",
		 "line 2, field value: 2.5 is not a whole number");
	bad_line("A81001,QOF2425,2025-03-31,AF001,ten,,",
		 "line 2, field value: ten is not a number");
	bad_line("A81001,QOF2425,2025-03-31,AF001,,,",
		 "line 2, field value: a whole number is required");
	bad_line("A81001,QOF2425,2025-03-31,AF001,1000000000,,",
		 "line 2, field value: 1000000000 is too large (at most 999999999)");
	bad_line("A81001,QOF2425,2025-03-31,AF001,12,3,",
		 "line 2, field numerator: must be empty for a count indicator (found 3)");
	bad_line("A81001,QOF2425,2025-03-31,AF006,,61,60",
		 "line 2, field numerator: 61 is greater than the denominator 60");
	bad_line("A81001,QOF2425,2025-03-31,AF006,5,1,60",
		 "line 2, field value: must be empty for a ratio indicator (found 5)");
	bad_line("A81001,QOF2425,2025-03-31,AF006,,1,",
		 "line 2, field denominator: a whole number is required");
	bad_line("A81001,QOF2425,2025-03-31,AF006,,-1,5",
		 "line 2, field numerator: -1 is negative");
	bad_line("A81001,QOF2425,2025-03-31,QIDC01,Maybe,,",
		 "line 2, field value: must be Yes or No, not Maybe");
	bad_line("A81001,QOF2425,2025-03-31,QIDC01,1,,",
		 "line 2, field value: must be Yes or No, not 1");
	bad_line("A81001,QOF2425,2025-03-31,MON01,12.345,,",
		 "line 2, field value: 12.345 is not an amount in pounds (e.g. 1234.56)");
	bad_line("A81001,QOF2425,2025-03-31,MON01,-5.00,,",
		 "line 2, field value: -5.00 is negative");
	bad_line("A81001,QOF2425,2025-03-31,DT01,2025-13-01,,",
		 "line 2, field value: 2025-13-01 is not a date (YYYY-MM-DD)");
	bad_line("Z99999,QOF2425,2025-03-31,AF001,1,,",
		 "line 2, field practice: Z99999 is not a known practice");
	bad_line("U12345,QOF2425,2025-03-31,AF001,1,,",
		 "line 2, field practice: U12345 is a PCN, not a practice");
	bad_line("A81001,QOF9999,2025-03-31,AF001,1,,",
		 "line 2, field service: QOF9999 is not a known service");
	bad_line("A81001,NCD2425,2025-03-31,XYZ,1,,",
		 "line 2, field indicator: unknown indicator XYZ for service NCD2425");
	/* AF001 belongs to QOF, not to the NCD. */
	bad_line("A81001,NCD2425,2025-03-31,AF001,1,,",
		 "line 2, field indicator: unknown indicator AF001 for service NCD2425");
	bad_line(",QOF2425,2025-03-31,AF001,1,,", "line 2, field practice: is empty");
	bad_line("A81001,\"QOF2425,2025-03-31,AF001,1,,",
		 "line 2, field service: a double quote may only enclose a whole field");
	bad_line("A81001,QOF2425,2025-03-31,\"AF0\"01,1,,",
		 "line 2, field indicator: a double quote may only enclose a whole field");
	bad_line("A81001,QOF2425,2025-03-31,AF0\"01,1,,",
		 "line 2, field indicator: a double quote may only enclose a whole field");
	bad_line("A81001,QOF2425,2025-03-31,AF001,1\r2,,",
		 "line 2: contains a stray carriage return character");
	bad_line("A81001,QOF2425,2025-03-31,ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789,1,,",
		 "line 2, field indicator: ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 is longer than"
		 " 32 characters");
	/* Bytes that are not printable ASCII are shown as '?'. */
	bad_line("A81001,QOF2425,2025-03-31,AF\xc3\xa9,1,,",
		 "line 2, field indicator: unknown indicator AF?? for service QOF2425");
}

static void test_duplicates_and_many_errors(void **state)
{
	memset(&fk, 0, sizeof fk);
	struct extract_result r;
	const char *text = HDR
		"A81001,QOF2425,2025-03-31,AF001,1,,\n"
		"A81001,QOF2425,2025-02-28,AF001,1,,\n"
		"A81002,QOF2425,2025-03-31,AF001,1,,\n"
		"A81001,QOF2425,2025-03-31,AF001,2,,\n";
	assert_int_equal(parse(text, &r), -1);
	assert_int_equal(r.nerrors, 1);
	assert_string_equal(r.errors[0].text,
			    "line 5, field indicator: duplicate of line 2 (same practice, service,"
			    " achievement date and indicator)");
	assert_int_equal(r.errors[0].line, 5);
	assert_string_equal(r.errors[0].field, "indicator");
	assert_null(r.rows);
	extract_result_free(&r);
	/* Three of a kind, among other errors: each repeat names the first,
	 * and the errors come back in line order. */
	text = HDR
		"A81001,QOF2425,2025-03-31,AF001,1,,\n"
		"A81001,QOF2425,2025-03-31,AF006,,1,2\n"
		"A81001,QOF2425,2025-03-31,AF001,1,,\n"
		"A81001,QOF2425,2025-03-31,AF006,,3,2\n"
		"A81001,QOF2425,2025-03-31,AF001,3,,\n";
	assert_int_equal(parse(text, &r), -1);
	assert_int_equal(r.nerrors, 3);
	assert_int_equal(r.errors[0].line, 4);
	assert_non_null(strstr(r.errors[0].text, "duplicate of line 2"));
	assert_int_equal(r.errors[1].line, 5);
	assert_string_equal(r.errors[1].field, "numerator");
	assert_int_equal(r.errors[2].line, 6);
	assert_non_null(strstr(r.errors[2].text, "duplicate of line 2"));
	extract_result_free(&r);
	/* Every line is checked; max_errors kept, all counted. */
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HDR);
	for (int i = 0; i < 30; i++)
		buf_printf(&b, "A81001,QOF2425,2025-03-31,AF001,x%d,,\n", i);
	buf_puts(&b, "A81001,QOF2425,2025-03-31,AF001,1,,\n");
	struct extract_opts o = {.max_errors = 10};
	assert_int_equal(extract_parse(b.data, b.len, &lookup, &o, &r), -1);
	assert_int_equal(r.nerrors, 10);
	assert_int_equal(r.total_errors, 30);
	assert_int_equal(r.errors[9].line, 11);
	assert_int_equal(r.nrows, 0);
	extract_result_free(&r);
	buf_free(&b);
}

static void test_file_level(void **state)
{
	memset(&fk, 0, sizeof fk);
	struct extract_result r;
	assert_int_equal(parse("", &r), -1);
	assert_string_equal(r.errors[0].text, "the file is empty: it has no header line");
	assert_int_equal(r.errors[0].line, 0);
	assert_null(r.errors[0].field);
	extract_result_free(&r);
	assert_int_equal(parse(HDR "\n\n", &r), -1);
	assert_string_equal(r.errors[0].text, "the file has a header but no data lines");
	extract_result_free(&r);
	assert_int_equal(parse("practice,service,date,indicator,value,numerator,denominator\n"
			       "A81001,QOF2425,2025-03-31,AF001,1,,\n", &r), -1);
	assert_string_equal(r.errors[0].text, "line 1: the header line must be " EXTRACT_HEADER);
	assert_int_equal(r.nerrors, 1);
	extract_result_free(&r);
	assert_int_equal(parse("A81001,QOF2425,2025-03-31,AF001,1,,\n", &r), -1);
	assert_int_equal(r.errors[0].line, 1);
	extract_result_free(&r);
	assert_int_equal(parse("\n" HDR "A81001,QOF2425,2025-03-31,AF001,1,,\n", &r), -1);
	assert_string_equal(r.errors[0].text,
			    "line 1: the first line must be the header " EXTRACT_HEADER);
	extract_result_free(&r);
	/* The size limit is checked before any line is read. */
	const char *ok = HDR "A81001,QOF2425,2025-03-31,AF001,1,,\n";
	struct extract_opts o = {.max_bytes = 50};
	assert_int_equal(extract_parse(ok, strlen(ok), &lookup, &o, &r), -1);
	char want[120];
	snprintf(want, sizeof want, "the file is %zu bytes, more than the limit of 50 bytes",
		 strlen(ok));
	assert_string_equal(r.errors[0].text, want);
	assert_int_equal(r.lines, 0);
	extract_result_free(&r);
	/* A line longer than the limit, and a NUL byte. */
	char *longl = xmalloc(EXTRACT_MAX_LINE + 200);
	memset(longl, 'a', EXTRACT_MAX_LINE + 100);
	longl[EXTRACT_MAX_LINE + 100] = '\0';
	char *text = xasprintf(HDR "%s\n", longl);
	assert_int_equal(parse(text, &r), -1);
	assert_string_equal(r.errors[0].text, "line 2: longer than 1024 characters");
	extract_result_free(&r);
	free(text);
	free(longl);
	static const char nul[] = HDR "A81001,QOF2425,2025-03-31,AF\0001,1,,\n";
	assert_int_equal(extract_parse(nul, sizeof nul - 1, &lookup, NULL, &r), -1);
	assert_string_equal(r.errors[0].text, "line 2: contains a NUL character");
	extract_result_free(&r);
}

/* The caller may refuse an achievement: said once, on its first line. */
static void test_achievement_refused(void **state)
{
	memset(&fk, 0, sizeof fk);
	fk.refuse_achievement = true;
	struct extract_result r;
	const char *text = HDR
		"A81001,QOF2425,2025-03-31,AF001,1,,\n"
		"A81002,QOF2425,2025-03-31,AF001,1,,\n"
		"A81002,QOF2425,2025-03-31,AF006,,1,2\n";
	assert_int_equal(parse(text, &r), -1);
	assert_int_equal(r.total_errors, 1);
	assert_string_equal(r.errors[0].text,
			    "line 3, field practice: A81002: no values can be loaded for service"
			    " QOF2425 on 2025-03-31: the achievement is financially approved");
	extract_result_free(&r);
}

static void progress(void *ctx, size_t done, size_t total)
{
	size_t *calls = ctx;
	calls[0]++;
	calls[1] = done;
	calls[2] = total;
}

/* 100,000 lines: 1,000 practices x 100 indicators, shuffled so that no
 * two neighbouring lines share a practice. Must parse well under 1 s. */
static void test_100k_lines(void **state)
{
	memset(&fk, 0, sizeof fk);
	fk.generated = true;
	struct buf b;
	buf_init(&b);
	buf_puts(&b, HDR);
	for (int i = 0; i < 100; i++)
		for (int p = 0; p < 1000; p++) {
			if (i % 2)
				buf_printf(&b, "P%05d,QOF2425,2025-03-31,I%03d,%d,,\n", p, i, p * 7 + i);
			else
				buf_printf(&b, "P%05d,QOF2425,2025-03-31,I%03d,,%d,%d\r\n", p, i, p % 50,
					   50 + i);
		}
	size_t calls[3] = {0};
	struct extract_opts o = {.progress = progress, .progress_ctx = calls};
	struct extract_result r;
	int64_t t0 = mono_ms();
	int rc = extract_parse(b.data, b.len, &lookup, &o, &r);
	int64_t ms = mono_ms() - t0;
	printf("# 100,000 lines (%zu bytes) parsed in %lld ms\n", b.len, (long long)ms);
	assert_int_equal(rc, 0);
	assert_int_equal(r.nrows, 100000);
	assert_int_equal(r.nachs, 1000);
	assert_int_equal(r.npractices, 1000);
	assert_true(ms < 1000);
	assert_int_equal(fk.asked_practice, 1000);
	assert_int_equal(fk.asked_indicator, 100);
	assert_int_equal(fk.asked_achievement, 1000);
	for (size_t a = 0; a < r.nachs; a++)
		assert_int_equal(r.achs[a].count, 100);
	/* Practice P00007's I001 is 7 * 7 + 1. */
	const struct extract_achievement *ach = &r.achs[7];
	assert_int_equal(ach->practice_id, 1007);
	assert_int_equal(r.rows[ach->first + 1].indicator_id, 5001);
	assert_int_equal(r.rows[ach->first + 1].value, 50);
	assert_int_equal(r.rows[ach->first].num, 7);
	assert_true(calls[0] >= 2);
	assert_int_equal(calls[1], b.len);
	assert_int_equal(calls[2], b.len);
	extract_result_free(&r);
	/* One bad line at the very end spoils the whole file. */
	buf_puts(&b, "P00001,QOF2425,2025-03-31,I001,1,,\n");
	assert_int_equal(extract_parse(b.data, b.len, &lookup, NULL, &r), -1);
	assert_int_equal(r.total_errors, 1);
	assert_int_equal(r.errors[0].line, 100002);
	assert_int_equal(r.nrows, 0);
	extract_result_free(&r);
	buf_free(&b);
}

static void test_parse_file(void **state)
{
	memset(&fk, 0, sizeof fk);
	char path[] = "/tmp/cqrs-extract-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char *text = HDR "A81001,QOF2425,2025-03-31,AF001,7,,\n";
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	struct extract_result r;
	assert_int_equal(extract_parse_file(path, &lookup, NULL, &r), 0);
	assert_int_equal(r.nrows, 1);
	assert_int_equal(r.rows[0].value, 7);
	extract_result_free(&r);
	struct extract_opts o = {.max_bytes = 10};
	assert_int_equal(extract_parse_file(path, &lookup, &o, &r), -1);
	assert_non_null(strstr(r.errors[0].text, "more than the limit of 10 bytes"));
	assert_int_equal(r.lines, 0);
	extract_result_free(&r);
	unlink(path);
	assert_int_equal(extract_parse_file(path, &lookup, NULL, &r), -1);
	assert_non_null(strstr(r.errors[0].text, "cannot open"));
	assert_int_equal(r.errors[0].line, 0);
	extract_result_free(&r);
	assert_int_equal(extract_parse_file("/tmp", &lookup, NULL, &r), -1);
	assert_non_null(strstr(r.errors[0].text, "is a directory"));
	extract_result_free(&r);
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_duplicates_and_many_errors),
		cmocka_unit_test(test_file_level),
		cmocka_unit_test(test_achievement_refused),
		cmocka_unit_test(test_100k_lines),
		cmocka_unit_test(test_parse_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
