/* signin.c: the sign-in screen: user ID and masked password, and in demo
 * mode a pick-list of the demo users by role. Wrong password, locked
 * account and unreachable server are reported on the message line by the
 * frame. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "screens/frame.h"
#include "screens/screens.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

/* The demo users `cqrsd --demo` creates (its seed); only offered with
 * `cqrs --demo`, where the password is public. The descriptions fit
 * beside the user IDs at 80 columns, and the list fits at 80x23. */
static const struct demo_user {
	const char *user;
	const char *roles;
} demo_users[] = {
	{"demo.practice", "Practice: services, data entry, declaring, users"},
	{"demo.view", "Practice: view only"},
	{"demo.pcn", "PCN: PCN Management, Declaration Management"},
	{"demo.commissioner", "ICB: Commissioning Management, Achievement Entry"},
	{"demo.approver", "ICB: Approval Management"},
	{"demo.finance", "ICB: Finance Management"},
	{"demo.admin", "ICB: Advanced User Admin, Organisation Admin"},
	{"demo.cluster", "ICB commissioner limited to a Provider Cluster"},
	{"demo.useradmin", "ICB: User Administrator only"},
	{"demo.practiceadmin", "Practice A81004: User Administrator only"},
	{"demo.qofview", "Practice: view only, QOF services only"},
};
#define DEMO_PASSWORD "Terminal-2025"

struct signin {
	struct form form;
	size_t f_user, f_pass;
	bool has_demo;
	bool busy;
	bool checking;          /* the saved sign-in is being checked */
	char *demo_items[ARRAY_SIZE(demo_users)];
	struct screen *s;
};

static void signin_init(struct screen *s)
{
	struct signin *si = s->priv;
	si->s = s;
	form_init(&si->form);
	si->has_demo = app_is_demo(s->app);
	for (size_t i = 0; i < ARRAY_SIZE(demo_users); i++)
		si->demo_items[i] = xasprintf("%-18s %s", demo_users[i].user, demo_users[i].roles);
	si->f_user = form_add(&si->form, "User ID", F_TEXT, 64);
	si->f_pass = form_add(&si->form, "Password", F_PASSWORD, 64);
	si->form.focus = si->f_user;
}

static void signin_done(struct screen *s)
{
	struct signin *si = s->priv;
	form_free(&si->form);
	for (size_t i = 0; i < ARRAY_SIZE(demo_users); i++)
		free(si->demo_items[i]);
}

void signin_checking(struct screen *s, bool checking)
{
	struct signin *si = s->priv;
	if (si)
		si->checking = checking;
}

void signin_prepare(struct screen *s, const char *user)
{
	struct signin *si = s->priv;
	if (!si)
		return;
	if (user && *user) {
		form_set(&si->form, si->f_user, user);
		si->form.focus = si->f_pass;
	}
	app_dirty(s->app);
}

void signin_busy(struct screen *s, bool busy)
{
	struct signin *si = s->priv;
	if (si)
		si->busy = busy;
}

void signin_clear_password(struct screen *s)
{
	struct signin *si = s->priv;
	if (si)
		form_set(&si->form, si->f_pass, "");
}

static void on_demo_pick(void *ud, int result, const char *text)
{
	struct signin *si = ud;
	if (result < 0 || (size_t)result >= ARRAY_SIZE(demo_users))
		return;
	form_set(&si->form, si->f_user, demo_users[result].user);
	form_set(&si->form, si->f_pass, DEMO_PASSWORD);
	si->form.focus = si->f_pass;
	app_message(si->s->app, MSG_INFO, "Press Enter to sign in as %s.", demo_users[result].user);
	app_dirty(si->s->app);
}

static void submit(struct signin *si)
{
	struct app *a = si->s->app;
	if (si->busy) {
		app_message(a, MSG_INFO, "Signing in: please wait (Esc stops it).");
		return;
	}
	char *user = form_get(&si->form, si->f_user);
	char *pass = form_get(&si->form, si->f_pass);
	form_set_error(&si->form, si->f_user, NULL);
	form_set_error(&si->form, si->f_pass, NULL);
	if (!*user) {
		form_set_error(&si->form, si->f_user, "enter your user ID");
		si->form.focus = si->f_user;
	} else if (!user_id_valid(user)) {
		form_set_error(&si->form, si->f_user, "letters, digits, . _ - only");
		si->form.focus = si->f_user;
	} else if (!*pass) {
		si->form.focus = si->f_pass;
		form_set_error(&si->form, si->f_pass, "enter your password");
	} else {
		app_sign_in(a, user, pass);
	}
	memset(pass, 0, strlen(pass));
	free(pass);
	free(user);
}

/* Forgotten password: the answer is the same whether the account exists
 * or not (the server does not tell). */
static void on_reset_sent(struct screen *s, const struct api_response *r)
{
	if (app_failed(s->app, r, "Forgotten password"))
		return;
	app_message(s->app, MSG_OK, "If that account is active, a reset code is on its way by "
		    "e-mail (valid 30 minutes): F6 or Ctrl-G to use it.");
}

static void on_forgot(void *ud, int result, const char *text)
{
	struct signin *si = ud;
	if (result < 0 || !text)
		return;
	if (!*text) {
		app_message(si->s->app, MSG_INFO, "Type your user ID or e-mail address.");
		return;
	}
	if (!strchr(text, '@'))
		form_set(&si->form, si->f_user, text);
	app_message(si->s->app, MSG_INFO, "Asking for a reset code...");
	app_call(si->s->app, si->s, call_password_reset(text), on_reset_sent);
}

static enum wres signin_action(struct screen *s, enum action a, int key)
{
	struct signin *si = s->priv;
	if (si->checking)
		return W_HANDLED;
	if (a == ACT_REGISTER) {
		char *user = form_get(&si->form, si->f_user);
		app_show_register(s->app, user);
		free(user);
		return W_HANDLED;
	}
	if (a == ACT_FORGOT_PASSWORD) {
		char *user = form_get(&si->form, si->f_user);
		app_popup(s->app, popup_prompt("Forgotten password: a reset code by e-mail",
					       "User ID or e-mail", user, on_forgot, si));
		free(user);
		return W_HANDLED;
	}
	/* the demo users: F4, C-t or Space (a user ID has no spaces) */
	if (si->has_demo && a == ACT_CHOOSE) {
		app_popup(s->app, popup_choice("Demo users (password " DEMO_PASSWORD ")",
					       (const char *const *)si->demo_items,
					       ARRAY_SIZE(si->demo_items), 0, on_demo_pick, si));
		return W_HANDLED;
	}
	enum wres r = form_action(&si->form, a, key);
	if (r == W_SUBMIT) {
		submit(si);
		return W_HANDLED;
	}
	return r;
}

static enum context signin_context(struct screen *s)
{
	return CTX_SIGNIN;
}

static void signin_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct signin *si = s->priv;
	tui_put(w, 0, 1, width - 2, "Sign in to CQRS National", ST_HEADING, false);
	tui_printf(w, 1, 1, width - 2, ST_DIM, false, "Server: %s", app_server(s->app));
	if (si->checking) {
		/* no form to type a password into while it may not be needed */
		tui_put(w, 3, 3, width - 4, "Checking your saved sign-in...", ST_LABEL, false);
		tui_put(w, 5, 3, width - 4, "Keys typed now go to the sign-in form if it is needed.",
			ST_NORMAL, false);
		s->show_cursor = false;
		return;
	}
	form_draw(&si->form, w, 3, 1, 30);
	int y = 3 + (int)si->form.n * 2;
	tui_put(w, y++, 3, width - 4,
		si->has_demo ? "Enter signs in. Tab: next field. F4 or Space: demo users. Esc quits."
			     : "Enter signs in. Tab moves between fields. Esc or F10 quits.",
		ST_NORMAL, false);
	tui_put(w, y++, 3, width - 4, "F6 or Ctrl-G: Register with a code   F7 or Ctrl-F: "
		"Forgotten password", ST_NORMAL, false);
	if (si->has_demo && y + 2 < h) {
		size_t n = ARRAY_SIZE(demo_users);
		if ((size_t)(h - y - 1) >= n) {
			/* room for each with its roles */
			tui_put(w, y++, 3, width - 4, "Demo users (password " DEMO_PASSWORD "):",
				ST_LABEL, false);
			for (size_t i = 0; i < n; i++)
				tui_put(w, y++, 3, width - 4, si->demo_items[i], ST_NORMAL, false);
		} else {
			/* every user ID in columns (F4 shows their roles), so
			 * that none is cut off at 80x24 */
			tui_put(w, y++, 3, width - 4, "Demo users (password " DEMO_PASSWORD
				"; F4 shows their roles):", ST_LABEL, false);
			int colw = 20, per = (width - 4) / colw > 0 ? (width - 4) / colw : 1;
			for (size_t i = 0; i < n && y < h; i++) {
				tui_put(w, y, 3 + (int)(i % (size_t)per) * colw, colw,
					demo_users[i].user, ST_NORMAL, false);
				if (i % (size_t)per == (size_t)per - 1 || i == n - 1)
					y++;
			}
		}
	}
	s->show_cursor = true;
	s->cur_y = si->form.cur_y;
	s->cur_x = si->form.cur_x;
}

static bool signin_offers(struct screen *s, enum action a)
{
	struct signin *si = s->priv;
	if (a == ACT_CHOOSE)
		return si->has_demo && !si->checking;
	return a == ACT_HELP || a == ACT_QUIT || a == ACT_REGISTER || a == ACT_FORGOT_PASSWORD;
}

const struct screen_ops signin_ops = {
	.offers = signin_offers,
	.priv_size = sizeof(struct signin),
	.init = signin_init,
	.draw = signin_draw,
	.action = signin_action,
	.context = signin_context,
	.done = signin_done,
};
