/* admin_users.c: Administration > Users (User Administrator, Advanced
 * User Administrator). The users the administrator manages, from GET
 * /admin/users, with a State and an Organisation filter and a search
 * (name, user ID, e-mail); declared as a list screen (listscreen.h) with
 * the levels below it drawn here:
 * - the user's details (Enter): contact, state, organisation links with
 *   their roles, payment types and clusters, and the history from the
 *   audit log; A adds an organisation link, Enter changes a link's roles
 *   and clusters, R revokes it, D disables or re-enables, U unlocks, E
 *   resends the registration e-mail, v shows the whole history;
 * - the link editor: the roles that fit the organisation (GET
 *   /admin/roles), the payment-type restriction of View and Finance View,
 *   the organisation's Service Provider Clusters (or "There are no
 *   Provider Clusters defined for this organisation") and, on a PCN, the
 *   warning when fewer than two users hold Declaration Management;
 * - the Add New User wizard (A on the list): e-mail twice and Continue
 *   (GET /admin/email-check), user information, Add Organisation (search
 *   by ID or name, tick), the link editor for each organisation ticked, a
 *   summary with Yes/No, then the confirmation with the new user ID. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/admin_common.h"
#include "screens/data_entry.h"
#include "screens/screens.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"

enum { F_STATE, F_ORG };

enum level {
	LV_LIST,      /* the list (the engine's) */
	LV_USER,      /* one user's details */
	LV_LINK,      /* the roles, payment types and clusters of one link */
	LV_EMAIL,     /* wizard: e-mail twice */
	LV_INFO,      /* wizard: user information */
	LV_ORGS,      /* Add Organisation: search results to tick */
	LV_DONE,      /* wizard: the confirmation */
};

/* A question about the user shown, waiting for its Yes/No. */
struct ask {
	struct screen *s;
	const char *action;       /* a user action, or NULL: revoke the link */
	char code[32];
};

struct uadm {
	struct ls *l;
	struct ask ask;
	enum level lv;
	bool busy;
	char *refusal;           /* the last refusal in full, or NULL */
	/* the user shown */
	long long id;
	json_t *user;            /* GET /admin/users/{id} (owned) */
	struct pick links;
	/* the link editor */
	struct pick ed;
	json_t *roles;           /* GET /admin/roles (owned) */
	char ed_code[32];
	/* the wizard (wiz) or an organisation added to a user (!wiz) */
	bool wiz;
	struct form fm;
	struct pick orgs;
	json_t *chosen;          /* organisations ticked (owned) */
	size_t next;             /* the one whose link is being edited */
	json_t *made;            /* admin_link values so far (owned) */
	json_t *created;         /* the new user (owned) */
	json_t *typed;           /* what the wizard's forms took (owned) */
	size_t f_email, f_confirm, f_title, f_first, f_last, f_phone, f_mobile;
};

static struct uadm *own_of(struct screen *s)
{
	return ls_own(s->priv);
}

static const char *js(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

/* ------------------------------------------------------------ the list */

static const char *const state_codes[] = {"", "ACTIVE", "AWAITING_REGISTRATION", "LOCKED",
					  "DISABLED"};
static const char *const state_names[] = {"All", "Active", "Awaiting registration", "Locked",
					  "Disabled"};
static const struct ls_words states = {state_codes, state_names, ARRAY_SIZE(state_codes)};
static const char *const short_states[] = {"", "Active", "Awaiting", "Locked", "Disabled"};
static const struct ls_words short_words = {state_codes, short_states, ARRAY_SIZE(state_codes)};

static struct api_call source(struct ls *l)
{
	return call_admin_users(&(struct admin_users_q){
		.state = ls_value(l, F_STATE), .organisation = ls_value(l, F_ORG), .limit = 500});
}

static struct api_call orgs_call(void)
{
	return call_orgs(&(struct orgs_q){.limit = 500});
}

static const struct ls_fetch org_choices = {
	.call = orgs_call,
	.what = "Loading the organisations",
	.rows = "organisations",
	.key = "code",
	.item = "{code} {name}",
	.name = "{code}",
	.all = "All organisations",
	.all_name = "All",
	.waiting = "The organisations are still loading.",
};

static const struct ls_filter filters[] = {
	[F_STATE] = {.label = "State", .title = "State", .words = &states,
		     .said = "Users: {State}."},
	[F_ORG] = {.label = "Organisation", .title = "Organisation", .fetch = &org_choices,
		   .said = "Users of {Organisation}."},
};

/* The first organisation's code, and how many more ("A81004 +2"). */
static void orgs_cell(json_t *row, char *out, size_t size)
{
	json_t *orgs = json_object_get(row, "organisations");
	size_t n = json_array_size(orgs);
	if (!n)
		snprintf(out, size, "-");
	else if (n == 1)
		snprintf(out, size, "%s", js(json_array_get(orgs, 0), "code"));
	else
		snprintf(out, size, "%s +%zu", js(json_array_get(orgs, 0), "code"), n - 1);
}

static const struct ls_column columns[] = {
	{.title = "Name", .key = "name"},
	{.title = "User ID", .key = "user_id", .width = 18, .gap = 1},
	{.title = "State", .key = "state", .width = 9, .fmt = LS_STATUS, .words = &short_words},
	{.title = "Organisation", .cell = orgs_cell, .width = 13},
	{.title = "Added", .key = "created", .width = 10, .fmt = LS_DATE},
};

static void head(struct ls *l, WINDOW *w, int width)
{
	json_t *ans = ls_answer(l);
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Users you administer (%s)   %s",
		   app_org_code(ls_screen(l)->app),
		   ans ? "" : "");
	tui_printf(w, 1, 0, width, ST_LABEL, true, "State: %s   Organisation: %s   Users: %lld",
		   ls_value_name(l, F_STATE), ls_value_name(l, F_ORG),
		   (long long)json_integer_value(json_object_get(ans, "total")));
	tui_put(w, 2, 0, width, "Enter: details  A/F6: Add New User  f: filters  /: search",
		ST_DIM, true);
}

/* ------------------------------------------------------------ user details */

static void link_label(json_t *o, char *out, size_t size)
{
	char roles[160], cl[80];
	admin_join(json_object_get(o, "roles"), ",", roles, sizeof(roles));
	admin_join(json_object_get(o, "clusters"), ",", cl, sizeof(cl));
	snprintf(out, size, "%-7s %-8s %s%s%s%s", js(o, "code"), js(o, "kind"), roles,
		 cl[0] ? "  clusters: " : "", cl,
		 json_is_false(json_object_get(o, "managed")) ? "  (not yours)" : "");
}

static void on_user(struct screen *s, const struct api_response *r)
{
	struct uadm *u = own_of(s);
	u->busy = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the user"))
		return;
	json_t *user = json_object_get(r->json, "user");
	if (!user)
		user = r->json;
	json_decref(u->user);
	u->user = json_incref(user);
	u->id = json_integer_value(json_object_get(user, "id"));
	size_t cur = u->links.list.cur;
	pick_set(&u->links, json_deep_copy(json_object_get(user, "organisations")));
	if (cur < u->links.list.n)
		u->links.list.cur = cur;
}

static void load_user(struct screen *s, long long id)
{
	struct uadm *u = own_of(s);
	u->busy = true;
	u->id = id;
	app_call(s->app, s, call_admin_user(id), on_user);
}

static void open_user(struct ls *l, json_t *row)
{
	struct uadm *u = ls_own(l);
	json_decref(u->user);
	u->user = NULL;
	pick_set(&u->links, json_array());
	xfree(&u->refusal);
	u->lv = LV_USER;
	u->wiz = false;
	load_user(ls_screen(l), json_integer_value(json_object_get(row, "id")));
}

/* A write about the user shown: its answer carries the user again. */
static void on_user_write(struct screen *s, const struct api_response *r)
{
	struct uadm *u = own_of(s);
	if (!admin_written(s->app, r, &u->busy, &u->refusal))
		return;
	const char *msg = json_string_value(json_object_get(r->json, "message"));
	app_message(s->app, MSG_OK, "%s", msg ? msg : "Saved.");
	if (u->lv == LV_LINK)
		u->lv = LV_USER;
	on_user(s, r);
}

static void user_write(struct screen *s, struct api_call c, const char *saying)
{
	struct uadm *u = own_of(s);
	u->busy = true;
	app_message(s->app, MSG_INFO, "%s", saying);
	app_call(s->app, s, c, on_user_write);
}


static void on_confirm(void *ud, int result, const char *text)
{
	struct ask *q = ud;
	struct uadm *u = own_of(q->s);
	if (result != POP_YES) {
		app_message(q->s->app, MSG_INFO, "Nothing was changed.");
		return;
	}
	if (q->action)
		user_write(q->s, call_admin_user_action(u->id, q->action), "Sending...");
	else
		user_write(q->s, call_admin_user_unlink(u->id, q->code), "Revoking the link...");
}

static void ask_user(struct screen *s, const char *action, const char *code, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
static void ask_user(struct screen *s, const char *action, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *q = xvasprintf(fmt, ap);
	va_end(ap);
	struct uadm *u = own_of(s);
	u->ask = (struct ask){.s = s, .action = action};
	snprintf(u->ask.code, sizeof(u->ask.code), "%s", code ? code : "");
	app_popup(s->app, popup_confirm(q, on_confirm, &u->ask));
	free(q);
}

static void show_history(struct screen *s)
{
	struct uadm *u = own_of(s);
	json_t *h = json_object_get(u->user, "history");
	size_t n = json_array_size(h);
	char **lines = xcalloc(n ? n : 1, sizeof(char *));
	size_t i;
	json_t *e;
	json_array_foreach(h, i, e) {
		char when[24];
		admin_when(js(e, "at"), when, sizeof(when));
		lines[i] = xasprintf("%s %s from %s: %s %s", when, js(e, "by"),
				     js(e, "from")[0] ? js(e, "from") : "-", js(e, "action"),
				     js(e, "detail"));
	}
	if (!n)
		lines[n++] = xstrdup("Nothing recorded yet.");
	app_popup(s->app, popup_text("History (newest first)", lines, n));
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void start_link(struct screen *s, const char *code);
static void search_orgs(struct screen *s, bool wiz);

static enum wres user_action(struct screen *s, enum action a, int key)
{
	struct uadm *u = own_of(s);
	json_t *link = pick_cursor(&u->links);
	const char *state = js(u->user, "state");
	if (a == ACT_BACK) {
		u->lv = LV_LIST;
		ls_reload(u->l);
		return W_HANDLED;
	}
	if (!u->user || u->busy) {
		if (a == ACT_BACK || a == ACT_QUIT)
			return W_IGNORED;
		app_message(s->app, MSG_INFO, "Loading: please wait.");
		return W_HANDLED;
	}
	switch (a) {
	case ACT_OPEN:
		if (link)
			start_link(s, js(link, "code"));
		return W_HANDLED;
	case ACT_ADD_NEW:
		search_orgs(s, false);
		return W_HANDLED;
	case ACT_REMOVE:
		if (link)
			ask_user(s, NULL, js(link, "code"), "Revoke every role of %s at %s %s?",
				 js(u->user, "user_id"), js(link, "code"), js(link, "name"));
		return W_HANDLED;
	case ACT_DISABLE_USER:
		if (strcmp(state, "DISABLED") == 0)
			ask_user(s, "enable", NULL, "Enable %s again?", js(u->user, "user_id"));
		else
			ask_user(s, "disable", NULL, "Disable %s? They are signed out at once.",
				 js(u->user, "user_id"));
		return W_HANDLED;
	case ACT_UNLOCK_USER:
		if (strcmp(state, "LOCKED") != 0)
			app_message(s->app, MSG_INFO, "%s is not locked.", js(u->user, "user_id"));
		else
			ask_user(s, "unlock", NULL, "Unlock %s?", js(u->user, "user_id"));
		return W_HANDLED;
	case ACT_RESEND:
		if (strcmp(state, "AWAITING_REGISTRATION") != 0)
			app_message(s->app, MSG_INFO, "%s has registered: there is nothing to resend.",
				    js(u->user, "user_id"));
		else
			ask_user(s, "resend", NULL, "Send %s a new registration code (the old one "
				 "stops working)?", js(u->user, "user_id"));
		return W_HANDLED;
	case ACT_HISTORY:
		show_history(s);
		return W_HANDLED;
	default:
		return pick_action(&u->links, a, key);
	}
}

static const char *state_name(const char *code)
{
	for (size_t i = 1; i < ARRAY_SIZE(state_codes); i++)
		if (strcmp(state_codes[i], code) == 0)
			return state_names[i];
	return code;
}

static void user_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct uadm *u = own_of(s);
	json_t *x = u->user;
	if (!x) {
		tui_put(w, 0, 0, width, "User details", ST_HEADING, true);
		tui_put(w, 2, 0, width, "Loading...", ST_INFO, true);
		return;
	}
	char added[24], last[24], reg[24];
	admin_when(js(x, "created"), added, sizeof(added));
	admin_when(json_string_value(json_object_get(x, "last_signin")), last, sizeof(last));
	admin_when(json_string_value(json_object_get(x, "registration_expires")), reg, sizeof(reg));
	tui_printf(w, 0, 0, width, ST_HEADING, true, "%s (%s): %s", js(x, "name"),
		   js(x, "user_id"), state_name(js(x, "state")));
	tui_printf(w, 1, 0, width, ST_NORMAL, true, "E-mail %s  Work %s  Mobile %s",
		   js(x, "email"), js(x, "work_phone"), js(x, "mobile")[0] ? js(x, "mobile") : "-");
	if (strcmp(js(x, "state"), "AWAITING_REGISTRATION") == 0)
		tui_printf(w, 2, 0, width, ST_NORMAL, true, "Added %s  Registration code valid "
			   "until %s", added, reg);
	else
		tui_printf(w, 2, 0, width, ST_NORMAL, true, "Added %s  Last sign-in %s", added,
			   last);
	tui_put(w, 3, 0, width, "Enter roles  A add  R revoke  D disable/enable  U unlock  "
		"E resend  v history", ST_DIM, true);
	tui_put(w, 4, 0, width, "  Code    Kind     Roles (and clusters)", ST_COLHEAD, true);
	int hist = json_array_size(json_object_get(x, "history")) ? 4 : 0;
	int lh = h - 5 - hist - (u->refusal ? 2 : 0);
	if (lh < 3)
		lh = 3;
	if (!u->links.list.n)
		tui_put(w, 5, 2, width - 2, "No organisation links: A adds one.", ST_INFO, true);
	else
		pick_draw(&u->links, w, 5, 0, lh, width);
	int y = 5 + lh;
	if (u->refusal && y < h)
		y += de_put_wrapped(w, y, 0, width, 2, u->refusal, ST_ERROR);
	if (hist && y + 1 < h) {
		tui_put(w, y++, 0, width, "History (newest first; v shows all):", ST_LABEL, true);
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(x, "history"), i, e) {
			if (y >= h)
				break;
			char when[24];
			admin_when(js(e, "at"), when, sizeof(when));
			tui_printf(w, y++, 0, width, ST_NORMAL, true, "%s %s: %s %s", when, js(e, "by"),
				   js(e, "action"), js(e, "detail"));
		}
	}
}

/* ------------------------------------------------------------ the link editor */

/* Rows of the editor: {"t": "head"|"role"|"pt"|"cluster"|"note", ...}. */
static bool ed_tickable(json_t *r)
{
	const char *t = js(r, "t");
	return strcmp(t, "role") == 0 || strcmp(t, "pt") == 0 || strcmp(t, "cluster") == 0;
}

static void ed_label(json_t *r, char *out, size_t size)
{
	const char *t = js(r, "t");
	if (strcmp(t, "role") == 0)
		snprintf(out, size, "%s%s", js(r, "name"),
			 json_is_true(json_object_get(r, "payment_types")) ? " (payment types below)"
									     : "");
	else if (strcmp(t, "cluster") == 0)
		snprintf(out, size, "%s  %s", js(r, "name"), js(r, "description"));
	else
		snprintf(out, size, "%s", js(r, "name"));
}

static void add_row(json_t *rows, const char *t, const char *name)
{
	json_array_append_new(rows, json_pack("{s:s, s:s}", "t", t, "name", name));
}

/* The editor's rows from GET /admin/roles, ticked as link (or nothing). */
static void ed_build(struct uadm *u, json_t *link)
{
	json_t *rows = json_array();
	size_t i;
	json_t *v;
	add_row(rows, "head", "Roles (only those that fit this kind of organisation):");
	json_array_foreach(json_object_get(u->roles, "roles"), i, v) {
		json_t *r = json_deep_copy(v);
		json_object_set_new(r, "t", json_string("role"));
		json_array_append_new(rows, r);
	}
	bool restricted = false;
	json_array_foreach(json_object_get(u->roles, "roles"), i, v)
		restricted |= json_is_true(json_object_get(v, "payment_types"));
	if (restricted)
		add_row(rows, "head", "Payment types for View and Finance View (none ticked: all):");
	json_array_foreach(json_object_get(u->roles, "payment_types"), i, v)
		if (restricted)
			json_array_append_new(rows, json_pack("{s:s, s:O, s:O}", "t", "pt", "code", v,
							      "name", v));
	add_row(rows, "head", "Service Provider Clusters (limit the user to them):");
	json_t *cl = json_object_get(u->roles, "clusters");
	if (!json_array_size(cl))
		add_row(rows, "note", "There are no Provider Clusters defined for this organisation");
	json_array_foreach(cl, i, v) {
		json_t *r = json_deep_copy(v);
		json_object_set_new(r, "t", json_string("cluster"));
		json_array_append_new(rows, r);
	}
	pick_set(&u->ed, rows);
	u->ed.list.cur = 1;
	if (!link)
		return;
	/* the link's roles and payment types are codes, its clusters objects */
	json_t *ids = json_array();
	json_array_foreach(json_object_get(link, "clusters"), i, v)
		json_array_append(ids, json_object_get(v, "id"));
	for (size_t k = 0; k < u->ed.list.n; k++) {
		json_t *r = pick_row(&u->ed, k);
		const char *t = js(r, "t");
		json_t *want = strcmp(t, "role") == 0 ? json_object_get(link, "roles")
			: strcmp(t, "pt") == 0 ? json_object_get(link, "payment_types")
			: strcmp(t, "cluster") == 0 ? ids : NULL;
		json_t *key = json_object_get(r, strcmp(t, "cluster") == 0 ? "id" : "code");
		json_array_foreach(want, i, v)
			if (key && json_equal(key, v))
				u->ed.list.tags[k] = true;
	}
	json_decref(ids);
}

/* The ticked values of one kind of editor row. */
static json_t *ed_ticked(struct uadm *u, const char *t, const char *key)
{
	json_t *out = json_array();
	for (size_t k = 0; k < u->ed.list.n; k++) {
		json_t *r = pick_row(&u->ed, k);
		if (list_is_tagged(&u->ed.list, k) && strcmp(js(r, "t"), t) == 0)
			json_array_append(out, json_object_get(r, key));
	}
	return out;
}

static void on_roles(struct screen *s, const struct api_response *r)
{
	struct uadm *u = own_of(s);
	u->busy = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the roles of the organisation")) {
		u->lv = u->wiz ? LV_ORGS : LV_USER;
		return;
	}
	json_decref(u->roles);
	u->roles = json_incref(r->json);
	json_t *link = NULL;
	size_t i;
	json_t *o;
	if (!u->wiz)
		json_array_foreach(json_object_get(u->user, "organisations"), i, o)
			if (strcmp(js(o, "code"), u->ed_code) == 0)
				link = o;
	ed_build(u, link);
}

static void start_link(struct screen *s, const char *code)
{
	struct uadm *u = own_of(s);
	snprintf(u->ed_code, sizeof(u->ed_code), "%s", code);
	json_decref(u->roles);
	u->roles = NULL;
	pick_set(&u->ed, json_array());
	xfree(&u->refusal);
	u->lv = LV_LINK;
	u->busy = true;
	app_call(s->app, s, call_admin_roles(code), on_roles);
}

static void wiz_next_org(struct screen *s);

static enum wres link_action(struct screen *s, enum action a, int key)
{
	struct uadm *u = own_of(s);
	if (a == ACT_BACK && !u->ed.list.searching) {
		u->lv = u->wiz ? LV_ORGS : LV_USER;
		app_message(s->app, MSG_INFO, "The roles were not changed.");
		return W_HANDLED;
	}
	if (a != ACT_SAVE && a != ACT_OPEN)
		return pick_action(&u->ed, a, key);
	if (u->busy || !u->roles)
		return W_HANDLED;
	json_t *roles = ed_ticked(u, "role", "code");
	if (!json_array_size(roles)) {
		json_decref(roles);
		app_message(s->app, MSG_ERROR, "Tick at least one role (Space)%s.",
			    u->wiz ? "" : "; R on the details revokes the link");
		return W_HANDLED;
	}
	json_t *link = admin_link(u->ed_code, roles, ed_ticked(u, "pt", "code"),
				  ed_ticked(u, "cluster", "id"));
	if (u->wiz) {
		json_array_append_new(u->made, link);
		u->next++;
		wiz_next_org(s);
	} else {
		user_write(s, call_admin_user_link(u->id, link), "Saving the roles...");
	}
	return W_HANDLED;
}

static void link_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct uadm *u = own_of(s);
	json_t *org = json_object_get(u->roles, "organisation");
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Roles of %s at %s %s", u->wiz
		   ? "the new user" : js(u->user, "user_id"), u->ed_code, js(org, "name"));
	tui_put(w, 1, 0, width, "Space ticks  S/F12 or Enter: Submit  Esc: back", ST_DIM, true);
	int y = 2;
	json_t *decl = json_object_get(u->roles, "pcn_declarers");
	if (decl && json_integer_value(decl) < 2) {
		tui_printf(w, y++, 0, width, ST_ERROR, true, "! Only %lld user%s of this PCN hold%s "
			   "Declaration Management: it needs at least two.",
			   (long long)json_integer_value(decl),
			   json_integer_value(decl) == 1 ? "" : "s",
			   json_integer_value(decl) == 1 ? "s" : "");
	}
	if (!u->roles) {
		tui_put(w, y, 0, width, "Loading...", ST_INFO, true);
		return;
	}
	int lh = h - y - (u->refusal ? 2 : 0);
	pick_draw(&u->ed, w, y, 0, lh, width);
	if (u->refusal)
		de_put_wrapped(w, y + lh, 0, width, 2, u->refusal, ST_ERROR);
}

/* ------------------------------------------------------------ Add Organisation */

static void org_label(json_t *o, char *out, size_t size)
{
	snprintf(out, size, "%-7s %-8s %s", js(o, "code"), js(o, "kind"), js(o, "name"));
}

static void on_orgs(struct screen *s, const struct api_response *r)
{
	struct uadm *u = own_of(s);
	u->busy = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Searching the organisations"))
		return;
	pick_set(&u->orgs, json_deep_copy(json_object_get(r->json, "organisations")));
	app_message(s->app, MSG_INFO, "%zu organisation%s found.", u->orgs.list.n,
		    u->orgs.list.n == 1 ? "" : "s");
}

static void on_search(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct uadm *u = own_of(s);
	if (result < 0 || !text) {
		if (!u->orgs.list.n)
			u->lv = u->wiz ? LV_INFO : LV_USER;
		return;
	}
	u->lv = LV_ORGS;
	u->busy = true;
	app_call(s->app, s, call_orgs(&(struct orgs_q){.q = text, .limit = 200}), on_orgs);
}

static void search_orgs(struct screen *s, bool wiz)
{
	struct uadm *u = own_of(s);
	u->wiz = wiz;
	app_popup(s->app, popup_prompt("Add Organisation: search by ID or name",
				       "ID or name:", "", on_search, s));
	(void)u;
}

static enum wres orgs_action(struct screen *s, enum action a, int key)
{
	struct uadm *u = own_of(s);
	if (a == ACT_BACK && !u->orgs.list.searching) {
		u->lv = u->wiz ? LV_INFO : LV_USER;
		return W_HANDLED;
	}
	if (a == ACT_ADD_NEW) {
		search_orgs(s, u->wiz);
		return W_HANDLED;
	}
	if (a != ACT_SAVE && a != ACT_OPEN)
		return pick_action(&u->orgs, a, key);
	if (!u->wiz) {
		json_t *o = pick_cursor(&u->orgs);
		if (o)
			start_link(s, js(o, "code"));
		return W_HANDLED;
	}
	json_decref(u->chosen);
	u->chosen = json_array();
	for (size_t i = 0; i < u->orgs.list.n; i++)
		if (list_is_tagged(&u->orgs.list, i))
			json_array_append(u->chosen, pick_row(&u->orgs, i));
	if (!json_array_size(u->chosen)) {
		app_message(s->app, MSG_ERROR, "Tick the organisations first (Space).");
		return W_HANDLED;
	}
	json_decref(u->made);
	u->made = json_array();
	u->next = 0;
	wiz_next_org(s);
	return W_HANDLED;
}

static void orgs_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct uadm *u = own_of(s);
	tui_put(w, 0, 0, width, u->wiz ? "Add New User: Add Organisation (tick them)"
					: "Add an organisation to the user", ST_HEADING, true);
	tui_put(w, 1, 0, width, u->wiz ? "Space ticks  S/F12 or Enter: Continue  A: search again"
					 "  Esc: back"
					: "Enter: choose  A: search again  Esc: back", ST_DIM, true);
	tui_put(w, 2, 0, width, "      Code    Kind     Name", ST_COLHEAD, true);
	if (u->busy)
		tui_put(w, 3, 0, width, "Searching...", ST_INFO, true);
	else if (!u->orgs.list.n)
		tui_put(w, 3, 0, width, "No organisation you administer matches: A searches again.",
			ST_INFO, true);
	else
		pick_draw(&u->orgs, w, 3, 0, h - 3, width);
}

/* ------------------------------------------------------------ the wizard */

static void wiz_form(struct uadm *u, enum level lv)
{
	form_free(&u->fm);
	form_init(&u->fm);
	if (lv == LV_EMAIL) {
		u->f_email = form_add(&u->fm, "E-mail (nhs.net, nhs.uk)", F_TEXT, 120);
		u->f_confirm = form_add(&u->fm, "E-mail again", F_TEXT, 120);
	} else {
		u->f_title = form_add(&u->fm, "Title (optional)", F_TEXT, 20);
		u->f_first = form_add(&u->fm, "First name", F_TEXT, 60);
		u->f_last = form_add(&u->fm, "Last name", F_TEXT, 60);
		u->f_phone = form_add(&u->fm, "Work phone", F_TEXT, 20);
		u->f_mobile = form_add(&u->fm, "Mobile (optional)", F_TEXT, 20);
	}
	u->lv = lv;
}

static void wiz_keep(struct uadm *u, const char *key, size_t field)
{
	char *v = form_get(&u->fm, field);
	json_object_set_new(u->typed, key, json_string(v));
	free(v);
}

static void start_wizard(struct screen *s)
{
	struct uadm *u = own_of(s);
	json_decref(u->typed);
	u->typed = json_object();
	xfree(&u->refusal);
	u->wiz = true;
	pick_set(&u->orgs, json_array());
	wiz_form(u, LV_EMAIL);
}

static void on_email_ok(struct screen *s, const struct api_response *r)
{
	struct uadm *u = own_of(s);
	if (!admin_written(s->app, r, &u->busy, &u->refusal) || u->lv != LV_EMAIL)
		return;
	wiz_keep(u, "email", u->f_email);
	wiz_keep(u, "email_confirm", u->f_confirm);
	wiz_form(u, LV_INFO);
	app_message(s->app, MSG_OK, "The e-mail address can be used.");
}

static void on_created(struct screen *s, const struct api_response *r)
{
	struct uadm *u = own_of(s);
	if (!admin_written(s->app, r, &u->busy, &u->refusal))
		return;
	json_decref(u->created);
	u->created = json_incref(json_object_get(r->json, "user"));
	u->lv = LV_DONE;
	app_message(s->app, MSG_OK, "User %s added; the registration e-mail is on its way.",
		    js(u->created, "user_id"));
}

static void on_submit(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct uadm *u = own_of(s);
	if (result != POP_YES) {
		app_message(s->app, MSG_INFO, "Not added yet: Esc goes back, S submits.");
		return;
	}
	struct admin_user_new n = {
		.email = js(u->typed, "email"), .email_confirm = js(u->typed, "email_confirm"),
		.title = js(u->typed, "title"), .first_name = js(u->typed, "first_name"),
		.last_name = js(u->typed, "last_name"), .work_phone = js(u->typed, "work_phone"),
		.mobile = js(u->typed, "mobile"), .links = json_deep_copy(u->made),
	};
	u->busy = true;
	app_message(s->app, MSG_INFO, "Adding the user...");
	app_call(s->app, s, call_admin_user_create(&n), on_created);
}

/* The next ticked organisation's roles, or the summary and Submit. */
static void wiz_next_org(struct screen *s)
{
	struct uadm *u = own_of(s);
	json_t *o = json_array_get(u->chosen, u->next);
	if (o) {
		start_link(s, js(o, "code"));
		return;
	}
	u->lv = LV_ORGS;
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "Submit: add %s %s (%s) with ", js(u->typed, "first_name"),
		   js(u->typed, "last_name"), js(u->typed, "email"));
	size_t i;
	json_t *l;
	json_array_foreach(u->made, i, l) {
		char roles[120];
		admin_join(json_object_get(l, "roles"), ",", roles, sizeof(roles));
		buf_printf(&b, "%s%s: %s", i ? "; " : "", js(l, "code"), roles);
	}
	buf_puts(&b, "?");
	app_popup(s->app, popup_confirm(b.data, on_submit, s));
	buf_free(&b);
}

static enum wres form_level_action(struct screen *s, enum action a, int key)
{
	struct uadm *u = own_of(s);
	if (a == ACT_BACK) {
		if (u->lv == LV_INFO) {
			wiz_form(u, LV_EMAIL);
			form_set(&u->fm, u->f_email, js(u->typed, "email"));
			form_set(&u->fm, u->f_confirm, js(u->typed, "email_confirm"));
		} else {
			u->lv = LV_LIST;
			app_message(s->app, MSG_INFO, "No user was added.");
		}
		return W_HANDLED;
	}
	enum wres r = a == ACT_SAVE ? W_SUBMIT : form_action(&u->fm, a, key);
	if (r != W_SUBMIT)
		return r;
	if (a != ACT_SAVE && u->fm.focus + 1 < u->fm.n) {
		u->fm.focus++;
		return W_HANDLED;
	}
	if (u->busy)
		return W_HANDLED;
	xfree(&u->refusal);
	if (u->lv == LV_EMAIL) {
		char *e = form_get(&u->fm, u->f_email), *c = form_get(&u->fm, u->f_confirm);
		u->busy = true;
		app_call(s->app, s, call_admin_email_check(e, c), on_email_ok);
		free(e);
		free(c);
		return W_HANDLED;
	}
	bool ok = true;
	size_t need[] = {u->f_first, u->f_last, u->f_phone};
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		form_set_error(&u->fm, need[i], NULL);
		if (ok && form_empty(&u->fm, need[i])) {
			form_set_error(&u->fm, need[i], "required");
			u->fm.focus = need[i];
			ok = false;
		}
	}
	if (!ok)
		return W_HANDLED;
	wiz_keep(u, "title", u->f_title);
	wiz_keep(u, "first_name", u->f_first);
	wiz_keep(u, "last_name", u->f_last);
	wiz_keep(u, "work_phone", u->f_phone);
	wiz_keep(u, "mobile", u->f_mobile);
	search_orgs(s, true);
	return W_HANDLED;
}

static void form_level_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct uadm *u = own_of(s);
	tui_put(w, 0, 0, width, u->lv == LV_EMAIL ? "Add New User: e-mail address"
						 : "Add New User: user information", ST_HEADING, true);
	tui_put(w, 1, 0, width, u->lv == LV_EMAIL
		? "Enter moves on; Enter on the last field: Continue (checked). Esc: back"
		: "Enter moves on; on the last field: Add Organisation. Esc: back", ST_DIM, true);
	form_draw(&u->fm, w, 3, 0, 36);
	s->show_cursor = true;
	s->cur_y = u->fm.cur_y;
	s->cur_x = u->fm.cur_x;
	int y = 3 + (int)u->fm.n * 2;
	if (u->busy)
		tui_put(w, y, 0, width, "Checking...", ST_INFO, true);
	else if (u->refusal)
		de_put_wrapped(w, y, 0, width, h - y, u->refusal, ST_ERROR);
}

static void done_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct uadm *u = own_of(s);
	json_t *c = u->created;
	char until[24];
	admin_when(json_string_value(json_object_get(c, "registration_expires")), until,
		   sizeof(until));
	tui_put(w, 0, 0, width, "Add New User: done", ST_HEADING, true);
	tui_printf(w, 2, 0, width, ST_OK, true, "The user has been added. User ID: %s",
		   js(c, "user_id"));
	tui_printf(w, 3, 0, width, ST_NORMAL, true, "%s <%s>", js(c, "name"), js(c, "email"));
	tui_printf(w, 5, 0, width, ST_NORMAL, true, "A registration e-mail with a code (valid "
		   "until %s) has been sent.", until);
	tui_printf(w, 6, 0, width, ST_NORMAL, true, "They run `cqrs register --user %s`",
		   js(c, "user_id"));
	tui_put(w, 7, 0, width, "(or Register with a code on the sign-in screen) and choose their "
		"password.", ST_NORMAL, true);
	tui_put(w, 9, 0, width, "Enter: the user's details   Esc: the list of users", ST_DIM, true);
}

/* ------------------------------------------------------------ the levels */

static bool below_active(struct screen *s)
{
	return own_of(s)->lv != LV_LIST;
}

static void below_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct uadm *u = own_of(s);
	s->show_cursor = false;
	switch (u->lv) {
	case LV_USER: user_draw(s, w, h, width); break;
	case LV_LINK: link_draw(s, w, h, width); break;
	case LV_EMAIL:
	case LV_INFO: form_level_draw(s, w, h, width); break;
	case LV_ORGS: orgs_draw(s, w, h, width); break;
	case LV_DONE: done_draw(s, w, h, width); break;
	default: break;
	}
}

static enum wres below_action(struct screen *s, enum action a, int key)
{
	struct uadm *u = own_of(s);
	switch (u->lv) {
	case LV_USER: return user_action(s, a, key);
	case LV_LINK: return link_action(s, a, key);
	case LV_EMAIL:
	case LV_INFO: return form_level_action(s, a, key);
	case LV_ORGS: return orgs_action(s, a, key);
	case LV_DONE:
		if (a == ACT_OPEN) {
			u->lv = LV_USER;
			u->wiz = false;
			load_user(s, json_integer_value(json_object_get(u->created, "id")));
			return W_HANDLED;
		}
		if (a == ACT_BACK) {
			u->lv = LV_LIST;
			ls_reload(u->l);
			return W_HANDLED;
		}
		return W_IGNORED;
	default:
		return W_IGNORED;
	}
}

static enum context below_context(struct screen *s)
{
	enum level lv = own_of(s)->lv;
	return lv == LV_EMAIL || lv == LV_INFO ? CTX_ADMIN_FORM : CTX_ADMIN;
}

static bool below_offers(struct screen *s, enum action a)
{
	switch (own_of(s)->lv) {
	case LV_USER:
		return a == ACT_ADD_NEW || a == ACT_REMOVE || a == ACT_OPEN || a == ACT_HELP ||
		       a == ACT_QUIT || a == ACT_BACK || a == ACT_REFRESH;
	case LV_LINK:
		return a == ACT_SAVE || a == ACT_TOGGLE_TAG || a == ACT_HELP || a == ACT_QUIT ||
		       a == ACT_BACK;
	case LV_ORGS:
		return a == ACT_SAVE || a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL || a == ACT_ADD_NEW ||
		       a == ACT_HELP || a == ACT_QUIT || a == ACT_BACK;
	case LV_EMAIL:
	case LV_INFO:
		return a == ACT_SAVE || a == ACT_HELP || a == ACT_QUIT || a == ACT_BACK;
	default:
		return a == ACT_HELP || a == ACT_QUIT || a == ACT_BACK;
	}
}

static void below_reopen(struct screen *s)
{
	struct uadm *u = own_of(s);
	if (u->lv == LV_USER || u->lv == LV_LINK)
		load_user(s, u->id);
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
	start_wizard(ls_screen(l));
	return W_HANDLED;
}

static int list_offers(struct ls *l, enum action a)
{
	if (a == ACT_ADD_NEW || a == ACT_FILTER || a == ACT_OPEN)
		return 1;
	if (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL || a == ACT_REMOVE || a == ACT_SAVE ||
	    a == ACT_DISABLE_USER || a == ACT_UNLOCK_USER || a == ACT_RESEND || a == ACT_HISTORY)
		return 0;
	return -1;
}

static void own_init(struct ls *l, void *own)
{
	struct uadm *u = own;
	u->l = l;
	pick_init(&u->links, false, link_label);
	pick_init(&u->ed, true, ed_label);
	u->ed.tickable = ed_tickable;
	pick_init(&u->orgs, true, org_label);
	form_init(&u->fm);
}

static void own_done(void *own)
{
	struct uadm *u = own;
	pick_free(&u->links);
	pick_free(&u->ed);
	pick_free(&u->orgs);
	form_free(&u->fm);
	json_decref(u->user);
	json_decref(u->roles);
	json_decref(u->chosen);
	json_decref(u->made);
	json_decref(u->created);
	json_decref(u->typed);
	free(u->refusal);
}

const struct ls_decl admin_users_list = {
	.source = source,
	.rows = "users",
	.what = "Loading the users",
	.error = "Error: Could not load the users",
	.filters = filters,
	.nfilters = ARRAY_SIZE(filters),
	.columns = columns,
	.ncolumns = ARRAY_SIZE(columns),
	.search = "{name} {user_id} {email}",
	.empty = "No users are in the {State} state here.",
	.empty_hint = "f changes the filters; A adds a new user.",
	.menu_labels = true,
	.context = CTX_ADMIN,
	.head_rows = 3,
	.head = head,
	.open = open_user,
	.offers = list_offers,
	.action = list_hook,
	.below = &levels,
	.own_size = sizeof(struct uadm),
	.own_init = own_init,
	.own_done = own_done,
};
