#!/usr/bin/env bash
# Retakes the screenshots in docs/gui/ (docs/gui.md shows them): the real app under Xvfb at
# 1280x800 on sample 000000 with the context "music, brush" and word 13 ("paintbrushes") selected, one picture
# per view. fusion.png uses the gated model, so that its gates show. Run after the shipped
# models change, then look at every picture before committing them.
#
#   bash scripts/gui-screenshots.sh [OUT_DIR]   # default docs/gui
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/gui}
gui=${GLIMPSE_GUI:-build/app/gui/glimpse-gui}
mkdir -p "$out"
shot() {
  local name=$1
  shift
  xvfb-run -a -s "-screen 0 1920x1200x24" "$gui" --size 1280x800 --frames 30 --image assets/samples/000000.png \
    --context "music, brush" --select-word "${WORD:-13}" --screenshot "$out/$name.png" "$@"
  echo "$out/$name.png"
}
shot overlay --view overlay
shot grid --view grid
shot sheet --view sheet
shot compare --view compare
shot compare-force --view compare --force
shot fusion --view fusion --model assets/models/gated.safetensors
shot model-card --view model
