#include "glimpse/text/context_encoder.h"

#include "glimpse/core/eigen_maps.h"
#include "glimpse/core/error.h"

namespace glimpse::text {

ContextEncoder::ContextEncoder(int64_t vocab_size, int64_t max_len, const BlockConfig& block,
                               int layers)
    : max_len_(max_len),
      d_(block.d_model),
      token_embed_(vocab_size, block.d_model),
      pos_embed_({std::max<int64_t>(max_len, 1), block.d_model}, false),
      stack_(block, layers) {
  check(max_len >= 0 && max_len <= 4096, "ContextEncoder",
        "max_len must be in [0, 4096], got " + std::to_string(max_len));
}

void ContextEncoder::init(Rng& rng) {
  token_embed_.init(rng, 0.02f);
  init_normal(pos_embed_, rng, 0.02f);
  stack_.init(rng);
}

void ContextEncoder::forward(const int32_t* ids, const uint8_t* padding, int64_t batch, int64_t len,
                             Tensor& memory, bool training) {
  check(batch > 0 && len >= 0 && len <= max_len_, "ContextEncoder",
        "context length " + std::to_string(len) + " must be in [0, " + std::to_string(max_len_) +
            "] for batch " + std::to_string(batch));
  batch_ = batch;
  len_ = len;
  ids_.assign(ids, ids + batch * len);
  if (len == 0) {
    memory.resize({0, d_});
    return;
  }
  token_embed_.forward(ids, batch * len, embedded_);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < len; ++t)
      RowVecMap(embedded_.data() + (b * len + t) * d_, d_) +=
          ConstRowVecMap(pos_embed_.value.data() + t * d_, d_);
  stack_.forward(embedded_, batch, len, padding, memory, training);
}

void ContextEncoder::backward(const Tensor& d_memory) {
  check_shape(d_memory, {batch_ * len_, d_}, "ContextEncoder.backward", "memory grad");
  if (len_ == 0) return;
  stack_.backward(d_memory, d_embedded_);
  token_embed_.backward(ids_.data(), batch_ * len_, d_embedded_);
  for (int64_t b = 0; b < batch_; ++b)
    for (int64_t t = 0; t < len_; ++t)
      RowVecMap(pos_embed_.grad.data() + t * d_, d_) +=
          ConstRowVecMap(d_embedded_.data() + (b * len_ + t) * d_, d_);
}

void ContextEncoder::collect(const std::string& prefix, ParameterList& out) {
  token_embed_.collect(prefix + "token_embed.", out);
  out.push_back({prefix + "pos_embed", &pos_embed_});
  stack_.collect(prefix, out);
}

}  // namespace glimpse::text
