#!/usr/bin/env bash
# A test starts its own redis-server on a free port to check the Redis job queue
# (REDIS_URL). Install Debian's redis-server when it is missing; do nothing otherwise.
# The package's own service is not used (and is not needed to be running).
set -euo pipefail
if command -v redis-server >/dev/null 2>&1; then
    exit 0
fi
echo "redis: redis-server is missing; installing Debian's redis-server" >&2
"$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" redis-server
