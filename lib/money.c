/* money.c: formatting and parsing integer pence. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

char *money_format(int64_t pence, char *out, size_t size)
{
	char digits[32], grouped[48];
	uint64_t v = pence < 0 ? (uint64_t)(-(pence + 1)) + 1 : (uint64_t)pence;
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
	size_t n = strlen(digits), j = 0;
	for (size_t i = 0; i < n; i++) {
		if (i && (n - i) % 3 == 0)
			grouped[j++] = ',';
		grouped[j++] = digits[i];
	}
	grouped[j] = '\0';
	snprintf(out, size, "%s\xc2\xa3%s.%02u", pence < 0 ? "-" : "", grouped,
		 (unsigned)(v % 100));
	return out;
}

bool money_parse(const char *s, int64_t *pence)
{
	if (!s)
		return false;
	bool neg = false;
	if (*s == '-') {
		neg = true;
		s++;
	}
	if (strncmp(s, "\xc2\xa3", 2) == 0)
		s += 2;
	int64_t whole = 0;
	int nd = 0;
	for (; *s && *s != '.'; s++) {
		if (*s == ',')
			continue;
		if (*s < '0' || *s > '9')
			return false;
		whole = whole * 10 + (*s - '0');
		if (++nd > 12)
			return false;
	}
	if (nd == 0)
		return false;
	int frac = 0, nf = 0;
	if (*s == '.') {
		s++;
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || nf >= 2)
				return false;
			frac = frac * 10 + (*s - '0');
			nf++;
		}
		if (nf == 0)
			return false;
		if (nf == 1)
			frac *= 10;
	}
	int64_t v = whole * 100 + frac;
	*pence = neg ? -v : v;
	return true;
}

int64_t div_round_half_away(int64_t num, int64_t den)
{
	if (den == 0)
		return 0;
	if (den < 0) {
		num = -num;
		den = -den;
	}
	if (num >= 0)
		return (num + den / 2) / den;
	return -((-num + den / 2) / den);
}
