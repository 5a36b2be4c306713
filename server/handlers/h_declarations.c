/* h_declarations.c: declaring achievement for payment through the
 * service's checklist, and the commissioner's approval, financial
 * approval and return, row by row. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "server/handlers/present.h"
#include "jsonx.h"
#include "server/rules/lifecycle.h"
#include "validate.h"

static const char *const statuses[] = {
	"AWAITING_PROVIDER", "AWAITING_COMMISSIONER", "AWAITING_FINANCE",
	"FINANCIALLY_APPROVED", "NO_DECLARATION_REQUIRED",
};

/* Why the achievement cannot be declared yet, or NULL. */
static const char *blocked(const struct decl_rec *d)
{
	if (!strcmp(d->achievement_status, "AWAITING_RECALCULATION"))
		return "the achievement is waiting for recalculation; declare it once it is calculated";
	if (!strcmp(d->achievement_status, "AWAITING_NETWORK"))
		return "the achievement is waiting for its network (PCN) figures";
	return NULL;
}

/* Each row's pounds as the store decided them (present_pounds's rule,
 * asked once for the list: store_declarations_json). */
static void present_rows(json_t *list)
{
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		present_money(row, json_is_true(json_object_get(row, "_pounds")));
		json_object_del(row, "_pounds");
	}
}

void h_declarations_list(struct req *r)
{
	const char *status = req_query(r, "status"), *year;
	int64_t service;
	struct org_rec o;
	if (status) {
		size_t k;
		for (k = 0; k < ARRAY_SIZE(statuses); k++)
			if (!strcmp(statuses[k], status))
				break;
		if (k == ARRAY_SIZE(statuses)) {
			reply_error(r, 400, "bad_query", "status", "unknown status %s", status);
			return;
		}
	}
	struct page_q pg;
	if (!query_year(r, &year) || !query_id(r, "service", false, &service) ||
	    !query_org(r, "organisation", false, &o) || !query_page(r, 200, &pg))
		return;
	struct decls_q q = {.org_id = o.id, .service_id = service, .limit = pg.limit,
			    .offset = pg.offset, .status = status, .year = year, .q = pg.q,
			    .pounds_roles = present_pounds(r, 0, 0) ? ROLES_POUNDS : NULL};
	json_t *j = store_declarations_json(r->db, r->auth->uid, &q);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	present_rows(json_object_get(j, "declarations"));
	reply_json(r, 200, j);
}

void h_declaration_get(struct req *r)
{
	int64_t id = param_id(r, 0);
	struct decl_rec d;
	if (!id)
		return;
	if (store_declaration_get(r->db, id, &d) != ST_OK ||
	    !auth_service_readable(r, d.org_id, d.service_id, NULL)) {
		reply_error(r, 404, "not_found", NULL, "there is no declaration %lld that you can see",
			    (long long)id);
		return;
	}
	const char *why = blocked(&d);
	bool may_declare = auth_org_in_scope(r, d.org_id, "DECLARATION_MANAGEMENT") &&
			   !strcmp(d.status, "AWAITING_PROVIDER") && !why;
	json_t *j = json_pack("{s:I, s:s, s:I, s:s, s:{s:I, s:s, s:b, s:s}, s:{s:s, s:s, s:s},"
			      " s:{s:I, s:s, s:s, s:b, s:b, s:b}, s:o, s:o, s:b}",
		"id", (json_int_t)d.id, "status", d.status, "version", (json_int_t)d.version,
		"notes", d.notes,
		"achievement", "id", (json_int_t)d.achievement_id, "date", d.date, "payment", d.payment,
		"status", d.achievement_status,
		"organisation", "code", d.org_code, "name", d.org_name, "kind", d.org_kind,
		"service", "id", (json_int_t)d.service_id, "name", d.service_name,
		"financial_year", d.financial_year, "declaration_required", d.declaration_required,
		"approval_required", d.approval_required, "indicator_declaration",
		d.indicator_declaration,
		"checklist", store_declaration_checklist_json(r->db, d.id, d.service_id,
							      d.indicator_declaration),
		"history", store_declaration_history_json(r->db, d.id),
		"can_declare", may_declare);
	json_object_set_new(j, "pence", json_integer(d.pence));
	present_money(j, present_pounds(r, d.org_id, d.service_id));
	if (why)
		json_object_set_new(j, "blocked", json_string(why));
	reply_json(r, 200, j);
}

struct declare {
	struct req *r;
	int64_t id;
	json_int_t version;
	const char *notes;
	int64_t *statements;
	size_t nstatements;
	json_t *ticked;
	char code[24];
	char msg[300];
	char to[28];
};

static enum st declare_tx(struct db *db, void *arg)
{
	struct declare *x = arg;
	struct decl_rec d;
	if (store_declaration_get(db, x->id, &d) != ST_OK)
		return ST_NOTFOUND;
	if (strcmp(d.status, "AWAITING_PROVIDER")) {
		strcpy(x->code, "conflict");
		snprintf(x->msg, sizeof x->msg, "this achievement is no longer awaiting declaration (%s)",
			 d.status);
		return ST_CONFLICT;
	}
	if (d.version != x->version) {
		strcpy(x->code, "conflict");
		snprintf(x->msg, sizeof x->msg,
			 "the declaration changed since you opened it (it was recalculated or returned);"
			 " review it and declare again");
		return ST_CONFLICT;
	}
	const char *why = blocked(&d);
	if (why) {
		strcpy(x->code, "conflict");
		snprintf(x->msg, sizeof x->msg, "%s", why);
		return ST_CONFLICT;
	}
	enum st st = store_declaration_ticks_set(db, d.id, x->statements, x->nstatements,
						 x->r->auth->uid);
	if (st != ST_OK)
		return st;
	strlcpy_s(x->to, d.approval_required ? "AWAITING_COMMISSIONER" : "AWAITING_FINANCE",
		  sizeof x->to);
	json_t *after = json_pack("{s:O}", "ticked", x->ticked);
	st = store_audit(db, x->r->auth->uid, "declaration.checklist", "declaration", d.id, NULL, after);
	json_decref(after);
	if (st != ST_OK)
		return st;
	return lifecycle_declaration_move(db, &d, x->to, x->r->auth->uid,
					  d.approval_required ? "declared" :
					  "declared; No Approval Required: approved automatically",
					  x->notes ? x->notes : "");
}

void h_declaration_declare(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	json_t *body = body_object(r);
	if (!body)
		return;
	struct declare x;
	memset(&x, 0, sizeof x);
	x.r = r;
	x.id = id;
	x.version = -1;
	json_t *checklist = NULL;
	struct jx_field spec[] = {
		{"version", JX_INT, true, &x.version, 0, false},
		{"ticked", JX_ARRAY, true, &x.ticked, 0, false},
		{"notes", JX_STRING, false, &x.notes, TEXT_NOTES_MAX, true},
	};
	struct jx_error err;
	struct decl_rec d;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (store_declaration_get(r->db, id, &d) != ST_OK || !auth_org_in_scope(r, d.org_id, NULL)) {
		reply_error(r, 404, "not_found", NULL, "there is no declaration %lld that you can see",
			    (long long)id);
		goto out;
	}
	if (!auth_org_in_scope(r, d.org_id, "DECLARATION_MANAGEMENT")) {
		reply_error(r, 403, "forbidden", NULL,
			    "declaring for %s needs the Declaration Management role there%s", d.org_code,
			    !strcmp(d.org_kind, "PCN") ? " (a user linked to the PCN organisation)" : "");
		goto out;
	}
	/* Every item of the checklist must be ticked, and nothing else. */
	checklist = store_declaration_checklist_json(r->db, d.id, d.service_id,
						     d.indicator_declaration);
	size_t n = json_array_size(checklist), given = json_array_size(x.ticked), ticked = 0;
	x.statements = xcalloc(n + 1, sizeof *x.statements);
	for (size_t i = 0; i < given; i++) {
		json_t *v = json_array_get(x.ticked, i);
		size_t k;
		for (k = 0; k < n && json_is_string(v); k++)
			if (!strcmp(json_string_value(json_object_get(json_array_get(checklist, k), "id")),
				    json_string_value(v)))
				break;
		if (!json_is_string(v) || k == n) {
			char f[32];
			snprintf(f, sizeof f, "ticked[%zu]", i);
			reply_error(r, 400, "bad_field", f, "%s is not an item of this declaration's checklist",
				    json_is_string(v) ? json_string_value(v) : "that");
			goto out;
		}
		const char *key = json_string_value(v);
		for (size_t m = 0; m < i; m++)
			if (json_equal(json_array_get(x.ticked, m), v)) {
				reply_error(r, 400, "bad_field", "ticked", "%s is ticked twice", key);
				goto out;
			}
		ticked++;
		if (key[0] == 'S')
			x.statements[x.nstatements++] = strtoll(key + 1, NULL, 10);
	}
	if (ticked < n) {
		reply_error(r, 400, "bad_field", "ticked",
			    "tick every statement before declaring: %zu of %zu ticked", ticked, n);
		goto out;
	}
	enum st st = store_tx(r->db, true, declare_tx, &x);
	if (st == ST_CONFLICT && *x.code) {
		reply_error(r, 409, x.code, NULL, "%s", x.msg);
		goto out;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	reply_json(r, 200, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "status", x.to,
				     "message", "Achievement declared for payment"));
out:
	free(x.statements);
	json_decref(checklist);
	json_decref(body);
}

/* ---- the commissioner's actions ------------------------------------------ */

static const struct {
	const char *name;
	const char *roles;
	const char *role_name;
	const char *from1, *from2;
	const char *to;
	const char *done;
} dactions[] = {
	{"approve", "APPROVAL_MANAGEMENT", "Approval Management", "AWAITING_COMMISSIONER", NULL,
	 "AWAITING_FINANCE", "approved"},
	{"financially_approve", "FINANCE_MANAGEMENT", "Finance Management", "AWAITING_FINANCE",
	 NULL, "FINANCIALLY_APPROVED", "financially approved"},
	{"return", "APPROVAL_MANAGEMENT,FINANCE_MANAGEMENT", "Approval or Finance Management",
	 "AWAITING_COMMISSIONER", "AWAITING_FINANCE", "AWAITING_PROVIDER", "returned to the provider"},
};

struct dact {
	ROW_HEAD;
	size_t a;
	const char *reason;
	struct decl_rec d;
};

static enum st dact_tx(struct db *db, void *arg)
{
	struct dact *x = arg;
	struct req *r = x->r;
	if (store_declaration_get(db, x->id, &x->d) != ST_OK ||
	    !auth_org_in_scope(r, x->d.org_id, NULL)) {
		strcpy(x->code, "not_found"); /* and no organisation: say nothing of it */
		snprintf(x->msg, sizeof x->msg, "there is no declaration %lld that you can see",
			 (long long)x->id);
		return ST_NOTFOUND;
	}
	strlcpy_s(x->org, x->d.org_code, sizeof x->org);
	if (!auth_org_in_scope(r, x->d.org_id, dactions[x->a].roles)) {
		strcpy(x->code, "forbidden");
		snprintf(x->msg, sizeof x->msg, "this needs the %s role for %s",
			 dactions[x->a].role_name, x->d.org_code);
		return ST_FORBIDDEN;
	}
	const char *st_now = x->d.status;
	if (strcmp(st_now, dactions[x->a].from1) &&
	    (!dactions[x->a].from2 || strcmp(st_now, dactions[x->a].from2))) {
		strcpy(x->code, "conflict");
		if (!strcmp(st_now, "FINANCIALLY_APPROVED"))
			snprintf(x->msg, sizeof x->msg,
				 "this payment is financially approved; it is final and cannot change");
		else if (!strcmp(st_now, "AWAITING_PROVIDER"))
			snprintf(x->msg, sizeof x->msg,
				 "the provider has not declared this achievement (again) yet");
		else
			snprintf(x->msg, sizeof x->msg, "this declaration is %s, not %s",
				 st_now, dactions[x->a].from1);
		return ST_CONFLICT;
	}
	char *note = x->reason && *x->reason ? xasprintf("%s: %s", dactions[x->a].done, x->reason) :
					       xstrdup(dactions[x->a].done);
	enum st st = lifecycle_declaration_move(db, &x->d, dactions[x->a].to, r->auth->uid, note, NULL);
	free(note);
	return st;
}

void h_declarations_action(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *action = NULL, *reason = NULL;
	json_t *ids = NULL;
	struct jx_field spec[] = {
		{"action", JX_STRING, true, &action, 24, false},
		{"declarations", JX_ARRAY, true, &ids, 0, false},
		{"reason", JX_STRING, false, &reason, TEXT_REASON_MAX, true},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	size_t a;
	for (a = 0; a < ARRAY_SIZE(dactions); a++)
		if (!strcmp(dactions[a].name, action))
			break;
	if (a == ARRAY_SIZE(dactions)) {
		reply_error(r, 400, "bad_field", "action",
			    "action must be approve, financially_approve or return");
		goto out;
	}
	if (!strcmp(action, "return") && text_blank(reason)) {
		reply_error(r, 400, "bad_field", "reason", "say why the declaration is returned"
			    " (a reason of only spaces says nothing)");
		goto out;
	}
	if (!rows_check(r, ids, "declarations", "declaration"))
		goto out;
	struct dact tmpl;
	memset(&tmpl, 0, sizeof tmpl);
	tmpl.a = a;
	tmpl.reason = reason;
	rows_run(r, ids, &tmpl, sizeof tmpl, dact_tx, dactions[a].to, dactions[a].done);
out:
	json_decref(body);
}
