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
#include "core/limit.h"
#include "core/methods.h"
#include "core/tasks.h"

typedef void (*method_fn)(mcp_call *call);

enum { LEGACY = 1 << MCP_ERA_LEGACY, MODERN = 1 << MCP_ERA_MODERN, BOTH = LEGACY | MODERN };

/* Methods by era: 2026-07-28 removed the handshake, ping, setLevel and
 * resource subscriptions (replaced by subscriptions/listen). */
static const struct {
    const char *name;
    method_fn fn;
    unsigned eras;
} methods[] = {
    {"tools/call", mcp__method_tools_call, BOTH},
    {"tools/list", mcp__method_tools_list, BOTH},
    {"initialize", mcp__method_initialize, LEGACY},
    {"ping", mcp__method_ping, LEGACY},
    {"logging/setLevel", mcp__method_logging_set_level, LEGACY},
    {"resources/list", mcp__method_resources_list, BOTH},
    {"resources/templates/list", mcp__method_resource_templates_list, BOTH},
    {"resources/read", mcp__method_resources_read, BOTH},
    {"resources/subscribe", mcp__method_resources_subscribe, LEGACY},
    {"resources/unsubscribe", mcp__method_resources_unsubscribe, LEGACY},
    {"prompts/list", mcp__method_prompts_list, BOTH},
    {"prompts/get", mcp__method_prompts_get, BOTH},
    {"completion/complete", mcp__method_completion_complete, BOTH},
    {"server/discover", mcp__method_server_discover, MODERN},
    {"subscriptions/listen", mcp__method_subscriptions_listen, MODERN},
    /* Extensions: skills (SEP-2640), answered -32601 unless skills are served. */
    {"skills/list", mcp__method_skills_list, BOTH},
    {"skills/get", mcp__method_skills_get, BOTH},
    {"resources/directory/read", mcp__method_resources_directory_read, BOTH},
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

bool mcp__is_initialize(const cJSON *msg)
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
            mcp__session_cancel_call(track, rid);
    }
    /* Unknown notifications are ignored, as JSON-RPC requires. */
    cJSON_Delete(msg);
    ex->ops->complete(ex, NULL);
}

void mcp__server_dispatch(mcp_server *srv, mcp_exchange *ex, cJSON *msg)
{
    const char *why = NULL;
    msg_kind kind = mcp__jsonrpc_classify(msg, &why);
    if (kind == MSG_INVALID) {
        cJSON *err = mcp__jsonrpc_error(mcp__jsonrpc_id(msg), JSONRPC_INVALID_REQUEST, why);
        cJSON_Delete(msg);
        ex->ops->complete(ex, err);
        return;
    }
    if (kind == MSG_RESPONSE) {
        mcp_session *s = ex->session ? ex->session : ex->track;
        cJSON *unclaimed = s ? mcp__session_resolve(s, msg) : msg;
        if (unclaimed && s && s->store && s->id[0]) {
            /* The waiting handler runs on another instance: pass it on. */
            char *text = mcp__json_print(unclaimed, NULL);
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
    mcp_call *call = mcp__call_new(srv, ex, msg);
    if (!call) {
        ex->ops->complete(ex, NULL);
        return;
    }
    /* Rate limits run before any handler (limit.h); the refusal carries the id. */
    uint64_t wait_ms = mcp__limiter_applies(ex->limiter, call->method)
                           ? mcp__limiter_take(ex->limiter, ex->principal, call->method) : 0;
    if (wait_ms) {
        char why_limited[160];
        mcp__limit_message(why_limited, sizeof why_limited, wait_ms);
        mcp__call_reply_error_data(call, MCP_ERR_RATE_LIMITED, why_limited, mcp__limit_data(wait_ms));
        return;
    }
    method_fn fn = find_method(call->method, ex->era);
    if (!fn) {
        strbuf sb = {0};
        mcp__strbuf_printf(&sb, "Method not found: %s", call->method);
        mcp__call_reply_error(call, JSONRPC_METHOD_NOT_FOUND, sb.data ? sb.data : "Method not found");
        mcp__strbuf_free(&sb);
        return;
    }
    fn(call);
}
