#!/usr/bin/env bash
# Letters are PDFs made by WeasyPrint, which needs Debian's Pango, and Noto fonts for Bengali and
# Arabic. Installs them when missing (as root), or says what to install.
set -euo pipefail
need=""
ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0 || need="$need libpango-1.0-0 libpangoft2-1.0-0"
[ -d /usr/share/fonts/truetype/noto ] || need="$need fonts-noto-core"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing from Debian for letters:$need"
  (apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $need) >/dev/null
else
  echo "Letters need:$need. Run 'sudo apt-get install$need' and try again." >&2
  exit 1
fi
