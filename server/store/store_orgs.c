/* store_orgs.c: organisations, the tree, PCN memberships and scoped
 * search. */
#include "config.h"

#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

void org_row(dbstmt *st, struct org_rec *out)
{
	memset(out, 0, sizeof *out);
	out->id = dbs_column_int64(st, 0);
	col_text(st, 1, out->code, sizeof out->code);
	col_text(st, 2, out->name, sizeof out->name);
	col_text(st, 3, out->kind, sizeof out->kind);
	out->parent_id = dbs_column_int64(st, 4);
	out->list_size = dbs_column_int64(st, 5);
}

/* One organisation by code (?1 text) or id (?1 integer); from the memo
 * while an extract loads. */
static enum st org_one(struct db *db, const char *sql, const char *code, int64_t id,
		       struct org_rec *out)
{
	enum st r;
	if (memo_org(db, code, id, out, &r))
		return r;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	if (code)
		dbs_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_int64(st, 1, id);
	int rc = dbs_step(st);
	r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		org_row(st, out);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

enum st store_org_by_code(struct db *db, const char *code, struct org_rec *out)
{
	static const char sql[] = ORG_COLS " WHERE code = ?1";
	return org_one(db, sql, code, 0, out);
}

enum st store_org_get(struct db *db, int64_t id, struct org_rec *out)
{
	static const char sql[] = ORG_COLS " WHERE id = ?1";
	return org_one(db, sql, NULL, id, out);
}

/* Every organisation the user reaches (see SCOPE_SQL in store_users.c for
 * the same rule applied to one organisation). */
static const char SEARCH_SQL[] =
	SCOPE_CTE
	" SELECT o.code, o.name, o.kind, p.code, o.list_size, count(*) OVER ()"
	" FROM organisation o LEFT JOIN organisation p ON p.id = o.parent_id"
	" WHERE o.id IN scope"
	"  AND (?2 IS NULL OR instr(lower(o.code), lower(?2)) > 0 OR instr(lower(o.name), lower(?2)) > 0)"
	"  AND (?3 IS NULL OR o.kind = ?3)"
	" ORDER BY CASE o.kind WHEN 'NHSE' THEN 0 WHEN 'ICB' THEN 1 WHEN 'PCN' THEN 2 ELSE 3 END, o.code"
	" LIMIT ?4 OFFSET ?5";

json_t *store_org_search_json(struct db *db, int64_t uid, const char *q, const char *kind,
			      int limit, int offset)
{
	dbstmt *st = db_stmt(db, SEARCH_SQL);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	if (q && *q)
		dbs_bind_text(st, 2, q, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, 2);
	if (kind && *kind)
		dbs_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, 3);
	dbs_bind_int(st, 4, limit);
	dbs_bind_int(st, 5, offset);
	json_t *list = json_array();
	json_int_t total = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		json_array_append_new(list, json_pack("{s:o, s:o, s:o, s:o, s:I}",
			"code", col_json_text(st, 0), "name", col_json_text(st, 1),
			"kind", col_json_text(st, 2), "parent", col_json_text(st, 3),
			"list_size", (json_int_t)dbs_column_int64(st, 4)));
		total = dbs_column_int64(st, 5);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "organisation search");
		json_decref(list);
		return NULL;
	}
	if (total == 0 && offset > 0) {
		/* Past the end: count without the window. */
		dbstmt *c = db_stmt(db, SEARCH_SQL);
		if (c) {
			dbs_bind_int64(c, 1, uid);
			if (q && *q)
				dbs_bind_text(c, 2, q, -1, SQLITE_TRANSIENT);
			else
				dbs_bind_null(c, 2);
			if (kind && *kind)
				dbs_bind_text(c, 3, kind, -1, SQLITE_TRANSIENT);
			else
				dbs_bind_null(c, 3);
			dbs_bind_int(c, 4, 1);
			dbs_bind_int(c, 5, 0);
			if (dbs_step(c) == SQLITE_ROW)
				total = dbs_column_int64(c, 5);
			dbs_reset(c);
		}
	}
	return json_pack("{s:o, s:I}", "organisations", list, "total", total);
}

json_t *store_org_json(struct db *db, int64_t org_id)
{
	static const char osql[] =
		"SELECT o.code, o.name, o.kind, o.list_size, p.code, p.name FROM organisation o"
		" LEFT JOIN organisation p ON p.id = o.parent_id WHERE o.id = ?1";
	static const char msql[] =
		"SELECT pc.code, pr.code, CASE WHEN ?1 = m.pcn_id THEN pr.name ELSE pc.name END,"
		" m.start_date, m.end_date, m.id FROM pcn_membership m"
		" JOIN organisation pc ON pc.id = m.pcn_id JOIN organisation pr ON pr.id = m.practice_id"
		" WHERE m.pcn_id = ?1 OR m.practice_id = ?1 ORDER BY m.end_date IS NOT NULL, m.start_date DESC, pr.code";
	dbstmt *st = db_stmt(db, osql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, org_id);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return NULL;
	}
	json_t *parent = dbs_column_type(st, 4) == SQLITE_NULL ? json_null() :
		json_pack("{s:o, s:o}", "code", col_json_text(st, 4), "name", col_json_text(st, 5));
	json_t *o = json_pack("{s:o, s:o, s:o, s:I, s:o}", "code", col_json_text(st, 0),
			      "name", col_json_text(st, 1), "kind", col_json_text(st, 2),
			      "list_size", (json_int_t)dbs_column_int64(st, 3), "parent", parent);
	dbs_reset(st);
	/* The list size today (the business date): for a PCN, its members'. */
	char today[11];
	int64_t size;
	store_business_date(db, today);
	if (store_list_size_on(db, org_id, today, &size) == ST_OK)
		json_object_set_new(o, "list_size", json_integer(size));
	json_t *mem = json_array();
	st = db_stmt(db, msql);
	if (st) {
		dbs_bind_int64(st, 1, org_id);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(mem, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}",
				"id", (json_int_t)dbs_column_int64(st, 5),
				"pcn", col_json_text(st, 0), "practice", col_json_text(st, 1),
				"name", col_json_text(st, 2), "start_date", col_json_text(st, 3),
				"end_date", col_json_text(st, 4)));
		dbs_reset(st);
	}
	json_object_set_new(o, "memberships", mem);
	return o;
}


int64_t store_org_icb(struct db *db, int64_t org_id)
{
	static const char sql[] =
		"WITH RECURSIVE anc(id, kind, parent) AS ("
		"  SELECT id, kind, parent_id FROM organisation WHERE id = ?1"
		"  UNION ALL SELECT o.id, o.kind, o.parent_id FROM organisation o JOIN anc ON o.id = anc.parent)"
		" SELECT id FROM anc WHERE kind = 'ICB' LIMIT 1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, org_id);
	int64_t id = dbs_step(st) == SQLITE_ROW ? dbs_column_int64(st, 0) : 0;
	dbs_reset(st);
	return id;
}
