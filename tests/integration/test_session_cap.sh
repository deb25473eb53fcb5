#!/usr/bin/env bash
# Sessions at the cap (production.md §4), todo-mcp --mode stateful --max-sessions 2
# on loopback with curl: reject (default) answers the third initialize with 503 +
# Retry-After and a JSON-RPC error and counts mcp_sessions_rejected_total;
# evict-lru ends the least recently used idle session (its client gets 404,
# the others keep working), counts mcp_sessions_evicted_total, and never evicts a
# session with work in flight (an open stream): with every session busy,
# initialize gets 503 again. Env: BUILD_DIR, SOURCE_DIR. "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"

. "$(dirname "$0")/lib.sh"
it_begin session-cap-test

start_mcp() { # start_mcp NAME ARGS...: sets URL, BASE
    local name=$1
    shift
    "$MCP_BIN" --port 0 --quiet --mode stateful --max-sessions 2 --web-api-base-url http://127.0.0.1:9 "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    URL=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
    BASE=${URL%/mcp}
}
J=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18')
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
# init: sets CODE, SID (empty on refusal), H
init() {
    CODE=$(curl -s -D "$TMP/h" -o "$TMP/b" --max-time 5 -w '%{http_code}' -X POST "$URL" "${J[@]}" -d "$INIT")
    H=$(tr -d '\r' <"$TMP/h")
    SID=$(sed -n 's/^mcp-session-id: *//Ip' <<<"$H")
    [ -n "$SID" ] && curl -s -o /dev/null --max-time 5 -X POST "$URL" "${J[@]}" -H "Mcp-Session-Id: $SID" \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
}
ping_code() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' -X POST "$URL" "${J[@]}" -H "Mcp-Session-Id: $1" -d '{"jsonrpc":"2.0","id":2,"method":"ping"}'; }
metric() { curl -s --max-time 5 "$BASE/metrics" | awk -v n="$1" '$1 == n { print $2 }'; }

# ---------------------------------------------------------------- reject
start_mcp reject
init; A=$SID; init; B=$SID
init
check "[reject] third initialize at --max-sessions 2: 503 + Retry-After + JSON-RPC error" \
    "$([ "$CODE" = 503 ] && grep -qi '^retry-after:' <<<"$H" && grep -q '"error"' "$TMP/b" && [ -z "$SID" ]; echo $?)" "$CODE $(cat "$TMP/b")"
check "[reject] the first two sessions still work" "$([ "$(ping_code "$A")" = 200 ] && [ "$(ping_code "$B")" = 200 ]; echo $?)"
check "[reject] mcp_sessions_rejected_total 1, evicted 0, active 2" \
    "$([ "$(metric mcp_sessions_rejected_total)" = 1 ] && [ "$(metric mcp_sessions_evicted_total)" = 0 ] && [ "$(metric mcp_sessions_active)" = 2 ]; echo $?)" \
    "$(curl -s "$BASE/metrics" | grep mcp_sessions)"

# ---------------------------------------------------------------- evict-lru
start_mcp evict --session-cap-policy evict-lru
init; A=$SID; init; B=$SID
sleep 0.05
ping_code "$A" >/dev/null          # A used last: B is the least recently used
init; C=$SID
check "[evict-lru] third initialize at the cap: 200 with a new session" "$([ "$CODE" = 200 ] && [ -n "$C" ]; echo $?)" "$CODE"
check "[evict-lru] the least recently used session (B) gets 404" "$([ "$(ping_code "$B")" = 404 ]; echo $?)"
check "[evict-lru] the recently used session (A) and the new one (C) work" \
    "$([ "$(ping_code "$A")" = 200 ] && [ "$(ping_code "$C")" = 200 ]; echo $?)"
check "[evict-lru] mcp_sessions_evicted_total 1, rejected 0, active 2" \
    "$([ "$(metric mcp_sessions_evicted_total)" = 1 ] && [ "$(metric mcp_sessions_rejected_total)" = 0 ] && [ "$(metric mcp_sessions_active)" = 2 ]; echo $?)" \
    "$(curl -s "$BASE/metrics" | grep mcp_sessions)"
# Both sessions busy (an open GET stream each): nothing may be evicted.
for s in "$A" "$C"; do
    curl -s -N --max-time 4 -H 'Accept: text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18' -H "Mcp-Session-Id: $s" "$URL" >/dev/null 2>&1 &
    PIDS+=("$!")
done
for _ in $(seq 1 30); do [ "$(metric mcp_sse_streams_open)" = 2 ] && break; sleep 0.1; done
init
check "[evict-lru] every session busy (open streams): initialize gets 503, nothing evicted" \
    "$([ "$CODE" = 503 ] && [ "$(metric mcp_sessions_evicted_total)" = 1 ] && [ "$(metric mcp_sessions_rejected_total)" = 1 ]; echo $?)" \
    "$CODE $(curl -s "$BASE/metrics" | grep 'mcp_sessions\|sse')"
check "[evict-lru] the busy sessions still work" "$([ "$(ping_code "$A")" = 200 ] && [ "$(ping_code "$C")" = 200 ]; echo $?)"

"$MCP_BIN" --session-cap-policy lru >/dev/null 2>"$TMP/usage"
check "--session-cap-policy with an unknown value is a usage error (exit 2)" "$([ $? = 2 ]; echo $?)" "$(cat "$TMP/usage")"
finish
