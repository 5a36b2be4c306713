/* offered_services.c: Participation Management > Offered Services, the
 * commissioner's view of what it has offered: the quality services offered
 * in a financial year (the current one by default) with their providers
 * counted by status, all from one GET /offers?year=; Enter on a service
 * lists its service providers in one status (Offered by default; the
 * Status filter gives Approved, Rejected and Cancelled) with checkboxes
 * and Select All; Withdraw Service (Offered) and Cancel Service (Approved,
 * Rejected) act on the ticked providers after a Yes/No confirmation, the
 * results are shown row by row and the list is fetched again. Enter on a
 * provider shows that offer with its history. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "screens/offer_view.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

struct svc_row {
	json_t *service;         /* borrowed from all */
	long id;
	size_t count[OFFER_NSTATUS];
};

struct os {
	struct screen *s;
	char year[8];
	int status;              /* index into offer_status_codes */
	json_t *all;             /* GET /offers?year=; owned reference */
	struct svc_row *svcs;    /* owned */
	size_t nsvcs;
	struct list slist;       /* the services */
	long service;            /* chosen service id; 0: none */
	size_t *rows;            /* indexes into all for the chosen service and status */
	size_t nrows;
	char **text;             /* search text per provider row; owned */
	struct list plist;       /* its providers */
	bool loading;
	char *error;             /* owned */
	bool viewing;
	bool follow;             /* view opened from a task: align the filters */
	struct offer_view view;
	struct offer_results res;
	char *action;            /* "withdraw"/"cancel" waiting for confirmation */
	long *ids;               /* owned */
	size_t nids;
	int filter_kind;
};

static bool can_act(struct os *m)
{
	return app_roles(m->s->app) & R(COMMISSIONING_MANAGEMENT);
}

static json_t *prow(struct os *m, size_t i)
{
	return i < m->nrows ? json_array_get(m->all, m->rows[i]) : NULL;
}

static const char *service_name(struct os *m)
{
	for (size_t i = 0; i < m->nsvcs; i++)
		if (m->svcs[i].id == m->service)
			return ojstr(m->svcs[i].service, "name");
	return "";
}

static void draw_service(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct os *m = ud;
	struct svc_row *r = &m->svcs[row];
	int nw = width - 36;
	tui_put(w, y, x, nw, ojstr(r->service, "name"), ST_NORMAL, true);
	for (int k = 0; k < OFFER_NSTATUS; k++)
		tui_printf(w, y, x + nw + k * 9, 9, ST_NORMAL, true, "%9zu", r->count[k]);
}

static const char *service_text(void *ud, size_t row)
{
	struct os *m = ud;
	return row < m->nsvcs ? ojstr(m->svcs[row].service, "display_name") : "";
}

static void draw_provider(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct os *m = ud;
	json_t *o = prow(m, row), *org = json_object_get(o, "organisation");
	time_t at = (time_t)json_integer_value(json_object_get(o, "updated_at"));
	struct tm tm;
	char when[11] = "", resp[11] = "-";
	if (gmtime_r(&at, &tm))
		strftime(when, sizeof(when), "%d/%m/%Y", &tm);
	if (ojstr(o, "response_date")[0])
		date_display(ojstr(o, "response_date"), resp);
	int nw = width - 42;
	if (nw < 10)
		nw = 10;
	tui_put(w, y, x, 7, ojstr(org, "code"), ST_NORMAL, true);
	tui_put(w, y, x + 7, nw, ojstr(org, "name"), ST_NORMAL, true);
	const char *via = ojstr(o, "via_pcn");
	char *kind = via[0] ? xasprintf("via %s", via) : xstrdup(ojstr(org, "kind"));
	tui_put(w, y, x + 7 + nw, 12, kind, ST_NORMAL, true);
	free(kind);
	tui_put(w, y, x + 19 + nw, 11, resp, ST_NORMAL, true);
	tui_put(w, y, x + 30 + nw, width - 30 - nw, when, ST_NORMAL, true);
}

static const char *provider_text(void *ud, size_t row)
{
	struct os *m = ud;
	return row < m->nrows ? m->text[row] : "";
}

static const char *name_of(void *ud, long id)
{
	struct os *m = ud;
	size_t i;
	json_t *o;
	json_array_foreach(m->all, i, o)
		if (json_integer_value(json_object_get(o, "id")) == id)
			return ojstr(json_object_get(o, "organisation"), "name");
	return NULL;
}

/* Recomputes the provider rows of the chosen service in the chosen status. */
static void filter_rows(struct os *m)
{
	for (size_t i = 0; i < m->nrows; i++)
		free(m->text[i]);
	xfree(&m->text);
	xfree(&m->rows);
	m->nrows = 0;
	size_t n = json_array_size(m->all);
	m->rows = xcalloc(n ? n : 1, sizeof(size_t));
	m->text = xcalloc(n ? n : 1, sizeof(char *));
	size_t i;
	json_t *o;
	json_array_foreach(m->all, i, o) {
		if (json_integer_value(json_object_get(json_object_get(o, "service"), "id")) !=
		    m->service || strcmp(ojstr(o, "status"), offer_status_codes[m->status]) != 0)
			continue;
		json_t *org = json_object_get(o, "organisation");
		m->text[m->nrows] = xasprintf("%s %s", ojstr(org, "code"), ojstr(org, "name"));
		m->rows[m->nrows++] = i;
	}
	list_set_count(&m->plist, m->nrows);
	list_set_taggable(&m->plist, can_act(m));
	if (m->plist.tags)
		memset(m->plist.tags, 0, (m->nrows ? m->nrows : 1) * sizeof(bool));
}

static void data_clear(struct os *m)
{
	json_decref(m->all);
	m->all = NULL;
	xfree(&m->svcs);
	m->nsvcs = 0;
	for (size_t i = 0; i < m->nrows; i++)
		free(m->text[i]);
	xfree(&m->text);
	xfree(&m->rows);
	m->nrows = 0;
	xfree(&m->error);
	list_set_count(&m->slist, 0);
	list_set_count(&m->plist, 0);
}

static void os_init(struct screen *s)
{
	struct os *m = s->priv;
	m->s = s;
	list_init(&m->slist, draw_service, service_text, m);
	list_init(&m->plist, draw_provider, provider_text, m);
	offer_view_init(&m->view);
}

static void os_done(struct screen *s)
{
	struct os *m = s->priv;
	data_clear(m);
	list_free(&m->slist);
	list_free(&m->plist);
	offer_view_clear(&m->view);
	offer_results_clear(&m->res);
	xfree(&m->action);
	xfree(&m->ids);
}

static void on_offers(struct screen *s, const struct api_response *r)
{
	struct os *m = s->priv;
	m->loading = false;
	app_dirty(s->app);
	data_clear(m);
	if (app_failed(s->app, r, "Loading the offered services")) {
		m->error = xasprintf("Could not load the offered services: %s", r->err_message);
		return;
	}
	json_t *arr = json_object_get(r->json, "offers");
	m->all = json_is_array(arr) ? json_incref(arr) : json_array();
	size_t n = json_array_size(m->all);
	m->svcs = xcalloc(n ? n : 1, sizeof(struct svc_row));
	size_t i;
	json_t *o;
	json_array_foreach(m->all, i, o) {
		json_t *svc = json_object_get(o, "service");
		long id = (long)json_integer_value(json_object_get(svc, "id"));
		size_t k;
		for (k = 0; k < m->nsvcs; k++)
			if (m->svcs[k].id == id)
				break;
		if (k == m->nsvcs) {
			m->svcs[k].service = svc;
			m->svcs[k].id = id;
			m->nsvcs++;
		}
		int st = offer_status_index(ojstr(o, "status"));
		if (st >= 0)
			m->svcs[k].count[st]++;
	}
	list_set_count(&m->slist, m->nsvcs);
	if (m->service)
		filter_rows(m);
}

static void load(struct os *m)
{
	if (!m->year[0]) {
		const char *fy = ojstr(app_me(m->s->app), "financial_year");
		if (fy_valid(fy))
			strlcpy_s(m->year, fy, sizeof(m->year));
	}
	m->loading = true;
	app_call(m->s->app, m->s, call_offers(&(struct offers_q){ .year = m->year }), on_offers);
}

static void on_view(struct screen *s, const struct api_response *r)
{
	struct os *m = s->priv;
	if (!offer_view_loaded(&m->view, s->app, r) || !m->follow)
		return;
	/* opened from a task: behind the view, the providers of that service
	 * in the offer's status, so Esc goes back to where it is listed */
	m->follow = false;
	json_t *o = m->view.offer, *svc = json_object_get(o, "service");
	const char *fy = ojstr(svc, "financial_year");
	int st = offer_status_index(ojstr(o, "status"));
	if (!fy_valid(fy) || st < 0)
		return;
	m->service = (long)json_integer_value(json_object_get(svc, "id"));
	m->status = st;
	if (strcmp(fy, m->year) != 0) {
		strlcpy_s(m->year, fy, sizeof(m->year));
		load(m);
	} else if (m->all) {
		filter_rows(m);
	}
}

static void os_open(struct screen *s)
{
	struct os *m = s->priv;
	load(m);
	if (m->viewing && m->view.id)
		offer_view_load(&m->view, s, m->view.id, on_view);
}

static void open_view(struct os *m, long id)
{
	m->viewing = true;
	offer_view_load(&m->view, m->s, id, on_view);
}

static bool os_subject(struct screen *s, const char *type, long id)
{
	struct os *m = s->priv;
	if (strcmp(type, "offer") != 0)
		return false;
	m->follow = true;
	open_view(m, id);
	return true;
}

/* ------------------------------------------------------------ filters */

static void on_filter_value(void *ud, int result, const char *text)
{
	struct os *m = ud;
	if (result < 0)
		return;
	offer_results_clear(&m->res);
	if (m->filter_kind == 0) {
		m->status = result < OFFER_NSTATUS ? result : 0;
		filter_rows(m);
		app_message(m->s->app, MSG_INFO, "Showing the %s providers of %s.",
			    offer_status_names[m->status], service_name(m));
	} else {
		char years[5][8];
		size_t n = offer_fy_choices(ojstr(app_me(m->s->app), "financial_year"), years);
		if ((size_t)result < n)
			strlcpy_s(m->year, years[result], sizeof(m->year));
		m->service = 0;
		app_message(m->s->app, MSG_INFO, "Services offered in %s.", m->year);
		load(m);
	}
	app_dirty(m->s->app);
}

static void choose_year(struct os *m)
{
	m->filter_kind = 1;
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

static void on_filter_kind(void *ud, int result, const char *text)
{
	struct os *m = ud;
	if (result < 0)
		return;
	if (result == 1) {
		choose_year(m);
		return;
	}
	m->filter_kind = 0;
	app_popup(m->s->app, popup_choice("Status", offer_status_names, OFFER_NSTATUS,
					  (size_t)m->status, on_filter_value, m));
}

static void choose_filter(struct os *m)
{
	if (!m->service) {
		choose_year(m);
		return;
	}
	char a[64], b[64];
	snprintf(a, sizeof(a), "Status: %s", offer_status_names[m->status]);
	snprintf(b, sizeof(b), "Financial year: %s", m->year);
	const char *items[] = {a, b};
	app_popup(m->s->app, popup_choice("Filter", items, 2, 0, on_filter_kind, m));
}

/* ------------------------------------------------------------ actions */

static const char *verb_of(const char *action)
{
	return strcmp(action, "withdraw") == 0 ? "Withdraw" : "Cancel";
}

static void on_acted(struct screen *s, const struct api_response *r)
{
	struct os *m = s->priv;
	char what[32];
	snprintf(what, sizeof(what), "%s Service", m->action ? verb_of(m->action) : "");
	offer_results_set(&m->res, s->app, what, r, name_of, m);
	xfree(&m->action);
	xfree(&m->ids);
	m->nids = 0;
	load(m);
	app_dirty(s->app);
}

static void on_confirm(void *ud, int result, const char *text)
{
	struct os *m = ud;
	if (result != POP_YES) {
		app_message(m->s->app, MSG_INFO, "Nothing was %s.",
			    strcmp(m->action, "withdraw") == 0 ? "withdrawn" : "cancelled");
		xfree(&m->action);
		xfree(&m->ids);
		m->nids = 0;
		return;
	}
	app_message(m->s->app, MSG_INFO, "Sending...");
	app_call(m->s->app, m->s, call_offers_action(m->action, m->ids, m->nids), on_acted);
}

static void act(struct os *m, const char *action)
{
	const char *verb = verb_of(action);
	if (!can_act(m)) {
		app_message(m->s->app, MSG_INFO, "Read-only: %s Service needs the Commissioning "
			    "Management role.", verb);
		return;
	}
	if (m->action)
		return;
	if (!m->service || m->viewing) {
		app_message(m->s->app, MSG_INFO, "Choose a service (Enter), then tick its service "
			    "providers to %s.", strcmp(action, "withdraw") == 0 ? "withdraw" : "cancel");
		return;
	}
	xfree(&m->ids);
	m->nids = 0;
	m->ids = xcalloc(m->nrows ? m->nrows : 1, sizeof(long));
	const char *one = NULL;
	for (size_t i = 0; i < m->nrows; i++)
		if (list_is_tagged(&m->plist, i)) {
			json_t *o = prow(m, i);
			m->ids[m->nids++] = (long)json_integer_value(json_object_get(o, "id"));
			one = ojstr(json_object_get(o, "organisation"), "code");
		}
	if (!m->nids) {
		app_message(m->s->app, MSG_INFO, "Tick the service providers first (Space, or a for "
			    "Select All).");
		xfree(&m->ids);
		return;
	}
	m->action = xstrdup(action);
	char *q = m->nids == 1 ? xasprintf("%s Service for %s %s?", verb, one, name_of(m,
					   m->ids[0]) ? name_of(m, m->ids[0]) : "")
			       : xasprintf("%s Service for %zu service providers?", verb, m->nids);
	app_popup(m->s->app, popup_confirm(q, on_confirm, m));
	free(q);
}

static enum wres os_action(struct screen *s, enum action a, int key)
{
	struct os *m = s->priv;
	if (a == ACT_WITHDRAW || a == ACT_CANCEL_SERVICE) {
		act(m, a == ACT_WITHDRAW ? "withdraw" : "cancel");
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
	struct list *l = m->service ? &m->plist : &m->slist;
	if (!l->searching) {
		if (a == ACT_FILTER) {
			choose_filter(m);
			return W_HANDLED;
		}
		if (a == ACT_BACK && m->res.n) {
			offer_results_clear(&m->res);
			return W_HANDLED;
		}
		if (a == ACT_BACK && m->service) {
			m->service = 0;
			app_message(s->app, MSG_INFO, "%s", "");
			return W_HANDLED;
		}
	}
	enum wres r = list_action(l, a, key);
	if (r == W_OPEN) {
		if (!m->service && m->nsvcs) {
			m->service = m->svcs[m->slist.cur].id;
			m->plist.cur = m->plist.top = 0;
			offer_results_clear(&m->res);
			filter_rows(m);
		} else if (m->service && m->nrows) {
			open_view(m, (long)json_integer_value(
				json_object_get(prow(m, m->plist.cur), "id")));
		}
		return W_HANDLED;
	}
	if (r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL)) {
		app_message(s->app, MSG_INFO, m->service ? "Read-only: your roles do not allow "
			    "withdrawing or cancelling." : "Choose a service first (Enter).");
		return W_HANDLED;
	}
	return r;
}

static enum context os_context(struct screen *s)
{
	struct os *m = s->priv;
	if (m->viewing)
		return CTX_TREE;
	return m->service ? CTX_OFFERED : CTX_LIST;
}

static void os_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct os *m = s->priv;
	if (m->viewing) {
		offer_view_draw(&m->view, w, 0, h, width, "Esc: back to the service providers   "
				"Enter/+/- expand, collapse");
		return;
	}
	if (!m->service)
		tui_printf(w, 0, 0, width, ST_HEADING, true, "Offered Services: quality services "
			   "offered in %s", m->year);
	else
		tui_printf(w, 0, 0, width, ST_HEADING, true, "Offered Services: %s", service_name(m));
	if (!m->service) {
		tui_printf(w, 1, 0, width, ST_LABEL, true, "Financial year: %s   (f changes it)",
			   m->year);
		tui_put(w, 2, 0, width, "Enter shows a service's providers in a status.", ST_DIM, true);
	} else {
		size_t c[OFFER_NSTATUS] = {0};
		for (size_t i = 0; i < m->nsvcs; i++)
			if (m->svcs[i].id == m->service)
				memcpy(c, m->svcs[i].count, sizeof(c));
		tui_printf(w, 1, 0, width, ST_LABEL, true,
			   "Status: %s  %s  Offered %zu, Approved %zu, Rejected %zu, Cancelled %zu",
			   offer_status_names[m->status], m->year, c[0], c[1], c[2], c[3]);
		tui_put(w, 2, 0, width, !can_act(m) ? "f status; Enter views; Esc back. Read-only."
			: m->status == 0
			? "Space ticks, a all; W Withdraw Service; f status; Enter views; Esc back"
			: m->status == 3
			? "Cancelled and withdrawn offers; f status; Enter views; Esc back"
			: "Space ticks, a all; C Cancel Service; f status; Enter views; Esc back",
			ST_DIM, true);
	}
	int y = 3;
	if (m->loading && !m->all) {
		tui_put(w, y, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
		return;
	}
	if (m->error) {
		tui_printf(w, y, 0, width, ST_ERROR, true, "Error: %s", m->error);
		return;
	}
	if (!m->all)
		return;
	int resrows = m->res.n ? (int)(m->res.n + 1 < 6 ? m->res.n + 1 : 6) : 0;
	if (resrows)
		offer_results_draw(&m->res, w, h - resrows, resrows, width);
	if (!m->service) {
		if (!m->nsvcs) {
			tui_printf(w, y + 1, 0, width, ST_INFO, true,
				   "No quality services have been offered in %s.", m->year);
			tui_put(w, y + 2, 0, width, "f changes the financial year; Create Offers makes "
				"offers.", ST_DIM, true);
			return;
		}
		int nw = width - 2 - 36;
		tui_clear(w, y, 0, 2);
		tui_put(w, y, 2, nw, "Quality Service", ST_COLHEAD, true);
		for (int k = 0; k < OFFER_NSTATUS; k++)
			tui_printf(w, y, 2 + nw + k * 9, 9, ST_COLHEAD, true, "%9s",
				   offer_status_names[k]);
		list_draw(&m->slist, w, y + 1, 0, h - y - 1 - resrows, width);
		return;
	}
	if (!m->nrows) {
		tui_printf(w, y + 1, 0, width, ST_INFO, true, "No service providers are in the %s "
			   "status for this service.", offer_status_names[m->status]);
		tui_put(w, y + 2, 0, width, "f changes the status.", ST_DIM, true);
		return;
	}
	int x = 2 + (m->plist.taggable ? 4 : 0);
	int nw = width - x - 42;
	tui_clear(w, y, 0, x);
	tui_put(w, y, x, 7, "Code", ST_COLHEAD, true);
	tui_put(w, y, x + 7, nw, "Service provider", ST_COLHEAD, true);
	tui_put(w, y, x + 7 + nw, 12, "Kind", ST_COLHEAD, true);
	tui_put(w, y, x + 19 + nw, 11, "Respond by", ST_COLHEAD, true);
	tui_put(w, y, x + 30 + nw, width - x - 30 - nw, "Changed", ST_COLHEAD, true);
	list_draw(&m->plist, w, y + 1, 0, h - y - 1 - resrows, width);
}

static bool os_offers(struct screen *s, enum action a)
{
	struct os *m = s->priv;
	bool plist = !m->viewing && m->service && m->nrows;
	switch (a) {
	case ACT_WITHDRAW:
		return can_act(m) && plist && m->status == 0;
	case ACT_CANCEL_SERVICE:
		return can_act(m) && plist && (m->status == 1 || m->status == 2);
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
		return can_act(m) && plist;
	case ACT_FILTER:
		return !m->viewing;
	case ACT_SEARCH:
		/* no room beside Withdraw or Cancel; / still searches */
		return !(can_act(m) && plist && m->status != 3);
	default:
		return true;
	}
}

const struct screen_ops offered_services_ops = {
	.priv_size = sizeof(struct os),
	.init = os_init,
	.open = os_open,
	.draw = os_draw,
	.action = os_action,
	.context = os_context,
	.done = os_done,
	.offers = os_offers,
	.subject = os_subject,
};
