/* Shared pieces of src/auth: base64url, JWS parsing and signature checks
 * (jwt.c) and the signing keys with their cache (jwks.c). auth.c glues them
 * to the transport's auth_check/auth_metadata interface. Nothing here logs
 * or keeps a token; every function is safe to call from several threads
 * (the key store guards its cache with its own locks). */
#ifndef MCP_AUTH_INTERNAL_H
#define MCP_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "auth/auth.h"

/* ---------------- jwt.c ---------------- */

typedef enum jws_alg { JWS_NONE_SUPPORTED = 0, JWS_RS256, JWS_ES256 } jws_alg;

/* Strict base64url (no padding, no stray bits). *out is malloc'd, *outlen
 * its length; the buffer is NUL-terminated for convenience. */
bool mcp__b64url_decode(const char *in, size_t len, unsigned char **out, size_t *outlen);

/* A compact JWS split and decoded; signature not yet checked. */
typedef struct jws {
    jws_alg alg;
    char *kid;                     /* NULL when the header has none */
    cJSON *header, *claims;
    const char *signing_input;     /* points into the token: "<h>.<p>" */
    size_t signing_input_len;
    unsigned char *sig;
    size_t sig_len;
} jws;

/* 0 on success; otherwise a short reason (static string) for
 * error_description. The token is only read, never copied into a reason. */
const char *mcp__jws_parse(const char *token, jws *out);
void mcp__jws_free(jws *j);
/* True when sig verifies over the signing input with key (type checked). */
bool mcp__jws_verify(const jws *j, EVP_PKEY *key);

/* ---------------- jwks.c ---------------- */

typedef struct key_store key_store;

/* Loads the JWKS from file or (if file is NULL) url; NULL with err filled
 * when neither gives at least one usable RS256/ES256 signing key. */
key_store *mcp__key_store_new(const char *file, const char *url, char *err, size_t errlen);
void mcp__key_store_free(key_store *ks);
typedef enum key_verdict { KEY_VERIFIED, KEY_UNKNOWN, KEY_BAD_SIGNATURE } key_verdict;
/* Verifies j with the key for its kid (or the only key when it has no kid)
 * usable with its alg. An unknown kid makes a URL-backed store refetch, at
 * most once per interval, then try again. */
key_verdict mcp__key_store_verify(key_store *ks, const jws *j);
/* JWKS loads so far (start + refetch attempts). */
unsigned mcp__key_store_fetches(key_store *ks);
/* Test hook: minimum seconds between refetches (default 60). */
void mcp__key_store_set_refetch_interval(key_store *ks, unsigned seconds);

/* ---------------- auth.c test hooks ---------------- */

void mcp__auth_set_refetch_interval(mcp_auth *auth, unsigned seconds);
unsigned mcp__auth_jwks_fetches(mcp_auth *auth);

#endif
