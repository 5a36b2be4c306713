/* recalc.h: recalculating achievements after their data change: one
 * practice's achievement through the calculation, or a PCN's network
 * achievement aggregated from the practices that were its members on the
 * achievement date. A recalc context caches each service's indicator
 * definitions, so that an extract touching thousands of achievements
 * reads them once. All functions run inside the caller's write
 * transaction. */
#ifndef CQRS_RECALC_H
#define CQRS_RECALC_H

#include <stdbool.h>
#include <stdint.h>

#include "server/store/store.h"

struct recalc;

struct recalc *recalc_new(struct db *db);
void recalc_free(struct recalc **rc);

/* Calculates one practice-level (or PCN) achievement and stores the
 * result as its current calculation; *pence receives the payment.
 * Leaves the achievement CALCULATED, or AWAITING_RECALCULATION when the
 * calculation refuses its figures (logged). */
enum st recalc_one(struct recalc *rc, int64_t ach_id, int64_t *pence, bool *calculated);
/* The same for an achievement the caller has just read (store_achievement_get),
 * which saves reading it again (a national load recalculates thousands). */
enum st recalc_one_rec(struct recalc *rc, const struct ach_rec *a, int64_t *pence,
		       bool *calculated);

/* A service as stored (store_service_get), read once per rc; NULL when
 * it cannot be read. */
const struct service_rec *recalc_service(struct recalc *rc, int64_t service_id);

/* Re-aggregates a PCN's network achievement for a service and date from
 * its members on that date, and recalculates it when every member has
 * data. Members' and the PCN's achievements are left CALCULATED, or
 * AWAITING_NETWORK while the network figure is incomplete. *pcn_ach
 * (may be NULL) receives the PCN's achievement id (0: none). */
enum st recalc_network(struct recalc *rc, int64_t service_id, int64_t date_id, const char *date,
		       int64_t pcn_id, int64_t *pcn_ach, bool *calculated, int64_t *pence);

/* Why a network achievement is incomplete: a new JSON array of
 * {"practice", "name", "missing": N, "reason"} for members with no data
 * (or no achievement), empty when complete. */
json_t *recalc_network_gaps(struct recalc *rc, int64_t service_id, int64_t date_id,
			    const char *date, int64_t pcn_id);

struct calc_result;
/* Runs the calculation again, with its explaining texts, on the
 * achievement's current values (the stored calculation keeps only the
 * figures): out->lines follow the service's indicators in structure order
 * (store_calc_defs). The caller frees out with calc_result_free. */
enum st recalc_explain(struct recalc *rc, int64_t ach_id, struct calc_result *out);

/* Recalculates every achievement (practice level) and aggregates every
 * PCN's network achievements, leaving declarations as they are: for a
 * database built by seeding rather than through the API. Runs in its own
 * write transaction; progress to stderr when verbose. */
enum st recalc_all(struct db *db, bool verbose);

#endif
