/* Streamable HTTP transport (MCP 2025-03-26 .. 2026-07-28) on one endpoint.
 * Secure defaults: loopback bind, Host/Origin allow-list, body and depth
 * limits, session cap and idle expiry. Every field has a documented default:
 * mcp_http_options_init() fills them in (MCP_HTTP_DEFAULTS is the same list
 * compiled into the caller), and 0 or NULL in a numeric or string field
 * passed to mcp_http_start also means its default (port 0 picks a free
 * port; bool fields are taken as given). Option strings and the store and
 * auth handles are borrowed: keep them alive until mcp_http_stop. */
#ifndef MCP_HTTP_H
#define MCP_HTTP_H

#include <mcp/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <mcp/server.h>
#include <mcp/store.h>
#include <mcp/auth.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { MCP_STATELESS = 0, MCP_STATEFUL = 1 } mcp_http_mode;
typedef enum { MCP_RESPONSE_AUTO = 0, MCP_RESPONSE_JSON, MCP_RESPONSE_SSE } mcp_response_mode;
/* What initialize gets at max_sessions: 503 + Retry-After (default), or room
 * made by ending the least recently used session with nothing in flight (its
 * client gets 404 and initializes again; 503 only when every session is busy). */
typedef enum { MCP_CAP_REJECT = 0, MCP_CAP_EVICT_LRU = 1 } mcp_session_cap_policy;

typedef struct mcp_http_options {
    const char *host;              /* bind address, default "127.0.0.1" */
    unsigned port;                 /* default 3000; 0 picks a free port */
    const char *path;              /* endpoint path, default "/mcp" */
    mcp_http_mode mode;            /* default MCP_STATELESS */
    mcp_response_mode response_mode; /* default MCP_RESPONSE_AUTO */
    unsigned threads;              /* HTTP event-loop threads, default 2 */
    size_t max_body;               /* bytes, default 4 MiB (413 beyond) */
    unsigned max_depth;            /* JSON nesting, default 64 */
    unsigned max_sessions;         /* default 10000 (503 on initialize beyond) */
    unsigned session_idle_ms;      /* idle expiry, default 30 min */
    unsigned max_connections;      /* default 10000 */
    unsigned connection_timeout_s; /* idle/slow connections, default 30 */
    size_t connection_memory;      /* per-connection buffer for the request line and
                                      headers (431 beyond), default 8 KiB */
    unsigned keepalive_ms;         /* SSE comment keep-alive, default 15000 */
    unsigned retry_ms;             /* SSE retry hint, default 1000 */
    unsigned request_timeout_ms;   /* server->client request wait, default 60000 */
    unsigned drain_ms;             /* shutdown drain bound, default 5000 */
    unsigned event_retention;      /* SSE events kept per session for replay, default 256 */
    const char *allowed_hosts;     /* comma list; NULL: localhost names when bound to loopback, else any */
    const char *allowed_origins;   /* comma list of origins; NULL: same rule as hosts */
    bool log_requests;             /* one structured line per request on stderr, default true */
    bool handle_signals;           /* SIGINT/SIGTERM stop mcp_serve_http, default true */
    mcp_store *store;              /* sessions and SSE events in an external store
                                      (mcp_store_redis_open); NULL: in this process */
    bool health_endpoints;         /* GET /healthz (liveness), /readyz (readiness) and
                                      /metrics, default true */
    mcp_auth *auth;                /* OAuth resource server (mcp_auth_new); NULL: none */
    /* Fields below were added after 0.1; 0/NULL means the default. */
    unsigned drain_delay_ms;       /* on stop, /readyz answers 503 and new requests are still
                                      accepted this long before draining, default 0 */
    mcp_session_cap_policy session_cap_policy; /* at max_sessions, default MCP_CAP_REJECT */
    const char *trusted_proxies;   /* comma list of proxy addresses/CIDRs whose Forwarded and
                                      X-Forwarded-Proto/Host/For/Prefix count; NULL: none */
    const char *public_url;        /* the endpoint's public URL, e.g. "https://mcp.example.com/mcp"
                                      (Server Card remotes; its host passes the Host check);
                                      NULL: from trusted proxies' headers, else socket and Host */
    const char *tls_cert_file;     /* HTTPS: PEM certificate chain (leaf first); with tls_key_file */
    const char *tls_key_file;      /* HTTPS: PEM private key; NULL both: plain HTTP. TLS >= 1.2 */
    /* Rate limits per principal (the token subject when auth is on, else the
     * client address): a token bucket refilled at rate_limit tokens per
     * second (fractional: 0.5 = 30/min), holding rate_burst tokens. Over it:
     * 429 + Retry-After and a JSON-RPC error (code -31429, data.retryAfterMs).
     * With a store the budget is shared by every instance; while the store
     * is down the local bucket decides (fail-open, counted in /metrics). */
    double rate_limit;             /* tokens per second; default 0 = no limit */
    unsigned rate_burst;           /* bucket size; default 0 = max(1, ceil(rate_limit)) */
    bool rate_limit_all_requests;  /* limit every request, not only tools/call; default false */
} mcp_http_options;

#define MCP_HTTP_DEFAULTS { .host = "127.0.0.1", .port = 3000, .path = "/mcp", \
    .mode = MCP_STATELESS, .response_mode = MCP_RESPONSE_AUTO, .threads = 2, \
    .max_body = 4u << 20, .max_depth = 64, .max_sessions = 10000, \
    .session_idle_ms = 30u * 60 * 1000, .max_connections = 10000, \
    .connection_timeout_s = 30, .connection_memory = 8192, .keepalive_ms = 15000, .retry_ms = 1000, \
    .request_timeout_ms = 60000, .drain_ms = 5000, .event_retention = 256, \
    .allowed_hosts = NULL, .allowed_origins = NULL, .log_requests = true, \
    .handle_signals = true, .store = NULL, .health_endpoints = true, .auth = NULL }

/* Fill *opts with the documented defaults of the linked library. */
MCP_EXTERN void mcp_http_options_init(mcp_http_options *opts);

typedef struct mcp_http_server mcp_http_server;

/* Start serving in background threads; *out receives the handle. */
MCP_EXTERN int mcp_http_start(mcp_server *srv, const mcp_http_options *opts, mcp_http_server **out);
MCP_EXTERN unsigned mcp_http_port(const mcp_http_server *http);     /* the bound port */
/* The first step of a graceful stop: /readyz answers 503 from now on while
 * requests are still served for drain_delay_ms (this call blocks that long).
 * mcp_http_stop calls it itself; call it earlier to finish your own work
 * (upstream calls) between readiness going down and the drain. */
MCP_EXTERN void mcp_http_begin_drain(mcp_http_server *http);
/* Read tls_cert_file/tls_key_file again: new handshakes use the new pair,
 * open connections are not dropped. 0, or a negative MCP_E* (the old pair
 * stays) when the files are unusable or TLS is off. mcp_serve_http calls it
 * on SIGHUP. */
MCP_EXTERN int mcp_http_reload_tls(mcp_http_server *http);
/* Drain (bounded by drain_ms), end every session and free the handle. */
MCP_EXTERN void mcp_http_stop(mcp_http_server *http);

/* Start, print nothing, block until SIGINT/SIGTERM, then stop. */
MCP_EXTERN int mcp_serve_http(mcp_server *srv, const mcp_http_options *opts);

#ifdef __cplusplus
}
#endif
#endif
