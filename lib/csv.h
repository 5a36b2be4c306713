/* csv.h: the one CSV writer (RFC 4180, UTF-8): fields separated by
 * commas, lines ended by CRLF, a field quoted when it holds a comma, a
 * double quote, CR or LF (its quotes doubled), and the plain-number forms
 * the exports use: pounds as 1234.56 (no £, no thousands separator) and
 * points as 26.04. The screens' client-side exports (listscreen.c) write
 * with it; the server's CSV follows the same rules (docs/api.md). */
#ifndef CQRS_CSV_H
#define CQRS_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Appends one field (NULL: empty), preceded by a comma unless first. */
void csv_field(struct buf *b, const char *s, bool first);
/* Ends a line (CRLF). */
void csv_end(struct buf *b);
/* Pence as plain decimal pounds: 123456 -> "1234.56", -50 -> "-0.50". */
char *csv_pounds(int64_t pence, char *out, size_t size);
/* Thousandths of a point as a decimal with two places, three when the
 * thousandths are not 0 (nothing is rounded away): 26040 -> "26.04",
 * 26045 -> "26.045" (the server's CSV writes the same). */
char *csv_points(long long milli, char *out, size_t size);

#endif
