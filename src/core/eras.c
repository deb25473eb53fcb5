/* eras.c - which protocol eras a server offers.
 *
 * 2026-07-28 has no sessions, so a tool that keeps per-session state
 * (mcp_tool.session_scoped) cannot work for a modern client. Rather than
 * answer such clients with a tool error, a server in the default mode stops
 * offering the modern era where it has sessions to give: requests that claim
 * 2026-07-28 are then served as legacy ones, as a 2025 server would, and
 * dual-era clients fall back to initialize (2026-07-28 versioning, backward
 * compatibility; the stdio and HTTP probes both treat a non-modern answer to
 * server/discover as "legacy server"). Read on every request: one atomic
 * load, no lock. */
#include "core/eras.h"

#include "core/server_internal.h"

int mcp_server_set_eras(mcp_server *srv, mcp_eras eras)
{
    if (!srv || (eras != MCP_ERAS_AUTO && eras != MCP_ERAS_BOTH && eras != MCP_ERAS_LEGACY))
        return -MCP_EINVAL;
    srv->eras = eras;
    return 0;
}

bool mcp__server_offers_modern(mcp_server *srv, bool with_sessions)
{
    switch (srv->eras) {
    case MCP_ERAS_BOTH: return true;
    case MCP_ERAS_LEGACY: return false;
    case MCP_ERAS_AUTO: break;
    }
    return !(with_sessions && atomic_load(&srv->session_tools) > 0);
}
