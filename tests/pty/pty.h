/* pty.h: the pseudo-terminal test harness. Runs a real program (the cqrs
 * client) under forkpty with a controlled environment, feeds everything it
 * writes into a libvterm screen, sends keys, waits for text with a
 * deadline (never a bare sleep), reads the screen back cell by cell (text,
 * colours, bold, reverse, underline), resizes the terminal, counts the
 * bytes the program wrote, and dumps the screen as TAP diagnostics. It
 * also runs cqrsd on a chosen or free loopback port with a database that
 * survives a restart. TAP output itself comes from tests/api/harness.h. */
#ifndef CQRS_TEST_PTY_H
#define CQRS_TEST_PTY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "tests/api/harness.h"

/* ------------------------------------------------------------ set-up */

/* Starts a test: arms alarm(seconds) (on expiry every child is killed, the
 * temporary directory removed and the test bails out), ignores SIGPIPE and
 * creates the test's private temporary directory. Call once, first. */
void pty_init(unsigned seconds);
/* The test's temporary directory (borrowed; removed at exit). */
const char *pty_tmpdir(void);
/* Creates and returns a new directory under the test's temporary
 * directory, named after prefix; the caller frees the string. */
char *pty_mkdir(const char *prefix);
/* Writes text to path (creating directories); false with a diagnostic. */
bool pty_write_file(const char *path, const char *text);
/* Reads a whole file; NULL (errno set) when it cannot be opened. Caller
 * frees. */
char *pty_read_file(const char *path);
/* Stops every child still running, removes the temporary directory and
 * returns tap_done()'s exit status. */
int pty_finish(void);
/* The same without the TAP plan (for programs that are not tests). */
void pty_cleanup(void);
/* Prints "Bail out! ...", cleans up like pty_finish and exits 1. */
void pty_bail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Adds a child the test started itself to those killed on timeout and at
 * the end (SIGTERM, then SIGKILL); forget removes it once reaped. */
void pty_track_child(pid_t pid);
void pty_forget_child(pid_t pid);

/* ------------------------------------------------------------ server */

struct pty_server {
	pid_t pid;
	int port;
	int out_fd;         /* read end of cqrsd's stdout, kept open */
	char *dir;          /* its directory under the test's tmpdir (owned) */
	char *db;           /* dir/cqrs.db (owned) */
	char *log;          /* dir/server.log, stderr of every run (owned) */
	char **extra;       /* extra arguments, NULL-terminated (owned) */
	char url[64];       /* "http://127.0.0.1:PORT" */
};

/* Starts $CQRSD --listen 127.0.0.1:PORT --db DIR/cqrs.db --demo EXTRA...
 * (port 0: any free port) and waits for its "listening" line. */
bool pty_server_start(struct pty_server *s, int port, const char *const *extra);
/* Stops it with SIGTERM (SIGKILL after 5 s) but keeps its directory and
 * database, so pty_server_restart can bring it back on the same port. */
void pty_server_kill(struct pty_server *s);
/* Starts it again on the same port with the same database and arguments;
 * retries for a few seconds while the port is still held. */
bool pty_server_restart(struct pty_server *s);
/* Stops it (if running) and frees s's strings. */
void pty_server_free(struct pty_server *s);
/* Prints the server's stderr as diagnostics (the last max_lines lines). */
void pty_server_dump_log(const struct pty_server *s, int max_lines);
/* Starts it on any free port (bails out when it does not start) and
 * points api at it, for the HTTP helpers of tests/api/harness.h. */
void pty_server_start_api(struct pty_server *s, struct server *api);
/* Returns a loopback port that nothing listens on right now. */
int pty_closed_port(void);

/* ------------------------------------------------------------ terminal */

struct pty_opts {
	int rows, cols;          /* default 24 x 80 */
	const char *term;        /* default "xterm-256color" */
	bool no_color;           /* sets NO_COLOR=1 */
	const char *home;        /* HOME; default a new dir under the tmpdir */
	const char *dbus;        /* DBUS_SESSION_BUS_ADDRESS, else unset */
	const char *const *env;  /* extra "NAME=value" entries, NULL-terminated */
};

struct pty_term;

/* Runs argv[0] (a path; argv NULL-terminated) on a new pseudo-terminal
 * with this environment only: PATH, HOME, XDG_CONFIG_HOME=HOME/.config,
 * XDG_STATE_HOME=HOME/.local/state, XDG_DATA_HOME, XDG_CACHE_HOME,
 * LANG=LC_ALL=C.UTF-8, TERM, CQRSD (so `cqrs --demo` finds the server),
 * then the options. Returns NULL with a diagnostic on failure. The caller
 * ends it with pty_close. */
struct pty_term *pty_spawn(const struct pty_opts *o, const char *const *argv);
/* Runs $CQRS with argv (NULL-terminated, without the program name). */
struct pty_term *pty_spawn_cqrs(const struct pty_opts *o, const char *const *args);
/* Hangs up (SIGHUP, then SIGKILL after a second), reaps the child and
 * frees *t, setting it to NULL. */
void pty_close(struct pty_term **t);
/* The HOME of the program (borrowed). */
const char *pty_home(const struct pty_term *t);

/* Reads whatever the program writes for up to ms milliseconds. */
void pty_pump(struct pty_term *t, int ms);
/* Reads until the program has been silent for quiet_ms (at most max_ms in
 * all); true when it went quiet. */
bool pty_settle(struct pty_term *t, int quiet_ms, int max_ms);
/* True once the program has exited; *status receives its wait status. */
bool pty_exited(struct pty_term *t, int *status);
/* Waits up to ms for the program to exit. */
bool pty_wait_exit(struct pty_term *t, int ms, int *status);

/* Sends raw bytes (text is sent as typed, UTF-8). */
void pty_send(struct pty_term *t, const char *bytes);
/* Sends one named key, encoded as an xterm-compatible terminal would in
 * the modes the program has set (application cursor keys and so on):
 * Enter, Tab, BTab, Esc, Backspace, Space, Up, Down, Left, Right, Home,
 * End, PgUp, PgDn, Insert, Delete, F1..F12, C-a..C-z, or any single
 * character. Aborts the test on an unknown name (a bug in the test). */
void pty_key(struct pty_term *t, const char *name);

/* Sends keys named as pty_key's, blank-separated ("3 ] Enter"),
 * settling after each (60 ms of quiet, at most 1.5 s). */
void pty_keys(struct pty_term *t, const char *names);

/* Resizes the terminal: TIOCSWINSZ on the master (the kernel then sends
 * SIGWINCH to the program) and the libvterm screen. */
void pty_resize(struct pty_term *t, int rows, int cols);
int pty_rows(const struct pty_term *t);
int pty_cols(const struct pty_term *t);

/* Total bytes the program has written to the terminal so far. */
uint64_t pty_bytes(const struct pty_term *t);

/* ------------------------------------------------------------ screen */

/* Row r of the screen as UTF-8, trailing blanks removed; caller frees. */
char *pty_row(const struct pty_term *t, int r);
/* The whole screen, rows joined by '\n'; caller frees. */
char *pty_screen(const struct pty_term *t);
/* Finds text on the screen, scanning rows top to bottom; the match may
 * not span rows. *row and *col (may be NULL) receive the cell position. */
bool pty_find(const struct pty_term *t, const char *text, int *row, int *col);
/* Finds text on row r only (from column 0); *col receives the column. */
bool pty_find_in_row(const struct pty_term *t, int r, const char *text, int *col);
/* True when the first row holding text also holds what. */
bool pty_row_has(const struct pty_term *t, const char *text, const char *what);
/* True when text is on the screen exactly at (r, c). */
bool pty_text_at(const struct pty_term *t, int r, int c, const char *text);

/* Waits up to ms for text to appear anywhere / to be gone. Once the text
 * is there, also waits for 30 ms of quiet so the rest of the same screen
 * update has arrived. */
bool pty_wait_text(struct pty_term *t, const char *text, int ms);
/* Waits up to ms for the title line (row PTY_TITLE_ROW) to contain text. */
bool pty_wait_title(struct pty_term *t, const char *text, int ms);
bool pty_wait_gone(struct pty_term *t, const char *text, int ms);
/* Waits up to ms for any of the NULL-terminated texts; returns its index
 * or -1. */
int pty_wait_any(struct pty_term *t, const char *const *texts, int ms);

/* A cell as read back: fg and bg are PTY_DEFAULT, a palette index 0-255,
 * or PTY_RGB | 0xRRGGBB. */
#define PTY_DEFAULT (-1)
#define PTY_RGB 0x1000000
struct pty_cell {
	uint32_t ch;          /* first code point, ' ' for an empty cell */
	int fg, bg;
	bool bold, underline, reverse, italic, blink;
};
void pty_cell(const struct pty_term *t, int r, int c, struct pty_cell *cell);
/* True when any cell on the screen has a non-default colour. */
bool pty_any_colour(const struct pty_term *t);
/* The cursor position. */
void pty_cursor(const struct pty_term *t, int *row, int *col);

/* The screen as text, in the notation of the golden files under
 * tests/screens/ (see its README): a column ruler; every row framed as
 * "%3d |...|" with all its columns; then three maps, each listing only
 * the rows that have anything to show: the attributes (b bold, r reverse,
 * u underline, c a colour, * several), the foreground and the background
 * colours (k r g y b m c w for palette colours 0-7, capitals for 8-15).
 * Caller frees. */
char *pty_snapshot(const struct pty_term *t);
/* Prints the cursor position, the bytes so far and the snapshot as TAP
 * diagnostics. */
void pty_dump(const struct pty_term *t, const char *why);

/* ------------------------------------------------------------ cases */

/* A TAP case: waits up to ms for text; on failure dumps the screen. */
bool pty_expect(struct pty_term *t, const char *text, int ms, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A TAP case: text must not be on the screen (checked now). */
bool pty_expect_not(struct pty_term *t, const char *text, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A TAP case on any condition; on failure dumps the screen. */
bool pty_check(struct pty_term *t, bool cond, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ------------------------------------------------------------ cqrs */

#define PTY_DEMO_PASSWORD "Terminal-2025"
/* What the client shows: the heading of the sign-in screen, the message
 * after a good sign-in, and the frame's rows (title, tab bar, sub-tab
 * row; the message line and function bar are the last two rows). */
#define PTY_SIGNIN_READY "Sign in to CQRS National"
#define PTY_SIGNED_IN "Signed in as "
#define PTY_TITLE_ROW 0
#define PTY_TAB_ROW 1
#define PTY_SUBTAB_ROW 2
#define PTY_MSG_ROW(t) (pty_rows(t) - 2)
#define PTY_FBAR_ROW(t) (pty_rows(t) - 1)

/* Signs in through the sign-in screen: waits for it, types user, Tab,
 * password and Enter, and waits for "Signed in as USER". Returns true on
 * success within ms. Prints no TAP line; on failure dumps the screen as
 * diagnostics. */
bool pty_sign_in(struct pty_term *t, const char *user, const char *password, int ms);
/* cqrs with o against server_url, signed in as user (bails if it cannot),
 * settled on the Message Centre. */
struct pty_term *pty_client_as(const struct pty_opts *o, const char *server_url,
			       const char *user);
/* Presses key until the row holding text also holds the cursor marker
 * ">" (a list or drop-down), at most 30 times; false (with a dump) if it
 * never does. */
bool pty_move_to(struct pty_term *t, const char *key, const char *text);
/* The text of the message, joined when it wraps over several rows from
 * the message line upwards (caller frees). */
char *pty_message(const struct pty_term *t);
/* The name of the active tab or sub-tab: the "[...]" item on row r
 * (without the brackets, and for tabs without the digit), or "" (caller
 * frees). */
char *pty_active_item(const struct pty_term *t, int r);

#endif
