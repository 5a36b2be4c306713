/* ach_common.h: helpers shared by the Achievement screens (Achievement
 * Results, Network Achievement, Declare, Declaration Management): reading
 * the server's JSON, formatting points, values, percentages, money and
 * dates for people, the threshold bar, wrapped text for popups, and
 * declaration status names. */
#ifndef CQRS_ACH_COMMON_H
#define CQRS_ACH_COMMON_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* obj[key] as a string ("" when absent; borrowed). */
const char *ac_str(json_t *obj, const char *key);
/* obj[key] as an integer (0 when absent). */
long long ac_int(json_t *obj, const char *key);
/* True when obj[key] is present and not null. */
bool ac_has(json_t *obj, const char *key);

/* Thousandths of a point as "26.04" (two decimals, halves away from zero). */
void ac_points(long long milli, char *out, size_t size);
/* Parts per million as "86.5%". */
void ac_pct(long long ppm, char *out, size_t size);
/* An indicator's value (ind["value"], ind["kind"]) for people: "32/37",
 * "Yes", "No", "236", "£12.00", "31/03/2025", or "missing". */
void ac_value(json_t *ind, char *out, size_t size);
/* "31/03/2025" from ISO, with " *" appended for a payment date. */
void ac_date(const char *iso, bool payment, char *out, size_t size);
/* The people's name of a declaration status code. */
const char *ac_decl_status(const char *code);
/* The people's name of an achievement status code. */
const char *ac_ach_status(const char *code);

/* Draws the bar of one indicator in width columns at y,x: '#' up to the
 * achievement, '.' beyond, '|' at the lower and upper thresholds (ratio
 * indicators); for others the share of the available points earned.
 * Readable without colour; coloured when colours are on. */
void ac_bar(WINDOW *w, int y, int x, int width, json_t *ind);

/* True when s ends with suffix. */
bool ac_ends_with(const char *s, const char *suffix);

/* Lines for a text popup. */
struct ac_lines {
	char **v;
	size_t n;
};
void ac_add(struct ac_lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds text wrapped at width columns; continuation lines are indented by
 * the display width of prefix. */
void ac_add_wrapped(struct ac_lines *l, const char *prefix, const char *text, int width);
void ac_lines_free(struct ac_lines *l);
/* The width to wrap popup text at, for the current terminal. */
int ac_popup_width(void);

/* Choosing a practice or PCN (commissioners): ac_search_providers sends
 * the search for the text typed (GET /organisations?q=), and
 * ac_offer_providers turns its answer into a choice popup of the practices
 * and PCNs found, titled title, calling cb with ud; *ids receives one
 * "CODE\tName" per item (allocated; *nids their count). When nothing is
 * found it says so on the message line and returns 0. */
struct screen;
struct api_response;
void ac_search_providers(struct screen *s, const char *text,
			 void (*cb)(struct screen *s, const struct api_response *r));
size_t ac_offer_providers(struct screen *s, const struct api_response *r, const char *title,
			  char ***ids, void (*cb)(void *ud, int result, const char *text), void *ud);

#endif
