/* validate.h: field validation shared by client and server (the server
 * re-checks everything the client checks), and the password policy. */
#ifndef CQRS_VALIDATE_H
#define CQRS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Indicator value kinds, as named in the API. */
enum value_kind {
	VK_COUNT,  /* a whole number 0..999,999,999 */
	VK_YESNO,  /* "Yes" or "No" (stored 1/0) */
	VK_MONEY,  /* pounds and pence, stored as pence */
	VK_DATE,   /* YYYY-MM-DD, or DD/MM/YYYY as typed */
	VK_RATIO,  /* numerator and denominator, each a count */
};
bool value_kind_parse(const char *name, enum value_kind *out);

/* The longest texts people type, in bytes, the same on both sides: the
 * server refuses longer, the client's fields stop there and show what is
 * left. Notes go with submissions and declarations; a reason with a
 * return or a rejection. */
#define TEXT_NOTES_MAX 2000
#define TEXT_REASON_MAX 500
/* True when s is NULL or holds nothing but white space: no reason at all. */
bool text_blank(const char *s);
const char *value_kind_name(enum value_kind k);

/* Matches subject against a PCRE2 pattern, anchored at both ends. Returns
 * 1 for a match, 0 for none, -1 if the pattern does not compile (err says
 * why). Compiled patterns are cached (thread-safe). */
int re_match_full(const char *pattern, const char *subject, char *err, size_t errlen);

/* Default pattern for each kind; a service may supply a stricter one. */
const char *value_kind_pattern(enum value_kind k);

/* Validates typed text for a kind (and an optional extra pattern). On
 * success stores the canonical integer in *out (count, 1/0, pence, or
 * yyyymmdd for dates) and returns true; otherwise writes why. */
bool value_check(enum value_kind k, const char *pattern, const char *text,
		 int64_t *out, char *why, size_t whylen);

/* The password policy is lib/password.h (the server enforces it; the
 * client shows each rule as met while typing). */

/* User IDs: 3 to 64 of [A-Za-z0-9._-]. */
bool user_id_valid(const char *user_id);

#endif
