/* Random bytes and ids from the OS CSPRNG. */
#ifndef MCP_BASE_IDS_H
#define MCP_BASE_IDS_H

#include <stddef.h>

/* len random bytes from the OS CSPRNG; 0 or -MCP_EIO. */
int mcp__random_bytes(void *buf, size_t len);
/* A random id of 2*nbytes hex characters + NUL into out (size >= 2*nbytes+1). */
int mcp__random_hex_id(char *out, size_t nbytes);

#endif
