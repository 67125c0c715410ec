#!/usr/bin/env bash
# snapshot:build throughput and heap over 10,000 prompt files / 100 MiB, against GNU tar cf of the same files.
# Medians of RUNS (default 5), tar and build runs interleaved so both see the same machine load.
# Usage: bench/plugin-throughput.sh [RUNS] [OUTPUT.json]
# The pipeline runs from bench's class path (bench/target/classpath.txt: this checkout's jars, after
# mvn -pl bench -am package). The Maven part needs the plugin in the local repository (mvn -B install -DskipTests);
# NO_MAVEN=1 leaves it out.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
out=${2:-}
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
bench_dir=${BENCH_DIR:-${TMPDIR:-/tmp}/warmstart-bench}
project="$bench_dir/plugin-input"
if [ ! -f "$project/pom.xml" ]; then
  java -cp "$cp" dev.warmstart.bench.PluginThroughput generate "$project" 10000 100
fi
files=$(find "$project/src" -type f | wc -l)
bytes=$(find "$project/src" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
tmp=$(mktemp -d)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
cat $(find "$project/src" -type f) >/dev/null   # page cache, for every contender alike

timed() { if [ -x /usr/bin/time ]; then /usr/bin/time -o "$tmp/cpu" -f "%U %S" "$@"; else "$@"; fi; }
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
snapshot="$project/target/snapshot/throughput-1.0-snapshot.tar"
for _ in $(seq "$runs"); do
  rm -f "$tmp/x.tar"
  t0=$(date +%s%N); tar cf "$tmp/x.tar" -C "$project" src; t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" >>"$tmp/tar.ms"
  # CPU time (user + sys) of the whole build process too: under load, wall times are noise, CPU time much less so.
  timed java -Xmx256m -cp "$cp" dev.warmstart.bench.PluginThroughput build "$project" >"$tmp/build.out"
  read -r s peak n size maxheap <"$tmp/build.out"
  awk -v s="$s" 'BEGIN {printf "%d\n", s * 1000}' >>"$tmp/build.ms"
  if [ -x /usr/bin/time ]; then awk '{printf "%d\n", ($1 + $2) * 1000}' "$tmp/cpu" >>"$tmp/build.cpu"; else echo 0 >>"$tmp/build.cpu"; fi
  echo "$peak" >>"$tmp/build.peak"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# Determinism: the same inputs on one thread give the same bytes as on every core.
every=$(sha256sum <"$snapshot" | cut -c1-64)
java -Xmx256m -cp "$cp" dev.warmstart.bench.PluginThroughput build "$project" 1 >/dev/null 2>&1
one=$(sha256sum <"$snapshot" | cut -c1-64)
identical=$([ "$every" = "$one" ] && echo true || echo false)
# The same build in a quarter of that heap: memory does not grow with the inputs.
small=$(java -Xmx64m -cp "$cp" dev.warmstart.bench.PluginThroughput build "$project" 2>/dev/null | awk '{print "ok in " $1 " s, peak " int($2/1048576) " MiB"}')
for _ in $(seq "$([ "${NO_MAVEN:-0}" = 1 ] && echo 0 || echo 3)"); do
  rm -rf "$project/target"
  t0=$(date +%s%N); MAVEN_OPTS=-Xmx256m mvn -B -o -q -f "$project/pom.xml" package -Dsnapshot.skip; t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" >>"$tmp/mvnskip.ms"
  rm -rf "$project/target"
  t0=$(date +%s%N); MAVEN_OPTS=-Xmx256m mvn -B -o -q -f "$project/pom.xml" package; t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000000 ))" >>"$tmp/mvn.ms"
done
tar_ms=$(median <"$tmp/tar.ms"); build_ms=$(median <"$tmp/build.ms"); peak=$(median <"$tmp/build.peak")
cpu_ms=$(median <"$tmp/build.cpu")
if [ "${NO_MAVEN:-0}" = 1 ]; then echo 0 >"$tmp/mvn.ms"; echo 0 >"$tmp/mvnskip.ms"; fi
mvn_ms=$(median <"$tmp/mvn.ms"); skip_ms=$(median <"$tmp/mvnskip.ms")
mib=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1048576}')
echo "inputs: $files prompt files, $mib MiB"
echo "GNU tar cf:                  median $tar_ms ms ($(awk -v b="$bytes" -v t="$tar_ms" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}') MiB/s)   runs: $(tr '\n' ' ' <"$tmp/tar.ms")"
echo "snapshot build (no Maven):   median $build_ms ms ($(awk -v b="$bytes" -v t="$build_ms" 'BEGIN {printf "%.0f", b/1048576/(t/1000)}') MiB/s)   runs: $(tr '\n' ' ' <"$tmp/build.ms")"
echo "  process CPU (user + sys, JVM start and JIT included): median $cpu_ms ms   runs: $(tr '\n' ' ' <"$tmp/build.cpu")"
echo "  heap peak (sampled every 2 ms, -Xmx256m): $(awk -v p="$peak" 'BEGIN {printf "%.0f", p/1048576}') MiB"
echo "  the same build with -Xmx64m: $small"
echo "  $(nproc) processors, load average $load_before before, $load_after after; one thread gives the same bytes: $identical"
[ "${NO_MAVEN:-0}" = 1 ] || echo "mvn package:                 median $mvn_ms ms; with -Dsnapshot.skip $skip_ms ms; the goal's share $((mvn_ms - skip_ms)) ms (MAVEN_OPTS=-Xmx256m)"
awk -v t="$tar_ms" -v b="$build_ms" -v m="$((mvn_ms - skip_ms))" \
  'BEGIN {printf "throughput ratio build/tar: %.2f (pipeline alone), %s (inside Maven)\n", t/b, (m > 0 ? sprintf("%.2f", t/m) : "not measured")}'
if [ -n "$out" ]; then
  cat >"$out" <<JSON
{"files": $files, "bytes": $bytes, "runs": $runs,
 "tarMs": {"median": $tar_ms, "runs": [$(paste -sd, "$tmp/tar.ms")]},
 "buildMs": {"median": $build_ms, "runs": [$(paste -sd, "$tmp/build.ms")]},
 "buildProcessCpuMs": {"median": $cpu_ms, "runs": [$(paste -sd, "$tmp/build.cpu")]},
 "buildHeapPeakBytes": {"median": $peak, "runs": [$(paste -sd, "$tmp/build.peak")], "xmx": "256m"},
 "buildWithXmx64m": "$small",
 "processors": $(nproc), "loadAverageBefore": "$load_before", "loadAverageAfter": "$load_after",
 "sameBytesOnOneThread": $identical,
 "mavenPackageMs": $([ "${NO_MAVEN:-0}" = 1 ] && echo null || echo "{\"median\": $mvn_ms, \"runs\": [$(paste -sd, "$tmp/mvn.ms")]}"),
 "mavenPackageSkipMs": $([ "${NO_MAVEN:-0}" = 1 ] && echo null || echo "{\"median\": $skip_ms, \"runs\": [$(paste -sd, "$tmp/mvnskip.ms")]}")}
JSON
fi
rm -rf "$tmp"
