/* The resources, resource template, prompts and completion handler of
 * mcp-everything, plus the content-block helper the tools share and
 * fixtures_register(), which puts every fixture on a server. Names and
 * payload texts are those of the conformance suite's fixture list; see
 * /work/shared/spec/conformance.md §5. */
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

cJSON *fixture_block(const block_spec *spec)
{
    switch (spec->kind) {
    case BLOCK_TEXT:          return mcp_content_text(spec->text);
    case BLOCK_IMAGE:         return mcp_content_image(spec->text, spec->mime_type);
    case BLOCK_AUDIO:         return mcp_content_audio(spec->text, spec->mime_type);
    case BLOCK_EMBEDDED_TEXT: return mcp_content_embedded_text(spec->uri, spec->mime_type, spec->text);
    case BLOCK_END:           break;
    }
    return NULL;
}

/* ---- resources ---- */

typedef struct static_resource {
    mcp_resource res;       /* handler and mime_type filled in */
    const char *text;       /* text contents, or NULL */
    const char *blob;       /* base64 contents when text is NULL */
} static_resource;

static int static_resource_read(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    const static_resource *r = userdata;
    (void)vars;
    if (r->text)
        return mcp_call_resource_text(call, uri, r->res.mime_type, r->text);
    return mcp_call_resource_blob(call, uri, r->res.mime_type, r->blob);
}

static const static_resource static_resources[] = {
    { { .uri = "test://static-text", .name = "Static Text Resource",
        .description = "A static text resource for testing", .mime_type = "text/plain",
        .handler = static_resource_read },
      "This is the content of the static text resource.", NULL },
    { { .uri = "test://static-binary", .name = "Static Binary Resource",
        .description = "A static binary resource (image) for testing", .mime_type = "image/png",
        .handler = static_resource_read },
      NULL, TEST_IMAGE_BASE64 },
    { { .uri = "test://watched-resource", .name = "Watched Resource",
        .description = "A resource that can be subscribed to for updates", .mime_type = "text/plain",
        .handler = static_resource_read },
      "Watched resource content", NULL },
};

/* test://template/{id}/data: a small JSON document naming the id. */
static int template_resource_read(mcp_call *call, const char *uri, const cJSON *vars, void *userdata)
{
    (void)userdata;
    const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(vars, "id"));
    if (!id)
        return -MCP_ENOTFOUND;
    char data[256];
    snprintf(data, sizeof data, "Data for ID: %s", id);
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "id", id);
    cJSON_AddBoolToObject(doc, "templateTest", 1);
    cJSON_AddStringToObject(doc, "data", data);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!text)
        return -MCP_ENOMEM;
    int rc = mcp_call_resource_text(call, uri, "application/json", text);
    free(text);
    return rc;
}

static const mcp_resource template_resource = {
    .uri_template = "test://template/{id}/data", .name = "template",
    .description = "A resource template with parameter substitution", .mime_type = "application/json",
    .handler = template_resource_read,
};

static int register_resources(mcp_server *srv)
{
    for (size_t i = 0; i < sizeof static_resources / sizeof static_resources[0]; i++) {
        int rc = mcp_server_add_resource(srv, &static_resources[i].res, (void *)&static_resources[i]);
        if (rc < 0)
            return rc;
    }
    return mcp_server_add_resource(srv, &template_resource, NULL);
}

/* ---- prompts ---- */

/* Prompts with fixed content: userdata is a BLOCK_END-ended array, one
 * user message per block. */
static int static_prompt_get(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)args;
    for (const block_spec *b = userdata; b->kind != BLOCK_END; b++) {
        int rc = mcp_call_prompt_message_take(call, "user", fixture_block(b));
        if (rc < 0)
            return rc;
    }
    return 0;
}

static const block_spec simple_prompt_blocks[] = {
    { BLOCK_TEXT, "This is a simple prompt for testing.", NULL, NULL },
    { BLOCK_END, NULL, NULL, NULL },
};

static const block_spec image_prompt_blocks[] = {
    { BLOCK_IMAGE, TEST_IMAGE_BASE64, "image/png", NULL },
    { BLOCK_TEXT, "Please analyze the image above.", NULL, NULL },
    { BLOCK_END, NULL, NULL, NULL },
};

static const char *string_arg(const cJSON *args, const char *name)
{
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(args, name));
    return value ? value : "";
}

static int arguments_prompt_get(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)userdata;
    const char *arg1 = string_arg(args, "arg1"), *arg2 = string_arg(args, "arg2");
    size_t size = strlen(arg1) + strlen(arg2) + 64;
    char *text = malloc(size);
    if (!text)
        return -MCP_ENOMEM;
    snprintf(text, size, "Prompt with arguments: arg1='%s', arg2='%s'", arg1, arg2);
    cJSON *block = mcp_content_text(text);
    free(text);
    return mcp_call_prompt_message_take(call, "user", block);
}

static int embedded_resource_prompt_get(mcp_call *call, const cJSON *args, void *userdata)
{
    (void)userdata;
    const block_spec blocks[] = {
        { BLOCK_EMBEDDED_TEXT, "Embedded resource content for testing.", "text/plain",
          string_arg(args, "resourceUri") },
        { BLOCK_TEXT, "Please process the embedded resource above.", NULL, NULL },
        { BLOCK_END, NULL, NULL, NULL },
    };
    return static_prompt_get(call, args, (void *)blocks);
}

static const mcp_prompt_arg two_args[] = {
    { "arg1", "First test argument", true },
    { "arg2", "Second test argument", true },
    { NULL, NULL, false },
};

static const mcp_prompt_arg resource_uri_arg[] = {
    { "resourceUri", "URI of the resource to embed", true },
    { NULL, NULL, false },
};

typedef struct prompt_entry {
    mcp_prompt prompt;
    const void *userdata;
} prompt_entry;

static const prompt_entry prompts[] = {
    { { .name = "test_simple_prompt", .description = "A simple prompt without arguments",
        .handler = static_prompt_get }, simple_prompt_blocks },
    { { .name = "test_prompt_with_arguments", .description = "A prompt with required arguments",
        .arguments = two_args, .handler = arguments_prompt_get }, NULL },
    { { .name = "test_prompt_with_embedded_resource", .description = "A prompt that includes an embedded resource",
        .arguments = resource_uri_arg, .handler = embedded_resource_prompt_get }, NULL },
    { { .name = "test_prompt_with_image", .description = "A prompt that includes image content",
        .handler = static_prompt_get }, image_prompt_blocks },
};

static int register_prompts(mcp_server *srv)
{
    for (size_t i = 0; i < sizeof prompts / sizeof prompts[0]; i++) {
        int rc = mcp_server_add_prompt(srv, &prompts[i].prompt, (void *)prompts[i].userdata);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- completion ---- */

typedef struct completion_source {
    const char *ref;          /* prompt name or resource template */
    const char *arg_name;
    const char *values[4];    /* NULL-ended */
} completion_source;

static const completion_source completion_sources[] = {
    { "test_prompt_with_arguments", "arg1", { "testValue1", "test-alpha", "sample" } },
    { "test_prompt_with_arguments", "arg2", { "testValue2", "test-beta", "example" } },
    { "test://template/{id}/data", "id", { "123", "456", "789" } },
};

/* Suggest the known values of the argument that start with what was typed. */
static int complete(mcp_call *call, const char *ref_type, const char *ref, const char *arg_name,
                    const char *arg_value, const cJSON *context_args, void *userdata)
{
    (void)ref_type; (void)context_args; (void)userdata;
    size_t typed = arg_value ? strlen(arg_value) : 0;
    for (size_t i = 0; i < sizeof completion_sources / sizeof completion_sources[0]; i++) {
        const completion_source *src = &completion_sources[i];
        if (!ref || !arg_name || strcmp(src->ref, ref) != 0 || strcmp(src->arg_name, arg_name) != 0)
            continue;
        for (const char *const *v = src->values; *v; v++) {
            if (typed > 0 && strncmp(*v, arg_value, typed) != 0)
                continue;
            int rc = mcp_call_complete_value(call, *v);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* Cache hints of the modern protocol (ttlMs, cacheScope), after the
 * suite's reference server: lists for 5 minutes, shared ("public") for
 * tools and prompts. The library keeps one hint per kind, and the
 * resources kind covers resources/list, resources/templates/list and
 * resources/read alike; the reference marks reads "private", so the
 * resources kind is private (the stricter scope) for lists and reads.
 * server/discover keeps the default (0 ms, private): its capabilities
 * depend on the registries, which the list-mutation triggers change. */
#define LIST_TTL_MS 300000u

static void set_cache_hints(mcp_server *srv)
{
    mcp_server_set_cache_hint(srv, MCP_CACHE_TOOLS, LIST_TTL_MS, true);
    mcp_server_set_cache_hint(srv, MCP_CACHE_PROMPTS, LIST_TTL_MS, true);
    mcp_server_set_cache_hint(srv, MCP_CACHE_RESOURCES, LIST_TTL_MS, false);
}

int fixtures_register(mcp_server *srv)
{
    /* Registration order is list order: legacy fixtures first, then the
     * 2026-07-28 ones (the lists are served in insertion order). */
    int rc = fixtures_register_tools(srv);
    if (rc == 0)
        rc = fixtures_register_modern_tools(srv);
    if (rc == 0)
        rc = fixtures_register_task_tools(srv);
    if (rc == 0)
        rc = register_resources(srv);
    if (rc == 0)
        rc = register_prompts(srv);
    if (rc == 0)
        rc = fixtures_register_modern_rest(srv);
    if (rc == 0) {
        mcp_server_set_completion(srv, complete, NULL);
        set_cache_hints(srv);
    }
    return rc;
}
