#!/usr/bin/env bash
# Reproduces the shipped models: generates the emoji-scene data (the 64-object catalogue,
# assets/scene-objects-64.json), then trains one model per fusion strategy with the same data,
# seed, size, step budget and patch-object loss, copies each finished model (fp16) into
# assets/models/ with its curves and metrics log into docs/models/, and, once all five are
# there, writes the comparison tables on test and test-style (docs/models/compare-*.md).
# Recipe and measurements: docs/models.md.
#
#   bash scripts/train-models.sh                       # all five, one after the other
#   bash scripts/train-models.sh concat separate       # some of them
#   MAX_MINUTES=150 bash scripts/train-models.sh       # stop (state saved) after 150 min per
#                                                      # call; run it again to continue
#
# Every run resumes from its training state in runs/ when there is one, so an interrupted
# call (Ctrl-C, a killed session, --max-minutes) loses at most one checkpoint interval.
set -euo pipefail
cd "$(dirname "$0")/.."
# GLIMPSE=path/to/glimpse uses that binary instead of building one.
if [ -z "${GLIMPSE:-}" ]; then
  bash scripts/setup.sh
  bash scripts/build.sh release
fi
G=${GLIMPSE:-./build/app/glimpse}
DATA=${DATA:-data/scenes-64}
OBJECTS=assets/scene-objects-64.json
STEPS=1600
RUNS=${RUNS:-runs}
MAX_MINUTES=${MAX_MINUTES:-0}
THREADS=${THREADS:-$(nproc)}
mkdir -p "$DATA" "$RUNS" assets/models docs/models

for spec in train:20000 val:1000 test:1000 test-style:1000; do
  split=${spec%%:*}
  count=${spec##*:}
  [ -f "$DATA/$split/captions.json" ] || $G scenes --count "$count" --seed 1 --size 128 --split "$split" \
    --objects "$OBJECTS" --out "$DATA/$split"
done

fusions=("$@")
[ ${#fusions[@]} -gt 0 ] || fusions=(concat separate parallel hierarchical gated)
for fusion in "${fusions[@]}"; do
  echo "== $fusion" >&2
  start=$(date +%s)
  $G train "$DATA/train" --val "$DATA/val" --val-images 200 --val-every 400 \
    --catalogue assets/scene-objects.json \
    --out "$RUNS/$fusion.safetensors" --save-dtype f16 --fusion "$fusion" \
    --config assets/models/model-config.json --object-loss 1 \
    --batch 32 --steps "$STEPS" --warmup 100 --lr 5e-4 --min-lr 1e-5 --seed 1 \
    --checkpoint-every 100 --threads "$THREADS" --max-minutes "$MAX_MINUTES" --resume
  echo "$fusion: $(( ($(date +%s) - start) / 60 )) min in this call" >&2
  if /usr/bin/python3 - "$RUNS/$fusion.metrics.jsonl" "$STEPS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if rows and max(r["step"] for r in rows) >= int(sys.argv[2]) else 1)
PY
  then
    cp "$RUNS/$fusion.safetensors" "assets/models/$fusion.safetensors"
    cp "$RUNS/$fusion.curves.png" "$RUNS/$fusion.metrics.jsonl" docs/models/
  else
    echo "$fusion: not finished yet; run the script again to continue" >&2
  fi
done

# The comparison tables (docs/models.md quotes them), once every strategy has shipped. Captions
# come from the files in assets/models/, exactly what users get.
all=(concat separate parallel hierarchical gated)
models=()
for fusion in "${all[@]}"; do
  [ -f "assets/models/$fusion.safetensors" ] && models+=("assets/models/$fusion.safetensors")
done
if [ ${#models[@]} -eq ${#all[@]} ]; then
  list=$(IFS=,; echo "${models[*]}")
  for split in test test-style; do
    $G compare --models "$list" --data "$DATA/$split" --markdown --max-diffs 10 --batch 1 \
      > "docs/models/compare-$split.md.tmp"
    mv "docs/models/compare-$split.md.tmp" "docs/models/compare-$split.md"
  done
fi
