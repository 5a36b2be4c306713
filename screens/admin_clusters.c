/* admin_clusters.c: Administration > Service Provider Clusters
 * (Organisation Administrator of a commissioner). The organisation's
 * clusters from GET /clusters (short name, description, number of
 * practices), declared as a list screen (listscreen.h), with the levels
 * below it drawn here:
 * - Add New Cluster (A or F6): name and description, then the practices
 *   under the organisation to tick (Space, Select All, search), Continue
 *   (S, F12 or Enter), a summary with Yes/No, POST /clusters and the
 *   confirmation;
 * - a cluster (Enter): its practices and users; A adds practices (ticked
 *   in the same list), R marks the ticked (or current) practices for
 *   Remove Organisation, S or F12 submits both with PUT /clusters/{id}
 *   ("cluster was updated successfully"). Nothing is sent before Submit;
 *   Esc forgets the marks. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/admin_common.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"

enum level {
	LV_LIST,
	LV_CLUSTER,   /* one cluster: its practices, marks to add and remove */
	LV_PICK,      /* practices to tick: for a new cluster or to add */
	LV_NEW,       /* Add New Cluster: name and description */
};

struct cadm {
	struct ls *l;
	enum level lv;
	bool busy;
	char *refusal;
	long long id;
	json_t *cluster;         /* GET /clusters/{id} (owned) */
	struct pick prac;        /* the cluster's practices, with "chg": "add" | "remove" */
	struct pick pick;        /* practices under the organisation to tick */
	bool adding;             /* the pick adds to the cluster (else: a new cluster) */
	struct form fm;
	size_t f_name, f_desc;
	char *name, *desc;       /* of the new cluster */
};

static struct cadm *own_of(struct screen *s)
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
	return call_clusters(app_org_code(ls_screen(l)->app));
}

static const struct ls_column columns[] = {
	{.title = "Cluster", .key = "name"},
	{.title = "Practices", .key = "practices", .width = 9, .fmt = LS_COUNT, .right = true},
};

/* The description of the cluster under the cursor, whole. */
static void foot(struct ls *l, WINDOW *w, int y, int width)
{
	json_t *row = ls_cursor(l);
	tui_clear(w, y, 0, width);
	tui_clear(w, y + 1, 0, width);
	tui_clear(w, y + 2, 0, width);
	if (row)
		de_put_wrapped(w, y, 0, width, 3, js(row, "description")[0] ? js(row, "description")
			       : "(no description)", ST_DIM);
}

static void head(struct ls *l, WINDOW *w, int width)
{
	struct app *a = ls_screen(l)->app;
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Service Provider Clusters of %s %s",
		   app_org_code(a), js(app_org(a), "name"));
	tui_put(w, 1, 0, width, "Enter: open a cluster  A/F6: Add New Cluster  /: search",
		ST_DIM, true);
}

/* ------------------------------------------------------------ one cluster */

static void prac_label(json_t *p, char *out, size_t size)
{
	const char *chg = js(p, "chg");
	snprintf(out, size, "%-7s %s%s", js(p, "code"), js(p, "name"),
		 strcmp(chg, "add") == 0 ? "  (to be added)"
		 : strcmp(chg, "remove") == 0 ? "  (to be removed)" : "");
}

static void pick_label(json_t *p, char *out, size_t size)
{
	snprintf(out, size, "%-7s %s", js(p, "code"), js(p, "name"));
}

static void on_cluster(struct screen *s, const struct api_response *r)
{
	struct cadm *c = own_of(s);
	c->busy = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the cluster"))
		return;
	json_t *cl = json_object_get(r->json, "cluster");
	if (!cl)
		cl = r->json;
	json_decref(c->cluster);
	c->cluster = json_incref(cl);
	pick_set(&c->prac, json_deep_copy(json_object_get(cl, "practices")));
}

static void load_cluster(struct screen *s)
{
	struct cadm *c = own_of(s);
	c->busy = true;
	app_call(s->app, s, call_cluster(c->id), on_cluster);
}

static void open_cluster(struct ls *l, json_t *row)
{
	struct cadm *c = ls_own(l);
	c->id = json_integer_value(json_object_get(row, "id"));
	json_decref(c->cluster);
	c->cluster = NULL;
	pick_set(&c->prac, json_array());
	xfree(&c->refusal);
	c->lv = LV_CLUSTER;
	load_cluster(ls_screen(l));
}

/* The codes of the practices marked chg. */
static json_t *marked(struct cadm *c, const char *chg)
{
	json_t *out = json_array();
	size_t i;
	json_t *p;
	json_array_foreach(c->prac.rows, i, p)
		if (strcmp(js(p, "chg"), chg) == 0)
			json_array_append(out, json_object_get(p, "code"));
	return out;
}

static void on_updated(struct screen *s, const struct api_response *r)
{
	struct cadm *c = own_of(s);
	if (!admin_written(s->app, r, &c->busy, &c->refusal))
		return;
	const char *msg = json_string_value(json_object_get(r->json, "message"));
	app_message(s->app, MSG_OK, "%s", msg ? msg : "cluster was updated successfully");
	on_cluster(s, r);
}

static void on_practices(struct screen *s, const struct api_response *r)
{
	struct cadm *c = own_of(s);
	c->busy = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the practices"))
		return;
	json_t *all = json_object_get(r->json, "organisations"), *keep = json_array();
	size_t i, k;
	json_t *o, *p;
	json_array_foreach(all, i, o) {
		bool in = false;
		if (c->adding)
			json_array_foreach(c->prac.rows, k, p)
				if (strcmp(js(p, "code"), js(o, "code")) == 0)
					in = true;
		if (!in)
			json_array_append(keep, o);
	}
	pick_set(&c->pick, keep);
}

static void start_pick(struct screen *s, bool adding)
{
	struct cadm *c = own_of(s);
	c->adding = adding;
	c->lv = LV_PICK;
	c->busy = true;
	pick_set(&c->pick, json_array());
	app_call(s->app, s, call_orgs(&(struct orgs_q){.kind = "PRACTICE", .limit = 500}),
		 on_practices);
}

static enum wres cluster_action(struct screen *s, enum action a, int key)
{
	struct cadm *c = own_of(s);
	if (a == ACT_BACK && !c->prac.list.searching) {
		c->lv = LV_LIST;
		ls_reload(c->l);
		return W_HANDLED;
	}
	if (c->busy || !c->cluster) {
		app_message(s->app, MSG_INFO, "Loading: please wait.");
		return W_HANDLED;
	}
	if (a == ACT_ADD_NEW) {
		start_pick(s, true);
		return W_HANDLED;
	}
	if (a == ACT_REMOVE) {
		size_t n = 0;
		for (size_t i = 0; i < c->prac.list.n; i++)
			if (list_is_tagged(&c->prac.list, i)) {
				json_object_set_new(pick_row(&c->prac, i), "chg", json_string("remove"));
				c->prac.list.tags[i] = false;
				n++;
			}
		json_t *p = pick_cursor(&c->prac);
		if (!n && p) {
			bool was = strcmp(js(p, "chg"), "remove") == 0;
			json_object_set_new(p, "chg", json_string(was ? "" : "remove"));
			n = 1;
		}
		app_message(s->app, MSG_INFO, "Marked for Remove Organisation: S or F12 submits, Esc "
			    "forgets.");
		return W_HANDLED;
	}
	if (a == ACT_SAVE) {
		json_t *add = marked(c, "add"), *rm = marked(c, "remove");
		if (!json_array_size(add) && !json_array_size(rm)) {
			json_decref(add);
			json_decref(rm);
			app_message(s->app, MSG_INFO, "Nothing to submit: A adds practices, R marks "
				    "one for removal.");
			return W_HANDLED;
		}
		c->busy = true;
		xfree(&c->refusal);
		app_message(s->app, MSG_INFO, "Updating the cluster...");
		app_call(s->app, s, call_cluster_update(c->id, NULL, NULL, add, rm), on_updated);
		return W_HANDLED;
	}
	return pick_action(&c->prac, a, key);
}

static void cluster_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct cadm *c = own_of(s);
	json_t *cl = c->cluster;
	if (!cl) {
		tui_put(w, 0, 0, width, "Service Provider Cluster", ST_HEADING, true);
		tui_put(w, 2, 0, width, "Loading...", ST_INFO, true);
		return;
	}
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Cluster %s: %zu practices", js(cl, "name"),
		   json_array_size(json_object_get(cl, "practices")));
	int y = 1 + de_put_wrapped(w, 1, 0, width, 2, js(cl, "description"), ST_NORMAL);
	char users[200];
	admin_join(json_object_get(cl, "users"), ", ", users, sizeof(users));
	char *line = xasprintf("Users limited to it: %s", users[0] ? users : "none");
	y += de_put_wrapped(w, y, 0, width, 2, line, ST_NORMAL);
	free(line);
	tui_put(w, y++, 0, width, "A/F6 add practices  Space tick  R/F8 Remove Organisation  "
		"S/F12 Submit  Esc", ST_DIM, true);
	int lh = h - y - (c->refusal ? 2 : 0);
	pick_draw(&c->prac, w, y, 0, lh, width);
	if (c->refusal)
		de_put_wrapped(w, y + lh, 0, width, 2, c->refusal, ST_ERROR);
}

/* ------------------------------------------------------------ ticking practices */

static void on_created(struct screen *s, const struct api_response *r)
{
	struct cadm *c = own_of(s);
	if (!admin_written(s->app, r, &c->busy, &c->refusal))
		return;
	json_t *cl = json_object_get(r->json, "cluster");
	app_message(s->app, MSG_OK, "Cluster %s has been created with %zu practices.",
		    js(cl, "name"), json_array_size(json_object_get(cl, "practices")));
	c->lv = LV_LIST;
	ls_reload(c->l);
}

static void on_yes(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct cadm *c = own_of(s);
	if (result != POP_YES) {
		app_message(s->app, MSG_INFO, "Not created: change the ticks, or Esc.");
		return;
	}
	c->busy = true;
	app_call(s->app, s, call_cluster_create(app_org_code(s->app), c->name, c->desc,
						pick_ticked(&c->pick, "code")), on_created);
}

static enum wres pick_level_action(struct screen *s, enum action a, int key)
{
	struct cadm *c = own_of(s);
	if (a == ACT_BACK && !c->pick.list.searching) {
		c->lv = c->adding ? LV_CLUSTER : LV_NEW;
		return W_HANDLED;
	}
	if (a != ACT_SAVE && a != ACT_OPEN)
		return pick_action(&c->pick, a, key);
	size_t n = list_tagged_count(&c->pick.list);
	if (!n) {
		app_message(s->app, MSG_ERROR, "Tick the practices first (Space, or a for Select "
			    "All).");
		return W_HANDLED;
	}
	if (c->adding) {
		for (size_t i = 0; i < c->pick.list.n; i++)
			if (list_is_tagged(&c->pick.list, i)) {
				json_t *p = json_deep_copy(pick_row(&c->pick, i));
				json_object_set_new(p, "chg", json_string("add"));
				json_array_append_new(c->prac.rows, p);
			}
		list_set_count(&c->prac.list, json_array_size(c->prac.rows));
		c->lv = LV_CLUSTER;
		app_message(s->app, MSG_INFO, "%zu practice%s to be added: S or F12 submits.", n,
			    n == 1 ? "" : "s");
		return W_HANDLED;
	}
	char *q = xasprintf("Create the cluster %s (%s) with %zu practice%s?", c->name,
			    c->desc[0] ? c->desc : "no description", n, n == 1 ? "" : "s");
	app_popup(s->app, popup_confirm(q, on_yes, s));
	free(q);
	return W_HANDLED;
}

static void pick_level_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct cadm *c = own_of(s);
	if (c->adding)
		tui_printf(w, 0, 0, width, ST_HEADING, true, "Add practices to %s",
			   js(c->cluster, "name"));
	else
		tui_printf(w, 0, 0, width, ST_HEADING, true, "Add New Cluster %s: tick its practices",
			   c->name);
	tui_printf(w, 1, 0, width, ST_DIM, true, "Space tick  a Select All  / search  S/F12 or "
		   "Enter: Continue  Esc   (%zu ticked)", list_tagged_count(&c->pick.list));
	int lh = h - 2 - (c->refusal ? 2 : 0);
	if (c->busy)
		tui_put(w, 2, 0, width, "Loading the practices...", ST_INFO, true);
	else if (!c->pick.list.n)
		tui_put(w, 2, 0, width, "No practices to add.", ST_INFO, true);
	else
		pick_draw(&c->pick, w, 2, 0, lh, width);
	if (c->refusal)
		de_put_wrapped(w, 2 + lh, 0, width, 2, c->refusal, ST_ERROR);
}

/* ------------------------------------------------------------ name and description */

static enum wres new_action(struct screen *s, enum action a, int key)
{
	struct cadm *c = own_of(s);
	if (a == ACT_BACK) {
		c->lv = LV_LIST;
		app_message(s->app, MSG_INFO, "No cluster was created.");
		return W_HANDLED;
	}
	enum wres r = a == ACT_SAVE ? W_SUBMIT : form_action(&c->fm, a, key);
	if (r != W_SUBMIT)
		return r;
	if (a != ACT_SAVE && c->fm.focus + 1 < c->fm.n) {
		c->fm.focus++;
		return W_HANDLED;
	}
	form_set_error(&c->fm, c->f_name, NULL);
	if (form_empty(&c->fm, c->f_name)) {
		form_set_error(&c->fm, c->f_name, "required");
		c->fm.focus = c->f_name;
		return W_HANDLED;
	}
	free(c->name);
	free(c->desc);
	c->name = form_get(&c->fm, c->f_name);
	c->desc = form_get(&c->fm, c->f_desc);
	xfree(&c->refusal);
	start_pick(s, false);
	return W_HANDLED;
}

static void new_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct cadm *c = own_of(s);
	tui_put(w, 0, 0, width, "Add New Cluster", ST_HEADING, true);
	tui_put(w, 1, 0, width, "A short name (unique here) and a description; Enter on the "
		"last field: Continue. Esc", ST_DIM, true);
	form_draw(&c->fm, w, 3, 0, 50);
	s->show_cursor = true;
	s->cur_y = c->fm.cur_y;
	s->cur_x = c->fm.cur_x;
}

static void start_new(struct screen *s)
{
	struct cadm *c = own_of(s);
	form_free(&c->fm);
	form_init(&c->fm);
	c->f_name = form_add(&c->fm, "Short name", F_TEXT, 60);
	c->f_desc = form_add(&c->fm, "Description", F_TEXT, 400);
	xfree(&c->refusal);
	c->lv = LV_NEW;
}

/* ------------------------------------------------------------ the levels */

static bool below_active(struct screen *s)
{
	return own_of(s)->lv != LV_LIST;
}

static void below_draw(struct screen *s, WINDOW *w, int h, int width)
{
	s->show_cursor = false;
	switch (own_of(s)->lv) {
	case LV_CLUSTER: cluster_draw(s, w, h, width); break;
	case LV_PICK: pick_level_draw(s, w, h, width); break;
	case LV_NEW: new_draw(s, w, h, width); break;
	default: break;
	}
}

static enum wres below_action(struct screen *s, enum action a, int key)
{
	switch (own_of(s)->lv) {
	case LV_CLUSTER: return cluster_action(s, a, key);
	case LV_PICK: return pick_level_action(s, a, key);
	case LV_NEW: return new_action(s, a, key);
	default: return W_IGNORED;
	}
}

static enum context below_context(struct screen *s)
{
	return own_of(s)->lv == LV_NEW ? CTX_ADMIN_FORM : CTX_ADMIN;
}

static bool below_offers(struct screen *s, enum action a)
{
	if (a == ACT_HELP || a == ACT_QUIT || a == ACT_BACK || a == ACT_SAVE)
		return true;
	switch (own_of(s)->lv) {
	case LV_CLUSTER:
		return a == ACT_ADD_NEW || a == ACT_REMOVE;
	case LV_PICK:
		return a == ACT_TAG_ALL;
	default:
		return false;
	}
}

static void below_reopen(struct screen *s)
{
	struct cadm *c = own_of(s);
	if (c->lv == LV_CLUSTER)
		load_cluster(s);
}

static const struct ls_below levels = {
	.active = below_active,
	.draw = below_draw,
	.action = below_action,
	.context = below_context,
	.offers = below_offers,
	.reopen = below_reopen,
};

static enum wres list_hook(struct ls *l, enum action a)
{
	if (a != ACT_ADD_NEW)
		return W_IGNORED;
	start_new(ls_screen(l));
	return W_HANDLED;
}

static int list_offers(struct ls *l, enum action a)
{
	if (a == ACT_ADD_NEW || a == ACT_OPEN)
		return 1;
	if (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL || a == ACT_FILTER || a == ACT_REMOVE ||
	    a == ACT_SAVE)
		return 0;
	return -1;
}

static void own_init(struct ls *l, void *own)
{
	struct cadm *c = own;
	c->l = l;
	pick_init(&c->prac, true, prac_label);
	pick_init(&c->pick, true, pick_label);
	form_init(&c->fm);
}

static void own_done(void *own)
{
	struct cadm *c = own;
	pick_free(&c->prac);
	pick_free(&c->pick);
	form_free(&c->fm);
	json_decref(c->cluster);
	free(c->refusal);
	free(c->name);
	free(c->desc);
}

const struct ls_decl admin_clusters_list = {
	.source = source,
	.rows = "clusters",
	.what = "Loading the clusters",
	.error = "Error: Could not load the clusters",
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{name} {description}",
	.empty = "This organisation has no Service Provider Clusters yet.",
	.empty_hint = "A (or F6) adds one.",
	.context = CTX_ADMIN,
	.head_rows = 2,
	.head = head,
	.foot_rows = 3,
	.foot = foot,
	.open = open_cluster,
	.offers = list_offers,
	.action = list_hook,
	.below = &levels,
	.own_size = sizeof(struct cadm),
	.own_init = own_init,
	.own_done = own_done,
};
