/* store_reports.c: the reports (issue 12) as SQL over indexed tables.
 *
 * A run has a connection of its own (db_connect_own): its rows are read
 * while the response streams, after the request has left its thread. In
 * one read transaction the user's reach is worked out once into the
 * temporary table rep_scope(id, pounds, types, pounds_types): SCOPE_CTE
 * (for the report's roles) with the payment types the user may read at
 * each organisation (read_types: a View or Finance View grant restricted
 * to payment types reads only those; NULL: all), "pounds" where SCOPE_CTE
 * for the pounds roles reaches too (with the types pounds are shown for,
 * the same rule), the
 * organisations under an organisation that allocated the chosen service
 * to one of the user's organisations, and for the relationship report the
 * PCNs the user's own practices belonged to in the period; then narrowed
 * to the organisation parameter. Every report's SQL reads rep_scope for
 * its reach, so no report states the scope rule again.
 *
 * Each report's SQL names its columns with the catalogue's keys (checked
 * when the run starts), then "open_*" (the parameters a row opens its
 * report with) and "_*" (order keys), and is run inside one wrapper that
 * applies the search text and the order. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "server/store/store_int.h"
#include "util.h"

struct report_cursor {
	struct db *db;
	dbstmt *st;
	bool in_tx;
};

/* The bound parameters every report's SQL may use. */
enum {
	P_UID = 1, P_YEAR, P_SERVICE, P_DATE, P_STATUS, P_START, P_END, P_PCN, P_PRACTICE,
	P_TODAY, P_ORG, P_Q = 20,
};

/* The maximum points of each service: its payment indicators' points. */
#define MAXP_CTE \
	"maxp(service_id, milli) AS (SELECT sd.service_id, sum(i.points) * 1000" \
	"  FROM service_domain sd JOIN indicator_group g ON g.domain_id = sd.id AND g.kind = 'PAYMENT'" \
	"  JOIN indicator i ON i.group_id = g.id GROUP BY sd.service_id)"

/* The reach row rs reads service data of payment type pt; shows its
 * pounds (the reading rule, SQL_SERVICE_READABLE, as carried in rep_scope). */
#define RS_READS(pt) SQL_TYPES_HAVE("rs.types", pt)
#define RS_POUNDS(pt) "(rs.pounds <> 0 AND " SQL_TYPES_HAVE("rs.pounds_types", pt) ")"
/* The payment type of the report's service parameter. */
#define SVC_TYPE "(SELECT payment_type FROM quality_service WHERE id = ?3)"
/* An allocated report (ar) counts for the user's grant g at the receiving
 * organisation when that grant reads the service's payment type. */
#define ALLOC_GRANT_READS(g, ar) \
	SQL_TYPES_HAVE(SQL_GRANT_TYPES(g), \
		       "(SELECT payment_type FROM quality_service WHERE id = " ar ".service_id)")

#define OPEN_COLS(org, svc, date, year) \
	", " org " AS open_organisation, CAST(" svc " AS TEXT) AS open_service," \
	" " date " AS open_date, " year " AS open_year"

static const char sql_achievement_summary[] =
	"WITH " MAXP_CTE ","
	" cand(id, org_id, service_id, date, pounds) AS (SELECT a.id, a.org_id, a.service_id, d.date,"
	"  " RS_POUNDS("s.payment_type")
	"  FROM temp.rep_scope rs CROSS JOIN achievement a ON a.org_id = rs.id"
	"  JOIN quality_service s ON s.id = a.service_id AND s.financial_year = ?2"
	"  JOIN achievement_date d ON d.id = a.date_id"
	"  WHERE (?3 IS NULL OR a.service_id = ?3) AND (?4 IS NULL OR d.date = ?4)"
	"  AND " RS_READS("s.payment_type")
	"  AND EXISTS (SELECT 1 FROM calculation c WHERE c.achievement_id = a.id AND c.current = 1)),"
	/* Each organisation's latest calculated achievement of each service. */
	" pick AS (SELECT id, org_id, service_id, date, pounds FROM (SELECT cand.*,"
	"  row_number() OVER (PARTITION BY org_id, service_id ORDER BY date DESC) AS rn FROM cand)"
	"  AS ranked WHERE rn = 1)"
	" SELECT o.code AS org_code, o.name AS org_name, s.name AS service, p.date AS date,"
	"  c.points_milli AS points, mp.milli AS max_points,"
	"  CASE WHEN mp.milli > 0 THEN c.points_milli * 1000 / mp.milli END AS achieved,"
	"  CASE WHEN p.pounds THEN c.pence END AS pounds, dc.status AS status"
	OPEN_COLS("o.code", "s.id", "p.date", "s.financial_year")
	" FROM pick p JOIN organisation o ON o.id = p.org_id"
	" JOIN quality_service s ON s.id = p.service_id"
	" JOIN calculation c ON c.achievement_id = p.id AND c.current = 1"
	" LEFT JOIN maxp mp ON mp.service_id = s.id"
	" LEFT JOIN declaration dc ON dc.achievement_id = p.id";

static const char sql_achievement_monthly[] =
	"WITH " MAXP_CTE
	" SELECT d.date AS date, c.points_milli AS points, mp.milli AS max_points,"
	"  CASE WHEN mp.milli > 0 THEN c.points_milli * 1000 / mp.milli END AS achieved,"
	"  CASE WHEN " RS_POUNDS("s.payment_type") " THEN c.pence END AS pounds,"
	"  coalesce(a.status, 'NOT_RECORDED') AS status"
	OPEN_COLS("o.code", "s.id", "d.date", "s.financial_year")
	" FROM achievement_date d JOIN quality_service s ON s.id = d.service_id"
	" JOIN organisation o ON o.id = ?11 JOIN temp.rep_scope rs ON rs.id = o.id"
	" LEFT JOIN achievement a ON a.service_id = d.service_id AND a.org_id = o.id AND a.date_id = d.id"
	" LEFT JOIN calculation c ON c.achievement_id = a.id AND c.current = 1"
	" LEFT JOIN maxp mp ON mp.service_id = s.id"
	" WHERE d.service_id = ?3 AND " RS_READS("s.payment_type");

static const char sql_indicator_detail[] =
	"SELECT o.code AS org_code, o.name AS org_name, i.code AS indicator,"
	"  i.description AS description, v.numerator AS numerator, v.denominator AS denominator,"
	"  v.value AS value, i.lower_threshold AS lower, i.upper_threshold AS upper,"
	"  cl.achievement_ppm / 1000 AS achievement, cl.points_milli AS points,"
	"  i.points * 1000 AS max_points, CASE WHEN " RS_POUNDS(SVC_TYPE) " THEN cl.pence END AS pounds"
	" FROM temp.rep_scope rs CROSS JOIN achievement a ON a.org_id = rs.id AND a.service_id = ?3"
	" JOIN achievement_date d ON d.id = a.date_id AND d.date = ?4"
	" JOIN organisation o ON o.id = a.org_id"
	" JOIN calculation c ON c.achievement_id = a.id AND c.current = 1"
	" JOIN calculation_line cl ON cl.calculation_id = c.id"
	" JOIN indicator i ON i.id = cl.indicator_id"
	" LEFT JOIN achievement_value v ON v.achievement_id = a.id AND v.indicator_id = i.id"
	" WHERE " RS_READS(SVC_TYPE);

/* The latest move of declaration dc into a status: when (a date) and by
 * whom (a name; NULL for an automatic step). */
#define MOVE(what, cond) \
	"(SELECT " what " FROM declaration_history h LEFT JOIN app_user u ON u.id = h.user_id" \
	" WHERE h.declaration_id = dc.id AND " cond " ORDER BY h.at DESC, h.id DESC LIMIT 1)"
#define MOVED_AT(cond) MOVE("date(h.at, 'unixepoch')", cond)
#define MOVED_BY(cond) MOVE("u.name", cond)
#define DECLARED "h.from_status = 'AWAITING_PROVIDER' AND h.to_status <> 'AWAITING_PROVIDER'"
#define APPROVED "h.from_status = 'AWAITING_COMMISSIONER' AND h.to_status = 'AWAITING_FINANCE'"
#define PAID "h.to_status = 'FINANCIALLY_APPROVED'"

static const char sql_declaration_status[] =
	"SELECT org_code, org_name, service, date, status, since,"
	"  CAST(julianday(?10) - julianday(since) AS INTEGER) AS days, created, declared, declared_by,"
	"  approved, approved_by, paid, paid_by, pounds, open_organisation, open_service, open_date,"
	"  open_year,"
	"  CASE status WHEN 'AWAITING_PROVIDER' THEN 1 WHEN 'AWAITING_COMMISSIONER' THEN 2"
	"   WHEN 'AWAITING_FINANCE' THEN 3 WHEN 'FINANCIALLY_APPROVED' THEN 4 ELSE 5 END AS _rank"
	" FROM (SELECT o.code AS org_code, o.name AS org_name, s.name AS service, d.date AS date,"
	"  dc.status AS status,"
	"  coalesce(" MOVED_AT("h.to_status = dc.status") ", date(dc.updated_at, 'unixepoch')) AS since,"
	"  " MOVED_AT("h.to_status = 'AWAITING_PROVIDER' AND h.from_status IS NULL") " AS created,"
	"  " MOVED_AT(DECLARED) " AS declared, " MOVED_BY(DECLARED) " AS declared_by,"
	"  " MOVED_AT(APPROVED) " AS approved, " MOVED_BY(APPROVED) " AS approved_by,"
	"  " MOVED_AT(PAID) " AS paid, " MOVED_BY(PAID) " AS paid_by,"
	"  CASE WHEN " RS_POUNDS("s.payment_type") " THEN dc.pence END AS pounds"
	OPEN_COLS("o.code", "s.id", "d.date", "s.financial_year")
	" FROM temp.rep_scope rs CROSS JOIN achievement a ON a.org_id = rs.id"
	" JOIN quality_service s ON s.id = a.service_id AND s.financial_year = ?2"
	" JOIN achievement_date d ON d.id = a.date_id"
	" JOIN declaration dc ON dc.achievement_id = a.id"
	" JOIN organisation o ON o.id = a.org_id"
	" WHERE (?3 IS NULL OR a.service_id = ?3) AND (?5 IS NULL OR dc.status = ?5)"
	"  AND " RS_READS("s.payment_type") ")";

static const char sql_participation_status[] =
	"SELECT o.code AS org_code, o.name AS org_name, o.kind AS kind, s.name AS service,"
	"  f.status AS status, f.start_date AS start, f.end_date AS \"end\","
	"  date(f.created_at, 'unixepoch') AS offered, f.response_date AS responded,"
	"  p.code AS via_pcn"
	" FROM temp.rep_scope rs CROSS JOIN offer f ON f.org_id = rs.id"
	" JOIN quality_service s ON s.id = f.service_id AND s.financial_year = ?2"
	" JOIN organisation o ON o.id = f.org_id"
	" LEFT JOIN organisation p ON p.id = f.via_pcn_id"
	" WHERE (?3 IS NULL OR f.service_id = ?3) AND (?5 IS NULL OR f.status = ?5)"
	"  AND " RS_READS("s.payment_type");

/* "n of m" is the Missing Data rule of GET /missing (store_missing_json):
 * every indicator of the service but, for a practice, those its PCN
 * enters. Counted here per service once (expected) and per achievement
 * over its values' primary key, without a join per value. Payment dates
 * of services an organisation takes part in with nothing recorded are
 * rows too ("NOT_RECORDED"). */
#define EXPECTED(kind) "CASE WHEN " kind " = 'PRACTICE' THEN e.practice_n ELSE e.other_n END"
static const char sql_missing_data[] =
	"WITH expected(service_id, practice_n, other_n) AS (SELECT sd.service_id,"
	"  sum(CASE WHEN i.pcn_entered = 0 THEN 1 ELSE 0 END), count(*) FROM service_domain sd"
	"  JOIN indicator_group g ON g.domain_id = sd.id JOIN indicator i ON i.group_id = g.id"
	"  GROUP BY sd.service_id),"
	" pcn_ind(id) AS (SELECT id FROM indicator WHERE pcn_entered <> 0)"
	" SELECT org_code, org_name, service, date, submitted, total, total - submitted AS missing,"
	"  status, open_organisation, open_service, open_date, open_year FROM ("
	" SELECT o.code AS org_code, o.name AS org_name, s.name AS service, d.date AS date,"
	"  (SELECT count(*) FROM achievement_value v WHERE v.achievement_id = a.id)"
	"  - CASE WHEN o.kind = 'PRACTICE' THEN (SELECT count(*) FROM achievement_value v"
	"    WHERE v.achievement_id = a.id AND v.indicator_id IN pcn_ind) ELSE 0 END AS submitted,"
	"  " EXPECTED("o.kind") " AS total, a.status AS status"
	OPEN_COLS("o.code", "s.id", "d.date", "s.financial_year")
	" FROM temp.rep_scope rs CROSS JOIN achievement a ON a.org_id = rs.id"
	" JOIN quality_service s ON s.id = a.service_id AND s.financial_year = ?2"
	" JOIN achievement_date d ON d.id = a.date_id AND d.date <= ?10"
	" JOIN organisation o ON o.id = a.org_id"
	" JOIN expected e ON e.service_id = a.service_id"
	" WHERE (?3 IS NULL OR a.service_id = ?3) AND (?4 IS NULL OR d.date = ?4)"
	"  AND " RS_READS("s.payment_type")
	" UNION ALL"
	" SELECT o.code, o.name, s.name, d.date, 0, " EXPECTED("o.kind") ", 'NOT_RECORDED'"
	OPEN_COLS("o.code", "s.id", "d.date", "s.financial_year")
	" FROM temp.rep_scope rs CROSS JOIN offer f ON f.org_id = rs.id AND f.status = 'APPROVED'"
	" JOIN quality_service s ON s.id = f.service_id AND s.financial_year = ?2 AND s.payment_type <> 'PO'"
	" JOIN achievement_date d ON d.service_id = s.id AND d.payment = 1 AND d.date <= ?10"
	"  AND d.date BETWEEN f.start_date AND f.end_date"
	" JOIN organisation o ON o.id = f.org_id"
	" JOIN expected e ON e.service_id = s.id"
	" WHERE (?3 IS NULL OR f.service_id = ?3) AND (?4 IS NULL OR d.date = ?4)"
	"  AND " RS_READS("s.payment_type")
	"  AND NOT EXISTS (SELECT 1 FROM achievement a WHERE a.org_id = f.org_id"
	"   AND a.service_id = s.id AND a.date_id = d.id)"
	") WHERE submitted < total";

#define OVERLAP(m) m ".start_date <= ?7 AND (" m ".end_date IS NULL OR " m ".end_date >= ?6)"
static const char sql_network_relationship[] =
	"SELECT pc.code AS pcn_code, pc.name AS pcn_name, p.code AS practice_code,"
	"  p.name AS practice_name, m.start_date AS start, m.end_date AS \"end\","
	"  CASE WHEN " SQL_MEMBER_ON("m", "?10") " THEN 'CURRENT' ELSE 'ENDED' END AS relationship,"
	"  0 AS _none"
	" FROM pcn_membership m JOIN organisation pc ON pc.id = m.pcn_id"
	" JOIN organisation p ON p.id = m.practice_id"
	" WHERE (m.pcn_id IN (SELECT id FROM temp.rep_scope)"
	"   OR m.practice_id IN (SELECT id FROM temp.rep_scope))"
	"  AND " OVERLAP("m")
	"  AND (?8 IS NULL OR m.pcn_id = ?8) AND (?9 IS NULL OR m.practice_id = ?9)"
	" UNION ALL"
	" SELECT NULL, NULL, p.code, p.name, NULL, NULL, 'NONE', 1"
	" FROM temp.rep_scope rs JOIN organisation p ON p.id = rs.id AND p.kind = 'PRACTICE'"
	" WHERE ?8 IS NULL AND (?9 IS NULL OR p.id = ?9)"
	"  AND NOT EXISTS (SELECT 1 FROM pcn_membership m WHERE m.practice_id = p.id AND " OVERLAP("m") ")";

static const char sql_users_roles[] =
	"SELECT u.user_id AS user_id, u.name AS name, u.email AS email, o.code AS org_code,"
	"  (SELECT group_concat(name, ', ') FROM (SELECT r.name FROM role_grant g2"
	"    JOIN role r ON r.code = g2.role_code WHERE g2.user_id = u.id AND g2.org_id = o.id"
	"    AND g2.revoked_at IS NULL ORDER BY r.code)) AS roles,"
	"  (SELECT group_concat(name, ', ') FROM (SELECT c.name FROM user_cluster uc"
	"    JOIN cluster c ON c.id = uc.cluster_id WHERE uc.user_id = u.id ORDER BY c.name)) AS clusters,"
	"  CASE WHEN u.disabled <> 0 THEN 'DISABLED' WHEN u.password_hash IS NULL THEN 'UNREGISTERED'"
	"   ELSE 'ACTIVE' END AS state,"
	"  (SELECT date(max(se.created_at), 'unixepoch') FROM session se WHERE se.user_id = u.id)"
	"   AS last_sign_in"
	" FROM (SELECT DISTINCT g.user_id AS uid, g.org_id AS org_id FROM temp.rep_scope rs"
	"   JOIN role_grant g ON g.org_id = rs.id AND g.revoked_at IS NULL) ug"
	" JOIN app_user u ON u.id = ug.uid JOIN organisation o ON o.id = ug.org_id";

static const struct {
	const char *sql;
	const char *order; /* the report's own order (column names) */
} reports[] = {
	[REPORT_ACHIEVEMENT_SUMMARY] = {sql_achievement_summary, "org_code, service, date"},
	[REPORT_ACHIEVEMENT_MONTHLY] = {sql_achievement_monthly, "date"},
	[REPORT_INDICATOR_DETAIL] = {sql_indicator_detail, "org_code, indicator"},
	[REPORT_DECLARATION_STATUS] = {sql_declaration_status,
				       "_rank, days DESC, org_code, service, date"},
	[REPORT_PARTICIPATION_STATUS] = {sql_participation_status, "org_code, service, start"},
	[REPORT_MISSING_DATA] = {sql_missing_data, "date, service, org_code"},
	[REPORT_NETWORK_RELATIONSHIP] = {sql_network_relationship,
					 "_none, pcn_code, practice_code, start"},
	[REPORT_USERS_ROLES] = {sql_users_roles, "user_id, org_code"},
};

/* The reports above read the reach first ("rep_scope rs CROSS JOIN
 * ...", which SQLite keeps in that order): one ICB's organisations are a
 * few hundred index look-ups, not a walk over the whole country's rows of
 * a service. */

/* ---- reach ---------------------------------------------------------------- */

static const char sql_scope_fill[] =
	SCOPE_CTE " INSERT INTO temp.rep_scope(id, types) SELECT id, types FROM read_types";
static const char sql_scope_pounds[] =
	SCOPE_CTE " UPDATE temp.rep_scope SET pounds = 1, pounds_types = rt.types"
	" FROM read_types rt WHERE rt.id = rep_scope.id";
/* The organisations under an organisation that allocated service ?2 to
 * one where user ?1 holds a role reading the service's payment type;
 * pounds where that role is a pounds role (?3). A user restricted to
 * Service Provider Clusters stays inside them here too. The run is of
 * that one service: its rows read it (types NULL). */
static const char sql_scope_allocated[] =
	SCOPE_CTE ","
	" alloc(id, pounds) AS (SELECT ar.from_org_id,"
	"   max(CASE WHEN instr(',' || ?3 || ',', ',' || g.role_code || ',') > 0 THEN 1 ELSE 0 END)"
	"   FROM allocated_report ar JOIN role_grant g ON g.org_id = ar.to_org_id"
	"   AND g.user_id = ?1 AND g.revoked_at IS NULL WHERE ar.service_id = ?2"
	"   AND " ALLOC_GRANT_READS("g", "ar") " GROUP BY ar.from_org_id),"
	" sub(id, pounds) AS (SELECT id, pounds FROM alloc"
	"   UNION SELECT o.id, sub.pounds FROM organisation o JOIN sub ON o.parent_id = sub.id)"
	" INSERT INTO temp.rep_scope(id, pounds) SELECT id, max(pounds) FROM sub"
	"  WHERE NOT EXISTS (SELECT 1 FROM cl) OR id IN cld GROUP BY id"
	" ON CONFLICT(id) DO UPDATE SET types = NULL,"
	"  pounds_types = CASE WHEN excluded.pounds <> 0 THEN NULL ELSE pounds_types END,"
	"  pounds = max(pounds, excluded.pounds)";
/* The relationship report: the PCNs the user's own practices belonged to
 * in the period ?2..?3. */
static const char sql_scope_own_pcns[] =
	"INSERT OR IGNORE INTO temp.rep_scope(id) SELECT DISTINCT m.pcn_id FROM role_grant g"
	" JOIN organisation o ON o.id = g.org_id AND o.kind = 'PRACTICE'"
	" JOIN pcn_membership m ON m.practice_id = g.org_id"
	" WHERE g.user_id = ?1 AND g.revoked_at IS NULL AND m.start_date <= ?3"
	" AND (m.end_date IS NULL OR m.end_date >= ?2)";
/* Narrows the reach to organisation ?1, those under it and, for a PCN,
 * its members on ?2. */
static const char sql_scope_narrow[] =
	"WITH RECURSIVE sub(id) AS (SELECT ?1"
	"  UNION SELECT m.practice_id FROM pcn_membership m WHERE m.pcn_id = ?1"
	"   AND " SQL_MEMBER_ON("m", "?2")
	"  UNION SELECT o.id FROM organisation o JOIN sub ON o.parent_id = sub.id)"
	" DELETE FROM temp.rep_scope WHERE id NOT IN sub";

static bool step_done(struct db *db, dbstmt *st, const char *what)
{
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_log_error(db, what);
		return false;
	}
	return true;
}

static void bind_text_or_null(dbstmt *st, int i, const char *s)
{
	if (s && *s)
		dbs_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, i);
}

/* One integer (or text into out) from a one-row query with text
 * parameters a and b (either may be NULL); false when there is no row. */
static bool one_row(struct db *db, const char *sql, int64_t a, const char *b, int64_t *num,
		    char *out, size_t size)
{
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, a);
	if (dbs_bind_parameter_count(st) >= 2)
		bind_text_or_null(st, 2, b);
	bool found = dbs_step(st) == SQLITE_ROW && dbs_column_type(st, 0) != SQLITE_NULL;
	if (found && num)
		*num = dbs_column_int64(st, 0);
	if (found && out)
		col_text(st, 0, out, size);
	dbs_reset(st);
	return found;
}

static enum st refuse(struct report_query *q, const char *param, const char *fmt, const char *arg)
{
	strlcpy_s(q->bad_param, param, sizeof q->bad_param);
	snprintf(q->bad_msg, sizeof q->bad_msg, fmt, arg);
	return ST_INVALID;
}

/* An organisation code within the reach: its id (and kind), or 0. */
static int64_t org_in_reach(struct db *db, const char *code, char kind[10])
{
	static const char sql[] =
		"SELECT o.id, o.kind FROM organisation o JOIN temp.rep_scope rs ON rs.id = o.id"
		" WHERE o.code = ?2 AND ?1 = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, 0);
	dbs_bind_text(st, 2, code, -1, SQLITE_TRANSIENT);
	int64_t id = 0;
	if (dbs_step(st) == SQLITE_ROW) {
		id = dbs_column_int64(st, 0);
		col_text(st, 1, kind, 10);
	}
	dbs_reset(st);
	return id;
}

/* The service parameter: exists, of the year (which it fills when
 * absent), and reachable: taken part in by an organisation in reach, or
 * allocated to one of the user's organisations. */
static enum st check_service(struct db *db, struct report_query *q, bool *allocated)
{
	static const char sql_year[] = "SELECT financial_year FROM quality_service WHERE id = ?1";
	static const char sql_alloc[] =
		"SELECT 1 FROM allocated_report ar JOIN role_grant g ON g.org_id = ar.to_org_id"
		" AND g.revoked_at IS NULL WHERE ar.service_id = ?1 AND g.user_id = CAST(?2 AS INTEGER)"
		" AND " ALLOC_GRANT_READS("g", "ar");
	static const char sql_taken[] =
		"SELECT 1 FROM quality_service s WHERE s.id = ?1"
		" AND (EXISTS (SELECT 1 FROM offer f JOIN temp.rep_scope rs ON rs.id = f.org_id"
		"  WHERE f.service_id = ?1 AND " RS_READS("s.payment_type") ")"
		" OR EXISTS (SELECT 1 FROM temp.rep_scope rs CROSS JOIN achievement a ON a.org_id = rs.id"
		"  AND a.service_id = ?1 WHERE " RS_READS("s.payment_type") "))";
	char year[16], id[24], uid[24];
	snprintf(id, sizeof id, "%lld", (long long)q->service_id);
	if (!one_row(db, sql_year, q->service_id, NULL, NULL, year, sizeof year))
		return refuse(q, "service", "there is no service %s", id);
	if (*q->year && strcmp(q->year, year) != 0) {
		char msg[96];
		snprintf(msg, sizeof msg, "%.24s is a %.8s service, not %.8s", id, year, q->year);
		return refuse(q, "service", "service %s", msg);
	}
	strlcpy_s(q->year, year, sizeof q->year);
	snprintf(uid, sizeof uid, "%lld", (long long)q->uid);
	*allocated = one_row(db, sql_alloc, q->service_id, uid, NULL, NULL, 0);
	if (!*allocated && !one_row(db, sql_taken, q->service_id, NULL, NULL, NULL, 0))
		return refuse(q, "service", "there is no service %s that you can report on", id);
	return ST_OK;
}

static enum st fill_reach(struct db *db, struct report_query *q, const char *today)
{
	if (db_exec(db, "CREATE TEMP TABLE rep_scope(id INTEGER PRIMARY KEY,"
			" pounds INTEGER NOT NULL DEFAULT 0, types TEXT, pounds_types TEXT)") != ST_OK)
		return ST_ERROR;
	dbstmt *st = db_stmt(db, sql_scope_fill);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, q->uid);
	bind_text_or_null(st, 99, q->scope_roles);
	if (!step_done(db, st, "report reach"))
		return ST_ERROR;
	if (!(st = db_stmt(db, sql_scope_pounds)))
		return ST_ERROR;
	dbs_bind_int64(st, 1, q->uid);
	dbs_bind_text(st, 99, ROLES_POUNDS, -1, SQLITE_STATIC);
	if (!step_done(db, st, "report reach (pounds)"))
		return ST_ERROR;
	if (q->service_id) {
		bool allocated = false;
		enum st rc = check_service(db, q, &allocated);
		if (rc != ST_OK)
			return rc;
		q->service_allocated = allocated;
		if (allocated) {
			if (!(st = db_stmt(db, sql_scope_allocated)))
				return ST_ERROR;
			dbs_bind_int64(st, 1, q->uid);
			dbs_bind_int64(st, 2, q->service_id);
			dbs_bind_text(st, 3, ROLES_POUNDS, -1, SQLITE_STATIC);
			dbs_bind_null(st, 99);
			if (!step_done(db, st, "report reach (allocated)"))
				return ST_ERROR;
		}
	}
	if (q->kind == REPORT_NETWORK_RELATIONSHIP) {
		if (!(st = db_stmt(db, sql_scope_own_pcns)))
			return ST_ERROR;
		dbs_bind_int64(st, 1, q->uid);
		dbs_bind_text(st, 2, q->start, -1, SQLITE_TRANSIENT);
		dbs_bind_text(st, 3, q->end, -1, SQLITE_TRANSIENT);
		if (!step_done(db, st, "report reach (own PCNs)"))
			return ST_ERROR;
	}
	if (*q->organisation) {
		char kind[10];
		int64_t org = org_in_reach(db, q->organisation, kind);
		if (!org)
			return refuse(q, "organisation", "there is no organisation %s that you can see",
				      q->organisation);
		if (!(st = db_stmt(db, sql_scope_narrow)))
			return ST_ERROR;
		dbs_bind_int64(st, 1, org);
		dbs_bind_text(st, 2, today, -1, SQLITE_TRANSIENT);
		if (!step_done(db, st, "report reach (organisation)"))
			return ST_ERROR;
	}
	return ST_OK;
}

/* ---- parameters the store decides ------------------------------------- */

static enum st fill_defaults(struct db *db, struct report_query *q, const char *today,
			     int64_t *org_id, int64_t *pcn_id, int64_t *practice_id)
{
	static const char sql_is_date[] =
		"SELECT 1 FROM achievement_date WHERE service_id = ?1 AND date = ?2";
	static const char sql_latest_calc[] =
		"SELECT d.date FROM achievement_date d WHERE d.service_id = ?1 AND d.date <= ?2"
		" AND EXISTS (SELECT 1 FROM achievement a JOIN temp.rep_scope rs ON rs.id = a.org_id"
		"  JOIN calculation c ON c.achievement_id = a.id AND c.current = 1"
		"  WHERE a.service_id = d.service_id AND a.date_id = d.id"
		"  AND " RS_READS("(SELECT payment_type FROM quality_service WHERE id = ?1)") ")"
		" ORDER BY d.date DESC LIMIT 1";
	if (*q->date && q->service_id &&
	    !one_row(db, sql_is_date, q->service_id, q->date, NULL, NULL, 0))
		return refuse(q, "date", "%s is not an achievement date of the service", q->date);
	if (!*q->year)
		store_report_default_year(db, q->year);
	if (q->kind == REPORT_INDICATOR_DETAIL && !*q->date &&
	    !one_row(db, sql_latest_calc, q->service_id, today, NULL, q->date, sizeof q->date))
		return refuse(q, "date", "%s", "nothing in your reach is calculated for this service yet");
	char kind[10];
	if (*q->organisation)
		*org_id = org_in_reach(db, q->organisation, kind);
	if (*q->pcn) {
		*pcn_id = org_in_reach(db, q->pcn, kind);
		if (!*pcn_id || strcmp(kind, "PCN") != 0)
			return refuse(q, "pcn", "there is no PCN %s that you can see", q->pcn);
	}
	if (*q->practice) {
		static const char sql_member_of_reach[] =
			"SELECT o.id FROM organisation o JOIN pcn_membership m ON m.practice_id = o.id"
			" JOIN temp.rep_scope rs ON rs.id = m.pcn_id"
			" WHERE o.code = ?2 AND o.kind = 'PRACTICE' AND ?1 = ?1";
		*practice_id = org_in_reach(db, q->practice, kind);
		if (*practice_id && strcmp(kind, "PRACTICE") != 0)
			*practice_id = 0;
		if (!*practice_id)
			one_row(db, sql_member_of_reach, 0, q->practice, practice_id, NULL, 0);
		if (!*practice_id)
			return refuse(q, "practice", "there is no practice %s that you can see",
				      q->practice);
	}
	return ST_OK;
}

void store_report_default_year(struct db *db, char out[8])
{
	static const char sql[] =
		"SELECT max(date) FROM achievement_date WHERE date <= " SQL_TODAY " AND ?1 = ?1";
	char latest[11] = "", today[11];
	if (!one_row(db, sql, 0, NULL, NULL, latest, sizeof latest) ||
	    !date_financial_year(latest, out)) {
		store_business_date(db, today);
		date_financial_year(today, out);
	}
}

/* ---- the run ---------------------------------------------------------- */

static bool name_ok(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
			return false;
	return true;
}

/* The wrapper: search and order around the report's SQL. Column names
 * come from the catalogue (checked: lower-case words), never from the
 * request; the search text is bound. */
static char *wrap_sql(const struct report_query *q)
{
	struct buf b;
	buf_init(&b);
	buf_puts(&b, "SELECT * FROM (");
	buf_puts(&b, reports[q->kind].sql);
	buf_puts(&b, ")");
	if (q->text_mask) {
		buf_puts(&b, " WHERE ?20 IS NULL OR instr(lower(");
		bool first = true;
		for (size_t i = 0; i < q->nkeys && i < 32; i++) {
			if (!(q->text_mask & (1u << i)))
				continue;
			buf_printf(&b, "%scoalesce(\"%s\", '')", first ? "" : " || char(9) || ", q->keys[i]);
			first = false;
		}
		buf_puts(&b, "), lower(?20)) > 0");
	}
	buf_puts(&b, " ORDER BY ");
	if (q->sort >= 0 && (size_t)q->sort < q->nkeys)
		buf_printf(&b, "\"%s\"%s, ", q->keys[q->sort], q->desc ? " DESC" : "");
	buf_puts(&b, reports[q->kind].order);
	return buf_steal(&b);
}

void store_report_close(struct report_cursor **cp)
{
	struct report_cursor *c = *cp;
	if (!c)
		return;
	db_finalize(c->st);
	if (c->in_tx)
		db_exec(c->db, "ROLLBACK");
	db_close_own(&c->db);
	free(c);
	*cp = NULL;
}

enum st store_report_open(struct store *s, struct report_query *q, struct report_cursor **out)
{
	*out = NULL;
	for (size_t i = 0; i < q->nkeys; i++)
		if (!name_ok(q->keys[i]))
			return ST_ERROR;
	struct report_cursor *c = xcalloc(1, sizeof *c);
	c->db = db_connect_own(s);
	if (!c->db) {
		free(c);
		return ST_ERROR;
	}
	/* The rows are read in one snapshot while they stream: keep its
	 * temporary files (sorts of all of England) on disk, not in memory. */
	enum st rc = db_exec(c->db, DBI_PG_ONLY ? "BEGIN ISOLATION LEVEL REPEATABLE READ" :
			     "PRAGMA temp_store=FILE; PRAGMA cache_size=-8000; BEGIN");
	if (rc != ST_OK) {
		store_report_close(&c);
		return rc;
	}
	c->in_tx = true;
	char today[11];
	store_business_date(c->db, today);
	int64_t org_id = 0, pcn_id = 0, practice_id = 0;
	rc = fill_reach(c->db, q, today);
	if (rc == ST_OK)
		rc = fill_defaults(c->db, q, today, &org_id, &pcn_id, &practice_id);
	if (rc != ST_OK) {
		store_report_close(&c);
		return rc;
	}
	char *sql = wrap_sql(q);
	c->st = db_prepare_own(c->db, sql);
	free(sql);
	if (!c->st) {
		db_log_error(c->db, "report");
		store_report_close(&c);
		return ST_ERROR;
	}
	/* The SQL's columns are the catalogue's, in its order. */
	int n = dbs_column_count(c->st);
	for (int i = 0; i < n; i++) {
		const char *name = dbs_column_name(c->st, i);
		bool ok = (size_t)i < q->nkeys ? strcmp(name, q->keys[i]) == 0 :
			  strncmp(name, "open_", 5) == 0 || name[0] == '_';
		if (!ok || (size_t)n < q->nkeys) {
			fprintf(stderr, "cqrsd: store: report %d: column %d is %s, not %s\n", (int)q->kind,
				i, name, (size_t)i < q->nkeys ? q->keys[i] : "open_* or _*");
			store_report_close(&c);
			return ST_ERROR;
		}
	}
	/* Every report binds the same numbered parameters (those it uses). */
	const char *texts[P_Q + 1] = {
		[P_YEAR] = q->year, [P_DATE] = q->date, [P_STATUS] = q->status,
		[P_START] = q->start, [P_END] = q->end, [P_TODAY] = today, [P_Q] = q->q,
	};
	int64_t ids[P_Q + 1] = {
		[P_UID] = q->uid, [P_SERVICE] = q->service_id, [P_PCN] = pcn_id,
		[P_PRACTICE] = practice_id, [P_ORG] = org_id,
	};
	int np = dbs_bind_parameter_count(c->st);
	for (int i = 1; i <= np && i <= P_Q; i++) {
		if (ids[i] > 0)
			dbs_bind_int64(c->st, i, ids[i]);
		else
			bind_text_or_null(c->st, i, texts[i]);
	}
	*out = c;
	return ST_OK;
}

enum st store_report_step(struct report_cursor *c)
{
	int rc = dbs_step(c->st);
	if (rc == SQLITE_ROW)
		return ST_OK;
	if (rc == SQLITE_DONE)
		return ST_NOTFOUND;
	db_log_error(c->db, "report rows");
	return ST_ERROR;
}

int store_report_columns(const struct report_cursor *c)
{
	return dbs_column_count(c->st);
}

const char *store_report_name(const struct report_cursor *c, int col)
{
	return dbs_column_name(c->st, col);
}

bool store_report_null(const struct report_cursor *c, int col)
{
	return dbs_column_type(c->st, col) == SQLITE_NULL;
}

int64_t store_report_int(const struct report_cursor *c, int col)
{
	return dbs_column_int64(c->st, col);
}

const char *store_report_text(const struct report_cursor *c, int col)
{
	const unsigned char *t = dbs_column_text(c->st, col);
	return t ? (const char *)t : "";
}

/* ---- the catalogue's services ----------------------------------------- */

json_t *store_report_services(struct db *db, int64_t uid)
{
	static const char sql[] =
		SCOPE_CTE ","
		" alloc(id) AS (SELECT ar.service_id FROM allocated_report ar JOIN role_grant g"
		"  ON g.org_id = ar.to_org_id AND g.user_id = ?1 AND g.revoked_at IS NULL"
		"  WHERE " ALLOC_GRANT_READS("g", "ar") ")"
		" SELECT s.id, s.name, s.financial_year, s.id IN alloc"
		" FROM quality_service s WHERE s.id IN alloc"
		"  OR EXISTS (SELECT 1 FROM offer f WHERE f.service_id = s.id"
		"   AND " SQL_SERVICE_READABLE("f.org_id", "s.payment_type") ")"
		" ORDER BY s.financial_year DESC, s.name";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_null(st, 99);
	json_t *list = json_array();
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)dbs_column_int64(st, 0));
		json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:b}", "value", id,
			"label", col_json_text(st, 1), "year", col_json_text(st, 2),
			"allocated", dbs_column_int(st, 3)));
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "report services");
		json_decref(list);
		return NULL;
	}
	return list;
}
