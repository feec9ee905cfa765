#include "api_results.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "glimpse/core/error.h"
#include "glimpse/model/attention_share.h"

namespace glimpse {

namespace {

// [layers][heads][len] -> [len]: one layer or the layer mean, then one head, the mean or the max.
std::vector<float> combine_heads(const std::vector<float>& by_head, int layers, int heads,
                                 int layer, int head, const char* what) {
  const std::string where = std::string("StepAttention::") + what;
  check(layers > 0, where, "this step has no attention record");
  check(layer >= -1 && layer < layers, where,
        "layer " + std::to_string(layer) + " is not -1 (mean) or in [0, " + std::to_string(layers) + ")");
  check(head >= -2 && head < heads, where,
        "head " + std::to_string(head) + " is not -1 (mean), -2 (max) or in [0, " +
            std::to_string(heads) + ")");
  const size_t N = by_head.size() / (static_cast<size_t>(layers) * heads);
  auto head_map = [&](int h, size_t j) {
    if (layer >= 0) return by_head[(static_cast<size_t>(layer) * heads + h) * N + j];
    float sum = 0.0f;
    for (int l = 0; l < layers; ++l) sum += by_head[(static_cast<size_t>(l) * heads + h) * N + j];
    return sum / static_cast<float>(layers);
  };
  std::vector<float> out(N, 0.0f);
  for (size_t j = 0; j < N; ++j) {
    if (head >= 0) {
      out[j] = head_map(head, j);
    } else if (head == -1) {
      float sum = 0.0f;
      for (int h = 0; h < heads; ++h) sum += head_map(h, j);
      out[j] = sum / static_cast<float>(heads);
    } else {
      float best = 0.0f;
      for (int h = 0; h < heads; ++h) best = std::max(best, head_map(h, j));
      out[j] = best;
    }
  }
  return out;
}

}  // namespace

std::vector<float> StepAttention::image_map(int layer, int head) const {
  return combine_heads(image_by_head, layers, heads, layer, head, "image_map");
}

std::vector<float> StepAttention::context_map(int layer, int head) const {
  return combine_heads(context_by_head, layers, heads, layer, head, "context_map");
}

float attention_entropy(const std::vector<float>& w) {
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  if (total <= 0.0) return 0.0f;
  double h = 0.0;
  for (float v : w) {
    const double p = v / total;
    if (p > 0.0) h -= p * std::log(p);
  }
  return static_cast<float>(h);
}

const Caption& CaptionResult::best() const {
  check(!hypotheses.empty(), "CaptionResult", "no caption");
  return hypotheses.front();
}

namespace api {

StepAttention summarise_step(const model::StepRecord& rec, const model::ModelConfig& cfg,
                             int64_t N, int64_t Lc, const text::Vocabulary& vocab) {
  StepAttention a;
  for (const model::TokenLogprob& t : rec.top) a.top.push_back({vocab.token(t.token), t.token, t.logprob});
  if (rec.image.empty()) return a;  // decoded without records
  a.layers = cfg.decoder_layers;
  a.heads = static_cast<int>(cfg.num_heads);
  a.image_by_head = rec.image;
  a.context_by_head = rec.context;
  const int64_t rows = int64_t{a.layers} * a.heads;
  a.image.assign(static_cast<size_t>(N), 0.0f);
  a.context.assign(static_cast<size_t>(Lc), 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t j = 0; j < N; ++j)
      a.image[static_cast<size_t>(j)] += rec.image[static_cast<size_t>(r * N + j)] / static_cast<float>(rows);
    for (int64_t j = 0; j < Lc; ++j)
      a.context[static_cast<size_t>(j)] += rec.context[static_cast<size_t>(r * Lc + j)] / static_cast<float>(rows);
  }
  a.image_share_by_layer = model::image_share_by_layer(rec, a.layers, a.heads, N);
  a.image_share = std::accumulate(a.image_share_by_layer.begin(), a.image_share_by_layer.end(), 0.0f) /
                  static_cast<float>(a.layers);
  a.image_entropy = attention_entropy(a.image);
  a.image_entropy_normalised = N > 1 ? a.image_entropy / static_cast<float>(std::log(static_cast<double>(N))) : 0.0f;
  return a;
}

Caption to_caption(const model::DecodedCaption& d, const model::ModelConfig& cfg, int64_t N,
                   int64_t Lc, const text::Vocabulary& vocab) {
  Caption c;
  c.text = vocab.decode(d.tokens);
  c.logprob = d.logprob;
  c.score = d.score;
  c.finished = d.finished;
  for (size_t i = 0; i < d.tokens.size(); ++i) {
    Word w;
    w.id = d.tokens[i];
    w.text = vocab.token(w.id);
    w.logprob = d.steps[i].logprob;
    w.predicted = summarise_step(d.steps[i], cfg, N, Lc, vocab);
    if (i + 1 < d.steps.size()) w.as_input = summarise_step(d.steps[i + 1], cfg, N, Lc, vocab);
    c.words.push_back(std::move(w));
  }
  if (d.finished && d.steps.size() == d.tokens.size() + 1)
    c.end = summarise_step(d.steps.back(), cfg, N, Lc, vocab);
  return c;
}

}  // namespace api
}  // namespace glimpse
