/* test_access.c: the access matrix, generated from the route table.
 *
 * The test reads server/http/routes.c (from $CQRS_TEST_SRCDIR/..) and
 * takes every {"METHOD", "/api/v1/...", handler, auth} line of its table.
 * Each route must have exactly one row in `rows` below (a route without a
 * row, or a row without a route, fails the suite: adding an endpoint means
 * adding its row here). Each row is one harmless request and the status
 * expected for each identity, in this order:
 *
 *   anon     no Authorization header
 *   revoked  a token of demo.practice that was signed out (DELETE /session)
 *   then the demo users: demo.practice, demo.view, demo.pcn,
 *   demo.commissioner, demo.approver, demo.finance, demo.cluster,
 *   demo.admin, extract.loader and demo.other (the other ICB's practice).
 *
 * Harmless requests, so that the cells do not depend on each other or on
 * the order they run in:
 * - reads use the demo's own objects, looked up at run time (A81001 is
 *   demo.practice's practice, the QOF and Network Contract DES 2024/25,
 *   A81001's first offer, achievement, group and declaration), so a
 *   user out of scope is told 403 or 404 and one in scope 200;
 * - writes send a body that passes the role and scope checks but fails
 *   validation afterwards (a date in 1999, an unknown action, an empty
 *   extract, a notification kind that does not exist), so a user who may
 *   write gets 400 (or 404/409 for an object that does not exist or is
 *   not in a state to change) and one who may not gets 403; nothing is
 *   ever stored;
 * - DELETE /session signs out a token made for that cell only.
 *
 * A mismatch prints the route, the user, the expected and the actual
 * status and the answer's error code. CQRS_ACCESS_PRINT=1 prints the
 * table as observed, in the syntax of `rows`, to review and paste when a
 * route is added. Speaks TAP, one case per route; limited to 240 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"

enum { NID = 12 };

static const char *const idents[NID] = {
	"anon", "revoked", "demo.practice", "demo.view", "demo.pcn", "demo.commissioner",
	"demo.approver", "demo.finance", "demo.cluster", "demo.admin", "extract.loader",
	"demo.other",
};

/* One route: its table entry, the request to make ({svc}, {ncd}, {offer},
 * {ach}, {group}, {decl} are replaced by the demo's ids) and the expected
 * status for each identity (in the order of idents). */
struct row {
	const char *method, *pattern; /* as in routes.c */
	const char *path, *body;
	int want[NID];
};

/* clang-format off */
static const struct row rows[] = {
	/*                                                 anon rev  prac view pcn  comm appr fin  clus adm  load oth */
	{"GET", "/api/v1/health", "/api/v1/health", NULL,
		{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/session", "/api/v1/session", "{}",
		{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"DELETE", "/api/v1/session", "/api/v1/session", NULL,
		{401, 401, 204, 204, 204, 204, 204, 204, 204, 204, 204, 204}},
	{"GET", "/api/v1/me", "/api/v1/me", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/api/v1/me/notifications", "/api/v1/me/notifications", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"PUT", "/api/v1/me/notifications", "/api/v1/me/notifications", "{\"NO_SUCH_KIND\": true}",
		{401, 401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/api/v1/tasks", "/api/v1/tasks", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/tasks/{}/done", "/api/v1/tasks/999999999/done", NULL,
		{401, 401, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404}},
	{"GET", "/api/v1/organisations", "/api/v1/organisations?q=A81", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/api/v1/organisations/{}", "/api/v1/organisations/A81001", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/organisations/{}/services", "/api/v1/organisations/A81001/services?year=2024/25", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/services", "/api/v1/services?year=2024/25", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/api/v1/services/{}", "/api/v1/services/{svc}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"GET", "/api/v1/offers", "/api/v1/offers?year=2024/25", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/offers", "/api/v1/offers",
		"{\"service_id\": {svc}, \"start_date\": \"1999-04-01\", \"end_date\": \"1999-03-31\", "
		"\"organisations\": [\"A81001\"]}",
		{401, 401, 403, 403, 403, 400, 403, 403, 400, 403, 403, 403}},
	{"POST", "/api/v1/offers/actions", "/api/v1/offers/actions",
		"{\"action\": \"no_such_action\", \"offers\": [{offer}]}",
		{401, 401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/api/v1/offers/{}", "/api/v1/offers/{offer}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/achievements", "/api/v1/achievements?organisation=A81001&service={svc}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"POST", "/api/v1/achievements", "/api/v1/achievements",
		"{\"organisation\": \"A81001\", \"service_id\": {svc}, \"date\": \"1999-03-31\"}",
		{401, 401, 400, 403, 403, 400, 403, 403, 400, 403, 403, 404}},
	{"GET", "/api/v1/achievements/{}", "/api/v1/achievements/{ach}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/achievements/{}/groups/{}", "/api/v1/achievements/{ach}/groups/{group}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"PUT", "/api/v1/achievements/{}/groups/{}", "/api/v1/achievements/{ach}/groups/{group}",
		"{\"mode\": \"wip\", \"version\": 0, \"values\": []}",
		{401, 401, 403, 403, 403, 400, 403, 403, 400, 403, 403, 404}},
	{"GET", "/api/v1/achievements/{}/submissions", "/api/v1/achievements/{ach}/submissions", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/achievements/{}/results", "/api/v1/achievements/{ach}/results", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/missing", "/api/v1/missing?organisation=A81001", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/network", "/api/v1/network?organisation=A81001&service={ncd}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"GET", "/api/v1/network/stuck", "/api/v1/network/stuck?year=2024/25", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/network/aggregate", "/api/v1/network/aggregate",
		"{\"pcn\": \"U60172\", \"service_id\": {ncd}, \"date\": \"1999-03-31\"}",
		{401, 401, 404, 404, 403, 400, 403, 403, 404, 400, 403, 404}},
	{"POST", "/api/v1/memberships", "/api/v1/memberships",
		"{\"pcn\": \"U60172\", \"practice\": \"A81001\", \"start_date\": \"not a date\"}",
		{401, 401, 404, 404, 403, 400, 403, 403, 404, 400, 403, 404}},
	{"PUT", "/api/v1/memberships/{}", "/api/v1/memberships/{membership}",
		"{\"end_date\": \"not a date\"}",
		{401, 401, 403, 403, 403, 400, 403, 403, 403, 400, 403, 404}},
	{"POST", "/api/v1/extracts", "/api/v1/extracts?name=access.csv", "not an extract\n",
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 403, 400, 403}},
	{"GET", "/api/v1/declarations", "/api/v1/declarations?year=2024/25", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/declarations/actions", "/api/v1/declarations/actions",
		"{\"action\": \"no_such_action\", \"declarations\": [{decl}]}",
		{401, 401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"GET", "/api/v1/declarations/{}", "/api/v1/declarations/{decl}", NULL,
		{401, 401, 200, 200, 200, 200, 200, 200, 200, 200, 200, 404}},
	{"POST", "/api/v1/declarations/{}/declare", "/api/v1/declarations/{decl}/declare",
		"{\"version\": 0, \"ticked\": [], \"notes\": \"access matrix\"}",
		{401, 401, 400, 403, 403, 403, 403, 403, 403, 403, 403, 404}},
	/* administration (issue 11): user 2 is demo.view, of A81001 */
	{"GET", "/api/v1/admin/users", "/api/v1/admin/users", NULL,
		{401, 401, 200, 403, 403, 403, 403, 403, 403, 200, 403, 200}},
	{"POST", "/api/v1/admin/users", "/api/v1/admin/users", "{}",
		{401, 401, 400, 403, 403, 403, 403, 403, 403, 400, 403, 400}},
	{"GET", "/api/v1/admin/email-check", "/api/v1/admin/email-check?email=a@nhs.net&confirm=b@nhs.net", NULL,
		{401, 401, 400, 403, 403, 403, 403, 403, 403, 400, 403, 400}},
	{"GET", "/api/v1/admin/roles", "/api/v1/admin/roles?organisation=A81001", NULL,
		{401, 401, 200, 403, 403, 403, 403, 403, 403, 200, 403, 404}},
	{"GET", "/api/v1/admin/users/{}", "/api/v1/admin/users/2", NULL,
		{401, 401, 200, 403, 403, 403, 403, 403, 403, 200, 403, 404}},
	{"PUT", "/api/v1/admin/users/{}", "/api/v1/admin/users/2", "{}",
		{401, 401, 400, 403, 403, 403, 403, 403, 403, 400, 403, 404}},
	{"PUT", "/api/v1/admin/users/{}/organisations/{}", "/api/v1/admin/users/2/organisations/A81001",
		"{\"roles\": []}",
		{401, 401, 400, 403, 403, 403, 403, 403, 403, 400, 403, 404}},
	{"DELETE", "/api/v1/admin/users/{}/organisations/{}", "/api/v1/admin/users/999999999/organisations/A81001", NULL,
		{401, 401, 404, 403, 403, 403, 403, 403, 403, 404, 403, 404}},
	{"POST", "/api/v1/admin/users/{}/actions", "/api/v1/admin/users/2/actions",
		"{\"action\": \"no_such_action\"}",
		{401, 401, 400, 403, 403, 403, 403, 403, 403, 400, 403, 400}},
	{"GET", "/api/v1/password-policy", "/api/v1/password-policy", NULL,
		{200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200}},
	{"POST", "/api/v1/registration", "/api/v1/registration", "{}",
		{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"POST", "/api/v1/password-reset", "/api/v1/password-reset", "{}",
		{400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	{"PUT", "/api/v1/me/password", "/api/v1/me/password", "{}",
		{401, 401, 400, 400, 400, 400, 400, 400, 400, 400, 400, 400}},
	/* clusters and allocated reports: cluster 1 is 00K's Tees Valley South */
	{"GET", "/api/v1/clusters", "/api/v1/clusters?organisation=00K", NULL,
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403}},
	{"POST", "/api/v1/clusters", "/api/v1/clusters",
		"{\"organisation\": \"00K\", \"name\": \"\", \"practices\": [\"A81001\"]}",
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403}},
	{"GET", "/api/v1/clusters/{}", "/api/v1/clusters/1", NULL,
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403}},
	{"PUT", "/api/v1/clusters/{}", "/api/v1/clusters/1", "{}",
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403}},
	{"GET", "/api/v1/allocations", "/api/v1/allocations?organisation=00K", NULL,
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403}},
	{"GET", "/api/v1/allocations/{}", "/api/v1/allocations/U60172?year=2024/25", NULL,
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 200, 403, 403}},
	{"PUT", "/api/v1/allocations/{}", "/api/v1/allocations/U60172", "{}",
		{401, 401, 403, 403, 403, 403, 403, 403, 403, 400, 403, 403}},
};
/* clang-format on */

/* ------------------------------------------------------------ the route table */

struct route {
	char method[16];
	char pattern[160];
	bool auth;
};

/* Reads the table of routes.c: every line that starts with
 * {"METHOD", "/api/... and its auth flag. */
static size_t read_routes(const char *file, struct route *out, size_t max)
{
	FILE *f = fopen(file, "r");
	if (!f)
		tap_bail("cannot read the route table %s", file);
	char line[512];
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		const char *p = line + strspn(line, " \t");
		struct route r;
		char handler[64], auth[16];
		if (sscanf(p, "{\"%15[A-Z]\", \"%159[^\"]\", %63[a-z_0-9], %15[a-z]", r.method,
			   r.pattern, handler, auth) != 4)
			continue;
		r.auth = strcmp(auth, "true") == 0;
		if (n == max)
			tap_bail("more than %zu routes in %s", max, file);
		out[n++] = r;
	}
	fclose(f);
	return n;
}

static const struct row *row_of(const char *method, const char *pattern)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		if (!strcmp(rows[i].method, method) && !strcmp(rows[i].pattern, pattern))
			return &rows[i];
	return NULL;
}

/* ------------------------------------------------------------ the demo's ids */

static struct {
	const char *name;
	char value[32];
} ids[] = {{"{svc}", ""}, {"{ncd}", ""}, {"{offer}", ""}, {"{ach}", ""}, {"{group}", ""},
	   {"{decl}", ""}, {"{membership}", ""}};

static void set_id(const char *name, json_int_t v)
{
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++)
		if (!strcmp(ids[i].name, name))
			snprintf(ids[i].value, sizeof ids[i].value, "%lld", (long long)v);
}

/* The first "id" of array key in the JSON answer to GET path as demo.practice. */
static json_int_t first_id(const char *path, const char *key)
{
	long st = 0;
	json_t *j = fetch(path, T("demo.practice"), &st);
	json_int_t id = jint(json_array_get(json_object_get(j, key), 0), "id");
	json_decref(j);
	if (st != 200 || id <= 0)
		tap_bail("no %s for demo.practice at %s (status %ld)", key, path, st);
	return id;
}

static void find_ids(void)
{
	const char *t = T("demo.practice");
	if (!t)
		tap_bail("demo.practice cannot sign in");
	json_int_t svc = service_by_code(t, "QOF2425");
	set_id("{svc}", svc);
	set_id("{ncd}", service_by_code(t, "NCD2425"));
	set_id("{offer}", first_id("/api/v1/offers?organisation=A81001&year=2024/25", "offers"));
	json_int_t ach = first_id(F("/api/v1/achievements?organisation=A81001&service=%lld",
				    (long long)svc), "achievements");
	set_id("{ach}", ach);
	set_id("{group}", first_id(F("/api/v1/achievements/%lld", (long long)ach), "groups"));
	set_id("{membership}", first_id("/api/v1/organisations/A81001", "memberships"));
	set_id("{decl}", first_id("/api/v1/declarations?organisation=A81001&year=2024/25",
				  "declarations"));
}

/* s with every {name} replaced by its id; the caller frees it. */
static char *fill(const char *s)
{
	struct buf b;
	buf_init(&b);
	while (*s) {
		bool done = false;
		for (size_t i = 0; i < ARRAY_SIZE(ids) && *s == '{'; i++) {
			size_t n = strlen(ids[i].name);
			if (!strncmp(s, ids[i].name, n)) {
				buf_puts(&b, ids[i].value);
				s += n;
				done = true;
				break;
			}
		}
		if (!done)
			buf_putc(&b, *s++);
	}
	return buf_steal(&b);
}

/* ------------------------------------------------------------ the walk */

static char *tokens[NID]; /* the token each identity uses (anon: NULL) */

/* The status of one cell; code receives the answer's error code. */
static long run_cell(const struct row *w, size_t who, char *code, size_t codesz)
{
	char *path = fill(w->path);
	char *body = w->body ? fill(w->body) : NULL;
	char *token = tokens[who];
	char *own = NULL;
	/* Signing out revokes the token: a cell of its own, with a token of
	 * its own, so no other cell depends on it. */
	if (!strcmp(w->method, "DELETE") && !strcmp(w->pattern, "/api/v1/session") && who >= 2) {
		long st = 0;
		own = sign_in(&srv, idents[who], PASSWORD, &st);
		if (!own)
			tap_bail("%s cannot sign in (status %ld)", idents[who], st);
		token = own;
	}
	struct http_resp r;
	struct http_req q = {.method = w->method, .path = path, .token = token, .body = body};
	http_do(&srv, &q, &r);
	snprintf(code, codesz, "%s", err_code(&r));
	long status = r.status;
	http_resp_free(&r);
	free(own);
	free(path);
	free(body);
	return status;
}

int main(void)
{
	apitest_start(240);
	const char *src = getenv("CQRS_TEST_SRCDIR");
	char *file = xasprintf("%s/../server/http/routes.c", src ? src : "tests");
	struct route routes[128];
	size_t nroutes = read_routes(file, routes, ARRAY_SIZE(routes));
	tap_ok(nroutes >= 30, "the route table %s has %zu routes", file, nroutes);
	free(file);

	/* Every route has a row and every row a route. */
	bool all = true;
	for (size_t i = 0; i < nroutes; i++)
		if (!row_of(routes[i].method, routes[i].pattern)) {
			tap_diag("no row in the access table (tests/api/test_access.c) for %s %s",
				 routes[i].method, routes[i].pattern);
			all = false;
		}
	tap_ok(all, "every route of routes.c has a row in the access table");
	all = true;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		bool found = false;
		for (size_t k = 0; k < nroutes && !found; k++)
			found = !strcmp(routes[k].method, rows[i].method) &&
				!strcmp(routes[k].pattern, rows[i].pattern);
		if (!found) {
			tap_diag("the access table has a row for %s %s, which routes.c does not have",
				 rows[i].method, rows[i].pattern);
			all = false;
		}
	}
	tap_ok(all, "every row of the access table is a route of routes.c");

	find_ids();
	long st = 0;
	tokens[1] = sign_in(&srv, "demo.practice", PASSWORD, &st);
	if (!tokens[1])
		tap_bail("demo.practice cannot sign in (status %ld)", st);
	go(tokens[1], "DELETE", NULL, "/api/v1/session");
	ck(R.status == 204, "the revoked token is signed out (DELETE /session 204)");
	for (size_t who = 2; who < NID; who++) {
		const char *t = T(idents[who]);
		if (!t)
			tap_bail("%s cannot sign in", idents[who]);
		tokens[who] = xstrdup(t);
	}

	bool print = getenv("CQRS_ACCESS_PRINT") != NULL;
	for (size_t i = 0; i < nroutes; i++) {
		const struct row *w = row_of(routes[i].method, routes[i].pattern);
		if (!w)
			continue;
		int got[NID];
		char codes[NID][48];
		for (size_t who = 0; who < NID; who++)
			got[who] = (int)run_cell(w, who, codes[who], sizeof codes[who]);
		int bad = 0;
		for (size_t who = 0; who < NID; who++) {
			if (got[who] == w->want[who])
				continue;
			bad++;
			tap_diag("%s %s as %s: expected %d, got %d%s%s", w->method, w->path,
				 idents[who], w->want[who], got[who], *codes[who] ? " " : "",
				 codes[who]);
		}
		/* Independent of the table: a route that needs a token refuses
		 * the anonymous and the revoked alike with 401. */
		if (routes[i].auth && (got[0] != 401 || got[1] != 401)) {
			tap_diag("%s %s needs a token but answered %d without one and %d to a "
				 "revoked one", w->method, w->pattern, got[0], got[1]);
			bad++;
		}
		tap_ok(bad == 0, "%s %s: as expected for all %d identities", w->method, w->pattern,
		       NID);
		if (print) {
			printf("#\t{");
			for (size_t who = 0; who < NID; who++)
				printf("%d%s", got[who], who + 1 < NID ? ", " : "}},\n");
		}
	}
	for (size_t who = 1; who < NID; who++)
		free(tokens[who]);
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
