# tests/integration/lib.sh - what the integration scripts share: a private
# temporary directory, the PIDs a script started (stopped on exit however
# the script ends: TERM, at most 2 s, then KILL) and the PASS/FAIL tally
# whose last line, "N passed, N failed", and exit status CTest reads.
#
#   . "$(dirname "$0")/lib.sh"
#   it_begin NAME             # TMP=/tmp/NAME.XXXXXX, PIDS=(), trap on EXIT
#   PIDS+=("$!")              # after starting a server in the background
#   pass NAME | fail NAME [DETAIL] | check NAME STATUS [DETAIL]
#   finish                    # the summary line; exit 0 only with passes and no failures
#   die NAME [DETAIL]         # fail NAME, then finish
#   stop_pid PID [SIGNAL]     # signal (TERM), wait at most 5 s, then KILL; exit code in STOP_RC
#   wait_line FILE SED-EXPR   # first match of sed -n EXPR in FILE, waiting at most 10 s
#   free_port                 # prints a loopback TCP port the kernel chose (bound, then closed)
#   start_session_server NAME ARGS...  # tests/integration/session_server on a free port: SPID, PORT
#   start_everything LOG ARGS...  # apps/mcp-everything on a free port: SPID, PORT, URL
#   start_todo_api            # apps/todo-api (in-memory db) on a free port: API_URL, LAST_PID
#   start_todo_mcp NAME ARGS...   # apps/todo-mcp on a free port: MCP_URL, MCP_BASE, LAST_PID
#   make_test_ca DIR NAME CN      # openssl: self-signed EC P-256 test CA, DIR/NAME.{key,pem}
#   make_test_cert DIR CA NAME CN SAN  # openssl: server certificate signed by DIR/CA, DIR/NAME.{key,pem}
# A script that needs more on exit defines it_on_exit; it runs first.
# KEEP_TMP=1 keeps the temporary directory (logs) for a look afterwards.

it_begin() {
    TMP=$(mktemp -d "/tmp/$1.XXXXXX")
    PIDS=()
    passed=0
    failed=0
    trap it_cleanup EXIT
}

it_cleanup() {
    local pid
    if declare -F it_on_exit >/dev/null; then it_on_exit; fi
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do
        for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    if [ -n "${KEEP_TMP:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}

pass() { passed=$((passed + 1)); echo "PASS: $1"; }
fail() { failed=$((failed + 1)); echo "FAIL: $1${2:+ -- $2}"; }
# check NAME STATUS [DETAIL]: pass when STATUS is 0.
check() { if [ "$2" = 0 ]; then pass "$1"; else fail "$1" "${3:-}"; fi; }

finish() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && exit 0
    exit 1
}
die() { fail "$1" "${2:-}"; finish; }

STOP_RC=""
stop_pid() {
    local pid=$1
    kill -"${2:-TERM}" "$pid" 2>/dev/null
    for _ in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    STOP_RC=$?
}

wait_line() {
    local found=""
    for _ in $(seq 1 100); do
        found=$(sed -n "$2" "$1" 2>/dev/null | head -n 1)
        [ -n "$found" ] && break
        sleep 0.1
    done
    echo "$found"
}

# free_port: print a loopback TCP port the kernel chose, bound then closed
# (for programs that take no --port 0; another process may take it first).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# start_session_server NAME ARGS...: tests/integration/session_server on a
# free port with ARGS (stderr in $TMP/NAME.err); sets PORT and SPID.
# Status 0 once it announced its port (at most 5 s).
start_session_server() {
    local log=$TMP/$1.err
    shift
    "$BUILD_DIR/tests/integration/session_server" --port 0 "$@" 2>"$log" &
    SPID=$!
    PIDS+=("$SPID")
    PORT=""
    for _ in $(seq 1 50); do
        PORT=$(sed -n 's|^session_server listening on http://127\.0\.0\.1:\([0-9]*\)/mcp.*|\1|p' "$log" | head -n 1)
        [ -n "$PORT" ] && break
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$PORT" ]
}

# start_everything LOG ARGS...: apps/mcp-everything with ARGS on a free port
# (stderr in $TMP/LOG.err); sets SPID, PORT and URL. Status 0 once it
# announced its port (at most 5 s).
start_everything() {
    local log=$TMP/$1.err
    shift
    "$BUILD_DIR/apps/mcp-everything/mcp-everything" "$@" --port 0 2>"$log" &
    SPID=$!
    PIDS+=("$SPID")
    PORT=""
    for _ in $(seq 1 50); do                  # <= 5 s
        PORT=$(sed -n 's|^mcp-everything listening on http://127\.0\.0\.1:\([0-9]*\)/mcp.*|\1|p' "$log" | head -n 1)
        [ -n "$PORT" ] && break
        kill -0 "$SPID" 2>/dev/null || break
        sleep 0.1
    done
    URL=http://127.0.0.1:$PORT/mcp
    [ -n "$PORT" ]
}

# start_todo_api: apps/todo-api on a free port with an in-memory database
# (stderr in $TMP/api.log); sets API_URL and LAST_PID, dies when it does not start.
start_todo_api() {
    "$BUILD_DIR/apps/todo-api/todo-api" --port 0 --db :memory: --quiet 2>"$TMP/api.log" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    local port
    port=$(wait_line "$TMP/api.log" 's|^todo-api listening on http://127\.0\.0\.1:\([0-9]*\) .*|\1|p')
    [ -n "$port" ] || die "todo-api started" "$(cat "$TMP/api.log")"
    API_URL="http://127.0.0.1:$port"
}

# start_todo_mcp NAME ARGS...: apps/todo-mcp with ARGS on a free port
# (stderr in $TMP/NAME.log); sets MCP_URL, MCP_BASE and LAST_PID, dies when
# it does not start.
start_todo_mcp() {
    local name=$1
    shift
    "$BUILD_DIR/apps/todo-mcp/todo-mcp" --port 0 "$@" 2>"$TMP/$name.log" &
    LAST_PID=$!
    PIDS+=("$LAST_PID")
    MCP_URL=$(wait_line "$TMP/$name.log" \
        's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
    [ -n "$MCP_URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
    MCP_BASE=${MCP_URL%/mcp}
}

# make_test_ca DIR NAME CN: a self-signed test CA made with the openssl CLI
# (EC P-256, 2 days, subject /CN=CN): DIR/NAME.key and DIR/NAME.pem.
make_test_ca() {
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$1/$2.key" -out "$1/$2.pem" \
        -days 2 -subj "/CN=$3" 2>/dev/null
}

# make_test_cert DIR CA NAME CN SAN: a TLS server certificate (EC P-256,
# 2 days, subject /CN=CN, subjectAltName=SAN, serverAuth) signed by the CA
# in DIR/CA.{pem,key}: DIR/NAME.key and DIR/NAME.pem (DIR/NAME.csr and
# DIR/NAME.ext along the way).
make_test_cert() {
    local d=$1 ca=$2 n=$3
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$n.key" -out "$d/$n.csr" \
        -subj "/CN=$4" 2>/dev/null &&
    printf 'subjectAltName=%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$5" >"$d/$n.ext" &&
    openssl x509 -req -in "$d/$n.csr" -CA "$d/$ca.pem" -CAkey "$d/$ca.key" -CAcreateserial -out "$d/$n.pem" \
        -days 2 -extfile "$d/$n.ext" 2>/dev/null
}
