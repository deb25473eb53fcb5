/* JSON-RPC 2.0 message handling. Validation follows the MCP rules on top of
 * JSON-RPC: ids are strings or integers and never null, params (when
 * present) are an object. Messages are parsed in one pass with the byte
 * checks on the way (base/json_parse.c); input it refuses is checked for
 * UTF-8 and nesting depth before cJSON sees it, so hostile input cannot
 * recurse the parser deep, and the error names what is wrong. */
#include "core/jsonrpc.h"

#include <math.h>
#include <string.h>

#include "base/json_parse.h"
#include "base/json_write.h"
#include "base/util.h"

cJSON *mcp__jsonrpc_parse_checked(const char *buf, size_t len, unsigned max_depth, const char **why)
{
    if (len == 0) {
        *why = "Parse error: empty body";
        return NULL;
    }
    if (!mcp__utf8_valid(buf, len)) {
        *why = "Parse error: message is not valid UTF-8";
        return NULL;
    }
    const char *lex = mcp__json_lex_check(buf, len, max_depth);
    if (lex) {
        *why = lex;
        return NULL;
    }
    const char *end = NULL;
    cJSON *msg = cJSON_ParseWithLengthOpts(buf, len, &end, 0);
    if (!msg) {
        *why = "Parse error: invalid JSON";
        return NULL;
    }
    /* Only whitespace may follow the value. */
    for (const char *p = end; p && p < buf + len; p++) {
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n' && *p != '\0') {
            cJSON_Delete(msg);
            *why = "Parse error: trailing data after the JSON value";
            return NULL;
        }
    }
    return msg;
}

cJSON *mcp__jsonrpc_parse(const char *buf, size_t len, unsigned max_depth, const char **why)
{
    /* Valid input in one pass; anything else takes the checked cJSON path,
     * which words the error (and is the reference the two must agree on). */
    cJSON *msg = mcp__json_parse(buf, len, max_depth);
    return msg ? msg : mcp__jsonrpc_parse_checked(buf, len, max_depth, why);
}

static bool is_integer_number(const cJSON *v)
{
    if (!cJSON_IsNumber(v))
        return false;
    double d = v->valuedouble;
    return isfinite(d) && d == floor(d) && fabs(d) <= 9007199254740991.0;
}

const cJSON *mcp__jsonrpc_id(const cJSON *msg)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    if (cJSON_IsString(id) || is_integer_number(id))
        return id;
    return NULL;
}

msg_kind mcp__jsonrpc_classify(const cJSON *msg, const char **why)
{
    if (!cJSON_IsObject(msg)) {
        *why = "Invalid Request: a JSON-RPC message must be an object";
        return MSG_INVALID;
    }
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(msg, "jsonrpc");
    if (!cJSON_IsString(ver) || strcmp(ver->valuestring, "2.0") != 0) {
        *why = "Invalid Request: \"jsonrpc\" must be \"2.0\"";
        return MSG_INVALID;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(msg, "method");
    if (id && !mcp__jsonrpc_id(msg)) {
        *why = cJSON_IsNull(id) ? "Invalid Request: id must not be null"
                                : "Invalid Request: id must be a string or an integer";
        return MSG_INVALID;
    }
    if (method) {
        if (!cJSON_IsString(method) || !method->valuestring[0]) {
            *why = "Invalid Request: \"method\" must be a non-empty string";
            return MSG_INVALID;
        }
        const cJSON *params = cJSON_GetObjectItemCaseSensitive(msg, "params");
        if (params && !cJSON_IsObject(params)) {
            *why = "Invalid Request: \"params\" must be an object";
            return MSG_INVALID;
        }
        return id ? MSG_REQUEST : MSG_NOTIFICATION;
    }
    if (!id) {
        *why = "Invalid Request: missing \"method\"";
        return MSG_INVALID;
    }
    const cJSON *result = cJSON_GetObjectItemCaseSensitive(msg, "result");
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(msg, "error");
    if ((result != NULL) == (error != NULL)) {
        *why = "Invalid Request: a response needs exactly one of \"result\" and \"error\"";
        return MSG_INVALID;
    }
    if (error && (!cJSON_IsObject(error) ||
                  !cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(error, "code")))) {
        *why = "Invalid Request: \"error\" must be an object with an integer code";
        return MSG_INVALID;
    }
    return MSG_RESPONSE;
}

/* Keys and "2.0" are literals: cJSON keeps the pointers (the CS and
 * reference forms) instead of copying them, four allocations fewer for
 * every message. */
static cJSON *envelope(const cJSON *id)
{
    cJSON *m = cJSON_CreateObject();
    cJSON *version = cJSON_CreateStringReference("2.0");
    cJSON *idc = id ? cJSON_Duplicate(id, 0) : cJSON_CreateNull();
    if (!m || !version || !idc) {
        cJSON_Delete(m);
        cJSON_Delete(version);
        cJSON_Delete(idc);
        return NULL;
    }
    cJSON_AddItemToObjectCS(m, "jsonrpc", version);
    cJSON_AddItemToObjectCS(m, "id", idc);
    return m;
}

cJSON *mcp__jsonrpc_result_take(const cJSON *id, cJSON *result_take)
{
    cJSON *m = result_take ? envelope(id) : NULL;
    if (!m) {
        cJSON_Delete(result_take);
        return NULL;
    }
    cJSON_AddItemToObjectCS(m, "result", result_take);
    return m;
}

cJSON *mcp__jsonrpc_error_data_take(const cJSON *id, int code, const char *message, cJSON *data_take)
{
    cJSON *m = envelope(id);
    cJSON *err = cJSON_CreateObject();
    if (!m || !err) {
        cJSON_Delete(m);
        cJSON_Delete(err);
        cJSON_Delete(data_take);
        return NULL;
    }
    cJSON_AddItemToObjectCS(err, "code", cJSON_CreateNumber(code));
    cJSON_AddItemToObjectCS(err, "message", cJSON_CreateString(message));
    if (data_take)
        cJSON_AddItemToObjectCS(err, "data", data_take);
    cJSON_AddItemToObjectCS(m, "error", err);
    return m;
}

cJSON *mcp__jsonrpc_error(const cJSON *id, int code, const char *message)
{
    return mcp__jsonrpc_error_data_take(id, code, message, NULL);
}

cJSON *mcp__jsonrpc_notification_take(const char *method, cJSON *params_take)
{
    cJSON *m = cJSON_CreateObject();
    if (!m) {
        cJSON_Delete(params_take);
        return NULL;
    }
    cJSON_AddStringToObject(m, "jsonrpc", "2.0");
    cJSON_AddStringToObject(m, "method", method);
    if (params_take)
        cJSON_AddItemToObject(m, "params", params_take);
    return m;
}

cJSON *mcp__jsonrpc_request_take(int64_t id, const char *method, cJSON *params_take)
{
    cJSON *m = mcp__jsonrpc_notification_take(method, params_take);
    if (m)
        cJSON_AddNumberToObject(m, "id", (double)id);
    return m;
}

char *mcp__jsonrpc_print(const cJSON *msg)
{
    return mcp__json_print(msg, NULL);
}
