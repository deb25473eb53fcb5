#!/usr/bin/env bash
# Conformance 0.2.0-alpha.12, default (active) suite, against mcp-everything in stateful mode: every check passes.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/run_suite.sh" --mode stateful --version 0.2.0-alpha.12 --expect-total 73 0
