// Shared helpers for todo-mcp's interop checks (tests/integration/test_todo_mcp.sh):
// connect an official MCP client (v1 @modelcontextprotocol/sdk 1.29.0 or v2
// @modelcontextprotocol/client 2.4.0) over Streamable HTTP or stdio, and
// report checks as one "PASS label: name" / "FAIL label: name: detail" line
// each, which the shell script counts. No check retries or sleeps unbounded.
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as HttpV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport as StdioV1 } from '@modelcontextprotocol/sdk/client/stdio.js';
import { Client as ClientV2, StreamableHTTPClientTransport as HttpV2 } from '@modelcontextprotocol/client';
import { StdioClientTransport as StdioV2 } from '@modelcontextprotocol/client/stdio';

let failures = 0;

export function check(label, name, ok, detail = '') {
  if (ok) {
    console.log(`PASS ${label}: ${name}`);
  } else {
    failures++;
    console.log(`FAIL ${label}: ${name}${detail ? `: ${detail}` : ''}`);
  }
  return ok;
}

export function failed() {
  return failures;
}

// Parses "--key value" pairs; "--stdio" takes the rest of argv as a command line.
export function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (key === 'stdio') {
      args.stdio = argv.slice(i + 1);
      break;
    }
    args[key] = argv[i + 1];
    i++;
  }
  return args;
}

// { client, transport, close() } for sdk "v1" | "v2"; era "legacy" | "auto" (v2 only).
export async function connect({ sdk = 'v1', url, stdio, era = 'legacy', name = 'todo-test' }) {
  const v2 = sdk === 'v2';
  const options = v2 && era !== 'legacy' ? { versionNegotiation: { mode: era } } : undefined;
  const client = v2 ? new ClientV2({ name, version: '1.0.0' }, options)
                    : new ClientV1({ name, version: '1.0.0' });
  let transport;
  if (stdio) {
    // The server's stderr joins ours: the shell script scans it for sanitizer reports.
    const params = { command: stdio[0], args: stdio.slice(1), stderr: 'inherit' };
    transport = v2 ? new StdioV2(params) : new StdioV1(params);
  } else {
    transport = v2 ? new HttpV2(new URL(url)) : new HttpV1(new URL(url));
  }
  // Record every method the client puts on the wire (e.g. to assert that a
  // modern-era session never sends initialize).
  const sent = [];
  const send = transport.send.bind(transport);
  transport.send = (message, options) => {
    if (message && message.method) sent.push(message.method);
    return send(message, options);
  };
  await client.connect(transport);
  return { client, transport, sent, close: () => client.close().catch(() => {}) };
}

// Text of the first content block, or ''.
export function firstText(result) {
  const block = result?.content?.find((b) => b.type === 'text');
  return block ? block.text : '';
}

export function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Resolves to { ok: true, value, ms } or { ok: false, error, ms }.
export async function timed(promise) {
  const start = performance.now();
  try {
    const value = await promise;
    return { ok: true, value, ms: performance.now() - start };
  } catch (error) {
    return { ok: false, error, ms: performance.now() - start };
  }
}

// Runs main(), turning an unexpected exception into a FAIL line; sets the exit code.
export async function run(label, main) {
  const guard = setTimeout(() => {
    check(label, 'finished within 60 s', false);
    process.exit(1);
  }, 60_000);
  try {
    await main();
  } catch (error) {
    check(label, 'no unexpected error', false, error?.stack || String(error));
  }
  clearTimeout(guard);
  process.exit(failures ? 1 : 0);
}
