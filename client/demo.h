/* demo.h: `cqrs --demo` runs the bundled cqrsd on a free loopback port with
 * the demo database under $XDG_STATE_HOME/cqrs/, and stops it on exit. */
#ifndef CQRS_CLIENT_DEMO_H
#define CQRS_CLIENT_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct demo_server {
	pid_t pid;
	char *url;      /* "http://127.0.0.1:PORT"; owned */
	char *db;       /* database path; owned */
	char *log;      /* where the server's request log goes; owned */
};

/* Finds cqrsd (next to this program, else $CQRSD, else on PATH), starts
 * it and waits (up to 15 s) for its "cqrsd: listening on URL" line. Its
 * stderr goes to demo.log beside the database. On failure writes why into
 * err and returns false. */
bool demo_start(struct demo_server *d, char *err, size_t errlen);
/* Stops the server (SIGTERM, then SIGKILL after 3 s) and frees d's
 * strings. Safe to call twice. */
void demo_stop(struct demo_server *d);

#endif
