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

#endif
