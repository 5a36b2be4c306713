/* register.c: the Security Information screen, shown signed out: "Register
 * with a code" on the sign-in screen (F6 or Ctrl-G) and `cqrs register
 * [--user ID]` open it. The user types their user ID, the code from the
 * registration (or password-reset) e-mail and a new password twice, with
 * the whole policy marked rule by rule (pwform.h); POST /registration sets
 * the password and the sign-in screen follows with the user ID filled
 * in. Esc goes back to the sign-in screen. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "screens/frame.h"
#include "screens/pwform.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

static void reg_init(struct screen *s)
{
	pwform_init(s->priv, PW_REGISTER, NULL);
}

static void reg_done(struct screen *s)
{
	pwform_free(s->priv);
}

static void on_policy(struct screen *s, const struct api_response *r)
{
	pwform_policy_loaded(s->priv, s->app, r);
	app_dirty(s->app);
}

static void reg_open(struct screen *s)
{
	app_call(s->app, s, pwform_policy_call(), on_policy);
}

void register_prepare(struct screen *s, const char *user)
{
	struct pwform *p = s->priv;
	if (!p || !user || !*user)
		return;
	form_set(&p->form, p->f_user, user);
	p->form.focus = p->f_code;
	app_dirty(s->app);
}

static void on_registered(struct screen *s, const struct api_response *r)
{
	struct pwform *p = s->priv;
	app_dirty(s->app);
	if (!pwform_answered(p, s->app, r))
		return;
	char *user = pwform_user(p);
	form_set(&p->form, p->f_code, "");
	form_set(&p->form, p->f_new, "");
	form_set(&p->form, p->f_confirm, "");
	app_show_sign_in(s->app, user);
	app_message(s->app, MSG_OK, "Your password is set: sign in as %s with it.", user);
	free(user);
}

static enum wres reg_action(struct screen *s, enum action a, int key)
{
	struct pwform *p = s->priv;
	if (a == ACT_BACK) {
		char *user = pwform_user(p);
		app_show_sign_in(s->app, user);
		free(user);
		return W_HANDLED;
	}
	enum wres r = pwform_action(p, a, key);
	if (r != W_SUBMIT)
		return r;
	struct api_call c;
	if (p->busy)
		app_message(s->app, MSG_INFO, "Sending: please wait.");
	else if (pwform_call(p, &c))
		app_call(s->app, s, c, on_registered);
	return W_HANDLED;
}

static enum context reg_context(struct screen *s)
{
	return CTX_FORM;
}

static void reg_draw(struct screen *s, WINDOW *w, int h, int width)
{
	tui_put(w, 0, 1, width - 2, "Security Information: choose your password", ST_HEADING,
		true);
	tui_put(w, 1, 1, width - 2, "User ID and the code from your e-mail (registration or "
		"reset). Esc: back", ST_DIM, true);
	pwform_draw(s->priv, s, w, 2, h, width);
}

static bool reg_offers(struct screen *s, enum action a)
{
	return a == ACT_HELP || a == ACT_QUIT || a == ACT_SUBMIT || a == ACT_BACK;
}

const struct screen_ops register_ops = {
	.offers = reg_offers,
	.priv_size = sizeof(struct pwform),
	.init = reg_init,
	.open = reg_open,
	.draw = reg_draw,
	.action = reg_action,
	.context = reg_context,
	.done = reg_done,
};
