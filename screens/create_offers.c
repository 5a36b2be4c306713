/* create_offers.c: Participation Management > Create Offers, the
 * commissioner's five steps: 1 select the quality service (GET /services,
 * filtered by financial year and payment type), 2 define the details (the
 * service start, end, response and target dates, DD/MM/YYYY, each checked
 * to lie within the service's own dates), 3 choose the service providers
 * (the practices in scope and cluster from GET /organisations, or for a
 * network-level service the PCNs, whose member practices come with them
 * and cannot be deselected), with search, checkboxes and Select All, 4
 * review, 5 confirm (Yes/No; Esc aborts) and POST /offers; the offers
 * made are then listed row by row. Esc goes back a step. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/offer_view.h"
#include "screens/screens.h"
#include "tui/form.h"
#include "tui/tui.h"
#include "util.h"
#include "validate.h"

enum step { S_SERVICE, S_DETAILS, S_PROVIDERS, S_REVIEW, S_RESULT };

static const char *const step_names[] = {
	"Select the quality service", "Define the details", "Choose the service providers",
	"Review", "Confirm",
};

static const char *const ptypes[] = {"All", "QOF", "DES", "ES", "VI", "PO"};
#define NPTYPES (sizeof(ptypes) / sizeof(ptypes[0]))

enum { F_START, F_END, F_RESPONSE, F_TARGET };

struct prov {
	json_t *org;       /* borrowed from orgs or a PCN's detail */
	int parent;        /* row of its PCN for a member practice, else -1 */
	const char *held;  /* status of an offer it already holds (not
			    * cancelled), e.g. "Approved"; NULL if none */
};

struct co {
	struct screen *s;
	enum step step;
	/* step 1 */
	json_t *services;  /* GET /services; owned reference */
	size_t *sidx;      /* rows shown: indexes into services; owned */
	size_t ns;
	char year[8];      /* "" = all years */
	size_t ptype;      /* index into ptypes */
	struct list slist;
	bool loading;
	char *error;       /* owned */
	json_t *svc;       /* the chosen service (borrowed from services) */
	/* step 2 */
	struct form form;
	char start[11], end[11], response[11], target[11];
	/* step 3 */
	bool network;
	json_t *orgs;      /* GET /organisations; owned reference */
	json_t *details;   /* code -> GET /organisations/{code}, for PCNs; owned */
	json_t *held;      /* code -> status of a non-cancelled offer of the
			    * service (GET /offers?service=), and for a PCN
			    * the offers via it; owned */
	size_t waiting;    /* PCN details still to come */
	struct prov *rows; /* owned */
	size_t nrows;
	char **text;       /* search text per row; owned */
	struct list plist;
	/* step 4 and 5 */
	char **lines;      /* review or result lines; owned */
	size_t nlines;
	struct list rlist;
	bool failed;       /* the last POST /offers was refused */
	struct year_pick years; /* the Financial year drop-down's state */
};

/* ------------------------------------------------------------ helpers */

static void lines_clear(struct co *c)
{
	for (size_t i = 0; i < c->nlines; i++)
		free(c->lines[i]);
	xfree(&c->lines);
	c->nlines = 0;
	list_set_count(&c->rlist, 0);
}

static void line_add(struct co *c, char *line)
{
	c->lines = xrealloc(c->lines, (c->nlines + 1) * sizeof(char *));
	c->lines[c->nlines++] = line;
	list_set_count(&c->rlist, c->nlines);
}

static void rows_clear(struct co *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		free(c->text[i]);
	xfree(&c->text);
	xfree(&c->rows);
	c->nrows = 0;
	json_decref(c->orgs);
	json_decref(c->details);
	json_decref(c->held);
	c->orgs = c->details = c->held = NULL;
	c->waiting = 0;
	list_set_count(&c->plist, 0);
}

static const char *svc_str(struct co *c, const char *key)
{
	return ojstr(c->svc, key);
}

/* ------------------------------------------------------------ step 1 */

static void draw_service(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct co *c = ud;
	json_t *svc = json_array_get(c->services, c->sidx[row]);
	char d1[11], d2[11];
	date_display(ojstr(svc, "start_date"), d1);
	date_display(ojstr(svc, "end_date"), d2);
	int nw = width - 32;
	tui_put(w, y, x, nw, ojstr(svc, "display_name"), ST_NORMAL, true);
	/* a blank after the level, so it never runs into the dates */
	tui_put(w, y, x + nw, 10, strcmp(ojstr(svc, "level"), "NETWORK") == 0 ? " network"
		: " practice", ST_NORMAL, true);
	tui_printf(w, y, x + nw + 10, width - nw - 10, ST_NORMAL, true, "%s-%s", d1, d2);
}

static const char *service_text(void *ud, size_t row)
{
	struct co *c = ud;
	return row < c->ns ? ojstr(json_array_get(c->services, c->sidx[row]), "display_name") : "";
}

static void filter_services(struct co *c)
{
	xfree(&c->sidx);
	c->ns = 0;
	size_t n = json_array_size(c->services);
	c->sidx = xcalloc(n ? n : 1, sizeof(size_t));
	size_t i;
	json_t *svc;
	json_array_foreach(c->services, i, svc) {
		if (c->year[0] && strcmp(ojstr(svc, "financial_year"), c->year) != 0)
			continue;
		if (c->ptype && strcmp(ojstr(svc, "payment_type"), ptypes[c->ptype]) != 0)
			continue;
		c->sidx[c->ns++] = i;
	}
	list_set_count(&c->slist, c->ns);
	c->slist.cur = c->slist.top = 0;
}

static void on_services(struct screen *s, const struct api_response *r)
{
	struct co *c = s->priv;
	c->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the quality services")) {
		free(c->error);
		c->error = xasprintf("Could not load the quality services: %s", r->err_message);
		return;
	}
	json_decref(c->services);
	json_t *arr = json_object_get(r->json, "services");
	c->services = json_is_array(arr) ? json_incref(arr) : json_array();
	c->svc = NULL;
	filter_services(c);
}

static void to_step1(struct co *c)
{
	c->step = S_SERVICE;
	rows_clear(c);
	lines_clear(c);
	c->failed = false;
}

/* ------------------------------------------------------------ step 2 */

static void to_step2(struct co *c)
{
	c->step = S_DETAILS;
	form_free(&c->form);
	form_init(&c->form);
	form_add(&c->form, "Service start date", F_DATE, 10);
	form_add(&c->form, "Service end date", F_DATE, 10);
	form_add(&c->form, "Response date", F_DATE, 10);
	form_add(&c->form, "Target date", F_DATE, 10);
	char d[11];
	date_display(c->start[0] ? c->start : svc_str(c, "start_date"), d);
	form_set(&c->form, F_START, d);
	date_display(c->end[0] ? c->end : svc_str(c, "end_date"), d);
	form_set(&c->form, F_END, d);
	if (c->response[0]) {
		date_display(c->response, d);
		form_set(&c->form, F_RESPONSE, d);
	}
	if (c->target[0]) {
		date_display(c->target, d);
		form_set(&c->form, F_TARGET, d);
	}
}

/* Reads field i as an ISO date into out ("" when empty); false with the
 * field's error set when it is not a date. */
static bool field_date(struct co *c, size_t i, char out[11])
{
	out[0] = '\0';
	if (form_empty(&c->form, i))
		return true;
	char *s = form_get(&c->form, i);
	char why[160];
	int64_t v;
	bool ok = value_check(VK_DATE, NULL, s, &v, why, sizeof(why));
	free(s);
	if (!ok) {
		form_set_error(&c->form, i, why);
		return false;
	}
	struct ymd d = {(int)(v / 10000 % 10000), (int)(v / 100 % 100), (int)(v % 100)};
	date_format(&d, out);
	return true;
}

static bool check_details(struct co *c)
{
	if (!form_validate(&c->form))
		return false;
	char d[4][11];
	for (size_t i = 0; i < 4; i++)
		if (!field_date(c, i, d[i])) {
			c->form.focus = i;
			return false;
		}
	const char *lo = svc_str(c, "start_date"), *hi = svc_str(c, "end_date");
	char dlo[11], dhi[11];
	date_display(lo, dlo);
	date_display(hi, dhi);
	int bad = -1;
	for (size_t i = 0; i < 4; i++) {
		if (!d[i][0]) {
			if (i == F_START || i == F_END) {
				form_set_error(&c->form, i, "is required");
				if (bad < 0)
					bad = (int)i;
			}
			continue;
		}
		if (strcmp(d[i], lo) < 0 || strcmp(d[i], hi) > 0) {
			char *msg = xasprintf("must be within %s to %s", dlo, dhi);
			form_set_error(&c->form, i, msg);
			free(msg);
			if (bad < 0)
				bad = (int)i;
		}
	}
	if (bad < 0 && strcmp(d[F_END], d[F_START]) < 0) {
		form_set_error(&c->form, F_END, "must not be before the start date");
		bad = F_END;
	}
	if (bad < 0 && d[F_RESPONSE][0] && strcmp(d[F_RESPONSE], d[F_END]) > 0) {
		form_set_error(&c->form, F_RESPONSE, "must not be after the end date");
		bad = F_RESPONSE;
	}
	if (bad >= 0) {
		c->form.focus = (size_t)bad;
		return false;
	}
	memcpy(c->start, d[F_START], 11);
	memcpy(c->end, d[F_END], 11);
	memcpy(c->response, d[F_RESPONSE], 11);
	memcpy(c->target, d[F_TARGET], 11);
	return true;
}

/* ------------------------------------------------------------ step 3 */

static void draw_provider(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct co *c = ud;
	struct prov *p = &c->rows[row];
	if (p->parent >= 0) {
		tui_printf(w, y, x, width, ST_DIM, true, "  member %s %s (comes with %s)",
			   ojstr(p->org, "code"), ojstr(p->org, "name"),
			   ojstr(c->rows[p->parent].org, "code"));
		return;
	}
	int nw = width - 20;
	enum style st = p->held ? ST_DIM : ST_NORMAL;
	tui_put(w, y, x, 8, ojstr(p->org, "code"), st, true);
	if (p->held) {
		/* left out: it already holds the offer */
		tui_put(w, y, x + 8, nw - 26, ojstr(p->org, "name"), st, true);
		tui_printf(w, y, x + nw - 18, 18, ST_LABEL, true, " already %s", p->held);
	} else {
		tui_put(w, y, x + 8, nw - 8, ojstr(p->org, "name"), st, true);
	}
	tui_printf(w, y, x + nw, width - nw, st, true, "%10lld list",
		   (long long)json_integer_value(json_object_get(p->org, "list_size")));
}

static const char *provider_text(void *ud, size_t row)
{
	struct co *c = ud;
	return row < c->nrows ? c->text[row] : "";
}

/* The date membership is judged on: the start date, or today if later. */
static void member_date(struct co *c, char out[11])
{
	const char *today = ojstr(app_me(c->s->app), "business_date");
	strlcpy_s(out, c->start, 11);
	if (date_valid(today) && strcmp(today, out) > 0)
		strlcpy_s(out, today, 11);
}

static void add_row(struct co *c, json_t *org, int parent)
{
	c->rows = xrealloc(c->rows, (c->nrows + 1) * sizeof(struct prov));
	c->text = xrealloc(c->text, (c->nrows + 1) * sizeof(char *));
	c->rows[c->nrows] = (struct prov){org, parent, NULL};
	c->text[c->nrows] = xasprintf("%s %s", ojstr(org, "code"), ojstr(org, "name"));
	c->nrows++;
}

/* Builds the rows once everything has arrived: each organisation, and
 * under each PCN its members on the membership date. */
static void build_rows(struct co *c)
{
	char on[11];
	member_date(c, on);
	size_t i, k;
	json_t *o, *mem;
	json_array_foreach(json_object_get(c->orgs, "organisations"), i, o) {
		int me = (int)c->nrows;
		add_row(c, o, -1);
		if (!c->network)
			continue;
		json_t *det = json_object_get(c->details, ojstr(o, "code"));
		json_array_foreach(json_object_get(det, "memberships"), k, mem) {
			const char *from = ojstr(mem, "start_date"), *to = ojstr(mem, "end_date");
			if (strcmp(ojstr(mem, "pcn"), ojstr(o, "code")) != 0 || strcmp(from, on) > 0 ||
			    (to[0] && strcmp(to, on) < 0))
				continue;
			json_t *pr = json_pack("{s:s, s:s}", "code", ojstr(mem, "practice"), "name",
					       ojstr(mem, "name"));
			/* kept alive by the detail object */
			json_object_set_new(mem, "_row", pr);
			add_row(c, pr, me);
		}
	}
	/* which providers already hold the offer: a practice with a
	 * non-cancelled offer; a PCN whose own offer, or an offer via it, or
	 * a current member's offer, is not cancelled */
	for (size_t r = 0; r < c->nrows; r++) {
		const char *st = json_string_value(json_object_get(c->held,
								   ojstr(c->rows[r].org, "code")));
		if (!st && c->rows[r].parent < 0 && c->network) {
			char *via = xasprintf("via:%s", ojstr(c->rows[r].org, "code"));
			st = json_string_value(json_object_get(c->held, via));
			free(via);
		}
		if (!st)
			continue;
		c->rows[r].held = st;
		if (c->rows[r].parent >= 0 && !c->rows[c->rows[r].parent].held)
			c->rows[c->rows[r].parent].held = st;
	}
	list_set_count(&c->plist, c->nrows);
	list_set_taggable(&c->plist, true);
	memset(c->plist.tags, 0, (c->nrows ? c->nrows : 1) * sizeof(bool));
	c->plist.cur = c->plist.top = 0;
}

static void on_pcn(struct screen *s, const struct api_response *r)
{
	struct co *c = s->priv;
	if (!c->waiting)
		return;
	c->waiting--;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading a PCN's member practices")) {
		free(c->error);
		c->error = xasprintf("Could not load a PCN's members: %s", r->err_message);
	} else {
		json_object_set(c->details, ojstr(r->json, "code"), r->json);
	}
	if (!c->waiting)
		build_rows(c);
}

static void on_orgs(struct screen *s, const struct api_response *r)
{
	struct co *c = s->priv;
	c->loading = false;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the service providers")) {
		free(c->error);
		c->error = xasprintf("Could not load the service providers: %s", r->err_message);
		return;
	}
	json_decref(c->orgs);
	c->orgs = json_incref(r->json);
	if (!c->network) {
		build_rows(c);
		return;
	}
	size_t i;
	json_t *o;
	json_t *list = json_object_get(c->orgs, "organisations");
	c->waiting = json_array_size(list);
	if (!c->waiting) {
		build_rows(c);
		return;
	}
	json_array_foreach(list, i, o) {
		app_call(s->app, s, call_org(ojstr(o, "code")), on_pcn);
	}
}

static void on_held(struct screen *s, const struct api_response *r)
{
	struct co *c = s->priv;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the offers already made")) {
		c->loading = false;
		free(c->error);
		c->error = xasprintf("Could not load the offers already made: %s", r->err_message);
		return;
	}
	json_decref(c->held);
	c->held = json_object();
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(r->json, "offers"), i, o) {
		const char *st = ojstr(o, "status");
		if (!st[0] || !strcmp(st, "CANCELLED"))
			continue;
		json_t *name = json_string(offer_status_name(st));
		const char *code = ojstr(json_object_get(o, "organisation"), "code");
		if (!json_object_get(c->held, code))
			json_object_set(c->held, code, name);
		const char *via = ojstr(o, "via_pcn");
		if (via[0]) {
			char *k = xasprintf("via:%s", via);
			if (!json_object_get(c->held, k))
				json_object_set(c->held, k, name);
			free(k);
		}
		json_decref(name);
	}
	struct orgs_q q = { .kind = c->network ? "PCN" : "PRACTICE", .limit = 500 };
	app_call(s->app, s, call_orgs(&q), on_orgs);
}

static void to_step3(struct co *c)
{
	c->step = S_PROVIDERS;
	if (c->orgs)
		return; /* keep the ticks when coming back from the review */
	rows_clear(c);
	c->network = strcmp(svc_str(c, "level"), "NETWORK") == 0;
	c->details = json_object();
	c->loading = true;
	xfree(&c->error);
	struct offers_q q = { .service = json_integer_value(json_object_get(c->svc, "id")) };
	app_call(c->s->app, c->s, call_offers(&q), on_held);
}

/* Select All: ticks every provider that does not hold the offer yet
 * (again: unticks them). */
static void tick_all(struct co *c)
{
	bool all = true, any = false;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].parent < 0 && !c->rows[i].held) {
			any = true;
			all &= c->plist.tags[i];
		}
	for (size_t i = 0; i < c->nrows; i++)
		c->plist.tags[i] = any && !all && c->rows[i].parent < 0 && !c->rows[i].held;
}

/* Members follow their PCN's tick. */
static void sync_members(struct co *c)
{
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].parent >= 0)
			c->plist.tags[i] = c->plist.tags[c->rows[i].parent];
}

static size_t chosen_count(struct co *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nrows; i++)
		n += c->rows[i].parent < 0 && !c->rows[i].held && list_is_tagged(&c->plist, i);
	return n;
}

/* ------------------------------------------------------------ step 4 */

static void draw_line(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct co *c = ud;
	const char *l = c->lines[row];
	enum style st = str_has_prefix(l, "Error:") || str_has_prefix(l, "Refused")
		? ST_ERROR : str_has_prefix(l, "Offered:") || str_has_prefix(l, "Approved")
		? ST_OK : ST_NORMAL;
	tui_put(w, y, x, width, l, st, true);
}

static const char *line_text(void *ud, size_t row)
{
	struct co *c = ud;
	return row < c->nlines ? c->lines[row] : "";
}

static void to_step4(struct co *c)
{
	c->step = S_REVIEW;
	lines_clear(c);
	c->failed = false;
	char d1[11], d2[11], d3[11] = "none", d4[11] = "none";
	date_display(c->start, d1);
	date_display(c->end, d2);
	if (c->response[0])
		date_display(c->response, d3);
	if (c->target[0])
		date_display(c->target, d4);
	line_add(c, xasprintf("Quality Service: %s", svc_str(c, "display_name")));
	line_add(c, xasprintf("Service start %s, end %s; response date %s; target date %s", d1,
			      d2, d3, d4));
	line_add(c, xasprintf("Service providers (%zu):", chosen_count(c)));
	for (size_t i = 0; i < c->nrows; i++) {
		if (!list_is_tagged(&c->plist, i) || c->rows[i].held)
			continue;
		struct prov *p = &c->rows[i];
		line_add(c, xasprintf("%s%s %s", p->parent >= 0 ? "    member " : "  ",
				      ojstr(p->org, "code"), ojstr(p->org, "name")));
	}
	c->rlist.cur = c->rlist.top = 0;
}

/* ------------------------------------------------------------ step 5 */

static void on_created(struct screen *s, const struct api_response *r)
{
	struct co *c = s->priv;
	app_dirty(s->app);
	c->step = S_RESULT;
	lines_clear(c);
	if (app_failed(s->app, r, "Create Offers")) {
		c->failed = true;
		line_add(c, xasprintf("Error: nothing was offered: %s", r->err_message));
		const char *field = ojstr(json_object_get(r->json, "error"), "field");
		if (field[0])
			line_add(c, xasprintf("(the server names the field \"%s\")", field));
		line_add(c, xstrdup("Esc goes back to the review to change the details or the "
				    "service providers."));
		return;
	}
	json_t *offers = json_object_get(r->json, "offers");
	size_t i;
	json_t *o;
	json_array_foreach(offers, i, o) {
		json_t *org = json_object_get(o, "organisation");
		const char *via = ojstr(o, "via_pcn");
		bool autoacc = json_is_true(json_object_get(o, "auto_accepted"));
		char *extra = via[0] ? xasprintf(" via PCN %s", via) : xstrdup("");
		line_add(c, xasprintf("%s %s %s%s: %s%s", autoacc ? "Approved:" : "Offered:",
				      ojstr(org, "code"), ojstr(org, "name"), extra,
				      offer_status_name(ojstr(o, "status")),
				      autoacc ? " (accepted automatically on its behalf)" : ""));
		free(extra);
	}
	app_message(s->app, MSG_OK, "Create Offers: %s offered, %zu offer%s made.",
		    svc_str(c, "name"), json_array_size(offers),
		    json_array_size(offers) == 1 ? "" : "s");
}

static void on_confirm(void *ud, int result, const char *text)
{
	struct co *c = ud;
	if (result != POP_YES) {
		app_message(c->s->app, MSG_INFO, "Nothing was offered: still at step 4, Review.");
		return;
	}
	const char **orgs = xcalloc(c->nrows + 1, sizeof(*orgs));
	size_t n = 0;
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].parent < 0 && !c->rows[i].held && list_is_tagged(&c->plist, i))
			orgs[n++] = ojstr(c->rows[i].org, "code");
	struct offer_new o = {
		.service = json_integer_value(json_object_get(c->svc, "id")),
		.start = c->start, .end = c->end, .response = c->response, .target = c->target,
		.orgs = orgs, .norgs = n,
	};
	app_message(c->s->app, MSG_INFO, "Sending the offers...");
	app_call(c->s->app, c->s, call_offers_create(&o), on_created);
	free(orgs);
}

/* ------------------------------------------------------------ screen */

static void co_init(struct screen *s)
{
	struct co *c = s->priv;
	c->s = s;
	list_init(&c->slist, draw_service, service_text, c);
	list_init(&c->plist, draw_provider, provider_text, c);
	list_init(&c->rlist, draw_line, line_text, c);
	form_init(&c->form);
}

static void co_done(struct screen *s)
{
	struct co *c = s->priv;
	rows_clear(c);
	lines_clear(c);
	json_decref(c->services);
	c->services = NULL;
	xfree(&c->sidx);
	xfree(&c->error);
	list_free(&c->slist);
	list_free(&c->plist);
	list_free(&c->rlist);
	form_free(&c->form);
}

static void co_open(struct screen *s)
{
	struct co *c = s->priv;
	if (!c->year[0] && !c->services) {
		const char *fy = ojstr(app_me(s->app), "financial_year");
		if (fy_valid(fy))
			strlcpy_s(c->year, fy, sizeof(c->year));
	}
	if (c->step != S_SERVICE && c->step != S_PROVIDERS)
		return; /* a refresh does not lose what was typed */
	if (c->step == S_PROVIDERS) {
		json_decref(c->orgs);
		c->orgs = NULL;
		to_step3(c);
		return;
	}
	c->loading = true;
	xfree(&c->error);
	app_call(s->app, s, call_services(), on_services);
}

static void on_filter_value(void *ud, int result, const char *text)
{
	struct co *c = ud;
	if (result < 0)
		return;
	c->ptype = (size_t)result < NPTYPES ? (size_t)result : 0;
	filter_services(c);
	app_dirty(c->s->app);
}

static void on_year(void *ud, const char *year)
{
	struct co *c = ud;
	strlcpy_s(c->year, year, sizeof(c->year));
	filter_services(c);
	app_dirty(c->s->app);
}

static void on_filter_kind(void *ud, int result, const char *text)
{
	struct co *c = ud;
	if (result < 0)
		return;
	if (result == 1) {
		app_popup(c->s->app, popup_choice("Payment type", ptypes, NPTYPES, c->ptype,
						  on_filter_value, c));
		return;
	}
	/* the years the catalogue holds, then all */
	year_pick_of(&c->years, c->services, "financial_year");
	year_pick_all(&c->years, "All years");
	choose_year(c->s->app, &c->years, "Financial year", c->year, on_year, c);
}

static enum wres co_action(struct screen *s, enum action a, int key)
{
	struct co *c = s->priv;
	switch (c->step) {
	case S_SERVICE: {
		if (a == ACT_FILTER && !c->slist.searching) {
			char y[48], p[48];
			snprintf(y, sizeof(y), "Financial year: %s", c->year[0] ? c->year : "all");
			snprintf(p, sizeof(p), "Payment type: %s", ptypes[c->ptype]);
			const char *items[] = {y, p};
			app_popup(s->app, popup_choice("Filter", items, 2, 0, on_filter_kind, c));
			return W_HANDLED;
		}
		enum wres r = list_action(&c->slist, a, key);
		if (r == W_OPEN && c->ns) {
			c->svc = json_array_get(c->services, c->sidx[c->slist.cur]);
			c->start[0] = c->end[0] = c->response[0] = c->target[0] = '\0';
			rows_clear(c);
			to_step2(c);
			app_message(s->app, MSG_INFO, "Step 2 of 5: the dates of the offer.");
			return W_HANDLED;
		}
		if (r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL))
			return W_HANDLED;
		return r == W_OPEN ? W_HANDLED : r;
	}
	case S_DETAILS: {
		if (a == ACT_BACK) {
			c->step = S_SERVICE;
			app_message(s->app, MSG_INFO, "Step 1 of 5: choose the quality service.");
			return W_HANDLED;
		}
		enum wres r = form_action(&c->form, a, key);
		if (r == W_SUBMIT) {
			if (check_details(c)) {
				to_step3(c);
				app_message(s->app, MSG_INFO, "Step 3 of 5: tick the service providers.");
			} else {
				app_message(s->app, MSG_ERROR, "Correct the dates marked with !.");
			}
			return W_HANDLED;
		}
		if (r == W_IGNORED && key >= 32 && key < 127 && a != ACT_HELP) {
			app_message(s->app, MSG_INFO, "Dates are typed DD/MM/YYYY.");
			return W_HANDLED;
		}
		return r == W_CHANGED ? W_HANDLED : r;
	}
	case S_PROVIDERS: {
		if (a == ACT_BACK && !c->plist.searching) {
			to_step2(c);
			app_message(s->app, MSG_INFO, "Step 2 of 5: the dates of the offer.");
			return W_HANDLED;
		}
		if (a == ACT_TOGGLE_TAG && !c->plist.searching && c->nrows &&
		    c->rows[c->plist.cur].parent < 0 && c->rows[c->plist.cur].held) {
			struct prov *p = &c->rows[c->plist.cur];
			app_message(s->app, MSG_INFO, "%s already holds %s (%s): it is left out.",
				    ojstr(p->org, "code"), svc_str(c, "name"), p->held);
			return W_HANDLED;
		}
		if (a == ACT_TAG_ALL && !c->plist.searching) {
			tick_all(c);
			sync_members(c);
			return W_HANDLED;
		}
		if (a == ACT_TOGGLE_TAG && !c->plist.searching && c->nrows &&
		    c->rows[c->plist.cur].parent >= 0) {
			struct prov *p = &c->rows[c->plist.cur];
			app_message(s->app, MSG_INFO, "%s comes with its PCN %s and cannot be "
				    "deselected on its own.", ojstr(p->org, "code"),
				    ojstr(c->rows[p->parent].org, "code"));
			return W_HANDLED;
		}
		bool typing = c->plist.searching;
		enum wres r = list_action(&c->plist, a, key);
		if (!typing && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL))
			sync_members(c);
		if (r == W_OPEN) {
			if (c->waiting || c->loading)
				return W_HANDLED;
			if (!chosen_count(c)) {
				app_message(s->app, MSG_ERROR, "Tick at least one service provider "
					    "(Space, or a for Select All).");
				return W_HANDLED;
			}
			to_step4(c);
			app_message(s->app, MSG_INFO, "Step 4 of 5: review; Enter confirms.");
			return W_HANDLED;
		}
		return r;
	}
	case S_REVIEW: {
		if (a == ACT_BACK) {
			c->step = S_PROVIDERS;
			app_message(s->app, MSG_INFO, "Step 3 of 5: tick the service providers.");
			return W_HANDLED;
		}
		enum wres r = list_action(&c->rlist, a, key);
		if (r == W_OPEN) {
			char *q = xasprintf("Offer %s to %zu service provider%s?", svc_str(c, "name"),
					    chosen_count(c), chosen_count(c) == 1 ? "" : "s");
			app_popup(s->app, popup_confirm(q, on_confirm, c));
			free(q);
			app_message(s->app, MSG_INFO, "Step 5 of 5: confirm.");
			return W_HANDLED;
		}
		if (r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL))
			return W_HANDLED;
		return r;
	}
	case S_RESULT: {
		if (a == ACT_BACK || a == ACT_OPEN) {
			if (c->failed) {
				to_step4(c);
				app_message(s->app, MSG_INFO, "Step 4 of 5: review.");
			} else {
				to_step1(c);
				app_message(s->app, MSG_INFO, "Step 1 of 5: choose the quality service.");
			}
			return W_HANDLED;
		}
		enum wres r = list_action(&c->rlist, a, key);
		return r == W_IGNORED && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL) ? W_HANDLED : r;
	}
	}
	return W_IGNORED;
}

static enum context co_context(struct screen *s)
{
	struct co *c = s->priv;
	return c->step == S_DETAILS ? CTX_FORM : CTX_LIST;
}

static void co_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct co *c = s->priv;
	int st = c->step == S_RESULT ? 4 : (int)c->step;
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Create Offers, step %d of 5: %s", st + 1,
		   c->step == S_RESULT ? "Result" : step_names[st]);
	int y = 1;
	if (c->error && c->step != S_DETAILS) {
		tui_printf(w, y + 2, 0, width, ST_ERROR, true, "Error: %s", c->error);
		return;
	}
	switch (c->step) {
	case S_SERVICE:
		tui_printf(w, y++, 0, width, ST_LABEL, true, "Financial year: %s   Payment type: %s"
			   "   (f changes them)", c->year[0] ? c->year : "all", ptypes[c->ptype]);
		tui_put(w, y++, 0, width, "Enter chooses the service; / searches.", ST_DIM, true);
		if (c->loading && !c->services) {
			tui_put(w, y, 0, width, "Loading... (Esc stops it)", ST_INFO, true);
			return;
		}
		if (!c->ns) {
			tui_put(w, y + 1, 0, width, "No quality services match these filters (f "
				"changes them).", ST_INFO, true);
			return;
		}
		tui_clear(w, y, 0, 2);
		tui_put(w, y, 2, width - 34, "Quality Service", ST_COLHEAD, true);
		tui_put(w, y, width - 32, 10, " Level", ST_COLHEAD, true);
		tui_put(w, y, width - 22, 22, "Service dates", ST_COLHEAD, true);
		list_draw(&c->slist, w, y + 1, 0, h - y - 1, width);
		return;
	case S_DETAILS: {
		char dlo[11], dhi[11];
		date_display(svc_str(c, "start_date"), dlo);
		date_display(svc_str(c, "end_date"), dhi);
		tui_printf(w, y++, 0, width, ST_LABEL, true, "%s", svc_str(c, "display_name"));
		tui_printf(w, y++, 0, width, ST_DIM, true, "Dates DD/MM/YYYY within the service's "
			   "dates, %s to %s; response and target may be empty.", dlo, dhi);
		tui_put(w, y++, 0, width, "Tab moves between fields; Enter goes on to step 3; Esc "
			"back to step 1.", ST_DIM, true);
		form_draw(&c->form, w, y + 1, 0, 12);
		s->show_cursor = true;
		s->cur_y = c->form.cur_y;
		s->cur_x = c->form.cur_x;
		return;
	}
	case S_PROVIDERS: {
		tui_printf(w, y++, 0, width, ST_LABEL, true, "%s: %zu ticked", svc_str(c, "name"),
			   chosen_count(c));
		tui_put(w, y++, 0, width, c->network
			? "Tick PCNs (members come along); \"already\" ones are left out. Enter: review"
			: "Space ticks, a Select All; \"already\" ones are left out; Enter: review",
			ST_DIM, true);
		if (c->loading || c->waiting) {
			tui_put(w, y, 0, width, "Loading the service providers... (Esc stops it)",
				ST_INFO, true);
			return;
		}
		if (!c->nrows) {
			tui_printf(w, y + 1, 0, width, ST_INFO, true, "There are no %s in your scope "
				   "to offer this service to.", c->network ? "PCNs" : "practices");
			return;
		}
		tui_clear(w, y, 0, 6);
		tui_put(w, y, 6, 8, "Code", ST_COLHEAD, true);
		tui_put(w, y, 14, width - 34, c->network ? "PCN and its member practices"
			: "Practice", ST_COLHEAD, true);
		tui_put(w, y, width - 20, 20, "   List size", ST_COLHEAD, true);
		list_draw(&c->plist, w, y + 1, 0, h - y - 1, width);
		return;
	}
	case S_REVIEW:
	case S_RESULT:
		tui_put(w, y++, 0, width, c->step == S_REVIEW
			? "Enter: confirm (step 5)   Esc: back to step 3"
			: c->failed ? "Esc: back to the review"
			: "The offers made, row by row. Enter or Esc: offer another service.",
			ST_DIM, true);
		list_draw(&c->rlist, w, y + 1, 0, h - y - 1, width);
		return;
	}
}

static bool co_offers(struct screen *s, enum action a)
{
	struct co *c = s->priv;
	switch (a) {
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
		return c->step == S_PROVIDERS;
	case ACT_FILTER:
		return c->step == S_SERVICE;
	case ACT_CHOOSE:
		return false; /* the date fields have no drop-down */
	default:
		return true;
	}
}

const struct screen_ops create_offers_ops = {
	.priv_size = sizeof(struct co),
	.init = co_init,
	.open = co_open,
	.draw = co_draw,
	.action = co_action,
	.context = co_context,
	.done = co_done,
	.offers = co_offers,
};
