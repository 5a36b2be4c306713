/* record_achievement.c: Data Submission > Record Achievement, and the
 * achievements panel it shares with Record Provider Achievement
 * (data_entry.h): Financial Year (f) and Quality Service (s) selectors
 * over the services the organisation takes part in (approved offers,
 * GET /organisations/{code}/services), the achievements recorded (GET
 * /achievements) with last updated and completeness ("5 of 8"), payment
 * dates yellow, bold, underlined and marked "*" with a legend, and the
 * Achievement Date drop-down (F6, + or d) of the dates not yet recorded,
 * where Enter is Add New Achievement (POST /achievements) and opens it.
 * Enter on an achievement opens its indicator groups. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/ach_common.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

#define DROP_W 30

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static struct panel *panel_of(struct screen *s)
{
	return s->priv;
}

static json_t *service(struct panel *p)
{
	return json_array_get(p->services, p->svc);
}

static json_t *ach_at(struct panel *p, size_t row)
{
	return json_array_get(json_object_get(p->achs, "achievements"), row);
}

static json_t *avail_at(struct panel *p, size_t row)
{
	return json_array_get(json_object_get(p->achs, "available_dates"), row);
}

/* ------------------------------------------------------------ rows */

static void draw_ach(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct panel *p = ud;
	json_t *a = ach_at(p, row);
	bool done = json_is_true(json_object_get(a, "complete"));
	tui_put(w, y, x, 2, done ? " " : "!", ST_LABEL, true);
	de_put_date(w, y, x + 2, jstr(a, "date"), json_is_true(json_object_get(a, "payment")));
	tui_put(w, y, x + 13, 1, " ", ST_NORMAL, true);
	tui_put(w, y, x + 14, 17, ac_status_short(jstr(a, "status")), ST_NORMAL, true);
	tui_printf(w, y, x + 31, 10, done ? ST_NORMAL : ST_LABEL, true, "%lld of %lld",
		   (long long)json_integer_value(json_object_get(a, "indicators_submitted")),
		   (long long)json_integer_value(json_object_get(a, "indicators_total")));
	tui_printf(w, y, x + 41, 4, ST_NORMAL, true, "%lld",
		   (long long)json_integer_value(json_object_get(a, "indicators_in_progress")));
	char when[32];
	de_when(json_integer_value(json_object_get(a, "last_updated")), when, sizeof(when));
	tui_put(w, y, x + 45, 17, when, ST_NORMAL, true);
	/* the declaration's status, and who entered the data when it was the
	 * commissioner */
	const char *ds = jstr(a, "declaration_status");
	char extra[48];
	snprintf(extra, sizeof extra, "%s%s%s", *ds ? ac_status_short(ds) : "",
		 *ds && json_is_true(json_object_get(a, "commissioner_entry")) ? ", " : "",
		 json_is_true(json_object_get(a, "commissioner_entry")) ? "CO entry" : "");
	if (width > 62)
		tui_put(w, y, x + 62, width - 62, extra, ST_DIM, true);
}

static const char *ach_text(void *ud, size_t row)
{
	return jstr(ach_at(ud, row), "date");
}

static void draw_avail(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct panel *p = ud;
	json_t *d = avail_at(p, row);
	de_put_date(w, y, x, jstr(d, "date"), json_is_true(json_object_get(d, "payment")));
	tui_put(w, y, x + 11, width - 11,
		json_is_true(json_object_get(d, "payment")) ? " payment" : "", ST_DIM, true);
}

static const char *avail_text(void *ud, size_t row)
{
	return jstr(avail_at(ud, row), "date");
}

/* ------------------------------------------------------------ loading */

static void load_achs(struct screen *s);

static void on_achs(struct screen *s, const struct api_response *r)
{
	struct panel *p = panel_of(s);
	p->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the achievements")) {
		free(p->error);
		p->error = xasprintf("Could not load the achievements: %s", r->err_message);
		return;
	}
	json_decref(p->achs);
	p->achs = json_incref(r->json);
	list_set_count(&p->list, json_array_size(json_object_get(p->achs, "achievements")));
	list_set_count(&p->dates, json_array_size(json_object_get(p->achs, "available_dates")));
	if (p->want_date[0]) {
		for (size_t i = 0; i < p->list.n; i++)
			if (strcmp(jstr(ach_at(p, i), "date"), p->want_date) == 0)
				p->list.cur = i;
		p->want_date[0] = '\0';
	}
}

static void load_achs(struct screen *s)
{
	struct panel *p = panel_of(s);
	json_t *svc = service(p);
	if (!svc)
		return;
	p->loading = true;
	app_call(s->app, s, call_achievements(p->org, json_integer_value(json_object_get(svc, "id"))),
		 on_achs);
}

static void on_services(struct screen *s, const struct api_response *r)
{
	struct panel *p = panel_of(s);
	p->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the services")) {
		free(p->error);
		p->error = xasprintf("Could not load the services: %s", r->err_message);
		return;
	}
	const char *keep = jstr(service(p), "code");
	char *kept = xstrdup(keep);
	json_t *all = json_object_get(r->json, "services"), *x;
	json_t *mine = json_array();
	size_t i;
	json_array_foreach(all, i, x)
		if (strcmp(jstr(json_object_get(x, "offer"), "status"), "APPROVED") == 0)
			json_array_append(mine, x);
	json_decref(p->services);
	p->services = mine;
	p->svc = 0;
	json_array_foreach(mine, i, x)
		if (p->want_service ? json_integer_value(json_object_get(x, "id")) == p->want_service :
		    strcmp(jstr(x, "code"), kept) == 0)
			p->svc = i;
	p->want_service = 0;
	free(kept);
	json_decref(p->achs);
	p->achs = NULL;
	list_set_count(&p->list, 0);
	list_set_count(&p->dates, 0);
	xfree(&p->error);
	load_achs(s);
}

static void load_services(struct screen *s)
{
	struct panel *p = panel_of(s);
	if (!p->org[0])
		return;
	p->loading = true;
	app_call(s->app, s, call_org_services(p->org, p->year), on_services);
}

/* Esc back from an achievement: the panel may have changed below. */
static void panel_back(struct screen *s)
{
	struct panel *p = panel_of(s);
	if (p->de.stale)
		load_achs(s);
}

void panel_init(struct screen *s)
{
	struct panel *p = panel_of(s);
	de_init(&p->de, panel_back);
	list_init(&p->list, draw_ach, ach_text, p);
	list_init(&p->dates, draw_avail, avail_text, p);
}

void panel_done(struct screen *s)
{
	struct panel *p = panel_of(s);
	de_done(&p->de);
	list_free(&p->list);
	list_free(&p->dates);
	json_decref(p->services);
	json_decref(p->achs);
	p->services = p->achs = NULL;
	xfree(&p->org_name);
	xfree(&p->error);
}

void panel_set_org(struct screen *s, const char *code, const char *name)
{
	struct panel *p = panel_of(s);
	strlcpy_s(p->org, code, sizeof(p->org));
	free(p->org_name);
	p->org_name = xstrdup(name ? name : "");
	if (!p->year[0]) {
		const char *fy = ac_work_year(s->app);
		strlcpy_s(p->year, fy[0] ? fy : "2024/25", sizeof(p->year));
	}
	load_services(s);
}

void panel_show(struct screen *s, const char *code, const char *name, const char *year,
		long long service_id, const char *date)
{
	struct panel *p = panel_of(s);
	if (year && fy_valid(year))
		strlcpy_s(p->year, year, sizeof(p->year));
	p->want_service = service_id;
	strlcpy_s(p->want_date, date ? date : "", sizeof(p->want_date));
	panel_set_org(s, code, name);
}

void panel_refresh(struct screen *s)
{
	struct panel *p = panel_of(s);
	if (de_active(s))
		de_refresh(s);
	else if (p->services)
		load_achs(s);
	else
		load_services(s);
}

/* ------------------------------------------------------------ choices */

static void on_year(void *ud, const char *year)
{
	struct screen *s = ud;
	struct panel *p = panel_of(s);
	strlcpy_s(p->year, year, sizeof(p->year));
	json_decref(p->services);
	p->services = NULL;
	app_message(s->app, MSG_INFO, "Financial Year %s", p->year);
	load_services(s);
	app_dirty(s->app);
}

/* This financial year and the two before it. */
static void pick_year(struct screen *s)
{
	struct panel *p = panel_of(s);
	const char *fy = jstr(app_me(s->app), "financial_year");
	year_pick_around(&p->years, fy_valid(fy) ? fy : p->year, 0, 2);
	choose_year(s->app, &p->years, "Financial Year", p->year, on_year, s);
}

static void on_service(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct panel *p = panel_of(s);
	if (result < 0 || (size_t)result >= json_array_size(p->services))
		return;
	p->svc = (size_t)result;
	json_decref(p->achs);
	p->achs = NULL;
	list_set_count(&p->list, 0);
	list_set_count(&p->dates, 0);
	load_achs(s);
	app_dirty(s->app);
}

static void choose_service(struct screen *s)
{
	struct panel *p = panel_of(s);
	size_t n = json_array_size(p->services);
	if (!p->services) {
		/* not known yet: never "takes part in no service" */
		app_message(s->app, MSG_INFO, p->error ? "The services could not be loaded: r tries "
			    "again." : "The services are still loading: press s again in a moment.");
		return;
	}
	if (!n) {
		app_message(s->app, MSG_INFO, "%s takes part in no service in %s (no approved "
			    "offer): f changes the Financial Year.", p->org, p->year);
		return;
	}
	const char **items = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		items[i] = jstr(json_array_get(p->services, i), "display_name");
	app_popup(s->app, popup_choice("Quality Service", items, n, p->svc, on_service, s));
	free(items);
}

static void on_added(struct screen *s, const struct api_response *r)
{
	struct panel *p = panel_of(s);
	app_dirty(s->app);
	if (app_failed(s->app, r, "Add New Achievement"))
		return;
	char d[16];
	date_display(jstr(r->json, "date"), d);
	app_message(s->app, MSG_OK, r->status == 201 ? "Achievement %s added: choose a group." :
		    "Achievement %s was already recorded: here it is.", d);
	strlcpy_s(p->want_date, jstr(r->json, "date"), sizeof(p->want_date));
	p->de.stale = true;
	load_achs(s);
	de_open_achievement(s, json_integer_value(json_object_get(r->json, "id")));
}

static void add_date(struct screen *s)
{
	struct panel *p = panel_of(s);
	json_t *d = avail_at(p, p->dates.cur), *svc = service(p);
	if (!d || !svc)
		return;
	p->dropdown = false;
	struct api_call call = call_achievement_add(p->org,
		json_integer_value(json_object_get(svc, "id")), jstr(d, "date"));
	app_message(s->app, MSG_INFO, "Adding the achievement...");
	app_call(s->app, s, call, on_added);
}

/* ------------------------------------------------------------ screen */

void panel_draw(struct screen *s, WINDOW *w, int y, int h, int width)
{
	struct panel *p = panel_of(s);
	json_t *svc = service(p);
	char nsvc[24] = "...";
	if (p->services)
		snprintf(nsvc, sizeof nsvc, "%zu", json_array_size(p->services));
	tui_printf(w, y, 0, width, ST_NORMAL, true, "Financial Year: %s (f)   Services you take "
		   "part in: %s (s)", p->year, nsvc);
	tui_put(w, y, 16, 7, p->year, ST_LABEL, false);
	tui_printf(w, y + 1, 0, width, ST_NORMAL, true, "Quality Service: %s",
		   svc ? jstr(svc, "display_name") : p->services ? "none: no approved offer this "
		   "year" : "");
	size_t navail = json_array_size(json_object_get(p->achs, "available_dates"));
	if (p->achs)
		tui_printf(w, y + 2, 0, width, ST_NORMAL, true, "Achievement Date: %zu not yet "
			   "recorded%s", navail, navail ? " (F6 or +: Add New Achievement)" : "");
	else
		tui_clear(w, y + 2, 0, width);
	de_legend(w, y + 3, 0, width, false);
	tui_put(w, y + 4, 0, 4, "", ST_COLHEAD, true);
	tui_put(w, y + 4, 4, 12, "Date", ST_COLHEAD, true);
	tui_put(w, y + 4, 16, 17, "Status", ST_COLHEAD, true);
	tui_put(w, y + 4, 33, 10, "Submitted", ST_COLHEAD, true);
	tui_put(w, y + 4, 43, 4, "WIP", ST_COLHEAD, true);
	tui_put(w, y + 4, 47, 17, "Last updated", ST_COLHEAD, true);
	tui_put(w, y + 4, 64, width - 64, "Declaration", ST_COLHEAD, true);
	if (p->error) {
		tui_put(w, y + 6, 0, width, p->error, ST_ERROR, true);
		return;
	}
	if (!p->achs) {
		tui_put(w, y + 6, 0, width, p->loading ? "Loading... (Esc stops it)" : "", ST_INFO,
			true);
		return;
	}
	if (!p->list.n)
		tui_put(w, y + 5, 2, width - 2, "No achievement recorded yet: F6 or + opens the "
			"Achievement Date drop-down.", ST_INFO, true);
	else
		list_draw(&p->list, w, y + 5, 0, h - y - 5, width);
	if (p->dropdown) {
		int top = y + 3, dh = (int)p->dates.n + 3;
		if (dh > h - top)
			dh = h - top;
		int x = 18;
		for (int r = 0; r < dh; r++) {
			bool edge = r == 0 || r == dh - 1;
			wattrset(w, (int)tui_attr(ST_POPUP));
			mvwaddch(w, top + r, x, edge ? '+' : '|');
			for (int c = 1; c < DROP_W - 1; c++)
				mvwaddch(w, top + r, x + c, edge ? '-' : ' ');
			mvwaddch(w, top + r, x + DROP_W - 1, edge ? '+' : '|');
			wattrset(w, A_NORMAL);
		}
		tui_put(w, top, x + 2, DROP_W - 4, " Achievement Date ", ST_LABEL, false);
		list_draw(&p->dates, w, top + 1, x + 1, dh - 2, DROP_W - 2);
	}
}

enum wres panel_action(struct screen *s, enum action a, int key)
{
	struct panel *p = panel_of(s);
	if (de_active(s))
		return de_action(s, a, key);
	if (p->list.searching && !p->dropdown)
		return list_action(&p->list, a, key);
	if (p->dropdown) {
		if (a == ACT_BACK || a == ACT_NEW_ACHIEVEMENT) {
			p->dropdown = false;
			return W_HANDLED;
		}
		enum wres r = list_action(&p->dates, a, key);
		if (r == W_OPEN) {
			add_date(s);
			return W_HANDLED;
		}
		/* a modal drop-down: nothing else gets through */
		return W_HANDLED;
	}
	switch (a) {
	case ACT_FILTER:
		pick_year(s);
		return W_HANDLED;
	case ACT_CHOOSE_SERVICE:
		choose_service(s);
		return W_HANDLED;
	case ACT_NEW_ACHIEVEMENT:
		if (!p->achs)
			return W_HANDLED;
		if (!p->dates.n) {
			app_message(s->app, MSG_INFO, "Every achievement date of this service is "
				    "already recorded: Enter opens one.");
			return W_HANDLED;
		}
		p->dropdown = true;
		return W_HANDLED;
	case ACT_HISTORY: {
		json_t *x = ach_at(p, p->list.cur);
		if (x)
			de_history(s, json_integer_value(json_object_get(x, "id")), 0);
		return W_HANDLED;
	}
	default:
		break;
	}
	enum wres r = list_action(&p->list, a, key);
	if (r == W_OPEN) {
		json_t *x = ach_at(p, p->list.cur);
		if (x)
			de_open_achievement(s, json_integer_value(json_object_get(x, "id")));
		return W_HANDLED;
	}
	return r;
}

enum context panel_context(struct screen *s)
{
	struct panel *p = panel_of(s);
	if (de_active(s))
		return de_context(s);
	return p->dropdown ? CTX_POPUP : CTX_ACHIEVEMENTS;
}

bool panel_offers(struct screen *s, enum action a)
{
	if (de_active(s))
		return de_offers(s, a);
	switch (a) {
	case ACT_TAG_ALL: case ACT_TOGGLE_TAG: case ACT_CHOOSE_PRACTICE:
		return false;
	case ACT_NEW_ACHIEVEMENT:
		return panel_of(s)->dates.n > 0;
	default:
		return true;
	}
}

/* ------------------------------------------------------------ the sub-tab */

static void ra_init(struct screen *s)
{
	panel_init(s);
}

static void ra_open(struct screen *s)
{
	struct panel *p = panel_of(s);
	if (!p->org[0] || strcmp(p->org, app_org_code(s->app)) != 0) {
		panel_set_org(s, app_org_code(s->app), jstr(app_org(s->app), "name"));
		return;
	}
	panel_refresh(s);
}

/* Shown again: the services and dates fetched again, not while an
 * achievement or its form is open. */
static void ra_revisit(struct screen *s)
{
	if (!de_active(s))
		ra_open(s);
}

static void ra_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct panel *p = panel_of(s);
	if (de_active(s)) {
		de_draw(s, w, h, width);
		return;
	}
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Record Achievement: %s %s", p->org,
		   p->org_name ? p->org_name : "");
	panel_draw(s, w, 1, h, width);
}

static void ra_done(struct screen *s)
{
	panel_done(s);
}

const struct screen_ops record_achievement_ops = {
	.priv_size = sizeof(struct panel),
	.init = ra_init,
	.open = ra_open,
	.revisit = ra_revisit,
	.draw = ra_draw,
	.action = panel_action,
	.context = panel_context,
	.done = ra_done,
	.offers = panel_offers,
	.unsaved = de_unsaved,
};
