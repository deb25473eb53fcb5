-- Shared by the bench scripts: the request headers every MCP request carries,
-- and done(), which prints one machine-readable line the harness parses.
-- ok_rate counts only 2xx/3xx replies (wrk counts every reply in requests).
local M = {}

M.mcp_headers = {
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json, text/event-stream",
  ["MCP-Protocol-Version"] = "2025-06-18",
}

-- BENCH_PACE_MS=N: each connection waits N ms after a reply before its next
-- request (wrk's delay hook), so two servers can be measured at about the
-- same offered rate instead of each at its own saturation.
local pace = tonumber(os.getenv("BENCH_PACE_MS") or "")
if pace then
  function delay() return pace end
end

function M.use_headers(extra)
  for k, v in pairs(M.mcp_headers) do wrk.headers[k] = v end
  for k, v in pairs(extra or {}) do wrk.headers[k] = v end
end

function M.done(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "result requests=%d secs=%.3f rate=%.1f ok_rate=%.1f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f non2xx=%d sockerr=%d bytes=%d\n",
    summary.requests, secs, summary.requests / secs, (summary.requests - e.status) / secs,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.status, e.connect + e.read + e.write + e.timeout, summary.bytes))
end

return M
