/* report_cli.h: `cqrs report NAME [--param KEY=VALUE]... [--format
 * csv|json]` and `cqrs report --list`, for scripts and support staff: no
 * curses, the stored token (creds.c) or a password asked on the terminal,
 * the report on standard output. See cqrs(1). */
#ifndef CQRS_CLIENT_REPORT_CLI_H
#define CQRS_CLIENT_REPORT_CLI_H

#include "client/api.h"
#include "client/creds.h"

/* Exit statuses besides 0 (done) and 1 (anything else). */
#define REPORT_EXIT_USAGE 2        /* bad parameters or command line */
#define REPORT_EXIT_REFUSED 3      /* not signed in, or the role is refused */
#define REPORT_EXIT_UNREACHABLE 4  /* the server cannot be reached */

/* argv[0] is "report". api has the stored token if there is one; creds
 * (may be NULL) stores a new one. Returns the exit status. */
int report_cli(struct api *api, struct creds *creds, const char *server, const char *saved_user,
	       int argc, char **argv);

#endif
