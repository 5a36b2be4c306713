/* tui.h: terminal styles and UTF-8 text drawing shared by every widget.
 * Every style has a monochrome form (bold, reverse, underline), and
 * widgets add marker characters, so nothing is said by colour alone
 * (NO_COLOR, TERM=vt100). */
#ifndef CQRS_TUI_H
#define CQRS_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

/* _(ID, colour foreground, colour background, attributes with colour,
 *   attributes without colour) */
#define TUI_STYLES(_) \
	_(NORMAL, -1, -1, A_NORMAL, A_NORMAL) \
	_(TITLE, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE) \
	_(TAB, -1, -1, A_NORMAL, A_NORMAL) \
	_(TAB_ACTIVE, COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE | A_BOLD) \
	_(SUBTAB, -1, -1, A_NORMAL, A_NORMAL) \
	_(SUBTAB_ACTIVE, COLOR_CYAN, -1, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE) \
	_(HEADING, COLOR_CYAN, -1, A_BOLD, A_BOLD) \
	_(COLHEAD, -1, -1, A_UNDERLINE, A_UNDERLINE) \
	_(CURSOR, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE) \
	_(TAGGED, COLOR_GREEN, -1, A_BOLD, A_BOLD) \
	_(ERROR, COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD) \
	_(OK, COLOR_GREEN, -1, A_BOLD, A_BOLD) \
	_(INFO, -1, -1, A_NORMAL, A_NORMAL) \
	_(ONLINE, COLOR_GREEN, COLOR_BLUE, A_BOLD, A_REVERSE) \
	_(OFFLINE, COLOR_WHITE, COLOR_RED, A_BOLD | A_BLINK, A_BOLD | A_UNDERLINE) \
	_(KEY, COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE) \
	_(LABEL, -1, -1, A_BOLD, A_BOLD) \
	_(FIELD, -1, -1, A_UNDERLINE, A_UNDERLINE) \
	_(FIELD_FOCUS, COLOR_BLACK, COLOR_YELLOW, A_NORMAL, A_REVERSE) \
	_(PAYMENT, COLOR_BLACK, COLOR_YELLOW, A_BOLD | A_UNDERLINE, A_BOLD | A_UNDERLINE) \
	_(WARN, COLOR_YELLOW, -1, A_BOLD, A_BOLD) \
	_(DIM, -1, -1, A_DIM, A_DIM) \
	_(POPUP, -1, -1, A_NORMAL, A_NORMAL)

enum style {
#define TUI_STYLE_ENUM(id, fg, bg, a, mono) ST_##id,
	TUI_STYLES(TUI_STYLE_ENUM)
#undef TUI_STYLE_ENUM
	ST__COUNT
};

/* Sets up colour pairs when color is true and the terminal has colours;
 * otherwise every style uses its monochrome attributes. Call after
 * initscr(). */
void tui_styles_init(bool color);
bool tui_has_color(void);
attr_t tui_attr(enum style s);

/* Whether the locale's character set is UTF-8 (main switches a POSIX
 * locale to C.UTF-8 when the system has it). When it is not, text is
 * drawn in ASCII: tui_ascii's spellings. */
bool tui_utf8(void);
/* UTF-8 text spelt in ASCII: "GBP" for the pound sign, "-" for dashes,
 * straight quotes, "..." for the ellipsis, "?" for anything else that is
 * not ASCII. Returns a new string. */
char *tui_ascii(const char *s);

/* Display width (columns) of UTF-8 text. */
int tui_width(const char *s);
/* Draws UTF-8 text at y,x in style, clipped to width columns; with pad,
 * fills the rest of width with spaces in the same style. Returns the
 * columns drawn (excluding padding). */
int tui_put(WINDOW *w, int y, int x, int width, const char *s, enum style st, bool pad);
/* Like tui_put with printf formatting. */
int tui_printf(WINDOW *w, int y, int x, int width, enum style st, bool pad,
	       const char *fmt, ...) __attribute__((format(printf, 7, 8)));
/* Splits UTF-8 text into lines of display width at most first (the first
 * line) and rest (the others), breaking at spaces (runs of spaces become
 * one) and inside a word only when the word is longer than a line. Returns
 * the lines (owned by the caller, at least one, "" for empty text) and
 * their number in *n. */
char **tui_wrap(const char *text, int first, int rest, size_t *n);
void tui_wrap_free(char **lines, size_t n);
/* Draws pieces of text (NULL or "" ones skipped) on row y and the rows
 * below, two spaces apart, starting a new row before a piece that would
 * cross width (a piece wider than width is clipped), on at most max_rows
 * rows, every row padded to width. With w NULL it only measures. at (may
 * be NULL) receives each drawn piece's row offset and column, -1 for a
 * piece not drawn. Returns the rows used (at least 1). */
int tui_pieces(WINDOW *w, int y, int width, int max_rows, const char *const *pieces, size_t n,
	       enum style st, int (*at)[2]);
/* Clears columns x..x+width of line y. */
void tui_clear(WINDOW *w, int y, int x, int width);
/* Whether bars are drawn with block characters: a UTF-8 locale and a
 * terminal with colours (else `#`: ASCII, and readable in monochrome). */
bool tui_blocks(void);
/* A bar of width columns filled milli thousandths (0..1000), as UTF-8
 * block characters (eighths of a column) or `#` (whole columns, rounded)
 * into out. */
void tui_bar_text(long milli, int width, bool blocks, char *out, size_t size);
/* Draws a box border around w in the popup style with a title. */
void tui_frame(WINDOW *w, const char *title);

#endif
