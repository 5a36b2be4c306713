/* missing_data.c: Data Submission > Missing Data: every indicator group
 * whose submitted count is below its total, across all the user's
 * services and achievement dates (GET /missing), and the payment dates
 * with no achievement recorded yet. f narrows the list to one service and
 * date; Enter opens the group's form straight away (data_entry.h), or,
 * for a date not recorded, adds the achievement and opens its groups.
 * Declared as a list screen (listscreen.h); the data-entry levels are the
 * level below it, their struct de its own state. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* A page of the rows (issue 13): the service and date chosen ("ID
 * YYYY-MM-DD") and the search go to the server. */
static struct api_call source(struct ls *l)
{
	const char *v = ls_value(l, 0);
	const char *sp = strchr(v, ' ');
	struct missing_page_q q = {
		.service = atoll(v),
		.date = sp ? sp + 1 : NULL,
		.q = ls_query(l),
		.limit = app_page_rows(ls_screen(l)->app),
		.offset = ls_offset(l),
	};
	return call_missing_page(&q);
}

/* "dd/mm/yyyy*  Service" (* for a payment date) in the drop-down. */
static void service_date_name(json_t *x, char *out, size_t size)
{
	char d[16];
	date_display(jstr(x, "date"), d);
	snprintf(out, size, "%s%s  %s", d, json_is_true(json_object_get(x, "payment")) ? "*" : " ",
		 jstr(x, "service"));
}

static const struct ls_filter filters[] = {
	{
		.label = "Service and achievement date",
		.title = "Service and achievement date (* payment date)",
		.of = "{service_id} {date}",
		.of_name = service_date_name,
		.of_all = "All services and achievement dates",
		.of_from = "dates",
	},
};

static void date_cell(json_t *r, WINDOW *w, int y, int x, int width)
{
	de_put_date(w, y, x, jstr(r, "date"), json_is_true(json_object_get(r, "payment")));
}

/* The group missing (code, name, "(MI)" for a management-information
 * group, submitted of total), or a payment date not recorded. */
static void group_cell(json_t *r, WINDOW *w, int y, int c, int width)
{
	if (json_is_true(json_object_get(r, "not_recorded"))) {
		/* who adds it is said under the list (a PCN cannot) */
		tui_put(w, y, c, width, "! not recorded yet", ST_LABEL, true);
		return;
	}
	json_t *g = json_object_get(r, "group");
	char count[24];
	snprintf(count, sizeof count, " %lld of %lld",
		 (long long)json_integer_value(json_object_get(r, "submitted")),
		 (long long)json_integer_value(json_object_get(r, "total")));
	int cw = tui_width(count);
	tui_put(w, y, c, 8, jstr(g, "code"), ST_LABEL, true);
	char *name = xasprintf("%s%s", jstr(g, "name"), strcmp(jstr(g, "kind"), "mi") == 0 ?
			       " (MI)" : "");
	tui_put(w, y, c + 8, width - 8 - cw, name, ST_NORMAL, true);
	free(name);
	tui_put(w, y, c + width - cw, cw, count, ST_LABEL, true);
}

/* The practice or PCN of the row: a PCN's or commissioner's list holds
 * many. */
static const struct ls_column columns[] = {
	{.title = "Date", .draw = date_cell, .width = 11, .gap = 1},
	{.title = "Org", .key = "organisation", .width = 6, .gap = 1},
	{.title = "Service", .key = "service", .width = 28, .wide = 40, .gap = 1},
	{.title = "Group (submitted of total)", .draw = group_cell},
};

static void head(struct ls *l, WINDOW *w, int width)
{
	const char *key = ls_value(l, 0);
	tui_put(w, 0, 0, width, "Missing Data: indicator groups submitted below their total",
		ST_HEADING, true);
	tui_put(w, 1, 0, width, "Services you take part in: check what is missing. Enter opens "
		"the group's form.", ST_NORMAL, true);
	char d[16] = "";
	if (key[0] && strchr(key, ' '))
		date_display(strchr(key, ' ') + 1, d);
	tui_printf(w, 2, 0, width, ST_NORMAL, true, "Showing (f): %s%s", key[0] ?
		   "one service, achievement date " : "all your services and achievement dates",
		   d);
	de_legend(w, 3, 0, width, false);
}

/* The row under the cursor whole (the columns cut the service and the
 * group), over two rows. */
static void foot(struct ls *l, WINDOW *w, int y, int width)
{
	json_t *r = ls_cursor(l);
	char *text = NULL;
	if (r) {
		char d[16];
		date_display(jstr(r, "date"), d);
		json_t *g = json_object_get(r, "group");
		const char *pay = json_is_true(json_object_get(r, "payment")) ? "*" : "";
		if (json_is_true(json_object_get(r, "not_recorded")))
			text = xasprintf("%s %s %s%s: not recorded yet; %s", jstr(r, "organisation"),
					 jstr(r, "service"), d, pay,
					 ls_can(l, R(ACHIEVEMENT_ENTRY)) ? "Enter adds it." :
					 "the practice (or its commissioner) records it.");
		else
			text = xasprintf("%s %s %s%s: %s %s%s, %lld of %lld submitted",
					 jstr(r, "organisation"), jstr(r, "service"), d, pay,
					 jstr(g, "code"), jstr(g, "name"),
					 strcmp(jstr(g, "kind"), "mi") == 0 ? " (MI)" : "",
					 (long long)json_integer_value(json_object_get(r, "submitted")),
					 (long long)json_integer_value(json_object_get(r, "total")));
	}
	ls_foot_text(w, y, width, 2, text);
	free(text);
}

static void on_added(struct screen *s, const struct api_response *r)
{
	app_dirty(s->app);
	if (app_failed(s->app, r, "Add New Achievement"))
		return;
	de_of(s)->stale = true;
	app_message(s->app, MSG_OK, "Achievement recorded: choose a group to enter its data.");
	de_open_achievement(s, json_integer_value(json_object_get(r->json, "id")));
}

/* Enter: the group's form, or a date not recorded added. */
static void open_row(struct ls *l, json_t *x)
{
	struct screen *s = ls_screen(l);
	if (json_is_true(json_object_get(x, "not_recorded"))) {
		if (!ls_can(l, R(ACHIEVEMENT_ENTRY))) {
			app_message(s->app, MSG_INFO, "%s records its own achievement for this "
				    "date (or its commissioner does): you can view only.",
				    jstr(x, "organisation"));
			return;
		}
		struct api_call call = call_achievement_add(jstr(x, "organisation"),
			json_integer_value(json_object_get(x, "service_id")), jstr(x, "date"));
		app_message(s->app, MSG_INFO, "Adding the achievement...");
		app_call(s->app, s, call, on_added);
		return;
	}
	de_open_group(s, json_integer_value(json_object_get(x, "achievement_id")),
		      json_integer_value(json_object_get(json_object_get(x, "group"), "id")), true);
}

/* History (F3): the submission history of the row's group. */
static enum wres action(struct ls *l, enum action a)
{
	if (a != ACT_HISTORY)
		return W_IGNORED;
	json_t *x = ls_cursor(l);
	json_t *id = json_object_get(x, "achievement_id");
	if (json_is_integer(id))
		de_history(ls_screen(l), json_integer_value(id),
			   json_integer_value(json_object_get(json_object_get(x, "group"), "id")));
	return W_HANDLED;
}

static int offers(struct ls *l, enum action a)
{
	switch (a) {
	case ACT_TAG_ALL: case ACT_TOGGLE_TAG: case ACT_NEW_ACHIEVEMENT: case ACT_CHOOSE_SERVICE:
	case ACT_CHOOSE_PRACTICE:
		return 0;
	default:
		return 1;
	}
}

/* Esc from the levels below: the list fetched again when data changed. */
static void back(struct screen *s)
{
	if (de_of(s)->stale)
		ls_reload(s->priv);
}

static void own_init(struct ls *l, void *own)
{
	de_init(own, back);
}

static void own_done(void *own)
{
	de_done(own);
}

static const struct ls_below data_entry = {
	.active = de_active,
	.draw = de_draw,
	.action = de_action,
	.context = de_context,
	.offers = de_offers,
	.reopen = de_refresh,
	.unsaved = de_unsaved,
};

const struct ls_decl missing_data_list = {
	.source = source,
	.rows = "missing",
	.what = "Loading missing data",
	.error = "Could not load the missing data",
	.filters = filters,
	.nfilters = ARRAY_SIZE(filters),
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{date|date} {service} {financial_year} {group.code} {group.name} {organisation}",
	.empty = "Nothing missing: every group is fully submitted.",
	.context = CTX_ACHIEVEMENTS,
	.head_rows = 4,
	.state_row = 5,
	.underline_lead = true,
	.below = &data_entry,
	.own_size = sizeof(struct de),
	.own_init = own_init,
	.own_done = own_done,
	.head = head,
	.foot_rows = 2,
	.foot = foot,
	.open = open_row,
	.offers = offers,
	.action = action,
	.page_size = 1,
};
