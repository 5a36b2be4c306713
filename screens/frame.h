/* frame.h: starting the frame (called by main once curses is up) and the
 * few calls between the frame and the sign-in screen. */
#ifndef CQRS_FRAME_H
#define CQRS_FRAME_H

#include <stdbool.h>

#include "screens/app.h"

struct app_setup {
	const struct cqrs_config *cfg;
	struct api *api;         /* with the saved token set, if any */
	struct creds *creds;
	struct keymap *km;
	bool demo;
	const char *server;
	const char *saved_user;  /* user of the saved token, or NULL */
	const char *message;     /* shown first (e.g. keymap file errors), or NULL */
	bool register_first;     /* `cqrs register`: the Security Information screen first */
	const char *register_user; /* its user ID (--user), or NULL */
};

/* Runs the client until the user quits. Returns the exit status. */
int app_run(const struct app_setup *setup);

/* Sign-in screen hooks: fill the user ID (may be NULL) and focus the right
 * field; show that a sign-in is under way; wipe the password. */
void signin_prepare(struct screen *s, const char *user);
void signin_busy(struct screen *s, bool busy);
void signin_clear_password(struct screen *s);
/* While the saved sign-in is checked the screen shows that instead of the
 * form (keys typed meanwhile are held by the frame). */
void signin_checking(struct screen *s, bool checking);
/* Security Information screen hook: fill the user ID (NULL: left). */
void register_prepare(struct screen *s, const char *user);
/* Show the sign-in screen (after registering, or Esc from the Security
 * Information screen) or the Security Information screen, with the user
 * ID filled in (NULL: as it is). */
void app_show_sign_in(struct app *a, const char *user);
void app_show_register(struct app *a, const char *user);

#endif
