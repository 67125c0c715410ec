#!/usr/bin/env bash
# Fuzzes every Jazzer target (JAZZER_FUZZ=1), one after the other, each for the budget in its @FuzzTest
# (10 minutes). Usage: bench/fuzz.sh [Class#method ...]   (default: all targets)
# A crash is written into the target's src/test/resources/.../<Class>Inputs/<method>/ directory, where every
# later `mvn verify` replays it: fix the bug, keep the input, add a unit test. The growing corpus goes to
# .cifuzz-corpus/ (not committed). Logs: target/fuzz/<Class>#<method>.log; the last "#N DONE" line of each
# gives the executions and the time.
set -uo pipefail
cd "$(dirname "$0")/.."
loader=(SnapshotFuzzTest#openVerifyAndLookUp SnapshotFuzzTest#configTable SnapshotFuzzTest#promptTemplate SnapshotFuzzTest#tokenizeAndRender
        JsonFuzzTest#parse StoreRegistryFuzzTest#fromJson)
plugin=(InputReaderFuzzTest#yamlAndJson DifyAppCompilerFuzzTest#compile)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${loader[@]}" "${plugin[@]}")
mkdir -p target/fuzz
mvn -B -q -o -pl snapshot-loader test-compile -Dspotless.check.skip=true >/dev/null
status=0
for t in "${targets[@]}"; do
  module=snapshot-loader
  [[ " ${plugin[*]} " == *" $t "* ]] && module=snapshot-maven-plugin
  log="target/fuzz/$t.log"
  echo "== $t ($module), log $log"
  start=$(date +%s)
  JAZZER_FUZZ=1 mvn -B -o -pl "$module" -am test -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false \
    -Dspotless.check.skip=true -Dinvoker.skip=true >"$log" 2>&1 || status=1
  echo "   $(( $(date +%s) - start )) s; $(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)"
  grep -aE '== Java Exception|FuzzTestFinding|Tests run:.*(Failures: [1-9]|Errors: [1-9])' "$log" | head -3
done
exit $status
