/* store_demo.c: the demo database (store_seed_demo), and the builders it
 * shares with the loader and the national generator (store_seed.h):
 * organisation, user, offer and achievement rows, and the value model.
 * The demo itself is data, server/store/demo.tables; the rules here turn
 * its parameters into rows (extracted values, carry-forward defaults,
 * calculations, declaration paths). docs/demo-data.md says what is data
 * and what a rule computes; keep the three in step. */
#include "config.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "server/http/auth.h"
#include "server/rules/recalc.h"
#include "server/store/store_load_data.h"
#include "server/store/store_seed.h"
#include "util.h"

/* ==== small helpers ======================================================= */

uint64_t seed_rand(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

int64_t seed_range(uint64_t *state, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(seed_rand(state) % (uint64_t)(hi - lo + 1));
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int64_t seed_epoch(const char *iso, int hh, int mm)
{
	int y = 0, m = 0, d = 0;
	if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	return days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

enum st seed_step(struct db *db, dbstmt *st, const char *context)
{
	int rc = dbs_step(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "cqrsd: seed: %s: %s\n", context, db_errmsg(db));
		dbs_reset(st);
		enum st r = st_from_sqlite(rc);
		return r == ST_OK ? ST_ERROR : r;
	}
	dbs_reset(st);
	return ST_OK;
}

void seed_bind_text(dbstmt *st, int i, const char *s)
{
	if (s)
		dbs_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		dbs_bind_null(st, i);
}

void seed_bind_id(dbstmt *st, int i, int64_t id)
{
	if (id > 0)
		dbs_bind_int64(st, i, id);
	else
		dbs_bind_null(st, i);
}

enum st seed_insert(struct db *db, dbstmt *st, const char *context, int64_t *id)
{
	enum st r = seed_step(db, st, context);
	if (r == ST_OK && id)
		*id = db_last_insert_rowid(db);
	return r;
}

/* ==== organisations, users, grants ======================================== */

enum st seed_org(struct db *db, const char *code, const char *name, const char *kind,
		 int64_t parent_id, int64_t list_size, const char *postcode, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO organisation(code, name, kind, parent_id, list_size, postcode)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	PREP(st, sql);
	seed_bind_text(st, 1, code);
	seed_bind_text(st, 2, name);
	seed_bind_text(st, 3, kind);
	seed_bind_id(st, 4, parent_id);
	dbs_bind_int64(st, 5, list_size);
	seed_bind_text(st, 6, postcode ? postcode : "");
	return seed_insert(db, st, code, id);
}

enum st seed_membership(struct db *db, int64_t pcn_id, int64_t practice_id, const char *start,
			const char *end)
{
	static const char sql[] =
		"INSERT INTO pcn_membership(pcn_id, practice_id, start_date, end_date)"
		" VALUES (?1, ?2, ?3, ?4)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, pcn_id);
	dbs_bind_int64(st, 2, practice_id);
	seed_bind_text(st, 3, start);
	seed_bind_text(st, 4, end);
	return seed_insert(db, st, "pcn membership", NULL);
}

enum st seed_user(struct db *db, const char *user_id, const char *name, const char *email,
		  const char *phone, bool system_account, int64_t now, int64_t password_set_at,
		  int64_t *id)
{
	static const char sql[] =
		"INSERT INTO app_user(user_id, name, email, work_phone, password_hash,"
		" password_set_at, system_account, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char hsql[] =
		"INSERT INTO password_history(user_id, password_hash, set_at) VALUES (?1, ?2, ?3)";
	char hash[crypto_pwhash_STRBYTES];
	if (sodium_init() < 0 ||
	    crypto_pwhash_str_alg(hash, SEED_PASSWORD, strlen(SEED_PASSWORD),
				  crypto_pwhash_OPSLIMIT_INTERACTIVE,
				  crypto_pwhash_MEMLIMIT_INTERACTIVE,
				  crypto_pwhash_ALG_ARGON2ID13) != 0) {
		fprintf(stderr, "cqrsd: seed: cannot hash the password of %s\n", user_id);
		return ST_ERROR;
	}
	PREP(st, sql);
	seed_bind_text(st, 1, user_id);
	seed_bind_text(st, 2, name);
	seed_bind_text(st, 3, email);
	seed_bind_text(st, 4, phone ? phone : "");
	seed_bind_text(st, 5, hash);
	dbs_bind_int64(st, 6, password_set_at);
	dbs_bind_int(st, 7, system_account);
	dbs_bind_int64(st, 8, now);
	int64_t uid = 0;
	enum st r = seed_insert(db, st, user_id, &uid);
	if (r != ST_OK)
		return r;
	PREP(h, hsql);
	dbs_bind_int64(h, 1, uid);
	seed_bind_text(h, 2, hash);
	dbs_bind_int64(h, 3, password_set_at);
	r = seed_insert(db, h, "password history", NULL);
	if (id)
		*id = uid;
	return r;
}

enum st seed_grant(struct db *db, int64_t uid, int64_t org_id, const char *role, int64_t at)
{
	return seed_grant_types(db, uid, org_id, role, NULL, at);
}

enum st seed_grant_types(struct db *db, int64_t uid, int64_t org_id, const char *role,
			 const char *payment_types, int64_t at)
{
	static const char sql[] =
		"INSERT INTO role_grant(user_id, org_id, role_code, granted_at, payment_types)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, uid);
	dbs_bind_int64(st, 2, org_id);
	seed_bind_text(st, 3, role);
	dbs_bind_int64(st, 4, at);
	if (payment_types && *payment_types)
		seed_bind_text(st, 5, payment_types);
	return seed_insert(db, st, role, NULL);
}

enum st seed_offer_add(struct db *db, const struct seed_offer *o, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO offer(service_id, org_id, via_pcn_id, status, start_date, end_date,"
		" response_date, target_date, offered_by, offered_by_org, auto_accepted,"
		" created_at, updated_at, version)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
	static const char hsql[] =
		"INSERT INTO offer_history(offer_id, at, user_id, from_status, to_status, note)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	int n = 0;
	while (n < 5 && o->statuses[n])
		n++;
	if (n == 0)
		return ST_INVALID;
	PREP(st, sql);
	dbs_bind_int64(st, 1, o->service_id);
	dbs_bind_int64(st, 2, o->org_id);
	seed_bind_id(st, 3, o->via_pcn_id);
	seed_bind_text(st, 4, o->statuses[n - 1]);
	seed_bind_text(st, 5, o->start);
	seed_bind_text(st, 6, o->end);
	seed_bind_text(st, 7, o->response);
	seed_bind_text(st, 8, o->target);
	seed_bind_id(st, 9, o->offered_by);
	seed_bind_id(st, 10, o->offered_by_org);
	dbs_bind_int(st, 11, o->auto_accepted);
	dbs_bind_int64(st, 12, o->ats[0]);
	dbs_bind_int64(st, 13, o->ats[n - 1]);
	dbs_bind_int(st, 14, n);
	int64_t oid = 0;
	enum st r = seed_insert(db, st, "offer", &oid);
	for (int i = 0; r == ST_OK && i < n; i++) {
		PREP(h, hsql);
		dbs_bind_int64(h, 1, oid);
		dbs_bind_int64(h, 2, o->ats[i]);
		seed_bind_id(h, 3, o->by[i]);
		seed_bind_text(h, 4, i ? o->statuses[i - 1] : NULL);
		seed_bind_text(h, 5, o->statuses[i]);
		seed_bind_text(h, 6, o->notes[i] ? o->notes[i] : "");
		r = seed_insert(db, h, "offer history", NULL);
	}
	if (id)
		*id = oid;
	return r;
}

enum st seed_achievement(struct db *db, int64_t service_id, int64_t org_id, int64_t date_id,
			 const char *status, bool commissioner_entry, int64_t at, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO achievement(service_id, org_id, date_id, status, commissioner_entry,"
		" created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, service_id);
	dbs_bind_int64(st, 2, org_id);
	dbs_bind_int64(st, 3, date_id);
	seed_bind_text(st, 4, status);
	dbs_bind_int(st, 5, commissioner_entry);
	dbs_bind_int64(st, 6, at);
	return seed_insert(db, st, "achievement", id);
}

/* Binds value or numerator/denominator by kind into columns i..i+2. */
static void bind_value(dbstmt *st, int i, enum seed_kind kind, int64_t value, int64_t num,
		       int64_t den)
{
	if (kind == SK_RATIO) {
		dbs_bind_null(st, i);
		dbs_bind_int64(st, i + 1, num);
		dbs_bind_int64(st, i + 2, den);
	} else {
		dbs_bind_int64(st, i, value);
		dbs_bind_null(st, i + 1);
		dbs_bind_null(st, i + 2);
	}
}

enum st seed_value_row(struct db *db, int64_t achievement_id, const struct seed_ind *ind,
		       int64_t value, int64_t num, int64_t den, const char *source,
		       int64_t submission_id, int64_t at)
{
	static const char sql[] =
		"INSERT INTO achievement_value(achievement_id, indicator_id, value, numerator,"
		" denominator, source, submission_id, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, achievement_id);
	dbs_bind_int64(st, 2, ind->id);
	bind_value(st, 3, ind->kind, value, num, den);
	dbs_bind_text(st, 6, source, -1, SQLITE_STATIC);
	seed_bind_id(st, 7, submission_id);
	dbs_bind_int64(st, 8, at);
	return seed_step(db, st, "achievement value");
}

/* ==== the value model ====================================================== */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

bool seed_value(const struct seed_ind *ind, int64_t list_size, int month, int quality,
		uint64_t noise, int64_t *value, int64_t *num, int64_t *den)
{
	uint64_t h = mix64(noise ^ (uint64_t)ind->id * 0x9e3779b97f4a7c15ULL);
	/* The practice's own size factor for this indicator: 85% to 115%. */
	int64_t factor = 850 + (int64_t)(h % 301);
	int64_t base = list_size * ind->den_ppm / 1000000 * factor / 1000;
	uint64_t hm = mix64(h ^ (uint64_t)month);
	*value = *num = *den = 0;
	switch (ind->kind) {
	case SK_COUNT:
		if (ind->activity) {
			/* A monthly activity count: varies month to month by +-10%. */
			*value = base * (int64_t)(900 + hm % 201) / 1000;
		} else {
			/* A register: grows slowly through the year. */
			*value = base + base * (month - 1) / 600;
		}
		return true;
	case SK_RATIO: {
		*den = base + base * (month - 1) / 600;
		int rate = ind->rate_pct + quality + (int)((h >> 20) % 11) - 5;
		if (rate > 100)
			rate = 100;
		if (rate < 5)
			rate = 5;
		int64_t permille = (int64_t)rate * 10;
		if (ind->cumulative)
			permille = permille * (300 + 700 * month / 12) / 1000;
		else
			permille = permille * (int64_t)(960 + hm % 41) / 1000;
		if (permille > 1000)
			permille = 1000;
		*num = *den * permille / 1000;
		return true;
	}
	case SK_YESNO:
		*value = (int)(h % 100) < ind->rate_pct + quality;
		return true;
	case SK_MONEY:
	case SK_DATE:
		return false;
	}
	return false;
}

/* ==== the demo ============================================================= */

/* The demo is server/store/demo.tables. Its plain sections are loaded by
 * store_load_data.c; the rules below read the others (extracts, the
 * PCNs' own values, entries, declarations) and make what they describe:
 * the values the model computes, carry-forward defaults, calculations
 * and declaration paths. */

#define DEMO_MAX_PRACT 32
#define DEMO_MAX_PCN 8
#define DEMO_MAX_SERVICES 16

struct demo_pcn {
	char code[16];
	int64_t id;
};

struct demo_membership {
	int pcn;           /* index into the PCNs */
	char start[11], end[11]; /* end "" while current */
};

struct demo_practice {
	char code[16];
	int64_t id, list_size;
	int quality;       /* achievement offset, percentage points */
	uint64_t number;   /* the value model's seed */
	size_t nm;
	struct demo_membership m[4];
};

struct demo {
	int64_t now;
	int64_t u_loader;  /* extract.loader, who loads extracts */
	size_t npcn, npract, nsvc;
	struct demo_pcn pcns[DEMO_MAX_PCN];
	struct demo_practice practice[DEMO_MAX_PRACT];
	struct seed_service svc[DEMO_MAX_SERVICES];
};

/* The PCN a demo practice belongs to on a date (its membership periods),
 * or -1. */
static int demo_pcn_on(const struct demo_practice *p, const char *date)
{
	for (size_t i = 0; i < p->nm; i++)
		if (strcmp(date, p->m[i].start) >= 0 &&
		    (!p->m[i].end[0] || strcmp(date, p->m[i].end) <= 0))
			return p->m[i].pcn;
	return -1;
}

/* Sets PCN, ICB and NHS England list sizes to the sums of their current
 * practices. */
enum st seed_rollup_list_sizes(struct db *db)
{
	return db_exec(db,
		"UPDATE organisation SET list_size = (SELECT COALESCE(SUM(p.list_size), 0)"
		"  FROM pcn_membership m JOIN organisation p ON p.id = m.practice_id"
		"  WHERE m.pcn_id = organisation.id AND m.end_date IS NULL) WHERE kind = 'PCN';"
		"UPDATE organisation SET list_size = (SELECT COALESCE(SUM(p.list_size), 0)"
		"  FROM organisation p WHERE p.parent_id = organisation.id AND p.kind = 'PRACTICE')"
		"  WHERE kind = 'ICB';"
		"UPDATE organisation SET list_size = (SELECT COALESCE(SUM(p.list_size), 0)"
		"  FROM organisation p WHERE p.kind = 'PRACTICE') WHERE kind = 'NHSE';");
}

/* Reads the model the rules work on back from the loaded tables: the
 * PCNs in [organisation] order; the practices in [practice] order, with
 * their list sizes and [membership] periods; the extract loader. */
static enum st demo_model(struct db *db, struct dd *dd, struct demo *D)
{
	static const char lsql[] = "SELECT list_size FROM organisation WHERE id = ?1";
	static const char usql[] = "SELECT id FROM app_user WHERE user_id = 'extract.loader'";
	const struct dd_section *orgs = dd_section(dd, "organisation"),
				*pract = dd_section(dd, "practice"),
				*mem = dd_section(dd, "membership");
	for (size_t k = 0; orgs && k < orgs->nrow && !dd->err[0]; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = orgs, .row = &orgs->row[k]};
		const char *kind = dd_need(&c, "kind"), *code = dd_need(&c, "code");
		if (!kind || strcmp(kind, "PCN") != 0)
			continue;
		if (D->npcn == DEMO_MAX_PCN) {
			dd_fail(&c, "more than %d PCNs", DEMO_MAX_PCN);
			break;
		}
		struct demo_pcn *n = &D->pcns[D->npcn++];
		strlcpy_s(n->code, code, sizeof n->code);
		n->id = dd_org(&c, "code");
	}
	for (size_t k = 0; pract && k < pract->nrow && !dd->err[0]; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = pract, .row = &pract->row[k]};
		if (D->npract == DEMO_MAX_PRACT) {
			dd_fail(&c, "more than %d practices", DEMO_MAX_PRACT);
			break;
		}
		struct demo_practice *p = &D->practice[D->npract++];
		const char *code = dd_need(&c, "practice");
		strlcpy_s(p->code, code ? code : "", sizeof p->code);
		p->id = dd_org(&c, "practice");
		p->number = (uint64_t)dd_int(&c, "number");
		p->quality = (int)dd_int(&c, "quality");
		PREP(st, lsql);
		dbs_bind_int64(st, 1, p->id);
		if (dbs_step(st) == SQLITE_ROW)
			p->list_size = dbs_column_int64(st, 0);
		dbs_reset(st);
		for (size_t i = 0; mem && i < mem->nrow && !dd->err[0]; i++) {
			struct dd_cur mc = {.dd = dd, .db = db, .sec = mem, .row = &mem->row[i]};
			if (dd_org(&mc, "practice") != p->id || p->nm == ARRAY_SIZE(p->m))
				continue;
			struct demo_membership *m = &p->m[p->nm++];
			int64_t pcn = dd_org(&mc, "pcn");
			const char *start = dd_need(&mc, "start"), *end = dd_text(&mc, "end");
			m->pcn = -1;
			for (size_t n = 0; n < D->npcn; n++)
				if (D->pcns[n].id == pcn)
					m->pcn = (int)n;
			strlcpy_s(m->start, start ? start : "", sizeof m->start);
			strlcpy_s(m->end, end ? end : "", sizeof m->end);
			if (m->pcn < 0)
				dd_fail(&mc, "pcn: not a PCN of [organisation]");
		}
	}
	PREP(u, usql);
	D->u_loader = dbs_step(u) == SQLITE_ROW ? dbs_column_int64(u, 0) : 0;
	dbs_reset(u);
	if (!D->u_loader && !dd->err[0])
		snprintf(dd->err, sizeof dd->err, "%s: the demo needs the user extract.loader",
			 dd->file);
	return dd->err[0] ? ST_INVALID : ST_OK;
}

/* Every service of [service], in order. */
static enum st demo_services(struct db *db, struct dd *dd, struct demo *D)
{
	const struct dd_section *sec = dd_section(dd, "service");
	enum st r = ST_OK;
	for (size_t k = 0; r == ST_OK && sec && k < sec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[k]};
		const char *code = dd_need(&c, "code");
		if (!code)
			return ST_INVALID;
		if (D->nsvc == DEMO_MAX_SERVICES) {
			dd_fail(&c, "more than %d services", DEMO_MAX_SERVICES);
			return ST_INVALID;
		}
		r = dd_load_service(db, dd, code, &D->svc[D->nsvc++]);
	}
	return r;
}

/* The service of the demo called code, or NULL. */
static struct seed_service *demo_service(struct demo *D, const char *code)
{
	for (size_t i = 0; code && i < D->nsvc; i++)
		if (strcmp(D->svc[i].code, code) == 0)
			return &D->svc[i];
	return NULL;
}

/* ---- achievements ------------------------------------------------------------ */

static const struct seed_ind *find_ind(const struct seed_service *s, const char *code)
{
	for (size_t i = 0; i < s->nind; i++)
		if (strcmp(s->ind[i].code, code) == 0)
			return &s->ind[i];
	return NULL;
}

static enum st submission_add(struct db *db, int64_t achievement_id, int64_t group_id,
			      const char *kind, const char *source, int64_t at, int64_t user,
			      const char *notes, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO submission(achievement_id, group_id, kind, source, at, user_id, notes)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, achievement_id);
	seed_bind_id(st, 2, group_id);
	seed_bind_text(st, 3, kind);
	seed_bind_text(st, 4, source);
	dbs_bind_int64(st, 5, at);
	seed_bind_id(st, 6, user);
	seed_bind_text(st, 7, notes ? notes : "");
	return seed_insert(db, st, "submission", id);
}

static enum st submission_value_add(struct db *db, int64_t submission_id,
				    const struct seed_ind *ind, int64_t v, int64_t num, int64_t den)
{
	static const char sql[] =
		"INSERT INTO submission_value(submission_id, indicator_id, value, numerator,"
		" denominator) VALUES (?1, ?2, ?3, ?4, ?5)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, submission_id);
	dbs_bind_int64(st, 2, ind->id);
	bind_value(st, 3, ind->kind, v, num, den);
	return seed_step(db, st, "submission value");
}

/* The month of an achievement date in its financial year: 1 = April ..
 * 12 = March. */
static int fy_month(const char *date)
{
	int y = 0, m = 0;
	if (sscanf(date, "%4d-%2d", &y, &m) != 2 || m < 1 || m > 12)
		return 1;
	return m >= 4 ? m - 3 : m + 9;
}

/* An extracted achievement of org for date index di of service s: every
 * modelled value not in skip (a list of codes, may be NULL), in one
 * EXTRACT submission by the extract
 * loader, loaded eight days after the date. PCN-entered indicators are
 * not extracted from practices: they live on the PCN's own achievement
 * (pcn_achievements). */
static enum st demo_extract(struct db *db, struct demo *D, const struct seed_service *s,
			    int64_t org_id, int64_t list_size, int quality, uint64_t noise,
			    size_t di, const char *skip)
{
	int64_t at = seed_epoch(s->date[di], 6, 10) + 8 * 86400;
	char shown[11], notes[160];
	date_display(s->date[di], shown);
	snprintf(notes, sizeof notes, "GPES extract for %s, achievement date %s", s->name, shown);
	int64_t aid = 0, sid = 0;
	enum st r = seed_achievement(db, s->id, org_id, s->date_id[di], "SUBMITTED", false, at,
				     &aid);
	if (r == ST_OK)
		r = submission_add(db, aid, 0, "SUBMIT", "EXTRACT", at, D->u_loader, notes, &sid);
	for (size_t i = 0; r == ST_OK && i < s->nind; i++) {
		const struct seed_ind *ind = &s->ind[i];
		int64_t v, num, den;
		if (ind->pcn_entered || (skip && dd_has_word(skip, ind->code)))
			continue;
		if (!seed_value(ind, list_size, fy_month(s->date[di]), quality, noise, &v, &num,
				&den))
			continue;
		r = submission_value_add(db, sid, ind, v, num, den);
		if (r == ST_OK)
			r = seed_value_row(db, aid, ind, v, num, den, "EXTRACT", sid, at);
	}
	return r;
}

/* Whether demo PCN n has a member practice on a date. */
static bool pcn_has_members(const struct demo *D, size_t n, const char *date)
{
	for (size_t p = 0; p < D->npract; p++)
		if (demo_pcn_on(&D->practice[p], date) == (int)n)
			return true;
	return false;
}

/* The PCNs' own achievements of network service s (the year starting in
 * year), for every date and each of the first npcn demo PCNs with members
 * on it, holding the PCN-entered values (domain.md; issue 10, M3). What
 * the PCN set (pcn_setting) is a MANUAL submission per group, two days
 * before the extract, by the PCN's user (demo.pcn for Tees Riverside);
 * what it did not set the extract defaulted, in an EXTRACT submission by
 * the extract loader: the PCN's value at the previous date of the
 * service, No / 0 at the first. ids (may be NULL) receives the
 * achievement of PCN n at date index di as ids[di * npcn + n]. */
/* The value PCN pcn set itself for indicator ind of s at date, and who
 * entered it: the first [pcn_value] row for them, if any. */
static bool pcn_value(struct dd *dd, struct db *db, const struct seed_service *s,
		      const char *pcn, const char *date, const char *ind, int64_t *v, int64_t *by)
{
	const struct dd_section *sec = dd_section(dd, "pcn_value");
	for (size_t k = 0; sec && k < sec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[k]};
		const char *svc = dd_need(&c, "service"), *pcns = dd_need(&c, "pcns"),
			   *dates = dd_need(&c, "dates"), *inds = dd_need(&c, "indicators");
		if (dd->err[0])
			return false;
		if (strcmp(svc, s->code) != 0 || !dd_has_date(dates, date) ||
		    !dd_has_word(inds, ind) || (strcmp(pcns, "all") != 0 && !dd_has_word(pcns, pcn)))
			continue;
		*v = dd_int(&c, "value");
		*by = dd_user(&c, "by");
		return !dd->err[0];
	}
	return false;
}

static enum st pcn_achievements(struct db *db, struct dd *dd, struct demo *D,
				const struct seed_service *s, const char *pcns)
{
	int64_t last[DEMO_MAX_PCN][SEED_MAX_IND];
	memset(last, 0, sizeof last);
	enum st r = ST_OK;
	for (size_t di = 0; r == ST_OK && di < s->ndates; di++) {
		int64_t at = seed_epoch(s->date[di], 6, 10) + 8 * 86400;
		int64_t pcn_at = at - 2 * 86400 + 5 * 3600;
		char shown[11], prev[11], notes[256];
		date_display(s->date[di], shown);
		if (di)
			date_display(s->date[di - 1], prev);
		for (size_t n = 0; r == ST_OK && n < D->npcn; n++) {
			if ((strcmp(pcns, "all") != 0 && !dd_has_word(pcns, D->pcns[n].code)) ||
			    !pcn_has_members(D, n, s->date[di]))
				continue;
			int64_t v[SEED_MAX_IND], by[SEED_MAX_IND];
			bool set[SEED_MAX_IND], any_set = false, any_default = false;
			for (size_t i = 0; i < s->nind; i++) {
				set[i] = false;
				if (!s->ind[i].pcn_entered)
					continue;
				set[i] = pcn_value(dd, db, s, D->pcns[n].code, s->date[di], s->ind[i].code,
						   &v[i], &by[i]);
				if (dd->err[0])
					return ST_INVALID;
				if (!set[i])
					v[i] = last[n][i];
				last[n][i] = v[i];
				any_set |= set[i];
				any_default |= !set[i];
			}
			int64_t aid = 0, xsid = 0;
			r = seed_achievement(db, s->id, D->pcns[n].id, s->date_id[di], "SUBMITTED", false,
					     any_set ? pcn_at : at, &aid);
			/* One MANUAL submission per group the PCN set values in. */
			for (size_t g = 0; r == ST_OK && g < s->nind; g++) {
				bool first = set[g];
				for (size_t k = g; first && k-- > 0 &&
						   s->ind[k].group_id == s->ind[g].group_id;)
					first = !set[k];
				if (!first)
					continue;
				int64_t sid = 0;
				r = submission_add(db, aid, s->ind[g].group_id, "SUBMIT", "MANUAL", pcn_at,
						   by[g],
						   "Set by the PCN for all its member practices.", &sid);
				for (size_t i = g; r == ST_OK && i < s->nind &&
						   s->ind[i].group_id == s->ind[g].group_id; i++) {
					if (!set[i])
						continue;
					r = submission_value_add(db, sid, &s->ind[i], v[i], 0, 0);
					if (r == ST_OK)
						r = seed_value_row(db, aid, &s->ind[i], v[i], 0, 0, "MANUAL",
								   sid, pcn_at);
				}
			}
			if (r == ST_OK && any_default) {
				if (di)
					snprintf(notes, sizeof notes,
						 "GPES extract for %s, achievement date %s: the values"
						 " the PCN had not set are carried forward from its"
						 " %s values", s->name, shown, prev);
				else
					snprintf(notes, sizeof notes,
						 "GPES extract for %s, achievement date %s: the values"
						 " the PCN had not set default to No (0)", s->name, shown);
				r = submission_add(db, aid, 0, "SUBMIT", "EXTRACT", at, D->u_loader, notes,
						   &xsid);
			}
			for (size_t i = 0; r == ST_OK && i < s->nind; i++) {
				if (!s->ind[i].pcn_entered || set[i])
					continue;
				r = submission_value_add(db, xsid, &s->ind[i], v[i], 0, 0);
				if (r == ST_OK)
					r = seed_value_row(db, aid, &s->ind[i], v[i], 0, 0, "EXTRACT", xsid,
							   at);
			}
		}
	}
	return r;
}

/* The [extract_skip] row of a practice's achievement of s at date: the
 * indicators its extract lacks ("all": it has no achievement), or NULL. */
static const char *extract_skip(struct dd *dd, struct db *db, const struct seed_service *s,
				const char *practice, const char *date)
{
	const struct dd_section *sec = dd_section(dd, "extract_skip");
	for (size_t k = 0; sec && k < sec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[k]};
		const char *svc = dd_need(&c, "service"), *pr = dd_need(&c, "practice"),
			   *d = dd_need(&c, "date");
		if (svc && pr && d && !strcmp(svc, s->code) && !strcmp(pr, practice) &&
		    !strcmp(d, date))
			return dd_need(&c, "indicators");
	}
	return NULL;
}

/* One row of [extract], as the runs use it. */
struct extract_row {
	const struct seed_service *s;
	const char *practices, *dates;
	int quality;
	uint64_t noise;
};

/* The extracted achievement of practice p at date index di by row x, if
 * the row takes it: the date is among the row's, the practice among its
 * practices (all; members: of any PCN on the date; or members of the
 * PCNs named), and [extract_skip] does not leave it out. */
static enum st extract_one(struct db *db, struct dd *dd, struct demo *D,
			   const struct extract_row *x, size_t p, size_t di)
{
	const struct demo_practice *pr = &D->practice[p];
	const char *date = x->s->date[di];
	if (!dd_has_date(x->dates, date))
		return ST_OK;
	if (strcmp(x->practices, "all") != 0) {
		int n = demo_pcn_on(pr, date);
		if (n < 0 || (strcmp(x->practices, "members") != 0 &&
			      !dd_has_word(x->practices, D->pcns[n].code)))
			return ST_OK;
	}
	const char *skip = extract_skip(dd, db, x->s, pr->code, date);
	if (skip && strcmp(skip, "all") == 0)
		return ST_OK;
	return demo_extract(db, D, x->s, pr->id, pr->list_size, pr->quality + x->quality,
			    pr->number * x->noise, di, skip);
}

/* The extracted achievements of [extract], run by run (consecutive rows
 * with the same run number): practice by practice, each taking every row
 * of the run in turn, date by date; or, for a run in date order, date by
 * date, practice by practice. Only rows the service filter keeps. */
static enum st demo_extracts(struct db *db, struct dd *dd, struct demo *D, const char *service,
			     bool except)
{
	const struct dd_section *sec = dd_section(dd, "extract");
	enum st r = ST_OK;
	for (size_t k = 0; r == ST_OK && sec && k < sec->nrow;) {
		struct extract_row x[8];
		size_t n = 0, j = k;
		const char *run = NULL, *order = NULL;
		for (; j < sec->nrow; j++) {
			struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[j]};
			const char *this_run = dd_need(&c, "run"), *code = dd_need(&c, "service");
			if (dd->err[0])
				return ST_INVALID;
			if (run && strcmp(run, this_run) != 0)
				break;
			run = this_run;
			if (!order)
				order = dd_need(&c, "order");
			if ((strcmp(code, service) == 0) == except)
				continue;
			const struct seed_service *s = demo_service(D, code);
			if (!s || n == ARRAY_SIZE(x)) {
				dd_fail(&c, "service: the demo's rules do not know %s", code);
				return ST_INVALID;
			}
			x[n++] = (struct extract_row){
				.s = s, .practices = dd_need(&c, "practices"), .dates = dd_need(&c, "dates"),
				.quality = (int)dd_int(&c, "quality"), .noise = (uint64_t)dd_int(&c, "noise"),
			};
		}
		k = j;
		if (dd->err[0])
			return ST_INVALID;
		if (!n)
			continue;
		if (strcmp(order, "practice") == 0) {
			for (size_t p = 0; r == ST_OK && p < D->npract; p++)
				for (size_t i = 0; r == ST_OK && i < n; i++)
					for (size_t di = 0; r == ST_OK && di < x[i].s->ndates; di++)
						r = extract_one(db, dd, D, &x[i], p, di);
		} else if (strcmp(order, "date") == 0) {
			for (size_t i = 0; r == ST_OK && i < n; i++)
				for (size_t di = 0; r == ST_OK && di < x[i].s->ndates; di++)
					for (size_t p = 0; r == ST_OK && p < D->npract; p++)
						r = extract_one(db, dd, D, &x[i], p, di);
		} else {
			snprintf(dd->err, sizeof dd->err, "%s: [extract] run %s: order \"%s\" is"
				 " neither practice nor date", dd->file, run, order);
			return ST_INVALID;
		}
	}
	return r;
}

/* The PCNs' own achievements of each [pcn_achievement] row the service
 * filter keeps: the service's PCNs named (or all) with members on each
 * date. */
static enum st demo_pcn_achievements(struct db *db, struct dd *dd, struct demo *D,
				     const char *service, bool except)
{
	const struct dd_section *sec = dd_section(dd, "pcn_achievement");
	enum st r = ST_OK;
	for (size_t k = 0; r == ST_OK && sec && k < sec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[k]};
		const char *code = dd_need(&c, "service"), *pcns = dd_need(&c, "pcns");
		if (dd->err[0])
			return ST_INVALID;
		if ((strcmp(code, service) == 0) == except)
			continue;
		const struct seed_service *s = demo_service(D, code);
		if (!s) {
			dd_fail(&c, "service: the demo's rules do not know %s", code);
			return ST_INVALID;
		}
		r = pcn_achievements(db, dd, D, s, pcns);
	}
	return r;
}

/* Current values: insert or replace. */
static enum st value_set(struct db *db, int64_t aid, const struct seed_ind *ind, int64_t v,
			 int64_t num, int64_t den, const char *source, int64_t sid, int64_t at)
{
	static const char sql[] =
		"INSERT INTO achievement_value(achievement_id, indicator_id, value, numerator,"
		" denominator, source, submission_id, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT(achievement_id, indicator_id) DO UPDATE SET value = excluded.value,"
		" numerator = excluded.numerator, denominator = excluded.denominator,"
		" source = excluded.source, submission_id = excluded.submission_id,"
		" updated_at = excluded.updated_at";
	PREP(st, sql);
	dbs_bind_int64(st, 1, aid);
	dbs_bind_int64(st, 2, ind->id);
	bind_value(st, 3, ind->kind, v, num, den);
	seed_bind_text(st, 6, source);
	seed_bind_id(st, 7, sid);
	dbs_bind_int64(st, 8, at);
	return seed_step(db, st, "achievement value");
}

struct mval {
	const char *code;
	int64_t v;
};

/* One manual entry (a group's values) into achievement *aid of org (made
 * if *aid is 0): kind SUBMIT records current values, WIP work in
 * progress. */
static enum st demo_manual(struct db *db, const struct seed_service *s, int64_t org_id,
			   size_t di, const char *kind, const char *source, int64_t user,
			   const char *notes, int64_t at, const struct mval *vals, size_t n,
			   const char *status, bool commissioner_entry, int64_t *aid)
{
	static const char wsql[] =
		"INSERT INTO wip_value(achievement_id, indicator_id, value, numerator, denominator,"
		" user_id, saved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT(achievement_id, indicator_id) DO UPDATE SET value = excluded.value,"
		" saved_at = excluded.saved_at, user_id = excluded.user_id";
	static const char usql[] =
		"UPDATE achievement SET status = ?2, updated_at = ?3, version = version + 1,"
		" commissioner_entry = CASE WHEN commissioner_entry <> 0 OR ?4 <> 0 THEN 1 ELSE 0 END WHERE id = ?1";
	enum st r = ST_OK;
	if (!*aid)
		r = seed_achievement(db, s->id, org_id, s->date_id[di], status, commissioner_entry,
				     at, aid);
	else {
		PREP(u, usql);
		dbs_bind_int64(u, 1, *aid);
		seed_bind_text(u, 2, status);
		dbs_bind_int64(u, 3, at);
		dbs_bind_int(u, 4, commissioner_entry);
		r = seed_step(db, u, "achievement update");
	}
	const struct seed_ind *first = n ? find_ind(s, vals[0].code) : NULL;
	int64_t sid = 0;
	if (r == ST_OK)
		r = submission_add(db, *aid, first ? first->group_id : 0, kind, source, at, user,
				   notes, &sid);
	for (size_t i = 0; r == ST_OK && i < n; i++) {
		const struct seed_ind *ind = find_ind(s, vals[i].code);
		if (!ind)
			return ST_INVALID;
		r = submission_value_add(db, sid, ind, vals[i].v, 0, 0);
		if (r != ST_OK)
			break;
		if (strcmp(kind, "WIP") == 0) {
			PREP(w, wsql);
			dbs_bind_int64(w, 1, *aid);
			dbs_bind_int64(w, 2, ind->id);
			bind_value(w, 3, ind->kind, vals[i].v, 0, 0);
			seed_bind_id(w, 6, user);
			dbs_bind_int64(w, 7, at);
			r = seed_step(db, w, "wip value");
		} else {
			r = value_set(db, *aid, ind, vals[i].v, 0, 0, source, sid, at);
		}
	}
	return r;
}

/* The service, organisation and date index a row of [entry] or
 * [declaration] names, with the achievement made for them so far (0 if
 * none). */
static bool row_achievement(struct dd_cur *c, struct demo *D, const struct seed_service **s,
			    int64_t *org, size_t *di, int64_t *aid)
{
	static const char sql[] = "SELECT id FROM achievement WHERE service_id = ?1 AND org_id = ?2"
				  " AND date_id = ?3";
	const char *code = dd_need(c, "service"), *date = dd_need(c, "date");
	*org = dd_org(c, "organisation");
	*s = demo_service(D, code);
	if (c->dd->err[0])
		return false;
	if (!*s) {
		dd_fail(c, "service: the demo's rules do not know %s", code);
		return false;
	}
	for (*di = 0; *di < (*s)->ndates && strcmp((*s)->date[*di], date) != 0; (*di)++)
		;
	if (*di == (*s)->ndates) {
		dd_fail(c, "date: %s is not an achievement date of %s", date, code);
		return false;
	}
	dbstmt *st = db_stmt(c->db, sql);
	if (!st)
		return false;
	dbs_bind_int64(st, 1, (*s)->id);
	dbs_bind_int64(st, 2, *org);
	dbs_bind_int64(st, 3, (*s)->date_id[*di]);
	*aid = dbs_step(st) == SQLITE_ROW ? dbs_column_int64(st, 0) : 0;
	dbs_reset(st);
	return true;
}

/* One row of [entry]: a group's values entered into the achievement of
 * the service, organisation and date (made by the first entry). A SUBMIT
 * entry leaves the achievement SUBMITTED, a WIP one OPEN; an entry of
 * source COMMISSIONER marks it entered by the commissioner. */
static enum st demo_entry(struct dd_cur *c, void *arg)
{
	const struct seed_service *s = NULL;
	int64_t org = 0, aid = 0;
	size_t di = 0;
	if (!row_achievement(c, arg, &s, &org, &di, &aid))
		return ST_INVALID;
	const char *kind = dd_need(c, "kind"), *source = dd_need(c, "source"),
		   *values = dd_need(c, "values"), *notes = dd_text(c, "notes");
	int64_t user = dd_user(c, "by"), at = dd_time(c, "at");
	if (c->dd->err[0])
		return ST_INVALID;
	bool wip = strcmp(kind, "WIP") == 0;
	if (!wip && strcmp(kind, "SUBMIT") != 0) {
		dd_fail(c, "kind: \"%s\" is neither SUBMIT nor WIP", kind);
		return ST_INVALID;
	}
	/* values: CODE=N ... */
	char buf[256];
	struct mval vals[16];
	size_t n = 0;
	strlcpy_s(buf, values, sizeof buf);
	char *save = NULL;
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '='), *end = NULL;
		if (eq)
			*eq = '\0';
		long long v = eq ? strtoll(eq + 1, &end, 10) : 0;
		if (!eq || end == eq + 1 || *end || n == ARRAY_SIZE(vals) || !find_ind(s, tok)) {
			dd_fail(c, "values: \"%s\" is not CODE=number of an indicator of %s", tok,
				s->code);
			return ST_INVALID;
		}
		vals[n++] = (struct mval){tok, (int64_t)v};
	}
	return demo_manual(c->db, s, org, di, kind, source, user, notes, at, vals, n,
			   wip ? "OPEN" : "SUBMITTED", strcmp(source, "COMMISSIONER") == 0, &aid);
}

/* The item-of-service calculation of achievement aid of s: count x price
 * per item of its current values, with a JSON breakdown and a line per
 * priced indicator; *pence receives the total. */
static enum st item_calculation(struct db *db, const struct seed_service *s, int64_t aid,
				int64_t at, int64_t *pence)
{
	static const char vsql[] = "SELECT COALESCE(value, 0) FROM achievement_value"
				   " WHERE achievement_id = ?1 AND indicator_id = ?2";
	static const char csql[] =
		"INSERT INTO calculation(achievement_id, at, points_milli, pence, breakdown, current)"
		" VALUES (?1, ?2, 0, ?3, ?4, 1)";
	static const char lsql[] =
		"INSERT INTO calculation_line(calculation_id, indicator_id, achievement_ppm,"
		" points_milli, pence, explanation) VALUES (?1, ?2, NULL, 0, ?3, ?4)";
	static const char asql[] = "UPDATE achievement SET status = 'CALCULATED' WHERE id = ?1";
	int64_t counts[SEED_MAX_IND] = {0};
	for (size_t i = 0; i < s->nind; i++) {
		PREP(v, vsql);
		dbs_bind_int64(v, 1, aid);
		dbs_bind_int64(v, 2, s->ind[i].id);
		if (dbs_step(v) == SQLITE_ROW)
			counts[i] = dbs_column_int64(v, 0);
		dbs_reset(v);
	}
	struct buf b;
	buf_init(&b);
	int64_t total = 0;
	buf_puts(&b, "{\"method\":\"item_of_service\",\"lines\":[");
	size_t k = 0;
	for (size_t i = 0; i < s->nind; i++) {
		if (!s->ind[i].pence_per_item)
			continue;
		int64_t p = counts[i] * s->ind[i].pence_per_item;
		buf_printf(&b, "%s{\"indicator\":\"%s\",\"count\":%lld,\"pence_per_item\":%d,"
			   "\"pence\":%lld}", k++ ? "," : "", s->ind[i].code,
			   (long long)counts[i], s->ind[i].pence_per_item, (long long)p);
		total += p;
	}
	buf_printf(&b, "],\"pence\":%lld}", (long long)total);
	int64_t cid = 0;
	dbstmt *st = db_stmt(db, csql);
	if (!st) {
		buf_free(&b);
		return ST_ERROR;
	}
	dbs_bind_int64(st, 1, aid);
	dbs_bind_int64(st, 2, at);
	dbs_bind_int64(st, 3, total);
	seed_bind_text(st, 4, b.data);
	buf_free(&b);
	enum st r = seed_insert(db, st, "calculation", &cid);
	for (size_t i = 0; r == ST_OK && i < s->nind; i++) {
		if (!s->ind[i].pence_per_item)
			continue;
		char price[32], sum[32], expl[128];
		money_format(s->ind[i].pence_per_item, price, sizeof price);
		money_format(counts[i] * s->ind[i].pence_per_item, sum, sizeof sum);
		snprintf(expl, sizeof expl, "%lld \xc3\x97 %s = %s", (long long)counts[i], price, sum);
		PREP(l, lsql);
		dbs_bind_int64(l, 1, cid);
		dbs_bind_int64(l, 2, s->ind[i].id);
		dbs_bind_int64(l, 3, counts[i] * s->ind[i].pence_per_item);
		seed_bind_text(l, 4, expl);
		r = seed_insert(db, l, "calculation line", NULL);
	}
	if (r == ST_OK) {
		PREP(a, asql);
		dbs_bind_int64(a, 1, aid);
		r = seed_step(db, a, "achievement calculated");
	}
	*pence = total;
	return r;
}

/* A declaration of achievement aid of s paying pence, along the usual
 * path as far as the times given reach (times[0] calculated, [1]
 * declared, [2] approved, [3] financially approved; 0 where not
 * reached), by users[1..3]; notes are the declarer's. The declarer
 * ticks the service's statements. pcn: a PCN's declaration (the history
 * notes say so). */
static enum st declaration_add(struct db *db, const struct seed_service *s, int64_t aid,
			       int64_t pence, const int64_t times[4], const int64_t users[4],
			       const char *notes, bool pcn, int64_t *decl_id)
{
	static const char dsql[] =
		"INSERT INTO declaration(achievement_id, status, pence, notes, declared_by,"
		" declared_at, updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char hsql[] =
		"INSERT INTO declaration_history(declaration_id, at, user_id, from_status,"
		" to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char tsql[] =
		"INSERT INTO declaration_tick(declaration_id, statement_id, user_id, at)"
		" SELECT ?1, id, ?2, ?3 FROM declaration_statement WHERE service_id = ?4";
	static const char *const path[] = {"AWAITING_PROVIDER", "AWAITING_COMMISSIONER",
					   "AWAITING_FINANCE", "FINANCIALLY_APPROVED"};
	static const char *const practice_notes[] = {
		"Provisional payment calculated", "Declared by the practice",
		"Approved by the commissioner", "Financially approved",
	};
	static const char *const pcn_notes[] = {
		"provisional payment calculated", "Declared by the PCN",
		"Approved by the commissioner", "Financially approved",
	};
	int last = 0;
	while (last < 3 && times[last + 1])
		last++;
	PREP(d, dsql);
	dbs_bind_int64(d, 1, aid);
	seed_bind_text(d, 2, path[last]);
	dbs_bind_int64(d, 3, pence);
	seed_bind_text(d, 4, last >= 1 && notes ? notes : "");
	seed_bind_id(d, 5, last >= 1 ? users[1] : 0);
	if (last >= 1)
		dbs_bind_int64(d, 6, times[1]);
	else
		dbs_bind_null(d, 6);
	dbs_bind_int64(d, 7, times[last]);
	dbs_bind_int(d, 8, last + 1);
	enum st r = seed_insert(db, d, "declaration", decl_id);
	for (int i = 0; r == ST_OK && i <= last; i++) {
		PREP(h, hsql);
		dbs_bind_int64(h, 1, *decl_id);
		dbs_bind_int64(h, 2, times[i]);
		seed_bind_id(h, 3, i ? users[i] : 0);
		seed_bind_text(h, 4, i ? path[i - 1] : NULL);
		seed_bind_text(h, 5, path[i]);
		seed_bind_text(h, 6, (pcn ? pcn_notes : practice_notes)[i]);
		r = seed_insert(db, h, "declaration history", NULL);
	}
	/* The statements the declarer ticked (a declarer with no named user
	 * in the demo leaves none recorded). */
	if (r == ST_OK && last >= 1 && users[1]) {
		PREP(t, tsql);
		dbs_bind_int64(t, 1, *decl_id);
		dbs_bind_int64(t, 2, users[1]);
		dbs_bind_int64(t, 3, times[1]);
		dbs_bind_int64(t, 4, s->id);
		r = seed_step(db, t, "declaration ticks");
	}
	return r;
}

/* One row of [declaration]: the achievement of the service, organisation
 * and date is calculated (a PCN's network achievement by the server's own
 * calculation, recalc_network; any other item of service) and declared
 * as far as the row's times reach. */
static enum st demo_declaration(struct dd_cur *c, void *arg)
{
	struct demo *D = arg;
	struct db *db = c->db;
	const struct seed_service *s = NULL;
	int64_t org = 0, aid = 0, pence = 0, did = 0;
	size_t di = 0;
	if (!row_achievement(c, D, &s, &org, &di, &aid))
		return ST_INVALID;
	static const char *const when[] = {"calculated", "declared", "approved", "paid"};
	static const char *const who[] = {NULL, "declared_by", "approved_by", "paid_by"};
	int64_t times[4] = {0}, users[4] = {0};
	for (size_t i = 0; i < 4; i++) {
		times[i] = i && !dd_text(c, when[i]) ? 0 : dd_time(c, when[i]);
		users[i] = who[i] ? dd_user(c, who[i]) : 0;
	}
	const char *notes = dd_text(c, "notes");
	if (c->dd->err[0])
		return ST_INVALID;
	bool pcn = false;
	for (size_t n = 0; n < D->npcn; n++)
		pcn |= D->pcns[n].id == org;
	enum st r;
	if (pcn) {
		struct recalc *rc = recalc_new(db);
		bool calculated = false;
		int64_t pcn_ach = 0;
		r = recalc_network(rc, s->id, s->date_id[di], s->date[di], org, &pcn_ach,
				   &calculated, &pence);
		recalc_free(&rc);
		if (r == ST_OK && (!calculated || pcn_ach != aid)) {
			dd_fail(c, "the network achievement was not calculated");
			r = ST_INVALID;
		}
	} else if (!aid) {
		dd_fail(c, "no achievement to declare");
		r = ST_INVALID;
	} else {
		r = item_calculation(db, s, aid, times[0], &pence);
	}
	if (r == ST_OK)
		r = declaration_add(db, s, aid, pence, times, users, notes, pcn, &did);
	return r;
}

/* ==== accounts (issue 11) ================================================= */

/* Title, first and last name from a demo user's name ("Dr Helen Marsh"). */
static enum st demo_names(struct dd_cur *c, void *arg)
{
	(void)arg;
	static const char sql[] =
		"UPDATE app_user SET title = ?2, first_name = ?3, last_name = ?4 WHERE user_id = ?1";
	static const char *const titles[] = {"Dr", "Mr", "Mrs", "Ms", "Miss", "Prof"};
	const char *user_id = dd_need(c, "user_id"), *name = dd_need(c, "name");
	if (c->dd->err[0])
		return ST_INVALID;
	char buf[128], empty[1] = "", *title = empty, *first = buf, *last;
	strlcpy_s(buf, name, sizeof buf);
	char *sp = strchr(buf, ' ');
	for (size_t i = 0; sp && i < ARRAY_SIZE(titles); i++)
		if ((size_t)(sp - buf) == strlen(titles[i]) && !strncmp(buf, titles[i], (size_t)(sp - buf))) {
			*sp = '\0';
			title = buf;
			first = sp + 1;
		}
	last = strrchr(first, ' ');
	if (last)
		*last++ = '\0';
	else
		last = empty;
	struct db *db = c->db;
	PREP(st, sql);
	seed_bind_text(st, 1, user_id);
	seed_bind_text(st, 2, title);
	seed_bind_text(st, 3, first);
	seed_bind_text(st, 4, last);
	return seed_insert(db, st, "names", NULL);
}

/* A demo account's state: awaiting registration (no password, a known
 * registration code valid 14 days from the business date), locked
 * (sign-ins from 127.0.0.1 wait a year: the state an administrator
 * unlocks) or disabled. */
static enum st demo_user_state(struct dd_cur *c, void *arg)
{
	int64_t now = *(const int64_t *)arg;
	static const char nopw[] = "UPDATE app_user SET password_hash = NULL, password_set_at = 0"
				   " WHERE id = ?1";
	static const char nohist[] = "DELETE FROM password_history WHERE user_id = ?1";
	static const char lock[] =
		"INSERT INTO signin_failure(login, addr, failures, wait_until_ms, last_at_ms)"
		" SELECT user_id, '127.0.0.1', 10, ?2, ?3 FROM app_user WHERE id = ?1";
	static const char off[] = "UPDATE app_user SET disabled = 1 WHERE id = ?1";
	struct db *db = c->db;
	int64_t uid = dd_user(c, "user");
	const char *state = dd_need(c, "state"), *code = dd_text(c, "code");
	if (c->dd->err[0])
		return ST_INVALID;
	enum st r = ST_OK;
	if (!strcmp(state, "AWAITING_REGISTRATION")) {
		char hash[65];
		if (!code || !auth_code_hash(code, hash)) {
			dd_fail(c, "an account awaiting registration needs a code of 8 or more letters"
				" and digits");
			return ST_INVALID;
		}
		const char *const sqls[] = {nopw, nohist};
		for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(sqls); i++) {
			PREP(st, sqls[i]);
			dbs_bind_int64(st, 1, uid);
			r = seed_insert(db, st, "account state", NULL);
		}
		if (r == ST_OK)
			r = store_code_issue(db, uid, "REGISTRATION", hash, 14, 0, now);
	} else if (!strcmp(state, "LOCKED")) {
		PREP(st, lock);
		int64_t wall = wall_s() * 1000;
		dbs_bind_int64(st, 1, uid);
		dbs_bind_int64(st, 2, wall + (int64_t)365 * 86400 * 1000);
		dbs_bind_int64(st, 3, wall);
		r = seed_insert(db, st, "account lock", NULL);
	} else if (!strcmp(state, "DISABLED")) {
		PREP(st, off);
		dbs_bind_int64(st, 1, uid);
		r = seed_insert(db, st, "account state", NULL);
	} else {
		dd_fail(c, "state must be AWAITING_REGISTRATION, LOCKED or DISABLED");
		return ST_INVALID;
	}
	return r;
}

/* The demo, section by section in the order its ids follow:
 * organisations, users, clusters, services, offers, extracted
 * achievements, entries, declarations, tasks, allocated reports and the
 * PCNs' own achievements; then all of the Network Contract DES 2021/22. */
static enum st demo_build(struct db *db, void *arg)
{
	struct demo *D = arg;
	if (!store_is_empty(db)) {
		fprintf(stderr, "cqrsd: seed: the database already holds organisations; the demo"
			" data go only into an empty database\n");
		return ST_CONFLICT;
	}
	struct dd *dd = dd_demo_parse();
	if (!dd)
		return ST_INVALID;
	/* Everything of the Network Contract DES 2021/22 is made after the
	 * rest, so that the ids of the rest stay as they were before it came. */
	static const char late[] = "NCD2122";
	enum st r = dd_load(db, dd, "organisation", D->now);
	if (r == ST_OK)
		r = dd_load(db, dd, "membership", D->now);
	if (r == ST_OK)
		r = seed_rollup_list_sizes(db);
	static const char *const people[] = {"user", "cluster", "cluster_member", "user_cluster"};
	for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(people); i++)
		r = dd_load(db, dd, people[i], D->now);
	if (r == ST_OK)
		r = demo_model(db, dd, D);
	if (r == ST_OK)
		r = demo_services(db, dd, D);
	if (r == ST_OK)
		r = dd_load_some(db, dd, "offer", D->now, late, true);
	if (r == ST_OK)
		r = demo_extracts(db, dd, D, late, true);
	if (r == ST_OK)
		r = dd_each(db, dd, "entry", NULL, false, demo_entry, D);
	if (r == ST_OK)
		r = dd_each(db, dd, "declaration", "NCD2122", true, demo_declaration, D);
	if (r == ST_OK)
		r = dd_load_some(db, dd, "task", D->now, late, true);
	if (r == ST_OK)
		r = dd_load(db, dd, "allocated_report", D->now);
	if (r == ST_OK)
		r = demo_pcn_achievements(db, dd, D, late, true);
	if (r == ST_OK)
		r = dd_load_some(db, dd, "offer", D->now, late, false);
	if (r == ST_OK)
		r = demo_extracts(db, dd, D, late, false);
	if (r == ST_OK)
		r = demo_pcn_achievements(db, dd, D, late, false);
	if (r == ST_OK)
		r = dd_each(db, dd, "declaration", "NCD2122", false, demo_declaration, D);
	if (r == ST_OK)
		r = dd_load_some(db, dd, "task", D->now, late, false);
	if (r == ST_OK)
		r = dd_each(db, dd, "user", NULL, false, demo_names, NULL);
	if (r == ST_OK)
		r = dd_each(db, dd, "user_state", NULL, false, demo_user_state, &D->now);
	if (dd->err[0])
		fprintf(stderr, "cqrsd: seed: %s\n", dd->err);
	dd_free(&dd);
	return r;
}

enum st store_demo_settle_times(struct db *db)
{
	return db_exec(db, "UPDATE achievement SET updated_at = COALESCE((SELECT MAX(at) FROM"
		       " submission WHERE achievement_id = achievement.id), created_at)");
}

enum st store_seed_demo(struct db *db)
{
	struct demo *D = xcalloc(1, sizeof *D);
	D->now = now_s();
	enum st r = store_tx(db, true, demo_build, D);
	free(D);
	return r;
}
