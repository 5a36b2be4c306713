/* admin_common.c: the tick list and the helpers of the Administration
 * screens (admin_common.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "screens/admin_common.h"
#include "tui/tui.h"
#include "util.h"

static void pick_draw_row(void *ud, WINDOW *w, int y, int x, int width, size_t row, bool cursor)
{
	struct pick *p = ud;
	char buf[256];
	json_t *r = json_array_get(p->rows, row);
	p->label(r, buf, sizeof(buf));
	bool head = p->tickable && !p->tickable(r);
	if (head && p->list.taggable && x >= 4) {
		/* a heading or a note: no checkbox in front of it */
		tui_put(w, y, x - 4, width + 4, buf, cursor ? ST_CURSOR : ST_LABEL, true);
		return;
	}
	tui_put(w, y, x, width, buf, cursor ? ST_CURSOR : ST_NORMAL, true);
}

static const char *pick_text(void *ud, size_t row)
{
	struct pick *p = ud;
	p->label(json_array_get(p->rows, row), p->text, sizeof(p->text));
	return p->text;
}

void pick_init(struct pick *p, bool taggable, void (*label)(json_t *row, char *out, size_t size))
{
	memset(p, 0, sizeof(*p));
	list_init(&p->list, pick_draw_row, pick_text, p);
	list_set_taggable(&p->list, taggable);
	p->label = label;
	p->rows = json_array();
}

void pick_free(struct pick *p)
{
	list_free(&p->list);
	json_decref(p->rows);
	p->rows = NULL;
}

void pick_set(struct pick *p, json_t *rows)
{
	json_decref(p->rows);
	p->rows = json_is_array(rows) ? rows : json_array();
	if (!json_is_array(rows))
		json_decref(rows);
	list_set_count(&p->list, 0);
	list_set_count(&p->list, json_array_size(p->rows));
}

json_t *pick_row(const struct pick *p, size_t i)
{
	return json_array_get(p->rows, i);
}

json_t *pick_cursor(const struct pick *p)
{
	return p->list.n ? json_array_get(p->rows, p->list.cur) : NULL;
}

json_t *pick_ticked(const struct pick *p, const char *key)
{
	json_t *out = json_array();
	for (size_t i = 0; i < p->list.n; i++)
		if (list_is_tagged(&p->list, i))
			json_array_append(out, json_object_get(json_array_get(p->rows, i), key));
	return out;
}

void pick_tick_values(struct pick *p, const char *key, json_t *values)
{
	for (size_t i = 0; i < p->list.n; i++) {
		json_t *v = json_object_get(json_array_get(p->rows, i), key);
		size_t k;
		json_t *x;
		json_array_foreach(values, k, x)
			if (v && json_equal(v, x))
				p->list.tags[i] = true;
	}
}

enum wres pick_action(struct pick *p, enum action a, int key)
{
	if (p->tickable && (a == ACT_TOGGLE_TAG || a == ACT_TAG_ALL)) {
		if (a == ACT_TOGGLE_TAG) {
			json_t *r = pick_cursor(p);
			if (r && !p->tickable(r)) {
				if (p->list.cur + 1 < p->list.n)
					p->list.cur++;
				return W_HANDLED;
			}
		}
		enum wres res = list_action(&p->list, a, key);
		for (size_t i = 0; i < p->list.n; i++)
			if (!p->tickable(json_array_get(p->rows, i)))
				p->list.tags[i] = false;
		return res;
	}
	return list_action(&p->list, a, key);
}

void pick_draw(struct pick *p, WINDOW *w, int y, int x, int h, int width)
{
	list_draw(&p->list, w, y, x, h, width);
}

char *admin_refusal(const struct api_response *r)
{
	if (r->outcome == API_HTTP && r->status >= 200 && r->status < 300)
		return NULL;
	if (r->outcome != API_HTTP)
		return xasprintf("Not sent: %s", r->err_message);
	json_t *e = json_object_get(r->json, "error");
	const char *field = json_string_value(json_object_get(e, "field"));
	return field && *field
		? xasprintf("Refused: %s (%s).", r->err_message[0] ? r->err_message : r->err_code,
			    field)
		: xasprintf("Refused: %s.", r->err_message[0] ? r->err_message : r->err_code);
}

bool admin_written(struct app *a, const struct api_response *r, bool *busy, char **refusal)
{
	*busy = false;
	app_dirty(a);
	free(*refusal);
	*refusal = admin_refusal(r);
	if (*refusal)
		app_message(a, MSG_ERROR, "%s", *refusal);
	return *refusal == NULL;
}

void admin_when(const char *iso, char *out, size_t size)
{
	if (!iso || strlen(iso) < 10) {
		snprintf(out, size, "-");
		return;
	}
	char d[11], shown[16];
	memcpy(d, iso, 10);
	d[10] = '\0';
	date_display(d, shown);
	if (strlen(iso) >= 16 && iso[10] == 'T')
		snprintf(out, size, "%s %.5s", shown, iso + 11);
	else
		snprintf(out, size, "%s", shown);
}

void admin_join(json_t *arr, const char *sep, char *out, size_t size)
{
	struct buf b;
	buf_init(&b);
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);
		if (!s)
			s = json_string_value(json_object_get(v, "name"));
		buf_printf(&b, "%s%s", i ? sep : "", s ? s : "");
	}
	snprintf(out, size, "%s", b.len ? b.data : "");
	buf_free(&b);
}
