/* data-entry.c: bench/data-entry, what Data Submission costs a user on a
 * slow link. Runs the real cqrs at 80x24 in a pseudo-terminal (the pty
 * test harness) against a real cqrsd with the demo database and prints:
 *   - the keystrokes to complete the job aid "Identifying Missing Data
 *     Network Contract DES 24/25" from Home: reach the NCD 2024/25
 *     31/03/2025 missing group's form, type its two values and a note,
 *     submit and confirm;
 *   - the bytes written to the terminal per digit typed in a New Value
 *     field (target at most 16) and per field move with Tab/Enter (target
 *     at most 64), averaged over several;
 *   - the HTTP bytes (headers and bodies, both directions, as counted by
 *     the client's CQRS_HTTP_STATS file) to open a group form (target at
 *     most 4096): a session that opens the form minus the same session
 *     without it.
 * Exits 1 when a target is missed, 2 when the client could not be driven.
 *
 *   bench/data-entry
 *
 * CQRS and CQRSD name the binaries (by default ./cqrs and ./cqrsd). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

static struct pty_server srv;
static int keys;

static void key(struct pty_term *t, const char *name)
{
	pty_key(t, name);
	keys++;
	pty_settle(t, 40, 2000);
}

static void type(struct pty_term *t, const char *text)
{
	pty_send(t, text);
	keys += (int)strlen(text);
	pty_settle(t, 40, 2000);
}

static void need(struct pty_term *t, const char *text, const char *what)
{
	if (!pty_wait_text(t, text, 8000)) {
		pty_dump(t, what);
		fprintf(stderr, "data-entry: could not drive the client: %s\n", what);
		pty_cleanup();
		exit(2);
	}
}

/* Moves the drop-down or list cursor with Down until the row holding
 * text holds the cursor marker. */
static void down_to(struct pty_term *t, const char *text)
{
	for (int i = 0; i < 30; i++) {
		int r = -1;
		if (pty_find(t, text, &r, NULL)) {
			char *row = pty_row(t, r);
			bool here = strstr(row, "> ") || strstr(row, "|>");
			free(row);
			if (here)
				return;
		}
		key(t, "Down");
	}
	need(t, "\x01never", "the cursor never reached the item");
}

static struct pty_term *start(const char *stats)
{
	char *env0 = xasprintf("CQRS_HTTP_STATS=%s", stats ? stats : "");
	const char *env[] = { env0, NULL };
	struct pty_opts o = { .env = env };
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	free(env0);
	if (!t || !pty_sign_in(t, "demo.practice", PTY_DEMO_PASSWORD, 15000)) {
		fprintf(stderr, "data-entry: cannot sign in\n");
		pty_cleanup();
		exit(2);
	}
	need(t, "Message Centre: your tasks", "Home");
	pty_settle(t, 150, 3000);
	return t;
}

/* From Home to the NCD 2024/25 31/03/2025 missing groups (filtered). */
static void to_missing(struct pty_term *t)
{
	key(t, "3");
	need(t, "Record Achievement:", "Data Submission");
	key(t, "]");
	need(t, " of 2", "Missing Data");
	key(t, "f");
	need(t, "All services and achievement dates", "the filter");
	down_to(t, "31/03/2025*  Network Contract DES 2024/25");
	key(t, "Enter");
	need(t, "one service, achievement date 31/03/2025", "the filtered list");
	down_to(t, " ACC ");
}

static long long stat_total(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char name[32];
	unsigned long long v, total = 0;
	while (fscanf(f, "%31s %llu", name, &v) == 2)
		if (strcmp(name, "bytes_in") == 0 || strcmp(name, "bytes_out") == 0)
			total += v;
	fclose(f);
	return (long long)total;
}

static void quit(struct pty_term **t)
{
	pty_key(*t, "F10");
	int st;
	pty_wait_exit(*t, 5000, &st);
	pty_close(t);
}

int main(void)
{
	pty_init(240);
	if (!pty_server_start(&srv, 0, NULL)) {
		fprintf(stderr, "data-entry: cannot start cqrsd\n");
		pty_cleanup();
		return 2;
	}
	int failures = 0;

	/* HTTP bytes to open a group form: with and without opening it */
	char *sa = xasprintf("%s/stats-a", pty_tmpdir()), *sb = xasprintf("%s/stats-b", pty_tmpdir());
	struct pty_term *t = start(sa);
	to_missing(t);
	quit(&t);
	t = start(sb);
	to_missing(t);
	key(t, "Enter");
	need(t, "ACC.MI02", "the group form");
	quit(&t);
	long long a = stat_total(sa), b = stat_total(sb);
	long long http = a >= 0 && b >= 0 ? b - a : -1;

	/* the job aid, keystrokes counted, and the terminal bytes */
	t = start(NULL);
	keys = 0;
	to_missing(t);
	key(t, "Enter");
	need(t, "ACC.MI02", "the group form");
	int keys_to_form = keys;
	uint64_t digits = 0, moves = 0;
	int ndigits = 0, nmoves = 0;
	const char *vals[] = { "1234", "56" };
	for (int f = 0; f < 2; f++) {
		for (const char *p = vals[f]; *p; p++) {
			char d[2] = { *p, 0 };
			uint64_t before = pty_bytes(t);
			type(t, d);
			digits += pty_bytes(t) - before;
			ndigits++;
		}
		uint64_t before = pty_bytes(t);
		key(t, f == 0 ? "Tab" : "Enter");
		moves += pty_bytes(t) - before;
		nmoves++;
	}
	/* moving back and forth without typing */
	for (int i = 0; i < 4; i++) {
		uint64_t before = pty_bytes(t);
		key(t, i % 2 ? "Tab" : "BTab");
		moves += pty_bytes(t) - before;
		nmoves++;
	}
	type(t, "NCD year end");
	key(t, "C-s");
	need(t, "Submit Achievement Data for ACC?", "the confirmation");
	key(t, "y");
	need(t, "Achievement data submitted for ACC", "the submission");
	int keys_total = keys;
	quit(&t);

	double per_digit = ndigits ? (double)digits / ndigits : 0;
	double per_move = nmoves ? (double)moves / nmoves : 0;
	printf("NCD 2024/25 missing-data job aid from Home: %d keystrokes to the group form, "
	       "%d to complete it (2 values, a 12-character note, submit, confirm)\n",
	       keys_to_form, keys_total);
	printf("terminal bytes per digit typed: %.1f (target <= 16, %d digits)\n", per_digit,
	       ndigits);
	printf("terminal bytes per field move: %.1f (target <= 64, %d moves)\n", per_move, nmoves);
	printf("HTTP bytes to open a group form: %lld (target <= 4096; both directions, headers "
	       "included)\n", http);
	failures += per_digit > 16;
	failures += per_move > 64;
	failures += http < 0 || http > 4096;
	free(sa);
	free(sb);
	pty_server_free(&srv);
	pty_cleanup();
	return failures ? 1 : 0;
}
