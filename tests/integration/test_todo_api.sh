#!/usr/bin/env bash
# Integration test for todo-api: starts the real binary on loopback with
# --port 0 and a temporary SQLite file, drives it with curl (python3 checks the
# JSON), and covers every status code, PUT vs PATCH, filters, pagination,
# keep-alive, concurrency and persistence across a restart.
# Env: BUILD_DIR (build tree holding apps/todo-api/todo-api), SOURCE_DIR (unused).
set -u

BUILD_DIR=${BUILD_DIR:-$(pwd)/build}
BIN="$BUILD_DIR/apps/todo-api/todo-api"
if [ ! -x "$BIN" ]; then
    echo "FAIL: $BIN is not built (build the todo-api target first)"
    exit 1
fi
for tool in curl python3; do
    command -v "$tool" >/dev/null || { echo "FAIL: $tool is required"; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/todo-api-test.XXXXXX")
DB="$TMP/todo.db"
LOG="$TMP/server.log"
SERVER_PID=""
SERVER_EXIT=""
BASE=""
PASS=0
FAIL=0
STATUS=""
BODY=""

# ---------------------------------------------------------------- server control

stop_server() {
    [ -n "$SERVER_PID" ] || return 0
    kill -TERM "$SERVER_PID" 2>/dev/null
    for _ in $(seq 1 50); do # at most 5 s, then force
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null
    wait "$SERVER_PID" 2>/dev/null
    SERVER_EXIT=$?
    SERVER_PID=""
}

cleanup() {
    stop_server
    rm -rf "$TMP"
}
trap cleanup EXIT

start_server() {
    : >"$LOG"
    "$BIN" --port 0 --db "$DB" 2>>"$LOG" &
    SERVER_PID=$!
    local port=""
    for _ in $(seq 1 50); do # at most 5 s for the startup line
        port=$(sed -n 's|^todo-api listening on http://127\.0\.0\.1:\([0-9][0-9]*\) (db: .*)$|\1|p' "$LOG")
        [ -n "$port" ] && break
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    if [ -z "$port" ]; then
        echo "FAIL: server did not print its startup line; log:"
        cat "$LOG"
        exit 1
    fi
    BASE="http://127.0.0.1:$port"
    for _ in $(seq 1 50); do # at most 5 s for /healthz
        [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/healthz")" = 200 ] && return 0
        sleep 0.1
    done
    echo "FAIL: /healthz did not answer within 5 s; log:"
    cat "$LOG"
    exit 1
}

# ---------------------------------------------------------------- helpers

# req METHOD PATH [curl args...]: sets STATUS and BODY; headers in $TMP/headers.
req() {
    local method=$1 path=$2
    shift 2
    STATUS=$(curl -sS -o "$TMP/body" -D "$TMP/headers" -w '%{http_code}' --max-time 10 \
        -X "$method" "$@" "$BASE$path" 2>"$TMP/curl.err") || STATUS="curl-failed($(cat "$TMP/curl.err"))"
    BODY=$(cat "$TMP/body" 2>/dev/null)
}

# jreq METHOD PATH JSON: request with a JSON body.
jreq() {
    req "$1" "$2" -H 'Content-Type: application/json' --data-binary "$3"
}

# jreq_file METHOD PATH FILE: request with a JSON body read from FILE.
jreq_file() {
    req "$1" "$2" -H 'Content-Type: application/json' --data-binary "@$3"
}

pass() { PASS=$((PASS + 1)); echo "PASS: $1"; }
fail() { FAIL=$((FAIL + 1)); echo "FAIL: $1"; }

check() { # check NAME COMMAND...
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name (status=$STATUS body=${BODY:0:200})"; fi
}

# json EXPR: evaluates a Python expression over d = the last response body.
json() {
    python3 -c 'import json, re, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval("(" + sys.argv[2] + "\n)") else 1)' "$TMP/body" "$1" 2>/dev/null
}

# field NAME: prints a top-level field of the last response body.
field() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/body" "$1"
}

header() { # header NAME: prints the value of a response header
    tr -d '\r' <"$TMP/headers" | sed -n "s/^$1: //Ip" | tail -n 1
}

expect() { # expect STATUS NAME: the last status must be STATUS
    check "$2 -> $1" test "$STATUS" = "$1"
}

is_error() { # is_error STATUS: the last reply has STATUS and a {"error": "..."} body
    test "$STATUS" = "$1" && json 'isinstance(d.get("error"), str) and len(d["error"]) > 0'
}

expect_error() { # expect_error STATUS NAME
    check "$2 -> $1 with error body" is_error "$1"
}

no_sanitizer_report() {
    ! grep -Eq 'runtime error|AddressSanitizer|LeakSanitizer|ThreadSanitizer' "$LOG"
}

TODO_SHAPE='set(d) == {"id", "title", "completed", "createdAt", "updatedAt"}
 and type(d["id"]) is int and d["id"] > 0 and isinstance(d["title"], str)
 and type(d["completed"]) is bool
 and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d[k]) for k in ("createdAt", "updatedAt"))'

# ---------------------------------------------------------------- tests

test_startup_and_health() {
    check "startup line names the db file" grep -q "(db: $DB)\$" "$LOG"
    req GET /healthz
    expect 200 "GET /healthz"
    check "healthz body is {\"status\":\"ok\"}" json 'd == {"status": "ok"}'
    check "healthz Content-Type is application/json" test "$(header Content-Type)" = application/json
    STATUS=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -I "$BASE/healthz")
    expect 200 "HEAD /healthz"
    req GET /todos
    expect 200 "GET /todos on an empty db"
    check "empty list is []" json 'd == []'
}

test_create() {
    jreq POST /todos '{"title":"buy milk"}'
    expect 201 "POST /todos"
    check "created todo has the documented shape" json "$TODO_SHAPE"
    check "created todo defaults completed=false" json 'd["title"] == "buy milk" and d["completed"] is False'
    check "createdAt equals updatedAt on create" json 'd["createdAt"] == d["updatedAt"]'
    FIRST_ID=$(field id)
    FIRST_CREATED=$(field createdAt)
    check "Location is /todos/{id}" test "$(header Location)" = "/todos/$FIRST_ID"

    jreq POST /todos '{"title":"done already","completed":true}'
    expect 201 "POST /todos with completed=true"
    check "completed=true is stored" json 'd["completed"] is True'
    check "ids increase" json "d['id'] > $FIRST_ID"

    jreq POST /todos '{"title":"caf\u00e9 \u2615 \ud83d\ude00 ✓","completed":false}'
    expect 201 "POST /todos with unicode title"
    check "unicode title round-trips" json 'd["title"] == "café ☕ 😀 ✓"'

    req POST /todos -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"title":"charset"}'
    expect 201 "POST with Content-Type application/json; charset=utf-8"

    jreq POST /todos '{"title":"extra","id":999,"createdAt":"x","color":"red"}'
    expect 201 "POST with unknown fields (ignored)"
    check "unknown fields are not stored, id is server-assigned" json "$TODO_SHAPE and d['id'] != 999 and d['createdAt'] != 'x'"

    req GET "/todos/$FIRST_ID"
    expect 200 "GET /todos/{id}"
    check "GET returns the stored todo" json "$TODO_SHAPE and d['id'] == $FIRST_ID and d['title'] == 'buy milk'"
}

test_title_limits() {
    local t1000 t1001
    t1000=$(printf 'a%.0s' $(seq 1 1000))
    t1001="${t1000}a"
    jreq POST /todos "{\"title\":\"$t1000\"}"
    expect 201 "title of exactly 1000 characters"
    jreq POST /todos "{\"title\":\"$t1001\"}"
    expect_error 400 "title of 1001 characters"
    t1000=$(printf 'é%.0s' $(seq 1 1000))
    jreq POST /todos "{\"title\":\"$t1000\"}"
    expect 201 "title of 1000 two-byte characters (limit counts characters)"
}

test_bad_bodies() {
    jreq POST /todos '{"title":'
    expect_error 400 "invalid JSON"
    jreq POST /todos '{"title":"a"} trailing'
    expect_error 400 "trailing garbage after JSON"
    jreq POST /todos '{}'
    expect_error 400 "missing title"
    jreq POST /todos '{"title":42}'
    expect_error 400 "title of wrong type"
    jreq POST /todos '{"title":""}'
    expect_error 400 "empty title"
    jreq POST /todos '{"title":"   "}'
    expect_error 400 "whitespace-only title"
    jreq POST /todos '{"title":"x","completed":"yes"}'
    expect_error 400 "completed of wrong type"
    jreq POST /todos '{"title":"x","completed":null}'
    expect_error 400 "completed null"
    jreq POST /todos '[{"title":"x"}]'
    expect_error 400 "body is an array"
    jreq POST /todos '"just a string"'
    expect_error 400 "body is a string"
    req POST /todos -H 'Content-Type: application/json'
    expect_error 400 "empty body"
    printf '{"title":"bad \xff\xfe utf8"}' >"$TMP/bad_utf8.json"
    jreq_file POST /todos "$TMP/bad_utf8.json"
    expect_error 400 "invalid UTF-8"
    printf '{"title":"overlong \xc0\xaf"}' >"$TMP/overlong.json"
    jreq_file POST /todos "$TMP/overlong.json"
    expect_error 400 "overlong UTF-8"
    jreq POST /todos '{"title":"nul \u0000 inside"}'
    expect_error 400 "escaped NUL in title"
    jreq POST /todos '{"title":"lone \ud800 surrogate"}'
    expect_error 400 "lone surrogate escape"
    printf '{"title":"raw\ttab"}' >"$TMP/ctrl.json"
    jreq_file POST /todos "$TMP/ctrl.json"
    expect_error 400 "raw control character in string"
    python3 -c 'import sys; sys.stdout.write("[" * 5000 + "]" * 5000)' >"$TMP/deep.json"
    jreq_file POST /todos "$TMP/deep.json"
    expect_error 400 "deeply nested JSON"
    req GET /healthz
    expect 200 "server alive after bad bodies"
}

test_media_type_and_size() {
    req POST /todos --data-binary '{"title":"x"}' -H 'Content-Type:'
    expect_error 415 "POST without Content-Type"
    req POST /todos -H 'Content-Type: text/plain' --data-binary '{"title":"x"}'
    expect_error 415 "POST with text/plain"
    req POST /todos -d 'title=x'
    expect_error 415 "POST with a form body"
    req PUT "/todos/$FIRST_ID" -H 'Content-Type: text/plain' --data-binary '{"title":"x","completed":true}'
    expect_error 415 "PUT with text/plain"
    req PATCH "/todos/$FIRST_ID" -H 'Content-Type: application/jsonx' --data-binary '{"title":"x"}'
    expect_error 415 "PATCH with application/jsonx"

    # Exactly 64 KiB is accepted (the unknown "pad" member is ignored); one more byte is not.
    python3 -c 'import sys
n = int(sys.argv[1]); head = "{\"title\":\"big\",\"pad\":\""; tail = "\"}"
sys.stdout.write(head + "x" * (n - len(head) - len(tail)) + tail)' 65536 >"$TMP/64k.json"
    python3 -c 'import sys
n = int(sys.argv[1]); head = "{\"title\":\"big\",\"pad\":\""; tail = "\"}"
sys.stdout.write(head + "x" * (n - len(head) - len(tail)) + tail)' 65537 >"$TMP/64k1.json"
    jreq_file POST /todos "$TMP/64k.json"
    expect 201 "body of exactly 64 KiB"
    jreq_file POST /todos "$TMP/64k1.json"
    expect_error 413 "body of 64 KiB + 1 (Content-Length)"
    req POST /todos -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' \
        --data-binary "@$TMP/64k1.json"
    expect_error 413 "body of 64 KiB + 1 (chunked)"
    head -c 2000000 /dev/zero | tr '\0' x >"$TMP/2m.bin"
    jreq_file POST /todos "$TMP/2m.bin"
    expect_error 413 "body of 2 MB (Content-Length)"
    req GET /healthz
    expect 200 "server alive after oversize bodies"
}

test_bad_ids_and_paths() {
    local id
    for id in abc 0 -1 1.5 +1 1e3 99999999999999999999 9223372036854775808 '%20'; do
        req GET "/todos/$id"
        expect_error 400 "GET /todos/$id (bad id)"
    done
    req GET /todos/
    expect_error 400 "GET /todos/ (empty id)"
    jreq PUT /todos/abc '{"title":"x","completed":true}'
    expect_error 400 "PUT /todos/abc"
    jreq PATCH /todos/0 '{"title":"x"}'
    expect_error 400 "PATCH /todos/0"
    req DELETE /todos/-1
    expect_error 400 "DELETE /todos/-1"

    req GET /todos/9223372036854775807
    expect_error 404 "GET /todos/INT64_MAX (missing)"
    req GET /todos/999999
    expect_error 404 "GET missing id"
    jreq PUT /todos/999999 '{"title":"x","completed":true}'
    expect_error 404 "PUT missing id"
    jreq PATCH /todos/999999 '{"completed":true}'
    expect_error 404 "PATCH missing id"
    req DELETE /todos/999999
    expect_error 404 "DELETE missing id"

    req GET /nope
    expect_error 404 "unknown path"
    req GET "/todos/$FIRST_ID/extra"
    expect_error 404 "path below an item"
    req GET /
    expect_error 404 "root path"

    req DELETE /todos
    expect_error 405 "DELETE /todos"
    check "405 on /todos sends Allow: GET, HEAD, POST" test "$(header Allow)" = "GET, HEAD, POST"
    jreq POST "/todos/$FIRST_ID" '{"title":"x"}'
    expect_error 405 "POST /todos/{id}"
    check "405 on /todos/{id} sends Allow with PUT, PATCH, DELETE" \
        test "$(header Allow)" = "GET, HEAD, PUT, PATCH, DELETE"
    req PUT /healthz
    expect_error 405 "PUT /healthz"
    check "405 on /healthz sends Allow: GET, HEAD" test "$(header Allow)" = "GET, HEAD"
}

test_put_and_patch() {
    jreq POST /todos '{"title":"original","completed":false}'
    local id
    id=$(field id)
    jreq PUT "/todos/$id" '{"title":"only title"}'
    expect_error 400 "PUT without completed"
    jreq PUT "/todos/$id" '{"completed":true}'
    expect_error 400 "PUT without title"
    jreq PUT "/todos/$id" '{"title":"","completed":true}'
    expect_error 400 "PUT with empty title"
    sleep 0.01 # so updatedAt can move past createdAt
    jreq PUT "/todos/$id" '{"title":"replaced","completed":true}'
    expect 200 "PUT full replace"
    check "PUT stored both fields" json "$TODO_SHAPE and d['id'] == $id and d['title'] == 'replaced' and d['completed'] is True"
    check "PUT moved updatedAt, kept createdAt" json 'd["updatedAt"] > d["createdAt"]'

    jreq PATCH "/todos/$id" '{}'
    expect_error 400 "PATCH with no fields"
    jreq PATCH "/todos/$id" '{"color":"red"}'
    expect_error 400 "PATCH with only unknown fields"
    jreq PATCH "/todos/$id" '{"completed":"no"}'
    expect_error 400 "PATCH with completed of wrong type"
    jreq PATCH "/todos/$id" '{"completed":false}'
    expect 200 "PATCH completed only"
    check "PATCH kept the title" json "d['title'] == 'replaced' and d['completed'] is False"
    jreq PATCH "/todos/$id" '{"title":"patched"}'
    expect 200 "PATCH title only"
    check "PATCH kept completed" json "d['title'] == 'patched' and d['completed'] is False"
    req GET "/todos/$id"
    check "GET after PATCH shows the patched todo" json "d['title'] == 'patched' and d['completed'] is False"

    req DELETE "/todos/$id"
    expect 204 "DELETE /todos/{id}"
    check "204 has an empty body" test -z "$BODY"
    req GET "/todos/$id"
    expect_error 404 "GET after DELETE"
    req DELETE "/todos/$id"
    expect_error 404 "DELETE twice"
}

# Creates 100 todos over one keep-alive connection (also checks keep-alive).
create_many_keepalive() {
    python3 - "$BASE" <<'EOF'
import http.client, json, sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
conn.connect()
sock = conn.sock
for i in range(100):
    conn.request("POST", "/todos", json.dumps({"title": "bulk %d" % i, "completed": i % 3 == 0}),
                 {"Content-Type": "application/json"})
    r = conn.getresponse()
    r.read()
    if r.status != 201 or conn.sock is not sock:
        sys.exit(1)
EOF
}

test_list_filters_pagination() {
    check "100 POSTs over one keep-alive connection" create_many_keepalive
    req GET "/todos?limit=1000"
    expect 200 "GET /todos?limit=1000"
    cp "$TMP/body" "$TMP/all.json"
    local total
    total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$TMP/all.json")
    check "full list has more than 100 todos ($total)" test "$total" -gt 100
    check "list is ordered by id" json 'all(a["id"] < b["id"] for a, b in zip(d, d[1:]))'
    req GET /todos
    check "default limit is 100" json 'len(d) == 100'

    req GET "/todos?completed=true&limit=1000"
    expect 200 "GET /todos?completed=true"
    check "completed=true returns exactly the completed todos" python3 -c '
import json, sys
all_ = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
sys.exit(0 if got == [t for t in all_ if t["completed"]] and got else 1)' "$TMP/all.json" "$TMP/body"
    req GET "/todos?completed=false&limit=1000"
    expect 200 "GET /todos?completed=false"
    check "completed=false returns exactly the open todos" python3 -c '
import json, sys
all_ = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
sys.exit(0 if got == [t for t in all_ if not t["completed"]] and got else 1)' "$TMP/all.json" "$TMP/body"

    req GET "/todos?limit=2&offset=3"
    expect 200 "GET /todos?limit=2&offset=3"
    check "limit/offset select the right window" python3 -c '
import json, sys
all_ = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
sys.exit(0 if got == all_[3:5] else 1)' "$TMP/all.json" "$TMP/body"
    req GET "/todos?completed=false&limit=3&offset=1"
    check "filter combines with pagination" python3 -c '
import json, sys
all_ = json.load(open(sys.argv[1])); got = json.load(open(sys.argv[2]))
sys.exit(0 if got == [t for t in all_ if not t["completed"]][1:4] else 1)' "$TMP/all.json" "$TMP/body"
    req GET "/todos?offset=100000"
    check "offset past the end gives []" json 'd == []'

    local q
    for q in completed=yes completed=1 completed= completed limit=0 limit=1001 limit=abc limit=-5 \
        offset=-1 offset=x offset=1.5; do
        req GET "/todos?$q"
        expect_error 400 "GET /todos?$q"
    done
}

test_concurrency() {
    local i pids=()
    for i in $(seq 1 20); do
        curl -s -o /dev/null -w '%{http_code}\n' --max-time 20 -X POST \
            -H 'Content-Type: application/json' --data-binary "{\"title\":\"concurrent $i\"}" \
            "$BASE/todos" >"$TMP/par.$i" 2>/dev/null &
        pids+=($!)
    done
    for i in "${pids[@]}"; do wait "$i"; done # each curl is bounded by --max-time
    check "20 parallel POSTs all got 201" test "$(cat "$TMP"/par.* | grep -c '^201$')" = 20
    req GET "/todos?limit=1000"
    check "GET /todos shows the 20 parallel todos with distinct ids" json '
len([t for t in d if t["title"].startswith("concurrent ")]) == 20
and len({t["id"] for t in d if t["title"].startswith("concurrent ")}) == 20
and {t["title"] for t in d if t["title"].startswith("concurrent ")} == {"concurrent %d" % i for i in range(1, 21)}'
    cp "$TMP/body" "$TMP/before_restart.json"
}

test_restart_persistence() {
    stop_server
    check "SIGTERM exits with status 0" test "$SERVER_EXIT" = 0
    check "no sanitizer report in the server log" no_sanitizer_report
    start_server
    req GET "/todos/$FIRST_ID"
    expect 200 "GET the first todo after restart"
    check "first todo survived the restart unchanged" json "d['title'] == 'buy milk' and d['createdAt'] == '$FIRST_CREATED'"
    req GET "/todos?limit=1000"
    check "whole list survived the restart" cmp -s "$TMP/body" "$TMP/before_restart.json"
    jreq POST /todos '{"title":"after restart"}'
    expect 201 "POST after restart"
    check "ids keep increasing after restart" json "d['id'] > max(t['id'] for t in json.load(open('$TMP/before_restart.json')))"
}

test_final_shutdown() {
    stop_server
    check "second SIGTERM exits with status 0" test "$SERVER_EXIT" = 0
    check "no sanitizer report after restart" no_sanitizer_report
}

start_server
test_startup_and_health
test_create
test_title_limits
test_bad_bodies
test_media_type_and_size
test_bad_ids_and_paths
test_put_and_patch
test_list_filters_pagination
test_concurrency
test_restart_persistence
test_final_shutdown

echo "todo-api: $PASS passed, $FAIL failed"
if [ "$FAIL" -ne 0 ]; then
    echo "--- server log (last 40 lines) ---"
    tail -n 40 "$LOG" 2>/dev/null
    exit 1
fi
exit 0
