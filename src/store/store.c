/* What every mcp_store shares: the public calls go through its ops, so a
 * program that never opens a Redis store links none of the Redis code (nor
 * libhiredis). */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

void mcp__session_record_clear(session_record *r)
{
    free(r->version);
    free(r->client_caps);
    free(r->client_info);
    free(r->subject);
    free(r->subscriptions);
    memset(r, 0, sizeof *r);
    r->log_level = -1;
}

bool mcp_store_healthy(mcp_store *st)
{
    return !st || st->ops->probe(st);
}

void mcp_store_free(mcp_store *st)
{
    if (st)
        st->ops->free(st);
}
