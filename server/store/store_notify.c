/* store_notify.c: what every change leaves behind: the audit log, tasks on
 * the next actor's Home screen, and e-mails queued in the outbox for the
 * users whose notification preferences want them. All run inside the
 * caller's write transaction. */
#include "config.h"

#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

enum st store_audit(struct db *db, int64_t uid, const char *action, const char *entity,
		    int64_t entity_id, json_t *before, json_t *after)
{
	return store_audit_from(db, uid, NULL, action, entity, entity_id, before, after);
}

enum st store_task_add(struct db *db, int64_t org_id, const char *role, const char *kind,
		       const char *title, const char *subject_type, int64_t subject_id)
{
	static const char sql[] =
		"INSERT INTO task(org_id, role_code, kind, title, subject_type, subject_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, org_id);
	if (role)
		dbs_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, title, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, subject_type, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 6, subject_id);
	dbs_bind_int64(st, 7, now_s());
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_task_done(struct db *db, const char *subject_type, int64_t subject_id,
			const char *kinds, int64_t uid)
{
	static const char sql[] =
		"UPDATE task SET done_at = ?4, done_by = ?5 WHERE done_at IS NULL"
		" AND subject_type = ?1 AND subject_id = ?2"
		" AND (?3 IS NULL OR instr(',' || ?3 || ',', ',' || kind || ',') > 0)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, subject_type, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 2, subject_id);
	if (kinds)
		dbs_bind_text(st, 3, kinds, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now_s());
	if (uid)
		dbs_bind_int64(st, 5, uid);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_email_role(struct db *db, int64_t org_id, const char *role, const char *kind,
			 const char *subject, const char *body)
{
	/* Everyone holding the role on the organisation, with an e-mail
	 * address, who has not turned this kind of notification off. */
	static const char sql[] =
		"INSERT INTO email_outbox(to_addr, subject, body, kind, created_at)"
		" SELECT u.email, ?3, ?4, ?5, ?6 FROM role_grant g"
		" JOIN app_user u ON u.id = g.user_id"
		" WHERE g.org_id = ?1 AND g.role_code = ?2 AND g.revoked_at IS NULL"
		" AND u.disabled = 0 AND u.email <> ''"
		" AND coalesce((SELECT enabled FROM notification_pref p"
		"   WHERE p.user_id = u.id AND p.kind = ?5), 1) = 1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, org_id);
	dbs_bind_text(st, 2, role, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, subject, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, body, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 6, now_s());
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_notify(struct db *db, int64_t org_id, const char *role, const char *kind,
		     const char *title, const char *subject_type, int64_t subject_id,
		     const char *body)
{
	enum st r = store_task_add(db, org_id, role, kind, title, subject_type, subject_id);
	if (r == ST_OK)
		r = store_email_role(db, org_id, role, kind, title, body);
	return r;
}

enum st store_task_dismiss(struct db *db, int64_t task_id, int64_t uid)
{
	/* The visibility rule of store_tasks_json(), clusters included. */
	static const char sql[] =
		SCOPE_CTE
		" UPDATE task SET done_at = ?3, done_by = ?1 WHERE id = ?2 AND done_at IS NULL"
		" AND " SQL_TASK_VISIBLE("task") " AND " SQL_TASK_NOTICE("task");
	/* Not dismissed: a work task the user sees (conflict), or none. */
	static const char work[] =
		SCOPE_CTE
		" SELECT 1 FROM task WHERE id = ?2 AND done_at IS NULL"
		" AND " SQL_TASK_VISIBLE("task");
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, task_id);
	dbs_bind_int64(st, 3, now_s());
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE)
		return st_from_sqlite(rc);
	if (db_changes(db) == 1)
		return ST_OK;
	st = db_stmt(db, work);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, task_id);
	rc = dbs_step(st);
	dbs_reset(st);
	if (rc == SQLITE_ROW)
		return ST_CONFLICT;
	return rc == SQLITE_DONE ? ST_NOTFOUND : st_from_sqlite(rc);
}

/* The claim: SQLite's writers are one at a time; PostgreSQL's row locks
 * let two instances' claims pass each other (SKIP LOCKED) rather than
 * wait or claim the same row. */
#define OUTBOX_CLAIM(lock) \
	"UPDATE email_outbox SET claimed_until = ?1 + ?3 WHERE id IN (SELECT id FROM email_outbox" \
	" WHERE sent_at IS NULL AND next_attempt_at <= ?1 AND coalesce(claimed_until, 0) <= ?1" \
	" ORDER BY id LIMIT ?2" lock ") RETURNING id, to_addr, subject, body, kind, attempts"

enum st store_outbox_claim(struct db *db, int64_t now, int64_t lease, int limit,
			   struct mail **out, size_t *n)
{
	static const char sql[] = OUTBOX_CLAIM("");
	static const char sql_pg[] = OUTBOX_CLAIM(" FOR UPDATE SKIP LOCKED");
	*out = NULL;
	*n = 0;
	dbstmt *st = db_stmt(db, DBI_PG_ONLY ? sql_pg : sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, now);
	dbs_bind_int(st, 2, limit);
	dbs_bind_int64(st, 3, lease);
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		*out = xrealloc(*out, (*n + 1) * sizeof **out);
		struct mail *m = &(*out)[(*n)++];
		m->id = dbs_column_int64(st, 0);
		col_text(st, 1, m->to, sizeof m->to);
		col_text(st, 2, m->subject, sizeof m->subject);
		col_text(st, 3, m->body, sizeof m->body);
		col_text(st, 4, m->kind, sizeof m->kind);
		m->attempts = dbs_column_int(st, 5);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_outbox_sent(struct db *db, int64_t id, int64_t at)
{
	static const char sql[] =
		"UPDATE email_outbox SET sent_at = ?2, attempts = attempts + 1, last_error = NULL,"
		" claimed_until = NULL WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, at);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

enum st store_outbox_failed(struct db *db, int64_t id, int64_t next_attempt, const char *err)
{
	static const char sql[] =
		"UPDATE email_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3,"
		" claimed_until = NULL WHERE id = ?1";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, next_attempt);
	dbs_bind_text(st, 3, err, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

/* The kinds of notification a user can turn on or off. */
static const char *const kinds[][2] = {
	{"OFFER", "A quality service is offered to my practice"},
	{"OFFER_AUTO_ACCEPTED", "A service is accepted on my practice's behalf through its PCN"},
	{"OFFER_REJECTED", "A practice rejects a service I offered"},
	{"OFFER_WITHDRAWN", "An offer to my practice is withdrawn"},
	{"OFFER_CANCELLED", "A service of my practice is cancelled"},
	{"DECLARATION", "An achievement is ready for me to declare"},
	{"DECLARATION_APPROVAL", "A declaration awaits my approval"},
	{"DECLARATION_FINANCE", "A declaration awaits my financial approval"},
	{"DECLARATION_APPROVED", "A payment is financially approved"},
};

bool store_notification_kind_valid(const char *kind)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kinds[i][0], kind))
			return true;
	return false;
}

json_t *store_notification_prefs_json(struct db *db, int64_t uid)
{
	static const char sql[] =
		"SELECT enabled FROM notification_pref WHERE user_id = ?1 AND kind = ?2";
	json_t *list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		bool on = true;
		dbstmt *st = db_stmt(db, sql);
		if (st) {
			dbs_bind_int64(st, 1, uid);
			dbs_bind_text(st, 2, kinds[i][0], -1, SQLITE_STATIC);
			if (dbs_step(st) == SQLITE_ROW)
				on = dbs_column_int(st, 0);
			dbs_reset(st);
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:b}", "kind", kinds[i][0],
						      "name", kinds[i][1], "enabled", on));
	}
	return json_pack("{s:o}", "preferences", list);
}

enum st store_notification_pref_set(struct db *db, int64_t uid, const char *kind, bool enabled)
{
	static const char sql[] =
		"INSERT INTO notification_pref(user_id, kind, enabled) VALUES (?1, ?2, ?3)"
		" ON CONFLICT(user_id, kind) DO UPDATE SET enabled = excluded.enabled";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, kind, -1, SQLITE_TRANSIENT);
	dbs_bind_int(st, 3, enabled);
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}
