/* libFuzzer harness: modern-era header handling. Input is
 *
 *   JSON-RPC message\n Name: value\n Name: value\n ...
 *
 * Every header value goes through mcp__modern_decode_header (RFC 2047-style
 * "=?base64?...?=" or plain, trimmed), whose result is checked: plain
 * values come back trimmed and unchanged, decoded ones are valid UTF-8
 * without NUL. Then mcp__modern_validate_request runs the whole ladder
 * (MCP-Protocol-Version, _meta, Mcp-Method, Mcp-Name, Mcp-Param-*) with a
 * header callback over those lines (names case-insensitive, as HTTP
 * libraries look them up), against the fixture server whose "region" tool
 * marks string, number and boolean properties with x-mcp-header. */
#include <stddef.h>
#include <stdint.h>
#include <strings.h>

#include "fuzz_fixture.h"
#include "base/util.h"

#define FUZZ_MAX_HEADERS 32

static mcp_server *srv;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    srv = fuzz_server_new();
    return 0;
}

typedef struct headers {
    char *name[FUZZ_MAX_HEADERS];
    char *value[FUZZ_MAX_HEADERS];
    int n;
} headers;

static const char *get_header(void *ctx, const char *name)
{
    headers *h = ctx;
    for (int i = 0; i < h->n; i++)
        if (strcasecmp(h->name[i], name) == 0)
            return h->value[i];
    return NULL;
}

static bool is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static void check_decode(const char *value)
{
    char *d = mcp__modern_decode_header(value);
    const char *v = value;
    while (is_ows(*v))
        v++;
    size_t len = strlen(v);
    while (len && is_ows(v[len - 1]))
        len--;
    bool encoded = len >= 11 && strncmp(v, "=?base64?", 9) == 0 && strncmp(v + len - 2, "?=", 2) == 0;
    if (!encoded) {
        /* Plain values are only trimmed. */
        if (!d || strlen(d) != len || memcmp(d, v, len) != 0)
            abort();
    } else if (d && !mcp__utf8_valid(d, strlen(d))) {
        abort();
    }
    free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Work on a NUL-terminated copy; header values are C strings. */
    char *buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *nl = memchr(buf, '\n', size);
    size_t body_len = nl ? (size_t)(nl - buf) : size;
    headers h = { .n = 0 };
    for (char *line = nl ? nl + 1 : NULL; line && h.n < FUZZ_MAX_HEADERS;) {
        char *next = strchr(line, '\n');
        if (next)
            *next = '\0';
        char *colon = strchr(line, ':');
        if (colon) {
            *colon = '\0';
            h.name[h.n] = line;
            h.value[h.n] = colon + 1;
            check_decode(h.value[h.n]);
            h.n++;
        }
        line = next ? next + 1 : NULL;
    }
    if (!nl)
        check_decode(buf);
    const char *why = NULL;
    cJSON *msg = mcp__jsonrpc_parse(buf, body_len, 64, &why);
    if (msg) {
        const char *kwhy = NULL;
        if (mcp__jsonrpc_classify(msg, &kwhy) != MSG_INVALID && mcp__modern_claims(msg)) {
            for (int pass = 0; pass < 2; pass++) {
                modern_error err = {0};
                mcp__revision v = MCP_V_MODERN_LATEST;
                /* pass 0: HTTP (headers); pass 1: stdio (no headers). */
                int rc = mcp__modern_validate_request(srv, msg, pass == 0 ? get_header : NULL, &h, &v, &err);
                if (rc == 0 && (!mcp__version_is_modern(v) || err.data))
                    abort();
                if (rc < 0 && (err.http_status != 400 || !memchr(err.message, '\0', sizeof err.message)))
                    abort();
                mcp__modern_error_clear(&err);
            }
        }
        cJSON_Delete(msg);
    }
    free(buf);
    return 0;
}
