/* store_idem.c: the first answers to writes sent with an Idempotency-Key
 * (migration 8; see server/http/idem.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "server/store/store_int.h"
#include "util.h"

enum st store_idem_get(struct db *db, int64_t uid, const char *key, struct idem_rec *out)
{
	static const char sql[] =
		"SELECT method, path, request_hash, status, body FROM idempotency"
		" WHERE user_id = ?1 AND key = ?2";
	memset(out, 0, sizeof *out);
	dbstmt *st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	int rc = dbs_step(st);
	if (rc == SQLITE_ROW) {
		col_text(st, 0, out->method, sizeof out->method);
		out->path = xstrdup((const char *)dbs_column_text(st, 1));
		const void *h = dbs_column_blob(st, 2);
		if (h && dbs_column_bytes(st, 2) == (int)sizeof out->request_hash)
			memcpy(out->request_hash, h, sizeof out->request_hash);
		out->status = dbs_column_int(st, 3);
		int n = dbs_column_bytes(st, 4);
		const void *b = dbs_column_blob(st, 4);
		if (b && n > 0) {
			out->body = xmalloc((size_t)n + 1);
			memcpy(out->body, b, (size_t)n);
			out->body[n] = '\0';
			out->body_len = (size_t)n;
		}
	}
	dbs_reset(st);
	if (rc == SQLITE_DONE)
		return ST_NOTFOUND;
	if (rc != SQLITE_ROW) {
		db_log_error(db, "idempotency get");
		return st_from_sqlite(rc);
	}
	return ST_OK;
}

void store_idem_free(struct idem_rec *rec)
{
	xfree(&rec->path);
	xfree(&rec->body);
}

enum st store_idem_put(struct db *db, int64_t uid, const char *key, const struct idem_rec *rec,
		       int64_t now_ms)
{
	static const char prune[] = "DELETE FROM idempotency WHERE created_ms < ?1";
	static const char sql[] =
		"INSERT OR IGNORE INTO idempotency(user_id, key, method, path, request_hash, status,"
		" body, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	dbstmt *st = db_stmt(db, prune);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, now_ms - STORE_IDEM_KEEP_MS);
	int rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "idempotency prune");
		return st_from_sqlite(rc);
	}
	st = db_stmt(db, sql);
	if (!st)
		return ST_ERROR;
	dbs_bind_int64(st, 1, uid);
	dbs_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 3, rec->method, -1, SQLITE_TRANSIENT);
	dbs_bind_text(st, 4, rec->path, -1, SQLITE_TRANSIENT);
	dbs_bind_blob(st, 5, rec->request_hash, (int)sizeof rec->request_hash, SQLITE_TRANSIENT);
	dbs_bind_int(st, 6, rec->status);
	if (rec->body && rec->body_len)
		dbs_bind_blob(st, 7, rec->body, (int)rec->body_len, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, 7);
	dbs_bind_int64(st, 8, now_ms);
	rc = dbs_step(st);
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		db_log_error(db, "idempotency put");
		return st_from_sqlite(rc);
	}
	return ST_OK;
}
