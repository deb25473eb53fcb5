#!/usr/bin/env bash
# Every HTTP status code of the Streamable HTTP transport, with curl against
# mcp-everything in stateful and stateless mode (loopback, --port 0):
# 200 JSON / SSE, 202, 400 (parse, UTF-8, batch, invalid, session, version,
# depth), 403 (Host/Origin), 404, 405 + Allow, 406, 409, 413, 415, session
# id shape, id echo in error bodies, and clean exit on SIGTERM/SIGINT with
# an open GET stream. One line per check; last line "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
EVERYTHING=$BUILD_DIR/apps/mcp-everything/mcp-everything
. "$(dirname "$0")/lib.sh"
it_begin http-status

[ -x "$EVERYTHING" ] || { fail "mcp-everything is built at $EVERYTHING"; finish; }

# ------------------------------------------------------------------ helpers
# start_server MODE NAME [RESPONSE]: mcp-everything on a free port with the
# given reply mode (default auto, the library's default); sets PORT, SPID, URL.
start_server() { start_everything "server-$2" --mode "$1" --response "${3:-auto}"; }

# Evaluate a python expression over the last curl response:
#   status (int), h (lower-case header dict), body (str), j (JSON or None),
#   rpc_err(code, id) (a JSON-RPC 2.0 error with that code and id),
#   sse (list of {id,event,data,retry,msg} for an event-stream body).
cat >"$TMP/hc.py" <<'PY'
import json, sys
status, hfile, bfile, expr = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
raw = open(hfile, 'rb').read().decode('latin-1').replace('\r', '')
blocks = [b for b in raw.split('\n\n') if b.startswith('HTTP/')]
h = {}
for line in (blocks[-1].split('\n')[1:] if blocks else []):
    if ':' in line:
        k, v = line.split(':', 1)
        h[k.strip().lower()] = v.strip()
data = open(bfile, 'rb').read()
body = data.decode('utf-8', 'replace')
try:
    j = json.loads(body)
except Exception:
    j = None
def rpc_err(code, id):
    return (isinstance(j, dict) and j.get('jsonrpc') == '2.0' and isinstance(j.get('error'), dict)
            and (code is None or j['error'].get('code') == code) and isinstance(j['error'].get('message'), str)
            and 'id' in j and j['id'] == id and 'result' not in j)
sse = []
for block in body.replace('\r', '').split('\n\n'):
    ev = {'data': []}
    for line in block.split('\n'):
        if not line or line.startswith(':'): continue
        f, _, v = line.partition(':')
        v = v[1:] if v.startswith(' ') else v
        if f == 'data': ev['data'].append(v)
        elif f in ('id', 'event', 'retry'): ev[f] = v
    if ev['data'] or 'id' in ev or 'retry' in ev:
        ev['data'] = '\n'.join(ev['data'])
        try: ev['msg'] = json.loads(ev['data']) if ev['data'] else None
        except Exception: ev['msg'] = 'BAD'
        sse.append(ev)
ok = False
try:
    ok = eval(expr)
except Exception as e:
    print('expr error: %r' % e)
if not ok:
    print('HTTP %d %s | %s' % (status, {k: h[k] for k in h if k in ('content-type', 'allow', 'mcp-session-id', 'retry-after', 'cache-control', 'x-accel-buffering')}, body[:300].replace('\n', '\\n')))
sys.exit(0 if ok else 1)
PY

# http NAME EXPR CURL-ARGS...: one request, one check.
http() {
    local name=$1 expr=$2 code out
    shift 2
    code=$(curl -s --max-time 10 -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' "$@")
    echo "${code:-0}" >"$TMP/code"
    if out=$(python3 "$TMP/hc.py" "${code:-0}" "$TMP/h" "$TMP/b" "$expr" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}
# again NAME EXPR: another check on the last response.
again() {
    local name=$1 expr=$2 out
    if out=$(python3 "$TMP/hc.py" "$(cat "$TMP/code")" "$TMP/h" "$TMP/b" "$expr" 2>&1); then pass "$name"; else fail "$name" "$out"; fi
}

J=(-H 'content-type: application/json' -H 'accept: application/json, text/event-stream')
V=(-H 'mcp-protocol-version: 2025-11-25')
init_body() { # version
    printf '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{"sampling":{}},"clientInfo":{"name":"curl","version":"1"}}}' "$1"
}
# new_session VERSION: prints the session id of a fresh, initialized session.
new_session() {
    local v=${1:-2025-11-25} sid
    sid=$(curl -s --max-time 5 -D - -o /dev/null -X POST "$URL" "${J[@]}" -d "$(init_body "$v")" |
        tr -d '\r' | sed -n 's/^[Mm][Cc][Pp]-[Ss]ession-[Ii]d: //p' | head -n 1)
    curl -s --max-time 5 -o /dev/null -X POST "$URL" "${J[@]}" -H "mcp-session-id: $sid" -H "mcp-protocol-version: $v" \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
    echo "$sid"
}

# Shared inputs.
python3 -c 'import sys; sys.stdout.write(" " * (5 << 20) + "{}")' >"$TMP/big.json"
python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000)' >"$TMP/deep.json"
python3 -c 'import sys; sys.stdout.write("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":{\"a\":" + "{\"a\":" * 100000 + "1" + "}" * 100000 + "}}")' >"$TMP/deep2.json"
printf '{"jsonrpc":"2.0","id":31,"method":"tools/call","params":{"name":"test_simple_text","arguments":{"x":"\xc3\x28"}}}' >"$TMP/badutf8.json"
PROGRESS='{"jsonrpc":"2.0","id":21,"method":"tools/call","params":{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"p21"}}}'
SIMPLE='{"jsonrpc":"2.0","id":22,"method":"tools/call","params":{"name":"test_simple_text","arguments":{}}}'

# ------------------------------------------------------------------ checks for both modes
common_checks() { # mode; URL and S (session headers, empty in stateless) set
    local m=$1
    http "[$m] 200 JSON: test_simple_text -> application/json with the result" \
        "status == 200 and h.get('content-type','').startswith('application/json') and j['id'] == 22 and j['result']['content'][0]['text'].startswith('This is a simple')" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d "$SIMPLE"
    http "[$m] 200 SSE: progress tool -> text/event-stream, Cache-Control no-cache, X-Accel-Buffering no" \
        "status == 200 and h.get('content-type','').startswith('text/event-stream') and 'no-cache' in h.get('cache-control','') and h.get('x-accel-buffering') == 'no'" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d "$PROGRESS"
    again "[$m] 200 SSE: three progress events then the response, each a JSON-RPC message" \
        "[e['msg']['params']['progress'] for e in sse if e.get('msg') and e['msg'].get('method') == 'notifications/progress'] == [0, 50, 100] and [e['msg'] for e in sse if e.get('msg')][-1]['id'] == 21"
    http "[$m] 202: notification -> 202 with an empty body" "status == 202 and body == ''" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}'
    http "[$m] 202: a client response (no pending request) -> 202 with an empty body" "status == 202 and body == ''" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":"srv-1","result":{}}'
    http "[$m] 400 -32700: malformed JSON" "status == 400 and rpc_err(-32700, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":3,"method":'
    http "[$m] 400 -32700: invalid UTF-8 in the body" "status == 400 and rpc_err(-32700, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" --data-binary @"$TMP/badutf8.json"
    http "[$m] 400: JSON-RPC batch refused with a JSON-RPC error" "status == 400 and rpc_err(-32600, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"ping"}]'
    if [ "$m" = stateless ]; then
        http "[$m] 200: a 2025-03-26 batch is answered as one JSON array (notification left out)" \
            "status == 200 and isinstance(j, list) and sorted(r['id'] for r in j) == [1, 2]" \
            -X POST "$URL" "${J[@]}" -H 'mcp-protocol-version: 2025-03-26' \
            -d '[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","method":"notifications/initialized"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]'
        http "[$m] 200: initialize inside a batch is refused in-band with -32600" \
            "status == 200 and j[0]['error']['code'] == -32600" \
            -X POST "$URL" "${J[@]}" -H 'mcp-protocol-version: 2025-03-26' \
            -d '[{"jsonrpc":"2.0","id":7,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}]'
    fi
    http "[$m] 400 -32600: request with id null" "status == 400 and rpc_err(-32600, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":null,"method":"ping"}'
    http "[$m] 400 -32600: jsonrpc 1.0, id echoed" "status == 400 and rpc_err(-32600, 41)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"1.0","id":41,"method":"ping"}'
    http "[$m] 400: unsupported MCP-Protocol-Version, error echoes id 42" "status == 400 and rpc_err(None, 42)" \
        -X POST "$URL" "${J[@]}" -H 'mcp-protocol-version: 1999-01-01' "${S[@]}" -d '{"jsonrpc":"2.0","id":42,"method":"ping"}'
    http "[$m] 406: Accept without text/event-stream" "status == 406 and rpc_err(None, None)" \
        -X POST "$URL" -H 'content-type: application/json' -H 'accept: application/json' "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 406: Accept text/html" "status == 406 and rpc_err(None, None)" \
        -X POST "$URL" -H 'content-type: application/json' -H 'accept: text/html' "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 415: Content-Type text/plain" "status == 415 and rpc_err(None, None)" \
        -X POST "$URL" -H 'content-type: text/plain' -H 'accept: application/json, text/event-stream' "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 413: 5 MiB body (Content-Length)" "status == 413 and rpc_err(None, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" --data-binary @"$TMP/big.json"
    http "[$m] 413: 5 MiB body (chunked, no Content-Length)" "status == 413 and rpc_err(None, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$TMP/big.json"
    http "[$m] 400: array nested 100,000 deep" "status == 400 and rpc_err(None, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" --data-binary @"$TMP/deep.json"
    http "[$m] 400: params nested 100,000 deep" "status == 400 and rpc_err(None, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" --data-binary @"$TMP/deep2.json"
    http "[$m] the server still answers after the deep and oversized bodies" "status == 200 and j['id'] == 23 and j['result'] == {}" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":23,"method":"ping"}'
    http "[$m] 403: forged Host" "status == 403 and rpc_err(None, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H 'Host: evil.example.com' -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 403: Host localhost.evil.com:PORT" "status == 403" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H "Host: localhost.evil.com:$PORT" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 403: forged Origin" "status == 403 and rpc_err(None, None)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H 'Origin: http://evil.example.com' -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 403: Origin http://localhost.evil.com" "status == 403" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H 'Origin: http://localhost.evil.com' -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 403: Origin null" "status == 403" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H 'Origin: null' -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 2xx: Host localhost:PORT" "status == 200 and j['result'] == {}" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H "Host: localhost:$PORT" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 2xx: Origin http://localhost:PORT" "status == 200 and j['result'] == {}" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H "Origin: http://localhost:$PORT" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 2xx: Origin http://127.0.0.1:PORT" "status == 200 and j['result'] == {}" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -H "Origin: http://127.0.0.1:$PORT" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 404: another path, with a JSON-RPC error" "status == 404 and rpc_err(None, None)" \
        -X POST "http://127.0.0.1:$PORT/other" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[$m] 405: PUT with Allow and a JSON-RPC error" "status == 405 and 'POST' in h.get('allow','') and rpc_err(None, None)" \
        -X PUT "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{}'
}

# ================================================================== stateful
if start_server stateful stateful; then
    pass "[stateful] mcp-everything listening on 127.0.0.1:$PORT"
    http "[stateful] 200 JSON: initialize -> application/json + Mcp-Session-Id" \
        "status == 200 and h.get('content-type','').startswith('application/json') and j['result']['protocolVersion'] == '2025-11-25' and 'mcp-session-id' in h" \
        -X POST "$URL" "${J[@]}" -d "$(init_body 2025-11-25)"
    again "[stateful] session id: 32+ characters, all visible ASCII 0x21-0x7E" \
        "len(h.get('mcp-session-id','')) >= 32 and all(0x21 <= ord(c) <= 0x7e for c in h['mcp-session-id'])"
    SID=$(new_session)
    SID2=$(new_session)
    [ -n "$SID" ] && [ "$SID" != "$SID2" ] && pass "[stateful] two sessions get different ids" \
        || fail "[stateful] two sessions get different ids" "$SID / $SID2"
    S=(-H "mcp-session-id: $SID")
    common_checks stateful

    http "[stateful] 200 SSE (2025-11-25): priming event first (id, empty data, retry)" \
        "status == 200 and sse and 'id' in sse[0] and sse[0]['data'] == '' and 'retry' in sse[0] and all('id' in e for e in sse)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d "$PROGRESS"
    SID_OLD=$(new_session 2025-06-18)
    http "[stateful] 200 SSE (2025-06-18 session): no priming event" \
        "status == 200 and sse and sse[0].get('msg') and sse[0]['msg'].get('method') == 'notifications/progress'" \
        -X POST "$URL" "${J[@]}" -H 'mcp-protocol-version: 2025-06-18' -H "mcp-session-id: $SID_OLD" -d "$PROGRESS"

    # 202 for a real client response: answer test_sampling's request.
    curl -s -N --max-time 10 -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" \
        -d '{"jsonrpc":"2.0","id":51,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"p"}}}' >"$TMP/sampling.out" &
    spid=$!
    PIDS+=("$spid")
    rid=""
    for _ in $(seq 1 50); do                  # <= 5 s
        rid=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.startswith("data: {"):
        m = json.loads(l[6:])
        if m.get("method") == "sampling/createMessage": print(json.dumps(m["id"])); break' "$TMP/sampling.out" 2>/dev/null)
        [ -n "$rid" ] && break
        sleep 0.1
    done
    http "[stateful] 202: the client's answer to sampling/createMessage (id $rid)" "status == 202 and body == ''" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" \
        -d "{\"jsonrpc\":\"2.0\",\"id\":${rid:-0},\"result\":{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"fine\"},\"model\":\"m\"}}"
    for _ in $(seq 1 50); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
    grep -q '"id":51,"result":{"content":\[{"type":"text","text":"LLM response: fine"' "$TMP/sampling.out" \
        && pass "[stateful] the sampling tool completed with the posted answer" \
        || fail "[stateful] the sampling tool completed with the posted answer" "$(tail -c 300 "$TMP/sampling.out")"

    http "[stateful] 400: tools/list without Mcp-Session-Id, error echoes id 43" "status == 400 and rpc_err(None, 43)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" -d '{"jsonrpc":"2.0","id":43,"method":"tools/list"}'
    http "[stateful] 400: GET without Mcp-Session-Id" "status == 400 and rpc_err(None, None)" \
        "$URL" -H 'accept: text/event-stream' "${V[@]}"
    http "[stateful] 400: DELETE without Mcp-Session-Id" "status == 400 and rpc_err(None, None)" \
        -X DELETE "$URL" "${V[@]}"
    http "[stateful] 400: initialize carrying a session id, error echoes id 1" "status == 400 and rpc_err(-32600, 1)" \
        -X POST "$URL" "${J[@]}" "${S[@]}" -d "$(init_body 2025-11-25)"
    BOGUS=0123456789abcdef0123456789abcdef
    http "[stateful] 404: unknown session id (POST), error echoes id 44" "status == 404 and rpc_err(None, 44)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" -H "mcp-session-id: $BOGUS" -d '{"jsonrpc":"2.0","id":44,"method":"tools/list"}'
    http "[stateful] 404: unknown session id (GET)" "status == 404 and rpc_err(None, None)" \
        "$URL" -H 'accept: text/event-stream' "${V[@]}" -H "mcp-session-id: $BOGUS"
    http "[stateful] 404: unknown session id (DELETE)" "status == 404 and rpc_err(None, None)" \
        -X DELETE "$URL" "${V[@]}" -H "mcp-session-id: $BOGUS"
    http "[stateful] 400: unsupported MCP-Protocol-Version on GET" "status == 400 and rpc_err(None, None)" \
        "$URL" -H 'accept: text/event-stream' -H 'mcp-protocol-version: 1999-01-01' "${S[@]}"
    http "[stateful] 406: GET with Accept application/json" "status == 406 and rpc_err(None, None)" \
        "$URL" -H 'accept: application/json' "${V[@]}" "${S[@]}"

    # 409: a second standalone GET stream in one session.
    GET_H=(-H 'accept: text/event-stream' "${V[@]}" "${S[@]}")
    curl -s -N --max-time 20 -D "$TMP/get1.h" "$URL" "${GET_H[@]}" >"$TMP/get1.out" &
    g1=$!
    PIDS+=("$g1")
    for _ in $(seq 1 50); do [ -s "$TMP/get1.out" ] && break; sleep 0.1; done
    code=$(curl -s --max-time 3 -o /dev/null -w '%{http_code}' "$URL" "${GET_H[@]}")   # no -o wait: 409 ends at once
    if grep -qi '^content-type: text/event-stream' "$TMP/get1.h" && grep -qi '^x-accel-buffering: no' "$TMP/get1.h"; then
        pass "[stateful] 200 GET: standalone stream is text/event-stream with X-Accel-Buffering no"
    else
        fail "[stateful] 200 GET: standalone stream is text/event-stream with X-Accel-Buffering no" "$(tr -d '\r' <"$TMP/get1.h" | tr '\n' ' ')"
    fi
    [ "$code" = 409 ] && pass "[stateful] 409: second standalone GET stream in one session" \
        || fail "[stateful] 409: second standalone GET stream in one session" "HTTP $code"
    SID3=$(new_session)
    code=$(curl -s --max-time 1 -o /dev/null -w '%{http_code}' "$URL" -H 'accept: text/event-stream' "${V[@]}" -H "mcp-session-id: $SID3")
    [ "$code" = 200 ] && pass "[stateful] GET streams of different sessions do not conflict" \
        || fail "[stateful] GET streams of different sessions do not conflict" "HTTP $code"
    # The client drops its GET stream and reconnects after the advertised retry interval.
    kill "$g1" 2>/dev/null; wait "$g1" 2>/dev/null
    # The server cannot see a silent drop until it writes; a 409 carries
    # Retry-After: 1 and probes the old stream, so one retry must succeed.
    sleep 1.5
    code=$(curl -s --max-time 1 -o "$TMP/b" -D "$TMP/bh" -w '%{http_code}' "$URL" "${GET_H[@]}")
    if [ "$code" = 409 ]; then
        grep -qi '^retry-after: 1' "$TMP/bh" && pass "[stateful] 409 for a stale GET stream says Retry-After: 1" \
            || fail "[stateful] 409 for a stale GET stream says Retry-After: 1" "$(cat "$TMP/bh")"
        sleep 1
        code=$(curl -s --max-time 1 -o "$TMP/b" -w '%{http_code}' "$URL" "${GET_H[@]}")
    fi
    [ "$code" = 200 ] && pass "[stateful] GET stream can be reopened after the client dropped it (one retry)" \
        || fail "[stateful] GET stream can be reopened after the client dropped it (one retry)" "HTTP $code $(head -c 200 "$TMP/b")"

    # DELETE, then the session is gone.
    http "[stateful] 200: DELETE the session" "status == 200" -X DELETE "$URL" "${V[@]}" "${S[@]}"
    http "[stateful] 404 after DELETE: POST with the old id" "status == 404 and rpc_err(None, 45)" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":45,"method":"ping"}'
    http "[stateful] 404 after DELETE: GET with the old id" "status == 404" "$URL" -H 'accept: text/event-stream' "${V[@]}" "${S[@]}"
    http "[stateful] 404 after DELETE: second DELETE" "status == 404" -X DELETE "$URL" "${V[@]}" "${S[@]}"
    http "[stateful] other sessions survive the DELETE" "status == 200 and j['result'] == {}" \
        -X POST "$URL" "${J[@]}" "${V[@]}" -H "mcp-session-id: $SID2" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    http "[stateful] 403: forged Host on GET" "status == 403" "$URL" -H 'accept: text/event-stream' "${V[@]}" -H "mcp-session-id: $SID2" -H 'Host: evil.example.com'
    http "[stateful] 403: forged Origin on DELETE" "status == 403" -X DELETE "$URL" "${V[@]}" -H "mcp-session-id: $SID2" -H 'Origin: http://evil.example.com'
    http "[stateful] the session survives the refused DELETE" "status == 200" \
        -X POST "$URL" "${J[@]}" "${V[@]}" -H "mcp-session-id: $SID2" -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
else
    fail "[stateful] mcp-everything starts" "$(head -c 300 "$TMP/server-stateful.err")"
fi

# ================================================================== stateless
if start_server stateless stateless; then
    pass "[stateless] mcp-everything listening on 127.0.0.1:$PORT"
    S=()
    http "[stateless] 200 JSON: initialize without a session id header" \
        "status == 200 and h.get('content-type','').startswith('application/json') and 'mcp-session-id' not in h and j['result']['protocolVersion'] == '2025-11-25'" \
        -X POST "$URL" "${J[@]}" -d "$(init_body 2025-11-25)"
    common_checks stateless
    http "[stateless] 200 SSE: no event ids (no resumability without a session)" \
        "status == 200 and sse and all('id' not in e for e in sse)" -X POST "$URL" "${J[@]}" "${V[@]}" -d "$PROGRESS"
    http "[stateless] a session id header is ignored (no 404)" "status == 200 and j['result'] == {}" \
        -X POST "$URL" "${J[@]}" "${V[@]}" -H 'mcp-session-id: 0123456789abcdef0123456789abcdef' -d '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    for meth in GET DELETE; do
        http "[stateless] 405: $meth with a JSON-RPC error body" "status == 405 and rpc_err(None, None)" \
            -X "$meth" "$URL" -H 'accept: text/event-stream' "${V[@]}"
        again "[stateless] 405: $meth has an Allow header listing POST and not $meth" \
            "'allow' in h and 'POST' in [m.strip() for m in h['allow'].split(',')] and '$meth' not in [m.strip() for m in h['allow'].split(',')]"
    done
    kill "$SPID" 2>/dev/null
else
    fail "[stateless] mcp-everything starts" "$(head -c 300 "$TMP/server-stateless.err")"
fi

# ================================================================== reply modes
# --response sse: every request is answered as a stream, but notifications
# and client responses are still 202 with no body (spec MUST).
for m in stateful stateless; do
    if ! start_server "$m" "sse-$m" sse; then
        fail "[$m, sse replies] mcp-everything starts"
        continue
    fi
    S=()
    [ "$m" = stateful ] && S=(-H "mcp-session-id: $(new_session)")
    http "[$m, sse replies] test_simple_text -> 200 text/event-stream with the result" \
        "status == 200 and h.get('content-type','').startswith('text/event-stream') and [e['msg'] for e in sse if e.get('msg')][-1]['id'] == 22" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d "$SIMPLE"
    http "[$m, sse replies] 202: notification -> 202 with an empty body" "status == 202 and body == ''" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}'
    http "[$m, sse replies] 202: a client response -> 202 with an empty body" "status == 202 and body == ''" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","id":"srv-1","result":{}}'
    kill "$SPID" 2>/dev/null
done
# --response json: never a stream; related notifications are dropped.
if start_server stateful json json; then
    S=(-H "mcp-session-id: $(new_session)")
    http "[stateful, json replies] progress tool -> 200 application/json with only the result" \
        "status == 200 and h.get('content-type','').startswith('application/json') and j['id'] == 21 and j['result']['content'][0]['text'] == 'Progress tool completed'" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d "$PROGRESS"
    http "[stateful, json replies] 202: notification" "status == 202 and body == ''" \
        -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" -d '{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}'
    start=$(date +%s%N)
    http "[stateful, json replies] test_sampling answers with an error instead of waiting for a back-channel" \
        "status == 200 and j['id'] == 52 and (j.get('result', {}).get('isError') is True or 'error' in j)" \
        --max-time 3 -X POST "$URL" "${J[@]}" "${V[@]}" "${S[@]}" \
        -d '{"jsonrpc":"2.0","id":52,"method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"p"}}}'
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$ms" -lt 2000 ] && pass "[stateful, json replies] test_sampling answered within 2 s (${ms} ms)" || fail "[stateful, json replies] test_sampling answered within 2 s" "${ms} ms"
    kill "$SPID" 2>/dev/null
else
    fail "[stateful, json replies] mcp-everything starts"
fi

# ================================================================== shutdown
for sig in TERM INT; do
    if ! start_server stateful "sig$sig"; then
        fail "[SIG$sig] mcp-everything starts"
        continue
    fi
    sid=$(new_session)
    curl -s -N --max-time 15 "$URL" -H 'accept: text/event-stream' "${V[@]}" -H "mcp-session-id: $sid" >"$TMP/sig.out" &
    gp=$!
    PIDS+=("$gp")
    for _ in $(seq 1 50); do [ -s "$TMP/sig.out" ] && break; sleep 0.1; done
    start=$(date +%s%N)
    kill -"$sig" "$SPID"
    exited=""
    for _ in $(seq 1 60); do                  # <= 6 s
        if ! kill -0 "$SPID" 2>/dev/null; then exited=yes; break; fi
        sleep 0.1
    done
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    if [ -n "$exited" ]; then
        wait "$SPID"; rc=$?
        [ "$rc" -eq 0 ] && pass "[SIG$sig] server with an open GET stream exits 0 within 6 s (${ms} ms)" \
            || fail "[SIG$sig] server with an open GET stream exits 0 within 6 s" "rc=$rc after ${ms} ms"
    else
        fail "[SIG$sig] server with an open GET stream exits 0 within 6 s" "still running after ${ms} ms"
        kill -9 "$SPID" 2>/dev/null
    fi
    for _ in $(seq 1 30); do kill -0 "$gp" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$gp" 2>/dev/null; then
        fail "[SIG$sig] the open GET stream is ended by the shutdown"
    else
        wait "$gp"; crc=$?
        [ "$crc" -eq 0 ] && pass "[SIG$sig] the open GET stream ends cleanly (curl exit 0)" \
            || fail "[SIG$sig] the open GET stream ends cleanly (curl exit 0)" "curl rc=$crc"
    fi
    # design.md §6: streams are closed "with a retry: hint".
    if python3 -c 'import sys
body = open(sys.argv[1]).read().replace("\r", "")
blocks = [b for b in body.split("\n\n") if b.strip()]
sys.exit(0 if len(blocks) >= 2 and any(l.startswith("retry:") for l in blocks[-1].split("\n")) else 1)' "$TMP/sig.out"; then
        pass "[SIG$sig] the GET stream ends with a retry: hint after its priming event"
    else
        fail "[SIG$sig] the GET stream ends with a retry: hint after its priming event" "$(tr '\n' '|' <"$TMP/sig.out")"
    fi
done

finish
