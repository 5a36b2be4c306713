/* declaration_management.c: Achievement > Declaration Management for the
 * commissioning organisation (the job aid "Viewing and approving a final
 * Achievement and Payment Declaration"): the declarations in scope (GET
 * /declarations?status=&service=), with Status and Quality Service filters
 * (f), a checkbox per row and Select All (a), Approve (p, Approval
 * Management), Financially Approve (P, Finance Management) and Return to
 * the provider with a reason (u); each after a confirmation, sent in one
 * POST /declarations/actions, and reported row by row. Enter shows a
 * declaration's checklist, notes and history (GET /declarations/{id}).
 * A Home task about a declaration opens it here. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "money.h"
#include "screens/ach_common.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

static const char *const status_codes[] = {
	"", "AWAITING_PROVIDER", "AWAITING_COMMISSIONER", "AWAITING_FINANCE",
	"FINANCIALLY_APPROVED",
};

struct mgmt {
	struct screen *s;
	size_t status;          /* index into status_codes */
	bool status_set;
	long long service_id;   /* 0: all */
	char *service_name;     /* owned */
	json_t *services;       /* GET /services; owned */
	json_t *rows;           /* owned */
	struct list list;
	bool loading;
	char *error;            /* owned */
	long long focus_id;
	char **choice;          /* owned, parallel to an open choice popup */
	size_t nchoice;
	/* the action being confirmed */
	const char *action;     /* "approve", "financially_approve", "return" */
	char *reason;           /* owned */
	json_t *ids;            /* owned */
};

static json_t *row(struct mgmt *m, size_t i)
{
	return json_array_get(m->rows, i);
}

static const char *short_status(const char *code)
{
	if (!strcmp(code, "AWAITING_PROVIDER"))
		return "Awaiting provider";
	if (!strcmp(code, "AWAITING_COMMISSIONER"))
		return "Awaiting approval";
	if (!strcmp(code, "AWAITING_FINANCE"))
		return "Awaiting finance";
	if (!strcmp(code, "FINANCIALLY_APPROVED"))
		return "Fin. approved";
	return code;
}

static void free_choice(struct mgmt *m)
{
	for (size_t i = 0; i < m->nchoice; i++)
		free(m->choice[i]);
	xfree(&m->choice);
	m->nchoice = 0;
}

/* ------------------------------------------------------------ rows */

static void draw_decl(void *ud, WINDOW *w, int y, int x, int width, size_t i, bool cursor)
{
	struct mgmt *m = ud;
	json_t *r = row(m, i);
	json_t *a = json_object_get(r, "achievement");
	bool pay = json_is_true(json_object_get(a, "payment"));
	char date[24], money[32] = "";
	ac_date(ac_str(a, "date"), pay, date, sizeof date);
	if (ac_has(r, "pence"))
		money_format(ac_int(r, "pence"), money, sizeof money);
	int cs = width - 8 - 13 - 18 - 13;
	if (cs < 8)
		cs = 8;
	tui_put(w, y, x, 8, ac_str(json_object_get(r, "organisation"), "code"), ST_NORMAL, true);
	tui_put(w, y, x + 8, cs - 1, ac_str(json_object_get(r, "service"), "name"), ST_NORMAL, true);
	tui_clear(w, y, x + 8 + cs - 1, 1);
	tui_put(w, y, x + 8 + cs, 13, date, pay ? ST_PAYMENT : ST_NORMAL, true);
	tui_put(w, y, x + 8 + cs + 13, 18, short_status(ac_str(r, "status")), ST_NORMAL, true);
	tui_printf(w, y, x + width - 13, 13, ST_NORMAL, true, "%13s", money);
	(void)cursor;
}

static const char *decl_text(void *ud, size_t i)
{
	struct mgmt *m = ud;
	json_t *r = row(m, i);
	return ac_str(json_object_get(r, "organisation"), "name");
}

/* ------------------------------------------------------------ loading */

static void on_list(struct screen *s, const struct api_response *r)
{
	struct mgmt *m = s->priv;
	m->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the declarations")) {
		free(m->error);
		m->error = xasprintf("Could not load the declarations: %s", r->err_message);
		return;
	}
	xfree(&m->error);
	json_decref(m->rows);
	m->rows = json_incref(json_object_get(r->json, "declarations"));
	if (!json_is_array(m->rows)) {
		json_decref(m->rows);
		m->rows = json_array();
	}
	list_set_count(&m->list, 0);
	list_set_count(&m->list, json_array_size(m->rows));
	if (m->focus_id) {
		size_t i;
		json_t *x;
		json_array_foreach(m->rows, i, x)
			if (ac_int(x, "id") == m->focus_id)
				m->list.cur = i;
		m->focus_id = 0;
	}
}

static void load(struct mgmt *m)
{
	struct declarations_q q = {
		.status = m->status ? status_codes[m->status] : NULL,
		.service = m->service_id,
	};
	m->loading = true;
	app_call(m->s->app, m->s, call_declarations(&q), on_list);
}

static void on_services(struct screen *s, const struct api_response *r)
{
	struct mgmt *m = s->priv;
	if (app_failed(s->app, r, "Loading the quality services"))
		return;
	json_decref(m->services);
	m->services = json_incref(json_object_get(r->json, "services"));
}

/* ------------------------------------------------------------ ops */

static void mg_init(struct screen *s)
{
	struct mgmt *m = s->priv;
	m->s = s;
	list_init(&m->list, draw_decl, decl_text, m);
	list_set_taggable(&m->list, true);
}

static void mg_done(struct screen *s)
{
	struct mgmt *m = s->priv;
	list_free(&m->list);
	json_decref(m->rows);
	json_decref(m->services);
	json_decref(m->ids);
	free(m->service_name);
	free(m->error);
	free(m->reason);
	free_choice(m);
}

static void mg_open(struct screen *s)
{
	struct mgmt *m = s->priv;
	if (!m->status_set) {
		/* what this user acts on first */
		unsigned roles = app_roles(s->app);
		m->status = roles & R(APPROVAL_MANAGEMENT) ? 2 : roles & R(FINANCE_MANAGEMENT) ? 3 : 0;
		m->status_set = true;
	}
	load(m);
	if (!m->services)
		app_call(s->app, s, call_services(), on_services);
}

static void on_subject(struct screen *s, const struct api_response *r)
{
	struct mgmt *m = s->priv;
	if (app_failed(s->app, r, "Opening the declaration"))
		return;
	const char *st = ac_str(r->json, "status");
	for (size_t i = 1; i < ARRAY_SIZE(status_codes); i++)
		if (!strcmp(status_codes[i], st))
			m->status = i;
	m->service_id = 0;
	m->focus_id = ac_int(r->json, "id");
	load(m);
	char date[24];
	ac_date(ac_str(json_object_get(r->json, "achievement"), "date"), false, date, sizeof date);
	app_message(s->app, MSG_INFO, "%s %s, %s %s: %s.",
		    ac_str(json_object_get(r->json, "organisation"), "code"),
		    ac_str(json_object_get(r->json, "organisation"), "name"),
		    ac_str(json_object_get(r->json, "service"), "name"), date,
		    ac_decl_status(st));
}

static bool mg_subject(struct screen *s, const char *type, long id)
{
	struct mgmt *m = s->priv;
	if (strcmp(type, "declaration"))
		return false;
	m->status_set = true;
	app_call(s->app, s, call_declaration(id), on_subject);
	return true;
}

/* --- filters */

static void on_status(void *ud, int result, const char *text)
{
	struct mgmt *m = ud;
	if (result >= 0 && (size_t)result < ARRAY_SIZE(status_codes)) {
		m->status = (size_t)result;
		load(m);
	}
}

static void on_service(void *ud, int result, const char *text)
{
	struct mgmt *m = ud;
	if (result >= 0 && (size_t)result < m->nchoice) {
		m->service_id = atoll(m->choice[result]);
		free(m->service_name);
		m->service_name = NULL;
		size_t i;
		json_t *sv;
		json_array_foreach(m->services, i, sv)
			if (ac_int(sv, "id") == m->service_id)
				m->service_name = xstrdup(ac_str(sv, "name"));
		load(m);
	}
	free_choice(m);
}

static void on_filter(void *ud, int result, const char *text)
{
	struct mgmt *m = ud;
	if (result == 0) {
		const char *items[ARRAY_SIZE(status_codes)];
		items[0] = "All statuses";
		for (size_t i = 1; i < ARRAY_SIZE(status_codes); i++)
			items[i] = ac_decl_status(status_codes[i]);
		app_popup(m->s->app, popup_choice("Status", items, ARRAY_SIZE(items), m->status,
						  on_status, m));
	} else if (result == 1) {
		if (!m->services) {
			app_message(m->s->app, MSG_INFO, "The quality services are still loading.");
			return;
		}
		free_choice(m);
		size_t n = json_array_size(m->services) + 1, cur = 0, i;
		char **items = xcalloc(n, sizeof(char *));
		m->choice = xcalloc(n, sizeof(char *));
		items[0] = xstrdup("All quality services");
		m->choice[0] = xstrdup("0");
		m->nchoice = 1;
		json_t *sv;
		json_array_foreach(m->services, i, sv) {
			if (json_is_true(json_object_get(sv, "participation_only")))
				continue;
			if (ac_int(sv, "id") == m->service_id)
				cur = m->nchoice;
			items[m->nchoice] = xstrdup(ac_str(sv, "display_name"));
			m->choice[m->nchoice++] = xasprintf("%lld", ac_int(sv, "id"));
		}
		app_popup(m->s->app, popup_choice("Quality Service", (const char *const *)items,
						  m->nchoice, cur, on_service, m));
		for (i = 0; i < m->nchoice; i++)
			free(items[i]);
		free(items);
	}
}

/* --- the detail */

static void on_detail(struct screen *s, const struct api_response *r)
{
	if (app_failed(s->app, r, "Opening the declaration"))
		return;
	json_t *d = r->json;
	struct ac_lines l = {0};
	int w = ac_popup_width();
	char date[24], money[32] = "";
	json_t *a = json_object_get(d, "achievement");
	ac_date(ac_str(a, "date"), json_is_true(json_object_get(a, "payment")), date, sizeof date);
	ac_add(&l, "%s %s", ac_str(json_object_get(d, "organisation"), "code"),
	       ac_str(json_object_get(d, "organisation"), "name"));
	ac_add(&l, "%s, %s", ac_str(json_object_get(d, "service"), "name"), date);
	ac_add(&l, "Status: %s", ac_decl_status(ac_str(d, "status")));
	if (ac_has(d, "pence")) {
		money_format(ac_int(d, "pence"), money, sizeof money);
		ac_add(&l, "Provisional payment: %s", money);
	}
	if (ac_has(d, "blocked"))
		ac_add_wrapped(&l, "Blocked: ", ac_str(d, "blocked"), w);
	if (*ac_str(d, "notes"))
		ac_add_wrapped(&l, "Notes: ", ac_str(d, "notes"), w);
	ac_add(&l, "\1Declaration checklist");
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(d, "checklist"), i, it) {
		char *p = xasprintf("  %s ", json_is_true(json_object_get(it, "ticked")) ? "[x]" : "[ ]");
		ac_add_wrapped(&l, p, ac_str(it, "text"), w);
		free(p);
	}
	ac_add(&l, "\1Payment Declaration History");
	json_array_foreach(json_object_get(d, "history"), i, it) {
		char when[24] = "";
		time_t t = (time_t)ac_int(it, "at");
		struct tm tm;
		if (gmtime_r(&t, &tm))
			strftime(when, sizeof when, "%d/%m/%Y %H:%M", &tm);
		char *p = xasprintf("  %s %s by %s: ", when, ac_decl_status(ac_str(it, "to")),
				    ac_has(it, "user_name") ? ac_str(it, "user_name") : "CQRS");
		ac_add_wrapped(&l, p, ac_str(it, "note"), w);
		free(p);
	}
	app_popup(s->app, popup_text("Declaration", l.v, l.n));
	ac_lines_free(&l);
}

/* --- actions */

static const char *action_word(const char *action)
{
	return !strcmp(action, "approve") ? "Approve" : !strcmp(action, "financially_approve") ?
		"Financially approve" : "Return to the provider";
}

static json_t *find_row(struct mgmt *m, long long id)
{
	size_t i;
	json_t *x;
	json_array_foreach(m->rows, i, x)
		if (ac_int(x, "id") == id)
			return x;
	return NULL;
}

static void on_actions(struct screen *s, const struct api_response *r)
{
	struct mgmt *m = s->priv;
	app_dirty(s->app);
	const char *word = action_word(m->action ? m->action : "");
	if (app_failed(s->app, r, word)) {
		load(m);
		return;
	}
	struct ac_lines l = {0};
	json_t *results = json_object_get(r->json, "results");
	long long ok = ac_int(r->json, "succeeded");
	size_t n = json_array_size(results), i;
	json_t *x;
	ac_add(&l, "\1%s: %lld of %zu done", word, ok, n);
	json_array_foreach(results, i, x) {
		json_t *rw = find_row(m, ac_int(x, "id"));
		char date[24] = "";
		ac_date(ac_str(json_object_get(rw, "achievement"), "date"), false, date, sizeof date);
		char *p = xasprintf("%s %s %s %s: ", json_is_true(json_object_get(x, "ok")) ? "Done:    " :
				    "Not done:", ac_str(x, "organisation"),
				    ac_str(json_object_get(rw, "service"), "name"), date);
		ac_add_wrapped(&l, p, ac_str(x, "message"), ac_popup_width());
		free(p);
	}
	if (n == 1) {
		app_message(s->app, ok ? MSG_OK : MSG_ERROR, "%s",
			    l.n > 1 ? l.v[1] : ac_str(json_array_get(results, 0), "message"));
	} else {
		app_message(s->app, ok == (long long)n ? MSG_OK : MSG_ERROR, "%s: %lld of %zu done.", word,
			    ok, n);
		app_popup(s->app, popup_text("Declaration Management: row by row", l.v, l.n));
	}
	ac_lines_free(&l);
	load(m);
}

static void on_confirm(void *ud, int result, const char *text)
{
	struct mgmt *m = ud;
	json_t *ids = m->ids;
	m->ids = NULL;
	if (result != POP_YES) {
		json_decref(ids);
		app_message(m->s->app, MSG_INFO, "Nothing was changed.");
		return;
	}
	const char *reason = NULL;
	if (!strcmp(m->action, "return"))
		reason = m->reason ? m->reason : "";
	app_message(m->s->app, MSG_INFO, "%s...", action_word(m->action));
	app_call(m->s->app, m->s, call_declarations_action(m->action, ids, reason), on_actions);
}

/* Collects the ticked rows (or the cursor row); asks for confirmation. */
static void confirm_action(struct mgmt *m, const char *action)
{
	size_t n = json_array_size(m->rows);
	if (!n) {
		app_message(m->s->app, MSG_INFO, "There is no declaration here.");
		return;
	}
	json_decref(m->ids);
	m->ids = json_array();
	bool any = list_tagged_count(&m->list) > 0;
	for (size_t i = 0; i < n; i++)
		if (any ? list_is_tagged(&m->list, i) : i == m->list.cur)
			json_array_append_new(m->ids, json_integer(ac_int(row(m, i), "id")));
	m->action = action;
	size_t k = json_array_size(m->ids);
	char *q;
	if (k == 1) {
		json_t *r = find_row(m, json_integer_value(json_array_get(m->ids, 0)));
		char date[24];
		ac_date(ac_str(json_object_get(r, "achievement"), "date"), false, date, sizeof date);
		q = xasprintf("%s the declaration of %s for %s, %s?", action_word(action),
			      ac_str(json_object_get(r, "organisation"), "code"),
			      ac_str(json_object_get(r, "service"), "name"), date);
	} else {
		q = xasprintf("%s the %zu ticked declarations?", action_word(action), k);
	}
	app_popup(m->s->app, popup_confirm(q, on_confirm, m));
	free(q);
}

static void on_reason(void *ud, int result, const char *text)
{
	struct mgmt *m = ud;
	if (result < 0 || !text)
		return;
	if (!*text) {
		app_message(m->s->app, MSG_ERROR, "Returning needs a reason for the provider.");
		return;
	}
	free(m->reason);
	m->reason = xstrdup(text);
	confirm_action(m, "return");
}

static enum wres mg_action(struct screen *s, enum action a, int key)
{
	struct mgmt *m = s->priv;
	unsigned roles = app_roles(s->app);
	switch (a) {
	case ACT_FILTER: {
		static const char *const items[] = {"Status", "Quality Service"};
		app_popup(s->app, popup_choice("Filter", items, 2, 0, on_filter, m));
		return W_HANDLED;
	}
	case ACT_APPROVE:
		if (!(roles & R(APPROVAL_MANAGEMENT))) {
			app_message(s->app, MSG_ERROR, "Approving needs the Approval Management role.");
			return W_HANDLED;
		}
		confirm_action(m, "approve");
		return W_HANDLED;
	case ACT_FIN_APPROVE:
		if (!(roles & R(FINANCE_MANAGEMENT))) {
			app_message(s->app, MSG_ERROR, "Financial approval needs the Finance Management "
				    "role.");
			return W_HANDLED;
		}
		confirm_action(m, "financially_approve");
		return W_HANDLED;
	case ACT_RETURN_PROVIDER:
		if (!(roles & (R(APPROVAL_MANAGEMENT) | R(FINANCE_MANAGEMENT)))) {
			app_message(s->app, MSG_ERROR, "Returning needs Approval or Finance Management.");
			return W_HANDLED;
		}
		if (!json_array_size(m->rows))
			return W_HANDLED;
		app_popup(s->app, popup_prompt("Return to the provider", "Reason:", "", on_reason, m));
		return W_HANDLED;
	default:
		break;
	}
	enum wres w = list_action(&m->list, a, key);
	if (w == W_OPEN) {
		app_call(s->app, s, call_declaration(ac_int(row(m, m->list.cur), "id")), on_detail);
		return W_HANDLED;
	}
	return w;
}

static enum context mg_context(struct screen *s)
{
	return CTX_APPROVAL;
}

static void mg_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct mgmt *m = s->priv;
	tui_put(w, 0, 0, width, "Declaration Management", ST_HEADING, true);
	tui_printf(w, 1, 0, width, ST_NORMAL, true, "Status: %s   Quality Service: %s   (f changes)",
		   m->status ? ac_decl_status(status_codes[m->status]) : "All",
		   m->service_name ? m->service_name : "All");
	if (m->error) {
		tui_put(w, 3, 0, width, m->error, ST_ERROR, true);
		return;
	}
	if (!m->rows) {
		tui_put(w, 3, 0, width, m->loading ? "Loading... (Esc stops it)" : "", ST_INFO, true);
		return;
	}
	if (!json_array_size(m->rows)) {
		tui_put(w, 3, 0, width, "No declaration matches the filters (f changes them).", ST_INFO,
			true);
		return;
	}
	int x = 6, cs = width - x - 8 - 13 - 18 - 13;
	tui_put(w, 2, x, 8, "Org", ST_COLHEAD, true);
	tui_put(w, 2, x + 8, cs, "Quality service", ST_COLHEAD, true);
	tui_put(w, 2, x + 8 + cs, 13, "Date", ST_COLHEAD, true);
	tui_put(w, 2, x + 8 + cs + 13, 18, "Status", ST_COLHEAD, true);
	tui_printf(w, 2, width - 13, 13, ST_COLHEAD, true, "%13s", "Payment");
	int lh = h - 5;
	list_draw(&m->list, w, 3, 0, lh, width);
	json_t *r = row(m, m->list.cur);
	if (r)
		tui_printf(w, 3 + lh, 0, width, ST_DIM, true, "%s %s: %s%s%s",
			   ac_str(json_object_get(r, "organisation"), "code"),
			   ac_str(json_object_get(r, "organisation"), "name"),
			   ac_decl_status(ac_str(r, "status")),
			   *ac_str(r, "declared_by") ? ", declared by " : "", ac_str(r, "declared_by"));
	unsigned roles = app_roles(s->app);
	tui_printf(w, 4 + lh, 0, width, ST_DIM, true, "Space ticks, a Select All%s%s, u Return; "
		   "Enter: details  * payment date",
		   roles & R(APPROVAL_MANAGEMENT) ? ", p Approve" : "",
		   roles & R(FINANCE_MANAGEMENT) ? ", P Financially Approve" : "");
}

static bool mg_offers(struct screen *s, enum action a)
{
	unsigned roles = app_roles(s->app);
	switch (a) {
	case ACT_APPROVE:
		return roles & R(APPROVAL_MANAGEMENT);
	case ACT_FIN_APPROVE:
		return roles & R(FINANCE_MANAGEMENT);
	case ACT_RETURN_PROVIDER:
		return roles & (R(APPROVAL_MANAGEMENT) | R(FINANCE_MANAGEMENT));
	default:
		return true;
	}
}

const struct screen_ops declaration_management_ops = {
	.offers = mg_offers,
	.priv_size = sizeof(struct mgmt),
	.init = mg_init,
	.open = mg_open,
	.draw = mg_draw,
	.action = mg_action,
	.context = mg_context,
	.done = mg_done,
	.subject = mg_subject,
};
