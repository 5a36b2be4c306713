/* store_admin.c: user administration (issue 11): who an administrator
 * manages (ADMIN_CTE), users and their organisation links, account states,
 * registration and reset codes, the audit trail with client addresses and
 * e-mails to one address. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

static void bind_opt_text(dbstmt *st, int i, const char *s)
{
	if (s)
		dbs_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, i);
}

/* ---- audit and e-mail ------------------------------------------------------ */

enum st store_audit_from(struct db *db, int64_t uid, const char *addr, const char *action,
			 const char *entity, int64_t entity_id, json_t *before, json_t *after)
{
	static const char sql[] =
		"INSERT INTO audit_log(at, user_id, action, entity, entity_id, before_json, after_json,"
		" addr) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	dbs_bind_int64(st, 1, now_s());
	if (uid)
		dbs_bind_int64(st, 2, uid);
	dbs_bind_text(st, 3, action, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, entity, -1, SQLITE_TRANSIENT);
	if (entity_id)
		dbs_bind_int64(st, 5, entity_id);
	bind_opt_text(st, 6, b);
	bind_opt_text(st, 7, a);
	bind_opt_text(st, 8, addr);
	enum st r = db_done(db, st, "audit");
	free(b);
	free(a);
	return r;
}

enum st store_email_to(struct db *db, const char *to, const char *kind, const char *subject,
		       const char *body)
{
	static const char sql[] =
		"INSERT INTO email_outbox(to_addr, subject, body, kind, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, to, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, subject, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, body, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 5, now_s());
	return db_done(db, st, "e-mail");
}

/* ---- who manages what ------------------------------------------------------- */

int store_admin_org_access(struct db *db, int64_t admin, int64_t org_id)
{
	static const char sql[] =
		ADMIN_CTE " SELECT CASE WHEN full = 1 THEN 1 ELSE 2 END FROM admin_org WHERE id = ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, admin);
	dbs_bind_int64(st, 2, org_id);
	return (int)db_one_int(st, 0);
}

bool store_admin_manages_user(struct db *db, int64_t admin, int64_t uid)
{
	static const char sql[] =
		ADMIN_CTE " SELECT EXISTS (SELECT 1 FROM managed_user WHERE id = ?2)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, admin);
	dbs_bind_int64(st, 2, uid);
	return db_one_int(st, 0) != 0;
}

/* ---- users ------------------------------------------------------------------ */

bool store_email_taken(struct db *db, const char *email, int64_t except_uid)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM app_user WHERE lower(email) = lower(?1) AND id <> ?2)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return true;
	dbs_bind_text(st, 1, email, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 2, except_uid);
	return db_one_int(st, 1) != 0;
}

bool store_user_id_taken(struct db *db, const char *user_id)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM app_user WHERE user_id = ?1)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return true;
	dbs_bind_text(st, 1, user_id, -1, SQLITE_TRANSIENT);
	return db_one_int(st, 1) != 0;
}

enum st store_admin_user_create(struct db *db, const struct user_details *u, int64_t now,
				int64_t *id)
{
	static const char sql[] =
		"INSERT INTO app_user(user_id, name, email, work_phone, mobile, title, first_name,"
		" last_name, password_hash, password_set_at, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, 0, ?9)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, u->user_id, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, u->name, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, u->email, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, u->work_phone, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, u->mobile ? u->mobile : "", -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 6, u->title ? u->title : "", -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 7, u->first_name, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 8, u->last_name, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 9, now);
	enum st r = db_done(db, st, "user create");
	if (r == ST_OK)
		*id = db_last_insert_rowid(db);
	return r;
}

enum st store_user_details_set(struct db *db, int64_t uid, const struct user_details *u)
{
	static const char sql[] =
		"UPDATE app_user SET name = ?2, work_phone = ?3, mobile = ?4, title = ?5,"
		" first_name = ?6, last_name = ?7 WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, u->name, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, u->work_phone, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, u->mobile ? u->mobile : "", -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, u->title ? u->title : "", -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 6, u->first_name, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 7, u->last_name, -1, SQLITE_TRANSIENT);
	return db_done(db, st, "user details");
}

void store_user_state(struct db *db, int64_t uid, char out[24])
{
	static const char sql[] = "SELECT " SQL_USER_STATE("u") " FROM app_user u WHERE u.id = ?1";
	dbstmt *st = db_stmt(db, sql);
	strcpy(out, "");
	if (!st)
		return;
	dbs_bind_int64(st, 1, uid);
	if (dbs_step(st) == SQLITE_ROW)
		col_text(st, 0, out, 24);
	dbs_reset(st);
}

enum st store_user_set_disabled(struct db *db, int64_t uid, bool disabled, int64_t now)
{
	static const char sql[] = "UPDATE app_user SET disabled = ?2 WHERE id = ?1";
	static const char rsql[] =
		"UPDATE session SET revoked_at = ?2 WHERE user_id = ?1 AND revoked_at IS NULL";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int(st, 2, disabled);
	enum st r = db_done(db, st, "user disable");
	if (r != ST_OK || !disabled)
		return r;
	st = db_stmt(db, rsql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, now);
	return db_done(db, st, "sessions revoke");
}

enum st store_signin_unlock(struct db *db, const char *login)
{
	static const char sql[] = "DELETE FROM signin_failure WHERE login = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
	return db_done(db, st, "unlock");
}

enum st store_user_signed_in(struct db *db, int64_t uid, int64_t now)
{
	static const char sql[] = "UPDATE app_user SET last_signin_at = ?2 WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, now);
	return db_done(db, st, "last sign-in");
}

/* ---- organisation links ----------------------------------------------------- */

bool store_role_fits(struct db *db, const char *role, const char *kind)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM role WHERE code = ?1 AND code <> 'EXTRACT_LOADER'"
		" AND instr(',' || org_kinds || ',', ',' || ?2 || ',') > 0)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	return db_one_int(st, 0) != 0;
}

bool store_role_exists(struct db *db, const char *role)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM role WHERE code = ?1)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_text(st, 1, role, -1, SQLITE_TRANSIENT);
	return db_one_int(st, 0) != 0;
}

/* The clusters a link to org ?1 may carry: a commissioner's own, or for a
 * practice those of its ICB that contain it. */
#define SQL_LINK_CLUSTERS \
	"SELECT c.id FROM cluster c WHERE c.owner_org_id = ?1" \
	" UNION SELECT m.cluster_id FROM cluster_member m WHERE m.org_id = ?1"

json_t *store_org_clusters_json(struct db *db, int64_t org_id)
{
	static const char sql[] =
		"SELECT id, name, description FROM cluster WHERE id IN (" SQL_LINK_CLUSTERS ")"
		" ORDER BY name";
	json_t *a = json_array();
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return a;
	dbs_bind_int64(st, 1, org_id);
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(a, json_pack("{s:I, s:o, s:o}", "id",
			(json_int_t)dbs_column_int64(st, 0), "name", col_json_text(st, 1),
			"description", col_json_text(st, 2)));
	dbs_reset(st);
	return a;
}

bool store_cluster_fits_org(struct db *db, int64_t cluster_id, int64_t org_id)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM (" SQL_LINK_CLUSTERS ") WHERE id = ?2)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_int64(st, 2, cluster_id);
	return db_one_int(st, 0) != 0;
}

json_t *store_roles_for_kind_json(struct db *db, const char *kind, bool dm_only)
{
	static const char sql[] =
		"SELECT code, name FROM role WHERE code <> 'EXTRACT_LOADER'"
		" AND instr(',' || org_kinds || ',', ',' || ?1 || ',') > 0"
		" AND (?2 = 0 OR code = 'DECLARATION_MANAGEMENT') ORDER BY name";
	json_t *a = json_array();
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return a;
	dbs_bind_text(st, 1, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_int(st, 2, dm_only);
	while (dbs_step(st) == SQLITE_ROW) {
		const char *code = (const char *)dbs_column_text(st, 0);
		json_array_append_new(a, json_pack("{s:s, s:o, s:b}", "code", code,
			"name", col_json_text(st, 1), "payment_types",
			role_listed(ROLES_PAYMENT_TYPES, code)));
	}
	dbs_reset(st);
	return a;
}

int store_pcn_declarers(struct db *db, int64_t org_id)
{
	static const char sql[] =
		"SELECT count(DISTINCT g.user_id) FROM role_grant g JOIN app_user u ON u.id = g.user_id"
		" WHERE g.org_id = ?1 AND g.role_code = 'DECLARATION_MANAGEMENT'"
		" AND g.revoked_at IS NULL AND u.disabled = 0";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, org_id);
	return (int)db_one_int(st, 0);
}

int store_org_admins(struct db *db, int64_t org_id, int64_t except_uid)
{
	static const char sql[] =
		"SELECT count(DISTINCT g.user_id) FROM role_grant g JOIN app_user u ON u.id = g.user_id"
		" WHERE g.org_id = ?1 AND (g.role_code = 'USER_ADMIN' OR g.role_code = 'ADV_USER_ADMIN')"
		" AND g.revoked_at IS NULL AND u.disabled = 0 AND u.id <> ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_int64(st, 2, except_uid);
	return (int)db_one_int(st, 0);
}

int store_user_admin_links(struct db *db, int64_t uid, int64_t **orgs)
{
	static const char sql[] =
		"SELECT DISTINCT g.org_id FROM role_grant g WHERE g.user_id = ?1"
		" AND (g.role_code = 'USER_ADMIN' OR g.role_code = 'ADV_USER_ADMIN')"
		" AND g.revoked_at IS NULL";
	*orgs = NULL;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return 0;
	dbs_bind_int64(st, 1, uid);
	int n = 0;
	while (dbs_step(st) == SQLITE_ROW) {
		*orgs = xrealloc(*orgs, (size_t)(n + 1) * sizeof **orgs);
		(*orgs)[n++] = dbs_column_int64(st, 0);
	}
	dbs_reset(st);
	return n;
}

bool store_link_exists(struct db *db, int64_t uid, int64_t org_id)
{
	static const char sql[] =
		"SELECT EXISTS (SELECT 1 FROM role_grant WHERE user_id = ?1 AND org_id = ?2"
		" AND revoked_at IS NULL)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, org_id);
	return db_one_int(st, 0) != 0;
}

/* Replaces the clusters of the link (uid, org_id) with ids. */
static enum st link_clusters(struct db *db, int64_t uid, int64_t org_id, const int64_t *ids,
			     size_t n)
{
	static const char del[] =
		"DELETE FROM user_cluster WHERE user_id = ?2 AND cluster_id IN (" SQL_LINK_CLUSTERS ")";
	static const char ins[] =
		"INSERT OR IGNORE INTO user_cluster(user_id, cluster_id) VALUES (?1, ?2)";
	dbstmt *st = db_stmt(db, del);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_int64(st, 2, uid);
	enum st r = db_done(db, st, "link clusters");
	for (size_t i = 0; r == ST_OK && i < n; i++) {
		st = db_stmt(db, ins);
		if (!st)
			return ST_ERROR;
		dbs_bind_int64(st, 1, uid);
		dbs_bind_int64(st, 2, ids[i]);
		r = db_done(db, st, "link cluster");
	}
	return r;
}

enum st store_link_set(struct db *db, const struct link_set *l)
{
	static const char revoke[] =
		"UPDATE role_grant SET revoked_at = ?3 WHERE user_id = ?1 AND org_id = ?2"
		" AND revoked_at IS NULL AND instr(',' || ?4 || ',', ',' || role_code || ',') = 0";
	static const char grant[] =
		"INSERT INTO role_grant(user_id, org_id, role_code, granted_at, granted_by, payment_types)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(user_id, org_id, role_code) DO UPDATE SET"
		" revoked_at = NULL, payment_types = excluded.payment_types,"
		" granted_at = CASE WHEN role_grant.revoked_at IS NULL THEN role_grant.granted_at"
		"   ELSE excluded.granted_at END,"
		" granted_by = CASE WHEN role_grant.revoked_at IS NULL THEN role_grant.granted_by"
		"   ELSE excluded.granted_by END";
	struct buf all;
	buf_init(&all);
	for (size_t i = 0; i < l->nroles; i++) {
		if (i)
			buf_puts(&all, ",");
		buf_puts(&all, l->roles[i]);
	}
	dbstmt *st = db_stmt(db, revoke);
	enum st r = ST_ERROR;
	if (st) {
		dbs_bind_int64(st, 1, l->uid);
		dbs_bind_int64(st, 2, l->org_id);
		dbs_bind_int64(st, 3, l->now);
		dbs_bind_text(st, 4, all.data ? all.data : "", -1, SQLITE_TRANSIENT);
		r = db_done(db, st, "link revoke roles");
	}
	buf_free(&all);
	for (size_t i = 0; r == ST_OK && i < l->nroles; i++) {
		st = db_stmt(db, grant);
		if (!st)
			return ST_ERROR;
		dbs_bind_int64(st, 1, l->uid);
		dbs_bind_int64(st, 2, l->org_id);
		dbs_bind_text(st, 3, l->roles[i], -1, SQLITE_TRANSIENT);
		dbs_bind_int64(st, 4, l->now);
		if (l->by)
			dbs_bind_int64(st, 5, l->by);
		bind_opt_text(st, 6, role_listed(ROLES_PAYMENT_TYPES, l->roles[i]) &&
				     l->payment_types && *l->payment_types ? l->payment_types : NULL);
		r = db_done(db, st, "link grant");
	}
	if (r == ST_OK)
		r = link_clusters(db, l->uid, l->org_id, l->clusters, l->nclusters);
	return r;
}

enum st store_link_revoke(struct db *db, int64_t uid, int64_t org_id, int64_t now)
{
	static const char sql[] =
		"UPDATE role_grant SET revoked_at = ?3 WHERE user_id = ?1 AND org_id = ?2"
		" AND revoked_at IS NULL";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, now);
	enum st r = db_done(db, st, "link revoke");
	if (r == ST_OK)
		r = link_clusters(db, uid, org_id, NULL, 0);
	return r;
}

/* ---- codes ------------------------------------------------------------------- */

enum st store_code_issue(struct db *db, int64_t uid, const char *kind, const char *hash,
			 int valid_days, int64_t expires_at, int64_t now)
{
	static const char kill[] =
		"UPDATE account_code SET revoked_at = ?3 WHERE user_id = ?1 AND kind = ?2"
		" AND used_at IS NULL AND revoked_at IS NULL";
	static const char ins[] =
		"INSERT INTO account_code(user_id, kind, code_hash, created_at, expires_on, expires_at)"
		" VALUES (?1, ?2, ?3, ?4, CASE WHEN ?5 > 0 THEN date(" SQL_TODAY ", '+' || ?5 || ' days')"
		" END, ?6)";
	dbstmt *st = db_stmt(db, kill);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, now);
	enum st r = db_done(db, st, "code kill");
	if (r != ST_OK)
		return r;
	st = db_stmt(db, ins);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, hash, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now);
	dbs_bind_int(st, 5, valid_days);
	if (expires_at)
		dbs_bind_int64(st, 6, expires_at);
	return db_done(db, st, "code issue");
}

enum st store_code_find(struct db *db, int64_t uid, const char *hash, int64_t now,
			struct code_rec *out)
{
	static const char sql[] =
		"SELECT id, kind, used_at IS NOT NULL, revoked_at IS NOT NULL,"
		" (expires_on IS NOT NULL AND expires_on < " SQL_TODAY ")"
		"   OR (expires_at IS NOT NULL AND expires_at <= ?3)"
		" FROM account_code WHERE user_id = ?1 AND code_hash = ?2 ORDER BY id DESC LIMIT 1";
	memset(out, 0, sizeof *out);
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, now);
	int rc = dbs_step(st);
	enum st r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		out->id = dbs_column_int64(st, 0);
		col_text(st, 1, out->kind, sizeof out->kind);
		out->used = dbs_column_int(st, 2);
		out->revoked = dbs_column_int(st, 3);
		out->expired = dbs_column_int(st, 4);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

enum st store_code_use(struct db *db, int64_t id, int64_t now)
{
	static const char sql[] =
		"UPDATE account_code SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, now);
	enum st r = db_done(db, st, "code use");
	if (r == ST_OK && db_changes(db) == 0)
		return ST_CONFLICT;
	return r;
}

/* ---- the administration screens' JSON ------------------------------------------ */

/* The live links of user ?2 (managed ones only when ?3 is 1) as seen by
 * administrator ?1: one row per grant, ordered by organisation. */
static const char LINKS_SQL[] =
	ADMIN_CTE
	" SELECT o.code, o.name, o.kind, g.role_code, coalesce(g.payment_types, ''),"
	" date(min(g.granted_at) OVER (PARTITION BY o.id), 'unixepoch'),"
	" EXISTS (SELECT 1 FROM admin_org a WHERE a.id = o.id"
	"   AND (a.full = 1 OR g.role_code = 'DECLARATION_MANAGEMENT')), o.id"
	" FROM role_grant g JOIN organisation o ON o.id = g.org_id"
	" WHERE g.user_id = ?2 AND g.revoked_at IS NULL"
	" AND (?3 = 0 OR o.id IN (SELECT id FROM admin_org))"
	" ORDER BY o.kind = 'PRACTICE' DESC, o.code, g.role_code";

static json_t *split_list(const char *s)
{
	json_t *a = json_array();
	char *copy = xstrdup(s ? s : ""), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		json_array_append_new(a, json_string(t));
	free(copy);
	return a;
}

static json_t *links_json(struct db *db, int64_t admin, int64_t uid, bool full)
{
	static const char csql[] =
		"SELECT c.id, c.name FROM user_cluster uc JOIN cluster c ON c.id = uc.cluster_id"
		" WHERE uc.user_id = ?2 AND c.id IN (" SQL_LINK_CLUSTERS ") ORDER BY c.name";
	json_t *orgs = json_array();
	dbstmt *st = db_stmt(db, LINKS_SQL);
	if (!st)
		return orgs;
	dbs_bind_int64(st, 1, admin);
	dbs_bind_int64(st, 2, uid);
	dbs_bind_int(st, 3, !full);
	json_t *cur = NULL;
	int64_t cur_id = 0;
	struct {
		json_t *obj;
		int64_t id;
	} *list = NULL;
	size_t n = 0;
	while (dbs_step(st) == SQLITE_ROW) {
		int64_t oid = dbs_column_int64(st, 7);
		if (!cur || oid != cur_id) {
			cur = json_pack("{s:o, s:o, s:o, s:[]}", "code", col_json_text(st, 0),
					"name", col_json_text(st, 1), "kind", col_json_text(st, 2),
					"roles");
			if (full) {
				json_object_set_new(cur, "payment_types", json_array());
				json_object_set_new(cur, "granted", col_json_text(st, 5));
				json_object_set_new(cur, "managed", json_false());
			}
			json_array_append_new(orgs, cur);
			cur_id = oid;
			list = xrealloc(list, (n + 1) * sizeof *list);
			list[n].obj = cur;
			list[n++].id = oid;
		}
		json_array_append_new(json_object_get(cur, "roles"), col_json_text(st, 3));
		if (full) {
			const char *pt = (const char *)dbs_column_text(st, 4);
			if (pt && *pt)
				json_object_set_new(cur, "payment_types", split_list(pt));
			if (dbs_column_int(st, 6))
				json_object_set_new(cur, "managed", json_true());
		}
	}
	dbs_reset(st);
	for (size_t i = 0; full && i < n; i++) {
		json_t *cl = json_array();
		st = db_stmt(db, csql);
		if (st) {
			dbs_bind_int64(st, 1, list[i].id);
			dbs_bind_int64(st, 2, uid);
			while (dbs_step(st) == SQLITE_ROW)
				json_array_append_new(cl, json_pack("{s:I, s:o}", "id",
					(json_int_t)dbs_column_int64(st, 0), "name",
					col_json_text(st, 1)));
			dbs_reset(st);
		}
		json_object_set_new(list[i].obj, "clusters", cl);
	}
	free(list);
	return orgs;
}

#define USER_ROW_COLS \
	" u.id, u.user_id, u.name, u.email, date(u.created_at, 'unixepoch')," \
	" " SQL_USER_STATE("u") "," \
	" strftime('%Y-%m-%dT%H:%M:%SZ', u.last_signin_at, 'unixepoch')"

json_t *store_admin_users_json(struct db *db, int64_t admin, const char *q, const char *state,
			       int64_t org_id, int limit, int offset)
{
	static const char sql[] =
		ADMIN_CTE ", rows AS (SELECT" USER_ROW_COLS ", count(*) OVER () AS total"
		" FROM app_user u WHERE u.id IN managed_user"
		" AND (?2 IS NULL OR instr(lower(u.user_id), lower(?2)) > 0"
		"   OR instr(lower(u.name), lower(?2)) > 0 OR instr(lower(u.email), lower(?2)) > 0)"
		" AND (?3 IS NULL OR " SQL_USER_STATE("u") " = ?3)"
		" AND (?4 IS NULL OR EXISTS (SELECT 1 FROM role_grant g WHERE g.user_id = u.id"
		"   AND g.org_id = ?4 AND g.revoked_at IS NULL))"
		" ORDER BY u.name COLLATE NOCASE, u.user_id LIMIT ?5 OFFSET ?6)"
		" SELECT * FROM rows";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, admin);
	bind_opt_text(st, 2, q && *q ? q : NULL);
	bind_opt_text(st, 3, state);
	if (org_id)
		dbs_bind_int64(st, 4, org_id);
	dbs_bind_int(st, 5, limit);
	dbs_bind_int(st, 6, offset);
	json_t *users = json_array();
	json_int_t total = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		total = dbs_column_int64(st, 7);
		json_array_append_new(users, json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}",
			"id", (json_int_t)dbs_column_int64(st, 0), "user_id", col_json_text(st, 1),
			"name", col_json_text(st, 2), "email", col_json_text(st, 3),
			"created", col_json_text(st, 4), "state", col_json_text(st, 5),
			"last_signin", col_json_text(st, 6)));
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(users);
		return NULL;
	}
	size_t i;
	json_t *u;
	json_array_foreach(users, i, u)
		json_object_set_new(u, "organisations",
			links_json(db, admin, json_integer_value(json_object_get(u, "id")), false));
	return json_pack("{s:o, s:I}", "users", users, "total", total);
}

/* A user's history: the audit rows about the user, newest first. */
static json_t *history_json(struct db *db, int64_t uid)
{
	static const char sql[] =
		"SELECT strftime('%Y-%m-%dT%H:%M:%SZ', a.at, 'unixepoch'), coalesce(u.user_id, ''),"
		" a.addr, a.action, json_extract(a.after_json, '$.detail')"
		" FROM audit_log a LEFT JOIN app_user u ON u.id = a.user_id"
		" WHERE a.entity = 'user' AND a.entity_id = ?1 ORDER BY a.at DESC, a.id DESC LIMIT 200";
	json_t *h = json_array();
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return h;
	dbs_bind_int64(st, 1, uid);
	while (dbs_step(st) == SQLITE_ROW)
		json_array_append_new(h, json_pack("{s:o, s:o, s:o, s:o, s:o}", "at",
			col_json_text(st, 0), "by", col_json_text(st, 1), "from", col_json_text(st, 2),
			"action", col_json_text(st, 3), "detail", col_json_text(st, 4)));
	dbs_reset(st);
	return h;
}

json_t *store_admin_user_json(struct db *db, int64_t admin, int64_t uid)
{
	static const char sql[] =
		"SELECT" USER_ROW_COLS ", u.title, u.first_name, u.last_name, u.work_phone, u.mobile,"
		" (SELECT max(expires_on) FROM account_code c WHERE c.user_id = u.id"
		"   AND c.kind = 'REGISTRATION' AND c.used_at IS NULL AND c.revoked_at IS NULL)"
		" FROM app_user u WHERE u.id = ?1";
	if (!store_admin_manages_user(db, admin, uid))
		return NULL;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return NULL;
	}
	json_t *u = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"id", (json_int_t)dbs_column_int64(st, 0), "user_id", col_json_text(st, 1),
		"name", col_json_text(st, 2), "email", col_json_text(st, 3),
		"created", col_json_text(st, 4), "state", col_json_text(st, 5),
		"last_signin", col_json_text(st, 6), "title", col_json_text(st, 7),
		"first_name", col_json_text(st, 8), "last_name", col_json_text(st, 9),
		"work_phone", col_json_text(st, 10), "mobile", col_json_text(st, 11),
		"registration_expires", col_json_text(st, 12));
	dbs_reset(st);
	json_object_set_new(u, "organisations", links_json(db, admin, uid, true));
	json_object_set_new(u, "history", history_json(db, uid));
	return u;
}

/* ---- password expiry ----------------------------------------------------------------- */

enum st store_password_expiry_warn(struct db *db, int64_t max_age, int64_t warn, int64_t now,
				   const char *subject_fmt, const char *body_fmt)
{
	/* Users with a password that expires within warn seconds and has not
	 * expired, who were not yet warned about this password. */
#define DUE " disabled = 0 AND system_account = 0 AND password_hash IS NOT NULL" \
	" AND email <> '' AND password_set_at > 0 AND password_set_at + ?1 > ?3" \
	" AND password_set_at + ?1 - ?2 <= ?3 AND coalesce(password_warned_at, 0) < password_set_at"
	static const char ins[] =
		"INSERT INTO email_outbox(to_addr, subject, body, kind, created_at)"
		" SELECT email, printf(?4, date(password_set_at + ?1, 'unixepoch')),"
		" printf(?5, name, user_id, date(password_set_at + ?1, 'unixepoch')),"
		" 'PASSWORD_EXPIRY', ?3 FROM app_user WHERE" DUE;
	static const char mark[] = "UPDATE app_user SET password_warned_at = ?3 WHERE" DUE;
#undef DUE
	for (int i = 0; i < 2; i++) {
		dbstmt *st = db_stmt(db, i ? mark : ins);
		if (!st)
			return ST_ERROR;
		dbs_bind_int64(st, 1, max_age);
		dbs_bind_int64(st, 2, warn);
		dbs_bind_int64(st, 3, now);
		if (!i) {
			dbs_bind_text(st, 4, subject_fmt, -1, SQLITE_TRANSIENT);
			dbs_bind_text(st, 5, body_fmt, -1, SQLITE_TRANSIENT);
		}
		enum st r = db_done(db, st, "password expiry warnings");
		if (r != ST_OK)
			return r;
	}
	return ST_OK;
}
