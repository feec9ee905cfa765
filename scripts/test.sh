#!/usr/bin/env bash
# Sets up, builds and runs every check: the Release build (warnings are errors) and its tests;
# the clang sanitizer build (AddressSanitizer + UndefinedBehaviorSanitizer, with the libFuzzer
# targets) and the whole suite again under it; short fuzz runs; clang-tidy and cppcheck. Prints
# each phase's wall time as it ends and all of them at the end. This is what .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
export GLIMPSE_WERROR=ON

phase_report=()
lint_pid="" lint_log=""
# On exit: stop a background lint that is still running (a failed phase ends the run early),
# then print the phase times.
report_phases() {
  local status=$?
  if [ -n "$lint_pid" ]; then kill -- "-$lint_pid" 2>/dev/null || true; fi
  if [ -n "$lint_log" ]; then rm -f "$lint_log"; fi
  if [ ${#phase_report[@]} -gt 0 ]; then
    echo "== phase wall times"
    printf '   %s\n' "${phase_report[@]}"
  fi
  return $status
}
trap report_phases EXIT

# phase NAME COMMAND...: runs one phase and records its wall time.
phase() {
  local name=$1
  shift
  local start=$SECONDS
  echo "== $name"
  "$@"
  local seconds=$((SECONDS - start))
  phase_report+=("$(printf '%-18s %3dm%02ds' "$name" $((seconds / 60)) $((seconds % 60)))")
  echo "== $name: ${phase_report[-1]##* }"
}

# The sanitizers stop at the first report; LeakSanitizer is on (the GUI tests turn it off for
# the app itself, tests/gui/CMakeLists.txt says why).
sanitized() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 "$@"
}

all_start=$SECONDS
phase setup bash scripts/setup.sh
phase "release build" bash scripts/build.sh release

# Static analysis (clang-tidy + cppcheck over the release tree's translation units) needs only
# the sources and build/compile_commands.json, so it starts now, in the background at the
# lowest priority: it runs on whatever the test and build phases leave idle (tests waiting on
# Xvfb or on each other, serial link steps) and costs them next to nothing. What is left of it
# runs on both cores at the end, beside the fuzzers. It gets a process group of its own
# (setsid), so that the exit trap stops its clang-tidy processes too. A new session is also a
# new scheduler autogroup where the kernel has them (sched_autogroup_enabled): groups share the
# CPU equally whatever their tasks' nice values, so the lint group's own nice is set to 19 too;
# without that the "background" lint took half of both cores from the builds and tests
# (measured: clang-tidy at 50 % beside clang++ at 50 %).
lint_log=$(mktemp)
lint_start=$SECONDS
setsid nice -n 19 bash -c 'if [ -w /proc/self/autogroup ]; then echo 19 >/proc/self/autogroup || true; fi
                           exec bash scripts/lint.sh build' >"$lint_log" 2>&1 &
lint_pid=$!

phase "release ctest" ctest --test-dir build --output-on-failure --timeout 600 -j "$jobs"
phase "sanitizer build" bash scripts/build.sh asan
phase "sanitizer ctest" sanitized ctest --test-dir build-asan --output-on-failure --timeout 900 -j "$jobs"
# The fuzz targets were built in build-asan/ just now (scripts/build.sh asan); scripts/fuzz.sh
# runs them one after the other, each for a fixed wall time, on one core, while the lint
# finishes on the other.
fuzz_then_lint() {
  local fuzz_status=0 lint_status=0
  GLIMPSE_FUZZ_BUILD_DIR=build-asan GLIMPSE_FUZZ_NO_BUILD=1 sanitized bash scripts/fuzz.sh --all 20 || fuzz_status=$?
  wait "$lint_pid" || lint_status=$?
  cat "$lint_log"
  echo "lint: $((SECONDS - lint_start)) s since it started after the release build"
  [ "$fuzz_status" -eq 0 ] && [ "$lint_status" -eq 0 ]
}
phase "fuzz + lint" fuzz_then_lint
total=$((SECONDS - all_start))
phase_report+=("$(printf '%-18s %3dm%02ds' total $((total / 60)) $((total % 60)))")
