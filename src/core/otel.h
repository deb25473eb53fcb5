/* OpenTelemetry MCP semantic conventions (status: development), as
 * Prometheus histograms (production.md §7): mcp.server.operation.duration
 * with mcp_method_name, gen_ai_tool_name / gen_ai_prompt_name, error_type
 * and mcp_protocol_version labels, and mcp.server.session.duration for
 * legacy sessions. Recording is lock-free: one series per label set in a
 * fixed open-addressing table of atomic pointers, created once (CAS) and
 * then only incremented with relaxed atomics. Cardinality is bounded:
 * methods come from a fixed list, tool and prompt names only from the
 * registry (unknown ones collapse to "_OTHER"), and a full table folds new
 * label sets into one overflow series. */
#ifndef MCP_CORE_OTEL_H
#define MCP_CORE_OTEL_H

#include <stdbool.h>
#include <stdint.h>

#include <mcp/server.h>

#include "base/util.h"
#include "core/version.h"

typedef struct mcp__otel mcp__otel;

/* error_type values besides JSON-RPC codes. */
#define MCP_OTEL_NO_ERROR 0
#define MCP_OTEL_TOOL_ERROR 1       /* a CallToolResult with isError: "tool_error" */

typedef enum { MCP_OTEL_TARGET_NONE = 0, MCP_OTEL_TARGET_TOOL, MCP_OTEL_TARGET_PROMPT } mcp__otel_target;

mcp__otel *mcp__otel_new(void);
void mcp__otel_free(mcp__otel *o);

/* Durations are measured with mcp__now_us (base/clock.h). */

/* The error_type of a response: MCP_OTEL_NO_ERROR (a result, or one of the
 * codes that are the caller's fault: -32700, -32600, -32601, -32602,
 * -32002), MCP_OTEL_TOOL_ERROR, or the JSON-RPC code. */
int mcp__otel_error_type(int jsonrpc_code, bool has_error, bool tool_error);

/* One finished operation. target is the registered tool/prompt name (NULL
 * or target_kind NONE: no such label; a kind with NULL name: "_OTHER"). */
void mcp__otel_operation(mcp__otel *o, const char *method, mcp__revision version, mcp__otel_target target_kind,
                         const char *target, int error_type, uint64_t micros);

/* A legacy session that began on this instance has ended. */
void mcp__otel_session_ended(mcp__otel *o, mcp__revision version, uint64_t micros);

/* The server's histograms (created with it). */
mcp__otel *mcp__server_otel(mcp_server *srv);

/* Both histograms as Prometheus text. */
void mcp__otel_render(const mcp__otel *o, strbuf *out);

#endif
