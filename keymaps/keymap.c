/* keymap.c: the action and context tables, key names, and the keymap
 * parser (its lines; files are read by lib/conffile.c) and lookup (see
 * keymap.h). */
#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conffile.h"
#include "keymap.h"

struct action_info {
	const char *name, *label, *help;
};

static const struct action_info actions[] = {
#define CQRS_ACTION_INFO(id, name, label, help) {name, label, help},
	CQRS_ACTIONS(CQRS_ACTION_INFO)
#undef CQRS_ACTION_INFO
};

struct context_info {
	const char *name;
	int parent;
	const char *help;
};

static const struct context_info contexts[] = {
#define CQRS_CONTEXT_INFO(id, name, parent, help) {name, parent, help},
	CQRS_CONTEXTS(CQRS_CONTEXT_INFO)
#undef CQRS_CONTEXT_INFO
};

const char *action_name(enum action a)
{
	return (unsigned)a < ACT__COUNT ? actions[a].name : "?";
}

const char *action_label(enum action a)
{
	return (unsigned)a < ACT__COUNT ? actions[a].label : "?";
}

const char *action_help(enum action a)
{
	return (unsigned)a < ACT__COUNT ? actions[a].help : "?";
}

int action_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		if (strcmp(actions[i].name, name) == 0)
			return (int)i;
	return -1;
}

const char *context_name(enum context c)
{
	return (unsigned)c < CTX__COUNT ? contexts[c].name : "?";
}

int context_parent(enum context c)
{
	return (unsigned)c < CTX__COUNT ? contexts[c].parent : -1;
}

int context_lookup(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(contexts); i++)
		if (strcmp(contexts[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------ key names */

struct key_named {
	const char *name;
	int key;
};

static const struct key_named keycode_names[] = {
	{"Esc", KC_ESC},
	{"Enter", KC_ENTER},
	{"Tab", KC_TAB},
	{"BTab", KC(KEY_BTAB)},
	{"S-Tab", KC(KEY_BTAB)},
	{"Space", ' '},
	{"Backspace", KC(KEY_BACKSPACE)},
	{"Delete", KC(KEY_DC)},
	{"Insert", KC(KEY_IC)},
	{"Home", KC(KEY_HOME)},
	{"End", KC(KEY_END)},
	{"PgUp", KC(KEY_PPAGE)},
	{"PgDn", KC(KEY_NPAGE)},
	{"Up", KC(KEY_UP)},
	{"Down", KC(KEY_DOWN)},
	{"Left", KC(KEY_LEFT)},
	{"Right", KC(KEY_RIGHT)},
};

/* Folds the several codes terminals send for one key into one. */
static int key_fold(int key)
{
	switch (key) {
	case '\r':
	case KC(KEY_ENTER):
		return KC_ENTER;
	case 8:
	case 127:
		return KC(KEY_BACKSPACE);
	default:
		return key;
	}
}

int key_from_curses(int rc, unsigned int wch)
{
	if (rc == KEY_CODE_YES)
		return key_fold(KC((int)wch));
	return key_fold((int)wch);
}

/* Decodes one UTF-8 character filling all of s; -1 if s is not exactly
 * one character. */
static int utf8_single(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int cp, n;
	if (p[0] < 0x80) {
		cp = p[0];
		n = 0;
	} else if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		n = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		n = 2;
	} else if ((p[0] & 0xf8) == 0xf0) {
		cp = p[0] & 0x07;
		n = 3;
	} else {
		return -1;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	return p[n + 1] == '\0' ? cp : -1;
}

bool keycode_parse(const char *name, int *key)
{
	if (!name || !*name)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(keycode_names); i++) {
		if (strcasecmp(keycode_names[i].name, name) == 0) {
			*key = keycode_names[i].key;
			return true;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		char *end;
		long n = strtol(name + 1, &end, 10);
		if (*end == '\0' && n >= 1 && n <= 12) {
			*key = KC(KEY_F((int)n));
			return true;
		}
		if (*end == '\0')
			return false;
	}
	if (((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) ||
	    (name[0] == '^' && name[1] && !name[2])) {
		char c = name[0] == '^' ? name[1] : name[2];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c < '@' || c > '_')
			return false;
		*key = key_fold(c - '@');
		return true;
	}
	int cp = utf8_single(name);
	if (cp < 0x21 || cp == 127 || (cp >= 0x80 && cp < 0xa0))
		return false;
	*key = cp;
	return true;
}

void keycode_name(int key, char *out, size_t size)
{
	for (size_t i = 0; i < ARRAY_SIZE(keycode_names); i++) {
		if (keycode_names[i].key == key) {
			snprintf(out, size, "%s", keycode_names[i].name);
			return;
		}
	}
	if (key >= KC(KEY_F(1)) && key <= KC(KEY_F(12))) {
		snprintf(out, size, "F%d", key - KC(KEY_F(0)));
	} else if (key > 0 && key < 32) {
		snprintf(out, size, "C-%c", (char)(key + 'a' - 1));
	} else if (key >= KC_CURSES) {
		snprintf(out, size, "key%d", key - KC_CURSES);
	} else if (key < 0x80) {
		snprintf(out, size, "%c", (char)key);
	} else {
		/* encode as UTF-8 */
		char u[5] = {0};
		if (key < 0x800) {
			u[0] = (char)(0xc0 | (key >> 6));
			u[1] = (char)(0x80 | (key & 0x3f));
		} else if (key < 0x10000) {
			u[0] = (char)(0xe0 | (key >> 12));
			u[1] = (char)(0x80 | ((key >> 6) & 0x3f));
			u[2] = (char)(0x80 | (key & 0x3f));
		} else {
			u[0] = (char)(0xf0 | (key >> 18));
			u[1] = (char)(0x80 | ((key >> 12) & 0x3f));
			u[2] = (char)(0x80 | ((key >> 6) & 0x3f));
			u[3] = (char)(0x80 | (key & 0x3f));
		}
		snprintf(out, size, "%s", u);
	}
}

/* --------------------------------------------------------------- keymap */

struct binding {
	int key;
	enum action action;
};

struct keymap {
	/* per context, in binding order */
	struct binding *b[CTX__COUNT];
	size_t n[CTX__COUNT];
};

struct keymap *keymap_new(void)
{
	return xcalloc(1, sizeof(struct keymap));
}

void keymap_free(struct keymap **km)
{
	if (!*km)
		return;
	for (int c = 0; c < CTX__COUNT; c++)
		free((*km)->b[c]);
	xfree(km);
}

static struct binding *find(const struct keymap *km, int ctx, int key)
{
	for (size_t i = 0; i < km->n[ctx]; i++)
		if (km->b[ctx][i].key == key)
			return &km->b[ctx][i];
	return NULL;
}

static void bind_key(struct keymap *km, int ctx, int key, enum action a)
{
	struct binding *b = find(km, ctx, key);
	if (b) {
		b->action = a;
		return;
	}
	km->b[ctx] = xrealloc(km->b[ctx], (km->n[ctx] + 1) * sizeof(struct binding));
	km->b[ctx][km->n[ctx]++] = (struct binding){key, a};
}

static bool unbind_key(struct keymap *km, int ctx, int key)
{
	struct binding *b = find(km, ctx, key);
	if (!b)
		return false;
	size_t i = (size_t)(b - km->b[ctx]);
	memmove(b, b + 1, (km->n[ctx] - i - 1) * sizeof(*b));
	km->n[ctx]--;
	return true;
}

/* Splits line into at most max whitespace-separated words (in place). */
static int split_words(char *line, char **w, int max)
{
	int n = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (n == max)
			return max + 1;
		w[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

static int parse_line(struct keymap *km, char *line, char *why, size_t whylen)
{
	char *w[5];
	int n = split_words(line, w, 4);
	if (n == 0 || w[0][0] == '#')
		return 0;
	bool bind = strcmp(w[0], "bind") == 0;
	if (!bind && strcmp(w[0], "unbind") != 0) {
		snprintf(why, whylen, "unknown command \"%s\" (expected bind or unbind)", w[0]);
		return -1;
	}
	int want = bind ? 4 : 3;
	if (n != want) {
		snprintf(why, whylen, "%s takes %s", w[0],
			 bind ? "CONTEXT KEY ACTION" : "CONTEXT KEY");
		return -1;
	}
	int ctx = context_lookup(w[1]);
	if (ctx < 0) {
		snprintf(why, whylen, "unknown context \"%s\"", w[1]);
		return -1;
	}
	int key;
	if (!keycode_parse(w[2], &key)) {
		snprintf(why, whylen, "unknown key \"%s\"", w[2]);
		return -1;
	}
	if (!bind) {
		if (!unbind_key(km, ctx, key)) {
			snprintf(why, whylen, "%s is not bound in %s", w[2], w[1]);
			return -1;
		}
		return 0;
	}
	int a = action_lookup(w[3]);
	if (a < 0) {
		snprintf(why, whylen, "unknown action \"%s\"", w[3]);
		return -1;
	}
	bind_key(km, ctx, key, (enum action)a);
	return 0;
}

static bool keymap_line(void *ud, char *line, char *why, size_t whylen)
{
	return parse_line(ud, line, why, whylen) == 0;
}

int keymap_parse(struct keymap *km, const char *text, const char *file, struct buf *errs)
{
	return conf_parse(text, strlen(text), file, keymap_line, km, errs);
}

int keymap_load_file(struct keymap *km, const char *path, struct buf *errs)
{
	return conf_load_file(path, keymap_line, km, errs);
}

int keymap_load(struct keymap *km, const char *user_path, struct buf *errs)
{
	return conf_load_layered("keymap", user_path, keymap_line, km, errs);
}

struct keymap *keymap_builtin(bool vi)
{
	struct keymap *km = keymap_new();
	struct buf errs;
	buf_init(&errs);
	keymap_parse(km, keymap_default_text, "default.keys", &errs);
	if (vi)
		keymap_parse(km, keymap_vi_text, "vi.keys", &errs);
	if (errs.len) {
		/* the built-in files are checked by the unit tests */
		fprintf(stderr, "cqrs: built-in keymap: %s", errs.data);
		abort();
	}
	buf_free(&errs);
	return km;
}

enum action keymap_lookup(const struct keymap *km, enum context ctx, int key)
{
	for (int c = (int)ctx; c >= 0; c = contexts[c].parent) {
		const struct binding *b = find(km, c, key);
		if (b)
			return b->action;
	}
	return ACT_NONE;
}

size_t keymap_keys_for(const struct keymap *km, enum context ctx, enum action a,
		       int *keys, size_t n)
{
	size_t found = 0;
	for (int c = (int)ctx; c >= 0; c = contexts[c].parent) {
		for (size_t i = 0; i < km->n[c]; i++) {
			const struct binding *b = &km->b[c][i];
			if (b->action != a)
				continue;
			/* skip keys a nearer context binds to something else */
			if (keymap_lookup(km, ctx, b->key) != a)
				continue;
			bool dup = false;
			for (size_t j = 0; j < found && j < n; j++)
				dup |= keys[j] == b->key;
			if (dup)
				continue;
			if (found < n)
				keys[found] = b->key;
			found++;
		}
	}
	return found;
}

int keymap_fkey_for(const struct keymap *km, enum context ctx, enum action a)
{
	int keys[16];
	size_t n = keymap_keys_for(km, ctx, a, keys, ARRAY_SIZE(keys));
	for (size_t i = 0; i < n && i < ARRAY_SIZE(keys); i++)
		if (keys[i] >= KC(KEY_F(1)) && keys[i] <= KC(KEY_F(12)))
			return keys[i];
	return 0;
}
