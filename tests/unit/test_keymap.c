/* test_keymap.c: unit tests for the keymap: the built-in default and vi
 * keymaps, key names, context inheritance and shadowing, user bindings and
 * `file:line: message` errors, confirmation hints read from the keymap,
 * and that docs/keymaps.md names every action. */
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
#include "tui/popup.h"
#include "util.h"

static int key(const char *name)
{
	int k = -1;
	assert_true(keycode_parse(name, &k));
	return k;
}

static void test_builtin_parse_cleanly(void **state)
{
	struct keymap *km = keymap_new();
	struct buf errs;
	buf_init(&errs);
	assert_int_equal(keymap_parse(km, keymap_default_text, "default.keys", &errs), 0);
	assert_int_equal(keymap_parse(km, keymap_vi_text, "vi.keys", &errs), 0);
	assert_int_equal(errs.len, 0);
	buf_free(&errs);
	keymap_free(&km);
	assert_null(km);
}

static void test_key_names(void **state)
{
	assert_int_equal(key("C-a"), 1);
	assert_int_equal(key("^A"), 1);
	assert_int_equal(key("c-z"), 26);
	assert_int_equal(key("Esc"), 27);
	assert_int_equal(key("Enter"), '\n');
	assert_int_equal(key("C-m"), '\n');
	assert_int_equal(key("C-h"), KC(KEY_BACKSPACE));
	assert_int_equal(key("Backspace"), KC(KEY_BACKSPACE));
	assert_int_equal(key("F1"), KC(KEY_F(1)));
	assert_int_equal(key("F12"), KC(KEY_F(12)));
	assert_int_equal(key("Space"), ' ');
	assert_int_equal(key("?"), '?');
	assert_int_equal(key("\xc2\xa3"), 0xa3); /* the pound sign */
	int k;
	assert_false(keycode_parse("F13", &k));
	assert_false(keycode_parse("F0", &k));
	assert_false(keycode_parse("C-1", &k));
	assert_false(keycode_parse("ab", &k));
	assert_false(keycode_parse("", &k));
	/* names round-trip */
	const char *names[] = {"F5", "C-r", "Tab", "BTab", "PgDn", "Up", "q", "Space", "Esc"};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char out[16];
		keycode_name(key(names[i]), out, sizeof(out));
		assert_int_equal(key(out), key(names[i]));
	}
	assert_int_equal(key_from_curses(0, '\r'), '\n');
	assert_int_equal(key_from_curses(0, 127), KC(KEY_BACKSPACE));
	assert_int_equal(key_from_curses(KEY_CODE_YES, KEY_ENTER), '\n');
	assert_int_equal(key_from_curses(KEY_CODE_YES, KEY_F(3)), KC(KEY_F(3)));
}

static void test_default_bindings(void **state)
{
	struct keymap *km = keymap_builtin(false);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("F1")), ACT_HELP);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("?")), ACT_HELP);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("1")), ACT_TAB_1);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("6")), ACT_TAB_6);
	/* a list inherits global keys */
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("F10")), ACT_QUIT);
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("Down")), ACT_MOVE_DOWN);
	/* a tree is a list, and Right expands there instead of changing tab */
	assert_int_equal(keymap_lookup(km, CTX_TREE, key("Down")), ACT_MOVE_DOWN);
	assert_int_equal(keymap_lookup(km, CTX_TREE, key("Right")), ACT_EXPAND);
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("Right")), ACT_NEXT_TAB);
	/* dialogs do not inherit: only their own keys work */
	assert_int_equal(keymap_lookup(km, CTX_DIALOG, key("1")), ACT_NONE);
	assert_int_equal(keymap_lookup(km, CTX_DIALOG, key("Esc")), ACT_BACK);
	assert_int_equal(keymap_lookup(km, CTX_DIALOG, key("y")), ACT_YES);
	/* vi keys are not in the default map */
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("j")), ACT_NONE);
	keymap_free(&km);

	km = keymap_builtin(true);
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("j")), ACT_MOVE_DOWN);
	/* h and l switch sub-tabs everywhere, trees included */
	assert_int_equal(keymap_lookup(km, CTX_TREE, key("l")), ACT_NEXT_SUBTAB);
	assert_int_equal(keymap_lookup(km, CTX_TREE, key("h")), ACT_PREV_SUBTAB);
	assert_int_equal(keymap_lookup(km, CTX_TREE, key("Right")), ACT_EXPAND);
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("l")), ACT_NEXT_SUBTAB);
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("Down")), ACT_MOVE_DOWN);
	keymap_free(&km);
}

/* Every function key has a plain letter or Ctrl alternative in the same
 * context chain (terminals send F-keys differently). */
static void test_fkeys_have_alternatives(void **state)
{
	for (int vi = 0; vi < 2; vi++) {
		struct keymap *km = keymap_builtin(vi);
		for (int ctx = 0; ctx < CTX__COUNT; ctx++) {
			for (int f = 1; f <= 12; f++) {
				enum action a = keymap_lookup(km, (enum context)ctx, KC(KEY_F(f)));
				if (a == ACT_NONE)
					continue;
				int keys[16];
				size_t n = keymap_keys_for(km, (enum context)ctx, a, keys, 16);
				bool alt = false;
				for (size_t i = 0; i < n && i < 16; i++)
					alt |= keys[i] < KC_CURSES && keys[i] != KC_ESC;
				if (!alt)
					fail_msg("F%d (%s) in %s has no letter or Ctrl alternative", f,
						 action_name(a), context_name((enum context)ctx));
			}
		}
		keymap_free(&km);
	}
}

static void test_user_bindings_and_errors(void **state)
{
	struct keymap *km = keymap_builtin(false);
	struct buf errs;
	buf_init(&errs);
	const char *text =
		"# my keys\n"
		"bind list x toggle-tag\n"
		"bind list Up nosuch-action\n"
		"bind nowhere x help\n"
		"bind list F13 help\n"
		"bind list x\n"
		"unbind global q\n"
		"unbind global q\n"
		"frobnicate list x help\n"
		"\n"
		"   bind   global   C-x   quit   \n";
	int bad = keymap_parse(km, text, "/home/u/.config/cqrs/keymap", &errs);
	assert_int_equal(bad, 6);
	assert_non_null(strstr(errs.data, "/home/u/.config/cqrs/keymap:3: unknown action \"nosuch-action\"\n"));
	assert_non_null(strstr(errs.data, "/home/u/.config/cqrs/keymap:4: unknown context \"nowhere\"\n"));
	assert_non_null(strstr(errs.data, "/home/u/.config/cqrs/keymap:5: unknown key \"F13\"\n"));
	assert_non_null(strstr(errs.data, "/home/u/.config/cqrs/keymap:6: bind takes CONTEXT KEY ACTION\n"));
	assert_non_null(strstr(errs.data, "/home/u/.config/cqrs/keymap:8: q is not bound in global\n"));
	assert_non_null(strstr(errs.data, "/home/u/.config/cqrs/keymap:9: unknown command \"frobnicate\""));
	/* the good lines still apply */
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("x")), ACT_TOGGLE_TAG);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("q")), ACT_NONE);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("C-x")), ACT_QUIT);
	/* Up kept its binding: the bad line changed nothing */
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("Up")), ACT_MOVE_UP);
	/* F10, C-c and the new C-x still quit, and the quit keys no longer
	 * list q */
	int keys[8];
	size_t n = keymap_keys_for(km, CTX_LIST, ACT_QUIT, keys, 8);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(keys[i], 'q');
	buf_free(&errs);
	keymap_free(&km);
}

static void test_shadowing_and_fkeys(void **state)
{
	struct keymap *km = keymap_builtin(false);
	int keys[16];
	size_t n = keymap_keys_for(km, CTX_TREE, ACT_NEXT_TAB, keys, 16);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(keys[i], key("Right")); /* Right expands in a tree */
	assert_true(n >= 1);
	assert_int_equal(keymap_fkey_for(km, CTX_LIST, ACT_SEARCH), KC(KEY_F(7)));
	assert_int_equal(keymap_fkey_for(km, CTX_GLOBAL, ACT_SEARCH), 0);
	/* rebinding F7 in list hides it from search */
	assert_int_equal(keymap_parse(km, "bind list F7 refresh\n", "k", NULL), 0);
	assert_int_equal(keymap_fkey_for(km, CTX_LIST, ACT_SEARCH), 0);
	assert_int_equal(keymap_lookup(km, CTX_LIST, KC(KEY_F(7))), ACT_REFRESH);
	keymap_free(&km);
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/test_keymap.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = xasprintf("%s/keymap", dir);
	struct keymap *km = keymap_builtin(false);
	struct buf errs;
	buf_init(&errs);
	assert_int_equal(keymap_load_file(km, path, &errs), 0); /* missing is fine */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("bind list j move-down\nbind list k move-upp\n", f);
	fclose(f);
	assert_int_equal(keymap_load_file(km, path, &errs), 1);
	char *want = xasprintf("%s:2: unknown action \"move-upp\"", path);
	assert_non_null(strstr(errs.data, want));
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("j")), ACT_MOVE_DOWN);
	free(want);
	unlink(path);
	rmdir(dir);
	free(path);
	buf_free(&errs);
	keymap_free(&km);
}

static void on_done(void *ud, int result, const char *text)
{
	(void)ud, (void)result, (void)text;
}

/* A confirmation's hint names the keys the live keymap binds. */
static void test_confirm_hint_from_keymap(void **state)
{
	struct keymap *km = keymap_builtin(false);
	struct popup *p = popup_confirm("Sign out?", on_done, NULL);
	popup_show_keys(p, km);
	assert_string_equal(p->lines[p->n - 1], "y = yes    n = no    Esc = cancel");
	popup_free(&p);
	p = popup_prompt("Notes", "Notes:", "", on_done, NULL);
	popup_show_keys(p, km);
	assert_string_equal(p->lines[0], "Enter = accept    Esc = cancel");
	popup_free(&p);
	/* the user's own keys */
	assert_int_equal(keymap_parse(km, "unbind dialog y\nunbind dialog Y\n"
				      "bind dialog j yes\nbind dialog n none\n", "k", NULL), 0);
	p = popup_confirm("Sign out?", on_done, NULL);
	popup_show_keys(p, km);
	assert_string_equal(p->lines[p->n - 1], "j = yes    N = no    Esc = cancel");
	popup_free(&p);
	keymap_free(&km);
	/* the vi keymap answers with the default keys */
	km = keymap_builtin(true);
	p = popup_confirm("Sign out?", on_done, NULL);
	popup_show_keys(p, km);
	assert_string_equal(p->lines[p->n - 1], "y = yes    n = no    Esc = cancel");
	popup_free(&p);
	keymap_free(&km);
}

/* docs/keymaps.md documents every action and context by name. */
static void test_docs_name_every_action(void **state)
{
	const char *srcdir = getenv("CQRS_TEST_SRCDIR");
	if (!srcdir)
		srcdir = "tests";
	char *path = xasprintf("%s/../docs/keymaps.md", srcdir);
	FILE *f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	struct buf doc;
	char chunk[4096];
	size_t got;
	buf_init(&doc);
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(&doc, chunk, got);
	fclose(f);
	for (int a = 1; a < ACT__COUNT; a++) {
		char *needle = xasprintf("`%s`", action_name((enum action)a));
		if (!strstr(doc.data, needle))
			fail_msg("%s does not document the action %s", path, needle);
		free(needle);
	}
	for (int c = 0; c < CTX__COUNT; c++) {
		char *needle = xasprintf("`%s`", context_name((enum context)c));
		if (!strstr(doc.data, needle))
			fail_msg("%s does not document the context %s", path, needle);
		free(needle);
	}
	buf_free(&doc);
	free(path);
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_parse_cleanly),
		cmocka_unit_test(test_key_names),
		cmocka_unit_test(test_default_bindings),
		cmocka_unit_test(test_fkeys_have_alternatives),
		cmocka_unit_test(test_user_bindings_and_errors),
		cmocka_unit_test(test_shadowing_and_fkeys),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_confirm_hint_from_keymap),
		cmocka_unit_test(test_docs_name_every_action),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
