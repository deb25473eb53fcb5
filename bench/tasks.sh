#!/usr/bin/env bash
# bench/tasks.sh - tasks (SEP-2663) throughput of mcp-everything: tasks
# created per second (tools/call slow_compute {seconds:0} answered with a
# CreateTaskResult; the record is stored before the reply, the handler runs
# on the worker pool) and tasks/get per second on one completed task, with
# the in-process task store and with Redis (--store). wrk -t2 -c16, bounded
# runs, loopback only; every server is stopped by PID. Prints a Markdown
# table (or writes it to --out). bench/run calls it for scenario t.
#
# Usage: bench/tasks.sh --build-dir DIR [--duration S] [--out FILE] [--cmds FILE]
set -uo pipefail
BENCH=$(cd "$(dirname "$0")" && pwd)
BUILD_DIR="" DURATION=5 OUT="" CMDS=/dev/null
while [ $# -gt 0 ]; do
    case $1 in
        --build-dir) BUILD_DIR=$2; shift ;;
        --duration) DURATION=$2; shift ;;
        --out) OUT=$2; shift ;;
        --cmds) CMDS=$2; shift ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "bench/tasks: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
BIN=$BUILD_DIR/apps/mcp-everything/mcp-everything
[ -x "$BIN" ] || { echo "bench/tasks: no $BIN (build mcp-everything)" >&2; exit 2; }
for t in wrk redis-server redis-cli python3; do
    command -v "$t" >/dev/null || { echo "bench/tasks: $t missing" >&2; exit 2; }
done
TMP=$(mktemp -d /tmp/bench-tasks.XXXXXX)
PIDS=()
cleanup() {
    local p
    for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

RPORT=$(free_port)
redis-server --port "$RPORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --logfile "$TMP/redis.log" &
PIDS+=("$!")
for _ in $(seq 1 50); do [ "$(redis-cli -p "$RPORT" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done

start() { # STORE_ARGS... -> sets URL, SPID
    "$BIN" --mode stateless --response json --port 0 "$@" 2>"$TMP/mcp.log" &
    SPID=$!
    PIDS+=("$SPID")
    local port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's|^mcp-everything listening on http://127\.0\.0\.1:\([0-9]*\)/mcp .*|\1|p' "$TMP/mcp.log" | head -1)
        [ -n "$port" ] && break
        sleep 0.1
    done
    URL="http://127.0.0.1:$port/mcp"
}
wrk_rate() { # LUA -> "ok_rate p50 p99 non2xx"
    wrk -t2 -c16 -d"${DURATION}s" --latency -s "$BENCH/wrk/$1" "$URL" 2>/dev/null |
        sed -n 's/^result .*ok_rate=\([0-9.]*\) p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\) .*non2xx=\([0-9]*\).*/\1 \2 \3 \4/p'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

ROWS=()
for store in memory redis; do
    args=()
    [ $store = redis ] && args=(--store "redis://127.0.0.1:$RPORT/0")
    start "${args[@]}"
    echo "$BIN --mode stateless --response json --port 0 ${args[*]}" >>"$CMDS"
    echo "wrk -t2 -c16 -d${DURATION}s --latency -s bench/wrk/task_create.lua \$URL   # then task_get.lua with TASK_ID" >>"$CMDS"
    r=$(python3 "$BENCH/../tests/integration/tasks_client.py" create "$URL" slow_compute '{"seconds":0}')
    id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["taskId"])' "$r")
    python3 "$BENCH/../tests/integration/tasks_client.py" wait "$URL" "$id" completed 5 >/dev/null ||
        { echo "bench/tasks: the probe task did not complete ($store)" >&2; exit 1; }
    rss0=$(rss_kb "$SPID")
    read -r c_rate c_p50 c_p99 c_bad <<<"$(wrk_rate task_create.lua)"
    rss1=$(rss_kb "$SPID")
    read -r g_rate g_p50 g_p99 g_bad <<<"$(TASK_ID=$id wrk_rate task_get.lua)"
    ROWS+=("| $store | ${c_rate:-?} | ${c_p50:-?} / ${c_p99:-?} | ${g_rate:-?} | ${g_p50:-?} / ${g_p99:-?} | $(( (rss1 - rss0) / 1024 )) | $(( ${c_bad:-0} + ${g_bad:-0} )) |")
    kill "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
done

table() {
    echo "| task store | tasks created/s | create p50 / p99 ms | tasks/get/s | get p50 / p99 ms | RSS growth while creating (MB) | non-2xx |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "wrk -t2 -c16, ${DURATION} s per run; created tasks complete at once (slow_compute {seconds:0} on the" \
         "worker pool) and stay readable for their ttlMs (300 s), so the records accumulate during the run."
}
if [ -n "$OUT" ]; then table >"$OUT"; else table; fi
