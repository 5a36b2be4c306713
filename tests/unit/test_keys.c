/* test_keys.c: unit tests for the key decoder (tui/keys.c): every
 * sequence of the xterm/VT220/ANSI/Linux-console families in ANSI and
 * application mode, with modifiers; unknown CSI and SS3 sequences
 * swallowed whole; a lone Esc after the Esc delay and not before; a
 * sequence split across reads; UTF-8 and bytes that are not; and the
 * ASCII spellings used when the locale is not UTF-8 (tui_ascii). */
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
#include <curses.h>

#include "keymaps/keymap.h"
#include "tui/keys.h"
#include "tui/tui.h"
#include "util.h"

/* Feeds s at time 0 and returns every key it decodes by time 1000 (the
 * swallowed and bad-byte results included), -99 terminated. */
static void decode_all(const char *s, int *out, size_t n)
{
	struct keys k;
	keys_init(&k, 25);
	keys_feed(&k, s, strlen(s), 0);
	size_t i = 0;
	int key;
	while (i + 1 < n && (key = keys_next(&k, 1000)) != KEYS_NONE)
		out[i++] = key;
	out[i] = -99;
}

/* The one key s decodes to (asserting it is one). */
static int one(const char *s)
{
	int out[8];
	decode_all(s, out, 8);
	if (out[0] == -99 || out[1] != -99)
		fail_msg("\"%s\" (after ESC) did not decode to exactly one key: %d %d", s + 1,
			 out[0], out[1]);
	return out[0];
}

static void test_cursor_keys_both_modes(void **state)
{
	static const struct {
		const char *seq;
		int key;
	} cases[] = {
		/* ANSI (normal) and application cursor mode */
		{"\033[A", KC(KEY_UP)}, {"\033[B", KC(KEY_DOWN)},
		{"\033[C", KC(KEY_RIGHT)}, {"\033[D", KC(KEY_LEFT)},
		{"\033OA", KC(KEY_UP)}, {"\033OB", KC(KEY_DOWN)},
		{"\033OC", KC(KEY_RIGHT)}, {"\033OD", KC(KEY_LEFT)},
		{"\033[H", KC(KEY_HOME)}, {"\033[F", KC(KEY_END)},
		{"\033OH", KC(KEY_HOME)}, {"\033OF", KC(KEY_END)},
		/* VT220 / xterm / rxvt / Linux console editing keys */
		{"\033[1~", KC(KEY_HOME)}, {"\033[7~", KC(KEY_HOME)},
		{"\033[4~", KC(KEY_END)}, {"\033[8~", KC(KEY_END)},
		{"\033[2~", KC(KEY_IC)}, {"\033[3~", KC(KEY_DC)},
		{"\033[5~", KC(KEY_PPAGE)}, {"\033[6~", KC(KEY_NPAGE)},
		{"\033[Z", KC(KEY_BTAB)},
		/* with modifiers: the key itself */
		{"\033[1;5B", KC(KEY_DOWN)}, {"\033[1;2A", KC(KEY_UP)},
		{"\033[1;3D", KC(KEY_LEFT)}, {"\033[5;5~", KC(KEY_PPAGE)},
		{"\033[3;2~", KC(KEY_DC)}, {"\033O5C", KC(KEY_RIGHT)},
		/* the numeric keypad in application mode types its digits */
		{"\033Op", '0'}, {"\033Ou", '5'}, {"\033Oy", '9'}, {"\033On", '.'},
		{"\033OM", KC_ENTER}, {"\033Ok", '+'}, {"\033Om", '-'},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int got = one(cases[i].seq);
		if (got != cases[i].key)
			fail_msg("ESC%s: got %d, want %d", cases[i].seq + 1, got, cases[i].key);
	}
}

static void test_function_keys(void **state)
{
	/* xterm SS3 F1-F4, VT220 CSI n ~ F1-F12, Linux console ESC [ [ A-E,
	 * xterm's modified F1-F4 (CSI 1;2P) */
	static const char *const ss3[] = {"\033OP", "\033OQ", "\033OR", "\033OS"};
	static const char *const vt220[] = {"\033[11~", "\033[12~", "\033[13~", "\033[14~",
					    "\033[15~", "\033[17~", "\033[18~", "\033[19~",
					    "\033[20~", "\033[21~", "\033[23~", "\033[24~"};
	static const char *const linux_con[] = {"\033[[A", "\033[[B", "\033[[C", "\033[[D",
						"\033[[E"};
	for (int i = 0; i < 4; i++)
		assert_int_equal(one(ss3[i]), KC(KEY_F(i + 1)));
	for (int i = 0; i < 12; i++)
		assert_int_equal(one(vt220[i]), KC(KEY_F(i + 1)));
	for (int i = 0; i < 5; i++)
		assert_int_equal(one(linux_con[i]), KC(KEY_F(i + 1)));
	assert_int_equal(one("\033[1;2P"), KC(KEY_F(1)));
	assert_int_equal(one("\033[17;5~"), KC(KEY_F(6)));
}

static void test_unknown_sequences_swallowed_whole(void **state)
{
	/* never Esc followed by letters: each is one swallowed result and
	 * the key after it comes through */
	static const char *const unknown[] = {
		"\033[99~x", "\033[?1;2cx", "\033[200~x", "\033[1;2;3Ax", "\033[2Ax",
		"\033[>0;95;0cx", "\033Ozx", "\033[Ex", "\033[12;40Rx", "\033[ qx",
	};
	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++) {
		int out[8];
		decode_all(unknown[i], out, 8);
		if (out[0] != KEYS_SWALLOWED || out[1] != 'x' || out[2] != -99)
			fail_msg("ESC%s: got %d %d %d", unknown[i] + 1, out[0], out[1], out[2]);
	}
	/* a sequence broken off by another Esc keeps the second key */
	int out[8];
	decode_all("\033[1\033[B", out, 8);
	assert_int_equal(out[0], KEYS_SWALLOWED);
	assert_int_equal(out[1], KC(KEY_DOWN));
	assert_int_equal(out[2], -99);
}

static void test_lone_esc_timing(void **state)
{
	struct keys k;
	keys_init(&k, 25);
	keys_feed(&k, "\033", 1, 1000);
	assert_int_equal(keys_next(&k, 1000), KEYS_NONE);
	assert_int_equal(keys_timeout(&k, 1010), 15);
	assert_int_equal(keys_next(&k, 1024), KEYS_NONE);
	assert_int_equal(keys_next(&k, 1025), KC_ESC);
	assert_int_equal(keys_timeout(&k, 1025), -1);
	/* Esc then a plain key at once: two keys, no waiting */
	keys_feed(&k, "\033q", 2, 2000);
	assert_int_equal(keys_next(&k, 2000), KC_ESC);
	assert_int_equal(keys_next(&k, 2000), 'q');
	/* Esc Esc: two Escs */
	keys_feed(&k, "\033\033", 2, 3000);
	assert_int_equal(keys_next(&k, 3000), KC_ESC);
	assert_int_equal(keys_next(&k, 3025), KC_ESC);
}

static void test_split_sequence(void **state)
{
	struct keys k;
	keys_init(&k, 25);
	/* "ESC [" then, 100 ms later (longer than the Esc delay), "B" */
	keys_feed(&k, "\033[", 2, 0);
	assert_int_equal(keys_next(&k, 20), KEYS_NONE);
	assert_int_equal(keys_next(&k, 100), KEYS_NONE);
	keys_feed(&k, "B", 1, 100);
	assert_int_equal(keys_next(&k, 100), KC(KEY_DOWN));
	/* "ESC O" and nothing more: swallowed once the sequence time is up,
	 * not Esc then "O" */
	keys_feed(&k, "\033O", 2, 1000);
	assert_int_equal(keys_next(&k, 1000 + 25 + KEYS_SEQ_MS - 1), KEYS_NONE);
	assert_int_equal(keys_next(&k, 1000 + 25 + KEYS_SEQ_MS), KEYS_SWALLOWED);
	assert_false(keys_pending(&k));
}

static void test_plain_and_utf8(void **state)
{
	int out[16];
	decode_all("a\r\t\x7f\x08\x03\x1a", out, 16);
	int want[] = {'a', KC_ENTER, KC_TAB, KC(KEY_BACKSPACE), KC(KEY_BACKSPACE), 3, 26, -99};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_int_equal(out[i], want[i]);
	decode_all("Caf\xc3\xa9 \xc2\xa3" "1\xe2\x80\x94", out, 16);
	int want2[] = {'C', 'a', 'f', 0xe9, ' ', 0xa3, '1', 0x2014, -99};
	for (size_t i = 0; i < ARRAY_SIZE(want2); i++)
		assert_int_equal(out[i], want2[i]);
	/* Latin-1 bytes are not UTF-8: reported, the rest still typed */
	decode_all("a\xe9z", out, 16);
	assert_int_equal(out[0], 'a');
	assert_int_equal(out[1], KEYS_BAD_BYTE);
	assert_int_equal(out[2], 'z');
	/* a UTF-8 character split across reads waits for its end */
	struct keys k;
	keys_init(&k, 25);
	keys_feed(&k, "\xc2", 1, 0);
	assert_int_equal(keys_next(&k, 10), KEYS_NONE);
	keys_feed(&k, "\xa3", 1, 10);
	assert_int_equal(keys_next(&k, 10), 0xa3);
}

static void test_ascii_spellings(void **state)
{
	char *s = tui_ascii("Payment \xc2\xa3" "128,659.10 \xe2\x80\x94 Caf\xc3\xa9 \xe2\x80\xa6");
	assert_string_equal(s, "Payment GBP128,659.10 - Caf? ...");
	free(s);
	s = tui_ascii("plain");
	assert_string_equal(s, "plain");
	free(s);
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_keys_both_modes),
		cmocka_unit_test(test_function_keys),
		cmocka_unit_test(test_unknown_sequences_swallowed_whole),
		cmocka_unit_test(test_lone_esc_timing),
		cmocka_unit_test(test_split_sequence),
		cmocka_unit_test(test_plain_and_utf8),
		cmocka_unit_test(test_ascii_spellings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
