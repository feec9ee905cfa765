// Reading and writing Hugging Face's .safetensors format:
//   8-byte little-endian header length N | N bytes of JSON header | raw tensor bytes
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets
// relative to the byte after the header) and may hold "__metadata__": {string: string}.
//
// Reading validates everything it touches and names the file and the fault: header length and
// bounds, JSON, dtype, shape against byte size, offsets inside the data, no overlap, finite
// values. F32, F16 and BF16 load into float32 tensors.
#pragma once

#include <map>
#include <string>

#include "glimpse/core/tensor.h"

namespace glimpse {

enum class StoredType { F32, F16, BF16 };

struct SafeTensors {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, std::string> metadata;
};

// Throws glimpse::Error naming `path` on any problem.
SafeTensors load_safetensors(const std::string& path);
// Same checks on a buffer already in memory; `what` names it in errors.
SafeTensors parse_safetensors(const std::string& bytes, const std::string& what);

// Writes atomically: a temporary file beside `path`, fsync, rename. Tensors are stored as
// `type` (F16/BF16 round to nearest even).
void save_safetensors(const std::string& path, const std::map<std::string, Tensor>& tensors,
                      const std::map<std::string, std::string>& metadata = {},
                      StoredType type = StoredType::F32);

// Writes `bytes` to `path` atomically (temp file in the same folder, fsync, rename).
void write_file_atomic(const std::string& path, const std::string& bytes);

}  // namespace glimpse
