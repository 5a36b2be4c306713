/* present.c: what a caller sees of money, decided in one place. */
#include "config.h"

#include <string.h>

#include "server/handlers/present.h"
#include "server/http/auth.h"
#include "server/store/store.h"

/* The fields that carry pounds, wherever they appear in an answer. */
static const char *const money_keys[] = {
	"pence", "aspiration_pence", "pence_per_item", "pence_per_point", "pay_explanation",
	"caip_pence",
};

bool present_pounds(struct req *r, int64_t org_id, int64_t service_id)
{
	if (service_id)
		return auth_service_readable(r, org_id, service_id, ROLES_POUNDS);
	return org_id ? auth_org_in_scope(r, org_id, ROLES_POUNDS) :
			auth_has_role_anywhere(r->auth, ROLES_POUNDS);
}

json_t *present_money(json_t *j, bool pounds)
{
	if (pounds || !j)
		return j;
	if (json_is_object(j)) {
		for (size_t k = 0; k < sizeof money_keys / sizeof *money_keys; k++)
			json_object_del(j, money_keys[k]);
		const char *key;
		json_t *v;
		json_object_foreach(j, key, v)
			present_money(v, false);
	} else if (json_is_array(j)) {
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			present_money(v, false);
	}
	return j;
}
