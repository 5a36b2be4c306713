/* reports_administrative.c: Reports > Administrative: the Network organisation relationship report,
 * from the real PCN memberships.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def reports_administrative_def = {
	.provider = {PANE_ORG_DETAIL, NULL, PANE_NONE, "Network organisation relationship"},
	.commissioner = {PANE_ORGS, "PCN", PANE_ORG_DETAIL, "Network organisation relationship: choose a PCN"},
	.status = NULL,
	.taggable = false,
	.coming = "Start and end dates and export come with the Reports issue. Enter on a row shows the other organisation's relationships.",
};
