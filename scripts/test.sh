#!/usr/bin/env bash
# Sets up, builds and runs every test: the Release build, then the whole suite again under
# AddressSanitizer + UndefinedBehaviorSanitizer. This is what .ci/run runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
ctest --test-dir build --output-on-failure --timeout 600 -j "$(nproc)"
bash scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure --timeout 900 -j "$(nproc)"
