#include "glimpse/model/decode_session.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "glimpse/core/activations.h"
#include "glimpse/core/error.h"
#include "glimpse/model/decoding.h"

namespace glimpse::model {

DecodeSession::DecodeSession(const CaptionModel& model, const EncodedMemories& m,
                             int64_t rows_per_image, int64_t max_steps, bool keep_attention)
    : model_(model), memories_(m), layers_(model.decoder().layers()),
      heads_(model.config().num_heads), rows_(m.images * rows_per_image) {
  check(m.images > 0 && rows_per_image > 0 && static_cast<int>(m.kv.size()) == layers_,
        "DecodeSession", "memories are not encoded for this model");
  const int64_t d = model.config().d_model;
  views_.resize(static_cast<size_t>(layers_ * m.slots));
  view_ptrs_.resize(static_cast<size_t>(layers_ * 2), nullptr);
  layer_ptrs_.resize(static_cast<size_t>(layers_));
  for (int l = 0; l < layers_; ++l) {
    for (int s = 0; s < m.slots; ++s) {
      auto& v = views_[static_cast<size_t>(l * m.slots + s)];
      const int64_t len = m.slot_len[s];
      const uint8_t* pad = m.padding(s);
      const Tensor& kv = m.kv[static_cast<size_t>(l)][static_cast<size_t>(s)];
      for (int64_t r = 0; r < rows_; ++r) {
        const int64_t img = r / rows_per_image;
        // An empty slot (no context tokens) has no storage: kv.data() is null, and null plus
        // an offset is undefined, so its view stays all null with length 0.
        const float* base = len > 0 ? kv.data() + img * len * 2 * d : nullptr;
        v.push_back({base, len > 0 ? base + d : nullptr, 2 * d, len, pad && len > 0 ? pad + img * len : nullptr});
      }
      view_ptrs_[static_cast<size_t>(l * 2 + s)] = v.data();
    }
    layer_ptrs_[static_cast<size_t>(l)] = view_ptrs_.data() + l * 2;
  }
  if (keep_attention) {
    taps_.resize(static_cast<size_t>(layers_));
    for (int s = 0; s < m.slots; ++s) {
      probs_[s].assign(static_cast<size_t>(rows_ * layers_ * heads_ * m.slot_len[s]), 0.0f);
      prob_rows_[s].resize(static_cast<size_t>(layers_ * rows_));
      for (int l = 0; l < layers_; ++l)
        for (int64_t r = 0; r < rows_; ++r)
          prob_rows_[s][static_cast<size_t>(l * rows_ + r)] =
              probs_[s].data() + ((r * layers_ + l) * heads_) * m.slot_len[s];
    }
    norms_.assign(static_cast<size_t>(layers_ * rows_ * m.slots), 0.0f);
    for (int l = 0; l < layers_; ++l) {
      for (int s = 0; s < m.slots; ++s)
        taps_[static_cast<size_t>(l)].probs[s] = prob_rows_[s].data() + l * rows_;
      taps_[static_cast<size_t>(l)].contribution_norms = norms_.data() + l * rows_ * m.slots;
    }
  }
  model.decoder().start(state_, rows_, max_steps);
}

const Tensor& DecodeSession::step(const std::vector<int32_t>& ids, int64_t pos) {
  check_lazily(static_cast<int64_t>(ids.size()) == rows_, "DecodeSession.step",
               [&] { return std::to_string(ids.size()) + " tokens for " + std::to_string(rows_) + " rows"; });
  model_.decoder().step(ids.data(), pos, layer_ptrs_.data(), state_, logprobs_,
                        taps_.empty() ? nullptr : taps_.data(), model_.decoder_step_pack());
  const int64_t V = logprobs_.cols();
  for (int64_t r = 0; r < rows_; ++r) {  // log-softmax in place
    float* z = logprobs_.data() + r * V;
    const float log_sum = log_sum_exp_row(z, V);  // V >= 4: the vocabulary's special tokens
    for (int64_t j = 0; j < V; ++j) z[j] -= log_sum;
  }
  return logprobs_;
}

StepRecord DecodeSession::record(int64_t r, int32_t token, float logprob, int top_k) const {
  StepRecord rec;
  rec.token = token;
  rec.logprob = logprob;
  if (top_k > 0) {
    const int64_t V = logprobs_.cols();
    const float* z = logprobs_.data() + r * V;
    std::vector<int32_t>& order = token_order_;  // no allocation per step after the first
    order.resize(static_cast<size_t>(V));
    std::iota(order.begin(), order.end(), 0);
    const int64_t k = std::min<int64_t>(top_k, V);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [z](int32_t a, int32_t b) {
                        const float za = z[a], zb = z[b];
                        return za > zb || (za == zb && a < b);  // ties: the lower id first
                      });
    for (int64_t i = 0; i < k; ++i) rec.top.push_back({order[static_cast<size_t>(i)], z[order[static_cast<size_t>(i)]]});
  }
  if (taps_.empty()) return rec;
  const EncodedMemories& m = memories_;
  const int64_t N = m.image_len, Lc = m.context_len;
  rec.image.resize(static_cast<size_t>(layers_ * heads_ * N));
  rec.context.resize(static_cast<size_t>(layers_ * heads_ * Lc));
  for (int l = 0; l < layers_; ++l)
    for (int64_t h = 0; h < heads_; ++h) {
      float* img = rec.image.data() + (l * heads_ + h) * N;
      float* ctx = rec.context.data() + (l * heads_ + h) * Lc;
      const int64_t head_row = (r * layers_ + l) * heads_ + h;
      if (m.slots == 1) {  // the joint row: image part, then context part
        const float* p = probs_[0].data() + head_row * (N + Lc);
        std::copy(p, p + N, img);
        std::copy(p + N, p + N + Lc, ctx);
      } else {
        const float* pi = probs_[0].data() + head_row * N;
        const float* pc = probs_[1].data() + head_row * Lc;
        std::copy(pi, pi + N, img);
        std::copy(pc, pc + Lc, ctx);
      }
    }
  if (m.slots == 2) {
    rec.slot_norms.resize(static_cast<size_t>(layers_ * 2));
    for (int l = 0; l < layers_; ++l)
      for (int s = 0; s < 2; ++s)
        rec.slot_norms[static_cast<size_t>(l * 2 + s)] =
            norms_[static_cast<size_t>((l * rows_ + r) * 2 + s)];
  }
  return rec;
}

void DecodeSession::reorder(const std::vector<int64_t>& src, int64_t len) {
  model_.decoder().reorder(state_, src, len);
}

}  // namespace glimpse::model
