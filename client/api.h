/* api.h: the cqrsd HTTP/JSON client. One kept-alive curl easy handle driven
 * by a curl multi handle, so requests run while the UI keeps reading keys:
 * requests queue and run one at a time; a request marked `retry` that
 * cannot reach the server stays queued and is retried with back-off, and
 * the client reports itself offline until it gets through.
 *
 * Every write (any method but GET) carries an Idempotency-Key; the server
 * answers the same key with its first answer, so a write whose reply was
 * lost is sent again (with the same key) like a read, and its callback
 * gets what the server answered the first time. Every GET sends the ETag
 * of the last answer kept for its path (in memory) as If-None-Match; a
 * 304 is handed to the callback as that kept answer (status 200,
 * not_modified set). A dead link is noticed in a few seconds: TCP
 * keep-alive probes every second after 2 idle seconds, unacknowledged
 * data given up after 6 s (TCP_USER_TIMEOUT), and no byte received for
 * stall_timeout seconds shown at once (api_silent). */
#ifndef CQRS_CLIENT_API_H
#define CQRS_CLIENT_API_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

enum api_outcome {
	API_HTTP,       /* the server answered (any status) */
	API_NET_ERROR,  /* could not connect, or the connection failed */
	API_CANCELLED,  /* cancelled by api_cancel_current() */
};

struct api_response {
	enum api_outcome outcome;
	long status;            /* HTTP status, 0 unless API_HTTP */
	json_t *json;           /* parsed body or NULL; borrowed for the callback */
	const char *err_code;   /* error.code of an error body, or "" */
	const char *err_message;/* error.message, or a network error text */
	const char *method, *path;
	bool replayed;          /* a write's first answer, sent again by the
				   server for its Idempotency-Key */
	bool not_modified;      /* a GET answered 304: json is the kept answer */
};

typedef void (*api_done_fn)(void *ud, const struct api_response *r);

struct api;

/* Returns a client for base_url (e.g. "http://127.0.0.1:8080"); timeouts
 * in seconds. Free it with api_free. */
struct api *api_new(const char *base_url, int connect_timeout, int stall_timeout);
/* Cancels everything silently and frees *a, setting it to NULL. */
void api_free(struct api **a);
/* Sets (copies) or clears the bearer token sent with each request. */
void api_set_token(struct api *a, const char *token);
/* Trusts the CA certificates in this PEM file (copied; NULL: the system
 * trust store, libcurl's default) for https:// servers. The server's
 * certificate is always verified; a failure is an API_NET_ERROR whose
 * message says in words what is wrong (and is not retried). */
void api_set_ca_file(struct api *a, const char *path);
/* The message in words for a libcurl failure code rc (details: libcurl's
 * own text, may be empty), written to out. True when rc is a TLS
 * (certificate or handshake) failure, which retrying will not mend. */
bool api_describe_error(int rc, const char *details, const char *ca_file, char *out,
			size_t outlen);
const char *api_token(const struct api *a);
const char *api_base(const struct api *a);

/* Queues METHOD /api/v1PATH. body (may be NULL) is stolen. cb is called
 * exactly once, from api_run(), unless the request is dropped with
 * api_drop_owner(owner). With retry, connection failures keep the request
 * queued and retried with back-off (1 s doubling to 16 s); without, they
 * complete it with API_NET_ERROR. Returns the request id. */
unsigned api_request(struct api *a, const char *method, const char *path, json_t *body,
		     bool retry, api_done_fn cb, void *ud, const void *owner);
/* Queues GET /api/v1PATH whose 200 answer's body is written to out as it
 * arrives (a report's CSV: never held in memory, never parsed); any other
 * answer is parsed as usual. Not retried. A failure to write out ends the
 * transfer with API_NET_ERROR "the file could not be written". out stays
 * open (the caller closes it after cb). */
unsigned api_download(struct api *a, const char *path, FILE *out, api_done_fn cb, void *ud,
		      const void *owner);
/* Bytes the running (or last) download has written. */
uint64_t api_downloaded(const struct api *a);
/* The same with the Idempotency-Key of a write (NULL: a new one). */
unsigned api_request_keyed(struct api *a, const char *method, const char *path, json_t *body,
			   const char *key, bool retry, api_done_fn cb, void *ud,
			   const void *owner);
/* A new random Idempotency-Key (32 hex digits) into out. */
#define API_KEY_SIZE 33
void api_new_key(char out[API_KEY_SIZE]);
/* While offline: sends the request waiting to be retried now instead of
 * at the end of its back-off, or instead of waiting for the try under way
 * to time out (the user pressed Refresh). False when online or idle. */
bool api_retry_now(struct api *a);
/* True when the head request is a write that has not been answered and
 * is waiting to be sent again. */
bool api_write_unanswered(const struct api *a);
/* Forgets every queued request of owner, without calling back; ud is
 * not freed (the owner frees it). */
void api_drop_owner(struct api *a, const void *owner);
/* Cancels the request at the head of the queue (running or waiting to be
 * retried); its callback gets API_CANCELLED. False if there was none. */
bool api_cancel_current(struct api *a);
/* Waits at most timeout_ms for network activity, for fd to become
 * readable (fd -1: none) or for a retry to fall due. Returns true if fd is
 * readable. */
bool api_wait(struct api *a, int fd, int fd2, int timeout_ms);
/* Moves transfers on and calls the callbacks of finished requests. */
void api_run(struct api *a);
/* Whether a request is queued or running. */
bool api_busy(const struct api *a);
/* How long the head request has been running, in ms (0 if none). */
int64_t api_busy_ms(const struct api *a);
/* Seconds the request under way has had no byte from the server, once
 * that is stall_timeout or more (the link is probably down); else 0. It
 * is given up (and a retrying request tried again) after three times
 * stall_timeout. */
int api_silent(const struct api *a);
/* False after a connection failure, until a request gets through. */
bool api_online(const struct api *a);
/* Seconds until the next retry while offline (0 if none pending). */
int api_retry_in(const struct api *a);
/* Bytes received and sent (bodies and headers) since start. */
void api_counters(const struct api *a, uint64_t *in, uint64_t *out, unsigned *requests);
/* Keeps body (JSON text) with etag as the answer to GET path, which the
 * next GET of path within a few seconds gets without asking the server
 * (an answer that came with another one, e.g. Home's tasks with the
 * sign-in); later GETs revalidate it with If-None-Match as usual. */
void api_prime(struct api *a, const char *path, const char *etag, const char *body);
/* GETs answered 304 Not Modified since start. */
unsigned api_not_modified(const struct api *a);

#endif
