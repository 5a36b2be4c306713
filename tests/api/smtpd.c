/* smtpd.c: a minimal SMTP listener on loopback for the API tests that
 * follow an e-mail from the outbox to its recipient (test_mail,
 * test_register), and waits on the server's log. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "smtpd.h"

/* ---- a minimal SMTP listener ------------------------------------------------ */

static struct {
	int fd;
	pthread_mutex_t lock;
	pthread_cond_t arrived; /* signalled when a message has been received */
	struct buf mail; /* every message received, each ending "\n.\n" */
	int count;
} smtp = {.fd = -1, .lock = PTHREAD_MUTEX_INITIALIZER, .arrived = PTHREAD_COND_INITIALIZER};

static bool readline(int fd, char *line, size_t size)
{
	size_t n = 0;
	while (n + 1 < size) {
		char c;
		if (read(fd, &c, 1) != 1)
			return false;
		line[n++] = c;
		if (c == '\n')
			break;
	}
	line[n] = '\0';
	return n > 0;
}

static void say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		return;
}

static void *smtp_conn(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char line[2048];
	struct buf rcpt;
	buf_init(&rcpt);
	say(fd, "220 test ESMTP\r\n");
	while (readline(fd, line, sizeof line)) {
		if (!strncasecmp(line, "EHLO", 4) || !strncasecmp(line, "HELO", 4)) {
			say(fd, "250 test\r\n");
		} else if (!strncasecmp(line, "MAIL FROM", 9)) {
			say(fd, "250 ok\r\n");
		} else if (!strncasecmp(line, "RCPT TO", 7)) {
			buf_puts(&rcpt, line);
			say(fd, "250 ok\r\n");
		} else if (!strncasecmp(line, "DATA", 4)) {
			say(fd, "354 go on\r\n");
			struct buf msg;
			buf_init(&msg);
			buf_puts(&msg, rcpt.data ? rcpt.data : "");
			while (readline(fd, line, sizeof line) && strcmp(line, ".\r\n"))
				buf_puts(&msg, line);
			buf_puts(&msg, "\n.\n");
			pthread_mutex_lock(&smtp.lock);
			buf_append(&smtp.mail, msg.data, msg.len);
			smtp.count++;
			pthread_cond_broadcast(&smtp.arrived);
			pthread_mutex_unlock(&smtp.lock);
			buf_free(&msg);
			buf_reset(&rcpt);
			say(fd, "250 queued\r\n");
		} else if (!strncasecmp(line, "QUIT", 4)) {
			say(fd, "221 bye\r\n");
			break;
		} else {
			say(fd, "250 ok\r\n");
		}
	}
	buf_free(&rcpt);
	close(fd);
	return NULL;
}

static void *smtp_accept(void *arg)
{
	for (;;) {
		int c = accept(smtp.fd, NULL, NULL);
		if (c < 0)
			return NULL;
		pthread_t t;
		pthread_create(&t, NULL, smtp_conn, (void *)(intptr_t)c);
		pthread_detach(t);
	}
}

int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	close(fd);
	return ntohs(sa.sin_port);
}

bool smtp_listen(int port)
{
	pthread_mutex_lock(&smtp.lock);
	if (!smtp.mail.data)
		buf_init(&smtp.mail);
	pthread_mutex_unlock(&smtp.lock);
	smtp.fd = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(smtp.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(smtp.fd, (struct sockaddr *)&sa, sizeof sa) || listen(smtp.fd, 16))
		return false;
	pthread_t t;
	pthread_create(&t, NULL, smtp_accept, NULL);
	pthread_detach(t);
	return true;
}

/* With smtp.lock held: how many received messages contain n1 and (when
 * not NULL) n2. *first (when first is not NULL) receives a copy of the
 * first of them (the caller frees it) or NULL; *newest (when not NULL) the
 * highest outbox id among them (the N of Message-ID: <cqrs-N-...>), or 0. */
static int matching(const char *n1, const char *n2, char **first, long long *newest)
{
	int n = 0;
	if (first)
		*first = NULL;
	if (newest)
		*newest = 0;
	for (char *m = smtp.mail.data; m && *m;) {
		char *end = strstr(m, "\n.\n");
		size_t len = end ? (size_t)(end - m) : strlen(m);
		char *one = xstrndup(m, len);
		if (strstr(one, n1) && (!n2 || strstr(one, n2))) {
			const char *mid = strstr(one, "Message-ID: <cqrs-");
			long long id = mid ? atoll(mid + 18) : 0;
			if (newest && id > *newest)
				*newest = id;
			if (first && !*first) {
				*first = one;
				one = NULL;
			}
			n++;
		}
		free(one);
		m = end ? end + 3 : m + len;
	}
	return n;
}

/* Waits up to seconds, woken by every message the listener receives, until
 * at least want messages contain n1 and n2 (when not NULL) and the newest
 * of them has an outbox id above after; returns whether that happened.
 * *first as for matching(). */
bool wait_for_mail(int seconds, const char *n1, const char *n2, int want, long long after,
			  char **first)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += seconds;
	pthread_mutex_lock(&smtp.lock);
	long long newest;
	int n = matching(n1, n2, NULL, &newest);
	while ((n < want || newest <= after) &&
	       pthread_cond_timedwait(&smtp.arrived, &smtp.lock, &deadline) != ETIMEDOUT)
		n = matching(n1, n2, NULL, &newest);
	n = matching(n1, n2, first, &newest);
	pthread_mutex_unlock(&smtp.lock);
	return n >= want && newest > after;
}

/* The first received message containing n1 and n2 (when not NULL), waiting
 * up to seconds for it; a copy the caller frees, or NULL. */
char *wait_mail(int seconds, const char *n1, const char *n2)
{
	char *m;
	wait_for_mail(seconds, n1, n2, 1, -1, &m);
	return m;
}

/* The highest outbox id of the messages received so far (0: none). */
long long newest_mail(void)
{
	long long newest;
	pthread_mutex_lock(&smtp.lock);
	matching("", NULL, NULL, &newest);
	pthread_mutex_unlock(&smtp.lock);
	return newest;
}

/* How many received messages contain both needles. */
int count_mail(const char *n1, const char *n2)
{
	pthread_mutex_lock(&smtp.lock);
	int n = matching(n1, n2, NULL, NULL);
	pthread_mutex_unlock(&smtp.lock);
	return n;
}

/* Waits up to seconds for the server's log to contain needle. */
bool wait_log(const struct server *s, int seconds, const char *needle)
{
	int64_t deadline = mono_ms() + seconds * 1000;
	for (;;) {
		char *log = server_log(s);
		bool found = log && strstr(log, needle);
		free(log);
		if (found || mono_ms() > deadline)
			return found;
		struct timespec ts = {0, 50 * 1000000L};
		nanosleep(&ts, NULL);
	}
}


int smtp_count(void)
{
	pthread_mutex_lock(&smtp.lock);
	int n = smtp.count;
	pthread_mutex_unlock(&smtp.lock);
	return n;
}
