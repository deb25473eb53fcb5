/* The server object and its registries: tools, resources, resource
 * templates, prompts and completions. Registration copies everything it is
 * given (strings, schemas), so callers may pass stack or literal data.
 * Registries are safe to change while a transport serves requests; changes
 * send notifications/<kind>/list_changed to connected clients. */
#ifndef MCP_SERVER_H
#define MCP_SERVER_H

#include <mcp/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <mcp/error.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mcp_server mcp_server;
typedef struct mcp_call mcp_call;

typedef struct mcp_server_info {
    const char *name;          /* required */
    const char *version;       /* required */
    const char *title;         /* optional display name */
    const char *description;   /* optional */
    const char *website_url;   /* optional */
    const char *instructions;  /* optional: sent in initialize / server/discover */
} mcp_server_info;

MCP_EXTERN mcp_server *mcp_server_new(const mcp_server_info *info);
MCP_EXTERN void mcp_server_free(mcp_server *srv);

/* Tri-state hint for tool annotations: unset fields are not sent, so the
 * protocol defaults apply (destructive and open-world default to true). */
typedef enum { MCP_HINT_UNSET = 0, MCP_HINT_TRUE = 1, MCP_HINT_FALSE = -1 } mcp_hint;

typedef struct mcp_tool_annotations {
    const char *title;
    mcp_hint read_only, destructive, idempotent, open_world;
} mcp_tool_annotations;

/* A tool handler. args is the validated "arguments" object (never NULL; {}
 * when the client sent none). Fill the result through mcp_call_*; return 0,
 * or a negative MCP_E* for a protocol-level failure. Expected failures
 * (an upstream API down, bad business input) belong in mcp_call_error(). */
typedef int (*mcp_tool_fn)(mcp_call *call, const cJSON *args, void *userdata);

/* Whether a tool runs as a task (extension io.modelcontextprotocol/tasks,
 * 2026-07-28 requests only; see mcp/tasks.h). */
typedef enum {
    MCP_TASK_FORBIDDEN = 0,    /* always synchronous (the default) */
    MCP_TASK_OPTIONAL,         /* a task for clients declaring the extension, else synchronous */
    MCP_TASK_REQUIRED          /* only as a task: other clients get -32021 */
} mcp_task_support;

typedef struct mcp_tool {
    const char *name;          /* 1-128 chars of [A-Za-z0-9_.-] */
    const char *title;
    const char *description;
    const char *input_schema;  /* JSON text; NULL means {"type":"object"} */
    const char *output_schema; /* JSON text or NULL; structuredContent is checked against it */
    const char *icons;         /* JSON array text or NULL */
    mcp_tool_annotations annotations;
    mcp_tool_fn handler;
    bool blocking;             /* handler may block (I/O): run it on the worker pool */
    const char *scopes;        /* OAuth scopes a caller needs (space list), or NULL */
    mcp_task_support task;     /* default MCP_TASK_FORBIDDEN; the handler is the same code */
    /* With task support: a first call that asks for input gets it through
     * the multi-round exchange (input_required + requestState) before any
     * task exists; the round that carries the answers creates the task. */
    bool task_after_input;
} mcp_tool;

MCP_EXTERN int mcp_server_add_tool(mcp_server *srv, const mcp_tool *tool, void *userdata);
MCP_EXTERN int mcp_server_remove_tool(mcp_server *srv, const char *name);

/* Resource handlers fill contents with mcp_call_resource_text/_blob.
 * vars holds the template variables ({"id":"123"}) or NULL for a direct
 * resource. Return -MCP_ENOTFOUND when the resource does not exist. */
typedef int (*mcp_resource_fn)(mcp_call *call, const char *uri, const cJSON *vars, void *userdata);

typedef struct mcp_resource {
    const char *uri;           /* direct resource URI, or NULL when uri_template is set */
    const char *uri_template;  /* RFC 6570 level-1 template, e.g. "todo://todos/{id}" */
    const char *name;
    const char *title;
    const char *description;
    const char *mime_type;
    const char *icons;         /* JSON array text or NULL */
    mcp_resource_fn handler;
    bool blocking;
    const char *scopes;        /* OAuth scopes a reader needs (space list), or NULL */
} mcp_resource;

MCP_EXTERN int mcp_server_add_resource(mcp_server *srv, const mcp_resource *res, void *userdata);
MCP_EXTERN int mcp_server_remove_resource(mcp_server *srv, const char *uri_or_template);
/* Tell subscribers (legacy resources/subscribe, modern subscriptions/listen)
 * that a resource changed. */
MCP_EXTERN void mcp_server_resource_updated(mcp_server *srv, const char *uri);

typedef struct mcp_prompt_arg {
    const char *name;
    const char *description;
    bool required;
} mcp_prompt_arg;

/* Prompt handlers add messages with mcp_call_prompt_message_take(). args holds
 * the string arguments (required ones are checked before the call). */
typedef int (*mcp_prompt_fn)(mcp_call *call, const cJSON *args, void *userdata);

typedef struct mcp_prompt {
    const char *name;
    const char *title;
    const char *description;
    const char *icons;
    const mcp_prompt_arg *arguments;   /* array ended by an entry with name == NULL, or NULL */
    mcp_prompt_fn handler;
    bool blocking;
} mcp_prompt;

MCP_EXTERN int mcp_server_add_prompt(mcp_server *srv, const mcp_prompt *prompt, void *userdata);
MCP_EXTERN int mcp_server_remove_prompt(mcp_server *srv, const char *name);

/* completion/complete: ref_type is "ref/prompt" or "ref/resource", ref is
 * the prompt name or resource URI. Add values with mcp_call_complete_value. */
typedef int (*mcp_complete_fn)(mcp_call *call, const char *ref_type, const char *ref,
                               const char *arg_name, const char *arg_value,
                               const cJSON *context_args, void *userdata);
MCP_EXTERN void mcp_server_set_completion(mcp_server *srv, mcp_complete_fn fn, void *userdata);

/* Page size of tools/list, resources/list, prompts/list ... (default 100). */
MCP_EXTERN void mcp_server_set_page_size(mcp_server *srv, size_t page_size);

/* Worker pool for blocking handlers (default 8 threads). Call before serving. */
MCP_EXTERN void mcp_server_set_workers(mcp_server *srv, unsigned threads);

/* Key sealing the requestState of multi-round requests (2026-07-28 MRTR)
 * with HMAC-SHA256: at least 32 bytes, the same on every instance behind
 * one load balancer. Default: a random key per process (single instance). */
MCP_EXTERN int mcp_server_set_state_key(mcp_server *srv, const void *key, size_t len);

/* Cache hints (ttlMs, cacheScope) the modern protocol puts on discover,
 * list and read results. Default: ttl 0 ms, private. */
typedef enum { MCP_CACHE_DISCOVER, MCP_CACHE_TOOLS, MCP_CACHE_RESOURCES, MCP_CACHE_PROMPTS, MCP_CACHE_KINDS } mcp_cache_kind;
MCP_EXTERN void mcp_server_set_cache_hint(mcp_server *srv, mcp_cache_kind kind, unsigned ttl_ms, bool shared_scope);

#ifdef __cplusplus
}
#endif
#endif
