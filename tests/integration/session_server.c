/* session_server: a small stateful Streamable HTTP server for the session
 * tests (tests/integration/test_session_expiry.sh). It exposes the session
 * limits mcp-everything does not: idle expiry and the session cap.
 *
 *   session_server [--port N] [--idle-ms MS] [--max-sessions N]
 *
 * Everything else is MCP_HTTP_DEFAULTS in stateful mode. One tool, "tick",
 * answers with a text and, when the call carries a progress token, sends
 * one progress notification first (so the answer is an SSE stream whose
 * events the session keeps for replay). On start it prints one line on
 * stderr:  session_server listening on http://127.0.0.1:<port>/mcp
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

int main(int argc, char **argv)
{
    mcp_http_options http = MCP_HTTP_DEFAULTS;
    http.mode = MCP_STATEFUL;
    http.port = 0;
    http.handle_signals = false;
    for (int i = 1; i < argc; i += 2) {
        const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        int rc = -1;
        if (value && strcmp(name, "--port") == 0)
            rc = parse_unsigned(value, 65535, &http.port);
        else if (value && strcmp(name, "--idle-ms") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.session_idle_ms);
        else if (value && strcmp(name, "--max-sessions") == 0)
            rc = parse_unsigned(value, 0xffffffffUL, &http.max_sessions);
        if (rc < 0) {
            fprintf(stderr, "usage: %s [--port N] [--idle-ms MS] [--max-sessions N]\n", argv[0]);
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
