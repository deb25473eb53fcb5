/* Shared by the libFuzzer harnesses: a server with a few tools, resources,
 * prompts and a completion handler that reach every kind of reply the
 * protocol layer builds (text, structured content checked against an
 * output schema, progress and log notifications, per-session state, input
 * requests, a blocking handler on the worker pool, an x-mcp-header
 * parameter), and an in-memory exchange whose ops free what they get.
 * Header-only: each harness is one program. */
#ifndef MCP_FUZZ_FIXTURE_H
#define MCP_FUZZ_FIXTURE_H

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <mcp/mcp.h>

#include "core/dispatch.h"
#include "core/notify.h"
#include "core/registry.h"
#include "core/server.h"
#include "core/exchange.h"
#include "core/jsonrpc.h"
#include "core/era.h"
#include "core/session.h"

/* A completion that never comes is a bug (complete must run exactly once):
 * wait this long, then abort so libFuzzer keeps the input. */
#define FUZZ_COMPLETE_WAIT_MS 5000u

/* ---------------- handlers ---------------- */

static int fz_echo(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "text"));
    mcp_call_log(call, MCP_LOG_INFO, "echo", "echo %.40s", text ? text : "");
    return mcp_call_text(call, "%s", text ? text : "");
}

/* structuredContent is checked against the output schema; a "bad" flag
 * makes the handler break its own schema. */
static int fz_add(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(args, "a");
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(args, "b");
    double sum = (cJSON_IsNumber(a) ? a->valuedouble : 0) + (cJSON_IsNumber(b) ? b->valuedouble : 0);
    cJSON *out = cJSON_CreateObject();
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(args, "bad")))
        cJSON_AddStringToObject(out, "sum", "not a number");
    else
        cJSON_AddNumberToObject(out, "sum", sum);
    mcp_call_text(call, "%g", sum);
    return mcp_call_structured_take(call, out);
}

static int fz_progress(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(args, "steps");
    int n = cJSON_IsNumber(steps) && steps->valuedouble > 0 && steps->valuedouble < 8 ? (int)steps->valuedouble : 2;
    for (int i = 1; i <= n && !mcp_call_cancelled(call); i++) {
        mcp_call_progress(call, i, n, "step");
        mcp_call_log(call, (mcp_log_level)(i % 8), "progress", "step %d", i);
    }
    mcp_call_progress(call, 0.5, -1, NULL);   /* going back: dropped */
    return mcp_call_text(call, "done");
}

static int fz_counter(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(args, "delta");
    int64_t v = 0;
    /* Only in-range deltas: a double-to-int64 conversion out of range is UB in the harness. */
    int64_t delta = cJSON_IsNumber(d) && d->valuedouble > -1e15 && d->valuedouble < 1e15 ? (int64_t)d->valuedouble : 1;
    int rc = mcp_call_state_incr(call, "n", delta, &v);
    if (rc < 0)
        return mcp_call_error(call, "no session state: %s", mcp_strerror(rc));
    char *s = NULL;
    if (mcp_call_state_get(call, "n", &s) == 0)
        mcp_call_state_set(call, "last", s);
    free(s);
    return mcp_call_text(call, "%lld", (long long)v);
}

/* The input pattern: ask for a confirmation (and roots) before acting. */
static int fz_confirm(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const cJSON *ok = mcp_call_input(call, "confirm");
    const cJSON *roots = mcp_call_input(call, "roots");
    int rc = 0;
    if (!ok)
        rc = mcp_call_need_input(call, "confirm", "elicitation/create",
                                 cJSON_Parse("{\"message\":\"sure?\",\"requestedSchema\":{\"type\":\"object\"}}"));
    if (!roots && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(args, "roots")))
        rc = mcp_call_need_input(call, "roots", "roots/list", NULL);
    if (rc < 0)
        return rc;
    char *t = cJSON_PrintUnformatted(ok);
    mcp_call_text(call, "confirmed %.60s", t ? t : "");
    free(t);
    return 0;
}

/* Runs on the worker pool; touches the call context from there. */
static int fz_slow(mcp_call *call, const cJSON *args, void *ud)
{
    (void)args;
    (void)ud;
    const char *sid = mcp_call_session_id(call);
    const cJSON *caps = mcp_call_client_capabilities(call);
    const cJSON *info = mcp_call_client_info(call);
    mcp_call_progress(call, 1, 2, "half");
    mcp_call_resource_link(call, "test://static", "static", "text/plain");
    mcp_call_image(call, "aGVsbG8=", "image/png");
    mcp_call_audio(call, "aGVsbG8=", "audio/wav");
    return mcp_call_text(call, "slow %s %d %d %s", sid ? "session" : "none", cJSON_GetArraySize(caps),
                         info != NULL, mcp_call_protocol_version(call));
}

static int fz_fail(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(args, "code");
    if (cJSON_IsNumber(code) && code->valuedouble >= 0 && code->valuedouble < 1e9)
        return -(int)((unsigned)code->valuedouble % 12);
    return mcp_call_error(call, "failed on purpose");
}

static int fz_resource(mcp_call *call, const char *uri, const cJSON *vars, void *ud)
{
    (void)ud;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vars, "id"));
    if (id && strcmp(id, "missing") == 0)
        return -MCP_ENOTFOUND;
    if (id && id[0] == 'b')
        return mcp_call_resource_blob(call, uri, "application/octet-stream", "AAEC");
    return mcp_call_resource_text(call, uri, "text/plain", id ? id : "static text");
}

static int fz_prompt(mcp_call *call, const cJSON *args, void *ud)
{
    (void)ud;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, "name"));
    mcp_call_prompt_description(call, "a greeting");
    mcp_call_prompt_message_take(call, "user", mcp_content_text(name ? name : "?"));
    mcp_call_prompt_message_take(call, "assistant", mcp_content_embedded_text("test://static", "text/plain", "x"));
    return 0;
}

static int fz_complete(mcp_call *call, const char *ref_type, const char *ref, const char *arg_name,
                       const char *arg_value, const cJSON *context_args, void *ud)
{
    (void)ref_type;
    (void)ref;
    (void)arg_name;
    (void)context_args;
    (void)ud;
    static const char *const values[] = {"alpha", "alps", "beta", "gamma"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++)
        if (!arg_value || strncmp(values[i], arg_value, strlen(arg_value)) == 0)
            mcp_call_complete_value(call, values[i]);
    return 0;
}

static const char fz_state_key[32] = "libmcp-fuzz-fixed-state-key-0001";

/* The fixture server; aborts when a registration fails (the harness is
 * useless without it). */
static inline mcp_server *fuzz_server_new(void)
{
    mcp_server_info info = { .name = "fuzz-server", .version = "0.0.1", .title = "Fuzz",
                             .description = "fuzzing fixture", .website_url = "https://example.invalid",
                             .instructions = "be nice" };
    mcp_server *srv = mcp_server_new(&info);
    if (!srv)
        abort();
    mcp_server_set_workers(srv, 2);
    mcp_server_set_page_size(srv, 3);   /* small pages: cursors get exercised */
    mcp_server_set_state_key(srv, fz_state_key, sizeof fz_state_key);
    mcp__server_set_request_timeout(srv, 50);
    const mcp_tool tools[] = {
        { .name = "echo", .title = "Echo", .description = "echo text",
          .input_schema = "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\",\"maxLength\":200,"
                          "\"pattern\":\"^[^<>]*$\"}},\"required\":[\"text\"],\"additionalProperties\":false}",
          .annotations = { .read_only = MCP_HINT_TRUE } },
        { .name = "add", .description = "add numbers",
          .input_schema = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"integer\","
                          "\"minimum\":-1000,\"maximum\":1000},\"bad\":{\"type\":\"boolean\"}}}",
          .output_schema = "{\"type\":\"object\",\"properties\":{\"sum\":{\"type\":\"number\"}},\"required\":[\"sum\"]}" },
        { .name = "progress", .description = "reports progress",
          .input_schema = "{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"integer\",\"minimum\":0}}}" },
        { .name = "counter", .description = "per-session counter",
          .input_schema = "{\"type\":\"object\",\"properties\":{\"delta\":{\"type\":\"integer\"}}}" },
        { .name = "confirm", .description = "asks first",
          .input_schema = "{\"type\":\"object\",\"properties\":{\"roots\":{\"type\":\"boolean\"}}}" },
        { .name = "slow", .description = "blocking", .blocking = true },
        { .name = "fail", .description = "fails",
          .input_schema = "{\"$defs\":{\"c\":{\"type\":\"integer\"}},\"type\":\"object\","
                          "\"properties\":{\"code\":{\"$ref\":\"#/$defs/c\"}}}" },
        { .name = "region", .description = "x-mcp-header parameter",
          .input_schema = "{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\",\"x-mcp-header\":\"Region\"},"
                          "\"n\":{\"type\":\"number\",\"x-mcp-header\":\"N\"},\"f\":{\"type\":\"boolean\",\"x-mcp-header\":\"F\"}}}",
          .icons = "[{\"src\":\"https://example.invalid/i.png\",\"mimeType\":\"image/png\"}]" },
    };
    mcp_tool_fn fns[] = { fz_echo, fz_add, fz_progress, fz_counter, fz_confirm, fz_slow, fz_fail, fz_echo };
    for (size_t i = 0; i < sizeof tools / sizeof tools[0]; i++) {
        mcp_tool t = tools[i];
        t.handler = fns[i];
        if (mcp_server_add_tool(srv, &t, NULL) != 0) {
            fprintf(stderr, "fuzz fixture: tool %s rejected\n", t.name);
            abort();
        }
    }
    const mcp_resource res[] = {
        { .uri = "test://static", .name = "static", .mime_type = "text/plain", .handler = fz_resource },
        { .uri_template = "test://items/{id}", .name = "item", .handler = fz_resource },
        { .uri_template = "test://pair/{a}-{b}", .name = "pair", .handler = fz_resource, .blocking = true },
    };
    for (size_t i = 0; i < sizeof res / sizeof res[0]; i++)
        if (mcp_server_add_resource(srv, &res[i], NULL) != 0)
            abort();
    static const mcp_prompt_arg args[] = { { .name = "name", .required = true }, { .name = "tone" }, { 0 } };
    const mcp_prompt pr = { .name = "greet", .description = "greets", .arguments = args, .handler = fz_prompt };
    const mcp_prompt pr2 = { .name = "plain", .handler = fz_prompt, .blocking = true };
    if (mcp_server_add_prompt(srv, &pr, NULL) != 0 || mcp_server_add_prompt(srv, &pr2, NULL) != 0)
        abort();
    mcp_server_set_completion(srv, fz_complete, NULL);
    return srv;
}

/* ---------------- an exchange whose ops free what they get ---------------- */

typedef struct fuzz_ex {
    mcp_exchange ex;           /* first: the ops get this pointer back */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int completions;
} fuzz_ex;

/* Related messages are freed. Server->client requests are refused
 * (-MCP_EUNSUPPORTED) so no handler waits for an answer that cannot come. */
static int fz_send(mcp_exchange *ex, cJSON *msg)
{
    (void)ex;
    bool request = cJSON_GetObjectItemCaseSensitive(msg, "id") != NULL;
    char *text = cJSON_PrintUnformatted(msg);   /* what a transport would do */
    free(text);
    cJSON_Delete(msg);
    return request ? -MCP_EUNSUPPORTED : 0;
}

static void fz_complete_op(mcp_exchange *ex, cJSON *response)
{
    fuzz_ex *f = (fuzz_ex *)ex;
    char *text = response ? cJSON_PrintUnformatted(response) : NULL;
    free(text);
    cJSON_Delete(response);
    pthread_mutex_lock(&f->lock);
    f->completions++;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}

static const mcp_exchange_ops fz_ops = { fz_send, fz_complete_op };

/* Heap-allocated so that a use after complete() shows up under ASan. */
static inline fuzz_ex *fuzz_ex_new(mcp_session *s, mcp_era era, mcp__revision v, bool back_channel)
{
    fuzz_ex *f = calloc(1, sizeof *f);
    if (!f)
        abort();
    f->ex.ops = &fz_ops;
    f->ex.session = s;
    f->ex.era = era;
    f->ex.version = v;
    f->ex.back_channel = back_channel;
    f->ex.stateless = s == NULL;
    atomic_init(&f->ex.cancelled, false);
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &attr);
    pthread_condattr_destroy(&attr);
    return f;
}

/* Wait (bounded) until complete ran; abort when it never does, or ran twice. */
static inline void fuzz_ex_wait_and_destroy(fuzz_ex *f)
{
    struct timespec dl;
    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += FUZZ_COMPLETE_WAIT_MS / 1000;
    pthread_mutex_lock(&f->lock);
    while (f->completions == 0)
        if (pthread_cond_timedwait(&f->cond, &f->lock, &dl) == ETIMEDOUT)
            break;
    int n = f->completions;
    pthread_mutex_unlock(&f->lock);
    if (n != 1) {
        fprintf(stderr, "fuzz: complete ran %d times (expected exactly once)\n", n);
        abort();
    }
    /* complete() unlocks after signalling; take the lock once more so the
     * completing thread is out of it before the memory goes. */
    pthread_mutex_lock(&f->lock);
    pthread_mutex_unlock(&f->lock);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

#endif
