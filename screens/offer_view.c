/* offer_view.c: the parts the Participation Management screens share: one
 * offer's details as GET /offers/{id} gives them (the offer's dates, the
 * service's information, its domains as a tree that expands and
 * collapses, achievement dates, declaration and the offer's history), as
 * what Enter opens in a list screen (offer_detail), and the statuses. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/offer_view.h"
#include "tui/tui.h"
#include "util.h"

const char *const offer_status_codes[OFFER_NSTATUS] = {
	"OFFERED", "APPROVED", "REJECTED", "CANCELLED",
};
const char *const offer_status_names[OFFER_NSTATUS] = {
	"Offered", "Approved", "Rejected", "Cancelled",
};

int offer_status_index(const char *code)
{
	for (int i = 0; i < OFFER_NSTATUS; i++)
		if (code && strcmp(code, offer_status_codes[i]) == 0)
			return i;
	return -1;
}

const char *offer_status_name(const char *code)
{
	return ac_status_name(code);
}

const char *ojstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

/* Copies s in lower case with a capital first letter ("MONTHLY" reads
 * "Monthly"). */
static void title_case(char *out, size_t size, const char *s)
{
	size_t i;
	for (i = 0; s[i] && i + 1 < size; i++) {
		char c = s[i];
		if (i > 0 && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out[i] = c == '_' ? ' ' : c;
	}
	out[i] = '\0';
}

/* ------------------------------------------------------------ the view */

void offer_view_init(struct offer_view *v)
{
	memset(v, 0, sizeof(*v));
	tree_init(&v->tree);
}

void offer_view_clear(struct offer_view *v)
{
	tree_free(&v->tree);
	json_decref(v->offer);
	free(v->error);
	offer_view_init(v);
}

void offer_view_load(struct offer_view *v, struct screen *s, long id,
		     void (*cb)(struct screen *s, const struct api_response *r))
{
	offer_view_clear(v);
	v->id = id;
	v->loading = true;
	app_call(s->app, s, call_offer(id), cb);
}

static void add_indicators(struct tree *t, json_t *group, int depth)
{
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(group, "indicators"), i, ind) {
		json_t *pts = json_object_get(ind, "points");
		json_t *lo = json_object_get(ind, "lower_threshold");
		json_t *hi = json_object_get(ind, "upper_threshold");
		struct buf s;
		buf_init(&s);
		buf_printf(&s, "%s  %s  (%s", ojstr(ind, "code"), ojstr(ind, "description"),
			   ojstr(ind, "kind"));
		if (json_is_integer(pts))
			buf_printf(&s, ", %lld points", (long long)json_integer_value(pts));
		if (json_is_integer(lo) && json_is_integer(hi))
			buf_printf(&s, ", thresholds %lld-%lld%%", (long long)json_integer_value(lo),
				   (long long)json_integer_value(hi));
		buf_puts(&s, ")");
		tree_add(t, depth, s.data, ST_NORMAL, 0);
		buf_free(&s);
	}
}

static void add_groups(struct tree *t, json_t *parent, int depth)
{
	size_t i;
	json_t *g, *sd;
	json_array_foreach(json_object_get(parent, "subdomains"), i, sd) {
		tree_add(t, depth, ojstr(sd, "name"), ST_LABEL, 0);
		add_groups(t, sd, depth + 1);
	}
	json_array_foreach(json_object_get(parent, "groups"), i, g) {
		size_t ni = json_array_size(json_object_get(g, "indicators"));
		char *s = xasprintf("%s  %s  (%s group, %zu indicator%s)", ojstr(g, "code"),
				    ojstr(g, "name"), strcmp(ojstr(g, "kind"), "mi") == 0
				    ? "Management Information" : "Payment", ni, ni == 1 ? "" : "s");
		tree_add(t, depth, s, ST_NORMAL, 0);
		free(s);
		add_indicators(t, g, depth + 1);
	}
}

static void build_tree(struct offer_view *v)
{
	struct tree *t = &v->tree;
	json_t *svc = json_object_get(v->offer, "service");
	size_t i;
	json_t *dom;
	json_t *domains = json_object_get(svc, "domains");
	if (!json_array_size(domains)) {
		tree_add(t, 0, json_is_true(json_object_get(svc, "participation_only"))
			 ? "Participation only: no domains and no data to collect."
			 : "This service has no domains.", ST_DIM, 0);
	}
	json_array_foreach(domains, i, dom) {
		tree_add(t, 0, ojstr(dom, "name"), ST_HEADING, 0);
		if (!json_array_size(json_object_get(dom, "subdomains")) &&
		    !json_array_size(json_object_get(dom, "groups")))
			tree_add(t, 1, "No indicators in this domain.", ST_DIM, 0);
		add_groups(t, dom, 1);
	}
	json_t *dates = json_object_get(svc, "achievement_dates");
	if (json_array_size(dates)) {
		tree_add(t, 0, "Achievement dates (* = payment date)", ST_LABEL, 0);
		json_t *d;
		json_array_foreach(dates, i, d) {
			char dd[11];
			bool pay = json_is_true(json_object_get(d, "payment"));
			date_display(ojstr(d, "date"), dd);
			char *s = xasprintf("%s %s%s", pay ? "*" : " ", dd, pay ? "  payment date" : "");
			tree_add(t, 1, s, pay ? ST_PAYMENT : ST_NORMAL, 0);
			free(s);
		}
	}
	json_t *decl = json_object_get(svc, "declaration");
	if (json_is_object(decl)) {
		char *s = xasprintf("Declaration %s; approval %s",
				    json_is_true(json_object_get(decl, "required")) ? "required"
				    : "not required",
				    json_is_true(json_object_get(decl, "approval_required"))
				    ? "required" : "not required");
		tree_add(t, 0, s, ST_LABEL, 0);
		free(s);
		json_t *st;
		json_array_foreach(json_object_get(decl, "statements"), i, st)
			if (json_is_string(st))
				tree_add(t, 1, json_string_value(st), ST_NORMAL, 0);
	}
	tree_add(t, 0, "History of this offer", ST_LABEL, TREE_OPEN);
	json_t *h;
	json_array_foreach(json_object_get(v->offer, "history"), i, h) {
		time_t at = (time_t)json_integer_value(json_object_get(h, "at"));
		struct tm tm;
		char when[20] = "";
		if (gmtime_r(&at, &tm))
			strftime(when, sizeof(when), "%d/%m/%Y %H:%M", &tm);
		const char *from = ojstr(h, "from");
		const char *note = ojstr(h, "note");
		char *s = xasprintf("%s  %s%s%s -> %s  by %s (%s)%s%s", when,
				    from[0] ? offer_status_name(from) : "", from[0] ? "" : "new",
				    "", offer_status_name(ojstr(h, "to")),
				    ojstr(h, "user_name")[0] ? ojstr(h, "user_name") : "the system",
				    ojstr(h, "user_id")[0] ? ojstr(h, "user_id") : "-",
				    note[0] ? ": " : "", note);
		tree_add(t, 1, s, ST_NORMAL, 0);
		free(s);
	}
	tree_done(t, 0);
}

bool offer_view_loaded(struct offer_view *v, struct app *a, const struct api_response *r)
{
	v->loading = false;
	app_dirty(a);
	if (app_failed(a, r, "Loading the offer")) {
		free(v->error);
		v->error = xasprintf("Could not load offer %ld: %s", v->id, r->err_message);
		return false;
	}
	json_decref(v->offer);
	v->offer = json_incref(r->json);
	tree_free(&v->tree);
	tree_init(&v->tree);
	build_tree(v);
	return true;
}

void offer_view_draw(struct offer_view *v, WINDOW *w, int y, int h, int width, const char *hint)
{
	if (!v->offer) {
		if (v->error)
			tui_printf(w, y, 0, width, ST_ERROR, true, "Error: %s", v->error);
		else
			tui_put(w, y, 0, width, "Loading the offer... (Esc stops it)", ST_INFO, true);
		return;
	}
	json_t *o = v->offer, *svc = json_object_get(o, "service");
	json_t *org = json_object_get(o, "organisation");
	tui_printf(w, y++, 0, width, ST_HEADING, true, "Offer: %s", ojstr(svc, "display_name"));
	char d1[11], d2[11], d3[11] = "-", d4[11] = "-";
	date_display(ojstr(o, "start_date"), d1);
	date_display(ojstr(o, "end_date"), d2);
	if (ojstr(o, "response_date")[0])
		date_display(ojstr(o, "response_date"), d3);
	if (ojstr(o, "target_date")[0])
		date_display(ojstr(o, "target_date"), d4);
	char *via = ojstr(o, "via_pcn")[0] ? xasprintf(" via PCN %s", ojstr(o, "via_pcn"))
					   : xstrdup("");
	tui_printf(w, y++, 0, width, ST_NORMAL, true, "To %s %s%s   Status: %s%s", ojstr(org, "code"),
		   ojstr(org, "name"), via, offer_status_name(ojstr(o, "status")),
		   json_is_true(json_object_get(o, "auto_accepted")) ? " (automatically)" : "");
	free(via);
	tui_printf(w, y++, 0, width, ST_NORMAL, true, "Offered by %s %s", ojstr(o, "offered_by_org"),
		   ojstr(o, "offered_by_org_name"));
	tui_printf(w, y++, 0, width, ST_NORMAL, true,
		   "Service dates %s to %s  Respond by %s  Target %s", d1, d2, d3, d4);
	char freq[32], entry[32], level[32];
	title_case(freq, sizeof(freq), ojstr(svc, "frequency"));
	title_case(entry, sizeof(entry), ojstr(svc, "entry"));
	title_case(level, sizeof(level), ojstr(svc, "level"));
	const char *pp = ojstr(svc, "payment_period");
	tui_printf(w, y++, 0, width, ST_NORMAL, true,
		   "Payment period %s  Collection %s  %s entry  %s level", pp[0] ? pp : "N/A",
		   freq, strcmp(ojstr(svc, "entry"), "MANUAL") == 0 ? "Manual"
		   : strcmp(ojstr(svc, "entry"), "AUTOMATIC") == 0 ? "Automatic" : entry, level);
	json_t *ppp = json_object_get(svc, "pence_per_point");
	if (json_is_true(json_object_get(svc, "participation_only"))) {
		tui_put(w, y++, 0, width, "Participation only: accepting records your participation; "
			"no data are collected and no payment is made.", ST_LABEL, true);
	} else if (json_is_integer(ppp) && json_integer_value(ppp) > 0) {
		char m[32];
		money_format(json_integer_value(ppp), m, sizeof(m));
		tui_printf(w, y++, 0, width, ST_NORMAL, true, "Pounds per point: %s", m);
	}
	tui_put(w, y++, 0, width, hint, ST_DIM, true);
	if (y < h)
		tree_draw(&v->tree, w, y, 0, h - y, width);
}

enum wres offer_view_action(struct offer_view *v, enum action a, int key)
{
	if (!v->offer)
		return W_IGNORED;
	enum wres r = tree_action(&v->tree, a, key);
	return r == W_OPEN ? W_HANDLED : r;
}

/* ------------------------------------------------------------ as a detail */

static void d_init(void *v)
{
	offer_view_init(v);
}

static void d_clear(void *v)
{
	offer_view_clear(v);
}

static void d_load(void *v, struct screen *s, long id,
		   void (*cb)(struct screen *s, const struct api_response *r))
{
	offer_view_load(v, s, id, cb);
}

static bool d_loaded(void *v, struct app *a, const struct api_response *r)
{
	return offer_view_loaded(v, a, r);
}

static json_t *d_item(void *v)
{
	return ((struct offer_view *)v)->offer;
}

static long d_id(void *v)
{
	return ((struct offer_view *)v)->id;
}

static void d_draw(void *v, WINDOW *w, int y, int h, int width, const char *hint)
{
	offer_view_draw(v, w, y, h, width, hint);
}

static enum wres d_action(void *v, enum action a, int key)
{
	return offer_view_action(v, a, key);
}

static bool d_searching(void *v)
{
	return ((struct offer_view *)v)->tree.list.searching;
}

const struct ls_detail offer_detail = {
	.size = sizeof(struct offer_view),
	.init = d_init,
	.reset = d_clear,
	.load = d_load,
	.loaded = d_loaded,
	.item = d_item,
	.id = d_id,
	.draw = d_draw,
	.action = d_action,
	.searching = d_searching,
};

const struct ls_words offer_statuses = {
	offer_status_codes, offer_status_names, OFFER_NSTATUS,
};
