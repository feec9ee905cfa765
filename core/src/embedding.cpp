#include "glimpse/core/embedding.h"

#include <algorithm>
#include <cstring>

#include "glimpse/core/error.h"

namespace glimpse {

Embedding::Embedding(int64_t num_embeddings, int64_t dim) : num_(num_embeddings), dim_(dim) {
  check(num_embeddings > 0 && dim > 0, "Embedding",
        "sizes must be positive, got num=" + std::to_string(num_embeddings) +
            " dim=" + std::to_string(dim));
  weight = Parameter({num_embeddings, dim}, true);
}

void Embedding::init(Rng& rng, float stddev) { init_normal(weight, rng, stddev); }

static void check_ids(const int32_t* ids, int64_t n, int64_t num, const char* where) {
  for (int64_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= num)
      throw Error(std::string(where) + ": id " + std::to_string(ids[i]) + " at position " +
                  std::to_string(i) + " is outside the table of " + std::to_string(num) + " rows");
}

void Embedding::forward(const int32_t* ids, int64_t n, Tensor& y) const {
  check_ids(ids, n, num_, "Embedding");
  y.resize({n, dim_});
  for (int64_t i = 0; i < n; ++i)
    std::memcpy(y.data() + i * dim_, weight.value.data() + int64_t{ids[i]} * dim_,
                sizeof(float) * dim_);
}

void Embedding::backward(const int32_t* ids, int64_t n, const Tensor& dy) {
  check(dy.rows() == n && dy.cols() == dim_, "Embedding.backward",
        "grad has shape " + shape_str(dy.shape()) + ", expected [" + std::to_string(n) + ", " +
            std::to_string(dim_) + "]");
  check_ids(ids, n, num_, "Embedding.backward");
  for (int64_t i = 0; i < n; ++i) {
    float* g = weight.grad.data() + static_cast<int64_t>(ids[i]) * dim_;
    const float* d = dy.data() + i * dim_;
    for (int64_t j = 0; j < dim_; ++j) g[j] += d[j];
  }
}

void Embedding::collect(const std::string& prefix, ParameterList& out) {
  out.push_back({prefix + "weight", &weight});
}

}  // namespace glimpse
