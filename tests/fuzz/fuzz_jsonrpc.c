/* libFuzzer harness: JSON-RPC messages through the protocol layer, the way
 * a transport hands them over (parse -> classify -> era -> dispatch), in
 * both eras. One input is a short conversation on one fresh legacy session:
 *
 *   [#flags\n] message\n message\n ...      (at most FUZZ_MAX_LINES lines)
 *
 * flags (optional first line): 's' no session (stateless legacy HTTP),
 * 'x' no back-channel, '0'..'3' the session's version before initialize
 * (default 2025-03-26, where batches are allowed). Arrays are batches
 * (dispatched element by element, then awaited together, as stdio does).
 * Messages whose params._meta claim the modern era are validated like stdio
 * does (no headers) and dispatched on a modern exchange. Every dispatched
 * message must complete exactly once within FUZZ_COMPLETE_WAIT_MS. Every
 * line is also parsed both ways (base/json_parse.c and the checked cJSON
 * path), which must agree. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_fixture.h"
#include "base/json_parse.h"
#include "base/json_write.h"

#define FUZZ_MAX_LINES 16
#define FUZZ_MAX_BATCH 32
#define FUZZ_MAX_DEPTH 64

static mcp_server *srv;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    srv = fuzz_server_new();
    return 0;
}

typedef struct conv {
    mcp_session *session;      /* NULL: stateless */
    mcp__revision version;       /* stateless legacy version */
    bool back_channel;
    fuzz_ex *pending[FUZZ_MAX_LINES * FUZZ_MAX_BATCH];  /* listen streams, ended at the end */
    int npending;
} conv;

static void answer_locally(cJSON *reply)
{
    char *text = reply ? mcp__jsonrpc_print(reply) : NULL;
    free(text);
    cJSON_Delete(reply);
}

static bool is_listen(const cJSON *msg)
{
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    return m && strcmp(m, "subscriptions/listen") == 0;
}

/* Dispatch one message; returns its exchange (to await) or NULL when it was
 * answered here. */
static fuzz_ex *dispatch_one(conv *c, cJSON *msg)
{
    const char *why = NULL;
    msg_kind kind = mcp__jsonrpc_classify(msg, &why);
    (void)kind;
    if (mcp__modern_claims(msg)) {
        modern_error err = {0};
        mcp__revision v = MCP_V_MODERN_LATEST;
        if (mcp__modern_validate_request(srv, msg, NULL, NULL, &v, &err) < 0) {
            const cJSON *id = mcp__jsonrpc_id(msg);
            if (id)
                answer_locally(mcp__jsonrpc_error_data_take(id, err.code, err.message, err.data));
            else
                mcp__modern_error_clear(&err);
            cJSON_Delete(msg);
            return NULL;
        }
        fuzz_ex *f = fuzz_ex_new(NULL, MCP_ERA_MODERN, v, false);
        bool listen = is_listen(msg);
        mcp__server_dispatch(srv, &f->ex, msg);
        if (listen && c->npending < FUZZ_MAX_LINES * FUZZ_MAX_BATCH) {
            c->pending[c->npending++] = f;
            return NULL;
        }
        return f;
    }
    mcp__revision v = c->session ? c->session->version : c->version;
    fuzz_ex *f = fuzz_ex_new(c->session, MCP_ERA_LEGACY, v, c->back_channel && c->session);
    mcp__server_dispatch(srv, &f->ex, msg);
    return f;
}

/* The one-pass parser must agree with the checked cJSON path: accept
 * nothing it refuses, and build a tree that prints the same. */
static void check_parsers_agree(const char *line, size_t len)
{
    cJSON *fast = mcp__json_parse(line, len, FUZZ_MAX_DEPTH);
    if (!fast)
        return;
    const char *why = NULL;
    cJSON *ref = mcp__jsonrpc_parse_checked(line, len, FUZZ_MAX_DEPTH, &why);
    if (!ref) {
        fprintf(stderr, "fast parser accepted what the checked path refuses (%s)\n", why);
        abort();
    }
    char *a = mcp__json_print(fast, NULL), *b = mcp__json_print(ref, NULL);
    if (!a || !b || strcmp(a, b) != 0) {
        fprintf(stderr, "parsers built different trees:\n%s\n%s\n", a ? a : "(null)", b ? b : "(null)");
        abort();
    }
    free(a);
    free(b);
    cJSON_Delete(fast);
    cJSON_Delete(ref);
}

static void handle_line(conv *c, const char *line, size_t len)
{
    const char *why = NULL;
    check_parsers_agree(line, len);
    cJSON *msg = mcp__jsonrpc_parse(line, len, FUZZ_MAX_DEPTH, &why);
    if (!msg) {
        answer_locally(mcp__jsonrpc_error(NULL, JSONRPC_PARSE_ERROR, why));
        return;
    }
    if (!cJSON_IsArray(msg)) {
        fuzz_ex *f = dispatch_one(c, msg);
        if (f)
            fuzz_ex_wait_and_destroy(f);
        return;
    }
    mcp__revision v = c->session ? c->session->version : c->version;
    int n = cJSON_GetArraySize(msg);
    if (n == 0 || n > FUZZ_MAX_BATCH || !mcp_v_batching(v)) {
        answer_locally(mcp__jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, "Invalid Request: batch"));
        cJSON_Delete(msg);
        return;
    }
    fuzz_ex *waits[FUZZ_MAX_BATCH];
    int nw = 0;
    cJSON *item;
    while ((item = cJSON_DetachItemFromArray(msg, 0))) {
        if (mcp__is_initialize(item)) {
            answer_locally(mcp__jsonrpc_error(mcp__jsonrpc_id(item), JSONRPC_INVALID_REQUEST, "initialize in a batch"));
            cJSON_Delete(item);
            continue;
        }
        fuzz_ex *f = dispatch_one(c, item);
        if (f)
            waits[nw++] = f;
    }
    cJSON_Delete(msg);
    for (int i = 0; i < nw; i++)
        fuzz_ex_wait_and_destroy(waits[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    const char *end = p + size;
    conv c = { .version = MCP_V_2025_03_26, .back_channel = true };
    bool stateless = false;
    mcp__revision start = MCP_V_2025_03_26;
    if (p < end && *p == '#') {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        for (const char *q = p + 1; q < stop; q++) {
            if (*q == 's')
                stateless = true;
            else if (*q == 'x')
                c.back_channel = false;
            else if (*q >= '0' && *q <= '3')
                start = (mcp__revision)(*q - '0');
        }
        p = nl ? nl + 1 : end;
    }
    c.version = start;
    if (!stateless) {
        c.session = mcp__session_new();
        if (!c.session)
            return 0;
        c.session->version = start;
    }
    for (int lines = 0; p < end && lines < FUZZ_MAX_LINES; lines++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t len = (size_t)(stop - p);
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len)
            handle_line(&c, p, len);
        p = nl ? nl + 1 : end;
    }
    /* Open listen streams end when their client goes away. */
    for (int i = 0; i < c.npending; i++)
        atomic_store(&c.pending[i]->ex.cancelled, true);
    if (c.npending)
        mcp__server_housekeeping(srv);
    for (int i = 0; i < c.npending; i++)
        fuzz_ex_wait_and_destroy(c.pending[i]);
    if (c.session) {
        mcp__session_close(c.session);
        mcp__session_unref(c.session);
    }
    return 0;
}
