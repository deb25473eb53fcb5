// @openai/agents (pinned in ../package.json) against todo-mcp:
// MCPServerStreamableHttp (always negotiates: server/discover first, no
// legacy-only setting) in both HTTP modes, and MCPServerStdio spawning
// `todo-mcp --transport stdio` in both modes. Drives the MCP server objects
// directly: connect / listTools / callToolResult / close.
import { MCPServerStdio, MCPServerStreamableHttp } from '@openai/agents';
import { main, parseArgs, scenario } from './scenario.mjs';

const ctx = parseArgs(process.argv.slice(2));

function adapter() {
  return {
    async open(target) {
      const server = target.url
        ? new MCPServerStreamableHttp({ url: target.url, name: 'todo', cacheToolsList: false })
        : new MCPServerStdio({ command: target.stdio.command, args: target.stdio.args, name: 'todo', cacheToolsList: false });
      await server.connect();
      return {
        list: async () => (await server.listTools()).map((t) => t.name),
        call: (name, args) => server.callToolResult(name, args),
        close: () => server.close(),
      };
    },
  };
}

// stdio: todo-mcp behind `tee`, so the messages the client wrote land in a
// log the scenario reads to see the era it negotiated.
const stdinLog = (mode) => `${ctx.tmp}/openai-stdio-${mode}.in`;
const stdio = (mode, api) => ({ stdio: { command: '/bin/sh', args: ['-c',
  `tee -a "$0" | exec "$1" --transport stdio --mode "$2" --web-api-base-url "$3"`,
  stdinLog(mode), ctx['mcp-bin'], mode, api] } });

main(async () => {
  for (const mode of ['stateless', 'stateful']) {
    await scenario(`openai-agents http ${mode} default`, adapter(), ctx, {
      mode, live: { url: ctx[mode] }, dead: { url: ctx[`dead-${mode}`] }, log: ctx[`log-${mode}`],
      era: mode === 'stateless' ? 'modern' : 'legacy', sendsDelete: null, sendsDelete: true,
    });
  }
  for (const mode of ['stateless', 'stateful']) {
    await scenario(`openai-agents stdio ${mode} default`, adapter(), ctx, {
      mode, live: stdio(mode, ctx.api), dead: stdio(mode, ctx['dead-api']), log: stdinLog(mode),
      era: mode === 'stateless' ? 'modern' : 'legacy', sendsDelete: null,
    });
  }
});
