/* test_defer.c: writes sent ahead on PostgreSQL (pgc_defer and
 * pgs_step_defer, dbi_pg.c), which an extract load uses for the writes it
 * never reads back. Run by tests/pg/run-on-pg.sh (tests/pg/test_defer.pg)
 * on a throwaway cluster whose conninfo base is in CQRS_TEST_PG:
 * - writes sent ahead are there for the next read, in order, past the
 *   number that is sent before the answers are read;
 * - one that fails fails the next statement with its own error, COMMIT
 *   is refused, and after ROLLBACK nothing of the transaction is stored;
 * - the connection is usable again after that ROLLBACK;
 * - with sending ahead off, a failing write fails at once;
 * - turning it off reads what is outstanding (COMMIT keeps it).
 * Skipped (TAP "1..0 # SKIP") without CQRS_TEST_PG. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/store/dbi_pg.h"

static int n_test, n_fail;

static void ok(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", cond ? "ok" : "not ok", ++n_test);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!cond)
		n_fail++;
	fflush(stdout);
}

static struct pgconn *c;

/* count(*) of table t, or -1 (*rc the step's code). */
static long count_t(const char *table, int *rc)
{
	char sql[80];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
	dbstmt *st = pgc_prepare(c, sql);
	if (!st)
		return -1;
	*rc = pgs_step(st);
	long n = *rc == SQLITE_ROW ? (long)pgs_column_int64(st, 0) : -1;
	pgs_finalize(st);
	return n;
}

/* Inserts keys from..to-1 into table t, sent ahead; the last step's code. */
static int insert_keys(dbstmt *ins, int from, int to)
{
	int rc = SQLITE_DONE;
	for (int k = from; k < to && rc == SQLITE_DONE; k++) {
		pgs_bind_int64(ins, 1, k);
		rc = pgs_step_defer(ins);
		pgs_reset(ins);
	}
	return rc;
}

int main(void)
{
	const char *base = getenv("CQRS_TEST_PG");
	if (!base || !*base) {
		printf("1..0 # SKIP CQRS_TEST_PG is not set (run through tests/pg/run-on-pg.sh)\n");
		return 0;
	}
	char arg[1024], err[256];
	snprintf(arg, sizeof arg, "postgresql:%s dbname=postgres", base);
	c = pgc_open(arg, err, sizeof err);
	if (!c) {
		printf("Bail out! cannot connect: %s\n", err);
		return 1;
	}
	printf("1..12\n");
	int rc = pgc_exec(c, "CREATE TABLE t (k integer PRIMARY KEY)");
	ok(rc == SQLITE_OK, "a table to write to");
	dbstmt *ins = pgc_prepare(c, "INSERT INTO t(k) VALUES (?1)");

	/* 1. sent ahead, read back in order, more than one batch */
	pgc_defer(c, true);
	pgc_exec(c, "BEGIN");
	rc = insert_keys(ins, 0, 600);
	ok(rc == SQLITE_DONE, "600 inserts sent ahead, each answered \"sent\"");
	int rc2;
	long n = count_t("t", &rc2);
	ok(n == 600, "the next read sees all 600 (%ld)", n);
	ok(pgc_exec(c, "COMMIT") == SQLITE_OK, "and COMMIT keeps them");

	/* 2. one that fails */
	pgc_exec(c, "BEGIN");
	rc = insert_keys(ins, 600, 610);
	pgs_bind_int64(ins, 1, 5); /* a duplicate key */
	rc = pgs_step_defer(ins);
	pgs_reset(ins);
	ok(rc == SQLITE_DONE, "a failing insert is only sent: no answer yet");
	rc = insert_keys(ins, 610, 620);
	n = count_t("t", &rc2);
	ok(n == -1 && rc2 == SQLITE_CONSTRAINT && strstr(pgc_errmsg(c), "duplicate key"),
	   "the next statement fails with that insert's own error (%d: %s)", rc2, pgc_errmsg(c));
	rc = pgc_exec(c, "COMMIT");
	ok(rc == SQLITE_CONSTRAINT, "COMMIT is refused with it (%d)", rc);
	ok(pgc_exec(c, "ROLLBACK") == SQLITE_OK, "ROLLBACK");
	n = count_t("t", &rc2);
	ok(n == 600, "nothing of the failed transaction is stored (%ld rows), and the"
	   " connection works again", n);

	/* 3. sending ahead off: a failure at once */
	pgc_defer(c, false);
	pgs_bind_int64(ins, 1, 7);
	rc = pgs_step_defer(ins);
	pgs_reset(ins);
	ok(rc == SQLITE_CONSTRAINT, "with sending ahead off a duplicate fails at once (%d)", rc);

	/* 4. turning it off reads what is outstanding */
	pgc_defer(c, true);
	pgc_exec(c, "BEGIN");
	rc = insert_keys(ins, 700, 705);
	pgc_defer(c, false);
	ok(rc == SQLITE_DONE && pgc_exec(c, "COMMIT") == SQLITE_OK,
	   "writes outstanding when sending ahead stops are read, then committed");
	n = count_t("t", &rc2);
	ok(n == 605, "all there (%ld rows)", n);

	pgs_finalize(ins);
	pgc_exec(c, "DROP TABLE t");
	pgc_close(c);
	return n_fail ? 1 : 0;
}
