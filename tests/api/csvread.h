/* csvread.h: a strict RFC 4180 reader for the tests that check exported
 * CSV (lines end in CRLF, quoted fields with doubled quotes), so a test
 * compares the CSV's cells with the API's JSON rather than its bytes. */
#ifndef CQRS_TEST_CSVREAD_H
#define CQRS_TEST_CSVREAD_H

#include <jansson.h>
#include <stdbool.h>

/* The records of text as an array of arrays of strings, or NULL (with a
 * TAP diagnostic) when text is not RFC 4180: a bare LF line end, a quote
 * inside an unquoted field, text after a closing quote, an unterminated
 * quote, or a missing CRLF at the end. */
json_t *csv_read(const char *text);

/* Whether csv (csv_read's records) holds the same report as answer, the
 * API's JSON of the same run: a header row of the column labels, then
 * each row's cells in the CSV forms (pounds 1234.56, points 26.04, bars
 * 87.5, statuses their label, dates ISO, null empty). Diagnostics say
 * the first difference. */
bool csv_matches_report(const json_t *csv, const json_t *answer);

#endif
