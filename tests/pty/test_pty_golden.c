/* test_pty_golden.c: golden screens. The real cqrs against a fresh
 * `cqrsd --demo`, at 80x24, is walked through every screen as the demo user
 * who sees it; each screen, once it has its data and has gone still, is
 * compared (text, attributes and colours, pty_snapshot's notation) with
 * its file under tests/screens/. A difference fails that case and prints
 * a unified diff of the rows that differ. CQRS_UPDATE_SCREENS=1 (or
 * `make update-screens`) writes the files instead. What varies between
 * runs is kept off the screens or masked: see tests/screens/README. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/pty/pty.h"

/* One screen: the keys that lead to it from the one before (names for
 * pty_key, separated by blanks), and a text that is there only once the
 * screen has its data. */
struct shot {
	const char *file; /* tests/screens/FILE.txt; NULL: a step on the way */
	const char *keys; /* NULL ends the list */
	const char *text;
};

/* One run of cqrs: signed in as user (NULL: the sign-in screen only). */
struct session {
	const char *user;
	const struct shot *shots;
};

#define SHOT_MS 10000 /* each screen's own time limit */

static const struct shot signed_out[] = {
	{"signin", "", PTY_SIGNIN_READY},
	{"register", "C-g", "Password policy:"},
	{0},
};

static const struct shot practice[] = {
	{"home-message-centre", "", "03/06/2024 A81001  New offer"},
	{"home-my-account", "Tab", "1-14 of 16"},
	{"participation-my-services", "2", "1-2 of 2"},
	{"data-record-achievement", "3", "30/04/2024  Calculated"},
	{"data-missing-data", "Tab", "30/11/2024  A81001 Network Contract DES"},
	{"data-network-achievement", "Tab", "CAIP.01"},
	{"reports-predefined", "5", "Points and pounds achieved"},
	{"reports-administrative", "Tab", "Which practices belonged to which PCN"},
	{"admin-users", "6", "demo.view"},
	{"achievement-results", "4", "1-11 of 104"},
	{"achievement-declare", "Tab", "CQRS: provisional payment calculated"},
	{"declaration-checklist", "Space d", "Notes: (none"},
	{0},
};

/* The offer view, from the task on Home. */
static const struct shot practice_offer[] = {
	{NULL, "", "03/06/2024 A81001  New offer"},
	{"offer-view", "End Enter", "new -> Offered  by Gareth Lewis"},
	{0},
};

/* Data Submission: a group's form, an achievement's groups, and a year with
 * no achievement recorded yet (2025/26, chosen with f). */
static const struct shot practice_data[] = {
	{NULL, "3 Tab", "30/11/2024  A81001 Network Contract DES"},
	{"group-form", "Enter", "Last note"},
	{NULL, "Esc BTab", "30/04/2024  Calculated"},
	{"achievement-view", "Enter", "Access management information"},
	{NULL, "Esc", "30/04/2024  Calculated"},
	{NULL, "f", "+- Financial Year -+"},
	{"data-record-achievement-2025-26", "Up Enter", "No achievement recorded yet"},
	{0},
};

/* Reports: a report's form, its result, a row's report and the chart. */
static const struct shot practice_reports[] = {
	{NULL, "5", "Points and pounds achieved"},
	{"reports-form", "Enter", "F5 or r: Run"},
	{"reports-achievement-summary", "F5", "2 rows"},
	{"reports-indicator-detail", "Enter", "MS05"},
	{"reports-month-chart", "Esc Down m", "30/04/2024"},
	{0},
};

/* A PCN: its own Data Submission and Achievement screens. */
static const struct shot pcn[] = {
	{"data-missing-data-pcn", "3", "1-11 of 28"},
	{"data-network-achievement-pcn", "Tab", "CAIP.01              Yes"},
	{"achievement-results-pcn", "4", "EA.TB01         YesP"},
	{0},
};

/* VIEW only: points, never pounds. */
static const struct shot view_only[] = {
	{"achievement-results-view", "4", "1-11 of 104"},
	{0},
};

static const struct shot commissioner[] = {
	{"participation-offered-services", "2", "Enter shows a service's providers"},
	{"participation-create-offers", "Tab", "practice 01/04/2025-31/03/2026"},
	{"data-record-provider-achievement", "3", "A81030   Hartburn Lodge Practice"},
	{"data-network-achievement-commissioner", "Tab", "Resolve: e enter data"},
	{"achievement-results-commissioner", "4", "Choose a practice or PCN"},
	{"achievement-declaration-management", "Tab", "U60381  Network Contract DES  31/03/2025"},
	{"declaration-view", "Enter", "CAIP.01: the achievement declared"},
	{0},
};

static const struct shot admin[] = {
	{"admin-users-advanced", "6", "demo.newuser"},
	{"admin-add-user", "A", "Add New User: e-mail address"},
	{NULL, "Esc", "Users you administer"},
	{"admin-user-details", "Down Down Down Down Down Down Enter", "(demo.locked): Locked"},
	{"admin-user-roles", "Enter", "Service Provider Clusters (limit"},
	{NULL, "Esc", "The roles were not changed."},
	{NULL, "Esc", "Users you administer"},
	{"admin-provider-clusters", "Tab", "Tees Valley South"},
	{"admin-cluster", "Enter", "Users limited to it:"},
	{NULL, "Esc", "Enter: open a cluster"},
	{"admin-allocated-reports", "Tab", "A81001  PRACTICE"},
	{"admin-allocations", "Enter", "QOF2526"},
	{0},
};

static const struct session sessions[] = {
	{NULL, signed_out},
	{"demo.practice", practice},
	{"demo.practice", practice_offer},
	{"demo.practice", practice_data},
	{"demo.practice", practice_reports},
	{"demo.pcn", pcn},
	{"demo.view", view_only},
	{"demo.commissioner", commissioner},
	{"demo.admin", admin},
};

static struct pty_server srv;
static bool update;
static const char *srcdir;

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Masks what differs from run to run: the digits of the server's port
 * (always five: see pick_port). */
static bool digits(const char *p, int n)
{
	for (int i = 0; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return false;
	return true;
}

/* Masks what differs from run to run (tests/screens/README): the clock
 * time of "dd/mm/yyyy HH:MM" becomes "hh:mm" (the demo's timestamps are
 * taken when it is seeded), today's date (the demo users' date added)
 * becomes "dd/mm/yyyy", and the digits of the server's port become
 * '#' (always five: see pick_port). */
static void mask(char *shot)
{
	/* the demo's "date added" of its users is the day it is seeded */
	char today[16];
	time_t now = time(NULL);
	strftime(today, sizeof(today), "%d/%m/%Y", gmtime(&now));
	for (char *p = shot; (p = strstr(p, today)) != NULL; p += 10)
		memcpy(p, "dd/mm/yyyy", 10);
	for (char *p = shot; *p; p++)
		if (digits(p, 2) && p[2] == '/' && digits(p + 3, 2) && p[5] == '/' &&
		    digits(p + 6, 4) && p[10] == ' ' && digits(p + 11, 2) && p[13] == ':' &&
		    digits(p + 14, 2)) {
			memcpy(p + 11, "hh:mm", 5);
			p += 15;
		}
	static const char host[] = "127.0.0.1:";
	for (char *p = shot; (p = strstr(p, host)) != NULL;) {
		p += sizeof host - 1;
		while (*p >= '0' && *p <= '9')
			*p++ = '#';
	}
}

/* A free port of five digits, so that the masked URL is always as wide. */
static int pick_port(void)
{
	for (int i = 0; i < 100; i++) {
		int port = pty_closed_port();
		if (port >= 10000)
			return port;
	}
	pty_bail("no free five-digit port");
}

/* Waits until the screen has stopped changing (two snapshots 150 ms of
 * quiet apart agree) and no request is outstanding (the title says
 * "online" and not "online, waiting"). Returns the masked snapshot, or
 * NULL at the deadline. */
static char *steady(struct pty_term *t, int64_t deadline)
{
	char *prev = NULL;
	for (;;) {
		int64_t left = deadline - now_ms();
		if (left <= 0) {
			free(prev);
			return NULL;
		}
		pty_settle(t, 150, (int)(left < 2000 ? left : 2000));
		char *title = pty_row(t, PTY_TITLE_ROW);
		bool busy = strstr(title, "waiting") != NULL || strstr(title, "OFFLINE") != NULL;
		free(title);
		char *shot = pty_snapshot(t);
		mask(shot);
		if (!busy && prev && strcmp(prev, shot) == 0) {
			free(prev);
			return shot;
		}
		free(prev);
		prev = shot;
	}
}

/* ------------------------------------------------------------ diff */

/* Splits text into lines (in place), leaving out the comment lines that
 * start with '#'. Returns the count; *out is allocated. */
static size_t split_lines(char *text, char ***out)
{
	size_t n = 0, cap = 64;
	char **v = xmalloc(cap * sizeof *v);
	for (char *p = text; *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (*p != '#') {
			if (n == cap)
				v = xrealloc(v, (cap *= 2) * sizeof *v);
			v[n++] = p;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	*out = v;
	return n;
}

/* The part of the file a line belongs to, for the hunk headers. */
static const char *section_of(char **v, size_t i)
{
	static const char *const names[] = {"attributes", "foreground", "background"};
	for (size_t k = i + 1; k-- > 0;)
		for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
			if (!strncmp(v[k], names[j], strlen(names[j])))
				return names[j];
	return "text";
}

/* Prints a unified diff (no context: the rows carry their numbers) of
 * the expected and the actual snapshot as TAP diagnostics; the expected
 * lines are numbered as in the file, which has skip comment lines first. */
static void print_diff(const char *file, size_t skip, const char *expected, const char *actual)
{
	char *e = xstrdup(expected), *a = xstrdup(actual);
	char **ev, **av;
	size_t n = split_lines(e, &ev), m = split_lines(a, &av);
	/* lcs[i][j]: the longest common subsequence of ev[i..] and av[j..] */
	size_t *lcs = xcalloc((n + 1) * (m + 1), sizeof *lcs);
#define L(i, j) lcs[(i) * (m + 1) + (j)]
	for (size_t i = n; i-- > 0;)
		for (size_t j = m; j-- > 0;)
			L(i, j) = !strcmp(ev[i], av[j]) ? L(i + 1, j + 1) + 1 :
				  L(i + 1, j) > L(i, j + 1) ? L(i + 1, j) : L(i, j + 1);
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "--- %s (expected)\n+++ the screen now\n", file);
	size_t i = 0, j = 0;
	while (i < n || j < m) {
		if (i < n && j < m && !strcmp(ev[i], av[j])) {
			i++, j++;
			continue;
		}
		size_t i0 = i, j0 = j;
		while ((i < n || j < m) && !(i < n && j < m && !strcmp(ev[i], av[j]))) {
			if (j >= m || (i < n && L(i + 1, j) >= L(i, j + 1)))
				i++;
			else
				j++;
		}
		buf_printf(&b, "@@ -%zu,%zu +%zu,%zu @@ %s\n", skip + i0 + 1, i - i0, j0 + 1, j - j0,
			   section_of(i0 < n ? ev : av, i0 < n ? i0 : j0));
		for (size_t k = i0; k < i; k++)
			buf_printf(&b, "-%s\n", ev[k]);
		for (size_t k = j0; k < j; k++)
			buf_printf(&b, "+%s\n", av[k]);
	}
#undef L
	tap_diag("%s", b.data);
	buf_free(&b);
	free(lcs);
	free(ev);
	free(av);
	free(e);
	free(a);
}

/* ------------------------------------------------------------ files */

/* The snapshot without the comment lines, for comparing. */
static char *body_of(const char *text)
{
	char *copy = xstrdup(text), **v;
	size_t n = split_lines(copy, &v);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s\n", v[i]);
	free(v);
	free(copy);
	return buf_steal(&b);
}

static void check_shot(const struct session *s, const struct shot *sh, const char *keys,
		       const char *shot)
{
	char *path = xasprintf("%s/screens/%s.txt", srcdir, sh->file);
	if (update) {
		char *who = s->user ? xasprintf("as %s, keys after signing in", s->user)
				    : xstrdup("signed out, keys");
		char *text = xasprintf("# %s: %s: %s\n"
				       "# (tests/pty/test_pty_golden.c; `make update-screens` "
				       "rewrites this file: see README)\n%s",
				       sh->file, who, *keys ? keys : "none", shot);
		free(who);
		bool ok = pty_write_file(path, text);
		tap_ok(ok, "%s: written", sh->file);
		free(text);
		free(path);
		return;
	}
	char *file = pty_read_file(path);
	if (!file) {
		tap_ok(false, "%s: the same as tests/screens/%s.txt", sh->file, sh->file);
		tap_diag("cannot read %s: %s; `make update-screens` writes it", path,
			 strerror(errno));
		free(path);
		return;
	}
	char *want = body_of(file);
	size_t skip = 0; /* the comment lines at the top */
	for (const char *p = file; *p == '#' && (p = strchr(p, '\n')) != NULL; p++)
		skip++;
	bool same = strcmp(want, shot) == 0;
	tap_ok(same, "%s: the same as tests/screens/%s.txt", sh->file, sh->file);
	if (!same) {
		char *name = xasprintf("tests/screens/%s.txt", sh->file);
		print_diff(name, skip, want, shot);
		tap_diag("if the change is meant, `make update-screens` and commit the file");
		free(name);
	}
	free(want);
	free(file);
	free(path);
}

/* ------------------------------------------------------------ walk */

static void send_keys(struct pty_term *t, const char *keys)
{
	char *copy = xstrdup(keys), *save = NULL;
	for (char *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save))
		pty_key(t, k);
	free(copy);
}

static void run_session(const struct session *s)
{
	static const char *const env[] = {"TZ=UTC", NULL};
	struct pty_opts o = {.rows = 24, .cols = 80, .env = env};
	const char *args[] = {"--server", srv.url, NULL};
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	const char *stop = NULL; /* why the screens that follow cannot be compared */
	if (!t || !(s->user ? pty_sign_in(t, s->user, PTY_DEMO_PASSWORD, SHOT_MS)
			    : pty_wait_text(t, PTY_SIGNIN_READY, SHOT_MS)))
		stop = s->user ? "cqrs did not start or sign in" : "cqrs did not start";
	struct buf path; /* the keys since the session began */
	buf_init(&path);
	for (const struct shot *sh = s->shots; sh->keys; sh++) {
		const char *name = sh->file ? sh->file : sh->text;
		if (stop) {
			tap_ok(false, "%s: not reached as %s: %s", name,
			       s->user ? s->user : "nobody", stop);
			continue;
		}
		if (*sh->keys)
			buf_printf(&path, "%s%s", path.len ? " " : "", sh->keys);
		int64_t deadline = now_ms() + SHOT_MS;
		send_keys(t, sh->keys);
		char *shot = NULL;
		const char *fault = NULL;
		if (!pty_wait_text(t, sh->text, SHOT_MS))
			fault = "the text did not appear";
		else if (!(shot = steady(t, deadline)))
			fault = "the screen did not go still";
		if (fault) {
			char *why = xasprintf("%s: %s (waited for \"%s\" after %s)", name, fault,
					      sh->text, path.len ? path.data : "no keys");
			tap_ok(false, "%s", why);
			pty_dump(t, why);
			free(why);
			stop = "a screen before it failed";
		} else if (sh->file) {
			check_shot(s, sh, path.len ? path.data : "", shot);
		}
		free(shot);
	}
	buf_free(&path);
	pty_close(&t);
}

int main(void)
{
	setenv("TZ", "UTC", 1); /* for cqrsd; cqrs gets it through pty_opts */
	pty_init(90);
	update = getenv("CQRS_UPDATE_SCREENS") && *getenv("CQRS_UPDATE_SCREENS") &&
		 strcmp(getenv("CQRS_UPDATE_SCREENS"), "0") != 0;
	srcdir = getenv("CQRS_TEST_SRCDIR");
	if (!srcdir)
		pty_bail("CQRS_TEST_SRCDIR is not set (run through make check)");
	if (!pty_server_start(&srv, pick_port(), NULL))
		pty_bail("cqrsd --demo did not start");
	for (size_t i = 0; i < sizeof sessions / sizeof sessions[0]; i++)
		run_session(&sessions[i]);
	pty_server_free(&srv);
	return pty_finish();
}
