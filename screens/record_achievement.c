/* record_achievement.c: Data Submission > Record Achievement: the services the practice takes part in
 * (approved offers), whose achievement it records.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def record_achievement_def = {
	.provider = {PANE_ORG_SERVICES, NULL, PANE_NONE, "Services you take part in (approved offers)"},
	.commissioner = {0},
	.status = "APPROVED",
	.taggable = false,
	.coming = "Achievement dates, indicator groups and New Values, Save Work in Progress and Submit come with the Data Submission issue.",
};
