/* mcp_auth_options_init on its own: a program that only fills the options
 * (and never calls mcp_auth_new) must not pull the token code, and with it
 * libcrypto and libcurl, into a static link. */
#include <mcp/auth.h>

void mcp_auth_options_init(mcp_auth_options *opts)
{
    if (opts)
        *opts = (mcp_auth_options){ .leeway_s = 30 };
}
