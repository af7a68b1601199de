#!/usr/bin/env bash
# Runs the whole ReplayDesk test suite: unit tests, golden-byte tests, interop tests against the
# real QEMU, and the integration tests that boot the Karaf distribution this build produces.
# Usage: ./test.sh [extra Maven arguments]
set -euo pipefail
cd "$(dirname "$0")"
scripts/packages.sh
# The demo guest's kernel comes from Debian's package lists: make sure apt has them.
if [ "$(id -u)" -eq 0 ] && [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
  apt-get update -qq
fi
exec mvn -B -ntp verify "$@"
