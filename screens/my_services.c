/* my_services.c: Participation Management > My Services, the practice's
 * side of participation: the quality services offered to the current
 * organisation (GET /offers), for the current financial year and in the
 * Offered status by default, with a Status and a financial year filter;
 * Enter views an offer (its service information, its domains as a tree,
 * its history) and Esc goes back to the list; Accept Service and Reject
 * Service act on the ticked offers (or the one under the cursor) after a
 * confirmation, with the results row by row. Users without Service
 * Management see the offers read-only. Declared as a list screen
 * (listscreen.h). */
#include "config.h"

#include <stdio.h>

#include "screens/offer_view.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

enum { F_STATUS, F_YEAR };

static struct api_call source(struct ls *l)
{
	return call_offers(&(struct offers_q){
		.year = ls_value(l, F_YEAR),
		.status = ls_value(l, F_STATUS),
		.organisation = app_org_code(ls_screen(l)->app),
	});
}

/* "PO  Veteran Friendly ...": the payment type, then the name. */
static void service_cell(json_t *row, char *out, size_t size)
{
	json_t *svc = json_object_get(row, "service");
	snprintf(out, size, "%-4s%s", ojstr(svc, "payment_type"), ojstr(svc, "name"));
}

static void head(struct ls *l, WINDOW *w, int width)
{
	json_t *org = app_org(ls_screen(l)->app);
	tui_printf(w, 0, 0, width, ST_HEADING, true, "My Services: offered to %s %s",
		   ojstr(org, "code"), ojstr(org, "name"));
	tui_printf(w, 1, 0, width, ST_LABEL, true, "Financial year: %s   Status: %s   (f changes them)",
		   ls_value(l, F_YEAR), ls_value_name(l, F_STATUS));
	tui_put(w, 2, 0, width, ls_can(l, R(SERVICE_MANAGEMENT))
		? "Enter views, Space ticks, a all, A Accept, R Reject; PO = participation only"
		: "Enter views an offer. Read-only: your roles here do not include Service Management.",
		ST_DIM, true);
}

static int offers(struct ls *l, enum action a)
{
	/* the bar has no room for Search beside Accept and Reject; / works */
	return a == ACT_SEARCH ? !ls_can(l, R(SERVICE_MANAGEMENT)) : -1;
}

static const struct ls_filter filters[] = {
	[F_STATUS] = {
		.label = "Status", .title = "Quality Service Status", .words = &offer_statuses,
		.said = "Showing {Status} services for {Financial year}.", .follow = "status",
	},
	[F_YEAR] = {
		.label = "Financial year", .title = "Financial year",
		.years_after = 1, .years_before = 3,
		.said = "Showing {Status} services for {Financial year}.",
		.follow = "service.financial_year",
	},
};

static const struct ls_column columns[] = {
	{.title = "Quality Service", .cell = service_cell, .gap = 1},
	{.title = "Status", .key = "status", .width = 10, .fmt = LS_STATUS,
	 .words = &offer_statuses},
	{.title = "Respond by", .key = "response_date", .width = 11, .fmt = LS_DATE},
};

/* Accept Service and Reject Service differ only in their words. */
#define REPLY(ACT, CODE, VERB, DONE) { \
	.act = ACT, .code = CODE, .name = VERB " Service", .done = DONE, \
	.roles = R(SERVICE_MANAGEMENT), \
	.readonly = "Read-only: " VERB " Service needs the Service Management role at {org}.", \
	.one = VERB " Service: {row.service.name}?", \
	.many = VERB " Service for the {count} ticked services?", \
	.none = "There is no service here to " CODE ".", \
	.cursor = true, .call = call_offers_action, \
}

static const struct ls_action actions[] = {
	REPLY(ACT_ACCEPT, "accept", "Accept", "accepted"),
	REPLY(ACT_REJECT, "reject", "Reject", "rejected"),
};

const struct ls_decl my_services_list = {
	.source = source,
	.rows = "offers",
	.what = "Loading your offered services",
	.error = "Error: Could not load the offered services",
	.filters = filters,
	.nfilters = ARRAY_SIZE(filters),
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{service.display_name} {service.code}",
	.empty = "There are no {Status} services for {Financial year}.",
	.empty_hint = "f changes the status or the financial year.",
	.no_ticks = "Read-only: there is nothing to tick without the Service Management role.",
	.tick_roles = R(SERVICE_MANAGEMENT),
	.actions = actions,
	.nactions = ARRAY_SIZE(actions),
	.result_name = "{service.name}",
	.result_rows = 5,
	.detail = &offer_detail,
	.subject = "offer",
	.hint = "Esc: Back to Select a Quality Service  +/- expand, collapse  A accept, R reject",
	.hint_readonly = "Esc: Back to Select a Quality Service  +/- expand, collapse  (read-only)",
	.context = CTX_OFFERS,
	.detail_context = CTX_OFFER,
	.head_rows = 3,
	.head = head,
	.offers = offers,
};
