/* Random bytes and hex ids from the OS CSPRNG (getrandom): session ids,
 * SSE stream ids and requestState keys must not be guessable. */
#include "base/ids.h"

#include <errno.h>
#include <sys/random.h>

#include <mcp/error.h>

int mcp__random_bytes(void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -MCP_EIO;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int mcp__random_hex_id(char *out, size_t nbytes)
{
    unsigned char raw[64];
    if (nbytes > sizeof raw)
        return -MCP_EINVAL;
    int rc = mcp__random_bytes(raw, nbytes);
    if (rc < 0)
        return rc;
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[2 * nbytes] = '\0';
    return 0;
}
