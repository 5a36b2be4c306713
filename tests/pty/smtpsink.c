/* smtpsink.c: the loopback SMTP listener of the pty tests (smtpsink.h). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tests/pty/smtpsink.h"
#include "util.h"

static struct {
	int fd;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char **msgs;
	int n;
} sink = {.fd = -1, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* One line of the client (up to CRLF) into b; false at the end. Plain
 * read(2), not stdio: a FILE blocked in a read here would hold its lock
 * against the fflush(NULL) of the harness's fork. */
static bool next_line(int fd, struct buf *b)
{
	buf_reset(b);
	char c;
	while (read(fd, &c, 1) == 1) {
		buf_putc(b, c);
		if (c == '\n')
			return true;
	}
	return b->len > 0;
}

static void *serve(void *arg)
{
	int fd = (int)(intptr_t)arg;
	struct buf line, msg;
	buf_init(&line);
	buf_init(&msg);
	dprintf(fd, "220 sink\r\n");
	while (next_line(fd, &line)) {
		const char *l = line.data;
		if (strncasecmp(l, "RCPT TO", 7) == 0) {
			buf_puts(&msg, l);
			dprintf(fd, "250 ok\r\n");
		} else if (strncasecmp(l, "DATA", 4) == 0) {
			dprintf(fd, "354 end with .\r\n");
			while (next_line(fd, &line) && strcmp(line.data, ".\r\n") != 0)
				buf_puts(&msg, line.data);
			pthread_mutex_lock(&sink.mu);
			sink.msgs = xrealloc(sink.msgs, (size_t)(sink.n + 1) * sizeof(char *));
			sink.msgs[sink.n++] = xstrdup(msg.data ? msg.data : "");
			pthread_cond_broadcast(&sink.cv);
			pthread_mutex_unlock(&sink.mu);
			buf_reset(&msg);
			dprintf(fd, "250 kept\r\n");
		} else if (strncasecmp(l, "QUIT", 4) == 0) {
			dprintf(fd, "221 bye\r\n");
			break;
		} else {
			dprintf(fd, "250 ok\r\n");
		}
	}
	buf_free(&line);
	buf_free(&msg);
	close(fd);
	return NULL;
}

static void *accept_loop(void *arg)
{
	for (;;) {
		int c = accept(sink.fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		pthread_t t;
		if (pthread_create(&t, NULL, serve, (void *)(intptr_t)c) == 0)
			pthread_detach(t);
		else
			close(c);
	}
}

int smtpsink_start(void)
{
	sink.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	if (sink.fd < 0 || bind(sink.fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(sink.fd, 8) != 0 || getsockname(sink.fd, (struct sockaddr *)&sa, &len) != 0)
		return -1;
	pthread_t t;
	if (pthread_create(&t, NULL, accept_loop, NULL) != 0)
		return -1;
	pthread_detach(t);
	return ntohs(sa.sin_port);
}

char *smtpsink_wait(const char *text, int skip, int ms)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	char *found = NULL;
	pthread_mutex_lock(&sink.mu);
	for (;;) {
		int seen = 0;
		for (int i = 0; i < sink.n && !found; i++)
			if (strstr(sink.msgs[i], text) && seen++ == skip)
				found = xstrdup(sink.msgs[i]);
		if (found || pthread_cond_timedwait(&sink.cv, &sink.mu, &until) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&sink.mu);
	return found;
}
