/* Handler runs: a tool, resource or prompt handler runs inline or on the
 * worker pool (blocking handlers, and any call that must wait for the
 * client), with the input-request rounds that let one handler serve every
 * era: legacy clients are asked over the session back-channel, modern ones
 * get input_required with a sealed requestState and retry. Also the one
 * place that words an input round's failure (unsupported, timed out,
 * cancelled) for tools, prompts and resources alike; and a handler's
 * pending store operation (mcp_call_state_incr_then), whose answer finishes
 * the call on the store's thread. */
#include "core/run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/json_parse.h"
#include "core/call.h"
#include "core/jsonrpc.h"

#define MAX_INPUT_ROUNDS 8

typedef struct handler_job {
    mcp_call *call;
    invoke_fn invoke;
    finish_fn finish;
} handler_job;

static void run_blocking_job(void *arg);

/* fn(arg) on the server's worker pool (started on first use), inline when
 * the pool cannot take it. */
static void server_run_blocking(mcp_server *srv, void (*fn)(void *), void *arg)
{
    pthread_mutex_lock(&srv->workers_lock);
    if (!srv->workers)
        srv->workers = mcp__worker_pool_new(srv->worker_threads);
    worker_pool *pool = srv->workers;
    pthread_mutex_unlock(&srv->workers_lock);
    if (!pool || mcp__worker_pool_submit(pool, fn, arg) < 0)
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
        cJSON *msg = mcp__session_request_begin(s, method, params, &p);
        if (!msg)
            return -MCP_ENOMEM;
        cJSON *resp = NULL;
        int rc = call->ex->ops->send(call->ex, msg);
        /* A send that failed leaves nothing to wait for; wait 0 to unregister. */
        int wrc = mcp__session_request_wait(s, p, rc < 0 ? 0 : call->srv->request_timeout_ms,
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
    char *state = mcp__request_state_seal(&call->srv->state_key, call->method, call->target,
                                     call->input_responses, mcp__unix_ms(), REQUEST_STATE_TTL_MS);
    cJSON *result = cJSON_CreateObject();
    if (!state || !result) {
        free(state);
        cJSON_Delete(result);
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
        return;
    }
    cJSON_AddStringToObject(result, "resultType", "input_required");
    cJSON_AddItemToObject(result, "inputRequests", call->input_requests);
    call->input_requests = NULL;
    cJSON_AddStringToObject(result, "requestState", state);
    free(state);
    mcp__call_reply_result(call, result);
}

static void reply_missing_capability(mcp_call *call)
{
    cJSON *data = cJSON_CreateObject();
    cJSON *caps = data ? cJSON_AddObjectToObject(data, "requiredCapabilities") : NULL;
    if (caps)
        cJSON_AddObjectToObject(caps, call->missing_capability);
    char msg[160];
    snprintf(msg, sizeof msg, "Missing required client capability: %s", call->missing_capability);
    mcp__call_reply_error_data(call, MCP_ERR_MISSING_CAPABILITY, msg, data);
}

/* The handler returned MCP_CALL_PENDING: drop its reference; the last of
 * it and the store's answer finishes. Touches the call only before the
 * drop: after it, the answer's thread may already have freed the call. */
static void handler_returned_pending(mcp_call *call, finish_fn finish)
{
    if (atomic_load(&call->pending_refs) == 0) {   /* pending without a pending operation */
        finish(call, -MCP_EINTERNAL);
        return;
    }
    if (atomic_fetch_sub(&call->pending_refs, 1) == 1)
        finish(call, call->pending_rc);
}

/* The store's answer to mcp_call_state_incr_then, on the store's thread. */
static void incr_answered(void *ctx, int rc, int64_t value)
{
    mcp_call *call = ctx;
    int out = call->then(call, rc, value, call->then_userdata);
    call->pending_rc = out == -MCP_EINPUT || out == MCP_CALL_PENDING ? -MCP_EINTERNAL : out;
    if (atomic_fetch_sub(&call->pending_refs, 1) == 1)
        call->finish(call, call->pending_rc);
}

int mcp_call_state_incr_then(mcp_call *call, const char *key, int64_t delta, mcp_state_incr_then then,
                             void *userdata)
{
    if (!then || !key)
        return -MCP_EINVAL;
    if (!call->ex->session)
        return then(call, -MCP_EUNSUPPORTED, 0, userdata);
    if (atomic_load(&call->pending_refs) != 0 || !call->finish)   /* one at a time, inside a handler run */
        return then(call, -MCP_EINVAL, 0, userdata);
    call->then = then;
    call->then_userdata = userdata;
    atomic_store(&call->pending_refs, 2);
    int64_t value = 0;
    int rc = mcp__session_state_incr_async(call->ex->session, key, delta, incr_answered, call, &value);
    if (rc == MCP_CALL_PENDING)
        return rc;
    atomic_store(&call->pending_refs, 0);   /* answered here: an ordinary handler return */
    return then(call, rc, value, userdata);
}

static void run_rounds(mcp_call *call, invoke_fn invoke, finish_fn finish, bool on_worker)
{
    call->finish = finish;
    for (int round = 0; round < MAX_INPUT_ROUNDS; round++) {
        int rc = invoke(call);
        if (rc == MCP_CALL_PENDING) {
            handler_returned_pending(call, finish);
            return;
        }
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
            mcp__call_reset_output(call);
            server_run_blocking(call->srv, run_blocking_job, job);
            return;
        }
        rc = gather_input(call);
        cJSON_Delete(call->input_requests);
        call->input_requests = NULL;
        mcp__call_reset_output(call);
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

void mcp__run_handler(mcp_call *call, bool blocking, invoke_fn invoke, finish_fn finish)
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

int mcp__call_load_input(mcp_call *call)
{
    if (call->ex->era != MCP_ERA_MODERN)
        return 0;
    const cJSON *responses = mcp__json_member(call->params, "inputResponses");
    const cJSON *state = mcp__json_member(call->params, "requestState");
    cJSON *merged = NULL;
    if (state) {
        if (!cJSON_IsString(state) ||
            !(merged = mcp__request_state_open(&call->srv->state_key, state->valuestring, call->method,
                                          call->target, mcp__unix_ms())))
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

/* What a handler was, for the messages below. */
static const char *kind_name(const mcp_call *call)
{
    return call->kind == CALL_PROMPT ? "prompt" : call->kind == CALL_RESOURCE ? "resource" : "tool";
}

const char *mcp__run_input_outcome(const mcp_call *call, int rc, char *buf, size_t len)
{
    if (rc == -MCP_EUNSUPPORTED) {
        snprintf(buf, len,
                 "This %s needs input from the client (elicitation, sampling or roots), which cannot be "
                 "requested here: the client did not declare that capability, or the transport is "
                 "stateless HTTP without a back-channel.", kind_name(call));
        return buf;
    }
    if (rc == -MCP_ETIMEDOUT || rc == -MCP_ECANCELED) {
        snprintf(buf, len, "The client did not answer the %s's request for input: %s", kind_name(call), mcp_strerror(rc));
        return buf;
    }
    return NULL;
}
