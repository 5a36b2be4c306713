/* proxy.h: a small TCP proxy on loopback in front of a cqrsd, for the pty
 * tests and benchmarks: counts the bytes each way, the connections and
 * the round trips (the times the client sent after it had received), and
 * can misbehave like a broken link: let the requests through but drop the
 * replies (a reply lost after the server acted), or pass nothing at all
 * (a dead link). */
#ifndef CQRS_TEST_PROXY_H
#define CQRS_TEST_PROXY_H

#include <stdatomic.h>
#include <stdbool.h>

enum proxy_mode {
	PROXY_PASS,       /* relay both ways */
	PROXY_DROP_REPLY, /* relay requests; swallow what the server answers */
	PROXY_DEAD,       /* relay nothing; connections stay open and silent */
};

struct proxy {
	int listen_fd;
	int port;               /* where the client connects */
	int upstream_port;      /* cqrsd */
	atomic_ullong up, down; /* bytes client->server, server->client, relayed */
	atomic_uint connections;
	atomic_uint turns;      /* client sends after it received: round trips */
	atomic_int last;        /* 0 nothing yet, 1 client sent, 2 server sent */
	atomic_int mode;        /* enum proxy_mode */
	atomic_uint dropped;    /* replies (reads from the server) swallowed */
};

/* Listens on a free loopback port and relays to upstream_port on loopback
 * (threads; they live until the program ends). */
bool proxy_start(struct proxy *p, int upstream_port);
void proxy_set_mode(struct proxy *p, enum proxy_mode m);

#endif
