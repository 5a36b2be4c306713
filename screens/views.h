/* views.h: the browse screen shared by the sub-tabs whose own features
 * come with later issues. Each declares, in its own file, a browse_def:
 * which real data the current API offers for it (the services catalogue,
 * an organisation's offered services, the organisations in scope, an
 * organisation's PCN memberships), a heading, and a plain statement of
 * what is still to come. Enter opens an organisation or a service (its
 * domains, groups and indicators as a tree); Esc goes back. */
#ifndef CQRS_VIEWS_H
#define CQRS_VIEWS_H

#include <stdbool.h>

enum pane_kind {
	PANE_NONE,
	PANE_CATALOGUE,     /* GET /services */
	PANE_ORG_SERVICES,  /* GET /organisations/{code}/services */
	PANE_ORGS,          /* GET /organisations?kind=&q= */
	PANE_ORG_DETAIL,    /* GET /organisations/{code}: memberships */
	PANE_SERVICE,       /* GET /services/{id}: the structure tree */
};

struct browse_root {
	enum pane_kind kind;     /* ORG_SERVICES and ORG_DETAIL: current org */
	const char *org_kind;    /* PANE_ORGS: only this kind, or NULL */
	enum pane_kind open_org; /* what Enter on an organisation opens */
	const char *heading;
};

struct browse_def {
	struct browse_root provider;     /* at a practice or PCN */
	struct browse_root commissioner; /* at an ICB or NHS England (kind 0: as provider) */
	const char *status;      /* offered services: only offers in this status */
	bool taggable;           /* checkboxes with Select All */
	const char *coming;      /* what later issues add, said plainly */
};

#endif
