/* form.h: the one form widget: labelled, typed fields (text, masked
 * password, count, money, date, choice) edited in place, validated with
 * lib/validate.h. The focused field is marked with ">" and reverse video;
 * errors are shown beside the field with "!". */
#ifndef CQRS_TUI_FORM_H
#define CQRS_TUI_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "tui/list.h"

enum field_kind {
	F_TEXT,
	F_PASSWORD,  /* shown as one "*" per character */
	F_COUNT,
	F_MONEY,
	F_DATE,
	F_CHOICE,    /* one of options; chosen with the drop-down */
};

struct field {
	const char *label;      /* not owned (static) */
	enum field_kind kind;
	size_t max;             /* characters */
	wchar_t *text;          /* owned, NUL-terminated */
	size_t len, pos;
	const char *const *options; /* F_CHOICE; not owned */
	size_t noptions, choice;
	char *error;            /* owned, or NULL */
};

struct form {
	struct field *f;
	size_t n, focus;
	int label_w;
	int cur_y, cur_x;       /* where the hardware cursor goes after drawing */
};

void form_init(struct form *fm);
/* Frees every field's text (wiped first: it may be a password). */
void form_free(struct form *fm);
/* Adds a field; label and options must outlive the form. Returns its
 * index. */
size_t form_add(struct form *fm, const char *label, enum field_kind kind, size_t max);
void form_set_options(struct form *fm, size_t i, const char *const *options, size_t n);
/* Sets a field's text from UTF-8 (or the choice, for F_CHOICE). */
void form_set(struct form *fm, size_t i, const char *utf8);
/* Returns the field's text as new UTF-8 (choice: the option). */
char *form_get(const struct form *fm, size_t i);
bool form_empty(const struct form *fm, size_t i);
/* Sets (copies) or clears (NULL) a field's error. */
void form_set_error(struct form *fm, size_t i, const char *msg);
/* Checks every typed field; sets errors, focuses the first bad one and
 * returns false if any. */
bool form_validate(struct form *fm);
/* Handles an action or a typed character. W_SUBMIT on submit; W_OPEN on
 * choose (the owner opens the drop-down). */
enum wres form_action(struct form *fm, enum action a, int key);
/* Draws the fields from y,x, one per line; the field box is w columns. */
void form_draw(struct form *fm, WINDOW *win, int y, int x, int w);

#endif
