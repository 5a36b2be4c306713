/* missing_data.c: Data Submission > Missing Data: the services the organisation takes part in,
 * whose indicator groups must all be submitted before payment.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def missing_data_def = {
	.provider = {PANE_ORG_SERVICES, NULL, PANE_NONE, "Services you take part in: check what is missing"},
	.commissioner = {0},
	.status = "APPROVED",
	.taggable = false,
	.coming = "The \"indicators submitted N of M\" check per achievement date comes with the Data Submission issue. Enter shows the groups to submit.",
};
