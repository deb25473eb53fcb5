// The official TypeScript SDK v1 client (StreamableHTTPClientTransport) over
// https, for test_https.sh and test_proxy_nginx.sh: Node verifies the server
// certificate against NODE_EXTRA_CA_CERTS (never disabled here).
//   node tls_client.mjs URL [--token JWT] [--todo ID --title TEXT] [--label L]
// Connects, lists tools, calls get_todo when --todo is given (expects TEXT in
// the result), closes. One "PASS label: name" / "FAIL label: name: detail"
// line per check; exits non-zero when any failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const [url, ...rest] = process.argv.slice(2);
const opt = (name) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};
const label = opt('label') || 'sdk-v1 https';
let failed = 0;
const check = (name, ok, detail = '') => {
  if (!ok) failed++;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${label}: ${name}${!ok && detail ? `: ${String(detail).slice(0, 300)}` : ''}`);
};

const token = opt('token');
const transport = new StreamableHTTPClientTransport(new URL(url), {
  requestInit: token ? { headers: { Authorization: `Bearer ${token}` } } : undefined,
});
const client = new Client({ name: 'libmcp-tls-client', version: '1.0.0' });
const timer = setTimeout(() => { console.log(`FAIL ${label}: finished within 20 s`); process.exit(1); }, 20000);
try {
  await client.connect(transport);
  check('connect over https', true);
  const tools = (await client.listTools()).tools.map((t) => t.name);
  check('tools/list has get_todo', tools.includes('get_todo'), tools.join(','));
  if (opt('todo')) {
    const r = await client.callTool({ name: 'get_todo', arguments: { id: Number(opt('todo')) } });
    const text = (r.content || []).map((c) => c.text || '').join(' ');
    check('tools/call get_todo returns the todo', !r.isError && text.includes(opt('title')), text);
  }
  await client.close();
} catch (e) {
  check('no error', false, e && (e.stack || e.message) || e);
}
clearTimeout(timer);
process.exit(failed ? 1 : 0);
