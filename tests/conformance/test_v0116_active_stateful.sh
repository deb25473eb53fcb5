#!/usr/bin/env bash
# Conformance 0.1.16, default (active) suite, against mcp-everything in stateful mode: every check passes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/run_suite.sh" --mode stateful --version 0.1.16 --expect-total 40 0
