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

#include "screens/lsdata.h"

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
/* "31/03/2025" from ISO, with "*" appended for a payment date ("31/03/2025*"). */
void ac_date(const char *iso, bool payment, char *out, size_t size);
/* The people's words for any status code the server sends (declaration,
 * achievement, offer), from one table: CQRS's name, and a short form (at
 * most 14 columns for a declaration's, 17 for others) for narrow columns.
 * "" for NULL. */
const char *ac_status_name(const char *code);
const char *ac_status_short(const char *code);
/* The people's name of a declaration status code ("(none)" for none). */
const char *ac_decl_status(const char *code);
/* The people's name of an achievement status code. */
const char *ac_ach_status(const char *code);

/* An indicator's figures for a row of the results, for people. */
struct ac_figures {
	char val[40];      /* ac_value */
	char pct[32];      /* the achievement, or "" */
	char thr[48];      /* "lower-upper", or "" */
	char avail[64];    /* "points/available" ("-" for points not calculated) */
	char money[32];    /* the payment, or "" */
};
void ac_figures(json_t *ind, struct ac_figures *f);

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
/* An indicator's breakdown after its value: its achievement, points (with
 * "Points: not calculated (of N)" when uncalculated is set and there are
 * none) and payment; then how the points and the payment were reached
 * (none when the server explains nothing), wrapped at w columns. */
void ac_add_achieved(struct ac_lines *l, json_t *ind, bool uncalculated);
void ac_add_explained(struct ac_lines *l, json_t *ind, const char *none, int w);
/* The width to wrap popup text at, for the current terminal. */
int ac_popup_width(void);

struct screen;
struct api_response;
struct app;

/* The financial year screens open on: the one with work on the business
 * date (GET /me work_year), else the business date's. */
const char *ac_work_year(struct app *a);

/* ------------------------------------------- the organisation and service
 * What Achievement Results and Network Achievement show: one practice or
 * PCN (a practice or PCN user's own organisation; commissioners choose
 * one), a financial year and one quality service of it, and the Change
 * drop-down (f) over them. The screen embeds a struct ac_sel and is told
 * through its ops what changed; the ops are the arg of the screen's line in
 * CQRS_SCREENS (screens/screens.h), and "of" finds the ac_sel in the
 * screen's state. */
struct ac_sel;
struct ac_sel_ops {
	struct ac_sel *(*of)(struct screen *s);  /* the screen's ac_sel */
	const char *provider;        /* the provider search's title: "Practice or PCN" */
	bool (*keep)(json_t *service);          /* the services of org it shows */
	bool by_name;                /* within a year by display name (else as sent) */
	const char *none;            /* said after org when none is kept: "takes part in ..." */
	void (*pick)(struct ac_sel *c);         /* the year is set: choose its service */
	void (*year)(struct ac_sel *c);         /* the year was changed (NULL: pick) */
	void (*service)(struct ac_sel *c);      /* the user chose a service */
	void (*dates)(struct ac_sel *c);        /* the Achievement date drop-down */
	void (*reset)(struct ac_sel *c);        /* another provider: forget what was shown */
};

struct ac_sel {
	struct screen *s;
	const struct ac_sel_ops *ops;
	char org[16];
	char *org_name;              /* owned */
	json_t *services;            /* the services kept, newest year first; owned */
	char year[8];
	bool year_by_user;           /* the user chose the year (no fallback) */
	long long service_id;
	const char *loading;         /* what is loading, or NULL */
	char *error;                 /* owned */
	char **choice;               /* owned, parallel to an open choice popup */
	size_t nchoice;
	struct year_pick years;      /* the Financial year drop-down's state */
};

void ac_sel_init(struct ac_sel *c, struct screen *s, const struct ac_sel_ops *ops);
/* Frees what c owns (not c). */
void ac_sel_done(struct ac_sel *c);
/* Whether the current organisation is a commissioner (ICB, NHSE). */
bool ac_commissioner(struct screen *s);
/* Not a commissioner and no organisation yet: the user's own. */
void ac_sel_own(struct ac_sel *c);
/* Replaces the error shown (msg allocated, or NULL). */
void ac_sel_error(struct ac_sel *c, char *msg);
void ac_sel_free_choice(struct ac_sel *c);
/* The service of id among the services kept, or NULL. */
json_t *ac_sel_service(struct ac_sel *c, long long id);
/* GET /organisations/{org}/services; then ops->pick (the year set). */
void ac_sel_load_services(struct ac_sel *c);
/* Keeps the service when it is of the year, else chooses the year's first
 * (one of payment type prefer first, when given); false when it chose. */
bool ac_sel_pick(struct ac_sel *c, const char *prefer);
/* The year before the current one into prev; true when a service is of it
 * (where to fall back to when nothing is recorded in this one). */
bool ac_sel_year_before(struct ac_sel *c, char prev[8]);
/* Sets the year as the user's choice and calls ops->year (or ops->pick). */
void ac_sel_year(struct ac_sel *c, const char *year);
/* Offers a choice popup of the n items (owned, freed here) whose values
 * are c->choice (set by the caller), cur first; cb gets c. */
void ac_sel_offer(struct ac_sel *c, const char *title, char **items, size_t cur,
		  void (*cb)(void *ud, int result, const char *text));
/* The Change drop-down: Financial year, Quality service, Achievement date
 * and (commissioners) the provider. */
void ac_sel_filter(struct ac_sel *c);
/* Asks for the code or name of a practice or PCN and offers those found. */
void ac_sel_choose_provider(struct ac_sel *c);

#endif
