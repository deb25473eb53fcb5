/* resources/list, resources/templates/list, resources/read and the legacy
 * subscribe/unsubscribe pair. Direct URIs match before templates; a
 * missing resource is -32002 for legacy clients and -32602 for modern ones
 * (the error code changed in 2026-07-28). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonrpc.h"
#include "core/entry.h"
#include "core/methods.h"
#include "core/session.h"

static const cJSON *direct_def(const void *entry)
{
    const resource_entry *r = entry;
    return r->is_template ? NULL : r->def;
}

static const cJSON *template_def(const void *entry)
{
    const resource_entry *r = entry;
    return r->is_template ? r->def : NULL;
}

void mcp__method_resources_list(mcp_call *call)
{
    mcp__reply_list(call, &call->srv->resources, "resources", direct_def);
}

void mcp__method_resource_templates_list(mcp_call *call)
{
    mcp__reply_list(call, &call->srv->resources, "resourceTemplates", template_def);
}

static void reply_not_found(mcp_call *call)
{
    char msg[512];
    snprintf(msg, sizeof msg, "Resource not found: %.400s", call->uri);
    cJSON *data = cJSON_CreateObject();
    if (data)
        cJSON_AddStringToObject(data, "uri", call->uri);
    int code = call->ex->era == MCP_ERA_MODERN ? JSONRPC_INVALID_PARAMS : MCP_ERR_RESOURCE_NOT_FOUND;
    mcp__call_reply_error_data(call, code, msg, data);
}

static int invoke_resource(mcp_call *call)
{
    const resource_entry *r = call->entry;
    return r->fn(call, call->uri, call->args, r->userdata);
}

static void finish_resource(mcp_call *call, int rc)
{
    if (rc == -MCP_ENOTFOUND) {
        reply_not_found(call);
        return;
    }
    char msg[512];
    if (mcp__run_input_outcome(call, rc, msg, sizeof msg)) {
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, msg);   /* the same words as for tools */
        return;
    }
    if (rc < 0) {
        snprintf(msg, sizeof msg, "Internal error reading resource: %s", mcp_strerror(rc));
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, msg);
        return;
    }
    cJSON *result = cJSON_CreateObject();
    if (result) {
        cJSON_AddItemToObject(result, "contents", call->content ? call->content : cJSON_CreateArray());
        call->content = NULL;
    }
    mcp__call_reply_result(call, result);
}

void mcp__method_resources_read(mcp_call *call)
{
    const char *uri = mcp__param_string(call, "uri");
    if (!uri) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: resources/read needs a uri string");
        return;
    }
    call->uri = strdup(uri);
    pthread_rwlock_rdlock(&call->srv->lock);
    const resource_entry *r = mcp__registry_match_resource(call->srv, uri, &call->args);
    mcp__entry_hold(CALL_RESOURCE, r);    /* dropped in mcp__call_free */
    pthread_rwlock_unlock(&call->srv->lock);
    call->kind = CALL_RESOURCE;
    call->entry = r;
    if (!r || !call->uri) {
        reply_not_found(call);
        return;
    }
    call->target = uri;
    if (mcp__call_load_input(call) < 0) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: requestState is invalid, expired or belongs to another request");
        return;
    }
    mcp__run_handler(call, r->blocking, invoke_resource, finish_resource);
}

/* Subscriptions are kept per session as a list of URIs (and in the stored
 * session record); transports consult it when mcp_server_resource_updated()
 * broadcasts. Without a session (stateless HTTP) there is no channel to
 * deliver notifications/resources/updated on, so initialize does not
 * advertise resources.subscribe and the method is refused. */
static void change_subscription(mcp_call *call, bool subscribe)
{
    mcp_session *s = call->ex->session;
    if (!s) {
        mcp__call_reply_error(call, JSONRPC_METHOD_NOT_FOUND,
                              subscribe ? "Method not found: resources/subscribe needs a session; this server is "
                                          "stateless and cannot deliver notifications/resources/updated "
                                          "(use a stateful server, or subscriptions/listen in 2026-07-28)"
                                        : "Method not found: resources/unsubscribe needs a session; this server is stateless");
        return;
    }
    const char *uri = mcp__param_string(call, "uri");
    if (!uri) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: uri must be a string");
        return;
    }
    int rc = mcp__session_subscription_change(s, uri, subscribe);
    if (rc < 0) {
        char msg[160];
        snprintf(msg, sizeof msg, "Internal error: the subscription could not be recorded: %s", mcp_strerror(rc));
        mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, msg);
        return;
    }
    mcp__call_reply_result(call, cJSON_CreateObject());
}

void mcp__method_resources_subscribe(mcp_call *call)
{
    change_subscription(call, true);
}

void mcp__method_resources_unsubscribe(mcp_call *call)
{
    change_subscription(call, false);
}
