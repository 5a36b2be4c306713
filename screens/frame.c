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
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "screens/frame.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

#define MIN_ROWS 24
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

	struct screen screens[SCR__COUNT + 1];
	int cur;
	int back_to;
	int sub_of[TAB__COUNT];

	WINDOW *w_title, *w_tabs, *w_subs, *w_body, *w_msg, *w_fbar, *w_small;
	bool small;
	unsigned dirty;
	char msg[512];
	enum msg_level msg_level;
	struct popup *popup;
	struct pending *pend;
	bool quit;
	char title[512];
	int cursor_vis;
	int64_t key_ms;         /* mono ms of the last key */
	int64_t polled_ms;      /* ... of the last screen shown or idle check */
	bool told_unanswered;   /* the lost-reply message is on the line */
};

static const struct screen_def screen_defs[SCR__COUNT + 1] = {
#define CQRS_SCREEN_DEF(id, tab, name, roles, kinds, ops, arg) \
	{SCR_##id, TAB_##tab, name, roles, kinds, &ops, arg},
	CQRS_SCREENS(CQRS_SCREEN_DEF)
#undef CQRS_SCREEN_DEF
	{SCR_SIGNIN, TAB_HOME, "Sign in", ROLES_ALL, KINDS_ALL, &signin_ops, NULL},
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
	a->dirty |= D_MSG;
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
	if (id == SCR_SIGNIN)
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

static void screen_reset(struct app *a, struct screen *s)
{
	struct pending **pp = &a->pend;
	api_drop_owner(a->api, s);
	while (*pp) {
		struct pending *p = *pp;
		if (p->s == s) {
			*pp = p->next;
			free(p->method);
			free(p->path);
			free(p->body);
			free(p);
		} else {
			pp = &p->next;
		}
	}
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
	bool again = id != a->cur && s->loaded;
	a->cur = id;
	if (id != SCR_SIGNIN)
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
	if (id < 0 || id > SCR_SIGNIN || !allowed(a, id))
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
	if (r->outcome == API_HTTP && r->status == 401 && p->s != &a->screens[SCR_SIGNIN]) {
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
	api_request_keyed(a->api, p->method, p->path, body, p->key, retry, pending_done, p, p->s);
}

void app_call(struct app *a, struct screen *s, struct api_call call,
	      void (*cb)(struct screen *s, const struct api_response *r))
{
	struct pending *p = xcalloc(1, sizeof(*p));
	p->app = a;
	p->s = s;
	p->cb = cb;
	p->method = xstrdup(call.method);
	p->path = call.path;
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
	if (a->cur != SCR_SIGNIN)
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

static void on_me(struct screen *s, const struct api_response *r)
{
	struct app *a = s->app;
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
	if (!json_array_size(json_object_get(a->me, "organisations"))) {
		app_message(a, MSG_ERROR, "You are not linked to any organisation: ask your User "
			    "Administrator.");
	} else {
		app_message(a, MSG_OK, "Signed in as %s (%s).", uid, jstr(a->me, "name"));
	}
	int back = a->back_to;
	a->back_to = -1;
	if (back >= 0 && back < SCR__COUNT && allowed(a, back))
		show(a, back);
	else
		goto_tab(a, TAB_HOME);
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

static bool fbar_enabled(void *ud, enum action act);

static void show_help(struct app *a, enum context ctx)
{
	char **lines = NULL;
	size_t n = 0;
	const char *where = a->cur == SCR_SIGNIN ? "Sign in" : screen_defs[a->cur].name;
#define ADD(...) do { lines = xrealloc(lines, (n + 1) * sizeof(char *)); \
		lines[n++] = xasprintf(__VA_ARGS__); } while (0)
	ADD("\1%s: keys in context \"%s\"%s", where, context_name(ctx),
	    context_parent(ctx) >= 0 ? " (and those it inherits)" : "");
	for (int act = 1; act < ACT__COUNT; act++) {
		int keys[8];
		size_t k = keymap_keys_for(a->km, ctx, (enum action)act, keys, ARRAY_SIZE(keys));
		/* a screen's own features (breakdown onwards in actions.h) only
		 * where they work, as on the function bar; moving, editing and
		 * the global keys always */
		if (!k || (act >= ACT_BREAKDOWN && !fbar_enabled(a, (enum action)act)))
			continue;
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
		ADD("%-16s %-12s %s", names, action_name((enum action)act),
		    action_help((enum action)act));
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
	if (a->signed_in && a->cur != SCR_SIGNIN) {
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
	if (a->signed_in && a->cur != SCR_SIGNIN) {
		n = visible_subs(a, screen_defs[a->cur].tab, subs);
		for (int i = 0; i < n; i++) {
			items[i] = (struct tab_item){screen_defs[subs[i]].name,
						     screen_defs[subs[i]].name, 0};
			if (subs[i] == a->cur)
				active = i;
		}
	} else {
		items[0] = (struct tab_item){"Sign in", "Sign in", 0};
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
	if (!a->signed_in || a->cur == SCR_SIGNIN) {
		if (act == ACT_REFRESH || act == ACT_SIGN_OUT || act == ACT_FILTER ||
		    act == ACT_SWITCH_ORG)
			return false;
	}
	return s->def->ops->offers ? s->def->ops->offers(s, act) : true;
}

static void set_cursor(struct app *a, int vis)
{
	if (a->cursor_vis != vis) {
		curs_set(vis);
		a->cursor_vis = vis;
	}
}

static void render(struct app *a)
{
	if (a->small) {
		if (a->dirty) {
			werase(a->w_small);
			char m[128];
			snprintf(m, sizeof(m), "cqrs needs 80x24: this terminal is %dx%d.", COLS, LINES);
			int y = LINES / 2 - 1;
			tui_put(a->w_small, y > 0 ? y : 0, 0, COLS, m, ST_LABEL, false);
			if (LINES > 2)
				tui_put(a->w_small, y + 1, 0, COLS, "Enlarge the window (F10 quits).",
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

static void frame_action(struct app *a, enum action act, int key)
{
	switch (act) {
	case ACT_QUIT:
		a->quit = true;
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
	if (!a->signed_in || a->cur == SCR_SIGNIN)
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
	a->key_ms = mono_ms();
	if (a->small) {
		enum action act = keymap_lookup(a->km, CTX_GLOBAL, key);
		if (act == ACT_QUIT && key >= KC_CURSES)
			a->quit = true;
		else if (key == 3)
			a->quit = true;
		return;
	}
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
	if (act == ACT_NONE)
		return;
	frame_action(a, act, key);
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
	for (int i = 0; i <= SCR__COUNT; i++) {
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

	layout(a);
	show(a, SCR_SIGNIN);
	signin_prepare(&a->screens[SCR_SIGNIN], setup->saved_user);
	if (setup->message && *setup->message)
		app_message(a, MSG_ERROR, "%s", setup->message);
	if (api_token(a->api)) {
		if (!(setup->message && *setup->message))
			app_message(a, MSG_INFO, "Checking your saved sign-in...");
		fetch_me(a);
	}

	while (!a->quit) {
		api_run(a->api);
		render(a);
		bool keys = api_wait(a->api, STDIN_FILENO, sigwinch_pipe[0], 1000);
		char drain[16];
		if (sigwinch_pipe[0] >= 0 && read(sigwinch_pipe[0], drain, sizeof(drain)) > 0)
			on_resize(a);
		(void)keys;
		api_run(a->api);
		wint_t wch;
		int rc;
		while (!a->quit && (rc = wget_wch(stdscr, &wch)) != ERR) {
			if (rc == KEY_CODE_YES && wch == KEY_RESIZE) {
				on_resize(a);
				continue;
			}
			handle_key(a, key_from_curses(rc, (unsigned)wch));
			if (!a->small)
				render(a);
		}
		/* the title shows the retry countdown, or how long no answer came */
		if (!api_online(a->api) || api_silent(a->api))
			a->dirty |= D_TITLE;
		idle_work(a);
	}

	/* quit: free everything the app made (the caller frees the rest) */
	for (int i = 0; i <= SCR__COUNT; i++) {
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
