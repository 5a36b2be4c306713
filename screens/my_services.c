/* my_services.c: Participation Management > My Services: the quality services offered to the
 * current organisation, with each offer's status.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def my_services_def = {
	.provider = {PANE_ORG_SERVICES, NULL, PANE_NONE, "Services offered to your organisation"},
	.commissioner = {0},
	.status = NULL,
	.taggable = false,
	.coming = "Viewing an offer's dates and accepting or rejecting it (Service Management) come with the Participation issue. Enter shows a service's domains and indicators.",
};
