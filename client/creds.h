/* creds.h: where the sign-in token is kept (never the password): the
 * Secret Service through libsecret when one is reachable and unlocked,
 * else a 0600 file under $XDG_STATE_HOME/cqrs/ if the config opted in,
 * else memory only. The choice is made once, before curses starts. */
#ifndef CQRS_CLIENT_CREDS_H
#define CQRS_CLIENT_CREDS_H

#include <stdbool.h>

enum creds_backend {
	CREDS_MEMORY,
	CREDS_FILE,
	CREDS_SECRET,
};

struct creds;

/* Chooses the store. The libsecret probe runs in a child process killed
 * after timeout_ms, so a missing or stuck D-Bus can never hang cqrs; it is
 * skipped when DBUS_SESSION_BUS_ADDRESS is unset. token_file allows the
 * file store. Free with creds_close. */
struct creds *creds_open(bool token_file, int timeout_ms);
void creds_close(struct creds **c);
enum creds_backend creds_backend(const struct creds *c);
/* "keyring", "file ~/.local/state/cqrs/token" or "memory", for people. */
const char *creds_describe(const struct creds *c);

/* The token saved for server, or NULL; *user (if not NULL) receives the
 * user ID it belongs to. The caller frees both. */
char *creds_load(struct creds *c, const char *server, char **user);
/* Saves the token for server and user, replacing any other. False (the
 * token is then kept in memory only) if the store failed. */
bool creds_save(struct creds *c, const char *server, const char *user, const char *token);
/* Forgets the token for server. */
void creds_forget(struct creds *c, const char *server);

#endif
