/* store_memo.c: look-ups answered from memory while an extract loads.
 *
 * A load asks the same few questions tens of thousands of times: which
 * organisation has this code, which PCN a practice belongs to on a date,
 * which achievement a service, organisation and date have, whether it is
 * final, whether the organisation takes part in the service. Between
 * store_memo_begin and store_memo_end each is answered by one statement
 * per (service, date) or date, the first time it is asked, and from
 * memory after that: the same SQL conditions (store_int.h's macros), so
 * the same answers. On PostgreSQL that is some 130,000 fewer round trips
 * in a month's national extract.
 *
 * What keeps the answers true: the load holds the writer's lock, and its
 * own writes that change an answer tell the memo (store_achievement_create
 * adds, a declaration financially approved or a savepoint rolled back
 * forgets). load_extract clears the memo when its transaction starts, so
 * nothing read before the lock answers inside it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "server/store/store_int.h"
#include "util.h"

struct mkey {
	int64_t a, b, c;
};

struct mslot {
	struct mkey k;
	int64_t v;
	bool used;
	bool flag;
};

struct mtab {
	struct mslot *s;
	size_t cap, n;
};

/* What has been read: these kinds of key in `loaded`. */
enum { L_ORGS = 1, L_ACHS, L_MEMBERS, L_PART_ANY, L_PART_ON, L_VALS, L_SIZES, L_RECS };

/* One stored value of an achievement. */
struct mval {
	int64_t ind, value, num, den;
	char source[16];
};

struct lookup_memo {
	bool on;
	struct mtab loaded;  /* (kind, x, y) sets read */
	struct mtab ach;     /* (service, org, date_id) -> achievement id */
	struct mtab final;   /* (achievement, 0, 0) -> flag: financially approved */
	struct mtab member;  /* (practice, yyyymmdd, 0) -> PCN */
	struct mtab size;    /* (organisation, yyyymmdd, 0) -> list size */
	struct mtab part;    /* (service, org, yyyymmdd or 0) -> takes part */
	struct mtab orgid;   /* (org id, 0, 0) -> index in orgs */
	struct org_rec *orgs; /* sorted by code */
	size_t norgs;
	/* The (service, date) of each achievement read: final's v indexes sd. */
	struct sd {
		int64_t service, date;
	} *sd;
	size_t nsd;
	/* Values: (achievement, 0, 0) -> its values, vals[v >> 16] and the
	 * (v & 0xffff) after it; flag set when forgotten (ask the database). */
	struct mtab vach;
	struct mval *vals;
	size_t nvals, capvals;
	/* Achievements: (id, 0, 0) -> recs[v]; flag set when changed since. */
	struct mtab rec;
	struct ach_rec *recs;
	size_t nrecs, caprecs;
};

static uint64_t mhash(struct mkey k)
{
	uint64_t h = (uint64_t)k.a * 0x9E3779B97F4A7C15u;
	h ^= ((uint64_t)k.b + 0x632BE59BD9B4E019u) * 0xC2B2AE3D27D4EB4Fu;
	h ^= ((uint64_t)k.c + 0x165667B19E3779F9u) * 0xFF51AFD7ED558CCDu;
	return h ^ (h >> 31);
}

static bool key_eq(struct mkey x, struct mkey y)
{
	return x.a == y.a && x.b == y.b && x.c == y.c;
}

static struct mslot *mget(const struct mtab *t, struct mkey k)
{
	if (!t->cap)
		return NULL;
	for (size_t i = mhash(k) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->s[i].used)
			return NULL;
		if (key_eq(t->s[i].k, k))
			return &t->s[i];
	}
}

static struct mslot *mput(struct mtab *t, struct mkey k, int64_t v, bool flag)
{
	if ((t->n + 1) * 2 > t->cap) {
		struct mtab g = {xcalloc(t->cap ? t->cap * 2 : 64, sizeof *g.s), t->cap ? t->cap * 2 : 64,
				 0};
		for (size_t i = 0; i < t->cap; i++)
			if (t->s[i].used)
				mput(&g, t->s[i].k, t->s[i].v, t->s[i].flag);
		free(t->s);
		*t = g;
	}
	size_t i = mhash(k) & (t->cap - 1);
	while (t->s[i].used && !key_eq(t->s[i].k, k))
		i = (i + 1) & (t->cap - 1);
	if (!t->s[i].used)
		t->n++;
	t->s[i] = (struct mslot){k, v, true, flag};
	return &t->s[i];
}

static void mfree(struct mtab *t)
{
	free(t->s);
	memset(t, 0, sizeof *t);
}

/* 2025-03-31 -> 20250331; 0 when not a date (then nothing is memoised). */
static int64_t day_of(const char *iso)
{
	if (!iso || !date_valid(iso))
		return 0;
	return atoll(iso) * 10000 + atoll(iso + 5) * 100 + atoll(iso + 8);
}

static struct lookup_memo *active(struct db *db)
{
	return db->memo && db->memo->on ? db->memo : NULL;
}

static void memo_drop(struct lookup_memo *m)
{
	mfree(&m->loaded);
	mfree(&m->ach);
	mfree(&m->final);
	mfree(&m->member);
	mfree(&m->size);
	mfree(&m->part);
	mfree(&m->orgid);
	free(m->orgs);
	m->orgs = NULL;
	m->norgs = 0;
	free(m->sd);
	m->sd = NULL;
	m->nsd = 0;
	mfree(&m->vach);
	free(m->vals);
	m->vals = NULL;
	m->nvals = m->capvals = 0;
	mfree(&m->rec);
	free(m->recs);
	m->recs = NULL;
	m->nrecs = m->caprecs = 0;
}

void store_memo_begin(struct db *db)
{
	if (!db->memo)
		db->memo = xcalloc(1, sizeof *db->memo);
	memo_drop(db->memo);
	db->memo->on = true;
}

void store_memo_clear(struct db *db)
{
	if (db->memo)
		memo_drop(db->memo);
}

void store_memo_end(struct db *db)
{
	memo_free(db);
}

void memo_free(struct db *db)
{
	if (db->memo)
		memo_drop(db->memo);
	free(db->memo);
	db->memo = NULL;
}

/* Whether (kind, x, y) was read; marks it read when not. A read that
 * fails drops the whole memo (memo_drop): nothing is answered from half
 * a read, and the caller asks the database. */
static bool loaded(struct lookup_memo *m, int kind, int64_t x, int64_t y)
{
	struct mkey k = {kind, x, y};
	if (mget(&m->loaded, k))
		return true;
	mput(&m->loaded, k, 0, false);
	return false;
}

/* ---- organisations ---------------------------------------------------------- */

static int org_cmp(const void *a, const void *b)
{
	return strcmp(((const struct org_rec *)a)->code, ((const struct org_rec *)b)->code);
}

static bool orgs_read(struct db *db, struct lookup_memo *m)
{
	if (loaded(m, L_ORGS, 0, 0))
		return m->orgs != NULL;
	static const char sql[] = ORG_COLS;
	dbstmt *st = db_stmt(db, sql);
	if (!st) {
		memo_drop(m);
		return false;
	}
	size_t cap = 0;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		if (m->norgs == cap) {
			cap = cap ? cap * 2 : 1024;
			m->orgs = xrealloc(m->orgs, cap * sizeof *m->orgs);
		}
		org_row(st, &m->orgs[m->norgs++]);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE || !m->orgs) {
		memo_drop(m);
		return false;
	}
	qsort(m->orgs, m->norgs, sizeof *m->orgs, org_cmp);
	for (size_t i = 0; i < m->norgs; i++)
		mput(&m->orgid, (struct mkey){m->orgs[i].id, 0, 0}, (int64_t)i, false);
	return true;
}

bool memo_org(struct db *db, const char *code, int64_t id, struct org_rec *out, enum st *r)
{
	struct lookup_memo *m = active(db);
	if (!m || !orgs_read(db, m))
		return false;
	const struct org_rec *o = NULL;
	if (code) {
		struct org_rec key;
		if (strlen(code) >= sizeof key.code) {
			*r = ST_NOTFOUND;
			return true;
		}
		strlcpy_s(key.code, code, sizeof key.code);
		o = bsearch(&key, m->orgs, m->norgs, sizeof *m->orgs, org_cmp);
	} else {
		const struct mslot *s = mget(&m->orgid, (struct mkey){id, 0, 0});
		o = s ? &m->orgs[s->v] : NULL;
	}
	if (o)
		*out = *o;
	*r = o ? ST_OK : ST_NOTFOUND;
	return true;
}

/* ---- per date: PCN membership, list sizes ------------------------------------------ */

/* Reads (first column, second column) of sql, its ?1 the date, into t
 * keyed (first, day, 0), the first row of each key kept; once per kind
 * and day. */
static bool day_read(struct db *db, struct lookup_memo *m, int kind, const char *date, int64_t day,
		     const char *sql, struct mtab *t)
{
	if (loaded(m, kind, day, 0))
		return true;
	dbstmt *st = db_stmt(db, sql);
	if (!st) {
		memo_drop(m);
		return false;
	}
	dbs_bind_text(st, 1, date, -1, SQLITE_TRANSIENT);
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		struct mkey k = {dbs_column_int64(st, 0), day, 0};
		if (!mget(t, k))
			mput(t, k, dbs_column_int64(st, 1), false);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		memo_drop(m);
		return false;
	}
	return true;
}

bool memo_pcn_of(struct db *db, int64_t practice_id, const char *date, int64_t *pcn, enum st *r)
{
	/* The latest start first, as store_pcn_of_practice picks. */
	static const char sql[] =
		"SELECT practice_id, pcn_id FROM pcn_membership m WHERE " SQL_MEMBER_ON("m", "?1")
		" ORDER BY practice_id, start_date DESC";
	struct lookup_memo *m = active(db);
	int64_t day = day_of(date);
	if (!m || !day || !day_read(db, m, L_MEMBERS, date, day, sql, &m->member))
		return false;
	const struct mslot *s = mget(&m->member, (struct mkey){practice_id, day, 0});
	if (s)
		*pcn = s->v;
	*r = s ? ST_OK : ST_NOTFOUND;
	return true;
}

bool memo_list_size(struct db *db, int64_t org_id, const char *date, int64_t *size, enum st *r)
{
	static const char sql[] =
		"SELECT o.id, " SQL_LIST_SIZE_ON("o", "?1") " FROM organisation o"
		" WHERE o.kind = 'PRACTICE' OR o.kind = 'PCN'";
	struct lookup_memo *m = active(db);
	int64_t day = day_of(date);
	if (!m || !day || !day_read(db, m, L_SIZES, date, day, sql, &m->size))
		return false;
	const struct mslot *s = mget(&m->size, (struct mkey){org_id, day, 0});
	if (!s)
		return false; /* not a practice or PCN: ask the database */
	*size = s->v;
	*r = ST_OK;
	return true;
}

/* ---- achievements and final figures ------------------------------------------- */

/* sql prepared with ?1 the service and ?2 the date's id; NULL (and the
 * memo dropped) when it cannot be. */
static dbstmt *sd_stmt(struct db *db, struct lookup_memo *m, const char *sql, int64_t service_id,
		       int64_t date_id)
{
	dbstmt *st = db_stmt(db, sql);
	if (!st) {
		memo_drop(m);
		return NULL;
	}
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, date_id);
	return st;
}

/* The index in sd of (service, date), added when new. */
static int64_t sd_of(struct lookup_memo *m, int64_t service_id, int64_t date_id)
{
	for (size_t i = 0; i < m->nsd; i++)
		if (m->sd[i].service == service_id && m->sd[i].date == date_id)
			return (int64_t)i;
	m->sd = xrealloc(m->sd, (m->nsd + 1) * sizeof *m->sd);
	m->sd[m->nsd] = (struct sd){service_id, date_id};
	return (int64_t)m->nsd++;
}

static bool achs_read(struct db *db, struct lookup_memo *m, int64_t service_id, int64_t date_id)
{
	if (loaded(m, L_ACHS, service_id, date_id))
		return true;
	int64_t sd = sd_of(m, service_id, date_id);
	static const char sql[] =
		"SELECT a.id, a.org_id, " SQL_IS_FINAL("a.id") " FROM achievement a"
		" WHERE a.service_id = ?1 AND a.date_id = ?2";
	dbstmt *st = sd_stmt(db, m, sql, service_id, date_id);
	if (!st)
		return false;
	int rc;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		int64_t id = dbs_column_int64(st, 0);
		bool final = dbs_column_int(st, 2) != 0;
		mput(&m->ach, (struct mkey){service_id, dbs_column_int64(st, 1), date_id}, id, false);
		mput(&m->final, (struct mkey){id, 0, 0}, sd, final);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		memo_drop(m);
		return false;
	}
	return true;
}

bool memo_achievement(struct db *db, int64_t service_id, int64_t org_id, int64_t date_id,
		      int64_t *id, enum st *r)
{
	struct lookup_memo *m = active(db);
	if (!m || !achs_read(db, m, service_id, date_id))
		return false;
	const struct mslot *s = mget(&m->ach, (struct mkey){service_id, org_id, date_id});
	if (s)
		*id = s->v;
	*r = s ? ST_OK : ST_NOTFOUND;
	return true;
}

void memo_achievement_made(struct db *db, int64_t service_id, int64_t org_id, int64_t date_id,
			   int64_t id)
{
	struct lookup_memo *m = active(db);
	if (!m || !mget(&m->loaded, (struct mkey){L_ACHS, service_id, date_id}))
		return;
	mput(&m->ach, (struct mkey){service_id, org_id, date_id}, id, false);
	mput(&m->final, (struct mkey){id, 0, 0}, sd_of(m, service_id, date_id), false);
	/* it has no values yet: none to read */
	if (mget(&m->loaded, (struct mkey){L_VALS, service_id, date_id}))
		mput(&m->vach, (struct mkey){id, 0, 0}, (int64_t)m->nvals << 16, false);
}

bool memo_not_final(struct db *db, int64_t ach_id)
{
	struct lookup_memo *m = active(db);
	const struct mslot *s = m ? mget(&m->final, (struct mkey){ach_id, 0, 0}) : NULL;
	return s && !s->flag;
}

/* ---- participation ------------------------------------------------------------ */

bool memo_participates(struct db *db, int64_t service_id, int64_t org_id, const char *date,
		       bool *yes)
{
	struct lookup_memo *m = active(db);
	int64_t day = date ? day_of(date) : 0;
	if (!m || (date && !day))
		return false;
	int kind = date ? L_PART_ON : L_PART_ANY;
	if (!loaded(m, kind, service_id, day)) {
		static const char any[] =
			"SELECT DISTINCT org_id FROM offer WHERE service_id = ?1 AND " SQL_OFFER_APPROVED;
		static const char on[] =
			"SELECT DISTINCT org_id FROM offer WHERE service_id = ?1 AND " SQL_OFFER_APPROVED
			" AND " SQL_OFFER_ON("?2");
		dbstmt *st = db_stmt(db, date ? on : any);
		if (!st) {
			memo_drop(m);
			return false;
		}
		dbs_bind_int64(st, 1, service_id);
		if (date)
			dbs_bind_text(st, 2, date, -1, SQLITE_TRANSIENT);
		int rc;
		while ((rc = dbs_step(st)) == SQLITE_ROW)
			mput(&m->part, (struct mkey){service_id, dbs_column_int64(st, 0), day}, 1, true);
		dbs_reset(st);
		if (rc != SQLITE_DONE) {
			memo_drop(m);
			return false;
		}
	}
	*yes = mget(&m->part, (struct mkey){service_id, org_id, day}) != NULL;
	return true;
}

/* ---- values ---------------------------------------------------------------------- */

/* Every value of the achievements of (service, date) in one statement;
 * each of those achievements then answers from memory (none: no values). */
static bool vals_read(struct db *db, struct lookup_memo *m, int64_t service_id, int64_t date_id)
{
	if (loaded(m, L_VALS, service_id, date_id))
		return true;
	static const char sql[] =
		"SELECT v.achievement_id, v.indicator_id, v.value, v.numerator, v.denominator, v.source"
		" FROM achievement_value v JOIN achievement a ON a.id = v.achievement_id"
		" WHERE a.service_id = ?1 AND a.date_id = ?2 ORDER BY v.achievement_id";
	dbstmt *st = sd_stmt(db, m, sql, service_id, date_id);
	if (!st)
		return false;
	int rc;
	int64_t cur = 0;
	size_t first = m->nvals;
	while ((rc = dbs_step(st)) == SQLITE_ROW) {
		int64_t ach = dbs_column_int64(st, 0);
		if (ach != cur) {
			if (cur)
				mput(&m->vach, (struct mkey){cur, 0, 0},
				     (int64_t)first << 16 | (int64_t)(m->nvals - first), false);
			cur = ach;
			first = m->nvals;
		}
		if (m->nvals - first >= 0xffff)
			continue; /* more than a range holds: never for a service */
		if (m->nvals == m->capvals) {
			m->capvals = m->capvals ? m->capvals * 2 : 4096;
			m->vals = xrealloc(m->vals, m->capvals * sizeof *m->vals);
		}
		struct mval *v = &m->vals[m->nvals++];
		v->ind = dbs_column_int64(st, 1);
		v->value = dbs_column_int64(st, 2);
		v->num = dbs_column_int64(st, 3);
		v->den = dbs_column_int64(st, 4);
		col_text(st, 5, v->source, sizeof v->source);
	}
	dbs_reset(st);
	if (rc != SQLITE_DONE) {
		memo_drop(m);
		return false;
	}
	if (cur)
		mput(&m->vach, (struct mkey){cur, 0, 0},
		     (int64_t)first << 16 | (int64_t)(m->nvals - first), false);
	/* the achievements of (service, date) with no value */
	for (size_t i = 0; i < m->ach.cap; i++) {
		const struct mslot *a = &m->ach.s[i];
		if (a->used && a->k.a == service_id && a->k.c == date_id &&
		    !mget(&m->vach, (struct mkey){a->v, 0, 0}))
			mput(&m->vach, (struct mkey){a->v, 0, 0}, (int64_t)m->nvals << 16, false);
	}
	return true;
}

bool memo_values(struct db *db, int64_t ach_id, const struct calc_def_row *defs, size_t n,
		 struct store_val *out)
{
	struct lookup_memo *m = active(db);
	if (!m)
		return false;
	const struct mslot *f = mget(&m->final, (struct mkey){ach_id, 0, 0});
	if (!f || !vals_read(db, m, m->sd[f->v].service, m->sd[f->v].date))
		return false;
	const struct mslot *r = mget(&m->vach, (struct mkey){ach_id, 0, 0});
	if (!r || r->flag)
		return false;
	size_t first = (size_t)(r->v >> 16), count = (size_t)(r->v & 0xffff);
	for (size_t j = first; j < first + count; j++)
		for (size_t i = 0; i < n; i++)
			if (defs[i].id == m->vals[j].ind) {
				out[i].present = true;
				out[i].value = m->vals[j].value;
				out[i].num = m->vals[j].num;
				out[i].den = m->vals[j].den;
				strlcpy_s(out[i].source, m->vals[j].source, sizeof out[i].source);
				break;
			}
	return true;
}

void memo_value_wrote(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
		      bool ratio, const char *source)
{
	struct lookup_memo *m = active(db);
	struct mslot *r = m ? mget(&m->vach, (struct mkey){ach_id, 0, 0}) : NULL;
	if (!r || r->flag)
		return;
	size_t first = (size_t)(r->v >> 16), count = (size_t)(r->v & 0xffff);
	for (size_t j = first; j < first + count; j++)
		if (m->vals[j].ind == ind_id) {
			/* as values_get reads it back: NULL is 0 */
			m->vals[j].value = ratio ? 0 : v->value;
			m->vals[j].num = ratio ? v->num : 0;
			m->vals[j].den = ratio ? v->den : 0;
			strlcpy_s(m->vals[j].source, source, sizeof m->vals[j].source);
			return;
		}
	r->flag = true; /* a new value: its range cannot grow; ask the database */
}

/* ---- achievements' records ------------------------------------------------------ */

bool memo_ach_rec(struct db *db, int64_t id, struct ach_rec *out, enum st *r)
{
	struct lookup_memo *m = active(db);
	const struct mslot *f = m ? mget(&m->final, (struct mkey){id, 0, 0}) : NULL;
	if (!f)
		return false;
	int64_t service_id = m->sd[f->v].service, date_id = m->sd[f->v].date;
	if (!loaded(m, L_RECS, service_id, date_id)) {
		static const char sql[] = ACH_REC_SQL " WHERE a.service_id = ?1 AND a.date_id = ?2";
		dbstmt *st = sd_stmt(db, m, sql, service_id, date_id);
		if (!st)
			return false;
		int rc;
		while ((rc = dbs_step(st)) == SQLITE_ROW) {
			if (m->nrecs == m->caprecs) {
				m->caprecs = m->caprecs ? m->caprecs * 2 : 1024;
				m->recs = xrealloc(m->recs, m->caprecs * sizeof *m->recs);
			}
			ach_rec_row(st, &m->recs[m->nrecs]);
			mput(&m->rec, (struct mkey){m->recs[m->nrecs].id, 0, 0}, (int64_t)m->nrecs, false);
			m->nrecs++;
		}
		dbs_reset(st);
		if (rc != SQLITE_DONE) {
			memo_drop(m);
			return false;
		}
	}
	const struct mslot *s = mget(&m->rec, (struct mkey){id, 0, 0});
	if (!s || s->flag)
		return false; /* made or changed since: ask the database */
	*out = m->recs[s->v];
	*r = ST_OK;
	return true;
}

void memo_ach_changed(struct db *db, int64_t id)
{
	struct lookup_memo *m = active(db);
	if (!m)
		return;
	if (!id) {
		/* which achievement is not known: forget every record (the
		 * (service, date)s stay read, so each is then asked for) */
		for (size_t i = 0; i < m->rec.cap; i++)
			m->rec.s[i].flag = true;
		return;
	}
	struct mslot *s = mget(&m->rec, (struct mkey){id, 0, 0});
	if (s)
		s->flag = true;
}

void memo_ach_status(struct db *db, int64_t id, const char *status, int64_t now)
{
	struct lookup_memo *m = active(db);
	const struct mslot *s = m ? mget(&m->rec, (struct mkey){id, 0, 0}) : NULL;
	if (!s || s->flag)
		return;
	struct ach_rec *a = &m->recs[s->v];
	if (strcmp(a->status, status)) {
		strlcpy_s(a->status, status, sizeof a->status);
		a->updated_at = now;
	}
}
