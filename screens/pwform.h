/* pwform.h: the one password form, used by the Security Information
 * screen (registration or reset code: user ID, code, new password,
 * confirmation) and by My Account's change of password (current, new,
 * confirmation). Under the fields it shows the whole password policy of
 * GET /password-policy, each rule marked met or not met while the
 * password is typed ("[x] met", "[ ] not met", "[?] on Submit" for the
 * rules only the server can judge: markers, not colour alone), and the
 * server's refusal in full, wrapped. The owner issues the calls; this
 * module builds them and reads their answers. */
#ifndef CQRS_PWFORM_H
#define CQRS_PWFORM_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>

#include "screens/app.h"
#include "tui/form.h"

enum pw_mode {
	PW_REGISTER,  /* user ID, code, new password, confirmation */
	PW_CHANGE,    /* current password, new password, confirmation */
};

struct pwform {
	enum pw_mode mode;
	struct form form;
	size_t f_user, f_code, f_current, f_new, f_confirm;
	json_t *rules;        /* the policy's "rules" (owned), NULL until loaded */
	char *refusal;        /* the server's last refusal in full (owned), or NULL */
	char *user_id;        /* PW_CHANGE: the signed-in user (owned) */
	bool busy;            /* a call is under way */
};

void pwform_init(struct pwform *p, enum pw_mode mode, const char *user_id);
void pwform_free(struct pwform *p);
/* GET /password-policy, and reading its answer (false on failure, said
 * on the message line). */
struct api_call pwform_policy_call(void);
bool pwform_policy_loaded(struct pwform *p, struct app *a, const struct api_response *r);
/* Keys for the fields: Enter moves on, and submits on the last field.
 * W_SUBMIT when the form is complete and the owner should send
 * pwform_call. */
enum wres pwform_action(struct pwform *p, enum action a, int key);
/* The call the form asks for (registration or change of password), or
 * false with the field's error set when something is missing. */
bool pwform_call(struct pwform *p, struct api_call *out);
/* Reads the answer: true on success; else keeps the refusal to show
 * (and says it on the message line). */
bool pwform_answered(struct pwform *p, struct app *a, const struct api_response *r);
/* The user ID typed (PW_REGISTER) or signed in (PW_CHANGE); new string. */
char *pwform_user(const struct pwform *p);
/* Draws from row y in h rows: the fields, the policy with its markers and
 * the refusal; sets s's hardware cursor. */
void pwform_draw(struct pwform *p, struct screen *s, WINDOW *w, int y, int h, int width);

/* Home's warning when GET /me says password_warning (the server judges
 * the 14 days before password_expires; --password-max-age, off by
 * default): writes "Your password expires on dd/mm/yyyy ..." and returns
 * true. */
bool pw_expiry_warning(json_t *me, char *out, size_t size);

#endif
