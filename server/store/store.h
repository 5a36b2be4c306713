/* store.h: the store layer. Handlers never see SQL: they call the named
 * operations declared here, each taking a per-thread database handle. The
 * interface is written so that a PostgreSQL back-end could sit behind it. */
#ifndef CQRS_STORE_H
#define CQRS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct store;
struct db;

/* Every store operation's result must be looked at: an ignored ST_BUSY or
 * ST_ERROR leaves the output struct unset (the compiler warns, and the
 * build uses -Werror). The one exception is store_session_touch, a
 * best-effort refresh of a token's idle clock. */
#if defined(__GNUC__)
#define ST_MUST __attribute__((warn_unused_result))
#else
#define ST_MUST
#endif

/* Results of store operations. */
enum st {
	ST_OK = 0,
	ST_NOTFOUND,
	ST_CONFLICT,
	ST_FORBIDDEN,
	ST_INVALID,
	ST_BUSY,
	ST_ERROR,
};

/* Whether a database argument names PostgreSQL (postgresql://...,
 * postgres://... or "postgresql:" and a libpq key=value string) rather
 * than an SQLite file. */
bool store_names_postgresql(const char *arg);
/* Whether the store's database answers over the network (PostgreSQL):
 * its statements wait rather than compute. */
bool store_over_network(const struct store *s);
/* Opens (creating and migrating) the database at path. Returns NULL and
 * writes err on failure. */
struct store *store_open(const char *path, char *err, size_t errlen);
/* Closes every connection; *s is set to NULL. */
void store_close(struct store **s);
/* The calling thread's connection (opened on first use, owned by store). */
struct db *store_db(struct store *s);
/* True if the database holds no organisations yet. */
bool store_is_empty(struct db *db);
int store_schema_version(struct db *db);

/* Transactions: write transactions are BEGIN IMMEDIATE. store_tx runs fn
 * inside one, retrying on SQLITE_BUSY, committing on ST_OK and rolling
 * back otherwise; it returns fn's result (or ST_BUSY/ST_ERROR). */
typedef enum st (*store_tx_fn)(struct db *db, void *arg);
/* One read transaction around a request that only reads: one snapshot
 * for all its statements (and one set of file locks instead of one per
 * statement). False (and nothing begun) when one is already open or it
 * cannot begin; then the statements run one by one as before. */
bool store_read_begin(struct db *db);
void store_read_end(struct db *db);
/* A few texts a handler made from the database (a service's JSON), kept
 * in the connection's read cache: valid for the read snapshot they were
 * made in only, so a change by any connection or process sharing the
 * database is never served stale. store_cached_text returns the text
 * under key in this snapshot (NULL: none, or not in a stamped read
 * transaction); store_cache_text keeps text (a malloc'ed string, now the
 * cache's) under key, or frees it when nothing can be kept. */
const char *store_cached_text(struct db *db, int64_t key, size_t *len);
void store_cache_text(struct db *db, int64_t key, char *text, size_t len);
ST_MUST enum st store_tx(struct db *db, bool write, store_tx_fn fn, void *arg);

/* ---- seeding (store_demo.c, store_national.c) -------------------------- */
/* Fills an empty database with the demo data (users, organisations,
 * services, offers, achievements). */
ST_MUST enum st store_seed_demo(struct db *db);
/* After the demo's first calculation: each achievement's "last updated"
 * is when its data last changed (its latest submission, else when it was
 * made), not the moment the demo was built (data D17). */
ST_MUST enum st store_demo_settle_times(struct db *db);
/* Builds a national-scale database (42 ICBs, ~6,300 practices, ~1,250
 * PCNs, a year of monthly QOF and NCD achievement); progress to stderr. */
ST_MUST enum st store_generate_national(struct db *db, unsigned seed);

/* ---- users and sessions (store_users.c) -------------------------------- */
struct user_rec {
	int64_t id;
	char user_id[65];
	char name[128];
	char email[128];
	char password_hash[160];
	int64_t password_set_at;
	bool disabled;
	bool system_account;
};
ST_MUST enum st store_user_by_login(struct db *db, const char *user_id, struct user_rec *out);
ST_MUST enum st store_user_by_id(struct db *db, int64_t id, struct user_rec *out);
ST_MUST enum st store_user_by_email(struct db *db, const char *email, struct user_rec *out);
/* Failed sign-ins in a row for a user ID as typed (known or not;
 * case-insensitive) from one client address, and until when (ms since
 * the epoch) further attempts from there wait. */
struct signin_failures {
	int failures;
	int64_t wait_until_ms;
};
/* The record for login and addr (zeroes when there is none). */
ST_MUST enum st store_signin_failures(struct db *db, const char *login, const char *addr,
				      struct signin_failures *out);
/* Writes the record for login and addr after a failure at now_ms, and
 * drops records with no failure for a day. */
ST_MUST enum st store_signin_failed(struct db *db, const char *login, const char *addr,
				    int64_t now_ms, const struct signin_failures *f);
/* Forgets login's failures from addr (a successful sign-in). */
ST_MUST enum st store_signin_ok(struct db *db, const char *login, const char *addr);
/* Creates a user (no grants); returns its id in *id. */
ST_MUST enum st store_user_create(struct db *db, const char *user_id, const char *name,
			  const char *email, const char *password_hash, int64_t now,
			  int64_t *id);
/* The last n password hashes (newest first) into hashes[] (each 160). */
ST_MUST enum st store_password_history(struct db *db, int64_t uid, char (*hashes)[160],
			       size_t max, size_t *n);
ST_MUST enum st store_user_set_password(struct db *db, int64_t uid, const char *hash, int64_t now);
ST_MUST enum st store_grant_role(struct db *db, int64_t uid, const char *org_code,
			 const char *role_code, int64_t now);

ST_MUST enum st store_session_create(struct db *db, int64_t uid, const unsigned char hash[32],
			     int64_t now, int64_t expires_at);
struct session_rec {
	int64_t id;
	int64_t uid;
	int64_t last_used_at;
	int64_t expires_at;
};
/* Finds a live session: not revoked, not past expires_at, used within
 * idle seconds. ST_NOTFOUND otherwise. */
ST_MUST enum st store_session_lookup(struct db *db, const unsigned char hash[32], int64_t now,
			     int64_t idle, struct session_rec *out);
enum st store_session_touch(struct db *db, int64_t session_id, int64_t now);
ST_MUST enum st store_session_revoke(struct db *db, int64_t session_id, int64_t now);

/* ---- authorisation data (store_users.c) ------------------------------- */
/* Roles that may see pounds (the rest see points only). */
#define ROLES_POUNDS "FINANCE_VIEW,FINANCE_MANAGEMENT,APPROVAL_MANAGEMENT," \
	"COMMISSIONING_MANAGEMENT,DECLARATION_MANAGEMENT"
/* True if role is one of the comma-separated roles. */
bool role_listed(const char *roles, const char *role);
struct grant {
	int64_t org_id;
	char org_code[16];
	char org_kind[10];
	char role[32];
};
/* The user's live grants; *out is allocated (caller frees). */
ST_MUST enum st store_user_grants(struct db *db, int64_t uid, struct grant **out, size_t *n);
/* What an authenticated request needs about its bearer token: the live
 * session, its user and the user's live grants (grants allocated, the
 * caller frees). ST_NOTFOUND when the token has no live session (revoked,
 * past expires_at, idle longer than idle seconds), ST_FORBIDDEN when its
 * user is disabled. Inside store_read_begin's transaction the answer may come
 * from this connection's cache, which serves only while the database
 * holds exactly what it held when the entry was read (the snapshot
 * stamp): any commit, by any connection or process, empties it, so a
 * revoked token or a withdrawn grant counts from the next request. */
struct token_auth {
	struct session_rec session;
	char user_id[65];
	bool system_account;
	struct grant *grants;
	size_t ngrants;
};
ST_MUST enum st store_token_auth(struct db *db, const unsigned char hash[32], int64_t now,
				 int64_t idle, struct token_auth *out);

/* True if the user is assigned one or more Service Provider Clusters. */
bool store_user_has_cluster(struct db *db, int64_t uid);
/* Whether org_id is within the user's scope for any of the given roles
 * (comma-separated role codes, or NULL for any role): a grant on the
 * organisation or an ancestor, or on a PCN it currently belongs to; and,
 * for cluster users, inside one of their clusters. */
bool store_org_in_scope(struct db *db, int64_t uid, int64_t org_id, const char *roles);
/* Whether the user may read service_id's data at org_id (0: at some
 * organisation) for any of roles (NULL: any): org_id in scope for them
 * and, when every grant reaching it is a View or Finance View grant
 * restricted to payment types, the service's payment type among them
 * (SQL_SERVICE_READABLE; ROLES_POUNDS: whether pounds are shown). */
bool store_service_readable(struct db *db, int64_t uid, int64_t org_id, int64_t service_id,
			    const char *roles);
/* The user's open tasks (the Home screen's Message Centre) with counts
 * by kind: {"tasks": [...], "counts": {kind: N}}. */
json_t *store_tasks_json(struct db *db, int64_t uid);
/* "My Account" JSON for the user (new reference). */
json_t *store_me_json(struct db *db, int64_t uid);
struct buf;
/* store_me_json's object as compact JSON text, appended to out; inside
 * store_read_begin's transaction from the connection's read cache (the
 * same rule as store_token_auth's: only while the database is unchanged). */
ST_MUST enum st store_me_text(struct db *db, int64_t uid, struct buf *out);

/* ---- audit, tasks and e-mail (store_notify.c) ----------------------- */
/* Appends to the audit log; before/after are borrowed (either may be NULL). */
ST_MUST enum st store_audit(struct db *db, int64_t uid, const char *action, const char *entity,
		    int64_t entity_id, json_t *before, json_t *after);
/* Puts a task on the Home screen of the organisation's users holding role
 * (NULL: any role). */
ST_MUST enum st store_task_add(struct db *db, int64_t org_id, const char *role, const char *kind,
		       const char *title, const char *subject_type, int64_t subject_id);
/* Marks the open tasks about a subject done (kinds: comma-separated, or
 * NULL for all). */
ST_MUST enum st store_task_done(struct db *db, const char *subject_type, int64_t subject_id,
			const char *kinds, int64_t uid);
/* Marks one notice (SQL_TASK_NOTICE) done for a user who can see it:
 * ST_CONFLICT for a work task the user sees, ST_NOTFOUND when the user
 * sees no such open task. */
ST_MUST enum st store_task_dismiss(struct db *db, int64_t task_id, int64_t uid);
/* Queues an e-mail to every user holding role on the organisation whose
 * preference for kind is on (the default). */
ST_MUST enum st store_email_role(struct db *db, int64_t org_id, const char *role, const char *kind,
			 const char *subject, const char *body);
/* Both of the above: a task and the matching e-mails. */
ST_MUST enum st store_notify(struct db *db, int64_t org_id, const char *role, const char *kind,
		     const char *title, const char *subject_type, int64_t subject_id,
		     const char *body);

/* The e-mail outbox. */
struct mail {
	int64_t id;
	char to[128];
	char subject[256];
	char body[4096];
	char kind[32];
	int attempts;
};
/* Claims up to limit messages due for (re)delivery for lease seconds and
 * returns them (*out allocated): one statement, so that of several cqrsd
 * sharing the database (or two mailers racing) exactly one gets each
 * message; a claim not settled (sent or failed) within the lease, because
 * its instance died, lapses and the message is claimed again. */
ST_MUST enum st store_outbox_claim(struct db *db, int64_t now, int64_t lease, int limit,
				   struct mail **out, size_t *n);
ST_MUST enum st store_outbox_sent(struct db *db, int64_t id, int64_t at);
ST_MUST enum st store_outbox_failed(struct db *db, int64_t id, int64_t next_attempt, const char *err);
/* Notification preferences ("My Account"): every kind, on unless turned off. */
bool store_notification_kind_valid(const char *kind);
json_t *store_notification_prefs_json(struct db *db, int64_t uid);
ST_MUST enum st store_notification_pref_set(struct db *db, int64_t uid, const char *kind, bool enabled);

/* ---- administration (store_admin.c, issue 11) ---------------------------- */
/* Roles whose grant may be restricted to some payment types. */
#define ROLES_PAYMENT_TYPES "VIEW,FINANCE_VIEW"
/* Appends to the audit log with the client address (may be NULL). */
ST_MUST enum st store_audit_from(struct db *db, int64_t uid, const char *addr, const char *action,
				 const char *entity, int64_t entity_id, json_t *before, json_t *after);
/* Queues one e-mail to one address (no notification preference applies). */
ST_MUST enum st store_email_to(struct db *db, const char *to, const char *kind,
			       const char *subject, const char *body);
/* How administrator admin reaches org_id (ADMIN_CTE): 0 not at all, 1 any
 * role, 2 Declaration Management only (the PCN organisation role). */
int store_admin_org_access(struct db *db, int64_t admin, int64_t org_id);
bool store_admin_manages_user(struct db *db, int64_t admin, int64_t uid);
/* True if another user (not except_uid) has the e-mail (case-insensitive). */
bool store_email_taken(struct db *db, const char *email, int64_t except_uid);
bool store_user_id_taken(struct db *db, const char *user_id);
struct user_details {
	const char *user_id; /* create only */
	const char *email;   /* create only */
	const char *title, *first_name, *last_name, *name, *work_phone, *mobile;
};
/* A user awaiting registration (no password). */
ST_MUST enum st store_admin_user_create(struct db *db, const struct user_details *u, int64_t now,
					int64_t *id);
ST_MUST enum st store_user_details_set(struct db *db, int64_t uid, const struct user_details *u);
/* The user's state (SQL_USER_STATE): "ACTIVE", "AWAITING_REGISTRATION",
 * "LOCKED", "DISABLED" ("" when there is no such user). */
void store_user_state(struct db *db, int64_t uid, char out[24]);
/* Disabling revokes every session of the user. */
ST_MUST enum st store_user_set_disabled(struct db *db, int64_t uid, bool disabled, int64_t now);
/* Forgets every sign-in failure and wait of a user ID (all addresses). */
ST_MUST enum st store_signin_unlock(struct db *db, const char *login);
ST_MUST enum st store_user_signed_in(struct db *db, int64_t uid, int64_t now);
/* role exists / fits an organisation kind (never EXTRACT_LOADER). */
bool store_role_exists(struct db *db, const char *role);
bool store_role_fits(struct db *db, const char *role, const char *kind);
/* [{"code", "name", "payment_types"}] of the roles fitting kind. */
json_t *store_roles_for_kind_json(struct db *db, const char *kind, bool dm_only);
/* The clusters a link to the organisation may carry, [{id, name, description}]. */
json_t *store_org_clusters_json(struct db *db, int64_t org_id);
bool store_cluster_fits_org(struct db *db, int64_t cluster_id, int64_t org_id);
/* Enabled users with Declaration Management at the organisation. */
int store_pcn_declarers(struct db *db, int64_t org_id);
/* Enabled users other than except_uid who are User or Advanced User
 * Administrators of the organisation. */
int store_org_admins(struct db *db, int64_t org_id, int64_t except_uid);
/* The organisations where uid is a User or Advanced User Administrator
 * (*orgs allocated); returns how many. */
int store_user_admin_links(struct db *db, int64_t uid, int64_t **orgs);
bool store_link_exists(struct db *db, int64_t uid, int64_t org_id);
struct link_set {
	int64_t uid, org_id, by, now;
	const char *const *roles;
	size_t nroles;
	const char *payment_types; /* comma-separated, NULL or "": all */
	const int64_t *clusters;
	size_t nclusters;
};
/* Makes the link's live roles exactly l->roles (others revoked), with the
 * payment types on View / Finance View, and its clusters l->clusters. */
ST_MUST enum st store_link_set(struct db *db, const struct link_set *l);
/* Revokes every role of the link and its clusters. */
ST_MUST enum st store_link_revoke(struct db *db, int64_t uid, int64_t org_id, int64_t now);
/* Registration ("REGISTRATION", valid_days from the business date) and
 * reset ("RESET", until expires_at) codes, stored as hashes; a new one
 * kills the user's live one of the kind. */
ST_MUST enum st store_code_issue(struct db *db, int64_t uid, const char *kind, const char *hash,
				 int valid_days, int64_t expires_at, int64_t now);
struct code_rec {
	int64_t id;
	char kind[16];
	bool used, revoked, expired;
};
ST_MUST enum st store_code_find(struct db *db, int64_t uid, const char *hash, int64_t now,
				struct code_rec *out);
/* Marks a code used (ST_CONFLICT when it already was). */
ST_MUST enum st store_code_use(struct db *db, int64_t id, int64_t now);
/* Queues one PASSWORD_EXPIRY e-mail per user whose password (set
 * max_age seconds before it expires) expires within warn seconds of now
 * and who was not yet warned about it; subject_fmt gets the date (%s),
 * body_fmt the name, user ID and date. */
ST_MUST enum st store_password_expiry_warn(struct db *db, int64_t max_age, int64_t warn, int64_t now,
					   const char *subject_fmt, const char *body_fmt);
/* GET /admin/users and GET /admin/users/{id} (NULL: not one admin manages). */
json_t *store_admin_users_json(struct db *db, int64_t admin, const char *q, const char *state,
			       int64_t org_id, int limit, int offset);
json_t *store_admin_user_json(struct db *db, int64_t admin, int64_t uid);

/* ---- clusters and allocated reports (store_clusters.c, issue 11) ------------ */
/* True if ancestor_id is above org_id in the tree. */
bool store_org_descends(struct db *db, int64_t org_id, int64_t ancestor_id);
/* The nearest organisation above org_id where uid holds role (0: none). */
int64_t store_role_ancestor(struct db *db, int64_t uid, int64_t org_id, const char *role);
/* The one organisation where uid holds role (0: none, or several). */
int64_t store_role_only_org(struct db *db, int64_t uid, const char *role);
/* [{"id", "name", "description", "practices": N}] of an organisation. */
json_t *store_clusters_json(struct db *db, int64_t owner_id);
struct cluster_rec {
	int64_t id, owner_id;
	char name[128];
	char description[512];
};
ST_MUST enum st store_cluster_get(struct db *db, int64_t id, struct cluster_rec *out);
/* {"id", "name", "description", "organisation", "practices", "users"}. */
json_t *store_cluster_json(struct db *db, int64_t id);
bool store_cluster_name_taken(struct db *db, int64_t owner_id, const char *name, int64_t except_id);
ST_MUST enum st store_cluster_create(struct db *db, int64_t owner_id, const char *name,
				     const char *desc, int64_t now, int64_t *id);
/* Sets the name and/or description (NULL: unchanged). */
ST_MUST enum st store_cluster_set(struct db *db, int64_t id, const char *name, const char *desc);
bool store_cluster_has(struct db *db, int64_t id, int64_t org_id);
/* Adds (in) or removes a member. */
ST_MUST enum st store_cluster_member(struct db *db, int64_t id, int64_t org_id, bool in);
int store_cluster_size(struct db *db, int64_t id);
/* The organisations under parent_id matching q, with their allocation counts. */
json_t *store_allocation_orgs_json(struct db *db, int64_t parent_id, const char *q);
/* The services (filtered; NULL: all) with whether they are allocated to to_id. */
json_t *store_allocation_services_json(struct db *db, int64_t to_id, const char *year,
				       const char *payment_type);
/* Allocates (on) or removes one service for to_id (no-op when already so). */
ST_MUST enum st store_allocation_set(struct db *db, int64_t from_id, int64_t to_id,
				     int64_t service_id, bool on, int64_t now);
int store_allocation_count(struct db *db, int64_t to_id);

/* ---- organisations (store_orgs.c) --------------------------------------- */
struct org_rec {
	int64_t id;
	char code[16];
	char name[128];
	char kind[10];
	int64_t parent_id;
	int64_t list_size;
};
ST_MUST enum st store_org_by_code(struct db *db, const char *code, struct org_rec *out);
ST_MUST enum st store_org_get(struct db *db, int64_t id, struct org_rec *out);
/* The ICB an organisation belongs to (0: none). */
int64_t store_org_icb(struct db *db, int64_t org_id);
/* Organisations in the user's scope matching q (code or name, may be NULL)
 * and kind (may be NULL); JSON {"organisations": [...], "total": N}. */
json_t *store_org_search_json(struct db *db, int64_t uid, const char *q, const char *kind,
			      int limit, int offset);
/* One organisation with its parent and PCN memberships (new reference). */
json_t *store_org_json(struct db *db, int64_t org_id);

/* ---- offers (store_offers.c) ------------------------------------------ */
struct service_rec {
	int64_t id;
	char code[32];
	char name[128];
	char financial_year[8];
	char payment_type[4];
	char frequency[10];
	char level[10];
	char start_date[11];
	char end_date[11];
	char entry[10];
	bool auto_accept;
	bool declaration_required;
	bool approval_required;
	int amendment_window_days;
	int64_t pence_per_point;
	int64_t national_list_size;
	int aspiration_percent;
};
ST_MUST enum st store_service_get(struct db *db, int64_t id, struct service_rec *out);
/* The practices that are members of a PCN on a date; *ids allocated. */
ST_MUST enum st store_pcn_members(struct db *db, int64_t pcn_id, const char *on_date,
			  int64_t **ids, size_t *n);

struct offer_rec {
	int64_t id, service_id, org_id, via_pcn_id, offered_by_org;
	char status[12];
	char org_code[16], org_name[128], org_kind[10];
	char service_name[128], service_level[10];
	bool participation_only;
	bool auto_accepted;
	int version;
	char start_date[11], end_date[11];
};
ST_MUST enum st store_offer_get(struct db *db, int64_t id, struct offer_rec *out);
/* True if the organisation has an offer of the service not cancelled. */
bool store_offer_active_exists(struct db *db, int64_t service_id, int64_t org_id);
struct offer_new {
	int64_t service_id, org_id, via_pcn_id;
	const char *start_date, *end_date, *response_date, *target_date;
	int64_t offered_by, offered_by_org;
};
/* The offers of a service that are not cancelled, for one organisation
 * and/or through one PCN (0: any), in one status (NULL: any); *ids
 * allocated. */
ST_MUST enum st store_offers_where(struct db *db, int64_t service_id, int64_t org_id, int64_t via_pcn_id,
			   const char *status, int64_t **ids, size_t *n);
/* The network-level services a PCN takes part in (an accepted offer of
 * its own or through it); *ids allocated. */
ST_MUST enum st store_network_services_of(struct db *db, int64_t pcn_id, int64_t **ids, size_t *n);
/* Moves an offer's dates (a practice joining or leaving its PCN), with a
 * history row carrying note; nothing when they are the same. */
ST_MUST enum st store_offer_set_dates(struct db *db, int64_t id, const char *start, const char *end,
			      int64_t uid, const char *note);
/* Inserts an OFFERED offer and its first history row. */
ST_MUST enum st store_offer_create(struct db *db, const struct offer_new *o, int64_t *id);
/* Moves an offer from one status to another (ST_CONFLICT if it is no
 * longer in from) and records the history. */
ST_MUST enum st store_offer_set_status(struct db *db, int64_t id, const char *from, const char *to,
			       int64_t uid, const char *note, bool automatic);
/* Offers in the user's scope, filtered (year/status NULL, ids 0: all). */
json_t *store_offers_json(struct db *db, int64_t uid, const char *year, int64_t service_id,
			  const char *status, int64_t org_id);
/* A page of the offers in the user's scope (issue 13): 0/NULL filters are
 * all; q searches the organisation's code and name and the service's
 * name. {"offers", "total", "offset", "limit"}. */
struct offers_q {
	const char *year, *status, *q;
	int64_t service_id, org_id;
	int64_t limit, offset;
};
json_t *store_offers_page(struct db *db, int64_t uid, const struct offers_q *q);
/* The services offered in the user's scope with their offers counted by
 * status: {"services": [{"service": {...}, "count": {STATUS: n}}]}. */
json_t *store_offers_summary(struct db *db, int64_t uid, const struct offers_q *q);
/* One offer with its history. */
json_t *store_offer_json(struct db *db, int64_t id);
/* The offer's latest history entry {at, user_id, user_name, status}. */
json_t *store_offer_last_change(struct db *db, int64_t id);

/* ---- achievement data (store_achievements.c) --------------------------- */
bool store_setting_get(struct db *db, const char *key, char *out, size_t size);
ST_MUST enum st store_setting_set(struct db *db, const char *key, const char *value);
/* "Today" for every rule: the business_today view (the "business_date"
 * setting when it holds a date, as the demo's does, else today, UTC). */
void store_business_date(struct db *db, char out[11]);
/* True if the organisation has accepted (APPROVED) an offer of the service. */
bool store_participates(struct db *db, int64_t service_id, int64_t org_id);
/* True if an accepted offer of the service covers the date (its start to
 * its end): a practice that joins or leaves a PCN takes part in the PCN's
 * network services only while it is a member. */
bool store_participates_on(struct db *db, int64_t service_id, int64_t org_id, const char *date);
ST_MUST enum st store_achievement_date_get(struct db *db, int64_t service_id, const char *date,
				   int64_t *date_id, bool *payment);
ST_MUST enum st store_achievement_find(struct db *db, int64_t service_id, int64_t org_id,
			       int64_t date_id, int64_t *id);
ST_MUST enum st store_achievement_create(struct db *db, int64_t service_id, int64_t org_id,
				 int64_t date_id, int64_t *id);
struct ach_rec {
	int64_t id, service_id, org_id, date_id;
	char date[11];
	bool payment;
	char status[24];
	bool commissioner_entry;
	int version;
	char org_code[16], org_name[128], org_kind[10];
	char declaration_status[28]; /* "" when there is no declaration */
	int64_t updated_at;
};
ST_MUST enum st store_achievement_get(struct db *db, int64_t id, struct ach_rec *out);
/* Bumps version and updated_at; sets status when not NULL; marks a
 * commissioner entry when asked. */
ST_MUST enum st store_achievement_touch(struct db *db, int64_t id, const char *status,
				bool commissioner_entry);
/* The achievements panel {"achievements": [...], "available_dates": [...]}. */
json_t *store_achievements_json(struct db *db, int64_t org_id, int64_t service_id);
/* Every indicator group of the achievement with its completeness. */
json_t *store_achievement_groups_json(struct db *db, int64_t ach_id, int64_t service_id);

struct ind_val {
	int64_t value, num, den;
};
struct ind_state {
	int64_t id;
	char code[32];
	char description[400];
	char kind[8];
	char pattern[200];
	bool pcn_entered, group_level;
	bool has_cur, has_wip;
	struct ind_val cur, wip;
	char source[16];
	int64_t updated_at;
	int points, lower, upper; /* thresholds -1 when none */
};
struct group_info {
	int64_t id;
	char code[32];
	char name[200];
	char kind[8];
};
/* The indicators of one group of the service with their current and
 * work-in-progress values; *out allocated. ST_NOTFOUND if the group is
 * not the service's. */
ST_MUST enum st store_group_state(struct db *db, int64_t ach_id, int64_t service_id, int64_t group_id,
			  struct ind_state **out, size_t *n, struct group_info *g);
/* The id of the latest submission touching the group (0: none): what a
 * form was opened at, to detect a later change by someone else. */
int64_t store_group_version(struct db *db, int64_t ach_id, int64_t group_id);
/* {id, kind, at, user_id, user_name} of that submission, or NULL. */
json_t *store_submission_last(struct db *db, int64_t ach_id, int64_t group_id);
ST_MUST enum st store_submission_add(struct db *db, int64_t ach_id, int64_t group_id, const char *kind,
			     const char *source, int64_t uid, const char *notes, int64_t *id);
ST_MUST enum st store_submission_value_add(struct db *db, int64_t sub_id, int64_t ind_id,
				   const struct ind_val *v, bool ratio);
/* Sets a current value (and clears its work in progress). */
ST_MUST enum st store_value_set(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
			bool ratio, const char *source, int64_t sub_id);
/* The same without touching work in progress (for bulk loads, which clear
 * it once per achievement with store_wip_clear_extracted). */
ST_MUST enum st store_value_put(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
			bool ratio, const char *source, int64_t sub_id);
struct value_row {
	int64_t indicator_id;
	struct ind_val v;
	bool ratio;
};
/* Sets many current values at once and, when sub_id is not 0, records
 * them in that submission (for bulk loads; work in progress untouched). */
ST_MUST enum st store_values_put_many(struct db *db, int64_t ach_id, const struct value_row *rows, size_t n,
			      const char *source, int64_t sub_id);
/* store_values_put_many for a bulk load (an extract): on SQLite the same,
 * at once. On PostgreSQL the rows are kept with the connection and
 * written by store_values_flush: COPY into a temporary table, then one
 * UPDATE and one INSERT of achievement_value and one INSERT into
 * submission_value (the same rows, the same triggers and checks, a few
 * round trips instead of several per achievement). Nothing may read
 * the staged achievements' values before the flush. */
ST_MUST enum st store_values_stage(struct db *db, int64_t ach_id, const struct value_row *rows,
				   size_t n, const char *source, int64_t sub_id);
/* Writes the staged values (nothing to do on SQLite); they are dropped
 * whether or not this succeeds. */
ST_MUST enum st store_values_flush(struct db *db);
/* A bulk write (an extract load) on the connection: on PostgreSQL,
 * until store_bulk_end, store_calculation_save keeps the lines it would
 * insert and writes them with COPY (every 32,768 lines and at the end);
 * nothing may read calculation lines meanwhile. store_bulk_end writes
 * what is kept (write false: drops it, after a failure) and drops the
 * staged values too. Nothing to do on SQLite. */
void store_bulk_begin(struct db *db);
/* The look-up memo (store_memo.c), for an extract load: until
 * store_memo_end, organisations, PCN membership on a date, achievements
 * by service, organisation and date, whether one is final, and taking
 * part in a service are each read once (per service and date, or date)
 * and answered from memory. Only for a connection that makes no other
 * change to those facts meanwhile (a load holds the writer's lock);
 * store_memo_clear forgets what was read (at the start of the load's
 * transaction). */
void store_memo_begin(struct db *db);
void store_memo_clear(struct db *db);
void store_memo_end(struct db *db);
ST_MUST enum st store_bulk_end(struct db *db, bool write);

/* Drops work in progress on the achievement's extracted indicators. */
ST_MUST enum st store_wip_clear_extracted(struct db *db, int64_t ach_id);
ST_MUST enum st store_wip_set(struct db *db, int64_t ach_id, int64_t ind_id, const struct ind_val *v,
		      bool ratio, int64_t uid);
/* Submission history, newest first (group 0: all groups). */
json_t *store_submissions_json(struct db *db, int64_t ach_id, int64_t group_id);
/* Missing Data in the user's scope: what to list (0/NULL: all), and a
 * page of it (limit 0: up to 2,000 rows, no paging members). */
struct missing_q {
	int64_t org_id, service_id;
	const char *date, *year;
	const char *q;          /* a search over organisation, service and group */
	int64_t limit, offset;
};
/* {"missing": [...]}; with a limit also "total", "offset", "limit" and
 * "dates" (every service and date among all the rows, with their count). */
json_t *store_missing_json(struct db *db, int64_t uid, const struct missing_q *q);
/* A LIKE pattern (ESCAPE '\\') matching text containing q; NULL for an
 * empty q. The caller frees it. */
char *store_like_pattern(const char *q);

/* ---- declarations (store_declarations.c) ------------------------------- */
struct decl_rec {
	int64_t id, achievement_id, org_id, service_id;
	char status[28];
	int64_t pence;
	char notes[2001];
	int version;
	char org_code[16], org_name[128], org_kind[10];
	char service_name[128];
	char financial_year[8];
	char date[11];
	bool payment;
	char achievement_status[24];
	bool declaration_required, approval_required, indicator_declaration;
};
ST_MUST enum st store_declaration_get(struct db *db, int64_t id, struct decl_rec *out);
ST_MUST enum st store_declaration_for_achievement(struct db *db, int64_t ach_id, int64_t *id);
/* An achievement's declaration (store_declaration_get by achievement). */
ST_MUST enum st store_declaration_of_achievement(struct db *db, int64_t ach_id, struct decl_rec *out);
ST_MUST enum st store_declaration_create(struct db *db, int64_t ach_id, const char *status, int64_t pence,
				 const char *note, int64_t *id);
/* Moves a declaration from one status to another (ST_CONFLICT if it is no
 * longer in from), with a history note; notes (may be NULL) replaces the
 * declarer's notes; declared records who declared and when. */
ST_MUST enum st store_declaration_set_status(struct db *db, int64_t id, const char *from, const char *to,
				     int64_t uid, const char *note, const char *notes,
				     bool declared);
ST_MUST enum st store_declaration_set_pence(struct db *db, int64_t id, int64_t pence);
/* Replaces the ticked statements of a declaration's checklist. */
ST_MUST enum st store_declaration_ticks_set(struct db *db, int64_t id, const int64_t *statements,
				    size_t n, int64_t uid);
/* The checklist: the service's statements ("S<id>") and, when the service
 * asks for indicator declaration, one item per payment indicator ("I<id>"). */
json_t *store_declaration_checklist_json(struct db *db, int64_t id, int64_t service_id,
					 bool with_indicators);
json_t *store_declaration_history_json(struct db *db, int64_t id);
/* GET /declarations: the filters (0 / NULL: any), pounds_roles (see
 * below) and a page: limit (0: the whole list, at most 2,000 rows, without
 * paging members; offset and q apply only with a limit), offset and q (a
 * search of the organisation's code and name and the service's name). */
struct decls_q {
	int64_t org_id, service_id, limit, offset;
	const char *status, *year, *q, *pounds_roles;
};
/* Declarations in the user's scope, newest achievement date first, with
 * "total", "offset" and "limit" when paged; each row carries "_pounds":
 * whether the user may see its pounds (the reading rule with the roles
 * pounds_roles, ROLES_POUNDS: present_pounds's rule, asked once for the
 * whole list; pounds_roles NULL: nowhere, for a caller without such a
 * role). The caller removes "_pounds". */
json_t *store_declarations_json(struct db *db, int64_t uid, const struct decls_q *q);

/* ---- calculation inputs and outputs (store_calc.c) ---------------------- */
struct calc_def_row {
	int64_t id;
	char code[32];
	char kind[8];
	char group_code[32];
	char group_name[200];
	char description[400];
	bool payment_group;
	int points, lower, upper; /* -1: no threshold */
	int64_t pence_per_item;
	bool pcn_entered;
	int64_t national_prevalence_ppm;
	char register_code[32];   /* "" when none */
};
struct store_val {
	bool present;
	int64_t value, num, den;
	char source[16];
};
/* The indicators of a service in structure order; *out allocated. */
ST_MUST enum st store_calc_defs(struct db *db, int64_t service_id, struct calc_def_row **out, size_t *n);
/* The current values of an achievement, in the order of defs (ach_id 0:
 * none present). */
ST_MUST enum st store_values_get(struct db *db, int64_t ach_id, const struct calc_def_row *defs, size_t n,
			 struct store_val *out);
ST_MUST enum st store_achievement_set_status(struct db *db, int64_t id, const char *status);
struct calc_save_line {
	int64_t indicator_id;
	bool has_achievement;
	int64_t achievement_ppm, points_milli, pence;
	const char *points_text, *pay_text;
};
struct calc_save {
	int64_t points_milli, pence, aspiration_pence;
	const char *breakdown;
	const struct calc_save_line *lines;
	size_t nlines;
};
/* Refreshes the planner's statistics of the tables a bulk write (an
 * extract load and its recalculation) fills, from inside its
 * transaction. PostgreSQL plans a cached statement once from what it
 * believed the tables held: one that started empty is scanned whole for
 * every row looked up, so a load that fills it slows down as it grows
 * (ANALYZE in the transaction counts its own rows and replans). Nothing
 * to do on SQLite, nor when the achievement and calculation tables held
 * 10,000 rows or more by the statistics at store_bulk_begin. */
ST_MUST enum st store_bulk_analyze(struct db *db);
/* Stores a calculation as the achievement's current one. */
ST_MUST enum st store_calculation_save(struct db *db, int64_t ach_id, const struct calc_save *c,
			       int64_t *calc_id);
/* The current calculation {id, at, points_milli, list_size, pence,
 * aspiration_pence, lines: {indicator_id: {...}}}, json null when none.
 * Every figure: what a caller may see is present_money()'s to decide. */
json_t *store_calculation_json(struct db *db, int64_t ach_id);
/* The PCN a practice belonged to on a date. */
ST_MUST enum st store_pcn_of_practice(struct db *db, int64_t practice_id, const char *on_date,
			      int64_t *pcn_id);
struct ach_brief {
	int64_t id, service_id, org_id, date_id;
	char org_kind[10], level[10], payment_type[4];
	char date[11];
};
/* Calls fn for every achievement (read first, so fn may write). */
ST_MUST enum st store_achievements_each(struct db *db, enum st (*fn)(void *ctx, const struct ach_brief *a),
				void *ctx);
/* Calculated payment-date achievements from..to without a declaration
 * (not practices' network-level ones); *ids allocated. */
ST_MUST enum st store_undeclared_payment_achievements(struct db *db, const char *from, const char *to,
					      int64_t **ids, size_t *n);
ST_MUST enum st store_service_by_code(struct db *db, const char *code, int64_t *id);
/* The organisation's achievement of the service at the closest earlier
 * date (a service's dates are within one financial year). */
ST_MUST enum st store_previous_achievement(struct db *db, int64_t service_id, int64_t org_id,
				   int64_t date_id, int64_t *id);
/* Achievements in scope stuck in AWAITING_NETWORK (year may be NULL);
 * rows carry org_id, service_id and date_id for the caller. */
json_t *store_awaiting_network_json(struct db *db, int64_t uid, const char *year);
struct membership_rec {
	int64_t id, pcn_id, practice_id;
	char start_date[11];
	char end_date[11]; /* "" when open */
};
/* Adds a membership (end may be NULL); ST_CONFLICT if it overlaps another
 * membership of the practice. */
ST_MUST enum st store_membership_add(struct db *db, int64_t pcn_id, int64_t practice_id, const char *start,
			     const char *end, int64_t *id);
ST_MUST enum st store_membership_get(struct db *db, int64_t id, struct membership_rec *out);
/* Sets a membership's end date (ST_INVALID if before its start,
 * ST_CONFLICT if the practice would then be in two PCNs on a date). */
ST_MUST enum st store_membership_end(struct db *db, int64_t id, const char *end);
/* The list size of an organisation on a date (see list_size_history in
 * store_schema.c): for a PCN, the sum over its members on that date. */
ST_MUST enum st store_list_size_on(struct db *db, int64_t org_id, const char *date, int64_t *size);
/* True if the achievement's declaration is financially approved; since
 * (may be NULL) gets the date it became so (YYYY-MM-DD). */
bool store_final_since(struct db *db, int64_t ach_id, char since[11]);
struct net_date {
	int64_t service_id, date_id;
	char date[11];
};
/* The achievement dates of network-level services from..to (to may be ""). */
ST_MUST enum st store_network_dates(struct db *db, const char *from, const char *to,
			    struct net_date **out, size_t *n);

/* ---- quality services (store_services.c) -------------------------------- */
/* The catalogue for a year and payment type (either may be NULL). */
json_t *store_services_json(struct db *db, const char *year, const char *payment_type);
/* Services offered to one organisation, with the offer status. */
json_t *store_org_services_json(struct db *db, int64_t uid, int64_t org_id, const char *year);
/* One service with its whole structure, every figure (see
 * present_money()). NULL if there is no such service. */
json_t *store_service_json(struct db *db, int64_t service_id);

/* ---- reports (store_reports.c) ------------------------------------------ */
/* The reports the store computes (the catalogue, their titles and
 * columns, is server/handlers/h_reports.c). */
enum report_kind {
	REPORT_ACHIEVEMENT_SUMMARY,
	REPORT_ACHIEVEMENT_MONTHLY,
	REPORT_INDICATOR_DETAIL,
	REPORT_DECLARATION_STATUS,
	REPORT_PARTICIPATION_STATUS,
	REPORT_MISSING_DATA,
	REPORT_NETWORK_RELATIONSHIP,
	REPORT_USERS_ROLES,
};
/* One run of a report. The caller fills the parameters (empty or 0 when
 * absent) and its columns; store_report_open fills the defaults it
 * decides (year, date) and, when it refuses a parameter (ST_INVALID),
 * bad_param and bad_msg. */
struct report_query {
	enum report_kind kind;
	int64_t uid;
	const char *scope_roles; /* roles the user's scope is taken for (NULL: any) */
	char year[8];
	int64_t service_id;
	char date[11];
	char organisation[16];
	char status[32];
	char start[11], end[11];
	char pcn[16], practice[16];
	const char *q;           /* search text, or NULL */
	/* The columns the SQL must give, in order (keys of the catalogue);
	 * text_mask: bit i set for a column q searches. */
	const char *const *keys;
	size_t nkeys;
	uint32_t text_mask;
	int sort;                /* index into keys; -1: the report's own order */
	bool desc;
	/* out */
	bool service_allocated;  /* the service reached through an allocation */
	char bad_param[16];
	char bad_msg[200];
};
struct report_cursor;
/* Starts a run on a connection of its own (its rows are read while the
 * response streams, long after the request's turn): one read snapshot;
 * the user's reach is computed once (SCOPE_CTE, plus allocated reports
 * for the service) into a temporary table. ST_INVALID: a parameter is
 * refused (q->bad_param). */
ST_MUST enum st store_report_open(struct store *s, struct report_query *q,
				  struct report_cursor **out);
/* The next row: ST_OK, ST_NOTFOUND after the last, ST_ERROR. */
ST_MUST enum st store_report_step(struct report_cursor *c);
/* The current row's columns: 0 .. nkeys-1 as asked, then the report's
 * "open_*" columns (the parameters a row opens its report with). */
int store_report_columns(const struct report_cursor *c);
const char *store_report_name(const struct report_cursor *c, int col);
bool store_report_null(const struct report_cursor *c, int col);
int64_t store_report_int(const struct report_cursor *c, int col);
const char *store_report_text(const struct report_cursor *c, int col);
void store_report_close(struct report_cursor **c);
/* The default financial year of reports: the year of the latest
 * achievement date on or before the business date. */
void store_report_default_year(struct db *db, char out[8]);
/* The services user uid may report on, for the catalogue's service
 * parameter: those of organisations in reach, and those allocated to the
 * user's organisations ("allocated": true). */
json_t *store_report_services(struct db *db, int64_t uid);
/* ---- idempotent writes (store_idem.c, migration 8) ---------------------- */
/* The first answer to a write that carried an Idempotency-Key. */
#define STORE_IDEM_KEEP_MS ((int64_t)24 * 3600 * 1000)
struct idem_rec {
	char method[8];
	char *path;                     /* owned */
	unsigned char request_hash[32]; /* BLAKE2b of the request body */
	int status;
	char *body;                     /* the answer's body (owned), or NULL */
	size_t body_len;
};
/* The record of user uid's key (ST_NOTFOUND: none); free it with
 * store_idem_free. */
ST_MUST enum st store_idem_get(struct db *db, int64_t uid, const char *key, struct idem_rec *out);
void store_idem_free(struct idem_rec *rec);
/* Keeps rec as user uid's answer for key (a key already kept stays as it
 * is), and drops records older than STORE_IDEM_KEEP_MS. */
ST_MUST enum st store_idem_put(struct db *db, int64_t uid, const char *key,
			       const struct idem_rec *rec, int64_t now_ms);

#endif
