/* missing_data.c: Data Submission > Missing Data: every indicator group
 * whose submitted count is below its total, across all the user's
 * services and achievement dates (GET /missing), and the payment dates
 * with no achievement recorded yet. f narrows the list to one service and
 * date; Enter opens the group's form straight away (data_entry.h), or,
 * for a date not recorded, adds the achievement and opens its groups. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

struct md {
	struct de de;          /* first (data_entry.h) */
	json_t *all;           /* GET /missing "missing" (owned) */
	size_t *rows;          /* shown rows: indexes into all (owned) */
	char **text;           /* search text per shown row (owned) */
	size_t n;
	struct list list;
	bool loading;
	char *error;           /* owned */
	char filter[96];       /* "SERVICE_ID DATE" or "" for everything */
	char **choices;        /* the filter's choices (owned) */
	char **keys;
	size_t nchoices;
};

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static json_t *row_at(struct md *m, size_t row)
{
	return row < m->n ? json_array_get(m->all, m->rows[row]) : NULL;
}

static void row_key(json_t *x, char *out, size_t n)
{
	snprintf(out, n, "%lld %s", (long long)json_integer_value(json_object_get(x, "service_id")),
		 jstr(x, "date"));
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct md *m = ud;
	json_t *r = row_at(m, row);
	de_put_date(w, y, x, jstr(r, "date"), json_is_true(json_object_get(r, "payment")));
	tui_put(w, y, x + 11, 1, " ", ST_NORMAL, true);
	int sw = width > 90 ? 36 : 28;
	tui_put(w, y, x + 12, sw - 1, jstr(r, "service"), ST_NORMAL, true);
	tui_put(w, y, x + 11 + sw, 1, " ", ST_NORMAL, true);
	int c = x + 12 + sw;
	if (json_is_true(json_object_get(r, "not_recorded"))) {
		tui_put(w, y, c, width - (c - x), "! not recorded: Enter adds it", ST_LABEL, true);
		return;
	}
	json_t *g = json_object_get(r, "group");
	tui_put(w, y, c, 8, jstr(g, "code"), ST_LABEL, true);
	int nw = width - (c - x) - 8 - 10 - 4;
	tui_put(w, y, c + 8, nw - 1, jstr(g, "name"), ST_NORMAL, true);
	tui_put(w, y, c + 8 + nw - 1, 1, " ", ST_NORMAL, true);
	tui_put(w, y, c + 8 + nw, 4, strcmp(jstr(g, "kind"), "mi") == 0 ? "MI" : "Pay", ST_DIM,
		true);
	tui_printf(w, y, c + 12 + nw, 10, ST_LABEL, true, "%lld of %lld",
		   (long long)json_integer_value(json_object_get(r, "submitted")),
		   (long long)json_integer_value(json_object_get(r, "total")));
}

static const char *row_text(void *ud, size_t row)
{
	struct md *m = ud;
	return row < m->n ? m->text[row] : "";
}

static void clear_rows(struct md *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->text[i]);
	xfree(&m->text);
	xfree(&m->rows);
	m->n = 0;
}

static void clear_choices(struct md *m)
{
	for (size_t i = 0; i < m->nchoices; i++) {
		free(m->choices[i]);
		free(m->keys[i]);
	}
	xfree(&m->choices);
	xfree(&m->keys);
	m->nchoices = 0;
}

/* Applies the filter to the loaded rows. */
static void select_rows(struct md *m)
{
	clear_rows(m);
	size_t total = json_array_size(m->all);
	m->rows = xcalloc(total ? total : 1, sizeof(size_t));
	m->text = xcalloc(total ? total : 1, sizeof(char *));
	for (size_t i = 0; i < total; i++) {
		json_t *x = json_array_get(m->all, i);
		char k[96];
		row_key(x, k, sizeof(k));
		if (m->filter[0] && strcmp(k, m->filter) != 0)
			continue;
		char d[16];
		date_display(jstr(x, "date"), d);
		m->rows[m->n] = i;
		m->text[m->n++] = xasprintf("%s %s %s %s %s %s", d, jstr(x, "service"),
					    jstr(x, "financial_year"),
					    jstr(json_object_get(x, "group"), "code"),
					    jstr(json_object_get(x, "group"), "name"),
					    jstr(x, "organisation"));
	}
	list_set_count(&m->list, m->n);
	if (m->list.search[0])
		list_search_first(&m->list);
}

static void on_missing(struct screen *s, const struct api_response *r)
{
	struct md *m = s->priv;
	m->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading missing data")) {
		free(m->error);
		m->error = xasprintf("Could not load the missing data: %s", r->err_message);
		return;
	}
	xfree(&m->error);
	json_decref(m->all);
	json_t *x = json_object_get(r->json, "missing");
	m->all = json_is_array(x) ? json_incref(x) : json_array();
	select_rows(m);
}

static void load(struct screen *s)
{
	struct md *m = s->priv;
	m->loading = true;
	app_call(s->app, s, call_missing(), on_missing);
}

static void md_back(struct screen *s)
{
	struct md *m = s->priv;
	if (m->de.stale)
		load(s);
}

static void md_init(struct screen *s)
{
	struct md *m = s->priv;
	de_init(&m->de, md_back);
	list_init(&m->list, draw_row, row_text, m);
}

static void md_done(struct screen *s)
{
	struct md *m = s->priv;
	de_done(&m->de);
	clear_rows(m);
	clear_choices(m);
	json_decref(m->all);
	m->all = NULL;
	list_free(&m->list);
	xfree(&m->error);
}

static void md_open(struct screen *s)
{
	if (de_active(s))
		de_refresh(s);
	else
		load(s);
}

static void on_filter(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct md *m = s->priv;
	if (result < 0 || (size_t)result >= m->nchoices)
		return;
	strlcpy_s(m->filter, m->keys[result], sizeof(m->filter));
	select_rows(m);
	app_dirty(s->app);
}

static void choose_filter(struct screen *s)
{
	struct md *m = s->priv;
	clear_choices(m);
	size_t total = json_array_size(m->all);
	m->choices = xcalloc(total + 1, sizeof(char *));
	m->keys = xcalloc(total + 1, sizeof(char *));
	m->choices[0] = xstrdup("All services and achievement dates");
	m->keys[0] = xstrdup("");
	m->nchoices = 1;
	size_t cur = 0;
	for (size_t i = 0; i < total; i++) {
		json_t *x = json_array_get(m->all, i);
		char k[96], d[16];
		row_key(x, k, sizeof(k));
		bool seen = false;
		for (size_t c = 0; c < m->nchoices; c++)
			seen |= strcmp(m->keys[c], k) == 0;
		if (seen)
			continue;
		date_display(jstr(x, "date"), d);
		if (strcmp(k, m->filter) == 0)
			cur = m->nchoices;
		m->keys[m->nchoices] = xstrdup(k);
		m->choices[m->nchoices++] = xasprintf("%s%s  %s", d,
			json_is_true(json_object_get(x, "payment")) ? "*" : " ", jstr(x, "service"));
	}
	app_popup(s->app, popup_choice("Service and achievement date (* payment date)",
				       (const char *const *)m->choices, m->nchoices, cur,
				       on_filter, s));
}

static void on_added(struct screen *s, const struct api_response *r)
{
	struct md *m = s->priv;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Add New Achievement"))
		return;
	m->de.stale = true;
	app_message(s->app, MSG_OK, "Achievement recorded: choose a group to enter its data.");
	de_open_achievement(s, json_integer_value(json_object_get(r->json, "id")));
}

static void open_row(struct screen *s, struct md *m)
{
	json_t *x = row_at(m, m->list.cur);
	if (!x)
		return;
	if (json_is_true(json_object_get(x, "not_recorded"))) {
		struct api_call call = call_achievement_add(jstr(x, "organisation"),
			json_integer_value(json_object_get(x, "service_id")), jstr(x, "date"));
		app_message(s->app, MSG_INFO, "Adding the achievement...");
		app_call(s->app, s, call, on_added);
		return;
	}
	de_open_group(s, json_integer_value(json_object_get(x, "achievement_id")),
		      json_integer_value(json_object_get(json_object_get(x, "group"), "id")), true);
}

static enum wres md_action(struct screen *s, enum action a, int key)
{
	struct md *m = s->priv;
	if (de_active(s))
		return de_action(s, a, key);
	if (!m->list.searching) {
		if (a == ACT_FILTER) {
			choose_filter(s);
			return W_HANDLED;
		}
		if (a == ACT_HISTORY) {
			json_t *x = row_at(m, m->list.cur);
			json_t *id = json_object_get(x, "achievement_id");
			if (json_is_integer(id))
				de_history(s, json_integer_value(id),
					   json_integer_value(json_object_get(json_object_get(x, "group"),
									      "id")));
			return W_HANDLED;
		}
	}
	enum wres r = list_action(&m->list, a, key);
	if (r == W_OPEN) {
		open_row(s, m);
		return W_HANDLED;
	}
	return r;
}

static enum context md_context(struct screen *s)
{
	return de_active(s) ? de_context(s) : CTX_ACHIEVEMENTS;
}

static bool md_offers(struct screen *s, enum action a)
{
	if (de_active(s))
		return de_offers(s, a);
	switch (a) {
	case ACT_TAG_ALL: case ACT_TOGGLE_TAG: case ACT_NEW_ACHIEVEMENT: case ACT_CHOOSE_SERVICE:
	case ACT_CHOOSE_PRACTICE:
		return false;
	default:
		return true;
	}
}

static void md_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct md *m = s->priv;
	if (de_active(s)) {
		de_draw(s, w, h, width);
		return;
	}
	tui_put(w, 0, 0, width, "Missing Data: indicator groups submitted below their total",
		ST_HEADING, true);
	tui_put(w, 1, 0, width, "Services you take part in: check what is missing. Enter opens "
		"the group's form.", ST_NORMAL, true);
	char d[16] = "";
	if (m->filter[0])
		date_display(strchr(m->filter, ' ') + 1, d);
	tui_printf(w, 2, 0, width, ST_NORMAL, true, "Showing (f): %s%s", m->filter[0] ?
		   "one service, achievement date " : "all your services and achievement dates",
		   d);
	de_legend(w, 3, 0, width, false);
	if (m->error) {
		tui_put(w, 5, 0, width, m->error, ST_ERROR, true);
		return;
	}
	if (!m->all) {
		tui_put(w, 5, 0, width, m->loading ? "Loading... (Esc stops it)" : "", ST_INFO, true);
		return;
	}
	tui_put(w, 4, 0, 2, "", ST_COLHEAD, true);
	tui_put(w, 4, 2, 12, "Date", ST_COLHEAD, true);
	tui_put(w, 4, 14, 28, "Service", ST_COLHEAD, true);
	tui_put(w, 4, 42, width - 42, "Group                          Kind Submitted",
		ST_COLHEAD, true);
	if (!m->n && !m->list.search[0]) {
		tui_put(w, 5, 2, width - 2, "Nothing missing: every group is fully submitted.",
			ST_OK, true);
		return;
	}
	list_draw(&m->list, w, 5, 0, h - 5, width);
}

const struct screen_ops missing_data_ops = {
	.priv_size = sizeof(struct md),
	.init = md_init,
	.open = md_open,
	.draw = md_draw,
	.action = md_action,
	.context = md_context,
	.done = md_done,
	.offers = md_offers,
};
