/* store_services.c: quality services: the catalogue, the services offered
 * to an organisation, and one service's whole structure. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

static const char *payment_type_name(const char *code)
{
	static const char *const names[][2] = {
		{"QOF", "QOF"}, {"DES", "DES"}, {"ES", "Enhanced Service"},
		{"VI", "Vaccination and Immunisation"}, {"PO", "Participation only"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(names[i][0], code) == 0)
			return names[i][1];
	return code;
}

static const char *frequency_name(const char *code)
{
	if (strcmp(code, "MONTHLY") == 0)
		return "Monthly";
	if (strcmp(code, "QUARTERLY") == 0)
		return "Quarterly";
	return "Annual";
}

/* The columns every summary is built from, in this order. */
#define SUMMARY_COLS \
	"s.id, s.code, s.name, s.financial_year, s.payment_type, s.frequency, s.level," \
	" s.start_date, s.end_date, s.payment_period, s.entry, s.description"

static json_t *summary_json(dbstmt *st)
{
	const char *name = (const char *)dbs_column_text(st, 2);
	const char *ptype = (const char *)dbs_column_text(st, 4);
	const char *freq = (const char *)dbs_column_text(st, 5);
	char *display = xasprintf("%s \xe2\x80\x94 %s \xe2\x80\x94 %s", ptype,
				  frequency_name(freq), name);
	json_t *j = json_pack("{s:I, s:o, s:s, s:s, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b}",
		"id", (json_int_t)dbs_column_int64(st, 0),
		"code", col_json_text(st, 1),
		"name", name,
		"display_name", display,
		"financial_year", col_json_text(st, 3),
		"payment_type", ptype,
		"payment_type_name", payment_type_name(ptype),
		"frequency", freq,
		"level", col_json_text(st, 6),
		"start_date", col_json_text(st, 7),
		"end_date", col_json_text(st, 8),
		"payment_period", col_json_text(st, 9),
		"entry", col_json_text(st, 10),
		"description", col_json_text(st, 11),
		"participation_only", strcmp(ptype, "PO") == 0);
	free(display);
	return j;
}

json_t *store_services_json(struct db *db, const char *year, const char *payment_type)
{
	static const char sql[] =
		"SELECT " SUMMARY_COLS " FROM quality_service s"
		" WHERE (?1 IS NULL OR s.financial_year = ?1) AND (?2 IS NULL OR s.payment_type = ?2)"
		" ORDER BY s.financial_year DESC, s.payment_type, s.name";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	if (year)
		dbs_bind_text(st, 1, year, -1, SQLITE_TRANSIENT);
	if (payment_type)
		dbs_bind_text(st, 2, payment_type, -1, SQLITE_TRANSIENT);
	json_t *list = json_array();
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW)
		json_array_append_new(list, summary_json(st));
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return json_pack("{s:o}", "services", list);
}

json_t *store_org_services_json(struct db *db, int64_t uid, int64_t org_id, const char *year)
{
	static const char sql[] =
		SCOPE_CTE
		" SELECT " SUMMARY_COLS ", f.id, f.status, f.start_date, f.end_date, f.response_date"
		" FROM offer f JOIN quality_service s ON s.id = f.service_id"
		" WHERE f.org_id = ?2 AND (?3 IS NULL OR s.financial_year = ?3)"
		" AND " SQL_SERVICE_READABLE("f.org_id", "s.payment_type")
		" ORDER BY s.financial_year DESC, s.payment_type, s.name, f.id DESC";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, org_id);
	if (year)
		dbs_bind_text(st, 3, year, -1, SQLITE_TRANSIENT);
	dbs_bind_null(st, 99);
	json_t *list = json_array();
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		json_t *s = summary_json(st);
		json_object_set_new(s, "offer", json_pack("{s:I, s:o, s:o, s:o, s:o}",
			"id", (json_int_t)dbs_column_int64(st, 12),
			"status", col_json_text(st, 13), "start_date", col_json_text(st, 14),
			"end_date", col_json_text(st, 15), "response_date", col_json_text(st, 16)));
		json_array_append_new(list, s);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		return NULL;
	}
	return json_pack("{s:o}", "services", list);
}

/* Finds the JSON object in arr whose "id" is id (borrowed), or NULL. */
static json_t *by_id(json_t *ids, json_int_t id)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)id);
	return json_object_get(ids, key);
}

static void put_id(json_t *ids, json_int_t id, json_t *obj)
{
	char key[32];
	snprintf(key, sizeof key, "%lld", (long long)id);
	json_object_set(ids, key, obj);
}

static json_t *nullable_int(dbstmt *st, int col)
{
	return dbs_column_type(st, col) == SQLITE_NULL ? json_null() :
		json_integer(dbs_column_int64(st, col));
}

json_t *store_service_json(struct db *db, int64_t service_id)
{
	static const char ssql[] =
		"SELECT " SUMMARY_COLS ", s.pence_per_point, s.declaration_required,"
		" s.approval_required, s.indicator_declaration, s.auto_accept,"
		" s.amendment_window_days, s.national_list_size"
		" FROM quality_service s WHERE s.id = ?1";
	static const char stsql[] =
		"SELECT text FROM declaration_statement WHERE service_id = ?1 ORDER BY position, id";
	static const char dsql[] =
		"SELECT date, payment FROM achievement_date WHERE service_id = ?1 ORDER BY date";
	static const char domsql[] =
		"SELECT id, coalesce(parent_id, 0), name FROM service_domain WHERE service_id = ?1"
		" ORDER BY parent_id IS NOT NULL, position, id";
	static const char gsql[] =
		"SELECT g.id, g.domain_id, g.code, g.name, g.kind FROM indicator_group g"
		" JOIN service_domain d ON d.id = g.domain_id WHERE d.service_id = ?1"
		" ORDER BY g.position, g.id";
	static const char isql[] =
		"SELECT i.group_id, i.id, i.code, i.description, i.kind, i.points, i.lower_threshold,"
		" i.upper_threshold, i.pattern, i.pcn_entered, i.pence_per_item, i.group_level"
		" FROM indicator i JOIN indicator_group g ON g.id = i.group_id"
		" JOIN service_domain d ON d.id = g.domain_id WHERE d.service_id = ?1"
		" ORDER BY i.position, i.id";
	dbstmt *st = db_stmt(db, ssql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, service_id);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return NULL;
	}
	json_t *svc = summary_json(st);
	json_object_set_new(svc, "pence_per_point", json_integer(dbs_column_int64(st, 12)));
	json_t *decl = json_pack("{s:b, s:b, s:b, s:[]}",
				 "required", dbs_column_int(st, 13),
				 "approval_required", dbs_column_int(st, 14),
				 "indicator_declaration", dbs_column_int(st, 15),
				 "statements");
	json_object_set_new(svc, "auto_accept", json_boolean(dbs_column_int(st, 16)));
	json_object_set_new(svc, "amendment_window_days", json_integer(dbs_column_int(st, 17)));
	json_object_set_new(svc, "national_list_size", json_integer(dbs_column_int(st, 18)));
	dbs_reset(st);

	st = db_stmt(db, stsql);
	if (st) {
		dbs_bind_int64(st, 1, service_id);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(json_object_get(decl, "statements"), col_json_text(st, 0));
		dbs_reset(st);
	}
	json_object_set_new(svc, "declaration", decl);

	json_t *dates = json_array();
	st = db_stmt(db, dsql);
	if (st) {
		dbs_bind_int64(st, 1, service_id);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(dates, json_pack("{s:o, s:b}", "date", col_json_text(st, 0),
							       "payment", dbs_column_int(st, 1)));
		dbs_reset(st);
	}
	json_object_set_new(svc, "achievement_dates", dates);

	/* Domains, then sub-domains inside them; groups and indicators are
	 * attached through an id index (borrowed references). */
	json_t *domains = json_array();
	json_t *index = json_object();
	st = db_stmt(db, domsql);
	if (st) {
		dbs_bind_int64(st, 1, service_id);
		while (dbs_step(st) == SQLITE_ROW) {
			json_int_t id = dbs_column_int64(st, 0);
			json_int_t parent = dbs_column_int64(st, 1);
			json_t *d = json_pack("{s:o, s:[], s:[]}", "name", col_json_text(st, 2),
					      "subdomains", "groups");
			json_t *p = parent ? by_id(index, parent) : NULL;
			json_array_append_new(p ? json_object_get(p, "subdomains") : domains, d);
			put_id(index, id, d);
		}
		dbs_reset(st);
	}
	json_t *groups = json_object();
	st = db_stmt(db, gsql);
	if (st) {
		dbs_bind_int64(st, 1, service_id);
		while (dbs_step(st) == SQLITE_ROW) {
			json_t *d = by_id(index, dbs_column_int64(st, 1));
			if (!d)
				continue;
			const char *kind = (const char *)dbs_column_text(st, 4);
			json_t *g = json_pack("{s:I, s:o, s:o, s:s, s:[]}",
				"id", (json_int_t)dbs_column_int64(st, 0),
				"code", col_json_text(st, 2), "name", col_json_text(st, 3),
				"kind", strcmp(kind, "MI") == 0 ? "mi" : "payment", "indicators");
			json_array_append_new(json_object_get(d, "groups"), g);
			put_id(groups, dbs_column_int64(st, 0), g);
		}
		dbs_reset(st);
	}
	st = db_stmt(db, isql);
	if (st) {
		dbs_bind_int64(st, 1, service_id);
		while (dbs_step(st) == SQLITE_ROW) {
			json_t *g = by_id(groups, dbs_column_int64(st, 0));
			if (!g)
				continue;
			json_t *ind = json_pack("{s:I, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:b, s:b}",
				"id", (json_int_t)dbs_column_int64(st, 1),
				"code", col_json_text(st, 2), "description", col_json_text(st, 3),
				"kind", col_json_text(st, 4),
				"points", (json_int_t)dbs_column_int64(st, 5),
				"lower_threshold", nullable_int(st, 6),
				"upper_threshold", nullable_int(st, 7),
				"pattern", col_json_text(st, 8),
				"pcn_entered", dbs_column_int(st, 9),
				"group_level", dbs_column_int(st, 11));
			if (dbs_column_int64(st, 10))
				json_object_set_new(ind, "pence_per_item",
						    json_integer(dbs_column_int64(st, 10)));
			json_array_append_new(json_object_get(g, "indicators"), ind);
		}
		dbs_reset(st);
	}
	json_decref(index);
	json_decref(groups);
	json_object_set_new(svc, "domains", domains);
	return svc;
}
