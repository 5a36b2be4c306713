/* test_pty_selftest.c: proves the pseudo-terminal harness itself with
 * /bin/sh instead of cqrs: text and cell colours and attributes read back
 * through libvterm, UTF-8, exact byte counts, key encodings in both cursor
 * modes, resizing with SIGWINCH from the kernel, the controlled
 * environment, and a wait that must time out. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/pty/pty.h"

static struct pty_term *sh(const struct pty_opts *o, const char *script)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct pty_term *t = pty_spawn(o, argv);
	if (!t)
		pty_bail("cannot run /bin/sh on a pty");
	return t;
}

static void colours_and_attributes(void)
{
	struct pty_term *t = sh(NULL,
		"printf '\\033[1;31mRED\\033[0m \\033[7mREV\\033[0m \\033[4mUND\\033[0m "
		"\\033[38;5;200;48;5;17mIDX\\033[0m \\302\\2435.00\\n'; sleep 30");
	pty_expect(t, "RED REV UND IDX £5.00", 5000, "self-test: coloured text is read back");
	int r = -1, c = -1;
	pty_find(t, "RED", &r, &c);
	struct pty_cell cell;
	pty_cell(t, r, c, &cell);
	pty_check(t, r == 0 && c == 0 && cell.ch == 'R' && cell.bold && cell.fg == 1 &&
		  cell.bg == PTY_DEFAULT && !cell.reverse,
		  "self-test: bold red cell (fg %d, bold %d)", cell.fg, cell.bold);
	pty_cell(t, 0, 4, &cell);
	pty_check(t, cell.ch == 'R' && cell.reverse && !cell.bold && cell.fg == PTY_DEFAULT,
		  "self-test: reverse cell");
	pty_cell(t, 0, 8, &cell);
	pty_check(t, cell.ch == 'U' && cell.underline && !cell.reverse, "self-test: underlined cell");
	pty_cell(t, 0, 12, &cell);
	pty_check(t, cell.ch == 'I' && cell.fg == 200 && cell.bg == 17,
		  "self-test: 256-colour cell (fg %d bg %d)", cell.fg, cell.bg);
	pty_cell(t, 0, 15, &cell);
	pty_check(t, cell.fg == PTY_DEFAULT && !cell.bold && !cell.underline,
		  "self-test: attributes reset after SGR 0");
	pty_check(t, pty_text_at(t, 0, 16, "£5.00") && !pty_text_at(t, 0, 15, "£5.00"),
		  "self-test: £ takes one column and text_at is exact");
	pty_check(t, pty_any_colour(t), "self-test: any_colour sees the colours");
	pty_close(&t);
}

static void byte_count(void)
{
	/* 11 bytes of text, and the newline becomes \r\n: 13 in all. */
	struct pty_term *t = sh(NULL, "printf 'hello world\\n'; sleep 30");
	pty_wait_text(t, "hello world", 5000);
	pty_settle(t, 100, 2000);
	pty_check(t, pty_bytes(t) == 13, "self-test: byte count is exact (%llu)",
		  (unsigned long long)pty_bytes(t));
	pty_close(&t);
}

static void keys(void)
{
	/* Raw mode; report the first 3 bytes of each key in hex. */
	struct pty_term *t = sh(NULL,
		"stty raw -echo; echo ready; head -c 3 | od -An -tx1; "
		"printf '\\033[?1h'; echo app; head -c 3 | od -An -tx1; "
		"head -c 5 | od -An -tx1; head -c 3 | od -An -tx1; "
		"head -c 1 | od -An -tx1; sleep 30");
	pty_wait_text(t, "ready", 5000);
	pty_key(t, "Up");
	pty_expect(t, "1b 5b 41", 3000, "self-test: Up in normal cursor mode is CSI A");
	pty_wait_text(t, "app", 3000);
	pty_key(t, "Up");
	pty_expect(t, "1b 4f 41", 3000, "self-test: Up in application cursor mode is SS3 A");
	pty_key(t, "F5");
	pty_expect(t, "1b 5b 31 35 7e", 3000, "self-test: F5 is CSI 15 ~");
	pty_key(t, "F1");
	pty_expect(t, "1b 4f 50", 3000, "self-test: F1 is SS3 P");
	pty_key(t, "C-r");
	pty_expect(t, " 12", 3000, "self-test: C-r is 0x12");
	pty_close(&t);
}

static void resize(void)
{
	struct pty_term *t = sh(NULL,
		"stty size; trap 'stty size' WINCH; echo ready; "
		"while :; do sleep 0.05; done");
	pty_expect(t, "24 80", 5000, "self-test: the program starts at 80x24");
	pty_wait_text(t, "ready", 3000);
	pty_resize(t, 30, 100);
	pty_expect(t, "30 100", 5000, "self-test: resizing delivers SIGWINCH and the new size");
	pty_check(t, pty_rows(t) == 30 && pty_cols(t) == 100, "self-test: the screen is 100x30");
	pty_close(&t);
}

static void environment(void)
{
	const char *env[] = { "CQRS_SERVER=http://example.invalid", NULL };
	struct pty_opts o = { .term = "vt100", .no_color = true, .env = env };
	struct pty_term *t = sh(&o,
		"echo \"T=$TERM N=$NO_COLOR D=${DBUS_SESSION_BUS_ADDRESS:-none} "
		"S=$CQRS_SERVER\"; case $XDG_CONFIG_HOME in \"$HOME\"/.config) echo xdg-ok;; esac; "
		"sleep 30");
	pty_expect(t, "T=vt100 N=1 D=none S=http://example.invalid", 5000,
		   "self-test: the environment is the one asked for");
	pty_expect(t, "xdg-ok", 2000, "self-test: XDG dirs are under the private HOME");
	pty_check(t, strncmp(pty_home(t), pty_tmpdir(), strlen(pty_tmpdir())) == 0,
		  "self-test: HOME is inside the test's temporary directory");
	pty_close(&t);
}

static void waits_and_exit(void)
{
	struct pty_term *t = sh(NULL, "echo one; sleep 0.8; echo two; exit 3");
	int64_t t0 = mono_ms();
	bool found = pty_wait_text(t, "three", 400);
	int64_t took = mono_ms() - t0;
	pty_check(t, !found && took >= 390 && took < 1500,
		  "self-test: waiting for absent text times out (%lld ms)", (long long)took);
	int status = 0;
	bool gone = pty_wait_exit(t, 5000, &status);
	pty_check(t, gone && WIFEXITED(status) && WEXITSTATUS(status) == 3,
		  "self-test: the exit status is seen");
	pty_check(t, pty_wait_gone(t, "zzz", 100) && pty_find(t, "two", NULL, NULL),
		  "self-test: the last output stays on the screen after exit");
	pty_close(&t);
}

int main(void)
{
	pty_init(60);
	tap_plan(23);
	colours_and_attributes();
	byte_count();
	keys();
	resize();
	environment();
	waits_and_exit();
	return pty_finish();
}
