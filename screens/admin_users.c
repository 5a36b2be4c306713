/* admin_users.c: Administration > Users: the organisations whose users the administrator
 * manages.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def admin_users_def = {
	.provider = {PANE_ORGS, NULL, PANE_ORG_DETAIL, "Organisations whose users you administer"},
	.commissioner = {0},
	.status = NULL,
	.taggable = false,
	.coming = "Creating users, linking them to organisations and roles, and disabling them come with the Administration issue.",
};
