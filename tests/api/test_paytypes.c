/* test_paytypes.c: the payment-type restriction of View and Finance View
 * grants (issue 11) against a real cqrsd --demo. demo.qofview holds View
 * at A81001 restricted to QOF: every reading endpoint and report shows it
 * A81001's QOF data and none of its DES (Network Contract DES), ES or PO
 * data, where demo.view (View at A81001, no restriction) sees them all.
 * A Finance View grant restricted to QOF gives pounds for QOF only; an
 * administrator's change of the restriction counts from the user's next
 * request. The rule is SQL_SERVICE_READABLE (server/store/store_int.h).
 * Limited to 120 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"

static const char *QV = "demo.qofview"; /* VIEW at A81001, QOF only */
static const char *VIEW = "demo.view";  /* VIEW at A81001, all payment types */
static const char *ADM = "demo.admin";  /* ADV_USER_ADMIN at 00K */

static json_t *catalogue; /* GET /services as demo.practice */
static json_int_t qof, ncd;  /* QOF2425, NCD2425 */

/* The payment type of service id (or of the service named name). */
static const char *ptype_of(json_int_t id, const char *name)
{
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(catalogue, "services"), i, s)
		if (id ? jint(s, "id") == id : streq(jstr(s, "name"), name))
			return jstr(s, "payment_type");
	return "?";
}

/* How many rows of list (at key) are of payment type QOF and how many
 * are not; the service is the row itself (a service summary), its
 * "service" object, "service_id" or "service" name. */
static void count_types(const json_t *list, int *q, int *other)
{
	*q = *other = 0;
	size_t i;
	json_t *row;
	json_array_foreach(list, i, row) {
		const json_t *svc = json_object_get(row, "service");
		const char *pt;
		if (jstr(row, "payment_type"))
			pt = jstr(row, "payment_type");
		else if (json_is_object(svc))
			pt = jstr(svc, "payment_type") ? jstr(svc, "payment_type") : ptype_of(jint(svc, "id"), NULL);
		else if (json_object_get(row, "service_id"))
			pt = ptype_of(jint(row, "service_id"), NULL);
		else
			pt = ptype_of(0, json_string_value(svc));
		if (streq(pt, "QOF"))
			(*q)++;
		else
			(*other)++;
	}
}

/* GET path as user: QOF rows and other rows of its list key. */
static void list_as(const char *user, const char *path, const char *key, int *q, int *other)
{
	GET(T(user), path);
	count_types(J(key), q, other);
}

static void test_lists(void)
{
	struct {
		const char *path, *key, *what;
	} lists[] = {
		{"/api/v1/organisations/A81001/services", "services", "GET /organisations/A81001/services"},
		{"/api/v1/offers?organisation=A81001", "offers", "GET /offers"},
		{"/api/v1/missing?organisation=A81001", "missing", "GET /missing"},
		{"/api/v1/declarations?organisation=A81001", "declarations", "GET /declarations"},
	};
	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
		int vq, vo, q, o;
		list_as(VIEW, lists[i].path, lists[i].key, &vq, &vo);
		list_as(QV, lists[i].path, lists[i].key, &q, &o);
		ck(R.status == 200 && vo > 0 && q == vq && o == 0,
		   "%s: demo.qofview sees A81001's %d QOF rows and none of the %d others demo.view sees",
		   lists[i].what, vq, vo);
	}
}

static void test_one_item(void)
{
	json_int_t aq = ach_on(T(VIEW), "A81001", qof, "2025-03-31");
	json_int_t an = ach_on(T(VIEW), "A81001", ncd, "2025-03-31");
	ck(aq > 0 && an > 0, "A81001 has a QOF and a DES achievement on 31/03/2025");
	GET(T(QV), F("/api/v1/achievements?organisation=A81001&service=%lld", (long long)qof));
	ck(R.status == 200 && json_array_size(J("achievements")) > 0, "QOF achievements: listed");
	GET(T(QV), F("/api/v1/achievements?organisation=A81001&service=%lld", (long long)ncd));
	ck(is_err(404, "not_found", "service", NULL), "DES achievements: 404 naming the service");
	GET(T(VIEW), F("/api/v1/achievements/%lld", (long long)an));
	json_int_t gn = jint(json_array_get(J("groups"), 0), "id");
	GET(T(VIEW), F("/api/v1/achievements/%lld", (long long)aq));
	json_int_t gq = jint(json_array_get(J("groups"), 0), "id");
	const char *sub[] = {"", "/groups/%lld", "/submissions", "/results"};
	const char *label[] = {"", "/groups/{gid}", "/submissions", "/results"};
	for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
		char suffix[32];
		snprintf(suffix, sizeof suffix, sub[i], (long long)(i == 1 ? gq : 0));
		GET(T(QV), F("/api/v1/achievements/%lld%s", (long long)aq, suffix));
		long ok = R.status;
		snprintf(suffix, sizeof suffix, sub[i], (long long)(i == 1 ? gn : 0));
		GET(T(VIEW), F("/api/v1/achievements/%lld%s", (long long)an, suffix));
		long view = R.status;
		GET(T(QV), F("/api/v1/achievements/%lld%s", (long long)an, suffix));
		ck(ok == 200 && view == 200 && is_err(404, "not_found", NULL, NULL),
		   "GET /achievements/{id}%s: the QOF one 200, the DES one 404 (200 for demo.view)",
		   label[i]);
	}
	/* One offer and one declaration of each kind, as demo.view lists them. */
	const char *one[][2] = {{"offers", "offers"}, {"declarations", "declarations"}};
	for (size_t k = 0; k < 2; k++) {
		GET(T(VIEW), F("/api/v1/%s?organisation=A81001", one[k][0]));
		json_int_t idq = 0, ido = 0;
		size_t i;
		json_t *row;
		json_array_foreach(J(one[k][1]), i, row) {
			int q, o;
			json_t *l = json_array();
			json_array_append(l, row);
			count_types(l, &q, &o);
			json_decref(l);
			if (q && !idq)
				idq = jint(row, "id");
			if (o && !ido)
				ido = jint(row, "id");
		}
		GET(T(QV), F("/api/v1/%s/%lld", one[k][0], (long long)idq));
		long ok = R.status;
		GET(T(QV), F("/api/v1/%s/%lld", one[k][0], (long long)ido));
		ck(idq && ido && ok == 200 && is_err(404, "not_found", NULL, NULL),
		   "GET /%s/{id}: a QOF one 200, another payment type's 404", one[k][0]);
	}
	GET(T(VIEW), F("/api/v1/network?organisation=A81001&service=%lld", (long long)ncd));
	long view = R.status;
	GET(T(QV), F("/api/v1/network?organisation=A81001&service=%lld", (long long)ncd));
	ck(view == 200 && is_err(404, "not_found", "service", NULL),
	   "GET /network for the DES: 200 for demo.view, 404 for demo.qofview");
}

/* Rows of a report run as user: QOF and other. */
static void report_as(const char *user, const char *query, int *q, int *o)
{
	GET(T(user), F("/api/v1/reports/%s", query));
	count_types(J("rows"), q, o);
}

static void test_reports(void)
{
	const char *runs[] = {
		"achievement-summary?year=2024/25&organisation=A81001",
		"declaration-status?year=2024/25&organisation=A81001",
		"participation-status?year=2024/25&organisation=A81001",
		"missing-data?year=2024/25&organisation=A81001",
	};
	for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
		int vq, vo, q, o;
		report_as(VIEW, runs[i], &vq, &vo);
		report_as(QV, runs[i], &q, &o);
		ck(R.status == 200 && vo > 0 && q == vq && o == 0,
		   "report %s: demo.qofview gets the %d QOF rows, none of the %d others", runs[i], vq, vo);
	}
	GET(T(QV), F("/api/v1/reports/indicator-detail?service=%lld&date=2025-03-31", (long long)ncd));
	ck(is_err(400, "bad_query", "service", NULL), "indicator-detail for the DES: 400 service");
	GET(T(QV), F("/api/v1/reports/indicator-detail?service=%lld&date=2025-03-31&organisation=A81001",
		     (long long)qof));
	ck(R.status == 200 && json_array_size(J("rows")) > 0, "indicator-detail for QOF: rows");
	GET(T(QV), "/api/v1/reports");
	int choices = 0, other = 0;
	size_t i, k;
	json_t *rep, *p;
	json_array_foreach(J("reports"), i, rep)
		json_array_foreach(json_object_get(rep, "params"), k, p)
			if (streq(jstr(p, "key"), "service")) {
				size_t c;
				json_t *ch;
				json_array_foreach(json_object_get(p, "choices"), c, ch) {
					choices++;
					other += !streq(ptype_of(atoll(jstr(ch, "value")), NULL), "QOF");
				}
			}
	ck(choices > 0 && other == 0, "the catalogue's service choices are QOF services only (%d)", choices);
}

static json_int_t results_pence_rows(const char *user, json_int_t ach)
{
	GET(T(user), F("/api/v1/achievements/%lld/results", (long long)ach));
	return R.status == 200 ? has_pence(R.json) : -1;
}

static void test_change_and_pounds(void)
{
	json_int_t qv = uid_of(ADM, QV);
	ck(qv > 0, "demo.admin manages demo.qofview");
	const char *link = F("/api/v1/admin/users/%lld/organisations/A81001", (long long)qv);
	link = strdup(link);
	int q, o;
	PUT(T(ADM), link, "{\"roles\": [\"VIEW\"], \"payment_types\": [\"DES\"]}");
	long put = R.status;
	list_as(QV, "/api/v1/offers?organisation=A81001", "offers", &q, &o);
	ck(put == 200 && q == 0 && o > 0,
	   "restricted to DES instead: on its next request no QOF offer, %d DES ones", o);
	PUT(T(ADM), link, "{\"roles\": [\"VIEW\"], \"payment_types\": []}");
	list_as(QV, "/api/v1/offers?organisation=A81001", "offers", &q, &o);
	ck(q > 0 && o > 0, "no restriction: every payment type (%d QOF, %d others)", q, o);

	/* Finance View for QOF only, View (all) at the ICB: reads everything
	 * at A81001, pounds for QOF only. */
	json_int_t aq = ach_on(T(VIEW), "A81001", qof, "2025-03-31");
	json_int_t an = ach_on(T(VIEW), "A81001", ncd, "2025-03-31");
	PUT(T(ADM), link, "{\"roles\": [\"FINANCE_VIEW\"], \"payment_types\": [\"QOF\"]}");
	put = R.status;
	PUT(T(ADM), F("/api/v1/admin/users/%lld/organisations/00K", (long long)qv), "{\"roles\": [\"VIEW\"]}");
	ck(put == 200 && R.status == 200, "demo.qofview: Finance View (QOF) at A81001, View at 00K");
	ck(results_pence_rows(QV, aq) == 1, "the QOF results carry pounds");
	ck(results_pence_rows(QV, an) == 0, "the DES results are readable, without pounds");
	ck(results_pence_rows("demo.practice", an) == 1, "... (demo.practice, unrestricted Finance View, gets them)");
	GET(T(QV), "/api/v1/declarations?organisation=A81001");
	int qp = 0, qn = 0, op = 0, on = 0;
	size_t i;
	json_t *row;
	json_array_foreach(J("declarations"), i, row) {
		bool pence = json_object_get(row, "pence") != NULL;
		if (streq(jstr(json_object_get(row, "service"), "payment_type"), "QOF"))
			pence ? qp++ : qn++;
		else
			pence ? op++ : on++;
	}
	ck(qp > 0 && qn == 0 && op == 0 && on > 0,
	   "declarations: pounds on the %d QOF rows, on none of the %d others", qp, on);
	GET(T(QV), "/api/v1/reports/declaration-status?year=2024/25&organisation=A81001");
	qp = qn = op = on = 0;
	json_array_foreach(J("rows"), i, row) {
		bool pence = json_is_integer(json_object_get(row, "pounds"));
		if (streq(ptype_of(0, jstr(row, "service")), "QOF"))
			pence ? qp++ : qn++;
		else
			pence ? op++ : on++;
	}
	ck(R.status == 200 && qp > 0 && qn == 0 && op == 0 && on > 0,
	   "declaration-status report: pounds on the %d QOF rows, null on the %d others", qp, on);
	GET(T(QV), F("/api/v1/services/%lld", (long long)ncd));
	long st = R.status;
	bool ncd_pence = has_pence(R.json);
	GET(T(QV), F("/api/v1/services/%lld", (long long)qof));
	ck(st == 200 && !ncd_pence && R.status == 200 && has_pence(R.json),
	   "GET /services/{id}: the QOF rates in pounds, the DES's without");
	PUT(T(ADM), link, "{\"roles\": [\"VIEW\"], \"payment_types\": [\"QOF\"]}");
	go(T(ADM), "DELETE", NULL, F("/api/v1/admin/users/%lld/organisations/00K", (long long)qv));
	ck(R.status == 200, "back to View (QOF) at A81001 only");
	free((void *)link);
}

/* Rows of GET path as user, by whether they carry pence: at organisation
 * code (or every row when code is NULL) and elsewhere. */
static void pence_rows(const char *user, const char *path, const char *code, int *here_p,
		       int *here_n, int *else_p, int *else_n)
{
	*here_p = *here_n = *else_p = *else_n = 0;
	GET(T(user), path);
	size_t i;
	json_t *row;
	json_array_foreach(J("declarations"), i, row) {
		bool pence = json_is_integer(json_object_get(row, "pence"));
		bool here = !code || streq(jstr(json_object_get(row, "organisation"), "code"), code);
		if (here)
			pence ? (*here_p)++ : (*here_n)++;
		else
			pence ? (*else_p)++ : (*else_n)++;
	}
}

/* GET /declarations decides pounds row by row from the caller's grants
 * (the rule asked once per list, store_declarations_json): in one list, a
 * View user gets none and a Finance View user every one, and a user with
 * Finance View at A81001 and View at its ICB gets them on A81001's rows
 * only. */
static void test_list_pounds(void)
{
	int vp, vn, fp, fn, x, y;
	pence_rows(VIEW, "/api/v1/declarations?organisation=A81001", NULL, &vp, &vn, &x, &y);
	pence_rows("demo.practice", "/api/v1/declarations?organisation=A81001", NULL, &fp, &fn, &x,
		   &y);
	ck(R.status == 200 && vn > 0 && vp == 0 && fp == vn && fn == 0,
	   "A81001's %d declarations: demo.view (View) none with pence, demo.practice (Finance"
	   " View) every one", vn);
	json_int_t qv = uid_of(ADM, QV);
	char *link = strdup(F("/api/v1/admin/users/%lld/organisations/A81001", (long long)qv));
	PUT(T(ADM), link, "{\"roles\": [\"FINANCE_VIEW\"], \"payment_types\": []}");
	long put = R.status;
	PUT(T(ADM), F("/api/v1/admin/users/%lld/organisations/00K", (long long)qv), "{\"roles\": [\"VIEW\"]}");
	ck(put == 200 && R.status == 200, "demo.qofview: Finance View at A81001, View at 00K");
	int hp, hn, ep, en;
	pence_rows(QV, "/api/v1/declarations", "A81001", &hp, &hn, &ep, &en);
	ck(R.status == 200 && hp > 0 && hn == 0 && ep == 0 && en > 0,
	   "one list: pence on A81001's %d rows, on none of the %d others", hp, en);
	PUT(T(ADM), link, "{\"roles\": [\"VIEW\"], \"payment_types\": [\"QOF\"]}");
	go(T(ADM), "DELETE", NULL, F("/api/v1/admin/users/%lld/organisations/00K", (long long)qv));
	ck(R.status == 200, "back to View (QOF) at A81001 only");
	free(link);
}

int main(void)
{
	apitest_start(120);
	catalogue = fetch("/api/v1/services", T("demo.practice"), NULL);
	qof = service_by_code(T("demo.practice"), "QOF2425");
	ncd = service_by_code(T("demo.practice"), "NCD2425");
	test_lists();
	test_one_item();
	test_reports();
	test_change_and_pounds();
	test_list_pounds();
	json_decref(catalogue);
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
