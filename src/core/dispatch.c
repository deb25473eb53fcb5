/* Dispatch: route one inbound message to its method, handle client
 * notifications and responses, and run handler-backed calls (with the
 * input-request rounds that let one handler serve every era) inline or on
 * the worker pool. */
#include "core/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/json_write.h"
#include "core/jsonrpc.h"
#include "core/methods.h"
#include "core/modern.h"
#include "core/tasks.h"
#include "core/util.h"

typedef void (*method_fn)(mcp_call *call);

enum { LEGACY = 1 << MCP_ERA_LEGACY, MODERN = 1 << MCP_ERA_MODERN, BOTH = LEGACY | MODERN };

/* Methods by era: 2026-07-28 removed the handshake, ping, setLevel and
 * resource subscriptions (replaced by subscriptions/listen). */
static const struct {
    const char *name;
    method_fn fn;
    unsigned eras;
} methods[] = {
    {"tools/call", method_tools_call, BOTH},
    {"tools/list", method_tools_list, BOTH},
    {"initialize", method_initialize, LEGACY},
    {"ping", method_ping, LEGACY},
    {"logging/setLevel", method_logging_set_level, LEGACY},
    {"resources/list", method_resources_list, BOTH},
    {"resources/templates/list", method_resource_templates_list, BOTH},
    {"resources/read", method_resources_read, BOTH},
    {"resources/subscribe", method_resources_subscribe, LEGACY},
    {"resources/unsubscribe", method_resources_unsubscribe, LEGACY},
    {"prompts/list", method_prompts_list, BOTH},
    {"prompts/get", method_prompts_get, BOTH},
    {"completion/complete", method_completion_complete, BOTH},
    {"server/discover", method_server_discover, MODERN},
    {"subscriptions/listen", method_subscriptions_listen, MODERN},
    {"tasks/get", mcp__method_tasks_get, MODERN},        /* tasks.c */
    {"tasks/update", mcp__method_tasks_update, MODERN},
    {"tasks/cancel", mcp__method_tasks_cancel, MODERN},
};

static method_fn find_method(const char *name, mcp_era era)
{
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if ((methods[i].eras & (1u << era)) && strcmp(methods[i].name, name) == 0)
            return methods[i].fn;
    return NULL;
}

bool mcp_is_initialize(const cJSON *msg)
{
    const char *m = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    return m && strcmp(m, "initialize") == 0;
}

const char *param_string(const mcp_call *call, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(call->params, key));
}

static void handle_notification(mcp_server *srv, mcp_exchange *ex, cJSON *msg)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
    mcp_session *s = ex->session;
    (void)srv;
    if (s && strcmp(method, "notifications/initialized") == 0) {
        s->initialized = true;
    } else if (strcmp(method, "notifications/cancelled") == 0) {
        const cJSON *rid = cJSON_GetObjectItemCaseSensitive(params, "requestId");
        mcp_session *track = ex->track ? ex->track : s;
        if (rid && track)
            session_cancel_call(track, rid);
    }
    /* Unknown notifications are ignored, as JSON-RPC requires. */
    cJSON_Delete(msg);
    ex->ops->complete(ex, NULL);
}

void mcp_server_dispatch(mcp_server *srv, mcp_exchange *ex, cJSON *msg)
{
    const char *why = NULL;
    msg_kind kind = jsonrpc_classify(msg, &why);
    if (kind == MSG_INVALID) {
        cJSON *err = jsonrpc_error(jsonrpc_id(msg), JSONRPC_INVALID_REQUEST, why);
        cJSON_Delete(msg);
        ex->ops->complete(ex, err);
        return;
    }
    if (kind == MSG_RESPONSE) {
        mcp_session *s = ex->session ? ex->session : ex->track;
        cJSON *unclaimed = s ? session_resolve(s, msg) : msg;
        if (unclaimed && s && s->store && s->id[0]) {
            /* The waiting handler runs on another instance: pass it on. */
            char *text = json_print(unclaimed, NULL);
            if (text)
                s->store->ops->publish(s->store, "resp", s->id, text);
            free(text);
        }
        cJSON_Delete(unclaimed);
        ex->ops->complete(ex, NULL);
        return;
    }
    if (kind == MSG_NOTIFICATION) {
        handle_notification(srv, ex, msg);
        return;
    }
    mcp_call *call = call_new(srv, ex, msg);
    if (!call) {
        ex->ops->complete(ex, NULL);
        return;
    }
    method_fn fn = find_method(call->method, ex->era);
    if (!fn) {
        strbuf sb = {0};
        strbuf_printf(&sb, "Method not found: %s", call->method);
        call_reply_error(call, JSONRPC_METHOD_NOT_FOUND, sb.data ? sb.data : "Method not found");
        strbuf_free(&sb);
        return;
    }
    fn(call);
}

cJSON *mcp_server_capabilities(mcp_server *srv)
{
    cJSON *caps = cJSON_CreateObject();
    if (!caps)
        return NULL;
    pthread_rwlock_rdlock(&srv->lock);
    if (srv->tools.len)
        cJSON_AddTrueToObject(cJSON_AddObjectToObject(caps, "tools"), "listChanged");
    if (srv->resources.len) {
        cJSON *r = cJSON_AddObjectToObject(caps, "resources");
        cJSON_AddTrueToObject(r, "subscribe");
        cJSON_AddTrueToObject(r, "listChanged");
    }
    if (srv->prompts.len)
        cJSON_AddTrueToObject(cJSON_AddObjectToObject(caps, "prompts"), "listChanged");
    if (srv->complete_fn)
        cJSON_AddObjectToObject(caps, "completions");
    pthread_rwlock_unlock(&srv->lock);
    cJSON_AddObjectToObject(caps, "logging");   /* every handler may log */
    return caps;
}

void mcp_server_set_broadcast(mcp_server *srv,
                              void (*fn)(void *ctx, cJSON *notification_take, const char *resource_uri),
                              void *ctx)
{
    srv->broadcast = fn;
    srv->broadcast_ctx = ctx;
}

void server_broadcast(mcp_server *srv, cJSON *notification, const char *resource_uri)
{
    if (!notification)
        return;
    listeners_deliver(srv, notification, resource_uri);
    if (srv->broadcast)
        srv->broadcast(srv->broadcast_ctx, notification, resource_uri);
    else
        cJSON_Delete(notification);
}

void mcp_server_close_listeners(mcp_server *srv)
{
    listeners_close_all(srv);
}

void mcp_server_set_request_timeout(mcp_server *srv, unsigned ms)
{
    srv->request_timeout_ms = ms ? ms : 60000;
}

/* ---------------- handler runs and input rounds ---------------- */

#define MAX_INPUT_ROUNDS 8

typedef struct handler_job {
    mcp_call *call;
    invoke_fn invoke;
    finish_fn finish;
} handler_job;

static void run_blocking_job(void *arg);

void server_run_blocking(mcp_server *srv, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&srv->workers_lock);
    if (!srv->workers)
        srv->workers = worker_pool_new(srv->worker_threads);
    worker_pool *pool = srv->workers;
    pthread_mutex_unlock(&srv->workers_lock);
    if (!pool || worker_pool_submit(pool, fn, arg) < 0)
        fn(arg);   /* degrade to inline rather than lose the request */
}

/* Ask the client for each pending input over the session's back-channel and
 * collect the answers into call->input_responses. Runs on a worker. */
static int gather_input(mcp_call *call)
{
    mcp_session *s = call->ex->session;
    if (!s)
        return -MCP_EUNSUPPORTED;
    if (!call->input_responses && !(call->input_responses = cJSON_CreateObject()))
        return -MCP_ENOMEM;
    for (cJSON *req = call->input_requests ? call->input_requests->child : NULL; req; req = req->next) {
        const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(req, "method"));
        cJSON *params = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(req, "params"), 1);
        pending_request *p = NULL;
        cJSON *msg = session_request_begin(s, method, params, &p);
        if (!msg)
            return -MCP_ENOMEM;
        cJSON *resp = NULL;
        int rc = call->ex->ops->send(call->ex, msg);
        /* A send that failed leaves nothing to wait for; wait 0 to unregister. */
        int wrc = session_request_wait(s, p, rc < 0 ? 0 : call->srv->request_timeout_ms,
                                       &call->ex->cancelled, &resp);
        if (rc < 0)
            return rc;
        if (wrc < 0)
            return wrc;
        cJSON *result = cJSON_DetachItemFromObjectCaseSensitive(resp, "result");
        cJSON *error = cJSON_DetachItemFromObjectCaseSensitive(resp, "error");
        cJSON_Delete(resp);
        cJSON_AddItemToObject(call->input_responses, req->string, result ? result : error);
    }
    return 0;
}

/* Modern era: the client gathers the input and retries; the answers so
 * far ride along in the sealed requestState. */
static void reply_input_required(mcp_call *call)
{
    char *state = request_state_seal(&call->srv->state_key, call->method, call->target,
                                     call->input_responses, unix_ms(), REQUEST_STATE_TTL_MS);
    cJSON *result = cJSON_CreateObject();
    if (!state || !result) {
        free(state);
        cJSON_Delete(result);
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return;
    }
    cJSON_AddStringToObject(result, "resultType", "input_required");
    cJSON_AddItemToObject(result, "inputRequests", call->input_requests);
    call->input_requests = NULL;
    cJSON_AddStringToObject(result, "requestState", state);
    free(state);
    call_reply_result(call, result);
}

static void reply_missing_capability(mcp_call *call)
{
    cJSON *data = cJSON_CreateObject();
    cJSON *caps = data ? cJSON_AddObjectToObject(data, "requiredCapabilities") : NULL;
    if (caps)
        cJSON_AddObjectToObject(caps, call->missing_capability);
    char msg[160];
    snprintf(msg, sizeof msg, "Missing required client capability: %s", call->missing_capability);
    call_reply_error_data(call, MCP_ERR_MISSING_CAPABILITY, msg, data);
}

static void run_rounds(mcp_call *call, invoke_fn invoke, finish_fn finish, bool on_worker)
{
    for (int round = 0; round < MAX_INPUT_ROUNDS; round++) {
        int rc = invoke(call);
        if (call->ex->era == MCP_ERA_MODERN) {
            if (rc == -MCP_EINPUT && call->input_requests)
                reply_input_required(call);
            else if (rc == -MCP_EUNSUPPORTED && call->missing_capability)
                reply_missing_capability(call);
            else
                finish(call, rc);
            return;
        }
        if (rc != -MCP_EINPUT || !call->input_requests) {
            finish(call, rc);
            return;
        }
        if (!on_worker) {
            /* Waiting for the client must not block a transport loop. */
            handler_job *job = malloc(sizeof *job);
            if (!job) {
                finish(call, -MCP_ENOMEM);
                return;
            }
            *job = (handler_job){call, invoke, finish};
            call_reset_output(call);
            server_run_blocking(call->srv, run_blocking_job, job);
            return;
        }
        rc = gather_input(call);
        cJSON_Delete(call->input_requests);
        call->input_requests = NULL;
        call_reset_output(call);
        if (rc < 0) {
            finish(call, rc == -MCP_EINPUT ? -MCP_EINTERNAL : rc);
            return;
        }
    }
    finish(call, -MCP_ELIMIT);
}

static void run_blocking_job(void *arg)
{
    handler_job *job = arg;
    mcp_call *call = job->call;
    invoke_fn invoke = job->invoke;
    finish_fn finish = job->finish;
    free(job);
    run_rounds(call, invoke, finish, true);
}

void run_handler(mcp_call *call, bool blocking, invoke_fn invoke, finish_fn finish)
{
    if (!blocking) {
        run_rounds(call, invoke, finish, false);
        return;
    }
    handler_job *job = malloc(sizeof *job);
    if (!job) {
        finish(call, -MCP_ENOMEM);
        return;
    }
    *job = (handler_job){call, invoke, finish};
    server_run_blocking(call->srv, run_blocking_job, job);
}

/* ---------------- pagination ---------------- */

int paginate(mcp_call *call, entry_list *list, size_t *start, size_t *end)
{
    size_t offset = 0;
    const cJSON *cursor = cJSON_GetObjectItemCaseSensitive(call->params, "cursor");
    if (cursor) {
        char *stop = NULL;
        const char *c = cJSON_GetStringValue(cursor);
        unsigned long long v = c && *c ? strtoull(c, &stop, 10) : 0;
        if (!c || (*c && *stop) || v > list->len)
            return -MCP_EINVAL;
        offset = (size_t)v;
    }
    *start = offset;
    *end = offset + call->srv->page_size < list->len ? offset + call->srv->page_size : list->len;
    return 0;
}

void reply_list(mcp_call *call, entry_list *list, const char *key, const cJSON *(*def_of)(const void *entry))
{
    mcp_server *srv = call->srv;
    cJSON *result = cJSON_CreateObject();
    cJSON *arr = result ? cJSON_AddArrayToObject(result, key) : NULL;
    if (!arr) {
        cJSON_Delete(result);
        call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return;
    }
    pthread_rwlock_rdlock(&srv->lock);
    size_t start, end;
    int rc = paginate(call, list, &start, &end);
    for (size_t i = start; rc == 0 && i < end; i++) {
        const cJSON *def = def_of(list->items[i]);
        if (def)
            cJSON_AddItemToArray(arr, gate_definition(def, call->ex->version));
    }
    bool more = rc == 0 && end < list->len;
    pthread_rwlock_unlock(&srv->lock);
    if (rc < 0) {
        cJSON_Delete(result);
        call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid cursor");
        return;
    }
    if (more) {
        char next[32];
        snprintf(next, sizeof next, "%zu", end);
        cJSON_AddStringToObject(result, "nextCursor", next);
    }
    call_reply_result(call, result);
}

int call_load_input(mcp_call *call)
{
    if (call->ex->era != MCP_ERA_MODERN)
        return 0;
    const cJSON *responses = cJSON_GetObjectItemCaseSensitive(call->params, "inputResponses");
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(call->params, "requestState");
    cJSON *merged = NULL;
    if (state) {
        if (!cJSON_IsString(state) ||
            !(merged = request_state_open(&call->srv->state_key, state->valuestring, call->method,
                                          call->target, unix_ms())))
            return -1;
    }
    if (cJSON_IsObject(responses)) {
        if (!merged)
            merged = cJSON_CreateObject();
        for (const cJSON *r = responses->child; r && merged; r = r->next) {
            cJSON_DeleteItemFromObjectCaseSensitive(merged, r->string);
            cJSON_AddItemToObject(merged, r->string, cJSON_Duplicate(r, 1));
        }
    }
    cJSON_Delete(call->input_responses);
    call->input_responses = merged;
    return 0;
}

char *mcp_server_request_scopes(mcp_server *srv, const cJSON *msg)
{
    const char *method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg, "method"));
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
    if (!method)
        return NULL;
    if (strcmp(method, "tools/call") == 0)
        return mcp_server_tool_scopes(srv, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "name")));
    if (strcmp(method, "resources/read") == 0)
        return mcp_server_resource_scopes(srv, cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(params, "uri")));
    return NULL;
}
