#!/usr/bin/python3
"""Writes the bad-checkpoint corpus of tests/test_bad_inputs.cpp into tests/data/bad/checkpoints/.

Run with Debian's /usr/bin/python3 (python3-torch, python3-numpy):

    /usr/bin/python3 tests/data/bad/make_bad_checkpoints.py

Every file derives from one tiny valid model, `good.safetensors`, built here from PyTorch's own
modules (tests/parity/torch_model.py: the tensor names and shapes are the reference's, not a
copy of the engine's), and differs from it by one fault. test_bad_inputs loads good.safetensors
(it must load) and every other file (each must be refused with glimpse::Error naming the file
and the fault it holds; the test keeps the table of expected messages, and fails for a file
here that it has no expectation for). The output is deterministic: the same bytes every run.
Files stay under 64 KB; faults that need size (a header of 20,000 tensors, a 100 MB header)
are built by the test at run time instead, or are claimed in a length field without the bytes.
"""

import copy
import json
import math
import os
import struct
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "parity"))
from torch_model import GlimpseCaptionModel  # noqa: E402

OUT = os.path.join(HERE, "checkpoints")

# Small but complete: one layer in each stack, two heads, an untied output (so every kind of
# decoder tensor is present), concat fusion (the modality embeddings too).
CONFIG = {
    "image_size": 8, "patch_size": 4, "resize": "letterbox",
    "mean": [0.5, 0.5, 0.5], "std": [0.25, 0.25, 0.25],
    "d_model": 8, "num_heads": 2, "d_hidden": 16, "dropout": 0.0, "gelu": "erf",
    "encoder_layers": 1, "context_layers": 1, "decoder_layers": 1,
    "vocab_size": 6, "max_caption_len": 4, "max_context_len": 3,
    "fusion": "concat", "tie_embeddings": False,
}
TOKENS = ["<pad>", "<bos>", "<eos>", "<unk>", "a", "dog"]


def config_json(cfg):
    """As model/src/model_config.cpp's to_json writes it: sorted keys, two-space indent."""
    return json.dumps(cfg, sort_keys=True, indent=2)


def vocabulary_json(tokens):
    return json.dumps({"format": "glimpse-vocabulary", "version": 1, "tokens": tokens})


def good_parts():
    """(tensors as float32 numpy arrays by name, metadata) of the valid tiny model."""
    torch.manual_seed(12)
    model = GlimpseCaptionModel(CONFIG)
    with torch.no_grad():
        for p in model.parameters():  # LayerNorm's ones and zeros would hide swapped tensors
            p.copy_(torch.randn_like(p) * 0.1)
    tensors = {n: p.detach().numpy().astype("<f4") for n, p in model.state_dict().items()}
    metadata = {
        "glimpse.format": "1",
        "glimpse.config": config_json(CONFIG),
        "glimpse.vocabulary": vocabulary_json(TOKENS),
        "glimpse.provenance": json.dumps({"tool": "tests/data/bad/make_bad_checkpoints.py"}),
    }
    return tensors, metadata


def layout(tensors, metadata, dtype_bytes=None):
    """The header dict and data bytes of `tensors` (sorted by name, packed back to back)."""
    header = {"__metadata__": dict(metadata)}
    blobs, offset = [], 0
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name], dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    return header, b"".join(blobs)


def pack(header_bytes, data, claimed_length=None):
    """8-byte little-endian header length, header, data."""
    n = len(header_bytes) if claimed_length is None else claimed_length
    return struct.pack("<Q", n) + header_bytes + data


def header_bytes(header):
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return text + b" " * ((8 - (8 + len(text)) % 8) % 8)  # data 8-byte aligned, as the engine writes


def from_parts(tensors, metadata):
    header, data = layout(tensors, metadata)
    return pack(header_bytes(header), data)


def with_header(edit):
    """The good model with its header changed by edit(header) (data unchanged)."""
    tensors, metadata = good_parts()
    header, data = layout(tensors, metadata)
    edit(header)
    return pack(header_bytes(header), data)


def with_config(**changes):
    tensors, metadata = good_parts()
    cfg = dict(CONFIG, **changes)
    metadata["glimpse.config"] = config_json(cfg)
    return from_parts(tensors, metadata)


def with_metadata(key, value):
    tensors, metadata = good_parts()
    if value is None:
        del metadata[key]
    else:
        metadata[key] = value
    return from_parts(tensors, metadata)


def with_tensor(name, change):
    tensors, metadata = good_parts()
    tensors[name] = change(tensors[name].copy())
    return from_parts(tensors, metadata)


def poke(value, index=0):
    def change(a):
        a.reshape(-1)[index] = value
        return a
    return change


def corpus():
    good = from_parts(*good_parts())
    header_len = struct.unpack("<Q", good[:8])[0]
    files = {"good.safetensors": good}

    # --- the safetensors framing
    files["header-length-past-eof.safetensors"] = pack(good[8:8 + header_len], good[8 + header_len:],
                                                      claimed_length=len(good) + 100)
    files["header-over-100mb.safetensors"] = pack(b"{}", b"", claimed_length=(100 << 20) + 1)
    files["header-not-json.safetensors"] = pack(b"{\"not\": json at all" + b" " * (header_len - 19),
                                                good[8 + header_len:])
    files["header-not-object.safetensors"] = pack(b"[1, 2, 3]", b"")
    files["header-too-deep.safetensors"] = pack(
        b'{"w":{"dtype":"F32","shape":[[[1]]],"data_offsets":[0,4]}}', b"\0\0\0\0")
    files["truncated-data.safetensors"] = good[:len(good) - 100]
    files["truncated-in-header.safetensors"] = good[:8 + header_len // 2]

    def overlap(h):
        h["decoder.norm.bias"]["data_offsets"] = list(h["decoder.norm.weight"]["data_offsets"])
    files["overlapping-offsets.safetensors"] = with_header(overlap)

    def outside(h):
        size = len(good) - 8 - header_len
        h["decoder.output_bias"]["data_offsets"] = [size - 8, size + 16]  # 6 floats, 16 past the end
    files["offsets-outside-file.safetensors"] = with_header(outside)

    def reversed_offsets(h):
        b, e = h["decoder.output_bias"]["data_offsets"]
        h["decoder.output_bias"]["data_offsets"] = [e, b]
    files["offsets-reversed.safetensors"] = with_header(reversed_offsets)

    def f16_over_f32_bytes(h):
        h["decoder.output_bias"]["dtype"] = "F16"
    files["dtype-f16-over-f32-bytes.safetensors"] = with_header(f16_over_f32_bytes)

    def int_dtype(h):
        h["decoder.output_bias"]["dtype"] = "I32"
    files["dtype-unsupported.safetensors"] = with_header(int_dtype)

    def negative_dim(h):
        h["decoder.output_bias"]["shape"] = [-6]
    files["shape-negative.safetensors"] = with_header(negative_dim)

    # --- tensors against the config
    files["shape-mismatch.safetensors"] = with_tensor("decoder.output_bias", lambda a: a.reshape(2, 3))
    tensors, metadata = good_parts()
    del tensors["vision.pos_row"]
    files["tensor-missing.safetensors"] = from_parts(tensors, metadata)
    tensors, metadata = good_parts()
    tensors["stowaway"] = np.zeros(2, dtype="<f4")
    files["tensor-unexpected.safetensors"] = from_parts(tensors, metadata)
    files["nan-weight.safetensors"] = with_tensor("decoder.norm.weight", poke(float("nan"), 3))
    files["inf-weight.safetensors"] = with_tensor("vision.pos_row", poke(float("inf"), 5))
    files["neg-inf-weight.safetensors"] = with_tensor("context.token_embed.weight", poke(-math.inf, 0))

    # --- metadata: format, vocabulary, provenance
    files["metadata-missing-config.safetensors"] = with_metadata("glimpse.config", None)
    files["metadata-format-2.safetensors"] = with_metadata("glimpse.format", "2")
    files["vocabulary-missing-eos.safetensors"] = with_metadata(
        "glimpse.vocabulary", vocabulary_json(["<pad>", "<bos>", "<unk>", "a", "dog", "cat"]))
    files["vocabulary-no-specials.safetensors"] = with_metadata(
        "glimpse.vocabulary", vocabulary_json(["<pad>", "<bos>"]))
    files["vocabulary-size-mismatch.safetensors"] = with_metadata(
        "glimpse.vocabulary", vocabulary_json(TOKENS + ["cat"]))
    files["vocabulary-duplicate.safetensors"] = with_metadata(
        "glimpse.vocabulary", vocabulary_json(TOKENS[:5] + ["a"]))
    files["vocabulary-not-json.safetensors"] = with_metadata("glimpse.vocabulary", "tokens: <pad> <bos>")
    files["provenance-not-object.safetensors"] = with_metadata("glimpse.provenance", "[\"glimpse train\"]")

    # --- configs with absurd sizes: each must be refused by validation, before allocation
    files["config-d-model-2e30.safetensors"] = with_config(d_model=1 << 30)
    files["config-heads-2e31.safetensors"] = with_config(num_heads=1 << 31)
    files["config-heads-not-dividing.safetensors"] = with_config(num_heads=3)
    files["config-d-hidden-2e40.safetensors"] = with_config(d_hidden=1 << 40)
    files["config-layers-2e20.safetensors"] = with_config(encoder_layers=1 << 20)
    files["config-layers-wrap-int.safetensors"] = with_config(decoder_layers=(1 << 32) + 1)
    files["config-vocab-2e40.safetensors"] = with_config(vocab_size=1 << 40)
    files["config-t-max-2e31.safetensors"] = with_config(max_caption_len=1 << 31)
    files["config-context-len-huge.safetensors"] = with_config(max_context_len=1 << 62)
    files["config-patches-huge.safetensors"] = with_config(image_size=4096, patch_size=1)
    # Every field within its own bound, the product 2^37 floats (512 GiB): kMaxParameters.
    files["config-parameters-2e37.safetensors"] = with_config(d_model=4096, vocab_size=1 << 24)
    # Valid (218 M parameters, under kMaxParameters) but 833 MiB of weights that the file does
    # not hold: refused from the parameter layout before the model is built.
    files["config-unbacked-833mib.safetensors"] = with_config(d_model=2048, d_hidden=8192,
                                                              encoder_layers=2)
    files["config-size-is-float.safetensors"] = with_config(d_model=8.0)
    files["config-unknown-field.safetensors"] = with_config(d_modle=8)
    return files


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".safetensors"):
            os.remove(os.path.join(OUT, name))
    for name, data in sorted(corpus().items()):
        assert len(data) < 64 * 1024, f"{name}: {len(data)} bytes, over the corpus' 64 KB"
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
        print(f"{len(data):7d}  {name}")


if __name__ == "__main__":
    main()
