/* reports_administrative.c: Reports > Administrative: the catalogue's
 * administrative reports (Network organisation relationship; Users and
 * roles for administrators), run by reports.c. */
#include "config.h"

#include "screens/reports.h"

const struct reports_tab reports_administrative_tab = {
	.tab = "administrative",
	.heading = "Administrative reports: Enter opens a report's parameters",
};
