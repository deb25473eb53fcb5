#!/usr/bin/env bash
# Conformance 0.1.16, default (active) suite, against mcp-everything in stateless mode. The 4 scenarios
# that need a server->client back-channel fail (1 check each), so do resources-subscribe/unsubscribe
# (no session: no subscribe capability, -32601), and server-sse-multiple-streams only warns (no
# session id); expected-failures-stateless.yaml lists exactly those, so any other failure fails.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec bash "$here/run_suite.sh" --mode stateless --version 0.1.16 \
  --expected-failures "$here/expected-failures-stateless.yaml" --expect-total 24 6
