/* tui.c: styles and UTF-8 text drawing (see tui.h). */
#include "config.h"

#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <langinfo.h>
#include <wchar.h>

#include "tui/tui.h"
#include "util.h"

struct style_def {
	short fg, bg;
	attr_t attr, mono;
};

static const struct style_def style_defs[] = {
#define TUI_STYLE_DEF(id, fg, bg, a, mono) {fg, bg, a, mono},
	TUI_STYLES(TUI_STYLE_DEF)
#undef TUI_STYLE_DEF
};

static attr_t style_attr[ST__COUNT];
static bool use_color;

void tui_styles_init(bool color)
{
	use_color = color && has_colors() && start_color() == OK;
	if (use_color)
		use_default_colors();
	for (int i = 0; i < ST__COUNT; i++) {
		const struct style_def *d = &style_defs[i];
		if (use_color && (d->fg >= 0 || d->bg >= 0) && i < COLOR_PAIRS - 1) {
			init_pair((short)(i + 1), d->fg, d->bg);
			style_attr[i] = d->attr | COLOR_PAIR(i + 1);
		} else if (use_color) {
			style_attr[i] = d->attr;
		} else {
			style_attr[i] = d->mono;
		}
	}
}

bool tui_has_color(void)
{
	return use_color;
}

attr_t tui_attr(enum style s)
{
	return (unsigned)s < ST__COUNT ? style_attr[s] : A_NORMAL;
}

bool tui_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

/* The next UTF-8 character of s at *i (advanced), or -1 for a byte that
 * does not start one (skipped). */
static long next_utf8(const char *s, size_t *i)
{
	const unsigned char *p = (const unsigned char *)s + *i;
	int n = p[0] < 0x80 ? 0 : (p[0] & 0xe0) == 0xc0 ? 1 : (p[0] & 0xf0) == 0xe0 ? 2
		: (p[0] & 0xf8) == 0xf0 ? 3 : -1;
	if (n < 0) {
		(*i)++;
		return -1;
	}
	long cp = n == 0 ? p[0] : p[0] & (0x3f >> n);
	for (int k = 1; k <= n; k++) {
		if ((p[k] & 0xc0) != 0x80) {
			(*i)++;
			return -1;
		}
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	*i += (size_t)n + 1;
	return cp;
}

char *tui_ascii(const char *s)
{
	static const struct {
		long cp;
		const char *ascii;
	} spell[] = {
		{0xa3, "GBP"}, {0xa0, " "}, {0x2013, "-"}, {0x2014, "-"}, {0x2212, "-"},
		{0x2018, "'"}, {0x2019, "'"}, {0x201c, "\""}, {0x201d, "\""}, {0x2026, "..."},
		{0xd7, "x"}, {0x2022, "*"}, {0xb7, "."}, {0x2264, "<="}, {0x2265, ">="},
		{0x2190, "<-"}, {0x2192, "->"}, {0x2191, "^"}, {0x2193, "v"},
	};
	struct buf b;
	buf_init(&b);
	size_t i = 0, n = strlen(s);
	while (i < n) {
		long cp = next_utf8(s, &i);
		if (cp >= 0 && cp < 0x80) {
			buf_putc(&b, (char)cp);
			continue;
		}
		const char *out = "?";
		for (size_t k = 0; k < ARRAY_SIZE(spell); k++)
			if (spell[k].cp == cp)
				out = spell[k].ascii;
		buf_puts(&b, out);
	}
	return buf_steal(&b);
}

/* Converts UTF-8 to a new wide string; invalid bytes become '?'. In a
 * locale that is not UTF-8 the text is spelt in ASCII first. */
static wchar_t *to_wide(const char *s, size_t *len)
{
	char *ascii = tui_utf8() ? NULL : tui_ascii(s);
	if (ascii)
		s = ascii;
	size_t n = strlen(s);
	wchar_t *w = xmalloc((n + 1) * sizeof(wchar_t));
	mbstate_t st;
	size_t i = 0, o = 0;
	memset(&st, 0, sizeof(st));
	while (i < n) {
		wchar_t wc;
		size_t r = mbrtowc(&wc, s + i, n - i, &st);
		if (r == (size_t)-1 || r == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			wc = L'?';
			r = 1;
		} else if (r == 0) {
			break;
		}
		if (wc < 32 || wc == 127)
			wc = L' ';
		w[o++] = wc;
		i += r;
	}
	w[o] = 0;
	*len = o;
	free(ascii);
	return w;
}

int tui_width(const char *s)
{
	size_t n;
	wchar_t *w = to_wide(s, &n);
	int cols = 0;
	for (size_t i = 0; i < n; i++) {
		int cw = wcwidth(w[i]);
		cols += cw > 0 ? cw : (cw < 0 ? 1 : 0);
	}
	free(w);
	return cols;
}

int tui_put(WINDOW *w, int y, int x, int width, const char *s, enum style st, bool pad)
{
	size_t n;
	wchar_t *ws = to_wide(s ? s : "", &n);
	int cols = 0;
	size_t i;
	attr_t a = tui_attr(st);
	if (width <= 0) {
		free(ws);
		return 0;
	}
	wattrset(w, (int)a);
	wmove(w, y, x);
	for (i = 0; i < n; i++) {
		int cw = wcwidth(ws[i]);
		if (cw < 0) {
			ws[i] = L'?';
			cw = 1;
		}
		if (cols + cw > width)
			break;
		cols += cw;
	}
	if (i)
		waddnwstr(w, ws, (int)i);
	if (pad) {
		for (int c = cols; c < width; c++)
			waddch(w, ' ');
	}
	wattrset(w, A_NORMAL);
	free(ws);
	return cols;
}

int tui_pieces(WINDOW *w, int y, int width, int max_rows, const char *const *pieces, size_t n,
	       enum style st, int (*at)[2])
{
	int row = 0, x = 0;
	for (size_t i = 0; i < n; i++) {
		if (at)
			at[i][0] = at[i][1] = -1;
		if (!pieces[i] || !pieces[i][0])
			continue;
		int pw = tui_width(pieces[i]);
		if (x && x + 2 + pw > width) {
			if (w)
				tui_clear(w, y + row, x, width - x);
			if (row + 1 >= max_rows)
				break;
			row++;
			x = 0;
		}
		if (x) {
			if (w)
				tui_put(w, y + row, x, 2, "", st, true);
			x += 2;
		}
		if (at) {
			at[i][0] = row;
			at[i][1] = x;
		}
		x += w ? tui_put(w, y + row, x, width - x, pieces[i], st, false)
		       : (pw < width - x ? pw : width - x);
	}
	if (w && x < width)
		tui_clear(w, y + row, x, width - x);
	return row + 1;
}

int tui_printf(WINDOW *w, int y, int x, int width, enum style st, bool pad,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	int r = tui_put(w, y, x, width, s, st, pad);
	free(s);
	return r;
}

/* One character's display width as tui_put draws it. */
static int char_width(wchar_t wc)
{
	int cw = wcwidth(wc);
	return cw < 0 ? 1 : cw;
}

static void wrap_push(char ***v, size_t *n, const wchar_t *ws, size_t len)
{
	wchar_t *part = xmalloc((len + 1) * sizeof(wchar_t));
	memcpy(part, ws, len * sizeof(wchar_t));
	part[len] = 0;
	size_t bytes = wcstombs(NULL, part, 0);
	char *s;
	if (bytes == (size_t)-1) {
		s = xstrdup("?");
	} else {
		s = xmalloc(bytes + 1);
		wcstombs(s, part, bytes + 1);
	}
	free(part);
	*v = xrealloc(*v, (*n + 1) * sizeof(char *));
	(*v)[(*n)++] = s;
}

char **tui_wrap(const char *text, int first, int rest, size_t *n)
{
	size_t len;
	wchar_t *ws = to_wide(text ? text : "", &len);
	wchar_t *line = xmalloc((len + 1) * sizeof(wchar_t));
	char **v = NULL;
	size_t ll = 0;   /* wide characters in line */
	int lw = 0;      /* its columns */
	*n = 0;
	first = first < 1 ? 1 : first;
	rest = rest < 1 ? 1 : rest;
	size_t i = 0;
	while (i < len) {
		while (i < len && ws[i] == L' ')
			i++;
		if (i >= len)
			break;
		size_t e = i;
		int ww = 0;
		while (e < len && ws[e] != L' ')
			ww += char_width(ws[e++]);
		int width = *n ? rest : first;
		if (ll && lw + 1 + ww > width) {
			wrap_push(&v, n, line, ll);
			ll = 0;
			lw = 0;
			width = rest;
		}
		if (ll) {
			line[ll++] = L' ';
			lw++;
		}
		/* a word longer than a whole line is broken where the line ends */
		for (; i < e; i++) {
			int cw = char_width(ws[i]);
			if (lw + cw > width && ll) {
				wrap_push(&v, n, line, ll);
				ll = 0;
				lw = 0;
				width = rest;
			}
			line[ll++] = ws[i];
			lw += cw;
		}
	}
	if (ll || !*n)
		wrap_push(&v, n, line, ll);
	free(line);
	free(ws);
	return v;
}

void tui_wrap_free(char **lines, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

void tui_clear(WINDOW *w, int y, int x, int width)
{
	wattrset(w, A_NORMAL);
	wmove(w, y, x);
	for (int i = 0; i < width; i++)
		waddch(w, ' ');
}

void tui_frame(WINDOW *w, const char *title)
{
	/* ASCII corners and lines: right on every terminal and charset */
	wattrset(w, (int)tui_attr(ST_POPUP));
	wborder(w, '|', '|', '-', '-', '+', '+', '+', '+');
	if (title) {
		int maxw = getmaxx(w) - 4;
		wmove(w, 0, 2);
		tui_put(w, 0, 2, maxw, " ", ST_HEADING, false);
		int used = tui_put(w, 0, 3, maxw - 2, title, ST_HEADING, false);
		tui_put(w, 0, 3 + used, 1, " ", ST_HEADING, false);
	}
	wattrset(w, A_NORMAL);
}

bool tui_blocks(void)
{
	const char *cs = nl_langinfo(CODESET);
	return use_color && cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

void tui_bar_text(long milli, int width, bool blocks, char *out, size_t size)
{
	static const char *const part[8] = {"", "\u258f", "\u258e", "\u258d", "\u258c",
					    "\u258b", "\u258a", "\u2589"};
	if (milli < 0)
		milli = 0;
	if (milli > 1000)
		milli = 1000;
	long eighths = width > 0 ? (milli * width * 8 + 500) / 1000 : 0;
	struct buf b;
	buf_init(&b);
	if (blocks) {
		for (long i = 0; i < eighths / 8; i++)
			buf_puts(&b, "\u2588");
		buf_puts(&b, part[eighths % 8]);
	} else {
		for (long i = 0; i < (eighths + 4) / 8; i++)
			buf_putc(&b, '#');
	}
	strlcpy_s(out, b.data ? b.data : "", size);
	buf_free(&b);
}
