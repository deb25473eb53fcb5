#!/usr/bin/env bash
# What a program pays for: libmcp.so exports the public API (mcp_*) and
# nothing internal, a program linked against it works, and a program that
# uses neither OAuth nor Redis (mcp-example, static) carries neither
# libcurl, libcrypto nor libhiredis, while todo-mcp, which uses all three,
# does. One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SO=$(ls "$BUILD_DIR"/src/libmcp.so 2>/dev/null)
EXAMPLE=$BUILD_DIR/examples/mcp-example
SHARED=$BUILD_DIR/examples/mcp-example-shared
TODO=$BUILD_DIR/apps/todo-mcp/todo-mcp

. "$(dirname "$0")/lib.sh"
it_begin linkage
needed() { readelf -d "$1" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' '; }

exports=$(nm -D --defined-only "$SO" 2>/dev/null | awk '{print $NF}')
check "libmcp.so exports mcp_server_new, mcp_serve_http, mcp_auth_new, mcp_store_redis_open" \
    $(for s in mcp_server_new mcp_serve_http mcp_auth_new mcp_store_redis_open; do grep -qx "$s" <<<"$exports" || exit 1; done; echo 0) \
    "$(wc -l <<<"$exports") exports"
internal=$(grep -v '^mcp_' <<<"$exports" | grep -v '^_' | head -5 | tr '\n' ' ')
check "libmcp.so exports nothing but mcp_* names" $([ -z "$internal" ]; echo $?) "$internal"
internal2=$(grep '^mcp__' <<<"$exports" | head -5 | tr '\n' ' ')
check "libmcp.so keeps internal mcp__* names local" $([ -z "$internal2" ]; echo $?) "$internal2"

reply=$(printf '%s\n' \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"via the .so"}}}' \
    | timeout 10 "$SHARED" 2>/dev/null | tail -1)
check "a program linked against libmcp.so answers tools/call over stdio" \
    $(grep -q '"text":"via the .so"' <<<"$reply"; echo $?) "$reply"

n=$(needed "$EXAMPLE")
check "mcp-example (no OAuth, no Redis) links no libcurl, libcrypto or libhiredis" \
    $(! grep -qE 'libcurl|libcrypto|libhiredis' <<<"$n"; echo $?) "$n"
check "mcp-example links libmicrohttpd, cJSON and Nettle" \
    $(grep -q libmicrohttpd <<<"$n" && grep -q libcjson <<<"$n" && grep -q libnettle <<<"$n"; echo $?) "$n"
n=$(needed "$TODO")
check "todo-mcp (OAuth, Redis, upstream HTTP) links libcurl, libcrypto and libhiredis" \
    $(grep -q libcurl <<<"$n" && grep -q libcrypto <<<"$n" && grep -q libhiredis <<<"$n"; echo $?) "$n"

finish
