#!/usr/bin/env bash
# Smoke test of the benchmark harness (issue 9): `bench/run --smoke` with the
# C servers and nginx only (no TypeScript peers, no npm, no setup) against the
# tree under test, then checks the structure of the results file it wrote:
# every scenario section, a table row per server that is built, numeric cells
# where a measurement belongs, the exact commands. Numbers are not judged.
# One line per check; the last line is "N passed, N failed".
# Env: BUILD_DIR (build tree), SOURCE_DIR (source tree).
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib.sh"
it_begin bench-smoke
OUT=$TMP/RESULTS.md

for tool in cc curl; do
    command -v "$tool" >/dev/null || { fail "$tool is required"; finish; }
done
HAVE_WRK=0 HAVE_NGINX=0
command -v wrk >/dev/null && HAVE_WRK=1 || echo "note: wrk missing (scripts/setup installs it): HTTP load rows not checked"
command -v nginx >/dev/null && HAVE_NGINX=1 || echo "note: nginx missing (scripts/setup installs it): nginx rows not checked"
EXAMPLE=$BUILD_DIR/examples/mcp-example
TODO_MCP=$BUILD_DIR/apps/todo-mcp/todo-mcp
TODO_API=$BUILD_DIR/apps/todo-api/todo-api
[ -x "$EXAMPLE" ] || { fail "mcp-example is built" "$EXAMPLE missing"; finish; }
HAVE_TODO=0
[ -x "$TODO_MCP" ] && [ -x "$TODO_API" ] && HAVE_TODO=1

# A port block per process id, so parallel test runs do not meet; bench/run
# moves on to the next free block by itself.
start=$(date +%s)
TMPDIR=$TMP timeout 240 "$SOURCE_DIR/bench/run" --smoke --no-peers --build-dir "$BUILD_DIR" --out "$OUT" \
    --port-base $((21000 + ($$ % 150) * 60)) >"$TMP/run.log" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
if [ $rc -eq 0 ]; then pass "bench/run --smoke exits 0 (${secs} s)"; else fail "bench/run --smoke exits 0" "rc=$rc: $(tail -5 "$TMP/run.log" | tr '\n' ' ')"; fi
[ -s "$OUT" ] && pass "results file written" || { fail "results file written" "$OUT"; finish; }

for s in "a. Stateless" "b. \`get_todo\`" "c. Stateful \`initialize\`" "d. Stateful \`tools/call counter\`" \
         "e. Session per call" "f. Memory" "g. Cold start" "h. stdio" "l. Rate limiter cost"; do
    grep -qF "## $s" "$OUT" && pass "section $s" || fail "section $s"
done
for s in "## Machine and versions" "## Targets (issue 9) against this run" "## Exact commands" "## Notes"; do
    grep -qxF "$s" "$OUT" && pass "$s" || fail "$s"
done
grep -q '^| CPU | .*nproc [0-9]' "$OUT" && pass "machine facts" || fail "machine facts"

# The table of section SEC (its "## SEC" heading up to the next heading).
section() { awk -v h="## $1" 'index($0, h) == 1 { on = 1; next } /^## / { on = 0 } on' "$OUT"; }
# row SEC LABEL COLUMN WHAT: the first row of SEC starting with "| LABEL" has
# a number in column COLUMN (1 = the label).
row() {
    local sec=$1 lbl=$2 col=$3 what=$4 line cell
    line=$(section "$sec" | grep -F "| $lbl" | head -1)
    if [ -z "$line" ]; then fail "$what: row present" "no '$lbl' row in section $sec"; return; fi
    cell=$(awk -F'|' -v c=$((col + 1)) '{ gsub(/ /, "", $c); print $c }' <<<"$line")
    if [[ $cell =~ ^[0-9]+(\.[0-9]+)?$ ]]; then pass "$what: $cell"; else fail "$what: numeric" "'$cell' in: $line"; fi
}

if [ $HAVE_WRK = 1 ]; then
    row "a. Stateless" 'libmcp `mcp-example` |' 4 "a: mcp-example req/s"
    row "a. Stateless" 'libmcp `mcp-example` |' 6 "a: mcp-example p99"
    [ $HAVE_NGINX = 1 ] && row "a. Stateless" "nginx static" 4 "a: nginx req/s"
    row "a. Stateless" "bare libmicrohttpd" 4 "a: bare libmicrohttpd echo req/s"
    # the paced 2026-07-28/2025 comparison (issue 17): both forms measured, the ratio a number
    if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
        for form in 2025-06-18 2026-07-28; do
            cell=$(section "a. Stateless" | awk -F'|' -v f=" $form " '$2 == f { gsub(/ /, "", $6); print $6; exit }')
            [[ $cell =~ ^[0-9]+(\.[0-9]+)?$ ]] && pass "a: paced $form CPU us/request: $cell" ||
                fail "a: paced $form CPU us/request" "'$cell'"
        done
        grep -qE '^\| 2026-07-28 echo server CPU per request .*paced.* \| [0-9.]+× \(pairs' "$OUT" &&
            pass "a: paced ratio in the targets" || fail "a: paced ratio in the targets"
    fi
    [ $HAVE_TODO = 1 ] && row 'b. `get_todo`' 'libmcp `todo-mcp` stateless' 2 "b: todo-mcp req/s"
    [ $HAVE_TODO = 1 ] && row 'd. Stateful `tools/call counter`' 'libmcp `todo-mcp --mode stateful`' 2 "d: counter req/s"
fi
if [ $HAVE_TODO = 1 ]; then
    row 'c. Stateful `initialize`' 'libmcp `todo-mcp --mode stateful`' 3 "c: sessions/s"
    row "e. Session per call" 'libmcp `todo-mcp --mode stateful`' 2 "e: cycles/s"
    row "f. Memory" 'libmcp `todo-mcp --mode stateful`' 2 "f: idle RSS"
    row "f. Memory" 'libmcp `todo-mcp --mode stateful`' 5 "f: bytes/session"
    row "f. Memory" 'libmcp `todo-mcp --mode stateful`' 9 "f: bytes/stream"
fi
row "g. Cold start" 'libmcp `mcp-example` |' 2 "g: mcp-example cold start ms"
row "h. stdio" "line-echo" 3 "h: line-echo round trips/s"
row "h. stdio" "cJSON line echo" 3 "h: cJSON line echo round trips/s"
row "h. stdio" 'libmcp `mcp-example` (stdio)' 3 "h: mcp-example round trips/s"
grep -q '^mcpload cold ' "$OUT" && pass "exact commands listed" || fail "exact commands listed"

# Nothing the harness started is left running (it stops servers by PID):
# no process from its temporary directory, no server port still listening.
if ps -eo args 2>/dev/null | grep -v grep | grep -qF "$TMP/"; then
    fail "no harness process left running" "$(ps -eo pid,args | grep -F "$TMP/" | grep -v grep | head -3)"
else
    pass "no harness process left running"
fi
left=""
for port in $(sed -n 's/.*\(--http\|--port\) \([0-9][0-9]*\).*/\2/p; s/.*127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$OUT" | sort -u); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && left="$left $port"
done
[ -z "$left" ] && pass "no server port left listening" || fail "no server port left listening" "$left"
finish
