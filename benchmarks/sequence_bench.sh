#!/usr/bin/env bash
# Sequence experiment (issue 5; the record/replay paper's section 5, Figure 4): one recording demo VM through the
# phases anim, idle, video, net, type, anim; display-only, replay-only and adaptive-session traffic side by side,
# measured with real TigerVNC viewers (Tight JPEG quality 6) under Xvfb. Prints a table per phase with the targets
# (PASS/MISS), writes target/sequence-bench.csv and rewrites the section "## Sequence experiment (adaptive sessions,
# Figure 4)" of docs/benchmarks.md and its chart docs/bench-sequence.svg.
#
#   benchmarks/sequence_bench.sh                                 full run: anim 300 s, idle 100, video 300, net 60,
#                                                                type 60, anim 300, as the paper (about 22 minutes)
#   benchmarks/sequence_bench.sh --phases anim,idle,video,net,type,anim --phase-seconds 120   6 x 120 s (14 minutes)
#   benchmarks/sequence_bench.sh --phases anim,net,anim --phase-seconds 45 --no-write         quick check (5 minutes)
#
# Options (passed on to sequence_bench.py): --phase-seconds N, --phases a,b:SECONDS,c, --sample-seconds S, --policy NAME,
# --no-write, --keep (keep target/sequence-bench: the distribution, its logs, the viewers' logs).
# Exit status: 0 when every target is met, 1 when one is missed (the table is printed and written either way),
# 130 when interrupted (everything started is stopped first).
# Own option: --offline (Maven offline). Builds the distribution (karaf-assembly/target/*.tar.gz) when it is missing;
# nothing is installed into ~/.m2.
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
if ! ls karaf-assembly/target/*.tar.gz >/dev/null 2>&1; then
  echo "== Building the distribution (karaf-assembly and what it needs; a few minutes)" >&2
  mvn "${mvn_opts[@]}" -pl karaf-assembly -am package -DskipTests -Dnative.check.skip=true
fi
python3 benchmarks/sequence_bench.py --self-test
echo "== Running (the VM boots and takes its BOOT snapshot first: about a minute)" >&2
exec python3 benchmarks/sequence_bench.py "${args[@]}"
