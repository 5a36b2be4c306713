/* jsonx.c: strict JSON parsing and spec-driven unpacking. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonx.h"
#include "util.h"

static void set_err(struct jx_error *err, const char *field, const char *fmt, const char *a)
{
	if (!err)
		return;
	strlcpy_s(err->field, field ? field : "", sizeof err->field);
	snprintf(err->message, sizeof err->message, fmt, a ? a : "");
}

json_t *jx_parse_object(const char *text, size_t len, struct jx_error *err)
{
	json_error_t je;
	if (!text || len == 0) {
		set_err(err, "", "%sthe request body is empty; a JSON object is expected", "");
		return NULL;
	}
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		set_err(err, "", "malformed JSON: %s", je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		set_err(err, "", "%sthe request body must be a JSON object", "");
		return NULL;
	}
	return j;
}

static const char *type_name(enum jx_type t)
{
	switch (t) {
	case JX_STRING: return "a string";
	case JX_INT: return "a whole number";
	case JX_BOOL: return "true or false";
	case JX_OBJECT: return "an object";
	case JX_ARRAY: return "an array";
	case JX_ANY: return "a value";
	}
	return "a value";
}

bool jx_unpack(json_t *obj, const struct jx_field *spec, size_t n, struct jx_error *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(spec[i].name, key) == 0)
				break;
		if (i == n) {
			set_err(err, key, "unknown field \"%s\"", key);
			return false;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct jx_field *f = &spec[i];
		v = json_object_get(obj, f->name);
		if (!v) {
			if (f->required) {
				set_err(err, f->name, "missing field \"%s\"", f->name);
				return false;
			}
			continue;
		}
		if (json_is_null(v) && f->nullable)
			continue;
		bool ok = false;
		switch (f->type) {
		case JX_STRING:
			ok = json_is_string(v);
			if (ok) {
				size_t max = f->max_len ? f->max_len : 4096;
				if (json_string_length(v) > max) {
					if (err) {
						strlcpy_s(err->field, f->name, sizeof err->field);
						snprintf(err->message, sizeof err->message,
							 "\"%s\" is longer than %zu characters", f->name, max);
					}
					return false;
				}
				if (strlen(json_string_value(v)) != json_string_length(v)) {
					set_err(err, f->name, "\"%s\" contains a NUL character", f->name);
					return false;
				}
				*(const char **)f->out = json_string_value(v);
			}
			break;
		case JX_INT:
			ok = json_is_integer(v);
			if (ok)
				*(json_int_t *)f->out = json_integer_value(v);
			break;
		case JX_BOOL:
			ok = json_is_boolean(v);
			if (ok)
				*(int *)f->out = json_is_true(v);
			break;
		case JX_OBJECT:
			ok = json_is_object(v);
			if (ok)
				*(json_t **)f->out = v;
			break;
		case JX_ARRAY:
			ok = json_is_array(v);
			if (ok)
				*(json_t **)f->out = v;
			break;
		case JX_ANY:
			ok = !json_is_null(v);
			if (ok)
				*(json_t **)f->out = v;
			break;
		}
		if (!ok) {
			if (err) {
				strlcpy_s(err->field, f->name, sizeof err->field);
				snprintf(err->message, sizeof err->message, "\"%s\" must be %s",
					 f->name, type_name(f->type));
			}
			return false;
		}
	}
	return true;
}
