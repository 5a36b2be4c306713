/* keys.c: the key decoder (see keys.h). */
#include "config.h"

#include <curses.h>
#include <string.h>

#include "keymaps/keymap.h"
#include "tui/keys.h"

/* A sequence longer than this is not a key: it is swallowed. */
#define SEQ_MAX 40

enum { INCOMPLETE = -100 };

void keys_init(struct keys *k, int escdelay_ms)
{
	memset(k, 0, sizeof(*k));
	k->escdelay = escdelay_ms < 0 ? 0 : escdelay_ms;
}

size_t keys_feed(struct keys *k, const void *bytes, size_t n, int64_t now)
{
	size_t room = sizeof(k->buf) - k->len;
	if (n > room)
		n = room;
	if (!k->len)
		k->since = now;
	memcpy(k->buf + k->len, bytes, n);
	k->len += n;
	return n;
}

bool keys_pending(const struct keys *k)
{
	return k->len > 0;
}

/* A plain byte below 0x80: control keys as themselves, with the several
 * codes terminals send for Enter and Backspace folded into one. */
static int plain(unsigned char b)
{
	switch (b) {
	case '\r':
		return KC_ENTER;
	case 8:
	case 127:
		return KC(KEY_BACKSPACE);
	case 0:
		return KEYS_SWALLOWED; /* C-Space / C-@: bound to nothing */
	default:
		return b;
	}
}

/* The key of "ESC [ p0 ; p1 ~" (VT220, xterm, rxvt, the Linux console). */
static int tilde_key(int p0)
{
	switch (p0) {
	case 1: case 7: return KC(KEY_HOME);
	case 2: return KC(KEY_IC);
	case 3: return KC(KEY_DC);
	case 4: case 8: return KC(KEY_END);
	case 5: return KC(KEY_PPAGE);
	case 6: return KC(KEY_NPAGE);
	case 11: case 12: case 13: case 14: case 15: return KC(KEY_F(p0 - 10));
	case 17: case 18: case 19: case 20: case 21: return KC(KEY_F(p0 - 11));
	case 23: case 24: return KC(KEY_F(p0 - 12));
	default: return KEYS_SWALLOWED;
	}
}

/* The key of a final byte shared by CSI and SS3 (arrows, Home, End,
 * F1-F4), or KEYS_SWALLOWED. */
static int letter_key(unsigned char c)
{
	switch (c) {
	case 'A': return KC(KEY_UP);
	case 'B': return KC(KEY_DOWN);
	case 'C': return KC(KEY_RIGHT);
	case 'D': return KC(KEY_LEFT);
	case 'H': return KC(KEY_HOME);
	case 'F': return KC(KEY_END);
	case 'P': case 'Q': case 'R': case 'S': return KC(KEY_F(c - 'P' + 1));
	default: return KEYS_SWALLOWED;
	}
}

/* CSI: "ESC [" parameters (0x30-0x3F), intermediates (0x20-0x2F), one
 * final byte (0x40-0x7E). Modifiers (the second parameter) are dropped:
 * Ctrl-Down is Down. */
static int csi(const unsigned char *b, size_t len, size_t *used)
{
	size_t i = 2;
	if (len <= i)
		return INCOMPLETE;
	if (b[i] == '[') { /* Linux console F1-F5: ESC [ [ A..E */
		if (len <= i + 1)
			return INCOMPLETE;
		*used = i + 2;
		return b[i + 1] >= 'A' && b[i + 1] <= 'E' ? KC(KEY_F(b[i + 1] - 'A' + 1))
							 : KEYS_SWALLOWED;
	}
	int p[2] = {0, 0}, np = 0;
	bool odd = false; /* private markers, intermediates, more parameters */
	for (; i < len && b[i] >= 0x30 && b[i] <= 0x3f; i++) {
		if (b[i] >= '0' && b[i] <= '9') {
			if (np < 2 && p[np] < 10000)
				p[np] = p[np] * 10 + (b[i] - '0');
		} else if (b[i] == ';') {
			if (++np >= 2)
				odd = true;
		} else {
			odd = true;
		}
	}
	for (; i < len && b[i] >= 0x20 && b[i] <= 0x2f; i++)
		odd = true;
	if (i >= len) {
		if (i >= SEQ_MAX) {
			*used = len;
			return KEYS_SWALLOWED;
		}
		return INCOMPLETE;
	}
	unsigned char c = b[i];
	if (c < 0x40 || c > 0x7e) {
		/* broken off by another key: drop what came before it */
		*used = i;
		return KEYS_SWALLOWED;
	}
	*used = i + 1;
	if (odd)
		return KEYS_SWALLOWED;
	if (c == '~')
		return tilde_key(p[0]);
	if (c == 'Z')
		return KC(KEY_BTAB);
	if (p[0] > 1) /* "ESC [ 2 A" is not an arrow */
		return KEYS_SWALLOWED;
	return letter_key(c);
}

/* SS3: "ESC O", optional digits (old xterm modifiers), one final byte:
 * the application-mode cursor keys, F1-F4, and the numeric keypad in
 * application mode (which types what is printed on its keys). */
static int ss3(const unsigned char *b, size_t len, size_t *used)
{
	size_t i = 2;
	while (i < len && ((b[i] >= '0' && b[i] <= '9') || b[i] == ';'))
		i++;
	if (i >= len)
		return i >= SEQ_MAX ? (*used = len, KEYS_SWALLOWED) : INCOMPLETE;
	unsigned char c = b[i];
	if (c < 0x40 || c > 0x7e) {
		*used = i;
		return KEYS_SWALLOWED;
	}
	*used = i + 1;
	if (c >= 'p' && c <= 'y')
		return '0' + (c - 'p');
	switch (c) {
	case 'M': return KC_ENTER;
	case 'I': return KC_TAB;
	case 'j': return '*';
	case 'k': return '+';
	case 'l': return ',';
	case 'm': return '-';
	case 'n': return '.';
	case 'o': return '/';
	case 'X': return '=';
	default: return letter_key(c);
	}
}

/* One UTF-8 character; KEYS_BAD_BYTE (one byte used) when it is not. */
static int utf8(const unsigned char *b, size_t len, size_t *used)
{
	unsigned char c = b[0];
	size_t n;
	int cp;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		*used = 1;
		return KEYS_BAD_BYTE;
	}
	for (size_t i = 1; i < n; i++) {
		if (i >= len)
			return INCOMPLETE;
		if ((b[i] & 0xc0) != 0x80) {
			*used = 1;
			return KEYS_BAD_BYTE;
		}
		cp = (cp << 6) | (b[i] & 0x3f);
	}
	*used = n;
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return KEYS_BAD_BYTE;
	return cp;
}

/* Decodes the start of b: a result of keys_next, or INCOMPLETE. */
static int decode(const unsigned char *b, size_t len, size_t *used)
{
	*used = 1;
	if (b[0] == 27) {
		if (len < 2)
			return INCOMPLETE;
		if (b[1] == '[')
			return csi(b, len, used);
		if (b[1] == 'O')
			return ss3(b, len, used);
		return KC_ESC; /* Esc, then whatever follows on its own */
	}
	if (b[0] < 0x80)
		return plain(b[0]);
	return utf8(b, len, used);
}

static void consume(struct keys *k, size_t n, int64_t now)
{
	if (n > k->len)
		n = k->len;
	memmove(k->buf, k->buf + n, k->len - n);
	k->len -= n;
	k->since = now;
}

/* How long an incomplete start of the buffer may wait. */
static int limit(const struct keys *k)
{
	return k->len == 1 && k->buf[0] == 27 ? k->escdelay : k->escdelay + KEYS_SEQ_MS;
}

int keys_next(struct keys *k, int64_t now)
{
	if (!k->len)
		return KEYS_NONE;
	size_t used = 1;
	int key = decode(k->buf, k->len, &used);
	if (key == INCOMPLETE) {
		if (now - k->since < limit(k))
			return KEYS_NONE;
		/* timed out: a lone Esc, or a sequence that never finished */
		if (k->len == 1 && k->buf[0] == 27)
			key = KC_ESC;
		else
			key = k->buf[0] == 27 ? KEYS_SWALLOWED : KEYS_BAD_BYTE;
		used = k->len;
	}
	consume(k, used, now);
	return key;
}

int keys_timeout(const struct keys *k, int64_t now)
{
	if (!k->len)
		return -1;
	size_t used;
	if (decode(k->buf, k->len, &used) != INCOMPLETE)
		return 0;
	int64_t left = k->since + limit(k) - now;
	return left < 0 ? 0 : (int)left;
}
