/* OAuth 2.1 resource-server checks for the HTTP transport: options, the
 * canonical resource URL and its RFC 9728 metadata, and auth_check, which
 * turns an Authorization header into "authorized as sub" or a 401/403 with
 * the exact WWW-Authenticate challenge (tokens: jwt.c, keys: jwks.c). Claims:
 * aud contains the resource (scheme/host case-insensitive, path exact), exp
 * required, exp/nbf/iat within leeway_s, iss = issuer (unset: one of the
 * authorization servers), sub required. Scope hierarchy: granted G covers
 * needed N when G == N or N is G + ':' + more ("todos" covers "todos:read").
 * Read-only after mcp_auth_new except the key cache, so auth_check is
 * thread-safe. Tokens are never logged, copied into results or kept. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>

#include "auth/auth_internal.h"

#define WELL_KNOWN "/.well-known/oauth-protected-resource"

enum { DEFAULT_LEEWAY_S = 30, MAX_LEEWAY_S = 3600, MAX_RESOURCE_LEN = 400 };

/* A space- or comma-separated list split in one buffer. */
typedef struct strlist {
    char *buf;
    char **v;
    size_t n;
} strlist;

struct mcp_auth {
    auth_head head;                /* ops for the transport: first member */
    char *resource;                /* canonical: lowercase scheme and host */
    char *metadata_url;            /* <origin>/.well-known/oauth-protected-resource<path> */
    char *metadata_path;           /* the same, path only */
    char *metadata_doc;            /* the RFC 9728 JSON */
    char *issuer;                  /* NULL: iss must be one of servers */
    strlist servers, supported, required;
    unsigned leeway_s;
    key_store *keys;
};

/* ---------------- small helpers ---------------- */

static void strlist_free(strlist *l)
{
    free(l->buf);
    free(l->v);
    memset(l, 0, sizeof *l);
}

static bool strlist_split(const char *text, const char *seps, strlist *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return true;
    size_t len = strlen(text);
    out->buf = malloc(len + 1);
    out->v = malloc((len / 2 + 1) * sizeof *out->v);
    if (!out->buf || !out->v) {
        strlist_free(out);
        return false;
    }
    memcpy(out->buf, text, len + 1);
    char *save = NULL;
    for (char *t = strtok_r(out->buf, seps, &save); t; t = strtok_r(NULL, seps, &save))
        out->v[out->n++] = t;
    return true;
}

static bool strlist_has(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

/* RFC 6749 scope-token characters: no space, '"' or '\'. */
static bool scope_token_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x21 || c > 0x7e || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* Printable ASCII, no quote or backslash: safe inside a quoted header value. */
static bool quotable(const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* ---------------- URLs ---------------- */

typedef struct url_parts {
    bool https;
    const char *host;              /* authority: host[:port] */
    size_t host_len;
    const char *rest;              /* path (and query/fragment), may be "" */
} url_parts;

static bool split_url(const char *url, url_parts *out)
{
    if (strncasecmp(url, "https://", 8) == 0) {
        out->https = true;
        out->host = url + 8;
    } else if (strncasecmp(url, "http://", 7) == 0) {
        out->https = false;
        out->host = url + 7;
    } else {
        return false;
    }
    out->host_len = strcspn(out->host, "/?#");
    out->rest = out->host + out->host_len;
    if (out->host_len == 0 || memchr(out->host, '@', out->host_len))
        return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
            return false;
    return true;
}

/* host[:port] without a default port (":443" for https, ":80" for http). */
static size_t host_without_default_port(const url_parts *u)
{
    const char *dflt = u->https ? ":443" : ":80";
    size_t dl = strlen(dflt);
    if (u->host_len > dl && memcmp(u->host + u->host_len - dl, dflt, dl) == 0)
        return u->host_len - dl;
    return u->host_len;
}

static const char *path_or_root(const char *rest)
{
    return *rest ? rest : "/";
}

/* Does an aud value name this resource? */
static bool same_resource(const char *aud, const char *resource)
{
    url_parts a, r;
    if (!split_url(aud, &a) || !split_url(resource, &r) || a.https != r.https)
        return false;
    size_t al = host_without_default_port(&a), rl = host_without_default_port(&r);
    return al == rl && strncasecmp(a.host, r.host, al) == 0 &&
           strcmp(path_or_root(a.rest), path_or_root(r.rest)) == 0;
}

static void set_err(char *err, size_t errlen, const char *msg)
{
    if (err && errlen)
        snprintf(err, errlen, "%s", msg);
}

/* ---------------- setup ---------------- */

static bool setup_resource(mcp_auth *a, const char *resource, char *err, size_t errlen)
{
    url_parts u;
    if (!resource || !*resource) {
        set_err(err, errlen, "resource (the canonical server URL, e.g. https://mcp.example.com/mcp) is required");
        return false;
    }
    if (strlen(resource) > MAX_RESOURCE_LEN || !split_url(resource, &u) || !quotable(resource) ||
        strpbrk(u.rest, "?#")) {
        set_err(err, errlen, "resource must be an absolute http(s) URL without query, fragment or user info, "
                             "at most 400 characters (e.g. https://mcp.example.com/mcp)");
        return false;
    }
    const char *scheme = u.https ? "https://" : "http://";
    size_t slen = strlen(scheme), plen = strlen(u.rest);
    const char *suffix = strcmp(u.rest, "/") == 0 ? "" : u.rest;
    a->resource = malloc(slen + u.host_len + plen + 1);
    a->metadata_path = malloc(sizeof WELL_KNOWN + strlen(suffix));
    a->metadata_url = malloc(slen + u.host_len + sizeof WELL_KNOWN + strlen(suffix));
    if (!a->resource || !a->metadata_path || !a->metadata_url) {
        set_err(err, errlen, "out of memory");
        return false;
    }
    memcpy(a->resource, scheme, slen);
    for (size_t i = 0; i < u.host_len; i++)
        a->resource[slen + i] = (char)(u.host[i] >= 'A' && u.host[i] <= 'Z' ? u.host[i] + 32 : u.host[i]);
    memcpy(a->resource + slen + u.host_len, u.rest, plen + 1);
    sprintf(a->metadata_path, "%s%s", WELL_KNOWN, suffix);
    memcpy(a->metadata_url, a->resource, slen + u.host_len);
    strcpy(a->metadata_url + slen + u.host_len, a->metadata_path);
    return true;
}

static bool setup_lists(mcp_auth *a, const mcp_auth_options *o, char *err, size_t errlen)
{
    if (!strlist_split(o->authorization_servers, ", \t", &a->servers) ||
        !strlist_split(o->scopes_supported, " \t", &a->supported) ||
        !strlist_split(o->required_scopes, " \t", &a->required)) {
        set_err(err, errlen, "out of memory");
        return false;
    }
    if (a->servers.n == 0) {
        set_err(err, errlen, "at least one authorization server (issuer URL) is required");
        return false;
    }
    for (size_t i = 0; i < a->servers.n; i++) {
        url_parts u;
        if (!split_url(a->servers.v[i], &u) || !quotable(a->servers.v[i])) {
            set_err(err, errlen, "authorization servers must be absolute http(s) URLs, separated by commas");
            return false;
        }
    }
    for (size_t i = 0; i < a->supported.n; i++)
        if (!scope_token_ok(a->supported.v[i])) {
            set_err(err, errlen, "scopes_supported has a scope with invalid characters");
            return false;
        }
    for (size_t i = 0; i < a->required.n; i++)
        if (!scope_token_ok(a->required.v[i])) {
            set_err(err, errlen, "required_scopes has a scope with invalid characters");
            return false;
        }
    return true;
}

static char *build_metadata(const mcp_auth *a)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON *servers = cJSON_AddArrayToObject(doc, "authorization_servers");
    cJSON_AddStringToObject(doc, "resource", a->resource);
    for (size_t i = 0; servers && i < a->servers.n; i++)
        cJSON_AddItemToArray(servers, cJSON_CreateString(a->servers.v[i]));
    if (a->supported.n) {
        cJSON *scopes = cJSON_AddArrayToObject(doc, "scopes_supported");
        for (size_t i = 0; scopes && i < a->supported.n; i++)
            cJSON_AddItemToArray(scopes, cJSON_CreateString(a->supported.v[i]));
    }
    cJSON *methods = cJSON_AddArrayToObject(doc, "bearer_methods_supported");
    cJSON_AddItemToArray(methods, cJSON_CreateString("header"));
    char *text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    return text;
}

static void check(mcp_auth *auth, const char *authorization, const char *needed_scopes, auth_result *out);
static char *metadata(mcp_auth *auth, const char *path);
static const auth_ops checker_ops = { check, metadata };

mcp_auth *mcp_auth_new(const mcp_auth_options *opts, char *err, size_t errlen)
{
    if (!opts) {
        set_err(err, errlen, "no authorization options");
        return NULL;
    }
    mcp_auth *a = calloc(1, sizeof *a);
    if (!a) {
        set_err(err, errlen, "out of memory");
        return NULL;
    }
    a->head.ops = &checker_ops;
    bool ok = setup_resource(a, opts->resource, err, errlen) && setup_lists(a, opts, err, errlen);
    if (ok && opts->issuer && !(a->issuer = strdup(opts->issuer))) {
        set_err(err, errlen, "out of memory");
        ok = false;
    }
    if (ok && opts->leeway_s > MAX_LEEWAY_S) {
        set_err(err, errlen, "leeway_s must be at most 3600 seconds");
        ok = false;
    }
    a->leeway_s = opts->leeway_s ? opts->leeway_s : DEFAULT_LEEWAY_S;
    bool file = opts->jwks_file && *opts->jwks_file, url = opts->jwks_url && *opts->jwks_url;
    if (ok && file == url) {
        set_err(err, errlen, file ? "set only one of jwks_file and jwks_url"
                                  : "a JWKS file or URL with the token signing keys is required");
        ok = false;
    }
    url_parts u;
    if (ok && url && !split_url(opts->jwks_url, &u)) {
        set_err(err, errlen, "jwks_url must be an absolute http(s) URL");
        ok = false;
    }
    if (ok && !(a->keys = mcp__key_store_new(file ? opts->jwks_file : NULL, url ? opts->jwks_url : NULL, err, errlen)))
        ok = false;
    if (ok && !(a->metadata_doc = build_metadata(a))) {
        set_err(err, errlen, "out of memory");
        ok = false;
    }
    if (!ok) {
        mcp_auth_free(a);
        return NULL;
    }
    return a;
}

void mcp_auth_free(mcp_auth *auth)
{
    if (!auth)
        return;
    mcp__key_store_free(auth->keys);
    strlist_free(&auth->servers);
    strlist_free(&auth->supported);
    strlist_free(&auth->required);
    free(auth->resource);
    free(auth->metadata_url);
    free(auth->metadata_path);
    free(auth->metadata_doc);
    free(auth->issuer);
    free(auth);
}

static char *metadata(mcp_auth *auth, const char *path)
{
    if (!auth || !path || (strcmp(path, WELL_KNOWN) != 0 && strcmp(path, auth->metadata_path) != 0))
        return NULL;
    return strdup(auth->metadata_doc);
}

void mcp__auth_set_refetch_interval(mcp_auth *auth, unsigned seconds)
{
    mcp__key_store_set_refetch_interval(auth->keys, seconds);
}

unsigned mcp__auth_jwks_fetches(mcp_auth *auth)
{
    return mcp__key_store_fetches(auth->keys);
}

/* ---------------- challenges ---------------- */

typedef struct scope_need {
    const char **v;                /* configured required ∪ this request's */
    size_t n;
    strlist extra;
    char text[512];                /* "a b c", or "" when unknown or unquotable */
} scope_need;

static bool need_init(const mcp_auth *a, const char *needed, scope_need *s)
{
    memset(s, 0, sizeof *s);
    if (!strlist_split(needed, " \t", &s->extra))
        return false;
    s->v = malloc((a->required.n + s->extra.n + 1) * sizeof *s->v);
    if (!s->v) {
        strlist_free(&s->extra);
        return false;
    }
    for (size_t i = 0; i < a->required.n; i++)
        if (!strlist_has(s->v, s->n, a->required.v[i]))
            s->v[s->n++] = a->required.v[i];
    for (size_t i = 0; i < s->extra.n; i++)
        if (!strlist_has(s->v, s->n, s->extra.v[i]))
            s->v[s->n++] = s->extra.v[i];
    size_t used = 0;
    for (size_t i = 0; i < s->n; i++) {
        size_t l = strlen(s->v[i]);
        if (!scope_token_ok(s->v[i]) || used + l + 2 > sizeof s->text) {
            s->text[0] = '\0';
            break;
        }
        used += (size_t)sprintf(s->text + used, "%s%s", used ? " " : "", s->v[i]);
    }
    return true;
}

static void need_free(scope_need *s)
{
    free(s->v);
    strlist_free(&s->extra);
}

static void challenge_missing(const mcp_auth *a, const scope_need *need, auth_result *out)
{
    out->status = 401;
    int n = snprintf(out->www_authenticate, sizeof out->www_authenticate, "Bearer resource_metadata=\"%s\"",
                     a->metadata_url);
    if (need->text[0] && n > 0 && (size_t)n < sizeof out->www_authenticate)
        snprintf(out->www_authenticate + n, sizeof out->www_authenticate - (size_t)n, ", scope=\"%s\"", need->text);
    snprintf(out->message, sizeof out->message,
             "Unauthorized: this server needs an OAuth access token in 'Authorization: Bearer <token>' "
             "(see the resource_metadata in WWW-Authenticate)");
}

static void challenge_invalid(const mcp_auth *a, const char *reason, auth_result *out)
{
    out->status = 401;
    snprintf(out->www_authenticate, sizeof out->www_authenticate,
             "Bearer error=\"invalid_token\", error_description=\"%s\", resource_metadata=\"%s\"",
             reason, a->metadata_url);
    snprintf(out->message, sizeof out->message, "Unauthorized: invalid access token: %s", reason);
}

static void challenge_scope(const mcp_auth *a, const scope_need *need, auth_result *out)
{
    out->status = 403;
    if (need->text[0])
        snprintf(out->www_authenticate, sizeof out->www_authenticate,
                 "Bearer error=\"insufficient_scope\", scope=\"%s\", resource_metadata=\"%s\", "
                 "error_description=\"the access token lacks scopes this request needs\"",
                 need->text, a->metadata_url);
    else
        snprintf(out->www_authenticate, sizeof out->www_authenticate,
                 "Bearer error=\"insufficient_scope\", resource_metadata=\"%s\", "
                 "error_description=\"the access token lacks scopes this request needs\"",
                 a->metadata_url);
    snprintf(out->message, sizeof out->message, "Forbidden: the access token lacks scopes this request needs%s%.180s",
             need->text[0] ? ": " : "", need->text);
}

/* ---------------- claims ---------------- */

/* Does granted scope g (glen bytes) cover needed? Equal, or needed is g
 * followed by ':' and more (the hierarchy rule in the header comment). */
static bool scope_covers(const char *g, size_t glen, const char *needed)
{
    size_t nl = strlen(needed);
    return glen > 0 && glen <= nl && strncmp(g, needed, glen) == 0 && (glen == nl || needed[glen] == ':');
}

/* Granted scopes: "scope" (space list) and "scp" (array, or a space list). */
static bool granted_covers(const cJSON *claims, const char *needed)
{
    const cJSON *scp = cJSON_GetObjectItemCaseSensitive(claims, "scp");
    const char *lists[2] = { cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(claims, "scope")),
                             cJSON_GetStringValue(scp) };
    for (int i = 0; i < 2; i++) {
        for (const char *p = lists[i]; p && *p;) {
            p += strspn(p, " ");
            size_t len = strcspn(p, " ");
            if (scope_covers(p, len, needed))
                return true;
            p += len;
        }
    }
    if (cJSON_IsArray(scp)) {
        const cJSON *item;
        cJSON_ArrayForEach(item, scp)
            if (cJSON_IsString(item) && scope_covers(item->valuestring, strlen(item->valuestring), needed))
                return true;
    }
    return false;
}

static bool aud_matches(const mcp_auth *a, const cJSON *aud)
{
    if (cJSON_IsString(aud))
        return same_resource(aud->valuestring, a->resource);
    if (!cJSON_IsArray(aud))
        return false;
    const cJSON *item;
    cJSON_ArrayForEach(item, aud)
        if (cJSON_IsString(item) && same_resource(item->valuestring, a->resource))
            return true;
    return false;
}

/* NULL when the claims are acceptable, else the reason. */
static const char *check_claims(const mcp_auth *a, const cJSON *claims)
{
    double now = (double)time(NULL), leeway = (double)a->leeway_s;
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
    const cJSON *nbf = cJSON_GetObjectItemCaseSensitive(claims, "nbf");
    const cJSON *iat = cJSON_GetObjectItemCaseSensitive(claims, "iat");
    if (!cJSON_IsNumber(exp))
        return "the token has no exp";
    if (exp->valuedouble + leeway <= now)
        return "the token has expired";
    if (nbf && (!cJSON_IsNumber(nbf) || nbf->valuedouble > now + leeway))
        return "the token is not valid yet (nbf)";
    if (iat && (!cJSON_IsNumber(iat) || iat->valuedouble > now + leeway))
        return "the token is issued in the future (iat)";
    const char *iss = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(claims, "iss"));
    if (!iss || (a->issuer ? strcmp(iss, a->issuer) != 0
                           : !strlist_has((const char *const *)a->servers.v, a->servers.n, iss)))
        return "the token issuer is not trusted by this server";
    if (!aud_matches(a, cJSON_GetObjectItemCaseSensitive(claims, "aud")))
        return "the token audience is not this server";
    const char *sub = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(claims, "sub"));
    if (!sub || !*sub)
        return "the token has no sub";
    if (strlen(sub) >= sizeof ((auth_result *)0)->subject)
        return "the token sub is too long";
    return NULL;
}

/* ---------------- auth_check ---------------- */

static bool b64token_ok(const char *t)
{
    size_t n = strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/");
    if (n == 0)
        return false;
    n += strspn(t + n, "=");
    return t[n] == '\0';
}

/* The token of "Bearer <token>" as a malloc'd copy; NULL when there is no
 * bearer credential at all (missing header, other scheme, empty token). */
static char *bearer_token(const char *authorization)
{
    if (!authorization)
        return NULL;
    const char *p = authorization + strspn(authorization, " \t");
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
        return NULL;
    p += 6;
    p += strspn(p, " \t");
    size_t len = strlen(p);
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
        len--;
    if (!len)
        return NULL;
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, p, len);
        copy[len] = '\0';
    }
    return copy;
}

static void check(mcp_auth *auth, const char *authorization, const char *needed_scopes, auth_result *out)
{
    memset(out, 0, sizeof *out);
    scope_need need;
    if (!need_init(auth, needed_scopes, &need)) {
        out->status = 401;
        snprintf(out->message, sizeof out->message, "Unauthorized: out of memory while checking the token");
        snprintf(out->www_authenticate, sizeof out->www_authenticate, "Bearer resource_metadata=\"%s\"",
                 auth->metadata_url);
        return;
    }
    char *token = bearer_token(authorization);
    if (!token) {
        challenge_missing(auth, &need, out);
        need_free(&need);
        return;
    }
    size_t token_len = strlen(token);
    const char *reason = NULL;
    jws j;
    memset(&j, 0, sizeof j);
    if (!b64token_ok(token))
        reason = "the Authorization header does not carry a well-formed bearer token";
    else
        reason = mcp__jws_parse(token, &j);
    if (!reason) {
        key_verdict v = mcp__key_store_verify(auth->keys, &j);
        if (v == KEY_UNKNOWN)
            reason = j.kid ? "no signing key matches the token kid and alg"
                           : "the token has no kid and the key set does not have exactly one matching key";
        else if (v == KEY_BAD_SIGNATURE)
            reason = "the token signature does not verify";
    }
    if (!reason)
        reason = check_claims(auth, j.claims);
    if (reason) {
        challenge_invalid(auth, reason, out);
    } else {
        bool enough = true;
        for (size_t i = 0; i < need.n && enough; i++)
            enough = granted_covers(j.claims, need.v[i]);
        if (enough)
            snprintf(out->subject, sizeof out->subject, "%s",
                     cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j.claims, "sub")));
        else
            challenge_scope(auth, &need, out);
    }
    mcp__jws_free(&j);
    OPENSSL_cleanse(token, token_len);
    free(token);
    need_free(&need);
}
