/* Compact JWS handling for bearer access tokens: strict base64url, the
 * "<header>.<payload>.<signature>" split, header checks (alg RS256 or ES256
 * only, no crit, kid a string), JSON decoding of header and claims, and the
 * signature check with OpenSSL 3 EVP (ES256's raw r||s turned into DER).
 * Claim semantics (aud, exp, scopes...) live in auth.c. Reasons returned
 * here are fixed strings: they never echo any part of the token. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth_internal.h"

enum { MAX_TOKEN_LEN = 8192 };

static int b64url_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '-')
        return 62;
    if (c == '_')
        return 63;
    return -1;
}

bool mcp__b64url_decode(const char *in, size_t len, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (len % 4 == 1)
        return false;
    unsigned char *buf = malloc(len / 4 * 3 + 3);
    if (!buf)
        return false;
    size_t n = 0;
    uint32_t acc = 0;
    unsigned bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64url_value((unsigned char)in[i]);
        if (v < 0) {
            free(buf);
            return false;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) { /* leftover bits must be zero: one encoding per value */
        free(buf);
        return false;
    }
    buf[n] = '\0';
    *out = buf;
    *outlen = n;
    return true;
}

/* A JSON object from base64url, whole input consumed, no NUL bytes and no
 * \u0000 escapes (cJSON strings end at NUL: two different values must not
 * read the same). */
static cJSON *decode_object(const char *in, size_t len)
{
    unsigned char *raw = NULL;
    size_t rawlen = 0;
    if (!mcp__b64url_decode(in, len, &raw, &rawlen))
        return NULL;
    cJSON *obj = NULL;
    if (rawlen > 0 && !memchr(raw, '\0', rawlen) && !strstr((char *)raw, "\\u0000")) {
        const char *end = NULL;
        obj = cJSON_ParseWithLengthOpts((const char *)raw, rawlen, &end, false);
        if (obj) {
            while (end && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
                end++;
            if (!cJSON_IsObject(obj) || !end || *end != '\0') {
                cJSON_Delete(obj);
                obj = NULL;
            }
        }
    }
    free(raw);
    return obj;
}

/* Members this code reads must appear once: parsers disagree on duplicates. */
static bool has_duplicate(const cJSON *obj, const char *const *names)
{
    for (; *names; names++) {
        int seen = 0;
        for (const cJSON *c = obj->child; c; c = c->next)
            if (c->string && strcmp(c->string, *names) == 0 && ++seen > 1)
                return true;
    }
    return false;
}

static const char *const header_names[] = { "alg", "kid", "crit", "typ", NULL };
static const char *const claim_names[] = { "iss", "sub", "aud", "exp", "nbf", "iat", "scope", "scp", NULL };

const char *mcp__jws_parse(const char *token, jws *out)
{
    memset(out, 0, sizeof *out);
    size_t len = strlen(token);
    if (len > MAX_TOKEN_LEN)
        return "the access token is too long";
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (!dot1 || !dot2 || memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)))
        return "the access token is not a signed JWT (JWS compact serialization)";
    if (!(out->header = decode_object(token, (size_t)(dot1 - token))))
        return "the token header is not valid base64url JSON";
    if (has_duplicate(out->header, header_names))
        return "the token header repeats a member";
    const char *alg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(out->header, "alg"));
    if (!alg)
        return "the token header has no alg";
    if (strcmp(alg, "RS256") == 0)
        out->alg = JWS_RS256;
    else if (strcmp(alg, "ES256") == 0)
        out->alg = JWS_ES256;
    else
        return "the token signing algorithm is not accepted (RS256 or ES256 only)";
    if (cJSON_GetObjectItemCaseSensitive(out->header, "crit"))
        return "the token header has critical extensions this server does not support";
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(out->header, "kid");
    if (kid) {
        if (!cJSON_IsString(kid) || !kid->valuestring[0])
            return "the token kid is not a string";
        if (!(out->kid = strdup(kid->valuestring)))
            return "out of memory";
    }
    if (!(out->claims = decode_object(dot1 + 1, (size_t)(dot2 - dot1 - 1))))
        return "the token payload is not valid base64url JSON";
    if (has_duplicate(out->claims, claim_names))
        return "the token repeats a claim";
    if (!mcp__b64url_decode(dot2 + 1, len - (size_t)(dot2 + 1 - token), &out->sig, &out->sig_len) || out->sig_len == 0)
        return "the token signature is not valid base64url";
    out->signing_input = token;
    out->signing_input_len = (size_t)(dot2 - token);
    return NULL;
}

void mcp__jws_free(jws *j)
{
    cJSON_Delete(j->header);
    cJSON_Delete(j->claims);
    free(j->kid);
    free(j->sig);
    memset(j, 0, sizeof *j);
}

/* One DER INTEGER from a big-endian unsigned value; returns bytes written. */
static size_t der_integer(const unsigned char *v, size_t n, unsigned char *out)
{
    while (n > 1 && v[0] == 0) {
        v++;
        n--;
    }
    bool pad = (v[0] & 0x80) != 0;
    out[0] = 0x02;
    out[1] = (unsigned char)(n + pad);
    if (pad)
        out[2] = 0;
    memcpy(out + 2 + pad, v, n);
    return 2 + pad + n;
}

/* ES256 signatures are r||s, 32 bytes each; EVP wants ECDSA-Sig-Value DER. */
static size_t es256_to_der(const unsigned char *sig, unsigned char der[72])
{
    unsigned char body[70];
    size_t n = der_integer(sig, 32, body);
    n += der_integer(sig + 32, 32, body + n);
    der[0] = 0x30;
    der[1] = (unsigned char)n;
    memcpy(der + 2, body, n);
    return n + 2;
}

bool mcp__jws_verify(const jws *j, EVP_PKEY *key)
{
    const unsigned char *sig = j->sig;
    size_t sig_len = j->sig_len;
    unsigned char der[72];
    if (j->alg == JWS_RS256) {
        if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA || sig_len != (size_t)EVP_PKEY_get_size(key))
            return false;
    } else if (j->alg == JWS_ES256) {
        if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || sig_len != 64)
            return false;
        sig_len = es256_to_der(j->sig, der);
        sig = der;
    } else {
        return false;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    bool ok = ctx && EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
              EVP_DigestVerify(ctx, sig, sig_len, (const unsigned char *)j->signing_input,
                               j->signing_input_len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}
