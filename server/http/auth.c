/* auth.c: password hashing, tokens, request authentication and scope. */
#include "config.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/http/auth.h"

bool auth_init(void)
{
	return sodium_init() >= 0;
}

bool auth_hash_password(const char *password, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return false;
	return crypto_pwhash_str_alg(out, password, strlen(password),
				     crypto_pwhash_OPSLIMIT_INTERACTIVE,
				     crypto_pwhash_MEMLIMIT_INTERACTIVE,
				     crypto_pwhash_ALG_ARGON2ID13) == 0;
}

bool auth_verify_password(const char *hash, const char *password)
{
	if (!hash || !*hash)
		return false;
	return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void make_dummy(void)
{
	auth_hash_password("not a real password: timing only", dummy_hash, sizeof dummy_hash);
}

void auth_dummy_verify(const char *password)
{
	pthread_once(&dummy_once, make_dummy);
	(void)auth_verify_password(dummy_hash, password);
}

void auth_new_token(char token_hex[65], unsigned char hash[32])
{
	unsigned char raw[32];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token_hex, 65, raw, sizeof raw);
	auth_token_hash(token_hex, hash);
	sodium_memzero(raw, sizeof raw);
}

bool auth_token_hash(const char *token_hex, unsigned char hash[32])
{
	if (!token_hex || strlen(token_hex) != 64)
		return false;
	for (int i = 0; i < 64; i++) {
		char c = token_hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	crypto_generichash(hash, 32, (const unsigned char *)token_hex, 64, NULL, 0);
	return true;
}

void auth_free(struct authctx **a)
{
	if (!*a)
		return;
	free((*a)->grants);
	free(*a);
	*a = NULL;
}

bool auth_request(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	unsigned char hash[32];
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		reply_error(r, 401, "unauthenticated", NULL, "sign in first: no bearer token was sent");
		return false;
	}
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	if (!auth_token_hash(tok, hash)) {
		reply_error(r, 401, "unauthenticated", NULL, "the token is not valid; sign in again");
		return false;
	}
	struct token_auth t;
	int64_t now = wall_s();
	enum st st = store_token_auth(r->db, hash, now, r->srv->cfg.token_idle, &t);
	if (st != ST_OK) {
		if (st == ST_NOTFOUND)
			reply_error(r, 401, "unauthenticated", NULL,
				    "your session has expired or was signed out; sign in again");
		else if (st == ST_FORBIDDEN)
			reply_error(r, 401, "unauthenticated", NULL, "this account can no longer sign in");
		else
			reply_store_error(r, st);
		return false;
	}
	/* Refresh the idle clock at most every so often: a write per request
	 * would serialise every reader behind the WAL writer. */
	int64_t step = r->srv->cfg.token_idle / 4;
	if (step > 60)
		step = 60;
	if (now - t.session.last_used_at >= step)
		store_session_touch(r->db, t.session.id, now);
	struct authctx *a = xcalloc(1, sizeof *a);
	a->uid = t.session.uid;
	a->session_id = t.session.id;
	strlcpy_s(a->user_id, t.user_id, sizeof a->user_id);
	a->system_account = t.system_account;
	a->grants = t.grants;
	a->ngrants = t.ngrants;
	r->auth = a;
	return true;
}

bool auth_has_role_anywhere(const struct authctx *a, const char *roles)
{
	for (size_t i = 0; i < a->ngrants; i++)
		if (role_listed(roles, a->grants[i].role))
			return true;
	return false;
}

bool auth_org_in_scope(struct req *r, int64_t org_id, const char *roles)
{
	if (!r->auth)
		return false;
	if (roles && !auth_has_role_anywhere(r->auth, roles))
		return false;
	return store_org_in_scope(r->db, r->auth->uid, org_id, roles);
}

bool auth_service_readable(struct req *r, int64_t org_id, int64_t service_id, const char *roles)
{
	if (!r->auth)
		return false;
	if (roles && !auth_has_role_anywhere(r->auth, roles))
		return false;
	return store_service_readable(r->db, r->auth->uid, org_id, service_id, roles);
}

/* Registration and reset codes: 12 characters of an alphabet without
 * look-alikes (60 bits), shown in groups of four. */
static const char code_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

bool auth_code_hash(const char *typed, char hash_hex[65])
{
	char norm[40];
	size_t n = 0;
	for (const char *p = typed; p && *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (n + 1 >= sizeof norm)
			return false;
		char c = *p;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return false;
		norm[n++] = c;
	}
	if (n < 8)
		return false;
	unsigned char h[32];
	crypto_generichash(h, sizeof h, (const unsigned char *)norm, n, NULL, 0);
	sodium_bin2hex(hash_hex, 65, h, sizeof h);
	return true;
}

void auth_new_code(char code[15], char hash_hex[65])
{
	size_t w = 0;
	for (int i = 0; i < 12; i++) {
		if (i && i % 4 == 0)
			code[w++] = '-';
		code[w++] = code_alphabet[randombytes_uniform(sizeof code_alphabet - 1)];
	}
	code[w] = '\0';
	auth_code_hash(code, hash_hex);
}
