// Drives tests/interop/browser/direct.html in the system's headless Chromium
// (playwright-core; never a downloaded browser): the page, served from its own
// loopback origin, runs the official MCP client straight against SERVER_URL.
//   node direct_client.mjs SERVER_URL MODE TODO_ID TODO_TITLE SHOT.png [PAGE_HOST]
// PAGE_HOST (default 127.0.0.1) names the page's origin; another name is
// mapped to 127.0.0.1 by Chromium, for a foreign-origin check. Prints one
// JSON line {steps:[...]} and exits 0 when every step passed; the screenshot
// is written either way.
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const [serverUrl, mode, todoId, todoTitle, shot, pageHost = '127.0.0.1'] = process.argv.slice(2);
const here = dirname(fileURLToPath(import.meta.url));
const nm = join(here, '..', 'node_modules');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json' };

const files = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  let file;
  if (path === '/' || path === '/direct.html') file = join(here, 'direct.html');
  else if (path.startsWith('/nm/')) file = normalize(join(nm, path.slice(4)));
  if (!file || !file.startsWith(here.replace(/browser$/, '')) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((ok) => files.listen(0, '127.0.0.1', ok));
const pagePort = files.address().port;

const profile = mkdtempSync(join(tmpdir(), 'libmcp-chromium-'));
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
if (pageHost !== '127.0.0.1') args.push(`--host-resolver-rules=MAP ${pageHost} 127.0.0.1`);
let result = { steps: [], error: null };
let ctx;
try {
  ctx = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args,
                                                          timeout: 30000 });
  const page = ctx.pages()[0] || await ctx.newPage();
  const console_ = [];
  page.on('console', (m) => console_.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => console_.push(`pageerror: ${e.message}`));
  const q = new URLSearchParams({ server: serverUrl, mode, todo: todoId, title: todoTitle });
  await page.goto(`http://${pageHost}:${pagePort}/direct.html?${q}`, { timeout: 20000 });
  await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30000 });
  result.steps = await page.evaluate(() => window.__result);
  result.console = console_.slice(0, 20);
  await page.screenshot({ path: shot, fullPage: true });
} catch (e) {
  result.error = String(e && e.message || e);
} finally {
  if (ctx) await ctx.close().catch(() => {});
  files.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
process.exit(!result.error && result.steps.length && result.steps.every((s) => s.ok) ? 0 : 1);
