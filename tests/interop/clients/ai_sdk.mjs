// @ai-sdk/mcp (pinned in ../package.json) against todo-mcp, both modes:
// default config (protocolVersionDiscovery: server/discover first, falls back
// to initialize) and legacy config (protocolVersionDiscovery: false). Drives
// the library's MCPClient directly: listTools / callTool / close.
import { createMCPClient } from '@ai-sdk/mcp';
import { main, parseArgs, scenario } from './scenario.mjs';

const ctx = parseArgs(process.argv.slice(2));

function adapter(discovery) {
  return {
    async open(target) {
      const client = await createMCPClient({ transport: { type: 'http', url: target.url }, protocolVersionDiscovery: discovery });
      return {
        list: async () => (await client.listTools()).tools.map((t) => t.name),
        call: (name, args) => client.callTool({ name, arguments: args }),
        close: () => client.close(),
      };
    },
  };
}

main(async () => {
  for (const mode of ['stateless', 'stateful']) {
    for (const [config, discovery] of [['default', true], ['legacy', false]]) {
      // Stateful todo-mcp has a session-scoped tool, so it offers only the
      // legacy era and the default config falls back to initialize.
      const era = mode === 'stateless' && discovery ? 'modern' : 'legacy';
      await scenario(`ai-sdk ${mode} ${config}`, adapter(discovery), ctx, {
        mode, live: { url: ctx[mode] }, dead: { url: ctx[`dead-${mode}`] }, log: ctx[`log-${mode}`],
        era, sendsDelete: true,
      });
    }
  }
});
