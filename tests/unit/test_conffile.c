/* test_conffile.c: unit tests for the one loader of the config and keymap
 * files (lib/conffile.c): `file:line: message` for bad lines, NUL bytes,
 * a directory where a file should be and unreadable files; and the
 * system-wide files ($CQRS_SYSCONFDIR standing in for /etc/cqrs) read
 * before the user's, the user's winning. Everything happens in a
 * temporary directory. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <curses.h>

#include "client/settings.h"
#include "conffile.h"
#include "keymaps/keymap.h"
#include "util.h"

/* A temporary directory with etc/ (the system-wide files) and home/. */
struct tmp {
	char dir[64];
	char *etc, *home;
};

static int setup(void **state)
{
	struct tmp *t = xcalloc(1, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/test_conffile.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	t->etc = xasprintf("%s/etc", t->dir);
	t->home = xasprintf("%s/home", t->dir);
	assert_int_equal(mkdir(t->etc, 0700), 0);
	assert_int_equal(mkdir(t->home, 0700), 0);
	setenv("CQRS_SYSCONFDIR", t->etc, 1);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tmp *t = *state;
	char *cmd = xasprintf("rm -rf '%s'", t->dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	unsetenv("CQRS_SYSCONFDIR");
	free(t->etc);
	free(t->home);
	free(t);
	return 0;
}

/* Writes len bytes of text to dir/leaf; returns the path (caller frees). */
static char *put(const char *dir, const char *leaf, const char *text, size_t len)
{
	char *path = xasprintf("%s/%s", dir, leaf);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

#define PUT(dir, leaf, lit) put(dir, leaf, lit, sizeof(lit) - 1)

/* A line parser for the tests: "ok" lines are counted, others are bad. */
static bool count_ok(void *ud, char *line, char *why, size_t whylen)
{
	if (strcmp(line, "ok") == 0 || !*line) {
		*(int *)ud += !!*line;
		return true;
	}
	snprintf(why, whylen, "not ok: \"%s\"", line);
	return false;
}

static void test_lines_and_errors(void **state)
{
	(void)state;
	struct buf errs;
	int oks = 0;
	buf_init(&errs);
	/* CR LF endings, no newline at the end, an empty line */
	const char text[] = "ok\r\nbad\n\nok";
	assert_int_equal(conf_parse(text, sizeof(text) - 1, "f.conf", count_ok, &oks, &errs), 1);
	assert_int_equal(oks, 2);
	assert_string_equal(errs.data, "f.conf:2: not ok: \"bad\"\n");
	/* no text, no lines */
	assert_int_equal(conf_parse("", 0, "e", count_ok, &oks, NULL), 0);
	buf_free(&errs);
}

static void test_nul_byte(void **state)
{
	struct tmp *t = *state;
	struct buf errs;
	int oks = 0;
	buf_init(&errs);
	char *path = PUT(t->home, "binary", "ok\nok\0junk\nok\n");
	/* the line holding the NUL is bad; the others still apply */
	assert_int_equal(conf_load_file(path, count_ok, &oks, &errs), 1);
	assert_int_equal(oks, 2);
	char *want = xasprintf("%s:2: the line holds a NUL byte", path);
	assert_non_null(strstr(errs.data, want));
	free(want);
	free(path);
	buf_free(&errs);
}

static void test_directory_and_unreadable(void **state)
{
	struct tmp *t = *state;
	struct buf errs;
	int oks = 0;
	buf_init(&errs);
	/* missing: nothing to say */
	char *missing = xasprintf("%s/nothing-here", t->home);
	assert_int_equal(conf_load_file(missing, count_ok, &oks, &errs), 0);
	assert_int_equal(errs.len, 0);
	free(missing);
	/* a directory where the file should be */
	char *dir = xasprintf("%s/config", t->home);
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_int_equal(conf_load_file(dir, count_ok, &oks, &errs), -1);
	char *want = xasprintf("%s:1: is a directory, not a file\n", dir);
	assert_string_equal(errs.data, want);
	free(want);
	free(dir);
	/* unreadable (unless we are root, who reads everything) */
	if (geteuid() != 0) {
		buf_reset(&errs);
		char *path = PUT(t->home, "secret", "ok\n");
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(conf_load_file(path, count_ok, &oks, &errs), -1);
		want = xasprintf("%s:1: cannot open it: ", path);
		assert_non_null(strstr(errs.data, want));
		free(want);
		free(path);
	}
	assert_int_equal(oks, 0);
	buf_free(&errs);
}

static void test_system_path(void **state)
{
	struct tmp *t = *state;
	char *p = conf_system_path("keymap");
	char *want = xasprintf("%s/keymap", t->etc);
	assert_string_equal(p, want);
	free(want);
	free(p);
	unsetenv("CQRS_SYSCONFDIR");
	p = conf_system_path("config");
	assert_string_equal(p, "/etc/cqrs/config");
	free(p);
	setenv("CQRS_SYSCONFDIR", t->etc, 1);
}

/* The system-wide config is read first; the user's settings win. */
static void test_config_system_then_user(void **state)
{
	struct tmp *t = *state;
	struct cqrs_config c;
	struct buf errs;
	config_defaults(&c);
	buf_init(&errs);
	char *sys = PUT(t->etc, "config",
			"server = https://national.example\n"
			"escdelay = 50\n"
			"keymap = vi\n"
			"wibble = 1\n");
	char *user = PUT(t->home, "config", "escdelay = 10\nkeymap = default\n");
	assert_int_equal(config_load(&c, user, &errs), 0);
	assert_string_equal(c.server, "https://national.example"); /* system only */
	assert_int_equal(c.escdelay, 10);                          /* user wins */
	assert_false(c.vi_keys);
	char *want = xasprintf("%s:4: unknown setting \"wibble\"\n", sys);
	assert_string_equal(errs.data, want);
	free(want);
	/* no user file: the system-wide one alone */
	config_free(&c);
	config_defaults(&c);
	assert_int_equal(config_load(&c, NULL, &errs), 0);
	assert_int_equal(c.escdelay, 50);
	assert_true(c.vi_keys);
	/* the user's bad lines are counted, the system's are only reported */
	free(user);
	user = PUT(t->home, "config", "colour\n");
	assert_int_equal(config_load(&c, user, &errs), 1);
	want = xasprintf("%s:1: expected \"key = value\"\n", user);
	assert_non_null(strstr(errs.data, want));
	free(want);
	free(sys);
	free(user);
	config_free(&c);
	buf_free(&errs);
}

static int key(const char *name)
{
	int k = -1;
	assert_true(keycode_parse(name, &k));
	return k;
}

/* The system-wide keymap applies on top of the built-in one, and the
 * user's on top of both. */
static void test_keymap_system_then_user(void **state)
{
	struct tmp *t = *state;
	struct keymap *km = keymap_builtin(false);
	struct buf errs;
	buf_init(&errs);
	char *sys = PUT(t->etc, "keymap",
			"bind list j move-down\n"
			"bind global C-q quit\n"
			"unbind global q\n"
			"bind list k move-upp\n");
	char *user = PUT(t->home, "keymap", "bind global C-q help\nbind global q quit\n");
	assert_int_equal(keymap_load(km, user, &errs), 0);
	assert_int_equal(keymap_lookup(km, CTX_LIST, key("j")), ACT_MOVE_DOWN); /* system */
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("C-q")), ACT_HELP);  /* user wins */
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("q")), ACT_QUIT);    /* user again */
	char *want = xasprintf("%s:4: unknown action \"move-upp\"\n", sys);
	assert_string_equal(errs.data, want);
	free(want);
	/* the user's file is not read twice when it is the system's */
	buf_reset(&errs);
	keymap_free(&km);
	km = keymap_builtin(false);
	assert_int_equal(keymap_load(km, sys, &errs), 0);
	assert_int_equal(keymap_lookup(km, CTX_GLOBAL, key("q")), ACT_NONE);
	want = xasprintf("%s:4: unknown action \"move-upp\"\n", sys);
	assert_string_equal(errs.data, want);
	free(want);
	free(sys);
	free(user);
	keymap_free(&km);
	buf_free(&errs);
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_and_errors),
		cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_and_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_system_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_system_then_user, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keymap_system_then_user, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
