/* popup.h: overlays drawn over the body: a drop-down (choose one), the
 * confirmation dialog (yes/no keys from the keymap; Esc always aborts), a
 * one-line prompt, and a text viewer for help. The owner calls
 * popup_action with each key until it returns true, then reads result and
 * calls the completion itself. */
#ifndef CQRS_TUI_POPUP_H
#define CQRS_TUI_POPUP_H

#include <curses.h>
#include <stdbool.h>

#include "keymaps/keymap.h"
#include "tui/form.h"
#include "tui/list.h"

enum popup_kind {
	POP_CHOICE,
	POP_CONFIRM,
	POP_PROMPT,
	POP_TEXT,
};

/* Results: an index for a choice, or one of these. */
#define POP_ABORT (-1)
#define POP_NO (-2)
#define POP_YES (-3)

/* Called once when the popup closes; text is the prompt's answer (or
 * NULL). The popup is freed after it returns. */
typedef void (*popup_done_fn)(void *ud, int result, const char *text);

struct popup {
	enum popup_kind kind;
	char *title;          /* owned */
	char **lines;         /* owned, n of them */
	size_t n;
	struct list list;
	struct form form;
	int result;
	char *text;           /* prompt answer; owned */
	popup_done_fn done;
	void *ud;             /* not owned */
	size_t max_bytes;     /* a prompt's limit, shown as what is left (0: none) */
	bool full;            /* a key was refused: the limit is reached */
	WINDOW *win;
};

/* items are copied. cur is the initially selected item. */
struct popup *popup_choice(const char *title, const char *const *items, size_t n, size_t cur,
			   popup_done_fn done, void *ud);
/* The confirmation dialog and the prompt show their keys (the hint
 * line) once popup_show_keys has read them from the live keymap. */
struct popup *popup_confirm(const char *question, popup_done_fn done, void *ud);
struct popup *popup_prompt(const char *title, const char *label, const char *initial,
			   popup_done_fn done, void *ud);
/* A prompt for a text the server keeps at most max_bytes of (UTF-8, as
 * the server counts): it shows how many are left, and takes no more. */
struct popup *popup_prompt_max(const char *title, const char *label, const char *initial,
			       size_t max_bytes, popup_done_fn done, void *ud);
/* Writes the hint line of a confirmation or prompt from km: the first key
 * bound to yes and to no in the dialog context (to submit in the form
 * context for a prompt), then Esc, which always aborts. With the default
 * keymap: "y = yes    n = no    Esc = cancel". Other popups: nothing. */
void popup_show_keys(struct popup *p, const struct keymap *km);
/* text lines (copied); a line starting with '\1' is a heading. */
struct popup *popup_text(const char *title, char **lines, size_t n);
void popup_free(struct popup **p);
/* The key context the popup reads keys in. */
enum context popup_context(const struct popup *p);
/* Handles an action (and key for typing); true when the popup is done and
 * p->result (and p->text) are set. */
bool popup_action(struct popup *p, enum action a, int key);
/* (Re)creates the popup window for a screen of rows x cols and draws it
 * with wnoutrefresh. Sets the hardware cursor for prompts. */
void popup_draw(struct popup *p, int rows, int cols);

#endif
