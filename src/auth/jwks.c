/* The token signing keys: a JWKS (RFC 7517) read from a file at start, or
 * fetched with libcurl (http/https, 5 s timeout, 1 MiB cap) and cached; an
 * unknown kid refetches at most once per 60 s (on the store's own thread,
 * never on the request's), so keys can rotate without
 * letting clients drive fetches. Keys become EVP_PKEYs via OSSL_PARAM_BLD +
 * EVP_PKEY_fromdata: RSA >= 2048 bits (RS256), EC P-256 (ES256); others are
 * skipped. Checks verify under a read lock; a refetch swaps the set under
 * the write lock and frees the old one after, so no key is freed in use. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>

#include "auth/auth_internal.h"
#include "base/clock.h"

enum { MAX_JWKS_BYTES = 1 << 20, FETCH_TIMEOUT_MS = 5000, DEFAULT_REFETCH_S = 60 };
enum { MIN_RSA_BITS = 2048, MAX_RSA_BITS = 8192 };

typedef struct jwk {
    char *kid;                     /* NULL when the JWK has none */
    jws_alg alg;
    EVP_PKEY *pkey;
} jwk;

typedef struct jwk_set {
    jwk *keys;
    size_t n;
} jwk_set;

struct key_store {
    char *url;                     /* NULL: loaded from a file, never refetched */
    pthread_rwlock_t set_lock;     /* guards set */
    jwk_set set;
    pthread_mutex_t lock;          /* guards the fetch state below */
    pthread_cond_t wake;           /* a refetch was claimed, or stop */
    pthread_t fetcher;             /* refetches run here, never on a request's thread */
    bool fetcher_started, stop;
    bool fetching;
    double last_fetch;             /* CLOCK_MONOTONIC seconds */
    unsigned interval_s;
    unsigned fetches;
};

static void set_err(char *err, size_t errlen, const char *fmt, const char *arg)
{
    if (err && errlen)
        snprintf(err, errlen, fmt, arg ? arg : "");
}

static double mono_now(void)
{
    return (double)mcp__now_us() / 1e6;
}

static void set_clear(jwk_set *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->keys[i].kid);
        EVP_PKEY_free(s->keys[i].pkey);
    }
    free(s->keys);
    s->keys = NULL;
    s->n = 0;
}

/* ---------------- one JWK ---------------- */

static unsigned char *member_bytes(const cJSON *key, const char *name, size_t *len)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key, name));
    unsigned char *out = NULL;
    if (!text || !mcp__b64url_decode(text, strlen(text), &out, len) || *len == 0) {
        free(out);
        return NULL;
    }
    return out;
}

static EVP_PKEY *pkey_from_params(const char *type, OSSL_PARAM_BLD *bld)
{
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
    EVP_PKEY_CTX *ctx = params ? EVP_PKEY_CTX_new_from_name(NULL, type, NULL) : NULL;
    if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) != 1)
        pkey = NULL;
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    if (pkey) { /* on-curve point / sane RSA public values */
        EVP_PKEY_CTX *check = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
        bool ok = check && EVP_PKEY_public_check(check) == 1;
        EVP_PKEY_CTX_free(check);
        if (!ok) {
            EVP_PKEY_free(pkey);
            pkey = NULL;
        }
    }
    return pkey;
}

static EVP_PKEY *rsa_key(const cJSON *key)
{
    size_t nlen = 0, elen = 0;
    unsigned char *nb = member_bytes(key, "n", &nlen), *eb = member_bytes(key, "e", &elen);
    BIGNUM *n = nb && nlen <= MAX_RSA_BITS / 8 ? BN_bin2bn(nb, (int)nlen, NULL) : NULL;
    BIGNUM *e = eb && elen <= 8 ? BN_bin2bn(eb, (int)elen, NULL) : NULL;
    EVP_PKEY *pkey = NULL;
    OSSL_PARAM_BLD *bld = n && e ? OSSL_PARAM_BLD_new() : NULL;
    if (bld && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) == 1 &&
        OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) == 1)
        pkey = pkey_from_params("RSA", bld);
    OSSL_PARAM_BLD_free(bld);
    BN_free(n);
    BN_free(e);
    free(nb);
    free(eb);
    if (pkey && EVP_PKEY_get_bits(pkey) < MIN_RSA_BITS) {
        EVP_PKEY_free(pkey);
        pkey = NULL;
    }
    return pkey;
}

static EVP_PKEY *ec_p256_key(const cJSON *key)
{
    const char *crv = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key, "crv"));
    if (!crv || strcmp(crv, "P-256") != 0)
        return NULL;
    size_t xlen = 0, ylen = 0;
    unsigned char *x = member_bytes(key, "x", &xlen), *y = member_bytes(key, "y", &ylen);
    EVP_PKEY *pkey = NULL;
    if (x && y && xlen == 32 && ylen == 32) {
        unsigned char point[65];
        point[0] = 0x04; /* uncompressed */
        memcpy(point + 1, x, 32);
        memcpy(point + 33, y, 32);
        OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
        if (bld && OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) == 1 &&
            OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point) == 1)
            pkey = pkey_from_params("EC", bld);
        OSSL_PARAM_BLD_free(bld);
    }
    free(x);
    free(y);
    return pkey;
}

/* key_ops, when present, must allow "verify". */
static bool ops_allow_verify(const cJSON *key)
{
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(key, "key_ops");
    if (!ops)
        return true;
    const cJSON *op;
    cJSON_ArrayForEach(op, ops)
        if (cJSON_IsString(op) && strcmp(op->valuestring, "verify") == 0)
            return true;
    return false;
}

/* One usable signing key, or false to skip this JWK. */
static bool parse_jwk(const cJSON *key, jwk *out)
{
    memset(out, 0, sizeof *out);
    const char *kty = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(key, "kty"));
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(key, "alg");
    const cJSON *use = cJSON_GetObjectItemCaseSensitive(key, "use");
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(key, "kid");
    if (!kty || (use && !(cJSON_IsString(use) && strcmp(use->valuestring, "sig") == 0)) ||
        (kid && !cJSON_IsString(kid)) || (alg && !cJSON_IsString(alg)) || !ops_allow_verify(key))
        return false;
    if (strcmp(kty, "RSA") == 0)
        out->alg = JWS_RS256;
    else if (strcmp(kty, "EC") == 0)
        out->alg = JWS_ES256;
    else
        return false;
    if (alg && strcmp(alg->valuestring, out->alg == JWS_RS256 ? "RS256" : "ES256") != 0)
        return false;
    out->pkey = out->alg == JWS_RS256 ? rsa_key(key) : ec_p256_key(key);
    if (!out->pkey)
        return false;
    if (kid && !(out->kid = strdup(kid->valuestring))) {
        EVP_PKEY_free(out->pkey);
        out->pkey = NULL;
        return false;
    }
    return true;
}

static bool parse_jwks(const char *text, size_t len, jwk_set *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    cJSON *doc = cJSON_ParseWithLength(text, len);
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(doc, "keys");
    if (!cJSON_IsArray(keys)) {
        set_err(err, errlen, "%s", "the JWKS is not a JSON object with a \"keys\" array");
        cJSON_Delete(doc);
        return false;
    }
    int count = cJSON_GetArraySize(keys);
    out->keys = count > 0 ? calloc((size_t)count, sizeof *out->keys) : NULL;
    const cJSON *key;
    cJSON_ArrayForEach(key, keys)
        if (out->keys && parse_jwk(key, &out->keys[out->n]))
            out->n++;
    cJSON_Delete(doc);
    if (out->n == 0) {
        set_err(err, errlen, "%s",
                "the JWKS has no usable signing key (RSA >= 2048 bits for RS256 or EC P-256 for ES256)");
        set_clear(out);
        return false;
    }
    return true;
}

/* ---------------- loading ---------------- */

static bool load_file(const char *path, jwk_set *out, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "cannot read JWKS file %s: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(MAX_JWKS_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MAX_JWKS_BYTES + 1, f) : 0;
    bool read_err = ferror(f) != 0;
    fclose(f);
    bool ok = false;
    if (!buf)
        set_err(err, errlen, "%s", "out of memory");
    else if (read_err)
        set_err(err, errlen, "cannot read JWKS file %s", path);
    else if (n > MAX_JWKS_BYTES)
        set_err(err, errlen, "JWKS file %s is larger than 1 MiB", path);
    else
        ok = parse_jwks(buf, n, out, err, errlen);
    free(buf);
    return ok;
}

typedef struct body_buf {
    char *data;
    size_t len;
} body_buf;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    body_buf *b = userdata;
    size_t n = size * nmemb;
    if (n > MAX_JWKS_BYTES - b->len)
        return 0; /* too big: abort the transfer */
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return 0;
    memcpy(grown + b->len, ptr, n);
    b->data = grown;
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

static bool load_url(const char *url, jwk_set *out, char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        set_err(err, errlen, "%s", "cannot create a curl handle");
        return false;
    }
    body_buf body = { 0 };
    char curl_err[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "libmcp-jwks/1");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(h);
    bool ok = false;
    if (rc != CURLE_OK) {
        if (err && errlen)
            snprintf(err, errlen, "cannot fetch JWKS from %s: %s", url,
                     curl_err[0] ? curl_err : curl_easy_strerror(rc));
    } else if (status != 200) {
        if (err && errlen)
            snprintf(err, errlen, "cannot fetch JWKS from %s: HTTP status %ld", url, status);
    } else {
        ok = parse_jwks(body.data ? body.data : "", body.len, out, err, errlen);
    }
    free(body.data);
    return ok;
}

/* ---------------- the store ---------------- */

key_store *mcp__key_store_new(const char *file, const char *url, char *err, size_t errlen)
{
    key_store *ks = calloc(1, sizeof *ks);
    if (!ks) {
        set_err(err, errlen, "%s", "out of memory");
        return NULL;
    }
    ks->interval_s = DEFAULT_REFETCH_S;
    bool ok;
    if (file) {
        ok = load_file(file, &ks->set, err, errlen);
    } else {
        ks->url = url ? strdup(url) : NULL;
        ok = ks->url && load_url(url, &ks->set, err, errlen);
        if (!ks->url)
            set_err(err, errlen, "%s", url ? "out of memory" : "no JWKS file or URL");
        ks->last_fetch = mono_now();
    }
    if (!ok) {
        set_clear(&ks->set);
        free(ks->url);
        free(ks);
        return NULL;
    }
    ks->fetches = 1;
    pthread_mutex_init(&ks->lock, NULL);
    pthread_cond_init(&ks->wake, NULL);
    /* Writers first: a steady stream of checks must not starve a swap. */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&ks->set_lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    return ks;
}

void mcp__key_store_free(key_store *ks)
{
    if (!ks)
        return;
    pthread_mutex_lock(&ks->lock);
    ks->stop = true;
    pthread_cond_signal(&ks->wake);
    bool started = ks->fetcher_started;
    pthread_mutex_unlock(&ks->lock);
    if (started)
        pthread_join(ks->fetcher, NULL);   /* at most one fetch's timeout */
    set_clear(&ks->set);
    pthread_cond_destroy(&ks->wake);
    pthread_mutex_destroy(&ks->lock);
    pthread_rwlock_destroy(&ks->set_lock);
    free(ks->url);
    free(ks);
}

/* Caller holds set_lock. The key for kid (or the only key), or NULL. */
static EVP_PKEY *lookup(const jwk_set *s, const char *kid, jws_alg alg)
{
    if (!kid)
        return s->n == 1 && s->keys[0].alg == alg ? s->keys[0].pkey : NULL;
    for (size_t i = 0; i < s->n; i++)
        if (s->keys[i].kid && strcmp(s->keys[i].kid, kid) == 0 && s->keys[i].alg == alg)
            return s->keys[i].pkey;
    return NULL;
}

static key_verdict verify_cached(key_store *ks, const jws *j)
{
    pthread_rwlock_rdlock(&ks->set_lock);
    EVP_PKEY *key = lookup(&ks->set, j->kid, j->alg);
    key_verdict v = !key ? KEY_UNKNOWN : mcp__jws_verify(j, key) ? KEY_VERIFIED : KEY_BAD_SIGNATURE;
    pthread_rwlock_unlock(&ks->set_lock);
    return v;
}

/* The refetch thread: waits for a claimed refetch, fetches with no lock
 * held (checks keep using the cached keys), swaps the set in. */
static void *fetcher_main(void *arg)
{
    key_store *ks = arg;
    pthread_mutex_lock(&ks->lock);
    for (;;) {
        while (!ks->stop && !ks->fetching)
            pthread_cond_wait(&ks->wake, &ks->lock);
        if (ks->stop)
            break;
        pthread_mutex_unlock(&ks->lock);
        jwk_set fresh = { 0 }, old = { 0 };
        if (load_url(ks->url, &fresh, NULL, 0)) {
            pthread_rwlock_wrlock(&ks->set_lock);
            old = ks->set;
            ks->set = fresh;
            pthread_rwlock_unlock(&ks->set_lock);
            set_clear(&old);
        }
        pthread_mutex_lock(&ks->lock);
        ks->fetching = false;
        ks->fetches++;
    }
    pthread_mutex_unlock(&ks->lock);
    return NULL;
}

/* May this unknown kid trigger a refetch now? Hands it to the refetch
 * thread (started on first use) if so. */
static void request_refetch(key_store *ks)
{
    pthread_mutex_lock(&ks->lock);
    double now = mono_now();
    if (ks->url && !ks->fetching && !ks->stop && now - ks->last_fetch >= (double)ks->interval_s) {
        if (!ks->fetcher_started)
            ks->fetcher_started = pthread_create(&ks->fetcher, NULL, fetcher_main, ks) == 0;
        if (ks->fetcher_started) {
            ks->fetching = true;
            ks->last_fetch = now;
            pthread_cond_signal(&ks->wake);
        }
    }
    pthread_mutex_unlock(&ks->lock);
}

/* An unknown kid never waits for the network here (this runs on an HTTP
 * event-loop thread, and the kid is the client's choice): the refetch runs
 * on the key store's own thread, and this request is refused; requests
 * after the refetch see the new keys. */
key_verdict mcp__key_store_verify(key_store *ks, const jws *j)
{
    key_verdict v = verify_cached(ks, j);
    if (v == KEY_UNKNOWN && j->kid)
        request_refetch(ks);
    return v;
}

unsigned mcp__key_store_fetches(key_store *ks)
{
    pthread_mutex_lock(&ks->lock);
    unsigned n = ks->fetches;
    pthread_mutex_unlock(&ks->lock);
    return n;
}

void mcp__key_store_set_refetch_interval(key_store *ks, unsigned seconds)
{
    pthread_mutex_lock(&ks->lock);
    ks->interval_s = seconds;
    pthread_mutex_unlock(&ks->lock);
}
