/* dates.c: ISO date and financial-year helpers. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dates.h"
#include "util.h"

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m < 1 || m > 12)
		return 0;
	return m == 2 && leap(y) ? 29 : dm[m - 1];
}

bool date_parse(const char *s, struct ymd *out)
{
	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	struct ymd d;
	d.y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	d.m = (s[5] - '0') * 10 + (s[6] - '0');
	d.d = (s[8] - '0') * 10 + (s[9] - '0');
	if (d.y < 1900 || d.y > 2999 || d.m < 1 || d.m > 12 || d.d < 1 ||
	    d.d > days_in_month(d.y, d.m))
		return false;
	if (out)
		*out = d;
	return true;
}

bool date_valid(const char *s)
{
	return date_parse(s, NULL);
}

bool date_is_month_end(const char *s)
{
	struct ymd d;
	return date_parse(s, &d) && d.d == days_in_month(d.y, d.m);
}

void date_format(const struct ymd *d, char *out)
{
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", d->y % 10000, d->m % 100, d->d % 100);
	strlcpy_s(out, tmp, 11);
}

void date_display(const char *iso, char *out)
{
	struct ymd d;
	if (!date_parse(iso, &d)) {
		snprintf(out, 11, "%s", iso ? iso : "");
		return;
	}
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%02d/%02d/%04d", d.d % 100, d.m % 100, d.y % 10000);
	strlcpy_s(out, tmp, 11);
}

bool date_financial_year(const char *iso, char *out)
{
	struct ymd d;
	if (!date_parse(iso, &d))
		return false;
	int start = d.m >= 4 ? d.y : d.y - 1;
	char tmp[24];
	snprintf(tmp, sizeof tmp, "%04d/%02d", start % 10000, (start + 1) % 100);
	memcpy(out, tmp, 8);
	out[7] = '\0';
	return true;
}

bool fy_valid(const char *fy)
{
	char s[11], e[11];
	return fy_bounds(fy, s, e);
}

bool fy_bounds(const char *fy, char start[11], char end[11])
{
	if (!fy || strlen(fy) != 7 || fy[4] != '/')
		return false;
	int y = 0, n = 0;
	for (int i = 0; i < 4; i++) {
		if (fy[i] < '0' || fy[i] > '9')
			return false;
		y = y * 10 + (fy[i] - '0');
	}
	for (int i = 5; i < 7; i++) {
		if (fy[i] < '0' || fy[i] > '9')
			return false;
		n = n * 10 + (fy[i] - '0');
	}
	if (y < 1900 || (y + 1) % 100 != n)
		return false;
	char tmp[40];
	snprintf(tmp, sizeof tmp, "%04d-04-01", y % 10000);
	strlcpy_s(start, tmp, 11);
	snprintf(tmp, sizeof tmp, "%04d-03-31", (y + 1) % 10000);
	strlcpy_s(end, tmp, 11);
	return true;
}

void date_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

bool date_add_days(const char *iso, int n, char out[11])
{
	struct ymd d;
	if (!date_parse(iso, &d))
		return false;
	struct tm tm = {0};
	tm.tm_year = d.y - 1900;
	tm.tm_mon = d.m - 1;
	tm.tm_mday = d.d + n;
	tm.tm_hour = 12;
	time_t t = timegm(&tm);
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
	return true;
}

bool date_work_year(const char *iso, char *out)
{
	struct ymd d;
	if (!date_parse(iso, &d))
		return false;
	if (d.d != days_in_month(d.y, d.m)) {
		/* the month before's last day */
		d.m--;
		if (d.m == 0) {
			d.m = 12;
			d.y--;
		}
		d.d = days_in_month(d.y, d.m);
	}
	char end[11];
	date_format(&d, end);
	return date_financial_year(end, out);
}
