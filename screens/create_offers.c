/* create_offers.c: Participation Management > Create Offers: step 1 of the five-step offer, choosing
 * a quality service from the catalogue of the financial year.
 * Declared as data for the browse screen (views.c). */
#include "config.h"

#include "screens/screens.h"
#include "screens/views.h"

const struct browse_def create_offers_def = {
	.provider = {PANE_CATALOGUE, NULL, PANE_NONE, "Create an offer, step 1 of 5: the quality services"},
	.commissioner = {0},
	.status = NULL,
	.taggable = false,
	.coming = "Steps 2 to 5 (dates, providers, review, confirm) come with the Participation issue. Enter shows a service's structure.",
};
