/* achievement_results.c: Achievement > Achievement Results: the services whose results the user can see.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def achievement_results_def = {
	.provider = {PANE_ORG_SERVICES, NULL, PANE_NONE, "Services with achievement results"},
	.commissioner = {PANE_ORGS, "PRACTICE", PANE_ORG_SERVICES, "Practices: Enter shows their services"},
	.status = "APPROVED",
	.taggable = false,
	.coming = "Achievement in points (and in pounds where your roles allow) comes with the Achievement issue.",
};
