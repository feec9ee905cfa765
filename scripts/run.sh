#!/usr/bin/env bash
# Sets up, builds and runs the main job: the shipped default model (concat fusion) captions the
# sample scenes in assets/samples and writes, for every word, the image patches it attended to
# (out/samples/<image>/NN-word.png and a contact sheet per image). Extra arguments go to
# `glimpse caption` (e.g. --beam 3, --context "an animal", --overlay-step input).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
./build/app/glimpse caption assets/samples/*.png --overlay-dir out/samples "$@"
echo "overlays: $(pwd)/out/samples/<image>/sheet.png (one per image), NN-word.png per word" >&2
