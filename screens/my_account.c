/* my_account.c: Home > My Account: the user's name and e-mail, and every
 * organisation they are linked to with their roles there (GET /me). The
 * organisations form a tree: organisation, then its roles. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "screens/screens.h"
#include "tui/tree.h"
#include "tui/tui.h"
#include "util.h"

struct account {
	struct tree tree;
	json_t *me;   /* owned reference */
	bool loading;
};

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
	json_decref(ac->me);
	ac->me = NULL;
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
	tree_done(&ac->tree, 1);
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

static void acc_open(struct screen *s)
{
	struct account *ac = s->priv;
	if (!ac->me && app_me(s->app)) {
		/* the frame has just read /me: show it at once */
		ac->me = json_incref(app_me(s->app));
		build(ac);
		return;
	}
	ac->loading = true;
	app_request(s->app, s, "GET", "/me", NULL, on_me);
}

static enum wres acc_action(struct screen *s, enum action a, int key)
{
	struct account *ac = s->priv;
	enum wres r = tree_action(&ac->tree, a, key);
	return r == W_OPEN ? W_HANDLED : r;
}

static enum context acc_context(struct screen *s)
{
	return CTX_TREE;
}

static void acc_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct account *ac = s->priv;
	tui_put(w, 0, 0, width, "My Account", ST_HEADING, true);
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
	return a != ACT_TAG_ALL && a != ACT_TOGGLE_TAG && a != ACT_FILTER;
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
