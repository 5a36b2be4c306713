/* money.h: money is always integer pence; these format and parse it. */
#ifndef CQRS_MONEY_H
#define CQRS_MONEY_H

#include <stdbool.h>
#include <stdint.h>

/* Formats pence as "£1,234.56" (or "-£1,234.56") into out; returns out. */
char *money_format(int64_t pence, char *out, size_t size);
/* Parses "1234.56", "1,234.5", "£12" into pence; false if malformed. */
bool money_parse(const char *s, int64_t *pence);
/* Rounds a numerator/denominator quotient to the nearest integer, halves
 * away from zero (the project's one rounding rule for money). */
int64_t div_round_half_away(int64_t num, int64_t den);

#endif
