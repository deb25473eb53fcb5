/* External session and event store, so several server instances behind a
 * load balancer can serve one legacy session: sessions (negotiated
 * version, client capabilities and info, log level, application state)
 * and SSE events live in Redis with a TTL refreshed on use. Without a
 * store, sessions live in the serving process (the default). */
#ifndef MCP_STORE_H
#define MCP_STORE_H

#include <mcp/common.h>

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_store mcp_store;

/* Connection options of a Redis store. mcp_store_redis_options_init fills
 * in the documented defaults, and 0 or NULL in a field also means its
 * default. The TLS settings can come as URL query parameters instead (see
 * below); a field set here wins over the URL. Strings are borrowed: they
 * are read (and the files loaded) during mcp_store_redis_open_opts only. */
typedef struct mcp_store_redis_options {
    const char *ca_file;          /* TLS: PEM file of CAs to trust (default: the system store) */
    const char *cert_file;        /* TLS: client certificate (PEM), with key_file */
    const char *key_file;         /* TLS: client private key (PEM) */
    const char *server_name;      /* TLS: SNI and the name verified (default: the URL's host) */
    unsigned connect_timeout_ms;  /* default 500 */
    unsigned command_timeout_ms;  /* default 1000 */
} mcp_store_redis_options;

/* Fill *opts with the defaults: every string NULL, connect_timeout_ms 500,
 * command_timeout_ms 1000. NULL is harmless. */
MCP_EXTERN void mcp_store_redis_options_init(mcp_store_redis_options *opts);

/* Open a Redis store from a URL:
 *   redis://[[user]:password@]host[:port][/db][?query]
 *   rediss://...  the same over TLS (OpenSSL; the certificate and its name
 *                 are verified; never falls back to cleartext)
 * port 6379 and db 0 by default; user and password are %-decoded and sent
 * as AUTH user password (an ACL user) or AUTH password (requirepass). Query
 * parameters: ca=FILE, cert=FILE, key=FILE, sni=NAME (rediss:// only);
 * opts may be NULL (every default).
 * A malformed URL or option, or an unreadable CA, certificate or key file,
 * is -MCP_EINVAL. The store then tries one connection: when Redis answers
 * but refuses us (wrong password, SELECT refused) or the TLS handshake
 * fails (certificate not trusted, wrong name, client certificate refused),
 * this fails with -MCP_EIO. When Redis is merely unreachable it succeeds
 * and connects later, reconnecting with backoff (a later refusal shows in
 * mcp_store_healthy). err (may be NULL) receives the reason of a failure,
 * never the password. */
MCP_EXTERN int mcp_store_redis_open_opts(const char *url, const mcp_store_redis_options *opts, mcp_store **out,
                                         char *err, size_t errlen);

/* mcp_store_redis_open_opts(url, NULL, out, NULL, 0). */
MCP_EXTERN int mcp_store_redis_open(const char *url, mcp_store **out);

/* True when the last store operation succeeded (for /healthz). */
MCP_EXTERN bool mcp_store_healthy(mcp_store *store);

MCP_EXTERN void mcp_store_free(mcp_store *store);

#ifdef __cplusplus
}
#endif
#endif
