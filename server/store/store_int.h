/* store_int.h: internals shared by the store_*.c files only: the
 * connection, the prepared-statement cache and small binding helpers. */
#ifndef CQRS_STORE_INT_H
#define CQRS_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>

#include "server/store/dbi.h"

#include "server/store/store.h"

/* One step of the ordered schema list, for both engines: sql is
 * SQLite's text, pg PostgreSQL's (store_schema.c). */
struct store_migration {
	int version;
	const char *sql;
	const char *pg;
};
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_n;

/* A cached prepared statement, keyed by the address of its SQL text (so
 * every named operation's SQL is a static const string). */
struct stmt_slot {
	const char *sql;
	dbstmt *stmt;
};

struct db;

/* The connection-level calls of dbi.h's engines: the last error, rows
 * changed by the last statement, the last inserted id, and (SQLite) the
 * connection's total changes (rows changed by its statements). */
const char *db_errmsg(struct db *db);
int db_changes(struct db *db);
int64_t db_last_insert_rowid(struct db *db);
int64_t db_total_changes(struct db *db);
/* A statement of the connection's outside the cache (db_finalize frees
 * it); NULL on error (db_errmsg). */
dbstmt *db_prepare_own(struct db *db, const char *sql);
void db_finalize(dbstmt *st);

struct db {
	sqlite3 *sql;       /* SQLite (dbi_engine DBI_SQLITE) */
	struct pgconn *pg;  /* PostgreSQL (DBI_PG) */
	struct store *store;
	struct stmt_slot *slots;
	size_t nslots, capslots;
	int tx_depth;
	int64_t busy_deadline; /* mono_ms() limit of store_tx's waits (0: none) */
	int64_t busy_since;    /* when the current statement started waiting */
	/* Inside store_read_begin's transaction: what the database held when
	 * its snapshot began, as (PRAGMA data_version: commits by any other
	 * connection or process, sqlite3_total_changes64: this connection's
	 * own writes). Equal stamps mean equal data; snap_stamped is false
	 * outside such a transaction. */
	bool snap_stamped;
	int64_t snap_version, snap_changes;
	struct read_cache *cache; /* store_token_auth's and store_me_text's */
	struct value_stage *stage; /* store_values_stage's rows (PostgreSQL) */
	struct lookup_memo *memo;  /* store_memo_begin's answers (store_memo.c) */
	struct db *next; /* the store's list of connections */
};

/* Drops a connection's staged values (store_values_stage; on close). */
void values_stage_free(struct db *db);
/* Between store_bulk_begin and store_bulk_end on PostgreSQL: keeps a
 * calculation's lines to be written with COPY (true, *r the outcome of
 * any write it made); false when they are to be inserted at once. */
bool stage_calc_lines(struct db *db, int64_t calc_id, const struct calc_save_line *lines, size_t n,
		      enum st *r);
/* The look-up memo (store_memo.c), while store_memo_begin has it on.
 * Each memo_* answers (true, *r or *yes the answer) or says to ask the
 * database (false: the memo is off, or could not read). */
bool memo_org(struct db *db, const char *code, int64_t id, struct org_rec *out, enum st *r);
bool memo_pcn_of(struct db *db, int64_t practice_id, const char *date, int64_t *pcn, enum st *r);
bool memo_achievement(struct db *db, int64_t service_id, int64_t org_id, int64_t date_id,
		      int64_t *id, enum st *r);
/* An achievement the connection just made (store_achievement_create). */
void memo_achievement_made(struct db *db, int64_t service_id, int64_t org_id, int64_t date_id,
			   int64_t id);
/* True when the memo knows the achievement is not final (no query). */
bool memo_not_final(struct db *db, int64_t ach_id);
/* date NULL: takes part at all (an approved offer); else on that date. */
bool memo_participates(struct db *db, int64_t service_id, int64_t org_id, const char *date,
		       bool *yes);
/* An achievement's values (as store_values_get) from the memo, which
 * reads those of its whole (service, date) at once. */
bool memo_values(struct db *db, int64_t ach_id, const struct calc_def_row *defs, size_t n,
		 struct store_val *out);
/* A value the connection just wrote (or staged, or sent ahead). */
void memo_value_wrote(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
		      bool ratio, const char *source);
/* An organisation's list size on a date (as store_list_size_on); the
 * memo reads every practice's and PCN's for the date at once. */
bool memo_list_size(struct db *db, int64_t org_id, const char *date, int64_t *size, enum st *r);
/* An achievement (as store_achievement_get); the memo reads those of its
 * whole (service, date) at once. memo_ach_changed: the connection is
 * changing achievement id (0: some achievement's declaration). */
bool memo_ach_rec(struct db *db, int64_t id, struct ach_rec *out, enum st *r);
void memo_ach_changed(struct db *db, int64_t id);
/* store_achievement_set_status's change, made to the memo's record too. */
void memo_ach_status(struct db *db, int64_t id, const char *status, int64_t now);
void memo_free(struct db *db);

/* store_achievement_get's columns, and one row of them read. */
#define ACH_REC_SQL \
	"SELECT a.id, a.service_id, a.org_id, d.id, d.date, d.payment, a.status," \
	" a.commissioner_entry, a.version, o.code, o.name, o.kind," \
	" coalesce(dc.status, ''), a.updated_at" \
	" FROM achievement a JOIN achievement_date d ON d.id = a.date_id" \
	" JOIN organisation o ON o.id = a.org_id" \
	" LEFT JOIN declaration dc ON dc.achievement_id = a.id"
void ach_rec_row(dbstmt *st, struct ach_rec *out);

/* An organisation's columns (store_orgs.c) and one row of them read. */
#define ORG_COLS "SELECT id, code, name, kind, coalesce(parent_id, 0), list_size FROM organisation"
void org_row(dbstmt *st, struct org_rec *out);

/* Frees a connection's read cache (store_close; store_users.c). */
void read_cache_free(struct db *db);

/* The one definition of "practice m.practice_id is a member of PCN
 * m.pcn_id on date d" (m: a pcn_membership alias; d: an SQL date
 * expression). Every statement that asks uses it. */
#define SQL_MEMBER_ON(m, d) \
	"(" m ".start_date <= " d " AND (" m ".end_date IS NULL OR " m ".end_date >= " d "))"

/* The one definition of an organisation's list size on a date (o: an
 * organisation alias, d: an SQL date expression); see list_size_history
 * (migration 4): a practice's latest record on or before the date, else
 * its organisation row; a PCN's record for exactly that date, else the
 * sum over its members on the date. */
#define SQL_PRACTICE_SIZE_ON(p, d) \
	"coalesce((SELECT h.list_size FROM list_size_history h WHERE h.org_id = " p ".id" \
	"  AND h.from_date <= " d " ORDER BY h.from_date DESC LIMIT 1), " p ".list_size)"
#define SQL_LIST_SIZE_ON(o, d) \
	"CASE " o ".kind WHEN 'PCN' THEN coalesce(" \
	"  (SELECT h.list_size FROM list_size_history h WHERE h.org_id = " o ".id AND h.from_date = " d ")," \
	"  (SELECT coalesce(sum(" SQL_PRACTICE_SIZE_ON("p", d) "), 0) FROM pcn_membership m" \
	"    JOIN organisation p ON p.id = m.practice_id" \
	"    WHERE m.pcn_id = " o ".id AND " SQL_MEMBER_ON("m", d) "))" \
	" ELSE " SQL_PRACTICE_SIZE_ON(o, d) " END"

/* The one definition of "achievement a (an SQL expression) is final": its
 * declaration was financially approved. */
#define SQL_IS_FINAL(a) \
	"EXISTS (SELECT 1 FROM declaration fd WHERE fd.achievement_id = " a \
	" AND fd.status = 'FINANCIALLY_APPROVED')"

/* An offer (its columns unqualified) that makes its organisation take
 * part in its service: approved; and on date d (an SQL expression):
 * within its dates. */
#define SQL_OFFER_APPROVED "status = 'APPROVED'"
#define SQL_OFFER_ON(d) "start_date <= " d " AND end_date >= " d

/* "Today" in SQL: the business date (the business_today view, migration
 * 4), which is the real date only on a server without one. */
#define SQL_TODAY "(SELECT d FROM business_today)"

/* The payment types a grant (g: a role_grant alias or the table's name)
 * is restricted to, comma-separated; NULL: all. Only View and Finance
 * View grants (ROLES_PAYMENT_TYPES) are ever restricted, and only when
 * their payment_types is not empty (migration 6). */
#define SQL_GRANT_TYPES(g) \
	"(CASE WHEN instr('," ROLES_PAYMENT_TYPES ",', ',' || " g ".role_code || ',') > 0" \
	" THEN nullif(" g ".payment_types, '') END)"
/* Whether a list of payment types (NULL: all) holds payment type ptype. */
#define SQL_TYPES_HAVE(types, ptype) \
	"(" types " IS NULL OR instr(',' || " types " || ',', ',' || " ptype " || ',') > 0)"

/* The one statement of "the organisations user ?1 may see": a WITH clause
 * defining scope(id). The organisations of the user's grants and their
 * descendants, and the practices that are members today of a PCN the user
 * is granted on. ?99, when bound, is a comma-separated list of roles the
 * grant must have; a grant on a PCN then reaches its member practices only
 * for the PCN's own roles (PCN View, PCN Management), never for acting as
 * the practice. Users restricted to Service Provider Clusters reach only
 * cluster members and their descendants, and a PCN whose members today
 * are all in their clusters. Statements that use it bind ?1 and number
 * their own parameters from ?2; store_org_in_scope() asks it about one
 * organisation.
 * It also defines read_types(id, types): for each organisation in scope,
 * the payment types whose service data the user may read there (NULL:
 * all), the union over the grants that reach it (SQL_GRANT_TYPES: a
 * restricted View or Finance View grant reads its types only, any other
 * grant everything). Ask it through SQL_SERVICE_READABLE. scope(id) may
 * hold an organisation more than once (once per payment-type list
 * reaching it): ask it with IN or EXISTS, never join it. */
#define SCOPE_CTE \
	"WITH RECURSIVE granted(id, pcn_role, pt) AS (SELECT DISTINCT org_id," \
	"   role_code = 'PCN_VIEW' OR role_code = 'PCN_MANAGEMENT', " SQL_GRANT_TYPES("role_grant") \
	"   FROM role_grant WHERE user_id = ?1 AND revoked_at IS NULL" \
	"   AND (?99 IS NULL OR instr(',' || ?99 || ',', ',' || role_code || ',') > 0))," \
	" reach(id, pt) AS (SELECT id, pt FROM granted" \
	"   UNION SELECT m.practice_id, g.pt FROM pcn_membership m JOIN granted g ON g.id = m.pcn_id" \
	"     WHERE (?99 IS NULL OR g.pcn_role) AND " SQL_MEMBER_ON("m", SQL_TODAY) \
	"   UNION SELECT o.id, r.pt FROM organisation o JOIN reach r ON o.parent_id = r.id)," \
	" cl(id) AS (SELECT cm.org_id FROM user_cluster uc" \
	"   JOIN cluster_member cm ON cm.cluster_id = uc.cluster_id WHERE uc.user_id = ?1)," \
	" cld(id) AS (SELECT id FROM cl UNION SELECT o.id FROM organisation o JOIN cld ON o.parent_id = cld.id)," \
	" scope(id) AS (SELECT r.id FROM reach r JOIN organisation o ON o.id = r.id" \
	"   WHERE NOT EXISTS (SELECT 1 FROM cl) OR r.id IN cld" \
	"   OR (o.kind = 'PCN' AND EXISTS (SELECT 1 FROM pcn_membership m WHERE m.pcn_id = o.id" \
	"        AND " SQL_MEMBER_ON("m", SQL_TODAY) ")" \
	"     AND NOT EXISTS (SELECT 1 FROM pcn_membership m WHERE m.pcn_id = o.id" \
	"        AND " SQL_MEMBER_ON("m", SQL_TODAY) " AND m.practice_id NOT IN cld)))," \
	" read_types(id, types) AS (SELECT id, CASE WHEN max(CASE WHEN pt IS NULL THEN 1 ELSE 0 END) = 1 THEN NULL" \
	"   ELSE group_concat(pt) END FROM reach WHERE id IN scope GROUP BY id)"

/* The one rule of "user ?1 may read service data of payment type ptype
 * at organisation org" (needs SCOPE_CTE; org and ptype are SQL
 * expressions): org is in scope and a grant reaching it reads ptype
 * (read_types). SQL_SERVICE_TYPE_OK is its payment-type half, for a
 * statement that already asks `org IN scope` (users with no restricted
 * grant skip the look-up). With ?99 bound to ROLES_POUNDS it is the rule
 * of pounds (present_pounds). Every reading endpoint's statement uses it
 * (or store_service_readable for one organisation and service); the
 * reports carry read_types in their per-run reach table (store_reports.c). */
#define SQL_SERVICE_TYPE_OK(org, ptype) \
	"(NOT EXISTS (SELECT 1 FROM granted gr WHERE gr.pt IS NOT NULL)" \
	" OR EXISTS (SELECT 1 FROM read_types rt WHERE rt.id = " org \
	"   AND " SQL_TYPES_HAVE("rt.types", ptype) "))"
#define SQL_SERVICE_READABLE(org, ptype) \
	"(" org " IN scope AND " SQL_SERVICE_TYPE_OK(org, ptype) ")"
/* The same at some organisation (the catalogue of services). */
#define SQL_SERVICE_READABLE_SOMEWHERE(ptype) \
	"(NOT EXISTS (SELECT 1 FROM granted gr WHERE gr.pt IS NOT NULL)" \
	" OR EXISTS (SELECT 1 FROM read_types rt WHERE " SQL_TYPES_HAVE("rt.types", ptype) "))"

/* The tasks user ?1 may see and settle (t: a task alias; needs SCOPE_CTE):
 * addressed to an organisation the user holds the task's role at (any
 * role for Supervisors), and, for cluster users, about an organisation in
 * their clusters (a commissioner's task about an offer or declaration
 * concerns the practice or PCN of that offer or declaration). */
#define SQL_TASK_VISIBLE(t) \
	"(EXISTS (SELECT 1 FROM role_grant g" \
	"  WHERE g.user_id = ?1 AND g.revoked_at IS NULL AND g.org_id = " t ".org_id" \
	"  AND (" t ".role_code IS NULL OR g.role_code = " t ".role_code OR g.role_code = 'SUPERVISOR'))" \
	" AND (NOT EXISTS (SELECT 1 FROM cl) OR coalesce(" \
	"  CASE " t ".subject_type" \
	"   WHEN 'offer' THEN (SELECT f.org_id FROM offer f WHERE f.id = " t ".subject_id)" \
	"   WHEN 'declaration' THEN (SELECT a.org_id FROM declaration d" \
	"     JOIN achievement a ON a.id = d.achievement_id WHERE d.id = " t ".subject_id)" \
	"  END, " t ".org_id) IN scope))"

/* ---- administration (issue 11) ------------------------------------------
 * The one statement of "what administrator ?1 may manage": SCOPE_CTE
 * followed by
 * - admin_org(id, full): the organisations whose users ?1 administers.
 *   full 1: any role (its own organisation for a User Administrator; its
 *   own and every one under it for an Advanced User Administrator);
 *   full 0: a PCN under an ICB (or NHS England) where ?1 is a User or
 *   Advanced User Administrator, for Declaration Management only (the
 *   "PCN organisation role"). Always inside ?1's scope (clusters too).
 * - managed_user(id): the users ?1 may see and change: those with a live
 *   link it administers (a full one, or Declaration Management at a
 *   full-0 PCN), and those with no live link left whose past links were
 *   there. Never system accounts. */
#define ADMIN_CTE SCOPE_CTE "," \
	" adv(id) AS (SELECT org_id FROM role_grant WHERE user_id = ?1 AND revoked_at IS NULL" \
	"   AND role_code = 'ADV_USER_ADMIN'" \
	"   UNION SELECT o.id FROM organisation o JOIN adv ON o.parent_id = adv.id)," \
	" managed(id, full) AS (SELECT id, 1 FROM (SELECT org_id AS id FROM role_grant" \
	"     WHERE user_id = ?1 AND revoked_at IS NULL AND role_code = 'USER_ADMIN'" \
	"     UNION SELECT id FROM adv) WHERE id IN scope" \
	"   UNION ALL SELECT o.id, 0 FROM organisation o JOIN role_grant g ON g.org_id = o.parent_id" \
	"   JOIN organisation p ON p.id = g.org_id WHERE o.kind = 'PCN'" \
	"     AND (p.kind = 'ICB' OR p.kind = 'NHSE') AND g.user_id = ?1 AND g.revoked_at IS NULL" \
	"     AND (g.role_code = 'USER_ADMIN' OR g.role_code = 'ADV_USER_ADMIN') AND o.id IN scope)," \
	" admin_org(id, full) AS (SELECT id, max(full) FROM managed GROUP BY id)," \
	" managed_user(id) AS (SELECT g.user_id FROM role_grant g JOIN admin_org a ON a.id = g.org_id" \
	"   WHERE g.revoked_at IS NULL AND (a.full = 1 OR g.role_code = 'DECLARATION_MANAGEMENT')" \
	"   UNION SELECT g.user_id FROM role_grant g JOIN admin_org a ON a.id = g.org_id" \
	"   WHERE NOT EXISTS (SELECT 1 FROM role_grant l WHERE l.user_id = g.user_id" \
	"     AND l.revoked_at IS NULL))"

/* The clock in SQL, in ms since the epoch (sign-in waits are kept so). */
#define SQL_NOW_MS "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"

/* The one definition of a user's state (u: an app_user alias), derived,
 * never stored: DISABLED, AWAITING_REGISTRATION (no password yet),
 * LOCKED (sign-ins for the user ID wait, from some address, until a time
 * still to come), else ACTIVE. */
#define SQL_USER_STATE(u) \
	"(CASE WHEN " u ".disabled <> 0 THEN 'DISABLED'" \
	" WHEN " u ".password_hash IS NULL THEN 'AWAITING_REGISTRATION'" \
	" WHEN EXISTS (SELECT 1 FROM signin_failure f WHERE f.login = " u ".user_id" \
	"   AND f.wait_until_ms > " SQL_NOW_MS ") THEN 'LOCKED'" \
	" ELSE 'ACTIVE' END)"

/* Tasks that are notices (something happened that the user should know)
 * rather than work: the user may dismiss them (POST /tasks/{id}/done).
 * Work tasks close themselves when the work is done. */
#define SQL_TASK_NOTICE(t) \
	"(" t ".kind IN ('OFFER_REJECTED', 'OFFER_WITHDRAWN', 'OFFER_CANCELLED'))"
/* A connection of its own (set up as the store's, not one of its
 * per-thread ones), for work that outlives a request's turn on its thread
 * (a streamed report); NULL on failure (logged). db_close_own closes it
 * and its cached statements. */
struct db *db_connect_own(struct store *s);
void db_close_own(struct db **db);

/* Returns the cached, reset statement for sql (prepared on first use), or
 * NULL on error (logged). The statement belongs to the connection. */
dbstmt *db_stmt(struct db *db, const char *sql);
/* Executes SQL text with no results (for DDL and seeding scripts). */
enum st db_exec(struct db *db, const char *sql);
/* Bulk loads on PostgreSQL only (COPY table (columns) FROM STDIN): rows
 * of text fields in column order, NULL for NULL; no other statement may
 * run on the connection between db_copy_begin and db_copy_end. Each
 * returns ST_OK or ST_ERROR (logged). */
enum st db_copy_begin(struct db *db, const char *table, const char *columns);
enum st db_copy_row(struct db *db, int nfields, const char *const *fields);
enum st db_copy_end(struct db *db);
/* Formats n integers as COPY fields: f[i] gets v[i] in decimal. */
void db_copy_ints(char (*f)[24], size_t n, const int64_t *v);
/* Logs the connection's last error with a context string. */
void db_log_error(struct db *db, const char *context);
/* Copies a text column into a fixed buffer. */
void col_text(dbstmt *st, int col, char *out, size_t size);
/* A text column as a new JSON string (null for NULL). */
json_t *col_json_text(dbstmt *st, int col);
/* Steps a statement that returns nothing wanted and resets it; logs ctx
 * on an error (st NULL: ST_ERROR). */
enum st db_done(struct db *db, dbstmt *st, const char *ctx);
/* Appends one row to an append-only status history (offer_history,
 * declaration_history): sql inserts (subject id, at, user (NULL when uid
 * is 0: the system), from status (NULL when from is), to status, note). */
enum st db_history_add(struct db *db, const char *sql, int64_t id, int64_t at, int64_t uid,
		       const char *from, const char *to, const char *note);
/* The first column of the first row as an integer (def when none or st
 * is NULL); the statement is reset. */
int64_t db_one_int(dbstmt *st, int64_t def);
/* Maps a sqlite result code to enum st. */
enum st st_from_sqlite(int rc);

#endif
