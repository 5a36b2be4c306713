/* csv.h: CSV as cqrs writes it everywhere (report exports from cqrsd,
 * list-screen exports from cqrs): RFC 4180, UTF-8, CRLF line ends; a
 * field holding a comma, a double quote, CR or LF, or beginning or ending
 * with a space is quoted, its quotes doubled. Amounts are plain decimal
 * pounds, points decimals, dates ISO (as given). */
#ifndef CQRS_CSV_H
#define CQRS_CSV_H

#include <stdint.h>

#include "util.h"

/* Appends one field (NULL: an empty field), quoted when it must be. */
void csv_field(struct buf *b, const char *s);
/* Between fields, and at the end of a line. */
void csv_sep(struct buf *b);
void csv_eol(struct buf *b);
/* Pence as decimal pounds: 123456 -> "1234.56", -5 -> "-0.05". */
void csv_pounds(char out[32], int64_t pence);
/* Thousandths of a point with two or three places: 26040 -> "26.04",
 * 26045 -> "26.045", 100000 -> "100.00". */
void csv_points(char out[32], int64_t milli);
/* Per mille as a percentage with one place: 875 -> "87.5". */
void csv_percent(char out[32], int64_t permille);

#endif
