/* Modern-era (2026-07-28) request validation shared by all transports:
 * the _meta envelope (-32602 / -32022) and the HTTP metadata headers that
 * must mirror the body (-32020), including Mcp-Param-* for tool
 * properties marked x-mcp-header. Precedence follows the spec's ladder:
 * envelope, then version, then headers. It also holds the one decision of
 * whether the modern era is offered at all (mcp_server_set_eras), read from
 * the registry's settings. */
#include "core/era.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/jsonrpc.h"
#include "core/registry.h"
#include "base/json_parse.h"
#include "base/util.h"

void mcp__modern_error_clear(modern_error *err)
{
    cJSON_Delete(err->data);
    err->data = NULL;
}

static int fail(modern_error *err, int code, cJSON *data, const char *fmt, const char *arg)
{
    err->http_status = 400;
    err->code = code;
    snprintf(err->message, sizeof err->message, fmt, arg ? arg : "");
    err->data = data;
    return -1;
}

static const cJSON *meta_of(const cJSON *msg)
{
    return mcp__json_member(mcp__json_member(msg, "params"), "_meta");
}

bool mcp__modern_claims(const cJSON *msg)
{
    return mcp__json_member(meta_of(msg), MCP_META_PROTOCOL_VERSION) != NULL;
}

cJSON *mcp__modern_supported_versions(void)
{
    cJSON *arr = cJSON_CreateArray();
    if (arr)
        cJSON_AddItemToArray(arr, cJSON_CreateString(mcp__version_name(MCP_V_MODERN_LATEST)));
    return arr;
}

/* The envelope's two required members, found in one walk (the keys share
 * a long prefix; a lookup each would compare it again per member). The
 * first of duplicate keys wins, as cJSON_GetObjectItemCaseSensitive finds. */
typedef struct envelope {
    const cJSON *meta, *version, *caps;
} envelope;

static bool same_name(const char *name, const char *known)
{
    return name == known || strcmp(name, known) == 0;   /* see mcp__json_member */
}

static envelope envelope_of(const cJSON *msg)
{
    envelope e = { meta_of(msg), NULL, NULL };
    for (const cJSON *c = cJSON_IsObject(e.meta) ? e.meta->child : NULL; c; c = c->next) {
        if (!c->string || c->string[0] != 'i')
            continue;
        if (!e.version && same_name(c->string, MCP_META_PROTOCOL_VERSION))
            e.version = c;
        else if (!e.caps && same_name(c->string, MCP_META_CLIENT_CAPS))
            e.caps = c;
    }
    return e;
}

static int check_fields(const envelope *e, modern_error *err)
{
    if (!cJSON_IsString(e->version))
        return fail(err, JSONRPC_INVALID_PARAMS, NULL,
                    "Invalid params: _meta[\"" MCP_META_PROTOCOL_VERSION "\"] must be a string%s", NULL);
    if (!cJSON_IsObject(e->caps))
        return fail(err, JSONRPC_INVALID_PARAMS, NULL,
                    "Invalid params: _meta[\"" MCP_META_CLIENT_CAPS "\"] is required (an object)%s", NULL);
    return 0;
}

static int check_version(const char *requested, mcp__revision *version, modern_error *err)
{
    int v = mcp__version_parse(requested);
    if (v >= 0 && mcp__version_is_modern((mcp__revision)v)) {
        *version = (mcp__revision)v;
        return 0;
    }
    cJSON *data = cJSON_CreateObject();
    if (data) {
        cJSON_AddItemToObject(data, "supported", mcp__modern_supported_versions());
        cJSON_AddStringToObject(data, "requested", requested);
    }
    return fail(err, MCP_ERR_UNSUPPORTED_VERSION, data, "Unsupported protocol version: %.100s", requested);
}

char *mcp__modern_decode_header(const char *value)
{
    /* Optional whitespace around a field value is not part of it (RFC 9110). */
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen(value);
    while (len && (value[len - 1] == ' ' || value[len - 1] == '\t'))
        len--;
    if (len >= 11 && strncmp(value, "=?base64?", 9) == 0 && strncmp(value + len - 2, "?=", 2) == 0) {
        size_t out_len = 0;
        unsigned char *raw = mcp__base64_decode(value + 9, len - 11, &out_len);
        if (!raw || !mcp__utf8_valid((const char *)raw, out_len) || memchr(raw, '\0', out_len)) {
            free(raw);
            return NULL;
        }
        return (char *)raw;
    }
    return strndup(value, len);
}

/* Compare a header with the body value it must mirror. */
static bool header_matches(const char *header, const cJSON *body)
{
    /* Common case first: a plain value with nothing to trim or decode is
     * compared where it is. */
    size_t len = strlen(header);
    if (cJSON_IsString(body) && len && header[0] != ' ' && header[0] != '\t' && header[0] != '=' &&
        header[len - 1] != ' ' && header[len - 1] != '\t')
        return strcmp(header, body->valuestring) == 0;
    char *decoded = mcp__modern_decode_header(header);
    bool ok = false;
    if (!decoded)
        return false;
    if (cJSON_IsString(body)) {
        ok = strcmp(decoded, body->valuestring) == 0;
    } else if (cJSON_IsNumber(body)) {
        char *end = NULL;
        double d = strtod(decoded, &end);
        ok = *decoded && end && !*end && d == body->valuedouble;   /* 42.0 == 42 */
    } else if (cJSON_IsBool(body)) {
        ok = strcmp(decoded, cJSON_IsTrue(body) ? "true" : "false") == 0;
    }
    free(decoded);
    return ok;
}

/* The body field Mcp-Name mirrors, or NULL; the tasks methods carry the task id (SEP-2663). */
static const char *name_field(const char *method)
{
    if (strcmp(method, "tools/call") == 0 || strcmp(method, "prompts/get") == 0)
        return "name";
    if (strcmp(method, "resources/read") == 0)
        return "uri";
    if (strcmp(method, "tasks/get") == 0 || strcmp(method, "tasks/update") == 0 || strcmp(method, "tasks/cancel") == 0)
        return "taskId";
    return NULL;
}

/* Mcp-Param-{Name} for every inputSchema property marked x-mcp-header. */
static int check_param_headers(mcp_server *srv, const cJSON *params, const char *name, header_get_fn get, void *ctx,
                               modern_error *err)
{
    if (!name || atomic_load(&srv->param_header_tools) == 0)   /* no tool has one: no lookup */
        return 0;
    int rc = 0;
    pthread_rwlock_rdlock(&srv->lock);
    const tool_entry *t = mcp__registry_find_tool(srv, name);
    const cJSON *props = t && t->param_headers ? cJSON_GetObjectItemCaseSensitive(
                                 cJSON_GetObjectItemCaseSensitive(t->def, "inputSchema"), "properties") : NULL;
    const cJSON *args = props ? cJSON_GetObjectItemCaseSensitive(params, "arguments") : NULL;
    for (const cJSON *p = props ? props->child : NULL; p && rc == 0; p = p->next) {
        const char *hname = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "x-mcp-header"));
        if (!hname)
            continue;
        char full[160];
        snprintf(full, sizeof full, "Mcp-Param-%s", hname);
        const char *hv = get(ctx, full);
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(args, p->string);
        if (!value || cJSON_IsNull(value)) {
            continue;   /* absent or null: no header expected */
        }
        if (!hv)
            rc = fail(err, MCP_ERR_HEADER_MISMATCH, NULL, "Header mismatch: %s header is required", full);
        else if (!header_matches(hv, value))
            rc = fail(err, MCP_ERR_HEADER_MISMATCH, NULL, "Header mismatch: %s does not match the body", full);
    }
    pthread_rwlock_unlock(&srv->lock);
    return rc;
}

/* Mcp-Method, Mcp-Name and Mcp-Param-* mirror the body (HTTP only). */
static int check_metadata_headers(mcp_server *srv, const cJSON *msg, header_get_fn get, void *ctx, modern_error *err)
{
    const cJSON *params = mcp__json_member(msg, "params");
    const cJSON *method_item = mcp__json_member(msg, "method");
    const char *method = cJSON_GetStringValue(method_item);
    const char *hm = get(ctx, "Mcp-Method");
    if (!hm || !header_matches(hm, method_item))
        return fail(err, MCP_ERR_HEADER_MISMATCH, NULL, "Header mismatch: Mcp-Method must equal the method%s", NULL);
    const char *field = method ? name_field(method) : NULL;
    const cJSON *target = field ? mcp__json_member(params, field) : NULL;
    if (target) {
        const char *hn = get(ctx, "Mcp-Name");
        if (!hn || !header_matches(hn, target))
            return fail(err, MCP_ERR_HEADER_MISMATCH, NULL,
                        "Header mismatch: Mcp-Name must equal the request's params.%s", field);
    }
    if (method && strcmp(method, "tools/call") == 0)
        return check_param_headers(srv, params, cJSON_GetStringValue(target), get, ctx, err);
    return 0;
}

/* The ladder on a message whose envelope was already looked up (its
 * version member possibly not a string). */
static int validate_envelope(mcp_server *srv, const cJSON *msg, const envelope *e, header_get_fn get, void *ctx,
                             mcp__revision *version, modern_error *err)
{
    const char *header_version = get ? get(ctx, "MCP-Protocol-Version") : NULL;
    if (get && !header_version)
        return fail(err, MCP_ERR_HEADER_MISMATCH, NULL, "Header mismatch: the MCP-Protocol-Version header is required%s", NULL);
    if (check_fields(e, err) < 0)
        return -1;
    if (get && !header_matches(header_version, e->version))
        return fail(err, MCP_ERR_HEADER_MISMATCH, NULL,
                    "Header mismatch: MCP-Protocol-Version must equal the body's protocol version%s", NULL);
    if (check_version(e->version->valuestring, version, err) < 0)
        return -1;
    if (get && mcp__json_member(msg, "id"))
        return check_metadata_headers(srv, msg, get, ctx, err);
    return 0;
}

int mcp__modern_validate_request(mcp_server *srv, const cJSON *msg, header_get_fn get, void *ctx,
                            mcp__revision *version, modern_error *err)
{
    envelope e = envelope_of(msg);
    return validate_envelope(srv, msg, &e, get, ctx, version, err);
}

/* 2026-07-28 has no sessions, so a tool that keeps per-session state
 * (mcp_tool.session_scoped) cannot work for a modern client. Rather than
 * answer such clients with a tool error, the default mode stops offering
 * the modern era where sessions exist: dual-era clients then get the 2025
 * answer to server/discover and fall back to initialize. */
bool mcp__era_modern_offered(mcp_server *srv, bool with_sessions)
{
    switch (srv->eras) {
    case MCP_ERAS_BOTH: return true;
    case MCP_ERAS_LEGACY: return false;
    case MCP_ERAS_AUTO: break;
    }
    return !(with_sessions && atomic_load(&srv->session_tools) > 0);
}

int mcp__era_classify(mcp_server *srv, const cJSON *msg, bool with_sessions, header_get_fn get, void *ctx,
                      mcp__revision *version, modern_error *err)
{
    if (!mcp__era_modern_offered(srv, with_sessions))
        return MCP_ERA_LEGACY;
    /* The envelope is looked up once, for the claim and the ladder. */
    envelope e = envelope_of(msg);
    if (e.version)
        return validate_envelope(srv, msg, &e, get, ctx, version, err) < 0 ? -1 : MCP_ERA_MODERN;
    /* HTTP: a 2026-07-28 header on a message without the envelope. */
    const char *hv = get ? get(ctx, "MCP-Protocol-Version") : NULL;
    int parsed = hv ? mcp__version_parse(hv) : -1;
    if (parsed >= 0 && mcp__version_is_modern((mcp__revision)parsed))
        return fail(err, JSONRPC_INVALID_PARAMS, NULL,
                    "Invalid params: MCP-Protocol-Version is 2026-07-28 but params._meta lacks the protocol "
                    "version envelope%s", NULL);
    return MCP_ERA_LEGACY;
}
