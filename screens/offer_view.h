/* offer_view.h: what the Participation Management screens share: one
 * offer's details (GET /offers/{id}: its dates, the service's information,
 * its domains as a tree that expands and collapses, and its history), and
 * status names. My Services and Offered Services, declared as list screens
 * (listscreen.h), open the view as their detail. */
#ifndef CQRS_OFFER_VIEW_H
#define CQRS_OFFER_VIEW_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>

#include "screens/app.h"
#include "screens/listscreen.h"
#include "tui/tree.h"

/* The statuses of an offer, in filter order. */
#define OFFER_NSTATUS 4
extern const char *const offer_status_codes[OFFER_NSTATUS]; /* "OFFERED", ... */
extern const char *const offer_status_names[OFFER_NSTATUS]; /* "Offered", ... */
/* The people's name of a status code ("Approved"); the code if unknown. */
const char *offer_status_name(const char *code);
/* The index of a status code in offer_status_codes, or -1. */
int offer_status_index(const char *code);

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

/* The offer view as what Enter opens in a list screen (listscreen.h), and
 * the statuses as a list screen's words. */
extern const struct ls_detail offer_detail;
extern const struct ls_words offer_statuses;

#endif
