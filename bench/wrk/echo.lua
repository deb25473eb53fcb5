-- Scenario a: stateless tools/call echo, 2025-era request (no session), a
-- static request (no per-request Lua). Also sent to nginx's static reply.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hello"}}}'
common.use_headers()
done = common.done
