/* calls.c: the typed endpoint calls and the URL builder they share; the
 * only code of the client that spells paths, queries and bodies. */
#include "config.h"

#include "client/calls.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

void api_call_free(struct api_call *c)
{
	free(c->path);
	json_decref(c->body);
	memset(c, 0, sizeof(*c));
}

/* ------------------------------------------------------------ URL builder */

char *api_escape(const char *s)
{
	/* the handle is not used for escaping since libcurl 7.82 */
	char *e = curl_easy_escape(NULL, s, 0);
	if (!e)
		abort(); /* out of memory, as the x-alloc helpers */
	char *out = xstrdup(e);
	curl_free(e);
	return out;
}

void url_init(struct url *u, const char *path)
{
	buf_init(&u->b);
	buf_puts(&u->b, path);
	u->query = false;
}

void url_seg(struct url *u, const char *seg)
{
	char *e = api_escape(seg);
	buf_putc(&u->b, '/');
	buf_puts(&u->b, e);
	free(e);
}

void url_id(struct url *u, long long id)
{
	buf_printf(&u->b, "/%lld", id);
}

void url_param(struct url *u, const char *key, const char *value)
{
	if (!value)
		return;
	char *e = api_escape(value);
	buf_printf(&u->b, "%c%s=%s", u->query ? '&' : '?', key, e);
	u->query = true;
	free(e);
}

void url_param_id(struct url *u, const char *key, long long value)
{
	if (!value)
		return;
	buf_printf(&u->b, "%c%s=%lld", u->query ? '&' : '?', key, value);
	u->query = true;
}

char *url_steal(struct url *u)
{
	u->query = false;
	return buf_steal(&u->b);
}

/* ------------------------------------------------------------ helpers */

static struct api_call make(const char *method, char *path, json_t *body)
{
	return (struct api_call){ .method = method, .path = path, .body = body };
}

static struct api_call get(const char *path)
{
	return make("GET", xstrdup(path), NULL);
}

/* GET base/id, or base/id/tail when tail is not NULL. */
static struct api_call get_id(const char *base, long long id, const char *tail)
{
	struct url u;
	url_init(&u, base);
	url_id(&u, id);
	if (tail)
		buf_puts(&u.b, tail);
	return make("GET", url_steal(&u), NULL);
}

/* ------------------------------------------------------------ session */

struct api_call call_sign_in(const char *user_id, const char *password)
{
	/* "home": the answer brings GET /me and Home's tasks along (one
	 * round trip from sign-in to Home) */
	return make("POST", xstrdup("/session"),
		    json_pack("{s:s, s:s, s:b}", "user_id", user_id, "password", password,
			      "home", 1));
}

struct api_call call_sign_out(void)
{
	return make("DELETE", xstrdup("/session"), NULL);
}

struct api_call call_me(void)
{
	return get("/me");
}

struct api_call call_notifications(void)
{
	return get("/me/notifications");
}

struct api_call call_notification_set(const char *kind, bool enabled)
{
	json_t *body = json_object();
	json_object_set_new(body, kind, json_boolean(enabled));
	return make("PUT", xstrdup("/me/notifications"), body);
}

struct api_call call_tasks(void)
{
	return get("/tasks");
}

struct api_call call_task_done(long id)
{
	return make("POST", xasprintf("/tasks/%ld/done", id), NULL);
}

/* ------------------------------------------------------------ organisations */

struct api_call call_orgs(const struct orgs_q *q)
{
	struct url u;
	url_init(&u, "/organisations");
	url_param(&u, "kind", q->kind);
	url_param(&u, "q", q->q);
	url_param_id(&u, "limit", q->limit);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_org(const char *code)
{
	struct url u;
	url_init(&u, "/organisations");
	url_seg(&u, code);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_org_services(const char *code, const char *year)
{
	struct url u;
	url_init(&u, "/organisations");
	url_seg(&u, code);
	buf_puts(&u.b, "/services");
	url_param(&u, "year", year);
	return make("GET", url_steal(&u), NULL);
}

/* ------------------------------------------------------------ services */

struct api_call call_services(void)
{
	return get("/services");
}

struct api_call call_service(long long id)
{
	return get_id("/services", id, NULL);
}

/* ------------------------------------------------------------ offers */

struct api_call call_offers(const struct offers_q *q)
{
	struct url u;
	url_init(&u, "/offers");
	url_param(&u, "year", q->year);
	url_param(&u, "status", q->status);
	url_param(&u, "organisation", q->organisation);
	url_param_id(&u, "service", q->service);
	url_param(&u, "q", q->q);
	url_param_id(&u, "limit", (long long)q->limit);
	url_param_id(&u, "offset", (long long)q->offset);
	if (q->summary)
		url_param(&u, "summary", "service");
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_offer(long long id)
{
	return get_id("/offers", id, NULL);
}

/* A date, or JSON null for none. */
static json_t *date_or_null(const char *d)
{
	return d && d[0] ? json_string(d) : json_null();
}

struct api_call call_offers_create(const struct offer_new *o)
{
	json_t *orgs = json_array();
	for (size_t i = 0; i < o->norgs; i++)
		json_array_append_new(orgs, json_string(o->orgs[i]));
	json_t *body = json_pack("{s:I, s:s, s:s, s:o, s:o, s:o}", "service_id",
				 (json_int_t)o->service, "start_date", o->start, "end_date", o->end,
				 "response_date", date_or_null(o->response), "target_date",
				 date_or_null(o->target), "organisations", orgs);
	return make("POST", xstrdup("/offers"), body);
}

struct api_call call_offers_action(const char *action, const long *ids, size_t n)
{
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, json_integer(ids[i]));
	return make("POST", xstrdup("/offers/actions"),
		    json_pack("{s:s, s:o}", "action", action, "offers", arr));
}

/* ------------------------------------------------------------ achievements */

struct api_call call_achievements(const char *organisation, long long service)
{
	struct url u;
	url_init(&u, "/achievements");
	url_param(&u, "organisation", organisation);
	url_param_id(&u, "service", service);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_achievement(long long id)
{
	return get_id("/achievements", id, NULL);
}

struct api_call call_achievement_results(long long id)
{
	return get_id("/achievements", id, "/results");
}

struct api_call call_submissions(long long achievement, long long group)
{
	struct url u;
	url_init(&u, "/achievements");
	url_id(&u, achievement);
	buf_puts(&u.b, "/submissions");
	url_param_id(&u, "group", group);
	return make("GET", url_steal(&u), NULL);
}

static char *group_path(long long achievement, long long group)
{
	struct url u;
	url_init(&u, "/achievements");
	url_id(&u, achievement);
	buf_puts(&u.b, "/groups");
	url_id(&u, group);
	return url_steal(&u);
}

struct api_call call_group(long long achievement, long long group)
{
	return make("GET", group_path(achievement, group), NULL);
}

struct api_call call_group_save(long long achievement, long long group,
				const struct group_save *g)
{
	json_t *body = json_pack("{s:s, s:I, s:s, s:o}", "mode", g->submit ? "submit" : "wip",
				 "version", (json_int_t)g->version, "notes", g->notes, "values",
				 g->values);
	return make("PUT", group_path(achievement, group), body);
}

struct api_call call_achievement_add(const char *organisation, long long service,
				     const char *date)
{
	return make("POST", xstrdup("/achievements"),
		    json_pack("{s:s, s:I, s:s}", "organisation", organisation, "service_id",
			      (json_int_t)service, "date", date));
}

struct api_call call_missing(void)
{
	return get("/missing");
}

struct api_call call_missing_page(const struct missing_page_q *q)
{
	struct url u;
	url_init(&u, "/missing");
	url_param_id(&u, "service", q->service);
	url_param(&u, "date", q->date);
	url_param(&u, "q", q->q);
	url_param_id(&u, "limit", (long long)q->limit);
	url_param_id(&u, "offset", (long long)q->offset);
	return make("GET", url_steal(&u), NULL);
}

/* ------------------------------------------------------------ declarations */

struct api_call call_declarations(const struct declarations_q *q)
{
	struct url u;
	url_init(&u, "/declarations");
	url_param(&u, "organisation", q->organisation);
	url_param(&u, "status", q->status);
	url_param_id(&u, "service", q->service);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_declaration(long long id)
{
	return get_id("/declarations", id, NULL);
}

struct api_call call_declarations_action(const char *action, json_t *ids, const char *reason)
{
	json_t *body = json_pack("{s:s, s:o}", "action", action, "declarations", ids);
	if (reason)
		json_object_set_new(body, "reason", json_string(reason));
	return make("POST", xstrdup("/declarations/actions"), body);
}

struct api_call call_declare(long long id, long long version, json_t *ticked,
			     const char *notes)
{
	struct url u;
	url_init(&u, "/declarations");
	url_id(&u, id);
	buf_puts(&u.b, "/declare");
	json_t *body = json_pack("{s:I, s:o, s:s}", "version", (json_int_t)version, "ticked",
				 ticked, "notes", notes);
	return make("POST", url_steal(&u), body);
}

/* ------------------------------------------------------------ network */

struct api_call call_network(const char *organisation, long long service, const char *date)
{
	struct url u;
	url_init(&u, "/network");
	url_param(&u, "organisation", organisation);
	url_param_id(&u, "service", service);
	url_param(&u, "date", date && date[0] ? date : NULL);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_network_stuck(void)
{
	return get("/network/stuck");
}

struct api_call call_network_aggregate(const char *pcn, long long service, const char *date)
{
	return make("POST", xstrdup("/network/aggregate"),
		    json_pack("{s:s, s:I, s:s}", "pcn", pcn, "service_id", (json_int_t)service,
			      "date", date));
}

struct api_call call_membership_add(const char *pcn, const char *practice, const char *start,
				    const char *end)
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "pcn", pcn, "practice", practice,
				 "start_date", start);
	if (end)
		json_object_set_new(body, "end_date", json_string(end));
	return make("POST", xstrdup("/memberships"), body);
}

struct api_call call_membership_end(long long id, const char *end)
{
	struct url u;
	url_init(&u, "/memberships");
	url_id(&u, id);
	return make("PUT", url_steal(&u), json_pack("{s:s}", "end_date", end));
}

/* ------------------------------------------------------------ reports */

struct api_call call_reports(void)
{
	return make("GET", xstrdup("/reports"), NULL);
}

struct api_call call_report(const struct report_q *q)
{
	struct url u;
	url_init(&u, "/reports");
	url_seg(&u, q->name);
	const char *key;
	json_t *v;
	json_object_foreach(q->params, key, v) {
		if (!json_is_string(v))
			continue;
		char *k = api_escape(key);
		url_param(&u, k, json_string_value(v));
		free(k);
	}
	if (q->q && q->q[0])
		url_param(&u, "q", q->q);
	url_param(&u, "sort", q->sort && q->sort[0] ? q->sort : NULL);
	url_param_id(&u, "desc", q->desc);
	url_param_id(&u, "limit", q->limit);
	url_param_id(&u, "offset", q->offset);
	url_param(&u, "format", q->format);
	return make("GET", url_steal(&u), NULL);
}

/* ------------------------------------------------------------ administration (issue 11) */

/* An array, or a new empty one for NULL. */
static json_t *arr(json_t *a)
{
	return a ? a : json_array();
}

struct api_call call_admin_users(const struct admin_users_q *q)
{
	struct url u;
	url_init(&u, "/admin/users");
	url_param(&u, "q", q->q && *q->q ? q->q : NULL);
	url_param(&u, "state", q->state && *q->state ? q->state : NULL);
	url_param(&u, "organisation", q->organisation && *q->organisation ? q->organisation : NULL);
	url_param_id(&u, "limit", q->limit);
	url_param_id(&u, "offset", q->offset);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_admin_email_check(const char *email, const char *confirm)
{
	struct url u;
	url_init(&u, "/admin/email-check");
	url_param(&u, "email", email);
	url_param(&u, "confirm", confirm);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_admin_roles(const char *organisation)
{
	struct url u;
	url_init(&u, "/admin/roles");
	url_param(&u, "organisation", organisation);
	return make("GET", url_steal(&u), NULL);
}

json_t *admin_link(const char *code, json_t *roles, json_t *payment_types, json_t *clusters)
{
	return json_pack("{s:s, s:o, s:o, s:o}", "code", code, "roles", arr(roles),
			 "payment_types", arr(payment_types), "clusters", arr(clusters));
}

struct api_call call_admin_user_create(const struct admin_user_new *n)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o}",
				 "email", n->email, "email_confirm", n->email_confirm,
				 "title", n->title ? n->title : "",
				 "first_name", n->first_name, "last_name", n->last_name,
				 "work_phone", n->work_phone, "mobile", n->mobile ? n->mobile : "",
				 "organisations", arr(n->links));
	return make("POST", xstrdup("/admin/users"), body);
}

struct api_call call_admin_user(long long id)
{
	return get_id("/admin/users", id, NULL);
}

struct api_call call_admin_user_link(long long id, json_t *link)
{
	struct url u;
	url_init(&u, "/admin/users");
	url_id(&u, id);
	buf_puts(&u.b, "/organisations");
	url_seg(&u, json_string_value(json_object_get(link, "code")));
	json_object_del(link, "code");
	return make("PUT", url_steal(&u), link);
}

struct api_call call_admin_user_unlink(long long id, const char *code)
{
	struct url u;
	url_init(&u, "/admin/users");
	url_id(&u, id);
	buf_puts(&u.b, "/organisations");
	url_seg(&u, code);
	return make("DELETE", url_steal(&u), NULL);
}

struct api_call call_admin_user_action(long long id, const char *action)
{
	struct url u;
	url_init(&u, "/admin/users");
	url_id(&u, id);
	buf_puts(&u.b, "/actions");
	return make("POST", url_steal(&u), json_pack("{s:s}", "action", action));
}

struct api_call call_password_policy(void)
{
	return get("/password-policy");
}

struct api_call call_registration(const char *user_id, const char *code, const char *password,
				  const char *confirm)
{
	return make("POST", xstrdup("/registration"),
		    json_pack("{s:s, s:s, s:s, s:s}", "user_id", user_id, "code", code,
			      "password", password, "password_confirm", confirm));
}

struct api_call call_password_reset(const char *who)
{
	return make("POST", xstrdup("/password-reset"),
		    json_pack("{s:s}", strchr(who, '@') ? "email" : "user_id", who));
}

struct api_call call_password_change(const char *current, const char *password,
				     const char *confirm)
{
	return make("PUT", xstrdup("/me/password"),
		    json_pack("{s:s, s:s, s:s}", "current", current, "password", password,
			      "password_confirm", confirm));
}

struct api_call call_clusters(const char *organisation)
{
	struct url u;
	url_init(&u, "/clusters");
	url_param(&u, "organisation", organisation);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_cluster(long long id)
{
	return get_id("/clusters", id, NULL);
}

struct api_call call_cluster_create(const char *organisation, const char *name,
				    const char *description, json_t *practices)
{
	return make("POST", xstrdup("/clusters"),
		    json_pack("{s:s, s:s, s:s, s:o}", "organisation", organisation, "name", name,
			      "description", description, "practices", arr(practices)));
}

struct api_call call_cluster_update(long long id, const char *name, const char *description,
				    json_t *add, json_t *remove)
{
	struct url u;
	url_init(&u, "/clusters");
	url_id(&u, id);
	json_t *body = json_pack("{s:o, s:o}", "add", arr(add), "remove", arr(remove));
	if (name)
		json_object_set_new(body, "name", json_string(name));
	if (description)
		json_object_set_new(body, "description", json_string(description));
	return make("PUT", url_steal(&u), body);
}

struct api_call call_allocations(const char *organisation, const char *q)
{
	struct url u;
	url_init(&u, "/allocations");
	url_param(&u, "organisation", organisation);
	url_param(&u, "q", q && *q ? q : NULL);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_allocation(const char *code, const char *year, const char *payment_type)
{
	struct url u;
	url_init(&u, "/allocations");
	url_seg(&u, code);
	url_param(&u, "year", year && *year ? year : NULL);
	url_param(&u, "payment_type", payment_type && *payment_type ? payment_type : NULL);
	return make("GET", url_steal(&u), NULL);
}

struct api_call call_allocation_save(const char *code, json_t *allocate, json_t *remove)
{
	struct url u;
	url_init(&u, "/allocations");
	url_seg(&u, code);
	return make("PUT", url_steal(&u),
		    json_pack("{s:o, s:o}", "allocate", arr(allocate), "remove", arr(remove)));
}
