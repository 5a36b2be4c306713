/* offer_view.h: what the Participation Management screens share: one
 * offer's details (GET /offers/{id}: its dates, the service's information,
 * its domains as a tree that expands and collapses, and its history), the
 * row-by-row results of POST /offers/actions, status names and financial
 * year choices. My Services and Offered Services embed these. */
#ifndef CQRS_OFFER_VIEW_H
#define CQRS_OFFER_VIEW_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>

#include "screens/app.h"
#include "tui/tree.h"

/* The statuses of an offer, in filter order. */
#define OFFER_NSTATUS 4
extern const char *const offer_status_codes[OFFER_NSTATUS]; /* "OFFERED", ... */
extern const char *const offer_status_names[OFFER_NSTATUS]; /* "Offered", ... */
/* The people's name of a status code ("Approved"); the code if unknown. */
const char *offer_status_name(const char *code);
/* The index of a status code in offer_status_codes, or -1. */
int offer_status_index(const char *code);

/* Financial years to choose from: the year of fy shifted by delta ("2025/26"
 * and -1 give "2024/25") into out (8 bytes). False if fy is not a year. */
bool offer_fy_shift(const char *fy, int delta, char out[8]);
/* Fills years with the choices around the current year fy (next year, this
 * year, then three back); returns how many (at most 5). */
size_t offer_fy_choices(const char *fy, char years[5][8]);

/* JSON helpers: a string member or "" (borrowed). */
const char *ojstr(json_t *o, const char *key);

struct offer_view {
	long id;
	json_t *offer;     /* GET /offers/{id}; owned reference */
	struct tree tree;  /* domains, achievement dates, declaration, history */
	bool loading;
	char *error;       /* owned */
};

void offer_view_init(struct offer_view *v);
/* Frees what the view holds and makes it empty again. */
void offer_view_clear(struct offer_view *v);
/* Starts loading offer id for screen s; the screen's cb must call
 * offer_view_loaded with the response. */
void offer_view_load(struct offer_view *v, struct screen *s, long id,
		     void (*cb)(struct screen *s, const struct api_response *r));
/* Takes the response of GET /offers/{id}; false (and an error shown) if it
 * failed. */
bool offer_view_loaded(struct offer_view *v, struct app *a, const struct api_response *r);
/* Draws the view in rows y..h-1 of w; hint is the keys line. */
void offer_view_draw(struct offer_view *v, WINDOW *w, int y, int h, int width,
		     const char *hint);
/* Expand, collapse, cursor moves. */
enum wres offer_view_action(struct offer_view *v, enum action a, int key);

/* The row-by-row results of an action, kept to show under a list. */
struct offer_results {
	char **lines;      /* owned; "Done: ..." or "Refused: ..." */
	size_t n;
	bool any_failed;
};

void offer_results_clear(struct offer_results *res);
/* Fills res from the answer to POST /offers/actions; names maps an offer
 * id to what to call it (may return NULL). Puts a summary on the message
 * line ("Accept Service: 2 done, 0 refused"). */
void offer_results_set(struct offer_results *res, struct app *a, const char *what,
		       const struct api_response *r,
		       const char *(*names)(void *ud, long id), void *ud);
/* Draws the results from row y upwards of limit rows; returns rows used. */
int offer_results_draw(const struct offer_results *res, WINDOW *w, int y, int rows,
		       int width);

#endif
