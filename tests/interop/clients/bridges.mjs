// Bridges in front of todo-mcp, each driven by the official SDK's client
// (@modelcontextprotocol/sdk 1.29.0, as desktop apps embed it):
//   mcp-remote 0.15.1: the SDK's stdio client spawns `node mcp-remote URL`
//     (default --protocol legacy, and --protocol auto: server/discover first);
//   supergateway 4.0.0 HTTP->stdio: the stdio client spawns
//     `node supergateway --streamableHttp URL`;
//   supergateway 4.0.0 stdio->HTTP: `supergateway --stdio "todo-mcp --transport
//     stdio ..." --outputTransport streamableHttp` (started by test_clients.sh,
//     stateless and --stateful), reached with the SDK's Streamable HTTP client.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { main, parseArgs, scenario, subscribeScenario } from './scenario.mjs';

const ctx = parseArgs(process.argv.slice(2));
const node = process.execPath;
const MCP_REMOTE = new URL('../node_modules/mcp-remote/dist/proxy.js', import.meta.url).pathname;
const SUPERGATEWAY = new URL('../node_modules/supergateway/dist/index.js', import.meta.url).pathname;

const adapter = {
  async open(target) {
    const client = new Client({ name: 'bridge-test', version: '1.0.0' });
    const transport = target.url
      ? new StreamableHTTPClientTransport(new URL(target.url))
      : new StdioClientTransport({ command: node, args: target.stdio.args, stderr: 'ignore',
                                   env: { ...process.env, MCP_REMOTE_CONFIG_DIR: ctx.tmp } });
    await client.connect(transport);
    return {
      list: async () => (await client.listTools()).tools.map((t) => t.name),
      call: (name, args) => client.callTool({ name, arguments: args }),
      async close() {
        if (transport.sessionId) await transport.terminateSession().catch(() => {});
        await client.close();
      },
      client,
    };
  },
  async subscribe(conn, uri, onUpdated) {
    conn.client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => onUpdated(n.params.uri));
    await conn.client.subscribeResource({ uri });
  },
};

const remote = (url, extra) => ({ stdio: { args: [MCP_REMOTE, url, '--transport', 'http-only', ...extra] } });
const gateway = (url) => ({ stdio: { args: [SUPERGATEWAY, '--streamableHttp', url, '--logLevel', 'none'] } });

main(async () => {
  for (const mode of ['stateless', 'stateful']) {
    for (const [config, extra, era] of [['default', [], 'legacy'], ['auto', ['--protocol', 'auto'], mode === 'stateless' ? 'modern' : 'legacy']]) {
      await scenario(`mcp-remote ${mode} ${config}`, adapter, ctx, {
        mode, live: remote(ctx[mode], extra), dead: remote(ctx[`dead-${mode}`], extra), log: ctx[`log-${mode}`],
        era, sendsDelete: undefined,
      });
    }
    await scenario(`supergateway http->stdio ${mode}`, adapter, ctx, {
      mode, live: gateway(ctx[mode]), dead: gateway(ctx[`dead-${mode}`]), log: ctx[`log-${mode}`],
      sendsDelete: undefined,
    });
    await scenario(`supergateway stdio->http ${mode}`, adapter, ctx, {
      mode, live: { url: ctx[`sg-${mode}`] }, dead: { url: ctx[`sg-dead-${mode}`] }, log: null,
    });
    // Subscriptions: the SDK client straight to todo-mcp, and through each bridge.
    // Stateless legacy HTTP has no session, so todo-mcp refuses the subscribe.
    const http = mode === 'stateful' ? {} : { expect: 'refused' };
    await subscribeScenario(`sdk-v1 direct ${mode}`, adapter, ctx, { live: { url: ctx[mode] }, ...http });
    await subscribeScenario(`mcp-remote ${mode}`, adapter, ctx, { live: remote(ctx[mode], []), ...http });
    // supergateway 4.0.0 --streamableHttp relays requests through its own SDK client and
    // forwards no server notification to stdio (dist/gateways/streamableHttpToStdio.js).
    await subscribeScenario(`supergateway http->stdio ${mode}`, adapter, ctx, mode === 'stateful'
      ? { expect: 'bridge-drops', why: 'supergateway --streamableHttp forwards no server notifications to stdio' }
      : { live: gateway(ctx[mode]), expect: 'refused' });
    // Stateless supergateway spawns a fresh todo-mcp child per request: the child that
    // took the subscribe is gone before update_todo runs in another one.
    await subscribeScenario(`supergateway stdio->http ${mode}`, adapter, ctx, mode === 'stateful'
      ? { live: { url: ctx[`sg-${mode}`] } }
      : { expect: 'bridge-drops', why: 'stateless supergateway runs one todo-mcp child per request' });
  }
});
