/* The public JSON Schema API (include/mcp/schema.h): a registry of
 * documents under URIs that references across documents resolve in, and
 * thin wrappers over the engine's internal compile/validate/free. */
#if !defined(_GNU_SOURCE) && !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include "schema/compile_internal.h"
#include "schema/util.h"

#include <mcp/error.h>
#include <mcp/schema.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mcp_schema_registry *mcp_schema_registry_new(void)
{
    return calloc(1, sizeof(mcp_schema_registry));
}

static int registry_error(char *err, size_t errlen, int rc, const char *message, const char *uri)
{
    if (err && errlen)
        snprintf(err, errlen, message, uri ? uri : "");
    return rc;
}

int mcp_schema_registry_add(mcp_schema_registry *reg, const char *uri, const cJSON *document, char *err,
                            size_t errlen)
{
    if (err && errlen)
        err[0] = '\0';
    if (!reg || !uri || !document)
        return registry_error(err, errlen, -MCP_EINVAL, "registry, uri and document are required%s", NULL);
    if (!cJSON_IsObject(document) && !cJSON_IsBool(document))
        return registry_error(err, errlen, -MCP_EINVAL, "the document for \"%s\" is not a schema", uri);
    if (strchr(uri, '#') || strlen(uri) > MAX_URI_LENGTH)
        return registry_error(err, errlen, -MCP_EINVAL, "\"%s\" must be a URI without a fragment", uri);
    const char *dup = mcp__find_duplicate_key(document, 0);
    if (dup)
        return registry_error(err, errlen, -MCP_EINVAL, "the document repeats a member in one object (\"%s\")", dup);
    for (size_t i = 0; i < reg->count; i++)
        if (strcmp(reg->docs[i].uri, uri) == 0)
            return registry_error(err, errlen, -MCP_EINVAL, "\"%s\" is already registered", uri);
    if (reg->count == reg->capacity) {
        size_t cap = reg->capacity ? reg->capacity * 2 : 8;
        registered_doc *grown = realloc(reg->docs, cap * sizeof *grown);
        if (!grown)
            return registry_error(err, errlen, -MCP_ENOMEM, "out of memory%s", NULL);
        reg->docs = grown;
        reg->capacity = cap;
    }
    registered_doc d = {mcp__xstrdup(uri), cJSON_Duplicate(document, 1)};
    if (!d.uri || !d.document) {
        free(d.uri);
        cJSON_Delete(d.document);
        return registry_error(err, errlen, -MCP_ENOMEM, "out of memory%s", NULL);
    }
    reg->docs[reg->count++] = d;
    return 0;
}

void mcp_schema_registry_free(mcp_schema_registry *reg)
{
    if (!reg)
        return;
    for (size_t i = 0; i < reg->count; i++) {
        free(reg->docs[i].uri);
        cJSON_Delete(reg->docs[i].document);
    }
    free(reg->docs);
    free(reg);
}

void mcp_schema_options_init(mcp_schema_options *opts)
{
    if (opts)
        *opts = (mcp_schema_options){0};
}

mcp_schema *mcp_schema_compile(const cJSON *schema, const mcp_schema_options *opts, char *err, size_t errlen)
{
    unsigned flags = 0;
    if (opts && opts->format_annotation)
        flags |= MCP__SCHEMA_NO_FORMAT;
    if (opts && opts->default_draft07)
        flags |= MCP__SCHEMA_DRAFT07;
    return mcp__schema_compile_with(schema, opts ? opts->registry : NULL, opts ? opts->uri : NULL, flags, err, errlen);
}

int mcp_schema_validate(const mcp_schema *schema, const cJSON *instance, char *err, size_t errlen)
{
    return mcp__schema_validate(schema, instance, err, errlen);
}

int mcp_schema_validate_all(const mcp_schema *schema, const cJSON *instance, cJSON **errors)
{
    if (!errors)
        return -1;
    return mcp__schema_validate_all(schema, instance, errors);
}

void mcp_schema_free(mcp_schema *schema)
{
    mcp__schema_free(schema);
}
