// bench/schema/schema_ajv.mjs - the same measurement as schema_bench.c with
// ajv (bench/peers, pinned): compile/s and validate/s of the fixtures in DIR.
//   node schema_ajv.mjs DIR [SECONDS]   prints "name compile_per_s validate_per_s"
// Compiling removes the schema from ajv's cache each time, so every
// compile really compiles; validation reuses one compiled function. Rates
// are per second of process CPU time, as in schema_bench.c.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(new URL('../peers/package.json', import.meta.url));
const Ajv2020 = require('ajv/dist/2020').default;

const [dir, secondsArg] = process.argv.slice(2);
const seconds = Number(secondsArg) > 0 ? Number(secondsArg) : 3;
const ajv = new Ajv2020({ strict: false });

// Process CPU time (user + system, so JIT and GC threads count), in ms.
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

function rate(op) {
  let best = 0;
  for (let run = 0; run < 3; run++) {
    let ops = 0;
    const start = cpu(), end = start + (seconds / 3) * 1000;
    let t = start;
    while (t < end) {
      for (let k = 0; k < 64; k++) op();
      ops += 64;
      t = cpu();
    }
    best = Math.max(best, ops / ((t - start) / 1000));
  }
  return best;
}

for (const name of ['tool', 'doc']) {
  const schema = JSON.parse(readFileSync(`${dir}/${name}.schema.json`, 'utf8'));
  const instance = JSON.parse(readFileSync(`${dir}/${name}.instance.json`, 'utf8'));
  const validate = ajv.compile(schema);
  if (!validate(instance)) throw new Error(`${name}: fixture invalid for ajv: ${JSON.stringify(validate.errors)}`);
  ajv.removeSchema(schema);
  const compile = rate(() => { ajv.compile(schema); ajv.removeSchema(schema); });
  const check = rate(() => { if (!validate(instance)) throw new Error('invalid'); });
  console.log(`${name} ${compile.toFixed(0)} ${check.toFixed(0)}`);
}
