/* test_pty_data.c: Data Submission in the real cqrs against a real cqrsd,
 * following the job aids by keyboard:
 *   - "Identifying Missing Data Network Contract DES 24/25": from Home to
 *     the NCD 2024/25 31/03/2025 missing group in a few keys, completed;
 *   - "Manually inputting achievement data": Financial Year and Quality
 *     Service selectors, payment dates yellow cell by cell with their
 *     "*", Save Work in Progress, Submit after Yes, "Nothing stored",
 *     a bad value refused beside its field, the submission history, the
 *     Achievement Date drop-down and Add New Achievement;
 *   - "Adjusting manually submitted data": an adjustment the rules forbid
 *     is read-only with the server's reason;
 *   - "... on behalf of a Service Provider": demo.commissioner picks the
 *     practice and submits; the server flags a Commissioning Organisation
 *     entry and the practice may no longer change it;
 * and the safety nets: a conflict with a change made through the API
 * between opening and submitting (what changed, what was typed kept), a
 * draft surviving kill -9 of the client, a read-only View user, and the
 * payment-date marker with NO_COLOR and TERM=vt100. */
#include "config.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/pty/pty.h"

static struct pty_server srv;
static struct server api; /* the same server, for the http helpers */

static struct pty_term *client(const struct pty_opts *o, const char *user)
{
	return pty_client_as(o, srv.url, user);
}


/* The 11 cells of "DD/MM/YYYY*" at r,c: bold and underlined, the "*"
 * there, and highlighted (colour: a yellow background behind dark text,
 * cell by cell) or no colour at all (mono). */
static bool payment_cells(struct pty_term *t, int r, int c, bool colour, const char *date)
{
	if (!pty_text_at(t, r, c, date)) {
		tap_diag("no %s at %d,%d", date, r, c);
		return false;
	}
	for (int k = 0; k < 11; k++) {
		struct pty_cell cell;
		pty_cell(t, r, c + k, &cell);
		bool yellow = (cell.bg == 3 || cell.bg == 11) && (cell.fg == 0 || cell.fg == 8);
		bool plain = cell.fg == PTY_DEFAULT && cell.bg == PTY_DEFAULT;
		if (!cell.bold || !cell.underline || (colour ? !yellow : !plain)) {
			tap_diag("cell %d,%d '%c': fg %d bg %d bold %d underline %d", r, c + k,
				 (char)cell.ch, cell.fg, cell.bg, cell.bold, cell.underline);
			return false;
		}
	}
	return true;
}

/* A non-payment date is drawn plain. */
static bool plain_cells(struct pty_term *t, int r, int c)
{
	for (int k = 0; k < 10; k++) {
		struct pty_cell cell;
		pty_cell(t, r, c + k, &cell);
		if (cell.underline || cell.fg != PTY_DEFAULT)
			return false;
	}
	return true;
}

/* Finds the running cqrs client: our child whose command is "cqrs". */
static pid_t client_pid(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = -1;
	while (d && (e = readdir(d))) {
		char path[300], buf[512];
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		buf[n] = '\0';
		char *open = strchr(buf, '('), *close = strrchr(buf, ')');
		if (!open || !close)
			continue;
		int ppid = 0;
		char state;
		if (sscanf(close + 1, " %c %d", &state, &ppid) != 2)
			continue;
		if (ppid == getpid() && close - open - 1 == 4 && strncmp(open + 1, "cqrs", 4) == 0)
			found = (pid_t)atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

/* The group form's version, fetched as user. */
static json_t *get_json(const char *token, const char *path)
{
	struct http_resp r;
	http_get(&api, path, token, &r);
	json_t *j = json_incref(r.json);
	http_resp_free(&r);
	return j;
}

/* True when text is in the body (not the message line or bars). */
static bool body_has(struct pty_term *t, const char *text)
{
	for (int r = PTY_SUBTAB_ROW + 1; r < PTY_MSG_ROW(t); r++) {
		char *row = pty_row(t, r);
		bool in = strstr(row, text) != NULL;
		free(row);
		if (in)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ job aids */

static int missing_keys;

static void ncd_missing_from_home(void)
{
	struct pty_term *t = client(NULL, "demo.practice");
	missing_keys = 0;
	pty_key(t, "3"), missing_keys++;
	pty_wait_text(t, "Record Achievement:", 5000);
	pty_key(t, "]"), missing_keys++;
	pty_expect(t, "Services you take part in: check what is missing", 5000,
		   "NCD missing data: 3 ] opens Data Submission > Missing Data");
	pty_wait_text(t, "of 2", 5000);
	pty_key(t, "f"), missing_keys++;
	pty_wait_text(t, "All services and achievement dates", 3000);
	int before = 0;
	for (int i = 0; i < 30; i++) {
		int r = -1;
		if (pty_find(t, "31/03/2025*  Network Contract DES 2024/25", &r, NULL)) {
			char *row = pty_row(t, r);
			bool here = strstr(row, "|>") != NULL;
			free(row);
			if (here)
				break;
		}
		pty_key(t, "Down"), missing_keys++, before++;
		pty_settle(t, 40, 1000);
	}
	pty_key(t, "Enter"), missing_keys++;
	pty_expect(t, "one service, achievement date 31/03/2025", 3000,
		   "NCD missing data: f narrows to NCD 2024/25 31/03/2025 (%d moves)", before);
	int r = -1, c = -1;
	pty_find(t, " ACC ", &r, NULL);
	bool ok = r > 0 && pty_find_in_row(t, r, "0 of 2", NULL) && pty_find(t, " IIF ", NULL, NULL);
	pty_find(t, "31/03/2025*", &r, &c);
	ok = ok && payment_cells(t, r, c, true, "31/03/2025*");
	pty_check(t, ok, "NCD missing data: ACC 0 of 2 and IIF listed, the date yellow and marked");
	pty_key(t, "Enter"), missing_keys++;
	pty_expect(t, "ACC Access management information (Management Information)", 5000,
		   "NCD missing data: Enter opens the group's form straight away");
	pty_wait_text(t, "ACC.MI02", 3000);
	pty_send(t, "1234"), missing_keys += 4;
	pty_key(t, "Tab"), missing_keys++;
	pty_send(t, "56"), missing_keys += 2;
	pty_key(t, "Enter"), missing_keys++;
	pty_send(t, "NCD year end"), missing_keys += 12;
	pty_key(t, "C-s"), missing_keys++;
	pty_expect(t, "Submit Achievement Data for ACC?", 3000, "Submit asks Yes/No first");
	pty_key(t, "y"), missing_keys++;
	pty_expect(t, "Achievement data submitted for ACC", 5000,
		   "NCD missing data: submitted, the server's message shown (%d keys from Home)",
		   missing_keys);
	pty_check(t, pty_find(t, "1234", NULL, NULL) && pty_find(t, "56", NULL, NULL),
		  "the form shows the submitted values as current");
	pty_key(t, "Esc");
	pty_wait_text(t, "Services you take part in: check what is missing", 3000);
	pty_settle(t, 200, 3000);
	pty_check(t, !body_has(t, " ACC ") && body_has(t, " IIF "),
		  "back on Missing Data: ACC is no longer missing, IIF still is");
	pty_close(&t);
}

static void manual_input(void)
{
	struct pty_term *t = client(NULL, "demo.practice");
	pty_key(t, "3");
	pty_expect(t, "Services you take part in", 5000, "Record Achievement opens on Data");
	pty_wait_text(t, "Quality Service: DES", 5000);
	/* Financial Year 2024/25 (the year with work on 10/04/2025, where it
	 * opens), Quality Service Minor Surgery */
	pty_wait_text(t, "Financial Year: 2024/25", 3000);
	pty_key(t, "s");
	pty_wait_text(t, "Minor Surgery ES 2024/25", 3000);
	pty_move_to(t, "Down", "Minor Surgery ES 2024/25");
	pty_key(t, "Enter");
	pty_expect(t, "Quality Service: ES — Monthly — Minor Surgery ES 2024/25", 5000,
		   "Financial Year and Quality Service chosen by keyboard");
	pty_wait_text(t, "31/03/2025*", 5000);
	pty_settle(t, 100, 2000);
	int r = -1, c = -1;
	pty_find(t, "31/03/2025*", &r, &c);
	bool ok = payment_cells(t, r, c, true, "31/03/2025*") &&
		  pty_find_in_row(t, r, "0 of 5", NULL);
	pty_check(t, ok, "achievements panel: 31/03/2025* yellow, bold, underlined, \"0 of 5\"");
	pty_check(t, pty_find(t, "payment date (yellow)", NULL, NULL), "the legend is shown");
	/* Enter: the achievement's groups, the cursor on the first incomplete */
	pty_key(t, "Enter");
	pty_expect(t, "MS-MI", 5000,
		   "the achievement shows its groups");
	pty_find(t, "Minor surgery procedures", &r, NULL);
	char *row = r > 0 ? pty_row(t, r) : xstrdup("");
	pty_check(t, str_has_prefix(row, "> !") && strstr(row, "0 of 3"),
		  "incomplete groups are marked \"!\" (cursor on the first): %s", row);
	free(row);
	pty_key(t, "Enter");
	pty_expect(t, "MS Minor surgery procedures (Payment)", 5000, "Enter opens the group form");
	pty_expect(t, "Work in progress is filled in", 3000, "work in progress prefills New Value");
	/* a bad value is refused beside the field as it is left */
	pty_key(t, "Tab");
	pty_send(t, "4x");
	pty_key(t, "Tab");
	pty_find(t, "MS02", &r, NULL);
	pty_expect(t, "! ", 3000, "a bad value: error beside the field when it is left");
	pty_check(t, r > 0 && pty_find_in_row(t, r, "!", NULL), "the error is on MS02's row");
	pty_key(t, "BTab");
	pty_send(t, "4");
	pty_key(t, "Tab");
	pty_send(t, "7");
	pty_key(t, "Enter");
	pty_send(t, "March complete");
	pty_key(t, "F6");
	pty_expect(t, "Work in progress saved for MS", 5000, "Save Work in Progress (F6)");
	pty_key(t, "F8");
	pty_wait_text(t, "Submit Achievement Data for MS?", 3000);
	pty_key(t, "Esc");
	pty_expect(t, "Not submitted", 3000, "Esc aborts the Submit confirmation");
	pty_key(t, "F8");
	pty_wait_text(t, "Submit Achievement Data for MS?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Achievement data submitted for MS", 5000, "Submit Achievement Data");
	/* the same values again: the server stores nothing and says so */
	pty_send(t, "9");
	pty_key(t, "C-s");
	pty_wait_text(t, "Submit Achievement Data for MS?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Nothing stored: the values are the same", 5000,
		   "same values: \"Nothing stored\" on the message line");
	pty_key(t, "F3");
	pty_expect(t, "Submission history", 5000, "F3 shows the submission history");
	pty_check(t, pty_find(t, "Notes: March complete", NULL, NULL) &&
		  pty_find(t, "Priya Shah (demo.practice)", NULL, NULL) &&
		  pty_find(t, "MANUAL", NULL, NULL),
		  "history: who, source and notes of the submission");
	pty_key(t, "Esc");
	pty_key(t, "Esc");
	pty_wait_text(t, "Minor surgery procedures", 3000);
	pty_settle(t, 200, 3000);
	pty_find(t, "Minor surgery procedures", &r, NULL);
	pty_check(t, r > 0 && pty_find_in_row(t, r, "3 of 3", NULL),
		  "back on the groups: MS now 3 of 3");
	pty_key(t, "Esc");
	/* the Achievement Date drop-down and Add New Achievement: QOF 2023/24,
	 * whose monthly dates before the year end were never recorded (only
	 * dates up to the business date can be added) */
	pty_key(t, "f");
	pty_wait_text(t, "2023/24", 3000);
	pty_move_to(t, "Down", "2023/24");
	pty_key(t, "Enter");
	pty_wait_text(t, "Financial Year: 2023/24", 5000);
	pty_key(t, "s");
	pty_wait_text(t, "Quality and Outcomes Framework 2023/24", 3000);
	pty_move_to(t, "Down", "Quality and Outcomes Framework 2023/24");
	pty_key(t, "Enter");
	pty_wait_text(t, "not yet recorded", 5000);
	pty_key(t, "F6");
	pty_expect(t, "Achievement Date", 3000, "F6 opens the Achievement Date drop-down");
	int r2 = -1, c2 = -1;
	pty_find(t, "30/04/2023", &r2, &c2);
	ok = r2 > 0 && plain_cells(t, r2, c2) && !pty_find(t, "30/04/2023*", NULL, NULL) &&
	     !pty_find(t, "30/04/2025", NULL, NULL);
	pty_check(t, ok, "drop-down: the dates not yet recorded, up to today, the others plain");
	pty_key(t, "Enter");
	pty_expect(t, "Achievement 30/04/2023 added", 5000, "Enter: Add New Achievement");
	pty_expect(t, "Achievement date: 30/04/2023", 3000, "the new achievement opens");
	pty_close(&t);

	/* payment dates yellow in the drop-down: the commissioner on behalf of
	 * Riverbank, whose Minor Surgery months are not yet recorded */
	t = client(NULL, "demo.commissioner");
	pty_key(t, "3");
	pty_wait_text(t, "Riverbank", 5000);
	pty_key(t, "/");
	pty_send(t, "Riverbank");
	pty_key(t, "Enter");
	pty_key(t, "Enter");
	pty_wait_text(t, "Quality Service:", 5000);
	pty_wait_text(t, "Financial Year: 2024/25", 5000); /* the year with work */
	pty_key(t, "s");
	pty_wait_text(t, "Minor Surgery ES 2024/25", 3000);
	pty_move_to(t, "Down", "Minor Surgery ES 2024/25");
	pty_key(t, "Enter");
	pty_wait_text(t, "not yet recorded", 5000);
	pty_key(t, "F6");
	pty_wait_text(t, "Achievement Date", 3000);
	r = c = -1;
	pty_find(t, "31/05/2024*", &r, &c);
	pty_check(t, r > 0 && payment_cells(t, r, c, true, "31/05/2024*"),
		  "drop-down: payment dates yellow with \"*\"");
	pty_close(&t);
}

static void adjustment_refused(void)
{
	struct pty_term *t = client(NULL, "demo.practice");
	pty_key(t, "3");
	pty_wait_text(t, "Quality Service:", 5000);
	pty_wait_text(t, "Financial Year: 2024/25", 3000); /* the year with work */
	pty_key(t, "s");
	pty_wait_text(t, "Minor Surgery ES 2024/25", 3000);
	pty_move_to(t, "Down", "Minor Surgery ES 2024/25");
	pty_key(t, "Enter");
	pty_wait_text(t, "30/04/2024", 5000);
	pty_key(t, "End");
	pty_key(t, "Enter");
	pty_expect(t, "Read-only: the payment was financially approved on", 5000,
		   "adjusting a financially approved month: read-only with the server's reason");
	pty_key(t, "Enter");
	pty_expect(t, "MS Minor surgery procedures", 5000, "its group still opens, to read");
	pty_check(t, pty_find(t, "Read-only: the payment was financially approved on", NULL, NULL) &&
		  pty_find(t, "locked: the reason is above", NULL, NULL) &&
		  !pty_find(t, "locked: the payment was financially approved on 1", NULL, NULL),
		  "the form says why nothing can be changed, whole, once (rows point to it)");
	pty_check(t, pty_find(t, "Last note 04/05/2024 10:00 Priya Shah: April", NULL, NULL) &&
		  pty_find(t, "... (F3: the whole note)", NULL, NULL),
		  "a last note too long for its row says where it is whole");
	pty_send(t, "5");
	pty_key(t, "F8");
	pty_settle(t, 100, 2000);
	pty_check(t, !pty_find(t, "Submit Achievement Data for", NULL, NULL),
		  "typing and Submit do nothing on a read-only form");
	pty_send(t, "q");
	pty_settle(t, 150, 2000);
	char *tab = pty_active_item(t, PTY_TAB_ROW);
	pty_check(t, !pty_exited(t, NULL) && !strcmp(tab, "Data") &&
		  pty_find(t, "MS Minor surgery procedures", NULL, NULL),
		  "5 and q in a read-only form neither switch to Reports nor quit (data D10; tab %s)",
		  tab);
	free(tab);
	pty_close(&t);
}

static void commissioner_on_behalf(void)
{
	struct pty_term *t = client(NULL, "demo.commissioner");
	pty_key(t, "3");
	pty_expect(t, "choose a practice in your area", 5000,
		   "commissioner: Record Provider Achievement lists the practices");
	pty_wait_text(t, "Densham", 5000);
	pty_key(t, "/");
	pty_send(t, "Densham");
	pty_key(t, "Enter");
	pty_key(t, "Enter");
	pty_expect(t, "Record Provider Achievement: A81001 The Densham Surgery", 5000,
		   "commissioner: the practice is chosen");
	pty_wait_text(t, "Quality Service:", 5000);
	pty_wait_text(t, "Network Contract DES 2024/25", 5000); /* the year with work */
	pty_wait_text(t, "31/03/2025*", 5000);
	pty_key(t, "Enter");
	pty_expect(t, "Commissioning Organisation entry.", 5000,
		   "commissioner: the achievement says entries are on the practice's behalf");
	pty_move_to(t, "Down", "Investment and Impact");
	pty_key(t, "Enter");
	pty_wait_text(t, "CAN.FIT.IIF02", 5000);
	pty_send(t, "30");
	pty_key(t, "Tab");
	pty_send(t, "40");
	pty_key(t, "Tab");
	pty_send(t, "entered by the ICB");
	pty_key(t, "F8");
	pty_wait_text(t, "Submit Achievement Data for IIF?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Achievement data submitted for IIF", 5000, "commissioner: submitted");
	pty_key(t, "Esc");
	pty_wait_text(t, "Achievement date:", 5000);
	pty_settle(t, 200, 3000);
	int ar = -1;
	pty_find(t, "Achievement date:", &ar, NULL);
	pty_check(t, ar > 0 && pty_find_in_row(t, ar, "Commissioning Organisation entry", NULL),
		  "the achievement is flagged Commissioning Organisation entry");
	pty_close(&t);
	/* the practice may no longer change it */
	char *tok = sign_in(&api, "demo.practice", PTY_DEMO_PASSWORD, NULL);
	json_t *a = get_json(tok, "/api/v1/achievements/350");
	const char *why = jstr(a, "reason");
	tap_ok(json_is_true(json_object_get(a, "commissioner_entry")) &&
		  json_is_false(json_object_get(a, "can_edit")) && why && *why,
		  "after the commissioner's entry the practice may not edit (%s)", why ? why : "");
	json_decref(a);
	free(tok);
}

static void conflict(void)
{
	struct pty_term *t = client(NULL, "demo.practice");
	pty_key(t, "3");
	pty_wait_text(t, "Record Achievement:", 5000);
	pty_key(t, "]");
	pty_wait_text(t, "check what is missing", 5000);
	pty_wait_text(t, " IIF ", 5000);
	pty_key(t, "f");
	pty_wait_text(t, "All services and achievement dates", 3000);
	pty_move_to(t, "Down", "31/03/2025*  Network Contract DES 2024/25");
	pty_key(t, "Enter");
	pty_wait_text(t, "one service, achievement date", 3000);
	pty_move_to(t, "Down", " IIF ");
	pty_key(t, "Enter");
	pty_wait_text(t, "CAN.FIT.IIF02", 5000);
	pty_settle(t, 100, 2000);
	/* meanwhile, someone else saves the same group through the API */
	char *tok = sign_in(&api, "demo.practice", PTY_DEMO_PASSWORD, NULL);
	json_t *f = get_json(tok, "/api/v1/achievements/350/groups/60");
	char *body = xasprintf("{\"mode\":\"submit\",\"version\":%lld,\"notes\":\"other desk\","
			       "\"values\":[{\"indicator\":\"CAN.FIT.IIF02\",\"numerator\":\"11\","
			       "\"denominator\":\"20\"}]}",
			       (long long)json_integer_value(json_object_get(f, "version")));
	struct http_resp r;
	http_send(&api, "PUT", "/api/v1/achievements/350/groups/60", tok, body, &r);
	pty_check(t, r.status == 200, "another user submits the same group through the API (%ld)",
		  r.status);
	http_resp_free(&r);
	free(body);
	json_decref(f);
	free(tok);
	pty_send(t, "12");
	pty_key(t, "Tab");
	pty_send(t, "20");
	pty_key(t, "C-s");
	pty_wait_text(t, "Submit Achievement Data for IIF?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Conflict: someone saved this group first", 5000,
		   "the later submit gets the conflict, not a silent overwrite");
	int row = -1;
	pty_find(t, "CAN.FIT.IIF02", &row, NULL);
	pty_check(t, row > 0 && pty_find_in_row(t, row, "12 / 20", NULL) &&
		  pty_find_in_row(t, row, "11 / 20", NULL), "the conflict shows yours and current");
	pty_key(t, "Esc");
	pty_settle(t, 100, 2000);
	pty_find(t, "CAN.FIT.IIF02", &row, NULL);
	pty_check(t, row > 0 && pty_find_in_row(t, row, "11 / 20", NULL) &&
		  pty_find_in_row(t, row, "12", NULL) && pty_find(t, "Conflict:", NULL, NULL),
		  "the form keeps what was typed beside the new current value");
	pty_key(t, "C-s");
	pty_wait_text(t, "Submit Achievement Data for IIF?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Achievement data submitted for IIF", 5000,
		   "after review the submit goes through");
	pty_close(&t);
}

static void draft_survives_kill(void)
{
	char *home = pty_mkdir("drafthome");
	struct pty_opts o = { .home = home };
	struct pty_term *t = client(&o, "demo.practice");
	pty_key(t, "3");
	pty_wait_text(t, "Record Achievement:", 5000);
	pty_key(t, "]");
	pty_wait_text(t, "MS-MI", 5000);
	pty_move_to(t, "Down", "MS-MI");
	pty_key(t, "Enter");
	pty_wait_text(t, "MS05", 5000);
	pty_send(t, "77");
	pty_key(t, "Tab");
	pty_send(t, "31/03/2025");
	pty_settle(t, 100, 2000);
	char *dir = xasprintf("%s/.local/state/cqrs/drafts", home);
	DIR *d = opendir(dir);
	struct dirent *e;
	char *file = NULL;
	while (d && (e = readdir(d)))
		if (strstr(e->d_name, ".json") && !strstr(e->d_name, ".tmp"))
			file = xasprintf("%s/%s", dir, e->d_name);
	if (d)
		closedir(d);
	struct stat st;
	pty_check(t, file && stat(file, &st) == 0 && (st.st_mode & 0777) == 0600,
		  "the draft is written as typed, mode 0600 (%s)", file ? file : "none");
	pid_t pid = client_pid();
	pty_check(t, pid > 0 && kill(pid, SIGKILL) == 0, "kill -9 the client mid-entry");
	pty_close(&t);
	t = client(&o, "demo.practice");
	pty_key(t, "3");
	pty_wait_text(t, "Record Achievement:", 5000);
	pty_key(t, "]");
	pty_wait_text(t, "MS-MI", 5000);
	pty_move_to(t, "Down", "MS-MI");
	pty_key(t, "Enter");
	pty_expect(t, "Restore the draft typed at", 5000,
		   "started again: reopening the group offers the draft back");
	pty_key(t, "y");
	pty_wait_text(t, "Draft restored", 3000);
	int row = -1;
	pty_find(t, "MS04", &row, NULL);
	pty_check(t, row > 0 && pty_find_in_row(t, row, "77", NULL) &&
		  pty_find(t, "31/03/2025 ", NULL, NULL),
		  "the draft's values are back in the form");
	pty_key(t, "C-s");
	pty_wait_text(t, "Submit Achievement Data for MS-MI?", 3000);
	pty_key(t, "y");
	pty_expect(t, "Achievement data submitted for MS-MI", 5000, "the restored draft submits");
	pty_check(t, file && access(file, F_OK) != 0,
		  "the draft is removed once the server has the values");
	pty_close(&t);
	free(file);
	free(dir);
	free(home);
}

static void monochrome(const struct pty_opts *o, const char *what)
{
	struct pty_term *t = client(o, "demo.view");
	pty_key(t, "3");
	pty_expect(t, "check what is missing", 5000, "%s: demo.view sees Missing Data", what);
	pty_wait_text(t, "31/03/2025*", 5000);
	pty_settle(t, 100, 2000);
	int r = -1, c = -1;
	pty_find(t, "31/03/2025*", &r, &c);
	pty_check(t, r > 0 && payment_cells(t, r, c, false, "31/03/2025*") &&
		  !pty_any_colour(t), "%s: payment date marked \"*\", bold and underlined, no colour",
		  what);
	pty_check(t, pty_find(t, "* payment date", NULL, NULL) && !pty_find(t, "(yellow)", NULL, NULL),
		  "%s: the legend says payment date, not \"(yellow)\"", what);
	pty_move_to(t, "Down", "31/03/2025*");
	pty_key(t, "Enter");
	pty_expect(t, "Read-only: entering data needs the Achievement Entry role", 5000,
		   "%s: View users see the form read-only with the reason", what);
	/* typing into the read-only form: never a tab switch or quit; the
	 * message line says why nothing is typed */
	pty_send(t, "5q");
	pty_settle(t, 150, 2000);
	char *msg = pty_message(t);
	pty_check(t, !pty_exited(t, NULL) && pty_find(t, "Read-only: entering data", NULL, NULL) &&
		  str_has_prefix(msg, "Error: Read-only:"),
		  "%s: 5 and q in a read-only form stay in the form and say why (%s)", what, msg);
	free(msg);
	pty_close(&t);
}

int main(void)
{
	pty_init(170);
	pty_server_start_api(&srv, &api);

	/* first, while the demo still has 31/03/2025 groups missing */
	struct pty_opts nc = { .no_color = true };
	monochrome(&nc, "NO_COLOR");
	struct pty_opts vt = { .term = "vt100" };
	monochrome(&vt, "TERM=vt100");
	ncd_missing_from_home();
	manual_input();
	adjustment_refused();
	conflict();
	draft_survives_kill();
	commissioner_on_behalf();
	pty_server_free(&srv);
	return pty_finish();
}
