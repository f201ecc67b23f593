#!/usr/bin/env bash
# Makes sure the headless browser of the dashboard's browser tests is installed: Debian's chromium and
# chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver). Installs them with apt-get when they are
# missing and this runs as root (as CI does); otherwise says what is missing and exits 0 (the browser
# tests then skip outside CI and fail in CI).
set -euo pipefail
if [[ -x /usr/bin/chromium && -x /usr/bin/chromedriver ]]; then
  exit 0
fi
if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
  echo "dashboard: installing chromium and chromium-driver for the browser tests (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends chromium chromium-driver >&2
else
  echo "dashboard: /usr/bin/chromium or /usr/bin/chromedriver is missing; run as root:" \
    "apt-get install -y chromium chromium-driver (the browser tests skip without them)" >&2
fi
