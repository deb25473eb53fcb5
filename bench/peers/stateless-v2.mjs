// A stateless server on the TypeScript SDK v2 (@modelcontextprotocol/server
// 2.4.0): createMcpHandler builds a fresh McpServer per request (2026-07-28
// requests on the modern path, 2025-era requests on its stateless legacy
// fallback), mounted on express through toNodeHandler from
// @modelcontextprotocol/node. Tools `echo` and `get_todo`, as in the v1 peer.
// Env: PORT (default 3000), WEB_API_BASE_URL (default http://localhost:3001).
import express from "express";
import { createMcpHandler, McpServer } from "@modelcontextprotocol/server";
import { localhostHostValidation, toNodeHandler } from "@modelcontextprotocol/node";
import { z } from "zod";

const PORT = Number(process.env.PORT ?? "3000");
const WEB_API_BASE_URL = process.env.WEB_API_BASE_URL ?? "http://localhost:3001";

function createServer() {
  const server = new McpServer({ name: "todo-mcp-stateless-v2", version: "1.0.0" });
  server.registerTool(
    "echo",
    { title: "echo", description: "Echo the text back", inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: "text", text }] }),
  );
  server.registerTool(
    "get_todo",
    {
      title: "get_todo",
      description: "Retrieve one todo item",
      inputSchema: z.object({ id: z.number().describe("ID of the todo") }),
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

const handler = toNodeHandler(createMcpHandler(createServer));
const validateHost = localhostHostValidation();
const app = express();
app.use(express.json());
app.all("/mcp", (req, res) => {
  if (!validateHost(req, res)) return;
  handler(req, res, req.body).catch((error) => {
    console.error("Error handling MCP request:", error);
    if (!res.headersSent) res.status(500).end();
  });
});

app.listen(PORT, "127.0.0.1", (error) => {
  if (error) {
    console.error("Failed to start v2 stateless server:", error);
    process.exit(1);
  }
  console.error(`Stateless (SDK v2) MCP endpoint: http://127.0.0.1:${PORT}/mcp`);
});
