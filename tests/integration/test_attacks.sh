#!/usr/bin/env bash
# Attack tests (issue 8, item 3): bounded, loopback-only attacks on the
# Streamable HTTP transport and the stdio transport, each asserting its
# outcome. Servers are tests/integration/session_server (MCP_HTTP_DEFAULTS
# plus the limit under test) and examples/mcp-example (stdio).
#  1. session flood: 10,000 sessions against the default cap of 10,000;
#     the cap holds under concurrency, initialize past it gets 503 +
#     JSON-RPC error + Retry-After, existing sessions keep working during
#     and after, RSS per session is bounded (reported).
#  2. slow clients (slowloris): 1,000 connections holding partial requests
#     are closed by the 2 s connection timeout while normal clients are
#     served; a client trickling header bytes is cut off too; with the
#     connection cap filled by silent sockets the timeout frees a slot.
#  3. a 10 MB body: 413 with Content-Length (before the body is read) and
#     chunked without length, also 4 at once; memory and fds unharmed.
#  4. stdio: JSON nested 100,000 deep inside valid envelopes -> -32700,
#     nothing executed, bounded memory, the stream keeps working.
#  5. CR, NUL and non-ASCII bytes in Mcp-Session-Id, MCP-Protocol-Version,
#     Last-Event-ID, Origin, Mcp-Method, Mcp-Name -> clean 4xx, never 5xx,
#     nothing injected into the response; oversized headers -> 431.
#  6. 5,000 SSE streams (one session each) opened and dropped: fds, streams,
#     sessions and RSS return to their baseline within a bounded wait.
#  7. forged Host (right port, foreign name) and Origin null/foreign -> 403,
#     stateful and stateless.
# (test_http_status.sh already covers the plain 413/400/403 status codes;
# these go further.) One line per check; the last line is "N passed, N failed".
set -u
: "${BUILD_DIR:?BUILD_DIR must point to the build directory}"
SERVER=$BUILD_DIR/tests/integration/session_server
EXAMPLE=$BUILD_DIR/examples/mcp-example
. "$(dirname "$0")/lib.sh"
it_begin attacks

ulimit -n 20000 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

[ -x "$SERVER" ] || { fail "session_server is built at $SERVER"; finish; }
[ -x "$EXAMPLE" ] || { fail "mcp-example is built at $EXAMPLE"; finish; }
[ "$(ulimit -n)" -ge 12000 ] || echo "  note: fd limit $(ulimit -n); the 5,000-stream check needs about 5,100"

stop_server() { # pid: SIGTERM, then wait (<= 5 s) for a clean exit 0
    local pid=$1 i
    kill -TERM "$pid" 2>/dev/null
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    wait "$pid" 2>/dev/null
}
# alive NAME PID: the server survived the attack (no crash, no abort).
alive() {
    if kill -0 "$2" 2>/dev/null && ! grep -qiE 'sanitizer|segmentation|abort|assert' "$TMP/$1.err"; then
        pass "[$1] server process still running, nothing alarming on stderr"
    else
        fail "[$1] server process still running, nothing alarming on stderr" "$(tail -c 300 "$TMP/$1.err")"
    fi
}

# ---------------------------------------------------------------- the attack client
# python3 attack.py COMMAND ARGS...: prints "PASS: ..." / "FAIL: ..." lines
# (counted by run_py) and indented notes with the numbers.
cat >"$TMP/attack.py" <<'PY'
import asyncio, http.client, json, os, re, select, socket, subprocess, sys, threading, time

PV = '2025-11-25'
ACCEPT = 'application/json, text/event-stream'
PING = b'{"jsonrpc":"2.0","id":"p","method":"ping"}'

NO_RSS = os.environ.get('MCP_TEST_NO_RSS') == '1'

def check(ok, name, detail=''):
    if not ok and NO_RSS and 'RSS' in name:
        # Sanitizer builds keep freed memory in quarantine: RSS says nothing there.
        print('SKIP: ' + name + ' -- RSS not meaningful under a sanitizer (' + str(detail) + ')', flush=True)
        return True
    print(('PASS: ' if ok else 'FAIL: ') + name + ('' if ok or detail == '' else ' -- ' + str(detail)), flush=True)
    return ok

def note(msg):
    print('  ' + msg, flush=True)

def proc_kb(pid, key='VmRSS'):
    try:
        for line in open('/proc/%s/status' % pid):
            if line.startswith(key + ':'):
                return int(line.split()[1])
    except OSError:
        pass
    return -1

def nfds(pid):
    try:
        return len(os.listdir('/proc/%s/fd' % pid))
    except OSError:
        return -1

def init_body(rid=1):
    return json.dumps({'jsonrpc': '2.0', 'id': rid, 'method': 'initialize', 'params': {
        'protocolVersion': PV, 'capabilities': {}, 'clientInfo': {'name': 'attack', 'version': '1'}}})

def tick_body(rid, progress=None):
    p = {'name': 'tick', 'arguments': {}}
    if progress is not None:
        p['_meta'] = {'progressToken': progress}
    return json.dumps({'jsonrpc': '2.0', 'id': rid, 'method': 'tools/call', 'params': p})

def rpc_error(body, rid):
    try:
        j = json.loads(body)
    except Exception:
        return False
    return (isinstance(j, dict) and j.get('jsonrpc') == '2.0' and isinstance(j.get('error'), dict)
            and isinstance(j['error'].get('code'), int) and isinstance(j['error'].get('message'), str)
            and 'id' in j and j['id'] == rid and 'result' not in j)

class Conn:
    """One keep-alive HTTP/1.1 connection (reconnects when the server closed it)."""
    def __init__(self, port, timeout=10):
        self.port, self.timeout = port, timeout
        self.c = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)

    def request(self, method, body=None, sid=None, extra=None):
        h = {'accept': ACCEPT}
        if body is not None:
            h['content-type'] = 'application/json'
        if sid:
            h.update({'mcp-session-id': sid, 'mcp-protocol-version': PV})
        h.update(extra or {})
        self.c.request(method, '/mcp', body, h)
        r = self.c.getresponse()
        data = r.read()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, data

    def post(self, body, sid=None, extra=None):
        return self.request('POST', body, sid, extra)

    def session(self):
        st, h, _ = self.post(init_body())
        sid = h.get('mcp-session-id')
        if st != 200 or not sid:
            return None
        self.post('{"jsonrpc":"2.0","method":"notifications/initialized"}', sid)
        return sid

    def close(self):
        self.c.close()

def metrics(port):
    c = http.client.HTTPConnection('127.0.0.1', port, timeout=5)
    c.request('GET', '/metrics')
    text = c.getresponse().read().decode()
    c.close()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith('#') and ' ' in line:
            k, v = line.rsplit(' ', 1)
            try:
                out[k] = float(v)
            except ValueError:
                pass
    return out

def parse_head(data):
    """(status, head text, header dict, body) of raw response bytes."""
    head, _, body = data.partition(b'\r\n\r\n')
    text = head.decode('latin-1')
    lines = text.split('\r\n')
    m = re.match(r'HTTP/1\.[01] (\d{3})', lines[0]) if lines else None
    h = {}
    for l in lines[1:]:
        if ':' in l:
            k, v = l.split(':', 1)
            h[k.strip().lower()] = v.strip()
    return (int(m.group(1)) if m else 0), text, h, body

def raw(port, data, wait=5.0, headers_only=False):
    """Send bytes on a fresh connection; read one response (headers, then
    Content-Length bytes unless headers_only). Returns (status, head text,
    header dict, body, seconds); status 0: closed or timed out without one."""
    t0 = time.time()
    s = socket.create_connection(('127.0.0.1', port), timeout=wait)
    out = b''
    try:
        s.sendall(data)
        while True:
            if b'\r\n\r\n' in out:
                st, text, h, body = parse_head(out)
                if headers_only or len(body) >= int(h.get('content-length', '0') or 0):
                    break
            d = s.recv(65536)
            if not d:
                break
            out += d
    except OSError:
        pass
    finally:
        s.close()
    st, text, h, body = parse_head(out)
    return st, text, h, body, time.time() - t0

# ------------------------------------------------------------------ 1. session flood
def cmd_flood(port, pid, cap):
    cap = int(cap)
    canary_conn = Conn(port)
    canaries = [canary_conn.session() for _ in range(10)]
    if not check(all(canaries), '[flood] 10 canary sessions initialized before the flood'):
        return
    base = proc_kb(pid)
    stop = threading.Event()
    stats = {'n': 0, 'bad': [], 'max_ms': 0.0}

    def canary():
        c, i = Conn(port), 0
        while not stop.is_set():
            sid = canaries[i % len(canaries)]
            t = time.time()
            try:
                if i % 5 == 4:    # a tools/call answered as SSE (progress token)
                    st, h, b = c.post(tick_body(i, progress=i), sid)
                    ok = st == 200 and h.get('content-type', '').startswith('text/event-stream') and b'tock' in b
                else:
                    st, h, b = c.post(PING, sid)
                    ok = st == 200 and json.loads(b).get('result') == {}
            except Exception as e:
                ok, st = False, repr(e)
            stats['max_ms'] = max(stats['max_ms'], (time.time() - t) * 1000)
            stats['n'] += 1
            if not ok:
                stats['bad'].append(st)
            i += 1
            time.sleep(0.005)

    # The flood: 4 connections race initialize past the cap (200 more than fit).
    want = cap - len(canaries)
    total = want + 200
    counts, lock, errors = {}, threading.Lock(), []

    def flood(k, threads, n):
        c = Conn(port)
        for i in range(k, n, threads):
            try:
                st, h, b = c.post(init_body(i))
            except Exception as e:
                errors.append(repr(e))
                c = Conn(port)
                continue
            with lock:
                counts[st] = counts.get(st, 0) + 1

    ct = threading.Thread(target=canary)
    ct.start()
    t0 = time.time()
    ts = [threading.Thread(target=flood, args=(k, 4, total)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    secs = time.time() - t0
    stop.set()
    ct.join()
    at_cap = proc_kb(pid)
    m = metrics(port)
    check(counts == {200: want, 503: 200} and not errors,
          '[flood] %d initialize on 4 racing connections: exactly %d -> 200, the 200 past the cap -> 503 (%.1f s)'
          % (total, want, secs), 'statuses %s errors %s' % (counts, errors[:3]))
    check(m.get('mcp_sessions_active') == cap, '[flood] the session table holds exactly %d sessions (metrics)' % cap,
          m.get('mcp_sessions_active'))
    st, h, b = Conn(port).post(init_body('over-cap'))
    check(st == 503 and h.get('retry-after', '').isdigit() and int(h['retry-after']) > 0
          and 'mcp-session-id' not in h and rpc_error(b, 'over-cap'),
          '[flood] initialize %d+1 -> 503, Retry-After, JSON-RPC error echoing the id, no session id' % cap,
          'HTTP %d %s %s' % (st, h, b[:200]))
    # 1,000 more past the cap must cost nothing.
    counts.clear()
    ts = [threading.Thread(target=flood, args=(k, 2, 1000)) for k in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    after = proc_kb(pid)
    check(counts == {503: 1000} and after - at_cap <= 1024,
          '[flood] 1,000 more initialize past the cap: all 503, RSS %+d kB' % (after - at_cap), counts)
    check(not stats['bad'] and stats['n'] >= 20 and stats['max_ms'] < 2000,
          '[flood] existing sessions served during the flood: %d requests (ping, SSE tools/call), all 200, max %.0f ms'
          % (stats['n'], stats['max_ms']), 'failures %s' % stats['bad'][:5])
    ok = 0
    for i, sid in enumerate(canaries):
        st1, _, b1 = canary_conn.post(PING, sid)
        st2, h2, b2 = canary_conn.post(tick_body(100 + i, progress='t%d' % i), sid)
        ok += st1 == 200 and st2 == 200 and b'tock' in b2
    check(ok == len(canaries), '[flood] all %d existing sessions still work after the flood' % len(canaries),
          '%d of %d' % (ok, len(canaries)))
    per = (at_cap - base) * 1024.0 / want
    note('[flood] RSS %d kB before, %d kB with %d sessions: %.0f bytes per session' % (base, at_cap, cap, per))
    check(0 < per <= 8192, '[flood] RSS bounded: %.0f bytes per session (limit 8 KiB)' % per)

# ------------------------------------------------------------------ 2. slow clients
def watch_closed(socks, deadline, trickle=None, interval=0.5):
    """Wait until the server closed each socket (EOF or reset) or the
    deadline passes. socks: list of [socket, time of its last byte].
    trickle: the index of a socket that sends one more header byte every
    interval while it is open. Returns {index: seconds from its last byte
    to the close}."""
    closed = {}
    fdmap = {s.fileno(): i for i, (s, _) in enumerate(socks)}
    poller = select.poll()
    for s, _ in socks:
        poller.register(s, select.POLLIN)
    next_byte = time.time() + interval
    while len(closed) < len(socks) and time.time() < deadline:
        if trickle is not None and trickle not in closed and time.time() >= next_byte:
            try:
                socks[trickle][0].send(b'a')
                socks[trickle][1] = time.time()
            except OSError:
                pass
            next_byte = time.time() + interval
        for fd, ev in poller.poll(50):
            i = fdmap[fd]
            try:
                d = socks[i][0].recv(4096)
            except OSError:
                d = b''
            if not d:
                closed[i] = time.time() - socks[i][1]
                poller.unregister(fd)
    return closed

def cmd_slow(port, pid, timeout_s, n):
    timeout_s, n = int(timeout_s), int(n)
    base = nfds(pid)
    partial = [
        b'',                                                                      # connected, silent
        b'POST /mcp HTT',                                                         # half a request line
        b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: appl' % port,  # half the headers
        (b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: %s\r\n'
         b'Content-Length: 100\r\n\r\n{"jsonrpc"' % (port, ACCEPT.encode())),     # a third of the body
    ]
    socks = []
    for i in range(n):
        s = socket.create_connection(('127.0.0.1', port))
        if partial[i % 4]:
            s.sendall(partial[i % 4])
        socks.append([s, time.time()])
    trickler = socket.create_connection(('127.0.0.1', port))
    trickler.sendall(b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nX-Slow: ' % port)
    t_trickle = time.time()
    socks.append([trickler, t_trickle])
    time.sleep(0.3)
    held = nfds(pid) - base
    note('[slowloris] %d partial requests + 1 trickling client open; the server holds %d more fds' % (n, held))

    stats = {'n': 0, 'bad': [], 'max_ms': 0.0}
    stop = threading.Event()

    def normal():
        i = 0
        while not stop.is_set():
            t = time.time()
            try:
                c = Conn(port, timeout=5)     # a fresh connection each time: accept keeps working
                sid = c.session()
                st, _, b = c.post(PING, sid)
                c.close()
                ok = sid is not None and st == 200
            except Exception as e:
                ok, st = False, repr(e)
            stats['max_ms'] = max(stats['max_ms'], (time.time() - t) * 1000)
            stats['n'] += 1
            if not ok:
                stats['bad'].append(st)
            i += 1
            time.sleep(0.1)

    nt = threading.Thread(target=normal)
    nt.start()
    limit = timeout_s + 2
    trickle_limit = 4 * timeout_s
    t_last = max(t for _, t in socks[:n])
    closed = watch_closed(socks, max(t_last + limit + 0.5, t_trickle + trickle_limit + 0.5), trickle=n)
    stop.set()
    nt.join()
    slow = [closed.get(i) for i in range(n)]
    done = [x for x in slow if x is not None]
    check(len(done) == n and max(done) <= limit,
          '[slowloris] all %d partial requests closed by the server within %d s of their last byte (max %.1f s)'
          % (n, limit, max(done) if done else -1), '%d of %d closed' % (len(done), n))
    check(not stats['bad'] and stats['n'] >= 20 and stats['max_ms'] < 2000,
          '[slowloris] normal clients served meanwhile: %d new connections (initialize + ping), all 200, max %.0f ms'
          % (stats['n'], stats['max_ms']), 'failures %s' % stats['bad'][:5])
    t = closed.get(n)
    check(t is not None, '[slowloris] a client trickling a header byte every 0.5 s is cut off within %d s '
          '(a header deadline, not only the %d s idle timeout)' % (trickle_limit, timeout_s),
          'still open after %.1f s: connection_timeout_s is an idle timeout, each byte restarts it'
          % (time.time() - t_trickle))
    for s, _ in socks:
        s.close()
    deadline = time.time() + 5
    while time.time() < deadline and nfds(pid) > base:
        time.sleep(0.1)
    check(nfds(pid) <= base, '[slowloris] server fds back to the baseline (%d)' % base, nfds(pid))

def cmd_capfill(port, pid, cap, timeout_s):
    cap, timeout_s = int(cap), int(timeout_s)
    socks = [socket.create_connection(('127.0.0.1', port)) for _ in range(cap)]
    time.sleep(0.5)
    st, _, h, body, secs = raw(port, b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n'
                                     b'Accept: %s\r\nContent-Length: %d\r\n\r\n%s'
                                     % (port, ACCEPT.encode(), len(init_body()), init_body().encode()),
                               wait=timeout_s + 5)
    check(st == 200 and 'mcp-session-id' in h and 1.0 <= secs <= timeout_s + 3,
          '[capfill] %d silent sockets fill --max-connections %d: the next client waits (the cap holds) and is '
          'served once the %d s timeout frees a slot (after %.1f s)' % (cap, cap, timeout_s, secs),
          'HTTP %d after %.1f s' % (st, secs))
    for s in socks:
        s.close()

# ------------------------------------------------------------------ 3. 10 MB bodies
def chunked_upload(port, total, out, k):
    s = socket.create_connection(('127.0.0.1', port), timeout=20)
    st = 0
    try:
        s.sendall(b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: %s\r\n'
                  b'Transfer-Encoding: chunked\r\n\r\n' % (port, ACCEPT.encode()))
        chunk = b' ' * 65536
        sent = 0
        while sent < total:
            s.sendall(b'%x\r\n%s\r\n' % (len(chunk), chunk))
            sent += len(chunk)
        s.sendall(b'0\r\n\r\n')
        data = b''
        while True:
            if b'\r\n\r\n' in data:
                st, _, h, body = parse_head(data)
                if len(body) >= int(h.get('content-length', '0') or 0):
                    break
            d = s.recv(65536)
            if not d:
                break
            data += d
        st, _, h, body = parse_head(data)
        out[k] = (st, rpc_error(body, None))
    except OSError as e:
        out[k] = (0, repr(e))
    finally:
        s.close()

def cmd_body(port, pid):
    c = Conn(port)
    sid = c.session()
    base_rss, base_fds = proc_kb(pid), nfds(pid)
    big = 10 * 1000 * 1000
    # Content-Length: 10 MB announced, only one byte sent: 413 without waiting for the body.
    st, _, h, body, secs = raw(port, b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\n'
                                     b'Accept: %s\r\nContent-Length: %d\r\n\r\n{' % (port, ACCEPT.encode(), big), wait=5)
    check(st == 413 and rpc_error(body, None) and secs < 2,
          '[body] Content-Length 10 MB -> 413 + JSON-RPC error before the body is sent (%.2f s)' % secs,
          'HTTP %d %s after %.1f s' % (st, body[:120], secs))
    # The same request with the whole body behind it (what a plain client does).
    res = {}
    def full():
        s = socket.create_connection(('127.0.0.1', port), timeout=10)
        try:
            s.sendall(b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: %s\r\n'
                      b'Content-Length: %d\r\n\r\n' % (port, ACCEPT.encode(), big))
            data = b''
            sender = threading.Thread(target=lambda: _send_quietly(s, b' ' * big))
            sender.start()
            while b'\r\n\r\n' not in data:
                d = s.recv(65536)
                if not d:
                    break
                data += d
            res['st'] = parse_head(data)[0]
            try:
                s.shutdown(socket.SHUT_RDWR)   # the server may have closed first
            except OSError:
                pass
            sender.join()
        except OSError as e:
            res['st'] = repr(e)
        finally:
            s.close()
    full()
    check(res.get('st') == 413, '[body] Content-Length 10 MB with the body streamed behind it -> 413', res)
    out = {}
    chunked_upload(port, big, out, 0)
    check(out[0] == (413, True), '[body] chunked 10 MB without Content-Length -> 413 + JSON-RPC error', out[0])
    peak = [0]
    stop = threading.Event()
    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], proc_kb(pid))
            time.sleep(0.02)
    sm = threading.Thread(target=sample)
    sm.start()
    out = {}
    ts = [threading.Thread(target=chunked_upload, args=(port, big, out, k)) for k in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    stop.set()
    sm.join()
    # Each upload buffers up to max_body (4 MiB) before it is known to be too
    # large; growing the buffer may briefly hold the old and the new copy.
    bound = base_rss + 4 * 2 * 4096 + 8192
    check(sorted(out.values()) == [(413, True)] * 4 and peak[0] <= bound,
          '[body] 4 chunked 10 MB uploads at once -> 4 x 413; peak RSS +%d kB (bound 4 x 2 x 4 MiB + 8 MiB)'
          % (peak[0] - base_rss), out)
    # Bodies past 256 KiB live in their own mapping, unmapped when the
    # request ends; what the heap freed is trimmed once the server is quiet.
    # So after 40 MB of uploads RSS is back within 4 MiB of where it was.
    deadline = time.time() + 5
    while proc_kb(pid) > base_rss + 4096 and time.time() < deadline:
        time.sleep(0.25)
    st, _, b = c.post(PING, sid)
    rss, fds = proc_kb(pid), nfds(pid)
    check(st == 200 and rss <= base_rss + 4096 and fds <= base_fds + 1,
          '[body] afterwards: the session answers, RSS %d -> %d kB, fds %d -> %d' % (base_rss, rss, base_fds, fds),
          'ping %d' % st)

def _send_quietly(s, data):
    try:
        s.sendall(data)
    except OSError:
        pass

# ------------------------------------------------------------------ 4. stdio deep nesting
def cmd_stdio(example):
    def obj(n):
        return '{"a":' * n + '1' + '}' * n
    def msg(rid, method, params):
        return '{"jsonrpc":"2.0","id":%s,"method":"%s","params":%s}' % (rid, method, params)
    deep = [
        msg(2, 'tools/call', '{"name":"echo","arguments":{"text":%s}}' % obj(100000)),
        '{"jsonrpc":"2.0","id":' + '[' * 100000 + ']' * 100000 + ',"method":"ping"}',
        msg(4, 'tools/call', '{"name":"echo","arguments":' + '[{"a":' * 50000 + '1' + '}]' * 50000 + '}'),
        msg(5, 'ping', '{"x":' + '[' * 100000),                               # never closed
        msg(6, 'ping', '{"x":' + '[' * ((4 << 20) - 100)),                    # 4 million deep, just under the line limit
    ]
    deep += [msg(1000 + i, 'tools/call', '{"name":"echo","arguments":{"text":%s}}' % obj(100000)) for i in range(100)]
    lines = [msg(1, 'initialize', '{"protocolVersion":"%s","capabilities":{},"clientInfo":{"name":"attack","version":"1"}}' % PV),
             '{"jsonrpc":"2.0","method":"notifications/initialized"}'] + deep + [msg(99, 'ping', '{}')]
    p = subprocess.Popen([example], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    def feed():
        try:
            for l in lines:
                p.stdin.write(l.encode() + b'\n')
            p.stdin.flush()
        except OSError:
            pass
    w = threading.Thread(target=feed)
    w.start()
    msgs, buf, deadline = [], b'', time.time() + 30
    while time.time() < deadline and not any(isinstance(m, dict) and m.get('id') == 99 for m in msgs):
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if not r:
            if p.poll() is not None:
                break
            continue
        d = os.read(p.stdout.fileno(), 1 << 16)
        if not d:
            break
        buf += d
        while b'\n' in buf:
            line, buf = buf.split(b'\n', 1)
            try:
                msgs.append(json.loads(line))
            except ValueError:
                msgs.append({'unparsable': line[:80]})
    hwm = proc_kb(p.pid, 'VmHWM')
    w.join(5)
    try:
        p.stdin.close()
    except OSError:
        pass
    try:
        rc = p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = 'hung'
    err = p.stderr.read().decode('utf-8', 'replace')
    by_id = {json.dumps(m.get('id')): m for m in msgs if isinstance(m, dict) and m.get('id') is not None}
    parse_errors = [m for m in msgs if isinstance(m, dict) and m.get('id') is None and 'error' in m]
    check(len(parse_errors) == len(deep) and all(m['error']['code'] == -32700 for m in parse_errors),
          '[stdio] %d lines nested 100,000 to 4,000,000 deep inside valid envelopes: %d x -32700 with id null'
          % (len(deep), len(parse_errors)), [m.get('error') for m in parse_errors][:3])
    executed = [k for k in by_id if k not in ('1', '99')]
    check(not executed, '[stdio] none of the deep requests was executed', executed[:5])
    check(by_id.get('99', {}).get('result') == {} and rc == 0,
          '[stdio] the stream keeps working (ping answered) and the process exits 0 at EOF', 'rc %s %s' % (rc, err[-300:]))
    check(0 < hwm <= 64 * 1024, '[stdio] peak RSS %d kB while parsing ~%d MB of deep input (limit 64 MiB)'
          % (hwm, sum(len(l) for l in deep) >> 20))

# ------------------------------------------------------------------ 5. bytes in headers
def modern_call(port, extra_headers, name_header=b'Mcp-Name: tick'):
    body = json.dumps({'jsonrpc': '2.0', 'id': 'm', 'method': 'tools/call', 'params': {
        'name': 'tick', 'arguments': {}, '_meta': {
            'io.modelcontextprotocol/protocolVersion': '2026-07-28',
            'io.modelcontextprotocol/clientInfo': {'name': 'attack', 'version': '1'},
            'io.modelcontextprotocol/clientCapabilities': {}}}}).encode()
    head = (b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: %s\r\n'
            b'MCP-Protocol-Version: 2026-07-28\r\n' % (port, ACCEPT.encode()))
    if name_header:
        head += name_header + b'\r\n'
    return head + extra_headers + b'Content-Length: %d\r\n\r\n' % len(body) + body

def cmd_headers(port, pid):
    c = Conn(port)
    sid = c.session().encode()
    st, h, b = c.post(tick_body(7, progress=7), sid.decode())
    ids = re.findall(rb'^id: (\S+)$', b, re.M)
    leid = ids[-1] if ids else b'1_1'
    base = (b'POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: application/json\r\nAccept: %s\r\n'
            % (port, ACCEPT.encode()))
    def post(hdrs):
        return base + hdrs + b'Content-Length: %d\r\n\r\n' % len(PING) + PING
    def get(hdrs):
        return b'GET /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: text/event-stream\r\n' % port + hdrs + b'\r\n'
    def delete(hdrs):
        return b'DELETE /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n' % port + hdrs + b'\r\n'
    V = b'MCP-Protocol-Version: 2025-11-25\r\n'
    S = b'Mcp-Session-Id: ' + sid + b'\r\n'
    ok_mcp = modern_call(port, b'Mcp-Method: tools/call\r\n')
    st, _, _, _, _ = raw(port, ok_mcp)
    check(st == 200, '[headers] control: a well-formed modern tools/call is served (200)', st)
    cases = [
        ('Mcp-Session-Id: the id, bare CR, "X-Injected: 1"', post(b'Mcp-Session-Id: ' + sid + b'\rX-Injected: 1\r\n' + V), range(400, 500)),
        ('Mcp-Session-Id: 0xFF 0xFE before the id', post(b'Mcp-Session-Id: \xff\xfe' + sid + b'\r\n' + V), range(400, 500)),
        ('Mcp-Session-Id: the id + UTF-8 "\u00e9"', post(b'Mcp-Session-Id: ' + sid + b'\xc3\xa9\r\n' + V), range(400, 500)),
        ('Mcp-Session-Id: UTF-8 U+2028 before the id', post(b'Mcp-Session-Id: \xe2\x80\xa8' + sid + b'\r\n' + V), range(400, 500)),
        ('Mcp-Session-Id: obs-fold continuation line " X-Injected: 1"', post(S[:-2] + b'\r\n X-Injected: 1\r\n' + V), range(400, 500)),
        ('Mcp-Session-Id: 100 KB value', post(b'Mcp-Session-Id: ' + b'a' * 100000 + b'\r\n' + V), range(400, 500)),
        ('5,000 request headers', post(S + V + b''.join(b'X-H%d: v\r\n' % i for i in range(5000))), range(400, 500)),
        ('GET: Mcp-Session-Id with bare CR + "X-Injected: 1"', get(b'Mcp-Session-Id: ' + sid + b'\rX-Injected: 1\r\n' + V), range(400, 500)),
        ('DELETE: Mcp-Session-Id with 0xFF (must not end the session)', delete(b'Mcp-Session-Id: ' + sid + b'\xff\r\n' + V), range(400, 500)),
        ('MCP-Protocol-Version: bare CR + "X-Injected: 1"', post(S + b'MCP-Protocol-Version: 2025-11-25\rX-Injected: 1\r\n'), range(400, 500)),
        ('MCP-Protocol-Version: 2025-11-25 + UTF-8 "\u00e9"', post(S + b'MCP-Protocol-Version: 2025-11-25\xc3\xa9\r\n'), range(400, 500)),
        ('Last-Event-ID: a real id + bare CR + "X-Injected: 1"', get(S + V + b'Last-Event-ID: ' + leid + b'\rX-Injected: 1\r\n'), range(400, 500)),
        ('Last-Event-ID: a real id + 0xFF', get(S + V + b'Last-Event-ID: ' + leid + b'\xff\r\n'), range(400, 500)),
        ('Last-Event-ID: 0xFF 0xFE', get(S + V + b'Last-Event-ID: \xff\xfe\r\n'), range(400, 500)),
        ('Last-Event-ID: 1_99999999999999999999999 (overflow)', get(S + V + b'Last-Event-ID: 1_99999999999999999999999\r\n'), range(400, 500)),
        ('Origin: foreign, bare CR, then a local origin', post(S + V + b'Origin: http://evil.example.com\rhttp://localhost\r\n'), [403]),
        ('Origin: http://localhost + UTF-8 "\u00e9"', post(S + V + b'Origin: http://localhost\xc3\xa9\r\n'), [403]),
        ('Mcp-Method: tools/call + bare CR + "X-Injected: 1"', modern_call(port, b'Mcp-Method: tools/call\rX-Injected: 1\r\n'), range(400, 500)),
        ('Mcp-Method: tools/ca 0xFF ll', modern_call(port, b'Mcp-Method: tools/ca\xffll\r\n'), range(400, 500)),
        ('Mcp-Name: =?base64?...?= decoding to "tick\\r\\nX-Injected: 1"',
         modern_call(port, b'Mcp-Method: tools/call\r\n', b'Mcp-Name: =?base64?dGljaw0KWC1JbmplY3RlZDogMQ==?='), range(400, 500)),
    ]
    for name, req, want in cases:
        st, text, h, body, secs = raw(port, req, wait=5, headers_only=req.startswith(b'GET'))
        names = [l.split(':', 1)[0] for l in text.split('\r\n')[1:] if l]
        injected = 'x-injected' in text.lower() or any(not re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", n) for n in names)
        check(st in want and not injected, '[headers] %s -> %d' % (name, st),
              'HTTP %d (want %s)%s' % (st, 'a 4xx' if len(want) > 1 else want[0], ', injected header in the response' if injected else ''))
    st, _, b = c.post(PING, sid.decode())
    check(st == 200, '[headers] the session survived every malformed request (ping 200)', st)

# ------------------------------------------------------------------ 6. SSE streams opened and dropped
async def read_response(r):
    head = await r.readuntil(b'\r\n\r\n')
    st, _, h, _ = parse_head(head)
    if 'content-length' in h:
        await r.readexactly(int(h['content-length']))
    return st, h

async def open_stream(port):
    r, w = await asyncio.open_connection('127.0.0.1', port)
    def req(method, body=b'', extra=b''):
        out = b'%s /mcp HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAccept: %s\r\n' % (method, port, ACCEPT.encode()) + extra
        if body:
            out += b'Content-Type: application/json\r\nContent-Length: %d\r\n' % len(body)
        return out + b'\r\n' + body
    w.write(req(b'POST', init_body().encode()))
    st, h = await read_response(r)
    sid = h.get('mcp-session-id', '').encode()
    ex = b'Mcp-Session-Id: %s\r\nMCP-Protocol-Version: %s\r\n' % (sid, PV.encode())
    w.write(req(b'POST', b'{"jsonrpc":"2.0","method":"notifications/initialized"}', ex))
    st2, _ = await read_response(r)
    w.write(req(b'GET', b'', ex))
    st3, h3 = await read_response(r)
    await asyncio.wait_for(r.readuntil(b'\n\n'), 10)    # the priming event
    return (st, st2, st3, h3.get('content-type')), w

async def open_streams(port, n, batch):
    writers, bad = [], []
    for b in range(0, n, batch):
        res = await asyncio.gather(*[open_stream(port) for _ in range(min(batch, n - b))], return_exceptions=True)
        for x in res:
            if isinstance(x, BaseException):
                bad.append(repr(x))
                continue
            if x[0] != (200, 202, 200, 'text/event-stream'):
                bad.append(x[0])
            writers.append(x[1])
    return writers, bad

def wait_for(pred, secs):
    deadline = time.time() + secs
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()

def cmd_sse(port, pid, n, idle_ms):
    n, idle_s = int(n), int(idle_ms) / 1000.0

    async def round_trip(count):
        ws, bad = await open_streams(port, count, 250)
        return ws, bad

    async def main():
        # Warm-up: a small round so libmicrohttpd and the allocator are past their first use.
        ws, _ = await round_trip(50)
        for w in ws:
            w.close()
        await asyncio.sleep(0.2)
        wait_for(lambda: metrics(port).get('mcp_sse_streams_open') == 0 and metrics(port).get('mcp_sessions_active') == 0,
                 idle_s + 8)
        base_fds, base_rss = nfds(pid), proc_kb(pid)
        t0 = time.time()
        ws, bad = await round_trip(n)
        secs = time.time() - t0
        m = metrics(port)
        open_fds, peak = nfds(pid), proc_kb(pid)
        # base_fds may include a metrics connection that closed since: allow 2.
        check(not bad and len(ws) == n and m.get('mcp_sse_streams_open') == n and open_fds >= base_fds + n - 2,
              '[sse] %d sessions with a GET stream each opened in %.1f s (streams %d, server fds %d -> %d)'
              % (n, secs, m.get('mcp_sse_streams_open', -1), base_fds, open_fds), 'errors %s' % bad[:3])
        t1 = time.time()
        for w in ws:
            w.close()
        await asyncio.sleep(0.1)
        back = wait_for(lambda: nfds(pid) <= base_fds, 10)
        t_fds = time.time() - t1
        check(back, '[sse] all %d dropped streams noticed: server fds back to %d in %.1f s (limit 10 s)'
              % (n, base_fds, t_fds), 'fds now %d' % nfds(pid))
        gone = wait_for(lambda: metrics(port).get('mcp_sse_streams_open') == 0 and metrics(port).get('mcp_sessions_active') == 0,
                        idle_s + 8)
        m = metrics(port)
        check(gone, '[sse] every stream released and every abandoned session expired (metrics: %d streams, %d sessions)'
              % (m.get('mcp_sse_streams_open', -1), m.get('mcp_sessions_active', -1)))
        wait_for(lambda: proc_kb(pid) <= base_rss + 16384, 5)
        rss = proc_kb(pid)
        note('[sse] RSS %d kB before, %d kB with %d streams open (%.0f bytes per stream), %d kB after the drop'
             % (base_rss, peak, n, (peak - base_rss) * 1024.0 / n, rss))
        check(rss <= base_rss + 16384, '[sse] RSS back to the baseline within 16 MiB (%d -> %d -> %d kB)'
              % (base_rss, peak, rss),
              'the freed memory stays with the allocator (%d kB above the baseline)' % (rss - base_rss))

    asyncio.run(main())

# ------------------------------------------------------------------ 7. forged Host / Origin
def cmd_host(port, mode):
    sid = Conn(port).session() if mode == 'stateful' else None
    S = b'Mcp-Session-Id: %s\r\nMCP-Protocol-Version: %s\r\n' % (sid.encode(), PV.encode()) if sid else b''
    P = b':%d' % port
    def post(host, origin=None):
        h = b'POST /mcp HTTP/1.1\r\n' + (b'Host: ' + host + b'\r\n' if host is not None else b'')
        h += b'Content-Type: application/json\r\nAccept: %s\r\n' % ACCEPT.encode() + S
        if origin is not None:
            h += b'Origin: ' + origin + b'\r\n'
        return h + b'Content-Length: %d\r\n\r\n' % len(PING) + PING
    def other(method, origin):
        return (b'%s /mcp HTTP/1.1\r\nHost: 127.0.0.1%s\r\nAccept: text/event-stream\r\nOrigin: %s\r\n'
                % (method, P, origin) + S + b'\r\n')
    cases = [
        ('Host evil.example.com:PORT (right port, foreign name)', post(b'evil.example.com' + P)),
        ('Host 127.0.0.1.nip.io:PORT', post(b'127.0.0.1.nip.io' + P)),
        ('Host localhost@evil.example.com:PORT', post(b'localhost@evil.example.com' + P)),
        ('Host [::1].evil.example.com:PORT (malformed; not sendable by a browser)', post(b'[::1].evil.example.com' + P)),
        ('Host localhost:PORT.evil.example.com (malformed; not sendable by a browser)', post(b'localhost' + P + b'.evil.example.com')),
        ('no Host header (HTTP/1.1)', post(None)),
        ('Origin null', post(b'127.0.0.1' + P, b'null')),
        ('Origin http://evil.example.com:PORT (right port, foreign name)', post(b'127.0.0.1' + P, b'http://evil.example.com' + P)),
        ('Origin file://', post(b'127.0.0.1' + P, b'file://')),
        ('Host localhost:PORT with Origin http://evil.example.com:PORT', post(b'localhost' + P, b'http://evil.example.com' + P)),
    ]
    if sid:
        cases += [('GET stream with Origin null', other(b'GET', b'null')),
                  ('DELETE with Origin null', other(b'DELETE', b'null'))]
    for name, req in cases:
        want = [400, 403] if name.startswith('no Host') else [403]
        st, _, h, body, _ = raw(port, req, headers_only=req.startswith(b'GET'))
        check(st in want and (req.startswith(b'GET') or rpc_error(body, None) or st == 400),
              '[host/%s] %s -> %d' % (mode, name, st), 'HTTP %d %s (want %s)' % (st, body[:100], want))
    st, _, _, body, _ = raw(port, post(b'localhost' + P, b'http://localhost' + P))
    check(st == 200, '[host/%s] control: Host localhost:PORT, Origin http://localhost:PORT -> 200' % mode, st)
    if sid:
        st, _, _ = Conn(port).post(PING, sid)
        check(st == 200, '[host/%s] the session survived the forged DELETE and GET' % mode, st)

cmds = {'flood': cmd_flood, 'slow': cmd_slow, 'capfill': cmd_capfill, 'body': cmd_body, 'stdio': cmd_stdio,
        'headers': cmd_headers, 'sse': cmd_sse, 'host': cmd_host}
cmds[sys.argv[1]](*[int(a) if a.isdigit() else a for a in sys.argv[2:]])
PY

# run_py NAME SECONDS COMMAND ARGS...: one attack; its PASS/FAIL lines count.
run_py() {
    local name=$1 secs=$2 line rc
    shift 2
    timeout -k 5 "$secs" python3 "$TMP/attack.py" "$@" >"$TMP/$name.out" 2>"$TMP/$name.py.err"
    rc=$?
    while IFS= read -r line; do
        case $line in
            PASS:*) passed=$((passed + 1)); echo "$line" ;;
            FAIL:*) failed=$((failed + 1)); echo "$line" ;;
            *) echo "$line" ;;
        esac
    done <"$TMP/$name.out"
    [ "$rc" -eq 0 ] || fail "[$name] the attack client ran to the end (exit $rc${secs:+, limit $secs s})" \
        "$(tail -c 400 "$TMP/$name.py.err" | tr '\n' ' ')"
}

T0=$(date +%s)
# ---------------------------------------------------------------- 1. session flood
if start_session_server flood --max-sessions 10000 --log-requests 0; then
    run_py flood 90 flood "$PORT" "$SPID" 10000
    alive flood "$SPID"
    stop_server "$SPID"
else
    fail "[flood] session_server --max-sessions 10000 starts"
fi

# ---------------------------------------------------------------- 2. slow clients
if start_session_server slowloris --connection-timeout-s 2 --log-requests 0; then
    run_py slowloris 40 slow "$PORT" "$SPID" 2 1000
    alive slowloris "$SPID"
    stop_server "$SPID"
else
    fail "[slowloris] session_server --connection-timeout-s 2 starts"
fi
if start_session_server capfill --connection-timeout-s 2 --max-connections 100 --log-requests 0; then
    run_py capfill 20 capfill "$PORT" "$SPID" 100 2
    alive capfill "$SPID"
    stop_server "$SPID"
else
    fail "[capfill] session_server --max-connections 100 starts"
fi

# ---------------------------------------------------------------- 3. 10 MB bodies
if start_session_server body --log-requests 0; then
    run_py body 60 body "$PORT" "$SPID"
    alive body "$SPID"
    stop_server "$SPID"
else
    fail "[body] session_server starts"
fi

# ---------------------------------------------------------------- 4. stdio deep nesting
run_py stdio 60 stdio "$EXAMPLE"

# ---------------------------------------------------------------- 5. bytes in headers
if start_session_server headers; then
    run_py headers 60 headers "$PORT" "$SPID"
    alive headers "$SPID"
    stop_server "$SPID"
else
    fail "[headers] session_server starts"
fi

# ---------------------------------------------------------------- 6. SSE streams
if start_session_server sse --keepalive-ms 500 --idle-ms 2000 --log-requests 0; then
    run_py sse 90 sse "$PORT" "$SPID" 5000 2000
    alive sse "$SPID"
    stop_server "$SPID"
else
    fail "[sse] session_server --keepalive-ms 500 --idle-ms 2000 starts"
fi

# ---------------------------------------------------------------- 7. forged Host / Origin
for mode in stateful stateless; do
    if start_session_server "host-$mode" --mode "$mode"; then
        run_py "host-$mode" 30 host "$PORT" "$mode"
        alive "host-$mode" "$SPID"
        stop_server "$SPID"
    else
        fail "[host/$mode] session_server --mode $mode starts"
    fi
done

echo "  total $(( $(date +%s) - T0 )) s"
finish
