/* test_clusters.c: Service Provider Clusters and allocated reports against
 * a real cqrsd --demo (issue 11): the list, create (unique names, only the
 * organisation's practices, each refusal writing nothing), open, add and
 * remove practices ("cluster was updated successfully"), a cluster user's
 * reach following on its next request, and allocated reports saved and
 * removed. Who may call which route is test_access's matrix. Limited to
 * 120 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"

static const char *ADM = "demo.admin"; /* ORG_ADMIN at 00K */

static size_t clusters_n(void)
{
	GET(T(ADM), "/api/v1/clusters");
	return json_array_size(J("clusters"));
}

static void test_clusters(void)
{
	GET(T(ADM), "/api/v1/clusters");
	json_t *first = json_array_get(J("clusters"), 0), *second = json_array_get(J("clusters"), 1);
	ck(R.status == 200 && streq(jstr(J("organisation"), "code"), "00K") &&
	   json_array_size(J("clusters")) == 2 &&
	   streq(jstr(second, "name"), "Tees Valley South") && jint(second, "practices") == 4 &&
	   streq(jstr(first, "name"), "Hartlepool and Stockton North"),
	   "the ICB's two clusters, by name, with their practice counts");
	GET(T(ADM), "/api/v1/clusters?organisation=QWU");
	ck(is_err(404, "not_found", "organisation", NULL), "another ICB's clusters are 404");
	GET(T(ADM), "/api/v1/clusters/1");
	ck(R.status == 200 && json_array_size(J("practices")) == 4 &&
	   streq(jstr(json_array_get(J("users"), 0), "user_id"), "demo.cluster"),
	   "a cluster opens with its practices and users");

	size_t n = clusters_n();
	struct {
		const char *body, *code, *field, *what;
		long status;
	} bad[] = {
		{"{\"name\": \"tees valley south\", \"practices\": [\"A81001\"]}", "duplicate_name", "name",
		 "a name the organisation has (any case)", 409},
		{"{\"name\": \"West\", \"practices\": [\"L83002\"]}", "bad_field", "practices[0]",
		 "another ICB's practice", 400},
		{"{\"name\": \"West\", \"practices\": [\"U60172\"]}", "bad_field", "practices[0]",
		 "a PCN (practices only)", 400},
		{"{\"name\": \"West\", \"practices\": []}", "bad_field", "practices", "no practice", 400},
		{"{\"name\": \" \", \"practices\": [\"A81001\"]}", "bad_field", "name", "a blank name", 400},
		{"{\"name\": \"West\", \"practices\": [\"A81001\", \"A81001\"]}", "bad_field", "practices[1]",
		 "a practice twice", 400},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		POST(T(ADM), "/api/v1/clusters", bad[i].body);
		ck(is_err(bad[i].status, bad[i].code, bad[i].field, NULL), "Add New Cluster refuses %s", bad[i].what);
	}
	ck(clusters_n() == n, "none of them made a cluster");

	POST(T(ADM), "/api/v1/clusters",
	     "{\"organisation\": \"00K\", \"name\": \"Redcar\", \"description\": \"Coastal practices\","
	     " \"practices\": [\"A81011\", \"A81016\"]}");
	json_t *c = J("cluster");
	json_int_t id = jint(c, "id");
	ck(R.status == 201 && id > 0 && json_array_size(json_object_get(c, "practices")) == 2,
	   "Add New Cluster: 201 with its two practices");
	const char *path = F("/api/v1/clusters/%lld", (long long)id);
	PUT(T(ADM), path, "{\"add\": [\"A81016\"]}");
	ck(is_err(400, "bad_field", "add[0]", "already"), "adding a practice already in it is 400");
	PUT(T(ADM), path, "{\"remove\": [\"A81001\"]}");
	ck(is_err(400, "bad_field", "remove[0]", "not in"), "removing one not in it is 400");
	PUT(T(ADM), path, "{\"remove\": [\"A81011\", \"A81016\"]}");
	ck(is_err(409, "conflict", NULL, "at least one"), "removing every practice is refused");
	GET(T(ADM), path);
	ck(json_array_size(J("practices")) == 2, "... and wrote nothing");
	PUT(T(ADM), path, "{\"add\": [\"A81023\"], \"remove\": [\"A81011\"], \"description\": \"Coast and Eston\"}");
	ck(R.status == 200 && streq(jstr(R.json, "message"), "cluster was updated successfully") &&
	   json_array_size(json_object_get(J("cluster"), "practices")) == 2 &&
	   streq(jstr(J("cluster"), "description"), "Coast and Eston"),
	   "Remove Organisation and add one, then Submit: \"cluster was updated successfully\"");
	PUT(T(ADM), path, "{\"name\": \"Tees Valley South\"}");
	ck(is_err(409, "duplicate_name", "name", NULL), "renaming onto another cluster's name is 409");

	/* a cluster user's reach follows the cluster on its next request */
	GET(T("demo.cluster"), "/api/v1/organisations/A81023");
	ck(R.status == 404, "demo.cluster cannot see A81023 (not in Tees Valley South)");
	PUT(T(ADM), "/api/v1/clusters/1", "{\"add\": [\"A81023\"]}");
	ck(R.status == 200, "the administrator adds A81023 to Tees Valley South");
	GET(T("demo.cluster"), "/api/v1/organisations/A81023");
	ck(R.status == 200, "demo.cluster sees it on its next request, without signing in again");
	PUT(T(ADM), "/api/v1/clusters/1", "{\"remove\": [\"A81023\"]}");
	GET(T("demo.cluster"), "/api/v1/organisations/A81023");
	ck(R.status == 404, "and not after it is removed");
}

static json_t *service_row(const char *code)
{
	size_t i;
	json_t *s;
	json_array_foreach(J("services"), i, s)
		if (streq(jstr(s, "code"), code))
			return s;
	return NULL;
}

static void test_allocations(void)
{
	GET(T(ADM), "/api/v1/allocations?q=U60");
	json_t *pcn = json_array_get(J("organisations"), 0);
	ck(R.status == 200 && json_array_size(J("organisations")) == 2 &&
	   streq(jstr(pcn, "code"), "U60172") && jint(pcn, "allocated") == 1,
	   "the ICB's descendants, searched, with their allocation counts (U60172 has 1)");
	GET(T(ADM), "/api/v1/allocations/U60172?year=2024/25");
	json_t *qof = service_row("QOF2425"), *ncd = service_row("NCD2425");
	ck(R.status == 200 && streq(jstr(J("from"), "code"), "00K") && qof && ncd &&
	   json_is_true(json_object_get(qof, "allocated")) &&
	   !json_is_true(json_object_get(ncd, "allocated")),
	   "U60172's services of 2024/25: QOF allocated (the demo's), NCD not");
	json_int_t qid = jint(qof, "id"), nid = jint(ncd, "id");
	GET(T(ADM), "/api/v1/allocations/U60172?year=2024/25&payment_type=DES");
	ck(R.status == 200 && !service_row("QOF2425") && service_row("NCD2425"),
	   "the payment-type filter");
	GET(T(ADM), "/api/v1/allocations/L83002");
	ck(is_err(404, "not_found", NULL, NULL), "another ICB's organisation is 404");
	PUT(T(ADM), "/api/v1/allocations/U60172", "{\"allocate\": [999999]}");
	ck(is_err(400, "bad_field", "allocate[0]", NULL), "an unknown service is 400");
	PUT(T(ADM), "/api/v1/allocations/U60172",
	    F("{\"allocate\": [%lld], \"remove\": [%lld]}", (long long)nid, (long long)nid));
	ck(is_err(400, "bad_field", "allocate[0]", NULL), "a service both allocated and removed is 400");
	GET(T(ADM), "/api/v1/allocations?q=U60172");
	ck(jint(json_array_get(J("organisations"), 0), "allocated") == 1, "... neither wrote anything");
	PUT(T(ADM), "/api/v1/allocations/U60172",
	    F("{\"allocate\": [%lld], \"remove\": [%lld]}", (long long)nid, (long long)qid));
	ck(R.status == 200 && streq(jstr(R.json, "message"), "allocations have been saved") &&
	   jint(R.json, "allocated") == 1, "tick NCD, untick QOF, Submit: \"allocations have been saved\"");
	GET(T(ADM), "/api/v1/allocations/U60172?year=2024/25");
	ck(json_is_true(json_object_get(service_row("NCD2425"), "allocated")) &&
	   !json_is_true(json_object_get(service_row("QOF2425"), "allocated")),
	   "the saved allocations are shown");
}

int main(void)
{
	apitest_start(120);
	test_clusters();
	test_allocations();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
