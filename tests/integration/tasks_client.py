#!/usr/bin/env python3
"""A 2026-07-28 client for the tasks extension, for test_tasks_scale.sh and
bench/tasks.sh: every request declares io.modelcontextprotocol/tasks in its
_meta and carries the Mcp-Method / Mcp-Name headers.

  tasks_client.py create URL TOOL ARGS_JSON      -> prints the CreateTaskResult JSON
  tasks_client.py call URL METHOD PARAMS_JSON    -> prints the result or error JSON
  tasks_client.py wait URL ID STATUS SECONDS     -> polls tasks/get; prints seconds taken, exit 1 on timeout
  tasks_client.py bulk URL N TOOL ARGS_JSON THREADS  -> N creations in parallel; ids one per line
  tasks_client.py bulk_call URL METHOD IDS_FILE THREADS -> METHOD {taskId} for each id; prints failures
"""
import http.client, json, sys, threading, time, urllib.parse

EXT = "io.modelcontextprotocol/tasks"
_local = threading.local()


def conn(url):
    u = urllib.parse.urlparse(url)
    c = getattr(_local, "conn", None)
    if c is None or getattr(_local, "host", None) != (u.hostname, u.port):
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=15)
        _local.conn, _local.host = c, (u.hostname, u.port)
    return c, u.path or "/mcp"


def rpc(url, method, params, name=None, caps=None):
    params = dict(params)
    params["_meta"] = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
                       "io.modelcontextprotocol/clientCapabilities":
                           caps if caps is not None else {"elicitation": {}, "extensions": {EXT: {}}}}
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
    if name is not None:
        headers["Mcp-Name"] = name
    for attempt in range(2):
        c, path = conn(url)
        try:
            c.request("POST", path, body, headers)
            r = c.getresponse()
            text = r.read().decode()
            break
        except (http.client.HTTPException, OSError):
            _local.conn = None
            if attempt:
                raise
    data = [l[5:].strip() for l in text.splitlines() if l.startswith("data:")]
    msg = json.loads(data[-1] if data else text)
    return r.status, msg


def task_rpc(url, method, task_id, extra=None):
    p = {"taskId": task_id}
    p.update(extra or {})
    return rpc(url, method, p, name=task_id)


def main():
    cmd, url = sys.argv[1], sys.argv[2]
    if cmd == "create":
        _, msg = rpc(url, "tools/call", {"name": sys.argv[3], "arguments": json.loads(sys.argv[4])}, name=sys.argv[3])
        print(json.dumps(msg.get("result", msg)))
    elif cmd == "call":
        params = json.loads(sys.argv[4])
        st, msg = rpc(url, sys.argv[3], params, name=params.get("taskId", params.get("name")))
        print(json.dumps(msg.get("result", msg)))
    elif cmd == "wait":
        task_id, want, limit = sys.argv[3], sys.argv[4], float(sys.argv[5])
        t0 = time.time()
        last = None
        while time.time() - t0 < limit:
            _, msg = task_rpc(url, "tasks/get", task_id)
            last = msg.get("result", msg)
            if last.get("status") == want:
                print("%.1f %s" % (time.time() - t0, json.dumps(last)))
                return 0
            time.sleep(0.2)
        print("timeout %s" % json.dumps(last))
        return 1
    elif cmd == "bulk":
        n, tool, args, threads = int(sys.argv[3]), sys.argv[4], json.loads(sys.argv[5]), int(sys.argv[6])
        ids, errors, lock = [], [], threading.Lock()

        def worker(count):
            for _ in range(count):
                try:
                    _, msg = rpc(url, "tools/call", {"name": tool, "arguments": args}, name=tool)
                    tid = msg.get("result", {}).get("taskId")
                    with lock:
                        (ids.append(tid) if tid else errors.append(json.dumps(msg)[:200]))
                except Exception as e:  # noqa: BLE001 - reported, counted
                    with lock:
                        errors.append(repr(e))
        per = [n // threads + (1 if i < n % threads else 0) for i in range(threads)]
        ts = [threading.Thread(target=worker, args=(c,)) for c in per]
        t0 = time.time()
        for t in ts: t.start()
        for t in ts: t.join()
        sys.stderr.write("bulk: %d created, %d errors in %.2f s %s\n" % (len(ids), len(errors), time.time() - t0,
                                                                         errors[:1]))
        print("\n".join(ids))
        return 0 if not errors else 1
    elif cmd == "bulk_call":
        method, ids = sys.argv[3], [l.strip() for l in open(sys.argv[4]) if l.strip()]
        threads = int(sys.argv[5])
        bad, lock = [], threading.Lock()

        def worker(chunk):
            for tid in chunk:
                try:
                    _, msg = task_rpc(url, method, tid)
                    if "result" not in msg:
                        with lock: bad.append(json.dumps(msg)[:200])
                except Exception as e:  # noqa: BLE001
                    with lock: bad.append(repr(e))
        ts = [threading.Thread(target=worker, args=(ids[i::threads],)) for i in range(threads)]
        t0 = time.time()
        for t in ts: t.start()
        for t in ts: t.join()
        sys.stderr.write("bulk_call %s: %d ids, %d failures in %.2f s\n" % (method, len(ids), len(bad), time.time() - t0))
        for b in bad[:3]: print(b)
        return 0 if not bad else 1
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
