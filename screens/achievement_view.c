/* achievement_view.c: an achievement's indicator groups (GET
 * /achievements/{id}), Payment groups first, then Management Information,
 * each with "N of M" submitted, in progress and last updated; incomplete
 * groups are marked "!" and bold. Enter opens a group's form. Also the
 * level dispatch shared by the Data Submission sub-tabs (data_entry.h),
 * payment-date drawing and the submission history. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "screens/ach_common.h"
#include "screens/data_entry.h"
#include "tui/tui.h"
#include "util.h"

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

struct de *de_of(struct screen *s)
{
	if (s->def->ops == &listscreen_ops)
		return ls_own(s->priv);
	return s->priv;
}

/* ------------------------------------------------------------ helpers */

void de_put_date(WINDOW *w, int y, int x, const char *iso, bool payment)
{
	char d[16];
	date_display(iso, d);
	if (!payment) {
		tui_printf(w, y, x, 11, ST_NORMAL, true, "%s ", d);
		return;
	}
	wattrset(w, (int)(tui_attr(ST_PAYMENT) | A_BOLD | A_UNDERLINE));
	mvwaddstr(w, y, x, d);
	waddch(w, '*');
	wattrset(w, A_NORMAL);
}

void de_legend(WINDOW *w, int y, int x, int width, bool groups)
{
	wattrset(w, (int)(tui_attr(ST_PAYMENT) | A_BOLD | A_UNDERLINE));
	mvwaddstr(w, y, x, "dd/mm/yyyy*");
	wattrset(w, A_NORMAL);
	/* "yellow" only where it is */
	const char *pay = tui_has_color() ? " payment date (yellow)" : " payment date";
	tui_printf(w, y, x + 11, width - 11, ST_DIM, true, "%s%s", pay,
		   groups ? "   ! incomplete: submitted below total" : "");
}

/* The bytes of p (whole UTF-8 characters) that fit in width columns. */
static size_t fit_bytes(const char *p, int width)
{
	size_t n = 0;
	while (p[n]) {
		size_t k = n + 1;
		while (((unsigned char)p[k] & 0xc0) == 0x80)
			k++;
		char *s = xasprintf("%.*s", (int)k, p);
		int wd = tui_width(s);
		free(s);
		if (wd > width)
			break;
		n = k;
	}
	return n;
}

int de_put_wrapped(WINDOW *w, int y, int x, int width, int max, const char *text,
		   enum style st)
{
	const char *p = text ? text : "";
	int row = 0;
	if (max < 1)
		max = 1;
	if (width < 8)
		width = 8;
	while (row < max) {
		while (*p == ' ')
			p++;
		if (!*p && row)
			break;
		if (tui_width(p) <= width) {
			tui_put(w, y + row++, x, width, p, st, true);
			break;
		}
		if (row == max - 1) {
			size_t n = fit_bytes(p, width - 3);
			tui_printf(w, y + row++, x, width, st, true, "%.*s...", (int)n, p);
			break;
		}
		size_t fit = fit_bytes(p, width), cut = 0;
		for (size_t i = 1; i <= fit && p[i - 1]; i++)
			if (p[i] == ' ' || p[i] == '\0')
				cut = i;
		if (!cut)
			cut = fit ? fit : 1;
		tui_printf(w, y + row++, x, width, st, true, "%.*s", (int)cut, p);
		p += cut;
	}
	return row ? row : 1;
}

void de_when(int64_t epoch, char *out, size_t n)
{
	out[0] = '\0';
	if (!epoch)
		return;
	time_t t = (time_t)epoch;
	struct tm tm;
	if (gmtime_r(&t, &tm))
		strftime(out, n, "%d/%m/%Y %H:%M", &tm);
}

/* ------------------------------------------------------------ history */

static void value_text(json_t *v, char *out, size_t n)
{
	if (json_object_get(v, "numerator"))
		snprintf(out, n, "%lld / %lld",
			 (long long)json_integer_value(json_object_get(v, "numerator")),
			 (long long)json_integer_value(json_object_get(v, "denominator")));
	else
		snprintf(out, n, "%lld", (long long)json_integer_value(json_object_get(v, "value")));
}

static void on_history(struct screen *s, const struct api_response *r)
{
	if (app_failed(s->app, r, "Loading the submission history"))
		return;
	json_t *subs = json_object_get(r->json, "submissions");
	/* "Loading..." is over: the popup shows the history (and its count) */
	app_unsay(s->app, "Loading the submission history...");
	json_t *a = json_object_get(r->json, "achievement");
	char **lines = NULL;
	size_t n = 0;
#define ADD(...) do { lines = xrealloc(lines, (n + 1) * sizeof(char *)); \
		lines[n++] = xasprintf(__VA_ARGS__); } while (0)
	char d[16];
	date_display(jstr(a, "date"), d);
	ADD("Achievement date %s%s: %zu submission(s), newest first", d,
	    json_is_true(json_object_get(a, "payment")) ? "* (payment date)" : "",
	    json_array_size(subs));
	size_t i, k;
	json_t *x, *v;
	json_array_foreach(subs, i, x) {
		char when[32];
		de_when(json_integer_value(json_object_get(x, "at")), when, sizeof(when));
		const char *grp = json_string_value(json_object_get(x, "group"));
		ADD("\1%s  %s  %s  %s (%s)%s%s", when,
		    strcmp(jstr(x, "kind"), "WIP") == 0 ? "Work in progress" : "Submitted",
		    jstr(x, "source"), jstr(x, "user_name"), jstr(x, "user_id"),
		    grp ? "  group " : "", grp ? grp : "");
		if (jstr(x, "notes")[0]) {
			/* the note whole, wrapped under itself within the popup
			 * (at most COLS - 10 columns of text) */
			int tw = (COLS - 10 > 40 ? COLS - 10 : 40) - 9;
			size_t nw;
			char **wl = tui_wrap(jstr(x, "notes"), tw, tw, &nw);
			for (size_t j = 0; j < nw; j++)
				ADD("%s%s", j ? "         " : "  Notes: ", wl[j]);
			tui_wrap_free(wl, nw);
		}
		json_array_foreach(json_object_get(x, "values"), k, v) {
			char vt[64];
			value_text(v, vt, sizeof(vt));
			ADD("  %-18s %s", jstr(v, "indicator"), vt);
		}
	}
	if (!json_array_size(subs))
		ADD("Nothing has been submitted or saved for this date yet.");
#undef ADD
	app_popup(s->app, popup_text("Submission history", lines, n));
	for (size_t j = 0; j < n; j++)
		free(lines[j]);
	free(lines);
}

void de_history(struct screen *s, int64_t ach, int64_t gid)
{
	app_message(s->app, MSG_INFO, "Loading the submission history...");
	app_call(s->app, s, call_submissions(ach, gid), on_history);
}

/* ------------------------------------------------------------ groups */

static json_t *group_at(struct de *d, size_t row)
{
	if (!d->order || row >= d->glist.n)
		return NULL;
	return json_array_get(json_object_get(d->ach, "groups"), d->order[row]);
}

static void draw_group(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct de *d = ud;
	json_t *g = group_at(d, row);
	bool done = json_is_true(json_object_get(g, "complete"));
	enum style st = done ? ST_NORMAL : ST_LABEL;
	char when[32], cnt[24];
	de_when(json_integer_value(json_object_get(g, "last_updated")), when, sizeof(when));
	snprintf(cnt, sizeof(cnt), "%lld of %lld",
		 (long long)json_integer_value(json_object_get(g, "submitted")),
		 (long long)json_integer_value(json_object_get(g, "total")));
	tui_put(w, y, x, 2, done ? " " : "!", st, true);
	tui_put(w, y, x + 2, 9, jstr(g, "code"), st, true);
	int nw = width - 2 - 9 - 5 - 10 - 6 - 16;
	if (nw < 10)
		nw = 10;
	tui_put(w, y, x + 11, nw - 1, jstr(g, "name"), st, true);
	tui_put(w, y, x + 10 + nw, 1, " ", ST_NORMAL, true);
	int c = x + 11 + nw;
	tui_put(w, y, c, 5, strcmp(jstr(g, "kind"), "mi") == 0 ? "MI" : "Pay", ST_NORMAL, true);
	tui_put(w, y, c + 5, 10, cnt, st, true);
	tui_printf(w, y, c + 15, 6, ST_NORMAL, true, "%lld",
		   (long long)json_integer_value(json_object_get(g, "in_progress")));
	tui_put(w, y, c + 21, width - (c + 21 - x), when, ST_NORMAL, true);
}

static const char *group_text(void *ud, size_t row)
{
	struct de *d = ud;
	json_t *g = group_at(d, row);
	return g ? jstr(g, "name") : "";
}

void de_init(struct de *d, void (*back)(struct screen *s))
{
	d->back = back;
	list_init(&d->glist, draw_group, group_text, d);
}

void de_done(struct de *d)
{
	gform_free(&d->gf);
	json_decref(d->ach);
	d->ach = NULL;
	xfree(&d->hint);
	xfree(&d->order);
	list_free(&d->glist);
}

static void on_achievement(struct screen *s, const struct api_response *r)
{
	struct de *d = de_of(s);
	d->ach_loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the achievement"))
		return;
	json_decref(d->ach);
	d->ach = json_incref(r->json);
	json_t *groups = json_object_get(d->ach, "groups");
	size_t n = json_array_size(groups), k = 0;
	xfree(&d->order);
	d->order = xcalloc(n ? n : 1, sizeof(size_t));
	/* Payment groups first, then management information */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			bool mi = strcmp(jstr(json_array_get(groups, i), "kind"), "mi") == 0;
			if (mi == (pass == 1))
				d->order[k++] = i;
		}
	size_t keep = d->glist.cur;
	bool first = d->glist.n == 0;
	list_set_count(&d->glist, k);
	if (first && d->want_group[0]) {
		/* the owner asked for a group (e.g. the PCN's own values) */
		for (size_t i = 0; i < k; i++)
			if (!strcmp(jstr(json_array_get(groups, d->order[i]), "code"), d->want_group)) {
				d->glist.cur = i;
				break;
			}
	} else if (first) {
		/* the cursor starts on the first incomplete group */
		for (size_t i = 0; i < k; i++)
			if (!json_is_true(json_object_get(json_array_get(groups, d->order[i]),
							 "complete"))) {
				d->glist.cur = i;
				break;
			}
	} else if (keep < k) {
		d->glist.cur = keep;
	}
}

void de_open_achievement(struct screen *s, int64_t id)
{
	struct de *d = de_of(s);
	if (d->ach_id != id) {
		json_decref(d->ach);
		d->ach = NULL;
		list_set_count(&d->glist, 0);
	}
	d->ach_id = id;
	d->level = DE_ACH;
	d->ach_loading = true;
	app_call(s->app, s, call_achievement(id), on_achievement);
	app_dirty(s->app);
}

void de_open_group(struct screen *s, int64_t ach, int64_t gid, bool direct)
{
	struct de *d = de_of(s);
	d->level = DE_FORM;
	d->direct = direct;
	if (direct)
		d->ach_id = ach;
	gform_open(s, ach, gid);
	app_dirty(s->app);
}

void de_refresh(struct screen *s)
{
	struct de *d = de_of(s);
	if (d->level == DE_ACH)
		de_open_achievement(s, d->ach_id);
	else if (d->level == DE_FORM)
		gform_open(s, d->gf.ach, d->gf.gid);
}

bool de_active(struct screen *s)
{
	return de_of(s)->level != DE_TOP;
}

static void draw_achievement(struct de *d, WINDOW *w, int h, int width)
{
	json_t *a = d->ach;
	if (!a) {
		tui_put(w, 0, 0, width, "Achievement", ST_HEADING, true);
		tui_put(w, 2, 0, width, d->ach_loading ? "Loading... (Esc stops it)" : "", ST_INFO,
			true);
		return;
	}
	json_t *svc = json_object_get(a, "service"), *org = json_object_get(a, "organisation");
	tui_printf(w, 0, 0, width, ST_HEADING, true, "%s %s: %s", jstr(org, "code"),
		   jstr(org, "name"), jstr(svc, "name"));
	tui_put(w, 1, 0, 18, "Achievement date: ", ST_LABEL, true);
	de_put_date(w, 1, 18, jstr(a, "date"), json_is_true(json_object_get(a, "payment")));
	const char *decl = jstr(a, "declaration_status");
	tui_printf(w, 1, 29, width - 29, ST_NORMAL, true, "  %s%s%s%s",
		   json_is_true(json_object_get(a, "commissioner_entry")) ?
		   "Commissioning Organisation entry; " : "", ac_status_short(jstr(a, "status")),
		   decl[0] ? "; declaration: " : "", ac_status_short(decl));
	int y = 2;
	if (json_is_true(json_object_get(a, "can_edit"))) {
		if (d->hint)
			y += de_put_wrapped(w, y, 0, width, 2, d->hint, ST_DIM);
		else
			tui_put(w, y++, 0, width, json_is_true(json_object_get(a, "commissioner")) ?
				"You enter on the practice's behalf: a Commissioning Organisation entry." :
				"Enter opens a group to enter its New Values.", ST_DIM, true);
	} else {
		/* the server's whole reason, wrapped */
		char *why = xasprintf("Read-only: %s", jstr(a, "reason")[0] ? jstr(a, "reason") :
				      "you may not enter data here");
		y += de_put_wrapped(w, y, 0, width, 3, why, ST_LABEL);
		free(why);
	}
	de_legend(w, y, 0, width, true);
	y++;
	int nw = width - 2 - 2 - 9 - 5 - 10 - 6 - 16;
	if (nw < 10)
		nw = 10;
	tui_put(w, y, 0, 4, "", ST_COLHEAD, true);
	tui_put(w, y, 4, 9, "Group", ST_COLHEAD, true);
	tui_put(w, y, 13, nw, "Indicator group", ST_COLHEAD, true);
	tui_put(w, y, 13 + nw, 5, "Kind", ST_COLHEAD, true);
	tui_put(w, y, 18 + nw, 10, "Submitted", ST_COLHEAD, true);
	tui_put(w, y, 28 + nw, 6, "WIP", ST_COLHEAD, true);
	tui_put(w, y, 34 + nw, width - 34 - nw, "Last updated", ST_COLHEAD, true);
	y++;
	list_draw(&d->glist, w, y, 0, h - y, width);
	(void)list_cursor_y;
}

void de_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct de *d = de_of(s);
	if (d->level == DE_ACH)
		draw_achievement(d, w, h, width);
	else if (d->level == DE_FORM)
		gform_draw(s, &d->gf, w, h, width);
}

static void go_up(struct screen *s)
{
	struct de *d = de_of(s);
	/* a field's error is about the form being left */
	app_unsay(s->app, d->gf.said);
	if (d->level == DE_FORM && !d->direct) {
		d->level = DE_ACH;
		gform_free(&d->gf);
		if (d->stale)
			de_open_achievement(s, d->ach_id);
		return;
	}
	gform_free(&d->gf);
	d->level = DE_TOP;
	if (d->back)
		d->back(s);
	d->stale = false;
}

enum wres de_action(struct screen *s, enum action a, int key)
{
	struct de *d = de_of(s);
	if (d->level == DE_FORM) {
		enum wres r = gform_action(s, &d->gf, a, key);
		if (r != W_IGNORED)
			return r;
		if (a == ACT_BACK) {
			go_up(s);
			return W_HANDLED;
		}
		return W_IGNORED;
	}
	if (a == ACT_BACK) {
		go_up(s);
		return W_HANDLED;
	}
	if (a == ACT_HISTORY) {
		de_history(s, d->ach_id, 0);
		return W_HANDLED;
	}
	enum wres r = list_action(&d->glist, a, key);
	if (r == W_OPEN) {
		json_t *g = group_at(d, d->glist.cur);
		if (g)
			de_open_group(s, d->ach_id, json_integer_value(json_object_get(g, "id")), false);
		return W_HANDLED;
	}
	return r;
}

bool de_unsaved(struct screen *s)
{
	struct de *d = de_of(s);
	return d->level == DE_FORM && gform_unsaved(&d->gf);
}

enum context de_context(struct screen *s)
{
	struct de *d = de_of(s);
	return d->level == DE_FORM ? CTX_ENTRY : CTX_ACHIEVEMENTS;
}

bool de_offers(struct screen *s, enum action a)
{
	struct de *d = de_of(s);
	if (d->level == DE_FORM)
		return gform_offers(&d->gf, a);
	switch (a) {
	case ACT_TAG_ALL: case ACT_TOGGLE_TAG: case ACT_FILTER: case ACT_NEW_ACHIEVEMENT:
	case ACT_CHOOSE_SERVICE: case ACT_CHOOSE_PRACTICE:
		return false;
	default:
		return true;
	}
}
