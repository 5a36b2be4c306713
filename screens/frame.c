/* frame.c: the frame every screen lives in: title line, tab bar, sub-tab
 * row, body, message line and function bar; the event loop (keys and
 * network together); key dispatch (popup, screen, then the frame's own
 * actions); sign-in, sign-out, organisation switching, and requests that
 * survive the server going away and the token expiring. Drawing goes
 * through wnoutrefresh/doupdate and only dirty windows are redrawn, so
 * moving around never repaints the whole terminal. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "screens/frame.h"
#include "screens/screens.h"
#include "tui/keys.h"
#include "tui/tui.h"
#include "util.h"

/* 23 rows: tmux's status line on an 80x24 terminal leaves 80x23. */
#define MIN_ROWS 23
#define MIN_COLS 80

enum {
	D_TITLE = 1,
	D_TABS = 2,
	D_SUBS = 4,
	D_BODY = 8,
	D_MSG = 16,
	D_FBAR = 32,
	D_POPUP = 64,
	D_ALL = 127,
};

struct pending {
	struct pending *next;
	struct app *app;
	struct screen *s;
	void (*cb)(struct screen *s, const struct api_response *r);
	char *method, *path, *body;
	char key[API_KEY_SIZE]; /* a write's Idempotency-Key, the same on every send */
	bool held;  /* waiting for the user to sign in again */
	FILE *sink; /* app_download: the file the answer goes to */
};

struct app {
	const struct cqrs_config *cfg;
	struct api *api;
	struct creds *creds;
	struct keymap *km;
	bool demo;
	char *server;

	char *user_id;
	json_t *me;
	size_t org;
	unsigned roles;
	bool signed_in;

	struct screen screens[SCR__COUNT + 2];
	int cur;
	int back_to;
	int sub_of[TAB__COUNT];

	WINDOW *w_title, *w_tabs, *w_subs, *w_body, *w_msg, *w_fbar, *w_small;
	bool small;
	unsigned dirty;
	char msg[512];
	enum msg_level msg_level;
	/* A message belongs to the screen shown when it was said, during the
	 * nkeys-th key: showing another screen on a later key clears it. */
	int msg_screen;
	unsigned long msg_key, nkeys;
	struct popup *popup;
	struct pending *pend;
	bool quit;
	char title[512];
	int cursor_vis;

	struct keys keys;       /* bytes from the terminal, decoded (tui/keys.h) */
	/* Keys typed while the window is too small or while the saved sign-in
	 * is checked, handled (or reported) once that is over. */
	int held[256];
	size_t nheld;
	bool held_lost;         /* more were typed than held fits */
	bool checking;          /* the saved sign-in is being checked */
	bool said_non_ascii;    /* the non-UTF-8-locale notice was given */
	int64_t key_ms;         /* mono ms of the last key */
	int64_t polled_ms;      /* ... of the last screen shown or idle check */
	bool told_unanswered;   /* the lost-reply message is on the line */
};

static const struct screen_def screen_defs[SCR__COUNT + 2] = {
#define CQRS_SCREEN_DEF(id, tab, name, roles, kinds, ops, arg) \
	{SCR_##id, TAB_##tab, name, roles, kinds, &ops, arg},
	CQRS_SCREENS(CQRS_SCREEN_DEF)
#undef CQRS_SCREEN_DEF
	{SCR_SIGNIN, TAB_HOME, "Sign in", ROLES_ALL, KINDS_ALL, &signin_ops, NULL},
	{SCR_REGISTER, TAB_HOME, "Security Information", ROLES_ALL, KINDS_ALL, &register_ops,
	 NULL},
};

static const struct tab_item tab_items[TAB__COUNT] = {
#define CQRS_TAB_ITEM(x, id, n, name, short_name, label) {name, short_name, n},
	CQRS_TABS(CQRS_TAB_ITEM, )
#undef CQRS_TAB_ITEM
};

static const char *const role_codes[ROLE__COUNT] = {
#define CQRS_ROLE_NAME(code) #code,
	CQRS_ROLES(CQRS_ROLE_NAME)
#undef CQRS_ROLE_NAME
};

static const char *const kind_codes[KIND__COUNT] = {
#define CQRS_KIND_NAME(code) #code,
	CQRS_KINDS(CQRS_KIND_NAME)
#undef CQRS_KIND_NAME
};

static int sigwinch_pipe[2] = {-1, -1};

static void on_sigwinch(int sig)
{
	int saved = errno;
	if (sigwinch_pipe[1] >= 0) {
		ssize_t r = write(sigwinch_pipe[1], "w", 1);
		(void)r;
	}
	errno = saved;
}

/* ------------------------------------------------------------ helpers */

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

json_t *app_me(struct app *a)
{
	return a->me;
}

json_t *app_org(struct app *a)
{
	return json_array_get(json_object_get(a->me, "organisations"), a->org);
}

const char *app_org_code(struct app *a)
{
	return jstr(app_org(a), "code");
}

unsigned app_roles(struct app *a)
{
	return a->roles;
}

size_t app_page_rows(struct app *a)
{
	return a->cfg->page_rows >= 5 ? (size_t)a->cfg->page_rows : 50;
}

bool app_is_demo(struct app *a)
{
	return a->demo;
}

const char *app_token_store(struct app *a)
{
	return creds_describe(a->creds);
}

const char *app_server(struct app *a)
{
	return a->server;
}

void app_dirty(struct app *a)
{
	a->dirty |= D_BODY | D_FBAR;
}

void app_message(struct app *a, enum msg_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	a->msg_level = level;
	a->msg_screen = a->cur;
	a->msg_key = a->nkeys;
	a->dirty |= D_MSG;
}

void app_unsay(struct app *a, const char *text)
{
	if (text && a->msg[0] && !strcmp(a->msg, text)) {
		a->msg[0] = '\0';
		a->dirty |= D_MSG;
	}
}

void app_popup(struct app *a, struct popup *p)
{
	popup_free(&a->popup);
	popup_show_keys(p, a->km);
	a->popup = p;
	a->dirty |= D_POPUP | D_FBAR;
}

static unsigned kind_bit(const char *kind)
{
	for (int i = 0; i < KIND__COUNT; i++)
		if (strcmp(kind_codes[i], kind) == 0)
			return 1u << i;
	return 0;
}

static void compute_roles(struct app *a)
{
	a->roles = 0;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(app_org(a), "roles"), i, r) {
		const char *code = jstr(r, "code");
		for (int k = 0; k < ROLE__COUNT; k++)
			if (strcmp(role_codes[k], code) == 0)
				a->roles |= 1u << k;
	}
}

static bool allowed(struct app *a, int id)
{
	if (id >= SCR_SIGNIN)
		return true;
	if (!a->signed_in)
		return false;
	const struct screen_def *d = &screen_defs[id];
	return (d->roles & a->roles) && (d->kinds & kind_bit(jstr(app_org(a), "kind")));
}

/* The sub-tabs of tab the user may see, in declaration order. */
static int visible_subs(struct app *a, int tab, int *out)
{
	int n = 0;
	for (int i = 0; i < SCR__COUNT; i++)
		if (screen_defs[i].tab == (enum tab_id)tab && allowed(a, i))
			out[n++] = i;
	return n;
}

static struct screen *cur_screen(struct app *a)
{
	return &a->screens[a->cur];
}

static void pending_free(struct pending *p);

static void screen_reset(struct app *a, struct screen *s)
{
	app_forget(a, s);
	if (s->inited) {
		if (s->def->ops->done)
			s->def->ops->done(s);
		memset(s->priv, 0, s->def->ops->priv_size);
		s->def->ops->init(s);
	}
	s->loaded = false;
}

static void show(struct app *a, int id)
{
	struct screen *s = &a->screens[id];
	/* what was said about another screen on an earlier key is old news */
	if (id != a->msg_screen && a->msg_key < a->nkeys && a->msg[0]) {
		a->msg[0] = '\0';
		a->dirty |= D_MSG;
	}
	bool again = id != a->cur && s->loaded;
	a->cur = id;
	if (id < SCR_SIGNIN)
		a->sub_of[screen_defs[id].tab] = id;
	if (!s->inited) {
		s->priv = xcalloc(1, s->def->ops->priv_size ? s->def->ops->priv_size : 1);
		s->def->ops->init(s);
		s->inited = true;
	}
	if (!s->loaded) {
		s->loaded = true;
		if (s->def->ops->open)
			s->def->ops->open(s);
	} else if (again && s->def->ops->revisit) {
		s->def->ops->revisit(s);
	}
	a->polled_ms = mono_ms();
	a->dirty |= D_ALL;
}

bool app_goto(struct app *a, int id)
{
	if (id < 0 || id > SCR_REGISTER || !allowed(a, id))
		return false;
	show(a, id);
	return true;
}

bool app_goto_subject(struct app *a, int id, const char *type, long subject_id)
{
	if (!app_goto(a, id))
		return false;
	struct screen *s = cur_screen(a);
	if (s->def->ops->subject && type && *type)
		s->def->ops->subject(s, type, subject_id);
	return true;
}

static void goto_tab(struct app *a, int tab)
{
	int subs[SCR__COUNT];
	int n = visible_subs(a, tab, subs);
	if (!n) {
		app_message(a, MSG_INFO, "The %s tab is not available to your roles at %s.",
			    tab_items[tab].name, app_org_code(a));
		return;
	}
	int want = a->sub_of[tab];
	for (int i = 0; i < n; i++)
		if (subs[i] == want) {
			show(a, want);
			return;
		}
	show(a, subs[0]);
}

static void step_tab(struct app *a, int dir)
{
	int tab = screen_defs[a->cur].tab;
	int subs[SCR__COUNT];
	for (int k = 1; k <= TAB__COUNT; k++) {
		int t = (tab + dir * k + TAB__COUNT * 2) % TAB__COUNT;
		if (visible_subs(a, t, subs)) {
			goto_tab(a, t);
			return;
		}
	}
}

static void step_sub(struct app *a, int dir)
{
	int subs[SCR__COUNT];
	int n = visible_subs(a, screen_defs[a->cur].tab, subs);
	for (int i = 0; i < n; i++)
		if (subs[i] == a->cur) {
			show(a, subs[(i + dir + n) % n]);
			return;
		}
}

/* ------------------------------------------------------------ requests */

static void pending_free(struct pending *p)
{
	free(p->method);
	free(p->path);
	free(p->body);
	free(p);
}

static void unlink_pending(struct app *a, struct pending *p)
{
	for (struct pending **pp = &a->pend; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			return;
		}
}

static void go_sign_in(struct app *a, const char *why);

static void pending_done(void *ud, const struct api_response *r)
{
	struct pending *p = ud;
	struct app *a = p->app;
	a->dirty |= D_TITLE;
	/* the sign-in screen's own requests (the session, /me) answer a 401
	 * themselves */
	if (r->outcome == API_HTTP && r->status == 401 && p->s != &a->screens[SCR_SIGNIN] &&
	    p->s != &a->screens[SCR_REGISTER]) {
		/* the token expired: keep the request for after sign-in */
		p->held = true;
		go_sign_in(a, "Session expired: sign in again to go back to where you were.");
		return;
	}
	unlink_pending(a, p);
	p->cb(p->s, r);
	pending_free(p);
}

static void pending_send(struct app *a, struct pending *p)
{
	json_t *body = NULL;
	if (p->body)
		body = json_loads(p->body, 0, NULL);
	/* A read is sent again until it gets through; so is a write, whose
	 * Idempotency-Key makes the server answer a second copy with the
	 * first answer instead of writing twice. Sign-in and sign-out have
	 * no key: they fail at once (no password kept queued). */
	bool retry = strcmp(p->method, "GET") == 0 || p->key[0];
	p->held = false;
	if (p->sink)
		api_download(a->api, p->path, p->sink, pending_done, p, p->s);
	else
		api_request_keyed(a->api, p->method, p->path, body, p->key, retry, pending_done,
				  p, p->s);
}

/* Queues call for s (its answer to sink when not NULL) and sends it. */
static void issue(struct app *a, struct screen *s, struct api_call call, FILE *sink,
		  void (*cb)(struct screen *s, const struct api_response *r))
{
	struct pending *p = xcalloc(1, sizeof(*p));
	p->app = a;
	p->s = s;
	p->cb = cb;
	p->method = xstrdup(call.method);
	p->path = call.path;
	p->sink = sink;
	/* the session's own writes (sign-in, sign-out) are not sent again */
	bool session = s == &a->screens[SCR_SIGNIN];
	if (strcmp(call.method, "GET") != 0 && !session) {
		if (call.key[0])
			strlcpy_s(p->key, call.key, sizeof p->key);
		else
			api_new_key(p->key);
	}
	if (call.body) {
		p->body = json_dumps(call.body, JSON_COMPACT);
		json_decref(call.body);
	}
	p->next = a->pend;
	a->pend = p;
	pending_send(a, p);
	a->dirty |= D_TITLE;
}

void app_call(struct app *a, struct screen *s, struct api_call call,
	      void (*cb)(struct screen *s, const struct api_response *r))
{
	issue(a, s, call, NULL, cb);
}

void app_download(struct app *a, struct screen *s, struct api_call call, FILE *out,
		  void (*cb)(struct screen *s, const struct api_response *r))
{
	json_decref(call.body);
	call.body = NULL;
	call.method = "GET";
	issue(a, s, call, out, cb);
}

void app_forget(struct app *a, struct screen *s)
{
	struct pending **pp = &a->pend;
	api_drop_owner(a->api, s);
	while (*pp) {
		struct pending *p = *pp;
		if (p->s == s) {
			*pp = p->next;
			pending_free(p);
		} else {
			pp = &p->next;
		}
	}
}

static void resend_held(struct app *a)
{
	for (struct pending *p = a->pend; p; p = p->next)
		if (p->held)
			pending_send(a, p);
}

bool app_failed(struct app *a, const struct api_response *r, const char *what)
{
	switch (r->outcome) {
	case API_CANCELLED:
		app_message(a, MSG_INFO, "%s: stopped.", what);
		return true;
	case API_NET_ERROR:
		app_message(a, MSG_ERROR, "%s: cannot reach the server at %s (%s).", what,
			    a->server, r->err_message);
		return true;
	case API_HTTP:
		break;
	}
	if (r->status >= 200 && r->status < 300)
		return false;
	if (r->status == 404)
		app_message(a, MSG_ERROR, "%s: not found (%s).", what,
			    r->err_message[0] ? r->err_message : r->path);
	else if (r->status == 403)
		app_message(a, MSG_ERROR, "%s: your roles do not allow this (%s).", what,
			    r->err_message);
	else
		app_message(a, MSG_ERROR, "%s failed: %s (HTTP %ld %s).", what, r->err_message,
			    r->status, r->err_code);
	return true;
}

/* ------------------------------------------------------------ session */

static void reset_all(struct app *a)
{
	for (int i = 0; i < SCR__COUNT; i++)
		screen_reset(a, &a->screens[i]);
	for (int t = 0; t < TAB__COUNT; t++)
		a->sub_of[t] = -1;
}

static void go_sign_in(struct app *a, const char *why)
{
	if (a->cur < SCR_SIGNIN)
		a->back_to = a->cur;
	a->signed_in = false;
	show(a, SCR_SIGNIN);
	signin_prepare(&a->screens[SCR_SIGNIN], a->user_id);
	if (why)
		app_message(a, MSG_INFO, "%s", why);
}

static void choose_org(struct app *a, const char *keep)
{
	json_t *orgs = json_object_get(a->me, "organisations");
	a->org = 0;
	size_t i;
	json_t *o;
	json_array_foreach(orgs, i, o)
		if (keep && strcmp(jstr(o, "code"), keep) == 0)
			a->org = i;
	compute_roles(a);
}

/* The saved sign-in has been checked: the sign-in form shows again (keys
 * held meanwhile go into it) unless the check signed the user in. */
static void checked(struct app *a)
{
	if (!a->checking)
		return;
	a->checking = false;
	signin_checking(&a->screens[SCR_SIGNIN], false);
	a->dirty |= D_ALL;
}

static void on_me(struct screen *s, const struct api_response *r)
{
	struct app *a = s->app;
	bool was_checking = a->checking;
	if (!(r->outcome == API_HTTP && r->status == 200))
		checked(a);
	if (r->outcome == API_HTTP && r->status == 401) {
		creds_forget(a->creds, a->server);
		api_set_token(a->api, NULL);
		app_message(a, MSG_INFO, "Your saved sign-in has expired: please sign in.");
		return;
	}
	if (app_failed(a, r, "Reading your account"))
		return;
	const char *uid = jstr(r->json, "user_id");
	bool same_user = a->user_id && strcmp(a->user_id, uid) == 0;
	char *keep_org = a->me ? xstrdup(app_org_code(a)) : NULL;
	json_decref(a->me);
	a->me = json_incref(r->json);
	free(a->user_id);
	a->user_id = xstrdup(uid);
	if (!same_user) {
		reset_all(a);
		free(keep_org);
		keep_org = NULL;
		a->back_to = -1;
	}
	choose_org(a, keep_org);
	free(keep_org);
	a->signed_in = true;
	signin_clear_password(&a->screens[SCR_SIGNIN]);
	bool linked = json_array_size(json_object_get(a->me, "organisations")) > 0;
	size_t held = a->nheld;
	bool held_lost = a->held_lost;
	if (was_checking) {
		a->checking = false;
		a->nheld = 0;
		a->held_lost = false;
		signin_checking(&a->screens[SCR_SIGNIN], false);
	}
	int back = a->back_to;
	a->back_to = -1;
	if (back >= 0 && back < SCR__COUNT && allowed(a, back))
		show(a, back);
	else if (linked)
		goto_tab(a, TAB_HOME);
	/* said after the move, which would otherwise say that no tab is
	 * allowed "at" no organisation */
	if (!linked)
		app_message(a, MSG_ERROR, "Signed in; no organisation is linked to you: ask your "
			    "User Administrator.");
	else if (was_checking && (held || held_lost))
		/* typed for a sign-in form that was not needed: a password must
		 * never run as commands */
		app_message(a, MSG_OK, "Signed in as %s. %zu key%s typed while checking: not used.",
			    uid, held, held == 1 ? "" : "s");
	else
		app_message(a, MSG_OK, "Signed in as %s (%s).", uid, jstr(a->me, "name"));
	resend_held(a);
	a->dirty |= D_ALL;
}

static void fetch_me(struct app *a)
{
	app_call(a, &a->screens[SCR_SIGNIN], call_me(), on_me);
}

static void on_session(struct screen *s, const struct api_response *r)
{
	struct app *a = s->app;
	signin_busy(s, false);
	if (r->outcome == API_HTTP && r->status == 201) {
		const char *tok = jstr(r->json, "token");
		const char *uid = jstr(r->json, "user_id");
		if (!tok[0]) {
			app_message(a, MSG_ERROR, "The server did not return a token.");
			return;
		}
		api_set_token(a->api, tok);
		bool saved = creds_save(a->creds, a->server, uid, tok);
		json_t *me = json_object_get(r->json, "me");
		json_t *home = json_object_get(r->json, "home");
		if (json_is_object(home) && json_is_object(json_object_get(home, "answer"))) {
			/* Home's tasks came along: the Message Centre shows them
			 * without asking again */
			char *text = json_dumps(json_object_get(home, "answer"), JSON_COMPACT);
			api_prime(a->api, jstr(home, "path"), jstr(home, "etag"), text);
			free(text);
		}
		if (!saved)
			app_message(a, MSG_INFO, "Could not save the sign-in (%s): it is kept in "
				    "memory only.", creds_describe(a->creds));
		if (json_is_object(me)) {
			/* the answer holds GET /me too: no second round trip */
			struct api_response mr = {.outcome = API_HTTP, .status = 200, .json = me,
						  .err_code = "", .err_message = "",
						  .method = "GET", .path = "/me"};
			on_me(s, &mr);
		} else {
			fetch_me(a);
		}
		return;
	}
	if (r->outcome == API_NET_ERROR) {
		app_message(a, MSG_ERROR, "Cannot reach the server at %s: %s", a->server,
			    r->err_message);
		return;
	}
	if (r->outcome == API_CANCELLED) {
		app_message(a, MSG_INFO, "Sign-in stopped.");
		return;
	}
	if (r->status == 401)
		app_message(a, MSG_ERROR, "Wrong user ID or password.");
	else if (r->status == 429)
		app_message(a, MSG_ERROR, "Account locked: %s", r->err_message[0] ? r->err_message
			    : "too many failed sign-ins; try again in 15 minutes.");
	else if (r->status == 403)
		app_message(a, MSG_ERROR, "Account disabled: %s", r->err_message);
	else
		app_message(a, MSG_ERROR, "Sign-in failed: %s (HTTP %ld)", r->err_message,
			    r->status);
}

void app_sign_in(struct app *a, const char *user, const char *password)
{
	signin_busy(&a->screens[SCR_SIGNIN], true);
	app_message(a, MSG_INFO, "Signing in to %s...", a->server);
	/* drop a stale token so the sign-in is not refused for it */
	app_call(a, &a->screens[SCR_SIGNIN], call_sign_in(user, password), on_session);
}

void app_show_sign_in(struct app *a, const char *user)
{
	show(a, SCR_SIGNIN);
	signin_prepare(&a->screens[SCR_SIGNIN], user);
}

void app_show_register(struct app *a, const char *user)
{
	show(a, SCR_REGISTER);
	register_prepare(&a->screens[SCR_REGISTER], user);
}

static void on_signed_out(struct screen *s, const struct api_response *r)
{
	struct app *a = s->app;
	api_set_token(a->api, NULL);
	json_decref(a->me);
	a->me = NULL;
	reset_all(a);
	/* requests held for a re-sign-in die with the session */
	while (a->pend) {
		struct pending *p = a->pend;
		a->pend = p->next;
		pending_free(p);
	}
	api_drop_owner(a->api, NULL);
	a->back_to = -1;
	go_sign_in(a, NULL);
	if (r->outcome == API_HTTP && (r->status == 204 || r->status == 401))
		app_message(a, MSG_OK, "Signed out: the server has revoked your token.");
	else
		app_message(a, MSG_INFO, "Signed out here, but the server could not be told (%s).",
			    r->err_message);
}

static void on_confirm_sign_out(void *ud, int result, const char *text)
{
	struct app *a = ud;
	if (result != POP_YES) {
		app_message(a, MSG_INFO, "Still signed in.");
		return;
	}
	creds_forget(a->creds, a->server);
	app_message(a, MSG_INFO, "Signing out...");
	app_call(a, &a->screens[SCR_SIGNIN], call_sign_out(), on_signed_out);
}

static void on_org_chosen(void *ud, int result, const char *text)
{
	struct app *a = ud;
	if (result < 0)
		return;
	a->org = (size_t)result;
	compute_roles(a);
	reset_all(a);
	app_message(a, MSG_OK, "Organisation: %s %s", app_org_code(a), jstr(app_org(a), "name"));
	int tab = screen_defs[a->cur].tab;
	goto_tab(a, tab);
	if (!allowed(a, a->cur))
		goto_tab(a, TAB_HOME);
	a->dirty |= D_ALL;
}

static void switch_org(struct app *a)
{
	json_t *orgs = json_object_get(a->me, "organisations");
	size_t n = json_array_size(orgs);
	if (n < 2) {
		app_message(a, MSG_INFO, "You are linked to one organisation only: %s %s.",
			    app_org_code(a), jstr(app_org(a), "name"));
		return;
	}
	char **items = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(orgs, i);
		items[i] = xasprintf("%-7s %s (%s)", jstr(o, "code"), jstr(o, "name"), jstr(o, "kind"));
	}
	app_popup(a, popup_choice("Current organisation", (const char *const *)items, n, a->org,
				  on_org_chosen, a));
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* ------------------------------------------------------------ help */

/* Whether ctx is a form or inherits from one: there, typed characters
 * are input, never commands. */
static bool form_context(enum context ctx)
{
	for (int c = (int)ctx; c >= 0; c = context_parent((enum context)c))
		if (c == CTX_FORM)
			return true;
	return false;
}

static bool typed_char(int key)
{
	return key >= 32 && key < KC_CURSES && key != 127;
}


static bool fbar_enabled(void *ud, enum action act);

static void show_help(struct app *a, enum context ctx)
{
	char **lines = NULL;
	size_t n = 0;
	const char *where = screen_defs[a->cur].name;
#define ADD(...) do { lines = xrealloc(lines, (n + 1) * sizeof(char *)); \
		lines[n++] = xasprintf(__VA_ARGS__); } while (0)
	ADD("\1%s: keys in context \"%s\"%s", where, context_name(ctx),
	    context_parent(ctx) >= 0 ? " (and those it inherits)" : "");
	bool form = form_context(ctx);
	for (int act = 1; act < ACT__COUNT; act++) {
		int found[8], keys[8];
		size_t kk = keymap_keys_for(a->km, ctx, (enum action)act, found, ARRAY_SIZE(found));
		size_t k = 0;
		/* in a form, characters are typed: a key bound to a character
		 * does not work there and is not listed */
		for (size_t i = 0; i < kk && i < ARRAY_SIZE(found); i++)
			if (!(form && typed_char(found[i])))
				keys[k++] = found[i];
		/* a screen's own features (breakdown onwards in actions.h) and
		 * what needs a session only where they work, as on the function
		 * bar; moving, editing and the other global keys always */
		bool session = act == ACT_REFRESH || act == ACT_SIGN_OUT || act == ACT_SWITCH_ORG ||
			       act == ACT_FILTER;
		if (!k || ((act >= ACT_BREAKDOWN || session) && !fbar_enabled(a, (enum action)act)))
			continue;
		if (a->cur == SCR_SIGNIN && !a->popup && act >= ACT_TAB_FIRST &&
		    act <= ACT_PREV_SUBTAB)
			continue; /* no tabs before signing in */
		char names[64] = "";
		for (size_t i = 0; i < k && i < ARRAY_SIZE(keys); i++) {
			char kn[16];
			keycode_name(keys[i], kn, sizeof(kn));
			if (strlen(names) + strlen(kn) + 2 >= sizeof(names))
				break;
			if (i)
				strcat(names, " ");
			strcat(names, kn);
		}
		/* whole lines within the popup (at most COLS - 10 columns of
		 * text): keys wider than their column get a line of their own,
		 * and a long help wraps under itself */
		int tw = COLS - 10 > 40 ? COLS - 10 : 40;
		if (tui_width(names) > 16) {
			ADD("%s", names);
			names[0] = '\0';
		}
		size_t nw;
		char **wl = tui_wrap(action_help((enum action)act), tw - 30, tw - 30, &nw);
		ADD("%-16s %-12s %s", names, action_name((enum action)act), wl[0]);
		for (size_t i = 1; i < nw; i++)
			ADD("%30s%s", "", wl[i]);
		tui_wrap_free(wl, nw);
	}
	ADD("%s", "");
	ADD("Your own bindings: $XDG_CONFIG_HOME/cqrs/keymap (man cqrs).");
	ADD("Esc or ? closes this help.");
#undef ADD
	app_popup(a, popup_text("Help", lines, n));
	for (size_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* ------------------------------------------------------------ drawing */

static void layout(struct app *a)
{
	WINDOW **ws[] = {&a->w_title, &a->w_tabs, &a->w_subs, &a->w_body, &a->w_msg,
			 &a->w_fbar, &a->w_small};
	for (size_t i = 0; i < ARRAY_SIZE(ws); i++)
		if (*ws[i]) {
			delwin(*ws[i]);
			*ws[i] = NULL;
		}
	a->small = LINES < MIN_ROWS || COLS < MIN_COLS;
	if (a->small) {
		a->w_small = newwin(LINES, COLS, 0, 0);
		leaveok(a->w_small, TRUE);
	} else {
		a->w_title = newwin(1, COLS, 0, 0);
		a->w_tabs = newwin(1, COLS, 1, 0);
		a->w_subs = newwin(1, COLS, 2, 0);
		a->w_body = newwin(LINES - 5, COLS, 3, 0);
		a->w_msg = newwin(1, COLS, LINES - 2, 0);
		a->w_fbar = newwin(1, COLS, LINES - 1, 0);
		WINDOW *all[] = {a->w_title, a->w_tabs, a->w_subs, a->w_body, a->w_msg, a->w_fbar};
		for (size_t i = 0; i < ARRAY_SIZE(all); i++)
			leaveok(all[i], TRUE);
		leaveok(a->w_body, FALSE);
	}
	if (a->popup && a->popup->win) {
		delwin(a->popup->win);
		a->popup->win = NULL;
	}
	a->title[0] = '\0';
	a->dirty = D_ALL;
}

static void build_title(struct app *a, char *left, size_t ll, char *right, size_t rl)
{
	if (a->signed_in && a->me) {
		size_t n = json_array_size(json_object_get(a->me, "organisations"));
		snprintf(left, ll, " CQRS National  %s  %s %s%s", a->user_id, app_org_code(a),
			 jstr(app_org(a), "name"), n > 1 ? "  (o: switch)" : "");
	} else {
		snprintf(left, ll, " CQRS National  sign in  %s%s", a->server,
			 a->demo ? "  (demo)" : "");
	}
	if (!api_online(a->api)) {
		int in = api_retry_in(a->api);
		if (in)
			snprintf(right, rl, "OFFLINE: retry in %ds ", in);
		else
			snprintf(right, rl, "OFFLINE: retrying ");
	} else if (api_silent(a->api)) {
		snprintf(right, rl, "NO ANSWER %ds: link down? ", api_silent(a->api));
	} else if (api_busy_ms(a->api) > 300) {
		snprintf(right, rl, "online, waiting (Esc stops) ");
	} else {
		snprintf(right, rl, "online ");
	}
}

/* Redraws the title if its text changed; true if it did. */
static bool draw_title(struct app *a)
{
	char left[300], right[80], both[400];
	build_title(a, left, sizeof(left), right, sizeof(right));
	snprintf(both, sizeof(both), "%s|%s", left, right);
	if (!(a->dirty & D_TITLE) && strcmp(both, a->title) == 0)
		return false;
	strlcpy_s(a->title, both, sizeof(a->title));
	int rw = tui_width(right);
	int cols = COLS;
	/* a blank column always separates the organisation from the state */
	tui_put(a->w_title, 0, 0, cols - rw - 1, left, ST_TITLE, true);
	tui_put(a->w_title, 0, cols - rw - 1, 1, " ", ST_TITLE, true);
	tui_put(a->w_title, 0, cols - rw, rw, right,
		api_online(a->api) && !api_silent(a->api) ? ST_ONLINE : ST_OFFLINE, true);
	wnoutrefresh(a->w_title);
	return true;
}

static void draw_tabs(struct app *a)
{
	struct tab_item items[TAB__COUNT];
	int map[TAB__COUNT], n = 0, active = -1;
	int subs[SCR__COUNT];
	if (a->signed_in && a->cur < SCR_SIGNIN) {
		for (int t = 0; t < TAB__COUNT; t++) {
			if (!visible_subs(a, t, subs))
				continue;
			if (t == (int)screen_defs[a->cur].tab)
				active = n;
			map[n] = t;
			items[n++] = tab_items[t];
		}
	}
	(void)map;
	werase(a->w_tabs);
	tabs_draw(a->w_tabs, 0, items, n, active, false);
	wnoutrefresh(a->w_tabs);
}

static void draw_subs(struct app *a)
{
	struct tab_item items[SCR__COUNT];
	int subs[SCR__COUNT], n = 0, active = -1;
	werase(a->w_subs);
	if (a->signed_in && a->cur < SCR_SIGNIN) {
		n = visible_subs(a, screen_defs[a->cur].tab, subs);
		for (int i = 0; i < n; i++) {
			items[i] = (struct tab_item){screen_defs[subs[i]].name,
						     screen_defs[subs[i]].name, 0};
			if (subs[i] == a->cur)
				active = i;
		}
	} else {
		const char *name = a->cur >= SCR_SIGNIN ? screen_defs[a->cur].name : "Sign in";
		items[0] = (struct tab_item){name, name, 0};
		n = 1;
		active = 0;
	}
	tabs_draw(a->w_subs, 0, items, n, active, true);
	wnoutrefresh(a->w_subs);
}

static enum context current_context(struct app *a)
{
	if (a->popup)
		return popup_context(a->popup);
	struct screen *s = cur_screen(a);
	return s->def->ops->context ? s->def->ops->context(s) : CTX_LIST;
}

/* Whether the function bar shows a: only what works here. */
static bool fbar_enabled(void *ud, enum action act)
{
	struct app *a = ud;
	struct screen *s = cur_screen(a);
	if (a->popup)
		return true;
	switch (act) {
	case ACT_HELP:
	case ACT_QUIT:
	case ACT_REDRAW:
		return true;
	case ACT_SWITCH_ORG:
		if (json_array_size(json_object_get(a->me, "organisations")) < 2)
			return false;
		break;
	default:
		break;
	}
	if (!a->signed_in || a->cur >= SCR_SIGNIN) {
		if (act == ACT_REFRESH || act == ACT_SIGN_OUT || act == ACT_FILTER ||
		    act == ACT_SWITCH_ORG)
			return false;
	}
	/* sort, export and a report row's months: the list-screen engine's */
	if ((act == ACT_EXPORT || act == ACT_SORT || act == ACT_OPEN_ALSO) &&
	    s->def->ops != &listscreen_ops && s->def->ops != &reports_ops)
		return false;
	return s->def->ops->offers ? s->def->ops->offers(s, act) : true;
}

static void set_cursor(struct app *a, int vis)
{
	if (a->cursor_vis != vis) {
		curs_set(vis);
		a->cursor_vis = vis;
	}
}

/* The most rows a message takes over the foot of the body. */
#define MSG_MAX_ROWS 4

static void render(struct app *a)
{
	if (a->small) {
		if (a->dirty) {
			werase(a->w_small);
			char m[128];
			snprintf(m, sizeof(m), "cqrs needs at least %dx%d: this terminal is %dx%d.",
				 MIN_COLS, MIN_ROWS, COLS, LINES);
			int y = LINES / 2 - 1;
			tui_put(a->w_small, y > 0 ? y : 0, 0, COLS, m, ST_LABEL, false);
			if (LINES > 2)
				tui_put(a->w_small, y + 1, 0, COLS, "Enlarge the window (F10 or C-c quits).",
					ST_NORMAL, false);
			if (LINES > 3)
				tui_put(a->w_small, y + 2, 0, COLS, "Keys typed now are kept for then.",
					ST_NORMAL, false);
			wnoutrefresh(a->w_small);
			set_cursor(a, 0);
			doupdate();
			a->dirty = 0;
		}
		return;
	}
	bool popup_under = a->popup && (a->dirty & ~(unsigned)D_POPUP);
	if (draw_title(a))
		a->dirty |= D_TITLE;
	if (a->dirty & D_TABS)
		draw_tabs(a);
	if (a->dirty & D_SUBS)
		draw_subs(a);
	struct screen *s = cur_screen(a);
	if (a->dirty & D_MSG) {
		/* a long message takes up to MSG_MAX_ROWS rows over the body's
		 * foot rather than being cut at the screen edge */
		int rows = msgline_rows(a->msg_level, a->msg, COLS);
		rows = rows > MSG_MAX_ROWS ? MSG_MAX_ROWS : rows;
		if (rows != getmaxy(a->w_msg)) {
			/* keep it on the screen at every step: move before
			 * growing, shrink before moving */
			if (rows > getmaxy(a->w_msg)) {
				mvwin(a->w_msg, LINES - 1 - rows, 0);
				wresize(a->w_msg, rows, COLS);
			} else {
				wresize(a->w_msg, rows, COLS);
				mvwin(a->w_msg, LINES - 1 - rows, 0);
			}
			a->dirty |= D_BODY;
		}
	}
	if ((a->dirty & D_BODY) && getmaxy(a->w_msg) > 1)
		a->dirty |= D_MSG;
	if (a->dirty & D_BODY) {
		werase(a->w_body);
		s->show_cursor = false;
		s->def->ops->draw(s, a->w_body, getmaxy(a->w_body), COLS);
		wnoutrefresh(a->w_body);
	}
	if (a->dirty & D_MSG) {
		werase(a->w_msg);
		msgline_draw(a->w_msg, 0, a->msg_level, a->msg);
		wnoutrefresh(a->w_msg);
	}
	if (a->dirty & D_FBAR) {
		werase(a->w_fbar);
		fbar_draw(a->w_fbar, 0, a->km, current_context(a), fbar_enabled, a);
		wnoutrefresh(a->w_fbar);
	}
	if (a->popup && ((a->dirty & D_POPUP) || popup_under)) {
		if (a->popup->win)
			touchwin(a->popup->win);
		popup_draw(a->popup, LINES, COLS);
	}
	leaveok(a->w_body, a->popup || !s->show_cursor);
	if (a->popup && a->popup->kind == POP_PROMPT) {
		set_cursor(a, 1);
	} else if (!a->popup && s->show_cursor) {
		wmove(a->w_body, s->cur_y, s->cur_x);
		wnoutrefresh(a->w_body);
		set_cursor(a, 1);
	} else {
		set_cursor(a, 0);
	}
	if (a->dirty || a->popup)
		doupdate();
	a->dirty = 0;
}

static void close_popup(struct app *a)
{
	struct popup *p = a->popup;
	a->popup = NULL;
	/* what was under the popup must be put back */
	WINDOW *all[] = {a->w_title, a->w_tabs, a->w_subs, a->w_body, a->w_msg, a->w_fbar};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i])
			touchwin(all[i]);
	a->dirty |= D_ALL & ~(unsigned)D_POPUP;
	a->title[0] = '\0';
	if (p->done)
		p->done(p->ud, p->result, p->text);
	popup_free(&p);
}

/* ------------------------------------------------------------ keys */

static void suspend(struct app *a);

static void on_confirm_quit(void *ud, int result, const char *text)
{
	struct app *a = ud;
	if (result == POP_YES)
		a->quit = true;
	else
		app_message(a, MSG_INFO, "Not quitting: what you typed is still in the form.");
}

/* Quits, after asking when a screen holds typed values the server has
 * not stored. */
static void request_quit(struct app *a)
{
	for (int i = 0; i < SCR__COUNT; i++) {
		struct screen *s = &a->screens[i];
		if (s->inited && s->def->ops->unsaved && s->def->ops->unsaved(s)) {
			app_popup(a, popup_confirm("Quit? What you typed is not stored on the server "
						   "(a draft stays here).", on_confirm_quit, a));
			return;
		}
	}
	a->quit = true;
}

static void frame_action(struct app *a, enum action act, int key)
{
	switch (act) {
	case ACT_QUIT:
		request_quit(a);
		return;
	case ACT_SUSPEND:
		suspend(a);
		return;
	case ACT_HELP:
		show_help(a, current_context(a));
		return;
	case ACT_REDRAW:
		clearok(curscr, TRUE);
		a->dirty |= D_ALL;
		return;
	default:
		break;
	}
	if (act == ACT_BACK && a->cur == SCR_SIGNIN) {
		a->quit = true; /* Esc leaves the sign-in screen like F10 */
		return;
	}
	if (!a->signed_in || a->cur >= SCR_SIGNIN)
		return;
	if (act >= ACT_TAB_FIRST && act < ACT_TAB_FIRST + TAB__COUNT) {
		goto_tab(a, (int)(act - ACT_TAB_FIRST));
		return;
	}
	switch (act) {
	case ACT_NEXT_TAB:
		step_tab(a, 1);
		break;
	case ACT_PREV_TAB:
		step_tab(a, -1);
		break;
	case ACT_NEXT_SUBTAB:
		step_sub(a, 1);
		break;
	case ACT_PREV_SUBTAB:
		step_sub(a, -1);
		break;
	case ACT_REFRESH: {
		struct screen *s = cur_screen(a);
		if (api_retry_now(a->api)) {
			/* offline: try the waiting request now, not at the end of
			 * its back-off */
			app_message(a, MSG_INFO, "Trying the server again now...");
			a->dirty |= D_TITLE;
			break;
		}
		if (s->def->ops->open)
			s->def->ops->open(s);
		app_message(a, MSG_INFO, "Refreshing...");
		app_dirty(a);
		break;
	}
	case ACT_SWITCH_ORG:
		switch_org(a);
		break;
	case ACT_SIGN_OUT:
		app_popup(a, popup_confirm("Sign out? The server will revoke your token.",
					   on_confirm_sign_out, a));
		break;
	case ACT_FILTER:
		app_message(a, MSG_INFO, "There is nothing to filter here.");
		break;
	default:
		break;
	}
}

/* Between keys: says once that a write's reply was lost and it will be
 * sent again; every poll_seconds of no keys, the Message Centre checks
 * for new tasks (a 304 when there are none). */
static void idle_work(struct app *a)
{
	bool unanswered = api_write_unanswered(a->api);
	if (unanswered && !a->told_unanswered)
		app_message(a, MSG_INFO, "No answer yet: sent again when the link is back, "
			    "never stored twice.");
	a->told_unanswered = unanswered;
	int64_t now = mono_ms();
	int poll = a->cfg->poll_seconds > 0 ? a->cfg->poll_seconds : 60;
	if (a->signed_in && a->cur == SCR_MESSAGE_CENTRE && !a->popup && !api_busy(a->api) &&
	    now - a->polled_ms >= (int64_t)poll * 1000 && now - a->key_ms >= (int64_t)poll * 1000) {
		struct screen *s = cur_screen(a);
		a->polled_ms = now;
		if (s->loaded && s->def->ops->revisit)
			s->def->ops->revisit(s);
	}
}

static void handle_key(struct app *a, int key)
{
	a->nkeys++;
	a->key_ms = mono_ms();
	if (a->popup) {
		enum context ctx = popup_context(a->popup);
		enum action act = keymap_lookup(a->km, ctx, key);
		if (act == ACT_HELP && ctx == CTX_DIALOG)
			return;
		if (popup_action(a->popup, act, key))
			close_popup(a);
		else
			a->dirty |= D_POPUP;
		return;
	}
	/* Esc stops a slow request first */
	if (key == KC_ESC && api_busy(a->api) &&
	    (api_busy_ms(a->api) > 0 || !api_online(a->api))) {
		if (api_cancel_current(a->api)) {
			app_message(a, MSG_INFO, "Stopped: the request was cancelled.");
			a->dirty |= D_TITLE | D_BODY;
			return;
		}
	}
	struct screen *s = cur_screen(a);
	enum context ctx = current_context(a);
	enum action act = keymap_lookup(a->km, ctx, key);
	enum wres r = s->def->ops->action ? s->def->ops->action(s, act, key) : W_IGNORED;
	if (r != W_IGNORED) {
		a->dirty |= D_BODY;
		if (current_context(a) != ctx)
			a->dirty |= D_FBAR;
		return;
	}
	/* a digit or letter the form did not take is still not a tab switch
	 * or quit (the form says why it did not take it) */
	if (act == ACT_NONE || (form_context(ctx) && typed_char(key)))
		return;
	frame_action(a, act, key);
}

/* Keeps a key for later (see struct app). */
static void hold_key(struct app *a, int key)
{
	if (a->nheld < ARRAY_SIZE(a->held))
		a->held[a->nheld++] = key;
	else
		a->held_lost = true;
}

/* A key that quits at once where nothing can be lost: C-c, or a special
 * key (F10) bound to quit. */
static bool quit_key(struct app *a, int key)
{
	return key == 3 ||
	       (key >= KC_CURSES && keymap_lookup(a->km, CTX_GLOBAL, key) == ACT_QUIT);
}

/* One decoded key: held while the window is too small or the saved
 * sign-in is checked, refused (and said) when the locale cannot hold it,
 * else handled. */
static void dispatch_key(struct app *a, int key)
{
	if (a->small || a->checking) {
		if (quit_key(a, key))
			a->quit = true;
		else if (key == KC_ESC && a->checking && !a->small)
			handle_key(a, key); /* stops the check */
		else
			hold_key(a, key);
		return;
	}
	if (key >= 0x80 && key < KC_CURSES && !tui_utf8()) {
		app_message(a, MSG_ERROR, "Not typed: U+%04X is not ASCII and this terminal's locale "
			    "is not UTF-8 (run cqrs with LANG=C.UTF-8).", (unsigned)key);
		return;
	}
	handle_key(a, key);
}

/* Handles the keys held while the window was small or the saved sign-in
 * was checked, once neither holds. */
static void replay_held(struct app *a)
{
	if (a->small || a->checking || (!a->nheld && !a->held_lost))
		return;
	int keys[ARRAY_SIZE(a->held)];
	size_t n = a->nheld;
	memcpy(keys, a->held, n * sizeof(int));
	a->nheld = 0;
	if (a->held_lost) {
		app_message(a, MSG_ERROR, "Only the first %zu keys typed meanwhile were kept.", n);
		a->held_lost = false;
	}
	for (size_t i = 0; i < n && !a->quit && !a->small && !a->checking; i++)
		dispatch_key(a, keys[i]);
}

/* Reads what the terminal sent (without blocking) into the decoder.
 * False when the terminal has gone. */
static bool read_terminal(struct app *a)
{
	for (;;) {
		struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
		if (poll(&pf, 1, 0) <= 0)
			return true;
		if (pf.revents & (POLLHUP | POLLERR | POLLNVAL) && !(pf.revents & POLLIN))
			return false;
		unsigned char buf[256];
		size_t room = sizeof(a->keys.buf) - a->keys.len;
		if (!room)
			return true;
		ssize_t n = read(STDIN_FILENO, buf, room < sizeof(buf) ? room : sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			return false;
		if (n > 0)
			keys_feed(&a->keys, buf, (size_t)n, mono_ms());
	}
}

static void on_resize(struct app *a);

/* C-z: gives the terminal back and stops (the shell's job control; `fg`
 * resumes), then redraws everything at the terminal's size then. */
static void suspend(struct app *a)
{
	endwin();
	struct sigaction dfl, old;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGTSTP, &dfl, &old);
	kill(getpid(), SIGTSTP);
	sigaction(SIGTSTP, &old, NULL);
	on_resize(a);
	keypad(stdscr, TRUE);
}

/* ------------------------------------------------------------ run */

static void on_resize(struct app *a)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row && ws.ws_col)
		resize_term(ws.ws_row, ws.ws_col);
	clearok(curscr, TRUE);
	layout(a);
}

static void on_revoked(void *ud, const struct api_response *r)
{
	(void)r;
	*(bool *)ud = true;
}

/* Quitting with a token kept nowhere (the memory-only store): nothing
 * could use it again, so the server revokes it now rather than leaving
 * it live until its idle timeout (terminals D12). At most 1.5 s, and
 * not at all while offline. */
static void revoke_unkept(struct app *a)
{
	if (!a->signed_in || !a->creds || creds_backend(a->creds) != CREDS_MEMORY ||
	    !api_online(a->api))
		return;
	bool done = false;
	api_request(a->api, "DELETE", "/session", NULL, false, on_revoked, &done, a);
	for (int64_t until = mono_ms() + 1500; !done && mono_ms() < until;) {
		api_wait(a->api, -1, -1, 100);
		api_run(a->api);
	}
	api_drop_owner(a->api, a);
}

int app_run(const struct app_setup *setup)
{
	struct app *a = xcalloc(1, sizeof(*a));
	a->cfg = setup->cfg;
	a->api = setup->api;
	a->creds = setup->creds;
	a->km = setup->km;
	a->demo = setup->demo;
	a->server = xstrdup(setup->server);
	a->back_to = -1;
	a->cursor_vis = -1;
	for (int i = 0; i <= SCR_REGISTER; i++) {
		a->screens[i].def = &screen_defs[i];
		a->screens[i].app = a;
	}
	for (int t = 0; t < TAB__COUNT; t++)
		a->sub_of[t] = -1;

	if (pipe2(sigwinch_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		sigwinch_pipe[0] = sigwinch_pipe[1] = -1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigwinch;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGWINCH, &sa, NULL);

	keys_init(&a->keys, a->cfg->escdelay);
	layout(a);
	show(a, SCR_SIGNIN);
	signin_prepare(&a->screens[SCR_SIGNIN], setup->saved_user);
	if (setup->register_first) {
		show(a, SCR_REGISTER);
		register_prepare(&a->screens[SCR_REGISTER], setup->register_user);
	}
	if (setup->message && *setup->message)
		app_message(a, MSG_ERROR, "%s", setup->message);
	if (api_token(a->api) && !setup->register_first) {
		if (!(setup->message && *setup->message))
			app_message(a, MSG_INFO, "Checking your saved sign-in...");
		a->checking = true;
		signin_checking(&a->screens[SCR_SIGNIN], true);
		fetch_me(a);
	}

	while (!a->quit) {
		/* keys first: what was typed before an answer arrived is
		 * handled before that answer (the saved sign-in check) */
		if (!read_terminal(a))
			break; /* the terminal hung up */
		int key;
		while (!a->quit && (key = keys_next(&a->keys, mono_ms())) != KEYS_NONE) {
			if (key == KEYS_BAD_BYTE)
				app_message(a, MSG_ERROR, "Not typed: the terminal sent a character that is "
					    "not UTF-8 (check its character set).");
			else if (key != KEYS_SWALLOWED)
				dispatch_key(a, key);
			if (!a->small)
				render(a);
		}
		replay_held(a);
		if (a->quit)
			break;
		api_run(a->api);
		render(a);
		int wait = keys_timeout(&a->keys, mono_ms());
		api_wait(a->api, STDIN_FILENO, sigwinch_pipe[0], wait >= 0 && wait < 1000 ? wait : 1000);
		char drain[16];
		if (sigwinch_pipe[0] >= 0 && read(sigwinch_pipe[0], drain, sizeof(drain)) > 0)
			on_resize(a);
		/* the title shows the retry countdown, or how long no answer came */
		if (!api_online(a->api) || api_silent(a->api))
			a->dirty |= D_TITLE;
		idle_work(a);
	}

	/* quit: free everything the app made (the caller frees the rest) */
	for (int i = 0; i <= SCR_REGISTER; i++) {
		struct screen *s = &a->screens[i];
		if (s->inited) {
			api_drop_owner(a->api, s);
			if (s->def->ops->done)
				s->def->ops->done(s);
			free(s->priv);
		}
	}
	while (a->pend) {
		struct pending *p = a->pend;
		a->pend = p->next;
		pending_free(p);
	}
	revoke_unkept(a);
	popup_free(&a->popup);
	WINDOW *all[] = {a->w_title, a->w_tabs, a->w_subs, a->w_body, a->w_msg, a->w_fbar,
			 a->w_small};
	for (size_t i = 0; i < ARRAY_SIZE(all); i++)
		if (all[i])
			delwin(all[i]);
	json_decref(a->me);
	free(a->user_id);
	free(a->server);
	free(a);
	return 0;
}
