#!/usr/bin/env bash
# todo-mcp's WebAPI tools are task-optional (issue 18): against a todo-api
# that accepts connections and never answers, a 2026-07-28 client that
# declares io.modelcontextprotocol/tasks gets a task at once instead of a
# call blocked for the 10 s upstream timeout; the task ends completed +
# isError "WebAPI call failed ..." when the timeout fires. A client without
# the extension still gets the synchronous tool error. With a live todo-api
# the same tool completes with the todo.
# Env: BUILD_DIR, SOURCE_DIR. One line per check, then "N passed, N failed".
set -u
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
CLIENT="$SOURCE_DIR/tests/integration/tasks_client.py"

. "$(dirname "$0")/lib.sh"
it_begin todo-tasks-test
tc() { timeout 60 python3 "$CLIENT" "$@"; }
field() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2" 2>/dev/null; }

python3 -c 'import socket,time; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(16)
print(s.getsockname()[1], flush=True); time.sleep(90)' >"$TMP/hung.port" &
PIDS+=("$!")
HUNG_PORT=$(wait_line "$TMP/hung.port" '/^[0-9][0-9]*$/p')
[ -n "$HUNG_PORT" ] || die "hung listener started"
start_todo_api

start_mcp() { # NAME BASE_URL: sets MCP_URL
    "$MCP_BIN" --port 0 --quiet --web-api-base-url "$2" 2>"$TMP/$1.log" &
    PIDS+=("$!")
    MCP_URL=$(wait_line "$TMP/$1.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
}
start_mcp hung "http://127.0.0.1:$HUNG_PORT"; HUNG=$MCP_URL
start_mcp live "$API_URL"; LIVE=$MCP_URL
[ -n "$HUNG" ] && [ -n "$LIVE" ] || die "todo-mcp started" "$(cat "$TMP"/*.log)"

t0=$(date +%s%N)
r=$(tc create "$HUNG" get_todo '{"id":1}')
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
id=$(field "$r" 'd["taskId"]')
check "get_todo against a hung WebAPI answers a task at once ($ms ms < 3000)" \
    $([ "$(field "$r" 'd["resultType"]')" = task ] && [ "$ms" -lt 3000 ]; echo $?) "$r"
g=$(tc call "$HUNG" tasks/get "{\"taskId\":\"$id\"}")
check "the task is working while the WebAPI hangs" $([ "$(field "$g" 'd["status"]')" = working ]; echo $?) "$g"
w=$(tc wait "$HUNG" "$id" completed 20)
check "the 10 s WebAPI timeout ends the task completed + isError \"WebAPI call failed ...\"" \
    $([ "$(field "${w#* }" 'str(d["result"].get("isError")) + " " + d["result"]["content"][0]["text"][:18]')" = "True WebAPI call failed" ]; echo $?) "$w"
echo "  task completed after ${w%% *} s of polling"

r=$(tc create "$LIVE" create_todo '{"title":"via a task"}')
id2=$(field "$r" 'd["taskId"]')
w=$(tc wait "$LIVE" "$id2" completed 10)
check "with a live WebAPI the task completes with the created todo" \
    $([ $? = 0 ] && [ "$(field "${w#* }" 'd["result"]["structuredContent"]["title"]')" = "via a task" ]; echo $?) "$w"
finish
