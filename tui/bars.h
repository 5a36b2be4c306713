/* bars.h: the one-line bars of the frame: tab bar, sub-tab row, message
 * line, and the function bar built from the live keymap. */
#ifndef CQRS_TUI_BARS_H
#define CQRS_TUI_BARS_H

#include <curses.h>
#include <stdbool.h>

#include "keymaps/keymap.h"

struct tab_item {
	const char *name;       /* full name */
	const char *short_name; /* used when the full names do not fit */
	int number;             /* key digit shown before the name; 0 = none */
};

/* Draws items on line y of w; the active one is "[name]" in the active
 * style, the others " name ". Full names when they fit, else short. */
void tabs_draw(WINDOW *w, int y, const struct tab_item *items, int n, int active,
	       bool subtabs);

enum msg_level {
	MSG_INFO,
	MSG_OK,
	MSG_ERROR,
};

/* Draws the message from row y of w: errors start "Error: " in the error
 * style. A message wider than w wraps at spaces over the rows below, as
 * many as w has, each indented (under the text after "Error:", else by
 * two); msgline_rows says how many it
 * needs at cols columns. */
void msgline_draw(WINDOW *w, int y, enum msg_level level, const char *text);
int msgline_rows(enum msg_level level, const char *text, int cols);

/* Draws "F1 Help  F2 Org ..." for the F-keys bound in ctx (and its
 * parents), in F-key order, clipped to the width; actions for which
 * enabled (if not NULL) returns false are left out. */
void fbar_draw(WINDOW *w, int y, const struct keymap *km, enum context ctx,
	       bool (*enabled)(void *ud, enum action a), void *ud);

#endif
