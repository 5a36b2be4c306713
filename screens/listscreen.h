/* listscreen.h: one list screen declared as data. A screen that is "a list
 * with filters, columns, a search, ticks and row actions" declares a
 * struct ls_decl (its source call, filters, columns, templates for its
 * words, row actions and what Enter opens) and is drawn and driven by the
 * one engine in listscreen.c, whose ops are listscreen_ops; the screen's
 * line in CQRS_SCREENS passes the declaration as its arg. The engine knows
 * no screen: whatever a declaration cannot say is a hook of the
 * declaration (the heading lines, Enter, the function bar). See "List
 * screens" in docs/architecture.md for the format and an example.
 *
 * Templates: text with {path} replaced by a value of the context, a JSON
 * object; a path goes into objects with dots ("row.service.name"). The
 * context of a screen template holds each filter's value under its label
 * ("{Status}", "{Financial year}", in words), "org" (the current
 * organisation's code), "group" (the chosen group row), "row" (the row an
 * action is for) and "count" (how many rows it is for). Row templates
 * (search text, result names) read the row itself ("{service.code}"). */
#ifndef CQRS_LISTSCREEN_H
#define CQRS_LISTSCREEN_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "screens/app.h"
#include "screens/lsdata.h"

/* ------------------------------------------------- one year drop-down */

/* The one financial-year drop-down: titled title, current selected, cb
 * called with the year chosen (not on Esc). p lives as long as the
 * screen (it is the popup's state). */
void choose_year(struct app *a, struct year_pick *p, const char *title, const char *current,
		 void (*cb)(void *ud, const char *year), void *ud);

/* ------------------------------------------------- the declaration */

struct ls;

/* Codes and their names in words, in choice order. */
struct ls_words {
	const char *const *codes;
	const char *const *names;
	size_t n;
};

enum ls_fmt {
	LS_TEXT,      /* a string or an integer as it is */
	LS_DATE,      /* an ISO date as dd/mm/yyyy; "-" when there is none */
	LS_STAMP,     /* seconds since the epoch as dd/mm/yyyy (UTC) */
	LS_STATUS,    /* a code in words (the column's words; the code if unknown) */
	LS_POUNDS,    /* pence as £1,234.56 */
	LS_POINTS,    /* thousandths of a point as 26.04 */
	LS_COUNT,     /* an integer, 0 when absent */
	LS_BAR,       /* a bar of the cell's width: thousandths of the full bar (an
		       * integer 0..1000), drawn with block characters (`#` when the
		       * locale is not UTF-8 or the terminal has no colours); its
		       * percentage in a CSV */
};

struct ls_column {
	const char *title;
	const char *key;             /* the row's member, dots into objects */
	int width;                   /* columns; 0: what the others leave (at least 10) */
	enum ls_fmt fmt;
	bool right;                  /* aligned right (the title too) */
	int gap;                     /* blank columns after it */
	const struct ls_words *words;          /* LS_STATUS */
	/* Instead of key and fmt: writes the cell's text. */
	void (*cell)(json_t *row, char *out, size_t size);
	enum style (*style)(json_t *row);      /* the cell's style (NULL: normal) */
	/* Instead of all that: draws the cell itself in width columns. */
	void (*draw)(json_t *row, WINDOW *w, int y, int x, int width);
	int wide;                    /* its width in a row wider than 90 columns (0: width) */
	bool hidden;                 /* not drawn (it does not fit); still sorted and exported */
};

/* A filter whose choices are fetched once, when the screen opens: the
 * first choice (value "") stands for all of them. */
struct ls_fetch {
	struct api_call (*call)(void);
	const char *what;            /* app_failed's words: "Loading the quality services" */
	const char *rows;            /* the member of its answer holding the choices */
	const char *key;             /* a choice's value: "id" */
	const char *item;            /* row template: a choice in the drop-down */
	const char *name;            /* row template: a choice in words */
	bool (*offer)(json_t *choice);          /* which are offered (NULL: all) */
	const char *all, *all_name;  /* the first choice in the drop-down and in words */
	const char *waiting;         /* said when f is pressed before they are in */
};

struct ls_filter {
	const char *label;           /* "Status": the Filter drop-down says "Status: Offered" */
	const char *title;           /* the title of its own drop-down */
	const struct ls_words *words;          /* the choices; NULL: financial years */
	int years_after, years_before;         /* years: around the current financial year */
	/* NULL: the source call takes the value (a new request when it
	 * changes, and the group is left); else the rows already fetched are
	 * kept when this member of the row has the value. Such a filter is
	 * not offered on the groups. */
	const char *key;
	const char *said;            /* screen template put on the message line after a
				      * change (NULL: nothing is said) */
	/* The member of an opened item that sets it (tasks); "": the first
	 * choice; NULL: it stays. */
	const char *follow;
	size_t (*start)(struct ls *l);          /* the choice the screen opens with (NULL: 0) */
	const struct ls_fetch *fetch;           /* choices fetched (no words, no years) */
	/* Choices taken from the rows (no words, no years): one per distinct
	 * value of the row template of, named in the drop-down by of_name,
	 * after the first choice of_all (value ""); it keeps the rows whose
	 * of is its value. */
	const char *of;
	/* NULL: the value, in words when words are given */
	void (*of_name)(json_t *row, char *out, size_t size);
	const char *of_all;
	/* A paged list (ls_decl.page_size): the member of the answer that
	 * lists the choices (rows with the members of and of_name read), as
	 * the server counts them over all the rows. */
	const char *of_from;
};

/* A row action: ticked rows (or the row under the cursor) go to one call
 * after a confirmation; the answer's per-row results are shown under the
 * list and the list is fetched again. */
struct ls_action {
	enum action act;
	const char *code;            /* given to call: "accept" */
	const char *name;            /* "Accept Service": results and messages */
	const char *done;            /* "accepted": "Nothing was accepted." */
	unsigned roles;              /* the user needs one of these */
	const char *readonly;        /* screen template: said without the roles */
	const char *one;             /* screen template: the question for one row ({row....}) */
	const char *many;            /* screen template: the question for {count} rows */
	const char *none;            /* screen template: said when nothing is ticked */
	const char *in_group;        /* said on the groups or in the opened item (NULL: the
					* action is for the opened item) */
	bool cursor;                 /* nothing ticked: the row under the cursor */
	int filter;                  /* offered only when filter ... */
	unsigned values;             /* ... has one of these choices (bits); 0: always */
	/* The typed call of client/calls.h; its answer is
	 * {"results":[{id, ok, organisation, message}], "succeeded", "failed"}. */
	struct api_call (*call)(const char *code, const long *ids, size_t n);
	enum msg_level level;        /* of readonly (MSG_INFO unless said) */
	const char *sending;         /* said while it is sent (NULL: "Sending...") */
	/* Asks for a reason before the confirmation (a prompt of this title);
	 * reason_none is said when none is given; call_reason takes it. */
	const char *reason;
	const char *reason_none;
	struct api_call (*call_reason)(const char *code, const long *ids, size_t n,
				       const char *reason);
};

/* Rows grouped first (Enter opens a group's rows): one group row per
 * distinct value of key, as {"key", "first": the first row, "count":
 * {CODE: rows}} counting the rows by the value of member count. */
struct ls_group {
	const char *key;             /* "service.id" */
	const char *count;           /* "status" */
	const struct ls_column *columns;
	size_t ncolumns;
	const char *search;          /* row template */
	const char *empty, *empty_hint;        /* screen templates: no groups */
	const char *no_ticks;        /* said when Space is pressed on the groups */
	const char *follow;          /* the member of an opened item that chooses its group */
	enum context context;
	/* A paged list (ls_decl.page_size): the groups come from this call,
	 * one per row of its answer's member rows, keyed by key and counted
	 * by the row's member "count"; NULL: made from the rows. */
	struct api_call (*source)(struct ls *l);
	const char *rows;
};

/* What Enter on a row opens in place of the list (a view of one item;
 * offer_view.c declares offer_detail), or NULL. */
struct ls_detail {
	size_t size;                 /* its state, allocated by the engine */
	void (*init)(void *v);
	void (*reset)(void *v);      /* frees what it holds; empty again */
	void (*load)(void *v, struct screen *s, long id,
		     void (*cb)(struct screen *s, const struct api_response *r));
	bool (*loaded)(void *v, struct app *a, const struct api_response *r);
	json_t *(*item)(void *v);    /* the item loaded, or NULL (borrowed) */
	long (*id)(void *v);
	void (*draw)(void *v, WINDOW *w, int y, int h, int width, const char *hint);
	enum wres (*action)(void *v, enum action a, int key);
	bool (*searching)(void *v);
};

/* Opening the item a task is about on a screen with no detail: the item
 * is fetched, the filters follow it (ls_filter.follow), the list is
 * fetched again with the cursor on its row, then found is called. */
struct ls_item {
	struct api_call (*call)(long id);
	const char *what;            /* app_failed's words: "Opening the declaration" */
	void (*found)(struct ls *l, json_t *item);
};

/* A level below the list that the declaration's hooks open (Missing Data:
 * an achievement's groups and a group's form, data_entry.h): while it is
 * active it has the screen; reopen is Refresh (and the screen shown
 * again). */
struct ls_below {
	bool (*active)(struct screen *s);
	void (*draw)(struct screen *s, WINDOW *w, int h, int width);
	enum wres (*action)(struct screen *s, enum action a, int key);
	enum context (*context)(struct screen *s);
	bool (*offers)(struct screen *s, enum action a);
	void (*reopen)(struct screen *s);
	/* Whether it holds typed values not stored yet; may be NULL. */
	bool (*unsaved)(struct screen *s);
};

/* A declaration has at most LS_MAX_FILTERS filters, one of them fetched. */
#define LS_MAX_FILTERS 4

struct ls_decl {
	/* The source: the typed call with the current filter values
	 * (ls_value), and the member of the answer holding the rows. */
	struct api_call (*source)(struct ls *l);
	const char *rows;
	const char *what;            /* app_failed's words: "Loading tasks" */
	const char *error;           /* drawn on failure, followed by ": " and the reason */
	const char *absent;          /* drawn when the server answers 404 not_found, or NULL */
	const struct ls_filter *filters;
	size_t nfilters;
	const struct ls_column *columns;
	size_t ncolumns;
	const char *search;          /* row template: the text search matches */
	const char *empty, *empty_hint;        /* screen templates: no rows */
	const char *no_ticks;        /* said when Space is pressed without ticks, or NULL */
	unsigned tick_roles;         /* ticks and Select All for these roles; 0: none */
	const struct ls_action *actions;
	size_t nactions;
	const char *result_name;     /* row template: what a result line calls a row */
	int result_rows;             /* rows the results may take under the list */
	/* The results in a text popup of this title instead ("Done:" and "Not
	 * done:" lines; one row's result on the message line), or NULL. */
	const char *results_popup;
	bool menu_labels;            /* the Filter drop-down names the filters only */
	const struct ls_group *group;          /* or NULL */
	const struct ls_detail *detail;        /* or NULL */
	const char *subject;         /* the task subject type the detail opens ("offer") */
	const struct ls_item *item;  /* without a detail: how a task's subject is opened */
	const struct ls_below *below;          /* or NULL */
	/* State of the declaration's own (ls_own), allocated by the engine,
	 * with own_init after the engine's and own_done before it. */
	size_t own_size;
	void (*own_init)(struct ls *l, void *own);
	void (*own_done)(void *own);
	const char *hint, *hint_readonly;      /* the detail's keys line, with and without
						* the roles of the first action */
	enum context context, detail_context;
	int head_rows;               /* rows the heading takes; the list starts below */
	int state_row;               /* the row of Loading and errors (0: head_rows) */
	bool underline_lead;         /* the column titles are underlined from column 0 */
	int foot_rows;               /* rows foot takes under the list */
	/* Hooks: the heading lines (always drawn); the lines under the list
	 * (drawn with it); Enter on a row when there is no detail; the
	 * function bar (-1: the engine decides); other actions. */
	void (*head)(struct ls *l, WINDOW *w, int width);
	void (*foot)(struct ls *l, WINDOW *w, int y, int width);
	void (*open)(struct ls *l, json_t *row);
	int (*offers)(struct ls *l, enum action a);
	/* An action the engine does not take, on the list (not while a search
	 * is typed); W_IGNORED hands it to the list. */
	enum wres (*action)(struct ls *l, enum action a);
	/* Reports (issue 12) and every list: which fetched rows are listed
	 * (NULL: all); the name in the export's default file name
	 * ~/cqrs-NAME-YYYY-MM-DD.csv (NULL: the sub-tab's name, lower case,
	 * "-" for spaces); an export the declaration writes itself into the
	 * open file f at path (a report: the server's CSV; NULL: the engine
	 * writes the rows shown, lib/csv.h); and whether the source call
	 * sorts (it reads ls_sort; a new sort fetches again) instead of the
	 * engine sorting the rows fetched. */
	bool (*keep)(struct ls *l, json_t *row);
	const char *export_name;
	void (*export)(struct ls *l, FILE *f, const char *path);
	bool sort_remote;
	/* Paged (issue 13): the source call asks for page_size rows from
	 * ls_offset() with the search ls_query() and every filter (none is
	 * done here); its answer holds "total"; the next page is fetched as
	 * the cursor nears the last row, and a search typed to the end (/
	 * ... Enter) while not every row is here is the server's. 0: the whole list in one answer; any
	 * other value: paged (the source call takes app_page_rows rows). */
	int page_size;
};

/* The engine's ops: def->arg is the struct ls_decl. */
extern const struct screen_ops listscreen_ops;

/* --------------------------------------- what hooks and calls may read */

struct screen *ls_screen(struct ls *l);
/* The value of filter i: its code, or the year ("2025/26"). */
const char *ls_value(struct ls *l, size_t i);
/* A paged list's source call: the offset of the page asked for, and the
 * search the server is to do (NULL: none). */
size_t ls_offset(struct ls *l);
const char *ls_query(struct ls *l);
/* Filter i's value in words. */
const char *ls_value_name(struct ls *l, size_t i);
/* Filter i's choice index (words filters). */
size_t ls_choice(struct ls *l, size_t i);
/* The whole answer of the source call, or NULL before it (borrowed). */
json_t *ls_answer(struct ls *l);
/* Whether a group is chosen (its rows are shown), and its row, or NULL
 * when it is not among the groups fetched (borrowed). */
bool ls_in_group(struct ls *l);
/* The chosen group's key (NULL: at the groups). */
const char *ls_group_key(struct ls *l);
json_t *ls_group(struct ls *l);
/* Whether the user holds one of roles at the current organisation. */
bool ls_can(struct ls *l, unsigned roles);
/* The rows shown and their count. */
size_t ls_count(struct ls *l);
/* The row under the cursor, or NULL (borrowed). */
json_t *ls_cursor(struct ls *l);
/* The declaration's own state (own_size bytes). */
void *ls_own(struct ls *l);
/* Fetches the rows again. */
void ls_reload(struct ls *l);
/* A foot's text (the row under the cursor in full) wrapped over rows
 * rows from y, its later rows indented two, dimmed. */
void ls_foot_text(WINDOW *w, int y, int width, int rows, const char *text);
/* A column's cell as the list shows it (without a draw hook). */
void ls_cell_text(const struct ls_column *c, json_t *row, char *out, size_t size);
/* The sort column's key (NULL: the server's order) and its direction. */
const char *ls_sort(struct ls *l, bool *desc);
/* An export hook's end: says where the file went (ok) or why it did not
 * (why), closes f and removes the file when it failed. */
void ls_export_done(struct ls *l, FILE *f, const char *path, bool ok, const char *why);

/* ---------------------------------- an engine inside another screen */

/* A list screen of declaration d drawn and driven by the screen parent
 * (a report's results): a screen of its own whose requests are its own;
 * call listscreen_ops on it; ls_embed_free forgets its requests first. */
struct screen *ls_embed(struct screen *parent, const struct ls_decl *d, void *ud);
void ls_embed_free(struct screen **child);
/* The engine state of such a screen, and the ud it was made with (only
 * for an embedded engine). */
struct ls *ls_of(struct screen *child);
void *ls_embed_ud(struct ls *l);

#endif
