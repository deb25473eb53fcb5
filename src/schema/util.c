/* Small helpers shared by the schema engine: number and type names for
 * messages, UTF-8 decoding, and JSON pointer building with RFC 6901
 * escaping and a length cap. (Strings are built in base's strbuf.) */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/util.h"


#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shortens text to MAX_LISTED_TEXT bytes (on a UTF-8 boundary) so a huge
 * enum cannot flood the message an agent reads. Takes ownership of text. */
char *mcp__shorten_listing(char *text)
{
    if (!text || strlen(text) <= MAX_LISTED_TEXT)
        return text;
    size_t cut = MAX_LISTED_TEXT - 3;
    while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(text + cut, "...", 4);
    return text;
}


/* Shortest "%.Ng" that reads back to the same double, so messages say
 * 0.1 rather than 0.10000000000000001. */
void mcp__format_number(double x, char *out, size_t outlen)
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(out, outlen, "%.*g", precision, x);
        if (strtod(out, NULL) == x)
            return;
    }
}

/* Decodes one UTF-8 sequence; returns its byte length, 0 when malformed. */
size_t mcp__utf8_decode(const char *s, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n;
    if (u[0] < 0x80) {
        *cp = u[0];
        return 1;
    } else if ((u[0] & 0xE0) == 0xC0) {
        *cp = u[0] & 0x1F;
        n = 2;
    } else if ((u[0] & 0xF0) == 0xE0) {
        *cp = u[0] & 0x0F;
        n = 3;
    } else if ((u[0] & 0xF8) == 0xF0) {
        *cp = u[0] & 0x07;
        n = 4;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)
            return 0;
        *cp = (*cp << 6) | (u[i] & 0x3F);
    }
    return n;
}

const char *mcp__json_type_name(const cJSON *v)
{
    switch (json_kind(v)) {
    case cJSON_NULL:
        return "null";
    case cJSON_True:
    case cJSON_False:
        return "boolean";
    case cJSON_Number:
        return "number";
    case cJSON_String:
        return "string";
    case cJSON_Array:
        return "array";
    case cJSON_Object:
        return "object";
    default:
        return "invalid value";
    }
}

/* Writes "location: " with very long locations cut, so the message after
 * them still fits the caller's buffer. Returns snprintf's count. */
int mcp__write_location(char *err, size_t errlen, const char *location)
{
    int long_location = strlen(location) > MAX_SHOWN_POINTER;
    return snprintf(err, errlen, "%.*s%s: ", MAX_SHOWN_POINTER, location, long_location ? "..." : "");
}

/* Appends one reference token (escaped per RFC 6901) to a pointer buffer;
 * returns the previous length so the caller can pop it. */
size_t mcp__pointer_push(char *buf, size_t *len, const char *token)
{
    size_t saved = *len, n = *len;
    const size_t room = MAX_POINTER_LENGTH - 4; /* keep space for "..." */
    if (n >= room)
        return saved; /* already cut short and marked */
    buf[n++] = '/';
    for (; *token; token++) {
        int escaped = *token == '~' || *token == '/';
        if (n + 1 + (size_t)escaped > room)
            break;
        if (escaped) {
            buf[n++] = '~';
            buf[n++] = *token == '~' ? '0' : '1';
        } else {
            buf[n++] = *token;
        }
    }
    if (*token) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    *len = n;
    return saved;
}

void mcp__pointer_pop(char *buf, size_t *len, size_t saved)
{
    *len = saved;
    buf[saved] = '\0';
}

const struct mcp__type_name mcp__type_names[MCP__TYPE_NAME_COUNT] = {
    /* message order: "string or null" reads better than "null or string" */
    {TYPE_STRING, "string"}, {TYPE_NUMBER, "number"}, {TYPE_INTEGER, "integer"}, {TYPE_BOOLEAN, "boolean"},
    {TYPE_OBJECT, "object"}, {TYPE_ARRAY, "array"},   {TYPE_NULL, "null"},
};
