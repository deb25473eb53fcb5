// The seeds' stdio server shape for the stdio benchmark: @modelcontextprotocol/sdk
// 1.29.0, McpServer + StdioServerTransport, one tool `echo`.
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

const server = new McpServer({ name: "echo-stdio", version: "1.0.0" });
server.registerTool(
  "echo",
  { title: "echo", description: "Echo the text back", inputSchema: { text: z.string() } },
  async ({ text }) => ({ content: [{ type: "text", text }] }),
);
await server.connect(new StdioServerTransport());
