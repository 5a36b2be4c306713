/* test_atrest.c: data at rest (issue 14). The database and its -wal and
 * -shm files are created 0600 whatever the umask; a write that meets a
 * lock held by another connection answers 503 busy within a few seconds
 * and writes nothing; a corrupt database is refused at start with a
 * clear message; `cqrsd generate-national` killed part-way leaves no
 * database (or a whole one), and the next run removes what it left.
 * On PostgreSQL (CQRS_TEST_PG) the lock is the store's writer lock held
 * by another connection; the checks about SQLite's files are skipped. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "apitest.h"
#include "harness.h"


static char *tmpdir;

/* Why the checks about SQLite's own files skip on PostgreSQL. */
#define NOT_SQLITE "about SQLite's database file; this run's database is PostgreSQL"

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Starts $CQRSD with args (argv[0] is filled in), stderr to err_path. */
static pid_t spawn_cqrsd(const char *const *args, const char *err_path)
{
	const char *bin = getenv("CQRSD");
	const char *argv[16];
	size_t n = 0;
	argv[n++] = bin;
	for (; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int nul = open("/dev/null", O_RDWR);
		if (fd >= 0)
			dup2(fd, STDERR_FILENO);
		if (nul >= 0) {
			dup2(nul, STDIN_FILENO);
			dup2(nul, STDOUT_FILENO);
		}
		execv(bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Waits up to timeout_ms for pid; its exit status, or -1 (then killed). */
static int wait_for(pid_t pid, long timeout_ms)
{
	int64_t deadline = mono_ms() + timeout_ms;
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
		if (mono_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			return -1;
		}
		sleep_ms(20);
	}
}

/* A file's text (the harness's reader of a server's log). */
static char *slurp(const char *path)
{
	struct server f = {.log = (char *)path};
	return server_log(&f);
}

static bool mode_is(const char *path, unsigned want)
{
	struct stat sb;
	if (stat(path, &sb) != 0) {
		tap_diag("stat %s: %s", path, strerror(errno));
		return false;
	}
	if ((sb.st_mode & 0777) != want)
		tap_diag("%s is %03o, want %03o", path, (unsigned)(sb.st_mode & 0777), want);
	return (sb.st_mode & 0777) == want;
}

static void test_modes(void)
{
	static const char *const sfx[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < 3; i++) {
		if (harness_pg()) {
			tap_skip(NOT_SQLITE, "a new database's %s file is 0600 under umask 022",
				 *sfx[i] ? sfx[i] : "main");
			continue;
		}
		char *f = xasprintf("%s%s", srv.db, sfx[i]);
		tap_ok(mode_is(f, 0600), "a new database's %s file is 0600 under umask 022",
		       *sfx[i] ? sfx[i] : "main");
		free(f);
	}
}

/* "OFFER" enabled in GET /me/notifications. */
static int offer_enabled(const char *tok)
{
	struct http_resp r;
	http_get(&srv, "/api/v1/me/notifications", tok, &r);
	int on = -1;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r.json, "preferences"), i, p)
		if (!strcmp(json_string_value(json_object_get(p, "kind")), "OFFER"))
			on = json_is_true(json_object_get(p, "enabled"));
	http_resp_free(&r);
	return on;
}

static void test_busy(void)
{
	char *tok = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	if (!tok)
		tap_bail("demo.practice cannot sign in");
	tap_ok(offer_enabled(tok) == 1, "OFFER e-mails are on to begin with");
	/* SQLite: the database's write lock; PostgreSQL: the advisory lock
	 * every writer of the store takes first (store.c, PG_WRITE_LOCK). */
	struct dbconn *h = server_db_open(&srv);
	char *got = dbconn_query(h, harness_pg() ? "BEGIN; SELECT pg_advisory_xact_lock(7263)"
						: "BEGIN IMMEDIATE");
	tap_ok(got != NULL, "another connection holds the write lock");
	free(got);
	struct http_resp r;
	struct http_req q = {.method = "PUT", .path = "/api/v1/me/notifications", .token = tok,
			     .body = "{\"OFFER\": false}", .timeout_ms = 30000};
	http_do(&srv, &q, &r);
	expect_error(&r, 503, "busy", NULL, "a write behind the lock answers 503 busy");
	tap_ok(r.seconds < 6.0, "... within 6 s (%.2f s; the bound is 3 s of waiting)", r.seconds);
	http_resp_free(&r);
	int64_t t0 = mono_ms();
	tap_ok(offer_enabled(tok) == 1 && mono_ms() - t0 < 1000,
	       "a read during the lock answers at once, and the write changed nothing");
	free(dbconn_query(h, "ROLLBACK"));
	dbconn_close(h);
	http_do(&srv, &q, &r);
	expect_status(&r, 200, "once the lock is gone the same write is stored");
	http_resp_free(&r);
	tap_ok(offer_enabled(tok) == 0, "... and reads back");
	free(tok);
}

static void test_corrupt(void)
{
	if (harness_pg()) {
		tap_skip(NOT_SQLITE, "a copy of the demo database");
		tap_skip(NOT_SQLITE, "16 KiB in its middle overwritten");
		tap_skip(NOT_SQLITE, "cqrsd refuses to start on it");
		tap_skip(NOT_SQLITE, "... saying the file is corrupt");
		return;
	}
	/* A whole demo database (a consistent copy through the backup API),
	 * then 16 KiB of its middle overwritten. */
	char *copy = xasprintf("%s/corrupt.db", tmpdir), *err = xasprintf("%s/corrupt.err", tmpdir);
	sqlite3 *from = NULL, *to = NULL;
	bool copied = false;
	if (sqlite3_open(srv.db, &from) == SQLITE_OK && sqlite3_open(copy, &to) == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
		copied = b && sqlite3_backup_step(b, -1) == SQLITE_DONE;
		sqlite3_backup_finish(b);
	}
	sqlite3_close(from);
	sqlite3_close(to);
	struct stat sb;
	copied = copied && stat(copy, &sb) == 0 && sb.st_size > 256 * 1024;
	tap_ok(copied, "a copy of the demo database (%lld bytes)", copied ? (long long)sb.st_size : 0LL);
	int fd = open(copy, O_WRONLY);
	char junk[16384];
	memset(junk, 0xa5, sizeof junk);
	bool broke = fd >= 0 && pwrite(fd, junk, sizeof junk, sb.st_size / 2) == (ssize_t)sizeof junk;
	if (fd >= 0)
		close(fd);
	tap_ok(broke, "16 KiB in its middle overwritten");
	const char *args[] = {"--listen", "127.0.0.1:0", "--db", copy, NULL};
	int rc = wait_for(spawn_cqrsd(args, err), 20000);
	char *msg = slurp(err);
	tap_ok(rc == 1, "cqrsd refuses to start on it (exit %d)", rc);
	if (!tap_ok(strstr(msg, "corrupt") && strstr(msg, "corrupt.db"),
		    "... saying the file is corrupt"))
		tap_diag("stderr: %s", msg);
	free(msg);
	free(copy);
	free(err);
}

static bool db_whole(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	bool ok = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
		  sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &st, NULL) == SQLITE_OK &&
		  sqlite3_step(st) == SQLITE_ROW &&
		  !strcmp((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(h);
	return ok;
}

static void test_generate_killed(void)
{
	if (harness_pg()) {
		/* It writes a SQLite file of its own, the same in both runs. */
		tap_skip(NOT_SQLITE, "generate-national killed after 2.5 s");
		tap_skip(NOT_SQLITE, "... leaves no n.db, or a whole one");
		tap_skip(NOT_SQLITE, "... and its work in n.db.partial");
		tap_skip(NOT_SQLITE, "the next run removes the leftover with a message");
		tap_skip(NOT_SQLITE, "... and, killed too, leaves no half database");
		return;
	}
	char *db = xasprintf("%s/n.db", tmpdir), *part = xasprintf("%s/n.db.partial", tmpdir);
	char *err = xasprintf("%s/gen.err", tmpdir);
	const char *args[] = {"generate-national", "--db", db, NULL};
	pid_t pid = spawn_cqrsd(args, err);
	sleep_ms(2500);
	kill(pid, SIGKILL);
	int rc = wait_for(pid, 5000);
	struct stat sb;
	bool absent = stat(db, &sb) != 0 && errno == ENOENT;
	tap_ok(rc == 128 + SIGKILL || rc == 0, "generate-national killed after 2.5 s (status %d)", rc);
	tap_ok(absent || db_whole(db), "... leaves no %s, or a whole one (%s)", db,
	       absent ? "none" : "whole");
	tap_ok(stat(part, &sb) == 0 || !absent, "... and its work in %s", part);
	/* The next run says it removes the leftover, and starts again. */
	pid = spawn_cqrsd(args, err);
	int64_t deadline = mono_ms() + 15000;
	char *msg = NULL;
	bool said = false;
	while (!said && mono_ms() < deadline) {
		sleep_ms(100);
		free(msg);
		msg = slurp(err);
		said = strstr(msg, "left by an interrupted run") != NULL;
	}
	kill(pid, SIGKILL);
	wait_for(pid, 5000);
	if (!tap_ok(said, "the next run removes the leftover with a message"))
		tap_diag("stderr: %s", msg ? msg : "");
	tap_ok(stat(db, &sb) != 0 || db_whole(db), "... and, killed too, leaves no half database");
	free(msg);
	free(db);
	free(part);
	free(err);
}

int main(void)
{
	harness_timeout(120);
	umask(022);
	tmpdir = harness_mkdtemp("cqrs-atrest");
	if (!tmpdir)
		tap_bail("no temporary directory");
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	test_modes();
	test_busy();
	test_corrupt();
	server_stop(&srv, 10, tap_failed() > 0);
	test_generate_killed();
	char *rm = xasprintf("rm -rf '%s'", tmpdir);
	if (system(rm) != 0)
		tap_diag("could not remove %s", tmpdir);
	free(rm);
	free(tmpdir);
	return tap_done();
}
