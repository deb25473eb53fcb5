/* main.c - todo-mcp entry point: options, environment, startup and serving.
 *
 * The seeds' todo MCP server, written on libmcp: Streamable HTTP (stateless
 * by default, as in seed 001, or stateful with per-session state as in seed
 * 000) or stdio. Options come from the command line, then the environment,
 * then defaults. For HTTP the stop signals are blocked before any thread
 * starts and collected here with sigwait(), so the startup line can print
 * the real port (--port 0) and SIGINT/SIGTERM drain and exit 0; todo-api
 * calls still hanging then are cut short so their replies make the drain. */
#include <getopt.h>
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

typedef struct options {
    bool stdio;
    mcp_http_mode mode;
    const char *host;
    unsigned port;
    const char *web_api_base_url;
    const char *api_token;
    unsigned workers;
    bool quiet;
} options;

static void print_usage(FILE *out)
{
    fprintf(out,
        "Usage: todo-mcp [OPTIONS]\n"
        "MCP server for the todo REST API (todo-api): tools get_todo, list_todos, create_todo,\n"
        "update_todo, delete_todo, resource template todo://todos/{id}, and in stateful mode the\n"
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
        "  --quiet                  no per-request log lines on stderr\n"
        "  --help                   show this help and exit\n\n"
        "todo-api calls time out after %d s; failures are tool errors starting \"WebAPI call failed\".\n"
        "HTTP endpoint: http://HOST:PORT/mcp. With stdio, stdout carries only MCP messages and\n"
        "the server exits when stdin closes.\n",
        DEFAULT_PORT, DEFAULT_HOST, DEFAULT_WEB_API, MAX_WORKERS, DEFAULT_WORKERS,
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

/* Defaults, then the environment. */
static int options_from_env(options *o)
{
    *o = (options){ .mode = MCP_STATELESS, .host = env_or("HOST", DEFAULT_HOST), .port = DEFAULT_PORT,
                    .web_api_base_url = env_or("WEB_API_BASE_URL", DEFAULT_WEB_API),
                    .api_token = env_or("WEB_API_TOKEN", NULL), .workers = DEFAULT_WORKERS };
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
    return 0;
}

enum { OPT_TRANSPORT = 256, OPT_MODE, OPT_PORT, OPT_HOST, OPT_WEB_API, OPT_TOKEN, OPT_WORKERS,
       OPT_QUIET, OPT_HELP };

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
        { "help", no_argument, NULL, OPT_HELP },
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
    mcp_http_server *hs = NULL;
    int rc = mcp_http_start(srv, &http, &hs);
    if (rc < 0) {
        fprintf(stderr, "todo-mcp: cannot listen on %s port %u: %s\n", o->host, o->port, mcp_strerror(rc));
        return EXIT_FAILURE;
    }
    bool v6 = strchr(o->host, ':') != NULL;
    fprintf(stderr, "todo-mcp (%s) listening on http://%s%s%s:%u/mcp\n", mode_name(o->mode),
            v6 ? "[" : "", o->host, v6 ? "]" : "", mcp_http_port(hs));
    fprintf(stderr, "todo-mcp: WebAPI base URL %s\n", o->web_api_base_url);

    int sig = 0;
    if (sigwait(&stop, &sig) != 0)
        fprintf(stderr, "todo-mcp: sigwait failed; shutting down\n");
    else if (!o->quiet)
        fprintf(stderr, "todo-mcp: %s received, shutting down\n", strsignal(sig));
    webapi_shutdown(api, SHUTDOWN_GRACE_MS);
    mcp_http_stop(hs);
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
                        "read one todo as the resource todo://todos/{id}." });
    if (!srv)
        return NULL;
    mcp_server_set_workers(srv, o->workers);
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
