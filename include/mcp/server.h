/* The server object and its registries: tools, resources, resource
 * templates, prompts and completions. Every primitive may carry `_meta`
 * (JSON object text, rendered as is in list results; invalid JSON fails
 * registration with -MCP_EINVAL). Registration copies everything it is
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
    /* Server Card (experimental, GET <endpoint>/server-card): served only
     * when registry_name is set. */
    const char *registry_name; /* reverse-DNS name with one '/', e.g. "io.github.acme/todo" */
    const char *repository_url;/* optional source repository URL for the card */
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

/* MCP Apps: who may call a tool with a UI. The host hides app-only tools
 * from the model but lets the app call them (the server still authorizes
 * every call). DEFAULT sends nothing, which hosts read as model + app. */
typedef enum { MCP_UI_VISIBILITY_DEFAULT = 0, MCP_UI_VISIBILITY_MODEL_AND_APP, MCP_UI_VISIBILITY_APP_ONLY } mcp_ui_visibility;
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
    bool session_scoped;       /* keeps per-session state (mcp_call_state_*): needs a
                                  legacy session; see mcp_server_set_eras */
    const char *meta;          /* _meta JSON object text or NULL */
    /* MCP Apps (io.modelcontextprotocol/ui): the ui:// resource that shows
     * this tool's results, sent as _meta.ui.resourceUri and the older flat
     * _meta["ui/resourceUri"]; setting it declares the extension. NULL: none.
     * The tool must still return text content for hosts without UI. */
    const char *ui_resource_uri;
    mcp_ui_visibility ui_visibility;   /* _meta.ui.visibility; needs ui_resource_uri */
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
    const char *meta;          /* _meta JSON object text or NULL, on the list entry */
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
    const char *meta;          /* _meta JSON object text or NULL */
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

/* Which protocol eras the server offers. Legacy = 2025-11-25 and earlier
 * (initialize, sessions); modern = 2026-07-28 (server/discover, no
 * sessions). A server that does not offer the modern era treats every
 * request as legacy, exactly as a 2025 server does: server/discover gets the
 * legacy answer (400 "Mcp-Session-Id header is required" on stateful HTTP,
 * -32601 on stdio before initialize), which dual-era clients take as "fall
 * back to initialize".
 *   MCP_ERAS_AUTO (0, default): both eras, except legacy only where
 *     sessions exist (stateful HTTP, stdio) while a tool registered with
 *     .session_scoped = true is present, so every client gets a session.
 *   MCP_ERAS_BOTH: always both (session-scoped tools fail for modern clients).
 *   MCP_ERAS_LEGACY: legacy only.
 * Returns 0 or -MCP_EINVAL. Call before serving. */
typedef enum { MCP_ERAS_AUTO = 0, MCP_ERAS_BOTH = 1, MCP_ERAS_LEGACY = 2 } mcp_eras;
MCP_EXTERN int mcp_server_set_eras(mcp_server *srv, mcp_eras eras);
/* ---------------- extensions (2026-12) ---------------- */

/* MCP Apps (io.modelcontextprotocol/ui): an interactive HTML view a host
 * shows in a sandboxed frame. mcp_server_add_app registers it as the
 * resource uri (ui://...) with MIME type text/html;profile=mcp-app, its
 * _meta.ui (CSP domains, permissions, domain, prefersBorder) on both the
 * resources/list entry and the resources/read content, and declares the
 * extension. The HTML comes from html (copied) or html_file (read once,
 * here); it must be UTF-8 and look like an HTML document (<!doctype html>
 * or <html>), else -MCP_EINVAL. Link tools to it with mcp_tool.ui_resource_uri.
 * Domain lists are NULL-terminated arrays (NULL: none; hosts then allow no
 * external origin of that kind). */
typedef struct mcp_app_csp {
    const char *const *connect_domains;   /* fetch/XHR/WebSocket origins */
    const char *const *resource_domains;  /* scripts, styles, images, fonts, media */
    const char *const *frame_domains;     /* nested iframes */
    const char *const *base_uri_domains;  /* <base href> */
} mcp_app_csp;

typedef struct mcp_app {
    const char *uri;             /* required, starts with ui:// */
    const char *name;            /* required */
    const char *title;
    const char *description;
    const char *html;            /* the document, or NULL to use html_file */
    const char *html_file;
    mcp_app_csp csp;
    struct { bool camera, microphone, geolocation, clipboard_write; } permissions;
    const char *domain;          /* dedicated sandbox origin (host-specific format), or NULL */
    mcp_hint prefers_border;     /* MCP_HINT_UNSET: not sent */
    const char *scopes;          /* OAuth scopes a reader needs, or NULL */
} mcp_app;
MCP_EXTERN int mcp_server_add_app(mcp_server *srv, const mcp_app *app);

/* Skills (SEP-2640, the io.modelcontextprotocol/skills extension): serve a
 * directory of skills. Each skill is a folder holding SKILL.md (YAML
 * frontmatter with at least name and description, then Markdown) and any
 * other files; the folder name must equal the frontmatter name (1-64 of
 * [a-z0-9] and single inner hyphens). path is either one skill or a tree
 * whose folders without SKILL.md become URI prefix segments. Every file is
 * read, hashed (SHA-256) and sized once, here, and served from memory as a
 * resource skill://<prefix>/<name>/<file>; skills/list, skills/get and
 * resources/directory/read answer from that snapshot. Hidden entries
 * (".x") and symbolic links are skipped. Fails (nothing registered, a
 * reason on stderr) with -MCP_EINVAL for a bad skill, -MCP_ELIMIT for one
 * over 512 files or 16 MiB, -MCP_ENOTFOUND when path holds no skill,
 * -MCP_EEXIST for a URI already registered, -MCP_EIO when unreadable. */
typedef struct mcp_skills_options {
    const char *uri_prefix;      /* segments before the skill paths, e.g. "acme" gives
                                  * skill://acme/<name>/SKILL.md; NULL: none */
    bool no_directory_read;      /* true: do not offer resources/directory/read
                                  * (default: offered, directoryRead:true) */
} mcp_skills_options;
/* Fill opts with the defaults (every field 0/NULL: no prefix, directoryRead offered). */
MCP_EXTERN void mcp_skills_options_init(mcp_skills_options *opts);
MCP_EXTERN int mcp_server_add_skills_dir(mcp_server *srv, const char *path, const mcp_skills_options *opts /* NULL: defaults */);

#ifdef __cplusplus
}
#endif
#endif
