/* settings.h: the cqrs configuration files (/etc/cqrs/config, then
 * $XDG_CONFIG_HOME/cqrs/config), `key = value` lines, and the XDG paths
 * cqrs uses. Bad lines are reported as `file:line: message` and skipped. */
#ifndef CQRS_CLIENT_SETTINGS_H
#define CQRS_CLIENT_SETTINGS_H

#include <stdbool.h>

#include "util.h"

struct cqrs_config {
	char *server;            /* base URL, or NULL */
	char *ca_file;           /* PEM CA certificates trusted for https://, or NULL
				  * for the system trust store */
	bool token_file;         /* keep the token in a 0600 file when no keyring */
	int escdelay;            /* milliseconds curses waits after Esc */
	bool vi_keys;            /* keymap = vi */
	bool color;              /* color = no turns colour off */
	int connect_timeout;     /* seconds */
	int stall_timeout;       /* seconds with no bytes before giving up */
	int poll_seconds;        /* the idle Message Centre checks for tasks */
	int page_rows;           /* rows a long list asks the server for at a time */
};

/* Fills c with the defaults (no server, token in memory, Esc 25 ms). */
void config_defaults(struct cqrs_config *c);
/* Frees what c owns (not c itself). */
void config_free(struct cqrs_config *c);
/* Applies text (named file in messages) to c. Returns the number of bad
 * lines; each appends "file:line: message\n" to errs. */
int config_parse(struct cqrs_config *c, const char *text, const char *file, struct buf *errs);
/* Reads a config file: 0 if it is missing, -1 if unreadable, else as
 * config_parse. */
int config_load_file(struct cqrs_config *c, const char *path, struct buf *errs);
/* Reads the system-wide config file (/etc/cqrs/config, or
 * $CQRS_SYSCONFDIR/config), then user_path (when not NULL), whose
 * settings win. Returns as config_load_file for user_path. */
int config_load(struct cqrs_config *c, const char *user_path, struct buf *errs);

/* $VAR/cqrs/leaf, or $HOME/fallback/cqrs/leaf when VAR is unset or not
 * absolute (XDG rules). Returns a new string; NULL if neither is set. */
char *xdg_path(const char *var, const char *fallback, const char *leaf);
/* Creates dir and its parents with the given mode; false with errno. */
bool mkdir_p(const char *dir, unsigned mode);

#endif
