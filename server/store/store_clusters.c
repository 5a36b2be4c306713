/* store_clusters.c: Service Provider Clusters and allocated reports, the
 * Organisation Administrator's two screens (issue 11). Which users a
 * cluster restricts, and how, is SCOPE_CTE (store_int.h): it reads
 * user_cluster and cluster_member on every request. */
#include "config.h"

#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

bool store_org_descends(struct db *db, int64_t org_id, int64_t ancestor_id)
{
	static const char sql[] =
		"WITH RECURSIVE up(id) AS (SELECT parent_id FROM organisation WHERE id = ?1"
		" UNION SELECT o.parent_id FROM organisation o JOIN up ON o.id = up.id"
		"   WHERE o.parent_id IS NOT NULL)"
		" SELECT EXISTS (SELECT 1 FROM up WHERE id = ?2)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_int64(st, 2, ancestor_id);
	return db_one_int(st, 0) != 0;
}

int64_t store_role_ancestor(struct db *db, int64_t uid, int64_t org_id, const char *role)
{
	static const char sql[] =
		"WITH RECURSIVE up(id, depth) AS (SELECT parent_id, 1 FROM organisation WHERE id = ?1"
		" UNION SELECT o.parent_id, up.depth + 1 FROM organisation o JOIN up ON o.id = up.id"
		"   WHERE o.parent_id IS NOT NULL)"
		" SELECT up.id FROM up JOIN role_grant g ON g.org_id = up.id"
		" WHERE g.user_id = ?2 AND g.role_code = ?3 AND g.revoked_at IS NULL"
		" ORDER BY up.depth LIMIT 1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_int64(st, 2, uid);
	dbs_bind_text(st, 3, role, -1, SQLITE_TRANSIENT);
	return db_one_int(st, 0);
}

int64_t store_role_only_org(struct db *db, int64_t uid, const char *role)
{
	static const char sql[] =
		"SELECT CASE WHEN count(DISTINCT org_id) = 1 THEN max(org_id) ELSE 0 END"
		" FROM role_grant WHERE user_id = ?1 AND role_code = ?2 AND revoked_at IS NULL";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	return db_one_int(st, 0);
}

/* ---- clusters ---------------------------------------------------------------------------- */

json_t *store_clusters_json(struct db *db, int64_t owner_id)
{
	static const char sql[] =
		"SELECT c.id, c.name, c.description,"
		" (SELECT count(*) FROM cluster_member m WHERE m.cluster_id = c.id)"
		" FROM cluster c WHERE c.owner_org_id = ?1 ORDER BY c.name COLLATE NOCASE";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, owner_id);
	json_t *a = json_array();
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:I}", "id",
			(json_int_t)dbs_column_int64(st, 0), "name", col_json_text(st, 1),
			"description", col_json_text(st, 2), "practices",
			(json_int_t)dbs_column_int64(st, 3)));
	dbs_reset(st);
	return a;
}

enum st store_cluster_get(struct db *db, int64_t id, struct cluster_rec *out)
{
	static const char sql[] =
		"SELECT id, owner_org_id, name, description FROM cluster WHERE id = ?1";
	memset(out, 0, sizeof *out);
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	int rc = dbs_step(st);
	enum st r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		out->id = dbs_column_int64(st, 0);
		out->owner_id = dbs_column_int64(st, 1);
		col_text(st, 2, out->name, sizeof out->name);
		col_text(st, 3, out->description, sizeof out->description);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

json_t *store_cluster_json(struct db *db, int64_t id)
{
	static const char csql[] =
		"SELECT c.id, c.name, c.description, o.code FROM cluster c"
		" JOIN organisation o ON o.id = c.owner_org_id WHERE c.id = ?1";
	static const char psql[] =
		"SELECT o.code, o.name FROM cluster_member m JOIN organisation o ON o.id = m.org_id"
		" WHERE m.cluster_id = ?1 ORDER BY o.code";
	static const char usql[] =
		"SELECT u.id, u.user_id, u.name FROM user_cluster uc JOIN app_user u ON u.id = uc.user_id"
		" WHERE uc.cluster_id = ?1 ORDER BY u.name, u.user_id";
	dbstmt *st = db_stmt(db, csql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, id);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return NULL;
	}
	json_t *c = json_pack("{s:I, s:o, s:o, s:o}", "id", (json_int_t)dbs_column_int64(st, 0),
			      "name", col_json_text(st, 1), "description", col_json_text(st, 2),
			      "organisation", col_json_text(st, 3));
	dbs_reset(st);
	json_t *p = json_array(), *u = json_array();
	if ((st = db_stmt(db, psql))) {
		dbs_bind_int64(st, 1, id);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(p, json_pack("{s:o, s:o}", "code", col_json_text(st, 0),
							   "name", col_json_text(st, 1)));
		dbs_reset(st);
	}
	if ((st = db_stmt(db, usql))) {
		dbs_bind_int64(st, 1, id);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(u, json_pack("{s:I, s:o, s:o}", "id",
				(json_int_t)dbs_column_int64(st, 0), "user_id", col_json_text(st, 1),
				"name", col_json_text(st, 2)));
		dbs_reset(st);
	}
	json_object_set_new(c, "practices", p);
	json_object_set_new(c, "users", u);
	return c;
}

bool store_cluster_name_taken(struct db *db, int64_t owner_id, const char *name, int64_t except_id)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM cluster WHERE owner_org_id = ?1"
		" AND lower(name) = lower(?2) AND id <> ?3)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return true;
	dbs_bind_int64(st, 1, owner_id);
	dbs_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, except_id);
	return db_one_int(st, 1) != 0;
}

enum st store_cluster_create(struct db *db, int64_t owner_id, const char *name, const char *desc,
			     int64_t now, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO cluster(owner_org_id, name, description, created_at) VALUES (?1, ?2, ?3, ?4)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, owner_id);
	dbs_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, desc ? desc : "", -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now);
	enum st r = db_done(db, st, "cluster create");
	if (r == ST_OK)
		*id = db_last_insert_rowid(db);
	return r;
}

enum st store_cluster_set(struct db *db, int64_t id, const char *name, const char *desc)
{
	static const char sql[] =
		"UPDATE cluster SET name = coalesce(?2, name), description = coalesce(?3, description)"
		" WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	if (name)
		dbs_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	if (desc)
		dbs_bind_text(st, 3, desc, -1, SQLITE_TRANSIENT);
	return db_done(db, st, "cluster update");
}

bool store_cluster_has(struct db *db, int64_t id, int64_t org_id)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM cluster_member WHERE cluster_id = ?1 AND org_id = ?2)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, org_id);
	return db_one_int(st, 0) != 0;
}

enum st store_cluster_member(struct db *db, int64_t id, int64_t org_id, bool in)
{
	static const char add[] = "INSERT OR IGNORE INTO cluster_member(cluster_id, org_id) VALUES (?1, ?2)";
	static const char del[] = "DELETE FROM cluster_member WHERE cluster_id = ?1 AND org_id = ?2";
	dbstmt *st = db_stmt(db, in ? add : del);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, org_id);
	return db_done(db, st, "cluster member");
}

int store_cluster_size(struct db *db, int64_t id)
{
	static const char sql[] = "SELECT count(*) FROM cluster_member WHERE cluster_id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, id);
	return (int)db_one_int(st, 0);
}

/* ---- allocated reports ---------------------------------------------------------------------- */

json_t *store_allocation_orgs_json(struct db *db, int64_t parent_id, const char *q)
{
	static const char sql[] =
		"WITH RECURSIVE d(id) AS (SELECT id FROM organisation WHERE parent_id = ?1"
		" UNION SELECT o.id FROM organisation o JOIN d ON o.parent_id = d.id)"
		" SELECT o.code, o.name, o.kind,"
		" (SELECT count(*) FROM allocated_report a WHERE a.to_org_id = o.id)"
		" FROM organisation o JOIN d ON d.id = o.id"
		" WHERE ?2 IS NULL OR instr(lower(o.code), lower(?2)) > 0 OR instr(lower(o.name), lower(?2)) > 0"
		" ORDER BY o.code LIMIT 500";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, parent_id);
	if (q && *q)
		dbs_bind_text(st, 2, q, -1, SQLITE_TRANSIENT);
	json_t *a = json_array();
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:o, s:o, s:o, s:I}", "code", col_json_text(st, 0),
			"name", col_json_text(st, 1), "kind", col_json_text(st, 2), "allocated",
			(json_int_t)dbs_column_int64(st, 3)));
	dbs_reset(st);
	return a;
}

json_t *store_allocation_services_json(struct db *db, int64_t to_id, const char *year,
				       const char *payment_type)
{
	static const char sql[] =
		"SELECT s.id, s.code, s.name, s.financial_year, s.payment_type,"
		" EXISTS (SELECT 1 FROM allocated_report a WHERE a.to_org_id = ?1 AND a.service_id = s.id)"
		" FROM quality_service s WHERE (?2 IS NULL OR s.financial_year = ?2)"
		" AND (?3 IS NULL OR s.payment_type = ?3)"
		" ORDER BY s.financial_year DESC, s.payment_type, s.name";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, to_id);
	if (year)
		dbs_bind_text(st, 2, year, -1, SQLITE_TRANSIENT);
	if (payment_type)
		dbs_bind_text(st, 3, payment_type, -1, SQLITE_TRANSIENT);
	json_t *a = json_array();
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o, s:o, s:o, s:b}", "id",
			(json_int_t)dbs_column_int64(st, 0), "code", col_json_text(st, 1),
			"name", col_json_text(st, 2), "year", col_json_text(st, 3),
			"payment_type", col_json_text(st, 4), "allocated", dbs_column_int(st, 5)));
	dbs_reset(st);
	return a;
}

enum st store_allocation_set(struct db *db, int64_t from_id, int64_t to_id, int64_t service_id,
			     bool on, int64_t now)
{
	static const char add[] =
		"INSERT OR IGNORE INTO allocated_report(from_org_id, to_org_id, service_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	static const char del[] =
		"DELETE FROM allocated_report WHERE to_org_id = ?2 AND service_id = ?3 AND ?1 = ?1"
		" AND ?4 = ?4";
	dbstmt *st = db_stmt(db, on ? add : del);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, from_id);
	dbs_bind_int64(st, 2, to_id);
	dbs_bind_int64(st, 3, service_id);
	dbs_bind_int64(st, 4, now);
	return db_done(db, st, "allocation");
}

int store_allocation_count(struct db *db, int64_t to_id)
{
	static const char sql[] = "SELECT count(*) FROM allocated_report WHERE to_org_id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, to_id);
	return (int)db_one_int(st, 0);
}
