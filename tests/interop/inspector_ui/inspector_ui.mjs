// The MCP Inspector web UI (2.12.0, through its own backend proxy) driving
// todo-mcp in headless Chromium (Debian's /usr/bin/chromium, playwright-core;
// no downloaded browser). Steps: connect (Streamable HTTP), list tools,
// get_todo of an existing todo, get_todo of a missing one (tool error), the
// counter three times (stateful: 3). Each step prints PASS/FAIL; a failing
// step saves a screenshot in --dir and prints its path; a full pass saves
// --dir/inspector-pass.png.
//   node inspector_ui.mjs --url http://127.0.0.1:PORT/ --dir DIR --todo-id N --title T
import { chromium } from 'playwright-core';

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
let failed = 0;

const context = await chromium.launchPersistentContext(`${args.dir}/chromium-profile`, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 900 },
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
         '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const page = await context.newPage();
page.setDefaultTimeout(10000);

async function step(name, body) {
  try {
    await body();
    console.log(`PASS inspector-ui: ${name}`);
    return true;
  } catch (e) {
    failed++;
    const shot = `${args.dir}/fail-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}.png`;
    await page.screenshot({ path: shot, fullPage: true }).catch(() => {});
    console.log(`FAIL inspector-ui: ${name} -- ${String(e?.message ?? e).split('\n')[0]} (screenshot ${shot})`);
    return false;
  }
}

// The Results panel of the tool view, once it shows text matching re.
async function resultMatching(re) {
  await page.getByText('Results', { exact: true }).waitFor();
  await page.waitForFunction((src) => new RegExp(src).test(document.body.innerText), re.source);
}

// A result replaces the tool form; its close button (left of "Results")
// brings the form back.
async function closeResults() {
  const heading = page.getByText('Results', { exact: true });
  if (await heading.count()) await heading.locator('xpath=preceding-sibling::button[1]').click();
  await page.getByRole('button', { name: 'Execute Tool' }).waitFor();
}

async function runTool(name, fields = {}) {
  await page.getByText(name, { exact: true }).first().click();
  await closeResults();
  for (const [label, value] of Object.entries(fields)) {
    await page.getByRole('textbox', { name: new RegExp(`^${label}`) }).fill(String(value));
  }
  await page.getByRole('button', { name: 'Execute Tool' }).click();
}

const ok = await step('connect', async () => {
  await page.goto(args.url);
  await page.locator('.mantine-Switch-track').first().click();
  await page.getByText('Connected', { exact: true }).waitFor();
});
if (ok) {
  await step('list tools', async () => {
    await page.getByText('Tools', { exact: true }).first().click();
    await page.getByText('Tools (6)').waitFor();
    for (const t of ['get_todo', 'list_todos', 'create_todo', 'update_todo', 'delete_todo', 'counter']) {
      await page.getByText(t, { exact: true }).first().waitFor();
    }
  });
  await step('call get_todo', async () => {
    await runTool('get_todo', { id: args['todo-id'] });
    await resultMatching(new RegExp(args.title));
  });
  await step('tool error: get_todo of a missing todo', async () => {
    await runTool('get_todo', { id: 987654321 });
    await page.getByText('Tool Error').waitFor();
    await resultMatching(/WebAPI call failed: HTTP 404/);
  });
  await step('counter counts to 3 in the session', async () => {
    await page.getByText('counter', { exact: true }).first().click();
    for (const n of [1, 2, 3]) {
      await closeResults();
      await page.getByRole('button', { name: 'Execute Tool' }).click();
      await resultMatching(new RegExp(`"count":\\s*${n}\\b`));
    }
  });
}
if (!failed) {
  await page.screenshot({ path: `${args.dir}/inspector-pass.png`, fullPage: true });
  console.log(`INFO inspector-ui: passing screenshot ${args.dir}/inspector-pass.png`);
}
await context.close();
process.exit(failed ? 1 : 0);
