/* network_achievement.c: Data Submission > Network Achievement: a practice's PCN memberships (or a PCN's
 * member practices), whose data are aggregated to the PCN.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def network_achievement_def = {
	.provider = {PANE_ORG_DETAIL, NULL, PANE_NONE, "Your PCN relationships"},
	.commissioner = {PANE_ORGS, "PCN", PANE_ORG_DETAIL, "Primary Care Networks: Enter shows their practices"},
	.status = NULL,
	.taggable = false,
	.coming = "The network achievement dashboard (service, achievement date, aggregated figures) comes with the Data Submission issue.",
};
