#!/usr/bin/env bash
# Whole-process cold start: a fresh JVM per run, medians of N runs (default 21), with peak RSS from
# /usr/bin/time. Compares: a JVM that prints "hello"; Warmstart (open + one key + one render) on the realistic
# snapshot and on the 1 GiB one; Jackson and SnakeYAML parsing the same config and filling the same prompt.
# Usage: bench/cold-start.sh [RUNS] [OUTPUT.json]    (after: mvn -pl bench -am package -DskipTests)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
out=${2:-}
# The measured programs in a jar of their own (class-data sharing archives only take jars).
classes=bench/target/cold-start.jar
(cd bench/target/classes && jar cf ../cold-start.jar dev/warmstart/bench/cold)
deps=$(cat bench/target/classpath.txt)
jar_of() { tr ':' '\n' <<<"$deps" | grep "/$1-[0-9]" | head -1; }
loader=$(ls snapshot-loader/target/snapshot-loader-*.jar | grep -v -e sources -e javadoc | head -1)
jackson="$(jar_of jackson-databind):$(jar_of jackson-core):$(jar_of jackson-annotations)"
snakeyaml=$(jar_of snakeyaml)
bench_dir=${BENCH_DIR:-${TMPDIR:-/tmp}/warmstart-bench}
java -cp "bench/target/classes:$deps" -Dbench.dir="$bench_dir" dev.warmstart.bench.Shapes mix 1GiB-100k >/dev/null
# Application class-data sharing, as a service image would ship it: one training run writes the archive.
rm -f "$bench_dir/warmstart.jsa"
java -XX:ArchiveClassesAtExit="$bench_dir/warmstart.jsa" -cp "$classes:$loader" dev.warmstart.bench.cold.ColdMapped \
  "$bench_dir/mix.tar" >/dev/null 2>&1

# name | class path | main class | argument
cases=(
  "hello|$classes|dev.warmstart.bench.cold.ColdHello|"
  "warmstart-mix|$classes:$loader|dev.warmstart.bench.cold.ColdMapped|$bench_dir/mix.tar"
  "warmstart-1GiB|$classes:$loader|dev.warmstart.bench.cold.ColdMapped|$bench_dir/1GiB-100k.tar"
  "warmstart-mix-appcds|$classes:$loader|-XX:SharedArchiveFile=$bench_dir/warmstart.jsa dev.warmstart.bench.cold.ColdMapped|$bench_dir/mix.tar"
  "jackson-mix|$classes:$jackson|dev.warmstart.bench.cold.ColdJackson|$bench_dir/mix-core"
  "snakeyaml-mix|$classes:$snakeyaml|dev.warmstart.bench.cold.ColdSnakeYaml|$bench_dir/mix-core"
)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk '{a[NR]=$1} END {printf "%s..%s", a[int(NR*0.1)+1], a[int(NR*0.9)]}'; }
tmp=$(mktemp -d)
json="["
for c in "${cases[@]}"; do
  IFS='|' read -r name cp main arg <<<"$c"
  java -Xshare:auto -cp "$cp" $main $arg >/dev/null   # warm the page cache
  : >"$tmp/$name.ms"; : >"$tmp/$name.rss"
  for _ in $(seq "$runs"); do
    t0=$(date +%s%N)
    /usr/bin/time -f "%M" -o "$tmp/rss" java -Xshare:auto -cp "$cp" $main $arg >/dev/null
    t1=$(date +%s%N)
    echo $(( (t1 - t0) / 1000 )) | awk '{printf "%.1f\n", $1/1000}' >>"$tmp/$name.ms"
    cat "$tmp/rss" >>"$tmp/$name.rss"
  done
  ms=$(median <"$tmp/$name.ms"); range=$(spread <"$tmp/$name.ms"); rss=$(median <"$tmp/$name.rss")
  printf "%-21s median %7s ms  (p10..p90 %s ms)  peak RSS %6s KiB\n" "$name" "$ms" "$range" "$rss"
  json="$json${json:+$([ "$json" = "[" ] || echo ",")}
  {\"case\": \"$name\", \"runs\": $runs, \"medianMs\": $ms, \"p10p90Ms\": \"$range\", \"medianPeakRssKiB\": $rss}"
done
json="$json
]"
hello=$(median <"$tmp/hello.ms")
for name in warmstart-mix warmstart-1GiB warmstart-mix-appcds jackson-mix snakeyaml-mix; do
  m=$(median <"$tmp/$name.ms")
  awk -v n="$name" -v m="$m" -v h="$hello" 'BEGIN {printf "%-21s adds %6.1f ms to hello\n", n, m - h}'
done
ws=$(median <"$tmp/warmstart-mix.ms")
for name in jackson-mix snakeyaml-mix; do
  m=$(median <"$tmp/$name.ms")
  awk -v n="$name" -v m="$m" -v h="$hello" -v w="$ws" \
    'BEGIN {printf "%-21s start-up work is %.1fx Warmstart'"'"'s (%.1f ms vs %.1f ms over hello)\n", n, (m-h)/(w-h), m-h, w-h}'
done
[ -n "$out" ] && echo "$json" >"$out"
rm -rf "$tmp"
