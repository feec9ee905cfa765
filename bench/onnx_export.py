#!/usr/bin/python3
"""Exports a Glimpse checkpoint to ONNX for the ONNX Runtime peer of `glimpse bench --caption`.

Run with Debian's /usr/bin/python3 (python3-torch). The model is tests/parity/torch_model.py's
(PyTorch's own modules, proven equal to the engine by the parity tests), exported with
torch.onnx.export (opset 14) into the two graphs a deployment runs, as the engine does:

  encoder.onnx      patches [B, N, 3*P*P], context_ids [B, Lc] (int64), context_padding
                    [B, Lc] (bool) -> both encoders, then every decoder layer's cross-attention
                    keys and values, per head: cross_k.<layer>.<module>, cross_v.<layer>.<module>
                    [B, H, L_memory, d/H], and memory_padding (the key padding those
                    cross-attentions read: the joint memory's for concat, the context's else)
  decoder_step.onnx token [B, 1] (int64), position [1] (int64, the same for every row: the
                    rows decode in lock-step), past_k.<layer>, past_v.<layer> [B, H, t, d/H]
                    (the self-attention cache: t = position), the encoder's outputs ->
                    logprobs [B, V] (log-softmax of the next token), present_k.<layer>,
                    present_v.<layer> [B, H, t + 1, d/H]

The step graph is the model's own decoder layers with their nn.MultiheadAttention modules
swapped for ones that read the cache (CachedSelfAttention, PrecomputedCrossAttention below),
so every fusion's own `fuse` code is what gets exported. The batch B is a dynamic axis of every
input and output (traced at B = 2, so no size-1 broadcast is baked in): `glimpse bench --caption`
runs it at 1, `glimpse bench --throughput` at 1 and 32. The context length is fixed at the
export's (--context-len).

Exports are cached: <cache-root>/<sha256 of the checkpoint, this script, the PyTorch model it
exports (tests/parity/torch_model.py) and the export format>/ holds
encoder.onnx, decoder_step.onnx and meta.json (config, input and output names). A new export is
written into a temporary folder and renamed into place, so a reader never sees half an export.
Prints one JSON object: {"dir", "cached", "export_seconds", "meta"}.
"""

import argparse
import hashlib
import json
import os
import shutil
import sys
import time

from peer_threads import cap_threads  # noqa: E402  (before torch)

cap_threads(default=1)

OPSET = 14
HERE = os.path.dirname(os.path.abspath(__file__))
TORCH_MODEL = os.path.join(HERE, "..", "tests", "parity", "torch_model.py")


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# Bumped with any change of the graphs' interface (names, shapes, dynamic axes); the script's
# own hash below changes with any edit too, this makes the format explicit in meta.json.
EXPORT_FORMAT = "dynamic-batch-1"


def cache_key(model_path, context_len):
    """The checkpoint's hash, combined with this script's and the exported PyTorch model's (a
    changed export invalidates old exports), the export format and the context length the
    graphs are fixed at."""
    h = hashlib.sha256()
    h.update(file_sha256(model_path).encode())
    h.update(file_sha256(os.path.abspath(__file__)).encode())
    h.update((file_sha256(TORCH_MODEL) if os.path.exists(TORCH_MODEL) else "no torch_model.py").encode())
    h.update(f"format={EXPORT_FORMAT}".encode())
    h.update(f"context_len={context_len}".encode())
    return h.hexdigest()[:32]


def cross_outputs_of(layers, cross_names):
    return [f"cross_{kv}.{l}.{name}" for l in range(layers) for name in cross_names
            for kv in ("k", "v")]


def export(model_path, out_dir, context_len):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "parity"))
    from torch_model import load_checkpoint

    torch.set_num_threads(1)
    model, cfg, _, _ = load_checkpoint(model_path)
    d, H = cfg["d_model"], cfg["num_heads"]
    dh = d // H
    concat = cfg["fusion"] == "concat"
    cross_names = ["multihead_attn"] if concat else ["attn_image", "attn_context"]
    layers = len(model.decoder.layers)

    def split_heads(t):  # [B, L, d] -> [B, H, L, dh]
        return t.reshape(t.shape[0], t.shape[1], H, dh).transpose(1, 2)

    def attend(q, k, v, key_padding):
        """softmax(q k^T / sqrt(dh) + padding) v over heads, as nn.MultiheadAttention computes
        it (q scaled before the product); key_padding [B, L] bool, True = padding."""
        scores = torch.matmul(q / dh ** 0.5, k.transpose(-2, -1))
        if key_padding is not None:
            scores = scores.masked_fill(key_padding[:, None, None, :], float("-inf"))
        out = torch.matmul(torch.softmax(scores, dim=-1), v)  # [B, H, T, dh]
        return out.transpose(1, 2).reshape(out.shape[0], -1, d)

    class CachedSelfAttention(nn.Module):
        """A decoder layer's self-attention for one new token over the cached keys and values
        (past_k/past_v set before the layer runs; present_k/present_v read after)."""

        def __init__(self, mha):
            super().__init__()
            self.mha = mha
            self.past_k = self.past_v = self.present_k = self.present_v = None

        def forward(self, query, key, value, attn_mask=None, key_padding_mask=None,
                    need_weights=False):
            q, k, v = F.linear(query, self.mha.in_proj_weight, self.mha.in_proj_bias).split(d, -1)
            self.present_k = torch.cat([self.past_k, split_heads(k)], dim=2)
            self.present_v = torch.cat([self.past_v, split_heads(v)], dim=2)
            # No causal mask: the one query is the newest position and sees every cached key.
            out = attend(split_heads(q), self.present_k, self.present_v, None)
            return self.mha.out_proj(out), None

    class PrecomputedCrossAttention(nn.Module):
        """A cross-attention whose memory keys and values the encoder graph computed (k/v set
        before the layer runs); the memory passed in is ignored."""

        def __init__(self, mha):
            super().__init__()
            self.mha = mha
            self.k = self.v = None

        def forward(self, query, key, value, attn_mask=None, key_padding_mask=None,
                    need_weights=False):
            q = F.linear(query, self.mha.in_proj_weight[:d], self.mha.in_proj_bias[:d])
            out = attend(split_heads(q), self.k, self.v, key_padding_mask)
            return self.mha.out_proj(out), None

    def memory_kv(mha, memory):
        w, b = mha.in_proj_weight, mha.in_proj_bias
        return (split_heads(F.linear(memory, w[d:2 * d], b[d:2 * d])),
                split_heads(F.linear(memory, w[2 * d:], b[2 * d:])))

    class EncoderGraph(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = model

        def forward(self, patches, context_ids, context_padding):
            memories = self.model.encode(patches, context_ids, context_padding)
            if concat:
                joint, padding = memories
                slot_memory = {"multihead_attn": joint}
            else:
                padding = context_padding
                slot_memory = {"attn_image": memories[0][0], "attn_context": memories[1][0]}
            outs = []
            for layer in self.model.decoder.layers:
                for name in cross_names:
                    outs.extend(memory_kv(getattr(layer, name), slot_memory[name]))
            return tuple(outs) + (padding,)

    class DecoderStepGraph(nn.Module):
        def __init__(self):
            super().__init__()
            self.decoder = model.decoder
            self.self_attn = []
            self.cross = []
            for layer in self.decoder.layers:
                self.self_attn.append(CachedSelfAttention(layer.self_attn))
                layer.self_attn = self.self_attn[-1]
                swapped = {}
                for name in cross_names:
                    swapped[name] = PrecomputedCrossAttention(getattr(layer, name))
                    setattr(layer, name, swapped[name])
                self.cross.append(swapped)

        def forward(self, token, position, *rest):
            past = rest[:2 * layers]
            cross = rest[2 * layers:-1]
            padding = rest[-1]
            dec = self.decoder
            x = dec.token_embed(token) + dec.pos_embed.index_select(0, position)
            for l, layer in enumerate(dec.layers):
                self.self_attn[l].past_k, self.self_attn[l].past_v = past[2 * l], past[2 * l + 1]
                for j, name in enumerate(cross_names):
                    at = 2 * (l * len(cross_names) + j)
                    self.cross[l][name].k, self.cross[l][name].v = cross[at], cross[at + 1]
                # The memory arguments only carry their [B, L] shape (hierarchical reads it);
                # the keys and values come from the encoder graph.
                if concat:
                    x = layer(x, cross[2 * l][:, 0], memory_key_padding_mask=padding)
                else:
                    image_k = cross[2 * (2 * l)][:, 0]
                    context_k = cross[2 * (2 * l + 1)][:, 0]
                    x = layer(x, [(image_k, None), (context_k, padding)], None)
            weight = dec.token_embed.weight if not hasattr(dec, "output") else dec.output.weight
            logits = F.linear(dec.norm(x), weight, dec.output_bias)
            outs = [torch.log_softmax(logits[:, -1], dim=-1)]
            for sa in self.self_attn:
                outs += [sa.present_k, sa.present_v]
            return tuple(outs)

    N = (cfg["image_size"] // cfg["patch_size"]) ** 2
    pd = 3 * cfg["patch_size"] ** 2
    Lc = min(context_len, cfg["max_context_len"])
    B = 2  # traced batch; every batch axis is dynamic
    patches = torch.rand(B, N, pd) * 2 - 1
    context_ids = (torch.arange(B * Lc, dtype=torch.long).reshape(B, Lc) % (cfg["vocab_size"] - 4)
                   + 4)
    context_padding = torch.zeros(B, Lc, dtype=torch.bool)
    enc_inputs = ["patches", "context_ids", "context_padding"]
    batch_axis = {n: {0: "batch"} for n in enc_inputs + cross_outputs_of(layers, cross_names)
                  + ["memory_padding"]}

    cross_outputs = cross_outputs_of(layers, cross_names)
    # Traced with autograd on: nn.TransformerEncoderLayer in eval mode under no_grad takes
    # PyTorch's fused fast path (aten::_transformer_encoder_layer_fwd), which has no ONNX export;
    # with gradients enabled it runs its modules one by one, the same computation.
    with torch.enable_grad():
        encoder = EncoderGraph().eval()
        with torch.no_grad():
            enc_out = encoder(patches, context_ids, context_padding)
        torch.onnx.export(encoder, (patches, context_ids, context_padding),
                          os.path.join(out_dir, "encoder.onnx"), opset_version=OPSET,
                          input_names=enc_inputs,
                          output_names=cross_outputs + ["memory_padding"],
                          dynamic_axes=batch_axis, do_constant_folding=True)

        step = DecoderStepGraph().eval()
        past_names = [f"past_{kv}.{l}" for l in range(layers) for kv in ("k", "v")]
        present_names = [f"present_{kv}.{l}" for l in range(layers) for kv in ("k", "v")]
        # Traced with a cache of 2 positions; the cache length is a dynamic axis (0 at the
        # first step).
        past = [torch.zeros(B, H, 2, dh) for _ in past_names]
        args = (torch.tensor([[5]] * B), torch.tensor([2]), *past, *enc_out)
        dynamic = {n: {0: "batch", 2: "past_len"} for n in past_names}
        dynamic.update({n: {0: "batch", 2: "present_len"} for n in present_names})
        dynamic.update({n: axes for n, axes in batch_axis.items() if n not in enc_inputs})
        dynamic.update({"token": {0: "batch"}, "logprobs": {0: "batch"}})
        torch.onnx.export(step, args, os.path.join(out_dir, "decoder_step.onnx"),
                          opset_version=OPSET,
                          input_names=["token", "position"] + past_names + cross_outputs
                          + ["memory_padding"],
                          output_names=["logprobs"] + present_names,
                          dynamic_axes=dynamic, do_constant_folding=True)
    return {
        "config": cfg, "opset": OPSET, "format": EXPORT_FORMAT, "batch": "dynamic", "torch": torch.__version__, "patches": N, "patch_dim": pd,
        "context_len": Lc, "heads": H, "head_dim": dh, "decoder_layers": layers,
        "cross_outputs": cross_outputs, "past_inputs": past_names, "present_outputs": present_names,
        "memory_padding_len": N + Lc if concat else Lc,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="Glimpse .safetensors checkpoint")
    ap.add_argument("--cache-root", required=True,
                    help="folder of cached exports (glimpse bench: ~/.cache/glimpse/onnx)")
    ap.add_argument("--context-len", type=int, default=4)
    a = ap.parse_args()

    key = cache_key(a.model, a.context_len)
    final = os.path.join(a.cache_root, key)
    meta_path = os.path.join(final, "meta.json")
    start = time.perf_counter()
    cached = os.path.exists(meta_path)
    if not cached:
        os.makedirs(a.cache_root, exist_ok=True)
        temp = os.path.join(a.cache_root, f".{key}.tmp-{os.getpid()}")
        shutil.rmtree(temp, ignore_errors=True)
        os.makedirs(temp)
        try:
            meta = export(a.model, temp, a.context_len)
            meta["model"] = os.path.abspath(a.model)
            with open(os.path.join(temp, "meta.json"), "w") as f:
                json.dump(meta, f, indent=1)
            try:
                os.rename(temp, final)
            except OSError:
                if not os.path.exists(meta_path):  # not a concurrent export of the same key
                    raise
        finally:
            shutil.rmtree(temp, ignore_errors=True)
    with open(meta_path) as f:
        meta = json.load(f)
    print(json.dumps({"dir": final, "cached": cached,
                      "export_seconds": time.perf_counter() - start, "meta": meta}))


if __name__ == "__main__":
    main()
