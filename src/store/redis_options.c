/* mcp_store_redis_options_init on its own, and the one home of the Redis
 * store's option defaults: a program that only fills the options (and never
 * opens a store) must not pull the connection code, and with it hiredis
 * and OpenSSL, into a static link. redis_url.c takes its defaults from here. */
#include <mcp/store.h>

void mcp_store_redis_options_init(mcp_store_redis_options *opts)
{
    if (opts)
        *opts = (mcp_store_redis_options){ .connect_timeout_ms = 500, .command_timeout_ms = 1000 };
}
