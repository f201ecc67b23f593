#!/usr/bin/env bash
# Installs the pinned contract toolchain (solcjs, forge, anvil) from npm with `npm ci` (package-lock.json).
# Idempotent: runs `npm ci` only when node_modules is missing or the lockfile changed since the last
# install (a sha256 stamp in node_modules); afterwards everything works offline.
# Prints the paths of the tools on success.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
stamp="node_modules/.zkm-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [[ "$want" != "$have" || ! -x node_modules/.bin/forge || ! -x node_modules/.bin/anvil || ! -f node_modules/solc/solc.js ]]; then
  echo "verifier-contracts: installing the pinned toolchain (npm ci)" >&2
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error >&2
  echo "$want" > "$stamp"
fi
chmod +x tools/solc
# Sanity: the binaries run on this machine.
node_modules/.bin/forge --version >/dev/null
node_modules/.bin/anvil --version >/dev/null
echo "forge=$here/node_modules/.bin/forge"
echo "anvil=$here/node_modules/.bin/anvil"
echo "solc=$here/tools/solc"
