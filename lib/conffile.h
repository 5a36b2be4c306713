/* conffile.h: the one reader of cqrs's line-based files, the config file
 * and the keymaps. It reads a file (or text), splits it into lines and
 * hands each line to the file's own line parser; every bad line, and a
 * file that cannot be read, is reported as "file:line: message". It also
 * layers a system-wide file under /etc/cqrs/ beneath the user's. */
#ifndef CQRS_CONFFILE_H
#define CQRS_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The system-wide directory when $CQRS_SYSCONFDIR is unset or empty. */
#define CONF_SYSTEM_DIR "/etc/cqrs"

/* Parses one line (NUL-terminated, without its newline or a trailing CR;
 * the parser may modify it). Returns false with why filled when the line
 * is bad; it should then change nothing. */
typedef bool (*conf_line_fn)(void *ud, char *line, char *why, size_t whylen);

/* Hands each line of text (len bytes, named file in messages) to fn. A
 * line holding a NUL byte is bad and is not handed on. Every bad line
 * appends "file:line: message\n" to errs (when not NULL); the good lines
 * still apply. Returns the number of bad lines. */
int conf_parse(const char *text, size_t len, const char *file, conf_line_fn fn, void *ud,
	       struct buf *errs);
/* Reads path and parses it as conf_parse. Returns 0 if path does not
 * exist; -1 (and "path:1: message" in errs) if it cannot be read or is not
 * a file (a directory, say); else as conf_parse. */
int conf_load_file(const char *path, conf_line_fn fn, void *ud, struct buf *errs);
/* $CQRS_SYSCONFDIR/leaf, or /etc/cqrs/leaf. Returns a new string. */
char *conf_system_path(const char *leaf);
/* Loads the system-wide file conf_system_path(leaf), then user_path (when
 * not NULL and not the same file), so that the user's lines come last and
 * win. Errors of both go to errs; returns what conf_load_file returned for
 * user_path (0 when it is NULL). */
int conf_load_layered(const char *leaf, const char *user_path, conf_line_fn fn, void *ud,
		      struct buf *errs);

#endif
