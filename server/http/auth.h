/* auth.h: passwords (argon2id), bearer tokens (256 random bits, stored as
 * BLAKE2b hashes), request authentication and the authorisation checks
 * every handler uses: role grants, organisation scope and clusters. */
#ifndef CQRS_AUTH_H
#define CQRS_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "server/http/http.h"
#include "server/store/store.h"

/* The signed-in user of a request. Owns grants. */
struct authctx {
	int64_t uid;
	int64_t session_id;
	char user_id[65];
	bool system_account; /* e.g. extract.loader: see routes.c authorise */
	struct grant *grants;
	size_t ngrants;
};

bool auth_init(void);
/* Hashes a password with argon2id into out (at least 128 bytes). */
bool auth_hash_password(const char *password, char *out, size_t outlen);
bool auth_verify_password(const char *hash, const char *password);
/* Spends the time of one verification, so that an unknown user ID cannot
 * be told from a wrong password by timing. */
void auth_dummy_verify(const char *password);
/* Makes a new token: hex text into token_hex (65 bytes) and its hash. */
void auth_new_token(char token_hex[65], unsigned char hash[32]);
/* Hashes presented token text; false if it is not 64 hex digits. */
bool auth_token_hash(const char *token_hex, unsigned char hash[32]);

/* A new registration or reset code "XXXX-XXXX-XXXX" and its hash (hex). */
void auth_new_code(char code[15], char hash_hex[65]);
/* The hash of a typed code (case, spaces and dashes ignored); false when
 * it cannot be a code (8 to 39 letters and digits). */
bool auth_code_hash(const char *typed, char hash_hex[65]);

/* Authenticates r from its Authorization header; on failure replies 401
 * and returns false. On success r->auth is set. */
bool auth_request(struct req *r);
void auth_free(struct authctx **a);

/* True if the user holds any of roles (comma-separated) anywhere. */
bool auth_has_role_anywhere(const struct authctx *a, const char *roles);
/* True if org_id is in the user's scope for any of roles (NULL: any). */
bool auth_org_in_scope(struct req *r, int64_t org_id, const char *roles);

/* True if the user may read service_id's data at org_id (0: at some
 * organisation) for any of roles (NULL: any): scope and the View /
 * Finance View payment-type restriction (store_service_readable). */
bool auth_service_readable(struct req *r, int64_t org_id, int64_t service_id, const char *roles);

#endif
