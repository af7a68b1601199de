#!/bin/sh
# ReplayDesk demo guest workload "net": configure eth0 (QEMU user networking) and download a file forever.
# rdctl has already loaded the NIC drivers (rtl8139 for ReplayDesk VMs; e1000 and virtio-net also work).
# Usage: net.sh [URL]
# URL defaults to http://10.0.2.2:${rd.netport:-18080}${rd.netpath:-/workload.bin}.
# Licensed under the Apache License, Version 2.0.
url=$1
port=18080
path=/workload.bin
for a in $(cat /proc/cmdline); do
  case $a in
    rd.netport=*) port=${a#rd.netport=} ;;
    rd.netpath=*) path=${a#rd.netpath=} ;;
  esac
done
[ -n "$url" ] || url="http://10.0.2.2:$port$path"
say() { echo "net: $*"; echo "NET: $*" > /dev/ttyS0; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

echo "net: downloading $url repeatedly"
i=0
while ! ip link show eth0 >/dev/null 2>&1; do
  i=$((i + 1))
  if [ $i -gt 50 ]; then say "error no eth0 (does the VM have a NIC?)"; exec sleep 2147483647; fi
  sleep 0.1
done
ip link set eth0 up
ip addr flush dev eth0
ip addr add 10.0.2.15/24 dev eth0
ip route replace default via 10.0.2.2
say "eth0 10.0.2.15/24 gw 10.0.2.2 url $url"
n=0
while true; do
  n=$((n + 1))
  rm -f /tmp/dl.bin
  echo
  echo "net: download #$n"
  t0=$(uptime_s)
  if wget -O /tmp/dl.bin "$url"; then
    t1=$(uptime_s)
    bytes=$(wc -c < /tmp/dl.bin)
    md5=$(md5sum /tmp/dl.bin | cut -d' ' -f1)
    say "dl $n ok bytes=$bytes md5=$md5 secs=$(awk "BEGIN{printf \"%.2f\", $t1 - $t0}")"
    rm -f /tmp/dl.bin
    sleep 1
  else
    say "dl $n failed"
    rm -f /tmp/dl.bin
    sleep 3
  fi
done
