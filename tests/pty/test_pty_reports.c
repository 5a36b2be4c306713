/* test_pty_reports.c: Reports (issue 12) in the real cqrs, by keyboard,
 * against a fresh demo cqrsd: the commissioner (demo.commissioner) sees
 * the pre-defined catalogue with each report's purpose, runs every report
 * from its parameter form (F5), searches, filters and sorts the
 * Achievement Summary, opens a row (Indicator Detail, a bar per
 * indicator in block characters) and a practice's month-by-month chart
 * (m), and exports: the file offered under ~ with the business date, its
 * CSV parsed and compared cell by cell with the API's JSON for the same
 * parameters, overwriting refused then accepted; a list screen (Message
 * Centre) exports its rows client-side and is sorted; demo.view under
 * NO_COLOR sees no pounds column and `#` bars; demo.practice runs the
 * Network organisation relationship on the Administrative sub-tab and
 * opens the Achievement Summary from Declare (s). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/api/csvread.h"
#include "tests/pty/pty.h"

#define WAIT 8000
#define TODAY "2025-04-10" /* the demo's business date */

static struct pty_server srv;
static struct server api; /* the same server, for the http helpers */

/* The JSON of GET path as user (owned), or NULL. */
static json_t *api_json(const char *user, const char *path)
{
	long st = 0;
	char *tok = sign_in(&api, user, PTY_DEMO_PASSWORD, &st);
	struct http_resp r;
	http_get(&api, path, tok, &r);
	json_t *j = r.status == 200 ? json_incref(r.json) : NULL;
	if (!j)
		tap_diag("GET %s as %s: %ld", path, user, r.status);
	http_resp_free(&r);
	free(tok);
	return j;
}

/* The screen row holding text, or -1. */
static int row_of(struct pty_term *t, const char *text)
{
	int r = -1;
	return pty_find(t, text, &r, NULL) ? r : -1;
}

/* Searches the list for text (/ text Enter): the cursor goes to it. */
static void find_row(struct pty_term *t, const char *text)
{
	pty_key(t, "/");
	pty_send(t, text);
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
}

/* S, the column, Enter; true when the message says the sort is way. */
static bool sort_by(struct pty_term *t, const char *column, const char *way)
{
	pty_key(t, "S");
	if (!pty_wait_text(t, "Sort by", 3000) || !pty_move_to(t, "Down", column))
		return false;
	pty_key(t, "Enter");
	char *want = xasprintf("Sorted by %s, %s.", column, way);
	bool ok = pty_wait_text(t, want, 3000);
	free(want);
	return ok;
}

/* Opens the report titled title from the catalogue and runs it with its
 * defaults; true when its result heading and column titles are there. */
static bool run_report(struct pty_term *t, const char *title, const char *column)
{
	if (!pty_move_to(t, "Down", title))
		return false;
	pty_key(t, "Enter");
	if (!pty_wait_text(t, "F5 or r: Run", WAIT))
		return false;
	pty_key(t, "F5");
	return pty_wait_text(t, " rows", WAIT) && pty_wait_text(t, column, 2000);
}

/* Esc from a result to the catalogue (the form in between). */
static void back_to_list(struct pty_term *t)
{
	pty_key(t, "Esc");
	pty_wait_text(t, "F5 or r: Run", 3000);
	pty_key(t, "Esc");
	pty_wait_text(t, "Enter opens a report's parameters", 3000);
	pty_settle(t, 60, 1000);
}

/* The export key, the prompt, Enter; returns the file offered (owned). */
static char *export_default(struct pty_term *t, const char *name)
{
	char *want = xasprintf("%s/cqrs-%s-%s.csv", pty_home(t), name, TODAY);
	pty_key(t, "x");
	pty_wait_text(t, "Export to CSV", 3000);
	return want;
}

static void commissioner(void)
{
	struct pty_opts o = {0};
	struct pty_term *t = pty_client_as(&o, srv.url, "demo.commissioner");
	pty_key(t, "5");
	pty_expect(t, "Pre-defined reports: Enter opens a report's parameters", WAIT,
		   "Reports > Pre-defined opens on the catalogue");
	pty_check(t, pty_wait_text(t, "Achievement Summary", WAIT) &&
		  pty_find(t, "Indicator Detail", NULL, NULL) &&
		  pty_find(t, "Declaration Status", NULL, NULL) &&
		  pty_find(t, "Participation Status", NULL, NULL) &&
		  pty_find(t, "Missing Data", NULL, NULL) &&
		  pty_find(t, "Points and pounds achieved", NULL, NULL) &&
		  !pty_find(t, "Network Organisation Relationship", NULL, NULL),
		  "it lists the five pre-defined reports with their purpose, no administrative one");

	/* every pre-defined report runs from its form */
	static const char *const reports[][2] = {
		{"Indicator Detail", "Indicator"},
		{"Declaration Status", "Organisation"},
		{"Participation Status", "Organisation"},
		{"Missing Data", "Organisation"},
	};
	for (size_t i = 0; i < sizeof reports / sizeof reports[0]; i++) {
		pty_check(t, run_report(t, reports[i][0], reports[i][1]),
			  "%s: Enter opens its form, F5 runs it and shows its columns",
			  reports[i][0]);
		back_to_list(t);
	}

	/* Achievement Summary: the form's defaults, then r runs it */
	pty_move_to(t, "Up", "Achievement Summary");
	pty_key(t, "Enter");
	pty_expect(t, "Financial year", WAIT, "Achievement Summary: the form asks the year");
	pty_check(t, pty_find(t, "2024/25", NULL, NULL) && pty_find(t, "00K", NULL, NULL),
		  "the year's default and the current organisation are filled in");
	pty_key(t, "r");
	pty_expect(t, " rows", WAIT, "r on a drop-down field runs it");
	pty_check(t, pty_wait_text(t, "A81001", WAIT) && pty_find(t, "Pounds", NULL, NULL),
		  "the commissioner's rows, with the pounds column");

	/* search */
	find_row(t, "A81016");
	int r = row_of(t, "A81016");
	char *line = r >= 0 ? pty_row(t, r) : xstrdup("");
	pty_check(t, strstr(line, "> ") != NULL, "/ A81016 puts the cursor on its row (%s)", line);
	free(line);

	/* Enter on a row: its indicators, with bars */
	find_row(t, "Quality and");
	pty_key(t, "Enter");
	pty_expect(t, "Indicator Detail", WAIT, "Enter on a QOF row opens its Indicator Detail");
	pty_check(t, pty_wait_text(t, " rows", WAIT) && pty_find(t, "AF001", NULL, NULL) &&
		  pty_find(t, "\u2588", NULL, NULL),
		  "a bar per indicator in block characters");
	pty_key(t, "Esc");
	pty_expect(t, "Achievement Summary", 3000, "Esc goes back to the summary");
	pty_key(t, "m");
	pty_expect(t, "Achievement by Month", WAIT, "m opens the month-by-month chart");
	pty_check(t, pty_wait_text(t, "12 rows", WAIT) && pty_find(t, "30/04/2024", NULL, NULL) &&
		  pty_find(t, "31/01/2025", NULL, NULL) && pty_find(t, "\u2588", NULL, NULL),
		  "a bar per achievement date of the year");
	pty_key(t, "Esc");
	pty_wait_text(t, "Achievement Summary", 3000);
	pty_settle(t, 60, 1000);

	/* sort by the maximum, descending: the 699-point rows come first */
	pty_check(t, sort_by(t, "Maximum points", "ascending"),
		  "S, Maximum points: sorted ascending");
	pty_check(t, pty_find_in_row(t, 7, "0.00     0.00", NULL), "the first row has no maximum");
	pty_check(t, sort_by(t, "Maximum points", "descending"),
		  "the same column again: descending");
	pty_check(t, pty_find_in_row(t, 7, "699.00", NULL), "the first row has 699 points");

	/* filter by the declaration status */
	json_t *all = api_json("demo.commissioner",
			       "/api/v1/reports/achievement-summary?year=2024%2F25&organisation=00K");
	size_t awaiting = 0, k;
	json_t *row;
	json_array_foreach(json_object_get(all, "rows"), k, row)
		awaiting += json_is_string(json_object_get(row, "status")) &&
			strcmp(json_string_value(json_object_get(row, "status")),
			       "AWAITING_PROVIDER") == 0;
	char *count = xasprintf("%zu rows", awaiting);
	char *total = xasprintf("%zu rows", json_array_size(json_object_get(all, "rows")));
	json_decref(all);
	pty_key(t, "f");
	pty_expect(t, "Declaration", 3000, "f offers the Declaration status filter");
	pty_check(t, pty_move_to(t, "Down", "Awaiting Service Provider Approval"),
		  "its choices are the statuses in words");
	pty_key(t, "Enter");
	pty_check(t, awaiting > 0 && awaiting < 14 && pty_wait_text(t, count, 3000) &&
		  pty_find_in_row(t, 3, count, NULL),
		  "Awaiting Service Provider Approval keeps the API's %s", count);
	pty_key(t, "f");
	pty_wait_text(t, "All", 3000);
	pty_key(t, "Home");
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, total, 3000) && pty_find_in_row(t, 3, total, NULL),
		  "All: every row again (%s)", total);
	free(count);
	free(total);

	/* export: the server's CSV, compared with the API's JSON */
	char *path = export_default(t, "achievement-summary");
	pty_check(t, pty_find(t, "cqrs-achievement-summary-" TODAY ".csv", NULL, NULL),
		  "the file offered is ~/cqrs-achievement-summary-" TODAY ".csv");
	pty_key(t, "Enter");
	pty_expect(t, "Exported to", WAIT, "Enter exports and says where");
	char *text = pty_read_file(path);
	json_t *csv = text ? csv_read(text) : NULL;
	json_t *j = api_json("demo.commissioner",
			     "/api/v1/reports/achievement-summary?year=2024%2F25&organisation=00K&sort=max_points&desc=1");
	pty_check(t, csv && j && json_array_size(json_object_get(j, "rows")) > 3 &&
		  csv_matches_report(csv, j),
		  "the exported file parses as RFC 4180 and holds the API's JSON rows, cell by cell");
	json_decref(csv);
	json_decref(j);
	/* refuse, then accept, overwriting */
	pty_write_file(path, "keep me\r\n");
	pty_key(t, "x");
	pty_wait_text(t, "Export to CSV", 3000);
	pty_key(t, "Enter");
	pty_expect(t, "exists. Overwrite it?", 3000, "an existing file: asked before overwriting");
	pty_key(t, "n");
	pty_expect(t, "is kept as it was", 3000, "n keeps it");
	free(text);
	text = pty_read_file(path);
	pty_check(t, text && strcmp(text, "keep me\r\n") == 0, "the file is untouched");
	pty_key(t, "F11");
	pty_wait_text(t, "Export to CSV", 3000);
	pty_key(t, "Enter");
	pty_wait_text(t, "Overwrite it?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Exported to", WAIT, "F11 then y overwrites it");
	free(text);
	text = pty_read_file(path);
	pty_check(t, text && str_has_prefix(text, "Organisation,"), "with the report's CSV");
	free(text);
	free(path);

	/* a list screen: the Message Centre exports its rows client-side */
	pty_key(t, "1");
	pty_wait_text(t, "Message Centre: your tasks", WAIT);
	pty_settle(t, 100, 2000);
	path = export_default(t, "message-centre");
	pty_key(t, "Enter");
	pty_expect(t, "Exported", WAIT, "the Message Centre exports too");
	text = pty_read_file(path);
	csv = text ? csv_read(text) : NULL;
	j = api_json("demo.commissioner", "/api/v1/tasks");
	json_t *tasks = json_object_get(j, "tasks");
	pty_check(t, csv && json_array_size(csv) == json_array_size(tasks) + 1 &&
		  json_array_size(json_array_get(csv, 0)) > 1,
		  "its CSV: a header row and one record per task (%zu, %zu)", json_array_size(csv),
		  json_array_size(tasks));
	json_decref(csv);
	json_decref(j);
	free(text);
	free(path);
	pty_close(&t);
}

static void view_user(void)
{
	struct pty_opts o = {.no_color = true};
	struct pty_term *t = pty_client_as(&o, srv.url, "demo.view");
	pty_key(t, "5");
	pty_wait_text(t, "Achievement Summary", WAIT);
	pty_check(t, run_report(t, "Achievement Summary", "Points"),
		  "demo.view runs the Achievement Summary");
	pty_check(t, !pty_find(t, "Pounds", NULL, NULL) && !pty_find(t, "\u00a3", NULL, NULL),
		  "a View user gets no pounds column");
	find_row(t, "Quality and");
	pty_key(t, "Enter");
	pty_expect(t, "Indicator Detail", WAIT, "a row opens its indicators");
	pty_check(t, pty_wait_text(t, " rows", WAIT) && pty_find(t, "####", NULL, NULL) &&
		  !pty_find(t, "\u2588", NULL, NULL),
		  "NO_COLOR: the bars are drawn with #");
	pty_close(&t);
}

static void practice(void)
{
	struct pty_opts o = {0};
	struct pty_term *t = pty_client_as(&o, srv.url, "demo.practice");
	pty_key(t, "5");
	pty_wait_text(t, "Achievement Summary", WAIT);
	pty_key(t, "Tab");
	pty_expect(t, "Network Organisation Relationship", WAIT,
		   "Administrative: the Network organisation relationship report");
	pty_check(t, run_report(t, "Network Organisation Relationship", "PCN"),
		  "its form (start and end dates) runs with F5");
	pty_check(t, pty_wait_text(t, "U60172", WAIT) && pty_find(t, "A81004", NULL, NULL),
		  "the GP user sees its PCN's practices");
	pty_close(&t);

	t = pty_client_as(&o, srv.url, "demo.practice");
	pty_key(t, "4");
	pty_key(t, "Tab");
	pty_wait_text(t, "Payment Declaration History", WAIT);
	pty_settle(t, 100, 2000);
	pty_key(t, "s");
	pty_expect(t, "Achievement Summary", WAIT,
		   "Declare: s runs the Achievement Summary Report");
	pty_check(t, pty_wait_text(t, " rows", WAIT) && pty_find(t, "A81001", NULL, NULL),
		  "with the declaration's organisation");
	char *tab = pty_active_item(t, PTY_SUBTAB_ROW);
	pty_check(t, strcmp(tab, "Pre-defined") == 0, "on Reports > Pre-defined (%s)", tab);
	free(tab);
	pty_close(&t);
}

int main(void)
{
	pty_init(240);
	pty_server_start_api(&srv, &api);
	commissioner();
	view_user();
	practice();
	pty_server_free(&srv);
	return pty_finish();
}
