#!/usr/bin/env bash
# todo-mcp keeps to the WebAPI contract and states todo-api's limits.
# A stand-in todo-api answers with the seed's minimal todo {id, title,
# completed} (no timestamps): create_todo and update_todo must succeed with
# that body passed through as structuredContent, never "Output validation
# error" after the side effect happened. tools/list must state the real
# input limits (title 1..1000 characters, id ranges), a title over 1000
# characters must be refused before todo-api is called, and counter's text
# must be the serialized JSON of its structuredContent. curl only.
# Env: BUILD_DIR, SOURCE_DIR. Prints one line per check, "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"

. "$(dirname "$0")/lib.sh"
it_begin todo-contract-test

[ -x "$MCP_BIN" ] || die "todo-mcp built" "need $MCP_BIN"
command -v python3 >/dev/null && command -v curl >/dev/null || die "python3 and curl available"

# Stand-in WebAPI: POST /todos -> 201 minimal todo, PATCH/GET /todos/N -> 200
# minimal todo; every request line is appended to $TMP/requests.
python3 - "$TMP/requests" >"$TMP/standin.port" 2>"$TMP/standin.log" <<'EOF' &
import http.server, json, sys
LOG = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def answer(self, status, todo):
        with open(LOG, "a") as f:
            f.write(self.command + " " + self.path + "\n")
        body = json.dumps(todo).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(n) or b"{}")
    def do_POST(self):
        b = self.body()
        self.answer(201, {"id": 7, "title": b.get("title", ""), "completed": b.get("completed", False)})
    def do_PATCH(self):
        b = self.body()
        self.answer(200, {"id": int(self.path.rsplit("/", 1)[1]), "title": b.get("title", "t"),
                          "completed": b.get("completed", False)})
    def do_GET(self):
        self.answer(200, {"id": 1, "title": "t", "completed": False})
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 60
s.serve_forever()
EOF
PIDS+=("$!")
API_PORT=$(wait_line "$TMP/standin.port" '/^[0-9][0-9]*$/p')
[ -n "$API_PORT" ] || die "stand-in WebAPI started" "$(cat "$TMP/standin.log")"

"$MCP_BIN" --port 0 --quiet --mode stateful --web-api-base-url "http://127.0.0.1:$API_PORT" 2>"$TMP/mcp.log" &
PIDS+=("$!")
URL=$(wait_line "$TMP/mcp.log" 's|^todo-mcp (stateful) listening on \(http://127\.0\.0\.1:[0-9]*/mcp\)$|\1|p')
[ -n "$URL" ] || die "todo-mcp started" "$(cat "$TMP/mcp.log")"

post() { # post BODY [curl args]: one JSON-RPC message, JSON answers; headers in $TMP/h
    local body=$1
    shift
    curl -s --max-time 15 -D "$TMP/h" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2025-11-25' "$@" -d "$body" "$URL" | sed -n 's/^data: //p;/^{/p'
}
post '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' >/dev/null
SID=$(sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: *\([^[:space:]]*\).*/\1/p' "$TMP/h")
[ -n "$SID" ] || die "stateful session opened"
S=(-H "Mcp-Session-Id: $SID")
post '{"jsonrpc":"2.0","method":"notifications/initialized"}' "${S[@]}" >/dev/null

# json_check NAME JSON PYTHON-EXPR: passes when EXPR (over r = the parsed JSON) is true.
json_check() {
    python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if eval(sys.argv[2]) else 1)' "$2" "$3" 2>/dev/null
    check "$1" $? "$(head -c 400 <<<"$2")"
}

out=$(post '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"create_todo","arguments":{"title":"minimal"}}}' "${S[@]}")
json_check "create_todo with a minimal upstream todo succeeds (no output validation error)" "$out" \
    'not r["result"].get("isError") and r["result"]["structuredContent"] == {"id": 7, "title": "minimal", "completed": False}'
out=$(post '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"update_todo","arguments":{"id":7,"completed":true}}}' "${S[@]}")
json_check "update_todo with a minimal upstream todo passes the body through" "$out" \
    'not r["result"].get("isError") and r["result"]["structuredContent"] == {"id": 7, "title": "t", "completed": True}'

out=$(post '{"jsonrpc":"2.0","id":4,"method":"tools/list"}' "${S[@]}")
json_check "create_todo and update_todo state title minLength 1, maxLength 1000" "$out" \
    'all((t["inputSchema"]["properties"]["title"].get("maxLength"), t["inputSchema"]["properties"]["title"].get("minLength")) == (1000, 1) for t in r["result"]["tools"] if t["name"] in ("create_todo", "update_todo")) and sum(t["name"] in ("create_todo", "update_todo") for t in r["result"]["tools"]) == 2'
json_check "every id input states its range 1..2^53-1" "$out" \
    'all((t["inputSchema"]["properties"]["id"].get("minimum"), t["inputSchema"]["properties"]["id"].get("maximum")) == (1, 9007199254740991) for t in r["result"]["tools"] if "id" in t["inputSchema"].get("properties", {})) and sum("id" in t["inputSchema"].get("properties", {}) for t in r["result"]["tools"]) == 3'
json_check "list_todos states limit 1..1000 and offset >= 0" "$out" \
    '[(p["limit"]["minimum"], p["limit"]["maximum"], p["offset"]["minimum"]) for t in r["result"]["tools"] if t["name"] == "list_todos" for p in [t["inputSchema"]["properties"]]] == [(1, 1000, 0)]'
json_check "create_todo's outputSchema requires only id, title, completed" "$out" \
    '[sorted(t["outputSchema"]["required"]) for t in r["result"]["tools"] if t["name"] == "create_todo"] == [["completed", "id", "title"]]'

before=$(wc -l <"$TMP/requests")
long=$(printf 'x%.0s' $(seq 1 1001))
out=$(post "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"create_todo\",\"arguments\":{\"title\":\"$long\"}}}" "${S[@]}")
after=$(wc -l <"$TMP/requests")
json_check "a 1001-character title is refused by the input schema" "$out" \
    '("error" in r) or r["result"].get("isError")'
check "... before todo-api is called" $([ "$before" = "$after" ]; echo $?) "$before -> $after requests"
out=$(post "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{\"name\":\"create_todo\",\"arguments\":{\"title\":\"${long:1}\"}}}" "${S[@]}")
json_check "a 1000-character title is accepted" "$out" 'not r["result"].get("isError")'
before=$(wc -l <"$TMP/requests")
out=$(post '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"create_todo","arguments":{"title":"   "}}}' "${S[@]}")
after=$(wc -l <"$TMP/requests")
json_check "an all-blank title is refused by the input schema" "$out" '("error" in r) or r["result"].get("isError")'
check "... before todo-api is called" $([ "$before" = "$after" ]; echo $?) "$before -> $after requests"

post '{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"counter","arguments":{}}}' "${S[@]}" >/dev/null
out=$(post '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"counter","arguments":{}}}' "${S[@]}")
json_check "counter's text is the serialized JSON of its structuredContent" "$out" \
    'r["result"]["structuredContent"] == {"count": 2} and json.loads(r["result"]["content"][0]["text"]) == r["result"]["structuredContent"]'

finish
