#!/usr/bin/env bash
# The MCP Server Card (experimental, SEP-2127 draft; extensions.md §5) and the
# trusted-proxy rules (production.md §2), with curl against todo-mcp on
# loopback: GET /mcp/server-card answers application/mcp-server-card+json with
# the required fields and one streamable-http remote, CORS *, Cache-Control
# public max-age=3600, an ETag and 304 on If-None-Match; HEAD and OPTIONS;
# --public-url fixes the remote URL; X-Forwarded-* / Forwarded count only from
# --trusted-proxies peers (remote URL and the logged client address), and are
# ignored from anyone else. Env: BUILD_DIR, SOURCE_DIR. "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"

. "$(dirname "$0")/lib.sh"
it_begin server-card-test

start_mcp() { # start_mcp NAME ARGS...: sets URL, LOG, MPID
    local name=$1
    shift
    LOG="$TMP/$name.log"
    "$MCP_BIN" --port 0 --web-api-base-url http://127.0.0.1:9 "$@" 2>"$LOG" &
    MPID=$!
    PIDS+=("$MPID")
    URL=$(wait_line "$LOG" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
    [ -n "$URL" ] || die "todo-mcp $name started" "$(cat "$LOG")"
}
req() { # req curl-args...: sets CODE, H (lowercase names), B
    rm -f "$TMP/h" "$TMP/b"
    CODE=$(curl -s --max-time 5 -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' "$@")
    H=$(tr -d '\r' <"$TMP/h" | sed 's/^\([^:]*\):/\L\1:/')
    B=$(cat "$TMP/b" 2>/dev/null)
}
hdr() { sed -n "s/^$1: *//p" <<<"$H" | head -1; }
card() { python3 -c 'import json,sys; c=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$B" "$@" 2>/dev/null; }
FWD=(-H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: mcp.example.com' -H 'X-Forwarded-For: 203.0.113.9, 198.51.100.7')

start_mcp plain
req "$URL/server-card"
check "GET /mcp/server-card: 200 application/mcp-server-card+json" \
    "$([ "$CODE" = 200 ] && [ "$(hdr content-type)" = application/mcp-server-card+json ]; echo $?)" "$CODE $H"
check "card: \$schema, reverse-DNS name with one '/', version, description 1-100 chars" \
    "$([ "$(card 'c["$schema"] == "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json" and c["name"] == "io.github.libmcp/todo-mcp" and c["name"].count("/") == 1 and c["version"] == "1.0.0" and 1 <= len(c["description"]) <= 100')" = True ]; echo $?)" "$B"
check "card: one streamable-http remote at this endpoint, with the protocol versions it speaks" \
    "$([ "$(card 'c["remotes"] == [{"type": "streamable-http", "url": sys.argv[3], "supportedProtocolVersions": ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"]}]' "$URL")" = True ]; echo $?)" "$B"
check "card: no tools, resources, prompts or packages" \
    "$([ "$(card 'not any(k in c for k in ("tools", "resources", "prompts", "packages"))')" = True ]; echo $?)"
check "card: CORS * and ETag exposed, no credentials" \
    "$([ "$(hdr access-control-allow-origin)" = '*' ] && hdr access-control-expose-headers | grep -qi etag && ! grep -qi '^access-control-allow-credentials' <<<"$H"; echo $?)" "$H"
check "card: Cache-Control: public, max-age=3600" "$([ "$(hdr cache-control)" = "public, max-age=3600" ]; echo $?)"
ETAG=$(hdr etag)
check "card: a quoted strong ETag" "$([[ "$ETAG" =~ ^\"[0-9a-f]+\"$ ]]; echo $?)" "$ETAG"
req "$URL/server-card" -H "If-None-Match: $ETAG"
check "If-None-Match with the ETag: 304, no body, ETag again" \
    "$([ "$CODE" = 304 ] && [ -z "$B" ] && [ "$(hdr etag)" = "$ETAG" ]; echo $?)" "$CODE"
req "$URL/server-card" -H 'If-None-Match: "0000", W/'"$ETAG"
check "If-None-Match listing a weak form of the ETag: 304" "$([ "$CODE" = 304 ]; echo $?)" "$CODE"
req "$URL/server-card" -H 'If-None-Match: "stale"'
check "If-None-Match with another tag: 200 with the card" "$([ "$CODE" = 200 ] && [ -n "$B" ]; echo $?)" "$CODE"
req -I "$URL/server-card"
check "HEAD: 200 with the card's headers" "$([ "$CODE" = 200 ] && [ "$(hdr etag)" = "$ETAG" ]; echo $?)" "$CODE"
req -X OPTIONS "$URL/server-card" -H 'Origin: https://catalog.example' -H 'Access-Control-Request-Method: GET' \
    -H 'Access-Control-Request-Headers: if-none-match'
check "preflight from any origin: 204, ACAO *, GET, If-None-Match allowed" \
    "$([ "$CODE" = 204 ] && [ "$(hdr access-control-allow-origin)" = '*' ] && hdr access-control-allow-methods | grep -q GET && hdr access-control-allow-headers | grep -qi if-none-match; echo $?)" "$CODE $H"
req -X POST "$URL/server-card" -d '{}'
check "POST on the card: 405 with Allow" "$([ "$CODE" = 405 ] && hdr allow | grep -q GET; echo $?)" "$CODE"
req "$URL/server-card" "${FWD[@]}"
check "no --trusted-proxies: X-Forwarded-* ignored (remote stays $URL)" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "$URL" ]; echo $?)" "$B"
check "no --trusted-proxies: the log names the TCP peer, not X-Forwarded-For" \
    "$(tail -1 "$LOG" | grep -q '"client":"127.0.0.1"'; echo $?)" "$(tail -1 "$LOG")"
stop_pid "$MPID"

start_mcp trusted --trusted-proxies 127.0.0.1
req "$URL/server-card" "${FWD[@]}"
check "--trusted-proxies 127.0.0.1: remote from X-Forwarded-Proto/Host (https://mcp.example.com/mcp)" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "https://mcp.example.com/mcp" ]; echo $?)" "$B"
check "--trusted-proxies 127.0.0.1: the log names the client from X-Forwarded-For (rightmost untrusted hop)" \
    "$(tail -1 "$LOG" | grep -q '"client":"198.51.100.7"'; echo $?)" "$(tail -1 "$LOG")"
req "$URL/server-card" -H 'Forwarded: for=192.0.2.60;proto=http;host=old.example, for="[2001:db8::1]:4711";proto=https;host=mcp.example.org' \
    -H 'X-Forwarded-Host: ignored.example' -H 'X-Forwarded-Prefix: /api'
check "Forwarded (RFC 7239) wins over X-Forwarded-*: the element our proxy added (rightmost)" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "https://mcp.example.org/mcp" ]; echo $?)" "$B"
check "Forwarded for=\"[2001:db8::1]:4711\": the log names 2001:db8::1" \
    "$(tail -1 "$LOG" | grep -q '"client":"2001:db8::1"'; echo $?)" "$(tail -1 "$LOG")"
req "$URL/server-card" -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: mcp.example.com' -H 'X-Forwarded-Prefix: /tenant-a/'
check "X-Forwarded-Prefix from a trusted peer is part of the URL" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "https://mcp.example.com/tenant-a/mcp" ]; echo $?)" "$B"
req "$URL/server-card" -H 'X-Forwarded-Proto: javascript' -H 'X-Forwarded-Host: evil.example/"<x>'
check "garbage X-Forwarded-Proto/Host are not used" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "$URL" ]; echo $?)" "$B"
stop_pid "$MPID"

start_mcp other --trusted-proxies '10.0.0.0/8, 192.168.1.1'
req "$URL/server-card" "${FWD[@]}"
check "--trusted-proxies without the peer (10.0.0.0/8): X-Forwarded-* ignored" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "$URL" ] && tail -1 "$LOG" | grep -q '"client":"127.0.0.1"'; echo $?)" "$B"
stop_pid "$MPID"

start_mcp public --trusted-proxies 127.0.0.1 --public-url https://todo.example.net/mcp
req "$URL/server-card" "${FWD[@]}"
check "--public-url: the remote is that URL whatever the headers, and the card does not Vary" \
    "$([ "$(card 'c["remotes"][0]["url"]')" = "https://todo.example.net/mcp" ] && [ -z "$(hdr vary)" ]; echo $?)" "$B $H"
stop_pid "$MPID"

"$MCP_BIN" --port 0 --trusted-proxies 'not-an-ip' 2>"$TMP/bad.log" >/dev/null
check "--trusted-proxies with a malformed entry: usage error (exit 2)" "$([ $? = 2 ]; echo $?)" "$(cat "$TMP/bad.log")"
"$MCP_BIN" --port 0 --trusted-proxies '10.0.0.0/33' 2>"$TMP/bad.log" >/dev/null
check "--trusted-proxies 10.0.0.0/33: usage error (exit 2)" "$([ $? = 2 ]; echo $?)" "$(cat "$TMP/bad.log")"
"$MCP_BIN" --port 0 --public-url 'ftp://x/mcp' 2>"$TMP/bad.log" >/dev/null
check "--public-url that is not http(s): usage error (exit 2)" "$([ $? = 2 ]; echo $?)" "$(cat "$TMP/bad.log")"
finish
