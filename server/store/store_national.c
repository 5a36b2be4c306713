/* store_national.c: `cqrsd generate-national`: builds a national-scale
 * database for benchmarks (42 ICBs, about 6,300 practices in about 1,250
 * PCNs, QOF and Network Contract DES 2024/25 with a year of monthly
 * achievement for every practice), deterministic for a given seed. It
 * reuses the demo's builders (store_seed.h) and takes its services from
 * the demo's tables (dd_demo_service), so they have the demo's
 * structure. Progress goes to stderr. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/store/store_load_data.h"
#include "server/store/store_seed.h"
#include "util.h"

#define N_ICB 42
#define N_PRACTICES 6300

/* Invented names: ICBs are a direction and an area, practices and PCNs
 * a place and a kind. */
static const char *const icb_directions[] = {
	"North", "South", "East", "West", "Mid", "Central", "Greater",
};
static const char *const icb_areas[] = {
	"Aldervale", "Brackenshire", "Carrowmoor", "Dunmere", "Elmsworth", "Fenbridge",
};
static const char *const places[] = {
	"Abbeyfield", "Ashgrove", "Bankside", "Beechwood", "Birchfield", "Bramley", "Brookside",
	"Castle Hill", "Cedar House", "Chapel Street", "Church Lane", "Clifton", "Coldharbour",
	"Crossways", "Deanery", "Eastgate", "Elm Tree", "Fairview", "Fernlea", "Fieldhouse",
	"Forge Lane", "Glebe", "Greenbank", "Hawthorn", "Heathside", "Highfield", "Hillcrest",
	"Holly Bank", "Kingsway", "Lakeside", "Larkhill", "Linden", "Long Lane", "Maple Grove",
	"Market Street", "Meadowbank", "Millbrook", "Moorside", "Mount Pleasant", "Newlands",
	"Northgate", "Oakfield", "Old Mill", "Orchard Way", "Park View", "Priory", "Queensway",
	"Riverside", "Rosehill", "St Anne's", "St John's", "St Mark's", "Station Road",
	"Southgate", "Springfield", "The Green", "Thornbury", "Valley Road", "Victoria",
	"Westfield", "Willow Bank", "Woodlands",
};
static const char *const practice_kinds[] = {
	"Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Family Practice",
	"Group Practice", "Health Partnership",
};
static const char *const start_dates[] = {
	"2019-07-01", "2019-07-01", "2019-07-01", "2019-07-01", "2019-07-01", "2019-07-01",
	"2019-07-01", "2020-04-01", "2021-04-01", "2022-10-01", "2023-04-01",
};

struct nat_practice {
	int64_t id;
	int64_t list_size;
	int quality;
	int icb;
	int pcn;      /* index into pcns, -1: none */
	int moved_to; /* PCN from 2024-10-01, -1: none */
	bool first;   /* the first practice of its PCN (never leaves) */
	const char *since;
};

struct nat {
	unsigned seed;
	uint64_t rng;
	int64_t nhse, icb[N_ICB];
	struct nat_practice *prac;
	size_t nprac;
	int64_t *pcn;
	int *pcn_icb;
	size_t npcn, cappcn;
	int64_t u_comm, u_loader;
	struct seed_service qof, ncd;
	int64_t t0;
};

static const char letters[] = "ABCDEFGHJKLMNPY";

static enum st nat_orgs(struct db *db, struct nat *N)
{
	enum st r = seed_org(db, "X24", "NHS England", "NHSE", 0, 0, "LS2 7UE", &N->nhse);
	/* Share the practices out between the ICBs, unevenly. */
	int weight[N_ICB], total = 0, share[N_ICB], given = 0;
	for (int i = 0; i < N_ICB; i++)
		total += weight[i] = (int)seed_range(&N->rng, 60, 260);
	for (int i = 0; i < N_ICB; i++)
		given += share[i] = N_PRACTICES * weight[i] / total;
	share[N_ICB - 1] += N_PRACTICES - given;
	N->prac = xcalloc(N_PRACTICES, sizeof *N->prac);
	int per_letter[sizeof letters] = {0};
	int pcn_serial = 0;
	for (int i = 0; r == ST_OK && i < N_ICB; i++) {
		char code[8], name[128], pc[16];
		static const char alnum[] = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
		size_t u = (size_t)i;
		snprintf(code, sizeof code, "Q%c%c", "HJKMNOPRTUWXY"[u % 13], alnum[(u / 13) * 7 + 2]);
		snprintf(name, sizeof name, "NHS %s %s Integrated Care Board",
			 icb_directions[u % ARRAY_SIZE(icb_directions)],
			 icb_areas[u / ARRAY_SIZE(icb_directions)]);
		char letter = letters[u % (sizeof letters - 1)];
		snprintf(pc, sizeof pc, "%c%c%d %d%c%c", letter, "ABCDEFGHKLMNPRSTW"[i % 17],
			 i % 9 + 1, i % 10, "ABDEFGHJLNPQRSTUWXYZ"[i % 20],
			 "ABDEFGHJLNPQRSTUWXYZ"[(i * 3) % 20]);
		r = seed_org(db, code, name, "ICB", N->nhse, 0, pc, &N->icb[i]);
		/* PCNs of 1 to 15 practices (average about 5; a few large ones),
		 * until the ICB's practices are used up; a few practices stay
		 * outside any PCN. */
		int left = share[i];
		size_t first_pcn = N->npcn;
		while (r == ST_OK && left > 0) {
			int size = 1;
			if (seed_rand(&N->rng) % 100 < 6)
				size = (int)seed_range(&N->rng, 9, 15);
			else
				for (int k = 0; k < 14; k++)
					size += seed_rand(&N->rng) % 1000 < 257;
			if (size > left)
				size = left;
			if (N->npcn == N->cappcn) {
				N->cappcn = N->cappcn ? N->cappcn * 2 : 1024;
				N->pcn = xrealloc(N->pcn, N->cappcn * sizeof *N->pcn);
				N->pcn_icb = xrealloc(N->pcn_icb, N->cappcn * sizeof *N->pcn_icb);
			}
			size_t pi = N->npcn++;
			N->pcn_icb[pi] = i;
			const char *p1 = places[seed_rand(&N->rng) % ARRAY_SIZE(places)];
			const char *p2 = places[seed_rand(&N->rng) % ARRAY_SIZE(places)];
			char pcode[8];
			pcn_serial++;
			snprintf(pcode, sizeof pcode, "U%05d", (10000 + pcn_serial * 7) % 100000);
			if (p1 != p2 && seed_rand(&N->rng) % 3 == 0)
				snprintf(name, sizeof name, "%s and %s PCN", p1, p2);
			else
				snprintf(name, sizeof name, "%s PCN", p1);
			r = seed_org(db, pcode, name, "PCN", N->icb[i], 0, pc, &N->pcn[pi]);
			for (int k = 0; r == ST_OK && k < size; k++, left--) {
				struct nat_practice *p = &N->prac[N->nprac++];
				int li = (int)(strchr(letters, letter) - letters);
				char prcode[8];
				snprintf(prcode, sizeof prcode, "%c%05d", letter,
					 (81001 + per_letter[li]++) % 100000);
				snprintf(name, sizeof name, "%s %s",
					 places[seed_rand(&N->rng) % ARRAY_SIZE(places)],
					 practice_kinds[seed_rand(&N->rng) % ARRAY_SIZE(practice_kinds)]);
				/* List sizes: a triangular core of 1,500 to 13,500 and, for a
				 * quarter of practices, up to 20,000 more (mean about 10,000). */
				int64_t ls = 1500 + seed_range(&N->rng, 0, 6000) + seed_range(&N->rng, 0, 6000);
				if (seed_rand(&N->rng) % 4 == 0)
					ls += seed_range(&N->rng, 0, 20000);
				p->list_size = ls;
				p->quality = (int)seed_range(&N->rng, -8, 6);
				p->icb = i;
				/* The first practice of a PCN always stays in it. */
				p->pcn = k > 0 && seed_rand(&N->rng) % 200 == 0 ? -1 : (int)pi;
				p->first = k == 0;
				p->moved_to = -1;
				p->since = start_dates[seed_rand(&N->rng) % ARRAY_SIZE(start_dates)];
				r = seed_org(db, prcode, name, "PRACTICE", N->icb[i], ls, pc, &p->id);
			}
		}
		/* About one practice in a hundred changes PCN on 1 October 2024. */
		size_t npcns = N->npcn - first_pcn;
		for (size_t k = N->nprac - (size_t)share[i]; npcns > 1 && k < N->nprac; k++) {
			struct nat_practice *p = &N->prac[k];
			if (p->pcn < 0 || p->first || seed_rand(&N->rng) % 100 != 0)
				continue;
			size_t to = first_pcn + seed_rand(&N->rng) % npcns;
			if ((int)to == p->pcn)
				to = to + 1 < N->npcn ? to + 1 : first_pcn;
			p->moved_to = (int)to;
		}
	}
	for (size_t k = 0; r == ST_OK && k < N->nprac; k++) {
		struct nat_practice *p = &N->prac[k];
		if (p->pcn < 0)
			continue;
		r = seed_membership(db, N->pcn[p->pcn], p->id, p->since,
				    p->moved_to >= 0 ? "2024-09-30" : NULL);
		if (r == ST_OK && p->moved_to >= 0)
			r = seed_membership(db, N->pcn[p->moved_to], p->id, "2024-10-01", NULL);
	}
	if (r == ST_OK)
		r = seed_rollup_list_sizes(db);
	return r;
}

static enum st nat_users(struct db *db, struct nat *N)
{
	int64_t now = now_s(), set_at = now - 7 * 86400, uid = 0;
	static const char *const practice_roles[] = {
		"SERVICE_MANAGEMENT", "ACHIEVEMENT_ENTRY", "DECLARATION_MANAGEMENT", "FINANCE_VIEW",
		"USER_ADMIN",
	};
	enum st r = seed_user(db, "demo.practice", "Priya Shah", "priya.shah@nhs.net",
			      "01632 960101", false, now, set_at, &uid);
	for (size_t i = 0; r == ST_OK && i < ARRAY_SIZE(practice_roles); i++)
		r = seed_grant(db, uid, N->prac[0].id, practice_roles[i], now);
	if (r == ST_OK)
		r = seed_user(db, "demo.pcn", "Dr Helen Marsh", "helen.marsh@nhs.net",
			      "01632 960103", false, now, set_at, &uid);
	if (r == ST_OK && N->prac[0].pcn >= 0)
		r = seed_grant(db, uid, N->pcn[N->prac[0].pcn], "PCN_MANAGEMENT", now);
	if (r == ST_OK && N->prac[0].pcn >= 0)
		r = seed_grant(db, uid, N->pcn[N->prac[0].pcn], "DECLARATION_MANAGEMENT", now);
	if (r == ST_OK)
		r = seed_user(db, "demo.commissioner", "Gareth Lewis", "gareth.lewis7@nhs.net",
			      "01632 960201", false, now, set_at, &N->u_comm);
	if (r == ST_OK)
		r = seed_grant(db, N->u_comm, N->icb[0], "COMMISSIONING_MANAGEMENT", now);
	if (r == ST_OK)
		r = seed_grant(db, N->u_comm, N->icb[0], "ACHIEVEMENT_ENTRY", now);
	if (r == ST_OK)
		r = seed_user(db, "extract.loader", "GPES extract loader", "cqrs.extracts@nhs.net",
			      "", true, now, set_at, &N->u_loader);
	if (r == ST_OK)
		r = seed_grant(db, N->u_loader, N->nhse, "EXTRACT_LOADER", now);
	return r;
}

/* QOF to every practice, accepted; the NCD to every PCN, accepted, and
 * through it to its practices automatically (a mover's first offer
 * cancelled when it leaves, a second through its new PCN). */
static enum st nat_offers(struct db *db, struct nat *N)
{
	static const char auto_note[] =
		"Accepted automatically on the practice's behalf through its PCN's acceptance";
	enum st r = ST_OK;
	for (size_t k = 0; r == ST_OK && k < N->nprac; k++) {
		struct seed_offer o = {
			.service_id = N->qof.id, .org_id = N->prac[k].id, .start = "2024-04-01",
			.end = "2025-03-31", .response = "2024-04-29", .target = "2025-03-31",
			.offered_by_org = N->icb[N->prac[k].icb],
			.statuses = {"OFFERED", "APPROVED", NULL},
			.ats = {seed_epoch("2024-03-15", 9, 30),
				seed_epoch("2024-03-18", 10, 0) + (int64_t)(k % 9) * 86400},
		};
		r = seed_offer_add(db, &o, NULL);
	}
	for (size_t n = 0; r == ST_OK && n < N->npcn; n++) {
		struct seed_offer o = {
			.service_id = N->ncd.id, .org_id = N->pcn[n], .start = "2024-04-01",
			.end = "2025-03-31", .response = "2024-04-01", .target = "2025-03-31",
			.offered_by_org = N->icb[N->pcn_icb[n]],
			.statuses = {"OFFERED", "APPROVED", NULL},
			.ats = {seed_epoch("2024-03-04", 9, 0), seed_epoch("2024-03-11", 16, 20)},
		};
		r = seed_offer_add(db, &o, NULL);
	}
	for (size_t k = 0; r == ST_OK && k < N->nprac; k++) {
		const struct nat_practice *p = &N->prac[k];
		if (p->pcn < 0)
			continue;
		bool moved = p->moved_to >= 0;
		struct seed_offer o = {
			.service_id = N->ncd.id, .org_id = p->id, .via_pcn_id = N->pcn[p->pcn],
			.start = "2024-04-01", .end = moved ? "2024-09-30" : "2025-03-31",
			.response = "2024-04-01", .target = "2025-03-31",
			.offered_by_org = N->icb[p->icb], .auto_accepted = true,
			.statuses = {"OFFERED", "APPROVED", moved ? "CANCELLED" : NULL},
			.ats = {seed_epoch("2024-03-04", 9, 0), seed_epoch("2024-03-11", 16, 20),
				seed_epoch("2024-10-01", 0, 5)},
			.notes = {NULL, auto_note,
				  "Participation ended: the practice left the PCN on 30/09/2024"},
		};
		r = seed_offer_add(db, &o, NULL);
		if (r == ST_OK && moved) {
			struct seed_offer m = {
				.service_id = N->ncd.id, .org_id = p->id,
				.via_pcn_id = N->pcn[p->moved_to], .start = "2024-10-01",
				.end = "2025-03-31", .response = "2024-10-01", .target = "2025-03-31",
				.offered_by_org = N->icb[p->icb], .auto_accepted = true,
				.statuses = {"OFFERED", "APPROVED", NULL},
				.ats = {seed_epoch("2024-10-01", 0, 5), seed_epoch("2024-10-01", 0, 6)},
				.notes = {"Offered through the PCN the practice joined on 01/10/2024",
					  auto_note},
			};
			r = seed_offer_add(db, &m, NULL);
		}
	}
	return r;
}

/* The PCN a practice belongs to on a date, or -1. */
static int pcn_on(const struct nat_practice *p, const char *date)
{
	if (p->pcn < 0 || strcmp(date, p->since) < 0)
		return -1;
	return p->moved_to >= 0 && strcmp(date, "2024-10-01") >= 0 ? p->moved_to : p->pcn;
}

/* Achievement values are written BATCH rows to a statement: this loop
 * writes millions of rows, and one multi-row INSERT costs much less than
 * as many single-row ones. On PostgreSQL, where every statement is a
 * round trip to the server, they are queued PG_BATCH at a time and sent
 * with COPY (one round trip per batch). */
#define BATCH 32
#define PG_BATCH 65536
#define VALUE_COLS "INSERT INTO achievement_value(achievement_id, indicator_id, value," \
	" numerator, denominator, source, submission_id, updated_at) VALUES "
#define VALUE_ROW "(?, ?, ?, ?, ?, ?, NULL, ?)"

static const char value_sql[] = VALUE_COLS VALUE_ROW;
/* VALUE_COLS and BATCH copies of VALUE_ROW, built once (batch_sql_init). */
static char batch_sql[sizeof VALUE_COLS + BATCH * (sizeof VALUE_ROW + 2)];

static void batch_sql_init(void)
{
	if (batch_sql[0])
		return;
	struct buf b;
	buf_init(&b);
	buf_puts(&b, VALUE_COLS);
	for (int i = 0; i < BATCH; i++)
		buf_puts(&b, i ? ", " VALUE_ROW : VALUE_ROW);
	strlcpy_s(batch_sql, b.data, sizeof batch_sql);
	buf_free(&b);
}

struct pending {
	int64_t aid, ind, v, num, den, at;
	bool ratio;
	const char *source;
};

struct batch {
	struct pending *rows;
	size_t n, cap; /* cap: BATCH, or PG_BATCH on PostgreSQL */
	size_t written;
};

static void bind_row(dbstmt *st, int base, const struct pending *p)
{
	dbs_bind_int64(st, base + 1, p->aid);
	dbs_bind_int64(st, base + 2, p->ind);
	if (p->ratio) {
		dbs_bind_null(st, base + 3);
		dbs_bind_int64(st, base + 4, p->num);
		dbs_bind_int64(st, base + 5, p->den);
	} else {
		dbs_bind_int64(st, base + 3, p->v);
		dbs_bind_null(st, base + 4);
		dbs_bind_null(st, base + 5);
	}
	dbs_bind_text(st, base + 6, p->source, -1, SQLITE_STATIC);
	dbs_bind_int64(st, base + 7, p->at);
}

/* PostgreSQL: the pending rows in one COPY. */
static enum st batch_copy(struct db *db, struct batch *b)
{
	enum st r = db_copy_begin(db, "achievement_value", "achievement_id, indicator_id, value,"
				  " numerator, denominator, source, submission_id, updated_at");
	for (size_t i = 0; r == ST_OK && i < b->n; i++) {
		const struct pending *p = &b->rows[i];
		char f[6][24];
		db_copy_ints(f, 6, (const int64_t[]){p->aid, p->ind, p->v, p->num, p->den, p->at});
		const char *row[8] = {f[0], f[1], p->ratio ? NULL : f[2], p->ratio ? f[3] : NULL,
				      p->ratio ? f[4] : NULL, p->source, NULL, f[5]};
		r = db_copy_row(db, 8, row);
	}
	/* Ended even after a failed row, so the connection leaves COPY. */
	enum st r2 = db_copy_end(db);
	return r == ST_OK ? r2 : r;
}

/* Writes the pending rows: one multi-row statement when the batch is
 * full, else row by row; on PostgreSQL one COPY. */
static enum st batch_flush(struct db *db, struct batch *b)
{
	if (DBI_PG_ONLY && b->n) {
		enum st r = batch_copy(db, b);
		if (r != ST_OK)
			return r;
		b->written += b->n;
		b->n = 0;
		return ST_OK;
	}
	bool full = b->n == BATCH;
	for (size_t i = 0; i < b->n; i += full ? BATCH : 1) {
		dbstmt *st = db_stmt(db, full ? batch_sql : value_sql);
		if (!st)
			return ST_ERROR;
		if (full)
			for (size_t k = 0; k < BATCH; k++)
				bind_row(st, (int)k * 7, &b->rows[k]);
		else
			bind_row(st, 0, &b->rows[i]);
		int rc = dbs_step(st);
		dbs_reset(st);
		if (rc != SQLITE_DONE) {
			db_log_error(db, "national: achievement values");
			return st_from_sqlite(rc) == ST_OK ? ST_ERROR : st_from_sqlite(rc);
		}
	}
	b->written += b->n;
	b->n = 0;
	return ST_OK;
}

/* Queues the values of one practice's achievement: the extracted ones.
 * PCN-entered indicators belong to the PCN's own achievement, never a
 * member's (an extract load defaults them there, carried forward). */
static enum st nat_values(struct db *db, struct batch *b, const struct nat *N,
			  const struct seed_service *s, int64_t aid, const struct nat_practice *p,
			  uint64_t noise, int pcn, int month, int64_t at)
{
	for (size_t i = 0; i < s->nind; i++) {
		const struct seed_ind *ind = &s->ind[i];
		struct pending *row = &b->rows[b->n];
		row->source = "EXTRACT";
		(void)N;
		(void)pcn;
		if (ind->pcn_entered)
			continue;
		if (!seed_value(ind, p->list_size, month, p->quality, noise, &row->v,
				       &row->num, &row->den)) {
			continue;
		}
		row->aid = aid;
		row->ind = ind->id;
		row->ratio = ind->kind == SK_RATIO;
		row->at = at;
		if (++b->n == b->cap) {
			enum st r = batch_flush(db, b);
			if (r != ST_OK)
				return r;
		}
	}
	return ST_OK;
}

static enum st nat_achievements(struct db *db, struct nat *N)
{
	enum st r = ST_OK;
	size_t tot_ach = 0, tot_val = 0;
	struct batch *b = xcalloc(1, sizeof *b);
	b->cap = DBI_PG_ONLY ? PG_BATCH : BATCH;
	b->rows = xcalloc(b->cap, sizeof *b->rows);
	batch_sql_init();
	for (size_t m = 0; r == ST_OK && m < 12; m++) {
		size_t nach = 0, before = b->written + b->n;
		int64_t at = seed_epoch(N->qof.date[m], 6, 10) + 8 * 86400;
		for (size_t k = 0; r == ST_OK && k < N->nprac; k++) {
			const struct nat_practice *p = &N->prac[k];
			uint64_t noise = (uint64_t)N->seed * 0x100000001b3ULL + k;
			int64_t aid = 0;
			r = seed_achievement(db, N->qof.id, p->id, N->qof.date_id[m], "SUBMITTED",
					     false, at, &aid);
			if (r == ST_OK)
				r = nat_values(db, b, N, &N->qof, aid, p, noise, -1, (int)m + 1, at);
			nach++;
			int pcn = pcn_on(p, N->ncd.date[m]);
			if (r != ST_OK || pcn < 0)
				continue;
			r = seed_achievement(db, N->ncd.id, p->id, N->ncd.date_id[m], "SUBMITTED",
					     false, at, &aid);
			if (r == ST_OK)
				r = nat_values(db, b, N, &N->ncd, aid, p, noise, pcn, (int)m + 1, at);
			nach++;
		}
		size_t nval = b->written + b->n - before;
		tot_ach += nach;
		tot_val += nval;
		fprintf(stderr, "cqrsd: generate-national: %s: %zu achievements, %zu values"
			" (%.1f s)\n", N->qof.date[m], nach, nval, (double)(mono_ms() - N->t0) / 1000);
	}
	if (r == ST_OK)
		r = batch_flush(db, b);
	free(b->rows);
	free(b);
	if (r == ST_OK)
		fprintf(stderr, "cqrsd: generate-national: %zu achievements, %zu values in all\n",
			tot_ach, tot_val);
	return r;
}

static enum st nat_build(struct db *db, void *arg)
{
	struct nat *N = arg;
	if (!store_is_empty(db)) {
		fprintf(stderr, "cqrsd: generate-national: the database is not empty; give the"
			" path of a new file\n");
		return ST_CONFLICT;
	}
	enum st r = nat_orgs(db, N);
	if (r == ST_OK)
		fprintf(stderr, "cqrsd: generate-national: %d ICBs, %zu PCNs, %zu practices"
			" (%.1f s)\n", N_ICB, N->npcn, N->nprac, (double)(mono_ms() - N->t0) / 1000);
	if (r == ST_OK)
		r = nat_users(db, N);
	if (r == ST_OK)
		r = dd_demo_service(db, "QOF2425", &N->qof);
	if (r == ST_OK)
		r = dd_demo_service(db, "NCD2425", &N->ncd);
	if (r == ST_OK)
		r = nat_offers(db, N);
	if (r == ST_OK)
		fprintf(stderr, "cqrsd: generate-national: users, services and offers (%.1f s)\n",
			(double)(mono_ms() - N->t0) / 1000);
	if (r == ST_OK)
		r = nat_achievements(db, N);
	return r;
}

enum st store_generate_national(struct db *db, unsigned seed)
{
	struct nat *N = xcalloc(1, sizeof *N);
	N->seed = seed;
	N->rng = 0x5eed0000ULL ^ seed;
	N->t0 = mono_ms();
	/* A fresh file is being built: no write-ahead log and no syncs while
	 * it is, and no foreign-key checks (the builders make only valid
	 * references); the rollback journal stays, in memory, so a failure
	 * still leaves an empty database. */
	/* PostgreSQL: one transaction (nothing is seen until it commits),
	 * then VACUUM and the planner's statistics. */
	enum st r = DBI_PG_ONLY ? ST_OK :
		db_exec(db, "PRAGMA journal_mode=MEMORY; PRAGMA synchronous=OFF;"
			" PRAGMA foreign_keys=OFF; PRAGMA cache_size=-131072;");
	if (r == ST_OK)
		r = store_tx(db, true, nat_build, N);
	enum st r2 = DBI_PG_ONLY ? ST_OK :
		db_exec(db, "PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;"
			" PRAGMA cache_size=-16000; PRAGMA journal_mode=WAL;");
	if (r == ST_OK)
		r = r2;
	if (r == ST_OK) {
		fprintf(stderr, "cqrsd: generate-national: analysing\n");
		/* PostgreSQL: VACUUM too, as autovacuum would soon after (hint
		 * bits and the visibility map set once, not by the first load,
		 * and no autovacuum of six million rows racing it). */
		r = db_exec(db, DBI_PG_ONLY ? "VACUUM ANALYZE" : "PRAGMA analysis_limit=1000; ANALYZE;");
	}
	if (r == ST_OK)
		fprintf(stderr, "cqrsd: generate-national: done in %.1f s\n",
			(double)(mono_ms() - N->t0) / 1000);
	free(N->prac);
	free(N->pcn);
	free(N->pcn_icb);
	free(N);
	return r;
}
