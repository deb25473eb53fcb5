#!/usr/bin/env bash
# The 2026-07-28 ("modern") wire over Streamable HTTP, with curl against
# mcp-everything (loopback, --port 0): every modern HTTP status / JSON-RPC
# code pair, the envelope ladder (-32020, -32602, -32022), the metadata
# headers (Mcp-Method, Mcp-Name, Mcp-Param-*), removed and unknown methods
# (404 -32601), a missing client capability (400 -32021), the id echo on
# every error, resultType / serverInfo / cache hints on results, resource
# not found, logging gated by _meta logLevel, progress on the request's own
# SSE stream, multi-round requests (input_required, sealed requestState,
# tampering) and subscriptions/listen (ack first, subscriptionId tag,
# filter). The same battery runs against two servers: stateless with the
# library's reply choice (--response auto: JSON unless the call notifies)
# and stateful with the fixture's default (--response sse: every POST is
# answered as SSE); modern requests are sessionless in both.
# One line per check; last line "N passed, N failed"; exit 1 on a failure.
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
EVERYTHING=$BUILD_DIR/apps/mcp-everything/mcp-everything
. "$(dirname "$0")/lib.sh"
it_begin modern-http

[ -x "$EVERYTHING" ] || { fail "mcp-everything is built at $EVERYTHING"; finish; }

# ------------------------------------------------------------------ helpers
# start_server MODE RESPONSE: sets PORT, SPID, URL.
start_server() { start_everything "server-$1-$2" --mode "$1" --response "$2" --host 127.0.0.1; }

# mk.py ID METHOD PARAMS [MOD...]: writes $TMP/req.json and $TMP/req.hdr.
# The body is {"jsonrpc","id",method,params} with the default _meta merged
# under params._meta (keys given in PARAMS win), like the conformance
# client. Headers: Content-Type, Accept, MCP-Protocol-Version: 2026-07-28,
# Mcp-Method, and Mcp-Name (params.name or params.uri) for tools/call,
# prompts/get and resources/read. MODs:
#   raw              send PARAMS as given (no _meta added; null: no params)
#   caps=JSON        the clientCapabilities in _meta
#   meta.KEY=JSON    set (or with JSON "DEL" remove) a _meta key
#   -Header          drop a default header
#   Header: value    add or replace a header (value sent verbatim)
cat >"$TMP/mk.py" <<'PY'
import json, sys
out, rid, method, params = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
mods = sys.argv[5:]
meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "curl-modern", "version": "1.0.0"},
        "io.modelcontextprotocol/clientCapabilities": {}}
headers = [["Content-Type", "application/json"], ["Accept", "application/json, text/event-stream"],
           ["MCP-Protocol-Version", "2026-07-28"], ["Mcp-Method", method]]
target = {"tools/call": "name", "prompts/get": "name", "resources/read": "uri"}.get(method)
if target and isinstance(params, dict) and isinstance(params.get(target), str):
    headers.append(["Mcp-Name", params[target]])
raw = "raw" in mods
for m in mods:
    if m == "raw":
        continue
    if m.startswith("caps="):
        meta["io.modelcontextprotocol/clientCapabilities"] = json.loads(m[5:])
    elif m.startswith("meta."):
        k, v = m[5:].split("=", 1)
        if v == "DEL":
            meta.pop(k, None)
        else:
            meta[k] = json.loads(v)
    elif m.startswith("-"):
        headers = [h for h in headers if h[0].lower() != m[1:].lower()]
    else:
        k, v = m.split(":", 1)
        headers = [h for h in headers if h[0].lower() != k.lower()] + [[k, v[1:] if v.startswith(" ") else v]]
if not raw:
    params = dict(params)
    params["_meta"] = {**meta, **params.get("_meta", {})}
body = {"jsonrpc": "2.0", "id": rid, "method": method, "params": params}
if raw and params is None:
    del body["params"]
open(out + "/req.json", "w").write(json.dumps(body, separators=(",", ":")))
open(out + "/req.hdr", "w").write("".join("%s: %s\n" % (k, v) for k, v in headers))
PY

# mc.py STATUS HEADERS BODY ID EXPR: evaluates EXPR over the last response:
#   status, h (lower-case headers), ct (content type), body,
#   msgs (every JSON message: the JSON body, or each SSE data / NDJSON line),
#   r (the response with the request's id), res / err (its result / error),
#   notes (notifications), rpc_err(code) (a JSON-RPC error with that code
#   that echoes the request id), complete() (a modern complete result with
#   resultType and _meta serverInfo {name, version}), text (first text).
cat >"$TMP/mc.py" <<'PY'
import json, sys
status, hfile, bfile, rid, expr = int(sys.argv[1]), sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), sys.argv[5]
raw = open(hfile, 'rb').read().decode('latin-1').replace('\r', '')
blocks = [b for b in raw.split('\n\n') if b.startswith('HTTP/')]
h = {}
for line in (blocks[-1].split('\n')[1:] if blocks else []):
    if ':' in line:
        k, v = line.split(':', 1)
        h[k.strip().lower()] = v.strip()
ct = h.get('content-type', '')
body = open(bfile, 'rb').read().decode('utf-8', 'replace')
msgs, bad_lines = [], 0
if ct.startswith('application/json') and body.strip():
    try:
        msgs = [json.loads(body)]
    except Exception:
        bad_lines += 1
else:
    for line in body.replace('\r', '').split('\n'):
        if line.startswith('data:'):
            line = line[5:].strip()
        elif not line.startswith('{'):
            continue
        if not line:
            continue
        try:
            msgs.append(json.loads(line))
        except Exception:
            bad_lines += 1
r = next((m for m in msgs if isinstance(m, dict) and 'id' in m and m['id'] == rid
          and ('result' in m or 'error' in m)), None)
res = r.get('result') if r else None
err = r.get('error') if r else None
notes = [m for m in msgs if isinstance(m, dict) and 'method' in m and 'id' not in m]
def rpc_err(code):
    return (isinstance(err, dict) and err.get('code') == code and isinstance(err.get('message'), str)
            and r.get('jsonrpc') == '2.0' and r['id'] == rid and 'result' not in r)
def complete():
    info = ((res or {}).get('_meta') or {}).get('io.modelcontextprotocol/serverInfo') or {}
    return (isinstance(res, dict) and res.get('resultType') == 'complete'
            and isinstance(info.get('name'), str) and isinstance(info.get('version'), str))
def input_required():
    return (isinstance(res, dict) and res.get('resultType') == 'input_required'
            and isinstance(res.get('inputRequests'), dict) and isinstance(res.get('requestState'), str))
try:
    text = res['content'][0]['text']
except Exception:
    text = None
if len(sys.argv) > 6:                     # print mode: the value of EXPR
    v = eval(expr)
    print(v if isinstance(v, str) else json.dumps(v))
    sys.exit(0)
ok = False
try:
    ok = eval(expr)
except Exception as e:
    print('expr error: %r' % e)
if not ok:
    print('HTTP %d %s | %s' % (status, ct, body[:400].replace('\n', '\\n')))
sys.exit(0 if ok else 1)
PY

# mc NAME EXPR ID METHOD PARAMS [MOD...]: one request, one check.
mc() {
    local name=$1 expr=$2 rid=$3 method=$4 params=$5 code out
    shift 5
    if ! python3 "$TMP/mk.py" "$TMP" "$rid" "$method" "$params" "$@"; then
        fail "$name" "bad test request"
        return
    fi
    echo "$rid" >"$TMP/rid"
    code=$(curl -s --max-time 10 -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' -X POST "$URL" \
        -H @"$TMP/req.hdr" --data-binary @"$TMP/req.json")
    echo "${code:-0}" >"$TMP/code"
    again "$name" "$expr"
}
# again NAME EXPR: another check on the last response.
again() {
    local out
    if out=$(python3 "$TMP/mc.py" "$(cat "$TMP/code")" "$TMP/h" "$TMP/b" "$(cat "$TMP/rid")" "$2" 2>&1); then
        pass "$1"
    else
        fail "$1" "$out"
    fi
}
# jget EXPR: print a value of the last response (strings bare, others as JSON).
jget() {
    python3 "$TMP/mc.py" "$(cat "$TMP/code")" "$TMP/h" "$TMP/b" "$(cat "$TMP/rid")" "$1" print 2>/dev/null
}
# json EXPR ARGS...: build JSON text with python (ARGS are sys.argv[1:]).
json() {
    local expr=$1
    shift
    python3 -c 'import json, sys; print(json.dumps('"$expr"', separators=(",", ":")))' "$@"
}

# listen NAME FILTER_JSON ID: start subscriptions/listen in the background
# (<= 8 s) writing to $TMP/NAME.out; sets LPID.
listen() {
    python3 "$TMP/mk.py" "$TMP" "$3" subscriptions/listen "{\"notifications\":$2}"
    cp "$TMP/req.hdr" "$TMP/$1.hdr"
    cp "$TMP/req.json" "$TMP/$1.json"
    curl -s -N --max-time 40 -o "$TMP/$1.out" -D "$TMP/$1.h" -X POST "$URL" \
        -H @"$TMP/$1.hdr" --data-binary @"$TMP/$1.json" &
    LPID=$!
    PIDS+=("$LPID")
}
# stream_has FILE PYEXPR SECONDS: wait (bounded) until PYEXPR holds over
# msgs, the JSON messages of the stream so far.
cat >"$TMP/st.py" <<'PY'
import json, sys
msgs = []
for line in open(sys.argv[1], 'rb').read().decode('utf-8', 'replace').replace('\r', '').split('\n'):
    if line.startswith('data:'):
        line = line[5:].strip()
    if line.startswith('{'):
        try:
            msgs.append(json.loads(line))
        except Exception:
            msgs.append('BAD')
sid = lambda m: (((m.get('params') or {}).get('_meta') or {}).get('io.modelcontextprotocol/subscriptionId'))
methods = [m.get('method') for m in msgs if isinstance(m, dict)]
try:
    ok = eval(sys.argv[2])
except Exception:
    ok = False
if not ok and len(sys.argv) > 3:
    print('stream: %s' % json.dumps(msgs)[:400])
sys.exit(0 if ok else 1)
PY
stream_has() {
    local i
    for i in $(seq 1 $(($3 * 10))); do
        python3 "$TMP/st.py" "$1" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
stream_check() { # NAME FILE PYEXPR
    local out
    if out=$(python3 "$TMP/st.py" "$2" "$3" verbose 2>&1); then pass "$1"; else fail "$1" "$out"; fi
}

# Tamper with a requestState: flip the character in the middle.
flip_middle() {
    python3 -c 'import sys
s = sys.argv[1]; i = len(s) // 2
i = i + 1 if s[i] in ".=" else i
print(s[:i] + ("B" if s[i] == "A" else "A") + s[i + 1:])' "$1"
}

# Tamper with a requestState: change the lowest bit of its last base64
# character (before any "=" padding). Strict base64 decoding must reject
# it even where those bits are padding bits.
flip_last() {
    python3 -c 'import sys
s = sys.argv[1]; A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
i = len(s.rstrip("=")) - 1
c = A[A.index(s[i]) ^ 1] if s[i] in A else "A"
print(s[:i] + c + s[i + 1:])' "$1"
}

ALL_CAPS='{"sampling":{},"elicitation":{},"roots":{"listChanged":true}}'
ACCEPT_ALICE='{"action":"accept","content":{"name":"Alice"}}'

# ------------------------------------------------------------------ the battery
battery() { # label
    local m=$1 f=${1//\//-} rs1 rs2 rs3 bad

    # --- the envelope ladder: header present, _meta fields, header = body, supported version
    mc "[$m] no MCP-Protocol-Version header -> 400 -32020, JSON body, id echoed" \
        "status == 400 and ct.startswith('application/json') and rpc_err(-32020)" \
        101 server/discover '{}' -MCP-Protocol-Version
    mc "[$m] no _meta (params {}) -> 400 -32602" "status == 400 and rpc_err(-32602)" \
        102 server/discover '{}' raw
    mc "[$m] no params at all -> 400 -32602" "status == 400 and rpc_err(-32602)" \
        '"no-params"' server/discover 'null' raw
    mc "[$m] _meta without protocolVersion -> 400 -32602 (not -32020)" "status == 400 and rpc_err(-32602)" \
        103 server/discover '{}' meta.io.modelcontextprotocol/protocolVersion=DEL
    mc "[$m] _meta without clientCapabilities -> 400 -32602" "status == 400 and rpc_err(-32602)" \
        104 server/discover '{}' meta.io.modelcontextprotocol/clientCapabilities=DEL
    mc "[$m] _meta clientCapabilities not an object -> 400 -32602" "status == 400 and rpc_err(-32602)" \
        105 server/discover '{}' 'caps=[]'
    mc "[$m] _meta without clientInfo -> 200, complete (clientInfo is optional)" \
        "status == 200 and complete() and r['id'] == 106" \
        106 server/discover '{}' meta.io.modelcontextprotocol/clientInfo=DEL
    mc "[$m] header 2026-07-28, body v999.0.0 -> 400 -32020 (mismatch before support)" \
        "status == 400 and rpc_err(-32020)" 107 server/discover '{}' 'meta.io.modelcontextprotocol/protocolVersion="v999.0.0"'
    mc "[$m] header 2025-11-25, body 2026-07-28 -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        '"mismatch-2"' tools/list '{}' 'MCP-Protocol-Version: 2025-11-25'
    mc "[$m] unsupported version v999.0.0 -> 400 -32022 with data.supported and data.requested" \
        "status == 400 and rpc_err(-32022) and err['data']['requested'] == 'v999.0.0' and err['data']['supported'] == ['2026-07-28']" \
        108 server/discover '{}' 'meta.io.modelcontextprotocol/protocolVersion="v999.0.0"' 'MCP-Protocol-Version: v999.0.0'
    mc "[$m] unsupported legacy version in the modern envelope -> 400 -32022, requested echoed" \
        "status == 400 and rpc_err(-32022) and err['data']['requested'] == '2025-11-25'" \
        109 server/discover '{}' 'meta.io.modelcontextprotocol/protocolVersion="2025-11-25"' 'MCP-Protocol-Version: 2025-11-25'

    # --- Mcp-Method
    mc "[$m] no Mcp-Method -> 400 -32020" "status == 400 and rpc_err(-32020)" 110 tools/list '{}' -Mcp-Method
    mc "[$m] Mcp-Method prompts/list on a tools/list body -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        111 tools/list '{}' 'Mcp-Method: prompts/list'
    mc "[$m] Mcp-Method TOOLS/LIST (values are case-sensitive) -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        112 tools/list '{}' 'Mcp-Method: TOOLS/LIST'
    mc "[$m] header names are case-insensitive (mcp-method, MCP-PROTOCOL-VERSION) -> 200" \
        "status == 200 and complete() and isinstance(res['tools'], list)" \
        113 tools/list '{}' -Mcp-Method -MCP-Protocol-Version 'mcp-method: tools/list' 'MCP-PROTOCOL-VERSION: 2026-07-28'

    # --- Mcp-Name
    mc "[$m] tools/call without Mcp-Name -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        120 tools/call '{"name":"test_simple_text","arguments":{}}' -Mcp-Name
    mc "[$m] tools/call with Mcp-Name wrong_tool_name -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        121 tools/call '{"name":"test_simple_text","arguments":{}}' 'Mcp-Name: wrong_tool_name'
    mc "[$m] tools/call with Mcp-Name =?base64?dGVzdF9zaW1wbGVfdGV4dA==?= (encoded, correct) -> 200" \
        "status == 200 and complete() and text == 'This is a simple text response for testing.'" \
        122 tools/call '{"name":"test_simple_text","arguments":{}}' 'Mcp-Name: =?base64?dGVzdF9zaW1wbGVfdGV4dA==?='
    mc "[$m] tools/call with Mcp-Name '  test_simple_text  ' (surrounding whitespace) -> 200" \
        "status == 200 and complete() and text.startswith('This is a simple')" \
        123 tools/call '{"name":"test_simple_text","arguments":{}}' 'Mcp-Name:   test_simple_text  '
    mc "[$m] prompts/get with a wrong Mcp-Name -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        124 prompts/get '{"name":"test_simple_prompt"}' 'Mcp-Name: test_prompt_with_image'
    mc "[$m] resources/read with Mcp-Name = another uri -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        125 resources/read '{"uri":"test://static-text"}' 'Mcp-Name: test://static-binary'
    mc "[$m] resources/read without Mcp-Name -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        126 resources/read '{"uri":"test://static-text"}' -Mcp-Name

    # --- Mcp-Param-Region (test_header_param: region has x-mcp-header "Region")
    mc "[$m] tools/list shows test_header_param with x-mcp-header Region" \
        "status == 200 and any(t['name'] == 'test_header_param' and t['inputSchema']['properties']['region'].get('x-mcp-header') == 'Region' for t in res['tools'])" \
        130 tools/list '{}'
    mc "[$m] Mcp-Param-Region matching the argument -> 200" \
        "status == 200 and complete() and text == 'Region: eu-west-1'" \
        131 tools/call '{"name":"test_header_param","arguments":{"region":"eu-west-1"}}' 'Mcp-Param-Region: eu-west-1'
    mc "[$m] Mcp-Param-Region =?base64?SGVsbG8=?= for region Hello -> 200" \
        "status == 200 and complete() and text == 'Region: Hello'" \
        132 tools/call '{"name":"test_header_param","arguments":{"region":"Hello"}}' 'Mcp-Param-Region: =?base64?SGVsbG8=?='
    mc "[$m] Mcp-Param-Region SGVsbG8= for region SGVsbG8= (plain value, not decoded) -> 200" \
        "status == 200 and complete() and text == 'Region: SGVsbG8='" \
        133 tools/call '{"name":"test_header_param","arguments":{"region":"SGVsbG8="}}' 'Mcp-Param-Region: SGVsbG8='
    mc "[$m] Mcp-Param-Region mismatch -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        134 tools/call '{"name":"test_header_param","arguments":{"region":"eu-west-1"}}' 'Mcp-Param-Region: us-east-1'
    mc "[$m] Mcp-Param-Region missing -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        135 tools/call '{"name":"test_header_param","arguments":{"region":"test-value"}}'
    mc "[$m] Mcp-Param-Region =?base64?SGVs!!!bG8=?= (bad characters) -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        136 tools/call '{"name":"test_header_param","arguments":{"region":"Hello"}}' 'Mcp-Param-Region: =?base64?SGVs!!!bG8=?='
    mc "[$m] Mcp-Param-Region =?base64?SGVsbG8?= (bad padding) -> 400 -32020" "status == 400 and rpc_err(-32020)" \
        137 tools/call '{"name":"test_header_param","arguments":{"region":"Hello"}}' 'Mcp-Param-Region: =?base64?SGVsbG8?='

    # --- removed and unknown methods: 404 -32601
    mc "[$m] ping -> 404 -32601" "status == 404 and rpc_err(-32601)" 140 ping '{}'
    mc "[$m] initialize with the modern _meta -> 404 -32601 (no legacy handshake)" "status == 404 and rpc_err(-32601)" \
        '"init-141"' initialize '{"protocolVersion":"2026-07-28","capabilities":{},"clientInfo":{"name":"c","version":"1"}}'
    mc "[$m] logging/setLevel -> 404 -32601" "status == 404 and rpc_err(-32601)" 142 logging/setLevel '{"level":"debug"}'
    mc "[$m] resources/subscribe -> 404 -32601" "status == 404 and rpc_err(-32601)" \
        143 resources/subscribe '{"uri":"test://static-text"}'
    mc "[$m] resources/unsubscribe -> 404 -32601" "status == 404 and rpc_err(-32601)" \
        144 resources/unsubscribe '{"uri":"test://static-text"}'
    mc "[$m] unknown/method -> 404 -32601" "status == 404 and rpc_err(-32601)" '"unknown-145"' unknown/method '{}'

    # --- missing client capability: 400 -32021 with requiredCapabilities
    mc "[$m] test_missing_capability without sampling -> 400 -32021, data.requiredCapabilities {sampling:{}}" \
        "status == 400 and rpc_err(-32021) and err['data']['requiredCapabilities'] == {'sampling': {}}" \
        150 tools/call '{"name":"test_missing_capability","arguments":{}}'
    mc "[$m] test_missing_capability with sampling declared -> Success" \
        "status == 200 and complete() and text == 'Success' and not res.get('isError')" \
        151 tools/call '{"name":"test_missing_capability","arguments":{}}' 'caps={"sampling":{}}'
    mc "[$m] MRTR tool needing elicitation, client without it -> 400 -32021 {elicitation:{}}" \
        "status == 400 and rpc_err(-32021) and err['data']['requiredCapabilities'] == {'elicitation': {}}" \
        152 tools/call '{"name":"test_input_required_result_elicitation","arguments":{}}' 'caps={"sampling":{}}'

    # --- results: resultType, serverInfo, cache hints
    mc "[$m] server/discover: supportedVersions, capabilities, serverInfo, ttlMs 0 private" \
        "status == 200 and complete() and res['supportedVersions'] == ['2026-07-28'] and res['capabilities']['tools']['listChanged'] is True and res['capabilities']['prompts']['listChanged'] is True and res['ttlMs'] == 0 and res['cacheScope'] == 'private' and res['_meta']['io.modelcontextprotocol/serverInfo']['name'] == 'mcp-conformance-test-server'" \
        160 server/discover '{}'
    again "[$m] modern replies carry no Mcp-Session-Id" "'mcp-session-id' not in h"
    mc "[$m] tools/list: complete, ttlMs 300000 public, every tool described, x-mcp-header kept" \
        "status == 200 and complete() and res['ttlMs'] == 300000 and res['cacheScope'] == 'public' and all(t.get('description') and t['inputSchema']['type'] == 'object' for t in res['tools']) and [t['name'] for t in res['tools']][0] == 'test_simple_text'" \
        161 tools/list '{}'
    mc "[$m] prompts/list: complete, ttlMs 300000 public, MRTR prompt listed" \
        "status == 200 and complete() and res['ttlMs'] == 300000 and res['cacheScope'] == 'public' and any(p['name'] == 'test_input_required_result_prompt' and p['description'] == 'MRTR: prompt that requires elicitation input' for p in res['prompts'])" \
        162 prompts/list '{}'
    mc "[$m] resources/list: complete, ttlMs 300000 private" \
        "status == 200 and complete() and res['ttlMs'] == 300000 and res['cacheScope'] == 'private' and res['resources'][0]['uri'] == 'test://static-text'" \
        163 resources/list '{}'
    mc "[$m] resources/templates/list: complete, ttlMs 300000 private" \
        "status == 200 and complete() and res['ttlMs'] == 300000 and res['cacheScope'] == 'private' and res['resourceTemplates'][0]['uriTemplate'] == 'test://template/{id}/data'" \
        164 resources/templates/list '{}'
    mc "[$m] resources/read: complete, ttlMs 300000 private, contents" \
        "status == 200 and complete() and res['ttlMs'] == 300000 and res['cacheScope'] == 'private' and res['contents'][0]['text'] == 'This is the content of the static text resource.'" \
        165 resources/read '{"uri":"test://static-text"}'
    mc "[$m] tools/call result: complete with serverInfo" \
        "status == 200 and complete() and text.startswith('This is a simple')" 166 tools/call '{"name":"test_simple_text"}'
    mc "[$m] prompts/get result: complete with serverInfo" \
        "status == 200 and complete() and res['messages'][0]['content']['text'] == 'This is a simple prompt for testing.'" \
        167 prompts/get '{"name":"test_simple_prompt"}'
    mc "[$m] completion/complete result: complete with values" \
        "status == 200 and complete() and 'testValue1' in res['completion']['values']" \
        168 completion/complete '{"ref":{"type":"ref/prompt","name":"test_prompt_with_arguments"},"argument":{"name":"arg1","value":"test"}}'
    mc "[$m] resource not found -> -32602 with data.uri, id echoed" \
        "rpc_err(-32602) and err['data']['uri'] == 'test://nonexistent-resource-for-conformance-testing'" \
        '"nf-169"' resources/read '{"uri":"test://nonexistent-resource-for-conformance-testing"}'
    mc "[$m] unknown tool -> -32602, id echoed" "rpc_err(-32602)" 170 tools/call '{"name":"no_such_tool","arguments":{}}'

    # --- logging only when the request asks for it; progress on the request's own stream
    mc "[$m] test_logging_tool without _meta logLevel -> no notifications/message" \
        "status == 200 and complete() and text == 'Logging evaluated' and not any(n['method'] == 'notifications/message' for n in notes)" \
        180 tools/call '{"name":"test_logging_tool","arguments":{}}'
    mc "[$m] test_logging_tool with _meta logLevel info -> notifications/message (SSE) before the result" \
        "status == 200 and ct.startswith('text/event-stream') and complete() and [n['params']['level'] for n in notes if n['method'] == 'notifications/message'] == ['info'] and msgs.index(r) > 0 and msgs[0]['method'] == 'notifications/message'" \
        181 tools/call '{"name":"test_logging_tool","arguments":{}}' 'meta.io.modelcontextprotocol/logLevel="info"'
    mc "[$m] test_logging_tool with logLevel warning -> the info log is filtered out" \
        "status == 200 and complete() and not notes" \
        182 tools/call '{"name":"test_logging_tool","arguments":{}}' 'meta.io.modelcontextprotocol/logLevel="warning"'
    mc "[$m] progress: SSE stream of this POST, token echoed, 3 increasing events before the result" \
        "status == 200 and ct.startswith('text/event-stream') and [n['params']['progress'] for n in notes if n['method'] == 'notifications/progress' and n['params']['progressToken'] == 'tok-183'] == [0, 50, 100] and msgs.index(r) == len(msgs) - 1 and complete()" \
        183 tools/call '{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":"tok-183"}}'
    mc "[$m] progress: a numeric progressToken is echoed as a number" \
        "status == 200 and len(notes) == 3 and all(n['params']['progressToken'] == 184 and type(n['params']['progressToken']) is int for n in notes)" \
        184 tools/call '{"name":"test_tool_with_progress","arguments":{},"_meta":{"progressToken":184}}'
    mc "[$m] no progressToken -> no progress notifications" "status == 200 and complete() and not notes" \
        185 tools/call '{"name":"test_tool_with_progress","arguments":{}}'
    mc "[$m] test_streaming_elicitation: result only, no request on the stream" \
        "status == 200 and complete() and text == 'Streaming complete' and all(m.get('method', 'notifications/').startswith('notifications/') for m in msgs)" \
        186 tools/call '{"name":"test_streaming_elicitation","arguments":{}}' 'caps={"elicitation":{}}'

    # --- MRTR: input_required, sealed requestState, tampering
    mc "[$m] MRTR elicitation round 1 -> input_required user_name (elicitation/create) + requestState" \
        "status == 200 and input_required() and res['inputRequests']['user_name']['method'] == 'elicitation/create' and res['inputRequests']['user_name']['params']['requestedSchema']['properties']['name']['type'] == 'string' and res['_meta']['io.modelcontextprotocol/serverInfo']['name']" \
        190 tools/call '{"name":"test_input_required_result_elicitation","arguments":{}}' "caps=$ALL_CAPS"
    mc "[$m] MRTR elicitation round 2 (answer, no requestState) -> Hello, Alice!" \
        "status == 200 and complete() and text == 'Hello, Alice!'" \
        191 tools/call "{\"name\":\"test_input_required_result_elicitation\",\"arguments\":{},\"inputResponses\":{\"user_name\":$ACCEPT_ALICE,\"extra\":{\"action\":\"accept\",\"content\":{}}}}" "caps=$ALL_CAPS"
    mc "[$m] MRTR answer under the wrong key -> input_required again" \
        "status == 200 and input_required() and 'user_name' in res['inputRequests']" \
        192 tools/call '{"name":"test_input_required_result_elicitation","arguments":{},"inputResponses":{"wrong_key":{"action":"accept","content":{"data":"x"}}}}' "caps=$ALL_CAPS"
    mc "[$m] MRTR answer that is not an object (user_name: 12345) -> not completed" \
        "status in (200, 400) and (input_required() or isinstance(err, dict)) and not complete()" \
        193 tools/call '{"name":"test_input_required_result_elicitation","arguments":{},"inputResponses":{"user_name":12345}}' "caps=$ALL_CAPS"
    mc "[$m] MRTR inputResponses null -> not completed" \
        "(input_required() or isinstance(err, dict)) and not complete()" \
        194 tools/call '{"name":"test_input_required_result_elicitation","arguments":{},"inputResponses":null}' "caps=$ALL_CAPS"

    mc "[$m] MRTR multi-round r1 -> input_required step1 + requestState" \
        "status == 200 and input_required() and list(res['inputRequests']) == ['step1']" \
        195 tools/call '{"name":"test_input_required_result_multi_round","arguments":{}}' "caps=$ALL_CAPS"
    rs1=$(jget "res['requestState']")
    mc "[$m] MRTR multi-round r2 (step1 + requestState) -> input_required step2, a new requestState" \
        "status == 200 and input_required() and list(res['inputRequests']) == ['step2'] and res['requestState'] != '$rs1'" \
        196 tools/call "$(json '{"name":"test_input_required_result_multi_round","arguments":{},"inputResponses":{"step1":{"action":"accept","content":{"name":"Alice"}}},"requestState":sys.argv[1]}' "$rs1")" "caps=$ALL_CAPS"
    rs2=$(jget "res['requestState']")
    mc "[$m] MRTR multi-round r3 (step2 + requestState) -> complete, step1 remembered" \
        "status == 200 and complete() and text == 'Multi-round complete for Alice who likes blue'" \
        197 tools/call "$(json '{"name":"test_input_required_result_multi_round","arguments":{},"inputResponses":{"step2":{"action":"accept","content":{"color":"blue"}}},"requestState":sys.argv[1]}' "$rs2")" "caps=$ALL_CAPS"
    bad=$(flip_middle "$rs2")
    mc "[$m] MRTR requestState with one character flipped in the middle -> -32602, id echoed" \
        "rpc_err(-32602) and not res" \
        '"tamper-198"' tools/call "$(json '{"name":"test_input_required_result_multi_round","arguments":{},"inputResponses":{"step2":{"action":"accept","content":{"color":"blue"}}},"requestState":sys.argv[1]}' "$bad")" "caps=$ALL_CAPS"
    mc "[$m] MRTR requestState + \"-TAMPERED\" -> -32602" "rpc_err(-32602) and not res" \
        199 tools/call "$(json '{"name":"test_input_required_result_multi_round","arguments":{},"inputResponses":{"step2":{"action":"accept","content":{"color":"blue"}}},"requestState":sys.argv[1]}' "$rs2-TAMPERED")" "caps=$ALL_CAPS"
    bad=$(flip_last "$rs2")
    mc "[$m] MRTR requestState with its last character changed (1 bit) -> -32602" "rpc_err(-32602) and not res" \
        '"tamper-199b"' tools/call "$(json '{"name":"test_input_required_result_multi_round","arguments":{},"inputResponses":{"step2":{"action":"accept","content":{"color":"blue"}}},"requestState":sys.argv[1]}' "$bad")" "caps=$ALL_CAPS"
    mc "[$m] MRTR requestState of another tool -> -32602" "rpc_err(-32602) and not res" \
        200 tools/call "$(json '{"name":"test_input_required_result_request_state","arguments":{},"inputResponses":{"confirm":{"action":"accept","content":{"ok":True}}},"requestState":sys.argv[1]}' "$rs2")" "caps=$ALL_CAPS"

    mc "[$m] MRTR tampered-state tool r1 -> input_required confirm + requestState" \
        "status == 200 and input_required() and res['inputRequests']['confirm']['params']['message'] == 'Please confirm'" \
        201 tools/call '{"name":"test_input_required_result_tampered_state","arguments":{}}' "caps=$ALL_CAPS"
    rs3=$(jget "res['requestState']")
    mc "[$m] MRTR tampered-state tool r2 with the intact requestState -> integrity-ok" \
        "status == 200 and complete() and text == 'integrity-ok: state verified'" \
        202 tools/call "$(json '{"name":"test_input_required_result_tampered_state","arguments":{},"inputResponses":{"confirm":{"action":"accept","content":{"ok":True}}},"requestState":sys.argv[1]}' "$rs3")" "caps=$ALL_CAPS"
    mc "[$m] MRTR tampered-state tool r2 with requestState + \"-TAMPERED\" -> -32602" "rpc_err(-32602)" \
        203 tools/call "$(json '{"name":"test_input_required_result_tampered_state","arguments":{},"inputResponses":{"confirm":{"action":"accept","content":{"ok":True}}},"requestState":sys.argv[1]}' "$rs3-TAMPERED")" "caps=$ALL_CAPS"

    mc "[$m] MRTR multiple inputs r1 -> elicitation + sampling + roots in one round" \
        "status == 200 and input_required() and sorted(v['method'] for v in res['inputRequests'].values()) == ['elicitation/create', 'roots/list', 'sampling/createMessage']" \
        204 tools/call '{"name":"test_input_required_result_multiple_inputs","arguments":{}}' "caps=$ALL_CAPS"
    rs1=$(jget "res['requestState']")
    mc "[$m] MRTR multiple inputs r2 -> Name; Greeting; Roots" \
        "status == 200 and complete() and text == 'Name: Alice; Greeting: Hello there!; Roots: 1'" \
        205 tools/call "$(json '{"name":"test_input_required_result_multiple_inputs","arguments":{},"inputResponses":{"user_name":{"action":"accept","content":{"name":"Alice"}},"greeting":{"role":"assistant","content":{"type":"text","text":"Hello there!"},"model":"m","stopReason":"endTurn"},"client_roots":{"roots":[{"uri":"file:///r","name":"R"}]}},"requestState":sys.argv[1]}' "$rs1")" "caps=$ALL_CAPS"
    mc "[$m] MRTR capabilities tool, client with sampling only -> asks sampling only" \
        "status == 200 and input_required() and list(res['inputRequests']) == ['sample_input']" \
        206 tools/call '{"name":"test_input_required_result_capabilities","arguments":{}}' 'caps={"sampling":{}}'
    mc "[$m] MRTR capabilities tool, client with neither -> complete without asking" \
        "status == 200 and complete() and text == 'No supported capabilities declared'" \
        207 tools/call '{"name":"test_input_required_result_capabilities","arguments":{}}' 'caps={"roots":{}}'
    mc "[$m] MRTR prompt r1 -> input_required user_context" \
        "status == 200 and input_required() and res['inputRequests']['user_context']['method'] == 'elicitation/create'" \
        208 prompts/get '{"name":"test_input_required_result_prompt"}' "caps=$ALL_CAPS"
    rs1=$(jget "res['requestState']")
    mc "[$m] MRTR prompt r2 -> messages with the context" \
        "status == 200 and complete() and res['messages'][0]['content']['text'] == 'Prompt with context: test context'" \
        209 prompts/get "$(json '{"name":"test_input_required_result_prompt","inputResponses":{"user_context":{"action":"accept","content":{"context":"test context"}}},"requestState":sys.argv[1]}' "$rs1")" "caps=$ALL_CAPS"
    mc "[$m] MRTR: tools/list never answers input_required" \
        "status == 200 and complete()" 210 tools/list '{"inputResponses":{"x":{}}}' "caps=$ALL_CAPS"

    # --- subscriptions/listen: ack first, subscriptionId tag, filter honoured
    local tpid ppid
    listen tools-$f '{"toolsListChanged":true}' 300
    tpid=$LPID
    listen prompts-$f '{"promptsListChanged":true}' '"sub-301"'
    ppid=$LPID
    if stream_has "$TMP/tools-$f.out" "len(msgs) >= 1" 5 && stream_has "$TMP/prompts-$f.out" "len(msgs) >= 1" 5; then
        pass "[$m] subscriptions/listen: both streams opened"
    else
        fail "[$m] subscriptions/listen: both streams opened" "$(head -c 300 "$TMP/tools-$f.out")"
    fi
    stream_check "[$m] listen: the first message is the acknowledgement, tagged, honouring {toolsListChanged}" "$TMP/tools-$f.out" \
        "msgs[0]['method'] == 'notifications/subscriptions/acknowledged' and sid(msgs[0]) == 300 and msgs[0]['params']['notifications'] == {'toolsListChanged': True}"
    stream_check "[$m] listen (prompts only): acknowledged with {promptsListChanged}, id \"sub-301\"" "$TMP/prompts-$f.out" \
        "msgs[0]['method'] == 'notifications/subscriptions/acknowledged' and sid(msgs[0]) == 'sub-301' and msgs[0]['params']['notifications'] == {'promptsListChanged': True}"
    mc "[$m] test_trigger_tool_change -> Mutation triggered" "status == 200 and complete() and text == 'Mutation triggered'" \
        310 tools/call '{"name":"test_trigger_tool_change","arguments":{}}'
    mc "[$m] the tool list changed (test_dynamic_tool added)" \
        "status == 200 and [t['name'] for t in res['tools']][-1] == 'test_dynamic_tool'" 311 tools/list '{}'
    if stream_has "$TMP/tools-$f.out" "'notifications/tools/list_changed' in methods" 8; then
        pass "[$m] listen: notifications/tools/list_changed arrived on the tools stream"
    else
        fail "[$m] listen: notifications/tools/list_changed arrived on the tools stream" "$(head -c 300 "$TMP/tools-$f.out")"
    fi
    mc "[$m] test_trigger_prompt_change -> Mutation triggered" "status == 200 and complete() and text == 'Mutation triggered'" \
        312 tools/call '{"name":"test_trigger_prompt_change","arguments":{}}'
    if stream_has "$TMP/prompts-$f.out" "'notifications/prompts/list_changed' in methods" 8; then
        pass "[$m] listen: notifications/prompts/list_changed arrived on the prompts stream"
    else
        fail "[$m] listen: notifications/prompts/list_changed arrived on the prompts stream" "$(head -c 300 "$TMP/prompts-$f.out")"
    fi
    mc "[$m] test_trigger_tool_change again (removes test_dynamic_tool)" "status == 200 and text == 'Mutation triggered'" \
        313 tools/call '{"name":"test_trigger_tool_change","arguments":{}}'
    stream_has "$TMP/tools-$f.out" "methods.count('notifications/tools/list_changed') >= 2" 8
    stream_check "[$m] listen: every notification on the tools stream carries subscriptionId 300" "$TMP/tools-$f.out" \
        "len(msgs) >= 3 and all(isinstance(x, dict) and sid(x) == 300 for x in msgs)"
    stream_check "[$m] listen filter: the tools stream got no prompts/list_changed" "$TMP/tools-$f.out" \
        "'notifications/prompts/list_changed' not in methods and all(x.startswith('notifications/') for x in methods)"
    stream_check "[$m] listen filter: the prompts-only stream got no tools/list_changed, all tagged sub-301" "$TMP/prompts-$f.out" \
        "'notifications/tools/list_changed' not in methods and all(sid(x) == 'sub-301' for x in msgs)"
    mc "[$m] test_trigger_prompt_change again (removes test_dynamic_prompt)" "status == 200 and text == 'Mutation triggered'" \
        314 tools/call '{"name":"test_trigger_prompt_change","arguments":{}}'
    kill "$tpid" "$ppid" 2>/dev/null
    wait "$tpid" "$ppid" 2>/dev/null
    mc "[$m] the tool list is back to the registered set (deterministic order)" \
        "status == 200 and 'test_dynamic_tool' not in [t['name'] for t in res['tools']] and [t['name'] for t in res['tools']][:2] == ['test_simple_text', 'test_image_content']" \
        315 tools/list '{}'
    mc "[$m] the server still answers after the listeners went away" "status == 200 and complete()" 316 server/discover '{}'
}

# ================================================================== runs
for cfg in "stateless auto" "stateful sse"; do
    set -- $cfg
    if start_server "$1" "$2"; then
        pass "[$1/$2] mcp-everything listening on 127.0.0.1:$PORT"
        battery "$1/$2"
    else
        fail "[$1/$2] mcp-everything started" "$(tail -n 5 "$TMP/server-$1-$2.err")"
    fi
    # Nothing is in progress any more (the listen clients are gone), so
    # the shutdown drain has nothing to wait for.
    kill "$SPID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done   # <= 3 s
    if kill -0 "$SPID" 2>/dev/null; then
        fail "[$1/$2] mcp-everything stops on SIGTERM within 3 s after the listen streams closed"
    else
        pass "[$1/$2] mcp-everything stops on SIGTERM within 3 s after the listen streams closed"
    fi
done
finish
