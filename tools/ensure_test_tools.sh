#!/usr/bin/env bash
# What the tests need: from Debian, Chromium for the browser tests (Playwright's own browser
# download cannot work here), memcached (the rate-limit store shared by web processes) and npm;
# from npm, Prism and Twilio's OpenAPI spec, pinned in tools/prism/package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium fonts-noto-core"
command -v memcached >/dev/null 2>&1 || [ -x /usr/bin/memcached ] || need="$need memcached"
command -v npm >/dev/null 2>&1 || need="$need npm"
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing from Debian for the tests:$need"
    (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need) >/dev/null
  else
    echo "The tests need:$need. Run 'sudo apt-get install$need' and try again." >&2
    exit 1
  fi
fi
tools/ensure_letter_libs.sh
# Reinstalled whenever the lock file is newer than the install, so a changed pin is picked up.
spec=tools/prism/node_modules/@twilio/cli-core/src/services/twilio-api/twilio_api_v2010.json
stamp=tools/prism/node_modules/.package-lock.json
if [ ! -x tools/prism/node_modules/.bin/prism ] || [ ! -f "$spec" ] || [ tools/prism/package-lock.json -nt "$stamp" ]; then
  echo "Installing Prism and Twilio's OpenAPI spec into tools/prism/node_modules (npm ci)..."
  SCARF_ANALYTICS=false npm ci --prefix tools/prism --no-audit --no-fund --loglevel=error
fi
