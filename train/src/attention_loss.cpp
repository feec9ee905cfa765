#include "glimpse/train/attention_loss.h"

#include <cmath>

#include "glimpse/core/error.h"
#include "glimpse/eval/pointing_game.h"

namespace glimpse::train {

void add_attention_targets(const eval::ObjectLexicon& lexicon, const std::vector<std::string>& words,
                           int64_t kept_words, int64_t first_row, const vision::PatchGrid& grid,
                           const std::vector<vision::ObjectBox>& objects, float tolerance,
                           AttentionTargets& into) {
  const int64_t N = static_cast<int64_t>(grid.boxes.size());
  check(into.patches == 0 || into.patches == N, "add_attention_targets",
        "a grid of " + std::to_string(N) + " patches among targets of " + std::to_string(into.patches));
  into.patches = N;
  for (const eval::Mention& m : lexicon.find_mentions(words)) {
    if (m.last >= kept_words) break;  // cut with the caption
    const std::vector<vision::PixelBox> targets = eval::pointing_targets(m, objects, grid, tolerance);
    if (targets.empty()) continue;
    const size_t at = into.hits.size();
    into.hits.resize(at + static_cast<size_t>(N));
    bool any = false;
    for (int64_t p = 0; p < N; ++p) {
      const bool hit = eval::patch_hits(grid.boxes[static_cast<size_t>(p)], targets);
      into.hits[at + static_cast<size_t>(p)] = hit ? 1 : 0;
      any = any || hit;
    }
    if (!any) {  // an object too small to hold a patch centre: nothing the game could score a hit on
      into.hits.resize(at);
      continue;
    }
    into.rows.push_back(first_row + m.last);
  }
}

namespace {

// The image attention of every decoder layer, checked against the targets.
struct LayerMaps {
  int64_t layers = 0, heads = 0, len_q = 0, len_k = 0;
};

LayerMaps layer_maps(const model::CaptionModel& model, const AttentionTargets& targets) {
  LayerMaps s;
  s.layers = model.decoder().layers();
  const Tensor& p0 = model.image_attention(0).probabilities();
  check(p0.rank() == 4, "AttentionLoss", "the model has no attention of a forward to read");
  s.heads = p0.dim(1);
  s.len_q = p0.dim(2);
  s.len_k = p0.dim(3);
  check(targets.count() == 0 || targets.patches == model.num_patches(), "AttentionLoss",
        "targets for " + std::to_string(targets.patches) + " patches, the model has " +
            std::to_string(model.num_patches()));
  check(targets.hits.size() == targets.rows.size() * static_cast<size_t>(targets.patches), "AttentionLoss",
        "targets hold " + std::to_string(targets.hits.size()) + " patch flags for " +
            std::to_string(targets.rows.size()) + " rows of " + std::to_string(targets.patches) + " patches");
  check(s.len_k >= model.num_patches(), "AttentionLoss", "the image attention has fewer keys than patches");
  for (const int64_t row : targets.rows)
    check(row >= 0 && row < p0.dim(0) * s.len_q, "AttentionLoss",
          "target row " + std::to_string(row) + " outside the batch's " + std::to_string(p0.dim(0) * s.len_q));
  return s;
}

}  // namespace

float AttentionLoss::forward(const model::CaptionModel& model, const AttentionTargets& targets) {
  hit_share_.assign(targets.rows.size(), 0.0);
  image_share_.assign(targets.rows.size(), 0.0);
  if (targets.rows.empty()) return 0.0f;
  const LayerMaps s = layer_maps(model, targets);
  const int64_t N = targets.patches;
  const double norm = 1.0 / static_cast<double>(s.layers * s.heads);
  double total = 0;
  for (size_t r = 0; r < targets.rows.size(); ++r) {
    const int64_t b = targets.rows[r] / s.len_q, t = targets.rows[r] % s.len_q;
    const uint8_t* hit = targets.hits.data() + r * static_cast<size_t>(N);
    double on = 0, all = 0;
    for (int l = 0; l < s.layers; ++l) {
      const float* P = model.image_attention(l).probabilities().data();
      for (int64_t h = 0; h < s.heads; ++h) {
        const float* row = P + ((b * s.heads + h) * s.len_q + t) * s.len_k;
        for (int64_t p = 0; p < N; ++p) {
          all += row[p];
          if (hit[p]) on += row[p];
        }
      }
    }
    hit_share_[r] = on * norm;
    image_share_[r] = all * norm;
    total -= std::log((hit_share_[r] + kEps) / (image_share_[r] + kEps));
  }
  return static_cast<float>(total / static_cast<double>(targets.rows.size()));
}

void AttentionLoss::backward(model::CaptionModel& model, const AttentionTargets& targets, float scale) const {
  check(targets.rows.size() == image_share_.size(), "AttentionLoss.backward", "targets differ from forward's");
  if (targets.rows.empty()) return;
  const LayerMaps s = layer_maps(model, targets);
  const int64_t N = targets.patches;
  const double norm = scale / static_cast<double>(s.layers * s.heads);
  for (int l = 0; l < s.layers; ++l) {
    MultiHeadAttention& attention = model.image_attention(l);
    Tensor& grad = attention.probability_grad();
    grad.resize(attention.probabilities().shape());
    grad.zero();
    for (size_t r = 0; r < targets.rows.size(); ++r) {
      const int64_t b = targets.rows[r] / s.len_q, t = targets.rows[r] % s.len_q;
      const uint8_t* hit = targets.hits.data() + r * static_cast<size_t>(N);
      // d/dA_p of -log(on + eps) + log(all + eps), through A = mean over layers and heads.
      const float d_all = static_cast<float>(norm / (image_share_[r] + kEps));
      const float d_on = static_cast<float>(-norm / (hit_share_[r] + kEps));
      for (int64_t h = 0; h < s.heads; ++h) {
        float* row = grad.data() + ((b * s.heads + h) * s.len_q + t) * s.len_k;
        for (int64_t p = 0; p < N; ++p) row[p] = d_all + (hit[p] ? d_on : 0.0f);
      }
    }
  }
}

}  // namespace glimpse::train
