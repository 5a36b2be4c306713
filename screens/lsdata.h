/* lsdata.h: the pure parts of the list screens (listscreen.h), with no
 * curses and no app: the templates a declaration's words are written in,
 * members of a row by a dotted path, and the financial years a year
 * drop-down offers. Unit-tested in tests/unit/test_lsdata.c. */
#ifndef CQRS_LSDATA_H
#define CQRS_LSDATA_H

#include <jansson.h>
#include <stddef.h>

/* A member of obj by a dotted path ("service.name"), or NULL (borrowed). */
json_t *ls_get(json_t *obj, const char *path);
/* A value as text: a string as it is, an integer in decimal (written into
 * tmp), "" for anything else. */
const char *ls_text(json_t *v, char *tmp, size_t size);
/* tmpl with each {path} replaced by ls_text of ls_get(ctx, path), and
 * each {path|date} by that ISO date as dd/mm/yyyy (as it is when it is no
 * date), each {path|money} by integer pence as money ("£1,198.50"); a "{" without a "}" after it stays as it is (allocated). */
char *ls_expand(const char *tmpl, json_t *ctx);

/* The financial years a drop-down offers ("" stands for "All years"). */
struct year_pick {
	char years[16][16];
	const char *items[16];
	size_t n;
	void (*cb)(void *ud, const char *year);
	void *ud;
};

/* Fills p with the financial years around fy ("2025/26"): after years
 * after it, fy, then before years back (1 and 3: 2026/27 down to 2022/23).
 * Empty if fy is not a financial year. */
void year_pick_around(struct year_pick *p, const char *fy, int after, int before);
/* Fills p with the distinct values of member key of the objects of arr, in
 * their order. */
void year_pick_of(struct year_pick *p, json_t *arr, const char *key);
/* The financial year before fy ("2025/26" -> "2024/25"; "1999/00" when fy
 * is not one). */
void year_before(const char *fy, char out[8]);
/* Adds a last choice named all that stands for every year (""). */
void year_pick_all(struct year_pick *p, const char *all);

#endif
