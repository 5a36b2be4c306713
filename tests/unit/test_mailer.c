/* test_mailer.c: the e-mail header builder (mailer_message): non-ASCII
 * header values go out as RFC 2047 encoded-words, and CR/LF in any header
 * value (subject, recipient, sender, kind) cannot add a header or end the
 * header block. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "server/mailer.h"
#include "server/store/store.h"
#include "util.h"

static struct mail mk(const char *to, const char *subject, const char *kind)
{
	struct mail m;
	memset(&m, 0, sizeof m);
	m.id = 7;
	strlcpy_s(m.to, to, sizeof m.to);
	strlcpy_s(m.subject, subject, sizeof m.subject);
	strlcpy_s(m.kind, kind, sizeof m.kind);
	strlcpy_s(m.body, "Hello\n.dot line\n", sizeof m.body);
	return m;
}

/* The header block (up to the blank line), newly allocated. */
static char *headers(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");
	assert_non_null(end);
	return xstrndup(msg, (size_t)(end - msg) + 2);
}

/* Every header line is printable ASCII, at most 998 characters, and either
 * "Name: value" or a folded continuation (starting with a space). */
static void assert_clean_header(const char *h)
{
	for (const char *line = h; *line;) {
		const char *eol = strstr(line, "\r\n");
		assert_non_null(eol);
		assert_true(eol - line <= 998);
		assert_true(*line == ' ' || strchr(line, ':') < eol);
		for (const char *p = line; p < eol; p++)
			assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
		line = eol + 2;
	}
}

static void test_ascii_subject_as_is(void **state)
{
	(void)state;
	struct mail m = mk("a@example.org", "Declaration awaiting approval", "DECLARATION");
	char *msg = mailer_message(&m, "cqrs@example.org", 0);
	char *h = headers(msg);
	assert_clean_header(h);
	assert_non_null(strstr(h, "\r\nSubject: Declaration awaiting approval\r\n"));
	assert_non_null(strstr(h, "From: CQRS National <cqrs@example.org>\r\n"));
	assert_non_null(strstr(h, "To: <a@example.org>\r\n"));
	assert_non_null(strstr(h, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"));
	assert_non_null(strstr(msg, "\r\n\r\nHello\r\n.dot line\r\n"));
	free(h);
	free(msg);
}

static void test_utf8_subject_encoded(void **state)
{
	(void)state;
	/* "Offer from Ysbyty Gwynedd – Llandudno £" (en dash, pound sign). */
	struct mail m = mk("a@example.org", "Offer \xe2\x80\x93 \xc2\xa3", "OFFER");
	char *msg = mailer_message(&m, "cqrs@example.org", 0);
	char *h = headers(msg);
	assert_clean_header(h);
	/* base64 of "Offer – £" */
	assert_non_null(strstr(h, "\r\nSubject: =?UTF-8?B?T2ZmZXIg4oCTIMKj?=\r\n"));
	free(h);
	free(msg);
}

static void test_long_utf8_subject_folded(void **state)
{
	(void)state;
	char subj[200] = "";
	for (int i = 0; i < 60; i++)
		strcat(subj, "\xc3\xa9"); /* é, 2 bytes each: 120 bytes */
	struct mail m = mk("a@example.org", subj, "OFFER");
	char *msg = mailer_message(&m, "cqrs@example.org", 0);
	char *h = headers(msg);
	assert_clean_header(h);
	/* Three encoded-words (44 + 44 + 32 bytes, cut between characters),
	 * each at most 75 characters, folded. */
	const char *s = strstr(h, "Subject: ");
	assert_non_null(s);
	int words = 0;
	for (const char *w = strstr(s, "=?UTF-8?B?"); w && w < strstr(s, "\r\nMessage-ID");
	     w = strstr(w + 1, "=?UTF-8?B?")) {
		const char *e = strstr(w + 10, "?=");
		assert_true(e - w + 2 <= 75);
		words++;
	}
	assert_int_equal(words, 3);
	assert_non_null(strstr(s, "?=\r\n =?UTF-8?B?"));
	free(h);
	free(msg);
}

static void test_crlf_injection(void **state)
{
	(void)state;
	struct mail m = mk("a@example.org>\r\nBcc: <victim@example.org",
			   "Hi\r\nBcc: evil@example.org\r\n\r\nforged body", "OFFER\nX-Evil: 1");
	char *msg = mailer_message(&m, "cqrs@example.org\r\nCc: x@example.org", 0);
	char *h = headers(msg);
	assert_clean_header(h);
	/* No line starts a header the message did not mean to have. */
	assert_null(strstr(h, "\r\nBcc:"));
	assert_null(strstr(h, "\r\nCc:"));
	assert_null(strstr(h, "\r\nX-Evil:"));
	assert_null(strstr(msg, "\r\n\r\nforged body"));
	assert_non_null(strstr(h, "\r\nSubject: Hi  Bcc: evil@example.org    forged body\r\n"));
	assert_non_null(strstr(msg, "\r\n\r\nHello\r\n"));
	free(h);
	free(msg);
}

static void test_encoded_word_lookalike(void **state)
{
	(void)state;
	/* ASCII text that would decode as an encoded-word is encoded itself. */
	struct mail m = mk("a@example.org", "=?UTF-8?B?ZXZpbA==?=", "OFFER");
	char *msg = mailer_message(&m, "cqrs@example.org", 0);
	assert_null(strstr(msg, "Subject: =?UTF-8?B?ZXZpbA==?=\r\n"));
	assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
	free(msg);
}

int main(void)
{
	alarm(30);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_subject_as_is),
		cmocka_unit_test(test_utf8_subject_encoded),
		cmocka_unit_test(test_long_utf8_subject_folded),
		cmocka_unit_test(test_crlf_injection),
		cmocka_unit_test(test_encoded_word_lookalike),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
