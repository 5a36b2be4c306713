/* admin_clusters.c: Administration > Provider Clusters: the practices a Service Provider Cluster
 * is made of, with checkboxes, Select All and search.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def admin_clusters_def = {
	.provider = {PANE_ORGS, "PRACTICE", PANE_ORG_DETAIL, "Practices for a Provider Cluster (Space ticks, a = All)"},
	.commissioner = {0},
	.status = NULL,
	.taggable = true,
	.coming = "Naming and saving a cluster, and Remove Organisation, come with the Administration issue.",
};
