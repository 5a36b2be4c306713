/* admin_common.h: what the Administration screens share: the tick list
 * ("pick") that Add Organisation, a user's roles and clusters, a cluster's
 * practices and the allocated services are chosen in (the one list widget
 * with checkboxes, Select All and search, over a JSON array of rows), and
 * the server's refusal shown whole. */
#ifndef CQRS_ADMIN_COMMON_H
#define CQRS_ADMIN_COMMON_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>

#include "screens/app.h"

struct pick {
	struct list list;
	json_t *rows;            /* a JSON array (owned) */
	/* A row in words (also what the search matches). */
	void (*label)(json_t *row, char *out, size_t size);
	/* Whether a row may be ticked (NULL: all). */
	bool (*tickable)(json_t *row);
	char text[256];
};

void pick_init(struct pick *p, bool taggable, void (*label)(json_t *row, char *out, size_t size));
void pick_free(struct pick *p);
/* Takes rows (stolen); every tick is cleared. */
void pick_set(struct pick *p, json_t *rows);
json_t *pick_row(const struct pick *p, size_t i);
json_t *pick_cursor(const struct pick *p);
/* A new array of the member key of every ticked row. */
json_t *pick_ticked(const struct pick *p, const char *key);
/* Ticks the rows whose member key is among values (an array). */
void pick_tick_values(struct pick *p, const char *key, json_t *values);
enum wres pick_action(struct pick *p, enum action a, int key);
/* Draws the list in h rows (the last is its status line). */
void pick_draw(struct pick *p, WINDOW *w, int y, int x, int h, int width);

/* The refusal of a write in full: "Refused: words (field)" (new string),
 * or NULL on success. */
char *admin_refusal(const struct api_response *r);
/* Reads the answer of a write: clears *busy, marks the screen for
 * redrawing and, on a refusal, keeps it whole in *refusal (freeing the
 * one before), says it on the message line and returns false. */
bool admin_written(struct app *a, const struct api_response *r, bool *busy, char **refusal);
/* An ISO date or time ("2026-12-01T09:12:00Z") as dd/mm/yyyy (hh:mm);
 * "-" for none. */
void admin_when(const char *iso, char *out, size_t size);
/* A JSON array of strings joined with sep into out. */
void admin_join(json_t *arr, const char *sep, char *out, size_t size);

#endif
