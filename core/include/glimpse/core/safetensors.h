// Reading and writing Hugging Face's .safetensors format:
//   8-byte little-endian header length N | N bytes of JSON header | raw tensor bytes
// The header maps each tensor name to {dtype, shape, data_offsets: [begin, end]} (offsets
// relative to the byte after the header) and may hold "__metadata__": {string: string}.
//
// Reading validates everything it touches and names the file and the fault: header length and
// bounds, JSON (at most kMaxTensorCount tensors, nested no deeper than the format's
// name -> entry -> array), dtype, shape against byte size, offsets inside the data, no
// overlap, finite values (a NaN or Inf names its tensor). F32, F16 and BF16 load into float32
// tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "glimpse/core/tensor.h"

namespace glimpse {

// A header larger than this is not a model of ours: the format's reference implementation caps
// it at 100 MB, and the shipped models' headers are under 25 KB (config, vocabulary, 156 tensor
// entries).
inline constexpr uint64_t kMaxHeaderBytes = 100ull << 20;
// Tensors in one file. The largest model a valid ModelConfig allows (64 layers in each of its
// three stacks, hierarchical fusion) has 3,343 parameter tensors; 16,384 leaves room for other
// safetensors files the tests read while refusing a header of millions of tiny entries, each
// of which would cost a parsed JSON object and a map node.
inline constexpr size_t kMaxTensorCount = 16384;
// JSON values in a header: at most 14 per tensor entry (the entry, dtype, shape and 8 sizes,
// data_offsets and 2 offsets) plus the __metadata__ strings. Counted while parsing, so a
// header of kMaxHeaderBytes made of `[0,0,0,...]` is refused before it is a 1 GB parse tree.
inline constexpr size_t kMaxHeaderValues = 16 * (kMaxTensorCount + 1);

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
