/* store_int.h: internals shared by the store_*.c files only: the
 * connection, the prepared-statement cache and small binding helpers. */
#ifndef CQRS_STORE_INT_H
#define CQRS_STORE_INT_H

#include <sqlite3.h>
#include <stddef.h>

#include "server/store/store.h"

struct store_migration {
	int version;
	const char *sql;
};
extern const struct store_migration store_migrations[];
extern const size_t store_migrations_n;

/* A cached prepared statement, keyed by the address of its SQL text (so
 * every named operation's SQL is a static const string). */
struct stmt_slot {
	const char *sql;
	sqlite3_stmt *stmt;
};

struct db {
	sqlite3 *sql;
	struct store *store;
	struct stmt_slot *slots;
	size_t nslots, capslots;
	int tx_depth;
	int64_t busy_deadline; /* mono_ms() limit of store_tx's waits (0: none) */
	int64_t busy_since;    /* when the current statement started waiting */
	struct db *next; /* the store's list of connections */
};

/* The one definition of "practice m.practice_id is a member of PCN
 * m.pcn_id on date d" (m: a pcn_membership alias; d: an SQL date
 * expression). Every statement that asks uses it. */
#define SQL_MEMBER_ON(m, d) \
	"(" m ".start_date <= " d " AND (" m ".end_date IS NULL OR " m ".end_date >= " d "))"

/* "Today" in SQL: the business date (the business_today view, migration
 * 4), which is the real date only on a server without one. */
#define SQL_TODAY "(SELECT d FROM business_today)"

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
 * organisation. */
#define SCOPE_CTE \
	"WITH RECURSIVE granted(id, pcn_role) AS (SELECT DISTINCT org_id," \
	"   role_code = 'PCN_VIEW' OR role_code = 'PCN_MANAGEMENT' FROM role_grant" \
	"   WHERE user_id = ?1 AND revoked_at IS NULL" \
	"   AND (?99 IS NULL OR instr(',' || ?99 || ',', ',' || role_code || ',') > 0))," \
	" reach(id) AS (SELECT id FROM granted" \
	"   UNION SELECT m.practice_id FROM pcn_membership m JOIN granted g ON g.id = m.pcn_id" \
	"     WHERE (?99 IS NULL OR g.pcn_role) AND " SQL_MEMBER_ON("m", SQL_TODAY) \
	"   UNION SELECT o.id FROM organisation o JOIN reach r ON o.parent_id = r.id)," \
	" cl(id) AS (SELECT cm.org_id FROM user_cluster uc" \
	"   JOIN cluster_member cm ON cm.cluster_id = uc.cluster_id WHERE uc.user_id = ?1)," \
	" cld(id) AS (SELECT id FROM cl UNION SELECT o.id FROM organisation o JOIN cld ON o.parent_id = cld.id)," \
	" scope(id) AS (SELECT r.id FROM reach r JOIN organisation o ON o.id = r.id" \
	"   WHERE NOT EXISTS (SELECT 1 FROM cl) OR r.id IN cld" \
	"   OR (o.kind = 'PCN' AND EXISTS (SELECT 1 FROM pcn_membership m WHERE m.pcn_id = o.id" \
	"        AND " SQL_MEMBER_ON("m", SQL_TODAY) ")" \
	"     AND NOT EXISTS (SELECT 1 FROM pcn_membership m WHERE m.pcn_id = o.id" \
	"        AND " SQL_MEMBER_ON("m", SQL_TODAY) " AND m.practice_id NOT IN cld)))"

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
	"   WHERE g.revoked_at IS NULL AND (a.full OR g.role_code = 'DECLARATION_MANAGEMENT')" \
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
	"(CASE WHEN " u ".disabled THEN 'DISABLED'" \
	" WHEN " u ".password_hash IS NULL THEN 'AWAITING_REGISTRATION'" \
	" WHEN EXISTS (SELECT 1 FROM signin_failure f WHERE f.login = " u ".user_id" \
	"   AND f.wait_until_ms > " SQL_NOW_MS ") THEN 'LOCKED'" \
	" ELSE 'ACTIVE' END)"

/* Returns the cached, reset statement for sql (prepared on first use), or
 * NULL on error (logged). The statement belongs to the connection. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql);
/* Executes SQL text with no results (for DDL and seeding scripts). */
enum st db_exec(struct db *db, const char *sql);
/* Logs the connection's last error with a context string. */
void db_log_error(struct db *db, const char *context);
/* Copies a text column into a fixed buffer. */
void col_text(sqlite3_stmt *st, int col, char *out, size_t size);
/* A text column as a new JSON string (null for NULL). */
json_t *col_json_text(sqlite3_stmt *st, int col);
/* Steps a statement that returns nothing wanted and resets it; logs ctx
 * on an error (st NULL: ST_ERROR). */
enum st db_done(struct db *db, sqlite3_stmt *st, const char *ctx);
/* The first column of the first row as an integer (def when none or st
 * is NULL); the statement is reset. */
int64_t db_one_int(sqlite3_stmt *st, int64_t def);
/* Maps a sqlite result code to enum st. */
enum st st_from_sqlite(int rc);

#endif
