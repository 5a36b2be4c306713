/* drafts.h: local drafts of the Data Submission group forms, so nothing
 * typed is lost to a dropped connection, a killed client or an SSH
 * disconnect. A draft is one JSON file per server, user, achievement and
 * indicator group under $XDG_STATE_HOME/cqrs/drafts/ (mode 0600, the
 * directory 0700), replaced atomically (written to a temporary file in the
 * same directory, then renamed) on every keystroke. The form removes it
 * once the server has stored the values. No curses here. */
#ifndef CQRS_CLIENT_DRAFTS_H
#define CQRS_CLIENT_DRAFTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

/* The drafts directory ($XDG_STATE_HOME/cqrs/drafts, or
 * $HOME/.local/state/cqrs/drafts); a new string, or NULL when neither
 * variable is set. */
char *drafts_dir(void);

/* The path of the draft for this server, user, achievement and group:
 * DIR/HASH-ACH-GROUP.json where HASH is a 64-bit FNV-1a hash of server and
 * user (so neither appears in a file name). A new string, or NULL when
 * there is no drafts directory. */
char *draft_path(const char *server, const char *user, int64_t achievement, int64_t group);

/* Writes obj (not stolen) to path atomically with mode 0600, creating the
 * directory (0700) if needed. On failure writes why into err and returns
 * false; an existing draft is then left as it was. */
bool draft_save(const char *path, const json_t *obj, char *err, size_t errlen);

/* Reads the draft at path: a new reference, or NULL when there is none
 * or it cannot be read as a JSON object (err, may be NULL, says which:
 * empty when there is none). */
json_t *draft_load(const char *path, char *err, size_t errlen);

/* Removes the draft; true when it is gone (or was never there). */
bool draft_remove(const char *path);

#endif
