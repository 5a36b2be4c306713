/* store_demo.c: the demo database (store_seed_demo), and the builders it
 * shares with the national generator (store_seed.h): organisations,
 * users, offers, the QOF and Network Contract DES structures, and the
 * value model. What the demo contains is described in docs/demo-data.md;
 * keep the two in step. */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "server/rules/recalc.h"
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

enum st seed_step(struct db *db, sqlite3_stmt *st, const char *context)
{
	int rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "cqrsd: seed: %s: %s\n", context, sqlite3_errmsg(db->sql));
		sqlite3_reset(st);
		enum st r = st_from_sqlite(rc);
		return r == ST_OK ? ST_ERROR : r;
	}
	sqlite3_reset(st);
	return ST_OK;
}

static void bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Binds an id, or NULL when id is 0. */
static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id > 0)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

/* Runs an INSERT and returns the new row id in *id (may be NULL). */
static enum st insert(struct db *db, sqlite3_stmt *st, const char *context, int64_t *id)
{
	enum st r = seed_step(db, st, context);
	if (r == ST_OK && id)
		*id = sqlite3_last_insert_rowid(db->sql);
	return r;
}

#define PREP(var, sqltext)                   \
	sqlite3_stmt *var = db_stmt(db, sqltext); \
	if (!var)                                  \
		return ST_ERROR

/* ==== organisations, users, grants ======================================== */

enum st seed_org(struct db *db, const char *code, const char *name, const char *kind,
		 int64_t parent_id, int64_t list_size, const char *postcode, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO organisation(code, name, kind, parent_id, list_size, postcode)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	PREP(st, sql);
	bind_text(st, 1, code);
	bind_text(st, 2, name);
	bind_text(st, 3, kind);
	bind_id(st, 4, parent_id);
	sqlite3_bind_int64(st, 5, list_size);
	bind_text(st, 6, postcode ? postcode : "");
	return insert(db, st, code, id);
}

enum st seed_membership(struct db *db, int64_t pcn_id, int64_t practice_id, const char *start,
			const char *end)
{
	static const char sql[] =
		"INSERT INTO pcn_membership(pcn_id, practice_id, start_date, end_date)"
		" VALUES (?1, ?2, ?3, ?4)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, pcn_id);
	sqlite3_bind_int64(st, 2, practice_id);
	bind_text(st, 3, start);
	bind_text(st, 4, end);
	return insert(db, st, "pcn membership", NULL);
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
	bind_text(st, 1, user_id);
	bind_text(st, 2, name);
	bind_text(st, 3, email);
	bind_text(st, 4, phone ? phone : "");
	bind_text(st, 5, hash);
	sqlite3_bind_int64(st, 6, password_set_at);
	sqlite3_bind_int(st, 7, system_account);
	sqlite3_bind_int64(st, 8, now);
	int64_t uid = 0;
	enum st r = insert(db, st, user_id, &uid);
	if (r != ST_OK)
		return r;
	PREP(h, hsql);
	sqlite3_bind_int64(h, 1, uid);
	bind_text(h, 2, hash);
	sqlite3_bind_int64(h, 3, password_set_at);
	r = insert(db, h, "password history", NULL);
	if (id)
		*id = uid;
	return r;
}

enum st seed_grant(struct db *db, int64_t uid, int64_t org_id, const char *role, int64_t at)
{
	static const char sql[] =
		"INSERT INTO role_grant(user_id, org_id, role_code, granted_at) VALUES (?1, ?2, ?3, ?4)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, uid);
	sqlite3_bind_int64(st, 2, org_id);
	bind_text(st, 3, role);
	sqlite3_bind_int64(st, 4, at);
	return insert(db, st, role, NULL);
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
	sqlite3_bind_int64(st, 1, o->service_id);
	sqlite3_bind_int64(st, 2, o->org_id);
	bind_id(st, 3, o->via_pcn_id);
	bind_text(st, 4, o->statuses[n - 1]);
	bind_text(st, 5, o->start);
	bind_text(st, 6, o->end);
	bind_text(st, 7, o->response);
	bind_text(st, 8, o->target);
	bind_id(st, 9, o->offered_by);
	bind_id(st, 10, o->offered_by_org);
	sqlite3_bind_int(st, 11, o->auto_accepted);
	sqlite3_bind_int64(st, 12, o->ats[0]);
	sqlite3_bind_int64(st, 13, o->ats[n - 1]);
	sqlite3_bind_int(st, 14, n);
	int64_t oid = 0;
	enum st r = insert(db, st, "offer", &oid);
	for (int i = 0; r == ST_OK && i < n; i++) {
		PREP(h, hsql);
		sqlite3_bind_int64(h, 1, oid);
		sqlite3_bind_int64(h, 2, o->ats[i]);
		bind_id(h, 3, o->by[i]);
		bind_text(h, 4, i ? o->statuses[i - 1] : NULL);
		bind_text(h, 5, o->statuses[i]);
		bind_text(h, 6, o->notes[i] ? o->notes[i] : "");
		r = insert(db, h, "offer history", NULL);
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
	sqlite3_bind_int64(st, 1, service_id);
	sqlite3_bind_int64(st, 2, org_id);
	sqlite3_bind_int64(st, 3, date_id);
	bind_text(st, 4, status);
	sqlite3_bind_int(st, 5, commissioner_entry);
	sqlite3_bind_int64(st, 6, at);
	return insert(db, st, "achievement", id);
}

/* Binds value or numerator/denominator by kind into columns i..i+2. */
static void bind_value(sqlite3_stmt *st, int i, enum seed_kind kind, int64_t value, int64_t num,
		       int64_t den)
{
	if (kind == SK_RATIO) {
		sqlite3_bind_null(st, i);
		sqlite3_bind_int64(st, i + 1, num);
		sqlite3_bind_int64(st, i + 2, den);
	} else {
		sqlite3_bind_int64(st, i, value);
		sqlite3_bind_null(st, i + 1);
		sqlite3_bind_null(st, i + 2);
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
	sqlite3_bind_int64(st, 1, achievement_id);
	sqlite3_bind_int64(st, 2, ind->id);
	bind_value(st, 3, ind->kind, value, num, den);
	sqlite3_bind_text(st, 6, source, -1, SQLITE_STATIC);
	bind_id(st, 7, submission_id);
	sqlite3_bind_int64(st, 8, at);
	return seed_step(db, st, "achievement value");
}

/* ==== service structure ==================================================== */

struct svc_def {
	const char *code, *name, *payment_type, *frequency, *level, *payment_period, *entry;
	int start_year;
	int64_t pence_per_point, national_list_size;
	bool declaration_required, approval_required, indicator_declaration, auto_accept;
	int amendment_window_days, aspiration_percent;
	const char *description;
};

static void fy_text(int start_year, char out[8])
{
	snprintf(out, 8, "%04u/%02u", (unsigned)start_year % 10000u,
		 (unsigned)(start_year + 1) % 100u);
}

static enum st service_add(struct db *db, const struct svc_def *d, struct seed_service *out)
{
	static const char sql[] =
		"INSERT INTO quality_service(code, name, financial_year, payment_type, frequency,"
		" level, start_date, end_date, payment_period, entry, pence_per_point,"
		" national_list_size, declaration_required, approval_required,"
		" indicator_declaration, auto_accept, amendment_window_days, aspiration_percent,"
		" description)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19)";
	char fy[8], start[11], end[11];
	fy_text(d->start_year, fy);
	snprintf(start, sizeof start, "%04u-04-01", (unsigned)d->start_year % 10000u);
	snprintf(end, sizeof end, "%04u-03-31", (unsigned)(d->start_year + 1) % 10000u);
	memset(out, 0, sizeof *out);
	strlcpy_s(out->code, d->code, sizeof out->code);
	strlcpy_s(out->name, d->name, sizeof out->name);
	PREP(st, sql);
	bind_text(st, 1, d->code);
	bind_text(st, 2, d->name);
	bind_text(st, 3, fy);
	bind_text(st, 4, d->payment_type);
	bind_text(st, 5, d->frequency);
	bind_text(st, 6, d->level);
	bind_text(st, 7, start);
	bind_text(st, 8, end);
	bind_text(st, 9, d->payment_period);
	bind_text(st, 10, d->entry);
	sqlite3_bind_int64(st, 11, d->pence_per_point);
	sqlite3_bind_int64(st, 12, d->national_list_size);
	sqlite3_bind_int(st, 13, d->declaration_required);
	sqlite3_bind_int(st, 14, d->approval_required);
	sqlite3_bind_int(st, 15, d->indicator_declaration);
	sqlite3_bind_int(st, 16, d->auto_accept);
	sqlite3_bind_int(st, 17, d->amendment_window_days);
	sqlite3_bind_int(st, 18, d->aspiration_percent);
	bind_text(st, 19, d->description);
	return insert(db, st, d->code, &out->id);
}

/* Adds the statements (a NULL-terminated list) a declarer must confirm. */
static enum st statements_add(struct db *db, int64_t service_id, const char *const *texts)
{
	static const char sql[] =
		"INSERT INTO declaration_statement(service_id, position, text) VALUES (?1, ?2, ?3)";
	enum st r = ST_OK;
	for (int i = 0; r == ST_OK && texts[i]; i++) {
		PREP(st, sql);
		sqlite3_bind_int64(st, 1, service_id);
		sqlite3_bind_int(st, 2, i + 1);
		bind_text(st, 3, texts[i]);
		r = insert(db, st, "declaration statement", NULL);
	}
	return r;
}

static enum st domain_add(struct db *db, int64_t service_id, int64_t parent_id, int position,
			  const char *name, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO service_domain(service_id, parent_id, position, name)"
		" VALUES (?1, ?2, ?3, ?4)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, service_id);
	bind_id(st, 2, parent_id);
	sqlite3_bind_int(st, 3, position);
	bind_text(st, 4, name);
	return insert(db, st, name, id);
}

static enum st group_add(struct db *db, int64_t domain_id, int position, const char *code,
			 const char *name, bool mi, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO indicator_group(domain_id, position, code, name, kind)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, domain_id);
	sqlite3_bind_int(st, 2, position);
	bind_text(st, 3, code);
	bind_text(st, 4, name);
	bind_text(st, 5, mi ? "MI" : "PAYMENT");
	return insert(db, st, code, id);
}

static const char *const kind_names[] = {
	[SK_COUNT] = "count", [SK_RATIO] = "ratio", [SK_YESNO] = "yesno",
	[SK_MONEY] = "money", [SK_DATE] = "date",
};

/* One indicator definition, as the builders' tables give it. */
struct ind_def {
	const char *group;  /* code of its group */
	const char *code;
	unsigned years;     /* YEAR_* bits it belongs to */
	enum seed_kind kind;
	int points;
	int lower, upper;   /* percentages; -1: none */
	int pence_per_item;
	bool pcn_entered;
	const char *register_code;
	int den_ppm, rate_pct;
	bool cumulative;
	const char *description;
	bool activity;      /* a monthly activity count, not a register */
};

#define YEAR_2324 1u
#define YEAR_2425 2u
#define YEAR_2526 4u
#define YEAR_2122 8u /* the Network Contract DES 2021/22 only */
#define YEAR_ALL (YEAR_2324 | YEAR_2425 | YEAR_2526)

static unsigned year_bit(int start_year)
{
	switch (start_year) {
	case 2021: return YEAR_2122;
	case 2023: return YEAR_2324;
	case 2024: return YEAR_2425;
	case 2025: return YEAR_2526;
	default: return 0;
	}
}

/* Adds one indicator; unpaid_registers: register (count) indicators
 * carry no points (QOF from 2025/26, where they are kept for prevalence). */
static enum st indicator_add(struct db *db, struct seed_service *s, int64_t group_id,
			     int position, const struct ind_def *d, int national_prevalence_ppm,
			     bool unpaid_registers)
{
	static const char sql[] =
		"INSERT INTO indicator(group_id, position, code, description, kind, points,"
		" lower_threshold, upper_threshold, pence_per_item, pcn_entered,"
		" national_prevalence_ppm, register_indicator)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	if (s->nind >= SEED_MAX_IND)
		return ST_INVALID;
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, group_id);
	sqlite3_bind_int(st, 2, position);
	bind_text(st, 3, d->code);
	bind_text(st, 4, d->description);
	bind_text(st, 5, kind_names[d->kind]);
	sqlite3_bind_int(st, 6, unpaid_registers && d->kind == SK_COUNT ? 0 : d->points);
	if (d->lower >= 0)
		sqlite3_bind_int(st, 7, d->lower);
	else
		sqlite3_bind_null(st, 7);
	if (d->upper >= 0)
		sqlite3_bind_int(st, 8, d->upper);
	else
		sqlite3_bind_null(st, 8);
	sqlite3_bind_int(st, 9, d->pence_per_item);
	sqlite3_bind_int(st, 10, d->pcn_entered);
	sqlite3_bind_int(st, 11, national_prevalence_ppm);
	bind_text(st, 12, d->register_code);
	struct seed_ind *ind = &s->ind[s->nind];
	enum st r = insert(db, st, d->code, &ind->id);
	if (r != ST_OK)
		return r;
	ind->group_id = group_id;
	ind->code = d->code;
	ind->kind = d->kind;
	ind->den_ppm = d->den_ppm;
	ind->rate_pct = d->rate_pct;
	ind->pcn_entered = d->pcn_entered;
	ind->cumulative = d->cumulative;
	ind->activity = d->activity;
	s->nind++;
	return ST_OK;
}

enum pay_rule { PAY_MARCH, PAY_QUARTERS, PAY_MONTHLY };

/* The month ends of the year from month first (4 = April .. 15 = March)
 * to March as achievement dates: all twelve when first is 4. */
static enum st dates_add_from(struct db *db, struct seed_service *s, int start_year, int first,
			      enum pay_rule rule)
{
	static const char sql[] =
		"INSERT INTO achievement_date(service_id, date, payment) VALUES (?1, ?2, ?3)";
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	s->ndates = 0;
	for (int mm = first; mm <= 15; mm++) {
		size_t i = s->ndates;
		int m = mm, y = start_year;
		if (m > 12) {
			m -= 12;
			y++;
		}
		int d = dim[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
		snprintf(s->date[i], sizeof s->date[i], "%04u-%02u-%02u", (unsigned)y % 10000u,
			 (unsigned)m % 100u, (unsigned)d % 100u);
		s->payment[i] = rule == PAY_MONTHLY || (rule == PAY_QUARTERS && m % 3 == 0) ||
				m == 3;
		PREP(st, sql);
		sqlite3_bind_int64(st, 1, s->id);
		bind_text(st, 2, s->date[i]);
		sqlite3_bind_int(st, 3, s->payment[i]);
		enum st r = insert(db, st, "achievement date", &s->date_id[i]);
		if (r != ST_OK)
			return r;
		s->ndates++;
	}
	return ST_OK;
}

/* The twelve month ends of the year as achievement dates. */
static enum st dates_add(struct db *db, struct seed_service *s, int start_year, enum pay_rule rule)
{
	return dates_add_from(db, s, start_year, 4, rule);
}

/* ==== QOF ================================================================== */

static const char *const qof_domains[] = {
	"Clinical", "Organisational", "Patient Experience", "Additional Services",
};

struct area_def {
	int domain; /* index into the service's domain list */
	const char *name;
};

static const struct area_def qof_areas[] = {
	{0, "Cardiovascular"},
	{0, "Respiratory"},
	{0, "Diabetes"},
	{0, "Mental health and neurology"},
	{0, "Other clinical conditions"},
	{0, "Data collection only"},
	{1, "Quality improvement"},
	{3, "Public health"},
	{3, "Cervical screening"},
	{3, "Vaccination and immunisation"},
};

struct group_def {
	int area;           /* index into the area list */
	const char *code;
	const char *name;
	bool mi;
	int prevalence_ppm; /* national prevalence of its register, 0 if none */
	unsigned years;
};

static const struct group_def qof_groups[] = {
	{0, "AF", "Atrial fibrillation", false, 21800, YEAR_ALL},
	{0, "CHD", "Coronary heart disease", false, 30200, YEAR_ALL},
	{0, "HF", "Heart failure", false, 10300, YEAR_ALL},
	{0, "HYP", "Hypertension", false, 144000, YEAR_ALL},
	{0, "PAD", "Peripheral arterial disease", false, 5700, YEAR_ALL},
	{0, "STIA", "Stroke and transient ischaemic attack", false, 18900, YEAR_ALL},
	{0, "CHOL", "Cholesterol control and lipid management", false, 0, YEAR_ALL},
	{1, "AST", "Asthma", false, 65000, YEAR_ALL},
	{1, "COPD", "Chronic obstructive pulmonary disease", false, 19000, YEAR_ALL},
	{2, "DM", "Diabetes mellitus", false, 75000, YEAR_ALL},
	{3, "DEM", "Dementia", false, 7300, YEAR_ALL},
	{3, "DEP", "Depression", false, 0, YEAR_ALL},
	{3, "MH", "Mental health", false, 9500, YEAR_ALL},
	{3, "EP", "Epilepsy", false, 8100, YEAR_ALL},
	{3, "LD", "Learning disability", false, 5800, YEAR_ALL},
	{4, "CAN", "Cancer", false, 36400, YEAR_ALL},
	{4, "CKD", "Chronic kidney disease", false, 40500, YEAR_ALL},
	{4, "OB", "Obesity", false, 131000, YEAR_ALL},
	{4, "OST", "Osteoporosis: secondary prevention of fragility fractures", false, 8900,
	 YEAR_ALL},
	{4, "RA", "Rheumatoid arthritis", false, 7700, YEAR_ALL},
	{4, "PC", "Palliative care", false, 5100, YEAR_ALL},
	{5, "INLIQ", "Indicators no longer in QOF (data collection only)", true, 0, YEAR_ALL},
	{6, "QI", "Quality improvement modules", false, 0, YEAR_2324 | YEAR_2425},
	{7, "BP", "Blood pressure", false, 0, YEAR_ALL},
	{7, "SMOK", "Smoking", false, 0, YEAR_ALL},
	{7, "NDH", "Non-diabetic hyperglycaemia", false, 0, YEAR_ALL},
	{8, "CS", "Cervical screening", false, 0, YEAR_ALL},
	{9, "VI", "Childhood vaccination and shingles immunisation", false, 0, YEAR_ALL},
};

#define REG(g, c, pts, ppm, desc) \
	{g, c, YEAR_ALL, SK_COUNT, pts, -1, -1, 0, false, NULL, ppm, 0, false, desc}
#define RAT(g, c, yrs, pts, lo, hi, reg, ppm, rate, desc) \
	{g, c, yrs, SK_RATIO, pts, lo, hi, 0, false, reg, ppm, rate, true, desc}

/* QOF indicators. Codes are those of the 2024/25 framework; points and
 * thresholds as recorded in docs/demo-data.md. den_ppm is the size of the
 * register or denominator per million patients; rate_pct the typical
 * year-end achievement. */
static const struct ind_def qof_inds[] = {
	REG("AF", "AF001", 5, 21800,
	    "The contractor establishes and maintains a register of patients with atrial fibrillation"),
	RAT("AF", "AF006", YEAR_ALL, 12, 40, 70, "AF001", 4200, 82,
	    "The percentage of patients with atrial fibrillation, excluding those whose latest"
	    " CHA2DS2-VASc score is 2 or more, in whom stroke risk has been assessed using the"
	    " CHA2DS2-VASc score in the preceding 12 months"),
	RAT("AF", "AF008", YEAR_ALL, 12, 70, 95, "AF001", 17500, 88,
	    "The percentage of patients with atrial fibrillation and a CHA2DS2-VASc score of 2 or"
	    " more who are currently treated with a direct-acting oral anticoagulant or, where a"
	    " DOAC is declined or clinically unsuitable, a vitamin K antagonist"),
	REG("CHD", "CHD001", 4, 30200,
	    "The contractor establishes and maintains a register of patients with coronary heart disease"),
	RAT("CHD", "CHD005", YEAR_ALL, 7, 56, 96, "CHD001", 28500, 93,
	    "The percentage of patients with coronary heart disease with a record in the preceding"
	    " 12 months that aspirin, an alternative anti-platelet therapy, or an anti-coagulant is"
	    " being taken"),
	RAT("CHD", "CHD015", YEAR_ALL, 12, 52, 92, "CHD001", 14000, 79,
	    "The percentage of patients on the register with coronary heart disease, aged 79 or"
	    " under, in whom the last blood pressure reading in the preceding 12 months is"
	    " 140/90 mmHg or less"),
	RAT("CHD", "CHD016", YEAR_ALL, 5, 71, 91, "CHD001", 12500, 86,
	    "The percentage of patients on the register with coronary heart disease, aged 80 or"
	    " over, in whom the last blood pressure reading in the preceding 12 months is"
	    " 150/90 mmHg or less"),
	REG("HF", "HF001", 4, 10300,
	    "The contractor establishes and maintains a register of patients with heart failure"),
	RAT("HF", "HF003", YEAR_ALL, 6, 60, 92, "HF001", 4100, 87,
	    "In those patients with a current diagnosis of heart failure due to left ventricular"
	    " systolic dysfunction, the percentage of patients who are currently treated with an"
	    " ACE-I or ARB"),
	RAT("HF", "HF006", YEAR_ALL, 9, 60, 92, "HF001", 4100, 84,
	    "The percentage of patients with a current diagnosis of heart failure due to"
	    " reduced ejection fraction who are currently treated with a beta-blocker licensed"
	    " for heart failure"),
	REG("HYP", "HYP001", 3, 144000,
	    "The contractor establishes and maintains a register of patients with established hypertension"),
	RAT("HYP", "HYP008", YEAR_ALL, 40, 40, 77, "HYP001", 89000, 71,
	    "The percentage of patients aged 79 years or under, with hypertension, in whom the"
	    " last blood pressure reading in the preceding 12 months is 140/90 mmHg or less"),
	RAT("HYP", "HYP009", YEAR_ALL, 20, 52, 87, "HYP001", 52000, 82,
	    "The percentage of patients aged 80 years or over, with hypertension, in whom the"
	    " last blood pressure reading in the preceding 12 months is 150/90 mmHg or less"),
	REG("PAD", "PAD001", 2, 5700,
	    "The contractor establishes and maintains a register of patients with peripheral arterial disease"),
	REG("STIA", "STIA001", 2, 18900,
	    "The contractor establishes and maintains a register of patients with stroke or TIA"),
	RAT("STIA", "STIA007", YEAR_ALL, 4, 57, 97, "STIA001", 12400, 92,
	    "The percentage of patients with a stroke shown to be non-haemorrhagic, or a history"
	    " of TIA, who have a record in the preceding 12 months that an anti-platelet agent or"
	    " an anti-coagulant is being taken"),
	RAT("STIA", "STIA014", YEAR_ALL, 3, 52, 92, "STIA001", 8200, 78,
	    "The percentage of patients with a history of stroke or TIA, aged 79 or under, in"
	    " whom the last blood pressure reading in the preceding 12 months is 140/90 mmHg or less"),
	RAT("STIA", "STIA015", YEAR_ALL, 2, 71, 91, "STIA001", 9300, 85,
	    "The percentage of patients with a history of stroke or TIA, aged 80 or over, in"
	    " whom the last blood pressure reading in the preceding 12 months is 150/90 mmHg or less"),
	RAT("CHOL", "CHOL001", YEAR_2324, 14, 70, 95, NULL, 88000, 83,
	    "The percentage of patients on the QOF CHD, PAD, stroke/TIA or CKD registers who are"
	    " currently treated with a statin, or another lipid-lowering therapy where a statin"
	    " is declined or clinically unsuitable"),
	RAT("CHOL", "CHOL002", YEAR_2324, 16, 20, 35, NULL, 52000, 38,
	    "The percentage of patients on the QOF CHD, PAD or stroke/TIA registers whose most"
	    " recent LDL cholesterol in the preceding 12 months is 1.8 mmol/L or lower (or,"
	    " where LDL is not recorded, non-HDL cholesterol of 2.5 mmol/L or lower)"),
	RAT("CHOL", "CHOL003", YEAR_2425 | YEAR_2526, 14, 70, 95, NULL, 88000, 84,
	    "The percentage of patients on the QOF CHD, PAD, stroke/TIA or CKD registers who are"
	    " currently prescribed a statin, or another lipid-lowering therapy where a statin is"
	    " declined or clinically unsuitable"),
	RAT("CHOL", "CHOL004", YEAR_2425 | YEAR_2526, 16, 20, 35, NULL, 52000, 46,
	    "The percentage of patients on the QOF CHD, PAD or stroke/TIA registers whose most"
	    " recent LDL cholesterol in the preceding 12 months is 2.0 mmol/L or lower (or,"
	    " where LDL is not recorded, non-HDL cholesterol of 2.6 mmol/L or lower)"),
	REG("AST", "AST005", 4, 65000,
	    "The contractor establishes and maintains a register of patients with asthma aged 6"
	    " or over, excluding those with asthma resolved"),
	RAT("AST", "AST006", YEAR_ALL, 20, 45, 80, "AST005", 1900, 58,
	    "The percentage of patients with asthma on the register newly diagnosed in the"
	    " preceding 12 months with a record of an objective test of diagnosis"),
	RAT("AST", "AST007", YEAR_ALL, 20, 45, 70, "AST005", 61000, 63,
	    "The percentage of patients with asthma who have had an asthma review in the"
	    " preceding 12 months that includes an assessment of asthma control using a validated"
	    " questionnaire, a recording of exacerbations and a written personalised action plan"),
	RAT("AST", "AST008", YEAR_ALL, 6, 45, 80, "AST005", 5200, 81,
	    "The percentage of patients with asthma aged 12 to 19 in whom there is a record of"
	    " smoking status in the preceding 12 months"),
	REG("COPD", "COPD015", 9, 19000,
	    "The contractor establishes and maintains a register of patients with a clinical"
	    " diagnosis of COPD"),
	RAT("COPD", "COPD010", YEAR_ALL, 9, 50, 90, "COPD015", 17200, 74,
	    "The percentage of patients with COPD on the register who have had a review in the"
	    " preceding 12 months, including a record of the number of exacerbations and an"
	    " assessment of breathlessness using the MRC dyspnoea scale"),
	RAT("COPD", "COPD014", YEAR_ALL, 2, 40, 90, "COPD015", 4800, 61,
	    "The percentage of patients with COPD and a Medical Research Council dyspnoea grade"
	    " of 3 or above who have been referred to a pulmonary rehabilitation programme"),
	RAT("COPD", "COPD016", YEAR_ALL, 5, 45, 80, "COPD015", 1400, 69,
	    "The percentage of patients with COPD on the register diagnosed in the preceding 12"
	    " months whose diagnosis has been confirmed by post-bronchodilator spirometry"),
	REG("DM", "DM017", 6, 75000,
	    "The contractor establishes and maintains a register of all patients aged 17 or over"
	    " with diabetes mellitus, which specifies the type of diabetes"),
	RAT("DM", "DM006", YEAR_ALL, 3, 57, 97, "DM017", 15500, 88,
	    "The percentage of patients with diabetes, on the register, with a diagnosis of"
	    " nephropathy or micro-albuminuria who are currently treated with an ACE-I or ARB"),
	RAT("DM", "DM012", YEAR_ALL, 4, 50, 90, "DM017", 71000, 82,
	    "The percentage of patients with diabetes, on the register, with a record of a foot"
	    " examination and risk classification within the preceding 12 months"),
	RAT("DM", "DM014", YEAR_ALL, 11, 40, 90, "DM017", 5100, 69,
	    "The percentage of patients newly diagnosed with diabetes who have a record of being"
	    " referred to a structured education programme within 9 months of entry on to the register"),
	RAT("DM", "DM020", YEAR_ALL, 17, 35, 75, "DM017", 61000, 59,
	    "The percentage of patients with diabetes, without moderate or severe frailty, in"
	    " whom the last IFCC-HbA1c is 58 mmol/mol or less in the preceding 12 months"),
	RAT("DM", "DM021", YEAR_ALL, 10, 52, 92, "DM017", 12000, 80,
	    "The percentage of patients with diabetes, with moderate or severe frailty, in whom"
	    " the last IFCC-HbA1c is 75 mmol/mol or less in the preceding 12 months"),
	RAT("DM", "DM022", YEAR_ALL, 4, 50, 90, "DM017", 45500, 77,
	    "The percentage of patients with diabetes aged 40 and over, with no history of"
	    " cardiovascular disease and without moderate or severe frailty, who are currently"
	    " treated with a statin"),
	RAT("DM", "DM023", YEAR_ALL, 2, 50, 90, "DM017", 24800, 85,
	    "The percentage of patients with diabetes and a history of cardiovascular disease"
	    " (excluding haemorrhagic stroke) who are currently treated with a statin"),
	RAT("DM", "DM036", YEAR_ALL, 10, 38, 78, "DM017", 55000, 69,
	    "The percentage of patients with diabetes, on the register, without moderate or"
	    " severe frailty, aged 79 or under, in whom the last blood pressure reading in the"
	    " preceding 12 months is 140/90 mmHg or less"),
	REG("DEM", "DEM001", 5, 7300,
	    "The contractor establishes and maintains a register of patients diagnosed with dementia"),
	RAT("DEM", "DEM004", YEAR_ALL, 39, 35, 70, "DEM001", 6900, 64,
	    "The percentage of patients diagnosed with dementia whose care plan has been reviewed"
	    " in a face-to-face review in the preceding 12 months"),
	RAT("DEP", "DEP004", YEAR_ALL, 10, 45, 80, NULL, 3100, 61,
	    "The percentage of patients aged 18 or over with a new diagnosis of depression in the"
	    " preceding 12 months who have been reviewed not earlier than 10 days after and not"
	    " later than 56 days after the date of diagnosis"),
	REG("MH", "MH001", 4, 9500,
	    "The contractor establishes and maintains a register of patients with schizophrenia,"
	    " bipolar affective disorder and other psychoses"),
	RAT("MH", "MH002", YEAR_ALL, 6, 40, 90, "MH001", 8700, 54,
	    "The percentage of patients with schizophrenia, bipolar affective disorder and other"
	    " psychoses who have a comprehensive care plan documented in the preceding 12 months"),
	RAT("MH", "MH003", YEAR_ALL, 4, 50, 90, "MH001", 8700, 79,
	    "The percentage of patients with schizophrenia, bipolar affective disorder and other"
	    " psychoses with a record of blood pressure in the preceding 12 months"),
	RAT("MH", "MH006", YEAR_ALL, 4, 50, 90, "MH001", 8700, 72,
	    "The percentage of patients with schizophrenia, bipolar affective disorder and other"
	    " psychoses with a record of BMI in the preceding 12 months"),
	RAT("MH", "MH007", YEAR_ALL, 4, 50, 90, "MH001", 8700, 75,
	    "The percentage of patients with schizophrenia, bipolar affective disorder and other"
	    " psychoses with a record of alcohol consumption in the preceding 12 months"),
	RAT("MH", "MH011", YEAR_ALL, 4, 50, 90, "MH001", 6600, 61,
	    "The percentage of patients with schizophrenia, bipolar affective disorder and other"
	    " psychoses with a record of a lipid profile in the preceding 12 months"),
	RAT("MH", "MH012", YEAR_ALL, 4, 50, 90, "MH001", 6600, 63,
	    "The percentage of patients with schizophrenia, bipolar affective disorder and other"
	    " psychoses with a record of a blood glucose or HbA1c in the preceding 12 months"),
	REG("EP", "EP001", 1, 8100,
	    "The contractor establishes and maintains a register of patients aged 18 or over"
	    " receiving drug treatment for epilepsy"),
	REG("LD", "LD004", 4, 5800,
	    "The contractor establishes and maintains a register of patients with learning disabilities"),
	REG("CAN", "CAN001", 5, 36400,
	    "The contractor establishes and maintains a register of all cancer patients defined"
	    " as a 'register of patients with a diagnosis of cancer excluding non-melanotic skin"
	    " cancers diagnosed on or after 1 April 2003'"),
	RAT("CAN", "CAN004", YEAR_ALL, 2, 70, 90, "CAN001", 3300, 84,
	    "The percentage of patients with cancer, diagnosed within the preceding 12 months, who"
	    " have had the opportunity for a discussion and been informed of the support"
	    " available from primary care, within 3 months of diagnosis"),
	RAT("CAN", "CAN005", YEAR_ALL, 9, 50, 90, "CAN001", 3300, 71,
	    "The percentage of patients with cancer, diagnosed within the preceding 24 months,"
	    " who have had a cancer care review within 12 months of diagnosis"),
	REG("CKD", "CKD005", 6, 40500,
	    "The contractor establishes and maintains a register of patients aged 18 or over with"
	    " CKD with classification of categories G3a to G5"),
	REG("OB", "OB002", 8, 131000,
	    "The contractor establishes and maintains a register of patients aged 18 years or over"
	    " with a BMI of 30 or more (27.5 or more for some ethnic groups) in the preceding 12 months"),
	REG("OST", "OST004", 3, 8900,
	    "The contractor establishes and maintains a register of patients aged 50 or over who"
	    " have had a record of a fragility fracture on or after 1 April 2012 and a diagnosis"
	    " of osteoporosis"),
	REG("RA", "RA001", 1, 7700,
	    "The contractor establishes and maintains a register of patients aged 16 or over with"
	    " rheumatoid arthritis"),
	RAT("RA", "RA002", YEAR_ALL, 5, 40, 90, "RA001", 7100, 69,
	    "The percentage of patients with rheumatoid arthritis, on the register, who have had a"
	    " face-to-face review in the preceding 12 months"),
	REG("PC", "PC001", 3, 5100,
	    "The contractor establishes and maintains a register of all patients in need of"
	    " palliative care or support, irrespective of age"),
	{"INLIQ", "DM019", YEAR_ALL, SK_RATIO, 0, -1, -1, 0, false, NULL, 60000, 71, true,
	 "The percentage of patients with diabetes, on the register, in whom the last blood"
	 " pressure reading in the preceding 12 months is 140/80 mmHg or less (no longer in"
	 " QOF; collected for information)"},
	{"INLIQ", "CHD008", YEAR_ALL, SK_RATIO, 0, -1, -1, 0, false, NULL, 14000, 78, true,
	 "The percentage of patients aged 79 years or under with coronary heart disease in whom"
	 " the last blood pressure reading in the preceding 12 months is 140/90 mmHg or less"
	 " (no longer in QOF; collected for information)"},
	{"QI", "QIDC01", YEAR_2324 | YEAR_2425, SK_YESNO, 27, -1, -1, 0, false, NULL, 0, 95, false,
	 "Optimising demand and capacity: the practice has reviewed its demand and capacity"
	 " data and agreed improvement actions"},
	{"QI", "QIDC02", YEAR_2324 | YEAR_2425, SK_YESNO, 10, -1, -1, 0, false, NULL, 0, 92, false,
	 "Optimising demand and capacity: the practice has taken part in network peer review"
	 " meetings on the module"},
	{"QI", "QIWW01", YEAR_2324 | YEAR_2425, SK_YESNO, 27, -1, -1, 0, false, NULL, 0, 95, false,
	 "Workforce wellbeing: the practice has reviewed staff wellbeing and agreed improvement"
	 " actions"},
	{"QI", "QIWW02", YEAR_2324 | YEAR_2425, SK_YESNO, 10, -1, -1, 0, false, NULL, 0, 92, false,
	 "Workforce wellbeing: the practice has taken part in network peer review meetings on"
	 " the module"},
	RAT("BP", "BP002", YEAR_ALL, 15, 50, 90, NULL, 452000, 88,
	    "The percentage of patients aged 45 or over who have a record of blood pressure in"
	    " the preceding 5 years"),
	RAT("SMOK", "SMOK002", YEAR_ALL, 25, 50, 90, NULL, 298000, 92,
	    "The percentage of patients with any of a list of long-term conditions whose notes"
	    " record smoking status in the preceding 12 months"),
	RAT("SMOK", "SMOK004", YEAR_ALL, 12, 40, 90, NULL, 118000, 86,
	    "The percentage of patients aged 15 or over who are recorded as current smokers who"
	    " have a record of an offer of support and treatment within the preceding 24 months"),
	RAT("SMOK", "SMOK005", YEAR_ALL, 25, 56, 96, NULL, 41000, 88,
	    "The percentage of patients with any of a list of long-term conditions who are"
	    " recorded as current smokers who have a record of an offer of support and treatment"
	    " within the preceding 12 months"),
	RAT("NDH", "NDH001", YEAR_ALL, 18, 50, 90, NULL, 52000, 77,
	    "The percentage of patients with non-diabetic hyperglycaemia who have had an HbA1c or"
	    " fasting blood glucose performed in the preceding 12 months"),
	RAT("CS", "CS005", YEAR_ALL, 7, 45, 80, NULL, 168000, 73,
	    "The proportion of women eligible for screening and aged 25 to 49 years at the end of"
	    " the period whose notes record that an adequate cervical screening test has been"
	    " performed in the previous 3 years and 6 months"),
	RAT("CS", "CS006", YEAR_ALL, 4, 45, 80, NULL, 91000, 75,
	    "The proportion of women eligible for screening and aged 50 to 64 years at the end of"
	    " the period whose notes record that an adequate cervical screening test has been"
	    " performed in the previous 5 years and 6 months"),
	RAT("VI", "VI001", YEAR_ALL, 18, 89, 95, NULL, 10800, 92,
	    "The percentage of babies who reached 8 months old in the preceding 12 months who have"
	    " received at least 3 doses of a diphtheria, tetanus and pertussis containing vaccine"
	    " before the age of 8 months"),
	RAT("VI", "VI002", YEAR_ALL, 18, 86, 91, NULL, 11000, 89,
	    "The percentage of children who reached 18 months old in the preceding 12 months who"
	    " have received at least 1 dose of MMR between the ages of 12 and 18 months"),
	RAT("VI", "VI003", YEAR_ALL, 18, 87, 90, NULL, 11300, 86,
	    "The percentage of children who reached 5 years old in the preceding 12 months who"
	    " have received a reinforcing dose of DTaP/IPV and at least 2 doses of MMR between"
	    " the ages of 1 and 5 years"),
	RAT("VI", "VI004", YEAR_ALL, 10, 50, 60, NULL, 14200, 57,
	    "The percentage of patients who reached 80 years old in the preceding 12 months who"
	    " have received a shingles vaccine between the ages of 70 and 79 years"),
};

static const char *const qof_statements[] = {
	"The achievement data are accurate and complete, and were recorded in the clinical"
	" system in line with the QOF business rules.",
	"Personalised care adjustments were applied only where the QOF guidance allows.",
	"The practice holds the evidence to support this declaration and will make it available"
	" to the commissioner on request.",
	NULL,
};

/* Builds a service's domains, sub-domains, groups and indicators from
 * the tables, for the year bit given. The top-level domains (ntop, at
 * most 8) are all created when keep_empty, otherwise only those with
 * groups that year. */
static enum st structure_add(struct db *db, struct seed_service *s, unsigned year,
			     const char *const *top, size_t ntop, bool keep_empty,
			     const struct area_def *areas, size_t nareas,
			     const struct group_def *groups, size_t ngroups,
			     const struct ind_def *inds, size_t ninds)
{
	int64_t dom[8] = {0};
	int dompos = 0;
	enum st r = ST_OK;
	if (ntop > 8)
		return ST_INVALID;
	for (size_t i = 0; r == ST_OK && keep_empty && i < ntop; i++)
		r = domain_add(db, s->id, 0, ++dompos, top[i], &dom[i]);
	int subpos[8] = {0};
	for (size_t a = 0; r == ST_OK && a < nareas; a++) {
		int64_t area_id = 0;
		int gpos = 0;
		for (size_t g = 0; r == ST_OK && g < ngroups; g++) {
			if (groups[g].area != (int)a || !(groups[g].years & year))
				continue;
			if (!area_id) {
				int d = areas[a].domain;
				if (!dom[d])
					r = domain_add(db, s->id, 0, ++dompos, top[d], &dom[d]);
				if (r != ST_OK)
					break;
				if (areas[a].name)
					r = domain_add(db, s->id, dom[d], ++subpos[d], areas[a].name,
						       &area_id);
				else
					area_id = dom[d];
				if (r != ST_OK)
					break;
			}
			int64_t gid = 0;
			r = group_add(db, area_id, ++gpos, groups[g].code, groups[g].name, groups[g].mi,
				      &gid);
			int ipos = 0;
			for (size_t k = 0; r == ST_OK && k < ninds; k++)
				if ((inds[k].years & year) && strcmp(inds[k].group, groups[g].code) == 0)
					r = indicator_add(db, s, gid, ++ipos, &inds[k],
							  groups[g].prevalence_ppm,
							  year == YEAR_2526 && top == qof_domains);
		}
	}
	return r;
}

enum st seed_qof(struct db *db, int start_year, struct seed_service *out)
{
	unsigned year = year_bit(start_year);
	if (!year)
		return ST_INVALID;
	char fy[8], code[16], name[64], desc[512];
	fy_text(start_year, fy);
	snprintf(code, sizeof code, "QOF%02d%02d", start_year % 100, (start_year + 1) % 100);
	snprintf(name, sizeof name, "Quality and Outcomes Framework %s", fy);
	snprintf(desc, sizeof desc,
		 "The Quality and Outcomes Framework for %s: achievement is extracted monthly"
		 " from GP clinical systems (GPES) and paid once a year at 31 March, at %s.%02d"
		 " a point adjusted for list size and prevalence%s.",
		 fy, start_year == 2023 ? "\xc2\xa3" "213" : "\xc2\xa3" "220",
		 start_year == 2023 ? 43 : 62,
		 start_year == 2025 ? " (the 2025/26 point value here is assumed)" : "");
	struct svc_def d = {
		.code = code, .name = name, .payment_type = "QOF", .frequency = "ANNUAL",
		.level = "PRACTICE", .payment_period = "Annual (31 March)", .entry = "AUTOMATIC",
		.start_year = start_year,
		.pence_per_point = start_year == 2023 ? 21343 : 22062,
		.national_list_size = 9964,
		.declaration_required = true, .approval_required = true,
		.amendment_window_days = 60,
		.aspiration_percent = start_year == 2023 ? 70 : 80,
		.description = desc,
	};
	enum st r = service_add(db, &d, out);
	if (r == ST_OK)
		r = statements_add(db, out->id, qof_statements);
	if (r == ST_OK)
		r = structure_add(db, out, year, qof_domains, ARRAY_SIZE(qof_domains), true, qof_areas,
				  ARRAY_SIZE(qof_areas), qof_groups, ARRAY_SIZE(qof_groups),
				  qof_inds, ARRAY_SIZE(qof_inds));
	if (r == ST_OK)
		r = dates_add(db, out, start_year, PAY_MARCH);
	return r;
}

/* ==== Network Contract DES ================================================= */

static const char *const ncd_domains[] = {
	"Investment and Impact Fund", "Capacity and Access", "Enhanced Access",
	"Enhanced Health in Care Homes", "Covid-19 Vaccination",
};

static const struct area_def ncd_areas[] = {
	{0, NULL}, {1, NULL}, {2, NULL}, {3, NULL}, {4, NULL},
};

static const struct group_def ncd_groups[] = {
	{0, "IIF", "Investment and Impact Fund indicators", false, 0,
	 YEAR_2122 | YEAR_2324 | YEAR_2425},
	{1, "CAIP", "Capacity and Access Improvement Payment", false, 0, YEAR_ALL},
	{1, "ACC", "Access management information", true, 0, YEAR_2425 | YEAR_2526},
	{2, "EA", "Enhanced Access tick-box indicator", false, 0, YEAR_2425 | YEAR_2526},
	{3, "EHCH", "Enhanced Health in Care Homes", false, 0, YEAR_2324},
	{4, "COV", "Covid-19 vaccination tick-box indicator", false, 0, YEAR_2122},
};

/* Indicator codes of the Network Contract DES are invented (the real
 * 2024/25 codes were not found); see docs/demo-data.md. */
static const struct ind_def ncd_inds[] = {
	{"IIF", "LD.HC.IIF01", YEAR_2425, SK_RATIO, 36, 60, 80, 0, false, NULL, 4600, 78, true,
	 "Learning disability health checks: the percentage of patients aged 14 or over on the"
	 " learning disability register who received an annual learning disability health"
	 " check and have a completed health action plan"},
	{"IIF", "CAN.FIT.IIF02", YEAR_2425, SK_RATIO, 38, 65, 80, 0, false, NULL, 1500, 79, false,
	 "Early cancer diagnosis: the percentage of lower gastrointestinal two week wait"
	 " (fast track) cancer referrals accompanied by a faecal immunochemical test result,"
	 " with the result recorded in the 21 days before the referral"},
	{"IIF", "FLU.IIF01", YEAR_2122 | YEAR_2324, SK_RATIO, 20, 57, 90, 0, false, NULL, 98000, 68, true,
	 "Seasonal influenza: the percentage of patients aged 18 to 64 in a clinical at-risk"
	 " group who received a seasonal influenza vaccination between 1 September and 31 March"},
	{"IIF", "ACC.IIF02", YEAR_2122 | YEAR_2324, SK_RATIO, 20, 85, 90, 0, false, NULL, 380000, 87,
	 false,
	 "Access: the percentage of patients whose time from booking to appointment was two"
	 " weeks or less"},
	{"CAIP", "CAIP.01", YEAR_ALL, SK_YESNO, 0, -1, -1, 47, true, NULL, 0, 90, false,
	 "Better digital telephony: the PCN's practices use digital telephony with call-back"
	 " and queue messaging, and use its data to match capacity to demand (certified by the"
	 " PCN clinical director)"},
	{"CAIP", "CAIP.02", YEAR_ALL, SK_YESNO, 0, -1, -1, 47, true, NULL, 0, 85, false,
	 "Simpler online requests: online consultation tools are available for patients"
	 " throughout core hours (certified by the PCN clinical director)"},
	{"CAIP", "CAIP.03", YEAR_ALL, SK_YESNO, 0, -1, -1, 47, true, NULL, 0, 80, false,
	 "Faster care navigation, assessment and response: requests are assessed and"
	 " navigated consistently on the day they arrive (certified by the PCN clinical"
	 " director)"},
	{"ACC", "ACC.MI01", YEAR_2425 | YEAR_2526, SK_COUNT, 0, -1, -1, 0, false, NULL, 430000, 0,
	 false, "Appointments delivered in general practice in the month (GPAD)", true},
	{"ACC", "ACC.MI02", YEAR_2425 | YEAR_2526, SK_COUNT, 0, -1, -1, 0, false, NULL, 61000, 0,
	 false, "Online consultation requests submitted by patients in the month", true},
	{"EA", "EA.TB01", YEAR_2425 | YEAR_2526, SK_YESNO, 20, -1, -1, 0, true, NULL, 0, 92, false,
	 "Tick-box: the PCN delivered Enhanced Access in the Network Standard Hours in line with"
	 " its agreed plan throughout the period (set by the PCN; No if unset at the extract)"},
	{"EHCH", "NCD012", YEAR_2324, SK_COUNT, 0, -1, -1, 0, true, NULL, 0, 0, false,
	 "EHCH-01 denominator: the number of care home beds aligned to the PCN (entered by the"
	 " PCN; 0 if not entered)"},
	{"COV", "COV-01", YEAR_2122, SK_YESNO, 220, -1, -1, 0, true, NULL, 0, 0, false,
	 "NCD009 tick-box: the PCN's practices took part in the Covid-19 vaccination"
	 " programme throughout the period (set Yes or No by the PCN; No if unset when the"
	 " extract loads, else the PCN's value at the previous achievement date)"},
	{"EHCH", "EHCH.IIF03", YEAR_2324, SK_RATIO, 16, 50, 80, 0, false, NULL, 5200, 72, true,
	 "Enhanced Health in Care Homes: the percentage of care home residents aligned to the"
	 " PCN who have a personalised care and support plan"},
};

static const char *const ncd_statements[] = {
	"The achievement data are accurate and complete.",
	"The PCN delivered the Network Contract DES in line with its specification for the"
	" period, and the clinical director has certified the Capacity and Access Improvement"
	" Payment components.",
	"Every member practice of the PCN during the period has agreed this declaration.",
	NULL,
};

enum st seed_ncd(struct db *db, int start_year, struct seed_service *out)
{
	unsigned year = year_bit(start_year);
	if (!year)
		return ST_INVALID;
	char fy[8], code[16], name[64], desc[512];
	fy_text(start_year, fy);
	snprintf(code, sizeof code, "NCD%02d%02d", start_year % 100, (start_year + 1) % 100);
	snprintf(name, sizeof name, "Network Contract DES %s", fy);
	/* 2021/22 is kept for its COV-01 tick-box: only its last two
	 * achievement dates, 28 February and 31 March 2022, both paid. */
	bool y2122 = start_year == 2021;
	snprintf(desc, sizeof desc,
		 "The Network Contract Directed Enhanced Service for %s, offered to Primary Care"
		 " Networks and accepted automatically for their member practices. %s%s",
		 fy, y2122 ? "Achievement dates 28 February and 31 March 2022, each paid; the"
			     " COV-01 (NCD009) tick-box, 220 points, is set by the PCN."
			   : "Monthly achievement dates; payments at each quarter end.",
		 start_year == 2025 ? " The Investment and Impact Fund is retired this year." : "");
	struct svc_def d = {
		.code = code, .name = name, .payment_type = "DES", .frequency = "ANNUAL",
		.level = "NETWORK", .payment_period = y2122 ? "February and March 2022" : "Quarterly",
		.entry = "BOTH",
		.start_year = start_year, .pence_per_point = 19800, .national_list_size = 48000,
		.declaration_required = true, .approval_required = true,
		.indicator_declaration = start_year == 2024, .auto_accept = true,
		.amendment_window_days = 30, .description = desc,
	};
	enum st r = service_add(db, &d, out);
	if (r == ST_OK)
		r = statements_add(db, out->id, ncd_statements);
	if (r == ST_OK)
		r = structure_add(db, out, year, ncd_domains, ARRAY_SIZE(ncd_domains), false,
				  ncd_areas, ARRAY_SIZE(ncd_areas), ncd_groups, ARRAY_SIZE(ncd_groups),
				  ncd_inds, ARRAY_SIZE(ncd_inds));
	if (r == ST_OK)
		r = y2122 ? dates_add_from(db, out, start_year, 14, PAY_MONTHLY)
			  : dates_add(db, out, start_year, PAY_QUARTERS);
	return r;
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

struct demo_pcn {
	const char *code, *name, *postcode;
	int icb;
};

static const struct demo_pcn demo_pcns[] = {
	{"U60172", "Tees Riverside PCN", "TS18 1HU", 0},
	{"U60381", "Coastal Tees PCN", "TS10 3JF", 0},
	{"U40517", "Severn Vale Central PCN", "GL1 3PX", 1},
	{"U40733", "Cotswold Edge PCN", "GL7 1UN", 1},
};

struct demo_practice {
	const char *code, *name, *postcode;
	int icb;
	int64_t list_size;
	int pcn;           /* index into demo_pcns, -1 for none */
	const char *since;
	int moved_to;      /* PCN joined on 2024-10-01, or -1 */
	int quality;       /* achievement offset, percentage points */
	bool in_cluster;
};

/* Index 0 is P1, demo.practice's practice. */
static const struct demo_practice demo_practices[] = {
	{"A81001", "The Densham Surgery", "TS18 1HU", 0, 9842, 0, "2019-07-01", -1, 2, true},
	{"A81004", "Riverbank Health Centre", "TS18 2AW", 0, 14215, 0, "2019-07-01", -1, 4, true},
	{"A81007", "Norton Green Surgery", "TS20 1AN", 0, 6431, 0, "2019-07-01", -1, -3, false},
	{"A81011", "Harbour View Medical Practice", "TS10 1SR", 0, 7936, 0, "2019-07-01", 1, 0,
	 true},
	{"A81016", "Larchfield Family Practice", "TS6 0DA", 0, 17604, 1, "2019-07-01", -1, 1, false},
	{"A81019", "Fairfield Road Surgery", "TS10 3JF", 0, 3118, 1, "2020-04-01", -1, -6, true},
	{"A81023", "Eston Lane Medical Group", "TS6 9AE", 0, 11477, 1, "2019-07-01", -1, 3, false},
	{"A81030", "Hartburn Lodge Practice", "TS18 5DL", 0, 5240, -1, NULL, -1, -2, false},
	{"L83002", "Orchard House Surgery", "GL2 4QP", 1, 8209, 2, "2019-07-01", -1, 1, false},
	{"L83005", "Kingsmead Medical Centre", "GL1 3PX", 1, 13902, 2, "2019-07-01", -1, 5, false},
	{"L83009", "Brook Street Practice", "GL5 1HF", 1, 4563, 2, "2019-07-01", -1, -4, false},
	{"L83014", "St Aldhelm's Surgery", "GL7 1UN", 1, 10018, 3, "2019-07-01", -1, 2, false},
	{"L83021", "Westgate Health Partnership", "GL6 8BE", 1, 16751, 3, "2019-07-01", -1, 0, false},
	{"L83027", "Marshfield Village Surgery", "GL9 8PW", 1, 2981, 3, "2021-04-01", -1, -1,
	 false},
};

#define NPRACT ARRAY_SIZE(demo_practices)
#define NPCN ARRAY_SIZE(demo_pcns)

struct demo {
	int64_t now;
	int64_t nhse, icb[2], pcn[NPCN], prac[NPRACT];
	int64_t u_practice, u_view, u_pcn, u_comm, u_appr, u_fin, u_admin, u_cluster, u_other,
		u_loader;
	struct seed_service qof[3], ncd[3], ms, ldhc, po, ncd2122;
};

/* The PCN a demo practice belongs to on a date, or -1. */
static int demo_pcn_on(const struct demo_practice *p, const char *date)
{
	if (p->moved_to >= 0 && strcmp(date, "2024-10-01") >= 0)
		return p->moved_to;
	if (p->pcn >= 0 && strcmp(date, p->since) >= 0)
		return p->pcn;
	return -1;
}

static enum st demo_orgs(struct db *db, struct demo *D)
{
	enum st r = seed_org(db, "X24", "NHS England", "NHSE", 0, 0, "LS2 7UE", &D->nhse);
	if (r == ST_OK)
		r = seed_org(db, "00K", "NHS Tees Valley and Wear Integrated Care Board", "ICB",
			     D->nhse, 0, "TS17 6BL", &D->icb[0]);
	if (r == ST_OK)
		r = seed_org(db, "QWU", "NHS Severn and Cotswold Integrated Care Board", "ICB",
			     D->nhse, 0, "GL3 4FE", &D->icb[1]);
	for (size_t i = 0; r == ST_OK && i < NPCN; i++)
		r = seed_org(db, demo_pcns[i].code, demo_pcns[i].name, "PCN",
			     D->icb[demo_pcns[i].icb], 0, demo_pcns[i].postcode, &D->pcn[i]);
	for (size_t i = 0; r == ST_OK && i < NPRACT; i++) {
		const struct demo_practice *p = &demo_practices[i];
		r = seed_org(db, p->code, p->name, "PRACTICE", D->icb[p->icb], p->list_size,
			     p->postcode, &D->prac[i]);
		if (r == ST_OK && p->pcn >= 0)
			r = seed_membership(db, D->pcn[p->pcn], D->prac[i], p->since,
					    p->moved_to >= 0 ? "2024-09-30" : NULL);
		if (r == ST_OK && p->moved_to >= 0)
			r = seed_membership(db, D->pcn[p->moved_to], D->prac[i], "2024-10-01", NULL);
	}
	return r;
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

struct demo_user {
	const char *user_id, *name, *email, *phone;
	int org; /* 0 NHSE, 1 ICB 1, 2 P1, 3 P1's PCN, 4 the other practice */
	const char *roles[6];
	bool system;
};

static const struct demo_user demo_users[] = {
	{"demo.practice", "Priya Shah", "priya.shah@nhs.net", "01632 960101", 2,
	 {"SERVICE_MANAGEMENT", "ACHIEVEMENT_ENTRY", "DECLARATION_MANAGEMENT", "FINANCE_VIEW",
	  "USER_ADMIN", NULL}, false},
	{"demo.view", "Tom Rowley", "tom.rowley2@nhs.net", "01632 960102", 2, {"VIEW", NULL}, false},
	{"demo.pcn", "Dr Helen Marsh", "helen.marsh@nhs.net", "01632 960103", 3,
	 {"PCN_MANAGEMENT", "DECLARATION_MANAGEMENT", NULL}, false},
	{"demo.commissioner", "Gareth Lewis", "gareth.lewis7@nhs.net", "01632 960201", 1,
	 {"COMMISSIONING_MANAGEMENT", "ACHIEVEMENT_ENTRY", NULL}, false},
	{"demo.approver", "Sarah Okafor", "sarah.okafor@nhs.net", "01632 960202", 1,
	 {"APPROVAL_MANAGEMENT", NULL}, false},
	{"demo.finance", "Martin Hughes", "martin.hughes12@nhs.net", "01632 960203", 1,
	 {"FINANCE_MANAGEMENT", NULL}, false},
	{"demo.admin", "Aisha Karim", "aisha.karim@nhs.net", "01632 960204", 1,
	 {"ADV_USER_ADMIN", "ORG_ADMIN", NULL}, false},
	{"demo.cluster", "Rachel Dunn", "rachel.dunn4@nhs.net", "01632 960205", 1,
	 {"COMMISSIONING_MANAGEMENT", "ACHIEVEMENT_ENTRY", "VIEW", NULL}, false},
	{"demo.other", "James Whitfield", "james.whitfield3@nhs.net", "01632 960301", 4,
	 {"SERVICE_MANAGEMENT", "ACHIEVEMENT_ENTRY", "DECLARATION_MANAGEMENT", "FINANCE_VIEW",
	  "USER_ADMIN", NULL}, false},
	{"extract.loader", "GPES extract loader", "cqrs.extracts@nhs.net", "", 0,
	 {"EXTRACT_LOADER", NULL}, true},
};

static enum st demo_users_add(struct db *db, struct demo *D)
{
	int64_t *ids[] = {&D->u_practice, &D->u_view, &D->u_pcn, &D->u_comm, &D->u_appr,
			  &D->u_fin, &D->u_admin, &D->u_cluster, &D->u_other, &D->u_loader};
	int64_t orgs[] = {D->nhse, D->icb[0], D->prac[0], D->pcn[demo_practices[0].pcn],
			  D->prac[8]};
	/* Set a week ago: inside any expiry, outside the 72-hour change limit. */
	int64_t set_at = D->now - 7 * 86400;
	enum st r = ST_OK;
	for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(demo_users); i++) {
		const struct demo_user *u = &demo_users[i];
		r = seed_user(db, u->user_id, u->name, u->email, u->phone, u->system, D->now, set_at,
			      ids[i]);
		for (int k = 0; r == ST_OK && u->roles[k]; k++)
			r = seed_grant(db, *ids[i], orgs[u->org], u->roles[k], D->now);
	}
	return r;
}

static enum st demo_cluster(struct db *db, struct demo *D)
{
	static const char csql[] =
		"INSERT INTO cluster(owner_org_id, name, description, created_at) VALUES (?1, ?2, ?3, ?4)";
	static const char msql[] = "INSERT INTO cluster_member(cluster_id, org_id) VALUES (?1, ?2)";
	static const char usql[] = "INSERT INTO user_cluster(user_id, cluster_id) VALUES (?1, ?2)";
	PREP(st, csql);
	sqlite3_bind_int64(st, 1, D->icb[0]);
	bind_text(st, 2, "Tees Valley South");
	bind_text(st, 3, "Practices south of the Tees looked after by the Tees Valley South"
		  " primary care commissioning team");
	sqlite3_bind_int64(st, 4, seed_epoch("2024-05-13", 10, 15));
	int64_t cid = 0;
	enum st r = insert(db, st, "cluster", &cid);
	for (size_t i = 0; r == ST_OK && i < NPRACT; i++) {
		if (!demo_practices[i].in_cluster)
			continue;
		PREP(m, msql);
		sqlite3_bind_int64(m, 1, cid);
		sqlite3_bind_int64(m, 2, D->prac[i]);
		r = insert(db, m, "cluster member", NULL);
	}
	if (r == ST_OK) {
		PREP(u, usql);
		sqlite3_bind_int64(u, 1, D->u_cluster);
		sqlite3_bind_int64(u, 2, cid);
		r = insert(db, u, "user cluster", NULL);
	}
	return r;
}

/* ---- the enhanced and participation-only services ------------------------ */

static const char *const es_domains[] = {"Enhanced Service"};
static const struct area_def es_areas[] = {{0, NULL}};

static const struct group_def ms_groups[] = {
	{0, "MS", "Minor surgery procedures", false, 0, YEAR_2425},
	{0, "MS-MI", "Minor surgery management information", true, 0, YEAR_2425},
};
static const struct ind_def ms_inds[] = {
	{"MS", "MS01", YEAR_2425, SK_COUNT, 0, -1, -1, 4075, false, NULL, 0, 0, false,
	 "Injections: intra-articular, periarticular and soft tissue injections performed in"
	 " the month"},
	{"MS", "MS02", YEAR_2425, SK_COUNT, 0, -1, -1, 8151, false, NULL, 0, 0, false,
	 "Invasive procedures: incisions and excisions performed in the month"},
	{"MS", "MS03", YEAR_2425, SK_COUNT, 0, -1, -1, 4075, false, NULL, 0, 0, false,
	 "Curettage, cautery and cryocautery of warts, verrucae and other skin lesions"
	 " performed in the month"},
	{"MS-MI", "MS04", YEAR_2425, SK_COUNT, 0, -1, -1, 0, false, NULL, 0, 0, false,
	 "Specimens sent for histological examination in the month"},
	{"MS-MI", "MS05", YEAR_2425, SK_DATE, 0, -1, -1, 0, false, NULL, 0, 0, false,
	 "Date of the practice's most recent minor surgery infection-control audit"},
};

static const struct group_def ldhc_groups[] = {
	{0, "LDHC", "Learning disability health checks", false, 0, YEAR_2425},
	{0, "LDHC-MI", "Learning disability health checks: management information", true, 0,
	 YEAR_2425},
};
static const struct ind_def ldhc_inds[] = {
	{"LDHC", "LDHC01", YEAR_2425, SK_COUNT, 0, -1, -1, 14000, false, NULL, 0, 0, false,
	 "Annual health checks completed in the month for patients aged 14 or over on the"
	 " learning disability register"},
	{"LDHC-MI", "LDHC02", YEAR_2425, SK_COUNT, 0, -1, -1, 0, false, NULL, 0, 0, false,
	 "Health action plans produced or updated in the month"},
	{"LDHC-MI", "LDHC03", YEAR_2425, SK_MONEY, 0, -1, -1, 0, false, NULL, 0, 0, false,
	 "Cost of reasonable adjustments made for health checks in the month (for example"
	 " extended appointments and home visits)"},
};

static const char *const es_statements[] = {
	"The achievement data are accurate and complete.",
	"The service was delivered in line with its specification.",
	NULL,
};

static enum st demo_es(struct db *db, struct seed_service *s, const char *code, const char *name,
		       const char *desc, const struct group_def *groups, size_t ngroups,
		       const struct ind_def *inds, size_t ninds)
{
	struct svc_def d = {
		.code = code, .name = name, .payment_type = "ES", .frequency = "MONTHLY",
		.level = "PRACTICE", .payment_period = "Monthly", .entry = "MANUAL",
		.start_year = 2024, .declaration_required = true, .approval_required = true,
		.amendment_window_days = 45, .description = desc,
	};
	enum st r = service_add(db, &d, s);
	if (r == ST_OK)
		r = statements_add(db, s->id, es_statements);
	if (r == ST_OK)
		r = structure_add(db, s, YEAR_2425, es_domains, 1, true, es_areas, 1, groups, ngroups,
				  inds, ninds);
	if (r == ST_OK)
		r = dates_add(db, s, 2024, PAY_MONTHLY);
	return r;
}

static enum st demo_services(struct db *db, struct demo *D)
{
	enum st r = ST_OK;
	for (int y = 0; r == ST_OK && y < 3; y++) {
		r = seed_qof(db, 2023 + y, &D->qof[y]);
		if (r == ST_OK)
			r = seed_ncd(db, 2023 + y, &D->ncd[y]);
	}
	if (r == ST_OK)
		r = demo_es(db, &D->ms, "MS2425", "Minor Surgery ES 2024/25",
			    "Minor surgery enhanced service: procedures entered by the practice each"
			    " month and paid per procedure.",
			    ms_groups, ARRAY_SIZE(ms_groups), ms_inds, ARRAY_SIZE(ms_inds));
	if (r == ST_OK)
		r = demo_es(db, &D->ldhc, "LDHC2425", "Learning Disability Health Check ES 2024/25",
			    "Annual health checks for people aged 14 or over on the learning"
			    " disability register, entered monthly and paid at \xc2\xa3" "140 a check.",
			    ldhc_groups, ARRAY_SIZE(ldhc_groups), ldhc_inds, ARRAY_SIZE(ldhc_inds));
	if (r == ST_OK) {
		struct svc_def d = {
			.code = "VFP2425", .name = "Veteran Friendly Practice Accreditation 2024/25",
			.payment_type = "PO", .frequency = "ANNUAL", .level = "PRACTICE",
			.payment_period = "N/A", .entry = "MANUAL", .start_year = 2024,
			.declaration_required = false, .approval_required = false,
			.amendment_window_days = 0,
			.description = "Participation only: the practice agrees to work towards"
				       " veteran friendly accreditation. No data are collected and"
				       " no payment is made.",
		};
		r = service_add(db, &d, &D->po);
	}
	/* Last, so that the ids of everything before stay as they were. */
	if (r == ST_OK)
		r = seed_ncd(db, 2021, &D->ncd2122);
	return r;
}

/* ---- offers ----------------------------------------------------------------- */


/* The named user of a practice who answers its offers, or 0. */
static int64_t practice_user(const struct demo *D, size_t p)
{
	return p == 0 ? D->u_practice : (p == 8 ? D->u_other : 0);
}

/* A commissioner's offer of service s to practice p, offered on
 * offered_on and then moved through up to two more statuses. */
struct step {
	const char *status, *on, *note;
	int64_t by;
};

static enum st offer_to(struct db *db, struct demo *D, const struct seed_service *s, size_t p,
			const char *offered_on, const struct step *a, const struct step *b,
			int64_t *id)
{
	const struct demo_practice *pr = &demo_practices[p];
	char resp[11];
	/* The offer runs for the service's own dates (a participation-only
	 * service has no achievement dates to take them from). */
	struct service_rec svc;
	if (store_service_get(db, s->id, &svc) != ST_OK)
		return ST_ERROR;
	if (!date_add_days(offered_on, 42, resp))
		return ST_INVALID;
	/* Offers still open can be answered on the demo's business date. */
	if (!a && strcmp(resp, "2025-04-30") < 0)
		strlcpy_s(resp, "2025-04-30", sizeof resp);
	int64_t comm = pr->icb == 0 ? D->u_comm : 0;
	struct seed_offer o = {
		.service_id = s->id, .org_id = D->prac[p], .start = svc.start_date, .end = svc.end_date,
		.response = resp, .target = svc.end_date,
		.offered_by = comm, .offered_by_org = D->icb[pr->icb],
		.statuses = {"OFFERED", a ? a->status : NULL, b ? b->status : NULL, NULL},
		.ats = {seed_epoch(offered_on, 9, 30), a ? seed_epoch(a->on, 14, 5) : 0,
			b ? seed_epoch(b->on, 11, 40) : 0},
		.by = {comm, a ? a->by : 0, b ? b->by : 0},
		.notes = {NULL, a ? a->note : NULL, b ? b->note : NULL},
	};
	return seed_offer_add(db, &o, id);
}

/* Network Contract DES offers of s (the year starting in year) to the
 * first npcn demo PCNs: the PCN itself accepts, and each member practice
 * is accepted automatically through it. */
static enum st ncd_offers(struct db *db, struct demo *D, const struct seed_service *s, int year,
			  size_t npcn)
{
	char start[24], offered[24], accepted[24], resp[11]; /* room for any int year */
	snprintf(start, sizeof start, "%04d-04-01", year);
	snprintf(offered, sizeof offered, "%04d-03-04", year);
	snprintf(accepted, sizeof accepted, "%04d-03-11", year);
	if (!date_add_days(offered, 28, resp))
		return ST_INVALID;
	static const char auto_note[] =
		"Accepted automatically on the practice's behalf through its PCN's acceptance";
	enum st r = ST_OK;
	const char *end = s->date[s->ndates - 1];
	for (size_t n = 0; r == ST_OK && n < npcn; n++) {
		int64_t comm = demo_pcns[n].icb == 0 ? D->u_comm : 0;
		struct seed_offer o = {
			.service_id = s->id, .org_id = D->pcn[n], .start = start, .end = end,
			.response = resp, .target = end, .offered_by = comm,
			.offered_by_org = D->icb[demo_pcns[n].icb],
			.statuses = {"OFFERED", "APPROVED", NULL},
			.ats = {seed_epoch(offered, 9, 0), seed_epoch(accepted, 16, 20)},
			.by = {comm, n == 0 ? D->u_pcn : 0},
		};
		r = seed_offer_add(db, &o, NULL);
		for (size_t p = 0; r == ST_OK && p < NPRACT; p++) {
			const struct demo_practice *pr = &demo_practices[p];
			int at_start = demo_pcn_on(pr, start);
			bool moved = year == 2024 && pr->moved_to >= 0;
			if (at_start == (int)n) {
				struct seed_offer po = o;
				po.org_id = D->prac[p];
				po.via_pcn_id = D->pcn[n];
				po.auto_accepted = true;
				po.by[1] = 0;
				po.notes[1] = auto_note;
				if (moved) {
					po.end = "2024-09-30";
					po.statuses[2] = "CANCELLED";
					po.ats[2] = seed_epoch("2024-10-01", 0, 5);
					po.notes[2] = "Participation ended: the practice left the PCN on"
						      " 30/09/2024";
				}
				r = seed_offer_add(db, &po, NULL);
			} else if (moved && pr->moved_to == (int)n) {
				struct seed_offer po = o;
				po.org_id = D->prac[p];
				po.via_pcn_id = D->pcn[n];
				po.auto_accepted = true;
				po.start = "2024-10-01";
				po.response = "2024-10-01";
				po.ats[0] = seed_epoch("2024-10-01", 0, 5);
				po.ats[1] = seed_epoch("2024-10-01", 0, 6);
				po.by[0] = 0;
				po.by[1] = 0;
				po.notes[0] = "Offered through the PCN the practice joined on 01/10/2024";
				po.notes[1] = auto_note;
				r = seed_offer_add(db, &po, NULL);
			}
		}
	}
	return r;
}

struct demo_offer_ids {
	int64_t ldhc_p1, po_p1, ldhc_a81007, ldhc_a81016, ldhc_a81019, ldhc_a81023, po_a81007,
		qof2526_a81030, po_l83002;
};

static enum st demo_offers(struct db *db, struct demo *D, struct demo_offer_ids *ids)
{
	enum st r = ST_OK;
	/* QOF: every practice accepts within a week or two, except that
	 * Hartburn Lodge has not yet answered for 2025/26. */
	for (int y = 0; r == ST_OK && y < 3; y++) {
		char offered[11], answered[11];
		snprintf(offered, sizeof offered, "%04d-03-1%d", 2023 + y, y + 1);
		for (size_t p = 0; r == ST_OK && p < NPRACT; p++) {
			if (!date_add_days(offered, 3 + (int)p % 9, answered))
				return ST_INVALID;
			struct step ok = {"APPROVED", answered, NULL, practice_user(D, p)};
			bool pending = y == 2 && p == 7;
			r = offer_to(db, D, &D->qof[y], p, offered, pending ? NULL : &ok, NULL,
				     pending ? &ids->qof2526_a81030 : NULL);
		}
	}
	for (int y = 0; r == ST_OK && y < 3; y++)
		r = ncd_offers(db, D, &D->ncd[y], 2023 + y, NPCN);
	if (r != ST_OK)
		return r;

	/* Minor Surgery ES 2024/25. */
	static const size_t ms_practices[] = {0, 1, 6, 9};
	for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(ms_practices); i++) {
		size_t p = ms_practices[i];
		struct step ok = {"APPROVED", p == 0 ? "2024-04-09" : "2024-04-16", NULL,
				  practice_user(D, p)};
		r = offer_to(db, D, &D->ms, p, "2024-03-28", &ok, NULL, NULL);
	}

	/* Learning Disability Health Check ES 2024/25: every status. */
	struct step ok4 = {"APPROVED", "2024-06-10", NULL, 0};
	struct step rej16 = {"REJECTED", "2024-06-12",
			     "The practice cannot staff the extra clinics this year; we will"
			     " review for 2025/26.", 0};
	struct step wd19 = {"CANCELLED", "2024-06-05",
			    "Withdrawn: offered in error, the practice's list has too few eligible"
			    " patients for this year's scheme.", D->u_comm};
	struct step ok23 = {"APPROVED", "2024-06-14", NULL, 0};
	struct step cn23 = {"CANCELLED", "2024-11-04",
			    "Cancelled at the practice's request: its learning disability lead has"
			    " left and checks transfer to Larchfield's clinic.", D->u_comm};
	struct step ok_other = {"APPROVED", "2024-06-11", NULL, D->u_other};
	struct step rej_l83009 = {"REJECTED", "2024-06-20",
				  "Declined: the practice runs health checks under a local scheme.", 0};
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 0, "2024-06-03", NULL, NULL, &ids->ldhc_p1);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 1, "2024-06-03", &ok4, NULL, NULL);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 2, "2024-06-03", NULL, NULL, &ids->ldhc_a81007);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 4, "2024-06-03", &rej16, NULL, &ids->ldhc_a81016);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 5, "2024-06-03", &wd19, NULL, &ids->ldhc_a81019);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 6, "2024-06-03", &ok23, &cn23, &ids->ldhc_a81023);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 8, "2024-06-04", &ok_other, NULL, NULL);
	if (r == ST_OK)
		r = offer_to(db, D, &D->ldhc, 10, "2024-06-04", &rej_l83009, NULL, NULL);

	/* Veteran Friendly Practice Accreditation 2024/25 (participation only). */
	struct step okp = {"APPROVED", "2024-07-22", NULL, 0};
	struct step rejp = {"REJECTED", "2024-07-25",
			    "Not this year: the practice is going through a merger.", 0};
	struct step okp14 = {"APPROVED", "2024-07-19", NULL, 0};
	struct step cnp14 = {"CANCELLED", "2024-12-02",
			     "Cancelled: the accreditation scheme is now run directly by the"
			     " ICB for this area.", 0};
	if (r == ST_OK)
		r = offer_to(db, D, &D->po, 0, "2024-07-15", NULL, NULL, &ids->po_p1);
	if (r == ST_OK)
		r = offer_to(db, D, &D->po, 1, "2024-07-15", &okp, NULL, NULL);
	if (r == ST_OK)
		r = offer_to(db, D, &D->po, 2, "2024-07-15", &rejp, NULL, &ids->po_a81007);
	if (r == ST_OK)
		r = offer_to(db, D, &D->po, 8, "2024-07-16", NULL, NULL, &ids->po_l83002);
	if (r == ST_OK)
		r = offer_to(db, D, &D->po, 11, "2024-07-16", &okp14, &cnp14, NULL);
	return r;
}

/* ---- achievements ------------------------------------------------------------ */

static const struct seed_ind *find_ind(const struct seed_service *s, const char *code)
{
	for (size_t i = 0; i < s->nind; i++)
		if (strcmp(s->ind[i].code, code) == 0)
			return &s->ind[i];
	return NULL;
}

static bool code_in(const char *code, const char *const *list)
{
	for (size_t i = 0; list && list[i]; i++)
		if (strcmp(code, list[i]) == 0)
			return true;
	return false;
}

static enum st submission_add(struct db *db, int64_t achievement_id, int64_t group_id,
			      const char *kind, const char *source, int64_t at, int64_t user,
			      const char *notes, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO submission(achievement_id, group_id, kind, source, at, user_id, notes)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, achievement_id);
	bind_id(st, 2, group_id);
	bind_text(st, 3, kind);
	bind_text(st, 4, source);
	sqlite3_bind_int64(st, 5, at);
	bind_id(st, 6, user);
	bind_text(st, 7, notes ? notes : "");
	return insert(db, st, "submission", id);
}

static enum st submission_value_add(struct db *db, int64_t submission_id,
				    const struct seed_ind *ind, int64_t v, int64_t num, int64_t den)
{
	static const char sql[] =
		"INSERT INTO submission_value(submission_id, indicator_id, value, numerator,"
		" denominator) VALUES (?1, ?2, ?3, ?4, ?5)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, submission_id);
	sqlite3_bind_int64(st, 2, ind->id);
	bind_value(st, 3, ind->kind, v, num, den);
	return seed_step(db, st, "submission value");
}

/* Whether PCN n set PCN-entered indicator ind itself at date index di of
 * the year starting in year, and to what (*v). A value the PCN did not
 * set is the default the extract gives it: the PCN's value at the
 * previous achievement date of the service, or No / 0 at the first
 * (carry-forward, domain.md; see pcn_achievements). In 2024/25 the
 * Enhanced Access tick-box is set Yes every month except that Tees
 * Riverside PCN (n 0, demo.pcn's) has not set it for 31 March (so it
 * carries February's Yes); the CAIP components are certified at 31 March
 * only, Tees Riverside having certified CAIP.01 and CAIP.02 so far. In
 * 2021/22 Tees Riverside set COV-01 Yes at 28 February and has not set
 * it for 31 March (February's Yes carries); Coastal Tees (n 1) set Yes
 * at 28 February and changed it to No for 31 March. Other years: CAIP
 * certified at 31 March, everything else set Yes every month. NCD012
 * (care home beds) is set every month. */
static bool pcn_setting(const struct seed_ind *ind, int year, int n, size_t di, size_t ndates,
			int64_t *v)
{
	bool march = di + 1 == ndates;
	*v = 1;
	if (ind->kind == SK_COUNT) {
		*v = 48 + 17 * n;
		return true;
	}
	if (year == 2021) {
		if (n == 1 && march)
			*v = 0;
		return !(march && n == 0);
	}
	if (year != 2024)
		return march || strncmp(ind->code, "CAIP", 4) != 0;
	if (strcmp(ind->code, "EA.TB01") == 0)
		return !(march && n == 0);
	return march && !(n == 0 && strcmp(ind->code, "CAIP.03") == 0);
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
 * modelled value not in skip, in one EXTRACT submission by the extract
 * loader, loaded eight days after the date. PCN-entered indicators are
 * not extracted from practices: they live on the PCN's own achievement
 * (pcn_achievements). */
static enum st demo_extract(struct db *db, struct demo *D, const struct seed_service *s,
			    int64_t org_id, int64_t list_size, int quality, uint64_t noise,
			    size_t di, const char *const *skip)
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
		if (ind->pcn_entered || code_in(ind->code, skip))
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
static bool pcn_has_members(size_t n, const char *date)
{
	for (size_t p = 0; p < ARRAY_SIZE(demo_practices); p++)
		if (demo_pcn_on(&demo_practices[p], date) == (int)n)
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
static enum st pcn_achievements(struct db *db, struct demo *D, const struct seed_service *s,
				int year, size_t npcn, int64_t *ids)
{
	int64_t last[ARRAY_SIZE(demo_pcns)][SEED_MAX_IND];
	memset(last, 0, sizeof last);
	enum st r = ST_OK;
	for (size_t di = 0; r == ST_OK && di < s->ndates; di++) {
		int64_t at = seed_epoch(s->date[di], 6, 10) + 8 * 86400;
		int64_t pcn_at = at - 2 * 86400 + 5 * 3600;
		char shown[11], prev[11], notes[256];
		date_display(s->date[di], shown);
		if (di)
			date_display(s->date[di - 1], prev);
		for (size_t n = 0; r == ST_OK && n < npcn; n++) {
			if (!pcn_has_members(n, s->date[di]))
				continue;
			int64_t v[SEED_MAX_IND];
			bool set[SEED_MAX_IND], any_set = false, any_default = false;
			for (size_t i = 0; i < s->nind; i++) {
				set[i] = false;
				if (!s->ind[i].pcn_entered)
					continue;
				set[i] = pcn_setting(&s->ind[i], year, (int)n, di, s->ndates, &v[i]);
				if (!set[i])
					v[i] = last[n][i];
				last[n][i] = v[i];
				any_set |= set[i];
				any_default |= !set[i];
			}
			int64_t aid = 0, xsid = 0;
			r = seed_achievement(db, s->id, D->pcn[n], s->date_id[di], "SUBMITTED", false,
					     any_set ? pcn_at : at, &aid);
			if (ids)
				ids[di * npcn + n] = aid;
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
						   n == 0 ? D->u_pcn : 0,
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

static enum st demo_qof_achievements(struct db *db, struct demo *D)
{
	enum st r = ST_OK;
	for (size_t p = 0; r == ST_OK && p < NPRACT; p++) {
		const struct demo_practice *pr = &demo_practices[p];
		/* 2023/24: the year-end date only. */
		r = demo_extract(db, D, &D->qof[0], D->prac[p], pr->list_size, pr->quality - 1,
				 p * 7919, 11, NULL);
		/* 2024/25: every month. */
		for (size_t m = 0; r == ST_OK && m < 12; m++)
			r = demo_extract(db, D, &D->qof[1], D->prac[p], pr->list_size, pr->quality,
					 p * 7919, m, NULL);
	}
	return r;
}

/* NCD 2023/24 and 2024/25 member practice achievements (extracted
 * values only), with gaps in 2024/25: P1 misses ACC.MI02 in November,
 * CAN.FIT.IIF02 in February, and at 31 March has only LD.HC.IIF01 of its
 * extracted values; Riverbank misses ACC.MI01 at 31 March; Kingsmead has
 * no 31 March achievement yet. The PCNs' own achievements, with the
 * values they enter, are made after every other achievement
 * (demo_pcn_values). */
static enum st demo_ncd_achievements(struct db *db, struct demo *D)
{
	static const char *const p1_nov[] = {"ACC.MI02", NULL};
	static const char *const p1_feb[] = {"CAN.FIT.IIF02", NULL};
	static const char *const p1_mar[] = {"CAN.FIT.IIF02", "ACC.MI01", "ACC.MI02", NULL};
	static const char *const a81004_mar[] = {"ACC.MI01", NULL};
	const struct seed_service *s = &D->ncd[1];
	enum st r = ST_OK;
	/* 2023/24: complete. */
	for (size_t p = 0; r == ST_OK && p < NPRACT; p++)
		for (size_t m = 0; r == ST_OK && m < 12; m++) {
			if (demo_pcn_on(&demo_practices[p], D->ncd[0].date[m]) >= 0)
				r = demo_extract(db, D, &D->ncd[0], D->prac[p],
						 demo_practices[p].list_size, demo_practices[p].quality,
						 p * 104729, m, NULL);
		}
	for (size_t p = 0; r == ST_OK && p < NPRACT; p++) {
		const struct demo_practice *pr = &demo_practices[p];
		for (size_t m = 0; r == ST_OK && m < 12; m++) {
			if (demo_pcn_on(pr, s->date[m]) < 0 || (p == 9 && m == 11))
				continue;
			const char *const *skip = NULL;
			if (p == 0)
				skip = m == 7 ? p1_nov : m == 10 ? p1_feb : m == 11 ? p1_mar : NULL;
			else if (p == 1 && m == 11)
				skip = a81004_mar;
			r = demo_extract(db, D, s, D->prac[p], pr->list_size, pr->quality,
					 p * 104729, m, skip);
		}
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
	sqlite3_bind_int64(st, 1, aid);
	sqlite3_bind_int64(st, 2, ind->id);
	bind_value(st, 3, ind->kind, v, num, den);
	bind_text(st, 6, source);
	bind_id(st, 7, sid);
	sqlite3_bind_int64(st, 8, at);
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
		" commissioner_entry = commissioner_entry OR ?4 WHERE id = ?1";
	enum st r = ST_OK;
	if (!*aid)
		r = seed_achievement(db, s->id, org_id, s->date_id[di], status, commissioner_entry,
				     at, aid);
	else {
		PREP(u, usql);
		sqlite3_bind_int64(u, 1, *aid);
		bind_text(u, 2, status);
		sqlite3_bind_int64(u, 3, at);
		sqlite3_bind_int(u, 4, commissioner_entry);
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
			sqlite3_bind_int64(w, 1, *aid);
			sqlite3_bind_int64(w, 2, ind->id);
			bind_value(w, 3, ind->kind, vals[i].v, 0, 0);
			bind_id(w, 6, user);
			sqlite3_bind_int64(w, 7, at);
			r = seed_step(db, w, "wip value");
		} else {
			r = value_set(db, *aid, ind, vals[i].v, 0, 0, source, sid, at);
		}
	}
	return r;
}

struct ms_month {
	const char *notes;
	int64_t v[4]; /* MS01..MS04 */
	int64_t audit; /* MS05 as yyyymmdd */
};

/* Calculation and declaration of a monthly item-of-service achievement:
 * pence = sum of count x price per item. */
static enum st demo_declaration(struct db *db, struct demo *D, const struct seed_service *s,
				const struct ind_def *defs, size_t ndefs, int64_t aid,
				const int64_t *counts, const char *status, int64_t at,
				int64_t *decl_id)
{
	static const char csql[] =
		"INSERT INTO calculation(achievement_id, at, points_milli, pence, breakdown, current)"
		" VALUES (?1, ?2, 0, ?3, ?4, 1)";
	static const char lsql[] =
		"INSERT INTO calculation_line(calculation_id, indicator_id, achievement_ppm,"
		" points_milli, pence, explanation) VALUES (?1, ?2, NULL, 0, ?3, ?4)";
	static const char asql[] = "UPDATE achievement SET status = 'CALCULATED' WHERE id = ?1";
	static const char dsql[] =
		"INSERT INTO declaration(achievement_id, status, pence, notes, declared_by,"
		" declared_at, updated_at, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	static const char hsql[] =
		"INSERT INTO declaration_history(declaration_id, at, user_id, from_status,"
		" to_status, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	static const char tsql[] =
		"INSERT INTO declaration_tick(declaration_id, statement_id, user_id, at)"
		" SELECT ?1, id, ?2, ?3 FROM declaration_statement WHERE service_id = ?4";
	struct buf b;
	buf_init(&b);
	int64_t total = 0;
	buf_puts(&b, "{\"method\":\"item_of_service\",\"lines\":[");
	size_t k = 0;
	for (size_t i = 0; i < ndefs; i++) {
		if (!defs[i].pence_per_item)
			continue;
		int64_t pence = counts[i] * defs[i].pence_per_item;
		buf_printf(&b, "%s{\"indicator\":\"%s\",\"count\":%lld,\"pence_per_item\":%d,"
			   "\"pence\":%lld}", k++ ? "," : "", defs[i].code,
			   (long long)counts[i], defs[i].pence_per_item, (long long)pence);
		total += pence;
	}
	buf_printf(&b, "],\"pence\":%lld}", (long long)total);
	int64_t cid = 0;
	sqlite3_stmt *st = db_stmt(db, csql);
	if (!st) {
		buf_free(&b);
		return ST_ERROR;
	}
	sqlite3_bind_int64(st, 1, aid);
	sqlite3_bind_int64(st, 2, at);
	sqlite3_bind_int64(st, 3, total);
	bind_text(st, 4, b.data);
	buf_free(&b);
	enum st r = insert(db, st, "calculation", &cid);
	for (size_t i = 0; r == ST_OK && i < ndefs; i++) {
		if (!defs[i].pence_per_item)
			continue;
		const struct seed_ind *ind = find_ind(s, defs[i].code);
		char price[32], sum[32], expl[128];
		money_format(defs[i].pence_per_item, price, sizeof price);
		money_format(counts[i] * defs[i].pence_per_item, sum, sizeof sum);
		snprintf(expl, sizeof expl, "%lld \xc3\x97 %s = %s", (long long)counts[i], price, sum);
		PREP(l, lsql);
		sqlite3_bind_int64(l, 1, cid);
		sqlite3_bind_int64(l, 2, ind ? ind->id : 0);
		sqlite3_bind_int64(l, 3, counts[i] * defs[i].pence_per_item);
		bind_text(l, 4, expl);
		r = insert(db, l, "calculation line", NULL);
	}
	if (r == ST_OK) {
		PREP(a, asql);
		sqlite3_bind_int64(a, 1, aid);
		r = seed_step(db, a, "achievement calculated");
	}
	/* The path to the final status. */
	static const char *const path[] = {"AWAITING_PROVIDER", "AWAITING_COMMISSIONER",
					   "AWAITING_FINANCE", "FINANCIALLY_APPROVED"};
	int last = 0;
	while (last < 3 && strcmp(path[last], status) != 0)
		last++;
	int64_t users[] = {0, D->u_practice, D->u_appr, D->u_fin};
	static const char *const notes[] = {
		"Provisional payment calculated", "Declared by the practice",
		"Approved by the commissioner", "Financially approved",
	};
	int64_t declared_at = at + 3 * 86400, step_at = at;
	if (r == ST_OK) {
		PREP(d, dsql);
		sqlite3_bind_int64(d, 1, aid);
		bind_text(d, 2, status);
		sqlite3_bind_int64(d, 3, total);
		bind_text(d, 4, last >= 1 ? "Figures checked against the minor surgery log." : "");
		bind_id(d, 5, last >= 1 ? D->u_practice : 0);
		if (last >= 1)
			sqlite3_bind_int64(d, 6, declared_at);
		else
			sqlite3_bind_null(d, 6);
		sqlite3_bind_int64(d, 7, at + last * 3 * 86400);
		sqlite3_bind_int(d, 8, last + 1);
		r = insert(db, d, "declaration", decl_id);
	}
	for (int i = 0; r == ST_OK && i <= last; i++, step_at += 3 * 86400) {
		PREP(h, hsql);
		sqlite3_bind_int64(h, 1, *decl_id);
		sqlite3_bind_int64(h, 2, step_at);
		bind_id(h, 3, users[i]);
		bind_text(h, 4, i ? path[i - 1] : NULL);
		bind_text(h, 5, path[i]);
		bind_text(h, 6, notes[i]);
		r = insert(db, h, "declaration history", NULL);
	}
	if (r == ST_OK && last >= 1) {
		PREP(t, tsql);
		sqlite3_bind_int64(t, 1, *decl_id);
		sqlite3_bind_int64(t, 2, D->u_practice);
		sqlite3_bind_int64(t, 3, declared_at);
		sqlite3_bind_int64(t, 4, s->id);
		r = seed_step(db, t, "declaration ticks");
	}
	return r;
}

struct demo_decl_ids {
	int64_t ms_may, ms_jun;
};

/* Minor Surgery at P1: April to June 2024 submitted (May corrected
 * once) and declared to different stages; July 2024 to February 2025
 * submitted (only February still inside its amendment window on the
 * demo's business date, 10 April 2025); March 2025 saved as work in
 * progress. */
static enum st demo_ms(struct db *db, struct demo *D, struct demo_decl_ids *decl)
{
	static const struct ms_month months[] = {
		{"April figures from the minor surgery log.", {14, 6, 9, 7}, 20240312},
		{"May figures from the minor surgery log; two injections done at the Fairfield"
		 " Road branch clinic are included.", {17, 7, 8, 8}, 20240312},
		{"June figures; the cryotherapy clinic was cancelled for a week (equipment"
		 " service).", {11, 5, 4, 6}, 20240612},
	};
	const struct seed_service *s = &D->ms;
	enum st r = ST_OK;
	int64_t fin_decl = 0;
	for (size_t m = 0; r == ST_OK && m < ARRAY_SIZE(months); m++) {
		const struct ms_month *mm = &months[m];
		int64_t aid = 0, at = seed_epoch(s->date[m], 10, 0) + 4 * 86400;
		struct mval pay[] = {{"MS01", mm->v[0]}, {"MS02", mm->v[1]}, {"MS03", mm->v[2]}};
		struct mval mi[] = {{"MS04", mm->v[3]}, {"MS05", mm->audit}};
		r = demo_manual(db, s, D->prac[0], m, "SUBMIT", "MANUAL", D->u_practice, mm->notes,
				at, pay, 3, "SUBMITTED", false, &aid);
		if (r == ST_OK)
			r = demo_manual(db, s, D->prac[0], m, "SUBMIT", "MANUAL", D->u_practice,
					"Histology count from the pathology results inbox.", at + 600,
					mi, 2, "SUBMITTED", false, &aid);
		int64_t counts[] = {mm->v[0], mm->v[1], mm->v[2], mm->v[3], 0};
		if (r == ST_OK && m == 1) {
			/* A correction the next day. */
			struct mval fix[] = {{"MS01", 17}, {"MS02", 6}, {"MS03", 8}};
			counts[1] = 6;
			r = demo_manual(db, s, D->prac[0], m, "SUBMIT", "MANUAL", D->u_practice,
					"Corrected MS02: one excision had been logged twice.",
					at + 86400, fix, 3, "SUBMITTED", false, &aid);
		}
		static const char *const st_by_month[] = {"FINANCIALLY_APPROVED",
							  "AWAITING_COMMISSIONER",
							  "AWAITING_PROVIDER"};
		int64_t did = 0;
		if (r == ST_OK)
			r = demo_declaration(db, D, s, ms_inds, ARRAY_SIZE(ms_inds), aid, counts,
					     st_by_month[m], at + 2 * 86400, &did);
		if (m == 0)
			fin_decl = did;
		else if (m == 1)
			decl->ms_may = did;
		else
			decl->ms_jun = did;
	}
	(void)fin_decl;
	static const struct ms_month recent[] = {
		{"July figures from the minor surgery log.", {12, 5, 10, 6}, 20240612},
		{"August figures: clinics reduced over the holidays.", {8, 3, 6, 3}, 20240612},
		{"September figures from the minor surgery log.", {16, 7, 9, 8}, 20240612},
		{"October figures from the minor surgery log.", {18, 6, 8, 7}, 20240612},
		{"November figures from the minor surgery log.", {14, 7, 7, 7}, 20240612},
		{"December figures: one clinic lost to the bank holidays.", {10, 4, 5, 4},
		 20241203},
		{"January figures from the minor surgery log.", {15, 6, 7, 6}, 20241203},
		{"February figures; one excision referred on to the community dermatology"
		 " service is not counted.", {13, 8, 6, 7}, 20241203},
	};
	for (size_t k = 0; r == ST_OK && k < ARRAY_SIZE(recent); k++) {
		size_t m = 3 + k;
		int64_t aid = 0, at = seed_epoch(s->date[m], 10, 0) + 5 * 86400;
		struct mval pay[] = {{"MS01", recent[k].v[0]}, {"MS02", recent[k].v[1]},
				     {"MS03", recent[k].v[2]}};
		struct mval mi[] = {{"MS04", recent[k].v[3]}, {"MS05", recent[k].audit}};
		r = demo_manual(db, s, D->prac[0], m, "SUBMIT", "MANUAL", D->u_practice,
				recent[k].notes, at, pay, 3, "SUBMITTED", false, &aid);
		if (r == ST_OK)
			r = demo_manual(db, s, D->prac[0], m, "SUBMIT", "MANUAL", D->u_practice,
					"Histology count from the pathology results inbox.", at + 600,
					mi, 2, "SUBMITTED", false, &aid);
	}
	if (r == ST_OK) {
		int64_t aid = 0;
		struct mval wip[] = {{"MS01", 9}, {"MS02", 4}};
		r = demo_manual(db, s, D->prac[0], 11, "WIP", "MANUAL", D->u_practice,
				"Part-month: waiting for the last week of the injection clinic log.",
				seed_epoch("2025-04-08", 12, 45), wip, 2, "OPEN", false, &aid);
	}
	/* Other practices with Minor Surgery: April and May submitted. */
	static const size_t others[] = {1, 6, 9};
	for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(others); i++) {
		size_t p = others[i];
		for (size_t m = 0; r == ST_OK && m < 2; m++) {
			int64_t aid = 0, at = seed_epoch(D->ms.date[m], 11, 20) + 6 * 86400;
			int64_t base = demo_practices[p].list_size / 700;
			struct mval pay[] = {{"MS01", base + (int64_t)m * 2}, {"MS02", base / 2},
					     {"MS03", base / 2 + 1}};
			r = demo_manual(db, s, D->prac[p], m, "SUBMIT", "MANUAL", practice_user(D, p),
					"Monthly return.", at, pay, 3, "SUBMITTED", false, &aid);
		}
	}
	return r;
}

/* Learning Disability Health Check ES where it was accepted: Riverbank
 * April to June (May entered by the commissioner on its behalf), Orchard
 * House (demo.other) April. */
static enum st demo_ldhc(struct db *db, struct demo *D)
{
	const struct seed_service *s = &D->ldhc;
	enum st r = ST_OK;
	for (size_t m = 0; r == ST_OK && m < 3; m++) {
		int64_t aid = 0, at = seed_epoch(s->date[m], 9, 15) + 5 * 86400;
		bool comm = m == 1;
		struct mval pay[] = {{"LDHC01", 6 + (int64_t)m * 3}};
		struct mval mi[] = {{"LDHC02", 5 + (int64_t)m * 3}, {"LDHC03", 18500 + (int64_t)m * 4250}};
		r = demo_manual(db, s, D->prac[1], m, "SUBMIT", comm ? "COMMISSIONER" : "MANUAL",
				comm ? D->u_comm : 0,
				comm ? "Entered on the practice's behalf from its health check return;"
				       " the practice manager is on leave."
				     : "Health checks from the LD clinic list.",
				at, pay, 1, "SUBMITTED", comm, &aid);
		if (r == ST_OK)
			r = demo_manual(db, s, D->prac[1], m, "SUBMIT", comm ? "COMMISSIONER" : "MANUAL",
					comm ? D->u_comm : 0, "Reasonable adjustments: extended"
					" appointments and two home visits.", at + 900, mi, 2,
					"SUBMITTED", comm, &aid);
	}
	if (r == ST_OK) {
		int64_t aid = 0;
		struct mval pay[] = {{"LDHC01", 4}};
		r = demo_manual(db, s, D->prac[8], 0, "SUBMIT", "MANUAL", D->u_other,
				"First month of the scheme.", seed_epoch("2024-05-07", 13, 30), pay, 1,
				"SUBMITTED", false, &aid);
	}
	return r;
}

/* ---- tasks and the rest ------------------------------------------------------ */

static enum st task_add(struct db *db, int64_t org_id, const char *role, const char *kind,
			const char *title, const char *subject_type, int64_t subject_id,
			int64_t created_at, int64_t done_at, int64_t done_by)
{
	static const char sql[] =
		"INSERT INTO task(org_id, role_code, kind, title, subject_type, subject_id,"
		" created_at, done_at, done_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, org_id);
	bind_text(st, 2, role);
	bind_text(st, 3, kind);
	bind_text(st, 4, title);
	bind_text(st, 5, subject_type);
	sqlite3_bind_int64(st, 6, subject_id);
	sqlite3_bind_int64(st, 7, created_at);
	if (done_at)
		sqlite3_bind_int64(st, 8, done_at);
	else
		sqlite3_bind_null(st, 8);
	bind_id(st, 9, done_by);
	return insert(db, st, "task", NULL);
}

static enum st demo_tasks(struct db *db, struct demo *D, const struct demo_offer_ids *o,
			  const struct demo_decl_ids *d)
{
	char t[256];
	enum st r = ST_OK;
	struct {
		int64_t org;
		const char *role, *kind, *fmt, *service, *subject_type;
		int64_t subject;
		const char *on;
		int64_t done_by;
	} tasks[] = {
		{D->prac[0], "SERVICE_MANAGEMENT", "OFFER", "New offer: %s", D->ldhc.name, "offer",
		 o->ldhc_p1, "2024-06-03", 0},
		{D->prac[0], "SERVICE_MANAGEMENT", "OFFER", "New offer: %s", D->po.name, "offer",
		 o->po_p1, "2024-07-15", 0},
		{D->prac[2], "SERVICE_MANAGEMENT", "OFFER", "New offer: %s", D->ldhc.name, "offer",
		 o->ldhc_a81007, "2024-06-03", 0},
		{D->prac[7], "SERVICE_MANAGEMENT", "OFFER", "New offer: %s", D->qof[2].name, "offer",
		 o->qof2526_a81030, "2025-03-13", 0},
		{D->prac[8], "SERVICE_MANAGEMENT", "OFFER", "New offer: %s", D->po.name, "offer",
		 o->po_l83002, "2024-07-16", 0},
		{D->prac[5], "SERVICE_MANAGEMENT", "OFFER_WITHDRAWN", "Offer withdrawn: %s",
		 D->ldhc.name, "offer", o->ldhc_a81019, "2024-06-05", 0},
		{D->prac[6], "SERVICE_MANAGEMENT", "OFFER_CANCELLED", "Service cancelled: %s",
		 D->ldhc.name, "offer", o->ldhc_a81023, "2024-11-04", 0},
		{D->icb[0], "COMMISSIONING_MANAGEMENT", "OFFER_REJECTED",
		 "Offer rejected: %s by Larchfield Family Practice (A81016)", D->ldhc.name, "offer",
		 o->ldhc_a81016, "2024-06-12", 0},
		{D->icb[0], "COMMISSIONING_MANAGEMENT", "OFFER_REJECTED",
		 "Offer rejected: %s by Norton Green Surgery (A81007)", D->po.name, "offer",
		 o->po_a81007, "2024-07-25", D->u_comm},
		{D->prac[0], "DECLARATION_MANAGEMENT", "DECLARATION",
		 "Declaration due: %s, 30/06/2024", D->ms.name, "declaration", d->ms_jun,
		 "2024-07-06", 0},
		{D->icb[0], "APPROVAL_MANAGEMENT", "DECLARATION_APPROVAL",
		 "Declaration awaiting approval: The Densham Surgery (A81001), %s, 31/05/2024",
		 D->ms.name, "declaration", d->ms_may, "2024-06-07", 0},
	};
	for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(tasks); i++) {
		snprintf(t, sizeof t, tasks[i].fmt, tasks[i].service);
		int64_t at = seed_epoch(tasks[i].on, 9, 31);
		r = task_add(db, tasks[i].org, tasks[i].role, tasks[i].kind, t,
			     tasks[i].subject_type, tasks[i].subject, at,
			     tasks[i].done_by ? at + 86400 : 0, tasks[i].done_by);
	}
	return r;
}

static enum st demo_allocated_report(struct db *db, struct demo *D)
{
	static const char sql[] =
		"INSERT INTO allocated_report(from_org_id, to_org_id, service_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	PREP(st, sql);
	sqlite3_bind_int64(st, 1, D->icb[0]);
	sqlite3_bind_int64(st, 2, D->pcn[0]);
	sqlite3_bind_int64(st, 3, D->qof[1].id);
	sqlite3_bind_int64(st, 4, seed_epoch("2024-05-20", 11, 0));
	return insert(db, st, "allocated report", NULL);
}

/* ---- the PCNs' own values ------------------------------------------------- */

/* The PCN achievements of NCD 2023/24 and 2024/25, made after every other
 * achievement (in the order the server used to make them when it first
 * aggregated, so their ids are as before). */
static enum st demo_pcn_values(struct db *db, struct demo *D)
{
	enum st r = pcn_achievements(db, D, &D->ncd[0], 2023, NPCN, NULL);
	if (r == ST_OK)
		r = pcn_achievements(db, D, &D->ncd[1], 2024, NPCN, NULL);
	return r;
}

/* The declaration of a PCN's network achievement aid, paying pence, taken
 * along the usual path to status: calculated when the extract loaded
 * (at), declared by the PCN (its user declarer, 0 for none named) on
 * declared_on, approved and financially approved a week apart after. */
static enum st network_declaration(struct db *db, struct demo *D, const struct seed_service *s,
				   int64_t aid, int64_t pence, const char *status, int64_t at,
				   int64_t declarer, const char *declared_on, const char *notes,
				   int64_t *decl_id)
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
	static const char *const step_notes[] = {
		"provisional payment calculated", "Declared by the PCN",
		"Approved by the commissioner", "Financially approved",
	};
	int last = 0;
	while (last < 3 && strcmp(path[last], status) != 0)
		last++;
	int64_t declared_at = seed_epoch(declared_on, 15, 40);
	int64_t times[] = {at + 3600, declared_at, declared_at + 7 * 86400 - 3 * 3600,
			   declared_at + 14 * 86400 - 4 * 3600};
	int64_t users[] = {0, declarer, D->u_appr, D->u_fin};
	PREP(d, dsql);
	sqlite3_bind_int64(d, 1, aid);
	bind_text(d, 2, status);
	sqlite3_bind_int64(d, 3, pence);
	bind_text(d, 4, last >= 1 ? notes : "");
	bind_id(d, 5, last >= 1 ? declarer : 0);
	if (last >= 1)
		sqlite3_bind_int64(d, 6, declared_at);
	else
		sqlite3_bind_null(d, 6);
	sqlite3_bind_int64(d, 7, times[last]);
	sqlite3_bind_int(d, 8, last + 1);
	enum st r = insert(db, d, "declaration", decl_id);
	for (int i = 0; r == ST_OK && i <= last; i++) {
		PREP(h, hsql);
		sqlite3_bind_int64(h, 1, *decl_id);
		sqlite3_bind_int64(h, 2, times[i]);
		bind_id(h, 3, users[i]);
		bind_text(h, 4, i ? path[i - 1] : NULL);
		bind_text(h, 5, path[i]);
		bind_text(h, 6, step_notes[i]);
		r = insert(db, h, "declaration history", NULL);
	}
	/* The statements the declarer ticked (a declarer with no named user
	 * in the demo leaves none recorded). */
	if (r == ST_OK && last >= 1 && declarer) {
		PREP(t, tsql);
		sqlite3_bind_int64(t, 1, *decl_id);
		sqlite3_bind_int64(t, 2, declarer);
		sqlite3_bind_int64(t, 3, declared_at);
		sqlite3_bind_int64(t, 4, s->id);
		r = seed_step(db, t, "declaration ticks");
	}
	return r;
}

/* The seed's own example (domain.md; the guide "Network Contract DES
 * 21-22 Tick-Box Indicators"): the Network Contract DES 2021/22 with its
 * COV-01 (NCD009) tick-box, for the two Tees PCNs and the practices that
 * were their members then, at 28 February and 31 March 2022. Tees
 * Riverside (demo.pcn) set COV-01 Yes at 28 February and has not set it
 * for 31 March, where the extract carried the Yes forward; it has
 * declared February (awaiting the commissioner) but not March (awaiting
 * the PCN, which may still change the tick-box). Coastal Tees set Yes at
 * 28 February, paid and final (financially approved), and changed it to
 * No for 31 March, declared and awaiting the commissioner. The network
 * figures are calculated here (the server's own calculation) so that the
 * declarations carry them; main.c opens declarations only near the
 * business date. */
static enum st demo_ncd2122(struct db *db, struct demo *D)
{
	const struct seed_service *s = &D->ncd2122;
	enum st r = ncd_offers(db, D, s, 2021, 2);
	for (size_t di = 0; r == ST_OK && di < s->ndates; di++)
		for (size_t p = 0; r == ST_OK && p < NPRACT; p++) {
			const struct demo_practice *pr = &demo_practices[p];
			int pcn = demo_pcn_on(pr, s->date[di]);
			if (pcn == 0 || pcn == 1)
				r = demo_extract(db, D, s, D->prac[p], pr->list_size, pr->quality,
						 p * 104729, di, NULL);
		}
	int64_t ids[SEED_MAX_DATES * 2] = {0};
	if (r == ST_OK)
		r = pcn_achievements(db, D, s, 2021, 2, ids);
	if (r != ST_OK)
		return r;
	static const struct {
		size_t di, n;
		const char *status, *declared_on, *notes;
	} decls[] = {
		{0, 0, "AWAITING_COMMISSIONER", "2022-03-14",
		 "COV-01 Yes: every member practice ran vaccination clinics throughout February."},
		{1, 0, "AWAITING_PROVIDER", NULL, NULL},
		{0, 1, "FINANCIALLY_APPROVED", "2022-03-11",
		 "COV-01 Yes for February; the clinical director's certificate is on file."},
		{1, 1, "AWAITING_COMMISSIONER", "2022-04-12",
		 "COV-01 No for March: the vaccination site closed on 4 March."},
	};
	struct recalc *rc = recalc_new(db);
	for (size_t k = 0; r == ST_OK && k < ARRAY_SIZE(decls); k++) {
		size_t di = decls[k].di, n = decls[k].n;
		int64_t pcn_ach = 0, pence = 0, did = 0;
		bool calculated = false;
		r = recalc_network(rc, s->id, s->date_id[di], s->date[di], D->pcn[n], &pcn_ach,
				   &calculated, &pence);
		if (r == ST_OK && (!calculated || pcn_ach != ids[di * 2 + n])) {
			fprintf(stderr, "cqrsd: seed: the %s network achievement of %s for %s was"
				" not calculated\n", s->code, demo_pcns[n].code, s->date[di]);
			r = ST_ERROR;
		}
		int64_t at = seed_epoch(s->date[di], 6, 10) + 8 * 86400;
		if (r == ST_OK)
			r = network_declaration(db, D, s, pcn_ach, pence, decls[k].status, at,
						n == 0 ? D->u_pcn : 0,
						decls[k].declared_on ? decls[k].declared_on : s->date[di],
						decls[k].notes, &did);
		/* The task each waiting declaration leaves (lifecycle.c's titles). */
		char shown[11], title[256];
		date_display(s->date[di], shown);
		bool provider = !strcmp(decls[k].status, "AWAITING_PROVIDER");
		if (r == ST_OK && (provider || !strcmp(decls[k].status, "AWAITING_COMMISSIONER"))) {
			snprintf(title, sizeof title, "%s: %s (%s), %s, %s",
				 provider ? "Declaration due" : "Declaration awaiting approval",
				 demo_pcns[n].name, demo_pcns[n].code, s->name, shown);
			r = task_add(db, provider ? D->pcn[n] : D->icb[0],
				     provider ? "DECLARATION_MANAGEMENT" : "APPROVAL_MANAGEMENT",
				     provider ? "DECLARATION" : "DECLARATION_APPROVAL", title,
				     "declaration", did,
				     provider ? at + 3600 : seed_epoch(decls[k].declared_on, 15, 40), 0,
				     0);
		}
	}
	recalc_free(&rc);
	return r;
}

static enum st demo_build(struct db *db, void *arg)
{
	struct demo *D = arg;
	if (!store_is_empty(db)) {
		fprintf(stderr, "cqrsd: seed: the database already holds organisations; the demo"
			" data go only into an empty database\n");
		return ST_CONFLICT;
	}
	struct demo_offer_ids offers = {0};
	struct demo_decl_ids decls = {0};
	enum st r = demo_orgs(db, D);
	if (r == ST_OK)
		r = seed_rollup_list_sizes(db);
	if (r == ST_OK)
		r = demo_users_add(db, D);
	if (r == ST_OK)
		r = demo_cluster(db, D);
	if (r == ST_OK)
		r = demo_services(db, D);
	if (r == ST_OK)
		r = demo_offers(db, D, &offers);
	if (r == ST_OK)
		r = demo_qof_achievements(db, D);
	if (r == ST_OK)
		r = demo_ncd_achievements(db, D);
	if (r == ST_OK)
		r = demo_ms(db, D, &decls);
	if (r == ST_OK)
		r = demo_ldhc(db, D);
	if (r == ST_OK)
		r = demo_tasks(db, D, &offers, &decls);
	if (r == ST_OK)
		r = demo_allocated_report(db, D);
	if (r == ST_OK)
		r = demo_pcn_values(db, D);
	if (r == ST_OK)
		r = demo_ncd2122(db, D);
	return r;
}

enum st store_seed_demo(struct db *db)
{
	struct demo *D = xcalloc(1, sizeof *D);
	D->now = now_s();
	enum st r = store_tx(db, true, demo_build, D);
	free(D);
	return r;
}
