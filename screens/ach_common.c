/* ach_common.c: helpers shared by the Achievement screens (see
 * ach_common.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "money.h"
#include "screens/ach_common.h"
#include "screens/app.h"
#include "tui/tui.h"
#include "util.h"

const char *ac_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "";
}

long long ac_int(json_t *obj, const char *key)
{
	return (long long)json_integer_value(json_object_get(obj, key));
}

bool ac_has(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return v && !json_is_null(v);
}

void ac_points(long long milli, char *out, size_t size)
{
	long long c = (llabs(milli) + 5) / 10;
	snprintf(out, size, "%s%lld.%02lld", milli < 0 ? "-" : "", c / 100, c % 100);
}

void ac_pct(long long ppm, char *out, size_t size)
{
	long long t = (llabs(ppm) + 500) / 1000; /* tenths of a percent */
	snprintf(out, size, "%s%lld.%lld%%", ppm < 0 ? "-" : "", t / 10, t % 10);
}

void ac_value(json_t *ind, char *out, size_t size)
{
	json_t *v = json_object_get(ind, "value");
	const char *kind = ac_str(ind, "kind");
	if (!json_is_object(v)) {
		snprintf(out, size, "missing");
		return;
	}
	if (json_object_get(v, "numerator")) {
		snprintf(out, size, "%lld/%lld", ac_int(v, "numerator"), ac_int(v, "denominator"));
		return;
	}
	long long n = ac_int(v, "value");
	if (!strcmp(kind, "yesno")) {
		snprintf(out, size, "%s", n ? "Yes" : "No");
	} else if (!strcmp(kind, "money")) {
		money_format(n, out, size);
	} else if (!strcmp(kind, "date") && n > 19000000) {
		snprintf(out, size, "%02lld/%02lld/%04lld", n % 100, n / 100 % 100, n / 10000);
	} else {
		snprintf(out, size, "%lld", n);
	}
}

void ac_date(const char *iso, bool payment, char *out, size_t size)
{
	char d[16] = "";
	if (date_valid(iso))
		date_display(iso, d);
	else
		strlcpy_s(d, iso ? iso : "", sizeof d);
	snprintf(out, size, "%s%s", d, payment ? " *" : "");
}

const char *ac_decl_status(const char *code)
{
	static const char *const names[][2] = {
		{"AWAITING_PROVIDER", "Awaiting Service Provider Approval"},
		{"AWAITING_COMMISSIONER", "Awaiting Commissioning Organisation Approval"},
		{"AWAITING_FINANCE", "Awaiting Financial Approval"},
		{"FINANCIALLY_APPROVED", "Financially Approved"},
		{"NO_DECLARATION_REQUIRED", "No Declaration Required"},
		{"NO_APPROVAL_REQUIRED", "No Approval Required"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i][0], code))
			return names[i][1];
	return code && *code ? code : "(none)";
}

const char *ac_ach_status(const char *code)
{
	static const char *const names[][2] = {
		{"AWAITING_NETWORK", "Awaiting Network Achievement"},
		{"CALCULATED", "Calculated"},
		{"SUBMITTED", "Submitted"},
		{"IN_PROGRESS", "Work in progress"},
		{"AWAITING_RECALCULATION", "Awaiting Recalculation"},
		{"NOT_RECORDED", "Not recorded"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(names[i][0], code))
			return names[i][1];
	return code && *code ? code : "";
}

void ac_bar(WINDOW *w, int y, int x, int width, json_t *ind)
{
	if (width < 5)
		return;
	int inner = width - 2;
	json_t *th = json_object_get(ind, "thresholds");
	bool ratio = json_is_array(th) && json_array_size(th) == 2 &&
		     ac_has(ind, "achievement_ppm");
	long long fill_ppm; /* of the bar, 0..1e6 */
	int lo = -1, hi = -1;
	if (ratio) {
		fill_ppm = ac_int(ind, "achievement_ppm");
		lo = (int)(json_integer_value(json_array_get(th, 0)) * inner / 100);
		hi = (int)(json_integer_value(json_array_get(th, 1)) * inner / 100);
		if (hi >= inner)
			hi = inner - 1;
		if (lo >= inner)
			lo = inner - 1;
	} else if (ac_int(ind, "points") > 0 && ac_has(ind, "points_milli")) {
		fill_ppm = ac_int(ind, "points_milli") * 1000 / ac_int(ind, "points");
	} else {
		tui_clear(w, y, x, width);
		return;
	}
	if (fill_ppm < 0)
		fill_ppm = 0;
	if (fill_ppm > 1000000)
		fill_ppm = 1000000;
	int fill = (int)((fill_ppm * inner + 500000) / 1000000);
	enum style fs = ST_OK;
	if (ratio) {
		long long a = ac_int(ind, "achievement_ppm") / 10000;
		long long l = json_integer_value(json_array_get(th, 0));
		long long u = json_integer_value(json_array_get(th, 1));
		fs = a >= u ? ST_OK : a >= l ? ST_PAYMENT : ST_ERROR;
	}
	tui_put(w, y, x, 1, "[", ST_DIM, false);
	for (int i = 0; i < inner; i++) {
		const char *c = i < fill ? "#" : ".";
		enum style st = i < fill ? fs : ST_DIM;
		if (i == lo || i == hi) {
			c = "|";
			st = ST_LABEL;
		}
		tui_put(w, y, x + 1 + i, 1, c, st, false);
	}
	tui_put(w, y, x + width - 1, 1, "]", ST_DIM, false);
}

bool ac_ends_with(const char *s, const char *suffix)
{
	size_t n = s ? strlen(s) : 0, k = strlen(suffix);
	return n >= k && !strcmp(s + n - k, suffix);
}

void ac_add(struct ac_lines *l, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = s;
}

void ac_add_wrapped(struct ac_lines *l, const char *prefix, const char *text, int width)
{
	int pw = tui_width(prefix);
	struct buf line;
	buf_init(&line);
	buf_printf(&line, "%s", prefix);
	int cur = pw;
	bool first_word = true;
	const char *p = text ? text : "";
	while (*p) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		char *word = xstrndup(p, (size_t)(e - p));
		int ww = tui_width(word);
		if (!first_word && cur + 1 + ww > width) {
			ac_add(l, "%s", line.data);
			buf_free(&line);
			buf_init(&line);
			buf_printf(&line, "%*s", pw, "");
			cur = pw;
			first_word = true;
		}
		buf_printf(&line, "%s%s", first_word ? "" : " ", word);
		cur += ww + (first_word ? 0 : 1);
		first_word = false;
		free(word);
		p = e;
	}
	ac_add(l, "%s", line.len ? line.data : "");
	buf_free(&line);
}

void ac_lines_free(struct ac_lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	xfree(&l->v);
	l->n = 0;
}

int ac_popup_width(void)
{
	int w = COLS - 12;
	return w < 40 ? 40 : w > 100 ? 100 : w;
}

void ac_search_providers(struct screen *s, const char *text,
			 void (*cb)(struct screen *s, const struct api_response *r))
{
	app_call(s->app, s, call_orgs(&(struct orgs_q){ .q = text, .limit = 200 }), cb);
}

size_t ac_offer_providers(struct screen *s, const struct api_response *r, const char *title,
			  char ***ids, void (*cb)(void *ud, int result, const char *text), void *ud)
{
	json_t *orgs = json_object_get(r->json, "organisations");
	size_t cnt = json_array_size(orgs), k = 0, i;
	char **items = xcalloc(cnt ? cnt : 1, sizeof(char *));
	*ids = xcalloc(cnt ? cnt : 1, sizeof(char *));
	json_t *o;
	json_array_foreach(orgs, i, o) {
		const char *kind = ac_str(o, "kind");
		if (strcmp(kind, "PRACTICE") && strcmp(kind, "PCN"))
			continue;
		items[k] = xasprintf("%-7s %s (%s)", ac_str(o, "code"), ac_str(o, "name"), kind);
		(*ids)[k++] = xasprintf("%s\t%s", ac_str(o, "code"), ac_str(o, "name"));
	}
	if (!k)
		app_message(s->app, MSG_ERROR, "No practice or PCN you can see matches that.");
	else
		app_popup(s->app, popup_choice(title, (const char *const *)items, k, 0, cb, ud));
	for (i = 0; i < k; i++)
		free(items[i]);
	free(items);
	return k;
}
