/* lifecycle.h: what follows from a change, wherever it was made (manual
 * entry, a commissioner's entry, an extract, a tick-box): declarations
 * created, reverted and the tasks and e-mails of each step. The rules
 * live here; the store does the reading and writing. All functions run
 * inside the caller's write transaction. */
#ifndef CQRS_LIFECYCLE_H
#define CQRS_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/store/store.h"

struct recalc;

/* After an achievement's data changed (submitted, extracted, set): it is
 * recalculated (a practice's achievement of a network-level service
 * through its PCN's network achievement); a payment-date achievement gets
 * its declaration with the provisional payment (awaiting the provider,
 * or the commissioner when the service needs no declaration); one
 * awaiting commissioner or finance approval reverts to the provider, who
 * must declare again. Refuses (ST_FORBIDDEN) after financial approval.
 * rc (may be NULL) caches service definitions across many calls. */
enum st lifecycle_data_changed(struct db *db, struct recalc *rc, int64_t ach_id, int64_t uid);
/* The same for an achievement the caller has just read; rc not NULL. */
enum st lifecycle_data_changed_rec(struct db *db, struct recalc *rc, const struct ach_rec *a,
				   int64_t uid);

/* The one rule of "final": whether data of an organisation for a service
 * and date feed a figure that is financially approved, and so can never
 * change: its own achievement's, or for a practice's data of a
 * network-level service, its PCN's network achievement on that date.
 * When final, why (may be NULL) gets the sentence that says what is final
 * and since when; callers refuse before they write. */
bool lifecycle_final(struct db *db, const struct service_rec *s, int64_t org_id, int64_t date_id,
		     const char *date, char *why, size_t whylen);

/* The PCN network achievement that a practice's achievement of a
 * network-level service feeds: its PCN's on the same date. False when
 * there is none (not network level, not a practice's, no PCN on the date,
 * or the PCN has no achievement for it yet). */
bool lifecycle_network_of(struct db *db, const struct ach_rec *a, const struct service_rec *s,
			  int64_t *pcn_ach);

/* Whether a declaration in status is sent back to the provider when its
 * data change (awaiting the commissioner's or financial approval). */
bool lifecycle_reverts(const char *status);
/* What submitting changed data of achievement a would revert: the
 * sentence to warn with before sending (in why), naming whose declaration
 * and where it waits; false when a submission reverts nothing. */
bool lifecycle_submit_reverts(struct db *db, const struct ach_rec *a, const struct service_rec *s,
			      char *why, size_t whylen);

/* Moves a declaration to `to` and leaves the tasks and e-mails of that
 * step: the next actor's task, the previous actor's task done. note goes
 * in the history; notes (may be NULL) are the declarer's notes. */
enum st lifecycle_declaration_move(struct db *db, const struct decl_rec *d, const char *to,
				   int64_t uid, const char *note, const char *notes);

/* Opens the declarations of every calculated payment-date achievement
 * from..to that has none (the demo: what is awaiting declaration on its
 * business date), with their tasks. Its own write transaction. */
enum st lifecycle_open_declarations(struct db *db, const char *from, const char *to);

#endif
