/* test_report_cli.c: `cqrs report` (issue 12) against a real cqrsd: the
 * catalogue (--list), a report as CSV (the same bytes as the API's CSV,
 * and the same cells as its JSON) and as JSON, and the exit statuses: 0
 * done, 2 a bad parameter or command line (with a clear message), 3 not
 * signed in (no terminal to ask on) or refused (a View user's
 * administrative report), 4 the server unreachable. The token is the one
 * the client stores (client/creds.c, the 0600 file store). Limited to
 * 120 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apitest.h"
#include "client/creds.h"
#include "csvread.h"
#include "harness.h"

static char *home;

/* Runs `cqrs ARGS` (a shell fragment) with stdout to out, stderr to err
 * (both allocated); returns the exit status. */
static int cqrs(const char *args, char **out, char **err)
{
	char *errf = xasprintf("%s/stderr", home);
	char *cmd = xasprintf("\"$CQRS\" %s 2>%s </dev/null", args, errf);
	int status = -1;
	*out = run_capture(cmd, &status);
	FILE *f = fopen(errf, "r");
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "");
	char line[512];
	while (f && fgets(line, sizeof line, f))
		buf_puts(&b, line);
	if (f)
		fclose(f);
	*err = buf_steal(&b);
	free(cmd);
	free(errf);
	return status;
}

/* Stores user's token where `cqrs` finds it (the file store). */
static void store_token(const char *user)
{
	struct creds *c = creds_open(true, 0);
	tap_ok(creds_save(c, srv.base, user, T(user)), "%s's token is stored in %s", user,
	       creds_describe(c));
	creds_close(&c);
}

static void usage_errors(void)
{
	char *out, *err;
	int st = cqrs(F("--server %s report", srv.base), &out, &err);
	ck(st == 2 && contains(err, "which report?"), "no report name: exit 2 and says so (%d: %s)",
	   st, err);
	free(out), free(err);
	st = cqrs(F("--server %s report achievement-summary --param year", srv.base), &out, &err);
	ck(st == 2 && contains(err, "KEY=VALUE"), "--param without =: exit 2 (%d: %s)", st, err);
	free(out), free(err);
	st = cqrs(F("--server %s report achievement-summary --format xml", srv.base), &out, &err);
	ck(st == 2 && contains(err, "csv or json"), "--format xml: exit 2 (%d: %s)", st, err);
	free(out), free(err);
}

static void not_signed_in(void)
{
	char *out, *err;
	int st = cqrs(F("--server %s report --list", srv.base), &out, &err);
	ck(st == 3 && contains(err, "not signed in") && !out[0],
	   "no stored token and no terminal: exit 3, nothing on stdout (%d: %s)", st, err);
	free(out), free(err);
}

static void list(void)
{
	char *out, *err;
	int st = cqrs(F("--server %s report --list", srv.base), &out, &err);
	ck(st == 0, "report --list: exit 0 (%d: %s)", st, err);
	ck(contains(out, "achievement-summary  Achievement Summary") &&
	   contains(out, "network-relationship") && contains(out, "--param year=...  Financial year (year, required"),
	   "it lists the reports with their parameters");
	ck(contains(out, "users-roles"), "demo.practice, a User Administrator, has users-roles");
	free(out), free(err);
}

static void run_csv_json(void)
{
	char *out, *err;
	const char *q = "--param year=2024/25";
	int st = cqrs(F("--server %s report achievement-summary %s", srv.base, q), &out, &err);
	ck(st == 0 && str_has_prefix(out, "Organisation,"),
	   "report achievement-summary: exit 0, CSV with the header row (%d: %s)", st, err);
	GET(T("demo.practice"), "/api/v1/reports/achievement-summary?year=2024%2F25&format=csv");
	ck(R.status == 200 && R.body.data && strcmp(R.body.data, out) == 0,
	   "the same bytes as GET /reports/achievement-summary?format=csv");
	json_t *csv = csv_read(out);
	GET(T("demo.practice"), "/api/v1/reports/achievement-summary?year=2024%2F25");
	ck(csv && R.json && json_array_size(json_object_get(R.json, "rows")) > 0 &&
	   csv_matches_report(csv, R.json),
	   "the CSV parsed has the API's JSON rows, cell by cell");
	json_decref(csv);
	free(out), free(err);

	st = cqrs(F("--server %s report achievement-summary %s --format json", srv.base, q), &out,
		  &err);
	json_t *j = json_loads(out, 0, NULL);
	ck(st == 0 && j && streq(jstr(j, "report"), "achievement-summary") &&
	   json_array_size(json_object_get(j, "rows")) ==
	   json_array_size(json_object_get(R.json, "rows")),
	   "--format json: exit 0, the API's JSON (%d)", st);
	json_decref(j);
	free(out), free(err);
}

static void bad_params(void)
{
	char *out, *err;
	int st = cqrs(F("--server %s report achievement-summary --param year=nineteen", srv.base),
		      &out, &err);
	ck(st == 2 && contains(err, "year") && !out[0],
	   "a year the server refuses: exit 2, the server's words and the parameter (%d: %s)",
	   st, err);
	free(out), free(err);
	st = cqrs(F("--server %s report no-such-report", srv.base), &out, &err);
	ck(st == 2 && contains(err, "--list"), "an unknown report: exit 2, points to --list (%d: %s)",
	   st, err);
	free(out), free(err);
	st = cqrs(F("--server %s report achievement-summary --param organisation=L83002",
		    srv.base), &out, &err);
	ck(st == 2 && contains(err, "L83002"),
	   "an organisation out of reach: exit 2 (%d: %s)", st, err);
	free(out), free(err);
}

static void refused(void)
{
	store_token("demo.view");
	char *out, *err;
	int st = cqrs(F("--server %s report users-roles", srv.base), &out, &err);
	ck(st == 3 && !out[0], "demo.view runs users-roles: refused, exit 3 (%d: %s)", st, err);
	free(out), free(err);
	st = cqrs(F("--server %s report --list", srv.base), &out, &err);
	ck(st == 0 && !contains(out, "users-roles") && contains(out, "achievement-summary"),
	   "demo.view's --list has no users-roles (%d)", st);
	free(out), free(err);
}

static void unreachable(void)
{
	char *out, *err;
	int st = cqrs("--server http://127.0.0.1:9 report --list", &out, &err);
	ck(st == 4 && contains(err, "cannot reach"), "server unreachable: exit 4 (%d: %s)", st,
	   err);
	free(out), free(err);
}

int main(void)
{
	apitest_start(120);
	home = harness_mkdtemp("cqrs-report-cli");
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", F("%s/.config", home), 1);
	setenv("XDG_STATE_HOME", F("%s/.local/state", home), 1);
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	unsetenv("CQRS_SERVER");
	char *dir = xasprintf("%s/.config/cqrs", home);
	char *cmd = xasprintf("mkdir -p '%s' && echo 'token_file = yes' > '%s/config'", dir, dir);
	free(run_capture(cmd, NULL));
	free(cmd);
	free(dir);

	usage_errors();
	not_signed_in();
	unreachable();
	store_token("demo.practice");
	list();
	run_csv_json();
	bad_params();
	refused();

	free(run_capture(F("rm -rf '%s'", home), NULL));
	free(home);
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
