/* calc.h: the achievement calculation. Turns one achievement's indicator
 * definitions and values into points and pounds in exact integer
 * arithmetic (money in pence, points in milli-points, achievement in parts
 * per million), keeping for every indicator a breakdown a person can read:
 * inputs, factors, formula and result. Pure: no SQL, no I/O, no globals;
 * safe to call from any thread. The rules are written up in
 * docs/calculation.md. */
#ifndef CQRS_CALC_H
#define CQRS_CALC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* quality_service.payment_type */
enum calc_payment { CALC_PAY_QOF, CALC_PAY_DES, CALC_PAY_ES, CALC_PAY_VI, CALC_PAY_PO };
/* quality_service.level */
enum calc_level { CALC_LEVEL_PRACTICE, CALC_LEVEL_NETWORK };

/* How an indicator is scored (see calc_kind_for for the schema mapping). */
enum calc_kind {
	CALC_THRESHOLD, /* ratio; points scale linearly between lower and upper */
	CALC_RATIO,     /* ratio shown as an achievement, worth no points */
	CALC_COUNT,     /* register or count: full points when recorded (if it has
			 * points), count x pence_per_item if it has a price */
	CALC_YESNO,     /* tick-box: Yes (1) earns the full points, No (0) none */
	CALC_CAIP,      /* Capacity and Access Improvement Payment component */
	CALC_MONEY,     /* an amount in pence: recorded, nothing calculated */
	CALC_DATE,      /* a date (yyyymmdd): recorded, nothing calculated */
};

/* One indicator's definition. Strings are borrowed for the call. */
struct calc_ind_def {
	const char *code;
	enum calc_kind kind;
	int points;                      /* points available, >= 0 */
	int lower, upper;                /* threshold percentages 0..100; -1: none */
	int64_t pence_per_item;          /* item-of-service price; 0: none */
	bool payment_group;              /* false: a management-information group */
	bool pcn_entered;                /* entered by the PCN (aggregation) */
	int64_t national_prevalence_ppm; /* 0: no prevalence adjustment */
	int register_index;              /* index in the same array of the register
					  * giving the prevalence; -1: none */
};

/* One indicator's value. value: count, 1/0 for Yes/No, pence, or yyyymmdd;
 * num and den for ratio kinds. */
struct calc_val {
	bool present;
	int64_t value, num, den;
};

struct calc_service {
	const char *code;
	enum calc_payment payment_type;
	enum calc_level level;
	int64_t pence_per_point;
	/* QOF: national average practice list size; network level: national
	 * average PCN adjusted population. */
	int64_t national_list_size;
	int aspiration_percent;          /* 0..100; 0: no aspiration figure */
	/* true: leave every line's detail NULL (the texts are still written),
	 * for bulk recalculation that stores only the texts. */
	bool no_detail;
	/* true: write no texts either (points_text, pay_text and explanation
	 * stay NULL): only the figures, for bulk recalculation. */
	bool no_text;
};

struct calc_org {
	const char *code;
	/* A practice's registered list size, or a PCN's adjusted population. */
	int64_t list_size;
	/* Network level: the PCN's Capacity and Access Improvement Payment for
	 * the period, in pence, split over the CAIP components (see
	 * calc_caip_amount); -1: not known (an error if the service has CAIP
	 * components). */
	int64_t caip_pence;
};

/* The result for one indicator. */
struct calc_line {
	const char *code;        /* borrowed from the definition */
	bool has_achievement;    /* achievement_ppm is meaningful (ratio kinds) */
	int64_t achievement_ppm; /* numerator / denominator in parts per million */
	int64_t points_milli;    /* points achieved x 1000, rounded half away */
	int64_t pence;           /* payment, rounded once, half away from zero */
	bool missing;            /* no value was recorded */
	/* How the points were reached, and how the pounds were (owned). Kept
	 * apart so that users who may not see pounds get points_text only. */
	char *points_text;
	char *pay_text;
	/* Both, for calculation_line.explanation (owned). */
	char *explanation;
	/* The line's breakdown: inputs, thresholds, factors, formula (owned
	 * reference). */
	json_t *detail;
};

struct calc_result {
	size_t n;
	struct calc_line *lines;  /* n lines, in definition order (owned) */
	int64_t points_milli;     /* sum of the lines' rounded milli-points */
	int64_t pence;            /* sum of the lines' rounded pence */
	int64_t aspiration_pence; /* pence x aspiration_percent / 100, rounded */
	size_t missing;           /* lines without a value */
	char error[256];          /* why calc_run failed */
};

/* Calculates one achievement. defs and vals are n entries each, in the
 * same order. Fills *out (the caller frees it with calc_result_free, also
 * after a failure). Returns 0, or -1 with out->error naming the indicator
 * and the problem (negative values, a numerator above its denominator, a
 * Yes/No other than 1/0, thresholds out of order, a missing national list
 * size or CAIP amount where needed, figures too large). */
int calc_run(const struct calc_service *svc, const struct calc_org *org,
	     const struct calc_ind_def *defs, const struct calc_val *vals, size_t n,
	     struct calc_result *out);
void calc_result_free(struct calc_result *r);

/* The stored breakdown of a result: a new JSON object with the service's
 * and organisation's inputs, the rounding rule, every line's detail and
 * the totals. The caller owns the reference. */
json_t *calc_breakdown(const struct calc_service *svc, const struct calc_org *org,
		       const struct calc_result *r);
/* The same, as compact JSON text for calculation.breakdown (caller frees). */
char *calc_breakdown_text(const struct calc_service *svc, const struct calc_org *org,
			  const struct calc_result *r);

/* The scoring kind of an indicator from its schema columns: kind
 * ('count','ratio','yesno','money','date'), its group's code, whether it
 * has thresholds, and its points. ratio -> CALC_THRESHOLD when it has
 * points or thresholds, else CALC_RATIO; yesno in the group "CAIP" ->
 * CALC_CAIP, else CALC_YESNO; count -> CALC_COUNT; money -> CALC_MONEY;
 * date -> CALC_DATE. Returns false for an unknown kind. */
bool calc_kind_for(const char *kind, const char *group_code, bool has_thresholds, int points,
		   enum calc_kind *out);
/* payment_type and level from their schema names; false if unknown. */
bool calc_payment_parse(const char *s, enum calc_payment *out);
bool calc_level_parse(const char *s, enum calc_level *out);

/* The CAIP amount of a PCN when the service prices its CAIP components
 * per patient (pence_per_item on each CAIP definition, as the demo's
 * Network Contract DES does): the sum over CAIP components of
 * pence_per_item x population. -1 if the sum does not fit. */
int64_t calc_caip_amount(const struct calc_ind_def *defs, size_t n, int64_t population);

/* Network aggregation: the PCN's figures from its member practices'.
 * member_vals holds nmembers rows of n values (row-major: member m's value
 * of indicator i is member_vals[m * n + i]); pcn_vals (may be NULL) the
 * values the PCN entered itself. For each indicator i, out[i] is:
 *  - pcn_entered: the PCN's own value (absent if it has none);
 *  - THRESHOLD, RATIO: the sums of the members' numerators and of their
 *    denominators;
 *  - COUNT, MONEY: the sum of the members' values;
 *  - YESNO, CAIP not PCN-entered: Yes when every member with a value said
 *    Yes, else No;
 *  - DATE: the latest of the members' dates;
 * present when at least one member (or the PCN) had a value.
 * member_missing (may be NULL; nmembers entries) receives how many
 * indicators that are not PCN-entered each member has no value for.
 * Returns how many members lack at least one value (0: the network figure
 * is complete), or -1 if a sum does not fit in 64 bits. */
long calc_aggregate(const struct calc_ind_def *defs, size_t n, const struct calc_val *member_vals,
		    size_t nmembers, const struct calc_val *pcn_vals, struct calc_val *out,
		    size_t *member_missing);

#endif
