#!/usr/bin/env bash
# Reproduces the shipped models from scratch (docs/models.md has the recipe, the reasons and
# the measurements). One chain of runs, each starting from the previous one's weights with
# `glimpse train --init` (a fresh optimiser and schedule):
#
#   1. concat-64      the 64-object catalogue, Noto, 1,600 steps from random weights
#   2. concat-326     the whole catalogue (326 objects), Noto, 8,000 steps
#   3. concat-mixed   six training art styles (`--style mixed`), 5,000 steps
#   4. concat-mixed2  the same data, 12,000 steps (the committed file stopped at its time
#                     limit at step 10,036; this script runs the whole schedule)
#   5. concat-polish  the same data, 1,500 steps, lr 2e-4 (the previous sitting's shipped concat)
#   6. concat-mixed3  120,000 fresh scenes in the six styles (seed 5), 14,000 steps
#   7. concat-fresh160k  160,000 fresh scenes (seeds 71-74, 40,000 each), 8,000 steps, bf16
#   8. concat-attn    240,000 fresh scenes (seeds 75-80), 8,000 steps, with attention
#                     supervision (`--attention-loss 1`, docs/training.md), bf16
#   9. the fusion suite: all five strategies from concat-attn's weights, its data and
#      recipe (attention loss included), 1,500 steps each; concat and separate with a second
#      seed. A per-modality sub-layer starts as a copy of the concat cross-attention
#      (docs/training.md).
#
# then copies the suite's first seed of each strategy (fp16) into assets/models/ with its
# curves and metrics log into docs/models/, and writes the comparison tables.
#
#   bash scripts/train-models.sh                 # everything not finished yet, in order
#   MAX_MINUTES=150 bash scripts/train-models.sh # stop (state saved) after 150 min per run;
#                                                # run it again to continue
#   PRECISION=auto bash scripts/train-models.sh  # bf16 matmuls where the CPU has AVX512-BF16
#                                                # or AMX (glimpse train --precision): 1.41-1.50x
#                                                # the samples/s at 1 thread (docs/performance.md);
#                                                # stage 7 on fresh scenes converged to the same
#                                                # F1 either way (docs/models/wip). The shipped
#                                                # models were trained in fp32, the default here.
#
# Wall time measured on the AMD EPYC (2 cores) of these sessions, mostly one thread beside
# builds: stage 1 ~17 min, 2 84 min, 3 23 min (2 threads), 4 145 min (to step 10,036), 5 9-17
# min, 6 92 min, 7 28 min (2 threads, Intel Xeon with AMX), 8 70 min, 9 10-25 min per model
# (7 models, two runs side by side beside builds): about 11 hours in all, in several sittings.
# Stages 7-9 ran with bf16 matmuls whatever PRECISION says (--precision auto; fp32 on a CPU
# without AVX512-BF16 or AMX). Every run resumes
# from its training state in runs/ when there is one, so an interrupted call (Ctrl-C, a killed
# session, --max-minutes) loses at most one checkpoint interval.
set -euo pipefail
cd "$(dirname "$0")/.."
# GLIMPSE=path/to/glimpse uses that binary instead of building one.
if [ -z "${GLIMPSE:-}" ]; then
  bash scripts/setup.sh
  bash scripts/build.sh release
fi
G=${GLIMPSE:-./build/app/glimpse}
RUNS=${RUNS:-runs/chain}
MAX_MINUTES=${MAX_MINUTES:-0}
THREADS=${THREADS:-1}
PRECISION=${PRECISION:-fp32}
mkdir -p "$RUNS" assets/models docs/models

# scenes DIR SPLIT COUNT SEED [extra flags...]: generate a split once.
scenes() {
  local dir=$1 split=$2 count=$3 seed=$4
  shift 4
  [ -f "$dir/$split/captions.json" ] ||
    $G scenes --count "$count" --seed "$seed" --size 128 --split "$split" --out "$dir/$split" "$@"
}
scenes data/scenes-64 train 20000 1 --objects assets/scene-objects-64.json
scenes data/scenes-64 val 1000 1 --objects assets/scene-objects-64.json
for split in val test test-style; do scenes data/scenes-326 "$split" 1000 1; done
scenes data/scenes-326 train 60000 1
scenes data/scenes-326-mixed train 60000 2 --style mixed
scenes data/scenes-326-mixed val 1000 2 --style mixed
scenes data/scenes-326-mixed3 train 120000 5 --style mixed
# The same validation scenes as scenes-326-mixed (same seed, count and style).
scenes data/scenes-326-mixed3 val 1000 2 --style mixed
# Stages 7-9: fresh six-style scenes, 40,000 per seed.
fresh_dirs() { local seed; for seed in "$@"; do echo "data/scenes-326-fresh$seed/train"; done; }
for seed in 71 72 73 74 75 76 77 78 79 80; do
  scenes "data/scenes-326-fresh$seed" train 40000 "$seed" --style mixed
done
read -r -a fresh160k <<<"$(fresh_dirs 71 72 73 74 | tr '\n' ' ')"
read -r -a fresh240k <<<"$(fresh_dirs 75 76 77 78 79 80 | tr '\n' ' ')"

# finished NAME STEPS: the run's metrics log reached its last step.
finished() {
  [ -f "$RUNS/$1.metrics.jsonl" ] && /usr/bin/python3 - "$RUNS/$1.metrics.jsonl" "$2" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
sys.exit(0 if rows and max(r["step"] for r in rows) >= int(sys.argv[2]) else 1)
PY
}

# stage NAME DATA FUSION STEPS WARMUP LR SEED INIT|- VAL_EVERY FLAGS...
# DATA is a folder with train/ and val/; TRAIN_DIRS, when set, replaces its train/ with those
# folders (stages 7-9). Returns 1 when the run stopped before its last step (the next stages
# must wait).
stage() {
  local name=$1 data=$2 fusion=$3 steps=$4 warmup=$5 lr=$6 seed=$7 init=$8 every=$9
  shift 9
  finished "$name" "$steps" && return 0
  echo "== $name" >&2
  local start init_flag=() train_dirs=("$data/train")
  start=$(date +%s)
  [ "$init" = - ] || init_flag=(--init "$init")
  [ -z "${TRAIN_DIRS:-}" ] || read -r -a train_dirs <<<"$TRAIN_DIRS"
  GLIMPSE_THREADS=$THREADS $G train "${train_dirs[@]}" --val "$data/val" --val-images 200 \
    --val-every "$every" --out "$RUNS/$name.safetensors" --save-dtype f16 --fusion "$fusion" \
    --config assets/models/model-config.json --object-loss 1 --batch 32 --steps "$steps" \
    --warmup "$warmup" --lr "$lr" --min-lr 1e-5 --seed "$seed" --checkpoint-every 100 \
    --threads "$THREADS" --precision "$PRECISION" --max-minutes "$MAX_MINUTES" --resume "${init_flag[@]}" "$@"
  echo "$name: $(( ($(date +%s) - start) / 60 )) min in this call" >&2
  finished "$name" "$steps" || { echo "$name: not finished yet; run the script again" >&2; return 1; }
}

all326=(--catalogue assets/scene-objects.json)
stage concat-64 data/scenes-64 concat 1600 100 5e-4 1 - 400 --catalogue assets/scene-objects-64.json
stage concat-326 data/scenes-326 concat 8000 200 5e-4 1 "$RUNS/concat-64.safetensors" 500 "${all326[@]}"
stage concat-mixed data/scenes-326-mixed concat 5000 100 3e-4 1 "$RUNS/concat-326.safetensors" 500 "${all326[@]}"
stage concat-mixed2 data/scenes-326-mixed concat 12000 100 3e-4 3 "$RUNS/concat-mixed.safetensors" 1000 "${all326[@]}"

stage concat-polish data/scenes-326-mixed concat 1500 100 2e-4 11 "$RUNS/concat-mixed2.safetensors" 500 "${all326[@]}"
stage concat-mixed3 data/scenes-326-mixed3 concat 14000 100 2e-4 4 "$RUNS/concat-polish.safetensors" 1000 "${all326[@]}"

# Stages 7-9 were trained with bf16 matmuls (the last flag wins over PRECISION's).
TRAIN_DIRS="${fresh160k[*]}" stage concat-fresh160k data/scenes-326-mixed3 concat 8000 100 2e-4 21 \
  "$RUNS/concat-mixed3.safetensors" 1000 "${all326[@]}" --precision auto
TRAIN_DIRS="${fresh240k[*]}" stage concat-attn data/scenes-326-mixed3 concat 8000 100 2e-4 22 \
  "$RUNS/concat-fresh160k.safetensors" 1000 "${all326[@]}" --attention-loss 1 --precision auto

# The fusion suite. Seeds 11 (shipped) and 12 (the training spread for concat and separate).
suite=(concat:11 separate:11 parallel:11 hierarchical:11 gated:11 concat:12 separate:12)
for spec in "${suite[@]}"; do
  fusion=${spec%%:*}
  seed=${spec##*:}
  TRAIN_DIRS="${fresh240k[*]}" stage "$fusion-s$seed" data/scenes-326-mixed3 "$fusion" 1500 100 2e-4 "$seed" \
    "$RUNS/concat-attn.safetensors" 500 "${all326[@]}" --attention-loss 1 --precision auto
done

all=(concat separate parallel hierarchical gated)
for fusion in "${all[@]}"; do
  cp "$RUNS/$fusion-s11.safetensors" "assets/models/$fusion.safetensors"
  cp "$RUNS/$fusion-s11.curves.png" "docs/models/$fusion.curves.png"
  cp "$RUNS/$fusion-s11.metrics.jsonl" "docs/models/$fusion.metrics.jsonl"
done
for fusion in concat separate; do
  cp "$RUNS/$fusion-s12.curves.png" "docs/models/$fusion-s2.curves.png"
  cp "$RUNS/$fusion-s12.metrics.jsonl" "docs/models/$fusion-s2.metrics.jsonl"
done

# The comparison tables (docs/models.md quotes them) on freshly generated test sets. Captions
# come from the files in assets/models/, exactly what users get; the second seeds sit beside
# their first to show the spread from training.
scenes data/scenes-326-eval test 1000 99
scenes data/scenes-326-eval test-style 1000 99
models=()
for fusion in "${all[@]}"; do models+=("assets/models/$fusion.safetensors"); done
models+=("$RUNS/concat-s12.safetensors" "$RUNS/separate-s12.safetensors")
list=$(IFS=,; echo "${models[*]}")
for split in test test-style; do
  $G compare --models "$list" --data "data/scenes-326-eval/$split" --catalogue assets/scene-objects.json \
    --contexts all --markdown --max-diffs 10 > "docs/models/compare-$split.md.tmp"
  mv "docs/models/compare-$split.md.tmp" "docs/models/compare-$split.md"
done
