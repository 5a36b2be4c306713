/* h_network.c: Achievement Results (points, pounds and how each figure
 * was calculated), Network Achievement (a PCN's members and network
 * figures), achievements stuck in Awaiting Network Achievement with their
 * reasons, re-running an aggregation, and correcting PCN memberships. */
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
#include "server/rules/calc.h"
#include "server/rules/recalc.h"

static json_t *val_json(const char *kind, const struct store_val *v)
{
	if (!v->present)
		return json_null();
	if (!strcmp(kind, "ratio"))
		return json_pack("{s:I, s:I}", "numerator", (json_int_t)v->num,
				 "denominator", (json_int_t)v->den);
	return json_pack("{s:I}", "value", (json_int_t)v->value);
}

/* A member practice's network-level achievement shows its PCN's values
 * for the PCN-entered indicators (the PCN's own, for the date). */
static void pcn_entered_values(struct db *db, int64_t ach_id, const struct calc_def_row *defs,
			       size_t n, struct store_val *vals)
{
	struct ach_rec a;
	struct service_rec s;
	int64_t pcn_ach;
	if (store_achievement_get(db, ach_id, &a) != ST_OK ||
	    store_service_get(db, a.service_id, &s) != ST_OK || !lifecycle_network_of(db, &a, &s, &pcn_ach))
		return;
	struct store_val *pv = xcalloc(n ? n : 1, sizeof *pv);
	if (store_values_get(db, pcn_ach, defs, n, pv) == ST_OK)
		for (size_t i = 0; i < n; i++)
			if (defs[i].pcn_entered)
				vals[i] = pv[i];
	free(pv);
}

/* The results of one achievement: groups of indicators with value,
 * achievement, thresholds, points and (when pounds) pence, and the
 * explanation of each figure. */
static json_t *results_json(struct req *r, int64_t ach_id, int64_t service_id, bool pounds)
{
	struct calc_def_row *defs = NULL;
	size_t n = 0;
	if (store_calc_defs(r->db, service_id, &defs, &n) != ST_OK)
		return NULL;
	struct store_val *vals = xcalloc(n ? n : 1, sizeof *vals);
	if (store_values_get(r->db, ach_id, defs, n, vals) != ST_OK) {
		free(defs);
		free(vals);
		return NULL;
	}
	pcn_entered_values(r->db, ach_id, defs, n, vals);
	json_t *calc = store_calculation_json(r->db, ach_id);
	json_t *lines = calc && json_is_object(calc) ? json_object_get(calc, "lines") : NULL;
	/* The stored calculation keeps the figures; how each was reached is
	 * written again from the same values. */
	struct recalc *rc = recalc_new(r->db);
	struct calc_result ex;
	bool explained = lines && recalc_explain(rc, ach_id, &ex) == ST_OK && ex.n == n;
	json_t *groups = json_array(), *g = NULL;
	int64_t g_points = 0, g_milli = 0, g_pence = 0;
	for (size_t i = 0; i <= n; i++) {
		if (g && (i == n || strcmp(defs[i].group_code,
					   json_string_value(json_object_get(g, "code"))))) {
			json_object_set_new(g, "points_available", json_integer(g_points));
			json_object_set_new(g, "points_milli", json_integer(g_milli));
			json_object_set_new(g, "pence", json_integer(g_pence));
			g = NULL;
		}
		if (i == n)
			break;
		const struct calc_def_row *d = &defs[i];
		if (!g) {
			g = json_pack("{s:s, s:s, s:s, s:[]}", "code", d->group_code, "name", d->group_name,
				      "kind", d->payment_group ? "payment" : "mi", "indicators");
			json_array_append_new(groups, g);
			g_points = g_milli = g_pence = 0;
		}
		char key[24];
		snprintf(key, sizeof key, "%lld", (long long)d->id);
		json_t *line = lines ? json_object_get(lines, key) : NULL;
		json_t *ind = json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:i, s:b}",
			"id", (json_int_t)d->id, "code", d->code, "description", d->description,
			"kind", d->kind, "value", val_json(d->kind, &vals[i]), "source", vals[i].source,
			"points", d->points, "pcn_entered", d->pcn_entered);
		if (d->lower >= 0)
			json_object_set_new(ind, "thresholds", json_pack("[i, i]", d->lower, d->upper));
		if (d->pence_per_item)
			json_object_set_new(ind, "pence_per_item", json_integer(d->pence_per_item));
		if (line) {
			json_object_update(ind, line);
			g_milli += json_integer_value(json_object_get(line, "points_milli"));
			g_pence += json_integer_value(json_object_get(line, "pence"));
			if (explained) {
				json_object_set_new(ind, "explanation",
						    json_string(ex.lines[i].points_text));
				json_object_set_new(ind, "pay_explanation",
						    json_string(ex.lines[i].pay_text));
			}
		}
		g_points += d->payment_group ? d->points : 0;
		json_array_append_new(json_object_get(g, "indicators"), ind);
	}
	if (calc && json_is_object(calc))
		json_object_del(calc, "lines");
	if (explained)
		calc_result_free(&ex);
	recalc_free(&rc);
	free(defs);
	free(vals);
	json_t *j = json_pack("{s:o, s:o}", "calculation", calc ? calc : json_null(), "groups", groups);
	present_money(j, pounds);
	json_object_set_new(j, "pounds", json_boolean(pounds));
	return j;
}

void h_results(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	struct ach_rec a;
	struct service_rec s;
	if (store_achievement_get(r->db, id, &a) != ST_OK ||
	    !auth_service_readable(r, a.org_id, a.service_id, NULL) ||
	    store_service_get(r->db, a.service_id, &s) != ST_OK) {
		reply_error(r, 404, "not_found", NULL, "there is no achievement %lld that you can see",
			    (long long)id);
		return;
	}
	bool pounds = present_pounds(r, a.org_id, a.service_id);
	json_t *j = results_json(r, a.id, s.id, pounds);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	json_object_set_new(j, "achievement", json_pack("{s:I, s:s, s:b, s:s, s:s, s:{s:s, s:s, s:s},"
		" s:{s:I, s:s, s:s, s:s, s:s}}",
		"id", (json_int_t)a.id, "date", a.date, "payment", a.payment, "status", a.status,
		"declaration_status", a.declaration_status,
		"organisation", "code", a.org_code, "name", a.org_name, "kind", a.org_kind,
		"service", "id", (json_int_t)s.id, "name", s.name, "financial_year", s.financial_year,
		"payment_type", s.payment_type, "level", s.level));
	/* A practice's network-level achievement is paid through its PCN's. */
	if (!strcmp(s.level, "NETWORK") && !strcmp(a.org_kind, "PRACTICE")) {
		int64_t pcn_ach;
		if (lifecycle_network_of(r->db, &a, &s, &pcn_ach))
			json_object_set_new(j, "network_achievement_id", json_integer(pcn_ach));
		json_object_set_new(j, "note", json_string(
			"network-level service: the payment is calculated on the PCN's aggregated"
			" figures (Data Submission > Network Achievement)"));
	}
	reply_json(r, 200, j);
}

/* ---- Network Achievement ------------------------------------------------- */

void h_network(struct req *r)
{
	const char *code = req_query(r, "organisation");
	const char *svc = req_query(r, "service");
	const char *date = req_query(r, "date");
	struct org_rec o;
	struct service_rec s;
	if (!code || !svc) {
		reply_error(r, 400, "bad_query", code ? "service" : "organisation",
			    "organisation and service are required");
		return;
	}
	if (!scoped_org(r, code, "organisation", &o))
		return;
	char *end = NULL;
	long long sid = strtoll(svc, &end, 10);
	if (!*svc || *end || sid <= 0 || store_service_get(r->db, sid, &s) != ST_OK ||
	    !auth_service_readable(r, o.id, s.id, NULL)) {
		reply_error(r, 404, "not_found", "service", "there is no quality service %s that you can see at %s",
			    svc, o.code);
		return;
	}
	if (strcmp(s.level, "NETWORK")) {
		reply_error(r, 400, "bad_query", "service", "%s is not a network-level service", s.name);
		return;
	}
	if (date && !date_valid(date)) {
		reply_error(r, 400, "bad_query", "date", "date must be YYYY-MM-DD");
		return;
	}
	/* The dates of the service; by default the latest up to the
	 * business date. */
	json_t *svc_json = store_service_json(r->db, s.id);
	json_t *dates = json_incref(json_object_get(svc_json, "achievement_dates"));
	json_decref(svc_json);
	char today[11], chosen[11] = "";
	store_business_date(r->db, today);
	size_t i;
	json_t *d;
	json_array_foreach(dates, i, d) {
		const char *ds = json_string_value(json_object_get(d, "date"));
		if (date ? !strcmp(ds, date) : strcmp(ds, today) <= 0)
			strlcpy_s(chosen, ds, sizeof chosen);
	}
	if (!*chosen) {
		json_decref(dates);
		reply_error(r, 404, "not_found", "date", "%s has no achievement date %s", s.name,
			    date ? date : "up to today");
		return;
	}
	int64_t date_id;
	bool payment;
	enum st st = store_achievement_date_get(r->db, s.id, chosen, &date_id, &payment);
	if (st != ST_OK) {
		json_decref(dates);
		reply_store_error(r, st == ST_NOTFOUND ? (int)ST_ERROR : (int)st);
		return;
	}
	int64_t pcn_id = o.id;
	if (!strcmp(o.kind, "PRACTICE") &&
	    store_pcn_of_practice(r->db, o.id, chosen, &pcn_id) != ST_OK) {
		json_decref(dates);
		reply_error(r, 404, "not_found", "organisation",
			    "%s was not a member of a PCN on %s", o.code, chosen);
		return;
	}
	if (!strcmp(o.kind, "ICB") || !strcmp(o.kind, "NHSE")) {
		json_decref(dates);
		reply_error(r, 400, "bad_query", "organisation", "choose a practice or a PCN");
		return;
	}
	struct org_rec pcn;
	int64_t *members = NULL;
	size_t nm = 0;
	if ((st = store_org_get(r->db, pcn_id, &pcn)) != ST_OK ||
	    (st = store_pcn_members(r->db, pcn_id, chosen, &members, &nm)) != ST_OK) {
		/* The PCN was found a moment ago: anything but ST_OK now is
		 * the store failing (busy or an I/O error), never a 404. */
		json_decref(dates);
		free(members);
		reply_store_error(r, st == ST_NOTFOUND ? (int)ST_ERROR : (int)st);
		return;
	}
	json_t *mlist = json_array();
	json_t *ach = store_achievements_json(r->db, pcn_id, s.id);
	/* A user restricted to Service Provider Clusters sees only what is
	 * in them: members outside are left out (counted), and the network
	 * figures only when the PCN itself is in reach. */
	bool clustered = store_user_has_cluster(r->db, r->auth->uid);
	bool pcn_visible = !clustered || auth_org_in_scope(r, pcn_id, NULL);
	int hidden = 0;
	for (size_t m = 0; m < nm; m++) {
		struct org_rec p;
		int64_t aid = 0;
		if ((st = store_org_get(r->db, members[m], &p)) != ST_OK)
			break;
		if (clustered && !auth_org_in_scope(r, p.id, NULL)) {
			hidden++;
			continue;
		}
		if ((st = store_list_size_on(r->db, p.id, chosen, &p.list_size)) != ST_OK)
			break;
		json_t *row = json_pack("{s:s, s:s, s:I}", "practice", p.code, "name", p.name,
					"list_size", (json_int_t)p.list_size);
		struct ach_rec a;
		if (store_achievement_find(r->db, s.id, p.id, date_id, &aid) == ST_OK) {
			if ((st = store_achievement_get(r->db, aid, &a)) != ST_OK) {
				json_decref(row);
				break;
			}
			json_t *groups = store_achievement_groups_json(r->db, aid, s.id);
			int total = 0, sub = 0;
			size_t k;
			json_t *g;
			json_array_foreach(groups, k, g) {
				total += (int)json_integer_value(json_object_get(g, "total"));
				sub += (int)json_integer_value(json_object_get(g, "submitted"));
			}
			json_decref(groups);
			json_object_set_new(row, "achievement_id", json_integer(aid));
			json_object_set_new(row, "status", json_string(a.status));
			json_object_set_new(row, "submitted", json_integer(sub));
			json_object_set_new(row, "total", json_integer(total));
		} else {
			json_object_set_new(row, "achievement_id", json_null());
			json_object_set_new(row, "status", json_string("NOT_RECORDED"));
		}
		json_array_append_new(mlist, row);
	}
	json_decref(ach);
	free(members);
	int64_t pcn_size = 0;
	if (st != ST_OK || (st = store_list_size_on(r->db, pcn_id, chosen, &pcn_size)) != ST_OK) {
		json_decref(dates);
		json_decref(mlist);
		reply_store_error(r, st == ST_NOTFOUND ? (int)ST_ERROR : (int)st);
		return;
	}
	json_t *j = json_pack("{s:{s:s, s:s, s:I}, s:{s:I, s:s}, s:s, s:b, s:o, s:o}",
			      "pcn", "code", pcn.code, "name", pcn.name, "list_size", (json_int_t)pcn_size,
			      "service", "id", (json_int_t)s.id, "name", s.name,
			      "date", chosen, "payment", payment, "dates", dates, "members", mlist);
	if (hidden)
		json_object_set_new(j, "members_outside_your_clusters", json_integer(hidden));
	int64_t pcn_ach = 0;
	if (pcn_visible && store_achievement_find(r->db, s.id, pcn_id, date_id, &pcn_ach) == ST_OK) {
		bool pounds = present_pounds(r, pcn_id, s.id) || present_pounds(r, o.id, s.id);
		struct ach_rec pa;
		json_t *net = NULL;
		if ((st = store_achievement_get(r->db, pcn_ach, &pa)) != ST_OK ||
		    !(net = results_json(r, pcn_ach, s.id, pounds))) {
			json_decref(j);
			reply_store_error(r, st == ST_OK || st == ST_NOTFOUND ? (int)ST_ERROR : (int)st);
			return;
		}
		json_object_set_new(net, "achievement_id", json_integer(pcn_ach));
		json_object_set_new(net, "status", json_string(pa.status));
		json_object_set_new(net, "declaration_status", json_string(pa.declaration_status));
		json_object_set_new(j, "network", net);
	} else {
		json_object_set_new(j, "network", json_null());
	}
	struct recalc *rc = recalc_new(r->db);
	json_t *gaps = recalc_network_gaps(rc, s.id, date_id, chosen, pcn_id);
	recalc_free(&rc);
	for (size_t k = json_array_size(gaps); clustered && k-- > 0;) {
		struct org_rec p;
		const char *pc = json_string_value(json_object_get(json_array_get(gaps, k), "practice"));
		if (!pc || store_org_by_code(r->db, pc, &p) != ST_OK || !auth_org_in_scope(r, p.id, NULL))
			json_array_remove(gaps, k);
	}
	json_object_set_new(j, "gaps", gaps);
	reply_json(r, 200, j);
}

/* ---- stuck achievements ----------------------------------------------------- */

/* The list of achievements stuck in Awaiting Network Achievement is the
 * commissioners' work list: for users with a role on an ICB or NHS
 * England (the client shows it to them), over their scope. Practices and
 * PCNs see their own achievements' status on their own screens. */
void h_network_stuck(struct req *r)
{
	bool commissioner = false;
	for (size_t i = 0; i < r->auth->ngrants && !commissioner; i++)
		commissioner = role_listed("NHSE,ICB", r->auth->grants[i].org_kind);
	if (!commissioner) {
		reply_error(r, 403, "forbidden", NULL,
			    "the list of achievements stuck in Awaiting Network Achievement is for "
			    "commissioners (a role at an ICB or NHS England)");
		return;
	}
	const char *year;
	if (!query_year(r, &year))
		return;
	json_t *rows = store_awaiting_network_json(r->db, r->auth->uid, year);
	if (!rows) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	struct recalc *rc = recalc_new(r->db);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row) {
		int64_t org = json_integer_value(json_object_get(row, "org_id"));
		int64_t sid = json_integer_value(json_object_get(row, "service_id"));
		int64_t did = json_integer_value(json_object_get(row, "date_id"));
		const char *date = json_string_value(json_object_get(row, "date"));
		const char *kind = json_string_value(json_object_get(row, "kind"));
		int64_t pcn = org;
		json_t *actions = json_array();
		if (!strcmp(kind, "PRACTICE") && store_pcn_of_practice(r->db, org, date, &pcn) != ST_OK) {
			char *why = xasprintf("%s was not a member of any PCN on %s",
					      json_string_value(json_object_get(row, "organisation")), date);
			json_object_set_new(row, "reason", json_string(why));
			free(why);
			json_array_append_new(actions, json_string("correct_membership"));
			json_object_set_new(row, "pcn", json_null());
			json_object_set_new(row, "gaps", json_array());
		} else {
			struct org_rec p;
			enum st st = store_org_get(r->db, pcn, &p);
			if (st != ST_OK) {
				json_decref(actions);
				json_decref(rows);
				recalc_free(&rc);
				reply_store_error(r, st == ST_NOTFOUND ? (int)ST_ERROR : (int)st);
				return;
			}
			json_object_set_new(row, "pcn", json_string(p.code));
			json_t *gaps = recalc_network_gaps(rc, sid, did, date, pcn);
			char *why = json_array_size(gaps) ?
				xasprintf("%zu member practice%s of %s %s no complete data for %s",
					  json_array_size(gaps), json_array_size(gaps) == 1 ? "" : "s",
					  p.code, json_array_size(gaps) == 1 ? "has" : "have", date) :
				xasprintf("the data are complete: re-run the aggregation for %s", p.code);
			json_object_set_new(row, "reason", json_string(why));
			free(why);
			if (json_array_size(gaps)) {
				json_array_append_new(actions, json_string("enter_on_behalf"));
				json_array_append_new(actions, json_string("correct_membership"));
			}
			json_array_append_new(actions, json_string("rerun_aggregation"));
			json_object_set_new(row, "gaps", gaps);
		}
		json_object_set_new(row, "actions", actions);
		json_object_del(row, "org_id");
		json_object_del(row, "date_id");
	}
	recalc_free(&rc);
	reply_json(r, 200, json_pack("{s:o}", "stuck", rows));
}

struct agg {
	struct req *r;
	int64_t service_id, date_id, pcn_id;
	char date[11];
	bool calculated;
	int64_t pcn_ach;
};

static enum st agg_tx(struct db *db, void *arg)
{
	struct agg *x = arg;
	struct recalc *rc = recalc_new(db);
	int64_t pence;
	enum st st = recalc_network(rc, x->service_id, x->date_id, x->date, x->pcn_id, &x->pcn_ach,
				    &x->calculated, &pence);
	recalc_free(&rc);
	if (st == ST_OK && x->calculated && x->pcn_ach)
		st = lifecycle_data_changed(db, NULL, x->pcn_ach, x->r->auth->uid);
	if (st == ST_OK) {
		json_t *after = json_pack("{s:I, s:s, s:b}", "service_id", (json_int_t)x->service_id,
					  "date", x->date, "complete", x->calculated);
		st = store_audit(db, x->r->auth->uid, "network.aggregate", "organisation", x->pcn_id,
				 NULL, after);
		json_decref(after);
	}
	return st;
}

void h_network_aggregate(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	const char *pcn = NULL, *date = NULL;
	json_int_t sid = 0;
	struct jx_field spec[] = {
		{"pcn", JX_STRING, true, &pcn, 15, false},
		{"service_id", JX_INT, true, &sid, 0, false},
		{"date", JX_STRING, true, &date, 10, false},
	};
	struct jx_error err;
	struct org_rec o;
	struct service_rec s;
	struct agg x;
	memset(&x, 0, sizeof x);
	x.r = r;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (store_org_by_code(r->db, pcn, &o) != ST_OK || strcmp(o.kind, "PCN") ||
	    !auth_org_in_scope(r, o.id, NULL)) {
		reply_error(r, 404, "not_found", "pcn", "there is no PCN %s that you can see", pcn);
		goto out;
	}
	if (!auth_org_in_scope(r, o.id, "COMMISSIONING_MANAGEMENT,ACHIEVEMENT_ENTRY,ORG_ADMIN")) {
		reply_error(r, 403, "forbidden", NULL,
			    "re-running an aggregation is for the PCN's commissioner");
		goto out;
	}
	bool payment;
	if (sid <= 0 || store_service_get(r->db, sid, &s) != ST_OK || strcmp(s.level, "NETWORK") ||
	    !date_valid(date) || store_achievement_date_get(r->db, s.id, date, &x.date_id, &payment) != ST_OK) {
		reply_error(r, 400, "bad_field", "date", "choose a network-level service and one of its dates");
		goto out;
	}
	x.service_id = s.id;
	x.pcn_id = o.id;
	strlcpy_s(x.date, date, sizeof x.date);
	char why[300];
	if (lifecycle_final(r->db, &s, o.id, x.date_id, x.date, why, sizeof why)) {
		reply_error(r, 409, "final", NULL, "%s", why);
		goto out;
	}
	enum st st = store_tx(r->db, true, agg_tx, &x);
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	struct recalc *rc = recalc_new(r->db);
	json_t *gaps = recalc_network_gaps(rc, s.id, x.date_id, x.date, o.id);
	recalc_free(&rc);
	reply_json(r, 200, json_pack("{s:b, s:o, s:o, s:s}", "complete", x.calculated,
		"achievement_id", x.pcn_ach ? json_integer(x.pcn_ach) : json_null(), "gaps", gaps,
		"message", x.calculated ? "The network achievement was aggregated and calculated" :
		"The network figure is still incomplete: see the gaps"));
out:
	json_decref(body);
}

/* ---- memberships --------------------------------------------------------------- */

/* Re-aggregates every network date a membership change touches, for the
 * PCN(s) concerned. Final figures were checked first (final_in_range);
 * a refusal here is an error, never swallowed. */
static enum st reaggregate(struct db *db, int64_t uid, const int64_t *pcns, size_t npcns,
			   const char *from, const char *to)
{
	struct net_date *dates = NULL;
	size_t n = 0;
	enum st st = store_network_dates(db, from, to, &dates, &n);
	struct recalc *rc = recalc_new(db);
	for (size_t i = 0; st == ST_OK && i < n; i++)
		for (size_t k = 0; st == ST_OK && k < npcns; k++) {
			int64_t pcn_ach = 0, pence;
			bool calculated;
			/* Only where someone has data for that service and date. */
			int64_t any;
			if (store_achievement_find(db, dates[i].service_id, pcns[k], dates[i].date_id, &any) !=
			    ST_OK) {
				int64_t *members = NULL;
				size_t nm = 0, found = 0;
				st = store_pcn_members(db, pcns[k], dates[i].date, &members, &nm);
				for (size_t m = 0; m < nm; m++)
					found += store_achievement_find(db, dates[i].service_id, members[m],
									dates[i].date_id, &any) == ST_OK;
				free(members);
				if (!found)
					continue;
			}
			st = recalc_network(rc, dates[i].service_id, dates[i].date_id, dates[i].date, pcns[k],
					    &pcn_ach, &calculated, &pence);
			if (st == ST_OK && calculated && pcn_ach)
				st = lifecycle_data_changed(db, rc, pcn_ach, uid);
		}
	recalc_free(&rc);
	free(dates);
	return st;
}

/* Whether a PCN's network figure is final on a network date from..to
 * (to "" = open): a membership change there would move it. */
static bool final_in_range(struct db *db, int64_t pcn, const char *from, const char *to, char *why,
			   size_t whylen)
{
	struct net_date *dates = NULL;
	size_t n = 0;
	bool final = false;
	if (store_network_dates(db, from, to, &dates, &n) != ST_OK) {
		snprintf(why, whylen, "the network dates could not be read");
		return true; /* fail closed */
	}
	for (size_t i = 0; i < n && !final; i++) {
		struct service_rec s;
		final = store_service_get(db, dates[i].service_id, &s) == ST_OK &&
			lifecycle_final(db, &s, pcn, dates[i].date_id, dates[i].date, why, whylen);
	}
	free(dates);
	return final;
}

/* Re-runs what follows a change for a practice's network-level
 * achievements from..to (to "" = open). */
static enum st practice_changed(struct db *db, int64_t uid, int64_t practice_id, const char *from,
				const char *to)
{
	struct net_date *dates = NULL;
	size_t n = 0;
	enum st st = store_network_dates(db, from, to, &dates, &n);
	struct recalc *rc = recalc_new(db);
	for (size_t i = 0; st == ST_OK && i < n; i++) {
		int64_t ach;
		if (store_achievement_find(db, dates[i].service_id, practice_id, dates[i].date_id, &ach) !=
		    ST_OK)
			continue;
		st = lifecycle_data_changed(db, rc, ach, uid);
	}
	recalc_free(&rc);
	free(dates);
	return st;
}

/* The practice's participation follows its membership of a PCN from
 * start to end ("" = open): it takes part in each network service the PCN
 * takes part in (the PCN's accepted offer, else its members' through it),
 * from the later of the membership's and the offer's starts to the
 * earlier of their ends. An offer through the PCN that overlaps the
 * membership gets those dates (a membership ended before an offer starts
 * cancels it); where there is none, an accepted one is made. */
static enum st offers_follow(struct db *db, int64_t uid, int64_t pcn_id, int64_t practice_id,
			     const char *start, const char *end)
{
	int64_t *svcs = NULL;
	size_t ns = 0;
	enum st st = store_network_services_of(db, pcn_id, &svcs, &ns);
	for (size_t i = 0; st == ST_OK && i < ns; i++) {
		int64_t *tmpl = NULL, *mine = NULL;
		size_t nt = 0, nmine = 0;
		struct offer_rec po;
		st = store_offers_where(db, svcs[i], pcn_id, 0, "APPROVED", &tmpl, &nt);
		if (st == ST_OK && !nt)
			st = store_offers_where(db, svcs[i], 0, pcn_id, "APPROVED", &tmpl, &nt);
		if (st == ST_OK && nt)
			st = store_offer_get(db, tmpl[0], &po);
		if (st == ST_OK && nt)
			st = store_offers_where(db, svcs[i], practice_id, pcn_id, NULL, &mine, &nmine);
		const char *mend = end && *end ? end : "9999-12-31";
		bool made = false;
		for (size_t k = 0; st == ST_OK && nt && k < nmine; k++) {
			struct offer_rec o;
			st = store_offer_get(db, mine[k], &o);
			if (st != ST_OK || strcmp(o.start_date, mend) > 0 || strcmp(o.end_date, start) < 0)
				continue; /* another period of membership */
			const char *until = strcmp(mend, po.end_date) < 0 ? mend : po.end_date;
			made = true;
			if (strcmp(until, o.start_date) < 0)
				st = store_offer_set_status(db, o.id, o.status, "CANCELLED", uid,
					"the practice left its PCN before the service started", false);
			else
				st = store_offer_set_dates(db, o.id, o.start_date, until, uid,
							   "follows the practice's PCN membership");
		}
		const char *from = strcmp(start, po.start_date) > 0 ? start : po.start_date;
		const char *until = strcmp(mend, po.end_date) < 0 ? mend : po.end_date;
		if (st == ST_OK && nt && !made && strcmp(from, until) <= 0) {
			struct offer_new n = {
				.service_id = svcs[i], .org_id = practice_id, .via_pcn_id = pcn_id,
				.start_date = from, .end_date = until, .offered_by = uid,
				.offered_by_org = po.offered_by_org,
			};
			int64_t id;
			st = store_offer_create(db, &n, &id);
			if (st == ST_OK)
				st = store_offer_set_status(db, id, "OFFERED", "APPROVED", 0,
					"accepted automatically: the practice joined the PCN, whose member"
					" practices take part together", true);
		}
		free(tmpl);
		free(mine);
	}
	free(svcs);
	return st;
}

struct mem {
	struct req *r;
	int64_t pcn_id, practice_id, id;
	const char *start, *end;
	struct membership_rec old;
	bool ending;
	bool final;     /* refused: a figure it would move is final */
	char why[300];
};

/* The dates whose membership a change of end date touches: after the
 * earlier of the two ends, up to the later ("" = open). */
static void changed_range(const char *old_end, const char *new_end, char from[11], char to[11])
{
	const char *lo = new_end, *hi = old_end;
	if (*old_end && strcmp(old_end, new_end) < 0) {
		lo = old_end;
		hi = new_end;
	}
	date_add_days(lo, 1, from);
	strlcpy_s(to, hi, 11);
}

static enum st mem_tx(struct db *db, void *arg)
{
	struct mem *x = arg;
	enum st st;
	json_t *after;
	int64_t uid = x->r->auth->uid;
	if (x->ending) {
		char from[11], to[11];
		changed_range(x->old.end_date, x->end, from, to);
		if (!strcmp(x->old.end_date, x->end))
			return ST_OK;
		/* Check before writing: a final network figure never moves. */
		if (final_in_range(db, x->old.pcn_id, from, to, x->why, sizeof x->why)) {
			x->final = true;
			return ST_CONFLICT;
		}
		st = store_membership_end(db, x->id, x->end);
		if (st != ST_OK)
			return st;
		json_t *before = json_pack("{s:o}", "end_date", *x->old.end_date ?
					   json_string(x->old.end_date) : json_null());
		after = json_pack("{s:s}", "end_date", x->end);
		st = store_audit(db, uid, "membership.end", "pcn_membership", x->id, before, after);
		json_decref(before);
		json_decref(after);
		if (st == ST_OK)
			st = offers_follow(db, uid, x->old.pcn_id, x->old.practice_id, x->old.start_date,
					   x->end);
		int64_t pcn = x->old.pcn_id;
		if (st == ST_OK)
			st = reaggregate(db, uid, &pcn, 1, from, to);
		/* The practice's own achievements on those dates: now with no
		 * PCN (awaiting a membership), or with this one again. */
		return st == ST_OK ? practice_changed(db, uid, x->old.practice_id, from, to) : st;
	}
	const char *to = x->end ? x->end : "";
	if (final_in_range(db, x->pcn_id, x->start, to, x->why, sizeof x->why)) {
		x->final = true;
		return ST_CONFLICT;
	}
	st = store_membership_add(db, x->pcn_id, x->practice_id, x->start, x->end, &x->id);
	if (st != ST_OK)
		return st;
	after = json_pack("{s:I, s:I, s:s, s:o}", "pcn_id", (json_int_t)x->pcn_id,
			  "practice_id", (json_int_t)x->practice_id, "start_date", x->start,
			  "end_date", x->end ? json_string(x->end) : json_null());
	st = store_audit(db, uid, "membership.add", "pcn_membership", x->id, NULL, after);
	json_decref(after);
	if (st == ST_OK)
		st = offers_follow(db, uid, x->pcn_id, x->practice_id, x->start, to);
	if (st == ST_OK)
		st = reaggregate(db, uid, &x->pcn_id, 1, x->start, to);
	return st == ST_OK ? practice_changed(db, uid, x->practice_id, x->start, to) : st;
}

#define ROLES_MEMBERSHIP "ORG_ADMIN,COMMISSIONING_MANAGEMENT"

void h_membership_add(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct mem x;
	memset(&x, 0, sizeof x);
	x.r = r;
	const char *pcn = NULL, *practice = NULL;
	struct jx_field spec[] = {
		{"pcn", JX_STRING, true, &pcn, 15, false},
		{"practice", JX_STRING, true, &practice, 15, false},
		{"start_date", JX_STRING, true, &x.start, 10, false},
		{"end_date", JX_STRING, false, &x.end, 10, true},
	};
	struct jx_error err;
	struct org_rec po, pr;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (store_org_by_code(r->db, pcn, &po) != ST_OK || strcmp(po.kind, "PCN") ||
	    !auth_org_in_scope(r, po.id, NULL)) {
		reply_error(r, 404, "not_found", "pcn", "there is no PCN %s that you can see", pcn);
		goto out;
	}
	if (store_org_by_code(r->db, practice, &pr) != ST_OK || strcmp(pr.kind, "PRACTICE") ||
	    !auth_org_in_scope(r, pr.id, NULL)) {
		reply_error(r, 404, "not_found", "practice", "there is no practice %s that you can see",
			    practice);
		goto out;
	}
	if (!auth_org_in_scope(r, po.id, ROLES_MEMBERSHIP) ||
	    !auth_org_in_scope(r, pr.id, ROLES_MEMBERSHIP)) {
		reply_error(r, 403, "forbidden", NULL, "changing PCN memberships is for the commissioner"
			    " (Organisation Administrator or Commissioning Management)");
		goto out;
	}
	if (!date_valid(x.start) || (x.end && !date_valid(x.end))) {
		reply_error(r, 400, "bad_field", date_valid(x.start) ? "end_date" : "start_date",
			    "dates must be YYYY-MM-DD");
		goto out;
	}
	if (x.end && strcmp(x.end, x.start) < 0) {
		reply_error(r, 400, "bad_field", "end_date", "the end date is before the start date");
		goto out;
	}
	x.pcn_id = po.id;
	x.practice_id = pr.id;
	enum st st = store_tx(r->db, true, mem_tx, &x);
	if (st == ST_CONFLICT && x.final) {
		reply_error(r, 409, "final", NULL, "%s cannot join %s from %s: %s", pr.code, po.code,
			    x.start, x.why);
		goto out;
	}
	if (st == ST_CONFLICT) {
		reply_error(r, 409, "conflict", "start_date",
			    "%s already belongs to a PCN in that period; end that membership first", pr.code);
		goto out;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	reply_json(r, 201, json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)x.id, "pcn", po.code,
				     "practice", pr.code, "start_date", x.start,
				     "end_date", x.end ? json_string(x.end) : json_null()));
out:
	json_decref(body);
}

void h_membership_end(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	json_t *body = body_object(r);
	if (!body)
		return;
	struct mem x;
	memset(&x, 0, sizeof x);
	x.r = r;
	x.id = id;
	x.ending = true;
	struct jx_field spec[] = {{"end_date", JX_STRING, true, &x.end, 10, false}};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (store_membership_get(r->db, id, &x.old) != ST_OK ||
	    !auth_org_in_scope(r, x.old.practice_id, NULL)) {
		reply_error(r, 404, "not_found", NULL, "there is no membership %lld that you can see",
			    (long long)id);
		goto out;
	}
	if (!auth_org_in_scope(r, x.old.pcn_id, ROLES_MEMBERSHIP) ||
	    !auth_org_in_scope(r, x.old.practice_id, ROLES_MEMBERSHIP)) {
		reply_error(r, 403, "forbidden", NULL, "changing PCN memberships is for the commissioner"
			    " (Organisation Administrator or Commissioning Management)");
		goto out;
	}
	if (!date_valid(x.end)) {
		reply_error(r, 400, "bad_field", "end_date", "end_date must be YYYY-MM-DD");
		goto out;
	}
	enum st st = store_tx(r->db, true, mem_tx, &x);
	if (st == ST_CONFLICT && x.final) {
		reply_error(r, 409, "final", "end_date", "the membership cannot end on %s: %s", x.end,
			    x.why);
		goto out;
	}
	if (st == ST_CONFLICT) {
		struct org_rec pr;
		enum st st2 = store_org_get(r->db, x.old.practice_id, &pr);
		if (st2 != ST_OK) {
			reply_store_error(r, st2 == ST_NOTFOUND ? (int)ST_ERROR : (int)st2);
			goto out;
		}
		reply_error(r, 409, "conflict", "end_date",
			    "%s belongs to another PCN after %s; a practice is never in two PCNs on"
			    " one date", pr.code, *x.old.end_date ? x.old.end_date : x.old.start_date);
		goto out;
	}
	if (st == ST_INVALID) {
		reply_error(r, 400, "bad_field", "end_date", "the end date is before the membership's start");
		goto out;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		goto out;
	}
	reply_json(r, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "end_date", x.end));
out:
	json_decref(body);
}
