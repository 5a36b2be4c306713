/* app.h: the application state shared by the frame and the screens: the
 * connection, the signed-in user and organisation, navigation, and the
 * services screens call (requests, messages, popups, going to a screen). */
#ifndef CQRS_APP_H
#define CQRS_APP_H

#include <curses.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "client/api.h"
#include "client/calls.h"
#include "client/creds.h"
#include "client/settings.h"
#include "keymaps/keymap.h"
#include "tui/bars.h"
#include "tui/list.h"
#include "tui/popup.h"

/* Role codes of GET /me, as bits. */
#define CQRS_ROLES(_) \
	_(USER_ADMIN) _(ADV_USER_ADMIN) _(ORG_ADMIN) _(VIEW) _(FINANCE_VIEW) \
	_(ACHIEVEMENT_ENTRY) _(SERVICE_MANAGEMENT) _(DECLARATION_MANAGEMENT) \
	_(SUPERVISOR) _(COMMISSIONING_MANAGEMENT) _(APPROVAL_MANAGEMENT) \
	_(FINANCE_MANAGEMENT) _(PCN_VIEW) _(PCN_MANAGEMENT) _(EXTRACT_LOADER)

enum role {
#define CQRS_ROLE_ENUM(code) ROLE_##code,
	CQRS_ROLES(CQRS_ROLE_ENUM)
#undef CQRS_ROLE_ENUM
	ROLE__COUNT
};
#define R(code) (1u << ROLE_##code)
#define ROLES_ALL ((1u << ROLE__COUNT) - 1)

/* Organisation kinds, as bits. */
#define CQRS_KINDS(_) _(NHSE) _(ICB) _(PCN) _(PRACTICE)
enum org_kind {
#define CQRS_KIND_ENUM(code) KIND_##code,
	CQRS_KINDS(CQRS_KIND_ENUM)
#undef CQRS_KIND_ENUM
	KIND__COUNT
};
#define K(code) (1u << KIND_##code)
#define KINDS_ALL ((1u << KIND__COUNT) - 1)
#define KINDS_COMMISSIONER (K(NHSE) | K(ICB))
#define KINDS_PROVIDER (K(PRACTICE) | K(PCN))

/* The tabs come from CQRS_TABS (keymaps/actions.h), the list that also
 * makes the tab-N actions. */
enum tab_id {
#define CQRS_TAB_ENUM(x, id, n, name, short_name, label) TAB_##id,
	CQRS_TABS(CQRS_TAB_ENUM, )
#undef CQRS_TAB_ENUM
	TAB__COUNT
};

struct app;
struct screen;

/* What a screen does: the frame allocates priv_size bytes of private
 * state (zeroed) and calls init once; open when the screen is shown and has
 * not loaded its data (or on Refresh); draw into the body; action for each
 * key the screen's context maps (W_IGNORED hands it to the frame); done to
 * free what init made; offers, what the function bar shows. */
struct screen_ops {
	size_t priv_size;
	void (*init)(struct screen *s);
	void (*open)(struct screen *s);
	void (*draw)(struct screen *s, WINDOW *w, int h, int width);
	enum wres (*action)(struct screen *s, enum action a, int key);
	enum context (*context)(struct screen *s);
	void (*done)(struct screen *s);
	/* Whether the screen does something with a (for the function bar);
	 * NULL: everything. */
	bool (*offers)(struct screen *s, enum action a);
	/* Opens the item a task is about (subject type such as "offer",
	 * "declaration", "achievement", and its id), after open; NULL: the
	 * screen has no such view. False if it does not know the type. */
	bool (*subject)(struct screen *s, const char *type, long id);
	/* Whether the screen holds typed values the server has not stored
	 * (quitting asks first); NULL: never. */
	bool (*unsaved)(struct screen *s);
	/* Called when the screen is shown again after another one (and every
	 * minute while the Message Centre sits idle): fetches again what may
	 * have changed meanwhile (an unchanged answer costs a 304); NULL:
	 * nothing. Never throws away what the user typed. */
	void (*revisit)(struct screen *s);
};

struct screen_def {
	int id;
	enum tab_id tab;
	const char *name;       /* sub-tab name */
	unsigned roles;         /* shown if the user holds one of these ... */
	unsigned kinds;         /* ... at a current organisation of these kinds */
	const struct screen_ops *ops;
	const void *arg;        /* screen-specific declaration */
};

struct screen {
	const struct screen_def *def;
	struct app *app;
	void *priv;
	bool inited, loaded;
	bool show_cursor;       /* the screen placed the hardware cursor */
	int cur_y, cur_x;
};

/* Issues a request for screen s (a typed call of client/calls.h, e.g.
 * call_offers(&q); app_call owns it from now on). cb gets s. Reads that
 * cannot reach the server are retried until it returns; a 401 on an
 * expired token sends the user to sign-in and re-issues the request
 * afterwards. */
void app_call(struct app *a, struct screen *s, struct api_call call,
	      void (*cb)(struct screen *s, const struct api_response *r));
/* As app_call for a GET whose 200 answer's body is written to out as it
 * arrives (api_download: a report's CSV); out stays open for cb. */
void app_download(struct app *a, struct screen *s, struct api_call call, FILE *out,
		  void (*cb)(struct screen *s, const struct api_response *r));
/* Forgets s's requests without calling back (a screen that ends one it
 * made inside itself, such as an embedded list, calls it first). */
void app_forget(struct app *a, struct screen *s);
/* Sets the message line. */
void app_message(struct app *a, enum msg_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Clears the message line if it still says text (what a screen said that
 * is no longer true, such as a field's error once the field is fixed). */
void app_unsay(struct app *a, const char *text);
/* Marks the body for redrawing. */
void app_dirty(struct app *a);
/* Shows a popup (the app owns it from now on). */
void app_popup(struct app *a, struct popup *p);
/* Goes to a screen (if the user's roles allow it). False if not. */
bool app_goto(struct app *a, int screen_id);
/* Goes to a screen and opens the subject there (the screen's subject op,
 * e.g. type "offer" and the offer's id); the screen alone if it has no
 * such op. False if the user's roles do not allow the screen. */
bool app_goto_subject(struct app *a, int screen_id, const char *type, long id);
/* The current organisation's object from GET /me, or NULL (borrowed). */
json_t *app_org(struct app *a);
const char *app_org_code(struct app *a);
/* The role bits the user holds at the current organisation. */
unsigned app_roles(struct app *a);
/* GET /me (borrowed). */
json_t *app_me(struct app *a);
bool app_is_demo(struct app *a);
/* Rows a paged list asks for at a time (the page_rows setting). */
size_t app_page_rows(struct app *a);
/* Where the sign-in token is kept, for people ("memory only", ...). */
const char *app_token_store(struct app *a);
const char *app_server(struct app *a);
/* Signs in with user and password (from the sign-in screen). */
void app_sign_in(struct app *a, const char *user, const char *password);

/* Reports an API failure on the message line in plain words; returns
 * true if r was a failure. */
bool app_failed(struct app *a, const struct api_response *r, const char *what);

#endif
