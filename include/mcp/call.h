/* The per-call context a handler receives: build the result, report
 * progress, log, read the session and the client's capabilities, ask the
 * client for input. A handler never sees the transport or protocol era.
 *
 * Ownership: functions ending in _take take ownership of their cJSON or
 * string argument (also on failure); all others copy. */
#ifndef MCP_CALL_H
#define MCP_CALL_H

#include <mcp/common.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>
#include <mcp/server.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- content blocks (return a new cJSON object, NULL on ENOMEM) ---- */
MCP_EXTERN cJSON *mcp_content_text(const char *text);
MCP_EXTERN cJSON *mcp_content_image(const char *base64, const char *mime_type);
MCP_EXTERN cJSON *mcp_content_audio(const char *base64, const char *mime_type);
MCP_EXTERN cJSON *mcp_content_embedded_text(const char *uri, const char *mime_type, const char *text);
MCP_EXTERN cJSON *mcp_content_embedded_blob(const char *uri, const char *mime_type, const char *base64);
MCP_EXTERN cJSON *mcp_content_resource_link(const char *uri, const char *name, const char *mime_type);

/* ---- tool results ---- */
MCP_EXTERN int mcp_call_content_take(mcp_call *call, cJSON *block);
MCP_EXTERN int mcp_call_text(mcp_call *call, const char *fmt, ...) MCP_PRINTF(2, 3);
MCP_EXTERN int mcp_call_text_take(mcp_call *call, char *text);          /* text from malloc */
MCP_EXTERN int mcp_call_image(mcp_call *call, const char *base64, const char *mime_type);
MCP_EXTERN int mcp_call_audio(mcp_call *call, const char *base64, const char *mime_type);
MCP_EXTERN int mcp_call_resource_link(mcp_call *call, const char *uri, const char *name, const char *mime_type);
/* structuredContent; checked against the tool's outputSchema when it has one. */
MCP_EXTERN int mcp_call_structured_take(mcp_call *call, cJSON *value);
/* Mark the result as a tool error (isError: true) with a text message.
 * Returns 0 so a handler can `return mcp_call_error(call, ...)`. */
MCP_EXTERN int mcp_call_error(mcp_call *call, const char *fmt, ...) MCP_PRINTF(2, 3);

/* ---- result _meta (any handler) ----
 * Merge the keys of meta (a JSON object, taken) into the result's _meta;
 * later keys replace earlier ones. -MCP_EINVAL when meta is not an object.
 * mcp_call_content_meta_take puts meta on the last content item added
 * (a content block, or a resources/read contents entry), e.g. MCP Apps'
 * {"ui":{"csp":...}}; -MCP_EINVAL when there is none yet. */
MCP_EXTERN int mcp_call_meta_take(mcp_call *call, cJSON *meta);
MCP_EXTERN int mcp_call_content_meta_take(mcp_call *call, cJSON *meta);

/* ---- resource contents (resources/read handlers) ---- */
MCP_EXTERN int mcp_call_resource_text(mcp_call *call, const char *uri, const char *mime_type, const char *text);
MCP_EXTERN int mcp_call_resource_blob(mcp_call *call, const char *uri, const char *mime_type, const char *base64);

/* ---- prompt messages (prompts/get handlers); role "user" or "assistant" ---- */
MCP_EXTERN int mcp_call_prompt_message_take(mcp_call *call, const char *role, cJSON *content_block);
MCP_EXTERN int mcp_call_prompt_description(mcp_call *call, const char *description);

/* ---- completions ---- */
MCP_EXTERN int mcp_call_complete_value(mcp_call *call, const char *value);

/* ---- notifications related to this call ---- */
/* Progress: sent only when the client gave a progressToken; progress must
 * increase (smaller values are dropped). total < 0 means unknown. */
MCP_EXTERN int mcp_call_progress(mcp_call *call, double progress, double total, const char *message);

typedef enum {
    MCP_LOG_DEBUG, MCP_LOG_INFO, MCP_LOG_NOTICE, MCP_LOG_WARNING,
    MCP_LOG_ERROR, MCP_LOG_CRITICAL, MCP_LOG_ALERT, MCP_LOG_EMERGENCY
} mcp_log_level;
/* notifications/message at level, if the client asked for that level. */
MCP_EXTERN int mcp_call_log(mcp_call *call, mcp_log_level level, const char *logger, const char *fmt, ...)
    MCP_PRINTF(4, 5);

/* ---- context ---- */
MCP_EXTERN bool mcp_call_cancelled(const mcp_call *call);       /* client cancelled or went away */
MCP_EXTERN const cJSON *mcp_call_request_id(const mcp_call *call);
MCP_EXTERN const cJSON *mcp_call_client_capabilities(const mcp_call *call); /* {} when none */
MCP_EXTERN const cJSON *mcp_call_client_info(const mcp_call *call);         /* may be NULL */
MCP_EXTERN const char *mcp_call_protocol_version(const mcp_call *call);
/* Session id, or NULL when the call has no session (stateless HTTP, modern era). */
MCP_EXTERN const char *mcp_call_session_id(const mcp_call *call);
/* W3C trace context for outbound calls (send it as the `traceparent`
 * header): "00-<trace-id>-<span-id>-<flags>", a child of this request's
 * server span, in the caller's trace (from params._meta or the HTTP
 * traceparent header) or in a new one. buf needs 56 bytes; 0 or
 * -MCP_EINVAL. */
MCP_EXTERN int mcp_call_traceparent(const mcp_call *call, char *buf, size_t len);
/* The caller's valid tracestate to pass along unchanged, or NULL. */
MCP_EXTERN const char *mcp_call_tracestate(const mcp_call *call);

/* Per-session application state: small string values by key. Fail with
 * -MCP_EUNSUPPORTED when the call has no session. Values are copies. */
MCP_EXTERN int mcp_call_state_get(mcp_call *call, const char *key, char **value_out /* free() it */);
MCP_EXTERN int mcp_call_state_set(mcp_call *call, const char *key, const char *value);
/* Atomically add delta to an integer value (missing = 0) and return the new value. */
MCP_EXTERN int mcp_call_state_incr(mcp_call *call, const char *key, int64_t delta, int64_t *result);

/* The same increment without holding the handler's thread while a store
 * answers: with sessions in Redis, mcp_call_state_incr waits one round trip
 * on the transport's thread; this sends the command and lets that thread
 * serve other requests meanwhile. then(call, rc, value, userdata) receives
 * what mcp_call_state_incr would have returned (rc 0 and the new value, or
 * a negative code) and finishes the handler's work: it fills the result
 * with mcp_call_* as a handler does and returns what the handler would
 * have returned (it cannot ask for input). The handler returns what this
 * returns, right away, and touches the call no more:
 *
 *   return mcp_call_state_incr_then(call, "count", 1, count_then, NULL);
 *
 * When the value is at hand (sessions in the process, no session, a
 * store that cannot take the command) then runs before this returns and
 * this returns then's result; otherwise this returns MCP_CALL_PENDING and
 * then runs later on the store's thread. One pending operation per call. */
#define MCP_CALL_PENDING 1
typedef int (*mcp_state_incr_then)(mcp_call *call, int rc, int64_t value, void *userdata);
MCP_EXTERN int mcp_call_state_incr_then(mcp_call *call, const char *key, int64_t delta, mcp_state_incr_then then,
                                        void *userdata);

/* ---- asking the client for input (elicitation, sampling, roots) ----
 * Written once, served in every era: the handler asks for what it lacks and
 * returns; the library gets the answers (a real server->client request for
 * legacy sessions, an input_required result for the modern protocol) and
 * calls the handler again with them. Pattern:
 *
 *   const cJSON *answer = mcp_call_input(call, "confirm");
 *   if (!answer)
 *       return mcp_call_need_input(call, "confirm", "elicitation/create", params);
 *
 * params is taken. mcp_call_need_input records the request and returns
 * -MCP_EINPUT; call it once per missing key, then return -MCP_EINPUT. The
 * handler must act only after all input is present. Where no input can be
 * requested (stateless legacy HTTP, or the client lacks the capability) it
 * returns -MCP_EUNSUPPORTED instead; returned as is, the caller gets a clear
 * error saying why. */
MCP_EXTERN const cJSON *mcp_call_input(const mcp_call *call, const char *key);
MCP_EXTERN int mcp_call_need_input(mcp_call *call, const char *key, const char *method, cJSON *params);

#ifdef __cplusplus
}
#endif
#endif
