/* dbi_pg.c: the PostgreSQL engine (libpq) behind dbi.h's statement calls
 * (pgs_*) and dbi_pg.h's connection calls (pgc_*).
 *
 * SQL arrives in the store's portable SQLite dialect and is translated
 * once per statement (pg_translate, rules below); the statement is
 * prepared on the server at its first step (or at the first question
 * about its columns) and each later step of a new execution is one round
 * trip (PQexecPrepared, text results kept until reset). Parameters travel
 * as text of type unknown (PostgreSQL infers the type from the context,
 * like SQLite's loose typing); blobs as binary bytea.
 *
 * Translation rules (docs/architecture.md, "Database engines"):
 * - `?NNN` -> `$NNN`, bare `?` -> the next number;
 * - date( strftime( julianday( group_concat( json_extract( sum( -> sq_*(
 *   (functions of the PostgreSQL schema), instr( -> strpos(, ifnull( ->
 *   coalesce(, printf( -> format(, max(a, b...)/min(a, b...) ->
 *   greatest(/least(;
 * - LIKE -> ILIKE; `==` -> `=`;
 * - `IN name` -> `IN (SELECT * FROM name)`;
 * - CAST(x AS INTEGER) -> CAST(x AS BIGINT);
 * - ORDER BY terms get SQLite's NULL order (NULLS FIRST ascending, NULLS
 *   LAST descending) unless they say, or are a bare id (a primary key,
 *   never NULL: the index order stays usable); `x COLLATE NOCASE` in an
 *   ORDER BY term -> lower(x);
 * - INSERT OR IGNORE INTO ... -> INSERT INTO ... ON CONFLICT DO NOTHING;
 * - temp.name -> pg_temp.name;
 * - `JOIN t` with no ON/USING -> `JOIN t ON TRUE`; `CROSS JOIN t ON c` ->
 *   `JOIN t ON c`; a FROM/JOIN subquery with no alias gets `AS _sN`;
 *   `full` (a column name, reserved in PostgreSQL) -> "full";
 * - (pgc_prepare) an INSERT into a table with an identity id column gets
 *   RETURNING id, for pgc_last_insert_id. */
#include "config.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/store/dbi_pg.h"
#include "util.h"

/* Type oids (catalog/pg_type_d.h). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_TEXT 25
#define OID_NUMERIC 1700

struct pgconn {
	PGconn *conn;
	bool pending;       /* a statement sent ahead (pgc_send), answer unread */
	const char *lazy;   /* a statement to run before the next one (pgc_lazy) */
	char err[512];      /* the last error (empty: PQerrorMessage's) */
	int changes;        /* rows changed by the last INSERT/UPDATE/DELETE */
	int64_t total_changes; /* ... by every one stepped on the connection */
	int64_t last_id;    /* the last RETURNING id */
	unsigned next_name; /* statement names s1, s2, ... */
	unsigned gen;       /* moves when the session is reset (statements re-prepare) */
	/* The current schema's tables, and whether each has an identity id. */
	char **tables;
	bool *identity;
	size_t ntables;
	char *line; /* COPY row buffer */
	size_t linecap;
	/* Writes sent ahead (pgs_step_defer, while pgc_defer has it on): in
	 * libpq's pipeline mode, their answers read at the next settle(). */
	bool defer_on;
	bool piped;         /* in pipeline mode, answers unread */
	int inflight;       /* writes sent ahead since */
	int defer_rc;       /* the first of them that failed (0: none), until ROLLBACK */
	char defer_err[512];
	/* Ids taken ahead from tables' identity sequences for INSERTs sent
	 * ahead (pool_take); dropped when sending ahead stops or a
	 * transaction begins, so that ids keep the order of commits. */
	struct idpool {
		char table[64];
		int64_t ids[64];
		int n, next;
	} pools[8];
	int npools;
};

struct pgstmt {
	struct pgconn *c;
	char *sql;          /* translated */
	char name[16];
	unsigned gen;       /* c->gen when prepared; 0: not prepared */
	bool returning_id;  /* an INSERT whose RETURNING id feeds last_id */
	char table[64];     /* ... into this table */
	/* The same INSERT with its id given as one more parameter, for
	 * pgs_step_defer (prepared as "<name>i"; idsql NULL: none). */
	char *idsql;
	unsigned idgen;     /* c->gen when prepared */
	bool noid;          /* it cannot be made: always step it */
	int nparams;
	Oid *types;
	const char **vals;  /* NULL: SQL NULL; else bufs[i] */
	char **bufs;
	int *caps, *lens, *fmts;
	PGresult *desc;     /* PQdescribePrepared (columns before a step) */
	PGresult *res;      /* the current execution's rows */
	int row, nrows;
	unsigned char *blob; /* bytea decoded for (blob_row, blob_col) */
	size_t bloblen;
	int blob_row, blob_col;
};

#define PS(st) ((struct pgstmt *)(void *)(st))

/* ---- SQLSTATE ------------------------------------------------------------ */

static void settle(struct pgconn *c);

int pg_sqlstate_code(const char *s)
{
	if (!s || strlen(s) != 5)
		return SQLITE_ERROR;
	if (!strncmp(s, "23", 2) || !strcmp(s, "P0001"))
		return SQLITE_CONSTRAINT;
	if (!strcmp(s, "40001") || !strcmp(s, "40P01") || !strcmp(s, "55P03") ||
	    !strcmp(s, "57014"))
		return SQLITE_BUSY;
	return SQLITE_ERROR;
}

/* Keeps a result's error message on one line: the primary message, and
 * the detail in parentheses when there is one. */
static void keep_error(struct pgconn *c, const PGresult *res)
{
	const char *m = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *d = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	if (!m || !*m)
		m = PQerrorMessage(c->conn);
	if (!m || !*m)
		m = "unknown PostgreSQL error";
	if (d && *d)
		snprintf(c->err, sizeof c->err, "%s (%s)", m, d);
	else
		strlcpy_s(c->err, m, sizeof c->err);
	for (char *p = c->err; *p; p++)
		if (*p == '\n')
			*p = ' ';
	size_t n = strlen(c->err);
	while (n && c->err[n - 1] == ' ')
		c->err[--n] = '\0';
}

/* The SQLite code for a failed result; a broken connection is reset for
 * the next call (its prepared statements then prepare again). */
static int fail(struct pgconn *c, PGresult *res)
{
	keep_error(c, res);
	int rc = pg_sqlstate_code(res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL);
	if (PQstatus(c->conn) == CONNECTION_BAD) {
		PQreset(c->conn);
		c->gen++;
		c->pending = false; /* a new session: nothing sent ahead on it */
		c->piped = false;
		c->inflight = 0;
		if (PQstatus(c->conn) == CONNECTION_OK)
			PQclear(PQexec(c->conn, "SET client_min_messages = warning"));
	}
	return rc;
}

/* ---- the tokenizer and the translation ---------------------------------- */

enum tk { T_SPACE, T_COMMENT, T_STR, T_QID, T_WORD, T_NUM, T_PARAM, T_PUNCT };

struct tok {
	enum tk type;
	int start, len;
	int depth;      /* nesting at the token ('(' and ')': the outer level) */
	int match;      /* '(': index of its ')' (-1: none) */
	int pnum;       /* T_PARAM: the parameter's number */
	bool skip;      /* not emitted (its pre and post are) */
	const char *repl; /* emitted instead of the token's text */
	char pre[8];
	char post[48];
};

struct toks {
	struct tok *t;
	int n, cap;
	const char *sql;
};

static bool word_is(const struct toks *ts, int i, const char *w)
{
	if (i < 0 || i >= ts->n || ts->t[i].type != T_WORD)
		return false;
	size_t n = strlen(w);
	return (size_t)ts->t[i].len == n && !strncasecmp(ts->sql + ts->t[i].start, w, n);
}

static bool punct_is(const struct toks *ts, int i, char ch)
{
	return i >= 0 && i < ts->n && ts->t[i].type == T_PUNCT && ts->sql[ts->t[i].start] == ch;
}

/* The next (previous) token that is neither space nor comment; -1: none. */
static int next_sig(const struct toks *ts, int i)
{
	for (i++; i < ts->n; i++)
		if (ts->t[i].type != T_SPACE && ts->t[i].type != T_COMMENT)
			return i;
	return -1;
}

static int prev_sig(const struct toks *ts, int i)
{
	for (i--; i >= 0; i--)
		if (ts->t[i].type != T_SPACE && ts->t[i].type != T_COMMENT)
			return i;
	return -1;
}

static void add_post(struct tok *t, const char *s)
{
	size_t n = strlen(t->post);
	strlcpy_s(t->post + n, s, sizeof t->post - n);
}

/* Leaves tokens a..b out of the output, with the space before them. */
static void skip_tokens(struct toks *ts, int a, int b)
{
	if (a > 0 && ts->t[a - 1].type == T_SPACE)
		a--;
	for (int k = a; k <= b; k++)
		ts->t[k].skip = true;
}

static bool is_word_char(char ch, bool first)
{
	return ch == '_' || isalpha((unsigned char)ch) || (unsigned char)ch >= 0x80 ||
	       (!first && (isdigit((unsigned char)ch) || ch == '$'));
}

/* Splits sql into tokens; false (why) on an unterminated literal. Bare
 * `?` are numbered as SQLite numbers them (one more than the highest so
 * far). */
static bool tokenize(const char *sql, struct toks *ts, int *nparams, bool used[PG_MAX_PARAMS],
		     char *why, size_t whylen)
{
	int depth = 0, maxp = 0;
	int stack[64], sp = 0;
	for (int i = 0; sql[i];) {
		struct tok t = {.start = i, .depth = depth, .match = -1};
		char ch = sql[i];
		int j = i + 1;
		if (isspace((unsigned char)ch)) {
			t.type = T_SPACE;
			while (sql[j] && isspace((unsigned char)sql[j]))
				j++;
		} else if (ch == '-' && sql[j] == '-') {
			t.type = T_COMMENT;
			while (sql[j] && sql[j] != '\n')
				j++;
		} else if (ch == '/' && sql[j] == '*') {
			t.type = T_COMMENT;
			const char *e = strstr(sql + j + 1, "*/");
			if (!e) {
				snprintf(why, whylen, "unterminated comment");
				return false;
			}
			j = (int)(e - sql) + 2;
		} else if (ch == '\'' || ch == '"') {
			t.type = ch == '\'' ? T_STR : T_QID;
			for (;;) {
				if (!sql[j]) {
					snprintf(why, whylen, "unterminated %s", ch == '\'' ? "string" : "identifier");
					return false;
				}
				if (sql[j] == ch) {
					if (sql[j + 1] == ch) {
						j += 2;
						continue;
					}
					j++;
					break;
				}
				j++;
			}
		} else if (ch == '?') {
			t.type = T_PARAM;
			int v = 0;
			while (isdigit((unsigned char)sql[j]) && v < 100000)
				v = v * 10 + (sql[j++] - '0');
			if (j == i + 1)
				v = maxp + 1;
			if (v < 1 || v >= PG_MAX_PARAMS) {
				snprintf(why, whylen, "parameter ?%d out of range (1..%d)", v, PG_MAX_PARAMS - 1);
				return false;
			}
			t.pnum = v;
			used[v] = true;
			if (v > maxp)
				maxp = v;
		} else if (is_word_char(ch, true)) {
			t.type = T_WORD;
			while (is_word_char(sql[j], false))
				j++;
		} else if (isdigit((unsigned char)ch) || (ch == '.' && isdigit((unsigned char)sql[j]))) {
			t.type = T_NUM;
			while (isalnum((unsigned char)sql[j]) || sql[j] == '.' ||
			       ((sql[j] == '+' || sql[j] == '-') && (sql[j - 1] == 'e' || sql[j - 1] == 'E')))
				j++;
		} else {
			t.type = T_PUNCT;
			if (ch == '(') {
				if (sp == (int)(sizeof stack / sizeof *stack)) {
					snprintf(why, whylen, "parentheses nested too deep");
					return false;
				}
				stack[sp++] = ts->n;
				depth++;
			} else if (ch == ')') {
				if (!sp) {
					snprintf(why, whylen, "unbalanced ')'");
					return false;
				}
				depth--;
				t.depth = depth;
				ts->t[stack[--sp]].match = ts->n;
			} else if (ch == '=' && sql[j] == '=') {
				j++;
				t.repl = "=";
			}
		}
		t.len = j - i;
		if (ts->n == ts->cap) {
			ts->cap = ts->cap ? ts->cap * 2 : 256;
			ts->t = xrealloc(ts->t, (size_t)ts->cap * sizeof *ts->t);
		}
		ts->t[ts->n++] = t;
		i = j;
	}
	if (sp) {
		snprintf(why, whylen, "unbalanced '('");
		return false;
	}
	*nparams = maxp;
	return true;
}

static const struct {
	const char *from, *to;
} renames[] = {
	{"date", "sq_date"},
	{"strftime", "sq_strftime"},
	{"julianday", "sq_julianday"},
	{"group_concat", "sq_group_concat"},
	{"json_extract", "sq_json_extract"},
	{"sum", "sq_sum"},
	{"instr", "strpos"},
	{"ifnull", "coalesce"},
	{"printf", "format"},
};

/* A function call's name: renamed, or max/min of several arguments. */
static void call_rule(struct toks *ts, int i, int open)
{
	for (size_t k = 0; k < sizeof renames / sizeof *renames; k++)
		if (word_is(ts, i, renames[k].from)) {
			ts->t[i].repl = renames[k].to;
			return;
		}
	bool max = word_is(ts, i, "max");
	if (!max && !word_is(ts, i, "min"))
		return;
	int close = ts->t[open].match, commas = 0;
	for (int k = open + 1; k < close; k++)
		if (ts->t[k].depth == ts->t[open].depth + 1 && punct_is(ts, k, ','))
			commas++;
	if (commas)
		ts->t[i].repl = max ? "greatest" : "least";
}

/* Whether token k ends a clause at depth d: it closes the enclosing
 * parenthesis, is ';', a ',' when comma counts, or one of the words ends
 * (NULL-terminated) at depth d. */
static bool clause_end(const struct toks *ts, int k, int d, bool comma, const char *const *ends)
{
	if (k < 0 || ts->t[k].depth < d || punct_is(ts, k, ';') ||
	    (comma && ts->t[k].depth == d && punct_is(ts, k, ',')))
		return true;
	if (ts->t[k].depth != d)
		return false;
	for (; *ends; ends++)
		if (word_is(ts, k, *ends))
			return true;
	return false;
}

/* The end of an ORDER BY list. */
static bool order_end(const struct toks *ts, int k, int d)
{
	static const char *const ends[] = {"limit", "offset", "for", "rows", "range", "groups",
					   "fetch", "union", "except", "intersect", "window",
					   "returning", "on", NULL};
	return clause_end(ts, k, d, false, ends);
}

/* One ORDER BY term, tokens a..b (significant ends). */
static void order_term(struct toks *ts, int a, int b, int d)
{
	int collate = -1;
	for (int k = a; k <= b; k++) {
		if (ts->t[k].depth != d)
			continue;
		if (word_is(ts, k, "nulls"))
			return;
		if (word_is(ts, k, "collate") && word_is(ts, next_sig(ts, k), "nocase"))
			collate = k;
	}
	bool desc = word_is(ts, b, "desc");
	int e = desc || word_is(ts, b, "asc") ? prev_sig(ts, b) : b;
	if (collate > a) {
		int x = prev_sig(ts, collate);
		strlcpy_s(ts->t[a].pre, "lower(", sizeof ts->t[a].pre);
		add_post(&ts->t[x], ")");
		skip_tokens(ts, collate, next_sig(ts, collate));
	} else if (word_is(ts, e, "id") &&
		   (e == a || (punct_is(ts, prev_sig(ts, e), '.') && prev_sig(ts, prev_sig(ts, e)) == a))) {
		return; /* a primary key: never NULL */
	}
	add_post(&ts->t[b], desc ? " NULLS LAST" : " NULLS FIRST");
}

/* ORDER BY at token i: every term of its list. */
static void order_rule(struct toks *ts, int by)
{
	int d = ts->t[by].depth, a = next_sig(ts, by), k = a, last = -1;
	for (; k >= 0 && k < ts->n; k++) {
		bool end = order_end(ts, k, d);
		if (end || (ts->t[k].depth == d && punct_is(ts, k, ','))) {
			if (a >= 0 && last >= a)
				order_term(ts, a, last, d);
			if (end)
				return;
			a = next_sig(ts, k);
			last = -1;
			continue;
		}
		if (ts->t[k].type != T_SPACE && ts->t[k].type != T_COMMENT)
			last = k;
	}
	if (a >= 0 && last >= a)
		order_term(ts, a, last, d);
}

/* Words that end a table reference in a FROM list (or begin the next). */
static bool from_end(const struct toks *ts, int k, int d)
{
	static const char *const ends[] = {"where", "group", "order", "limit", "offset", "join",
					   "left", "inner", "cross", "natural", "right", "full",
					   "union", "except", "intersect", "having", "window",
					   "returning", "on", "using", "set", "values", "select", NULL};
	return clause_end(ts, k, d, true, ends);
}

/* JOIN at token j: SQLite allows `JOIN t` with no condition (a cross
 * join: PostgreSQL needs ON TRUE) and `CROSS JOIN t ON ...` (PostgreSQL:
 * JOIN t ON ...). */
static void join_rule(struct toks *ts, int j)
{
	int d = ts->t[j].depth, before = prev_sig(ts, j), last = -1, k = next_sig(ts, j);
	if (word_is(ts, before, "natural"))
		return;
	for (; k >= 0 && k < ts->n; k++) {
		if (ts->t[k].type == T_SPACE || ts->t[k].type == T_COMMENT)
			continue;
		if (from_end(ts, k, d))
			break;
		last = k;
	}
	bool cond = k >= 0 && k < ts->n && ts->t[k].depth == d &&
		    (word_is(ts, k, "on") || word_is(ts, k, "using"));
	if (word_is(ts, before, "cross")) {
		if (cond)
			skip_tokens(ts, before, before);
	} else if (!cond && last >= 0) {
		add_post(&ts->t[last], " ON TRUE");
	}
}

/* A subquery in FROM or JOIN with no alias (SQLite allows it, PostgreSQL
 * before 16 does not): `(SELECT ...)` gets ` AS _sN`. */
static void subquery_alias(struct toks *ts, int open, int *nalias)
{
	int first = next_sig(ts, open), close = ts->t[open].match;
	if (!word_is(ts, first, "select") && !word_is(ts, first, "with") &&
	    !word_is(ts, first, "values"))
		return;
	int nx = next_sig(ts, close);
	if (word_is(ts, nx, "as") ||
	    (nx >= 0 && (ts->t[nx].type == T_QID ||
			 (ts->t[nx].type == T_WORD && !from_end(ts, nx, ts->t[close].depth)))))
		return;
	char alias[24];
	snprintf(alias, sizeof alias, " AS _s%d", ++*nalias);
	add_post(&ts->t[close], alias);
}

/* The last significant token of the statement (before a final ';'). */
static int stmt_last(const struct toks *ts)
{
	int k = prev_sig(ts, ts->n);
	while (k >= 0 && punct_is(ts, k, ';'))
		k = prev_sig(ts, k);
	return k;
}

char *pg_translate(const char *sql, int *nparams, bool used[PG_MAX_PARAMS], char *why,
		   size_t whylen)
{
	struct toks ts = {.sql = sql};
	memset(used, 0, PG_MAX_PARAMS * sizeof *used);
	*nparams = 0;
	if (!tokenize(sql, &ts, nparams, used, why, whylen)) {
		free(ts.t);
		return NULL;
	}
	int nalias = 0;
	for (int i = 0; i < ts.n; i++) {
		struct tok *t = &ts.t[i];
		if (punct_is(&ts, i, '(') && (word_is(&ts, prev_sig(&ts, i), "from") ||
					      word_is(&ts, prev_sig(&ts, i), "join")))
			subquery_alias(&ts, i, &nalias);
		if (t->type != T_WORD)
			continue;
		int nx = next_sig(&ts, i), pv = prev_sig(&ts, i);
		if (word_is(&ts, i, "join")) {
			join_rule(&ts, i);
		} else if (word_is(&ts, i, "full") && !word_is(&ts, nx, "join") &&
			   !word_is(&ts, nx, "outer")) {
			t->repl = "\"full\""; /* a column name, reserved in PostgreSQL */
		} else if (punct_is(&ts, nx, '(') && !punct_is(&ts, pv, '.')) {
			call_rule(&ts, i, nx);
		} else if (word_is(&ts, i, "like")) {
			t->repl = "ILIKE";
		} else if (word_is(&ts, i, "temp") && punct_is(&ts, nx, '.') && !punct_is(&ts, pv, '.')) {
			t->repl = "pg_temp";
		} else if (word_is(&ts, i, "integer") && word_is(&ts, pv, "as")) {
			int open = pv;
			while (open >= 0 && !(punct_is(&ts, open, '(') && ts.t[open].depth == t->depth - 1))
				open--;
			if (word_is(&ts, prev_sig(&ts, open), "cast"))
				t->repl = "BIGINT";
		} else if (word_is(&ts, i, "in") && nx >= 0 && ts.t[nx].type == T_WORD &&
			   !word_is(&ts, nx, "select") && !word_is(&ts, nx, "values")) {
			int last = nx;
			if (punct_is(&ts, next_sig(&ts, nx), '.') &&
			    next_sig(&ts, next_sig(&ts, nx)) >= 0 &&
			    ts.t[next_sig(&ts, next_sig(&ts, nx))].type == T_WORD)
				last = next_sig(&ts, next_sig(&ts, nx));
			t->repl = "IN (SELECT * FROM";
			add_post(&ts.t[last], ")");
		} else if (word_is(&ts, i, "order") && word_is(&ts, nx, "by")) {
			order_rule(&ts, nx);
		} else if (word_is(&ts, i, "insert") && word_is(&ts, nx, "or")) {
			int what = next_sig(&ts, nx);
			if (!word_is(&ts, what, "ignore")) {
				snprintf(why, whylen, "INSERT OR %.*s has no PostgreSQL translation",
					 what >= 0 ? ts.t[what].len : 0, what >= 0 ? sql + ts.t[what].start : "");
				free(ts.t);
				return NULL;
			}
			skip_tokens(&ts, nx, what);
			int at = -1;
			for (int k = what; k < ts.n && at < 0; k++)
				if (ts.t[k].depth == t->depth && word_is(&ts, k, "returning"))
					at = k;
			if (at >= 0)
				ts.t[at].repl = "ON CONFLICT DO NOTHING RETURNING";
			else
				add_post(&ts.t[stmt_last(&ts)], " ON CONFLICT DO NOTHING");
		}
	}
	/* Emit. */
	size_t cap = strlen(sql) * 2 + 64, n = 0;
	char *out = xmalloc(cap);
	for (int i = 0; i < ts.n; i++) {
		const struct tok *t = &ts.t[i];
		char num[16];
		const char *s = t->repl;
		size_t len = s ? strlen(s) : (size_t)t->len;
		if (t->type == T_PARAM && !s) {
			snprintf(num, sizeof num, "$%d", t->pnum);
			s = num;
			len = strlen(num);
		} else if (!s) {
			s = sql + t->start;
		}
		if (t->skip)
			len = 0;
		size_t need = strlen(t->pre) + len + strlen(t->post) + 1;
		if (n + need > cap) {
			cap = (n + need) * 2;
			out = xrealloc(out, cap);
		}
		n += (size_t)sprintf(out + n, "%s", t->pre);
		memcpy(out + n, s, len);
		n += len;
		n += (size_t)sprintf(out + n, "%s", t->post);
	}
	out[n] = '\0';
	free(ts.t);
	return out;
}

bool pg_insert_target(const char *sql, char *table, size_t tablelen)
{
	struct toks ts = {.sql = sql};
	bool used[PG_MAX_PARAMS];
	int np;
	char why[8];
	bool found = false;
	*table = '\0';
	if (!tokenize(sql, &ts, &np, used, why, sizeof why))
		goto out;
	int ins = -1;
	for (int i = 0; i < ts.n; i++) {
		if (ts.t[i].depth != 0 || ts.t[i].type != T_WORD)
			continue;
		if (ins < 0 && word_is(&ts, i, "insert"))
			ins = i;
		else if (ins >= 0 && word_is(&ts, i, "returning"))
			goto out;
		else if (ins < 0 && (word_is(&ts, i, "select") || word_is(&ts, i, "update") ||
				     word_is(&ts, i, "delete")))
			goto out;
	}
	if (ins < 0)
		goto out;
	int k = next_sig(&ts, ins);
	if (!word_is(&ts, k, "into"))
		goto out;
	k = next_sig(&ts, k);
	if (k < 0 || (ts.t[k].type != T_WORD && ts.t[k].type != T_QID))
		goto out;
	if (punct_is(&ts, next_sig(&ts, k), '.'))
		goto out; /* schema-qualified (pg_temp): none of the store's own tables */
	snprintf(table, tablelen, "%.*s", ts.t[k].len, sql + ts.t[k].start);
	for (char *p = table; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	found = true;
out:
	free(ts.t);
	return found;
}

/* ---- connections ---------------------------------------------------------- */

bool pg_is_conninfo(const char *arg)
{
	return !strncmp(arg, "postgresql://", 13) || !strncmp(arg, "postgres://", 11) ||
	       !strncmp(arg, "postgresql:", 11);
}

/* Re-reads the current schema's tables and which have an identity id. */
static void load_tables(struct pgconn *c)
{
	settle(c);
	PGresult *r = PQexec(c->conn,
		"SELECT c.relname, EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid"
		"  AND a.attname = 'id' AND a.attidentity <> '' AND NOT a.attisdropped)"
		" FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
		"  AND c.relkind IN ('r', 'p')");
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		for (size_t i = 0; i < c->ntables; i++)
			free(c->tables[i]);
		c->ntables = (size_t)PQntuples(r);
		c->tables = xrealloc(c->tables, (c->ntables + 1) * sizeof *c->tables);
		c->identity = xrealloc(c->identity, (c->ntables + 1) * sizeof *c->identity);
		for (size_t i = 0; i < c->ntables; i++) {
			c->tables[i] = xstrdup(PQgetvalue(r, (int)i, 0));
			c->identity[i] = PQgetvalue(r, (int)i, 1)[0] == 't';
		}
	}
	PQclear(r);
}

/* -1: unknown table, else whether it has an identity id. */
static int table_identity(const struct pgconn *c, const char *table)
{
	for (size_t i = 0; i < c->ntables; i++)
		if (!strcmp(c->tables[i], table))
			return c->identity[i];
	return -1;
}

/* Replaces every occurrence of secret in s (a password in an error). */
static void scrub(char *s, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	if (!n)
		return;
	for (char *p = strstr(s, secret); p; p = strstr(p + 3, secret)) {
		memmove(p + 3, p + n, strlen(p + n) + 1);
		memcpy(p, "***", 3);
	}
}

struct pgconn *pgc_open(const char *arg, char *err, size_t errlen)
{
	const char *info = arg;
	if (strncmp(arg, "postgresql://", 13) && strncmp(arg, "postgres://", 11))
		info = arg + 11; /* "postgresql:" key=value */
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(info, &perr);
	if (!opts) {
		snprintf(err, errlen, "bad PostgreSQL connection string: %s",
			 perr ? perr : "cannot parse it");
		size_t n = strlen(err);
		while (n && err[n - 1] == '\n')
			err[--n] = '\0';
		PQfreemem(perr);
		return NULL;
	}
	char *password = NULL;
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			password = xstrdup(o->val);
	PQconninfoFree(opts);
	PGconn *conn = PQconnectdb(info);
	if (PQstatus(conn) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s", PQerrorMessage(conn));
		for (char *p = err; *p; p++)
			if (*p == '\n')
				*p = p[1] ? ' ' : '\0';
		scrub(err, password);
		free(password);
		PQfinish(conn);
		return NULL;
	}
	free(password);
	struct pgconn *c = xcalloc(1, sizeof *c);
	c->conn = conn;
	c->gen = 1;
	if (pgc_exec(c, "SET client_min_messages = warning") != SQLITE_OK) {
		snprintf(err, errlen, "cannot configure the PostgreSQL session: %s", c->err);
		pgc_close(c);
		return NULL;
	}
	load_tables(c);
	return c;
}

void pgc_close(struct pgconn *c)
{
	if (!c)
		return;
	settle(c);
	PQfinish(c->conn);
	for (size_t i = 0; i < c->ntables; i++)
		free(c->tables[i]);
	free(c->tables);
	free(c->identity);
	free(c->line);
	free(c);
}

/* Ends pipeline mode: a Sync, then the answers of the writes sent ahead.
 * The first failure is kept (defer_rc, defer_err) and logged; the
 * transaction it happened in is then aborted on the server, and every
 * statement until ROLLBACK fails with it (pgs_step, pgc_exec). */
static void pipe_end(struct pgconn *c)
{
	c->piped = false;
	bool ok = PQpipelineSync(c->conn) == 1;
	int nulls = 0;
	while (ok) {
		PGresult *r = PQgetResult(c->conn);
		if (!r) {
			/* one NULL ends each statement's answers */
			if (PQstatus(c->conn) == CONNECTION_BAD || ++nulls > c->inflight + 1)
				ok = false;
			continue;
		}
		ExecStatusType s = PQresultStatus(r);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(r);
			break;
		}
		if (s == PGRES_FATAL_ERROR && !c->defer_rc) {
			keep_error(c, r);
			c->defer_rc = pg_sqlstate_code(PQresultErrorField(r, PG_DIAG_SQLSTATE));
			strlcpy_s(c->defer_err, c->err, sizeof c->defer_err);
			fprintf(stderr, "cqrsd: store: %s (a write sent ahead)\n", c->err);
		}
		PQclear(r);
	}
	c->inflight = 0;
	if (!ok || !PQexitPipelineMode(c->conn)) {
		if (!c->defer_rc) {
			snprintf(c->defer_err, sizeof c->defer_err, "writes sent ahead: %s",
				 PQerrorMessage(c->conn));
			c->defer_rc = SQLITE_ERROR;
			fprintf(stderr, "cqrsd: store: %s\n", c->defer_err);
		}
		if (PQstatus(c->conn) == CONNECTION_BAD) {
			PQreset(c->conn);
			c->gen++;
			if (PQstatus(c->conn) == CONNECTION_OK)
				PQclear(PQexec(c->conn, "SET client_min_messages = warning"));
		}
	}
}

/* A statement that failed while a write sent ahead had failed before it
 * (the transaction aborted): that write's failure is the one to report. */
static int deferred_failure(struct pgconn *c, int rc)
{
	if (!c->defer_rc)
		return rc;
	strlcpy_s(c->err, c->defer_err, sizeof c->err);
	return c->defer_rc;
}

void pgc_defer(struct pgconn *c, bool on)
{
	if (!on)
		settle(c);
	c->defer_on = on;
	c->npools = 0;
}

/* Reads the answer to a statement sent ahead (pgc_send), before the
 * connection carries anything else; an error in it is logged. Ends
 * pipeline mode first (pgs_step_defer's writes). */
static void settle(struct pgconn *c)
{
	if (c->piped)
		pipe_end(c);
	if (c->pending) {
		c->pending = false;
		PGresult *r;
		while ((r = PQgetResult(c->conn))) {
			ExecStatusType s = PQresultStatus(r);
			if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
				keep_error(c, r);
				fprintf(stderr, "cqrsd: store: %s (a statement sent ahead)\n", c->err);
			}
			PQclear(r);
		}
	}
	if (c->lazy) {
		const char *sql = c->lazy;
		c->lazy = NULL;
		PGresult *r = PQexec(c->conn, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK) {
			keep_error(c, r);
			fprintf(stderr, "cqrsd: store: %s\n  in: %s\n", c->err, sql);
		}
		PQclear(r);
	}
}

void pgc_lazy(struct pgconn *c, const char *sql)
{
	c->lazy = sql;
}

bool pgc_lazy_cancel(struct pgconn *c)
{
	bool was = c->lazy != NULL;
	c->lazy = NULL;
	return was;
}

int pgc_send(struct pgconn *c, const char *sql)
{
	settle(c);
	if (!PQsendQuery(c->conn, sql)) {
		snprintf(c->err, sizeof c->err, "%s", PQerrorMessage(c->conn));
		return SQLITE_ERROR;
	}
	c->pending = true;
	return SQLITE_OK;
}

const char *pgc_errmsg(struct pgconn *c)
{
	if (c->err[0])
		return c->err;
	const char *m = PQerrorMessage(c->conn);
	return m && *m ? m : "not an error";
}

int pgc_changes(struct pgconn *c)
{
	return c->changes;
}

int64_t pgc_total_changes(struct pgconn *c)
{
	return c->total_changes;
}

int64_t pgc_last_insert_id(struct pgconn *c)
{
	return c->last_id;
}

int pgc_exec(struct pgconn *c, const char *sql)
{
	settle(c);
	/* An aborted transaction's COMMIT would answer "ROLLBACK" with no
	 * error: a write sent ahead failed, so it is not committed. */
	if (c->defer_rc && !strncmp(sql, "COMMIT", 6))
		return deferred_failure(c, SQLITE_ERROR);
	if (!strncmp(sql, "BEGIN", 5)) {
		c->defer_rc = 0; /* a new transaction: the failed one is over */
		c->npools = 0;
	}
	PGresult *r = PQexec(c->conn, sql);
	ExecStatusType s = PQresultStatus(r);
	int rc = SQLITE_OK;
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		rc = deferred_failure(c, fail(c, r));
	} else {
		c->err[0] = '\0';
		if (!strcmp(sql, "ROLLBACK"))
			c->defer_rc = 0;
	}
	/* A transaction's end ends sending ahead, had its bulk write not
	 * (writes outside a transaction are never sent ahead). */
	if (!strcmp(sql, "COMMIT") || !strcmp(sql, "ROLLBACK")) {
		c->defer_on = false;
		c->npools = 0;
	}
	PQclear(r);
	return rc;
}

int64_t pgc_query_int(struct pgconn *c, const char *sql, int64_t def)
{
	settle(c);
	PGresult *r = PQexec(c->conn, sql);
	int64_t v = def;
	if (PQresultStatus(r) == PGRES_TUPLES_OK) {
		c->err[0] = '\0';
		if (PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0)) {
			const char *t = PQgetvalue(r, 0, 0);
			v = PQftype(r, 0) == OID_BOOL ? t[0] == 't' : strtoll(t, NULL, 10);
		}
	} else {
		fail(c, r);
	}
	PQclear(r);
	return v;
}

/* ---- statements ----------------------------------------------------------- */

/* "INSERT INTO t(a, b) VALUES ($1, $2)" as "INSERT INTO t(id, a, b)
 * VALUES ($3, $1, $2)", the id parameter numbered idparam; NULL when the
 * statement is not one row of VALUES. */
static char *insert_with_id(const char *sql, int idparam)
{
	const char *cols = strchr(sql, '(');
	const char *vals = strstr(sql, " VALUES (");
	if (!cols || !vals || cols > vals || strstr(vals + 1, " VALUES (") ||
	    strstr(vals, "SELECT") || sql[strlen(sql) - 1] != ')')
		return NULL;
	vals += strlen(" VALUES (");
	return xasprintf("%.*sid, %.*s$%d, %s", (int)(cols + 1 - sql), sql,
			 (int)(vals - (cols + 1)), cols + 1, idparam, vals);
}

dbstmt *pgc_prepare(struct pgconn *c, const char *sql)
{
	bool used[PG_MAX_PARAMS];
	int np = 0;
	char *text = pg_translate(sql, &np, used, c->err, sizeof c->err);
	if (!text)
		return NULL;
	struct pgstmt *st = xcalloc(1, sizeof *st);
	st->c = c;
	char table[64];
	if (pg_insert_target(text, table, sizeof table)) {
		int id = table_identity(c, table);
		if (id < 0) {
			load_tables(c); /* made since the connection read them */
			id = table_identity(c, table);
		}
		if (id > 0) {
			size_t n = strlen(text);
			while (n && (text[n - 1] == ';' || isspace((unsigned char)text[n - 1])))
				n--;
			text[n] = '\0';
			st->idsql = insert_with_id(text, np + 1);
			char *t = xasprintf("%s RETURNING id", text);
			free(text);
			text = t;
			st->returning_id = true;
			strlcpy_s(st->table, table, sizeof st->table);
		}
	}
	st->sql = text;
	snprintf(st->name, sizeof st->name, "s%u", ++c->next_name);
	st->nparams = np;
	size_t n = (size_t)np + 1; /* one more: the id of idsql */
	st->types = xcalloc(n, sizeof *st->types);
	st->vals = xcalloc(n, sizeof *st->vals);
	st->bufs = xcalloc(n, sizeof *st->bufs);
	st->caps = xcalloc(n, sizeof *st->caps);
	st->lens = xcalloc(n, sizeof *st->lens);
	st->fmts = xcalloc(n, sizeof *st->fmts);
	for (int i = 0; i < np; i++)
		st->types[i] = used[i + 1] ? 0 : OID_TEXT;
	st->blob_row = -1;
	return (dbstmt *)(void *)st;
}

/* N of "could not determine data type of parameter $N" (42P18, or
 * 42P08 when the first use says nothing, as in `$1 IS NULL OR x = $1`);
 * 0 for any other error. */
static int undetermined_param(const PGresult *r)
{
	static const char msg[] = "could not determine data type of parameter $";
	const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
	const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	if (!state || !m || (strcmp(state, "42P18") && strcmp(state, "42P08")) ||
	    strncmp(m, msg, sizeof msg - 1))
		return 0;
	return atoi(m + sizeof msg - 1);
}

/* The parameter next to the character position pos (1-based, from an
 * error's PG_DIAG_STATEMENT_POSITION: an operator) in sql; 0: none. */
static int param_near(const char *sql, const char *pos)
{
	long at = pos ? strtol(pos, NULL, 10) - 1 : -1;
	if (at < 0 || (size_t)at >= strlen(sql))
		return 0;
	const char *p = sql + at;
	while (*p && !isspace((unsigned char)*p) && *p != '$')
		p++; /* past the operator */
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '$')
		return atoi(p + 1);
	const char *q = sql + at;
	while (q > sql && isspace((unsigned char)q[-1]))
		q--;
	while (q > sql && isdigit((unsigned char)q[-1]))
		q--;
	return q > sql && q[-1] == '$' ? atoi(q) : 0;
}

/* Prepares the statement on the server (once per session). A parameter
 * PostgreSQL cannot type from its first use (`$3 IS NULL OR x = $3`) is
 * typed text; when that makes an operator fail next to it (bigint =
 * text), bigint. */
static int prepare_typed(struct pgstmt *st);

/* Inside a transaction a failed PREPARE would abort it (and every
 * statement after it): there the attempts run under a savepoint, rolled
 * back to when one fails. Once per statement and connection. */
static int ensure_prepared(struct pgstmt *st)
{
	struct pgconn *c = st->c;
	if (st->gen == c->gen)
		return SQLITE_OK;
	settle(c); /* a lazy BEGIN first: whether a savepoint is needed depends on it */
	if (PQtransactionStatus(c->conn) != PQTRANS_INTRANS)
		return prepare_typed(st);
	if (pgc_exec(c, "SAVEPOINT dbi_prepare") != SQLITE_OK)
		return SQLITE_ERROR;
	int rc = prepare_typed(st);
	if (rc != SQLITE_OK) {
		char err[sizeof c->err];
		memcpy(err, c->err, sizeof err);
		pgc_exec(c, "ROLLBACK TO SAVEPOINT dbi_prepare; RELEASE SAVEPOINT dbi_prepare");
		memcpy(c->err, err, sizeof err);
		return rc;
	}
	return pgc_exec(c, "RELEASE SAVEPOINT dbi_prepare");
}

static int prepare_typed(struct pgstmt *st)
{
	struct pgconn *c = st->c;
	bool guarded = PQtransactionStatus(c->conn) == PQTRANS_INTRANS;
	for (int attempt = 0; attempt <= 2 * st->nparams + 1; attempt++) {
		if (attempt > 0 && guarded &&
		    pgc_exec(c, "ROLLBACK TO SAVEPOINT dbi_prepare") != SQLITE_OK)
			return SQLITE_ERROR;
		settle(c);
		PGresult *r = PQprepare(c->conn, st->name, st->sql, st->nparams, st->types);
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			PQclear(r);
			st->gen = c->gen;
			PQclear(st->desc);
			st->desc = NULL;
			return SQLITE_OK;
		}
		int p = undetermined_param(r);
		if (p >= 1 && p <= st->nparams && st->types[p - 1] == 0) {
			st->types[p - 1] = OID_TEXT;
			PQclear(r);
			continue;
		}
		const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		if (state && (!strcmp(state, "42883") || !strcmp(state, "42804"))) {
			p = param_near(st->sql, PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION));
			if (p >= 1 && p <= st->nparams && st->types[p - 1] == OID_TEXT) {
				st->types[p - 1] = OID_INT8;
				PQclear(r);
				continue;
			}
		}
		int rc = deferred_failure(c, fail(c, r));
		PQclear(r);
		return rc;
	}
	snprintf(c->err, sizeof c->err, "cannot determine the parameter types");
	return SQLITE_ERROR;
}

static void log_error(struct pgstmt *st)
{
	fprintf(stderr, "cqrsd: store: %s\n  in: %.200s\n", st->c->err, st->sql);
}

static void drop_result(struct pgstmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = st->nrows = 0;
	PQfreemem(st->blob);
	st->blob = NULL;
	st->blob_row = -1;
}

int pgs_step(dbstmt *s)
{
	struct pgstmt *st = PS(s);
	struct pgconn *c = st->c;
	if (st->res) {
		if (st->row + 1 < st->nrows) {
			st->row++;
			return SQLITE_ROW;
		}
		st->row = st->nrows;
		return SQLITE_DONE;
	}
	int rc = ensure_prepared(st);
	if (rc != SQLITE_OK) {
		log_error(st);
		return rc;
	}
	settle(c);
	PGresult *r = PQexecPrepared(c->conn, st->name, st->nparams, st->vals, st->lens, st->fmts, 0);
	ExecStatusType s2 = PQresultStatus(r);
	if (s2 != PGRES_TUPLES_OK && s2 != PGRES_COMMAND_OK) {
		rc = deferred_failure(c, fail(c, r));
		PQclear(r);
		log_error(st);
		return rc;
	}
	c->err[0] = '\0';
	const char *cmd = PQcmdStatus(r);
	if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6)) {
		c->changes = atoi(PQcmdTuples(r));
		c->total_changes += c->changes;
	}
	if (st->returning_id) {
		int n = PQntuples(r);
		if (n > 0)
			c->last_id = strtoll(PQgetvalue(r, n - 1, 0), NULL, 10);
		st->res = r;
		st->nrows = 0;
		st->row = 0;
		return SQLITE_DONE;
	}
	st->res = r;
	st->nrows = PQntuples(r);
	st->row = 0;
	return st->nrows > 0 ? SQLITE_ROW : SQLITE_DONE;
}

/* idsql prepared on the server (under a savepoint inside a transaction,
 * like ensure_prepared); false, and never tried again, when it fails. */
static bool id_prepared(struct pgstmt *st)
{
	struct pgconn *c = st->c;
	if (st->idgen == c->gen)
		return true;
	settle(c);
	bool guarded = PQtransactionStatus(c->conn) == PQTRANS_INTRANS;
	if (guarded && pgc_exec(c, "SAVEPOINT dbi_prepare") != SQLITE_OK)
		return false;
	char name[24];
	snprintf(name, sizeof name, "%si", st->name);
	st->types[st->nparams] = OID_INT8;
	PGresult *r = PQprepare(c->conn, name, st->idsql, st->nparams + 1, st->types);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (guarded)
		pgc_exec(c, ok ? "RELEASE SAVEPOINT dbi_prepare" :
				 "ROLLBACK TO SAVEPOINT dbi_prepare; RELEASE SAVEPOINT dbi_prepare");
	if (ok)
		st->idgen = c->gen;
	else
		st->noid = true;
	return ok;
}

/* The next id of table's identity sequence, taken 64 at a time. */
static bool pool_take(struct pgconn *c, const char *table, int64_t *id)
{
	struct idpool *p = NULL;
	for (int i = 0; i < c->npools && !p; i++)
		if (!strcmp(c->pools[i].table, table))
			p = &c->pools[i];
	if (!p) {
		if (c->npools == (int)(sizeof c->pools / sizeof c->pools[0]))
			return false;
		p = &c->pools[c->npools++];
		memset(p, 0, sizeof *p);
		strlcpy_s(p->table, table, sizeof p->table);
	}
	if (p->next == p->n) {
		settle(c);
		const char *params[1] = {table};
		PGresult *r = PQexecParams(c->conn,
			"SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, 64)", 1,
			NULL, params, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 64;
		for (int i = 0; ok && i < 64; i++)
			p->ids[i] = strtoll(PQgetvalue(r, i, 0), NULL, 10);
		PQclear(r);
		p->n = ok ? 64 : 0;
		p->next = 0;
		if (!ok)
			return false;
	}
	*id = p->ids[p->next++];
	return true;
}

/* At most this many writes are sent ahead before their answers are read:
 * the server's answers then always fit in the socket's buffers, so
 * neither side can block on a full one. */
#define DEFER_MAX 256

int pgs_step_defer(dbstmt *s)
{
	struct pgstmt *st = PS(s);
	struct pgconn *c = st->c;
	if (!c->defer_on || st->res)
		return pgs_step(s);
	int rc = ensure_prepared(st);
	if (rc != SQLITE_OK) {
		log_error(st);
		return rc;
	}
	const char *name = st->name;
	int nparams = st->nparams;
	char idname[24], idbuf[24];
	int64_t id = 0;
	if (st->returning_id) {
		/* its id taken ahead and given, so that it need not be waited for */
		if (st->noid || !st->idsql || !id_prepared(st) || !pool_take(c, st->table, &id))
			return pgs_step(s);
		snprintf(idname, sizeof idname, "%si", st->name);
		snprintf(idbuf, sizeof idbuf, "%lld", (long long)id);
		name = idname;
		st->vals[nparams] = idbuf;
		st->lens[nparams] = (int)strlen(idbuf);
		st->fmts[nparams] = 0;
		nparams++;
	}
	if (c->piped && c->inflight >= DEFER_MAX)
		settle(c);
	if (!c->piped) {
		settle(c);
		if (!PQenterPipelineMode(c->conn))
			return pgs_step(s);
		c->piped = true;
	}
	int sent = PQsendQueryPrepared(c->conn, name, nparams, st->vals, st->lens, st->fmts, 0);
	st->vals[st->nparams] = NULL; /* the id's slot: idbuf is this call's */
	if (!sent) {
		keep_error(c, NULL);
		log_error(st);
		settle(c);
		return deferred_failure(c, SQLITE_ERROR);
	}
	c->inflight++;
	/* What it changes is not known yet: no caller of a deferred write
	 * asks. An INSERT's id is the one it was given. */
	c->changes = 0;
	if (id)
		c->last_id = id;
	return SQLITE_DONE;
}

int pgs_reset(dbstmt *s)
{
	drop_result(PS(s));
	return SQLITE_OK;
}

int pgs_clear_bindings(dbstmt *s)
{
	struct pgstmt *st = PS(s);
	for (int i = 0; i < st->nparams; i++) {
		st->vals[i] = NULL;
		st->lens[i] = st->fmts[i] = 0;
	}
	return SQLITE_OK;
}

void pgs_finalize(dbstmt *s)
{
	struct pgstmt *st = PS(s);
	if (!st)
		return;
	drop_result(st);
	PQclear(st->desc);
	if (st->gen == st->c->gen && PQtransactionStatus(st->c->conn) != PQTRANS_INERROR) {
		char sql[40];
		snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
		settle(st->c);
		PQclear(PQexec(st->c->conn, sql));
		if (st->idgen == st->c->gen) {
			snprintf(sql, sizeof sql, "DEALLOCATE %si", st->name);
			PQclear(PQexec(st->c->conn, sql));
		}
	}
	for (int i = 0; i < st->nparams; i++)
		free(st->bufs[i]);
	free(st->bufs);
	free(st->vals);
	free(st->caps);
	free(st->lens);
	free(st->fmts);
	free(st->types);
	free(st->sql);
	free(st->idsql);
	free(st);
}

/* Copies n bytes into parameter i's buffer (NUL-terminated). */
static int bind_bytes(struct pgstmt *st, int i, const void *p, size_t n, int fmt)
{
	if (i < 1 || i > st->nparams)
		return SQLITE_RANGE;
	i--;
	if ((size_t)st->caps[i] < n + 1) {
		size_t cap = n + 1 < 32 ? 32 : n + 1;
		st->bufs[i] = xrealloc(st->bufs[i], cap);
		st->caps[i] = (int)cap;
	}
	if (n)
		memcpy(st->bufs[i], p, n);
	st->bufs[i][n] = '\0';
	st->vals[i] = st->bufs[i];
	st->lens[i] = (int)n;
	st->fmts[i] = fmt;
	return SQLITE_OK;
}

int pgs_bind_int64(dbstmt *s, int i, int64_t v)
{
	char num[24];
	int n = snprintf(num, sizeof num, "%lld", (long long)v);
	return bind_bytes(PS(s), i, num, (size_t)n, 0);
}

int pgs_bind_text(dbstmt *s, int i, const char *p, int n)
{
	if (!p)
		return pgs_bind_null(s, i);
	return bind_bytes(PS(s), i, p, n < 0 ? strlen(p) : (size_t)n, 0);
}

int pgs_bind_blob(dbstmt *s, int i, const void *p, int n)
{
	if (!p)
		return pgs_bind_null(s, i);
	return bind_bytes(PS(s), i, p, n < 0 ? 0 : (size_t)n, 1);
}

int pgs_bind_null(dbstmt *s, int i)
{
	struct pgstmt *st = PS(s);
	if (i < 1 || i > st->nparams)
		return SQLITE_RANGE;
	st->vals[i - 1] = NULL;
	st->lens[i - 1] = st->fmts[i - 1] = 0;
	return SQLITE_OK;
}

int pgs_bind_parameter_count(dbstmt *s)
{
	return PS(s)->nparams;
}

/* The result that describes the columns: the rows', else the prepared
 * statement's description (asked before the first step). */
static const PGresult *columns_of(struct pgstmt *st)
{
	if (st->res)
		return st->res;
	if (st->desc && st->gen == st->c->gen)
		return st->desc;
	if (ensure_prepared(st) != SQLITE_OK)
		return NULL;
	PQclear(st->desc);
	settle(st->c);
	st->desc = PQdescribePrepared(st->c->conn, st->name);
	if (PQresultStatus(st->desc) != PGRES_COMMAND_OK) {
		keep_error(st->c, st->desc);
		PQclear(st->desc);
		st->desc = NULL;
	}
	return st->desc;
}

/* The current row's value of column col, or NULL (no row, no column or
 * SQL NULL). */
static const char *value(const struct pgstmt *st, int col)
{
	if (!st->res || st->row >= st->nrows || col < 0 || col >= PQnfields(st->res) ||
	    PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

int64_t pgs_column_int64(dbstmt *s, int col)
{
	struct pgstmt *st = PS(s);
	const char *v = value(st, col);
	if (!v)
		return 0;
	if (PQftype(st->res, col) == OID_BOOL)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

const unsigned char *pgs_column_text(dbstmt *s, int col)
{
	struct pgstmt *st = PS(s);
	const char *v = value(st, col);
	if (v && PQftype(st->res, col) == OID_BOOL)
		return (const unsigned char *)(v[0] == 't' ? "1" : "0");
	return (const unsigned char *)v;
}

/* Decodes a bytea value once per row and column. */
static bool decode_blob(struct pgstmt *st, int col, const char *v)
{
	if (st->blob_row == st->row && st->blob_col == col)
		return true;
	PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)v, &st->bloblen);
	if (!st->blob) {
		st->blob_row = -1;
		return false;
	}
	st->blob_row = st->row;
	st->blob_col = col;
	return true;
}

const void *pgs_column_blob(dbstmt *s, int col)
{
	struct pgstmt *st = PS(s);
	const char *v = value(st, col);
	if (!v || PQftype(st->res, col) != OID_BYTEA)
		return v;
	return decode_blob(st, col, v) ? st->blob : NULL;
}

int pgs_column_bytes(dbstmt *s, int col)
{
	struct pgstmt *st = PS(s);
	const char *v = value(st, col);
	if (!v)
		return 0;
	if (PQftype(st->res, col) == OID_BYTEA)
		return decode_blob(st, col, v) ? (int)st->bloblen : 0;
	if (PQftype(st->res, col) == OID_BOOL)
		return 1;
	return PQgetlength(st->res, st->row, col);
}

int pgs_column_type(dbstmt *s, int col)
{
	struct pgstmt *st = PS(s);
	const char *v = value(st, col);
	if (!v)
		return SQLITE_NULL;
	switch (PQftype(st->res, col)) {
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_BOOL:
		return SQLITE_INTEGER;
	case OID_NUMERIC:
		return strchr(v, '.') ? SQLITE_TEXT : SQLITE_INTEGER;
	case OID_BYTEA:
		return SQLITE_BLOB;
	default:
		return SQLITE_TEXT;
	}
}

int pgs_column_count(dbstmt *s)
{
	struct pgstmt *st = PS(s);
	if (st->returning_id)
		return 0;
	const PGresult *r = columns_of(st);
	return r ? PQnfields(r) : 0;
}

const char *pgs_column_name(dbstmt *s, int col)
{
	struct pgstmt *st = PS(s);
	const PGresult *r = columns_of(st);
	if (!r || col < 0 || col >= PQnfields(r))
		return NULL;
	return PQfname(r, col);
}

/* ---- COPY ----------------------------------------------------------------- */

int pgc_copy_begin(struct pgconn *c, const char *table, const char *columns)
{
	char *sql = xasprintf("COPY %s (%s) FROM STDIN", table, columns);
	settle(c);
	PGresult *r = PQexec(c->conn, sql);
	free(sql);
	int rc = SQLITE_OK;
	if (PQresultStatus(r) != PGRES_COPY_IN)
		rc = fail(c, r);
	PQclear(r);
	return rc;
}

int pgc_copy_row(struct pgconn *c, int nfields, const char *const *fields)
{
	size_t n = 0;
	for (int f = 0; f < nfields; f++) {
		const char *v = fields[f];
		size_t need = n + (v ? strlen(v) * 2 : 2) + 2;
		if (need > c->linecap) {
			c->linecap = need * 2;
			c->line = xrealloc(c->line, c->linecap);
		}
		if (f)
			c->line[n++] = '\t';
		if (!v) {
			c->line[n++] = '\\';
			c->line[n++] = 'N';
			continue;
		}
		for (; *v; v++) {
			char e = *v == '\\' ? '\\' : *v == '\t' ? 't' : *v == '\n' ? 'n' : *v == '\r' ? 'r' : 0;
			if (e) {
				c->line[n++] = '\\';
				c->line[n++] = e;
			} else {
				c->line[n++] = *v;
			}
		}
	}
	if (n + 1 > c->linecap) {
		c->linecap = n + 16;
		c->line = xrealloc(c->line, c->linecap);
	}
	c->line[n++] = '\n';
	if (PQputCopyData(c->conn, c->line, (int)n) != 1) {
		keep_error(c, NULL);
		return SQLITE_ERROR;
	}
	return SQLITE_OK;
}

int pgc_copy_end(struct pgconn *c)
{
	int rc = SQLITE_OK;
	if (PQputCopyEnd(c->conn, NULL) != 1) {
		keep_error(c, NULL);
		rc = SQLITE_ERROR;
	}
	PGresult *r;
	while ((r = PQgetResult(c->conn))) {
		if (PQresultStatus(r) == PGRES_COMMAND_OK) {
			c->changes = atoi(PQcmdTuples(r));
			c->total_changes += c->changes;
		} else if (rc == SQLITE_OK)
			rc = fail(c, r);
		PQclear(r);
	}
	return rc;
}
