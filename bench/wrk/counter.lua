-- Scenario d: tools/call counter on sessions created beforehand. The session
-- ids are read from the file named by BENCH_SESSIONS (one per line); each
-- thread walks the list round-robin from its own offset, so every session
-- gets calls and requests of one connection spread over sessions (HTTP
-- carries the session in a header, so which connection sends it is free).
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local body = '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"counter","arguments":{}}}'
local threads = 0
local reqs = {}
local idx = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

function init(args)
  local path = os.getenv("BENCH_SESSIONS") or error("BENCH_SESSIONS is not set")
  for line in io.lines(path) do
    if #line > 0 then
      local h = {}
      for k, v in pairs(wrk.headers) do h[k] = v end
      for k, v in pairs(common.mcp_headers) do h[k] = v end
      h["Mcp-Session-Id"] = line
      reqs[#reqs + 1] = wrk.format("POST", wrk.path, h, body)
    end
  end
  if #reqs == 0 then error("no sessions in " .. path) end
  idx = ((tid or 0) * 17) % #reqs
end

function request()
  idx = idx % #reqs + 1
  return reqs[idx]
end

done = common.done
