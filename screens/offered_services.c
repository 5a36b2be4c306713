/* offered_services.c: Participation Management > Offered Services, the
 * commissioner's view of what it has offered: the quality services offered
 * in a financial year (the current one by default) with their providers
 * counted by status, all from one GET /offers?year=; Enter on a service
 * lists its service providers in one status (Offered by default; the
 * Status filter gives Approved, Rejected and Cancelled) with checkboxes
 * and Select All; Withdraw Service (Offered) and Cancel Service (Approved,
 * Rejected) act on the ticked providers after a Yes/No confirmation, the
 * results are shown row by row and the list is fetched again. Enter on a
 * provider shows that offer with its history. Declared as a list screen
 * (listscreen.h): the services are its groups. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/offer_view.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

enum { F_STATUS, F_YEAR };

/* A page of one service's providers in one status, searched by the
 * server (issue 13); the services with their counts come from
 * services_source. */
static struct api_call source(struct ls *l)
{
	const char *key = ls_group_key(l);
	return call_offers(&(struct offers_q){
		.year = ls_value(l, F_YEAR),
		.service = key ? atoll(key) : 0,
		.status = ls_value(l, F_STATUS),
		.q = ls_query(l),
		.limit = app_page_rows(ls_screen(l)->app),
		.offset = ls_offset(l),
	});
}

static struct api_call services_source(struct ls *l)
{
	return call_offers(&(struct offers_q){ .year = ls_value(l, F_YEAR), .summary = true });
}

/* The kind of organisation, or the PCN a practice's offer came through. */
static void kind_cell(json_t *row, char *out, size_t size)
{
	const char *via = ojstr(row, "via_pcn");
	if (via[0])
		snprintf(out, size, "via %s", via);
	else
		snprintf(out, size, "%s", ojstr(json_object_get(row, "organisation"), "kind"));
}

/* A service's name without the year the screen already shows ("... ES
 * 2024/25" under "offered in 2024/25"), so that it is never cut. */
static void service_cell(json_t *row, char *out, size_t size)
{
	json_t *svc = json_object_get(json_object_get(row, "first"), "service");
	const char *name = ojstr(svc, "name"), *year = ojstr(svc, "financial_year");
	size_t nl = strlen(name), yl = strlen(year);
	if (yl && nl > yl + 1 && name[nl - yl - 1] == ' ' && !strcmp(name + nl - yl, year))
		nl -= yl + 1;
	snprintf(out, size, "%.*s", (int)nl, name);
}

static void head(struct ls *l, WINDOW *w, int width)
{
	json_t *g = ls_group(l);
	const char *year = ls_value(l, F_YEAR);
	if (!ls_in_group(l)) {
		tui_printf(w, 0, 0, width, ST_HEADING, true, "Offered Services: quality services "
			   "offered in %s", year);
		tui_printf(w, 1, 0, width, ST_LABEL, true, "Financial year: %s   (f changes it)",
			   year);
		tui_put(w, 2, 0, width, "Enter shows a service's providers in a status.", ST_DIM, true);
		return;
	}
	json_t *svc = json_object_get(json_object_get(g, "first"), "service"),
	       *count = json_object_get(g, "count");
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Offered Services: %s", ojstr(svc, "name"));
	long long c[OFFER_NSTATUS];
	for (int k = 0; k < OFFER_NSTATUS; k++)
		c[k] = json_integer_value(json_object_get(count, offer_status_codes[k]));
	size_t st = ls_choice(l, F_STATUS);
	tui_printf(w, 1, 0, width, ST_LABEL, true,
		   "Status: %s  %s  Offered %lld, Approved %lld, Rejected %lld, Cancelled %lld",
		   offer_status_names[st], year, c[0], c[1], c[2], c[3]);
	tui_put(w, 2, 0, width, !ls_can(l, R(COMMISSIONING_MANAGEMENT))
		? "f status; Enter views; Esc back. Read-only."
		: st == 0 ? "Space ticks, a all; W Withdraw Service; f status; Enter views; Esc back"
		: st == 3 ? "Cancelled and withdrawn offers; f status; Enter views; Esc back"
		: "Space ticks, a all; C Cancel Service; f status; Enter views; Esc back",
		ST_DIM, true);
}

static const struct ls_filter filters[] = {
	[F_STATUS] = {
		.label = "Status", .title = "Status", .words = &offer_statuses, .key = "status",
		.said = "Showing the {Status} providers of {group.first.service.name}.",
		.follow = "status",
	},
	[F_YEAR] = {
		.label = "Financial year", .title = "Financial year",
		.years_after = 1, .years_before = 3,
		.said = "Services offered in {Financial year}.",
		.follow = "service.financial_year",
	},
};

static const struct ls_column service_columns[] = {
	{.title = "Quality Service", .cell = service_cell, .width = 0},
	{.title = "Offered", .key = "count.OFFERED", .width = 8, .fmt = LS_COUNT, .right = true},
	{.title = "Approved", .key = "count.APPROVED", .width = 9, .fmt = LS_COUNT, .right = true},
	{.title = "Rejected", .key = "count.REJECTED", .width = 9, .fmt = LS_COUNT, .right = true},
	{.title = "Cancelled", .key = "count.CANCELLED", .width = 10, .fmt = LS_COUNT,
	 .right = true},
};

static const struct ls_group services = {
	.key = "service.id",
	.count = "status",
	.columns = service_columns,
	.ncolumns = ARRAY_SIZE(service_columns),
	.search = "{first.service.display_name}",
	.empty = "No quality services have been offered in {Financial year}.",
	.empty_hint = "f changes the financial year; Create Offers makes offers.",
	.no_ticks = "Choose a service first (Enter).",
	.follow = "service.id",
	.context = CTX_LIST,
	.source = services_source,
	.rows = "services",
};

static const struct ls_column columns[] = {
	{.title = "Code", .key = "organisation.code", .width = 7},
	{.title = "Service provider", .key = "organisation.name"},
	{.title = "Kind", .cell = kind_cell, .width = 12},
	{.title = "Respond by", .key = "response_date", .width = 11, .fmt = LS_DATE},
	{.title = "Changed", .key = "updated_at", .width = 12, .fmt = LS_STAMP},
};

/* Withdraw Service (Offered) and Cancel Service (Approved, Rejected) differ
 * only in their words and the statuses they act on. */
#define END(ACT, CODE, VERB, DONE, STATUSES) { \
	.act = ACT, .code = CODE, .name = VERB " Service", .done = DONE, \
	.roles = R(COMMISSIONING_MANAGEMENT), \
	.readonly = "Read-only: " VERB " Service needs the Commissioning Management role.", \
	.one = VERB " Service for {row.organisation.code} {row.organisation.name}?", \
	.many = VERB " Service for {count} service providers?", \
	.none = "Tick the service providers first (Space, or a for Select All).", \
	.in_group = "Choose a service (Enter), then tick its service providers to " CODE ".", \
	.filter = F_STATUS, .values = STATUSES, .call = call_offers_action, \
}

static const struct ls_action actions[] = {
	END(ACT_WITHDRAW, "withdraw", "Withdraw", "withdrawn", 1u << 0),
	END(ACT_CANCEL_SERVICE, "cancel", "Cancel", "cancelled", 1u << 1 | 1u << 2),
};

const struct ls_decl offered_services_list = {
	.source = source,
	.rows = "offers",
	.what = "Loading the offered services",
	.error = "Error: Could not load the offered services",
	.filters = filters,
	.nfilters = ARRAY_SIZE(filters),
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{organisation.code} {organisation.name}",
	.empty = "No service providers are in the {Status} status for this service.",
	.empty_hint = "f changes the status.",
	.no_ticks = "Read-only: your roles do not allow withdrawing or cancelling.",
	.tick_roles = R(COMMISSIONING_MANAGEMENT),
	.actions = actions,
	.nactions = ARRAY_SIZE(actions),
	.result_name = "{organisation.name}",
	.result_rows = 6,
	.group = &services,
	.detail = &offer_detail,
	.subject = "offer",
	.hint = "Esc: back to the service providers   Enter/+/- expand, collapse",
	.context = CTX_OFFERED,
	.detail_context = CTX_TREE,
	.head_rows = 3,
	.head = head,
	.page_size = 1,
};
