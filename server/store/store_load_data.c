/* store_load_data.c: the one loader of data tables (store_load_data.h):
 * the parser of the line-oriented format of server/store/demo.tables,
 * typed getters that resolve codes to ids, and the section loaders that
 * insert rows through prepared statements: organisations and PCN
 * memberships, users and their roles, clusters, allocated reports, and
 * the quality services with their statements, structures and achievement
 * dates. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "server/store/store_load_data.h"
#include "server/store/store_seed.h"
#include "util.h"

/* ==== parsing ============================================================== */

static void parse_err(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void parse_err(char *err, size_t errlen, const char *file, int line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(err, errlen, "%s:%d: %s", file, line, msg);
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* Splits line at '|' into trimmed cells (pointers into line). */
static size_t split_cells(char *line, char ***out)
{
	size_t n = 1;
	for (const char *q = line; *q; q++)
		n += *q == '|';
	char **cells = xcalloc(n, sizeof *cells);
	char *s = line;
	for (size_t i = 0; i < n; i++) {
		char *bar = strchr(s, '|');
		if (bar)
			*bar = '\0';
		cells[i] = trim(s);
		s = bar ? bar + 1 : s + strlen(s);
	}
	*out = cells;
	return n;
}

/* Reads one logical line from *p (physical lines joined where one ends
 * in a backslash, the next one's leading white space dropped) into b;
 * *lineno counts physical lines. */
static void logical_line(const char **p, int *lineno, struct buf *b)
{
	buf_reset(b);
	buf_reserve(b, 1);
	b->data[0] = '\0';
	bool more = true, first = true;
	while (more && **p) {
		const char *s = *p, *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		*p = nl ? nl + 1 : s + len;
		(*lineno)++;
		if (len && s[len - 1] == '\r')
			len--;
		for (; !first && len && (*s == ' ' || *s == '\t'); len--)
			s++;
		more = len && s[len - 1] == '\\';
		buf_append(b, s, more ? len - 1 : len);
		first = false;
	}
}

struct dd *dd_parse(const char *text, const char *file, char *err, size_t errlen)
{
	struct dd *dd = xcalloc(1, sizeof *dd);
	strlcpy_s(dd->file, file, sizeof dd->file);
	struct dd_section *sec = NULL;
	struct buf b;
	buf_init(&b);
	const char *p = text;
	int lineno = 0;
	bool ok = true;
	while (ok && *p) {
		int at = lineno + 1;
		logical_line(&p, &lineno, &b);
		char *line = trim(b.data);
		if (!*line || *line == '#')
			continue;
		if (*line == '[') {
			size_t n = strlen(line);
			if (n < 3 || line[n - 1] != ']') {
				parse_err(err, errlen, file, at, "a section starts with [name]");
				ok = false;
				break;
			}
			line[n - 1] = '\0';
			if (dd_section(dd, line + 1)) {
				parse_err(err, errlen, file, at, "section [%s] appears twice", line + 1);
				ok = false;
				break;
			}
			dd->sec = xrealloc(dd->sec, (dd->nsec + 1) * sizeof *dd->sec);
			sec = &dd->sec[dd->nsec++];
			memset(sec, 0, sizeof *sec);
			sec->name = xstrdup(line + 1);
			sec->line = at;
			continue;
		}
		if (!sec) {
			parse_err(err, errlen, file, at, "a row before any [section]");
			ok = false;
			break;
		}
		char *copy = xstrdup(line);
		char **cells = NULL;
		size_t n = split_cells(copy, &cells);
		for (size_t i = 0; ok && i < n; i++)
			if (!*cells[i]) {
				parse_err(err, errlen, file, at, "[%s]: cell %zu is empty (write - for none)",
					  sec->name, i + 1);
				ok = false;
			}
		if (ok && !sec->col) {
			sec->text = copy;
			sec->col = cells;
			sec->ncol = n;
			sec->line = at;
			continue;
		}
		if (ok && n != sec->ncol) {
			parse_err(err, errlen, file, at,
				  "[%s]: %zu columns, but its header (line %d) names %zu", sec->name, n,
				  sec->line, sec->ncol);
			ok = false;
		}
		if (!ok) {
			free(cells);
			free(copy);
			break;
		}
		sec->row = xrealloc(sec->row, (sec->nrow + 1) * sizeof *sec->row);
		sec->row[sec->nrow++] = (struct dd_row){.line = at, .text = copy, .cell = cells};
	}
	buf_free(&b);
	if (!ok)
		dd_free(&dd);
	return dd;
}

void dd_free(struct dd **ddp)
{
	struct dd *dd = *ddp;
	if (!dd)
		return;
	for (size_t i = 0; i < dd->nsec; i++) {
		struct dd_section *s = &dd->sec[i];
		for (size_t r = 0; r < s->nrow; r++) {
			free(s->row[r].text);
			free(s->row[r].cell);
		}
		free(s->row);
		free(s->text);
		free(s->col);
		free(s->name);
	}
	free(dd->sec);
	free(dd);
	*ddp = NULL;
}

const struct dd_section *dd_section(const struct dd *dd, const char *name)
{
	for (size_t i = 0; i < dd->nsec; i++)
		if (strcmp(dd->sec[i].name, name) == 0)
			return &dd->sec[i];
	return NULL;
}

/* ==== getters ================================================================ */

void dd_fail(struct dd_cur *c, const char *fmt, ...)
{
	if (c->dd->err[0])
		return;
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(c->dd->err, sizeof c->dd->err, "%s:%d: [%s] %s", c->dd->file,
		 c->row ? c->row->line : c->sec->line, c->sec->name, msg);
}

/* The raw cell of column col, or NULL (an error) if the section lacks it. */
static const char *cell(struct dd_cur *c, const char *col)
{
	if (c->dd->err[0])
		return NULL;
	for (size_t i = 0; i < c->sec->ncol; i++)
		if (strcmp(c->sec->col[i], col) == 0)
			return c->row->cell[i];
	dd_fail(c, "has no column \"%s\"", col);
	return NULL;
}

const char *dd_text(struct dd_cur *c, const char *col)
{
	const char *s = cell(c, col);
	return s && strcmp(s, "-") != 0 ? s : NULL;
}

const char *dd_need(struct dd_cur *c, const char *col)
{
	const char *s = cell(c, col);
	if (s && strcmp(s, "-") == 0) {
		dd_fail(c, "%s: a value is needed here", col);
		return NULL;
	}
	return s;
}

int64_t dd_int(struct dd_cur *c, const char *col)
{
	const char *s = dd_need(c, col);
	if (!s)
		return 0;
	char *end = NULL;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end) {
		dd_fail(c, "%s: \"%s\" is not a whole number", col, s);
		return 0;
	}
	return (int64_t)v;
}

bool dd_flag(struct dd_cur *c, const char *col)
{
	const char *s = dd_need(c, col);
	if (s && strcmp(s, "yes") != 0 && strcmp(s, "no") != 0)
		dd_fail(c, "%s: \"%s\" is neither yes nor no", col, s);
	return s && strcmp(s, "yes") == 0;
}

int64_t dd_time(struct dd_cur *c, const char *col)
{
	const char *s = dd_need(c, col);
	int y, m, d, hh, mm;
	char iso[11];
	if (!s)
		return 0;
	if (sscanf(s, "%4d-%2d-%2d %2d:%2d", &y, &m, &d, &hh, &mm) != 5 || hh > 23 || mm > 59) {
		dd_fail(c, "%s: \"%s\" is not a time (YYYY-MM-DD HH:MM)", col, s);
		return 0;
	}
	snprintf(iso, sizeof iso, "%.10s", s);
	return seed_epoch(iso, hh, mm);
}

/* A code looked up with sql (one ?1, returning the id); 0 for "-". */
static int64_t lookup(struct dd_cur *c, const char *col, const char *sql, const char *what)
{
	const char *s = dd_text(c, col);
	if (!s)
		return 0;
	dbstmt *st = db_stmt(c->db, sql);
	if (!st) {
		dd_fail(c, "%s: cannot look up %s", col, what);
		return 0;
	}
	dbs_bind_text(st, 1, s, -1, SQLITE_TRANSIENT);
	int64_t id = dbs_step(st) == SQLITE_ROW ? dbs_column_int64(st, 0) : 0;
	dbs_reset(st);
	if (!id)
		dd_fail(c, "%s: unknown %s \"%s\"", col, what, s);
	return id;
}

int64_t dd_org(struct dd_cur *c, const char *col)
{
	static const char sql[] = "SELECT id FROM organisation WHERE code = ?1";
	return lookup(c, col, sql, "organisation");
}

int64_t dd_user(struct dd_cur *c, const char *col)
{
	static const char sql[] = "SELECT id FROM app_user WHERE user_id = ?1";
	return lookup(c, col, sql, "user");
}

int64_t dd_service(struct dd_cur *c, const char *col)
{
	static const char sql[] = "SELECT id FROM quality_service WHERE code = ?1";
	return lookup(c, col, sql, "service");
}

int64_t dd_cluster(struct dd_cur *c, const char *col)
{
	static const char sql[] = "SELECT id FROM cluster WHERE name = ?1";
	return lookup(c, col, sql, "cluster");
}

/* ==== plain sections ========================================================== */

/* The status of a row's load: an error recorded by a getter is invalid
 * data; otherwise the store's own status. */
static enum st row_status(const struct dd_cur *c, enum st r)
{
	return c->dd->err[0] ? ST_INVALID : r;
}

static enum st load_org(struct dd_cur *c, void *arg)
{
	int64_t parent = dd_org(c, "parent"), id = 0;
	const char *code = dd_need(c, "code"), *name = dd_need(c, "name"),
		   *kind = dd_need(c, "kind"), *postcode = dd_text(c, "postcode");
	int64_t list_size = dd_int(c, "list_size");
	if (c->dd->err[0])
		return ST_INVALID;
	return row_status(c, seed_org(c->db, code, name, kind, parent, list_size, postcode, &id));
}

static enum st load_membership(struct dd_cur *c, void *arg)
{
	int64_t pcn = dd_org(c, "pcn"), practice = dd_org(c, "practice");
	const char *start = dd_need(c, "start"), *end = dd_text(c, "end");
	if (c->dd->err[0])
		return ST_INVALID;
	return row_status(c, seed_membership(c->db, pcn, practice, start, end));
}

/* A user with SEED_PASSWORD set a week before now (inside any expiry,
 * outside the 72-hour change limit), and each of its roles granted at
 * its organisation; "ROLE:TYPES" (VIEW:QOF) restricts a View or Finance
 * View grant to payment types (comma-separated). */
static enum st load_user(struct dd_cur *c, void *arg)
{
	int64_t now = *(const int64_t *)arg;
	const char *user_id = dd_need(c, "user_id"), *name = dd_need(c, "name"),
		   *email = dd_need(c, "email"), *phone = dd_text(c, "phone"),
		   *roles = dd_need(c, "roles");
	int64_t org = dd_org(c, "organisation"), uid = 0;
	bool sys = dd_flag(c, "system");
	if (c->dd->err[0])
		return ST_INVALID;
	enum st r = seed_user(c->db, user_id, name, email, phone, sys, now, now - 7 * 86400, &uid);
	char *list = xstrdup(roles), *save = NULL;
	for (char *role = strtok_r(list, " ", &save); r == ST_OK && role;
	     role = strtok_r(NULL, " ", &save)) {
		char *types = strchr(role, ':');
		if (types)
			*types++ = '\0';
		r = seed_grant_types(c->db, uid, org, role, types, now);
	}
	free(list);
	return row_status(c, r);
}

static enum st load_cluster(struct dd_cur *c, void *arg)
{
	struct db *db = c->db;
	static const char sql[] =
		"INSERT INTO cluster(owner_org_id, name, description, created_at) VALUES (?1, ?2, ?3, ?4)";
	int64_t owner = dd_org(c, "owner"), at = dd_time(c, "created");
	const char *name = dd_need(c, "name"), *desc = dd_text(c, "description");
	if (c->dd->err[0])
		return ST_INVALID;
	PREP(st, sql);
	dbs_bind_int64(st, 1, owner);
	seed_bind_text(st, 2, name);
	seed_bind_text(st, 3, desc ? desc : "");
	dbs_bind_int64(st, 4, at);
	return row_status(c, seed_insert(db, st, "cluster", NULL));
}

/* A row linking two ids (a cluster and a member, a user and a cluster),
 * inserted by sql (?1, ?2). */
static enum st link_row(struct dd_cur *c, const char *sql, int64_t a, int64_t b,
			const char *what)
{
	struct db *db = c->db;
	if (c->dd->err[0])
		return ST_INVALID;
	PREP(st, sql);
	dbs_bind_int64(st, 1, a);
	dbs_bind_int64(st, 2, b);
	return row_status(c, seed_insert(db, st, what, NULL));
}

static enum st load_cluster_member(struct dd_cur *c, void *arg)
{
	static const char sql[] = "INSERT INTO cluster_member(cluster_id, org_id) VALUES (?1, ?2)";
	int64_t cluster = dd_cluster(c, "cluster"), org = dd_org(c, "organisation");
	return link_row(c, sql, cluster, org, "cluster member");
}

static enum st load_user_cluster(struct dd_cur *c, void *arg)
{
	static const char sql[] = "INSERT INTO user_cluster(user_id, cluster_id) VALUES (?1, ?2)";
	int64_t user = dd_user(c, "user"), cluster = dd_cluster(c, "cluster");
	return link_row(c, sql, user, cluster, "user cluster");
}

static enum st load_allocated_report(struct dd_cur *c, void *arg)
{
	struct db *db = c->db;
	static const char sql[] =
		"INSERT INTO allocated_report(from_org_id, to_org_id, service_id, created_at)"
		" VALUES (?1, ?2, ?3, ?4)";
	int64_t from = dd_org(c, "from"), to = dd_org(c, "to"), svc = dd_service(c, "service"),
		at = dd_time(c, "created");
	if (c->dd->err[0])
		return ST_INVALID;
	PREP(st, sql);
	dbs_bind_int64(st, 1, from);
	dbs_bind_int64(st, 2, to);
	dbs_bind_int64(st, 3, svc);
	dbs_bind_int64(st, 4, at);
	return row_status(c, seed_insert(db, st, "allocated report", NULL));
}

/* The status and time of an offer step from columns status and on; false
 * when the step is "-". */
static bool offer_step(struct dd_cur *c, const char *status, const char *on, const char **st,
		       int64_t *at)
{
	*st = dd_text(c, status);
	*at = *st ? dd_time(c, on) : 0;
	return *st != NULL;
}

/* The offers through PCN pcn of network offer o to the PCN's member
 * practices, accepted automatically: a practice that is a member when
 * the service starts gets the PCN's offer (cancelled the day after it
 * leaves, if it leaves during the year); a practice that joins during
 * the year gets one from the day it joins. */
static enum st member_offers(struct dd_cur *c, const struct seed_offer *o, int64_t pcn)
{
	static const char sql[] =
		"SELECT practice_id, start_date, COALESCE(end_date, '') FROM pcn_membership"
		" WHERE pcn_id = ?1 AND start_date <= ?3 AND (end_date IS NULL OR end_date >= ?2)"
		" ORDER BY practice_id, start_date";
	static const char auto_note[] =
		"Accepted automatically on the practice's behalf through its PCN's acceptance";
	struct db *db = c->db;
	struct {
		int64_t practice;
		char start[11], end[11];
	} m[64];
	size_t n = 0;
	PREP(st, sql);
	dbs_bind_int64(st, 1, pcn);
	seed_bind_text(st, 2, o->start);
	seed_bind_text(st, 3, o->end);
	while (n < ARRAY_SIZE(m) && dbs_step(st) == SQLITE_ROW) {
		m[n].practice = dbs_column_int64(st, 0);
		strlcpy_s(m[n].start, (const char *)dbs_column_text(st, 1), sizeof m[n].start);
		strlcpy_s(m[n].end, (const char *)dbs_column_text(st, 2), sizeof m[n].end);
		n++;
	}
	dbs_reset(st);
	enum st r = ST_OK;
	for (size_t i = 0; r == ST_OK && i < n; i++) {
		struct seed_offer po = *o;
		char shown[11], next[11], note[128], note0[128];
		po.org_id = m[i].practice;
		po.via_pcn_id = pcn;
		po.auto_accepted = true;
		po.by[1] = 0;
		po.notes[1] = auto_note;
		if (strcmp(m[i].start, o->start) <= 0) {
			if (m[i].end[0] && strcmp(m[i].end, o->end) < 0) {
				/* It left during the year. */
				date_display(m[i].end, shown);
				if (!date_add_days(m[i].end, 1, next))
					return ST_INVALID;
				snprintf(note, sizeof note,
					 "Participation ended: the practice left the PCN on %s", shown);
				po.end = m[i].end;
				po.statuses[2] = "CANCELLED";
				po.ats[2] = seed_epoch(next, 0, 5);
				po.notes[2] = note;
			}
		} else {
			/* It joined during the year. */
			date_display(m[i].start, shown);
			snprintf(note0, sizeof note0,
				 "Offered through the PCN the practice joined on %s", shown);
			po.start = po.response = m[i].start;
			po.ats[0] = seed_epoch(m[i].start, 0, 5);
			po.ats[1] = seed_epoch(m[i].start, 0, 6);
			po.by[0] = 0;
			po.notes[0] = note0;
		}
		r = seed_offer_add(db, &po, NULL);
	}
	return r;
}

/* An offer of a service to an organisation, offered by the
 * organisation's ICB (its parent), for the service's dates, with up to
 * two more steps. An accepted offer of a network service to a PCN is
 * passed on to its member practices (member_offers). */
static enum st load_offer(struct dd_cur *c, void *arg)
{
	static const char sql[] =
		"SELECT o.parent_id, o.kind, s.start_date, s.end_date, s.level FROM organisation o,"
		" quality_service s WHERE o.id = ?1 AND s.id = ?2";
	struct db *db = c->db;
	struct seed_offer o = {0};
	o.service_id = dd_service(c, "service");
	o.org_id = dd_org(c, "organisation");
	o.offered_by = dd_user(c, "offered_by");
	o.response = dd_need(c, "respond_by");
	o.statuses[0] = "OFFERED";
	o.ats[0] = dd_time(c, "offered");
	o.by[0] = o.offered_by;
	int n = 1;
	if (offer_step(c, "answer", "answered", &o.statuses[n], &o.ats[n])) {
		o.by[n] = dd_user(c, "answered_by");
		o.notes[n++] = dd_text(c, "answer_note");
		if (offer_step(c, "then", "then_on", &o.statuses[n], &o.ats[n])) {
			o.by[n] = dd_user(c, "then_by");
			o.notes[n++] = dd_text(c, "then_note");
		}
	}
	if (c->dd->err[0])
		return ST_INVALID;
	char start[11] = "", end[11] = "", kind[16] = "", level[16] = "";
	PREP(st, sql);
	dbs_bind_int64(st, 1, o.org_id);
	dbs_bind_int64(st, 2, o.service_id);
	if (dbs_step(st) == SQLITE_ROW) {
		o.offered_by_org = dbs_column_int64(st, 0);
		strlcpy_s(kind, (const char *)dbs_column_text(st, 1), sizeof kind);
		strlcpy_s(start, (const char *)dbs_column_text(st, 2), sizeof start);
		strlcpy_s(end, (const char *)dbs_column_text(st, 3), sizeof end);
		strlcpy_s(level, (const char *)dbs_column_text(st, 4), sizeof level);
	}
	dbs_reset(st);
	o.start = start;
	o.end = o.target = end;
	enum st r = row_status(c, seed_offer_add(db, &o, NULL));
	if (r == ST_OK && strcmp(kind, "PCN") == 0 && strcmp(level, "NETWORK") == 0 &&
	    n > 1 && strcmp(o.statuses[1], "APPROVED") == 0)
		r = row_status(c, member_offers(c, &o, o.org_id));
	return r;
}

/* A task for a role at an organisation about an offer (the latest of the
 * service to the organisation about) or a declaration (of the
 * achievement of the service, organisation about and date). */
static enum st load_task(struct dd_cur *c, void *arg)
{
	static const char osql[] =
		"SELECT max(id) FROM offer WHERE service_id = ?1 AND org_id = ?2";
	static const char dsql[] =
		"SELECT max(x.id) FROM declaration x JOIN achievement a ON a.id = x.achievement_id"
		" JOIN achievement_date d ON d.id = a.date_id"
		" WHERE a.service_id = ?1 AND a.org_id = ?2 AND d.date = ?3";
	static const char sql[] =
		"INSERT INTO task(org_id, role_code, kind, title, subject_type, subject_id,"
		" created_at, done_at, done_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
	struct db *db = c->db;
	int64_t org = dd_org(c, "organisation"), about = dd_org(c, "about"),
		svc = dd_service(c, "service"), created = dd_time(c, "created"),
		by = dd_user(c, "done_by");
	int64_t done = dd_text(c, "done") ? dd_time(c, "done") : 0;
	const char *subject = dd_need(c, "subject"), *date = dd_text(c, "date");
	const char *role = dd_need(c, "role"), *kind = dd_need(c, "kind"),
		   *title = dd_need(c, "title");
	if (c->dd->err[0])
		return ST_INVALID;
	bool offer = strcmp(subject, "offer") == 0;
	if (!offer && (strcmp(subject, "declaration") != 0 || !date)) {
		dd_fail(c, "subject: an offer, or a declaration with its date");
		return ST_INVALID;
	}
	dbstmt *q = db_stmt(db, offer ? osql : dsql);
	if (!q)
		return ST_ERROR;
	dbs_bind_int64(q, 1, svc);
	dbs_bind_int64(q, 2, about);
	if (!offer)
		seed_bind_text(q, 3, date);
	int64_t subject_id = dbs_step(q) == SQLITE_ROW ? dbs_column_int64(q, 0) : 0;
	dbs_reset(q);
	if (!subject_id) {
		dd_fail(c, "no %s of %s to this organisation%s%s", subject, dd_text(c, "service"),
			date ? " for " : "", date ? date : "");
		return ST_INVALID;
	}
	PREP(st, sql);
	dbs_bind_int64(st, 1, org);
	seed_bind_text(st, 2, role);
	seed_bind_text(st, 3, kind);
	seed_bind_text(st, 4, title);
	seed_bind_text(st, 5, subject);
	dbs_bind_int64(st, 6, subject_id);
	dbs_bind_int64(st, 7, created);
	if (done)
		dbs_bind_int64(st, 8, done);
	else
		dbs_bind_null(st, 8);
	seed_bind_id(st, 9, by);
	return row_status(c, seed_insert(db, st, "task", NULL));
}

static const struct {
	const char *name;
	dd_row_fn load;
} loaders[] = {
	{"organisation", load_org},
	{"membership", load_membership},
	{"user", load_user},
	{"cluster", load_cluster},
	{"cluster_member", load_cluster_member},
	{"user_cluster", load_user_cluster},
	{"allocated_report", load_allocated_report},
	{"offer", load_offer},
	{"task", load_task},
};

enum st dd_load(struct db *db, struct dd *dd, const char *section, int64_t now)
{
	return dd_load_some(db, dd, section, now, NULL, false);
}

enum st dd_each(struct db *db, struct dd *dd, const char *section, const char *service,
		bool except, dd_row_fn fn, void *arg)
{
	const struct dd_section *sec = dd_section(dd, section);
	enum st r = ST_OK;
	for (size_t k = 0; r == ST_OK && sec && k < sec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[k]};
		if (service) {
			const char *code = dd_need(&c, "service");
			if (!code)
				return ST_INVALID;
			if ((strcmp(code, service) == 0) == except)
				continue;
		}
		r = fn(&c, arg);
	}
	return dd->err[0] && r == ST_OK ? ST_INVALID : r;
}

enum st dd_load_some(struct db *db, struct dd *dd, const char *section, int64_t now,
		     const char *service, bool except)
{
	for (size_t i = 0; i < ARRAY_SIZE(loaders); i++)
		if (strcmp(loaders[i].name, section) == 0)
			return dd_each(db, dd, section, service, except, loaders[i].load, &now);
	snprintf(dd->err, sizeof dd->err, "%s: no loader for section [%s]", dd->file, section);
	return ST_INVALID;
}

/* ==== services ================================================================== */

/* A cursor on the row of section whose column col is value, or one with
 * no row (and an error) if there is none. */
static bool find_row(struct dd *dd, struct db *db, const char *section, const char *col,
		     const char *value, struct dd_cur *out)
{
	const struct dd_section *sec = dd_section(dd, section);
	*out = (struct dd_cur){.dd = dd, .db = db, .sec = sec};
	for (size_t k = 0; sec && k < sec->nrow; k++) {
		out->row = &sec->row[k];
		const char *v = cell(out, col);
		if (v && strcmp(v, value) == 0)
			return true;
	}
	if (!dd->err[0])
		snprintf(dd->err, sizeof dd->err, "%s:%d: [%s] has no row for %s", dd->file,
			 sec ? sec->line : 0, section, value);
	return false;
}

bool dd_has_word(const char *cell, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = cell; n && (p = strstr(p, word)) != NULL; p += n)
		if ((p == cell || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

bool dd_has_date(const char *cell, const char *date)
{
	if (strcmp(cell, "all") == 0)
		return true;
	for (const char *p = cell; *p;) {
		p += strspn(p, " ");
		size_t n = strcspn(p, " ");
		char tok[32];
		snprintf(tok, sizeof tok, "%.*s", (int)n, p);
		char *dots = strstr(tok, "..");
		if (dots) {
			*dots = '\0';
			if (strcmp(date, tok) >= 0 && strcmp(date, dots + 2) <= 0)
				return true;
		} else if (n && strcmp(tok, date) == 0) {
			return true;
		}
		p += n;
	}
	return false;
}

static enum st service_row(struct dd_cur *sv, struct dd_cur *terms, int start_year,
			   struct seed_service *out)
{
	static const char sql[] =
		"INSERT INTO quality_service(code, name, financial_year, payment_type, frequency,"
		" level, start_date, end_date, payment_period, entry, pence_per_point,"
		" national_list_size, declaration_required, approval_required,"
		" indicator_declaration, auto_accept, amendment_window_days, aspiration_percent,"
		" description)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19)";
	struct db *db = sv->db;
	char start[11], end[11];
	snprintf(start, sizeof start, "%04u-04-01", (unsigned)start_year % 10000u);
	snprintf(end, sizeof end, "%04u-03-31", (unsigned)(start_year + 1) % 10000u);
	const char *code = dd_need(sv, "code"), *name = dd_need(sv, "name");
	if (!sv->dd->err[0]) {
		strlcpy_s(out->code, code, sizeof out->code);
		strlcpy_s(out->name, name, sizeof out->name);
	}
	PREP(st, sql);
	seed_bind_text(st, 1, code);
	seed_bind_text(st, 2, name);
	seed_bind_text(st, 3, dd_need(sv, "year"));
	seed_bind_text(st, 4, dd_need(sv, "type"));
	seed_bind_text(st, 5, dd_need(sv, "frequency"));
	seed_bind_text(st, 6, dd_need(sv, "level"));
	seed_bind_text(st, 7, start);
	seed_bind_text(st, 8, end);
	seed_bind_text(st, 9, dd_need(sv, "payment_period"));
	seed_bind_text(st, 10, dd_need(sv, "entry"));
	dbs_bind_int64(st, 11, dd_int(terms, "pence_per_point"));
	dbs_bind_int64(st, 12, dd_int(terms, "national_list_size"));
	dbs_bind_int(st, 13, dd_flag(terms, "declaration"));
	dbs_bind_int(st, 14, dd_flag(terms, "approval"));
	dbs_bind_int(st, 15, dd_flag(terms, "indicator_declaration"));
	dbs_bind_int(st, 16, dd_flag(terms, "auto_accept"));
	dbs_bind_int64(st, 17, dd_int(terms, "window_days"));
	dbs_bind_int64(st, 18, dd_int(terms, "aspiration"));
	seed_bind_text(st, 19, dd_need(sv, "description"));
	if (sv->dd->err[0])
		return ST_INVALID;
	return row_status(sv, seed_insert(db, st, code, &out->id));
}

static enum st statements_add(struct dd *dd, struct db *db, const char *set, int64_t service_id)
{
	static const char sql[] =
		"INSERT INTO declaration_statement(service_id, position, text) VALUES (?1, ?2, ?3)";
	const struct dd_section *sec = dd_section(dd, "statement");
	enum st r = ST_OK;
	int pos = 0;
	for (size_t k = 0; r == ST_OK && sec && k < sec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = sec, .row = &sec->row[k]};
		const char *s = dd_need(&c, "set"), *text = dd_need(&c, "text");
		if (!s || strcmp(s, set) != 0)
			continue;
		PREP(st, sql);
		dbs_bind_int64(st, 1, service_id);
		dbs_bind_int(st, 2, ++pos);
		seed_bind_text(st, 3, text);
		r = row_status(&c, seed_insert(db, st, "declaration statement", NULL));
	}
	if (r == ST_OK && !pos && !dd->err[0])
		snprintf(dd->err, sizeof dd->err, "%s: no [statement] rows of set %s", dd->file, set);
	return dd->err[0] ? ST_INVALID : r;
}

static enum st domain_add(struct db *db, int64_t service_id, int64_t parent_id, int position,
			  const char *name, int64_t *id)
{
	static const char sql[] =
		"INSERT INTO service_domain(service_id, parent_id, position, name)"
		" VALUES (?1, ?2, ?3, ?4)";
	PREP(st, sql);
	dbs_bind_int64(st, 1, service_id);
	seed_bind_id(st, 2, parent_id);
	dbs_bind_int(st, 3, position);
	seed_bind_text(st, 4, name);
	return seed_insert(db, st, name, id);
}

static const char *const kind_names[] = {
	[SK_COUNT] = "count", [SK_RATIO] = "ratio", [SK_YESNO] = "yesno",
	[SK_MONEY] = "money", [SK_DATE] = "date",
};

/* One indicator row of group group_id into s; unpaid_registers: register
 * (count) indicators carry no points. */
static enum st indicator_add(struct dd_cur *c, struct seed_service *s, int64_t group_id,
			     int position, int64_t prevalence_ppm, bool unpaid_registers)
{
	struct db *db = c->db;
	static const char sql[] =
		"INSERT INTO indicator(group_id, position, code, description, kind, points,"
		" lower_threshold, upper_threshold, pence_per_item, pcn_entered,"
		" national_prevalence_ppm, register_indicator)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
	if (s->nind >= SEED_MAX_IND) {
		dd_fail(c, "more than %d indicators in one service", SEED_MAX_IND);
		return ST_INVALID;
	}
	struct seed_ind *ind = &s->ind[s->nind];
	const char *kind = dd_need(c, "kind");
	size_t k = 0;
	while (k < ARRAY_SIZE(kind_names) && kind && strcmp(kind, kind_names[k]) != 0)
		k++;
	if (kind && k == ARRAY_SIZE(kind_names))
		dd_fail(c, "kind: \"%s\" is not count, ratio, yesno, money or date", kind);
	ind->kind = (enum seed_kind)k;
	const char *code = dd_need(c, "code");
	strlcpy_s(ind->code, code ? code : "", sizeof ind->code);
	ind->group_id = group_id;
	ind->den_ppm = (int)dd_int(c, "den_ppm");
	ind->rate_pct = (int)dd_int(c, "rate_pct");
	ind->pcn_entered = dd_flag(c, "pcn_entered");
	ind->cumulative = dd_flag(c, "cumulative");
	ind->activity = dd_flag(c, "activity");
	ind->pence_per_item = (int)dd_int(c, "pence_per_item");
	int64_t points = dd_int(c, "points");
	const char *lower = dd_text(c, "lower"), *upper = dd_text(c, "upper");
	int64_t lo = lower ? dd_int(c, "lower") : 0, hi = upper ? dd_int(c, "upper") : 0;
	const char *reg = dd_text(c, "register"), *desc = dd_need(c, "description");
	if (c->dd->err[0])
		return ST_INVALID;
	PREP(st, sql);
	dbs_bind_int64(st, 1, group_id);
	dbs_bind_int(st, 2, position);
	seed_bind_text(st, 3, ind->code);
	seed_bind_text(st, 4, desc);
	seed_bind_text(st, 5, kind_names[ind->kind]);
	dbs_bind_int64(st, 6, unpaid_registers && ind->kind == SK_COUNT ? 0 : points);
	if (lower)
		dbs_bind_int64(st, 7, lo);
	else
		dbs_bind_null(st, 7);
	if (upper)
		dbs_bind_int64(st, 8, hi);
	else
		dbs_bind_null(st, 8);
	dbs_bind_int(st, 9, ind->pence_per_item);
	dbs_bind_int(st, 10, ind->pcn_entered);
	dbs_bind_int64(st, 11, prevalence_ppm);
	seed_bind_text(st, 12, reg);
	enum st r = row_status(c, seed_insert(db, st, ind->code, &ind->id));
	if (r == ST_OK)
		s->nind++;
	return r;
}

/* A domain made so far: its name ("Top" or "Top / Sub"), id, and how
 * many sub-domains and groups it holds. */
struct made_domain {
	char name[160];
	int64_t id;
	int subs, groups;
};

#define MAX_DOMAINS 32

struct domains {
	struct made_domain d[MAX_DOMAINS];
	size_t n;
	int tops;
};

static struct made_domain *domain_find(struct domains *ds, const char *name)
{
	for (size_t i = 0; i < ds->n; i++)
		if (strcmp(ds->d[i].name, name) == 0)
			return &ds->d[i];
	return NULL;
}

/* The domain called name, made (under parent, or top-level) if new. */
static enum st domain_get(struct db *db, struct domains *ds, int64_t service_id,
			  const char *name, struct made_domain *parent, struct made_domain **out)
{
	*out = domain_find(ds, name);
	if (*out)
		return ST_OK;
	if (ds->n == MAX_DOMAINS)
		return ST_INVALID;
	struct made_domain *d = &ds->d[ds->n];
	memset(d, 0, sizeof *d);
	strlcpy_s(d->name, name, sizeof d->name);
	const char *leaf = parent ? name + strlen(parent->name) + 3 : name;
	enum st r = domain_add(db, service_id, parent ? parent->id : 0,
			       parent ? ++parent->subs : ++ds->tops, leaf, &d->id);
	if (r == ST_OK) {
		ds->n++;
		*out = d;
	}
	return r;
}

/* The domains, groups and indicators of structure for year (e.g. 24/25):
 * the [domain] rows first, in order; then each group of the year, its
 * domain and sub-domain made when first needed, and the group's
 * indicators of the year. */
static enum st structure_add(struct dd *dd, struct db *db, struct seed_service *s,
			     const char *structure, const char *year, bool unpaid_registers)
{
	static const char gsql[] =
		"INSERT INTO indicator_group(domain_id, position, code, name, kind)"
		" VALUES (?1, ?2, ?3, ?4, ?5)";
	struct domains *ds = xcalloc(1, sizeof *ds);
	const struct dd_section *dsec = dd_section(dd, "domain"),
				*gsec = dd_section(dd, "indicator_group"),
				*isec = dd_section(dd, "indicator");
	enum st r = ST_OK;
	for (size_t k = 0; r == ST_OK && dsec && k < dsec->nrow; k++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = dsec, .row = &dsec->row[k]};
		const char *st = dd_need(&c, "structure"), *name = dd_need(&c, "name");
		struct made_domain *d = NULL;
		if (st && name && strcmp(st, structure) == 0)
			r = row_status(&c, domain_get(db, ds, s->id, name, NULL, &d));
	}
	for (size_t g = 0; r == ST_OK && gsec && g < gsec->nrow; g++) {
		struct dd_cur c = {.dd = dd, .db = db, .sec = gsec, .row = &gsec->row[g]};
		const char *st = dd_need(&c, "structure"), *years = dd_need(&c, "years");
		if (!st || !years || strcmp(st, structure) != 0 || !dd_has_word(years, year))
			continue;
		const char *dom = dd_need(&c, "domain"), *code = dd_need(&c, "code"),
			   *name = dd_need(&c, "name"), *kind = dd_need(&c, "kind");
		int64_t prevalence = dd_int(&c, "prevalence_ppm");
		if (dd->err[0])
			break;
		if (strcmp(kind, "PAYMENT") != 0 && strcmp(kind, "MI") != 0) {
			dd_fail(&c, "kind: \"%s\" is neither PAYMENT nor MI", kind);
			break;
		}
		/* "Top / Sub": the top-level domain, then the sub-domain. */
		char top[160];
		const char *slash = strstr(dom, " / ");
		snprintf(top, sizeof top, "%.*s", slash ? (int)(slash - dom) : (int)strlen(dom), dom);
		struct made_domain *d = NULL, *area = NULL;
		r = domain_get(db, ds, s->id, top, NULL, &d);
		if (r == ST_OK)
			r = slash ? domain_get(db, ds, s->id, dom, d, &area) : ST_OK;
		if (r == ST_OK && !slash)
			area = d;
		r = row_status(&c, r);
		if (r != ST_OK)
			break;
		int64_t gid = 0;
		PREP(gst, gsql);
		dbs_bind_int64(gst, 1, area->id);
		dbs_bind_int(gst, 2, ++area->groups);
		seed_bind_text(gst, 3, code);
		seed_bind_text(gst, 4, name);
		seed_bind_text(gst, 5, kind);
		r = row_status(&c, seed_insert(db, gst, code, &gid));
		int ipos = 0;
		for (size_t k = 0; r == ST_OK && isec && k < isec->nrow; k++) {
			struct dd_cur ic = {.dd = dd, .db = db, .sec = isec, .row = &isec->row[k]};
			const char *ist = dd_need(&ic, "structure"), *grp = dd_need(&ic, "group"),
				   *iyears = dd_need(&ic, "years");
			if (dd->err[0]) {
				r = ST_INVALID;
				break;
			}
			if (strcmp(ist, structure) == 0 && strcmp(grp, code) == 0 &&
			    dd_has_word(iyears, year))
				r = indicator_add(&ic, s, gid, ++ipos, prevalence, unpaid_registers);
		}
	}
	free(ds);
	return dd->err[0] ? ST_INVALID : r;
}

/* The month ends from first (an ISO month end of the service's year) to
 * 31 March as achievement dates; paid says which are payment dates. */
static enum st dates_add(struct dd_cur *c, struct seed_service *s, int start_year,
			 const char *first, const char *paid)
{
	struct db *db = c->db;
	static const char sql[] =
		"INSERT INTO achievement_date(service_id, date, payment) VALUES (?1, ?2, ?3)";
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int fy = 0, fm = 0;
	if (sscanf(first, "%4d-%2d", &fy, &fm) != 2 || fm < 1 || fm > 12) {
		dd_fail(c, "dates_from: \"%s\" is not a date", first);
		return ST_INVALID;
	}
	bool quarters = strcmp(paid, "quarters") == 0, monthly = strcmp(paid, "monthly") == 0;
	if (!quarters && !monthly && strcmp(paid, "march") != 0) {
		dd_fail(c, "paid: \"%s\" is not march, quarters or monthly", paid);
		return ST_INVALID;
	}
	s->ndates = 0;
	for (int mm = fm >= 4 ? fm : fm + 12; mm <= 15; mm++) {
		size_t i = s->ndates;
		int m = mm > 12 ? mm - 12 : mm, y = mm > 12 ? start_year + 1 : start_year;
		int d = dim[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
		snprintf(s->date[i], sizeof s->date[i], "%04u-%02u-%02u", (unsigned)y % 10000u,
			 (unsigned)m % 100u, (unsigned)d % 100u);
		if (i == 0 && strcmp(s->date[0], first) != 0) {
			dd_fail(c, "dates_from: %s is not a month end of the service's year", first);
			return ST_INVALID;
		}
		s->payment[i] = monthly || (quarters && m % 3 == 0) || m == 3;
		PREP(st, sql);
		dbs_bind_int64(st, 1, s->id);
		seed_bind_text(st, 2, s->date[i]);
		dbs_bind_int(st, 3, s->payment[i]);
		enum st r = seed_insert(db, st, "achievement date", &s->date_id[i]);
		if (r != ST_OK)
			return r;
		s->ndates++;
	}
	return ST_OK;
}

enum st dd_load_service(struct db *db, struct dd *dd, const char *code, struct seed_service *out)
{
	struct dd_cur sv, terms;
	memset(out, 0, sizeof *out);
	if (!find_row(dd, db, "service", "code", code, &sv) ||
	    !find_row(dd, db, "service_terms", "service", code, &terms))
		return ST_INVALID;
	const char *year = dd_need(&sv, "year");
	int start_year = 0, end2 = 0;
	if (year && (sscanf(year, "%4d/%2d", &start_year, &end2) != 2 ||
		     (start_year + 1) % 100 != end2))
		dd_fail(&sv, "year: \"%s\" is not a financial year such as 2024/25", year);
	if (dd->err[0])
		return ST_INVALID;
	/* The token the structure's years columns use, e.g. 24/25. */
	char yy[8];
	snprintf(yy, sizeof yy, "%02d/%02d", start_year % 100, end2 % 100);
	enum st r = service_row(&sv, &terms, start_year, out);
	const char *set = dd_text(&sv, "statements"), *structure = dd_text(&sv, "structure"),
		   *first = dd_text(&sv, "dates_from"), *paid = dd_text(&sv, "paid");
	bool unpaid = dd_flag(&terms, "unpaid_registers");
	if (r == ST_OK && set)
		r = statements_add(dd, db, set, out->id);
	if (r == ST_OK && structure)
		r = structure_add(dd, db, out, structure, yy, unpaid);
	if (r == ST_OK && first)
		r = dates_add(&sv, out, start_year, first, paid ? paid : "-");
	return dd->err[0] ? ST_INVALID : r;
}

struct dd *dd_demo_parse(void)
{
	char err[384];
	struct dd *dd =
		dd_parse(store_demo_tables, "server/store/demo.tables", err, sizeof err);
	if (!dd)
		fprintf(stderr, "cqrsd: seed: %s\n", err);
	return dd;
}

enum st dd_demo_service(struct db *db, const char *code, struct seed_service *out)
{
	struct dd *dd = dd_demo_parse();
	if (!dd)
		return ST_INVALID;
	enum st r = dd_load_service(db, dd, code, out);
	if (dd->err[0])
		fprintf(stderr, "cqrsd: seed: %s\n", dd->err);
	dd_free(&dd);
	return r;
}
