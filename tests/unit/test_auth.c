/* auth: the OAuth resource-server checks against auth_check directly.
 * Keys are generated here (RSA 2048 and EC P-256 via EVP_PKEY_Q_keygen),
 * published as a JWKS (file, or a tiny loopback HTTP server for the URL
 * cache and refetch rules) and tokens are signed here: every token case
 * (valid, expired, nbf/iat, audience, issuer, signature, alg none/HS256,
 * kid selection, scopes and hierarchy), the challenges, the RFC 9728
 * metadata, option validation and concurrent checks during key rotation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "auth/auth.h"
#include "auth/auth_internal.h"

#define RESOURCE "http://127.0.0.1:3000/mcp"
#define ISSUER "https://as.example.com"
#define METADATA_URL "http://127.0.0.1:3000/.well-known/oauth-protected-resource/mcp"

static EVP_PKEY *rsa_key, *rsa2_key, *ec_key, *rsa_small_key;
static char jwks_path[64] = "";

/* ---------------- encoding and signing ---------------- */

static char *b64url(const unsigned char *data, size_t len)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *out = malloc(len / 3 * 4 + 5);
    size_t o = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)data[i] << 16;
        if (i + 1 < len)
            v |= (uint32_t)data[i + 1] << 8;
        if (i + 2 < len)
            v |= data[i + 2];
        out[o++] = tbl[(v >> 18) & 63];
        out[o++] = tbl[(v >> 12) & 63];
        if (i + 1 < len)
            out[o++] = tbl[(v >> 6) & 63];
        if (i + 2 < len)
            out[o++] = tbl[v & 63];
    }
    out[o] = '\0';
    return out;
}

static char *b64url_str(const char *s)
{
    return b64url((const unsigned char *)s, strlen(s));
}

static cJSON *jwk_of(EVP_PKEY *key, const char *kid)
{
    cJSON *jwk = cJSON_CreateObject();
    if (EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA) {
        BIGNUM *n = NULL, *e = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_N, &n), 1);
        assert_int_equal(EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e), 1);
        unsigned char nb[1024], eb[16];
        int nl = BN_bn2bin(n, nb), el = BN_bn2bin(e, eb);
        char *ns = b64url(nb, (size_t)nl), *es = b64url(eb, (size_t)el);
        cJSON_AddStringToObject(jwk, "kty", "RSA");
        cJSON_AddStringToObject(jwk, "n", ns);
        cJSON_AddStringToObject(jwk, "e", es);
        cJSON_AddStringToObject(jwk, "alg", "RS256");
        cJSON_AddStringToObject(jwk, "use", "sig");
        free(ns);
        free(es);
        BN_free(n);
        BN_free(e);
    } else {
        unsigned char pt[65];
        size_t len = 0;
        assert_int_equal(EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof pt, &len), 1);
        assert_int_equal(len, 65);
        char *x = b64url(pt + 1, 32), *y = b64url(pt + 33, 32);
        cJSON_AddStringToObject(jwk, "kty", "EC");
        cJSON_AddStringToObject(jwk, "crv", "P-256");
        cJSON_AddStringToObject(jwk, "x", x);
        cJSON_AddStringToObject(jwk, "y", y);
        free(x);
        free(y);
    }
    if (kid)
        cJSON_AddStringToObject(jwk, "kid", kid);
    return jwk;
}

/* A JWKS text from (key, kid) pairs, NULL-terminated. */
static char *jwks_of(EVP_PKEY *key, const char *kid, ...)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *keys = cJSON_AddArrayToObject(doc, "keys");
    va_list ap;
    va_start(ap, kid);
    while (key) {
        cJSON_AddItemToArray(keys, jwk_of(key, kid));
        key = va_arg(ap, EVP_PKEY *);
        if (key)
            kid = va_arg(ap, const char *);
    }
    va_end(ap);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    return text;
}

static size_t sign(EVP_PKEY *key, const char *alg, const char *input, unsigned char *out)
{
    if (strcmp(alg, "HS256") == 0) {
        static const unsigned char secret[] = "a-shared-secret-the-server-never-accepts";
        size_t len = 0;
        assert_non_null(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, secret, sizeof secret - 1,
                                  (const unsigned char *)input, strlen(input), out, 64, &len));
        return len;
    }
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char der[600];
    size_t len = sizeof der;
    assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, key, NULL), 1);
    assert_int_equal(EVP_DigestSign(ctx, der, &len, (const unsigned char *)input, strlen(input)), 1);
    EVP_MD_CTX_free(ctx);
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || strcmp(alg, "ES256-DER") == 0) {
        memcpy(out, der, len);
        return len;
    }
    const unsigned char *p = der;
    ECDSA_SIG *sig = d2i_ECDSA_SIG(NULL, &p, (long)len);
    assert_non_null(sig);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32), 32);
    assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32), 32);
    ECDSA_SIG_free(sig);
    return 64;
}

/* Claims of a good token; tests change them before signing. */
static cJSON *claims(void)
{
    cJSON *c = cJSON_CreateObject();
    double now = (double)time(NULL);
    cJSON_AddStringToObject(c, "iss", ISSUER);
    cJSON_AddStringToObject(c, "sub", "user-a");
    cJSON_AddStringToObject(c, "aud", RESOURCE);
    cJSON_AddNumberToObject(c, "exp", now + 300);
    cJSON_AddNumberToObject(c, "iat", now - 5);
    cJSON_AddStringToObject(c, "scope", "todos:read todos:write");
    return c;
}

static cJSON *claims_with(const char *name, cJSON *value)
{
    cJSON *c = claims();
    if (value)
        cJSON_ReplaceItemInObjectCaseSensitive(c, name, value);
    else
        cJSON_DeleteItemFromObjectCaseSensitive(c, name);
    if (value && !cJSON_GetObjectItemCaseSensitive(c, name))
        cJSON_AddItemToObject(c, name, value);
    return c;
}

/* Header {"alg":alg,"typ":"JWT"[,"kid":kid]}; alg "ES256-DER" signs ES256
 * with a DER signature; key NULL leaves the signature empty. Consumes c. */
static char *token_text(const char *header, char *ctext, EVP_PKEY *key, const char *alg)
{
    char *h = b64url_str(header), *p = b64url_str(ctext);
    size_t in_len = strlen(h) + strlen(p) + 2;
    char *input = malloc(in_len);
    snprintf(input, in_len, "%s.%s", h, p);
    unsigned char sig[600];
    size_t sig_len = key || strcmp(alg, "HS256") == 0 ? sign(key, alg, input, sig) : 0;
    char *s = b64url(sig, sig_len);
    size_t len = strlen(input) + strlen(s) + 2;
    char *tok = malloc(len);
    snprintf(tok, len, "%s.%s", input, s);
    free(ctext);
    free(h);
    free(p);
    free(input);
    free(s);
    return tok;
}

static char *token_hdr(const char *header, cJSON *c, EVP_PKEY *key, const char *alg)
{
    char *ctext = cJSON_PrintUnformatted(c);
    cJSON_Delete(c);
    return token_text(header, ctext, key, alg);
}

static char *token(const char *alg, const char *kid, cJSON *c, EVP_PKEY *key)
{
    char header[256];
    const char *hdr_alg = strcmp(alg, "ES256-DER") == 0 ? "ES256" : alg;
    if (kid)
        snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\",\"kid\":\"%s\"}", hdr_alg, kid);
    else
        snprintf(header, sizeof header, "{\"alg\":\"%s\",\"typ\":\"JWT\"}", hdr_alg);
    return token_hdr(header, c, key, alg);
}

/* ---------------- the auth under test ---------------- */

static mcp_auth_options opts(void)
{
    return (mcp_auth_options){ .resource = RESOURCE, .authorization_servers = ISSUER, .issuer = ISSUER,
                               .jwks_file = jwks_path, .scopes_supported = "todos:read todos:write" };
}

static mcp_auth *new_auth(const mcp_auth_options *o)
{
    char err[256] = "";
    mcp_auth *a = mcp_auth_new(o, err, sizeof err);
    if (!a)
        fail_msg("auth_new: %s", err);
    return a;
}

/* auth_check with "Bearer <tok>"; frees tok. Checks the token never
 * appears in what goes back to the client. */
static void check(mcp_auth *a, char *tok, const char *needed, auth_result *res)
{
    char header[10000];
    snprintf(header, sizeof header, "Bearer %s", tok);
    auth_check(a, header, needed, res);
    assert_null(strstr(res->www_authenticate, tok));
    assert_null(strstr(res->message, tok));
    free(tok);
}

static void assert_invalid(const auth_result *res, const char *why)
{
    assert_int_equal(res->status, 401);
    assert_non_null(strstr(res->www_authenticate, "Bearer error=\"invalid_token\", error_description=\""));
    assert_non_null(strstr(res->www_authenticate, ", resource_metadata=\"" METADATA_URL "\""));
    if (why && !strstr(res->www_authenticate, why))
        fail_msg("expected '%s' in: %s", why, res->www_authenticate);
    assert_string_equal(res->subject, "");
    assert_true(res->message[0] != '\0');
}

static void expect_ok(mcp_auth *a, char *tok, const char *needed, const char *sub)
{
    auth_result res;
    check(a, tok, needed, &res);
    if (res.status)
        fail_msg("expected success, got %u: %s", res.status, res.www_authenticate);
    assert_string_equal(res.subject, sub);
}

static void expect_invalid(mcp_auth *a, char *tok, const char *why)
{
    auth_result res;
    check(a, tok, NULL, &res);
    assert_invalid(&res, why);
}

static int group_setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rsa_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa2_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    rsa_small_key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    ec_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!rsa_key || !rsa2_key || !ec_key || !rsa_small_key)
        return -1;
    snprintf(jwks_path, sizeof jwks_path, "/tmp/test_auth_jwks.XXXXXX");
    int fd = mkstemp(jwks_path);
    if (fd < 0)
        return -1;
    char *jwks = jwks_of(rsa_key, "rsa-1", ec_key, "ec-1", NULL);
    ssize_t w = write(fd, jwks, strlen(jwks));
    close(fd);
    free(jwks);
    return w > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    unlink(jwks_path);
    EVP_PKEY_free(rsa_key);
    EVP_PKEY_free(rsa2_key);
    EVP_PKEY_free(rsa_small_key);
    EVP_PKEY_free(ec_key);
    curl_global_cleanup();
    return 0;
}

static int auth_setup(void **state)
{
    mcp_auth_options o = opts();
    *state = new_auth(&o);
    return *state ? 0 : -1;
}

static int auth_teardown(void **state)
{
    mcp_auth_free(*state);
    return 0;
}

/* ---------------- valid tokens ---------------- */

static void test_valid_rs256_token_is_authorized_with_its_subject(void **state)
{
    expect_ok(*state, token("RS256", "rsa-1", claims(), rsa_key), NULL, "user-a");
}

static void test_valid_es256_token_is_authorized(void **state)
{
    expect_ok(*state, token("ES256", "ec-1", claims(), ec_key), "todos:write", "user-a");
}

static void test_bearer_scheme_is_case_insensitive_and_spaces_are_trimmed(void **state)
{
    char *tok = token("RS256", "rsa-1", claims(), rsa_key);
    char header[4096];
    snprintf(header, sizeof header, "  bearer   %s  ", tok);
    auth_result res;
    auth_check(*state, header, NULL, &res);
    assert_int_equal(res.status, 0);
    assert_string_equal(res.subject, "user-a");
    free(tok);
}

static void test_aud_array_and_uppercase_scheme_host_match(void **state)
{
    cJSON *aud = cJSON_CreateArray();
    cJSON_AddItemToArray(aud, cJSON_CreateString("https://other.example.com"));
    cJSON_AddItemToArray(aud, cJSON_CreateString("HTTP://127.0.0.1:3000/mcp"));
    expect_ok(*state, token("RS256", "rsa-1", claims_with("aud", aud), rsa_key), NULL, "user-a");
}

/* ---------------- missing or malformed credentials ---------------- */

static void test_missing_token_is_401_with_resource_metadata_only(void **state)
{
    auth_result res;
    auth_check(*state, NULL, NULL, &res);
    assert_int_equal(res.status, 401);
    assert_string_equal(res.www_authenticate, "Bearer resource_metadata=\"" METADATA_URL "\"");
    assert_non_null(strstr(res.message, "Unauthorized"));
    const char *not_bearer[] = { "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer   ", "Bearerxyz", "Token abc" };
    for (size_t i = 0; i < sizeof not_bearer / sizeof *not_bearer; i++) {
        auth_check(*state, not_bearer[i], NULL, &res);
        assert_int_equal(res.status, 401);
        assert_string_equal(res.www_authenticate, "Bearer resource_metadata=\"" METADATA_URL "\"");
    }
}

static void test_missing_token_challenge_names_needed_scopes(void **state)
{
    (void)state;
    mcp_auth_options o = opts();
    o.required_scopes = "mcp:use";
    mcp_auth *a = new_auth(&o);
    auth_result res;
    auth_check(a, NULL, "todos:write", &res);
    assert_int_equal(res.status, 401);
    assert_string_equal(res.www_authenticate,
                        "Bearer resource_metadata=\"" METADATA_URL "\", scope=\"mcp:use todos:write\"");
    mcp_auth_free(a);
}

static void test_garbage_tokens_are_invalid_token(void **state)
{
    const char *bad[] = { "abc", "a.b", "a.b.c.d", "a b", "eyJ.eyJ.", "....", "a\"b", "x.y.z=" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_invalid(*state, strdup(bad[i]), NULL);
}

static void test_oversized_token_is_invalid(void **state)
{
    char *big = malloc(9001);
    memset(big, 'A', 9000);
    big[9000] = '\0';
    big[100] = '.';
    big[200] = '.';
    expect_invalid(*state, big, "too long");
}

/* ---------------- time claims ---------------- */

static void test_expired_token_is_invalid(void **state)
{
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("exp", cJSON_CreateNumber((double)time(NULL) - 120)), rsa_key),
                   "expired");
}

static void test_exp_within_leeway_is_accepted(void **state)
{
    expect_ok(*state, token("RS256", "rsa-1", claims_with("exp", cJSON_CreateNumber((double)time(NULL) - 10)), rsa_key),
              NULL, "user-a");
}

static void test_token_without_exp_is_invalid(void **state)
{
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("exp", NULL), rsa_key), "no exp");
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("exp", cJSON_CreateString("9999999999")), rsa_key),
                   "no exp");
}

static void test_not_yet_valid_token_is_invalid(void **state)
{
    expect_invalid(*state, token("ES256", "ec-1", claims_with("nbf", cJSON_CreateNumber((double)time(NULL) + 600)), ec_key),
                   "not valid yet");
    expect_ok(*state, token("ES256", "ec-1", claims_with("nbf", cJSON_CreateNumber((double)time(NULL) + 10)), ec_key),
              NULL, "user-a");
}

static void test_token_issued_in_the_future_is_invalid(void **state)
{
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("iat", cJSON_CreateNumber((double)time(NULL) + 600)), rsa_key),
                   "future");
}

/* ---------------- audience, issuer, subject ---------------- */

static void test_wrong_audience_is_invalid(void **state)
{
    const char *wrong[] = { "http://127.0.0.1:3000/mcp/", "http://127.0.0.1:3000/MCP", "http://127.0.0.1:3001/mcp",
                            "https://127.0.0.1:3000/mcp", "http://127.0.0.1:3000", "http://evil.example/mcp",
                            "http://127.0.0.1:3000/mcp/extra" };
    for (size_t i = 0; i < sizeof wrong / sizeof *wrong; i++)
        expect_invalid(*state, token("RS256", "rsa-1", claims_with("aud", cJSON_CreateString(wrong[i])), rsa_key),
                       "audience");
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("aud", NULL), rsa_key), "audience");
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("aud", cJSON_CreateArray()), rsa_key), "audience");
}

static void test_wrong_or_missing_issuer_is_invalid(void **state)
{
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("iss", cJSON_CreateString("https://evil.example.com")), rsa_key),
                   "issuer");
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("iss", NULL), rsa_key), "issuer");
}

static void test_without_issuer_option_any_listed_server_is_trusted(void **state)
{
    (void)state;
    mcp_auth_options o = opts();
    o.issuer = NULL;
    o.authorization_servers = "https://as1.example.com, " ISSUER;
    mcp_auth *a = new_auth(&o);
    expect_ok(a, token("RS256", "rsa-1", claims(), rsa_key), NULL, "user-a");
    expect_ok(a, token("RS256", "rsa-1", claims_with("iss", cJSON_CreateString("https://as1.example.com")), rsa_key),
              NULL, "user-a");
    expect_invalid(a, token("RS256", "rsa-1", claims_with("iss", cJSON_CreateString("https://as2.example.com")), rsa_key),
                   "issuer");
    mcp_auth_free(a);
}

static void test_token_without_subject_is_invalid(void **state)
{
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("sub", NULL), rsa_key), "sub");
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("sub", cJSON_CreateString("")), rsa_key), "sub");
    char longsub[400];
    memset(longsub, 's', sizeof longsub - 1);
    longsub[sizeof longsub - 1] = '\0';
    expect_invalid(*state, token("RS256", "rsa-1", claims_with("sub", cJSON_CreateString(longsub)), rsa_key), "sub");
}

static void test_subject_is_never_in_the_challenge_or_message(void **state)
{
    auth_result res;
    check(*state, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString("other")), rsa_key), "todos:read", &res);
    assert_int_equal(res.status, 403);
    assert_null(strstr(res.www_authenticate, "user-a"));
    assert_null(strstr(res.message, "user-a"));
}

/* ---------------- signatures and algorithms ---------------- */

static void test_bad_signature_is_invalid(void **state)
{
    char *tok = token("RS256", "rsa-1", claims(), rsa_key);
    char *last = strrchr(tok, '.') + 5;
    *last = *last == 'A' ? 'B' : 'A';
    expect_invalid(*state, tok, "signature");
    tok = token("ES256", "ec-1", claims(), ec_key);
    last = strrchr(tok, '.') + 5;
    *last = *last == 'A' ? 'B' : 'A';
    expect_invalid(*state, tok, "signature");
}

static void test_tampered_payload_is_invalid(void **state)
{
    char *good = token("RS256", "rsa-1", claims(), rsa_key);
    char *forged = token("RS256", "rsa-1", claims_with("sub", cJSON_CreateString("admin")), rsa_key);
    /* forged header+payload with the good token's signature */
    char *sig = strrchr(good, '.');
    *(strrchr(forged, '.')) = '\0';
    size_t len = strlen(forged) + strlen(sig) + 1;
    char *tok = malloc(len);
    snprintf(tok, len, "%s%s", forged, sig);
    expect_invalid(*state, tok, "signature");
    free(good);
    free(forged);
}

static void test_signature_by_another_key_with_the_same_kid_is_invalid(void **state)
{
    expect_invalid(*state, token("RS256", "rsa-1", claims(), rsa2_key), "signature");
}

static void test_alg_none_and_hs256_are_refused(void **state)
{
    expect_invalid(*state, token("none", NULL, claims(), NULL), "RS256 or ES256 only");
    expect_invalid(*state, token("none", "rsa-1", claims(), NULL), "RS256 or ES256 only");
    expect_invalid(*state, token("HS256", "rsa-1", claims(), NULL), "RS256 or ES256 only");
    expect_invalid(*state, token("RS512", "rsa-1", claims(), rsa_key), "RS256 or ES256 only");
    expect_invalid(*state, token("PS256", "rsa-1", claims(), rsa_key), "RS256 or ES256 only");
    expect_invalid(*state, token_hdr("{\"typ\":\"JWT\",\"kid\":\"rsa-1\"}", claims(), rsa_key, "RS256"), "no alg");
}

static void test_alg_and_key_type_must_agree(void **state)
{
    /* header says ES256 but names the RSA key, and the reverse */
    expect_invalid(*state, token("ES256", "rsa-1", claims(), ec_key), "kid");
    expect_invalid(*state, token("RS256", "ec-1", claims(), rsa_key), "kid");
}

static void test_es256_der_signature_is_refused(void **state)
{
    expect_invalid(*state, token("ES256-DER", "ec-1", claims(), ec_key), "signature");
}

static void test_kid_selection(void **state)
{
    expect_invalid(*state, token("RS256", "unknown", claims(), rsa_key), "kid");
    /* two keys: a token without kid is ambiguous */
    expect_invalid(*state, token("RS256", NULL, claims(), rsa_key), "kid");
    /* a one-key set: a token without kid uses it */
    char path[64] = "/tmp/test_auth_one.XXXXXX";
    int fd = mkstemp(path);
    char *jwks = jwks_of(rsa2_key, NULL, NULL);
    assert_true(write(fd, jwks, strlen(jwks)) > 0);
    close(fd);
    free(jwks);
    mcp_auth_options o = opts();
    o.jwks_file = path;
    mcp_auth *a = new_auth(&o);
    expect_ok(a, token("RS256", NULL, claims(), rsa2_key), NULL, "user-a");
    expect_invalid(a, token("RS256", "rsa-1", claims(), rsa2_key), "kid");
    mcp_auth_free(a);
    unlink(path);
}

static void test_header_and_payload_oddities_are_invalid(void **state)
{
    expect_invalid(*state, token_hdr("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"crit\":[\"exp\"]}", claims(), rsa_key, "RS256"),
                   "critical");
    expect_invalid(*state, token_hdr("{\"alg\":\"RS256\",\"kid\":7}", claims(), rsa_key, "RS256"), "kid");
    expect_invalid(*state, token_hdr("{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"rsa-1\"}", claims(), rsa_key, "RS256"),
                   "repeats");
    expect_invalid(*state, token_hdr("[1,2]", claims(), rsa_key, "RS256"), "header");
    /* a claim given twice */
    cJSON *c = claims();
    cJSON_AddStringToObject(c, "sub", "user-b");
    expect_invalid(*state, token("RS256", "rsa-1", c, rsa_key), "repeats");
    /* \u0000 inside a string: "user-a\u0000x" must not read as "user-a" */
    cJSON *z = claims_with("sub", cJSON_CreateString("user-a@@@@@@x"));
    char *text = cJSON_PrintUnformatted(z);
    cJSON_Delete(z);
    memcpy(strstr(text, "@@@@@@"), "\\u0000", 6);
    expect_invalid(*state, token_text("{\"alg\":\"RS256\",\"kid\":\"rsa-1\"}", text, rsa_key, "RS256"), "payload");
}

static void test_padded_base64_is_invalid(void **state)
{
    char *tok = token("RS256", "rsa-1", claims(), rsa_key);
    size_t len = strlen(tok);
    char *padded = malloc(len + 2);
    snprintf(padded, len + 2, "%s=", tok);
    expect_invalid(*state, padded, NULL);
    free(tok);
}

/* 256 signature bytes leave 4 spare bits in the last character: setting
 * one gives a second spelling of the same signature, which is refused. */
static void test_non_canonical_base64_is_invalid(void **state)
{
    static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *tok = token("RS256", "rsa-1", claims(), rsa_key);
    char *last = tok + strlen(tok) - 1;
    *last = tbl[(strchr(tbl, *last) - tbl) ^ 1];
    expect_invalid(*state, tok, "signature");
}

/* ---------------- scopes ---------------- */

static void test_missing_scope_is_403_naming_all_needed_scopes(void **state)
{
    (void)state;
    mcp_auth_options o = opts();
    o.required_scopes = "mcp:use";
    mcp_auth *a = new_auth(&o);
    auth_result res;
    check(a, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString("mcp:use todos:read")), rsa_key),
          "todos:write", &res);
    assert_int_equal(res.status, 403);
    assert_string_equal(res.www_authenticate,
                        "Bearer error=\"insufficient_scope\", scope=\"mcp:use todos:write\", resource_metadata=\""
                        METADATA_URL "\", error_description=\"the access token lacks scopes this request needs\"");
    assert_non_null(strstr(res.message, "todos:write"));
    assert_string_equal(res.subject, "");
    /* configured scopes apply to every request */
    check(a, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString("todos:read")), rsa_key), NULL, &res);
    assert_int_equal(res.status, 403);
    assert_non_null(strstr(res.www_authenticate, "scope=\"mcp:use\""));
    mcp_auth_free(a);
}

static void test_scope_hierarchy(void **state)
{
    mcp_auth *a = *state;
    expect_ok(a, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString("todos")), rsa_key), "todos:read", "user-a");
    expect_ok(a, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString("x todos")), rsa_key), "todos:write todos:read",
              "user-a");
    expect_ok(a, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString("todos:write")), rsa_key), "todos:write:all",
              "user-a");
    const char *narrow[][2] = { { "todos:read", "todos" }, { "todosx", "todos:read" }, { "todo", "todos:read" },
                                { "todos:read", "todos:write" }, { "", "todos:read" } };
    for (size_t i = 0; i < sizeof narrow / sizeof *narrow; i++) {
        auth_result res;
        check(a, token("RS256", "rsa-1", claims_with("scope", cJSON_CreateString(narrow[i][0])), rsa_key), narrow[i][1], &res);
        assert_int_equal(res.status, 403);
    }
}

static void test_scp_array_or_string_grants_scopes(void **state)
{
    cJSON *scp = cJSON_CreateArray();
    cJSON_AddItemToArray(scp, cJSON_CreateString("todos:write"));
    cJSON_AddItemToArray(scp, cJSON_CreateString("todos:read"));
    cJSON *c = claims_with("scp", scp);
    cJSON_DeleteItemFromObjectCaseSensitive(c, "scope");
    expect_ok(*state, token("ES256", "ec-1", c, ec_key), "todos:read todos:write", "user-a");
    c = claims_with("scp", cJSON_CreateString("todos:read"));
    cJSON_DeleteItemFromObjectCaseSensitive(c, "scope");
    expect_ok(*state, token("ES256", "ec-1", c, ec_key), "todos:read", "user-a");
    c = claims();
    cJSON_DeleteItemFromObjectCaseSensitive(c, "scope");
    auth_result res;
    check(*state, token("ES256", "ec-1", c, ec_key), "todos:read", &res);
    assert_int_equal(res.status, 403);
}

/* ---------------- metadata ---------------- */

static void test_metadata_at_both_well_known_paths(void **state)
{
    mcp_auth *a = *state;
    const char *paths[] = { "/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp" };
    for (int i = 0; i < 2; i++) {
        char *doc = auth_metadata(a, paths[i]);
        assert_non_null(doc);
        cJSON *j = cJSON_Parse(doc);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(j, "resource")), RESOURCE);
        const cJSON *as = cJSON_GetObjectItem(j, "authorization_servers");
        assert_int_equal(cJSON_GetArraySize(as), 1);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(as, 0)), ISSUER);
        const cJSON *sc = cJSON_GetObjectItem(j, "scopes_supported");
        assert_int_equal(cJSON_GetArraySize(sc), 2);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(sc, 1)), "todos:write");
        const cJSON *bm = cJSON_GetObjectItem(j, "bearer_methods_supported");
        assert_int_equal(cJSON_GetArraySize(bm), 1);
        assert_string_equal(cJSON_GetStringValue(cJSON_GetArrayItem(bm, 0)), "header");
        cJSON_Delete(j);
        free(doc);
    }
    assert_null(auth_metadata(a, "/.well-known/oauth-protected-resource/other"));
    assert_null(auth_metadata(a, "/.well-known/oauth-authorization-server"));
    assert_null(auth_metadata(a, "/mcp"));
}

static void test_resource_is_canonicalized_and_root_has_no_suffix(void **state)
{
    (void)state;
    mcp_auth_options o = opts();
    o.resource = "HTTPS://MCP.Example.COM/";
    mcp_auth *a = new_auth(&o);
    char *doc = auth_metadata(a, "/.well-known/oauth-protected-resource");
    assert_non_null(strstr(doc, "\"resource\":\"https://mcp.example.com/\""));
    free(doc);
    auth_result res;
    auth_check(a, NULL, NULL, &res);
    assert_string_equal(res.www_authenticate,
                        "Bearer resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource\"");
    cJSON *c = claims_with("aud", cJSON_CreateString("https://mcp.example.com:443"));
    expect_ok(a, token("RS256", "rsa-1", c, rsa_key), NULL, "user-a");
    mcp_auth_free(a);
}

/* ---------------- options ---------------- */

static void expect_rejected(mcp_auth_options o, const char *why)
{
    char err[256] = "";
    mcp_auth *a = mcp_auth_new(&o, err, sizeof err);
    if (a)
        fail_msg("auth_new accepted options that should fail with '%s'", why);
    if (!strstr(err, why))
        fail_msg("expected '%s' in '%s'", why, err);
}

static void test_options_are_validated(void **state)
{
    (void)state;
    char err[64] = "";
    assert_null(mcp_auth_new(NULL, err, sizeof err));
    mcp_auth_options o = opts();
    o.resource = NULL;
    expect_rejected(o, "resource");
    const char *bad_resources[] = { "/mcp", "ftp://x/mcp", "http:///mcp", "http://x/mcp#f", "http://x/mcp?q=1",
                                    "http://u@x/mcp", "http://x/m cp", "127.0.0.1:3000/mcp" };
    for (size_t i = 0; i < sizeof bad_resources / sizeof *bad_resources; i++) {
        o = opts();
        o.resource = bad_resources[i];
        expect_rejected(o, "absolute http(s) URL");
    }
    o = opts();
    o.authorization_servers = NULL;
    expect_rejected(o, "authorization server");
    o.authorization_servers = " , ";
    expect_rejected(o, "authorization server");
    o.authorization_servers = "as.example.com";
    expect_rejected(o, "authorization servers must be absolute");
    o = opts();
    o.jwks_file = NULL;
    expect_rejected(o, "JWKS file or URL");
    o.jwks_file = jwks_path;
    o.jwks_url = "http://127.0.0.1:1/jwks";
    expect_rejected(o, "only one");
    o = opts();
    o.jwks_file = "/nonexistent/jwks.json";
    expect_rejected(o, "cannot read JWKS file");
    o = opts();
    o.scopes_supported = "ok \"bad\"";
    expect_rejected(o, "scopes_supported");
    o = opts();
    o.leeway_s = 100000;
    expect_rejected(o, "leeway");
}

static void test_jwks_without_usable_keys_is_rejected(void **state)
{
    (void)state;
    const char *docs[] = {
        "not json", "{\"keys\":{}}", "{\"keys\":[]}",
        "{\"keys\":[{\"kty\":\"oct\",\"k\":\"c2VjcmV0\"}]}",
        "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"AAAA\",\"y\":\"AAAA\"}]}",
        NULL, /* RSA 1024 */
        NULL, /* RSA with use enc */
        NULL, /* EC point not on the curve */
    };
    char *small = jwks_of(rsa_small_key, "small", NULL);
    cJSON *enc = jwk_of(rsa_key, "enc");
    cJSON_ReplaceItemInObject(enc, "use", cJSON_CreateString("enc"));
    char *enc_text = cJSON_PrintUnformatted(enc);
    char enc_doc[2048];
    snprintf(enc_doc, sizeof enc_doc, "{\"keys\":[%s]}", enc_text);
    cJSON *off = jwk_of(ec_key, "off");
    char *y = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(off, "y")));
    y[10] = y[10] == 'A' ? 'B' : 'A';
    cJSON_ReplaceItemInObject(off, "y", cJSON_CreateString(y));
    char *off_text = cJSON_PrintUnformatted(off);
    char off_doc[1024];
    snprintf(off_doc, sizeof off_doc, "{\"keys\":[%s]}", off_text);
    docs[5] = small;
    docs[6] = enc_doc;
    docs[7] = off_doc;
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        char path[64] = "/tmp/test_auth_bad.XXXXXX";
        int fd = mkstemp(path);
        assert_true(write(fd, docs[i], strlen(docs[i])) > 0);
        close(fd);
        mcp_auth_options o = opts();
        o.jwks_file = path;
        expect_rejected(o, "JWKS");
        unlink(path);
    }
    free(small);
    free(enc_text);
    free(off_text);
    free(y);
    cJSON_Delete(enc);
    cJSON_Delete(off);
}

/* ---------------- JWKS over HTTP ---------------- */

typedef struct jwks_server {
    int fd;
    unsigned port;
    pthread_t thread;
    pthread_mutex_t lock;
    char *body;                    /* what GET answers */
    int requests;
    atomic_int stop;
} jwks_server;

static void *serve(void *arg)
{
    jwks_server *s = arg;
    while (!s->stop) {
        struct pollfd p = { .fd = s->fd, .events = POLLIN };
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(s->fd, NULL, NULL);
        if (c < 0)
            continue;
        char req[4096];
        size_t got = 0;
        for (int i = 0; i < 100 && got < sizeof req - 1; i++) {
            ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);
            if (n <= 0)
                break;
            got += (size_t)n;
            req[got] = '\0';
            if (strstr(req, "\r\n\r\n"))
                break;
        }
        pthread_mutex_lock(&s->lock);
        s->requests++;
        char head[256];
        int hl = snprintf(head, sizeof head,
                          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                          "Connection: close\r\n\r\n", strlen(s->body));
        ssize_t w1 = send(c, head, (size_t)hl, MSG_NOSIGNAL);
        ssize_t w2 = send(c, s->body, strlen(s->body), MSG_NOSIGNAL);
        (void)w1;
        (void)w2;
        pthread_mutex_unlock(&s->lock);
        close(c);
    }
    return NULL;
}

static void server_start(jwks_server *s, char *body)
{
    memset(s, 0, sizeof *s);
    s->body = body;
    pthread_mutex_init(&s->lock, NULL);
    s->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(bind(s->fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(listen(s->fd, 16), 0);
    socklen_t len = sizeof addr;
    getsockname(s->fd, (struct sockaddr *)&addr, &len);
    s->port = ntohs(addr.sin_port);
    pthread_create(&s->thread, NULL, serve, s);
}

static void server_set_body(jwks_server *s, char *body)
{
    pthread_mutex_lock(&s->lock);
    free(s->body);
    s->body = body;
    pthread_mutex_unlock(&s->lock);
}

static int server_requests(jwks_server *s)
{
    pthread_mutex_lock(&s->lock);
    int n = s->requests;
    pthread_mutex_unlock(&s->lock);
    return n;
}

static void server_stop(jwks_server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
    free(s->body);
    pthread_mutex_destroy(&s->lock);
}

/* True once the key store counted n fetches (at most 5 s). */
static bool wait_fetches(mcp_auth *a, unsigned n)
{
    for (int i = 0; i < 500; i++) {
        if (mcp__auth_jwks_fetches(a) >= n)
            return true;
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return false;
}

static void test_jwks_url_is_cached_and_refetched_on_unknown_kid_at_most_per_interval(void **state)
{
    (void)state;
    jwks_server srv;
    server_start(&srv, jwks_of(rsa_key, "rsa-1", NULL));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/jwks.json", srv.port);
    mcp_auth_options o = opts();
    o.jwks_file = NULL;
    o.jwks_url = url;
    mcp_auth *a = new_auth(&o);
    assert_int_equal(server_requests(&srv), 1);
    for (int i = 0; i < 3; i++)
        expect_ok(a, token("RS256", "rsa-1", claims(), rsa_key), NULL, "user-a");
    assert_int_equal(server_requests(&srv), 1); /* cached */

    /* rotation: the AS now publishes rsa-2 */
    server_set_body(&srv, jwks_of(rsa_key, "rsa-1", rsa2_key, "rsa-2", NULL));
    expect_invalid(a, token("RS256", "rsa-2", claims(), rsa2_key), "kid");
    assert_int_equal(server_requests(&srv), 1); /* within 60 s of the last fetch: no refetch */
    assert_int_equal(mcp__auth_jwks_fetches(a), 1);
    mcp__auth_set_refetch_interval(a, 0);
    /* The unknown kid starts a refetch on the key store's thread and is
     * refused at once (the check never waits for the network); once the
     * refetch is in, the new key verifies. */
    expect_invalid(a, token("RS256", "rsa-2", claims(), rsa2_key), "kid");
    assert_true(wait_fetches(a, 2));
    assert_int_equal(server_requests(&srv), 2);
    expect_ok(a, token("RS256", "rsa-2", claims(), rsa2_key), NULL, "user-a");
    expect_ok(a, token("RS256", "rsa-2", claims(), rsa2_key), NULL, "user-a");
    assert_int_equal(server_requests(&srv), 2); /* known now */

    /* a failed refetch keeps the cached keys */
    server_set_body(&srv, strdup("garbage"));
    expect_invalid(a, token("RS256", "rsa-3", claims(), rsa2_key), "kid");
    assert_true(wait_fetches(a, 3));
    expect_ok(a, token("RS256", "rsa-1", claims(), rsa_key), NULL, "user-a");
    mcp_auth_free(a);
    server_stop(&srv);
}

static void test_unreachable_jwks_url_is_rejected(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof addr;
    assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    getsockname(fd, (struct sockaddr *)&addr, &len);
    close(fd); /* nothing listens there now */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/jwks.json", ntohs(addr.sin_port));
    mcp_auth_options o = opts();
    o.jwks_file = NULL;
    o.jwks_url = url;
    expect_rejected(o, "cannot fetch JWKS");
    o.jwks_url = "file:///etc/passwd";
    expect_rejected(o, "jwks_url must be an absolute http(s) URL");
}

/* ---------------- concurrency ---------------- */

typedef struct worker_arg {
    mcp_auth *auth;
    char *good, *rotated;
    int failures;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    char header[4096];
    for (int i = 0; i < 200; i++) {
        auth_result res;
        snprintf(header, sizeof header, "Bearer %s", (i % 2) ? w->good : w->rotated);
        auth_check(w->auth, header, i % 3 ? "todos:read" : NULL, &res);
        if ((i % 2) && (res.status != 0 || strcmp(res.subject, "user-a") != 0))
            w->failures++;
    }
    return NULL;
}

static void test_concurrent_checks_during_key_refetches(void **state)
{
    (void)state;
    jwks_server srv;
    server_start(&srv, jwks_of(rsa_key, "rsa-1", ec_key, "ec-1", NULL));
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/jwks.json", srv.port);
    mcp_auth_options o = opts();
    o.jwks_file = NULL;
    o.jwks_url = url;
    mcp_auth *a = new_auth(&o);
    mcp__auth_set_refetch_interval(a, 0); /* every unknown kid refetches */
    enum { THREADS = 4 };
    pthread_t t[THREADS];
    worker_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (worker_arg){ .auth = a,
                                .good = token(i % 2 ? "ES256" : "RS256", i % 2 ? "ec-1" : "rsa-1", claims(),
                                              i % 2 ? ec_key : rsa_key),
                                .rotated = token("RS256", "not-yet", claims(), rsa2_key) };
        pthread_create(&t[i], NULL, worker, &args[i]);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(args[i].failures, 0);
        free(args[i].good);
        free(args[i].rotated);
    }
    assert_true(wait_fetches(a, 2));
    mcp_auth_free(a);
    server_stop(&srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_valid_rs256_token_is_authorized_with_its_subject, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_valid_es256_token_is_authorized, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_bearer_scheme_is_case_insensitive_and_spaces_are_trimmed, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_aud_array_and_uppercase_scheme_host_match, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_missing_token_is_401_with_resource_metadata_only, auth_setup, auth_teardown),
        cmocka_unit_test(test_missing_token_challenge_names_needed_scopes),
        cmocka_unit_test_setup_teardown(test_garbage_tokens_are_invalid_token, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_oversized_token_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_expired_token_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_exp_within_leeway_is_accepted, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_token_without_exp_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_not_yet_valid_token_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_token_issued_in_the_future_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_audience_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_wrong_or_missing_issuer_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test(test_without_issuer_option_any_listed_server_is_trusted),
        cmocka_unit_test_setup_teardown(test_token_without_subject_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_subject_is_never_in_the_challenge_or_message, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_bad_signature_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_tampered_payload_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_signature_by_another_key_with_the_same_kid_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_alg_none_and_hs256_are_refused, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_alg_and_key_type_must_agree, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_es256_der_signature_is_refused, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_kid_selection, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_header_and_payload_oddities_are_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_padded_base64_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_non_canonical_base64_is_invalid, auth_setup, auth_teardown),
        cmocka_unit_test(test_missing_scope_is_403_naming_all_needed_scopes),
        cmocka_unit_test_setup_teardown(test_scope_hierarchy, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_scp_array_or_string_grants_scopes, auth_setup, auth_teardown),
        cmocka_unit_test_setup_teardown(test_metadata_at_both_well_known_paths, auth_setup, auth_teardown),
        cmocka_unit_test(test_resource_is_canonicalized_and_root_has_no_suffix),
        cmocka_unit_test(test_options_are_validated),
        cmocka_unit_test(test_jwks_without_usable_keys_is_rejected),
        cmocka_unit_test(test_jwks_url_is_cached_and_refetched_on_unknown_kid_at_most_per_interval),
        cmocka_unit_test(test_unreachable_jwks_url_is_rejected),
        cmocka_unit_test(test_concurrent_checks_during_key_refetches),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
