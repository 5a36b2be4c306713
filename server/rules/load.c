/* load.c: applying a validated extract and recalculating what it changed. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/rules/lifecycle.h"
#include "server/rules/load.h"
#include "server/rules/recalc.h"
#include "util.h"

/* A service's indicators, to map indicator ids to positions. */
struct svc {
	int64_t id;
	struct service_rec rec;
	struct calc_def_row *defs;
	size_t n;
};

struct ctx {
	struct db *db;
	struct svc *svcs;
	size_t nsvcs;
	struct {
		int64_t id;
		char iso[11];
	} *dates;             /* the achievement dates the file names */
	size_t ndates;
	/* rows not applied: SKIP_SAME a final figure's own value (a no-op),
	 * SKIP_REFUSED one that would change a final figure */
	unsigned char *skip;
	/* the PCN achievements (service, PCN, date) whose defaults are set */
	struct pcn_done {
		int64_t service, pcn, date;
	} *done;
	size_t ndone;
};

enum { SKIP_NONE, SKIP_SAME, SKIP_REFUSED };

static const char *date_of(const struct ctx *c, int64_t date_id)
{
	for (size_t i = 0; i < c->ndates; i++)
		if (c->dates[i].id == date_id)
			return c->dates[i].iso;
	return "";
}

static struct svc *svc_get(struct ctx *c, int64_t id)
{
	for (size_t i = 0; i < c->nsvcs; i++)
		if (c->svcs[i].id == id)
			return &c->svcs[i];
	struct svc s = {.id = id};
	if (store_service_get(c->db, id, &s.rec) != ST_OK ||
	    store_calc_defs(c->db, id, &s.defs, &s.n) != ST_OK) {
		free(s.defs);
		return NULL;
	}
	c->svcs = xrealloc(c->svcs, (c->nsvcs + 1) * sizeof *c->svcs);
	c->svcs[c->nsvcs] = s;
	return &c->svcs[c->nsvcs++];
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nsvcs; i++)
		free(c->svcs[i].defs);
	free(c->svcs);
	free(c->dates);
	free(c->skip);
	free(c->done);
}

/* ---- lookups for the parser ------------------------------------------------ */

static bool lk_practice(void *p, const char *code, int64_t *id, char *why, size_t whylen)
{
	struct ctx *c = p;
	struct org_rec o;
	if (store_org_by_code(c->db, code, &o) != ST_OK)
		return false;
	if (strcmp(o.kind, "PRACTICE")) {
		snprintf(why, whylen, "is a %s, not a practice", o.kind);
		return false;
	}
	*id = o.id;
	return true;
}

static bool lk_service(void *p, const char *code, int64_t *id, char *why, size_t whylen)
{
	struct ctx *c = p;
	if (store_service_by_code(c->db, code, id) != ST_OK)
		return false;
	struct svc *s = svc_get(c, *id);
	if (s && !strcmp(s->rec.payment_type, "PO")) {
		snprintf(why, whylen, "is participation-only: it takes no achievement data");
		return false;
	}
	return s != NULL;
}

static bool lk_date(void *p, int64_t service_id, const char *iso, int64_t *date_id, char *why,
		    size_t whylen)
{
	struct ctx *c = p;
	bool payment;
	if (store_achievement_date_get(c->db, service_id, iso, date_id, &payment) == ST_OK) {
		c->dates = xrealloc(c->dates, (c->ndates + 1) * sizeof *c->dates);
		c->dates[c->ndates].id = *date_id;
		strlcpy_s(c->dates[c->ndates++].iso, iso, 11);
		return true;
	}
	(void)why; /* the parser says "... is not an achievement date of service X" */
	(void)whylen;
	return false;
}

static bool lk_indicator(void *p, int64_t service_id, const char *code,
			 struct extract_indicator *out, char *why, size_t whylen)
{
	struct ctx *c = p;
	struct svc *s = svc_get(c, service_id);
	for (size_t i = 0; s && i < s->n; i++)
		if (!strcmp(s->defs[i].code, code)) {
			if (s->defs[i].pcn_entered) {
				snprintf(why, whylen, "is entered by the PCN, not extracted");
				return false;
			}
			out->id = s->defs[i].id;
			if (!value_kind_parse(s->defs[i].kind, &out->kind))
				out->kind = VK_COUNT;
			return true;
		}
	return false; /* the parser says "unknown indicator X for service Y" */
}

static bool lk_achievement(void *p, int64_t practice_id, int64_t service_id, int64_t date_id,
			   char *why, size_t whylen)
{
	struct ctx *c = p;
	if (!store_participates(c->db, service_id, practice_id)) {
		snprintf(why, whylen, "the practice does not take part in the service (no accepted offer)");
		return false;
	}
	struct svc *s = svc_get(c, service_id);
	const char *date = date_of(c, date_id);
	if (s && !strcmp(s->rec.level, "NETWORK") && *date &&
	    !store_participates_on(c->db, service_id, practice_id, date)) {
		snprintf(why, whylen, "the practice does not take part in the service on %s (it was"
			 " not a member of a PCN that does)", date);
		return false;
	}
	return true; /* final figures are checked line by line (final_lines) */
}

/* Lines for a final figure (a financially approved achievement, or a
 * member practice's data under its PCN's approved network achievement):
 * one whose value is the one stored is a no-op (SKIP_SAME); any other is
 * refused (SKIP_REFUSED) and listed with the line and what is final,
 * while the rest of the file loads. Returns the refused lines (NULL when
 * none). */
static json_t *final_lines(struct ctx *c, const struct extract_result *res)
{
	json_t *refused = NULL;
	c->skip = xcalloc(res->nrows ? res->nrows : 1, sizeof *c->skip);
	for (size_t k = 0; k < res->nachs; k++) {
		const struct extract_achievement *ea = &res->achs[k];
		struct svc *s = svc_get(c, ea->service_id);
		char why[300];
		const char *date = date_of(c, ea->date_id);
		if (!s || !lifecycle_final(c->db, &s->rec, ea->practice_id, ea->date_id, date, why,
					   sizeof why))
			continue;
		int64_t ach = 0;
		struct store_val *cur = xcalloc(s->n ? s->n : 1, sizeof *cur);
		/* Values that cannot be read count as none stored: every line
		 * is then refused (fail closed), never let through. */
		if (store_achievement_find(c->db, ea->service_id, ea->practice_id, ea->date_id, &ach) ==
		    ST_OK &&
		    store_values_get(c->db, ach, s->defs, s->n, cur) != ST_OK)
			memset(cur, 0, (s->n ? s->n : 1) * sizeof *cur);
		for (size_t r = ea->first; r < ea->first + ea->count; r++) {
			const struct extract_row *row = &res->rows[r];
			size_t i;
			for (i = 0; i < s->n && s->defs[i].id != row->indicator_id; i++)
				;
			bool same = i < s->n && cur[i].present &&
				    (row->kind == VK_RATIO ? cur[i].num == row->num && cur[i].den == row->den :
							     cur[i].value == row->value);
			c->skip[r] = same ? SKIP_SAME : SKIP_REFUSED;
			if (same)
				continue;
			if (!refused)
				refused = json_array();
			char *msg = xasprintf("line %u: refused, this value would change a final figure: %s",
					      row->line, why);
			json_array_append_new(refused, json_pack("{s:I, s:s, s:s}", "line",
				(json_int_t)row->line, "field", "value", "message", msg));
			free(msg);
		}
		free(cur);
	}
	return refused;
}

/* Whether the planner's statistics are refreshed after the k-th changed
 * achievement or recalculation: at 64, 256, 1,024 and 4,096
 * (store_bulk_analyze: the tables they fill may have started empty). */
static bool analyze_at(size_t k)
{
	return k == 64 || k == 256 || k == 1024 || k == 4096;
}

/* ---- applying ----------------------------------------------------------------- */

struct apply {
	struct ctx *c;
	struct extract_result *res;
	const char *label;
	int64_t uid;
	struct load_summary *sum;
	void (*progress)(void *ctx, const char *phase, size_t done, size_t total);
	void *progress_ctx;
	json_t **refused; /* lines that would change a final figure */
};

/* The PCN-entered values (tick-boxes, CAIP components, PCN counts) of a
 * practice's PCN for a date of a network-level service, when an extract
 * brings the practice's data: the PCN's achievement for the date is made
 * if need be, and each value it has not set takes the PCN's value at its
 * previous date (carried forward until someone changes it), else No (0).
 * Never touches a final figure. Adds to *set how many were set. */
static enum st pcn_defaults(struct db *db, struct ctx *c, struct svc *s, int64_t practice_id,
			    int64_t date_id, const char *date, size_t *set)
{
	bool any = false;
	for (size_t i = 0; i < s->n; i++)
		any |= s->defs[i].pcn_entered;
	int64_t pcn, ach;
	if (!any || strcmp(s->rec.level, "NETWORK") ||
	    store_pcn_of_practice(db, practice_id, date, &pcn) != ST_OK)
		return ST_OK;
	/* Once per PCN and date: after the first member every value is set
	 * (or the PCN's figure is final), so another would set nothing. */
	for (size_t k = 0; k < c->ndone; k++)
		if (c->done[k].pcn == pcn && c->done[k].date == date_id && c->done[k].service == s->id)
			return ST_OK;
	c->done = xrealloc(c->done, (c->ndone + 1) * sizeof *c->done);
	c->done[c->ndone++] = (struct pcn_done){s->id, pcn, date_id};
	enum st st = ST_OK;
	if (store_achievement_find(db, s->id, pcn, date_id, &ach) != ST_OK)
		st = store_achievement_create(db, s->id, pcn, date_id, &ach);
	if (st != ST_OK || store_final_since(db, ach, NULL))
		return st;
	struct store_val *cur = xcalloc(s->n, sizeof *cur), *prev = xcalloc(s->n, sizeof *prev);
	st = store_values_get(db, ach, s->defs, s->n, cur);
	int64_t prev_ach = 0;
	if (st == ST_OK && store_previous_achievement(db, s->id, pcn, date_id, &prev_ach) == ST_OK)
		st = store_values_get(db, prev_ach, s->defs, s->n, prev);
	for (size_t i = 0; st == ST_OK && i < s->n; i++) {
		if (!s->defs[i].pcn_entered || cur[i].present || !strcmp(s->defs[i].kind, "ratio"))
			continue;
		struct ind_val v = {0, 0, 0};
		if (prev[i].present)
			v.value = prev[i].value; /* carried forward unless changed */
		st = store_value_set(db, ach, s->defs[i].id, &v, false, "EXTRACT", 0);
		(*set)++;
	}
	free(cur);
	free(prev);
	return st;
}

/* Applies one achievement of the file: creates it if need be, stages
 * the values that differ (one EXTRACT submission; store_values_stage,
 * written by apply_tx's store_values_flush), sets its PCN's defaults for
 * the date. *changed gets its id when anything changed (else 0),
 * *submitted when values were staged (else 0). */
static enum st apply_one(struct db *db, struct apply *a, const struct extract_achievement *ea,
			 const char *notes, int64_t *changed, int64_t *submitted)
{
	const struct extract_result *res = a->res;
	struct svc *s = svc_get(a->c, ea->service_id);
	*changed = 0;
	*submitted = 0;
	if (!s)
		return ST_ERROR;
	/* every line of it refused: it is not touched at all (not made) */
	size_t nrefused = 0;
	for (size_t r = ea->first; a->c->skip && r < ea->first + ea->count; r++)
		nrefused += a->c->skip[r] == SKIP_REFUSED;
	if (nrefused && nrefused == ea->count)
		return ST_OK;
	int64_t ach = 0;
	bool created = false;
	enum st st = ST_OK;
	if (store_achievement_find(db, ea->service_id, ea->practice_id, ea->date_id, &ach) != ST_OK) {
		st = store_achievement_create(db, ea->service_id, ea->practice_id, ea->date_id, &ach);
		created = true;
	}
	struct store_val *cur = xcalloc(s->n ? s->n : 1, sizeof *cur);
	if (st == ST_OK)
		st = store_values_get(db, ach, s->defs, s->n, cur);
	int64_t sub = 0;
	bool any = created;
	struct value_row *put = xcalloc(ea->count ? ea->count : 1, sizeof *put);
	size_t nput = 0;
	for (size_t r = ea->first; st == ST_OK && r < ea->first + ea->count; r++) {
		const struct extract_row *row = &res->rows[r];
		size_t i;
		for (i = 0; i < s->n && s->defs[i].id != row->indicator_id; i++)
			;
		if (i == s->n) {
			st = ST_ERROR;
			break;
		}
		bool ratio = row->kind == VK_RATIO;
		if (a->c->skip && a->c->skip[r] == SKIP_REFUSED)
			continue; /* refused: it would change a final figure */
		a->sum->values++;
		if (a->c->skip && a->c->skip[r] == SKIP_SAME)
			continue; /* the value a final figure already holds */
		if (cur[i].present && !strcmp(cur[i].source, "EXTRACT") &&
		    (ratio ? cur[i].num == row->num && cur[i].den == row->den :
			     cur[i].value == row->value))
			continue;
		put[nput].indicator_id = row->indicator_id;
		put[nput].v = (struct ind_val){row->value, row->num, row->den};
		put[nput].ratio = ratio;
		nput++;
	}
	if (st == ST_OK && nput) {
		st = store_submission_add(db, ach, 0, "SUBMIT", "EXTRACT", a->uid, notes, &sub);
		if (st == ST_OK)
			st = store_values_stage(db, ach, put, nput, "EXTRACT", sub);
		*submitted = ach;
		a->sum->values_changed += nput;
		any = true;
	}
	free(put);
	free(cur);
	size_t set = 0;
	if (st == ST_OK && any)
		st = pcn_defaults(db, a->c, s, ea->practice_id, ea->date_id, date_of(a->c, ea->date_id), &set);
	a->sum->defaults_set += set;
	if (st == ST_OK && any) {
		st = store_achievement_touch(db, ach, "SUBMITTED", false);
		*changed = ach;
	}
	return st;
}

/* Recalculates exactly what changed: a network-level service once per PCN
 * and date, however many of its members changed. */
static enum st recalc_changed(struct db *db, struct apply *a, const int64_t *changed, size_t n)
{
	struct recalc *rc = recalc_new(db);
	struct seen {
		int64_t service, date, pcn;
	} *seen = xcalloc(n ? n : 1, sizeof *seen);
	size_t nseen = 0;
	enum st st = ST_OK;
	for (size_t k = 0; st == ST_OK && k < n; k++) {
		struct ach_rec ar;
		st = store_achievement_get(db, changed[k], &ar);
		struct svc *s = st == ST_OK ? svc_get(a->c, ar.service_id) : NULL;
		if (s && !strcmp(s->rec.level, "NETWORK")) {
			int64_t pcn = 0;
			/* Not a member on the date (ST_NOTFOUND) leaves pcn 0. */
			enum st ps = store_pcn_of_practice(db, ar.org_id, ar.date, &pcn);
			if (ps != ST_OK && ps != ST_NOTFOUND) {
				st = ps;
				break;
			}
			bool dup = false;
			for (size_t q = 0; q < nseen && !dup; q++)
				dup = seen[q].service == ar.service_id && seen[q].date == ar.date_id &&
				      seen[q].pcn == pcn && pcn;
			if (dup)
				continue;
			seen[nseen++] = (struct seen){ar.service_id, ar.date_id, pcn};
		}
		if (st == ST_OK) {
			st = lifecycle_data_changed_rec(db, rc, &ar, a->uid);
			a->sum->recalculated++;
		}
		if (st == ST_OK && analyze_at(k + 1))
			st = store_bulk_analyze(db);
		if (a->progress && (k % 256 == 0 || k + 1 == n))
			a->progress(a->progress_ctx, "recalculating", k + 1, n);
	}
	free(seen);
	recalc_free(&rc);
	return st;
}

static enum st apply_tx(struct db *db, void *arg)
{
	struct apply *a = arg;
	struct extract_result *res = a->res;
	/* Checked inside the transaction, so nothing is approved between the
	 * check and the write; a refused line writes nothing, the others
	 * load. */
	free(a->c->skip);
	a->c->skip = NULL;
	a->c->ndone = 0;
	/* What the checks read before the lock is read again inside it. */
	store_memo_clear(db);
	json_decref(*a->refused);
	*a->refused = final_lines(a->c, res);
	a->sum->refused = json_array_size(*a->refused);
	store_bulk_begin(db);
	int64_t *changed = xcalloc(res->nachs ? res->nachs : 1, sizeof *changed);
	int64_t *submitted = xcalloc(res->nachs ? res->nachs : 1, sizeof *submitted);
	size_t nchanged = 0, nsubmitted = 0;
	enum st st = ST_OK;
	char *notes = xasprintf("extract %s", a->label);
	for (size_t k = 0; st == ST_OK && k < res->nachs; k++) {
		st = apply_one(db, a, &res->achs[k], notes, &changed[nchanged], &submitted[nsubmitted]);
		if (st == ST_OK && changed[nchanged]) {
			nchanged++;
			if (analyze_at(nchanged))
				st = store_bulk_analyze(db);
		}
		if (st == ST_OK && submitted[nsubmitted])
			nsubmitted++;
		if (a->progress && (k % 256 == 0 || k + 1 == res->nachs))
			a->progress(a->progress_ctx, "applying", k + 1, res->nachs);
	}
	free(notes);
	/* The staged values written (dropped after a failure), then the work
	 * in progress they replace cleared. */
	enum st fs = store_values_flush(db);
	if (st == ST_OK)
		st = fs;
	for (size_t k = 0; st == ST_OK && k < nsubmitted; k++)
		st = store_wip_clear_extracted(db, submitted[k]);
	free(submitted);
	a->sum->achievements = res->nachs;
	a->sum->achievements_changed = nchanged;
	if (st == ST_OK)
		st = recalc_changed(db, a, changed, nchanged);
	free(changed);
	enum st be = store_bulk_end(db, st == ST_OK);
	if (st == ST_OK)
		st = be;
	if (st == ST_OK) {
		json_t *after = load_summary_json(a->sum);
		json_object_set_new(after, "file", json_string(a->label));
		if (*a->refused)
			json_object_set(after, "refused_lines", *a->refused);
		st = store_audit(db, a->uid, "extract.load", "extract", 0, NULL, after);
		json_decref(after);
	}
	return st;
}

struct parse_progress {
	void (*progress)(void *ctx, const char *phase, size_t done, size_t total);
	void *ctx;
};

static void on_parse(void *p, size_t done, size_t total)
{
	struct parse_progress *pp = p;
	pp->progress(pp->ctx, "checking", done, total);
}

enum st load_extract(struct db *db, const char *data, size_t len, const char *path,
		     const char *label, int64_t uid, struct load_summary *summary, json_t **errors,
		     json_t **refused,
		     void (*progress)(void *ctx, const char *phase, size_t done, size_t total),
		     void *progress_ctx)
{
	int64_t t0 = mono_ms();
	memset(summary, 0, sizeof *summary);
	*errors = NULL;
	*refused = NULL;
	struct ctx c = {.db = db};
	struct extract_lookup lk = {
		.ctx = &c, .practice = lk_practice, .service = lk_service, .date = lk_date,
		.indicator = lk_indicator, .achievement = lk_achievement,
	};
	struct parse_progress pp = {progress, progress_ctx};
	struct extract_opts opts = {0};
	if (progress) {
		opts.progress = on_parse;
		opts.progress_ctx = &pp;
	}
	struct extract_result res;
	store_memo_begin(db);
	int rc = data ? extract_parse(data, len, &lk, &opts, &res) :
			extract_parse_file(path, &lk, &opts, &res);
	summary->lines = res.lines;
	enum st st;
	if (rc != 0) {
		json_t *list = json_array();
		for (size_t i = 0; i < res.nerrors; i++)
			json_array_append_new(list, json_pack("{s:I, s:o, s:s}",
				"line", (json_int_t)res.errors[i].line,
				"field", res.errors[i].field ? json_string(res.errors[i].field) : json_null(),
				"message", res.errors[i].text));
		if (res.total_errors > res.nerrors) {
			char *more = xasprintf("... and %zu more errors", res.total_errors - res.nerrors);
			json_array_append_new(list, json_pack("{s:i, s:n, s:s}", "line", 0, "field",
							      "message", more));
			free(more);
		}
		*errors = list;
		st = ST_INVALID;
	} else {
		summary->practices = res.npractices;
		struct apply a = {&c, &res, label, uid, summary, progress, progress_ctx, refused};
		st = store_tx(db, true, apply_tx, &a);
		if (st != ST_OK) {
			json_decref(*refused);
			*refused = NULL;
		}
	}
	store_memo_end(db);
	extract_result_free(&res);
	ctx_free(&c);
	summary->ms = mono_ms() - t0;
	return st;
}

json_t *load_summary_json(const struct load_summary *s)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"lines", (json_int_t)s->lines, "practices", (json_int_t)s->practices,
		"values", (json_int_t)s->values, "values_changed", (json_int_t)s->values_changed,
		"achievements", (json_int_t)s->achievements,
		"achievements_changed", (json_int_t)s->achievements_changed,
		"recalculated", (json_int_t)s->recalculated,
		"defaults_set", (json_int_t)s->defaults_set, "refused", (json_int_t)s->refused,
		"milliseconds", (json_int_t)s->ms);
}
