/* main.c - todo-mcp entry point: options, environment, startup and serving.
 *
 * The seeds' todo MCP server, written on libmcp: Streamable HTTP (stateless
 * by default, as in seed 001, or stateful with per-session state as in seed
 * 000) or stdio. Options come from the command line, then the environment,
 * then defaults. For HTTP the stop signals are blocked before any thread
 * starts and collected here with sigwait(), so the startup line can print
 * the real port (--port 0) and SIGINT/SIGTERM drain and exit 0; todo-api
 * calls still hanging then are cut short so their replies make the drain.
 * --auth-*: OAuth bearer JWTs (libmcp); todo-api only ever sees --api-token.
 * --store redis://...: sessions in Redis, so instances behind one balancer
 * share them; --state-key-file: the same MRTR sealing key on all of them.
 * --skills-dir / --app-file: the shipped skill and MCP App (todo_extras.c). */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>
#include <mcp/mcp.h>

#include "todo_extras.h"
#include "todo_tools.h"
#include "webapi.h"

#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_WEB_API "http://localhost:3001"

enum { DEFAULT_PORT = 3000, DEFAULT_WORKERS = 8, MAX_WORKERS = 256 };
enum { WEB_API_TIMEOUT_MS = 10000, WEB_API_CONNECT_TIMEOUT_MS = 5000 };
/* On SIGINT/SIGTERM todo-api calls get this long to finish, then are aborted,
 * so their replies still go out within libmcp's drain time (drain_ms). */
enum { SHUTDOWN_GRACE_MS = 3000 };
enum { EXIT_USAGE = 2 };
enum { MIN_STATE_KEY = 32, MAX_STATE_KEY = 256 };           /* bytes of --state-key-file */
enum { DEFAULT_SESSION_IDLE_MS = 30 * 60 * 1000, MIN_SESSION_IDLE_MS = 100 };

typedef struct options {
    bool stdio;
    mcp_http_mode mode;
    const char *host;
    unsigned port;
    const char *web_api_base_url;
    const char *api_token;
    unsigned workers;
    unsigned connection_memory;    /* 0: libmcp's default */
    mcp_eras eras;                 /* MCP_ERAS_AUTO: legacy only where the counter needs sessions */
    bool quiet;
    double rate_limit;             /* tools/call per second per principal; 0: off */
    unsigned rate_burst;           /* 0: libmcp's default */
    bool rate_limit_all;
    const char *skills_dir;        /* NULL: the shipped skills; "": none */
    const char *app_file;          /* NULL: the shipped todo list app; "": none */
    struct {                       /* OAuth resource server (HTTP), on when resource is set */
        const char *resource, *issuer, *servers, *jwks_file, *jwks_url, *scopes;
    } auth;
    struct {                       /* scale-out: shared session store, MRTR key, session expiry */
        const char *store_url;     /* NULL: sessions live in this process */
        mcp_store_redis_options redis;  /* rediss://: CA, client certificate, server name */
        const char *state_key_file, *state_key_env;
        unsigned char state_key[MAX_STATE_KEY];
        size_t state_key_len;      /* 0: libmcp's random per-process key */
        unsigned session_idle_ms;
    } fleet;
    struct {                       /* edge: probes and drain, session cap, TLS, proxies */
        unsigned drain_delay_ms;
        unsigned max_sessions;     /* 0: libmcp's default */
        mcp_session_cap_policy cap_policy;
        const char *trusted_proxies, *public_url;
        const char *tls_cert, *tls_key;
        const char *allowed_hosts, *allowed_origins;
    } edge;
} options;

static void print_usage(FILE *out)
{
    fprintf(out,
        "Usage: todo-mcp [OPTIONS]\n"
        "MCP server for the todo REST API (todo-api): tools get_todo, list_todos, create_todo,\n"
        "update_todo, delete_todo, resources todo://todos and todo://todos/{id} (writes send\n"
        "resources/updated to subscribers), and in stateful mode the\n"
        "per-session counter tool.\n\n"
        "Options (the command line overrides the environment):\n"
        "  --transport http|stdio   how clients connect (env MCP_TRANSPORT, default http)\n"
        "  --mode stateless|stateful  HTTP sessions: stateless serves every request on its own;\n"
        "                           stateful issues MCP-Session-Id and adds the counter tool\n"
        "                           (env MCP_MODE, default stateless)\n"
        "  --port N                 HTTP port, 0 picks a free one (env PORT, default %d)\n"
        "  --host ADDR              HTTP bind address (env HOST, default %s)\n"
        "  --web-api-base-url URL   todo-api base URL (env WEB_API_BASE_URL, default %s)\n"
        "  --api-token TOKEN        send 'Authorization: Bearer TOKEN' to todo-api\n"
        "                           (env WEB_API_TOKEN, default: no Authorization header)\n"
        "  --workers N              threads for todo-api calls, 1-%d (env MCP_WORKERS, default %d)\n"
        "  --connection-memory N    bytes kept per HTTP connection for its request line, headers\n"
        "                           and reply buffer, 4096-1048576 (default 8192); every open SSE\n"
        "                           stream holds it, so fewer bytes = cheaper streams, shorter headers\n"
        "  --eras auto|both|legacy  protocol eras offered (env MCP_ERAS, default auto: stateful mode\n"
        "                           and stdio offer only 2025-11-25 and earlier, because counter needs\n"
        "                           a session, so 2026-07-28 clients fall back to initialize; both also\n"
        "                           offers 2026-07-28, where counter then answers a tool error)\n"
        "  --quiet                  no per-request log lines on stderr\n"
        "  --rate-limit N/s|N/min   tools/call per client (token subject with OAuth, else the\n"
        "                           address), e.g. 10/s or 30/min; over it 429 + Retry-After\n"
        "                           (stdio: an in-band error). With --store all instances share\n"
        "                           the budget (env MCP_RATE_LIMIT, default: no limit)\n"
        "  --rate-burst N           requests allowed at once before the rate applies, 1-1000000\n"
        "                           (env MCP_RATE_BURST, default: one second's worth, at least 1)\n"
        "  --rate-limit-all         limit every request, not only tools/call\n"
        "  --skills-dir DIR         skills to serve (SEP-2640 Skills extension: skills/list, skills/get,\n"
        "                           skill:// resources); env MCP_SKILLS_DIR, default the shipped\n"
        "                           todo-basics skill (source tree, else <datadir>/todo-mcp/skills);\n"
        "                           \"\" serves none\n"
        "  --app-file PATH          HTML of the MCP App (io.modelcontextprotocol/ui) list_todos links\n"
        "                           to, served as ui://todo-mcp/todo-list.html; env MCP_APP_FILE, default\n"
        "                           the shipped app/todo-list.html (source tree, else <datadir>/todo-mcp);\n"
        "                           \"\" serves none\n"
        "  --help                   show this help and exit\n\n"
        "OAuth 2.1 resource server (HTTP only, off unless --auth-resource is set): every request\n"
        "needs 'Authorization: Bearer <JWT>' (RS256/ES256, aud = the resource URL); get_todo and\n"
        "list_todos need scope todos:read, create/update/delete_todo todos:write (\"todos\" covers both).\n"
        "  --auth-resource URL      this server's canonical URL, e.g. https://mcp.example.com/mcp\n"
        "                           (env MCP_AUTH_RESOURCE)\n"
        "  --auth-server URLS       authorization server issuer URL(s), comma-separated, for the\n"
        "                           metadata (env MCP_AUTH_SERVER, default: --auth-issuer)\n"
        "  --auth-issuer URL        required token iss (env MCP_AUTH_ISSUER, default: any --auth-server)\n"
        "  --auth-jwks-file PATH    JWKS file with the token signing keys (env MCP_AUTH_JWKS_FILE)\n"
        "  --auth-jwks-url URL      or a URL to fetch it from, cached (env MCP_AUTH_JWKS_URL)\n"
        "  --auth-scopes \"S ...\"    scopes_supported in the metadata (env MCP_AUTH_SCOPES,\n"
        "                           default \"todos:read todos:write\")\n"
        "  Metadata (RFC 9728): GET /.well-known/oauth-protected-resource[/mcp].\n\n"
        "Several instances behind one load balancer (HTTP, --mode stateful):\n"
        "  --store URL              keep sessions (record, counter, SSE events) in Redis, e.g.\n"
        "                           redis://127.0.0.1:6379/0, so any instance serves any session and\n"
        "                           DELETE or expiry on one is seen by all (env MCP_STORE, default none:\n"
        "                           sessions live in this process). Redis down: requests that need a\n"
        "                           session get 503 + Retry-After until it is back; /readyz says 503.\n"
        "                           With a password: redis://:PASSWORD@host (requirepass) or\n"
        "                           redis://USER:PASSWORD@host (an ACL user), %%-encoded; rediss://\n"
        "                           for TLS. A refused password or certificate stops todo-mcp at start.\n"
        "  --redis-ca FILE          rediss://: PEM CAs that sign Redis's certificate (env MCP_REDIS_CA,\n"
        "                           default the system store; also ?ca=FILE on the URL)\n"
        "  --redis-cert FILE, --redis-key FILE  rediss://: client certificate and key (env\n"
        "                           MCP_REDIS_CERT, MCP_REDIS_KEY) for tls-auth-clients\n"
        "  --redis-sni NAME         rediss://: the server name sent and verified (env MCP_REDIS_SNI,\n"
        "                           default the URL's host)\n"
        "  --state-key-file PATH    file holding a hex key of at least %d bytes (env MCP_STATE_KEY: the\n"
        "                           hex key itself) that seals the requestState of multi-round\n"
        "                           (2026-07-28) requests; give every instance the same key, or a round\n"
        "                           continued on another instance is rejected (default: a random key\n"
        "                           per process)\n"
        "  --session-idle-ms N      end sessions idle this long, at least %d ms (env\n"
        "                           MCP_SESSION_IDLE_MS, default %d = 30 min); with --store it is the\n"
        "                           Redis TTL, so expiry on one instance is expiry on all\n"
        "  GET /healthz (liveness: 200 while the process serves, whatever the store), GET /readyz\n"
        "  (readiness: 503 while starting, draining or while the store is unreachable) and\n"
        "  GET /metrics (Prometheus).\n"
        "  --drain-delay-ms N       on SIGTERM, answer /readyz 503 and keep serving this long before\n"
        "                           draining, so load balancers stop sending first (default 0)\n"
        "  --max-sessions N         stateful sessions kept at once (default 10000)\n"
        "  --session-cap-policy reject|evict-lru  at --max-sessions, initialize gets 503 (reject,\n"
        "                           the default) or ends the least recently used session with\n"
        "                           nothing in flight, whose client then gets 404 and starts over\n\n"
        "HTTPS (TLS 1.2 or newer, through libmicrohttpd's GnuTLS):\n"
        "  --tls-cert PATH          PEM certificate chain, leaf first (env MCP_TLS_CERT)\n"
        "  --tls-key PATH           PEM private key (env MCP_TLS_KEY); both or neither. SIGHUP reads\n"
        "                           both files again: new connections get the new certificate, open\n"
        "                           ones carry on (a bad pair is logged and the old one kept)\n\n"
        "Behind a reverse proxy:\n"
        "  --public-url URL         the endpoint's public URL, e.g. https://mcp.example.com/mcp (env\n"
        "                           MCP_PUBLIC_URL): the Server Card's remote and, with --auth-*, the\n"
        "                           default --auth-resource (the OAuth metadata and challenges)\n"
        "  --trusted-proxies LIST   comma list of proxy addresses or CIDRs, e.g. 127.0.0.1,10.0.0.0/8\n"
        "                           (env MCP_TRUSTED_PROXIES): only from these peers are Forwarded and\n"
        "                           X-Forwarded-Proto/Host/For/Prefix believed, for the client address\n"
        "                           in the log and the public URL when --public-url is not set\n"
        "  --allowed-hosts LIST     Host names accepted (DNS-rebinding check), comma list (env\n"
        "                           MCP_ALLOWED_HOSTS; default: localhost names when bound to loopback,\n"
        "                           else any; the --public-url host is always accepted)\n"
        "  --allowed-origins LIST   browser Origins accepted and granted CORS, e.g.\n"
        "                           https://app.example.com (env MCP_ALLOWED_ORIGINS; default: localhost\n"
        "                           origins when bound to loopback, else the Host's own)\n"
        "  GET /mcp/server-card     the MCP Server Card (experimental, draft SEP-2127)\n\n"
        "todo-api calls time out after %d s; failures are tool errors starting \"WebAPI call failed\".\n"
        "HTTP endpoint: http://HOST:PORT/mcp. With stdio, stdout carries only MCP messages and\n"
        "the server exits when stdin closes.\n",
        DEFAULT_PORT, DEFAULT_HOST, DEFAULT_WEB_API, MAX_WORKERS, DEFAULT_WORKERS,
        MIN_STATE_KEY, MIN_SESSION_IDLE_MS, DEFAULT_SESSION_IDLE_MS,
        WEB_API_TIMEOUT_MS / 1000);
}

/* ---------------------------------------------------------------- options */

static const char *env_or(const char *name, const char *fallback)
{
    const char *value = getenv(name);
    return value && *value ? value : fallback;
}

static bool parse_unsigned(const char *text, unsigned min, unsigned max, unsigned *out)
{
    char *end = NULL;
    if (!text || *text < '0' || *text > '9')
        return false;
    unsigned long value = strtoul(text, &end, 10);
    if (*end != '\0' || value < min || value > max)
        return false;
    *out = (unsigned)value;
    return true;
}

static bool parse_mode(const char *text, mcp_http_mode *out)
{
    if (strcmp(text, "stateless") == 0)
        *out = MCP_STATELESS;
    else if (strcmp(text, "stateful") == 0)
        *out = MCP_STATEFUL;
    else
        return false;
    return true;
}

static bool parse_transport(const char *text, bool *stdio)
{
    if (strcmp(text, "http") != 0 && strcmp(text, "stdio") != 0)
        return false;
    *stdio = strcmp(text, "stdio") == 0;
    return true;
}

static int invalid(const char *name, const char *value)
{
    fprintf(stderr, "todo-mcp: invalid value for %s: '%s' (see --help)\n", name, value);
    return -1;
}

/* "N/s", "N/min" (N may be fractional: 0.5/s), or a bare N (per second). */
static bool parse_rate(const char *text, double *out)
{
    char *end = NULL;
    if (!text || !((*text >= '0' && *text <= '9') || *text == '.'))
        return false;
    double n = strtod(text, &end);
    double per_s;
    if (*end == '\0' || strcmp(end, "/s") == 0)
        per_s = n;
    else if (strcmp(end, "/min") == 0 || strcmp(end, "/m") == 0)
        per_s = n / 60.0;
    else
        return false;
    if (!(per_s > 0) || per_s > 1e9)
        return false;
    *out = per_s;
    return true;
}

/* ------------------------------------------- scale-out (store, key, expiry) */

static int fleet_from_env(options *o)
{
    const char *idle = env_or("MCP_SESSION_IDLE_MS", NULL);
    o->fleet.store_url = env_or("MCP_STORE", NULL);
    mcp_store_redis_options_init(&o->fleet.redis);
    o->fleet.redis.ca_file = env_or("MCP_REDIS_CA", NULL);
    o->fleet.redis.cert_file = env_or("MCP_REDIS_CERT", NULL);
    o->fleet.redis.key_file = env_or("MCP_REDIS_KEY", NULL);
    o->fleet.redis.server_name = env_or("MCP_REDIS_SNI", NULL);
    o->skills_dir = getenv("MCP_SKILLS_DIR");
    o->app_file = getenv("MCP_APP_FILE");
    o->fleet.state_key_env = env_or("MCP_STATE_KEY", NULL);
    o->fleet.session_idle_ms = DEFAULT_SESSION_IDLE_MS;
    if (idle && !parse_unsigned(idle, MIN_SESSION_IDLE_MS, UINT_MAX, &o->fleet.session_idle_ms))
        return invalid("MCP_SESSION_IDLE_MS", idle);
    return 0;
}

/* Hex digits (surrounding white space ignored) to bytes; -1 when not hex or
 * not MIN_STATE_KEY..MAX_STATE_KEY bytes long. */
static int decode_state_key(const char *hex, size_t n, unsigned char *out, size_t *len)
{
    while (n && strchr(" \t\r\n", hex[n - 1]))
        n--;
    while (n && strchr(" \t\r\n", *hex)) {
        hex++;
        n--;
    }
    if (n % 2 || n / 2 < MIN_STATE_KEY || n / 2 > MAX_STATE_KEY)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        char byte[3] = { hex[i], hex[i + 1], '\0' };
        if (!isxdigit((unsigned char)byte[0]) || !isxdigit((unsigned char)byte[1]))
            return -1;
        out[i / 2] = (unsigned char)strtoul(byte, NULL, 16);
    }
    *len = n / 2;
    return 0;
}

/* The store URL with its password replaced by "***", for messages. */
static const char *redacted_url(const char *url, char *buf, size_t len)
{
    snprintf(buf, len, "%s", url);
    char *auth = strstr(buf, "://");
    if (!auth)
        return buf;
    auth += 3;
    char *end = auth + strcspn(auth, "/?"), *at = NULL;
    for (char *p = auth; p < end; p++)
        if (*p == '@')
            at = p;
    char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon && len - (size_t)(colon - buf) > 4 + strlen(at)) {
        memmove(colon + 4, at, strlen(at) + 1);
        memcpy(colon + 1, "***", 3);
    }
    return buf;
}

/* After parsing: the key must decode, so a typo is a usage error (exit 2)
 * before anything starts (the store URL is checked when it is opened). */
static int fleet_check(options *o)
{
    const mcp_store_redis_options *r = &o->fleet.redis;
    if (!o->fleet.store_url && (r->ca_file || r->cert_file || r->key_file || r->server_name)) {
        fprintf(stderr, "todo-mcp: the --redis-* options need --store rediss://... (see --help)\n");
        return -1;
    }
    if (o->fleet.state_key_file) {
        char text[2 * MAX_STATE_KEY + 64];
        FILE *f = fopen(o->fleet.state_key_file, "r");
        size_t n = f ? fread(text, 1, sizeof text, f) : 0;
        if (!f) {
            fprintf(stderr, "todo-mcp: cannot read --state-key-file '%s'\n", o->fleet.state_key_file);
            return -1;
        }
        fclose(f);
        if (n == sizeof text || decode_state_key(text, n, o->fleet.state_key, &o->fleet.state_key_len) < 0) {
            fprintf(stderr, "todo-mcp: --state-key-file '%s' must hold %d-%d bytes as hex\n",
                    o->fleet.state_key_file, MIN_STATE_KEY, MAX_STATE_KEY);
            return -1;
        }
    } else if (o->fleet.state_key_env &&
               decode_state_key(o->fleet.state_key_env, strlen(o->fleet.state_key_env), o->fleet.state_key,
                                &o->fleet.state_key_len) < 0) {
        fprintf(stderr, "todo-mcp: MCP_STATE_KEY must be %d-%d bytes as hex\n", MIN_STATE_KEY, MAX_STATE_KEY);
        return -1;
    }
    if (o->fleet.store_url && !o->fleet.state_key_len)
        fprintf(stderr, "todo-mcp: note: --store without --state-key-file: multi-round (2026-07-28) "
                        "requests only continue on the instance that began them\n");
    return 0;
}

/* Defaults, then the environment. */
static bool parse_eras(const char *text, mcp_eras *out)
{
    if (strcmp(text, "auto") == 0)
        *out = MCP_ERAS_AUTO;
    else if (strcmp(text, "both") == 0)
        *out = MCP_ERAS_BOTH;
    else if (strcmp(text, "legacy") == 0)
        *out = MCP_ERAS_LEGACY;
    else
        return false;
    return true;
}

static int options_from_env(options *o)
{
    *o = (options){ .mode = MCP_STATELESS, .host = env_or("HOST", DEFAULT_HOST), .port = DEFAULT_PORT,
                    .web_api_base_url = env_or("WEB_API_BASE_URL", DEFAULT_WEB_API),
                    .api_token = env_or("WEB_API_TOKEN", NULL), .workers = DEFAULT_WORKERS,
                    .auth = { .resource = env_or("MCP_AUTH_RESOURCE", NULL), .issuer = env_or("MCP_AUTH_ISSUER", NULL),
                              .servers = env_or("MCP_AUTH_SERVER", NULL),
                              .jwks_file = env_or("MCP_AUTH_JWKS_FILE", NULL),
                              .jwks_url = env_or("MCP_AUTH_JWKS_URL", NULL),
                              .scopes = env_or("MCP_AUTH_SCOPES", NULL) },
                    .edge = { .trusted_proxies = env_or("MCP_TRUSTED_PROXIES", NULL),
                              .public_url = env_or("MCP_PUBLIC_URL", NULL),
                              .tls_cert = env_or("MCP_TLS_CERT", NULL), .tls_key = env_or("MCP_TLS_KEY", NULL),
                              .allowed_hosts = env_or("MCP_ALLOWED_HOSTS", NULL),
                              .allowed_origins = env_or("MCP_ALLOWED_ORIGINS", NULL) } };
    const char *port = env_or("PORT", NULL), *mode = env_or("MCP_MODE", NULL);
    const char *transport = env_or("MCP_TRANSPORT", NULL), *workers = env_or("MCP_WORKERS", NULL);
    if (port && !parse_unsigned(port, 0, 65535, &o->port))
        return invalid("PORT", port);
    if (mode && !parse_mode(mode, &o->mode))
        return invalid("MCP_MODE", mode);
    if (transport && !parse_transport(transport, &o->stdio))
        return invalid("MCP_TRANSPORT", transport);
    if (workers && !parse_unsigned(workers, 1, MAX_WORKERS, &o->workers))
        return invalid("MCP_WORKERS", workers);
    const char *eras = env_or("MCP_ERAS", NULL);
    if (eras && !parse_eras(eras, &o->eras))
        return invalid("MCP_ERAS", eras);
    const char *rate = env_or("MCP_RATE_LIMIT", NULL), *burst = env_or("MCP_RATE_BURST", NULL);
    if (rate && !parse_rate(rate, &o->rate_limit))
        return invalid("MCP_RATE_LIMIT", rate);
    if (burst && !parse_unsigned(burst, 1, 1000000, &o->rate_burst))
        return invalid("MCP_RATE_BURST", burst);
    return fleet_from_env(o);
}

enum { OPT_TRANSPORT = 256, OPT_MODE, OPT_PORT, OPT_HOST, OPT_WEB_API, OPT_TOKEN, OPT_WORKERS,
       OPT_QUIET, OPT_HELP, OPT_AUTH_RESOURCE, OPT_AUTH_ISSUER, OPT_AUTH_SERVER, OPT_AUTH_JWKS_FILE,
       OPT_AUTH_JWKS_URL, OPT_AUTH_SCOPES, OPT_CONNECTION_MEMORY, OPT_ERAS, OPT_SKILLS_DIR, OPT_APP_FILE };

enum { OPT_STORE = 512, OPT_STATE_KEY_FILE, OPT_SESSION_IDLE_MS, OPT_REDIS_CA, OPT_REDIS_CERT, OPT_REDIS_KEY,
       OPT_REDIS_SNI };

enum { OPT_DRAIN_DELAY_MS = 768, OPT_MAX_SESSIONS, OPT_CAP_POLICY, OPT_TRUSTED_PROXIES, OPT_PUBLIC_URL,
       OPT_TLS_CERT, OPT_TLS_KEY, OPT_ALLOWED_HOSTS, OPT_ALLOWED_ORIGINS };   /* edge options */

static bool parse_cap_policy(const char *text, mcp_session_cap_policy *out)
{
    if (strcmp(text, "reject") == 0)
        *out = MCP_CAP_REJECT;
    else if (strcmp(text, "evict-lru") == 0)
        *out = MCP_CAP_EVICT_LRU;
    else
        return false;
    return true;
}

enum { OPT_RATE_LIMIT = 1024, OPT_RATE_BURST, OPT_RATE_LIMIT_ALL };

static int apply_option(int opt, const char *arg, options *o)
{
    switch (opt) {
    case OPT_TRANSPORT: return parse_transport(arg, &o->stdio) ? 0 : invalid("--transport", arg);
    case OPT_MODE: return parse_mode(arg, &o->mode) ? 0 : invalid("--mode", arg);
    case OPT_PORT: return parse_unsigned(arg, 0, 65535, &o->port) ? 0 : invalid("--port", arg);
    case OPT_WORKERS: return parse_unsigned(arg, 1, MAX_WORKERS, &o->workers) ? 0 : invalid("--workers", arg);
    case OPT_HOST: o->host = arg; return 0;
    case OPT_WEB_API: o->web_api_base_url = arg; return 0;
    case OPT_TOKEN: o->api_token = arg; return 0;
    case OPT_QUIET: o->quiet = true; return 0;
    case OPT_ERAS: return parse_eras(arg, &o->eras) ? 0 : invalid("--eras", arg);
    case OPT_SKILLS_DIR: o->skills_dir = arg; return 0;
    case OPT_APP_FILE: o->app_file = arg; return 0;
    case OPT_CONNECTION_MEMORY:
        return parse_unsigned(arg, 4096, 1048576, &o->connection_memory) ? 0 : invalid("--connection-memory", arg);
    case OPT_RATE_LIMIT: return parse_rate(arg, &o->rate_limit) ? 0 : invalid("--rate-limit", arg);
    case OPT_RATE_BURST: return parse_unsigned(arg, 1, 1000000, &o->rate_burst) ? 0 : invalid("--rate-burst", arg);
    case OPT_RATE_LIMIT_ALL: o->rate_limit_all = true; return 0;
    case OPT_STORE: o->fleet.store_url = *arg ? arg : NULL; return 0;
    case OPT_STATE_KEY_FILE: o->fleet.state_key_file = arg; return 0;
    case OPT_REDIS_CA: o->fleet.redis.ca_file = arg; return 0;
    case OPT_REDIS_CERT: o->fleet.redis.cert_file = arg; return 0;
    case OPT_REDIS_KEY: o->fleet.redis.key_file = arg; return 0;
    case OPT_REDIS_SNI: o->fleet.redis.server_name = arg; return 0;
    case OPT_SESSION_IDLE_MS:
        return parse_unsigned(arg, MIN_SESSION_IDLE_MS, UINT_MAX, &o->fleet.session_idle_ms)
            ? 0 : invalid("--session-idle-ms", arg);
    case OPT_AUTH_RESOURCE: o->auth.resource = arg; return 0;
    case OPT_AUTH_ISSUER: o->auth.issuer = arg; return 0;
    case OPT_AUTH_SERVER: o->auth.servers = arg; return 0;
    case OPT_AUTH_JWKS_FILE: o->auth.jwks_file = arg; return 0;
    case OPT_AUTH_JWKS_URL: o->auth.jwks_url = arg; return 0;
    case OPT_AUTH_SCOPES: o->auth.scopes = arg; return 0;
    case OPT_DRAIN_DELAY_MS:
        return parse_unsigned(arg, 0, 600000, &o->edge.drain_delay_ms) ? 0 : invalid("--drain-delay-ms", arg);
    case OPT_MAX_SESSIONS:
        return parse_unsigned(arg, 1, 10000000, &o->edge.max_sessions) ? 0 : invalid("--max-sessions", arg);
    case OPT_CAP_POLICY:
        return parse_cap_policy(arg, &o->edge.cap_policy) ? 0 : invalid("--session-cap-policy", arg);
    case OPT_TRUSTED_PROXIES: o->edge.trusted_proxies = *arg ? arg : NULL; return 0;
    case OPT_PUBLIC_URL: o->edge.public_url = *arg ? arg : NULL; return 0;
    case OPT_TLS_CERT: o->edge.tls_cert = *arg ? arg : NULL; return 0;
    case OPT_TLS_KEY: o->edge.tls_key = *arg ? arg : NULL; return 0;
    case OPT_ALLOWED_HOSTS: o->edge.allowed_hosts = *arg ? arg : NULL; return 0;
    case OPT_ALLOWED_ORIGINS: o->edge.allowed_origins = *arg ? arg : NULL; return 0;
    default: print_usage(stderr); return -1;
    }
}

/* Returns 0 to run, 1 when --help was printed, -1 on a usage error. */
static int parse_options(int argc, char **argv, options *o)
{
    static const struct option long_options[] = {
        { "transport", required_argument, NULL, OPT_TRANSPORT },
        { "mode", required_argument, NULL, OPT_MODE },
        { "port", required_argument, NULL, OPT_PORT },
        { "host", required_argument, NULL, OPT_HOST },
        { "web-api-base-url", required_argument, NULL, OPT_WEB_API },
        { "api-token", required_argument, NULL, OPT_TOKEN },
        { "workers", required_argument, NULL, OPT_WORKERS },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "eras", required_argument, NULL, OPT_ERAS },
        { "skills-dir", required_argument, NULL, OPT_SKILLS_DIR },
        { "app-file", required_argument, NULL, OPT_APP_FILE },
        { "connection-memory", required_argument, NULL, OPT_CONNECTION_MEMORY },
        { "help", no_argument, NULL, OPT_HELP },
        { "rate-limit", required_argument, NULL, OPT_RATE_LIMIT },
        { "rate-burst", required_argument, NULL, OPT_RATE_BURST },
        { "rate-limit-all", no_argument, NULL, OPT_RATE_LIMIT_ALL },
        { "store", required_argument, NULL, OPT_STORE },
        { "state-key-file", required_argument, NULL, OPT_STATE_KEY_FILE },
        { "session-idle-ms", required_argument, NULL, OPT_SESSION_IDLE_MS },
        { "redis-ca", required_argument, NULL, OPT_REDIS_CA },
        { "redis-cert", required_argument, NULL, OPT_REDIS_CERT },
        { "redis-key", required_argument, NULL, OPT_REDIS_KEY },
        { "redis-sni", required_argument, NULL, OPT_REDIS_SNI },
        { "auth-resource", required_argument, NULL, OPT_AUTH_RESOURCE },
        { "auth-issuer", required_argument, NULL, OPT_AUTH_ISSUER },
        { "auth-server", required_argument, NULL, OPT_AUTH_SERVER },
        { "auth-jwks-file", required_argument, NULL, OPT_AUTH_JWKS_FILE },
        { "auth-jwks-url", required_argument, NULL, OPT_AUTH_JWKS_URL },
        { "auth-scopes", required_argument, NULL, OPT_AUTH_SCOPES },
        { "drain-delay-ms", required_argument, NULL, OPT_DRAIN_DELAY_MS },
        { "max-sessions", required_argument, NULL, OPT_MAX_SESSIONS },
        { "session-cap-policy", required_argument, NULL, OPT_CAP_POLICY },
        { "trusted-proxies", required_argument, NULL, OPT_TRUSTED_PROXIES },
        { "public-url", required_argument, NULL, OPT_PUBLIC_URL },
        { "tls-cert", required_argument, NULL, OPT_TLS_CERT },
        { "tls-key", required_argument, NULL, OPT_TLS_KEY },
        { "allowed-hosts", required_argument, NULL, OPT_ALLOWED_HOSTS },
        { "allowed-origins", required_argument, NULL, OPT_ALLOWED_ORIGINS },
        { NULL, 0, NULL, 0 },
    };
    if (options_from_env(o) < 0)
        return -1;
    int opt;
    while ((opt = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
        if (opt == OPT_HELP || opt == 'h') {
            print_usage(stdout);
            return 1;
        }
        if (apply_option(opt, optarg, o) < 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "todo-mcp: unexpected argument '%s' (see --help)\n", argv[optind]);
        return -1;
    }
    if (fleet_check(o) < 0)
        return -1;
    bool auth_wanted = o->auth.issuer || o->auth.servers || o->auth.jwks_file || o->auth.jwks_url || o->auth.scopes;
    if (!o->auth.resource && auth_wanted && o->edge.public_url)
        o->auth.resource = o->edge.public_url;   /* one public URL for everything clients compare */
    if (!o->auth.resource && (o->auth.issuer || o->auth.servers || o->auth.jwks_file || o->auth.jwks_url ||
                              o->auth.scopes)) {
        fprintf(stderr, "todo-mcp: the --auth-* options need --auth-resource (see --help)\n");
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- serving */

static const char *mode_name(mcp_http_mode mode)
{
    return mode == MCP_STATEFUL ? "stateful" : "stateless";
}

static int serve_http(mcp_server *srv, const options *o, webapi *api)
{
    /* Block before mcp_http_start so every library thread inherits the
     * mask and only the sigwait() below receives the stop signals. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);      /* reload the TLS certificate */
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    mcp_http_options http = MCP_HTTP_DEFAULTS;
    http.host = o->host;
    http.port = o->port;
    http.mode = o->mode;
    http.log_requests = !o->quiet;
    http.handle_signals = false;
    http.session_idle_ms = o->fleet.session_idle_ms;
    if (o->connection_memory)
        http.connection_memory = o->connection_memory;
    http.drain_delay_ms = o->edge.drain_delay_ms;
    if (o->edge.max_sessions)
        http.max_sessions = o->edge.max_sessions;
    http.session_cap_policy = o->edge.cap_policy;
    http.trusted_proxies = o->edge.trusted_proxies;
    http.public_url = o->edge.public_url;
    http.tls_cert_file = o->edge.tls_cert;
    http.tls_key_file = o->edge.tls_key;
    http.allowed_hosts = o->edge.allowed_hosts;
    http.allowed_origins = o->edge.allowed_origins;
    http.rate_limit = o->rate_limit;
    http.rate_burst = o->rate_burst;
    http.rate_limit_all_requests = o->rate_limit_all;
    mcp_store *store = NULL;
    char shown_url[512];
    if (o->fleet.store_url) {
        char err[320];
        redacted_url(o->fleet.store_url, shown_url, sizeof shown_url);
        int src = mcp_store_redis_open_opts(o->fleet.store_url, &o->fleet.redis, &store, err, sizeof err);
        if (src == -MCP_EINVAL) {
            fprintf(stderr, "todo-mcp: invalid store URL '%s' or --redis-* option: %s\n", shown_url, err);
            return EXIT_USAGE;
        }
        if (src < 0) {   /* Redis answered but refused us: wrong password, certificate, database */
            fprintf(stderr, "todo-mcp: cannot use store %s: %s\n", shown_url, *err ? err : mcp_strerror(src));
            return EXIT_FAILURE;
        }
        http.store = store;
    }
    mcp_auth_options auth = { .resource = o->auth.resource, .issuer = o->auth.issuer,
                              .authorization_servers = o->auth.servers ? o->auth.servers : o->auth.issuer,
                              .jwks_file = o->auth.jwks_file, .jwks_url = o->auth.jwks_url,
                              .scopes_supported = o->auth.scopes ? o->auth.scopes : "todos:read todos:write" };
    if (o->auth.resource) {
        char err[256];
        if (!(http.auth = mcp_auth_new(&auth, err, sizeof err))) {
            fprintf(stderr, "todo-mcp: invalid --auth-* settings: %s (see --help)\n", err);
            mcp_store_free(store);
            return EXIT_FAILURE;
        }
    }
    mcp_http_server *hs = NULL;
    int rc = mcp_http_start(srv, &http, &hs);
    if (rc < 0) {
        mcp_store_free(store);
        mcp_auth_free(http.auth);
        if (rc == -MCP_EINVAL) {
            fprintf(stderr, "todo-mcp: invalid HTTP settings (--trusted-proxies, --public-url, --tls-*): %s\n",
                    mcp_strerror(rc));
            return EXIT_USAGE;
        }
        fprintf(stderr, "todo-mcp: cannot listen on %s port %u: %s\n", o->host, o->port, mcp_strerror(rc));
        return EXIT_FAILURE;
    }
    if (store)
        fprintf(stderr, "todo-mcp: sessions in store %s\n", shown_url);
    bool v6 = strchr(o->host, ':') != NULL;
    fprintf(stderr, "todo-mcp (%s) listening on %s://%s%s%s:%u/mcp\n", mode_name(o->mode),
            o->edge.tls_cert ? "https" : "http", v6 ? "[" : "", o->host, v6 ? "]" : "", mcp_http_port(hs));
    fprintf(stderr, "todo-mcp: WebAPI base URL %s\n", o->web_api_base_url);
    if (o->rate_limit > 0)
        fprintf(stderr, "todo-mcp: rate limit %g/s per client%s\n", o->rate_limit,
                o->rate_limit_all ? " (every request)" : " (tools/call)");
    if (http.auth)
        fprintf(stderr, "todo-mcp: OAuth on: resource %s, tokens from %s\n", auth.resource,
                auth.authorization_servers ? auth.authorization_servers : "(none)");

    int sig = 0;
    int wrc;
    while ((wrc = sigwait(&stop, &sig)) == 0 && sig == SIGHUP)
        if (o->edge.tls_cert)
            mcp_http_reload_tls(hs);   /* logs its outcome */
    if (wrc != 0)
        fprintf(stderr, "todo-mcp: sigwait failed; shutting down\n");
    else if (!o->quiet)
        fprintf(stderr, "todo-mcp: %s received, shutting down\n", strsignal(sig));
    mcp_http_begin_drain(hs);   /* /readyz 503 first, still serving for --drain-delay-ms */
    webapi_shutdown(api, SHUTDOWN_GRACE_MS);
    mcp_http_stop(hs);
    mcp_store_free(store);   /* after the sessions that use it */
    mcp_auth_free(http.auth);
    return EXIT_SUCCESS;
}

static int serve_stdio(mcp_server *srv, const options *o)
{
    fprintf(stderr, "todo-mcp (%s) serving on stdio, WebAPI base URL %s\n", mode_name(o->mode),
            o->web_api_base_url);
    mcp_stdio_options so;
    mcp_stdio_options_init(&so);
    so.rate_limit = o->rate_limit;
    so.rate_burst = o->rate_burst;
    so.rate_limit_all_requests = o->rate_limit_all;
    int rc = mcp_serve_stdio(srv, &so);
    if (rc < 0)
        fprintf(stderr, "todo-mcp: stdio: %s\n", mcp_strerror(rc));
    return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static mcp_server *create_server(const options *o, webapi *api)
{
    mcp_server *srv = mcp_server_new(&(mcp_server_info){
        .name = "todo-mcp", .version = "1.0.0", .title = "Todo MCP server",
        .description = "Read and change the todos of a todo REST API",
        .registry_name = "io.github.libmcp/todo-mcp",
        .instructions = "Read and change the todo items of the todo REST API with the *_todo tools; "
                        "read every todo as the resource todo://todos, one as todo://todos/{id}; "
                        "subscribe to either to hear of changes." });
    if (!srv)
        return NULL;
    mcp_server_set_workers(srv, o->workers);
    mcp_server_set_eras(srv, o->eras);
    if (o->fleet.state_key_len && mcp_server_set_state_key(srv, o->fleet.state_key, o->fleet.state_key_len) < 0) {
        fprintf(stderr, "todo-mcp: cannot set the state key\n");
        mcp_server_free(srv);
        return NULL;
    }
    bool app = false;
    if (todo_app_register(srv, o->app_file, &app) < 0) {
        mcp_server_free(srv);
        return NULL;
    }
    int rc = todo_tools_register(srv, api, o->mode == MCP_STATEFUL, app ? TODO_APP_URI : NULL);
    if (rc < 0) {
        fprintf(stderr, "todo-mcp: cannot register tools: %s\n", mcp_strerror(rc));
        mcp_server_free(srv);
        return NULL;
    }
    if (todo_skills_register(srv, o->skills_dir) < 0) {
        mcp_server_free(srv);
        return NULL;
    }
    return srv;
}

int main(int argc, char **argv)
{
    options o;
    int parsed = parse_options(argc, argv, &o);
    if (parsed != 0)
        return parsed > 0 ? EXIT_SUCCESS : EXIT_USAGE;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "todo-mcp: curl_global_init failed\n");
        return EXIT_FAILURE;
    }
    int status = EXIT_FAILURE;
    webapi *api = webapi_new(&(webapi_config){ .base_url = o.web_api_base_url, .token = o.api_token,
        .timeout_ms = WEB_API_TIMEOUT_MS, .connect_timeout_ms = WEB_API_CONNECT_TIMEOUT_MS });
    mcp_server *srv = api ? create_server(&o, api) : NULL;
    if (!api)
        fprintf(stderr, "todo-mcp: invalid WebAPI base URL '%s' (need http:// or https://)\n",
                o.web_api_base_url);
    if (srv)
        status = o.stdio ? serve_stdio(srv, &o) : serve_http(srv, &o, api);
    mcp_server_free(srv);   /* joins the workers: their curl handles go first */
    webapi_free(api);
    curl_global_cleanup();
    return status;
}
