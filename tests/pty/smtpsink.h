/* smtpsink.h: an SMTP listener on loopback for pty tests, so that a test
 * can read the e-mail cqrsd sends (cqrsd --smtp-url smtp://127.0.0.1:PORT)
 * as the person it is addressed to would: a thread answers the SMTP
 * dialogue and keeps every message; the test waits for one that holds a
 * text, with a deadline (a condition variable, never a bare sleep). */
#ifndef CQRS_TEST_SMTPSINK_H
#define CQRS_TEST_SMTPSINK_H

#include <stdbool.h>

/* Starts listening on a free loopback port; returns it, or -1. */
int smtpsink_start(void);
/* Waits up to ms for a message containing text (its envelope recipients
 * first, then its headers and body), after skip earlier such messages;
 * returns a copy of that message (the caller frees it), or NULL. */
char *smtpsink_wait(const char *text, int skip, int ms);

#endif
