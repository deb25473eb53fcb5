#!/usr/bin/env bash
# What a program pays for: libmcp.so exports exactly the functions that
# include/mcp/*.h declare (MCP_EXTERN), nothing internal; its soname carries
# the 0.x minor; libmcp.a defines no global outside the mcp_/mcp__
# namespaces, so a program with its own now_ms, paginate, session_new and
# base64_encode links against it; a program linked against the .so works;
# and a program that uses neither OAuth nor Redis (mcp-example, static)
# carries neither libcurl, libcrypto, libssl (Redis TLS) nor libhiredis,
# while todo-mcp, which uses them all, does. One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
: "${SOURCE_DIR:?SOURCE_DIR must point to the source tree}"
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

# The declarations: every MCP_EXTERN function of the public headers (the
# generated version.h included), and no unmarked one.
HDRS="$SOURCE_DIR/include/mcp/*.h $BUILD_DIR/include/mcp/version.h"
declared=$(cat $HDRS | sed -nE 's/^MCP_EXTERN[^(]*[^a-z0-9_](mcp_[a-z0-9_]+)[[:space:]]*\(.*/\1/p' | sort -u)
unmarked=$(cat $HDRS | grep -E '^[A-Za-z].*[^a-z0-9_]mcp_[a-z0-9_]+[[:space:]]*\(' | grep -vE '^(MCP_EXTERN|typedef|#)' | head -3)
check "every function declared in include/mcp/*.h is marked MCP_EXTERN" $([ -z "$unmarked" ]; echo $?) "$unmarked"
exported=$(grep '^mcp_' <<<"$exports" | sort -u)
extra=$(comm -23 <(echo "$exported") <(echo "$declared") | tr '\n' ' ')
missing=$(comm -13 <(echo "$exported") <(echo "$declared") | tr '\n' ' ')
check "libmcp.so exports exactly the $(wc -l <<<"$declared") functions the public headers declare" \
    $([ -z "$extra$missing" ]; echo $?) "exported, not declared: $extra; declared, not exported: $missing"

minor=$(sed -n 's/^project(libmcp VERSION \([0-9]*\)\.\([0-9]*\).*/\1.\2/p' "$SOURCE_DIR/CMakeLists.txt")
soname=$(readelf -d "$SO" 2>/dev/null | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
check "the soname carries the 0.x minor (libmcp.so.$minor)" $([ "$soname" = "libmcp.so.$minor" ]; echo $?) "$soname"

A=$BUILD_DIR/src/libmcp.a
stray=$(nm -g --defined-only "$A" 2>/dev/null | awk 'NF == 3 && $3 !~ /^mcp_/ {print $3}' | sort -u)
check "libmcp.a defines no global outside mcp_* and mcp__*" $([ -z "$stray" ]; echo $?) \
    "$(wc -w <<<"$stray") stray: $(head -c 300 <<<"$stray" | tr '\n' ' ')"

# An embedder's program with names libmcp used to define, statically linked
# with the HTTP and stdio transports, OAuth and Redis pulled in.
cat > "$TMP/embed.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mcp/mcp.h>
uint64_t now_ms(void) { return 42; }
int paginate(void *a, void *b, size_t *s, size_t *e) { (void)a; (void)b; *s = *e = 0; return 7; }
void *session_new(void) { return NULL; }
char *base64_encode(const unsigned char *d, size_t n) { (void)d; (void)n; return NULL; }
static int echo(mcp_call *call, const cJSON *args, void *ud) { (void)args; (void)ud; return mcp_call_text(call, "hi"); }
int main(void)
{
    size_t s, e;
    if (now_ms() != 42 || paginate(NULL, NULL, &s, &e) != 7 || session_new() || base64_encode(NULL, 0))
        return 1;
    mcp_server *srv = mcp_server_new(&(mcp_server_info){ .name = "embed", .version = "1" });
    mcp_tool t = { .name = "echo", .handler = echo };
    if (!srv || mcp_server_add_tool(srv, &t, NULL) < 0)
        return 2;
    mcp_http_options o;
    mcp_http_options_init(&o);
    o.port = 0;
    o.log_requests = false;
    o.handle_signals = false;
    mcp_http_server *hs = NULL;
    if (mcp_http_start(srv, &o, &hs) < 0)
        return 3;
    mcp_http_stop(hs);
    mcp_store *st = NULL;
    if (mcp_store_redis_open("redis://127.0.0.1:1/0", &st) == 0)
        mcp_store_free(st);
    char err[128];
    mcp_auth_options ao;
    mcp_auth_options_init(&ao);
    mcp_auth_free(mcp_auth_new(&ao, err, sizeof err));
    mcp_server_free(srv);
    puts("embedded");
    return 0;
}
C
LIBS=$(pkg-config --libs libpcre2-8 libmicrohttpd gnutls libcjson nettle libssl libcrypto hiredis libcurl 2>/dev/null)
out=$(${CC:-cc} -std=c11 -I"$SOURCE_DIR/include" -I"$BUILD_DIR/include" $(pkg-config --cflags libcjson) \
      "$TMP/embed.c" -o "$TMP/embed" "$A" $LIBS -lpthread -lm 2>&1)
rc=$?
check "a program defining now_ms, paginate, session_new and base64_encode links against libmcp.a" $rc "$(head -3 <<<"$out")"
got=$([ $rc = 0 ] && timeout 20 "$TMP/embed" 2>&1)
check "that program runs (HTTP start/stop, Redis store, auth) with its own definitions" \
    $([ "$got" = embedded ]; echo $?) "$got"

reply=$(printf '%s\n' \
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
    '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
    '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"via the .so"}}}' \
    | timeout 10 "$SHARED" 2>/dev/null | tail -1)
check "a program linked against libmcp.so answers tools/call over stdio" \
    $(grep -q '"text":"via the .so"' <<<"$reply"; echo $?) "$reply"

n=$(needed "$EXAMPLE")
check "mcp-example (no OAuth, no Redis) links no libcurl, libcrypto, libssl or libhiredis" \
    $(! grep -qE 'libcurl|libcrypto|libssl|libhiredis' <<<"$n"; echo $?) "$n"
check "mcp-example links libmicrohttpd, cJSON and Nettle" \
    $(grep -q libmicrohttpd <<<"$n" && grep -q libcjson <<<"$n" && grep -q libnettle <<<"$n"; echo $?) "$n"
n=$(needed "$TODO")
check "todo-mcp (OAuth, Redis over TLS, upstream HTTP) links libcurl, libcrypto, libssl and libhiredis" \
    $(grep -q libcurl <<<"$n" && grep -q libcrypto <<<"$n" && grep -q libssl <<<"$n" && grep -q libhiredis <<<"$n"; echo $?) "$n"

finish
