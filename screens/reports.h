/* reports.h: the Reports screens (reports.c), one per sub-tab, built from
 * the server's catalogue; a sub-tab file declares its struct reports_tab. */
#ifndef CQRS_REPORTS_H
#define CQRS_REPORTS_H

#include <jansson.h>

#include "screens/app.h"

struct reports_tab {
	const char *tab;        /* the catalogue's "tab": "predefined" */
	const char *heading;    /* the line above the list */
};

extern const struct screen_ops reports_ops;
extern const struct reports_tab reports_predefined_tab, reports_administrative_tab;

/* Goes to Reports > Pre-defined and runs report name with params (a JSON
 * object of strings, stolen; missing ones take their defaults), as the
 * Declare screen's "Run Achievement Summary Report" does. */
void reports_request(struct app *a, const char *name, json_t *params);

#endif
