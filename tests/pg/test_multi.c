/* test_multi.c: several cqrsd on one PostgreSQL database behind HAProxy
 * (issue 15). Run by tests/pg/run-on-pg.sh (the test tests/pg/test_multi.pg),
 * which makes a throwaway cluster and passes its conninfo base in
 * CQRS_TEST_PG. Here: a database of its own on that cluster, three cqrsd on
 * free loopback ports (the first two started at once with --demo: one
 * seeds, in one transaction, the other waits and finds it seeded; the
 * third after them), a loopback SMTP listener for the two
 * instances that deliver e-mail, and HAProxy in front, its configuration
 * made from docs/deploy/haproxy.cfg by docs/deploy/haproxy-cfg.sh. Then:
 * - a token made on one instance works on the others; signing out on one
 *   is a 401 at once on the others; failed sign-ins count everywhere;
 * - clients through HAProxy keep their own addresses (X-Forwarded-For,
 *   --trusted-proxy): one client's failed sign-ins make only it wait, and
 *   the audit log names it;
 * - the e-mail outbox: messages queued through HAProxy are delivered
 *   exactly once while two instances' mailers race for them;
 * - a stream of submissions and declarations through HAProxy while one
 *   instance is SIGKILLed: every acknowledged write is in the database
 *   exactly once, nothing is half-applied (SQL through psql), and no
 *   request fails but the one in flight at the kill;
 * - one write sent at the same moment to two instances with one
 *   Idempotency-Key (a retry racing its first attempt) is stored once,
 *   and both answers are its one answer;
 * - `cqrsd load-extract` on the database while the other instances serve
 *   reads without an error.
 * Skipped (TAP "1..0 # SKIP") without CQRS_TEST_PG, psql or haproxy.
 * CQRS_TEST_MULTI_SQLITE=1 runs the same on one SQLite file shared by the
 * three processes (sqlite3 for the SQL), for trying the test itself. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../api/apitest.h"
#include "../api/harness.h"
#include "../api/smtpd.h"

#define PASSWORD "Terminal-2025"

static char *dir;          /* the test's own temporary folder */
static char *db_arg;       /* cqrsd's --db */
static char *sql_cmd;      /* the shell command that runs one SQL text (appended, quoted) */
static bool on_pg;
static struct server inst[3];
static struct server lb;   /* HAProxy: only base is used */
static pid_t haproxy_pid;

/* ------------------------------------------------------------ processes */

static void msleep(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Starts a program with stdout to a pipe (NULL: the log too) and stderr
 * to log, dying with this test. Returns the pid, or -1. */
static pid_t spawn(char *const argv[], const char *log, int *out_fd)
{
	int p[2] = {-1, -1};
	if (out_fd && pipe2(p, O_CLOEXEC) < 0)
		return -1;
	int lfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		if (nul >= 0)
			dup2(nul, STDIN_FILENO);
		dup2(out_fd ? p[1] : lfd, STDOUT_FILENO);
		dup2(lfd, STDERR_FILENO);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], argv);
		dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (lfd >= 0)
		close(lfd);
	if (out_fd) {
		close(p[1]);
		*out_fd = p[0];
	}
	return pid;
}

static bool spawn_cqrsd(int i, const char *const *extra);
static bool wait_cqrsd(int i);

/* Starts cqrsd number i (0-based) on db_arg with extra options (NULL-ended),
 * waiting for its "listening on" line. */
static bool start_cqrsd(int i, const char *const *extra)
{
	return spawn_cqrsd(i, extra) && wait_cqrsd(i);
}

static bool spawn_cqrsd(int i, const char *const *extra)
{
	struct server *s = &inst[i];
	memset(s, 0, sizeof *s);
	s->out_fd = -1;
	s->log = xasprintf("%s/cqrsd%d.log", dir, i + 1);
	const char *bin = getenv("CQRSD");
	char *argv[16];
	int a = 0;
	argv[a++] = (char *)bin;
	argv[a++] = (char *)"--listen";
	argv[a++] = (char *)"127.0.0.1:0";
	argv[a++] = (char *)"--db";
	argv[a++] = db_arg;
	/* HAProxy connects from 127.0.0.1 and forwards the client's address
	 * (docs/deploy/haproxy.cfg). */
	argv[a++] = (char *)"--trusted-proxy";
	argv[a++] = (char *)"127.0.0.1";
	for (int k = 0; extra && extra[k] && a < 15; k++)
		argv[a++] = (char *)extra[k];
	argv[a] = NULL;
	s->pid = spawn(argv, s->log, &s->out_fd);
	return s->pid >= 0;
}

/* Waits for cqrsd i's "listening on" line (a minute at most). */
static bool wait_cqrsd(int i)
{
	struct server *s = &inst[i];
	char line[256];
	size_t n = 0;
	int64_t deadline = mono_ms() + 60000;
	while (n < sizeof line - 1 && mono_ms() < deadline) {
		struct pollfd p = {.fd = s->out_fd, .events = POLLIN};
		if (poll(&p, 1, 200) <= 0)
			continue;
		ssize_t r = read(s->out_fd, line + n, 1);
		if (r <= 0)
			break;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	const char *pre = "cqrsd: listening on http://127.0.0.1:";
	if (strncmp(line, pre, strlen(pre)) != 0) {
		tap_diag("cqrsd %d did not start (\"%s\")", i + 1, line);
		char *log = server_log(s);
		tap_diag("%s", log);
		free(log);
		return false;
	}
	s->port = atoi(line + strlen(pre));
	snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
	return true;
}

static void stop_cqrsd(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		int64_t deadline = mono_ms() + 10000;
		while (waitpid(s->pid, NULL, WNOHANG) == 0) {
			if (mono_ms() > deadline) {
				kill(s->pid, SIGKILL);
				waitpid(s->pid, NULL, 0);
				break;
			}
			msleep(20);
		}
		s->pid = 0;
	}
	if (s->out_fd >= 0)
		close(s->out_fd);
	s->out_fd = -1;
}

/* ------------------------------------------------------------ SQL */

static char *shell_quote(const char *s)
{
	struct buf b;
	buf_init(&b);
	buf_append(&b, "'", 1);
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			buf_append(&b, "'\\''", 4);
		else
			buf_append(&b, p, 1);
	}
	buf_append(&b, "'", 1);
	return buf_steal(&b);
}

/* The rows of one SQL text, '|' between columns, one line each (the
 * caller frees); NULL with a diagnostic when psql/sqlite3 failed. */
static char *sql(const char *q)
{
	char *qq = shell_quote(q);
	char *cmd = xasprintf("%s %s 2>&1", sql_cmd, qq);
	int st;
	char *out = run_capture(cmd, &st);
	free(cmd);
	free(qq);
	if (st != 0) {
		tap_diag("SQL failed (%d): %s\n%s", st, q, out);
		free(out);
		return NULL;
	}
	return out;
}

/* One integer from SQL, or -1. */
static long long sql_int(const char *q)
{
	char *o = sql(q);
	long long v = o && *o ? atoll(o) : -1;
	free(o);
	return v;
}

/* ------------------------------------------------------------ HTTP */

static char *signin(const struct server *s, const char *user)
{
	long st = 0;
	char *t = sign_in(s, user, PASSWORD, &st);
	if (!t)
		tap_diag("%s could not sign in through %s: %ld", user, s->base, st);
	return t;
}

static long status_of(const struct server *s, const char *method, const char *path,
		      const char *token, const char *body)
{
	struct http_resp r;
	http_send(s, method, path, token, body, &r);
	long st = r.status;
	http_resp_free(&r);
	return st;
}

/* ------------------------------------------------------------ cases */

static void test_sessions(void)
{
	char *t = signin(&inst[0], "demo.practice");
	bool all = t != NULL;
	for (int i = 0; i < 3 && t; i++)
		all = all && status_of(&inst[i], "GET", "/api/v1/me", t, NULL) == 200;
	tap_ok(all, "a token made on instance 1 works on instances 1, 2 and 3");
	int good = 0;
	for (int i = 0; i < 6 && t; i++)
		good += status_of(&lb, "GET", "/api/v1/me", t, NULL) == 200;
	tap_ok(good == 6, "... and through HAProxy, round robin (%d of 6)", good);
	free(t);

	t = signin(&inst[2], "demo.view");
	long before = t ? status_of(&inst[0], "GET", "/api/v1/me", t, NULL) : 0;
	long rev = t ? status_of(&inst[1], "DELETE", "/api/v1/session", t, NULL) : 0;
	long a1 = t ? status_of(&inst[0], "GET", "/api/v1/me", t, NULL) : 0;
	long a3 = t ? status_of(&inst[2], "GET", "/api/v1/me", t, NULL) : 0;
	tap_ok(before == 200 && rev == 204 && a1 == 401 && a3 == 401,
	       "signed out through instance 2: 401 at once on instances 1 and 3 "
	       "(before %ld, sign-out %ld, after %ld and %ld)", before, rev, a1, a3);
	free(t);

	/* Failed sign-ins are counted in the database: failures on
	 * instances 1 and 3 until one answers 429 (sign-ins wait), then the
	 * right password on instance 2 waits too. */
	int failures = 0;
	long last = 0;
	while (failures < 10) {
		last = status_of(&inst[failures % 2 ? 2 : 0], "POST", "/api/v1/session", NULL,
				 "{\"user_id\": \"demo.other\", \"password\": \"Wrong-2025x\"}");
		if (last != 401)
			break;
		failures++;
	}
	long now = status_of(&inst[1], "POST", "/api/v1/session", NULL,
			     "{\"user_id\": \"demo.other\", \"password\": \"" PASSWORD "\"}");
	tap_ok(failures >= 3 && last == 429 && now == 429,
	       "%d failed sign-ins on instances 1 and 3, then 429 there: instance 2 makes the right "
	       "password wait too (%ld)", failures, now);
}

/* Behind HAProxy each client has its own address (option forwardfor and
 * cqrsd --trusted-proxy 127.0.0.1): failed sign-ins from 127.0.0.2 make
 * 127.0.0.2 wait, not 127.0.0.3, whatever X-Forwarded-For 127.0.0.2
 * sends, and the audit log says who failed from where. */
static void test_forwarded(void)
{
	long long before = sql_int("SELECT coalesce(max(id), 0) FROM audit_log");
	int failures = 0;
	long last = 0;
	while (failures < 8) {
		last = raw_signin(&lb, "127.0.0.2", "", "demo.pcn", "Wrong-2025x");
		if (last != 401)
			break;
		failures++;
	}
	/* The wait is 2 s: the checks that need it come at once. */
	long spoof = raw_signin(&lb, "127.0.0.2", "X-Forwarded-For: 127.0.0.3\r\n", "demo.pcn",
				 PASSWORD);
	long other = raw_signin(&lb, "127.0.0.3", "", "demo.pcn", PASSWORD);
	long still = raw_signin(&lb, "127.0.0.2", "", "demo.pcn", PASSWORD);
	tap_ok(failures == 4 && last == 429 && spoof == 429 && other == 201 && still == 429,
	       "through HAProxy: %d failed sign-ins from 127.0.0.2, then %ld; 127.0.0.2 naming "
	       "127.0.0.3 in X-Forwarded-For waits too (%ld); the right password from 127.0.0.3 "
	       "signs in (%ld) while 127.0.0.2 still waits (%ld)", failures, last, spoof, other,
	       still);
	long long failed2 = sql_int(F("SELECT count(*) FROM audit_log WHERE id > %lld AND"
				      " action = 'signin.failed' AND addr = '127.0.0.2'", before));
	long long signin3 = sql_int(F("SELECT count(*) FROM audit_log WHERE id > %lld AND"
				      " action = 'signin' AND addr = '127.0.0.3'", before));
	long long proxy = sql_int(F("SELECT count(*) FROM audit_log WHERE id > %lld AND"
				    " addr = '127.0.0.1'", before));
	tap_ok(failed2 == 5 && signin3 == 1 && proxy == 0,
	       "the audit log names the clients, not HAProxy: %lld failures from 127.0.0.2, %lld "
	       "sign-in from 127.0.0.3, %lld rows from 127.0.0.1", failed2, signin3, proxy);
}

static void test_mail(void)
{
	static const char *const users[] = {"demo.practice", "demo.view", "demo.pcn",
					    "demo.commissioner", "demo.approver", "demo.finance"};
	enum { N = 30 };
	long long before = sql_int("SELECT coalesce(max(id), 0) FROM email_outbox");
	int accepted = 0;
	for (int i = 0; i < N; i++) {
		const char *body = F("{\"user_id\": \"%s\"}", users[i % 6]);
		accepted += status_of(&lb, "POST", "/api/v1/password-reset", NULL, body) == 202;
	}
	long long queued = sql_int(F("SELECT count(*) FROM email_outbox WHERE id > %lld"
				     " AND kind = 'PASSWORD_RESET'", before));
	tap_ok(accepted == N && queued == N, "%d password resets through HAProxy: %d accepted, "
	       "%lld e-mails queued", N, accepted, queued);
	int64_t deadline = mono_ms() + 30000;
	long long pending = -1;
	while (mono_ms() < deadline) {
		pending = sql_int("SELECT count(*) FROM email_outbox WHERE sent_at IS NULL");
		if (pending == 0)
			break;
		msleep(200);
	}
	msleep(2500); /* a second delivery would come within a mailer's round */
	char *ids = sql(F("SELECT id FROM email_outbox WHERE id > %lld ORDER BY id", before));
	int once = 0, twice = 0, never = 0;
	for (char *p = ids, *e; p && *p; p = e) {
		e = strchr(p, '\n');
		if (e)
			*e++ = '\0';
		else
			e = p + strlen(p);
		if (!*p)
			continue;
		int c = count_mail(F("<cqrs-%s-", p), NULL);
		if (c == 1)
			once++;
		else if (c == 0)
			never++;
		else
			twice++;
	}
	free(ids);
	tap_ok(pending == 0 && once == N && twice == 0 && never == 0,
	       "two instances' mailers: each of the %d e-mails delivered exactly once (once %d, "
	       "twice or more %d, never %d, still pending %lld)", N, once, twice, never, pending);
}

/* ---- the write stream, with one instance killed in the middle ---- */

struct op {
	char tag[32];
	int kind;      /* 0 submit, 1 declare, 2 return */
	long status;
	long long id;  /* submission id when acknowledged */
	int v1, v2;    /* the values submitted */
};

static struct op ops[3000];
static int nops;

static pid_t victim;
static void *killer(void *arg)
{
	(void)arg;
	msleep(1500);
	kill(victim, SIGKILL);
	return NULL;
}

static json_int_t current_version(const char *tok, json_int_t ach, json_int_t gid)
{
	struct http_resp r;
	http_get(&lb, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid),
		 tok, &r);
	json_int_t v = json_integer_value(json_object_get(r.json, "version"));
	http_resp_free(&r);
	return v;
}

/* The declaration of achievement date `date` of service svc for A81001. */
static json_int_t declaration_on(const char *tok, json_int_t svc, const char *date)
{
	struct http_resp r;
	http_get(&lb, F("/api/v1/declarations?service=%lld", (long long)svc), tok, &r);
	json_int_t id = 0;
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(r.json, "declarations"), i, d)
		if (streq(jstr(json_object_get(d, "achievement"), "date"), date) &&
		    streq(jstr(json_object_get(d, "organisation"), "code"), "A81001"))
			id = json_integer_value(json_object_get(d, "id"));
	http_resp_free(&r);
	return id;
}

/* The declaration's status, version and checklist ids (a JSON array text
 * in ticks, of size n). */
static void declaration_state(const char *tok, json_int_t id, char status[32], json_int_t *version,
			      char *ticks, size_t n)
{
	struct http_resp r;
	http_get(&lb, F("/api/v1/declarations/%lld", (long long)id), tok, &r);
	strlcpy_s(status, jstr(r.json, "status") ? jstr(r.json, "status") : "", 32);
	*version = json_integer_value(json_object_get(r.json, "version"));
	strlcpy_s(ticks, "[", n);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(r.json, "checklist"), i, it) {
		if (i)
			strncat(ticks, ",", n - strlen(ticks) - 1);
		strncat(ticks, F("\"%s\"", jstr(it, "id") ? jstr(it, "id") : ""), n - strlen(ticks) - 1);
	}
	strncat(ticks, "]", n - strlen(ticks) - 1);
	http_resp_free(&r);
}

static void test_kill(void)
{
	char *tp = signin(&lb, "demo.practice");
	char *ta = signin(&lb, "demo.approver");
	char *tf = signin(&lb, "demo.finance");
	json_int_t svc = service_by_code(tp, "MS2425");
	json_int_t feb = ach_on(tp, "A81001", svc, "2025-02-28");
	json_int_t gid = group_of(tp, feb, "MS");
	json_int_t decl = declaration_on(tp, svc, "2025-01-31");
	if (!tap_ok(tp && ta && tf && svc && feb && gid && decl,
		    "the stream's targets: MS 2024/25 of A81001, February's MS group and January's"
		    " declaration (service %lld, achievement %lld, group %lld, declaration %lld)",
		    (long long)svc, (long long)feb, (long long)gid, (long long)decl)) {
		free(tp);
		free(ta);
		free(tf);
		return;
	}

	long long hist_before = sql_int("SELECT coalesce(max(id), 0) FROM declaration_history");
	victim = inst[1].pid;
	pthread_t th;
	pthread_create(&th, NULL, killer, NULL);
	int64_t start = mono_ms(), killed_at = 0;
	int failed = 0, after_kill = 0;
	json_int_t version = current_version(tp, feb, gid);
	while (nops < (int)ARRAY_SIZE(ops) && mono_ms() - start < 5000) {
		struct op *o = &ops[nops];
		int k = nops;
		if (!killed_at && waitpid(victim, NULL, WNOHANG) == victim)
			killed_at = mono_ms();
		if (k % 2 == 0) {
			o->kind = 0;
			o->v1 = 100 + k;
			o->v2 = 200 + k;
			snprintf(o->tag, sizeof o->tag, "multi-sub-%d", k);
			struct http_resp r;
			http_send(&lb, "PUT", F("/api/v1/achievements/%lld/groups/%lld", (long long)feb,
						(long long)gid), tp,
				  F("{\"mode\": \"submit\", \"version\": %lld, \"notes\": \"%s\", \"values\": ["
				    "{\"indicator\": \"MS01\", \"value\": \"%d\"}, {\"indicator\": \"MS02\","
				    " \"value\": \"%d\"}]}", (long long)version, o->tag, o->v1, o->v2), &r);
			o->status = r.status;
			if (r.status == 200 && json_is_true(json_object_get(r.json, "stored")))
				o->id = json_integer_value(json_object_get(r.json, "submission_id"));
			else
				o->status = -r.status; /* not acknowledged as stored */
			http_resp_free(&r);
			version = current_version(tp, feb, gid);
		} else {
			char st[32], ticks[256];
			json_int_t dv;
			declaration_state(tp, decl, st, &dv, ticks, sizeof ticks);
			if (!strcmp(st, "AWAITING_PROVIDER")) {
				o->kind = 1;
				snprintf(o->tag, sizeof o->tag, "multi-dec-%d", k);
				o->status = status_of(&lb, "POST",
						      F("/api/v1/declarations/%lld/declare", (long long)decl), tp,
						      F("{\"version\": %lld, \"ticked\": %s, \"notes\": \"%s\"}",
							(long long)dv, ticks, o->tag));
			} else {
				o->kind = 2;
				snprintf(o->tag, sizeof o->tag, "multi-ret-%d", k);
				o->status = status_of(&lb, "POST", "/api/v1/declarations/actions",
						      !strcmp(st, "AWAITING_FINANCE") ? tf : ta,
						      F("{\"action\": \"return\", \"declarations\": [%lld],"
							" \"reason\": \"%s\"}", (long long)decl, o->tag));
			}
		}
		if (o->status != 200) {
			failed++;
			tap_diag("write %d (%s) answered %ld", k, o->tag, o->status);
		}
		if (killed_at)
			after_kill++;
		nops++;
	}
	pthread_join(th, NULL);
	if (!killed_at && waitpid(victim, NULL, WNOHANG) == victim)
		killed_at = mono_ms();
	inst[1].pid = 0;
	tap_ok(killed_at && after_kill >= 10 && nops >= 20,
	       "a stream of %d submissions and declarations through HAProxy; instance 2 SIGKILLed"
	       " after %.1f s, %d writes after it", nops, (double)(killed_at - start) / 1000,
	       after_kill);
	tap_ok(failed <= 1, "no write failed but the one in flight at the kill (%d failed)", failed);

	/* Every acknowledged submission once, whole; every submission whole. */
	int acked = 0, bad = 0;
	char *subs = sql("SELECT '<' || s.notes || '>', s.id, (SELECT count(*) FROM submission_value v"
			 " WHERE v.submission_id = s.id), (SELECT sum(value) FROM submission_value v"
			 " WHERE v.submission_id = s.id) FROM submission s WHERE s.notes LIKE 'multi-%'");
	for (int i = 0; i < nops && subs; i++) {
		struct op *o = &ops[i];
		if (o->kind != 0 || o->status != 200)
			continue;
		acked++;
		const char *want = F("<%s>|%lld|2|%d\n", o->tag, o->id, o->v1 + o->v2);
		const char *at = strstr(subs, F("<%s>|", o->tag));
		if (!at || strncmp(at, want, strlen(want)) != 0 || strstr(at + 1, F("<%s>|", o->tag))) {
			bad++;
			tap_diag("%s: want one submission %s", o->tag, want);
		}
	}
	free(subs);
	long long partial = sql_int("SELECT count(*) FROM submission s WHERE s.notes LIKE 'multi-%'"
				    " AND (SELECT count(*) FROM submission_value v"
				    " WHERE v.submission_id = s.id) <> 2");
	tap_ok(acked > 0 && bad == 0 && partial == 0,
	       "every acknowledged submission (%d) is in the database once, with both its values;"
	       " none is half there (%lld incomplete)", acked, partial);
	/* The achievement holds the values of its latest submission. */
	long long latest = sql_int(F("SELECT max(id) FROM submission WHERE achievement_id = %lld"
				     " AND group_id = %lld AND kind = 'SUBMIT'", (long long)feb,
				     (long long)gid));
	long long mismatched = sql_int(F(
		"SELECT count(*) FROM submission_value sv JOIN achievement_value av"
		" ON av.achievement_id = %lld AND av.indicator_id = sv.indicator_id"
		" WHERE sv.submission_id = %lld AND (av.submission_id <> sv.submission_id"
		" OR av.value <> sv.value)", (long long)feb, latest));
	long long held = sql_int(F("SELECT count(*) FROM achievement_value WHERE achievement_id = %lld"
				   " AND submission_id = %lld", (long long)feb, latest));
	tap_ok(latest > 0 && mismatched == 0 && held == 2,
	       "the achievement holds exactly its latest submission's values (submission %lld: %lld"
	       " values, %lld differ)", latest, held, mismatched);

	/* Declarations: each acknowledged return once in the history (its
	 * reason is the row's note); as many "declared" rows as declares
	 * acknowledged, plus at most the unacknowledged ones; each row moves
	 * from where the one before left; the status is the last row's. */
	int rets = 0, rbad = 0, decs = 0, dunacked = 0;
	char *notes = sql(F("SELECT '<' || note || '>' FROM declaration_history WHERE"
			    " declaration_id = %lld AND note LIKE '%%: multi-ret-%%'", (long long)decl));
	for (int i = 0; i < nops && notes; i++) {
		struct op *o = &ops[i];
		if (o->kind == 1) {
			decs += o->status == 200;
			dunacked += o->status != 200;
		}
		if (o->kind != 2 || o->status != 200)
			continue;
		rets++;
		const char *needle = F(": %s>", o->tag);
		const char *at = strstr(notes, needle);
		if (!at || strstr(at + 1, needle)) {
			rbad++;
			tap_diag("%s: not once in the history", o->tag);
		}
	}
	free(notes);
	long long declared = sql_int(F("SELECT count(*) FROM declaration_history WHERE"
				       " declaration_id = %lld AND id > %lld AND note = 'declared'",
				       (long long)decl, hist_before));
	long long broken = sql_int(F(
		"SELECT count(*) FROM declaration_history h WHERE h.declaration_id = %lld"
		" AND h.from_status IS NOT NULL AND h.from_status <> (SELECT p.to_status FROM"
		" declaration_history p WHERE p.declaration_id = h.declaration_id AND p.id < h.id"
		" ORDER BY p.id DESC LIMIT 1)", (long long)decl));
	long long last_ok = sql_int(F(
		"SELECT count(*) FROM declaration d WHERE d.id = %lld AND d.status = (SELECT"
		" h.to_status FROM declaration_history h WHERE h.declaration_id = d.id"
		" ORDER BY h.id DESC LIMIT 1)", (long long)decl));
	tap_ok(rets > 0 && rbad == 0 && declared >= decs && declared <= decs + dunacked &&
	       broken == 0 && last_ok == 1,
	       "declaration %lld: each acknowledged return (%d) once in its history, %lld declares"
	       " recorded for %d acknowledged (+%d not), %lld rows that do not follow the one"
	       " before, its status its history's last (%s)", (long long)decl, rets, declared, decs,
	       dunacked, broken, last_ok == 1 ? "yes" : "no");
	free(tp);
	free(ta);
	free(tf);
}

/* Two instances given the same write with the same Idempotency-Key at
 * the same moment (a client's retry racing its first attempt through a
 * load balancer): it runs once, and both get its one answer. The two
 * requests are two curl processes started together (the harness's
 * libcurl handle is the test's one connection). */
static void test_same_key(void)
{
	char *tp = signin(&lb, "demo.practice");
	json_int_t svc = tp ? service_by_code(tp, "MS2425") : 0;
	json_int_t feb = svc ? ach_on(tp, "A81001", svc, "2025-02-28") : 0;
	json_int_t gid = feb ? group_of(tp, feb, "MS") : 0;
	if (!tap_ok(gid > 0, "the race's target: February's MS group of A81001")) {
		free(tp);
		return;
	}
	int once = 0, same = 0, replayed = 0, rounds = 5;
	for (int k = 0; k < rounds; k++) {
		json_int_t version = current_version(tp, feb, gid);
		char *body = xasprintf("{\"mode\": \"submit\", \"version\": %lld, \"notes\":"
				       " \"same-key-%d\", \"values\": [{\"indicator\": \"MS01\","
				       " \"value\": \"%d\"}, {\"indicator\": \"MS02\", \"value\": \"%d\"}]}",
				       (long long)version, k, 300 + k, 400 + k);
		char *qbody = shell_quote(body);
		const char *path = F("/api/v1/achievements/%lld/groups/%lld", (long long)feb,
				     (long long)gid);
		char *one[2];
		for (int i = 0; i < 2; i++)
			one[i] = xasprintf("curl -s -m 20 -o %s/race%d.body -D %s/race%d.hdr -X PUT"
					   " -H 'Authorization: Bearer %s' -H 'Content-Type: application/json'"
					   " -H 'Idempotency-Key: multi-same-key-%d-%lld' --data-binary %s %s%s",
					   dir, i, dir, i, tp, k, (long long)getpid(), qbody,
					   inst[i ? 2 : 0].base, path);
		char *cmd = xasprintf("%s & %s & wait", one[0], one[1]);
		int st;
		free(run_capture(cmd, &st));
		char *b0 = harness_read_file(F("%s/race0.body", dir)), *b1 = harness_read_file(F("%s/race1.body", dir));
		char *h0 = harness_read_file(F("%s/race0.hdr", dir)), *h1 = harness_read_file(F("%s/race1.hdr", dir));
		bool ok0 = h0 && strstr(h0, " 200 "), ok1 = h1 && strstr(h1, " 200 ");
		long long n = sql_int(F("SELECT count(*) FROM submission WHERE notes = 'same-key-%d'", k));
		once += n == 1;
		same += ok0 && ok1 && b0 && b1 && *b0 && !strcmp(b0, b1);
		replayed += ((h0 && strcasestr(h0, "Idempotent-Replayed: true")) != 0) +
				    ((h1 && strcasestr(h1, "Idempotent-Replayed: true")) != 0) == 1;
		if (n != 1 || !ok0 || !ok1)
			tap_diag("round %d: %lld submissions; answers %.40s / %.40s", k, n,
				 h0 ? h0 : "-", h1 ? h1 : "-");
		free(b0);
		free(b1);
		free(h0);
		free(h1);
		free(cmd);
		free(one[0]);
		free(one[1]);
		free(qbody);
		free(body);
	}
	tap_ok(once == rounds && same == rounds && replayed == rounds,
	       "one submission sent at the same moment to instances 1 and 3 with one Idempotency-Key"
	       " (%d rounds): stored once each time (%d), both answered 200 with the same body (%d),"
	       " one of them marked Idempotent-Replayed (%d)", rounds, once, same, replayed);
	free(tp);
}

/* Writes an extract of the demo's extracted values for 31 March 2025,
 * each moved by k (counts +k, ratios' denominators +k, Yes/No swapped on
 * odd k), to file; returns the number of values, or 0. */
static size_t write_extract(const char *file, int k)
{
	char *csv = sql(F(
		"SELECT o.code || ',' || s.code || ',' || d.date || ',' || i.code || ',' ||"
		" CASE WHEN i.kind = 'ratio' THEN '' WHEN i.kind = 'yesno' THEN"
		"  CASE WHEN (coalesce(v.value, 0) + %d) %% 2 = 1 THEN 'Yes' ELSE 'No' END"
		"  ELSE CAST(coalesce(v.value, 0) + %d AS TEXT) END || ',' ||"
		" CASE WHEN i.kind = 'ratio' THEN CAST(coalesce(v.numerator, 0) AS TEXT) ELSE '' END || ',' ||"
		" CASE WHEN i.kind = 'ratio' THEN CAST(coalesce(v.denominator, 0) + %d AS TEXT) ELSE '' END"
		" FROM achievement_value v JOIN achievement a ON a.id = v.achievement_id"
		" JOIN organisation o ON o.id = a.org_id AND o.kind = 'PRACTICE'"
		" JOIN quality_service s ON s.id = a.service_id"
		" JOIN achievement_date d ON d.id = a.date_id"
		" JOIN indicator i ON i.id = v.indicator_id"
		" WHERE v.source = 'EXTRACT' AND i.pcn_entered = 0 AND d.date = '2025-03-31'"
		" AND i.kind IN ('count', 'ratio', 'yesno')"
		" ORDER BY o.code, s.code, d.date, i.code", k, k, k));
	size_t lines = 0;
	for (const char *p = csv; p && *p; p++)
		lines += *p == '\n';
	FILE *f = fopen(file, "w");
	if (!f || !csv) {
		if (f)
			fclose(f);
		free(csv);
		return 0;
	}
	fputs("practice,service,achievement_date,indicator,value,numerator,denominator\n", f);
	fputs(csv, f);
	fclose(f);
	free(csv);
	return lines;
}

static void test_extract(void)
{
	char *file = xasprintf("%s/extract.csv", dir);
	char *log = xasprintf("%s/load.log", dir);
	char *tok = signin(&inst[0], "demo.commissioner");
	const char *paths[] = {"/api/v1/me", "/api/v1/declarations?limit=50",
			       "/api/v1/offers?year=2024/25&summary=service", "/api/v1/tasks"};
	/* Loads one after the other (each its extract moved by one more)
	 * until 40 reads have been answered while one ran. */
	int loads = 0, failed_loads = 0, gets = 0, errors = 0;
	size_t lines = 0;
	char *last_out = xstrdup("");
	int64_t deadline = mono_ms() + 20000;
	while ((gets < 40 || loads < 2) && mono_ms() < deadline) {
		lines = write_extract(file, loads + 1);
		if (!lines)
			break;
		if (truncate(log, 0) != 0 && errno != ENOENT)
			break;
		char *argv[] = {(char *)getenv("CQRSD"), (char *)"load-extract", (char *)"--db", db_arg,
				file, NULL};
		pid_t pid = spawn(argv, log, NULL);
		int status = -1;
		for (;;) {
			pid_t w = waitpid(pid, &status, WNOHANG);
			if (w == pid)
				break;
			const struct server *to = gets % 3 == 0 ? &lb : gets % 3 == 1 ? &inst[0] : &inst[2];
			long st = status_of(to, "GET", paths[gets % 4], tok, NULL);
			gets++;
			if (st != 200) {
				errors++;
				tap_diag("GET %s during the load: %ld", paths[(gets - 1) % 4], st);
			}
		}
		loads++;
		free(last_out);
		last_out = run_capture(F("cat '%s'", log), NULL);
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !strstr(last_out, "loaded ")) {
			failed_loads++;
			tap_diag("load %d: %s", loads, last_out);
		}
	}
	tap_ok(lines > 10 && loads >= 2 && failed_loads == 0,
	       "cqrsd load-extract of %zu extracted values, %d times, on the database while the"
	       " others serve (%d failed); the last: %s", lines, loads, failed_loads, last_out);
	tap_ok(gets >= 40 && errors == 0, "%d reads on instances 1, 3 and HAProxy while a load ran,"
	       " %d errors", gets, errors);
	free(last_out);
	free(tok);
	free(log);
	free(file);
}

/* ------------------------------------------------------------ setup */

static void cleanup(void)
{
	for (int i = 0; i < 3; i++)
		stop_cqrsd(&inst[i]);
	if (haproxy_pid > 0) {
		kill(haproxy_pid, SIGTERM);
		waitpid(haproxy_pid, NULL, 0);
		haproxy_pid = 0;
	}
	const char *keep = getenv("CQRS_TEST_KEEP");
	if (dir && keep && !strcmp(keep, "1"))
		printf("# kept %s (CQRS_TEST_KEEP=1)\n", dir);
	else if (dir) {
		char *cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", dir);
		free(cmd);
		xfree(&dir);
	}
}

static char *which(const char *prog)
{
	char *o = run_capture(F("command -v %s || { test -x /usr/sbin/%s && echo /usr/sbin/%s; }",
				prog, prog, prog), NULL);
	char *nl = strchr(o, '\n');
	if (nl)
		*nl = '\0';
	if (!*o) {
		free(o);
		return NULL;
	}
	return o;
}

static bool start_haproxy(const char *haproxy)
{
	const char *src = getenv("CQRS_TEST_SRCDIR");
	int port = free_port();
	char *cfg = xasprintf("%s/haproxy.cfg", dir);
	char *cmd = xasprintf("'%s/../docs/deploy/haproxy-cfg.sh' 127.0.0.1:%d 127.0.0.1:%d "
			      "127.0.0.1:%d 127.0.0.1:%d >'%s' && '%s' -c -q -f '%s' 2>&1",
			      src ? src : "tests", port, inst[0].port, inst[1].port, inst[2].port, cfg,
			      haproxy, cfg);
	int st;
	char *out = run_capture(cmd, &st);
	free(cmd);
	if (st != 0) {
		tap_diag("the HAProxy configuration: %s", out);
		free(out);
		free(cfg);
		return false;
	}
	free(out);
	char *log = xasprintf("%s/haproxy.log", dir);
	char *argv[] = {(char *)haproxy, (char *)"-db", (char *)"-f", cfg, NULL};
	haproxy_pid = spawn(argv, log, NULL);
	free(log);
	free(cfg);
	snprintf(lb.base, sizeof lb.base, "http://127.0.0.1:%d", port);
	lb.port = port;
	for (int i = 0; i < 100; i++) {
		if (status_of(&lb, "GET", "/api/v1/health", NULL, NULL) == 200)
			return true;
		msleep(100);
	}
	return false;
}

int main(void)
{
	const char *pg = getenv("CQRS_TEST_PG");
	const char *lite = getenv("CQRS_TEST_MULTI_SQLITE");
	char *haproxy = which("haproxy");
	char *psql = which(pg && *pg ? "psql" : "sqlite3");
	if (!(pg && *pg) && !(lite && !strcmp(lite, "1"))) {
		puts("1..0 # SKIP no PostgreSQL: run through tests/pg/run-on-pg.sh (CQRS_TEST_PG)");
		return 0;
	}
	if (!haproxy || !psql) {
		printf("1..0 # SKIP %s is not installed\n", !haproxy ? "haproxy" :
		       pg && *pg ? "psql" : "sqlite3");
		return 0;
	}
	on_pg = pg && *pg;
	harness_timeout(100);
	atexit(cleanup);
	dir = harness_mkdtemp("cqrs-multi");
	if (!dir)
		tap_bail("no temporary folder");
	if (on_pg) {
		char *q = shell_quote(F("%s dbname=postgres", pg));
		char *cmd = xasprintf("%s -XAtq -v ON_ERROR_STOP=1 -d %s -c \"CREATE DATABASE cqrs_multi"
				      " TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C' ENCODING 'UTF8'\""
				      " 2>&1", psql, q);
		int st;
		char *out = run_capture(cmd, &st);
		if (st != 0)
			tap_bail("CREATE DATABASE: %s", out);
		free(out);
		free(cmd);
		free(q);
		q = shell_quote(F("%s dbname=cqrs_multi", pg));
		sql_cmd = xasprintf("%s -XAtq -v ON_ERROR_STOP=1 -d %s -c", psql, q);
		free(q);
		db_arg = xasprintf("postgresql:%s dbname=cqrs_multi", pg);
	} else {
		db_arg = xasprintf("%s/t.db", dir);
		sql_cmd = xasprintf("%s -batch -noheader %s", psql, db_arg);
	}

	int smtp = free_port();
	if (smtp < 0 || !smtp_listen(smtp))
		tap_bail("no SMTP listener");
	const char *smtp_url = F("smtp://127.0.0.1:%d", smtp);
	char *url = xstrdup(smtp_url);
	const char *first[] = {"--demo", "--smtp-url", url, NULL};
	const char *mailer[] = {"--smtp-url", url, NULL};
	int64_t t0 = mono_ms();
	/* Instances 1 and 2 both with --demo, at the same moment, on the
	 * empty database: one seeds, the other waits and finds it seeded. */
	const char *second[] = {"--demo", NULL};
	bool both = spawn_cqrsd(0, first) && spawn_cqrsd(1, second);
	bool up1 = both && wait_cqrsd(0), up2 = both && wait_cqrsd(1);
	if (!tap_ok(up1 && up2, "instances 1 and 2, both started at once with --demo on the empty"
		    " %s database, serve", on_pg ? "PostgreSQL" : "SQLite"))
		tap_bail("instances 1 and 2 did not start");
	char *log1 = server_log(&inst[0]), *log2 = server_log(&inst[1]);
	int seeders = (log1 && strstr(log1, "creating the demo database") != NULL) +
		      (log2 && strstr(log2, "creating the demo database") != NULL);
	free(log1);
	free(log2);
	bool two = start_cqrsd(2, mailer);
	if (!tap_ok(two, "instance 3 starts on the seeded database without seeding it"
		    " (%.1f s for the three)", (double)(mono_ms() - t0) / 1000))
		tap_bail("instance 3 did not start");
	long long orgs = sql_int("SELECT count(*) FROM organisation");
	long long practice = sql_int("SELECT count(*) FROM app_user WHERE user_id = 'demo.practice'");
	tap_ok(orgs > 0 && practice == 1 && seeders == 1,
	       "one seed: %lld organisations, demo.practice once, %d instance(s) said they seeded",
	       orgs, seeders);
	if (!tap_ok(start_haproxy(haproxy), "HAProxy (docs/deploy/haproxy.cfg) in front of the three"
		    " answers GET /api/v1/health at %s", lb.base))
		tap_bail("HAProxy did not start");
	srv = lb; /* apitest's helpers (GET, ach_on ...) go through HAProxy */

	test_sessions();
	test_forwarded();
	test_mail();
	test_kill();
	test_same_key();
	test_extract();
	free(url);
	free(haproxy);
	free(psql);
	return tap_done();
}
