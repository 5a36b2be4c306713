/* fuzz_json.c: libFuzzer target for the strict JSON reader (lib/jsonx.c):
 * jx_parse_object on any bytes, then jx_unpack of what it accepted against
 * a spec with every field type, as the handlers use it. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "jsonx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jx_error err;
	json_t *obj = jx_parse_object((const char *)data, size, &err);
	if (!obj)
		return 0;
	const char *s = NULL, *n = NULL;
	json_int_t i = 0;
	int b = 0;
	json_t *o = NULL, *a = NULL, *any = NULL;
	struct jx_field spec[] = {
		{"mode", JX_STRING, false, &s, 8, false},
		{"notes", JX_STRING, false, &n, 0, true},
		{"version", JX_INT, false, &i, 0, false},
		{"enabled", JX_BOOL, false, &b, 0, true},
		{"object", JX_OBJECT, false, &o, 0, false},
		{"values", JX_ARRAY, false, &a, 0, false},
		{"value", JX_ANY, false, &any, 0, false},
	};
	jx_unpack(obj, spec, sizeof spec / sizeof spec[0], &err);
	json_decref(obj);
	return 0;
}
