/* smtpd.h: a minimal SMTP listener on loopback for the API tests (one per
 * test program): it accepts every message and keeps them all, each
 * ending "\n.\n" and starting with its "RCPT TO:<...>" lines. */
#ifndef CQRS_TEST_SMTPD_H
#define CQRS_TEST_SMTPD_H

#include <stdbool.h>

#include "harness.h"

/* A loopback port free now (-1 on failure). */
int free_port(void);
/* Listens on 127.0.0.1:port in a thread of its own; false on failure. */
bool smtp_listen(int port);
/* How many messages have arrived. */
int smtp_count(void);
/* Waits up to seconds, woken by every message, until at least want
 * messages contain n1 and n2 (when not NULL) and the newest of them has an
 * outbox id (Message-ID: <cqrs-N-...>) above after; *first (may be NULL)
 * gets a copy of the first of them (the caller frees it) or NULL. */
bool wait_for_mail(int seconds, const char *n1, const char *n2, int want, long long after,
		   char **first);
/* The first message containing n1 and n2 (when not NULL), waiting up to
 * seconds; a copy the caller frees, or NULL. */
char *wait_mail(int seconds, const char *n1, const char *n2);
/* The highest outbox id of the messages received so far (0: none). */
long long newest_mail(void);
/* How many received messages contain both needles. */
int count_mail(const char *n1, const char *n2);
/* Waits up to seconds for the server's log to contain needle. */
bool wait_log(const struct server *s, int seconds, const char *needle);

#endif
