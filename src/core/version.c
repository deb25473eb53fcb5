/* Protocol revision names. The order of the enum is chronological so the
 * feature gates in version.h can compare with >=. */
#include "core/version.h"

#include <string.h>

static const char *const names[MCP_V_COUNT] = {
    "2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28",
};

const char *mcp__version_name(mcp__revision v)
{
    return (unsigned)v < MCP_V_COUNT ? names[v] : "unknown";
}

int mcp__version_parse(const char *name)
{
    if (!name)
        return -1;
    for (int i = MCP_V_COUNT - 1; i >= 0; i--)   /* newest first: the usual request */
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

bool mcp__version_is_modern(mcp__revision v)
{
    return v >= MCP_V_2026_07_28;
}
