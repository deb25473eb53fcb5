#!/usr/bin/env bash
# Tasks (SEP-2663) shared and durable across instances (issue 18):
# redis-server, three mcp-everything instances (stateless, --store redis://,
# --task-lease-ms 2000) and nginx as a round-robin balancer, all on loopback.
# Checks, with tests/integration/tasks_client.py (2026-07-28 requests that
# declare the extension):
#   1. the record is in Redis when CreateTaskResult arrives; every instance
#      answers tasks/get for it; Mcp-Name must equal the task id;
#   2. tasks/cancel on instance C reaches the handler running on A (the task
#      settles to cancelled, polled on B);
#   3. input inside a task: input_required seen on every instance, answered
#      with tasks/update on another one, completed;
#   4. kill -9 of the owner mid-task: another instance ends the task failed,
#      with an error naming the lost lease, within lease + sweep (< 10 s);
#      one cancelled after the owner died ends cancelled;
#   5. 1,000 concurrent parked tasks through the balancer: all created and
#      readable, instance RSS growth bounded (skipped under sanitizers,
#      MCP_TEST_NO_RSS=1), all cancelled afterwards.
# Env: BUILD_DIR, SOURCE_DIR. One line per check, then "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
BIN="$BUILD_DIR/apps/mcp-everything/mcp-everything"
CLIENT="$SOURCE_DIR/tests/integration/tasks_client.py"
REDIS_SERVER=$(command -v redis-server || true)
REDIS_CLI=$(command -v redis-cli || true)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
LEASE_MS=2000
BULK=${TASKS_BULK:-1000}
RSS_BOUND_KB=${TASKS_RSS_BOUND_KB:-65536}   # per instance, for $BULK parked tasks

. "$(dirname "$0")/lib.sh"
it_begin tasks-scale-test

for tool in "$REDIS_SERVER" "$REDIS_CLI" "$NGINX" "$BIN"; do
    [ -n "$tool" ] && [ -x "$tool" ] || die "prerequisite present" "missing ${tool:-redis-server/redis-cli} (scripts/setup)"
done
tc() { timeout 60 python3 "$CLIENT" "$@"; }
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

REDIS_PORT=$(free_port)
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --logfile "$TMP/redis.log" &
PIDS+=("$!")
for _ in $(seq 1 50); do
    [ "$("$REDIS_CLI" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ] && break
    sleep 0.1
done
rcli() { timeout 5 "$REDIS_CLI" -p "$REDIS_PORT" "$@" 2>/dev/null; }
[ "$(rcli ping)" = PONG ] || die "redis-server started" "$(tail -5 "$TMP/redis.log")"

PID=() PORT=()
start_instance() { # I
    "$BIN" --mode stateless --response json --port 0 --store "redis://127.0.0.1:$REDIS_PORT/0" \
        --task-lease-ms "$LEASE_MS" 2>"$TMP/mcp-$1.log" &
    PID[$1]=$!
    PIDS+=("$!")
    disown "$!" 2>/dev/null
    PORT[$1]=$(wait_line "$TMP/mcp-$1.log" 's|^mcp-everything listening on http://127\.0\.0\.1:\([0-9]*\)/mcp .*|\1|p')
    [ -n "${PORT[$1]}" ] || die "instance $1 started" "$(cat "$TMP/mcp-$1.log")"
}
for i in 0 1 2; do start_instance "$i"; done
url() { echo "http://127.0.0.1:${PORT[$1]}/mcp"; }

NGINX_PORT=$(free_port)
LB="http://127.0.0.1:$NGINX_PORT/mcp"
mkdir -p "$TMP/nginx/tmp"
user=""
[ "$(id -u)" -eq 0 ] && user="user $(id -un) $(id -gn);"
cat >"$TMP/nginx/nginx.conf" <<CONF
$user
worker_processes 1;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $TMP/nginx/tmp/body;
    proxy_temp_path $TMP/nginx/tmp/proxy;
    fastcgi_temp_path $TMP/nginx/tmp/fastcgi;
    uwsgi_temp_path $TMP/nginx/tmp/uwsgi;
    scgi_temp_path $TMP/nginx/tmp/scgi;
    upstream mcp {
        server 127.0.0.1:${PORT[0]};
        server 127.0.0.1:${PORT[1]};
        server 127.0.0.1:${PORT[2]};
        keepalive 32;
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location / {
            proxy_pass http://mcp;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host 127.0.0.1:$NGINX_PORT;
            proxy_buffering off;
            proxy_connect_timeout 1s;
            proxy_next_upstream error timeout;
        }
    }
}
CONF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" -e "$TMP/nginx/error.log" \
    -g "daemon off; pid $TMP/nginx/nginx.pid;" 2>>"$TMP/nginx/error.log" &
PIDS+=("$!")
for _ in $(seq 1 50); do
    curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/healthz" && break
    sleep 0.1
done

# ---- 1. durable create, any instance reads it, Mcp-Name routing header
r=$(tc create "$(url 0)" slow_compute '{"seconds":30,"label":"scale"}')
id=$(field "$r" 'd["taskId"]')
check "instance A answers a CreateTaskResult (resultType task, status working)" \
    $([ "$(field "$r" 'd["resultType"]+" "+d["status"]')" = "task working" ]; echo $?) "$r"
check "the task record is in Redis when CreateTaskResult arrives" $([ "$(rcli exists "mcp:t:{$id}")" = 1 ]; echo $?)
ttl=$(rcli pttl "mcp:t:{$id}")
check "the record expires with the task (Redis TTL within ttlMs)" \
    $([ "${ttl:-0}" -gt 0 ] && [ "$ttl" -le "$(field "$r" 'd["ttlMs"]')" ]; echo $?) "pttl $ttl"
check "the task id has at least 128 bits (32 hex digits)" $([[ "$id" =~ ^[0-9a-f]{32,}$ ]]; echo $?) "$id"
ok=0
for i in 1 2; do
    g=$(tc call "$(url $i)" tasks/get "{\"taskId\":\"$id\"}")
    [ "$(field "$g" 'd["status"]')" = working ] || ok=1
done
check "instances B and C answer tasks/get for A's task (working)" $ok "$g"
st=$(curl -s -o "$TMP/b" -w '%{http_code}' -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
    -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tasks/get' -H 'Mcp-Name: not-the-task' \
    -d "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tasks/get\",\"params\":{\"taskId\":\"$id\",\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{\"extensions\":{\"io.modelcontextprotocol/tasks\":{}}}}}}" "$LB")
check "tasks/get with an Mcp-Name other than the task id gets 400 + -32020" \
    $([ "$st" = 400 ] && grep -q -- '-32020' "$TMP/b"; echo $?) "$st $(cat "$TMP/b")"
u=$(tc call "$(url 1)" tasks/get '{"taskId":"00000000000000000000000000000000"}')
check "an unknown task id gets -32602" $([ "$(field "$u" 'd["error"]["code"]')" = -32602 ]; echo $?) "$u"

# ---- 2. cancel on C reaches the handler on A
c=$(tc call "$(url 2)" tasks/cancel "{\"taskId\":\"$id\"}")
check "tasks/cancel on instance C answers the empty ack" \
    $([ "$(field "$c" 'sorted(k for k in d if k != "_meta")')" = "['resultType']" ]; echo $?) "$c"
w=$(tc wait "$(url 1)" "$id" cancelled 5)
check "the task running on A settles to cancelled (polled on B) within 5 s" $? "$w"
grep -q "tasks/cancel" "$TMP/mcp-2.log" 2>/dev/null || true

# ---- 3. input inside a task, answered on another instance
r=$(tc create "$LB" confirm_delete '{"filename":"scale.txt"}')
id3=$(field "$r" 'd["taskId"]')
w=$(tc wait "$(url 0)" "$id3" input_required 5)
check "confirm_delete reaches input_required (seen on A)" $? "$w"
ok=0
for i in 1 2; do
    g=$(tc call "$(url $i)" tasks/get "{\"taskId\":\"$id3\"}")
    [ "$(field "$g" 'list(d["inputRequests"])')" = "['confirm']" ] || ok=1
done
check "every instance lists the outstanding input request" $ok "$g"
key=confirm
a=$(tc call "$(url 1)" tasks/update "{\"taskId\":\"$id3\",\"inputResponses\":{\"$key\":{\"action\":\"accept\",\"content\":{\"confirm\":true}}}}")
w=$(tc wait "$(url 2)" "$id3" completed 5)
check "tasks/update on B resumes the task; it completes with the handler's result" \
    $([ $? = 0 ] && grep -q 'Deleted scale.txt' <<<"$w"; echo $?) "$a $w"

# ---- 4. kill -9 of the owner: failed within the bound
r=$(tc create "$(url 0)" slow_compute '{"seconds":60,"label":"orphan"}')
id4=$(field "$r" 'd["taskId"]')
r=$(tc create "$(url 0)" slow_compute '{"seconds":60,"label":"orphan-cancelled"}')
id5=$(field "$r" 'd["taskId"]')
kill -9 "${PID[0]}" 2>/dev/null
c=$(tc call "$(url 2)" tasks/cancel "{\"taskId\":\"$id5\"}")
w=$(tc wait "$(url 1)" "$id4" failed 10)
rc=$?
check "kill -9 of the owner: another instance ends the task failed within 10 s (lease ${LEASE_MS} ms)" $rc "$w"
check "the failed task carries an error naming the lost lease, and no result" \
    $(grep -q 'stopped' <<<"$w" && ! grep -q '"result"' <<<"$w"; echo $?) "$w"
echo "  orphaned task failed after ${w%% *} s"
w=$(tc wait "$(url 1)" "$id5" cancelled 10)
check "a task cancelled after its owner died ends cancelled (not stuck in working)" $? "$c $w"
start_instance 0

# ---- 5. 1,000 concurrent parked tasks through the balancer
rss0=0; for i in 0 1 2; do rss0=$((rss0 + $(rss_kb "${PID[$i]}"))); done
tc bulk "$LB" "$BULK" confirm_delete '{"filename":"bulk.txt"}' 16 >"$TMP/ids" 2>"$TMP/bulk.err"
rc=$?
n=$(grep -c . "$TMP/ids")
check "$BULK concurrent task creations through the balancer all succeed" \
    $([ "$rc" = 0 ] && [ "$n" = "$BULK" ]; echo $?) "$n created; $(cat "$TMP/bulk.err")"
cat "$TMP/bulk.err" | sed 's/^/  /'
sleep 1
tc bulk_call "$LB" tasks/get "$TMP/ids" 16 >"$TMP/get.out" 2>"$TMP/get.err"
check "every one of them is readable through the balancer" $? "$(cat "$TMP/get.out" "$TMP/get.err")"
sed 's/^/  /' "$TMP/get.err"
rss1=0; for i in 0 1 2; do rss1=$((rss1 + $(rss_kb "${PID[$i]}"))); done
grow=$(( (rss1 - rss0) ))
echo "  RSS of the three instances: $rss0 kB -> $rss1 kB (+$grow kB for $BULK parked tasks)"
if [ "${MCP_TEST_NO_RSS:-0}" = 1 ]; then
    echo "SKIP: RSS bound: not meaningful under a sanitizer (+$grow kB)"
else
    check "RSS growth for $BULK parked tasks stays under $RSS_BOUND_KB kB per instance" \
        $([ "$grow" -lt $((3 * RSS_BOUND_KB)) ]; echo $?) "+$grow kB"
fi
tc bulk_call "$LB" tasks/cancel "$TMP/ids" 16 >"$TMP/cancel.out" 2>"$TMP/cancel.err"
check "all of them accept tasks/cancel" $? "$(cat "$TMP/cancel.out" "$TMP/cancel.err")"
last=$(tail -n 1 "$TMP/ids")
w=$(tc wait "$LB" "$last" cancelled 5)
check "a cancelled parked task reads cancelled" $? "$w"
active=$(rcli eval "local n=0 for _,k in ipairs(redis.call('KEYS','mcp:to:*')) do n=n+redis.call('SCARD',k) end return n" 0)
check "no unfinished task is left in the owners' sets" $([ "$active" = 0 ]; echo $?) "$active left"

for i in 0 1 2; do
    kill -0 "${PID[$i]}" 2>/dev/null || fail "instance $i still running" "$(tail -5 "$TMP/mcp-$i.log")"
done
finish
