/* The stdio transport as a C test: mcp_serve_stdio runs on a thread over a
 * pipe pair (client -> server on one pipe, server -> client on the other),
 * the test writes lines and reads the replies line by line with a deadline.
 * Covers the handshake, a tool call, a 2025-03-26 batch answered as one
 * array (initialize refused inside it), a parse error that does not desync
 * the stream, a modern (2026-07-28) request on the same pipe, and EOF
 * ending the server with 0, and server notifications reaching the client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mcp/mcp.h>

typedef struct pipe_pair {
    mcp_server *srv;
    int to_server[2], from_server[2];
    pthread_t thread;
    int rc;
    char buf[1 << 16];
    size_t len;
} pipe_pair;

static int echo(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    return mcp_call_text(call, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "text")));
}

static void *serve(void *arg)
{
    pipe_pair *p = arg;
    mcp_stdio_options o;
    mcp_stdio_options_init(&o);
    o.in_fd = p->to_server[0];
    o.out_fd = p->from_server[1];
    p->rc = mcp_serve_stdio(p->srv, &o);
    return NULL;
}

static void pp_start(pipe_pair *p)
{
    memset(p, 0, sizeof *p);
    p->srv = mcp_server_new(&(mcp_server_info){ .name = "stdio-test", .version = "1" });
    assert_non_null(p->srv);
    mcp_tool t = { .name = "echo", .handler = echo,
                   .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}" };
    assert_int_equal(mcp_server_add_tool(p->srv, &t, NULL), 0);
    assert_int_equal(pipe(p->to_server), 0);
    assert_int_equal(pipe(p->from_server), 0);
    assert_int_equal(pthread_create(&p->thread, NULL, serve, p), 0);
}

static void pp_send(pipe_pair *p, const char *line)
{
    size_t n = strlen(line);
    assert_int_equal(write(p->to_server[1], line, n), (ssize_t)n);
    assert_int_equal(write(p->to_server[1], "\n", 1), 1);
}

/* The next line from the server (without '\n'), at most 5 s away. */
static char *pp_line(pipe_pair *p)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        char *nl = memchr(p->buf, '\n', p->len);
        if (nl) {
            size_t n = (size_t)(nl - p->buf);
            char *line = strndup(p->buf, n);
            memmove(p->buf, nl + 1, p->len - n - 1);
            p->len -= n + 1;
            return line;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long waited = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
        if (waited > 5000 || p->len == sizeof p->buf)
            fail_msg("no line from the stdio server within 5 s");
        struct pollfd pfd = { .fd = p->from_server[0], .events = POLLIN };
        if (poll(&pfd, 1, 100) <= 0)
            continue;
        ssize_t r = read(p->from_server[0], p->buf + p->len, sizeof p->buf - p->len);
        if (r <= 0)
            fail_msg("the stdio server closed its output");
        p->len += (size_t)r;
    }
}

static void pp_expect(pipe_pair *p, const char *needle)
{
    char *line = pp_line(p);
    if (!strstr(line, needle))
        fail_msg("expected %s in %s", needle, line);
    free(line);
}

static void pp_stop(pipe_pair *p)
{
    close(p->to_server[1]);            /* EOF: the server returns */
    assert_int_equal(pthread_join(p->thread, NULL), 0);
    assert_int_equal(p->rc, 0);
    close(p->to_server[0]);
    close(p->from_server[0]);
    close(p->from_server[1]);
    mcp_server_free(p->srv);
}

static void initialize(pipe_pair *p, const char *version)
{
    char line[512];
    snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", version);
    pp_send(p, line);
    char want[64];
    snprintf(want, sizeof want, "\"protocolVersion\":\"%s\"", version);
    pp_expect(p, want);
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
}

static void test_handshake_and_tool_call(void **state)
{
    (void)state;
    pipe_pair *p = malloc(sizeof *p);
    pp_start(p);
    initialize(p, "2025-06-18");
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"over a pipe\"}}}");
    pp_expect(p, "\"text\":\"over a pipe\"");
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}");
    pp_expect(p, "\"name\":\"echo\"");
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"no/such\"}");
    pp_expect(p, "\"code\":-32601");
    pp_stop(p);
    free(p);
}

static void test_parse_error_keeps_the_stream_in_sync(void **state)
{
    (void)state;
    pipe_pair *p = malloc(sizeof *p);
    pp_start(p);
    initialize(p, "2025-06-18");
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":");
    pp_expect(p, "\"code\":-32700");
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"ping\"}");
    pp_expect(p, "\"id\":6,\"result\":{}");
    pp_stop(p);
    free(p);
}

static void test_batch_is_one_array(void **state)
{
    (void)state;
    pipe_pair *p = malloc(sizeof *p);
    pp_start(p);
    initialize(p, "2025-03-26");
    pp_send(p, "[{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"ping\"},"
               "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"initialize\",\"params\":{}},"
               "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]");
    char *line = pp_line(p);
    cJSON *arr = cJSON_Parse(line);
    assert_true(cJSON_IsArray(arr));
    assert_int_equal(cJSON_GetArraySize(arr), 2);   /* ping + the refused initialize */
    assert_non_null(strstr(line, "initialize must not be part of a batch"));
    cJSON_Delete(arr);
    free(line);
    pp_send(p, "[]");
    pp_expect(p, "Invalid Request: empty batch");
    pp_stop(p);
    free(p);
}

static void test_modern_request_on_stdio(void **state)
{
    (void)state;
    pipe_pair *p = malloc(sizeof *p);
    pp_start(p);
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"modern\"},"
               "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\","
               "\"io.modelcontextprotocol/clientCapabilities\":{},"
               "\"io.modelcontextprotocol/clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}}");
    pp_expect(p, "\"text\":\"modern\"");
    pp_stop(p);
    free(p);
}

static int read_res(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)vars;
    (void)ud;
    return mcp_call_resource_text(call, uri, "text/plain", "r");
}

/* Server notifications reach the stdio client: tools/list_changed when a
 * tool is added, resources/updated for a subscribed URI only. */
static void test_notifications_reach_stdio(void **state)
{
    (void)state;
    pipe_pair *p = malloc(sizeof *p);
    pp_start(p);
    mcp_resource r = { .uri = "test://r", .name = "r", .handler = read_res };
    assert_int_equal(mcp_server_add_resource(p->srv, &r, NULL), 0);   /* before the handshake: not sent */
    initialize(p, "2025-06-18");
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}");
    pp_expect(p, "\"id\":2,");   /* the handshake is over on the server's side too */
    mcp_tool t = { .name = "late", .handler = echo };
    assert_int_equal(mcp_server_add_tool(p->srv, &t, NULL), 0);
    pp_expect(p, "\"method\":\"notifications/tools/list_changed\"");
    mcp_server_resource_updated(p->srv, "test://r");          /* not subscribed: nothing */
    pp_send(p, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/subscribe\",\"params\":{\"uri\":\"test://r\"}}");
    pp_expect(p, "\"id\":3,\"result\":{}");
    mcp_server_resource_updated(p->srv, "test://r");
    pp_expect(p, "\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\"test://r\"}");
    pp_stop(p);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_handshake_and_tool_call),
        cmocka_unit_test(test_parse_error_keeps_the_stream_in_sync),
        cmocka_unit_test(test_batch_is_one_array),
        cmocka_unit_test(test_modern_request_on_stdio),
        cmocka_unit_test(test_notifications_reach_stdio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
