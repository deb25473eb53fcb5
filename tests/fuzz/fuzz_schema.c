/* libFuzzer harness: the JSON Schema validator. Input is
 *
 *   schema JSON \0 instance JSON
 *
 * (no NUL: the document is validated against itself). The schema is parsed
 * as registration does (cJSON_Parse of developer text) and compiled; the
 * instance is parsed as a transport does (mcp__jsonrpc_parse: UTF-8 and depth
 * checked), then validated. Compile and validation errors are expected
 * outcomes; crashes, leaks, UB and hangs are not. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/jsonrpc.h"
#include "schema/schema.h"

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
    char err[256];
    mcp_schema *schema = mcp__schema_compile(schema_doc, err, sizeof err);
    if (!schema) {
        cJSON_Delete(schema_doc);
        return 0;
    }
    /* The compiled form must not depend on the document it came from. */
    cJSON_Delete(schema_doc);
    const char *why = NULL;
    cJSON *instance = mcp__jsonrpc_parse(inst, inst_len, 64, &why);
    if (instance) {
        int rc = mcp__schema_validate(schema, instance, err, sizeof err);
        if (rc != 0 && (rc != -1 || !memchr(err, '\0', sizeof err)))
            abort();   /* 0, or -1 with a terminated message */
        cJSON *errors = NULL;
        int all = mcp__schema_validate_all(schema, instance, &errors);
        if ((all == 0) != (rc == 0) || (all != 0 && !cJSON_IsArray(errors)))
            abort();   /* both entry points agree on the verdict */
        cJSON_Delete(errors);
        cJSON_Delete(instance);
    }
    mcp__schema_free(schema);
    return 0;
}
