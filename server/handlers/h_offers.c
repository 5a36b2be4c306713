/* h_offers.c: Participation Management: listing offers, one offer with
 * its service structure, creating offers (the commissioner's five steps
 * end here) and the transitions: accept, reject, withdraw, cancel. The
 * rules of which transition is allowed from which status live here. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "server/handlers/present.h"
#include "jsonx.h"
#include "validate.h"

static bool status_valid(const char *s)
{
	return s && (!strcmp(s, "OFFERED") || !strcmp(s, "APPROVED") || !strcmp(s, "REJECTED") ||
		     !strcmp(s, "CANCELLED"));
}

void h_offers_list(struct req *r)
{
	const char *year, *status = req_query(r, "status");
	int64_t service;
	struct org_rec o;
	if (!query_id(r, "service", false, &service) || !query_year(r, &year))
		return;
	if (status && !status_valid(status)) {
		reply_error(r, 400, "bad_query", "status",
			    "status must be OFFERED, APPROVED, REJECTED or CANCELLED");
		return;
	}
	if (!query_org(r, "organisation", false, &o))
		return;
	/* issue 13: summary=service counts the offers of each service; limit
	 * (with offset and q) answers one page */
	struct page_q pg;
	if (!query_page(r, 200, &pg))
		return;
	const char *summary = req_query(r, "summary");
	if (summary && strcmp(summary, "service") != 0) {
		reply_error(r, 400, "bad_query", "summary", "summary must be service");
		return;
	}
	struct offers_q q = {.year = year, .status = status, .q = pg.q, .service_id = service,
			     .org_id = o.id, .limit = pg.limit, .offset = pg.offset};
	json_t *j = summary ? store_offers_summary(r->db, r->auth->uid, &q)
		  : pg.limit ? store_offers_page(r->db, r->auth->uid, &q)
		  : store_offers_json(r->db, r->auth->uid, year, service, status, o.id);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

void h_offer_get(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	struct offer_rec o;
	if (store_offer_get(r->db, id, &o) != ST_OK ||
	    !auth_service_readable(r, o.org_id, o.service_id, NULL)) {
		reply_error(r, 404, "not_found", NULL, "there is no offer %lld that you can see",
			    (long long)id);
		return;
	}
	json_t *j = store_offer_json(r->db, id);
	json_t *svc = present_money(store_service_json(r->db, o.service_id),
				    present_pounds(r, o.org_id, o.service_id));
	if (!j || !svc) {
		json_decref(j);
		json_decref(svc);
		reply_store_error(r, ST_ERROR);
		return;
	}
	json_object_set_new(j, "service", svc);
	reply_json(r, 200, j);
}

/* ---- creating offers --------------------------------------------------- */

struct create {
	struct req *r;
	struct service_rec svc;
	struct offer_new base;
	int64_t *orgs;       /* organisation ids, as asked */
	char (*codes)[16];
	size_t n;
	json_t *created;     /* offer ids */
	bool network;        /* a network-level service, offered to PCNs */
	/* the failure, when one row makes the whole request fail */
	int fail_status;
	char fail_code[24];
	char fail_field[40];
	char fail_msg[256];
};

static enum st fail(struct create *c, int status, const char *code, const char *field,
		    const char *msg)
{
	c->fail_status = status;
	strlcpy_s(c->fail_code, code, sizeof c->fail_code);
	strlcpy_s(c->fail_field, field ? field : "", sizeof c->fail_field);
	strlcpy_s(c->fail_msg, msg, sizeof c->fail_msg);
	return ST_INVALID;
}

static enum st offer_one(struct db *db, struct create *c, int64_t org_id, int64_t via_pcn,
			 const char *field)
{
	char msg[256];
	/* A member practice that already takes part (an offer through its PCN
	 * that was never cancelled) keeps that offer: it follows its PCN. */
	if (via_pcn && store_offer_active_exists(db, c->svc.id, org_id))
		return ST_OK;
	if (store_offer_active_exists(db, c->svc.id, org_id)) {
		json_t *o = store_org_json(db, org_id);
		snprintf(msg, sizeof msg, "%s already has an offer of %s that is not cancelled",
			 o ? json_string_value(json_object_get(o, "code")) : "the practice",
			 c->svc.name);
		json_decref(o);
		return fail(c, 409, "conflict", field, msg);
	}
	struct offer_new n = c->base;
	n.org_id = org_id;
	n.via_pcn_id = via_pcn;
	int64_t id;
	enum st st = store_offer_create(db, &n, &id);
	if (st != ST_OK)
		return st;
	json_t *after = json_pack("{s:I, s:I, s:s}", "service_id", (json_int_t)c->svc.id,
				  "org_id", (json_int_t)org_id, "status", "OFFERED");
	st = store_audit(db, c->r->auth->uid, "offer.create", "offer", id, NULL, after);
	json_decref(after);
	if (st != ST_OK)
		return st;
	char *title;
	if (!via_pcn && c->network) {
		/* The PCN's own offer: the PCN takes part as a whole, through its
		 * members; it has no Service Management of its own to accept. */
		if (c->svc.auto_accept)
			st = store_offer_set_status(db, id, "OFFERED", "APPROVED", 0,
						    "the PCN takes part through its member practices", true);
		if (st == ST_OK)
			json_array_append_new(c->created, json_integer(id));
		return st;
	}
	if (via_pcn && c->svc.auto_accept) {
		st = store_offer_set_status(db, id, "OFFERED", "APPROVED", 0,
					    "accepted automatically on the practice's behalf as a"
					    " member of its PCN", true);
		if (st != ST_OK)
			return st;
		title = xasprintf("Accepted on your behalf through your PCN: %s", c->svc.name);
		st = store_email_role(db, org_id, "SERVICE_MANAGEMENT", "OFFER_AUTO_ACCEPTED", title,
				      "The service was offered to your PCN and accepted on your"
				      " practice's behalf. See Participation Management > My Services.");
	} else {
		title = xasprintf("New offer: %s", c->svc.name);
		st = store_notify(db, org_id, "SERVICE_MANAGEMENT", "OFFER", title, "offer", id,
				  "A quality service has been offered to your practice. Review it"
				  " in Participation Management > My Services and accept or reject it.");
	}
	free(title);
	if (st == ST_OK)
		json_array_append_new(c->created, json_integer(id));
	return st;
}

static enum st create_tx(struct db *db, void *arg)
{
	struct create *c = arg;
	for (size_t i = 0; i < c->n; i++) {
		char field[40];
		snprintf(field, sizeof field, "organisations[%zu]", i);
		enum st st;
		if (c->network) {
			/* The PCN's own offer and its members' on the offer's start
			 * (or today, the business date, when that is later), in one
			 * transaction. */
			int64_t *members = NULL;
			size_t nm = 0;
			char today[11];
			store_business_date(db, today);
			const char *on = strcmp(c->base.start_date, today) > 0 ? c->base.start_date : today;
			st = store_pcn_members(db, c->orgs[i], on, &members, &nm);
			if (st == ST_OK && nm == 0) {
				char msg[200];
				snprintf(msg, sizeof msg, "PCN %s has no member practices on %s",
					 c->codes[i], on);
				st = fail(c, 409, "conflict", field, msg);
			}
			if (st == ST_OK)
				st = offer_one(db, c, c->orgs[i], 0, field);
			for (size_t k = 0; st == ST_OK && k < nm; k++)
				st = offer_one(db, c, members[k], c->orgs[i], field);
			free(members);
		} else {
			st = offer_one(db, c, c->orgs[i], 0, field);
		}
		if (st != ST_OK)
			return st;
	}
	return ST_OK;
}

/* Checks that d is a date inside the service's own dates. */
static bool date_in_service(struct req *r, const char *field, const char *d,
			    const struct service_rec *s)
{
	if (!date_valid(d)) {
		reply_error(r, 400, "bad_field", field, "%s must be a date YYYY-MM-DD", field);
		return false;
	}
	if (strcmp(d, s->start_date) < 0 || strcmp(d, s->end_date) > 0) {
		char a[11], b[11];
		date_display(s->start_date, a);
		date_display(s->end_date, b);
		reply_error(r, 400, "bad_field", field, "%s must lie within the service's dates, %s to %s",
			    field, a, b);
		return false;
	}
	return true;
}

void h_offers_create(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct create c;
	memset(&c, 0, sizeof c);
	c.r = r;
	json_int_t service_id = 0;
	json_t *orgs = NULL;
	struct jx_field spec[] = {
		{"service_id", JX_INT, true, &service_id, 0, false},
		{"start_date", JX_STRING, true, &c.base.start_date, 10, false},
		{"end_date", JX_STRING, true, &c.base.end_date, 10, false},
		{"response_date", JX_STRING, false, &c.base.response_date, 10, true},
		{"target_date", JX_STRING, false, &c.base.target_date, 10, true},
		{"organisations", JX_ARRAY, true, &orgs, 0, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!auth_has_role_anywhere(r->auth, "COMMISSIONING_MANAGEMENT")) {
		reply_error(r, 403, "forbidden", NULL,
			    "offering a service needs the Commissioning Management role");
		goto out;
	}
	if (service_id <= 0 || store_service_get(r->db, service_id, &c.svc) != ST_OK) {
		reply_error(r, 400, "bad_field", "service_id", "there is no quality service %lld",
			    (long long)service_id);
		goto out;
	}
	if (!date_in_service(r, "start_date", c.base.start_date, &c.svc) ||
	    !date_in_service(r, "end_date", c.base.end_date, &c.svc) ||
	    (c.base.response_date &&
	     !date_in_service(r, "response_date", c.base.response_date, &c.svc)) ||
	    (c.base.target_date && !date_in_service(r, "target_date", c.base.target_date, &c.svc)))
		goto out;
	if (strcmp(c.base.start_date, c.base.end_date) > 0) {
		reply_error(r, 400, "bad_field", "end_date", "the end date is before the start date");
		goto out;
	}
	if (c.base.response_date && strcmp(c.base.response_date, c.base.end_date) > 0) {
		reply_error(r, 400, "bad_field", "response_date",
			    "the response date is after the end date");
		goto out;
	}
	c.n = json_array_size(orgs);
	if (c.n == 0 || c.n > 2000) {
		reply_error(r, 400, "bad_field", "organisations",
			    "choose between 1 and 2,000 service providers");
		goto out;
	}
	bool network = strcmp(c.svc.level, "NETWORK") == 0;
	c.network = network;
	c.orgs = xcalloc(c.n, sizeof *c.orgs);
	c.codes = xcalloc(c.n, sizeof *c.codes);
	for (size_t i = 0; i < c.n; i++) {
		json_t *v = json_array_get(orgs, i);
		char field[40];
		snprintf(field, sizeof field, "organisations[%zu]", i);
		struct org_rec o;
		if (!json_is_string(v)) {
			reply_error(r, 400, "bad_field", field, "%s must be an organisation code", field);
			goto out;
		}
		const char *code = json_string_value(v);
		if (!scoped_org(r, code, field, &o))
			goto out;
		if (!auth_org_in_scope(r, o.id, "COMMISSIONING_MANAGEMENT")) {
			reply_error(r, 403, "forbidden", field,
				    "%s is not a service provider you commission", code);
			goto out;
		}
		if (network && strcmp(o.kind, "PCN") != 0) {
			reply_error(r, 400, "bad_field", field,
				    "%s is network level: offer it to a PCN, whose member practices"
				    " come together", c.svc.name);
			goto out;
		}
		if (!network && strcmp(o.kind, "PRACTICE") != 0) {
			reply_error(r, 400, "bad_field", field, "%s is not a GP practice", code);
			goto out;
		}
		for (size_t k = 0; k < i; k++)
			if (c.orgs[k] == o.id) {
				reply_error(r, 400, "bad_field", field, "%s is listed twice", code);
				goto out;
			}
		c.orgs[i] = o.id;
		strlcpy_s(c.codes[i], o.code, sizeof c.codes[i]);
	}
	c.base.service_id = c.svc.id;
	c.base.offered_by = r->auth->uid;
	for (size_t i = 0; i < r->auth->ngrants; i++)
		if (!strcmp(r->auth->grants[i].role, "COMMISSIONING_MANAGEMENT")) {
			c.base.offered_by_org = r->auth->grants[i].org_id;
			break;
		}
	c.created = json_array();
	enum st st = store_tx(r->db, true, create_tx, &c);
	if (st == ST_INVALID) {
		reply_error(r, c.fail_status, c.fail_code, c.fail_field, "%s", c.fail_msg);
		goto out;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	json_t *list = json_array();
	size_t i;
	json_t *v;
	json_array_foreach(c.created, i, v) {
		json_t *o = store_offer_json(r->db, json_integer_value(v));
		if (o)
			json_array_append_new(list, o);
	}
	reply_json(r, 201, json_pack("{s:o}", "offers", list));
out:
	json_decref(c.created);
	free(c.orgs);
	free(c.codes);
	json_decref(body);
}

/* ---- transitions ------------------------------------------------------- */

enum action { ACT_ACCEPT, ACT_REJECT, ACT_WITHDRAW, ACT_CANCEL };

static const struct {
	const char *name;
	const char *role;
	const char *role_name;
	const char *to;
	const char *done; /* past tense for messages */
} actions[] = {
	[ACT_ACCEPT] = {"accept", "SERVICE_MANAGEMENT", "Service Management", "APPROVED", "accepted"},
	[ACT_REJECT] = {"reject", "SERVICE_MANAGEMENT", "Service Management", "REJECTED", "rejected"},
	[ACT_WITHDRAW] = {"withdraw", "COMMISSIONING_MANAGEMENT", "Commissioning Management",
			  "CANCELLED", "withdrawn"},
	[ACT_CANCEL] = {"cancel", "COMMISSIONING_MANAGEMENT", "Commissioning Management",
			"CANCELLED", "cancelled"},
};

/* Why an action is not allowed from a status, or NULL if it is. */
static const char *refusal(enum action a, const char *status)
{
	bool offered = !strcmp(status, "OFFERED"), approved = !strcmp(status, "APPROVED"),
	     rejected = !strcmp(status, "REJECTED");
	switch (a) {
	case ACT_ACCEPT:
	case ACT_REJECT:
		if (offered)
			return NULL;
		if (approved)
			return "this offer has already been accepted";
		if (rejected)
			return "this offer has already been rejected";
		return "this offer was withdrawn or cancelled by the commissioner";
	case ACT_WITHDRAW:
		if (offered)
			return NULL;
		if (approved || rejected)
			return "the practice has already responded to this offer; cancel it instead";
		return "this offer is already cancelled";
	case ACT_CANCEL:
		if (approved || rejected)
			return NULL;
		if (offered)
			return "an offered service cannot be cancelled; withdraw it instead";
		return "this offer is already cancelled";
	}
	return "not allowed";
}

struct act {
	ROW_HEAD;
	enum action a;
	const char *note;
	struct offer_rec o;
};

/* A PCN's offer withdrawn or cancelled: its members' offers through it
 * follow, in the same transaction, each with its notice. */
static enum st members_follow(struct db *db, struct req *r, const struct act *x)
{
	int64_t *ids = NULL;
	size_t n = 0;
	enum st st = store_offers_where(db, x->o.service_id, 0, x->o.org_id, NULL, &ids, &n);
	for (size_t i = 0; st == ST_OK && i < n; i++) {
		struct offer_rec m;
		st = store_offer_get(db, ids[i], &m);
		if (st != ST_OK)
			break;
		char note[200];
		snprintf(note, sizeof note, "%s with its PCN %s's offer", actions[x->a].done,
			 x->o.org_code);
		st = store_offer_set_status(db, m.id, m.status, "CANCELLED", r->auth->uid, note, false);
		if (st == ST_OK)
			st = store_task_done(db, "offer", m.id, "OFFER", r->auth->uid);
		if (st == ST_OK) {
			char *title = xasprintf("Offer %s: %s (through your PCN %s)", actions[x->a].done,
						m.service_name, x->o.org_code);
			st = store_notify(db, m.org_id, "SERVICE_MANAGEMENT",
					  x->a == ACT_WITHDRAW ? "OFFER_WITHDRAWN" : "OFFER_CANCELLED",
					  title, "offer", m.id,
					  "The commissioner has withdrawn or cancelled a network service"
					  " offered to your PCN; your practice's part follows it.");
			free(title);
		}
	}
	free(ids);
	return st;
}

static enum st act_tx(struct db *db, void *arg)
{
	struct act *x = arg;
	struct req *r = x->r;
	/* Re-read inside the transaction: another user may have acted. */
	if (store_offer_get(db, x->id, &x->o) != ST_OK || !auth_org_in_scope(r, x->o.org_id, NULL)) {
		strcpy(x->code, "not_found"); /* and no organisation: say nothing of it */
		snprintf(x->msg, sizeof x->msg, "there is no offer %lld that you can see",
			 (long long)x->id);
		return ST_NOTFOUND;
	}
	strlcpy_s(x->org, x->o.org_code, sizeof x->org);
	if (!auth_org_in_scope(r, x->o.org_id, actions[x->a].role)) {
		strcpy(x->code, "forbidden");
		snprintf(x->msg, sizeof x->msg, "to %s an offer for %s you need the %s role",
			 actions[x->a].name, x->o.org_code, actions[x->a].role_name);
		return ST_FORBIDDEN;
	}
	bool ending = x->a == ACT_WITHDRAW || x->a == ACT_CANCEL;
	if (ending && x->o.via_pcn_id && strcmp(x->o.status, "CANCELLED")) {
		struct org_rec pcn;
		if (store_org_get(db, x->o.via_pcn_id, &pcn) != ST_OK)
			snprintf(pcn.code, sizeof pcn.code, "its PCN");
		strcpy(x->code, "conflict");
		snprintf(x->msg, sizeof x->msg,
			 "%s takes part through its PCN %s and follows it: %s the PCN's offer, or end"
			 " the practice's membership of the PCN", x->o.org_code, pcn.code,
			 actions[x->a].name);
		return ST_CONFLICT;
	}
	const char *why = refusal(x->a, x->o.status);
	if (why) {
		json_t *last = store_offer_last_change(db, x->id);
		strcpy(x->code, "conflict");
		if (last && json_string_value(json_object_get(last, "user_name")))
			snprintf(x->msg, sizeof x->msg, "%s (%s by %s)", why,
				 json_string_value(json_object_get(last, "status")),
				 json_string_value(json_object_get(last, "user_name")));
		else
			snprintf(x->msg, sizeof x->msg, "%s", why);
		json_decref(last);
		return ST_CONFLICT;
	}
	const char *from = x->o.status;
	enum st st = store_offer_set_status(db, x->id, from, actions[x->a].to, r->auth->uid,
					    x->note ? x->note : actions[x->a].done, false);
	if (st != ST_OK)
		return st;
	json_t *before = json_pack("{s:s}", "status", from);
	json_t *after = json_pack("{s:s}", "status", actions[x->a].to);
	char action[32];
	snprintf(action, sizeof action, "offer.%s", actions[x->a].name);
	st = store_audit(db, r->auth->uid, action, "offer", x->id, before, after);
	json_decref(before);
	json_decref(after);
	if (st != ST_OK)
		return st;
	/* The practice's "new offer" task is settled by any transition. */
	st = store_task_done(db, "offer", x->id, "OFFER", r->auth->uid);
	if (st != ST_OK)
		return st;
	if (ending && !strcmp(x->o.org_kind, "PCN"))
		st = members_follow(db, r, x);
	if (st != ST_OK)
		return st;
	char *title = NULL;
	switch (x->a) {
	case ACT_ACCEPT:
		break; /* no notice to the commissioner */
	case ACT_REJECT:
		if (x->o.offered_by_org) {
			/* who rejected first: a list may cut the end */
			title = xasprintf("Offer rejected by %s %s: %s", x->o.org_code,
					  x->o.org_name, x->o.service_name);
			st = store_notify(db, x->o.offered_by_org, "COMMISSIONING_MANAGEMENT",
					  "OFFER_REJECTED", title, "offer", x->id,
					  "A service provider rejected a quality service you offered."
					  " See Participation Management > Offered Services.");
		}
		break;
	case ACT_WITHDRAW:
	case ACT_CANCEL:
		title = xasprintf("Offer %s: %s", actions[x->a].done, x->o.service_name);
		st = store_notify(db, x->o.org_id, "SERVICE_MANAGEMENT",
				  x->a == ACT_WITHDRAW ? "OFFER_WITHDRAWN" : "OFFER_CANCELLED",
				  title, "offer", x->id,
				  "The commissioner has withdrawn or cancelled a quality service"
				  " offered to your practice.");
		break;
	}
	free(title);
	return st;
}

void h_offers_action(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *action = NULL, *note = NULL;
	json_t *ids = NULL;
	struct jx_field spec[] = {
		{"action", JX_STRING, true, &action, 16, false},
		{"offers", JX_ARRAY, true, &ids, 0, false},
		{"note", JX_STRING, false, &note, TEXT_REASON_MAX, true},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	enum action a;
	size_t k;
	for (k = 0; k < ARRAY_SIZE(actions); k++)
		if (!strcmp(actions[k].name, action))
			break;
	if (k == ARRAY_SIZE(actions)) {
		reply_error(r, 400, "bad_field", "action",
			    "action must be accept, reject, withdraw or cancel");
		goto out;
	}
	a = (enum action)k;
	if (!rows_check(r, ids, "offers", "offer"))
		goto out;
	struct act tmpl;
	memset(&tmpl, 0, sizeof tmpl);
	tmpl.a = a;
	tmpl.note = note;
	rows_run(r, ids, &tmpl, sizeof tmpl, act_tx, actions[a].to, actions[a].done);
out:
	json_decref(body);
}

void h_task_done(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	enum st st = store_task_dismiss(r->db, id, r->auth->uid);
	if (st == ST_NOTFOUND) {
		reply_error(r, 404, "not_found", NULL, "there is no open task %lld of yours",
			    (long long)id);
		return;
	}
	if (st == ST_CONFLICT) {
		reply_error(r, 409, "conflict", NULL, "task %lld is work, not a notice: it closes "
			    "itself when the work is done", (long long)id);
		return;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		return;
	}
	reply_empty(r, 204);
}
