#!/usr/bin/env bash
# notifications/tasks on subscriptions/listen (tasks extension, issue 18),
# with curl over HTTP against mcp-everything --mode stateless, 2026-07-28:
#   1. tools/call slow_compute (2 s) declaring the extension: a task;
#   2. subscriptions/listen with notifications.taskIds [that id, an unknown
#      one]: the acknowledgement lists exactly the task's id;
#   3. the stream then carries notifications/tasks for it, the last one the
#      terminal DetailedTask (status completed, result), tagged with the
#      listen's subscriptionId, equal to what tasks/get returns;
#   4. a client that does not declare the extension asking for taskIds gets
#      400 + -32021; closing the stream leaves the server serving.
# Env: BUILD_DIR, SOURCE_DIR. One line per check, then "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
. "$(dirname "$0")/lib.sh"
it_begin task-notifications-test

start_everything server --mode stateless --host 127.0.0.1 || die "mcp-everything started" "$(cat "$TMP/server.err")"

EXT='{"io.modelcontextprotocol/tasks":{}}'
# body ID METHOD PARAMS_JSON CAPS_JSON: a 2026-07-28 request body.
body() {
    python3 -c 'import json,sys
p = json.loads(sys.argv[3]); p["_meta"] = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
  "io.modelcontextprotocol/clientInfo": {"name": "curl-tasknotif", "version": "1.0.0"},
  "io.modelcontextprotocol/clientCapabilities": json.loads(sys.argv[4])}
print(json.dumps({"jsonrpc": "2.0", "id": int(sys.argv[1]), "method": sys.argv[2], "params": p}))' "$@"
}
# post OUT METHOD NAME BODY: POST with the modern headers; prints the status.
post() {
    curl -s --max-time 10 -o "$TMP/$1" -w '%{http_code}' -X POST "$URL" \
        -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2026-07-28' -H "Mcp-Method: $2" ${3:+-H "Mcp-Name: $3"} --data-binary "$4"
}
# msgs FILE: the JSON-RPC messages of a response (JSON or SSE), one per line.
cat >"$TMP/msgs.py" <<'PY'
import json, sys
text = open(sys.argv[1], 'rb').read().decode('utf-8', 'replace').replace('\r', '')
try:
    print(json.dumps(json.loads(text)))
except ValueError:
    for line in text.split('\n'):
        if line.startswith('data:') and line[5:].strip():
            print(line[5:].strip())
PY
msgs() { python3 "$TMP/msgs.py" "$1" 2>/dev/null; }

# 1. a slow task
code=$(post create tools/call slow_compute "$(body 1 tools/call '{"name":"slow_compute","arguments":{"seconds":2,"label":"n"}}' "{\"extensions\":$EXT}")")
TID=$(msgs "$TMP/create" | python3 -c 'import json,sys
r = json.loads(sys.stdin.readlines()[-1])["result"]
assert r["resultType"] == "task" and r["status"] == "working"; print(r["taskId"])' 2>/dev/null)
[ "$code" = 200 ] && [ -n "$TID" ] || die "slow_compute answers a CreateTaskResult" "HTTP $code: $(head -c 400 "$TMP/create")"
pass "slow_compute answers a CreateTaskResult"

# 2. listen for it (and an unknown id) on a long-lived stream
LBODY=$(body 42 subscriptions/listen "{\"notifications\":{\"taskIds\":[\"$TID\",\"0123456789abcdef0123456789abcdef\"]}}" "{\"extensions\":$EXT}")
curl -s -N --max-time 30 -o "$TMP/listen" -X POST "$URL" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: subscriptions/listen' --data-binary "$LBODY" &
LPID=$!
PIDS+=("$LPID")
# seen PYEXPR: bounded wait (<= 10 s) until PYEXPR holds over m, the stream's messages.
seen() {
    for _ in $(seq 1 100); do
        msgs "$TMP/listen" | python3 -c 'import json,sys
m = [json.loads(l) for l in sys.stdin if l.strip()]
sys.exit(0 if ('"$1"') else 1)' "$TID" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
seen 'len(m) >= 1 and m[0]["method"] == "notifications/subscriptions/acknowledged" and m[0]["params"]["notifications"].get("taskIds") == [sys.argv[1]] and m[0]["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 42'
check "the acknowledgement lists the task id, not the unknown one" $? "$(head -c 400 "$TMP/listen")"

# 3. its terminal state arrives as notifications/tasks
TERM_OK='any(x.get("method") == "notifications/tasks" and x["params"]["status"] == "completed" for x in m)'
seen "$TERM_OK"
check "notifications/tasks brings the terminal state" $? "$(head -c 600 "$TMP/listen")"
seen 'all(x["params"]["taskId"] == sys.argv[1] and x["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"] == 42 and "_p" not in x["params"] and "requestState" not in x["params"] for x in m[1:]) and all(x.get("method") in ("notifications/tasks",) for x in m[1:])'
check "every notification is notifications/tasks for that id, tagged, without private keys" $? "$(head -c 600 "$TMP/listen")"
code=$(post get tasks/get "$TID" "$(body 2 tasks/get "{\"taskId\":\"$TID\"}" "{\"extensions\":$EXT}")")
msgs "$TMP/get" | tail -n 1 >"$TMP/get.json"
msgs "$TMP/listen" | python3 -c 'import json,sys
m = [json.loads(l) for l in sys.stdin if l.strip()]
last = [x for x in m if x.get("method") == "notifications/tasks"][-1]["params"]
got = json.load(open(sys.argv[1]))["result"]
last.pop("_meta"); got.pop("_meta", None); got.pop("resultType")
assert last == got, (last, got)
assert "result" in last and "slow_compute n done" in last["result"]["content"][0]["text"]' "$TMP/get.json" 2>"$TMP/cmp.err"
check "the notified DetailedTask is what tasks/get returns" $? "HTTP $code $(cat "$TMP/cmp.err" | tail -c 600)"
msgs "$TMP/listen" | grep '"notifications/tasks"' | tail -n 1 >"$TMP/sample.json"
echo "sample: $(cat "$TMP/sample.json")"
echo "statuses: $(msgs "$TMP/listen" | python3 -c 'import json,sys; print([(x["params"].get("status"), x["params"].get("statusMessage")) for x in map(json.loads, sys.stdin) if x.get("method") == "notifications/tasks"])')"

# 4. closing the stream; -32021 without the extension; still serving
kill "$LPID" 2>/dev/null
wait "$LPID" 2>/dev/null
code=$(post nodecl subscriptions/listen "" "$(body 5 subscriptions/listen "{\"notifications\":{\"taskIds\":[\"$TID\"]}}" '{}')")
msgs "$TMP/nodecl" | python3 -c 'import json,sys
e = json.loads(sys.stdin.readlines()[-1])["error"]
assert e["code"] == -32021 and "io.modelcontextprotocol/tasks" in e["data"]["requiredCapabilities"]["extensions"]' 2>/dev/null
r=$?
[ "$code" = 400 ] && [ "$r" = 0 ]
check "taskIds without the extension: 400 + -32021" $? "HTTP $code: $(head -c 300 "$TMP/nodecl")"
code=$(post get2 tasks/get "$TID" "$(body 6 tasks/get "{\"taskId\":\"$TID\"}" "{\"extensions\":$EXT}")")
[ "$code" = 200 ] && kill -0 "$SPID" 2>/dev/null
check "the server still serves after the stream closed" $? "HTTP $code"

finish
