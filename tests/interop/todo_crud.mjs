// CRUD round trip through todo-mcp with one official client:
//   node todo_crud.mjs --label L --sdk v1|v2 [--era legacy|auto] --mode stateless|stateful
//                      (--url http://127.0.0.1:PORT/mcp | --stdio todo-mcp --transport stdio ...)
// v2 with --era auto must negotiate the modern (2026-07-28) era against stateless
// todo-mcp and fall back to initialize against stateful todo-mcp (its counter is
// session-scoped, so it offers only the legacy era); legacy otherwise.
// Checks the tool list (titles, annotations, output schemas, counter only when
// stateful), then create, get_todo, list_todos (with a filter), update_todo,
// the todo://todos/{id} resource, delete_todo, and that get_todo and the
// resource of the deleted todo fail ("WebAPI call failed…" / a JSON-RPC error).
import { check, connect, firstText, parseArgs, parseJson, run } from './todo_client.mjs';

const args = parseArgs(process.argv.slice(2));
const label = args.label || `${args.sdk}`;
const uncached = { cacheMode: 'bypass' };   // v2 caches resources/read; v1 ignores the option

async function checkTools(client) {
  const { tools } = await client.listTools();
  const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
  const crud = ['list_todos', 'create_todo', 'update_todo', 'delete_todo'];
  check(label, 'tools/list has get_todo and the CRUD tools',
        ['get_todo', ...crud].every((n) => byName[n]), Object.keys(byName).join(','));
  const get = byName.get_todo || {};
  check(label, 'get_todo title and description as in the seed',
        get.title === 'get_todo' && get.description === 'Retrieve one todo item'
        && get.inputSchema?.properties?.id?.type === 'number', JSON.stringify(get));
  check(label, 'CRUD tools have a title and an outputSchema',
        crud.every((n) => byName[n]?.title && byName[n]?.outputSchema?.type === 'object'));
  const ann = (n) => byName[n]?.annotations || {};
  check(label, 'annotations: reads read-only, delete destructive, all closed-world',
        ann('get_todo').readOnlyHint === true && ann('list_todos').readOnlyHint === true
        && ann('delete_todo').destructiveHint === true && ann('delete_todo').idempotentHint === true
        && ann('create_todo').readOnlyHint === false
        && [...crud, 'get_todo'].every((n) => ann(n).openWorldHint === false),
        JSON.stringify(crud.map(ann)));
  const wantCounter = args.mode === 'stateful';
  check(label, wantCounter ? 'counter listed (stateful)' : 'counter not listed (stateless)',
        Boolean(byName.counter) === wantCounter);
}

async function checkResource(client, todo) {
  const { resourceTemplates } = await client.listResourceTemplates();
  check(label, 'resource template todo://todos/{id} listed',
        resourceTemplates.some((t) => t.uriTemplate === 'todo://todos/{id}' && t.mimeType === 'application/json'));
  const uri = `todo://todos/${todo.id}`;
  const read = await client.readResource({ uri }, uncached);
  const item = read.contents?.[0] || {};
  check(label, 'resources/read todo://todos/{id} returns the todo',
        item.uri === uri && item.mimeType === 'application/json' && parseJson(item.text)?.id === todo.id,
        JSON.stringify(read));
}

async function crudRoundTrip(client) {
  const title = `buy milk (${label})`;
  const created = await client.callTool({ name: 'create_todo', arguments: { title } });
  const todo = created.structuredContent || {};
  check(label, 'create_todo returns the new todo as structuredContent',
        !created.isError && Number.isInteger(todo.id) && todo.title === title && todo.completed === false,
        JSON.stringify(created));

  const got = await client.callTool({ name: 'get_todo', arguments: { id: todo.id } });
  check(label, 'get_todo returns the todo as JSON text',
        !got.isError && parseJson(firstText(got))?.title === title, JSON.stringify(got));

  const listed = await client.callTool({ name: 'list_todos', arguments: { completed: false, limit: 1000 } });
  const todos = listed.structuredContent?.todos;
  check(label, 'list_todos {completed:false} includes it as {"todos":[...]}',
        !listed.isError && Array.isArray(todos) && todos.some((t) => t.id === todo.id), JSON.stringify(listed));

  const updated = await client.callTool({ name: 'update_todo', arguments: { id: todo.id, completed: true } });
  check(label, 'update_todo (PATCH) marks it completed, title kept',
        !updated.isError && updated.structuredContent?.completed === true
        && updated.structuredContent?.title === title, JSON.stringify(updated));

  const done = await client.callTool({ name: 'list_todos', arguments: { completed: false, limit: 1000 } });
  check(label, 'list_todos {completed:false} no longer includes it',
        !done.isError && !done.structuredContent?.todos?.some((t) => t.id === todo.id));

  await checkResource(client, todo);

  const deleted = await client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
  check(label, 'delete_todo reports {id, deleted:true}',
        !deleted.isError && deleted.structuredContent?.deleted === true
        && deleted.structuredContent?.id === todo.id, JSON.stringify(deleted));
  return todo;
}

async function checkDeleted(client, todo) {
  const gone = await client.callTool({ name: 'get_todo', arguments: { id: todo.id } });
  const text = firstText(gone);
  check(label, 'get_todo of the deleted todo is isError "WebAPI call failed: HTTP 404…"',
        gone.isError === true && text.startsWith('WebAPI call failed') && text.includes('404'), text);
  let error;
  try {
    await client.readResource({ uri: `todo://todos/${todo.id}` }, uncached);
  } catch (e) {
    error = e;
  }
  check(label, 'resources/read of the deleted todo is a JSON-RPC error',
        error !== undefined && /not found/i.test(String(error?.message)), String(error?.message));
}

run(label, async () => {
  const { client, sent, close } = await connect({ sdk: args.sdk, era: args.era, url: args.url, stdio: args.stdio });
  try {
    if (args.sdk === 'v2') {
      const version = client.getNegotiatedProtocolVersion();
      // Stateful todo-mcp holds a session-scoped tool (counter), so it offers
      // only the legacy era (mcp_server_set_eras): auto falls back to initialize.
      const wantModern = args.era === 'auto' && args.mode !== 'stateful';
      check(label, `negotiated the ${wantModern ? 'modern (2026-07-28)' : 'legacy'} era`,
            wantModern ? version === '2026-07-28' : version !== '2026-07-28', `${version}`);
    }
    await checkTools(client);
    const todo = await crudRoundTrip(client);
    await checkDeleted(client, todo);
    if (args.sdk === 'v2' && args.era === 'auto' && args.mode !== 'stateful')
      check(label, 'the modern session sent no initialize on the wire', !sent.includes('initialize'),
            `methods sent: ${[...new Set(sent)].join(', ')}`);
    if (args.sdk === 'v2' && args.era === 'auto' && args.mode === 'stateful')
      check(label, 'server/discover, then the fall back to initialize',
            sent.indexOf('server/discover') === 0 && sent.includes('initialize'), `methods sent: ${[...new Set(sent)].join(', ')}`);
  } finally {
    await close();
  }
});
