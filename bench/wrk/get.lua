-- Plain GET of the URL given to wrk (todo-api's GET /todos/1: the upstream
-- ceiling for scenario b), with the shared result line.
local common = dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "GET"
done = common.done
