/* ach_common.c: helpers shared by the Achievement screens (see
 * ach_common.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/listscreen.h"
#include "screens/app.h"
#include "tui/tui.h"
#include "util.h"

const char *ac_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

long long ac_int(json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

bool ac_has(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v && !json_is_null(v);
}

void ac_points(long long milli, char *out, size_t size)
{
	long long c = (llabs(milli) + 5) / 10;
	snprintf(out, size, "%s%lld.%02lld", milli < 0 ? "-" : "", c / 100, c % 100);
}

void ac_pct(long long ppm, char *out, size_t size)
{
	long long t = (llabs(ppm) + 500) / 1000; /* tenths of a percent */
	snprintf(out, size, "%s%lld.%lld%%", ppm < 0 ? "-" : "", t / 10, t % 10);
}

void ac_value(json_t *ind, char *out, size_t size)
{
	json_t *v = json_object_get(ind, "value");
	const char *kind = ac_str(ind, "kind");
	if (!json_is_object(v)) {
		snprintf(out, size, "missing");
		return;
	}
	if (json_object_get(v, "numerator")) {
		snprintf(out, size, "%lld/%lld", ac_int(v, "numerator"), ac_int(v, "denominator"));
		return;
	}
	long long n = ac_int(v, "value");
	if (!strcmp(kind, "yesno")) {
		snprintf(out, size, "%s", n ? "Yes" : "No");
	} else if (!strcmp(kind, "money")) {
		money_format(n, out, size);
	} else if (!strcmp(kind, "date") && n > 19000000) {
		snprintf(out, size, "%02lld/%02lld/%04lld", n % 100, n / 100 % 100, n / 10000);
	} else {
		snprintf(out, size, "%lld", n);
	}
}

void ac_date(const char *iso, bool payment, char *out, size_t size)
{
	char d[16] = "";
	if (date_valid(iso))
		date_display(iso, d);
	else
		strlcpy_s(d, iso ? iso : "", sizeof d);
	/* "31/03/2025*", as Data Submission writes it (terminals D12) */
	snprintf(out, size, "%s%s", d, payment ? "*" : "");
}

/* Every status code the server sends, in people's words: the one table
 * (CQRS's names, and a short form for narrow columns: at most 14 columns
 * for a declaration's, 17 for the others). */
static const struct {
	const char *code, *name, *short_name;
} status_words[] = {
	/* declarations */
	{"AWAITING_PROVIDER", "Awaiting Service Provider Approval", "To be declared"},
	{"AWAITING_COMMISSIONER", "Awaiting Commissioning Organisation Approval",
	 "To be approved"},
	{"AWAITING_FINANCE", "Awaiting Financial Approval", "At finance"},
	{"FINANCIALLY_APPROVED", "Financially Approved", "Fin. approved"},
	{"NO_DECLARATION_REQUIRED", "No Declaration Required", "No declaration"},
	{"NO_APPROVAL_REQUIRED", "No Approval Required", "No approval"},
	/* achievements */
	{"OPEN", "Open for data", "Open"},
	{"SUBMITTED", "Submitted", "Submitted"},
	{"IN_PROGRESS", "Work in progress", "In progress"},
	{"AWAITING_RECALCULATION", "Awaiting Recalculation", "Awaiting recalc."},
	{"AWAITING_NETWORK", "Awaiting Network Achievement", "Awaiting network"},
	{"CALCULATED", "Calculated", "Calculated"},
	{"NOT_RECORDED", "Not recorded", "Not recorded"},
	/* offers */
	{"OFFERED", "Offered", "Offered"},
	{"APPROVED", "Approved", "Approved"},
	{"REJECTED", "Rejected", "Rejected"},
	{"CANCELLED", "Cancelled", "Cancelled"},
};

static int status_index(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_SIZE(status_words); i++)
		if (!strcmp(status_words[i].code, code))
			return (int)i;
	return -1;
}

const char *ac_status_name(const char *code)
{
	int i = status_index(code);
	/* a code this client does not know yet is shown as it is */
	return i >= 0 ? status_words[i].name : code ? code : "";
}

const char *ac_status_short(const char *code)
{
	int i = status_index(code);
	return i >= 0 ? status_words[i].short_name : code ? code : "";
}

const char *ac_decl_status(const char *code)
{
	return code && *code ? ac_status_name(code) : "(none)";
}

const char *ac_ach_status(const char *code)
{
	return ac_status_name(code);
}

void ac_bar(WINDOW *w, int y, int x, int width, json_t *ind)
{
	if (width < 5)
		return;
	int inner = width - 2;
	json_t *th = json_object_get(ind, "thresholds");
	bool ratio = json_is_array(th) && json_array_size(th) == 2 &&
		     ac_has(ind, "achievement_ppm");
	long long fill_ppm; /* of the bar, 0..1e6 */
	int lo = -1, hi = -1;
	if (ratio) {
		fill_ppm = ac_int(ind, "achievement_ppm");
		lo = (int)(json_integer_value(json_array_get(th, 0)) * inner / 100);
		hi = (int)(json_integer_value(json_array_get(th, 1)) * inner / 100);
		if (hi >= inner)
			hi = inner - 1;
		if (lo >= inner)
			lo = inner - 1;
	} else if (ac_int(ind, "points") > 0 && ac_has(ind, "points_milli")) {
		fill_ppm = ac_int(ind, "points_milli") * 1000 / ac_int(ind, "points");
	} else {
		tui_clear(w, y, x, width);
		return;
	}
	if (fill_ppm < 0)
		fill_ppm = 0;
	if (fill_ppm > 1000000)
		fill_ppm = 1000000;
	int fill = (int)((fill_ppm * inner + 500000) / 1000000);
	enum style fs = ST_OK;
	if (ratio) {
		long long a = ac_int(ind, "achievement_ppm") / 10000;
		long long l = json_integer_value(json_array_get(th, 0));
		long long u = json_integer_value(json_array_get(th, 1));
		fs = a >= u ? ST_OK : a >= l ? ST_WARN : ST_ERROR;
	}
	tui_put(w, y, x, 1, "[", ST_DIM, false);
	for (int i = 0; i < inner; i++) {
		const char *c = i < fill ? "#" : ".";
		enum style st = i < fill ? fs : ST_DIM;
		if (i == lo || i == hi) {
			c = "|";
			st = ST_LABEL;
		}
		tui_put(w, y, x + 1 + i, 1, c, st, false);
	}
	tui_put(w, y, x + width - 1, 1, "]", ST_DIM, false);
}

bool ac_ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

void ac_add(struct ac_lines *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = s;
}

void ac_add_wrapped(struct ac_lines *l, const char *prefix, const char *text, int width)
{
	int pw = tui_width(prefix);
	size_t n;
	char **v;
	if (pw <= width / 2) {
		/* the text in a column of its own beside the prefix */
		v = tui_wrap(text, width - pw, width - pw, &n);
		for (size_t i = 0; i < n; i++)
			ac_add(l, "%*s%s", i ? pw : 0, i ? "" : prefix, v[i]);
	} else {
		/* a long prefix (the row a result is about): prefix and text
		 * wrapped together, under the prefix's indent plus two */
		int lead = (int)strspn(prefix, " ");
		char *all = xasprintf("%s%s", prefix + lead, text ? text : "");
		v = tui_wrap(all, width - lead, width - lead - 2, &n);
		free(all);
		for (size_t i = 0; i < n; i++)
			ac_add(l, "%*s%s", i ? lead + 2 : lead, "", v[i]);
	}
	tui_wrap_free(v, n);
}

void ac_lines_free(struct ac_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	xfree(&l->v);
	l->n = 0;
}

const char *ac_work_year(struct app *a)
{
	const char *wy = ac_str(app_me(a), "work_year");
	return fy_valid(wy) ? wy : ac_str(app_me(a), "financial_year");
}

int ac_popup_width(void)
{
	int w = COLS - 12;
	return w < 40 ? 40 : w > 100 ? 100 : w;
}

/* Choosing a practice or PCN (commissioners): search_providers sends the
 * search for the text typed (GET /organisations?q=), and offer_providers
 * turns its answer into a choice popup of the practices and PCNs found,
 * titled title, calling cb with ud; *ids receives one "CODE\tName" per
 * item (allocated; their count returned). When nothing is found it says so
 * on the message line and returns 0. */
static void search_providers(struct screen *s, const char *text,
			     void (*cb)(struct screen *s, const struct api_response *r))
{
	app_call(s->app, s, call_orgs(&(struct orgs_q){ .q = text, .limit = 200 }), cb);
}

static size_t offer_providers(struct screen *s, const struct api_response *r, const char *title,
			      char ***ids, void (*cb)(void *ud, int result, const char *text), void *ud)
{
	json_t *orgs = json_object_get(r->json, "organisations");
	size_t cnt = json_array_size(orgs), k = 0, i;
	char **items = xcalloc(cnt ? cnt : 1, sizeof(char *));
	*ids = xcalloc(cnt ? cnt : 1, sizeof(char *));
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *kind = ac_str(o, "kind");
		if (strcmp(kind, "PRACTICE") && strcmp(kind, "PCN"))
			continue;
		items[k] = xasprintf("%-7s %s (%s)", ac_str(o, "code"), ac_str(o, "name"), kind);
		(*ids)[k++] = xasprintf("%s\t%s", ac_str(o, "code"), ac_str(o, "name"));
	}
	if (!k)
		app_message(s->app, MSG_ERROR, "No practice or PCN you can see matches that.");
	else
		app_popup(s->app, popup_choice(title, (const char *const *)items, k, 0, cb, ud));
	for (i = 0; i < k; i++)
		free(items[i]);
	free(items);
	return k;
}

void ac_figures(json_t *ind, struct ac_figures *f)
{
	char pts[32];
	memset(f, 0, sizeof *f);
	ac_value(ind, f->val, sizeof f->val);
	if (ac_has(ind, "achievement_ppm"))
		ac_pct(ac_int(ind, "achievement_ppm"), f->pct, sizeof f->pct);
	json_t *th = json_object_get(ind, "thresholds");
	if (json_is_array(th))
		snprintf(f->thr, sizeof f->thr, "%lld-%lld",
			 (long long)json_integer_value(json_array_get(th, 0)),
			 (long long)json_integer_value(json_array_get(th, 1)));
	if (ac_has(ind, "points_milli"))
		ac_points(ac_int(ind, "points_milli"), pts, sizeof pts);
	else
		strlcpy_s(pts, "-", sizeof pts);
	snprintf(f->avail, sizeof f->avail, "%s/%lld", pts, ac_int(ind, "points"));
	if (ac_has(ind, "pence"))
		money_format(ac_int(ind, "pence"), f->money, sizeof f->money);
}

void ac_add_achieved(struct ac_lines *l, json_t *ind, bool uncalculated)
{
	char text[32];
	if (ac_has(ind, "achievement_ppm")) {
		ac_pct(ac_int(ind, "achievement_ppm"), text, sizeof text);
		ac_add(l, "Achievement: %s", text);
	}
	if (ac_has(ind, "points_milli")) {
		ac_points(ac_int(ind, "points_milli"), text, sizeof text);
		ac_add(l, "Points: %s of %lld", text, ac_int(ind, "points"));
	} else if (uncalculated) {
		ac_add(l, "Points: not calculated (of %lld)", ac_int(ind, "points"));
	}
	if (ac_has(ind, "pence")) {
		money_format(ac_int(ind, "pence"), text, sizeof text);
		ac_add(l, "Payment: %s", text);
	}
}

void ac_add_explained(struct ac_lines *l, json_t *ind, const char *none, int w)
{
	ac_add(l, "\1How the points were reached");
	ac_add_wrapped(l, "", ac_has(ind, "explanation") ? ac_str(ind, "explanation") : none, w);
	if (ac_has(ind, "pay_explanation")) {
		ac_add(l, "\1How the payment was reached");
		ac_add_wrapped(l, "", ac_str(ind, "pay_explanation"), w);
	}
}

/* ------------------------------------------------------------ ac_sel */

static struct ac_sel *c_of(struct screen *s)
{
	return ((const struct ac_sel_ops *)s->def->arg)->of(s);
}

void ac_sel_init(struct ac_sel *c, struct screen *s, const struct ac_sel_ops *ops)
{
	c->s = s;
	c->ops = ops;
}

void ac_sel_free_choice(struct ac_sel *c)
{
	for (size_t i = 0; i < c->nchoice; i++)
		free(c->choice[i]);
	xfree(&c->choice);
	c->nchoice = 0;
}

void ac_sel_done(struct ac_sel *c)
{
	json_decref(c->services);
	c->services = NULL;
	xfree(&c->org_name);
	xfree(&c->error);
	ac_sel_free_choice(c);
}

bool ac_commissioner(struct screen *s)
{
	const char *kind = ac_str(app_org(s->app), "kind");
	return !strcmp(kind, "ICB") || !strcmp(kind, "NHSE");
}

void ac_sel_own(struct ac_sel *c)
{
	if (c->org[0] || ac_commissioner(c->s))
		return;
	strlcpy_s(c->org, app_org_code(c->s->app), sizeof c->org);
	free(c->org_name);
	c->org_name = xstrdup(ac_str(app_org(c->s->app), "name"));
}

void ac_sel_error(struct ac_sel *c, char *msg)
{
	free(c->error);
	c->error = msg;
}

json_t *ac_sel_service(struct ac_sel *c, long long id)
{
	size_t i;
	json_t *sv;
	json_array_foreach(c->services, i, sv)
		if (ac_int(sv, "id") == id)
			return sv;
	return NULL;
}

static int by_year_desc(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	return strcmp(ac_str(y, "financial_year"), ac_str(x, "financial_year"));
}

static int by_year_desc_name(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = by_year_desc(a, b);
	return c ? c : strcmp(ac_str(x, "display_name"), ac_str(y, "display_name"));
}

static void on_services(struct screen *s, const struct api_response *r)
{
	struct ac_sel *c = c_of(s);
	c->loading = NULL;
	app_dirty(s->app);
	if (app_failed(s->app, r, "Loading the services")) {
		ac_sel_error(c, xasprintf("Could not load the services: %s", r->err_message));
		return;
	}
	json_t *all = json_object_get(r->json, "services");
	size_t n = json_array_size(all), k = 0, i;
	json_t **v = xcalloc(n ? n : 1, sizeof(json_t *));
	json_t *sv;
	json_array_foreach(all, i, sv)
		if (c->ops->keep(sv))
			v[k++] = sv;
	qsort(v, k, sizeof(json_t *), c->ops->by_name ? by_year_desc_name : by_year_desc);
	json_decref(c->services);
	c->services = json_array();
	for (i = 0; i < k; i++)
		json_array_append(c->services, v[i]);
	free(v);
	if (!k) {
		ac_sel_error(c, xasprintf("%s %s", c->org, c->ops->none));
		return;
	}
	if (!c->year[0])
		strlcpy_s(c->year, ac_work_year(s->app), sizeof c->year);
	c->ops->pick(c);
}

void ac_sel_load_services(struct ac_sel *c)
{
	ac_sel_error(c, NULL);
	if (!c->org[0])
		return;
	c->loading = "services";
	app_call(c->s->app, c->s, call_org_services(c->org, NULL), on_services);
}

bool ac_sel_pick(struct ac_sel *c, const char *prefer)
{
	json_t *cur = ac_sel_service(c, c->service_id);
	if (cur && !strcmp(ac_str(cur, "financial_year"), c->year))
		return true;
	c->service_id = 0;
	size_t i;
	json_t *sv;
	json_array_foreach(c->services, i, sv) {
		if (strcmp(ac_str(sv, "financial_year"), c->year))
			continue;
		bool preferred = prefer && !strcmp(ac_str(sv, "payment_type"), prefer);
		if (!c->service_id || preferred)
			c->service_id = ac_int(sv, "id");
		if (!prefer || preferred)
			break;
	}
	return false;
}

bool ac_sel_year_before(struct ac_sel *c, char prev[8])
{
	year_before(c->year, prev);
	bool any = false;
	size_t i;
	json_t *sv;
	json_array_foreach(c->services, i, sv)
		any |= !strcmp(ac_str(sv, "financial_year"), prev);
	return any;
}

void ac_sel_year(struct ac_sel *c, const char *year)
{
	strlcpy_s(c->year, year, sizeof c->year);
	c->year_by_user = true;
	(c->ops->year ? c->ops->year : c->ops->pick)(c);
}

void ac_sel_offer(struct ac_sel *c, const char *title, char **items, size_t cur,
		  void (*cb)(void *ud, int result, const char *text))
{
	app_popup(c->s->app, popup_choice(title, (const char *const *)items, c->nchoice, cur, cb,
					  c));
	for (size_t i = 0; i < c->nchoice; i++)
		free(items[i]);
	free(items);
}

/* --- the drop-downs */

static void on_year(void *ud, const char *year)
{
	ac_sel_year(ud, year);
}

static void on_service(void *ud, int result, const char *text)
{
	struct ac_sel *c = ud;
	if (result >= 0 && (size_t)result < c->nchoice) {
		c->service_id = atoll(c->choice[result]);
		c->year_by_user = true;
		ac_sel_free_choice(c);
		c->ops->service(c);
	}
	ac_sel_free_choice(c);
}

/* The years of the services taken part in. */
static void choose_year_of(struct ac_sel *c)
{
	ac_sel_free_choice(c);
	year_pick_of(&c->years, c->services, "financial_year");
	choose_year(c->s->app, &c->years, "Financial year", c->year, on_year, c);
}

static void choose_service(struct ac_sel *c)
{
	ac_sel_free_choice(c);
	size_t n = json_array_size(c->services), cur = 0, i;
	c->choice = xcalloc(n ? n : 1, sizeof(char *));
	char **items = xcalloc(n ? n : 1, sizeof(char *));
	json_t *sv;
	json_array_foreach(c->services, i, sv) {
		if (strcmp(ac_str(sv, "financial_year"), c->year))
			continue;
		if (ac_int(sv, "id") == c->service_id)
			cur = c->nchoice;
		items[c->nchoice] = xstrdup(ac_str(sv, "display_name"));
		c->choice[c->nchoice++] = xasprintf("%lld", ac_int(sv, "id"));
	}
	ac_sel_offer(c, "Quality service", items, cur, on_service);
}

static void on_provider_chosen(void *ud, int result, const char *text)
{
	struct ac_sel *c = ud;
	if (result >= 0 && (size_t)result < c->nchoice) {
		char *tab = strchr(c->choice[result], '\t');
		*tab = '\0';
		strlcpy_s(c->org, c->choice[result], sizeof c->org);
		free(c->org_name);
		c->org_name = xstrdup(tab + 1);
		json_decref(c->services);
		c->services = NULL;
		c->service_id = 0;
		c->year[0] = '\0';
		c->year_by_user = false;
		c->ops->reset(c);
		ac_sel_load_services(c);
	}
	ac_sel_free_choice(c);
	app_dirty(c->s->app);
}

static void on_orgs(struct screen *s, const struct api_response *r)
{
	struct ac_sel *c = c_of(s);
	if (app_failed(s->app, r, "Finding organisations"))
		return;
	ac_sel_free_choice(c);
	c->nchoice = offer_providers(s, r, c->ops->provider, &c->choice, on_provider_chosen, c);
}

static void on_provider_search(void *ud, int result, const char *text)
{
	struct ac_sel *c = ud;
	if (result >= 0 && text)
		search_providers(c->s, text, on_orgs);
}

void ac_sel_choose_provider(struct ac_sel *c)
{
	app_popup(c->s->app, popup_prompt(c->ops->provider, "Code or name:", "", on_provider_search,
					  c));
}

static void on_filter(void *ud, int result, const char *text)
{
	struct ac_sel *c = ud;
	switch (result) {
	case 0:
		choose_year_of(c);
		break;
	case 1:
		choose_service(c);
		break;
	case 2:
		c->ops->dates(c);
		break;
	case 3:
		ac_sel_choose_provider(c);
		break;
	default:
		break;
	}
}

void ac_sel_filter(struct ac_sel *c)
{
	static const char *const items[] = {"Financial year", "Quality service",
					    "Achievement date", NULL};
	const char *all[ARRAY_SIZE(items)];
	memcpy(all, items, sizeof all);
	all[3] = c->ops->provider;
	bool comm = ac_commissioner(c->s);
	if (!c->services) {
		if (comm)
			ac_sel_choose_provider(c);
		else
			app_message(c->s->app, MSG_INFO, "Wait for the services to load.");
		return;
	}
	app_popup(c->s->app, popup_choice("Change", all, comm ? 4 : 3, 0, on_filter, c));
}
