/* store_users.c: users, passwords, sessions, role grants, clusters and
 * the organisation-scope rule. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

static const char USER_COLS[] =
	"SELECT id, user_id, name, email, coalesce(password_hash,''), password_set_at,"
	" disabled, system_account FROM app_user ";

static void read_user(dbstmt *st, struct user_rec *u)
{
	memset(u, 0, sizeof *u);
	u->id = dbs_column_int64(st, 0);
	col_text(st, 1, u->user_id, sizeof u->user_id);
	col_text(st, 2, u->name, sizeof u->name);
	col_text(st, 3, u->email, sizeof u->email);
	col_text(st, 4, u->password_hash, sizeof u->password_hash);
	u->password_set_at = dbs_column_int64(st, 5);
	u->disabled = dbs_column_int(st, 6);
	u->system_account = dbs_column_int(st, 7);
}

static enum st one_user(struct db *db, dbstmt *st, struct user_rec *out)
{
	if (!st)
		return ST_ERROR;
	int rc = dbs_step(st);
	enum st r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		read_user(st, out);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		db_log_error(db, "user lookup");
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

enum st store_user_by_login(struct db *db, const char *user_id, struct user_rec *out)
{
	static char *sql;
	if (!sql)
		sql = xasprintf("%sWHERE user_id = ?1", USER_COLS);
	dbstmt *st = db_stmt(db, sql);
	if (st)
		dbs_bind_text(st, 1, user_id, -1, SQLITE_TRANSIENT);
	return one_user(db, st, out);
}

enum st store_user_by_id(struct db *db, int64_t id, struct user_rec *out)
{
	static char *sql;
	if (!sql)
		sql = xasprintf("%sWHERE id = ?1", USER_COLS);
	dbstmt *st = db_stmt(db, sql);
	if (st)
		dbs_bind_int64(st, 1, id);
	return one_user(db, st, out);
}

enum st store_user_by_email(struct db *db, const char *email, struct user_rec *out)
{
	static char *sql;
	if (!sql)
		sql = xasprintf("%sWHERE lower(email) = lower(?1) AND email <> '' AND system_account = 0",
				USER_COLS);
	dbstmt *st = db_stmt(db, sql);
	if (st)
		dbs_bind_text(st, 1, email, -1, SQLITE_TRANSIENT);
	return one_user(db, st, out);
}

enum st store_signin_failures(struct db *db, const char *login, const char *addr,
			      struct signin_failures *out)
{
	static const char sql[] =
		"SELECT failures, wait_until_ms FROM signin_failure WHERE login = ?1 AND addr = ?2";
	memset(out, 0, sizeof *out);
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, addr, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	if (rc == SQLITE_ROW) {
		out->failures = dbs_column_int(st, 0);
		out->wait_until_ms = dbs_column_int64(st, 1);
	}
	dbs_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		db_log_error(db, "sign-in failures");
		return st_from_sqlite(rc);
	}
	return ST_OK;
}

enum st store_signin_failed(struct db *db, const char *login, const char *addr,
			    int64_t now_ms, const struct signin_failures *f)
{
	/* A wait still to come is kept however old its last failure (an
	 * account locked on purpose stays locked until unlocked). */
	static const char prune[] =
		"DELETE FROM signin_failure WHERE last_at_ms < ?1 AND wait_until_ms < ?2";
	static const char sql[] =
		"INSERT INTO signin_failure(login, addr, failures, wait_until_ms, last_at_ms)"
		" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (login, addr) DO UPDATE SET"
		" failures = excluded.failures, wait_until_ms = excluded.wait_until_ms,"
		" last_at_ms = excluded.last_at_ms";
	dbstmt *st = db_stmt(db, prune);
	if (st) {
		dbs_bind_int64(st, 1, now_ms - (int64_t)24 * 3600 * 1000);
		dbs_bind_int64(st, 2, now_ms);
	}
	enum st r = db_done(db, st, "sign-in failures prune");
	if (r != ST_OK)
		return r;
	st = db_stmt(db, sql);
	if (st) {
		dbs_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
		dbs_bind_text(st, 2, addr, -1, SQLITE_TRANSIENT);
		dbs_bind_int(st, 3, f->failures);
		dbs_bind_int64(st, 4, f->wait_until_ms);
		dbs_bind_int64(st, 5, now_ms);
	}
	return db_done(db, st, "sign-in failed");
}

enum st store_signin_ok(struct db *db, const char *login, const char *addr)
{
	static const char sql[] = "DELETE FROM signin_failure WHERE login = ?1 AND addr = ?2";
	dbstmt *st = db_stmt(db, sql);
	if (st) {
		dbs_bind_text(st, 1, login, -1, SQLITE_TRANSIENT);
		dbs_bind_text(st, 2, addr, -1, SQLITE_TRANSIENT);
	}
	return db_done(db, st, "sign-in ok");
}

enum st store_user_create(struct db *db, const char *user_id, const char *name,
			  const char *email, const char *password_hash, int64_t now, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO app_user(user_id, name, email, password_hash, password_set_at, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?5)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_text(st, 1, user_id, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, email ? email : "", -1, SQLITE_TRANSIENT);
	if (password_hash)
		dbs_bind_text(st, 4, password_hash, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, 4);
	dbs_bind_int64(st, 5, now);
	enum st r = db_done(db, st, "user create");
	if (r == ST_OK && id)
		*id = db_last_insert_rowid(db);
	if (r == ST_OK && password_hash) {
		static const char hsql[] =
			"INSERT INTO password_history(user_id, password_hash, set_at) VALUES (?1, ?2, ?3)";
		dbstmt *h = db_stmt(db, hsql);
		if (!h)
			return ST_ERROR;
		dbs_bind_int64(h, 1, db_last_insert_rowid(db));
		dbs_bind_text(h, 2, password_hash, -1, SQLITE_TRANSIENT);
		dbs_bind_int64(h, 3, now);
		r = db_done(db, h, "password history");
	}
	return r;
}

enum st store_password_history(struct db *db, int64_t uid, char (*hashes)[160], size_t max,
			       size_t *n)
{
	static const char sql[] =
		"SELECT password_hash FROM password_history WHERE user_id = ?1"
		" ORDER BY set_at DESC, id DESC LIMIT ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, (int64_t)max);
	*n = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW && *n < max)
		col_text(st, 0, hashes[(*n)++], 160);
	dbs_reset(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? ST_OK : st_from_sqlite(rc);
}

enum st store_user_set_password(struct db *db, int64_t uid, const char *hash, int64_t now)
{
	static const char sql[] =
		"UPDATE app_user SET password_hash = ?2, password_set_at = ?3 WHERE id = ?1";
	static const char hsql[] =
		"INSERT INTO password_history(user_id, password_hash, set_at) VALUES (?1, ?2, ?3)";
	for (int i = 0; i < 2; i++) {
		dbstmt *st = db_stmt(db, i ? hsql : sql);
		if (!st)
			return ST_ERROR;
		dbs_bind_int64(st, 1, uid);
		dbs_bind_text(st, 2, hash, -1, SQLITE_TRANSIENT);
		dbs_bind_int64(st, 3, now);
		enum st r = db_done(db, st, "set password");
		if (r != ST_OK)
			return r;
	}
	return ST_OK;
}

enum st store_grant_role(struct db *db, int64_t uid, const char *org_code, const char *role_code,
			 int64_t now)
{
	static const char sql[] =
		"INSERT INTO role_grant(user_id, org_id, role_code, granted_at)"
		" SELECT ?1, id, ?3, ?4 FROM organisation WHERE code = ?2"
		" ON CONFLICT(user_id, org_id, role_code) DO UPDATE SET revoked_at = NULL";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, org_code, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, role_code, -1, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 4, now);
	enum st r = db_done(db, st, "grant role");
	if (r == ST_OK && db_changes(db) == 0)
		return ST_NOTFOUND;
	return r;
}

enum st store_session_create(struct db *db, int64_t uid, const unsigned char hash[32],
			     int64_t now, int64_t expires_at)
{
	static const char sql[] =
		"INSERT INTO session(user_id, token_hash, created_at, last_used_at, expires_at)"
		" VALUES (?1, ?2, ?3, ?3, ?4)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_blob(st, 2, hash, 32, SQLITE_TRANSIENT);
	dbs_bind_int64(st, 3, now);
	dbs_bind_int64(st, 4, expires_at);
	return db_done(db, st, "session create");
}

enum st store_session_lookup(struct db *db, const unsigned char hash[32], int64_t now,
			     int64_t idle, struct session_rec *out)
{
	static const char sql[] =
		"SELECT id, user_id, last_used_at, expires_at FROM session"
		" WHERE token_hash = ?1 AND revoked_at IS NULL AND expires_at > ?2"
		" AND last_used_at + ?3 > ?2";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	dbs_bind_int64(st, 2, now);
	dbs_bind_int64(st, 3, idle);
	int rc = dbs_step(st);
	enum st r = ST_NOTFOUND;
	if (rc == SQLITE_ROW) {
		out->id = dbs_column_int64(st, 0);
		out->uid = dbs_column_int64(st, 1);
		out->last_used_at = dbs_column_int64(st, 2);
		out->expires_at = dbs_column_int64(st, 3);
		r = ST_OK;
	} else if (rc != SQLITE_DONE) {
		r = st_from_sqlite(rc);
	}
	dbs_reset(st);
	return r;
}

struct touch {
	int64_t session_id, now;
};

static enum st touch_tx(struct db *db, void *arg)
{
	static const char sql[] = "UPDATE session SET last_used_at = ?2 WHERE id = ?1";
	const struct touch *t = arg;
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, t->session_id);
	dbs_bind_int64(st, 2, t->now);
	return db_done(db, st, "session touch");
}

/* Its own transaction, or a savepoint inside the request's read
 * transaction: on PostgreSQL a touch that loses to another request's
 * touch of the same session (a serialization failure) must not abort the
 * read it is part of; it is best effort either way. */
enum st store_session_touch(struct db *db, int64_t session_id, int64_t now)
{
	struct touch t = {session_id, now};
	return store_tx(db, true, touch_tx, &t);
}

enum st store_session_revoke(struct db *db, int64_t session_id, int64_t now)
{
	static const char sql[] =
		"UPDATE session SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, session_id);
	dbs_bind_int64(st, 2, now);
	return db_done(db, st, "session revoke");
}

enum st store_user_grants(struct db *db, int64_t uid, struct grant **out, size_t *n)
{
	static const char sql[] =
		"SELECT g.org_id, o.code, o.kind, g.role_code FROM role_grant g"
		" JOIN organisation o ON o.id = g.org_id"
		" WHERE g.user_id = ?1 AND g.revoked_at IS NULL ORDER BY o.code, g.role_code";
	dbstmt *st = db_stmt(db, sql);
	*out = NULL;
	*n = 0;
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	size_t cap = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		struct grant *g = &(*out)[(*n)++];
		g->org_id = dbs_column_int64(st, 0);
		col_text(st, 1, g->org_code, sizeof g->org_code);
		col_text(st, 2, g->org_kind, sizeof g->org_kind);
		col_text(st, 3, g->role, sizeof g->role);
	}
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

/* The connection's read cache: per connection (so per thread, no lock),
 * the sign-in data of a few recently used tokens (store_token_auth) and
 * the account part of GET /me of a few users (store_me_text), valid for
 * one snapshot stamp only (see struct db): the first read transaction
 * that finds the database changed, by anyone, empties it. */
#define AUTH_CACHE_SLOTS 32
#define ME_CACHE_SLOTS 16
#define TEXT_CACHE_SLOTS 32
#define SCOPE_CACHE_SLOTS 64
struct auth_entry {
	unsigned char hash[32];
	bool used;
	struct session_rec session;
	char user_id[65];
	bool system_account;
	struct grant *grants;
	size_t ngrants;
};
struct me_entry {
	int64_t uid; /* 0: empty; store_cache_text's entries: the key + 1 */
	char *text;
	size_t len;
};
/* One answer of scope_ask: which question (its SQL), about what. */
struct scope_entry {
	const char *sql; /* NULL: empty */
	int64_t uid, org, service;
	char roles[128];
	bool in;
};
struct read_cache {
	int64_t version, changes; /* the stamp the entries were read under */
	size_t next_auth, next_me, next_text; /* the slots to fill next (round robin) */
	struct auth_entry auth[AUTH_CACHE_SLOTS];
	struct me_entry me[ME_CACHE_SLOTS];
	struct me_entry text[TEXT_CACHE_SLOTS];
	size_t next_scope;
	struct scope_entry scope[SCOPE_CACHE_SLOTS];
};

static void read_cache_clear(struct read_cache *c)
{
	for (size_t i = 0; i < AUTH_CACHE_SLOTS; i++)
		free(c->auth[i].grants);
	for (size_t i = 0; i < ME_CACHE_SLOTS; i++)
		free(c->me[i].text);
	for (size_t i = 0; i < TEXT_CACHE_SLOTS; i++)
		free(c->text[i].text);
	memset(c, 0, sizeof *c);
}

void read_cache_free(struct db *db)
{
	if (!db->cache)
		return;
	read_cache_clear(db->cache);
	xfree(&db->cache);
}

/* The cache, emptied first when the snapshot's stamp is not the one its
 * entries were read under; NULL outside a stamped read transaction, and
 * once this connection has written inside it (the stamp no longer says
 * what the database holds). */
static struct read_cache *read_cache_now(struct db *db)
{
	if (!db->snap_stamped || db_total_changes(db) != db->snap_changes)
		return NULL;
	struct read_cache *c = db->cache;
	if (!c)
		c = db->cache = xcalloc(1, sizeof *c);
	if (c->version != db->snap_version || c->changes != db->snap_changes) {
		read_cache_clear(c);
		c->version = db->snap_version;
		c->changes = db->snap_changes;
	}
	return c;
}

const char *store_cached_text(struct db *db, int64_t key, size_t *len)
{
	struct read_cache *c = read_cache_now(db);
	for (size_t i = 0; c && i < TEXT_CACHE_SLOTS; i++)
		if (c->text[i].uid == key + 1 && c->text[i].text) {
			*len = c->text[i].len;
			return c->text[i].text;
		}
	return NULL;
}

void store_cache_text(struct db *db, int64_t key, char *text, size_t len)
{
	struct read_cache *c = read_cache_now(db);
	if (!c) {
		free(text);
		return;
	}
	struct me_entry *e = &c->text[c->next_text];
	c->next_text = (c->next_text + 1) % TEXT_CACHE_SLOTS;
	free(e->text);
	e->uid = key + 1;
	e->text = text;
	e->len = len;
}

static void copy_grants(struct token_auth *out, const struct grant *g, size_t n)
{
	out->ngrants = n;
	out->grants = n ? xmalloc(n * sizeof *g) : NULL;
	if (n)
		memcpy(out->grants, g, n * sizeof *g);
}

enum st store_token_auth(struct db *db, const unsigned char hash[32], int64_t now,
			 int64_t idle, struct token_auth *out)
{
	static const char sql[] =
		"SELECT s.id, s.user_id, s.last_used_at, s.expires_at, u.user_id, u.disabled,"
		" u.system_account"
		" FROM session s JOIN app_user u ON u.id = s.user_id"
		" WHERE s.token_hash = ?1 AND s.revoked_at IS NULL";
	memset(out, 0, sizeof *out);
	struct read_cache *c = read_cache_now(db);
	struct auth_entry *e = NULL;
	for (size_t i = 0; c && i < AUTH_CACHE_SLOTS && !e; i++)
		if (c->auth[i].used && !memcmp(c->auth[i].hash, hash, 32))
			e = &c->auth[i];
	if (!e) {
		dbstmt *st = db_stmt(db, sql);
		if (!st)
			return ST_ERROR;
		dbs_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
		int rc = dbs_step(st);
		if (rc != SQLITE_ROW) {
			dbs_reset(st);
			return rc == SQLITE_DONE ? ST_NOTFOUND : st_from_sqlite(rc);
		}
		struct auth_entry fresh = {.used = true};
		memcpy(fresh.hash, hash, 32);
		fresh.session.id = dbs_column_int64(st, 0);
		fresh.session.uid = dbs_column_int64(st, 1);
		fresh.session.last_used_at = dbs_column_int64(st, 2);
		fresh.session.expires_at = dbs_column_int64(st, 3);
		col_text(st, 4, fresh.user_id, sizeof fresh.user_id);
		bool disabled = dbs_column_int(st, 5) != 0;
		fresh.system_account = dbs_column_int(st, 6) != 0;
		dbs_reset(st);
		if (disabled)
			return ST_FORBIDDEN;
		enum st gs = store_user_grants(db, fresh.session.uid, &fresh.grants, &fresh.ngrants);
		if (gs != ST_OK)
			return gs;
		if (!c) {
			out->session = fresh.session;
			strlcpy_s(out->user_id, fresh.user_id, sizeof out->user_id);
			out->system_account = fresh.system_account;
			out->grants = fresh.grants;
			out->ngrants = fresh.ngrants;
			goto times;
		}
		e = &c->auth[c->next_auth];
		c->next_auth = (c->next_auth + 1) % AUTH_CACHE_SLOTS;
		free(e->grants);
		*e = fresh;
	}
	out->session = e->session;
	strlcpy_s(out->user_id, e->user_id, sizeof out->user_id);
	out->system_account = e->system_account;
	copy_grants(out, e->grants, e->ngrants);
times:
	/* The clock's part of "live", checked on every request. */
	if (out->session.expires_at <= now || out->session.last_used_at + idle <= now) {
		free(out->grants);
		memset(out, 0, sizeof *out);
		return ST_NOTFOUND;
	}
	return ST_OK;
}

bool store_user_has_cluster(struct db *db, int64_t uid)
{
	static const char sql[] = "SELECT EXISTS (SELECT 1 FROM user_cluster WHERE user_id = ?1)";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return true; /* fail closed */
	dbs_bind_int64(st, 1, uid);
	bool has = dbs_step(st) == SQLITE_ROW && dbs_column_int(st, 0);
	dbs_reset(st);
	return has;
}

/* One organisation against the scope statement (SCOPE_CTE). */
static const char SCOPE_SQL[] = SCOPE_CTE " SELECT EXISTS (SELECT 1 FROM scope WHERE id = ?2)";

/* One organisation and service against the reading rule
 * (SQL_SERVICE_READABLE; scope asked once, so that it stops at the
 * organisation), and a service at some organisation. */
static const char READABLE_SQL[] = SCOPE_CTE
	" SELECT EXISTS (SELECT 1 FROM scope WHERE id = ?2) AND EXISTS (SELECT 1"
	"  FROM quality_service s WHERE s.id = ?3 AND " SQL_SERVICE_TYPE_OK("?2", "s.payment_type") ")";
static const char READABLE_SOMEWHERE_SQL[] = SCOPE_CTE
	" SELECT EXISTS (SELECT 1 FROM scope WHERE ?2 = 0) AND EXISTS (SELECT 1"
	"  FROM quality_service s WHERE s.id = ?3 AND "
	SQL_SERVICE_READABLE_SOMEWHERE("s.payment_type") ")";

/* Runs one of the statements above for user ?1, organisation ?2, service
 * ?3 (a slot only in SCOPE_SQL) and roles ?99 (NULL: any). */
static bool scope_ask_db(struct db *db, const char *sql, int64_t uid, int64_t org_id,
			 int64_t service_id, const char *roles);

/* The answers are kept in the connection's read cache for the snapshot:
 * a request asks the same question several times (each money figure asks
 * the rule of pounds), and on PostgreSQL each answer is a round trip. */
static bool scope_ask(struct db *db, const char *sql, int64_t uid, int64_t org_id,
		      int64_t service_id, const char *roles)
{
	struct read_cache *c = read_cache_now(db);
	if (c && roles && strlen(roles) >= sizeof c->scope[0].roles)
		c = NULL;
	for (size_t i = 0; c && i < SCOPE_CACHE_SLOTS; i++) {
		const struct scope_entry *e = &c->scope[i];
		if (e->sql == sql && e->uid == uid && e->org == org_id && e->service == service_id &&
		    !strcmp(e->roles, roles ? roles : ""))
			return e->in;
	}
	bool in = scope_ask_db(db, sql, uid, org_id, service_id, roles);
	if (c) {
		struct scope_entry *e = &c->scope[c->next_scope];
		c->next_scope = (c->next_scope + 1) % SCOPE_CACHE_SLOTS;
		*e = (struct scope_entry){.sql = sql, .uid = uid, .org = org_id,
					  .service = service_id, .in = in};
		strlcpy_s(e->roles, roles ? roles : "", sizeof e->roles);
	}
	return in;
}

static bool scope_ask_db(struct db *db, const char *sql, int64_t uid, int64_t org_id,
			 int64_t service_id, const char *roles)
{
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, service_id);
	if (roles)
		dbs_bind_text(st, 99, roles, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, 99);
	bool in = dbs_step(st) == SQLITE_ROW && dbs_column_int(st, 0);
	dbs_reset(st);
	return in;
}

bool store_org_in_scope(struct db *db, int64_t uid, int64_t org_id, const char *roles)
{
	return scope_ask(db, SCOPE_SQL, uid, org_id, 0, roles);
}

bool store_service_readable(struct db *db, int64_t uid, int64_t org_id, int64_t service_id,
			    const char *roles)
{
	return scope_ask(db, org_id ? READABLE_SQL : READABLE_SOMEWHERE_SQL, uid, org_id, service_id,
			 roles);
}

bool role_listed(const char *roles, const char *role)
{
	size_t n = strlen(role);
	for (const char *p = roles; p && *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (n && len == n && strncmp(p, role, n) == 0)
			return true;
		p = comma ? comma + 1 : NULL;
	}
	return false;
}

json_t *store_me_json(struct db *db, int64_t uid)
{
	static const char usql[] = "SELECT user_id, name, email FROM app_user WHERE id = ?1";
	static const char gsql[] =
		"SELECT o.code, o.name, o.kind, r.code, r.name FROM role_grant g"
		" JOIN organisation o ON o.id = g.org_id JOIN role r ON r.code = g.role_code"
		" WHERE g.user_id = ?1 AND g.revoked_at IS NULL ORDER BY o.kind = 'PRACTICE' DESC,"
		" o.code, r.name";
	static const char csql[] =
		"SELECT c.id, c.name, o.code FROM user_cluster uc JOIN cluster c ON c.id = uc.cluster_id"
		" JOIN organisation o ON o.id = c.owner_org_id WHERE uc.user_id = ?1 ORDER BY c.name";
	dbstmt *st = db_stmt(db, usql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	if (dbs_step(st) != SQLITE_ROW) {
		dbs_reset(st);
		return NULL;
	}
	json_t *me = json_pack("{s:o, s:o, s:o}", "user_id", col_json_text(st, 0),
			       "name", col_json_text(st, 1), "email", col_json_text(st, 2));
	dbs_reset(st);
	json_t *orgs = json_array();
	st = db_stmt(db, gsql);
	if (st) {
		dbs_bind_int64(st, 1, uid);
		json_t *cur = NULL;
		while (dbs_step(st) == SQLITE_ROW) {
			const char *code = (const char *)dbs_column_text(st, 0);
			if (!cur || strcmp(json_string_value(json_object_get(cur, "code")), code) != 0) {
				cur = json_pack("{s:s, s:o, s:o, s:[], s:b}", "code", code,
						"name", col_json_text(st, 1), "kind", col_json_text(st, 2),
						"roles", "pounds", 0);
				json_array_append_new(orgs, cur);
			}
			const char *role = (const char *)dbs_column_text(st, 3);
			json_array_append_new(json_object_get(cur, "roles"),
					      json_pack("{s:s, s:o}", "code", role,
							"name", col_json_text(st, 4)));
			if (role_listed(ROLES_POUNDS, role))
				json_object_set_new(cur, "pounds", json_true());
		}
		dbs_reset(st);
	}
	json_object_set_new(me, "organisations", orgs);
	json_t *clusters = json_array();
	st = db_stmt(db, csql);
	if (st) {
		dbs_bind_int64(st, 1, uid);
		while (dbs_step(st) == SQLITE_ROW)
			json_array_append_new(clusters, json_pack("{s:I, s:o, s:o}", "id",
				(json_int_t)dbs_column_int64(st, 0), "name", col_json_text(st, 1),
				"organisation", col_json_text(st, 2)));
		dbs_reset(st);
	}
	json_object_set_new(me, "clusters", clusters);
	return me;
}

enum st store_me_text(struct db *db, int64_t uid, struct buf *out)
{
	struct read_cache *c = read_cache_now(db);
	for (size_t i = 0; c && i < ME_CACHE_SLOTS; i++)
		if (c->me[i].uid == uid) {
			buf_append(out, c->me[i].text, c->me[i].len);
			return ST_OK;
		}
	json_t *me = store_me_json(db, uid);
	if (!me)
		return ST_ERROR;
	char *text = json_dumps(me, JSON_COMPACT);
	json_decref(me);
	if (!text)
		return ST_ERROR;
	size_t len = strlen(text);
	buf_append(out, text, len);
	if (!c) {
		free(text);
		return ST_OK;
	}
	struct me_entry *e = &c->me[c->next_me];
	c->next_me = (c->next_me + 1) % ME_CACHE_SLOTS;
	free(e->text);
	*e = (struct me_entry){uid, text, len};
	return ST_OK;
}

json_t *store_tasks_json(struct db *db, int64_t uid)
{
	/* A task is addressed to an organisation and, optionally, a role
	 * there; Supervisors see every open task of their practice. A user
	 * restricted to a cluster sees only tasks about organisations in it
	 * (a commissioner's task about an offer or declaration concerns the
	 * practice or PCN of that offer or declaration). */
	static const char sql[] =
		SCOPE_CTE
		" SELECT t.id, t.kind, t.title, o.code, o.name, t.subject_type, t.subject_id,"
		" t.created_at, " SQL_TASK_NOTICE("t")
		" FROM task t JOIN organisation o ON o.id = t.org_id"
		" WHERE t.done_at IS NULL AND " SQL_TASK_VISIBLE("t")
		" ORDER BY t.created_at DESC, t.id DESC LIMIT 500";
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return NULL;
	dbs_bind_int64(st, 1, uid);
	json_t *list = json_array(), *counts = json_object();
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)dbs_column_text(st, 1);
		json_array_append_new(list, json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:I, s:I, s:b}",
			"id", (json_int_t)dbs_column_int64(st, 0), "kind", kind,
			"title", col_json_text(st, 2), "organisation", col_json_text(st, 3),
			"organisation_name", col_json_text(st, 4),
			"subject_type", col_json_text(st, 5),
			"subject_id", (json_int_t)dbs_column_int64(st, 6),
			"created_at", (json_int_t)dbs_column_int64(st, 7),
			"dismissable", dbs_column_int(st, 8)));
		json_t *c = json_object_get(counts, kind);
		json_object_set_new(counts, kind, json_integer(c ? json_integer_value(c) + 1 : 1));
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		json_decref(list);
		json_decref(counts);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "tasks", list, "counts", counts);
}
