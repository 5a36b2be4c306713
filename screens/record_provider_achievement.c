/* record_provider_achievement.c: Data Submission > Record Provider Achievement: a commissioner chooses a
 * practice to adjust manual data on its behalf.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def record_provider_achievement_def = {
	.provider = {PANE_ORGS, "PRACTICE", PANE_ORG_SERVICES, "Choose a practice: Enter shows its services"},
	.commissioner = {0},
	.status = NULL,
	.taggable = false,
	.coming = "Adjusting a practice's manually entered data comes with the Data Submission issue.",
};
