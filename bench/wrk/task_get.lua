-- Tasks bench (bench/tasks.sh): tasks/get of one completed task (id in
-- $TASK_ID), with Mcp-Name = the task id.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
local id = os.getenv("TASK_ID") or "missing"
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tasks/get","params":{"taskId":"' .. id .. '",'
  .. '"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28",'
  .. '"io.modelcontextprotocol/clientCapabilities":{"extensions":{"io.modelcontextprotocol/tasks":{}}}}}}'
common.use_headers({ ["MCP-Protocol-Version"] = "2026-07-28", ["Mcp-Method"] = "tasks/get", ["Mcp-Name"] = id })
done = common.done
