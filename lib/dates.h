/* dates.h: ISO dates (YYYY-MM-DD) and NHS financial years ("2024/25",
 * 1 April to 31 March). Dates are kept as text in ISO form everywhere. */
#ifndef CQRS_DATES_H
#define CQRS_DATES_H

#include <stdbool.h>

struct ymd {
	int y, m, d;
};

/* Parses a strict YYYY-MM-DD date that exists in the calendar. */
bool date_parse(const char *s, struct ymd *out);
bool date_valid(const char *s);
int days_in_month(int y, int m);
bool date_is_month_end(const char *s);
/* Writes YYYY-MM-DD into out (at least 11 bytes). */
void date_format(const struct ymd *d, char *out);
/* Writes DD/MM/YYYY, the form users read, into out (at least 11 bytes). */
void date_display(const char *iso, char *out);
/* Financial year of an ISO date, as "2024/25", into out (at least 8 bytes). */
bool date_financial_year(const char *iso, char *out);
/* The financial year whose work is being done on an ISO date: that of
 * the last month end on or before it (data and declarations for a month
 * are entered after it ends: on 10/04/2025 the work is 2024/25's year
 * end, not the empty 2025/26). At least 8 bytes. */
bool date_work_year(const char *iso, char *out);
/* First and last day of a financial year such as "2024/25". */
bool fy_bounds(const char *fy, char start[11], char end[11]);
bool fy_valid(const char *fy);
/* Today's date (UTC) in ISO form. */
void date_today(char out[11]);
/* Adds n days (may be negative) to an ISO date. */
bool date_add_days(const char *iso, int n, char out[11]);

#endif
