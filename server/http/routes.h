/* routes.h: the static route table of cqrsd and its dispatcher. */
#ifndef CQRS_ROUTES_H
#define CQRS_ROUTES_H

#include "server/http/http.h"

typedef void (*handler_fn)(struct req *r);

struct route {
	const char *method;
	const char *pattern; /* "{}" matches one path segment */
	handler_fn handler;
	bool auth;           /* needs a valid bearer token */
	size_t max_body;     /* largest body accepted; 0: the server's default */
	const char *roles;   /* one of these roles anywhere, checked before the
				body is read (NULL: the handler decides) */
};

/* Called once r's headers are in, before any body is read: finds the
 * route (answering 404 or 405 itself), authenticates when the route needs
 * it (401) and checks the route's roles (403). Returns false when it has
 * answered. On success r->route is set and r->body_limit is the route's. */
bool routes_begin(struct req *r);

/* Runs r's route (found by routes_begin) once the body is in. */
void routes_dispatch(struct req *r);

#endif
