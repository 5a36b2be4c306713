/* network_achievement.c: Data Submission > Network Achievement. The
 * dashboard of "How to Check a PCN's Relationship": financial year,
 * network-level service and achievement date (the latest up to the
 * business date by default; payment dates marked "*"), each member
 * practice's submission state, the gaps, and the network figures (the
 * PCN's results, with a breakdown of each figure). Commissioners also get
 * the achievements stuck in Awaiting Network Achievement (s switches
 * views), each with its reason and the ways to resolve it: enter the data
 * on the practice's behalf (Record Provider Achievement), correct a
 * membership (a small form: POST /memberships, PUT /memberships/{id}) or
 * re-run the aggregation (POST /network/aggregate). A PCN Management user
 * (and a commissioner with Achievement Entry) opens the PCN's OWN network
 * achievement for the date shown (E or F3) in the shared achievement view
 * and group form (data_entry.h): the tick-boxes and CAIP components the
 * PCN enters; the server decides which indicators are editable. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

enum view {
	V_DASH,
	V_STUCK,
};

enum row_kind {
	ROW_SECTION,
	ROW_MEMBER,
	ROW_GAP,
	ROW_GROUP,
	ROW_IND,
	ROW_NONE,
};

struct row {
	enum row_kind kind;
	size_t g, i;
	char *text;     /* ROW_SECTION; owned */
};

enum mfield {
	MF_ACTION,
	MF_PRACTICE,
	MF_PCN,
	MF_START,
	MF_END,
};

static const char *const mem_actions[] = {"Add a membership", "End a membership"};

struct net {
	struct de de;           /* first (data_entry.h): the PCN's own values */
	struct screen *s;
	enum view view;
	struct ac_sel c;        /* org, year and service: approved network-level services */
	char date[11];          /* chosen date, "" for the server's default */
	json_t *net;            /* GET /network; owned */
	struct row *rows;       /* owned */
	size_t nrows;
	struct list list;
	json_t *stuck;          /* GET /network/stuck "stuck"; owned */
	struct list slist;
	char *stuck_error;      /* owned */
	/* the membership form */
	bool form_open;
	struct form form;
	struct api_call mem_call; /* the request being confirmed; owned */
	char mem_practice[16], mem_pcn[16], mem_start[11], mem_end[11];
};

/* ------------------------------------------------------------ helpers */

static void set_err(char **slot, char *msg)
{
	free(*slot);
	*slot = msg;
}

static json_t *network(struct net *n)
{
	return json_object_get(n->net, "network");
}

static json_t *ngroups(struct net *n)
{
	return json_object_get(network(n), "groups");
}

static void clear_rows(struct net *n)
{
	for (size_t i = 0; i < n->nrows; i++)
		free(n->rows[i].text);
	xfree(&n->rows);
	n->nrows = 0;
	list_set_count(&n->list, 0);
}

static void add_row(struct net *n, size_t *cap, enum row_kind k, size_t g, size_t i, char *text)
{
	if (n->nrows == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		n->rows = xrealloc(n->rows, *cap * sizeof(struct row));
	}
	n->rows[n->nrows++] = (struct row){k, g, i, text};
}

static long long points_available(struct net *n)
{
	long long t = 0;
	size_t i;
	json_t *g;
	json_array_foreach(ngroups(n), i, g)
		t += ac_int(g, "points_available");
	return t;
}

static void build_rows(struct net *n)
{
	clear_rows(n);
	size_t cap = 0, i, k;
	json_t *m, *g, *ind;
	json_t *members = json_object_get(n->net, "members");
	add_row(n, &cap, ROW_SECTION, 0, 0,
		xasprintf("Member practices on this date (%zu): submission state", json_array_size(members)));
	json_array_foreach(members, i, m)
		add_row(n, &cap, ROW_MEMBER, i, 0, NULL);
	json_t *gaps = json_object_get(n->net, "gaps");
	if (json_array_size(gaps)) {
		add_row(n, &cap, ROW_SECTION, 0, 0,
			xasprintf("Gaps: %zu member practice%s without complete data", json_array_size(gaps),
				  json_array_size(gaps) == 1 ? "" : "s"));
		json_array_foreach(gaps, i, g)
			add_row(n, &cap, ROW_GAP, i, 0, NULL);
	} else {
		add_row(n, &cap, ROW_SECTION, 0, 0, xstrdup("Gaps: none, every member's data are complete"));
	}
	json_t *nw = network(n);
	if (!json_is_object(nw)) {
		add_row(n, &cap, ROW_SECTION, 0, 0, xstrdup("Network figures: none yet"));
	} else {
		json_t *calc = json_object_get(nw, "calculation");
		struct buf b;
		buf_init(&b);
		buf_printf(&b, "Network figures: %s", ac_ach_status(ac_str(nw, "status")));
		if (json_is_object(calc)) {
			char pts[32], money[32];
			ac_points(ac_int(calc, "points_milli"), pts, sizeof pts);
			buf_printf(&b, ", points %s of %lld", pts, points_available(n));
			if (ac_has(calc, "pence")) {
				money_format(ac_int(calc, "pence"), money, sizeof money);
				buf_printf(&b, ", payment %s", money);
			}
		}
		if (*ac_str(nw, "declaration_status"))
			buf_printf(&b, ", %s", ac_decl_status(ac_str(nw, "declaration_status")));
		add_row(n, &cap, ROW_SECTION, 0, 0, buf_steal(&b));
		json_array_foreach(ngroups(n), i, g) {
			add_row(n, &cap, ROW_GROUP, i, 0, NULL);
			json_array_foreach(json_object_get(g, "indicators"), k, ind)
				add_row(n, &cap, ROW_IND, i, k, NULL);
		}
	}
	list_set_count(&n->list, n->nrows);
}

static json_t *row_ind(struct net *n, size_t row)
{
	if (row >= n->nrows || n->rows[row].kind != ROW_IND)
		return NULL;
	return json_array_get(json_object_get(json_array_get(ngroups(n), n->rows[row].g),
					      "indicators"), n->rows[row].i);
}

/* ------------------------------------------------------------ drawing rows */

static void draw_ind(struct net *n, WINDOW *w, int y, int x, int width, json_t *ind)
{
	bool pay = json_is_true(json_object_get(network(n), "pounds"));
	int cc = 15, cv = 11, cp = 7, ct = 7, cpts = 12, cpay = pay ? 12 : 0;
	int cb = width - cc - cv - cp - ct - cpts - cpay;
	if (cb < 6)
		cb = 6;
	struct ac_figures f;
	ac_figures(ind, &f);
	tui_printf(w, y, x, cc, ST_NORMAL, true, " %s", ac_str(ind, "code"));
	tui_printf(w, y, x + cc, cv, !strcmp(f.val, "missing") ? ST_ERROR : ST_NORMAL, true, "%*s",
		   cv - 1, f.val);
	tui_printf(w, y, x + cc + cv, cp, ST_NORMAL, true, "%*s", cp - 1, f.pct);
	tui_printf(w, y, x + cc + cv + cp, ct, ST_DIM, true, "%*s", ct - 1, f.thr);
	ac_bar(w, y, x + cc + cv + cp + ct, cb - 1, ind);
	tui_clear(w, y, x + cc + cv + cp + ct + cb - 1, 1);
	tui_printf(w, y, x + cc + cv + cp + ct + cb, cpts, ST_NORMAL, true, "%*s", cpts - 1, f.avail);
	if (cpay)
		tui_printf(w, y, x + width - cpay, cpay, ST_NORMAL, true, "%*s", cpay, f.money);
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct net *n = ud;
	const struct row *r = &n->rows[row];
	char buf[64], pts[32], money[32] = "";
	switch (r->kind) {
	case ROW_SECTION:
		tui_put(w, y, x, width, r->text, ST_HEADING, true);
		break;
	case ROW_MEMBER: {
		json_t *m = json_array_get(json_object_get(n->net, "members"), r->g);
		const char *st = ac_str(m, "status");
		if (!strcmp(st, "NOT_RECORDED"))
			strlcpy_s(buf, "not recorded", sizeof buf);
		else
			snprintf(buf, sizeof buf, "%lld of %lld submitted", ac_int(m, "submitted"),
				 ac_int(m, "total"));
		bool complete = strcmp(st, "NOT_RECORDED") && ac_int(m, "submitted") >= ac_int(m, "total");
		tui_printf(w, y, x, width - 51, ST_NORMAL, true, " %-7s %s", ac_str(m, "practice"),
			   ac_str(m, "name"));
		tui_printf(w, y, x + width - 51, 31, ST_NORMAL, true, " %s",
			   ac_ach_status(st));
		tui_printf(w, y, x + width - 20, 20, complete ? ST_OK : ST_ERROR, true, "%s%s",
			   complete ? "" : "! ", buf);
		break;
	}
	case ROW_GAP: {
		json_t *g = json_array_get(json_object_get(n->net, "gaps"), r->g);
		tui_printf(w, y, x, width, ST_ERROR, true, " ! %s %s: %s", ac_str(g, "practice"),
			   ac_str(g, "name"), ac_str(g, "reason"));
		break;
	}
	case ROW_GROUP: {
		json_t *g = json_array_get(ngroups(n), r->g);
		ac_points(ac_int(g, "points_milli"), pts, sizeof pts);
		snprintf(buf, sizeof buf, "%s/%lld", pts, ac_int(g, "points_available"));
		if (ac_has(g, "pence"))
			money_format(ac_int(g, "pence"), money, sizeof money);
		tui_printf(w, y, x, width - 26, ST_LABEL, true, "%s %s%s", ac_str(g, "code"),
			   ac_str(g, "name"), strcmp(ac_str(g, "kind"), "mi") ? "" : " (MI)");
		tui_printf(w, y, x + width - 26, 26, ST_LABEL, true, "%13s %12s", buf, money);
		break;
	}
	case ROW_IND:
		draw_ind(n, w, y, x, width, row_ind(n, row));
		break;
	case ROW_NONE:
		break;
	}
	(void)cursor;
}

static const char *row_text(void *ud, size_t row)
{
	struct net *n = ud;
	if (row >= n->nrows)
		return "";
	const struct row *r = &n->rows[row];
	switch (r->kind) {
	case ROW_SECTION:
		return r->text;
	case ROW_MEMBER:
		return ac_str(json_array_get(json_object_get(n->net, "members"), r->g), "name");
	case ROW_GAP:
		return ac_str(json_array_get(json_object_get(n->net, "gaps"), r->g), "name");
	case ROW_GROUP:
		return ac_str(json_array_get(ngroups(n), r->g), "name");
	case ROW_IND:
		return ac_str(row_ind(n, row), "code");
	default:
		return "";
	}
}

static json_t *stuck_row(struct net *n, size_t i)
{
	return json_array_get(n->stuck, i);
}

static void draw_stuck(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct net *n = ud;
	json_t *st = stuck_row(n, row);
	char d[24];
	ac_date(ac_str(st, "date"), json_is_true(json_object_get(st, "payment")), d, sizeof d);
	tui_printf(w, y, x, 8, ST_NORMAL, true, "%s", ac_str(st, "organisation"));
	tui_printf(w, y, x + 8, 9, ST_NORMAL, true, "%s", ac_str(st, "kind"));
	tui_put(w, y, x + 17, 13, d, json_is_true(json_object_get(st, "payment")) ? ST_PAYMENT :
		ST_NORMAL, true);
	tui_put(w, y, x + 30, width - 30, ac_str(st, "reason"), ST_NORMAL, true);
	(void)cursor;
}

static const char *stuck_text(void *ud, size_t row)
{
	struct net *n = ud;
	json_t *st = stuck_row(n, row);
	return ac_str(st, "organisation_name");
}

/* ------------------------------------------------------------ loading */

static void load_network(struct net *n);
static void load_stuck(struct net *n);

/* Picks the service of the year (keeping the current one if it is in
 * that year) and loads the network. */
static void pick_service(struct net *n)
{
	if (!ac_sel_pick(&n->c, NULL))
		n->date[0] = '\0';
	load_network(n);
}

static void on_network(struct screen *s, const struct api_response *r)
{
	struct net *n = s->priv;
	n->c.loading = NULL;
	app_dirty(s->app);
	if (r->outcome == API_HTTP && r->status == 404 && !strcmp(r->err_code, "not_found") &&
	    !n->c.year_by_user && !n->date[0]) {
		/* the year has no achievement date yet: show the year before */
		char prev[8];
		if (ac_sel_service(&n->c, n->c.service_id) && ac_sel_year_before(&n->c, prev)) {
			app_message(s->app, MSG_INFO, "%s (showing %s; f changes it).", r->err_message,
				    prev);
			ac_sel_year(&n->c, prev);
			return;
		}
	}
	if (app_failed(s->app, r, "Loading the network achievement")) {
		ac_sel_error(&n->c, xasprintf("Could not load the network achievement: %s",
					     r->err_message));
		return;
	}
	size_t keep = n->list.cur;
	json_decref(n->net);
	n->net = json_incref(r->json);
	strlcpy_s(n->date, ac_str(n->net, "date"), sizeof n->date);
	build_rows(n);
	n->list.cur = keep < n->nrows ? keep : 0;
}

static void load_network(struct net *n)
{
	ac_sel_error(&n->c, NULL);
	if (!n->c.service_id) {
		ac_sel_error(&n->c, xasprintf("%s takes part in no network-level service in %s.", n->c.org,
					     n->c.year));
		return;
	}
	n->c.loading = "network achievement";
	app_call(n->s->app, n->s, call_network(n->c.org, n->c.service_id, n->date), on_network);
}

static void on_stuck(struct screen *s, const struct api_response *r)
{
	struct net *n = s->priv;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the stuck achievements")) {
		set_err(&n->stuck_error, xasprintf("Could not load the stuck achievements: %s",
						   r->err_message));
		return;
	}
	set_err(&n->stuck_error, NULL);
	json_decref(n->stuck);
	n->stuck = json_incref(json_object_get(r->json, "stuck"));
	if (!json_is_array(n->stuck)) {
		json_decref(n->stuck);
		n->stuck = json_array();
	}
	list_set_count(&n->slist, json_array_size(n->stuck));
}

static void load_stuck(struct net *n)
{
	app_call(n->s->app, n->s, call_network_stuck(), on_stuck);
}

/* ------------------------------------------------------------ ops */

/* Esc from the PCN's achievement: the dashboard, fetched again when a
 * value changed there. */
static void net_de_back(struct screen *s)
{
	struct net *n = s->priv;
	if (n->de.stale && n->c.org[0] && n->c.services)
		load_network(n);
	app_dirty(s->app);
}

static void net_init(struct screen *s)
{
	struct net *n = s->priv;
	n->s = s;
	de_init(&n->de, net_de_back);
	ac_sel_init(&n->c, s, &network_achievement_sel);
	list_init(&n->list, draw_row, row_text, n);
	list_init(&n->slist, draw_stuck, stuck_text, n);
	form_init(&n->form);
}

static void net_done(struct screen *s)
{
	struct net *n = s->priv;
	de_done(&n->de);
	clear_rows(n);
	list_free(&n->list);
	list_free(&n->slist);
	form_free(&n->form);
	ac_sel_done(&n->c);
	json_decref(n->net);
	json_decref(n->stuck);
	api_call_free(&n->mem_call);
	free(n->stuck_error);
}

static void net_open(struct screen *s)
{
	struct net *n = s->priv;
	if (de_active(s)) {
		de_refresh(s);
		return;
	}
	if (ac_commissioner(n->s)) {
		if (!n->c.org[0])
			n->view = V_STUCK;
		load_stuck(n);
	} else {
		ac_sel_own(&n->c);
	}
	if (!n->c.org[0])
		return;
	if (n->c.services)
		load_network(n);
	else
		ac_sel_load_services(&n->c);
}

/* --- choices */

static void on_date(void *ud, int result, const char *text)
{
	struct ac_sel *c = ud;
	struct net *n = c->s->priv;
	if (result >= 0 && (size_t)result < n->c.nchoice) {
		strlcpy_s(n->date, n->c.choice[result], sizeof n->date);
		n->c.year_by_user = true;
		load_network(n);
	}
	ac_sel_free_choice(&n->c);
}

static void choose_date(struct net *n)
{
	ac_sel_free_choice(&n->c);
	json_t *dates = json_object_get(n->net, "dates");
	size_t cnt = json_array_size(dates), cur = 0, i;
	if (!cnt) {
		app_message(n->s->app, MSG_INFO, "Load a service first: it has no achievement dates here.");
		return;
	}
	n->c.choice = xcalloc(cnt, sizeof(char *));
	char **items = xcalloc(cnt, sizeof(char *));
	json_t *d;
	json_array_foreach(dates, i, d) {
		char t[24];
		ac_date(ac_str(d, "date"), json_is_true(json_object_get(d, "payment")), t, sizeof t);
		if (!strcmp(ac_str(d, "date"), n->date))
			cur = i;
		items[i] = xasprintf("%s%s", t, json_is_true(json_object_get(d, "payment")) ?
				     " payment date" : "");
		n->c.choice[i] = xstrdup(ac_str(d, "date"));
	}
	n->c.nchoice = cnt;
	ac_sel_offer(&n->c, "Achievement date (* payment date)", items, cur, on_date);
}

/* --- breakdown and details */

static void breakdown(struct net *n)
{
	struct ac_lines l = {0};
	int w = ac_popup_width();
	char *title = NULL;
	char val[40];
	if (n->view == V_STUCK) {
		json_t *st = stuck_row(n, n->slist.cur);
		if (!st)
			return;
		char d[24];
		ac_date(ac_str(st, "date"), json_is_true(json_object_get(st, "payment")), d, sizeof d);
		title = xasprintf("Stuck: %s %s", ac_str(st, "organisation"), d);
		ac_add(&l, "%s %s (%s)", ac_str(st, "organisation"), ac_str(st, "organisation_name"),
		       ac_str(st, "kind"));
		ac_add(&l, "%s, %s, PCN %s", ac_str(st, "service"), d, ac_str(st, "pcn"));
		ac_add(&l, "\1Why it is stuck");
		ac_add_wrapped(&l, "", ac_str(st, "reason"), w);
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(st, "gaps"), i, g) {
			char *p = xasprintf("  %s %s: ", ac_str(g, "practice"), ac_str(g, "name"));
			ac_add_wrapped(&l, p, ac_str(g, "reason"), w);
			free(p);
		}
		ac_add(&l, "\1How to resolve it");
		json_t *a;
		json_array_foreach(json_object_get(st, "actions"), i, a) {
			const char *act = json_string_value(a);
			if (!act)
				continue;
			if (!strcmp(act, "enter_on_behalf"))
				ac_add(&l, "  e  enter the missing data on the practice's behalf");
			else if (!strcmp(act, "correct_membership"))
				ac_add(&l, "  m  correct the PCN membership");
			else if (!strcmp(act, "rerun_aggregation"))
				ac_add(&l, "  A  re-run the aggregation");
			else
				ac_add(&l, "  %s", act);
		}
	} else {
		json_t *ind = row_ind(n, n->list.cur);
		if (!ind) {
			app_message(n->s->app, MSG_INFO, "Put the cursor on a network figure to see its "
				    "breakdown.");
			return;
		}
		title = xasprintf("Breakdown: %s (network)", ac_str(ind, "code"));
		ac_add_wrapped(&l, "", ac_str(ind, "description"), w);
		ac_value(ind, val, sizeof val);
		ac_add(&l, "Network value: %s (the member practices' values added up)", val);
		ac_add_achieved(&l, ind, false);
		ac_add_explained(&l, ind, "Not calculated yet: the network figure is incomplete.", w);
	}
	app_popup(n->s->app, popup_text(title, l.v, l.n));
	free(title);
	ac_lines_free(&l);
}

/* --- resolving stuck achievements */

static void on_aggregated(struct screen *s, const struct api_response *r)
{
	struct net *n = s->priv;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Re-running the aggregation"))
		return;
	bool complete = json_is_true(json_object_get(r->json, "complete"));
	struct buf b;
	buf_init(&b);
	size_t i;
	json_t *g;
	json_array_foreach(json_object_get(r->json, "gaps"), i, g)
		buf_printf(&b, "%s%s", i ? ", " : " Gaps: ", ac_str(g, "practice"));
	app_message(s->app, complete ? MSG_OK : MSG_INFO, "Aggregation re-run: %s.%s",
		    ac_str(r->json, "message"), b.len ? b.data : "");
	buf_free(&b);
	load_stuck(n);
	if (n->c.org[0] && n->c.services)
		load_network(n);
}

static void rerun(struct net *n)
{
	const char *pcn = NULL, *date = NULL;
	long long service = 0;
	if (n->view == V_STUCK) {
		json_t *st = stuck_row(n, n->slist.cur);
		if (!st)
			return;
		pcn = ac_str(st, "pcn");
		date = ac_str(st, "date");
		service = ac_int(st, "service_id");
	} else if (n->net) {
		pcn = ac_str(json_object_get(n->net, "pcn"), "code");
		date = n->date;
		service = n->c.service_id;
	}
	if (!pcn || !*pcn || !date || !*date) {
		app_message(n->s->app, MSG_INFO, "Nothing to aggregate here: choose a stuck achievement "
			    "or a PCN first.");
		return;
	}
	app_message(n->s->app, MSG_INFO, "Re-running the aggregation of %s for %s...", pcn, date);
	app_call(n->s->app, n->s, call_network_aggregate(pcn, service, date), on_aggregated);
}

static void enter_on_behalf(struct net *n)
{
	json_t *gap = NULL, *st = NULL;
	if (n->view == V_STUCK) {
		st = stuck_row(n, n->slist.cur);
		gap = json_array_get(json_object_get(st, "gaps"), 0);
	} else if (n->list.cur < n->nrows && n->rows[n->list.cur].kind == ROW_GAP) {
		gap = json_array_get(json_object_get(n->net, "gaps"), n->rows[n->list.cur].g);
	} else {
		gap = json_array_get(json_object_get(n->net, "gaps"), 0);
	}
	if (!gap) {
		app_message(n->s->app, MSG_INFO, "No member practice is missing data here.");
		return;
	}
	char *what = xasprintf("Enter the missing data of %s %s (%s) on its behalf.",
			       ac_str(gap, "practice"), ac_str(gap, "name"), ac_str(gap, "reason"));
	if (!app_goto_subject(n->s->app, SCR_RECORD_PROVIDER_ACHIEVEMENT, "achievement",
			      (long)ac_int(gap, "achievement_id"))) {
		app_message(n->s->app, MSG_ERROR, "Entering data on a practice's behalf needs Achievement "
			    "Entry at a commissioning organisation.");
	} else {
		app_message(n->s->app, MSG_INFO, "%s", what);
	}
	free(what);
}

/* Whether E (enter-pcn-values) works here: a PCN Management user at a
 * PCN, or a commissioner with Achievement Entry looking at a PCN's
 * dashboard. The server still decides per indicator. */
static bool can_enter_pcn(struct net *n)
{
	if (n->view != V_DASH || n->form_open || !n->c.org[0])
		return false;
	unsigned roles = app_roles(n->s->app);
	if (ac_commissioner(n->s))
		return roles & R(ACHIEVEMENT_ENTRY);
	return !strcmp(ac_str(app_org(n->s->app), "kind"), "PCN") && (roles & R(PCN_MANAGEMENT));
}

static bool group_pcn_entered(json_t *g)
{
	size_t k;
	json_t *ind;
	json_array_foreach(json_object_get(g, "indicators"), k, ind)
		if (json_is_true(json_object_get(ind, "pcn_entered")))
			return true;
	return false;
}

/* Opens the PCN's own network achievement for the date shown: its groups,
 * the cursor on the group of the figure under the cursor when the PCN
 * enters values there, else on the first such group. */
static void enter_pcn_values(struct net *n)
{
	if (!can_enter_pcn(n)) {
		app_message(n->s->app, MSG_INFO, "Entering the PCN's own values needs PCN Management "
			    "at the PCN (or Achievement Entry at a commissioner).");
		return;
	}
	if (!n->net) {
		app_message(n->s->app, MSG_INFO, "Wait for the network achievement to load.");
		return;
	}
	json_t *pcn = json_object_get(n->net, "pcn"), *nw = network(n);
	char d[16];
	date_display(n->date, d);
	if (!json_is_object(nw) || !ac_has(nw, "achievement_id")) {
		app_message(n->s->app, MSG_ERROR, "%s %s has no network achievement for %s yet (it is "
			    "made when its members' data for that date arrive): there is nothing to "
			    "enter for this date.", ac_str(pcn, "code"), ac_str(pcn, "name"), d);
		return;
	}
	struct buf codes;
	buf_init(&codes);
	const char *want = "";
	size_t i;
	json_t *g;
	json_array_foreach(ngroups(n), i, g) {
		if (!group_pcn_entered(g))
			continue;
		buf_printf(&codes, "%s%s", codes.len ? ", " : "", ac_str(g, "code"));
		if (!*want)
			want = ac_str(g, "code");
	}
	if (n->list.cur < n->nrows && (n->rows[n->list.cur].kind == ROW_GROUP ||
				       n->rows[n->list.cur].kind == ROW_IND)) {
		g = json_array_get(ngroups(n), n->rows[n->list.cur].g);
		if (group_pcn_entered(g))
			want = ac_str(g, "code");
	}
	strlcpy_s(n->de.want_group, want, sizeof n->de.want_group);
	free(n->de.hint);
	n->de.hint = codes.len ?
		xasprintf("The PCN enters %s (Yes/No: y, n, or F4 for the drop-down; F8 submits). "
			  "The other groups hold the member practices' figures, read-only.", codes.data) :
		xstrdup("Enter opens a group; the server marks what the PCN may enter.");
	buf_free(&codes);
	de_open_achievement(n->s, ac_int(nw, "achievement_id"));
	app_message(n->s->app, MSG_INFO, "%s's own network achievement for %s (Esc: the dashboard).",
		    ac_str(pcn, "code"), d);
}

static void open_form(struct net *n)
{
	form_free(&n->form);
	form_init(&n->form);
	size_t a = form_add(&n->form, "Action", F_CHOICE, 20);
	form_set_options(&n->form, a, mem_actions, ARRAY_SIZE(mem_actions));
	form_add(&n->form, "Practice code", F_TEXT, 10);
	form_add(&n->form, "PCN code", F_TEXT, 10);
	form_add(&n->form, "Start date", F_DATE, 10);
	form_add(&n->form, "End date", F_DATE, 10);
	json_t *st = n->view == V_STUCK ? stuck_row(n, n->slist.cur) : NULL;
	const char *practice = "", *pcn = "", *date = "";
	if (st) {
		pcn = ac_str(st, "pcn");
		date = ac_str(st, "date");
		practice = !strcmp(ac_str(st, "kind"), "PRACTICE") ? ac_str(st, "organisation") :
			ac_str(json_array_get(json_object_get(st, "gaps"), 0), "practice");
	} else if (n->net) {
		pcn = ac_str(json_object_get(n->net, "pcn"), "code");
		date = n->date;
	}
	form_set(&n->form, MF_ACTION, mem_actions[0]);
	form_set(&n->form, MF_PRACTICE, practice);
	form_set(&n->form, MF_PCN, pcn);
	if (date_valid(date)) {
		char d[11];
		date_display(date, d);
		form_set(&n->form, MF_START, d);
	}
	n->form.focus = MF_PRACTICE;
	n->form_open = true;
}

/* Typed DD/MM/YYYY (or ISO) to ISO into out; false if empty. */
static bool form_date(struct net *n, size_t i, char out[11])
{
	char *t = form_get(&n->form, i);
	int64_t v = 0;
	char why[128];
	bool ok = *t && value_check(VK_DATE, NULL, t, &v, why, sizeof why);
	free(t);
	if (!ok)
		return false;
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", (int)(v / 10000), (int)(v / 100 % 100),
		 (int)(v % 100));
	strlcpy_s(out, tmp, 11);
	return true;
}

static void on_membership(struct screen *s, const struct api_response *r)
{
	struct net *n = s->priv;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Correcting the membership"))
		return;
	n->form_open = false;
	if (r->status == 201)
		app_message(s->app, MSG_OK, "Membership added: %s in %s from %s; the network figures it "
			    "touches were re-aggregated.", ac_str(r->json, "practice"),
			    ac_str(r->json, "pcn"), ac_str(r->json, "start_date"));
	else
		app_message(s->app, MSG_OK, "Membership %lld ended on %s; the network figures it touches "
			    "were re-aggregated.", ac_int(r->json, "id"), ac_str(r->json, "end_date"));
	load_stuck(n);
	if (n->c.org[0] && n->c.services)
		load_network(n);
}

static void on_mem_confirm(void *ud, int result, const char *text)
{
	struct net *n = ud;
	struct api_call call = n->mem_call;
	n->mem_call = (struct api_call){ 0 };
	if (result != POP_YES) {
		api_call_free(&call);
		app_message(n->s->app, MSG_INFO, "Membership not changed.");
		return;
	}
	app_call(n->s->app, n->s, call, on_membership);
}

static void on_practice_memberships(struct screen *s, const struct api_response *r)
{
	struct net *n = s->priv;
	if (app_failed(s->app, r, "Reading the practice's memberships"))
		return;
	json_t *found = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(r->json, "memberships"), i, m) {
		if (strcmp(ac_str(m, "pcn"), n->mem_pcn))
			continue;
		if (n->mem_start[0] ? !strcmp(ac_str(m, "start_date"), n->mem_start) :
		    !ac_has(m, "end_date"))
			found = m;
	}
	if (!found) {
		app_message(s->app, MSG_ERROR, "%s has no %smembership of %s%s%s.", n->mem_practice,
			    n->mem_start[0] ? "" : "current ", n->mem_pcn,
			    n->mem_start[0] ? " starting " : "", n->mem_start);
		return;
	}
	if (!ac_has(found, "id")) {
		app_message(s->app, MSG_ERROR, "The server does not say which membership this is (GET "
			    "/organisations/%s gives no membership id), so it cannot be ended here.",
			    n->mem_practice);
		return;
	}
	api_call_free(&n->mem_call);
	n->mem_call = call_membership_end(ac_int(found, "id"), n->mem_end);
	char *q = xasprintf("End the membership of %s in %s (from %s) on %s?", n->mem_practice,
			    n->mem_pcn, ac_str(found, "start_date"),
			    n->mem_end);
	app_popup(s->app, popup_confirm(q, on_mem_confirm, n));
	free(q);
}

static void submit_form(struct net *n)
{
	if (!form_validate(&n->form))
		return;
	char *action = form_get(&n->form, MF_ACTION);
	bool add = !strcmp(action, mem_actions[0]);
	free(action);
	char *practice = form_get(&n->form, MF_PRACTICE), *pcn = form_get(&n->form, MF_PCN);
	char start[11] = "", end[11] = "";
	bool has_start = form_date(n, MF_START, start), has_end = form_date(n, MF_END, end);
	bool ok = true;
	if (!*practice) {
		form_set_error(&n->form, MF_PRACTICE, "enter the practice's code");
		ok = false;
	}
	if (!*pcn) {
		form_set_error(&n->form, MF_PCN, "enter the PCN's code");
		ok = false;
	}
	if (add && !has_start) {
		form_set_error(&n->form, MF_START, "a new membership needs its start date");
		ok = false;
	}
	if (!add && !has_end) {
		form_set_error(&n->form, MF_END, "enter the date the membership ends");
		ok = false;
	}
	if (!ok)
		goto out;
	strlcpy_s(n->mem_practice, practice, sizeof n->mem_practice);
	strlcpy_s(n->mem_pcn, pcn, sizeof n->mem_pcn);
	strlcpy_s(n->mem_start, has_start ? start : "", sizeof n->mem_start);
	api_call_free(&n->mem_call);
	if (add) {
		n->mem_call = call_membership_add(pcn, practice, start, has_end ? end : NULL);
		char *q = xasprintf("Add %s to %s from %s%s%s?", practice, pcn, start,
				    has_end ? " to " : "", has_end ? end : "");
		app_popup(n->s->app, popup_confirm(q, on_mem_confirm, n));
		free(q);
	} else {
		strlcpy_s(n->mem_end, end, sizeof n->mem_end);
		app_call(n->s->app, n->s, call_org(practice), on_practice_memberships);
	}
out:
	free(practice);
	free(pcn);
}

static void on_form_choice(void *ud, int result, const char *text)
{
	struct net *n = ud;
	if (result >= 0 && (size_t)result < ARRAY_SIZE(mem_actions))
		form_set(&n->form, MF_ACTION, mem_actions[result]);
	app_dirty(n->s->app);
}

static enum wres net_action(struct screen *s, enum action a, int key)
{
	struct net *n = s->priv;
	if (de_active(s))
		return de_action(s, a, key);
	if (n->form_open) {
		if (a == ACT_BACK) {
			n->form_open = false;
			app_message(s->app, MSG_INFO, "Membership not changed.");
			return W_HANDLED;
		}
		enum wres w = form_action(&n->form, a, key);
		if (w == W_SUBMIT) {
			submit_form(n);
			return W_HANDLED;
		}
		if (w == W_OPEN) {
			app_popup(s->app, popup_choice("Action", mem_actions, ARRAY_SIZE(mem_actions),
						       n->form.f[MF_ACTION].choice, on_form_choice, n));
			return W_HANDLED;
		}
		return w == W_IGNORED && a != ACT_NONE && a != ACT_QUIT && a != ACT_HELP ?
			W_HANDLED : w;
	}
	struct list *cur = n->view == V_STUCK ? &n->slist : &n->list;
	if (cur->searching) {
		/* typing a search: letters such as E or c are text, not keys */
		enum wres w = list_action(cur, a, key);
		if (w != W_IGNORED)
			return w == W_OPEN ? W_HANDLED : w;
	}
	bool comm = ac_commissioner(n->s);
	switch (a) {
	case ACT_FILTER:
		ac_sel_filter(&n->c);
		return W_HANDLED;
	case ACT_CHOOSE_PROVIDER:
		if (!comm) {
			app_message(s->app, MSG_INFO, "You see your own PCN's network achievement.");
			return W_HANDLED;
		}
		ac_sel_choose_provider(&n->c);
		return W_HANDLED;
	case ACT_STUCK_VIEW:
		if (!comm) {
			app_message(s->app, MSG_INFO, "Stuck achievements are for commissioners.");
			return W_HANDLED;
		}
		n->view = n->view == V_STUCK ? V_DASH : V_STUCK;
		if (n->view == V_DASH && !n->c.org[0]) {
			json_t *st = stuck_row(n, n->slist.cur);
			if (st) {
				/* the dashboard of the stuck achievement's PCN */
				strlcpy_s(n->c.org, ac_str(st, "pcn"), sizeof n->c.org);
				free(n->c.org_name);
				n->c.org_name = xstrdup("");
				ac_sel_load_services(&n->c);
			}
		}
		return W_HANDLED;
	case ACT_BREAKDOWN:
		breakdown(n);
		return W_HANDLED;
	case ACT_REAGGREGATE:
		if (!comm) {
			app_message(s->app, MSG_INFO, "Re-running the aggregation is for the commissioner.");
			return W_HANDLED;
		}
		rerun(n);
		return W_HANDLED;
	case ACT_ENTER_ON_BEHALF:
		enter_on_behalf(n);
		return W_HANDLED;
	case ACT_ENTER_PCN_VALUES:
		enter_pcn_values(n);
		return W_HANDLED;
	case ACT_CORRECT_MEMBERSHIP:
		if (!comm) {
			app_message(s->app, MSG_INFO, "Correcting memberships is for the commissioner.");
			return W_HANDLED;
		}
		open_form(n);
		return W_HANDLED;
	default:
		break;
	}
	enum wres w = list_action(n->view == V_STUCK ? &n->slist : &n->list, a, key);
	if (w == W_OPEN) {
		breakdown(n);
		return W_HANDLED;
	}
	return w;
}

static enum context net_context(struct screen *s)
{
	struct net *n = s->priv;
	if (de_active(s))
		return de_context(s);
	return n->form_open ? CTX_FORM : CTX_RESULTS;
}

static void draw_form(struct net *n, WINDOW *w, int h, int width)
{
	tui_put(w, 0, 0, width, "Correct a PCN membership", ST_HEADING, true);
	tui_put(w, 1, 0, width, "Add a membership (start date, end date optional) or end one (end "
		"date). Enter submits, Esc cancels.", ST_DIM, true);
	form_draw(&n->form, w, 3, 2, 16);
	tui_put(w, 14, 0, width, "Every network achievement date the change touches is "
		"re-aggregated at once.", ST_DIM, true);
	n->s->show_cursor = true;
	n->s->cur_y = n->form.cur_y;
	n->s->cur_x = n->form.cur_x;
	(void)h;
}

static void draw_stuck_view(struct net *n, WINDOW *w, int h, int width)
{
	tui_put(w, 0, 0, width, "Achievements stuck in Awaiting Network Achievement (s: dashboard)",
		ST_HEADING, true);
	if (n->stuck_error) {
		tui_put(w, 2, 0, width, n->stuck_error, ST_ERROR, true);
		return;
	}
	if (!n->stuck) {
		tui_put(w, 2, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
		return;
	}
	if (!json_array_size(n->stuck)) {
		tui_put(w, 2, 0, width, "No achievement is stuck in Awaiting Network Achievement.",
			ST_OK, true);
		return;
	}
	tui_put(w, 1, 2, 8, "Org", ST_COLHEAD, true);
	tui_put(w, 1, 10, 9, "Kind", ST_COLHEAD, true);
	tui_put(w, 1, 19, 13, "Date", ST_COLHEAD, true);
	tui_put(w, 1, 32, width - 32, "Reason (Enter: details)", ST_COLHEAD, true);
	int lh = h - 7;
	list_draw(&n->slist, w, 2, 0, lh, width);
	json_t *st = stuck_row(n, n->slist.cur);
	if (st) {
		tui_printf(w, 2 + lh, 0, width, ST_NORMAL, true, "%s %s: %s", ac_str(st, "organisation"),
			   ac_str(st, "organisation_name"), ac_str(st, "service"));
		struct buf b;
		buf_init(&b);
		size_t i;
		json_t *g;
		json_array_foreach(json_object_get(st, "gaps"), i, g)
			buf_printf(&b, "%s%s: %s", i ? "; " : "Gaps: ", ac_str(g, "practice"),
				   ac_str(g, "reason"));
		/* the gaps whole, over two rows (Enter shows every detail) */
		size_t nl;
		char **v = tui_wrap(b.len ? b.data : "Gaps: none listed", width, width - 2, &nl);
		for (int k = 0; k < 2; k++)
			tui_printf(w, 3 + lh + k, 0, width, ST_ERROR, true, "%s%s", k ? "  " : "",
				   (size_t)k < nl ? v[k] : "");
		tui_wrap_free(v, nl);
		buf_free(&b);
	}
	tui_put(w, 5 + lh, 0, width, "Resolve: e enter data (practice)  m correct membership  "
		"A re-run aggregation", ST_LABEL, true);
	tui_put(w, 6 + lh, 0, width, "* payment date", ST_DIM, true);
}

static void net_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct net *n = s->priv;
	if (de_active(s)) {
		de_draw(s, w, h, width);
		return;
	}
	if (n->form_open) {
		draw_form(n, w, h, width);
		return;
	}
	if (n->view == V_STUCK) {
		draw_stuck_view(n, w, h, width);
		return;
	}
	json_t *pcn = json_object_get(n->net, "pcn");
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Network Achievement: %s %s%s%s", n->c.org,
		   n->c.org_name ? n->c.org_name : "", ac_commissioner(n->s) ? "  (s: stuck achievements)" :
		   "", "");
	if (!n->c.org[0]) {
		tui_put(w, 2, 0, width, "Choose a PCN or practice: press c.", ST_INFO, true);
		return;
	}
	json_t *sv = ac_sel_service(&n->c, n->c.service_id);
	char d[24] = "-";
	if (n->net)
		ac_date(n->date, json_is_true(json_object_get(n->net, "payment")), d, sizeof d);
	int x = tui_printf(w, 1, 0, width, ST_NORMAL, true, "Year %s  Service %s  Date ",
			   n->c.year[0] ? n->c.year : "-", sv ? ac_str(sv, "name") : "-");
	if (x < width - 14) {
		tui_put(w, 1, x, 13, d, n->net && json_is_true(json_object_get(n->net, "payment")) ?
			ST_PAYMENT : ST_NORMAL, false);
		tui_put(w, 1, x + 13, width - x - 13, " (f)", ST_DIM, false);
	}
	if (n->c.error) {
		tui_put(w, 3, 0, width, n->c.error, ST_ERROR, true);
		return;
	}
	if (!n->net) {
		tui_put(w, 3, 0, width, n->c.loading ? "Loading... (Esc stops it)" : "", ST_INFO, true);
		return;
	}
	tui_printf(w, 2, 0, width, ST_LABEL, true, "PCN %s %s", ac_str(pcn, "code"),
		   ac_str(pcn, "name"));
	int lh = h - 5;
	list_draw(&n->list, w, 3, 0, lh, width);
	json_t *ind = row_ind(n, n->list.cur);
	if (ind) {
		char *t = xasprintf("%s: %s", ac_str(ind, "code"), ac_str(ind, "description"));
		tui_put(w, 3 + lh, 0, width, t, ST_DIM, true);
		free(t);
	} else {
		tui_put(w, 3 + lh, 0, width, can_enter_pcn(n) ?
			"Enter or b: how a figure was calculated.  E: enter the PCN's own values." :
			"Enter or b on a network figure: how it was calculated.", ST_DIM, true);
	}
	tui_put(w, 4 + lh, 0, width, "Bar: # achieved  . not  | thresholds   ! incomplete   "
		"* payment date", ST_DIM, true);
}

static bool net_offers(struct screen *s, enum action a)
{
	struct net *n = s->priv;
	if (de_active(s))
		return de_offers(s, a);
	bool comm = ac_commissioner(n->s);
	switch (a) {
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
		return false;
	case ACT_ENTER_PCN_VALUES:
		return can_enter_pcn(n);
	case ACT_CHOOSE_PROVIDER:
	case ACT_STUCK_VIEW:
	case ACT_REAGGREGATE:
	case ACT_CORRECT_MEMBERSHIP:
	case ACT_ENTER_ON_BEHALF:
		return comm;
	default:
		return true;
	}
}

const struct screen_ops network_achievement_ops = {
	.offers = net_offers,
	.priv_size = sizeof(struct net),
	.init = net_init,
	.open = net_open,
	.draw = net_draw,
	.action = net_action,
	.context = net_context,
	.done = net_done,
	.unsaved = de_unsaved,
};

/* ------------------------------------------------------------ ac_sel */

static struct ac_sel *sel_of(struct screen *s)
{
	return &((struct net *)s->priv)->c;
}

/* Approved network-level services. */
static bool network_level(json_t *sv)
{
	return !strcmp(ac_str(sv, "level"), "NETWORK") &&
	       !strcmp(ac_str(json_object_get(sv, "offer"), "status"), "APPROVED");
}

static void sel_pick(struct ac_sel *c)
{
	pick_service(c->s->priv);
}

/* Another year: the server's default date in it. */
static void sel_year(struct ac_sel *c)
{
	struct net *n = c->s->priv;
	n->date[0] = '\0';
	pick_service(n);
}

static void sel_service(struct ac_sel *c)
{
	struct net *n = c->s->priv;
	n->date[0] = '\0';
	load_network(n);
}

static void sel_dates(struct ac_sel *c)
{
	choose_date(c->s->priv);
}

static void sel_reset(struct ac_sel *c)
{
	struct net *n = c->s->priv;
	json_decref(n->net);
	n->net = NULL;
	clear_rows(n);
	n->date[0] = '\0';
	n->view = V_DASH;
}

const struct ac_sel_ops network_achievement_sel = {
	.of = sel_of,
	.provider = "PCN or practice",
	.keep = network_level,
	.none = "takes part in no network-level service.",
	.pick = sel_pick,
	.year = sel_year,
	.service = sel_service,
	.dates = sel_dates,
	.reset = sel_reset,
};
