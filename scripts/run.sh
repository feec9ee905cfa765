#!/usr/bin/env bash
# Sets up, builds and runs the main job. Until the captioning model lands, that is the engine
# benchmark: GEMM, attention and a decoder block beside OpenBLAS and PyTorch 1.13.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
./build/app/glimpse bench "$@"
