/* group_form.c: one indicator group's form (GET/PUT
 * /achievements/{id}/groups/{gid}): per indicator its code, description,
 * current value and a New Value field (numerator and denominator for
 * ratios, Yes/No for yes/no), then the submission notes. Enter and Tab move
 * to the next field like a 3270 form and the first character typed
 * replaces the field; a field is checked as it is left with the PCRE2
 * pattern the server sent (lib/validate.h) and numerator <= denominator,
 * errors beside it. Save Work in Progress, Submit Achievement Data (after
 * Yes/No), the server's answer on the message line, 409 conflicts shown
 * with what changed while keeping what was typed, locked and read-only
 * indicators with the server's reason. Every keystroke is kept in a local
 * draft (client/drafts.h), offered back when the group is opened again and
 * removed once the server has the values. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client/drafts.h"
#include "dates.h"
#include "screens/data_entry.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

#define VALUE_MAX 40     /* bytes of a typed value */
#define NOTES_MAX TEXT_NOTES_MAX   /* bytes of the notes (the server's limit) */
#define COL_CODE 2
#define COL_CUR 17
#define COL_NEW 31
#define W_NUM 10

static const char *jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s ? s : "";
}

static json_t *indicator(struct gform *g, int i)
{
	return i < 0 ? NULL : json_array_get(json_object_get(g->form, "indicators"), (size_t)i);
}

static bool can_edit(struct gform *g)
{
	return json_is_true(json_object_get(g->form, "can_edit"));
}

/* ------------------------------------------------------------ values */

static bool kind_is(json_t *ind, const char *k)
{
	return strcmp(jstr(ind, "kind"), k) == 0;
}

/* The text a stored value is typed as (for prefilling and display). */
static void value_as_text(json_t *ind, json_t *v, int part, char *out, size_t n)
{
	out[0] = '\0';
	if (!json_is_object(v))
		return;
	if (kind_is(ind, "ratio")) {
		json_t *x = json_object_get(v, part ? "denominator" : "numerator");
		if (json_is_integer(x))
			snprintf(out, n, "%lld", (long long)json_integer_value(x));
		return;
	}
	json_t *x = json_object_get(v, "value");
	if (!json_is_integer(x))
		return;
	long long val = json_integer_value(x);
	if (kind_is(ind, "yesno"))
		snprintf(out, n, "%s", val ? "Yes" : "No");
	else if (kind_is(ind, "money"))
		snprintf(out, n, "%lld.%02lld", val / 100, (val < 0 ? -val : val) % 100);
	else if (kind_is(ind, "date"))
		snprintf(out, n, "%02lld/%02lld/%04lld", val % 100, val / 100 % 100, val / 10000);
	else
		snprintf(out, n, "%lld", val);
}

static void current_text(json_t *ind, char *out, size_t n)
{
	json_t *cur = json_object_get(ind, "current");
	if (!json_is_object(cur)) {
		snprintf(out, n, "none");
		return;
	}
	char a[32], b[32];
	value_as_text(ind, cur, 0, a, sizeof(a));
	if (kind_is(ind, "ratio")) {
		value_as_text(ind, cur, 1, b, sizeof(b));
		snprintf(out, n, "%s / %s", a, b);
	} else if (kind_is(ind, "money")) {
		snprintf(out, n, "\xc2\xa3%s", a);
	} else {
		snprintf(out, n, "%s", a);
	}
}

static enum value_kind vkind(json_t *ind)
{
	enum value_kind k = VK_COUNT;
	if (!value_kind_parse(jstr(ind, "kind"), &k))
		k = VK_COUNT;
	return k == VK_RATIO ? VK_COUNT : k;
}

static int field_width(json_t *ind)
{
	if (kind_is(ind, "ratio"))
		return W_NUM;
	if (kind_is(ind, "yesno"))
		return 5;
	if (kind_is(ind, "money"))
		return 12;
	return 11;
}

/* ------------------------------------------------------------ fields */

static void fields_free(struct gform *g)
{
	for (size_t i = 0; i < g->nf; i++) {
		free(g->f[i].text);
		free(g->f[i].error);
	}
	xfree(&g->f);
	g->nf = g->focus = 0;
}

static void field_set(struct gfield *f, const char *text)
{
	free(f->text);
	f->text = xstrdup(text ? text : "");
}

static void field_error(struct gfield *f, const char *msg)
{
	xfree(&f->error);
	if (msg)
		f->error = xstrdup(msg);
}

static struct gfield *add_field(struct gform *g, int ind, int part)
{
	g->f = xrealloc(g->f, (g->nf + 1) * sizeof(*g->f));
	struct gfield *f = &g->f[g->nf++];
	memset(f, 0, sizeof(*f));
	f->ind = ind;
	f->part = part;
	f->text = xstrdup("");
	return f;
}

/* Makes the fields for the form: one per editable indicator (two for a
 * ratio), prefilled with the work in progress, then the notes. None when
 * the user may not edit. */
static void build_fields(struct gform *g)
{
	fields_free(g);
	if (!can_edit(g))
		return;
	json_t *inds = json_object_get(g->form, "indicators");
	for (size_t i = 0; i < json_array_size(inds); i++) {
		json_t *ind = json_array_get(inds, i);
		if (!json_is_true(json_object_get(ind, "editable")))
			continue;
		int parts = kind_is(ind, "ratio") ? 2 : 1;
		for (int p = 0; p < parts; p++) {
			struct gfield *f = add_field(g, (int)i, p);
			char t[VALUE_MAX];
			value_as_text(ind, json_object_get(ind, "wip"), p, t, sizeof(t));
			field_set(f, t);
		}
	}
	add_field(g, -1, 0);
	g->f[0].fresh = true;
}

/* What is typed, as the draft keeps it: [{"indicator", "part", "text"}]
 * and the notes. */
static json_t *typed_json(struct gform *g)
{
	json_t *arr = json_array();
	const char *notes = "";
	for (size_t i = 0; i < g->nf; i++) {
		struct gfield *f = &g->f[i];
		if (f->ind < 0) {
			notes = f->text;
			continue;
		}
		json_array_append_new(arr, json_pack("{s:s, s:i, s:s}", "indicator",
			jstr(indicator(g, f->ind), "code"), "part", f->part, "text", f->text));
	}
	return json_pack("{s:o, s:s}", "fields", arr, "notes", notes);
}

/* Puts typed texts (from typed_json or a draft) back into the fields
 * that still exist; true when any differs from what was there. */
static bool apply_typed(struct gform *g, json_t *typed)
{
	bool differs = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(typed, "fields"), i, x) {
		for (size_t k = 0; k < g->nf; k++) {
			struct gfield *f = &g->f[k];
			if (f->ind < 0 || f->part != json_integer_value(json_object_get(x, "part")) ||
			    strcmp(jstr(indicator(g, f->ind), "code"), jstr(x, "indicator")))
				continue;
			if (strcmp(f->text, jstr(x, "text"))) {
				differs = true;
				field_set(f, jstr(x, "text"));
			}
		}
	}
	if (g->nf && strcmp(g->f[g->nf - 1].text, jstr(typed, "notes"))) {
		differs = true;
		field_set(&g->f[g->nf - 1], jstr(typed, "notes"));
	}
	return differs;
}

/* ------------------------------------------------------------ drafts */

static void draft_write(struct screen *s, struct gform *g)
{
	if (!g->draft || !g->nf)
		return;
	json_t *d = typed_json(g);
	json_object_set_new(d, "server", json_string(app_server(s->app)));
	json_object_set_new(d, "user", json_string(jstr(app_me(s->app), "user_id")));
	json_object_set_new(d, "achievement", json_integer(g->ach));
	json_object_set_new(d, "group", json_integer(g->gid));
	json_object_set_new(d, "version", json_integer(json_integer_value(
		json_object_get(g->form, "version"))));
	json_object_set_new(d, "saved_at", json_integer(now_s()));
	if (g->save_body && g->save_key[0])
		json_object_set_new(d, "unanswered", json_pack("{s:s, s:s}", "key", g->save_key,
							     "body", g->save_body));
	char err[300];
	if (!draft_save(g->draft, d, err, sizeof(err)))
		app_message(s->app, MSG_ERROR, "The local draft could not be saved: %s", err);
	json_decref(d);
}

static void draft_drop(struct gform *g)
{
	if (g->draft)
		draft_remove(g->draft);
}

static void set_notice(struct gform *g, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_notice(struct gform *g, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	free(g->notice);
	g->notice = xvasprintf(fmt, ap);
	va_end(ap);
	g->notice_error = error;
}

static void on_restore(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct de *d = de_of(s);
	struct gform *g = &d->gf;
	app_dirty(s->app);
	if (d->level != DE_FORM || !g->form || !g->draft)
		return;
	json_t *draft = draft_load(g->draft, NULL, 0);
	if (result == POP_YES && draft) {
		apply_typed(g, draft);
		json_t *un = json_object_get(draft, "unanswered");
		const char *key = jstr(un, "key"), *body = jstr(un, "body");
		if (strlen(key) == sizeof g->save_key - 1 && *body) {
			/* a save whose answer never came: the same key again */
			strlcpy_s(g->save_key, key, sizeof g->save_key);
			free(g->save_body);
			g->save_body = xstrdup(body);
		}
		set_notice(g, false, "Draft restored: check it, then Save Work in Progress (F6) or "
			   "Submit (F8).");
		app_message(s->app, MSG_OK, "Your draft is back in the form; it is not on the "
			    "server until you save or submit.");
	} else if (result == POP_NO) {
		draft_drop(g);
		xfree(&g->notice);
		app_message(s->app, MSG_INFO, "Draft discarded.");
	} else {
		app_message(s->app, MSG_INFO, "Draft kept (not restored): it is offered again "
			    "next time.");
	}
	json_decref(draft);
}

/* Offers the local draft back when it differs from the form. */
static void offer_draft(struct screen *s, struct gform *g)
{
	if (!g->draft || !g->nf)
		return;
	json_t *draft = draft_load(g->draft, NULL, 0);
	if (!draft)
		return;
	json_t *now = typed_json(g);
	bool differs = apply_typed(g, draft);
	if (differs)
		apply_typed(g, now); /* not yet: ask first */
	json_decref(now);
	if (!differs) {
		draft_drop(g);
		json_decref(draft);
		return;
	}
	char when[32];
	de_when(json_integer_value(json_object_get(draft, "saved_at")), when, sizeof(when));
	set_notice(g, true, "A draft typed here at %s was never stored: y restores it, n "
		   "discards it, Esc keeps it for later.", when);
	char *q = xasprintf("Restore the draft typed at %s that was never stored?", when);
	app_popup(s->app, popup_confirm(q, on_restore, s));
	free(q);
	json_decref(draft);
}

/* ------------------------------------------------------------ validation */

/* Checks field i (and, for a ratio, numerator <= denominator); sets the
 * error beside it. True when good or empty. */
static bool check_field(struct gform *g, size_t i)
{
	struct gfield *f = &g->f[i];
	field_error(f, NULL);
	if (f->ind < 0 || !f->text[0])
		return true;
	json_t *ind = indicator(g, f->ind);
	char why[200];
	int64_t v;
	const char *extra = json_string_value(json_object_get(ind, "extra_pattern"));
	if (!value_check(vkind(ind), extra, f->text, &v, why, sizeof(why))) {
		field_error(f, why);
		return false;
	}
	const char *pat = json_string_value(json_object_get(ind, "pattern"));
	if (pat) {
		char err[160];
		int m = re_match_full(pat, f->text, err, sizeof(err));
		if (m == 0) {
			char *msg = xasprintf("not in the form %s", pat);
			field_error(f, msg);
			free(msg);
			return false;
		}
	}
	if (kind_is(ind, "ratio")) {
		/* the other half */
		size_t o = f->part ? i - 1 : i + 1;
		if (o < g->nf && g->f[o].ind == f->ind && g->f[o].text[0]) {
			int64_t w;
			if (value_check(VK_COUNT, extra, g->f[o].text, &w, why, sizeof(why))) {
				int64_t num = f->part ? w : v, den = f->part ? v : w;
				size_t ni = f->part ? o : i;
				if (num > den) {
					field_error(&g->f[ni], "numerator above denominator");
					return false;
				}
				if (g->f[ni].error && strstr(g->f[ni].error, "above"))
					field_error(&g->f[ni], NULL);
			}
		}
	}
	return true;
}

/* Checks every field; focuses the first bad one. */
static bool check_all(struct gform *g)
{
	bool ok = true;
	for (size_t i = 0; i < g->nf; i++)
		if (!check_field(g, i) && ok) {
			ok = false;
			g->focus = i;
		}
	/* a ratio needs both halves */
	for (size_t i = 0; i + 1 < g->nf; i++) {
		struct gfield *a = &g->f[i], *b = &g->f[i + 1];
		if (a->ind >= 0 && a->ind == b->ind && !a->text[0] != !b->text[0]) {
			struct gfield *e = a->text[0] ? b : a;
			field_error(e, "enter both numerator and denominator");
			if (ok)
				g->focus = (size_t)(e - g->f);
			ok = false;
		}
	}
	return ok;
}

/* ------------------------------------------------------------ loading */

static void on_form(struct screen *s, const struct api_response *r)
{
	struct de *d = de_of(s);
	struct gform *g = &d->gf;
	g->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the group form")) {
		if (!g->form)
			set_notice(g, true, "Could not load this group: %s", r->err_message);
		return;
	}
	json_t *keep = g->form && g->nf ? typed_json(g) : NULL;
	json_decref(g->form);
	g->form = json_incref(r->json);
	build_fields(g);
	xfree(&g->notice);
	if (!can_edit(g))
		set_notice(g, true, "Read-only: %s", jstr(g->form, "reason")[0] ?
			   jstr(g->form, "reason") : "your roles do not allow data entry here");
	if (keep) {
		/* a Refresh keeps what was typed */
		apply_typed(g, keep);
		json_decref(keep);
		return;
	}
	free(g->draft);
	g->draft = draft_path(app_server(s->app), jstr(app_me(s->app), "user_id"), g->ach, g->gid);
	bool wip = false;
	size_t i;
	json_t *ind;
	json_array_foreach(json_object_get(g->form, "indicators"), i, ind)
		wip |= json_is_object(json_object_get(ind, "wip"));
	if (wip && can_edit(g))
		set_notice(g, false, "Work in progress is filled in as New Values: Submit (F8) "
			   "when complete.");
	offer_draft(s, g);
}

void gform_open(struct screen *s, int64_t ach, int64_t gid)
{
	struct de *d = de_of(s);
	struct gform *g = &d->gf;
	if (g->ach != ach || g->gid != gid)
		gform_free(g);
	g->ach = ach;
	g->gid = gid;
	g->loading = true;
	app_call(s->app, s, call_group(ach, gid), on_form);
}

void gform_free(struct gform *g)
{
	fields_free(g);
	json_decref(g->form);
	free(g->draft);
	free(g->notice);
	free(g->said);
	free(g->save_body);
	memset(g, 0, sizeof(*g));
}

/* ------------------------------------------------------------ saving */

static bool submitting;

static void show_conflict(struct screen *s, json_t *body)
{
	json_t *changes = json_object_get(body, "changes");
	char **lines = NULL;
	size_t n = 0;
#define ADD(...) do { lines = xrealloc(lines, (n + 1) * sizeof(char *)); \
		lines[n++] = xasprintf(__VA_ARGS__); } while (0)
	ADD("\1%s", jstr(json_object_get(body, "error"), "message"));
	ADD("%-18s %-18s %s", "Indicator", "Yours (kept)", "Now on the server");
	size_t i;
	json_t *c;
	struct gform *g = &de_of(s)->gf;
	json_array_foreach(changes, i, c) {
		json_t *ind = NULL, *x;
		size_t k;
		json_array_foreach(json_object_get(g->form, "indicators"), k, x)
			if (strcmp(jstr(x, "code"), jstr(c, "indicator")) == 0)
				ind = x;
		char y[40] = "", cu[40] = "none", b[20];
		if (ind) {
			value_as_text(ind, json_object_get(c, "yours"), 0, y, sizeof(y));
			if (kind_is(ind, "ratio")) {
				value_as_text(ind, json_object_get(c, "yours"), 1, b, sizeof(b));
				strcat(y, " / ");
				strcat(y, b);
			}
			if (json_is_object(json_object_get(c, "current"))) {
				value_as_text(ind, json_object_get(c, "current"), 0, cu, sizeof(cu));
				if (kind_is(ind, "ratio")) {
					value_as_text(ind, json_object_get(c, "current"), 1, b, sizeof(b));
					strcat(cu, " / ");
					strcat(cu, b);
				}
			}
		}
		ADD("%-18s %-18s %s", jstr(c, "indicator"), y, cu);
	}
	ADD("%s", "");
	ADD("Your values are still in the form. Check them against the current");
	ADD("values, then Submit (F8) or Save Work in Progress (F6) again.");
#undef ADD
	app_popup(s->app, popup_text("Conflict: someone saved this group first", lines, n));
	for (size_t j = 0; j < n; j++)
		free(lines[j]);
	free(lines);
}

static void on_saved(struct screen *s, const struct api_response *r)
{
	struct de *d = de_of(s);
	struct gform *g = &d->gf;
	g->busy = false;
	app_dirty(s->app);
	if (d->level != DE_FORM || !g->form)
		return;
	const char *what = submitting ? "Submit" : "Save Work in Progress";
	if (r->outcome == API_NET_ERROR) {
		app_message(s->app, MSG_ERROR, "Not stored: cannot reach the server (%s). What you "
			    "typed is kept (also in the local draft): %s again when it is back.",
			    r->err_message, what);
		set_notice(g, true, "Not stored yet: the server could not be reached.");
		return;
	}
	if (r->outcome == API_CANCELLED) {
		(void)what;
		app_message(s->app, MSG_INFO, "Stopped waiting: it may be stored. %s again finds "
			    "out (never stored twice).", submitting ? "F8" : "F6");
		set_notice(g, true, "Not known whether it was stored: %s again to find out.",
			   submitting ? "F8" : "F6");
		return;
	}
	/* an answer: whatever it says, the save is no longer unanswered */
	xfree(&g->save_body);
	g->save_key[0] = '\0';
	if (r->status == 200) {
		json_t *form = json_object_get(r->json, "form");
		bool stored = json_is_true(json_object_get(r->json, "stored"));
		const char *msg = jstr(r->json, "message");
		if (json_is_object(form)) {
			json_decref(g->form);
			g->form = json_incref(form);
			build_fields(g);
		}
		draft_drop(g);
		d->stale = true;
		if (r->replayed) {
			set_notice(g, false, "Your earlier attempt reached the server: %s", msg);
			app_message(s->app, stored ? MSG_OK : MSG_INFO, "Earlier attempt %s: %s",
				    stored ? "stored" : "answered", msg);
		} else if (stored) {
			set_notice(g, false, "%s", msg);
			app_message(s->app, MSG_OK, "%s", msg);
		} else {
			set_notice(g, false, "%s", msg);
			app_message(s->app, MSG_INFO, "%s", msg);
		}
		return;
	}
	if (r->status == 409 && json_is_object(json_object_get(r->json, "current"))) {
		json_t *keep = typed_json(g);
		json_decref(g->form);
		g->form = json_incref(json_object_get(r->json, "current"));
		build_fields(g);
		apply_typed(g, keep);
		json_decref(keep);
		draft_write(s, g);
		set_notice(g, true, "Conflict: %s", r->err_message);
		app_message(s->app, MSG_ERROR, "Not stored: %s", r->err_message);
		show_conflict(s, r->json);
		return;
	}
	if (r->status == 400) {
		size_t i;
		json_t *e;
		bool placed = false;
		json_array_foreach(json_object_get(r->json, "errors"), i, e) {
			const char *field = jstr(e, "field");
			int part = strstr(field, ".denominator") ? 1 : 0;
			for (size_t k = 0; k < g->nf; k++) {
				struct gfield *f = &g->f[k];
				if (f->ind >= 0 && f->part == part &&
				    strcmp(jstr(indicator(g, f->ind), "code"), jstr(e, "indicator")) == 0) {
					field_error(f, jstr(e, "message"));
					if (!placed)
						g->focus = k;
					placed = true;
				}
			}
		}
		if (strcmp(jstr(json_object_get(r->json, "error"), "field"), "notes") == 0) {
			field_error(&g->f[g->nf - 1], r->err_message);
			g->focus = g->nf - 1;
		}
		app_message(s->app, MSG_ERROR, "Not stored: %s", r->err_message);
		return;
	}
	if (r->status == 403) {
		set_notice(g, true, "Not allowed: %s", r->err_message);
		app_message(s->app, MSG_ERROR, "Not stored: %s", r->err_message);
		return;
	}
	app_failed(s->app, r, what);
}

/* The values to send: only fields with something typed. NULL (with a
 * message) when there are none. */
static json_t *values_json(struct screen *s, struct gform *g)
{
	json_t *vals = json_array();
	for (size_t i = 0; i < g->nf; i++) {
		struct gfield *f = &g->f[i];
		if (f->ind < 0 || f->part)
			continue;
		json_t *ind = indicator(g, f->ind);
		if (kind_is(ind, "ratio")) {
			if (!f->text[0])
				continue;
			json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "indicator",
				jstr(ind, "code"), "numerator", f->text, "denominator", g->f[i + 1].text));
		} else if (f->text[0]) {
			json_array_append_new(vals, json_pack("{s:s, s:s}", "indicator",
				jstr(ind, "code"), "value", f->text));
		}
	}
	if (!json_array_size(vals) && g->nf && !text_blank(g->f[g->nf - 1].text)) {
		/* a note alone: sent with the values as they are, which the
		 * server keeps (the note is stored, nothing recalculated) */
		json_t *inds = json_object_get(g->form, "indicators"), *ind;
		size_t i;
		json_array_foreach(inds, i, ind) {
			json_t *cur = json_object_get(ind, "current");
			if (!json_is_true(json_object_get(ind, "editable")) || !json_is_object(cur))
				continue;
			char a[VALUE_MAX], b[VALUE_MAX];
			value_as_text(ind, cur, 0, a, sizeof a);
			if (kind_is(ind, "ratio")) {
				value_as_text(ind, cur, 1, b, sizeof b);
				json_array_append_new(vals, json_pack("{s:s, s:s, s:s}", "indicator",
					jstr(ind, "code"), "numerator", a, "denominator", b));
			} else {
				json_array_append_new(vals, json_pack("{s:s, s:s}", "indicator",
					jstr(ind, "code"), "value", a));
			}
		}
	}
	if (!json_array_size(vals)) {
		json_decref(vals);
		app_message(s->app, MSG_ERROR, "Nothing to store: type at least one New Value%s.",
			    g->nf && !text_blank(g->f[g->nf - 1].text) ?
			    " to go with the note (it stays in the draft)" : "");
		return NULL;
	}
	return vals;
}

static void send(struct screen *s, struct gform *g, bool submit)
{
	json_t *vals = values_json(s, g);
	if (!vals)
		return;
	struct group_save save = {
		.submit = submit,
		.version = json_integer_value(json_object_get(g->form, "version")),
		.notes = g->f[g->nf - 1].text,
		.values = vals,
	};
	submitting = submit;
	g->busy = true;
	app_message(s->app, MSG_INFO, submit ? "Submitting achievement data..." :
		    "Saving work in progress...");
	struct api_call c = call_group_save(g->ach, g->gid, &save);
	char *text = json_dumps(c.body, JSON_COMPACT | JSON_SORT_KEYS);
	if (!g->save_body || !g->save_key[0] || strcmp(g->save_body, text) != 0) {
		free(g->save_body);
		g->save_body = text;
		api_new_key(g->save_key);
	} else {
		free(text); /* the same save again: the same key */
	}
	strlcpy_s(c.key, g->save_key, sizeof c.key);
	draft_write(s, g);
	app_call(s->app, s, c, on_saved);
}

static void on_confirm_submit(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct de *d = de_of(s);
	app_dirty(s->app);
	if (d->level != DE_FORM || !d->gf.form)
		return;
	if (result != POP_YES) {
		app_message(s->app, MSG_INFO, "Not submitted: your values are still in the form.");
		return;
	}
	send(s, &d->gf, true);
}

static void save(struct screen *s, struct gform *g, bool submit)
{
	if (!can_edit(g)) {
		app_message(s->app, MSG_ERROR, "Read-only: %s", jstr(g->form, "reason"));
		return;
	}
	if (g->busy) {
		app_message(s->app, MSG_INFO, "Still waiting for the server's answer...");
		return;
	}
	if (!check_all(g)) {
		struct gfield *f = &g->f[g->focus];
		app_message(s->app, MSG_ERROR, "Not sent: %s %s", f->ind >= 0 ?
			    jstr(indicator(g, f->ind), "code") : "notes", f->error ? f->error : "");
		return;
	}
	if (!submit) {
		send(s, g, false);
		return;
	}
	json_t *vals = values_json(s, g);
	if (!vals)
		return;
	json_decref(vals);
	json_t *grp = json_object_get(g->form, "group");
	/* the server says when the submission would send a declaration back */
	const char *reverts = jstr(g->form, "submit_reverts");
	char *q = xasprintf("Submit Achievement Data for %s? It triggers the calculation.%s%s",
			    jstr(grp, "code"), *reverts ? " " : "", reverts);
	app_popup(s->app, popup_confirm(q, on_confirm_submit, s));
	free(q);
}

/* ------------------------------------------------------------ keys */

static bool printable(int key)
{
	return key >= 32 && key < KC_CURSES && key != 127;
}

static void append_utf8(char **text, int key, size_t max)
{
	char enc[5];
	size_t n = 0;
	unsigned c = (unsigned)key;
	if (c < 0x80) {
		enc[n++] = (char)c;
	} else if (c < 0x800) {
		enc[n++] = (char)(0xc0 | (c >> 6));
		enc[n++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		enc[n++] = (char)(0xe0 | (c >> 12));
		enc[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		enc[n++] = (char)(0x80 | (c & 0x3f));
	} else {
		enc[n++] = (char)(0xf0 | (c >> 18));
		enc[n++] = (char)(0x80 | ((c >> 12) & 0x3f));
		enc[n++] = (char)(0x80 | ((c >> 6) & 0x3f));
		enc[n++] = (char)(0x80 | (c & 0x3f));
	}
	size_t len = strlen(*text);
	if (len + n > max)
		return;
	*text = xrealloc(*text, len + n + 1);
	memcpy(*text + len, enc, n);
	(*text)[len + n] = '\0';
}

static void move_focus(struct screen *s, struct gform *g, int dir)
{
	if (!g->nf)
		return;
	size_t from = g->focus;
	if (!check_field(g, from)) {
		/* the error may sit on the other half of a ratio (the
		 * numerator, "numerator above denominator") */
		struct gfield *f = &g->f[from];
		const char *why = f->error;
		for (size_t i = 0; !why && i < g->nf; i++)
			if (g->f[i].ind == f->ind)
				why = g->f[i].error;
		free(g->said);
		g->said = xasprintf("%s: %s", jstr(indicator(g, f->ind), "code"),
				    why ? why : "not a valid value");
		app_message(s->app, MSG_ERROR, "%s", g->said);
	} else if (g->said) {
		/* fixed: the error said about the form goes once no field has one */
		bool any = false;
		for (size_t i = 0; i < g->nf; i++)
			any |= g->f[i].error != NULL;
		if (!any) {
			app_unsay(s->app, g->said);
			xfree(&g->said);
		}
	}
	g->focus = (g->focus + g->nf + (size_t)(dir > 0 ? 1 : g->nf - 1)) % g->nf;
	g->f[g->focus].fresh = true;
}

static const char *const yesno_items[] = {"Yes", "No"};

static void on_yesno(void *ud, int result, const char *text)
{
	struct screen *s = ud;
	struct de *d = de_of(s);
	struct gform *g = &d->gf;
	app_dirty(s->app);
	if (d->level != DE_FORM || !g->form || !g->nf || result < 0 || result > 1)
		return;
	struct gfield *f = &g->f[g->focus];
	field_set(f, yesno_items[result]);
	f->fresh = false;
	field_error(f, NULL);
	draft_write(s, g);
}

/* The Yes/No drop-down of a yes/no field (F4, C-t). */
static void choose_yesno(struct screen *s, struct gform *g, json_t *ind)
{
	struct gfield *f = &g->f[g->focus];
	size_t cur = strcmp(f->text, "No") == 0 ? 1 : 0;
	if (!f->text[0]) {
		char now[8];
		value_as_text(ind, json_object_get(ind, "current"), 0, now, sizeof(now));
		cur = strcmp(now, "No") == 0 ? 1 : 0;
	}
	char *title = xasprintf("%s: New Value", jstr(ind, "code"));
	app_popup(s->app, popup_choice(title, yesno_items, 2, cur, on_yesno, s));
	free(title);
}

enum wres gform_action(struct screen *s, struct gform *g, enum action a, int key)
{
	if (!g->form)
		return W_IGNORED;
	struct gfield *f = g->nf ? &g->f[g->focus] : NULL;
	json_t *ind = f ? indicator(g, f->ind) : NULL;
	if (!f && printable(key)) {
		/* typing into a read-only form: say why, never run a command */
		const char *why = jstr(g->form, "reason");
		app_message(s->app, MSG_ERROR, "Read-only: %s", *why ? why :
			    "you cannot change these values.");
		return W_HANDLED;
	}
	if (f && printable(key)) {
		if (ind && kind_is(ind, "yesno")) {
			if (key == 'y' || key == 'Y')
				field_set(f, "Yes");
			else if (key == 'n' || key == 'N')
				field_set(f, "No");
			else if (key == ' ')
				field_set(f, strcmp(f->text, "Yes") == 0 ? "No" : "Yes");
			else {
				app_message(s->app, MSG_ERROR, "%s is Yes or No: type y or n (Space "
					    "switches).", jstr(ind, "code"));
				return W_HANDLED;
			}
		} else {
			if (f->fresh)
				field_set(f, "");
			append_utf8(&f->text, key, f->ind < 0 ? NOTES_MAX : VALUE_MAX);
		}
		f->fresh = false;
		if (f->error)
			field_error(f, NULL);
		draft_write(s, g);
		return W_CHANGED;
	}
	switch (a) {
	case ACT_NEXT_FIELD:
		move_focus(s, g, 1);
		return W_HANDLED;
	case ACT_PREV_FIELD:
		move_focus(s, g, -1);
		return W_HANDLED;
	case ACT_DELETE_BACK:
	case ACT_DELETE_CHAR:
		if (f && f->text[0]) {
			size_t n = strlen(f->text);
			while (n > 0 && ((unsigned char)f->text[n - 1] & 0xc0) == 0x80)
				n--;
			f->text[n ? n - 1 : 0] = '\0';
			f->fresh = false;
			draft_write(s, g);
		}
		return f ? W_CHANGED : W_IGNORED;
	case ACT_KILL_LINE:
		if (f) {
			field_set(f, "");
			f->fresh = false;
			draft_write(s, g);
			return W_CHANGED;
		}
		return W_IGNORED;
	case ACT_CURSOR_LEFT: case ACT_CURSOR_RIGHT: case ACT_LINE_START: case ACT_LINE_END:
		if (f)
			f->fresh = false;
		return f ? W_HANDLED : W_IGNORED;
	case ACT_CHOOSE:
		if (f && ind && kind_is(ind, "yesno")) {
			choose_yesno(s, g, ind);
			return W_HANDLED;
		}
		return f ? W_HANDLED : W_IGNORED;
	case ACT_SAVE_WIP:
		save(s, g, false);
		return W_HANDLED;
	case ACT_SUBMIT_DATA:
	case ACT_SUBMIT:
		save(s, g, true);
		return W_HANDLED;
	case ACT_HISTORY:
		de_history(s, g->ach, g->gid);
		return W_HANDLED;
	default:
		return W_IGNORED;
	}
}

bool gform_unsaved(const struct gform *g)
{
	return g->form && g->nf && g->draft && access(g->draft, F_OK) == 0;
}

bool gform_offers(struct gform *g, enum action a)
{
	switch (a) {
	case ACT_SAVE_WIP: case ACT_SUBMIT_DATA:
		return g->form && g->nf;
	case ACT_CHOOSE:
		return g->form && g->nf && kind_is(indicator(g, g->f[g->focus].ind), "yesno");
	case ACT_FILTER: case ACT_TAG_ALL: case ACT_TOGGLE_TAG:
		return false;
	default:
		return true;
	}
}

/* ------------------------------------------------------------ drawing */

/* Splits text into two lines of at most w columns at spaces (the second
 * ends with "..." when text is longer); out buffers of size n. */
static void wrap2(const char *text, int w, char *l1, char *l2, size_t n)
{
	l1[0] = l2[0] = '\0';
	size_t len = strlen(text);
	if ((int)len <= w) {
		snprintf(l1, n, "%s", text);
		return;
	}
	size_t cut = (size_t)w;
	while (cut > 0 && text[cut] != ' ')
		cut--;
	if (cut == 0)
		cut = (size_t)w;
	snprintf(l1, n, "%.*s", (int)cut, text);
	const char *rest = text + cut;
	while (*rest == ' ')
		rest++;
	if ((int)strlen(rest) <= w)
		snprintf(l2, n, "%s", rest);
	else
		snprintf(l2, n, "%.*s...", w - 3, rest);
}

static void draw_field(struct screen *s, struct gform *g, WINDOW *w, int y, int x, int fw,
		       size_t i)
{
	struct gfield *f = &g->f[i];
	bool focus = i == g->focus;
	/* Fields keep their underlined box whether focused or not, as on a
	 * 3270: the hardware cursor and the ">" at the start of the row show
	 * the focus, so a field move rewrites a few cells, not two fields. */
	enum style st = ST_FIELD;
	const char *t = f->text;
	int tw = tui_width(t);
	/* long text: show its end */
	while (tw >= fw && *t) {
		t++;
		while (((unsigned char)*t & 0xc0) == 0x80)
			t++;
		tw = tui_width(t);
	}
	tui_put(w, y, x, fw, t, st, true);
	if (focus) {
		s->show_cursor = true;
		s->cur_y = y;
		s->cur_x = x + tw;
	}
}

void gform_draw(struct screen *s, struct gform *g, WINDOW *w, int h, int width)
{
	json_t *a = json_object_get(g->form, "achievement");
	json_t *grp = json_object_get(g->form, "group");
	if (!g->form) {
		tui_put(w, 0, 0, width, "Indicator group", ST_HEADING, true);
		tui_put(w, 2, 0, width, g->loading ? "Loading... (Esc stops it)" :
			(g->notice ? g->notice : ""), g->notice_error ? ST_ERROR : ST_INFO, true);
		return;
	}
	tui_printf(w, 0, 0, width, ST_HEADING, true, "%s %s (%s)", jstr(grp, "code"),
		   jstr(grp, "name"), strcmp(jstr(grp, "kind"), "mi") == 0 ?
		   "Management Information" : "Payment");
	json_t *org = json_object_get(a, "organisation"), *svc = json_object_get(a, "service");
	tui_printf(w, 1, 0, width - 12, ST_NORMAL, true, "%s %s  %s", jstr(org, "code"),
		   jstr(org, "name"), jstr(svc, "name"));
	de_put_date(w, 1, width - 11, jstr(a, "date"), json_is_true(json_object_get(a, "payment")));
	/* the notice (a read-only form's whole reason) wraps onto up to
	 * three rows rather than being cut */
	int hy = 3;
	if (g->notice)
		hy = 2 + de_put_wrapped(w, 2, 0, width, 3, g->notice,
					g->notice_error ? ST_ERROR : ST_OK);
	else {
		/* the keys whole, the letter keys too (the function bar has
		 * only the F-keys) */
		static const char *const hint[] = {"Enter/Tab next field", "F6/C-w Save WIP",
						   "F8/C-s Submit", "F3/C-v History", "Esc back"};
		hy = 2 + tui_pieces(w, 2, width, 2, hint, ARRAY_SIZE(hint), ST_DIM, NULL);
	}
	tui_put(w, hy, 0, COL_CUR, "  Indicator", ST_COLHEAD, true);
	tui_put(w, hy, COL_CUR, COL_NEW - COL_CUR, "Current", ST_COLHEAD, true);
	tui_put(w, hy, COL_NEW, width - COL_NEW, "New Value", ST_COLHEAD, true);

	json_t *inds = json_object_get(g->form, "indicators");
	size_t n = json_array_size(inds);
	int area = h - (hy + 1) - 3;
	size_t per = area > 3 ? (size_t)area / 3 : 1;
	/* keep the focused indicator in view */
	if (g->nf && g->f[g->focus].ind >= 0) {
		size_t fi = (size_t)g->f[g->focus].ind;
		if (fi < g->top)
			g->top = fi;
		if (fi >= g->top + per)
			g->top = fi - per + 1;
	}
	for (size_t k = 0; k < per; k++) {
		int y = hy + 1 + (int)k * 3;
		size_t i = g->top + k;
		if (i >= n) {
			for (int r = 0; r < 3; r++)
				tui_clear(w, y + r, 0, width);
			continue;
		}
		json_t *ind = json_array_get(inds, i);
		bool focus_here = g->nf && g->f[g->focus].ind == (int)i;
		tui_put(w, y, 0, COL_CODE, focus_here ? "> " : "  ", ST_NORMAL, true);
		tui_put(w, y, COL_CODE, COL_CUR - COL_CODE, jstr(ind, "code"), ST_LABEL, true);
		char cur[48];
		current_text(ind, cur, sizeof(cur));
		tui_put(w, y, COL_CUR, COL_NEW - COL_CUR, cur, ST_NORMAL, true);
		int x = COL_NEW;
		const char *err = NULL;
		bool any = false;
		for (size_t fi = 0; fi < g->nf; fi++) {
			if (g->f[fi].ind != (int)i)
				continue;
			any = true;
			int fw = field_width(ind);
			if (g->f[fi].part == 1) {
				tui_put(w, y, x, 3, " / ", ST_NORMAL, true);
				x += 3;
			}
			draw_field(s, g, w, y, x, fw, fi);
			x += fw;
			if (g->f[fi].error && !err)
				err = g->f[fi].error;
		}
		if (!any) {
			/* the whole form's reason is whole above (the notice):
			 * a row only points to it rather than cutting it */
			const char *why = jstr(ind, "locked_because");
			tui_printf(w, y, x, width - x, ST_DIM, true, "locked: %s",
				   why[0] ? why : g->notice && str_has_prefix(g->notice, "Read-only: ") ?
				   "the reason is above" :
				   jstr(g->form, "reason")[0] ? jstr(g->form, "reason") :
				   "read-only");
		} else if (err) {
			tui_printf(w, y, x + 1, width - x - 1, ST_ERROR, true, "! %s", err);
		} else {
			tui_clear(w, y, x, width - x);
		}
		char l1[256], l2[256];
		wrap2(jstr(ind, "description"), width - 4, l1, l2, sizeof(l1));
		tui_put(w, y + 1, 4, width - 4, l1, ST_DIM, true);
		tui_put(w, y + 2, 4, width - 4, l2, ST_DIM, true);
	}
	/* the notes */
	int ny = h - 3;
	if (g->nf) {
		size_t ni = g->nf - 1;
		bool focus = g->focus == ni;
		tui_put(w, ny, 0, 2, focus ? "> " : "  ", ST_NORMAL, true);
		tui_put(w, ny, 2, 18, "Submission notes:", ST_LABEL, true);
		/* what is left of the server's limit, beside the field */
		char left[24];
		snprintf(left, sizeof left, " %zu left", NOTES_MAX - strlen(g->f[ni].text));
		int lw = tui_width(left);
		draw_field(s, g, w, ny, 20, width - 21 - lw, ni);
		tui_put(w, ny, width - lw, lw, left, ST_DIM, true);
		if (g->f[ni].error)
			tui_printf(w, ny + 1, 2, width - 2, ST_ERROR, true, "! %s", g->f[ni].error);
	}
	json_t *last = json_array_get(json_object_get(g->form, "notes"), 0);
	if (last && !(g->nf && g->f[g->nf - 1].error)) {
		char when[32];
		de_when(json_integer_value(json_object_get(last, "at")), when, sizeof(when));
		char *t = xasprintf("Last note %s %s: %s", when, jstr(last, "user_name"),
				    jstr(last, "notes"));
		/* a note too long for its row says where it is whole */
		static const char more[] = "... (F3: the whole note)";
		int mw = tui_width(t) > width - 2 ? tui_width(more) : 0;
		tui_put(w, ny + 1, 2, width - 2 - mw, t, ST_DIM, true);
		if (mw)
			tui_put(w, ny + 1, width - mw, mw, more, ST_DIM, true);
		free(t);
	}
	char st[80];
	if (g->nf)
		snprintf(st, sizeof(st), "Field %zu of %zu   indicators %zu-%zu of %zu%s",
			 g->focus + 1, g->nf, n ? g->top + 1 : 0,
			 g->top + per < n ? g->top + per : n, n, g->busy ? "   sending..." : "");
	else
		snprintf(st, sizeof(st), "Read-only   indicators %zu-%zu of %zu", n ? g->top + 1 : 0,
			 g->top + per < n ? g->top + per : n, n);
	tui_put(w, h - 1, 0, width, st, ST_DIM, true);
}
