/* list.h: the one list widget: a cursor, paging, incremental search and,
 * when taggable, checkboxes with Select All. Rows are drawn by the owner
 * through a callback; the widget draws the cursor marker (">"), the
 * checkbox ("[x]") and a status line ("12-28 of 40", the search). */
#ifndef CQRS_TUI_LIST_H
#define CQRS_TUI_LIST_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "keymaps/actions.h"

/* What a widget did with an action or key. */
enum wres {
	W_IGNORED,   /* not for this widget: pass it up the chain */
	W_HANDLED,   /* done; the widget needs redrawing */
	W_OPEN,      /* the user opened the item under the cursor */
	W_SUBMIT,    /* a form was submitted */
	W_CHANGED,   /* a value changed (form) */
};

/* Draws row `row` in width columns at y,x; cursor says whether it is the
 * cursor row (the widget already drew the marker). */
typedef void (*list_draw_fn)(void *ud, WINDOW *w, int y, int x, int width, size_t row,
			     bool cursor);
/* The text of a row that search matches against (borrowed). */
typedef const char *(*list_text_fn)(void *ud, size_t row);

struct list {
	size_t n, cur, top;
	int rows;             /* visible rows, set by list_draw */
	bool taggable;
	bool *tags;           /* n entries when taggable; owned */
	char search[80];
	bool searching;       /* typing into the search */
	size_t total;         /* rows in all when the owner has fetched only n
				 of them (a paged list); 0: n */
	list_draw_fn draw;
	list_text_fn text;
	void *ud;             /* not owned */
};

void list_init(struct list *l, list_draw_fn draw, list_text_fn text, void *ud);
/* Frees the tags. */
void list_free(struct list *l);
/* Sets the number of rows; keeps the cursor where it can and clears the
 * ticks when the count changes. */
void list_set_count(struct list *l, size_t n);
void list_set_taggable(struct list *l, bool on);
size_t list_tagged_count(const struct list *l);
bool list_is_tagged(const struct list *l, size_t row);
/* Handles an action; with a printable key while searching, the key is
 * typed into the search (pass ACT_NONE and the key). */
enum wres list_action(struct list *l, enum action a, int key);
/* Moves the cursor to the first row matching the current search. */
void list_search_first(struct list *l);
/* Draws the list in the area y,x,h,w of win: h-1 rows and a status line. */
void list_draw(struct list *l, WINDOW *win, int y, int x, int h, int w);
/* Where the hardware cursor should go after list_draw (the cursor row). */
int list_cursor_y(const struct list *l, int y);

#endif
