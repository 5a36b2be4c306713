/* store.c: connections (one per thread) to SQLite or PostgreSQL (dbi.h),
 * SQLite's pragmas, migrations (SQLite: PRAGMA user_version; PostgreSQL:
 * the schema_version table), the prepared-statement cache and
 * transactions. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/store/dbi_pg.h"
#include "server/store/store_int.h"
#include "util.h"

struct store {
	char *path;
	pthread_key_t key;
	pthread_mutex_t lock;
	struct db *all; /* every connection, for store_close */
};

enum dbi_engine dbi_engine = DBI_SQLITE;

bool store_names_postgresql(const char *arg)
{
	return pg_is_conninfo(arg);
}

bool store_over_network(const struct store *s)
{
	(void)s;
	return DBI_PG_ONLY;
}

const char *db_errmsg(struct db *db)
{
	return DBI_PG_ONLY ? pgc_errmsg(db->pg) : sqlite3_errmsg(db->sql);
}

int db_changes(struct db *db)
{
	return DBI_PG_ONLY ? pgc_changes(db->pg) : sqlite3_changes(db->sql);
}

int64_t db_last_insert_rowid(struct db *db)
{
	return DBI_PG_ONLY ? pgc_last_insert_id(db->pg) : sqlite3_last_insert_rowid(db->sql);
}

int64_t db_total_changes(struct db *db)
{
	return DBI_PG_ONLY ? pgc_total_changes(db->pg) : sqlite3_total_changes64(db->sql);
}

dbstmt *db_prepare_own(struct db *db, const char *sql)
{
	if (DBI_PG_ONLY)
		return pgc_prepare(db->pg, sql);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(db->sql, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return NULL;
	}
	return (dbstmt *)(void *)st;
}

void db_finalize(dbstmt *st)
{
	if (!st)
		return;
	if (DBI_PG_ONLY)
		pgs_finalize(st);
	else
		sqlite3_finalize(DBI_SQ(st));
}

enum st db_copy_begin(struct db *db, const char *table, const char *columns)
{
	if (!DBI_PG_ONLY || pgc_copy_begin(db->pg, table, columns) != SQLITE_OK) {
		db_log_error(db, "COPY");
		return ST_ERROR;
	}
	return ST_OK;
}

enum st db_copy_row(struct db *db, int nfields, const char *const *fields)
{
	if (pgc_copy_row(db->pg, nfields, fields) != SQLITE_OK) {
		db_log_error(db, "COPY row");
		return ST_ERROR;
	}
	return ST_OK;
}

void db_copy_ints(char (*f)[24], size_t n, const int64_t *v)
{
	for (size_t i = 0; i < n; i++)
		snprintf(f[i], sizeof f[i], "%lld", (long long)v[i]);
}

enum st db_copy_end(struct db *db)
{
	if (pgc_copy_end(db->pg) != SQLITE_OK) {
		db_log_error(db, "COPY");
		return ST_ERROR;
	}
	return ST_OK;
}

void db_log_error(struct db *db, const char *context)
{
	fprintf(stderr, "cqrsd: store: %s: %s\n", context, db_errmsg(db));
}

enum st st_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return ST_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return ST_BUSY;
	case SQLITE_CONSTRAINT:
		return ST_CONFLICT;
	default:
		return ST_ERROR;
	}
}

dbstmt *db_stmt(struct db *db, const char *sql)
{
	for (size_t i = 0; i < db->nslots; i++)
		if (db->slots[i].sql == sql) {
			dbs_reset(db->slots[i].stmt);
			dbs_clear_bindings(db->slots[i].stmt);
			return db->slots[i].stmt;
		}
	dbstmt *st = NULL;
	if (DBI_PG_ONLY) {
		st = pgc_prepare(db->pg, sql);
	} else {
		sqlite3_stmt *sq = NULL;
		if (sqlite3_prepare_v3(db->sql, sql, -1, SQLITE_PREPARE_PERSISTENT, &sq, NULL) == SQLITE_OK)
			st = (dbstmt *)(void *)sq;
		else
			sqlite3_finalize(sq);
	}
	if (!st) {
		fprintf(stderr, "cqrsd: store: prepare failed: %s\n  in: %.200s\n",
			db_errmsg(db), sql);
		return NULL;
	}
	if (db->nslots == db->capslots) {
		db->capslots = db->capslots ? db->capslots * 2 : 32;
		db->slots = xrealloc(db->slots, db->capslots * sizeof *db->slots);
	}
	db->slots[db->nslots].sql = sql;
	db->slots[db->nslots].stmt = st;
	db->nslots++;
	return st;
}

enum st db_exec(struct db *db, const char *sql)
{
	if (DBI_PG_ONLY) {
		if (pgc_exec(db->pg, sql) == SQLITE_OK)
			return ST_OK;
		fprintf(stderr, "cqrsd: store: %s\n", pgc_errmsg(db->pg));
		return ST_ERROR;
	}
	char *msg = NULL;
	int rc = sqlite3_exec(db->sql, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		fprintf(stderr, "cqrsd: store: %s\n", msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return st_from_sqlite(rc);
	}
	return ST_OK;
}

void col_text(dbstmt *st, int col, char *out, size_t size)
{
	const unsigned char *t = dbs_column_text(st, col);
	strlcpy_s(out, t ? (const char *)t : "", size);
}

enum st db_done(struct db *db, dbstmt *st, const char *ctx)
{
	if (!st)
		return ST_ERROR;
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_log_error(db, ctx);
		return st_from_sqlite(rc);
	}
	return ST_OK;
}

enum st db_history_add(struct db *db, const char *sql, int64_t id, int64_t at, int64_t uid,
		       const char *from, const char *to, const char *note)
{
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, id);
	dbs_bind_int64(st, 2, at);
	if (uid)
		dbs_bind_int64(st, 3, uid);
	if (from)
		dbs_bind_text(st, 4, from, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 5, to, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 6, note ? note : "", -1, SQLITE_TRANSIENT);
	int rc = dbs_step_defer(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? ST_OK : st_from_sqlite(rc);
}

int64_t db_one_int(dbstmt *st, int64_t def)
{
	if (!st)
		return def;
	int64_t v = def;
	if (dbs_step(st) == SQLITE_ROW)
		v = dbs_column_int64(st, 0);
	dbs_reset(st);
	return v;
}

json_t *col_json_text(dbstmt *st, int col)
{
	const unsigned char *t = dbs_column_text(st, col);
	return t ? json_string((const char *)t) : json_null();
}

/* How long a statement, or a whole store_tx with its retries, waits for
 * another connection's lock before giving up with ST_BUSY (503 busy). */
#define STORE_BUSY_MS 3000
/* How long a starting cqrsd waits for another process's migration or
 * seed before it gives up. */
#define STORE_START_WAIT_MS 120000

/* SQLite's busy handler: short sleeps until the connection's deadline
 * (store_tx's, else STORE_BUSY_MS from the statement's first wait). */
static int busy_wait(void *arg, int count)
{
	struct db *db = arg;
	int64_t now = mono_ms();
	if (count == 0)
		db->busy_since = now;
	int64_t limit = db->busy_deadline ? db->busy_deadline : db->busy_since + STORE_BUSY_MS;
	if (now >= limit)
		return 0;
	int64_t ms = count < 9 ? count + 1 : 10;
	if (ms > limit - now)
		ms = limit - now;
	usleep((useconds_t)(ms * 1000));
	return 1;
}

/* Adds a new connection to the store's list. */
static void db_track(struct store *s, struct db *db)
{
	pthread_mutex_lock(&s->lock);
	db->next = s->all;
	s->all = db;
	pthread_mutex_unlock(&s->lock);
}

static struct db *db_connect(struct store *s, char *err, size_t errlen)
{
	if (DBI_PG_ONLY) {
		struct pgconn *pg = pgc_open(s->path, err, errlen);
		if (!pg)
			return NULL;
		struct db *db = xcalloc(1, sizeof *db);
		db->pg = pg;
		db->store = s;
		db_track(s, db);
		return db;
	}
	sqlite3 *sql = NULL;
	int rc = sqlite3_open_v2(s->path, &sql,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open %s: %s", s->path,
			 sql ? sqlite3_errmsg(sql) : sqlite3_errstr(rc));
		sqlite3_close(sql);
		return NULL;
	}
	struct db *db = xcalloc(1, sizeof *db);
	db->sql = sql;
	db->store = s;
	sqlite3_busy_handler(sql, busy_wait, db);
	static const char pragmas[] =
		"PRAGMA journal_mode=WAL;"
		"PRAGMA synchronous=FULL;"
		"PRAGMA foreign_keys=ON;"
		"PRAGMA temp_store=MEMORY;"
		"PRAGMA cache_size=-16000;";
	if (db_exec(db, pragmas) != ST_OK) {
		int code = sqlite3_errcode(sql) & 0xff;
		snprintf(err, errlen, "cannot configure %s: %s%s", s->path, sqlite3_errmsg(sql),
			 code == SQLITE_CORRUPT || code == SQLITE_NOTADB ?
			 " (the file is corrupt or not a database; refusing to use it)" : "");
		sqlite3_close(sql);
		free(db);
		return NULL;
	}
	db_track(s, db);
	return db;
}

struct db *store_db(struct store *s)
{
	struct db *db = pthread_getspecific(s->key);
	if (db)
		return db;
	char err[256];
	db = db_connect(s, err, sizeof err);
	if (!db) {
		fprintf(stderr, "cqrsd: %s\n", err);
		abort();
	}
	pthread_setspecific(s->key, db);
	return db;
}

struct db *db_connect_own(struct store *s)
{
	char err[256];
	struct db *db = db_connect(s, err, sizeof err);
	if (!db) {
		fprintf(stderr, "cqrsd: store: %s\n", err);
		return NULL;
	}
	/* Not one of the store's per-thread connections: its owner closes it. */
	pthread_mutex_lock(&s->lock);
	for (struct db **p = &s->all; *p; p = &(*p)->next)
		if (*p == db) {
			*p = db->next;
			break;
		}
	pthread_mutex_unlock(&s->lock);
	db->next = NULL;
	return db;
}

/* Finalizes a connection's statements and closes it. */
static void db_free(struct db *db)
{
	for (size_t i = 0; i < db->nslots; i++)
		db_finalize(db->slots[i].stmt);
	free(db->slots);
	read_cache_free(db);
	values_stage_free(db);
	memo_free(db);
	if (db->pg)
		pgc_close(db->pg);
	else
		sqlite3_close(db->sql);
	free(db);
}

void db_close_own(struct db **dbp)
{
	if (!*dbp)
		return;
	db_free(*dbp);
	*dbp = NULL;
}

/* PostgreSQL: the advisory lock that serialises writing transactions
 * (store_tx) and migrations across every cqrsd sharing the database. */
#define PG_WRITE_LOCK "SELECT pg_advisory_xact_lock(7263)"

/* PostgreSQL: the same ordered list, each migration's PostgreSQL text
 * (store_migration.pg), the version in schema_version; several cqrsd
 * starting at once migrate one at a time. After the migrations every
 * table gets the trigger that moves the version row (store_read_begin). */
static bool migrate_pg(struct db *db, char *err, size_t errlen);

int store_schema_version(struct db *db)
{
	if (DBI_PG_ONLY)
		return (int)pgc_query_int(db->pg, "SELECT coalesce(max(version), 0) FROM schema_version", -1);
	sqlite3_stmt *st = NULL;
	int v = -1;
	if (sqlite3_prepare_v2(db->sql, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static bool migrate(struct db *db, char *err, size_t errlen)
{
	if (DBI_PG_ONLY)
		return migrate_pg(db, err, errlen);
	/* Another process may be migrating or seeding (cqrsd --demo seeds in
	 * one transaction): wait for it as long as a start may take. */
	db->busy_deadline = mono_ms() + STORE_START_WAIT_MS;
	enum st began = db_exec(db, "BEGIN IMMEDIATE");
	db->busy_deadline = 0;
	if (began != ST_OK) {
		snprintf(err, errlen, "cannot lock the database for migration");
		return false;
	}
	int v = store_schema_version(db);
	for (size_t i = 0; i < store_migrations_n; i++) {
		if (store_migrations[i].version <= v)
			continue;
		char set[64];
		snprintf(set, sizeof set, "PRAGMA user_version=%d", store_migrations[i].version);
		if (db_exec(db, store_migrations[i].sql) != ST_OK || db_exec(db, set) != ST_OK) {
			snprintf(err, errlen, "migration %d failed: %s", store_migrations[i].version,
				 db_errmsg(db));
			db_exec(db, "ROLLBACK");
			return false;
		}
	}
	if (v > store_migrations[store_migrations_n - 1].version) {
		snprintf(err, errlen, "the database schema (%d) is newer than this cqrsd", v);
		db_exec(db, "ROLLBACK");
		return false;
	}
	return db_exec(db, "COMMIT") == ST_OK;
}

static bool migrate_pg(struct db *db, char *err, size_t errlen)
{
	if (db_exec(db, "BEGIN; " PG_WRITE_LOCK "; CREATE TABLE IF NOT EXISTS schema_version("
			"version integer PRIMARY KEY)") != ST_OK) {
		snprintf(err, errlen, "cannot lock the database for migration: %s", db_errmsg(db));
		db_exec(db, "ROLLBACK");
		return false;
	}
	int v = store_schema_version(db);
	for (size_t i = 0; v >= 0 && i < store_migrations_n; i++) {
		if (store_migrations[i].version <= v)
			continue;
		char set[80];
		snprintf(set, sizeof set, "INSERT INTO schema_version(version) VALUES (%d)",
			 store_migrations[i].version);
		if (db_exec(db, store_migrations[i].pg) != ST_OK || db_exec(db, set) != ST_OK) {
			snprintf(err, errlen, "migration %d failed: %s", store_migrations[i].version,
				 db_errmsg(db));
			db_exec(db, "ROLLBACK");
			return false;
		}
	}
	if (v < 0 || v > store_migrations[store_migrations_n - 1].version) {
		if (v < 0)
			snprintf(err, errlen, "cannot read the schema version: %s", db_errmsg(db));
		else
			snprintf(err, errlen, "the database schema (%d) is newer than this cqrsd", v);
		db_exec(db, "ROLLBACK");
		return false;
	}
	if (db_exec(db, "SELECT dbi_install_version_triggers()") != ST_OK) {
		snprintf(err, errlen, "cannot install the version triggers: %s", db_errmsg(db));
		db_exec(db, "ROLLBACK");
		return false;
	}
	return db_exec(db, "COMMIT") == ST_OK;
}

/* The database and its -wal and -shm files are the owner's only: the file
 * is created 0600 before SQLite opens it (SQLite gives the -wal and -shm
 * it creates the main file's mode), and files left by an earlier run are
 * narrowed to 0600 too. */
static bool private_files(const char *path, char *err, size_t errlen)
{
	if (!*path || *path == ':' || !strncmp(path, "file:", 5))
		return true; /* in memory, or a URI: SQLite's business */
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return false;
	}
	struct stat sb;
	if (fstat(fd, &sb) == 0 && (sb.st_mode & 077) && sb.st_uid == geteuid())
		fchmod(fd, 0600);
	close(fd);
	static const char *const sfx[] = {"-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof sfx / sizeof *sfx; i++) {
		char *f = xasprintf("%s%s", path, sfx[i]);
		if (stat(f, &sb) == 0 && (sb.st_mode & 077) && sb.st_uid == geteuid())
			chmod(f, 0600);
		free(f);
	}
	return true;
}

/* PRAGMA quick_check: a damaged file (a killed build, a bad disk) is
 * refused at start rather than served. */
static bool quick_check(struct db *db, const char *path, char *err, size_t errlen)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->sql, "PRAGMA quick_check(1)", -1, &st, NULL);
	const char *res = NULL;
	if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		res = (const char *)sqlite3_column_text(st, 0);
	bool ok = res && !strcmp(res, "ok");
	if (!ok)
		snprintf(err, errlen, "%s is corrupt (PRAGMA quick_check: %s); refusing to use it:"
			 " restore it from a backup", path,
			 res ? res : db_errmsg(db));
	for (char *c = err; !ok && *c; c++)
		if (*c == '\n')
			*c = ' ';
	sqlite3_finalize(st);
	return ok;
}

/* SQLite keeps memory statistics under one global mutex that every
 * allocation of every connection takes; nothing here reads them. */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* A cached statement with no result, stepped once (BEGIN, COMMIT: parsed
 * once per connection, not once per request). */
static int step_once(struct db *db, const char *sql)
{
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return SQLITE_ERROR;
	int rc = dbs_step(st);
	dbs_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* BEGIN is deferred: the snapshot starts with the first statement that
 * reads the database, here PRAGMA data_version, whose value (with this
 * connection's own change count) stamps the snapshot for caches that must
 * never serve what another connection or process has changed since. */
bool store_read_begin(struct db *db)
{
	if (DBI_PG_ONLY) {
		if (db->tx_depth > 0)
			return false;
		/* The stamp: the version row (every commit that wrote moved it,
		 * dbi_install_version_triggers), read by a prepared statement
		 * before the snapshot begins, so that what the cache holds under
		 * it is never older than it; the snapshot itself is begun only
		 * if a statement needs it (pgc_lazy). One round trip for a read
		 * the read cache answers whole, and no staleness: a commit
		 * anywhere before this request moved the stamp. */
		static const char version[] = "SELECT v FROM dbi_version WHERE one = 1";
		int64_t v = db_one_int(db_stmt(db, version), -1);
		if (v < 0)
			return false;
		pgc_lazy(db->pg, "BEGIN ISOLATION LEVEL REPEATABLE READ");
		db->tx_depth++;
		db->snap_version = v;
		db->snap_changes = pgc_total_changes(db->pg);
		db->snap_stamped = true;
		return true;
	}
	static const char begin[] = "BEGIN";
	static const char version[] = "PRAGMA data_version";
	if (db->tx_depth > 0 || step_once(db, begin) != SQLITE_OK)
		return false;
	db->tx_depth++;
	dbstmt *st = db_stmt(db, version);
	if (st && dbs_step(st) == SQLITE_ROW) {
		db->snap_version = dbs_column_int64(st, 0);
		db->snap_changes = db_total_changes(db);
		db->snap_stamped = true;
	}
	if (st)
		dbs_reset(st);
	return true;
}

void store_read_end(struct db *db)
{
	static const char commit[] = "COMMIT";
	db->snap_stamped = false;
	db->tx_depth--;
	if (DBI_PG_ONLY) {
		/* A snapshot no statement needed was never begun. Else nothing
		 * to wait for: the next use of the connection reads the answer
		 * (pgc_send). */
		if (pgc_lazy_cancel(db->pg))
			return;
		if (pgc_send(db->pg, "COMMIT") != SQLITE_OK)
			pgc_exec(db->pg, "ROLLBACK");
		return;
	}
	if (step_once(db, commit) != SQLITE_OK)
		sqlite3_exec(db->sql, "ROLLBACK", NULL, NULL, NULL);
}

struct store *store_open(const char *path, char *err, size_t errlen)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, sqlite_setup);
	dbi_engine = pg_is_conninfo(path) ? DBI_PG : DBI_SQLITE;
	if (!DBI_PG_ONLY && !private_files(path, err, errlen))
		return NULL;
	struct store *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	pthread_mutex_init(&s->lock, NULL);
	pthread_key_create(&s->key, NULL);
	struct db *db = db_connect(s, err, errlen);
	if (!db || (!DBI_PG_ONLY && !quick_check(db, path, err, errlen)) ||
	    !migrate(db, err, errlen)) {
		store_close(&s);
		return NULL;
	}
	pthread_setspecific(s->key, db);
	return s;
}

void store_close(struct store **sp)
{
	struct store *s = *sp;
	if (!s)
		return;
	for (struct db *db = s->all, *next; db; db = next) {
		next = db->next;
		db_free(db);
	}
	pthread_key_delete(s->key);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
	*sp = NULL;
}

bool store_is_empty(struct db *db)
{
	static const char sql[] = "SELECT NOT EXISTS (SELECT 1 FROM organisation)";
	dbstmt *st = db_stmt(db, sql);
	bool empty = st && dbs_step(st) == SQLITE_ROW && dbs_column_int(st, 0);
	if (st)
		dbs_reset(st);
	return empty;
}

enum tx_step { TX_BEGIN, TX_BEGIN_WRITE, TX_COMMIT, TX_ROLLBACK };

/* A transaction's steps on either engine. PostgreSQL: a writing
 * transaction first takes the advisory lock every writer takes (the
 * guarantee SQLite's BEGIN IMMEDIATE gives: one writer at a time, and
 * what it reads is what it writes over), waiting at most STORE_BUSY_MS
 * (lock_timeout: SQLITE_BUSY, retried like SQLite's busy). A reading one
 * is REPEATABLE READ: one snapshot throughout. */
static int tx_exec(struct db *db, enum tx_step step)
{
	if (DBI_PG_ONLY) {
		static const char *const pg[] = {
			[TX_BEGIN] = "BEGIN ISOLATION LEVEL REPEATABLE READ",
			[TX_BEGIN_WRITE] = "BEGIN; SET LOCAL lock_timeout = 3000; " PG_WRITE_LOCK,
			[TX_COMMIT] = "COMMIT",
			[TX_ROLLBACK] = "ROLLBACK",
		};
		int rc = pgc_exec(db->pg, pg[step]);
		if (rc != SQLITE_OK && step == TX_BEGIN_WRITE)
			pgc_exec(db->pg, "ROLLBACK");
		return rc;
	}
	static const char *const sq[] = {
		[TX_BEGIN] = "BEGIN",
		[TX_BEGIN_WRITE] = "BEGIN IMMEDIATE",
		[TX_COMMIT] = "COMMIT",
		[TX_ROLLBACK] = "ROLLBACK",
	};
	return sqlite3_exec(db->sql, sq[step], NULL, NULL, NULL);
}

/* Runs fn in a transaction. A lock held by another connection is waited
 * for, and the transaction retried, until STORE_BUSY_MS after the start:
 * then ST_BUSY (the caller answers 503), never minutes. */
enum st store_tx(struct db *db, bool write, store_tx_fn fn, void *arg)
{
	if (db->tx_depth > 0) {
		/* Nested: inside the caller's transaction, under a savepoint,
		 * so that a refusal here takes back what this part wrote and
		 * nothing else (the caller decides about the rest). */
		char sp[64];
		snprintf(sp, sizeof sp, "SAVEPOINT tx%d", db->tx_depth);
		if (db_exec(db, sp) != ST_OK)
			return ST_ERROR;
		db->tx_depth++;
		enum st r = fn(db, arg);
		db->tx_depth--;
		if (r != ST_OK) {
			store_memo_clear(db); /* it may hold what is taken back */
			snprintf(sp, sizeof sp, "ROLLBACK TO SAVEPOINT tx%d", db->tx_depth);
			if (db_exec(db, sp) != ST_OK)
				return ST_ERROR;
		}
		snprintf(sp, sizeof sp, "RELEASE SAVEPOINT tx%d", db->tx_depth);
		if (db_exec(db, sp) != ST_OK)
			return ST_ERROR;
		return r;
	}
	db->busy_deadline = mono_ms() + STORE_BUSY_MS;
	enum st result = ST_BUSY;
	for (int attempt = 0; mono_ms() < db->busy_deadline; attempt++) {
		useconds_t pause = (useconds_t)(2000 + (attempt < 20 ? attempt : 20) * 1000);
		int rc = tx_exec(db, write ? TX_BEGIN_WRITE : TX_BEGIN);
		if ((rc & 0xff) == SQLITE_BUSY) {
			usleep(pause);
			continue;
		}
		if (rc != SQLITE_OK) {
			db_log_error(db, "begin");
			result = ST_ERROR;
			break;
		}
		db->tx_depth++;
		enum st r = fn(db, arg);
		db->tx_depth--;
		if (r == ST_OK) {
			rc = tx_exec(db, TX_COMMIT);
			if (rc == SQLITE_OK) {
				result = ST_OK;
				break;
			}
			tx_exec(db, TX_ROLLBACK);
			store_memo_clear(db);
			if ((rc & 0xff) == SQLITE_BUSY) {
				usleep(pause);
				continue;
			}
			db_log_error(db, "commit");
			result = ST_ERROR;
			break;
		}
		tx_exec(db, TX_ROLLBACK);
		store_memo_clear(db); /* it may hold what was taken back */
		if (r == ST_BUSY) {
			usleep(pause);
			continue;
		}
		result = r;
		break;
	}
	db->busy_deadline = 0;
	return result;
}
