/* W3C Trace Context (traceparent / tracestate) for MCP requests: parsing
 * and validation (W3C Trace Context Level 1 §3.2-3.3), the server span id
 * each request gets, and the child traceparent a handler sends on outbound
 * calls. The context comes from params._meta (SEP-414, both eras) or else
 * the transport's HTTP `traceparent` header; without one a request starts a
 * new trace (flags 00, not sampled). No spans are exported: the ids reach
 * the request log line and outbound calls. */
#ifndef MCP_CORE_TRACE_H
#define MCP_CORE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MCP_TRACEPARENT_LEN 55       /* "00-" 32 hex "-" 16 hex "-" 2 hex */
#define MCP_TRACESTATE_MAX 512       /* W3C: at least 512 bytes must be propagated */

typedef struct mcp__trace_parent {
    char trace_id[33];               /* 32 lowercase hex + NUL */
    char parent_id[17];              /* 16 lowercase hex + NUL */
    unsigned char flags;
} mcp__trace_parent;

/* The ids a request carries through the protocol layer (in mcp_exchange). */
typedef struct mcp__trace {
    char trace_id[33];               /* "" until set */
    char span_id[17];                /* this server span */
    char parent_id[17];              /* the caller's span; "" for a new trace */
    unsigned char flags;
} mcp__trace;

/* Parse a traceparent header value. False when it is not valid: wrong
 * shape or length, uppercase hex, version ff, all-zero trace or parent id;
 * versions above 00 are read by their first four fields as W3C requires. */
bool mcp__traceparent_parse(const char *text, mcp__trace_parent *out);

/* True when text is a valid tracestate list (at most 32 members of
 * key=value, W3C §3.3.1, at most MCP_TRACESTATE_MAX bytes). */
bool mcp__tracestate_valid(const char *text);

/* Begin the server span: a new span id under parent (NULL: a new trace). */
void mcp__trace_begin(mcp__trace *t, const mcp__trace_parent *parent);

/* "00-<trace>-<span>-<flags>" for outbound calls (child of the server
 * span). buf needs MCP_TRACEPARENT_LEN + 1 bytes; false when t is unset or
 * buf too small. */
bool mcp__trace_child(const mcp__trace *t, char *buf, size_t len);

#endif
