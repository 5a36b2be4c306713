/* extract.h: the GPES-style extract file of `cqrsd load-extract` and of
 * the extract API: a CSV file of achievement values (one indicator of one
 * practice's achievement per line). This module reads and validates EVERY
 * line before anything is applied, and hands back the rows grouped by
 * achievement; the caller applies a file only when it is wholly valid.
 * Codes are resolved through callbacks, so the module knows no SQL. Pure
 * apart from extract_parse_file reading its file; no globals. The format
 * is documented in docs/extract-format.md. */
#ifndef CQRS_EXTRACT_H
#define CQRS_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "validate.h" /* enum value_kind */

/* The one accepted header line (field names compare case-insensitively). */
#define EXTRACT_HEADER "practice,service,achievement_date,indicator,value,numerator,denominator"
#define EXTRACT_FIELDS 7
/* Longest line accepted, in bytes (without its line end). */
#define EXTRACT_MAX_LINE 1024
/* Longest code (practice, service, indicator) accepted. */
#define EXTRACT_MAX_CODE 32
/* Default file size limit: 256 MiB (one national month is about 30 MB). */
#define EXTRACT_DEFAULT_MAX_BYTES ((size_t)256 << 20)
/* Default number of errors kept (all are counted). */
#define EXTRACT_DEFAULT_MAX_ERRORS 100

/* What the caller knows about an indicator of a service. */
struct extract_indicator {
	int64_t id;
	enum value_kind kind; /* VK_COUNT, VK_RATIO, VK_YESNO, VK_MONEY, VK_DATE */
};

/* Resolves codes for the parser. Each callback returns true and fills its
 * out-parameter, or returns false, optionally writing the reason into why
 * (a NUL-terminated sentence fragment such as "is a PCN, not a practice");
 * with why left empty the parser says "unknown ...". Every distinct
 * question is asked once per parse (answers are cached). ctx is passed
 * through untouched. */
struct extract_lookup {
	void *ctx;
	bool (*practice)(void *ctx, const char *code, int64_t *id, char *why, size_t whylen);
	bool (*service)(void *ctx, const char *code, int64_t *id, char *why, size_t whylen);
	/* Is iso (a valid YYYY-MM-DD date) an achievement date of the service? */
	bool (*date)(void *ctx, int64_t service_id, const char *iso, int64_t *date_id, char *why,
		     size_t whylen);
	bool (*indicator)(void *ctx, int64_t service_id, const char *code,
			  struct extract_indicator *out, char *why, size_t whylen);
	/* Optional (may be NULL): may values be loaded into this achievement
	 * (the practice takes part in the service; not financially approved)?
	 * Asked once per distinct (practice, service, date). */
	bool (*achievement)(void *ctx, int64_t practice_id, int64_t service_id, int64_t date_id,
			    char *why, size_t whylen);
};

struct extract_opts {
	size_t max_bytes;  /* file size limit; 0: EXTRACT_DEFAULT_MAX_BYTES */
	size_t max_errors; /* errors kept; 0: EXTRACT_DEFAULT_MAX_ERRORS */
	/* Optional: called about every MiB read and once at the end with the
	 * bytes done and the total. */
	void (*progress)(void *ctx, size_t done, size_t total);
	void *progress_ctx;
};

/* One valid line. value holds a count, 1/0 for Yes/No, pence for money,
 * yyyymmdd for a date (0 for ratios); num and den a ratio (0 otherwise). */
struct extract_row {
	uint32_t line;
	enum value_kind kind;
	int64_t practice_id, service_id, date_id, indicator_id;
	int64_t value, num, den;
};

/* The rows of one achievement: rows[first] to rows[first + count - 1]. */
struct extract_achievement {
	int64_t practice_id, service_id, date_id;
	size_t first, count;
};

struct extract_error {
	unsigned line;     /* 0: the file as a whole */
	const char *field; /* header name of the field; NULL: the line as a whole */
	/* The whole message, e.g. "line 12, field indicator: unknown indicator
	 * XYZ for service NCD2425" (owned; ASCII: bytes from the file that are
	 * not printable ASCII are shown as '?'). */
	char *text;
};

struct extract_result {
	/* A valid file: rows sorted by practice, service, date, indicator
	 * (then line), and the achievements they form (both owned). Empty
	 * after errors. */
	struct extract_row *rows;
	size_t nrows;
	struct extract_achievement *achs;
	size_t nachs;
	size_t npractices; /* distinct practices */
	size_t lines;      /* lines read, header and blank lines included */
	/* Up to max_errors errors, in line order (owned; duplicates are found
	 * after the other checks, so with more errors than that the kept ones
	 * may not be the first by line), and how many there were in all. */
	struct extract_error *errors;
	size_t nerrors;
	size_t total_errors;
};

/* Parses and validates data (len bytes; need not be NUL-terminated).
 * Fills *out (the caller frees it with extract_result_free, whatever the
 * outcome). Returns 0 when every line is valid (rows filled), -1 when
 * there is any error (no rows; errors filled). opts may be NULL. */
int extract_parse(const char *data, size_t len, const struct extract_lookup *lk,
		  const struct extract_opts *opts, struct extract_result *out);
/* The same for a file ("-": standard input), refusing one larger than the
 * limit before reading it. An unreadable file is an error of line 0. */
int extract_parse_file(const char *path, const struct extract_lookup *lk,
		       const struct extract_opts *opts, struct extract_result *out);
void extract_result_free(struct extract_result *r);

#endif
