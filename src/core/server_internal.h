/* Internal layout of mcp_server and mcp_call, shared by the files of the
 * server layer (registry.c, call.c, dispatch.c, methods_*.c). Transports
 * only use mcp_server_dispatch() and the session table. */
#ifndef MCP_CORE_SERVER_INTERNAL_H
#define MCP_CORE_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include <mcp/call.h>
#include <mcp/server.h>

#include "core/exchange.h"
#include "core/request_state.h"
#include "core/schema.h"
#include "core/workers.h"

typedef struct tool_entry {
    char *name;
    cJSON *def;                 /* full Tool object as listed to the newest clients */
    mcp_schema *input;
    mcp_schema *output;         /* NULL without outputSchema */
    mcp_tool_fn fn;
    void *userdata;
    bool blocking;
    char *scopes;               /* OAuth scopes needed, or NULL */
    mcp_task_support task;      /* tasks.c */
    bool task_after_input;
} tool_entry;

typedef struct resource_entry {
    char *key;                  /* uri or uri_template */
    bool is_template;
    cJSON *def;                 /* Resource or ResourceTemplate object */
    mcp_resource_fn fn;
    void *userdata;
    bool blocking;
    char *scopes;               /* OAuth scopes needed, or NULL */
} resource_entry;

typedef struct prompt_entry {
    char *name;
    cJSON *def;                 /* Prompt object */
    mcp_prompt_fn fn;
    void *userdata;
    bool blocking;
} prompt_entry;

/* A growable array of entry pointers. Removed entries move to a graveyard
 * freed with the server, so a handler running during removal stays valid. */
typedef struct entry_list {
    void **items;
    size_t len, cap;
} entry_list;

struct mcp_server {
    char *name, *version, *title, *description, *website_url, *instructions;
    pthread_rwlock_t lock;      /* guards the registries */
    entry_list tools, resources, prompts, graveyard_tools, graveyard_resources, graveyard_prompts;
    mcp_complete_fn complete_fn;
    void *complete_ud;
    size_t page_size;
    unsigned worker_threads;
    worker_pool *workers;       /* started on first blocking call */
    pthread_mutex_t workers_lock;
    /* Notified on list changes and resource updates (set by transports). */
    void (*broadcast)(void *ctx, cJSON *notification_take, const char *resource_uri);
    void *broadcast_ctx;
    unsigned request_timeout_ms; /* server->client request wait */
    request_state_key state_key; /* seals MRTR requestState */
    struct { unsigned ttl_ms; bool shared; } cache[MCP_CACHE_KINDS];
    pthread_mutex_t listeners_lock;
    struct listener *listeners;  /* modern subscriptions/listen streams */
    unsigned nlisteners, max_listeners;
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
};

/* registry.c */
int entry_list_push(entry_list *l, void *item);
tool_entry *registry_find_tool(mcp_server *srv, const char *name);       /* caller holds lock */
prompt_entry *registry_find_prompt(mcp_server *srv, const char *name);
resource_entry *registry_match_resource(mcp_server *srv, const char *uri, cJSON **vars_out);
void registry_free_all(mcp_server *srv);

/* call.c */
mcp_call *call_new(mcp_server *srv, mcp_exchange *ex, cJSON *msg_take);
void call_free(mcp_call *call);
/* The request's params.arguments moved out of the message (an empty object
 * when absent), for call->args. */
cJSON *call_take_arguments(mcp_call *call);
void call_reset_output(mcp_call *call);
/* Finish: send the response through the exchange and free the call. */
void call_reply_result(mcp_call *call, cJSON *result_take);
void call_reply_error(mcp_call *call, int code, const char *message);
void call_reply_error_data(mcp_call *call, int code, const char *message, cJSON *data_take);

/* dispatch.c */
/* Load inputResponses/requestState of a modern retry; -1 when the state
 * was tampered with, expired or bound to another request (reply -32602). */
int call_load_input(mcp_call *call);
void server_run_blocking(mcp_server *srv, void (*fn)(void *), void *arg);

/* Pagination over a registry list (cursor = decimal offset). */
int paginate(mcp_call *call, entry_list *list, size_t *start, size_t *end);
/* Reply with one page of a registry list under key; def_of returns the
 * entry's definition, or NULL to leave it out of this list. */
void reply_list(mcp_call *call, entry_list *list, const char *key, const cJSON *(*def_of)(const void *entry));

/* Version-gate a definition object for the caller's protocol version. */
cJSON *gate_definition(const cJSON *def, mcp_version v);

#endif
