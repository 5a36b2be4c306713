/* h_admin.c: user administration (Administration > Users, issue 11): the
 * users an administrator manages, adding a user (who then registers with
 * an e-mailed code), contact details, organisation links with their
 * roles, payment types and clusters, disable / enable / unlock / resend,
 * and each user's history. Who manages whom is ADMIN_CTE (store_int.h);
 * the rules of what may be granted, and the last-administrator rule, are
 * here. Every check runs before anything is written; every change writes
 * an audit row with the client's address. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/http/auth.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "jsonx.h"

#define ADMIN_ROLES "USER_ADMIN,ADV_USER_ADMIN"
#define REGISTRATION_DAYS 14
#define MAX_LINKS 20

static const char *const payment_types[] = {"QOF", "DES", "ES", "VI", "PO"};

/* A refusal decided inside a transaction, replied after it. */
struct fail {
	int status;
	const char *code;
	char field[64];
	char msg[300];
};

static enum st refuse(struct fail *f, int status, const char *code, const char *field,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static enum st refuse(struct fail *f, int status, const char *code, const char *field,
		      const char *fmt, ...)
{
	f->status = status;
	f->code = code;
	strlcpy_s(f->field, field ? field : "", sizeof f->field);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->msg, sizeof f->msg, fmt, ap);
	va_end(ap);
	return ST_INVALID;
}

static void reply_fail(struct req *r, const struct fail *f, enum st st)
{
	if (f->status)
		reply_error(r, f->status, f->code, f->field, "%s", f->msg);
	else
		reply_store_error(r, st);
}

/* ---- input rules --------------------------------------------------------------- */

bool admin_email_valid(const char *e)
{
	size_t n = strlen(e);
	const char *at = strchr(e, '@');
	if (n < 3 || n > 120 || !at || at == e || strchr(at + 1, '@'))
		return false;
	for (const char *p = e; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("\"(),:;<>[\\]", *p))
			return false;
	const char *dom = at + 1;
	size_t dl = strlen(dom);
	if (!strcasecmp(dom, "nhs.net") || !strcasecmp(dom, "nhs.uk"))
		return true;
	return dl > 7 && !strcasecmp(dom + dl - 7, ".nhs.uk") && dom[0] != '.';
}

/* Checks the e-mail pair: 400 email_mismatch / not_nhs_email, 409
 * duplicate_email. */
static bool email_pair_ok(struct req *r, const char *email, const char *confirm,
			  const char *confirm_field)
{
	if (strcasecmp(email, confirm) != 0) {
		reply_error(r, 400, "email_mismatch", confirm_field,
			    "the e-mail addresses do not match");
		return false;
	}
	if (!admin_email_valid(email)) {
		reply_error(r, 400, "not_nhs_email", "email",
			    "use an nhs.net or nhs.uk e-mail address (such as jane.smith@nhs.net)");
		return false;
	}
	if (store_email_taken(r->db, email, 0)) {
		reply_error(r, 409, "duplicate_email", "email",
			    "a user with the e-mail address %s already exists", email);
		return false;
	}
	return true;
}

static bool name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	if (n < 1 || n > max)
		return false;
	bool letter = false;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (isalpha(c) || c >= 0x80)
			letter = true;
		else if (!strchr(" '-.", c))
			return false;
	}
	return letter;
}

static bool phone_ok(const char *s)
{
	size_t n = strlen(s), digits = 0;
	if (n < 6 || n > 20)
		return false;
	for (const char *p = s; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if (!strchr(" +()-", *p))
			return false;
	}
	return digits >= 6;
}

/* The contact details of a body into d (name made from them); replies
 * 400 and returns false when one is wrong. */
static bool details_ok(struct req *r, struct user_details *d, char *name, size_t namesz)
{
	if (d->title && *d->title && !name_ok(d->title, 20)) {
		reply_error(r, 400, "bad_field", "title", "the title must be up to 20 letters");
		return false;
	}
	if (!name_ok(d->first_name, 60)) {
		reply_error(r, 400, "bad_field", "first_name",
			    "enter a first name of up to 60 letters, spaces, ' or -");
		return false;
	}
	if (!name_ok(d->last_name, 60)) {
		reply_error(r, 400, "bad_field", "last_name",
			    "enter a last name of up to 60 letters, spaces, ' or -");
		return false;
	}
	if (!phone_ok(d->work_phone)) {
		reply_error(r, 400, "bad_field", "work_phone",
			    "enter a work phone number of 6 to 20 digits, spaces, +, ( ) or -");
		return false;
	}
	if (d->mobile && *d->mobile && !phone_ok(d->mobile)) {
		reply_error(r, 400, "bad_field", "mobile",
			    "a mobile number has 6 to 20 digits, spaces, +, ( ) or - (or leave it empty)");
		return false;
	}
	snprintf(name, namesz, "%s%s%s %s", d->title && *d->title ? d->title : "",
		 d->title && *d->title ? " " : "", d->first_name, d->last_name);
	d->name = name;
	return true;
}

/* One organisation link as asked: checked against the organisation's
 * kind, the administrator's reach and the clusters the link may carry. */
struct link_in {
	struct org_rec org;
	const char *roles[16];
	size_t nroles;
	char payment_types[32];
	int64_t clusters[32];
	size_t nclusters;
	bool admin_role; /* USER_ADMIN or ADV_USER_ADMIN among roles */
	int access;      /* store_admin_org_access: 1 any role, 2 Declaration Management only */
};

/* Whether administrator admin may change every live role of uid (at
 * org_id only, when it is not 0): each is at an organisation it
 * administers, and is Declaration Management where it may grant only that. */
static bool admin_covers(struct db *db, int64_t admin, int64_t uid, int64_t org_id)
{
	struct grant *g = NULL;
	size_t n = 0;
	if (store_user_grants(db, uid, &g, &n) != ST_OK)
		return false;
	bool all = true;
	for (size_t i = 0; all && i < n; i++) {
		if (org_id && g[i].org_id != org_id)
			continue;
		int access = store_admin_org_access(db, admin, g[i].org_id);
		all = access == 1 || (access == 2 && !strcmp(g[i].role, "DECLARATION_MANAGEMENT"));
	}
	free(g);
	return all;
}

static bool link_parse(struct req *r, json_t *o, const char *code, const char *prefix,
		       struct link_in *l)
{
	char f[96];
	memset(l, 0, sizeof *l);
	json_t *roles = NULL, *pts = NULL, *cls = NULL;
	const char *ocode = NULL;
	struct jx_field spec[] = {
		{"code", JX_STRING, code == NULL, &ocode, 15, false},
		{"roles", JX_ARRAY, true, &roles, 0, false},
		{"payment_types", JX_ARRAY, false, &pts, 0, true},
		{"clusters", JX_ARRAY, false, &cls, 0, true},
	};
	struct jx_error err;
	if (!json_is_object(o)) {
		reply_error(r, 400, "bad_field", prefix, "%s must be an object", prefix);
		return false;
	}
	if (!jx_unpack(o, spec, ARRAY_SIZE(spec), &err)) {
		snprintf(f, sizeof f, "%s%s%s", prefix, *prefix ? "." : "", err.field);
		reply_error(r, 400, strncmp(err.message, "unknown", 7) ? "bad_field" : "unknown_field",
			    f, "%s", err.message);
		return false;
	}
	if (code && ocode && strcmp(code, ocode) != 0) {
		snprintf(f, sizeof f, "%s%scode", prefix, *prefix ? "." : "");
		reply_error(r, 400, "bad_field", f, "the code does not match the address");
		return false;
	}
	if (!code)
		code = ocode;
	snprintf(f, sizeof f, "%s%scode", prefix, *prefix ? "." : "");
	int access = 0;
	if (store_org_by_code(r->db, code, &l->org) == ST_OK)
		access = store_admin_org_access(r->db, r->auth->uid, l->org.id);
	l->access = access;
	if (!access) {
		reply_error(r, 404, "not_found", f,
			    "there is no organisation %s whose users you administer", code);
		return false;
	}
	size_t n = json_array_size(roles);
	if (n == 0 || n > ARRAY_SIZE(l->roles)) {
		snprintf(f, sizeof f, "%s%sroles", prefix, *prefix ? "." : "");
		reply_error(r, 400, "bad_field", f, "choose between 1 and %zu roles",
			    ARRAY_SIZE(l->roles));
		return false;
	}
	bool pt_role = false;
	for (size_t i = 0; i < n; i++) {
		const char *role = json_string_value(json_array_get(roles, i));
		snprintf(f, sizeof f, "%s%sroles[%zu]", prefix, *prefix ? "." : "", i);
		if (!role || strlen(role) > 31 || !store_role_exists(r->db, role)) {
			reply_error(r, 400, "bad_field", f, "%s is not a role", role ? role : "this");
			return false;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(l->roles[j], role)) {
				reply_error(r, 400, "bad_field", f, "%s is listed twice", role);
				return false;
			}
		if (!store_role_fits(r->db, role, l->org.kind)) {
			reply_error(r, 400, "role_not_for_kind", f,
				    "the role %s is not for a%s %s organisation", role,
				    strchr("AEIOU", l->org.kind[0]) ? "n" : "", l->org.kind);
			return false;
		}
		if (access == 2 && strcmp(role, "DECLARATION_MANAGEMENT") != 0) {
			reply_error(r, 403, "forbidden", f,
				    "at %s you may grant Declaration Management only (the PCN "
				    "organisation role)", l->org.code);
			return false;
		}
		l->roles[l->nroles++] = role;
		if (role_listed(ROLES_PAYMENT_TYPES, role))
			pt_role = true;
		if (!strcmp(role, "USER_ADMIN") || !strcmp(role, "ADV_USER_ADMIN"))
			l->admin_role = true;
	}
	for (size_t i = 0; i < json_array_size(pts); i++) {
		const char *pt = json_string_value(json_array_get(pts, i));
		snprintf(f, sizeof f, "%s%spayment_types[%zu]", prefix, *prefix ? "." : "", i);
		bool known = false;
		for (size_t k = 0; pt && k < ARRAY_SIZE(payment_types); k++)
			known |= !strcmp(pt, payment_types[k]);
		if (!known) {
			reply_error(r, 400, "bad_field", f, "payment types are QOF, DES, ES, VI and PO");
			return false;
		}
		if (!pt_role) {
			reply_error(r, 400, "bad_field", f,
				    "only View and Finance View can be limited to payment types");
			return false;
		}
		if (strstr(l->payment_types, pt)) {
			reply_error(r, 400, "bad_field", f, "%s is listed twice", pt);
			return false;
		}
		if (*l->payment_types)
			strcat(l->payment_types, ",");
		strcat(l->payment_types, pt);
	}
	if (json_array_size(cls) > ARRAY_SIZE(l->clusters)) {
		snprintf(f, sizeof f, "%s%sclusters", prefix, *prefix ? "." : "");
		reply_error(r, 400, "bad_field", f, "at most %zu clusters", ARRAY_SIZE(l->clusters));
		return false;
	}
	for (size_t i = 0; i < json_array_size(cls); i++) {
		json_t *c = json_array_get(cls, i);
		snprintf(f, sizeof f, "%s%sclusters[%zu]", prefix, *prefix ? "." : "", i);
		if (!json_is_integer(c) ||
		    !store_cluster_fits_org(r->db, json_integer_value(c), l->org.id)) {
			reply_error(r, 400, "bad_field", f,
				    "that is not a Provider Cluster of %s", l->org.code);
			return false;
		}
		l->clusters[l->nclusters++] = json_integer_value(c);
	}
	return true;
}

/* "A81001: View, Finance View (QOF)" for the history. */
static void link_words(const struct link_in *l, char *out, size_t size)
{
	size_t w = (size_t)snprintf(out, size, "%s:", l->org.code);
	for (size_t i = 0; i < l->nroles && w < size; i++)
		w += (size_t)snprintf(out + w, size - w, "%s %s", i ? "," : "", l->roles[i]);
	if (*l->payment_types && w < size)
		w += (size_t)snprintf(out + w, size - w, " (%s)", l->payment_types);
	if (l->nclusters && w < size)
		snprintf(out + w, size - w, " clusters %zu", l->nclusters);
}

static json_t *detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *detail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	json_t *j = json_pack("{s:s}", "detail", s);
	free(s);
	return j;
}

/* Audits an administrator's change of a user. */
static enum st audit_user(struct db *db, struct req *r, const char *action, int64_t uid,
			  json_t *after)
{
	enum st st = store_audit_from(db, r->auth->uid, r->addr, action, "user", uid, NULL, after);
	json_decref(after);
	return st;
}

/* ---- registration e-mail ---------------------------------------------------------- */

enum st admin_send_code(struct db *db, int64_t uid, const char *user_id, const char *name,
			const char *email, bool reset, int64_t now)
{
	char code[15], hash[65];
	auth_new_code(code, hash);
	enum st st = store_code_issue(db, uid, reset ? "RESET" : "REGISTRATION", hash,
				      reset ? 0 : REGISTRATION_DAYS, reset ? now + 30 * 60 : 0, now);
	if (st != ST_OK)
		return st;
	char today[11], last[11], shown[11];
	store_business_date(db, today);
	date_add_days(today, REGISTRATION_DAYS, last);
	date_display(last, shown);
	char *body;
	if (reset)
		body = xasprintf(
			"Dear %s,\n\n"
			"Someone (we hope you) asked to reset the password of your CQRS account.\n\n"
			"  Your user ID:    %s\n"
			"  Your reset code: %s   (valid for 30 minutes)\n\n"
			"To choose a new password, run\n\n"
			"    cqrs register --user %s\n\n"
			"and type the code when asked (or choose \"Register with a code\" on the\n"
			"sign-in screen). The password policy is shown there.\n\n"
			"If you did not ask for this, ignore this e-mail: your password has not\n"
			"changed.\n",
			name, user_id, code, user_id);
	else
		body = xasprintf(
			"Dear %s,\n\n"
			"Your user administrator has set up a CQRS account for you.\n\n"
			"  Your user ID:           %s\n"
			"  Your registration code: %s   (valid until %s)\n\n"
			"To complete your registration, run\n\n"
			"    cqrs register --user %s\n\n"
			"and type the code when asked (or choose \"Register with a code\" on the\n"
			"sign-in screen). You will then read the password policy and choose your\n"
			"password, and can sign in with your user ID and that password.\n\n"
			"The code can be used once. If it has expired, ask your user\n"
			"administrator to send a new one.\n",
			name, user_id, code, shown, user_id);
	st = store_email_to(db, email, reset ? "PASSWORD_RESET" : "REGISTRATION",
			    reset ? "CQRS: your password reset code"
				  : "CQRS: complete your registration", body);
	free(body);
	return st;
}

/* ---- GET ------------------------------------------------------------------------------ */

static bool state_valid(const char *s)
{
	return !strcmp(s, "ACTIVE") || !strcmp(s, "AWAITING_REGISTRATION") ||
	       !strcmp(s, "LOCKED") || !strcmp(s, "DISABLED");
}

/* An organisation the administrator manages, from the query; 404 otherwise. */
static bool admin_org_query(struct req *r, const char *name, bool required, struct org_rec *o,
			    int *access)
{
	const char *code = req_query(r, name);
	memset(o, 0, sizeof *o);
	*access = 0;
	if (!code) {
		if (required)
			reply_error(r, 400, "bad_query", name, "%s is required", name);
		return !required;
	}
	if (strlen(code) < 16 && store_org_by_code(r->db, code, o) == ST_OK)
		*access = store_admin_org_access(r->db, r->auth->uid, o->id);
	if (!*access) {
		reply_error(r, 404, "not_found", name,
			    "there is no organisation %s whose users you administer", code);
		return false;
	}
	return true;
}

void h_admin_users(struct req *r)
{
	const char *q = req_query(r, "q"), *state = req_query(r, "state");
	struct org_rec o;
	int access, limit, offset;
	if (state && !state_valid(state)) {
		reply_error(r, 400, "bad_query", "state",
			    "state must be ACTIVE, AWAITING_REGISTRATION, LOCKED or DISABLED");
		return;
	}
	if (q && strlen(q) > 100) {
		reply_error(r, 400, "bad_query", "q", "search for at most 100 characters");
		return;
	}
	if (!admin_org_query(r, "organisation", false, &o, &access) ||
	    !query_int(r, "limit", 50, 1, 500, &limit) ||
	    !query_int(r, "offset", 0, 0, 1000000, &offset))
		return;
	json_t *j = store_admin_users_json(r->db, r->auth->uid, q, state, o.id, limit, offset);
	if (!j) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	reply_json(r, 200, j);
}

void h_admin_email_check(struct req *r)
{
	const char *email = req_query(r, "email"), *confirm = req_query(r, "confirm");
	if (!email || !confirm) {
		reply_error(r, 400, "bad_query", email ? "confirm" : "email",
			    "enter the e-mail address twice");
		return;
	}
	if (email_pair_ok(r, email, confirm, "confirm"))
		reply_json(r, 200, json_pack("{s:b}", "ok", 1));
}

void h_admin_roles(struct req *r)
{
	struct org_rec o;
	int access;
	if (!admin_org_query(r, "organisation", true, &o, &access))
		return;
	json_t *pts = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(payment_types); i++)
		json_array_append_new(pts, json_string(payment_types[i]));
	json_t *j = json_pack("{s:{s:s, s:s, s:s}, s:o, s:o, s:o}",
		"organisation", "code", o.code, "name", o.name, "kind", o.kind,
		"roles", store_roles_for_kind_json(r->db, o.kind, access == 2),
		"payment_types", pts, "clusters", store_org_clusters_json(r->db, o.id));
	if (!strcmp(o.kind, "PCN"))
		json_object_set_new(j, "pcn_declarers",
				    json_integer(store_pcn_declarers(r->db, o.id)));
	reply_json(r, 200, j);
}

static void reply_user(struct req *r, int status, int64_t uid)
{
	json_t *u = store_admin_user_json(r->db, r->auth->uid, uid);
	if (!u) {
		reply_error(r, 404, "not_found", NULL, "there is no user %lld that you administer",
			    (long long)uid);
		return;
	}
	reply_json(r, status, json_pack("{s:o}", "user", u));
}

void h_admin_user_get(struct req *r)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return;
	json_t *u = store_admin_user_json(r->db, r->auth->uid, id);
	if (!u) {
		reply_error(r, 404, "not_found", NULL, "there is no user %lld that you administer",
			    (long long)id);
		return;
	}
	reply_json(r, 200, u);
}

/* ---- POST /admin/users -------------------------------------------------------------------- */

struct create {
	struct req *r;
	struct user_details d;
	struct link_in *links;
	size_t nlinks;
	int64_t uid;
	char user_id[65];
	struct fail fail;
};

/* first.last from the names: lower-case ASCII letters only. */
static void user_id_base(const char *first, const char *last, char *out, size_t size)
{
	size_t w = 0;
	const char *parts[2] = {first, last};
	for (int k = 0; k < 2; k++) {
		if (k && w + 1 < size)
			out[w++] = '.';
		for (const char *p = parts[k]; *p && w + 1 < size && w < 40; p++)
			if (isalpha((unsigned char)*p) && (unsigned char)*p < 0x80)
				out[w++] = (char)tolower((unsigned char)*p);
	}
	out[w] = '\0';
	if (w < 3 || out[0] == '.' || out[w - 1] == '.')
		snprintf(out, size, "user");
}

static enum st create_tx(struct db *db, void *arg)
{
	struct create *c = arg;
	if (store_email_taken(db, c->d.email, 0))
		return refuse(&c->fail, 409, "duplicate_email", "email",
			      "a user with the e-mail address %s already exists", c->d.email);
	char base[48];
	user_id_base(c->d.first_name, c->d.last_name, base, sizeof base);
	strlcpy_s(c->user_id, base, sizeof c->user_id);
	for (int i = 2; store_user_id_taken(db, c->user_id); i++)
		snprintf(c->user_id, sizeof c->user_id, "%s%d", base, i);
	c->d.user_id = c->user_id;
	int64_t now = wall_s();
	enum st st = store_admin_user_create(db, &c->d, now, &c->uid);
	struct buf words;
	buf_init(&words);
	for (size_t i = 0; st == ST_OK && i < c->nlinks; i++) {
		const struct link_in *l = &c->links[i];
		struct link_set s = {.uid = c->uid, .org_id = l->org.id, .by = c->r->auth->uid,
				     .now = now, .roles = l->roles, .nroles = l->nroles,
				     .payment_types = l->payment_types, .clusters = l->clusters,
				     .nclusters = l->nclusters};
		st = store_link_set(db, &s);
		char w[400];
		link_words(l, w, sizeof w);
		if (i)
			buf_puts(&words, "; ");
		buf_puts(&words, w);
	}
	if (st == ST_OK)
		st = audit_user(db, c->r, "user.create", c->uid,
				detail("added %s <%s> with %s", c->user_id, c->d.email,
				       words.data ? words.data : ""));
	buf_free(&words);
	if (st == ST_OK)
		st = admin_send_code(db, c->uid, c->user_id, c->d.name, c->d.email, false, now);
	return st;
}

void h_admin_user_create(struct req *r)
{
	json_t *body = body_object(r);
	if (!body)
		return;
	struct create c;
	memset(&c, 0, sizeof c);
	c.r = r;
	const char *confirm = NULL;
	json_t *orgs = NULL;
	struct jx_field spec[] = {
		{"email", JX_STRING, true, &c.d.email, 120, false},
		{"email_confirm", JX_STRING, true, &confirm, 120, false},
		{"title", JX_STRING, false, &c.d.title, 20, true},
		{"first_name", JX_STRING, true, &c.d.first_name, 60, false},
		{"last_name", JX_STRING, true, &c.d.last_name, 60, false},
		{"work_phone", JX_STRING, true, &c.d.work_phone, 20, false},
		{"mobile", JX_STRING, false, &c.d.mobile, 20, true},
		{"organisations", JX_ARRAY, true, &orgs, 0, false},
	};
	struct jx_error err;
	char name[160];
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (!email_pair_ok(r, c.d.email, confirm, "email_confirm") ||
	    !details_ok(r, &c.d, name, sizeof name))
		goto out;
	c.nlinks = json_array_size(orgs);
	if (c.nlinks == 0 || c.nlinks > MAX_LINKS) {
		reply_error(r, 400, "bad_field", "organisations",
			    "add between 1 and %d organisations", MAX_LINKS);
		goto out;
	}
	c.links = xcalloc(c.nlinks, sizeof *c.links);
	for (size_t i = 0; i < c.nlinks; i++) {
		char prefix[48];
		snprintf(prefix, sizeof prefix, "organisations[%zu]", i);
		if (!link_parse(r, json_array_get(orgs, i), NULL, prefix, &c.links[i]))
			goto out;
		for (size_t j = 0; j < i; j++)
			if (c.links[j].org.id == c.links[i].org.id) {
				reply_error(r, 400, "bad_field", prefix, "%s is listed twice",
					    c.links[i].org.code);
				goto out;
			}
	}
	enum st st = store_tx(r->db, true, create_tx, &c);
	if (st != ST_OK)
		reply_fail(r, &c.fail, st);
	else
		reply_user(r, 201, c.uid);
out:
	free(c.links);
	json_decref(body);
}

/* ---- changes to one user -------------------------------------------------------------------- */

/* The user of the path when the administrator manages it (404 otherwise)
 * and it is not the administrator (403: nobody changes their own access
 * here). */
static int64_t target_user(struct req *r, bool not_self, struct user_rec *u)
{
	int64_t id = param_id(r, 0);
	if (!id)
		return 0;
	if (!store_admin_manages_user(r->db, r->auth->uid, id) ||
	    store_user_by_id(r->db, id, u) != ST_OK) {
		reply_error(r, 404, "not_found", NULL, "there is no user %lld that you administer",
			    (long long)id);
		return 0;
	}
	if (not_self && id == r->auth->uid) {
		reply_error(r, 403, "forbidden", NULL,
			    "you cannot change your own access; ask another administrator");
		return 0;
	}
	return id;
}

struct details_chg {
	struct req *r;
	int64_t uid;
	struct user_details d;
};

static enum st details_tx(struct db *db, void *arg)
{
	struct details_chg *c = arg;
	enum st st = store_user_details_set(db, c->uid, &c->d);
	if (st == ST_OK)
		st = audit_user(db, c->r, "user.update", c->uid,
				detail("contact details: %s, work %s%s%s", c->d.name,
				       c->d.work_phone, c->d.mobile && *c->d.mobile ? ", mobile " : "",
				       c->d.mobile ? c->d.mobile : ""));
	return st;
}

void h_admin_user_update(struct req *r)
{
	struct user_rec u;
	struct details_chg c = {.r = r};
	if (!(c.uid = target_user(r, false, &u)))
		return;
	json_t *body = body_object(r);
	if (!body)
		return;
	struct jx_field spec[] = {
		{"title", JX_STRING, true, &c.d.title, 20, false},
		{"first_name", JX_STRING, true, &c.d.first_name, 60, false},
		{"last_name", JX_STRING, true, &c.d.last_name, 60, false},
		{"work_phone", JX_STRING, true, &c.d.work_phone, 20, false},
		{"mobile", JX_STRING, true, &c.d.mobile, 20, false},
	};
	struct jx_error err;
	char name[160];
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err))
		reply_jx_error(r, &err);
	else if (details_ok(r, &c.d, name, sizeof name)) {
		enum st st = store_tx(r->db, true, details_tx, &c);
		if (st != ST_OK)
			reply_store_error(r, st);
		else
			reply_user(r, 200, c.uid);
	}
	json_decref(body);
}

struct link_chg {
	struct req *r;
	int64_t uid;
	struct link_in l;
	bool revoke;
	struct fail fail;
};

static enum st link_tx(struct db *db, void *arg)
{
	struct link_chg *c = arg;
	bool exists = store_link_exists(db, c->uid, c->l.org.id);
	if (!c->revoke && c->l.access == 2 && !admin_covers(db, c->r->auth->uid, c->uid, c->l.org.id))
		return refuse(&c->fail, 403, "forbidden", "roles",
			      "the user has other roles at %s, which you may not change", c->l.org.code);
	if (c->revoke && !exists)
		return refuse(&c->fail, 404, "not_found", NULL, "the user has no link to %s",
			      c->l.org.code);
	/* The last administrator of an organisation stays. */
	int64_t *admins = NULL;
	int n = store_user_admin_links(db, c->uid, &admins);
	bool was_admin = false;
	for (int i = 0; i < n; i++)
		was_admin |= admins[i] == c->l.org.id;
	free(admins);
	if (was_admin && (c->revoke || !c->l.admin_role) &&
	    store_org_admins(db, c->l.org.id, c->uid) == 0)
		return refuse(&c->fail, 409, "last_admin", c->revoke ? NULL : "roles",
			      "this user is the last user administrator of %s; make someone "
			      "else one first", c->l.org.code);
	int64_t now = now_s();
	enum st st;
	char w[400];
	if (c->revoke) {
		st = store_link_revoke(db, c->uid, c->l.org.id, now);
		snprintf(w, sizeof w, "revoked every role at %s", c->l.org.code);
	} else {
		struct link_set s = {.uid = c->uid, .org_id = c->l.org.id, .by = c->r->auth->uid,
				     .now = now, .roles = c->l.roles, .nroles = c->l.nroles,
				     .payment_types = c->l.payment_types,
				     .clusters = c->l.clusters, .nclusters = c->l.nclusters};
		st = store_link_set(db, &s);
		char lw[380];
		link_words(&c->l, lw, sizeof lw);
		snprintf(w, sizeof w, "%s %s", exists ? "changed" : "added", lw);
	}
	if (st == ST_OK)
		st = audit_user(db, c->r, c->revoke ? "link.revoke" : "link.set", c->uid,
				detail("%s", w));
	return st;
}

static void link_change(struct req *r, bool revoke)
{
	struct user_rec u;
	struct link_chg c;
	memset(&c, 0, sizeof c);
	c.r = r;
	c.revoke = revoke;
	if (!(c.uid = target_user(r, true, &u)))
		return;
	const char *code = r->params[1];
	json_t *body = NULL;
	if (revoke) {
		int access = 0;
		if (strlen(code) < 16 && store_org_by_code(r->db, code, &c.l.org) == ST_OK)
			access = store_admin_org_access(r->db, r->auth->uid, c.l.org.id);
		if (!access) {
			reply_error(r, 404, "not_found", NULL,
				    "there is no organisation %s whose users you administer", code);
			return;
		}
		if (access == 2 && !admin_covers(r->db, r->auth->uid, c.uid, c.l.org.id)) {
			reply_error(r, 403, "forbidden", NULL,
				    "at %s you may change Declaration Management only", code);
			return;
		}
	} else {
		body = body_object(r);
		if (!body || !link_parse(r, body, code, "", &c.l))
			goto out;
	}
	enum st st = store_tx(r->db, true, link_tx, &c);
	if (st != ST_OK)
		reply_fail(r, &c.fail, st);
	else
		reply_user(r, 200, c.uid);
out:
	json_decref(body);
}

void h_admin_link_set(struct req *r)
{
	link_change(r, false);
}

void h_admin_link_revoke(struct req *r)
{
	link_change(r, true);
}

struct action {
	struct req *r;
	int64_t uid;
	const char *action;
	struct user_rec u;
	struct fail fail;
};

static enum st action_tx(struct db *db, void *arg)
{
	struct action *a = arg;
	char state[24];
	store_user_state(db, a->uid, state);
	int64_t now = wall_s();
	enum st st;
	bool account = !strcmp(a->action, "disable") || !strcmp(a->action, "enable");
	if (account && !admin_covers(db, a->r->auth->uid, a->uid, 0))
		return refuse(&a->fail, 403, "forbidden", "action",
			      "this user also works for organisations you do not administer; "
			      "revoke your organisation's link instead");
	if (!strcmp(a->action, "disable")) {
		if (!strcmp(state, "DISABLED"))
			return refuse(&a->fail, 409, "conflict", "action", "the account is already disabled");
		int64_t *orgs = NULL;
		int n = store_user_admin_links(db, a->uid, &orgs);
		for (int i = 0; i < n; i++)
			if (store_org_admins(db, orgs[i], a->uid) == 0) {
				struct org_rec o;
				if (store_org_get(db, orgs[i], &o) != ST_OK)
					strcpy(o.code, "an organisation");
				free(orgs);
				return refuse(&a->fail, 409, "last_admin", "action",
					      "this user is the last user administrator of %s; make "
					      "someone else one first", o.code);
			}
		free(orgs);
		st = store_user_set_disabled(db, a->uid, true, now);
		if (st == ST_OK)
			st = audit_user(db, a->r, "user.disable", a->uid,
					detail("disabled; every session signed out"));
	} else if (!strcmp(a->action, "enable")) {
		if (strcmp(state, "DISABLED") != 0)
			return refuse(&a->fail, 409, "conflict", "action", "the account is not disabled");
		st = store_user_set_disabled(db, a->uid, false, now);
		if (st == ST_OK)
			st = audit_user(db, a->r, "user.enable", a->uid, detail("enabled"));
	} else if (!strcmp(a->action, "unlock")) {
		if (strcmp(state, "LOCKED") != 0)
			return refuse(&a->fail, 409, "conflict", "action", "the account is not locked");
		st = store_signin_unlock(db, a->u.user_id);
		if (st == ST_OK)
			st = audit_user(db, a->r, "user.unlock", a->uid,
					detail("sign-in waits cleared"));
	} else {
		if (strcmp(state, "AWAITING_REGISTRATION") != 0)
			return refuse(&a->fail, 409, "conflict", "action",
				      "only an account awaiting registration is sent a registration code");
		st = admin_send_code(db, a->uid, a->u.user_id, a->u.name, a->u.email, false, now);
		if (st == ST_OK)
			st = audit_user(db, a->r, "registration.resend", a->uid,
					detail("a new registration code was e-mailed to %s", a->u.email));
	}
	return st;
}

void h_admin_user_action(struct req *r)
{
	struct action a;
	memset(&a, 0, sizeof a);
	a.r = r;
	json_t *body = body_object(r);
	if (!body)
		return;
	struct jx_field spec[] = {{"action", JX_STRING, true, &a.action, 16, false}};
	struct jx_error err;
	if (!jx_unpack(body, spec, ARRAY_SIZE(spec), &err)) {
		reply_jx_error(r, &err);
		goto out;
	}
	if (strcmp(a.action, "disable") && strcmp(a.action, "enable") &&
	    strcmp(a.action, "unlock") && strcmp(a.action, "resend")) {
		reply_error(r, 400, "bad_field", "action",
			    "the action must be disable, enable, unlock or resend");
		goto out;
	}
	bool self_ok = !strcmp(a.action, "resend") || !strcmp(a.action, "unlock");
	if (!(a.uid = target_user(r, !self_ok, &a.u)))
		goto out;
	enum st st = store_tx(r->db, true, action_tx, &a);
	if (st != ST_OK)
		reply_fail(r, &a.fail, st);
	else
		reply_user(r, 200, a.uid);
out:
	json_decref(body);
}
