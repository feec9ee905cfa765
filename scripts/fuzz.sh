#!/usr/bin/env bash
# Runs the libFuzzer targets of tests/fuzz (docs/fuzzing.md).
#
#   scripts/fuzz.sh TARGET SECONDS   one target, e.g. `checkpoint` or `fuzz_checkpoint`
#   scripts/fuzz.sh --all SECONDS    every target, one after the other, SECONDS each
#   scripts/fuzz.sh --list           the target names
#
# Each run fuzzes a working corpus under BUILD/fuzz-work/TARGET/corpus that starts as a copy of
# the committed seeds (tests/fuzz/corpus/TARGET) and keeps what earlier runs found; the seeds
# themselves are never written. It prints the executions, exec/s and corpus size, and exits
# non-zero on a finding (crash, sanitizer report, leak, out-of-memory, timeout), the input that
# caused it saved under BUILD/fuzz-work/TARGET/findings/.
#
# Environment:
#   GLIMPSE_FUZZ_BUILD_DIR  the build tree (default build-fuzz; build-asan when build-fuzz is
#                           not configured and build-asan was configured with GLIMPSE_BUILD_FUZZ)
#   GLIMPSE_FUZZ_JOBS       compile jobs when the targets need building (default 1)
#   GLIMPSE_FUZZ_FRESH=1    start the working corpus afresh from the seeds
#   GLIMPSE_FUZZ_NO_BUILD=1 run the binaries as they are (for a tree just built, or runs in
#                           parallel, which must not rebuild the same tree at once)
#   GLIMPSE_FUZZ_FLAGS      more libFuzzer flags, e.g. "-only_ascii=1"
# A tree that does not exist yet is configured with Debian's clang, ASan + UBSan, the fuzz
# targets, no tests, benchmarks or GUI.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

targets=(checkpoint model_metadata caption_dataset tokenizer image)

usage() {
  echo "usage: scripts/fuzz.sh TARGET SECONDS | --all SECONDS | --list" >&2
  echo "targets: ${targets[*]}" >&2
  exit 2
}

# count DIR: the number of files in DIR. saved DIR: the finding inputs libFuzzer wrote there
# (crash-*, leak-*, oom-*, timeout-*; a slow-unit-* is no finding), sorted.
count() { find "$1" -maxdepth 1 -type f | wc -l; }
saved() { find "$1" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'oom-*' -o -name 'timeout-*' \) -printf '%f\n' | sort; }

fuzz_enabled() { [ -f "$1/CMakeCache.txt" ] && grep -q '^GLIMPSE_BUILD_FUZZ:BOOL=ON' "$1/CMakeCache.txt"; }

if [ -n "${GLIMPSE_FUZZ_BUILD_DIR:-}" ]; then
  build=$GLIMPSE_FUZZ_BUILD_DIR
elif [ ! -f build-fuzz/CMakeCache.txt ] && fuzz_enabled build-asan; then
  build="build-asan"
else
  build="build-fuzz"
fi
case "$build" in /*) ;; *) build=$root/$build ;; esac

configure() {
  if [ ! -f "$build/CMakeCache.txt" ]; then
    command -v clang++ >/dev/null || { echo "fuzz.sh: clang++ is needed (apt-get install clang)" >&2; exit 1; }
    echo "fuzz.sh: configuring $build (clang, ASan + UBSan, libFuzzer targets)"
    CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DGLIMPSE_SANITIZE=ON -DGLIMPSE_BUILD_FUZZ=ON -DGLIMPSE_BUILD_TESTS=OFF \
      -DGLIMPSE_BUILD_BENCH=OFF -DGLIMPSE_BUILD_GUI=OFF >/dev/null
  fi
  if ! fuzz_enabled "$build"; then
    echo "fuzz.sh: $build is not configured with -DGLIMPSE_BUILD_FUZZ=ON (clang); set" \
         "GLIMPSE_FUZZ_BUILD_DIR to a tree that is, or to a new folder" >&2
    exit 1
  fi
}

# build TARGET...: brings the fuzz binaries up to date (a no-op when they are).
build_targets() {
  local names=()
  for t in "$@"; do names+=("fuzz_$t"); done
  nice -n 5 cmake --build "$build" -j"${GLIMPSE_FUZZ_JOBS:-1}" --target "${names[@]}" >"$build/fuzz-build.log" 2>&1 || {
    tail -40 "$build/fuzz-build.log" >&2
    echo "fuzz.sh: building ${names[*]} in $build failed (log: $build/fuzz-build.log)" >&2
    exit 1
  }
}

# run TARGET SECONDS: fuzzes one target; returns libFuzzer's status.
run_target() {
  local name=$1 seconds=$2
  local seeds=$root/tests/fuzz/corpus/$name work=$build/fuzz-work/$name
  local corpus=$work/corpus findings=$work/findings log=$work/fuzz.log
  [ -d "$seeds" ] || { echo "fuzz.sh: no seed corpus $seeds" >&2; return 1; }
  [ "${GLIMPSE_FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
  mkdir -p "$corpus" "$findings"
  cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  local dict=()
  [ -f "$root/tests/fuzz/$name.dict" ] && dict=(-dict="$root/tests/fuzz/$name.dict")
  local extra=()
  read -ra extra <<<"${GLIMPSE_FUZZ_FLAGS:-}"
  local before
  before=$(saved "$findings")
  echo "== fuzz_$name: ${seconds}s over $(count "$corpus") inputs"
  local status=0
  # Leaks count as findings; the sanitizers stop at the first report.
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$build/tests/fuzz/fuzz_$name" -rss_limit_mb=2048 -timeout=10 -max_total_time="$seconds" \
      -print_final_stats=1 -artifact_prefix="$findings/" "${dict[@]}" "${extra[@]}" \
      "$corpus" >"$log" 2>&1 || status=$?
  local execs rate rss
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -1)
  local coverage
  coverage=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  echo "   executions ${execs:-?}, ${rate:-?} exec/s, corpus $(count "$corpus") inputs, ${coverage:-cov: ?}, peak RSS ${rss:-?} MB (log: $log)"
  local new
  new=$(comm -13 <(printf '%s\n' "$before") <(saved "$findings") | sed '/^$/d')
  if [ "$status" -ne 0 ] || [ -n "$new" ]; then
    grep -E 'ERROR: |SUMMARY: |runtime error|^fuzz_' "$log" | head -20 >&2 || true
    echo "   FINDING in fuzz_$name (status $status); saved inputs:" >&2
    printf '%s\n' "$new" | sed '/^$/d' | sed "s|^|     $findings/|" >&2
    [ "$status" -ne 0 ] || status=1
  fi
  return "$status"
}

[ $# -ge 1 ] || usage
case "$1" in
  --list) printf '%s\n' "${targets[@]}"; exit 0 ;;
  --all) [ $# -eq 2 ] || usage; chosen=("${targets[@]}"); seconds=$2 ;;
  -*) usage ;;
  *) [ $# -eq 2 ] || usage; chosen=("${1#fuzz_}"); seconds=$2
     printf '%s\n' "${targets[@]}" | grep -qx "${chosen[0]}" || usage ;;
esac
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then usage; fi

if [ "${GLIMPSE_FUZZ_NO_BUILD:-0}" != 1 ]; then
  configure
  build_targets "${chosen[@]}"
fi
failed=()
for t in "${chosen[@]}"; do
  run_target "$t" "$seconds" || failed+=("$t")
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz.sh: findings in ${failed[*]} (inputs under $build/fuzz-work/*/findings/)" >&2
  exit 1
fi
echo "fuzz.sh: no findings"
