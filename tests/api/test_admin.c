/* test_admin.c: Administration > Users against a real cqrsd --demo (issue
 * 11): who each kind of administrator manages (ADMIN_CTE), the state
 * filter, the Add New User checks (each refusal writes nothing), adding a
 * user, contact details, organisation links with payment types and
 * clusters, the PCN organisation role, the last-administrator rule,
 * disable (sessions revoked at once), enable, unlock, resend, and the
 * history with the client address. Which role reaches which route is
 * test_access's matrix; here are the rules behind it. Limited to 180 s. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apitest.h"

static const char *ADM = "demo.admin";            /* ADV_USER_ADMIN + ORG_ADMIN at 00K */
static const char *PRAC = "demo.practice";        /* USER_ADMIN at A81001 (and more) */
static const char *PADM = "demo.practiceadmin";   /* USER_ADMIN at A81004 only */
static const char *UADM = "demo.useradmin";       /* USER_ADMIN at 00K only */

static json_int_t total(const char *admin)
{
	GET(T(admin), "/api/v1/admin/users?limit=1");
	return jint(R.json, "total");
}

static size_t history_len(const char *admin, json_int_t id)
{
	GET(T(admin), F("/api/v1/admin/users/%lld", (long long)id));
	return json_array_size(J("history"));
}

static const char *state_of(const char *admin, json_int_t id)
{
	GET(T(admin), F("/api/v1/admin/users/%lld", (long long)id));
	return jstr(R.json, "state");
}

/* The first history entry with action (borrowed from R), or NULL. */
static json_t *history_with(const char *action)
{
	size_t i;
	json_t *h;
	json_array_foreach(J("history"), i, h)
		if (streq(jstr(h, "action"), action))
			return h;
	return NULL;
}

static void test_who_manages_whom(void)
{
	ck(uid_of(PRAC, "demo.view") > 0, "a practice User Administrator sees its practice's users");
	ck(uid_of(PRAC, "demo.newuser") == 0 && uid_of(PRAC, "demo.commissioner") == 0 &&
	   uid_of(PRAC, "demo.other") == 0,
	   "... and nobody of another practice, its ICB or another ICB");
	ck(uid_of(UADM, "demo.commissioner") > 0 && uid_of(UADM, "demo.view") == 0,
	   "an ICB User Administrator sees its own organisation's users only");
	ck(uid_of(ADM, "demo.commissioner") > 0 && uid_of(ADM, "demo.view") > 0 &&
	   uid_of(ADM, "demo.pcn") > 0 && uid_of(ADM, "demo.other") == 0,
	   "an Advanced User Administrator also sees the practices' and PCNs' users, not another ICB's");
	ck(uid_of(ADM, "extract.loader") == 0, "system accounts are never listed");
	json_int_t view = uid_of(ADM, "demo.view");
	GET(T(UADM), F("/api/v1/admin/users/%lld", (long long)view));
	ck(is_err(404, "not_found", NULL, NULL), "a user outside the administrator's reach is 404");
	GET(T("demo.other"), F("/api/v1/admin/users/%lld", (long long)view));
	ck(is_err(404, "not_found", NULL, NULL), "... also for another ICB's practice administrator");

	static const char *const states[][2] = {{"ACTIVE", "demo.practiceadmin"},
		{"AWAITING_REGISTRATION", "demo.newuser"}, {"LOCKED", "demo.locked"},
		{"DISABLED", "demo.disabled"}};
	for (size_t s = 0; s < 4; s++) {
		GET(T(PADM), F("/api/v1/admin/users?state=%s", states[s][0]));
		json_t *u = json_array_get(J("users"), 0);
		ck(R.status == 200 && jint(R.json, "total") == 1 && streq(jstr(u, "user_id"), states[s][1]) &&
		   streq(jstr(u, "state"), states[s][0]),
		   "state=%s lists the demo's %s", states[s][0], states[s][1]);
	}
	GET(T(PADM), "/api/v1/admin/users?state=SLEEPY");
	ck(is_err(400, "bad_query", "state", NULL), "an unknown state is 400");
	GET(T(ADM), "/api/v1/admin/users?organisation=A81004");
	ck(R.status == 200 && jint(R.json, "total") == 4, "organisation=A81004 lists its 4 users (%lld)",
	   (long long)jint(R.json, "total"));
	GET(T(PRAC), "/api/v1/admin/users?organisation=A81004");
	ck(is_err(404, "not_found", "organisation", NULL), "an organisation not administered is 404");
	GET(T(ADM), "/api/v1/admin/users?q=OKAFOR");
	ck(jint(R.json, "total") == 1, "q matches names case-insensitively");
}

static void test_roles_and_checks(void)
{
	GET(T(PRAC), "/api/v1/admin/roles?organisation=A81001");
	bool comm = false, view_pt = false, fin_pt = false, entry_pt = true;
	size_t i;
	json_t *ro;
	json_array_foreach(J("roles"), i, ro) {
		const char *c = jstr(ro, "code");
		comm |= streq(c, "COMMISSIONING_MANAGEMENT") || streq(c, "EXTRACT_LOADER");
		if (streq(c, "VIEW"))
			view_pt = json_is_true(json_object_get(ro, "payment_types"));
		if (streq(c, "FINANCE_VIEW"))
			fin_pt = json_is_true(json_object_get(ro, "payment_types"));
		if (streq(c, "ACHIEVEMENT_ENTRY"))
			entry_pt = json_is_true(json_object_get(ro, "payment_types"));
	}
	ck(R.status == 200 && !comm && view_pt && fin_pt && !entry_pt,
	   "a practice's roles: only those for practices; payment types on View and Finance View");
	ck(json_array_size(J("clusters")) == 1 &&
	   streq(jstr(json_array_get(J("clusters"), 0), "name"), "Tees Valley South"),
	   "A81001's clusters: the ICB's cluster that holds it");
	GET(T(ADM), "/api/v1/admin/roles?organisation=A81016");
	ck(R.status == 200 && json_array_size(J("clusters")) == 0,
	   "a practice in no cluster has none (the client's empty-state sentence)");
	GET(T(UADM), "/api/v1/admin/roles?organisation=U60172");
	ck(R.status == 200 && json_array_size(J("roles")) == 1 &&
	   streq(jstr(json_array_get(J("roles"), 0), "code"), "DECLARATION_MANAGEMENT") &&
	   jint(R.json, "pcn_declarers") == 1,
	   "an ICB User Administrator may give a PCN only Declaration Management; 1 declarer now");

	GET(T(ADM), "/api/v1/admin/email-check?email=new.person@nhs.net&confirm=New.Person@nhs.net");
	ck(R.status == 200 && json_is_true(J("ok")), "a new nhs.net address passes the Continue check");
	GET(T(ADM), "/api/v1/admin/email-check?email=a@gmail.com&confirm=a@gmail.com");
	ck(is_err(400, "not_nhs_email", "email", "nhs.net"), "a non-NHS address is refused");
	GET(T(ADM), "/api/v1/admin/email-check?email=a@nhs.net&confirm=b@nhs.net");
	ck(is_err(400, "email_mismatch", "confirm", NULL), "mismatched addresses are refused");
	GET(T(ADM), "/api/v1/admin/email-check?email=PRIYA.SHAH@nhs.net&confirm=priya.shah@nhs.net");
	ck(is_err(409, "duplicate_email", "email", NULL), "an address already used is refused");
	GET(T(ADM), "/api/v1/admin/email-check?email=x@team.nhs.uk&confirm=x@team.nhs.uk");
	ck(R.status == 200, "an nhs.uk subdomain address passes");
}

#define NEW_USER(email, confirm, orgs) \
	"{\"email\": \"" email "\", \"email_confirm\": \"" confirm "\", \"title\": \"Dr\"," \
	" \"first_name\": \"Jane\", \"last_name\": \"Smith\", \"work_phone\": \"01632 960999\"," \
	" \"organisations\": [" orgs "]}"

static void test_add_user(void)
{
	json_int_t before = total(ADM);
	struct {
		const char *who, *body;
		long status;
		const char *code, *field, *what;
	} bad[] = {
		{ADM, NEW_USER("priya.shah@nhs.net", "priya.shah@nhs.net",
			       "{\"code\": \"A81001\", \"roles\": [\"VIEW\"]}"),
		 409, "duplicate_email", "email", "a duplicate e-mail"},
		{ADM, NEW_USER("jane@gmail.com", "jane@gmail.com", "{\"code\": \"A81001\", \"roles\": [\"VIEW\"]}"),
		 400, "not_nhs_email", "email", "a non-NHS address"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smyth@nhs.net",
			       "{\"code\": \"A81001\", \"roles\": [\"VIEW\"]}"),
		 400, "email_mismatch", "email_confirm", "a mismatched confirmation"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
			       "{\"code\": \"A81001\", \"roles\": [\"COMMISSIONING_MANAGEMENT\"]}"),
		 400, "role_not_for_kind", "organisations[0].roles[0]", "a role that does not fit a practice"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
			       "{\"code\": \"X24\", \"roles\": [\"EXTRACT_LOADER\"]}"),
		 404, "not_found", "organisations[0].code", "a grant above the administrator"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
			       "{\"code\": \"00K\", \"roles\": [\"EXTRACT_LOADER\"]}"),
		 400, "role_not_for_kind", "organisations[0].roles[0]", "the system role"},
		{PRAC, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
				"{\"code\": \"A81004\", \"roles\": [\"VIEW\"]}"),
		 404, "not_found", "organisations[0].code", "a grant outside the administrator's scope"},
		{UADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
				"{\"code\": \"U60172\", \"roles\": [\"PCN_VIEW\"]}"),
		 403, "forbidden", "organisations[0].roles[0]", "a PCN role other than Declaration Management"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
			       "{\"code\": \"A81001\", \"roles\": [\"SUPERVISOR\"], \"payment_types\": [\"QOF\"]}"),
		 400, "bad_field", "organisations[0].payment_types[0]", "payment types on a role without them"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
			       "{\"code\": \"A81016\", \"roles\": [\"VIEW\"], \"clusters\": [1]}"),
		 400, "bad_field", "organisations[0].clusters[0]", "a cluster that is not the organisation's"},
		{ADM, NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net", ""),
		 400, "bad_field", "organisations", "no organisation"},
		{ADM, "{\"email\": \"jane.smith@nhs.net\", \"email_confirm\": \"jane.smith@nhs.net\","
		      " \"first_name\": \"Jane\", \"last_name\": \"Smith\", \"work_phone\": \"call me\","
		      " \"organisations\": [{\"code\": \"A81001\", \"roles\": [\"VIEW\"]}]}",
		 400, "bad_field", "work_phone", "a work phone that is not one"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		POST(T(bad[i].who), "/api/v1/admin/users", bad[i].body);
		ck(is_err(bad[i].status, bad[i].code, bad[i].field, NULL), "Add New User refuses %s (%ld %s)",
		   bad[i].what, bad[i].status, bad[i].code);
	}
	ck(total(ADM) == before, "no refused request added a user (%lld before, %lld after)",
	   (long long)before, (long long)jint(R.json, "total"));

	POST(T(ADM), "/api/v1/admin/users",
	     NEW_USER("jane.smith@nhs.net", "jane.smith@nhs.net",
		      "{\"code\": \"A81001\", \"roles\": [\"VIEW\", \"FINANCE_VIEW\"], \"payment_types\": [\"QOF\", \"DES\"],"
		      " \"clusters\": [1]}"));
	json_t *u = J("user");
	json_t *org = json_array_get(json_object_get(u, "organisations"), 0);
	const char *bd = jstr(ME(ADM), "business_date");
	ck(R.status == 201 && streq(jstr(u, "user_id"), "jane.smith") &&
	   streq(jstr(u, "state"), "AWAITING_REGISTRATION") && streq(jstr(u, "name"), "Dr Jane Smith") &&
	   streq(jstr(org, "code"), "A81001") &&
	   json_array_size(json_object_get(org, "payment_types")) == 2 &&
	   json_array_size(json_object_get(org, "clusters")) == 1,
	   "Add New User: 201, user ID first.last, awaiting registration, roles, payment types, cluster");
	ck(bd && jstr(u, "registration_expires") &&
	   strcmp(jstr(u, "registration_expires"), bd) > 0,
	   "the registration code is valid after the business date (%s > %s)",
	   jstr(u, "registration_expires"), bd);
	json_t *h = json_array_get(json_object_get(u, "history"), 0);
	ck(streq(jstr(h, "action"), "user.create") && streq(jstr(h, "by"), ADM) &&
	   streq(jstr(h, "from"), "127.0.0.1") && contains(jstr(h, "detail"), "A81001"),
	   "the history says who added the user, from where and with what");
	ck(total(ADM) == before + 1, "the user is listed");
	POST(T(ADM), "/api/v1/admin/users",
	     NEW_USER("jane.smith2@nhs.net", "jane.smith2@nhs.net", "{\"code\": \"00K\", \"roles\": [\"VIEW\"]}"));
	ck(R.status == 201 && streq(jstr(J("user"), "user_id"), "jane.smith2"),
	   "a second Jane Smith becomes jane.smith2");

	/* the PCN organisation role */
	POST(T(UADM), "/api/v1/admin/users",
	     "{\"email\": \"pcn.lead@nhs.net\", \"email_confirm\": \"pcn.lead@nhs.net\","
	     " \"first_name\": \"Pat\", \"last_name\": \"Lead\", \"work_phone\": \"01632 960777\","
	     " \"organisations\": [{\"code\": \"U60172\", \"roles\": [\"DECLARATION_MANAGEMENT\"]}]}");
	ck(R.status == 201, "an ICB User Administrator links a new user to a PCN with Declaration Management");
	GET(T(UADM), "/api/v1/admin/roles?organisation=U60172");
	ck(jint(R.json, "pcn_declarers") == 2, "the PCN now has 2 declarers (the client warns under 2)");
	json_int_t pat = uid_of(UADM, "pat.lead");
	ck(pat > 0, "... and the administrator manages that user");
	json_int_t pcn = uid_of(UADM, "demo.pcn");
	ck(pcn > 0, "it also sees demo.pcn (Declaration Management at U60172)");
	size_t h0 = history_len(ADM, pcn);
	POST(T(UADM), F("/api/v1/admin/users/%lld/actions", (long long)pcn), "{\"action\": \"disable\"}");
	ck(is_err(403, "forbidden", "action", "do not administer"),
	   "but cannot disable it (it holds PCN Management there too)");
	PUT(T(UADM), F("/api/v1/admin/users/%lld/organisations/U60172", (long long)pcn),
	    "{\"roles\": [\"DECLARATION_MANAGEMENT\"]}");
	ck(is_err(403, "forbidden", "roles", NULL), "nor replace its PCN roles");
	go(T(UADM), "DELETE", NULL, F("/api/v1/admin/users/%lld/organisations/U60172", (long long)pcn));
	ck(is_err(403, "forbidden", NULL, NULL) && history_len(ADM, pcn) == h0,
	   "nor revoke that link; nothing was written");
	go(T(UADM), "DELETE", NULL, F("/api/v1/admin/users/%lld/organisations/U60172", (long long)pat));
	ck(R.status == 200, "it can revoke the Declaration Management link it made");
}

static void test_change_user(void)
{
	json_int_t view = uid_of(ADM, "demo.view");
	size_t h0 = history_len(ADM, view);
	PUT(T(ADM), F("/api/v1/admin/users/%lld", (long long)view),
	    "{\"title\": \"\", \"first_name\": \"Tom\", \"last_name\": \"Rowley\", \"work_phone\": \"12\", \"mobile\": \"\"}");
	ck(is_err(400, "bad_field", "work_phone", NULL) && history_len(ADM, view) == h0,
	   "contact details: a bad phone is refused and nothing is written");
	PUT(T(ADM), F("/api/v1/admin/users/%lld", (long long)view),
	    "{\"title\": \"Mr\", \"first_name\": \"Tom\", \"last_name\": \"Rowley\", \"work_phone\": \"01632 960102\", \"mobile\": \"07700 900123\"}");
	ck(R.status == 200 && streq(jstr(J("user"), "name"), "Mr Tom Rowley") &&
	   streq(jstr(J("user"), "mobile"), "07700 900123"), "contact details are changed");

	/* links */
	const char *path = F("/api/v1/admin/users/%lld/organisations/A81004", (long long)view);
	PUT(T(ADM), path, "{\"roles\": [\"PCN_MANAGEMENT\"]}");
	ck(is_err(400, "role_not_for_kind", "roles[0]", NULL), "a link with a role not for its kind is refused");
	PUT(T(ADM), path, "{\"roles\": []}");
	ck(is_err(400, "bad_field", "roles", NULL), "a link without roles is refused (revoke it instead)");
	PUT(T(PRAC), path, "{\"roles\": [\"VIEW\"]}");
	ck(is_err(404, "not_found", "code", NULL), "a practice administrator cannot link to another practice");
	PUT(T(ADM), path, "{\"roles\": [\"VIEW\"], \"payment_types\": [\"ES\"]}");
	json_t *orgs = json_object_get(J("user"), "organisations");
	ck(R.status == 200 && json_array_size(orgs) == 2, "a second organisation is linked");
	PUT(T(ADM), path, "{\"roles\": [\"VIEW\", \"SUPERVISOR\"]}");
	bool found = false;
	size_t i;
	json_t *o;
	json_array_foreach(json_object_get(J("user"), "organisations"), i, o)
		if (streq(jstr(o, "code"), "A81004"))
			found = json_array_size(json_object_get(o, "roles")) == 2 &&
				json_array_size(json_object_get(o, "payment_types")) == 0;
	ck(R.status == 200 && found, "the link's roles are replaced (payment types cleared)");
	go(T(ADM), "DELETE", NULL, path);
	ck(R.status == 200 && json_array_size(json_object_get(J("user"), "organisations")) == 1,
	   "the link is revoked");
	go(T(ADM), "DELETE", NULL, path);
	ck(is_err(404, "not_found", NULL, NULL), "revoking it again is 404");
	GET(T(ADM), F("/api/v1/admin/users/%lld", (long long)view));
	ck(history_with("link.revoke") && history_with("link.set") && history_with("user.update"),
	   "each change is in the user's history");

	/* the last administrator of an organisation */
	json_int_t padm = uid_of(ADM, PADM);
	size_t h1 = history_len(ADM, padm);
	const char *ppath = F("/api/v1/admin/users/%lld/organisations/A81004", (long long)padm);
	go(T(ADM), "DELETE", NULL, ppath);
	ck(is_err(409, "last_admin", NULL, "A81004"), "revoking the last user administrator of A81004 is refused");
	PUT(T(ADM), ppath, "{\"roles\": [\"VIEW\"]}");
	ck(is_err(409, "last_admin", "roles", NULL), "... so is replacing its roles without one");
	POST(T(ADM), F("/api/v1/admin/users/%lld/actions", (long long)padm), "{\"action\": \"disable\"}");
	ck(is_err(409, "last_admin", "action", NULL), "... and disabling it");
	ck(history_len(ADM, padm) == h1 && streq(state_of(ADM, padm), "ACTIVE"), "none of them wrote anything");
	POST(T(ADM), F("/api/v1/admin/users/%lld/actions", (long long)uid_of(ADM, ADM)),
	     "{\"action\": \"disable\"}");
	ck(is_err(403, "forbidden", NULL, "own"), "an administrator cannot disable itself");
}

static void test_actions(void)
{
	json_int_t view = uid_of(ADM, "demo.view");
	long st;
	char *tok = sign_in(&srv, "demo.view", PASSWORD, &st);
	ck(tok != NULL, "demo.view signs in");
	const char *act = F("/api/v1/admin/users/%lld/actions", (long long)view);
	POST(T(ADM), act, "{\"action\": \"disable\"}");
	ck(R.status == 200 && streq(jstr(J("user"), "state"), "DISABLED"), "disable: the account is DISABLED");
	GET(tok, "/api/v1/me");
	ck(is_err(401, "unauthenticated", NULL, NULL), "its session ends at once (next request 401)");
	char *again = sign_in(&srv, "demo.view", PASSWORD, &st);
	ck(!again && st == 403, "it cannot sign in (403)");
	free(again);
	POST(T(ADM), act, "{\"action\": \"disable\"}");
	ck(is_err(409, "conflict", "action", NULL), "disabling it again is 409");
	POST(T(ADM), act, "{\"action\": \"enable\"}");
	ck(R.status == 200 && streq(jstr(J("user"), "state"), "ACTIVE"), "enable: ACTIVE again");
	again = sign_in(&srv, "demo.view", PASSWORD, &st);
	ck(again != NULL, "it signs in again");
	free(again);
	free(tok);

	json_int_t locked = uid_of(PADM, "demo.locked");
	char *lt = sign_in(&srv, "demo.locked", PASSWORD, &st);
	ck(!lt && st == 429, "demo.locked's sign-ins wait (429)");
	free(lt);
	POST(T(PADM), F("/api/v1/admin/users/%lld/actions", (long long)locked), "{\"action\": \"unlock\"}");
	ck(R.status == 200 && streq(jstr(J("user"), "state"), "ACTIVE"), "unlock: ACTIVE");
	lt = sign_in(&srv, "demo.locked", PASSWORD, &st);
	ck(lt != NULL, "it signs in at once");
	free(lt);
	POST(T(PADM), F("/api/v1/admin/users/%lld/actions", (long long)locked), "{\"action\": \"unlock\"}");
	ck(is_err(409, "conflict", "action", "not locked"), "unlocking an account not locked is 409");
	POST(T(PADM), F("/api/v1/admin/users/%lld/actions", (long long)locked), "{\"action\": \"resend\"}");
	ck(is_err(409, "conflict", "action", NULL), "resend is only for accounts awaiting registration");

	json_int_t nu = uid_of(PADM, "demo.newuser");
	POST(T(PADM), F("/api/v1/admin/users/%lld/actions", (long long)nu), "{\"action\": \"resend\"}");
	ck(R.status == 200 && jstr(J("user"), "registration_expires"), "resend issues a new code");
	POST(NULL, "/api/v1/registration",
	     "{\"user_id\": \"demo.newuser\", \"code\": \"DEMO-REG-2026\", \"password\": \"Good-Pass-2025\","
	     " \"password_confirm\": \"Good-Pass-2025\"}");
	ck(is_err(400, "bad_code", "code", NULL), "the old code stops working");

	/* sign-ins and failures in the history, with the address */
	char *bad = sign_in(&srv, "demo.view", "not the password", &st);
	free(bad);
	GET(T(ADM), F("/api/v1/admin/users/%lld", (long long)view));
	json_t *f = history_with("signin.failed"), *s = history_with("signin");
	ck(f && streq(jstr(f, "from"), "127.0.0.1") && contains(jstr(f, "detail"), "wrong password") && s,
	   "sign-ins and failed sign-ins are in the history with the client address");
	GET(T(ADM), F("/api/v1/admin/users/%lld", (long long)view));
	ck(jstr(R.json, "last_signin") != NULL, "last_signin is set");
}

/* A cluster on a user's link changes that user's reach on its next request. */
static void test_cluster_link(void)
{
	json_int_t cl = uid_of(ADM, "demo.cluster");
	GET(T("demo.cluster"), "/api/v1/organisations/A81007");
	ck(R.status == 404, "demo.cluster (Tees Valley South) cannot see A81007");
	const char *path = F("/api/v1/admin/users/%lld/organisations/00K", (long long)cl);
	PUT(T(ADM), path, "{\"roles\": [\"COMMISSIONING_MANAGEMENT\", \"ACHIEVEMENT_ENTRY\", \"VIEW\"],"
			  " \"clusters\": [2]}");
	ck(R.status == 200, "the administrator gives demo.cluster the other cluster instead");
	GET(T("demo.cluster"), "/api/v1/organisations/A81007");
	long a = R.status;
	GET(T("demo.cluster"), "/api/v1/organisations/A81001");
	ck(a == 200 && R.status == 404, "on its next request it sees A81007 and no longer A81001");
	PUT(T(ADM), path, "{\"roles\": [\"COMMISSIONING_MANAGEMENT\", \"ACHIEVEMENT_ENTRY\", \"VIEW\"],"
			  " \"clusters\": [1]}");
	GET(T("demo.cluster"), "/api/v1/organisations/A81001");
	ck(R.status == 200, "and back");
}

int main(void)
{
	apitest_start(180);
	test_who_manages_whom();
	test_roles_and_checks();
	test_add_user();
	test_change_user();
	test_actions();
	test_cluster_link();
	apitest_done();
	server_stop(&srv, 10, tap_failed() > 0);
	return tap_done();
}
