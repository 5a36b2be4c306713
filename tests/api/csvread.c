/* csvread.c: see csvread.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "csvread.h"
#include "harness.h"
#include "util.h"

json_t *csv_read(const char *text)
{
	json_t *rows = json_array(), *row = json_array();
	struct buf f;
	buf_init(&f);
	const char *p = text;
	size_t line = 1;
	const char *why = NULL;
	while (*p) {
		buf_reset(&f);
		buf_puts(&f, "");
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p) {
					why = "an unterminated quote";
					goto bad;
				}
				if (*p == '"' && p[1] == '"') {
					buf_putc(&f, '"');
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					line += *p == '\n';
					buf_putc(&f, *p++);
				}
			}
			if (*p != ',' && *p != '\r') {
				why = "text after a closing quote";
				goto bad;
			}
		} else {
			while (*p && *p != ',' && *p != '\r' && *p != '\n') {
				if (*p == '"') {
					why = "a quote inside an unquoted field";
					goto bad;
				}
				buf_putc(&f, *p++);
			}
		}
		json_array_append_new(row, json_string(f.data));
		if (*p == ',') {
			p++;
			continue;
		}
		if (p[0] != '\r' || p[1] != '\n') {
			why = "a line that does not end in CRLF";
			goto bad;
		}
		p += 2;
		line++;
		json_array_append_new(rows, row);
		row = json_array();
	}
	if (json_array_size(row)) {
		why = "no CRLF at the end";
		goto bad;
	}
	json_decref(row);
	buf_free(&f);
	return rows;
bad:
	tap_diag("not RFC 4180 CSV: %s on line %zu", why, line);
	json_decref(row);
	json_decref(rows);
	buf_free(&f);
	return NULL;
}

/* A JSON value of a column of type as the CSV writes it. */
static void cell(const json_t *col, const json_t *v, char *out, size_t size)
{
	const char *type = json_string_value(json_object_get(col, "type"));
	out[0] = '\0';
	if (!v || json_is_null(v))
		return;
	if (json_is_string(v)) {
		const char *lab = json_string_value(json_object_get(json_object_get(col, "labels"),
								    json_string_value(v)));
		snprintf(out, size, "%s", lab ? lab : json_string_value(v));
		return;
	}
	long long n = (long long)json_integer_value(v);
	char num[32];
	if (type && strcmp(type, "points") == 0)
		snprintf(out, size, "%s", (csv_points(num, n), num));
	else if (type && strcmp(type, "pounds") == 0)
		snprintf(out, size, "%s", (csv_pounds(num, n), num));
	else if (type && strcmp(type, "bar") == 0)
		snprintf(out, size, "%s", (csv_percent(num, n), num));
	else if (json_is_true(v) || json_is_false(v))
		snprintf(out, size, "%s", json_is_true(v) ? "true" : "false");
	else
		snprintf(out, size, "%lld", n);
}

bool csv_matches_report(const json_t *csv, const json_t *answer)
{
	const json_t *cols = json_object_get(answer, "columns");
	const json_t *rows = json_object_get(answer, "rows");
	if (json_array_size(csv) != json_array_size(rows) + 1) {
		tap_diag("the CSV has %zu records, the JSON %zu rows and a header",
			 json_array_size(csv), json_array_size(rows));
		return false;
	}
	size_t i, k;
	json_t *c;
	const json_t *head = json_array_get(csv, 0);
	if (json_array_size(head) != json_array_size(cols)) {
		tap_diag("the header has %zu fields, the JSON %zu columns", json_array_size(head),
			 json_array_size(cols));
		return false;
	}
	json_array_foreach(cols, k, c) {
		const char *want = json_string_value(json_object_get(c, "label"));
		const char *got = json_string_value(json_array_get(head, k));
		if (!want || !got || strcmp(want, got) != 0) {
			tap_diag("header field %zu: \"%s\", the column's label \"%s\"", k,
				 got ? got : "", want ? want : "");
			return false;
		}
	}
	json_t *row;
	json_array_foreach(rows, i, row) {
		const json_t *rec = json_array_get(csv, i + 1);
		if (json_array_size(rec) != json_array_size(cols)) {
			tap_diag("record %zu has %zu fields", i + 1, json_array_size(rec));
			return false;
		}
		json_array_foreach(cols, k, c) {
			char want[256];
			const char *key = json_string_value(json_object_get(c, "key"));
			cell(c, json_object_get(row, key ? key : ""), want, sizeof want);
			const char *got = json_string_value(json_array_get(rec, k));
			if (!got || strcmp(want, got) != 0) {
				tap_diag("row %zu, column %s: CSV \"%s\", JSON \"%s\"", i, key,
					 got ? got : "", want);
				return false;
			}
		}
	}
	return true;
}
