#!/usr/bin/python3
"""The Glimpse captioning model in PyTorch 1.13, assembled from PyTorch's own modules.

Run with Debian's /usr/bin/python3 (python3-torch); the pyenv python3 first on PATH has no torch.

This is the reference a third party can follow to load a Glimpse checkpoint (docs/model-format.md)
into PyTorch, and the oracle of tests/test_model_parity.cpp, which proves that it reproduces the
engine's logits for every fusion strategy. Every computation is a PyTorch module or function:

  vision encoder   nn.Linear patch embedding (a Conv2d with kernel = stride = P over patches
                   flattened channel-major, see patchify), + pos_row[r] + pos_col[c],
                   nn.TransformerEncoderLayer(norm_first=True, batch_first=True) x E, nn.LayerNorm
  context encoder  nn.Embedding + pos_embed[t], nn.TransformerEncoderLayer x C (key padding),
                   nn.LayerNorm
  decoder          nn.Embedding + pos_embed[t], L decoder layers, nn.LayerNorm, logits =
                   norm(h) @ token_embed.weight^T + output_bias (tied) or
                   norm(h) @ output.weight^T + output_bias (untied)
  decoder layer    concat: nn.TransformerDecoderLayer(norm_first=True, batch_first=True) over the
                   joint memory [image + modality_image ; context + modality_context];
                   separate / gated / parallel / hierarchical: nn.TransformerDecoderLayer's own
                   self-attention and feed-forward blocks around a fusion built from nn.LayerNorm,
                   nn.MultiheadAttention and nn.Linear exactly as core/include/glimpse/core/fusion.h
                   describes.

Module attribute names are the checkpoint's tensor names, so `load_state_dict(strict=True)` maps
a checkpoint onto the model one to one (load_checkpoint below).

Decoding (docs/model-format.md, "Decoding"): greedy and beam search never choose <pad>, <bos> or
<unk> (ban_never_generated); <eos> is forced after max_caption_len - 1 words.

Conventions shared with the engine:
  * context padding: True = padding. Every sample needs at least one real context token when the
    context length is > 0 (PyTorch's softmax over all-masked keys gives NaN; the engine gives that
    query zero attention). A context of length 0 is fine for every strategy: nn.MultiheadAttention
    over zero keys returns out_proj.bias, as the engine does.
  * hierarchical: a modality with no usable key for a sample (length 0 or all padding) gets
    beta = 0, the other beta = 1.
"""

import functools
import json
import math
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

FUSIONS = ("concat", "separate", "parallel", "hierarchical", "gated")
LAYER_NORM_EPS = 1e-5  # the engine's BlockConfig::layer_norm_eps (PyTorch's default too)

# Special token ids (vocabulary positions 0-3).
PAD, BOS, EOS, UNK = 0, 1, 2, 3
# Decoding never chooses these (model/include/glimpse/model/decoding.h, kNeverGenerated):
# <pad> and <bos> are not words and <unk> is a word the vocabulary lacks. The log-probabilities
# a decoder reports stay the log-softmax over the whole vocabulary, these tokens included.
NEVER_GENERATED = (PAD, BOS, UNK)


def ban_never_generated(logp):
    """Sets the never-generated tokens' entries of log-probabilities [..., V] to -inf, in place
    (before a decoder's argmax or top-k); returns logp."""
    logp[..., list(NEVER_GENERATED)] = float("-inf")
    return logp

# ---------------------------------------------------------------------------------------------
# Checkpoint file


def read_safetensors(path):
    """Reads a .safetensors file: returns ({name: float32 torch.Tensor}, {metadata key: str}).

    Layout: 8-byte little-endian header length N, N bytes of JSON header
    {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}, then the
    raw little-endian tensor bytes (offsets relative to the first byte after the header).
    F32, F16 and BF16 are read (into float32), the types the engine writes."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short for a safetensors header")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: header length {n} runs past the end of the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = memoryview(data)[8 + n:]
    metadata = dict(header.pop("__metadata__", {}) or {})
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        if not 0 <= begin <= end <= len(body):
            raise ValueError(f"{path}: tensor '{name}' data_offsets lie outside the file")
        raw = body[begin:end]
        dtype = entry["dtype"]
        if dtype == "F32":
            arr = np.frombuffer(raw, dtype="<f4")
        elif dtype == "F16":
            arr = np.frombuffer(raw, dtype="<f2").astype(np.float32)
        elif dtype == "BF16":  # the upper 16 bits of a float32
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        else:
            raise ValueError(f"{path}: tensor '{name}' has unsupported dtype {dtype}")
        shape = [int(d) for d in entry["shape"]]
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: tensor '{name}' bytes do not hold shape {shape}")
        tensors[name] = torch.from_numpy(arr.astype(np.float32).reshape(shape))
    return tensors, metadata


# ---------------------------------------------------------------------------------------------
# Building blocks


def gelu_fn(kind):
    """The FFN activation: "erf" is PyTorch's exact GELU, "tanh" its tanh approximation."""
    if kind == "erf":
        return "gelu"  # nn.Transformer*Layer's own string: exact GELU
    if kind == "tanh":
        return functools.partial(F.gelu, approximate="tanh")
    raise ValueError(f"unknown gelu kind '{kind}'")


def encoder_layer(cfg):
    return nn.TransformerEncoderLayer(
        cfg["d_model"], cfg["num_heads"], dim_feedforward=cfg["d_hidden"], dropout=0.0,
        activation=gelu_fn(cfg["gelu"]), layer_norm_eps=LAYER_NORM_EPS, batch_first=True,
        norm_first=True)


def attention(cfg):
    return nn.MultiheadAttention(cfg["d_model"], cfg["num_heads"], dropout=0.0, batch_first=True)


def patchify(images, patch_size):
    """[B, 3, S, S] normalised images -> [B, N, 3*P*P] patches in the engine's layout: patches
    row-major over the grid, each flattened channel-major (c, y, x) -- the flattening of a
    Conv2d(3, d, kernel_size=P, stride=P) weight to [d, 3*P*P]."""
    B, C, S, _ = images.shape
    G = S // patch_size
    x = images.reshape(B, C, G, patch_size, G, patch_size)
    return x.permute(0, 2, 4, 1, 3, 5).reshape(B, G * G, C * patch_size * patch_size)


class VisionEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        P, d = cfg["patch_size"], cfg["d_model"]
        self.grid = cfg["image_size"] // P
        self.patch_embed = nn.Linear(3 * P * P, d)
        self.pos_row = nn.Parameter(torch.zeros(self.grid, d))
        self.pos_col = nn.Parameter(torch.zeros(self.grid, d))
        self.layers = nn.ModuleList([encoder_layer(cfg) for _ in range(cfg["encoder_layers"])])
        self.norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)

    def forward(self, patches):
        """patches [B, N, 3*P*P] -> image memory [B, N, d]."""
        # Patch (r, c) is row r * grid + c and gets pos_row[r] + pos_col[c].
        pos = (self.pos_row[:, None, :] + self.pos_col[None, :, :]).reshape(self.grid ** 2, -1)
        x = self.patch_embed(patches) + pos
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class ContextEncoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg["d_model"]
        self.token_embed = nn.Embedding(cfg["vocab_size"], d)
        self.pos_embed = nn.Parameter(torch.zeros(max(cfg["max_context_len"], 1), d))
        self.layers = nn.ModuleList([encoder_layer(cfg) for _ in range(cfg["context_layers"])])
        self.norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)

    def forward(self, ids, padding):
        """ids [B, Lc] (long), padding [B, Lc] (bool, True = padding) -> memory [B, Lc, d]."""
        x = self.token_embed(ids) + self.pos_embed[: ids.shape[1]]
        if ids.shape[1] > 0:  # zero-length context: an empty memory, as in the engine
            for layer in self.layers:
                x = layer(x, src_key_padding_mask=padding)
        return self.norm(x)


# ---------------------------------------------------------------------------------------------
# Decoder layers with two memories (slot 0 image, slot 1 context)


class TwoMemoryDecoderLayer(nn.TransformerDecoderLayer):
    """nn.TransformerDecoderLayer's pre-LN self-attention and feed-forward blocks (its own
    _sa_block / _ff_block, norm1, norm3, linear1, linear2) with its single cross-attention
    replaced by a fusion over the image and context memories (`fuse`)."""

    def __init__(self, cfg, keep_norm2):
        super().__init__(cfg["d_model"], cfg["num_heads"], dim_feedforward=cfg["d_hidden"],
                         dropout=0.0, activation=gelu_fn(cfg["gelu"]),
                         layer_norm_eps=LAYER_NORM_EPS, batch_first=True, norm_first=True)
        del self.multihead_attn
        if not keep_norm2:
            del self.norm2

    def forward(self, x, memories, tgt_mask):
        x = x + self._sa_block(self.norm1(x), tgt_mask, None)
        x = self.fuse(x, memories)
        return x + self._ff_block(self.norm3(x))

    def fuse(self, x, memories):
        raise NotImplementedError


class SerialFusionLayer(TwoMemoryDecoderLayer):
    """separate: h = x + Attn_i(LN_i(x), M_img); y = h + Attn_c(LN_c(h), M_ctx).
    gated: the same with each sub-layer's output scaled by tanh(gate_m)."""

    def __init__(self, cfg, gated):
        super().__init__(cfg, keep_norm2=False)
        self.gated = gated
        for m in ("image", "context"):
            setattr(self, "norm_" + m, nn.LayerNorm(cfg["d_model"], eps=LAYER_NORM_EPS))
            setattr(self, "attn_" + m, attention(cfg))
            if gated:  # Flamingo: alpha starts at 0, the sub-layer closed
                setattr(self, "gate_" + m, nn.Parameter(torch.zeros(1)))

    def fuse(self, x, memories):
        for m, (mem, pad) in zip(("image", "context"), memories):
            q = getattr(self, "norm_" + m)(x)
            out = getattr(self, "attn_" + m)(q, mem, mem, key_padding_mask=pad,
                                             need_weights=False)[0]
            if self.gated:
                out = torch.tanh(getattr(self, "gate_" + m)) * out
            x = x + out
        return x


class ParallelFusionLayer(TwoMemoryDecoderLayer):
    """n = norm2(x); y = x + Attn_i(n, M_img) + Attn_c(n, M_ctx)."""

    def __init__(self, cfg):
        super().__init__(cfg, keep_norm2=True)
        self.attn_image = attention(cfg)
        self.attn_context = attention(cfg)

    def fuse(self, x, memories):
        n = self.norm2(x)
        (img, img_pad), (ctx, ctx_pad) = memories
        return (x + self.attn_image(n, img, img, key_padding_mask=img_pad, need_weights=False)[0]
                + self.attn_context(n, ctx, ctx, key_padding_mask=ctx_pad, need_weights=False)[0])


class HierarchicalFusionLayer(TwoMemoryDecoderLayer):
    """Libovicky & Helcl (2018): n = norm2(x); c_m = Attn_m(n, M_m); q = combine_query(n);
    k_m = combine_key_m(c_m); v_m = combine_value_m(c_m); beta = softmax_m(q . k_m / sqrt(d));
    y = x + sum_m beta_m v_m. A modality without usable keys for a sample gets beta_m = 0."""

    def __init__(self, cfg):
        super().__init__(cfg, keep_norm2=True)
        d = cfg["d_model"]
        self.attn_image = attention(cfg)
        self.attn_context = attention(cfg)
        self.combine_query = nn.Linear(d, d)
        for m in ("image", "context"):
            setattr(self, "combine_key_" + m, nn.Linear(d, d, bias=False))
            setattr(self, "combine_value_" + m, nn.Linear(d, d, bias=False))

    def fuse(self, x, memories):
        n = self.norm2(x)
        q = self.combine_query(n)
        scores, values, usable = [], [], []
        for m, (mem, pad) in zip(("image", "context"), memories):
            c = getattr(self, "attn_" + m)(n, mem, mem, key_padding_mask=pad,
                                           need_weights=False)[0]
            k = getattr(self, "combine_key_" + m)(c)
            values.append(getattr(self, "combine_value_" + m)(c))
            scores.append((q * k).sum(-1) / math.sqrt(q.shape[-1]))
            has_key = (torch.ones(mem.shape[:2], dtype=torch.bool) if pad is None else ~pad)
            usable.append(has_key.any(dim=1))  # [B]
        scores = torch.stack(scores, dim=-1)                       # [B, T, 2]
        usable = torch.stack(usable, dim=-1)[:, None, :]           # [B, 1, 2]
        beta = torch.softmax(scores.masked_fill(~usable, float("-inf")), dim=-1)
        return x + beta[..., 0:1] * values[0] + beta[..., 1:2] * values[1]


def decoder_layer(cfg):
    fusion = cfg["fusion"]
    if fusion == "concat":  # exactly PyTorch's layer over the joint memory
        return nn.TransformerDecoderLayer(
            cfg["d_model"], cfg["num_heads"], dim_feedforward=cfg["d_hidden"], dropout=0.0,
            activation=gelu_fn(cfg["gelu"]), layer_norm_eps=LAYER_NORM_EPS, batch_first=True,
            norm_first=True)
    if fusion in ("separate", "gated"):
        return SerialFusionLayer(cfg, gated=fusion == "gated")
    if fusion == "parallel":
        return ParallelFusionLayer(cfg)
    if fusion == "hierarchical":
        return HierarchicalFusionLayer(cfg)
    raise ValueError(f"unknown fusion '{fusion}' (expected one of {', '.join(FUSIONS)})")


class CaptionDecoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, V = cfg["d_model"], cfg["vocab_size"]
        self.token_embed = nn.Embedding(V, d)
        self.pos_embed = nn.Parameter(torch.zeros(cfg["max_caption_len"], d))
        self.layers = nn.ModuleList([decoder_layer(cfg) for _ in range(cfg["decoder_layers"])])
        self.norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        if not cfg["tie_embeddings"]:
            self.output = nn.Linear(d, V, bias=False)
        self.output_bias = nn.Parameter(torch.zeros(V))
        self.concat = cfg["fusion"] == "concat"

    def forward(self, ids, memories):
        """ids [B, T] decoder inputs (<bos> w1 ... w_{T-1}); memories: concat -> (joint,
        joint_padding), otherwise [(image, None), (context, context_padding)].
        Returns logits [B, T, V]."""
        T = ids.shape[1]
        x = self.token_embed(ids) + self.pos_embed[:T]
        causal = nn.Transformer.generate_square_subsequent_mask(T).to(x.dtype)
        for layer in self.layers:
            if self.concat:
                joint, joint_pad = memories
                x = layer(x, joint, tgt_mask=causal, memory_key_padding_mask=joint_pad)
            else:
                x = layer(x, memories, causal)
        weight = self.token_embed.weight if not hasattr(self, "output") else self.output.weight
        return F.linear(self.norm(x), weight, self.output_bias)


class GlimpseCaptionModel(nn.Module):
    """The whole model. cfg: the checkpoint's glimpse.config JSON as a dict."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = dict(cfg)
        self.vision = VisionEncoder(cfg)
        self.context = ContextEncoder(cfg)
        self.decoder = CaptionDecoder(cfg)
        if cfg["fusion"] == "concat":
            self.modality_image = nn.Parameter(torch.zeros(cfg["d_model"]))
            self.modality_context = nn.Parameter(torch.zeros(cfg["d_model"]))
        if cfg.get("object_classes", 0) > 0:
            # The patch-object head: a training aid (docs/model-format.md) that captioning never
            # reads; built so that strict loading accepts every shipped model.
            self.object_head = nn.Linear(cfg["d_model"], cfg["object_classes"])

    def encode(self, patches, context_ids, context_padding):
        """Both encoders, and the memories the decoder reads (what the engine computes once per
        image). patches [B, N, 3*P*P]; context_ids [B, Lc] long; context_padding [B, Lc] bool."""
        image = self.vision(patches)
        context = self.context(context_ids, context_padding)
        if self.cfg["fusion"] == "concat":
            # One memory, one softmax: [image + e_img ; context + e_ctx], padding on the context.
            joint = torch.cat([image + self.modality_image, context + self.modality_context], 1)
            image_pad = torch.zeros(image.shape[:2], dtype=torch.bool)
            return joint, torch.cat([image_pad, context_padding], 1)
        return [(image, None), (context, context_padding)]

    def forward(self, patches, context_ids, context_padding, caption_ids):
        """Teacher-forced logits [B, T, V]."""
        return self.decoder(caption_ids, self.encode(patches, context_ids, context_padding))


def load_checkpoint(path):
    """A Glimpse .safetensors checkpoint -> (model in eval mode, config dict, vocabulary tokens,
    metadata). Every tensor must match a parameter by name and shape, and vice versa."""
    tensors, meta = read_safetensors(path)
    for key in ("glimpse.format", "glimpse.config", "glimpse.vocabulary"):
        if key not in meta:
            raise ValueError(f"{path}: metadata has no '{key}': not a Glimpse model")
    if meta["glimpse.format"] != "1":
        raise ValueError(f"{path}: format version {meta['glimpse.format']} is not supported")
    cfg = json.loads(meta["glimpse.config"])
    model = GlimpseCaptionModel(cfg)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    tokens = json.loads(meta["glimpse.vocabulary"])["tokens"]
    return model, cfg, tokens, meta


if __name__ == "__main__":
    # Usage: torch_model.py CHECKPOINT -- prints the model's parameter names and shapes.
    model, cfg, tokens, _ = load_checkpoint(sys.argv[1])
    for name, p in model.state_dict().items():
        print(name, list(p.shape))
    print(f"fusion {cfg['fusion']}, vocabulary of {len(tokens)} tokens")
