/* achievement_results.c: Achievement > Achievement Results: for one
 * practice or PCN (a practice or PCN user's own organisation; commissioners
 * choose one), one quality service and one achievement date, every
 * indicator's value, achievement, thresholds, points and, when the server
 * sends pence, the payment, with group and service totals and a bar per
 * indicator against its thresholds. Enter (or b) opens the breakdown of the
 * figure under the cursor: the server's own explanation of how it was
 * calculated. Requests: GET /organisations/{code}/services, GET
 * /achievements?organisation=&service= and GET /achievements/{id}/results
 * (which also says which indicators the PCN enters). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

enum row_kind {
	ROW_GROUP,
	ROW_IND,
	ROW_TOTAL,
};

struct row {
	enum row_kind kind;
	size_t g, i;
};

struct res {
	struct screen *s;
	struct ac_sel c;        /* org, year and service: approved, paid services */
	json_t *achs;           /* achievements of the service, newest first; owned */
	long long ach_id;
	json_t *results;        /* GET /achievements/{id}/results; owned */
	struct row *rows;       /* owned */
	size_t nrows;
	struct list list;
	char want[160];         /* path of the results call we wait for (its key) */
};

/* ------------------------------------------------------------ helpers */

static json_t *cur_ach(struct res *r)
{
	size_t i;
	json_t *a;
	json_array_foreach(r->achs, i, a)
		if (ac_int(a, "id") == r->ach_id)
			return a;
	return NULL;
}

static json_t *groups(struct res *r)
{
	return json_object_get(r->results, "groups");
}

static bool pounds(struct res *r)
{
	return json_is_true(json_object_get(r->results, "pounds"));
}

/* Whether the PCN enters the indicator (the results say so). */
static bool pcn_entered(const json_t *ind)
{
	return json_is_true(json_object_get(ind, "pcn_entered"));
}

static const char *source_name(struct res *r, json_t *ind)
{
	if (pcn_entered(ind))
		return "entered at PCN level";
	const char *s = ac_str(ind, "source");
	if (!strcmp(s, "EXTRACT"))
		return "extracted from the clinical system";
	if (!strcmp(s, "MANUAL"))
		return "entered by the practice";
	if (!strcmp(s, "COMMISSIONER"))
		return "entered by the commissioner";
	if (!strcmp(s, "NETWORK"))
		return "network figure (member practices aggregated)";
	return *s ? s : "no value";
}

/* ------------------------------------------------------------ rows */

static void build_rows(struct res *r)
{
	xfree(&r->rows);
	r->nrows = 0;
	size_t ng = json_array_size(groups(r)), cap = 1;
	for (size_t g = 0; g < ng; g++)
		cap += 1 + json_array_size(json_object_get(json_array_get(groups(r), g), "indicators"));
	r->rows = xcalloc(cap, sizeof(struct row));
	for (size_t g = 0; g < ng; g++) {
		json_t *grp = json_array_get(groups(r), g);
		r->rows[r->nrows++] = (struct row){ROW_GROUP, g, 0};
		size_t ni = json_array_size(json_object_get(grp, "indicators"));
		for (size_t i = 0; i < ni; i++)
			r->rows[r->nrows++] = (struct row){ROW_IND, g, i};
	}
	if (ng)
		r->rows[r->nrows++] = (struct row){ROW_TOTAL, 0, 0};
	list_set_count(&r->list, r->nrows);
}

static json_t *row_group(struct res *r, size_t row)
{
	return json_array_get(groups(r), r->rows[row].g);
}

static json_t *row_ind(struct res *r, size_t row)
{
	if (row >= r->nrows || r->rows[row].kind != ROW_IND)
		return NULL;
	return json_array_get(json_object_get(row_group(r, row), "indicators"), r->rows[row].i);
}

static long long points_available(struct res *r)
{
	long long t = 0;
	size_t i;
	json_t *g;
	json_array_foreach(groups(r), i, g)
		t += ac_int(g, "points_available");
	return t;
}

/* Column layout for width w (after the cursor marker). */
struct cols {
	int code, value, pct, thr, bar, pts, pay;
};

static struct cols layout(struct res *r, int w)
{
	struct cols c = {12, 10, 7, 6, 0, 11, pounds(r) ? 12 : 0};
	c.bar = w - (c.code + c.value + c.pct + c.thr + c.pts + c.pay);
	if (c.bar < 6)
		c.bar = 6;
	return c;
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct res *r = ud;
	struct cols c = layout(r, width);
	char pts[32], money[32], buf[64];
	int px = x + c.code + c.value + c.pct + c.thr + c.bar;
	const struct row *rw = &r->rows[row];
	if (rw->kind == ROW_GROUP || rw->kind == ROW_TOTAL) {
		json_t *g = rw->kind == ROW_GROUP ? row_group(r, row) : NULL;
		char *name = g ? xasprintf("%s %s%s", ac_str(g, "code"), ac_str(g, "name"),
					   strcmp(ac_str(g, "kind"), "mi") ? "" :
					   " (management information)")
			       : xstrdup("Service total");
		tui_put(w, y, x, px - x, name, ST_LABEL, true);
		free(name);
		json_t *calc = json_object_get(r->results, "calculation");
		long long milli = g ? ac_int(g, "points_milli") : ac_int(calc, "points_milli");
		long long av = g ? ac_int(g, "points_available") : points_available(r);
		ac_points(milli, pts, sizeof pts);
		snprintf(buf, sizeof buf, "%s/%lld", pts, av);
		tui_printf(w, y, px, c.pts, ST_LABEL, true, "%*s", c.pts - 1, buf);
		if (c.pay) {
			json_t *src = g ? g : calc;
			if (ac_has(src, "pence"))
				money_format(ac_int(src, "pence"), money, sizeof money);
			else
				strlcpy_s(money, "", sizeof money);
			tui_printf(w, y, px + c.pts, c.pay, ST_LABEL, true, "%*s", c.pay, money);
		}
		return;
	}
	json_t *ind = row_ind(r, row);
	struct ac_figures f;
	ac_figures(ind, &f);
	bool pcn = pcn_entered(ind);
	tui_printf(w, y, x, c.code, ST_NORMAL, true, " %s", ac_str(ind, "code"));
	tui_printf(w, y, x + c.code, c.value, !strcmp(f.val, "missing") ? ST_ERROR : ST_NORMAL, true,
		   "%*s%s", c.value - 2, f.val, pcn ? "P" : " ");
	tui_printf(w, y, x + c.code + c.value, c.pct, ST_NORMAL, true, "%*s", c.pct - 1, f.pct);
	tui_printf(w, y, x + c.code + c.value + c.pct, c.thr, ST_DIM, true, "%*s", c.thr - 1, f.thr);
	ac_bar(w, y, x + c.code + c.value + c.pct + c.thr, c.bar - 1, ind);
	tui_clear(w, y, x + c.code + c.value + c.pct + c.thr + c.bar - 1, 1);
	tui_printf(w, y, px, c.pts, ST_NORMAL, true, "%*s", c.pts - 1, f.avail);
	if (c.pay)
		tui_printf(w, y, px + c.pts, c.pay, ST_NORMAL, true, "%*s", c.pay, f.money);
	(void)cursor;
}

static const char *row_text(void *ud, size_t row)
{
	struct res *r = ud;
	if (row >= r->nrows)
		return "";
	if (r->rows[row].kind == ROW_GROUP)
		return ac_str(row_group(r, row), "name");
	if (r->rows[row].kind == ROW_TOTAL)
		return "Service total";
	return ac_str(row_ind(r, row), "code");
}

/* ------------------------------------------------------------ loading */

static void load_achs(struct res *r);
static void load_results(struct res *r);

static void clear_results(struct res *r)
{
	json_decref(r->results);
	r->results = NULL;
	xfree(&r->rows);
	r->nrows = 0;
	list_set_count(&r->list, 0);
}

static void on_results(struct screen *s, const struct api_response *resp)
{
	struct res *r = s->priv;
	if (!ac_ends_with(resp->path, r->want))
		return; /* an answer for a date no longer chosen */
	r->c.loading = NULL;
	app_dirty(s->app);
	if (app_failed(s->app, resp, "Loading the results")) {
		ac_sel_error(&r->c, xasprintf("Could not load the results: %s", resp->err_message));
		return;
	}
	size_t keep = r->list.cur;
	clear_results(r);
	r->results = json_incref(resp->json);
	build_rows(r);
	r->list.cur = keep < r->nrows ? keep : 0;
}

static void load_results(struct res *r)
{
	clear_results(r);
	if (!r->ach_id)
		return;
	struct api_call call = call_achievement_results(r->ach_id);
	strlcpy_s(r->want, call.path, sizeof r->want);
	r->c.loading = "results";
	app_call(r->s->app, r->s, call, on_results);
}

static void pick_service(struct res *r);

static void on_achs(struct screen *s, const struct api_response *resp)
{
	struct res *r = s->priv;
	r->c.loading = NULL;
	app_dirty(s->app);
	if (app_failed(s->app, resp, "Loading the achievements")) {
		ac_sel_error(&r->c, xasprintf("Could not load the achievements: %s", resp->err_message));
		return;
	}
	json_decref(r->achs);
	r->achs = json_incref(json_object_get(resp->json, "achievements"));
	if (!json_array_size(r->achs) && !r->c.year_by_user) {
		/* Nothing recorded yet this year: show the year before. */
		char prev[8];
		if (ac_sel_year_before(&r->c, prev)) {
			app_message(s->app, MSG_INFO, "Nothing is recorded yet for %s: showing %s (f changes it).",
				    r->c.year, prev);
			ac_sel_year(&r->c, prev);
			return;
		}
	}
	if (!cur_ach(r))
		r->ach_id = json_array_size(r->achs) ? ac_int(json_array_get(r->achs, 0), "id") : 0;
	load_results(r);
}

static void load_achs(struct res *r)
{
	json_decref(r->achs);
	r->achs = NULL;
	clear_results(r);
	if (!r->c.service_id)
		return;
	r->c.loading = "achievements";
	app_call(r->s->app, r->s, call_achievements(r->c.org, r->c.service_id), on_achs);
}

/* Chooses the service: the current one if it is in the year, else the
 * year's first (QOF first), then loads its achievements. */
static void pick_service(struct res *r)
{
	if (!ac_sel_pick(&r->c, "QOF"))
		r->ach_id = 0;
	load_achs(r);
}

/* ------------------------------------------------------------ screen ops */

static void res_init(struct screen *s)
{
	struct res *r = s->priv;
	r->s = s;
	ac_sel_init(&r->c, s, &achievement_results_sel);
	list_init(&r->list, draw_row, row_text, r);
}

static void res_done(struct screen *s)
{
	struct res *r = s->priv;
	clear_results(r);
	ac_sel_done(&r->c);
	json_decref(r->achs);
	free(r->rows);
	list_free(&r->list);
}

static void res_open(struct screen *s)
{
	struct res *r = s->priv;
	ac_sel_own(&r->c);
	if (!r->c.org[0]) {
		app_message(s->app, MSG_INFO, "Press c to choose a practice or PCN.");
		return;
	}
	ac_sel_load_services(&r->c);
}

/* --- filters */

static void on_date(void *ud, int result, const char *text)
{
	struct ac_sel *c = ud;
	struct res *r = c->s->priv;
	if (result < 0 || (size_t)result >= r->c.nchoice) {
		ac_sel_free_choice(&r->c);
		return;
	}
	r->ach_id = atoll(r->c.choice[result]);
	ac_sel_free_choice(&r->c);
	load_results(r);
}

static void choose_date(struct res *r)
{
	ac_sel_free_choice(&r->c);
	size_t n = json_array_size(r->achs), cur = 0;
	if (!n) {
		app_message(r->s->app, MSG_INFO, "No achievement is recorded for this service yet.");
		return;
	}
	r->c.choice = xcalloc(n, sizeof(char *));
	char **items = xcalloc(n, sizeof(char *));
	size_t i;
	json_t *a;
	json_array_foreach(r->achs, i, a) {
		char d[24];
		ac_date(ac_str(a, "date"), json_is_true(json_object_get(a, "payment")), d, sizeof d);
		if (ac_int(a, "id") == r->ach_id)
			cur = i;
		items[i] = xasprintf("%-13s %s", d, ac_ach_status(ac_str(a, "status")));
		r->c.choice[i] = xasprintf("%lld", ac_int(a, "id"));
	}
	r->c.nchoice = n;
	ac_sel_offer(&r->c, "Achievement date (* payment date)", items, cur, on_date);
}

/* --- breakdown */

static void breakdown(struct res *r)
{
	if (!r->nrows)
		return;
	struct ac_lines l = {0};
	int w = ac_popup_width();
	size_t row = r->list.cur;
	char pts[32], money[32], val[40];
	char *title;
	json_t *calc = json_object_get(r->results, "calculation");
	if (r->rows[row].kind == ROW_IND) {
		json_t *ind = row_ind(r, row);
		title = xasprintf("Breakdown: %s", ac_str(ind, "code"));
		ac_add_wrapped(&l, "", ac_str(ind, "description"), w);
		ac_add(&l, "%s", "");
		ac_value(ind, val, sizeof val);
		ac_add(&l, "Value: %s (%s)", val, source_name(r, ind));
		json_t *th = json_object_get(ind, "thresholds");
		if (json_is_array(th))
			ac_add(&l, "Thresholds: lower %lld%%, upper %lld%%",
			       (long long)json_integer_value(json_array_get(th, 0)),
			       (long long)json_integer_value(json_array_get(th, 1)));
		ac_add_achieved(&l, ind, true);
		ac_add(&l, "%s", "");
		ac_add_explained(&l, ind, "Not calculated yet.", w);
	} else if (r->rows[row].kind == ROW_GROUP) {
		json_t *g = row_group(r, row);
		title = xasprintf("Breakdown: group %s", ac_str(g, "code"));
		ac_add_wrapped(&l, "", ac_str(g, "name"), w);
		ac_points(ac_int(g, "points_milli"), pts, sizeof pts);
		ac_add(&l, "Points: %s of %lld available", pts, ac_int(g, "points_available"));
		if (ac_has(g, "pence")) {
			money_format(ac_int(g, "pence"), money, sizeof money);
			ac_add(&l, "Payment: %s", money);
		}
		ac_add(&l, "\1The sum of its indicators:");
		size_t i;
		json_t *ind;
		json_array_foreach(json_object_get(g, "indicators"), i, ind) {
			ac_points(ac_int(ind, "points_milli"), pts, sizeof pts);
			money[0] = '\0';
			if (ac_has(ind, "pence"))
				money_format(ac_int(ind, "pence"), money, sizeof money);
			ac_add(&l, "  %-14s %10s points  %14s", ac_str(ind, "code"), pts, money);
		}
	} else {
		title = xstrdup("Breakdown: service total");
		if (!json_is_object(calc)) {
			ac_add(&l, "Not calculated yet (%s).",
			       ac_ach_status(ac_str(json_object_get(r->results, "achievement"), "status")));
		} else {
			ac_points(ac_int(calc, "points_milli"), pts, sizeof pts);
			ac_add(&l, "Points: %s of %lld available", pts, points_available(r));
			if (ac_has(calc, "pence")) {
				money_format(ac_int(calc, "pence"), money, sizeof money);
				ac_add(&l, "Payment: %s", money);
			}
			if (ac_has(calc, "aspiration_pence")) {
				money_format(ac_int(calc, "aspiration_pence"), money, sizeof money);
				ac_add(&l, "Aspiration payment for the following year: %s", money);
			}
			ac_add(&l, "\1The sum of its groups:");
			size_t i;
			json_t *g;
			json_array_foreach(groups(r), i, g) {
				ac_points(ac_int(g, "points_milli"), pts, sizeof pts);
				money[0] = '\0';
				if (ac_has(g, "pence"))
					money_format(ac_int(g, "pence"), money, sizeof money);
				ac_add(&l, "  %-8s %10s points  %14s", ac_str(g, "code"), pts, money);
			}
		}
	}
	app_popup(r->s->app, popup_text(title, l.v, l.n));
	free(title);
	ac_lines_free(&l);
}

static enum wres res_action(struct screen *s, enum action a, int key)
{
	struct res *r = s->priv;
	switch (a) {
	case ACT_FILTER:
		ac_sel_filter(&r->c);
		return W_HANDLED;
	case ACT_CHOOSE_PROVIDER:
		if (!ac_commissioner(r->s)) {
			app_message(s->app, MSG_INFO, "You see your own organisation's results.");
			return W_HANDLED;
		}
		ac_sel_choose_provider(&r->c);
		return W_HANDLED;
	case ACT_BREAKDOWN:
		breakdown(r);
		return W_HANDLED;
	default:
		break;
	}
	enum wres w = list_action(&r->list, a, key);
	if (w == W_OPEN) {
		breakdown(r);
		return W_HANDLED;
	}
	return w;
}

static enum context res_context(struct screen *s)
{
	return CTX_RESULTS;
}

static void res_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct res *r = s->priv;
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Achievement Results: %s %s", r->c.org,
		   r->c.org_name ? r->c.org_name : "");
	if (!r->c.org[0]) {
		tui_put(w, 2, 0, width, "Choose a practice or PCN: press c (or f).", ST_INFO, true);
		return;
	}
	json_t *sv = ac_sel_service(&r->c, r->c.service_id);
	json_t *ach = cur_ach(r);
	char d[24] = "-";
	if (ach)
		ac_date(ac_str(ach, "date"), json_is_true(json_object_get(ach, "payment")), d, sizeof d);
	/* the choice, then the figures: pieces that wrap onto a second row
	 * rather than being cut (a long service name, a declaration) */
	char *yr = xasprintf("Year %s", r->c.year[0] ? r->c.year : "-"),
	     *sn = xasprintf("Service %s", sv ? ac_str(sv, "name") : "-"),
	     *dt = xasprintf("Date %s", d);
	const char *sel[] = {yr, sn, dt, "(f changes)"};
	int at[4][2];
	/* the hint only where it costs no row */
	size_t nsel = tui_pieces(NULL, 0, width, 2, sel, 4, ST_NORMAL, NULL) >
		tui_pieces(NULL, 0, width, 2, sel, 3, ST_NORMAL, NULL) ? 3 : 4;
	int y = 1 + tui_pieces(w, 1, width, 2, sel, nsel, ST_NORMAL, at);
	if (ach && json_is_true(json_object_get(ach, "payment")) && at[2][0] >= 0)
		/* the payment date: highlighted, besides its "*" */
		tui_put(w, 1 + at[2][0], at[2][1] + 5, width - at[2][1] - 5, d, ST_PAYMENT, false);
	free(yr);
	free(sn);
	free(dt);
	if (r->c.error) {
		tui_put(w, y + 1, 0, width, r->c.error, ST_ERROR, true);
		return;
	}
	if (r->c.loading && !r->results) {
		tui_printf(w, y + 1, 0, width, ST_INFO, true, "Loading the %s... (Esc stops it)",
			   r->c.loading);
		return;
	}
	if (!r->results) {
		tui_put(w, y + 1, 0, width, r->c.service_id ? "No achievement is recorded for this service."
			: "No service chosen.", ST_INFO, true);
		return;
	}
	json_t *calc = json_object_get(r->results, "calculation");
	json_t *ra = json_object_get(r->results, "achievement");
	char pts[32], money[32];
	if (json_is_object(calc)) {
		ac_points(ac_int(calc, "points_milli"), pts, sizeof pts);
		char *p[4] = {xasprintf("%s  Points %s of %lld", ac_ach_status(ac_str(ra, "status")),
					pts, points_available(r)), NULL, NULL, NULL};
		if (ac_has(calc, "pence")) {
			money_format(ac_int(calc, "pence"), money, sizeof money);
			p[1] = xasprintf("Payment %s", money);
		}
		if (ac_has(calc, "aspiration_pence")) {
			money_format(ac_int(calc, "aspiration_pence"), money, sizeof money);
			p[2] = xasprintf("Aspiration %s", money);
		}
		if (*ac_str(ra, "declaration_status"))
			p[3] = xasprintf("Declaration: %s",
					 ac_decl_status(ac_str(ra, "declaration_status")));
		y += tui_pieces(w, y, width, 2, (const char *const *)p, 4, ST_LABEL, NULL);
		for (int i = 0; i < 4; i++)
			free(p[i]);
	} else {
		char *t = xasprintf("%s: not calculated yet. %s", ac_ach_status(ac_str(ra, "status")),
				    ac_str(r->results, "note"));
		y += de_put_wrapped(w, y, 0, width, 2, t, ST_LABEL);
		free(t);
	}
	struct cols c = layout(r, width - 2);
	int x = 2;
	tui_put(w, y, 0, width, "", ST_NORMAL, true);
	tui_put(w, y, x, c.code, " Indicator", ST_COLHEAD, true);
	tui_printf(w, y, x + c.code, c.value, ST_COLHEAD, true, "%*s", c.value - 1, "Value");
	tui_printf(w, y, x + c.code + c.value, c.pct, ST_COLHEAD, true, "%*s", c.pct - 1, "Ach.");
	tui_printf(w, y, x + c.code + c.value + c.pct, c.thr, ST_COLHEAD, true, "%*s", c.thr - 1,
		   "Thr.%");
	tui_put(w, y, x + c.code + c.value + c.pct + c.thr, c.bar, "Bar", ST_COLHEAD,
		true);
	int px = x + c.code + c.value + c.pct + c.thr + c.bar;
	tui_printf(w, y, px, c.pts, ST_COLHEAD, true, "%*s", c.pts - 1, "Points");
	if (c.pay)
		tui_printf(w, y, px + c.pts, c.pay, ST_COLHEAD, true, "%*s", c.pay, "Payment");
	int lh = h - y - 3;
	if (lh < 2)
		lh = 2;
	list_draw(&r->list, w, y + 1, 0, lh, width);
	/* the cursor row, described */
	json_t *ind = row_ind(r, r->list.cur);
	if (ind) {
		char *t = xasprintf("%s: %s. %s", ac_str(ind, "code"), source_name(r, ind),
				    ac_str(ind, "description"));
		tui_put(w, y + 1 + lh, 0, width, t, ST_DIM, true);
		free(t);
	} else {
		tui_put(w, y + 1 + lh, 0, width, "Enter or b: how the figure under the cursor was calculated.",
			ST_DIM, true);
	}
	tui_put(w, y + 2 + lh, 0, width,
		"Bar: # achieved . not | thresholds   P entered at PCN level   * payment date",
		ST_DIM, true);
}

static bool res_offers(struct screen *s, enum action a)
{
	struct res *r = s->priv;
	switch (a) {
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
	case ACT_STUCK_VIEW:
	case ACT_REAGGREGATE:
	case ACT_ENTER_ON_BEHALF:
	case ACT_CORRECT_MEMBERSHIP:
		return false;
	case ACT_CHOOSE_PROVIDER:
		return ac_commissioner(r->s);
	default:
		return true;
	}
}

const struct screen_ops achievement_results_ops = {
	.offers = res_offers,
	.priv_size = sizeof(struct res),
	.init = res_init,
	.open = res_open,
	.draw = res_draw,
	.action = res_action,
	.context = res_context,
	.done = res_done,
};

/* ------------------------------------------------------------ ac_sel */

static struct ac_sel *sel_of(struct screen *s)
{
	return &((struct res *)s->priv)->c;
}

/* Approved, paid services. */
static bool paid(json_t *sv)
{
	return !strcmp(ac_str(json_object_get(sv, "offer"), "status"), "APPROVED") &&
	       !json_is_true(json_object_get(sv, "participation_only"));
}

static void sel_pick(struct ac_sel *c)
{
	pick_service(c->s->priv);
}

static void sel_service(struct ac_sel *c)
{
	struct res *r = c->s->priv;
	r->ach_id = 0;
	load_achs(r);
}

static void sel_dates(struct ac_sel *c)
{
	choose_date(c->s->priv);
}

static void sel_reset(struct ac_sel *c)
{
	struct res *r = c->s->priv;
	r->ach_id = 0;
	json_decref(r->achs);
	r->achs = NULL;
	clear_results(r);
}

const struct ac_sel_ops achievement_results_sel = {
	.of = sel_of,
	.provider = "Practice or PCN",
	.keep = paid,
	.by_name = true,
	.none = "takes part in no paid quality service.",
	.pick = sel_pick,
	.service = sel_service,
	.dates = sel_dates,
	.reset = sel_reset,
};
