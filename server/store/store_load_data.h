/* store_load_data.h: the one loader of data tables. A data text (the
 * demo's server/store/demo.tables, compiled in as store_demo_tables, or a
 * test's inline text) holds sections, one per table, each with a header
 * line naming its columns; dd_parse reads it, and the section loaders
 * insert its rows through prepared statements, naming organisations,
 * users, services and clusters by their codes. Every error names
 * file:line. The format is described at the top of demo.tables and in
 * docs/demo-data.md. Internal to the store; loaders run inside the
 * caller's write transaction. */
#ifndef CQRS_STORE_LOAD_DATA_H
#define CQRS_STORE_LOAD_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/store/store_int.h"

struct seed_service;

/* server/store/demo.tables, compiled in (demo_tables.c, generated). */
extern const char store_demo_tables[];

/* One row: its cells, as many as its section's header names. */
struct dd_row {
	int line;     /* where the row starts in its file */
	char *text;   /* the logical line the cells point into (owned) */
	char **cell;
};

struct dd_section {
	char *name;
	int line;     /* of the header */
	char *text;   /* the header line the column names point into */
	size_t ncol;
	char **col;
	size_t nrow;
	struct dd_row *row;
};

/* A parsed data text. err holds the first error ("file:line: message")
 * of parsing or loading; after one, getters return 0 or NULL. */
struct dd {
	char file[64];
	size_t nsec;
	struct dd_section *sec;
	char err[384];
};

/* Parses text (named file in messages). On an error returns NULL with
 * the message ("file:line: ...") in err. */
struct dd *dd_parse(const char *text, const char *file, char *err, size_t errlen);
void dd_free(struct dd **dd);
/* The section called name, or NULL. */
const struct dd_section *dd_section(const struct dd *dd, const char *name);

/* A cursor on one row of a section, for the typed getters below. */
struct dd_cur {
	struct dd *dd;
	struct db *db;
	const struct dd_section *sec;
	const struct dd_row *row;
};

/* Records an error at the cursor's row (the first error only). */
void dd_fail(struct dd_cur *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A cell as text; NULL for "-". */
const char *dd_text(struct dd_cur *c, const char *col);
/* A cell that must be there (not "-"). */
const char *dd_need(struct dd_cur *c, const char *col);
int64_t dd_int(struct dd_cur *c, const char *col);
/* yes or no. */
bool dd_flag(struct dd_cur *c, const char *col);
/* "YYYY-MM-DD HH:MM" (UTC) as seconds since the epoch. */
int64_t dd_time(struct dd_cur *c, const char *col);
/* A reference by code: its row id, 0 for "-"; unknown codes are errors. */
int64_t dd_org(struct dd_cur *c, const char *col);
int64_t dd_user(struct dd_cur *c, const char *col);
int64_t dd_service(struct dd_cur *c, const char *col);
int64_t dd_cluster(struct dd_cur *c, const char *col);

/* Whether a cell of words separated by spaces holds word. */
bool dd_has_word(const char *cell, const char *word);
/* Whether a cell of dates holds date: "all", or dates and ranges
 * (2024-04-30..2025-02-28, both ends included) separated by spaces. */
bool dd_has_date(const char *cell, const char *date);

/* Inserts every row of the named section (organisation, membership,
 * user, cluster, cluster_member, user_cluster, offer, task,
 * allocated_report); a section the text lacks loads nothing. Users are
 * created at now. On an error, dd->err says where and ST_INVALID (or the
 * store's error) is returned. */
enum st dd_load(struct db *db, struct dd *dd, const char *section, int64_t now);
/* The same for the rows whose service column is service (except false)
 * or is not (except true). */
enum st dd_load_some(struct db *db, struct dd *dd, const char *section, int64_t now,
		     const char *service, bool except);
/* Calls fn(row, arg) for each row of section (all of them when service is
 * NULL, else those the service filter above keeps), until one fails; a
 * section the text lacks has no rows. For sections that rules read. */
typedef enum st (*dd_row_fn)(struct dd_cur *c, void *arg);
enum st dd_each(struct db *db, struct dd *dd, const char *section, const char *service,
		bool except, dd_row_fn fn, void *arg);
/* Makes the service with this code from the [service] and [service_terms]
 * rows, with its statements, structure for its year and achievement
 * dates, and describes it in *out. */
enum st dd_load_service(struct db *db, struct dd *dd, const char *code,
			struct seed_service *out);
/* The compiled-in demo tables, parsed; NULL (the reason on stderr) if
 * they do not parse. */
struct dd *dd_demo_parse(void);
/* A service from the compiled-in demo tables (the national generator). */
enum st dd_demo_service(struct db *db, const char *code, struct seed_service *out);

#endif
