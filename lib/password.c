/* password.c: the password policy (see password.h). */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "password.h"
#include "util.h"

static const struct {
	const char *key, *text;
} rules[PW_NRULES] = {
	[PW_LENGTH] = {"length", "8 to 32 characters"},
	[PW_CLASSES] = {"classes",
			"at least three of: upper case, lower case, digits, other characters"},
	[PW_USER_ID] = {"user_id",
			"must not contain your user ID or any part of it of 4 or more characters"},
	[PW_HISTORY] = {"history", "not your current password or any of your previous 8"},
	[PW_FREQUENCY] = {"frequency", "changed at most once in 72 hours"},
};

const char *password_rule_key(enum pw_rule rule)
{
	return rule >= 0 && rule < PW_NRULES ? rules[rule].key : "";
}

const char *password_rule_text(enum pw_rule rule)
{
	return rule >= 0 && rule < PW_NRULES ? rules[rule].text : "";
}

/* True if password contains user_id, or a part of it of 4 or more
 * characters (split at '.', '_', '-' and digits), ignoring case. */
static bool contains_user_id(const char *user_id, const char *password)
{
	if (!user_id || !*user_id)
		return false;
	if (str_icontains(password, user_id))
		return true;
	const char *p = user_id;
	while (*p) {
		while (*p && (strchr("._-", *p) || isdigit((unsigned char)*p)))
			p++;
		const char *start = p;
		while (*p && !strchr("._-", *p) && !isdigit((unsigned char)*p))
			p++;
		size_t len = (size_t)(p - start);
		if (len >= 4) {
			char part[80];
			if (len >= sizeof part)
				len = sizeof part - 1;
			memcpy(part, start, len);
			part[len] = '\0';
			if (str_icontains(password, part))
				return true;
		}
	}
	return false;
}

bool password_rule_met(enum pw_rule rule, const char *user_id, const char *password)
{
	size_t n = password ? strlen(password) : 0;
	switch (rule) {
	case PW_LENGTH:
		return n >= PASSWORD_MIN && n <= PASSWORD_MAX;
	case PW_CLASSES: {
		int upper = 0, lower = 0, digit = 0, other = 0;
		for (size_t i = 0; i < n; i++) {
			unsigned char c = (unsigned char)password[i];
			if (c < 0x80 && isupper(c))
				upper = 1;
			else if (c < 0x80 && islower(c))
				lower = 1;
			else if (c < 0x80 && isdigit(c))
				digit = 1;
			else
				other = 1;
		}
		return upper + lower + digit + other >= 3;
	}
	case PW_USER_ID:
		return n > 0 && !contains_user_id(user_id, password);
	default:
		return true;
	}
}

enum pw_rule password_check_text(const char *user_id, const char *password)
{
	for (enum pw_rule r = PW_LENGTH; r <= PW_USER_ID; r++)
		if (!password_rule_met(r, user_id, password))
			return r;
	return PW_OK;
}

enum pw_rule password_check(const struct pw_context *c, const char *password, int64_t *next_change)
{
	enum pw_rule r = password_check_text(c->user_id, password);
	if (r != PW_OK)
		return r;
	if (c->frequency && c->set_at > 0 && c->now < c->set_at + PASSWORD_MIN_AGE) {
		if (next_change)
			*next_change = c->set_at + PASSWORD_MIN_AGE;
		return PW_FREQUENCY;
	}
	for (size_t i = 0; i < c->nhistory && i <= PASSWORD_PREVIOUS; i++)
		if (c->verify && c->verify(c->history[i], password))
			return PW_HISTORY;
	return PW_OK;
}
