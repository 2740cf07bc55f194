#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (Playwright cannot download its own here).
# Install it when /usr/bin/chromium is missing; do nothing otherwise.
set -euo pipefail
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ -x "$CHROMIUM" ]; then
    exit 0
fi
echo "chromium: $CHROMIUM is missing; installing Debian's chromium" >&2
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" chromium fonts-liberation
