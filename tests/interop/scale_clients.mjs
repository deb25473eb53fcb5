// Scale-out checks (tests/integration/test_scale_out.sh): official TS SDK v1
// clients talking to several todo-mcp instances through a round-robin load
// balancer that shares sessions in Redis. One "PASS label: name" /
// "FAIL label: name: detail" line per check; "SESSION <id>" lines hand ids
// to the shell script. Every loop is bounded.
//
//   node scale_clients.mjs --mode basic --url URL [--calls 12]
//     client A: initialize, tools/list, create/get/update/delete_todo, then
//     terminateSession() (DELETE) through the balancer; client B: the counter
//     goes 1..N; prints "SESSION <B's id>" and leaves B's session open.
//   node scale_clients.mjs --mode load --url URL --kill-pid PID
//                          [--clients 5] [--calls 40] [--kill-after 80]
//     every client calls the counter in a loop; once kill-after calls have
//     completed overall the instance PID gets SIGKILL while the others are in
//     flight. Only calls in flight on the dying instance may fail: at most one
//     per client, begun before the kill or within KILL_WINDOW_MS after it
//     (SIGKILL is asynchronous: a call sent a few ms later can still reach
//     the process before the kernel closes its sockets); each session's counter never resets and skips a number only
//     where a call failed; afterwards every session still works and ends with
//     terminateSession().
import { check, connect, firstText, parseArgs, parseJson, run } from './todo_client.mjs';

const args = parseArgs(process.argv.slice(2));
const mode = args.mode || 'basic';
const label = args.label || `scale-${mode}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const KILL_WINDOW_MS = 250;

async function counter(client) {
  const result = await client.callTool({ name: 'counter', arguments: {} });
  if (result.isError || !Number.isInteger(result.structuredContent?.count))
    throw new Error(`counter failed: ${JSON.stringify(result)}`);
  return result.structuredContent.count;
}

// The SDK reports failures of its background GET stream through onerror;
// they must not end the client (the stream's instance may be the one killed).
function quietErrors(transport, sink) {
  transport.onerror = (error) => sink.push(String(error?.message || error));
}

async function basic() {
  const calls = Number(args.calls || 12);
  const a = await connect({ url: args.url, name: 'scale-crud' });
  check(label, 'SDK client initialized through the balancer (got MCP-Session-Id)', Boolean(a.transport.sessionId));
  const tools = (await a.client.listTools()).tools.map((t) => t.name).sort();
  const want = ['counter', 'create_todo', 'delete_todo', 'get_todo', 'list_todos', 'update_todo'];
  check(label, 'tools/list through the balancer lists the CRUD tools and counter',
        want.every((n) => tools.includes(n)), tools.join());

  const created = await a.client.callTool({ name: 'create_todo', arguments: { title: 'scale-out' } });
  const id = created.structuredContent?.id;
  check(label, 'create_todo through the balancer', !created.isError && Number.isInteger(id), JSON.stringify(created));
  const got = await a.client.callTool({ name: 'get_todo', arguments: { id } });
  const gotTodo = got.structuredContent ?? parseJson(firstText(got));
  check(label, 'get_todo reads it back', gotTodo?.id === id && gotTodo?.title === 'scale-out', JSON.stringify(got));
  const updated = await a.client.callTool({ name: 'update_todo', arguments: { id, completed: true } });
  check(label, 'update_todo', updated.structuredContent?.completed === true, JSON.stringify(updated));
  const deleted = await a.client.callTool({ name: 'delete_todo', arguments: { id } });
  check(label, 'delete_todo', deleted.structuredContent?.deleted === true, JSON.stringify(deleted));
  await a.transport.terminateSession();
  check(label, 'terminateSession() (DELETE through the balancer) accepted', true);
  await a.close();

  const b = await connect({ url: args.url, name: 'scale-counter' });
  const seen = [];
  for (let i = 0; i < calls; i++)
    seen.push(await counter(b.client));
  const expected = Array.from({ length: calls }, (_, i) => i + 1);
  check(label, `counter goes 1..${calls} across the instances`, seen.join() === expected.join(), seen.join());
  console.log(`SESSION ${b.transport.sessionId}`);
  await b.close();   /* no DELETE: the shell script ends this session */
}

async function load() {
  const nClients = Number(args.clients || 5);
  const calls = Number(args.calls || 40);
  const killAfter = Number(args['kill-after'] || 80);
  const killPid = Number(args['kill-pid']);
  const streamErrors = [];
  const clients = [];
  for (let i = 0; i < nClients; i++) {
    const c = await connect({ url: args.url, name: `scale-load-${i}` });
    quietErrors(c.transport, streamErrors);
    clients.push({ ...c, log: [] });   /* log: {n} or {error, afterKill} in call order */
  }
  let completed = 0, killedAt = -1;
  const killed = () => killedAt >= 0;
  await Promise.all(clients.map(async (c) => {
    for (let i = 0; i < calls; i++) {
      const sentAt = performance.now();
      try {
        c.log.push({ n: await counter(c.client), afterKill: killed() });
      } catch (error) {
        /* null: failed before any kill; else ms after the kill it began (< 0: before) */
        const late = killed() ? Math.round(sentAt - killedAt) : null;
        c.log.push({ error: String(error?.message || error).slice(0, 120), late });
      }
      completed++;
      if (completed === killAfter && !killed()) {
        killedAt = performance.now();
        process.kill(killPid, 'SIGKILL');
        console.log(`KILLED ${killPid} after ${completed} calls`);
      }
      await sleep(10);
    }
  }));
  check(label, `instance ${killPid} was killed mid-way (after ${killAfter} of ${nClients * calls} calls)`,
        killed() && killAfter < nClients * calls);

  const failures = clients.flatMap((c) => c.log.filter((e) => e.error));
  const lateFailures = failures.filter((e) => e.late === null || e.late > KILL_WINDOW_MS);
  check(label, `at most one failed call per client, only calls in flight at the kill (${failures.length} failed)`,
        failures.length <= nClients && lateFailures.length === 0 &&
        clients.every((c) => c.log.filter((e) => e.error).length <= 1),
        JSON.stringify(failures));
  check(label, 'every client kept calling after the kill (>= 5 successes each)',
        clients.every((c) => c.log.filter((e) => e.afterKill && !e.error).length >= 5),
        clients.map((c) => c.log.filter((e) => e.afterKill && !e.error).length).join());

  // Counter: strictly increasing from 1; a number is skipped only where a
  // call failed (it may have counted before its instance died).
  const problems = [];
  for (const [k, c] of clients.entries()) {
    let last = 0, failedSince = 0;
    for (const e of c.log) {
      if (e.error) {
        failedSince++;
        continue;
      }
      if (e.n <= last || e.n - last - 1 > failedSince)
        problems.push(`client ${k}: ${last} then ${e.n} (${failedSince} failed between)`);
      last = e.n;
      failedSince = 0;
    }
    c.last = last;
    c.pendingFailures = failedSince;
  }
  check(label, 'counters never reset or skip (except where a call failed)', problems.length === 0, problems.join('; '));

  const after = [];
  for (const c of clients) {
    try {
      after.push({ n: await counter(c.client), want: c.last + 1, slack: c.pendingFailures });
    } catch (error) {
      after.push({ error: String(error?.message || error) });
    }
  }
  check(label, `every session still works afterwards and its counter continues (${nClients} sessions)`,
        after.every((r) => !r.error && r.n >= r.want && r.n <= r.want + r.slack), JSON.stringify(after));
  let ended = 0;
  for (const c of clients) {
    try {
      await c.transport.terminateSession();
      ended++;
    } catch (error) {
      after.push({ terminate: String(error?.message || error) });
    }
    await c.close();
  }
  check(label, 'every session ends with terminateSession() through the balancer', ended === nClients,
        JSON.stringify(after));
  if (streamErrors.length)
    console.log(`NOTE ${streamErrors.length} background GET stream error(s), e.g. ${streamErrors[0]}`);
}

run(label, mode === 'load' ? load : basic);
