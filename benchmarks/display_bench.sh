#!/usr/bin/env bash
# Display benchmark (issue 3): our VNC relay vs QEMU's own VNC server, side by side on one demo VM, per
# encoding (Raw, ZRLE, Tight lossless, Tight JPEG quality 6), for the guest's anim (25 fps) and idle
# workloads: KB/s, updates/s and server CPU. Prints a markdown table and rewrites the section
# "## Display provider: relay vs QEMU VNC" of docs/benchmarks.md.
#
#   benchmarks/display_bench.sh                      full run (20 s windows, 2 rounds: about 15 minutes)
#   benchmarks/display_bench.sh --seconds 3 --warmup 1 --rounds 1 --no-write    quick check (about 2 minutes)
#
# Options (passed on to DisplayBenchmark): --seconds N, --warmup N, --rounds N, --workloads anim,idle,
# --encodings raw,zrle,tight,tight-jpeg6, --fps N, --plain-tcg (QEMU without -icount).
# Own options: --no-write (print only), --offline (Maven offline, for machines with a filled ~/.m2).
# Builds what it needs: the demo guest (native-hooks) and the display bundle's test classes. Nothing is installed
# into ~/.m2: sibling modules are used from their target/classes.
set -euo pipefail
cd "$(dirname "$0")/.."

write=1
mvn_opts=(-B -ntp -q)
args=()
for arg in "$@"; do
  case "$arg" in
    --no-write) write=0 ;;
    --offline) mvn_opts+=(-o) ;;
    *) args+=("$arg") ;;
  esac
done

scripts/packages.sh
module=bundles/org.replaydesk.display.vnc
echo "== Building the demo guest (native-hooks; seconds when cached, a few minutes the first time)" >&2
mvn "${mvn_opts[@]}" -pl native-hooks package -DskipTests
echo "== Building the benchmark (display bundle test classes)" >&2
mvn "${mvn_opts[@]}" -pl "$module" -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
classpath="$module/target/test-classes:$module/target/classes:$(cat "$module/target/bench.classpath")"

docs=()
[ "$write" = 1 ] && docs=(--docs docs/benchmarks.md)
echo "== Running (the VM boots first: 15-30 s)" >&2
exec java -cp "$classpath" org.replaydesk.display.vnc.internal.DisplayBenchmark \
  --guest native-hooks/target/guest "${docs[@]}" "${args[@]}"
