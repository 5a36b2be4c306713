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
};

/* The largest body a request to method and path may send. */
size_t routes_body_limit(const char *method, const char *path, size_t deflt);

/* Finds the route for r, authenticates when needed, and runs it; answers
 * 404 and 405 itself. */
void routes_dispatch(struct req *r);

#endif
