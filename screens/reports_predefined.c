/* reports_predefined.c: Reports > Pre-defined: the catalogue's pre-defined
 * reports (achievement, indicators, declarations, participation, missing
 * data), run by reports.c. */
#include "config.h"

#include "screens/reports.h"

const struct reports_tab reports_predefined_tab = {
	.tab = "predefined",
	.heading = "Pre-defined reports: Enter opens a report's parameters",
};
