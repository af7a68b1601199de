#!/usr/bin/env bash
# Record/replay benchmark (issue 4; the paper's Tables 1 and 3): on one recording demo VM switched between workloads,
# display-mode traffic (our relay, Tight JPEG quality 6 and Tight lossless viewers) next to replay-mode traffic (the
# live record log through the record-log streamer, zlib on), snapshot stall, first and repeat join chunk bytes,
# break-even time, and replay speed from the snapshot (checked screen-identical). Prints a markdown table and
# rewrites the section "## Record/replay vs display traffic (Tables 1 and 3)" of docs/benchmarks.md and its chart
# docs/bench-replay-traffic.svg.
#
#   benchmarks/replay_bench.sh                          full run (anim,video,type,idle, 10 s windows: about 3 minutes)
#   benchmarks/replay_bench.sh --seconds 5 --workloads anim,idle --no-write     quick check
#
# Options (passed on to RecordReplayBenchmark): --seconds N, --warmup N, --workloads anim,video,type,idle, --fps N.
# Own options: --no-write (print only), --offline (Maven offline, for machines with a filled ~/.m2).
# Builds what it needs: the demo guest (native-hooks) and the display bundle's test classes (with the record-log and
# pager bundles on their test classpath). Nothing is installed into ~/.m2.
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
exec java -cp "$classpath" org.replaydesk.display.vnc.internal.RecordReplayBenchmark \
  --guest native-hooks/target/guest "${docs[@]}" "${args[@]}"
