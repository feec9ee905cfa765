#include "caption_workloads.h"

#include <algorithm>
#include <chrono>
#include <functional>

#include "glimpse/model/decode_session.h"
#include "glimpse/model/decoding.h"
#include "workloads.h"

namespace glimpse::bench {
namespace {

struct OneImage {
  Tensor patches;
  std::vector<int32_t> context_ids;
  std::vector<uint8_t> context_padding;

  OneImage(const model::ModelConfig& c, int context_tokens) {
    Rng rng(5);
    patches = Tensor({c.image.num_patches(), c.image.patch_dim()});
    for (int64_t i = 0; i < patches.size(); ++i) patches[i] = rng.normal();
    for (int t = 0; t < context_tokens; ++t) {
      context_ids.push_back(static_cast<int32_t>(4 + rng.next() % static_cast<uint64_t>(c.vocab_size - 4)));
      context_padding.push_back(0);
    }
  }
  model::ModelInputs inputs() const {
    model::ModelInputs in;
    in.batch = 1;
    in.patches = &patches;
    in.context_ids = context_ids.data();
    in.context_padding = context_padding.data();
    in.context_len = static_cast<int64_t>(context_ids.size());
    return in;
  }
};

}  // namespace

std::vector<double> median_seconds_of_rounds(const std::vector<std::function<void()>>& measures,
                                             double min_seconds) {
  using clock = std::chrono::steady_clock;
  if (measures.empty()) return {};
  for (const auto& fn : measures) fn();
  std::vector<std::vector<double>> samples(measures.size());
  const auto start = clock::now();
  const double budget = min_seconds * static_cast<double>(measures.size());
  while (std::chrono::duration<double>(clock::now() - start).count() < budget || samples[0].size() < 3) {
    for (size_t i = 0; i < measures.size(); ++i) {
      const auto t0 = clock::now();
      measures[i]();
      samples[i].push_back(std::chrono::duration<double>(clock::now() - t0).count());
    }
  }
  // The conventional median: the middle sample of an odd count, the mean of the two middle
  // samples of an even one.
  std::vector<double> medians;
  for (auto& s : samples) {
    std::sort(s.begin(), s.end());
    const size_t m = s.size() / 2;
    medians.push_back(s.size() % 2 != 0 ? s[m] : (s[m - 1] + s[m]) / 2);
  }
  return medians;
}

CaptionTimes time_captioning(model::CaptionModel& m, int words, int context_tokens,
                             double min_seconds) {
  const int ctx = std::min<int>(context_tokens, static_cast<int>(m.config().max_context_len));
  OneImage img(m.config(), ctx);
  CaptionTimes t;
  t.words = words;
  model::EncodedMemories enc, fixed;
  m.encode(img.inputs(), fixed);
  model::DecodeOptions greedy;
  greedy.min_len = greedy.max_len = words;
  greedy.keep_records = true;
  model::DecodeOptions beam = greedy;
  beam.beam = 3;
  const auto ms = median_seconds_of_rounds(
      {[&] { m.encode(img.inputs(), enc); },
       [&] { model::greedy_decode(m, fixed, greedy); },
       [&] {
         m.encode(img.inputs(), enc);
         model::greedy_decode(m, enc, greedy);
       },
       [&] {
         m.encode(img.inputs(), enc);
         model::beam_decode(m, enc, beam);
       }},
      min_seconds);
  t.encode_ms = 1e3 * ms[0];
  t.per_token_ms = 1e3 * ms[1] / (words + 1);  // decode alone, over its steps (<eos> included)
  t.greedy_ms = 1e3 * ms[2];
  t.beam3_ms = 1e3 * ms[3];
  return t;
}

std::vector<StepCost> step_cost_by_position(model::CaptionModel& m,
                                            const std::vector<int64_t>& positions,
                                            double min_seconds) {
  OneImage img(m.config(), 4);
  model::EncodedMemories enc;
  m.encode(img.inputs(), enc);
  std::vector<StepCost> out;
  const std::vector<int32_t> ids = {5};
  for (int64_t pos : positions) {
    if (pos >= m.config().max_caption_len) continue;
    // Fill the cache up to pos, then time the step at pos (re-running it overwrites the same
    // cache row, so every timed call costs the same).
    model::DecodeSession session(m, enc, 1, pos + 1, true);
    for (int64_t p = 0; p < pos; ++p) session.step(ids, p);
    const double s = seconds_per_call([&] { session.step(ids, pos); }, min_seconds);
    out.push_back({pos, m.num_patches(), 1e3 * s});
  }
  return out;
}

}  // namespace glimpse::bench
