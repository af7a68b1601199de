#!/usr/bin/env bash
# ReplayDesk demo: sets up this machine, builds, unpacks and starts the distribution with all roles
# in one Karaf, and starts a recording demo desktop VM you can look at with a VNC viewer.
#
#   ./demo.sh              set up, build, start Karaf and the demo VM
#   ./demo.sh --no-build   same, reusing the distribution already built
#   ./demo.sh stop         stop Karaf (which stops every VM)
#
# REPLAYDESK_HOME (default: ./run/replaydesk) is where the distribution is unpacked; VM state
# lives in its data/ folder and survives restarts.
set -euo pipefail
cd "$(dirname "$0")"
repo=$PWD
home=${REPLAYDESK_HOME:-$repo/run/replaydesk}
export JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}

client() { # run shell commands in batch mode, one per line on stdin
  "$home/bin/client" -u karaf -p karaf -r 3 -b 2>&1 | grep -v 'JAVA_HOME not set'
}

if [ "${1:-}" = stop ]; then
  if [ -x "$home/bin/stop" ]; then
    "$home/bin/stop" 2>/dev/null || true
    for _ in $(seq 60); do "$home/bin/status" >/dev/null 2>&1 || break; sleep 1; done
    echo "ReplayDesk stopped."
  else
    echo "No ReplayDesk in $home."
  fi
  exit 0
fi

scripts/packages.sh
if [ "${1:-}" != --no-build ]; then
  echo "== Building (first build downloads Maven artifacts and the guest kernel; a few minutes)"
  mvn -B -ntp -q install -DskipTests
fi
dist=$(ls karaf-assembly/target/replaydesk-karaf-assembly-*.tar.gz 2>/dev/null | head -1)
[ -n "$dist" ] || { echo "No distribution in karaf-assembly/target: run ./demo.sh without --no-build" >&2; exit 1; }

if [ -x "$home/bin/status" ] && "$home/bin/status" >/dev/null 2>&1; then
  echo "== Stopping the running ReplayDesk in $home"
  "$home/bin/stop" || true
  for _ in $(seq 60); do "$home/bin/status" >/dev/null 2>&1 || break; sleep 1; done
fi
echo "== Unpacking $dist into $home (VM state in $home/data/replaydesk is kept)"
mkdir -p "$home"
# Karaf's bundle cache (data/cache) would keep the previous build's bundles: only the VM state survives.
if [ -d "$home/data" ]; then
  find "$home/data" -mindepth 1 -maxdepth 1 ! -name replaydesk -exec rm -rf {} +
fi
tar xzf "$dist" -C "$home" --strip-components=1 --exclude='*/data/*'

echo "== Starting Karaf"
"$home/bin/start"
for i in $(seq 120); do
  if echo "desk:vm-list --no-format" | client | grep -q "^Name"; then break; fi
  [ "$i" -lt 120 ] || { echo "Karaf did not come up; see $home/data/log/karaf.log" >&2; exit 1; }
  sleep 1
done

if ! echo "desk:vm-info demo" | client | grep -q "^Name"; then
  echo "desk:vm-create --workload anim demo" | client
fi
if ! echo "desk:vm-info demo" | client | grep -Eq "State +\| RUNNING"; then
  echo "desk:vm-start demo" | client
fi
status=$(echo "desk:vm-list" | client)
echo "$status"
vnc=$(echo "desk:vm-list --no-format" | client | awk -F'\t' '$1=="demo"{print $8}')
vnc=${vnc:-127.0.0.1:5901}
vnc_port=${vnc##*:}
relay=""
for _ in $(seq 20); do
  line=$(echo "desk:display-list --no-format" | client | awk -F'\t' '$1=="demo"')
  relay=$(echo "$line" | cut -f2)
  websocket=$(echo "$line" | cut -f6)
  [ -n "$relay" ] && break
  sleep 1
done
relay_port=${relay##*:}

# The adaptive session (issue 5): one viewer port whose pixels come from the server's display or, when the
# mode-switching policy (default: paper) finds replay cheaper, from a replaying copy 'demo-replay' fed by the
# record log. The animation makes the paper policy switch to replay by itself within a minute or so.
session_line="not opened (see $home/data/log/karaf.log)"
if [ "${REPLAYDESK_DEMO_SESSION:-1}" = 1 ]; then
  echo "== Opening an adaptive session on demo"
  session_display=$(echo "desk:display-list --no-format" | client | awk -F'\t' '$1 ~ /^demo-s[0-9]+$/{print $1"\t"$2; exit}')
  if [ -z "$session_display" ]; then
    echo "desk:session-open demo" | client || true
    session_display=$(echo "desk:display-list --no-format" | client | awk -F'\t' '$1 ~ /^demo-s[0-9]+$/{print $1"\t"$2; exit}')
  fi
  if [ -n "$session_display" ]; then
    session_id=$(echo "$session_display" | cut -f1); session_id=${session_id#demo-}
    session_addr=$(echo "$session_display" | cut -f2)
    session_line="vncviewer 127.0.0.1::${session_addr##*:}    (session $session_id; watch it switch: desk:session-list, desk:session-history $session_id)"
  fi
fi
cat <<MSG

ReplayDesk is running (all roles in one Karaf, in $home).
The demo desktop VM 'demo' runs under QEMU record/replay with the 'anim' workload.

  View it:          vncviewer 127.0.0.1::${relay_port:-5700}    (any VNC client, 127.0.0.1 port ${relay_port:-5700}: ReplayDesk's RFB relay)
                    noVNC (browser): ws://${websocket:-127.0.0.1:5800}/websockify   (RFB over WebSocket)
                    QEMU's own VNC server: 127.0.0.1 port $vnc_port
                    a screenshot:  echo "desk:vm-screendump demo /tmp/demo.png" | $home/bin/client -u karaf -p karaf -b
  Adaptive session: $session_line
  Karaf shell:      $home/bin/client -u karaf -p karaf      (then: desk:vm-list, desk:vm-workload demo video, ...)
  Other workloads:  desk:vm-workload demo anim|video|type|idle|net|cpu
  Stop everything:  ./demo.sh stop

MSG
