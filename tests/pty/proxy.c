/* proxy.c: the test proxy (see proxy.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/pty/proxy.h"
#include "util.h"

struct conn {
	struct proxy *p;
	int fd;
};

/* Copies what is readable on from to to; false at end of stream. */
static bool relay(int from, int to, atomic_ullong *count)
{
	char chunk[16384];
	ssize_t n = read(from, chunk, sizeof chunk);
	if (n < 0 && errno == EINTR)
		return true;
	if (n <= 0)
		return false;
	atomic_fetch_add(count, (unsigned long long)n);
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, chunk + off, (size_t)(n - off));
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		off += w;
	}
	return true;
}

/* Reads and discards what is readable on fd; false at end of stream. */
static bool sink(int fd)
{
	char chunk[16384];
	ssize_t n = read(fd, chunk, sizeof chunk);
	return n > 0 || (n < 0 && errno == EINTR);
}

/* One connection: relays both ways until either side closes. Owns c. */
static void *conn_thread(void *arg)
{
	struct conn *c = arg;
	int up = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)c->p->upstream_port);
	if (up >= 0 && connect(up, (struct sockaddr *)&a, sizeof a) == 0) {
		for (;;) {
			struct pollfd fds[2] = { { .fd = c->fd, .events = POLLIN },
						 { .fd = up, .events = POLLIN } };
			if (poll(fds, 2, -1) < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			int mode = atomic_load(&c->p->mode);
			if (fds[0].revents) {
				if (mode == PROXY_DEAD) {
					if (!sink(c->fd))
						break;
					continue;
				}
				if (atomic_exchange(&c->p->last, 1) != 1)
					atomic_fetch_add(&c->p->turns, 1);
				if (!relay(c->fd, up, &c->p->up))
					break;
			}
			if (fds[1].revents) {
				if (mode != PROXY_PASS) {
					atomic_fetch_add(&c->p->dropped, 1);
					if (!sink(up))
						break;
					continue;
				}
				atomic_store(&c->p->last, 2);
				if (!relay(up, c->fd, &c->p->down))
					break;
			}
		}
	}
	if (up >= 0)
		close(up);
	close(c->fd);
	free(c);
	return NULL;
}

static void *accept_thread(void *arg)
{
	struct proxy *p = arg;
	for (;;) {
		int fd = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;
		}
		struct conn *c = xcalloc(1, sizeof *c);
		c->p = p;
		c->fd = fd;
		atomic_fetch_add(&p->connections, 1);
		pthread_t th;
		if (pthread_create(&th, NULL, conn_thread, c) != 0) {
			close(fd);
			free(c);
			continue;
		}
		pthread_detach(th);
	}
}

bool proxy_start(struct proxy *p, int upstream_port)
{
	memset(p, 0, sizeof *p);
	p->upstream_port = upstream_port;
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&a, sizeof a) < 0 ||
	    listen(p->listen_fd, 16) < 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&a, &len) < 0) {
		fprintf(stderr, "proxy: %s\n", strerror(errno));
		return false;
	}
	p->port = ntohs(a.sin_port);
	pthread_t th;
	if (pthread_create(&th, NULL, accept_thread, p) != 0)
		return false;
	pthread_detach(th);
	return true;
}

void proxy_set_mode(struct proxy *p, enum proxy_mode m)
{
	atomic_store(&p->mode, (int)m);
}
