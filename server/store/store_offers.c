/* store_offers.c: offers of quality services to practices, their status
 * history, and the service and membership facts the offer rules need. */
#include "config.h"

#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

enum st store_service_get(struct db *db, int64_t id, struct service_rec *out)
{
	static const char sql[] =
		"SELECT id, code, name, financial_year, payment_type, frequency, level, start_date,"
		" end_date, entry, auto_accept, declaration_required, approval_required,"
		" amendment_window_days, pence_per_point, national_list_size, aspiration_percent"
		" FROM quality_service WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	int rc = dbs_step(st);
	enum st r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = dbs_column_int64(st, 0);
		col_text(st, 1, out->code, sizeof out->code);
		col_text(st, 2, out->name, sizeof out->name);
		col_text(st, 3, out->financial_year, sizeof out->financial_year);
		col_text(st, 4, out->payment_type, sizeof out->payment_type);
		col_text(st, 5, out->frequency, sizeof out->frequency);
		col_text(st, 6, out->level, sizeof out->level);
		col_text(st, 7, out->start_date, sizeof out->start_date);
		col_text(st, 8, out->end_date, sizeof out->end_date);
		col_text(st, 9, out->entry, sizeof out->entry);
		out->auto_accept = dbs_column_int(st, 10);
		out->declaration_required = dbs_column_int(st, 11);
		out->approval_required = dbs_column_int(st, 12);
		out->amendment_window_days = dbs_column_int(st, 13);
		out->pence_per_point = dbs_column_int64(st, 14);
		out->national_list_size = dbs_column_int64(st, 15);
		out->aspiration_percent = dbs_column_int(st, 16);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

enum st store_pcn_members(struct db *db, int64_t pcn_id, const char *on_date,
			  int64_t **ids, size_t *n)
{
	static const char sql[] =
		"SELECT practice_id FROM pcn_membership m WHERE pcn_id = ?1 AND " SQL_MEMBER_ON("m", "?2")
		" ORDER BY practice_id";
	dbstmt *st = db_stmt(db, sql);
	*ids = NULL;
	*n = 0;
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, pcn_id);
	dbs_bind_text(st, 2, on_date, -1, SQLITE_TRANSIENT);
	size_t cap = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = dbs_column_int64(st, 0);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

static const char OFFER_COLS[] =
	"SELECT f.id, f.service_id, f.org_id, coalesce(f.via_pcn_id, 0),"
	" coalesce(f.offered_by_org, 0), f.status, o.code, o.name, o.kind, s.name, s.level,"
	" s.payment_type = 'PO', f.version, f.auto_accepted, f.start_date, f.end_date"
	" FROM offer f JOIN organisation o ON o.id = f.org_id"
	" JOIN quality_service s ON s.id = f.service_id WHERE f.id = ?1";

enum st store_offer_get(struct db *db, int64_t id, struct offer_rec *out)
{
	dbstmt *st = db_stmt(db, OFFER_COLS);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	int rc = dbs_step(st);
	enum st r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		memset(out, 0, sizeof *out);
		out->id = dbs_column_int64(st, 0);
		out->service_id = dbs_column_int64(st, 1);
		out->org_id = dbs_column_int64(st, 2);
		out->via_pcn_id = dbs_column_int64(st, 3);
		out->offered_by_org = dbs_column_int64(st, 4);
		col_text(st, 5, out->status, sizeof out->status);
		col_text(st, 6, out->org_code, sizeof out->org_code);
		col_text(st, 7, out->org_name, sizeof out->org_name);
		col_text(st, 8, out->org_kind, sizeof out->org_kind);
		col_text(st, 9, out->service_name, sizeof out->service_name);
		col_text(st, 10, out->service_level, sizeof out->service_level);
		out->participation_only = dbs_column_int(st, 11);
		out->version = dbs_column_int(st, 12);
		out->auto_accepted = dbs_column_int(st, 13);
		col_text(st, 14, out->start_date, sizeof out->start_date);
		col_text(st, 15, out->end_date, sizeof out->end_date);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

bool store_offer_active_exists(struct db *db, int64_t service_id, int64_t org_id)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM offer WHERE service_id = ?1 AND org_id = ?2"
		" AND status <> 'CANCELLED')";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return true; /* fail closed: no duplicate offers */
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	bool yes = dbs_step(st) == SQLITE_ROW && dbs_column_int(st, 0);
	dbs_reset(st);
	return yes;
}

static enum st history_add(struct db *db, int64_t offer_id, int64_t uid, const char *from,
			   const char *to, const char *note, int64_t at);

enum st store_offers_where(struct db *db, int64_t service_id, int64_t org_id, int64_t via_pcn_id,
			   const char *status, int64_t **ids, size_t *n)
{
	static const char sql[] =
		"SELECT id FROM offer WHERE service_id = ?1 AND status <> 'CANCELLED'"
		" AND (?2 = 0 OR org_id = ?2) AND (?3 = 0 OR via_pcn_id = ?3)"
		" AND (?4 IS NULL OR status = ?4) ORDER BY id";
	*ids = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, via_pcn_id);
	if (status)
		dbs_bind_text(st, 4, status, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = dbs_column_int64(st, 0);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_network_services_of(struct db *db, int64_t pcn_id, int64_t **ids, size_t *n)
{
	static const char sql[] =
		"SELECT DISTINCT f.service_id FROM offer f JOIN quality_service s ON s.id = f.service_id"
		" WHERE s.level = 'NETWORK' AND f.status = 'APPROVED'"
		" AND (f.org_id = ?1 OR f.via_pcn_id = ?1) ORDER BY 1";
	*ids = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, pcn_id);
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = dbs_column_int64(st, 0);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_offer_set_dates(struct db *db, int64_t id, const char *start, const char *end,
			      int64_t uid, const char *note)
{
	static const char sql[] =
		"UPDATE offer SET start_date = ?2, end_date = ?3, updated_at = ?4, version = version + 1"
		" WHERE id = ?1 AND (start_date <> ?2 OR end_date <> ?3)";
	static const char status_sql[] = "SELECT status FROM offer WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	int64_t now = now_s();
	dbs_bind_int64(st, 1, id);
	dbs_bind_text(st, 2, start, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, end, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	if (db_changes(db) == 0)
		return ST_OK;
	st = db_stmt(db, status_sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	char status[12] = "";
	if (dbs_step(st) == SQLITE_ROW)
		col_text(st, 0, status, sizeof status);
	dbs_reset(st);
	return history_add(db, id, uid, status, status, note, now);
}

static enum st history_add(struct db *db, int64_t offer_id, int64_t uid, const char *from,
			   const char *to, const char *note, int64_t at)
{
	return db_history_add(db,
			      "INSERT INTO offer_history(offer_id, at, user_id, from_status,"
			      " to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			      offer_id, at, uid, from, to, note);
}

enum st store_offer_create(struct db *db, const struct offer_new *o, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO offer(service_id, org_id, via_pcn_id, status, start_date, end_date,"
		" response_date, target_date, offered_by, offered_by_org, auto_accepted,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, 'OFFERED', ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10, ?10)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	int64_t now = now_s();
	dbs_bind_int64(st, 1, o->service_id);
	dbs_bind_int64(st, 2, o->org_id);
	if (o->via_pcn_id)
		dbs_bind_int64(st, 3, o->via_pcn_id);
	dbs_bind_text(st, 4, o->start_date, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, o->end_date, -1, SQLITE_TRANSIENT);
	if (o->response_date)
		dbs_bind_text(st, 6, o->response_date, -1, SQLITE_TRANSIENT);
	if (o->target_date)
		dbs_bind_text(st, 7, o->target_date, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 8, o->offered_by);
	dbs_bind_int64(st, 9, o->offered_by_org);
	dbs_bind_int64(st, 10, now);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	*id = db_last_insert_rowid(db);
	return history_add(db, *id, o->offered_by, NULL, "OFFERED", "offered", now);
}

enum st store_offer_set_status(struct db *db, int64_t id, const char *from, const char *to,
			       int64_t uid, const char *note, bool automatic)
{
	static const char sql[] =
		"UPDATE offer SET status = ?3, updated_at = ?4, version = version + 1,"
		" auto_accepted = CASE WHEN ?5 THEN 1 ELSE auto_accepted END"
		" WHERE id = ?1 AND status = ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	int64_t now = now_s();
	dbs_bind_int64(st, 1, id);
	dbs_bind_text(st, 2, from, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, to, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now);
	dbs_bind_int(st, 5, automatic);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	if (db_changes(db) != 1)
		return ST_CONFLICT; /* someone else moved it first */
	return history_add(db, id, uid, from, to, note, now);
}

/* One offer as listed. */
#define OFFER_LIST_COLS \
	" f.id, f.status, f.start_date, f.end_date, f.response_date, f.target_date," \
	" f.auto_accepted, f.updated_at, o.code, o.name, o.kind, vp.code, ob.code, ob.name," \
	" s.id, s.code, s.name, s.financial_year, s.payment_type, s.frequency, s.level," \
	" s.entry, s.payment_period, s.start_date, s.end_date, f.version"

/* "PAYMENT TYPE — Frequency — name", as the service lists show it. */
static char *service_display(const char *ptype, const char *freq, const char *name)
{
	const char *fname = strcmp(freq, "MONTHLY") == 0 ? "Monthly" :
			    strcmp(freq, "QUARTERLY") == 0 ? "Quarterly" : "Annual";
	return xasprintf("%s \xe2\x80\x94 %s \xe2\x80\x94 %s", ptype, fname, name);
}

static json_t *offer_row_json(dbstmt *st)
{
	const char *ptype = (const char *)dbs_column_text(st, 18);
	const char *freq = (const char *)dbs_column_text(st, 19);
	char *display = service_display(ptype, freq, (const char *)dbs_column_text(st, 16));
	json_t *svc = json_pack("{s:I, s:o, s:o, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:b}",
		"id", (json_int_t)dbs_column_int64(st, 14), "code", col_json_text(st, 15),
		"name", col_json_text(st, 16), "display_name", display,
		"financial_year", col_json_text(st, 17), "payment_type", ptype, "frequency", freq,
		"level", col_json_text(st, 20), "entry", col_json_text(st, 21),
		"payment_period", col_json_text(st, 22), "start_date", col_json_text(st, 23),
		"end_date", col_json_text(st, 24), "participation_only", strcmp(ptype, "PO") == 0);
	free(display);
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:{s:o, s:o, s:o}, s:o,"
			 " s:o, s:o, s:o, s:I}",
		"id", (json_int_t)dbs_column_int64(st, 0), "status", col_json_text(st, 1),
		"start_date", col_json_text(st, 2), "end_date", col_json_text(st, 3),
		"response_date", col_json_text(st, 4), "target_date", col_json_text(st, 5),
		"auto_accepted", dbs_column_int(st, 6),
		"updated_at", (json_int_t)dbs_column_int64(st, 7),
		"organisation", "code", col_json_text(st, 8), "name", col_json_text(st, 9),
		"kind", col_json_text(st, 10),
		"via_pcn", col_json_text(st, 11), "offered_by_org", col_json_text(st, 12),
		"offered_by_org_name", col_json_text(st, 13), "service", svc,
		"version", (json_int_t)dbs_column_int64(st, 25));
}

json_t *store_offers_page(struct db *db, int64_t uid, const struct offers_q *q)
{
	static const char sql[] =
		SCOPE_CTE
		" SELECT" OFFER_LIST_COLS ", count(*) OVER ()"
		" FROM offer f JOIN organisation o ON o.id = f.org_id"
		" JOIN quality_service s ON s.id = f.service_id"
		" LEFT JOIN organisation vp ON vp.id = f.via_pcn_id"
		" LEFT JOIN organisation ob ON ob.id = f.offered_by_org"
		" WHERE f.org_id IN scope"
		" AND " SQL_SERVICE_TYPE_OK("f.org_id", "s.payment_type")
		" AND (?2 IS NULL OR s.financial_year = ?2) AND (?3 = 0 OR f.service_id = ?3)"
		" AND (?4 IS NULL OR f.status = ?4) AND (?5 = 0 OR f.org_id = ?5)"
		" AND (?6 IS NULL OR o.code LIKE ?6 ESCAPE '\\' OR o.name LIKE ?6 ESCAPE '\\'"
		"  OR s.name LIKE ?6 ESCAPE '\\')"
		" ORDER BY s.financial_year DESC, s.name, o.code, f.id DESC LIMIT ?7 OFFSET ?8";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	char *pattern = store_like_pattern(q->q);
	dbs_bind_int64(st, 1, uid);
	if (q->year)
		dbs_bind_text(st, 2, q->year, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, q->service_id);
	if (q->status)
		dbs_bind_text(st, 4, q->status, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 5, q->org_id);
	if (pattern)
		dbs_bind_text(st, 6, pattern, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 7, q->limit);
	dbs_bind_int64(st, 8, q->offset);
	free(pattern);
	json_t *list = json_array();
	int64_t total = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		json_array_append_new(list, offer_row_json(st));
		total = dbs_column_int64(st, 26);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "offers page");
		json_decref(list);
		return NULL;
	}
	if (!json_array_size(list) && q->offset > 0)
		total = -1; /* past the end: the total is not known from here */
	return json_pack("{s:o, s:I, s:I, s:I}", "offers", list, "total", (json_int_t)total,
			 "offset", (json_int_t)q->offset, "limit", (json_int_t)q->limit);
}

json_t *store_offers_json(struct db *db, int64_t uid, const char *year, int64_t service_id,
			  const char *status, int64_t org_id)
{
	/* the whole list: one page of at most 5,000, without paging members */
	struct offers_q q = {.year = year, .status = status, .service_id = service_id,
			     .org_id = org_id, .limit = 5000};
	json_t *j = store_offers_page(db, uid, &q);
	if (j) {
		json_object_del(j, "total");
		json_object_del(j, "offset");
		json_object_del(j, "limit");
	}
	return j;
}

json_t *store_offers_summary(struct db *db, int64_t uid, const struct offers_q *q)
{
	static const char sql[] =
		SCOPE_CTE
		" SELECT s.id, s.code, s.name, s.financial_year, s.payment_type, s.frequency,"
		"  sum(CASE WHEN f.status = 'OFFERED' THEN 1 ELSE 0 END),"
		"  sum(CASE WHEN f.status = 'APPROVED' THEN 1 ELSE 0 END),"
		"  sum(CASE WHEN f.status = 'REJECTED' THEN 1 ELSE 0 END),"
		"  sum(CASE WHEN f.status = 'CANCELLED' THEN 1 ELSE 0 END)"
		" FROM offer f JOIN quality_service s ON s.id = f.service_id"
		" WHERE f.org_id IN scope"
		" AND " SQL_SERVICE_TYPE_OK("f.org_id", "s.payment_type")
		" AND (?2 IS NULL OR s.financial_year = ?2) AND (?3 = 0 OR f.service_id = ?3)"
		" AND (?5 = 0 OR f.org_id = ?5)"
		" GROUP BY s.id ORDER BY s.financial_year DESC, s.name";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	if (q->year)
		dbs_bind_text(st, 2, q->year, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, q->service_id);
	dbs_bind_int64(st, 5, q->org_id);
	json_t *list = json_array();
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		char *display = service_display((const char *)dbs_column_text(st, 4),
						(const char *)dbs_column_text(st, 5),
						(const char *)dbs_column_text(st, 2));
		json_array_append_new(list, json_pack(
			"{s:{s:I, s:o, s:o, s:s, s:o, s:o, s:o}, s:{s:I, s:I, s:I, s:I}}",
			"service", "id", (json_int_t)dbs_column_int64(st, 0),
			"code", col_json_text(st, 1), "name", col_json_text(st, 2),
			"display_name", display,
			"financial_year", col_json_text(st, 3), "payment_type", col_json_text(st, 4),
			"frequency", col_json_text(st, 5),
			"count", "OFFERED", (json_int_t)dbs_column_int64(st, 6),
			"APPROVED", (json_int_t)dbs_column_int64(st, 7),
			"REJECTED", (json_int_t)dbs_column_int64(st, 8),
			"CANCELLED", (json_int_t)dbs_column_int64(st, 9)));
		free(display);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "offers summary");
		json_decref(list);
		return NULL;
	}
	return json_pack("{s:o}", "services", list);
}

json_t *store_offer_json(struct db *db, int64_t id)
{
	static const char sql[] =
		"SELECT" OFFER_LIST_COLS
		" FROM offer f JOIN organisation o ON o.id = f.org_id"
		" JOIN quality_service s ON s.id = f.service_id"
		" LEFT JOIN organisation vp ON vp.id = f.via_pcn_id"
		" LEFT JOIN organisation ob ON ob.id = f.offered_by_org WHERE f.id = ?1";
	static const char hsql[] =
		"SELECT h.at, u.user_id, u.name, h.from_status, h.to_status, h.note"
		" FROM offer_history h LEFT JOIN app_user u ON u.id = h.user_id"
		" WHERE h.offer_id = ?1 ORDER BY h.at, h.id";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, id);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return NULL;
	}
	json_t *offer = offer_row_json(st);
	dbs_reset(st);
	json_t *hist = json_array();
	st = db_stmt(db, hsql);
	if (st) {
		dbs_bind_int64(st, 1, id);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(hist, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o}",
				"at", (json_int_t)dbs_column_int64(st, 0),
				"user_id", col_json_text(st, 1), "user_name", col_json_text(st, 2),
				"from", col_json_text(st, 3), "to", col_json_text(st, 4),
				"note", col_json_text(st, 5)));
		dbs_reset(st);
	}
	json_object_set_new(offer, "history", hist);
	return offer;
}

json_t *store_offer_last_change(struct db *db, int64_t id)
{
	static const char sql[] =
		"SELECT h.at, u.user_id, u.name, h.to_status FROM offer_history h"
		" LEFT JOIN app_user u ON u.id = h.user_id WHERE h.offer_id = ?1"
		" ORDER BY h.at DESC, h.id DESC LIMIT 1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, id);
	json_t *j = NULL;
	if (dbs_step(st) == SQLITE_ROW)
		j = json_pack("{s:I, s:o, s:o, s:o}", "at", (json_int_t)dbs_column_int64(st, 0),
			      "user_id", col_json_text(st, 1), "user_name", col_json_text(st, 2),
			      "status", col_json_text(st, 3));
	dbs_reset(st);
	return j;
}
