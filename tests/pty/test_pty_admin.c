/* test_pty_admin.c: the seed's administration job aids (issue 11) in the
 * real cqrs at 80x24 against a fresh demo cqrsd that e-mails through a
 * listener in this test (smtpsink.h), all by keyboard:
 *   (a) "Adding or removing a CQRS user and assigning a role":
 *       demo.practiceadmin (User Administrator at A81004) adds Jane Smith
 *       with Achievement Entry at A81004 (e-mail twice, Continue, user
 *       information, Add Organisation, roles, Submit, confirmation with
 *       the user ID); a wrong second e-mail is refused whole first;
 *   (b) "Completing your user registration and signing in": the
 *       registration e-mail reaches the listener with its code and the
 *       command; `cqrs register --user jane.smith` opens the Security
 *       Information screen, the rules are marked as the password is typed,
 *       a policy refusal is shown whole, the code sets the password, Jane
 *       signs in; the used code is then refused;
 *   (c) the user details: Finance View added to the link, disable and
 *       enable, the history, the link revoked (removing the user's
 *       roles), unlock demo.locked, resend demo.newuser's registration
 *       e-mail (it arrives), the history;
 *   (d) "Creating / Updating a Service Provider Cluster" and "Removing an
 *       Organisation from a Service Provider Cluster" as demo.admin;
 *   (e) "Restricting user access using a Service Provider Cluster":
 *       demo.admin limits demo.view to a cluster; GET /me shows it;
 *   (f) "How to assign the PCN organisation Role": demo.useradmin (ICB)
 *       links demo.commissioner to the PCN U60172 with Declaration
 *       Management, warned that the PCN has fewer than two such users;
 *   (g) "Adding or removing allocated reports" as demo.admin;
 *   (h) Forgotten password: a reset code by e-mail, used on the Security
 *       Information screen from the sign-in screen (Ctrl-G);
 *   (i) My Account: change password (current, new, confirm). */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/pty/pty.h"
#include "tests/pty/smtpsink.h"

#define WAIT 8000

static struct pty_server srv;
static struct server api; /* the same server, for the http helpers */

static struct pty_term *client(const char *user)
{
	struct pty_opts o = {.rows = 24, .cols = 80};
	return pty_client_as(&o, srv.url, user);
}

static void keys(struct pty_term *t, const char *names)
{
	char *copy = xstrdup(names), *save = NULL;
	for (char *k = strtok_r(copy, " ", &save); k; k = strtok_r(NULL, " ", &save))
		pty_key(t, k);
	free(copy);
}

/* Types text and presses Enter. */
static void type_enter(struct pty_term *t, const char *text)
{
	pty_send(t, text);
	pty_key(t, "Enter");
}

/* The first XXXX-XXXX-XXXX code of a message (caller frees), or NULL. */
static char *code_in(const char *mail)
{
	for (const char *p = mail; p && *p; p++) {
		bool ok = true;
		for (int i = 0; i < 14 && ok; i++) {
			char c = p[i];
			ok = (i == 4 || i == 9) ? c == '-' : (c && isalnum((unsigned char)c));
		}
		if (ok && !isalnum((unsigned char)p[14]) && (p == mail || !isalnum((unsigned char)p[-1])))
			return xstrndup(p, 14);
	}
	return NULL;
}

/* Nothing of the body is cut at the right edge: no row runs into column 80
 * except the frame's own lines. */
static void no_cut(struct pty_term *t, const char *what)
{
	bool ok = true;
	for (int r = 3; r < pty_rows(t) - 2; r++) {
		char *line = pty_row(t, r);
		if ((int)strlen(line) >= pty_cols(t) && line[pty_cols(t) - 1] != ' ')
			ok = false;
		free(line);
	}
	pty_check(t, ok, "%s: nothing runs into the last column", what);
}

/* ------------------------------------------------------------ (a) (b) */

static char *jane_code;

static void add_user(void)
{
	struct pty_term *t = client("demo.practiceadmin");
	keys(t, "6");
	pty_expect(t, "Users you administer (A81004)", WAIT, "Administration > Users opens");
	pty_expect(t, "demo.locked", WAIT, "the users of A81004 are listed");
	pty_check(t, pty_row_has(t, "demo.locked", "Locked") && pty_row_has(t, "demo.newuser", "Awaiting"),
		  "the states are shown in words");
	keys(t, "A");
	pty_expect(t, "Add New User: e-mail address", WAIT, "A opens Add New User");
	type_enter(t, "jane.smith@nhs.net");
	type_enter(t, "jane.smyth@nhs.net");
	pty_expect(t, "Refused:", WAIT, "a different second e-mail is refused");
	pty_expect(t, "confirm", WAIT, "the refusal names the field");
	keys(t, "C-a C-k");
	type_enter(t, "jane.smith@nhs.net");
	pty_expect(t, "Add New User: user information", WAIT, "Continue checks the e-mail");
	type_enter(t, "Dr");
	type_enter(t, "Jane");
	type_enter(t, "Smith");
	type_enter(t, "01632 960999");
	pty_key(t, "Enter");
	pty_expect(t, "Add Organisation: search by ID or name", WAIT, "then Add Organisation");
	type_enter(t, "A81004");
	pty_expect(t, "Add New User: Add Organisation (tick them)", WAIT, "the search is shown");
	pty_move_to(t, "Down", "A81004");
	keys(t, "Space Enter");
	pty_expect(t, "Roles of the new user at A81004", WAIT, "the link editor opens");
	pty_expect(t, "Service Provider Clusters", WAIT, "with the clusters");
	pty_check(t, !pty_find(t, "Commissioning Management", NULL, NULL),
		  "only the roles that fit a practice are offered");
	no_cut(t, "the link editor");
	pty_move_to(t, "Down", "Achievement Entry");
	keys(t, "Space Enter");
	pty_expect(t, "Submit: add Jane Smith", WAIT, "the summary asks Yes/No");
	keys(t, "y");
	pty_expect(t, "User ID: jane.smith", WAIT, "the confirmation shows the new user ID");
	pty_close(&t);

	char *mail = smtpsink_wait("jane.smith@nhs.net", 0, 15000);
	tap_ok(mail != NULL, "the registration e-mail reaches the listener");
	tap_ok(mail && strstr(mail, "cqrs register --user jane.smith"),
	       "it gives the exact command");
	jane_code = mail ? code_in(mail) : NULL;
	tap_ok(jane_code != NULL, "it carries a code (%s)", jane_code ? jane_code : "none");
	free(mail);
}

static void register_jane(void)
{
	struct pty_opts o = {.rows = 24, .cols = 80};
	const char *args[] = {"--server", srv.url, "register", "--user", "jane.smith", NULL};
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_expect(t, "Security Information: choose your password", WAIT,
		   "cqrs register opens the Security Information screen");
	pty_expect(t, "8 to 32 characters", WAIT, "the whole policy is shown");
	pty_expect(t, "previous 8", WAIT, "with the rules only the server checks");
	type_enter(t, jane_code ? jane_code : "none");
	pty_send(t, "smith");
	pty_check(t, pty_wait_text(t, "[ ] 8 to 32", WAIT) && pty_row_has(t, "user ID", "[ ]"),
		  "typing marks the rules not met (length, part of the user ID)");
	keys(t, "C-a C-k");
	pty_send(t, "Blue-Harbour-77");
	pty_check(t, pty_wait_text(t, "[x] 8 to 32", WAIT) && pty_row_has(t, "at least three", "[x]"),
		  "and met once they are");
	pty_key(t, "Enter");
	type_enter(t, "Blue-Harbour-78");
	pty_expect(t, "Refused:", WAIT, "a different confirmation is refused whole");
	keys(t, "C-a C-k");
	type_enter(t, "Blue-Harbour-77");
	pty_expect(t, "Your password is set", WAIT, "the code sets the password");
	pty_expect(t, PTY_SIGNIN_READY, WAIT, "and the sign-in screen follows");
	type_enter(t, "Blue-Harbour-77");
	pty_expect(t, "Signed in as jane.smith", WAIT, "Jane signs in with her new password");
	pty_close(&t);

	t = pty_spawn_cqrs(&o, args);
	pty_expect(t, "Security Information", WAIT, "again");
	type_enter(t, jane_code ? jane_code : "none");
	type_enter(t, "Green-Valley-88");
	type_enter(t, "Green-Valley-88");
	pty_expect(t, "this code has been used", WAIT, "a used code says so");
	pty_close(&t);
}

/* ------------------------------------------------------------ (c) */

static void details(void)
{
	struct pty_term *t = client("demo.practiceadmin");
	keys(t, "6");
	pty_expect(t, "jane.smith", WAIT, "Jane is listed");
	pty_move_to(t, "Down", "jane.smith");
	keys(t, "Enter");
	pty_expect(t, "Jane Smith (jane.smith): Active", WAIT, "her details: registered");
	pty_expect(t, "ACHIEVEMENT_ENTRY", WAIT, "with her link");
	keys(t, "Enter");
	pty_expect(t, "Roles of jane.smith at A81004", WAIT, "Enter opens the link's roles");
	pty_move_to(t, "Down", "Finance View");
	keys(t, "Space S");
	pty_expect(t, "ACHIEVEMENT_ENTRY,FINANCE_VIEW", WAIT, "Finance View is added");
	keys(t, "D");
	pty_expect(t, "Disable jane.smith?", WAIT, "D asks before disabling");
	keys(t, "y");
	pty_expect(t, "(jane.smith): Disabled", WAIT, "she is disabled");
	keys(t, "D y");
	pty_expect(t, "(jane.smith): Active", WAIT, "and enabled again");
	keys(t, "v");
	pty_expect(t, "user.disable", WAIT, "the history shows it");
	keys(t, "Esc");
	pty_wait_gone(t, "History (newest first)", WAIT);
	keys(t, "R");
	pty_expect(t, "Revoke every role of jane.smith at A81004", WAIT, "R asks before revoking");
	keys(t, "y");
	pty_expect(t, "No organisation links: A adds one.", WAIT, "the link is revoked");
	keys(t, "Esc");
	pty_expect(t, "Users you administer", WAIT, "Esc goes back to the list");
	pty_move_to(t, "Down", "demo.locked");
	keys(t, "Enter");
	pty_expect(t, "(demo.locked): Locked", WAIT, "a locked user");
	keys(t, "U y");
	pty_expect(t, "(demo.locked): Active", WAIT, "U unlocks");
	keys(t, "Esc");
	pty_move_to(t, "Down", "demo.newuser");
	keys(t, "Enter");
	pty_expect(t, "Registration code valid until", WAIT, "awaiting registration");
	keys(t, "E y");
	char *mail = smtpsink_wait("ellen.reyes@nhs.net", 0, 15000);
	char *code = mail ? code_in(mail) : NULL;
	tap_ok(code && strstr(mail, "cqrs register --user demo.newuser"),
	       "E resends the registration e-mail with a new code");
	free(code);
	free(mail);
	pty_close(&t);
}

/* ------------------------------------------------------------ (d) (e) */

static void clusters(void)
{
	struct pty_term *t = client("demo.admin");
	keys(t, "6 Tab");
	pty_expect(t, "Tees Valley South", WAIT, "the clusters are listed");
	keys(t, "A");
	pty_expect(t, "Add New Cluster", WAIT, "A opens Add New Cluster");
	type_enter(t, "Stockton West");
	type_enter(t, "West of the town");
	pty_expect(t, "tick its practices", WAIT, "the practices to tick");
	keys(t, "Space Space Enter");
	pty_expect(t, "Create the cluster Stockton West", WAIT, "the summary asks Yes/No");
	keys(t, "y");
	pty_expect(t, "has been created with 2 practices", WAIT, "the confirmation");
	pty_move_to(t, "Down", "Stockton West");
	keys(t, "Enter");
	pty_expect(t, "Cluster Stockton West: 2 practices", WAIT, "Enter opens it");
	keys(t, "A");
	pty_expect(t, "Add practices to Stockton West", WAIT, "A lists practices to add");
	keys(t, "Space Enter");
	pty_expect(t, "(to be added)", WAIT, "the practice is marked");
	keys(t, "S");
	pty_expect(t, "cluster was updated successfully", WAIT, "Submit adds it");
	pty_expect(t, "Cluster Stockton West: 3 practices", WAIT, "three practices now");
	keys(t, "Home R");
	pty_expect(t, "(to be removed)", WAIT, "Remove Organisation marks one");
	keys(t, "S");
	pty_expect(t, "Cluster Stockton West: 2 practices", WAIT,
		   "Submit removes it: cluster was updated successfully");
	pty_close(&t);
}

static void restrict_user(void)
{
	struct pty_term *t = client("demo.admin");
	keys(t, "6");
	pty_expect(t, "demo.practice ", WAIT, "demo.admin lists the practices' users");
	pty_move_to(t, "Down", "demo.view");
	keys(t, "Enter");
	pty_expect(t, "(demo.view): Active", WAIT, "demo.view's details");
	keys(t, "Enter");
	pty_expect(t, "Service Provider Clusters (limit", WAIT, "with the practice's clusters");
	pty_move_to(t, "Down", "Tees Valley South");
	keys(t, "Space S");
	pty_expect(t, "clusters: Tees Valley South", WAIT, "the user is limited to the cluster");
	pty_close(&t);
	long st = 0;
	char *tok = sign_in(&api, "demo.view", PTY_DEMO_PASSWORD, &st);
	struct http_resp r;
	http_get(&api, "/api/v1/me", tok, &r);
	json_t *cl = json_array_get(json_object_get(r.json, "clusters"), 0);
	tap_ok(cl && strcmp(jstr(cl, "name"), "Tees Valley South") == 0,
	       "GET /me of demo.view now names the cluster");
	http_resp_free(&r);
	free(tok);
}

/* ------------------------------------------------------------ (f) */

static void pcn_role(void)
{
	struct pty_term *t = client("demo.useradmin");
	keys(t, "6");
	pty_expect(t, "demo.commissioner", WAIT, "the ICB's users");
	pty_move_to(t, "Down", "demo.commissioner");
	keys(t, "Enter");
	pty_expect(t, "(demo.commissioner):", WAIT, "its details");
	keys(t, "A");
	pty_expect(t, "Add Organisation: search by ID or name", WAIT, "A adds an organisation");
	type_enter(t, "U60172");
	pty_move_to(t, "Down", "U60172");
	keys(t, "Enter");
	pty_expect(t, "Declaration Management: it needs at least two", WAIT,
		   "the PCN warning: fewer than two declarers");
	pty_check(t, !pty_find(t, "PCN Management", NULL, NULL),
		  "only Declaration Management is offered (the PCN organisation role)");
	pty_move_to(t, "Down", "[ ] Declaration Management");
	keys(t, "Space S");
	pty_expect(t, "DECLARATION_MANAGEMENT", WAIT, "the PCN link is made");
	pty_close(&t);
}

/* ------------------------------------------------------------ (g) */

static void allocations(void)
{
	struct pty_term *t = client("demo.admin");
	keys(t, "6 Tab Tab");
	pty_expect(t, "Allocated Reports: organisations under 00K", WAIT, "the descendants");
	keys(t, "/");
	pty_send(t, "A81030");
	keys(t, "Enter Enter");
	pty_expect(t, "Allocated reports of A81030", WAIT, "Enter opens one");
	pty_expect(t, "Financial year:", WAIT, "with its filters");
	keys(t, "Space S");
	pty_expect(t, "allocations have been saved", WAIT, "a ticked service is allocated");
	pty_expect(t, "(1 ticked)", WAIT, "one is allocated");
	keys(t, "Home Space S");
	pty_expect(t, "(0 ticked)", WAIT, "unticking removes it");
	pty_close(&t);
}

/* ------------------------------------------------------------ (h) (i) */

static void forgotten(void)
{
	struct pty_opts o = {.rows = 24, .cols = 80};
	const char *args[] = {"--server", srv.url, NULL};
	struct pty_term *t = pty_spawn_cqrs(&o, args);
	pty_expect(t, "F7 or Ctrl-F: Forgotten password", WAIT, "the sign-in screen shows the keys");
	pty_send(t, "jane.smith");
	keys(t, "C-f");
	pty_expect(t, "Forgotten password: a reset code by e-mail", WAIT, "Ctrl-F asks who");
	pty_key(t, "Enter");
	pty_expect(t, "a reset code is on its way", WAIT, "the same answer for anyone");
	/* the second e-mail to Jane: the first was her registration */
	char *mail = smtpsink_wait("jane.smith@nhs.net", 1, 15000);
	char *code = mail ? code_in(mail) : NULL;
	free(mail);
	tap_ok(code != NULL, "a reset code arrives by e-mail");
	keys(t, "C-g");
	pty_expect(t, "Security Information", WAIT, "Ctrl-G: Register with a code");
	type_enter(t, code ? code : "none");
	type_enter(t, "Quiet-River-51");
	type_enter(t, "Quiet-River-51");
	pty_expect(t, "Your password is set", WAIT, "the reset code sets a new password");
	type_enter(t, "Quiet-River-51");
	pty_expect(t, "Signed in; no organisation is linked to you", WAIT,
		   "and Jane signs in with it (her link was revoked in (c): the frame says so)");
	free(code);
	pty_close(&t);
}

static void change_password(void)
{
	struct pty_term *t = client("demo.finance");
	keys(t, "1 Tab");
	pty_expect(t, "My Account   (F6 or P: change your password)", WAIT, "Home > My Account");
	keys(t, "P");
	pty_expect(t, "My Account: change your password", WAIT, "P opens the change of password");
	type_enter(t, PTY_DEMO_PASSWORD);
	type_enter(t, "Amber-Lantern-42");
	type_enter(t, "Amber-Lantern-42");
	pty_expect(t, "Your password has been changed", WAIT, "the password is changed");
	pty_close(&t);
	long st = 0;
	char *tok = sign_in(&api, "demo.finance", "Amber-Lantern-42", &st);
	tap_ok(tok != NULL, "demo.finance signs in with the new password");
	free(tok);
}

int main(void)
{
	pty_init(400);
	int port = smtpsink_start();
	if (port < 0)
		pty_bail("cannot start the SMTP listener");
	char url[64];
	snprintf(url, sizeof(url), "smtp://127.0.0.1:%d", port);
	const char *const extra[] = {"--smtp-url", url, "--mail-from", "cqrs@test.nhs.uk", NULL};
	if (!pty_server_start(&srv, 0, extra))
		pty_bail("cannot start cqrsd");
	memset(&api, 0, sizeof(api));
	api.port = srv.port;
	snprintf(api.base, sizeof(api.base), "%s", srv.url);
	add_user();
	register_jane();
	details();
	clusters();
	restrict_user();
	pcn_role();
	allocations();
	forgotten();
	change_password();
	free(jane_code);
	pty_server_free(&srv);
	return pty_finish();
}
