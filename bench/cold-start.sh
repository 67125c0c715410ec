#!/usr/bin/env bash
# Whole-process cold start: a fresh JVM per run, N runs per case (default 21), median wall time, 10th-90th
# percentile, median CPU time (user + system) and median peak RSS, from wait4(). What the loader adds is measured
# against the same program without the loader calls (ColdBaseline: same argument, same Map.of, same string concatenation and output), both
# compiled with plain javac defaults as a user compiles (so both pay the same invokedynamic bootstraps), on
# Java 17 and on Java 25, each without a class-data archive and with its own archive: AppCDS on 17
# (-XX:ArchiveClassesAtExit, then -XX:SharedArchiveFile), the AOT cache on 25 (-XX:AOTCacheOutput, then
# -XX:AOTCache), each written by one training run of that very program, as a service image would ship it.
# Also: a bare println (hello), the 1 GiB snapshot, Jackson / SnakeYAML parsing the same config (Java 17), and
# ColdPhases, which times each loader call in-process (min and median over the runs), and ColdThreadCpu, the same
# in the main thread's CPU time (which the load of other processes disturbs far less than wall time), each with an
# archive of its own training run where the case has one (as ColdMapped has), so that it starts as that does.
# Runs are interleaved (run 1 of every case, then run 2...) so that load from other processes spreads evenly.
#
# Usage: bench/cold-start.sh [RUNS] [OUTPUT.json]    (after: mvn -pl bench -am package -DskipTests)
# Environment: JAVA17_HOME (default: the java on PATH), JAVA25_HOME (default
# /usr/lib/jvm/temurin-25-jdk-amd64; skipped when absent), BENCH_DIR, COLD_SKIP_1GIB=1 to leave out the 1 GiB case,
# LOADER_JAR to measure another build of the loader, BEFORE_LOADER_JAR to measure a second build in the same run
# (cases warmstart-before-* and, unless COLD_SKIP_1GIB=1, warmstart-1GiB-before-*, interleaved with the others: a
# before/after comparison under the same load), and
# BEFORE_SNAPSHOT the snapshot that build opens (default: the same mix.tar; another one when the two builds write
# different files, e.g. across a change of the unreleased format).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
out=${2:-}
bench_dir=${BENCH_DIR:-${TMPDIR:-/tmp}/warmstart-bench}
work=bench/target/cold-start
rm -rf "$work" && mkdir -p "$work"

deps=$(cat bench/target/classpath.txt)
jar_of() { tr ':' '\n' <<<"$deps" | grep "/$1-[0-9]" | head -1; }
loader=${LOADER_JAR:-$(ls -t snapshot-loader/target/snapshot-loader-*.jar | grep -v -e sources -e javadoc | head -1)}  # newest: a stale older version may be beside it
jackson="$(jar_of jackson-databind):$(jar_of jackson-core):$(jar_of jackson-annotations)"
snakeyaml=$(jar_of snakeyaml)
shapes=(mix)
[ "${COLD_SKIP_1GIB:-0}" = 1 ] || shapes+=(1GiB-100k)
java -cp "bench/target/classes:$deps" -Dbench.dir="$bench_dir" dev.warmstart.bench.Shapes "${shapes[@]}" >/dev/null

java17=${JAVA17_HOME:+$JAVA17_HOME/bin/}java
javac17=${JAVA17_HOME:+$JAVA17_HOME/bin/}javac
java25_home=${JAVA25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
jdks=(17)
if [ -x "$java25_home/bin/java" ]; then jdks+=(25); else echo "no JDK 25 at $java25_home: Java 25 cases skipped"; fi
javabin() { if [ "$1" = 17 ]; then echo "$java17"; else echo "$java25_home/bin/java"; fi; }
javacbin() { if [ "$1" = 17 ]; then echo "$javac17"; else echo "$java25_home/bin/javac"; fi; }

# The measured programs, compiled by each JDK's javac with its defaults, into a jar (archives only take jars).
for v in "${jdks[@]}"; do
  mkdir -p "$work/classes-$v"
  "$(javacbin "$v")" -nowarn -d "$work/classes-$v" -cp "$loader:$jackson:$snakeyaml" \
    bench/src/main/java/dev/warmstart/bench/cold/*.java
  (cd "$work/classes-$v" && jar cf ../cold-$v.jar .)
done

before=${BEFORE_LOADER_JAR:-}
main_of() {
  case $1 in
    hello) echo ColdHello ;; baseline) echo ColdBaseline ;; warmstart*) echo ColdMapped ;; phases*) echo ColdPhases ;;
    threadcpu*) echo ColdThreadCpu ;;
    jackson) echo ColdJackson ;; snakeyaml) echo ColdSnakeYaml ;;
  esac
}
cp_of() {
  case $2 in
    jackson) echo "$work/cold-$1.jar:$jackson" ;; snakeyaml) echo "$work/cold-$1.jar:$snakeyaml" ;;
    warmstart-before | warmstart-1GiB-before | phases-before | threadcpu-before) echo "$work/cold-$1.jar:$before" ;;
    *) echo "$work/cold-$1.jar:$loader" ;;
  esac
}
arg_of() {
  case $1 in
    warmstart-1GiB | warmstart-1GiB-before) echo "$bench_dir/1GiB-100k.tar" ;; jackson | snakeyaml) echo "$bench_dir/mix-core" ;;
    warmstart-before | phases-before | threadcpu-before) echo "${BEFORE_SNAPSHOT:-$bench_dir/mix.tar}" ;;
    *) echo "$bench_dir/mix.tar" ;;
  esac
}

# One training run per program and JDK writes its archive; the run with it must then use it (checked below).
archive_flag() {
  if [ "$1" = 17 ]; then echo "-XX:SharedArchiveFile=$work/$2-17.jsa"; else echo "-XX:AOTCache=$work/$2-25.aot"; fi
}
programs=(baseline warmstart phases threadcpu)
[ -z "$before" ] || programs+=(warmstart-before phases-before threadcpu-before)
for v in "${jdks[@]}"; do
  for p in "${programs[@]}"; do
    if [ "$v" = 17 ]; then train="-XX:ArchiveClassesAtExit=$work/$p-17.jsa"; else train="-XX:AOTCacheOutput=$work/$p-25.aot"; fi
    "$(javabin "$v")" $train -cp "$(cp_of "$v" "$p")" "dev.warmstart.bench.cold.$(main_of "$p")" "$(arg_of "$p")" \
      >"$work/train-$p-$v.log" 2>&1
    # -Xshare:on / -XX:AOTMode=on fail instead of silently starting without an archive that cannot be used.
    if [ "$v" = 17 ]; then strict=-Xshare:on; else strict=-XX:AOTMode=on; fi
    "$(javabin "$v")" $strict $(archive_flag "$v" "$p") -Xlog:class+load -cp "$(cp_of "$v" "$p")" \
      "dev.warmstart.bench.cold.$(main_of "$p")" "$(arg_of "$p")" >"$work/check-$p-$v.log" 2>&1
    grep -q "cold.$(main_of "$p") source: shared objects file" "$work/check-$p-$v.log" \
      || { echo "the $p archive on Java $v was not used: see $work/check-$p-$v.log"; exit 1; }
    [ "$p" = baseline ] || grep -q "loader.Snapshot source: shared objects file" "$work/check-$p-$v.log" \
      || { echo "the loader's classes were not in the $p archive on Java $v: see $work/check-$p-$v.log"; exit 1; }
  done
done

# case name | JDK | archive (none or the program's) | program
cases=()
for v in "${jdks[@]}"; do
  cases+=("hello-$v|$v|none|hello" "baseline-$v|$v|none|baseline" "warmstart-$v|$v|none|warmstart"
    "baseline-archive-$v|$v|baseline|baseline" "warmstart-archive-$v|$v|warmstart|warmstart")
  [ "${COLD_SKIP_1GIB:-0}" = 1 ] || cases+=("warmstart-1GiB-$v|$v|none|warmstart-1GiB")
  [ -z "$before" ] || cases+=("warmstart-before-$v|$v|none|warmstart-before"
    "warmstart-archive-before-$v|$v|warmstart-before|warmstart-before")
  [ -z "$before" ] || [ "${COLD_SKIP_1GIB:-0}" = 1 ] || cases+=("warmstart-1GiB-before-$v|$v|none|warmstart-1GiB-before")
done
cases+=("jackson-17|17|none|jackson" "snakeyaml-17|17|none|snakeyaml")

command_of() {
  IFS='|' read -r _ v archive program <<<"$1"
  local flags=""
  [ "$archive" = none ] || flags=$(archive_flag "$v" "$archive")
  echo "$(javabin "$v") $flags -cp $(cp_of "$v" "$program") dev.warmstart.bench.cold.$(main_of "$program") $(arg_of "$program")"
}
for c in "${cases[@]}"; do
  IFS='|' read -r name v archive _ <<<"$c"
  echo "$name|$v|$archive|$(command_of "$c")"
done >"$work/cases.txt"
# ColdPhases and ColdThreadCpu in place of ColdMapped, named after the case they stand for, with their own archive
# where that has one.
for probe in phases threadcpu; do
  for v in "${jdks[@]}"; do
    echo "warmstart-$v|$v|none|$probe" "warmstart-archive-$v|$v|$probe|$probe"
    [ -z "$before" ] || echo "warmstart-before-$v|$v|none|$probe-before" \
      "warmstart-archive-before-$v|$v|$probe-before|$probe-before"
  done | tr ' ' '\n' | while read -r c; do
    IFS='|' read -r name v archive _ <<<"$c"
    echo "$name|$v|$archive|$(command_of "$c")"
  done >"$work/$probe.txt"
done
# The measuring loop: wait4() gives each JVM's CPU time (user + system, all its threads) and peak RSS exactly;
# CPU time is the figure that other processes competing for the cores disturb least.
python3 - "$runs" "$work/cases.txt" "$out" "$work/phases.txt" "$work/threadcpu.txt" <<'PY'
import json, os, subprocess, sys, time

runs, cases_file, out, phases_file, threadcpu_file = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
def read_cases(path):
    cases = []
    for line in open(path):
        name, java, archive, command = line.rstrip("\n").split("|", 3)
        cases.append({"case": name, "java": int(java), "archive": archive, "argv": command.split()})
    return cases
cases = read_cases(cases_file)

def run(argv):
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e6
    if status != 0:
        sys.exit("failed: " + " ".join(argv))
    return wall, (usage.ru_utime + usage.ru_stime) * 1000, usage.ru_maxrss

samples = {c["case"]: [] for c in cases}
for c in cases:
    run(c["argv"])  # warms the page cache
for _ in range(runs):  # interleaved: load from other processes spreads over every case alike
    for c in cases:
        samples[c["case"]].append(run(c["argv"]))

def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))]

by_name = {}
print("%-28s %24s %24s %10s" % ("case", "wall ms: median (p10-p90)", "CPU ms: median (p10-p90)", "peak RSS"))
for c in cases:
    s = samples[c["case"]]
    wall, cpu, rss = [x[0] for x in s], [x[1] for x in s], [x[2] for x in s]
    r = {k: c[k] for k in ("case", "java", "archive")}
    r.update(runs=runs, medianMs=round(pct(wall, 0.5), 1), p10Ms=round(pct(wall, 0.1), 1),
             p90Ms=round(pct(wall, 0.9), 1), medianCpuMs=round(pct(cpu, 0.5), 1),
             p10CpuMs=round(pct(cpu, 0.1), 1), p90CpuMs=round(pct(cpu, 0.9), 1),
             medianPeakRssKiB=pct(rss, 0.5))
    r["p10p90Ms"] = "%s..%s" % (r["p10Ms"], r["p90Ms"])
    by_name[c["case"]] = r
    print("%-28s %8.1f (%6.1f-%6.1f) %9.1f (%6.1f-%6.1f) %7d KiB" % (
        r["case"], r["medianMs"], r["p10Ms"], r["p90Ms"], r["medianCpuMs"], r["p10CpuMs"], r["p90CpuMs"],
        r["medianPeakRssKiB"]))

adds = []
def add(what, case, over):
    if case in by_name and over in by_name:
        a, b = by_name[case], by_name[over]
        d = {"what": what, "case": case, "over": over, "ms": round(a["medianMs"] - b["medianMs"], 1),
             "cpuMs": round(a["medianCpuMs"] - b["medianCpuMs"], 1),
             "rssKiB": a["medianPeakRssKiB"] - b["medianPeakRssKiB"]}
        adds.append(d)
        print("%-42s %+7.1f ms wall %+7.1f ms CPU %+7d KiB  (%s over %s)" % (
            what, d["ms"], d["cpuMs"], d["rssKiB"], case, over))

for v in (17, 25):
    add("Java %d, no archive" % v, "warmstart-%d" % v, "baseline-%d" % v)
    add("Java %d, each with its archive" % v, "warmstart-archive-%d" % v, "baseline-archive-%d" % v)
    add("Java %d, 1 GiB snapshot, no archive" % v, "warmstart-1GiB-%d" % v, "baseline-%d" % v)
    add("Java %d, baseline over a bare println" % v, "baseline-%d" % v, "hello-%d" % v)
    add("Java %d, before, no archive" % v, "warmstart-before-%d" % v, "baseline-%d" % v)
    add("Java %d, before, each with its archive" % v, "warmstart-archive-before-%d" % v, "baseline-archive-%d" % v)
    add("Java %d, before, 1 GiB snapshot, no archive" % v, "warmstart-1GiB-before-%d" % v, "baseline-%d" % v)
add("Java 17, Jackson", "jackson-17", "baseline-17")
add("Java 17, SnakeYAML", "snakeyaml-17", "baseline-17")
# Where the loader's part goes: ColdPhases times each loader call in-process (the first, open, includes loading
# the loader's classes) in wall time, ColdThreadCpu in the main thread's CPU time; the minimum over the runs is the
# figure the load disturbs least. Interleaved as above.
def in_process(path, label):
    probe_cases = read_cases(path)
    seen = {c["case"]: {} for c in probe_cases}
    for _ in range(runs):
        for c in probe_cases:
            p = subprocess.run(c["argv"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
            words = p.stderr.split()
            for k, v in zip(words[::2], words[1::2]):
                seen[c["case"]].setdefault(k, []).append(float(v))
    result = {}
    for c in probe_cases:
        result[c["case"]] = {k: {"minMs": min(v), "medianMs": pct(v, 0.5)} for k, v in seen[c["case"]].items()}
        print("%-28s %s, min (median) ms: %s" % (c["case"], label, "  ".join(
            "%s %.2f (%.2f)" % (k, v["minMs"], v["medianMs"]) for k, v in result[c["case"]].items())))
    return result
phases = in_process(phases_file, "in-process")
thread_cpu = in_process(threadcpu_file, "main-thread CPU")
load = " ".join(open("/proc/loadavg").read().split()[:3]) + " on %d cores" % os.cpu_count()
print("load average after the runs: " + load)
if out:
    with open(out, "w") as f:
        json.dump({"runs": runs, "load": load, "cases": list(by_name.values()), "adds": adds, "phases": phases,
                   "threadCpu": thread_cpu},
                  f, indent=2)
        f.write("\n")
PY
