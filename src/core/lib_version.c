/* The version of the linked library, for programs that compiled against
 * another copy of include/mcp/version.h. */
#include <mcp/version.h>

unsigned mcp_version(void)
{
    return MCP_VERSION_NUM;
}

const char *mcp_version_string(void)
{
    return MCP_VERSION;
}
