// Official TypeScript SDK v1 client against the libmcp example server over
// stdio. Usage: node stdio_client.mjs <mcp-example> [<mcp-everything>]
// With mcp-everything given, its slow progress tool is also called over
// stdio so that onprogress can be checked without the SDK's own race
// (typescript-sdk#2580: a progress notification read in the same chunk as
// the response is dropped as "unknown token" because notification handlers
// run one microtask later than the response handler).
// Prints one line per check ("ok - ..." / "not ok - ...") and exits non-zero
// when any check failed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const serverPath = process.argv[2];
const everythingPath = process.argv[3];
if (!serverPath) {
    console.error('usage: stdio_client.mjs <mcp-example>');
    process.exit(2);
}

let failed = 0;
function check(ok, name, detail) {
    if (ok) {
        console.log(`ok - ${name}`);
    } else {
        failed++;
        console.log(`not ok - ${name}${detail !== undefined ? ': ' + detail : ''}`);
    }
}
const show = (v) => JSON.stringify(v);

// Never hang: the whole run is bounded.
const watchdog = setTimeout(() => {
    console.log('not ok - stdio client finished within 20 s');
    process.exit(1);
}, 20000);

const stderrChunks = [];
const transport = new StdioClientTransport({ command: serverPath, args: [], stderr: 'pipe' });
transport.stderr?.on('data', (d) => stderrChunks.push(d));
const client = new Client({ name: 'libmcp-stdio-interop', version: '1.0.0' }, { capabilities: {} });
const sdkErrors = [];
client.onerror = (e) => sdkErrors.push(String(e && e.message || e));

// Tap what the official client's transport hands to the SDK, in order.
function tapTransport(t) {
    const wire = [];
    const inner = t.onmessage;
    t.onmessage = (m, extra) => { wire.push(m); return inner(m, extra); };
    const send = t.send.bind(t);
    const sent = [];
    t.send = (m, o) => { sent.push(m); return send(m, o); };
    return { wire, sent };
}

try {
    await client.connect(transport);
    const tap = tapTransport(transport);
    const info = client.getServerVersion();
    check(info && info.name === 'mcp-example', 'initialize: serverInfo.name is mcp-example', show(info));
    const caps = client.getServerCapabilities();
    check(caps && caps.tools, 'initialize: server declares the tools capability', show(caps));

    const listed = await client.listTools();
    const names = listed.tools.map((t) => t.name).sort();
    check(show(names) === show(['add', 'echo']), 'tools/list returns echo and add', show(names));
    const add = listed.tools.find((t) => t.name === 'add');
    check(add && add.outputSchema && add.outputSchema.properties && add.outputSchema.properties.sum,
        'tools/list: add carries its outputSchema', show(add));
    const echoTool = listed.tools.find((t) => t.name === 'echo');
    check(echoTool && echoTool.inputSchema && show(echoTool.inputSchema.required) === '["text"]',
        'tools/list: echo inputSchema requires text', show(echoTool));

    const echoed = await client.callTool({ name: 'echo', arguments: { text: 'hello "stdio"\nline two é' } });
    check(!echoed.isError && echoed.content?.[0]?.type === 'text' &&
        echoed.content[0].text === 'hello "stdio"\nline two é',
        'tools/call echo returns the text unchanged (quotes, newline, UTF-8)', show(echoed));

    // The SDK validates structuredContent against add's outputSchema itself.
    const progress = [];
    const errorsBefore = sdkErrors.length;
    const sum = await client.callTool({ name: 'add', arguments: { a: 2, b: 40.5 } }, undefined, {
        onprogress: (p) => progress.push(p),
    });
    await new Promise((r) => setTimeout(r, 50));     // let deferred notification handlers run
    check(!sum.isError && sum.structuredContent && sum.structuredContent.sum === 42.5,
        'tools/call add returns structuredContent {sum: 42.5}', show(sum));
    check(Array.isArray(sum.content) && sum.content.some((c) => c.type === 'text' && JSON.parse(c.text).sum === 42.5),
        'tools/call add also returns the result as text content', show(sum.content));
    const req = tap.sent.find((m) => m.method === 'tools/call' && m.params?.name === 'add');
    const token = req?.params?._meta?.progressToken;
    check(token !== undefined, 'the SDK sent a progressToken with onprogress set', show(req));
    const respIdx = tap.wire.findIndex((m) => m.id === req?.id && 'result' in m);
    const onWire = tap.wire.filter((m, i) => m.method === 'notifications/progress' &&
        m.params?.progressToken === token && i < respIdx);
    check(onWire.length === 2, 'add with a progress token: the client received 2 progress notifications before the result',
        show(tap.wire.slice(0, respIdx + 1)));
    check(onWire.length === 2 && onWire[0].params.progress === 1 && onWire[1].params.progress === 2 &&
        onWire.every((n) => n.params.total === 2),
        'progress notifications count up 1/2, 2/2 with total 2', show(onWire));
    const lateRace = sdkErrors.slice(errorsBefore).filter((e) => /progress notification for an unknown token/.test(e));
    check(progress.length + lateRace.length === 2 && progress.every((p, i) => p.progress === i + 1),
        `every progress notification reached the SDK's progress dispatch (onprogress ${progress.length}, ` +
        `dropped by SDK race #2580 ${lateRace.length})`, show({ progress, lateRace }));

    const wireBefore = tap.wire.length;
    const plain = await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } });
    const req2 = tap.sent[tap.sent.length - 1];
    const after = tap.wire.slice(wireBefore);
    check(plain.structuredContent?.sum === 2 && req2?.params?._meta?.progressToken === undefined &&
        after.length === 1 && after[0].id === req2.id,
        'add without a progress token: only the result, no progress notifications', show(after));

    const bad = await client.callTool({ name: 'echo', arguments: { text: 7 } });
    const badText = (bad.content || []).map((c) => c.text || '').join(' ');
    check(bad.isError === true && /text/.test(badText),
        'echo with a number for text: isError result naming the field', show(bad));

    const missing = await client.callTool({ name: 'add', arguments: { a: 1 } });
    const missingText = (missing.content || []).map((c) => c.text || '').join(' ');
    check(missing.isError === true && /\bb\b/.test(missingText),
        'add without b: isError result naming b', show(missing));

    let unknownErr = null, unknownRes = null;
    try {
        unknownRes = await client.callTool({ name: 'no_such_tool', arguments: {} });
    } catch (e) {
        unknownErr = e;
    }
    check((unknownErr && unknownErr.code === -32602) || (unknownRes && unknownRes.isError === true),
        'unknown tool: -32602 error or isError result', show(unknownErr ? { code: unknownErr.code, message: unknownErr.message } : unknownRes));

    const pong = await client.ping();
    check(pong && typeof pong === 'object', 'ping answers with an empty result', show(pong));

    const others = sdkErrors.filter((e) => !/progress notification for an unknown token/.test(e));
    check(others.length === 0, 'the SDK reported no protocol errors', show(others));

    // Closing stdin must make the server exit promptly with status 0.
    const pid = transport.pid;
    const exited = new Promise((resolve) => {
        transport._process?.once('exit', (code, signal) => resolve({ code, signal }));
    });
    transport._process?.stdin?.end();
    const result = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 3000))]);
    check(result && result.code === 0 && result.signal === null,
        `server (pid ${pid}) exits 0 within 3 s after stdin EOF`, show(result));
    await client.close();
} catch (e) {
    check(false, 'no exception in the stdio client session', e && (e.stack || e.message || String(e)));
    try { await client.close(); } catch { /* ignore */ }
}

// onprogress end to end, with progress steps 50 ms apart (mcp-everything).
if (everythingPath) {
    const t2 = new StdioClientTransport({ command: everythingPath, args: ['--transport', 'stdio'], stderr: 'pipe' });
    const c2 = new Client({ name: 'libmcp-stdio-interop', version: '1.0.0' }, { capabilities: {} });
    try {
        await c2.connect(t2);
        const seen = [];
        const r = await c2.callTool({ name: 'test_tool_with_progress', arguments: {} }, undefined, {
            onprogress: (p) => seen.push(p),
        });
        await new Promise((res) => setTimeout(res, 50));
        check(r.content?.[0]?.text === 'Progress tool completed', 'mcp-everything (stdio): test_tool_with_progress result', show(r));
        // The steps 0 and 50 arrive 50 ms before the result; 100 may race with it (#2580).
        check(seen.length >= 2 && seen[0].progress === 0 && seen[1].progress === 50 && seen.every((p) => p.total === 100),
            'mcp-everything (stdio): onprogress called for progress 0 and 50 of 100', show(seen));
        await c2.close();
    } catch (e) {
        check(false, 'no exception in the mcp-everything stdio session', e && (e.stack || e.message || String(e)));
        try { await c2.close(); } catch { /* ignore */ }
    }
}

const stderrText = Buffer.concat(stderrChunks).toString('utf8');
if (failed && stderrText) console.log('# server stderr:\n# ' + stderrText.split('\n').join('\n# '));
clearTimeout(watchdog);
process.exit(failed ? 1 : 0);
