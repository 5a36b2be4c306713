/* admin_allocated_reports.c: Administration > Allocated Reports: the quality services of a financial year
 * that can be allocated to a descendant organisation.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def admin_allocated_reports_def = {
	.provider = {PANE_CATALOGUE, NULL, PANE_NONE, "Quality services to allocate (Space ticks)"},
	.commissioner = {0},
	.status = NULL,
	.taggable = true,
	.coming = "Choosing the organisation and saving the allocation come with the Administration issue.",
};
