/* recalc.c: from stored values to stored calculations, through calc.c. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/rules/calc.h"
#include "server/rules/recalc.h"
#include "util.h"

/* One service's definitions, as stored and as calc.c wants them. */
struct svc_cache {
	int64_t id;
	struct service_rec svc;
	struct calc_def_row *rows;
	struct calc_ind_def *defs;
	size_t n;
	bool has_caip;
};

struct recalc {
	struct db *db;
	struct svc_cache *svcs;
	size_t nsvcs;
};

struct recalc *recalc_new(struct db *db)
{
	struct recalc *rc = xcalloc(1, sizeof *rc);
	rc->db = db;
	return rc;
}

void recalc_free(struct recalc **rcp)
{
	struct recalc *rc = *rcp;
	if (!rc)
		return;
	for (size_t i = 0; i < rc->nsvcs; i++) {
		free(rc->svcs[i].rows);
		free(rc->svcs[i].defs);
	}
	free(rc->svcs);
	free(rc);
	*rcp = NULL;
}

static struct svc_cache *service(struct recalc *rc, int64_t id)
{
	for (size_t i = 0; i < rc->nsvcs; i++)
		if (rc->svcs[i].id == id)
			return &rc->svcs[i];
	struct svc_cache c;
	memset(&c, 0, sizeof c);
	c.id = id;
	if (store_service_get(rc->db, id, &c.svc) != ST_OK ||
	    store_calc_defs(rc->db, id, &c.rows, &c.n) != ST_OK) {
		free(c.rows);
		return NULL;
	}
	c.defs = xcalloc(c.n ? c.n : 1, sizeof *c.defs);
	for (size_t i = 0; i < c.n; i++) {
		const struct calc_def_row *r = &c.rows[i];
		struct calc_ind_def *d = &c.defs[i];
		d->code = r->code;
		if (!calc_kind_for(r->kind, r->group_code, r->lower >= 0 || r->upper >= 0, r->points,
				   &d->kind))
			d->kind = CALC_COUNT;
		d->points = r->points;
		d->lower = r->lower;
		d->upper = r->upper;
		d->pence_per_item = r->pence_per_item;
		d->payment_group = r->payment_group;
		d->pcn_entered = r->pcn_entered;
		d->national_prevalence_ppm = r->national_prevalence_ppm;
		d->register_index = -1;
		for (size_t k = 0; *r->register_code && k < c.n; k++)
			if (!strcmp(c.rows[k].code, r->register_code))
				d->register_index = (int)k;
		if (d->kind == CALC_CAIP)
			c.has_caip = true;
	}
	rc->svcs = xrealloc(rc->svcs, (rc->nsvcs + 1) * sizeof *rc->svcs);
	rc->svcs[rc->nsvcs] = c;
	return &rc->svcs[rc->nsvcs++];
}

static void to_calc_vals(const struct store_val *in, struct calc_val *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[i].present = in[i].present;
		out[i].value = in[i].value;
		out[i].num = in[i].num;
		out[i].den = in[i].den;
	}
}

/* An organisation as the calculation sees it: its list size is the one
 * on the achievement date (for a PCN, its members' on that date; see
 * store_list_size_on). */
static enum st calc_org_get(struct recalc *rc, int64_t org_id, const char *date,
			    struct org_rec *org)
{
	enum st st = store_org_get(rc->db, org_id, org);
	if (st == ST_OK)
		st = store_list_size_on(rc->db, org_id, date, &org->list_size);
	return st;
}

static void fill_service(const struct svc_cache *c, struct calc_service *cs)
{
	memset(cs, 0, sizeof *cs);
	cs->code = c->svc.code;
	cs->pence_per_point = c->svc.pence_per_point;
	cs->national_list_size = c->svc.national_list_size;
	cs->aspiration_percent = c->svc.aspiration_percent;
	if (!calc_payment_parse(c->svc.payment_type, &cs->payment_type))
		cs->payment_type = CALC_PAY_ES;
	if (!calc_level_parse(c->svc.level, &cs->level))
		cs->level = CALC_LEVEL_PRACTICE;
}

/* Runs the calculation on vals and stores it for ach_id. */
static enum st calculate(struct recalc *rc, struct svc_cache *c, int64_t ach_id,
			 const struct org_rec *org, const struct calc_val *vals, int64_t *pence,
			 bool *calculated)
{
	/* Nothing recorded yet (a date opened, work in progress only): there
	 * is nothing to calculate, and the achievement keeps its status. */
	bool any = false;
	for (size_t i = 0; i < c->n && !any; i++)
		any = vals[i].present;
	*calculated = false;
	*pence = 0;
	if (!any)
		return ST_OK;
	struct calc_service cs;
	fill_service(c, &cs);
	/* Only the figures are stored; the texts that explain them are written
	 * when someone asks (recalc_explain), from the same values. */
	cs.no_detail = true;
	cs.no_text = true;
	struct calc_org co = {.code = org->code, .list_size = org->list_size, .caip_pence = -1};
	if (c->has_caip)
		co.caip_pence = calc_caip_amount(c->defs, c->n, org->list_size);
	struct calc_result res;
	memset(&res, 0, sizeof res);
	if (calc_run(&cs, &co, c->defs, vals, c->n, &res) != 0) {
		fprintf(stderr, "cqrsd: calculation of achievement %lld (%s, %s) refused: %s\n",
			(long long)ach_id, org->code, c->svc.code, res.error);
		calc_result_free(&res);
		return store_achievement_set_status(rc->db, ach_id, "AWAITING_RECALCULATION");
	}
	struct calc_save_line *lines = xcalloc(res.n ? res.n : 1, sizeof *lines);
	for (size_t i = 0; i < res.n; i++) {
		lines[i].indicator_id = c->rows[i].id;
		lines[i].has_achievement = res.lines[i].has_achievement;
		lines[i].achievement_ppm = res.lines[i].achievement_ppm;
		lines[i].points_milli = res.lines[i].points_milli;
		lines[i].pence = res.lines[i].pence;
		lines[i].points_text = res.lines[i].points_text;
		lines[i].pay_text = res.lines[i].pay_text;
	}
	/* The calculation's inputs and totals; each line's own explanation is
	 * kept with the line (calculation_line), so it is not repeated here. */
	json_t *bj = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:i, s:s, s:I, s:I, s:I}",
		"service", c->svc.code, "payment_type", c->svc.payment_type, "level", c->svc.level,
		"pence_per_point", (json_int_t)c->svc.pence_per_point,
		"national_list_size", (json_int_t)c->svc.national_list_size,
		"list_size", (json_int_t)org->list_size, "caip_pence", (json_int_t)co.caip_pence,
		"aspiration_percent", c->svc.aspiration_percent,
		"rounding", "each indicator's payment is rounded once to the penny, halves away from"
		" zero; totals are sums of the rounded lines",
		"points_milli", (json_int_t)res.points_milli, "pence", (json_int_t)res.pence,
		"aspiration_pence", (json_int_t)res.aspiration_pence);
	char *breakdown = json_dumps(bj, JSON_COMPACT);
	json_decref(bj);
	struct calc_save save = {
		.points_milli = res.points_milli, .pence = res.pence,
		.aspiration_pence = res.aspiration_pence, .breakdown = breakdown,
		.lines = lines, .nlines = res.n,
	};
	int64_t calc_id;
	enum st st = store_calculation_save(rc->db, ach_id, &save, &calc_id);
	free(breakdown);
	free(lines);
	*pence = res.pence;
	calc_result_free(&res);
	if (st == ST_OK)
		st = store_achievement_set_status(rc->db, ach_id, "CALCULATED");
	*calculated = st == ST_OK;
	return st;
}

const struct service_rec *recalc_service(struct recalc *rc, int64_t service_id)
{
	struct svc_cache *c = service(rc, service_id);
	return c ? &c->svc : NULL;
}

enum st recalc_one(struct recalc *rc, int64_t ach_id, int64_t *pence, bool *calculated)
{
	struct ach_rec a;
	enum st st = store_achievement_get(rc->db, ach_id, &a);
	*pence = 0;
	*calculated = false;
	return st == ST_OK ? recalc_one_rec(rc, &a, pence, calculated) : st;
}

enum st recalc_one_rec(struct recalc *rc, const struct ach_rec *ap, int64_t *pence,
		       bool *calculated)
{
	const struct ach_rec a = *ap;
	const int64_t ach_id = a.id;
	struct org_rec org;
	*pence = 0;
	*calculated = false;
	if (!strcmp(a.declaration_status, "FINANCIALLY_APPROVED"))
		return ST_OK; /* final: its figures never move */
	/* The achievement names its organisation: only the list size on its
	 * date is read (calculate uses the code and the list size). */
	memset(&org, 0, sizeof org);
	org.id = a.org_id;
	snprintf(org.code, sizeof org.code, "%s", a.org_code);
	snprintf(org.name, sizeof org.name, "%s", a.org_name);
	snprintf(org.kind, sizeof org.kind, "%s", a.org_kind);
	enum st st = store_list_size_on(rc->db, a.org_id, a.date, &org.list_size);
	if (st != ST_OK)
		return st;
	struct svc_cache *c = service(rc, a.service_id);
	if (!c)
		return ST_ERROR;
	struct store_val *sv = xcalloc(c->n ? c->n : 1, sizeof *sv);
	struct calc_val *cv = xcalloc(c->n ? c->n : 1, sizeof *cv);
	st = store_values_get(rc->db, ach_id, c->rows, c->n, sv);
	if (st == ST_OK) {
		to_calc_vals(sv, cv, c->n);
		st = calculate(rc, c, ach_id, &org, cv, pence, calculated);
	}
	free(sv);
	free(cv);
	return st;
}

/* Loads the members' and the PCN's values for a network aggregation. */
struct network {
	int64_t *members;
	size_t nm;
	int64_t *member_ach; /* 0: no achievement */
	struct calc_val *member_vals;
	struct calc_val *pcn_vals;
	struct calc_val *out;
	size_t *missing;
	int64_t pcn_ach;
	long incomplete;
};

static void network_free(struct network *w)
{
	free(w->members);
	free(w->member_ach);
	free(w->member_vals);
	free(w->pcn_vals);
	free(w->out);
	free(w->missing);
}

static enum st network_load(struct recalc *rc, struct svc_cache *c, int64_t date_id,
			    const char *date, int64_t pcn_id, struct network *w)
{
	memset(w, 0, sizeof *w);
	size_t n = c->n ? c->n : 1;
	enum st st = store_pcn_members(rc->db, pcn_id, date, &w->members, &w->nm);
	if (st != ST_OK)
		return st;
	size_t nm = w->nm ? w->nm : 1;
	w->member_ach = xcalloc(nm, sizeof *w->member_ach);
	w->member_vals = xcalloc(nm * n, sizeof *w->member_vals);
	w->pcn_vals = xcalloc(n, sizeof *w->pcn_vals);
	w->out = xcalloc(n, sizeof *w->out);
	w->missing = xcalloc(nm, sizeof *w->missing);
	struct store_val *sv = xcalloc(n, sizeof *sv);
	for (size_t m = 0; m < w->nm && st == ST_OK; m++) {
		if (store_achievement_find(rc->db, c->id, w->members[m], date_id, &w->member_ach[m]) !=
		    ST_OK)
			w->member_ach[m] = 0;
		st = store_values_get(rc->db, w->member_ach[m], c->rows, c->n, sv);
		to_calc_vals(sv, w->member_vals + m * c->n, c->n);
	}
	if (st == ST_OK && store_achievement_find(rc->db, c->id, pcn_id, date_id, &w->pcn_ach) != ST_OK)
		w->pcn_ach = 0;
	if (st == ST_OK)
		st = store_values_get(rc->db, w->pcn_ach, c->rows, c->n, sv);
	if (st == ST_OK) {
		/* PCN-entered indicators (tick-boxes, CAIP components, PCN
		 * counts) are the PCN's own values for the date, never its
		 * members'. */
		for (size_t i = 0; i < c->n; i++) {
			if (!c->defs[i].pcn_entered || !sv[i].present)
				continue;
			w->pcn_vals[i].present = true;
			w->pcn_vals[i].value = sv[i].value;
			w->pcn_vals[i].num = sv[i].num;
			w->pcn_vals[i].den = sv[i].den;
		}
		w->incomplete = calc_aggregate(c->defs, c->n, w->member_vals, w->nm, w->pcn_vals,
					       w->out, w->missing);
		if (w->incomplete < 0)
			st = ST_INVALID;
	}
	free(sv);
	return st;
}

enum st recalc_network(struct recalc *rc, int64_t service_id, int64_t date_id, const char *date,
		       int64_t pcn_id, int64_t *pcn_ach, bool *calculated, int64_t *pence)
{
	struct svc_cache *c = service(rc, service_id);
	if (!c)
		return ST_ERROR;
	*calculated = false;
	*pence = 0;
	int64_t existing;
	if (store_achievement_find(rc->db, service_id, pcn_id, date_id, &existing) == ST_OK &&
	    store_final_since(rc->db, existing, NULL)) {
		/* Final: neither the network figures nor the members' statuses
		 * move (the rules refuse what would change them, first). */
		if (pcn_ach)
			*pcn_ach = existing;
		return ST_OK;
	}
	struct network w;
	enum st st = network_load(rc, c, date_id, date, pcn_id, &w);
	if (st == ST_OK && !w.pcn_ach && w.nm)
		st = store_achievement_create(rc->db, service_id, pcn_id, date_id, &w.pcn_ach);
	if (pcn_ach)
		*pcn_ach = w.pcn_ach;
	/* The network figures become the PCN achievement's values. */
	struct store_val *cur = xcalloc(c->n ? c->n : 1, sizeof *cur);
	if (st == ST_OK && w.pcn_ach)
		st = store_values_get(rc->db, w.pcn_ach, c->rows, c->n, cur);
	for (size_t i = 0; st == ST_OK && w.pcn_ach && i < c->n; i++) {
		const struct calc_val *v = &w.out[i];
		if (!v->present)
			continue;
		bool ratio = !strcmp(c->rows[i].kind, "ratio");
		bool same = cur[i].present && cur[i].value == v->value &&
			    (!ratio || (cur[i].num == v->num && cur[i].den == v->den));
		if (same || c->defs[i].pcn_entered)
			continue; /* the PCN's own values are not network figures */
		struct ind_val iv = {v->value, v->num, v->den};
		st = store_value_set(rc->db, w.pcn_ach, c->rows[i].id, &iv, ratio, "NETWORK", 0);
	}
	free(cur);
	bool complete = st == ST_OK && w.nm > 0 && w.incomplete == 0;
	const char *status = complete ? "CALCULATED" : "AWAITING_NETWORK";
	if (st == ST_OK && w.pcn_ach) {
		if (complete) {
			struct org_rec pcn;
			st = calc_org_get(rc, pcn_id, date, &pcn);
			if (st == ST_OK)
				st = calculate(rc, c, w.pcn_ach, &pcn, w.out, pence, calculated);
			if (st == ST_OK && !*calculated)
				status = "AWAITING_RECALCULATION";
		} else {
			st = store_achievement_set_status(rc->db, w.pcn_ach, status);
		}
	}
	for (size_t m = 0; st == ST_OK && m < w.nm; m++)
		if (w.member_ach[m])
			st = store_achievement_set_status(rc->db, w.member_ach[m], status);
	network_free(&w);
	return st;
}

json_t *recalc_network_gaps(struct recalc *rc, int64_t service_id, int64_t date_id,
			    const char *date, int64_t pcn_id)
{
	struct svc_cache *c = service(rc, service_id);
	json_t *gaps = json_array();
	if (!c)
		return gaps;
	struct network w;
	if (network_load(rc, c, date_id, date, pcn_id, &w) == ST_OK) {
		for (size_t m = 0; m < w.nm; m++) {
			if (w.member_ach[m] && !w.missing[m])
				continue;
			struct org_rec p;
			if (store_org_get(rc->db, w.members[m], &p) != ST_OK)
				continue;
			char *reason = w.member_ach[m] ?
				xasprintf("%zu indicator value%s missing", w.missing[m],
					  w.missing[m] == 1 ? " is" : "s are") :
				xstrdup("no achievement recorded for this date");
			json_array_append_new(gaps, json_pack("{s:s, s:s, s:I, s:s, s:o}",
				"practice", p.code, "name", p.name, "missing", (json_int_t)w.missing[m],
				"reason", reason, "achievement_id",
				w.member_ach[m] ? json_integer(w.member_ach[m]) : json_null()));
			free(reason);
		}
	}
	network_free(&w);
	return gaps;
}

struct all {
	struct recalc *rc;
	struct db *db;
	struct {
		int64_t service, date, pcn;
	} last;
	size_t done, practice, network;
	bool verbose;
};

static enum st all_one(void *ctx, const struct ach_brief *a)
{
	struct all *x = ctx;
	int64_t pence, pcn_ach;
	bool calculated;
	enum st st = ST_OK;
	if (!strcmp(a->payment_type, "PO"))
		return ST_OK;
	if (!strcmp(a->level, "NETWORK")) {
		int64_t pcn = a->org_id;
		if (!strcmp(a->org_kind, "PRACTICE") &&
		    store_pcn_of_practice(x->db, a->org_id, a->date, &pcn) != ST_OK)
			return store_achievement_set_status(x->db, a->id, "AWAITING_NETWORK");
		/* Rows come ordered by service and date: each PCN once per date
		 * is enough when its members are adjacent; a repeat is merely
		 * redundant, never wrong. */
		if (x->last.service == a->service_id && x->last.date == a->date_id && x->last.pcn == pcn)
			return ST_OK;
		x->last.service = a->service_id;
		x->last.date = a->date_id;
		x->last.pcn = pcn;
		st = recalc_network(x->rc, a->service_id, a->date_id, a->date, pcn, &pcn_ach, &calculated,
				    &pence);
		x->network++;
	} else {
		st = recalc_one(x->rc, a->id, &pence, &calculated);
		x->practice++;
	}
	if (x->verbose && ++x->done % 5000 == 0)
		fprintf(stderr, "cqrsd: recalculated %zu achievements\n", x->done);
	return st;
}

static enum st all_tx(struct db *db, void *arg)
{
	struct all *x = arg;
	return store_achievements_each(db, all_one, x);
}

enum st recalc_all(struct db *db, bool verbose)
{
	struct all x;
	memset(&x, 0, sizeof x);
	x.rc = recalc_new(db);
	x.db = db;
	x.verbose = verbose;
	int64_t t0 = mono_ms();
	enum st st = store_tx(db, true, all_tx, &x);
	recalc_free(&x.rc);
	if (verbose)
		fprintf(stderr, "cqrsd: recalculated %zu practice achievements and %zu network"
			" aggregations in %.1f s\n", x.practice, x.network, (double)(mono_ms() - t0) / 1000.0);
	return st;
}

enum st recalc_explain(struct recalc *rc, int64_t ach_id, struct calc_result *out)
{
	memset(out, 0, sizeof *out);
	struct ach_rec a;
	struct org_rec org;
	enum st st = store_achievement_get(rc->db, ach_id, &a);
	if (st == ST_OK)
		st = calc_org_get(rc, a.org_id, a.date, &org);
	if (st != ST_OK)
		return st;
	struct svc_cache *c = service(rc, a.service_id);
	if (!c)
		return ST_ERROR;
	struct store_val *sv = xcalloc(c->n ? c->n : 1, sizeof *sv);
	struct calc_val *cv = xcalloc(c->n ? c->n : 1, sizeof *cv);
	st = store_values_get(rc->db, ach_id, c->rows, c->n, sv);
	if (st == ST_OK) {
		to_calc_vals(sv, cv, c->n);
		struct calc_service cs;
		fill_service(c, &cs);
		cs.no_detail = true;
		struct calc_org co = {.code = org.code, .list_size = org.list_size, .caip_pence = -1};
		if (c->has_caip)
			co.caip_pence = calc_caip_amount(c->defs, c->n, org.list_size);
		if (calc_run(&cs, &co, c->defs, cv, c->n, out) != 0)
			st = ST_INVALID;
	}
	free(sv);
	free(cv);
	return st;
}
