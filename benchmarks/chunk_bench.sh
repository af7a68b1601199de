#!/usr/bin/env bash
# Chunk size benchmark: makes two snapshot images of the demo guest (a recording QEMU, `savevm s1`, then 15 s of the
# animating desktop later `savevm s2`, the qcow2 copied after each) and runs org.replaydesk.pager.internal.ChunkBenchmark
# on them: per chunk size, chunk count, hashing and import speed, bytes the second snapshot shares with the first,
# loopback transfer time of a first and a repeat join.
# With --compression it runs org.replaydesk.pager.internal.ChunkCompressionBenchmark on the same images instead: wire
# bytes of first and repeat joins with chunk compression (pager protocol 2) on and off, and deflate/inflate CPU per MB
# (printed only; docs/benchmarks.md "## Chunk compression" holds a copy).
# With --rejoin A B it runs org.replaydesk.pager.internal.RejoinBenchmark on two given images (no QEMU): what a client
# holding A must fetch for B with fixed 64 KiB chunks and with content-defined chunks, raw and deflated, and chunking
# speed (printed only; docs/benchmarks.md "## Content-defined chunking" holds a copy).
#
# Usage: benchmarks/chunk_bench.sh [--offline] [--guest DIR] [--images A.qcow2 B.qcow2] [--no-write] [-- options]
#   --offline        pass -o to Maven
#   --guest DIR      demo guest folder (vmlinuz, initrd.gz); default native-hooks/target/guest, else /work/main's
#   --images A B     use these two images instead of booting the guest
#   --no-write       print the table only; by default the "## Chunk size" section of docs/benchmarks.md is replaced
#   --compression    measure chunk compression instead of chunk sizes (never writes docs/benchmarks.md)
#   --rejoin A B     compare fixed and content-defined chunking on images A and B (never writes docs/benchmarks.md)
#   options          --sizes 16384,65536,...  (see ChunkBenchmark's class comment); with --rejoin:
#                    --cdc MIN,AVG,MAX (repeatable; default the pager's 8192,32768,131072)
# Needs a JDK 17+, Maven, qemu-system-x86_64, qemu-img and python3 (scripts/packages.sh installs them).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="bundles/org.replaydesk.pager"
MVN=(mvn -q -B)
GUEST=""
IMAGES=()
WRITE=1
MAIN=org.replaydesk.pager.internal.ChunkBenchmark
EXTRA=()
REJOIN=0
ORIGINAL_ARGS="$*"
while [ $# -gt 0 ]; do
    case "$1" in
        --offline) MVN+=(-o) ;;
        --guest) GUEST="${2:?--guest needs a folder}"; shift ;;
        --images) IMAGES=("${2:?--images needs two files}" "${3:?--images needs two files}"); shift 2 ;;
        --no-write) WRITE=0 ;;
        --compression) MAIN=org.replaydesk.pager.internal.ChunkCompressionBenchmark; WRITE=0 ;;
        --rejoin) IMAGES=("${2:?--rejoin needs two files}" "${3:?--rejoin needs two files}"); shift 2
                  MAIN=org.replaydesk.pager.internal.RejoinBenchmark; WRITE=0; REJOIN=1 ;;
        --) shift; EXTRA+=("$@"); break ;;
        *) echo "chunk_bench.sh: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
    shift
done
for tool in java mvn python3; do
    command -v "$tool" >/dev/null || { echo "chunk_bench.sh: $tool is missing; install a JDK 17, Maven and python3" >&2; exit 1; }
done

cd "$REPO"
WORK="$(mktemp -d /tmp/chunkbench.XXXXXX)"
QEMU_PID=""
cleanup() {
    if [ -n "$QEMU_PID" ]; then kill "$QEMU_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

if [ ${#IMAGES[@]} -eq 0 ]; then
    for tool in qemu-system-x86_64 qemu-img; do
        command -v "$tool" >/dev/null || { echo "chunk_bench.sh: $tool is missing; install qemu-system-x86 and qemu-utils (scripts/packages.sh)" >&2; exit 1; }
    done
    if [ -z "$GUEST" ]; then
        GUEST="$REPO/native-hooks/target/guest"
        [ -f "$GUEST/vmlinuz" ] || GUEST="/work/main/native-hooks/target/guest"
    fi
    [ -f "$GUEST/vmlinuz" ] && [ -f "$GUEST/initrd.gz" ] || {
        echo "chunk_bench.sh: no demo guest in $GUEST; build it with 'mvn -pl native-hooks package' or pass --guest" >&2; exit 1; }
    # The snapshots live in the qcow2 of the record/replay drive, as in the product (a diskless guest's "orphan" drive).
    qemu-img create -q -f qcow2 "$WORK/disk.qcow2" 64M
    qemu-system-x86_64 -nodefaults -machine pc -accel tcg -smp 1 -m 256 \
        -kernel "$GUEST/vmlinuz" -initrd "$GUEST/initrd.gz" -append "console=ttyS0 vga=0x312 quiet rd.wl=anim" \
        -vga std -display none -net none -rtc clock=vm \
        -icount shift=auto,rr=record,rrfile="$WORK/record.log" -drive file="$WORK/disk.qcow2",if=none,id=rr \
        -qmp unix:"$WORK/qmp.sock",server=on,wait=off -serial file:"$WORK/serial.log" >"$WORK/qemu.log" 2>&1 &
    QEMU_PID=$!
    python3 - "$WORK" <<'PY'
import json, os, shutil, socket, sys, time
work = sys.argv[1]
sock = socket.socket(socket.AF_UNIX)
for _ in range(100):
    try:
        sock.connect(os.path.join(work, "qmp.sock")); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("QEMU's QMP socket never appeared; see " + os.path.join(work, "qemu.log"))
f = sock.makefile("rwb")
f.readline()
def cmd(name, **args):
    f.write(json.dumps({"execute": name, **({"arguments": args} if args else {})}).encode() + b"\n"); f.flush()
    while True:
        reply = json.loads(f.readline())
        if "event" not in reply:
            return reply
def savevm(tag):
    # Record/replay refuses a snapshot at some instants; try again shortly, as the snapshotter will.
    for _ in range(50):
        out = cmd("human-monitor-command", **{"command-line": "savevm " + tag}).get("return", "")
        if not out.strip():
            return
        time.sleep(0.2)
    sys.exit("savevm %s kept failing: %s" % (tag, out))
cmd("qmp_capabilities")
time.sleep(25)   # boot and start the animation
savevm("s1"); shutil.copyfile(os.path.join(work, "disk.qcow2"), os.path.join(work, "snap1.qcow2"))
time.sleep(15)
savevm("s2"); shutil.copyfile(os.path.join(work, "disk.qcow2"), os.path.join(work, "snap2.qcow2"))
cmd("quit")
PY
    wait "$QEMU_PID" || true
    QEMU_PID=""
    IMAGES=("$WORK/snap1.qcow2" "$WORK/snap2.qcow2")
    echo "images: $(qemu-img snapshot -l "$WORK/snap2.qcow2" | tail -n +3 | awk '{print $2, $3, $4}' | tr '\n' ';')" >&2
fi

# test-compile builds the pager (target/classes) and the benchmark (target/test-classes); no tests run. The class
# path is written in the same reactor run, so sibling modules (org.replaydesk.api) resolve to their target/classes
# without being installed; every module writes its own target/bench-classpath.txt.
CLASSPATH_FILE="$MODULE/target/bench-classpath.txt"
"${MVN[@]}" -pl "$MODULE" -am test-compile dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt >/dev/null
CP="$MODULE/target/test-classes:$MODULE/target/classes:$(cat "$CLASSPATH_FILE")"
ARGS=(--work "$WORK/bench" "${IMAGES[@]}")
if [ "$REJOIN" = 1 ]; then
    ARGS=("${IMAGES[@]}")
fi
if [ "$WRITE" = 1 ]; then
    ARGS+=(--write docs/benchmarks.md --command "benchmarks/chunk_bench.sh${ORIGINAL_ARGS:+ $ORIGINAL_ARGS}")
fi
java -Xmx1g -cp "$CP" "$MAIN" "${ARGS[@]}" "${EXTRA[@]}"
