"""A minimal .safetensors writer (there is no safetensors package beside Debian's torch).

Format: an 8-byte little-endian header length N, N bytes of JSON header
    {name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}
(offsets relative to the first byte after the header), then the raw little-endian bytes.
Every tensor is written as float32; integer data (ids, targets, masks) is stored as exact
float values and converted back by the reader.
"""

import json
import os
import struct

import numpy as np


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> torch.Tensor or numpy array) to `path` atomically."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        value = tensors[name]
        if hasattr(value, "detach"):  # torch.Tensor
            value = value.detach().cpu().numpy()
        arr = np.ascontiguousarray(np.asarray(value, dtype="<f4"))
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{path}: tensor '{name}' has NaN or Inf")
        data = arr.tobytes(order="C")
        header[name] = {
            "dtype": "F32",
            "shape": [int(d) for d in arr.shape],
            "data_offsets": [offset, offset + len(data)],
        }
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * ((8 - (8 + len(head)) % 8) % 8)  # data starts 8-byte aligned
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for blob in blobs:
            f.write(blob)
    os.replace(tmp, path)
