-- Stateful tools/call counter on ONE session created beforehand, to compare
-- session stores (todo-mcp --mode stateful with and without --store redis://):
--   MCP_SESSION_ID=<id> wrk -t2 -c32 -d10s -s bench/wrk/counter_store.lua http://127.0.0.1:PORT/mcp
-- Every request carries the session id and MCP-Protocol-Version 2025-11-25; with
-- a store each one is a session lookup (PEXPIRE x3) plus an atomic HINCRBY in
-- Redis. done() prints one line: rate counts every reply, ok_rate only 2xx/3xx
-- (a 404 or 503 would show up as non2xx, never as speed).
local sid = os.getenv("MCP_SESSION_ID")
if not sid or #sid == 0 then error("MCP_SESSION_ID is not set (the id of an initialized session)") end

wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"counter","arguments":{}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2025-11-25"
wrk.headers["Mcp-Session-Id"] = sid

function done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "result requests=%d secs=%.3f rate=%.1f ok_rate=%.1f p50_ms=%.3f p99_ms=%.3f non2xx=%d sockerr=%d\n",
    summary.requests, secs, summary.requests / secs, (summary.requests - e.status) / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect + e.read + e.write + e.timeout))
end
