/* load.h: loading a GPES-style extract into the database: every line is
 * validated first (extract.c); a valid file is applied in one transaction
 * (values marked EXTRACT, one submission per achievement that changed,
 * PCN-entered tick-boxes defaulted), and exactly the achievements it
 * changed are recalculated. Loading the same file twice changes nothing
 * the second time. */
#ifndef CQRS_LOAD_H
#define CQRS_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "server/rules/extract.h"
#include "server/store/store.h"

struct load_summary {
	size_t lines, practices, values, values_changed, achievements, achievements_changed,
	       recalculated, defaults_set,
	       refused;          /* lines refused: they would change a final figure */
	int64_t ms;
};

/* Parses data (or the file path when data is NULL) and, when valid,
 * applies it as user uid with the given label (the file name) in the
 * submissions' notes. Returns ST_OK with *summary filled, ST_INVALID with
 * *errors set to a new JSON array of {"line", "field", "message"} (and
 * nothing changed), or another store error. A line that would change a
 * final figure (a financially approved one) is refused alone: the rest
 * loads, and with ST_OK *refused is a new JSON array of those lines, in
 * the same shape (NULL when none). progress (may be NULL) is called while
 * parsing (bytes) and applying (achievements). */
enum st load_extract(struct db *db, const char *data, size_t len, const char *path,
		     const char *label, int64_t uid, struct load_summary *summary, json_t **errors,
		     json_t **refused,
		     void (*progress)(void *ctx, const char *phase, size_t done, size_t total),
		     void *progress_ctx);
json_t *load_summary_json(const struct load_summary *s);

#endif
