/* The Redis store's settings: the URL
 *   redis[s]://[[user]:password@]host[:port][/db][?ca=&cert=&key=&sni=]
 * (credentials and query values %-decoded, the last '@' ends the
 * credentials) merged with mcp_store_redis_options (which win; 0/NULL
 * fields take the defaults of redis_options.c), and the OpenSSL client
 * context for rediss:// (CA, client certificate and key,
 * checked here so a bad file is reported at open). Messages never carry
 * the password. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>

#include <mcp/error.h>

#include "store/redis_internal.h"

/* ---------------- URL and options ---------------- */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* %-decode s[0..n) into a new string; NULL on a bad escape or NUL byte. */
static char *pct_decode(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    if (!out)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            *o++ = (char)(hi * 16 + lo);
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

void mcp__redis_errf(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Query parameters: ca, cert, key, sni (each %-decoded, later ones win). */
static int parse_query(const char *q, char **ca, char **cert, char **keyf, char **sni, char *err, size_t errlen)
{
    while (*q) {
        size_t n = strcspn(q, "&");
        const char *eq = memchr(q, '=', n);
        if (!eq) {
            mcp__redis_errf(err, errlen, "redis URL: query parameter '%.*s' needs a value", (int)(n > 40 ? 40 : n), q);
            return -MCP_EINVAL;
        }
        size_t klen = (size_t)(eq - q);
        char **slot = klen == 2 && !memcmp(q, "ca", 2)     ? ca
                      : klen == 4 && !memcmp(q, "cert", 4) ? cert
                      : klen == 3 && !memcmp(q, "key", 3)  ? keyf
                      : klen == 3 && !memcmp(q, "sni", 3)  ? sni
                                                           : NULL;
        if (!slot) {
            mcp__redis_errf(err, errlen, "redis URL: unknown query parameter '%.*s' (ca, cert, key, sni)",
                    (int)(klen > 40 ? 40 : klen), q);
            return -MCP_EINVAL;
        }
        free(*slot);
        if (!(*slot = pct_decode(eq + 1, n - klen - 1)) || !**slot) {
            mcp__redis_errf(err, errlen, "redis URL: bad value for '%.*s'", (int)klen, q);
            return -MCP_EINVAL;
        }
        q += n;
        if (*q == '&')
            q++;
    }
    return 0;
}

static int parse_authority(mcp__redis_config *cfg, const char *p, size_t n, char *err, size_t errlen)
{
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '@')
            at = p + i;                     /* the last '@': the rest is host[:port] */
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *uend = colon ? colon : at;
        if (uend > p && !(cfg->user = pct_decode(p, (size_t)(uend - p)))) {
            mcp__redis_errf(err, errlen, "redis URL: bad %%-escape in the user name");
            return -MCP_EINVAL;
        }
        if (colon && !(cfg->password = pct_decode(colon + 1, (size_t)(at - colon - 1)))) {
            mcp__redis_errf(err, errlen, "redis URL: bad %%-escape in the password");
            return -MCP_EINVAL;
        }
        if (cfg->user && !cfg->password) {
            mcp__redis_errf(err, errlen, "redis URL: user '%s' without a password (redis://user:password@host)", cfg->user);
            return -MCP_EINVAL;
        }
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    const char *hend;
    if (n && *p == '[') {                   /* [IPv6] */
        hend = memchr(p, ']', n);
        if (!hend || (size_t)(hend - p - 1) >= sizeof cfg->host || hend == p + 1)
            goto bad_host;
        memcpy(cfg->host, p + 1, (size_t)(hend - p - 1));
        hend++;
    } else {
        hend = memchr(p, ':', n);
        if (!hend)
            hend = p + n;
        if (hend == p || (size_t)(hend - p) >= sizeof cfg->host)
            goto bad_host;
        memcpy(cfg->host, p, (size_t)(hend - p));
    }
    cfg->port = 6379;
    if (hend < p + n) {
        if (*hend != ':' || hend + 1 == p + n)
            goto bad_host;
        long port = 0;
        for (const char *q = hend + 1; q < p + n; q++) {
            if (*q < '0' || *q > '9' || port > 65535)
                goto bad_host;
            port = port * 10 + (*q - '0');
        }
        if (port <= 0 || port > 65535)
            goto bad_host;
        cfg->port = (int)port;
    }
    return 0;
bad_host:
    mcp__redis_errf(err, errlen, "redis URL: need host[:port] with a port in 1..65535");
    return -MCP_EINVAL;
}

static int tls_context(mcp__redis_config *cfg, const char *ca, const char *cert, const char *keyf, char *err,
                       size_t errlen)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return -MCP_ENOMEM;
    cfg->ssl = ctx;
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (ca ? SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1 : SSL_CTX_set_default_verify_paths(ctx) != 1) {
        mcp__redis_errf(err, errlen, "redis TLS: cannot load CA file '%s'", ca ? ca : "(system default)");
        return -MCP_EINVAL;
    }
    if ((cert != NULL) != (keyf != NULL)) {
        mcp__redis_errf(err, errlen, "redis TLS: a client certificate needs both cert and key");
        return -MCP_EINVAL;
    }
    if (cert && SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
        mcp__redis_errf(err, errlen, "redis TLS: cannot load client certificate '%s'", cert);
        return -MCP_EINVAL;
    }
    if (keyf && (SSL_CTX_use_PrivateKey_file(ctx, keyf, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)) {
        mcp__redis_errf(err, errlen, "redis TLS: cannot load client key '%s' (or it does not match the certificate)", keyf);
        return -MCP_EINVAL;
    }
    ERR_clear_error();
    return 0;
}

int mcp__redis_config_parse(mcp__redis_config *cfg, const char *url, const mcp_store_redis_options *opts,
                            char *err, size_t errlen)
{
    memset(cfg, 0, sizeof *cfg);
    char *ca = NULL, *cert = NULL, *keyf = NULL, *sni = NULL;
    int rc = -MCP_EINVAL;
    const char *p = url;
    if (p && strncmp(p, "redis://", 8) == 0) {
        p += 8;
    } else if (p && strncmp(p, "rediss://", 9) == 0) {
        p += 9;
        cfg->tls = true;
    } else {
        mcp__redis_errf(err, errlen, "redis URL: need redis://[[user]:password@]host[:port][/db] or rediss://...");
        goto out;
    }
    size_t alen = strcspn(p, "/?");
    if ((rc = parse_authority(cfg, p, alen, err, errlen)) < 0)
        goto out;
    rc = -MCP_EINVAL;
    p += alen;
    if (*p == '/') {
        p++;
        long db = 0;
        const char *d = p;
        for (; *p >= '0' && *p <= '9' && db <= 100000; p++)
            db = db * 10 + (*p - '0');
        if ((*p && *p != '?') || db > 100000) {
            mcp__redis_errf(err, errlen, "redis URL: the database must be a number (/0, /1, ...)");
            goto out;
        }
        cfg->db = p > d ? (int)db : 0;
    }
    if (*p == '?' && (rc = parse_query(p + 1, &ca, &cert, &keyf, &sni, err, errlen)) < 0)
        goto out;
    rc = -MCP_EINVAL;
    const char *o_ca = opts && opts->ca_file ? opts->ca_file : ca;
    const char *o_cert = opts && opts->cert_file ? opts->cert_file : cert;
    const char *o_key = opts && opts->key_file ? opts->key_file : keyf;
    const char *o_sni = opts && opts->server_name ? opts->server_name : sni;
    if (!cfg->tls && (o_ca || o_cert || o_key || o_sni)) {
        mcp__redis_errf(err, errlen, "redis: CA, certificate, key and server name options need a rediss:// URL");
        goto out;
    }
    if (cfg->tls) {
        if ((rc = tls_context(cfg, o_ca, o_cert, o_key, err, errlen)) < 0)
            goto out;
        if (!(cfg->server_name = strdup(o_sni ? o_sni : cfg->host))) {
            rc = -MCP_ENOMEM;
            goto out;
        }
    }
    mcp_store_redis_options d;     /* 0 in a field: its default */
    mcp_store_redis_options_init(&d);
    cfg->connect_timeout_ms = opts && opts->connect_timeout_ms ? opts->connect_timeout_ms : d.connect_timeout_ms;
    cfg->command_timeout_ms = opts && opts->command_timeout_ms ? opts->command_timeout_ms : d.command_timeout_ms;
    rc = 0;
out:
    free(ca);
    free(cert);
    free(keyf);
    free(sni);
    if (rc < 0)
        mcp__redis_config_clear(cfg);
    return rc;
}

void mcp__redis_config_clear(mcp__redis_config *cfg)
{
    free(cfg->user);
    if (cfg->password) {
        explicit_bzero(cfg->password, strlen(cfg->password));
        free(cfg->password);
    }
    free(cfg->server_name);
    SSL_CTX_free(cfg->ssl);
    memset(cfg, 0, sizeof *cfg);
}
