/* declaration_management.c: Achievement > Declaration Management: the practices whose declarations the
 * commissioner approves, with checkboxes (Select All).
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def declaration_management_def = {
	.provider = {PANE_ORGS, "PRACTICE", PANE_ORG_SERVICES, "Practices (Space ticks, a = Select All)"},
	.commissioner = {0},
	.status = NULL,
	.taggable = true,
	.coming = "The Status and Quality Service filters and Approve come with the Declarations issue.",
};
