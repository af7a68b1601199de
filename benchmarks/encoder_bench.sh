#!/usr/bin/env bash
# Encoder throughput benchmark: builds the RFB module and runs org.replaydesk.rfb.bench.EncoderBenchmark.
#
# Usage: benchmarks/encoder_bench.sh [--offline] [--baseline GIT_REF] [--no-write] [-- benchmark options]
#   --offline          pass -o to Maven (the local repository already holds everything)
#   --baseline REF     also measure the encoders of commit REF, side by side in the same JVM
#   --no-write         print the table only; by default the "## Encoder throughput" section of
#                      docs/benchmarks.md is replaced
#   benchmark options  --seconds s, --warmup s, --only text (see EncoderBenchmark's class comment)
# Needs a JDK 17+, Maven and git; the first run downloads the module's dependencies from Maven Central.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODULE="bundles/org.replaydesk.rfb"
MVN=(mvn -q -B)
BASELINE=""
WRITE=1
EXTRA=()
ORIGINAL_ARGS="$*"
while [ $# -gt 0 ]; do
    case "$1" in
        --offline) MVN+=(-o) ;;
        --baseline) BASELINE="${2:?--baseline needs a git ref}"; shift ;;
        --no-write) WRITE=0 ;;
        --) shift; EXTRA+=("$@"); break ;;
        *) echo "encoder_bench.sh: unknown option $1 (see the comment at the top of $0)" >&2; exit 2 ;;
    esac
    shift
done
for tool in java javac mvn git; do
    command -v "$tool" >/dev/null || { echo "encoder_bench.sh: $tool is missing; install a JDK 17, Maven and git" >&2; exit 1; }
done

cd "$REPO"
# test-compile builds the encoders (target/classes) and the benchmark (target/test-classes); no tests run.
"${MVN[@]}" -pl "$MODULE" test-compile
CLASSPATH_FILE="$MODULE/target/bench-classpath.txt"
"${MVN[@]}" -pl "$MODULE" dependency:build-classpath -Dmdep.outputFile="$(pwd)/$CLASSPATH_FILE" >/dev/null
CP="$MODULE/target/test-classes:$MODULE/target/classes:$(cat "$CLASSPATH_FILE")"

ARGS=()
if [ -n "$BASELINE" ]; then
    # The baseline's main sources, compiled against the same dependencies; the benchmark uses only exported
    # API, so it runs unchanged on both builds.
    WORK="$MODULE/target/bench-baseline"
    rm -rf "$WORK" && mkdir -p "$WORK/src" "$WORK/classes"
    git archive "$BASELINE" "$MODULE/src/main/java" | tar -x -C "$WORK/src"
    find "$WORK/src" -name '*.java' > "$WORK/sources.txt"
    javac -nowarn --release 17 -proc:none -encoding UTF-8 -cp "$(cat "$CLASSPATH_FILE")" -d "$WORK/classes" @"$WORK/sources.txt"
    ARGS+=(--variant "baseline $(git rev-parse --short "$BASELINE")=$WORK/classes" --variant "current=$MODULE/target/classes")
fi
if [ "$WRITE" = 1 ]; then
    ARGS+=(--write docs/benchmarks.md --command "benchmarks/encoder_bench.sh${ORIGINAL_ARGS:+ $ORIGINAL_ARGS}")
fi
exec java -Xmx2g -cp "$CP" org.replaydesk.rfb.bench.EncoderBenchmark "${ARGS[@]}" "${EXTRA[@]}"
