/* lifecycle.c: declarations through their statuses, with the tasks and
 * e-mails each step leaves for the next actor. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "server/rules/lifecycle.h"
#include "server/rules/recalc.h"
#include "util.h"

/* The task kinds of each waiting status, and whose they are. */
static const struct {
	const char *status;
	const char *kind;
	const char *role;
	bool provider; /* the practice or PCN, else its ICB */
	const char *title;
} waiting[] = {
	{"AWAITING_PROVIDER", "DECLARATION", "DECLARATION_MANAGEMENT", true, "Declaration due"},
	{"AWAITING_COMMISSIONER", "DECLARATION_APPROVAL", "APPROVAL_MANAGEMENT", false,
	 "Declaration awaiting approval"},
	{"AWAITING_FINANCE", "DECLARATION_FINANCE", "FINANCE_MANAGEMENT", false,
	 "Declaration awaiting financial approval"},
};

static enum st leave_task(struct db *db, const struct decl_rec *d, const char *status)
{
	for (size_t i = 0; i < ARRAY_SIZE(waiting); i++) {
		if (strcmp(waiting[i].status, status))
			continue;
		int64_t org = waiting[i].provider ? d->org_id : store_org_icb(db, d->org_id);
		if (!org)
			return ST_OK;
		char date[11];
		date_display(d->date, date);
		/* what tells one task from another first (a list may cut the
		 * end): the date, the organisation's code and the service; its
		 * name last */
		char *title = xasprintf("%s: %s %s %s (%s)", waiting[i].title, date, d->org_code,
					d->service_name, d->org_name);
		char *body = xasprintf("%s.\n\nOrganisation: %s (%s)\nService: %s\nAchievement date: %s\n\n"
				       "Open CQRS: Achievement > %s.", title, d->org_name, d->org_code,
				       d->service_name, date,
				       waiting[i].provider ? "Declare" : "Declaration Management");
		enum st st = store_notify(db, org, waiting[i].role, waiting[i].kind, title,
					  "declaration", d->id, body);
		free(title);
		free(body);
		return st;
	}
	return ST_OK;
}

enum st lifecycle_declaration_move(struct db *db, const struct decl_rec *d, const char *to,
				   int64_t uid, const char *note, const char *notes)
{
	bool declaring = !strcmp(d->status, "AWAITING_PROVIDER");
	enum st st = store_declaration_set_status(db, d->id, d->status, to, uid, note, notes,
						  declaring && strcmp(to, "AWAITING_PROVIDER"));
	if (st != ST_OK)
		return st;
	/* Back with the provider (the data changed, or it was returned): the
	 * statements were made about what is no longer so, and are ticked
	 * again, having been read again, before declaring again. */
	if (!declaring && !strcmp(to, "AWAITING_PROVIDER")) {
		st = store_declaration_ticks_set(db, d->id, NULL, 0, uid);
		if (st != ST_OK)
			return st;
	}
	st = store_task_done(db, "declaration", d->id,
			     "DECLARATION,DECLARATION_APPROVAL,DECLARATION_FINANCE", uid);
	if (st != ST_OK)
		return st;
	json_t *before = json_pack("{s:s}", "status", d->status);
	json_t *after = json_pack("{s:s}", "status", to);
	char action[48];
	snprintf(action, sizeof action, "declaration.%s", to);
	st = store_audit(db, uid, action, "declaration", d->id, before, after);
	json_decref(before);
	json_decref(after);
	if (st != ST_OK)
		return st;
	if (!strcmp(to, "FINANCIALLY_APPROVED")) {
		char date[11];
		date_display(d->date, date);
		char *title = xasprintf("Payment financially approved: %s, %s", d->service_name, date);
		st = store_email_role(db, d->org_id, "DECLARATION_MANAGEMENT", "DECLARATION_APPROVED",
				      title, "The commissioner has financially approved the payment."
				      " It is final and will be paid through PCSE Online.");
		free(title);
		return st;
	}
	return leave_task(db, d, to);
}

static bool final_why(struct db *db, const struct service_rec *s, int64_t org_id, int64_t date_id,
		      const char *date, bool pcn, char *why, size_t whylen)
{
	int64_t ach;
	char since[11] = "";
	if (store_achievement_find(db, s->id, org_id, date_id, &ach) != ST_OK ||
	    !store_final_since(db, ach, since))
		return false;
	if (why) {
		/* What matters first (a screen may be narrow), then which. */
		struct org_rec o;
		char d[11], sd[20];
		if (store_org_get(db, org_id, &o) != ST_OK)
			snprintf(o.code, sizeof o.code, "?");
		date_display(date, d);
		if (date_valid(since))
			date_display(since, sd);
		else
			snprintf(sd, sizeof sd, "an earlier date");
		snprintf(why, whylen, "%s was financially approved on %s (%s, %s, %s); it is final and"
			 " nothing %s can change", pcn ? "its PCN's network payment" : "the payment", sd,
			 o.code, s->name, d, pcn ? "that feeds it" : "in it");
	}
	return true;
}

bool lifecycle_final(struct db *db, const struct service_rec *s, int64_t org_id, int64_t date_id,
		     const char *date, char *why, size_t whylen)
{
	if (final_why(db, s, org_id, date_id, date, false, why, whylen))
		return true;
	int64_t pcn;
	struct org_rec o;
	return !strcmp(s->level, "NETWORK") && store_org_get(db, org_id, &o) == ST_OK &&
	       !strcmp(o.kind, "PRACTICE") && store_pcn_of_practice(db, org_id, date, &pcn) == ST_OK &&
	       final_why(db, s, pcn, date_id, date, true, why, whylen);
}

bool lifecycle_network_of(struct db *db, const struct ach_rec *a, const struct service_rec *s,
			  int64_t *pcn_ach)
{
	int64_t pcn;
	return !strcmp(s->level, "NETWORK") && !strcmp(a->org_kind, "PRACTICE") &&
	       store_pcn_of_practice(db, a->org_id, a->date, &pcn) == ST_OK &&
	       store_achievement_find(db, s->id, pcn, a->date_id, pcn_ach) == ST_OK;
}

bool lifecycle_reverts(const char *status)
{
	return !strcmp(status, "AWAITING_COMMISSIONER") || !strcmp(status, "AWAITING_FINANCE");
}

bool lifecycle_submit_reverts(struct db *db, const struct ach_rec *a, const struct service_rec *s,
			      char *why, size_t whylen)
{
	struct ach_rec pa;
	int64_t pcn_ach;
	const struct ach_rec *d = a;
	if (!strcmp(s->payment_type, "PO"))
		return false;
	if (lifecycle_network_of(db, a, s, &pcn_ach)) {
		if (store_achievement_get(db, pcn_ach, &pa) != ST_OK)
			return false;
		d = &pa;
	}
	if (!lifecycle_reverts(d->declaration_status))
		return false;
	char whose[64];
	if (d == a)
		snprintf(whose, sizeof whose, "this achievement's");
	else
		snprintf(whose, sizeof whose, "the network declaration of PCN %s", d->org_code);
	snprintf(why, whylen, "Submitting changed values sends %s%s, now awaiting %s, back to "
		 "the provider to declare again.", whose, d == a ? " declaration" : "",
		 !strcmp(d->declaration_status, "AWAITING_FINANCE") ? "financial approval" :
		 "the commissioner's approval");
	return true;
}

/* The declaration step after an achievement was (re)calculated. */
static enum st declaration_step(struct db *db, const struct ach_rec *a, const struct service_rec *s,
				int64_t pence, int64_t uid)
{
	int64_t decl_id;
	struct decl_rec d;
	/* a was read with its declaration's status ("" when none): only an
	 * achievement that has one looks it up. */
	enum st st = a->declaration_status[0] ? store_declaration_of_achievement(db, a->id, &d)
					      : ST_NOTFOUND;
	if (st == ST_NOTFOUND) {
		/* Payment dates get a declaration; participation-only services
		 * and monthly manual dates that are not month ends do not. */
		if (!a->payment || !strcmp(s->payment_type, "PO") ||
		    (!strcmp(s->frequency, "MONTHLY") && !date_is_month_end(a->date)))
			return ST_OK;
		st = store_declaration_create(db, a->id, "AWAITING_PROVIDER", pence,
					      "provisional payment calculated", &decl_id);
		if (st != ST_OK)
			return st;
		st = store_declaration_get(db, decl_id, &d);
		if (st != ST_OK)
			return st;
		if (!s->declaration_required)
			return lifecycle_declaration_move(db, &d, s->approval_required ?
				"AWAITING_COMMISSIONER" : "AWAITING_FINANCE", 0,
				"No Declaration Required: approved automatically", NULL);
		return leave_task(db, &d, "AWAITING_PROVIDER");
	}
	if (st != ST_OK)
		return st;
	if (!strcmp(d.status, "FINANCIALLY_APPROVED"))
		return ST_FORBIDDEN;
	st = store_declaration_set_pence(db, d.id, pence);
	if (st != ST_OK)
		return st;
	if (lifecycle_reverts(d.status))
		return lifecycle_declaration_move(db, &d, "AWAITING_PROVIDER", uid,
						  "the data changed and were recalculated; declare again",
						  NULL);
	return ST_OK;
}

enum st lifecycle_data_changed(struct db *db, struct recalc *rc, int64_t ach_id, int64_t uid)
{
	struct ach_rec a;
	enum st st = store_achievement_get(db, ach_id, &a);
	if (st != ST_OK)
		return st;
	struct recalc *own = NULL;
	if (!rc)
		rc = own = recalc_new(db);
	st = lifecycle_data_changed_rec(db, rc, &a, uid);
	recalc_free(&own);
	return st;
}

enum st lifecycle_data_changed_rec(struct db *db, struct recalc *rc, const struct ach_rec *ap,
				   int64_t uid)
{
	const struct ach_rec a = *ap;
	const struct service_rec *sp = recalc_service(rc, a.service_id);
	if (!sp)
		return ST_ERROR;
	const struct service_rec s = *sp;
	if (!strcmp(a.declaration_status, "FINANCIALLY_APPROVED"))
		return ST_FORBIDDEN;
	if (!strcmp(s.payment_type, "PO"))
		return ST_OK;
	int64_t pence = 0;
	bool calculated = false;
	enum st st;
	if (!strcmp(s.level, "NETWORK")) {
		/* Practice data feed their PCN's network achievement, which is
		 * the one calculated and declared. */
		int64_t pcn_id = a.org_id;
		if (!strcmp(a.org_kind, "PRACTICE") &&
		    store_pcn_of_practice(db, a.org_id, a.date, &pcn_id) != ST_OK)
			return store_achievement_set_status(db, a.id, "AWAITING_NETWORK");
		int64_t pcn_ach = 0;
		st = recalc_network(rc, s.id, a.date_id, a.date, pcn_id, &pcn_ach, &calculated, &pence);
		if (st == ST_OK && calculated && pcn_ach) {
			struct ach_rec pa;
			st = store_achievement_get(db, pcn_ach, &pa);
			if (st == ST_OK)
				st = declaration_step(db, &pa, &s, pence, uid);
		}
		return st;
	}
	st = recalc_one_rec(rc, &a, &pence, &calculated);
	if (st == ST_OK && calculated)
		st = declaration_step(db, &a, &s, pence, uid);
	return st;
}

struct open_decl {
	const char *from, *to;
};

static enum st open_tx(struct db *db, void *arg)
{
	struct open_decl *o = arg;
	int64_t *ids = NULL;
	size_t n = 0;
	enum st st = store_undeclared_payment_achievements(db, o->from, o->to, &ids, &n);
	struct recalc *rc = recalc_new(db);
	for (size_t i = 0; st == ST_OK && i < n; i++) {
		struct ach_rec a;
		struct service_rec s;
		int64_t pence = 0;
		bool calculated = false;
		st = store_achievement_get(db, ids[i], &a);
		if (st == ST_OK)
			st = store_service_get(db, a.service_id, &s);
		if (st == ST_OK)
			st = recalc_one(rc, a.id, &pence, &calculated);
		if (st == ST_OK && calculated)
			st = declaration_step(db, &a, &s, pence, 0);
	}
	recalc_free(&rc);
	free(ids);
	return st;
}

enum st lifecycle_open_declarations(struct db *db, const char *from, const char *to)
{
	struct open_decl o = {from, to};
	return store_tx(db, true, open_tx, &o);
}
