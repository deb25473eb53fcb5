#!/usr/bin/env bash
# Resource subscriptions end to end with curl (issue 14 item 2), against
# todo-mcp over a real todo-api:
# - stateful HTTP: initialize advertises resources.subscribe; a session with
#   its GET stream open subscribes to todo://todos/ID, update_todo (called
#   from that session or another) sends notifications/resources/updated
#   {uri} on that GET stream; a second session that did not subscribe gets
#   nothing; unsubscribe stops it; create_todo updates todo://todos;
# - stateless HTTP: no resources.subscribe, resources/subscribe is -32601;
# - 2026-07-28: subscriptions/listen {resourceSubscriptions: [URI]} gets
#   resources/updated for URI (tagged), and nothing for other URIs;
# - stdio: subscribe, update_todo -> the notification on stdout;
# - two instances sharing Redis: the record keeps the subscription (field r)
#   and an update made on instance A reaches the GET stream held by B.
# Env: BUILD_DIR, SOURCE_DIR. Prints one line per check and "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"

. "$(dirname "$0")/lib.sh"
it_begin subscriptions-test

command -v python3 >/dev/null && command -v curl >/dev/null || die "python3 and curl available"
[ -x "$MCP_BIN" ] || die "todo-mcp built" "$MCP_BIN"

start_todo_api

V=2025-06-18
# rpc URL SID BODY: one POST (SID may be empty); prints the response body.
rpc() {
    local url=$1 sid=$2 body=$3
    curl -s --max-time 15 -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H "MCP-Protocol-Version: $V" \
        ${sid:+-H "Mcp-Session-Id: $sid"} -d "$body" "$url"
}
# init URL: initialize + notifications/initialized; prints the session id,
# leaves the initialize body in $TMP/init.json.
init() {
    local sid
    sid=$(curl -s --max-time 15 -D - -o "$TMP/init.json" -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"'$V'","capabilities":{},"clientInfo":{"name":"subs-test","version":"1"}}}' \
        "$1" | tr -d '\r' | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
    rpc "$1" "$sid" '{"jsonrpc":"2.0","method":"notifications/initialized"}' >/dev/null
    echo "$sid"
}
# json FILE EXPR: python expression over the JSON-RPC message in FILE (SSE or JSON) as m.
json() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
msgs = [json.loads(l[5:]) for l in text.splitlines() if l.startswith('data:') and l[5:].strip()]
if not msgs and text.strip():
    msgs = [json.loads(text)]
m = msgs[-1] if msgs else {}
sys.exit(0 if eval(sys.argv[2]) else 1)
EOF
}
# updates FILE URI: how many notifications/resources/updated for URI FILE holds.
updates() {
    python3 - "$1" "$2" <<'EOF'
import json, sys
n = 0
for l in open(sys.argv[1]).read().splitlines():
    if l.startswith('data:') and l[5:].strip():
        m = json.loads(l[5:])
        if m.get('method') == 'notifications/resources/updated' and m.get('params', {}).get('uri') == sys.argv[2]:
            n += 1
print(n)
EOF
}
# wait_updates FILE URI N: until FILE holds N updates for URI (at most 5 s).
wait_updates() {
    for _ in $(seq 1 50); do
        [ "$(updates "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.1
    done
    return 1
}
# get_stream URL SID OUT: the standalone GET SSE stream in the background (at most 60 s).
get_stream() {
    curl -s -N --max-time 60 -H 'Accept: text/event-stream' -H "MCP-Protocol-Version: $V" \
        -H "Mcp-Session-Id: $2" "$1" >"$3" 2>/dev/null &
    PIDS+=("$!")
    sleep 0.3
}
call() { # call URL SID ID TOOL ARGS_JSON
    rpc "$1" "$2" '{"jsonrpc":"2.0","id":'$3',"method":"tools/call","params":{"name":"'$4'","arguments":'$5'}}'
}

id=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d '{"title":"watched"}' "$API_URL/todos" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$id" ] || die "todo created in todo-api"
URI="todo://todos/$id"

# ---------------- stateful HTTP
start_todo_mcp stateful --mode stateful --web-api-base-url "$API_URL"
A=$(init "$MCP_URL")
json "$TMP/init.json" "m['result']['capabilities']['resources'].get('subscribe') is True"
check "stateful: initialize advertises resources.subscribe" $?
B=$(init "$MCP_URL")
[ -n "$A" ] && [ -n "$B" ] || die "stateful: two sessions" "A=$A B=$B"
get_stream "$MCP_URL" "$A" "$TMP/a.sse"
get_stream "$MCP_URL" "$B" "$TMP/b.sse"
rpc "$MCP_URL" "$A" '{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"'"$URI"'"}}' >"$TMP/sub.json"
json "$TMP/sub.json" "m.get('result') == {}"
check "stateful: resources/subscribe answers {}" $? "$(cat "$TMP/sub.json")"
rpc "$MCP_URL" "$A" '{"jsonrpc":"2.0","id":3,"method":"resources/subscribe","params":{"uri":"todo://todos"}}' >/dev/null
call "$MCP_URL" "$B" 4 update_todo '{"id":'"$id"',"completed":true}' >"$TMP/upd.json"
json "$TMP/upd.json" "m['result'].get('isError') is not True"
check "stateful: update_todo succeeded" $? "$(cat "$TMP/upd.json")"
wait_updates "$TMP/a.sse" "$URI" 1
check "stateful: the subscribed session's GET stream gets resources/updated {uri: $URI}" $? "$(cat "$TMP/a.sse")"
wait_updates "$TMP/a.sse" "todo://todos" 1
check "stateful: ... and todo://todos (the list) too" $? "$(cat "$TMP/a.sse")"
call "$MCP_URL" "$A" 5 create_todo '{"title":"second"}' >/dev/null
wait_updates "$TMP/a.sse" "todo://todos" 2
check "stateful: create_todo updates todo://todos" $? "$(cat "$TMP/a.sse")"
sleep 0.3
[ "$(updates "$TMP/b.sse" "$URI")" = 0 ] && [ "$(updates "$TMP/b.sse" "todo://todos")" = 0 ]
check "stateful: a session that did not subscribe gets nothing" $? "$(cat "$TMP/b.sse")"
rpc "$MCP_URL" "$A" '{"jsonrpc":"2.0","id":6,"method":"resources/unsubscribe","params":{"uri":"'"$URI"'"}}' >"$TMP/unsub.json"
json "$TMP/unsub.json" "m.get('result') == {}"
check "stateful: resources/unsubscribe answers {}" $? "$(cat "$TMP/unsub.json")"
call "$MCP_URL" "$B" 7 update_todo '{"id":'"$id"',"completed":false}' >/dev/null
wait_updates "$TMP/a.sse" "todo://todos" 3
sleep 0.2
[ "$(updates "$TMP/a.sse" "$URI")" = 1 ]
check "stateful: after unsubscribe no more updates for $URI (the list still comes)" $? "$(cat "$TMP/a.sse")"
call "$MCP_URL" "$A" 8 delete_todo '{"id":999999}' >"$TMP/del.json"
json "$TMP/del.json" "m['result'].get('isError') is True"
check "stateful: deleting a missing todo is a tool error" $? "$(cat "$TMP/del.json")"
sleep 0.3
[ "$(updates "$TMP/a.sse" "todo://todos")" = 3 ]
check "stateful: ... and reports no change" $? "$(cat "$TMP/a.sse")"

rpc "$MCP_URL" "$A" '{"jsonrpc":"2.0","id":9,"method":"resources/list"}' >"$TMP/list.json"
json "$TMP/list.json" "any(r['uri'] == 'todo://todos' for r in m['result']['resources'])"
check "stateful: resources/list names todo://todos" $? "$(cat "$TMP/list.json")"
rpc "$MCP_URL" "$A" '{"jsonrpc":"2.0","id":10,"method":"resources/read","params":{"uri":"todo://todos"}}' >"$TMP/read.json"
json "$TMP/read.json" "any(t['title'] == 'second' for t in __import__('json').loads(m['result']['contents'][0]['text'])['todos'])"
check "stateful: resources/read todo://todos lists the todos" $? "$(cat "$TMP/read.json")"

# ---------------- stateless HTTP
start_todo_mcp stateless --mode stateless --web-api-base-url "$API_URL"
rpc "$MCP_URL" "" '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"'$V'","capabilities":{},"clientInfo":{"name":"subs-test","version":"1"}}}' >"$TMP/sl-init.json"
json "$TMP/sl-init.json" "'subscribe' not in m['result']['capabilities']['resources'] and m['result']['capabilities']['resources'].get('listChanged') is True"
check "stateless: initialize advertises resources without subscribe" $? "$(cat "$TMP/sl-init.json")"
rpc "$MCP_URL" "" '{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"'"$URI"'"}}' >"$TMP/sl-sub.json"
json "$TMP/sl-sub.json" "m['error']['code'] == -32601 and 'session' in m['error']['message']"
check "stateless: resources/subscribe is -32601 naming the missing session" $? "$(cat "$TMP/sl-sub.json")"

# ---------------- 2026-07-28: subscriptions/listen with resourceSubscriptions
SL_URL=$MCP_URL
META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"subs-test","version":"1"}}'
# modern METHOD BODY [curl args...]: one 2026-07-28 POST.
modern() {
    local method=$1 body=$2
    shift 2
    curl -s -N -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2026-07-28' -H "Mcp-Method: $method" "$@" -d "$body" "$SL_URL"
}
# listen ID URI OUT: a listen stream for URI in the background (at most 30 s).
listen() {
    modern subscriptions/listen '{"jsonrpc":"2.0","id":"'$1'","method":"subscriptions/listen","params":{'"$META"',"notifications":{"resourceSubscriptions":["'$2'"]}}}' \
        --max-time 30 >"$3" 2>/dev/null &
    PIDS+=("$!")
}
listen L1 "$URI" "$TMP/l1.sse"
listen L2 "todo://todos/999999" "$TMP/l2.sse"
for _ in $(seq 1 50); do grep -q acknowledged "$TMP/l1.sse" && grep -q acknowledged "$TMP/l2.sse" && break; sleep 0.1; done
python3 - "$TMP/l1.sse" "$URI" <<'EOF'
import json, sys
msgs = [json.loads(l[5:]) for l in open(sys.argv[1]).read().splitlines() if l.startswith('data:') and l[5:].strip()]
a = msgs[0]
sid = a['params']['_meta']['io.modelcontextprotocol/subscriptionId']
sys.exit(0 if a['method'] == 'notifications/subscriptions/acknowledged' and sid == 'L1'
         and a['params']['notifications'] == {'resourceSubscriptions': [sys.argv[2]]} else 1)
EOF
check "listen: acknowledged first, honouring resourceSubscriptions" $? "$(cat "$TMP/l1.sse")"
modern tools/call '{"jsonrpc":"2.0","id":20,"method":"tools/call","params":{'"$META"',"name":"update_todo","arguments":{"id":'"$id"',"title":"modern"}}}' \
    -H 'Mcp-Name: update_todo' --max-time 15 >"$TMP/m-upd.json"
json "$TMP/m-upd.json" "m['result'].get('isError') is not True"
check "listen: update_todo (2026-07-28) succeeded" $? "$(cat "$TMP/m-upd.json")"
wait_updates "$TMP/l1.sse" "$URI" 1
check "listen: the stream gets resources/updated {uri: $URI}" $? "$(cat "$TMP/l1.sse")"
python3 - "$TMP/l1.sse" <<'EOF'
import json, sys
msgs = [json.loads(l[5:]) for l in open(sys.argv[1]).read().splitlines() if l.startswith('data:') and l[5:].strip()]
ok = all(m['params']['_meta']['io.modelcontextprotocol/subscriptionId'] == 'L1' for m in msgs)
ok = ok and not any(m.get('params', {}).get('uri') == 'todo://todos' for m in msgs)   # not asked for
sys.exit(0 if ok else 1)
EOF
check "listen: every message tagged subscriptionId L1, nothing it did not ask for" $? "$(cat "$TMP/l1.sse")"
sleep 0.2
[ "$(grep -c '^data:' "$TMP/l2.sse")" = 1 ]
check "listen: a listener for another URI gets only its acknowledgement" $? "$(cat "$TMP/l2.sse")"

# ---------------- stdio
python3 - "$MCP_BIN" "$API_URL" "$URI" "$id" >"$TMP/stdio.out" 2>"$TMP/stdio.err" <<'EOF'
import json, subprocess, sys, time, select
mcp, api, uri, tid = sys.argv[1:5]
p = subprocess.Popen([mcp, '--transport', 'stdio', '--mode', 'stateful', '--web-api-base-url', api],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
def send(m): p.stdin.write(json.dumps(m) + '\n'); p.stdin.flush()
seen = []
def read_until(pred, secs=10):
    end = time.time() + secs
    while time.time() < end:
        r, _, _ = select.select([p.stdout], [], [], 0.2)
        if r:
            line = p.stdout.readline()
            if not line: break
            m = json.loads(line); seen.append(m)
            if pred(m): return m
    return None
send({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})
init = read_until(lambda m: m.get('id') == 1)
send({"jsonrpc":"2.0","method":"notifications/initialized"})
send({"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":uri}})
sub = read_until(lambda m: m.get('id') == 2)
send({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"update_todo","arguments":{"id":int(tid),"title":"via stdio"}}})
upd = read_until(lambda m: m.get('method') == 'notifications/resources/updated' and m['params']['uri'] == uri)
read_until(lambda m: m.get('id') == 3)
p.stdin.close(); p.wait(timeout=10)
print(json.dumps({"subscribe_cap": init['result']['capabilities']['resources'].get('subscribe') if init else None,
                  "sub": sub.get('result') if sub else None, "updated": upd is not None}))
EOF
json "$TMP/stdio.out" "m['subscribe_cap'] is True and m['sub'] == {} and m['updated'] is True"
check "stdio: subscribe, then update_todo sends resources/updated on stdout" $? "$(cat "$TMP/stdio.out" "$TMP/stdio.err")"

# ---------------- two instances, one Redis
REDIS_SERVER=$(command -v redis-server || true)
REDIS_CLI=$(command -v redis-cli || true)
if [ -z "$REDIS_SERVER" ] || [ -z "$REDIS_CLI" ]; then
    fail "redis-server and redis-cli present (scripts/setup)"
    finish
fi
RPORT=$(free_port)
"$REDIS_SERVER" --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --logfile "$TMP/redis.log" &
PIDS+=("$!")
for _ in $(seq 1 50); do [ "$("$REDIS_CLI" -p "$RPORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
STORE="redis://127.0.0.1:$RPORT/0"
start_todo_mcp inst-a --mode stateful --store "$STORE" --web-api-base-url "$API_URL"; UA=$MCP_URL
start_todo_mcp inst-b --mode stateful --store "$STORE" --web-api-base-url "$API_URL"; UB=$MCP_URL
S=$(init "$UA")
[ -n "$S" ] || die "store: session on instance A"
get_stream "$UB" "$S" "$TMP/xb.sse"               # B holds the GET stream
rpc "$UA" "$S" '{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"'"$URI"'"}}' >/dev/null
rec=$(timeout 5 "$REDIS_CLI" -p "$RPORT" HGET "mcp:{$S}:s" r 2>/dev/null)
[ "$rec" = "[\"$URI\"]" ]
check "store: the session record keeps the subscription (field r)" $? "r=$rec"
call "$UA" "$S" 3 update_todo '{"id":'"$id"',"completed":true}' >/dev/null
wait_updates "$TMP/xb.sse" "$URI" 1
check "store: an update on instance A reaches the GET stream held by instance B" $? "$(cat "$TMP/xb.sse")"
sleep 0.3
[ "$(updates "$TMP/xb.sse" "$URI")" = 1 ]
check "store: ... exactly once" $? "$(cat "$TMP/xb.sse")"
# A session subscribed on B (after its GET stream opened on A) also gets A's updates.
S2=$(init "$UB")
get_stream "$UA" "$S2" "$TMP/xa.sse"
rpc "$UB" "$S2" '{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"'"$URI"'"}}' >/dev/null
sleep 0.3
call "$UB" "$S2" 3 update_todo '{"id":'"$id"',"title":"moved"}' >/dev/null
wait_updates "$TMP/xa.sse" "$URI" 1
check "store: a subscription made on B is known to A, which holds the stream" $? "$(cat "$TMP/xa.sse")"
# An old record without the field still loads (written as before this change).
timeout 5 "$REDIS_CLI" -p "$RPORT" HDEL "mcp:{$S}:s" r >/dev/null
start_todo_mcp inst-c --mode stateful --store "$STORE" --web-api-base-url "$API_URL"
rpc "$MCP_URL" "$S" '{"jsonrpc":"2.0","id":9,"method":"ping"}' >"$TMP/ping.json"
json "$TMP/ping.json" "m.get('result') == {}"
check "store: a record without field r loads on another instance" $? "$(cat "$TMP/ping.json")"

finish
