// The checks every independent client runs against todo-mcp (issue 14),
// written once: each client library supplies an adapter that connects with
// its own MCP client API (never a model) and normalises tool results.
//
//   adapter.open(target) -> { list() -> [names], call(name, args) -> result, close() }
//   result: { isError, text, structured } (a thrown error also counts as an error)
//   target: { url } for HTTP clients, { stdio: { command, args } } for stdio ones
//
// ctx (from parseArgs, see test_clients.sh): api (todo-api base URL), live and
// dead targets per mode, the todo-mcp log files (one JSON line per request)
// used to see which era a client negotiated and whether it sent DELETE.
import { readFileSync, statSync } from 'node:fs';

let failures = 0;
export function check(label, name, ok, detail = '') {
  if (!ok) failures++;
  console.log(`${ok ? 'PASS' : 'FAIL'} [${label}] ${name}${!ok && detail ? ` -- ${String(detail).slice(0, 300)}` : ''}`);
}
export function info(label, text) { console.log(`INFO [${label}] ${text}`); }

export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) out[argv[i].replace(/^--/, '')] = argv[i + 1];
  return out;
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  })]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Normalises a CallToolResult (or what a library made of it) to {isError,
// text, structured}. Without structuredContent (a client that negotiated a
// revision before 2025-06-18, e.g. supergateway's 2024-11-05 default) the
// text block, which carries the same JSON, stands in for it.
export function normalize(r) {
  if (r && Array.isArray(r.content)) {
    const text = r.content.filter((c) => c.type === 'text').map((c) => c.text).join('');
    let structured = r.structuredContent;
    if (structured === undefined && !r.isError) {
      try { structured = JSON.parse(text); } catch { structured = undefined; }
    }
    return { isError: Boolean(r.isError), structured, text };
  }
  if (typeof r === 'string') return { isError: false, text: r, structured: undefined };
  return { isError: false, text: JSON.stringify(r), structured: r };
}

// ---------------------------------------------------------------- server log

function logSize(file) { try { return statSync(file).size; } catch { return 0; } }
function logSince(file, mark) {
  if (!file) return [];
  const text = readFileSync(file, 'utf8').slice(mark);
  return text.split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return {}; } });
}
// Which era the requests since mark used: legacy when an initialize went by,
// modern when server/discover was answered (200) and no initialize followed.
// Lines are todo-mcp's HTTP request log ({rpc, status}) or, for stdio, the
// JSON-RPC messages the client wrote ({method}).
function eraOf(lines) {
  const ok = (l) => l.status === undefined || l.status === 200;
  const method = (l) => l.rpc ?? l.method;
  if (lines.some((l) => method(l) === 'initialize' && ok(l))) return 'legacy';
  if (lines.some((l) => method(l) === 'server/discover' && ok(l))) return 'modern';
  return 'unknown';
}

// ---------------------------------------------------------------- todo-api

async function api(ctx, method, path, body) {
  const r = await fetch(ctx.api + path, {
    method, headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined, signal: AbortSignal.timeout(5000),
  });
  const text = await r.text();
  return { status: r.status, body: text ? JSON.parse(text) : null };
}

async function outcome(promise) {
  try {
    return normalize(await promise);
  } catch (e) {
    return { isError: true, thrown: true, text: String(e?.message ?? e) };
  }
}

// ---------------------------------------------------------------- scenario

// One client configuration against one todo-mcp mode.
//   opts.mode: 'stateless' | 'stateful'; opts.live / opts.dead: targets
//   opts.log: the live server's log file, or null when it cannot be read (stdio)
//   opts.era: the era this configuration must end up in ('legacy' | 'modern' | undefined)
//   opts.sendsDelete: true when this client ends its session with DELETE on close
//     (checked), false/undefined: only reported, null: not applicable (stdio)
export async function scenario(label, adapter, ctx, opts) {
  const stateful = opts.mode === 'stateful';
  const mark = logSize(opts.log);
  let conn;
  try {
    conn = await withTimeout(adapter.open(opts.live), 15000, 'connect');
    check(label, 'connect', true);
  } catch (e) {
    check(label, 'connect', false, e?.stack ?? e);
    return;
  }
  try {
    const names = await withTimeout(conn.list(), 10000, 'list tools');
    const want = ['get_todo', 'list_todos', 'create_todo', 'update_todo', 'delete_todo'];
    check(label, 'tools listed (get_todo and the CRUD tools)', want.every((n) => names.includes(n)), names.join());
    check(label, stateful ? 'counter listed (stateful)' : 'counter not listed (stateless)',
          names.includes('counter') === stateful, names.join());
    if (opts.log) {
      const era = eraOf(logSince(opts.log, mark));
      info(label, `era negotiated: ${era}`);
      if (opts.era) check(label, `negotiated the ${opts.era} era`, era === opts.era, era);
    }

    // get_todo: existing, missing, bad arguments.
    const seeded = await api(ctx, 'POST', '/todos', { title: `seeded by ${label}` });
    const got = await outcome(conn.call('get_todo', { id: seeded.body.id }));
    check(label, 'get_todo of an existing todo returns it as JSON text',
          !got.isError && got.text.includes(`seeded by ${label}`), got.text);
    const missing = await outcome(conn.call('get_todo', { id: 987654321 }));
    check(label, 'get_todo of a missing todo is a tool error "WebAPI call failed: HTTP 404"',
          missing.isError && /WebAPI call failed.*404/.test(missing.text), missing.text);
    const bad = await outcome(conn.call('get_todo', { id: 'not-a-number' }));
    check(label, 'get_todo with bad arguments is refused (error, no todo)',
          bad.isError && !bad.text.includes('"title"'), JSON.stringify(bad));

    // CRUD, with the effect seen through todo-api.
    const created = await outcome(conn.call('create_todo', { title: `made by ${label}` }));
    const id = created.structured?.id;
    const seen = id ? await api(ctx, 'GET', `/todos/${id}`) : { status: 0 };
    check(label, 'create_todo: todo-api has the new todo', !created.isError && seen.status === 200 &&
          seen.body.title === `made by ${label}`, JSON.stringify(created).slice(0, 200));
    const updated = await outcome(conn.call('update_todo', { id, completed: true }));
    const seen2 = id ? await api(ctx, 'GET', `/todos/${id}`) : { status: 0 };
    check(label, 'update_todo: todo-api shows completed', !updated.isError && seen2.body?.completed === true,
          JSON.stringify(updated).slice(0, 200));
    const deleted = await outcome(conn.call('delete_todo', { id }));
    const seen3 = id ? await api(ctx, 'GET', `/todos/${id}`) : { status: 0 };
    check(label, 'delete_todo: todo-api answers 404', !deleted.isError && seen3.status === 404,
          JSON.stringify(deleted).slice(0, 200));

    if (stateful) {
      const counts = [];
      for (let i = 0; i < 3; i++) {
        const r = await outcome(conn.call('counter', {}));
        counts.push(r.isError ? `error: ${r.text}` : r.structured?.count ?? r.text);
      }
      check(label, 'counter counts 1,2,3 in this session', counts.join() === '1,2,3', JSON.stringify(counts));
    }
  } catch (e) {
    check(label, 'scenario ran to the end', false, e?.stack ?? e);
  }
  const closeMark = logSize(opts.log);
  const sessions = new Set(logSince(opts.log, mark).filter((l) => l.rpc === 'initialize').map((l) => l.session));
  try {
    await withTimeout(conn.close(), 10000, 'close');
  } catch (e) {
    check(label, 'close', false, e);
  }
  if (stateful && opts.log && opts.sendsDelete !== null) {
    await sleep(150);
    const del = logSince(opts.log, closeMark).some((l) => l.http === 'DELETE' && l.status === 200 && sessions.has(l.session));
    if (opts.sendsDelete) check(label, 'close sends DELETE for the session (200)', del, [...sessions].join());
    else info(label, `close sends DELETE: ${del ? 'yes' : 'no'}`);
  }

  if (stateful) {
    try {
      const again = await withTimeout(adapter.open(opts.live), 15000, 'reconnect');
      const r = await outcome(again.call('counter', {}));
      check(label, 'a new session starts its counter at 1', !r.isError && r.structured?.count === 1, JSON.stringify(r));
      await withTimeout(again.close(), 10000, 'close');
    } catch (e) {
      check(label, 'a new session starts its counter at 1', false, e?.stack ?? e);
    }
  }

  if (opts.dead) {
    try {
      const dead = await withTimeout(adapter.open(opts.dead), 15000, 'connect (dead WebAPI)');
      const t0 = Date.now();
      const r = await outcome(dead.call('get_todo', { id: 1 }));
      check(label, `dead WebAPI: get_todo is a tool error "WebAPI call failed ..." (${Date.now() - t0} ms)`,
            r.isError && /WebAPI call failed/.test(r.text), r.text);
      await withTimeout(dead.close(), 10000, 'close');
    } catch (e) {
      check(label, 'dead WebAPI: get_todo is a tool error', false, e?.stack ?? e);
    }
  }
}

// Resource subscriptions (issue 14 item 2). adapter.subscribe(conn, uri, onUpdated)
// must be provided by the client module. opts.expect:
//   'delivered' (default): update_todo sends notifications/resources/updated {uri};
//   'refused': no session (stateless legacy HTTP), so no resources.subscribe
//     capability and resources/subscribe is -32601 "... needs a session";
//   'bridge-drops': the bridge has no path for server notifications (opts.why
//     says which); reported as INFO, since neither todo-mcp nor the check can change it.
export async function subscribeScenario(label, adapter, ctx, opts) {
  if (!adapter.subscribe) return;
  const expect = opts.expect ?? 'delivered';
  if (expect === 'bridge-drops') {
    info(label, `subscribe not checked: ${opts.why}`);
    return;
  }
  const name = expect === 'refused'
    ? 'subscribe: refused with -32601 "needs a session" (stateless: no channel for resources/updated)'
    : 'subscribe: update_todo sends notifications/resources/updated';
  let conn;
  try {
    conn = await withTimeout(adapter.open(opts.live), 15000, 'connect');
    const todo = await api(ctx, 'POST', '/todos', { title: 'watched' });
    const uri = `todo://todos/${todo.body.id}`;
    let updated = false;
    let refused = null;
    try {
      await withTimeout(adapter.subscribe(conn, uri, (u) => { if (u === uri) updated = true; }), 15000, 'subscribe');
    } catch (e) {
      if (expect !== 'refused') throw e;
      refused = e;
    }
    if (expect === 'refused') {
      const text = String(refused?.message ?? '');
      check(label, name, refused !== null && (refused.code === -32601 || /-32601/.test(text)) && /needs a session/.test(text),
            refused ? text : 'resources/subscribe succeeded');
      return;
    }
    await conn.call('update_todo', { id: todo.body.id, completed: true });
    for (let i = 0; i < 30 && !updated; i++) await sleep(100);
    check(label, name, updated);
  } catch (e) {
    check(label, name, false, e?.stack ?? e);
  } finally {
    if (conn) await conn.close().catch(() => {});
  }
}

// Runs main, prints the tally, exits 1 on any failure.
export async function main(body) {
  try {
    await body();
  } catch (e) {
    check('harness', 'client module ran', false, e?.stack ?? e);
  }
  console.log(`# ${failures} failed`);
  process.exit(failures ? 1 : 0);
}
