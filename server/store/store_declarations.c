/* store_declarations.c: payment declarations, their checklist ticks and
 * history, and the lists the provider's Declare screen and the
 * commissioner's Declaration Management screen show. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

#define DECL_SELECT \
	"SELECT dc.id, dc.achievement_id, dc.status, dc.pence, dc.notes, dc.version," \
	" a.org_id, o.code, o.name, o.kind, s.id, s.name, d.date, d.payment, a.status," \
	" s.declaration_required, s.approval_required, s.indicator_declaration, s.financial_year" \
	" FROM declaration dc JOIN achievement a ON a.id = dc.achievement_id" \
	" JOIN organisation o ON o.id = a.org_id JOIN quality_service s ON s.id = a.service_id" \
	" JOIN achievement_date d ON d.id = a.date_id WHERE "
static const char DECL_COLS[] = DECL_SELECT "dc.id = ?1";
static const char DECL_OF_ACH[] = DECL_SELECT "dc.achievement_id = ?1";
#undef DECL_SELECT

static enum st decl_one(struct db *db, const char *sql, int64_t id, struct decl_rec *out)
{
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	enum st r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = dbs_column_int64(st, 0);
		out->achievement_id = dbs_column_int64(st, 1);
		col_text(st, 2, out->status, sizeof out->status);
		out->pence = dbs_column_int64(st, 3);
		col_text(st, 4, out->notes, sizeof out->notes);
		out->version = dbs_column_int(st, 5);
		out->org_id = dbs_column_int64(st, 6);
		col_text(st, 7, out->org_code, sizeof out->org_code);
		col_text(st, 8, out->org_name, sizeof out->org_name);
		col_text(st, 9, out->org_kind, sizeof out->org_kind);
		out->service_id = dbs_column_int64(st, 10);
		col_text(st, 11, out->service_name, sizeof out->service_name);
		col_text(st, 12, out->date, sizeof out->date);
		out->payment = dbs_column_int(st, 13);
		col_text(st, 14, out->achievement_status, sizeof out->achievement_status);
		out->declaration_required = dbs_column_int(st, 15);
		out->approval_required = dbs_column_int(st, 16);
		out->indicator_declaration = dbs_column_int(st, 17);
		col_text(st, 18, out->financial_year, sizeof out->financial_year);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

enum st store_declaration_get(struct db *db, int64_t id, struct decl_rec *out)
{
	return decl_one(db, DECL_COLS, id, out);
}

enum st store_declaration_of_achievement(struct db *db, int64_t ach_id, struct decl_rec *out)
{
	return decl_one(db, DECL_OF_ACH, ach_id, out);
}

enum st store_declaration_for_achievement(struct db *db, int64_t ach_id, int64_t *id)
{
	static const char sql[] = "SELECT id FROM declaration WHERE achievement_id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	enum st r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		*id = dbs_column_int64(st, 0);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

static enum st history(struct db *db, int64_t id, int64_t uid, const char *from, const char *to,
		       const char *note, int64_t now)
{
	return db_history_add(db,
			      "INSERT INTO declaration_history(declaration_id, at, user_id,"
			      " from_status, to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			      id, now, uid, from, to, note);
}

enum st store_declaration_create(struct db *db, int64_t ach_id, const char *status, int64_t pence,
				 const char *note, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO declaration(achievement_id, status, pence, updated_at) VALUES (?1, ?2, ?3, ?4)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	int64_t now = now_s();
	memo_ach_changed(db, ach_id); /* its declaration_status */
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, pence);
	dbs_bind_int64(st, 4, now);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	*id = db_last_insert_rowid(db);
	return history(db, *id, 0, NULL, status, note, now);
}

enum st store_declaration_set_status(struct db *db, int64_t id, const char *from, const char *to,
				     int64_t uid, const char *note, const char *notes,
				     bool declared)
{
	static const char sql[] =
		"UPDATE declaration SET status = ?3, updated_at = ?4, version = version + 1,"
		" notes = coalesce(?5, notes),"
		" declared_by = CASE WHEN ?6 THEN ?7 ELSE declared_by END,"
		" declared_at = CASE WHEN ?6 THEN ?4 ELSE declared_at END"
		" WHERE id = ?1 AND status = ?2";
	if (!strcmp(to, "FINANCIALLY_APPROVED"))
		store_memo_clear(db); /* it knows what is not final */
	else
		memo_ach_changed(db, 0); /* an achievement's declaration_status */
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	int64_t now = now_s();
	dbs_bind_int64(st, 1, id);
	dbs_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now);
	if (notes)
		dbs_bind_text(st, 5, notes, -1, SQLITE_TRANSIENT);
	dbs_bind_int(st, 6, declared);
	if (uid)
		dbs_bind_int64(st, 7, uid);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	if (db_changes(db) != 1)
		return ST_CONFLICT;
	return history(db, id, uid, from, to, note, now);
}

enum st store_declaration_set_pence(struct db *db, int64_t id, int64_t pence)
{
	static const char sql[] = "UPDATE declaration SET pence = ?2 WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, pence);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_declaration_ticks_set(struct db *db, int64_t id, const int64_t *statements,
				    size_t n, int64_t uid)
{
	static const char del[] = "DELETE FROM declaration_tick WHERE declaration_id = ?1";
	static const char ins[] =
		"INSERT INTO declaration_tick(declaration_id, statement_id, user_id, at)"
		" VALUES (?1, ?2, ?3, ?4)";
	dbstmt *st = db_stmt(db, del);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	for (size_t i = 0; i < n; i++) {
		st = db_stmt(db, ins);
		if (!st)
			return ST_ERROR;
		dbs_bind_int64(st, 1, id);
		dbs_bind_int64(st, 2, statements[i]);
		dbs_bind_int64(st, 3, uid);
		dbs_bind_int64(st, 4, now_s());
		rc = dbs_step(st);
		dbs_reset(st);
		if (rc != SQLITE_DONE)
			return st_from_sqlite(rc);
	}
	return ST_OK;
}

json_t *store_declaration_checklist_json(struct db *db, int64_t id, int64_t service_id,
					 bool with_indicators)
{
	static const char ssql[] =
		"SELECT s.id, s.text, EXISTS (SELECT 1 FROM declaration_tick t"
		"  WHERE t.declaration_id = ?1 AND t.statement_id = s.id)"
		" FROM declaration_statement s WHERE s.service_id = ?2 ORDER BY s.position, s.id";
	static const char isql[] =
		"SELECT i.id, i.code, i.description FROM indicator i"
		" JOIN indicator_group g ON g.id = i.group_id JOIN service_domain d ON d.id = g.domain_id"
		" WHERE d.service_id = ?1 AND g.kind = 'PAYMENT' ORDER BY d.position, g.position, i.position";
	json_t *list = json_array();
	dbstmt *st = db_stmt(db, ssql);
	if (!st)
		return list;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, service_id);
	while (dbs_step(st) == SQLITE_ROW) {
		char key[32];
		snprintf(key, sizeof key, "S%lld", (long long)dbs_column_int64(st, 0));
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:b}", "id", key, "kind",
			"statement", "text", col_json_text(st, 1), "ticked", dbs_column_int(st, 2)));
	}
	dbs_reset(st);
	if (!with_indicators)
		return list;
	st = db_stmt(db, isql);
	if (!st)
		return list;
	dbs_bind_int64(st, 1, service_id);
	while (dbs_step(st) == SQLITE_ROW) {
		char key[32];
		snprintf(key, sizeof key, "I%lld", (long long)dbs_column_int64(st, 0));
		char *text = xasprintf("%s: the achievement declared for this indicator is correct",
				       (const char *)dbs_column_text(st, 1));
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o, s:b}", "id", key, "kind",
			"indicator", "text", text, "description", col_json_text(st, 2), "ticked", 0));
		free(text);
	}
	dbs_reset(st);
	return list;
}

json_t *store_declaration_history_json(struct db *db, int64_t id)
{
	static const char sql[] =
		"SELECT h.at, u.user_id, u.name, h.from_status, h.to_status, h.note"
		" FROM declaration_history h LEFT JOIN app_user u ON u.id = h.user_id"
		" WHERE h.declaration_id = ?1 ORDER BY h.at DESC, h.id DESC";
	json_t *list = json_array();
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return list;
	dbs_bind_int64(st, 1, id);
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}",
			"at", (json_int_t)dbs_column_int64(st, 0), "user_id", col_json_text(st, 1),
			"user_name", col_json_text(st, 2), "from", col_json_text(st, 3),
			"to", col_json_text(st, 4), "note", col_json_text(st, 5)));
	dbs_reset(st);
	return list;
}

/* The organisations where the list's caller (?1) may see pounds, with
 * the payment types it may see them for (NULL: all): read_types for the
 * pounds roles (?99 = ROLES_POUNDS), which is the reading rule
 * SQL_SERVICE_READABLE with the pounds roles, the rule of present_pounds.
 * Filled once per list, so that the rule is asked once per request rather
 * than once per row. */
static const char decl_pounds_fill[] =
	SCOPE_CTE " INSERT INTO temp.decl_pounds(id, types) SELECT id, types FROM read_types";

static bool fill_decl_pounds(struct db *db, int64_t uid, const char *pounds_roles)
{
	if (db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS decl_pounds(id INTEGER PRIMARY KEY,"
			" types TEXT)") != ST_OK ||
	    db_exec(db, "DELETE FROM decl_pounds") != ST_OK)
		return false;
	if (!pounds_roles)
		return true;
	dbstmt *st = db_stmt(db, decl_pounds_fill);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 99, pounds_roles, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "declarations (pounds)");
		return false;
	}
	return true;
}

json_t *store_declarations_json(struct db *db, int64_t uid, const struct decls_q *q)
{
	static const char sql[] =
		SCOPE_CTE
		" SELECT dc.id, dc.status, dc.pence, dc.updated_at, a.id, d.date, d.payment, a.status,"
		"  EXISTS (SELECT 1 FROM temp.decl_pounds p WHERE p.id = a.org_id"
		"   AND " SQL_TYPES_HAVE("p.types", "s.payment_type") "),"
		"  o.code, o.name, o.kind, s.id, s.name, s.financial_year, s.payment_type,"
		"  coalesce(u.name, ''), dc.declared_at, dc.notes, count(*) OVER ()"
		" FROM declaration dc JOIN achievement a ON a.id = dc.achievement_id"
		" JOIN organisation o ON o.id = a.org_id JOIN quality_service s ON s.id = a.service_id"
		" JOIN achievement_date d ON d.id = a.date_id LEFT JOIN app_user u ON u.id = dc.declared_by"
		" WHERE " SQL_SERVICE_READABLE("a.org_id", "s.payment_type")
		"  AND (?2 = 0 OR a.org_id = ?2) AND (?3 IS NULL OR dc.status = ?3)"
		"  AND (?4 = 0 OR s.id = ?4) AND (?5 IS NULL OR s.financial_year = ?5)"
		"  AND (?6 IS NULL OR o.code LIKE ?6 ESCAPE '\\' OR o.name LIKE ?6 ESCAPE '\\'"
		"   OR s.name LIKE ?6 ESCAPE '\\')"
		" ORDER BY d.date DESC, s.name, o.code, dc.id DESC LIMIT ?7 OFFSET ?8";
	if (!fill_decl_pounds(db, uid, q->pounds_roles))
		return NULL;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	/* no limit: the whole list, one page of at most 2,000 without paging
	 * members and without a search */
	char *pattern = q->limit ? store_like_pattern(q->q) : NULL;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, q->org_id);
	if (q->status)
		dbs_bind_text(st, 3, q->status, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, q->service_id);
	if (q->year)
		dbs_bind_text(st, 5, q->year, -1, SQLITE_TRANSIENT);
	if (pattern)
		dbs_bind_text(st, 6, pattern, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 7, q->limit ? q->limit : 2000);
	dbs_bind_int64(st, 8, q->limit ? q->offset : 0);
	free(pattern);
	json_t *list = json_array();
	int64_t total = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		json_array_append_new(list, json_pack(
			"{s:I, s:o, s:I, s:I, s:{s:I, s:o, s:b, s:o}, s:{s:o, s:o, s:o}, s:b,"
			" s:{s:I, s:o, s:o, s:o}, s:o, s:o, s:o}",
			"id", (json_int_t)dbs_column_int64(st, 0), "status", col_json_text(st, 1),
			"pence", (json_int_t)dbs_column_int64(st, 2),
			"updated_at", (json_int_t)dbs_column_int64(st, 3),
			"achievement", "id", (json_int_t)dbs_column_int64(st, 4),
			"date", col_json_text(st, 5), "payment", dbs_column_int(st, 6),
			"status", col_json_text(st, 7),
			"organisation", "code", col_json_text(st, 9), "name", col_json_text(st, 10),
			"kind", col_json_text(st, 11),
			"_pounds", dbs_column_int(st, 8),
			"service", "id", (json_int_t)dbs_column_int64(st, 12),
			"name", col_json_text(st, 13), "financial_year", col_json_text(st, 14),
			"payment_type", col_json_text(st, 15),
			"declared_by", col_json_text(st, 16),
			"declared_at", dbs_column_type(st, 17) == SQLITE_NULL ? json_null() :
				json_integer(dbs_column_int64(st, 17)),
			"notes", col_json_text(st, 18)));
		total = dbs_column_int64(st, 19);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "declarations");
		json_decref(list);
		return NULL;
	}
	if (!q->limit)
		return json_pack("{s:o}", "declarations", list);
	if (!json_array_size(list) && q->offset > 0)
		total = -1; /* past the end: the total is not known from here */
	return json_pack("{s:o, s:I, s:I, s:I}", "declarations", list, "total", (json_int_t)total,
			 "offset", (json_int_t)q->offset, "limit", (json_int_t)q->limit);
}

