/* csv.c: RFC 4180 fields and the number forms of every CSV export. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "csv.h"

void csv_field(struct buf *b, const char *s)
{
	if (!s || !*s)
		return;
	size_t n = strlen(s);
	bool quote = strpbrk(s, ",\"\r\n") != NULL || s[0] == ' ' || s[n - 1] == ' ';
	if (!quote) {
		buf_append(b, s, n);
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

void csv_sep(struct buf *b)
{
	buf_putc(b, ',');
}

void csv_eol(struct buf *b)
{
	buf_append(b, "\r\n", 2);
}

/* v / 10^places as a decimal with the given places. */
static void decimal(char out[32], int64_t v, int places, uint64_t unit)
{
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	snprintf(out, 32, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", a / unit, places, a % unit);
}

void csv_pounds(char out[32], int64_t pence)
{
	decimal(out, pence, 2, 100);
}

void csv_points(char out[32], int64_t milli)
{
	if (milli % 10 == 0)
		decimal(out, milli / 10, 2, 100);
	else
		decimal(out, milli, 3, 1000);
}

void csv_percent(char out[32], int64_t permille)
{
	decimal(out, permille, 1, 10);
}
