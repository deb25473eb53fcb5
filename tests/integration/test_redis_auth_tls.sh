#!/usr/bin/env bash
# Redis authentication and TLS for the session store (issue 17 items 3, 6):
# real redis-server instances on loopback with
#   A. requirepass (a password with @ : / % in it, so the URL needs %-escapes) and db 2;
#   B. an ACL user (keys ~mcp:*, channel &mcp:bus, no @admin/@dangerous; the default user off);
#   C. tls-port only, certificates made here with the openssl CLI (our own CA);
#   D. tls-port with tls-auth-clients yes (a client certificate is required).
# For each: two todo-mcp instances (--mode stateful --store URL): initialize on
# the first, counter 1, 2 there and 3 on the second (it sees the session).
# Refusals stop todo-mcp at start (non-zero exit, a message naming the cause,
# never the password): wrong or missing password, wrong ACL password, a CA that
# did not sign Redis's certificate, a wrong server name, a rediss:// URL on a
# cleartext port, a missing client certificate. A password changed later
# shows as /readyz 503 (/healthz is liveness and stays 200).
# Env: BUILD_DIR, SOURCE_DIR. Every wait is bounded.
set -u

SOURCE_DIR=${SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
MCP_BIN="$BUILD_DIR/apps/todo-mcp/todo-mcp"
REDIS_SERVER=$(command -v redis-server || true)
REDIS_CLI=$(command -v redis-cli || true)
OPENSSL=$(command -v openssl || true)
PV=2025-06-18

. "$(dirname "$0")/lib.sh"
it_begin redis-auth-tls-test

for tool in "$REDIS_SERVER" "$REDIS_CLI" "$OPENSSL" "$MCP_BIN"; do
    [ -n "$tool" ] && [ -x "$tool" ] || die "prerequisite present" "missing ${tool:-redis-server/redis-cli/openssl}"
done
"$REDIS_SERVER" --version | grep -q 'v=[67]' || die "redis-server 6+ (ACLs, TLS)" "$("$REDIS_SERVER" --version)"

# ---------------------------------------------------------------- certificates

C=$TMP/certs
mkdir -p "$C"
mkcert() {   # NAME CA SUBJ [SAN]: key + certificate signed by CA (CA=self: a CA)
    local n=$1 ca=$2 subj=$3 san=${4:-}
    "$OPENSSL" genrsa -out "$C/$n.key" 2048 2>/dev/null || return 1
    if [ "$ca" = self ]; then
        "$OPENSSL" req -x509 -new -key "$C/$n.key" -days 2 -subj "$subj" -out "$C/$n.crt" 2>/dev/null
        return
    fi
    "$OPENSSL" req -new -key "$C/$n.key" -subj "$subj" -out "$C/$n.csr" 2>/dev/null || return 1
    printf 'basicConstraints=CA:FALSE\n%s\n' "${san:+subjectAltName=$san}" >"$C/$n.ext"
    "$OPENSSL" x509 -req -in "$C/$n.csr" -CA "$C/$ca.crt" -CAkey "$C/$ca.key" -CAcreateserial -days 2 \
        -extfile "$C/$n.ext" -out "$C/$n.crt" 2>/dev/null
}
mkcert ca self "/CN=libmcp test CA" &&
    mkcert other-ca self "/CN=some other CA" &&
    mkcert server ca "/CN=redis.test" "DNS:redis.test,DNS:localhost,IP:127.0.0.1" &&
    mkcert client ca "/CN=libmcp client" ||
    die "test certificates made with openssl"

# ---------------------------------------------------------------- servers

PW_A='p@ss:w/rd%1'              # requirepass; in a URL: p%40ss%3Aw%2Frd%251
PW_A_URL='p%40ss%3Aw%2Frd%251'
PW_B='acl-pw-2'
start_redis() {   # NAME PORT ARGS...
    local n=$1 p=$2
    shift 2
    local conf=()
    case ${1:-} in *.conf) conf=("$1"); shift ;; esac
    "$REDIS_SERVER" "${conf[@]}" --bind 127.0.0.1 --save '' --appendonly no --daemonize no --dir "$TMP" \
        --logfile "$TMP/redis-$n.log" "$@" &
    PIDS+=("$!")
    for _ in $(seq 1 50); do
        grep -q 'Ready to accept connections' "$TMP/redis-$n.log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}
PA=$(free_port); PB=$(free_port); PC=$(free_port); PD=$(free_port)
start_redis A "$PA" --port "$PA" --requirepass "$PW_A" || die "redis A (requirepass) up" "$(tail -3 "$TMP/redis-A.log")"
printf 'user default off\nuser mcp on >%s ~mcp:* &mcp:bus +@all -@admin -@dangerous\n' "$PW_B" >"$TMP/acl-B.conf"
start_redis B "$PB" "$TMP/acl-B.conf" --port "$PB" ||
    die "redis B (ACL user) up" "$(tail -3 "$TMP/redis-B.log")"
TLS_ARGS=(--port 0 --tls-cert-file "$C/server.crt" --tls-key-file "$C/server.key" --tls-ca-cert-file "$C/ca.crt")
start_redis C "$PC" --tls-port "$PC" "${TLS_ARGS[@]}" --tls-auth-clients no ||
    die "redis C (TLS) up" "$(tail -3 "$TMP/redis-C.log")"
start_redis D "$PD" --tls-port "$PD" "${TLS_ARGS[@]}" --tls-auth-clients yes ||
    die "redis D (TLS, client certificates) up" "$(tail -3 "$TMP/redis-D.log")"
pass "redis A :$PA (requirepass), B :$PB (ACL user), C :$PC (TLS), D :$PD (TLS + client certificate) up"

# ---------------------------------------------------------------- helpers

N_MCP=0
# start_mcp NAME ARGS...: todo-mcp on a free port; sets MPORT (empty on failure).
start_mcp() {
    local n=$1
    shift
    "$MCP_BIN" --port 0 --mode stateful --web-api-base-url http://127.0.0.1:9 "$@" >/dev/null 2>"$TMP/$n.err" &
    local pid=$!
    PIDS+=("$pid")
    MPORT=""
    for _ in $(seq 1 50); do
        MPORT=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/mcp.*|\1|p' "$TMP/$n.err" 2>/dev/null | head -n 1)
        [ -n "$MPORT" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$MPORT" ]
}

H=(-H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream')
initialize() {   # PORT -> session id on stdout
    curl -s -D - -o /dev/null --max-time 5 "${H[@]}" \
        -d '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"'$PV'","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}' \
        "http://127.0.0.1:$1/mcp" | tr -d '\r' | awk -F': ' 'tolower($1)=="mcp-session-id"{print $2}'
}
initialized() {  # PORT SID
    curl -s -o /dev/null --max-time 5 "${H[@]}" -H "Mcp-Session-Id: $2" -H "MCP-Protocol-Version: $PV" \
        -d '{"jsonrpc":"2.0","method":"notifications/initialized"}' "http://127.0.0.1:$1/mcp"
}
counter() {      # PORT SID -> the count, or the reply when it is not one
    local r
    r=$(curl -s --max-time 5 "${H[@]}" -H "Mcp-Session-Id: $2" -H "MCP-Protocol-Version: $PV" \
        -d '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"counter","arguments":{}}}' \
        "http://127.0.0.1:$1/mcp")
    sed -n 's/.*"structuredContent":{"count":\([0-9]*\)}.*/\1/p' <<<"$r" | grep . || echo "reply: ${r:0:200}"
}

# shared_counter LABEL ARGS...: two instances on one store; counter 1,2 on the first, 3 on the second.
shared_counter() {
    local label=$1
    shift
    N_MCP=$((N_MCP + 1))
    start_mcp "mcp$N_MCP-1" "$@" || { fail "$label: todo-mcp starts" "$(tail -c 400 "$TMP/mcp$N_MCP-1.err")"; return; }
    local p1=$MPORT
    start_mcp "mcp$N_MCP-2" "$@" || { fail "$label: second todo-mcp starts" "$(tail -c 400 "$TMP/mcp$N_MCP-2.err")"; return; }
    local p2=$MPORT sid
    sid=$(initialize "$p1")
    [ -n "$sid" ] || { fail "$label: initialize" "no Mcp-Session-Id"; return; }
    initialized "$p1" "$sid"
    local c1 c2 c3
    c1=$(counter "$p1" "$sid"); c2=$(counter "$p1" "$sid"); c3=$(counter "$p2" "$sid")
    check "$label: counter 1, 2 on one instance, 3 on the other" \
        "$([ "$c1/$c2/$c3" = 1/2/3 ]; echo $?)" "got $c1 / $c2 / $c3"
    check "$label: /readyz 200" \
        "$([ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://127.0.0.1:$p1/readyz")" = 200 ]; echo $?)"
    LAST_SID=$sid LAST_PORT=$p1
}

# refused LABEL EXPECT ARGS...: todo-mcp exits non-zero at start, its message matches EXPECT.
refused() {
    local label=$1 expect=$2 rc=0
    shift 2
    timeout 20 "$MCP_BIN" --port 0 --mode stateful --web-api-base-url http://127.0.0.1:9 "$@" \
        >/dev/null 2>"$TMP/refused.err" || rc=$?
    check "$label: todo-mcp stops at start with \"$expect\"" \
        "$([ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q -- "$expect" "$TMP/refused.err"; echo $?)" \
        "rc $rc: $(head -c 400 "$TMP/refused.err")"
    cat "$TMP/refused.err" >>"$TMP/all-refused.err"
}

# ---------------------------------------------------------------- A: requirepass

shared_counter "requirepass, %-encoded password, db 2" --store "redis://:$PW_A_URL@127.0.0.1:$PA/2"
keys=$("$REDIS_CLI" -p "$PA" -a "$PW_A" --no-auth-warning -n 2 --scan --pattern "mcp:{$LAST_SID}:*" | sort | tr '\n' ' ')
check "requirepass: the session's keys are in db 2 (SELECT)" \
    "$(grep -q ":s " <<<"$keys" && grep -q ":a " <<<"$keys"; echo $?)" "keys: $keys"
# One round trip per call: 20 counter calls are 20 HINCRBY (no script: the
# field exists, so no PEXPIRE follows), and the lookup's TTL refresh
# (3 PEXPIREs) runs at most once per 2 s window, not per call.
rcli() { "$REDIS_CLI" -p "$PA" -a "$PW_A" --no-auth-warning "$@"; }
rcli config resetstat >/dev/null
t0=$(date +%s%N)
for _ in $(seq 1 20); do counter "$LAST_PORT" "$LAST_SID" >/dev/null; done
windows=$(( ($(date +%s%N) - t0) / 2000000000 + 1 ))
stats=$(rcli info commandstats | tr -d '\r')
hincrby=$(sed -n 's/^cmdstat_hincrby:calls=\([0-9]*\),.*/\1/p' <<<"$stats")
evalsha=$(sed -n 's/^cmdstat_evalsha:calls=\([0-9]*\),.*/\1/p' <<<"$stats")
pexpire=$(sed -n 's/^cmdstat_pexpire:calls=\([0-9]*\),.*/\1/p' <<<"$stats")
check "one round trip per call: 20 counter calls = 20 HINCRBY and no EVALSHA, at most 3 PEXPIRE per 2 s" \
    "$([ "${hincrby:-0}" = 20 ] && [ "${evalsha:-0}" = 0 ] && [ "${pexpire:-0}" -le $((3 * windows)) ]; echo $?)" \
    "hincrby ${hincrby:-0}, evalsha ${evalsha:-0}, pexpire ${pexpire:-0} in $windows windows"
refused "requirepass, wrong password" "redis: authentication failed (WRONGPASS" \
    --store "redis://:wrong-password@127.0.0.1:$PA/0"
refused "requirepass, no password" "redis: authentication failed (NOAUTH" --store "redis://127.0.0.1:$PA/0"

# A later refusal: the password changes and the connections drop.
"$REDIS_CLI" -p "$PA" -a "$PW_A" --no-auth-warning config set requirepass "changed-$PW_A" >/dev/null
"$REDIS_CLI" -p "$PA" -a "changed-$PW_A" --no-auth-warning client kill type normal >/dev/null
"$REDIS_CLI" -p "$PA" -a "changed-$PW_A" --no-auth-warning client kill type pubsub >/dev/null
code=""
for _ in $(seq 1 30); do    # at most 3 s (reconnect backoff)
    code=$(curl -s -o "$TMP/readyz.json" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$LAST_PORT/readyz")
    [ "$code" = 503 ] && break
    sleep 0.1
done
check "requirepass changed later: /readyz 503 (store unreachable)" "$([ "$code" = 503 ]; echo $?)" \
    "code $code: $(cat "$TMP/readyz.json")"
c=$(counter "$LAST_PORT" "$LAST_SID")
check "requirepass changed later: a counter call fails instead of counting" "$([ "${c#reply: }" != "$c" ]; echo $?)" "$c"

# ---------------------------------------------------------------- B: ACL user

shared_counter "ACL user" --store "redis://mcp:$PW_B@127.0.0.1:$PB"
refused "ACL user, wrong password" "redis: authentication failed (WRONGPASS" --store "redis://mcp:nope@127.0.0.1:$PB"
refused "ACL, default user (disabled)" "redis: authentication failed" --store "redis://127.0.0.1:$PB"

# ---------------------------------------------------------------- C, D: TLS

shared_counter "TLS (--redis-ca)" --store "rediss://127.0.0.1:$PC" --redis-ca "$C/ca.crt"
shared_counter "TLS (?ca= on the URL, sni=localhost)" --store "rediss://127.0.0.1:$PC/0?ca=$C/ca.crt&sni=localhost"
refused "TLS, a CA that did not sign Redis's certificate" "certificate verify failed" \
    --store "rediss://127.0.0.1:$PC" --redis-ca "$C/other-ca.crt"
refused "TLS, the system CAs only" "certificate verify failed" --store "rediss://127.0.0.1:$PC"
refused "TLS, a server name the certificate does not carry" "certificate verify failed (hostname mismatch)" \
    --store "rediss://127.0.0.1:$PC" --redis-ca "$C/ca.crt" --redis-sni wrong.example
refused "rediss:// on a cleartext port: no fallback" "TLS handshake failed" \
    --store "rediss://:$PW_A_URL@127.0.0.1:$PA" --redis-ca "$C/ca.crt"
refused "TLS options without rediss://" "need a rediss:// URL" --store "redis://127.0.0.1:$PC" --redis-ca "$C/ca.crt"
refused "TLS, an unreadable CA file" "cannot load CA file" --store "rediss://127.0.0.1:$PC" --redis-ca "$TMP/none.pem"

shared_counter "TLS with a client certificate" --store "rediss://127.0.0.1:$PD" \
    --redis-ca "$C/ca.crt" --redis-cert "$C/client.crt" --redis-key "$C/client.key"
refused "TLS, client certificate required but not given" "certificate required" --store "rediss://127.0.0.1:$PD" --redis-ca "$C/ca.crt"

# ---------------------------------------------------------------- the bus subscribers

# Every running instance keeps one subscriber on mcp:bus (the pub/sub
# connection authenticates and speaks TLS like the pool).
numsub() { "$@" pubsub numsub mcp:bus 2>/dev/null | tail -1; }
bus_ok() {   # LABEL MIN CLI...
    local label=$1 min=$2 n=""
    shift 2
    for _ in $(seq 1 30); do
        n=$(numsub "$@")
        [ "${n:-0}" -ge "$min" ] 2>/dev/null && break
        sleep 0.1
    done
    check "$label: the instances' bus subscribers are connected (PUBSUB NUMSUB >= $min)" \
        "$([ "${n:-0}" -ge "$min" ] 2>/dev/null; echo $?)" "numsub '${n}'"
}
bus_ok "ACL user" 2 "$REDIS_CLI" -p "$PB" --user mcp --pass "$PW_B" --no-auth-warning
bus_ok "TLS" 4 "$REDIS_CLI" -p "$PC" --tls --cacert "$C/ca.crt"
bus_ok "TLS with a client certificate" 2 "$REDIS_CLI" -p "$PD" --tls --cacert "$C/ca.crt" \
    --cert "$C/client.crt" --key "$C/client.key"

# ---------------------------------------------------------------- never the password

leaks=$(cat "$TMP"/mcp*.err "$TMP/all-refused.err" 2>/dev/null | grep -c -F -e "$PW_A" -e "$PW_A_URL" -e "$PW_B" -e "wrong-password")
check "no password in any todo-mcp output (the URL shows ***)" "$([ "$leaks" = 0 ]; echo $?)" "$leaks lines"
check "the URL is printed redacted" "$(grep -q 'redis://:\*\*\*@127.0.0.1' "$TMP/mcp1-1.err"; echo $?)" \
    "$(head -3 "$TMP/mcp1-1.err")"

finish
