/* views.c: the browse screen (see views.h): a stack of panes, each a list
 * of rows from one API call, or a service's structure as a tree. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/screens.h"
#include "screens/views.h"
#include "tui/tree.h"
#include "tui/tui.h"
#include "util.h"

#define MAX_PANES 4

enum colfmt {
	C_TEXT,
	C_DATE,
	C_NUM,
	C_END_DATE,  /* a date, or "current" when null */
};

struct col {
	const char *head;
	const char *key;
	const char *sub;    /* key inside an object value, or NULL */
	int width;          /* 0: what is left */
	enum colfmt fmt;
};

static const struct col service_cols[] = {
	{"Code", "code", NULL, 9, C_TEXT},
	{"Quality service", "display_name", NULL, 0, C_TEXT},
	{"Level", "level", NULL, 9, C_TEXT},
};

static const struct col offer_cols[] = {
	{"Code", "code", NULL, 9, C_TEXT},
	{"Quality service", "display_name", NULL, 0, C_TEXT},
	{"Status", "offer", "status", 10, C_TEXT},
};

static const struct col org_cols[] = {
	{"Code", "code", NULL, 8, C_TEXT},
	{"Name", "name", NULL, 0, C_TEXT},
	{"Kind", "kind", NULL, 9, C_TEXT},
	{"Parent", "parent", NULL, 7, C_TEXT},
	{"List size", "list_size", NULL, 9, C_NUM},
};

static const struct col member_cols[] = {
	{"PCN", "pcn", NULL, 7, C_TEXT},
	{"Practice", "practice", NULL, 9, C_TEXT},
	{"Name", "name", NULL, 0, C_TEXT},
	{"From", "start_date", NULL, 11, C_DATE},
	{"To", "end_date", NULL, 11, C_END_DATE},
};

struct pane {
	enum pane_kind kind;
	char *title;        /* owned */
	char *org;          /* organisation code for org panes; owned */
	long service_id;
	char *want;         /* path (the key) of the call this pane waits for; owned */
	json_t *rows;       /* array of row objects; owned reference */
	size_t *idx;        /* rows passing the filters; owned */
	size_t n;
	char **text;        /* search text per shown row; owned */
	struct list list;
	struct tree tree;
	bool loading;
	char *error;        /* owned */
	char *q;            /* organisation search; owned */
	long total;
	const struct col *cols;
	size_t ncols;
};

struct browse {
	const struct browse_def *def;
	const struct browse_root *root;
	struct pane panes[MAX_PANES];
	int depth;          /* index of the top pane */
	char year[8];       /* "" = all years */
	bool year_chosen;
	struct screen *s;
};

static struct pane *top(struct browse *b)
{
	return &b->panes[b->depth];
}

/* ------------------------------------------------------------- rows */

static const char *cell_text(json_t *row, const struct col *c, char *tmp, size_t tmplen)
{
	json_t *v = json_object_get(row, c->key);
	if (c->sub)
		v = json_object_get(v, c->sub);
	if (json_is_object(v))
		v = json_object_get(v, "code");
	if (json_is_null(v) || !v)
		return c->fmt == C_END_DATE ? "current" : "";
	if (json_is_integer(v)) {
		snprintf(tmp, tmplen, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	const char *s = json_string_value(v);
	if (!s)
		return "";
	if ((c->fmt == C_DATE || c->fmt == C_END_DATE) && date_valid(s)) {
		date_display(s, tmp);
		return tmp;
	}
	return s;
}

static int col_width(const struct pane *p, size_t i, int width)
{
	if (p->cols[i].width)
		return p->cols[i].width;
	int fixed = 0;
	for (size_t k = 0; k < p->ncols; k++)
		fixed += p->cols[k].width + 1;
	int w = width - fixed;
	return w > 8 ? w : 8;
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct pane *p = ud;
	json_t *r = json_array_get(p->rows, p->idx[row]);
	int cx = x;
	for (size_t i = 0; i < p->ncols && cx < x + width; i++) {
		char tmp[32];
		int cw = col_width(p, i, width);
		if (cx + cw > x + width)
			cw = x + width - cx;
		const char *t = cell_text(r, &p->cols[i], tmp, sizeof(tmp));
		enum style st = ST_NORMAL;
		if (p->cols[i].fmt == C_NUM) {
			int tw = tui_width(t);
			tui_clear(w, y, cx, cw > tw ? cw - tw : 0);
			tui_put(w, y, cx + (cw > tw ? cw - tw : 0), cw, t, st, true);
		} else {
			tui_put(w, y, cx, cw, t, st, true);
		}
		cx += cw;
		if (cx < x + width)
			cx += tui_put(w, y, cx, 1, " ", ST_NORMAL, true);
	}
	if (cx < x + width)
		tui_clear(w, y, cx, x + width - cx);
}

static const char *row_text(void *ud, size_t row)
{
	struct pane *p = ud;
	return p->text[row];
}

static void pane_clear(struct pane *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->text[i]);
	xfree(&p->text);
	xfree(&p->idx);
	p->n = 0;
	json_decref(p->rows);
	p->rows = NULL;
	tree_free(&p->tree);
	tree_init(&p->tree);
	list_set_count(&p->list, 0);
	xfree(&p->error);
}

static void pane_free(struct pane *p)
{
	pane_clear(p);
	tree_free(&p->tree);
	list_free(&p->list);
	xfree(&p->title);
	xfree(&p->org);
	xfree(&p->want);
	xfree(&p->q);
	memset(p, 0, sizeof(*p));
}

static bool row_passes(struct browse *b, struct pane *p, json_t *row)
{
	if (p->kind == PANE_CATALOGUE || p->kind == PANE_ORG_SERVICES) {
		const char *fy = json_string_value(json_object_get(row, "financial_year"));
		if (b->year[0] && (!fy || strcmp(fy, b->year) != 0))
			return false;
	}
	if (p->kind == PANE_ORG_SERVICES && b->def->status) {
		const char *st = json_string_value(
			json_object_get(json_object_get(row, "offer"), "status"));
		if (!st || strcmp(st, b->def->status) != 0)
			return false;
	}
	return true;
}

/* Recomputes the shown rows after new data or a filter change. */
static void pane_filter(struct browse *b, struct pane *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->text[i]);
	free(p->text);
	free(p->idx);
	size_t total = json_array_size(p->rows);
	p->idx = xmalloc((total ? total : 1) * sizeof(size_t));
	p->text = xmalloc((total ? total : 1) * sizeof(char *));
	p->n = 0;
	for (size_t i = 0; i < total; i++) {
		json_t *row = json_array_get(p->rows, i);
		if (!row_passes(b, p, row))
			continue;
		struct buf t;
		buf_init(&t);
		for (size_t c = 0; c < p->ncols; c++) {
			char tmp[32];
			buf_puts(&t, cell_text(row, &p->cols[c], tmp, sizeof(tmp)));
			buf_putc(&t, ' ');
		}
		p->text[p->n] = buf_steal(&t);
		p->idx[p->n++] = i;
	}
	list_set_count(&p->list, p->n);
	/* a search typed while the rows were loading applies to them now */
	if (p->list.search[0] && p->list.cur == 0)
		list_search_first(&p->list);
}

/* The financial years in the rows, newest first. Returns the count. */
static size_t years_of(json_t *rows, char years[][8], size_t max)
{
	size_t n = 0, i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		const char *fy = json_string_value(json_object_get(row, "financial_year"));
		if (!fy || strlen(fy) != 7)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n; k++)
			seen |= strcmp(years[k], fy) == 0;
		if (seen || n == max)
			continue;
		strcpy(years[n++], fy);
	}
	/* newest first */
	for (size_t a = 0; a < n; a++)
		for (size_t c = a + 1; c < n; c++)
			if (strcmp(years[c], years[a]) > 0) {
				char t[8];
				strcpy(t, years[a]);
				strcpy(years[a], years[c]);
				strcpy(years[c], t);
			}
	return n;
}

/* The year shown first: this financial year if there are services in it,
 * else the newest year before it, else the newest. */
static void default_year(struct browse *b, json_t *rows)
{
	char years[16][8], today[11], fy[8];
	size_t n = years_of(rows, years, 16);
	date_today(today);
	date_financial_year(today, fy);
	b->year[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (strcmp(years[i], fy) <= 0) {
			strcpy(b->year, years[i]);
			return;
		}
	}
	if (n)
		strcpy(b->year, years[0]);
}

/* --------------------------------------------------------- services */

static void add_indicators(struct tree *t, json_t *group, int depth)
{
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(group, "indicators"), i, ind) {
		const char *code = json_string_value(json_object_get(ind, "code"));
		const char *desc = json_string_value(json_object_get(ind, "description"));
		const char *kind = json_string_value(json_object_get(ind, "kind"));
		json_t *pts = json_object_get(ind, "points");
		json_t *lo = json_object_get(ind, "lower_threshold");
		json_t *hi = json_object_get(ind, "upper_threshold");
		struct buf s;
		buf_init(&s);
		buf_printf(&s, "%s  %s  (%s", code ? code : "?", desc ? desc : "", kind ? kind : "?");
		if (json_is_integer(pts))
			buf_printf(&s, ", %lld points", (long long)json_integer_value(pts));
		if (json_is_integer(lo) && json_is_integer(hi))
			buf_printf(&s, ", thresholds %lld-%lld%%", (long long)json_integer_value(lo),
				   (long long)json_integer_value(hi));
		if (json_is_true(json_object_get(ind, "pcn_entered")))
			buf_puts(&s, ", entered by the PCN");
		buf_puts(&s, ")");
		tree_add(t, depth, s.data, ST_NORMAL, 0);
		buf_free(&s);
	}
}

static void add_groups(struct tree *t, json_t *parent, int depth)
{
	size_t i;
	json_t *g, *sd;
	json_array_foreach(json_object_get(parent, "subdomains"), i, sd) {
		const char *name = json_string_value(json_object_get(sd, "name"));
		tree_add(t, depth, name ? name : "(sub-domain)", ST_LABEL, 0);
		add_groups(t, sd, depth + 1);
	}
	json_array_foreach(json_object_get(parent, "groups"), i, g) {
		const char *code = json_string_value(json_object_get(g, "code"));
		const char *name = json_string_value(json_object_get(g, "name"));
		const char *kind = json_string_value(json_object_get(g, "kind"));
		size_t ni = json_array_size(json_object_get(g, "indicators"));
		char *s = xasprintf("%s  %s  (%s group, %zu indicator%s)", code ? code : "?",
				    name ? name : "", kind && strcmp(kind, "mi") == 0
				    ? "Management Information" : "Payment", ni, ni == 1 ? "" : "s");
		tree_add(t, depth, s, ST_NORMAL, 0);
		free(s);
		add_indicators(t, g, depth + 1);
	}
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Copies s in lower case ("ANNUAL" reads better as "annual"). */
static void lower(char *out, size_t size, const char *s)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
	out[i] = '\0';
}

static void build_service_tree(struct pane *p, json_t *svc)
{
	struct tree *t = &p->tree;
	char d1[11], d2[11];
	date_display(str(svc, "start_date"), d1);
	date_display(str(svc, "end_date"), d2);
	char freq[32], level[32], entry[32];
	lower(freq, sizeof(freq), str(svc, "frequency"));
	lower(level, sizeof(level), str(svc, "level"));
	lower(entry, sizeof(entry), str(svc, "entry"));
	char *s = xasprintf("%s; %s; %s level; %s entry; %s to %s; payment period %s",
			    str(svc, "payment_type_name"), freq, level, entry, d1, d2,
			    str(svc, "payment_period")[0] ? str(svc, "payment_period") : "N/A");
	tree_add(t, 0, s, ST_NORMAL, 0);
	free(s);
	json_t *ppp = json_object_get(svc, "pence_per_point");
	if (json_is_integer(ppp)) {
		char m[32];
		money_format(json_integer_value(ppp), m, sizeof(m));
		s = xasprintf("Pounds per point: %s", m);
		tree_add(t, 0, s, ST_NORMAL, 0);
		free(s);
	}
	json_t *dates = json_object_get(svc, "achievement_dates");
	if (json_array_size(dates)) {
		tree_add(t, 0, "Achievement dates (* = payment date)", ST_LABEL, 0);
		size_t i;
		json_t *d;
		json_array_foreach(dates, i, d) {
			char dd[11];
			bool pay = json_is_true(json_object_get(d, "payment"));
			date_display(str(d, "date"), dd);
			s = xasprintf("%s %s", pay ? "*" : " ", dd);
			tree_add(t, 1, s, pay ? ST_PAYMENT : ST_NORMAL, 0);
			free(s);
		}
	}
	json_t *decl = json_object_get(svc, "declaration");
	if (json_is_object(decl)) {
		s = xasprintf("Declaration: %s; approval %s",
			      json_is_true(json_object_get(decl, "required")) ? "required" :
			      "No Declaration Required",
			      json_is_true(json_object_get(decl, "approval_required")) ? "required" :
			      "No Approval Required");
		tree_add(t, 0, s, ST_LABEL, 0);
		free(s);
		size_t i;
		json_t *st;
		json_array_foreach(json_object_get(decl, "statements"), i, st)
			if (json_is_string(st))
				tree_add(t, 1, json_string_value(st), ST_NORMAL, 0);
	}
	size_t i;
	json_t *dom;
	json_array_foreach(json_object_get(svc, "domains"), i, dom) {
		s = xasprintf("Domain: %s", str(dom, "name"));
		tree_add(t, 0, s, ST_HEADING, TREE_OPEN);
		free(s);
		add_groups(t, dom, 1);
	}
	tree_done(t, 0);
}

/* ------------------------------------------------------------ loading */

static void on_loaded(struct screen *s, const struct api_response *r);

static void pane_load(struct browse *b, struct pane *p)
{
	struct api_call call;
	switch (p->kind) {
	case PANE_CATALOGUE:
		call = call_services();
		break;
	case PANE_ORG_SERVICES:
		call = call_org_services(p->org, NULL);
		break;
	case PANE_ORG_DETAIL:
		call = call_org(p->org);
		break;
	case PANE_SERVICE:
		call = call_service(p->service_id);
		break;
	case PANE_ORGS: {
		const char *kind = b->root && b->depth == 0 ? b->root->org_kind : NULL;
		call = call_orgs(&(struct orgs_q){ .kind = kind, .q = p->q, .limit = 500 });
		break;
	}
	case PANE_NONE:
	default:
		return;
	}
	free(p->want);
	p->want = xstrdup(call.path);
	p->loading = true;
	xfree(&p->error);
	app_call(b->s->app, b->s, call, on_loaded);
}

static void on_loaded(struct screen *s, const struct api_response *r)
{
	struct browse *b = s->priv;
	struct pane *p = NULL;
	for (int i = 0; i <= b->depth; i++)
		if (b->panes[i].want && strcmp(b->panes[i].want, r->path) == 0)
			p = &b->panes[i];
	if (!p)
		return; /* the pane was closed meanwhile */
	p->loading = false;
	app_dirty(s->app);
	if (r->outcome == API_CANCELLED) {
		p->error = xstrdup("Cancelled: press r (Refresh) to load it again.");
		return;
	}
	if (app_failed(s->app, r, "Loading")) {
		p->error = xasprintf("Could not load: %s", r->err_message[0] ? r->err_message
				     : "the server refused the request");
		return;
	}
	pane_clear(p);
	json_t *j = r->json;
	switch (p->kind) {
	case PANE_CATALOGUE:
	case PANE_ORG_SERVICES:
		p->rows = json_incref(json_object_get(j, "services"));
		if (!b->year_chosen) {
			default_year(b, p->rows);
			b->year_chosen = true;
		}
		break;
	case PANE_ORGS:
		p->rows = json_incref(json_object_get(j, "organisations"));
		p->total = (long)json_integer_value(json_object_get(j, "total"));
		break;
	case PANE_ORG_DETAIL: {
		p->rows = json_incref(json_object_get(j, "memberships"));
		free(p->title);
		p->title = xasprintf("%s %s (%s): PCN memberships, past and present",
				     str(j, "code"), str(j, "name"), str(j, "kind"));
		break;
	}
	case PANE_SERVICE:
		free(p->title);
		p->title = xstrdup(str(j, "display_name"));
		build_service_tree(p, j);
		return;
	case PANE_NONE:
		break;
	}
	if (!json_is_array(p->rows)) {
		json_decref(p->rows);
		p->rows = json_array();
		p->error = xstrdup("The server's answer did not have the expected list.");
	}
	pane_filter(b, p);
}

static void pane_setup(struct browse *b, struct pane *p, enum pane_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	list_init(&p->list, draw_row, row_text, p);
	tree_init(&p->tree);
	switch (kind) {
	case PANE_CATALOGUE:
		p->cols = service_cols;
		p->ncols = ARRAY_SIZE(service_cols);
		break;
	case PANE_ORG_SERVICES:
		p->cols = offer_cols;
		p->ncols = ARRAY_SIZE(offer_cols);
		break;
	case PANE_ORGS:
		p->cols = org_cols;
		p->ncols = ARRAY_SIZE(org_cols);
		break;
	case PANE_ORG_DETAIL:
		p->cols = member_cols;
		p->ncols = ARRAY_SIZE(member_cols);
		break;
	default:
		break;
	}
}

static void push(struct browse *b, enum pane_kind kind, const char *org, long service_id,
		 char *title /* stolen */)
{
	if (b->depth + 1 >= MAX_PANES) {
		/* replace the top instead of going deeper */
		pane_free(top(b));
		b->depth--;
	}
	b->depth++;
	struct pane *p = top(b);
	pane_setup(b, p, kind);
	p->org = org ? xstrdup(org) : NULL;
	p->service_id = service_id;
	p->title = title;
	pane_load(b, p);
	app_dirty(b->s->app);
}

/* ------------------------------------------------------------- ops */

static void browse_init(struct screen *s)
{
	struct browse *b = s->priv;
	b->def = s->def->arg;
	b->s = s;
	b->depth = -1;
}

static void browse_done(struct screen *s)
{
	struct browse *b = s->priv;
	for (int i = 0; i <= b->depth; i++)
		pane_free(&b->panes[i]);
	b->depth = -1;
	b->year_chosen = false;
}

static void browse_open(struct screen *s)
{
	struct browse *b = s->priv;
	if (b->depth >= 0) {
		/* refresh: reload what is on show */
		pane_load(b, top(b));
		return;
	}
	json_t *org = app_org(s->app);
	const char *kind = str(org, "kind");
	bool commissioner = !strcmp(kind, "ICB") || !strcmp(kind, "NHSE");
	b->root = commissioner && b->def->commissioner.kind ? &b->def->commissioner
							     : &b->def->provider;
	b->depth = 0;
	struct pane *p = top(b);
	pane_setup(b, p, b->root->kind);
	p->org = xstrdup(app_org_code(s->app));
	char *title = xstrdup(b->root->heading);
	p->title = title;
	if (b->def->taggable)
		list_set_taggable(&p->list, true);
	pane_load(b, p);
}

static enum context browse_context(struct screen *s)
{
	struct browse *b = s->priv;
	if (b->depth < 0)
		return CTX_LIST;
	return top(b)->kind == PANE_SERVICE ? CTX_TREE : CTX_LIST;
}

static void on_year(void *ud, int result, const char *text)
{
	struct browse *b = ud;
	if (result < 0)
		return;
	char years[16][8];
	struct pane *p = top(b);
	size_t n = years_of(p->rows, years, 16);
	if (result == 0)
		b->year[0] = '\0';
	else if ((size_t)result <= n)
		strcpy(b->year, years[result - 1]);
	for (int i = 0; i <= b->depth; i++)
		if (b->panes[i].rows && b->panes[i].kind != PANE_SERVICE)
			pane_filter(b, &b->panes[i]);
	app_message(b->s->app, MSG_INFO, "Financial year: %s", b->year[0] ? b->year : "all years");
	app_dirty(b->s->app);
}

static void on_search(void *ud, int result, const char *text)
{
	struct browse *b = ud;
	if (result < 0)
		return;
	struct pane *p = top(b);
	xfree(&p->q);
	if (text && *text)
		p->q = xstrdup(text);
	pane_load(b, p);
	app_dirty(b->s->app);
}

static void choose_filter(struct browse *b)
{
	struct pane *p = top(b);
	if (p->kind == PANE_CATALOGUE || p->kind == PANE_ORG_SERVICES) {
		char years[16][8];
		size_t n = years_of(p->rows, years, 16);
		const char *items[17];
		size_t cur = 0;
		items[0] = "All years";
		for (size_t i = 0; i < n; i++) {
			items[i + 1] = years[i];
			if (!strcmp(years[i], b->year))
				cur = i + 1;
		}
		app_popup(b->s->app, popup_choice("Financial year", items, n + 1, cur, on_year, b));
	} else if (p->kind == PANE_ORGS) {
		app_popup(b->s->app, popup_prompt("Search organisations on the server",
						  "Code or name", p->q, on_search, b));
	} else {
		app_message(b->s->app, MSG_INFO, "There is nothing to filter here.");
	}
}

static void open_row(struct browse *b)
{
	struct pane *p = top(b);
	if (!p->n)
		return;
	json_t *row = json_array_get(p->rows, p->idx[p->list.cur]);
	switch (p->kind) {
	case PANE_CATALOGUE:
	case PANE_ORG_SERVICES:
		push(b, PANE_SERVICE, NULL, (long)json_integer_value(json_object_get(row, "id")),
		     xstrdup(str(row, "display_name")));
		break;
	case PANE_ORGS: {
		enum pane_kind k = b->root->open_org ? b->root->open_org : PANE_ORG_DETAIL;
		char *title = k == PANE_ORG_SERVICES
			? xasprintf("Services offered to %s %s", str(row, "code"), str(row, "name"))
			: xasprintf("%s %s", str(row, "code"), str(row, "name"));
		push(b, k, str(row, "code"), 0, title);
		break;
	}
	case PANE_ORG_DETAIL: {
		/* from a PCN to a practice and back */
		const char *other = strcmp(str(row, "pcn"), p->org) == 0 ? str(row, "practice")
									   : str(row, "pcn");
		push(b, PANE_ORG_DETAIL, other, 0, xstrdup(other));
		break;
	}
	default:
		break;
	}
}

static enum wres browse_action(struct screen *s, enum action a, int key)
{
	struct browse *b = s->priv;
	if (b->depth < 0)
		return W_IGNORED;
	struct pane *p = top(b);
	bool searching = p->kind == PANE_SERVICE ? p->tree.list.searching : p->list.searching;
	if (!searching) {
		if (a == ACT_BACK && b->depth > 0) {
			pane_free(p);
			b->depth--;
			app_message(s->app, MSG_INFO, "%s", "");
			return W_HANDLED;
		}
		if (a == ACT_FILTER) {
			choose_filter(b);
			return W_HANDLED;
		}
	}
	enum wres r = p->kind == PANE_SERVICE ? tree_action(&p->tree, a, key)
					      : list_action(&p->list, a, key);
	if (r == W_OPEN) {
		open_row(b);
		return W_HANDLED;
	}
	if (r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL)) {
		app_message(s->app, MSG_INFO, "Nothing to tick on this screen.");
		return W_HANDLED;
	}
	return r;
}

static void wrap_lines(WINDOW *w, int *y, int maxy, int width, const char *text, enum style st)
{
	/* greedy word wrap on spaces */
	const char *p = text;
	while (*p && *y < maxy) {
		int len = (int)strlen(p);
		int cut = len;
		if (tui_width(p) > width) {
			cut = 0;
			for (int i = 0; i < len; i++) {
				if (p[i] == ' ') {
					char *pre = xstrndup(p, (size_t)i);
					int pw = tui_width(pre);
					free(pre);
					if (pw > width)
						break;
					cut = i;
				}
			}
			if (cut == 0)
				cut = width;
		}
		char *line = xstrndup(p, (size_t)cut);
		tui_put(w, (*y)++, 0, width, line, st, true);
		free(line);
		p += cut;
		while (*p == ' ')
			p++;
	}
}

static void browse_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct browse *b = s->priv;
	if (b->depth < 0)
		return;
	struct pane *p = top(b);
	int y = 0;
	/* heading, with the filter on the right */
	char right[64] = "";
	if ((p->kind == PANE_CATALOGUE || p->kind == PANE_ORG_SERVICES) && b->year_chosen)
		snprintf(right, sizeof(right), "Year: %s", b->year[0] ? b->year : "all");
	else if (p->kind == PANE_ORGS && p->q)
		snprintf(right, sizeof(right), "Search: %s", p->q);
	int rw = tui_width(right);
	tui_put(w, y, 0, width - rw - 1, p->title ? p->title : "", ST_HEADING, true);
	tui_put(w, y, width - rw - 1, rw + 1, right, ST_LABEL, true);
	y++;
	if (b->depth == 0 && b->def->coming) {
		char *c = xasprintf("Coming: %s", b->def->coming);
		wrap_lines(w, &y, 4, width, c, ST_DIM);
		free(c);
	} else if (b->depth > 0) {
		tui_put(w, y++, 0, width, "Esc goes back.", ST_DIM, true);
	}
	while (y < 4)
		tui_clear(w, y++, 0, width);
	if (p->loading && !p->rows && !p->tree.n) {
		tui_put(w, y++, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
		return;
	}
	if (p->error) {
		tui_put(w, y++, 0, width, p->error, ST_ERROR, true);
		return;
	}
	if (p->kind == PANE_SERVICE) {
		tree_draw(&p->tree, w, y, 0, h - y, width);
		return;
	}
	/* column heads, indented like the rows */
	int x = 2 + (p->list.taggable ? 4 : 0);
	tui_clear(w, y, 0, x);
	int rowsw = width - x;
	int cx = x;
	for (size_t i = 0; i < p->ncols && cx < width; i++) {
		int cw = col_width(p, i, rowsw);
		if (cx + cw > width)
			cw = width - cx;
		tui_put(w, y, cx, cw, p->cols[i].head, ST_COLHEAD, true);
		cx += cw;
		if (cx < width)
			cx += tui_put(w, y, cx, 1, " ", ST_NORMAL, true);
	}
	if (cx < width)
		tui_clear(w, y, cx, width - cx);
	y++;
	if (!p->n) {
		const char *empty;
		if (p->kind == PANE_ORG_DETAIL)
			empty = "No PCN memberships are recorded for this organisation.";
		else if (p->kind == PANE_ORGS)
			empty = p->q ? "No organisation in your scope matches the search."
				     : "There are no organisations in your scope.";
		else if (b->year[0])
			empty = p->kind == PANE_ORG_SERVICES && b->def->status
				? "No services in this status for this financial year (f changes the year)."
				: "No services for this financial year (f changes the year).";
		else
			empty = "No services.";
		tui_put(w, y++, 0, width, empty, ST_INFO, true);
		return;
	}
	if (p->kind == PANE_ORGS && p->total > (long)p->n)
		tui_printf(w, h - 1, 0, width, ST_DIM, true,
			   "Showing %zu of %ld: f searches the server", p->n, p->total);
	list_draw(&p->list, w, y, 0, h - y - (p->kind == PANE_ORGS && p->total > (long)p->n),
		  width);
}

static bool browse_offers(struct screen *s, enum action a)
{
	struct browse *b = s->priv;
	if (b->depth < 0)
		return a != ACT_TAG_ALL && a != ACT_FILTER;
	struct pane *p = top(b);
	if (a == ACT_TAG_ALL || a == ACT_TOGGLE_TAG)
		return p->list.taggable && p->kind != PANE_SERVICE;
	if (a == ACT_FILTER)
		return p->kind == PANE_CATALOGUE || p->kind == PANE_ORG_SERVICES ||
		       p->kind == PANE_ORGS;
	return true;
}

const struct screen_ops browse_ops = {
	.offers = browse_offers,
	.priv_size = sizeof(struct browse),
	.init = browse_init,
	.open = browse_open,
	.draw = browse_draw,
	.action = browse_action,
	.context = browse_context,
	.done = browse_done,
};
