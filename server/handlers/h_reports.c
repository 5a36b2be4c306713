/* h_reports.c: Reports (issue 12): the catalogue as data (one table of
 * report declarations: name, title, purpose, tab, parameters, columns),
 * GET /reports (the catalogue the user may run) and GET /reports/{name}
 * (one run, streamed as JSON or CSV). The rows come from
 * store_reports.c; what a user may see of pounds is present.c's rule,
 * applied here to whole columns (pounds columns) and, through the reach
 * the store computes, to rows. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csv.h"
#include "dates.h"
#include "server/handlers/handlers.h"
#include "server/handlers/present.h"
#include "server/http/auth.h"

/* ---- the catalogue ------------------------------------------------------ */

struct label {
	const char *value, *label;
};

static const struct label declaration_statuses[] = {
	{"AWAITING_PROVIDER", "Awaiting Service Provider Approval"},
	{"AWAITING_COMMISSIONER", "Awaiting Commissioning Organisation Approval"},
	{"AWAITING_FINANCE", "Awaiting Financial Approval"},
	{"FINANCIALLY_APPROVED", "Financially Approved"},
	{"NO_DECLARATION_REQUIRED", "No Declaration Required"},
	{NULL, NULL},
};
static const struct label achievement_statuses[] = {
	{"OPEN", "Open"},
	{"SUBMITTED", "Submitted"},
	{"AWAITING_RECALCULATION", "Awaiting Recalculation"},
	{"AWAITING_NETWORK", "Awaiting Network Achievement"},
	{"CALCULATED", "Calculated"},
	{"NOT_RECORDED", "Not recorded"},
	{NULL, NULL},
};
static const struct label offer_statuses[] = {
	{"OFFERED", "Offered"},
	{"APPROVED", "Accepted"},
	{"REJECTED", "Rejected"},
	{"CANCELLED", "Cancelled"},
	{NULL, NULL},
};
static const struct label relationships[] = {
	{"CURRENT", "Current"},
	{"ENDED", "Ended"},
	{"NONE", "Not in a PCN"},
	{NULL, NULL},
};
static const struct label user_states[] = {
	{"ACTIVE", "Active"},
	{"DISABLED", "Disabled"},
	{"UNREGISTERED", "Not registered"},
	{NULL, NULL},
};

enum ptype { PT_YEAR, PT_SERVICE, PT_DATE, PT_ORG, PT_CHOICE };
static const char *const ptype_names[] = {"year", "service", "date", "organisation", "choice"};

struct param {
	const char *key, *label;
	enum ptype type;
	bool required;
	const struct label *choices;
};

enum ctype { CT_TEXT, CT_INT, CT_POINTS, CT_POUNDS, CT_DATE, CT_STATUS, CT_BAR };
static const char *const ctype_names[] = {"text", "int", "points", "pounds", "date", "status", "bar"};

struct column {
	const char *key, *label;
	enum ctype type;
	const struct label *labels; /* CT_STATUS */
};

#define MAX_PARAMS 5
#define MAX_COLUMNS 16
#define ROLES_ADMIN "USER_ADMIN,ADV_USER_ADMIN,ORG_ADMIN"

struct report_decl {
	const char *name, *title, *purpose, *tab;
	enum report_kind kind;
	const char *roles; /* one of these anywhere to run it (NULL: anyone) */
	struct param params[MAX_PARAMS];
	struct column columns[MAX_COLUMNS];
	const char *row_opens, *row_opens_also;
};

#define P_YEAR {"year", "Financial year", PT_YEAR, true, NULL}
#define P_SERVICE {"service", "Service", PT_SERVICE, false, NULL}
#define P_SERVICE_REQ {"service", "Service", PT_SERVICE, true, NULL}
#define P_DATE {"date", "Achievement date", PT_DATE, false, NULL}
#define P_ORG {"organisation", "Organisation", PT_ORG, false, NULL}
#define C_ORG {"org_code", "Organisation", CT_TEXT, NULL}, {"org_name", "Name", CT_TEXT, NULL}
#define C_SERVICE {"service", "Service", CT_TEXT, NULL}
#define C_ACH_DATE {"date", "Achievement date", CT_DATE, NULL}
#define C_POINTS {"points", "Points", CT_POINTS, NULL}, \
	{"max_points", "Maximum points", CT_POINTS, NULL}
#define C_POUNDS {"pounds", "Pounds", CT_POUNDS, NULL}

static const struct report_decl decls[] = {
	{"achievement-summary", "Achievement Summary",
	 "Points and pounds achieved against the maximum, per organisation, with the declaration status",
	 "predefined", REPORT_ACHIEVEMENT_SUMMARY, NULL,
	 {P_YEAR, P_SERVICE, P_DATE, P_ORG},
	 {C_ORG, C_SERVICE, C_ACH_DATE, C_POINTS, {"achieved", "Achieved", CT_BAR, NULL}, C_POUNDS,
	  {"status", "Declaration", CT_STATUS, declaration_statuses}},
	 "indicator-detail", "achievement-monthly"},
	{"achievement-monthly", "Achievement by Month",
	 "A practice's points month by month for the year",
	 "hidden", REPORT_ACHIEVEMENT_MONTHLY, NULL,
	 {{"organisation", "Organisation", PT_ORG, true, NULL}, P_SERVICE_REQ, P_YEAR},
	 {{"date", "Month end", CT_DATE, NULL}, C_POINTS, {"achieved", "Achieved", CT_BAR, NULL},
	  C_POUNDS, {"status", "Achievement", CT_STATUS, achievement_statuses}},
	 "indicator-detail", NULL},
	{"indicator-detail", "Indicator Detail",
	 "Per indicator the numerator, denominator, thresholds, points and pounds",
	 "predefined", REPORT_INDICATOR_DETAIL, NULL,
	 {P_YEAR, P_SERVICE_REQ, P_DATE, P_ORG},
	 {C_ORG, {"indicator", "Indicator", CT_TEXT, NULL},
	  {"description", "Description", CT_TEXT, NULL}, {"numerator", "Numerator", CT_INT, NULL},
	  {"denominator", "Denominator", CT_INT, NULL}, {"value", "Value", CT_INT, NULL},
	  {"lower", "Lower threshold %", CT_INT, NULL}, {"upper", "Upper threshold %", CT_INT, NULL},
	  {"achievement", "Achievement", CT_BAR, NULL}, C_POINTS, C_POUNDS},
	 NULL, NULL},
	{"declaration-status", "Declaration Status",
	 "Declarations by status, when each status was reached and who moved it",
	 "predefined", REPORT_DECLARATION_STATUS, NULL,
	 {P_YEAR, P_SERVICE, {"status", "Status", PT_CHOICE, false, declaration_statuses}, P_ORG},
	 {C_ORG, C_SERVICE, C_ACH_DATE, {"status", "Status", CT_STATUS, declaration_statuses},
	  {"since", "In status since", CT_DATE, NULL}, {"days", "Days in status", CT_INT, NULL},
	  {"created", "Awaiting provider from", CT_DATE, NULL}, {"declared", "Declared", CT_DATE, NULL},
	  {"declared_by", "Declared by", CT_TEXT, NULL},
	  {"approved", "Commissioner approved", CT_DATE, NULL},
	  {"approved_by", "Approved by", CT_TEXT, NULL},
	  {"paid", "Financially approved", CT_DATE, NULL},
	  {"paid_by", "Financially approved by", CT_TEXT, NULL}, C_POUNDS},
	 "indicator-detail", NULL},
	{"participation-status", "Participation Status",
	 "Offers by status per provider and service",
	 "predefined", REPORT_PARTICIPATION_STATUS, NULL,
	 {P_YEAR, P_SERVICE, {"status", "Status", PT_CHOICE, false, offer_statuses}, P_ORG},
	 {C_ORG, {"kind", "Kind", CT_TEXT, NULL}, C_SERVICE,
	  {"status", "Status", CT_STATUS, offer_statuses}, {"start", "Start", CT_DATE, NULL},
	  {"end", "End", CT_DATE, NULL}, {"offered", "Offered on", CT_DATE, NULL},
	  {"responded", "Response date", CT_DATE, NULL}, {"via_pcn", "Through PCN", CT_TEXT, NULL}},
	 NULL, NULL},
	{"missing-data", "Missing Data",
	 "Achievements not complete (n of m) per service and date, to chase before a deadline",
	 "predefined", REPORT_MISSING_DATA, NULL,
	 {P_YEAR, P_SERVICE, P_DATE, P_ORG},
	 {C_ORG, C_SERVICE, C_ACH_DATE, {"submitted", "Submitted", CT_INT, NULL},
	  {"total", "Of", CT_INT, NULL}, {"missing", "Missing", CT_INT, NULL},
	  {"status", "Achievement status", CT_STATUS, achievement_statuses}},
	 "indicator-detail", NULL},
	{"network-relationship", "Network Organisation Relationship",
	 "Which practices belonged to which PCN over a period (current ones marked)",
	 "administrative", REPORT_NETWORK_RELATIONSHIP, NULL,
	 {{"start", "Start date", PT_DATE, true, NULL}, {"end", "End date", PT_DATE, true, NULL},
	  {"pcn", "PCN", PT_ORG, false, NULL}, {"practice", "Practice", PT_ORG, false, NULL}},
	 {{"pcn_code", "PCN", CT_TEXT, NULL}, {"pcn_name", "PCN name", CT_TEXT, NULL},
	  {"practice_code", "Practice", CT_TEXT, NULL},
	  {"practice_name", "Practice name", CT_TEXT, NULL}, {"start", "Member from", CT_DATE, NULL},
	  {"end", "Member to", CT_DATE, NULL},
	  {"relationship", "Relationship", CT_STATUS, relationships}},
	 NULL, NULL},
	{"users-roles", "Users and Roles",
	 "Every user in reach with organisations, roles, clusters, state and last sign-in",
	 "administrative", REPORT_USERS_ROLES, ROLES_ADMIN,
	 {P_ORG},
	 {{"user_id", "User ID", CT_TEXT, NULL}, {"name", "Name", CT_TEXT, NULL},
	  {"email", "E-mail", CT_TEXT, NULL}, {"org_code", "Organisation", CT_TEXT, NULL},
	  {"roles", "Roles", CT_TEXT, NULL}, {"clusters", "Clusters", CT_TEXT, NULL},
	  {"state", "State", CT_STATUS, user_states}, {"last_sign_in", "Last sign-in", CT_DATE, NULL}},
	 NULL, NULL},
};

static const struct report_decl *decl_by_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(decls); i++)
		if (name && strcmp(decls[i].name, name) == 0)
			return &decls[i];
	return NULL;
}

static bool may_run(struct req *r, const struct report_decl *d)
{
	return !d->roles || auth_has_role_anywhere(r->auth, d->roles);
}

/* The one rule of role-aware columns: a pounds column only for a user
 * who may see pounds (present.c). */
static bool column_visible(const struct column *c, bool pounds)
{
	return c->type != CT_POUNDS || pounds;
}

static const char *label_of(const struct label *l, const char *value)
{
	for (; l && l->value; l++)
		if (strcmp(l->value, value) == 0)
			return l->label;
	return value;
}

static json_t *labels_json(const struct label *l, bool as_choices)
{
	json_t *j = as_choices ? json_array() : json_object();
	for (; l->value; l++) {
		if (as_choices)
			json_array_append_new(j, json_pack("{s:s, s:s}", "value", l->value,
							   "label", l->label));
		else
			json_object_set_new(j, l->value, json_string(l->label));
	}
	return j;
}

static json_t *columns_json(const struct report_decl *d, bool pounds)
{
	json_t *cols = json_array();
	for (const struct column *c = d->columns; c->key; c++) {
		if (!column_visible(c, pounds))
			continue;
		json_t *j = json_pack("{s:s, s:s, s:s}", "key", c->key, "label", c->label,
				      "type", ctype_names[c->type]);
		if (c->labels)
			json_object_set_new(j, "labels", labels_json(c->labels, false));
		json_array_append_new(cols, j);
	}
	return cols;
}

/* The period the relationship report covers by default: 1 April of the
 * business date's financial year to the business date. */
static void default_period(struct req *r, char start[11], char end[11])
{
	char fy[8], last[11];
	store_business_date(r->db, end);
	if (!date_financial_year(end, fy) || !fy_bounds(fy, start, last))
		strlcpy_s(start, end, 11);
}

void h_reports_list(struct req *r)
{
	bool pounds = present_pounds(r, 0, 0);
	char year[8], start[11], end[11];
	store_report_default_year(r->db, year);
	default_period(r, start, end);
	json_t *services = store_report_services(r->db, r->auth->uid);
	if (!services) {
		reply_store_error(r, ST_ERROR);
		return;
	}
	json_t *list = json_array();
	for (size_t i = 0; i < ARRAY_SIZE(decls); i++) {
		const struct report_decl *d = &decls[i];
		if (!may_run(r, d))
			continue;
		json_t *params = json_array();
		for (const struct param *p = d->params; p->key; p++) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:b}", "key", p->key, "label", p->label,
					      "type", ptype_names[p->type], "required", p->required);
			const char *def = p->type == PT_YEAR ? year :
					  strcmp(p->key, "start") == 0 ? start :
					  strcmp(p->key, "end") == 0 ? end : NULL;
			json_object_set_new(j, "default", def ? json_string(def) : json_null());
			if (p->type == PT_SERVICE)
				json_object_set(j, "choices", services);
			else if (p->choices)
				json_object_set_new(j, "choices", labels_json(p->choices, true));
			json_array_append_new(params, j);
		}
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}",
			"name", d->name, "title", d->title, "purpose", d->purpose, "tab", d->tab,
			"params", params, "columns", columns_json(d, pounds),
			"row_opens", d->row_opens ? json_string(d->row_opens) : json_null(),
			"row_opens_also", d->row_opens_also ? json_string(d->row_opens_also) : json_null()));
	}
	json_decref(services);
	reply_json(r, 200, json_pack("{s:o}", "reports", list));
}

/* ---- a run ---------------------------------------------------------------- */

struct run {
	const struct report_decl *d;
	struct report_cursor *cur;
	bool csv;
	bool opens;
	int cols[MAX_COLUMNS];     /* visible columns: indexes into d->columns */
	int ncols;
	int open_col[4];           /* organisation, service, date, year; -1: none */
	int64_t limit, offset, seen;
	char *head;                /* the JSON before the rows, or the CSV header */
	bool started;
	char generated[24];
};

static const char *const open_keys[] = {"organisation", "service", "date", "year"};

static void run_free(void *cls)
{
	struct run *x = cls;
	store_report_close(&x->cur);
	free(x->head);
	free(x);
}

/* A JSON string (the store's text is UTF-8). */
static void json_text(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	const unsigned char *run = (const unsigned char *)s, *p = run;
	for (; *p; p++) {
		if (*p != '"' && *p != '\\' && *p >= 0x20)
			continue;
		buf_append(b, run, (size_t)(p - run));
		if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else {
			buf_putc(b, '\\');
			buf_putc(b, (char)*p);
		}
		run = p + 1;
	}
	buf_append(b, run, (size_t)(p - run));
	buf_putc(b, '"');
}

/* A whole number in decimal (rows are many: no printf per value). */
static void put_int(struct buf *b, int64_t v)
{
	char tmp[24], *p = tmp + sizeof tmp;
	uint64_t a = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
	do
		*--p = (char)('0' + a % 10);
	while (a /= 10);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void row_json(struct run *x, struct buf *b, bool first)
{
	buf_puts(b, first ? "{" : ",{");
	for (int k = 0; k < x->ncols; k++) {
		const struct column *c = &x->d->columns[x->cols[k]];
		int i = x->cols[k];
		if (k)
			buf_putc(b, ',');
		buf_putc(b, '"');
		buf_puts(b, c->key);
		buf_puts(b, "\":");
		if (store_report_null(x->cur, i))
			buf_puts(b, "null");
		else if (c->type == CT_TEXT || c->type == CT_DATE || c->type == CT_STATUS)
			json_text(b, store_report_text(x->cur, i));
		else
			put_int(b, store_report_int(x->cur, i));
	}
	if (x->opens) {
		buf_puts(b, ",\"open\":{");
		bool any = false;
		for (int k = 0; k < 4; k++) {
			int i = x->open_col[k];
			if (i < 0 || store_report_null(x->cur, i))
				continue;
			buf_printf(b, "%s\"%s\":", any ? "," : "", open_keys[k]);
			json_text(b, store_report_text(x->cur, i));
			any = true;
		}
		buf_putc(b, '}');
	}
	buf_putc(b, '}');
}

static void row_csv(struct run *x, struct buf *b)
{
	char num[32];
	for (int k = 0; k < x->ncols; k++) {
		const struct column *c = &x->d->columns[x->cols[k]];
		int i = x->cols[k];
		if (k)
			csv_sep(b);
		if (store_report_null(x->cur, i))
			continue;
		int64_t v = store_report_int(x->cur, i);
		switch (c->type) {
		case CT_TEXT:
		case CT_DATE:
			csv_field(b, store_report_text(x->cur, i));
			break;
		case CT_STATUS:
			csv_field(b, label_of(c->labels, store_report_text(x->cur, i)));
			break;
		case CT_INT:
			put_int(b, v);
			break;
		case CT_POINTS:
			csv_points(num, v);
			buf_puts(b, num);
			break;
		case CT_POUNDS:
			csv_pounds(num, v);
			buf_puts(b, num);
			break;
		case CT_BAR:
			csv_percent(num, v);
			buf_puts(b, num);
			break;
		}
	}
	csv_eol(b);
}

/* The stream's producer: the head, then rows a few hundred at a time,
 * then (JSON) the total. */
static int run_produce(void *cls, struct buf *out)
{
	struct run *x = cls;
	if (!x->started) {
		x->started = true;
		buf_puts(out, x->head);
		return 1;
	}
	for (int n = 0; n < 256; n++) {
		enum st st = store_report_step(x->cur);
		if (st == ST_NOTFOUND) {
			if (!x->csv)
				buf_printf(out, "],\"total\":%" PRId64 ",\"generated\":\"%s\"}",
					   x->seen, x->generated);
			return 0;
		}
		if (st != ST_OK)
			return -1;
		int64_t i = x->seen++;
		if (i < x->offset || (x->limit > 0 && i >= x->offset + x->limit))
			continue;
		if (x->csv)
			row_csv(x, out);
		else
			row_json(x, out, i == x->offset);
	}
	return 1;
}

/* The query string, checked against the report's declaration. */
struct args {
	struct req *r;
	const struct report_decl *d;
	bool pounds;
	struct report_query *q;
	const char *values[MAX_PARAMS];
	const char *sort, *desc, *limit, *offset, *format;
	bool failed;
};

static bool bad(struct req *r, const char *field, const char *fmt, const char *arg)
{
	reply_error(r, 400, "bad_query", field, fmt, field, arg);
	return false;
}

static bool take_arg(void *cls, const char *key, const char *value)
{
	struct args *a = cls;
	const char **slot = NULL;
	if (!*key)
		return true; /* an empty argument ("?&format=csv") says nothing */
	for (int i = 0; i < MAX_PARAMS && a->d->params[i].key; i++)
		if (strcmp(a->d->params[i].key, key) == 0)
			slot = &a->values[i];
	if (!slot) {
		static const char *const common[] = {"q", "sort", "desc", "limit", "offset", "format"};
		const char **slots[] = {&a->q->q, &a->sort, &a->desc, &a->limit, &a->offset, &a->format};
		for (size_t i = 0; i < ARRAY_SIZE(common); i++)
			if (strcmp(common[i], key) == 0)
				slot = slots[i];
	}
	if (!slot) {
		a->failed = true;
		return bad(a->r, key, "%s is not a parameter of this report%s", "");
	}
	if (*slot) {
		a->failed = true;
		return bad(a->r, key, "%s is given twice%s", "");
	}
	*slot = *value ? value : NULL;
	return true;
}

static bool org_code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static bool whole(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Where the text of parameter key lives in a report query (NULL for the
 * service, a number). */
static char *param_text(struct report_query *q, const char *key, size_t *size)
{
#define SLOT(k, field) \
	if (!strcmp(key, k)) { \
		*size = sizeof q->field; \
		return q->field; \
	}
	SLOT("year", year)
	SLOT("date", date)
	SLOT("start", start)
	SLOT("end", end)
	SLOT("organisation", organisation)
	SLOT("pcn", pcn)
	SLOT("practice", practice)
	SLOT("status", status)
#undef SLOT
	*size = 0;
	return NULL;
}

/* Checks each parameter's value by its type and fills q. */
static bool take_params(struct args *a)
{
	struct report_query *q = a->q;
	for (int i = 0; i < MAX_PARAMS && a->d->params[i].key; i++) {
		const struct param *p = &a->d->params[i];
		const char *v = a->values[i];
		bool defaulted = p->type == PT_YEAR || strcmp(p->key, "start") == 0 ||
				 strcmp(p->key, "end") == 0;
		if (!v) {
			if (p->required && !defaulted)
				return bad(a->r, p->key, "%s is required%s", "");
			continue;
		}
		switch (p->type) {
		case PT_YEAR:
			if (!fy_valid(v))
				return bad(a->r, p->key, "%s must be a financial year like 2024/25, not %s", v);
			break;
		case PT_SERVICE:
			if (!whole(v, 1, INT64_MAX, &q->service_id))
				return bad(a->r, p->key, "%s must be a service id (a positive whole number), not %s", v);
			break;
		case PT_DATE:
			if (!date_valid(v))
				return bad(a->r, p->key, "%s must be a date YYYY-MM-DD, not %s", v);
			break;
		case PT_ORG:
			if (!org_code_ok(v))
				return bad(a->r, p->key, "%s must be an organisation code, not %s", v);
			break;
		case PT_CHOICE:
			if (label_of(p->choices, v) == v)
				return bad(a->r, p->key, "%s must be one of the report's choices, not %s", v);
			break;
		}
		size_t size;
		char *dst = param_text(q, p->key, &size);
		if (dst)
			strlcpy_s(dst, v, size);
	}
	if (a->d->kind == REPORT_NETWORK_RELATIONSHIP) {
		char start[11], end[11];
		default_period(a->r, start, end);
		if (!*q->start)
			strlcpy_s(q->start, start, sizeof q->start);
		if (!*q->end)
			strlcpy_s(q->end, end, sizeof q->end);
		if (strcmp(q->end, q->start) < 0)
			return bad(a->r, "end", "%s must not be before the start date (%s)", q->start);
	}
	return true;
}

static bool take_options(struct args *a, struct run *x)
{
	struct report_query *q = a->q;
	q->sort = -1;
	if (a->sort) {
		for (int k = 0; k < x->ncols; k++)
			if (!strcmp(a->d->columns[x->cols[k]].key, a->sort))
				q->sort = x->cols[k];
		if (q->sort < 0)
			return bad(a->r, "sort", "%s must be a column of the report, not %s", a->sort);
	}
	if (a->desc && strcmp(a->desc, "1") && strcmp(a->desc, "0"))
		return bad(a->r, "desc", "%s must be 1 or 0, not %s", a->desc);
	q->desc = a->desc && !strcmp(a->desc, "1");
	if (a->limit && !whole(a->limit, 1, 1000000, &x->limit))
		return bad(a->r, "limit", "%s must be a whole number from 1 to 1000000, not %s", a->limit);
	if (a->offset && !whole(a->offset, 0, INT64_MAX / 2, &x->offset))
		return bad(a->r, "offset", "%s must be a whole number from 0, not %s", a->offset);
	if (a->format && strcmp(a->format, "json") && strcmp(a->format, "csv"))
		return bad(a->r, "format", "%s must be json or csv, not %s", a->format);
	x->csv = a->format && !strcmp(a->format, "csv");
	if (q->q && strlen(q->q) > 200)
		return bad(a->r, "q", "%s must be at most 200 characters%s", "");
	return true;
}

static char *run_head(struct run *x, struct report_query *q, bool pounds)
{
	struct buf b;
	buf_init(&b);
	if (x->csv) {
		for (int k = 0; k < x->ncols; k++) {
			if (k)
				csv_sep(&b);
			csv_field(&b, x->d->columns[x->cols[k]].label);
		}
		csv_eol(&b);
		return buf_steal(&b);
	}
	json_t *params = json_object();
	for (int i = 0; i < MAX_PARAMS && x->d->params[i].key; i++) {
		const char *k = x->d->params[i].key;
		char id[24];
		size_t size;
		const char *v = param_text(q, k, &size);
		if (!v)
			v = "";
		if (!strcmp(k, "service") && q->service_id) {
			snprintf(id, sizeof id, "%" PRId64, q->service_id);
			v = id;
		}
		json_object_set_new(params, k, *v ? json_string(v) : json_null());
	}
	json_t *head = json_pack("{s:s, s:o, s:o}", "report", x->d->name, "params", params,
				 "columns", columns_json(x->d, pounds));
	char *text = json_dumps(head, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(head);
	size_t n = strlen(text);
	buf_append(&b, text, n - 1); /* without its closing brace */
	free(text);
	buf_puts(&b, ",\"rows\":[");
	return buf_steal(&b);
}

void h_report_run(struct req *r)
{
	const struct report_decl *d = decl_by_name(r->params[0]);
	if (!d) {
		reply_error(r, 404, "not_found", NULL, "there is no report %s", r->params[0]);
		return;
	}
	if (!may_run(r, d)) {
		reply_error(r, 403, "forbidden", NULL, "the %s report is for administrators (%s)",
			    d->title, d->roles);
		return;
	}
	bool pounds = present_pounds(r, 0, 0);
	struct report_query q;
	memset(&q, 0, sizeof q);
	struct run *x = xcalloc(1, sizeof *x);
	x->d = d;
	const char *keys[MAX_COLUMNS];
	for (int i = 0; d->columns[i].key; i++) {
		keys[i] = d->columns[i].key;
		if (d->columns[i].type == CT_TEXT)
			q.text_mask |= 1u << i;
		if (column_visible(&d->columns[i], pounds))
			x->cols[x->ncols++] = i;
		q.nkeys = (size_t)i + 1;
	}
	q.keys = keys;
	struct args a = {.r = r, .d = d, .pounds = pounds, .q = &q};
	if (!req_query_each(r, take_arg, &a) || a.failed || !take_params(&a) ||
	    !take_options(&a, x)) {
		free(x);
		return;
	}
	q.kind = d->kind;
	q.uid = r->auth->uid;
	q.scope_roles = d->roles;
	enum st st = store_report_open(r->srv->store, &q, &x->cur);
	if (st == ST_INVALID) {
		reply_error(r, 400, "bad_query", q.bad_param, "%s", q.bad_msg);
		free(x);
		return;
	}
	if (st != ST_OK) {
		reply_store_error(r, st);
		free(x);
		return;
	}
	x->opens = d->row_opens != NULL;
	for (int k = 0; k < 4; k++) {
		x->open_col[k] = -1;
		char name[24];
		snprintf(name, sizeof name, "open_%s", open_keys[k]);
		for (int i = (int)q.nkeys; i < store_report_columns(x->cur); i++)
			if (!strcmp(store_report_name(x->cur, i), name))
				x->open_col[k] = i;
	}
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(x->generated, sizeof x->generated, "%Y-%m-%dT%H:%M:%SZ", &tm);
	x->head = run_head(x, &q, pounds);
	if (x->csv) {
		char today[11], disp[128];
		store_business_date(r->db, today);
		snprintf(disp, sizeof disp, "attachment; filename=\"cqrs-%s-%s.csv\"", d->name, today);
		reply_stream(r, 200, "text/csv; charset=utf-8; header=present", disp, run_produce,
			     run_free, x);
	} else {
		reply_stream(r, 200, "application/json; charset=utf-8", NULL, run_produce, run_free, x);
	}
}
