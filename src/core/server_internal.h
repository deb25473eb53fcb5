/* Internal layout of mcp_server and mcp_call (struct definitions only),
 * shared by the files of the protocol layer (server.c, registry.c, call.c,
 * run.c, notify.c, the method files). Transports use dispatch.h, notify.h
 * and the session table, never these fields. */
#ifndef MCP_CORE_SERVER_INTERNAL_H
#define MCP_CORE_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <mcp/call.h>
#include <mcp/server.h>

#include "core/exchange.h"
#include "core/request_state.h"
#include "schema/schema.h"
#include "base/workers.h"

typedef struct tool_entry {
    atomic_uint refs;           /* the registry's + one per call using it */
    char *name;
    cJSON *def;                 /* full Tool object as listed to the newest clients */
    mcp_schema *input;
    mcp_schema *output;         /* NULL without outputSchema */
    mcp_tool_fn fn;
    void *userdata;
    bool blocking;
    bool session_scoped;        /* counted in mcp_server.session_tools */
    bool param_headers;         /* some inputSchema property has x-mcp-header (era.c) */
    char *scopes;               /* OAuth scopes needed, or NULL */
    mcp_task_support task;      /* tasks.c */
    bool task_after_input;
} tool_entry;

typedef struct resource_entry {
    atomic_uint refs;
    char *key;                  /* uri or uri_template */
    bool is_template;
    cJSON *def;                 /* Resource or ResourceTemplate object */
    mcp_resource_fn fn;
    void *userdata;
    bool blocking;
    char *scopes;               /* OAuth scopes needed, or NULL */
} resource_entry;

typedef struct prompt_entry {
    atomic_uint refs;
    char *name;
    cJSON *def;                 /* Prompt object */
    mcp_prompt_fn fn;
    void *userdata;
    bool blocking;
} prompt_entry;

/* A growable array of entry pointers. Each entry is reference counted
 * (core/entry.c): a handler running during removal keeps its entry valid. */
typedef struct entry_list {
    void **items;
    size_t len, cap;
} entry_list;

struct mcp_server {
    char *name, *version, *title, *description, *website_url, *instructions;
    cJSON *info;                /* {name, version}: every modern result's serverInfo, by reference */
    char *complete_members_text; /* "resultType":"complete","_meta":{"io.modelcontextprotocol/
                                  * serverInfo":info} printed once: what a printed modern result
                                  * with neither of its own gains (mcp__json_add_raw_members) */
    pthread_rwlock_t lock;      /* guards the registries */
    entry_list tools, resources, prompts;
    mcp_complete_fn complete_fn;
    void *complete_ud;
    size_t page_size;
    unsigned worker_threads;
    worker_pool *workers;       /* started on first blocking call */
    pthread_mutex_t workers_lock;
    /* Transports notified on list changes and resource updates (notify.c):
     * a list, so stdio and any number of HTTP servers each get them. */
    pthread_mutex_t subs_lock;
    pthread_cond_t subs_idle;    /* a subscriber's deliveries in progress ended */
    struct notify_sub *subs;
    /* Tool schema compilation (src/core/schema_options.c): borrowed registry, MCP__SCHEMA_* flags. */
    const mcp_schema_registry *schema_registry;
    unsigned schema_flags;
    unsigned request_timeout_ms; /* server->client request wait */
    request_state_key state_key; /* seals MRTR requestState */
    struct { unsigned ttl_ms; bool shared; } cache[MCP_CACHE_KINDS];
    pthread_mutex_t listeners_lock;
    pthread_cond_t listeners_idle;  /* a listener's deliveries in progress ended */
    struct listener *listeners;  /* modern subscriptions/listen streams */
    unsigned nlisteners, max_listeners;
    mcp_eras eras;               /* mcp_server_set_eras; era.c decides with it */
    atomic_uint session_tools;   /* registered session_scoped tools (changed under lock) */
    atomic_uint param_header_tools;   /* registered tools with param_headers (changed under lock) */
    char *registry_name, *repository_url;   /* edge: Server Card (transport/server_card.c) */
    struct mcp__otel *otel;      /* semconv histograms (otel.c) */
    /* Extensions (2026-12): served identifiers -> settings (extensions.c),
     * the skills catalogue (skills.c) and the apps (apps.c). All under lock. */
    cJSON *extensions;
    struct mcp__skills *skills;
    entry_list apps;            /* MCP Apps documents (apps.c) */
    struct mcp__tasks *tasks;    /* tasks.c: task store, runs, housekeeping */
};

typedef enum { CALL_TOOL, CALL_RESOURCE, CALL_PROMPT, CALL_COMPLETE, CALL_OTHER } call_kind;

struct mcp_call {
    mcp_server *srv;
    mcp_exchange *ex;
    cJSON *msg;                 /* the request (owned) */
    const cJSON *id;            /* inside msg */
    const cJSON *params;        /* inside msg; may be NULL */
    const char *method;         /* inside msg */
    const cJSON *progress_token;/* inside msg; NULL without one */
    double last_progress;
    bool sent_progress;
    int log_threshold;          /* lowest level sent; MCP_LOG_EMERGENCY+1 = none */
    call_kind kind;
    const void *entry;          /* tool_entry / resource_entry / prompt_entry */
    cJSON *args;                /* arguments / template vars (owned) */
    char *uri;                  /* resources/read target */
    cJSON *content;             /* content blocks, resource contents, prompt messages or completion values */
    cJSON *structured;
    bool is_error;
    char *description;          /* prompts/get description */
    cJSON *input_responses;     /* key -> client result (owned) */
    cJSON *input_requests;      /* key -> {method, params} (owned) */
    active_call tracked;
    bool is_tracked;
    const char *missing_capability; /* need_input asked for what the client lacks */
    const char *target;         /* tool/prompt name or resource URI (inside msg) */
    uint64_t start_us;          /* receipt, for mcp.server.operation.duration */
    char *tracestate;           /* the caller's valid tracestate (owned), or NULL */
    cJSON *result_meta;         /* mcp_call_meta_take: merged into result._meta (owned) */
    /* A handler that returned MCP_CALL_PENDING (run.c): the finish of its
     * run, and two references, the handler's return and the store's
     * answer; whichever comes last finishes the call with pending_rc. */
    void (*finish)(struct mcp_call *call, int rc);
    atomic_int pending_refs;
    int pending_rc;
    mcp_state_incr_then then;
    void *then_userdata;
};

#endif
