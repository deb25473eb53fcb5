/* The table of served extensions (see extensions.h). It lives on the
 * server, guarded by the registry lock, and is copied out under it, so
 * capability rendering never hands out shared JSON. */
#include "core/extensions.h"

#include "core/server_internal.h"

int mcp__extension_declare(mcp_server *srv, const char *id, cJSON *settings)
{
    if (!settings)
        settings = cJSON_CreateObject();
    if (!srv || !id || !cJSON_IsObject(settings)) {
        cJSON_Delete(settings);
        return settings ? -MCP_EINVAL : -MCP_ENOMEM;
    }
    int rc = 0;
    pthread_rwlock_wrlock(&srv->lock);
    if (!srv->extensions && !(srv->extensions = cJSON_CreateObject()))
        rc = -MCP_ENOMEM;
    if (rc == 0) {
        cJSON_DeleteItemFromObjectCaseSensitive(srv->extensions, id);
        cJSON_AddItemToObject(srv->extensions, id, settings);
        settings = NULL;
    }
    pthread_rwlock_unlock(&srv->lock);
    cJSON_Delete(settings);
    return rc;
}

void mcp__extensions_render(mcp_server *srv, cJSON *caps)
{
    pthread_rwlock_rdlock(&srv->lock);
    cJSON *copy = srv->extensions && srv->extensions->child ? cJSON_Duplicate(srv->extensions, 1) : NULL;
    pthread_rwlock_unlock(&srv->lock);
    if (copy)
        cJSON_AddItemToObject(caps, "extensions", copy);
}
