/* validate.c: PCRE2-backed field validation and the password policy. */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <ctype.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "util.h"
#include "validate.h"

static const struct {
	enum value_kind kind;
	const char *name;
	const char *pattern;
} kinds[] = {
	{VK_COUNT, "count", "[0-9]{1,9}"},
	{VK_YESNO, "yesno", "(?i:yes|no|y|n)"},
	{VK_MONEY, "money", "-?(\xc2\xa3)?[0-9]{1,3}(,?[0-9]{3}){0,3}(\\.[0-9]{1,2})?"},
	{VK_DATE, "date", "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}/[0-9]{2}/[0-9]{4}"},
	{VK_RATIO, "ratio", "[0-9]{1,9}"},
};

bool value_kind_parse(const char *name, enum value_kind *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (name && strcmp(kinds[i].name, name) == 0) {
			*out = kinds[i].kind;
			return true;
		}
	return false;
}

const char *value_kind_name(enum value_kind k)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i].kind == k)
			return kinds[i].name;
	return "count";
}

const char *value_kind_pattern(enum value_kind k)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i].kind == k)
			return kinds[i].pattern;
	return kinds[0].pattern;
}

/* A small cache of compiled patterns, keyed by pattern text. */
struct re_entry {
	char *pattern;
	pcre2_code *code;
};
static struct re_entry re_cache[64];
static size_t re_cache_n;
static pthread_mutex_t re_lock = PTHREAD_MUTEX_INITIALIZER;

static pcre2_code *re_get(const char *pattern, char *err, size_t errlen)
{
	pcre2_code *code = NULL;
	pthread_mutex_lock(&re_lock);
	for (size_t i = 0; i < re_cache_n; i++)
		if (strcmp(re_cache[i].pattern, pattern) == 0) {
			code = re_cache[i].code;
			goto out;
		}
	char *anchored = xasprintf("^(?:%s)$", pattern);
	int ec;
	PCRE2_SIZE eo;
	code = pcre2_compile((PCRE2_SPTR)anchored, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &ec, &eo, NULL);
	free(anchored);
	if (!code) {
		PCRE2_UCHAR msg[120];
		pcre2_get_error_message(ec, msg, sizeof msg);
		if (err)
			snprintf(err, errlen, "bad pattern at %zu: %s", (size_t)eo, (char *)msg);
		goto out;
	}
	if (re_cache_n < ARRAY_SIZE(re_cache)) {
		re_cache[re_cache_n].pattern = xstrdup(pattern);
		re_cache[re_cache_n].code = code;
		re_cache_n++;
	} else {
		/* Cache full: the caller's code is freed after use below. */
		pthread_mutex_unlock(&re_lock);
		return code;
	}
out:
	pthread_mutex_unlock(&re_lock);
	return code;
}

int re_match_full(const char *pattern, const char *subject, char *err, size_t errlen)
{
	pcre2_code *code = re_get(pattern, err, errlen);
	if (!code)
		return -1;
	bool cached = false;
	pthread_mutex_lock(&re_lock);
	for (size_t i = 0; i < re_cache_n; i++)
		if (re_cache[i].code == code)
			cached = true;
	pthread_mutex_unlock(&re_lock);
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	int rc = pcre2_match(code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	if (!cached)
		pcre2_code_free(code);
	return rc >= 0 ? 1 : 0;
}

bool value_check(enum value_kind k, const char *pattern, const char *text,
		 int64_t *out, char *why, size_t whylen)
{
	char err[160];
	if (!text || !*text) {
		snprintf(why, whylen, "a value is required");
		return false;
	}
	if (re_match_full(value_kind_pattern(k), text, err, sizeof err) != 1) {
		switch (k) {
		case VK_COUNT:
		case VK_RATIO:
			snprintf(why, whylen, "must be a whole number (0 to 999,999,999)");
			break;
		case VK_YESNO:
			snprintf(why, whylen, "must be Yes or No");
			break;
		case VK_MONEY:
			snprintf(why, whylen, "must be an amount in pounds, e.g. 1234.56");
			break;
		case VK_DATE:
			snprintf(why, whylen, "must be a date, DD/MM/YYYY");
			break;
		}
		return false;
	}
	if (pattern && *pattern) {
		int m = re_match_full(pattern, text, err, sizeof err);
		if (m != 1) {
			snprintf(why, whylen, m < 0 ? "the service's pattern is invalid" :
				 "does not match the format this indicator needs");
			return false;
		}
	}
	int64_t v = 0;
	switch (k) {
	case VK_COUNT:
	case VK_RATIO:
		v = strtoll(text, NULL, 10);
		break;
	case VK_YESNO:
		v = (text[0] == 'y' || text[0] == 'Y') ? 1 : 0;
		break;
	case VK_MONEY:
		if (!money_parse(text, &v)) {
			snprintf(why, whylen, "must be an amount in pounds, e.g. 1234.56");
			return false;
		}
		break;
	case VK_DATE: {
		char iso[11];
		if (text[2] == '/')
			snprintf(iso, sizeof iso, "%.4s-%.2s-%.2s", text + 6, text + 3, text);
		else
			strlcpy_s(iso, text, sizeof iso);
		struct ymd d;
		if (!date_parse(iso, &d)) {
			snprintf(why, whylen, "is not a date in the calendar");
			return false;
		}
		v = (int64_t)d.y * 10000 + d.m * 100 + d.d;
		break;
	}
	}
	if (out)
		*out = v;
	return true;
}

bool user_id_valid(const char *user_id)
{
	if (!user_id)
		return false;
	size_t n = strlen(user_id);
	if (n < 3 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)user_id[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			return false;
	}
	return true;
}
