#!/usr/bin/env bash
# The test command: every Java, Go and Solidity test of the reactor (small circuit sizes), on a fresh machine.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/tools/env.sh"
cd "$ROOT"
start=$(date +%s)
mvn -B -ntp install "$@"
echo "zkm: all tests passed in $(( $(date +%s) - start )) s"
