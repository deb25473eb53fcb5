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
 * share them; --state-key-file: the same MRTR sealing key on all of them. */
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
    bool quiet;
    struct {                       /* OAuth resource server (HTTP), on when resource is set */
        const char *resource, *issuer, *servers, *jwks_file, *jwks_url, *scopes;
    } auth;
    struct {                       /* scale-out: shared session store, MRTR key, session expiry */
        const char *store_url;     /* NULL: sessions live in this process */
        const char *state_key_file, *state_key_env;
        unsigned char state_key[MAX_STATE_KEY];
        size_t state_key_len;      /* 0: libmcp's random per-process key */
        unsigned session_idle_ms;
    } fleet;
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
        "  --quiet                  no per-request log lines on stderr\n"
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
        "                           session get 503 + Retry-After until it is back; /healthz says 503.\n"
        "  --state-key-file PATH    file holding a hex key of at least %d bytes (env MCP_STATE_KEY: the\n"
        "                           hex key itself) that seals the requestState of multi-round\n"
        "                           (2026-07-28) requests; give every instance the same key, or a round\n"
        "                           continued on another instance is rejected (default: a random key\n"
        "                           per process)\n"
        "  --session-idle-ms N      end sessions idle this long, at least %d ms (env\n"
        "                           MCP_SESSION_IDLE_MS, default %d = 30 min); with --store it is the\n"
        "                           Redis TTL, so expiry on one instance is expiry on all\n"
        "  GET /healthz (200, 503 while the store is unreachable) and GET /metrics (Prometheus).\n\n"
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

/* ------------------------------------------- scale-out (store, key, expiry) */

static int fleet_from_env(options *o)
{
    const char *idle = env_or("MCP_SESSION_IDLE_MS", NULL);
    o->fleet.store_url = env_or("MCP_STORE", NULL);
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

/* After parsing: the store URL must parse and the key must decode, so a
 * typo is a usage error (exit 2) before anything starts. */
static int fleet_check(options *o)
{
    if (o->fleet.store_url) {
        mcp_store *probe = NULL;   /* connects lazily: this only parses the URL */
        if (mcp_store_redis_open(o->fleet.store_url, &probe) < 0) {
            fprintf(stderr, "todo-mcp: invalid store URL '%s' (need redis://host[:port][/db])\n",
                    o->fleet.store_url);
            return -1;
        }
        mcp_store_free(probe);
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
static int options_from_env(options *o)
{
    *o = (options){ .mode = MCP_STATELESS, .host = env_or("HOST", DEFAULT_HOST), .port = DEFAULT_PORT,
                    .web_api_base_url = env_or("WEB_API_BASE_URL", DEFAULT_WEB_API),
                    .api_token = env_or("WEB_API_TOKEN", NULL), .workers = DEFAULT_WORKERS,
                    .auth = { .resource = env_or("MCP_AUTH_RESOURCE", NULL), .issuer = env_or("MCP_AUTH_ISSUER", NULL),
                              .servers = env_or("MCP_AUTH_SERVER", NULL),
                              .jwks_file = env_or("MCP_AUTH_JWKS_FILE", NULL),
                              .jwks_url = env_or("MCP_AUTH_JWKS_URL", NULL),
                              .scopes = env_or("MCP_AUTH_SCOPES", NULL) } };
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
    return fleet_from_env(o);
}

enum { OPT_TRANSPORT = 256, OPT_MODE, OPT_PORT, OPT_HOST, OPT_WEB_API, OPT_TOKEN, OPT_WORKERS,
       OPT_QUIET, OPT_HELP, OPT_AUTH_RESOURCE, OPT_AUTH_ISSUER, OPT_AUTH_SERVER, OPT_AUTH_JWKS_FILE,
       OPT_AUTH_JWKS_URL, OPT_AUTH_SCOPES, OPT_CONNECTION_MEMORY };

enum { OPT_STORE = 512, OPT_STATE_KEY_FILE, OPT_SESSION_IDLE_MS };

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
    case OPT_CONNECTION_MEMORY:
        return parse_unsigned(arg, 4096, 1048576, &o->connection_memory) ? 0 : invalid("--connection-memory", arg);
    case OPT_STORE: o->fleet.store_url = *arg ? arg : NULL; return 0;
    case OPT_STATE_KEY_FILE: o->fleet.state_key_file = arg; return 0;
    case OPT_SESSION_IDLE_MS:
        return parse_unsigned(arg, MIN_SESSION_IDLE_MS, UINT_MAX, &o->fleet.session_idle_ms)
            ? 0 : invalid("--session-idle-ms", arg);
    case OPT_AUTH_RESOURCE: o->auth.resource = arg; return 0;
    case OPT_AUTH_ISSUER: o->auth.issuer = arg; return 0;
    case OPT_AUTH_SERVER: o->auth.servers = arg; return 0;
    case OPT_AUTH_JWKS_FILE: o->auth.jwks_file = arg; return 0;
    case OPT_AUTH_JWKS_URL: o->auth.jwks_url = arg; return 0;
    case OPT_AUTH_SCOPES: o->auth.scopes = arg; return 0;
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
        { "connection-memory", required_argument, NULL, OPT_CONNECTION_MEMORY },
        { "help", no_argument, NULL, OPT_HELP },
        { "store", required_argument, NULL, OPT_STORE },
        { "state-key-file", required_argument, NULL, OPT_STATE_KEY_FILE },
        { "session-idle-ms", required_argument, NULL, OPT_SESSION_IDLE_MS },
        { "auth-resource", required_argument, NULL, OPT_AUTH_RESOURCE },
        { "auth-issuer", required_argument, NULL, OPT_AUTH_ISSUER },
        { "auth-server", required_argument, NULL, OPT_AUTH_SERVER },
        { "auth-jwks-file", required_argument, NULL, OPT_AUTH_JWKS_FILE },
        { "auth-jwks-url", required_argument, NULL, OPT_AUTH_JWKS_URL },
        { "auth-scopes", required_argument, NULL, OPT_AUTH_SCOPES },
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
    mcp_store *store = NULL;
    if (o->fleet.store_url) {
        int src = mcp_store_redis_open(o->fleet.store_url, &store);   /* URL checked already */
        if (src < 0) {
            fprintf(stderr, "todo-mcp: cannot open store %s: %s\n", o->fleet.store_url, mcp_strerror(src));
            return src == -MCP_EINVAL ? EXIT_USAGE : EXIT_FAILURE;
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
        fprintf(stderr, "todo-mcp: cannot listen on %s port %u: %s\n", o->host, o->port, mcp_strerror(rc));
        return EXIT_FAILURE;
    }
    if (store)
        fprintf(stderr, "todo-mcp: sessions in store %s\n", o->fleet.store_url);
    bool v6 = strchr(o->host, ':') != NULL;
    fprintf(stderr, "todo-mcp (%s) listening on http://%s%s%s:%u/mcp\n", mode_name(o->mode),
            v6 ? "[" : "", o->host, v6 ? "]" : "", mcp_http_port(hs));
    fprintf(stderr, "todo-mcp: WebAPI base URL %s\n", o->web_api_base_url);
    if (http.auth)
        fprintf(stderr, "todo-mcp: OAuth on: resource %s, tokens from %s\n", auth.resource,
                auth.authorization_servers ? auth.authorization_servers : "(none)");

    int sig = 0;
    if (sigwait(&stop, &sig) != 0)
        fprintf(stderr, "todo-mcp: sigwait failed; shutting down\n");
    else if (!o->quiet)
        fprintf(stderr, "todo-mcp: %s received, shutting down\n", strsignal(sig));
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
    int rc = mcp_serve_stdio(srv, NULL);
    if (rc < 0)
        fprintf(stderr, "todo-mcp: stdio: %s\n", mcp_strerror(rc));
    return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static mcp_server *create_server(const options *o, webapi *api)
{
    mcp_server *srv = mcp_server_new(&(mcp_server_info){
        .name = "todo-mcp", .version = "1.0.0", .title = "Todo MCP server",
        .instructions = "Read and change the todo items of the todo REST API with the *_todo tools; "
                        "read every todo as the resource todo://todos, one as todo://todos/{id}; "
                        "subscribe to either to hear of changes." });
    if (!srv)
        return NULL;
    mcp_server_set_workers(srv, o->workers);
    if (o->fleet.state_key_len && mcp_server_set_state_key(srv, o->fleet.state_key, o->fleet.state_key_len) < 0) {
        fprintf(stderr, "todo-mcp: cannot set the state key\n");
        mcp_server_free(srv);
        return NULL;
    }
    int rc = todo_tools_register(srv, api, o->mode == MCP_STATEFUL);
    if (rc < 0) {
        fprintf(stderr, "todo-mcp: cannot register tools: %s\n", mcp_strerror(rc));
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
