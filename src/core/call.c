/* mcp_call: the context a handler gets, and the builders it fills the
 * result with. Related notifications (progress, log) leave through the
 * exchange immediately; the result is assembled here and turned into the
 * method's result object by the method file when the handler returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/call.h"

#include "core/entry.h"
#include "core/era.h"
#include "base/json_parse.h"
#include "base/json_write.h"
#include "base/util.h"
#include "core/jsonrpc.h"
#include "core/otel.h"
#include "core/trace.h"

static const char *const level_names[] = {
    "debug", "info", "notice", "warning", "error", "critical", "alert", "emergency",
};

int mcp__log_level_parse(const char *name)
{
    for (int i = 0; name && i < 8; i++)
        if (strcmp(name, level_names[i]) == 0)
            return i;
    return -1;
}

/* The params._meta members a call reads, found in one walk: the modern
 * keys share a long prefix ("io.modelcontextprotocol/"), which a lookup per
 * member would compare again for every key of the envelope. Duplicate keys
 * resolve to the first, as cJSON_GetObjectItemCaseSensitive finds them. */
typedef struct meta_fields {
    const cJSON *progress_token, *log_level, *traceparent, *tracestate;
} meta_fields;

static meta_fields read_meta(const cJSON *meta)
{
    meta_fields f = {0};
    for (const cJSON *c = cJSON_IsObject(meta) ? meta->child : NULL; c; c = c->next) {
        const char *k = c->string;
        const cJSON **slot = NULL;
        if (!k)
            continue;
        if (k[0] == 'p' && strcmp(k, "progressToken") == 0)
            slot = &f.progress_token;
        else if (k[0] == 't' && strcmp(k, "traceparent") == 0)
            slot = &f.traceparent;
        else if (k[0] == 't' && strcmp(k, "tracestate") == 0)
            slot = &f.tracestate;
        else if (k[0] == 'i' && strcmp(k, MCP_META_LOG_LEVEL) == 0)
            slot = &f.log_level;
        if (slot && !*slot)
            *slot = c;
    }
    return f;
}

static int initial_log_threshold(const mcp_exchange *ex, const cJSON *lvl)
{
    if (ex->era == MCP_ERA_MODERN) {
        /* Modern: no notifications/message unless this request asked. */
        int l = cJSON_IsString(lvl) ? mcp__log_level_parse(lvl->valuestring) : -1;
        return l < 0 ? MCP_LOG_EMERGENCY + 1 : l;
    }
    if (ex->session && ex->session->log_level >= 0)
        return ex->session->log_level;
    return MCP_LOG_DEBUG;
}

/* The caller's trace context: params._meta (SEP-414, both eras), else the
 * transport's (HTTP headers). Invalid values are ignored (W3C §3.2.2.x); a
 * tracestate counts only beside a valid traceparent from the same place. */
static void begin_trace(mcp_call *call, const meta_fields *meta)
{
    mcp_exchange *ex = call->ex;
    const char *tp = cJSON_GetStringValue(meta->traceparent);
    const char *ts = cJSON_GetStringValue(meta->tracestate);
    mcp__trace_parent parent;
    bool valid = tp && mcp__traceparent_parse(tp, &parent);
    if (!valid && ex->http_traceparent && mcp__traceparent_parse(ex->http_traceparent, &parent)) {
        valid = true;
        ts = ex->http_tracestate;
    }
    mcp__trace_begin(&ex->trace, valid ? &parent : NULL);
    if (valid && ts && mcp__tracestate_valid(ts))
        call->tracestate = strdup(ts);
}

mcp_call *mcp__call_new(mcp_server *srv, mcp_exchange *ex, cJSON *msg_take)
{
    mcp_call *call = calloc(1, sizeof *call);
    if (!call) {
        cJSON_Delete(msg_take);
        return NULL;
    }
    call->srv = srv;
    call->ex = ex;
    call->start_us = mcp__now_us();
    call->msg = msg_take;
    call->id = mcp__jsonrpc_id(msg_take);
    call->method = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(msg_take, "method"));
    call->params = cJSON_GetObjectItemCaseSensitive(msg_take, "params");
    meta_fields meta = read_meta(cJSON_GetObjectItemCaseSensitive(call->params, "_meta"));
    if (cJSON_IsString(meta.progress_token) || cJSON_IsNumber(meta.progress_token))
        call->progress_token = meta.progress_token;
    call->log_threshold = initial_log_threshold(ex, meta.log_level);
    begin_trace(call, &meta);
    call->kind = CALL_OTHER;
    mcp_session *track = ex->track ? ex->track : ex->session;
    if (track && call->id) {
        mcp__session_track_call(track, &call->tracked, call->id, &ex->cancelled);
        call->is_tracked = true;
    }
    return call;
}

void mcp__call_reset_output(mcp_call *call)
{
    cJSON_Delete(call->content);
    cJSON_Delete(call->structured);
    cJSON_Delete(call->input_requests);
    cJSON_Delete(call->result_meta);
    free(call->description);
    call->content = call->structured = call->input_requests = call->result_meta = NULL;
    call->description = NULL;
    call->is_error = false;
}

void mcp__call_free(mcp_call *call)
{
    if (!call)
        return;
    if (call->is_tracked)
        mcp__session_untrack_call(call->ex->track ? call->ex->track : call->ex->session, &call->tracked);
    mcp__call_reset_output(call);
    cJSON_Delete(call->input_responses);
    cJSON_Delete(call->args);
    free(call->uri);
    free(call->tracestate);
    cJSON_Delete(call->msg);
    mcp__entry_release(call->kind, call->entry);   /* a removed entry may go now */
    free(call);
}

/* mcp.server.operation.duration: method, the registered tool or prompt,
 * error.type, protocol version (otel.h). */
static void record_operation(const mcp_call *call, const cJSON *response)
{
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(response, "error");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(err, "code");
    bool tool_error = !err && call->kind == CALL_TOOL && call->is_error;
    int type = mcp__otel_error_type(cJSON_IsNumber(code) ? code->valueint : 0, err != NULL, tool_error);
    mcp__otel_target kind = MCP_OTEL_TARGET_NONE;
    const char *name = NULL;
    if (call->method && strcmp(call->method, "tools/call") == 0) {
        kind = MCP_OTEL_TARGET_TOOL;
        name = call->kind == CALL_TOOL && call->entry ? ((const tool_entry *)call->entry)->name : NULL;
    } else if (call->method && strcmp(call->method, "prompts/get") == 0) {
        kind = MCP_OTEL_TARGET_PROMPT;
        name = call->kind == CALL_PROMPT && call->entry ? ((const prompt_entry *)call->entry)->name : NULL;
    }
    mcp__otel_operation(call->srv->otel, call->method, call->ex->version, kind, name, type,
                        mcp__now_us() - call->start_us);
}

static void finish(mcp_call *call, cJSON *response)
{
    mcp_exchange *ex = call->ex;
    record_operation(call, response);
    mcp__call_free(call);
    ex->ops->complete(ex, response);
}

static int cache_kind_of(const char *method)
{
    static const struct { const char *method; int kind; } table[] = {
        {"server/discover", MCP_CACHE_DISCOVER}, {"tools/list", MCP_CACHE_TOOLS},
        {"resources/list", MCP_CACHE_RESOURCES}, {"resources/templates/list", MCP_CACHE_RESOURCES},
        {"resources/read", MCP_CACHE_RESOURCES}, {"prompts/list", MCP_CACHE_PROMPTS},
        /* Skills (SEP-2640) are resources: they share the resources hint. */
        {"skills/list", MCP_CACHE_RESOURCES}, {"skills/get", MCP_CACHE_RESOURCES},
        {"resources/directory/read", MCP_CACHE_RESOURCES},
    };
    if (!method || (method[0] != 's' && method[0] != 't' && method[0] != 'r' && method[0] != 'p') ||
        strcmp(method, "tools/call") == 0)          /* the common answer, at once */
        return -1;
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].method, method) == 0)
            return table[i].kind;
    return -1;
}

/* Every modern result says what it is (resultType), who answered
 * (serverInfo in _meta) and, where cacheable, for how long (ttlMs, cacheScope). */
static void decorate_modern(mcp_call *call, cJSON *result)
{
    /* Literal keys and values by reference: no copies (see envelope()).
     * serverInfo is a reference to the server's {name, version} members,
     * built once at mcp_server_new: the server outlives every reply. A
     * result without either member whose reply is only printed gains both
     * as the text mcp_server_new printed once. */
    cJSON *rt = mcp__json_member(result, "resultType");
    cJSON *meta = mcp__json_member(result, "_meta");
    const char *type = "complete";
    if (rt || meta || !call->ex->replies_printed || !mcp__json_add_raw_members(result, call->srv->complete_members_text)) {
        if (!rt)
            cJSON_AddItemToObjectCS(result, "resultType", rt = cJSON_CreateStringReference("complete"));
        if (!meta && (meta = cJSON_CreateObject()))
            cJSON_AddItemToObjectCS(result, "_meta", meta);
        if (meta)
            cJSON_AddItemToObjectCS(meta, MCP_META_SERVER_INFO, cJSON_CreateObjectReference(call->srv->info->child));
        type = cJSON_GetStringValue(rt);
    }
    int kind = type && strcmp(type, "complete") == 0 ? cache_kind_of(call->method) : -1;
    if (kind >= 0) {
        cJSON_AddNumberToObject(result, "ttlMs", call->srv->cache[kind].ttl_ms);
        cJSON_AddStringToObject(result, "cacheScope", call->srv->cache[kind].shared ? "public" : "private");
    }
}

/* Merge the handler's mcp_call_meta_take keys into result._meta. */
static void merge_result_meta(mcp_call *call, cJSON *result)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(result, "_meta");
    if (!meta && !(meta = cJSON_AddObjectToObject(result, "_meta")))
        return;
    while (call->result_meta->child) {
        cJSON *item = cJSON_DetachItemViaPointer(call->result_meta, call->result_meta->child);
        cJSON_DeleteItemFromObjectCaseSensitive(meta, item->string);
        cJSON_AddItemToObject(meta, item->string, item);
    }
}

void mcp__call_reply_result(mcp_call *call, cJSON *result_take)
{
    if (result_take && call->result_meta && cJSON_IsObject(result_take))
        merge_result_meta(call, result_take);
    if (result_take && call->ex->era == MCP_ERA_MODERN)
        decorate_modern(call, result_take);
    cJSON *resp = mcp__jsonrpc_result_take(call->id, result_take);
    if (!resp)
        resp = mcp__jsonrpc_error(call->id, JSONRPC_INTERNAL_ERROR, "Internal error: out of memory");
    finish(call, resp);
}

void mcp__call_reply_error_data(mcp_call *call, int code, const char *message, cJSON *data_take)
{
    finish(call, mcp__jsonrpc_error_data_take(call->id, code, message, data_take));
}

void mcp__call_reply_error(mcp_call *call, int code, const char *message)
{
    mcp__call_reply_error_data(call, code, message, NULL);
}

/* ---------------- content blocks ---------------- */

static cJSON *block(const char *type)
{
    cJSON *b = cJSON_CreateObject();
    if (b)
        cJSON_AddItemToObjectCS(b, "type", cJSON_CreateString(type));
    return b;
}

cJSON *mcp_content_text(const char *text)
{
    cJSON *b = block("text");
    if (b)
        cJSON_AddItemToObjectCS(b, "text", cJSON_CreateString(text ? text : ""));
    return b;
}

static cJSON *media_block(const char *type, const char *base64, const char *mime)
{
    cJSON *b = block(type);
    if (b) {
        cJSON_AddStringToObject(b, "data", base64 ? base64 : "");
        cJSON_AddStringToObject(b, "mimeType", mime ? mime : "application/octet-stream");
    }
    return b;
}

cJSON *mcp_content_image(const char *base64, const char *mime_type)
{
    return media_block("image", base64, mime_type);
}

cJSON *mcp_content_audio(const char *base64, const char *mime_type)
{
    return media_block("audio", base64, mime_type);
}

static cJSON *resource_contents(const char *uri, const char *mime, const char *key, const char *value)
{
    cJSON *r = cJSON_CreateObject();
    if (!r)
        return NULL;
    cJSON_AddStringToObject(r, "uri", uri ? uri : "");
    if (mime)
        cJSON_AddStringToObject(r, "mimeType", mime);
    cJSON_AddStringToObject(r, key, value ? value : "");
    return r;
}

static cJSON *embedded(cJSON *contents)
{
    cJSON *b = contents ? block("resource") : NULL;
    if (!b) {
        cJSON_Delete(contents);
        return NULL;
    }
    cJSON_AddItemToObject(b, "resource", contents);
    return b;
}

cJSON *mcp_content_embedded_text(const char *uri, const char *mime_type, const char *text)
{
    return embedded(resource_contents(uri, mime_type, "text", text));
}

cJSON *mcp_content_embedded_blob(const char *uri, const char *mime_type, const char *base64)
{
    return embedded(resource_contents(uri, mime_type, "blob", base64));
}

cJSON *mcp_content_resource_link(const char *uri, const char *name, const char *mime_type)
{
    cJSON *b = block("resource_link");
    if (b) {
        cJSON_AddStringToObject(b, "uri", uri ? uri : "");
        cJSON_AddStringToObject(b, "name", name ? name : "");
        if (mime_type)
            cJSON_AddStringToObject(b, "mimeType", mime_type);
    }
    return b;
}

/* ---------------- results ---------------- */

static int push_content(mcp_call *call, cJSON *item)
{
    if (!item)
        return -MCP_ENOMEM;
    if (!call->content && !(call->content = cJSON_CreateArray())) {
        cJSON_Delete(item);
        return -MCP_ENOMEM;
    }
    cJSON_AddItemToArray(call->content, item);
    return 0;
}

int mcp_call_content_take(mcp_call *call, cJSON *b)
{
    return push_content(call, b);
}

static int call_vtext(mcp_call *call, const char *fmt, va_list ap)
{
    /* Hot path (every echo-like tool): a plain string needs no formatting. */
    if (fmt[0] == '%' && fmt[1] == 's' && fmt[2] == '\0') {
        const char *s = va_arg(ap, const char *);
        return push_content(call, mcp_content_text(s ? s : "(null)"));
    }
    char small[256];                       /* short texts: no heap round trip */
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0)
        return -MCP_EINVAL;
    if ((size_t)n < sizeof small)
        return push_content(call, mcp_content_text(small));
    strbuf sb = {0};
    int rc = mcp__strbuf_vprintf(&sb, fmt, ap);
    if (rc == 0)
        rc = push_content(call, mcp_content_text(sb.data ? sb.data : ""));
    mcp__strbuf_free(&sb);
    return rc;
}

int mcp_call_text(mcp_call *call, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = call_vtext(call, fmt, ap);
    va_end(ap);
    return rc;
}

int mcp_call_text_take(mcp_call *call, char *text)
{
    int rc = push_content(call, mcp_content_text(text));
    free(text);
    return rc;
}

int mcp_call_image(mcp_call *call, const char *base64, const char *mime_type)
{
    return push_content(call, mcp_content_image(base64, mime_type));
}

int mcp_call_audio(mcp_call *call, const char *base64, const char *mime_type)
{
    return push_content(call, mcp_content_audio(base64, mime_type));
}

int mcp_call_resource_link(mcp_call *call, const char *uri, const char *name, const char *mime_type)
{
    return push_content(call, mcp_content_resource_link(uri, name, mime_type));
}

int mcp_call_structured_take(mcp_call *call, cJSON *value)
{
    if (!value)
        return -MCP_EINVAL;
    cJSON_Delete(call->structured);
    call->structured = value;
    return 0;
}

int mcp_call_meta_take(mcp_call *call, cJSON *meta)
{
    if (!call || !cJSON_IsObject(meta)) {
        cJSON_Delete(meta);
        return -MCP_EINVAL;
    }
    if (!call->result_meta) {
        call->result_meta = meta;
        return 0;
    }
    while (meta->child) {
        cJSON *item = cJSON_DetachItemViaPointer(meta, meta->child);
        cJSON_DeleteItemFromObjectCaseSensitive(call->result_meta, item->string);
        cJSON_AddItemToObject(call->result_meta, item->string, item);
    }
    cJSON_Delete(meta);
    return 0;
}

int mcp_call_content_meta_take(mcp_call *call, cJSON *meta)
{
    cJSON *last = call && call->content ? call->content->child : NULL;
    while (last && last->next)
        last = last->next;
    if (!last || !cJSON_IsObject(meta)) {
        cJSON_Delete(meta);
        return -MCP_EINVAL;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(last, "_meta");
    cJSON_AddItemToObject(last, "_meta", meta);
    return 0;
}

int mcp_call_error(mcp_call *call, const char *fmt, ...)
{
    call->is_error = true;
    va_list ap;
    va_start(ap, fmt);
    int rc = call_vtext(call, fmt, ap);
    va_end(ap);
    return rc;
}

int mcp_call_resource_text(mcp_call *call, const char *uri, const char *mime_type, const char *text)
{
    return push_content(call, resource_contents(uri, mime_type, "text", text));
}

int mcp_call_resource_blob(mcp_call *call, const char *uri, const char *mime_type, const char *base64)
{
    return push_content(call, resource_contents(uri, mime_type, "blob", base64));
}

int mcp_call_prompt_message_take(mcp_call *call, const char *role, cJSON *content_block)
{
    if (!content_block)
        return -MCP_ENOMEM;
    cJSON *m = cJSON_CreateObject();
    if (!m) {
        cJSON_Delete(content_block);
        return -MCP_ENOMEM;
    }
    cJSON_AddStringToObject(m, "role", role && strcmp(role, "assistant") == 0 ? "assistant" : "user");
    cJSON_AddItemToObject(m, "content", content_block);
    return push_content(call, m);
}

int mcp_call_prompt_description(mcp_call *call, const char *description)
{
    free(call->description);
    call->description = mcp__xstrdup(description);
    return call->description ? 0 : -MCP_ENOMEM;
}

int mcp_call_complete_value(mcp_call *call, const char *value)
{
    if (call->content && cJSON_GetArraySize(call->content) >= 100)
        return -MCP_ELIMIT;   /* the protocol caps completion values at 100 */
    return push_content(call, cJSON_CreateString(value ? value : ""));
}

/* ---------------- notifications ---------------- */

static int send_related(mcp_call *call, cJSON *msg)
{
    if (!msg)
        return -MCP_ENOMEM;
    if (atomic_load(&call->ex->cancelled)) {
        cJSON_Delete(msg);
        return -MCP_ECANCELED;
    }
    return call->ex->ops->send(call->ex, msg);
}

int mcp_call_progress(mcp_call *call, double progress, double total, const char *message)
{
    if (!call->progress_token)
        return 0;
    if (call->sent_progress && progress <= call->last_progress)
        return -MCP_EINVAL;   /* progress must increase */
    cJSON *params = cJSON_CreateObject();
    if (!params)
        return -MCP_ENOMEM;
    cJSON_AddItemToObject(params, "progressToken", cJSON_Duplicate(call->progress_token, 0));
    cJSON_AddNumberToObject(params, "progress", progress);
    if (total >= 0)
        cJSON_AddNumberToObject(params, "total", total);
    if (message && mcp_v_progress_message(call->ex->version))
        cJSON_AddStringToObject(params, "message", message);
    call->sent_progress = true;
    call->last_progress = progress;
    return send_related(call, mcp__jsonrpc_notification_take("notifications/progress", params));
}

int mcp_call_log(mcp_call *call, mcp_log_level level, const char *logger, const char *fmt, ...)
{
    if ((int)level < call->log_threshold || (int)level > MCP_LOG_EMERGENCY)
        return 0;
    strbuf sb = {0};
    va_list ap;
    va_start(ap, fmt);
    int rc = mcp__strbuf_vprintf(&sb, fmt, ap);
    va_end(ap);
    cJSON *params = rc == 0 ? cJSON_CreateObject() : NULL;
    if (!params) {
        mcp__strbuf_free(&sb);
        return -MCP_ENOMEM;
    }
    cJSON_AddStringToObject(params, "level", level_names[level]);
    if (logger)
        cJSON_AddStringToObject(params, "logger", logger);
    cJSON_AddStringToObject(params, "data", sb.data ? sb.data : "");
    mcp__strbuf_free(&sb);
    return send_related(call, mcp__jsonrpc_notification_take("notifications/message", params));
}

/* ---------------- context ---------------- */

bool mcp_call_cancelled(const mcp_call *call)
{
    return atomic_load(&call->ex->cancelled);
}

const cJSON *mcp_call_request_id(const mcp_call *call)
{
    return call->id;
}

static const cJSON *modern_meta(const mcp_call *call, const char *key)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(call->params, "_meta");
    return cJSON_GetObjectItemCaseSensitive(meta, key);
}

const cJSON *mcp_call_client_capabilities(const mcp_call *call)
{
    static const cJSON empty = { .type = cJSON_Object };   /* read-only {} */
    const cJSON *caps = NULL;
    if (call->ex->era == MCP_ERA_MODERN)
        caps = modern_meta(call, "io.modelcontextprotocol/clientCapabilities");
    else if (call->ex->session)
        caps = call->ex->session->client_caps;
    return caps ? caps : &empty;
}

const cJSON *mcp_call_client_info(const mcp_call *call)
{
    if (call->ex->era == MCP_ERA_MODERN)
        return modern_meta(call, "io.modelcontextprotocol/clientInfo");
    return call->ex->session ? call->ex->session->client_info : NULL;
}

const char *mcp_call_protocol_version(const mcp_call *call)
{
    return mcp__version_name(call->ex->version);
}

const char *mcp_call_session_id(const mcp_call *call)
{
    mcp_session *s = call->ex->session;
    return s && s->id[0] ? s->id : NULL;
}

int mcp_call_state_get(mcp_call *call, const char *key, char **value_out)
{
    if (!call->ex->session)
        return -MCP_EUNSUPPORTED;
    return mcp__session_state_get(call->ex->session, key, value_out);
}

int mcp_call_state_set(mcp_call *call, const char *key, const char *value)
{
    if (!call->ex->session)
        return -MCP_EUNSUPPORTED;
    return mcp__session_state_set(call->ex->session, key, value);
}

int mcp_call_state_incr(mcp_call *call, const char *key, int64_t delta, int64_t *result)
{
    if (!call->ex->session)
        return -MCP_EUNSUPPORTED;
    return mcp__session_state_incr(call->ex->session, key, delta, result);
}

/* ---------------- input requests ---------------- */

const cJSON *mcp_call_input(const mcp_call *call, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(call->input_responses, key);
}

static const char *capability_for(const char *method)
{
    if (strcmp(method, "elicitation/create") == 0)
        return "elicitation";
    if (strcmp(method, "sampling/createMessage") == 0)
        return "sampling";
    if (strcmp(method, "roots/list") == 0)
        return "roots";
    return NULL;
}

int mcp_call_need_input(mcp_call *call, const char *key, const char *method, cJSON *params)
{
    const char *cap = method ? capability_for(method) : NULL;
    bool channel = call->ex->era == MCP_ERA_MODERN || call->ex->back_channel;
    if (!key || !cap || !channel ||
        !cJSON_GetObjectItemCaseSensitive(mcp_call_client_capabilities(call), cap)) {
        cJSON_Delete(params);
        if (cap && channel)
            call->missing_capability = cap;
        return cap ? -MCP_EUNSUPPORTED : -MCP_EINVAL;
    }
    cJSON *req = cJSON_CreateObject();
    if (!req || (!call->input_requests && !(call->input_requests = cJSON_CreateObject()))) {
        cJSON_Delete(req);
        cJSON_Delete(params);
        return -MCP_ENOMEM;
    }
    cJSON_AddStringToObject(req, "method", method);
    cJSON_AddItemToObject(req, "params", params ? params : cJSON_CreateObject());
    cJSON_DeleteItemFromObjectCaseSensitive(call->input_requests, key);
    cJSON_AddItemToObject(call->input_requests, key, req);
    return -MCP_EINPUT;
}

cJSON *mcp__call_take_arguments(mcp_call *call)
{
    /* The call owns its request message: the arguments move out of it
     * instead of being copied (they are the largest part of most calls). */
    cJSON *params = cJSON_GetObjectItemCaseSensitive(call->msg, "params");
    cJSON *args = cJSON_IsObject(params) ? cJSON_DetachItemFromObjectCaseSensitive(params, "arguments") : NULL;
    return args ? args : cJSON_CreateObject();
}

const char *mcp__param_string(const mcp_call *call, const char *key)
{
    return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(call->params, key));
}

/* ---------------- trace context ---------------- */

int mcp_call_traceparent(const mcp_call *call, char *buf, size_t len)
{
    if (!call || !buf)
        return -MCP_EINVAL;
    return mcp__trace_child(&call->ex->trace, buf, len) ? 0 : -MCP_EINVAL;
}

const char *mcp_call_tracestate(const mcp_call *call)
{
    return call ? call->tracestate : NULL;
}
