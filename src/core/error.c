/* Human-readable names for libmcp's error codes. */
#include <mcp/error.h>

const char *mcp_strerror(int rc)
{
    switch (rc < 0 ? -rc : rc) {
    case MCP_OK: return "success";
    case MCP_ENOMEM: return "out of memory";
    case MCP_EINVAL: return "invalid argument";
    case MCP_EEXIST: return "already exists";
    case MCP_ENOTFOUND: return "not found";
    case MCP_ETIMEDOUT: return "timed out";
    case MCP_ECANCELED: return "cancelled";
    case MCP_EUNSUPPORTED: return "not supported here";
    case MCP_EIO: return "I/O error";
    case MCP_ELIMIT: return "limit reached";
    case MCP_EINPUT: return "input required from the client";
    case MCP_EINTERNAL: return "internal error";
    default: return "unknown error";
    }
}
