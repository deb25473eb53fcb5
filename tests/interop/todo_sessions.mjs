// Stateful todo-mcp: the seed's per-session counter and session termination.
//   node todo_sessions.mjs --url http://127.0.0.1:PORT/mcp
// Two v1 clients count independently (1,2,3 vs 1); client A ends its session
// with terminateSession() (HTTP DELETE), client B's session is ended with a
// raw DELETE; a later request carrying either ended session id gets 404,
// while the other session keeps its count.
import { check, connect, firstText, parseArgs, run } from './todo_client.mjs';

const args = parseArgs(process.argv.slice(2));
const label = args.label || 'sessions';

async function count(client) {
  const result = await client.callTool({ name: 'counter', arguments: {} });
  return { n: result.structuredContent?.count, text: firstText(result), isError: result.isError };
}

// Raw Streamable HTTP request carrying a session id; resolves to the status code.
async function rawStatus(method, sessionId, body) {
  const response = await fetch(args.url, {
    method,
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': '2025-06-18',
      'Mcp-Session-Id': sessionId,
    },
    body: body ? JSON.stringify(body) : undefined,
    signal: AbortSignal.timeout(5000),
  });
  await response.text();
  return response.status;
}

const counterCall = { jsonrpc: '2.0', id: 99, method: 'tools/call', params: { name: 'counter', arguments: {} } };

run(label, async () => {
  const a = await connect({ url: args.url, name: 'client-a' });
  const b = await connect({ url: args.url, name: 'client-b' });
  const idA = a.transport.sessionId, idB = b.transport.sessionId;
  check(label, 'each client got its own MCP-Session-Id', Boolean(idA && idB && idA !== idB), `${idA} ${idB}`);

  const seenA = [await count(a.client), await count(a.client), await count(a.client)];
  const seenB = [await count(b.client)];
  check(label, 'client A counts 1,2,3', seenA.map((r) => r.n).join() === '1,2,3', JSON.stringify(seenA));
  check(label, 'client B counts 1 (independent session)', seenB[0].n === 1, JSON.stringify(seenB));
  check(label, 'counter text is the JSON of its structuredContent', seenA[2].text === '{"count":3}' && !seenA[2].isError, seenA[2].text);

  await a.transport.terminateSession();
  check(label, 'terminateSession() (DELETE) accepted', true);
  const afterA = await rawStatus('POST', idA, counterCall);
  check(label, 'request with the terminated session id gets 404', afterA === 404, `status ${afterA}`);

  const stillB = await count(b.client);
  check(label, 'client B keeps its count after A ended (2)', stillB.n === 2, JSON.stringify(stillB));

  const deleteB = await rawStatus('DELETE', idB);
  check(label, 'raw DELETE with the session id accepted', deleteB >= 200 && deleteB < 300, `status ${deleteB}`);
  const afterB = await rawStatus('POST', idB, counterCall);
  check(label, 'request after raw DELETE gets 404', afterB === 404, `status ${afterB}`);

  await a.close();
  await b.close();
});
