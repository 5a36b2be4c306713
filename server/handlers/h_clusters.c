/* h_clusters.c: the Organisation Administrator's screens (issue 11):
 * Service Provider Clusters (a commissioner's named sets of practices;
 * SCOPE_CTE restricts the users assigned one on their next request) and
 * allocated reports (quality services a parent organisation lets a
 * descendant report on). The organisation checks are SCOPE_CTE with the
 * ORG_ADMIN role; every change is audited with the client address. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "server/handlers/handlers.h"
#include "jsonx.h"

#define ORG_ADMIN "ORG_ADMIN"

/* The commissioner (NHS England or an ICB) code names, where the user is
 * Organisation Administrator (there or above); code NULL: the user's one
 * such organisation. Replies 400/404 and returns false otherwise. */
static bool admin_commissioner(struct req *r, const char *code, const char *field,
			       struct org_rec *o)
{
	memset(o, 0, sizeof *o);
	if (!code) {
		int64_t id = store_role_only_org(r->db, r->auth->uid, ORG_ADMIN);
		if (!id || store_org_get(r->db, id, o) != ST_OK) {
			reply_error(r, 400, "bad_query", field,
				    "name the organisation (you are Organisation Administrator of several)");
			return false;
		}
	} else if (strlen(code) > 15 || store_org_by_code(r->db, code, o) != ST_OK) {
		goto none;
	}
	if ((strcmp(o->kind, "ICB") && strcmp(o->kind, "NHSE")) ||
	    !auth_org_in_scope(r, o->id, ORG_ADMIN))
		goto none;
	return true;
none:
	reply_error(r, 404, "not_found", field,
		    "there is no commissioning organisation %s whose clusters you manage",
		    code ? code : "");
	return false;
}

static enum st audit(struct db *db, struct req *r, const char *action, const char *entity,
		     int64_t id, const char *words)
{
	json_t *d = json_pack("{s:s}", "detail", words);
	enum st st = store_audit_from(db, r->auth->uid, r->addr, action, entity, id, NULL, d);
	json_decref(d);
	return st;
}

/* ---- clusters ------------------------------------------------------------------------------- */

void h_clusters_list(struct req *r)
{
	struct org_rec o;
	if (!admin_commissioner(r, req_query(r, "organisation"), "organisation", &o))
		return;
	json_t *list = store_clusters_json(r->db, o.id);
	if (!list) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, json_pack("{s:{s:s, s:s, s:s}, s:o}", "organisation", "code", o.code,
				     "name", o.name, "kind", o.kind, "clusters", list));
}

/* The cluster of the path when its organisation is one the user manages
 * clusters of; 404 otherwise. */
static bool path_cluster(struct req *r, struct cluster_rec *c)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return false;
	if (store_cluster_get(r->db, id, c) != ST_OK ||
	    !auth_org_in_scope(r, c->owner_id, ORG_ADMIN)) {
		reply_error(r, 404, "not_found", NULL, "there is no cluster %lld that you manage",
			    (long long)id);
		return false;
	}
	return true;
}

void h_cluster_get(struct req *r)
{
	struct cluster_rec c;
	if (!path_cluster(r, &c))
		return;
	json_t *j = store_cluster_json(r->db, c.id);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

static bool text_ok(struct req *r, const char *s, const char *field, size_t max, bool required)
{
	size_t n = s ? strlen(s) : 0;
	bool blank = n == 0 || strspn(s, " ") == n;
	if ((required && blank) || n > max || (n && (s[0] == ' ' || s[n - 1] == ' '))) {
		reply_error(r, 400, "bad_field", field, "%s must be %s%zu characters%s", field,
			    required ? "1 to " : "up to ", max, " without spaces at either end");
		return false;
	}
	return true;
}

/* The practices of codes (an array of codes), each under owner and,
 * when in_cluster >= 0, (not) in the cluster; ids into *out. */
static bool practice_list(struct req *r, json_t *codes, const char *field, int64_t owner,
			  int64_t cluster, int in_cluster, int64_t **out, size_t *n)
{
	*n = json_array_size(codes);
	*out = xcalloc(*n + 1, sizeof **out);
	for (size_t i = 0; i < *n; i++) {
		char f[48];
		snprintf(f, sizeof f, "%s[%zu]", field, i);
		const char *code = json_string_value(json_array_get(codes, i));
		struct org_rec o;
		if (!code || strlen(code) > 15 || store_org_by_code(r->db, code, &o) != ST_OK ||
		    strcmp(o.kind, "PRACTICE") || !store_org_descends(r->db, o.id, owner)) {
			reply_error(r, 400, "bad_field", f,
				    "%s is not a practice under the cluster's organisation",
				    code ? code : "that");
			return false;
		}
		for (size_t j = 0; j < i; j++)
			if ((*out)[j] == o.id) {
				reply_error(r, 400, "bad_field", f, "%s is listed twice", code);
				return false;
			}
		if (in_cluster >= 0 && store_cluster_has(r->db, cluster, o.id) != (in_cluster == 1)) {
			reply_error(r, 400, "bad_field", f, in_cluster ? "%s is not in the cluster"
								      : "%s is already in the cluster", code);
			return false;
		}
		(*out)[i] = o.id;
	}
	return true;
}

struct cl_chg {
	struct req *r;
	int64_t id, owner;
	const char *name, *desc;
	int64_t *add, *remove;
	size_t nadd, nremove;
	int status;
	const char *code;
	char msg[200];
};

static enum st cluster_tx(struct db *db, void *arg)
{
	struct cl_chg *c = arg;
	if (c->name && store_cluster_name_taken(db, c->owner, c->name, c->id)) {
		c->status = 409;
		c->code = "duplicate_name";
		snprintf(c->msg, sizeof c->msg, "the organisation already has a cluster called %s",
			 c->name);
		return ST_CONFLICT;
	}
	bool created = !c->id;
	enum st st = created ? store_cluster_create(db, c->owner, c->name, c->desc, now_s(), &c->id)
			     : store_cluster_set(db, c->id, c->name, c->desc);
	for (size_t i = 0; st == ST_OK && i < c->nadd; i++)
		st = store_cluster_member(db, c->id, c->add[i], true);
	for (size_t i = 0; st == ST_OK && i < c->nremove; i++)
		st = store_cluster_member(db, c->id, c->remove[i], false);
	if (st == ST_OK && store_cluster_size(db, c->id) == 0) {
		c->status = 409;
		c->code = "conflict";
		snprintf(c->msg, sizeof c->msg, "a cluster keeps at least one practice");
		return ST_CONFLICT;
	}
	if (st == ST_OK) {
		char w[200];
		snprintf(w, sizeof w, "%s%s%s: %zu practice%s added, %zu removed",
			 created ? "created " : "updated", created ? "" : " ",
			 c->name ? c->name : "the cluster", c->nadd, c->nadd == 1 ? "" : "s",
			 c->nremove);
		st = audit(db, c->r, created ? "cluster.create" : "cluster.update", "cluster", c->id, w);
	}
	return st;
}

static void cluster_run(struct req *r, struct cl_chg *c, int ok_status)
{
	enum st st = store_tx(r->db, true, cluster_tx, c);
	if (st != ST_OK && c->status) {
		reply_error(r, c->status, c->code, c->status == 409 && *c->code == 'd' ? "name" : NULL,
			    "%s", c->msg);
		return;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		return;
	}
	json_t *j = store_cluster_json(r->db, c->id);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	if (ok_status == 201)
		reply_json(r, 201, json_pack("{s:o}", "cluster", j));
	else
		reply_json(r, 200, json_pack("{s:s, s:o}", "message", "cluster was updated successfully",
					     "cluster", j));
}

void h_cluster_create(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct cl_chg c;
	memset(&c, 0, sizeof c);
	c.r = r;
	const char *org = NULL;
	json_t *practices = NULL;
	struct jx_field spec[] = {
		{"organisation", JX_STRING, false, &org, 15, false},
		{"name", JX_STRING, true, &c.name, 200, false},
		{"description", JX_STRING, false, &c.desc, 1000, false},
		{"practices", JX_ARRAY, true, &practices, 0, false},
	};
	struct jx_error err;
	struct org_rec o;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!admin_commissioner(r, org, "organisation", &o) ||
	    !text_ok(r, c.name, "name", 60, true) || !text_ok(r, c.desc, "description", 400, false))
		goto out;
	if (json_array_size(practices) == 0 || json_array_size(practices) > 2000) {
		reply_error(r, 400, "bad_field", "practices", "tick between 1 and 2,000 practices");
		goto out;
	}
	c.owner = o.id;
	if (!practice_list(r, practices, "practices", o.id, 0, -1, &c.add, &c.nadd))
		goto out;
	cluster_run(r, &c, 201);
out:
	free(c.add);
	json_decref(body);
}

void h_cluster_update(struct req *r)
{
	struct cluster_rec cl;
	if (!path_cluster(r, &cl))
		return;
	json_t *body = body_object(r);
	if (!body)
		return;
	struct cl_chg c;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.id = cl.id;
	c.owner = cl.owner_id;
	json_t *add = NULL, *remove = NULL;
	struct jx_field spec[] = {
		{"name", JX_STRING, false, &c.name, 200, false},
		{"description", JX_STRING, false, &c.desc, 1000, false},
		{"add", JX_ARRAY, false, &add, 0, false},
		{"remove", JX_ARRAY, false, &remove, 0, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!c.name && !c.desc && !json_array_size(add) && !json_array_size(remove)) {
		reply_error(r, 400, "bad_field", NULL,
			    "change the name or description, or add or remove practices");
		goto out;
	}
	if ((c.name && !text_ok(r, c.name, "name", 60, true)) ||
	    (c.desc && !text_ok(r, c.desc, "description", 400, false)))
		goto out;
	if (json_array_size(add) + json_array_size(remove) > 2000) {
		reply_error(r, 400, "bad_field", "add", "at most 2,000 practices at once");
		goto out;
	}
	if (!practice_list(r, add, "add", c.owner, c.id, 0, &c.add, &c.nadd) ||
	    !practice_list(r, remove, "remove", c.owner, c.id, 1, &c.remove, &c.nremove))
		goto out;
	cluster_run(r, &c, 200);
out:
	free(c.add);
	free(c.remove);
	json_decref(body);
}

/* ---- allocated reports -------------------------------------------------------------------------- */

void h_allocations_list(struct req *r)
{
	struct org_rec o;
	const char *q = req_query(r, "q");
	if (q && strlen(q) > 100) {
		reply_error(r, 400, "bad_query", "q", "search for at most 100 characters");
		return;
	}
	if (!admin_commissioner(r, req_query(r, "organisation"), "organisation", &o))
		return;
	json_t *list = store_allocation_orgs_json(r->db, o.id, q);
	if (!list) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, json_pack("{s:{s:s, s:s, s:s}, s:o}", "organisation", "code", o.code,
				     "name", o.name, "kind", o.kind, "organisations", list));
}

/* The organisation of the path and the one above it where the user is
 * Organisation Administrator (from); 404 otherwise. */
static bool allocation_target(struct req *r, struct org_rec *to, struct org_rec *from)
{
	const char *code = r->params[0];
	int64_t fid = 0;
	if (strlen(code) < 16 && store_org_by_code(r->db, code, to) == ST_OK &&
	    auth_org_in_scope(r, to->id, ORG_ADMIN))
		fid = store_role_ancestor(r->db, r->auth->uid, to->id, ORG_ADMIN);
	if (!fid || store_org_get(r->db, fid, from) != ST_OK) {
		reply_error(r, 404, "not_found", NULL,
			    "there is no organisation %s under one you administer", code);
		return false;
	}
	return true;
}

void h_allocations_get(struct req *r)
{
	struct org_rec to, from;
	const char *year, *pt = req_query(r, "payment_type");
	if (!query_year(r, &year))
		return;
	if (pt && strcmp(pt, "QOF") && strcmp(pt, "DES") && strcmp(pt, "ES") && strcmp(pt, "VI") &&
	    strcmp(pt, "PO")) {
		reply_error(r, 400, "bad_query", "payment_type",
			    "payment_type must be QOF, DES, ES, VI or PO");
		return;
	}
	if (!allocation_target(r, &to, &from))
		return;
	json_t *svcs = store_allocation_services_json(r->db, to.id, year, pt);
	if (!svcs) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s}, s:o}",
		"organisation", "code", to.code, "name", to.name, "kind", to.kind,
		"from", "code", from.code, "name", from.name, "kind", from.kind, "services", svcs));
}

struct alloc {
	struct req *r;
	struct org_rec to, from;
	json_t *allocate, *remove;
};

static enum st alloc_tx(struct db *db, void *arg)
{
	struct alloc *a = arg;
	int64_t now = now_s();
	enum st st = ST_OK;
	for (size_t i = 0; st == ST_OK && i < json_array_size(a->allocate); i++)
		st = store_allocation_set(db, a->from.id, a->to.id,
					  json_integer_value(json_array_get(a->allocate, i)), true, now);
	for (size_t i = 0; st == ST_OK && i < json_array_size(a->remove); i++)
		st = store_allocation_set(db, a->from.id, a->to.id,
					  json_integer_value(json_array_get(a->remove, i)), false, now);
	if (st == ST_OK) {
		char w[160];
		snprintf(w, sizeof w, "allocated reports of %s: %zu allocated, %zu removed", a->to.code,
			 json_array_size(a->allocate), json_array_size(a->remove));
		st = audit(db, a->r, "allocation.set", "organisation", a->to.id, w);
	}
	return st;
}

/* ids: an array of service ids (may be absent); 400 naming field[i]. */
static bool service_ids(struct req *r, json_t *ids, const char *field, json_t *other)
{
	for (size_t i = 0; i < json_array_size(ids); i++) {
		json_t *v = json_array_get(ids, i);
		char f[48];
		snprintf(f, sizeof f, "%s[%zu]", field, i);
		struct service_rec s;
		if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
		    store_service_get(r->db, json_integer_value(v), &s) != ST_OK) {
			reply_error(r, 400, "bad_field", f, "%s is not a quality service", f);
			return false;
		}
		for (size_t j = 0; j < json_array_size(other); j++)
			if (json_equal(json_array_get(other, j), v)) {
				reply_error(r, 400, "bad_field", f,
					    "a service cannot be both allocated and removed");
				return false;
			}
	}
	return true;
}

void h_allocations_set(struct req *r)
{
	struct alloc a;
	memset(&a, 0, sizeof a);
	a.r = r;
	if (!allocation_target(r, &a.to, &a.from))
		return;
	json_t *body = body_object(r);
	if (!body)
		return;
	struct jx_field spec[] = {
		{"allocate", JX_ARRAY, false, &a.allocate, 0, false},
		{"remove", JX_ARRAY, false, &a.remove, 0, false},
	};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	size_t n = json_array_size(a.allocate) + json_array_size(a.remove);
	if (n == 0 || n > 2000) {
		reply_error(r, 400, "bad_field", "allocate",
			    "tick or untick between 1 and 2,000 services");
		goto out;
	}
	if (!service_ids(r, a.allocate, "allocate", a.remove) ||
	    !service_ids(r, a.remove, "remove", NULL))
		goto out;
	enum st st = store_tx(r->db, true, alloc_tx, &a);
	if (st != ST_OK)
		reply_store_error(r, st);
	else
		reply_json(r, 200, json_pack("{s:s, s:i}", "message", "allocations have been saved",
					     "allocated", store_allocation_count(r->db, a.to.id)));
out:
	json_decref(body);
}
