/* store_seed.h: builders shared by the demo seed (store_demo.c, which
 * defines them), the data loader (store_load_data.c) and the national
 * generator (store_national.c): rows for organisations, users, offers and
 * achievements, plus a small deterministic random generator and the model
 * that turns a practice's list size into plausible achievement values.
 * The services themselves come from the demo's tables (dd_demo_service,
 * store_load_data.h). Internal to the store; every function runs inside
 * the caller's write transaction. */
#ifndef CQRS_STORE_SEED_H
#define CQRS_STORE_SEED_H

#include <stdbool.h>
#include <stdint.h>

#include "server/store/store_int.h"

/* The demo password of every seeded user. */
#define SEED_PASSWORD "Terminal-2025"

/* ---- deterministic random numbers (splitmix64) -------------------------- */
uint64_t seed_rand(uint64_t *state);
/* A uniform integer in [lo, hi]. */
int64_t seed_range(uint64_t *state, int64_t lo, int64_t hi);

/* Seconds since the epoch of an ISO date at hh:mm UTC (dates assumed valid). */
int64_t seed_epoch(const char *iso, int hh, int mm);

/* ---- statements ------------------------------------------------------------ */
/* Steps a statement expected to finish with SQLITE_DONE, then resets it. */
enum st seed_step(struct db *db, dbstmt *st, const char *context);
/* Runs an INSERT and returns the new row id in *id (may be NULL). */
enum st seed_insert(struct db *db, dbstmt *st, const char *context, int64_t *id);
/* Binds text, or NULL when s is NULL. */
void seed_bind_text(dbstmt *st, int i, const char *s);
/* Binds an id, or NULL when id is 0. */
void seed_bind_id(dbstmt *st, int i, int64_t id);

/* The cached statement var for sqltext (a static array), or return. */
#define PREP(var, sqltext)                   \
	dbstmt *var = db_stmt(db, sqltext); \
	if (!var)                                  \
		return ST_ERROR

/* ---- plain rows ---------------------------------------------------------- */
enum st seed_org(struct db *db, const char *code, const char *name, const char *kind,
		 int64_t parent_id, int64_t list_size, const char *postcode, int64_t *id);
enum st seed_membership(struct db *db, int64_t pcn_id, int64_t practice_id,
			const char *start, const char *end);
/* Creates a user whose password is SEED_PASSWORD, hashed with argon2id
 * (its own salt), set at password_set_at, and recorded in its history. */
enum st seed_user(struct db *db, const char *user_id, const char *name, const char *email,
		  const char *phone, bool system_account, int64_t now, int64_t password_set_at,
		  int64_t *id);
enum st seed_grant(struct db *db, int64_t uid, int64_t org_id, const char *role, int64_t at);
/* The same, restricted to payment types (View, Finance View; comma-
 * separated, NULL or "": all). */
enum st seed_grant_types(struct db *db, int64_t uid, int64_t org_id, const char *role,
			 const char *payment_types, int64_t at);
/* An offer, with one offer_history row per status it passed through:
 * statuses is a list such as {"OFFERED", "APPROVED", NULL}; ats holds the
 * time of each and notes the note of each (notes may be NULL). The offer
 * ends in the last status. */
struct seed_offer {
	int64_t service_id, org_id, via_pcn_id; /* via_pcn_id 0: none */
	const char *start, *end, *response, *target;
	int64_t offered_by, offered_by_org;
	bool auto_accepted;
	const char *statuses[5];
	int64_t ats[5];
	int64_t by[5]; /* user of each step; 0: none */
	const char *notes[5];
};
enum st seed_offer_add(struct db *db, const struct seed_offer *o, int64_t *id);

/* Sets PCN, ICB and NHS England list sizes to the sums of their current
 * practices. */
enum st seed_rollup_list_sizes(struct db *db);

/* ---- services ------------------------------------------------------------- */
/* Indicator kinds of the value model. */
enum seed_kind { SK_COUNT, SK_RATIO, SK_YESNO, SK_MONEY, SK_DATE };

/* One indicator as built, with what the value model needs. */
struct seed_ind {
	int64_t id;
	int64_t group_id;
	char code[24];
	enum seed_kind kind;
	int den_ppm;      /* the count, or the denominator, per million patients */
	int rate_pct;     /* typical year-end achievement (ratio), or Yes chance */
	bool pcn_entered; /* entered by the PCN, not extracted from practices */
	bool cumulative;  /* ratio achievement builds up over the year */
	bool activity;    /* a count of monthly activity (else a register) */
	int pence_per_item;
};

#define SEED_MAX_IND 128
#define SEED_MAX_DATES 12

/* A built service: its id, dates and indicators, in structure order. */
struct seed_service {
	int64_t id;
	char code[16];
	char name[96];
	size_t ndates;
	int64_t date_id[SEED_MAX_DATES];
	char date[SEED_MAX_DATES][11];
	bool payment[SEED_MAX_DATES];
	size_t nind;
	struct seed_ind ind[SEED_MAX_IND];
};

/* ---- the value model -------------------------------------------------------- */
/* Fills value or numerator/denominator for indicator ind of a practice of
 * list_size patients, at month m (1 = April .. 12 = March); quality is the
 * practice's offset from the typical achievement in percentage points.
 * Deterministic in its inputs. Returns false for kinds it does not model
 * (money, date), which the caller then leaves out. */
bool seed_value(const struct seed_ind *ind, int64_t list_size, int month, int quality,
		uint64_t noise, int64_t *value, int64_t *num, int64_t *den);

/* Common statements. */
enum st seed_value_row(struct db *db, int64_t achievement_id, const struct seed_ind *ind,
		       int64_t value, int64_t num, int64_t den, const char *source,
		       int64_t submission_id, int64_t at);
enum st seed_achievement(struct db *db, int64_t service_id, int64_t org_id, int64_t date_id,
			 const char *status, bool commissioner_entry, int64_t at, int64_t *id);

#endif
