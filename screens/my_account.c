/* my_account.c: Home > My Account: the user's name and e-mail, every
 * organisation they are linked to with their roles there (GET /me), and
 * their e-mail notification preferences, on or off per kind (GET and PUT
 * /me/notifications; Space turns one on or off). The organisations form
 * a tree: organisation, then its roles. F6 or P changes the password
 * (current, new, confirmation) with the whole policy marked rule by rule
 * (pwform.h); Esc leaves that form. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "screens/pwform.h"
#include "screens/screens.h"
#include "tui/tree.h"
#include "tui/tui.h"
#include "util.h"

struct account {
	struct tree tree;
	json_t *me;    /* owned reference */
	json_t *prefs; /* owned reference: the "preferences" array, or NULL */
	bool loading;
	bool saving;
	bool changing;   /* the change-of-password form is shown */
	struct pwform pw;
};

/* Tags of preference nodes: PREF_TAG + their index in prefs. */
#define PREF_TAG 1000L

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static void acc_init(struct screen *s)
{
	struct account *ac = s->priv;
	tree_init(&ac->tree);
}

static void acc_done(struct screen *s)
{
	struct account *ac = s->priv;
	tree_free(&ac->tree);
	if (ac->changing)
		pwform_free(&ac->pw);
	ac->changing = false;
	json_decref(ac->me);
	ac->me = NULL;
	json_decref(ac->prefs);
	ac->prefs = NULL;
}

static void build(struct account *ac)
{
	tree_free(&ac->tree);
	tree_init(&ac->tree);
	size_t i, k;
	json_t *o, *r;
	json_array_foreach(json_object_get(ac->me, "organisations"), i, o) {
		char *t = xasprintf("%s  %s  (%s)%s", jstr(o, "code"), jstr(o, "name"),
				    jstr(o, "kind"),
				    json_is_true(json_object_get(o, "pounds")) ? "  sees pounds" : "");
		tree_add(&ac->tree, 0, t, ST_LABEL, 0);
		free(t);
		json_array_foreach(json_object_get(o, "roles"), k, r) {
			t = xasprintf("%s (%s)", jstr(r, "name"), jstr(r, "code"));
			tree_add(&ac->tree, 1, t, ST_NORMAL, 0);
			free(t);
		}
	}
	json_t *cl = json_object_get(ac->me, "clusters");
	if (json_array_size(cl)) {
		tree_add(&ac->tree, 0, "Service Provider Clusters you are limited to", ST_LABEL, 0);
		json_array_foreach(cl, i, o) {
			char *t = xasprintf("%s (defined by %s)", jstr(o, "name"), jstr(o, "organisation"));
			tree_add(&ac->tree, 1, t, ST_NORMAL, 0);
			free(t);
		}
	}
	if (json_array_size(ac->prefs)) {
		tree_add(&ac->tree, 0, "E-mail notifications (Space turns one on or off)", ST_LABEL,
			 TREE_OPEN);
		json_array_foreach(ac->prefs, i, o) {
			char *t = xasprintf("[%s] %s", json_is_true(json_object_get(o, "enabled")) ? "x" : " ",
					    jstr(o, "name"));
			tree_add(&ac->tree, 1, t, ST_NORMAL, PREF_TAG + (long)i);
			free(t);
		}
	}
	tree_done(&ac->tree, 1);
}

/* Rebuilds the tree, keeping the cursor where it was. */
static void rebuild(struct account *ac)
{
	size_t cur = ac->tree.list.cur;
	build(ac);
	if (cur < ac->tree.nvis)
		ac->tree.list.cur = cur;
}

static void on_prefs(struct screen *s, const struct api_response *r)
{
	struct account *ac = s->priv;
	ac->saving = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "E-mail notification preferences"))
		return;
	json_decref(ac->prefs);
	ac->prefs = json_incref(json_object_get(r->json, "preferences"));
	if (ac->me)
		rebuild(ac);
}

static void on_prefs_saved(struct screen *s, const struct api_response *r)
{
	bool ok = r->status == 200;
	on_prefs(s, r);
	if (ok)
		app_message(s->app, MSG_INFO, "E-mail notification preferences saved.");
}

static void on_me(struct screen *s, const struct api_response *r)
{
	struct account *ac = s->priv;
	ac->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading your account"))
		return;
	json_decref(ac->me);
	ac->me = json_incref(r->json);
	build(ac);
}

static void load_prefs(struct screen *s)
{
	app_call(s->app, s, call_notifications(), on_prefs);
}

static void acc_open(struct screen *s)
{
	struct account *ac = s->priv;
	load_prefs(s);
	if (!ac->me && app_me(s->app)) {
		/* the frame has just read /me: show it at once */
		ac->me = json_incref(app_me(s->app));
		build(ac);
		return;
	}
	ac->loading = true;
	app_call(s->app, s, call_me(), on_me);
}

static void on_policy(struct screen *s, const struct api_response *r)
{
	struct account *ac = s->priv;
	if (ac->changing)
		pwform_policy_loaded(&ac->pw, s->app, r);
	app_dirty(s->app);
}

static void on_changed(struct screen *s, const struct api_response *r)
{
	struct account *ac = s->priv;
	app_dirty(s->app);
	if (!ac->changing || !pwform_answered(&ac->pw, s->app, r))
		return;
	pwform_free(&ac->pw);
	ac->changing = false;
	app_message(s->app, MSG_OK, "Your password has been changed.");
}

/* The change-of-password form: Esc leaves it, Enter on the last field
 * sends it. */
static enum wres change_action(struct screen *s, enum action a, int key)
{
	struct account *ac = s->priv;
	if (a == ACT_BACK) {
		pwform_free(&ac->pw);
		ac->changing = false;
		app_message(s->app, MSG_INFO, "Your password is unchanged.");
		return W_HANDLED;
	}
	enum wres r = pwform_action(&ac->pw, a, key);
	if (r != W_SUBMIT)
		return r;
	struct api_call c;
	if (ac->pw.busy)
		app_message(s->app, MSG_INFO, "Sending: please wait.");
	else if (pwform_call(&ac->pw, &c))
		app_call(s->app, s, c, on_changed);
	return W_HANDLED;
}

static enum wres acc_action(struct screen *s, enum action a, int key)
{
	struct account *ac = s->priv;
	if (ac->changing)
		return change_action(s, a, key);
	if (a == ACT_CHANGE_PASSWORD) {
		pwform_init(&ac->pw, PW_CHANGE, jstr(app_me(s->app), "user_id"));
		ac->changing = true;
		app_call(s->app, s, pwform_policy_call(), on_policy);
		return W_HANDLED;
	}
	if (a == ACT_TOGGLE_TAG) {
		struct tree_node *n = tree_current(&ac->tree);
		if (!n || n->tag < PREF_TAG) {
			app_message(s->app, MSG_INFO,
				    "Space turns an e-mail notification on or off (at the end of the list).");
			return W_HANDLED;
		}
		json_t *p = json_array_get(ac->prefs, (size_t)(n->tag - PREF_TAG));
		if (!p || ac->saving)
			return W_HANDLED;
		ac->saving = true;
		bool on = !json_is_true(json_object_get(p, "enabled"));
		app_call(s->app, s, call_notification_set(jstr(p, "kind"), on), on_prefs_saved);
		return W_HANDLED;
	}
	enum wres r = tree_action(&ac->tree, a, key);
	return r == W_OPEN ? W_HANDLED : r;
}

static enum context acc_context(struct screen *s)
{
	struct account *ac = s->priv;
	return ac->changing ? CTX_FORM : CTX_ACCOUNT;
}

static void acc_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct account *ac = s->priv;
	if (ac->changing) {
		tui_put(w, 0, 0, width, "My Account: change your password", ST_HEADING, true);
		tui_put(w, 1, 0, width, "Enter moves on and sends on the last field; Esc: back",
			ST_DIM, true);
		pwform_draw(&ac->pw, s, w, 2, h, width);
		return;
	}
	s->show_cursor = false;
	tui_put(w, 0, 0, width, "My Account   (F6 or P: change your password)", ST_HEADING,
		true);
	if (!ac->me) {
		tui_put(w, 2, 0, width, ac->loading ? "Loading..." : "", ST_INFO, true);
		return;
	}
	tui_printf(w, 1, 0, width, ST_NORMAL, true, "%s  %s  <%s>", jstr(ac->me, "user_id"),
		   jstr(ac->me, "name"), jstr(ac->me, "email"));
	tui_printf(w, 2, 0, width, ST_DIM, true, "Sign-in token kept in: %s",
		   app_token_store(s->app));
	tui_put(w, 3, 0, width, "Your organisations and your roles in each:", ST_DIM, true);
	if (!ac->tree.n) {
		tui_put(w, 5, 0, width, "You are not linked to any organisation.", ST_INFO, true);
		return;
	}
	tree_draw(&ac->tree, w, 4, 0, h - 4, width);
}

static bool acc_offers(struct screen *s, enum action a)
{
	struct account *ac = s->priv;
	if (ac->changing)
		return a == ACT_HELP || a == ACT_QUIT || a == ACT_BACK || a == ACT_SUBMIT;
	return a != ACT_TAG_ALL && a != ACT_FILTER;
}

const struct screen_ops my_account_ops = {
	.offers = acc_offers,
	.priv_size = sizeof(struct account),
	.init = acc_init,
	.open = acc_open,
	.draw = acc_draw,
	.action = acc_action,
	.context = acc_context,
	.done = acc_done,
};
