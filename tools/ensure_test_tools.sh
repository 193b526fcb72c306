#!/usr/bin/env bash
# What the tests need from Debian: Chromium for the browser tests (Playwright's own browser
# download cannot work here) and memcached, the rate-limit store shared by web processes.
set -euo pipefail
need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium fonts-noto-core"
command -v memcached >/dev/null 2>&1 || [ -x /usr/bin/memcached ] || need="$need memcached"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing from Debian for the tests:$need"
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need) >/dev/null
else
  echo "The tests need:$need. Run 'sudo apt-get install$need' and try again." >&2
  exit 1
fi
