/*
 * http_util.c - HTTP plumbing for todo-api: body buffer, header checks,
 * strict JSON parsing and reply queueing.
 *
 * cJSON accepts invalid UTF-8, raw control characters in strings and treats
 * an escaped NUL as the end of a string, so http_parse_json_object scans the
 * raw bytes first and rejects those; everything that reaches a handler (and
 * SQLite) is valid UTF-8 without embedded NULs.
 */
#include "http_util.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A client still sending after this many bytes of an oversized body is cut
 * off instead of being read to the end. */
enum { DISCARD_LIMIT = 16 * HTTP_MAX_BODY, INITIAL_BODY_CAP = 1024 };

static int request_body_reserve(request_body *body, size_t needed)
{
    if (needed <= body->cap)
        return 0;
    size_t cap = body->cap ? body->cap : INITIAL_BODY_CAP;
    while (cap < needed)
        cap *= 2;
    if (cap > HTTP_MAX_BODY + 1)
        cap = HTTP_MAX_BODY + 1;
    char *grown = realloc(body->data, cap);
    if (grown == NULL)
        return -1;
    body->data = grown;
    body->cap = cap;
    return 0;
}

int request_body_append(request_body *body, const char *data, size_t size)
{
    body->seen += size;
    if (body->too_large || body->len + size > HTTP_MAX_BODY) {
        body->too_large = true;
        return body->seen > DISCARD_LIMIT ? -1 : 0;
    }
    if (request_body_reserve(body, body->len + size + 1) != 0)
        return -1;
    memcpy(body->data + body->len, data, size);
    body->len += size;
    body->data[body->len] = '\0';
    return 0;
}

void request_body_free(request_body *body)
{
    free(body->data);
    memset(body, 0, sizeof *body);
}

static const char *skip_blanks(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

bool http_content_type_is_json(struct MHD_Connection *conn)
{
    static const char json_type[] = "application/json";
    const char *value = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE);
    if (value == NULL)
        return false;
    value = skip_blanks(value);
    if (strncasecmp(value, json_type, sizeof json_type - 1) != 0)
        return false;
    value = skip_blanks(value + sizeof json_type - 1);
    return *value == '\0' || *value == ';';
}

static bool parse_decimal(const char *text, int64_t *out)
{
    if (text == NULL || *text == '\0')
        return false;
    int64_t value = 0;
    for (const char *p = text; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        int digit = *p - '0';
        if (value > (INT64_MAX - digit) / 10)
            return false; /* overflow */
        value = value * 10 + digit;
    }
    *out = value;
    return true;
}

bool http_parse_positive_id(const char *text, int64_t *out)
{
    return parse_decimal(text, out) && *out > 0;
}

bool http_parse_non_negative(const char *text, int64_t *out)
{
    return parse_decimal(text, out);
}

bool http_content_length_exceeds(struct MHD_Connection *conn, size_t limit)
{
    const char *value = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t length;
    if (value == NULL)
        return false;
    if (!parse_decimal(value, &length))
        return true; /* digits only but beyond int64: certainly too large */
    return (uint64_t)length > limit;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs,
 * no surrogates, nothing above U+10FFFF), or 0 if it is malformed. */
static size_t utf8_sequence_length(const unsigned char *s, size_t avail)
{
    unsigned char lead = s[0], lo = 0x80, hi = 0xBF;
    size_t len;
    if (lead >= 0xC2 && lead <= 0xDF) {
        len = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        len = 3;
        lo = lead == 0xE0 ? 0xA0 : 0x80;
        hi = lead == 0xED ? 0x9F : 0xBF;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        len = 4;
        lo = lead == 0xF0 ? 0x90 : 0x80;
        hi = lead == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (avail < len || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if ((s[k] & 0xC0) != 0x80)
            return 0;
    return len;
}

static bool is_json_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One pass over the raw body: returns NULL when the bytes are acceptable
 * input for cJSON, else a message for the client. */
static const char *json_text_problem(const unsigned char *s, size_t len)
{
    bool in_string = false;
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t seq = utf8_sequence_length(s + i, len - i);
            if (seq == 0)
                return "request body is not valid UTF-8";
            i += seq;
            continue;
        }
        if (c < 0x20 && (in_string || !is_json_blank(c)))
            return "invalid JSON: control character in request body";
        if (in_string && c == '\\' && i + 1 < len && s[i + 1] < 0x80) {
            if (s[i + 1] == 'u' && len - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0)
                return "invalid JSON: \\u0000 is not allowed in strings";
            i += 2; /* the escaped character cannot end the string */
            continue;
        }
        if (c == '"')
            in_string = !in_string;
        i++;
    }
    return NULL;
}

cJSON *http_parse_json_object(const char *text, size_t len, const char **error)
{
    if (text == NULL || len == 0) {
        *error = "request body is empty; expected a JSON object";
        return NULL;
    }
    const char *problem = json_text_problem((const unsigned char *)text, len);
    if (problem != NULL) {
        *error = problem;
        return NULL;
    }
    /* text is NUL-terminated and holds no other NUL (checked above). */
    cJSON *json = cJSON_ParseWithOpts(text, NULL, true);
    if (json == NULL) {
        *error = "invalid JSON in request body";
        return NULL;
    }
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        *error = "request body must be a JSON object";
        return NULL;
    }
    return json;
}

void http_reply_json_take(http_reply *reply, unsigned status, cJSON *json)
{
    free(reply->body);
    reply->body = json ? cJSON_PrintUnformatted(json) : NULL;
    reply->status = reply->body ? status : MHD_HTTP_INTERNAL_SERVER_ERROR;
    cJSON_Delete(json);
}

void http_reply_error(http_reply *reply, unsigned status, const char *message)
{
    cJSON *json = cJSON_CreateObject();
    if (json != NULL && cJSON_AddStringToObject(json, "error", message) == NULL) {
        cJSON_Delete(json);
        json = NULL;
    }
    http_reply_json_take(reply, status, json);
}

static struct MHD_Response *create_response_take_body(http_reply *reply)
{
    if (reply->body == NULL)
        return MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(reply->body), reply->body, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) {
        free(reply->body);
        reply->body = NULL;
        return NULL;
    }
    reply->body = NULL; /* now owned by the response (cJSON allocates with malloc) */
    if (MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json") != MHD_YES) {
        MHD_destroy_response(response);
        return NULL;
    }
    return response;
}

static bool add_optional_header(struct MHD_Response *response, const char *name, const char *value)
{
    return value == NULL || *value == '\0' || MHD_add_response_header(response, name, value) == MHD_YES;
}

enum MHD_Result http_reply_send(struct MHD_Connection *conn, http_reply *reply)
{
    struct MHD_Response *response = create_response_take_body(reply);
    if (response == NULL)
        return MHD_NO;
    enum MHD_Result result = MHD_NO;
    if (add_optional_header(response, MHD_HTTP_HEADER_ALLOW, reply->allow) &&
        add_optional_header(response, MHD_HTTP_HEADER_LOCATION, reply->location))
        result = MHD_queue_response(conn, reply->status, response);
    MHD_destroy_response(response);
    return result;
}
