/* fuzz_conffile.c: libFuzzer target for the reader of cqrs's line-based
 * files (lib/conffile.c): conf_parse on any bytes with a "key = value"
 * line parser like the config file's, which refuses some lines. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conffile.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool line(void *ud, char *s, char *why, size_t whylen)
{
	size_t *good = ud;
	s += strspn(s, " \t");
	if (!*s || *s == '#')
		return true;
	char *eq = strchr(s, '=');
	if (!eq) {
		snprintf(why, whylen, "expected key = value, not \"%.40s\"", s);
		return false;
	}
	*eq = '\0';
	if (!*s) {
		snprintf(why, whylen, "no key before =");
		return false;
	}
	(*good)++;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf errs;
	buf_init(&errs);
	size_t good = 0;
	conf_parse((const char *)data, size, "fuzz.conf", line, &good, &errs);
	buf_free(&errs);
	return 0;
}
