/* list.c: the list widget (see list.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keymaps/keymap.h"
#include "tui/list.h"
#include "tui/tui.h"
#include "util.h"

void list_init(struct list *l, list_draw_fn draw, list_text_fn text, void *ud)
{
	memset(l, 0, sizeof(*l));
	l->draw = draw;
	l->text = text;
	l->ud = ud;
	l->rows = 10;
}

void list_free(struct list *l)
{
	xfree(&l->tags);
}

void list_set_count(struct list *l, size_t n)
{
	if (n != l->n && l->tags) {
		free(l->tags);
		l->tags = xcalloc(n ? n : 1, sizeof(bool));
	}
	l->n = n;
	if (l->cur >= n)
		l->cur = n ? n - 1 : 0;
	if (l->top > l->cur)
		l->top = l->cur;
}

void list_set_taggable(struct list *l, bool on)
{
	l->taggable = on;
	if (on && !l->tags)
		l->tags = xcalloc(l->n ? l->n : 1, sizeof(bool));
}

size_t list_tagged_count(const struct list *l)
{
	size_t c = 0;
	if (l->tags)
		for (size_t i = 0; i < l->n; i++)
			c += l->tags[i];
	return c;
}

bool list_is_tagged(const struct list *l, size_t row)
{
	return l->tags && row < l->n && l->tags[row];
}

static bool matches(struct list *l, size_t row)
{
	const char *t = l->text ? l->text(l->ud, row) : NULL;
	return t && l->search[0] && str_icontains(t, l->search);
}

/* Moves to the next (dir 1) or previous (-1) match, starting at from. */
static bool search_from(struct list *l, size_t from, int dir)
{
	if (!l->n || !l->search[0])
		return false;
	size_t i = from % l->n;
	for (size_t k = 0; k < l->n; k++) {
		if (matches(l, i)) {
			l->cur = i;
			return true;
		}
		i = dir > 0 ? (i + 1) % l->n : (i + l->n - 1) % l->n;
	}
	return false;
}

void list_search_first(struct list *l)
{
	search_from(l, 0, 1);
}

/* Removes the last UTF-8 character of s. */
static void utf8_pop(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] & 0xc0) == 0x80)
		n--;
	if (n)
		n--;
	s[n] = '\0';
}

/* Appends code point cp to s as UTF-8 (a space is a space: key names
 * such as "Space" are for keymaps, not for text). */
static void utf8_push(char *s, size_t size, int cp)
{
	char u[5] = {0};
	if (cp < 0x80) {
		u[0] = (char)cp;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
	}
	if (strlen(s) + strlen(u) < size)
		strcat(s, u);
}

static enum wres search_key(struct list *l, enum action a, int key)
{
	if (key == KC_ESC || a == ACT_BACK) {
		l->searching = false;
		l->search[0] = '\0';
		return W_HANDLED;
	}
	if (key == KC_ENTER) {
		l->searching = false;
		return W_HANDLED;
	}
	if (key == KC(KEY_BACKSPACE)) {
		utf8_pop(l->search);
		search_from(l, l->cur, 1);
		return W_HANDLED;
	}
	if (key >= 32 && key < KC_CURSES && key != 127) {
		utf8_push(l->search, sizeof(l->search), key);
		search_from(l, l->cur, 1);
		return W_HANDLED;
	}
	/* movement keys still work while searching */
	return W_IGNORED;
}

enum wres list_action(struct list *l, enum action a, int key)
{
	if (l->searching) {
		enum wres r = search_key(l, a, key);
		if (r != W_IGNORED)
			return r;
	}
	size_t page = l->rows > 1 ? (size_t)l->rows : 1;
	switch (a) {
	case ACT_MOVE_UP:
		if (l->cur > 0)
			l->cur--;
		return W_HANDLED;
	case ACT_MOVE_DOWN:
		if (l->cur + 1 < l->n)
			l->cur++;
		return W_HANDLED;
	case ACT_PAGE_UP:
		l->cur = l->cur > page ? l->cur - page : 0;
		l->top = l->top > page ? l->top - page : 0;
		return W_HANDLED;
	case ACT_PAGE_DOWN:
		if (l->n) {
			l->cur = l->cur + page < l->n ? l->cur + page : l->n - 1;
			if (l->top + page < l->n)
				l->top += page;
		}
		return W_HANDLED;
	case ACT_FIRST:
		l->cur = 0;
		return W_HANDLED;
	case ACT_LAST:
		l->cur = l->n ? l->n - 1 : 0;
		return W_HANDLED;
	case ACT_OPEN:
		return l->n ? W_OPEN : W_HANDLED;
	case ACT_TOGGLE_TAG:
		if (!l->taggable)
			return W_IGNORED;
		if (!l->n)
			return W_HANDLED;
		l->tags[l->cur] = !l->tags[l->cur];
		if (l->cur + 1 < l->n)
			l->cur++;
		return W_HANDLED;
	case ACT_TAG_ALL: {
		if (!l->taggable)
			return W_IGNORED;
		bool all = list_tagged_count(l) == l->n;
		for (size_t i = 0; i < l->n; i++)
			l->tags[i] = !all;
		return W_HANDLED;
	}
	case ACT_SEARCH:
		l->searching = true;
		l->search[0] = '\0';
		return W_HANDLED;
	case ACT_SEARCH_NEXT:
		if (!l->search[0])
			return W_IGNORED;
		search_from(l, l->cur + 1, 1);
		return W_HANDLED;
	case ACT_SEARCH_PREV:
		if (!l->search[0])
			return W_IGNORED;
		search_from(l, l->cur + l->n - 1, -1);
		return W_HANDLED;
	default:
		return W_IGNORED;
	}
}

void list_draw(struct list *l, WINDOW *win, int y, int x, int h, int w)
{
	int rows = h - 1;
	if (rows < 1)
		rows = 1;
	l->rows = rows;
	if (l->cur < l->top)
		l->top = l->cur;
	if (l->cur >= l->top + (size_t)rows)
		l->top = l->cur - (size_t)rows + 1;
	if (l->top + (size_t)rows > l->n)
		l->top = l->n > (size_t)rows ? l->n - (size_t)rows : 0;
	int box = l->taggable ? 4 : 0;
	for (int r = 0; r < rows; r++) {
		size_t row = l->top + (size_t)r;
		if (row >= l->n) {
			tui_clear(win, y + r, x, w);
			continue;
		}
		bool cur = row == l->cur;
		tui_put(win, y + r, x, 1, cur ? ">" : " ", cur ? ST_CURSOR : ST_NORMAL, true);
		tui_put(win, y + r, x + 1, 1, " ", ST_NORMAL, true);
		if (box)
			tui_put(win, y + r, x + 2, box, l->tags[row] ? "[x] " : "[ ] ",
				l->tags[row] ? ST_TAGGED : ST_NORMAL, true);
		l->draw(l->ud, win, y + r, x + 2 + box, w - 2 - box, row, cur);
	}
	/* status line */
	char st[160];
	int len;
	if (l->n == 0)
		len = snprintf(st, sizeof(st), "(none)");
	else
		len = snprintf(st, sizeof(st), "%zu-%zu of %zu", l->top + 1,
			       l->top + (size_t)rows < l->n ? l->top + (size_t)rows : l->n, l->n);
	if (l->total > l->n && len > 0 && (size_t)len < sizeof(st))
		len += snprintf(st + len, sizeof(st) - (size_t)len, ", %zu in all", l->total);
	if (l->taggable && len > 0 && (size_t)len < sizeof(st))
		len += snprintf(st + len, sizeof(st) - (size_t)len, "  ticked %zu",
				list_tagged_count(l));
	tui_put(win, y + rows, x, w, st, ST_DIM, true);
	if (l->searching || l->search[0]) {
		char s[120];
		snprintf(s, sizeof(s), "Search: %s%s", l->search, l->searching ? "_" : "");
		int sw = tui_width(s);
		if (sw < w - 30)
			tui_put(win, y + rows, x + w - sw - 1, sw, s, ST_LABEL, false);
	}
}

int list_cursor_y(const struct list *l, int y)
{
	return y + (int)(l->cur - l->top);
}
