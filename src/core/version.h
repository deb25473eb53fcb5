/* Protocol revisions and the per-revision feature gates. Everything that
 * depends on the negotiated version asks here, so adding a revision is one
 * table entry plus the gates that change. */
#ifndef MCP_CORE_VERSION_H
#define MCP_CORE_VERSION_H

#include <stdbool.h>

typedef enum {
    MCP_V_2024_11_05 = 0,
    MCP_V_2025_03_26,
    MCP_V_2025_06_18,
    MCP_V_2025_11_25,
    MCP_V_2026_07_28,
    MCP_V_COUNT
} mcp__revision;

#define MCP_V_LEGACY_LATEST MCP_V_2025_11_25
#define MCP_V_MODERN_LATEST MCP_V_2026_07_28

const char *mcp__version_name(mcp__revision v);
int mcp__version_parse(const char *name);          /* mcp__revision or -1 */
bool mcp__version_is_modern(mcp__revision v);

/* Feature gates: what a client on version v understands. */
static inline bool mcp_v_batching(mcp__revision v) { return v == MCP_V_2025_03_26; }
static inline bool mcp_v_structured(mcp__revision v) { return v >= MCP_V_2025_06_18; }
static inline bool mcp_v_titles(mcp__revision v) { return v >= MCP_V_2025_06_18; }
static inline bool mcp_v_resource_link(mcp__revision v) { return v >= MCP_V_2025_06_18; }
static inline bool mcp_v_icons(mcp__revision v) { return v >= MCP_V_2025_11_25; }
static inline bool mcp_v_sse_priming(mcp__revision v) { return v >= MCP_V_2025_11_25; }
static inline bool mcp_v_annotations(mcp__revision v) { return v >= MCP_V_2025_03_26; }
static inline bool mcp_v_audio(mcp__revision v) { return v >= MCP_V_2025_03_26; }
/* One gate per feature, even where two arrived in the same revision. */
static inline bool mcp_v_progress_message(mcp__revision v) { return v >= MCP_V_2025_03_26; } /* progress "message" */
static inline bool mcp_v_server_description(mcp__revision v) { return v >= MCP_V_2025_11_25; } /* serverInfo.description */
static inline bool mcp_v_website_url(mcp__revision v) { return v >= MCP_V_2025_11_25; }      /* serverInfo.websiteUrl */

#endif
