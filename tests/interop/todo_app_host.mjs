// A minimal MCP Apps host around todo-mcp's todo list app, driven in
// headless Chromium (Debian's /usr/bin/chromium through playwright-core):
//   node todo_app_host.mjs --url MCP_URL --api TODO_API_URL --out DIR [--chromium PATH]
// 1. An MCP client (SDK v1, Streamable HTTP) reads tools/list; ext-apps'
//    getToolUiResourceUri finds list_todos' ui:// view; resources/read gives
//    its HTML (checked: text/html;profile=mcp-app).
// 2. The host page is built from what ext-apps ships for hosts: AppBridge +
//    PostMessageTransport from @modelcontextprotocol/ext-apps/app-bridge,
//    bundled for the browser here with rolldown (no CDN). AppBridge(null, ...)
//    forwards the app's tools/call and resources/read to the Node client
//    (page.exposeFunction), so the browser never talks HTTP to todo-mcp.
// 3. The view runs in <iframe sandbox="allow-scripts" srcdoc=...>, under the
//    host page's CSP (no network for the frame). The test clicks add,
//    complete and delete in the frame and sees each change through todo-api
//    (curl). Console errors and CSP violations fail the run.
// Screenshots: DIR/todo-app-pass.png (taken after add + complete) when the
// whole run passed, DIR/failure-*.png on any failure. Prints PASS/FAIL lines (todo_client.mjs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { rolldown } from 'rolldown';
import { getToolUiResourceUri } from '@modelcontextprotocol/ext-apps/app-bridge';

import { check, connect, failed, parseArgs, run } from './todo_client.mjs';

const args = parseArgs(process.argv.slice(2));
const label = 'todo app';
const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(args.out || '.');
fs.mkdirSync(out, { recursive: true });
const STEP_MS = 10_000;

function curlJson(url, ...extra) {
  const body = execFileSync('curl', ['-sS', '--max-time', '5', ...extra, url], { encoding: 'utf8' });
  return JSON.parse(body);
}
const apiTodos = () => curlJson(`${args.api}/todos`);

async function bundleBridge(dir) {
  const entry = path.join(dir, 'bridge-entry.mjs');
  fs.writeFileSync(entry, "export { AppBridge, PostMessageTransport } from '@modelcontextprotocol/ext-apps/app-bridge';\n");
  const bundle = await rolldown({ input: entry, platform: 'browser', logLevel: 'silent',
                                  resolve: { modules: [path.join(here, 'node_modules')] } });
  const file = path.join(dir, 'bridge.js');
  await bundle.write({ file, format: 'esm' });
  await bundle.close();
  return fs.readFileSync(file);
}

const HOST_CSP = "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; " +
                 "img-src data:; connect-src 'none'; frame-src 'self'; base-uri 'none'; form-action 'none'";

const HOST_PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>libmcp test host</title></head>
<body style="margin:0;font:14px system-ui">
<div style="padding:6px 10px;background:#eee">libmcp test host: <span id="host-state">starting</span></div>
<iframe id="app" sandbox="allow-scripts" style="width:100%;height:420px;border:1px solid #999"></iframe>
<script type="module">
import { AppBridge, PostMessageTransport } from '/bridge.js';
window.hostLog = [];
window.startApp = async (html, toolResult) => {
  const iframe = document.getElementById('app');
  const bridge = new AppBridge(null, { name: 'libmcp-test-host', version: '1.0.0' },
                               { serverTools: {}, serverResources: {}, logging: {} });
  bridge.oncalltool = async (params) => { window.hostLog.push('tools/call ' + params.name); return window.hostCallTool(params); };
  bridge.onreadresource = async (params) => { window.hostLog.push('resources/read ' + params.uri); return window.hostReadResource(params); };
  bridge.onloggingmessage = (params) => window.hostLog.push('log ' + JSON.stringify(params));
  bridge.onsizechange = () => {};
  bridge.oninitialized = async () => {
    window.hostLog.push('initialized');
    await bridge.sendToolInput({ arguments: {} });
    await bridge.sendToolResult(toolResult);
    document.getElementById('host-state').textContent = 'app initialized';
  };
  await bridge.connect(new PostMessageTransport(iframe.contentWindow, iframe.contentWindow));
  iframe.srcdoc = html;
};
document.getElementById('host-state').textContent = 'ready';
</script></body></html>`;

function serveHost(bridgeJs) {
  const server = http.createServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': HOST_CSP });
      res.end(HOST_PAGE);
    } else if (req.url === '/bridge.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(bridgeJs);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'todo-app-host-'));
  const mcp = await connect({ sdk: 'v1', url: args.url, name: 'todo-app-host' });
  let context;
  let server;
  let page;
  let shot = 0;
  const failShot = async (what) => {
    if (!page) return;
    const file = path.join(out, `failure-${++shot}-${what.replace(/[^a-z0-9]+/gi, '-')}.png`);
    await page.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.log(`screenshot of the failure: ${file}`);
  };
  // The view paints in its own (sandboxed) frame: wait until that frame has
  // produced a frame of its own, then shoot the page with it.
  const passShot = async (file) => {
    await app.locator('body').evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: file, fullPage: true });
  };
  let app;
  const step = async (name, fn) => {
    let ok = false;
    let detail = '';
    try {
      ok = (await fn()) !== false;
    } catch (e) {
      detail = e?.message || String(e);
    }
    if (!check(label, name, ok, detail)) await failShot(name);
    return ok;
  };
  try {
    // 1. Discovery through the real MCP client.
    const { tools } = await mcp.client.listTools();
    const list = tools.find((t) => t.name === 'list_todos');
    const uiUri = list && getToolUiResourceUri(list);
    check(label, 'list_todos links its ui:// view (ext-apps getToolUiResourceUri)',
          uiUri === 'ui://todo-mcp/todo-list.html', JSON.stringify(list?._meta));
    check(label, 'the flat ui/resourceUri key is sent too', list?._meta?.['ui/resourceUri'] === uiUri);
    const read = await mcp.client.readResource({ uri: uiUri });
    const content = read.contents?.[0] || {};
    check(label, 'the view is text/html;profile=mcp-app', content.mimeType === 'text/html;profile=mcp-app',
          content.mimeType);
    check(label, 'the view carries _meta.ui on its content', content._meta?.ui?.prefersBorder === true,
          JSON.stringify(content._meta));
    const initial = await mcp.client.callTool({ name: 'list_todos', arguments: {} });

    // 2. The host page in Chromium.
    server = await serveHost(await bundleBridge(tmp));
    const hostUrl = `http://127.0.0.1:${server.address().port}/`;
    context = await chromium.launchPersistentContext(path.join(tmp, 'profile'), {
      executablePath: args.chromium || '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
             '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 640, height: 480 },
    });
    const problems = [];
    context.on('console', (msg) => {
      const text = msg.text();
      if (msg.type() === 'error' || /Content Security Policy/i.test(text)) problems.push(`${msg.type()}: ${text}`);
    });
    context.on('weberror', (err) => problems.push(`page error: ${err.error()?.message}`));
    page = context.pages()[0] || await context.newPage();
    await page.exposeFunction('hostCallTool', (params) => mcp.client.callTool(params));
    await page.exposeFunction('hostReadResource', (params) => mcp.client.readResource(params));
    await page.goto(hostUrl);
    await page.waitForFunction(() => typeof window.startApp === 'function', null, { timeout: STEP_MS });
    await page.evaluate(([html, result]) => window.startApp(html, result), [content.text, initial]);
    app = page.frameLocator('#app');

    await step('the app initializes over the bridge (ui/initialize, initialized)', async () => {
      await page.waitForFunction(() => window.hostLog.includes('initialized'), null, { timeout: STEP_MS });
    });
    await step('the app lists the todos from todo-api', async () => {
      await app.locator('li', { hasText: 'water the plants' }).waitFor({ timeout: STEP_MS });
    });

    // 3. Add, complete, delete: each click is a tools/call through the host; todo-api must see it.
    const title = `buy oat milk ${process.pid}`;
    let id;
    await step('clicking Add creates the todo (seen in todo-api)', async () => {
      await app.locator('#new-title').fill(title);
      await app.locator('#add').click();
      await app.locator('li', { hasText: title }).waitFor({ timeout: STEP_MS });
      const todo = apiTodos().find((t) => t.title === title);
      if (!todo) throw new Error('todo-api has no todo titled ' + title);
      id = todo.id;
      return todo.completed === false;
    });
    await step('clicking its checkbox completes it (seen in todo-api)', async () => {
      if (id === undefined) throw new Error('skipped: no todo was added');
      const item = app.locator(`li[data-id="${id}"]`);
      await item.locator('.toggle').check();
      await app.locator(`li.done[data-id="${id}"]`).waitFor({ timeout: STEP_MS });
      const todo = curlJson(`${args.api}/todos/${id}`);
      await passShot(path.join(tmp, 'pass.png'));   // kept if everything passes
      return todo.completed === true;
    });
    await step('clicking delete removes it (seen in todo-api)', async () => {
      if (id === undefined) throw new Error('skipped: no todo was added');
      await app.locator(`li[data-id="${id}"] .delete`).click();
      await app.locator(`li[data-id="${id}"]`).waitFor({ state: 'detached', timeout: STEP_MS });
      return !apiTodos().some((t) => t.id === id);
    });
    await step('the other todos are untouched', async () => {
      await app.locator('li', { hasText: 'water the plants' }).waitFor({ timeout: STEP_MS });
      return apiTodos().some((t) => t.title === 'water the plants');
    });
    const log = await page.evaluate(() => window.hostLog);
    check(label, 'every change went through tools/call on the bridge',
          ['create_todo', 'update_todo', 'delete_todo', 'list_todos'].every((n) => log.includes(`tools/call ${n}`)),
          log.join(', '));
    check(label, 'no console errors or CSP violations', problems.length === 0, problems.join(' | '));
    if (failed() === 0 && fs.existsSync(path.join(tmp, 'pass.png'))) {
      const file = path.join(out, 'todo-app-pass.png');
      fs.copyFileSync(path.join(tmp, 'pass.png'), file);
      console.log(`screenshot of the passing run (after add + complete): ${file}`);
    }
  } catch (e) {
    await failShot('unexpected-error');
    throw e;
  } finally {
    await context?.close().catch(() => {});
    server?.close();
    await mcp.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

run(label, main);
