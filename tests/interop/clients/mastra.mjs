// @mastra/mcp (pinned in ../package.json) against todo-mcp, both modes:
// default config (protocolVersion unset: server/discover first, falls back
// to initialize) and legacy config (protocolVersion: 'legacy'). Drives
// MCPClient directly: listTools() and each tool's execute(), disconnect().
import { MCPClient } from '@mastra/mcp';
import { main, parseArgs, scenario, subscribeScenario } from './scenario.mjs';

const ctx = parseArgs(process.argv.slice(2));
let n = 0;

// Mastra returns structuredContent (with the content attached) for a result
// that has one, the CallToolResult otherwise, and a validation error object
// for arguments its input schema rejects.
function asResult(r) {
  if (r && typeof r === 'object' && !Array.isArray(r.content) && (r.error === true || r.issues || r.validationErrors)) {
    return { content: [{ type: 'text', text: String(r.message ?? JSON.stringify(r)) }], isError: true };
  }
  if (r && typeof r === 'object' && !Array.isArray(r.content)) {
    return { content: [{ type: 'text', text: JSON.stringify(r) }], structuredContent: r };
  }
  return r;
}

function adapter(protocolVersion) {
  return {
    async open(target) {
      const id = `todo${++n}`;
      const mcp = new MCPClient({ id, servers: { todo: { url: new URL(target.url), ...(protocolVersion ? { protocolVersion } : {}) } } });
      const tools = await mcp.listTools();
      return {
        list: async () => Object.keys(await mcp.listTools()).map((k) => k.replace(/^todo_/, '')),
        call: async (name, args) => asResult(await tools[`todo_${name}`].execute(args, {})),
        close: () => mcp.disconnect(),
        mcp,
      };
    },
    async subscribe(conn, uri, onUpdated) {
      await conn.mcp.resources.onUpdated('todo', (params) => onUpdated(params.uri));
      await conn.mcp.resources.subscribe('todo', uri);
    },
  };
}

main(async () => {
  for (const mode of ['stateless', 'stateful']) {
    for (const [config, pv] of [['default', undefined], ['legacy', 'legacy']]) {
      await scenario(`mastra ${mode} ${config}`, adapter(pv), ctx, {
        mode, live: { url: ctx[mode] }, dead: { url: ctx[`dead-${mode}`] }, log: ctx[`log-${mode}`],
        // disconnect() closes the transport without DELETE (observed, 2.0.0).
        era: mode === 'stateless' && !pv ? 'modern' : 'legacy', sendsDelete: false,
      });
      // Mastra subscribes only over 2026-07-28 subscriptions/listen.
      if (mode === 'stateless' && !pv) await subscribeScenario(`mastra ${mode} ${config}`, adapter(pv), ctx, { live: { url: ctx[mode] } });
    }
  }
});
