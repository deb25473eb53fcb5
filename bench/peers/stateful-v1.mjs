// The seeds' stateful todo MCP server (seed 000), rebuilt in plain ESM for the
// benchmark: @modelcontextprotocol/sdk 1.29.0 + express, one McpServer and
// StreamableHTTPServerTransport per session kept in a Map, tools `echo` and a
// per-session `counter`. GET (SSE stream) and DELETE go to the session's
// transport; a closed transport leaves the map. Env: PORT (default 3000).
import { randomUUID } from "node:crypto";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const PORT = Number(process.env.PORT ?? "3000");

const sessions = new Map(); // sessionId -> { server, transport }
const counters = new Map(); // sessionId -> number

function createServer(getSessionId) {
  const server = new McpServer({ name: "todo-mcp-stateful", version: "1.0.0" });
  server.registerTool(
    "echo",
    { title: "echo", description: "Echo the text back", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  server.registerTool(
    "counter",
    { title: "counter", description: "Add 1 to this session's counter and return it" },
    async () => {
      const id = getSessionId();
      const count = (counters.get(id) ?? 0) + 1;
      counters.set(id, count);
      return { content: [{ type: "text", text: `Counter: ${count}` }] };
    },
  );
  return server;
}

async function createSessionContext() {
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: () => randomUUID() });
  const server = createServer(() => transport.sessionId);
  transport.onclose = () => {
    if (transport.sessionId) {
      sessions.delete(transport.sessionId);
      counters.delete(transport.sessionId);
    }
  };
  await server.connect(transport);
  return { server, transport };
}

const rpcError = (res, status, message) =>
  res.status(status).json({ jsonrpc: "2.0", error: { code: -32000, message }, id: null });

const app = createMcpExpressApp();
app.post("/mcp", async (req, res) => {
  const sessionId = req.headers["mcp-session-id"];
  let context;
  if (sessionId) {
    context = sessions.get(sessionId);
    if (!context) return rpcError(res, 404, "Session not found");
  } else {
    context = await createSessionContext();
  }
  try {
    await context.transport.handleRequest(req, res, req.body);
  } catch (error) {
    console.error("Error handling MCP request:", error);
    if (!res.headersSent) rpcError(res, 500, "Internal server error");
  }
  const issued = context.transport.sessionId;
  if (issued && !sessions.has(issued)) sessions.set(issued, context);
});

const sessionRequest = async (req, res) => {
  const context = sessions.get(req.headers["mcp-session-id"]);
  if (!context) return rpcError(res, req.headers["mcp-session-id"] ? 404 : 400, "Session not found");
  await context.transport.handleRequest(req, res);
};
app.get("/mcp", sessionRequest);
app.delete("/mcp", sessionRequest);

process.on("SIGINT", async () => {
  for (const context of sessions.values()) {
    await context.transport.close();
    await context.server.close();
  }
  process.exit(0);
});
process.on("SIGTERM", () => process.emit("SIGINT"));

app.listen(PORT, "127.0.0.1", (error) => {
  if (error) {
    console.error("Failed to start stateful server:", error);
    process.exit(1);
  }
  console.error(`Stateful MCP endpoint: http://127.0.0.1:${PORT}/mcp`);
});
