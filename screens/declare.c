/* declare.c: Achievement > Declare (Declaration Management at a practice
 * or PCN): the achievements of payment dates awaiting declaration (GET
 * /declarations?status=AWAITING_PROVIDER&organisation=CODE; f shows every
 * declaration instead), a checkbox each, the provisional payment, and the
 * Payment Declaration History of the declaration under the cursor (GET
 * /declarations/{id}: each status and who moved it). Declare Achievement
 * (d) goes through each ticked declaration's checklist: the statements
 * (and indicators, when the service asks for them) ticked with Space, a
 * Notes field (e), refused until every item is ticked, then confirmed
 * (y/n, Esc aborts) and sent (POST /declarations/{id}/declare). An
 * achievement waiting for recalculation or network figures shows the
 * server's reason and cannot be declared. Run Achievement Summary Report
 * (s, F12) opens Reports > Pre-defined with the declaration's parameters. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

enum mode {
	M_LIST,
	M_CHECK,
};

struct decl {
	struct screen *s;
	bool all;               /* every declaration, not only those awaiting */
	json_t *rows;           /* GET /declarations; owned */
	struct list list;
	bool loading;
	char *error;            /* owned */
	json_t *detail;         /* the cursor row's declaration; owned */
	long long want_detail;
	long long focus_id;     /* put the cursor here once loaded */
	/* declaring */
	enum mode mode;
	json_t *check;          /* the declaration being declared; owned */
	struct list clist;      /* its checklist, taggable */
	char *notes;            /* owned */
	long long *queue;       /* ids to declare in turn; owned */
	size_t nqueue, qpos;
	struct ac_lines report; /* what happened, row by row */
	size_t declared;
};

/* ------------------------------------------------------------ helpers */

static json_t *row(struct decl *d, size_t i)
{
	return json_array_get(d->rows, i);
}

static bool blocked_row(json_t *r)
{
	const char *st = ac_str(json_object_get(r, "achievement"), "status");
	return *st && strcmp(st, "CALCULATED");
}

static json_t *checklist(struct decl *d)
{
	return json_object_get(d->check, "checklist");
}

static size_t ticked_count(struct decl *d)
{
	return list_tagged_count(&d->clist);
}

static void when_text(long long at, char *out, size_t size)
{
	time_t t = (time_t)at;
	struct tm tm;
	if (at && gmtime_r(&t, &tm))
		strftime(out, size, "%d/%m/%Y %H:%M", &tm);
	else
		snprintf(out, size, "%s", "");
}

/* ------------------------------------------------------------ rows */

static void draw_decl(void *ud, WINDOW *w, int y, int x, int width, size_t i, bool cursor)
{
	struct decl *d = ud;
	json_t *r = row(d, i);
	json_t *a = json_object_get(r, "achievement");
	char date[24], money[32] = "";
	bool pay = json_is_true(json_object_get(a, "payment"));
	ac_date(ac_str(a, "date"), pay, date, sizeof date);
	if (ac_has(r, "pence"))
		money_format(ac_int(r, "pence"), money, sizeof money);
	int cs = width - 13 - 19 - 12;
	if (cs < 10)
		cs = 10;
	tui_put(w, y, x, 13, date, pay ? ST_PAYMENT : ST_NORMAL, true);
	tui_put(w, y, x + 13, cs - 1, ac_str(json_object_get(r, "service"), "name"), ST_NORMAL, true);
	tui_clear(w, y, x + 13 + cs - 1, 1);
	if (blocked_row(r))
		tui_put(w, y, x + 13 + cs, 19, "! Blocked", ST_ERROR, true);
	else
		tui_put(w, y, x + 13 + cs, 19, ac_status_short(ac_str(r, "status")), ST_NORMAL, true);
	tui_printf(w, y, x + width - 12, 12, ST_NORMAL, true, "%12s", money);
	(void)cursor;
}

static const char *decl_text(void *ud, size_t i)
{
	struct decl *d = ud;
	return ac_str(json_object_get(row(d, i), "service"), "name");
}

static void draw_item(void *ud, WINDOW *w, int y, int x, int width, size_t i, bool cursor)
{
	struct decl *d = ud;
	json_t *it = json_array_get(checklist(d), i);
	bool ind = !strcmp(ac_str(it, "kind"), "indicator");
	tui_printf(w, y, x, width, ST_NORMAL, true, "%s%s", ind ? "Indicator: " : "",
		   ac_str(it, "text"));
	(void)cursor;
}

static const char *item_text(void *ud, size_t i)
{
	struct decl *d = ud;
	return ac_str(json_array_get(checklist(d), i), "text");
}

/* ------------------------------------------------------------ loading */

static void load(struct decl *d);
static void next_in_queue(struct decl *d);

static void on_detail(struct screen *s, const struct api_response *r)
{
	struct decl *d = s->priv;
	app_dirty(s->app);
	if (r->outcome != API_HTTP || r->status != 200)
		return; /* the panel just stays empty; the list says enough */
	if (ac_int(r->json, "id") != d->want_detail)
		return;
	json_decref(d->detail);
	d->detail = json_incref(r->json);
}

/* Fetches the history of the cursor row when it changed. */
static void want_detail(struct decl *d)
{
	json_t *r = row(d, d->list.cur);
	long long id = r ? ac_int(r, "id") : 0;
	if (!id || id == d->want_detail)
		return;
	d->want_detail = id;
	json_decref(d->detail);
	d->detail = NULL;
	app_call(d->s->app, d->s, call_declaration(id), on_detail);
}

static void on_list(struct screen *s, const struct api_response *r)
{
	struct decl *d = s->priv;
	d->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the declarations")) {
		free(d->error);
		d->error = xasprintf("Could not load the declarations: %s", r->err_message);
		return;
	}
	xfree(&d->error);
	json_decref(d->rows);
	d->rows = json_incref(json_object_get(r->json, "declarations"));
	if (!json_is_array(d->rows)) {
		json_decref(d->rows);
		d->rows = json_array();
	}
	list_set_count(&d->list, json_array_size(d->rows));
	if (d->focus_id) {
		size_t i;
		json_t *x;
		json_array_foreach(d->rows, i, x)
			if (ac_int(x, "id") == d->focus_id)
				d->list.cur = i;
		d->focus_id = 0;
	}
	d->want_detail = 0;
	want_detail(d);
}

static void load(struct decl *d)
{
	struct declarations_q q = {
		.organisation = app_org_code(d->s->app),
		.status = d->all ? NULL : "AWAITING_PROVIDER",
	};
	d->loading = true;
	app_call(d->s->app, d->s, call_declarations(&q), on_list);
}

/* ------------------------------------------------------------ declaring */

static void describe(json_t *x, char *out, size_t size)
{
	char date[24];
	json_t *a = json_object_get(x, "achievement");
	ac_date(ac_str(a, "date"), false, date, sizeof date);
	snprintf(out, size, "%s %s", ac_str(json_object_get(x, "service"), "name"), date);
}

static void finish_queue(struct decl *d, bool stopped)
{
	d->mode = M_LIST;
	json_decref(d->check);
	d->check = NULL;
	size_t left = d->nqueue > d->qpos ? d->nqueue - d->qpos : 0;
	if (stopped)
		ac_add(&d->report, "Stopped: %zu not declared.", left);
	if (d->report.n == 1) {
		app_message(d->s->app, d->declared ? MSG_OK : MSG_ERROR, "%s", d->report.v[0]);
	} else if (d->report.n > 1) {
		app_message(d->s->app, d->declared ? MSG_OK : MSG_ERROR, "Declared %zu of %zu.",
			    d->declared, d->nqueue);
		app_popup(d->s->app, popup_text("Declare Achievement: row by row", d->report.v,
						 d->report.n));
	}
	ac_lines_free(&d->report);
	xfree(&d->queue);
	d->nqueue = d->qpos = 0;
	list_set_count(&d->list, 0);
	load(d);
}

static void on_check(struct screen *s, const struct api_response *r)
{
	struct decl *d = s->priv;
	app_dirty(s->app);
	char what[200];
	if (r->outcome != API_HTTP || r->status != 200) {
		app_failed(s->app, r, "Reading the declaration");
		ac_add(&d->report, "Not declared: %s", r->err_message);
		d->qpos++;
		next_in_queue(d);
		return;
	}
	describe(r->json, what, sizeof what);
	if (ac_has(r->json, "blocked")) {
		const char *why = json_is_string(json_object_get(r->json, "blocked")) ?
			ac_str(r->json, "blocked") :
			ac_str(json_object_get(r->json, "blocked"), "reason");
		ac_add(&d->report, "Not declared: %s: %s", what, why);
		d->qpos++;
		next_in_queue(d);
		return;
	}
	if (!json_is_true(json_object_get(r->json, "can_declare"))) {
		ac_add(&d->report, "Not declared: %s is %s.", what,
		       ac_decl_status(ac_str(r->json, "status")));
		d->qpos++;
		next_in_queue(d);
		return;
	}
	json_decref(d->check);
	d->check = json_incref(r->json);
	list_free(&d->clist);
	list_init(&d->clist, draw_item, item_text, d);
	list_set_count(&d->clist, json_array_size(checklist(d)));
	list_set_taggable(&d->clist, true);
	size_t i;
	json_t *it;
	json_array_foreach(checklist(d), i, it)
		d->clist.tags[i] = json_is_true(json_object_get(it, "ticked"));
	free(d->notes);
	d->notes = xstrdup(ac_str(r->json, "notes"));
	d->mode = M_CHECK;
	app_message(s->app, MSG_INFO, "Tick each statement with Space, then d to declare (%zu of %zu).",
		    d->qpos + 1, d->nqueue);
}

static void next_in_queue(struct decl *d)
{
	if (d->qpos >= d->nqueue) {
		finish_queue(d, false);
		return;
	}
	app_call(d->s->app, d->s, call_declaration(d->queue[d->qpos]), on_check);
}

static void start_declaring(struct decl *d)
{
	size_t n = json_array_size(d->rows);
	if (!n) {
		app_message(d->s->app, MSG_INFO, "Nothing is awaiting declaration.");
		return;
	}
	xfree(&d->queue);
	d->queue = xcalloc(n, sizeof(long long));
	d->nqueue = d->qpos = d->declared = 0;
	ac_lines_free(&d->report);
	bool any = list_tagged_count(&d->list) > 0;
	for (size_t i = 0; i < n; i++) {
		if (any ? !list_is_tagged(&d->list, i) : i != d->list.cur)
			continue;
		json_t *r = row(d, i);
		if (strcmp(ac_str(r, "status"), "AWAITING_PROVIDER")) {
			char what[200];
			describe(r, what, sizeof what);
			ac_add(&d->report, "Not declared: %s is %s.", what,
			       ac_decl_status(ac_str(r, "status")));
			continue;
		}
		d->queue[d->nqueue++] = ac_int(r, "id");
	}
	if (!d->nqueue) {
		finish_queue(d, false);
		return;
	}
	next_in_queue(d);
}

static void on_declared(struct screen *s, const struct api_response *r)
{
	struct decl *d = s->priv;
	app_dirty(s->app);
	char what[200];
	describe(d->check, what, sizeof what);
	if (r->outcome == API_HTTP && r->status == 200) {
		ac_add(&d->report, "Declared: %s: %s (%s).", what, ac_str(r->json, "message"),
		       ac_decl_status(ac_str(r->json, "status")));
		d->declared++;
	} else {
		ac_add(&d->report, "Not declared: %s: %s", what, r->err_message);
	}
	d->qpos++;
	next_in_queue(d);
}

static void on_confirm(void *ud, int result, const char *text)
{
	struct decl *d = ud;
	if (result != POP_YES) {
		app_message(d->s->app, MSG_INFO, "Not declared: tick, edit the notes, or Esc to stop.");
		return;
	}
	json_t *ticked = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(checklist(d), i, it)
		if (list_is_tagged(&d->clist, i))
			json_array_append_new(ticked, json_string(ac_str(it, "id")));
	app_message(d->s->app, MSG_INFO, "Declaring...");
	app_call(d->s->app, d->s, call_declare(ac_int(d->check, "id"), ac_int(d->check, "version"),
					       ticked, d->notes ? d->notes : ""), on_declared);
}

static void declare_now(struct decl *d)
{
	size_t n = json_array_size(checklist(d)), t = ticked_count(d);
	if (t < n) {
		app_message(d->s->app, MSG_ERROR, "Tick every statement before declaring: %zu of %zu "
			    "ticked.", t, n);
		return;
	}
	char what[200], money[32] = "";
	describe(d->check, what, sizeof what);
	if (ac_has(d->check, "pence"))
		money_format(ac_int(d->check, "pence"), money, sizeof money);
	json_t *org = json_object_get(d->check, "organisation");
	char *q = xasprintf("Declare %s for %s %s for payment%s%s?", what, ac_str(org, "code"),
			    ac_str(org, "name"), *money ? " of " : "", money);
	app_popup(d->s->app, popup_confirm(q, on_confirm, d));
	free(q);
}

static void on_notes(void *ud, int result, const char *text)
{
	struct decl *d = ud;
	if (result < 0 || !text)
		return;
	free(d->notes);
	d->notes = xstrdup(text);
	app_dirty(d->s->app);
}

/* ------------------------------------------------------------ ops */

static void dc_init(struct screen *s)
{
	struct decl *d = s->priv;
	d->s = s;
	list_init(&d->list, draw_decl, decl_text, d);
	list_set_taggable(&d->list, true);
	list_init(&d->clist, draw_item, item_text, d);
}

static void dc_done(struct screen *s)
{
	struct decl *d = s->priv;
	list_free(&d->list);
	list_free(&d->clist);
	json_decref(d->rows);
	json_decref(d->detail);
	json_decref(d->check);
	free(d->error);
	free(d->notes);
	free(d->queue);
	ac_lines_free(&d->report);
}

static void dc_open(struct screen *s)
{
	struct decl *d = s->priv;
	if (d->mode == M_CHECK) {
		app_message(s->app, MSG_INFO, "Finish or stop (Esc) the declaration first.");
		return;
	}
	d->want_detail = 0;
	load(d);
}

/* Shown again: the list fetched again, unless a declaration is being made. */
static void dc_revisit(struct screen *s)
{
	struct decl *d = s->priv;
	if (d->mode != M_CHECK && !d->loading)
		dc_open(s);
}

static bool dc_subject(struct screen *s, const char *type, long id)
{
	struct decl *d = s->priv;
	if (strcmp(type, "declaration"))
		return false;
	d->focus_id = id;
	if (d->rows && !d->loading) {
		size_t i;
		json_t *x;
		bool found = false;
		json_array_foreach(d->rows, i, x)
			if (ac_int(x, "id") == id) {
				d->list.cur = i;
				found = true;
			}
		if (found) {
			d->focus_id = 0;
			want_detail(d);
		} else {
			load(d);
		}
	}
	app_dirty(s->app);
	return true;
}

/* Run Achievement Summary Report: Reports > Pre-defined with the
 * declaration's organisation, service, achievement date and year. */
static void run_summary(struct decl *d)
{
	json_t *r = row(d, d->list.cur);
	if (!r) {
		app_message(d->s->app, MSG_INFO, "There is no declaration to report on here.");
		return;
	}
	json_t *org = json_object_get(r, "organisation");
	const char *code = json_is_string(org) ? json_string_value(org) : ac_str(org, "code");
	const char *date = ac_str(json_object_get(r, "achievement"), "date");
	char service[24], year[8] = "";
	snprintf(service, sizeof service, "%lld", ac_int(json_object_get(r, "service"), "id"));
	date_financial_year(date, year);
	reports_request(d->s->app, "achievement-summary",
			json_pack("{s:s, s:s, s:s, s:s}", "organisation", code[0] ? code :
				  app_org_code(d->s->app), "service", service, "date", date,
				  "year", year));
}

static enum wres dc_action(struct screen *s, enum action a, int key)
{
	struct decl *d = s->priv;
	if (d->mode == M_CHECK) {
		switch (a) {
		case ACT_BACK:
			finish_queue(d, true);
			return W_HANDLED;
		case ACT_DECLARE:
			declare_now(d);
			return W_HANDLED;
		case ACT_EDIT_NOTES:
			app_popup(s->app, popup_prompt_max("Notes", "Notes", d->notes ? d->notes : "",
							   TEXT_NOTES_MAX, on_notes, d));
			return W_HANDLED;
		case ACT_TAG_ALL:
			app_message(s->app, MSG_INFO, "Tick each statement yourself (Space), having read it.");
			return W_HANDLED;
		case ACT_FILTER:
		case ACT_REFRESH:
			app_message(s->app, MSG_INFO, "Finish or stop (Esc) the declaration first.");
			return W_HANDLED;
		default:
			break;
		}
		enum wres w = list_action(&d->clist, a, key);
		return w == W_OPEN ? W_HANDLED : w;
	}
	switch (a) {
	case ACT_DECLARE:
		start_declaring(d);
		return W_HANDLED;
	case ACT_FILTER:
		d->all = !d->all;
		app_message(s->app, MSG_INFO, "Showing %s.", d->all ? "every declaration" :
			    "the achievements awaiting declaration");
		list_set_count(&d->list, 0);
		load(d);
		return W_HANDLED;
	case ACT_EDIT_NOTES:
		app_message(s->app, MSG_INFO, "Notes are written while declaring: press d.");
		return W_HANDLED;
	case ACT_RUN_SUMMARY:
		run_summary(d);
		return W_HANDLED;
	default:
		break;
	}
	enum wres w = list_action(&d->list, a, key);
	if (w == W_OPEN) {
		start_declaring(d);
		return W_HANDLED;
	}
	if (w != W_IGNORED)
		want_detail(d);
	return w;
}

static enum context dc_context(struct screen *s)
{
	return CTX_DECLARE;
}

static void draw_history(struct decl *d, WINDOW *w, int y, int h, int width)
{
	json_t *r = row(d, d->list.cur);
	if (!r || h < 2)
		return;
	char what[200];
	describe(r, what, sizeof what);
	tui_printf(w, y, 0, width, ST_HEADING, true, "Payment Declaration History: %s", what);
	if (!d->detail) {
		tui_put(w, y + 1, 0, width, "Loading...", ST_DIM, true);
		return;
	}
	int line = y + 1;
	if (ac_has(d->detail, "blocked")) {
		const char *why = json_is_string(json_object_get(d->detail, "blocked")) ?
			ac_str(d->detail, "blocked") :
			ac_str(json_object_get(d->detail, "blocked"), "reason");
		tui_printf(w, line++, 0, width, ST_ERROR, true, "Error: cannot be declared yet: %s", why);
	}
	if (*ac_str(d->detail, "notes") && line < y + h)
		tui_printf(w, line++, 0, width, ST_NORMAL, true, "Notes: %s", ac_str(d->detail, "notes"));
	size_t i;
	json_t *hst;
	json_array_foreach(json_object_get(d->detail, "history"), i, hst) {
		if (line >= y + h)
			break;
		char when[24];
		when_text(ac_int(hst, "at"), when, sizeof when);
		const char *who = ac_has(hst, "user_name") ? ac_str(hst, "user_name") : "CQRS";
		tui_printf(w, line++, 0, width, ST_NORMAL, true, "%-16s  %s", when,
			   ac_decl_status(ac_str(hst, "to")));
		if (line < y + h)
			tui_printf(w, line++, 0, width, ST_DIM, true, "%18s%s: %s", "", who,
				   ac_str(hst, "note"));
	}
}

static void draw_check(struct decl *d, WINDOW *w, int h, int width)
{
	char what[200], money[32] = "";
	describe(d->check, what, sizeof what);
	if (ac_has(d->check, "pence"))
		money_format(ac_int(d->check, "pence"), money, sizeof money);
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Declaration checklist: %s", what);
	tui_printf(w, 1, 0, width, ST_LABEL, true, "%s%s  (%zu of %zu)", *money ?
		   "Provisional payment " : "", money, d->qpos + 1, d->nqueue);
	tui_put(w, 2, 0, width, "Space ticks a statement; d Declare Achievement; e Notes; Esc stops.",
		ST_DIM, true);
	int lh = h - 9;
	if (lh < 3)
		lh = 3;
	list_draw(&d->clist, w, 3, 0, lh, width);
	/* the statement under the cursor, in full */
	json_t *it = json_array_get(checklist(d), d->clist.cur);
	struct ac_lines l = {0};
	ac_add_wrapped(&l, "", ac_str(it, "text"), width - 1);
	for (size_t i = 0; i < 3; i++)
		tui_put(w, 3 + lh + (int)i, 0, width, i < l.n ? l.v[i] : "", ST_DIM, true);
	ac_lines_free(&l);
	size_t n = json_array_size(checklist(d)), t = ticked_count(d);
	tui_printf(w, 6 + lh, 0, width, ST_NORMAL, true, "Notes: %s", d->notes && *d->notes ?
		   d->notes : "(none: e to write some)");
	tui_printf(w, 7 + lh, 0, width, t == n ? ST_OK : ST_LABEL, true,
		   "Ticked %zu of %zu%s", t, n, t == n ? ": d declares" :
		   ": Declare Achievement needs every item ticked");
}

static void dc_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct decl *d = s->priv;
	if (d->mode == M_CHECK && d->check) {
		draw_check(d, w, h, width);
		return;
	}
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Declare: %s %s", app_org_code(s->app),
		   d->all ? "(every declaration; f: awaiting only)" :
		   "achievements awaiting declaration (f: all)");
	if (d->error) {
		tui_put(w, 2, 0, width, d->error, ST_ERROR, true);
		return;
	}
	if (!d->rows) {
		tui_put(w, 2, 0, width, d->loading ? "Loading... (Esc stops it)" : "", ST_INFO, true);
		return;
	}
	if (!json_array_size(d->rows)) {
		tui_put(w, 2, 0, width, d->all ? "No declarations yet." :
			"Nothing is awaiting declaration.", ST_INFO, true);
		return;
	}
	int x = 6;
	int cs = width - x - 13 - 19 - 12;
	tui_put(w, 1, x, 13, "Date", ST_COLHEAD, true);
	tui_put(w, 1, x + 13, cs, "Quality service", ST_COLHEAD, true);
	tui_put(w, 1, x + 13 + cs, 19, "Status", ST_COLHEAD, true);
	tui_printf(w, 1, width - 12, 12, ST_COLHEAD, true, "%12s", "Provisional");
	int lh = (h - 3) / 2 + 1;
	list_draw(&d->list, w, 2, 0, lh, width);
	tui_put(w, 2 + lh, 0, width, "Space ticks  d Declare  s Run Achievement Summary Report  "
		"* payment  ! blocked", ST_DIM, true);
	draw_history(d, w, 3 + lh, h - 3 - lh, width);
}

static bool dc_offers(struct screen *s, enum action a)
{
	struct decl *d = s->priv;
	if (d->mode == M_CHECK)
		return a != ACT_TAG_ALL && a != ACT_FILTER && a != ACT_RUN_SUMMARY;
	return a != ACT_EDIT_NOTES && (a != ACT_RUN_SUMMARY || row(d, d->list.cur));
}

const struct screen_ops declare_ops = {
	.offers = dc_offers,
	.priv_size = sizeof(struct decl),
	.init = dc_init,
	.open = dc_open,
	.revisit = dc_revisit,
	.draw = dc_draw,
	.action = dc_action,
	.context = dc_context,
	.done = dc_done,
	.subject = dc_subject,
};
