/* test_pty_net.c: the real cqrs on a link that misbehaves (issue 13),
 * through the test proxy (proxy.h) in front of a real cqrsd:
 *   - a revisited screen whose data has not changed is fetched again and
 *     answered 304 Not Modified, in at most 400 HTTP bytes;
 *   - a save whose reply is lost (the proxy lets the request through and
 *     swallows the answer) is not reported as "Not stored": the client
 *     says it has no answer yet, the title says OFFLINE within seconds,
 *     and when the link is back it sends the save again with the same
 *     Idempotency-Key and reports what the server answered the first time
 *     (stored once: the server's log has the first PUT and its replay);
 *   - a dead link (nothing passes) shows as OFFLINE within a few seconds
 *     with an error in words, and r while offline retries at once;
 *   - a long list comes a page at a time (page_rows = 5): Missing Data
 *     fetches its next page as the cursor nears the end, its search and
 *     its filter are done by the server. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/proxy.h"
#include "tests/pty/pty.h"

static struct pty_server srv;
static struct proxy px;


/* Lines of the server log holding both needles. */
static int log_lines(const char *a, const char *b)
{
	char *log = pty_read_file(srv.log);
	int n = 0;
	for (char *line = log ? strtok(log, "\n") : NULL; line; line = strtok(NULL, "\n"))
		if (strstr(line, a) && (!b || strstr(line, b)))
			n++;
	free(log);
	return n;
}

static void revisit(struct pty_term *t)
{
	pty_key(t, "2");
	pty_settle(t, 400, 10000);
	int before = log_lines("GET /api/v1/tasks 304", NULL);
	unsigned long long up = atomic_load(&px.up), down = atomic_load(&px.down);
	pty_key(t, "1");
	pty_settle(t, 400, 10000);
	unsigned long long http = atomic_load(&px.up) - up + atomic_load(&px.down) - down;
	pty_check(t, log_lines("GET /api/v1/tasks 304", NULL) == before + 1,
		  "revisiting Home fetches the tasks again, answered 304 Not Modified");
	pty_check(t, http > 0 && http <= 400, "... in at most 400 HTTP bytes (%llu)", http);
	pty_expect(t, "Declaration due", 2000, "... and the tasks are still shown");
}

/* Home -> the IIF form of NCD 2024/25 on 31/03/2025 (as bench/terminal-bytes;
 * Data Submission opens on 2024/25, the year with work on the demo's date). */
static bool to_form(struct pty_term *t)
{
	static const char *const keys[] = {"3", "s", "Enter", "Enter", "Enter"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		pty_key(t, keys[i]);
		pty_settle(t, 300, 5000);
	}
	return pty_wait_text(t, "CAN.FIT.IIF02", 5000);
}

static void lost_reply(struct pty_term *t)
{
	if (!pty_check(t, to_form(t), "the IIF group form opens"))
		return;
	pty_send(t, "7");
	pty_key(t, "Tab");
	pty_send(t, "9");
	pty_settle(t, 200, 2000);
	int puts_before = log_lines("PUT /api/v1/achievements/", " 200 ");
	proxy_set_mode(&px, PROXY_DROP_REPLY);
	int64_t t0 = mono_ms();
	pty_key(t, "C-w");
	bool offline = pty_wait_title(t, "NO ANSWER", 12000);
	int64_t took = mono_ms() - t0;
	pty_check(t, offline && took < 9000,
		  "reply lost: \"NO ANSWER ...: link down?\" shows within seconds (%.1f s)",
		  (double)took / 1000);
	pty_check(t, log_lines("PUT /api/v1/achievements/", " 200 ") == puts_before + 1,
		  "... although the server stored the save (PUT 200 in its log)");
	pty_expect(t, "No answer yet", 3000, "... the client says it has no answer yet");
	pty_expect_not(t, "Not stored", "... and never says \"Not stored\"");
	proxy_set_mode(&px, PROXY_PASS);
	pty_expect(t, "Earlier attempt stored", 30000,
		   "link back: the save is sent again by itself and the server's first answer "
		   "reported (\"Earlier attempt stored\")");
	pty_expect_not(t, "Conflict", "... no conflict blamed on the user herself");
	pty_check(t, log_lines("PUT /api/v1/achievements/", " 200 ") >= puts_before + 2,
		  "... the retry reached the server and was answered 200 (the first answer again)");
	pty_check(t, pty_wait_title(t, "online", 5000), "... and the title says online again");
}

static void dead_link(struct pty_term *t)
{
	pty_key(t, "Esc");
	pty_settle(t, 300, 5000);
	pty_key(t, "1");
	pty_settle(t, 300, 5000);
	proxy_set_mode(&px, PROXY_DEAD);
	int64_t t0 = mono_ms();
	pty_key(t, "2");
	bool offline = pty_wait_title(t, "NO ANSWER", 12000);
	int64_t took = mono_ms() - t0;
	pty_check(t, offline && took < 9000, "dead link: NO ANSWER in the title within a few "
		  "seconds (%.1f s)", (double)took / 1000);
	pty_expect_not(t, "Operation too slow", "... no libcurl wording on screen");
	/* the try is given up after 3 x 6 s: OFFLINE; then the link comes
	 * back and r tries again at once */
	pty_check(t, pty_wait_title(t, "OFFLINE", 20000), "... then OFFLINE, retrying");
	proxy_set_mode(&px, PROXY_PASS);
	pty_pump(t, 300);
	char *title = pty_row(t, PTY_TITLE_ROW);
	pty_check(t, strstr(title, "OFFLINE") || strstr(title, "NO ANSWER"),
		  "... the link back, the title still says so (%s)", title);
	free(title);
	t0 = mono_ms();
	pty_key(t, "r");
	bool online = pty_wait_title(t, "online", 4000);
	pty_check(t, online && mono_ms() - t0 < 3000,
		  "r while offline tries again at once: online in %.1f s",
		  (double)(mono_ms() - t0) / 1000);
	pty_expect(t, "My Services", 5000, "... and the waiting screen loads");
}

static void paging(void)
{
	char *home = pty_mkdir("home");
	char *cfg = xasprintf("%s/.config/cqrs/config", home);
	pty_write_file(cfg, "page_rows = 5\n");
	struct pty_opts o = {.home = home};
	struct pty_term *t = pty_client_as(&o, srv.url, "demo.practice");
	pty_key(t, "3");
	pty_settle(t, 300, 5000);
	pty_key(t, "]");
	pty_check(t, pty_wait_text(t, "1-5 of 5, 6 in all", 5000),
		  "Missing Data with page_rows = 5: the first page, and how many in all");
	pty_expect_not(t, "30/11/2024", "... the sixth row is not fetched yet");
	/* a search while not every row is here: the server's */
	pty_key(t, "/");
	pty_send(t, "Minor");
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, "1-2 of 2", 5000) && !pty_find(t, "Network Contract", NULL, NULL),
		  "a search typed to the end while rows are still on the server is the server's: "
		  "only the 2 Minor Surgery rows");
	pty_key(t, "/");
	pty_key(t, "Esc");
	pty_check(t, pty_wait_text(t, "6 in all", 5000), "Esc drops the search: all rows again");
	pty_settle(t, 300, 3000);
	int pages = log_lines("GET /api/v1/missing ", NULL);
	for (int i = 0; i < 3; i++)
		pty_key(t, "Down");
	pty_check(t, pty_wait_text(t, "30/11/2024", 5000) && pty_wait_text(t, "of 6", 3000),
		  "moving down fetches the next page (the sixth row, \"of 6\")");
	pty_check(t, log_lines("GET /api/v1/missing ", NULL) == pages + 1,
		  "... with one request more");
	/* every row here: / finds a row, as in any list */
	pty_key(t, "/");
	pty_send(t, "30/11");
	pty_key(t, "Enter");
	pty_settle(t, 300, 3000);
	int r = -1;
	pty_find(t, "30/11/2024", &r, NULL);
	pty_check(t, r > 0 && pty_text_at(t, r, 0, ">") && pty_find(t, "of 6", NULL, NULL),
		  "with every row here, a search moves the cursor to the row");
	pty_key(t, "/");
	pty_key(t, "Esc");
	pty_key(t, "f");
	pty_check(t, pty_wait_text(t, "30/11/2024   Network", 5000),
		  "the filter offers every date of all the rows, also those not fetched");
	/* (the list's own cursor is on the 30/11 row behind the drop-down:
	 * move in the drop-down by count) */
	for (int i = 0; i < 4; i++)
		pty_key(t, "Down");
	pty_settle(t, 100, 2000);
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, "1-1 of 1", 5000),
		  "choosing a date asks the server for that date's rows only");
	pty_close(&t);
	free(cfg);
	free(home);
}

int main(void)
{
	pty_init(240);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	if (!proxy_start(&px, srv.port))
		pty_bail("cannot start the proxy");
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", px.port);
	struct pty_term *t = pty_client_as(NULL, url, "demo.practice");
	revisit(t);
	lost_reply(t);
	dead_link(t);
	pty_close(&t);
	paging();
	pty_server_free(&srv);
	return pty_finish();
}
