/* achievement_results.c: Achievement > Achievement Results: for one
 * practice or PCN (a practice or PCN user's own organisation; commissioners
 * choose one), one quality service and one achievement date, every
 * indicator's value, achievement, thresholds, points and, when the server
 * sends pence, the payment, with group and service totals and a bar per
 * indicator against its thresholds. Enter (or b) opens the breakdown of the
 * figure under the cursor: the server's own explanation of how it was
 * calculated. Requests: GET /organisations/{code}/services, GET
 * /achievements?organisation=&service= and GET /achievements/{id}/results
 * (which also says which indicators the PCN enters). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/screens.h"
#include "tui/tui.h"
#include "util.h"

enum row_kind {
	ROW_GROUP,
	ROW_IND,
	ROW_TOTAL,
};

struct row {
	enum row_kind kind;
	size_t g, i;
};

struct res {
	struct screen *s;
	char org[16];
	char *org_name;         /* owned */
	json_t *services;       /* approved, paid services of org; owned */
	char year[8];
	bool year_by_user;      /* the user chose the year (no fallback) */
	long long service_id;
	json_t *achs;           /* achievements of the service, newest first; owned */
	long long ach_id;
	json_t *results;        /* GET /achievements/{id}/results; owned */
	struct row *rows;       /* owned */
	size_t nrows;
	struct list list;
	char want[160];         /* path of the results call we wait for (its key) */
	const char *loading;    /* what is loading, or NULL */
	char *error;            /* owned */
	/* popups in flight */
	char **choice_ids;      /* owned, parallel to a choice popup */
	size_t nchoice;
	struct year_pick years;  /* the Financial year drop-down's state */
};

/* ------------------------------------------------------------ helpers */

static bool is_commissioner(struct res *r)
{
	const char *kind = ac_str(app_org(r->s->app), "kind");
	return !strcmp(kind, "ICB") || !strcmp(kind, "NHSE");
}

static void set_error(struct res *r, char *msg)
{
	free(r->error);
	r->error = msg;
}

static json_t *service_of(struct res *r, long long id)
{
	size_t i;
	json_t *sv;
	json_array_foreach(r->services, i, sv)
		if (ac_int(sv, "id") == id)
			return sv;
	return NULL;
}

static json_t *cur_ach(struct res *r)
{
	size_t i;
	json_t *a;
	json_array_foreach(r->achs, i, a)
		if (ac_int(a, "id") == r->ach_id)
			return a;
	return NULL;
}

static json_t *groups(struct res *r)
{
	return json_object_get(r->results, "groups");
}

static bool pounds(struct res *r)
{
	return json_is_true(json_object_get(r->results, "pounds"));
}

/* Whether the PCN enters the indicator (the results say so). */
static bool pcn_entered(const json_t *ind)
{
	return json_is_true(json_object_get(ind, "pcn_entered"));
}

static const char *source_name(struct res *r, json_t *ind)
{
	if (pcn_entered(ind))
		return "entered at PCN level";
	const char *s = ac_str(ind, "source");
	if (!strcmp(s, "EXTRACT"))
		return "extracted from the clinical system";
	if (!strcmp(s, "MANUAL"))
		return "entered by the practice";
	if (!strcmp(s, "COMMISSIONER"))
		return "entered by the commissioner";
	if (!strcmp(s, "NETWORK"))
		return "network figure (member practices aggregated)";
	return *s ? s : "no value";
}

/* ------------------------------------------------------------ rows */

static void build_rows(struct res *r)
{
	xfree(&r->rows);
	r->nrows = 0;
	size_t ng = json_array_size(groups(r)), cap = 1;
	for (size_t g = 0; g < ng; g++)
		cap += 1 + json_array_size(json_object_get(json_array_get(groups(r), g), "indicators"));
	r->rows = xcalloc(cap, sizeof(struct row));
	for (size_t g = 0; g < ng; g++) {
		json_t *grp = json_array_get(groups(r), g);
		r->rows[r->nrows++] = (struct row){ROW_GROUP, g, 0};
		size_t ni = json_array_size(json_object_get(grp, "indicators"));
		for (size_t i = 0; i < ni; i++)
			r->rows[r->nrows++] = (struct row){ROW_IND, g, i};
	}
	if (ng)
		r->rows[r->nrows++] = (struct row){ROW_TOTAL, 0, 0};
	list_set_count(&r->list, r->nrows);
}

static json_t *row_group(struct res *r, size_t row)
{
	return json_array_get(groups(r), r->rows[row].g);
}

static json_t *row_ind(struct res *r, size_t row)
{
	if (row >= r->nrows || r->rows[row].kind != ROW_IND)
		return NULL;
	return json_array_get(json_object_get(row_group(r, row), "indicators"), r->rows[row].i);
}

static long long points_available(struct res *r)
{
	long long t = 0;
	size_t i;
	json_t *g;
	json_array_foreach(groups(r), i, g)
		t += ac_int(g, "points_available");
	return t;
}

/* Column layout for width w (after the cursor marker). */
struct cols {
	int code, value, pct, thr, bar, pts, pay;
};

static struct cols layout(struct res *r, int w)
{
	struct cols c = {12, 10, 7, 6, 0, 11, pounds(r) ? 12 : 0};
	c.bar = w - (c.code + c.value + c.pct + c.thr + c.pts + c.pay);
	if (c.bar < 6)
		c.bar = 6;
	return c;
}

static void draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct res *r = ud;
	struct cols c = layout(r, width);
	char pts[32], avail[64], money[32], buf[64];
	int px = x + c.code + c.value + c.pct + c.thr + c.bar;
	const struct row *rw = &r->rows[row];
	if (rw->kind == ROW_GROUP || rw->kind == ROW_TOTAL) {
		json_t *g = rw->kind == ROW_GROUP ? row_group(r, row) : NULL;
		char *name = g ? xasprintf("%s %s%s", ac_str(g, "code"), ac_str(g, "name"),
					   strcmp(ac_str(g, "kind"), "mi") ? "" :
					   " (management information)")
			       : xstrdup("Service total");
		tui_put(w, y, x, px - x, name, ST_LABEL, true);
		free(name);
		json_t *calc = json_object_get(r->results, "calculation");
		long long milli = g ? ac_int(g, "points_milli") : ac_int(calc, "points_milli");
		long long av = g ? ac_int(g, "points_available") : points_available(r);
		ac_points(milli, pts, sizeof pts);
		snprintf(buf, sizeof buf, "%s/%lld", pts, av);
		tui_printf(w, y, px, c.pts, ST_LABEL, true, "%*s", c.pts - 1, buf);
		if (c.pay) {
			json_t *src = g ? g : calc;
			if (ac_has(src, "pence"))
				money_format(ac_int(src, "pence"), money, sizeof money);
			else
				strlcpy_s(money, "", sizeof money);
			tui_printf(w, y, px + c.pts, c.pay, ST_LABEL, true, "%*s", c.pay, money);
		}
		return;
	}
	json_t *ind = row_ind(r, row);
	char val[40], pct[16] = "", thr[48] = "";
	ac_value(ind, val, sizeof val);
	if (ac_has(ind, "achievement_ppm"))
		ac_pct(ac_int(ind, "achievement_ppm"), pct, sizeof pct);
	json_t *th = json_object_get(ind, "thresholds");
	if (json_is_array(th))
		snprintf(thr, sizeof thr, "%lld-%lld", (long long)json_integer_value(json_array_get(th, 0)),
			 (long long)json_integer_value(json_array_get(th, 1)));
	bool pcn = pcn_entered(ind);
	tui_printf(w, y, x, c.code, ST_NORMAL, true, " %s", ac_str(ind, "code"));
	tui_printf(w, y, x + c.code, c.value, !strcmp(val, "missing") ? ST_ERROR : ST_NORMAL, true,
		   "%*s%s", c.value - 2, val, pcn ? "P" : " ");
	tui_printf(w, y, x + c.code + c.value, c.pct, ST_NORMAL, true, "%*s", c.pct - 1, pct);
	tui_printf(w, y, x + c.code + c.value + c.pct, c.thr, ST_DIM, true, "%*s", c.thr - 1, thr);
	ac_bar(w, y, x + c.code + c.value + c.pct + c.thr, c.bar - 1, ind);
	tui_clear(w, y, x + c.code + c.value + c.pct + c.thr + c.bar - 1, 1);
	if (ac_has(ind, "points_milli"))
		ac_points(ac_int(ind, "points_milli"), pts, sizeof pts);
	else
		strlcpy_s(pts, "-", sizeof pts);
	snprintf(avail, sizeof avail, "%s/%lld", pts, ac_int(ind, "points"));
	tui_printf(w, y, px, c.pts, ST_NORMAL, true, "%*s", c.pts - 1, avail);
	if (c.pay) {
		if (ac_has(ind, "pence"))
			money_format(ac_int(ind, "pence"), money, sizeof money);
		else
			strlcpy_s(money, "", sizeof money);
		tui_printf(w, y, px + c.pts, c.pay, ST_NORMAL, true, "%*s", c.pay, money);
	}
	(void)cursor;
}

static const char *row_text(void *ud, size_t row)
{
	struct res *r = ud;
	if (row >= r->nrows)
		return "";
	if (r->rows[row].kind == ROW_GROUP)
		return ac_str(row_group(r, row), "name");
	if (r->rows[row].kind == ROW_TOTAL)
		return "Service total";
	return ac_str(row_ind(r, row), "code");
}

/* ------------------------------------------------------------ loading */

static void load_services(struct res *r);
static void load_achs(struct res *r);
static void load_results(struct res *r);

static void clear_results(struct res *r)
{
	json_decref(r->results);
	r->results = NULL;
	xfree(&r->rows);
	r->nrows = 0;
	list_set_count(&r->list, 0);
}

static void on_results(struct screen *s, const struct api_response *resp)
{
	struct res *r = s->priv;
	if (!ac_ends_with(resp->path, r->want))
		return; /* an answer for a date no longer chosen */
	r->loading = NULL;
	app_dirty(s->app);
	if (app_failed(s->app, resp, "Loading the results")) {
		set_error(r, xasprintf("Could not load the results: %s", resp->err_message));
		return;
	}
	size_t keep = r->list.cur;
	clear_results(r);
	r->results = json_incref(resp->json);
	build_rows(r);
	r->list.cur = keep < r->nrows ? keep : 0;
}

static void load_results(struct res *r)
{
	clear_results(r);
	if (!r->ach_id)
		return;
	struct api_call call = call_achievement_results(r->ach_id);
	strlcpy_s(r->want, call.path, sizeof r->want);
	r->loading = "results";
	app_call(r->s->app, r->s, call, on_results);
}

/* The previous financial year of fy ("2025/26" -> "2024/25"). */
static void prev_year(const char *fy, char out[8])
{
	int y = atoi(fy);
	if (y < 1000 || y > 9999)
		y = 2000;
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d/%02d", y - 1, y % 100);
	strlcpy_s(out, tmp, 8);
}

static void pick_service(struct res *r);

static void on_achs(struct screen *s, const struct api_response *resp)
{
	struct res *r = s->priv;
	r->loading = NULL;
	app_dirty(s->app);
	if (app_failed(s->app, resp, "Loading the achievements")) {
		set_error(r, xasprintf("Could not load the achievements: %s", resp->err_message));
		return;
	}
	json_decref(r->achs);
	r->achs = json_incref(json_object_get(resp->json, "achievements"));
	if (!json_array_size(r->achs) && !r->year_by_user) {
		/* Nothing recorded yet this year: show the year before. */
		char prev[8];
		prev_year(r->year, prev);
		bool any = false;
		size_t i;
		json_t *sv;
		json_array_foreach(r->services, i, sv)
			any |= !strcmp(ac_str(sv, "financial_year"), prev);
		if (any) {
			app_message(s->app, MSG_INFO, "Nothing is recorded yet for %s: showing %s (f changes it).",
				    r->year, prev);
			strlcpy_s(r->year, prev, sizeof r->year);
			r->year_by_user = true;
			pick_service(r);
			return;
		}
	}
	if (!cur_ach(r))
		r->ach_id = json_array_size(r->achs) ? ac_int(json_array_get(r->achs, 0), "id") : 0;
	load_results(r);
}

static void load_achs(struct res *r)
{
	json_decref(r->achs);
	r->achs = NULL;
	clear_results(r);
	if (!r->service_id)
		return;
	r->loading = "achievements";
	app_call(r->s->app, r->s, call_achievements(r->org, r->service_id), on_achs);
}

/* Chooses the service: the current one if it is in the year, else the
 * year's first (QOF first), then loads its achievements. */
static void pick_service(struct res *r)
{
	json_t *cur = service_of(r, r->service_id);
	if (!cur || strcmp(ac_str(cur, "financial_year"), r->year)) {
		r->service_id = 0;
		r->ach_id = 0;
		size_t i;
		json_t *sv;
		json_array_foreach(r->services, i, sv) {
			if (strcmp(ac_str(sv, "financial_year"), r->year))
				continue;
			if (!r->service_id || !strcmp(ac_str(sv, "payment_type"), "QOF")) {
				r->service_id = ac_int(sv, "id");
				if (!strcmp(ac_str(sv, "payment_type"), "QOF"))
					break;
			}
		}
	}
	load_achs(r);
}

static int by_year_desc(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(ac_str(y, "financial_year"), ac_str(x, "financial_year"));
	return c ? c : strcmp(ac_str(x, "display_name"), ac_str(y, "display_name"));
}

static void on_services(struct screen *s, const struct api_response *resp)
{
	struct res *r = s->priv;
	r->loading = NULL;
	app_dirty(s->app);
	if (app_failed(s->app, resp, "Loading the services")) {
		set_error(r, xasprintf("Could not load the services: %s", resp->err_message));
		return;
	}
	json_t *all = json_object_get(resp->json, "services");
	size_t n = json_array_size(all), k = 0;
	json_t **v = xcalloc(n ? n : 1, sizeof(json_t *));
	size_t i;
	json_t *sv;
	json_array_foreach(all, i, sv) {
		if (strcmp(ac_str(json_object_get(sv, "offer"), "status"), "APPROVED") ||
		    json_is_true(json_object_get(sv, "participation_only")))
			continue;
		v[k++] = sv;
	}
	qsort(v, k, sizeof(json_t *), by_year_desc);
	json_decref(r->services);
	r->services = json_array();
	for (i = 0; i < k; i++)
		json_array_append(r->services, v[i]);
	free(v);
	if (!k) {
		set_error(r, xasprintf("%s takes part in no paid quality service.", r->org));
		return;
	}
	if (!r->year[0])
		strlcpy_s(r->year, ac_str(app_me(s->app), "financial_year"), sizeof r->year);
	pick_service(r);
}

static void load_services(struct res *r)
{
	set_error(r, NULL);
	if (!r->org[0])
		return;
	r->loading = "services";
	app_call(r->s->app, r->s, call_org_services(r->org, NULL), on_services);
}

/* ------------------------------------------------------------ screen ops */

static void res_init(struct screen *s)
{
	struct res *r = s->priv;
	r->s = s;
	list_init(&r->list, draw_row, row_text, r);
}

static void free_choice(struct res *r)
{
	for (size_t i = 0; i < r->nchoice; i++)
		free(r->choice_ids[i]);
	xfree(&r->choice_ids);
	r->nchoice = 0;
}

static void res_done(struct screen *s)
{
	struct res *r = s->priv;
	clear_results(r);
	json_decref(r->services);
	json_decref(r->achs);
	free(r->org_name);
	free(r->error);
	free(r->rows);
	free_choice(r);
	list_free(&r->list);
}

static void res_open(struct screen *s)
{
	struct res *r = s->priv;
	if (!r->org[0] && !is_commissioner(r)) {
		strlcpy_s(r->org, app_org_code(s->app), sizeof r->org);
		free(r->org_name);
		r->org_name = xstrdup(ac_str(app_org(s->app), "name"));
	}
	if (!r->org[0]) {
		app_message(s->app, MSG_INFO, "Press c to choose a practice or PCN.");
		return;
	}
	load_services(r);
}

/* --- choosing a provider (commissioners) */

static void on_provider_chosen(void *ud, int result, const char *text)
{
	struct res *r = ud;
	if (result < 0 || (size_t)result >= r->nchoice) {
		free_choice(r);
		return;
	}
	char *pick = r->choice_ids[result];
	char *tab = strchr(pick, '\t');
	*tab = '\0';
	strlcpy_s(r->org, pick, sizeof r->org);
	free(r->org_name);
	r->org_name = xstrdup(tab + 1);
	free_choice(r);
	r->service_id = r->ach_id = 0;
	r->year[0] = '\0';
	r->year_by_user = false;
	json_decref(r->services);
	r->services = NULL;
	json_decref(r->achs);
	r->achs = NULL;
	clear_results(r);
	load_services(r);
	app_dirty(r->s->app);
}

static void on_orgs(struct screen *s, const struct api_response *resp)
{
	struct res *r = s->priv;
	if (app_failed(s->app, resp, "Finding organisations"))
		return;
	free_choice(r);
	r->nchoice = ac_offer_providers(s, resp, "Practice or PCN", &r->choice_ids,
					on_provider_chosen, r);
}

static void on_provider_search(void *ud, int result, const char *text)
{
	struct res *r = ud;
	if (result >= 0 && text)
		ac_search_providers(r->s, text, on_orgs);
}

/* --- filters */

static void on_year(void *ud, const char *year)
{
	struct res *r = ud;
	strlcpy_s(r->year, year, sizeof r->year);
	r->year_by_user = true;
	pick_service(r);
}

static void on_service(void *ud, int result, const char *text)
{
	struct res *r = ud;
	if (result < 0 || (size_t)result >= r->nchoice) {
		free_choice(r);
		return;
	}
	r->service_id = atoll(r->choice_ids[result]);
	r->ach_id = 0;
	r->year_by_user = true;
	free_choice(r);
	load_achs(r);
}

static void on_date(void *ud, int result, const char *text)
{
	struct res *r = ud;
	if (result < 0 || (size_t)result >= r->nchoice) {
		free_choice(r);
		return;
	}
	r->ach_id = atoll(r->choice_ids[result]);
	free_choice(r);
	load_results(r);
}

/* The years of the services taken part in. */
static void pick_year(struct res *r)
{
	free_choice(r);
	year_pick_of(&r->years, r->services, "financial_year");
	choose_year(r->s->app, &r->years, "Financial year", r->year, on_year, r);
}

static void choose_service(struct res *r)
{
	free_choice(r);
	size_t n = json_array_size(r->services), cur = 0;
	r->choice_ids = xcalloc(n ? n : 1, sizeof(char *));
	char **items = xcalloc(n ? n : 1, sizeof(char *));
	size_t i;
	json_t *sv;
	json_array_foreach(r->services, i, sv) {
		if (strcmp(ac_str(sv, "financial_year"), r->year))
			continue;
		if (ac_int(sv, "id") == r->service_id)
			cur = r->nchoice;
		items[r->nchoice] = xstrdup(ac_str(sv, "display_name"));
		r->choice_ids[r->nchoice++] = xasprintf("%lld", ac_int(sv, "id"));
	}
	app_popup(r->s->app, popup_choice("Quality service", (const char *const *)items, r->nchoice,
					  cur, on_service, r));
	for (i = 0; i < r->nchoice; i++)
		free(items[i]);
	free(items);
}

static void choose_date(struct res *r)
{
	free_choice(r);
	size_t n = json_array_size(r->achs), cur = 0;
	if (!n) {
		app_message(r->s->app, MSG_INFO, "No achievement is recorded for this service yet.");
		return;
	}
	r->choice_ids = xcalloc(n, sizeof(char *));
	char **items = xcalloc(n, sizeof(char *));
	size_t i;
	json_t *a;
	json_array_foreach(r->achs, i, a) {
		char d[24];
		ac_date(ac_str(a, "date"), json_is_true(json_object_get(a, "payment")), d, sizeof d);
		if (ac_int(a, "id") == r->ach_id)
			cur = i;
		items[i] = xasprintf("%-13s %s", d, ac_ach_status(ac_str(a, "status")));
		r->choice_ids[i] = xasprintf("%lld", ac_int(a, "id"));
	}
	r->nchoice = n;
	app_popup(r->s->app, popup_choice("Achievement date (* payment date)",
					  (const char *const *)items, n, cur, on_date, r));
	for (i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

static void on_filter(void *ud, int result, const char *text)
{
	struct res *r = ud;
	switch (result) {
	case 0:
		pick_year(r);
		break;
	case 1:
		choose_service(r);
		break;
	case 2:
		choose_date(r);
		break;
	case 3:
		app_popup(r->s->app, popup_prompt("Practice or PCN", "Code or name:", "",
						  on_provider_search, r));
		break;
	default:
		break;
	}
}

static void res_filter(struct res *r)
{
	static const char *const items[] = {"Financial year", "Quality service",
					    "Achievement date", "Practice or PCN"};
	if (!r->services && !is_commissioner(r)) {
		app_message(r->s->app, MSG_INFO, "Wait for the services to load.");
		return;
	}
	size_t n = is_commissioner(r) ? 4 : 3;
	if (!r->services)
		n = 0;
	if (!n) {
		on_filter(r, 3, NULL);
		return;
	}
	app_popup(r->s->app, popup_choice("Change", items, n, 0, on_filter, r));
}

/* --- breakdown */

static void breakdown(struct res *r)
{
	if (!r->nrows)
		return;
	struct ac_lines l = {0};
	int w = ac_popup_width();
	size_t row = r->list.cur;
	char pts[32], money[32], val[40], pct[16];
	char *title;
	json_t *calc = json_object_get(r->results, "calculation");
	if (r->rows[row].kind == ROW_IND) {
		json_t *ind = row_ind(r, row);
		title = xasprintf("Breakdown: %s", ac_str(ind, "code"));
		ac_add_wrapped(&l, "", ac_str(ind, "description"), w);
		ac_add(&l, "%s", "");
		ac_value(ind, val, sizeof val);
		ac_add(&l, "Value: %s (%s)", val, source_name(r, ind));
		json_t *th = json_object_get(ind, "thresholds");
		if (json_is_array(th))
			ac_add(&l, "Thresholds: lower %lld%%, upper %lld%%",
			       (long long)json_integer_value(json_array_get(th, 0)),
			       (long long)json_integer_value(json_array_get(th, 1)));
		if (ac_has(ind, "achievement_ppm")) {
			ac_pct(ac_int(ind, "achievement_ppm"), pct, sizeof pct);
			ac_add(&l, "Achievement: %s", pct);
		}
		if (ac_has(ind, "points_milli")) {
			ac_points(ac_int(ind, "points_milli"), pts, sizeof pts);
			ac_add(&l, "Points: %s of %lld", pts, ac_int(ind, "points"));
		} else {
			ac_add(&l, "Points: not calculated (of %lld)", ac_int(ind, "points"));
		}
		if (ac_has(ind, "pence")) {
			money_format(ac_int(ind, "pence"), money, sizeof money);
			ac_add(&l, "Payment: %s", money);
		}
		ac_add(&l, "%s", "");
		ac_add(&l, "\1How the points were reached");
		ac_add_wrapped(&l, "", ac_has(ind, "explanation") ? ac_str(ind, "explanation") :
			       "Not calculated yet.", w);
		if (ac_has(ind, "pay_explanation")) {
			ac_add(&l, "\1How the payment was reached");
			ac_add_wrapped(&l, "", ac_str(ind, "pay_explanation"), w);
		}
	} else if (r->rows[row].kind == ROW_GROUP) {
		json_t *g = row_group(r, row);
		title = xasprintf("Breakdown: group %s", ac_str(g, "code"));
		ac_add_wrapped(&l, "", ac_str(g, "name"), w);
		ac_points(ac_int(g, "points_milli"), pts, sizeof pts);
		ac_add(&l, "Points: %s of %lld available", pts, ac_int(g, "points_available"));
		if (ac_has(g, "pence")) {
			money_format(ac_int(g, "pence"), money, sizeof money);
			ac_add(&l, "Payment: %s", money);
		}
		ac_add(&l, "\1The sum of its indicators:");
		size_t i;
		json_t *ind;
		json_array_foreach(json_object_get(g, "indicators"), i, ind) {
			ac_points(ac_int(ind, "points_milli"), pts, sizeof pts);
			money[0] = '\0';
			if (ac_has(ind, "pence"))
				money_format(ac_int(ind, "pence"), money, sizeof money);
			ac_add(&l, "  %-14s %10s points  %14s", ac_str(ind, "code"), pts, money);
		}
	} else {
		title = xstrdup("Breakdown: service total");
		if (!json_is_object(calc)) {
			ac_add(&l, "Not calculated yet (%s).",
			       ac_ach_status(ac_str(json_object_get(r->results, "achievement"), "status")));
		} else {
			ac_points(ac_int(calc, "points_milli"), pts, sizeof pts);
			ac_add(&l, "Points: %s of %lld available", pts, points_available(r));
			if (ac_has(calc, "pence")) {
				money_format(ac_int(calc, "pence"), money, sizeof money);
				ac_add(&l, "Payment: %s", money);
			}
			if (ac_has(calc, "aspiration_pence")) {
				money_format(ac_int(calc, "aspiration_pence"), money, sizeof money);
				ac_add(&l, "Aspiration payment for the following year: %s", money);
			}
			ac_add(&l, "\1The sum of its groups:");
			size_t i;
			json_t *g;
			json_array_foreach(groups(r), i, g) {
				ac_points(ac_int(g, "points_milli"), pts, sizeof pts);
				money[0] = '\0';
				if (ac_has(g, "pence"))
					money_format(ac_int(g, "pence"), money, sizeof money);
				ac_add(&l, "  %-8s %10s points  %14s", ac_str(g, "code"), pts, money);
			}
		}
	}
	app_popup(r->s->app, popup_text(title, l.v, l.n));
	free(title);
	ac_lines_free(&l);
}

static enum wres res_action(struct screen *s, enum action a, int key)
{
	struct res *r = s->priv;
	switch (a) {
	case ACT_FILTER:
		res_filter(r);
		return W_HANDLED;
	case ACT_CHOOSE_PROVIDER:
		if (!is_commissioner(r)) {
			app_message(s->app, MSG_INFO, "You see your own organisation's results.");
			return W_HANDLED;
		}
		on_filter(r, 3, NULL);
		return W_HANDLED;
	case ACT_BREAKDOWN:
		breakdown(r);
		return W_HANDLED;
	default:
		break;
	}
	enum wres w = list_action(&r->list, a, key);
	if (w == W_OPEN) {
		breakdown(r);
		return W_HANDLED;
	}
	return w;
}

static enum context res_context(struct screen *s)
{
	return CTX_RESULTS;
}

static void res_draw(struct screen *s, WINDOW *w, int h, int width)
{
	struct res *r = s->priv;
	tui_printf(w, 0, 0, width, ST_HEADING, true, "Achievement Results: %s %s", r->org,
		   r->org_name ? r->org_name : "");
	if (!r->org[0]) {
		tui_put(w, 2, 0, width, "Choose a practice or PCN: press c (or f).", ST_INFO, true);
		return;
	}
	json_t *sv = service_of(r, r->service_id);
	json_t *ach = cur_ach(r);
	char d[24] = "-";
	if (ach)
		ac_date(ac_str(ach, "date"), json_is_true(json_object_get(ach, "payment")), d, sizeof d);
	tui_printf(w, 1, 0, width, ST_NORMAL, true, "Year %s  Service %s  Date %s  (f changes)",
		   r->year[0] ? r->year : "-", sv ? ac_str(sv, "name") : "-", d);
	if (ach && json_is_true(json_object_get(ach, "payment"))) {
		/* the payment date: yellow and bold, besides its "*" */
		int x = tui_width(r->year[0] ? r->year : "-") + 5 + 10 +
			tui_width(sv ? ac_str(sv, "name") : "-") + 7;
		if (x + 12 < width)
			tui_put(w, 1, x, 12, d, ST_PAYMENT, false);
	}
	if (r->error) {
		tui_put(w, 3, 0, width, r->error, ST_ERROR, true);
		return;
	}
	if (r->loading && !r->results) {
		tui_printf(w, 3, 0, width, ST_INFO, true, "Loading the %s... (Esc stops it)", r->loading);
		return;
	}
	if (!r->results) {
		tui_put(w, 3, 0, width, r->service_id ? "No achievement is recorded for this service."
			: "No service chosen.", ST_INFO, true);
		return;
	}
	json_t *calc = json_object_get(r->results, "calculation");
	json_t *ra = json_object_get(r->results, "achievement");
	char pts[32], money[32];
	if (json_is_object(calc)) {
		ac_points(ac_int(calc, "points_milli"), pts, sizeof pts);
		struct buf b;
		buf_init(&b);
		buf_printf(&b, "%s  Points %s of %lld", ac_ach_status(ac_str(ra, "status")), pts,
			   points_available(r));
		if (ac_has(calc, "pence")) {
			money_format(ac_int(calc, "pence"), money, sizeof money);
			buf_printf(&b, "  Payment %s", money);
		}
		if (ac_has(calc, "aspiration_pence")) {
			money_format(ac_int(calc, "aspiration_pence"), money, sizeof money);
			buf_printf(&b, "  Aspiration %s", money);
		}
		if (*ac_str(ra, "declaration_status"))
			buf_printf(&b, "  Declaration: %s", ac_decl_status(ac_str(ra, "declaration_status")));
		tui_put(w, 2, 0, width, b.data, ST_LABEL, true);
		buf_free(&b);
	} else {
		tui_printf(w, 2, 0, width, ST_LABEL, true, "%s: not calculated yet. %s",
			   ac_ach_status(ac_str(ra, "status")), ac_str(r->results, "note"));
	}
	struct cols c = layout(r, width - 2);
	int x = 2;
	tui_put(w, 3, 0, width, "", ST_NORMAL, true);
	tui_put(w, 3, x, c.code, " Indicator", ST_COLHEAD, true);
	tui_printf(w, 3, x + c.code, c.value, ST_COLHEAD, true, "%*s", c.value - 1, "Value");
	tui_printf(w, 3, x + c.code + c.value, c.pct, ST_COLHEAD, true, "%*s", c.pct - 1, "Ach.");
	tui_printf(w, 3, x + c.code + c.value + c.pct, c.thr, ST_COLHEAD, true, "%*s", c.thr - 1,
		   "Thr.%");
	tui_put(w, 3, x + c.code + c.value + c.pct + c.thr, c.bar, "Bar", ST_COLHEAD,
		true);
	int px = x + c.code + c.value + c.pct + c.thr + c.bar;
	tui_printf(w, 3, px, c.pts, ST_COLHEAD, true, "%*s", c.pts - 1, "Points");
	if (c.pay)
		tui_printf(w, 3, px + c.pts, c.pay, ST_COLHEAD, true, "%*s", c.pay, "Payment");
	int lh = h - 6;
	if (lh < 2)
		lh = 2;
	list_draw(&r->list, w, 4, 0, lh, width);
	/* the cursor row, described */
	json_t *ind = row_ind(r, r->list.cur);
	if (ind) {
		char *t = xasprintf("%s: %s. %s", ac_str(ind, "code"), source_name(r, ind),
				    ac_str(ind, "description"));
		tui_put(w, 4 + lh, 0, width, t, ST_DIM, true);
		free(t);
	} else {
		tui_put(w, 4 + lh, 0, width, "Enter or b: how the figure under the cursor was calculated.",
			ST_DIM, true);
	}
	tui_put(w, 5 + lh, 0, width,
		"Bar: # achieved . not | thresholds   P entered at PCN level   * payment date",
		ST_DIM, true);
}

static bool res_offers(struct screen *s, enum action a)
{
	struct res *r = s->priv;
	switch (a) {
	case ACT_TAG_ALL:
	case ACT_TOGGLE_TAG:
	case ACT_STUCK_VIEW:
	case ACT_REAGGREGATE:
	case ACT_ENTER_ON_BEHALF:
	case ACT_CORRECT_MEMBERSHIP:
		return false;
	case ACT_CHOOSE_PROVIDER:
		return is_commissioner(r);
	default:
		return true;
	}
}

const struct screen_ops achievement_results_ops = {
	.offers = res_offers,
	.priv_size = sizeof(struct res),
	.init = res_init,
	.open = res_open,
	.draw = res_draw,
	.action = res_action,
	.context = res_context,
	.done = res_done,
};
