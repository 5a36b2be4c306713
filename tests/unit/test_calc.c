/* test_calc.c: unit tests for the calculation (server/rules/calc.c): every rule
 * of docs/calculation.md against figures worked out by hand, the rounding
 * rule, the breakdown, network aggregation and bad input. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "server/rules/calc.h"
#include "util.h"

/* A definition with no thresholds, register or price, in a payment group. */
static struct calc_ind_def def(const char *code, enum calc_kind kind, int points)
{
	return (struct calc_ind_def){.code = code, .kind = kind, .points = points, .lower = -1,
				     .upper = -1, .payment_group = true, .register_index = -1};
}

static struct calc_ind_def thr(const char *code, int points, int lower, int upper)
{
	struct calc_ind_def d = def(code, CALC_THRESHOLD, points);
	d.lower = lower;
	d.upper = upper;
	return d;
}

static struct calc_val ratio(int64_t num, int64_t den)
{
	return (struct calc_val){.present = true, .num = num, .den = den};
}

static struct calc_val val(int64_t v)
{
	return (struct calc_val){.present = true, .value = v};
}

static const struct calc_service qof = {
	.code = "QOF2425", .payment_type = CALC_PAY_QOF, .level = CALC_LEVEL_PRACTICE,
	.pence_per_point = 22062, .national_list_size = 10000, .aspiration_percent = 80,
};
/* CPI 1: the practice's list is the national average. */
static const struct calc_org avg_practice = {.code = "A81001", .list_size = 10000, .caip_pence = -1};

/* The worked example: 29 points x 207.56 x CPI 1.71 x APDF 1.45 =
 * 14,924.70558 -> 14,924.71. CPI = 17,100 / 10,000; APDF = (4,959 /
 * 17,100 = 29%) / 20% national prevalence. */
static void test_worked_example(void **state)
{
	struct calc_service s = qof;
	s.pence_per_point = 20756;
	struct calc_org o = {.code = "A81001", .list_size = 17100, .caip_pence = -1};
	struct calc_ind_def d[2] = {def("REG01", CALC_COUNT, 0), thr("IND01", 29, 40, 70)};
	d[0].national_prevalence_ppm = 200000;
	d[1].national_prevalence_ppm = 200000;
	d[1].register_index = 0;
	struct calc_val v[2] = {val(4959), ratio(80, 100)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &o, d, v, 2, &r), 0);
	assert_int_equal(r.lines[1].points_milli, 29000);
	assert_int_equal(r.lines[1].achievement_ppm, 800000);
	assert_int_equal(r.lines[1].pence, 1492471);
	assert_int_equal(r.lines[0].pence, 0);
	assert_int_equal(r.pence, 1492471);
	assert_int_equal(r.points_milli, 29000);
	/* Aspiration: 80% of 14,924.71 = 11,939.768 -> 11,939.77. */
	assert_int_equal(r.aspiration_pence, 1193977);
	const char *e = r.lines[1].explanation;
	assert_non_null(strstr(e, "CPI 1.7100"));
	assert_non_null(strstr(e, "APDF 1.4500"));
	assert_non_null(strstr(e, "\xc2\xa3" "14,924.71"));
	assert_non_null(strstr(e, "29 points"));
	assert_non_null(strstr(r.lines[1].points_text, "full 29 points"));
	assert_null(strstr(r.lines[1].points_text, "\xc2\xa3"));
	calc_result_free(&r);
}

/* Linear scaling between the thresholds, and its edges. */
static void test_thresholds(void **state)
{
	struct calc_service s = qof;
	s.pence_per_point = 20000;
	struct calc_ind_def d[7] = {
		thr("MID", 12, 40, 70), thr("LOW", 12, 40, 70), thr("ATLOW", 12, 40, 70),
		thr("ATUP", 12, 40, 70), thr("ABOVE", 12, 40, 70), thr("FRAC", 20, 45, 80),
		thr("ZERO", 12, 40, 70),
	};
	struct calc_val v[7] = {ratio(55, 100), ratio(30, 100), ratio(40, 100), ratio(70, 100),
				ratio(95, 100), ratio(50, 100), ratio(0, 0)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &avg_practice, d, v, 7, &r), 0);
	/* 12 x (55 - 40) / (70 - 40) = 6 points; 6 x 200.00 x 1 x 1. */
	assert_int_equal(r.lines[0].points_milli, 6000);
	assert_int_equal(r.lines[0].pence, 120000);
	assert_int_equal(r.lines[0].achievement_ppm, 550000);
	assert_non_null(strstr(r.lines[0].points_text, "between the thresholds 40% and 70%"));
	assert_int_equal(r.lines[1].points_milli, 0);
	assert_int_equal(r.lines[1].pence, 0);
	assert_int_equal(r.lines[2].points_milli, 0);
	assert_int_equal(r.lines[3].points_milli, 12000);
	assert_int_equal(r.lines[3].pence, 240000);
	assert_int_equal(r.lines[4].points_milli, 12000);
	/* 20 x (50 - 45) / (80 - 45) = 20/7 = 2.857142... -> 2.857 points;
	 * 20/7 x 200.00 = 571.428... -> 571.43 (from the exact points). */
	assert_int_equal(r.lines[5].points_milli, 2857);
	assert_int_equal(r.lines[5].pence, 57143);
	assert_non_null(strstr(r.lines[5].pay_text, "exactly 20/7"));
	assert_non_null(strstr(r.lines[5].pay_text, "rounded to the penny"));
	/* Denominator 0: achievement 0, no points, and said so. */
	assert_int_equal(r.lines[6].achievement_ppm, 0);
	assert_int_equal(r.lines[6].points_milli, 0);
	assert_true(r.lines[6].has_achievement);
	assert_non_null(strstr(r.lines[6].points_text, "Denominator 0"));
	assert_int_equal(r.points_milli, 6000 + 12000 + 12000 + 2857);
	assert_int_equal(r.pence, 120000 + 240000 + 240000 + 57143);
	calc_result_free(&r);
}

/* Thresholds not given: 0% and 100%; equal thresholds: all or nothing. */
static void test_threshold_defaults(void **state)
{
	struct calc_service s = qof;
	s.pence_per_point = 10000;
	struct calc_ind_def d[3] = {thr("NONE", 10, -1, -1), thr("EQ", 8, 50, 50),
				    thr("EQ2", 8, 50, 50)};
	struct calc_val v[3] = {ratio(25, 100), ratio(50, 100), ratio(49, 100)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &avg_practice, d, v, 3, &r), 0);
	assert_int_equal(r.lines[0].points_milli, 2500);
	assert_int_equal(r.lines[0].pence, 25000);
	assert_int_equal(r.lines[1].points_milli, 8000);
	assert_int_equal(r.lines[2].points_milli, 0);
	calc_result_free(&r);
}

/* The rounding rule: once per indicator, halves away from zero; totals
 * are sums of rounded lines; milli-points round the same way. */
static void test_rounding(void **state)
{
	struct calc_service s = {.code = "ES", .payment_type = CALC_PAY_ES,
				 .level = CALC_LEVEL_PRACTICE, .pence_per_point = 1,
				 .aspiration_percent = 70};
	struct calc_org o = {.code = "A81001", .list_size = 5000, .caip_pence = -1};
	/* 1 point x 50% between 0 and 100 = 0.5 point at 1p a point = 0.5p -> 1p,
	 * twice: the total is 2p, not round(1.0p). 1/2000 point = 0.5 milli -> 1. */
	struct calc_ind_def d[3] = {thr("H1", 1, 0, 100), thr("H2", 1, 0, 100),
				    thr("TINY", 1, 0, 100)};
	struct calc_val v[3] = {ratio(50, 100), ratio(500, 1000), ratio(1, 2000)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &o, d, v, 3, &r), 0);
	assert_int_equal(r.lines[0].pence, 1);
	assert_int_equal(r.lines[1].pence, 1);
	assert_int_equal(r.lines[0].points_milli, 500);
	assert_int_equal(r.lines[2].points_milli, 1);
	assert_int_equal(r.lines[2].pence, 0);
	assert_int_equal(r.pence, 2);
	/* 70% of 2p = 1.4p -> 1p. */
	assert_int_equal(r.aspiration_pence, 1);
	calc_result_free(&r);
	/* 1.5p -> 2p: 3p a point, half a point. */
	s.pence_per_point = 3;
	assert_int_equal(calc_run(&s, &o, d, v, 1, &r), 0);
	assert_int_equal(r.lines[0].pence, 2);
	/* Aspiration of 2p at 70% = 1.4 -> 1; at 75% = 1.5 -> 2. */
	assert_int_equal(r.aspiration_pence, 1);
	calc_result_free(&r);
	s.aspiration_percent = 75;
	assert_int_equal(calc_run(&s, &o, d, v, 1, &r), 0);
	assert_int_equal(r.aspiration_pence, 2);
	calc_result_free(&r);
}

/* Registers: full points when recorded, paid with their own prevalence;
 * a ratio whose register has no value cannot be paid yet. */
static void test_registers(void **state)
{
	struct calc_ind_def d[3] = {def("AF001", CALC_COUNT, 5), thr("AF006", 12, 40, 70),
				    thr("NOREG", 10, 0, 100)};
	d[0].national_prevalence_ppm = 21800;
	d[1].national_prevalence_ppm = 21800;
	d[1].register_index = 0;
	/* 218 on a list of 10,000 = 2.18% = the national prevalence: APDF 1.
	 * 5 x 220.62 = 1,103.10. AF006 at 70%: 12 x 220.62 = 2,647.44. */
	struct calc_val v[3] = {val(218), ratio(70, 100), ratio(100, 100)};
	struct calc_result r;
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 3, &r), 0);
	assert_int_equal(r.lines[0].points_milli, 5000);
	assert_int_equal(r.lines[0].pence, 110310);
	assert_int_equal(r.lines[1].pence, 264744);
	/* No register: APDF 1, 10 x 220.62. */
	assert_int_equal(r.lines[2].pence, 220620);
	assert_non_null(strstr(r.lines[2].pay_text, "APDF 1"));
	assert_int_equal(r.pence, 110310 + 264744 + 220620);
	calc_result_free(&r);
	/* Twice the national prevalence (436): APDF 2. */
	v[0] = val(436);
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 3, &r), 0);
	assert_int_equal(r.lines[0].pence, 220620);
	assert_int_equal(r.lines[1].pence, 529488);
	calc_result_free(&r);
	/* Register missing: AF006 keeps its points but has no payment yet. */
	v[0].present = false;
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 3, &r), 0);
	assert_true(r.lines[0].missing);
	assert_int_equal(r.missing, 1);
	assert_int_equal(r.lines[0].points_milli, 0);
	assert_non_null(strstr(r.lines[0].points_text, "No value recorded"));
	assert_int_equal(r.lines[1].points_milli, 12000);
	assert_int_equal(r.lines[1].pence, 0);
	assert_non_null(strstr(r.lines[1].pay_text, "AF001 has no value"));
	calc_result_free(&r);
	/* A list size of 0: CPI 0, nothing paid. */
	struct calc_org empty = {.code = "A81009", .list_size = 0, .caip_pence = -1};
	v[0] = val(0);
	assert_int_equal(calc_run(&qof, &empty, d, v, 3, &r), 0);
	assert_int_equal(r.pence, 0);
	assert_int_equal(r.points_milli, 5000 + 12000 + 10000);
	calc_result_free(&r);
}

/* Counts: no points and no payment, or count x price per item. */
static void test_counts_and_items(void **state)
{
	struct calc_service s = {.code = "ES2425", .payment_type = CALC_PAY_ES,
				 .level = CALC_LEVEL_PRACTICE, .pence_per_point = 0};
	struct calc_ind_def d[3] = {def("MS01", CALC_COUNT, 0), def("MS02", CALC_COUNT, 0),
				    def("AMT", CALC_MONEY, 0)};
	d[0].pence_per_item = 150;
	struct calc_val v[3] = {val(120), val(37), val(123456)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &avg_practice, d, v, 3, &r), 0);
	/* 120 x 1.50 = 180.00 */
	assert_int_equal(r.lines[0].pence, 18000);
	assert_int_equal(r.lines[0].points_milli, 0);
	assert_non_null(strstr(r.lines[0].pay_text, "120 items"));
	assert_non_null(strstr(r.lines[0].pay_text, "\xc2\xa3" "180.00"));
	assert_int_equal(r.lines[1].pence, 0);
	assert_non_null(strstr(r.lines[1].points_text, "Count 37 recorded"));
	assert_int_equal(r.lines[2].pence, 0);
	assert_non_null(strstr(r.lines[2].points_text, "\xc2\xa3" "1,234.56"));
	assert_int_equal(r.pence, 18000);
	calc_result_free(&r);
}

/* Tick-boxes: Yes earns the full points, No none. */
static void test_yesno(void **state)
{
	struct calc_service s = qof;
	s.national_list_size = 9964;
	struct calc_org o = {.code = "A81001", .list_size = 9964, .caip_pence = -1};
	struct calc_ind_def d[2] = {def("QIDC01", CALC_YESNO, 27), def("QIWW01", CALC_YESNO, 27)};
	struct calc_val v[2] = {val(1), val(0)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &o, d, v, 2, &r), 0);
	/* 27 x 220.62 x 1 = 5,956.74 */
	assert_int_equal(r.lines[0].points_milli, 27000);
	assert_int_equal(r.lines[0].pence, 595674);
	assert_non_null(strstr(r.lines[0].points_text, "Yes: full 27 points"));
	assert_int_equal(r.lines[1].points_milli, 0);
	assert_int_equal(r.lines[1].pence, 0);
	assert_non_null(strstr(r.lines[1].points_text, "No: 0 points"));
	assert_false(r.lines[0].has_achievement);
	calc_result_free(&r);
}

static const struct calc_service ncd = {
	.code = "NCD2425", .payment_type = CALC_PAY_DES, .level = CALC_LEVEL_NETWORK,
	.pence_per_point = 19800, .national_list_size = 48000,
};

/* Network Contract DES: points x 198.00 x adjusted population / national
 * average population; CAIP in three parts. */
static void test_network(void **state)
{
	struct calc_org pcn = {.code = "U12345", .list_size = 52000, .caip_pence = 100000};
	struct calc_ind_def d[6] = {
		thr("LD.HC.IIF01", 36, 60, 80), def("EA.TB01", CALC_YESNO, 20),
		def("CAIP.01", CALC_CAIP, 0), def("CAIP.02", CALC_CAIP, 0),
		def("CAIP.03", CALC_CAIP, 0), def("ACC.MI01", CALC_COUNT, 0),
	};
	d[5].payment_group = false;
	struct calc_val v[6] = {ratio(90, 100), val(1), val(1), val(0), val(1), val(4300)};
	struct calc_result r;
	assert_int_equal(calc_run(&ncd, &pcn, d, v, 6, &r), 0);
	/* 36 x 198.00 x 52,000 / 48,000 = 7,722.00 */
	assert_int_equal(r.lines[0].pence, 772200);
	assert_non_null(strstr(r.lines[0].pay_text, "population factor 1.0833"));
	/* 20 x 198.00 x 13/12 = 4,290.00 */
	assert_int_equal(r.lines[1].pence, 429000);
	/* 1,000.00 in thirds: 333.33, 333.33 and the remainder 333.34. */
	assert_int_equal(r.lines[2].pence, 33333);
	assert_int_equal(r.lines[3].pence, 0);
	assert_int_equal(r.lines[4].pence, 33334);
	assert_non_null(strstr(r.lines[4].pay_text, "remainder"));
	assert_non_null(strstr(r.lines[3].pay_text, "not paid"));
	assert_int_equal(r.lines[5].pence, 0);
	assert_int_equal(r.pence, 772200 + 429000 + 33333 + 33334);
	assert_int_equal(r.points_milli, 56000);
	assert_int_equal(r.aspiration_pence, 0);
	calc_result_free(&r);
	/* All three Yes: the whole amount. */
	v[3] = val(1);
	assert_int_equal(calc_run(&ncd, &pcn, d, v, 6, &r), 0);
	assert_int_equal(r.lines[2].pence + r.lines[3].pence + r.lines[4].pence, 100000);
	calc_result_free(&r);
	/* The CAIP amount from a per-patient price: 3 x 47p x 52,000. */
	d[2].pence_per_item = d[3].pence_per_item = d[4].pence_per_item = 47;
	assert_int_equal(calc_caip_amount(d, 6, 52000), 7332000);
	pcn.caip_pence = calc_caip_amount(d, 6, 52000);
	assert_int_equal(calc_run(&ncd, &pcn, d, v, 6, &r), 0);
	assert_int_equal(r.lines[2].pence, 2444000);
	assert_int_equal(r.lines[4].pence, 2444000);
	calc_result_free(&r);
	/* Not known: an error, not a silent zero. */
	pcn.caip_pence = -1;
	assert_int_equal(calc_run(&ncd, &pcn, d, v, 6, &r), -1);
	assert_non_null(strstr(r.error, "CAIP amount of U12345"));
	calc_result_free(&r);
}

/* Management-information groups count for nothing; participation-only
 * services have no payment. */
static void test_mi_and_participation(void **state)
{
	struct calc_ind_def d[2] = {thr("DM019", 10, 40, 70), def("QIDC01", CALC_YESNO, 27)};
	d[0].payment_group = false;
	struct calc_val v[2] = {ratio(60, 100), val(1)};
	struct calc_result r;
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 2, &r), 0);
	assert_int_equal(r.lines[0].achievement_ppm, 600000);
	assert_int_equal(r.lines[0].points_milli, 0);
	assert_int_equal(r.lines[0].pence, 0);
	assert_non_null(strstr(r.lines[0].pay_text, "Management information"));
	assert_int_equal(r.lines[1].pence, 595674);
	calc_result_free(&r);
	struct calc_service po = {.code = "PO2425", .payment_type = CALC_PAY_PO,
				  .level = CALC_LEVEL_PRACTICE, .pence_per_point = 22062,
				  .aspiration_percent = 80};
	d[0].payment_group = true;
	assert_int_equal(calc_run(&po, &avg_practice, d, v, 2, &r), 0);
	assert_int_equal(r.points_milli, 0);
	assert_int_equal(r.pence, 0);
	assert_int_equal(r.aspiration_pence, 0);
	assert_non_null(strstr(r.lines[1].pay_text, "Participation only"));
	calc_result_free(&r);
}

/* Bad definitions and values are errors naming the indicator. */
static void test_errors(void **state)
{
	struct calc_result r;
	struct calc_ind_def d[2] = {thr("AF006", 12, 40, 70), def("REG", CALC_COUNT, 0)};
	struct calc_val v[2] = {ratio(11, 10), val(5)};
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 2, &r), -1);
	assert_string_equal(r.error, "indicator AF006: numerator 11 is greater than the"
			    " denominator 10");
	assert_null(r.lines);
	calc_result_free(&r);
	v[0] = ratio(-1, 10);
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 2, &r), -1);
	assert_non_null(strstr(r.error, "AF006"));
	calc_result_free(&r);
	v[0] = ratio(5, 10);
	v[1] = val(-3);
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 2, &r), -1);
	assert_non_null(strstr(r.error, "indicator REG: value -3"));
	calc_result_free(&r);
	v[1] = val(3);
	d[0].lower = 80;
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 2, &r), -1);
	assert_non_null(strstr(r.error, "out of order"));
	calc_result_free(&r);
	d[0].lower = 40;
	d[0].register_index = 0;
	assert_int_equal(calc_run(&qof, &avg_practice, d, v, 2, &r), -1);
	assert_non_null(strstr(r.error, "register"));
	calc_result_free(&r);
	d[0].register_index = -1;
	struct calc_service s = qof;
	s.national_list_size = 0;
	assert_int_equal(calc_run(&s, &avg_practice, d, v, 2, &r), -1);
	assert_non_null(strstr(r.error, "national average list size"));
	calc_result_free(&r);
	struct calc_ind_def yn = def("YN", CALC_YESNO, 5);
	struct calc_val two = val(2);
	assert_int_equal(calc_run(&qof, &avg_practice, &yn, &two, 1, &r), -1);
	assert_non_null(strstr(r.error, "1 or 0"));
	calc_result_free(&r);
	/* Figures too large for the exact arithmetic: an error, not a wrap. */
	struct calc_service big = qof;
	big.pence_per_point = 999999999999LL;
	big.national_list_size = 1;
	struct calc_org huge = {.code = "X", .list_size = 999999999999LL, .caip_pence = -1};
	yn.points = 100000;
	struct calc_val yes = val(1);
	assert_int_equal(calc_run(&big, &huge, &yn, &yes, 1, &r), -1);
	assert_non_null(strstr(r.error, "too large"));
	calc_result_free(&r);
	/* An empty achievement is fine: nothing to pay. */
	assert_int_equal(calc_run(&qof, &avg_practice, NULL, NULL, 0, &r), 0);
	assert_int_equal(r.pence, 0);
	calc_result_free(&r);
}

/* The stored breakdown holds the inputs, factors and totals. */
static void test_breakdown(void **state)
{
	struct calc_service s = qof;
	s.pence_per_point = 20756;
	struct calc_org o = {.code = "A81001", .list_size = 17100, .caip_pence = -1};
	struct calc_ind_def d[2] = {def("REG01", CALC_COUNT, 0), thr("IND01", 29, 40, 70)};
	d[1].national_prevalence_ppm = 200000;
	d[1].register_index = 0;
	struct calc_val v[2] = {val(4959), ratio(80, 100)};
	struct calc_result r;
	assert_int_equal(calc_run(&s, &o, d, v, 2, &r), 0);
	char *text = calc_breakdown_text(&s, &o, &r);
	assert_non_null(text);
	json_error_t err;
	json_t *j = json_loads(text, 0, &err);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "qof");
	assert_int_equal(json_integer_value(json_object_get(j, "pence")), 1492471);
	assert_int_equal(json_integer_value(json_object_get(j, "aspiration_pence")), 1193977);
	assert_non_null(strstr(json_string_value(json_object_get(j, "rounding")), "halves away"));
	json_t *inputs = json_object_get(j, "inputs");
	assert_int_equal(json_integer_value(json_object_get(inputs, "list_size")), 17100);
	json_t *line = json_array_get(json_object_get(j, "lines"), 1);
	assert_string_equal(json_string_value(json_object_get(line, "indicator")), "IND01");
	assert_int_equal(json_integer_value(json_object_get(line, "achievement_ppm")), 800000);
	json_t *thr_j = json_object_get(line, "thresholds");
	assert_int_equal(json_integer_value(json_object_get(thr_j, "lower")), 40);
	json_t *f = json_object_get(line, "factors");
	assert_int_equal(json_array_size(f), 3);
	json_t *cpi = json_array_get(f, 1);
	assert_string_equal(json_string_value(json_object_get(cpi, "name")), "CPI");
	assert_int_equal(json_integer_value(json_object_get(cpi, "num")), 17100);
	assert_int_equal(json_integer_value(json_object_get(cpi, "den")), 10000);
	assert_string_equal(json_string_value(json_object_get(cpi, "decimal")), "1.7100");
	json_t *apdf = json_array_get(f, 2);
	assert_string_equal(json_string_value(json_object_get(apdf, "decimal")), "1.4500");
	assert_int_equal(json_integer_value(json_object_get(apdf, "register_count")), 4959);
	assert_string_equal(json_string_value(json_object_get(line, "formula")),
			    "29 \xc3\x97 20756 \xc3\x97 1.7100 \xc3\x97 1.4500");
	json_t *in = json_object_get(line, "inputs");
	assert_int_equal(json_integer_value(json_object_get(in, "numerator")), 80);
	json_decref(j);
	free(text);
	calc_result_free(&r);
}

/* The PCN's figures from its members'. */
static void test_aggregate(void **state)
{
	struct calc_ind_def d[5] = {
		thr("LD.HC.IIF01", 36, 60, 80), def("ACC.MI01", CALC_COUNT, 0),
		def("EA.TB01", CALC_YESNO, 20), def("NCD012", CALC_COUNT, 0),
		def("YN", CALC_YESNO, 0),
	};
	d[2].pcn_entered = true;
	d[3].pcn_entered = true;
	/* Three members; the third has no data at all. */
	struct calc_val m[15] = {
		ratio(40, 50), val(1000), {0}, {0}, val(1),
		ratio(30, 45), val(2500), {0}, {0}, val(1),
		{0}, {0}, {0}, {0}, {0},
	};
	struct calc_val pcn[5] = {{0}, {0}, val(1), {0}, {0}};
	struct calc_val out[5];
	size_t missing[3];
	assert_int_equal(calc_aggregate(d, 5, m, 3, pcn, out, missing), 1);
	assert_true(out[0].present);
	assert_int_equal(out[0].num, 70);
	assert_int_equal(out[0].den, 95);
	assert_int_equal(out[1].value, 3500);
	assert_true(out[2].present);
	assert_int_equal(out[2].value, 1);
	/* PCN-entered and not entered: absent (the store defaults it). */
	assert_false(out[3].present);
	assert_int_equal(out[4].value, 1);
	assert_int_equal(missing[0], 0);
	assert_int_equal(missing[2], 3);
	/* A No from any member makes the network figure No. */
	m[9] = val(0);
	m[10] = ratio(0, 5);
	m[11] = val(1);
	m[14] = val(1);
	assert_int_equal(calc_aggregate(d, 5, m, 3, NULL, out, NULL), 0);
	assert_int_equal(out[4].value, 0);
	assert_int_equal(out[0].den, 100);
	assert_false(out[2].present);
	/* The aggregate feeds the calculation: 70/100 between 60 and 80 = 18
	 * points; 18 x 198.00 x 52,000 / 48,000 = 3,861.00. */
	struct calc_org o = {.code = "U12345", .list_size = 52000, .caip_pence = 0};
	struct calc_result r;
	assert_int_equal(calc_run(&ncd, &o, d, out, 5, &r), 0);
	assert_int_equal(r.lines[0].points_milli, 18000);
	assert_int_equal(r.lines[0].pence, 386100);
	assert_true(r.lines[2].missing);
	calc_result_free(&r);
	/* Overflow is reported. */
	m[1] = val(INT64_MAX);
	assert_int_equal(calc_aggregate(d, 5, m, 3, NULL, out, NULL), -1);
}

static void test_kinds(void **state)
{
	enum calc_kind k;
	assert_true(calc_kind_for("ratio", "AF", true, 12, &k));
	assert_int_equal(k, CALC_THRESHOLD);
	assert_true(calc_kind_for("ratio", "INLIQ", false, 0, &k));
	assert_int_equal(k, CALC_RATIO);
	assert_true(calc_kind_for("yesno", "CAIP", false, 0, &k));
	assert_int_equal(k, CALC_CAIP);
	assert_true(calc_kind_for("yesno", "QI", false, 27, &k));
	assert_int_equal(k, CALC_YESNO);
	assert_true(calc_kind_for("count", "AF", false, 5, &k));
	assert_int_equal(k, CALC_COUNT);
	assert_true(calc_kind_for("money", "X", false, 0, &k));
	assert_int_equal(k, CALC_MONEY);
	assert_true(calc_kind_for("date", "X", false, 0, &k));
	assert_int_equal(k, CALC_DATE);
	assert_false(calc_kind_for("text", "X", false, 0, &k));
	enum calc_payment p;
	assert_true(calc_payment_parse("VI", &p));
	assert_int_equal(p, CALC_PAY_VI);
	assert_false(calc_payment_parse("qof", &p));
	enum calc_level l;
	assert_true(calc_level_parse("NETWORK", &l));
	assert_int_equal(l, CALC_LEVEL_NETWORK);
	assert_false(calc_level_parse("PCN", &l));
}

int main(void)
{
	alarm(60);
	cmocka_set_message_output(CM_OUTPUT_TAP);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_threshold_defaults),
		cmocka_unit_test(test_rounding),
		cmocka_unit_test(test_registers),
		cmocka_unit_test(test_counts_and_items),
		cmocka_unit_test(test_yesno),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_mi_and_participation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_breakdown),
		cmocka_unit_test(test_aggregate),
		cmocka_unit_test(test_kinds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
