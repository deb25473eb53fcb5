/* Streamable HTTP as a C test, no TCP: requests go over a socketpair
 * handed to the daemon (http_pair.h). A stateful server: initialize mints
 * a session, a tool call on it answers, the guards refuse what they must
 * (Host, Accept, Content-Type, missing/unknown session), DELETE ends the
 * session, a 2025-03-26 batch is one array, a stateless server answers
 * GET with 405. Status codes and messages are the wire contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <mcp/mcp.h>

#include "http_pair.h"
#include "store/store.h"

#define ACCEPT "Accept: application/json, text/event-stream\r\n"
#define JSON_CT "Content-Type: application/json"

static int echo(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    return mcp_call_text(call, "%s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "text")));
}

typedef struct fixture {
    mcp_server *srv;
    mcp_http_server *hs;
} fixture;

static int setup(void **state, mcp_http_mode mode)
{
    fixture *f = calloc(1, sizeof *f);
    f->srv = mcp_server_new(&(mcp_server_info){ .name = "http-test", .version = "1" });
    mcp_tool t = { .name = "echo", .handler = echo };
    if (!f->srv || mcp_server_add_tool(f->srv, &t, NULL) < 0)
        return -1;
    mcp_http_options o;
    mcp_http_options_init(&o);
    o.port = 0;
    o.mode = mode;
    o.threads = 1;
    o.log_requests = false;
    o.handle_signals = false;
    if (mcp_http_start(f->srv, &o, &f->hs) < 0)
        return -1;
    *state = f;
    return 0;
}
static int setup_stateful(void **state) { return setup(state, MCP_STATEFUL); }
static int setup_stateless(void **state) { return setup(state, MCP_STATELESS); }

static int teardown(void **state)
{
    fixture *f = *state;
    mcp_http_stop(f->hs);
    mcp_server_free(f->srv);
    free(f);
    return 0;
}

/* POST body on /mcp with extra head lines (each ending in \r\n). */
static char *post(fixture *f, const char *extra, const char *body)
{
    char head[1024];
    snprintf(head, sizeof head, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n%s" JSON_CT, extra ? extra : ACCEPT);
    return http_pair_request(f->hs, head, body);
}

static void expect(char *reply, int status, const char *needle)
{
    if (http_pair_status(reply) != status || (needle && !strstr(reply, needle)))
        fail_msg("expected %d with %s, got: %.400s", status, needle ? needle : "-", reply ? reply : "(none)");
    free(reply);
}

static void initialize(fixture *f, const char *version, char *sid, size_t cap)
{
    char body[512];
    snprintf(body, sizeof body, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"%s\","
             "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}", version);
    char *reply = post(f, NULL, body);
    assert_int_equal(http_pair_status(reply), 200);
    assert_true(strlen(http_pair_header(reply, "Mcp-Session-Id", sid, cap)) > 0);
    free(reply);
}

static void test_session_lifecycle(void **state)
{
    fixture *f = *state;
    char sid[128], extra[512];
    initialize(f, "2025-06-18", sid, sizeof sid);
    snprintf(extra, sizeof extra, ACCEPT "Mcp-Session-Id: %s\r\nMCP-Protocol-Version: 2025-06-18\r\n", sid);
    expect(post(f, extra, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), 202, NULL);
    expect(post(f, extra, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"over a socketpair\"}}}"),
           200, "\"text\":\"over a socketpair\"");
    char head[512];
    snprintf(head, sizeof head, "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nMcp-Session-Id: %s", sid);
    expect(http_pair_request(f->hs, head, NULL), 200, NULL);
    expect(post(f, extra, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/list\"}"), 404,
           "Session not found: it ended or expired; initialize a new session");
    expect(http_pair_request(f->hs, head, NULL), 404, "Session not found");
}

static void test_guards(void **state)
{
    fixture *f = *state;
    const char *ping = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}";
    expect(post(f, NULL, ping), 400, "Bad Request: Mcp-Session-Id header is required");
    expect(post(f, ACCEPT "Mcp-Session-Id: 0123456789abcdef\r\n", ping), 404, "Session not found");
    expect(post(f, "Accept: application/json\r\n", ping), 406, "Not Acceptable");
    expect(http_pair_request(f->hs, "POST /mcp HTTP/1.1\r\nHost: evil.example\r\n" ACCEPT JSON_CT, ping), 403,
           "Forbidden: Host header not allowed");
    expect(http_pair_request(f->hs, "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n" ACCEPT "Content-Type: text/plain", ping), 415,
           "Unsupported Media Type");
    expect(http_pair_request(f->hs, "POST /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\n" ACCEPT JSON_CT, ping), 404,
           "Not Found: the MCP endpoint is elsewhere");
    expect(post(f, NULL, "{\"jsonrpc\":"), 400, "\"code\":-32700");
    expect(http_pair_request(f->hs, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json", NULL), 406,
           "Not Acceptable: GET needs Accept: text/event-stream");
    expect(http_pair_request(f->hs, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1", NULL), 200, "\"status\":\"ok\"");
}

static void test_batch(void **state)
{
    fixture *f = *state;
    char sid[128], extra[512];
    initialize(f, "2025-03-26", sid, sizeof sid);
    snprintf(extra, sizeof extra, ACCEPT "Mcp-Session-Id: %s\r\n", sid);
    char *reply = post(f, extra, "[{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\"},"
                                 "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"b\"}}}]");
    assert_int_equal(http_pair_status(reply), 200);
    cJSON *arr = cJSON_Parse(http_pair_body(reply));
    assert_true(cJSON_IsArray(arr));
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    cJSON_Delete(arr);
    free(reply);
    expect(post(f, extra, "[]"), 400, "JSON-RPC batches are only accepted for protocol version 2025-03-26");
}

static void test_stateless_get_is_405(void **state)
{
    fixture *f = *state;
    expect(http_pair_request(f->hs, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream", NULL), 405, "Method not allowed.");
    expect(post(f, NULL, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"sl\"}}}"),
           200, "\"text\":\"sl\"");
}

/* A port nothing listens on (bound, then closed). */
static unsigned closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static long store_errors(fixture *f)
{
    char *reply = http_pair_request(f->hs, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1", NULL);
    const char *m = reply ? strstr(reply, "\nmcp_store_errors_total ") : NULL;
    long n = m ? strtol(m + 24, NULL, 10) : -1;
    free(reply);
    return n;
}

/* Every session lookup that fails on the store answers 503 and counts in
 * /metrics: POST, a batch, GET and DELETE alike (one require_session). */
static void test_store_errors_are_counted_everywhere(void **state)
{
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%u/0", closed_port());
    mcp_store *store = NULL;
    assert_int_equal(mcp_store_redis_open(url, &store), 0);
    fixture f = {0};
    f.srv = mcp_server_new(&(mcp_server_info){ .name = "http-test", .version = "1" });
    mcp_http_options o;
    mcp_http_options_init(&o);
    o.port = 0;
    o.mode = MCP_STATEFUL;
    o.threads = 1;
    o.store = store;
    o.log_requests = false;
    o.handle_signals = false;
    assert_int_equal(mcp_http_start(f.srv, &o, &f.hs), 0);
    const char *sid_line = ACCEPT "Mcp-Session-Id: 0123456789abcdef0123456789abcdef\r\n";
    assert_int_equal(store_errors(&f), 0);
    expect(post(&f, sid_line, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), 503,
           "Service unavailable: the session store cannot be reached, retry later");
    assert_int_equal(store_errors(&f), 1);
    expect(post(&f, sid_line, "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]"), 503, "session store cannot be reached");
    assert_int_equal(store_errors(&f), 2);
    expect(http_pair_request(f.hs, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                                   "Mcp-Session-Id: 0123456789abcdef0123456789abcdef", NULL), 503, "session store cannot be reached");
    assert_int_equal(store_errors(&f), 3);
    expect(http_pair_request(f.hs, "DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                   "Mcp-Session-Id: 0123456789abcdef0123456789abcdef", NULL), 503, "session store cannot be reached");
    assert_int_equal(store_errors(&f), 4);
    mcp_http_stop(f.hs);
    mcp_server_free(f.srv);
    mcp_store_free(store);
}

/* ---- no store I/O under a transport lock ---- */

static mcp_http_server *lock_probe_hs;
static atomic_int appends, appends_under_lock;
static unsigned next_stream_no;

/* True when live_lock or a live stream's lock stays held for 50 tries in a
 * row: a reader's brief hold passes, the caller's own hold (the bug) does not. */
static bool transport_lock_held_once(void);
static bool transport_lock_held(void)
{
    for (int i = 0; i < 50; i++) {
        if (!transport_lock_held_once())
            return false;
        usleep(1000);
    }
    return true;
}

static bool transport_lock_held_once(void)
{
    mcp_http_server *hs = lock_probe_hs;
    if (pthread_mutex_trylock(&hs->live_lock) != 0)
        return true;
    bool held = false;
    for (http_stream *st = hs->live_streams; st && !held; st = st->live_next) {
        if (pthread_mutex_trylock(&st->lock) != 0)
            held = true;
        else
            pthread_mutex_unlock(&st->lock);
    }
    pthread_mutex_unlock(&hs->live_lock);
    return held;
}

static int fk_save(mcp_store *st, const char *sid, const session_record *r, unsigned ttl)
{ (void)st; (void)sid; (void)r; (void)ttl; return 0; }
static int fk_load(mcp_store *st, const char *sid, session_record *r, unsigned ttl)
{ (void)st; (void)sid; (void)r; (void)ttl; return -MCP_ENOTFOUND; }
static int fk_touch(mcp_store *st, const char *sid, unsigned ttl)
{ (void)st; (void)sid; (void)ttl; return 0; }
static int fk_delete(mcp_store *st, const char *sid)
{ (void)st; (void)sid; return 0; }
static int fk_stream_next(mcp_store *st, const char *sid, unsigned *no)
{ (void)st; (void)sid; *no = ++next_stream_no; return 0; }
static int fk_append(mcp_store *st, const char *sid, unsigned no, uint64_t seq, const char *frame, size_t len,
                     unsigned retention, unsigned ttl)
{
    (void)st; (void)sid; (void)no; (void)seq; (void)frame; (void)len; (void)retention; (void)ttl;
    atomic_fetch_add(&appends, 1);
    if (transport_lock_held())
        atomic_fetch_add(&appends_under_lock, 1);
    return 0;
}
static int fk_publish(mcp_store *st, const char *kind, const char *sid, const char *payload)
{ (void)st; (void)kind; (void)sid; (void)payload; return 0; }
static void fk_set_listener(mcp_store *st, store_message_fn fn, void *ctx)
{ (void)st; (void)fn; (void)ctx; }
static bool fk_probe(mcp_store *st) { (void)st; return true; }

/* A broadcast to a session's GET stream writes the event to the store
 * (Redis RPUSH) after releasing live_lock and the stream's lock: it used to
 * do the round trip under both, so every broadcast waited N round trips
 * and every reader of those streams with it. */
static void test_store_writes_happen_outside_transport_locks(void **state)
{
    (void)state;
    static const store_ops ops = { .session_save = fk_save, .session_load = fk_load, .session_touch = fk_touch,
                                   .session_delete = fk_delete, .stream_next = fk_stream_next,
                                   .event_append = fk_append, .publish = fk_publish,
                                   .set_listener = fk_set_listener, .probe = fk_probe };
    mcp_store store = { .ops = &ops };
    fixture f = {0};
    f.srv = mcp_server_new(&(mcp_server_info){ .name = "http-test", .version = "1" });
    mcp_tool t = { .name = "echo", .handler = echo };
    assert_int_equal(mcp_server_add_tool(f.srv, &t, NULL), 0);
    mcp_http_options o;
    mcp_http_options_init(&o);
    o.port = 0;
    o.mode = MCP_STATEFUL;
    o.threads = 1;
    o.store = &store;
    o.log_requests = false;
    o.handle_signals = false;
    assert_int_equal(mcp_http_start(f.srv, &o, &f.hs), 0);
    lock_probe_hs = f.hs;
    char sid[128];
    initialize(&f, "2025-06-18", sid, sizeof sid);
    /* Open the standalone GET stream and keep it open. */
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
    struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(40000), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    assert_int_equal(MHD_add_connection(f.hs->daemon, sv[1], (const struct sockaddr *)&peer, sizeof peer), MHD_YES);
    char req[512];
    int n = snprintf(req, sizeof req, "GET /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     "Mcp-Session-Id: %s\r\nMCP-Protocol-Version: 2025-06-18\r\n\r\n", sid);
    assert_int_equal(send(sv[0], req, (size_t)n, MSG_NOSIGNAL), n);
    bool live = false;
    for (int i = 0; i < 500 && !live; i++) {       /* at most 5 s */
        pthread_mutex_lock(&f.hs->live_lock);
        for (http_stream *st = f.hs->live_streams; st; st = st->live_next)
            live = live || st->standalone;
        pthread_mutex_unlock(&f.hs->live_lock);
        if (!live)
            usleep(10000);
    }
    assert_true(live);
    int before = atomic_load(&appends);
    mcp_tool t2 = { .name = "late", .handler = echo };
    assert_int_equal(mcp_server_add_tool(f.srv, &t2, NULL), 0);   /* list_changed to the GET stream */
    assert_true(atomic_load(&appends) > before);
    assert_int_equal(atomic_load(&appends_under_lock), 0);
    close(sv[0]);
    mcp_http_stop(f.hs);
    mcp_server_free(f.srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session_lifecycle, setup_stateful, teardown),
        cmocka_unit_test_setup_teardown(test_guards, setup_stateful, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup_stateful, teardown),
        cmocka_unit_test_setup_teardown(test_stateless_get_is_405, setup_stateless, teardown),
        cmocka_unit_test(test_store_errors_are_counted_everywhere),
        cmocka_unit_test(test_store_writes_happen_outside_transport_locks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
