#!/usr/bin/python3
"""The same workloads as bench/workloads.cpp, in PyTorch 1.13 eager mode, for `glimpse bench`.

Run with Debian's /usr/bin/python3 (python3-torch). Prints one JSON object: milliseconds per
forward and per backward (median over repeated runs), for the named workload.
"""
import argparse
import json
import statistics
import time


from peer_blas import blas_report  # noqa: E402
from peer_threads import cap_threads  # noqa: E402  (before torch)

cap_threads(default=2)

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402


def seconds_per_call(fn, min_seconds):
    fn()  # warm-up
    samples = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(samples) < 3:
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workload", choices=["decoder_block", "cross_attention"], required=True)
    ap.add_argument("--d-model", type=int, default=256)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--len-t", type=int, default=16)
    ap.add_argument("--len-m", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--min-seconds", type=float, default=1.0)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    x = torch.randn(a.batch, a.len_t, a.d_model, requires_grad=True)
    mem = torch.randn(a.batch, a.len_m, a.d_model, requires_grad=True)
    dy = torch.randn(a.batch, a.len_t, a.d_model)

    if a.workload == "decoder_block":
        module = nn.TransformerDecoderLayer(a.d_model, a.heads, a.hidden, dropout=0.0,
                                            activation="gelu", batch_first=True, norm_first=True)
        causal = nn.Transformer.generate_square_subsequent_mask(a.len_t)
        run = lambda: module(x, mem, tgt_mask=causal)
    else:
        module = nn.MultiheadAttention(a.d_model, a.heads, batch_first=True)
        run = lambda: module(x, mem, mem, need_weights=True, average_attn_weights=False)[0]
    module.train()

    def forward():
        with torch.no_grad():
            run()

    out_holder = {}

    def prepare():
        out_holder["y"] = run()

    def backward():
        out_holder["y"].backward(dy)

    fwd = seconds_per_call(forward, a.min_seconds)
    # Backward alone: each timed call needs a fresh graph, built outside the timed region.
    samples = []
    prepare(); backward()  # warm-up
    start = time.perf_counter()
    while time.perf_counter() - start < a.min_seconds or len(samples) < 3:
        prepare()
        t0 = time.perf_counter()
        backward()
        samples.append(time.perf_counter() - t0)
    bwd = statistics.median(samples)
    print(json.dumps({"workload": a.workload, "torch": torch.__version__, "threads": a.threads,
                      "blas": blas_report(), "forward_ms": 1e3 * fwd, "backward_ms": 1e3 * bwd}))


if __name__ == "__main__":
    main()
