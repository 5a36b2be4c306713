/* test_register.c: registration and passwords end to end (issue 11),
 * against a real cqrsd --demo that delivers its outbox to an SMTP listener
 * on loopback and has --password-max-age 20: an administrator adds a
 * user, the e-mail arrives with the code and the exact command, every
 * rule of the policy refuses by name and writes nothing, the code
 * registers once and the user signs in; an expired code says so; wrong
 * codes count as failed sign-ins; the 72-hour and previous-8 rules;
 * forgotten password; expiry on GET /me with one warning e-mail, and a
 * sign-in refused once the password has expired (a second server with
 * --password-max-age 5). Limited to 240 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "dates.h"
#include "smtpd.h"

/* The code after "code: " in a message (a copy the caller frees), or NULL. */
static char *code_in(const char *mail)
{
	const char *p = mail ? strstr(mail, "code: ") : NULL;
	if (!p)
		return NULL;
	p += 6;
	size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
	return n >= 8 ? xstrndup(p, n) : NULL;
}

/* One SQL statement on the server's database (SQLite or PostgreSQL);
 * returns the first column of the first row as an integer (0 when there
 * is no row, -1 on failure). */
static long long sql1(const char *sql)
{
	char *v = server_sql(&srv, sql);
	long long n = v ? strtoll(v, NULL, 10) : -1;
	free(v);
	return n;
}

/* Moves the business date n days (the test's only way to make days pass);
 * the arithmetic is done here, so the SQL is the same on both engines. */
static bool move_business_date(int n)
{
	char *d = server_sql(&srv, "SELECT value FROM setting WHERE key = 'business_date'");
	char moved[11];
	bool ok = d && date_add_days(d, n, moved) &&
		  sql1(F("UPDATE setting SET value = '%s' WHERE key = 'business_date'", moved)) == 0;
	if (!ok)
		tap_diag("the business date (%s) could not be moved %d days", d ? d : "unread", n);
	free(d);
	return ok;
}

static const char *reg_body(const char *user, const char *code, const char *pw, const char *confirm)
{
	return F("{\"user_id\": \"%s\", \"code\": \"%s\", \"password\": \"%s\", \"password_confirm\": \"%s\"}",
		 user, code, pw, confirm);
}

static json_int_t add_user(const char *first, const char *last, const char *email)
{
	POST(T("demo.admin"), "/api/v1/admin/users",
	     F("{\"email\": \"%s\", \"email_confirm\": \"%s\", \"first_name\": \"%s\", \"last_name\": \"%s\","
	       " \"work_phone\": \"01632 960500\", \"organisations\": [{\"code\": \"A81001\", \"roles\": [\"VIEW\"]}]}",
	       email, email, first, last));
	return R.status == 201 ? jint(J("user"), "id") : 0;
}

static const char *state_of(json_int_t id)
{
	GET(T("demo.admin"), F("/api/v1/admin/users/%lld", (long long)id));
	return jstr(R.json, "state");
}

static void test_policy(void)
{
	GET(NULL, "/api/v1/password-policy");
	static const char *const keys[] = {"length", "classes", "user_id", "history", "frequency"};
	bool all = R.status == 200 && json_array_size(J("rules")) == 5;
	for (size_t i = 0; all && i < 5; i++)
		all = streq(jstr(json_array_get(J("rules"), i), "key"), keys[i]) &&
		      jstr(json_array_get(J("rules"), i), "text");
	ck(all, "GET /password-policy (no token) gives the five rules with their texts");
}

static void test_register_and_sign_in(void)
{
	json_int_t id = add_user("Sam", "Green", "sam.green@nhs.net");
	ck(id > 0, "demo.admin adds Sam Green");
	char *mail = wait_mail(20, "RCPT TO:<sam.green@nhs.net>", "complete your registration");
	char *code = code_in(mail);
	ck(mail && code && contains(mail, "cqrs register --user sam.green") && contains(mail, "valid until"),
	   "the registration e-mail arrives over SMTP with the code, its last day and the command");
	free(mail);
	if (!code)
		code = xstrdup("NONE-NONE-NONE");
	long st;
	char *t = sign_in(&srv, "sam.green", "Any-Thing-2025", &st);
	ck(!t && st == 401, "before registering there is no password to sign in with");
	free(t);

	struct {
		const char *pw, *confirm, *rule, *what;
	} bad[] = {
		{"Sh0rt!", "Sh0rt!", "length", "fewer than 8 characters"},
		{"Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!x", "Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!Aa1!x", "length",
		 "more than 32"},
		{"onlylowercase1", "onlylowercase1", "classes", "two character classes"},
		{"Green-House-42", "Green-House-42", "user_id", "a part of the user ID"},
		{"SAM.GREEN-2025", "SAM.GREEN-2025", "user_id", "the user ID"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		POST(NULL, "/api/v1/registration", reg_body("sam.green", code, bad[i].pw, bad[i].confirm));
		ck(is_err(400, "password_policy", "password", NULL) &&
		   streq(jstr(json_object_get(R.json, "error"), "rule"), bad[i].rule),
		   "a password with %s is refused naming the rule \"%s\"", bad[i].what, bad[i].rule);
	}
	POST(NULL, "/api/v1/registration", reg_body("sam.green", code, "Fine-Pass-2025", "Fine-Pass-2026"));
	ck(is_err(400, "bad_field", "password_confirm", "do not match"), "a mismatched confirmation is refused");
	POST(NULL, "/api/v1/registration", reg_body("sam.green", "ABCD-EFGH-JKLM", "Fine-Pass-2025", "Fine-Pass-2025"));
	ck(is_err(400, "bad_code", "code", "wrong"), "a wrong code is refused");
	POST(NULL, "/api/v1/registration", reg_body("no.such.user", code, "Fine-Pass-2025", "Fine-Pass-2025"));
	ck(is_err(400, "bad_code", "code", "wrong"), "an unknown user ID gets the same answer");
	ck(streq(state_of(id), "AWAITING_REGISTRATION"), "none of them set a password");

	POST(NULL, "/api/v1/registration", reg_body("sam.green", code, "Fine-Pass-2025", "Fine-Pass-2025"));
	ck(R.status == 200 && streq(jstr(R.json, "user_id"), "sam.green"), "the code registers the password");
	t = sign_in(&srv, "sam.green", "Fine-Pass-2025", &st);
	ck(t != NULL, "Sam Green signs in with it (POST /session 201)");
	POST(NULL, "/api/v1/registration", reg_body("sam.green", code, "Other-Pass-2025", "Other-Pass-2025"));
	ck(is_err(409, "code_used", "code", "has been used"), "the code cannot be used again");
	GET(T("demo.admin"), F("/api/v1/admin/users/%lld", (long long)id));
	size_t i;
	json_t *h;
	bool reg = false, in = false;
	json_array_foreach(J("history"), i, h) {
		reg |= streq(jstr(h, "action"), "registration") && streq(jstr(h, "from"), "127.0.0.1");
		in |= streq(jstr(h, "action"), "signin");
	}
	ck(streq(jstr(R.json, "state"), "ACTIVE") && reg && in,
	   "the user is ACTIVE; registration and sign-in are in its history with the address");

	/* the 72-hour rule (registration does not count against it, a change does) */
	PUT(t, "/api/v1/me/password",
	    "{\"current\": \"Fine-Pass-2025\", \"password\": \"Next-Pass-2025\", \"password_confirm\": \"Next-Pass-2025\"}");
	ck(is_err(400, "password_policy", "password", "72 hours") &&
	   streq(jstr(json_object_get(R.json, "error"), "rule"), "frequency"),
	   "a change within 72 hours of the last is refused naming \"frequency\"");
	free(t);
	free(code);
}

static void test_expired_code(void)
{
	json_int_t id = add_user("Kim", "Lee", "kim.lee@nhs.net");
	char *mail = wait_mail(20, "RCPT TO:<kim.lee@nhs.net>", "complete your registration");
	char *code = code_in(mail);
	free(mail);
	ck(id && code, "Kim Lee is added and e-mailed a code");
	/* Fifteen days pass. */
	ck(move_business_date(15), "the business date moves 15 days on");
	POST(NULL, "/api/v1/registration", reg_body("kim.lee", code ? code : "", "Fine-Pass-2025", "Fine-Pass-2025"));
	ck(is_err(409, "code_expired", "code", "expired") && streq(state_of(id), "AWAITING_REGISTRATION"),
	   "the 14-day code has expired, says so and changes nothing");
	move_business_date(-15);
	POST(NULL, "/api/v1/registration", reg_body("kim.lee", code ? code : "", "Fine-Pass-2025", "Fine-Pass-2025"));
	ck(R.status == 200, "back within the 14 days it works");
	free(code);

	/* Wrong codes are failed sign-ins: the sixth attempt waits. */
	for (int k = 0; k < 5; k++)
		POST(NULL, "/api/v1/registration", reg_body("guess.who", "AAAA-BBBB-CCCC", "Fine-Pass-2025", "Fine-Pass-2025"));
	POST(NULL, "/api/v1/registration", reg_body("guess.who", "AAAA-BBBB-CCCC", "Fine-Pass-2025", "Fine-Pass-2025"));
	ck(is_err(429, "too_many_attempts", NULL, NULL), "after five wrong codes the next attempt waits (429)");
}

static void test_history_and_reset(void)
{
	const char *view = T("demo.view");
	PUT(view, "/api/v1/me/password",
	    "{\"current\": \"" PASSWORD "\", \"password\": \"" PASSWORD "\", \"password_confirm\": \"" PASSWORD "\"}");
	ck(is_err(400, "password_policy", "password", NULL) &&
	   streq(jstr(json_object_get(R.json, "error"), "rule"), "history"),
	   "the current password again is refused naming \"history\"");
	PUT(view, "/api/v1/me/password",
	    "{\"current\": \"wrong\", \"password\": \"Fresh-Start-2025\", \"password_confirm\": \"Fresh-Start-2025\"}");
	ck(is_err(403, "forbidden", "current", NULL), "a wrong current password is refused");
	PUT(view, "/api/v1/me/password",
	    "{\"current\": \"" PASSWORD "\", \"password\": \"Fresh-Start-2025\", \"password_confirm\": \"Fresh-Start-2025\"}");
	ck(R.status == 200 && jstr(R.json, "password_expires"), "demo.view changes its password (expiry given)");
	long st;
	char *t = sign_in(&srv, "demo.view", "Fresh-Start-2025", &st);
	ck(t != NULL, "and signs in with the new one");
	free(t);

	long long resets = sql1("SELECT count(*) FROM email_outbox WHERE kind = 'PASSWORD_RESET'");
	POST(NULL, "/api/v1/password-reset", "{\"user_id\": \"nobody.at.all\"}");
	long unknown = R.status;
	POST(NULL, "/api/v1/password-reset", "{\"email\": \"grace.hill@nhs.net\"}");
	ck(unknown == 202 && R.status == 202 &&
	   sql1("SELECT count(*) FROM email_outbox WHERE kind = 'PASSWORD_RESET'") == resets,
	   "a reset for an unknown or disabled account answers 202 and sends nothing");
	POST(NULL, "/api/v1/password-reset", "{\"email\": \"tom.rowley2@nhs.net\"}");
	char *mail = wait_mail(20, "RCPT TO:<tom.rowley2@nhs.net>", "reset code");
	char *code = code_in(mail);
	ck(R.status == 202 && code && contains(mail, "30 minutes"), "Forgotten password e-mails a 30-minute code");
	free(mail);
	POST(NULL, "/api/v1/registration", reg_body("demo.view", code ? code : "", PASSWORD, PASSWORD));
	ck(is_err(400, "password_policy", "password", NULL) &&
	   streq(jstr(json_object_get(R.json, "error"), "rule"), "history"),
	   "a previous password (one of the last 8) is refused by the reset too");
	POST(NULL, "/api/v1/registration", reg_body("demo.view", code ? code : "", "Another-Go-2026", "Another-Go-2026"));
	ck(R.status == 200, "the reset sets a new password (the 72-hour rule does not apply to codes)");
	t = sign_in(&srv, "demo.view", "Another-Go-2026", &st);
	ck(t != NULL, "demo.view signs in with it");
	free(t);
	free(code);
}

static void test_expiry(void)
{
	json_t *me = ME("demo.practice");
	const char *on = jstr(me, "password_expires");
	ck(on && is_date(on) && json_is_true(json_object_get(me, "password_warning")),
	   "with --password-max-age 20 GET /me says when the password expires (%s) and warns (13 days left)",
	   on ? on : "null");
	char *mail = wait_mail(30, "RCPT TO:<priya.shah@nhs.net>", "your password expires on");
	ck(mail && on && contains(mail, on), "one warning e-mail arrives 14 days ahead");
	free(mail);
	ck(count_mail("RCPT TO:<priya.shah@nhs.net>", "your password expires on") == 1,
	   "only one for this password");

	struct server s2;
	const char *args[] = {"--password-max-age", "5", NULL};
	if (!tap_ok(server_start(&s2, args, 60), "a server with --password-max-age 5 starts"))
		return;
	long st;
	char *t = sign_in(&s2, "demo.practice", PASSWORD, &st);
	ck(!t && st == 403, "there, a password set a week ago has expired: sign-in refused (403)");
	free(t);
	server_stop(&s2, 10, tap_failed() > 0);
}

int main(void)
{
	int port = free_port();
	if (port <= 0 || !smtp_listen(port))
		tap_bail("cannot listen for SMTP");
	char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	const char *args[] = {"--smtp-url", url, "--password-max-age", "20", NULL};
	apitest_start_with(240, args);
	test_policy();
	test_register_and_sign_in();
	test_expired_code();
	test_history_and_reset();
	test_expiry();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
