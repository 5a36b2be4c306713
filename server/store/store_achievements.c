/* store_achievements.c: achievement data: the achievements of a practice
 * for a service, their indicator groups and completeness, current values,
 * work in progress, append-only submissions, missing data, and the
 * business date the amendment rules are judged by. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "dates.h"
#include "server/store/dbi_pg.h"
#include "server/store/store_int.h"
#include "util.h"

/* ---- settings ---------------------------------------------------------- */

bool store_setting_get(struct db *db, const char *key, char *out, size_t size)
{
	static const char sql[] = "SELECT value FROM setting WHERE key = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	bool found = dbs_step(st) == SQLITE_ROW;
	if (found)
		col_text(st, 0, out, size);
	dbs_reset(st);
	return found;
}

enum st store_setting_set(struct db *db, const char *key, const char *value)
{
	static const char sql[] =
		"INSERT INTO setting(key, value) VALUES (?1, ?2)"
		" ON CONFLICT(key) DO UPDATE SET value = excluded.value";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, value, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

void store_business_date(struct db *db, char out[11])
{
	/* The business_today view is the one definition (store_schema.c). */
	static const char sql[] = "SELECT d FROM business_today";
	dbstmt *st = db_stmt(db, sql);
	bool ok = st && dbs_step(st) == SQLITE_ROW;
	if (ok)
		col_text(st, 0, out, 11);
	if (st)
		dbs_reset(st);
	if (!ok || !date_valid(out))
		date_today(out); /* the database cannot answer: the calendar */
}

/* ---- participation ------------------------------------------------------ */

bool store_participates_on(struct db *db, int64_t service_id, int64_t org_id, const char *date)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM offer WHERE service_id = ?1 AND org_id = ?2"
		" AND " SQL_OFFER_APPROVED " AND " SQL_OFFER_ON("?3") ")";
	bool yes;
	if (memo_participates(db, service_id, org_id, date, &yes))
		return yes;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_text(st, 3, date, -1, SQLITE_TRANSIENT);
	yes = dbs_step(st) == SQLITE_ROW && dbs_column_int(st, 0);
	dbs_reset(st);
	return yes;
}

bool store_participates(struct db *db, int64_t service_id, int64_t org_id)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM offer WHERE service_id = ?1 AND org_id = ?2"
		" AND " SQL_OFFER_APPROVED ")";
	bool yes;
	if (memo_participates(db, service_id, org_id, NULL, &yes))
		return yes;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	yes = dbs_step(st) == SQLITE_ROW && dbs_column_int(st, 0);
	dbs_reset(st);
	return yes;
}

enum st store_achievement_date_get(struct db *db, int64_t service_id, const char *date,
				   int64_t *date_id, bool *payment)
{
	static const char sql[] =
		"SELECT id, payment FROM achievement_date WHERE service_id = ?1 AND date = ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
	enum st r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		*date_id = dbs_column_int64(st, 0);
		*payment = dbs_column_int(st, 1);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

/* ---- achievements ------------------------------------------------------- */

enum st store_achievement_find(struct db *db, int64_t service_id, int64_t org_id,
			       int64_t date_id, int64_t *id)
{
	static const char sql[] =
		"SELECT id FROM achievement WHERE service_id = ?1 AND org_id = ?2 AND date_id = ?3";
	enum st r;
	if (memo_achievement(db, service_id, org_id, date_id, id, &r))
		return r;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, date_id);
	r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		*id = dbs_column_int64(st, 0);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

enum st store_achievement_create(struct db *db, int64_t service_id, int64_t org_id,
				 int64_t date_id, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO achievement(service_id, org_id, date_id, status, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, 'OPEN', ?4, ?4)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, date_id);
	dbs_bind_int64(st, 4, now_s());
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	*id = db_last_insert_rowid(db);
	memo_achievement_made(db, service_id, org_id, date_id, *id);
	return ST_OK;
}

void ach_rec_row(dbstmt *st, struct ach_rec *out)
{
	memset(out, 0, sizeof *out);
	out->id = dbs_column_int64(st, 0);
	out->service_id = dbs_column_int64(st, 1);
	out->org_id = dbs_column_int64(st, 2);
	out->date_id = dbs_column_int64(st, 3);
	col_text(st, 4, out->date, sizeof out->date);
	out->payment = dbs_column_int(st, 5);
	col_text(st, 6, out->status, sizeof out->status);
	out->commissioner_entry = dbs_column_int(st, 7);
	out->version = dbs_column_int(st, 8);
	col_text(st, 9, out->org_code, sizeof out->org_code);
	col_text(st, 10, out->org_name, sizeof out->org_name);
	col_text(st, 11, out->org_kind, sizeof out->org_kind);
	col_text(st, 12, out->declaration_status, sizeof out->declaration_status);
	out->updated_at = dbs_column_int64(st, 13);
}

enum st store_achievement_get(struct db *db, int64_t id, struct ach_rec *out)
{
	static const char sql[] = ACH_REC_SQL " WHERE a.id = ?1";
	enum st r;
	if (memo_ach_rec(db, id, out, &r))
		return r;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		ach_rec_row(st, out);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

enum st store_achievement_touch(struct db *db, int64_t id, const char *status,
				bool commissioner_entry)
{
	static const char sql[] =
		"UPDATE achievement SET updated_at = ?2, version = version + 1,"
		" status = coalesce(?3, status),"
		" commissioner_entry = CASE WHEN ?4 THEN 1 ELSE commissioner_entry END WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, now_s());
	if (status)
		dbs_bind_text(st, 3, status, -1, SQLITE_TRANSIENT);
	dbs_bind_int(st, 4, commissioner_entry);
	memo_ach_changed(db, id);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

/* Completeness of every group of an achievement: one row per group. */
#define GROUP_STATE_SQL \
	"SELECT g.id, g.code, g.name, g.kind, d.name, coalesce(pd.name, ''), count(i.id)," \
	" sum(CASE WHEN v.indicator_id IS NOT NULL OR (i.pcn_entered <> 0 AND ao.kind = 'PRACTICE') THEN 1 ELSE 0 END), count(w.indicator_id)," \
	" max(max(coalesce(v.updated_at, 0)), max(coalesce(w.saved_at, 0)))" \
	" FROM indicator_group g JOIN service_domain d ON d.id = g.domain_id" \
	" LEFT JOIN service_domain pd ON pd.id = d.parent_id" \
	" JOIN indicator i ON i.group_id = g.id" \
	" LEFT JOIN achievement_value v ON v.achievement_id = ?1 AND v.indicator_id = i.id" \
	" LEFT JOIN wip_value w ON w.achievement_id = ?1 AND w.indicator_id = i.id" \
	" JOIN achievement ac ON ac.id = ?1 JOIN organisation ao ON ao.id = ac.org_id" \
	" WHERE d.service_id = ?2 GROUP BY g.id, d.id, pd.id" \
	" ORDER BY coalesce(pd.position, d.position), d.position, g.position, g.id"

json_t *store_achievement_groups_json(struct db *db, int64_t ach_id, int64_t service_id)
{
	static const char sql[] = GROUP_STATE_SQL;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, service_id);
	json_t *list = json_array();
	while (dbs_step(st) == SQLITE_ROW) {
		int total = dbs_column_int(st, 6), sub = dbs_column_int(st, 7);
		const char *kind = (const char *)dbs_column_text(st, 3);
		json_array_append_new(list, json_pack("{s:I, s:o, s:o, s:s, s:o, s:o, s:i, s:i, s:i,"
						      " s:I, s:b}",
			"id", (json_int_t)dbs_column_int64(st, 0), "code", col_json_text(st, 1),
			"name", col_json_text(st, 2), "kind", strcmp(kind, "MI") ? "payment" : "mi",
			"domain", col_json_text(st, 4), "parent_domain", col_json_text(st, 5),
			"total", total, "submitted", sub, "in_progress", dbs_column_int(st, 8),
			"last_updated", (json_int_t)dbs_column_int64(st, 9),
			"complete", sub >= total));
	}
	dbs_reset(st);
	return list;
}

json_t *store_achievements_json(struct db *db, int64_t org_id, int64_t service_id)
{
	static const char sql[] =
		"SELECT a.id, d.date, d.payment, a.status, a.commissioner_entry, a.updated_at,"
		" (SELECT count(*) FROM indicator i JOIN indicator_group g ON g.id = i.group_id"
		"   JOIN service_domain sd ON sd.id = g.domain_id WHERE sd.service_id = a.service_id"
		"   AND NOT (i.pcn_entered <> 0 AND (SELECT kind FROM organisation WHERE id = a.org_id) = 'PRACTICE')),"
		" (SELECT count(*) FROM achievement_value v WHERE v.achievement_id = a.id),"
		" (SELECT count(*) FROM wip_value w WHERE w.achievement_id = a.id),"
		" coalesce(dc.status, '')"
		" FROM achievement a JOIN achievement_date d ON d.id = a.date_id"
		" LEFT JOIN declaration dc ON dc.achievement_id = a.id"
		" WHERE a.org_id = ?1 AND a.service_id = ?2 ORDER BY d.date DESC";
	static const char avail[] =
		"SELECT d.date, d.payment FROM achievement_date d WHERE d.service_id = ?2"
		" AND d.date <= ?3"
		" AND NOT EXISTS (SELECT 1 FROM achievement a WHERE a.date_id = d.id AND a.org_id = ?1)"
		" ORDER BY d.date";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_int64(st, 2, service_id);
	json_t *list = json_array();
	while (dbs_step(st) == SQLITE_ROW) {
		int total = dbs_column_int(st, 6), sub = dbs_column_int(st, 7);
		json_array_append_new(list, json_pack("{s:I, s:o, s:b, s:o, s:b, s:I, s:i, s:i, s:i,"
						      " s:b, s:o}",
			"id", (json_int_t)dbs_column_int64(st, 0), "date", col_json_text(st, 1),
			"payment", dbs_column_int(st, 2), "status", col_json_text(st, 3),
			"commissioner_entry", dbs_column_int(st, 4),
			"last_updated", (json_int_t)dbs_column_int64(st, 5),
			"indicators_total", total, "indicators_submitted", sub,
			"indicators_in_progress", dbs_column_int(st, 8), "complete", sub >= total,
			"declaration_status", col_json_text(st, 9)));
	}
	dbs_reset(st);
	json_t *dates = json_array();
	char today[11];
	store_business_date(db, today);
	st = db_stmt(db, avail);
	if (st) {
		dbs_bind_int64(st, 1, org_id);
		dbs_bind_int64(st, 2, service_id);
		dbs_bind_text(st, 3, today, -1, SQLITE_TRANSIENT);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(dates, json_pack("{s:o, s:b}", "date", col_json_text(st, 0),
							       "payment", dbs_column_int(st, 1)));
		dbs_reset(st);
	}
	return json_pack("{s:o, s:o}", "achievements", list, "available_dates", dates);
}

/* ---- one group's indicators --------------------------------------------- */

enum st store_group_state(struct db *db, int64_t ach_id, int64_t service_id, int64_t group_id,
			  struct ind_state **out, size_t *n, struct group_info *g)
{
	static const char gsql[] =
		"SELECT g.code, g.name, g.kind FROM indicator_group g"
		" JOIN service_domain d ON d.id = g.domain_id WHERE g.id = ?1 AND d.service_id = ?2";
	static const char sql[] =
		"SELECT i.id, i.code, i.description, i.kind, coalesce(i.pattern, ''), i.pcn_entered,"
		" i.group_level, v.indicator_id IS NOT NULL, v.value, v.numerator, v.denominator,"
		" coalesce(v.source, ''), w.indicator_id IS NOT NULL, w.value, w.numerator,"
		" w.denominator, coalesce(v.updated_at, 0), i.points, i.lower_threshold,"
		" i.upper_threshold"
		" FROM indicator i"
		" LEFT JOIN achievement_value v ON v.achievement_id = ?1 AND v.indicator_id = i.id"
		" LEFT JOIN wip_value w ON w.achievement_id = ?1 AND w.indicator_id = i.id"
		" WHERE i.group_id = ?2 ORDER BY i.position, i.id";
	*out = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, gsql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, group_id);
	dbs_bind_int64(st, 2, service_id);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return ST_NOTFOUND;
	}
	memset(g, 0, sizeof *g);
	g->id = group_id;
	col_text(st, 0, g->code, sizeof g->code);
	col_text(st, 1, g->name, sizeof g->name);
	col_text(st, 2, g->kind, sizeof g->kind);
	dbs_reset(st);
	st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, group_id);
	size_t cap = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct ind_state *s = &(*out)[(*n)++];
		memset(s, 0, sizeof *s);
		s->id = dbs_column_int64(st, 0);
		col_text(st, 1, s->code, sizeof s->code);
		col_text(st, 2, s->description, sizeof s->description);
		col_text(st, 3, s->kind, sizeof s->kind);
		col_text(st, 4, s->pattern, sizeof s->pattern);
		s->pcn_entered = dbs_column_int(st, 5);
		s->group_level = dbs_column_int(st, 6);
		s->has_cur = dbs_column_int(st, 7);
		s->cur.value = dbs_column_int64(st, 8);
		s->cur.num = dbs_column_int64(st, 9);
		s->cur.den = dbs_column_int64(st, 10);
		col_text(st, 11, s->source, sizeof s->source);
		s->has_wip = dbs_column_int(st, 12);
		s->wip.value = dbs_column_int64(st, 13);
		s->wip.num = dbs_column_int64(st, 14);
		s->wip.den = dbs_column_int64(st, 15);
		s->updated_at = dbs_column_int64(st, 16);
		s->points = dbs_column_int(st, 17);
		s->lower = dbs_column_type(st, 18) == SQLITE_NULL ? -1 : dbs_column_int(st, 18);
		s->upper = dbs_column_type(st, 19) == SQLITE_NULL ? -1 : dbs_column_int(st, 19);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

int64_t store_group_version(struct db *db, int64_t ach_id, int64_t group_id)
{
	static const char sql[] =
		"SELECT coalesce(max(id), 0) FROM submission WHERE achievement_id = ?1"
		" AND (group_id = ?2 OR group_id IS NULL)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return -1;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, group_id);
	int64_t v = dbs_step(st) == SQLITE_ROW ? dbs_column_int64(st, 0) : -1;
	dbs_reset(st);
	return v;
}

json_t *store_submission_last(struct db *db, int64_t ach_id, int64_t group_id)
{
	static const char sql[] =
		"SELECT s.id, s.kind, s.at, u.user_id, u.name FROM submission s"
		" LEFT JOIN app_user u ON u.id = s.user_id WHERE s.achievement_id = ?1"
		" AND (s.group_id = ?2 OR s.group_id IS NULL) ORDER BY s.id DESC LIMIT 1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, group_id);
	json_t *j = NULL;
	if (dbs_step(st) == SQLITE_ROW)
		j = json_pack("{s:I, s:o, s:I, s:o, s:o}", "id", (json_int_t)dbs_column_int64(st, 0),
			      "kind", col_json_text(st, 1), "at", (json_int_t)dbs_column_int64(st, 2),
			      "user_id", col_json_text(st, 3), "user_name", col_json_text(st, 4));
	dbs_reset(st);
	return j;
}

enum st store_submission_add(struct db *db, int64_t ach_id, int64_t group_id, const char *kind,
			     const char *source, int64_t uid, const char *notes, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO submission(achievement_id, group_id, kind, source, at, user_id, notes)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	if (group_id)
		dbs_bind_int64(st, 2, group_id);
	dbs_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, source, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 5, now_s());
	if (uid)
		dbs_bind_int64(st, 6, uid);
	dbs_bind_text(st, 7, notes ? notes : "", -1, SQLITE_TRANSIENT);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	*id = db_last_insert_rowid(db);
	return ST_OK;
}

static void bind_val(dbstmt *st, int col, const struct ind_val *v, bool ratio)
{
	if (ratio) {
		dbs_bind_null(st, col);
		dbs_bind_int64(st, col + 1, v->num);
		dbs_bind_int64(st, col + 2, v->den);
	} else {
		dbs_bind_int64(st, col, v->value);
		dbs_bind_null(st, col + 1);
		dbs_bind_null(st, col + 2);
	}
}

enum st store_submission_value_add(struct db *db, int64_t sub_id, int64_t ind_id,
				   const struct ind_val *v, bool ratio)
{
	static const char sql[] =
		"INSERT INTO submission_value(submission_id, indicator_id, value, numerator, denominator)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, sub_id);
	dbs_bind_int64(st, 2, ind_id);
	bind_val(st, 3, v, ratio);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_value_set(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
			bool ratio, const char *source, int64_t sub_id)
{
	enum st st = store_value_put(db, ach_id, ind_id, v, ratio, source, sub_id);
	if (st != ST_OK)
		return st;
	static const char clear[] =
		"DELETE FROM wip_value WHERE achievement_id = ?1 AND indicator_id = ?2";
	dbstmt *s = db_stmt(db, clear);
	if (!s)
		return ST_ERROR;
	dbs_bind_int64(s, 1, ach_id);
	dbs_bind_int64(s, 2, ind_id);
	int rc = dbs_step_defer(s);
	dbs_reset(s);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_value_put(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
			bool ratio, const char *source, int64_t sub_id)
{
	static const char sql[] =
		"INSERT INTO achievement_value(achievement_id, indicator_id, value, numerator,"
		" denominator, source, submission_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(achievement_id, indicator_id) DO UPDATE SET value = excluded.value,"
		" numerator = excluded.numerator, denominator = excluded.denominator,"
		" source = excluded.source, submission_id = excluded.submission_id,"
		" updated_at = excluded.updated_at";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, ind_id);
	bind_val(st, 3, v, ratio);
	dbs_bind_text(st, 6, source, -1, SQLITE_TRANSIENT);
	if (sub_id)
		dbs_bind_int64(st, 7, sub_id);
	dbs_bind_int64(st, 8, now_s());
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	memo_value_wrote(db, ach_id, ind_id, v, ratio, source);
	return ST_OK;
}

enum st store_wip_clear_extracted(struct db *db, int64_t ach_id)
{
	static const char sql[] =
		"DELETE FROM wip_value WHERE achievement_id = ?1 AND indicator_id IN"
		" (SELECT indicator_id FROM achievement_value WHERE achievement_id = ?1"
		"  AND source = 'EXTRACT')";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_wip_set(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
		      bool ratio, int64_t uid)
{
	static const char sql[] =
		"INSERT INTO wip_value(achievement_id, indicator_id, value, numerator, denominator,"
		" user_id, saved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(achievement_id, indicator_id) DO UPDATE SET value = excluded.value,"
		" numerator = excluded.numerator, denominator = excluded.denominator,"
		" user_id = excluded.user_id, saved_at = excluded.saved_at";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, ind_id);
	bind_val(st, 3, v, ratio);
	dbs_bind_int64(st, 6, uid);
	dbs_bind_int64(st, 7, now_s());
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

json_t *store_submissions_json(struct db *db, int64_t ach_id, int64_t group_id)
{
	static const char sql[] =
		"SELECT s.id, s.kind, s.source, s.at, u.user_id, u.name, s.notes, g.code,"
		" i.code, sv.value, sv.numerator, sv.denominator, i.kind"
		" FROM submission s LEFT JOIN app_user u ON u.id = s.user_id"
		" LEFT JOIN indicator_group g ON g.id = s.group_id"
		" LEFT JOIN submission_value sv ON sv.submission_id = s.id"
		" LEFT JOIN indicator i ON i.id = sv.indicator_id"
		" WHERE s.achievement_id = ?1 AND (?2 = 0 OR s.group_id = ?2 OR s.group_id IS NULL)"
		" ORDER BY s.id DESC, i.position LIMIT 2000";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, group_id);
	json_t *list = json_array(), *cur = NULL;
	int64_t cur_id = 0;
	while (dbs_step(st) == SQLITE_ROW) {
		int64_t id = dbs_column_int64(st, 0);
		if (!cur || id != cur_id) {
			cur = json_pack("{s:I, s:o, s:o, s:I, s:o, s:o, s:o, s:o, s:[]}",
				"id", (json_int_t)id, "kind", col_json_text(st, 1),
				"source", col_json_text(st, 2), "at", (json_int_t)dbs_column_int64(st, 3),
				"user_id", col_json_text(st, 4), "user_name", col_json_text(st, 5),
				"notes", col_json_text(st, 6), "group", col_json_text(st, 7), "values");
			json_array_append_new(list, cur);
			cur_id = id;
		}
		if (dbs_column_type(st, 8) == SQLITE_NULL)
			continue;
		const char *kind = (const char *)dbs_column_text(st, 12);
		json_t *v = strcmp(kind, "ratio") == 0 ?
			json_pack("{s:o, s:I, s:I}", "indicator", col_json_text(st, 8),
				  "numerator", (json_int_t)dbs_column_int64(st, 10),
				  "denominator", (json_int_t)dbs_column_int64(st, 11)) :
			json_pack("{s:o, s:I}", "indicator", col_json_text(st, 8),
				  "value", (json_int_t)dbs_column_int64(st, 9));
		json_array_append_new(json_object_get(cur, "values"), v);
	}
	dbs_reset(st);
	return list;
}

/* ---- missing data ------------------------------------------------------- */

/* The rows of Missing Data (see store_missing_json): incomplete groups of
 * recorded achievements, and payment dates of services the organisation
 * takes part in with nothing recorded. An achievement is looked into
 * group by group only when it holds fewer values than its service expects
 * of its kind of organisation (one index count each), so a scope of
 * thousands of complete achievements costs milliseconds. ?1 user, ?2
 * organisation (0: all), ?3 service (0: all), ?4 date (NULL: all), ?5 the
 * business date, ?6 financial year (NULL: all), ?7 a LIKE pattern over the
 * organisation, service and group (NULL: none). */
#define MISSING_ROWS \
	SCOPE_CTE \
	", ach(id, service_id, org_id, kind, date, payment) AS MATERIALIZED (" \
	"  SELECT a.id, a.service_id, a.org_id, o.kind, d.date, d.payment FROM achievement a" \
	"  JOIN achievement_date d ON d.id = a.date_id JOIN organisation o ON o.id = a.org_id" \
	"  WHERE a.org_id IN scope AND (?2 = 0 OR a.org_id = ?2)" \
	"  AND " SQL_SERVICE_TYPE_OK("a.org_id", "(SELECT payment_type FROM quality_service" \
				     " WHERE id = a.service_id)") \
	"  AND (?3 = 0 OR a.service_id = ?3) AND (?4 IS NULL OR d.date = ?4))," \
	" expected(service_id, kind, n) AS MATERIALIZED (SELECT sd.service_id, k.kind, count(*)" \
	"  FROM service_domain sd JOIN indicator_group g ON g.domain_id = sd.id" \
	"  JOIN indicator i ON i.group_id = g.id" \
	"  JOIN (SELECT 'PRACTICE' AS kind UNION ALL SELECT 'PCN') k" \
	"  WHERE NOT (i.pcn_entered <> 0 AND k.kind = 'PRACTICE') GROUP BY 1, 2)," \
	" short(id, service_id, org_id, date, payment) AS MATERIALIZED (" \
	"  SELECT ach.id, ach.service_id, ach.org_id, ach.date, ach.payment FROM ach" \
	"  JOIN expected e ON e.service_id = ach.service_id AND e.kind = ach.kind" \
	"  WHERE (SELECT count(*) FROM achievement_value v JOIN indicator i ON i.id = v.indicator_id" \
	"   WHERE v.achievement_id = ach.id AND NOT (i.pcn_entered <> 0 AND ach.kind = 'PRACTICE')) < e.n)," \
	" rows(ach_id, org_code, org_name, service_id, service, fy, date, payment," \
	"  gid, gcode, gname, gkind, total, submitted) AS MATERIALIZED (" \
	" SELECT short.id, o.code, o.name, s.id, s.name, s.financial_year, short.date, short.payment," \
	"  g.id, g.code, g.name, g.kind, count(i.id), count(v.indicator_id)" \
	" FROM short JOIN organisation o ON o.id = short.org_id" \
	" JOIN quality_service s ON s.id = short.service_id" \
	" JOIN service_domain sd ON sd.service_id = s.id" \
	" JOIN indicator_group g ON g.domain_id = sd.id JOIN indicator i ON i.group_id = g.id" \
	"  AND NOT (i.pcn_entered <> 0 AND o.kind = 'PRACTICE')" \
	" LEFT JOIN achievement_value v ON v.achievement_id = short.id AND v.indicator_id = i.id" \
	" GROUP BY short.id, short.date, short.payment, o.id, s.id, g.id" \
	" HAVING count(v.indicator_id) < count(i.id)" \
	" UNION ALL" \
	" SELECT NULL, o.code, o.name, s.id, s.name, s.financial_year, d.date, 1," \
	"  NULL, NULL, NULL, NULL, 0, 0" \
	" FROM offer f JOIN organisation o ON o.id = f.org_id" \
	" JOIN quality_service s ON s.id = f.service_id" \
	" JOIN achievement_date d ON d.service_id = s.id AND d.payment = 1" \
	" WHERE f.status = 'APPROVED' AND f.org_id IN scope AND s.payment_type <> 'PO'" \
	"  AND " SQL_SERVICE_TYPE_OK("f.org_id", "s.payment_type") \
	"  AND (?2 = 0 OR f.org_id = ?2) AND (?3 = 0 OR f.service_id = ?3)" \
	"  AND (?4 IS NULL OR d.date = ?4) AND d.date <= ?5" \
	"  AND NOT EXISTS (SELECT 1 FROM achievement a WHERE a.org_id = f.org_id" \
	"   AND a.date_id = d.id))," \
	" chosen AS (SELECT * FROM rows WHERE (?6 IS NULL OR fy = ?6)" \
	"  AND (?7 IS NULL OR org_code LIKE ?7 ESCAPE '\\' OR org_name LIKE ?7 ESCAPE '\\'" \
	"   OR service LIKE ?7 ESCAPE '\\' OR gcode LIKE ?7 ESCAPE '\\' OR gname LIKE ?7 ESCAPE '\\'))"

static void missing_bind(struct db *db, dbstmt *st, int64_t uid, const struct missing_q *q,
			 char *pattern)
{
	char today[11];
	store_business_date(db, today);
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, q->org_id);
	dbs_bind_int64(st, 3, q->service_id);
	if (q->date)
		dbs_bind_text(st, 4, q->date, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, today, -1, SQLITE_TRANSIENT);
	if (q->year)
		dbs_bind_text(st, 6, q->year, -1, SQLITE_TRANSIENT);
	if (pattern)
		dbs_bind_text(st, 7, pattern, -1, SQLITE_TRANSIENT);
}

char *store_like_pattern(const char *q)
{
	if (!q || !*q)
		return NULL;
	struct buf b;
	buf_init(&b);
	buf_append(&b, "%", 1);
	for (const char *p = q; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			buf_append(&b, "\\", 1);
		buf_append(&b, p, 1);
	}
	buf_append(&b, "%", 2);
	return buf_steal(&b);
}

json_t *store_missing_json(struct db *db, int64_t uid, const struct missing_q *q)
{
	/* One statement: every row is stepped through (the total, and the
	 * services and dates of a page's filter), only the page's made JSON. */
	static const char sql[] =
		MISSING_ROWS
		" SELECT * FROM chosen ORDER BY fy DESC, service, date DESC, org_code, gcode";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	char *pattern = store_like_pattern(q->q);
	missing_bind(db, st, uid, q, pattern);
	free(pattern);
	int64_t limit = q->limit > 0 ? q->limit : 2000;
	json_t *list = json_array(), *dates = json_array(), *seen = json_object();
	int64_t total = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		int64_t n = total++;
		if (q->limit > 0) {
			char key[48];
			snprintf(key, sizeof key, "%lld %s", (long long)dbs_column_int64(st, 3),
				 (const char *)dbs_column_text(st, 6));
			json_t *d = json_object_get(seen, key);
			if (!d) {
				d = json_pack("{s:I, s:o, s:o, s:o, s:b, s:I}",
					"service_id", (json_int_t)dbs_column_int64(st, 3),
					"service", col_json_text(st, 4), "financial_year", col_json_text(st, 5),
					"date", col_json_text(st, 6), "payment", dbs_column_int(st, 7),
					"rows", (json_int_t)0);
				json_object_set_new(seen, key, d);
				json_array_append(dates, d);
			}
			json_object_set_new(d, "rows", json_integer(
				json_integer_value(json_object_get(d, "rows")) + 1));
		} else if (n >= limit) {
			break;
		}
		if (n < q->offset || n >= q->offset + limit)
			continue;
		bool recorded = dbs_column_type(st, 0) != SQLITE_NULL;
		json_t *row = json_pack("{s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:b}",
			"achievement_id", recorded ? json_integer(dbs_column_int64(st, 0)) : json_null(),
			"organisation", col_json_text(st, 1), "organisation_name", col_json_text(st, 2),
			"service_id", (json_int_t)dbs_column_int64(st, 3),
			"service", col_json_text(st, 4), "financial_year", col_json_text(st, 5),
			"date", col_json_text(st, 6), "payment", dbs_column_int(st, 7));
		if (recorded) {
			const char *kind = (const char *)dbs_column_text(st, 11);
			json_object_set_new(row, "group", json_pack("{s:I, s:o, s:o, s:s}",
				"id", (json_int_t)dbs_column_int64(st, 8), "code", col_json_text(st, 9),
				"name", col_json_text(st, 10), "kind", strcmp(kind, "MI") ? "payment" : "mi"));
			json_object_set_new(row, "total", json_integer(dbs_column_int(st, 12)));
			json_object_set_new(row, "submitted", json_integer(dbs_column_int(st, 13)));
		} else {
			json_object_set_new(row, "group", json_null());
			json_object_set_new(row, "not_recorded", json_true());
		}
		json_array_append_new(list, row);
	}
	dbs_reset(st);
	json_decref(seen);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_log_error(db, "missing data");
		json_decref(list);
		json_decref(dates);
		return NULL;
	}
	json_t *j = json_pack("{s:o}", "missing", list);
	if (q->limit > 0)
		json_object_update_new(j, json_pack("{s:o, s:I, s:I, s:I}", "dates", dates,
						     "total", (json_int_t)total,
						     "offset", (json_int_t)q->offset,
						     "limit", (json_int_t)q->limit));
	else
		json_decref(dates);
	return j;
}

/* Multi-row statements for bulk loads: n rows of the given SQL row
 * template, prepared once per size. */
#define VROW "(?, ?, ?, ?, ?, ?, ?, ?)"
#define VROW4 VROW ", " VROW ", " VROW ", " VROW
#define SROW "(?, ?, ?, ?, ?)"
#define SROW4 SROW ", " SROW ", " SROW ", " SROW

enum st store_values_put_many(struct db *db, int64_t ach_id, const struct value_row *rows, size_t n,
			      const char *source, int64_t sub_id)
{
	static const char one[] =
		"INSERT INTO achievement_value(achievement_id, indicator_id, value, numerator,"
		" denominator, source, submission_id, updated_at) VALUES " VROW
		" ON CONFLICT(achievement_id, indicator_id) DO UPDATE SET value = excluded.value,"
		" numerator = excluded.numerator, denominator = excluded.denominator,"
		" source = excluded.source, submission_id = excluded.submission_id,"
		" updated_at = excluded.updated_at";
	static const char sixteen[] =
		"INSERT INTO achievement_value(achievement_id, indicator_id, value, numerator,"
		" denominator, source, submission_id, updated_at) VALUES "
		VROW4 ", " VROW4 ", " VROW4 ", " VROW4
		" ON CONFLICT(achievement_id, indicator_id) DO UPDATE SET value = excluded.value,"
		" numerator = excluded.numerator, denominator = excluded.denominator,"
		" source = excluded.source, submission_id = excluded.submission_id,"
		" updated_at = excluded.updated_at";
	static const char sone[] =
		"INSERT INTO submission_value(submission_id, indicator_id, value, numerator, denominator)"
		" VALUES " SROW;
	static const char ssixteen[] =
		"INSERT INTO submission_value(submission_id, indicator_id, value, numerator, denominator)"
		" VALUES " SROW4 ", " SROW4 ", " SROW4 ", " SROW4;
	int64_t now = now_s();
	for (int pass = 0; pass < 2; pass++) {
		size_t i = 0;
		while (i < n) {
			size_t k = n - i >= 16 ? 16 : 1;
			dbstmt *st = db_stmt(db, pass == 0 ? (k == 16 ? sixteen : one) :
							(k == 16 ? ssixteen : sone));
			if (!st)
				return ST_ERROR;
			for (size_t j = 0; j < k; j++) {
				const struct value_row *r = &rows[i + j];
				if (pass == 0) {
					int b = (int)j * 8;
					dbs_bind_int64(st, b + 1, ach_id);
					dbs_bind_int64(st, b + 2, r->indicator_id);
					bind_val(st, b + 3, &r->v, r->ratio);
					dbs_bind_text(st, b + 6, source, -1, SQLITE_STATIC);
					if (sub_id)
						dbs_bind_int64(st, b + 7, sub_id);
					else
						dbs_bind_null(st, b + 7);
					dbs_bind_int64(st, b + 8, now);
				} else {
					int b = (int)j * 5;
					dbs_bind_int64(st, b + 1, sub_id);
					dbs_bind_int64(st, b + 2, r->indicator_id);
					bind_val(st, b + 3, &r->v, r->ratio);
				}
			}
			int rc = dbs_step(st);
			dbs_reset(st);
			if (rc != SQLITE_DONE)
				return st_from_sqlite(rc);
			i += k;
		}
		if (!sub_id)
			break; /* no submission to record the values in */
	}
	for (size_t i = 0; i < n; i++)
		memo_value_wrote(db, ach_id, rows[i].indicator_id, &rows[i].v, rows[i].ratio, source);
	return ST_OK;
}

/* ---- staged values (bulk loads on PostgreSQL) ------------------------------ */

struct staged_value {
	int64_t ach, ind, sub, at;
	struct ind_val v;
	bool ratio;
	char source[16];
};

struct staged_line {
	int64_t calc, ind, ppm, points, pence;
	bool has_ppm;
	char *text, *pay; /* owned */
};

/* Lines are written when this many are kept (bounds the memory). */
#define STAGE_LINES_MAX 32768

struct value_stage {
	struct staged_value *rows;
	size_t n, cap;
	bool bulk; /* store_bulk_begin: calculation lines kept too */
	bool analyze; /* store_bulk_analyze has something to do */
	struct staged_line *lines;
	size_t nl, capl;
};

static void lines_free(struct value_stage *g)
{
	for (size_t i = 0; i < g->nl; i++) {
		free(g->lines[i].text);
		free(g->lines[i].pay);
	}
	g->nl = 0;
}

void values_stage_free(struct db *db)
{
	if (!db->stage)
		return;
	lines_free(db->stage);
	free(db->stage->lines);
	free(db->stage->rows);
	free(db->stage);
	db->stage = NULL;
}

/* The kept calculation lines in one COPY into calculation_line (its
 * foreign keys checked as for an INSERT). */
static enum st lines_write(struct db *db, struct value_stage *g)
{
	if (!g->nl)
		return ST_OK;
	enum st r = db_copy_begin(db, "calculation_line", "calculation_id, indicator_id,"
				  " achievement_ppm, points_milli, pence, explanation, pay_explanation");
	bool copying = r == ST_OK;
	for (size_t i = 0; r == ST_OK && i < g->nl; i++) {
		const struct staged_line *l = &g->lines[i];
		char f[5][24];
		db_copy_ints(f, 5, (const int64_t[]){l->calc, l->ind, l->ppm, l->points, l->pence});
		const char *row[7] = {f[0], f[1], l->has_ppm ? f[2] : NULL, f[3], f[4], l->text, l->pay};
		r = db_copy_row(db, 7, row);
	}
	if (copying) {
		enum st r2 = db_copy_end(db);
		if (r == ST_OK)
			r = r2;
	}
	lines_free(g);
	return r;
}

bool stage_calc_lines(struct db *db, int64_t calc_id, const struct calc_save_line *lines, size_t n,
		      enum st *r)
{
	struct value_stage *g = db->stage;
	if (!DBI_PG_ONLY || !g || !g->bulk)
		return false;
	if (g->nl + n > g->capl) {
		g->capl = (g->nl + n) * 2;
		g->lines = xrealloc(g->lines, g->capl * sizeof *g->lines);
	}
	for (size_t i = 0; i < n; i++) {
		struct staged_line *l = &g->lines[g->nl++];
		l->calc = calc_id;
		l->ind = lines[i].indicator_id;
		l->has_ppm = lines[i].has_achievement;
		l->ppm = lines[i].achievement_ppm;
		l->points = lines[i].points_milli;
		l->pence = lines[i].pence;
		l->text = xstrdup(lines[i].points_text ? lines[i].points_text : "");
		l->pay = xstrdup(lines[i].pay_text ? lines[i].pay_text : "");
	}
	*r = g->nl >= STAGE_LINES_MAX ? lines_write(db, g) : ST_OK;
	return true;
}

void store_bulk_begin(struct db *db)
{
	if (!DBI_PG_ONLY)
		return;
	if (!db->stage)
		db->stage = xcalloc(1, sizeof *db->stage);
	db->stage->bulk = true;
	/* Statistics matter only while the tables are small (or were never
	 * counted): with many achievements and calculations the plans are
	 * right already, and ANALYZE would only cost time. */
	db->stage->analyze = pgc_query_int(db->pg, "SELECT CASE WHEN min(reltuples) >= 10000 THEN 0"
		" ELSE 1 END FROM pg_class WHERE oid = 'achievement'::regclass"
		" OR oid = 'calculation'::regclass", 1) != 0;
	pgc_defer(db->pg, true); /* the writes no one reads back sent ahead */
}

enum st store_bulk_analyze(struct db *db)
{
	if (!DBI_PG_ONLY || !db->stage || !db->stage->analyze)
		return ST_OK;
	return db_exec(db, "ANALYZE achievement, submission, submission_value, wip_value, calculation,"
		       " calculation_line, declaration, declaration_history, task");
}

enum st store_bulk_end(struct db *db, bool write)
{
	enum st r = ST_OK;
	if (db->stage && write)
		r = lines_write(db, db->stage);
	values_stage_free(db);
	if (DBI_PG_ONLY)
		pgc_defer(db->pg, false);
	return r;
}

enum st store_values_stage(struct db *db, int64_t ach_id, const struct value_row *rows, size_t n,
			   const char *source, int64_t sub_id)
{
	if (!DBI_PG_ONLY)
		return store_values_put_many(db, ach_id, rows, n, source, sub_id);
	if (!db->stage)
		db->stage = xcalloc(1, sizeof *db->stage);
	struct value_stage *g = db->stage;
	if (g->n + n > g->cap) {
		g->cap = (g->n + n) * 2;
		g->rows = xrealloc(g->rows, g->cap * sizeof *g->rows);
	}
	int64_t now = now_s();
	for (size_t i = 0; i < n; i++)
		memo_value_wrote(db, ach_id, rows[i].indicator_id, &rows[i].v, rows[i].ratio, source);
	for (size_t i = 0; i < n; i++) {
		struct staged_value *s = &g->rows[g->n++];
		s->ach = ach_id;
		s->ind = rows[i].indicator_id;
		s->sub = sub_id;
		s->at = now;
		s->v = rows[i].v;
		s->ratio = rows[i].ratio;
		strlcpy_s(s->source, source, sizeof s->source);
	}
	return ST_OK;
}

/* PostgreSQL: the staged rows through COPY into a temporary table, then
 * applied set-wise (row triggers and foreign keys fire as for single
 * rows: a final figure is refused all the same). */
static enum st stage_write(struct db *db, const struct value_stage *g)
{
	/* work_mem: the join of the load with achievement_value hashes in
	 * memory rather than in batches on disk (this transaction only). */
	enum st r = db_exec(db, "SET LOCAL work_mem = '256MB'; DROP TABLE IF EXISTS pg_temp.load_value;"
			    " CREATE TEMP TABLE load_value (achievement_id bigint, indicator_id bigint,"
			    " value bigint, numerator bigint, denominator bigint, source text,"
			    " submission_id bigint, updated_at bigint) ON COMMIT DROP");
	bool copying = false;
	if (r == ST_OK) {
		r = db_copy_begin(db, "load_value", "achievement_id, indicator_id, value, numerator,"
				  " denominator, source, submission_id, updated_at");
		copying = r == ST_OK;
	}
	for (size_t i = 0; r == ST_OK && i < g->n; i++) {
		const struct staged_value *s = &g->rows[i];
		char f[7][24];
		db_copy_ints(f, 7, (const int64_t[]){s->ach, s->ind, s->v.value, s->v.num, s->v.den,
						     s->sub, s->at});
		const char *row[8] = {f[0], f[1], s->ratio ? NULL : f[2], s->ratio ? f[3] : NULL,
				      s->ratio ? f[4] : NULL, s->source, s->sub ? f[5] : NULL, f[6]};
		r = db_copy_row(db, 8, row);
	}
	if (copying) {
		/* Ended after a failed row too, so the connection leaves COPY. */
		enum st r2 = db_copy_end(db);
		if (r == ST_OK)
			r = r2;
	}
	/* Values already there updated, the others inserted: an upsert would
	 * run the row triggers of both (refusing a final figure's) for every
	 * row that exists. The rows to insert are those the UPDATE did not
	 * return (not looked for again in the whole table). */
	if (r == ST_OK)
		r = db_exec(db, "ANALYZE pg_temp.load_value");
	if (r == ST_OK)
		r = db_exec(db, "WITH u AS (UPDATE achievement_value v SET value = l.value,"
			    " numerator = l.numerator, denominator = l.denominator, source = l.source,"
			    " submission_id = l.submission_id, updated_at = l.updated_at FROM load_value l"
			    " WHERE v.achievement_id = l.achievement_id AND v.indicator_id = l.indicator_id"
			    " RETURNING v.achievement_id, v.indicator_id)"
			    " INSERT INTO achievement_value(achievement_id, indicator_id, value,"
			    " numerator, denominator, source, submission_id, updated_at)"
			    " SELECT achievement_id, indicator_id, value, numerator, denominator, source,"
			    " submission_id, updated_at FROM load_value l WHERE NOT EXISTS (SELECT 1 FROM u"
			    " WHERE u.achievement_id = l.achievement_id AND u.indicator_id = l.indicator_id)");
	if (r == ST_OK)
		r = db_exec(db, "INSERT INTO submission_value(submission_id, indicator_id, value,"
			    " numerator, denominator) SELECT submission_id, indicator_id, value, numerator,"
			    " denominator FROM load_value WHERE submission_id IS NOT NULL");
	if (r == ST_OK)
		r = db_exec(db, "DROP TABLE pg_temp.load_value");
	return r;
}

enum st store_values_flush(struct db *db)
{
	if (!db->stage)
		return ST_OK;
	enum st r = db->stage->n ? stage_write(db, db->stage) : ST_OK;
	db->stage->n = 0;
	if (!db->stage->bulk)
		values_stage_free(db);
	return r;
}
