// A tiny captioning model and inputs for tests: every fusion strategy, random weights, two
// images with contexts of different lengths.
#pragma once

#include <string>
#include <vector>

#include "glimpse/model/caption_model.h"
#include "test_util.h"

namespace glimpse::testing {

// "w<i>", a word of the tiny models' vocabularies. Appended, not `"w" + std::to_string(i)`:
// GCC 12 at -O3 warns, falsely, -Wrestrict on that operator+(const char*, string&&) once inlined.
inline std::string vocabulary_word(int i) {
  std::string word = "w";
  word += std::to_string(i);
  return word;
}

inline model::ModelConfig tiny_config(FusionKind fusion) {
  model::ModelConfig c;
  c.image.image_size = 16;
  c.image.patch_size = 4;  // 4x4 grid, 16 patches
  c.d_model = 16;
  c.num_heads = 2;
  c.d_hidden = 32;
  c.dropout = 0.0f;
  c.encoder_layers = 2;
  c.context_layers = 1;
  c.decoder_layers = 2;
  c.vocab_size = 23;
  c.max_caption_len = 9;
  c.max_context_len = 5;
  c.fusion = fusion;
  return c;
}

// B images' patches and contexts; context of image b has lengths[b] real tokens.
struct TinyInputs {
  Tensor patches;
  std::vector<int32_t> context_ids;
  std::vector<uint8_t> context_padding;
  int64_t batch = 0, context_len = 0;

  TinyInputs(const model::ModelConfig& c, const std::vector<int64_t>& lengths, uint64_t seed) {
    Rng rng(seed);
    batch = static_cast<int64_t>(lengths.size());
    for (int64_t len : lengths) context_len = std::max(context_len, len);
    patches = random_tensor({batch * c.image.num_patches(), c.image.patch_dim()}, rng);
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t t = 0; t < context_len; ++t) {
        const bool real = t < lengths[static_cast<size_t>(b)];
        context_ids.push_back(real ? static_cast<int32_t>(4 + rng.next() % (c.vocab_size - 4)) : 0);
        context_padding.push_back(real ? 0 : 1);
      }
  }

  model::ModelInputs inputs() const {
    model::ModelInputs in;
    in.batch = batch;
    in.patches = &patches;
    in.context_ids = context_ids.data();
    in.context_padding = context_padding.data();
    in.context_len = context_len;
    return in;
  }

  // The inputs of image b alone, its context cut to its real length.
  TinyInputs single(const model::ModelConfig& c, int64_t b) const {
    TinyInputs one = *this;
    one.batch = 1;
    const int64_t N = c.image.num_patches(), pd = c.image.patch_dim();
    one.patches = Tensor({N, pd});
    std::copy(patches.data() + b * N * pd, patches.data() + (b + 1) * N * pd, one.patches.data());
    one.context_ids.clear();
    one.context_padding.clear();
    for (int64_t t = 0; t < context_len; ++t)
      if (!context_padding[static_cast<size_t>(b * context_len + t)]) {
        one.context_ids.push_back(context_ids[static_cast<size_t>(b * context_len + t)]);
        one.context_padding.push_back(0);
      }
    one.context_len = static_cast<int64_t>(one.context_ids.size());
    return one;
  }
};

}  // namespace glimpse::testing
