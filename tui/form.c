/* form.c: the form widget (see form.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keymaps/keymap.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

void form_init(struct form *fm)
{
	memset(fm, 0, sizeof(*fm));
}

void form_free(struct form *fm)
{
	for (size_t i = 0; i < fm->n; i++) {
		wmemset(fm->f[i].text, 0, fm->f[i].max + 1);
		free(fm->f[i].text);
		free(fm->f[i].error);
	}
	xfree(&fm->f);
	fm->n = 0;
}

size_t form_add(struct form *fm, const char *label, enum field_kind kind, size_t max)
{
	fm->f = xrealloc(fm->f, (fm->n + 1) * sizeof(*fm->f));
	struct field *f = &fm->f[fm->n];
	memset(f, 0, sizeof(*f));
	f->label = label;
	f->kind = kind;
	f->max = max;
	f->text = xcalloc(max + 1, sizeof(wchar_t));
	int lw = tui_width(label);
	if (lw > fm->label_w)
		fm->label_w = lw;
	return fm->n++;
}

void form_set_options(struct form *fm, size_t i, const char *const *options, size_t n)
{
	fm->f[i].options = options;
	fm->f[i].noptions = n;
	fm->f[i].choice = 0;
}

void form_set(struct form *fm, size_t i, const char *utf8)
{
	struct field *f = &fm->f[i];
	if (f->kind == F_CHOICE) {
		for (size_t k = 0; k < f->noptions; k++)
			if (strcmp(f->options[k], utf8) == 0)
				f->choice = k;
		return;
	}
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	const char *p = utf8;
	size_t n = mbsrtowcs(f->text, &p, f->max, &st);
	if (n == (size_t)-1)
		n = 0;
	f->text[n] = 0;
	f->len = f->pos = n;
}

char *form_get(const struct form *fm, size_t i)
{
	const struct field *f = &fm->f[i];
	if (f->kind == F_CHOICE)
		return xstrdup(f->noptions ? f->options[f->choice] : "");
	size_t cap = f->len * MB_CUR_MAX + 1;
	char *s = xmalloc(cap);
	const wchar_t *p = f->text;
	mbstate_t st;
	memset(&st, 0, sizeof(st));
	size_t n = wcsrtombs(s, &p, cap, &st);
	if (n == (size_t)-1)
		n = 0;
	s[n] = '\0';
	return s;
}

bool form_empty(const struct form *fm, size_t i)
{
	return fm->f[i].kind != F_CHOICE && fm->f[i].len == 0;
}

void form_set_error(struct form *fm, size_t i, const char *msg)
{
	xfree(&fm->f[i].error);
	if (msg)
		fm->f[i].error = xstrdup(msg);
}

bool form_validate(struct form *fm)
{
	bool ok = true;
	for (size_t i = 0; i < fm->n; i++) {
		struct field *f = &fm->f[i];
		enum value_kind k;
		switch (f->kind) {
		case F_COUNT: k = VK_COUNT; break;
		case F_MONEY: k = VK_MONEY; break;
		case F_DATE: k = VK_DATE; break;
		default: continue;
		}
		if (!f->len) {
			form_set_error(fm, i, NULL);
			continue;
		}
		char *s = form_get(fm, i);
		char why[160];
		int64_t v;
		if (!value_check(k, NULL, s, &v, why, sizeof(why))) {
			form_set_error(fm, i, why);
			if (ok)
				fm->focus = i;
			ok = false;
		} else {
			form_set_error(fm, i, NULL);
		}
		free(s);
	}
	return ok;
}

static bool accepts(const struct field *f, int key)
{
	if (key < 32 || key >= KC_CURSES || key == 127)
		return false;
	switch (f->kind) {
	case F_COUNT:
		return key >= '0' && key <= '9';
	case F_MONEY:
		return (key >= '0' && key <= '9') || key == '.' || key == ',' || key == 0xa3 ||
		       key == '-';
	case F_DATE:
		return (key >= '0' && key <= '9') || key == '-' || key == '/';
	case F_CHOICE:
		return false;
	default:
		return true;
	}
}

enum wres form_action(struct form *fm, enum action a, int key)
{
	if (!fm->n)
		return W_IGNORED;
	struct field *f = &fm->f[fm->focus];
	if (f->kind != F_CHOICE && key >= 32 && key < KC_CURSES && key != 127) {
		if (!accepts(f, key)) {
			/* never a command, never dropped without a word */
			static const char *const takes[] = {
				[F_COUNT] = "takes digits only",
				[F_MONEY] = "takes an amount: digits, \".\" and \",\"",
				[F_DATE] = "takes a date: dd/mm/yyyy",
				[F_CHOICE] = "is chosen from a list: F4 or C-t",
			};
			const char *why = (size_t)f->kind < ARRAY_SIZE(takes) && takes[f->kind]
						  ? takes[f->kind] : "cannot take that character";
			if (key != ' ' || f->kind != F_CHOICE)
				form_set_error(fm, fm->focus, why);
			return W_HANDLED;
		}
		if (f->len >= f->max)
			return W_HANDLED;
		wmemmove(f->text + f->pos + 1, f->text + f->pos, f->len - f->pos);
		f->text[f->pos++] = (wchar_t)key;
		f->text[++f->len] = 0;
		form_set_error(fm, fm->focus, NULL);
		return W_CHANGED;
	}
	switch (a) {
	case ACT_NEXT_FIELD:
		fm->focus = (fm->focus + 1) % fm->n;
		return W_HANDLED;
	case ACT_PREV_FIELD:
		fm->focus = (fm->focus + fm->n - 1) % fm->n;
		return W_HANDLED;
	case ACT_SUBMIT:
		return W_SUBMIT;
	case ACT_CHOOSE:
		return f->kind == F_CHOICE ? W_OPEN : W_IGNORED;
	case ACT_CURSOR_LEFT:
		if (f->pos)
			f->pos--;
		return W_HANDLED;
	case ACT_CURSOR_RIGHT:
		if (f->pos < f->len)
			f->pos++;
		return W_HANDLED;
	case ACT_LINE_START:
		f->pos = 0;
		return W_HANDLED;
	case ACT_LINE_END:
		f->pos = f->len;
		return W_HANDLED;
	case ACT_DELETE_CHAR:
		if (f->pos < f->len) {
			wmemmove(f->text + f->pos, f->text + f->pos + 1, f->len - f->pos);
			f->len--;
		}
		return W_CHANGED;
	case ACT_DELETE_BACK:
		if (f->pos) {
			wmemmove(f->text + f->pos - 1, f->text + f->pos, f->len - f->pos + 1);
			f->pos--;
			f->len--;
		}
		return W_CHANGED;
	case ACT_KILL_LINE:
		f->len = f->pos;
		f->text[f->len] = 0;
		return W_CHANGED;
	default:
		return W_IGNORED;
	}
}

void form_draw(struct form *fm, WINDOW *win, int y, int x, int w)
{
	int lw = fm->label_w + 2;
	for (size_t i = 0; i < fm->n; i++) {
		struct field *f = &fm->f[i];
		bool focus = i == fm->focus;
		int row = y + (int)i * 2;
		tui_put(win, row, x, 2, focus ? "> " : "  ", focus ? ST_LABEL : ST_NORMAL, true);
		tui_printf(win, row, x + 2, lw, ST_LABEL, true, "%s:", f->label);
		int fx = x + 2 + lw;
		enum style st = focus ? ST_FIELD_FOCUS : ST_FIELD;
		/* the field's box, then its text (scrolled to show the cursor) */
		wattrset(win, (int)tui_attr(st));
		mvwhline(win, row, fx, ' ', w);
		wattrset(win, A_NORMAL);
		int cx = fx;
		if (f->kind == F_CHOICE) {
			char *s = f->noptions ? xasprintf("%s  v", f->options[f->choice]) : xstrdup("");
			tui_put(win, row, fx, w, s, st, true);
			free(s);
		} else {
			size_t start = f->pos >= (size_t)w ? f->pos - (size_t)w + 1 : 0;
			int col = 0;
			wattrset(win, (int)tui_attr(st));
			for (size_t k = start; k < f->len && col < w; k++) {
				wchar_t c = f->kind == F_PASSWORD ? L'*' : f->text[k];
				int cw = wcwidth(c);
				if (cw < 1)
					cw = 1;
				if (col + cw > w)
					break;
				if (k == f->pos)
					cx = fx + col;
				mvwaddnwstr(win, row, fx + col, &c, 1);
				col += cw;
			}
			if (f->pos >= f->len)
				cx = fx + col;
			wattrset(win, A_NORMAL);
		}
		int ex = fx + w + 1;
		int ew = getmaxx(win) - ex;
		if (f->error)
			tui_printf(win, row, ex, ew, ST_ERROR, true, "! %s", f->error);
		else
			tui_clear(win, row, ex, ew > 0 ? ew : 0);
		if (focus) {
			fm->cur_y = row;
			fm->cur_x = cx;
		}
	}
}
