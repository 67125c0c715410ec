#!/usr/bin/env bash
# Every benchmark of docs/performance.md, in one run, results into docs/bench/ and the chart into docs/.
# Takes about 25 minutes. Shapes are generated once into $BENCH_DIR (default $TMPDIR/warmstart-bench, ~3 GiB).
set -euo pipefail
cd "$(dirname "$0")/.."
results=docs/bench
mkdir -p "$results"
export BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/warmstart-bench}

echo "== build and install (the plugin must be in the local repository for the Maven timing)"
mvn -B -q install -DskipTests -Dinvoker.skip=true
cp="bench/target/classes:$(cat bench/target/classpath.txt)"

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs) x $(nproc)"
  echo "memory: $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)"
  echo "kernel: $(uname -sr)"
  echo "java: $(java -version 2>&1 | head -1)"
  echo "maven: $(mvn -v | head -1 | sed "s/\x1b\[[0-9;]*m//g")"
} >"$results/machine.txt"
cat "$results/machine.txt"

echo "== generate the shapes"
java -cp "$cp" -Dbench.dir="$BENCH_DIR" dev.warmstart.bench.Shapes

echo "== JMH: open, parse, lookups"
java -Dbench.dir="$BENCH_DIR" -cp "$cp" org.openjdk.jmh.Main -jvmArgsPrepend "-Dbench.dir=$BENCH_DIR" \
  -rf json -rff "$results/jmh.json" 'dev.warmstart.bench.(Open|Parse|Lookup)Benchmark' | tee "$results/jmh.txt" \
  | grep -E "^(Benchmark|[A-Z][A-Za-z]+Benchmark\.)"

echo "== heap retained after open"
java -Xms8g -Xmx8g -Dbench.dir="$BENCH_DIR" -cp "$cp" dev.warmstart.bench.HeapRetained "$results/heap.json" >/dev/null

echo "== hot switch"
java -Xmx2g -Dbench.dir="$BENCH_DIR" -cp "$cp" dev.warmstart.bench.SwitchLatency "$results/switch.json" 2>/dev/null
# The same with one reader thread: two threads that never sleep on two cores instead of three (docs/performance.md §4).
java -Xmx2g -Dbench.dir="$BENCH_DIR" -Dbench.switch.readers=1 -cp "$cp" dev.warmstart.bench.SwitchLatency \
  "$results/switch-one-reader.json" 2>/dev/null
# Automatic rollbacks on JDK 25, where closing a snapshot unmaps it at once (on 17 the GC does it later).
if [ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]; then
  /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Xmx2g -Dbench.dir="$BENCH_DIR" -Dbench.switch.tripsOnly=true \
    -cp "$cp" dev.warmstart.bench.SwitchLatency "$results/switch-trips-jdk25.json" 2>/dev/null
fi

echo "== mappings after close: Java 17, and JDK 25 with and without the loader's Java 22 class"
rm -f "$results/mappings.jsonl"
java -Dbench.dir="$BENCH_DIR" -cp "$cp" dev.warmstart.bench.MappingsAfterClose 1GiB-100k 300 "$results/mappings.jsonl"
jdk25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
if [ -x "$jdk25" ]; then
  # A copy of the loader jar without ArenaFileMapping maps as on Java 17 (FileMapping falls back to its own mapping
  # when the class is absent, as in a jar built without a JDK 22+): both paths on the same JDK.
  loader=$(tr ':' '\n' <<<"$cp" | grep '/snapshot-loader-[0-9]' | head -1)
  without="bench/target/snapshot-loader-without-java22.jar"
  python3 - "$loader" "$without" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for entry in src.infolist():
        if entry.filename != "dev/warmstart/snapshot/loader/ArenaFileMapping.class":
            dst.writestr(entry, src.read(entry))
PY
  for jar in "$loader" "$without"; do
    "$jdk25" -Dbench.dir="$BENCH_DIR" -cp "${cp/$loader/$jar}" \
      dev.warmstart.bench.MappingsAfterClose 1GiB-100k 300 "$results/mappings.jsonl"
  done
fi

echo "== cold start"
bench/cold-start.sh 21 "$results/cold-start.json" | tee "$results/cold-start.txt"

echo "== plugin throughput"
bench/plugin-throughput.sh 5 "$results/plugin.json" | tee "$results/plugin.txt"

echo "== chart"
java -Djava.awt.headless=true -cp "$cp" dev.warmstart.bench.Chart "$results/jmh.json" docs/performance-open.png
echo "results in $results/, chart in docs/performance-open.png"
