/* fuzz_keymap.c: libFuzzer target for the keymap parser (keymaps/keymap.c
 * through lib/conffile.c): keymap_parse of any text into an empty keymap,
 * and keycode_parse/keycode_name of the text as a key name. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keymaps/keymap.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* keymap_parse takes a C string: stop at the first NUL. */
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct keymap *km = keymap_new();
	struct buf errs;
	buf_init(&errs);
	keymap_parse(km, text, "fuzz.keys", &errs);
	int key;
	if (keycode_parse(text, &key)) {
		char name[64];
		keycode_name(key, name, sizeof name);
	}
	buf_free(&errs);
	keymap_free(&km);
	free(text);
	return 0;
}
