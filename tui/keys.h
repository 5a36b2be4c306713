/* keys.h: the one key decoder. cqrs reads the terminal's bytes itself
 * and turns them into key codes (keymaps/keymap.h): UTF-8 characters,
 * control keys, and the escape sequences xterm, VT100/VT220, the Linux
 * console, rxvt, screen/tmux and PuTTY send for the arrows, Home/End,
 * PgUp/PgDn, Insert, Delete, Shift-Tab and F1-F12, in ANSI (CSI, "ESC [")
 * and application (SS3, "ESC O") modes alike, with or without modifiers,
 * whatever terminfo says. Any other complete CSI or SS3 sequence is
 * swallowed whole, never read as Esc followed by letters.
 *
 * Timing: a lone Esc is reported once escdelay milliseconds pass without
 * another byte after it; a sequence already begun ("ESC [", "ESC O", a
 * UTF-8 lead byte) gets KEYS_SEQ_MS more to complete, since a person
 * cannot type Esc [ that fast. The decoder is pure: the caller feeds bytes
 * and the time, so it is tested without a terminal. */
#ifndef CQRS_TUI_KEYS_H
#define CQRS_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* How long the rest of a begun sequence may take (ms). */
#define KEYS_SEQ_MS 250
/* What keys_next returns besides key codes (all negative). */
#define KEYS_NONE (-1)     /* nothing complete yet (see keys_timeout) */
#define KEYS_SWALLOWED (-2)/* an unknown escape sequence was discarded */
#define KEYS_BAD_BYTE (-3) /* a byte that is not UTF-8 was discarded */

struct keys {
	unsigned char buf[512];
	size_t len;
	int64_t since;      /* when buf[0] arrived (ms), for the timeouts */
	int escdelay;       /* ms */
};

void keys_init(struct keys *k, int escdelay_ms);
/* Appends bytes read from the terminal at time now (ms); bytes beyond
 * the buffer's room are refused: returns how many were taken. */
size_t keys_feed(struct keys *k, const void *bytes, size_t n, int64_t now);
/* The next key at time now: a key code (>= 0), or KEYS_NONE,
 * KEYS_SWALLOWED or KEYS_BAD_BYTE. */
int keys_next(struct keys *k, int64_t now);
/* Milliseconds until keys_next must be called again to resolve an
 * incomplete sequence (a lone Esc), or -1 when nothing waits. */
int keys_timeout(const struct keys *k, int64_t now);
/* True when bytes are waiting. */
bool keys_pending(const struct keys *k);

#endif
