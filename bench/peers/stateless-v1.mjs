// The seeds' stateless todo MCP server (seed 001), rebuilt in plain ESM for the
// benchmark: @modelcontextprotocol/sdk 1.29.0 + express, a new McpServer and
// StreamableHTTPServerTransport per request, tools `echo` and `get_todo`.
// Env: PORT (default 3000), WEB_API_BASE_URL (default http://localhost:3001).
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { createMcpExpressApp } from "@modelcontextprotocol/sdk/server/express.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const PORT = Number(process.env.PORT ?? "3000");
const WEB_API_BASE_URL = process.env.WEB_API_BASE_URL ?? "http://localhost:3001";

function createServer() {
  const server = new McpServer({ name: "todo-mcp-stateless", version: "1.0.0" });
  server.registerTool(
    "echo",
    { title: "echo", description: "Echo the text back", inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  server.registerTool(
    "get_todo",
    {
      title: "get_todo",
      description: "Retrieve one todo item",
      inputSchema: { id: z.number().describe("ID of the todo") },
    },
    async ({ id }) => {
      try {
        const response = await fetch(`${WEB_API_BASE_URL}/todos/${id}`, {
          method: "GET",
          headers: { "Content-Type": "application/json" },
          signal: AbortSignal.timeout(10_000),
        });
        const body = await response.json();
        return { content: [{ type: "text", text: JSON.stringify(body) }] };
      } catch {
        throw new Error("WebAPI call failed");
      }
    },
  );
  return server;
}

const methodNotAllowed = (_req, res) => {
  res.writeHead(405).end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message: "Method not allowed." }, id: null }));
};

const app = createMcpExpressApp();
app.post("/mcp", async (req, res) => {
  const server = createServer();
  const transport = new StreamableHTTPServerTransport();
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (error) {
    console.error("Error handling MCP request:", error);
    if (!res.headersSent) {
      res.status(500).json({ jsonrpc: "2.0", error: { code: -32603, message: "Internal server error" }, id: null });
    }
  } finally {
    await transport.close();
    await server.close();
  }
});
app.get("/mcp", methodNotAllowed);
app.delete("/mcp", methodNotAllowed);

app.listen(PORT, "127.0.0.1", (error) => {
  if (error) {
    console.error("Failed to start stateless server:", error);
    process.exit(1);
  }
  console.error(`Stateless MCP endpoint: http://127.0.0.1:${PORT}/mcp`);
});
