#!/usr/bin/env bash
# Installs the npm packages the browser interop tests use (noVNC and playwright-core) into a cache folder outside
# the repository, and prints that folder (it holds node_modules/). Idempotent: a folder named after a hash of the
# pinned versions is reused as it is, so a second call costs a few milliseconds and needs no network.
#
#   scripts/npm-test-deps.sh            -> prints e.g. /root/.cache/replaydesk/npm-3f2a9c1b0d4e
#
# Exit status 1 with a message on stderr when npm is missing or the registry cannot be reached.
set -euo pipefail

# The pins. noVNC 1.7.0 is the first npm release that ships its ES modules (core/rfb.js); 1.6.0 has only a
# Babel-made CommonJS lib/ that a browser cannot import. playwright-core only drives an installed browser over the
# DevTools protocol and downloads nothing itself; 1.64.1 is the release built against Chromium 156, the version
# Debian 12 ships (newer releases may use protocol features that browser lacks).
PACKAGES=(
  "@novnc/novnc@1.7.0"
  "playwright-core@1.64.1"
)

if ! command -v npm >/dev/null 2>&1; then
  echo "npm-test-deps: npm is not installed; install Node.js 18+ with npm (Debian: apt-get install nodejs npm," \
       "or run scripts/packages.sh as root)" >&2
  exit 1
fi

hash=$(printf '%s\n' "${PACKAGES[@]}" | sha256sum | cut -c1-12)
cache_root=${REPLAYDESK_NPM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/replaydesk}
target="$cache_root/npm-$hash"

# The marker is written last, after a complete install: a folder without it is a crashed attempt.
if [ -f "$target/.complete" ]; then
  echo "$target"
  exit 0
fi

mkdir -p "$cache_root"
staging=$(mktemp -d "$cache_root/.npm-$hash.XXXXXX")
trap 'rm -rf "$staging"' EXIT
printf '{ "name": "replaydesk-test-deps", "private": true }\n' >"$staging/package.json"
if ! (cd "$staging" && npm install --no-audit --no-fund --no-save --loglevel=error "${PACKAGES[@]}" \
        >"$staging/npm.log" 2>&1); then
  echo "npm-test-deps: 'npm install ${PACKAGES[*]}' failed (offline, or no access to the npm registry?):" >&2
  tail -n 20 "$staging/npm.log" >&2
  exit 1
fi
touch "$staging/.complete"
rm -rf "$target"
# Two builds racing: whichever rename lands first wins; the loser's copy is identical and is discarded.
if ! mv -T "$staging" "$target" 2>/dev/null; then
  [ -f "$target/.complete" ] || { echo "npm-test-deps: cannot create $target" >&2; exit 1; }
fi
trap - EXIT
rm -rf "$staging"
echo "$target"
