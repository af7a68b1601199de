#!/usr/bin/env bash
# Installs the Debian packages ReplayDesk needs to build, run and test, when they are missing.
# As root it installs them with apt-get; otherwise it prints the exact apt-get line and fails.
set -euo pipefail

# name-of-a-file-the-package-provides:package
REQUIRED=(
  "/usr/bin/java:openjdk-17-jdk-headless"
  "/usr/bin/mvn:maven"
  "/usr/bin/gcc:gcc"
  "/usr/bin/make:make"
  "/usr/include/stdio.h:libc6-dev"
  "/usr/bin/qemu-system-x86_64:qemu-system-x86"
  "/usr/bin/qemu-img:qemu-utils"
  "/bin/busybox:busybox-static"
  "/usr/bin/cpio:cpio"
  "/usr/bin/python3:python3"
  "/usr/bin/tar:tar"
  "/usr/bin/gzip:gzip"
  "/usr/bin/gvnccapture:gvncviewer"
  "/usr/lib/x86_64-linux-gnu/libnss_wrapper.so:libnss-wrapper"
  "/usr/bin/fusermount3:fuse3"
  "/usr/include/fuse3/fuse_lowlevel.h:libfuse3-dev"
  "/usr/bin/pkg-config:pkg-config"
  # Real-viewer interop tests (display.vnc): TigerVNC's viewer on a virtual X server (captured from Xvfb's own
  # -fbdir screen file, so no xwd/ImageMagick), and noVNC in headless Chromium driven by playwright-core from npm
  # (scripts/npm-test-deps.sh). All run with --no-install-recommends: no fonts are needed, the page has no text.
  "/usr/bin/xtigervncviewer:tigervnc-viewer"
  "/usr/bin/Xvfb:xvfb"
  "/usr/bin/xdotool:xdotool"
  "/usr/bin/chromium:chromium"
  "/usr/bin/node:nodejs"
  # The sequence benchmark drives Karaf over SSH with a key (no JVM per shell command, unlike bin/client).
  "/usr/bin/ssh:openssh-client"
  "/usr/bin/npm:npm"
)

missing=()
for entry in "${REQUIRED[@]}"; do
  file=${entry%%:*}; pkg=${entry#*:}
  # busybox-static and busybox both provide /bin/busybox; the guest needs the static one.
  if [ "$pkg" = busybox-static ]; then
    dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    continue
  fi
  [ -e "$file" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "ReplayDesk needs these Debian packages. Install them as root with:" >&2
  echo "  apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "Installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# A package can install and still leave its program missing (a renamed binary, a diverted file): say which.
still_missing=()
for entry in "${REQUIRED[@]}"; do
  file=${entry%%:*}; pkg=${entry#*:}
  [ -e "$file" ] || still_missing+=("$file (from $pkg)")
done
if [ ${#still_missing[@]} -ne 0 ]; then
  echo "Installed, but still missing: ${still_missing[*]}" >&2
  exit 1
fi
