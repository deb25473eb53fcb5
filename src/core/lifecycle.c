/* Legacy lifecycle methods: initialize (version negotiation, capabilities,
 * server info), ping and logging/setLevel. initialize fills the exchange's
 * session when the transport created one; the transport registers that
 * session only after this succeeded. */
#include <string.h>

#include "core/registry.h"
#include "core/jsonrpc.h"
#include "core/methods.h"

static mcp__revision negotiate(const char *requested)
{
    int v = mcp__version_parse(requested);
    /* initialize never agrees to a modern revision: that era has no handshake. */
    if (v < 0 || mcp__version_is_modern((mcp__revision)v))
        return MCP_V_LEGACY_LATEST;
    return (mcp__revision)v;
}

static cJSON *server_info(mcp_server *srv, mcp__revision v)
{
    cJSON *info = cJSON_CreateObject();
    if (!info)
        return NULL;
    cJSON_AddStringToObject(info, "name", srv->name);
    cJSON_AddStringToObject(info, "version", srv->version);
    if (srv->title && mcp_v_titles(v))
        cJSON_AddStringToObject(info, "title", srv->title);
    if (srv->description && mcp_v_server_description(v))
        cJSON_AddStringToObject(info, "description", srv->description);
    if (srv->website_url && mcp_v_website_url(v))
        cJSON_AddStringToObject(info, "websiteUrl", srv->website_url);
    return info;
}

void mcp__method_initialize(mcp_call *call)
{
    const char *requested = mcp__param_string(call, "protocolVersion");
    if (!requested) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS, "Invalid params: initialize needs a protocolVersion string");
        return;
    }
    const cJSON *caps = cJSON_GetObjectItemCaseSensitive(call->params, "capabilities");
    const cJSON *info = cJSON_GetObjectItemCaseSensitive(call->params, "clientInfo");
    mcp__revision v = negotiate(requested);
    mcp_session *s = call->ex->session;
    if (s) {
        pthread_mutex_lock(&s->lock);
        s->version = v;
        cJSON_Delete(s->client_caps);
        cJSON_Delete(s->client_info);
        s->client_caps = cJSON_IsObject(caps) ? cJSON_Duplicate(caps, 1) : cJSON_CreateObject();
        s->client_info = cJSON_IsObject(info) ? cJSON_Duplicate(info, 1) : NULL;
        pthread_mutex_unlock(&s->lock);
    }
    call->ex->version = v;
    cJSON *result = cJSON_CreateObject();
    if (result) {
        cJSON_AddStringToObject(result, "protocolVersion", mcp__version_name(v));
        cJSON *server_caps = mcp__server_capabilities(call->srv);
        /* Without a session resources/updated has no channel: no subscribe. */
        if (!s && server_caps)
            cJSON_DeleteItemFromObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(server_caps, "resources"), "subscribe");
        cJSON_AddItemToObject(result, "capabilities", server_caps);
        cJSON_AddItemToObject(result, "serverInfo", server_info(call->srv, v));
        if (call->srv->instructions)
            cJSON_AddStringToObject(result, "instructions", call->srv->instructions);
    }
    mcp__call_reply_result(call, result);
}

void mcp__method_ping(mcp_call *call)
{
    mcp__call_reply_result(call, cJSON_CreateObject());
}

void mcp__method_logging_set_level(mcp_call *call)
{
    int level = mcp__log_level_parse(mcp__param_string(call, "level"));
    if (level < 0) {
        mcp__call_reply_error(call, JSONRPC_INVALID_PARAMS,
                         "Invalid params: level must be one of debug, info, notice, warning, error, critical, alert, emergency");
        return;
    }
    if (call->ex->session) {
        pthread_mutex_lock(&call->ex->session->lock);
        call->ex->session->log_level = level;
        pthread_mutex_unlock(&call->ex->session->lock);
        if (mcp__session_save(call->ex->session) < 0) {
            mcp__call_reply_error(call, JSONRPC_INTERNAL_ERROR, "Internal error: the session store is unavailable");
            return;
        }
    }
    mcp__call_reply_result(call, cJSON_CreateObject());
}
