// Official TypeScript SDK v1 client (StreamableHTTPClientTransport) against
// mcp-everything over Streamable HTTP, plus a raw-fetch Last-Event-ID
// resumption test in stateful mode.
// Usage: node http_client.mjs stateful|stateless http://127.0.0.1:PORT/mcp [label]
// Prints one line per check ("ok - ..." / "not ok - ...") and exits non-zero
// when any check failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
    CreateMessageRequestSchema,
    ElicitRequestSchema,
    LoggingMessageNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

const [mode, url, label] = process.argv.slice(2);
if (!['stateful', 'stateless'].includes(mode) || !url) {
    console.error('usage: http_client.mjs stateful|stateless URL');
    process.exit(2);
}
const stateful = mode === 'stateful';
const tag = label ? `[${mode}, ${label}]` : `[${mode}]`;

let failed = 0;
function check(ok, name, detail) {
    if (ok) {
        console.log(`ok - ${tag} ${name}`);
    } else {
        failed++;
        console.log(`not ok - ${tag} ${name}${detail !== undefined ? ': ' + String(detail).slice(0, 800) : ''}`);
    }
}
const show = (v) => JSON.stringify(v);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const withTimeout = (p, ms, what) => Promise.race([
    p, sleep(ms).then(() => { throw new Error(`timeout after ${ms} ms: ${what}`); }),
]);

const watchdog = setTimeout(() => {
    console.log(`not ok - ${tag} http client finished within 40 s`);
    process.exit(1);
}, 40000);

// ------------------------------------------------------------------ SDK client
async function sdkSession() {
    const transport = new StreamableHTTPClientTransport(new URL(url));
    const client = new Client({ name: 'libmcp-http-interop', version: '1.0.0' },
        { capabilities: { sampling: {}, elicitation: {} } });
    const sdkErrors = [];
    client.onerror = (e) => sdkErrors.push(String(e && e.message || e));
    const samplingRequests = [];
    client.setRequestHandler(CreateMessageRequestSchema, async (req) => {
        samplingRequests.push(req.params);
        return { role: 'assistant', content: { type: 'text', text: 'interop says hi' }, model: 'test-model', stopReason: 'endTurn' };
    });
    const elicitations = [];
    client.setRequestHandler(ElicitRequestSchema, async (req) => {
        elicitations.push(req.params);
        return { action: 'accept', content: { username: 'alice', email: 'alice@example.com' } };
    });
    const logs = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => { logs.push(n.params); });

    await withTimeout(client.connect(transport), 5000, 'connect');
    // Tap what the transport hands to the SDK.
    const wire = [];
    const inner = transport.onmessage;
    transport.onmessage = (m, extra) => { wire.push(m); return inner(m, extra); };

    const info = client.getServerVersion();
    check(info?.name === 'mcp-conformance-test-server', 'initialize: serverInfo from mcp-everything', show(info));
    const sid = transport.sessionId;
    if (stateful) {
        check(typeof sid === 'string' && sid.length >= 32 && /^[\x21-\x7e]+$/.test(sid),
            'initialize: sessionId set, 32+ visible ASCII chars', show(sid));
    } else {
        check(sid === undefined, 'initialize: no sessionId in stateless mode', show(sid));
    }
    check(client.getServerCapabilities()?.logging !== undefined, 'initialize: logging capability declared',
        show(client.getServerCapabilities()));

    const tools = await withTimeout(client.listTools(), 5000, 'tools/list');
    const names = tools.tools.map((t) => t.name);
    check(['test_simple_text', 'test_tool_with_progress', 'test_tool_with_logging', 'test_sampling']
        .every((n) => names.includes(n)), 'tools/list contains the fixture tools', show(names));

    const simple = await withTimeout(client.callTool({ name: 'test_simple_text', arguments: {} }), 5000, 'test_simple_text');
    check(simple.content?.[0]?.text === 'This is a simple text response for testing.' && !simple.isError,
        'tools/call test_simple_text', show(simple));

    // Progress: steps 0, 50, 100 with 50 ms between them.
    const progress = [];
    const errsBefore = sdkErrors.length;
    const wireBefore = wire.length;
    const prog = await withTimeout(client.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined,
        { onprogress: (p) => progress.push(p) }), 5000, 'test_tool_with_progress');
    await sleep(50);
    check(prog.content?.[0]?.text === 'Progress tool completed', 'tools/call test_tool_with_progress result', show(prog));
    const progWire = wire.slice(wireBefore).filter((m) => m.method === 'notifications/progress');
    check(progWire.map((m) => m.params.progress).join(',') === '0,50,100',
        'progress: the transport received 0, 50, 100 before the result', show(progWire));
    check(progress.length >= 2 && progress[0].progress === 0 && progress[1].progress === 50 &&
        progress.every((p) => p.total === 100),
        'progress: onprogress called for 0 and 50 (100 may race with the result, typescript-sdk#2580)', show(progress));
    const raced = sdkErrors.slice(errsBefore).filter((e) => /unknown token/.test(e)).length;
    check(progress.length + raced === 3, 'progress: all three reached the SDK progress dispatch', show({ progress, raced }));

    // Logging.
    await withTimeout(client.setLoggingLevel('info'), 5000, 'logging/setLevel info');
    logs.length = 0;
    const logged = await withTimeout(client.callTool({ name: 'test_tool_with_logging', arguments: {} }), 5000, 'test_tool_with_logging');
    await sleep(50);
    check(logged.content?.[0]?.text === 'Tool with logging executed successfully', 'tools/call test_tool_with_logging result', show(logged));
    check(show(logs.map((l) => l.data)) === show(['Tool execution started', 'Tool processing data', 'Tool execution completed']) &&
        logs.every((l) => l.level === 'info'),
        'logging: three info messages in order', show(logs));
    if (stateful) {
        await withTimeout(client.setLoggingLevel('warning'), 5000, 'logging/setLevel warning');
        logs.length = 0;
        await withTimeout(client.callTool({ name: 'test_tool_with_logging', arguments: {} }), 5000, 'test_tool_with_logging');
        await sleep(50);
        check(logs.length === 0, 'logging: level warning suppresses the info messages for this session', show(logs));
    }

    // Sampling (server -> client request).
    const t0 = Date.now();
    let sampled = null, sampleErr = null;
    try {
        sampled = await withTimeout(client.callTool({ name: 'test_sampling', arguments: { prompt: 'What is 2+2?' } }),
            stateful ? 5000 : 2000, 'test_sampling');
    } catch (e) {
        sampleErr = e;
    }
    const took = Date.now() - t0;
    if (stateful) {
        check(sampled && !sampled.isError && sampled.content?.[0]?.text === 'LLM response: interop says hi',
            'sampling: test_sampling returns the client\'s answer', show(sampled ?? String(sampleErr)));
        check(samplingRequests.length === 1 && samplingRequests[0].messages?.[0]?.content?.text === 'What is 2+2?' &&
            samplingRequests[0].maxTokens > 0,
            'sampling: the client handler received sampling/createMessage with the prompt', show(samplingRequests));
        let elicited = null;
        try {
            elicited = await withTimeout(client.callTool({ name: 'test_elicitation', arguments: { message: 'Who are you?' } }),
                5000, 'test_elicitation');
        } catch (e) {
            elicited = String(e);
        }
        check(elicitations.length === 1 && elicitations[0].message === 'Who are you?' &&
            /action=accept/.test(elicited?.content?.[0]?.text ?? '') && /alice@example.com/.test(elicited?.content?.[0]?.text ?? ''),
            'elicitation: test_elicitation round trip through the client handler', show({ elicitations, elicited }));
    } else {
        const text = sampled ? (sampled.content || []).map((c) => c.text || '').join(' ') : String(sampleErr?.message);
        check(took < 2000 && samplingRequests.length === 0 &&
            ((sampled && sampled.isError === true) || (sampleErr && !/timeout after/.test(sampleErr.message))),
            `sampling (stateless): clear error in ${took} ms, no request to the client`, show({ sampled, err: String(sampleErr), took }));
        check(/sampl|stateless|back-channel|input/i.test(text), 'sampling (stateless): the error says why', text);
    }

    const others = sdkErrors.filter((e) => !/unknown token/.test(e));
    check(others.length === 0, 'the SDK reported no transport/protocol errors', show(others));

    if (stateful) {
        await withTimeout(transport.terminateSession(), 5000, 'terminateSession');
        check(transport.sessionId === undefined, 'terminateSession(): the client dropped the session id');
        const r = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream',
                'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' },
            body: JSON.stringify({ jsonrpc: '2.0', id: 77, method: 'tools/list' }),
        });
        const body = await r.json().catch(() => null);
        check(r.status === 404 && body?.error && body.id === 77,
            'after terminateSession(): a request with the old id gets 404 with a JSON-RPC error echoing id 77',
            `${r.status} ${show(body)}`);
    }
    await client.close();
}

// ------------------------------------------------------------------ raw SSE helpers
const baseHeaders = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };

async function post(body, headers = {}, signal) {
    return fetch(url, { method: 'POST', headers: { ...baseHeaders, ...headers }, body: JSON.stringify(body), signal });
}

// Incremental SSE parser over a fetch body: yields {id, data, event, retry}.
async function* sseEvents(response) {
    const reader = response.body.getReader();
    const dec = new TextDecoder();
    let buf = '';
    try {
        for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buf += dec.decode(value, { stream: true });
            let cut;
            while ((cut = buf.search(/\r?\n\r?\n/)) >= 0) {
                const block = buf.slice(0, cut);
                buf = buf.slice(cut + (buf[cut] === '\r' ? 4 : 2));
                const ev = { data: [] };
                for (const line of block.split(/\r?\n/)) {
                    if (line.startsWith(':')) continue;
                    const i = line.indexOf(':');
                    const field = i < 0 ? line : line.slice(0, i);
                    let val = i < 0 ? '' : line.slice(i + 1);
                    if (val.startsWith(' ')) val = val.slice(1);
                    if (field === 'data') ev.data.push(val);
                    else if (field === 'id') ev.id = val;
                    else if (field === 'event') ev.event = val;
                    else if (field === 'retry') ev.retry = val;
                }
                if (ev.data.length === 0 && ev.id === undefined && ev.retry === undefined) continue;
                ev.data = ev.data.join('\n');
                ev.msg = ev.data ? JSON.parse(ev.data) : null;
                yield ev;
            }
        }
    } finally {
        reader.releaseLock?.();
    }
}

// Read all events of a response until it ends (bounded).
async function readAll(response, ms = 5000) {
    const out = [];
    const it = sseEvents(response);
    const deadline = Date.now() + ms;
    for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) { out.timedOut = true; break; }
        const step = await Promise.race([it.next(), sleep(left).then(() => 'timeout')]);
        if (step === 'timeout') { out.timedOut = true; break; }
        if (step.done) break;
        out.push(step.value);
    }
    return out;
}

async function rawInitialize() {
    const r = await post({ jsonrpc: '2.0', id: 1, method: 'initialize', params: {
        protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'raw-resume', version: '1' } } });
    const sid = r.headers.get('mcp-session-id');
    await r.text();
    const h = { 'mcp-session-id': sid, 'mcp-protocol-version': '2025-11-25' };
    const n = await post({ jsonrpc: '2.0', method: 'notifications/initialized' }, h);
    await n.text();
    return h;
}

// POST test_tool_with_progress, keep reading until `stopAfter` events with
// ids were seen, then drop the connection. Returns the events seen.
async function startAndDrop(h, id, token, stopAfter) {
    const ac = new AbortController();
    const r = await post({ jsonrpc: '2.0', id, method: 'tools/call',
        params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: token } } }, h, ac.signal);
    const seen = [];
    const info = { status: r.status, type: r.headers.get('content-type') };
    const it = sseEvents(r);
    try {
        while (seen.filter((e) => e.id !== undefined).length < stopAfter) {
            const step = await Promise.race([it.next(), sleep(3000).then(() => ({ done: true, timeout: true }))]);
            if (step.done) break;
            seen.push(step.value);
        }
    } finally {
        ac.abort();                       // drop the connection mid-stream
    }
    await it.return?.().catch(() => {});
    return { seen, ...info };
}

async function resume(h, lastId) {
    return fetch(url, { method: 'GET', headers: { accept: 'text/event-stream', 'last-event-id': lastId, ...h } });
}

async function resumption() {
    const h = await rawInitialize();
    check(typeof h['mcp-session-id'] === 'string' && h['mcp-session-id'].length >= 32, 'resume: raw initialize got a session id',
        show(h));

    // A parallel, independent stream in the same session (must never be replayed into ours).
    const otherP = post({ jsonrpc: '2.0', id: 900, method: 'tools/call',
        params: { name: 'test_tool_with_progress', arguments: {}, _meta: { progressToken: 'other' } } }, h)
        .then((r) => readAll(r));

    // 1. Drop after the priming event and the first progress event.
    const a = await startAndDrop(h, 101, 'resume-a', 2);
    check(a.status === 200 && /^text\/event-stream/.test(a.type || ''), 'resume: POST answered with an SSE stream', show(a));
    const priming = a.seen[0];
    check(priming && priming.id !== undefined && priming.data === '' && priming.retry !== undefined,
        'resume: first event is a priming event (id, empty data, retry)', show(priming));
    const first = a.seen[1];
    check(first?.msg?.method === 'notifications/progress' && first.msg.params.progress === 0 && first.id !== undefined,
        'resume: second event is progress 0 with an id', show(first));
    // A client that lost the connection reconnects at once: the server must
    // serve the replay even if it has not noticed the dropped connection yet
    // (the stream is idle between progress steps at this moment).
    let r = await resume(h, first?.id ?? 'none');
    const immediate = `${r.status} ${r.headers.get('content-type')}`;
    check(r.status === 200 && /^text\/event-stream/.test(r.headers.get('content-type') || ''),
        `resume: GET with Last-Event-ID ${first?.id} right after the drop -> 200 text/event-stream`,
        `${immediate} ${r.status !== 200 ? await r.text() : ''}`);
    if (r.status !== 200) {
        // Retry as the SDK would, after the retry interval the priming event advertised.
        await sleep(Number(priming?.retry) || 1000);
        r = await resume(h, first?.id ?? 'none');
        check(r.status === 200 && /^text\/event-stream/.test(r.headers.get('content-type') || ''),
            `resume: GET with Last-Event-ID ${first?.id} after the retry interval -> 200 text/event-stream`,
            `${r.status} ${r.headers.get('content-type')}`);
    }
    const rest = r.status === 200 ? await readAll(r) : [];
    const msgs = rest.filter((e) => e.msg).map((e) => e.msg);
    check(!rest.timedOut, 'resume: the replay stream ends after the final response', show(rest));
    check(show(msgs.filter((m) => m.method === 'notifications/progress').map((m) => [m.params.progressToken, m.params.progress])) ===
        show([['resume-a', 50], ['resume-a', 100]]),
        'resume: the remaining progress events (50, 100) arrive, nothing already seen is repeated', show(msgs));
    const final = msgs.find((m) => m.id === 101);
    check(final?.result?.content?.[0]?.text === 'Progress tool completed', 'resume: the final response (id 101) arrives on the replay stream',
        show(msgs));
    check(!msgs.some((m) => m.params?.progressToken === 'other' || m.id === 900),
        'resume: no event of the other stream is replayed', show(msgs));
    const ids = [first?.id, ...rest.filter((e) => e.id !== undefined).map((e) => e.id)];
    check(new Set(ids).size === ids.length && ids.every((i) => i && i.split('_')[0] === first.id.split('_')[0]),
        'resume: event ids are unique and name the same stream', show(ids));

    const other = await otherP;
    const otherIds = other.filter((e) => e.id !== undefined).map((e) => e.id);
    check(other.some((e) => e.msg?.id === 900) && otherIds.every((i) => !ids.includes(i)),
        'resume: the parallel stream completed with ids distinct from ours', show(otherIds));

    // 2. Drop right after the priming event: everything is replayed.
    const b = await startAndDrop(h, 102, 'resume-b', 1);
    await sleep(Number(b.seen[0]?.retry) || 1000);    // as a client honouring retry:
    const r2 = await resume(h, b.seen[0]?.id ?? 'none');
    const rest2 = r2.status === 200 ? await readAll(r2) : [];
    const msgs2 = rest2.filter((e) => e.msg).map((e) => e.msg);
    check(r2.status === 200 && show(msgs2.filter((m) => m.method === 'notifications/progress').map((m) => m.params.progress)) === '[0,50,100]' &&
        msgs2.some((m) => m.id === 102 && m.result),
        'resume from the priming id after the retry interval: all progress events and the response are replayed', `${r2.status} ${show(msgs2)}`);

    // 3. Unknown stream in Last-Event-ID: refused with a JSON-RPC error.
    const r3 = await resume(h, '999999_1');
    const b3 = await r3.text();
    check(r3.status === 400 && /"error"/.test(b3), 'resume: unknown Last-Event-ID -> 400 with a JSON-RPC error', `${r3.status} ${b3}`);

    // 4. A replay must not be possible without the session.
    const r4 = await fetch(url, { method: 'GET', headers: { accept: 'text/event-stream', 'last-event-id': first?.id ?? '1_1',
        'mcp-protocol-version': '2025-11-25' } });
    await r4.text();
    check(r4.status === 400, 'resume: GET with Last-Event-ID but no session id -> 400', r4.status);

    await fetch(url, { method: 'DELETE', headers: h }).then((x) => x.text());
}

try {
    await sdkSession();
} catch (e) {
    check(false, 'no exception in the SDK client session', e && (e.stack || e.message || String(e)));
}
if (stateful) {
    try {
        await resumption();
    } catch (e) {
        check(false, 'no exception in the resumption test', e && (e.stack || e.message || String(e)));
    }
}
clearTimeout(watchdog);
process.exit(failed ? 1 : 0);
