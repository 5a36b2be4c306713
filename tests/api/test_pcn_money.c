/* test_pcn_money.c: API tests of issue 10, network (PCN) payments, each
 * starting from the state the findings broke: the population of a
 * network figure is the PCN's list size on its achievement date; a
 * practice is never in two PCNs on one date (POST and PUT); a practice
 * that joins a PCN takes part in its network services from its start
 * date and stops on its end date; a financially approved figure never
 * moves (membership changes, entries, entries on behalf, extract lines,
 * re-aggregation are refused with 409 and write nothing; an extract line
 * equal to the final value is a no-op); the PCN's offer carries its
 * members on the business date; cluster users see and settle nothing
 * outside their clusters. TAP; 180 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"
#include "harness.h"

#define HEADER "practice,service,achievement_date,indicator,value,numerator,denominator\n"

static char *t_practice, *t_pcn, *t_comm, *t_appr, *t_fin, *t_cluster, *t_loader;
static json_int_t svc_ncd, svc_ncd2526;

/* ------------------------------------------------------------ helpers */

static void save_vals(const char *token, json_int_t ach, json_int_t g, const char *mode,
		      const char *values)
{
	PUT(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)g),
	    F("{\"mode\": \"%s\", \"version\": %lld, \"values\": %s}", mode,
	      (long long)form_version(token, ach, g), values));
}

/* A membership's fields from GET /organisations/{org}, as "start..end". */
static const char *membership(const char *org, json_int_t id)
{
	GET(t_comm, F("/api/v1/organisations/%s", org));
	size_t i;
	json_t *m;
	json_array_foreach(J("memberships"), i, m)
		if (jint(m, "id") == id)
			return F("%s %s..%s", jstr(m, "pcn"), jstr(m, "start_date"),
				 jstr(m, "end_date") ? jstr(m, "end_date") : "");
	return "";
}

static json_int_t membership_id(const char *org, const char *pcn)
{
	GET(t_comm, F("/api/v1/organisations/%s", org));
	size_t i;
	json_t *m;
	json_int_t id = 0;
	json_array_foreach(J("memberships"), i, m)
		if (streq(jstr(m, "pcn"), pcn))
			id = jint(m, "id");
	return id;
}

/* The sum of the members' list sizes in the last GET /network answer. */
static json_int_t members_sum(size_t *n)
{
	json_int_t sum = 0;
	size_t i;
	json_t *m;
	*n = 0;
	json_array_foreach(J("members"), i, m) {
		sum += jint(m, "list_size");
		(*n)++;
	}
	return sum;
}

static bool has_member(const char *code)
{
	size_t i;
	json_t *m;
	json_array_foreach(J("members"), i, m)
		if (streq(jstr(m, "practice"), code))
			return true;
	return false;
}

/* The current calculation of an achievement, as text (stable). */
static char *calc_of(json_int_t ach)
{
	GET(t_fin, F("/api/v1/achievements/%lld/results", (long long)ach));
	json_t *c = J("calculation");
	return c ? json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT) : xstrdup("none");
}

/* Every current value of an achievement, as text (stable). */
static char *values_of(json_int_t ach)
{
	GET(t_fin, F("/api/v1/achievements/%lld/results", (long long)ach));
	json_t *out = json_object();
	size_t i, k;
	json_t *g, *ind;
	json_array_foreach(J("groups"), i, g)
		json_array_foreach(json_object_get(g, "indicators"), k, ind)
			json_object_set(out, jstr(ind, "code"),
					json_object_get(ind, "value") ? json_object_get(ind, "value") :
					json_null());
	char *s = json_dumps(out, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(out);
	return s;
}

static json_int_t offer_of(json_int_t svc, const char *org, const char *status, json_t **copy)
{
	GET(t_comm, F("/api/v1/offers?service=%lld&organisation=%s%s%s", (long long)svc, org,
		      status ? "&status=" : "", status ? status : ""));
	json_int_t best = 0;
	size_t i;
	json_t *o;
	json_array_foreach(J("offers"), i, o)
		if (jint(o, "id") > best) {
			best = jint(o, "id");
			if (copy) {
				json_decref(*copy);
				*copy = json_incref(o);
			}
		}
	return best;
}

static void declare_all(const char *token, json_int_t d)
{
	GET(token, F("/api/v1/declarations/%lld", (long long)d));
	json_t *ids = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(J("checklist"), i, it)
		json_array_append(ids, json_object_get(it, "id"));
	char *ticked = json_dumps(ids, JSON_COMPACT);
	json_int_t v = jint(R.json, "version");
	POST(token, F("/api/v1/declarations/%lld/declare", (long long)d),
	     F("{\"version\": %lld, \"ticked\": %s}", (long long)v, ticked));
	free(ticked);
	json_decref(ids);
}

/* ------------------------------------------------------------ population */

static void test_population(void)
{
	size_t n;
	GET(t_comm, F("/api/v1/network?organisation=U60172&service=%lld&date=2024-06-30",
		      (long long)svc_ncd));
	json_int_t sum = members_sum(&n);
	json_int_t pcn_size = jint(J("pcn"), "list_size");
	json_int_t net = jint(J("network"), "achievement_id");
	ck(R.status == 200 && n == 4 && has_member("A81011") && pcn_size == sum,
	   "30/06/2024: U60172's list size is its four members' on that date, A81011 included (%lld)",
	   (long long)sum);
	GET(t_fin, F("/api/v1/achievements/%lld/results", (long long)net));
	ck(jint(J("calculation"), "list_size") == sum,
	   "... and its network payment was calculated on that population (%lld, not today's)",
	   (long long)jint(J("calculation"), "list_size"));
	GET(t_comm, F("/api/v1/network?organisation=U60172&service=%lld&date=2024-12-31",
		      (long long)svc_ncd));
	json_int_t sum_dec = members_sum(&n);
	ck(n == 3 && !has_member("A81011") && jint(J("pcn"), "list_size") == sum_dec &&
	   sum_dec < sum,
	   "31/12/2024: A81011 has left for U60381; the population is the three members' (%lld)",
	   (long long)sum_dec);
	GET(t_comm, F("/api/v1/network?organisation=U60381&service=%lld&date=2024-12-31",
		      (long long)svc_ncd));
	ck(has_member("A81011") && jint(J("pcn"), "list_size") == members_sum(&n),
	   "... and A81011's patients count for U60381 from its join date");
}

/* ------------------------------------------------------------ two PCNs */

static void test_overlap(void)
{
	json_int_t m4 = membership_id("A81011", "U60172");
	const char *before = membership("A81011", m4);
	PUT(t_comm, F("/api/v1/memberships/%lld", (long long)m4), "{\"end_date\": \"2026-12-31\"}");
	ck(is_err(409, "conflict", "end_date", "two PCNs"),
	   "PUT /memberships: ending A81011's old membership after its new one began: 409");
	ck(streq(membership("A81011", m4), before), "... and the membership is unchanged (%s)", before);
	GET(t_comm, F("/api/v1/network?organisation=U60172&service=%lld&date=2025-03-31",
		      (long long)svc_ncd));
	ck(!has_member("A81011"), "A81011 is not counted in U60172 on 31/03/2025");
	POST(t_comm, "/api/v1/memberships",
	     "{\"pcn\": \"U60172\", \"practice\": \"A81011\", \"start_date\": \"2024-11-01\"}");
	ck(is_err(409, "conflict", "start_date", NULL), "POST /memberships overlapping: 409 as before");
	PUT(t_practice, F("/api/v1/memberships/%lld", (long long)m4), "{\"end_date\": \"2024-08-31\"}");
	ck(R.status == 403 || R.status == 404, "a practice user cannot change a membership (%ld)",
	   R.status);
}

/* ------------------------------------------------------------ final figures */

static json_int_t net_mar, decl_mar, p1_mar, rb_mar;
static char *calc_before, *vals_before, *p1_before;

static void make_march_final(void)
{
	p1_mar = ach_on(t_practice, "A81001", svc_ncd, "2025-03-31");
	rb_mar = ach_on(t_comm, "A81004", svc_ncd, "2025-03-31");
	save_vals(t_practice, p1_mar, group_of(t_practice, p1_mar, "IIF"), "submit",
		  "[{\"indicator\": \"CAN.FIT.IIF02\", \"numerator\": \"30\", \"denominator\": \"40\"}]");
	bool ok = R.status == 200;
	save_vals(t_practice, p1_mar, group_of(t_practice, p1_mar, "ACC"), "submit",
		  "[{\"indicator\": \"ACC.MI01\", \"value\": \"400\"}, {\"indicator\": \"ACC.MI02\","
		  " \"value\": \"20\"}]");
	ok = ok && R.status == 200;
	save_vals(t_comm, rb_mar, group_of(t_comm, rb_mar, "ACC"), "submit",
		  "[{\"indicator\": \"ACC.MI01\", \"value\": \"500\"}]");
	ok = ok && R.status == 200;
	net_mar = ach_on(t_pcn, "U60172", svc_ncd, "2025-03-31");
	GET(t_pcn, "/api/v1/declarations?organisation=U60172");
	size_t i;
	json_t *d;
	json_array_foreach(J("declarations"), i, d)
		if (streq(jstr(json_object_get(d, "achievement"), "date"), "2025-03-31"))
			decl_mar = jint(d, "id");
	ck(ok && net_mar && decl_mar, "U60172's March 2025 network data are complete and await the PCN");
	declare_all(t_pcn, decl_mar);
	ok = R.status == 200;
	POST(t_appr, "/api/v1/declarations/actions",
	     F("{\"action\": \"approve\", \"declarations\": [%lld]}", (long long)decl_mar));
	ok = ok && R.status == 200;
	POST(t_fin, "/api/v1/declarations/actions",
	     F("{\"action\": \"financially_approve\", \"declarations\": [%lld]}", (long long)decl_mar));
	GET(t_fin, F("/api/v1/declarations/%lld", (long long)decl_mar));
	ck(ok && streq(jstr(R.json, "status"), "FINANCIALLY_APPROVED"),
	   "declared, approved and financially approved: U60172's March 2025 payment is final");
	calc_before = calc_of(net_mar);
	vals_before = values_of(net_mar);
	p1_before = values_of(p1_mar);
}

static bool unchanged(const char *what)
{
	char *c = calc_of(net_mar), *v = values_of(net_mar), *p = values_of(p1_mar);
	bool same = streq(c, calc_before) && streq(v, vals_before) && streq(p, p1_before);
	if (!same)
		tap_diag("%s moved the final figure:\n  calc %s\n  was  %s\n  values %s\n  was    %s", what,
			 c, calc_before, v, vals_before);
	free(c);
	free(v);
	free(p);
	return same;
}

static void test_final(void)
{
	make_march_final();

	/* A membership correction over the final date (reliability D1). */
	json_int_t m3 = membership_id("A81007", "U60172");
	const char *before = membership("A81007", m3);
	PUT(t_comm, F("/api/v1/memberships/%lld", (long long)m3), "{\"end_date\": \"2025-01-31\"}");
	ck(is_err(409, "final", "end_date", "financially approved on"),
	   "ending A81007's membership before the final March: 409 naming what is final and since when");
	ck(contains(err_msg(), "U60172") && contains(err_msg(), "31/03/2025"),
	   "... the reason names the PCN and the date (%s)", err_msg() ? err_msg() : "");
	ck(streq(membership("A81007", m3), before) && unchanged("a membership end"),
	   "... and nothing was written: membership, values and calculation as they were");
	POST(t_comm, "/api/v1/memberships",
	     "{\"pcn\": \"U60172\", \"practice\": \"A81030\", \"start_date\": \"2025-03-01\"}");
	ck(is_err(409, "final", NULL, "financially approved"),
	   "A81030 joining U60172 from 01/03/2025: 409, the March figure is final");
	ck(membership_id("A81030", "U60172") == 0 && unchanged("a membership add"),
	   "... and no membership was made");

	/* Entries by the member practice and on its behalf (data D5). */
	GET(t_practice, F("/api/v1/achievements/%lld", (long long)p1_mar));
	ck(json_is_false(J("can_edit")) && contains(jstr(R.json, "reason"), "U60172") &&
	   contains(jstr(R.json, "reason"), "financially approved on"),
	   "the member practice's form is read-only, saying its PCN's payment is final (%s)",
	   jstr(R.json, "reason") ? jstr(R.json, "reason") : "");
	json_int_t acc = group_of(t_practice, p1_mar, "ACC");
	save_vals(t_practice, p1_mar, acc, "submit", "[{\"indicator\": \"ACC.MI01\", \"value\": \"401\"}]");
	ck(is_err(409, "final", NULL, "U60172"), "the practice's submit: 409 final, naming its PCN");
	save_vals(t_practice, p1_mar, acc, "wip", "[{\"indicator\": \"ACC.MI01\", \"value\": \"401\"}]");
	ck(is_err(409, "final", NULL, NULL), "... and its work in progress: 409 (never a WIP that cannot be submitted)");
	save_vals(t_comm, rb_mar, group_of(t_comm, rb_mar, "ACC"), "submit",
		  "[{\"indicator\": \"ACC.MI01\", \"value\": \"501\"}]");
	ck(is_err(409, "final", NULL, NULL), "the commissioner's entry on Riverbank's behalf: 409 final");
	json_int_t ea = group_of(t_comm, net_mar, "EA");
	save_vals(t_comm, net_mar, ea, "submit", "[{\"indicator\": \"EA.TB01\", \"value\": \"No\"}]");
	ck(is_err(409, "final", NULL, NULL), "the commissioner changing the PCN's tick-box: 409 final");
	POST(t_comm, "/api/v1/network/aggregate",
	     F("{\"pcn\": \"U60172\", \"service_id\": %lld, \"date\": \"2025-03-31\"}", (long long)svc_ncd));
	ck(is_err(409, "final", NULL, NULL), "re-running the aggregation: 409 final");
	ck(unchanged("entries"), "none of these moved a value or the calculation");

	/* Extract lines (reliability D9, participation D11). */
	GET(t_fin, F("/api/v1/achievements/%lld/results", (long long)p1_mar));
	json_int_t num = -1, den = -1;
	size_t i, k;
	json_t *g, *ind;
	json_array_foreach(J("groups"), i, g)
		json_array_foreach(json_object_get(g, "indicators"), k, ind)
			if (streq(jstr(ind, "code"), "LD.HC.IIF01")) {
				num = jint(json_object_get(ind, "value"), "numerator");
				den = jint(json_object_get(ind, "value"), "denominator");
			}
	POST(t_loader, "/api/v1/extracts?name=same.csv",
	     F(HEADER "A81001,NCD2425,2025-03-31,LD.HC.IIF01,,%lld,%lld\n", (long long)num,
	       (long long)den));
	ck(R.status == 200 && jint(R.json, "values_changed") == 0,
	   "an extract line equal to the final value: a no-op (200, nothing changed)");
	POST(t_loader, "/api/v1/extracts?name=late.csv",
	     F(HEADER "A81001,NCD2425,2025-03-31,LD.HC.IIF01,,%lld,%lld\n"
	       "A81004,NCD2425,2025-03-31,CAN.FIT.IIF02,,1,2\n"
	       "A81001,QOF2425,2025-03-31,AF001,1,,\n", (long long)num, (long long)den + 1));
	json_t *errs = J("refused_lines");
	bool lines = json_array_size(errs) == 2;
	json_array_foreach(errs, i, g)
		lines = lines && contains(jstr(g, "message"), "final") &&
			(jint(g, "line") == 2 || jint(g, "line") == 3);
	ck(R.status == 200 && lines && jint(R.json, "refused") == 2,
	   "lines that would change the final figure are refused alone: 200 naming each of them "
	   "(lines 2 and 3) and why");
	ck(jint(R.json, "values_changed") == 1 && jint(R.json, "values") == 1,
	   "... while the file's other line loads (QOF AF001: 1 value, 1 changed)");
	ck(unchanged("extracts"), "... and nothing of the refused lines was written");
	POST(t_loader, "/api/v1/extracts?name=late.csv",
	     F(HEADER "A81001,NCD2425,2025-03-31,LD.HC.IIF01,,%lld,%lld\n"
	       "A81004,NCD2425,2025-03-31,CAN.FIT.IIF02,,1,2\n"
	       "A81001,QOF2425,2025-03-31,AF001,1,,\n", (long long)num, (long long)den + 1));
	ck(R.status == 200 && jint(R.json, "values_changed") == 0 && jint(R.json, "refused") == 2,
	   "the same file again: nothing changes, the same two lines refused");
}

/* ------------------------------------------------------------ joining and leaving */

static void test_join_leave(void)
{
	/* A practice leaving its PCN stops taking part (participation D12). */
	json_int_t m6 = membership_id("A81016", "U60381");
	json_t *o = NULL;
	offer_of(svc_ncd2526, "A81016", "APPROVED", &o);
	ck(o && streq(jstr(o, "end_date"), "2026-03-31"), "A81016 takes part in NCD 2025/26 to 31/03/2026");
	PUT(t_comm, F("/api/v1/memberships/%lld", (long long)m6), "{\"end_date\": \"2025-06-30\"}");
	ck(R.status == 200, "A81016 leaves U60381 on 30/06/2025");
	json_int_t id = offer_of(svc_ncd2526, "A81016", "APPROVED", &o);
	ck(id && streq(jstr(o, "end_date"), "2025-06-30"),
	   "its participation in NCD 2025/26 through U60381 ends on its end date (%s)",
	   o ? jstr(o, "end_date") : "none");
	json_decref(o);
	o = NULL;

	/* A practice joining mid-year takes part from its start (data D8). */
	POST(t_comm, "/api/v1/memberships",
	     "{\"pcn\": \"U60381\", \"practice\": \"A81030\", \"start_date\": \"2025-03-01\"}");
	ck(R.status == 201, "A81030 joins U60381 from 01/03/2025");
	id = offer_of(svc_ncd, "A81030", "APPROVED", &o);
	ck(id && streq(jstr(o, "via_pcn"), "U60381") && streq(jstr(o, "start_date"), "2025-03-01"),
	   "A81030 now takes part in NCD 2024/25 through U60381 from 01/03/2025");
	json_decref(o);
	o = NULL;
	POST(t_comm, "/api/v1/achievements",
	     F("{\"organisation\": \"A81030\", \"service_id\": %lld, \"date\": \"2025-03-31\"}",
	       (long long)svc_ncd));
	ck(R.status == 201, "the commissioner can add its 31/03/2025 achievement (the network's gap)");
	POST(t_comm, "/api/v1/achievements",
	     F("{\"organisation\": \"A81030\", \"service_id\": %lld, \"date\": \"2025-02-28\"}",
	       (long long)svc_ncd));
	ck(is_err(409, "conflict", "date", "not a member"),
	   "... but not for 28/02/2025, before it joined: 409");
	GET(t_comm, F("/api/v1/network?organisation=U60381&service=%lld&date=2025-03-31",
		      (long long)svc_ncd));
	size_t n;
	json_int_t sum = members_sum(&n);
	ck(has_member("A81030") && jint(J("pcn"), "list_size") == sum,
	   "U60381's 31/03/2025 population now includes A81030 (%lld)", (long long)sum);
	GET(t_comm, F("/api/v1/network?organisation=U60381&service=%lld&date=2025-02-28",
		      (long long)svc_ncd));
	ck(!has_member("A81030"), "... and its February one does not");
	GET(t_comm, "/api/v1/network/stuck");
	bool fixable = true;
	size_t i;
	json_t *row;
	json_array_foreach(J("stuck"), i, row) {
		json_t *gaps = json_object_get(row, "gaps");
		size_t k;
		json_t *gp;
		json_array_foreach(gaps, k, gp)
			if (streq(jstr(gp, "practice"), "A81030") && streq(jstr(row, "date"), "2025-02-28"))
				fixable = false;
	}
	ck(R.status == 200 && fixable, "nothing asks for A81030's data before it joined");
}

/* ------------------------------------------------------------ offers to a PCN */

static void test_offer_on_business_date(void)
{
	/* Participation D2: membership on the business date, not the clock. */
	json_int_t m8 = membership_id("A81023", "U60381");
	PUT(t_comm, F("/api/v1/memberships/%lld", (long long)m8), "{\"end_date\": \"2025-12-31\"}");
	ck(R.status == 200, "A81023 will leave U60381 on 31/12/2025");
	json_int_t pcn_offer = offer_of(svc_ncd2526, "U60381", NULL, NULL);
	GET(t_comm, F("/api/v1/offers/%lld", (long long)pcn_offer));
	if (!streq(jstr(R.json, "status"), "CANCELLED")) {
		POST(t_comm, "/api/v1/offers/actions",
		     F("{\"action\": \"cancel\", \"offers\": [%lld]}", (long long)pcn_offer));
	}
	ck(offer_of(svc_ncd2526, "A81023", "APPROVED", NULL) == 0 &&
	   offer_of(svc_ncd2526, "A81019", "APPROVED", NULL) == 0,
	   "U60381's NCD 2025/26 offer cancelled: its members' offers are cancelled with it");
	POST(t_comm, "/api/v1/offers",
	     F("{\"service_id\": %lld, \"start_date\": \"2025-04-01\", \"end_date\": \"2026-03-31\","
	       " \"organisations\": [\"U60381\"]}", (long long)svc_ncd2526));
	bool a81023 = false, pcn = false;
	size_t i;
	json_t *o;
	json_array_foreach(J("offers"), i, o) {
		a81023 |= streq(jstr(json_object_get(o, "organisation"), "code"), "A81023");
		pcn |= streq(jstr(json_object_get(o, "organisation"), "code"), "U60381");
	}
	ck(R.status == 201 && a81023 && pcn,
	   "offered again: U60381's own offer and A81023's, a member on the business date 10/04/2025");
}

/* ------------------------------------------------------------ clusters */

static void test_cluster(void)
{
	json_int_t task = 0;
	GET(t_comm, "/api/v1/tasks");
	size_t i;
	json_t *t;
	json_array_foreach(J("tasks"), i, t)
		if (streq(jstr(t, "kind"), "OFFER_REJECTED") && contains(jstr(t, "title"), "A81016"))
			task = jint(t, "id");
	POST(t_cluster, F("/api/v1/tasks/%lld/done", (long long)task), NULL);
	ck(task && R.status == 404, "a cluster user cannot dismiss a task about a practice outside its"
	   " cluster (404, got %ld)", R.status);
	GET(t_comm, "/api/v1/tasks");
	bool still = false;
	json_array_foreach(J("tasks"), i, t)
		still |= jint(t, "id") == task;
	ck(still, "... and the commissioner still has it");
	GET(t_cluster, "/api/v1/organisations/A81007");
	long hidden = R.status;
	GET(t_cluster, F("/api/v1/network?organisation=A81001&service=%lld&date=2025-02-28",
			 (long long)svc_ncd));
	ck(hidden == 404 && R.status == 200 && !has_member("A81007") && json_is_null(J("network")) &&
	   jint(R.json, "members_outside_your_clusters") > 0,
	   "GET /network through a cluster practice shows neither members outside the cluster nor"
	   " the PCN's figures");
}

int main(void)
{
	harness_timeout(180);
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	t_practice = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	t_pcn = sign_in(&srv, "demo.pcn", PASSWORD, NULL);
	t_comm = sign_in(&srv, "demo.commissioner", PASSWORD, NULL);
	t_appr = sign_in(&srv, "demo.approver", PASSWORD, NULL);
	t_fin = sign_in(&srv, "demo.finance", PASSWORD, NULL);
	t_cluster = sign_in(&srv, "demo.cluster", PASSWORD, NULL);
	t_loader = sign_in(&srv, "extract.loader", PASSWORD, NULL);
	if (!t_practice || !t_pcn || !t_comm || !t_appr || !t_fin || !t_cluster || !t_loader)
		tap_bail("the demo users cannot sign in");
	svc_ncd = service_by_code(t_comm, "NCD2425");
	svc_ncd2526 = service_by_code(t_comm, "NCD2526");

	test_population();
	test_overlap();
	test_final();
	test_join_leave();
	test_offer_on_business_date();
	test_cluster();

	apitest_done();
	free(calc_before);
	free(vals_before);
	free(p1_before);
	char *tokens[] = {t_practice, t_pcn, t_comm, t_appr, t_fin, t_cluster, t_loader};
	for (size_t i = 0; i < ARRAY_SIZE(tokens); i++)
		free(tokens[i]);
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
