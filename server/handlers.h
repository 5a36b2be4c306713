/* handlers.h: every endpoint handler, one group per file (h_*.c). */
#ifndef CQRS_HANDLERS_H
#define CQRS_HANDLERS_H

#include "http.h"

/* h_session.c */
void h_session_create(struct req *r);
void h_session_delete(struct req *r);
/* h_me.c */
void h_health(struct req *r);
void h_me(struct req *r);
void h_tasks(struct req *r);
void h_prefs_get(struct req *r);
void h_prefs_set(struct req *r);
/* h_orgs.c */
void h_orgs_search(struct req *r);
void h_org_get(struct req *r);
void h_org_services(struct req *r);
/* h_offers.c */
void h_offers_list(struct req *r);
void h_offer_get(struct req *r);
void h_offers_create(struct req *r);
void h_offers_action(struct req *r);
void h_task_done(struct req *r);
/* h_achievements.c */
void h_achievements_list(struct req *r);
void h_achievement_add(struct req *r);
void h_achievement_get(struct req *r);
void h_group_get(struct req *r);
void h_group_save(struct req *r);
void h_submissions(struct req *r);
void h_missing(struct req *r);
/* h_declarations.c */
void h_declarations_list(struct req *r);
void h_declaration_get(struct req *r);
void h_declaration_declare(struct req *r);
void h_declarations_action(struct req *r);
/* h_network.c */
void h_results(struct req *r);
void h_network(struct req *r);
void h_network_stuck(struct req *r);
void h_network_aggregate(struct req *r);
void h_membership_add(struct req *r);
void h_membership_end(struct req *r);
/* h_extracts.c */
void h_extract_load(struct req *r);
/* h_services.c */
void h_services_list(struct req *r);
void h_service_get(struct req *r);

/* Shared by handlers: parses the body as a strict JSON object, replying
 * 400 and returning NULL when it is not one. */
json_t *body_object(struct req *r);
/* Parses a positive integer path parameter; replies 404 and returns 0 if
 * it is not one. */
int64_t param_id(struct req *r, int i);

#endif
