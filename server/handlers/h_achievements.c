/* h_achievements.c: Data Submission: the achievements panel, adding an
 * achievement date, an achievement's groups, the group entry form,
 * saving work in progress and submitting, the submission history and
 * missing data. The amendment rules of domain.md live here. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "jsonx.h"
#include "server/rules/lifecycle.h"
#include "validate.h"

/* What the signed-in user may do with one achievement. */
struct access {
	bool can_view;
	bool can_edit;
	bool commissioner; /* entering on the practice's behalf */
	bool pcn;          /* the PCN's user: its PCN-entered values only */
	bool network;      /* the achievement is a PCN's network achievement */
	bool final;        /* financially approved, or feeding a figure that is */
	char reason[300];  /* why not, when !can_edit */
};

static bool has_grant(const struct authctx *a, const char *role, int64_t org_id, const char *kinds)
{
	for (size_t i = 0; i < a->ngrants; i++) {
		if (strcmp(a->grants[i].role, role))
			continue;
		if (org_id && a->grants[i].org_id != org_id)
			continue;
		if (kinds && !role_listed(kinds, a->grants[i].org_kind))
			continue;
		return true;
	}
	return false;
}

static void decide_access(struct req *r, const struct ach_rec *a, const struct service_rec *s,
			  struct access *acc)
{
	memset(acc, 0, sizeof *acc);
	acc->can_view = auth_service_readable(r, a->org_id, a->service_id, NULL);
	if (!acc->can_view)
		return;
	acc->network = !strcmp(a->org_kind, "PCN");
	if (lifecycle_final(r->db, s, a->org_id, a->date_id, a->date, acc->reason,
			    sizeof acc->reason)) {
		acc->final = true;
		return;
	}
	bool practice_entry = has_grant(r->auth, "ACHIEVEMENT_ENTRY", a->org_id, NULL);
	bool comm_entry = !practice_entry &&
		has_grant(r->auth, "ACHIEVEMENT_ENTRY", 0, "ICB,NHSE") &&
		auth_org_in_scope(r, a->org_id, "ACHIEVEMENT_ENTRY");
	bool pcn_entry = !practice_entry && !comm_entry && acc->network &&
		has_grant(r->auth, "PCN_MANAGEMENT", a->org_id, NULL);
	if (pcn_entry) {
		/* The PCN sets its own values (tick-boxes, CAIP components) on
		 * its network achievement until it declares it. */
		const char *declared = a->declaration_status;
		if (!strcmp(declared, "AWAITING_COMMISSIONER") || !strcmp(declared, "AWAITING_FINANCE")) {
			snprintf(acc->reason, sizeof acc->reason,
				 "the PCN has declared this achievement; only the commissioner can change it now");
			return;
		}
		acc->can_edit = true;
		acc->pcn = true;
		return;
	}
	if (!practice_entry && !comm_entry) {
		snprintf(acc->reason, sizeof acc->reason,
			 "entering data needs the Achievement Entry role; you can view only");
		return;
	}
	if (!strcmp(s->payment_type, "PO")) {
		snprintf(acc->reason, sizeof acc->reason,
			 "a participation-only service has no achievement data");
		return;
	}
	char today[11];
	store_business_date(r->db, today);
	if (strcmp(a->date, today) > 0) {
		char d[11];
		date_display(a->date, d);
		snprintf(acc->reason, sizeof acc->reason,
			 "data for this date can be entered from %s", d);
		return;
	}
	if (comm_entry) {
		acc->can_edit = true;
		acc->commissioner = true;
		return;
	}
	if (!strcmp(a->declaration_status, "AWAITING_FINANCE")) {
		snprintf(acc->reason, sizeof acc->reason,
			 "the commissioner has approved this achievement");
		return;
	}
	if (a->commissioner_entry) {
		snprintf(acc->reason, sizeof acc->reason,
			 "this achievement is a Commissioning Organisation entry; ask your commissioner");
		return;
	}
	if (!strcmp(s->entry, "AUTOMATIC")) {
		snprintf(acc->reason, sizeof acc->reason,
			 "this service's data are extracted automatically from clinical systems");
		return;
	}
	char last[11];
	date_add_days(a->date, s->amendment_window_days, last);
	if (strcmp(today, last) > 0) {
		char d[11];
		date_display(last, d);
		snprintf(acc->reason, sizeof acc->reason, "the amendment window closed on %s", d);
		return;
	}
	acc->can_edit = true;
}

/* Why one indicator is read-only for this user, or NULL. */
static const char *indicator_lock(const struct access *acc, const struct ind_state *i)
{
	if (!acc->can_edit)
		return acc->reason;
	if (acc->network && !i->pcn_entered)
		return "network figure (members' sum)";
	if (!acc->network && i->pcn_entered)
		return "entered at PCN level";
	if (!strcmp(i->source, "EXTRACT") && !i->pcn_entered)
		return "extracted from the clinical system";
	return NULL;
}

static bool load(struct req *r, int64_t id, struct ach_rec *a, struct service_rec *s)
{
	if (store_achievement_get(r->db, id, a) != ST_OK ||
	    !auth_service_readable(r, a->org_id, a->service_id, NULL) ||
	    store_service_get(r->db, a->service_id, s) != ST_OK) {
		reply_error(r, 404, "not_found", NULL, "there is no achievement %lld that you can see",
			    (long long)id);
		return false;
	}
	return true;
}

static json_t *ach_summary(const struct ach_rec *a, const struct service_rec *s)
{
	return json_pack("{s:I, s:s, s:b, s:s, s:b, s:s, s:{s:s, s:s, s:s}, s:{s:I, s:s, s:s, s:s, s:s, s:s}}",
		"id", (json_int_t)a->id, "date", a->date, "payment", a->payment, "status", a->status,
		"commissioner_entry", a->commissioner_entry,
		"declaration_status", a->declaration_status,
		"organisation", "code", a->org_code, "name", a->org_name, "kind", a->org_kind,
		"service", "id", (json_int_t)s->id, "name", s->name, "financial_year",
		s->financial_year, "payment_type", s->payment_type, "level", s->level,
		"entry", s->entry);
}

static json_t *val_json(const char *kind, const struct ind_val *v)
{
	if (!strcmp(kind, "ratio"))
		return json_pack("{s:I, s:I}", "numerator", (json_int_t)v->num,
				 "denominator", (json_int_t)v->den);
	return json_pack("{s:I}", "value", (json_int_t)v->value);
}

void h_achievements_list(struct req *r)
{
	struct org_rec o;
	int64_t sid;
	if (!query_id(r, "service", true, &sid) || !query_org(r, "organisation", true, &o))
		return;
	struct service_rec s;
	if (store_service_get(r->db, sid, &s) != ST_OK) {
		reply_error(r, 404, "not_found", "service", "there is no quality service %lld",
			    (long long)sid);
		return;
	}
	if (!auth_service_readable(r, o.id, sid, NULL)) {
		reply_error(r, 404, "not_found", "service",
			    "there is no quality service %lld that you can see at %s", (long long)sid,
			    o.code);
		return;
	}
	json_t *j = store_achievements_json(r->db, o.id, sid);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	char today[11];
	store_business_date(r->db, today);
	json_object_set_new(j, "participates", json_boolean(store_participates(r->db, sid, o.id)));
	json_object_set_new(j, "business_date", json_string(today));
	reply_json(r, 200, j);
}

struct add {
	struct req *r;
	int64_t service_id, org_id, date_id, id;
	bool created;
};

static enum st add_tx(struct db *db, void *arg)
{
	struct add *x = arg;
	if (store_achievement_find(db, x->service_id, x->org_id, x->date_id, &x->id) == ST_OK)
		return ST_OK;
	enum st st = store_achievement_create(db, x->service_id, x->org_id, x->date_id, &x->id);
	if (st != ST_OK)
		return st;
	x->created = true;
	json_t *after = json_pack("{s:I, s:I, s:I}", "service_id", (json_int_t)x->service_id,
				  "org_id", (json_int_t)x->org_id, "date_id", (json_int_t)x->date_id);
	st = store_audit(db, x->r->auth->uid, "achievement.create", "achievement", x->id, NULL, after);
	json_decref(after);
	return st;
}

void h_achievement_add(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *org = NULL, *date = NULL;
	json_int_t sid = 0;
	struct jx_field spec[] = {
		{"organisation", JX_STRING, true, &org, 15, false},
		{"service_id", JX_INT, true, &sid, 0, false},
		{"date", JX_STRING, true, &date, 10, false},
	};
	struct jx_error err;
	struct org_rec o;
	struct service_rec s;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!scoped_org(r, org, "organisation", &o))
		goto out;
	if (!auth_org_in_scope(r, o.id, "ACHIEVEMENT_ENTRY")) {
		reply_error(r, 403, "forbidden", NULL,
			    "adding an achievement needs the Achievement Entry role for %s", o.code);
		goto out;
	}
	if (sid <= 0 || store_service_get(r->db, sid, &s) != ST_OK) {
		reply_error(r, 400, "bad_field", "service_id", "there is no quality service %lld",
			    (long long)sid);
		goto out;
	}
	if (!store_participates(r->db, s.id, o.id)) {
		reply_error(r, 409, "conflict", "service_id",
			    "%s does not take part in %s (no accepted offer)", o.code, s.name);
		goto out;
	}
	if (!date_valid(date)) {
		reply_error(r, 400, "bad_field", "date", "date must be a date YYYY-MM-DD");
		goto out;
	}
	if (!strcmp(s.level, "NETWORK") && !store_participates_on(r->db, s.id, o.id, date)) {
		char d[11];
		date_display(date, d);
		reply_error(r, 409, "conflict", "date",
			    "%s does not take part in %s on %s: it was not a member of a PCN that"
			    " does", o.code, s.name, d);
		goto out;
	}
	if (!strcmp(s.frequency, "MONTHLY") && strcmp(s.entry, "AUTOMATIC") &&
	    !date_is_month_end(date)) {
		reply_error(r, 400, "bad_field", "date",
			    "%s takes monthly manual entry: the achievement date must be the last"
			    " day of a month", s.name);
		goto out;
	}
	struct add x = {.r = r, .service_id = s.id, .org_id = o.id};
	bool payment;
	if (store_achievement_date_get(r->db, s.id, date, &x.date_id, &payment) != ST_OK) {
		char d[11];
		date_display(date, d);
		reply_error(r, 400, "bad_field", "date", "%s is not an achievement date of %s", d,
			    s.name);
		goto out;
	}
	char today[11];
	store_business_date(r->db, today);
	if (strcmp(date, today) > 0) {
		char d[11], t[11];
		date_display(date, d);
		date_display(today, t);
		reply_error(r, 400, "bad_field", "date",
			    "%s is still to come (today is %s): an achievement is added on or after its"
			    " date", d, t);
		goto out;
	}
	enum st st = store_tx(r->db, true, add_tx, &x);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	struct ach_rec a;
	if (store_achievement_get(r->db, x.id, &a) != ST_OK) {
		reply_store_error(r, ST_ERROR);
		goto out;
	}
	json_t *j = ach_summary(&a, &s);
	json_object_set_new(j, "created", json_boolean(x.created));
	reply_json(r, x.created ? 201 : 200, j);
out:
	json_decref(body);
}

void h_achievement_get(struct req *r)
{
	int64_t id = param_id(r, 0);
	struct ach_rec a;
	struct service_rec s;
	if (!id || !load(r, id, &a, &s))
		return;
	struct access acc;
	decide_access(r, &a, &s, &acc);
	json_t *j = ach_summary(&a, &s);
	json_t *groups = store_achievement_groups_json(r->db, a.id, s.id);
	json_object_set_new(j, "groups", groups ? groups : json_array());
	json_object_set_new(j, "can_edit", json_boolean(acc.can_edit));
	json_object_set_new(j, "commissioner", json_boolean(acc.commissioner));
	json_object_set_new(j, "pcn", json_boolean(acc.pcn));
	if (!acc.can_edit)
		json_object_set_new(j, "reason", json_string(acc.reason));
	reply_json(r, 200, j);
}

/* A member practice's form shows its PCN's values for the PCN-entered
 * indicators (the PCN's achievement for the same date holds them). */
static void pcn_values(struct db *db, const struct ach_rec *a, const struct service_rec *s,
		       int64_t gid, struct ind_state *inds, size_t n)
{
	int64_t pcn_ach;
	bool any = false;
	for (size_t i = 0; i < n; i++)
		any |= inds[i].pcn_entered;
	if (!any || !lifecycle_network_of(db, a, s, &pcn_ach))
		return;
	struct ind_state *p = NULL;
	size_t np = 0;
	struct group_info g;
	if (store_group_state(db, pcn_ach, s->id, gid, &p, &np, &g) != ST_OK)
		return;
	for (size_t i = 0; i < n && i < np; i++) {
		if (!inds[i].pcn_entered || p[i].id != inds[i].id)
			continue;
		inds[i].has_cur = p[i].has_cur;
		inds[i].cur = p[i].cur;
		inds[i].has_wip = false;
		memcpy(inds[i].source, p[i].source, sizeof inds[i].source);
	}
	free(p);
}

static json_t *form_json(struct req *r, const struct ach_rec *a, const struct service_rec *s,
			 int64_t gid, const struct access *acc)
{
	struct ind_state *inds = NULL;
	size_t n = 0;
	struct group_info g;
	if (store_group_state(r->db, a->id, s->id, gid, &inds, &n, &g) != ST_OK)
		return NULL;
	pcn_values(r->db, a, s, gid, inds, n);
	json_t *list = json_array();
	for (size_t i = 0; i < n; i++) {
		const struct ind_state *x = &inds[i];
		enum value_kind vk = VK_COUNT;
		value_kind_parse(x->kind, &vk);
		const char *lock = indicator_lock(acc, x);
		json_t *ind = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:b, s:b, s:o, s:s, s:o}",
			"id", (json_int_t)x->id, "code", x->code, "description", x->description,
			"kind", x->kind, "pattern", value_kind_pattern(vk),
			"extra_pattern", *x->pattern ? json_string(x->pattern) : json_null(),
			"pcn_entered", x->pcn_entered, "editable", lock == NULL,
			"current", x->has_cur ? val_json(x->kind, &x->cur) : json_null(),
			"source", x->source,
			"wip", x->has_wip ? val_json(x->kind, &x->wip) : json_null());
		if (lock && acc->can_edit)
			json_object_set_new(ind, "locked_because", json_string(lock));
		if (x->points)
			json_object_set_new(ind, "points", json_integer(x->points));
		if (x->lower >= 0)
			json_object_set_new(ind, "thresholds", json_pack("[i, i]", x->lower, x->upper));
		json_array_append_new(list, ind);
	}
	free(inds);
	json_t *hist = store_submissions_json(r->db, a->id, gid);
	json_t *notes = json_array();
	size_t i;
	json_t *h;
	json_array_foreach(hist, i, h) {
		const char *t = json_string_value(json_object_get(h, "notes"));
		if (t && *t && json_array_size(notes) < 5)
			json_array_append_new(notes, json_pack("{s:O, s:O, s:O, s:s}",
				"at", json_object_get(h, "at"), "user_name", json_object_get(h, "user_name"),
				"kind", json_object_get(h, "kind"), "notes", t));
	}
	json_decref(hist);
	json_t *j = json_pack("{s:o, s:{s:I, s:s, s:s, s:s}, s:I, s:b, s:o, s:o}",
		"achievement", ach_summary(a, s),
		"group", "id", (json_int_t)g.id, "code", g.code, "name", g.name,
		"kind", strcmp(g.kind, "MI") ? "payment" : "mi",
		"version", (json_int_t)store_group_version(r->db, a->id, gid),
		"can_edit", acc->can_edit, "indicators", list, "notes", notes);
	if (!acc->can_edit)
		json_object_set_new(j, "reason", json_string(acc->reason));
	char why[200];
	if (acc->can_edit && lifecycle_submit_reverts(r->db, a, s, why, sizeof why))
		json_object_set_new(j, "submit_reverts", json_string(why));
	return j;
}

void h_group_get(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	int64_t gid = param_id(r, 1);
	struct ach_rec a;
	struct service_rec s;
	if (!gid || !load(r, id, &a, &s))
		return;
	struct access acc;
	decide_access(r, &a, &s, &acc);
	json_t *j = form_json(r, &a, &s, gid, &acc);
	if (!j) {
		reply_error(r, 404, "not_found", NULL, "there is no indicator group %lld in %s",
			    (long long)gid, s.name);
		return;
	}
	reply_json(r, 200, j);
}

/* ---- saving ------------------------------------------------------------- */

struct entry {
	size_t idx;   /* into the group's indicators */
	struct ind_val v;
};

struct save {
	struct req *r;
	struct ach_rec a;
	struct service_rec s;
	struct access acc;
	int64_t gid;
	bool submit;
	const char *notes;
	int64_t version;
	struct entry *entries;
	size_t nentries;
	/* outcomes */
	bool stored;
	bool note_only;   /* the values were unchanged; only the note was stored */
	int64_t submission_id;
	json_t *conflict; /* {"message", "changes"} when someone else saved first */
	char fail[200];
};

/* Whether x's notes are those of the group's latest submission that has
 * notes (sending the same again adds nothing). */
static bool same_as_last_note(struct db *db, const struct save *x)
{
	json_t *hist = store_submissions_json(db, x->a.id, x->gid);
	size_t i;
	json_t *h;
	bool same = false;
	json_array_foreach(hist, i, h) {
		const char *t = json_string_value(json_object_get(h, "notes"));
		if (t && *t) {
			same = !strcmp(t, x->notes);
			break;
		}
	}
	json_decref(hist);
	return same;
}

static bool same_val(const char *kind, const struct ind_val *a, const struct ind_val *b)
{
	if (!strcmp(kind, "ratio"))
		return a->num == b->num && a->den == b->den;
	return a->value == b->value;
}

static enum st save_tx(struct db *db, void *arg)
{
	struct save *x = arg;
	struct ind_state *inds = NULL;
	size_t n = 0;
	struct group_info g;
	enum st st = store_group_state(db, x->a.id, x->s.id, x->gid, &inds, &n, &g);
	if (st != ST_OK)
		return st;
	int64_t version = store_group_version(db, x->a.id, x->gid);
	if (version != x->version) {
		/* Someone saved after this form was opened: say who and what. */
		json_t *last = store_submission_last(db, x->a.id, x->gid);
		json_t *changes = json_array();
		for (size_t i = 0; i < x->nentries; i++) {
			const struct ind_state *s = &inds[x->entries[i].idx];
			const struct ind_val *theirs = s->has_wip && !x->submit ? &s->wip :
						       s->has_cur ? &s->cur : NULL;
			if (!theirs || !same_val(s->kind, theirs, &x->entries[i].v))
				json_array_append_new(changes, json_pack("{s:s, s:o, s:o}",
					"indicator", s->code,
					"yours", val_json(s->kind, &x->entries[i].v),
					"current", theirs ? val_json(s->kind, theirs) : json_null()));
		}
		const char *who = last ? json_string_value(json_object_get(last, "user_name")) : NULL;
		const char *who_id = last ? json_string_value(json_object_get(last, "user_id")) : NULL;
		bool own = who_id && !strcmp(who_id, x->r->auth->user_id);
		char *msg = own ? xasprintf("your own earlier save changed this group after this form"
					    " was opened; review the current values and save again")
				: xasprintf("%s saved this group after you opened it; review the current"
					    " values and submit again", who ? who : "someone else");
		x->conflict = json_pack("{s:s, s:o, s:{s:o, s:o, s:b}}", "message", msg,
					"changes", changes, "saved_by",
					"user_id", who_id ? json_string(who_id) : json_null(),
					"name", who ? json_string(who) : json_null(), "own", own);
		free(msg);
		json_decref(last);
		free(inds);
		return ST_CONFLICT;
	}
	/* Store only what differs from the previous submission (or work in
	 * progress): Submit compares with the current values, Save Work in
	 * Progress with the work in progress, else the current values. */
	bool differs = false;
	for (size_t i = 0; i < x->nentries && !differs; i++) {
		const struct ind_state *s = &inds[x->entries[i].idx];
		const struct ind_val *prev = !x->submit && s->has_wip ? &s->wip :
					     s->has_cur ? &s->cur : NULL;
		if (!prev || !same_val(s->kind, prev, &x->entries[i].v))
			differs = true;
	}
	/* Unchanged values with a note: the note is stored (with the values
	 * as they are, for the history), and nothing else changes: no value,
	 * no recalculation, no declaration moves. */
	x->note_only = !differs;
	if (!differs && (text_blank(x->notes) || same_as_last_note(db, x))) {
		free(inds);
		return ST_OK;
	}
	const char *source = x->acc.commissioner ? "COMMISSIONER" : "MANUAL";
	st = store_submission_add(db, x->a.id, x->gid, x->submit ? "SUBMIT" : "WIP", source,
				  x->r->auth->uid, x->notes, &x->submission_id);
	json_t *before = json_object(), *after = json_object();
	for (size_t i = 0; st == ST_OK && i < x->nentries; i++) {
		const struct ind_state *s = &inds[x->entries[i].idx];
		bool ratio = !strcmp(s->kind, "ratio");
		if (s->has_cur)
			json_object_set_new(before, s->code, val_json(s->kind, &s->cur));
		json_object_set_new(after, s->code, val_json(s->kind, &x->entries[i].v));
		st = store_submission_value_add(db, x->submission_id, s->id, &x->entries[i].v, ratio);
		if (st != ST_OK || x->note_only)
			continue;
		if (x->submit)
			st = store_value_set(db, x->a.id, s->id, &x->entries[i].v, ratio, source,
					     x->submission_id);
		else
			st = store_wip_set(db, x->a.id, s->id, &x->entries[i].v, ratio, x->r->auth->uid);
	}
	free(inds);
	if (st == ST_OK)
		st = store_audit(db, x->r->auth->uid, x->note_only ? "achievement.note" :
				 x->submit ? "achievement.submit" : "achievement.wip",
				 "achievement", x->a.id, before, after);
	json_decref(before);
	json_decref(after);
	if (st == ST_OK && x->note_only) {
		x->stored = true;
		return ST_OK;
	}
	if (st == ST_OK)
		st = store_achievement_touch(db, x->a.id, x->submit ? "SUBMITTED" : NULL,
					     x->submit && x->acc.commissioner);
	if (st == ST_OK && x->submit)
		st = lifecycle_data_changed(db, NULL, x->a.id, x->r->auth->uid);
	if (st == ST_OK)
		x->stored = true;
	return st;
}

/* Parses one typed value for an indicator; writes why on failure. */
static bool parse_entry(const struct ind_state *s, json_t *row, struct ind_val *v, char *why,
			size_t whylen, const char **bad)
{
	enum value_kind vk = VK_COUNT;
	value_kind_parse(s->kind, &vk);
	const char *pat = *s->pattern ? s->pattern : NULL;
	memset(v, 0, sizeof *v);
	if (vk == VK_RATIO) {
		json_t *nj = json_object_get(row, "numerator"), *dj = json_object_get(row, "denominator");
		if (json_object_get(row, "value") || !json_is_string(nj) || !json_is_string(dj)) {
			snprintf(why, whylen, "needs a numerator and a denominator, as text");
			*bad = "numerator";
			return false;
		}
		/* both parts checked: a fault in each is reported for each */
		char wn[200] = "", wd[200] = "";
		bool okn = value_check(VK_COUNT, pat, json_string_value(nj), &v->num, wn, sizeof wn),
		     okd = value_check(VK_COUNT, pat, json_string_value(dj), &v->den, wd, sizeof wd);
		if (!okn || !okd) {
			*bad = okn ? "denominator" : "numerator";
			if (!okn && !okd && !strcmp(wn, wd))
				snprintf(why, whylen, "numerator and denominator: %s", wn);
			else if (!okn && !okd)
				snprintf(why, whylen, "numerator: %s; denominator: %s", wn, wd);
			else
				snprintf(why, whylen, "%s: %s", *bad, okn ? wd : wn);
			return false;
		}
		if (v->num > v->den) {
			snprintf(why, whylen, "the numerator must not be above the denominator");
			*bad = "numerator";
			return false;
		}
		return true;
	}
	json_t *vj = json_object_get(row, "value");
	*bad = "value";
	if (json_object_get(row, "numerator") || json_object_get(row, "denominator") ||
	    !json_is_string(vj)) {
		snprintf(why, whylen, "needs one value, as text");
		return false;
	}
	return value_check(vk, pat, json_string_value(vj), &v->value, why, whylen);
}

/* Why one row of "values" cannot be saved (false, with why and the bad
 * part of the row), or true with its entry added to x. asked[i] gets the
 * row's indicator index (n: none), to find an indicator given twice. */
static bool check_row(struct save *x, const struct ind_state *inds, size_t n,
		      const struct group_info *g, size_t i, json_t *row, size_t *asked, char *why,
		      size_t whylen, char bad[40], bool *locked)
{
	const char *code = json_string_value(json_object_get(row, "indicator"));
	size_t k = n;
	if (json_is_object(row) && code)
		for (k = 0; k < n; k++)
			if (!strcmp(inds[k].code, code))
				break;
	strlcpy_s(bad, "indicator", 40);
	asked[i] = n;
	if (!json_is_object(row) || !code) {
		snprintf(why, whylen, "each value needs an \"indicator\" code");
		return false;
	}
	if (k == n) {
		snprintf(why, whylen, "not an indicator of group %s", g->code);
		return false;
	}
	asked[i] = k;
	const char *lock = indicator_lock(&x->acc, &inds[k]);
	bool dup = false;
	for (size_t m = 0; m < i; m++)
		dup |= asked[m] == k;
	/* The row's shape, strictly, as every other body is read. */
	const char *ind_code = NULL, *value = NULL, *num = NULL, *den = NULL;
	struct jx_field spec[] = {
		{"indicator", JX_STRING, true, &ind_code, 32, false},
		{"value", JX_STRING, false, &value, 64, false},
		{"numerator", JX_STRING, false, &num, 64, false},
		{"denominator", JX_STRING, false, &den, 64, false},
	};
	struct jx_error err;
	if (!jx_unpack(row, spec, ARRAY_SIZE(spec), &err)) {
		snprintf(why, whylen, "%s", err.message);
		strlcpy_s(bad, err.field, 40);
		return false;
	}
	if (dup) {
		snprintf(why, whylen, "given twice");
		return false;
	}
	if (lock) {
		snprintf(why, whylen, "cannot be changed: %s", lock);
		*locked = true;
		return false;
	}
	const char *part = "value";
	if (!parse_entry(&inds[k], row, &x->entries[x->nentries].v, why, whylen, &part)) {
		strlcpy_s(bad, part, 40);
		return false;
	}
	x->entries[x->nentries++].idx = k;
	return true;
}

/* Checks every row of "values" (all of them, so that every fault is
 * reported); returns the errors [{field, indicator, message}] (empty when
 * none), the first one's field and message, and whether any was a locked
 * indicator. */
static json_t *check_values(struct save *x, json_t *values, const struct ind_state *inds,
			    size_t n, const struct group_info *g, bool *locked,
			    char first_field[80], char first_msg[500])
{
	size_t nv = json_array_size(values);
	size_t *asked = xcalloc(nv ? nv : 1, sizeof *asked);
	json_t *errors = json_array();
	for (size_t i = 0; i < nv; i++) {
		json_t *row = json_array_get(values, i);
		char why[400], bad[40];
		if (check_row(x, inds, n, g, i, row, asked, why, sizeof why, bad, locked))
			continue;
		const char *code = json_string_value(json_object_get(row, "indicator"));
		char f[80];
		snprintf(f, sizeof f, "values[%zu].%.40s", i, bad);
		json_array_append_new(errors, json_pack("{s:s, s:o, s:s}", "field", f,
			"indicator", code ? json_string(code) : json_null(), "message", why));
		if (!*first_field) {
			strlcpy_s(first_field, f, 80);
			snprintf(first_msg, 500, "%s%s%s", code ? code : "", code ? ": " : "", why);
		}
	}
	free(asked);
	return errors;
}

void h_group_save(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	int64_t gid = param_id(r, 1);
	if (!gid)
		return;
	/* Who may change this achievement is answered first (404 outside
	 * scope, 403 or 409 within it): an outsider learns nothing of the
	 * body's rules. */
	struct save x;
	memset(&x, 0, sizeof x);
	x.r = r;
	x.gid = gid;
	if (!load(r, id, &x.a, &x.s))
		return;
	decide_access(r, &x.a, &x.s, &x.acc);
	if (!x.acc.can_edit) {
		if (x.acc.final)
			reply_error(r, 409, "final", NULL, "%s", x.acc.reason);
		else
			reply_error(r, 403, "forbidden", NULL, "%s", x.acc.reason);
		return;
	}
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *mode = NULL;
	json_int_t version = -1;
	json_t *values = NULL, *errors = NULL;
	struct ind_state *inds = NULL;
	size_t n = 0;
	struct jx_field spec[] = {
		{"mode", JX_STRING, true, &mode, 8, false},
		{"version", JX_INT, true, &version, 0, false},
		{"notes", JX_STRING, false, &x.notes, TEXT_NOTES_MAX, true},
		{"values", JX_ARRAY, true, &values, 0, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (strcmp(mode, "submit") && strcmp(mode, "wip")) {
		reply_error(r, 400, "bad_field", "mode", "mode must be submit or wip");
		goto out;
	}
	x.submit = !strcmp(mode, "submit");
	x.version = version;
	struct group_info g;
	if (store_group_state(r->db, x.a.id, x.s.id, gid, &inds, &n, &g) != ST_OK) {
		reply_error(r, 404, "not_found", NULL, "there is no indicator group %lld in %s",
			    (long long)gid, x.s.name);
		goto out;
	}
	size_t nv = json_array_size(values);
	if (nv == 0 || nv > n) {
		reply_error(r, 400, "bad_field", "values",
			    nv ? "more values than the group has indicators" : "enter at least one value");
		goto out;
	}
	x.entries = xcalloc(nv, sizeof *x.entries);
	bool locked = false;
	char first_field[80] = "", first_msg[500] = "";
	errors = check_values(&x, values, inds, n, &g, &locked, first_field, first_msg);
	if (json_array_size(errors)) {
		/* A locked indicator is a refusal (403); otherwise bad input (400). */
		json_t *e = json_pack("{s:{s:s, s:s, s:s}, s:O}", "error", "code",
				      locked ? "forbidden" : "bad_field",
				      "message", first_msg, "field", first_field, "errors", errors);
		reply_json(r, locked ? 403 : 400, e);
		goto out;
	}
	char reverts[200];
	bool reverting = x.submit && lifecycle_submit_reverts(r->db, &x.a, &x.s, reverts,
							      sizeof reverts);
	enum st st = store_tx(r->db, true, save_tx, &x);
	if (st == ST_CONFLICT && x.conflict) {
		json_t *e = json_pack("{s:{s:s, s:O}, s:O, s:O, s:o}", "error", "code", "conflict",
				      "message", json_object_get(x.conflict, "message"),
				      "changes", json_object_get(x.conflict, "changes"),
				      "saved_by", json_object_get(x.conflict, "saved_by"),
				      "current", form_json(r, &x.a, &x.s, gid, &x.acc));
		reply_json(r, 409, e);
		goto out;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	/* Read back what was stored; the save itself has committed. */
	if ((st = store_achievement_get(r->db, x.a.id, &x.a)) != ST_OK) {
		reply_store_error(r, st == ST_NOTFOUND ? (int)ST_ERROR : (int)st);
		goto out;
	}
	char *msg = x.note_only && x.stored ?
		xasprintf("Note stored for %s %s; the values are unchanged, so nothing was "
			  "recalculated", g.code, g.name) : x.stored ?
		xasprintf(x.submit ? "Achievement data submitted for %s %s%s" :
			  "Work in progress saved for %s %s%s", g.code, g.name, x.submit && reverting ?
			  "; the declaration went back to the provider to declare again" : "") :
		xasprintf("Nothing stored: the values are the same as the %s", x.submit ?
			  "previous submission" : "work in progress already saved");
	json_t *j = json_pack("{s:b, s:s, s:o}", "stored", x.stored, "message", msg,
			      "form", form_json(r, &x.a, &x.s, gid, &x.acc));
	free(msg);
	if (x.stored)
		json_object_set_new(j, "submission_id", json_integer(x.submission_id));
	reply_json(r, 200, j);
out:
	free(inds);
	free(x.entries);
	json_decref(x.conflict);
	json_decref(errors);
	json_decref(body);
}

void h_submissions(struct req *r)
{
	int64_t id = param_id(r, 0);
	struct ach_rec a;
	struct service_rec s;
	if (!id || !load(r, id, &a, &s))
		return;
	int64_t gid;
	if (!query_id(r, "group", false, &gid))
		return;
	json_t *list = store_submissions_json(r->db, a.id, gid);
	if (!list) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, json_pack("{s:o, s:o}", "achievement", ach_summary(&a, &s),
				     "submissions", list));
}

void h_missing(struct req *r)
{
	struct org_rec o;
	int64_t sid;
	if (!query_id(r, "service", false, &sid) || !query_org(r, "organisation", false, &o))
		return;
	const char *date = req_query(r, "date");
	if (date && !date_valid(date)) {
		reply_error(r, 400, "bad_query", "date", "date must be YYYY-MM-DD");
		return;
	}
	struct page_q pg;
	struct missing_q q = {.org_id = o.id, .service_id = sid, .date = date};
	if (!query_year(r, &q.year) || !query_page(r, 500, &pg))
		return;
	q.q = pg.q;
	q.limit = pg.limit;
	q.offset = pg.offset;
	json_t *j = store_missing_json(r->db, r->auth->uid, &q);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}
