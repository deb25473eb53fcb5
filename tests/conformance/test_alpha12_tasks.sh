#!/usr/bin/env bash
# Conformance 0.2.0-alpha.12: every tasks-* scenario (extension
# io.modelcontextprotocol/tasks, SEP-2663; not scored by --requirements, so
# run one by one) against mcp-everything. Each must report exactly the
# number of checks below with 0 failed and 0 warnings: all ten in stateless
# mode, and the lifecycle and input scenarios again in stateful mode
# (modern requests are sessionless there too). tasks-status-notifications
# is a placeholder in this suite version (0 checks).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

declare -A want=(
  [tasks-lifecycle]=9 [tasks-capability-negotiation]=5 [tasks-wire-fields]=4
  [tasks-request-state-removal]=3 [tasks-mrtr-input]=4 [tasks-request-headers]=5
  [tasks-dispatch-and-envelope]=9 [tasks-status-notifications]=0
  [tasks-required-task-error]=3 [tasks-mrtr-composition]=2
)
order=(tasks-lifecycle tasks-capability-negotiation tasks-wire-fields tasks-request-state-removal
       tasks-mrtr-input tasks-request-headers tasks-dispatch-and-envelope tasks-status-notifications
       tasks-required-task-error tasks-mrtr-composition)

status=0
run() { # mode scenario
  local mode=$1 s=$2 out line n=${want[$2]}
  out=$(RUNNER_TIMEOUT=120 bash "$here/run_suite.sh" --version 0.2.0-alpha.12 --mode "$mode" -- --scenario "$s" 2>&1)
  line=$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*[A-Za-z]//g' | grep -E '^Passed: ' | tail -n 1)
  if [ "$line" = "Passed: $n/$n, 0 failed, 0 warnings" ]; then
    echo "test_alpha12_tasks: PASS $s ($mode): $line"
  else
    echo "test_alpha12_tasks: FAIL $s ($mode): ${line:-no result line} (want $n/$n, 0 failed)"
    printf '%s\n' "$out" | tail -n 40
    status=1
  fi
}

for s in "${order[@]}"; do run stateless "$s"; done
for s in tasks-lifecycle tasks-mrtr-input; do run stateful "$s"; done
exit "$status"
