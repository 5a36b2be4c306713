/* idem.h: answering twice the same: idempotent writes (a write sent again
 * with the same Idempotency-Key gets its first answer again) and
 * conditional reads (ETag / If-None-Match, 304 Not Modified). */
#ifndef CQRS_IDEM_H
#define CQRS_IDEM_H

#include <stdbool.h>
#include <stddef.h>

#include "server/http/http.h"

/* The longest Idempotency-Key accepted (letters, digits, '-' and '_'). */
#define IDEM_KEY_MAX 100

/* Whether an authenticated write carries a well-formed Idempotency-Key:
 * then it runs in one transaction with idem_replay and idem_record. */
bool idem_applies(struct req *r);
/* Before an authenticated write runs: when it carries an Idempotency-Key
 * the user has used before, answers it (the first answer again, or 422
 * when the method, path or body differ) and returns true; a malformed
 * key is answered 400. False: run the write. */
bool idem_replay(struct req *r);
/* After the write ran: keeps its answer under its key (answers of 500 and
 * above, 429 and 503 are not kept, so a retry runs again). */
void idem_record(struct req *r);

/* A strong ETag (16 hex digits of a BLAKE2b hash, quoted) of body, into
 * out (at least IDEM_ETAG_SIZE bytes). */
#define IDEM_ETAG_SIZE 20
void idem_etag(const char *body, size_t len, char out[IDEM_ETAG_SIZE]);
/* True when the If-None-Match header value inm names etag (or is "*"). */
bool idem_etag_matches(const char *inm, const char *etag);

#endif
