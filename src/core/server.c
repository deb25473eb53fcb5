/* The server object: creation, teardown and its settings. The registries
 * it holds are filled by registry.c, its listeners by notify.c. */
#include "core/server.h"

#include <stdlib.h>
#include <string.h>

#include "base/json_write.h"
#include "base/util.h"
#include "core/apps.h"
#include "core/era.h"
#include "core/notify.h"
#include "core/otel.h"
#include "core/registry.h"
#include "core/skills_load.h"
#include "core/task_house.h"

mcp_server *mcp_server_new(const mcp_server_info *info)
{
    if (!info || !info->name || !info->version)
        return NULL;
    mcp_server *srv = calloc(1, sizeof *srv);
    if (!srv)
        return NULL;
    srv->name = strdup(info->name);
    srv->version = strdup(info->version);
    if ((srv->info = cJSON_CreateObject()) && srv->name && srv->version) {
        cJSON_AddItemToObjectCS(srv->info, "name", cJSON_CreateStringReference(srv->name));
        cJSON_AddItemToObjectCS(srv->info, "version", cJSON_CreateStringReference(srv->version));
        /* A complete modern result's two members, printed once. */
        cJSON *members = cJSON_CreateObject(), *meta = NULL;
        if (members && cJSON_AddItemToObjectCS(members, "resultType", cJSON_CreateStringReference("complete")) &&
            (meta = cJSON_AddObjectToObject(members, "_meta")) &&
            cJSON_AddItemToObjectCS(meta, MCP_META_SERVER_INFO, cJSON_CreateObjectReference(srv->info->child))) {
            char *text = mcp__json_print(members, NULL);
            size_t len = text ? strlen(text) : 0;
            if (len >= 2) {                        /* {...} without its braces */
                memmove(text, text + 1, len - 2);
                text[len - 2] = '\0';
            }
            srv->complete_members_text = text;
        }
        cJSON_Delete(members);
    }
    srv->title = mcp__xstrdup(info->title);
    srv->description = mcp__xstrdup(info->description);
    srv->website_url = mcp__xstrdup(info->website_url);
    srv->instructions = mcp__xstrdup(info->instructions);
    srv->registry_name = mcp__xstrdup(info->registry_name);
    srv->repository_url = mcp__xstrdup(info->repository_url);
    pthread_rwlock_init(&srv->lock, NULL);
    pthread_mutex_init(&srv->workers_lock, NULL);
    srv->page_size = 100;
    srv->worker_threads = 8;
    srv->request_timeout_ms = 60000;
    srv->max_listeners = 1024;
    srv->eras = MCP_ERAS_AUTO;
    atomic_init(&srv->session_tools, 0);
    atomic_init(&srv->param_header_tools, 0);
    pthread_mutex_init(&srv->listeners_lock, NULL);
    pthread_cond_init(&srv->listeners_idle, NULL);
    pthread_mutex_init(&srv->subs_lock, NULL);
    pthread_cond_init(&srv->subs_idle, NULL);
    srv->otel = mcp__otel_new();
    srv->tasks = mcp__tasks_new(srv);     /* tasks: task store, runs, housekeeping */
    if (mcp__request_state_key_random(&srv->state_key) < 0 || !srv->name || !srv->version || cJSON_GetArraySize(srv->info) != 2 || !srv->complete_members_text || !srv->otel ||
        !srv->tasks) {
        mcp_server_free(srv);
        return NULL;
    }
    return srv;
}

void mcp_server_free(mcp_server *srv)
{
    if (!srv)
        return;
    mcp__tasks_stop(srv->tasks);          /* tasks: no new rounds while the pool drains */
    mcp__worker_pool_free(srv->workers);
    mcp__tasks_free(srv->tasks);
    mcp__registry_free_all(srv);
    mcp__skills_free(srv->skills);            /* extensions: after the resources using them */
    mcp__apps_free(srv);
    cJSON_Delete(srv->extensions);
    pthread_rwlock_destroy(&srv->lock);
    pthread_mutex_destroy(&srv->workers_lock);
    pthread_mutex_destroy(&srv->listeners_lock);
    pthread_cond_destroy(&srv->listeners_idle);
    mcp__notify_free_all(srv);
    pthread_mutex_destroy(&srv->subs_lock);
    pthread_cond_destroy(&srv->subs_idle);
    mcp__otel_free(srv->otel);
    cJSON_Delete(srv->info);
    free(srv->complete_members_text);
    free(srv->name);
    free(srv->version);
    free(srv->title);
    free(srv->description);
    free(srv->website_url);
    free(srv->instructions);
    free(srv->registry_name);
    free(srv->repository_url);
    free(srv);
}

void mcp_server_set_completion(mcp_server *srv, mcp_complete_fn fn, void *userdata)
{
    pthread_rwlock_wrlock(&srv->lock);
    srv->complete_fn = fn;
    srv->complete_ud = userdata;
    pthread_rwlock_unlock(&srv->lock);
}

void mcp_server_set_page_size(mcp_server *srv, size_t page_size)
{
    srv->page_size = page_size ? page_size : 100;
}

void mcp_server_set_workers(mcp_server *srv, unsigned threads)
{
    srv->worker_threads = threads ? threads : 1;
}

int mcp_server_set_state_key(mcp_server *srv, const void *key, size_t len)
{
    if (!key || len < REQUEST_STATE_KEY_MIN || len > sizeof srv->state_key.bytes)
        return -MCP_EINVAL;
    memcpy(srv->state_key.bytes, key, len);
    srv->state_key.len = len;
    return 0;
}

void mcp_server_set_cache_hint(mcp_server *srv, mcp_cache_kind kind, unsigned ttl_ms, bool shared_scope)
{
    if ((unsigned)kind < MCP_CACHE_KINDS) {
        srv->cache[kind].ttl_ms = ttl_ms;
        srv->cache[kind].shared = shared_scope;
    }
}

int mcp_server_set_eras(mcp_server *srv, mcp_eras eras)
{
    if (!srv || (eras != MCP_ERAS_AUTO && eras != MCP_ERAS_BOTH && eras != MCP_ERAS_LEGACY))
        return -MCP_EINVAL;
    srv->eras = eras;    /* read by era.c on every request */
    return 0;
}

void mcp__server_set_request_timeout(mcp_server *srv, unsigned ms)
{
    srv->request_timeout_ms = ms ? ms : 60000;
}
