-- Scenario b: stateless tools/call get_todo {id: 1}; the server fetches
-- GET /todos/1 from todo-api on every call.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_todo","arguments":{"id":1}}}'
common.use_headers()
done = common.done
