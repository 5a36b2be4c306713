/* pwform.c: the password form of the Security Information screen and of
 * My Account (pwform.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screens/data_entry.h"
#include "screens/pwform.h"
#include "dates.h"
#include "tui/tui.h"
#include "util.h"
#include "password.h"

void pwform_init(struct pwform *p, enum pw_mode mode, const char *user_id)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	form_init(&p->form);
	if (mode == PW_REGISTER) {
		p->f_user = form_add(&p->form, "User ID", F_TEXT, 64);
		p->f_code = form_add(&p->form, "Code from the e-mail", F_TEXT, 64);
		if (user_id && *user_id) {
			form_set(&p->form, p->f_user, user_id);
			p->form.focus = p->f_code;
		}
	} else {
		p->user_id = xstrdup(user_id ? user_id : "");
		p->f_current = form_add(&p->form, "Current password", F_PASSWORD, 64);
	}
	p->f_new = form_add(&p->form, "New password", F_PASSWORD, 64);
	p->f_confirm = form_add(&p->form, "Confirm new password", F_PASSWORD, 64);
}

void pwform_free(struct pwform *p)
{
	form_free(&p->form);
	json_decref(p->rules);
	free(p->refusal);
	free(p->user_id);
	memset(p, 0, sizeof(*p));
}

struct api_call pwform_policy_call(void)
{
	return call_password_policy();
}

bool pwform_policy_loaded(struct pwform *p, struct app *a, const struct api_response *r)
{
	if (app_failed(a, r, "Loading the password policy"))
		return false;
	json_decref(p->rules);
	p->rules = json_incref(json_object_get(r->json, "rules"));
	return true;
}

char *pwform_user(const struct pwform *p)
{
	return p->mode == PW_REGISTER ? form_get(&p->form, p->f_user) : xstrdup(p->user_id);
}

enum wres pwform_action(struct pwform *p, enum action a, int key)
{
	enum wres r = form_action(&p->form, a, key);
	if (r != W_SUBMIT)
		return r;
	if (p->form.focus + 1 < p->form.n) {
		p->form.focus++;
		return W_HANDLED;
	}
	return W_SUBMIT;
}

/* Wipes and frees a password copy. */
static void wipe(char *s)
{
	if (s) {
		memset(s, 0, strlen(s));
		free(s);
	}
}

/* Whether field i is filled; else its error and the focus on it. */
static bool filled(struct pwform *p, size_t i, const char *what)
{
	form_set_error(&p->form, i, NULL);
	if (!form_empty(&p->form, i))
		return true;
	form_set_error(&p->form, i, what);
	p->form.focus = i;
	return false;
}

bool pwform_call(struct pwform *p, struct api_call *out)
{
	bool ok = true;
	if (p->mode == PW_REGISTER) {
		ok = filled(p, p->f_user, "enter your user ID") &&
		     filled(p, p->f_code, "enter the code from the e-mail");
	} else {
		ok = filled(p, p->f_current, "enter your current password");
	}
	ok = ok && filled(p, p->f_new, "choose a new password") &&
	     filled(p, p->f_confirm, "type the new password again");
	if (!ok)
		return false;
	char *pw = form_get(&p->form, p->f_new), *confirm = form_get(&p->form, p->f_confirm);
	if (p->mode == PW_REGISTER) {
		char *user = form_get(&p->form, p->f_user), *code = form_get(&p->form, p->f_code);
		*out = call_registration(user, code, pw, confirm);
		free(user);
		free(code);
	} else {
		char *cur = form_get(&p->form, p->f_current);
		*out = call_password_change(cur, pw, confirm);
		wipe(cur);
	}
	wipe(pw);
	wipe(confirm);
	free(p->refusal);
	p->refusal = NULL;
	p->busy = true;
	return true;
}

bool pwform_answered(struct pwform *p, struct app *a, const struct api_response *r)
{
	p->busy = false;
	if (r->outcome == API_HTTP && r->status >= 200 && r->status < 300) {
		free(p->refusal);
		p->refusal = NULL;
		return true;
	}
	free(p->refusal);
	p->refusal = r->outcome == API_HTTP
		? xasprintf("Refused: %s", r->err_message[0] ? r->err_message : "the server said no")
		: xasprintf("Not sent: %s", r->err_message);
	app_message(a, MSG_ERROR, "%s", p->refusal);
	return false;
}

/* A rule of GET /password-policy by its key: 1 met, 0 not, -1 one only
 * the server can judge (history, frequency). */
static int rule_met(const char *key, const char *user, const char *pw)
{
	for (int r = 0; r < PW_NRULES; r++)
		if (strcmp(password_rule_key((enum pw_rule)r), key) == 0)
			return r == PW_HISTORY || r == PW_FREQUENCY
				? -1 : password_rule_met((enum pw_rule)r, user, pw);
	return -1;
}

void pwform_draw(struct pwform *p, struct screen *s, WINDOW *w, int y, int h, int width)
{
	form_draw(&p->form, w, y, 1, 24);
	int row = y + (int)p->form.n * 2 - 1;
	s->show_cursor = true;
	s->cur_y = p->form.cur_y;
	s->cur_x = p->form.cur_x;
	if (row >= h)
		return;
	tui_put(w, row++, 1, width - 2, "Password policy:  [x] met  [ ] not met  [?] checked on "
		"Submit", ST_LABEL, true);
	char *user = pwform_user(p), *pw = form_get(&p->form, p->f_new),
	     *confirm = form_get(&p->form, p->f_confirm);
	size_t i;
	json_t *rule;
	if (!p->rules && row < h)
		tui_put(w, row++, 3, width - 4, "Loading the policy...", ST_INFO, true);
	json_array_foreach(p->rules, i, rule) {
		if (row >= h)
			break;
		const char *key = json_string_value(json_object_get(rule, "key"));
		const char *text = json_string_value(json_object_get(rule, "text"));
		int met = rule_met(key ? key : "", user, pw);
		tui_put(w, row, 1, 4, met < 0 ? "[?]" : met ? "[x]" : "[ ]",
			met > 0 ? ST_OK : met == 0 ? ST_LABEL : ST_DIM, true);
		row += de_put_wrapped(w, row, 5, width - 6, 2, text ? text : "", ST_NORMAL);
	}
	if (row < h) {
		bool same = *pw && strcmp(pw, confirm) == 0;
		tui_put(w, row, 1, 4, same ? "[x]" : "[ ]", same ? ST_OK : ST_LABEL, true);
		tui_put(w, row++, 5, width - 6, "the confirmation is the same password", ST_NORMAL,
			true);
	}
	free(user);
	wipe(pw);
	wipe(confirm);
	if (p->refusal && row < h)
		de_put_wrapped(w, row, 1, width - 2, h - row, p->refusal, ST_ERROR);
	else if (p->busy && row < h)
		tui_put(w, row, 1, width - 2, "Sending...", ST_INFO, true);
}

bool pw_expiry_warning(json_t *me, char *out, size_t size)
{
	const char *expires = json_string_value(json_object_get(me, "password_expires"));
	char shown[16];
	if (!json_is_true(json_object_get(me, "password_warning")) || !expires ||
	    !date_valid(expires))
		return false;
	date_display(expires, shown);
	snprintf(out, size, "Your password expires on %s: change it in My Account (F6 or P) "
		 "before then.", shown);
	return true;
}
