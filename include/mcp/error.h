/* libmcp error codes. Every function that can fail returns 0 or a negative
 * MCP_E* value; mcp_strerror() names it for humans. */
#ifndef MCP_ERROR_H
#define MCP_ERROR_H

#include <mcp/common.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    MCP_OK = 0,
    MCP_ENOMEM = 1,      /* allocation failed */
    MCP_EINVAL = 2,      /* invalid argument (bad name, bad schema, bad JSON) */
    MCP_EEXIST = 3,      /* a tool/prompt/resource of that name already exists */
    MCP_ENOTFOUND = 4,   /* no such tool/resource/prompt/session */
    MCP_ETIMEDOUT = 5,   /* a wait ran out of time */
    MCP_ECANCELED = 6,   /* the request was cancelled */
    MCP_EUNSUPPORTED = 7,/* the peer or the transport cannot do that */
    MCP_EIO = 8,         /* I/O or network failure */
    MCP_ELIMIT = 9,      /* a configured limit was reached */
    MCP_EINPUT = 10,     /* handler asked the client for input (see mcp_call_need_input) */
    MCP_EINTERNAL = 11,  /* internal error */
};

/* A static, human-readable description of rc (positive or negative). */
MCP_EXTERN const char *mcp_strerror(int rc);

#ifdef __cplusplus
}
#endif
#endif
