#!/usr/bin/env bash
# Soak test (issue 8, item 4): a bounded mixed load on two servers at once,
# tests/integration/session_server in stateless mode and in stateful mode
# (5 s idle expiry, 1 s SSE keep-alive), with each server's RSS and open fds
# sampled every second:
#   stateless  tools/call answered as JSON and as SSE (progress), tools/list,
#              ping; a new connection every 50 requests
#   stateful   session churn: initialize -> initialized -> tools/list ->
#              tools/call (JSON and SSE) -> resume the SSE answer with
#              Last-Event-ID -> a GET stream opened and dropped -> DELETE;
#              every 4th session is abandoned instead and left to expire;
#              20 sessions keep a GET stream open for the whole run
# Checks: no request failed; after the warm-up (the first fifth, at least
# 10 s) RSS and fds are flat: the maximum over the last third of the samples
# is at most the maximum over the first third plus a small margin; once the
# load stops every stream and session is released and the fds return to
# their value at the start.
#   SOAK_SECONDS=45 (default, CI)   SOAK_SECONDS=600 (the 10-minute run)
# One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SERVER=$BUILD_DIR/tests/integration/session_server
SOAK_SECONDS=${SOAK_SECONDS:-45}
IDLE_MS=5000
. "$(dirname "$0")/lib.sh"
it_begin soak

ulimit -n 20000 2>/dev/null || true

[ -x "$SERVER" ] || { fail "session_server is built at $SERVER"; finish; }
case $SOAK_SECONDS in ''|*[!0-9]*) fail "SOAK_SECONDS is a whole number of seconds" "$SOAK_SECONDS"; finish ;; esac
[ "$SOAK_SECONDS" -ge 20 ] || { fail "SOAK_SECONDS is at least 20" "$SOAK_SECONDS"; finish; }

# start_server NAME ARGS...: session_server without request logs (lib.sh).
start_server() { start_session_server "$@" --log-requests 0; }

start_server stateless --mode stateless || { fail "stateless session_server starts" "$(head -c 300 "$TMP/stateless.err")"; finish; }
SL_PORT=$PORT SL_PID=$SPID
start_server stateful --idle-ms "$IDLE_MS" --keepalive-ms 1000 || { fail "stateful session_server starts" "$(head -c 300 "$TMP/stateful.err")"; finish; }
SF_PORT=$PORT SF_PID=$SPID
echo "  stateless pid $SL_PID port $SL_PORT; stateful pid $SF_PID port $SF_PORT; ${SOAK_SECONDS} s of load"

cat >"$TMP/soak.py" <<'PY'
import http.client, json, os, re, select, socket, sys, threading, time

secs = int(sys.argv[1])
servers = {'stateless': (int(sys.argv[2]), int(sys.argv[3])), 'stateful': (int(sys.argv[4]), int(sys.argv[5]))}
idle_ms = int(sys.argv[6])
samples_file = sys.argv[7]
PV = '2025-11-25'
ACCEPT = 'application/json, text/event-stream'
stop = threading.Event()
lock = threading.Lock()
count = {'stateless': 0, 'stateful': 0, 'sessions': 0, 'abandoned': 0, 'streams': 0, 'resumed': 0}
errors = []

def bump(key, n=1):
    with lock:
        count[key] += n

def error(what):
    with lock:
        if len(errors) < 50:
            errors.append(what)

def proc(pid):
    rss = -1
    try:
        for line in open('/proc/%d/status' % pid):
            if line.startswith('VmRSS:'):
                rss = int(line.split()[1])
        fds = len(os.listdir('/proc/%d/fd' % pid))
    except OSError:
        fds = -1
    return rss, fds

def metrics(port):
    try:
        c = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
        c.request('GET', '/metrics')
        text = c.getresponse().read().decode()
        c.close()
    except Exception:
        return {}
    return {k: float(v) for k, v in re.findall(r'^(mcp_\w+) (\S+)$', text, re.M)}

class Conn:
    def __init__(self, port):
        self.port = port
        self.c = http.client.HTTPConnection('127.0.0.1', port, timeout=10)

    def req(self, method, body=None, sid=None, extra=None):
        h = {'accept': ACCEPT}
        if body is not None:
            h['content-type'] = 'application/json'
        if sid:
            h.update({'mcp-session-id': sid, 'mcp-protocol-version': PV})
        h.update(extra or {})
        self.c.request(method, '/mcp', body, h)
        r = self.c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()

    def close(self):
        self.c.close()

INIT = json.dumps({'jsonrpc': '2.0', 'id': 1, 'method': 'initialize', 'params': {
    'protocolVersion': PV, 'capabilities': {}, 'clientInfo': {'name': 'soak', 'version': '1'}}})
INITIALIZED = '{"jsonrpc":"2.0","method":"notifications/initialized"}'
def tick(rid, progress=None):
    p = {'name': 'tick', 'arguments': {}}
    if progress is not None:
        p['_meta'] = {'progressToken': progress}
    return json.dumps({'jsonrpc': '2.0', 'id': rid, 'method': 'tools/call', 'params': p})

def expect(what, ok, detail):
    if not ok:
        error('%s: %s' % (what, detail))
    return ok

def sse_ok(st, h, b):
    return st == 200 and h.get('content-type', '').startswith('text/event-stream') and b'tock' in b

def json_ok(st, h, b, key=b'"result"'):
    return st == 200 and h.get('content-type', '').startswith('application/json') and key in b

# ---------------------------------------------------------------- stateless load
def stateless_worker(k):
    port = servers['stateless'][0]
    c, n = Conn(port), 0
    while not stop.is_set():
        try:
            kind = n % 4
            if kind == 0:
                st, h, b = c.req('POST', tick(n))
                expect('stateless tools/call', json_ok(st, h, b, b'tock'), st)
            elif kind == 1:
                st, h, b = c.req('POST', tick(n, progress=n))
                expect('stateless SSE tools/call', sse_ok(st, h, b), st)
            elif kind == 2:
                st, h, b = c.req('POST', '{"jsonrpc":"2.0","id":2,"method":"tools/list"}')
                expect('stateless tools/list', json_ok(st, h, b, b'"tick"'), st)
            else:
                st, h, b = c.req('POST', '{"jsonrpc":"2.0","id":3,"method":"ping"}')
                expect('stateless ping', json_ok(st, h, b), st)
            bump('stateless')
        except Exception as e:
            error('stateless %r' % e)
            c = Conn(port)
        n += 1
        if n % 50 == 0:
            c.close()
            c = Conn(port)

# ---------------------------------------------------------------- stateful load
def get_stream(port, sid, last_event_id=None, hold=0.0):
    """GET on its own connection; read the head (and for a replay the whole
    body); hold the live stream open for `hold` seconds, then drop it."""
    s = socket.create_connection(('127.0.0.1', port), timeout=10)
    try:
        s.sendall(('GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n'
                   'Mcp-Session-Id: %s\r\nMCP-Protocol-Version: %s\r\n%s\r\n'
                   % (port, sid, PV, 'Last-Event-ID: %s\r\n' % last_event_id if last_event_id else '')).encode())
        data = b''
        while b'\r\n\r\n' not in data:
            d = s.recv(65536)
            if not d:
                break
            data += d
        status = int(data.split(b' ', 2)[1]) if data.startswith(b'HTTP/1.1 ') else 0
        if last_event_id:              # the replayed stream ends after the replay
            while b'0\r\n\r\n' not in data:
                d = s.recv(65536)
                if not d:
                    break
                data += d
        elif hold:
            time.sleep(hold)
        return status, data
    finally:
        s.close()

def stateful_cycle(port, n):
    c = Conn(port)
    try:
        st, h, b = c.req('POST', INIT)
        sid = h.get('mcp-session-id')
        if not expect('initialize', st == 200 and sid, st):
            return
        bump('sessions')
        st, _, _ = c.req('POST', INITIALIZED, sid)
        expect('initialized', st == 202, st)
        st, h, b = c.req('POST', '{"jsonrpc":"2.0","id":2,"method":"tools/list"}', sid)
        expect('tools/list', json_ok(st, h, b, b'"tick"'), st)
        st, h, b = c.req('POST', tick(3), sid)
        expect('tools/call', json_ok(st, h, b, b'tock'), st)
        st, h, b = c.req('POST', tick(4, progress=n), sid)
        if expect('SSE tools/call', sse_ok(st, h, b), st):
            ids = re.findall(rb'^id: (\S+)$', b, re.M)
            if ids:
                rst, data = get_stream(port, sid, last_event_id=ids[0].decode())
                if expect('resume with Last-Event-ID', rst == 200 and b'tock' in data, rst):
                    bump('resumed')
        gst, _ = get_stream(port, sid, hold=0.01 + (n % 5) * 0.01)
        if expect('GET stream', gst == 200, gst):
            bump('streams')
        bump('stateful', 6)
        if n % 4 == 3:
            bump('abandoned')      # left to expire
            return
        st, _, _ = c.req('DELETE', None, sid)
        expect('DELETE', st == 200, st)
        st, _, _ = c.req('POST', '{"jsonrpc":"2.0","id":5,"method":"ping"}', sid)
        expect('ping after DELETE -> 404', st == 404, st)
    finally:
        c.close()

def stateful_worker(k):
    port, n = servers['stateful'][0], k
    while not stop.is_set():
        try:
            stateful_cycle(port, n)
        except Exception as e:
            error('stateful %r' % e)
        n += 3

def long_streams():
    """20 sessions hold a GET stream for the whole run; their keep-alive
    comments are read; every 5 s each session is pinged."""
    port = servers['stateful'][0]
    c = Conn(port)
    socks, sids = [], []
    for i in range(20):
        st, h, _ = c.req('POST', INIT)
        sid = h.get('mcp-session-id')
        c.req('POST', INITIALIZED, sid)
        s = socket.create_connection(('127.0.0.1', port), timeout=10)
        s.sendall(('GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n'
                   'Mcp-Session-Id: %s\r\nMCP-Protocol-Version: %s\r\n\r\n' % (port, sid, PV)).encode())
        s.setblocking(False)
        socks.append(s)
        sids.append(sid)
    got = [b''] * len(socks)
    last_ping = time.time()
    while not stop.is_set():
        r, _, _ = select.select(socks, [], [], 0.5)
        for s in r:
            i = socks.index(s)
            try:
                d = s.recv(65536)
            except OSError:
                d = b''
            if not d:
                error('long-lived stream %d closed by the server' % i)
                socks.remove(s)
                continue
            got[i] = (got[i] + d)[-4096:]
        if time.time() - last_ping >= 5:
            last_ping = time.time()
            for sid in sids:
                st, _, _ = c.req('POST', '{"jsonrpc":"2.0","id":9,"method":"ping"}', sid)
                expect('long-lived session ping', st == 200, st)
                bump('stateful')
    beats = sum(g.count(b':\n\n') for g in got)
    for s in socks:
        s.close()
    c.close()
    with lock:
        count['keepalives_seen'] = beats

# ---------------------------------------------------------------- sampling
def sampler(t0, out):
    f = open(out, 'w')
    f.write('t,stateless_rss_kb,stateless_fds,stateful_rss_kb,stateful_fds,sessions,streams\n')
    while not stop.is_set():
        m = metrics(servers['stateful'][0])
        row = [round(time.time() - t0, 1)]
        for name in ('stateless', 'stateful'):
            row += list(proc(servers[name][1]))
        row += [int(m.get('mcp_sessions_active', -1)), int(m.get('mcp_sse_streams_open', -1))]
        f.write(','.join(str(x) for x in row) + '\n')
        f.flush()
        stop.wait(1.0)
    f.close()

t0 = time.time()
threads = [threading.Thread(target=sampler, args=(t0, samples_file))]
threads += [threading.Thread(target=stateless_worker, args=(k,)) for k in range(2)]
threads += [threading.Thread(target=stateful_worker, args=(k,)) for k in range(3)]
threads += [threading.Thread(target=long_streams)]
for t in threads:
    t.start()
stop.wait(secs)
stop.set()
for t in threads:
    t.join(30)
elapsed = time.time() - t0
print(json.dumps({'elapsed': round(elapsed, 1), 'count': count, 'errors': errors,
                  'rate': {k: round(count[k] / elapsed, 1) for k in ('stateless', 'stateful')}}))
PY

echo "  baseline: stateless RSS $(awk '/^VmRSS:/ {print $2}' /proc/$SL_PID/status) kB, $(ls /proc/$SL_PID/fd | wc -l) fds;" \
     "stateful RSS $(awk '/^VmRSS:/ {print $2}' /proc/$SF_PID/status) kB, $(ls /proc/$SF_PID/fd | wc -l) fds"
SF_FDS0=$(ls /proc/$SF_PID/fd | wc -l)
SL_FDS0=$(ls /proc/$SL_PID/fd | wc -l)
timeout -k 5 $((SOAK_SECONDS + 60)) python3 "$TMP/soak.py" "$SOAK_SECONDS" "$SL_PORT" "$SL_PID" "$SF_PORT" "$SF_PID" \
    "$IDLE_MS" "$TMP/samples.csv" >"$TMP/load.json" 2>"$TMP/load.err"
rc=$?
[ "$rc" -eq 0 ] || fail "the load generator ran to the end" "exit $rc $(tail -c 300 "$TMP/load.err")"
[ -s "$TMP/load.json" ] || echo '{"count": {}, "errors": ["no report"], "rate": {}}' >"$TMP/load.json"
[ -n "${SOAK_KEEP:-}" ] && cp "$TMP/samples.csv" "$SOAK_KEEP" && echo "  samples kept in $SOAK_KEEP"

# ---------------------------------------------------------------- checks
python3 - "$TMP/load.json" "$TMP/samples.csv" "$SOAK_SECONDS" <<'PY' >"$TMP/checks.out"
import csv, json, os, sys
load = json.load(open(sys.argv[1]))
rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(sys.argv[2]))]
secs = int(sys.argv[3])
def check(ok, name, detail=''):
    if not ok and os.environ.get('MCP_TEST_NO_RSS') == '1' and 'RSS' in name:
        print('SKIP: ' + name + ' -- RSS not meaningful under a sanitizer')   # its allocator keeps freed memory
        return
    print(('PASS: ' if ok else 'FAIL: ') + name + ('' if ok or detail == '' else ' -- ' + str(detail)))
c = load['count']
print('  load: %s' % json.dumps(c))
print('  rate: stateless %s req/s, stateful %s req/s' % (load['rate'].get('stateless'), load['rate'].get('stateful')))
check(not load['errors'] and c.get('stateless', 0) > 0 and c.get('sessions', 0) > 0,
      'mixed load ran %d s without a failed request (%d stateless requests, %d sessions, %d GET streams, %d resumed)'
      % (secs, c.get('stateless', 0), c.get('sessions', 0), c.get('streams', 0), c.get('resumed', 0)), load['errors'][:5])
check(c.get('abandoned', 0) > 0 and c.get('keepalives_seen', 0) > 0,
      'abandoned sessions (%d) and keep-alive comments on the long-lived streams (%d)'
      % (c.get('abandoned', 0), c.get('keepalives_seen', 0)))
warm = max(10.0, secs / 5.0)
after = [r for r in rows if r['t'] >= warm]
check(len(after) >= 9 and len(rows) >= secs * 0.8, '%d samples, %d after the %.0f s warm-up' % (len(rows), len(after), warm),
      'too few samples')
if len(after) >= 9:
    third = len(after) // 3
    first, last = after[:third], after[-third:]
    start = rows[0]
    for name in ('stateless', 'stateful'):
        rk, fk = name + '_rss_kb', name + '_fds'
        f_rss, l_rss = max(r[rk] for r in first), max(r[rk] for r in last)
        f_fds, l_fds = max(r[fk] for r in first), max(r[fk] for r in last)
        print('  [%s] RSS kB: start %d, after warm-up %d, max first third %d, max last third %d, end %d, max %d'
              % (name, start[rk], after[0][rk], f_rss, l_rss, rows[-1][rk], max(r[rk] for r in rows)))
        print('  [%s] fds: start %d, after warm-up %d, max first third %d, max last third %d, end %d, max %d'
              % (name, start[fk], after[0][fk], f_fds, l_fds, rows[-1][fk], max(r[fk] for r in rows)))
        margin = max(2048, f_rss * 0.05)
        check(l_rss <= f_rss + margin, '[%s] RSS flat after the warm-up: max of the last third %d kB <= max of the '
              'first third %d kB + %d kB' % (name, l_rss, f_rss, margin))
        check(l_fds <= f_fds + 8, '[%s] fds flat after the warm-up: max of the last third %d <= max of the first third %d + 8'
              % (name, l_fds, f_fds))
    s_first, s_last = max(r['sessions'] for r in first), max(r['sessions'] for r in last)
    check(s_last <= s_first * 1.5 + 20, '[stateful] live sessions flat (abandoned ones expire): max %d in the first third, %d in the last'
          % (s_first, s_last))
PY
while IFS= read -r line; do
    case $line in
        PASS:*) passed=$((passed + 1)); echo "$line" ;;
        FAIL:*) failed=$((failed + 1)); echo "$line" ;;
        *) echo "$line" ;;
    esac
done <"$TMP/checks.out"

# After the load: streams and sessions released, fds back where they started.
released=""
for _ in $(seq 1 $(( (IDLE_MS / 1000 + 8) * 5 ))); do      # <= idle + 8 s
    m=$(curl -s --max-time 2 "http://127.0.0.1:$SF_PORT/metrics")
    s=$(echo "$m" | sed -n 's/^mcp_sessions_active \([0-9]*\).*/\1/p')
    st=$(echo "$m" | sed -n 's/^mcp_sse_streams_open \([0-9]*\).*/\1/p')
    f=$(ls /proc/$SF_PID/fd | wc -l)
    if [ "$s" = 0 ] && [ "$st" = 0 ] && [ "$f" -le "$SF_FDS0" ]; then released=yes; break; fi
    sleep 0.2
done
[ -n "$released" ] && pass "[stateful] after the load: 0 sessions, 0 streams, fds back to $SF_FDS0 (RSS $(awk '/^VmRSS:/ {print $2}' /proc/$SF_PID/status) kB)" \
    || fail "[stateful] after the load: 0 sessions, 0 streams, fds back to $SF_FDS0" "sessions ${s:-?} streams ${st:-?} fds $f"
f=$(ls /proc/$SL_PID/fd | wc -l)
[ "$f" -le "$SL_FDS0" ] && pass "[stateless] after the load: fds back to $SL_FDS0 (RSS $(awk '/^VmRSS:/ {print $2}' /proc/$SL_PID/status) kB)" \
    || fail "[stateless] after the load: fds back to $SL_FDS0" "$f"
for pid in "$SL_PID" "$SF_PID"; do
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid"
    rc=$?
    [ "$rc" -eq 0 ] && pass "server $pid exits 0 on SIGTERM after the soak" || fail "server $pid exits 0 on SIGTERM after the soak" "exit $rc"
done
finish
