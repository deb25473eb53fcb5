/* libFuzzer harness: the JSON Schema validator. Input is
 *
 *   schema JSON \0 instance JSON
 *
 * (no NUL: the document is validated against itself). The schema is parsed
 * as registration does (cJSON_Parse of developer text) and compiled; the
 * instance is parsed as a transport does (jsonrpc_parse: UTF-8 and depth
 * checked), then validated. Compile and validation errors are expected
 * outcomes; crashes, leaks, UB and hangs are not. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/jsonrpc.h"
#include "core/schema.h"

/* Known bugs, reported (tests/fuzz/README.md, "Findings"); until they are
 * fixed such documents are skipped so fuzzing can go on. Build with
 * -DFUZZ_SCHEMA_KNOWN_BUGS to fuzz them too (and to check the fixes):
 *  1. a keyword repeated in one schema object ({"properties":..,
 *     "properties":..}) makes compile write past an array or leak;
 *  2. stacked quantifiers ("a+++", "a{2}*") are not refused as ECMA-262
 *     does ("nothing to repeat") and make glibc regcomp take exponential
 *     time. */
#ifndef FUZZ_SCHEMA_KNOWN_BUGS
static bool is_quantifier_start(const char *p, size_t *len)
{
    if (*p == '*' || *p == '+' || *p == '?') {
        *len = 1;
        return true;
    }
    if (*p != '{')
        return false;
    const char *q = p + 1;
    if (*q < '0' || *q > '9')
        return false;
    while (*q >= '0' && *q <= '9')
        q++;
    if (*q == ',')
        for (q++; *q >= '0' && *q <= '9'; q++)
            ;
    if (*q != '}')
        return false;
    *len = (size_t)(q - p + 1);
    return true;
}

/* A quantifier right after a quantifier (one lazy '?' allowed). */
static bool stacked_quantifier(const char *p)
{
    bool after_quantifier = false;
    while (*p) {
        size_t len = 0;
        if (*p == '\\') {
            p += p[1] ? 2 : 1;
            after_quantifier = false;
        } else if (*p == '[') {
            for (p++; *p && *p != ']'; p++)
                if (*p == '\\' && p[1])
                    p++;
            p += *p ? 1 : 0;
            after_quantifier = false;
        } else if (is_quantifier_start(p, &len)) {
            if (after_quantifier)
                return true;
            p += len;
            if (*p == '?')
                p++;
            after_quantifier = true;
        } else {
            p++;
            after_quantifier = false;
        }
    }
    return false;
}

static bool known_bug(const cJSON *v)
{
    if (v->string && stacked_quantifier(v->string))
        return true;
    if (cJSON_IsString(v) && stacked_quantifier(v->valuestring))
        return true;
    for (const cJSON *c = v->child; c; c = c->next) {
        if (cJSON_IsObject(v) && c->string)
            for (const cJSON *d = c->next; d; d = d->next)
                if (d->string && strcmp(c->string, d->string) == 0)
                    return true;
        if (known_bug(c))
            return true;
    }
    return false;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t schema_len = nul ? (size_t)(nul - text) : size;
    const char *inst = nul ? nul + 1 : text;
    size_t inst_len = nul ? size - schema_len - 1 : size;

    cJSON *schema_doc = cJSON_ParseWithLength(text, schema_len);
    if (!schema_doc)
        return 0;
#ifndef FUZZ_SCHEMA_KNOWN_BUGS
    if (known_bug(schema_doc)) {
        cJSON_Delete(schema_doc);
        return 0;
    }
#endif
    char err[256];
    mcp_schema *schema = mcp_schema_compile(schema_doc, err, sizeof err);
    if (!schema) {
        cJSON_Delete(schema_doc);
        return 0;
    }
    /* The compiled form must not depend on the document it came from. */
    cJSON_Delete(schema_doc);
    const char *why = NULL;
    cJSON *instance = jsonrpc_parse(inst, inst_len, 64, &why);
    if (instance) {
        int rc = mcp_schema_validate(schema, instance, err, sizeof err);
        if (rc != 0 && (rc != -1 || !memchr(err, '\0', sizeof err)))
            abort();   /* 0, or -1 with a terminated message */
        cJSON_Delete(instance);
    }
    mcp_schema_free(schema);
    return 0;
}
