/* store_calc.c: what the calculation reads (indicator definitions and
 * current values) and writes (calculations and their lines), and the
 * network facts aggregation needs. */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

enum st store_calc_defs(struct db *db, int64_t service_id, struct calc_def_row **out, size_t *n)
{
	static const char sql[] =
		"SELECT i.id, i.code, i.kind, g.code, g.kind, i.points, coalesce(i.lower_threshold, -1),"
		" coalesce(i.upper_threshold, -1), i.pence_per_item, i.pcn_entered,"
		" i.national_prevalence_ppm, coalesce(i.register_indicator, ''), i.description, g.name"
		" FROM indicator i JOIN indicator_group g ON g.id = i.group_id"
		" JOIN service_domain d ON d.id = g.domain_id WHERE d.service_id = ?1"
		" ORDER BY coalesce((SELECT position FROM service_domain p WHERE p.id = d.parent_id),"
		" d.position), d.position, g.position, i.position, i.id";
	*out = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, service_id);
	size_t cap = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct calc_def_row *d = &(*out)[(*n)++];
		memset(d, 0, sizeof *d);
		d->id = dbs_column_int64(st, 0);
		col_text(st, 1, d->code, sizeof d->code);
		col_text(st, 2, d->kind, sizeof d->kind);
		col_text(st, 3, d->group_code, sizeof d->group_code);
		d->payment_group = !strcmp((const char *)dbs_column_text(st, 4), "PAYMENT");
		d->points = dbs_column_int(st, 5);
		d->lower = dbs_column_int(st, 6);
		d->upper = dbs_column_int(st, 7);
		d->pence_per_item = dbs_column_int64(st, 8);
		d->pcn_entered = dbs_column_int(st, 9);
		d->national_prevalence_ppm = dbs_column_int64(st, 10);
		col_text(st, 11, d->register_code, sizeof d->register_code);
		col_text(st, 12, d->description, sizeof d->description);
		col_text(st, 13, d->group_name, sizeof d->group_name);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_values_get(struct db *db, int64_t ach_id, const struct calc_def_row *defs, size_t n,
			 struct store_val *out)
{
	static const char sql[] =
		"SELECT indicator_id, value, numerator, denominator, source FROM achievement_value"
		" WHERE achievement_id = ?1";
	memset(out, 0, n * sizeof *out);
	if (!ach_id || memo_values(db, ach_id, defs, n, out))
		return ST_OK;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	int rc;
	size_t hint = 0;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		int64_t ind = dbs_column_int64(st, 0);
		/* Values come in indicator order most of the time: try the next
		 * definition first. */
		size_t k = n;
		for (size_t t = 0; t < n; t++) {
			size_t i = (hint + t) % n;
			if (defs[i].id == ind) {
				k = i;
				break;
			}
		}
		if (k == n)
			continue;
		hint = k + 1;
		out[k].present = true;
		out[k].value = dbs_column_int64(st, 1);
		out[k].num = dbs_column_int64(st, 2);
		out[k].den = dbs_column_int64(st, 3);
		col_text(st, 4, out[k].source, sizeof out[k].source);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_achievement_set_status(struct db *db, int64_t id, const char *status)
{
	static const char sql[] =
		"UPDATE achievement SET status = ?2, updated_at = ?3 WHERE id = ?1 AND status <> ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	int64_t now = now_s();
	dbs_bind_int64(st, 1, id);
	dbs_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, now);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	memo_ach_status(db, id, status, now); /* as the UPDATE did */
	return ST_OK;
}

/* INSERTs of 1 to LINES_MAX calculation lines, built once each (their
 * addresses key db_stmt's cache, so they live as long as the process). */
#define LINES_MAX 64
static char *line_sqls[LINES_MAX + 1];
static pthread_mutex_t line_sqls_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *line_sql(size_t n)
{
	pthread_mutex_lock(&line_sqls_lock);
	if (!line_sqls[n]) {
		struct buf b;
		buf_init(&b);
		buf_puts(&b, "INSERT INTO calculation_line(calculation_id, indicator_id, achievement_ppm,"
			 " points_milli, pence, explanation, pay_explanation) VALUES ");
		for (size_t i = 0; i < n; i++)
			buf_puts(&b, i ? ", (?, ?, ?, ?, ?, ?, ?)" : "(?, ?, ?, ?, ?, ?, ?)");
		line_sqls[n] = xstrdup(b.data);
		buf_free(&b);
	}
	const char *sql = line_sqls[n];
	pthread_mutex_unlock(&line_sqls_lock);
	return sql;
}

enum st store_calculation_save(struct db *db, int64_t ach_id, const struct calc_save *c,
			       int64_t *calc_id)
{
	static const char old[] =
		"UPDATE calculation SET current = 0 WHERE achievement_id = ?1 AND current = 1";
	static const char ins[] =
		"INSERT INTO calculation(achievement_id, at, points_milli, pence, aspiration_pence,"
		" breakdown, current) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)";
	dbstmt *st = db_stmt(db, old);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	st = db_stmt(db, ins);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, ach_id);
	dbs_bind_int64(st, 2, now_s());
	dbs_bind_int64(st, 3, c->points_milli);
	dbs_bind_int64(st, 4, c->pence);
	dbs_bind_int64(st, 5, c->aspiration_pence);
	dbs_bind_text(st, 6, c->breakdown ? c->breakdown : "{}", -1, SQLITE_TRANSIENT);
	rc = dbs_step_defer(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	*calc_id = db_last_insert_rowid(db);
	enum st staged;
	if (stage_calc_lines(db, *calc_id, c->lines, c->nlines, &staged))
		return staged;
	/* Lines go in one statement of up to LINES_MAX rows: one statement
	 * per line would cost more than the rows themselves in a national
	 * load (on PostgreSQL each statement is a round trip). */
	size_t i = 0;
	while (i < c->nlines) {
		size_t k = c->nlines - i < LINES_MAX ? c->nlines - i : LINES_MAX;
		st = db_stmt(db, line_sql(k));
		if (!st)
			return ST_ERROR;
		for (size_t j = 0; j < k; j++) {
			const struct calc_save_line *l = &c->lines[i + j];
			int b = (int)j * 7;
			dbs_bind_int64(st, b + 1, *calc_id);
			dbs_bind_int64(st, b + 2, l->indicator_id);
			if (l->has_achievement)
				dbs_bind_int64(st, b + 3, l->achievement_ppm);
			else
				dbs_bind_null(st, b + 3);
			dbs_bind_int64(st, b + 4, l->points_milli);
			dbs_bind_int64(st, b + 5, l->pence);
			dbs_bind_text(st, b + 6, l->points_text ? l->points_text : "", -1,
					  SQLITE_TRANSIENT);
			dbs_bind_text(st, b + 7, l->pay_text ? l->pay_text : "", -1,
					  SQLITE_TRANSIENT);
		}
		rc = dbs_step(st);
		dbs_reset(st);
		if (rc != SQLITE_DONE)
			return st_from_sqlite(rc);
		i += k;
	}
	return ST_OK;
}

enum st store_pcn_of_practice(struct db *db, int64_t practice_id, const char *on_date,
			      int64_t *pcn_id)
{
	static const char sql[] =
		"SELECT pcn_id FROM pcn_membership m WHERE practice_id = ?1 AND " SQL_MEMBER_ON("m", "?2")
		" ORDER BY start_date DESC LIMIT 1";
	enum st r;
	if (memo_pcn_of(db, practice_id, on_date, pcn_id, &r))
		return r;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, practice_id);
	dbs_bind_text(st, 2, on_date, -1, SQLITE_TRANSIENT);
	r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		*pcn_id = dbs_column_int64(st, 0);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

json_t *store_calculation_json(struct db *db, int64_t ach_id)
{
	static const char csql[] =
		"SELECT id, at, points_milli, pence, aspiration_pence,"
		" CAST(json_extract(breakdown, '$.list_size') AS INTEGER) FROM calculation"
		" WHERE achievement_id = ?1 AND current = 1";
	static const char lsql[] =
		"SELECT indicator_id, achievement_ppm, points_milli, pence"
		" FROM calculation_line WHERE calculation_id = ?1";
	dbstmt *st = db_stmt(db, csql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, ach_id);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return json_null();
	}
	int64_t cid = dbs_column_int64(st, 0);
	json_t *c = json_pack("{s:I, s:I, s:I}", "id", (json_int_t)cid,
			      "at", (json_int_t)dbs_column_int64(st, 1),
			      "points_milli", (json_int_t)dbs_column_int64(st, 2));
	/* The population the calculation used: the list size on the date. */
	if (dbs_column_type(st, 5) == SQLITE_INTEGER)
		json_object_set_new(c, "list_size", json_integer(dbs_column_int64(st, 5)));
	{
		json_object_set_new(c, "pence", json_integer(dbs_column_int64(st, 3)));
		json_object_set_new(c, "aspiration_pence", json_integer(dbs_column_int64(st, 4)));
	}
	dbs_reset(st);
	json_t *lines = json_object();
	st = db_stmt(db, lsql);
	if (st) {
		dbs_bind_int64(st, 1, cid);
		while (dbs_step(st) == SQLITE_ROW) {
			char key[24];
			snprintf(key, sizeof key, "%lld", (long long)dbs_column_int64(st, 0));
			json_t *l = json_pack("{s:o, s:I}", "achievement_ppm",
				dbs_column_type(st, 1) == SQLITE_NULL ? json_null() :
					json_integer(dbs_column_int64(st, 1)),
				"points_milli", (json_int_t)dbs_column_int64(st, 2));
			json_object_set_new(l, "pence", json_integer(dbs_column_int64(st, 3)));
			json_object_set_new(lines, key, l);
		}
		dbs_reset(st);
	}
	json_object_set_new(c, "lines", lines);
	return c;
}

json_t *store_awaiting_network_json(struct db *db, int64_t uid, const char *year)
{
	static const char sql[] =
		SCOPE_CTE
		" SELECT a.id, o.id, o.code, o.name, o.kind, s.id, s.name, d.id, d.date, d.payment"
		" FROM achievement a JOIN organisation o ON o.id = a.org_id"
		" JOIN quality_service s ON s.id = a.service_id JOIN achievement_date d ON d.id = a.date_id"
		" WHERE a.status = 'AWAITING_NETWORK' AND " SQL_SERVICE_READABLE("a.org_id", "s.payment_type")
		" AND (?2 IS NULL OR s.financial_year = ?2)"
		" ORDER BY d.date DESC, s.name, o.kind = 'PCN' DESC, o.code LIMIT 2000";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	if (year)
		dbs_bind_text(st, 2, year, -1, SQLITE_TRANSIENT);
	json_t *list = json_array();
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:I, s:I, s:o, s:o, s:o, s:I, s:o, s:I, s:o, s:b}",
			"achievement_id", (json_int_t)dbs_column_int64(st, 0),
			"org_id", (json_int_t)dbs_column_int64(st, 1),
			"organisation", col_json_text(st, 2), "organisation_name", col_json_text(st, 3),
			"kind", col_json_text(st, 4), "service_id", (json_int_t)dbs_column_int64(st, 5),
			"service", col_json_text(st, 6), "date_id", (json_int_t)dbs_column_int64(st, 7),
			"date", col_json_text(st, 8), "payment", dbs_column_int(st, 9)));
	dbs_reset(st);
	return list;
}

/* Whether [start, end] (end NULL or "": open) overlaps a membership of
 * the practice other than `except`: 1 yes, 0 no, -1 error. */
static int membership_overlaps(struct db *db, int64_t practice_id, const char *start,
			       const char *end, int64_t except)
{
	static const char sql[] =
		"SELECT count(*) FROM pcn_membership WHERE practice_id = ?1 AND id <> ?4"
		" AND start_date <= coalesce(nullif(?3, ''), '9999-12-31')"
		" AND coalesce(end_date, '9999-12-31') >= ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return -1;
	dbs_bind_int64(st, 1, practice_id);
	dbs_bind_text(st, 2, start, -1, SQLITE_TRANSIENT);
	if (end)
		dbs_bind_text(st, 3, end, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, except);
	int n = dbs_step(st) == SQLITE_ROW ? dbs_column_int(st, 0) : -1;
	dbs_reset(st);
	return n < 0 ? -1 : n > 0;
}

enum st store_membership_add(struct db *db, int64_t pcn_id, int64_t practice_id, const char *start,
			     const char *end, int64_t *id)
{
	static const char ins[] =
		"INSERT INTO pcn_membership(pcn_id, practice_id, start_date, end_date) VALUES (?1, ?2, ?3, ?4)";
	int o = membership_overlaps(db, practice_id, start, end, 0);
	if (o != 0)
		return o < 0 ? ST_ERROR : ST_CONFLICT;
	dbstmt *st = db_stmt(db, ins);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, pcn_id);
	dbs_bind_int64(st, 2, practice_id);
	dbs_bind_text(st, 3, start, -1, SQLITE_TRANSIENT);
	if (end)
		dbs_bind_text(st, 4, end, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	*id = db_last_insert_rowid(db);
	return ST_OK;
}

enum st store_membership_get(struct db *db, int64_t id, struct membership_rec *out)
{
	static const char sql[] =
		"SELECT id, pcn_id, practice_id, start_date, coalesce(end_date, '') FROM pcn_membership"
		" WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	enum st r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		out->id = dbs_column_int64(st, 0);
		out->pcn_id = dbs_column_int64(st, 1);
		out->practice_id = dbs_column_int64(st, 2);
		col_text(st, 3, out->start_date, sizeof out->start_date);
		col_text(st, 4, out->end_date, sizeof out->end_date);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

enum st store_membership_end(struct db *db, int64_t id, const char *end)
{
	static const char sql[] =
		"UPDATE pcn_membership SET end_date = ?2 WHERE id = ?1 AND start_date <= ?2";
	struct membership_rec m;
	enum st r = store_membership_get(db, id, &m);
	if (r != ST_OK)
		return r;
	if (strcmp(end, m.start_date) < 0)
		return ST_INVALID;
	/* The same rule as store_membership_add: never in two PCNs on a date. */
	int o = membership_overlaps(db, m.practice_id, m.start_date, end, id);
	if (o != 0)
		return o < 0 ? ST_ERROR : ST_CONFLICT;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_text(st, 2, end, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	return db_changes(db) == 1 ? ST_OK : ST_INVALID;
}

enum st store_list_size_on(struct db *db, int64_t org_id, const char *date, int64_t *size)
{
	static const char sql[] = "SELECT " SQL_LIST_SIZE_ON("o", "?2") " FROM organisation o WHERE o.id = ?1";
	enum st r;
	if (memo_list_size(db, org_id, date, size, &r))
		return r;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		*size = dbs_column_int64(st, 0);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

bool store_final_since(struct db *db, int64_t ach_id, char since[11])
{
	/* Final: SQL_IS_FINAL; when so, since when. */
	if (memo_not_final(db, ach_id))
		return false;
	static const char sql[] =
		"SELECT date(coalesce((SELECT max(h.at) FROM declaration_history h"
		"  WHERE h.declaration_id = d.id AND h.to_status = 'FINANCIALLY_APPROVED'),"
		"  d.updated_at), 'unixepoch')"
		" FROM declaration d WHERE d.achievement_id = ?1 AND d.status = 'FINANCIALLY_APPROVED'";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return true; /* fail closed: say final */
	dbs_bind_int64(st, 1, ach_id);
	bool final = dbs_step(st) == SQLITE_ROW;
	if (final && since)
		col_text(st, 0, since, 11);
	dbs_reset(st);
	return final;
}

enum st store_network_dates(struct db *db, const char *from, const char *to,
			    struct net_date **out, size_t *n)
{
	/* Network-level service dates in a period: what a membership change
	 * between from and to (inclusive; to "" = open) may affect. */
	static const char sql[] =
		"SELECT s.id, d.id, d.date FROM achievement_date d JOIN quality_service s ON s.id = d.service_id"
		" WHERE s.level = 'NETWORK' AND d.date >= ?1 AND (?2 = '' OR d.date <= ?2) ORDER BY d.date";
	*out = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, to ? to : "", -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		struct net_date *d = &(*out)[(*n)++];
		d->service_id = dbs_column_int64(st, 0);
		d->date_id = dbs_column_int64(st, 1);
		col_text(st, 2, d->date, sizeof d->date);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_service_by_code(struct db *db, const char *code, int64_t *id)
{
	static const char sql[] = "SELECT id FROM quality_service WHERE code = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
	enum st r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		*id = dbs_column_int64(st, 0);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

enum st store_previous_achievement(struct db *db, int64_t service_id, int64_t org_id,
				   int64_t date_id, int64_t *id)
{
	/* The achievement of the closest earlier date of the same service. */
	static const char sql[] =
		"SELECT a.id FROM achievement a JOIN achievement_date d ON d.id = a.date_id"
		" WHERE a.service_id = ?1 AND a.org_id = ?2"
		" AND d.date < (SELECT date FROM achievement_date WHERE id = ?3)"
		" ORDER BY d.date DESC LIMIT 1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, date_id);
	enum st r = ST_NOTFOUND;
	if (dbs_step(st) == SQLITE_ROW) {
		*id = dbs_column_int64(st, 0);
		r = ST_OK;
	}
	dbs_reset(st);
	return r;
}

enum st store_achievements_each(struct db *db, enum st (*fn)(void *ctx, const struct ach_brief *a),
				void *ctx)
{
	static const char sql[] =
		"SELECT a.id, a.service_id, a.org_id, o.kind, s.level, s.payment_type, d.id, d.date"
		" FROM achievement a JOIN organisation o ON o.id = a.org_id"
		" JOIN quality_service s ON s.id = a.service_id JOIN achievement_date d ON d.id = a.date_id"
		" ORDER BY a.service_id, d.date, a.org_id";
	/* Read everything first: fn writes, and a statement must not be
	 * stepped across its own writes. */
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	struct ach_brief *all = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			all = xrealloc(all, cap * sizeof *all);
		}
		struct ach_brief *a = &all[n++];
		a->id = dbs_column_int64(st, 0);
		a->service_id = dbs_column_int64(st, 1);
		a->org_id = dbs_column_int64(st, 2);
		col_text(st, 3, a->org_kind, sizeof a->org_kind);
		col_text(st, 4, a->level, sizeof a->level);
		col_text(st, 5, a->payment_type, sizeof a->payment_type);
		a->date_id = dbs_column_int64(st, 6);
		col_text(st, 7, a->date, sizeof a->date);
	}
	dbs_reset(st);
	enum st r = rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
	for (size_t i = 0; r == ST_OK && i < n; i++)
		r = fn(ctx, &all[i]);
	free(all);
	return r;
}

enum st store_undeclared_payment_achievements(struct db *db, const char *from, const char *to,
					      int64_t **ids, size_t *n)
{
	/* Calculated achievements at payment dates from..to with no
	 * declaration yet, practices' network-level ones excepted (their PCN
	 * declares). */
	static const char sql[] =
		"SELECT a.id FROM achievement a JOIN achievement_date d ON d.id = a.date_id"
		" JOIN quality_service s ON s.id = a.service_id JOIN organisation o ON o.id = a.org_id"
		" WHERE d.payment = 1 AND d.date BETWEEN ?1 AND ?2 AND a.status = 'CALCULATED'"
		" AND s.payment_type <> 'PO' AND NOT (s.level = 'NETWORK' AND o.kind = 'PRACTICE')"
		" AND NOT EXISTS (SELECT 1 FROM declaration dc WHERE dc.achievement_id = a.id)"
		" ORDER BY d.date, a.id";
	*ids = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, from, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, to, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = dbs_column_int64(st, 0);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}
