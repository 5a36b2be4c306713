/* bars.c: tab bar, sub-tab row, message line and function bar. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "tui/bars.h"
#include "tui/tui.h"

static int tabs_width(const struct tab_item *items, int n, bool use_short)
{
	int w = 0;
	for (int i = 0; i < n; i++) {
		w += tui_width(use_short ? items[i].short_name : items[i].name) + 2;
		if (items[i].number)
			w += 2;
		w += 1;
	}
	return w;
}

void tabs_draw(WINDOW *w, int y, const struct tab_item *items, int n, int active, bool subtabs)
{
	int cols = getmaxx(w);
	bool use_short = tabs_width(items, n, false) > cols;
	int x = 0;
	for (int i = 0; i < n && x < cols; i++) {
		const char *name = use_short ? items[i].short_name : items[i].name;
		bool on = i == active;
		char text[128];
		if (items[i].number)
			snprintf(text, sizeof(text), "%c%d %s%c", on ? '[' : ' ', items[i].number, name,
				 on ? ']' : ' ');
		else
			snprintf(text, sizeof(text), "%c%s%c", on ? '[' : ' ', name, on ? ']' : ' ');
		enum style st = on ? (subtabs ? ST_SUBTAB_ACTIVE : ST_TAB_ACTIVE)
				   : (subtabs ? ST_SUBTAB : ST_TAB);
		x += tui_put(w, y, x, cols - x, text, st, false);
		if (x < cols)
			x += tui_put(w, y, x, 1, " ", ST_NORMAL, false);
	}
	if (x < cols)
		tui_clear(w, y, x, cols - x);
}

#define MSG_ERROR_LABEL "Error:"

static int msg_indent(enum msg_level level)
{
	return level == MSG_ERROR ? tui_width(MSG_ERROR_LABEL) + 1 : 0;
}

/* Where a long message's later lines start: under the text after
 * "Error: ", else indented by two, so that they read as one message. */
static int cont_indent(int x)
{
	return x ? x : 2;
}

int msgline_rows(enum msg_level level, const char *text, int cols)
{
	if (!text || !*text)
		return 1;
	int x = msg_indent(level);
	size_t n;
	char **v = tui_wrap(text, cols - x, cols - cont_indent(x), &n);
	tui_wrap_free(v, n);
	return (int)n;
}

void msgline_draw(WINDOW *w, int y, enum msg_level level, const char *text)
{
	int cols = getmaxx(w), rows = getmaxy(w) - y;
	if (!text || !*text) {
		for (int r = 0; r < rows; r++)
			tui_clear(w, y + r, 0, cols);
		return;
	}
	int x = msg_indent(level), ci = cont_indent(x);
	if (x)
		tui_put(w, y, 0, cols, MSG_ERROR_LABEL, ST_ERROR, false);
	size_t n;
	char **v = tui_wrap(text, cols - x, cols - ci, &n);
	for (int r = 0; r < rows; r++) {
		int at = r ? ci : x;
		if (at)
			tui_put(w, y + r, r ? 0 : x - 1, r ? at : 1, " ", ST_NORMAL, true);
		tui_put(w, y + r, at, cols - at, (size_t)r < n ? v[r] : "",
			level == MSG_OK ? ST_OK : ST_INFO, true);
	}
	tui_wrap_free(v, n);
}

/* The function bar's items: "F1 Help" each, one space apart; tight
 * drops the space between key and label ("F1Help"); labels longer than
 * max are cut to max characters (0: none cut). Draws them when w is
 * given; returns the columns they need (or used). */
static int fbar_items(WINDOW *w, int y, int cols, bool tight, int max, const struct keymap *km,
		      enum context ctx, bool (*enabled)(void *ud, enum action a), void *ud)
{
	int x = 0;
	for (int f = 1; f <= 12; f++) {
		enum action a = keymap_lookup(km, ctx, KC(KEY_F(f)));
		if (a == ACT_NONE || (enabled && !enabled(ud, a)))
			continue;
		char label[32], key[8];
		snprintf(label, sizeof label, "%.*s", max > 0 ? max : 31, action_label(a));
		snprintf(key, sizeof(key), "F%d", f);
		int need = (x ? 1 : 0) + tui_width(key) + (tight ? 0 : 1) + tui_width(label);
		if (w && x + need > cols)
			break;
		if (w) {
			if (x)
				x += tui_put(w, y, x, cols - x, " ", ST_NORMAL, false);
			x += tui_put(w, y, x, cols - x, key, ST_KEY, false);
			if (!tight)
				x += tui_put(w, y, x, cols - x, " ", ST_NORMAL, false);
			x += tui_put(w, y, x, cols - x, label, ST_NORMAL, false);
		} else {
			x += need;
		}
	}
	return x;
}

void fbar_draw(WINDOW *w, int y, const struct keymap *km, enum context ctx,
	       bool (*enabled)(void *ud, enum action a), void *ud)
{
	int cols = getmaxx(w);
	/* every key shown: when "F1 Help F3 ..." is too wide, "F1Help F3..." */
	bool tight = fbar_items(NULL, y, cols, false, 0, km, ctx, enabled, ud) > cols;
	/* still too wide: the longest labels shortened ("F8Aggreg"), never a
	 * key dropped (help, F1, names them whole) */
	int max = 0;
	if (tight && fbar_items(NULL, y, cols, true, 0, km, ctx, enabled, ud) > cols)
		for (max = 12; max > 3 && fbar_items(NULL, y, cols, true, max, km, ctx, enabled,
						     ud) > cols; max--)
			;
	int x = fbar_items(w, y, cols, tight, max, km, ctx, enabled, ud);
	if (x < cols)
		tui_clear(w, y, x, cols - x);
}
