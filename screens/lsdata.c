/* lsdata.c: the pure parts of the list screens (see lsdata.h): templates,
 * dotted paths and the financial years of a year drop-down. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/lsdata.h"
#include "util.h"

/* ------------------------------------------------------------ templates */

json_t *ls_get(json_t *obj, const char *path)
{
	char key[64];
	while (obj && path && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		obj = json_object_get(obj, key);
		path = dot ? dot + 1 : NULL;
	}
	return obj;
}

const char *ls_text(json_t *v, char *tmp, size_t size)
{
	if (json_is_integer(v)) {
		snprintf(tmp, size, "%lld", (long long)json_integer_value(v));
		return tmp;
	}
	const char *s = json_string_value(v);
	return s ? s : "";
}

char *ls_expand(const char *tmpl, json_t *ctx)
{
	struct buf b;
	buf_init(&b);
	for (const char *p = tmpl ? tmpl : ""; *p; p++) {
		const char *end = *p == '{' ? strchr(p, '}') : NULL;
		if (!end) {
			buf_putc(&b, *p);
			continue;
		}
		char path[96], tmp[32];
		size_t n = (size_t)(end - p - 1);
		if (n >= sizeof(path))
			n = sizeof(path) - 1;
		memcpy(path, p + 1, n);
		path[n] = '\0';
		char *fmt = strchr(path, '|');
		if (fmt)
			*fmt++ = '\0';
		json_t *v = ls_get(ctx, path);
		const char *text = ls_text(v, tmp, sizeof(tmp));
		if (fmt && strcmp(fmt, "money") == 0 && json_is_integer(v)) {
			money_format(json_integer_value(v), tmp, sizeof(tmp));
			text = tmp;
		} else if (fmt && strcmp(fmt, "date") == 0 && date_valid(text)) {
			char day[16];
			date_display(text, day);
			strlcpy_s(tmp, day, sizeof(tmp));
			text = tmp;
		}
		buf_puts(&b, text);
		p = end;
	}
	return buf_steal(&b);
}

/* ------------------------------------------------------------ years */

void year_pick_around(struct year_pick *p, const char *fy, int after, int before)
{
	p->n = 0;
	memset(p->items, 0, sizeof(p->items));
	if (!fy || !fy_valid(fy))
		return;
	for (int d = after; d >= -before && p->n < ARRAY_SIZE(p->years) - 1; d--) {
		int y = atoi(fy) + d;
		if (y < 1000 || y > 9998)
			continue;
		snprintf(p->years[p->n++], sizeof(p->years[0]), "%04d/%02d", y, (y + 1) % 100);
	}
}

void year_pick_of(struct year_pick *p, json_t *arr, const char *key)
{
	p->n = 0;
	memset(p->items, 0, sizeof(p->items));
	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		const char *fy = json_string_value(json_object_get(o, key));
		size_t k;
		if (!fy)
			fy = "";
		for (k = 0; k < p->n && strcmp(p->years[k], fy) != 0; k++)
			;
		if (k == p->n && p->n < ARRAY_SIZE(p->years) - 1)
			strlcpy_s(p->years[p->n++], fy, sizeof(p->years[0]));
	}
}

void year_pick_all(struct year_pick *p, const char *all)
{
	if (p->n == ARRAY_SIZE(p->years))
		p->n--;
	p->years[p->n][0] = '\0';
	p->items[p->n++] = all;
}

void year_before(const char *fy, char out[8])
{
	int y = atoi(fy);
	if (y < 1000 || y > 9999)
		y = 2000;
	char tmp[32];
	snprintf(tmp, sizeof tmp, "%04d/%02d", y - 1, y % 100);
	strlcpy_s(out, tmp, 8);
}
