#!/usr/bin/env bash
# Liveness vs readiness and the SIGTERM sequence (production.md §5), on loopback:
# /healthz answers 200 while the process serves, whatever the store; /readyz
# answers 503 while the Redis store is down and while draining; probes ignore
# the Host allow-list. On SIGTERM (--drain-delay-ms 800): /readyz turns 503 at
# once while requests are still served, a call in flight (slow upstream, 2.5 s: past the delay, into the drain)
# still gets its result, new connections are refused once the delay is over,
# the open GET stream ends with a retry: hint, a
# 2026-07-28 listen stream ends with its subscriptions/listen result, and
# the process exits 0. Env: BUILD_DIR, SOURCE_DIR. Prints "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"

. "$(dirname "$0")/lib.sh"
it_begin probes-test

code() { curl -s -o "$TMP/pb" --max-time 5 -w '%{http_code}' "$@"; }
start_mcp() { # start_mcp NAME ARGS...: sets URL, BASE, MPID
    local name=$1
    shift
    "$MCP_BIN" --port 0 "$@" 2>"$TMP/$name.log" &
    MPID=$!
    PIDS+=("$MPID")
    URL=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
    BASE=${URL%/mcp}
}
J=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18')
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'

# ---------------------------------------------------------------- no store
start_mcp plain --quiet --web-api-base-url http://127.0.0.1:9
check "/healthz: 200 {status: ok}" "$([ "$(code "$BASE/healthz")" = 200 ] && grep -q '"status":"ok"' "$TMP/pb"; echo $?)" "$(cat "$TMP/pb")"
check "/readyz: 200 {status: ready, store: none}" \
    "$([ "$(code "$BASE/readyz")" = 200 ] && grep -q '"status":"ready".*"store":"none"' "$TMP/pb"; echo $?)" "$(cat "$TMP/pb")"
check "/readyz ignores the Host allow-list (kubelet probes by pod IP)" \
    "$([ "$(code -H 'Host: 10.1.2.3:8080' "$BASE/readyz")" = 200 ] && [ "$(code -H 'Host: 10.1.2.3:8080' "$BASE/healthz")" = 200 ]; echo $?)"
check "POST /readyz is not a probe (404)" "$([ "$(code -X POST -d x "$BASE/readyz")" = 404 ]; echo $?)"
stop_pid "$MPID"

# ---------------------------------------------------------------- Redis down
REDIS_SERVER=$(command -v redis-server || true)
if [ -n "$REDIS_SERVER" ]; then
    RPORT=$(free_port)
    "$REDIS_SERVER" --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
        --logfile "$TMP/redis.log" &
    RPID=$!
    PIDS+=("$RPID")
    for _ in $(seq 1 50); do redis-cli -p "$RPORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
    start_mcp redis --quiet --mode stateful --store "redis://127.0.0.1:$RPORT/0" --web-api-base-url http://127.0.0.1:9
    check "store up: /readyz 200 (store ok)" "$([ "$(code "$BASE/readyz")" = 200 ] && grep -q '"store":"ok"' "$TMP/pb"; echo $?)" "$(cat "$TMP/pb")"
    stop_pid "$RPID" KILL
    rz=""
    for _ in $(seq 1 30); do rz=$(code "$BASE/readyz"); [ "$rz" = 503 ] && break; sleep 0.1; done
    check "store down: /readyz turns 503 within 3 s (store unreachable, Retry-After)" \
        "$([ "$rz" = 503 ] && grep -q '"store":"unreachable"' "$TMP/pb"; echo $?)" "$rz $(cat "$TMP/pb")"
    check "store down: /healthz (liveness) stays 200" "$([ "$(code "$BASE/healthz")" = 200 ]; echo $?)" "$(cat "$TMP/pb")"
    stop_pid "$MPID"
else
    fail "redis-server present (scripts/setup installs it)"
fi

# ---------------------------------------------------------------- SIGTERM
# An upstream whose answer takes 2.5 s: the call is in flight when SIGTERM lands.
python3 - >"$TMP/slow.port" 2>/dev/null <<'EOF' &
import http.server, json, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        time.sleep(2.5)
        b = json.dumps({"id": 1, "title": "slow todo", "completed": False, "createdAt": "x", "updatedAt": "x"}).encode()
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b))); self.end_headers(); self.wfile.write(b)
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.timeout = 1
end = time.time() + 60
while time.time() < end: s.handle_request()
EOF
PIDS+=("$!")
SLOW=$(wait_line "$TMP/slow.port" '/^[0-9][0-9]*$/p')
[ -n "$SLOW" ] || die "slow upstream started"
start_mcp drain --mode stateful --eras both --drain-delay-ms 800 --web-api-base-url "http://127.0.0.1:$SLOW"
curl -s -D "$TMP/ih" -o /dev/null --max-time 5 -X POST "$URL" "${J[@]}" -d "$INIT"
SID=$(tr -d '\r' <"$TMP/ih" | sed -n 's/^mcp-session-id: *//Ip')
S=(-H "Mcp-Session-Id: $SID")
curl -s -o /dev/null --max-time 5 -X POST "$URL" "${J[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
curl -s -N --max-time 15 -H 'Accept: text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18' "${S[@]}" "$URL" >"$TMP/stream" 2>/dev/null &
STREAM_PID=$!
PIDS+=("$STREAM_PID")
# A 2026-07-28 listen stream: it must end with its subscriptions/listen result.
LISTEN='{"jsonrpc":"2.0","id":40,"method":"subscriptions/listen","params":{"notifications":{"toolsListChanged":true},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"curl","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'
curl -s -N --max-time 15 -X POST "$URL" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: subscriptions/listen' -d "$LISTEN" >"$TMP/listen" 2>/dev/null &
LISTEN_PID=$!
PIDS+=("$LISTEN_PID")
curl -s --max-time 15 -o "$TMP/inflight" -w '%{http_code}' -X POST "$URL" "${J[@]}" "${S[@]}" \
    -d '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}' >"$TMP/inflight.code" &
CALL_PID=$!
PIDS+=("$CALL_PID")
sleep 0.3
kill -TERM "$MPID"
sleep 0.2
check "SIGTERM: /readyz answers 503 at once (draining)" \
    "$([ "$(code "$BASE/readyz")" = 503 ] && grep -q '"draining":true' "$TMP/pb"; echo $?)" "$(cat "$TMP/pb")"
check "SIGTERM: /healthz is still 200 while draining" "$([ "$(code "$BASE/healthz")" = 200 ]; echo $?)"
check "SIGTERM: during --drain-delay-ms a new request is still served (ping 200)" \
    "$([ "$(code -X POST "$URL" "${J[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":8,"method":"ping"}')" = 200 ]; echo $?)" "$(cat "$TMP/pb")"
# Past the 800 ms delay the call (2.5 s upstream) is still in flight: the
# listening socket must already refuse, so a balancer fails over at once.
sleep 1
curl -s -o /dev/null --max-time 2 "$BASE/healthz"; CONNECT_RC=$?
check "SIGTERM: after the drain delay a new connection is refused (curl exit 7)" \
    "$([ "$CONNECT_RC" = 7 ] && kill -0 "$CALL_PID" 2>/dev/null; echo $?)" "curl exit $CONNECT_RC"
wait "$CALL_PID"
check "SIGTERM: the call in flight finished with its result" \
    "$([ "$(cat "$TMP/inflight.code")" = 200 ] && grep -q 'slow todo' "$TMP/inflight"; echo $?)" "$(cat "$TMP/inflight.code") $(head -c 300 "$TMP/inflight")"
for _ in $(seq 1 100); do kill -0 "$STREAM_PID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM: the GET stream ended (connection closed) with a retry: hint" \
    "$(! kill -0 "$STREAM_PID" 2>/dev/null && grep -q '^retry:' "$TMP/stream"; echo $?)" "$(tail -c 200 "$TMP/stream")"
for _ in $(seq 1 100); do kill -0 "$LISTEN_PID" 2>/dev/null || break; sleep 0.1; done
check "SIGTERM: the 2026-07-28 listen stream got its acknowledgement, then ended with its result (id 40)" \
    "$(python3 - "$TMP/listen" <<'EOF'
import json, sys
msgs = [json.loads(l[5:]) for l in open(sys.argv[1]).read().splitlines() if l.startswith('data:') and l[5:].strip()]
ack = any(m.get('method') == 'notifications/subscriptions/acknowledged' for m in msgs)
sys.exit(0 if ack and msgs and msgs[-1].get('id') == 40 and 'result' in msgs[-1] else 1)
EOF
echo $?)" "$(tail -c 300 "$TMP/listen")"
stop_pid "$MPID"
check "SIGTERM: todo-mcp exits 0" "$([ "$STOP_RC" = 0 ]; echo $?)" "rc $STOP_RC"
finish
