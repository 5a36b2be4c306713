/* password.h: the password policy, the one place it is written (issue 11).
 * Used by the server wherever a password is set (registration, reset,
 * PUT /me/password) and served whole by GET /password-policy. It is plain
 * C with no server dependency and is built into the common library, so
 * that the client can show each rule as met or not while a user types.
 *
 * The rules (domain.md "Registration and sign-in"):
 *   length     8 to 32 characters
 *   classes    at least three of: upper case, lower case, digits, other
 *   user_id    not containing the user ID, nor any part of it of 4 or more
 *              characters (parts split at '.', '_', '-' and digits),
 *              case-insensitive
 *   history    not the current password nor any of the previous 8
 *   frequency  changed at most once in 72 hours (not for registration or
 *              a reset code)
 */
#ifndef CQRS_PASSWORD_H
#define CQRS_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pw_rule { PW_OK = -1, PW_LENGTH, PW_CLASSES, PW_USER_ID, PW_HISTORY, PW_FREQUENCY, PW_NRULES };

#define PASSWORD_MIN 8
#define PASSWORD_MAX 32
/* The current password and this many before it may not be used again. */
#define PASSWORD_PREVIOUS 8
/* Seconds after a change before the next (PUT /me/password only). */
#define PASSWORD_MIN_AGE (72 * 3600)
/* Days before expiry from which users are warned (Home and one e-mail). */
#define PASSWORD_WARN_DAYS 14

/* The rule's key ("length" ...) and its text for people. */
const char *password_rule_key(enum pw_rule rule);
const char *password_rule_text(enum pw_rule rule);
/* The rules that depend on the text alone, in order: the first broken
 * one, or PW_OK. Used for live feedback too (each rule alone:
 * password_rule_met). */
enum pw_rule password_check_text(const char *user_id, const char *password);
bool password_rule_met(enum pw_rule rule, const char *user_id, const char *password);

/* The whole policy for a password being set. verify(hash, password)
 * tells whether password matches a stored hash; history holds the
 * user's newest hashes (the current first), nhistory of them;
 * set_at is when the current password was set (0: none) and now the
 * time now; frequency applies the 72-hour rule. Returns the first broken
 * rule, or PW_OK; *next_change (may be NULL) gets the time from which a
 * change is allowed when the frequency rule is broken. */
struct pw_context {
	const char *user_id;
	bool (*verify)(const char *hash, const char *password);
	const char (*history)[160];
	size_t nhistory;
	int64_t set_at, now;
	bool frequency;
};
enum pw_rule password_check(const struct pw_context *c, const char *password, int64_t *next_change);

#endif
