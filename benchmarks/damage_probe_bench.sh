#!/usr/bin/env bash
# Damage probe cost (adaptive sessions): CPU of the relay threads and of QEMU's display side while a display shows
# another source (replay mode) and the relay polls the VM for damage at damage.probe.fps, against the probe off.
# Real QEMU (TCG, -icount shift=auto) running the demo guest's anim workload at 25 fps (the worst case); the other
# source is an idle fake VNC server. Prints a markdown table; the numbers go into docs/benchmarks.md
# "## Damage probe cost" by hand.
#
#   benchmarks/damage_probe_bench.sh                             probe off vs 5 fps, 2 rounds of 20 s (about 2 minutes)
#   benchmarks/damage_probe_bench.sh --rates 5,10 --seconds 10   more rates, shorter windows
#
# Options (passed on to DamageProbeBenchmark): --seconds N, --rounds N, --rates A,B, --workload anim|idle|video.
# Own option: --offline (Maven offline, for machines with a filled ~/.m2).
# Builds what it needs: the demo guest (native-hooks) and the display bundle's test classes. Nothing is installed
# into ~/.m2: sibling modules are used from their target/classes.
set -euo pipefail
cd "$(dirname "$0")/.."

mvn_opts=(-B -ntp -q)
args=()
for arg in "$@"; do
  case "$arg" in
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

echo "== Running (the VM boots first: 15-30 s)" >&2
exec java -cp "$classpath" org.replaydesk.display.vnc.internal.DamageProbeBenchmark \
  --guest native-hooks/target/guest "${args[@]}"
