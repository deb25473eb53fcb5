/* session_server: a small stateful Streamable HTTP server for the session,
 * attack and soak tests (tests/integration/test_session_expiry.sh,
 * test_attacks.sh, test_soak.sh). It exposes the limits mcp-everything does
 * not: idle expiry, the session cap, the connection timeout and cap, and
 * the SSE keep-alive interval.
 *
 *   session_server [--port N] [--idle-ms MS] [--max-sessions N]
 *                  [--connection-timeout-s S] [--max-connections N]
 *                  [--keepalive-ms MS] [--mode stateful|stateless]
 *                  [--log-requests 0|1]
 *
 * Everything else is MCP_HTTP_DEFAULTS in stateful mode (unless --mode
 * stateless). One tool, "tick", answers with a text and, when the call
 * carries a progress token, sends one progress notification first (so the
 * answer is an SSE stream whose events the session keeps for replay). On
 * start it prints one line on stderr:
 *   session_server listening on http://127.0.0.1:<port>/mcp
 * and serves until SIGINT/SIGTERM, then exits 0. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mcp/mcp.h>

static int tick(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args;
    (void)userdata;
    mcp_call_progress(call, 1, 1, "tick");
    return mcp_call_text(call, "tock");
}

static int parse_unsigned(const char *text, unsigned long max, unsigned *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max)
        return -1;
    *out = (unsigned)v;
    return 0;
}

/* value is either `no` (0) or `yes` (1). */
static int parse_choice(const char *value, const char *no, const char *yes, unsigned *out)
{
    if (strcmp(value, no) != 0 && strcmp(value, yes) != 0)
        return -1;
    *out = strcmp(value, yes) == 0;
    return 0;
}

int main(int argc, char **argv)
{
    mcp_http_options http = MCP_HTTP_DEFAULTS;
    http.mode = MCP_STATEFUL;
    http.port = 0;
    http.handle_signals = false;
    unsigned flag = 0;
    for (int i = 1; i < argc; i += 2) {
        const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = -1;
        if (value && strcmp(name, "--port") == 0)
            rc = parse_unsigned(value, 65535, &http.port);
        else if (value && strcmp(name, "--idle-ms") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.session_idle_ms);
        else if (value && strcmp(name, "--max-sessions") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.max_sessions);
        else if (value && strcmp(name, "--connection-timeout-s") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.connection_timeout_s);
        else if (value && strcmp(name, "--max-connections") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.max_connections);
        else if (value && strcmp(name, "--keepalive-ms") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.keepalive_ms);
        else if (value && strcmp(name, "--log-requests") == 0) {
            if ((rc = parse_choice(value, "0", "1", &flag)) == 0)
                http.log_requests = flag == 1;
        } else if (value && strcmp(name, "--mode") == 0) {
            if ((rc = parse_choice(value, "stateless", "stateful", &flag)) == 0)
                http.mode = flag ? MCP_STATEFUL : MCP_STATELESS;
        }
        if (rc < 0) {
            fprintf(stderr, "usage: %s [--port N] [--idle-ms MS] [--max-sessions N] [--connection-timeout-s S]\n"
                            "       [--max-connections N] [--keepalive-ms MS] [--mode stateful|stateless] [--log-requests 0|1]\n", argv[0]);
            return 2;
        }
    }

    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, NULL);     /* before any library thread starts */
    signal(SIGPIPE, SIG_IGN);

    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "session-server", .version = "1.0.0" });
    if (!srv)
        return 1;
    int rc = mcp_server_add_tool(srv, &(mcp_tool){ .name = "tick", .description = "Answer tock (progress when asked)",
                                                   .input_schema = "{\"type\":\"object\"}", .handler = tick }, NULL);
    mcp_http_server *server = NULL;
    if (rc >= 0)
        rc = mcp_http_start(srv, &http, &server);
    if (rc < 0) {
        fprintf(stderr, "session_server: cannot start: %s\n", mcp_strerror(rc));
        mcp_server_free(srv);
        return 1;
    }
    fprintf(stderr, "session_server listening on http://127.0.0.1:%u/mcp (idle %u ms, max %u sessions)\n",
            mcp_http_port(server), http.session_idle_ms, http.max_sessions);
    fflush(stderr);
    int sig = 0;
    sigwait(&stop, &sig);
    mcp_http_stop(server);
    mcp_server_free(srv);
    return 0;
}
