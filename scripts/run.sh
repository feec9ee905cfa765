#!/usr/bin/env bash
# Sets up, builds and runs the main job: the desktop app `glimpse-gui` on a sample scene with
# the shipped default model (concat fusion). Extra arguments go to glimpse-gui (e.g.
# --image PHOTO.jpg, --compare assets/models/separate.safetensors, --context "an animal").
#
# Without a display ($DISPLAY and $WAYLAND_DISPLAY unset) it says so, renders the app under
# Xvfb to out/gui.png, and captions the sample scenes with the CLI, writing every word's
# attention overlay under out/samples/<image>/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh release
gui=./build/app/gui/glimpse-gui
mkdir -p out

if [ ! -x "$gui" ]; then
  echo "run: glimpse-gui was not built (GLFW/OpenGL/Dear ImGui missing at configure time); captioning the samples with the CLI instead" >&2
elif [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "$gui" "$@"
else
  echo "run: no display (\$DISPLAY is unset): rendering glimpse-gui under Xvfb to out/gui.png and captioning the samples with the CLI" >&2
  xvfb-run -a -s "-screen 0 1600x1000x24" "$gui" --size 1600x1000 --frames 20 --screenshot out/gui.png "$@"
  echo "run: the app's screenshot: $(pwd)/out/gui.png" >&2
fi
./build/app/glimpse caption assets/samples/*.png --overlay-dir out/samples
echo "overlays: $(pwd)/out/samples/<image>/sheet.png (one per image), NN-word.png per word" >&2
