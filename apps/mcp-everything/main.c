/* mcp-everything: the conformance fixture server. This file owns the
 * command line (--mode, --transport, --response, --port, --host,
 * --skills-dir) and the start-up: it registers the fixtures (fixtures.c,
 * fixtures_tools.c) and the skills of skills/ (SEP-2640), and
 * serves them over Streamable HTTP until SIGINT/SIGTERM, or over stdio
 * until EOF. On HTTP start it prints exactly one line on stderr,
 *   mcp-everything listening on http://127.0.0.1:<port>/mcp (stateful)
 * which tests/conformance/run_suite.sh reads to learn the port.
 * Like the suite's reference fixture server, it answers every POST with an
 * SSE stream by default (--response sse); the conformance check
 * server-sse-streams-functional only scores SUCCESS for SSE replies. */
#define _POSIX_C_SOURCE 200809L
#include "fixtures.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct options {
    mcp_http_mode mode;
    mcp_response_mode response_mode;
    bool use_stdio;
    unsigned port;
    const char *host;
    const char *skills_dir;
    const char *store_url;         /* --store: sessions, events and task records in Redis */
    unsigned task_lease_ms;        /* --task-lease-ms: 0 = the library's default */
} options;

static void usage(FILE *out, const char *prog)
{
    fprintf(out,
            "Usage: %s [options]\n"
            "MCP conformance fixture server (every tool, resource and prompt the official suite expects).\n"
            "  --mode stateless|stateful   HTTP session mode (default stateful)\n"
            "  --transport http|stdio      transport (default http)\n"
            "  --response sse|json|auto    HTTP reply to requests: always SSE (default), always JSON,\n"
            "                              or the library's choice (SSE only when the call notifies)\n"
            "  --port N                    HTTP port (default 3000; 0 picks a free port)\n"
            "  --host ADDR                 HTTP bind address (default 127.0.0.1)\n"
            "  --skills-dir DIR            skills served (SEP-2640); default: the source tree's\n"
            "                              apps/mcp-everything/skills; \"\" serves none\n"
            "  --store URL                 keep sessions, SSE events and task records in Redis\n"
            "                              (redis://host:port/db), shared by every instance on it\n"
            "  --task-lease-ms N           a task's instance counts as dead after N ms without\n"
            "                              renewing its lease (default: the library's, 15000)\n"
            "  --help                      show this help\n",
            prog);
}

static int parse_port(const char *text, unsigned *port)
{
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value > 65535 || text[0] == '-')
        return -1;
    *port = (unsigned)value;
    return 0;
}

/* Apply one "--name value" pair; -1 on an unknown name or a bad value. */
static int apply_option(options *opts, const char *name, const char *value)
{
    if (strcmp(name, "--mode") == 0) {
        if (strcmp(value, "stateful") == 0)
            opts->mode = MCP_STATEFUL;
        else if (strcmp(value, "stateless") == 0)
            opts->mode = MCP_STATELESS;
        else
            return -1;
        return 0;
    }
    if (strcmp(name, "--transport") == 0) {
        if (strcmp(value, "http") != 0 && strcmp(value, "stdio") != 0)
            return -1;
        opts->use_stdio = strcmp(value, "stdio") == 0;
        return 0;
    }
    if (strcmp(name, "--response") == 0) {
        if (strcmp(value, "sse") == 0)
            opts->response_mode = MCP_RESPONSE_SSE;
        else if (strcmp(value, "json") == 0)
            opts->response_mode = MCP_RESPONSE_JSON;
        else if (strcmp(value, "auto") == 0)
            opts->response_mode = MCP_RESPONSE_AUTO;
        else
            return -1;
        return 0;
    }
    if (strcmp(name, "--port") == 0)
        return parse_port(value, &opts->port);
    if (strcmp(name, "--skills-dir") == 0) {
        opts->skills_dir = value;
        return 0;
    }
    if (strcmp(name, "--store") == 0) {
        opts->store_url = value;
        return 0;
    }
    if (strcmp(name, "--task-lease-ms") == 0) {
        char *end = NULL;
        unsigned long v = strtoul(value, &end, 10);
        if (!*value || *end || v < 100 || v > 3600000)
            return -1;
        opts->task_lease_ms = (unsigned)v;
        return 0;
    }
    if (strcmp(name, "--host") == 0) {
        opts->host = value;
        return value[0] ? 0 : -1;
    }
    return -1;
}

/* 0: options parsed; 1: help printed; -1: usage error (reported). */
static int parse_options(int argc, char **argv, options *opts)
{
    for (int i = 1; i < argc; i += 2) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, argv[0]);
            return 1;
        }
        if (i + 1 >= argc || apply_option(opts, argv[i], argv[i + 1]) != 0) {
            fprintf(stderr, "mcp-everything: bad option or value: %s%s%s\n", argv[i],
                    i + 1 < argc ? " " : "", i + 1 < argc ? argv[i + 1] : "");
            usage(stderr, argv[0]);
            return -1;
        }
    }
    return 0;
}

static int serve_http(mcp_server *srv, const options *opts, const sigset_t *stop_signals)
{
    mcp_http_options http = MCP_HTTP_DEFAULTS;
    http.host = opts->host;
    http.port = opts->port;
    http.mode = opts->mode;
    http.response_mode = opts->response_mode;
    http.handle_signals = false;            /* this thread waits for them */
    mcp_store *store = NULL;
    if (opts->store_url && mcp_store_redis_open(opts->store_url, &store) < 0) {
        fprintf(stderr, "mcp-everything: bad --store URL: %s\n", opts->store_url);
        return -MCP_EINVAL;
    }
    http.store = store;
    mcp_http_server *server = NULL;
    int rc = mcp_http_start(srv, &http, &server);
    if (rc < 0) {
        fprintf(stderr, "mcp-everything: cannot start HTTP on %s:%u: %s\n", opts->host, opts->port,
                mcp_strerror(rc));
        mcp_store_free(store);
        return rc;
    }
    bool ipv6 = strchr(opts->host, ':') != NULL;
    fprintf(stderr, "mcp-everything listening on http://%s%s%s:%u%s (%s)\n", ipv6 ? "[" : "", opts->host,
            ipv6 ? "]" : "", mcp_http_port(server), http.path,
            opts->mode == MCP_STATEFUL ? "stateful" : "stateless");
    fflush(stderr);
    int sig = 0;
    sigwait(stop_signals, &sig);
    mcp_http_stop(server);
    mcp_store_free(store);
    return 0;
}

int main(int argc, char **argv)
{
    options opts = { .mode = MCP_STATEFUL, .response_mode = MCP_RESPONSE_SSE, .use_stdio = false,
                     .port = 3000, .host = "127.0.0.1", .skills_dir = MCP_EVERYTHING_SKILLS_DIR };
    int parsed = parse_options(argc, argv, &opts);
    if (parsed != 0)
        return parsed > 0 ? 0 : 2;

    /* Block the stop signals before any library thread starts, so that
     * every thread inherits the mask and only sigwait() receives them. */
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    if (!opts.use_stdio)
        sigprocmask(SIG_BLOCK, &stop_signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "mcp-conformance-test-server",
                                                         .version = "1.0.0" });
    if (!srv) {
        fprintf(stderr, "mcp-everything: out of memory\n");
        return 1;
    }
    int rc = fixtures_register(srv);
    if (rc == 0 && opts.skills_dir[0])
        rc = mcp_server_add_skills_dir(srv, opts.skills_dir, NULL);
    if (rc == 0 && opts.task_lease_ms)
        rc = mcp_server_set_task_options(srv, &(mcp_task_options){ .lease_ms = opts.task_lease_ms });
    if (rc < 0)
        fprintf(stderr, "mcp-everything: registering fixtures failed: %s\n", mcp_strerror(rc));
    else if (opts.use_stdio)
        rc = mcp_serve_stdio(srv, &(mcp_stdio_options)MCP_STDIO_DEFAULTS);
    else
        rc = serve_http(srv, &opts, &stop_signals);
    mcp_server_free(srv);
    return rc < 0 ? 1 : 0;
}
