// todo-mcp when todo-api misbehaves.
//   node todo_upstream.mjs --case down --url URL   todo-mcp points at a closed port
//   node todo_upstream.mjs --case hung --url URL   todo-mcp (stateful) points at a listener
//                                                  that accepts and never answers
// down: get_todo is isError "WebAPI call failed: connection refused …" in < 3 s.
// hung: three concurrent get_todo calls each end at the 10 s timeout with
// "WebAPI call failed: timed out after 10 s" (together, not one after another:
// they run on the worker pool), while a second client's counter and
// tools/list calls made meanwhile answer in < 1 s.
import { check, connect, firstText, parseArgs, run, timed } from './todo_client.mjs';

const args = parseArgs(process.argv.slice(2));
const label = args.label || `upstream-${args.case}`;

async function upstreamDown() {
  const { client, close } = await connect({ url: args.url });
  const call = await timed(client.callTool({ name: 'get_todo', arguments: { id: 5 } }));
  const text = call.ok ? firstText(call.value) : String(call.error);
  check(label, 'get_todo with todo-api down is isError "WebAPI call failed: connection refused…"',
        call.ok && call.value.isError === true && text.startsWith('WebAPI call failed')
        && text.includes('connection refused'), text);
  check(label, `answered in < 3 s (${Math.round(call.ms)} ms)`, call.ms < 3000);
  await close();
}

async function upstreamHung() {
  const slow = await connect({ url: args.url, name: 'slow-client' });
  const quick = await connect({ url: args.url, name: 'quick-client' });
  const hung = [1, 2, 3].map((id) => timed(slow.client.callTool({ name: 'get_todo', arguments: { id } })));
  let settled = 0;
  hung.forEach((p) => p.then(() => settled++));
  await new Promise((resolve) => setTimeout(resolve, 300));

  const counter = await timed(quick.client.callTool({ name: 'counter', arguments: {} }));
  const list = await timed(quick.client.listTools());
  check(label, `counter from another client answers while get_todo hangs (${Math.round(counter.ms)} ms < 1000)`,
        counter.ok && counter.value.structuredContent?.count === 1 && counter.ms < 1000);
  check(label, `tools/list answers meanwhile (${Math.round(list.ms)} ms < 1000)`, list.ok && list.ms < 1000);
  check(label, 'the hung get_todo calls were still pending then', settled === 0, `${settled} settled`);

  const results = await Promise.all(hung);
  const texts = results.map((r) => (r.ok ? firstText(r.value) : String(r.error)));
  const slowest = Math.max(...results.map((r) => r.ms));
  const fastest = Math.min(...results.map((r) => r.ms));
  check(label, 'hung get_todo calls are isError "WebAPI call failed: timed out after 10 s"',
        results.every((r, i) => r.ok && r.value.isError === true && texts[i].startsWith('WebAPI call failed')
                                && texts[i].includes('timed out after 10 s')), texts.join(' | '));
  check(label, `they end at the 10 s timeout, in parallel (${Math.round(fastest)}-${Math.round(slowest)} ms)`,
        fastest >= 9500 && slowest < 12500);
  await slow.close();
  await quick.close();
}

run(label, args.case === 'hung' ? upstreamHung : upstreamDown);
