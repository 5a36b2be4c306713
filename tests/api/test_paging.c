/* test_paging.c: API tests of lists a page at a time (issue 13) on the
 * demo database: GET /offers?limit=&offset=&q= answers one page with the
 * total, pages that join up to the whole list in order, a search done by
 * the server; GET /offers?summary=service counts each service's offers by
 * status as the whole list does; GET /missing?limit= pages the same rows
 * as the whole list, with the total and every service and date ("dates")
 * for the filter, ?q= and ?year= done by the server; bad paging
 * arguments are 400 naming the argument; a page stays in the user's
 * scope. TAP; limited to 120 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"

/* The "id"s (or, for missing rows, "organisation date group.code") of an
 * array, joined by spaces. */
static char *ids_of(json_t *arr)
{
	struct buf b;
	buf_init(&b);
	size_t i;
	json_t *x;
	json_array_foreach(arr, i, x) {
		char one[160];
		if (json_object_get(x, "id"))
			snprintf(one, sizeof one, "%lld ", (long long)jint(x, "id"));
		else
			snprintf(one, sizeof one, "%s %s %s|", jstr(x, "organisation"), jstr(x, "date"),
				 jstr(json_object_get(x, "group"), "code"));
		buf_append(&b, one, strlen(one));
	}
	buf_append(&b, "", 1);
	return buf_steal(&b);
}

/* GETs base with limit and offset appended until a short page; the rows'
 * ids joined, and the totals seen agree (or not). */
static char *all_pages(const char *token, const char *base, const char *rows, int limit,
		       bool *totals_ok, int *pages)
{
	struct buf b;
	buf_init(&b);
	*totals_ok = true;
	*pages = 0;
	long long total = -2;
	for (int off = 0; off < 10000; off += limit) {
		json_t *j = fetch(F("%s%climit=%d&offset=%d", base, strchr(base, '?') ? '&' : '?',
				    limit, off), token, NULL);
		json_t *arr = json_object_get(j, rows);
		if (!json_is_array(arr)) {
			json_decref(j);
			*totals_ok = false;
			break;
		}
		(*pages)++;
		long long t = jint(j, "total");
		if (json_array_size(arr) && total != -2 && t != total)
			*totals_ok = false;
		if (json_array_size(arr))
			total = t;
		if (jint(j, "limit") != limit || jint(j, "offset") != off)
			*totals_ok = false;
		char *s = ids_of(arr);
		buf_append(&b, s, strlen(s));
		free(s);
		size_t n = json_array_size(arr);
		json_decref(j);
		if ((int)n < limit)
			break;
	}
	buf_append(&b, "", 1);
	return buf_steal(&b);
}

static void test_offers(void)
{
	const char *c = T("demo.commissioner");
	json_t *whole = fetch("/api/v1/offers?year=2024/25", c, NULL);
	char *want = ids_of(json_object_get(whole, "offers"));
	size_t n = json_array_size(json_object_get(whole, "offers"));
	ck(n >= 4, "the commissioner's offers of 2024/25: %zu", n);
	bool totals;
	int pages;
	char *got = all_pages(c, "/api/v1/offers?year=2024/25", "offers", 3, &totals, &pages);
	ck(streq(got, want), "pages of 3 join up to the whole list, in order (%d pages)", pages);
	ck(totals, "every page says the same total, its limit and offset");
	GET(c, "/api/v1/offers?year=2024/25&limit=2");
	ck(R.status == 200 && json_array_size(J("offers")) == 2 && jint(R.json, "total") == (json_int_t)n,
	   "limit=2: two rows and the total %zu", n);
	free(got);

	/* The server's search: an organisation's code. */
	json_t *first = json_array_get(json_object_get(whole, "offers"), 0);
	const char *code = jstr(json_object_get(first, "organisation"), "code");
	GET(c, F("/api/v1/offers?year=2024/25&limit=50&q=%s", code));
	bool all_match = json_array_size(J("offers")) > 0;
	size_t i;
	json_t *x;
	json_array_foreach(J("offers"), i, x)
		all_match &= streq(jstr(json_object_get(x, "organisation"), "code"), code) ||
			     contains(jstr(json_object_get(x, "organisation"), "name"), code) ||
			     contains(jstr(json_object_get(x, "service"), "name"), code);
	ck(R.status == 200 && all_match && jint(R.json, "total") < (json_int_t)n,
	   "q=%s: only rows that match, fewer than all", code);
	GET(c, "/api/v1/offers?year=2024/25&limit=50&q=%25");
	ck(R.status == 200 && json_array_size(J("offers")) == 0,
	   "q=%% is searched as the character, not a wildcard");

	/* The summary counts what the whole list holds. */
	GET(c, "/api/v1/offers?year=2024/25&summary=service");
	json_int_t sum = 0;
	json_array_foreach(J("services"), i, x) {
		json_t *cnt = json_object_get(x, "count");
		sum += jint(cnt, "OFFERED") + jint(cnt, "APPROVED") + jint(cnt, "REJECTED") +
		       jint(cnt, "CANCELLED");
	}
	ck(R.status == 200 && json_array_size(J("services")) > 0 && sum == (json_int_t)n,
	   "summary=service: each service's offers counted by status, %lld in all", (long long)sum);

	/* Bad arguments. */
	GET(c, "/api/v1/offers?limit=0");
	ck(is_err(400, "bad_query", "limit", NULL), "limit=0: 400 naming limit");
	GET(c, "/api/v1/offers?limit=201");
	ck(is_err(400, "bad_query", "limit", NULL), "limit=201: 400 naming limit");
	GET(c, "/api/v1/offers?limit=10&offset=-1");
	ck(is_err(400, "bad_query", "offset", NULL), "offset=-1: 400 naming offset");
	GET(c, "/api/v1/offers?summary=status");
	ck(is_err(400, "bad_query", "summary", NULL), "summary=status: 400");

	/* Scope: the practice's page holds only its own offers. */
	GET(T("demo.practice"), "/api/v1/offers?limit=50");
	bool own = R.status == 200;
	json_array_foreach(J("offers"), i, x)
		own &= streq(jstr(json_object_get(x, "organisation"), "code"), "A81001");
	ck(own, "a practice's page holds only its own offers");
	free(want);
	json_decref(whole);
}

static void test_missing(void)
{
	const char *p = T("demo.practice");
	json_t *whole = fetch("/api/v1/missing", p, NULL);
	char *want = ids_of(json_object_get(whole, "missing"));
	size_t n = json_array_size(json_object_get(whole, "missing"));
	ck(n >= 3, "the practice's missing data: %zu rows", n);
	bool totals;
	int pages;
	char *got = all_pages(p, "/api/v1/missing", "missing", 2, &totals, &pages);
	ck(streq(got, want), "pages of 2 join up to the whole list, in order (%d pages)", pages);
	ck(totals, "every page says the same total, its limit and offset");
	free(got);
	GET(p, "/api/v1/missing?limit=1");
	json_int_t rows = 0;
	size_t i;
	json_t *x;
	json_array_foreach(J("dates"), i, x)
		rows += jint(x, "rows");
	ck(R.status == 200 && jint(R.json, "total") == (json_int_t)n && rows == (json_int_t)n &&
	   json_array_size(J("dates")) > 0,
	   "a page lists every service and date of all %zu rows (\"dates\", for the filter)", n);
	GET(p, "/api/v1/missing?limit=50&q=IIF");
	bool match = json_array_size(J("missing")) > 0;
	json_array_foreach(J("missing"), i, x)
		match &= contains(jstr(json_object_get(x, "group"), "code"), "IIF") ||
			 contains(jstr(json_object_get(x, "group"), "name"), "IIF") ||
			 contains(jstr(x, "service"), "IIF");
	ck(R.status == 200 && match, "q=IIF: only rows that match");
	GET(p, "/api/v1/missing?limit=50&year=2099/00");
	ck(R.status == 200 && json_array_size(J("missing")) == 0 && jint(R.json, "total") == 0,
	   "year=2099/00: nothing, total 0");
	GET(p, "/api/v1/missing?limit=50&year=2024");
	ck(is_err(400, "bad_query", "year", NULL), "year=2024: 400 naming year");
	GET(p, "/api/v1/missing?limit=501");
	ck(is_err(400, "bad_query", "limit", NULL), "limit=501: 400 naming limit");
	char q[140];
	memset(q, 'x', 101);
	q[101] = '\0';
	GET(p, F("/api/v1/missing?limit=5&q=%s", q));
	ck(is_err(400, "bad_query", "q", NULL), "a q of 101 characters: 400 naming q");
	free(want);
	json_decref(whole);
}

int main(void)
{
	apitest_start(120);
	if (!T("demo.practice") || !T("demo.commissioner"))
		tap_bail("the demo users cannot sign in");
	test_offers();
	test_missing();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
