#!/usr/bin/env bash
# Conformance 0.1.16, --suite all (active + pending scenarios), against mcp-everything in stateful mode:
# every check passes. 46 rather than the reference server's 44: server-sse-polling also scores
# server-sse-priming-event and server-sse-retry-field, because libmcp primes every POST SSE stream
# (the reference skips priming for the 2025-03-26 header this scenario sends).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/run_suite.sh" --mode stateful --version 0.1.16 --suite all --expect-total 46 0
