#!/usr/bin/python3
"""PyTorch oracle for the whole-model parity test (tests/test_model_parity.cpp).

Usage:  /usr/bin/python3 tests/parity/make_model_fixtures.py --out DIR
(Debian's python3, which has torch 1.13; the pyenv python3 first on PATH has no torch.)

For every fusion strategy the script builds the captioning model from PyTorch's own modules
(tests/parity/torch_model.py), gives it random weights, and writes into DIR:

  model_<fusion>.safetensors   a Glimpse checkpoint written by this script -- not by the engine --
                               following docs/model-format.md: every parameter under its name,
                               __metadata__ glimpse.format "1", glimpse.config (the JSON that
                               model/src/model_config.cpp's to_json writes), glimpse.vocabulary,
                               glimpse.provenance;
  case_<fusion>.safetensors    a batch of two images with contexts of different lengths;
  case_<fusion>_noctx.safetensors  the same images with a zero-length context.

A case file holds the inputs -- "image_rgb" [B, S, S, 3] pixel values, "patches" [B*N, 3*P*P]
(the pixels normalised and patchified as docs/model-format.md says), "context_ids" and
"context_padding" [B, Lc] (1 = padding), "caption_ids" [B, T] (<bos> w1 ... w_{T-1}) -- and
PyTorch's results: "logits" [B*T, V] (teacher forcing), a fixed random "R" [B*T, V] and
"grad.<name>", the gradient of sum(logits * R) w.r.t. every parameter. Integer data is stored
as exact float32 values. Each case is also run in float64; if float32 PyTorch strays from it by
more than a tenth of the C++ tolerance the case measures rounding, not parity, and the script
refuses to write it.
"""

import argparse
import copy
import json
import os
import sys
import time

import torch

sys.dont_write_bytecode = True  # keep the source tree free of __pycache__
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from st_writer import write_safetensors  # noqa: E402
from torch_model import FUSIONS, GlimpseCaptionModel, patchify  # noqa: E402

# The model config: small, but every dimension distinct where it can be, several heads, a
# non-trivial normalisation, every position table used to its end.
BASE_CONFIG = {
    "image_size": 16, "patch_size": 4, "resize": "letterbox",
    "mean": [0.5, 0.25, 0.75], "std": [0.5, 0.25, 1.0],
    "d_model": 32, "num_heads": 4, "d_hidden": 64, "dropout": 0.0, "gelu": "erf",
    "encoder_layers": 2, "context_layers": 1, "decoder_layers": 2,
    "vocab_size": 31, "max_caption_len": 9, "max_context_len": 6,
    "fusion": "concat", "tie_embeddings": True,
}
# Per strategy: the untied output projection and the tanh GELU are covered once each.
VARIANTS = {
    "concat": {},
    "separate": {},
    "parallel": {"tie_embeddings": False},
    "hierarchical": {"gelu": "tanh"},
    "gated": {},
}
BATCH = 2
CONTEXT_LENGTHS = [6, 3]  # real tokens per sample (each sample has at least one)
PAD, BOS, EOS, UNK = 0, 1, 2, 3
# The C++ test's tolerance is 1e-4; a case whose float32 PyTorch result strays from float64
# by more than a tenth of that is refused.
CONDITIONING_LIMIT = 1e-5


def config_json(cfg):
    """The config as model/src/model_config.cpp's to_json writes it: nlohmann::json keeps keys
    sorted and dump(2) indents by two spaces."""
    return json.dumps(cfg, indent=2, sort_keys=True)


def vocabulary_json(size):
    """A valid vocabulary (text/src/vocabulary.cpp): the four special tokens, then words."""
    tokens = ["<pad>", "<bos>", "<eos>", "<unk>"] + [f"word{i}" for i in range(4, size)]
    return json.dumps({"format": "glimpse-vocabulary", "version": 1, "tokens": tokens})


def randomise(model, gen):
    """Random weights on top of PyTorch's default initialisation: position tables, modality
    embeddings and gates get O(1) values, every bias and LayerNorm parameter is moved off its
    constant default (so one the engine ignored would show)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if leaf in ("pos_row", "pos_col", "pos_embed") or name.startswith("modality_"):
                p.copy_(0.5 * torch.randn(p.shape, generator=gen))
            elif leaf.startswith("gate_"):
                # Non-zero gates of either sign: tanh(alpha) in about [0.4, 0.8] in magnitude.
                sign = 1.0 if leaf == "gate_image" else -1.0
                p.fill_(sign * (0.4 + 0.7 * float(torch.rand(1, generator=gen))))
            elif p.dim() == 1:
                p.add_(0.2 * torch.randn(p.shape, generator=gen))


def make_inputs(cfg, context_lengths, gen):
    S, P, V = cfg["image_size"], cfg["patch_size"], cfg["vocab_size"]
    B = len(context_lengths)
    rgb = torch.randint(0, 256, (B, S, S, 3), generator=gen)
    mean = torch.tensor(cfg["mean"])[None, :, None, None]
    std = torch.tensor(cfg["std"])[None, :, None, None]
    images = (rgb.permute(0, 3, 1, 2).float() / 255.0 - mean) / std
    patches = patchify(images, P)
    Lc = max(context_lengths)
    ids = torch.full((B, Lc), PAD, dtype=torch.long)
    padding = torch.ones(B, Lc, dtype=torch.bool)
    for b, n in enumerate(context_lengths):
        ids[b, :n] = torch.randint(4, V, (n,), generator=gen)
        padding[b, :n] = False
    T = cfg["max_caption_len"]
    caption = torch.randint(EOS, V, (B, T), generator=gen)  # any word, <eos> and <unk> included
    caption[:, 0] = BOS
    return rgb, patches, ids, padding, caption


def run(model, patches, ids, padding, caption, R):
    """Teacher-forced logits [B*T, V] and the gradient of sum(logits * R) for every parameter
    (zeros for a parameter the inputs do not reach, e.g. the context encoder without context)."""
    model.zero_grad(set_to_none=True)
    logits = model(patches, ids, padding, caption)
    logits = logits.reshape(-1, logits.shape[-1])
    (logits * R).sum().backward()
    grads = {n: (p.grad if p.grad is not None else torch.zeros_like(p))
             for n, p in model.named_parameters()}
    return logits.detach(), grads


def relative_error(a, ref):
    return float((a.double() - ref.double()).abs().max() / max(ref.double().abs().max(), 1e-30))


def write_case(out, name, cfg, model, model64, inputs, gen):
    rgb, patches, ids, padding, caption = inputs
    B, T, V = caption.shape[0], caption.shape[1], cfg["vocab_size"]
    R = torch.randn(B * T, V, generator=gen)
    logits, grads = run(model, patches, ids, padding, caption, R)
    logits64, grads64 = run(model64, patches.double(), ids, padding, caption, R.double())
    worst = relative_error(logits, logits64)
    for n in grads:
        if grads64[n].abs().max() > 0:
            worst = max(worst, relative_error(grads[n], grads64[n]))
    if worst > CONDITIONING_LIMIT:
        raise RuntimeError(f"{name}: float32 PyTorch differs from float64 by {worst:.2e} "
                           f"(> {CONDITIONING_LIMIT}): the case is ill-conditioned")
    t = {"image_rgb": rgb.float(), "patches": patches.reshape(-1, patches.shape[-1]),
         "context_ids": ids.float(), "context_padding": padding.float(),
         "caption_ids": caption.float(), "logits": logits, "R": R}
    for n, g in grads.items():
        t["grad." + n] = g
    meta = {"case": name, "checkpoint": f"model_{cfg['fusion']}.safetensors",
            "fusion": cfg["fusion"], "batch": B, "context_len": ids.shape[1], "caption_len": T,
            "torch_version": torch.__version__, "float64_check": f"{worst:.3e}"}
    write_safetensors(os.path.join(out, f"case_{name}.safetensors"), t, meta)
    return worst


def make_fusion_cases(out, fusion, seed):
    cfg = dict(BASE_CONFIG, fusion=fusion, **VARIANTS[fusion])
    torch.manual_seed(seed)  # PyTorch's default initialisation draws from the global generator
    gen = torch.Generator().manual_seed(seed)
    model = GlimpseCaptionModel(cfg)
    randomise(model, gen)
    model.eval()
    model64 = copy.deepcopy(model).double()

    write_safetensors(
        os.path.join(out, f"model_{fusion}.safetensors"), model.state_dict(),
        {"glimpse.format": "1", "glimpse.config": config_json(cfg),
         "glimpse.vocabulary": vocabulary_json(cfg["vocab_size"]),
         "glimpse.provenance": json.dumps({"tool": "tests/parity/make_model_fixtures.py",
                                           "torch": torch.__version__, "seed": seed})})

    inputs = make_inputs(cfg, CONTEXT_LENGTHS, gen)
    worst = write_case(out, fusion, cfg, model, model64, inputs, gen)
    rgb, patches, _, _, caption = inputs
    no_context = (rgb, patches, torch.zeros(BATCH, 0, dtype=torch.long),
                  torch.zeros(BATCH, 0, dtype=torch.bool), caption)
    worst = max(worst, write_case(out, fusion + "_noctx", cfg, model, model64, no_context, gen))
    return worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="directory for the .safetensors fixtures")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    start = time.time()
    worst = 0.0
    for i, fusion in enumerate(FUSIONS):
        worst = max(worst, make_fusion_cases(args.out, fusion, 300 + i))
    print(f"make_model_fixtures: {len(FUSIONS)} checkpoints and {2 * len(FUSIONS)} cases in "
          f"{args.out} ({time.time() - start:.2f} s, torch {torch.__version__}; "
          f"float32-vs-float64 worst {worst:.1e})")


if __name__ == "__main__":
    main()
