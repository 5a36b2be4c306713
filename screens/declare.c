/* declare.c: Achievement > Declare: the services the practice or PCN declares, with a
 * checkbox each (Select All).
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def declare_def = {
	.provider = {PANE_ORG_SERVICES, NULL, PANE_NONE, "Services to declare (Space ticks, a = Select All)"},
	.commissioner = {0},
	.status = "APPROVED",
	.taggable = true,
	.coming = "Declare Achievement, notes and the Payment Declaration History come with the Declarations issue.",
};
