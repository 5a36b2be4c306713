/* popup.c: drop-downs, confirmation, prompt and help overlays (see
 * popup.h). */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "keymaps/keymap.h"
#include "tui/popup.h"
#include "tui/tui.h"
#include "util.h"

static void draw_line(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct popup *p = ud;
	const char *s = p->lines[row];
	if (s[0] == '\1')
		tui_put(w, y, x, width, s + 1, ST_HEADING, true);
	else
		tui_put(w, y, x, width, s, cursor && p->kind == POP_CHOICE ? ST_CURSOR : ST_NORMAL,
			true);
}

static const char *line_text(void *ud, size_t row)
{
	struct popup *p = ud;
	return p->lines[row];
}

static struct popup *popup_new(enum popup_kind kind, const char *title)
{
	struct popup *p = xcalloc(1, sizeof(*p));
	p->kind = kind;
	p->title = xstrdup(title);
	p->result = POP_ABORT;
	list_init(&p->list, draw_line, line_text, p);
	form_init(&p->form);
	return p;
}

static void add_line(struct popup *p, const char *s)
{
	p->lines = xrealloc(p->lines, (p->n + 1) * sizeof(char *));
	p->lines[p->n++] = xstrdup(s);
	list_set_count(&p->list, p->n);
}

struct popup *popup_choice(const char *title, const char *const *items, size_t n, size_t cur,
			   popup_done_fn done, void *ud)
{
	struct popup *p = popup_new(POP_CHOICE, title);
	for (size_t i = 0; i < n; i++)
		add_line(p, items[i]);
	p->list.cur = cur < n ? cur : 0;
	p->done = done;
	p->ud = ud;
	return p;
}

/* The hint line's place: confirm has the question and a blank line
 * before it; a prompt's hint is its only line. */
#define CONFIRM_HINT_LINE 2
#define PROMPT_HINT_LINE 0

struct popup *popup_confirm(const char *question, popup_done_fn done, void *ud)
{
	struct popup *p = popup_new(POP_CONFIRM, "Confirm");
	add_line(p, question);
	add_line(p, "");
	add_line(p, ""); /* the keys: popup_show_keys */
	p->done = done;
	p->ud = ud;
	return p;
}

struct popup *popup_prompt(const char *title, const char *label, const char *initial,
			   popup_done_fn done, void *ud)
{
	struct popup *p = popup_prompt_max(title, label, initial, 0, done, ud);
	return p;
}

struct popup *popup_prompt_max(const char *title, const char *label, const char *initial,
			       size_t max_bytes, popup_done_fn done, void *ud)
{
	struct popup *p = popup_new(POP_PROMPT, title);
	p->max_bytes = max_bytes;
	/* every character is at least a byte: max_bytes characters hold it */
	form_add(&p->form, label, F_TEXT, max_bytes ? max_bytes : 60);
	if (initial)
		form_set(&p->form, 0, initial);
	add_line(p, ""); /* the keys: popup_show_keys */
	p->done = done;
	p->ud = ud;
	return p;
}

/* The UTF-8 bytes of a prompt's answer so far. */
static size_t prompt_bytes(const struct popup *p)
{
	char *t = form_get(&p->form, 0);
	size_t n = strlen(t);
	free(t);
	return n;
}

/* Appends "KEY = what    " for the first key reaching a in ctx; nothing
 * when no key does. */
static void hint_add(struct buf *b, const struct keymap *km, enum context ctx, enum action a,
		     const char *what)
{
	int key;
	if (keymap_keys_for(km, ctx, a, &key, 1) == 0)
		return;
	char name[16];
	keycode_name(key, name, sizeof(name));
	buf_printf(b, "%s = %s    ", name, what);
}

void popup_show_keys(struct popup *p, const struct keymap *km)
{
	size_t line;
	struct buf b;
	buf_init(&b);
	switch (p->kind) {
	case POP_CONFIRM:
		line = CONFIRM_HINT_LINE;
		hint_add(&b, km, CTX_DIALOG, ACT_YES, "yes");
		hint_add(&b, km, CTX_DIALOG, ACT_NO, "no");
		break;
	case POP_PROMPT:
		line = PROMPT_HINT_LINE;
		hint_add(&b, km, CTX_FORM, ACT_SUBMIT, "accept");
		break;
	default:
		buf_free(&b);
		return;
	}
	/* Esc always aborts, whatever the keymap says (popup_action) */
	buf_printf(&b, "Esc = cancel");
	free(p->lines[line]);
	p->lines[line] = xstrdup(b.data);
	buf_free(&b);
}

struct popup *popup_text(const char *title, char **lines, size_t n)
{
	struct popup *p = popup_new(POP_TEXT, title);
	/* a line wider than the popup can be (COLS - 10 columns of text)
	 * wraps under itself, indented two more than it is: never cut */
	int tw = COLS - 10 > 30 ? COLS - 10 : 30;
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		bool mark = l[0] == '\1';
		const char *text = l + mark;
		int lead = 0;
		while (text[lead] == ' ')
			lead++;
		if (tui_width(text) <= tw || lead > tw / 2) {
			add_line(p, l);
			continue;
		}
		size_t nw;
		char **wl = tui_wrap(text + lead, tw - lead, tw - lead - 2, &nw);
		for (size_t j = 0; j < nw; j++) {
			char *x = xasprintf("%s%*s%s", j == 0 && mark ? "\1" : "", lead + (j ? 2 : 0),
					    "", wl[j]);
			add_line(p, x);
			free(x);
		}
		tui_wrap_free(wl, nw);
	}
	return p;
}

void popup_free(struct popup **pp)
{
	struct popup *p = *pp;
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->lines[i]);
	free(p->lines);
	free(p->title);
	free(p->text);
	list_free(&p->list);
	form_free(&p->form);
	if (p->win)
		delwin(p->win);
	xfree(pp);
}

enum context popup_context(const struct popup *p)
{
	switch (p->kind) {
	case POP_CONFIRM:
		return CTX_DIALOG;
	case POP_PROMPT:
		return CTX_FORM;
	default:
		return CTX_POPUP;
	}
}

bool popup_action(struct popup *p, enum action a, int key)
{
	switch (p->kind) {
	case POP_CONFIRM:
		if (a == ACT_YES || a == ACT_NO || a == ACT_BACK || key == KC_ESC) {
			p->result = a == ACT_YES ? POP_YES : a == ACT_NO ? POP_NO : POP_ABORT;
			return true;
		}
		return false;
	case POP_PROMPT:
		if (key == KC_ESC || a == ACT_BACK) {
			p->result = POP_ABORT;
			return true;
		}
		p->full = false;
		if (p->max_bytes && key >= 32 && key < KC_CURSES && key != 127) {
			char mb[MB_LEN_MAX];
			int kb = wctomb(mb, (wchar_t)key);
			p->full = prompt_bytes(p) + (size_t)(kb > 0 ? kb : 1) > p->max_bytes;
			if (p->full)
				return false;
		}
		if (form_action(&p->form, a, key) == W_SUBMIT) {
			p->result = 0;
			p->text = form_get(&p->form, 0);
			return true;
		}
		return false;
	case POP_CHOICE:
	case POP_TEXT:
		if (a == ACT_BACK || key == KC_ESC) {
			p->result = POP_ABORT;
			return true;
		}
		if (list_action(&p->list, a, key) == W_OPEN) {
			if (p->kind == POP_TEXT)
				return false;
			p->result = (int)p->list.cur;
			return true;
		}
		return false;
	}
	return false;
}

void popup_draw(struct popup *p, int rows, int cols)
{
	int want_w = tui_width(p->title) + 6;
	for (size_t i = 0; i < p->n; i++) {
		int lw = tui_width(p->lines[i]) + 6;
		if (lw > want_w)
			want_w = lw;
	}
	if (p->kind == POP_PROMPT && want_w < 60)
		want_w = 60;
	int w = want_w < cols - 4 ? want_w : cols - 4;
	/* a question wider than the screen wraps: its every word is shown */
	size_t nq = 0;
	char **q = p->kind == POP_CONFIRM ? tui_wrap(p->lines[0], w - 4, w - 4, &nq) : NULL;
	int inner = (int)p->n + (p->kind == POP_PROMPT ? 2 : 0) + (p->kind == POP_TEXT ? 1 : 0) +
		    (nq ? (int)nq - 1 : 0);
	int h = inner + 2 + (p->kind == POP_CHOICE ? 1 : 0);
	if (h > rows - 4)
		h = rows - 4;
	int y = (rows - h) / 2, x = (cols - w) / 2;
	if (p->win && (getmaxy(p->win) != h || getmaxx(p->win) != w || getbegy(p->win) != y ||
		       getbegx(p->win) != x)) {
		delwin(p->win);
		p->win = NULL;
	}
	if (!p->win) {
		p->win = newwin(h, w, y, x);
		leaveok(p->win, p->kind != POP_PROMPT);
	}
	WINDOW *win = p->win;
	werase(win);
	tui_frame(win, p->title);
	switch (p->kind) {
	case POP_PROMPT:
		form_draw(&p->form, win, 1, 1, w - 6 - p->form.label_w - 2);
		if (p->max_bytes) {
			size_t used = prompt_bytes(p);
			tui_printf(win, 2, 2, w - 4, p->full ? ST_ERROR : ST_DIM, true,
				   p->full ? "No room left: at most %zu characters are kept." :
				   "%zu of %zu characters left", p->full ? p->max_bytes :
				   p->max_bytes - used, p->max_bytes);
		}
		tui_put(win, 3, 2, w - 4, p->lines[0], ST_DIM, true);
		/* the form clears its row to the window's edge: the border again */
		tui_frame(win, p->title);
		wmove(win, p->form.cur_y, p->form.cur_x);
		break;
	case POP_CONFIRM:
		for (size_t i = 0; i < nq && (int)i < h - 2; i++)
			tui_put(win, 1 + (int)i, 2, w - 4, q[i], ST_LABEL, true);
		for (size_t i = 1; i < p->n && (int)(nq + i) <= h - 2; i++)
			tui_put(win, (int)(nq + i), 2, w - 4, p->lines[i], ST_NORMAL, true);
		break;
	default:
		list_draw(&p->list, win, 1, 1, h - 2, w - 2);
		break;
	}
	wnoutrefresh(win);
	tui_wrap_free(q, nq);
}
