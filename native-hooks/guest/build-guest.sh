#!/bin/bash
# ReplayDesk demo guest builder. Licensed under the Apache License, Version 2.0.
#
# Usage: build-guest.sh OUTDIR
# Produces OUTDIR/{vmlinuz,initrd.gz,video.raw,guest.properties}.
#
# Inputs: the Debian kernel package that linux-image-amd64 depends on (or $RD_KERNEL_PACKAGE), the installed
# busybox-static, the C sources in src/, rootfs/ and tools/. The result is cached under
# ${RD_GUEST_CACHE:-$HOME/.cache/replaydesk/guest}/<sha256 of all inputs>/, so an unchanged rebuild only copies.
# The initramfs is reproducible: same inputs -> byte-identical initrd.gz.
#
# Environment:
#   RD_KERNEL_PACKAGE   kernel package (default: the dependency of linux-image-amd64)
#   RD_GUEST_CACHE      cache directory
#   RD_VIDEO_FRAMES     frames in video.raw (default 48)
#   SOURCE_DATE_EPOCH   mtime of all initramfs entries (default 1700000000)
#   RD_GUEST_REBUILD=1  ignore the cache entry for the current key
set -euo pipefail

PROTOCOL_VERSION=1
WORKLOADS="idle anim video type net cpu"
# kernel modules per group, loaded on demand by rdctl (dependencies are added automatically)
MODULES_disk="virtio_pci virtio_blk"
# 8139cp/8139too drive QEMU's rtl8139, the NIC ReplayDesk gives VMs: recordings of its traffic replay, also from
# snapshots (benchmarks/network_replay_bench.py). e1000 (diverges after loadvm) and virtio-net (its traffic does
# not replay) stay for comparison.
MODULES_net="e1000 virtio_pci virtio_net 8139cp 8139too"
# optional module parameters, e.g. MODPARAMS_e1000="InterruptThrottleRate=0" (written into <group>.order)

die() { echo "build-guest: error: $*" >&2; exit 1; }
log() { echo "build-guest: $*" >&2; }

[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
OUTDIR=$1
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${RD_GUEST_CACHE:-$HOME/.cache/replaydesk/guest}
FRAMES=${RD_VIDEO_FRAMES:-48}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
BUSYBOX=/bin/busybox
[[ $FRAMES =~ ^[0-9]+$ ]] && [ "$FRAMES" -gt 0 ] || die "RD_VIDEO_FRAMES must be a positive number"

# ---- tool check: print the exact apt-get line for whatever is missing ----
missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_cmd gcc gcc
need_cmd python3 python3
need_cmd apt-get apt
need_cmd apt-cache apt
need_cmd dpkg-deb dpkg
need_cmd gzip gzip
need_cmd sha256sum coreutils
need_cmd tar tar
[ -x "$BUSYBOX" ] && "$BUSYBOX" --list 2>/dev/null | grep -qx wget || missing+=(busybox-static)
LIBC_A=$(gcc -print-file-name=libc.a 2>/dev/null || true)
[ -n "$LIBC_A" ] && [ -f "$LIBC_A" ] || missing+=(libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "build-guest: missing build dependencies. Install them with:" >&2
  echo "  apt-get install -y ${missing[*]}" >&2
  exit 1
fi

# ---- resolve versions (cheap) ----
# apt-cache is slow (~1.5 s per call without pkgcache.bin), so the resolution is memoised per state of the
# apt lists; "apt-get update" or another RD_KERNEL_PACKAGE invalidates it.
mkdir -p "$CACHE"
APTSTATE=$( { echo "pkg=${RD_KERNEL_PACKAGE:-}"; stat -c '%n %s %Y' /var/lib/apt/lists/* /etc/apt/sources.list* \
  /etc/apt/sources.list.d/* 2>/dev/null; } | sha256sum | cut -c1-32)
MEMO=$CACHE/.kernel-$APTSTATE
if [ -s "$MEMO" ]; then
  read -r KPKG KVER < "$MEMO"
else
  KPKG=${RD_KERNEL_PACKAGE:-}
  if [ -z "$KPKG" ]; then
    KPKG=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '$1=="Depends:" && $2 ~ /^linux-image-/ {print $2; exit}')
    [ -n "$KPKG" ] || die "cannot resolve the kernel package behind linux-image-amd64; run: apt-get update (or set RD_KERNEL_PACKAGE)"
  fi
  KVER=$(apt-cache show --no-all-versions "$KPKG" 2>/dev/null | awk '$1=="Version:" {print $2; exit}')
  [ -n "$KVER" ] || die "kernel package $KPKG is unknown to apt; run: apt-get update (or fix RD_KERNEL_PACKAGE)"
  echo "$KPKG $KVER" > "$MEMO.tmp.$$" && mv -f "$MEMO.tmp.$$" "$MEMO"
fi
BBVER=$(dpkg-query -W -f '${Version}' busybox-static 2>/dev/null || true)
[ -n "$BBVER" ] || BBVER=unknown
BBSHA=$(sha256sum "$BUSYBOX" | cut -d' ' -f1)
GCCVER=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)
LIBCVER=$(dpkg-query -W -f '${Version}' libc6-dev 2>/dev/null || echo unknown)

# ---- cache key = sha256 over every input ----
KEY=$(
  {
    cd "$HERE"
    find build-guest.sh src rootfs tools -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    find rootfs -type f -perm -u+x | LC_ALL=C sort
    echo "kernel=$KPKG=$KVER"
    echo "busybox=$BBVER $BBSHA"
    echo "gcc=$GCCVER libc=$LIBCVER"
    echo "frames=$FRAMES epoch=$SOURCE_DATE_EPOCH"
  } | sha256sum | cut -c1-32
)
ENTRY=$CACHE/$KEY

out_current() { # OUTDIR already holds this cache entry?
  [ -f "$OUTDIR/guest.properties" ] && cmp -s "$ENTRY/guest.properties" "$OUTDIR/guest.properties" || return 1
  local f
  for f in vmlinuz initrd.gz video.raw; do
    [ -f "$OUTDIR/$f" ] && [ "$(stat -c %s "$OUTDIR/$f")" = "$(stat -c %s "$ENTRY/$f")" ] || return 1
  done
}
install_out() {
  mkdir -p "$OUTDIR"
  if out_current; then
    log "up to date: $OUTDIR (key $KEY)"
    return
  fi
  for f in vmlinuz initrd.gz video.raw guest.properties; do
    rm -f "$OUTDIR/$f.tmp"
    cp --reflink=auto "$ENTRY/$f" "$OUTDIR/$f.tmp"
    mv -f "$OUTDIR/$f.tmp" "$OUTDIR/$f"
  done
  log "installed guest $KEY into $OUTDIR"
}

if [ -f "$ENTRY/complete" ] && [ "${RD_GUEST_REBUILD:-0}" != 1 ]; then
  install_out
  exit 0
fi

# ---- full build ----
log "building guest (key $KEY, kernel $KPKG $KVER, busybox $BBVER)"
mkdir -p "$CACHE"
WORK=$(mktemp -d "$CACHE/.build-$KEY.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# kernel package: downloaded once per version into $CACHE/debs
DEBDIR=$CACHE/debs
mkdir -p "$DEBDIR"
DEB=$(ls "$DEBDIR/${KPKG}_"*.deb 2>/dev/null | while read -r d; do
  [ "$(dpkg-deb -f "$d" Version)" = "$KVER" ] && echo "$d"; done | head -n1 || true)
if [ -z "$DEB" ]; then
  log "downloading $KPKG=$KVER"
  (cd "$WORK" && apt-get download "$KPKG=$KVER" >&2 2>"$WORK/apt.err") ||
    { cat "$WORK/apt.err" >&2; die "apt-get download $KPKG=$KVER failed (network? apt-get update?)"; }
  d=$(ls "$WORK"/*.deb)
  mv "$d" "$DEBDIR/"
  DEB=$DEBDIR/$(basename "$d")
fi
KX=$WORK/kernel
mkdir -p "$KX"
dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$KX" --wildcards './boot/*' './lib/modules/*' 2>/dev/null ||
  dpkg-deb -x "$DEB" "$KX"
VMLINUZ=$(ls "$KX"/boot/vmlinuz-* 2>/dev/null | head -n1)
KCONFIG=$(ls "$KX"/boot/config-* 2>/dev/null | head -n1)
[ -n "$VMLINUZ" ] || die "no /boot/vmlinuz-* in $DEB"
[ -n "$KCONFIG" ] || die "no /boot/config-* in $DEB"
MODDIR=$(ls -d "$KX"/lib/modules/*/ 2>/dev/null | head -n1)
KRELEASE=$(basename "$MODDIR")
for opt in FB_VESA FRAMEBUFFER_CONSOLE SERIAL_8250_CONSOLE BLK_DEV_INITRD RD_GZIP DEVTMPFS; do
  grep -q "^CONFIG_$opt=y" "$KCONFIG" || die "kernel $KPKG lacks CONFIG_$opt=y (needed by the guest)"
done

STAGE=$WORK/root
mkdir -p "$STAGE"/{bin,dev,proc,sys,tmp,root,etc/rd,lib/modules,usr,run}

# modules: resolve the file of a module name, its "depends=" from .modinfo, decompress .ko.xz/.ko.zst/.ko.gz
declare -A MODFILE=() DONE=()
while IFS= read -r f; do
  b=$(basename "$f"); b=${b%%.ko*}; MODFILE[${b//-/_}]=$f
done < <(find "$MODDIR" -name '*.ko*' -type f)
ko_cat() {
  case $1 in
    *.ko) cat "$1" ;;
    *.ko.xz) command -v xz >/dev/null || { echo "  apt-get install -y xz-utils" >&2; exit 1; }; xz -dc "$1" ;;
    *.ko.zst) command -v zstd >/dev/null || { echo "  apt-get install -y zstd" >&2; exit 1; }; zstd -qdc "$1" ;;
    *.ko.gz) gzip -dc "$1" ;;
    *) die "unknown module format: $1" ;;
  esac
}
builtin_mod() { # module built into the kernel? (CONFIG_*=y or listed in modules.builtin)
  grep -qE "/${1//_/[-_]}\.ko$" "$MODDIR/modules.builtin" 2>/dev/null
}
ORDER=()
add_module() {
  local m=${1//-/_}
  [ -n "${DONE[$m]:-}" ] && return 0
  DONE[$m]=1
  if [ -z "${MODFILE[$m]:-}" ]; then
    builtin_mod "$m" && return 0
    die "kernel module $m not found in $KPKG (and not built in)"
  fi
  local f=${MODFILE[$m]} deps d
  ko_cat "$f" > "$STAGE/lib/modules/$m.ko"
  deps=$(tr '\0' '\n' < "$STAGE/lib/modules/$m.ko" | sed -n 's/^depends=//p' | head -n1)
  for d in ${deps//,/ }; do add_module "$d"; done
  local pv=MODPARAMS_$m
  ORDER+=("$m.ko${!pv:+ ${!pv}}")
}
for group in disk net; do
  var=MODULES_$group
  ORDER=()
  for m in ${!var}; do
    if builtin_mod "$m" || grep -q "^CONFIG_$(echo "$m" | tr a-z A-Z)=y" "$KCONFIG"; then continue; fi
    add_module "$m"
  done
  printf '%s\n' "${ORDER[@]+"${ORDER[@]}"}" > "$STAGE/lib/modules/$group.order"
  DONE=()
  log "modules[$group]: $(paste -sd' ' "$STAGE/lib/modules/$group.order")"
done

# guest programs
CFLAGS="-static -O2 -Wall -Wextra -s -ffile-prefix-map=$HERE=."
for p in rdctl anim video cpu; do
  gcc $CFLAGS -o "$STAGE/bin/$p" "$HERE/src/$p.c" 2> "$WORK/gcc.log" || { cat "$WORK/gcc.log" >&2; die "compiling $p.c failed"; }
  if [ -s "$WORK/gcc.log" ]; then cat "$WORK/gcc.log" >&2; die "warnings while compiling $p.c"; fi
done

# busybox + applet links
cp "$BUSYBOX" "$STAGE/bin/busybox"
for a in $("$BUSYBOX" --list); do
  [ "$a" = busybox ] || [ -e "$STAGE/bin/$a" ] || ln -s busybox "$STAGE/bin/$a"
done
ln -s bin "$STAGE/sbin"
ln -s ../bin "$STAGE/usr/bin"
ln -s ../bin "$STAGE/usr/sbin"

# rootfs files
cp -R "$HERE/rootfs/." "$STAGE/"
{
  echo "protocol=$PROTOCOL_VERSION"
  echo "workloads=$WORKLOADS"
  echo "kernel=$KPKG $KVER"
  echo "busybox=$BBVER"
} > "$STAGE/etc/rd/version"

# initramfs (reproducible: sorted names, fixed mtime, root ownership, gzip -n)
python3 "$HERE/tools/mkcpio.py" "$STAGE" dev/console:c:5:1:600 > "$WORK/initrd.cpio"
gzip -n -9 < "$WORK/initrd.cpio" > "$WORK/initrd.gz"
cp "$VMLINUZ" "$WORK/vmlinuz"

# video disk
gcc -O2 -Wall -Wextra -o "$WORK/gen-video" "$HERE/tools/gen-video.c"
"$WORK/gen-video" "$WORK/video.raw" "$FRAMES"

sha() { sha256sum "$1" | cut -d' ' -f1; }
{
  echo "# ReplayDesk demo guest, generated by native-hooks/guest/build-guest.sh"
  echo "guest.key=$KEY"
  echo "kernel.package=$KPKG"
  echo "kernel.version=$KVER"
  echo "kernel.release=$KRELEASE"
  echo "busybox.version=$BBVER"
  echo "serial.protocol.version=$PROTOCOL_VERSION"
  echo "workloads=${WORKLOADS// /,}"
  echo "kernel.append=console=ttyS0 vga=0x312 quiet rd.wl=idle"
  echo "video.frames=$FRAMES"
  echo "video.frame.format=640x480 RGB888, 921600 bytes per frame, no header"
  echo "modules.disk=$(cut -d' ' -f1 "$STAGE/lib/modules/disk.order" | paste -sd,)"
  echo "modules.net=$(cut -d' ' -f1 "$STAGE/lib/modules/net.order" | paste -sd,)"
  for f in vmlinuz initrd.gz video.raw; do
    echo "sha256.$f=$(sha "$WORK/$f")"
    echo "size.$f=$(stat -c %s "$WORK/$f")"
  done
} > "$WORK/guest.properties"

NEW=$WORK/entry
mkdir -p "$NEW"
mv "$WORK"/{vmlinuz,initrd.gz,video.raw,guest.properties} "$NEW/"
touch "$NEW/complete"
rm -rf "$ENTRY"
mv "$NEW" "$ENTRY"
log "cached in $ENTRY"
install_out
