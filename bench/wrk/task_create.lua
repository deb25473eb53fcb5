-- Tasks bench (bench/tasks.sh): tools/call of mcp-everything's task-optional
-- slow_compute {seconds:0} from a client declaring the tasks extension; each
-- reply is a CreateTaskResult written to the task store first.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"slow_compute",'
  .. '"arguments":{"seconds":0,"label":"bench"},'
  .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
  .. '"io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}}}'
common.use_headers({ ["MCP-Protocol-Version"] = "2026-07-28", ["Mcp-Method"] = "tools/call", ["Mcp-Name"] = "slow_compute" })
done = common.done
