/* my_services.c: Participation Management > My Services, the practice's
 * side of participation: the quality services offered to the current
 * organisation (GET /offers), for the current financial year and in the
 * Offered status by default, with a Status and a financial year filter;
 * Enter views an offer (its service information, its domains as a tree,
 * its history) and Esc goes back to the list; Accept Service and Reject
 * Service act on the ticked offers (or the one under the cursor) after a
 * confirmation, with the results row by row. Users without Service
 * Management see the offers read-only. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/offer_view.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

struct ms {
	struct screen *s;
	char year[8];
	int status;             /* index into offer_status_codes */
	json_t *offers;         /* the rows; owned reference */
	char **text;            /* search text per row; owned */
	size_t ntext;
	struct list list;
	bool loading;
	char *error;            /* owned */
	bool viewing;           /* the offer view is shown */
	bool follow;            /* the view came from a task: align the filters */
	struct offer_view view;
	struct offer_results res;
	char *action;           /* "accept"/"reject" waiting for its confirmation */
	long *ids;              /* the offers it is for; owned */
	size_t nids;
	int filter_kind;        /* which filter the second drop-down sets */
};

static bool can_act(struct ms *m)
{
	return app_roles(m->s->app) & R(SERVICE_MANAGEMENT);
}

static json_t *row_at(struct ms *m, size_t i)
{
	return json_array_get(m->offers, i);
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct ms *m = ud;
	json_t *o = row_at(m, row), *svc = json_object_get(o, "service");
	char resp[11] = "-";
	if (ojstr(o, "response_date")[0])
		date_display(ojstr(o, "response_date"), resp);
	int nw = width - 22;
	if (nw < 10)
		nw = 10;
	char *name = xasprintf("%-4s%s", ojstr(svc, "payment_type"), ojstr(svc, "name"));
	tui_put(w, y, x, nw, name, ST_NORMAL, true);
	free(name);
	tui_put(w, y, x + nw, 1, " ", ST_NORMAL, true);
	tui_put(w, y, x + nw + 1, 10, offer_status_name(ojstr(o, "status")), ST_NORMAL, true);
	tui_put(w, y, x + nw + 11, width - nw - 11, resp, ST_NORMAL, true);
}

static const char *row_text(void *ud, size_t row)
{
	struct ms *m = ud;
	return row < m->ntext ? m->text[row] : "";
}

static const char *name_of(void *ud, long id)
{
	struct ms *m = ud;
	size_t i;
	json_t *o;
	json_array_foreach(m->offers, i, o)
		if (json_integer_value(json_object_get(o, "id")) == id)
			return ojstr(json_object_get(o, "service"), "name");
	if (m->view.offer && m->view.id == id)
		return ojstr(json_object_get(m->view.offer, "service"), "name");
	return NULL;
}

static void rows_clear(struct ms *m)
{
	for (size_t i = 0; i < m->ntext; i++)
		free(m->text[i]);
	xfree(&m->text);
	m->ntext = 0;
	json_decref(m->offers);
	m->offers = NULL;
	xfree(&m->error);
	list_set_count(&m->list, 0);
}

static void ms_init(struct screen *s)
{
	struct ms *m = s->priv;
	m->s = s;
	list_init(&m->list, draw_row, row_text, m);
	offer_view_init(&m->view);
}

static void ms_done(struct screen *s)
{
	struct ms *m = s->priv;
	rows_clear(m);
	list_free(&m->list);
	offer_view_clear(&m->view);
	offer_results_clear(&m->res);
	xfree(&m->action);
	xfree(&m->ids);
}

static void on_offers(struct screen *s, const struct api_response *r)
{
	struct ms *m = s->priv;
	m->loading = false;
	app_dirty(s->app);
	rows_clear(m);
	if (app_failed(s->app, r, "Loading your offered services")) {
		m->error = xasprintf("Could not load the offered services: %s", r->err_message);
		return;
	}
	json_t *arr = json_object_get(r->json, "offers");
	m->offers = json_is_array(arr) ? json_incref(arr) : json_array();
	m->ntext = json_array_size(m->offers);
	m->text = xcalloc(m->ntext ? m->ntext : 1, sizeof(char *));
	for (size_t i = 0; i < m->ntext; i++) {
		json_t *svc = json_object_get(row_at(m, i), "service");
		m->text[i] = xasprintf("%s %s", ojstr(svc, "display_name"), ojstr(svc, "code"));
	}
	list_set_count(&m->list, m->ntext);
	list_set_taggable(&m->list, can_act(m));
	if (m->list.tags)
		memset(m->list.tags, 0, (m->list.n ? m->list.n : 1) * sizeof(bool));
}

static void load(struct ms *m)
{
	if (!m->year[0]) {
		const char *fy = ojstr(app_me(m->s->app), "financial_year");
		if (fy_valid(fy))
			strlcpy_s(m->year, fy, sizeof(m->year));
	}
	struct offers_q q = {
		.year = m->year,
		.status = offer_status_codes[m->status],
		.organisation = app_org_code(m->s->app),
	};
	m->loading = true;
	app_call(m->s->app, m->s, call_offers(&q), on_offers);
}

static void on_view(struct screen *s, const struct api_response *r);

static void ms_open(struct screen *s)
{
	struct ms *m = s->priv;
	load(m);
	if (m->viewing && m->view.id)
		offer_view_load(&m->view, s, m->view.id, on_view);
}

static void on_view(struct screen *s, const struct api_response *r)
{
	struct ms *m = s->priv;
	if (!offer_view_loaded(&m->view, s->app, r) || !m->follow)
		return;
	/* opened from a task: the list behind it shows the offer's year and
	 * status, so Esc goes back to where the offer is listed */
	m->follow = false;
	json_t *o = m->view.offer;
	const char *fy = ojstr(json_object_get(o, "service"), "financial_year");
	int st = offer_status_index(ojstr(o, "status"));
	if (fy_valid(fy) && st >= 0 && (strcmp(fy, m->year) != 0 || st != m->status)) {
		strlcpy_s(m->year, fy, sizeof(m->year));
		m->status = st;
		load(m);
	}
}

static void open_view(struct ms *m, long id)
{
	m->viewing = true;
	offer_view_load(&m->view, m->s, id, on_view);
}

static bool ms_subject(struct screen *s, const char *type, long id)
{
	struct ms *m = s->priv;
	if (strcmp(type, "offer") != 0)
		return false;
	m->follow = true;
	open_view(m, id);
	return true;
}

/* ------------------------------------------------------------ filters */

static void on_filter_value(void *ud, int result, const char *text)
{
	struct ms *m = ud;
	if (result < 0)
		return;
	if (m->filter_kind == 0) {
		m->status = result < OFFER_NSTATUS ? result : 0;
	} else {
		char years[5][8];
		size_t n = offer_fy_choices(ojstr(app_me(m->s->app), "financial_year"), years);
		if ((size_t)result < n)
			strlcpy_s(m->year, years[result], sizeof(m->year));
	}
	offer_results_clear(&m->res);
	app_message(m->s->app, MSG_INFO, "Showing %s services for %s.",
		    offer_status_names[m->status], m->year);
	load(m);
	app_dirty(m->s->app);
}

static void on_filter_kind(void *ud, int result, const char *text)
{
	struct ms *m = ud;
	if (result < 0)
		return;
	m->filter_kind = result;
	if (result == 0) {
		app_popup(m->s->app, popup_choice("Quality Service Status", offer_status_names,
						  OFFER_NSTATUS, (size_t)m->status,
						  on_filter_value, m));
		return;
	}
	char years[5][8];
	const char *items[5];
	size_t n = offer_fy_choices(ojstr(app_me(m->s->app), "financial_year"), years), cur = 0;
	for (size_t i = 0; i < n; i++) {
		items[i] = years[i];
		if (strcmp(years[i], m->year) == 0)
			cur = i;
	}
	app_popup(m->s->app, popup_choice("Financial year", items, n, cur, on_filter_value, m));
}

static void choose_filter(struct ms *m)
{
	char a[64], b[64];
	snprintf(a, sizeof(a), "Status: %s", offer_status_names[m->status]);
	snprintf(b, sizeof(b), "Financial year: %s", m->year);
	const char *items[] = {a, b};
	app_popup(m->s->app, popup_choice("Filter", items, 2, 0, on_filter_kind, m));
}

/* ------------------------------------------------------------ actions */

static void on_acted(struct screen *s, const struct api_response *r)
{
	struct ms *m = s->priv;
	char what[32];
	snprintf(what, sizeof(what), "%s Service",
		 m->action && strcmp(m->action, "accept") == 0 ? "Accept" : "Reject");
	offer_results_set(&m->res, s->app, what, r, name_of, m);
	xfree(&m->action);
	xfree(&m->ids);
	m->nids = 0;
	load(m);
	if (m->viewing && m->view.id)
		offer_view_load(&m->view, s, m->view.id, on_view);
	app_dirty(s->app);
}

static void on_confirm(void *ud, int result, const char *text)
{
	struct ms *m = ud;
	if (result != POP_YES) {
		app_message(m->s->app, MSG_INFO, "Nothing was %s.",
			    strcmp(m->action, "accept") == 0 ? "accepted" : "rejected");
		xfree(&m->action);
		xfree(&m->ids);
		m->nids = 0;
		return;
	}
	app_message(m->s->app, MSG_INFO, "Sending...");
	app_call(m->s->app, m->s, call_offers_action(m->action, m->ids, m->nids), on_acted);
}

static void act(struct ms *m, const char *action)
{
	const char *verb = strcmp(action, "accept") == 0 ? "Accept" : "Reject";
	if (!can_act(m)) {
		app_message(m->s->app, MSG_INFO, "Read-only: %s Service needs the Service Management "
			    "role at %s.", verb, app_org_code(m->s->app));
		return;
	}
	if (m->action)
		return;
	xfree(&m->ids);
	m->nids = 0;
	const char *one = NULL;
	if (m->viewing) {
		if (!m->view.offer)
			return;
		m->ids = xcalloc(1, sizeof(long));
		m->ids[m->nids++] = m->view.id;
		one = ojstr(json_object_get(m->view.offer, "service"), "name");
	} else {
		size_t n = m->list.n;
		m->ids = xcalloc(n ? n : 1, sizeof(long));
		for (size_t i = 0; i < n; i++)
			if (list_is_tagged(&m->list, i))
				m->ids[m->nids++] = (long)json_integer_value(
					json_object_get(row_at(m, i), "id"));
		if (!m->nids && n) {
			json_t *o = row_at(m, m->list.cur);
			m->ids[m->nids++] = (long)json_integer_value(json_object_get(o, "id"));
			one = ojstr(json_object_get(o, "service"), "name");
		} else if (m->nids == 1) {
			for (size_t i = 0; i < n; i++)
				if (list_is_tagged(&m->list, i))
					one = ojstr(json_object_get(row_at(m, i), "service"), "name");
		}
	}
	if (!m->nids) {
		app_message(m->s->app, MSG_INFO, "There is no service here to %s.",
			    strcmp(action, "accept") == 0 ? "accept" : "reject");
		xfree(&m->ids);
		return;
	}
	m->action = xstrdup(action);
	char *q = one ? xasprintf("%s Service: %s?", verb, one)
		      : xasprintf("%s Service for the %zu ticked services?", verb, m->nids);
	app_popup(m->s->app, popup_confirm(q, on_confirm, m));
	free(q);
}

static enum wres ms_action(struct screen *s, enum action a, int key)
{
	struct ms *m = s->priv;
	if (a == ACT_ACCEPT || a == ACT_REJECT) {
		act(m, a == ACT_ACCEPT ? "accept" : "reject");
		return W_HANDLED;
	}
	if (m->viewing) {
		if (a == ACT_BACK && !m->view.tree.list.searching) {
			m->viewing = false;
			m->follow = false;
			offer_view_clear(&m->view);
			app_message(s->app, MSG_INFO, "%s", "");
			return W_HANDLED;
		}
		if (a == ACT_FILTER)
			return W_HANDLED;
		return offer_view_action(&m->view, a, key);
	}
	if (a == ACT_FILTER && !m->list.searching) {
		choose_filter(m);
		return W_HANDLED;
	}
	if (a == ACT_BACK && m->res.n && !m->list.searching) {
		offer_results_clear(&m->res);
		return W_HANDLED;
	}
	enum wres r = list_action(&m->list, a, key);
	if (r == W_OPEN) {
		if (m->list.n)
			open_view(m, (long)json_integer_value(
				json_object_get(row_at(m, m->list.cur), "id")));
		return W_HANDLED;
	}
	if (r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL) && !can_act(m)) {
		app_message(s->app, MSG_INFO, "Read-only: there is nothing to tick without the "
			    "Service Management role.");
		return W_HANDLED;
	}
	return r;
}

static enum context ms_context(struct screen *s)
{
	struct ms *m = s->priv;
	if (m->viewing)
		return CTX_OFFER;
	return CTX_OFFERS;
}

static void ms_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct ms *m = s->priv;
	if (m->viewing) {
		offer_view_draw(&m->view, w, 0, h, width, can_act(m)
				? "Esc: Back to Select a Quality Service  +/- expand, collapse  "
				  "A accept, R reject"
				: "Esc: Back to Select a Quality Service  +/- expand, collapse  "
				  "(read-only)");
		return;
	}
	json_t *org = app_org(s->app);
	tui_printf(w, 0, 0, width, ST_HEADING, true, "My Services: offered to %s %s",
		   ojstr(org, "code"), ojstr(org, "name"));
	tui_printf(w, 1, 0, width, ST_LABEL, true, "Financial year: %s   Status: %s   (f changes them)",
		   m->year, offer_status_names[m->status]);
	tui_put(w, 2, 0, width, can_act(m)
		? "Enter views, Space ticks, a all, A Accept, R Reject; PO = participation only"
		: "Enter views an offer. Read-only: your roles here do not include Service Management.",
		ST_DIM, true);
	int y = 3;
	if (m->loading && !m->offers) {
		tui_put(w, y, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
		return;
	}
	if (m->error) {
		tui_printf(w, y, 0, width, ST_ERROR, true, "Error: %s", m->error);
		return;
	}
	if (!m->offers)
		return;
	int resrows = m->res.n ? (int)(m->res.n + 1 < 5 ? m->res.n + 1 : 5) : 0;
	if (resrows)
		offer_results_draw(&m->res, w, h - resrows, resrows, width);
	if (!m->list.n) {
		tui_printf(w, y + 1, 0, width, ST_INFO, true, "There are no %s services for %s.",
			   offer_status_names[m->status], m->year);
		tui_put(w, y + 2, 0, width, "f changes the status or the financial year.", ST_DIM,
			true);
		return;
	}
	int x = 2 + (m->list.taggable ? 4 : 0);
	int nw = width - x - 22;
	tui_clear(w, y, 0, x);
	tui_put(w, y, x, nw + 1, "Quality Service", ST_COLHEAD, true);
	tui_put(w, y, x + nw + 1, 10, "Status", ST_COLHEAD, true);
	tui_put(w, y, x + nw + 11, width - x - nw - 11, "Respond by", ST_COLHEAD, true);
	list_draw(&m->list, w, y + 1, 0, h - y - 1 - resrows, width);
}

static bool ms_offers(struct screen *s, enum action a)
{
	struct ms *m = s->priv;
	switch (a) {
	case ACT_ACCEPT:
	case ACT_REJECT:
		return can_act(m) && (m->viewing ? m->view.offer != NULL : m->list.n > 0);
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
		return !m->viewing && m->list.taggable && m->list.n > 0;
	case ACT_FILTER:
		return !m->viewing;
	case ACT_SEARCH:
		/* the bar has no room for it beside Accept and Reject; / works */
		return !can_act(m);
	default:
		return true;
	}
}

const struct screen_ops my_services_ops = {
	.priv_size = sizeof(struct ms),
	.init = ms_init,
	.open = ms_open,
	.draw = ms_draw,
	.action = ms_action,
	.context = ms_context,
	.done = ms_done,
	.offers = ms_offers,
	.subject = ms_subject,
};
