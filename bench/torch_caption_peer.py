#!/usr/bin/python3
"""Captioning with a Glimpse checkpoint in PyTorch 1.13 eager mode: the baseline of `glimpse bench`.

Run with Debian's /usr/bin/python3 (python3-torch). Loads the checkpoint into the model of
tests/parity/torch_model.py (PyTorch's own modules; the parity test proves it computes the
engine's logits) and times, under torch.no_grad with --threads intra-op threads, for one image
with a fixed context:

  encode_ms               both encoders, batch 1
  greedy_caption_ms       encode + greedy decoding, as `glimpse caption` does it
  beam_caption_ms         encode + beam search (--beam, default 3)
  per_token_decode_ms     greedy decoding time (encode excluded) / decode steps
  decode_step_ms_by_length  one decode step with a prefix of length 1, 2, ... (the step's cost
                          grows with the prefix: see below)

nn.TransformerDecoderLayer has no key/value cache, so PyTorch eager decodes by running the
decoder over the whole prefix at every step (the output JSON says so under "decoding"); the
decoding rules are the engine's (model/src/decoding.cpp): <pad>, <bos>, <unk> never chosen, <eos> not
before --min-len words, forced after --max-len words, GNMT length penalty 1.0 for beams.
The four times above are medians of alternating rounds (each round: encode, decode, greedy
caption, beam caption; bench/peer_timing.py) lasting at least --min-seconds per measure; the
by-length steps are medians of their own runs. --check-tokens (the engine's caption, <eos>
included) teacher-forces that caption and reports each token's log-probability
(check_logprobs), which glimpse compares with its own; "blas" names the OpenBLAS kernel that ran
(bench/peer_blas.py). Prints one JSON object.
"""

import argparse
import json
import os
import sys


from peer_threads import cap_threads  # noqa: E402  (before torch)
from peer_blas import blas_report  # noqa: E402
from peer_timing import median_seconds, median_seconds_of_rounds  # noqa: E402

THREADS = cap_threads(default=1)

import torch  # noqa: E402

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "parity"))
from torch_model import BOS, EOS, ban_never_generated, load_checkpoint, read_safetensors  # noqa: E402

NEG_INF = float("-inf")


def expand(memories, n):
    """Batch-1 memories repeated for n hypotheses."""
    if isinstance(memories, tuple):  # concat: (joint, joint_padding)
        return tuple(t.expand(n, *t.shape[1:]) for t in memories)
    return [(m.expand(n, *m.shape[1:]), None if p is None else p.expand(n, *p.shape[1:]))
            for m, p in memories]


def constrain(logp, words, min_len, must_end):
    """The engine's decoding constraints on one row of log-probabilities (in place)."""
    ban_never_generated(logp)
    if must_end:
        keep = logp[EOS].item()
        logp.fill_(NEG_INF)
        logp[EOS] = keep
    elif len(words) < min_len:
        logp[EOS] = NEG_INF


def next_logprobs(model, prefixes, memories):
    """No cache: the decoder runs over every prefix [n, t] in full; the last position's
    log-probabilities [n, V]."""
    logits = model.decoder(prefixes, expand(memories, prefixes.shape[0]))
    return torch.log_softmax(logits[:, -1], dim=-1)


def greedy(model, memories, words_max, min_len, logprobs=None):
    """The engine's greedy decoding: (words, steps). logprobs, if a list, gets each chosen
    token's log-probability before the constraints (<eos> included)."""
    words = []
    for pos in range(words_max + 1):
        prefix = torch.tensor([[BOS] + words])
        logp = next_logprobs(model, prefix, memories)[0]
        raw = logp.clone() if logprobs is not None else None
        constrain(logp, words, min_len, pos == words_max)
        tok = int(torch.argmax(logp))
        if raw is not None:
            logprobs.append(raw[tok].item())
        if tok == EOS:
            return words, pos + 1
        words.append(tok)
    return words, words_max + 1


def logprobs_of(model, memories, tokens):
    """Teacher forcing along tokens (the last one normally <eos>): each one's log-probability."""
    logp = torch.log_softmax(model.decoder(torch.tensor([[BOS] + tokens[:-1]]), memories), -1)[0]
    return [logp[i, t].item() for i, t in enumerate(tokens)]


def length_penalty(steps, alpha):
    return ((5.0 + steps) / 6.0) ** alpha


def beam_search(model, memories, k, words_max, min_len, alpha=1.0):
    """The engine's beam search (model/src/decoding.cpp) for one image."""
    V = model.cfg["vocab_size"]
    alive = [([], 0.0)]  # (words, logprob)
    finished = []        # (words, logprob, score, steps)
    steps = 0
    for pos in range(words_max + 1):
        steps = pos + 1
        prefixes = torch.tensor([[BOS] + w for w, _ in alive])
        logp = next_logprobs(model, prefixes, memories)
        cands = []
        for i, (w, lp0) in enumerate(alive):
            row = logp[i]
            constrain(row, w, min_len, pos == words_max)
            values, idx = torch.topk(row, min(2 * k, V))
            for lp, tok in zip(values.tolist(), idx.tolist()):
                if lp == NEG_INF:
                    break
                cands.append((lp0 + lp, i, tok))
        cands.sort(key=lambda c: -c[0])  # stable, as std::stable_sort
        nxt = []
        for score, i, tok in cands:
            if len(nxt) == k:
                break
            words = alive[i][0]
            if tok == EOS:
                finished.append((words, score, score / length_penalty(len(words) + 1, alpha)))
                continue
            nxt.append((words + [tok], score))
        done = not nxt
        if finished:
            best_done = max(f[2] for f in finished)
            # No live hypothesis can beat this: its log-probability only falls.
            best_alive = max((lp for _, lp in nxt), default=NEG_INF)
            bound = best_alive / length_penalty(words_max + 1, alpha)
            done = done or len(finished) >= k or (alpha >= 0 and best_done >= bound)
        alive = nxt
        if done:
            break
    if finished:
        return max(finished, key=lambda f: f[2])[0], steps
    return max(alive, key=lambda a: a[1])[0], steps  # cut at max_len


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Glimpse .safetensors checkpoint")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--min-seconds", type=float, default=1.0)
    ap.add_argument("--max-len", type=int, default=0,
                    help="words before <eos>; 0 = as many as the model has positions for")
    ap.add_argument("--min-len", type=int, default=1,
                    help="<eos> is not allowed before this many words (= --max-len gives "
                         "captions of exactly --max-len words, the same work on every side)")
    ap.add_argument("--beam", type=int, default=3)
    ap.add_argument("--context-ids", default="",
                    help="comma-separated context token ids (default: the first "
                         "min(4, max_context_len) word ids, 4, 5, ...)")
    ap.add_argument("--check-tokens", default="",
                    help="comma-separated token ids to teacher-force (the engine's caption and "
                         "<eos>): their log-probabilities go to check_logprobs")
    ap.add_argument("--patches", default="",
                    help="safetensors file with a tensor 'patches' [N, 3*P*P] (default: "
                         "uniform random pixels in [-1, 1], seed 0)")
    a = ap.parse_args()

    torch.set_num_threads(THREADS)
    model, cfg, tokens, _ = load_checkpoint(a.model)
    N = (cfg["image_size"] // cfg["patch_size"]) ** 2
    pd = 3 * cfg["patch_size"] ** 2
    if a.patches:
        patches = read_safetensors(a.patches)[0]["patches"].reshape(1, N, pd)
    else:
        patches = torch.rand(1, N, pd, generator=torch.Generator().manual_seed(0)) * 2 - 1
    if a.context_ids:
        ctx = [int(t) for t in a.context_ids.split(",")]
    else:
        ctx = list(range(4, 4 + min(4, cfg["max_context_len"], cfg["vocab_size"] - 4)))
    if len(ctx) > cfg["max_context_len"] or any(not 0 <= t < cfg["vocab_size"] for t in ctx):
        ap.error(f"context ids {ctx} do not fit the model (max_context_len "
                 f"{cfg['max_context_len']}, vocabulary {cfg['vocab_size']})")
    context_ids = torch.tensor([ctx], dtype=torch.long)
    context_padding = torch.zeros(1, len(ctx), dtype=torch.bool)
    most = cfg["max_caption_len"] - 1
    words_max = min(a.max_len, most) if a.max_len > 0 else most
    min_len = min(a.min_len, words_max)

    with torch.no_grad():
        encode = lambda: model.encode(patches, context_ids, context_padding)  # noqa: E731
        memories = encode()
        greedy_logprobs = []
        greedy_words, greedy_steps = greedy(model, memories, words_max, min_len, greedy_logprobs)
        beam_words, beam_steps = beam_search(model, memories, a.beam, words_max, min_len)
        check_tokens = [int(t) for t in a.check_tokens.split(",")] if a.check_tokens else []
        check_logprobs = logprobs_of(model, memories, check_tokens) if check_tokens else []

        medians, rounds = median_seconds_of_rounds({
            "encode": encode,
            "decode": lambda: greedy(model, memories, words_max, min_len),
            "greedy": lambda: greedy(model, encode(), words_max, min_len),
            "beam": lambda: beam_search(model, encode(), a.beam, words_max, min_len),
        }, a.min_seconds)
        encode_s, decode_s = medians["encode"], medians["decode"]
        greedy_s, beam_s = medians["greedy"], medians["beam"]
        # One step's cost against the prefix length: without a cache it grows with the prefix.
        by_length = []
        per_length_budget = a.min_seconds / max(1, words_max + 1)
        for t in range(1, words_max + 2):
            prefix = torch.tensor([[BOS] + [4 % cfg["vocab_size"]] * (t - 1)])
            by_length.append(1e3 * median_seconds(
                lambda: next_logprobs(model, prefix, memories), per_length_budget))

    print(json.dumps({
        "model": a.model, "fusion": cfg["fusion"], "torch": torch.__version__,
        "threads": torch.get_num_threads(), "blas_threads": THREADS, "blas": blas_report(),
        "batch": 1, "rounds": rounds,
        "decoding": "PyTorch eager, no KV cache: nn.TransformerDecoderLayer has none, so every "
                    "step recomputes the decoder over the whole prefix (that is how PyTorch eager "
                    "runs this model)",
        "patches": N, "context_ids": ctx, "max_len": words_max, "min_len": min_len,
        "encode_ms": 1e3 * encode_s,
        "greedy_caption_ms": 1e3 * greedy_s,
        "greedy_steps": greedy_steps,
        "per_token_decode_ms": 1e3 * decode_s / greedy_steps,
        "beam": a.beam,
        "beam_caption_ms": 1e3 * beam_s,
        "beam_steps": beam_steps,
        "decode_step_ms_by_length": by_length,
        "greedy_caption": " ".join(tokens[t] for t in greedy_words),
        "greedy_tokens": greedy_words,
        "beam_caption": " ".join(tokens[t] for t in beam_words),
        "beam_tokens": beam_words,
        "greedy_logprobs": greedy_logprobs,
        "check_tokens": check_tokens,
        "check_logprobs": check_logprobs,
    }))


if __name__ == "__main__":
    main()
