#!/usr/bin/env bash
# Stateful session lifetime and memory, against tests/integration/session_server
# (short idle expiry, small cap; MCP_HTTP_DEFAULTS otherwise):
#  1. 1,000 idle sessions past the expiry are all freed: every id then gets
#     404 and RSS does not grow from round to round (3 rounds; the first one
#     warms the allocator). Once with plain sessions, once with sessions that
#     had an SSE answer (their event logs must be freed too).
#  2. idle means idle: a session in use survives while an untouched one expires.
#  3. the session cap: the 6th initialize at --max-sessions 5 gets 503 with a
#     JSON-RPC error and Retry-After; the 5 sessions keep working; a DELETE
#     frees a slot.
# One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SERVER=$BUILD_DIR/tests/integration/session_server
. "$(dirname "$0")/lib.sh"
it_begin session-expiry
IDLE_MS=2000          # short expiry; creating 1,000 sessions takes well under this
SESSIONS=1000
SLACK_KB=2048         # RSS growth allowed between rounds

[ -x "$SERVER" ] || { fail "session_server is built at $SERVER"; finish; }

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# python3 client: keep-alive connections, a few threads.
cat >"$TMP/drive.py" <<'PY'
import http.client, json, sys, threading, time

H = {'content-type': 'application/json', 'accept': 'application/json, text/event-stream'}
INIT = {'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {
    'protocolVersion': '2025-11-25', 'capabilities': {}, 'clientInfo': {'name': 'py', 'version': '1'}}}

def post(c, body, extra=None):
    c.request('POST', '/mcp', json.dumps(body), {**H, **(extra or {})})
    r = c.getresponse()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

def sess(sid):
    return {'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25'}

def parallel(port, n, fn, threads=4):
    def work(k):
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
        for i in range(k, n, threads):
            fn(c, i)
        c.close()
    ts = [threading.Thread(target=work, args=(k,)) for k in range(threads)]
    for t in ts: t.start()
    for t in ts: t.join()

def create(port, n, kind, out):
    """kind plain: initialize, initialized, tools/list; sse: + a tools/call answered as SSE."""
    ids, errors = [None] * n, []
    def one(c, i):
        st, h, _ = post(c, INIT)
        sid = h.get('mcp-session-id')
        if st != 200 or not sid:
            errors.append(('init', st)); return
        a = post(c, {'jsonrpc': '2.0', 'method': 'notifications/initialized'}, sess(sid))[0]
        b = post(c, {'jsonrpc': '2.0', 'id': 2, 'method': 'tools/list'}, sess(sid))[0]
        if a != 202 or b != 200:
            errors.append(('use', a, b)); return
        if kind == 'sse':
            st, h, body = post(c, {'jsonrpc': '2.0', 'id': 3, 'method': 'tools/call', 'params': {
                'name': 'tick', 'arguments': {}, '_meta': {'progressToken': i}}}, sess(sid))
            if st != 200 or not h.get('content-type', '').startswith('text/event-stream') or b'tock' not in body:
                errors.append(('sse', st, h.get('content-type'))); return
        ids[i] = sid
    t0 = time.time()
    parallel(port, n, one)
    secs = time.time() - t0
    open(out, 'w').write('\n'.join(s for s in ids if s) + '\n')
    print(json.dumps({'created': sum(1 for s in ids if s), 'secs': round(secs, 3), 'errors': errors[:5]}))

def statuses(port, idsfile):
    ids = [l.strip() for l in open(idsfile) if l.strip()]
    res, lock = {}, threading.Lock()
    def one(c, i):
        st = post(c, {'jsonrpc': '2.0', 'id': 9, 'method': 'ping'}, sess(ids[i]))[0]
        with lock: res[str(st)] = res.get(str(st), 0) + 1
    parallel(port, len(ids), one)
    print(json.dumps(res, sort_keys=True))

def wait_expired(port, canaries, step):
    """Fresh untouched sessions made after a batch: probe a different one each
    step (a probe refreshes only the probed session). The first 404 means
    everything older has expired too. Prints the seconds waited or -1."""
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
    ids = []
    for _ in range(canaries):
        st, h, _ = post(c, INIT)
        ids.append(h.get('mcp-session-id'))
    t0 = time.time()
    for sid in ids:
        time.sleep(step)
        if post(c, {'jsonrpc': '2.0', 'id': 9, 'method': 'ping'}, sess(sid))[0] == 404:
            print(round(time.time() - t0, 2)); return
    print(-1)

cmd, port = sys.argv[1], int(sys.argv[2])
if cmd == 'create':
    create(port, int(sys.argv[3]), sys.argv[4], sys.argv[5])
elif cmd == 'status':
    statuses(port, sys.argv[3])
elif cmd == 'wait':
    wait_expired(port, int(sys.argv[3]), float(sys.argv[4]))
PY
drive() { timeout -k 2 30 python3 "$TMP/drive.py" "$@"; }

# ------------------------------------------------------------------ 1. expiry + memory
# expiry_rounds KIND: 3 rounds of SESSIONS sessions on a fresh server.
expiry_rounds() {
    local kind=$1 r created secs waited st rss
    local -a rss_after=()
    if ! start_session_server "expiry-$kind" --idle-ms "$IDLE_MS"; then
        fail "[$kind] session_server starts" "$(head -c 300 "$TMP/expiry-$kind.err")"
        return
    fi
    local pid=$SPID port=$PORT
    echo "  [$kind] server pid $pid port $port, baseline RSS $(rss_kb "$pid") kB"
    for r in 1 2 3; do
        out=$(drive create "$port" "$SESSIONS" "$kind" "$TMP/ids-$kind-$r")
        created=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["created"])' "$out" 2>/dev/null || echo 0)
        secs=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secs"])' "$out" 2>/dev/null || echo 99)
        local peak; peak=$(rss_kb "$pid")
        local together="all alive together"
        python3 -c "import sys; sys.exit(0 if $secs * 1000 < $IDLE_MS else 1)" || together="slower than the idle time"
        if [ "$created" = "$SESSIONS" ]; then
            pass "[$kind] round $r: $SESSIONS sessions created without errors in ${secs} s ($together; RSS $peak kB)"
        else
            fail "[$kind] round $r: $SESSIONS sessions created without errors" "$out"
        fi
        waited=$(drive wait "$port" 40 0.15)
        if [ "$waited" != "-1" ] && [ -n "$waited" ]; then
            pass "[$kind] round $r: a younger untouched session expired after ${waited} s (idle ${IDLE_MS} ms)"
        else
            fail "[$kind] round $r: a younger untouched session expired within 6 s"
        fi
        st=$(drive status "$port" "$TMP/ids-$kind-$r")
        if [ "$st" = "{\"404\": $SESSIONS}" ]; then
            pass "[$kind] round $r: all $SESSIONS idle sessions expired (every old id -> 404)"
        else
            fail "[$kind] round $r: all $SESSIONS idle sessions expired (every old id -> 404)" "statuses $st"
        fi
        sleep 0.2
        rss=$(rss_kb "$pid")
        rss_after+=("$rss")
        echo "  [$kind] round $r: RSS after expiry $rss kB"
    done
    for r in 2 3; do
        local grow=$(( rss_after[r - 1] - rss_after[0] ))
        if [ "${MCP_TEST_NO_RSS:-0}" = 1 ]; then
            echo "SKIP: [$kind] RSS after round $r: not meaningful under a sanitizer (+$grow kB)"
        elif [ "$grow" -le "$SLACK_KB" ]; then
            pass "[$kind] RSS after round $r within ${SLACK_KB} kB of round 1 (${rss_after[0]} -> ${rss_after[r - 1]} kB)"
        else
            fail "[$kind] RSS after round $r within ${SLACK_KB} kB of round 1" "${rss_after[0]} -> ${rss_after[r - 1]} kB (+$grow kB for $(( (r - 1) * SESSIONS )) expired sessions)"
        fi
    done
    kill -TERM "$pid" 2>/dev/null
}

expiry_rounds plain
expiry_rounds sse

# ------------------------------------------------------------------ 2. idle means idle
if start_session_server idle --idle-ms 1000; then
    out=$(timeout -k 2 20 python3 - "$PORT" <<'PY'
import http.client, json, sys, time
port = int(sys.argv[1])
H = {'content-type': 'application/json', 'accept': 'application/json, text/event-stream'}
c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)
def post(body, sid=None):
    h = dict(H)
    if sid: h.update({'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25'})
    c.request('POST', '/mcp', json.dumps(body), h)
    r = c.getresponse(); r.read()
    return r.status, r.getheader('mcp-session-id')
init = {'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {'protocolVersion': '2025-11-25', 'capabilities': {}, 'clientInfo': {'name': 'py', 'version': '1'}}}
busy, idle = post(init)[1], post(init)[1]
codes = []
for _ in range(12):                        # 3 s of use, every 250 ms
    time.sleep(0.25)
    codes.append(post({'jsonrpc': '2.0', 'id': 2, 'method': 'ping'}, busy)[0])
print(json.dumps({'busy': codes, 'idle': post({'jsonrpc': '2.0', 'id': 3, 'method': 'ping'}, idle)[0]}))
PY
)
    if python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if set(d["busy"]) == {200} and d["idle"] == 404 else 1)' "$out" 2>/dev/null; then
        pass "idle expiry: a session used every 250 ms lives 3 s while an untouched one expires (404)"
    else
        fail "idle expiry: a session used every 250 ms lives 3 s while an untouched one expires (404)" "$out"
    fi
    kill -TERM "$SPID" 2>/dev/null
else
    fail "session_server --idle-ms 1000 starts"
fi

# ------------------------------------------------------------------ 3. session cap
if start_session_server cap --max-sessions 5; then
    URL=http://127.0.0.1:$PORT/mcp
    J=(-H 'content-type: application/json' -H 'accept: application/json, text/event-stream')
    INIT='{"jsonrpc":"2.0","id":"init-6","method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
    sids=()
    for _ in 1 2 3 4 5; do
        sid=$(curl -s --max-time 5 -D - -o /dev/null -X POST "$URL" "${J[@]}" -d "$INIT" | tr -d '\r' | sed -n 's/^[Mm][Cc][Pp]-[Ss]ession-[Ii]d: //p')
        [ -n "$sid" ] && sids+=("$sid")
    done
    [ "${#sids[@]}" = 5 ] && pass "cap: 5 sessions initialized at --max-sessions 5" || fail "cap: 5 sessions initialized at --max-sessions 5" "${#sids[@]}"
    code=$(curl -s --max-time 5 -D "$TMP/cap.h" -o "$TMP/cap.b" -w '%{http_code}' -X POST "$URL" "${J[@]}" -d "$INIT")
    if python3 - "$code" "$TMP/cap.h" "$TMP/cap.b" <<'PY'
import json, sys
code, hdr, body = int(sys.argv[1]), open(sys.argv[2]).read().replace('\r', ''), open(sys.argv[3]).read()
h = {l.split(':', 1)[0].strip().lower(): l.split(':', 1)[1].strip() for l in hdr.split('\n')[1:] if ':' in l}
j = json.loads(body)
ok = (code == 503 and h.get('retry-after', '').isdigit() and int(h['retry-after']) > 0 and 'mcp-session-id' not in h
      and j.get('jsonrpc') == '2.0' and isinstance(j['error']['code'], int) and j['error']['message'] and j['id'] == 'init-6')
if not ok: print(code, h, body)
sys.exit(0 if ok else 1)
PY
    then
        pass "cap: 6th initialize -> 503, Retry-After, JSON-RPC error echoing id, no session id"
    else
        fail "cap: 6th initialize -> 503, Retry-After, JSON-RPC error echoing id, no session id" "HTTP $code $(head -c 200 "$TMP/cap.b")"
    fi
    ok=0
    for sid in "${sids[@]}"; do
        c=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST "$URL" "${J[@]}" -H "mcp-session-id: $sid" \
            -H 'mcp-protocol-version: 2025-11-25' -d '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"tick","arguments":{}}}')
        [ "$c" = 200 ] && ok=$((ok + 1))
    done
    [ "$ok" = 5 ] && pass "cap: the 5 existing sessions still work after the 503" || fail "cap: the 5 existing sessions still work after the 503" "$ok of 5"
    c=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X DELETE "$URL" -H "mcp-session-id: ${sids[0]:-none}" -H 'mcp-protocol-version: 2025-11-25')
    c2=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST "$URL" "${J[@]}" -d "$INIT")
    c3=$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST "$URL" "${J[@]}" -d "$INIT")
    [ "$c" = 200 ] && [ "$c2" = 200 ] && [ "$c3" = 503 ] && pass "cap: DELETE frees exactly one slot (200, then 503 again)" \
        || fail "cap: DELETE frees exactly one slot (200, then 503 again)" "DELETE $c, init $c2, init $c3"
    kill -TERM "$SPID" 2>/dev/null
else
    fail "session_server --max-sessions 5 starts"
fi

finish
