#!/usr/bin/env bash
# Long fuzzing runs (issue 13, point 9): every libFuzzer target of a fuzz build for RUNS
# executions each (default 10^7), starting from the seed corpus in tests/fuzz/corpus/
# (scripts/fuzz_corpus.py writes it from ../shared/data), then merging what the run found
# back into that corpus, minimised. Prints one line per target: executions, seconds,
# executions/s, corpus size, and the verdict; a crash leaves its input in
# /tmp/hashrig-fuzz/TARGET/ and makes the exit status 1. A run stopped with SIGINT (kill
# -INT the fuzzer: libFuzzer exits 72) is a run, not a failure: what it found is merged.
#
#   scripts/fuzz_long.sh [BUILD_DIR] [RUNS] [TARGET...]     (default build/asan, 10000000)
#
# BUILD_DIR must be configured with -DHASHRIG_FUZZ=ON (clang; scripts/test.sh's build/asan
# is: ASan + UBSan + libFuzzer). FUZZ_SECONDS=S also stops each target after S seconds
# (whichever comes first). FUZZ_JOBS=N runs N fuzzer processes per target side by side (one
# per core), RUNS/N executions each, all writing their finds to the same found/ directory
# (libFuzzer reloads it, so each sees the others' finds) and logging to run.log, run.2.log,
# ...; the executions printed are their sum. docs/RELIABILITY.md records the figures.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/asan}
runs=${2:-10000000}
shift $(($# < 2 ? $# : 2))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cd "$build/tests/fuzz" && ls fuzz_* | grep -v '\.')
fi
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
printf '%-22s %12s %8s %9s %7s  %s\n' target executions seconds "exec/s" corpus verdict
for target in "${targets[@]}"; do
  binary="$build/tests/fuzz/$target"
  seeds="tests/fuzz/corpus/$target"
  work="/tmp/hashrig-fuzz/$target"
  mkdir -p "$seeds" "$work/found" "$work/crashes"
  jobs=${FUZZ_JOBS:-1}
  rm -f "$work"/run.[0-9]*.log
  start=$(date +%s)
  pids=()
  for ((job = 1; job <= jobs; job++)); do
    log="$work/run.log"
    [ "$job" -gt 1 ] && log="$work/run.$job.log"
    "$binary" -runs="$((runs / jobs))" -max_total_time="${FUZZ_SECONDS:-0}" -rss_limit_mb=2048 \
      -timeout=30 -print_final_stats=1 \
      -artifact_prefix="$work/crashes/" "$work/found" "$seeds" >"$log" 2>&1 &
    pids+=($!)
  done
  rc=0
  for pid in "${pids[@]}"; do
    wait "$pid"
    job_rc=$?
    # The worst exit wins: a crash (any status but 0 and 72) over a SIGINT stop over a clean end.
    if [ $job_rc -ne 0 ] && { [ $rc -eq 0 ] || [ $rc -eq 72 ]; }; then rc=$job_rc; fi
  done
  seconds=$(($(date +%s) - start))
  done_runs=$(cat "$work"/run.log "$work"/run.[0-9]*.log 2>/dev/null |
    grep -o 'stat::number_of_executed_units: *[0-9]*' | awk '{n += $2} END {print n + 0}')
  verdict="ok"
  if [ $rc -eq 72 ]; then
    verdict="stopped (SIGINT)"
  elif [ $rc -ne 0 ]; then
    verdict="FAILED (exit $rc; see $work/run*.log and $work/crashes/)"
    status=1
  fi
  if [ $rc -eq 0 ] || [ $rc -eq 72 ]; then
    "$binary" -merge=1 "$seeds" "$work/found" >"$work/merge.log" 2>&1 || true
  fi
  printf '%-22s %12s %8s %9s %7s  %s\n' "$target" "${done_runs:-0}" "$seconds" \
    "$((${done_runs:-0} / (seconds > 0 ? seconds : 1)))" "$(ls "$seeds" | wc -l)" "$verdict"
done
exit $status
