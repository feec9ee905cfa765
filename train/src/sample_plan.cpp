#include "glimpse/train/sample_plan.h"

#include <numeric>

#include "glimpse/core/error.h"
#include "glimpse/core/random.h"

namespace glimpse::train {

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

namespace {
// Uniform integer in [0, n) without modulo bias (rejection), written out so that it does not
// depend on the standard library's distributions.
uint64_t below(Rng& rng, uint64_t n) {
  const uint64_t limit = ~uint64_t{0} - (~uint64_t{0} % n);
  uint64_t x;
  do x = rng.next(); while (x >= limit);
  return x % n;
}
}  // namespace

SamplePlan::SamplePlan(const vision::CaptionDataset& data, uint64_t seed, bool use_contexts)
    : data_(data), seed_(seed), use_contexts_(use_contexts) {
  check(!data.images.empty(), "SamplePlan", "the training set '" + data.source + "' has no images");
  check(data.images.size() < (uint64_t{1} << 32), "SamplePlan", "more than 2^32 images");
}

const std::vector<uint32_t>& SamplePlan::order(uint64_t epoch) const {
  if (epoch != cached_epoch_) {
    cached_order_.resize(data_.images.size());
    std::iota(cached_order_.begin(), cached_order_.end(), 0u);
    Rng rng(mix_seed(seed_, 0x5eed0000ULL + epoch));
    for (size_t i = cached_order_.size(); i > 1; --i)  // Fisher-Yates
      std::swap(cached_order_[i - 1], cached_order_[below(rng, i)]);
    cached_epoch_ = epoch;
  }
  return cached_order_;
}

Sample SamplePlan::at(uint64_t position) const {
  const uint64_t n = data_.images.size();
  Sample s;
  s.image = order(position / n)[position % n];
  const vision::ImageRecord& r = data_.images[s.image];
  Rng rng(mix_seed(seed_ ^ 0xc0ffee, position));
  const std::vector<std::string>* targets = &r.captions;
  if (use_contexts_ && !r.contexts.empty()) {
    const uint64_t pick = below(rng, r.contexts.size() + 1);  // 0 = the empty context
    if (pick > 0) {
      const vision::ContextEntry& c = r.contexts[pick - 1];
      s.context = c.text;
      targets = &c.captions;
    }
  }
  check(!targets->empty(), "SamplePlan", "image '" + r.file_name + "' has no caption");
  s.caption = (*targets)[below(rng, targets->size())];
  return s;
}

}  // namespace glimpse::train
