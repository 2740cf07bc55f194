#!/usr/bin/env bash
# Install Debian packages non-interactively (root only). Refreshes the package lists
# first unless they were refreshed in the last hour, and waits for another apt/dpkg run
# (e.g. unattended upgrades) to release its lock instead of failing.
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
    echo "apt-install: need root to install: $*" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
APT=(apt-get -q -o DPkg::Lock::Timeout=900)
lists_fresh() {
    [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -mmin -60 -print -quit)" ]
}
if ! lists_fresh; then
    "${APT[@]}" update
fi
"${APT[@]}" install -y "$@"
