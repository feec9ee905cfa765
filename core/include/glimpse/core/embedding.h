// Embedding: row lookup of token ids in a [num, dim] table, as torch.nn.Embedding.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "glimpse/core/parameter.h"

namespace glimpse {

class Embedding {
 public:
  Embedding(int64_t num_embeddings, int64_t dim);

  // PyTorch's default: N(0, 1).
  void init(Rng& rng, float stddev = 1.0f);

  // ids: n indices in [0, num) -> y: [n, dim]. Out-of-range ids throw.
  void forward(const int32_t* ids, int64_t n, Tensor& y) const;
  void forward(const std::vector<int32_t>& ids, Tensor& y) const {
    forward(ids.data(), static_cast<int64_t>(ids.size()), y);
  }
  // Scatter-adds dy rows into weight.grad.
  void backward(const int32_t* ids, int64_t n, const Tensor& dy);

  void collect(const std::string& prefix, ParameterList& out);

  int64_t num_embeddings() const { return num_; }
  int64_t dim() const { return dim_; }

  Parameter weight;  // [num, dim]

 private:
  int64_t num_, dim_;
};

}  // namespace glimpse
