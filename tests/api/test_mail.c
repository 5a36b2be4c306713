/* test_mail.c: e-mail notifications end to end: a declaration leaves an
 * e-mail for the approver in the outbox; cqrsd delivers it over SMTP to a
 * listener on loopback once the relay is up (a relay that is down delays
 * delivery without losing the message); and a user who turns a kind of
 * notification off in My Account gets no more of them. Every wait is for
 * an event with a deadline: a line in the server's log, or a message
 * arriving at the listener (which wakes the waiting test). */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

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

static int free_port(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof sa;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || getsockname(fd, (struct sockaddr *)&sa, &len))
		return -1;
	close(fd);
	return ntohs(sa.sin_port);
}

static bool smtp_listen(int port)
{
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
static bool wait_for_mail(int seconds, const char *n1, const char *n2, int want, long long after,
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
static char *wait_mail(int seconds, const char *n1, const char *n2)
{
	char *m;
	wait_for_mail(seconds, n1, n2, 1, -1, &m);
	return m;
}

/* The highest outbox id of the messages received so far (0: none). */
static long long newest_mail(void)
{
	long long newest;
	pthread_mutex_lock(&smtp.lock);
	matching("", NULL, NULL, &newest);
	pthread_mutex_unlock(&smtp.lock);
	return newest;
}

/* How many received messages contain both needles. */
static int count_mail(const char *n1, const char *n2)
{
	pthread_mutex_lock(&smtp.lock);
	int n = matching(n1, n2, NULL, NULL);
	pthread_mutex_unlock(&smtp.lock);
	return n;
}

/* Waits up to seconds for the server's log to contain needle. */
static bool wait_log(const struct server *s, int seconds, const char *needle)
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

static json_int_t first_declaration(struct server *s, const char *token, const char *status)
{
	struct http_resp r;
	char path[128];
	snprintf(path, sizeof path, "/api/v1/declarations?status=%s", status);
	http_get(s, path, token, &r);
	json_int_t id = 0;
	json_t *list = r.json ? json_object_get(r.json, "declarations") : NULL;
	if (json_array_size(list))
		id = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	http_resp_free(&r);
	return id;
}

/* Declares id with every checklist item ticked; returns the HTTP status. */
static long declare(struct server *s, const char *token, json_int_t id)
{
	struct http_resp r;
	char path[96];
	snprintf(path, sizeof path, "/api/v1/declarations/%lld", (long long)id);
	http_get(s, path, token, &r);
	json_t *ticked = json_array();
	size_t i;
	json_t *item;
	json_array_foreach(json_object_get(r.json, "checklist"), i, item)
		json_array_append(ticked, json_object_get(item, "id"));
	json_t *body = json_pack("{s:O, s:o, s:s}", "version", json_object_get(r.json, "version"),
				 "ticked", ticked, "notes", "checked by the mail test");
	http_resp_free(&r);
	char *text = json_dumps(body, 0);
	json_decref(body);
	snprintf(path, sizeof path, "/api/v1/declarations/%lld/declare", (long long)id);
	http_send(s, "POST", path, token, text, &r);
	free(text);
	long st = r.status;
	if (st != 200)
		diag_resp(&r);
	http_resp_free(&r);
	return st;
}

int main(void)
{
	harness_timeout(120);
	tap_plan(9);
	buf_init(&smtp.mail);
	int port = free_port();
	char url[64];
	snprintf(url, sizeof url, "smtp://127.0.0.1:%d", port);
	const char *args[] = {"--smtp-url", url, "--mail-from", "cqrs@test.nhs.uk", NULL};
	struct server s;
	if (!server_start(&s, args, 30))
		tap_bail("cqrsd did not start");

	char *practice = sign_in(&s, "demo.practice", "Terminal-2025", NULL);
	char *approver = sign_in(&s, "demo.approver", "Terminal-2025", NULL);
	if (!practice || !approver)
		tap_bail("demo users cannot sign in");
	json_int_t id = first_declaration(&s, practice, "AWAITING_PROVIDER");
	tap_ok(id > 0, "the demo practice has an achievement awaiting declaration");
	tap_ok(declare(&s, practice, id) == 200, "demo.practice declares it through the checklist");

	/* The relay is down: the message waits, and the server says so. */
	tap_ok(wait_log(&s, 20, "delayed"), "with the relay down, delivery is delayed (logged)");
	tap_ok(smtp.count == 0, "nothing was delivered while the relay was down");

	if (!smtp_listen(port))
		tap_bail("cannot listen on %d", port);
	char *m = wait_mail(20, "sarah.okafor@nhs.net", "Subject: Declaration awaiting approval");
	tap_ok(m != NULL, "once the relay is up the approver's e-mail arrives");
	tap_ok(m && strstr(m, "From: CQRS National <cqrs@test.nhs.uk>") && strstr(m, "Date: ") &&
	       strstr(m, "Message-ID: <") && strstr(m, "charset=utf-8"),
	       "it is an RFC 5322 message (Date, From, Message-ID, UTF-8 body)");
	if (m)
		tap_diag("%.600s", m);
	/* What the declaration is ("The Densham Surgery (A81001), ..."): the
	 * e-mails about it name it in their subject. */
	const char *subj = m ? strstr(m, "Subject: Declaration awaiting approval: ") : NULL;
	char *what = subj ? xstrndup(subj + 40, strcspn(subj + 40, "\r\n")) : xstrdup("?");
	char *due_subject = xasprintf("Subject: Declaration due: %s", what);
	free(m);

	/* The approver turns declaration e-mails off in My Account. */
	struct http_resp r;
	http_send(&s, "PUT", "/api/v1/me/notifications", approver,
		  "{\"DECLARATION_APPROVAL\": false}", &r);
	bool off = false;
	size_t i;
	json_t *p;
	json_array_foreach(json_object_get(r.json, "preferences"), i, p)
		if (!strcmp(jstr(p, "kind"), "DECLARATION_APPROVAL"))
			off = json_is_false(json_object_get(p, "enabled"));
	tap_ok(r.status == 200 && off, "the approver turns 'awaits my approval' e-mails off");
	http_resp_free(&r);

	/* Return it (the practice is e-mailed), declare again: no new
	 * e-mail for the approver this time. */
	char body[160];
	snprintf(body, sizeof body, "{\"action\": \"return\", \"declarations\": [%lld],"
		 " \"reason\": \"recount\"}", (long long)id);
	long long last = newest_mail();
	http_send(&s, "POST", "/api/v1/declarations/actions", approver, body, &r);
	http_resp_free(&r);
	tap_ok(wait_for_mail(20, "RCPT TO:<priya.shah@nhs.net>", due_subject, 1, last, NULL),
	       "returning it e-mails the practice's declarer");
	int before = count_mail("RCPT TO:<sarah.okafor@nhs.net>", "Subject: Declaration awaiting approval");
	last = newest_mail();
	long declared = declare(&s, practice, id);
	/* The outbox goes out in the order it was written (new messages at
	 * once; the demo's older ones may come later, after their back-off):
	 * once a message queued after the declaration has arrived, an e-mail
	 * the declaration queued for the approver would have arrived before
	 * it. Returning the declaration once more queues one for the practice. */
	http_send(&s, "POST", "/api/v1/declarations/actions", approver, body, &r);
	long returned = r.status;
	http_resp_free(&r);
	bool later = wait_for_mail(20, "RCPT TO:<priya.shah@nhs.net>", due_subject, 1, last, NULL);
	if (declared != 200 || returned != 200 || !later)
		tap_diag("declared again: %ld, returned again: %ld, the later e-mail %s", declared,
			 returned, later ? "arrived" : "did not arrive");
	int after = count_mail("RCPT TO:<sarah.okafor@nhs.net>", "Subject: Declaration awaiting approval");
	tap_ok(before == 1 && after == before && later,
	       "with the preference off, declaring again e-mails the approver nothing");

	free(what);
	free(due_subject);
	free(practice);
	free(approver);
	server_stop(&s, 10, tap_failed() > 0);
	return tap_done();
}
