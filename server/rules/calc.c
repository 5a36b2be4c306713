/* calc.c: the achievement calculation (see calc.h and docs/calculation.md).
 * Every figure is an exact fraction of 128-bit integers until the one
 * rounding per indicator: milli-points and pence are rounded half away
 * from zero (money.h's rule); totals are sums of rounded lines. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "server/rules/calc.h"
#include "money.h"
#include "util.h"

__extension__ typedef __int128 i128;

/* An exact non-negative-denominator fraction. */
struct q {
	i128 n, d;
};

#define PPM 1000000
#define MAX_FIGURE 999999999999LL /* any single input figure: 10^12 - 1 */

static const char *const kind_names[] = {
	[CALC_THRESHOLD] = "threshold", [CALC_RATIO] = "ratio", [CALC_COUNT] = "count",
	[CALC_YESNO] = "yesno", [CALC_CAIP] = "caip", [CALC_MONEY] = "money",
	[CALC_DATE] = "date",
};
static const char *const payment_names[] = {
	[CALC_PAY_QOF] = "QOF", [CALC_PAY_DES] = "DES", [CALC_PAY_ES] = "ES",
	[CALC_PAY_VI] = "VI", [CALC_PAY_PO] = "PO",
};
static const char *const level_names[] = {
	[CALC_LEVEL_PRACTICE] = "PRACTICE", [CALC_LEVEL_NETWORK] = "NETWORK",
};

/* ---- exact arithmetic ----------------------------------------------------- */

static i128 gcd128(i128 a, i128 b)
{
	if (a < 0)
		a = -a;
	if (b < 0)
		b = -b;
	while (b) {
		i128 t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static struct q q_make(i128 n, i128 d)
{
	struct q r = {n, d};
	i128 g = gcd128(n, d);
	if (g > 1) {
		r.n /= g;
		r.d /= g;
	}
	return r;
}

/* *a *= n / d (d > 0), reducing first; false if a figure overflows. */
static bool q_mul(struct q *a, i128 n, i128 d)
{
	i128 g = gcd128(a->n, d);
	if (g > 1) {
		a->n /= g;
		d /= g;
	}
	g = gcd128(n, a->d);
	if (g > 1) {
		n /= g;
		a->d /= g;
	}
	return !__builtin_mul_overflow(a->n, n, &a->n) && !__builtin_mul_overflow(a->d, d, &a->d);
}

/* The nearest integer to n / d (d > 0), halves away from zero. */
static i128 round128(i128 n, i128 d)
{
	bool neg = n < 0;
	if (neg)
		n = -n;
	i128 q = n / d, rem = n % d;
	if (rem >= d - rem)
		q++;
	return neg ? -q : q;
}

/* Rounds a * scale to an int64; false if it does not fit. */
static bool q_round_scaled(struct q a, int64_t scale, int64_t *out)
{
	i128 n;
	if (__builtin_mul_overflow(a.n, (i128)scale, &n))
		return false;
	i128 r = round128(n, a.d);
	if (r > INT64_MAX || r < INT64_MIN)
		return false;
	*out = (int64_t)r;
	return true;
}

/* ---- formatting ------------------------------------------------------------ */

/* 1234567 -> "1,234,567". */
static char *fmt_int(int64_t v, char *out, size_t size)
{
	char digits[32];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
	size_t len = strlen(digits), o = 0;
	if (v < 0 && o + 1 < size)
		out[o++] = '-';
	for (size_t i = 0; i < len && o + 1 < size; i++) {
		if (i && (len - i) % 3 == 0 && o + 1 < size)
			out[o++] = ',';
		if (o + 1 < size)
			out[o++] = digits[i];
	}
	out[o] = '\0';
	return out;
}

/* A fixed-point figure with the given number of decimals, trailing zeros
 * removed when trim: milli-points 6500 -> "6.5", 29000 -> "29". */
static char *fmt_fixed(int64_t v, int decimals, bool trim, char *out, size_t size)
{
	int64_t scale = 1;
	if (decimals > 6)
		decimals = 6;
	for (int i = 0; i < decimals; i++)
		scale *= 10;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char whole[32];
	fmt_int((int64_t)(u / (uint64_t)scale), whole, sizeof whole);
	char frac[24] = "";
	if (decimals > 0) {
		uint64_t rem = u % (uint64_t)scale;
		for (int k = decimals - 1; k >= 0; k--) {
			frac[k] = (char)('0' + rem % 10);
			rem /= 10;
		}
		frac[decimals] = '\0';
		if (trim) {
			size_t l = strlen(frac);
			while (l > 0 && frac[l - 1] == '0')
				frac[--l] = '\0';
		}
	}
	snprintf(out, size, "%s%s%s%s", v < 0 ? "-" : "", whole, *frac ? "." : "", frac);
	return out;
}

/* A fraction as a decimal with 4 places ("1.7100"). */
static char *fmt_q4(struct q a, char *out, size_t size)
{
	int64_t v = 0;
	if (!q_round_scaled(a, 10000, &v))
		snprintf(out, size, "(too large)");
	else
		fmt_fixed(v, 4, false, out, size);
	return out;
}

static char *fmt_money(int64_t pence, char *out, size_t size)
{
	return money_format(pence, out, size);
}

/* Parts per million as a percentage with 2 places ("72.50%"). */
static char *fmt_pct(int64_t ppm, char *out, size_t size)
{
	char n[32];
	fmt_fixed(div_round_half_away(ppm, 100), 2, false, n, sizeof n);
	size_t l = strlcpy_s(out, n, size);
	if (l + 1 < size) {
		out[l] = '%';
		out[l + 1] = '\0';
	}
	return out;
}

/* Points as a person reads them: "29", "6.5", or "6.667 (exactly 20/3)". */
static char *fmt_points_q(struct q p, char *out, size_t size)
{
	int64_t milli = 0;
	if (!q_round_scaled(p, 1000, &milli)) {
		snprintf(out, size, "(too large)");
		return out;
	}
	char m[32];
	fmt_fixed(milli, 3, true, m, sizeof m);
	if ((p.n * 1000) % p.d == 0)
		snprintf(out, size, "%s", m);
	else
		snprintf(out, size, "%s (exactly %lld/%lld)", m, (long long)p.n, (long long)p.d);
	return out;
}

/* ---- the calculation --------------------------------------------------------- */

struct ctx {
	const struct calc_service *svc;
	const struct calc_org *org;
	const struct calc_ind_def *defs;
	const struct calc_val *vals;
	size_t n;
	size_t caip_count; /* CAIP components in payment groups */
	size_t caip_seen;  /* those before the current line */
	char *err;
	size_t errlen;
};

/* Text is written only when wanted: the arguments (formatting helpers
 * included) are not even evaluated otherwise. `text` and `detail` must be
 * in scope: whether this calculation writes texts, and the line's detail
 * (NULL when details are not wanted; the formula belongs to it). */
#define TPRINTF(b, ...) \
	do { \
		if (text) \
			buf_printf((b), __VA_ARGS__); \
	} while (0)
#define TPUTS(b, str) \
	do { \
		if (text) \
			buf_puts((b), (str)); \
	} while (0)
#define TPUTC(b, ch) \
	do { \
		if (text) \
			buf_putc((b), (ch)); \
	} while (0)
#define FPRINTF(b, ...) \
	do { \
		if (detail) \
			buf_printf((b), __VA_ARGS__); \
	} while (0)
#define FPUTS(b, str) \
	do { \
		if (detail) \
			buf_puts((b), (str)); \
	} while (0)

/* Sets a key of a line's detail, or does nothing (not even building the
 * value) when details are not wanted. */
#define DSET(obj, key, val) \
	do { \
		if (obj) \
			json_object_set_new((obj), (key), (val)); \
	} while (0)
#define AAPP(arr, val) \
	do { \
		if (arr) \
			json_array_append_new((arr), (val)); \
	} while (0)

static json_t *factor(const char *name, int64_t num, int64_t den, const char *decimal,
		      const char *why)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:s}", "name", name, "num", (json_int_t)num,
			 "den", (json_int_t)den, "decimal", decimal, "why", why);
}

/* Checks one definition and its value; false with c->err written. */
static bool line_check(struct ctx *c, size_t i)
{
	const struct calc_ind_def *d = &c->defs[i];
	const struct calc_val *v = &c->vals[i];
	const char *code = d->code ? d->code : "?";
	if ((unsigned)d->kind > CALC_DATE) {
		snprintf(c->err, c->errlen, "indicator %s: unknown kind", code);
		return false;
	}
	if (d->points < 0 || d->points > 100000) {
		snprintf(c->err, c->errlen, "indicator %s: points %d out of range", code, d->points);
		return false;
	}
	if (d->lower < -1 || d->lower > 100 || d->upper < -1 || d->upper > 100 ||
	    (d->lower >= 0 && d->upper >= 0 && d->lower > d->upper)) {
		snprintf(c->err, c->errlen, "indicator %s: thresholds %d and %d out of order", code,
			 d->lower, d->upper);
		return false;
	}
	if (d->pence_per_item < 0 || d->pence_per_item > MAX_FIGURE) {
		snprintf(c->err, c->errlen, "indicator %s: price per item out of range", code);
		return false;
	}
	if (d->national_prevalence_ppm < 0 || d->national_prevalence_ppm > PPM) {
		snprintf(c->err, c->errlen, "indicator %s: national prevalence out of range", code);
		return false;
	}
	if (d->register_index < -1 || (d->register_index >= 0 &&
				       ((size_t)d->register_index >= c->n ||
					(size_t)d->register_index == i ||
					c->defs[d->register_index].kind != CALC_COUNT))) {
		snprintf(c->err, c->errlen, "indicator %s: its register is not a count indicator"
			 " of this service", code);
		return false;
	}
	if (!v->present)
		return true;
	switch (d->kind) {
	case CALC_THRESHOLD:
	case CALC_RATIO:
		if (v->num < 0 || v->den < 0 || v->num > MAX_FIGURE || v->den > MAX_FIGURE) {
			snprintf(c->err, c->errlen, "indicator %s: numerator %lld and denominator %lld"
				 " must be between 0 and %lld", code, (long long)v->num,
				 (long long)v->den, MAX_FIGURE);
			return false;
		}
		if (v->num > v->den) {
			snprintf(c->err, c->errlen, "indicator %s: numerator %lld is greater than the"
				 " denominator %lld", code, (long long)v->num, (long long)v->den);
			return false;
		}
		break;
	case CALC_YESNO:
	case CALC_CAIP:
		if (v->value != 0 && v->value != 1) {
			snprintf(c->err, c->errlen, "indicator %s: a Yes/No value must be 1 or 0, not"
				 " %lld", code, (long long)v->value);
			return false;
		}
		break;
	case CALC_COUNT:
	case CALC_MONEY:
	case CALC_DATE:
		if (v->value < 0 || v->value > MAX_FIGURE) {
			snprintf(c->err, c->errlen, "indicator %s: value %lld out of range (0 to %lld)",
				 code, (long long)v->value, MAX_FIGURE);
			return false;
		}
		break;
	}
	return true;
}

/* The register giving an indicator's prevalence, or -1. A count indicator
 * with a national prevalence is its own register. */
static int register_of(const struct ctx *c, size_t i)
{
	const struct calc_ind_def *d = &c->defs[i];
	if (d->national_prevalence_ppm <= 0)
		return -1;
	if (d->register_index >= 0)
		return d->register_index;
	return d->kind == CALC_COUNT ? (int)i : -1;
}

/* Points achieved, as an exact fraction, and the text saying how. */
static struct q line_points(struct ctx *c, size_t i, bool score, struct calc_line *L,
			    struct buf *pt, json_t *detail)
{
	const struct calc_ind_def *d = &c->defs[i];
	const struct calc_val *v = &c->vals[i];
	const int pts = score ? d->points : 0;
	const bool text = !c->svc->no_text;
	struct q p = {0, 1};
	char a[48], b[48], e[48];
	switch (d->kind) {
	case CALC_THRESHOLD:
	case CALC_RATIO: {
		DSET(detail, "inputs", json_pack("{s:I, s:I}", "numerator",
								(json_int_t)v->num, "denominator",
								(json_int_t)v->den));
		L->has_achievement = true;
		L->achievement_ppm = v->den ? div_round_half_away(v->num * PPM, v->den) : 0;
		DSET(detail, "achievement_ppm", json_integer(L->achievement_ppm));
		fmt_pct(L->achievement_ppm, a, sizeof a);
		if (!v->den)
			TPRINTF(pt, "Denominator 0: achievement taken as 0%%");
		else
			TPRINTF(pt, "Achievement %s (%s \xc3\xb7 %s)", a,
				   fmt_int(v->num, b, sizeof b), fmt_int(v->den, e, sizeof e));
		if (d->kind == CALC_RATIO || pts == 0) {
			TPUTS(pt, "; no points (for information).");
			return p;
		}
		int lo = d->lower < 0 ? 0 : d->lower, hi = d->upper < 0 ? 100 : d->upper;
		DSET(detail, "thresholds", json_pack("{s:i, s:i}", "lower", lo,
								      "upper", hi));
		if (!v->den) {
			TPUTS(pt, ", so 0 points.");
		} else if ((i128)100 * v->num >= (i128)hi * v->den) {
			p = q_make(d->points, 1);
			TPRINTF(pt, ", at or above the upper threshold %d%%: full %d points.", hi,
				   d->points);
		} else if ((i128)100 * v->num <= (i128)lo * v->den) {
			TPRINTF(pt, ", at or below the lower threshold %d%%: 0 points.", lo);
		} else {
			/* points x (num/den - lo/100) / ((hi - lo)/100) */
			p = q_make((i128)d->points * ((i128)100 * v->num - (i128)lo * v->den),
				   (i128)(hi - lo) * v->den);
			fmt_points_q(p, e, sizeof e);
			TPRINTF(pt, ", between the thresholds %d%% and %d%%: %d \xc3\x97 (%s \xe2\x88\x92"
				   " %d%%) \xc3\xb7 (%d%% \xe2\x88\x92 %d%%) = %s points.", lo, hi,
				   d->points, a, lo, hi, lo, e);
		}
		return p;
	}
	case CALC_COUNT:
		DSET(detail, "inputs", json_pack("{s:I}", "value",
								(json_int_t)v->value));
		if (pts > 0) {
			p = q_make(pts, 1);
			TPRINTF(pt, "Register of %s recorded: full %d points.",
				   fmt_int(v->value, a, sizeof a), d->points);
		} else {
			TPRINTF(pt, "Count %s recorded; no points.", fmt_int(v->value, a, sizeof a));
		}
		return p;
	case CALC_YESNO:
		DSET(detail, "inputs", json_pack("{s:s}", "value",
								v->value ? "Yes" : "No"));
		if (!pts)
			TPRINTF(pt, "%s recorded; no points.", v->value ? "Yes" : "No");
		else if (v->value)
			TPRINTF(pt, "Yes: full %d points.", pts);
		else
			TPRINTF(pt, "No: 0 points.");
		if (v->value && pts)
			p = q_make(pts, 1);
		return p;
	case CALC_CAIP:
		DSET(detail, "inputs", json_pack("{s:s}", "value",
								v->value ? "Yes" : "No"));
		if (!score || !c->caip_count)
			TPRINTF(pt, "%s recorded.", v->value ? "Yes" : "No");
		else
			TPRINTF(pt, "%s: CAIP component %zu of %zu %s.", v->value ? "Yes" : "No",
				   c->caip_seen + 1, c->caip_count,
				   v->value ? "earned" : "not earned");
		return p;
	case CALC_MONEY:
		DSET(detail, "inputs", json_pack("{s:I}", "value",
								(json_int_t)v->value));
		TPRINTF(pt, "Amount %s recorded; no points.", fmt_money(v->value, a, sizeof a));
		return p;
	case CALC_DATE:
		DSET(detail, "inputs", json_pack("{s:I}", "value",
								(json_int_t)v->value));
		TPRINTF(pt, "Date %04lld-%02lld-%02lld recorded; no points.",
			   (long long)(v->value / 10000), (long long)(v->value / 100 % 100),
			   (long long)(v->value % 100));
		return p;
	}
	return p;
}

/* What the steps of line_pay write as they go: the pay text, and with
 * details the line's formula and its factors. */
struct pay_out {
	struct buf *pay_text;   /* not owned */
	struct buf formula;
	json_t *factors;        /* NULL when details are not wanted */
	json_t *detail;         /* the line's detail, or NULL; not owned */
	bool text;              /* whether texts are written */
};

/* A count paid per item: the items' pence (exact, whole pence). */
static i128 pay_items(const struct ctx *c, size_t i, struct pay_out *po)
{
	const struct calc_ind_def *d = &c->defs[i];
	const struct calc_val *v = &c->vals[i];
	const bool text = po->text;
	const json_t *detail = po->detail;
	char a[64], b[64], e[64];
	i128 extra = (i128)v->value * d->pence_per_item;
	TPRINTF(po->pay_text, "%s items \xc3\x97 %s an item = %s.",
		   fmt_int(v->value, a, sizeof a), fmt_money(d->pence_per_item, b, sizeof b),
		   extra <= INT64_MAX ? fmt_money((int64_t)extra, e, sizeof e) : "?");
	FPRINTF(&po->formula, "%lld \xc3\x97 %lld", (long long)v->value,
		   (long long)d->pence_per_item);
	AAPP(po->factors, json_pack("{s:s, s:I}", "name", "pence_per_item",
						  "value", (json_int_t)d->pence_per_item));
	return extra;
}

/* A CAIP component: its part of the organisation's CAIP amount (the last
 * part takes the remainder) when it is Yes, else 0. */
static i128 pay_caip(const struct ctx *c, size_t i, struct pay_out *po)
{
	const struct calc_val *v = &c->vals[i];
	const bool text = po->text;
	const json_t *detail = po->detail;
	char a[64], b[64];
	int64_t total = c->org->caip_pence;
	int64_t part = total / (int64_t)c->caip_count;
	bool last = c->caip_seen + 1 == c->caip_count;
	if (last)
		part = total - part * (int64_t)(c->caip_count - 1);
	AAPP(po->factors, json_pack("{s:s, s:I, s:I, s:I}", "name", "caip_part",
						  "total_pence", (json_int_t)total,
						  "components", (json_int_t)c->caip_count,
						  "part_pence", (json_int_t)part));
	FPRINTF(&po->formula, "%lld \xc3\xb7 %zu%s", (long long)total, c->caip_count,
		   last && c->caip_count > 1 ? " (remainder)" : "");
	if (!v->value) {
		TPRINTF(po->pay_text, "No: component %zu of %zu (%s) not paid.",
			   c->caip_seen + 1, c->caip_count, fmt_money(part, b, sizeof b));
		return 0;
	}
	TPRINTF(po->pay_text, "Component %zu of %zu of the CAIP amount %s%s: %s.",
		   c->caip_seen + 1, c->caip_count, fmt_money(total, a, sizeof a),
		   last && c->caip_count > 1 ? " (the last part takes the remainder)" : "",
		   fmt_money(part, b, sizeof b));
	return part;
}

/* A size factor: the organisation's list size over the national
 * average, the population factor of a network service or the CPI of a
 * QOF one. */
struct size_factor {
	const char *name;       /* in the detail's factors */
	const char *label;      /* in the pay text */
	const char *size_label; /* what the list size is called there */
	const char *why;
};

static const struct size_factor population_factor = {
	"population_factor", "population factor", "adjusted population",
	"PCN adjusted population \xc3\xb7 national average PCN population",
};

static const struct size_factor cpi_factor = {
	"CPI", "CPI", "list size", "list size \xc3\xb7 national average list size",
};

/* pay x the size factor sf. Returns ok, and multiplies only while ok. */
static bool pay_size_factor(const struct ctx *c, const struct size_factor *sf, struct q *pay,
			    struct pay_out *po, bool ok)
{
	const struct calc_org *o = c->org;
	const struct calc_service *s = c->svc;
	const bool text = po->text;
	const json_t *detail = po->detail;
	char b[64], e[64], f[64];
	struct q q = q_make(o->list_size, s->national_list_size);
	fmt_q4(q, f, sizeof f);
	TPRINTF(po->pay_text, " \xc3\x97 %s %s (%s %s \xc3\xb7 national average %s)",
		   sf->label, f, sf->size_label, fmt_int(o->list_size, b, sizeof b),
		   fmt_int(s->national_list_size, e, sizeof e));
	FPRINTF(&po->formula, " \xc3\x97 %s", f);
	AAPP(po->factors, factor(sf->name, o->list_size, s->national_list_size, f, sf->why));
	return ok && q_mul(pay, o->list_size, s->national_list_size);
}

/* A QOF indicator with a register r (and a list size): pay x the APDF,
 * the practice's prevalence over the national one; no pay at all while
 * the register has no value. Returns ok, and multiplies only while ok. */
static bool pay_apdf(const struct ctx *c, size_t i, int r, struct q *pay, struct pay_out *po,
		     bool ok)
{
	const struct calc_ind_def *d = &c->defs[i];
	const struct calc_org *o = c->org;
	const struct calc_val *rv = &c->vals[r];
	const bool text = po->text;
	const json_t *detail = po->detail;
	char b[64], e[64], f[64];
	if (!rv->present) {
		TPRINTF(po->pay_text, " \xc3\x97 APDF: the register %s has no value,"
			   " so the payment cannot be calculated yet", c->defs[r].code);
		FPUTS(&po->formula, " \xc3\x97 0");
		AAPP(po->factors, json_pack("{s:s, s:s, s:s}", "name", "APDF", "register",
					    c->defs[r].code, "why", "register not recorded"));
		*pay = (struct q){0, 1};
		return ok;
	}
	/* (reg / list) / (ppm / 10^6) */
	i128 an = (i128)rv->value * PPM;
	i128 ad = (i128)o->list_size * d->national_prevalence_ppm;
	struct q apdf = q_make(an, ad);
	struct q prev = q_make(rv->value, o->list_size);
	fmt_q4(apdf, f, sizeof f);
	int64_t prev_ppm = 0;
	q_round_scaled(prev, PPM, &prev_ppm);
	char np[32], pp[32];
	fmt_pct(prev_ppm, pp, sizeof pp);
	fmt_pct(d->national_prevalence_ppm, np, sizeof np);
	TPRINTF(po->pay_text, " \xc3\x97 APDF %s (prevalence %s = register %s"
		   " %s \xc3\xb7 list size %s, \xc3\xb7 national prevalence"
		   " %s)", f, pp, c->defs[r].code,
		   fmt_int(rv->value, b, sizeof b),
		   fmt_int(o->list_size, e, sizeof e), np);
	FPRINTF(&po->formula, " \xc3\x97 %s", f);
	json_t *fa = po->factors ? factor("APDF", 0, 0, f, "practice prevalence"
					  " \xc3\xb7 national prevalence") : NULL;
	if (fa) {
		/* The fraction may not fit JSON's integers: give inputs. */
		json_object_del(fa, "num");
		json_object_del(fa, "den");
		json_object_set_new(fa, "register", json_string(c->defs[r].code));
		json_object_set_new(fa, "register_count", json_integer(rv->value));
		json_object_set_new(fa, "list_size", json_integer(o->list_size));
		json_object_set_new(fa, "national_prevalence_ppm",
				    json_integer(d->national_prevalence_ppm));
		json_array_append_new(po->factors, fa);
	}
	return ok && q_mul(pay, an, ad);
}

/* The points part: points x pence a point, then x the population factor
 * (network), or x CPI and x APDF (QOF). Sets *pay; false on overflow. */
static bool pay_points(const struct ctx *c, size_t i, struct q p, struct q *pay,
		       struct pay_out *po)
{
	const struct calc_service *s = c->svc;
	const struct calc_org *o = c->org;
	const bool text = po->text;
	const json_t *detail = po->detail;
	char a[64], b[64];
	*pay = p;
	fmt_points_q(p, a, sizeof a);
	if (po->pay_text->len)
		TPUTC(po->pay_text, ' ');
	TPRINTF(po->pay_text, "%s points \xc3\x97 %s a point", a,
		   fmt_money(s->pence_per_point, b, sizeof b));
	if (po->formula.len)
		FPUTS(&po->formula, " + ");
	FPRINTF(&po->formula, "%s \xc3\x97 %lld", a, (long long)s->pence_per_point);
	AAPP(po->factors, json_pack("{s:s, s:I}", "name", "pence_per_point",
						  "value", (json_int_t)s->pence_per_point));
	bool ok = q_mul(pay, s->pence_per_point, 1);
	if (s->level == CALC_LEVEL_NETWORK)
		return pay_size_factor(c, &population_factor, pay, po, ok);
	if (s->payment_type != CALC_PAY_QOF)
		return ok;
	ok = pay_size_factor(c, &cpi_factor, pay, po, ok);
	int r = register_of(c, i);
	if (r >= 0 && o->list_size > 0)
		ok = pay_apdf(c, i, r, pay, po, ok);
	else if (o->list_size > 0)
		TPUTS(po->pay_text, " (no prevalence adjustment: APDF 1)");
	return ok;
}

/* The payment of a line: an exact fraction (rounded once by the caller):
 * the items or the CAIP part in whole pence, plus the points part. */
static bool line_pay(struct ctx *c, size_t i, struct q p, struct q *pay, struct buf *pay_text,
		     bool *mixed, json_t *detail)
{
	const struct calc_ind_def *d = &c->defs[i];
	struct pay_out po = {
		.pay_text = pay_text,
		.factors = detail ? json_array() : NULL,
		.detail = detail,
		.text = !c->svc->no_text,
	};
	bool ok = true;
	i128 extra = 0; /* exact whole pence: items and CAIP */
	buf_init(&po.formula);
	*pay = (struct q){0, 1};

	if (d->kind == CALC_COUNT && d->pence_per_item > 0)
		extra = pay_items(c, i, &po);
	if (d->kind == CALC_CAIP)
		extra = pay_caip(c, i, &po);
	*mixed = pay_text->len > 0 && p.n > 0;
	if (p.n > 0)
		ok = pay_points(c, i, p, pay, &po);
	if (ok && extra) {
		/* pay += extra */
		i128 t;
		ok = !__builtin_mul_overflow(extra, pay->d, &t) &&
		     !__builtin_add_overflow(pay->n, t, &pay->n);
	}
	if (!ok)
		snprintf(c->err, c->errlen, "indicator %s: the figures are too large to calculate",
			 d->code);
	DSET(detail, "factors", po.factors);
	if (po.formula.len)
		DSET(detail, "formula", json_string(po.formula.data));
	buf_free(&po.formula);
	return ok;
}

static void line_free(struct calc_line *L)
{
	xfree(&L->points_text);
	xfree(&L->pay_text);
	xfree(&L->explanation);
	if (L->detail)
		json_decref(L->detail);
	L->detail = NULL;
}

/* Calculates line i into L; false with c->err written. */
static bool line_calc(struct ctx *c, size_t i, struct calc_line *L)
{
	const struct calc_ind_def *d = &c->defs[i];
	const struct calc_val *v = &c->vals[i];
	const struct calc_service *s = c->svc;
	struct buf pt, pay_text;
	buf_init(&pt);
	buf_init(&pay_text);
	bool ok = false;
	const bool text = !s->no_text;
	L->code = d->code;
	L->detail = s->no_detail ? NULL :
		json_pack("{s:s, s:s, s:i, s:b}", "indicator", d->code ? d->code : "",
			  "kind", kind_names[d->kind], "points_available", d->points,
			  "recorded", v->present);
	if (!L->detail && !s->no_detail) {
		snprintf(c->err, c->errlen, "indicator %s: the code is not valid UTF-8",
			 d->code ? d->code : "?");
		goto out;
	}
	struct q p = {0, 1}, pay = {0, 1};
	bool score = s->payment_type != CALC_PAY_PO && d->payment_group, mixed = false;
	if (!v->present) {
		L->missing = true;
		TPUTS(&pt, "No value recorded: 0 points.");
	} else {
		p = line_points(c, i, score, L, &pt, L->detail);
	}
	if (s->payment_type == CALC_PAY_PO) {
		TPUTS(&pay_text, "Participation only: no payment.");
	} else if (!d->payment_group) {
		TPUTS(&pay_text, "Management information: counts for nothing.");
	} else if (v->present && !line_pay(c, i, p, &pay, &pay_text, &mixed, L->detail)) {
		goto out;
	}
	if (!q_round_scaled(p, 1000, &L->points_milli) || !q_round_scaled(pay, 1, &L->pence)) {
		snprintf(c->err, c->errlen, "indicator %s: the figures are too large to calculate",
			 d->code);
		goto out;
	}
	if (score && v->present && p.n > 0) {
		/* The points part ended in a product: give its result. */
		char e[48];
		TPRINTF(&pay_text, " = %s%s%s.", fmt_money(L->pence, e, sizeof e),
			   mixed ? " in all" : "",
			   pay.d != 1 ? " (rounded to the penny)" : "");
	} else if (!pay_text.len) {
		TPUTS(&pay_text, "No payment.");
	}
	DSET(L->detail, "points_milli", json_integer(L->points_milli));
	DSET(L->detail, "pence", json_integer(L->pence));
	if (text) {
		DSET(L->detail, "points_text", json_string(pt.data));
		DSET(L->detail, "pay_text", json_string(pay_text.data));
	}
	if (text) {
		L->explanation = xasprintf("%s %s", pt.data, pay_text.data);
		L->points_text = buf_steal(&pt);
		L->pay_text = buf_steal(&pay_text);
	}
	ok = true;
out:
	buf_free(&pt);
	buf_free(&pay_text);
	return ok;
}

static bool service_check(struct ctx *c)
{
	const struct calc_service *s = c->svc;
	const struct calc_org *o = c->org;
	if ((unsigned)s->payment_type > CALC_PAY_PO || (unsigned)s->level > CALC_LEVEL_NETWORK) {
		snprintf(c->err, c->errlen, "service %s: unknown payment type or level",
			 s->code ? s->code : "?");
		return false;
	}
	if (s->pence_per_point < 0 || s->pence_per_point > MAX_FIGURE || o->list_size < 0 ||
	    o->list_size > MAX_FIGURE || s->national_list_size < 0 ||
	    s->national_list_size > MAX_FIGURE || o->caip_pence > MAX_FIGURE * 1000) {
		snprintf(c->err, c->errlen, "service %s: price, list size or CAIP amount out of"
			 " range", s->code ? s->code : "?");
		return false;
	}
	if (s->aspiration_percent < 0 || s->aspiration_percent > 100) {
		snprintf(c->err, c->errlen, "service %s: aspiration percentage %d out of range",
			 s->code ? s->code : "?", s->aspiration_percent);
		return false;
	}
	if (s->payment_type == CALC_PAY_PO)
		return true;
	bool scaled = s->level == CALC_LEVEL_NETWORK || s->payment_type == CALC_PAY_QOF;
	for (size_t i = 0; i < c->n; i++) {
		const struct calc_ind_def *d = &c->defs[i];
		if (!d->payment_group)
			continue;
		if (scaled && d->points > 0 && s->national_list_size <= 0) {
			snprintf(c->err, c->errlen, "service %s: the national average %s is not set",
				 s->code ? s->code : "?",
				 s->level == CALC_LEVEL_NETWORK ? "PCN population" : "list size");
			return false;
		}
		if (d->kind == CALC_CAIP)
			c->caip_count++;
	}
	if (c->caip_count && o->caip_pence < 0) {
		snprintf(c->err, c->errlen, "%s: the CAIP amount of %s is not known",
			 s->code ? s->code : "?", o->code ? o->code : "the organisation");
		return false;
	}
	return true;
}

int calc_run(const struct calc_service *svc, const struct calc_org *org,
	     const struct calc_ind_def *defs, const struct calc_val *vals, size_t n,
	     struct calc_result *out)
{
	memset(out, 0, sizeof *out);
	struct ctx c = {.svc = svc, .org = org, .defs = defs, .vals = vals, .n = n,
			.err = out->error, .errlen = sizeof out->error};
	if (!service_check(&c))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (!line_check(&c, i))
			return -1;
	out->lines = xcalloc(n ? n : 1, sizeof *out->lines);
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		struct calc_line *L = &out->lines[i];
		if (!line_calc(&c, i, L))
			goto fail;
		if (defs[i].kind == CALC_CAIP && defs[i].payment_group)
			c.caip_seen++;
		if (L->missing)
			out->missing++;
		if (__builtin_add_overflow(out->points_milli, L->points_milli, &out->points_milli) ||
		    __builtin_add_overflow(out->pence, L->pence, &out->pence)) {
			snprintf(out->error, sizeof out->error, "the totals are too large");
			goto fail;
		}
	}
	if (svc->aspiration_percent > 0 && svc->payment_type != CALC_PAY_PO)
		out->aspiration_pence = (int64_t)round128((i128)out->pence * svc->aspiration_percent,
							  100);
	return 0;
fail:;
	char keep[sizeof out->error];
	memcpy(keep, out->error, sizeof keep);
	calc_result_free(out);
	memcpy(out->error, keep, sizeof keep);
	return -1;
}

void calc_result_free(struct calc_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		line_free(&r->lines[i]);
	xfree(&r->lines);
	memset(r, 0, sizeof *r);
}

json_t *calc_breakdown(const struct calc_service *svc, const struct calc_org *org,
		       const struct calc_result *r)
{
	const char *method;
	if (svc->payment_type == CALC_PAY_PO)
		method = "participation_only";
	else if (svc->level == CALC_LEVEL_NETWORK)
		method = "network";
	else if (svc->payment_type == CALC_PAY_QOF)
		method = "qof";
	else
		method = "points_and_items";
	json_t *lines = json_array();
	for (size_t i = 0; i < r->n; i++)
		json_array_append(lines, r->lines[i].detail);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:I, s:I, s:I, s:I}, s:o, s:I, s:I,"
			      " s:i, s:I, s:I, s:s}",
			      "service", svc->code ? svc->code : "",
			      "payment_type", payment_names[svc->payment_type],
			      "level", level_names[svc->level], "method", method,
			      "inputs", "organisation", org->code ? org->code : "",
			      "list_size", (json_int_t)org->list_size,
			      "national_list_size", (json_int_t)svc->national_list_size,
			      "pence_per_point", (json_int_t)svc->pence_per_point,
			      "caip_pence", (json_int_t)org->caip_pence,
			      "lines", lines,
			      "points_milli", (json_int_t)r->points_milli,
			      "pence", (json_int_t)r->pence,
			      "aspiration_percent", svc->aspiration_percent,
			      "aspiration_pence", (json_int_t)r->aspiration_pence,
			      "missing", (json_int_t)r->missing,
			      "rounding", "Each indicator's payment is worked out exactly and rounded"
			      " once to the nearest penny, halves away from zero; points are"
			      " rounded to 0.001 the same way; totals are sums of the rounded"
			      " indicator figures.");
	return o;
}

char *calc_breakdown_text(const struct calc_service *svc, const struct calc_org *org,
			  const struct calc_result *r)
{
	json_t *o = calc_breakdown(svc, org, r);
	if (!o)
		return NULL;
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!s)
		return NULL;
	/* json_dumps allocates with Jansson's allocator: hand back our own. */
	char *copy = xstrdup(s);
	free(s);
	return copy;
}

bool calc_kind_for(const char *kind, const char *group_code, bool has_thresholds, int points,
		   enum calc_kind *out)
{
	if (!kind)
		return false;
	if (!strcmp(kind, "ratio"))
		*out = has_thresholds || points > 0 ? CALC_THRESHOLD : CALC_RATIO;
	else if (!strcmp(kind, "yesno"))
		*out = group_code && !strcmp(group_code, "CAIP") ? CALC_CAIP : CALC_YESNO;
	else if (!strcmp(kind, "count"))
		*out = CALC_COUNT;
	else if (!strcmp(kind, "money"))
		*out = CALC_MONEY;
	else if (!strcmp(kind, "date"))
		*out = CALC_DATE;
	else
		return false;
	return true;
}

bool calc_payment_parse(const char *s, enum calc_payment *out)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(payment_names); i++)
		if (!strcmp(s, payment_names[i])) {
			*out = (enum calc_payment)i;
			return true;
		}
	return false;
}

bool calc_level_parse(const char *s, enum calc_level *out)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(level_names); i++)
		if (!strcmp(s, level_names[i])) {
			*out = (enum calc_level)i;
			return true;
		}
	return false;
}

int64_t calc_caip_amount(const struct calc_ind_def *defs, size_t n, int64_t population)
{
	int64_t total = 0;
	for (size_t i = 0; i < n; i++) {
		if (defs[i].kind != CALC_CAIP || !defs[i].payment_group)
			continue;
		int64_t part;
		if (__builtin_mul_overflow(defs[i].pence_per_item, population, &part) ||
		    __builtin_add_overflow(total, part, &total))
			return -1;
	}
	return total;
}

long calc_aggregate(const struct calc_ind_def *defs, size_t n, const struct calc_val *member_vals,
		    size_t nmembers, const struct calc_val *pcn_vals, struct calc_val *out,
		    size_t *member_missing)
{
	long incomplete = 0;
	if (member_missing)
		memset(member_missing, 0, nmembers * sizeof *member_missing);
	for (size_t i = 0; i < n; i++) {
		const struct calc_ind_def *d = &defs[i];
		struct calc_val *o = &out[i];
		memset(o, 0, sizeof *o);
		if (d->pcn_entered) {
			if (pcn_vals)
				*o = pcn_vals[i];
			continue;
		}
		bool any_no = false;
		for (size_t m = 0; m < nmembers; m++) {
			const struct calc_val *v = &member_vals[m * n + i];
			if (!v->present) {
				if (member_missing)
					member_missing[m]++;
				continue;
			}
			o->present = true;
			switch (d->kind) {
			case CALC_THRESHOLD:
			case CALC_RATIO:
				if (__builtin_add_overflow(o->num, v->num, &o->num) ||
				    __builtin_add_overflow(o->den, v->den, &o->den))
					return -1;
				break;
			case CALC_COUNT:
			case CALC_MONEY:
				if (__builtin_add_overflow(o->value, v->value, &o->value))
					return -1;
				break;
			case CALC_YESNO:
			case CALC_CAIP:
				if (!v->value)
					any_no = true;
				break;
			case CALC_DATE:
				if (v->value > o->value)
					o->value = v->value;
				break;
			}
		}
		if (o->present && (d->kind == CALC_YESNO || d->kind == CALC_CAIP))
			o->value = !any_no;
	}
	for (size_t m = 0; m < nmembers; m++) {
		bool lacks = false;
		for (size_t i = 0; i < n && !lacks; i++)
			lacks = !defs[i].pcn_entered && !member_vals[m * n + i].present;
		incomplete += lacks;
	}
	return incomplete;
}
