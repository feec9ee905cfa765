#!/usr/bin/python3
"""Training steps of a Glimpse model in PyTorch 1.13 eager mode: the baseline of
`glimpse bench --train`.

Run with Debian's /usr/bin/python3 (python3-torch). Loads the checkpoint (the engine's initial
weights) into the model of tests/parity/torch_model.py (PyTorch's own modules) and the batch the
engine trains on (--batch-file: patches, context ids and padding, caption inputs and targets,
and the names of the parameters AdamW does not decay), then runs the engine's training step:

  optimizer.zero_grad(); logits = model(...) in train mode;
  nn.CrossEntropyLoss(ignore_index=0, label_smoothing)(logits, targets).backward();
  clip_grad_norm_(params, max_norm); torch.optim.AdamW(lr, betas (0.9, 0.999), eps 1e-8,
  weight_decay on the engine's decayed parameters only).step()

Dropout: the engine drops after each attention block's output, inside the FFN (after GELU) and
after the FFN -- nn.Transformer*Layer's dropout1/2/3 and FFN dropout -- but not the attention
probabilities. The timed run sets every nn.Dropout to the checkpoint's dropout and keeps
nn.MultiheadAttention's own dropout at 0, so both sides drop the same activations.

  check_losses     --check-steps steps with every dropout at 0 (a fresh copy of the initial
                   weights): the loss of each step's forward; entry 0 is the initial weights'
                   loss, later entries follow the backward, clipping and AdamW
  ms_per_step      median full step, one warm-up step, repeated for at least --min-seconds
  forward_ms       median forward + loss (train mode, autograd recording), no backward
  samples_per_s    batch / step time

Prints one JSON object.
"""

import argparse
import json
import os
import sys

from peer_threads import cap_threads  # noqa: E402  (before torch)
from peer_blas import blas_report  # noqa: E402
from peer_timing import median_seconds  # noqa: E402

THREADS = cap_threads(default=1)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "parity"))
from torch_model import load_checkpoint, read_safetensors  # noqa: E402


def set_dropout(model, p):
    """Every nn.Dropout to p; attention-probability dropout off (the engine has none)."""
    for m in model.modules():
        if isinstance(m, nn.Dropout):
            m.p = p
        elif isinstance(m, nn.MultiheadAttention):
            m.dropout = 0.0


class Trainer:
    def __init__(self, checkpoint, batch, no_decay, a, dropout):
        self.model, self.cfg, _, _ = load_checkpoint(checkpoint)
        set_dropout(self.model, dropout)
        self.model.train()
        self.batch = batch
        named = list(self.model.named_parameters())
        self.params = [p for _, p in named]
        groups = [
            {"params": [p for n, p in named if n not in no_decay], "weight_decay": a.weight_decay},
            {"params": [p for n, p in named if n in no_decay], "weight_decay": 0.0},
        ]
        self.opt = torch.optim.AdamW(groups, lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
        self.loss_fn = nn.CrossEntropyLoss(ignore_index=0, label_smoothing=a.label_smoothing)
        self.max_norm = a.max_grad_norm

    def loss(self):
        b = self.batch
        logits = self.model(b["patches"], b["context_ids"], b["context_padding"], b["inputs"])
        return self.loss_fn(logits.reshape(-1, logits.shape[-1]), b["targets"].reshape(-1))

    def step(self):
        self.opt.zero_grad()
        loss = self.loss()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.params, self.max_norm)
        self.opt.step()
        return loss.item()


def load_batch(path, cfg):
    t, meta = read_safetensors(path)
    B, T = int(meta["batch"]), int(meta["caption_len"])
    N = (cfg["image_size"] // cfg["patch_size"]) ** 2
    batch = {
        "patches": t["patches"].reshape(B, N, -1),
        "inputs": t["inputs"].to(torch.long).reshape(B, T),
        "targets": t["targets"].to(torch.long).reshape(B, T),
    }
    if "context_ids" in t:
        batch["context_ids"] = t["context_ids"].to(torch.long)
        batch["context_padding"] = t["context_padding"] != 0
    else:
        batch["context_ids"] = torch.zeros(B, 0, dtype=torch.long)
        batch["context_padding"] = torch.zeros(B, 0, dtype=torch.bool)
    return batch, set(json.loads(meta["no_decay"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Glimpse .safetensors checkpoint")
    ap.add_argument("--batch-file", required=True, help="the batch, written by glimpse bench")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-seconds", type=float, default=2.0)
    ap.add_argument("--lr", type=float, default=1e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--check-steps", type=int, default=3)
    a = ap.parse_args()

    torch.set_num_threads(THREADS)
    _, cfg, _, _ = load_checkpoint(a.model)
    batch, no_decay = load_batch(a.batch_file, cfg)
    B = batch["inputs"].shape[0]

    # Correctness: dropout off on a fresh copy of the initial weights.
    check = Trainer(a.model, batch, no_decay, a, dropout=0.0)
    check_losses = [check.step() for _ in range(a.check_steps)]
    del check

    # Timing: dropout as configured.
    trainer = Trainer(a.model, batch, no_decay, a, dropout=float(cfg["dropout"]))
    step_s = median_seconds(trainer.step, a.min_seconds)
    forward_s = median_seconds(lambda: trainer.loss(), a.min_seconds / 4)

    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas_threads": THREADS,
        "blas": blas_report(),
        "batch": B,
        "dropout": float(cfg["dropout"]),
        "ms_per_step": 1e3 * step_s,
        "forward_ms": 1e3 * forward_s,
        "samples_per_s": B / step_s,
        "check_losses": check_losses,
    }))


if __name__ == "__main__":
    main()
