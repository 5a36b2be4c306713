/* fuzz_extract.c: libFuzzer target for the extract parser
 * (server/rules/extract.c): extract_parse of any bytes, with look-ups
 * that know a small made-up catalogue (practices A00000-A99999 but
 * A99999, which "is a PCN"; services QOF2425 and NCD2425; month ends as
 * achievement dates; indicators whose kind follows their first letter)
 * so that valid lines reach the deeper checks: kinds, duplicates,
 * grouping and sorting. A valid file's rows are checked for order. */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/rules/extract.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool practice(void *ctx, const char *code, int64_t *id, char *why, size_t whylen)
{
	(void)ctx;
	if (strlen(code) != 6 || code[0] != 'A')
		return false;
	for (int i = 1; i < 6; i++)
		if (!isdigit((unsigned char)code[i]))
			return false;
	if (!strcmp(code, "A99999")) {
		snprintf(why, whylen, "is a PCN, not a practice");
		return false;
	}
	*id = atoi(code + 1) + 1;
	return true;
}

static bool service(void *ctx, const char *code, int64_t *id, char *why, size_t whylen)
{
	(void)ctx, (void)why, (void)whylen;
	if (!strcmp(code, "QOF2425"))
		*id = 1;
	else if (!strcmp(code, "NCD2425"))
		*id = 2;
	else
		return false;
	return true;
}

static bool date(void *ctx, int64_t svc, const char *iso, int64_t *date_id, char *why,
		 size_t whylen)
{
	(void)ctx;
	int y, m, d;
	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	if (d < 28) {
		snprintf(why, whylen, "is not an achievement date of service %lld", (long long)svc);
		return false;
	}
	*date_id = (int64_t)(y * 10000 + m * 100 + d);
	return true;
}

static bool indicator(void *ctx, int64_t svc, const char *code, struct extract_indicator *out,
		      char *why, size_t whylen)
{
	(void)ctx, (void)why, (void)whylen;
	static const enum value_kind kinds[] = {VK_COUNT, VK_YESNO, VK_MONEY, VK_DATE, VK_RATIO};
	if (!*code || code[0] < 'A' || code[0] > 'E')
		return false;
	out->kind = kinds[code[0] - 'A'];
	out->id = svc * 1000 + (int64_t)strlen(code) * 10 + (code[0] - 'A');
	return true;
}

static bool achievement(void *ctx, int64_t p, int64_t s, int64_t d, char *why, size_t whylen)
{
	(void)ctx, (void)s, (void)d;
	if (p % 97 == 0) {
		snprintf(why, whylen, "the achievement is financially approved");
		return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct extract_lookup lk = {NULL, practice, service, date, indicator, achievement};
	struct extract_opts opts = {.max_bytes = 1 << 20, .max_errors = 5};
	struct extract_result res;
	if (extract_parse((const char *)data, size, &lk, &opts, &res) == 0) {
		size_t covered = 0;
		for (size_t i = 0; i < res.nachs; i++)
			covered += res.achs[i].count;
		if (covered != res.nrows)
			abort();
		for (size_t i = 1; i < res.nrows; i++)
			if (res.rows[i - 1].practice_id > res.rows[i].practice_id)
				abort();
	}
	extract_result_free(&res);
	return 0;
}
