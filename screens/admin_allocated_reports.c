/* admin_allocated_reports.c: Administration > Allocated Reports
 * (Organisation Administrator). The organisations under the current one
 * with how many quality services' reports each is allocated, from GET
 * /allocations (search with /), declared as a list screen
 * (listscreen.h); Enter opens one: its quality services (GET
 * /allocations/{code}) filtered by financial year and payment type (f),
 * the allocated ones ticked; Space ticks and unticks, a is Select All, S
 * or F12 submits what changed with PUT /allocations/{code} ("allocations
 * have been saved"): ticked ones are allocated, unticked ones removed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/admin_common.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

struct aadm {
	struct ls *l;
	bool open, busy;
	char code[32];
	json_t *answer;          /* GET /allocations/{code} (owned) */
	struct pick svc;
	char year[16];           /* "" : every year */
	char ptype[8];           /* "" : every payment type */
	char *refusal;
	struct year_pick yp;
};

static struct aadm *own_of(struct screen *s)
{
	return ls_own(s->priv);
}

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static struct api_call source(struct ls *l)
{
	return call_allocations(app_org_code(ls_screen(l)->app), NULL);
}

static const struct ls_column columns[] = {
	{.title = "Code", .key = "code", .width = 8},
	{.title = "Kind", .key = "kind", .width = 9},
	{.title = "Allocated", .key = "allocated", .width = 9, .fmt = LS_COUNT, .right = true,
	 .gap = 1},
	{.title = "Organisation", .key = "name"},
};

static void head(struct ls *l, WINDOW *w, int width)
{
	struct app *a = ls_screen(l)->app;
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Allocated Reports: organisations under %s",
		   app_org_code(a));
	tui_put(w, 1, 0, width, "Enter: its quality services to allocate   /: search", ST_DIM,
		true);
}

/* ------------------------------------------------------------ one organisation */

static void svc_label(json_t *v, char *out, size_t size)
{
	snprintf(out, size, "%-7s %-4s %-8s %s", js(v, "year"), js(v, "payment_type"),
		 js(v, "code"), js(v, "name"));
}

static void on_services(struct screen *s, const struct api_response *r)
{
	struct aadm *x = own_of(s);
	x->busy = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the quality services"))
		return;
	json_decref(x->answer);
	x->answer = json_incref(r->json);
	json_t *svc = json_deep_copy(json_object_get(r->json, "services"));
	pick_set(&x->svc, svc);
	for (size_t i = 0; i < x->svc.list.n; i++)
		x->svc.list.tags[i] = json_is_true(json_object_get(pick_row(&x->svc, i), "allocated"));
}

static void load(struct screen *s)
{
	struct aadm *x = own_of(s);
	x->busy = true;
	app_call(s->app, s, call_allocation(x->code, x->year, x->ptype), on_services);
}

static void open_org(struct ls *l, json_t *row)
{
	struct aadm *x = ls_own(l);
	snprintf(x->code, sizeof(x->code), "%s", js(row, "code"));
	json_decref(x->answer);
	x->answer = NULL;
	pick_set(&x->svc, json_array());
	xfree(&x->refusal);
	x->open = true;
	load(ls_screen(l));
}

static void on_saved(struct screen *s, const struct api_response *r)
{
	struct aadm *x = own_of(s);
	if (!admin_written(s->app, r, &x->busy, &x->refusal))
		return;
	const char *msg = json_string_value(json_object_get(r->json, "message"));
	app_message(s->app, MSG_OK, "%s", msg ? msg : "allocations have been saved");
	load(s);
}

static void submit(struct screen *s)
{
	struct aadm *x = own_of(s);
	json_t *add = json_array(), *rm = json_array();
	for (size_t i = 0; i < x->svc.list.n; i++) {
		json_t *v = pick_row(&x->svc, i);
		bool was = json_is_true(json_object_get(v, "allocated"));
		bool now = list_is_tagged(&x->svc.list, i);
		if (was != now)
			json_array_append(now ? add : rm, json_object_get(v, "id"));
	}
	if (!json_array_size(add) && !json_array_size(rm)) {
		json_decref(add);
		json_decref(rm);
		app_message(s->app, MSG_INFO, "Nothing changed: Space ticks or unticks a service.");
		return;
	}
	x->busy = true;
	xfree(&x->refusal);
	app_message(s->app, MSG_INFO, "Saving the allocations...");
	app_call(s->app, s, call_allocation_save(x->code, add, rm), on_saved);
}

static const char *const ptypes[] = {"", "QOF", "DES", "ES", "VI", "PO"};
static const char *const ptype_items[] = {"All payment types", "QOF", "DES", "ES", "VI", "PO"};

static void on_ptype(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct aadm *x = own_of(s);
	if (result < 0)
		return;
	snprintf(x->ptype, sizeof(x->ptype), "%s", ptypes[result]);
	load(s);
}

static void on_year(void *ud, const char *year)
{
	struct screen *s = ud;
	struct aadm *x = own_of(s);
	snprintf(x->year, sizeof(x->year), "%s", year);
	load(s);
}

static void on_filter(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct aadm *x = own_of(s);
	if (result == 0) {
		const char *fy = json_string_value(json_object_get(app_me(s->app),
								   "financial_year"));
		year_pick_around(&x->yp, fy ? fy : x->year, 1, 3);
		choose_year(s->app, &x->yp, "Financial year", x->year, on_year, s);
	} else if (result == 1) {
		size_t cur = 0;
		for (size_t i = 0; i < ARRAY_SIZE(ptypes); i++)
			if (strcmp(ptypes[i], x->ptype) == 0)
				cur = i;
		app_popup(s->app, popup_choice("Payment type", ptype_items, ARRAY_SIZE(ptype_items),
					       cur, on_ptype, s));
	} else if (result == 2) {
		x->year[0] = x->ptype[0] = '\0';
		load(s);
	}
}

static enum wres org_action(struct screen *s, enum action a, int key)
{
	struct aadm *x = own_of(s);
	if (a == ACT_BACK && !x->svc.list.searching) {
		x->open = false;
		ls_reload(x->l);
		return W_HANDLED;
	}
	if (x->busy) {
		app_message(s->app, MSG_INFO, "Loading: please wait.");
		return W_HANDLED;
	}
	if (a == ACT_SAVE) {
		submit(s);
		return W_HANDLED;
	}
	if (a == ACT_FILTER) {
		static const char *const items[] = {"Financial year", "Payment type",
						    "Every year and payment type"};
		app_popup(s->app, popup_choice("Filter", items, ARRAY_SIZE(items), 0, on_filter, s));
		return W_HANDLED;
	}
	return pick_action(&x->svc, a, key);
}

static void org_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct aadm *x = own_of(s);
	json_t *org = json_object_get(x->answer, "organisation"),
	       *from = json_object_get(x->answer, "from");
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Allocated reports of %s %s", x->code,
		   js(org, "name"));
	tui_printf(w, 1, 0, width, ST_LABEL, true, "Financial year: %s   Payment type: %s   "
		   "From: %s", x->year[0] ? x->year : "All", x->ptype[0] ? x->ptype : "All",
		   js(from, "code"));
	tui_printf(w, 2, 0, width, ST_DIM, true, "Space tick/untick  a Select All  f filters  "
		   "S/F12 Submit  Esc   (%zu ticked)", list_tagged_count(&x->svc.list));
	tui_put(w, 3, 0, width, "      Year    Type Code     Quality service", ST_COLHEAD, true);
	int lh = h - 4 - (x->refusal ? 2 : 0);
	if (!x->answer)
		tui_put(w, 4, 0, width, "Loading...", ST_INFO, true);
	else if (!x->svc.list.n)
		tui_put(w, 4, 0, width, "No quality services match the filters (f changes them).",
			ST_INFO, true);
	else
		pick_draw(&x->svc, w, 4, 0, lh, width);
	if (x->refusal)
		de_put_wrapped(w, 4 + lh, 0, width, 2, x->refusal, ST_ERROR);
}

/* ------------------------------------------------------------ the level */

static bool below_active(struct screen *s)
{
	return own_of(s)->open;
}

static void below_draw(struct screen *s, WINDOW *w, int h, int width)
{
	s->show_cursor = false;
	org_draw(s, w, h, width);
}

static enum context below_context(struct screen *s)
{
	return CTX_ADMIN;
}

static bool below_offers(struct screen *s, enum action a)
{
	return a == ACT_HELP || a == ACT_QUIT || a == ACT_BACK || a == ACT_SAVE ||
	       a == ACT_TAG_ALL || a == ACT_FILTER || a == ACT_REFRESH;
}

static const struct ls_below level = {
	.active = below_active,
	.draw = below_draw,
	.action = org_action,
	.context = below_context,
	.offers = below_offers,
	.reopen = load,
};

static int list_offers(struct ls *l, enum action a)
{
	if (a == ACT_OPEN || a == ACT_SEARCH)
		return 1;
	if (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL || a == ACT_FILTER || a == ACT_ADD_NEW ||
	    a == ACT_REMOVE || a == ACT_SAVE)
		return 0;
	return -1;
}

static void own_init(struct ls *l, void *own)
{
	struct aadm *x = own;
	x->l = l;
	pick_init(&x->svc, true, svc_label);
	const char *fy = json_string_value(json_object_get(app_me(ls_screen(l)->app),
							   "financial_year"));
	snprintf(x->year, sizeof(x->year), "%s", fy ? fy : "");
}

static void own_done(void *own)
{
	struct aadm *x = own;
	pick_free(&x->svc);
	json_decref(x->answer);
	free(x->refusal);
}

const struct ls_decl admin_allocated_reports_list = {
	.source = source,
	.rows = "organisations",
	.what = "Loading the organisations",
	.error = "Error: Could not load the organisations",
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{code} {name}",
	.empty = "There are no organisations under this one.",
	.context = CTX_ADMIN,
	.head_rows = 2,
	.head = head,
	.open = open_org,
	.offers = list_offers,
	.below = &level,
	.own_size = sizeof(struct aadm),
	.own_init = own_init,
	.own_done = own_done,
};
