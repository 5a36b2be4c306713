/* data_entry.h: the Data Submission screens shared by Record Achievement,
 * Record Provider Achievement and Missing Data. Those sub-tabs keep a
 * `struct de`: Record Achievement and Record Provider Achievement as the
 * FIRST member of their private state (a `struct panel`, which starts with
 * it), Missing Data, a list screen, as its declaration's own state
 * (ls_own), so the levels below can find it from the screen alone (de_of):
 *
 *   top level        the sub-tab's own list (the achievements panel, the
 *                    practice search, the missing-data list)
 *   DE_ACH           an achievement: its indicator groups, Payment and
 *                    Management Information apart (achievement_view.c)
 *   DE_FORM          one group's form: New Values, notes, Save Work in
 *                    Progress, Submit, history, drafts (group_form.c)
 *
 * Esc goes up one level; from a form opened straight from the top level
 * (Missing Data) it goes back there. */
#ifndef CQRS_DATA_ENTRY_H
#define CQRS_DATA_ENTRY_H

#include <stdint.h>

#include "screens/app.h"
#include "screens/listscreen.h"
#include "tui/list.h"
#include "tui/tui.h"

enum de_level {
	DE_TOP,
	DE_ACH,
	DE_FORM,
};

/* One typed field of the group form. */
struct gfield {
	int ind;            /* index into the form's "indicators"; -1 for the notes */
	int part;           /* 0: the value or numerator; 1: the denominator */
	char *text;         /* owned UTF-8 */
	bool fresh;         /* the next character typed replaces the text */
	char *error;        /* owned, or NULL */
};

struct gform {
	int64_t ach, gid;
	json_t *form;       /* GET /achievements/{id}/groups/{gid} (owned) */
	struct gfield *f;   /* owned, nf of them; the notes field is last */
	size_t nf, focus;
	char *draft;        /* the draft's path (owned), NULL without one */
	char *notice;       /* the line under the heading (owned) */
	bool notice_error;
	bool loading, busy;
	size_t top;         /* first indicator shown */
	char *said;         /* the field error it put on the message line (owned) */
	/* The last save that got no answer (lost or stopped): its request
	 * body (owned) and Idempotency-Key, sent again with the same key
	 * while the body is the same; kept in the draft too. */
	char *save_body;
	char save_key[33];
};

struct de {
	enum de_level level;
	bool direct;        /* the form was opened from the top level */
	int64_t ach_id;
	json_t *ach;        /* GET /achievements/{id} (owned) */
	struct list glist;  /* its groups, sorted: payment first */
	size_t *order;      /* row -> index in "groups" (owned) */
	bool ach_loading;
	bool stale;         /* data changed below: reload on the way up */
	struct gform gf;
	/* Called when Esc goes back to the top level (the owner reloads when
	 * stale is set); may be NULL. */
	void (*back)(struct screen *s);
	/* Set by the owner before de_open_achievement: the group code the
	 * cursor starts on (instead of the first incomplete group), and a
	 * line shown under the heading of an editable achievement (owned). */
	char want_group[16];
	char *hint;
};

/* ------------------------------------------------------------ shared */

/* The screen's struct de. */
struct de *de_of(struct screen *s);
void de_init(struct de *d, void (*back)(struct screen *s));
/* Frees what d owns (not d). */
void de_done(struct de *d);
/* Opens an achievement's groups (GET /achievements/{id}). */
void de_open_achievement(struct screen *s, int64_t id);
/* Opens a group's form; direct: Esc goes back to the top level. */
void de_open_group(struct screen *s, int64_t ach, int64_t gid, bool direct);
/* Fetches the current level again (Refresh). */
void de_refresh(struct screen *s);
bool de_active(struct screen *s);
void de_draw(struct screen *s, WINDOW *w, int h, int width);
enum wres de_action(struct screen *s, enum action a, int key);
enum context de_context(struct screen *s);
/* Whether the open group form holds typed values not stored yet. */
bool de_unsaved(struct screen *s);
bool de_offers(struct screen *s, enum action a);

/* Draws an ISO date as DD/MM/YYYY, followed by "*" for a payment date,
 * which is also yellow (colour pair), bold and underlined so it stays
 * distinguishable without colour. 11 columns. */
void de_put_date(WINDOW *w, int y, int x, const char *iso, bool payment);
/* The legend line for payment dates (and incomplete groups). */
void de_legend(WINDOW *w, int y, int x, int width, bool groups);
/* Draws text from row y wrapped at spaces into at most max rows of
 * width columns (the last row ends "..." only when even max rows cannot
 * hold it); returns the rows used (at least 1). */
int de_put_wrapped(WINDOW *w, int y, int x, int width, int max, const char *text,
		   enum style st);
/* An epoch as DD/MM/YYYY HH:MM (UTC) into out (at least 17 bytes); "" for 0. */
void de_when(int64_t epoch, char *out, size_t n);
/* Shows the submission history of an achievement (gid 0: all groups). */
void de_history(struct screen *s, int64_t ach, int64_t gid);

/* ------------------------------------------------------------ group form
 * (group_form.c; used through de_*) */
void gform_free(struct gform *g);
void gform_open(struct screen *s, int64_t ach, int64_t gid);
void gform_draw(struct screen *s, struct gform *g, WINDOW *w, int h, int width);
enum wres gform_action(struct screen *s, struct gform *g, enum action a, int key);
bool gform_offers(struct gform *g, enum action a);
/* Whether the form holds typed values the server has not stored (its
 * draft exists). */
bool gform_unsaved(const struct gform *g);

/* ------------------------------------------------------------ panel
 * The achievements panel of Record Achievement, for one organisation
 * (record_achievement.c): Financial Year and Quality Service selectors,
 * the achievements recorded, the Achievement Date drop-down and Add New
 * Achievement. */
struct panel {
	struct de de;           /* first */
	char org[16];
	char *org_name;         /* owned */
	char year[8];
	struct year_pick years; /* the Financial Year drop-down's state */
	json_t *services;       /* the services taken part in (owned array) */
	size_t svc;
	json_t *achs;           /* GET /achievements answer (owned) */
	struct list list;
	bool loading;
	char *error;            /* owned */
	bool dropdown;          /* the Achievement Date drop-down is open */
	struct list dates;      /* its list */
	char want_date[11];     /* open this date's achievement once loaded */
	long long want_service; /* choose this service (id) once loaded; 0: none */
};

void panel_init(struct screen *s);
void panel_done(struct screen *s);
/* Shows organisation code (name may be NULL) and loads its services. */
void panel_set_org(struct screen *s, const char *code, const char *name);
/* Shows organisation code (name may be NULL) in financial year year with
 * service service_id chosen and the cursor on date (ISO; may be ""). */
void panel_show(struct screen *s, const char *code, const char *name, const char *year,
		long long service_id, const char *date);
/* Fetches the current level again. */
void panel_refresh(struct screen *s);
/* Draws the panel from row y. */
void panel_draw(struct screen *s, WINDOW *w, int y, int h, int width);
enum wres panel_action(struct screen *s, enum action a, int key);
enum context panel_context(struct screen *s);
bool panel_offers(struct screen *s, enum action a);

#endif
