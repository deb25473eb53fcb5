// @langchain/mcp-adapters (pinned in ../package.json) against todo-mcp,
// both modes. Its transport is the official SDK v1 client, legacy era only
// (no server/discover). Drives MultiServerMCPClient directly: getTools(),
// each tool's invoke() (a tool error surfaces as a thrown ToolException,
// bad arguments as a schema error before the call), close().
import { MultiServerMCPClient } from '@langchain/mcp-adapters';
import { main, parseArgs, scenario } from './scenario.mjs';

const ctx = parseArgs(process.argv.slice(2));

// invoke() gives the content: a string, a block ({type, text,
// structuredContent}) or an array of blocks.
function asResult(r) {
  const blocks = Array.isArray(r) ? r : [r];
  const text = blocks.map((b) => (typeof b === 'string' ? b : b?.text ?? '')).join('');
  let structured = blocks.find((b) => b && typeof b === 'object' && b.structuredContent)?.structuredContent;
  if (structured === undefined) {
    try { structured = JSON.parse(text); } catch { structured = undefined; }
  }
  return { content: [{ type: 'text', text }], structuredContent: structured };
}

function adapter() {
  return {
    async open(target) {
      const client = new MultiServerMCPClient({
        throwOnLoadError: true, prefixToolNameWithServerName: false, useStandardContentBlocks: false,
        mcpServers: { todo: { transport: 'http', url: target.url, automaticSSEFallback: false } },
      });
      const tools = Object.fromEntries((await client.getTools()).map((t) => [t.name, t]));
      return {
        list: async () => Object.keys(tools),
        call: async (name, args) => asResult(await tools[name].invoke(args)),
        close: () => client.close(),
      };
    },
  };
}

main(async () => {
  for (const mode of ['stateless', 'stateful']) {
    await scenario(`langchain ${mode} default`, adapter(), ctx, {
      mode, live: { url: ctx[mode] }, dead: { url: ctx[`dead-${mode}`] }, log: ctx[`log-${mode}`],
      era: 'legacy', sendsDelete: false,
    });
  }
});
