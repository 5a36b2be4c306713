/* test_pty_participation.c: Participation Management end to end in the
 * real cqrs, by keyboard, against a fresh demo cqrsd, following the six
 * job aids: the practice (demo.practice, under NO_COLOR) opens a new offer
 * from its Home task, views it with its domains expanding, goes back to
 * the list, accepts one offer and rejects another, and sees them under
 * Approved and Rejected ("Viewing, accepting and rejecting", "Viewing the
 * status"); the commissioner (demo.commissioner) opens the task the
 * rejection left, cancels that offer, offers a service to two practices in
 * five steps (a date outside the service refused, Esc aborting the
 * confirmation), withdraws one of the new offers and finds it under
 * Cancelled ("Offering", "Viewing by status", "Cancelling",
 * "Withdrawing"); a network service shows each PCN's member practices,
 * which cannot be deselected, and the PCNs that already hold it marked
 * and left out; the
 * cluster commissioner (demo.cluster) is offered only its cluster's
 * practices; demo.view sees offers read-only. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"

#define WAIT 6000

static struct pty_server srv;

static struct pty_term *signed_in(const char *user, bool no_color)
{
	struct pty_opts o = { 0 };
	o.no_color = no_color;
	const char *args[] = { "--server", srv.url, NULL };
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	if (!t)
		pty_bail("cannot run cqrs");
	tap_ok(pty_sign_in(t, user, PTY_DEMO_PASSWORD, 15000), "%s signs in", user);
	pty_wait_text(t, "Message Centre: your tasks", WAIT);
	pty_settle(t, 100, 3000);
	return t;
}

/* Searches the list for text (/ text Enter): the cursor goes to it. */
static void find_row(struct pty_term *t, const char *text)
{
	pty_key(t, "/");
	pty_send(t, text);
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
}

/* The screen row holding text, or -1. */
static int row_of(struct pty_term *t, const char *text)
{
	int r = -1;
	return pty_find(t, text, &r, NULL) ? r : -1;
}

/* True when the row holding text also holds what. */
static bool row_has(struct pty_term *t, const char *text, const char *what)
{
	int r = row_of(t, text);
	if (r < 0)
		return false;
	char *line = pty_row(t, r);
	bool ok = strstr(line, what) != NULL;
	free(line);
	return ok;
}

/* Chooses an entry of the Filter drop-down (0 Status, 1 Financial year),
 * then moves in the second drop-down by keys and chooses. */
static void filter(struct pty_term *t, int which, const char *const *keys)
{
	pty_key(t, "f");
	pty_wait_text(t, "Filter", 3000);
	if (which)
		pty_key(t, "Down");
	pty_key(t, "Enter");
	pty_settle(t, 60, 1000);
	for (size_t i = 0; keys && keys[i]; i++)
		pty_key(t, keys[i]);
	pty_key(t, "Enter");
	pty_settle(t, 100, 3000);
}

static void practice(void)
{
	struct pty_term *t = signed_in("demo.practice", true);
	/* Viewing the status: the current year's Offered services by default */
	pty_key(t, "2");
	pty_expect(t, "Financial year: 2024/25   Status: Offered", WAIT,
		   "My Services: the year with work on the business date (2024/25), Offered");
	pty_check(t, pty_wait_text(t, "Learning Disability Health Check ES 2024/25", WAIT),
		  "... showing the offers to review, not an empty year");

	/* Viewing, accepting and rejecting: the offer is a task on Home */
	pty_key(t, "1");
	pty_expect(t, "New offer: Learning Disability Health Check ES 2024/25", WAIT,
		   "Home: the new offer is a task in the Message Centre");
	find_row(t, "Learning");
	pty_key(t, "Enter");
	pty_expect(t, "Offer: ES — Monthly — Learning Disability Health Check ES 2024/25", WAIT,
		   "Enter on the task opens the offer");
	pty_check(t, pty_wait_text(t, "Payment period Monthly", 2000) &&
		  pty_find(t, "Manual entry", NULL, NULL) &&
		  pty_find(t, "Service dates 01/04/2024 to 31/03/2025", NULL, NULL) &&
		  pty_find(t, "Status: Offered", NULL, NULL),
		  "the offer shows its dates, payment period, collection frequency and entry");
	pty_check(t, row_has(t, "Enhanced Service", "+") &&
		  !pty_find(t, "LDHC  Learning disability health checks", NULL, NULL),
		  "its domain is collapsed (+)");
	find_row(t, "Enhanced");
	pty_key(t, "Enter");
	pty_expect(t, "LDHC  Learning disability health checks", 3000,
		   "Enter expands the domain into its groups");
	pty_key(t, "-");
	pty_check(t, pty_wait_gone(t, "LDHC  Learning disability health checks", 3000),
		  "- collapses it again");
	pty_check(t, pty_find(t, "new -> Offered  by Gareth Lewis", NULL, NULL),
		  "the offer's history says who offered it");
	pty_check(t, pty_find_in_row(t, PTY_FBAR_ROW(t), "F6 Accept", NULL) &&
		  pty_find_in_row(t, PTY_FBAR_ROW(t), "F8 Reject", NULL),
		  "the function bar offers Accept and Reject");
	pty_key(t, "Esc");
	pty_expect(t, "Financial year: 2024/25   Status: Offered", WAIT,
		   "Esc goes back to the list, in the offer's year and status");
	pty_check(t, pty_wait_text(t, "Veteran Friendly Practice Accreditation 2024/25", 3000) &&
		  pty_find(t, "Learning Disability Health Check ES 2024/25", NULL, NULL),
		  "both open offers are listed");

	/* tick one and accept it */
	find_row(t, "Learning");
	pty_key(t, "Space");
	pty_settle(t, 60, 1000);
	pty_check(t, row_has(t, "Learning Disability", "[x]") &&
		  row_has(t, "Veteran Friendly", "> [ ]") && !pty_any_colour(t),
		  "NO_COLOR: the tick is [x], the cursor >, and no colour is used");
	pty_key(t, "A");
	pty_expect(t, "Accept Service: Learning Disability Health Check ES 2024/25?", 3000,
		   "A asks for a confirmation");
	pty_key(t, "n");
	pty_expect(t, "Nothing was accepted", 3000, "n answers no: nothing is accepted");
	pty_key(t, "A");
	pty_wait_text(t, "Accept Service:", 3000);
	pty_key(t, "y");
	pty_expect(t, "Done: A81001 Learning Disability Health Check ES 2024/25: accepted", WAIT,
		   "accepting reports the result row by row");
	pty_settle(t, 100, 2000);
	/* reject the other with F8 */
	pty_wait_text(t, "Veteran Friendly", 3000);
	pty_key(t, "F8");
	pty_expect(t, "Reject Service: Veteran Friendly Practice Accreditation 2024/25?", 3000,
		   "F8 rejects the offer under the cursor after a confirmation");
	pty_key(t, "y");
	pty_expect(t, "Done: A81001 Veteran Friendly Practice Accreditation 2024/25: rejected",
		   WAIT, "rejecting reports the result");
	pty_expect(t, "There are no Offered services for 2024/25", WAIT,
		   "no offer is left in the Offered status");

	static const char *const down1[] = { "Down", NULL };
	filter(t, 0, down1);
	pty_check(t, pty_wait_text(t, "Status: Approved", WAIT) &&
		  pty_wait_text(t, "Learning Disability Health Check ES 2024/25", WAIT) &&
		  row_has(t, "Learning Disability", "Approved"),
		  "Status filter Approved: the accepted service");
	filter(t, 0, down1);
	pty_check(t, pty_wait_text(t, "Status: Rejected", WAIT) &&
		  pty_wait_text(t, "Veteran Friendly", WAIT) &&
		  row_has(t, "Veteran Friendly", "Rejected") &&
		  pty_find(t, "PO  Veteran Friendly", NULL, NULL),
		  "Status filter Rejected: the rejected participation-only service");
	pty_close(&t);
}

static void commissioner(void)
{
	struct pty_term *t = signed_in("demo.commissioner", false);
	/* the task the rejection left */
	pty_expect(t, "Offer rejected by A81001 The Densham Surgery: Veteran",
		   WAIT, "Home: the practice's rejection left a task for the commissioner");
	find_row(t, "Veteran");
	pty_key(t, "Enter");
	pty_expect(t, "Offered -> Rejected  by Priya Shah (demo.practice)", WAIT,
		   "Enter on it opens the offer, its history showing who rejected it");
	pty_key(t, "Esc");
	pty_check(t, pty_wait_text(t, "Status: Rejected", WAIT) &&
		  pty_wait_text(t, "A81001 The Densham Surgery", WAIT) &&
		  pty_find(t, "Offered Services: Veteran Friendly Practice Accreditation", NULL, NULL),
		  "Esc: the service's providers in the Rejected status");
	/* Cancelling */
	find_row(t, "A81001");
	pty_key(t, "Space");
	pty_check(t, pty_wait_text(t, "F8 Cancel", 2000), "the function bar offers Cancel");
	pty_key(t, "C");
	pty_expect(t, "Cancel Service for A81001 The Densham Surgery?", 3000,
		   "Cancel Service asks for a confirmation");
	pty_key(t, "y");
	pty_expect(t, "Done: A81001 The Densham Surgery: cancelled", WAIT,
		   "the cancellation is reported row by row");
	static const char *const down1[] = { "Down", NULL };
	filter(t, 0, down1);
	pty_check(t, pty_wait_text(t, "Status: Cancelled", WAIT) &&
		  pty_wait_text(t, "A81001 The Densham Surgery", WAIT),
		  "Status Cancelled lists the cancelled offer");
	static const char *const up2[] = { "Up", "Up", NULL };
	filter(t, 0, up2);
	pty_check(t, pty_wait_text(t, "Status: Approved", WAIT) &&
		  pty_wait_text(t, "A81004 Riverbank Health Centre", WAIT),
		  "Status Approved lists the provider that accepted");

	/* Offering, step 1: the service by year and payment type */
	pty_key(t, "]");
	pty_expect(t, "Create Offers, step 1 of 5", WAIT, "Create Offers opens at step 1");
	pty_wait_text(t, "Financial year: 2025/26", WAIT);
	static const char *const down1b[] = { "Down", NULL };
	filter(t, 0, down1b);
	static const char *const es[] = { "Down", "Down", "Down", NULL };
	filter(t, 1, es);
	pty_check(t, pty_wait_text(t, "Financial year: 2024/25   Payment type: ES", WAIT) &&
		  pty_find(t, "Minor Surgery ES 2024/25", NULL, NULL) &&
		  !pty_find(t, "Quality and Outcomes", NULL, NULL),
		  "the year and payment type filters narrow the services");
	find_row(t, "Minor");
	pty_key(t, "Enter");
	pty_expect(t, "step 2 of 5: Define the details", WAIT, "Enter chooses it: step 2");
	/* step 2: a response date outside the service is refused */
	pty_key(t, "Tab");
	pty_key(t, "Tab");
	pty_send(t, "15/05/2025");
	pty_key(t, "Enter");
	pty_expect(t, "! must be within 01/04/2024 to 31/03/2025", 3000,
		   "a date outside the service's dates is refused beside the field");
	pty_key(t, "C-a");
	pty_key(t, "C-k");
	pty_send(t, "31/03/2025");
	pty_key(t, "Enter");
	pty_expect(t, "step 3 of 5: Choose the service providers", WAIT,
		   "with the date corrected, Enter goes on to step 3");
	pty_check(t, pty_wait_text(t, "Norton Green Surgery", WAIT) &&
		  pty_find(t, "Hartburn Lodge Practice", NULL, NULL),
		  "the practices in the commissioner's scope are listed");
	find_row(t, "Norton");
	pty_key(t, "Space");
	find_row(t, "Harbour");
	pty_key(t, "Space");
	pty_expect(t, "2 ticked", 3000, "search by name and Space tick two practices");
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, "step 4 of 5: Review", WAIT) &&
		  pty_wait_text(t, "Service providers (2):", 2000) &&
		  pty_find(t, "A81011 Harbour View Medical Practice", NULL, NULL) &&
		  pty_find(t, "response date 31/03/2025", NULL, NULL),
		  "step 4 reviews the service, dates and providers");
	pty_key(t, "Enter");
	pty_expect(t, "Offer Minor Surgery ES 2024/25 to 2 service providers?", 3000,
		   "step 5 asks for a confirmation");
	pty_key(t, "Esc");
	pty_expect(t, "Nothing was offered", 3000, "Esc aborts the confirmation");
	pty_key(t, "Enter");
	pty_wait_text(t, "Offer Minor Surgery", 3000);
	pty_key(t, "y");
	pty_check(t, pty_wait_text(t, "Offered: A81007 Norton Green Surgery: Offered", WAIT) &&
		  pty_find(t, "Offered: A81011 Harbour View Medical Practice: Offered", NULL, NULL),
		  "Yes: the offers made are listed row by row");

	/* Withdrawing: back to Offered Services, the new offers are Offered */
	pty_key(t, "[");
	pty_wait_text(t, "Offered Services", WAIT);
	pty_key(t, "Esc");
	pty_key(t, "Esc");
	pty_key(t, "r");
	pty_expect(t, "Enter shows a service's providers in a status", WAIT,
		   "Esc goes back to the services offered in the year");
	pty_wait_text(t, "Minor Surgery ES 2024/25", WAIT);
	pty_check(t, row_has(t, "Minor Surgery", "        2        3"),
		  "the service counts 2 Offered and 3 Approved");
	find_row(t, "Minor");
	pty_key(t, "Enter");
	static const char *const first[] = { "Home", NULL };
	filter(t, 0, first);
	pty_check(t, pty_wait_text(t, "Status: Offered", WAIT) &&
		  pty_wait_text(t, "A81011 Harbour View", WAIT) &&
		  pty_find(t, "A81007 Norton Green", NULL, NULL),
		  "Status Offered lists the two new offers");
	find_row(t, "A81011");
	pty_key(t, "Space");
	pty_key(t, "W");
	pty_expect(t, "Withdraw Service for A81011 Harbour View Medical Practice?", 3000,
		   "W asks to confirm the withdrawal");
	pty_key(t, "y");
	pty_expect(t, "Done: A81011 Harbour View Medical Practice: withdrawn", WAIT,
		   "the withdrawal is reported");
	pty_check(t, pty_wait_gone(t, "> [ ] A81011", 3000), "it leaves the Offered list");
	static const char *const last[] = { "End", NULL };
	filter(t, 0, last);
	pty_check(t, pty_wait_text(t, "Status: Cancelled", WAIT) &&
		  pty_wait_text(t, "A81011 Harbour View", WAIT),
		  "a withdrawn offer appears under Cancelled");
	pty_key(t, "C");
	pty_expect(t, "Tick the service providers first", 3000,
		   "Cancel with nothing ticked asks for ticks");

	/* a network service: the PCNs with their members, which come along */
	pty_key(t, "]");
	pty_wait_text(t, "Create Offers", WAIT);
	pty_key(t, "Enter");
	pty_expect(t, "step 1 of 5", WAIT, "after the result, Enter starts a new offer");
	static const char *const up1[] = { "Up", NULL };
	filter(t, 0, up1);
	static const char *const all[] = { "Home", NULL };
	filter(t, 1, all);
	find_row(t, "Network");
	pty_key(t, "Enter");
	pty_wait_text(t, "step 2 of 5", WAIT);
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, "member A81001 The Densham Surgery (comes with U60172)",
				   WAIT) && pty_find(t, "U60381", NULL, NULL),
		  "a network service lists the PCNs with their member practices");
	pty_check(t, row_has(t, "U60172", "already Approved") &&
		  row_has(t, "U60381", "already Approved"),
		  "both PCNs already hold the network service: marked already Approved");
	find_row(t, "U60172");
	pty_key(t, "Space");
	pty_check(t, pty_wait_text(t, "U60172 already holds", 3000) &&
		  pty_find(t, "0 ticked", NULL, NULL) && !row_has(t, "U60172", "[x]"),
		  "a PCN that holds the offer cannot be ticked, and the message says why");
	find_row(t, "Densham");
	pty_key(t, "Space");
	pty_expect(t, "A81001 comes with its PCN U60172 and cannot be deselected", 3000,
		   "a member practice cannot be ticked on its own");
	pty_key(t, "a");
	pty_settle(t, 60, 1000);
	pty_check(t, pty_find(t, "0 ticked", NULL, NULL),
		  "Select All skips the PCNs that hold the offer");
	pty_key(t, "Enter");
	pty_expect(t, "Tick at least one service provider", 3000,
		   "nothing to offer: step 3 asks for a tick, nothing is sent");
	pty_close(&t);
}

static void cluster(void)
{
	struct pty_term *t = signed_in("demo.cluster", false);
	pty_key(t, "2");
	pty_wait_text(t, "Offered Services", WAIT);
	pty_key(t, "]");
	pty_expect(t, "Create Offers, step 1 of 5", WAIT, "demo.cluster: Create Offers");
	static const char *const down1[] = { "Down", NULL };
	filter(t, 0, down1);
	find_row(t, "Minor");
	pty_key(t, "Enter");
	pty_wait_text(t, "step 2 of 5", WAIT);
	pty_key(t, "Enter");
	pty_check(t, pty_wait_text(t, "A81019 ", WAIT) && pty_find(t, "A81004 ", NULL, NULL) &&
		  !pty_find(t, "Norton Green", NULL, NULL) && !pty_find(t, "A81030", NULL, NULL),
		  "demo.cluster is offered only the practices of its cluster");
	int held = 0;
	for (int r = 0; r < pty_rows(t); r++) {
		char *line = pty_row(t, r);
		held += strstr(line, " already ") != NULL;
		free(line);
	}
	char want[32];
	snprintf(want, sizeof want, "%d ticked", 4 - held);
	pty_key(t, "a");
	pty_expect(t, want, 3000, "Select All ticks the cluster's four practices but the %d "
		   "that already hold the offer", held);
	pty_close(&t);
}

static void viewer(void)
{
	struct pty_term *t = signed_in("demo.view", false);
	pty_key(t, "2");
	pty_wait_text(t, "My Services", WAIT);
	/* 2024/25, the year with work, is where it opens */
	static const char *const approved[] = { "Down", NULL };
	filter(t, 0, approved);
	pty_check(t, pty_wait_text(t, "Learning Disability Health Check ES 2024/25", WAIT) &&
		  pty_find(t, "Read-only", NULL, NULL) &&
		  !pty_find_in_row(t, PTY_FBAR_ROW(t), "Accept", NULL),
		  "demo.view sees the offers read-only: no Accept in the function bar");
	pty_key(t, "A");
	pty_expect(t, "Read-only: Accept Service needs the Service Management role", 3000,
		   "A says why it is not possible");
	pty_close(&t);
}

int main(void)
{
	pty_init(110);
	if (!pty_server_start(&srv, 0, NULL))
		pty_bail("cannot start cqrsd");
	practice();
	commissioner();
	cluster();
	viewer();
	pty_server_free(&srv);
	return pty_finish();
}
