/* jsonx.h: strict JSON input. Bodies are parsed with duplicate keys
 * rejected, then unpacked against a declarative field spec that rejects
 * unknown fields and wrong types and names the offending field. */
#ifndef CQRS_JSONX_H
#define CQRS_JSONX_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum jx_type {
	JX_STRING,  /* out: const char ** (borrowed from the json_t) */
	JX_INT,     /* out: json_int_t * */
	JX_BOOL,    /* out: int * */
	JX_OBJECT,  /* out: json_t ** (borrowed) */
	JX_ARRAY,   /* out: json_t ** (borrowed) */
	JX_ANY,     /* out: json_t ** (borrowed); any type but null */
};

struct jx_field {
	const char *name;
	enum jx_type type;
	bool required;
	void *out;
	size_t max_len; /* JX_STRING: longest accepted length in bytes, 0 = 4096 */
	bool nullable;  /* null accepted and leaves *out untouched */
};

struct jx_error {
	char field[64];
	char message[200];
};

/* Parses text as a JSON object (strictly). Returns NULL and fills err. */
json_t *jx_parse_object(const char *text, size_t len, struct jx_error *err);
/* Unpacks obj per spec; false with err filled on the first problem. Fields
 * not present leave their out untouched. */
bool jx_unpack(json_t *obj, const struct jx_field *spec, size_t n, struct jx_error *err);

#endif
