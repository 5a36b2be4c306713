/* mailer.h: delivers the e-mail outbox over SMTP with libcurl, from a
 * background thread. A relay that is down delays delivery (with back-off)
 * without losing a message: a message leaves the outbox only once the
 * relay has accepted it. */
#ifndef CQRS_MAILER_H
#define CQRS_MAILER_H

#include <stdbool.h>
#include <stdint.h>

struct store;
struct mail;

/* The RFC 5322 text of mail from `from`, dated when (seconds since the
 * epoch): header values on one line (control characters become spaces),
 * non-ASCII ones as RFC 2047 encoded-words; the caller frees it. */
char *mailer_message(const struct mail *mail, const char *from, int64_t when);

/* Starts the delivery thread for smtp_url (e.g. smtp://127.0.0.1:25),
 * sending as from. Returns false if the thread cannot start. */
bool mailer_start(struct store *store, const char *smtp_url, const char *from);
/* With days > 0 (cqrsd --password-max-age), the delivery thread also
 * queues, once a minute, one e-mail per user whose password expires
 * within PASSWORD_WARN_DAYS (once per password). Call before mailer_start. */
void mailer_password_max_age(int days);
/* Stops the thread (finishing the message in flight). */
void mailer_stop(void);

#endif
