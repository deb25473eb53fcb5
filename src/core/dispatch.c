/* Dispatch: the one entry transports call with a parsed message. Routes a
 * request to its method by name and era (the method table), handles client
 * notifications (initialized, cancelled) and responses to server-initiated
 * requests. Handler runs live in run.c, list/notify plumbing elsewhere. */
#include "core/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_write.h"
#include "core/jsonrpc.h"
#include "core/era.h"
#include "core/methods.h"

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
