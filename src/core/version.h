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
} mcp_version;

#define MCP_V_LEGACY_LATEST MCP_V_2025_11_25
#define MCP_V_MODERN_LATEST MCP_V_2026_07_28

const char *mcp_version_name(mcp_version v);
int mcp_version_parse(const char *name);          /* mcp_version or -1 */
bool mcp_version_is_modern(mcp_version v);

/* Feature gates: what a client on version v understands. */
static inline bool mcp_v_batching(mcp_version v) { return v == MCP_V_2025_03_26; }
static inline bool mcp_v_structured(mcp_version v) { return v >= MCP_V_2025_06_18; }
static inline bool mcp_v_titles(mcp_version v) { return v >= MCP_V_2025_06_18; }
static inline bool mcp_v_resource_link(mcp_version v) { return v >= MCP_V_2025_06_18; }
static inline bool mcp_v_icons(mcp_version v) { return v >= MCP_V_2025_11_25; }
static inline bool mcp_v_sse_priming(mcp_version v) { return v >= MCP_V_2025_11_25; }
static inline bool mcp_v_annotations(mcp_version v) { return v >= MCP_V_2025_03_26; }
static inline bool mcp_v_audio(mcp_version v) { return v >= MCP_V_2025_03_26; }

#endif
