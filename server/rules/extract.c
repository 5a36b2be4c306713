/* extract.c: reads and validates an extract file (see extract.h and
 * docs/extract-format.md). One pass over the bytes: each line is split,
 * its codes resolved through the caller's callbacks (answers cached in
 * small hash tables) and its values checked against the indicator's kind;
 * the rows are then sorted by achievement and indicator, which brings
 * duplicates side by side. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "server/rules/extract.h"
#include "dates.h"
#include "money.h"
#include "util.h"

static const char *const field_names[EXTRACT_FIELDS] = {
	"practice", "service", "achievement_date", "indicator", "value", "numerator",
	"denominator",
};
enum { F_PRACTICE, F_SERVICE, F_DATE, F_INDICATOR, F_VALUE, F_NUM, F_DEN };

static uint64_t mix64(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	h ^= 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return mix64(h);
}

/* ---- a cache of lookup answers, keyed by (scope, code) -------------------- */

struct answer {
	bool used;
	bool ok;
	int64_t scope;
	char code[EXTRACT_MAX_CODE + 1];
	struct extract_indicator ind; /* id (and kind for indicators) */
	char *why;                    /* the reason for a refusal (owned) */
};

struct cache {
	struct answer *slots;
	size_t cap, count; /* cap: a power of two */
};

static void cache_free(struct cache *c)
{
	for (size_t i = 0; i < c->cap; i++)
		free(c->slots[i].why);
	xfree(&c->slots);
	c->cap = c->count = 0;
}

/* The slot for (scope, code): found (used) or where it would go. */
static struct answer *cache_slot(struct cache *c, int64_t scope, const char *code)
{
	if (c->count * 2 >= c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct answer *old = c->slots;
		size_t ocap = c->cap;
		c->slots = xcalloc(ncap, sizeof *c->slots);
		c->cap = ncap;
		for (size_t i = 0; i < ocap; i++) {
			if (!old[i].used)
				continue;
			size_t j = hash_str((uint64_t)old[i].scope, old[i].code) & (ncap - 1);
			while (c->slots[j].used)
				j = (j + 1) & (ncap - 1);
			c->slots[j] = old[i];
		}
		free(old);
	}
	size_t j = hash_str((uint64_t)scope, code) & (c->cap - 1);
	while (c->slots[j].used &&
	       (c->slots[j].scope != scope || strcmp(c->slots[j].code, code) != 0))
		j = (j + 1) & (c->cap - 1);
	return &c->slots[j];
}

/* ---- a set of achievement keys -------------------------------------------- */

struct key_entry {
	int64_t k[4];
	uint32_t line; /* 0: empty slot */
	uint32_t bad;  /* achievements: refused by the caller */
};

struct key_set {
	struct key_entry *slots;
	size_t cap, count;
};

static uint64_t hash_key(const int64_t k[4])
{
	return mix64((uint64_t)k[0] ^ mix64((uint64_t)k[1] ^ mix64((uint64_t)k[2] ^
								   mix64((uint64_t)k[3]))));
}

/* Finds k; if absent inserts it with line and returns NULL via *found
 * false. Returns the entry either way. */
static struct key_entry *key_put(struct key_set *s, const int64_t k[4], uint32_t line,
				 bool *found)
{
	if (s->count * 2 >= s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 1024;
		struct key_entry *old = s->slots;
		size_t ocap = s->cap;
		s->slots = xcalloc(ncap, sizeof *s->slots);
		s->cap = ncap;
		for (size_t i = 0; i < ocap; i++) {
			if (!old[i].line)
				continue;
			size_t j = hash_key(old[i].k) & (ncap - 1);
			while (s->slots[j].line)
				j = (j + 1) & (ncap - 1);
			s->slots[j] = old[i];
		}
		free(old);
	}
	size_t j = hash_key(k) & (s->cap - 1);
	while (s->slots[j].line) {
		if (!memcmp(s->slots[j].k, k, sizeof s->slots[j].k)) {
			*found = true;
			return &s->slots[j];
		}
		j = (j + 1) & (s->cap - 1);
	}
	memcpy(s->slots[j].k, k, sizeof s->slots[j].k);
	s->slots[j].line = line;
	s->count++;
	*found = false;
	return &s->slots[j];
}

/* ---- the parser ------------------------------------------------------------ */

struct parser {
	const struct extract_lookup *lk;
	size_t max_errors;
	struct extract_result *out;
	struct cache practices, services, dates, indicators;
	struct key_set achs;
	size_t rows_cap;
};

/* Copies at most 40 characters of a field for a message, with bytes that
 * are not printable ASCII shown as '?'. */
static const char *shown(const char *s, char *out, size_t size)
{
	size_t o = 0, i = 0;
	for (; s[i] && o + 4 < size && i < 40; i++)
		out[o++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] && o + 4 < size) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

static void add_error(struct parser *p, unsigned line, int field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_error(struct parser *p, unsigned line, int field, const char *fmt, ...)
{
	struct extract_result *r = p->out;
	r->total_errors++;
	if (r->nerrors >= p->max_errors)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	/* Messages must stay printable ASCII (they go to terminals and JSON). */
	for (char *c = msg; *c; c++)
		if (*c < 0x20 || *c >= 0x7f)
			*c = '?';
	struct extract_error *e;
	r->errors = xrealloc(r->errors, (r->nerrors + 1) * sizeof *r->errors);
	e = &r->errors[r->nerrors++];
	e->line = line;
	e->field = field >= 0 ? field_names[field] : NULL;
	if (!line)
		e->text = msg;
	else if (field >= 0)
		e->text = xasprintf("line %u, field %s: %s", line, field_names[field], msg);
	else
		e->text = xasprintf("line %u: %s", line, msg);
	if (e->text != msg)
		free(msg);
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Splits a line (NUL-terminated, modified in place) into fields, trimming
 * blanks around each. A field may be enclosed in double quotes, and may
 * then hold commas ("1,234.56"); quotes anywhere else are refused.
 * Returns the count (up to max are stored, more are counted), or -1 with
 * *bad_field set when a quote is misplaced. */
static int split(char *line, char **fields, int max, int *bad_field)
{
	int n = 0;
	char *s = line;
	for (;;) {
		while (is_blank(*s))
			s++;
		char *start = s, *end;
		if (*s == '"') {
			start = ++s;
			char *close = strchr(s, '"');
			if (!close)
				goto bad;
			end = close;
			s = close + 1;
			while (is_blank(*s))
				s++;
			if (*s != ',' && *s != '\0')
				goto bad;
		} else {
			end = s + strcspn(s, ",\"");
			s = end;
			if (*s == '"')
				goto bad;
			while (end > start && is_blank(end[-1]))
				end--;
		}
		bool last = *s == '\0';
		*end = '\0';
		if (n < max)
			fields[n] = start;
		n++;
		if (last)
			return n;
		s++; /* past the comma */
	}
bad:
	*bad_field = n < max ? n : max - 1;
	return -1;
}

/* A count: 1 to 9 digits (0 to 999,999,999, the limit of manual entry). */
static bool parse_count(struct parser *p, unsigned line, int field, const char *s, int64_t *v)
{
	char sh[64];
	if (!*s) {
		add_error(p, line, field, "a whole number is required");
		return false;
	}
	const char *d = s;
	if (*d == '-' || *d == '+')
		d++;
	size_t nd = strspn(d, "0123456789");
	if (nd == 0 || d[nd] != '\0') {
		if (nd && (d[nd] == '.' || d[nd] == ','))
			add_error(p, line, field, "%s is not a whole number", shown(s, sh, sizeof sh));
		else
			add_error(p, line, field, "%s is not a number", shown(s, sh, sizeof sh));
		return false;
	}
	if (*s == '-') {
		add_error(p, line, field, "%s is negative", shown(s, sh, sizeof sh));
		return false;
	}
	if (*s == '+') {
		add_error(p, line, field, "%s: a number has no sign", shown(s, sh, sizeof sh));
		return false;
	}
	while (nd > 1 && *d == '0') {
		d++;
		nd--;
	}
	if (nd > 9) {
		add_error(p, line, field, "%s is too large (at most 999999999)",
			  shown(s, sh, sizeof sh));
		return false;
	}
	*v = strtoll(d, NULL, 10);
	return true;
}

static bool must_be_empty(struct parser *p, unsigned line, int field, const char *s,
			  const char *kind)
{
	char sh[64];
	if (!*s)
		return true;
	add_error(p, line, field, "must be empty for a %s indicator (found %s)", kind,
		  shown(s, sh, sizeof sh));
	return false;
}

/* The value fields of one line, for the indicator's kind. */
static bool parse_values(struct parser *p, unsigned line, char **f, struct extract_row *row)
{
	char sh[64];
	const char *kn = value_kind_name(row->kind);
	row->value = row->num = row->den = 0;
	switch (row->kind) {
	case VK_RATIO:
		if (!must_be_empty(p, line, F_VALUE, f[F_VALUE], kn) ||
		    !parse_count(p, line, F_NUM, f[F_NUM], &row->num) ||
		    !parse_count(p, line, F_DEN, f[F_DEN], &row->den))
			return false;
		if (row->num > row->den) {
			add_error(p, line, F_NUM, "%lld is greater than the denominator %lld",
				  (long long)row->num, (long long)row->den);
			return false;
		}
		return true;
	case VK_COUNT:
		if (!parse_count(p, line, F_VALUE, f[F_VALUE], &row->value))
			return false;
		break;
	case VK_YESNO:
		if (!strcasecmp(f[F_VALUE], "yes")) {
			row->value = 1;
		} else if (!strcasecmp(f[F_VALUE], "no")) {
			row->value = 0;
		} else {
			add_error(p, line, F_VALUE, "must be Yes or No, not %s",
				  *f[F_VALUE] ? shown(f[F_VALUE], sh, sizeof sh) : "empty");
			return false;
		}
		break;
	case VK_MONEY:
		if (f[F_VALUE][0] == '-') {
			add_error(p, line, F_VALUE, "%s is negative", shown(f[F_VALUE], sh, sizeof sh));
			return false;
		}
		if (!money_parse(f[F_VALUE], &row->value)) {
			add_error(p, line, F_VALUE, "%s is not an amount in pounds (e.g. 1234.56)",
				  *f[F_VALUE] ? shown(f[F_VALUE], sh, sizeof sh) : "empty");
			return false;
		}
		break;
	case VK_DATE: {
		struct ymd d;
		if (!date_parse(f[F_VALUE], &d)) {
			add_error(p, line, F_VALUE, "%s is not a date (YYYY-MM-DD)",
				  *f[F_VALUE] ? shown(f[F_VALUE], sh, sizeof sh) : "empty");
			return false;
		}
		row->value = (int64_t)d.y * 10000 + d.m * 100 + d.d;
		break;
	}
	}
	return must_be_empty(p, line, F_NUM, f[F_NUM], kn) &&
	       must_be_empty(p, line, F_DEN, f[F_DEN], kn);
}

/* Resolves a code through a callback, once per (scope, code). */
enum ask { ASK_PRACTICE, ASK_SERVICE, ASK_DATE, ASK_INDICATOR };

static const struct answer *ask(struct parser *p, struct cache *c, enum ask what, int64_t scope,
				const char *code)
{
	struct answer *a = cache_slot(c, scope, code);
	if (a->used)
		return a;
	char why[200] = "";
	const struct extract_lookup *lk = p->lk;
	bool ok = false;
	switch (what) {
	case ASK_PRACTICE:
		ok = lk->practice(lk->ctx, code, &a->ind.id, why, sizeof why);
		break;
	case ASK_SERVICE:
		ok = lk->service(lk->ctx, code, &a->ind.id, why, sizeof why);
		break;
	case ASK_DATE:
		ok = lk->date(lk->ctx, scope, code, &a->ind.id, why, sizeof why);
		break;
	case ASK_INDICATOR:
		ok = lk->indicator(lk->ctx, scope, code, &a->ind, why, sizeof why);
		break;
	}
	a->used = true;
	a->ok = ok;
	a->scope = scope;
	strlcpy_s(a->code, code, sizeof a->code);
	if (!ok)
		a->why = xstrdup(why);
	c->count++;
	return a;
}

/* One data line (NUL-terminated, modified). */
static void parse_line(struct parser *p, unsigned line, char *text)
{
	char *f[EXTRACT_FIELDS];
	char sh[64], sh2[64];
	int bad = 0;
	int n = split(text, f, EXTRACT_FIELDS, &bad);
	if (n < 0) {
		add_error(p, line, bad, "a double quote may only enclose a whole field");
		return;
	}
	if (n != EXTRACT_FIELDS) {
		add_error(p, line, -1, "%d field%s, expected %d (%s)", n, n == 1 ? "" : "s",
			  EXTRACT_FIELDS, EXTRACT_HEADER);
		return;
	}
	for (int i = F_PRACTICE; i <= F_INDICATOR; i++) {
		if (!*f[i]) {
			add_error(p, line, i, "is empty");
			return;
		}
		if (strlen(f[i]) > EXTRACT_MAX_CODE && i != F_DATE) {
			add_error(p, line, i, "%s is longer than %d characters",
				  shown(f[i], sh, sizeof sh), EXTRACT_MAX_CODE);
			return;
		}
	}
	struct extract_row row = {.line = line};
	const struct answer *a = ask(p, &p->practices, ASK_PRACTICE, 0, f[F_PRACTICE]);
	if (!a->ok) {
		add_error(p, line, F_PRACTICE, "%s %s", shown(f[F_PRACTICE], sh, sizeof sh),
			  *a->why ? a->why : "is not a known practice");
		return;
	}
	row.practice_id = a->ind.id;
	a = ask(p, &p->services, ASK_SERVICE, 0, f[F_SERVICE]);
	if (!a->ok) {
		add_error(p, line, F_SERVICE, "%s %s", shown(f[F_SERVICE], sh, sizeof sh),
			  *a->why ? a->why : "is not a known service");
		return;
	}
	row.service_id = a->ind.id;
	if (!date_valid(f[F_DATE])) {
		add_error(p, line, F_DATE, "%s is not a date (YYYY-MM-DD)",
			  shown(f[F_DATE], sh, sizeof sh));
		return;
	}
	a = ask(p, &p->dates, ASK_DATE, row.service_id, f[F_DATE]);
	if (!a->ok) {
		if (*a->why)
			add_error(p, line, F_DATE, "%s %s", f[F_DATE], a->why);
		else
			add_error(p, line, F_DATE, "%s is not an achievement date of service %s",
				  f[F_DATE], shown(f[F_SERVICE], sh, sizeof sh));
		return;
	}
	row.date_id = a->ind.id;
	a = ask(p, &p->indicators, ASK_INDICATOR, row.service_id, f[F_INDICATOR]);
	if (!a->ok) {
		if (*a->why)
			add_error(p, line, F_INDICATOR, "%s %s", shown(f[F_INDICATOR], sh, sizeof sh),
				  a->why);
		else
			add_error(p, line, F_INDICATOR, "unknown indicator %s for service %s",
				  shown(f[F_INDICATOR], sh, sizeof sh),
				  shown(f[F_SERVICE], sh2, sizeof sh2));
		return;
	}
	row.indicator_id = a->ind.id;
	row.kind = a->ind.kind;
	if ((unsigned)row.kind > VK_RATIO) {
		add_error(p, line, F_INDICATOR, "%s has a kind the loader does not know",
			  shown(f[F_INDICATOR], sh, sizeof sh));
		return;
	}
	if (!parse_values(p, line, f, &row))
		return;
	/* The achievement may be refused as a whole: say so once. */
	bool found;
	int64_t ak[4] = {row.practice_id, row.service_id, row.date_id, 0};
	struct key_entry *ae = key_put(&p->achs, ak, line, &found);
	if (!found && p->lk->achievement) {
		char why[200] = "";
		if (!p->lk->achievement(p->lk->ctx, row.practice_id, row.service_id, row.date_id, why,
					sizeof why)) {
			ae->bad = 1;
			add_error(p, line, F_PRACTICE, "%s: no values can be loaded for service %s on"
				  " %s%s%s", shown(f[F_PRACTICE], sh, sizeof sh),
				  shown(f[F_SERVICE], sh2, sizeof sh2), f[F_DATE], *why ? ": " : "",
				  why);
			return;
		}
	}
	if (ae->bad)
		return;
	struct extract_result *r = p->out;
	if (r->nrows == p->rows_cap) {
		p->rows_cap = p->rows_cap ? p->rows_cap * 2 : 1024;
		r->rows = xrealloc(r->rows, p->rows_cap * sizeof *r->rows);
	}
	r->rows[r->nrows++] = row;
}

/* Checks the header line (NUL-terminated, modified). */
static bool parse_header(struct parser *p, unsigned line, char *text)
{
	char *f[EXTRACT_FIELDS];
	int bad = 0;
	int n = split(text, f, EXTRACT_FIELDS, &bad);
	bool ok = n == EXTRACT_FIELDS;
	for (int i = 0; ok && i < EXTRACT_FIELDS; i++)
		ok = strcasecmp(f[i], field_names[i]) == 0;
	if (!ok)
		add_error(p, line, -1, "the header line must be %s", EXTRACT_HEADER);
	return ok;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct extract_row *x = a, *y = b;
	if (x->practice_id != y->practice_id)
		return x->practice_id < y->practice_id ? -1 : 1;
	if (x->service_id != y->service_id)
		return x->service_id < y->service_id ? -1 : 1;
	if (x->date_id != y->date_id)
		return x->date_id < y->date_id ? -1 : 1;
	if (x->indicator_id != y->indicator_id)
		return x->indicator_id < y->indicator_id ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_errors(const void *a, const void *b)
{
	const struct extract_error *x = a, *y = b;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorts the rows and reports lines repeating an earlier line's practice,
 * service, date and indicator. */
static void find_duplicates(struct parser *p)
{
	struct extract_result *r = p->out;
	if (r->nrows > 1)
		qsort(r->rows, r->nrows, sizeof *r->rows, cmp_rows);
	for (size_t i = 1; i < r->nrows; i++) {
		const struct extract_row *x = &r->rows[i], *first = x - 1;
		if (x->practice_id != first->practice_id || x->service_id != first->service_id ||
		    x->date_id != first->date_id || x->indicator_id != first->indicator_id)
			continue;
		while (first > r->rows && first[-1].practice_id == x->practice_id &&
		       first[-1].service_id == x->service_id && first[-1].date_id == x->date_id &&
		       first[-1].indicator_id == x->indicator_id)
			first--;
		add_error(p, x->line, F_INDICATOR, "duplicate of line %u (same practice, service,"
			  " achievement date and indicator)", first->line);
	}
	/* Errors were found in two passes: put them back in line order. */
	if (r->nerrors > 1)
		qsort(r->errors, r->nerrors, sizeof *r->errors, cmp_errors);
}

/* Lists the achievements and practices of the sorted rows. */
static void group_rows(struct extract_result *r)
{
	size_t cap = 0;
	for (size_t i = 0; i < r->nrows; i++) {
		const struct extract_row *x = &r->rows[i];
		if (i && x->practice_id == x[-1].practice_id && x->service_id == x[-1].service_id &&
		    x->date_id == x[-1].date_id) {
			r->achs[r->nachs - 1].count++;
			continue;
		}
		if (!i || x->practice_id != x[-1].practice_id)
			r->npractices++;
		if (r->nachs == cap) {
			cap = cap ? cap * 2 : 256;
			r->achs = xrealloc(r->achs, cap * sizeof *r->achs);
		}
		r->achs[r->nachs++] = (struct extract_achievement){
			x->practice_id, x->service_id, x->date_id, i, 1,
		};
	}
}

int extract_parse(const char *data, size_t len, const struct extract_lookup *lk,
		  const struct extract_opts *opts, struct extract_result *out)
{
	memset(out, 0, sizeof *out);
	struct parser p = {.lk = lk, .out = out};
	size_t max_bytes = opts && opts->max_bytes ? opts->max_bytes : EXTRACT_DEFAULT_MAX_BYTES;
	p.max_errors = opts && opts->max_errors ? opts->max_errors : EXTRACT_DEFAULT_MAX_ERRORS;
	char text[EXTRACT_MAX_LINE + 2];
	if (len > max_bytes) {
		add_error(&p, 0, -1, "the file is %zu bytes, more than the limit of %zu bytes", len,
			  max_bytes);
		goto out;
	}
	size_t pos = 0, next_progress = 1 << 20;
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		pos = 3;
	bool header = false;
	unsigned line = 0;
	while (pos < len) {
		const char *s = data + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t l = nl ? (size_t)(nl - s) : len - pos;
		pos += l + (nl != NULL);
		line++;
		out->lines = line;
		if (l && s[l - 1] == '\r')
			l--;
		if (opts && opts->progress && pos >= next_progress) {
			opts->progress(opts->progress_ctx, pos, len);
			next_progress = pos + (1 << 20);
		}
		size_t k = 0;
		while (k < l && (is_blank(s[k])))
			k++;
		if (k == l) {
			if (!header) {
				add_error(&p, line, -1, "the first line must be the header %s",
					  EXTRACT_HEADER);
				goto out;
			}
			continue; /* a blank line */
		}
		if (l > EXTRACT_MAX_LINE) {
			add_error(&p, line, -1, "longer than %d characters", EXTRACT_MAX_LINE);
			if (!header)
				goto out;
			continue;
		}
		if (memchr(s, '\0', l) || memchr(s, '\r', l)) {
			add_error(&p, line, -1, "contains a %s character",
				  memchr(s, '\0', l) ? "NUL" : "stray carriage return");
			if (!header)
				goto out;
			continue;
		}
		memcpy(text, s, l);
		text[l] = '\0';
		if (!header) {
			if (!parse_header(&p, line, text))
				goto out;
			header = true;
			continue;
		}
		parse_line(&p, line, text);
	}
	if (header)
		find_duplicates(&p);
	if (!header)
		add_error(&p, 0, -1, "the file is empty: it has no header line");
	else if (!out->total_errors && !out->nrows)
		add_error(&p, 0, -1, "the file has a header but no data lines");
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, len, len);
out:
	cache_free(&p.practices);
	cache_free(&p.services);
	cache_free(&p.dates);
	cache_free(&p.indicators);
	free(p.achs.slots);
	if (out->total_errors) {
		xfree(&out->rows);
		out->nrows = 0;
		return -1;
	}
	group_rows(out);
	return 0;
}

int extract_parse_file(const char *path, const struct extract_lookup *lk,
		       const struct extract_opts *opts, struct extract_result *out)
{
	memset(out, 0, sizeof *out);
	size_t max_bytes = opts && opts->max_bytes ? opts->max_bytes : EXTRACT_DEFAULT_MAX_BYTES;
	struct parser p = {.lk = lk, .out = out, .max_errors = 1};
	bool is_stdin = !strcmp(path, "-");
	int fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	char *data = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;
	if (fd < 0) {
		add_error(&p, 0, -1, "cannot open %s: %s", path, strerror(errno));
		goto out;
	}
	struct stat stbuf;
	if (fstat(fd, &stbuf) == 0 && S_ISREG(stbuf.st_mode)) {
		if ((uintmax_t)stbuf.st_size > max_bytes) {
			add_error(&p, 0, -1, "%s is %jd bytes, more than the limit of %zu bytes", path,
				  (intmax_t)stbuf.st_size, max_bytes);
			goto out;
		}
		cap = (size_t)stbuf.st_size + 1;
	} else if (!is_stdin && fstat(fd, &stbuf) == 0 && S_ISDIR(stbuf.st_mode)) {
		add_error(&p, 0, -1, "%s is a directory", path);
		goto out;
	}
	if (cap < 65536)
		cap = 65536;
	data = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			if (cap > max_bytes) {
				add_error(&p, 0, -1, "%s is more than the limit of %zu bytes", path,
					  max_bytes);
				goto out;
			}
			cap *= 2;
			data = xrealloc(data, cap);
		}
		ssize_t got = read(fd, data + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			add_error(&p, 0, -1, "cannot read %s: %s", path, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	rc = extract_parse(data, len, lk, opts, out);
out:
	if (fd >= 0 && !is_stdin)
		close(fd);
	free(data);
	return rc;
}

void extract_result_free(struct extract_result *r)
{
	for (size_t i = 0; i < r->nerrors; i++)
		free(r->errors[i].text);
	free(r->errors);
	free(r->rows);
	free(r->achs);
	memset(r, 0, sizeof *r);
}
