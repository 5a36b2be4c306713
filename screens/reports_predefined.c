/* reports_predefined.c: Reports > Pre-defined: the services the Achievement Summary Report runs on.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def reports_predefined_def = {
	.provider = {PANE_CATALOGUE, NULL, PANE_NONE, "Achievement Summary Report: the quality services"},
	.commissioner = {0},
	.status = NULL,
	.taggable = false,
	.coming = "Running the pre-defined reports and exporting them to a spreadsheet come with the Reports issue.",
};
