#!/usr/bin/env bash
# OpenTelemetry MCP conventions (issue 17 item 4, production.md §7) end to
# end on loopback: todo-mcp in front of a small recording WebAPI (a Python
# HTTP server that logs each request's traceparent/tracestate and answers
# like todo-api), and mcp-everything for prompts. Checks:
#   - /metrics has mcp_server_operation_duration_seconds with the §7 buckets
#     and labels mcp_method_name, gen_ai_tool_name / gen_ai_prompt_name,
#     error_type (tool_error, JSON-RPC codes; not for -32601/-32602) and
#     mcp_protocol_version; unknown tool names collapse to "_OTHER";
#   - mcp_server_session_duration_seconds counts a legacy session that ended;
#   - trace context from params._meta (2025 and 2026-07-28) or the HTTP
#     traceparent header reaches the WebAPI as a child traceparent (same
#     trace id, new parent id = the server span id of the log line), with
#     tracestate passed on; invalid values start a new trace.
# Env: BUILD_DIR, SOURCE_DIR. Every wait and loop is bounded.
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
EVERY_BIN="$BUILD_DIR/apps/mcp-everything/mcp-everything"

. "$(dirname "$0")/lib.sh"
it_begin otel-test

for tool in "$MCP_BIN" "$EVERY_BIN"; do
    [ -x "$tool" ] || die "prerequisite present" "missing $tool"
done

# The recording WebAPI: one JSON line per request with its trace headers.
cat >"$TMP/webapi.py" <<'PY'
import json, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
log = open(sys.argv[1], "a", buffering=1)
class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        log.write(json.dumps({"path": self.path, "traceparent": self.headers.get("traceparent"),
                              "tracestate": self.headers.get("tracestate")}) + "\n")
        if self.path.endswith("/99"):
            body, status = b'{"error":"boom"}', 500
        else:
            body, status = json.dumps({"id": 1, "title": "one", "completed": False}).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = ThreadingHTTPServer(("127.0.0.1", 0), H)
print("listening %d" % s.server_address[1], file=sys.stderr, flush=True)
s.serve_forever()
PY
python3 "$TMP/webapi.py" "$TMP/webapi.log" 2>"$TMP/webapi.err" &
PIDS+=("$!")
api_port=$(wait_line "$TMP/webapi.err" 's/^listening \([0-9]*\)$/\1/p')
[ -n "$api_port" ] || die "recording WebAPI started" "$(cat "$TMP/webapi.err")"
: >>"$TMP/webapi.log"

"$MCP_BIN" --port 0 --mode stateful --eras both --web-api-base-url "http://127.0.0.1:$api_port" 2>"$TMP/mcp.log" &
PIDS+=("$!")
mcp_port=$(wait_line "$TMP/mcp.log" 's|^todo-mcp (stateful) listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/mcp$|\1|p')
[ -n "$mcp_port" ] || die "todo-mcp started" "$(cat "$TMP/mcp.log")"
"$EVERY_BIN" --port 0 --mode stateless 2>"$TMP/every.log" &
PIDS+=("$!")
every_port=$(wait_line "$TMP/every.log" 's|^mcp-everything listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/mcp.*|\1|p')
[ -n "$every_port" ] || die "mcp-everything started" "$(cat "$TMP/every.log")"

cat >"$TMP/checks.py" <<'PY'
import json, re, sys, time, urllib.request
mcp, every, api_log, mcp_log = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]

def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else " -- " + str(detail)[:400]), flush=True)

def post(port, body, headers=None):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
    h.update(headers or {})
    req = urllib.request.Request("http://127.0.0.1:%d/mcp" % port, json.dumps(body).encode(), h, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()

def api_requests():
    return [json.loads(l) for l in open(api_log) if l.strip()]

def log_lines():
    out = []
    for l in open(mcp_log):
        if l.startswith("{"):
            try:
                out.append(json.loads(l))
            except ValueError:
                pass
    return out

TP = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")

# --- legacy session
st, h, _ = post(mcp, {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
    "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "otel", "version": "1"}}})
sid = h.get("Mcp-Session-Id") or h.get("mcp-session-id")
check("initialize opens a session", st == 200 and sid, (st, h))
H = {"Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25"}
post(mcp, {"jsonrpc": "2.0", "method": "notifications/initialized"}, H)

def call_tool(rid, args, meta=None, headers=None, name="get_todo", port=None, hdrs=None):
    params = {"name": name, "arguments": args}
    if meta is not None:
        params["_meta"] = meta
    hh = dict(hdrs if hdrs is not None else H)
    hh.update(headers or {})
    return post(port or mcp, {"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": params}, hh)

def last_api():
    reqs = api_requests()
    return reqs[-1] if reqs else {}

T1, P1 = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
st, _, body = call_tool(1, {"id": 1}, meta={"traceparent": "00-%s-%s-01" % (T1, P1), "tracestate": "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"})
check("tools/call with _meta.traceparent answers", st == 200 and '"result"' in body, (st, body))
got = last_api()
m = TP.match(got.get("traceparent") or "")
check("WebAPI got a valid child traceparent", bool(m), got)
check("child traceparent: same trace id", m and m.group(1) == T1, got)
check("child traceparent: new parent id (not the caller's span)", m and m.group(2) != P1, got)
check("child traceparent: the caller's sampled flag", m and m.group(3) == "01", got)
check("tracestate passed on unchanged", got.get("tracestate") == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", got)
time.sleep(0.2)
lines = [l for l in log_lines() if l.get("trace_id") == T1]
check("request log line carries trace_id", len(lines) == 1, log_lines()[-3:])
check("request log line span_id = the WebAPI's parent id", lines and m and lines[0].get("span_id") == m.group(2), lines)

T2, P2 = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
call_tool(2, {"id": 1}, headers={"traceparent": "00-%s-%s-00" % (T2, P2)})
got = last_api()
m = TP.match(got.get("traceparent") or "")
check("HTTP traceparent header used without _meta", m and m.group(1) == T2 and m.group(2) != P2 and m.group(3) == "00", got)
call_tool(3, {"id": 1}, meta={"traceparent": "00-%s-%s-01" % (T1, P1)}, headers={"traceparent": "00-%s-%s-00" % (T2, P2)})
got = last_api()
check("_meta wins over the HTTP header", (got.get("traceparent") or "")[3:35] == T1, got)

bad = ["00-%s-%s-01" % (T1.upper(), P1), "00-%s-%s-01" % ("0" * 32, P1), "00-%s-%s-01" % (T1, "0" * 16),
       "ff-%s-%s-01" % (T1, P1), "00-%s-%s-01-extra" % (T1, P1), "00-%s-%s-1" % (T1, P1), "garbage"]
for i, tp in enumerate(bad):
    call_tool(10 + i, {"id": 1}, meta={"traceparent": tp, "tracestate": "a=b"})
    got = last_api()
    m = TP.match(got.get("traceparent") or "")
    check("invalid traceparent %r starts a new trace" % tp, m and m.group(1) not in (T1, T1.lower(), "0" * 32) and got.get("tracestate") is None, got)
call_tool(20, {"id": 1})
got = last_api()
check("no trace context: a new trace, still propagated", bool(TP.match(got.get("traceparent") or "")), got)
call_tool(21, {"id": 1}, meta={"traceparent": "01-%s-%s-01-future" % (T1, P1)})
check("a future version is read by its first four fields", (last_api().get("traceparent") or "")[3:35] == T1, last_api())
call_tool(22, {"id": 1}, meta={"traceparent": "00-%s-%s-01" % (T1, P1), "tracestate": "Bad Key=1"})
check("invalid tracestate is dropped, traceparent kept", last_api().get("tracestate") is None and (last_api().get("traceparent") or "")[3:35] == T1, last_api())

# --- modern 2026-07-28 (stateless per request), _meta traceparent
T3 = "11111111111111111111111111111111"
meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "otel", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}, "traceparent": "00-%s-%s-01" % (T3, P1)}
st, _, body = call_tool(30, {"id": 1}, meta=meta, hdrs={"MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": "get_todo"})
check("2026-07-28: tools/call answers", st == 200 and '"result"' in body, (st, body))
check("2026-07-28: _meta traceparent reaches the WebAPI", (last_api().get("traceparent") or "")[3:35] == T3, last_api())

# --- metric labels
call_tool(40, {"id": 99})                               # WebAPI 500: isError
call_tool(41, {}, name="no_such_tool")                  # -32602, unknown name
post(mcp, {"jsonrpc": "2.0", "id": 42, "method": "no/such/method"}, H)   # -32601
for i in range(3):
    post(every, {"jsonrpc": "2.0", "id": 50 + i, "method": "prompts/get", "params": {"name": "test_simple_prompt"}},
         {"MCP-Protocol-Version": "2025-06-18"})
req = urllib.request.Request("http://127.0.0.1:%d/mcp" % mcp, method="DELETE", headers=H)
urllib.request.urlopen(req, timeout=10).read()

def metrics(port):
    return urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=10).read().decode()
text = metrics(mcp)
def series(t, name):
    return [l for l in t.splitlines() if l.startswith(name + "_count{")]
ops = series(text, "mcp_server_operation_duration_seconds")
def has(labels, t=ops):
    return any(all(('%s="%s"' % kv) in l for kv in labels.items()) for l in t)
check("histogram TYPE line", "# TYPE mcp_server_operation_duration_seconds histogram" in text)
check("tools/call get_todo series with protocol version",
      has({"mcp_method_name": "tools/call", "gen_ai_tool_name": "get_todo", "mcp_protocol_version": "2025-11-25"}), ops)
check("2026-07-28 series labelled with its version",
      has({"mcp_method_name": "tools/call", "gen_ai_tool_name": "get_todo", "mcp_protocol_version": "2026-07-28"}), ops)
check("isError result: error_type=\"tool_error\"",
      has({"gen_ai_tool_name": "get_todo", "error_type": "tool_error"}), ops)
unk = [l for l in ops if 'gen_ai_tool_name="_OTHER"' in l]
check("unknown tool name collapses to _OTHER, -32602 is not an error",
      unk and all("error_type" not in l for l in unk) and "no_such_tool" not in text, unk)
nf = [l for l in ops if 'mcp_method_name="_OTHER"' in l]
check("unknown method: _OTHER, -32601 is not an error", nf and all("error_type" not in l for l in nf), nf)
ok = [l for l in ops if 'gen_ai_tool_name="get_todo"' in l and "error_type" not in l]
check("successful calls carry no error_type", bool(ok), ops)
check("initialize is measured", has({"mcp_method_name": "initialize"}), ops)
les = re.findall(r'mcp_server_operation_duration_seconds_bucket\{mcp_method_name="initialize"[^}]*le="([^"]+)"\}', text)
check("buckets are production.md §7's", les == ["0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1", "2", "5", "10", "30", "60", "120", "300", "+Inf"], les)
cnt = [l for l in ops if 'gen_ai_tool_name="get_todo"' in l and 'mcp_protocol_version="2025-11-25"' in l and "error_type" not in l]
n = int(cnt[0].rsplit(" ", 1)[1]) if cnt else 0
check("count matches the successful get_todo calls (13 with 2025-11-25)", n == 13, cnt)
sess = series(text, "mcp_server_session_duration_seconds")
check("session duration recorded when the session ended",
      any('mcp_protocol_version="2025-11-25"' in l and l.endswith(" 1") for l in sess), sess)
pr = series(metrics(every), "mcp_server_operation_duration_seconds")
check("prompts/get carries gen_ai_prompt_name",
      has({"mcp_method_name": "prompts/get", "gen_ai_prompt_name": "test_simple_prompt", "mcp_protocol_version": "2025-06-18"}, pr), pr)
PY
python3 "$TMP/checks.py" "$mcp_port" "$every_port" "$TMP/webapi.log" "$TMP/mcp.log" >"$TMP/results" 2>&1
while IFS= read -r line; do
    case $line in
        "PASS "*) pass "${line#PASS }" ;;
        "FAIL "*) fail "${line#FAIL }" ;;
        *) fail "checks script" "$line" ;;
    esac
done <"$TMP/results"

finish
