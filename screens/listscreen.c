/* listscreen.c: the list screen engine (see listscreen.h): it fetches the
 * rows with the declaration's source call, keeps them by the local
 * filters and the chosen group, draws the heading and foot hooks, the
 * column titles, the list (tui/list.c) and the results of the last action,
 * and drives the filters (words, years, fetched choices, the rows' own
 * values), the ticks, the row actions with their reason and confirmation,
 * the detail Enter opens and the level below the list. It knows no
 * screen; its pure parts are in lsdata.c. Also: the one financial-year
 * drop-down. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>
#include <sys/stat.h>

#include "csv.h"
#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/listscreen.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

/* ------------------------------------------------------------ years */

static void on_year_chosen(void *ud, int result, const char *text)
{
	struct year_pick *p = ud;
	if (result >= 0 && (size_t)result < p->n)
		p->cb(p->ud, p->years[result]);
}

void choose_year(struct app *a, struct year_pick *p, const char *title, const char *current,
		 void (*cb)(void *ud, const char *year), void *ud)
{
	size_t cur = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->years[i][0] || !p->items[i])
			p->items[i] = p->years[i];
		if (strcmp(p->years[i], current ? current : "") == 0)
			cur = i;
	}
	p->cb = cb;
	p->ud = ud;
	app_popup(a, popup_choice(title, p->items, p->n, cur, on_year_chosen, p));
}

/* ------------------------------------------------------------ state */

struct ls_results {
	char **lines;      /* owned; "Done: ..." or "Refused: ..." */
	size_t n;
};

struct ls {
	const struct ls_decl *d;
	struct screen *s;
	size_t choice[LS_MAX_FILTERS];        /* words filters */
	char year[LS_MAX_FILTERS][16];        /* year filters */
	struct year_pick years;
	json_t *answer;         /* the source's answer; owned reference */
	json_t *all;            /* its rows (borrowed from answer) */
	json_t *groups;         /* group rows; owned */
	char *group;            /* the chosen group's key; owned; NULL: the groups */
	struct list glist;      /* the groups */
	size_t *rows;           /* indexes into all shown; owned */
	size_t nrows;
	char **text;            /* search text per shown row; owned */
	char **gtext;           /* search text per group; owned */
	struct list list;       /* the rows */
	bool loading;
	char *error;            /* owned */
	bool viewing, follow;   /* the detail is shown; it came from a task */
	void *detail;           /* the detail's state; owned */
	struct ls_results res;
	const struct ls_action *pending;      /* waiting for its confirmation or answer */
	long *ids;              /* the rows it is for; owned */
	size_t nids;
	size_t menu[LS_MAX_FILTERS];          /* the Filter drop-down's filters */
	size_t choosing;        /* the filter whose drop-down is open */
	bool started;           /* the filters' start choices are made */
	char fval[LS_MAX_FILTERS][64];        /* fetched and row filters: the value ("": all) */
	char *fname[LS_MAX_FILTERS];          /* ... in words; owned; NULL: all */
	json_t *fetched;        /* the fetched filter's choices; owned */
	char **fchoice;         /* the values of a fetched or row filter's open
				 * drop-down; owned */
	size_t nfchoice;
	char *reason;           /* the reason given for the pending action; owned */
	long focus;             /* the row to put the cursor on once loaded */
	void *own;              /* the declaration's own state; owned */
	size_t sort;            /* 1 + the column sorted by; 0: as fetched */
	bool desc;
	char *xpath;            /* the export's file, while it is asked about; owned */
	/* paged (ls_decl.page_size): */
	size_t offset;          /* of the page the source call is made for */
	int64_t total;          /* rows in all, as the server counts them */
	bool more_loading;      /* the next page is on its way */
	char q[80];             /* the search the server was given ("": none) */
	json_t *of_src;         /* a row filter's choices (ls_filter.of_from); owned */
	json_t *pgroups;        /* the groups as the server gave them (ls_group.source); owned */
};

/* Whether the groups are the server's (a paged list's summary call). */
static bool server_groups(const struct ls *l)
{
	return l->d->page_size > 0 && l->d->group && l->d->group->source;
}

static bool paged(const struct ls *l)
{
	return l->d->page_size > 0;
}

size_t ls_offset(struct ls *l)
{
	return l->offset;
}

const char *ls_query(struct ls *l)
{
	return l->q[0] ? l->q : NULL;
}

struct screen *ls_screen(struct ls *l)
{
	return l->s;
}

void *ls_own(struct ls *l)
{
	return l->own;
}

json_t *ls_answer(struct ls *l)
{
	return l->answer;
}

bool ls_can(struct ls *l, unsigned roles)
{
	return (app_roles(l->s->app) & roles) != 0;
}

size_t ls_count(struct ls *l)
{
	return l->nrows;
}

size_t ls_choice(struct ls *l, size_t i)
{
	return l->choice[i];
}

const char *ls_value(struct ls *l, size_t i)
{
	const struct ls_filter *f = &l->d->filters[i];
	if (f->fetch || f->of)
		return l->fval[i];
	return f->words ? f->words->codes[l->choice[i]] : l->year[i];
}

/* A code in words (words may be NULL: the code; "" : "(none)"). */
static const char *word_of(const struct ls_words *w, const char *code)
{
	for (size_t k = 0; w && k < w->n; k++)
		if (strcmp(w->codes[k], code) == 0)
			return w->names[k];
	return code[0] ? code : "(none)";
}

const char *ls_value_name(struct ls *l, size_t i)
{
	const struct ls_filter *f = &l->d->filters[i];
	if (f->fetch)
		return l->fname[i] ? l->fname[i] : f->fetch->all_name;
	if (f->of)
		return l->fval[i][0] ? word_of(f->words, l->fval[i]) : f->of_all;
	return f->words ? f->words->names[l->choice[i]] : l->year[i];
}

bool ls_in_group(struct ls *l)
{
	return l->group != NULL;
}

const char *ls_group_key(struct ls *l)
{
	return l->group;
}

json_t *ls_group(struct ls *l)
{
	if (!l->group)
		return NULL;
	size_t i;
	json_t *g;
	json_array_foreach(l->groups, i, g)
		if (strcmp(json_string_value(json_object_get(g, "key")), l->group) == 0)
			return g;
	return NULL;
}

/* The context of screen templates (see listscreen.h); row may be NULL. */
static json_t *row_by_id(struct ls *l, long id);

static json_t *context(struct ls *l, json_t *row, size_t count)
{
	json_t *c = json_object();
	for (size_t i = 0; i < l->d->nfilters; i++)
		json_object_set_new(c, l->d->filters[i].label, json_string(ls_value_name(l, i)));
	json_object_set_new(c, "org", json_string(app_org_code(l->s->app)));
	if (ls_group(l))
		json_object_set(c, "group", ls_group(l));
	if (row)
		json_object_set(c, "row", row);
	json_object_set_new(c, "count", json_integer((json_int_t)count));
	/* what the rows acted on come to: {total} pence (of the rows that
	 * have pence) and {orgs}, their organisations' codes */
	if (l->nids && !row) {
		json_int_t total = 0;
		struct buf orgs;
		buf_init(&orgs);
		for (size_t i = 0; i < l->nids; i++) {
			json_t *r = row_by_id(l, l->ids[i]);
			json_t *p = json_object_get(r, "pence");
			total += json_integer_value(p);
			const char *code = json_string_value(ls_get(r, "organisation.code"));
			if (code && !strstr(orgs.data ? orgs.data : "", code))
				buf_printf(&orgs, "%s%s", orgs.len ? ", " : "", code);
		}
		json_object_set_new(c, "total", json_integer(total));
		json_object_set_new(c, "orgs", json_string(orgs.len ? orgs.data : ""));
		buf_free(&orgs);
	}
	return c;
}

static char *say(struct ls *l, const char *tmpl, json_t *row, size_t count)
{
	json_t *c = context(l, row, count);
	char *s = ls_expand(tmpl, c);
	json_decref(c);
	return s;
}

static void message(struct ls *l, const char *tmpl, json_t *row, size_t count)
{
	char *s = say(l, tmpl, row, count);
	app_message(l->s->app, MSG_INFO, "%s", s);
	free(s);
}

/* ------------------------------------------------------------ rows */

static json_t *row_at(struct ls *l, size_t i)
{
	return i < l->nrows ? json_array_get(l->all, l->rows[i]) : NULL;
}

static long row_id(json_t *row)
{
	return (long)json_integer_value(json_object_get(row, "id"));
}

static bool at_groups(struct ls *l)
{
	return l->d->group && !l->group;
}

json_t *ls_cursor(struct ls *l)
{
	return at_groups(l) ? NULL : row_at(l, l->list.cur);
}

/* The row of id among those fetched, or the item of the detail. */
static json_t *row_by_id(struct ls *l, long id)
{
	size_t i;
	json_t *o;
	json_array_foreach(l->all, i, o)
		if (row_id(o) == id)
			return o;
	if (l->d->detail && l->viewing && l->d->detail->id(l->detail) == id)
		return l->d->detail->item(l->detail);
	return NULL;
}

static void free_texts(char ***text, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((*text)[i]);
	xfree(text);
}

/* Whether a filter keeps the rows fetched (else the source call takes it). */
static bool local(const struct ls_filter *f)
{
	return f->key || f->of;
}

/* ... on this screen: a paged list's filters are the server's. */
static bool local_in(const struct ls *l, const struct ls_filter *f)
{
	return !paged(l) && local(f);
}

/* Whether row passes the local filters and belongs to the chosen group. */
static bool keep(struct ls *l, json_t *row)
{
	char tmp[32];
	if (l->d->keep && !l->d->keep(l, row))
		return false;
	if (l->d->group && (!l->group ||
			    strcmp(ls_text(ls_get(row, l->d->group->key), tmp, sizeof(tmp)),
				   l->group) != 0))
		return false;
	for (size_t i = 0; !paged(l) && i < l->d->nfilters; i++) {
		const char *key = l->d->filters[i].key;
		if (key && strcmp(ls_text(ls_get(row, key), tmp, sizeof(tmp)),
				  ls_value(l, i)) != 0)
			return false;
		if (l->d->filters[i].of && l->fval[i][0]) {
			char *v = ls_expand(l->d->filters[i].of, row);
			bool same = strcmp(v, l->fval[i]) == 0;
			free(v);
			if (!same)
				return false;
		}
	}
	return true;
}

static void cell_text(const struct ls_column *c, json_t *row, char *out, size_t size);

/* The rows being sorted (qsort has no context). */
static struct ls *sorting;

static int cmp_rows(const void *pa, const void *pb)
{
	struct ls *l = sorting;
	const struct ls_column *c = &l->d->columns[l->sort - 1];
	json_t *a = json_array_get(l->all, *(const size_t *)pa);
	json_t *b = json_array_get(l->all, *(const size_t *)pb);
	json_t *va = c->key ? ls_get(a, c->key) : NULL, *vb = c->key ? ls_get(b, c->key) : NULL;
	int r;
	if (!c->cell && (json_is_number(va) || json_is_number(vb))) {
		double x = json_number_value(va), y = json_number_value(vb);
		r = x < y ? -1 : x > y;
	} else if (!c->cell && c->fmt != LS_STATUS && (json_is_string(va) || json_is_string(vb))) {
		const char *x = json_string_value(va), *y = json_string_value(vb);
		r = strcasecmp(x ? x : "", y ? y : "");
	} else {
		char x[160], y[160];
		cell_text(c, a, x, sizeof x);
		cell_text(c, b, y, sizeof y);
		r = strcasecmp(x, y);
	}
	if (!r) /* stable: the order fetched */
		r = *(const size_t *)pa < *(const size_t *)pb ? -1 : 1;
	else if (l->desc)
		r = -r;
	return r;
}

/* Sorts the rows shown by the chosen column, unless the source sorts. */
static void sort_rows(struct ls *l)
{
	if (!l->sort || l->d->sort_remote || l->sort > l->d->ncolumns || l->nrows < 2)
		return;
	char **text = xcalloc(l->nrows, sizeof(char *));
	size_t *was = xcalloc(l->nrows, sizeof(size_t));
	memcpy(was, l->rows, l->nrows * sizeof(size_t));
	sorting = l;
	qsort(l->rows, l->nrows, sizeof(size_t), cmp_rows);
	sorting = NULL;
	/* the search texts follow their rows */
	for (size_t i = 0; i < l->nrows; i++)
		for (size_t k = 0; k < l->nrows; k++)
			if (was[k] == l->rows[i]) {
				text[i] = l->text[k];
				break;
			}
	memcpy(l->text, text, l->nrows * sizeof(char *));
	free(text);
	free(was);
}

const char *ls_sort(struct ls *l, bool *desc)
{
	*desc = l->desc;
	return l->sort && l->sort <= l->d->ncolumns ? l->d->columns[l->sort - 1].key : NULL;
}

/* The search texts of the group rows, and their count in the list. */
static void group_texts(struct ls *l)
{
	size_t n = json_array_size(l->groups), i;
	json_t *o;
	l->gtext = xcalloc(n ? n : 1, sizeof(char *));
	json_array_foreach(l->groups, i, o)
		l->gtext[i] = ls_expand(l->d->group->search, o);
	list_set_count(&l->glist, n);
}

/* The group rows from the server's (pgroups): {"key", "first": the
 * server's row, "count": its "count"}. */
static void server_group_rows(struct ls *l)
{
	const struct ls_group *g = l->d->group;
	size_t i;
	json_t *o;
	l->groups = json_array();
	json_array_foreach(l->pgroups, i, o) {
		char tmp[32];
		json_array_append_new(l->groups, json_pack("{s:s, s:O, s:O}", "key",
			ls_text(ls_get(o, g->key), tmp, sizeof(tmp)), "first", o,
			"count", json_object_get(o, "count")));
	}
	group_texts(l);
}

/* Recomputes the rows shown; the ticks are cleared. */
static void filter_rows(struct ls *l)
{
	free_texts(&l->text, l->nrows);
	xfree(&l->rows);
	l->nrows = 0;
	size_t n = json_array_size(l->all);
	l->rows = xcalloc(n ? n : 1, sizeof(size_t));
	l->text = xcalloc(n ? n : 1, sizeof(char *));
	size_t i;
	json_t *o;
	json_array_foreach(l->all, i, o) {
		if (!keep(l, o))
			continue;
		l->text[l->nrows] = ls_expand(l->d->search, o);
		l->rows[l->nrows++] = i;
	}
	sort_rows(l);
	list_set_count(&l->list, l->nrows);
	l->list.total = paged(l) && l->total > 0 ? (size_t)l->total : 0;
	list_set_taggable(&l->list, l->d->tick_roles && ls_can(l, l->d->tick_roles));
	if (l->list.tags)
		memset(l->list.tags, 0, (l->nrows ? l->nrows : 1) * sizeof(bool));
}

/* The group rows of the answer. */
static void make_groups(struct ls *l)
{
	const struct ls_group *g = l->d->group;
	size_t i;
	json_t *o;
	l->groups = json_array();
	json_array_foreach(l->all, i, o) {
		char tmp[32];
		const char *key = ls_text(ls_get(o, g->key), tmp, sizeof(tmp));
		json_t *grp = NULL, *x;
		size_t k;
		json_array_foreach(l->groups, k, x)
			if (strcmp(json_string_value(json_object_get(x, "key")), key) == 0)
				grp = x;
		if (!grp) {
			grp = json_pack("{s:s, s:O, s:{}}", "key", key, "first", o, "count");
			json_array_append_new(l->groups, grp);
		}
		json_t *count = json_object_get(grp, "count");
		const char *code = ls_text(ls_get(o, g->count), tmp, sizeof(tmp));
		json_object_set_new(count, code,
				    json_integer(json_integer_value(json_object_get(count, code)) + 1));
	}
	group_texts(l);
}

static void data_clear(struct ls *l)
{
	free_texts(&l->gtext, json_array_size(l->groups));
	json_decref(l->groups);
	l->groups = NULL;
	free_texts(&l->text, l->nrows);
	xfree(&l->rows);
	l->nrows = 0;
	json_decref(l->answer);
	l->answer = l->all = NULL;
	xfree(&l->error);
	list_set_count(&l->glist, 0);
	list_set_count(&l->list, 0);
}

static const char *name_of(struct ls *l, long id, char **out)
{
	json_t *row = row_by_id(l, id);
	return *out = row ? ls_expand(l->d->result_name, row) : NULL;
}

/* ------------------------------------------------------------ results */

static void results_clear(struct ls_results *res)
{
	free_texts(&res->lines, res->n);
	res->n = 0;
}

static void add_result(struct ls_results *res, char *line)
{
	res->lines = xrealloc(res->lines, (res->n + 1) * sizeof(char *));
	res->lines[res->n++] = line;
}

/* The results in a text popup (results_popup); one row's on the message
 * line. */
static void results_popup(struct ls *l, const struct api_response *r)
{
	struct app *a = l->s->app;
	const char *what = l->pending->name;
	if (app_failed(a, r, what))
		return;
	struct ac_lines lines = {0};
	json_t *results = json_object_get(r->json, "results");
	long long ok = (long long)json_integer_value(json_object_get(r->json, "succeeded"));
	size_t n = json_array_size(results), i;
	json_t *row;
	ac_add(&lines, "\1%s: %lld of %zu done", what, ok, n);
	json_array_foreach(results, i, row) {
		char *name;
		name_of(l, row_id(row), &name);
		/* one row per result, its words wrapped under it */
		char *t = xasprintf("%s %s: %s", ac_str(row, "organisation"), name ? name : "",
				    ac_str(row, "message"));
		ac_add_wrapped(&lines, json_is_true(json_object_get(row, "ok")) ? "Done:     " :
			       "Not done: ", t, ac_popup_width());
		free(t);
		free(name);
	}
	if (n == 1) {
		json_t *one = json_array_get(results, 0);
		char *name;
		name_of(l, row_id(one), &name);
		app_message(a, ok ? MSG_OK : MSG_ERROR, "%s %s: %s", ac_str(one, "organisation"),
			    name ? name : "", ac_str(one, "message"));
		free(name);
	} else {
		app_message(a, ok == (long long)n ? MSG_OK : MSG_ERROR, "%s: %lld of %zu done.",
			    what, ok, n);
		app_popup(a, popup_text(l->d->results_popup, lines.v, lines.n));
	}
	ac_lines_free(&lines);
}

static void results_set(struct ls *l, const struct api_response *r)
{
	struct app *a = l->s->app;
	const char *what = l->pending->name;
	results_clear(&l->res);
	if (l->d->results_popup) {
		results_popup(l, r);
		return;
	}
	if (app_failed(a, r, what)) {
		add_result(&l->res, xasprintf("Refused: %s (nothing was changed)", r->err_message));
		return;
	}
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(r->json, "results"), i, row) {
		char *name;
		name_of(l, row_id(row), &name);
		bool ok = json_is_true(json_object_get(row, "ok"));
		add_result(&l->res, xasprintf("%s %s %s: %s", ok ? "Done:" : "Refused:",
					      ac_str(row, "organisation"), name ? name : "",
					      ac_str(row, "message")));
		free(name);
	}
	long done = (long)json_integer_value(json_object_get(r->json, "succeeded"));
	long failed = (long)json_integer_value(json_object_get(r->json, "failed"));
	app_message(a, failed ? MSG_ERROR : MSG_OK, "%s: %ld done, %ld refused (see the results).",
		    what, done, failed);
}

#define RESULT_INDENT 4

/* The rows the results take wrapped at width, with their heading. */
static int results_rows(const struct ls_results *res, int width)
{
	int rows = res->n ? 1 : 0;
	for (size_t i = 0; i < res->n; i++) {
		size_t n;
		char **v = tui_wrap(res->lines[i], width, width - RESULT_INDENT, &n);
		tui_wrap_free(v, n);
		rows += (int)n;
	}
	return rows;
}

/* Draws the results in rows y.. (rows of them); returns rows used. */
static int results_draw(const struct ls_results *res, WINDOW *w, int y, int rows, int width)
{
	if (!res->n || rows < 2)
		return 0;
	int used = 0;
	tui_put(w, y + used++, 0, width, "Results of the last action:", ST_LABEL, true);
	for (size_t i = 0; i < res->n && used < rows; i++) {
		/* each result whole: wrapped under itself, indented */
		size_t n;
		char **v = tui_wrap(res->lines[i], width, width - RESULT_INDENT, &n);
		bool fits = used + (int)n <= rows - (i + 1 < res->n ? 1 : 0);
		if (!fits) {
			tui_wrap_free(v, n);
			tui_printf(w, y + used++, 0, width, ST_DIM, true,
				   "... and %zu more (the message line has the count)", res->n - i);
			break;
		}
		bool ok = str_has_prefix(res->lines[i], "Done:");
		for (size_t k = 0; k < n; k++) {
			int x = k ? RESULT_INDENT : 0;
			tui_clear(w, y + used, 0, x);
			tui_put(w, y + used++, x, width - x, v[k], ok ? ST_OK : ST_ERROR, true);
		}
		tui_wrap_free(v, n);
	}
	return used;
}

/* ------------------------------------------------------------ columns */

static void cell_text(const struct ls_column *c, json_t *row, char *out, size_t size)
{
	if (c->cell) {
		c->cell(row, out, size);
		return;
	}
	json_t *v = ls_get(row, c->key);
	const char *s = json_string_value(v);
	out[0] = '\0';
	switch (c->fmt) {
	case LS_DATE:
		if (s && s[0] && size >= 11)
			date_display(s, out);
		else
			strlcpy_s(out, "-", size);
		return;
	case LS_STAMP: {
		time_t at = (time_t)json_integer_value(v);
		struct tm tm;
		if (gmtime_r(&at, &tm))
			strftime(out, size, "%d/%m/%Y", &tm);
		return;
	}
	case LS_STATUS:
		for (size_t i = 0; s && c->words && i < c->words->n; i++)
			if (strcmp(s, c->words->codes[i]) == 0)
				s = c->words->names[i];
		strlcpy_s(out, s ? s : "", size);
		return;
	case LS_POUNDS:
		money_format((int64_t)json_integer_value(v), out, size);
		return;
	case LS_POINTS:
		ac_points((long long)json_integer_value(v), out, size);
		return;
	case LS_COUNT:
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
		return;
	case LS_BAR: {
		char pct[32];
		csv_percent(pct, (int64_t)json_integer_value(v));
		snprintf(out, size, "%s%%", pct);
		return;
	}
	case LS_TEXT:
	default:
		if (json_is_integer(v))
			snprintf(out, size, "%lld", (long long)json_integer_value(v));
		else
			strlcpy_s(out, s ? s : "", size);
		return;
	}
}

void ls_foot_text(WINDOW *w, int y, int width, int rows, const char *text)
{
	size_t n;
	char **v = tui_wrap(text ? text : "", width, width - 2, &n);
	for (int i = 0; i < rows; i++)
		tui_printf(w, y + i, 0, width, ST_DIM, true, "%s%s", i ? "  " : "",
			   (size_t)i < n ? v[i] : "");
	tui_wrap_free(v, n);
}

void ls_cell_text(const struct ls_column *c, json_t *row, char *out, size_t size)
{
	cell_text(c, row, out, size);
}

/* A column's width in a row of width columns (0: the flexible one). */
static int col_width(const struct ls_column *c, int width)
{
	return c->wide && width > 90 ? c->wide : c->width;
}

/* The width of each column in width columns: the one of width 0 takes
 * what the others leave (at least 10), the last one what is left. */
static int flex_width(const struct ls_column *cols, size_t n, int width)
{
	int fixed = 0;
	for (size_t i = 0; i < n; i++)
		if (!cols[i].hidden)
			fixed += col_width(&cols[i], width) + cols[i].gap;
	return width - fixed < 10 ? 10 : width - fixed;
}

/* Draws column c's title (row NULL) or its cell of row in cw columns at
 * y, x; a title takes its gap too unless it is the last. */
static void draw_cell(const struct ls_column *c, json_t *row, WINDOW *w, int y, int x, int cw,
		      bool last)
{
	char text[160];
	if (row && c->draw) {
		c->draw(row, w, y, x, cw);
		return;
	}
	if (row && c->fmt == LS_BAR) {
		tui_bar_text((long)json_integer_value(ls_get(row, c->key)), cw - 1, tui_blocks(),
			     text, sizeof(text));
		tui_put(w, y, x, cw, text, ST_OK, true);
		return;
	}
	if (row)
		cell_text(c, row, text, sizeof(text));
	else
		strlcpy_s(text, c->title, sizeof(text));
	enum style st = !row ? ST_COLHEAD : c->style ? c->style(row) : ST_NORMAL;
	if (c->right && cw > 1 && tui_width(text) < cw) {
		/* a blank before it, so that it never runs into the column on
		 * its left ("RejectedCancelled"); a value as wide as its
		 * column (fitted to its values) is shown whole instead */
		tui_put(w, y, x, 1, " ", row ? st : ST_NORMAL, true);
		tui_printf(w, y, x + 1, cw - 1, st, true, "%*s", cw - 1, text);
	} else if (c->right)
		tui_printf(w, y, x, cw, st, true, "%*s", cw, text);
	else
		tui_put(w, y, x, row || last || tui_width(text) > cw + c->gap - 1 ? cw : cw + c->gap,
			text, st, true);
}

/* Draws one line of cells (row NULL: the titles) from x in width columns. */
static void draw_cells(const struct ls_column *cols, size_t n, json_t *row, WINDOW *w, int y,
		       int x, int width)
{
	int flex = flex_width(cols, n, width), at = 0;
	size_t last = n;
	for (size_t i = 0; i < n; i++)
		if (!cols[i].hidden)
			last = i;
	for (size_t i = 0; i < n && at < width; i++) {
		const struct ls_column *c = &cols[i];
		if (c->hidden)
			continue;
		int cw = col_width(c, width) ? col_width(c, width) : flex;
		if (i == last || at + cw > width)
			cw = width - at;
		draw_cell(c, row, w, y, x + at, cw, i == last);
		at += cw;
		if (c->gap && at < width) {
			if (row)
				tui_put(w, y, x + at, c->gap, " ", ST_NORMAL, true);
			at += c->gap;
		}
	}
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct ls *l = ud;
	draw_cells(l->d->columns, l->d->ncolumns, row_at(l, row), w, y, x, width);
}

static const char *row_text(void *ud, size_t row)
{
	struct ls *l = ud;
	return row < l->nrows ? l->text[row] : "";
}

static void draw_group(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct ls *l = ud;
	const struct ls_group *g = l->d->group;
	draw_cells(g->columns, g->ncolumns, json_array_get(l->groups, row), w, y, x, width);
}

static const char *group_text(void *ud, size_t row)
{
	struct ls *l = ud;
	return row < json_array_size(l->groups) ? l->gtext[row] : "";
}

/* ------------------------------------------------------------ loading */

static void on_rows(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	l->loading = false;
	app_dirty(s->app);
	data_clear(l);
	if (l->d->absent && r->outcome == API_HTTP && r->status == 404 &&
	    strcmp(r->err_code, "not_found") == 0) {
		l->error = xstrdup(l->d->absent);
		return;
	}
	if (app_failed(s->app, r, l->d->what)) {
		l->error = xasprintf("%s: %s", l->d->error, r->err_message);
		return;
	}
	l->answer = json_incref(r->json);
	json_t *arr = json_object_get(r->json, l->d->rows);
	if (!json_is_array(arr)) {
		json_decref(l->answer);
		l->answer = json_pack("{s:[]}", l->d->rows);
		arr = json_object_get(l->answer, l->d->rows);
	}
	l->all = arr;
	if (paged(l)) {
		l->total = json_integer_value(json_object_get(r->json, "total"));
		for (size_t i = 0; i < l->d->nfilters; i++) {
			const struct ls_filter *f = &l->d->filters[i];
			if (f->of_from && !l->fval[i][0]) {
				/* the choices of all rows, kept while one is chosen */
				json_decref(l->of_src);
				l->of_src = json_incref(json_object_get(r->json, f->of_from));
			}
		}
	}
	if (server_groups(l))
		server_group_rows(l);
	else if (l->d->group)
		make_groups(l);
	if (!l->d->group || l->group)
		filter_rows(l);
	for (size_t i = 0; l->focus && i < l->nrows; i++)
		if (row_id(row_at(l, i)) == l->focus)
			l->list.cur = i;
	l->focus = 0;
}

static void on_groups(struct screen *s, const struct api_response *r);
static void on_group_counts(struct screen *s, const struct api_response *r);

static void load(struct ls *l)
{
	for (size_t i = 0; !l->started && i < l->d->nfilters; i++)
		if (l->d->filters[i].start)
			l->choice[i] = l->d->filters[i].start(l);
	l->started = true;
	for (size_t i = 0; i < l->d->nfilters; i++)
		if (!l->d->filters[i].words && !l->d->filters[i].fetch && !l->d->filters[i].of &&
		    !l->year[i][0]) {
			const char *fy = ac_work_year(l->s->app);
			if (fy_valid(fy))
				strlcpy_s(l->year[i], fy, sizeof(l->year[i]));
		}
	l->loading = true;
	l->more_loading = false;
	l->offset = 0;
	if (server_groups(l) && !l->group) {
		app_call(l->s->app, l->s, l->d->group->source(l), on_groups);
		return;
	}
	app_call(l->s->app, l->s, l->d->source(l), on_rows);
	if (server_groups(l))
		/* the group's counts (its heading), current too; a 304 mostly */
		app_call(l->s->app, l->s, l->d->group->source(l), on_group_counts);
}

/* The server's groups while a group's rows are shown: the counts and
 * names of the heading, the rows left as they are. */
static void on_group_counts(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	app_dirty(s->app);
	json_t *rows = json_object_get(r->json, l->d->group->rows);
	if (r->outcome != API_HTTP || r->status != 200 || !json_is_array(rows))
		return; /* the heading keeps what it had */
	json_decref(l->pgroups);
	l->pgroups = json_incref(rows);
	free_texts(&l->gtext, json_array_size(l->groups));
	json_decref(l->groups);
	server_group_rows(l);
}

/* The server's groups (a paged list at its groups): kept in pgroups
 * while a group's rows are shown. */
static void on_groups(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	l->loading = false;
	app_dirty(s->app);
	data_clear(l);
	if (app_failed(s->app, r, l->d->what)) {
		l->error = xasprintf("%s: %s", l->d->error, r->err_message);
		return;
	}
	json_decref(l->pgroups);
	l->pgroups = json_incref(json_object_get(r->json, l->d->group->rows));
	if (!json_is_array(l->pgroups)) {
		json_decref(l->pgroups);
		l->pgroups = json_array();
	}
	l->answer = json_pack("{s:[]}", l->d->rows);
	l->all = json_object_get(l->answer, l->d->rows);
	server_group_rows(l);
}

/* The next page of a paged list, appended when it comes; the cursor and
 * the ticks stay. */
static void on_more(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	l->more_loading = false;
	app_dirty(s->app);
	if (!l->all || app_failed(s->app, r, l->d->what))
		return;
	json_t *arr = json_object_get(r->json, l->d->rows);
	if (!json_is_array(arr))
		return;
	if (json_integer_value(json_object_get(r->json, "offset")) !=
	    (json_int_t)json_array_size(l->all))
		return; /* the list was fetched again meanwhile */
	l->total = json_integer_value(json_object_get(r->json, "total"));
	size_t cur = l->list.cur, top = l->list.top, n = l->nrows;
	bool *tags = NULL;
	if (l->list.tags) {
		tags = xcalloc(n ? n : 1, sizeof(bool));
		memcpy(tags, l->list.tags, n * sizeof(bool));
	}
	json_array_extend(l->all, arr);
	filter_rows(l);
	l->list.cur = cur < l->nrows ? cur : 0;
	l->list.top = top;
	if (tags && l->list.tags)
		memcpy(l->list.tags, tags, (n < l->nrows ? n : l->nrows) * sizeof(bool));
	free(tags);
}

/* Near the end of what a paged list has: the next page is fetched. */
static void more_if_near_end(struct ls *l)
{
	if (!paged(l) || l->loading || l->more_loading || !l->all || at_groups(l) ||
	    l->list.searching)
		return; /* (not while a search is typed: it may be the server's) */
	size_t have = json_array_size(l->all);
	if ((int64_t)have >= l->total || l->list.cur + 10 < l->nrows)
		return;
	l->offset = have;
	l->more_loading = true;
	app_call(l->s->app, l->s, l->d->source(l), on_more);
}

void ls_reload(struct ls *l)
{
	load(l);
}

/* Sets filter i from text (a code or a year); false if it is not one. */
static bool set_value(struct ls *l, size_t i, const char *text)
{
	const struct ls_filter *f = &l->d->filters[i];
	if (f->of) {
		strlcpy_s(l->fval[i], text, sizeof(l->fval[i]));
		return true;
	}
	if (f->fetch) {
		size_t k;
		json_t *o;
		char tmp[32];
		strlcpy_s(l->fval[i], text, sizeof(l->fval[i]));
		xfree(&l->fname[i]);
		json_array_foreach(l->fetched, k, o)
			if (text[0] && strcmp(ls_text(ls_get(o, f->fetch->key), tmp, sizeof(tmp)),
					      text) == 0)
				l->fname[i] = ls_expand(f->fetch->name, o);
		return true;
	}
	if (!f->words) {
		if (!fy_valid(text))
			return false;
		strlcpy_s(l->year[i], text, sizeof(l->year[i]));
		return true;
	}
	for (size_t k = 0; k < f->words->n; k++)
		if (strcmp(f->words->codes[k], text) == 0) {
			l->choice[i] = k;
			return true;
		}
	return false;
}

/* The value of filter i an item sets ("" for a fetched filter's first). */
static const char *followed(struct ls *l, size_t i, json_t *item, char *tmp, size_t size)
{
	const struct ls_filter *f = &l->d->filters[i];
	if (f->follow[0])
		return ls_text(ls_get(item, f->follow), tmp, size);
	return f->words ? f->words->codes[0] : "";
}

/* Sets the filters an item follows; was receives their values before.
 * False, with nothing changed, when the item has no value for one. */
static bool follow_values(struct ls *l, json_t *item, char was[][32])
{
	char tmp[32];
	for (size_t i = 0; i < l->d->nfilters; i++) {
		strlcpy_s(was[i], ls_value(l, i), sizeof(was[i]));
		if (l->d->filters[i].follow &&
		    !set_value(l, i, followed(l, i, item, tmp, sizeof(tmp)))) {
			for (size_t k = 0; k < i; k++)
				set_value(l, k, was[k]);
			return false;
		}
	}
	return true;
}

/* Opened from a task: the filters and the group behind the detail are
 * the item's, so Esc goes back to where it is listed. */
static void follow(struct ls *l)
{
	json_t *item = l->d->detail->item(l->detail);
	char tmp[32], was[LS_MAX_FILTERS][32];
	if (!follow_values(l, item, was))
		return;
	bool fetch = false, refilter = false;
	for (size_t i = 0; i < l->d->nfilters; i++) {
		bool changed = strcmp(was[i], ls_value(l, i)) != 0;
		fetch |= changed && !local_in(l, &l->d->filters[i]);
		refilter |= changed && local_in(l, &l->d->filters[i]);
	}
	const char *gpath = l->d->group ? l->d->group->follow : NULL;
	if (gpath) {
		free(l->group);
		l->group = xstrdup(ls_text(ls_get(item, gpath), tmp, sizeof(tmp)));
	}
	if (fetch)
		load(l);
	else if (l->all && (gpath || refilter))
		filter_rows(l);
}

static void on_detail(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	if (!l->d->detail->loaded(l->detail, s->app, r) || !l->follow)
		return;
	l->follow = false;
	follow(l);
}

/* A task's item on a screen with no detail (ls_item). */
static void on_item(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	char was[LS_MAX_FILTERS][32];
	if (app_failed(s->app, r, l->d->item->what))
		return;
	follow_values(l, r->json, was);
	l->focus = row_id(r->json);
	load(l);
	if (l->d->item->found)
		l->d->item->found(l, r->json);
}

static void open_detail(struct ls *l, long id)
{
	l->viewing = true;
	l->d->detail->load(l->detail, l->s, id, on_detail);
}

static void free_fchoice(struct ls *l)
{
	free_texts(&l->fchoice, l->nfchoice);
	l->nfchoice = 0;
}

static void on_fetched(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	for (size_t i = 0; i < l->d->nfilters; i++) {
		const struct ls_fetch *f = l->d->filters[i].fetch;
		if (!f || app_failed(s->app, r, f->what))
			continue;
		json_decref(l->fetched);
		l->fetched = json_incref(json_object_get(r->json, f->rows));
	}
}

/* ------------------------------------------------------------ ops */

static void ls_init(struct screen *s)
{
	struct ls *l = s->priv;
	l->s = s;
	l->d = s->def->arg;
	if (l->d->nfilters > LS_MAX_FILTERS)
		abort();
	list_init(&l->glist, draw_group, group_text, l);
	list_init(&l->list, draw_row, row_text, l);
	if (l->d->detail) {
		l->detail = xcalloc(1, l->d->detail->size);
		l->d->detail->init(l->detail);
	}
	if (l->d->own_size) {
		l->own = xcalloc(1, l->d->own_size);
		l->d->own_init(l, l->own);
	}
}

static void ls_done(struct screen *s)
{
	struct ls *l = s->priv;
	if (l->own) {
		l->d->own_done(l->own);
		xfree(&l->own);
	}
	data_clear(l);
	list_free(&l->glist);
	list_free(&l->list);
	if (l->d->detail) {
		l->d->detail->reset(l->detail);
		xfree(&l->detail);
	}
	results_clear(&l->res);
	xfree(&l->group);
	xfree(&l->ids);
	xfree(&l->reason);
	free_fchoice(l);
	json_decref(l->fetched);
	json_decref(l->of_src);
	json_decref(l->pgroups);
	for (size_t i = 0; i < LS_MAX_FILTERS; i++)
		xfree(&l->fname[i]);
	xfree(&l->xpath);
}

/* Whether the level below has the screen. */
static bool below(struct ls *l)
{
	return l->d->below && l->d->below->active(l->s);
}

static void ls_open(struct screen *s)
{
	struct ls *l = s->priv;
	if (below(l)) {
		l->d->below->reopen(s);
		return;
	}
	load(l);
	if (l->viewing && l->d->detail->id(l->detail))
		open_detail(l, l->d->detail->id(l->detail));
	for (size_t i = 0; !l->fetched && i < l->d->nfilters; i++)
		if (l->d->filters[i].fetch)
			app_call(s->app, s, l->d->filters[i].fetch->call(), on_fetched);
}

/* Shown again after another screen: the rows are fetched again (a 304
 * when unchanged), keeping the cursor on its row; not while a level
 * below (a form) has the screen. */
static void ls_revisit(struct screen *s)
{
	struct ls *l = s->priv;
	if (below(l) || l->loading || !l->started)
		return;
	json_t *cur = l->nrows ? row_at(l, l->list.cur) : NULL;
	if (cur)
		l->focus = row_id(cur);
	load(l);
}

static bool ls_subject(struct screen *s, const char *type, long id)
{
	struct ls *l = s->priv;
	if (!l->d->subject || strcmp(type, l->d->subject) != 0)
		return false;
	if (!l->d->detail) {
		if (!l->d->item)
			return false;
		app_call(s->app, s, l->d->item->call(id), on_item);
		return true;
	}
	l->follow = true;
	open_detail(l, id);
	return true;
}

/* ------------------------------------------------------------ filters */

static void on_value(struct ls *l)
{
	const struct ls_filter *f = &l->d->filters[l->choosing];
	results_clear(&l->res);
	if (local_in(l, f))
		filter_rows(l);
	else if (!(paged(l) && f->key))
		xfree(&l->group); /* a filter of a group's rows keeps the group */
	if (f->said)
		message(l, f->said, NULL, 0);
	/* A filter done here shows at once, and is fetched again too so the
	 * rows are current (an unchanged list costs a 304). */
	load(l);
	app_dirty(l->s->app);
}

static void on_fetch_value(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result >= 0 && (size_t)result < l->nfchoice) {
		set_value(l, l->choosing, l->fchoice[result]);
		on_value(l);
	}
	free_fchoice(l);
}

/* Starts the drop-down of a fetched or row filter: its first choice
 * (value "") and room for n more; returns the items for choices_offer,
 * the values go to l->fchoice. */
static char **choices_start(struct ls *l, size_t n, const char *first)
{
	free_fchoice(l);
	char **items = xcalloc(n + 1, sizeof(char *));
	l->fchoice = xcalloc(n + 1, sizeof(char *));
	items[0] = xstrdup(first);
	l->fchoice[l->nfchoice++] = xstrdup("");
	return items;
}

static void choices_offer(struct ls *l, const char *title, char **items, size_t cur)
{
	app_popup(l->s->app, popup_choice(title, (const char *const *)items, l->nfchoice, cur,
					  on_fetch_value, l));
	free_texts(&items, l->nfchoice);
}

/* The drop-down of a fetched filter: its first choice, then those offered. */
static void choose_fetched(struct ls *l, size_t i)
{
	const struct ls_fetch *f = l->d->filters[i].fetch;
	if (!l->fetched) {
		app_message(l->s->app, MSG_INFO, "%s", f->waiting);
		return;
	}
	char **items = choices_start(l, json_array_size(l->fetched), f->all);
	size_t cur = 0, k;
	json_t *o;
	json_array_foreach(l->fetched, k, o) {
		char tmp[32];
		if (f->offer && !f->offer(o))
			continue;
		const char *v = ls_text(ls_get(o, f->key), tmp, sizeof(tmp));
		if (strcmp(v, l->fval[i]) == 0)
			cur = l->nfchoice;
		items[l->nfchoice] = ls_expand(f->item, o);
		l->fchoice[l->nfchoice++] = xstrdup(v);
	}
	choices_offer(l, l->d->filters[i].title, items, cur);
}

static void on_year_value(void *ud, const char *year)
{
	struct ls *l = ud;
	strlcpy_s(l->year[l->choosing], year, sizeof(l->year[0]));
	on_value(l);
}

static void on_word_value(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result < 0)
		return;
	const struct ls_words *w = l->d->filters[l->choosing].words;
	l->choice[l->choosing] = (size_t)result < w->n ? (size_t)result : 0;
	on_value(l);
}

/* The drop-down of a filter of the rows: its first choice, then one per
 * distinct value among the rows fetched. */
static void choose_of(struct ls *l, size_t i)
{
	const struct ls_filter *f = &l->d->filters[i];
	json_t *src = paged(l) && f->of_from ? l->of_src : l->all;
	char **items = choices_start(l, json_array_size(src), f->of_all);
	size_t cur = 0, k;
	json_t *o;
	json_array_foreach(src, k, o) {
		char *v = ls_expand(f->of, o), name[160];
		bool seen = false;
		for (size_t c = 0; c < l->nfchoice && !seen; c++)
			seen = strcmp(l->fchoice[c], v) == 0;
		if (seen) {
			free(v);
			continue;
		}
		if (strcmp(v, l->fval[i]) == 0)
			cur = l->nfchoice;
		if (f->of_name)
			f->of_name(o, name, sizeof(name));
		else
			strlcpy_s(name, word_of(f->words, v), sizeof(name));
		items[l->nfchoice] = xstrdup(name);
		l->fchoice[l->nfchoice++] = v;
	}
	choices_offer(l, f->title, items, cur);
}

static void choose_value(struct ls *l, size_t i)
{
	const struct ls_filter *f = &l->d->filters[i];
	l->choosing = i;
	if (f->fetch) {
		choose_fetched(l, i);
		return;
	}
	if (f->of) {
		choose_of(l, i);
		return;
	}
	if (f->words) {
		app_popup(l->s->app, popup_choice(f->title, f->words->names, f->words->n,
						  l->choice[i], on_word_value, l));
		return;
	}
	year_pick_around(&l->years, ac_str(app_me(l->s->app), "financial_year"), f->years_after,
		     f->years_before);
	choose_year(l->s->app, &l->years, f->title, l->year[i], on_year_value, l);
}

static void on_menu(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result >= 0)
		choose_value(l, l->menu[result]);
}

/* One filter: its drop-down; more: the Filter drop-down first. */
static void choose_filter(struct ls *l)
{
	size_t n = 0;
	for (size_t i = 0; i < l->d->nfilters; i++)
		if (!at_groups(l) || !local(&l->d->filters[i]))
			l->menu[n++] = i;
	if (n == 1)
		choose_value(l, l->menu[0]);
	if (n < 2)
		return;
	char text[LS_MAX_FILTERS][64];
	const char *items[LS_MAX_FILTERS];
	for (size_t k = 0; k < n; k++) {
		if (l->d->menu_labels)
			strlcpy_s(text[k], l->d->filters[l->menu[k]].label, sizeof(text[k]));
		else
			snprintf(text[k], sizeof(text[k]), "%s: %s", l->d->filters[l->menu[k]].label,
				 ls_value_name(l, l->menu[k]));
		items[k] = text[k];
	}
	app_popup(l->s->app, popup_choice("Filter", items, n, 0, on_menu, l));
}

/* ------------------------------------------------------------ sort */

static void on_sort(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result < 0)
		return;
	size_t col = (size_t)result;
	if (col && col == l->sort)
		l->desc = !l->desc;
	else
		l->desc = false;
	l->sort = col;
	if (col)
		app_message(l->s->app, MSG_INFO, "Sorted by %s, %s.", l->d->columns[col - 1].title,
			    l->desc ? "descending" : "ascending");
	else
		app_message(l->s->app, MSG_INFO, "In the order the server sent them.");
	if (l->d->sort_remote) {
		load(l);
	} else if (l->all) {
		size_t cur = l->list.cur;
		filter_rows(l);
		l->list.cur = cur < l->nrows ? 0 : 0;
	}
	app_dirty(l->s->app);
}

/* The drop-down of the columns to sort by. */
static void choose_sort(struct ls *l)
{
	size_t n = l->d->ncolumns + 1;
	char **items = xcalloc(n, sizeof(char *));
	items[0] = xstrdup("As fetched (no sort)");
	for (size_t i = 1; i < n; i++)
		items[i] = xasprintf("%s%s", l->d->columns[i - 1].title,
				     i == l->sort ? (l->desc ? "  (descending)" : "  (ascending)") : "");
	app_popup(l->s->app, popup_choice("Sort by", (const char *const *)items, n, l->sort,
					  on_sort, l));
	free_texts(&items, n);
}

/* ------------------------------------------------------------ export */

/* The default file: ~/cqrs-NAME-YYYY-MM-DD.csv, the business date. */
static char *export_default(struct ls *l)
{
	const char *home = getenv("HOME");
	const char *today = ac_str(app_me(l->s->app), "business_date");
	/* shown as ~/..., the prompt being narrower than most homes */
	char name[96];
	if (l->d->export_name) {
		strlcpy_s(name, l->d->export_name, sizeof name);
	} else {
		size_t k = 0;
		for (const char *p = l->s->def->name; *p && k + 1 < sizeof name; p++)
			name[k++] = *p == ' ' ? '-' : (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		name[k] = '\0';
	}
	return xasprintf("%s/cqrs-%s-%s.csv", home && *home ? "~" : ".", name,
			 today[0] ? today : "today");
}

/* path for people: ~/... under the home directory (a message line is
 * 80 columns). */
static const char *shown(const char *path, char *out, size_t size)
{
	const char *home = getenv("HOME");
	size_t n = home ? strlen(home) : 0;
	if (n > 1 && strncmp(path, home, n) == 0 && path[n] == '/')
		snprintf(out, size, "~%s", path + n);
	else
		strlcpy_s(out, path, size);
	return out;
}

void ls_export_done(struct ls *l, FILE *f, const char *path, bool ok, const char *why)
{
	char p[512];
	if (f && fclose(f) != 0 && ok) {
		ok = false;
		why = strerror(errno);
	}
	if (ok) {
		app_message(l->s->app, MSG_OK, "Exported to %s", shown(path, p, sizeof p));
	} else {
		remove(path);
		app_message(l->s->app, MSG_ERROR, "Not exported: %s: %s", shown(path, p, sizeof p),
			    why);
	}
	app_dirty(l->s->app);
}

/* A column's value in a CSV: the plain forms of lib/csv.h. */
static void csv_cell(const struct ls_column *c, json_t *row, char *out, size_t size)
{
	json_t *v = c->key ? ls_get(row, c->key) : NULL;
	out[0] = '\0';
	if (c->cell || !c->key) {
		cell_text(c, row, out, size);
		return;
	}
	switch (c->fmt) {
	case LS_DATE:
		strlcpy_s(out, json_string_value(v) ? json_string_value(v) : "", size);
		return;
	case LS_STAMP: {
		time_t at = (time_t)json_integer_value(v);
		struct tm tm;
		if (json_is_integer(v) && gmtime_r(&at, &tm))
			strftime(out, size, "%Y-%m-%d", &tm);
		return;
	}
	case LS_POUNDS:
	case LS_POINTS:
	case LS_BAR: {
		char n[32];
		if (!json_is_integer(v))
			return;
		if (c->fmt == LS_POUNDS)
			csv_pounds(n, (int64_t)json_integer_value(v));
		else if (c->fmt == LS_POINTS)
			csv_points(n, (int64_t)json_integer_value(v));
		else
			csv_percent(n, (int64_t)json_integer_value(v));
		strlcpy_s(out, n, size);
		return;
	}
	default:
		cell_text(c, row, out, size);
		return;
	}
}

/* The engine's own export: the rows shown, every column with a value. */
static void export_rows(struct ls *l, FILE *f, const char *path)
{
	struct buf b;
	buf_init(&b);
	const struct ls_column *cols = l->d->columns;
	bool first = true;
	for (size_t k = 0; k < l->d->ncolumns; k++) {
		if (cols[k].draw && !cols[k].key)
			continue;
		if (!first)
			csv_sep(&b);
		csv_field(&b, cols[k].title);
		first = false;
	}
	csv_eol(&b);
	for (size_t i = 0; i < l->nrows; i++) {
		first = true;
		for (size_t k = 0; k < l->d->ncolumns; k++) {
			char text[256];
			if (cols[k].draw && !cols[k].key)
				continue;
			csv_cell(&cols[k], row_at(l, i), text, sizeof text);
			if (!first)
				csv_sep(&b);
			csv_field(&b, text);
			first = false;
		}
		csv_eol(&b);
	}
	bool ok = fwrite(b.data, 1, b.len, f) == b.len;
	buf_free(&b);
	char *said = xasprintf("%s", strerror(errno));
	ls_export_done(l, f, path, ok, said);
	char p[512];
	if (ok)
		app_message(l->s->app, MSG_OK, "Exported %zu row%s to %s", l->nrows,
			    l->nrows == 1 ? "" : "s", shown(path, p, sizeof p));
	free(said);
}

static void export_write(struct ls *l)
{
	FILE *f = fopen(l->xpath, "w");
	if (!f) {
		char p[512];
		app_message(l->s->app, MSG_ERROR, "Not exported: %s: %s",
			    shown(l->xpath, p, sizeof p), strerror(errno));
		xfree(&l->xpath);
		return;
	}
	if (l->d->export)
		l->d->export(l, f, l->xpath);
	else
		export_rows(l, f, l->xpath);
	xfree(&l->xpath);
}

static void on_overwrite(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result == POP_YES) {
		export_write(l);
		return;
	}
	char p[512];
	app_message(l->s->app, MSG_INFO, "Not exported: %s is kept as it was.",
		    shown(l->xpath, p, sizeof p));
	xfree(&l->xpath);
}

static void on_export_name(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result < 0 || !text || !*text) {
		app_message(l->s->app, MSG_INFO, "Nothing was exported.");
		return;
	}
	const char *home = getenv("HOME");
	xfree(&l->xpath);
	l->xpath = text[0] == '~' && text[1] == '/' ?
		xasprintf("%s/%s", home ? home : ".", text + 2) : xstrdup(text);
	struct stat st;
	if (stat(l->xpath, &st) == 0) {
		const char *base = strrchr(l->xpath, '/');
		char *q = xasprintf("%s exists. Overwrite it?", base ? base + 1 : l->xpath);
		app_popup(l->s->app, popup_confirm(q, on_overwrite, l));
		free(q);
		return;
	}
	export_write(l);
}

static void export_ask(struct ls *l)
{
	if (!l->answer || (!l->nrows && !l->d->export)) {
		app_message(l->s->app, MSG_INFO, "There are no rows to export.");
		return;
	}
	char *def = export_default(l);
	app_popup(l->s->app, popup_prompt("Export to CSV", "File", def, on_export_name, l));
	free(def);
}

/* ------------------------------------------------------------ actions */

static void forget_pending(struct ls *l)
{
	l->pending = NULL;
	xfree(&l->ids);
	l->nids = 0;
	xfree(&l->reason);
}

static void on_acted(struct screen *s, const struct api_response *r)
{
	struct ls *l = s->priv;
	if (l->pending)
		results_set(l, r);
	forget_pending(l);
	load(l);
	if (l->viewing && l->d->detail->id(l->detail))
		open_detail(l, l->d->detail->id(l->detail));
	app_dirty(s->app);
}

static void on_confirm(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result != POP_YES) {
		app_message(l->s->app, MSG_INFO, "Nothing was %s.", l->pending->done);
		forget_pending(l);
		return;
	}
	const struct ls_action *x = l->pending;
	if (x->sending)
		message(l, x->sending, NULL, l->nids);
	else
		app_message(l->s->app, MSG_INFO, "Sending...");
	app_call(l->s->app, l->s, x->reason ? x->call_reason(x->code, l->ids, l->nids, l->reason)
		 : x->call(x->code, l->ids, l->nids), on_acted);
}

/* The confirmation of the pending action. */
static void ask(struct ls *l)
{
	const struct ls_action *x = l->pending;
	json_t *one = l->nids == 1 ? row_by_id(l, l->ids[0]) : NULL;
	char *q = say(l, l->nids == 1 ? x->one : x->many, one, l->nids);
	app_popup(l->s->app, popup_confirm(q, on_confirm, l));
	free(q);
}

static void on_reason(void *ud, int result, const char *text)
{
	struct ls *l = ud;
	if (result < 0 || !text) {
		forget_pending(l);
		return;
	}
	if (text_blank(text)) {
		app_message(l->s->app, MSG_ERROR, "%s", l->pending->reason_none);
		forget_pending(l);
		return;
	}
	l->reason = xstrdup(text);
	ask(l);
}

static void act(struct ls *l, const struct ls_action *x)
{
	if (!ls_can(l, x->roles)) {
		char *why = say(l, x->readonly, NULL, 0);
		app_message(l->s->app, x->level, "%s", why);
		free(why);
		return;
	}
	if (l->pending)
		return;
	if (x->in_group && (at_groups(l) || l->viewing)) {
		message(l, x->in_group, NULL, 0);
		return;
	}
	xfree(&l->ids);
	l->nids = 0;
	l->ids = xcalloc(l->nrows ? l->nrows : 1, sizeof(long));
	if (l->viewing) {
		if (!l->d->detail->item(l->detail))
			return;
		l->ids[l->nids++] = l->d->detail->id(l->detail);
	} else {
		for (size_t i = 0; i < l->nrows; i++)
			if (list_is_tagged(&l->list, i))
				l->ids[l->nids++] = row_id(row_at(l, i));
		if (!l->nids && x->cursor && l->nrows)
			l->ids[l->nids++] = row_id(row_at(l, l->list.cur));
	}
	if (!l->nids) {
		message(l, x->none, NULL, 0);
		xfree(&l->ids);
		return;
	}
	l->pending = x;
	if (x->reason)
		app_popup(l->s->app, popup_prompt_max(x->reason, "Reason", "", TEXT_REASON_MAX,
						      on_reason, l));
	else
		ask(l);
}

static enum wres ls_action(struct screen *s, enum action a, int key)
{
	struct ls *l = s->priv;
	const struct ls_decl *d = l->d;
	if (below(l))
		return d->below->action(s, a, key);
	for (size_t i = 0; i < d->nactions; i++)
		if (d->actions[i].act == a) {
			act(l, &d->actions[i]);
			return W_HANDLED;
		}
	if (l->viewing) {
		if (a == ACT_BACK && !d->detail->searching(l->detail)) {
			l->viewing = l->follow = false;
			d->detail->reset(l->detail);
			app_message(s->app, MSG_INFO, "%s", "");
			return W_HANDLED;
		}
		if (a == ACT_FILTER)
			return W_HANDLED;
		return d->detail->action(l->detail, a, key);
	}
	struct list *lst = at_groups(l) ? &l->glist : &l->list;
	if (!lst->searching) {
		if (a == ACT_FILTER && d->nfilters) {
			choose_filter(l);
			return W_HANDLED;
		}
		if (a == ACT_BACK && l->res.n) {
			results_clear(&l->res);
			return W_HANDLED;
		}
		if (a == ACT_BACK && l->group) {
			xfree(&l->group);
			if (server_groups(l))
				load(l); /* the groups, current */
			app_message(s->app, MSG_INFO, "%s", "");
			return W_HANDLED;
		}
		enum wres r = d->action ? d->action(l, a) : W_IGNORED;
		if (r != W_IGNORED)
			return r;
		if (a == ACT_EXPORT && at_groups(l)) {
			app_message(s->app, MSG_INFO, "Enter opens a group's rows; x exports them there.");
			return W_HANDLED;
		}
		if (a == ACT_EXPORT) {
			export_ask(l);
			return W_HANDLED;
		}
		if (a == ACT_SORT && !at_groups(l) && d->ncolumns) {
			choose_sort(l);
			return W_HANDLED;
		}
	}
	bool was_searching = lst->searching;
	enum wres r = list_action(lst, a, key);
	if (paged(l) && lst == &l->list) {
		/* A search typed to the end (Enter) in a list not all here is
		 * the server's, over the whole list (only the rows that match
		 * are then shown); in a list all here it finds the row, as in
		 * any list. Dropping the search (Esc) drops the server's too. */
		bool incomplete = (int64_t)json_array_size(l->all) < l->total;
		if (was_searching && !lst->searching && strcmp(lst->search, l->q) != 0 &&
		    (l->q[0] || (incomplete && lst->search[0]))) {
			strlcpy_s(l->q, lst->search, sizeof l->q);
			l->list.cur = l->list.top = 0;
			load(l);
			return W_HANDLED;
		}
		more_if_near_end(l);
	}
	if (r == W_OPEN) {
		if (at_groups(l)) {
			json_t *g = json_array_get(l->groups, l->glist.cur);
			if (g) {
				l->group = xstrdup(json_string_value(json_object_get(g, "key")));
				l->list.cur = l->list.top = 0;
				results_clear(&l->res);
				filter_rows(l);
				load(l); /* current rows, as on a filter change */
			}
		} else if (l->nrows && d->detail) {
			open_detail(l, row_id(row_at(l, l->list.cur)));
		} else if (l->nrows && d->open) {
			d->open(l, row_at(l, l->list.cur));
		}
		return W_HANDLED;
	}
	if (r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL)) {
		const char *why = at_groups(l) ? d->group->no_ticks : d->no_ticks;
		if (why) {
			message(l, why, NULL, 0);
			return W_HANDLED;
		}
	}
	return r;
}

static enum context ls_context(struct screen *s)
{
	struct ls *l = s->priv;
	if (below(l))
		return l->d->below->context(s);
	if (l->viewing)
		return l->d->detail_context;
	return at_groups(l) ? l->d->group->context : l->d->context;
}

static bool action_offered(struct ls *l, const struct ls_action *x)
{
	if (!ls_can(l, x->roles))
		return false;
	if (x->values && !(x->values & (1u << l->choice[x->filter])))
		return false;
	if (l->viewing)
		return !x->in_group && l->d->detail->item(l->detail) != NULL;
	return !at_groups(l) && l->nrows > 0;
}

static bool ls_unsaved(struct screen *s)
{
	struct ls *l = s->priv;
	return l->d->below && l->d->below->unsaved && l->d->below->unsaved(s);
}

static bool ls_offers(struct screen *s, enum action a)
{
	struct ls *l = s->priv;
	if (below(l))
		return a != ACT_EXPORT && a != ACT_SORT && a != ACT_OPEN_ALSO &&
			l->d->below->offers(s, a);
	int hook = l->d->offers ? l->d->offers(l, a) : -1;
	if (hook >= 0)
		return hook != 0;
	bool any = false;
	for (size_t i = 0; i < l->d->nactions; i++) {
		bool on = action_offered(l, &l->d->actions[i]);
		if (l->d->actions[i].act == a)
			return on;
		any |= on;
	}
	switch (a) {
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
		return !l->viewing && !at_groups(l) && l->list.taggable && l->nrows > 0;
	case ACT_FILTER:
		return !l->viewing && l->d->nfilters > 0;
	case ACT_EXPORT:
		return !l->viewing && !at_groups(l) && l->answer && (l->nrows || l->d->export);
	case ACT_SORT:
		return !l->viewing && !at_groups(l) && l->nrows > 1;
	case ACT_OPEN_ALSO:
		return false;
	case ACT_SEARCH:
		/* no room for it beside the row actions; / still searches */
		return !any;
	default:
		return true;
	}
}

static void ls_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct ls *l = s->priv;
	const struct ls_decl *d = l->d;
	if (below(l)) {
		d->below->draw(s, w, h, width);
		return;
	}
	if (l->viewing) {
		const char *hint = d->hint_readonly && d->nactions &&
			!ls_can(l, d->actions[0].roles) ? d->hint_readonly : d->hint;
		d->detail->draw(l->detail, w, 0, h, width, hint);
		return;
	}
	if (d->head)
		d->head(l, w, width);
	int y = d->head_rows, sy = d->state_row ? d->state_row : y;
	if (l->loading && !l->answer) {
		tui_put(w, sy, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
		return;
	}
	if (l->error) {
		tui_put(w, sy, 0, width, l->error, ST_ERROR, true);
		return;
	}
	if (!l->answer)
		return;
	int max = d->result_rows ? d->result_rows : 5;
	int resrows = results_rows(&l->res, width);
	resrows = resrows < max ? resrows : max;
	if (resrows)
		results_draw(&l->res, w, h - resrows - (d->foot ? d->foot_rows : 0), resrows, width);
	bool groups = at_groups(l);
	size_t n = groups ? json_array_size(l->groups) : l->nrows;
	if (!n) {
		char *a = say(l, groups ? d->group->empty : d->empty, NULL, 0);
		char *b = say(l, groups ? d->group->empty_hint : d->empty_hint, NULL, 0);
		tui_put(w, y + 1, 0, width, a, ST_INFO, true);
		tui_put(w, y + 2, 0, width, b, ST_DIM, true);
		free(a);
		free(b);
		return;
	}
	struct list *lst = groups ? &l->glist : &l->list;
	int x = 2 + (lst->taggable ? 4 : 0), foot = d->foot ? d->foot_rows : 0;
	if (d->underline_lead)
		tui_put(w, y, 0, x, "", ST_COLHEAD, true);
	else
		tui_clear(w, y, 0, x);
	if (groups)
		draw_cells(d->group->columns, d->group->ncolumns, NULL, w, y, x, width - x);
	else
		draw_cells(d->columns, d->ncolumns, NULL, w, y, x, width - x);
	list_draw(lst, w, y + 1, 0, h - y - 1 - resrows - foot, width);
	if (foot)
		d->foot(l, w, h - foot, width);
}

const struct screen_ops listscreen_ops = {
	.priv_size = sizeof(struct ls),
	.init = ls_init,
	.open = ls_open,
	.revisit = ls_revisit,
	.draw = ls_draw,
	.action = ls_action,
	.context = ls_context,
	.done = ls_done,
	.offers = ls_offers,
	.subject = ls_subject,
	.unsaved = ls_unsaved,
};

/* ------------------------------------------------------------ embedded */

struct ls_embedded {
	struct screen s;
	struct screen_def def;
	void *ud;
};

struct screen *ls_embed(struct screen *parent, const struct ls_decl *d, void *ud)
{
	struct ls_embedded *e = xcalloc(1, sizeof(*e));
	e->ud = ud;
	e->def = *parent->def;
	e->def.ops = &listscreen_ops;
	e->def.arg = d;
	e->s.def = &e->def;
	e->s.app = parent->app;
	e->s.priv = xcalloc(1, listscreen_ops.priv_size);
	listscreen_ops.init(&e->s);
	e->s.inited = true;
	return &e->s;
}

void ls_embed_free(struct screen **child)
{
	struct screen *s = *child;
	if (!s)
		return;
	app_forget(s->app, s);
	listscreen_ops.done(s);
	free(s->priv);
	free(s); /* the struct ls_embedded it begins */
	*child = NULL;
}

struct ls *ls_of(struct screen *child)
{
	return child->priv;
}

void *ls_embed_ud(struct ls *l)
{
	return ((struct ls_embedded *)(void *)l->s)->ud;
}
