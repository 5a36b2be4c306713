/* offered_services.c: Participation Management > Offered Services: the practices the commissioner
 * administers; Enter shows the services offered to one of them.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def offered_services_def = {
	.provider = {PANE_ORGS, "PRACTICE", PANE_ORG_SERVICES, "Practices you commission: Enter shows their offers"},
	.commissioner = {PANE_ORGS, "PRACTICE", PANE_ORG_SERVICES, "Practices you commission: Enter shows their offers"},
	.status = NULL,
	.taggable = false,
	.coming = "The status filter (Offered, Approved, Rejected, Cancelled), withdrawing and cancelling offers come with the Participation issue.",
};
