/* keymap.h: key bindings per context, parsed from text in the syntax users
 * write (`bind CONTEXT KEY ACTION`, `unbind CONTEXT KEY`). The default and
 * vi keymaps are text files compiled in, so built-in and user bindings go
 * through the same parser. Errors are reported as `file:line: message`. */
#ifndef CQRS_KEYMAP_H
#define CQRS_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "actions.h"
#include "util.h"

/* Key codes: a Unicode code point (control characters included, Esc is
 * 27, Enter is '\n'), or a curses KEY_* code offset by KC_CURSES. */
#define KC_CURSES 0x200000
#define KC(k) (KC_CURSES + (k))
#define KC_ESC 27
#define KC_ENTER '\n'
#define KC_TAB '\t'

struct keymap;

/* Returns an empty keymap; free it with keymap_free. */
struct keymap *keymap_new(void);
/* Frees *km and sets it to NULL. */
void keymap_free(struct keymap **km);

/* Applies the bindings in text (named file in messages) on top of km.
 * Every bad line appends "file:line: message\n" to errs (when not NULL) and
 * is skipped; the good lines still apply. Returns the number of bad lines. */
int keymap_parse(struct keymap *km, const char *text, const char *file, struct buf *errs);
/* Reads and applies a keymap file. Returns -1 (and says so in errs) if the
 * file exists but cannot be read, 0 if it does not exist, else as
 * keymap_parse. */
int keymap_load_file(struct keymap *km, const char *path, struct buf *errs);
/* Reads the system-wide keymap (/etc/cqrs/keymap, or
 * $CQRS_SYSCONFDIR/keymap), then user_path (when not NULL), whose
 * bindings come last and win. Returns as keymap_load_file for
 * user_path. */
int keymap_load(struct keymap *km, const char *user_path, struct buf *errs);
/* Builds the built-in keymap: default.keys, then vi.keys if vi is true. */
struct keymap *keymap_builtin(bool vi);

/* The action bound to key in ctx or, failing that, in its parents.
 * ACT_NONE when nothing is bound. */
enum action keymap_lookup(const struct keymap *km, enum context ctx, int key);
/* Fills keys (up to n) with the keys that reach action a from ctx, in the
 * order they were bound, skipping keys shadowed by a nearer context.
 * Returns how many were found (may exceed n). */
size_t keymap_keys_for(const struct keymap *km, enum context ctx, enum action a,
		       int *keys, size_t n);
/* The first key reaching a from ctx that is a function key F1..F12, or
 * 0. */
int keymap_fkey_for(const struct keymap *km, enum context ctx, enum action a);

/* Parses a key name: a single character, C-x or ^X, M-x is not supported,
 * F1..F12, Esc, Enter, Tab, BTab (S-Tab), Space, Backspace, Delete, Insert,
 * Home, End, PgUp, PgDn, Up, Down, Left, Right. */
bool keycode_parse(const char *name, int *key);
/* Writes the canonical name of key into out. */
void keycode_name(int key, char *out, size_t size);
/* Turns what get_wch returned into a key code (Enter, Backspace and Tab
 * variants are folded together). */
int key_from_curses(int rc, unsigned int wch);

extern const char keymap_default_text[];
extern const char keymap_vi_text[];

#endif
