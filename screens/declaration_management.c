/* declaration_management.c: Achievement > Declaration Management for the
 * commissioning organisation (the job aid "Viewing and approving a final
 * Achievement and Payment Declaration"): the declarations in scope (GET
 * /declarations?status=&service=), with Status and Quality Service filters
 * (f), a checkbox per row and Select All (a), Approve (p, Approval
 * Management), Financially Approve (P, Finance Management) and Return to
 * the provider with a reason (u); each after a confirmation, sent in one
 * POST /declarations/actions, and reported row by row. Enter shows a
 * declaration's checklist, notes and history (GET /declarations/{id}).
 * A Home task about a declaration opens it here. Declared as a list
 * screen (listscreen.h). */
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

enum { F_STATUS, F_SERVICE };

static const char *const status_codes[] = {
	"", "AWAITING_PROVIDER", "AWAITING_COMMISSIONER", "AWAITING_FINANCE",
	"FINANCIALLY_APPROVED",
};

static const char *const status_names[] = {
	"All statuses", "Awaiting Service Provider Approval",
	"Awaiting Commissioning Organisation Approval", "Awaiting Financial Approval",
	"Financially Approved",
};

static const struct ls_words statuses = {status_codes, status_names, ARRAY_SIZE(status_codes)};

/* The Status column: the short words of the one table (ach_common.c). */
static void status_cell(json_t *row, char *out, size_t size)
{
	snprintf(out, size, "%s", ac_status_short(ac_str(row, "status")));
}

static struct api_call source(struct ls *l)
{
	const char *status = ls_value(l, F_STATUS);
	return call_declarations(&(struct declarations_q){
		.status = status[0] ? status : NULL,
		.service = atoll(ls_value(l, F_SERVICE)),
	});
}

/* What this user acts on first. */
static size_t start_status(struct ls *l)
{
	return ls_can(l, R(APPROVAL_MANAGEMENT)) ? 2 : ls_can(l, R(FINANCE_MANAGEMENT)) ? 3 : 0;
}

static bool quality_service(json_t *sv)
{
	return !json_is_true(json_object_get(sv, "participation_only"));
}

static const struct ls_fetch services = {
	.call = call_services,
	.what = "Loading the quality services",
	.rows = "services",
	.key = "id",
	.item = "{display_name}",
	.name = "{name}",
	.offer = quality_service,
	.all = "All quality services",
	.all_name = "All",
	.waiting = "The quality services are still loading.",
};

static const struct ls_filter filters[] = {
	[F_STATUS] = {
		.label = "Status", .title = "Status", .words = &statuses, .follow = "status",
		.start = start_status,
	},
	[F_SERVICE] = {
		.label = "Quality Service", .title = "Quality Service", .fetch = &services,
		.follow = "",
	},
};

/* The achievement date, with "*" for a payment date (highlighted). */
static void date_cell(json_t *row, char *out, size_t size)
{
	json_t *a = json_object_get(row, "achievement");
	ac_date(ac_str(a, "date"), json_is_true(json_object_get(a, "payment")), out, size);
}

static enum style date_style(json_t *row)
{
	json_t *a = json_object_get(row, "achievement");
	return json_is_true(json_object_get(a, "payment")) ? ST_PAYMENT : ST_NORMAL;
}

/* The provisional payment; blank when the server sends none. */
static void pay_cell(json_t *row, char *out, size_t size)
{
	out[0] = '\0';
	if (ac_has(row, "pence"))
		money_format(ac_int(row, "pence"), out, size);
}

static const struct ls_column columns[] = {
	{.title = "Org", .key = "organisation.code", .width = 8},
	{.title = "Quality service", .key = "service.name", .gap = 1},
	{.title = "Date", .cell = date_cell, .style = date_style, .width = 13},
	{.title = "Status", .cell = status_cell, .width = 18},
	{.title = "Payment", .cell = pay_cell, .width = 13, .right = true},
};

/* POST /declarations/actions; the reason goes with "return" only. */
static struct api_call act_call(const char *code, const long *ids, size_t n, const char *reason)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_integer(ids[i]));
	return call_declarations_action(code, arr, reason);
}

static struct api_call act_call_plain(const char *code, const long *ids, size_t n)
{
	return act_call(code, ids, n, NULL);
}

/* The three actions differ in their words, roles and the reason. */
#define ACT(ACT_, CODE, WORD, ROLES, READONLY) \
	.act = ACT_, .code = CODE, .name = WORD, .done = "changed", .roles = ROLES, \
	.readonly = READONLY, .level = MSG_ERROR, .sending = WORD "...", \
	.one = WORD " the declaration of {row.organisation.code} {row.organisation.name} for " \
	       "{row.service.name}, {row.achievement.date|date}: {row.pence|money}?", \
	.many = WORD " the {count} ticked declarations ({orgs}), {total|money} in all?", \
	.none = "There is no declaration here.", .cursor = true, .call = act_call_plain

static const struct ls_action actions[] = {
	{ACT(ACT_APPROVE, "approve", "Approve", R(APPROVAL_MANAGEMENT),
	     "Approving needs the Approval Management role.")},
	{ACT(ACT_FIN_APPROVE, "financially_approve", "Financially approve",
	     R(FINANCE_MANAGEMENT), "Financial approval needs the Finance Management role.")},
	{ACT(ACT_RETURN_PROVIDER, "return", "Return to the provider",
	     R(APPROVAL_MANAGEMENT) | R(FINANCE_MANAGEMENT),
	     "Returning needs Approval or Finance Management."),
	 .reason = "Return to the provider",
	 .reason_none = "Returning needs a reason for the provider.", .call_reason = act_call},
};

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

static void open_row(struct ls *l, json_t *row)
{
	struct screen *s = ls_screen(l);
	app_call(s->app, s, call_declaration(ac_int(row, "id")), on_detail);
}

/* A task's declaration: under its status, with the cursor on it. */
static void found(struct ls *l, json_t *d)
{
	char date[24];
	ac_date(ac_str(json_object_get(d, "achievement"), "date"), false, date, sizeof date);
	app_message(ls_screen(l)->app, MSG_INFO, "%s %s, %s %s: %s.",
		    ac_str(json_object_get(d, "organisation"), "code"),
		    ac_str(json_object_get(d, "organisation"), "name"),
		    ac_str(json_object_get(d, "service"), "name"), date,
		    ac_decl_status(ac_str(d, "status")));
}

static struct api_call call_declaration_id(long id)
{
	return call_declaration(id);
}

static const struct ls_item declaration = {
	.call = call_declaration_id,
	.what = "Opening the declaration",
	.found = found,
};

static void head(struct ls *l, WINDOW *w, int width)
{
	tui_put(w, 0, 0, width, "Declaration Management", ST_HEADING, true);
	tui_printf(w, 1, 0, width, ST_NORMAL, true, "Status: %s   Quality Service: %s   (f changes)",
		   ls_choice(l, F_STATUS) ? ls_value_name(l, F_STATUS) : "All",
		   ls_value_name(l, F_SERVICE));
}

/* The row under the cursor in words, and the keys. */
/* The row under the cursor in full (the columns cut the service), over
 * two rows, then the keys. */
static void foot(struct ls *l, WINDOW *w, int y, int width)
{
	json_t *r = ls_cursor(l);
	char *text = NULL;
	if (r) {
		char date[24];
		ac_date(ac_str(json_object_get(r, "achievement"), "date"), false, date, sizeof date);
		text = xasprintf("%s %s, %s %s: %s%s%s",
				 ac_str(json_object_get(r, "organisation"), "code"),
				 ac_str(json_object_get(r, "organisation"), "name"),
				 ac_str(json_object_get(r, "service"), "name"), date,
				 ac_decl_status(ac_str(r, "status")),
				 *ac_str(r, "declared_by") ? ", declared by " : "",
				 ac_str(r, "declared_by"));
	}
	ls_foot_text(w, y, width, 2, text);
	free(text);
	tui_printf(w, y + 2, 0, width, ST_DIM, true, "Space ticks, a Select All%s%s, u Return; "
		   "Enter: details  * payment date",
		   ls_can(l, R(APPROVAL_MANAGEMENT)) ? ", p Approve" : "",
		   ls_can(l, R(FINANCE_MANAGEMENT)) ? ", P Financially Approve" : "");
}

/* The actions by the roles alone, whatever is listed; the rest always. */
static int offers(struct ls *l, enum action a)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (actions[i].act == a)
			return ls_can(l, actions[i].roles);
	return 1;
}

const struct ls_decl declaration_management_list = {
	.source = source,
	.rows = "declarations",
	.what = "Loading the declarations",
	.error = "Could not load the declarations",
	.filters = filters,
	.nfilters = ARRAY_SIZE(filters),
	.menu_labels = true,
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{organisation.name}",
	.empty = "No declaration matches the filters (f changes them).",
	.tick_roles = R(APPROVAL_MANAGEMENT) | R(FINANCE_MANAGEMENT) | R(COMMISSIONING_MANAGEMENT),
	.actions = actions,
	.nactions = ARRAY_SIZE(actions),
	.result_name = "{service.name} {achievement.date|date}",
	.results_popup = "Declaration Management: row by row",
	.subject = "declaration",
	.item = &declaration,
	.context = CTX_APPROVAL,
	.head_rows = 2,
	.state_row = 3,
	.foot_rows = 3,
	.head = head,
	.foot = foot,
	.open = open_row,
	.offers = offers,
};
