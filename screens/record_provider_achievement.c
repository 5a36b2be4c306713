/* record_provider_achievement.c: Data Submission > Record Provider
 * Achievement, for a commissioner with Achievement Entry: pick a practice
 * in scope (GET /organisations?kind=PRACTICE, searched with "/" or by
 * name on the server with p), then the same achievements panel, groups
 * and forms as Record Achievement (data_entry.h). The server flags what is
 * entered here as a Commissioning Organisation entry. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

struct rpa {
	struct panel p;        /* first (data_entry.h) */
	bool chosen;           /* a practice is chosen: the panel shows */
	json_t *orgs;          /* the practices found (owned array) */
	struct list list;
	char **text;           /* search text per row (owned) */
	size_t ntext;
	char q[64];            /* the server search */
	bool loading;
};

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void draw_org(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct rpa *r = ud;
	json_t *o = json_array_get(r->orgs, row);
	tui_put(w, y, x, 9, jstr(o, "code"), ST_NORMAL, true);
	tui_put(w, y, x + 9, width - 9 - 20, jstr(o, "name"), ST_NORMAL, true);
	tui_printf(w, y, x + width - 20, 20, ST_DIM, true, "%s  %lld", jstr(o, "parent"),
		   (long long)json_integer_value(json_object_get(o, "list_size")));
}

static const char *org_text(void *ud, size_t row)
{
	struct rpa *r = ud;
	return row < r->ntext ? r->text[row] : "";
}

static void clear_orgs(struct rpa *r)
{
	for (size_t i = 0; i < r->ntext; i++)
		free(r->text[i]);
	xfree(&r->text);
	r->ntext = 0;
	json_decref(r->orgs);
	r->orgs = NULL;
}

static void on_orgs(struct screen *s, const struct api_response *resp)
{
	struct rpa *r = s->priv;
	r->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, resp, "Loading the practices"))
		return;
	clear_orgs(r);
	json_t *o = json_object_get(resp->json, "organisations");
	r->orgs = json_incref(json_is_array(o) ? o : json_array());
	if (!json_is_array(o))
		json_decref(r->orgs), r->orgs = json_array();
	r->ntext = json_array_size(r->orgs);
	r->text = xcalloc(r->ntext ? r->ntext : 1, sizeof(char *));
	for (size_t i = 0; i < r->ntext; i++) {
		json_t *x = json_array_get(r->orgs, i);
		r->text[i] = xasprintf("%s %s", jstr(x, "code"), jstr(x, "name"));
	}
	list_set_count(&r->list, r->ntext);
	if (r->list.search[0])
		list_search_first(&r->list);
	long long total = json_integer_value(json_object_get(resp->json, "total"));
	if (total > (long long)r->ntext)
		app_message(s->app, MSG_INFO, "%zu of %lld practices shown: p searches by code or "
			    "name on the server.", r->ntext, total);
}

static void load_orgs(struct screen *s)
{
	struct rpa *r = s->priv;
	r->loading = true;
	struct orgs_q q = { .kind = "PRACTICE", .q = r->q[0] ? r->q : NULL, .limit = 500 };
	app_call(s->app, s, call_orgs(&q), on_orgs);
}

static void on_query(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct rpa *r = s->priv;
	if (!text)
		return;
	size_t k = 0;
	for (const char *c = text; *c && k + 1 < sizeof(r->q); c++)
		if ((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
		    *c == ' ' || *c == '-')
			r->q[k++] = *c;
	r->q[k] = '\0';
	r->chosen = false;
	load_orgs(s);
	app_dirty(s->app);
}

static void rpa_init(struct screen *s)
{
	struct rpa *r = s->priv;
	panel_init(s);
	list_init(&r->list, draw_org, org_text, r);
}

static void rpa_done(struct screen *s)
{
	struct rpa *r = s->priv;
	panel_done(s);
	clear_orgs(r);
	list_free(&r->list);
}

static void rpa_open(struct screen *s)
{
	struct rpa *r = s->priv;
	if (r->chosen)
		panel_refresh(s);
	else
		load_orgs(s);
}

static void rpa_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct rpa *r = s->priv;
	if (de_active(s)) {
		de_draw(s, w, h, width);
		return;
	}
	if (r->chosen) {
		tui_printf(w, 0, 0, width, ST_HEADING, true, "Record Provider Achievement: %s %s "
			   "(p: another practice)", r->p.org, r->p.org_name ? r->p.org_name : "");
		panel_draw(s, w, 1, h, width);
		return;
	}
	tui_put(w, 0, 0, width, "Record Provider Achievement: choose a practice in your area",
		ST_HEADING, true);
	tui_printf(w, 1, 0, width, ST_DIM, true, "Enter chooses; / searches this list; p searches "
		   "the server%s%s%s", r->q[0] ? " (now: \"" : "", r->q, r->q[0] ? "\")" : "");
	if (!r->orgs) {
		tui_put(w, 3, 0, width, r->loading ? "Loading... (Esc stops it)" : "", ST_INFO, true);
		return;
	}
	tui_put(w, 2, 0, 2, "", ST_COLHEAD, true);
	tui_put(w, 2, 2, 9, "Code", ST_COLHEAD, true);
	tui_put(w, 2, 11, width - 31, "Practice", ST_COLHEAD, true);
	tui_put(w, 2, width - 20, 20, "ICB   List size", ST_COLHEAD, true);
	list_draw(&r->list, w, 3, 0, h - 3, width);
}

static enum wres rpa_action(struct screen *s, enum action a, int key)
{
	struct rpa *r = s->priv;
	if (a == ACT_CHOOSE_PRACTICE && !de_active(s) && !r->list.searching) {
		app_popup(s->app, popup_prompt("Practice search", "Code or name", r->q, on_query, s));
		return W_HANDLED;
	}
	if (r->chosen) {
		if (!de_active(s) && !r->p.dropdown && a == ACT_BACK) {
			r->chosen = false;
			return W_HANDLED;
		}
		return panel_action(s, a, key);
	}
	enum wres res = list_action(&r->list, a, key);
	if (res == W_OPEN) {
		json_t *o = json_array_get(r->orgs, r->list.cur);
		if (o) {
			r->chosen = true;
			panel_set_org(s, jstr(o, "code"), jstr(o, "name"));
		}
		return W_HANDLED;
	}
	return res;
}

static enum context rpa_context(struct screen *s)
{
	struct rpa *r = s->priv;
	return r->chosen ? panel_context(s) : CTX_ACHIEVEMENTS;
}

static bool rpa_offers(struct screen *s, enum action a)
{
	struct rpa *r = s->priv;
	if (r->chosen)
		return a == ACT_CHOOSE_PRACTICE ? !de_active(s) : panel_offers(s, a);
	switch (a) {
	case ACT_TAG_ALL: case ACT_TOGGLE_TAG: case ACT_FILTER: case ACT_NEW_ACHIEVEMENT:
	case ACT_CHOOSE_SERVICE: case ACT_HISTORY:
		return false;
	default:
		return true;
	}
}

/* The achievement a stuck network's gap names (Network Achievement's
 * "e"): its practice, financial year, service and date, opened. */
static void on_subject(struct screen *s, const struct api_response *resp)
{
	struct rpa *r = s->priv;
	if (app_failed(s->app, resp, "Opening the practice's achievement"))
		return;
	json_t *org = json_object_get(resp->json, "organisation");
	json_t *svc = json_object_get(resp->json, "service");
	r->chosen = true;
	panel_show(s, jstr(org, "code"), jstr(org, "name"), jstr(svc, "financial_year"),
		   (long long)json_integer_value(json_object_get(svc, "id")),
		   jstr(resp->json, "date"));
	de_open_achievement(s, json_integer_value(json_object_get(resp->json, "id")));
	app_dirty(s->app);
}

static bool rpa_subject(struct screen *s, const char *type, long id)
{
	if (strcmp(type, "achievement") || id <= 0)
		return false;
	app_call(s->app, s, call_achievement(id), on_subject);
	return true;
}

const struct screen_ops record_provider_achievement_ops = {
	.subject = rpa_subject,
	.priv_size = sizeof(struct rpa),
	.init = rpa_init,
	.open = rpa_open,
	.draw = rpa_draw,
	.action = rpa_action,
	.context = rpa_context,
	.done = rpa_done,
	.offers = rpa_offers,
};
