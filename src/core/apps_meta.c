/* MCP Apps (io.modelcontextprotocol/ui): a tool's link to its UI, written
 * into the tool definition's _meta at registration (registry.c calls it).
 * Both the current form (_meta.ui.resourceUri, _meta.ui.visibility) and
 * the older flat one (_meta["ui/resourceUri"]) are sent, since hosts read
 * either. Pure JSON work: it calls nothing else in core, so the registry
 * can use it while apps.c (which registers resources) sits above both. */
#include "core/apps_meta.h"

#include <string.h>

#include <mcp/error.h>

int mcp__apps_tool_meta(cJSON *def, const mcp_tool *tool)
{
    if (!tool->ui_resource_uri)
        return tool->ui_visibility == MCP_UI_VISIBILITY_DEFAULT ? 0 : -MCP_EINVAL;
    if (strncmp(tool->ui_resource_uri, "ui://", 5) != 0 || !tool->ui_resource_uri[5] ||
        (unsigned)tool->ui_visibility > MCP_UI_VISIBILITY_APP_ONLY)
        return -MCP_EINVAL;
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(def, "_meta");
    if (!meta && !(meta = cJSON_AddObjectToObject(def, "_meta")))
        return -MCP_ENOMEM;
    cJSON *ui = cJSON_GetObjectItemCaseSensitive(meta, "ui");
    if (ui && !cJSON_IsObject(ui))
        return -MCP_EINVAL;       /* the caller's own _meta.ui must be an object */
    if (!ui && !(ui = cJSON_AddObjectToObject(meta, "ui")))
        return -MCP_ENOMEM;
    cJSON_DeleteItemFromObjectCaseSensitive(ui, "resourceUri");
    cJSON_AddStringToObject(ui, "resourceUri", tool->ui_resource_uri);
    if (tool->ui_visibility != MCP_UI_VISIBILITY_DEFAULT) {
        const char *model_app[] = { "model", "app" };
        const char *app_only[] = { "app" };
        cJSON *vis = tool->ui_visibility == MCP_UI_VISIBILITY_APP_ONLY ? cJSON_CreateStringArray(app_only, 1)
                                                                       : cJSON_CreateStringArray(model_app, 2);
        cJSON_DeleteItemFromObjectCaseSensitive(ui, "visibility");
        cJSON_AddItemToObject(ui, "visibility", vis);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "ui/resourceUri");
    cJSON_AddStringToObject(meta, "ui/resourceUri", tool->ui_resource_uri);
    return 0;
}
