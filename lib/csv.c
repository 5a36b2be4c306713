/* csv.c: see csv.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

void csv_field(struct buf *b, const char *s, bool first)
{
	if (!first)
		buf_putc(b, ',');
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

void csv_end(struct buf *b)
{
	buf_puts(b, "\r\n");
}

char *csv_pounds(int64_t pence, char *out, size_t size)
{
	uint64_t a = pence < 0 ? (uint64_t)0 - (uint64_t)pence : (uint64_t)pence;
	snprintf(out, size, "%s%llu.%02llu", pence < 0 ? "-" : "",
		 (unsigned long long)(a / 100), (unsigned long long)(a % 100));
	return out;
}

char *csv_points(long long milli, char *out, size_t size)
{
	long long a = llabs(milli);
	if (a % 10)
		snprintf(out, size, "%s%lld.%03lld", milli < 0 ? "-" : "", a / 1000, a % 1000);
	else
		snprintf(out, size, "%s%lld.%02lld", milli < 0 ? "-" : "", a / 1000, a % 1000 / 10);
	return out;
}
