/* present.h: the one presentation step that decides what a caller sees of
 * money. Store operations give every figure (points and pounds alike);
 * before a handler replies, present_money() takes the pounds out for a
 * caller who may see points only (View, PCN View, ...: see ROLES_POUNDS).
 * Which keys are money is listed once, in present.c. */
#ifndef CQRS_PRESENT_H
#define CQRS_PRESENT_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct req;

/* Whether the caller may see pounds for an organisation (a role of
 * ROLES_POUNDS reaching it); org_id 0: at any organisation. With a
 * service (service_id not 0), for that service's figures: a Finance View
 * grant restricted to payment types gives pounds only for services of
 * those types (the reading rule SQL_SERVICE_READABLE with the pounds
 * roles, store_service_readable); service_id 0: for some service. */
bool present_pounds(struct req *r, int64_t org_id, int64_t service_id);
/* Removes every money field (at any depth) from j unless pounds; returns j. */
json_t *present_money(json_t *j, bool pounds);

#endif
