/* test_prop_network.c: two property tests of issue 10 over real HTTP
 * against the real cqrsd and a fresh demo database each, driven by a
 * pseudo-random generator seeded from $CQRS_PROP_SEED (default below; the
 * seed is printed first, so any failure can be replayed exactly).
 *
 * 1. Membership histories: random joins, leaves, moves and deliberate
 *    overlaps (which must get 409 and change nothing) by the commissioner
 *    in ICB 00K. After every step: (a) no practice is in two PCNs on any
 *    one date, and the memberships are exactly what the step should have
 *    made of them; (b) for every PCN and NCD 2024/25 date the step
 *    touched, GET /network lists exactly the members on that date, each
 *    member-entered count and ratio of the network achievement is the sum
 *    of the members' values, and the population the calculation used is
 *    the sum of the members' list sizes.
 * 2. Finality: random group entries (the practice; the commissioner on a
 *    practice's behalf; the PCN), small extracts, membership changes and
 *    declaration steps. Every achievement whose declaration is
 *    FINANCIALLY_APPROVED is recorded (values, calculation, the
 *    declaration's pence, and for a PCN its members and their values on
 *    that date); after every later step none of that may have changed.
 *    Refusals must be 4xx with a message, never 5xx.
 *
 * CQRS_PROP_STEPS overrides the number of steps of each property. TAP. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apitest.h"

#define DEFAULT_SEED 20250410ULL
#define STEPS1 40
#define STEPS2 50
#define OPEN INT_MAX

static char *t_comm, *t_practice, *t_pcn, *t_appr, *t_fin, *t_loader;
static json_int_t svc_ncd, svc_ms;

static const char *PCN[] = {"U60172", "U60381"};
#define NPCN 2
static const char *PR[] = {"A81001", "A81004", "A81007", "A81011",
			   "A81016", "A81019", "A81023", "A81030"};
#define NPR 8
static long long list_size[NPR];

/* NCD 2024/25 achievement dates (day numbers) and their text. */
static int ndates;
static int dates[16];
static char date_s[16][11];

/* Member-entered counts and ratios of NCD 2024/25. */
static int nind;
static char ind_code[16][32];
static bool ind_ratio[16];

static int FY0, FY1; /* 2024-04-01 .. 2025-03-31 */

/* ------------------------------------------------------------ random */

static unsigned long long rng;

static unsigned long long next64(void)
{
	unsigned long long z = (rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static int rnd(int n)
{
	return n <= 1 ? 0 : (int)(next64() % (unsigned long long)n);
}

/* lo .. hi inclusive */
static int rnd_in(int lo, int hi)
{
	return hi <= lo ? lo : lo + rnd(hi - lo + 1);
}

/* ------------------------------------------------------------ first failures */

/* The first step at which each kind of check failed (0: never), printed at
 * the end so that a run's root causes stand out from what follows them. */
enum { C_CHANGE, C_OVERLAP, C_NETWORK, C_FAULT, C_FINAL, NCHECKS };
static const char *const check_name[NCHECKS] = {
	"a step did not do exactly what it should (or an overlap was not refused)",
	"a practice in two PCNs on one date",
	"a network figure that is not the sum over its members on the date",
	"a server fault or an unexplained refusal",
	"a financially approved figure changed",
};
static int first_fail[2][NCHECKS];
static int prop; /* 0 or 1: the property running */

static bool noted(bool ok, int check, int step)
{
	if (!ok && !first_fail[prop][check])
		first_fail[prop][check] = step ? step : -1;
	return ok;
}

static void print_first_failures(void)
{
	for (int p = 0; p < 2; p++)
		for (int c = 0; c < NCHECKS; c++)
			if (first_fail[p][c])
				tap_diag("property %d: first failure at step %d: %s", p + 1,
					 first_fail[p][c] < 0 ? 0 : first_fail[p][c], check_name[c]);
}

/* ------------------------------------------------------------ dates */

static int days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const char *dstr(int z)
{
	if (z == OPEN)
		return "open";
	z += 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int y = yoe + era * 400;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int d = doy - (153 * mp + 2) / 5 + 1;
	int m = mp + (mp < 10 ? 3 : -9);
	return F("%04d-%02d-%02d", y + (m <= 2), m, d);
}

static int dparse(const char *s)
{
	int y, m, d;
	if (!s || sscanf(s, "%d-%d-%d", &y, &m, &d) != 3)
		return OPEN;
	return days_from_civil(y, m, d);
}

/* ------------------------------------------------------------ lookups */

static int pr_index(const char *code)
{
	for (int i = 0; i < NPR; i++)
		if (streq(PR[i], code))
			return i;
	return -1;
}

static int pcn_index(const char *code)
{
	for (int i = 0; i < NPCN; i++)
		if (streq(PCN[i], code))
			return i;
	return -1;
}

static bool status_ok(long st)
{
	return st > 0 && st < 500;
}

/* A refusal is explained: 4xx with a non-empty message. */
static bool explained(void)
{
	const char *m = err_msg();
	return R.status >= 400 && R.status < 500 && m && *m;
}

static bool final_refusal(void)
{
	const char *m = err_msg();
	return R.status == 409 && m &&
	       (contains(m, "final") || contains(m, "inancially approved") ||
		contains(m, "FINANCIALLY_APPROVED"));
}

/* ------------------------------------------------------------ memberships */

struct mem {
	json_int_t id;
	int pr, pcn, start, end; /* end OPEN when none */
};

struct mems {
	struct mem m[128];
	int n;
};

static int mem_cmp(const void *a, const void *b)
{
	const struct mem *x = a, *y = b;
	if (x->pr != y->pr)
		return x->pr - y->pr;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->pcn != y->pcn)
		return x->pcn - y->pcn;
	return x->end < y->end ? -1 : x->end > y->end;
}

static void add_mem(struct mems *ms, const json_t *m, char *why, size_t whylen)
{
	int pr = pr_index(jstr(m, "practice")), pcn = pcn_index(jstr(m, "pcn"));
	if (pr < 0 || pcn < 0)
		return;
	struct mem x = {jint(m, "id"), pr, pcn, dparse(jstr(m, "start_date")),
			json_is_null(json_object_get(m, "end_date")) ? OPEN :
			dparse(jstr(m, "end_date"))};
	for (int i = 0; i < ms->n; i++)
		if (ms->m[i].id == x.id) {
			if (mem_cmp(&ms->m[i], &x) && !*why)
				snprintf(why, whylen, "membership %lld reads differently from the PCN"
					 " and from the practice", (long long)x.id);
			return;
		}
	if (ms->n < 128)
		ms->m[ms->n++] = x;
}

/* Reads every membership of the ICB's practices and PCNs, from both
 * sides; *why says when the two sides disagree. */
static void read_mems(struct mems *ms, char *why, size_t whylen)
{
	ms->n = 0;
	*why = '\0';
	for (int k = 0; k < NPCN + NPR; k++) {
		const char *code = k < NPCN ? PCN[k] : PR[k - NPCN];
		GET(t_comm, F("/api/v1/organisations/%s", code));
		if (R.status != 200) {
			snprintf(why, whylen, "GET /organisations/%s answered %ld", code, R.status);
			continue;
		}
		size_t i;
		json_t *m;
		json_array_foreach(J("memberships"), i, m)
			add_mem(ms, m, why, whylen);
	}
	qsort(ms->m, (size_t)ms->n, sizeof ms->m[0], mem_cmp);
}

static void diag_mems(const struct mems *ms)
{
	for (int i = 0; i < ms->n; i++)
		tap_diag("  membership %lld: %s in %s %s..%s", (long long)ms->m[i].id,
			 PR[ms->m[i].pr], PCN[ms->m[i].pcn], dstr(ms->m[i].start),
			 dstr(ms->m[i].end));
}

/* The same memberships (ids aside when ignore_ids). */
static bool mems_equal(const struct mems *a, const struct mems *b, bool ignore_ids)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (mem_cmp(&a->m[i], &b->m[i]) || (!ignore_ids && a->m[i].id != b->m[i].id))
			return false;
	return true;
}

static bool overlap(const struct mem *a, const struct mem *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* Members of pcn on day d, as a bit mask of PR. */
static unsigned members_on(const struct mems *ms, int pcn, int d)
{
	unsigned mask = 0;
	for (int i = 0; i < ms->n; i++)
		if (ms->m[i].pcn == pcn && ms->m[i].start <= d && d <= ms->m[i].end)
			mask |= 1u << ms->m[i].pr;
	return mask;
}

/* (a): no two memberships of one practice share a date. */
static bool check_no_overlap(const struct mems *ms, int step)
{
	int bad = 0;
	for (int i = 0; i < ms->n; i++)
		for (int j = i + 1; j < ms->n; j++)
			if (ms->m[i].pr == ms->m[j].pr && overlap(&ms->m[i], &ms->m[j])) {
				if (bad++ < 4)
					tap_diag("%s is in %s (%s..%s, membership %lld) and %s (%s..%s,"
						 " membership %lld) at once", PR[ms->m[i].pr],
						 PCN[ms->m[i].pcn], dstr(ms->m[i].start),
						 dstr(ms->m[i].end), (long long)ms->m[i].id,
						 PCN[ms->m[j].pcn], dstr(ms->m[j].start),
						 dstr(ms->m[j].end), (long long)ms->m[j].id);
			}
	return noted(tap_ok(bad == 0, "step %d: no practice is in two PCNs on any date", step),
		     C_OVERLAP, step);
}

/* ------------------------------------------------------------ member values */

/* Per-pass caches (cleared before each check pass). */
static json_int_t ach_cache[NPR][16];
static bool ach_cached[NPR];
static json_t *res_cache[NPR][16];

static void caches_clear(void)
{
	for (int p = 0; p < NPR; p++) {
		ach_cached[p] = false;
		for (int d = 0; d < 16; d++) {
			json_decref(res_cache[p][d]);
			res_cache[p][d] = NULL;
		}
	}
}

static json_int_t member_ach(int p, int di)
{
	if (!ach_cached[p]) {
		memset(ach_cache[p], 0, sizeof ach_cache[p]);
		GET(t_comm, F("/api/v1/achievements?organisation=%s&service=%lld", PR[p],
			      (long long)svc_ncd));
		size_t i;
		json_t *a;
		json_array_foreach(J("achievements"), i, a)
			for (int d = 0; d < ndates; d++)
				if (streq(jstr(a, "date"), date_s[d]))
					ach_cache[p][d] = jint(a, "id");
		ach_cached[p] = true;
	}
	return ach_cache[p][di];
}

/* The indicator of results-shaped obj (borrowed). */
static json_t *indicator(const json_t *obj, const char *code)
{
	size_t i, k;
	json_t *g, *ind;
	json_array_foreach(json_object_get(obj, "groups"), i, g)
		json_array_foreach(json_object_get(g, "indicators"), k, ind)
			if (streq(jstr(ind, "code"), code))
				return ind;
	return NULL;
}

/* The results of practice p's achievement at date di (borrowed; NULL when
 * it has none). */
static json_t *member_results(int p, int di)
{
	if (res_cache[p][di])
		return res_cache[p][di];
	json_int_t a = member_ach(p, di);
	if (!a)
		return NULL;
	GET(t_comm, F("/api/v1/achievements/%lld/results", (long long)a));
	if (R.status != 200)
		return NULL;
	res_cache[p][di] = json_incref(R.json);
	return res_cache[p][di];
}

/* "adjusted population 30,488" in any pay explanation of a network result;
 * -1 when none says it. */
static long long population_of(const json_t *net)
{
	size_t i, k;
	json_t *g, *ind;
	json_array_foreach(json_object_get(net, "groups"), i, g)
		json_array_foreach(json_object_get(g, "indicators"), k, ind) {
			const char *s = jstr(ind, "pay_explanation");
			const char *p = s ? strstr(s, "adjusted population ") : NULL;
			if (!p)
				continue;
			p += strlen("adjusted population ");
			long long v = 0;
			bool any = false;
			for (; *p; p++) {
				if (*p >= '0' && *p <= '9') {
					v = v * 10 + (*p - '0');
					any = true;
				} else if (*p != ',')
					break;
			}
			if (any)
				return v;
		}
	return -1;
}

static long long ival(const json_t *ind, const char *key)
{
	return json_integer_value(json_object_get(json_object_get(ind, "value"), key));
}

static int pop_checked, pop_unexposed, sums_checked;

/* (b) for one PCN and date: returns the number of problems (diagnosed). */
static int check_network(const struct mems *ms, int pcn, int di)
{
	unsigned want = members_on(ms, pcn, dates[di]);
	GET(t_comm, F("/api/v1/network?organisation=%s&service=%lld&date=%s", PCN[pcn],
		      (long long)svc_ncd, date_s[di]));
	if (R.status != 200) {
		tap_diag("%s %s: GET /network answered %ld", PCN[pcn], date_s[di], R.status);
		return 1;
	}
	json_t *net = json_incref(J("network"));
	unsigned got = 0;
	size_t i;
	json_t *m;
	int bad = 0;
	json_array_foreach(J("members"), i, m) {
		int p = pr_index(jstr(m, "practice"));
		if (p >= 0)
			got |= 1u << p;
	}
	if (got != want) {
		char w[200] = "", g[200] = "";
		for (int p = 0; p < NPR; p++) {
			if (want >> p & 1)
				strlcpy_s(w + strlen(w), F("%s ", PR[p]), sizeof w - strlen(w));
			if (got >> p & 1)
				strlcpy_s(g + strlen(g), F("%s ", PR[p]), sizeof g - strlen(g));
		}
		tap_diag("%s %s: members by the memberships: %s; GET /network lists: %s", PCN[pcn],
			 date_s[di], w, g);
		bad++;
	}
	if (!want) {
		json_decref(net);
		return bad;
	}
	long long sum_num[16] = {0}, sum_den[16] = {0}, pop = 0;
	bool complete = true;
	for (int p = 0; p < NPR; p++) {
		if (!(want >> p & 1))
			continue;
		pop += list_size[p];
		json_t *res = member_results(p, di);
		if (!res) {
			complete = false;
			continue;
		}
		for (int k = 0; k < nind; k++) {
			json_t *ind = indicator(res, ind_code[k]);
			json_t *v = json_object_get(ind, "value");
			if (!ind || !json_is_object(v)) {
				complete = false;
				continue;
			}
			if (ind_ratio[k]) {
				sum_num[k] += ival(ind, "numerator");
				sum_den[k] += ival(ind, "denominator");
			} else
				sum_num[k] += ival(ind, "value");
		}
	}
	const char *status = jstr(net, "status");
	if (!complete) {
		/* Someone's data are missing: no network figure may stand. */
		if (net && !json_is_null(net) && !streq(status, "AWAITING_NETWORK")) {
			tap_diag("%s %s: a member's data are missing, yet the network achievement"
				 " is %s", PCN[pcn], date_s[di], status ? status : "?");
			bad++;
		}
		json_decref(net);
		return bad;
	}
	if (!net || json_is_null(net) || !json_is_object(json_object_get(net, "calculation"))) {
		tap_diag("%s %s: every member has complete data but there is no calculated network"
			 " achievement", PCN[pcn], date_s[di]);
		json_decref(net);
		return bad + 1;
	}
	sums_checked++;
	for (int k = 0; k < nind; k++) {
		json_t *ind = indicator(net, ind_code[k]);
		bool ok = ind && (ind_ratio[k] ? ival(ind, "numerator") == sum_num[k] &&
					  ival(ind, "denominator") == sum_den[k] :
					  ival(ind, "value") == sum_num[k]);
		if (!ok) {
			char *v = ind ? json_dumps(json_object_get(ind, "value"), JSON_COMPACT) : NULL;
			if (ind_ratio[k])
				tap_diag("%s %s %s: network %s, sum over the members %lld/%lld", PCN[pcn],
					 date_s[di], ind_code[k], v ? v : "(none)", sum_num[k],
					 sum_den[k]);
			else
				tap_diag("%s %s %s: network %s, sum over the members %lld", PCN[pcn],
					 date_s[di], ind_code[k], v ? v : "(none)", sum_num[k]);
			free(v);
			bad++;
		}
	}
	long long used = population_of(net);
	if (used < 0)
		pop_unexposed++;
	else {
		pop_checked++;
		if (used != pop) {
			tap_diag("%s %s: the calculation used population %lld; the members' list sizes"
				 " on that date add up to %lld", PCN[pcn], date_s[di], used, pop);
			bad++;
		}
	}
	json_decref(net);
	return bad;
}

/* (b) over the (pcn, date) pairs marked in which[][]. */
static bool check_networks(const struct mems *ms, bool which[NPCN][16], int step)
{
	caches_clear();
	int bad = 0, n = 0;
	for (int c = 0; c < NPCN; c++)
		for (int d = 0; d < ndates; d++)
			if (which[c][d]) {
				n++;
				bad += check_network(ms, c, d);
			}
	return noted(tap_ok(bad == 0, "step %d: %d network figure(s) touched: members, sums and"
			    " population agree with the memberships on each date", step, n),
		     C_NETWORK, step);
}

/* ------------------------------------------------------------ membership steps */

static const char *step_text;   /* what the step did, for the diagnostics */
static char step_buf[1200];
#define STEP(...) (strlcpy_s(step_buf, F(__VA_ARGS__), sizeof step_buf), step_text = step_buf)

/* The interval of practice p's memberships covering day d (-1: none). */
static int mem_covering(const struct mems *ms, int p, int d)
{
	for (int i = 0; i < ms->n; i++)
		if (ms->m[i].pr == p && ms->m[i].start <= d && d <= ms->m[i].end)
			return i;
	return -1;
}

/* The first start of p's memberships after d (OPEN: none). */
static int next_start(const struct mems *ms, int p, int d)
{
	int best = OPEN;
	for (int i = 0; i < ms->n; i++)
		if (ms->m[i].pr == p && ms->m[i].start > d && ms->m[i].start < best)
			best = ms->m[i].start;
	return best;
}

enum outcome { DONE, REFUSED_FINAL, WRONG, NONE };

struct plan {
	enum { JOIN, LEAVE, MOVE, OVERLAP_POST, OVERLAP_PUT } kind;
	int p, pcn, start, end; /* JOIN/MOVE's join/OVERLAP_POST */
	int mi;                 /* LEAVE/MOVE/OVERLAP_PUT: index in ms */
	int leave_end;          /* LEAVE/MOVE/OVERLAP_PUT: the new end */
};

/* A random day of the financial year, biased to bias_day when given. */
static int pick_day(int lo, int hi, int bias_day)
{
	if (bias_day != OPEN && bias_day >= lo && rnd(2) == 0)
		return rnd_in(lo, bias_day < hi ? bias_day : hi);
	return rnd_in(lo, hi);
}

/* Chooses a step of kind want (or another when impossible). */
static bool plan_step(const struct mems *ms, int want, int bias_day, struct plan *pl)
{
	for (int tries = 0; tries < 60; tries++) {
		int kind = tries < 20 ? want : rnd(5);
		memset(pl, 0, sizeof *pl);
		pl->kind = kind;
		if (kind == JOIN) {
			pl->p = rnd(NPR);
			int s = pick_day(FY0, FY1, bias_day);
			if (mem_covering(ms, pl->p, s) >= 0)
				continue;
			int ns = next_start(ms, pl->p, s);
			pl->start = s;
			pl->pcn = rnd(NPCN);
			if (ns != OPEN || rnd(3) == 0)
				pl->end = rnd_in(s, (ns != OPEN ? ns : FY1 + 30) - 1);
			else
				pl->end = OPEN;
			return true;
		}
		if (kind == LEAVE || kind == MOVE) {
			if (!ms->n)
				continue;
			pl->mi = rnd(ms->n);
			const struct mem *m = &ms->m[pl->mi];
			int lo = m->start > FY0 ? m->start : FY0;
			int hi = (m->end < FY1 ? m->end - 1 : FY1 - 1);
			if (hi < lo)
				continue;
			pl->leave_end = pick_day(lo, hi, bias_day);
			pl->p = m->pr;
			if (kind == MOVE) {
				pl->pcn = 1 - m->pcn;
				pl->start = pl->leave_end + 1;
				int ns = next_start(ms, m->pr, pl->start - 1);
				pl->end = ns == OPEN ? OPEN : ns - 1;
				if (pl->end < pl->start)
					continue;
			}
			return true;
		}
		if (kind == OVERLAP_POST) {
			if (!ms->n)
				continue;
			const struct mem *m = &ms->m[rnd(ms->n)];
			int lo = m->start > FY0 ? m->start : FY0, hi = m->end < FY1 ? m->end : FY1;
			if (hi < lo)
				continue;
			pl->p = m->pr;
			pl->pcn = rnd(NPCN);
			pl->start = rnd_in(lo, hi);
			pl->end = rnd(2) ? OPEN : rnd_in(pl->start, FY1);
			return true;
		}
		/* OVERLAP_PUT: extend an ended membership over a later one. */
		int cand[128], nc = 0;
		for (int i = 0; i < ms->n; i++)
			if (ms->m[i].end != OPEN && next_start(ms, ms->m[i].pr, ms->m[i].end) != OPEN)
				cand[nc++] = i;
		if (!nc)
			continue;
		pl->mi = cand[rnd(nc)];
		const struct mem *m = &ms->m[pl->mi];
		int ns = next_start(ms, m->pr, m->end);
		pl->p = m->pr;
		pl->leave_end = rnd(3) == 0 ? days_from_civil(2026, 12, 31) : rnd_in(ns, FY1 > ns ? FY1 : ns);
		return true;
	}
	return false;
}

static void post_join(int p, int pcn, int s, int e)
{
	POST(t_comm, "/api/v1/memberships",
	     e == OPEN ? F("{\"pcn\":\"%s\",\"practice\":\"%s\",\"start_date\":\"%s\"}", PCN[pcn],
			   PR[p], dstr(s)) :
	     F("{\"pcn\":\"%s\",\"practice\":\"%s\",\"start_date\":\"%s\",\"end_date\":\"%s\"}",
	       PCN[pcn], PR[p], dstr(s), dstr(e)));
}

static void put_end(json_int_t id, int e)
{
	PUT(t_comm, F("/api/v1/memberships/%lld", (long long)id),
	    F("{\"end_date\":\"%s\"}", dstr(e)));
}

static bool any5xx; /* a 5xx (or no answer) during the step */
static bool unexplained; /* a 4xx without a message */

static void note_answer(void)
{
	if (!status_ok(R.status)) {
		any5xx = true;
		tap_diag("server fault: %s answered %ld", step_text, R.status);
		diag_resp(&R);
	} else if (R.status >= 400 && !explained()) {
		unexplained = true;
		tap_diag("unexplained refusal: %s answered %ld", step_text, R.status);
	}
}

/* Performs pl; *expect receives the memberships it should leave. */
static enum outcome do_step(const struct mems *ms, const struct plan *pl, struct mems *expect)
{
	*expect = *ms;
	const struct mem *m = &ms->m[pl->mi];
	switch (pl->kind) {
	case JOIN:
		STEP("join %s to %s %s..%s", PR[pl->p], PCN[pl->pcn], dstr(pl->start),
			      dstr(pl->end));
		post_join(pl->p, pl->pcn, pl->start, pl->end);
		note_answer();
		if (R.status == 201) {
			expect->m[expect->n++] = (struct mem){0, pl->p, pl->pcn, pl->start, pl->end};
			return DONE;
		}
		return final_refusal() ? REFUSED_FINAL : WRONG;
	case LEAVE:
		STEP("%s leaves %s (membership %lld, %s..%s) on %s", PR[m->pr], PCN[m->pcn],
			      (long long)m->id, dstr(m->start), dstr(m->end), dstr(pl->leave_end));
		put_end(m->id, pl->leave_end);
		note_answer();
		if (R.status == 200) {
			expect->m[pl->mi].end = pl->leave_end;
			return DONE;
		}
		return final_refusal() ? REFUSED_FINAL : WRONG;
	case MOVE:
		STEP("%s moves from %s (membership %lld) to %s: ends %s, joins %s..%s",
			      PR[m->pr], PCN[m->pcn], (long long)m->id, PCN[pl->pcn],
			      dstr(pl->leave_end), dstr(pl->start), dstr(pl->end));
		put_end(m->id, pl->leave_end);
		note_answer();
		if (R.status != 200)
			return final_refusal() ? REFUSED_FINAL : WRONG;
		expect->m[pl->mi].end = pl->leave_end;
		post_join(pl->p, pl->pcn, pl->start, pl->end);
		note_answer();
		if (R.status != 201) {
			/* The leave stood; the join was refused. */
			return final_refusal() ? REFUSED_FINAL : WRONG;
		}
		expect->m[expect->n++] = (struct mem){0, pl->p, pl->pcn, pl->start, pl->end};
		return DONE;
	case OVERLAP_POST:
		STEP("overlapping join of %s to %s %s..%s", PR[pl->p], PCN[pl->pcn],
			      dstr(pl->start), dstr(pl->end));
		post_join(pl->p, pl->pcn, pl->start, pl->end);
		note_answer();
		return R.status == 409 ? DONE : WRONG;
	case OVERLAP_PUT:
		STEP("overlapping end: membership %lld of %s to %s (%s..%s) moved to end %s,"
			      " over its next membership", (long long)m->id, PR[m->pr], PCN[m->pcn],
			      dstr(m->start), dstr(m->end), dstr(pl->leave_end));
		put_end(m->id, pl->leave_end);
		note_answer();
		return R.status == 409 ? DONE : WRONG;
	}
	return WRONG;
}

/* Marks in which[][] every (pcn, date) whose members differ between a and b. */
static void mark_touched(const struct mems *a, const struct mems *b, bool which[NPCN][16])
{
	for (int c = 0; c < NPCN; c++)
		for (int d = 0; d < ndates; d++)
			if (members_on(a, c, dates[d]) != members_on(b, c, dates[d]))
				which[c][d] = true;
}

/* Marks the dates within [s, e] for both PCNs. */
static void mark_range(int s, int e, bool which[NPCN][16])
{
	for (int c = 0; c < NPCN; c++)
		for (int d = 0; d < ndates; d++)
			if (dates[d] >= s && dates[d] <= e)
				which[c][d] = true;
}

/* ------------------------------------------------------------ property 1 */

static void property_memberships(int steps)
{
	struct mems ms, after, expect;
	char why[200];
	bool which[NPCN][16];
	int skipped = 0, done = 0;
	int req0 = http_count();

	read_mems(&ms, why, sizeof why);
	tap_ok(!*why && ms.n > 0, "property 1, step 0: %d memberships read, the same from both"
	       " sides%s%s", ms.n, *why ? ": " : "", why);
	check_no_overlap(&ms, 0);
	memset(which, 1, sizeof which);
	check_networks(&ms, which, 0);

	for (int step = 1; step <= steps; step++) {
		struct plan pl;
		int want = rnd(100);
		want = want < 30 ? JOIN : want < 50 ? LEAVE : want < 70 ? MOVE :
		       want < 85 ? OVERLAP_POST : OVERLAP_PUT;
		if (!plan_step(&ms, want, OPEN, &pl)) {
			tap_skip("no step possible", "step %d", step);
			continue;
		}
		any5xx = unexplained = false;
		enum outcome o = do_step(&ms, &pl, &expect);
		tap_diag("step %d: %s -> %ld%s%s", step, step_text, R.status,
			 err_msg() ? ": " : "", err_msg() ? err_msg() : "");
		read_mems(&after, why, sizeof why);
		bool overlap_kind = pl.kind == OVERLAP_POST || pl.kind == OVERLAP_PUT;
		if (o == REFUSED_FINAL)
			skipped++; /* not counted; it must have changed nothing */
		else
			done++;
		bool ok;
		if (overlap_kind) {
			ok = tap_ok(o == DONE && !*why && mems_equal(&ms, &after, false),
				    "step %d: %s is refused with 409 and changes no membership", step,
				    step_text);
		} else if (o == REFUSED_FINAL) {
			ok = tap_ok(!*why && (mems_equal(&ms, &after, false) ||
					      (pl.kind == MOVE && mems_equal(&expect, &after, true))),
				    "step %d: refused because a figure is final (not counted); it"
				    " changed nothing", step);
		} else {
			qsort(expect.m, (size_t)expect.n, sizeof expect.m[0], mem_cmp);
			ok = tap_ok(o == DONE && !*why && mems_equal(&expect, &after, true),
				    "step %d: %s is done, and the memberships are exactly that", step,
				    step_text);
		}
		noted(ok, C_CHANGE, step);
		if (!ok) {
			if (*why)
				tap_diag("%s", why);
			tap_diag("memberships now:");
			diag_mems(&after);
		}
		noted(tap_ok(!any5xx && !unexplained, "step %d: no server fault, every refusal"
			     " explained", step), C_FAULT, step);
		check_no_overlap(&after, step);
		memset(which, 0, sizeof which);
		mark_touched(&ms, &after, which);
		if (overlap_kind || o != DONE)
			mark_range(pl.start ? pl.start : FY0, FY1, which);
		which[rnd(NPCN)][rnd(ndates)] = true; /* and one at random */
		check_networks(&after, which, step);
		ms = after;
	}
	caches_clear();
	tap_diag("property 1: %d steps done, %d refused as final (not counted), %d requests;"
		 " %d network figures summed, population checked %d times, not exposed %d times",
		 done, skipped, http_count() - req0, sums_checked, pop_checked, pop_unexposed);
	tap_ok(sums_checked > 0 && pop_checked > 0, "property 1: network sums and the population"
	       " used were checked (%d, %d times)", sums_checked, pop_checked);
}

/* ------------------------------------------------------------ property 2 */

struct final_rec {
	json_int_t decl, ach;
	char *what;   /* "A81001 MS2425 2024-04-30 (declaration 1)" */
	char *snap;   /* the recorded figures */
	json_int_t members[NPR]; /* a PCN's members' achievements at the time */
	int nmembers;
};

static struct final_rec finals[64];
static int nfinals;

static void append(char **s, const char *add)
{
	char *n = xasprintf("%s%s", *s ? *s : "", add);
	free(*s);
	*s = n;
}

/* Values and sources of every indicator of results-shaped obj. */
static void append_values(char **s, const json_t *obj)
{
	size_t i, k;
	json_t *g, *ind;
	json_array_foreach(json_object_get(obj, "groups"), i, g)
		json_array_foreach(json_object_get(g, "indicators"), k, ind) {
			char *v = json_dumps(json_object_get(ind, "value"), JSON_COMPACT | JSON_ENCODE_ANY);
			append(s, F(" %s=%s(%s)", jstr(ind, "code"), v ? v : "?",
				    jstr(ind, "source") ? jstr(ind, "source") : "-"));
			free(v);
		}
}

/* The figures of final f now (a new string). When first, also records a
 * PCN's members. */
static char *snapshot(struct final_rec *f, bool first)
{
	char *s = NULL;
	GET(t_fin, F("/api/v1/declarations/%lld", (long long)f->decl));
	append(&s, F("declaration %s pence %lld;", jstr(R.json, "status") ? jstr(R.json, "status") : "?",
		     (long long)jint(R.json, "pence")));
	GET(t_fin, F("/api/v1/achievements/%lld/results", (long long)f->ach));
	json_t *res = json_incref(R.json);
	json_t *calc = json_object_get(res, "calculation");
	json_t *a = json_object_get(res, "achievement");
	append(&s, F(" calculation %lld points_milli %lld pence %lld;", (long long)jint(calc, "id"),
		     (long long)jint(calc, "points_milli"), (long long)jint(calc, "pence")));
	append(&s, " values:");
	append_values(&s, res);
	json_t *org = json_object_get(a, "organisation");
	if (streq(jstr(org, "kind"), "PCN")) {
		json_t *svc = json_object_get(a, "service");
		GET(t_comm, F("/api/v1/network?organisation=%s&service=%lld&date=%s", jstr(org, "code"),
			      (long long)jint(svc, "id"), jstr(a, "date")));
		append(&s, "; members:");
		size_t i;
		json_t *m;
		if (first)
			f->nmembers = 0;
		json_array_foreach(J("members"), i, m) {
			append(&s, F(" %s", jstr(m, "practice")));
			if (first && f->nmembers < NPR)
				f->members[f->nmembers++] = jint(m, "achievement_id");
		}
		for (int k = 0; k < f->nmembers; k++) {
			GET(t_fin, F("/api/v1/achievements/%lld/results", (long long)f->members[k]));
			append(&s, F("; achievement %lld:", (long long)f->members[k]));
			append_values(&s, R.json);
		}
	}
	json_decref(res);
	return s;
}

/* Records every newly financially approved declaration. */
static void track_finals(int step)
{
	GET(t_fin, "/api/v1/declarations?status=FINANCIALLY_APPROVED");
	json_t *list = json_incref(J("declarations"));
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d) {
		json_int_t id = jint(d, "id");
		bool known = false;
		for (int k = 0; k < nfinals; k++)
			known |= finals[k].decl == id;
		if (known || nfinals >= 64)
			continue;
		struct final_rec *f = &finals[nfinals++];
		memset(f, 0, sizeof *f);
		f->decl = id;
		json_t *a = json_object_get(d, "achievement");
		f->ach = jint(a, "id");
		json_t *o = json_object_get(d, "organisation");
		json_t *s = json_object_get(d, "service");
		f->what = xasprintf("%s %s %s (declaration %lld, achievement %lld)",
				    json_is_string(o) ? json_string_value(o) : jstr(o, "code"),
				    json_is_string(s) ? "" : jstr(s, "code") ? jstr(s, "code") :
				    jstr(s, "name") ? jstr(s, "name") : "",
				    jstr(a, "date") ? jstr(a, "date") : "?", (long long)id,
				    (long long)f->ach);
		f->snap = snapshot(f, true);
		tap_diag("step %d: now final: %s: %s", step, f->what, f->snap);
	}
	json_decref(list);
}

static bool check_finals(int step)
{
	int bad = 0;
	for (int k = 0; k < nfinals; k++) {
		char *now = snapshot(&finals[k], false);
		if (strcmp(now, finals[k].snap)) {
			bad++;
			tap_diag("%s changed after financial approval:\n  was: %s\n  now: %s",
				 finals[k].what, finals[k].snap, now);
		}
		free(now);
	}
	return noted(tap_ok(bad == 0, "step %d: all %d financially approved figure(s) unchanged",
			    step, nfinals), C_FINAL, step);
}

/* The latest final achievement date of the NCD network (OPEN: none). */
static int final_bias_day(void)
{
	int best = OPEN;
	for (int k = 0; k < nfinals; k++) {
		if (!contains(finals[k].snap, "members:"))
			continue;
		GET(t_fin, F("/api/v1/achievements/%lld", (long long)finals[k].ach));
		int d = dparse(jstr(J("achievement") ? J("achievement") : R.json, "date"));
		if (d != OPEN && (best == OPEN || d > best))
			best = d;
	}
	return best;
}

/* A group form's editable count/ratio/yesno indicators as a values array. */
static char *random_values(const json_t *form, bool yesno_only)
{
	char *s = xstrdup("[");
	size_t i;
	json_t *ind;
	bool first = true;
	json_array_foreach(json_object_get(form, "indicators"), i, ind) {
		const char *kind = jstr(ind, "kind");
		if (json_is_false(json_object_get(ind, "editable")))
			continue;
		const char *v = NULL;
		if (streq(kind, "count") && !yesno_only)
			v = F("{\"indicator\":\"%s\",\"value\":\"%d\"}", jstr(ind, "code"), rnd_in(0, 5000));
		else if (streq(kind, "ratio") && !yesno_only) {
			int den = rnd_in(10, 300);
			v = F("{\"indicator\":\"%s\",\"numerator\":\"%d\",\"denominator\":\"%d\"}",
			      jstr(ind, "code"), rnd_in(0, den), den);
		} else if (streq(kind, "yesno"))
			v = F("{\"indicator\":\"%s\",\"value\":\"%s\"}", jstr(ind, "code"),
			      rnd(2) ? "Yes" : "No");
		if (!v)
			continue;
		append(&s, first ? v : F(",%s", v));
		first = false;
	}
	append(&s, "]");
	return s;
}

/* One group entry by token on achievement ach, group gid. */
static void entry(const char *who, const char *token, json_int_t ach, json_int_t gid, bool yesno_only)
{
	GET(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid));
	STEP("%s enters group %lld of achievement %lld", who, (long long)gid, (long long)ach);
	note_answer();
	if (R.status != 200)
		return;
	json_t *form = json_incref(R.json);
	char *vals = random_values(form, yesno_only);
	if (!strcmp(vals, "[]")) {
		STEP("%s: nothing editable in group %lld of achievement %lld", who, (long long)gid,
		     (long long)ach);
		free(vals);
		json_decref(form);
		return;
	}
	PUT(token, F("/api/v1/achievements/%lld/groups/%lld", (long long)ach, (long long)gid),
	    F("{\"mode\":\"submit\",\"version\":%lld,\"notes\":\"property test\",\"values\":%s}",
	      (long long)jint(form, "version"), vals));
	STEP("%s enters group %lld of achievement %lld: %s", who, (long long)gid,
		      (long long)ach, vals);
	note_answer();
	free(vals);
	json_decref(form);
}

/* A random achievement of org in service svc (0: none). */
static json_int_t random_ach(const char *token, const char *org, json_int_t svc)
{
	GET(token, F("/api/v1/achievements?organisation=%s&service=%lld", org, (long long)svc));
	json_t *l = J("achievements");
	size_t n = json_array_size(l);
	return n ? jint(json_array_get(l, (size_t)rnd((int)n)), "id") : 0;
}

/* A random group id of achievement ach, of the codes given (NULL: any). */
static json_int_t random_group(const char *token, json_int_t ach, const char *const *codes)
{
	GET(token, F("/api/v1/achievements/%lld", (long long)ach));
	json_int_t ids[16];
	int n = 0;
	size_t i;
	json_t *g;
	json_array_foreach(J("groups"), i, g) {
		bool want = !codes;
		for (int k = 0; codes && codes[k]; k++)
			want |= streq(jstr(g, "code"), codes[k]);
		if (want && n < 16)
			ids[n++] = jint(g, "id");
	}
	return n ? ids[rnd(n)] : 0;
}

static const char *const member_groups[] = {"IIF", "ACC", NULL};
static const char *const pcn_groups[] = {"EA", "CAIP", NULL};

static void step_entry_commissioner(void)
{
	int p = rnd(NPR - 1); /* A81030 has no NCD achievements */
	json_int_t svc = rnd(4) == 0 ? svc_ms : svc_ncd;
	if (svc == svc_ms)
		p = 0;
	json_int_t ach = 0, gid = 0;
	/* Half the time, fill a gap Missing Data lists. */
	if (svc == svc_ncd && rnd(2) == 0) {
		GET(t_comm, F("/api/v1/missing?service=%lld", (long long)svc_ncd));
		json_t *l = J("missing");
		size_t n = json_array_size(l);
		if (n) {
			json_t *it = json_array_get(l, (size_t)rnd((int)n));
			ach = jint(it, "achievement_id");
			gid = jint(json_object_get(it, "group"), "id");
		}
	}
	if (!ach)
		ach = random_ach(t_comm, PR[p], svc);
	if (!ach)
		return;
	if (!gid)
		gid = random_group(t_comm, ach, svc == svc_ncd ? member_groups : NULL);
	if (gid)
		entry("the commissioner", t_comm, ach, gid, false);
}

static void step_entry_practice(void)
{
	json_int_t ach = random_ach(t_practice, "A81001", svc_ms);
	if (rnd(3) == 0) {
		/* The latest two months are within the amendment window. */
		GET(t_practice, F("/api/v1/achievements?organisation=A81001&service=%lld",
				  (long long)svc_ms));
		ach = jint(json_array_get(J("achievements"), (size_t)rnd(2)), "id");
	}
	json_int_t gid = ach ? random_group(t_practice, ach, NULL) : 0;
	if (gid)
		entry("demo.practice", t_practice, ach, gid, false);
}

static void step_entry_pcn(void)
{
	json_int_t ach = random_ach(t_pcn, "U60172", svc_ncd);
	json_int_t gid = ach ? random_group(t_pcn, ach, pcn_groups) : 0;
	if (gid)
		entry("demo.pcn", t_pcn, ach, gid, true);
}

static void step_extract(void)
{
	char *body = xstrdup("practice,service,achievement_date,indicator,value,numerator,denominator\n");
	int lines = rnd_in(1, 3);
	for (int i = 0; i < lines; i++) {
		int p = rnd(NPR - 1);
		int k = rnd(nind);
		const char *d = date_s[rnd(ndates)];
		if (ind_ratio[k]) {
			int den = rnd_in(10, 300);
			append(&body, F("%s,NCD2425,%s,%s,,%d,%d\n", PR[p], d, ind_code[k],
					rnd_in(0, den), den));
		} else
			append(&body, F("%s,NCD2425,%s,%s,%d,,\n", PR[p], d, ind_code[k],
					rnd_in(0, 5000)));
	}
	POST(t_loader, "/api/v1/extracts?name=prop.csv", body);
	char *one = xstrdup(body + strlen("practice,service,achievement_date,indicator,value,"
					 "numerator,denominator\n"));
	for (char *c = one; *c; c++)
		if (*c == '\n')
			*c = ' ';
	STEP("extract: %s", one);
	note_answer();
	free(one);
	free(body);
}

static void step_membership(void)
{
	struct mems ms, expect;
	char why[200];
	read_mems(&ms, why, sizeof why);
	int bias = final_bias_day();
	struct plan pl;
	if (plan_step(&ms, rnd(3), bias, &pl))
		do_step(&ms, &pl, &expect);
}

static void step_declaration(void)
{
	static const char *const st[] = {"AWAITING_FINANCE", "AWAITING_COMMISSIONER",
					 "AWAITING_PROVIDER"};
	/* Mostly the most advanced one; sometimes any stage. */
	int first = rnd(3) == 0 ? rnd(3) : 0;
	for (int k = first; k < 3; k++) {
		GET(t_comm, F("/api/v1/declarations?status=%s", st[k]));
		json_t *cands[64];
		int n = 0, npcn = 0;
		size_t i;
		json_t *d;
		/* Network (PCN) declarations first in the list, and mostly chosen. */
		for (int pass = 0; pass < 2; pass++)
			json_array_foreach(J("declarations"), i, d) {
				json_t *o = json_object_get(d, "organisation");
				const char *org = json_is_string(o) ? json_string_value(o) : jstr(o, "code");
				bool pcn = pcn_index(org) >= 0;
				if (pass != !pcn)
					continue;
				if (k < 2 || streq(org, "A81001") || streq(org, "U60172"))
					if (n < 64) {
						cands[n++] = json_incref(d);
						npcn += pcn;
					}
			}
		if (!n)
			continue;
		json_t *d0 = cands[npcn && rnd(4) ? rnd(npcn) : rnd(n)];
		json_int_t id = jint(d0, "id");
		json_t *o = json_object_get(d0, "organisation");
		const char *org = json_is_string(o) ? json_string_value(o) : jstr(o, "code");
		if (k == 0) {
			STEP("finance financially approves declaration %lld", (long long)id);
			POST(t_fin, "/api/v1/declarations/actions",
			     F("{\"action\":\"financially_approve\",\"declarations\":[%lld]}",
			       (long long)id));
		} else if (k == 1) {
			STEP("the approver approves declaration %lld", (long long)id);
			POST(t_appr, "/api/v1/declarations/actions",
			     F("{\"action\":\"approve\",\"declarations\":[%lld]}", (long long)id));
		} else {
			const char *tok = streq(org, "U60172") ? t_pcn : t_practice;
			GET(tok, F("/api/v1/declarations/%lld", (long long)id));
			char *ticked = xstrdup("[");
			size_t j;
			json_t *c;
			json_array_foreach(J("checklist"), j, c)
				append(&ticked, F("%s\"%s\"", j ? "," : "", jstr(c, "id")));
			append(&ticked, "]");
			json_int_t version = jint(R.json, "version");
			STEP("%s declares declaration %lld", org, (long long)id);
			POST(tok, F("/api/v1/declarations/%lld/declare", (long long)id),
			     F("{\"version\":%lld,\"ticked\":%s}", (long long)version, ticked));
			free(ticked);
		}
		note_answer();
		for (int q = 0; q < n; q++)
			json_decref(cands[q]);
		return;
	}
}

static void property_finality(int steps)
{
	int req0 = http_count();
	track_finals(0);
	tap_ok(nfinals >= 1, "property 2, step 0: the demo's financially approved figures are"
	       " recorded (%d)", nfinals);
	for (int step = 1; step <= steps; step++) {
		any5xx = unexplained = false;
		step_text = "(nothing)";
		int w = rnd(100);
		const char *kind;
		if (w < 25) {
			kind = "entry on behalf";
			step_entry_commissioner();
		} else if (w < 33) {
			kind = "practice entry";
			step_entry_practice();
		} else if (w < 41) {
			kind = "PCN entry";
			step_entry_pcn();
		} else if (w < 55) {
			kind = "extract";
			step_extract();
		} else if (w < 70) {
			kind = "membership";
			step_membership();
		} else {
			kind = "declaration";
			step_declaration();
		}
		tap_diag("step %d (%s): %s -> %ld%s%s", step, kind, step_text, R.status,
			 err_msg() ? ": " : "", err_msg() ? err_msg() : "");
		noted(tap_ok(!any5xx && !unexplained, "step %d (%s): no server fault, every refusal"
			     " a 4xx with a message", step, kind), C_FAULT, step);
		check_finals(step);
		track_finals(step);
	}
	tap_diag("property 2: %d financially approved figures tracked, %d requests", nfinals,
		 http_count() - req0);
}

/* ------------------------------------------------------------ main */

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sign_in_all(void)
{
	free(t_comm), free(t_practice), free(t_pcn), free(t_appr), free(t_fin), free(t_loader);
	t_comm = sign_in(&srv, "demo.commissioner", PASSWORD, NULL);
	t_practice = sign_in(&srv, "demo.practice", PASSWORD, NULL);
	t_pcn = sign_in(&srv, "demo.pcn", PASSWORD, NULL);
	t_appr = sign_in(&srv, "demo.approver", PASSWORD, NULL);
	t_fin = sign_in(&srv, "demo.finance", PASSWORD, NULL);
	t_loader = sign_in(&srv, "extract.loader", PASSWORD, NULL);
	if (!t_comm || !t_practice || !t_pcn || !t_appr || !t_fin || !t_loader)
		tap_bail("the demo users cannot sign in");
}

static void read_catalogue(void)
{
	svc_ncd = service_by_code(t_comm, "NCD2425");
	svc_ms = service_by_code(t_comm, "MS2425");
	if (!svc_ncd || !svc_ms)
		tap_bail("the demo services are missing");
	GET(t_comm, F("/api/v1/services/%lld", (long long)svc_ncd));
	ndates = 0;
	size_t i, k, j;
	json_t *d, *dom, *g, *ind;
	json_array_foreach(J("achievement_dates"), i, d)
		if (ndates < 16) {
			strlcpy_s(date_s[ndates], jstr(d, "date"), sizeof date_s[0]);
			dates[ndates] = dparse(date_s[ndates]);
			ndates++;
		}
	nind = 0;
	json_array_foreach(J("domains"), i, dom)
		json_array_foreach(json_object_get(dom, "groups"), k, g)
			json_array_foreach(json_object_get(g, "indicators"), j, ind) {
				const char *kind = jstr(ind, "kind");
				if (json_is_true(json_object_get(ind, "pcn_entered")) || nind >= 16 ||
				    !(streq(kind, "count") || streq(kind, "ratio")))
					continue;
				strlcpy_s(ind_code[nind], jstr(ind, "code"), sizeof ind_code[0]);
				ind_ratio[nind] = streq(kind, "ratio");
				nind++;
			}
	if (!ndates || !nind)
		tap_bail("NCD 2024/25 has no dates or no member-entered indicators");
	for (int p = 0; p < NPR; p++) {
		GET(t_comm, F("/api/v1/organisations/%s", PR[p]));
		list_size[p] = jint(R.json, "list_size");
		if (R.status != 200 || list_size[p] <= 0)
			tap_bail("%s has no list size", PR[p]);
	}
}

static void start(void)
{
	if (!server_start(&srv, NULL, 30))
		tap_bail("cqrsd did not start");
	sign_in_all();
	read_catalogue();
}

int main(void)
{
	harness_timeout(120);
	const char *e = getenv("CQRS_PROP_SEED");
	unsigned long long seed = e && *e ? strtoull(e, NULL, 0) : DEFAULT_SEED;
	const char *es = getenv("CQRS_PROP_STEPS");
	int s1 = es && atoi(es) > 0 ? atoi(es) : STEPS1, s2 = es && atoi(es) > 0 ? atoi(es) : STEPS2;
	FY0 = days_from_civil(2024, 4, 1);
	FY1 = days_from_civil(2025, 3, 31);
	tap_diag("seed %llu (rerun with CQRS_PROP_SEED=%llu; steps %d and %d)", seed, seed, s1, s2);

	rng = seed;
	double t = mono_s();
	start();
	property_memberships(s1);
	server_stop(&srv, 10, false);
	tap_diag("property 1 took %.1f s", mono_s() - t);

	rng = seed ^ 0x5EEDULL;
	prop = 1;
	t = mono_s();
	start();
	property_finality(s2);
	server_stop(&srv, 10, false);
	tap_diag("property 2 took %.1f s", mono_s() - t);

	caches_clear();
	for (int k = 0; k < nfinals; k++)
		free(finals[k].what), free(finals[k].snap);
	free(t_comm), free(t_practice), free(t_pcn), free(t_appr), free(t_fin), free(t_loader);
	apitest_done();
	print_first_failures();
	tap_diag("seed %llu", seed);
	return tap_done();
}
