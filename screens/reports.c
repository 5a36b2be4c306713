/* reports.c: Reports > Pre-defined and Reports > Administrative (issue
 * 12), one screen built from the server's catalogue (GET /reports): the
 * sub-tab's reports with their one-line purpose (an embedded list screen),
 * Enter opens a report's parameter form (the catalogue's parameters,
 * defaults filled, the current organisation, choices from the
 * catalogue), Run (F5 or r) shows the result on the list-screen engine
 * (columns from the catalogue, so role-aware; search, filters on the
 * status columns, sort, export of the server's CSV), and Enter on a row
 * opens the report the catalogue names in row_opens with the row's
 * "open" parameters; Esc goes back one level. The Declare screen opens
 * the Achievement Summary with reports_request. The sub-tab files
 * (reports_predefined.c, reports_administrative.c) declare which tab. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/ach_common.h"
#include "screens/reports.h"
#include "screens/screens.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

#define MAX_RUNS 6
#define MAX_PARAMS 12

/* One report opened: its catalogue entry, parameters and the result list
 * on the engine (a declaration of its own, columns from the catalogue). */
struct rrun {
	struct rs *rs;
	json_t *rep;            /* catalogue entry; owned reference */
	json_t *params;         /* {"key": "value"}; owned */
	struct ls_decl decl;
	struct ls_column *cols; /* owned */
	struct ls_words *words; /* owned, one per column (status columns' labels) */
	struct ls_filter filters[LS_MAX_FILTERS];
	char *search;           /* owned: the search template */
	struct screen *child;   /* the engine; owned */
	char *xpath;            /* the export being written; owned */
	FILE *xf;
	json_t *fitted;         /* the answer the column widths were fitted to (borrowed,
				 * compared only) */
	int fitted_width;
};

enum stage { ST_LIST, ST_FORM, ST_RESULT };

struct rs {
	struct screen *s;
	const struct reports_tab *tab;
	struct screen *cat;     /* the catalogue (embedded engine); owned */
	enum stage stage;
	/* the form */
	json_t *frep;           /* the report whose form is open; owned reference */
	struct form form;
	char *labels[MAX_PARAMS];         /* owned */
	const char **opts[MAX_PARAMS];    /* owned arrays of borrowed labels */
	json_t *pkeys[MAX_PARAMS];        /* the parameter objects; borrowed from frep */
	size_t nparams;
	json_t *years;          /* the year choices offered (strings); owned */
	json_t *shown[MAX_PARAMS];        /* each choice's words, "(allocated)" marked; owned */
	/* the reports opened, the last one shown */
	struct rrun runs[MAX_RUNS];
	size_t nruns;
	/* a report asked for by another screen, opened once the catalogue is in */
	char *want;
	json_t *want_params;
};

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* ------------------------------------------------------------ requests */

static char *req_name;
static json_t *req_params;

void reports_request(struct app *a, const char *name, json_t *params)
{
	free(req_name);
	json_decref(req_params);
	req_name = xstrdup(name);
	req_params = params;
	app_goto_subject(a, SCR_REPORTS_PREDEFINED, "report", 0);
}

/* ------------------------------------------------------------ catalogue */

static json_t *catalogue(struct rs *r)
{
	json_t *ans = ls_answer(ls_of(r->cat));
	return json_object_get(ans, "reports");
}

static json_t *find_report(struct rs *r, const char *name)
{
	size_t i;
	json_t *o;
	json_array_foreach(catalogue(r), i, o)
		if (strcmp(jstr(o, "name"), name) == 0)
			return o;
	return NULL;
}

/* ------------------------------------------------------------ results */

static struct rrun *run_of(struct ls *l)
{
	return ls_embed_ud(l);
}

static struct api_call run_source(struct ls *l)
{
	struct rrun *u = run_of(l);
	struct report_q q = {.name = jstr(u->rep, "name"), .params = u->params};
	return call_report(&q);
}

/* How much a column is kept when they do not all fit: the first column
 * most, then bars, codes and the second text column (a name), then
 * points, pounds, dates and statuses, then counts and other text; a
 * text column with the same value on every row least of all. */
static int keep_rank(const struct ls_column *c, size_t i, size_t *texts)
{
	if (i == 0)
		return 0;
	if (c->fmt == LS_BAR)
		return 1;
	if (c->fmt == LS_TEXT && !c->right)
		return ++*texts == 2 || c->width <= 10 ? 1 : 3;
	return c->fmt == LS_TEXT ? 3 : 2;
}

/* Fits the columns into width: each as wide as its widest value (text at
 * most 16, statuses 14) and its title (cut at 8 when the values are
 * narrower); when they still do not fit, columns are hidden, other text
 * first, then figures from the right (the foot shows the cursor row's
 * every value; sort and export keep them all). */
static void fit_columns(struct rrun *u, struct ls *l, int width)
{
	json_t *ans = ls_answer(l);
	if (!ans || (ans == u->fitted && width == u->fitted_width))
		return;
	u->fitted = ans;
	u->fitted_width = width;
	json_t *rows = json_object_get(ans, "rows");
	int total = 0, avail = width - 2;
	size_t n = u->decl.ncolumns, texts = 1;
	int rank[64], full[64];
	for (size_t i = 0; i < n && i < 64; i++) {
		struct ls_column *c = &u->cols[i];
		int tw = tui_width(c->title), w = 0;
		full[i] = tw;
		bool same = json_array_size(rows) > 1;
		if (c->fmt == LS_BAR) {
			w = tw > 10 ? tw : 10;
			same = false;
		} else {
			size_t k;
			json_t *row;
			char first[160] = "";
			json_array_foreach(rows, k, row) {
				char text[160];
				ls_cell_text(c, row, text, sizeof text);
				int vw = tui_width(text);
				w = vw > w ? vw : w;
				if (!k)
					strlcpy_s(first, text, sizeof first);
				same = same && strcmp(first, text) == 0;
				if (k > 2000)
					break;
			}
		}
		full[i] = w > tw ? w : tw;
		if (w < tw)
			w = tw < 8 ? tw : (w > 8 ? w : 8);
		if (i && c->fmt == LS_TEXT && !c->right && w > 16)
			w = 16;
		if (c->fmt == LS_STATUS && w > 14)
			w = 14;
		c->width = w;
		c->hidden = false;
		/* a column with one value on every row says least */
		rank[i] = same && c->fmt == LS_TEXT ? 4 : keep_rank(c, i, &texts);
		total += w + (i + 1 < n ? c->gap : 0);
	}
	for (int r = 4; r > 0 && total > avail; r--)
		for (size_t i = n < 64 ? n : 64; i-- > 0 && total > avail;)
			if (rank[i] == r && !u->cols[i].hidden) {
				u->cols[i].hidden = true;
				total -= u->cols[i].width + u->cols[i].gap;
			}
	/* room left: a narrower column hidden comes back */
	for (int r = 0; r <= 4; r++)
		for (size_t i = 0; i < n && i < 64; i++)
			if (rank[i] == r && u->cols[i].hidden &&
			    u->cols[i].width + u->cols[i].gap <= avail - total) {
				u->cols[i].hidden = false;
				total += u->cols[i].width + u->cols[i].gap;
			}
	/* then cut titles and values get it back, left to right */
	for (size_t i = 0; i < n && i < 64 && total < avail; i++) {
		struct ls_column *c = &u->cols[i];
		int more = full[i] - c->width;
		if (c->hidden || more <= 0)
			continue;
		if (more > avail - total)
			more = avail - total;
		c->width += more;
		total += more;
	}
	/* and then the first bar grows (a chart of few columns) */
	for (size_t i = 0; i < n && total < avail; i++)
		if (u->cols[i].fmt == LS_BAR && !u->cols[i].hidden) {
			int more = avail - total > 30 ? 30 : avail - total;
			u->cols[i].width += more;
			break;
		}
}

/* Under the list: every value of the row under the cursor, "Label: value",
 * wrapped (the columns that do not fit are read here). */
static void run_foot(struct ls *l, WINDOW *w, int y, int width)
{
	struct rrun *u = run_of(l);
	json_t *row = ls_cursor(l);
	struct buf b;
	buf_init(&b);
	for (size_t i = 0; row && i < u->decl.ncolumns; i++) {
		char text[160];
		ls_cell_text(&u->cols[i], row, text, sizeof text);
		if (u->cols[i].fmt == LS_BAR || !text[0])
			continue;
		buf_printf(&b, "%s%s: %s", b.len ? "; " : "", u->cols[i].title, text);
	}
	struct ac_lines lines = {0};
	if (b.len)
		ac_add_wrapped(&lines, "", b.data, width);
	for (int i = 0; i < u->decl.foot_rows; i++)
		tui_put(w, y + i, 0, width, (size_t)i < lines.n ? lines.v[i] : "", ST_DIM, true);
	ac_lines_free(&lines);
	buf_free(&b);
}

/* The heading: the report's title, its parameters as the server
 * understood them, and how many rows. */
static void run_head(struct ls *l, WINDOW *w, int width)
{
	struct rrun *u = run_of(l);
	json_t *ans = ls_answer(l);
	json_t *params = ans ? json_object_get(ans, "params") : u->params;
	struct buf b;
	buf_init(&b);
	const char *key;
	json_t *v;
	json_object_foreach(params, key, v) {
		char tmp[32];
		const char *t = ls_text(v, tmp, sizeof tmp);
		if (!t[0])
			continue;
		const char *label = key;
		size_t i;
		json_t *p;
		json_array_foreach(json_object_get(u->rep, "params"), i, p)
			if (strcmp(jstr(p, "key"), key) == 0)
				label = jstr(p, "label");
		json_array_foreach(json_object_get(u->rep, "params"), i, p)
			if (strcmp(jstr(p, "key"), key) == 0) {
				size_t c;
				json_t *ch;
				json_array_foreach(json_object_get(p, "choices"), c, ch)
					if (strcmp(jstr(ch, "value"), t) == 0)
						t = jstr(ch, "label");
			}
		if (date_valid(t)) {
			char d[11];
			date_display(t, d);
			buf_printf(&b, "%s%s: %s", b.len ? "; " : "", label, d);
		} else {
			buf_printf(&b, "%s%s: %s", b.len ? "; " : "", label, t);
		}
	}
	char count[64] = "";
	if (ans) {
		long long total = (long long)json_integer_value(json_object_get(ans, "total"));
		size_t got = json_array_size(json_object_get(ans, "rows"));
		if (total > (long long)got)
			snprintf(count, sizeof count, "%zu of %lld rows (x exports all)", ls_count(l),
				 total);
		else
			snprintf(count, sizeof count, "%zu rows", ls_count(l));
	}
	fit_columns(u, l, width);
	int cw = tui_width(count);
	tui_put(w, 0, 0, width - cw - 1, jstr(u->rep, "title"), ST_HEADING, true);
	tui_put(w, 0, width - cw, cw, count, ST_DIM, true);
	struct ac_lines lines = {0};
	if (b.len)
		ac_add_wrapped(&lines, "", b.data, width);
	for (size_t i = 0; i < 2; i++)
		tui_put(w, 1 + (int)i, 0, width, i < lines.n ? lines.v[i] : "", ST_DIM, true);
	ac_lines_free(&lines);
	buf_free(&b);
}

static void open_report(struct rs *r, json_t *rep, json_t *params);

/* Enter on a row: row_opens (also: row_opens_also) with the row's "open". */
static void row_opens(struct ls *l, json_t *row, bool also)
{
	struct rrun *u = run_of(l);
	const char *next = jstr(u->rep, also ? "row_opens_also" : "row_opens");
	if (!next[0]) {
		app_message(u->rs->s->app, MSG_INFO, "%s rows open nothing further.",
			    jstr(u->rep, "title"));
		return;
	}
	json_t *rep = find_report(u->rs, next);
	if (!rep) {
		app_message(u->rs->s->app, MSG_ERROR, "The report %s is not available to you.", next);
		return;
	}
	/* the row's "open" values of the parameters the report has */
	json_t *params = json_object();
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(row, "open"), key, v) {
		char tmp[32];
		size_t i;
		json_t *p;
		const char *t = ls_text(v, tmp, sizeof tmp);
		json_array_foreach(json_object_get(rep, "params"), i, p)
			if (strcmp(jstr(p, "key"), key) == 0 && t[0])
				json_object_set_new(params, key, json_string(t));
	}
	open_report(u->rs, rep, params);
}

static void run_open(struct ls *l, json_t *row)
{
	row_opens(l, row, false);
}

static enum wres run_action(struct ls *l, enum action a)
{
	if (a != ACT_OPEN_ALSO)
		return W_IGNORED;
	if (ls_cursor(l))
		row_opens(l, ls_cursor(l), true);
	return W_HANDLED;
}

static int run_offers(struct ls *l, enum action a)
{
	if (a != ACT_OPEN_ALSO)
		return -1;
	return ls_cursor(l) && jstr(run_of(l)->rep, "row_opens_also")[0];
}

static void on_csv(struct screen *s, const struct api_response *r)
{
	struct ls *l = ls_of(s);
	struct rrun *u = run_of(l);
	bool ok = r->outcome == API_HTTP && r->status == 200;
	const char *why = r->err_message && r->err_message[0] ? r->err_message :
		"the server answered with an error";
	ls_export_done(l, u->xf, u->xpath, ok, why);
	u->xf = NULL;
	xfree(&u->xpath);
}

/* A report's export is the server's CSV, saved as it streams. */
static void run_export(struct ls *l, FILE *f, const char *path)
{
	struct rrun *u = run_of(l);
	json_t *ans = ls_answer(l);
	struct report_q q = {.name = jstr(u->rep, "name"), .format = "csv",
			     .params = ans && json_object_get(ans, "params") ?
			     json_object_get(ans, "params") : u->params};
	bool desc;
	q.sort = ls_sort(l, &desc);
	q.desc = desc;
	u->xf = f;
	u->xpath = xstrdup(path);
	app_message(u->rs->s->app, MSG_INFO, "Exporting...");
	app_download(u->rs->s->app, u->child, call_report(&q), f, on_csv);
}

/* How each column type of the catalogue is shown: its format, a first
 * width (fit_columns fits them to the values) and whether it is right
 * aligned; text is the default. */
static const struct {
	const char *type;
	enum ls_fmt fmt;
	int width;
	bool right;
} col_types[] = {
	{"int", LS_TEXT, 7, true},
	{"points", LS_POINTS, 8, true},
	{"pounds", LS_POUNDS, 12, true},
	{"date", LS_DATE, 10, false},
	{"status", LS_STATUS, 14, false},
	{"bar", LS_BAR, 21, false},
};

static enum ls_fmt fmt_of(const char *type, int *width, bool *right)
{
	for (size_t i = 0; i < ARRAY_SIZE(col_types); i++)
		if (strcmp(type, col_types[i].type) == 0) {
			*width = col_types[i].width;
			*right = col_types[i].right;
			return col_types[i].fmt;
		}
	*width = 0;
	*right = false;
	return LS_TEXT;
}

/* The result's declaration: columns from the catalogue entry (role-aware:
 * the server leaves out what the user may not see), the first text
 * column takes the room left; a filter per status column. */
static void run_decl(struct rrun *u)
{
	json_t *cols = json_object_get(u->rep, "columns");
	size_t n = json_array_size(cols), i, nf = 0;
	json_t *c;
	u->cols = xcalloc(n ? n : 1, sizeof(*u->cols));
	u->words = xcalloc(n ? n : 1, sizeof(*u->words));
	struct buf search;
	buf_init(&search);
	bool flex = false;
	json_array_foreach(cols, i, c) {
		struct ls_column *x = &u->cols[i];
		const char *type = jstr(c, "type");
		x->title = jstr(c, "label");
		x->key = jstr(c, "key");
		x->fmt = fmt_of(type, &x->width, &x->right);
		x->gap = 1;
		if (!x->width && flex)
			x->width = 12;
		flex |= x->width == 0;
		if (x->width && x->width < tui_width(x->title) && !x->right)
			x->width = tui_width(x->title);
		if (strcmp(type, "text") == 0 || strcmp(type, "status") == 0 || !type[0])
			buf_printf(&search, "{%s} ", x->key);
		json_t *labels = json_object_get(c, "labels");
		if (json_object_size(labels)) {
			struct ls_words *wd = &u->words[i];
			const char **codes = xcalloc(json_object_size(labels), sizeof(char *));
			const char **names = xcalloc(json_object_size(labels), sizeof(char *));
			const char *code;
			json_t *name;
			json_object_foreach(labels, code, name) {
				codes[wd->n] = code;
				names[wd->n++] = json_string_value(name) ? json_string_value(name) : code;
			}
			wd->codes = codes;
			wd->names = names;
			x->words = wd;
		}
		if (strcmp(type, "status") == 0 && nf < LS_MAX_FILTERS) {
			struct ls_filter *f = &u->filters[nf++];
			f->words = x->words;
			f->label = x->title;
			f->title = x->title;
			f->of = xasprintf("{%s}", x->key);
			f->of_all = "All";
		}
	}
	u->search = buf_steal(&search);
	if (!u->search)
		u->search = xstrdup("");
	u->decl = (struct ls_decl){
		.source = run_source,
		.rows = "rows",
		.what = "Running the report",
		.error = "Not run",
		.columns = u->cols,
		.ncolumns = n,
		.filters = u->filters,
		.nfilters = nf,
		.search = u->search,
		.empty = "No rows for these parameters.",
		.empty_hint = "Esc goes back to the parameters; F5 runs it again.",
		.context = CTX_LIST,
		.head_rows = 3,
		.head = run_head,
		.foot = run_foot,
		.foot_rows = 4,
		.open = run_open,
		.action = run_action,
		.offers = run_offers,
		.export_name = jstr(u->rep, "name"),
		.export = run_export,
	};
}

static void run_free(struct rrun *u)
{
	ls_embed_free(&u->child);
	if (u->xf) {
		fclose(u->xf);
		remove(u->xpath);
	}
	xfree(&u->xpath);
	for (size_t i = 0; i < LS_MAX_FILTERS; i++)
		free((char *)u->filters[i].of);
	for (size_t i = 0; u->words && i < json_array_size(json_object_get(u->rep, "columns")); i++) {
		free((void *)u->words[i].codes);
		free((void *)u->words[i].names);
	}
	free(u->words);
	free(u->cols);
	free(u->search);
	json_decref(u->rep);
	json_decref(u->params);
	memset(u, 0, sizeof(*u));
}

/* Opens rep with params (stolen) on top of the reports opened. */
static void open_report(struct rs *r, json_t *rep, json_t *params)
{
	if (r->nruns == MAX_RUNS) {
		app_message(r->s->app, MSG_INFO, "%d reports are open: Esc goes back one first.",
			    MAX_RUNS);
		json_decref(params);
		return;
	}
	struct rrun *u = &r->runs[r->nruns++];
	u->rs = r;
	u->rep = json_incref(rep);
	u->params = params;
	run_decl(u);
	u->child = ls_embed(r->s, &u->decl, u);
	r->stage = ST_RESULT;
	listscreen_ops.open(u->child);
	json_t *next = find_report(r, jstr(rep, "row_opens"));
	if (next)
		app_message(r->s->app, MSG_INFO, "Enter on a row opens %s%s; Esc goes back.",
			    jstr(next, "title"), jstr(rep, "row_opens_also")[0] ?
			    ", m its months" : "");
	else
		app_message(r->s->app, MSG_INFO, "Esc goes back to the parameters.");
	app_dirty(r->s->app);
}

static struct rrun *top(struct rs *r)
{
	return r->nruns ? &r->runs[r->nruns - 1] : NULL;
}

/* ------------------------------------------------------------ the form */

static void form_clear(struct rs *r)
{
	form_free(&r->form);
	for (size_t i = 0; i < r->nparams; i++) {
		xfree(&r->labels[i]);
		free(r->opts[i]);
		r->opts[i] = NULL;
	}
	r->nparams = 0;
	json_decref(r->frep);
	r->frep = NULL;
	json_decref(r->years);
	r->years = NULL;
	for (size_t k = 0; k < MAX_PARAMS; k++) {
		json_decref(r->shown[k]);
		r->shown[k] = NULL;
	}
}

/* Choice c of parameter k in words: its label, and for a service another
 * organisation allocated to yours, "(allocated)". */
static const char *shown(struct rs *r, size_t k, size_t c)
{
	json_t *choices = json_object_get(r->pkeys[k], "choices");
	if (!r->shown[k]) {
		r->shown[k] = json_array();
		size_t i;
		json_t *ch;
		json_array_foreach(choices, i, ch) {
			char *t = xasprintf("%s%s", jstr(ch, "label"),
					    json_is_true(json_object_get(ch, "allocated")) ?
					    " (allocated)" : "");
			json_array_append_new(r->shown[k], json_string(t));
			free(t);
		}
	}
	const char *t = json_string_value(json_array_get(r->shown[k], c));
	return t ? t : "";
}

static int newest_first(const void *a, const void *b)
{
	return -strcmp(json_string_value(*(json_t *const *)a),
		       json_string_value(*(json_t *const *)b));
}

/* The financial years a year parameter offers: those of the report's
 * service choices, newest first; else the four around the current one. */
static json_t *year_choices(struct rs *r, json_t *rep)
{
	json_t *years = json_array();
	size_t i, c;
	json_t *p, *ch;
	json_array_foreach(json_object_get(rep, "params"), i, p)
		json_array_foreach(json_object_get(p, "choices"), c, ch) {
			const char *y = jstr(ch, "year");
			bool seen = !fy_valid(y);
			size_t k;
			json_t *x;
			json_array_foreach(years, k, x)
				seen |= strcmp(json_string_value(x), y) == 0;
			if (!seen)
				json_array_append_new(years, json_string(y));
		}
	if (!json_array_size(years)) {
		struct year_pick yp;
		year_pick_around(&yp, jstr(app_me(r->s->app), "financial_year"), 1, 3);
		for (size_t k = 0; k < yp.n; k++)
			json_array_append_new(years, json_string(yp.years[k]));
	}
	size_t n = json_array_size(years);
	json_t **v = xcalloc(n ? n : 1, sizeof(json_t *));
	for (size_t k = 0; k < n; k++)
		v[k] = json_incref(json_array_get(years, k));
	qsort(v, n, sizeof(json_t *), newest_first);
	json_array_clear(years);
	for (size_t k = 0; k < n; k++)
		json_array_append_new(years, v[k]);
	free(v);
	return years;
}

/* The value a parameter starts with: given (a row or another screen),
 * else the catalogue's default, else the current organisation for an
 * organisation. */
static const char *start_value(struct rs *r, json_t *p, json_t *given)
{
	const char *v = jstr(given, jstr(p, "key"));
	if (v[0])
		return v;
	v = jstr(p, "default");
	if (v[0])
		return v;
	if (strcmp(jstr(p, "key"), "organisation") == 0)
		return app_org_code(r->s->app);
	return "";
}

/* The drop-down of choice field k: the parameter's choices of year (all
 * when year is "" or a choice has none), after "(none)" when optional;
 * the choice made stays when it is still offered. */
static void choice_options(struct rs *r, size_t k, const char *year)
{
	json_t *p = r->pkeys[k];
	json_t *choices = json_object_get(p, "choices");
	bool required = json_is_true(json_object_get(p, "required"));
	char *was = r->form.n > k ? form_get(&r->form, k) : NULL;
	size_t c, at = 0;
	json_t *ch;
	free(r->opts[k]);
	r->opts[k] = xcalloc(json_array_size(choices) + 1, sizeof(char *));
	if (!required)
		r->opts[k][at++] = "(none)";
	json_array_foreach(choices, c, ch) {
		const char *y = jstr(ch, "year");
		if (!year[0] || !y[0] || strcmp(y, year) == 0)
			r->opts[k][at++] = shown(r, k, c);
	}
	form_set_options(&r->form, k, r->opts[k], at);
	if (was)
		form_set(&r->form, k, was);
	free(was);
}

/* The year chosen in the form ("" without a year field). */
static char *form_year(struct rs *r)
{
	for (size_t k = 0; k < r->nparams; k++)
		if (strcmp(jstr(r->pkeys[k], "type"), "year") == 0)
			return form_get(&r->form, k);
	return xstrdup("");
}

/* A year chosen: the service drop-downs offer that year's services. */
static void year_changed(struct rs *r)
{
	char *year = form_year(r);
	for (size_t k = 0; k < r->nparams; k++)
		if (strcmp(jstr(r->pkeys[k], "type"), "service") == 0 &&
		    json_array_size(json_object_get(r->pkeys[k], "choices")))
			choice_options(r, k, year);
	free(year);
}

static void open_form(struct rs *r, json_t *rep, json_t *given)
{
	form_clear(r);
	form_init(&r->form);
	r->frep = json_incref(rep);
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(rep, "params"), i, p) {
		if (r->nparams == MAX_PARAMS)
			break;
		size_t k = r->nparams++;
		r->pkeys[k] = p;
		const char *type = jstr(p, "type");
		json_t *choices = json_object_get(p, "choices");
		bool required = json_is_true(json_object_get(p, "required"));
		r->labels[k] = xasprintf("%s%s", jstr(p, "label"), required ? "" : " (optional)");
		const char *v = start_value(r, p, given);
		if (!json_array_size(choices) && strcmp(type, "year") == 0) {
			json_decref(r->years);
			r->years = year_choices(r, rep);
			size_t n = json_array_size(r->years), c;
			json_t *y;
			r->opts[k] = xcalloc(n ? n : 1, sizeof(char *));
			json_array_foreach(r->years, c, y)
				r->opts[k][c] = json_string_value(y);
			form_add(&r->form, r->labels[k], F_CHOICE, 16);
			form_set_options(&r->form, k, r->opts[k], n);
			form_set(&r->form, k, v);
		} else if (json_array_size(choices)) {
			size_t c;
			json_t *ch;
			form_add(&r->form, r->labels[k], F_CHOICE, 80);
			choice_options(r, k, "");
			json_array_foreach(choices, c, ch)
				if (strcmp(jstr(ch, "value"), v) == 0)
					form_set(&r->form, k, shown(r, k, c));
		} else if (strcmp(type, "date") == 0) {
			form_add(&r->form, r->labels[k], F_DATE, 10);
			char d[11] = "";
			if (date_valid(v))
				date_display(v, d);
			form_set(&r->form, k, d);
		} else {
			form_add(&r->form, r->labels[k], F_TEXT, 64);
			form_set(&r->form, k, v);
		}
	}
	year_changed(r);
	r->stage = ST_FORM;
	app_message(r->s->app, MSG_INFO, "%s: F5 or r runs it; Esc goes back.", jstr(rep, "title"));
	app_dirty(r->s->app);
}

/* The form's values as parameters, or NULL (the field says why). */
static json_t *form_params(struct rs *r)
{
	if (!form_validate(&r->form))
		return NULL;
	json_t *params = json_object();
	for (size_t k = 0; k < r->nparams; k++) {
		json_t *p = r->pkeys[k];
		char *text = form_get(&r->form, k);
		const char *value = text;
		char iso[16] = "";
		json_t *choices = json_object_get(p, "choices");
		if (json_array_size(choices)) {
			size_t c;
			json_t *ch;
			value = "";
			json_array_foreach(choices, c, ch)
				if (strcmp(shown(r, k, c), text) == 0)
					value = jstr(ch, "value");
		} else if (strcmp(jstr(p, "type"), "date") == 0 && text[0]) {
			int64_t ymd;
			char why[96];
			if (value_check(VK_DATE, NULL, text, &ymd, why, sizeof why) && ymd > 0)
				snprintf(iso, sizeof iso, "%04u-%02u-%02u", (unsigned)(ymd / 10000 % 10000),
					 (unsigned)(ymd / 100 % 100), (unsigned)(ymd % 100));
			value = iso;
		}
		if (!value[0] && json_is_true(json_object_get(p, "required"))) {
			form_set_error(&r->form, k, "needed");
			r->form.focus = k;
			free(text);
			json_decref(params);
			return NULL;
		}
		if (value[0])
			json_object_set_new(params, jstr(p, "key"), json_string(value));
		free(text);
	}
	return params;
}

static void run_form(struct rs *r)
{
	json_t *params = form_params(r);
	if (!params) {
		app_message(r->s->app, MSG_ERROR, "Not run: a parameter needs a value (see the form).");
		return;
	}
	open_report(r, r->frep, params);
}

static void on_choice(void *ud, int result, const char *text)
{
	struct rs *r = ud;
	if (result >= 0)
		form_set(&r->form, r->form.focus, r->form.f[r->form.focus].options[result]);
	if (result >= 0 && strcmp(jstr(r->pkeys[r->form.focus], "type"), "year") == 0)
		year_changed(r);
	app_dirty(r->s->app);
}

static void draw_form(struct rs *r, WINDOW *w, int h, int width)
{
	tui_put(w, 0, 0, width, jstr(r->frep, "title"), ST_HEADING, true);
	struct ac_lines lines = {0};
	ac_add_wrapped(&lines, "", jstr(r->frep, "purpose"), width);
	for (size_t i = 0; i < 2; i++)
		tui_put(w, 1 + (int)i, 0, width, i < lines.n ? lines.v[i] : "", ST_DIM, true);
	ac_lines_free(&lines);
	form_draw(&r->form, w, 4, 0, width > 70 ? 40 : width - 30);
	int y = 4 + 2 * (int)r->nparams;
	if (y < h)
		tui_put(w, y, 0, width,
			"F5 or r: Run    Tab: next field    Space: choose    Esc: back", ST_DIM, true);
	r->s->show_cursor = r->form.f && r->form.f[r->form.focus].kind != F_CHOICE;
	r->s->cur_y = r->form.cur_y;
	r->s->cur_x = r->form.cur_x;
}

static enum wres form_key(struct rs *r, enum action a, int key)
{
	if (a == ACT_BACK) {
		r->stage = r->nruns ? ST_RESULT : ST_LIST;
		app_message(r->s->app, MSG_INFO, "%s", "");
		return W_HANDLED;
	}
	if (a == ACT_REFRESH && (key < 32 || key >= KC_CURSES)) {
		run_form(r);
		return W_HANDLED;
	}
	enum wres res = form_action(&r->form, a, key);
	if (res == W_OPEN) {
		struct field *f = &r->form.f[r->form.focus];
		app_popup(r->s->app, popup_choice(r->labels[r->form.focus], f->options, f->noptions,
						  f->choice, on_choice, r));
		return W_HANDLED;
	}
	if (res == W_SUBMIT) {
		r->form.focus = (r->form.focus + 1) % (r->nparams ? r->nparams : 1);
		return W_HANDLED;
	}
	if (res == W_IGNORED && a == ACT_REFRESH) {
		run_form(r);
		return W_HANDLED;
	}
	return res == W_IGNORED ? W_HANDLED : res;
}

/* ------------------------------------------------------------ catalogue list */

static void cat_open(struct ls *l, json_t *row)
{
	struct rs *r = ls_embed_ud(l);
	/* a new report from the list starts afresh */
	while (r->nruns)
		run_free(&r->runs[--r->nruns]);
	open_form(r, row, NULL);
}

static bool keep_tab(struct ls *l, json_t *row)
{
	struct rs *r = ls_embed_ud(l);
	return strcmp(jstr(row, "tab"), r->tab->tab) == 0;
}

static struct api_call cat_source(struct ls *l)
{
	return call_reports();
}

/* Once the catalogue is in, a report another screen asked for opens. */
static void cat_head(struct ls *l, WINDOW *w, int width)
{
	struct rs *r = ls_embed_ud(l);
	tui_put(w, 0, 0, width, r->tab->heading, ST_HEADING, true);
	if (r->want && ls_answer(l)) {
		json_t *rep = find_report(r, r->want);
		xfree(&r->want);
		if (rep) {
			open_form(r, rep, r->want_params);
			json_t *params = form_params(r);
			if (params)
				open_report(r, rep, params);
		} else {
			app_message(r->s->app, MSG_ERROR, "That report is not available to your roles.");
		}
		json_decref(r->want_params);
		r->want_params = NULL;
		app_dirty(r->s->app);
	}
}

/* Under the list: the whole purpose of the report under the cursor. */
static void cat_foot(struct ls *l, WINDOW *w, int y, int width)
{
	struct ac_lines lines = {0};
	json_t *row = ls_cursor(l);
	if (row)
		ac_add_wrapped(&lines, "", jstr(row, "purpose"), width);
	for (int i = 0; i < 2; i++)
		tui_put(w, y + i, 0, width, (size_t)i < lines.n ? lines.v[i] : "", ST_DIM, true);
	ac_lines_free(&lines);
}

static const struct ls_column cat_columns[] = {
	{.title = "Report", .key = "title", .width = 34, .gap = 1},
	{.title = "What it shows", .key = "purpose", .width = 0},
};

static const struct ls_decl cat_decl = {
	.source = cat_source,
	.rows = "reports",
	.what = "Loading the reports",
	.error = "The reports could not be loaded",
	.columns = cat_columns,
	.ncolumns = ARRAY_SIZE(cat_columns),
	.search = "{title} {purpose}",
	.empty = "There are no reports here for your roles at {org}.",
	.empty_hint = "Switch organisation (F2) if you hold other roles elsewhere.",
	.context = CTX_LIST,
	.head_rows = 2,
	.head = cat_head,
	.foot = cat_foot,
	.foot_rows = 2,
	.open = cat_open,
	.keep = keep_tab,
	.export_name = "reports",
};

/* ------------------------------------------------------------ ops */

static void rs_init(struct screen *s)
{
	struct rs *r = s->priv;
	r->s = s;
	r->tab = s->def->arg;
	r->cat = ls_embed(s, &cat_decl, r);
	form_init(&r->form);
}

static void rs_done(struct screen *s)
{
	struct rs *r = s->priv;
	while (r->nruns)
		run_free(&r->runs[--r->nruns]);
	form_clear(r);
	ls_embed_free(&r->cat);
	xfree(&r->want);
	json_decref(r->want_params);
}

static struct screen *active(struct rs *r)
{
	return r->stage == ST_RESULT && top(r) ? top(r)->child : r->cat;
}

static void rs_open(struct screen *s)
{
	struct rs *r = s->priv;
	if (r->stage == ST_FORM) {
		/* Refresh on the form is Run (rs_action); a reload keeps it */
		listscreen_ops.open(r->cat);
		return;
	}
	if (r->stage == ST_RESULT)
		listscreen_ops.open(active(r));
	else
		listscreen_ops.open(r->cat);
}

static void rs_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct rs *r = s->priv;
	s->show_cursor = false;
	if (r->stage == ST_FORM) {
		draw_form(r, w, h, width);
		return;
	}
	listscreen_ops.draw(active(r), w, h, width);
}

static enum wres rs_action(struct screen *s, enum action a, int key)
{
	struct rs *r = s->priv;
	if (r->stage == ST_FORM)
		return form_key(r, a, key);
	struct rrun *u = top(r);
	if (r->stage == ST_RESULT && u && a == ACT_REFRESH) {
		listscreen_ops.open(u->child);
		app_message(s->app, MSG_INFO, "Running %s again...", jstr(u->rep, "title"));
		return W_HANDLED;
	}
	enum wres res = listscreen_ops.action(active(r), a, key);
	if (res != W_IGNORED || a != ACT_BACK || r->stage != ST_RESULT || !u)
		return res;
	/* Esc on a result: the report it was opened from, else the form */
	if (r->nruns > 1) {
		run_free(&r->runs[--r->nruns]);
	} else {
		json_t *rep = json_incref(u->rep), *params = json_incref(u->params);
		run_free(&r->runs[--r->nruns]);
		open_form(r, rep, params);
		json_decref(rep);
		json_decref(params);
	}
	app_message(s->app, MSG_INFO, "%s", "");
	return W_HANDLED;
}

static enum context rs_context(struct screen *s)
{
	struct rs *r = s->priv;
	return r->stage == ST_FORM ? CTX_FORM : listscreen_ops.context(active(r));
}

static bool rs_offers(struct screen *s, enum action a)
{
	struct rs *r = s->priv;
	if (r->stage == ST_FORM)
		return a != ACT_EXPORT && a != ACT_SORT && a != ACT_FILTER;
	return listscreen_ops.offers(active(r), a);
}

static bool rs_subject(struct screen *s, const char *type, long id)
{
	struct rs *r = s->priv;
	if (strcmp(type, "report") != 0 || !req_name)
		return false;
	while (r->nruns)
		run_free(&r->runs[--r->nruns]);
	form_clear(r);
	r->stage = ST_LIST;
	free(r->want);
	json_decref(r->want_params);
	r->want = req_name;
	r->want_params = req_params;
	req_name = NULL;
	req_params = NULL;
	listscreen_ops.open(r->cat);
	return true;
}

const struct screen_ops reports_ops = {
	.priv_size = sizeof(struct rs),
	.init = rs_init,
	.open = rs_open,
	.draw = rs_draw,
	.action = rs_action,
	.context = rs_context,
	.done = rs_done,
	.offers = rs_offers,
	.subject = rs_subject,
};
