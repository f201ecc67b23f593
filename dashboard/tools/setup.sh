#!/usr/bin/env bash
# Installs the dashboard's pinned browser libraries (Chart.js) from npm with `npm ci` (package-lock.json)
# and copies the files the page loads into the jar's resources (target/classes/.../web/vendor/).
# Idempotent: runs `npm ci` only when node_modules is missing or the lockfile changed (a sha256 stamp).
# Run by Maven at generate-resources; the jar then serves everything itself: no network at run time.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
stamp="node_modules/.zkm-lock.sha256"
want="$(sha256sum package-lock.json | cut -d' ' -f1)"
have="$(cat "$stamp" 2>/dev/null || true)"
if [[ "$want" != "$have" || ! -f node_modules/chart.js/dist/chart.umd.js ]]; then
  echo "dashboard: installing the pinned browser libraries (npm ci)" >&2
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error >&2
  echo "$want" > "$stamp"
fi
vendor="target/classes/io/zkmargin/dashboard/web/vendor"
mkdir -p "$vendor"
cp node_modules/chart.js/dist/chart.umd.js "$vendor/chart.umd.js"
cp node_modules/chart.js/LICENSE.md "$vendor/chart.js.LICENSE.md"
