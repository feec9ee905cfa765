// The behaviour docs/model-format.md promises beyond the logits (which test_model_parity
// checks): which tokens decoding may emit, what happens at the word limit, how `score` and
// `finished` are computed, and the preprocessing's rounding and letterbox geometry. A third
// party implementing the format from the document alone must get these right to reproduce
// captions; each test pins one sentence of it.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "glimpse/core/error.h"
#include "glimpse/core/fusion.h"
#include "glimpse/model/decoding.h"
#include "glimpse/vision/preprocess.h"
#include "model_fixture.h"

namespace {

using namespace glimpse;
using namespace glimpse::model;
using glimpse::testing::TinyInputs;
using glimpse::testing::tiny_config;

// `model` is written: the Parameter returned is reached through parameters()'s pointers.
// cppcheck-suppress constParameter
Parameter& parameter(CaptionModel& model, const std::string& name) {
  for (const NamedParameter& p : model.parameters())
    if (p.name == name) return *p.param;
  throw Error("test: the model has no parameter '" + name + "'");
}

// A tiny model whose output bias pushes `token` `boost` nats above every other logit at every
// step (the random weights give logits of order 1), so the model's argmax is `token`.
struct BiasedModel {
  ModelConfig cfg;
  CaptionModel model;
  TinyInputs data;
  EncodedMemories memories;

  BiasedModel(FusionKind fusion, const std::vector<std::pair<int32_t, float>>& boosts)
      : cfg(tiny_config(fusion)), model(cfg, 11), data(cfg, {3, 1}, 12) {
    Tensor& bias = parameter(model, "decoder.output_bias").value;
    for (const auto& [token, boost] : boosts) bias[token] += boost;
    model.encode(data.inputs(), memories);
  }
};

float expected_score(const DecodedCaption& c, float alpha) {
  return c.logprob / std::pow((5.0f + static_cast<float>(c.steps.size())) / 6.0f, alpha);
}

class FormatContract : public ::testing::TestWithParam<FusionKind> {};

// "Greedy and beam search never choose <pad>, <bos> or <unk>; the log-probabilities stay the
// full-vocabulary log-softmax; top-k lists are the model's own ranking, specials included."
TEST_P(FormatContract, DecodingNeverEmitsPadBosOrUnkEvenWhenTheModelPrefersThem) {
  for (const int32_t special : kNeverGenerated) {
    BiasedModel m(GetParam(), {{special, 40.0f}});
    for (const int beam : {1, 3}) {
      DecodeOptions o;
      o.beam = beam;
      o.top_k = 3;
      for (const DecodedCaption& c : decode(m.model, m.memories, o)) {
        ASSERT_EQ(c.steps.size(), c.tokens.size() + 1);
        for (const int32_t t : c.tokens) {
          EXPECT_FALSE(is_never_generated(t)) << "beam " << beam << " emitted special " << t;
          EXPECT_GE(t, 4) << "beam " << beam;  // a word: not <eos> either
        }
        float sum = 0.0f;
        for (const StepRecord& s : c.steps) {
          // The model's favourite is still reported first, with (almost) all the mass...
          ASSERT_EQ(s.top.size(), 3u);
          EXPECT_EQ(s.top[0].token, special);
          EXPECT_GT(s.top[0].logprob, -1e-3f);
          // ...and the chosen token's log-probability is the full softmax's, not renormalised
          // over the tokens decoding may choose: about -40 nats.
          EXPECT_LT(s.logprob, -30.0f) << "beam " << beam;
          sum += s.logprob;
        }
        EXPECT_NEAR(c.logprob, sum, 1e-3f * std::fabs(sum));
      }
    }
  }
}

TEST(FormatContractNames, NeverGeneratedAreExactlyPadBosUnk) {
  EXPECT_TRUE(is_never_generated(kPadId));
  EXPECT_TRUE(is_never_generated(kBosId));
  EXPECT_TRUE(is_never_generated(kUnkId));
  EXPECT_FALSE(is_never_generated(kEosId));
  EXPECT_FALSE(is_never_generated(4));
}

// "At the word limit (max_caption_len - 1 words, or max_len) the decoder takes one more step
// with <eos> forced; its log-probability counts; finished is false when a word was better."
TEST_P(FormatContract, AWordyModelIsCutAtTheLimitWithAForcedEosStep) {
  const int32_t word = 5;
  BiasedModel m(GetParam(), {{word, 30.0f}, {kEosId, -30.0f}});
  const int64_t limit = m.cfg.max_caption_len - 1;
  for (const int max_len : {0, 3}) {
    const size_t words = max_len > 0 ? static_cast<size_t>(max_len) : static_cast<size_t>(limit);
    for (const int beam : {1, 3}) {
      DecodeOptions o;
      o.beam = beam;
      o.max_len = max_len;
      for (const DecodedCaption& c : decode(m.model, m.memories, o)) {
        EXPECT_EQ(c.tokens.size(), words) << "beam " << beam << " max_len " << max_len;
        ASSERT_EQ(c.steps.size(), words + 1);
        EXPECT_EQ(c.steps.back().token, kEosId);
        EXPECT_LT(c.steps.back().logprob, -40.0f);  // the forced <eos> pays its price
        EXPECT_FALSE(c.finished) << "beam " << beam << " max_len " << max_len;
        EXPECT_NEAR(c.score, expected_score(c, o.length_penalty), 1e-4f * std::fabs(c.score));
      }
    }
    // Teacher forcing the cut caption gives the same log-probability and the same verdict.
    DecodeOptions o;
    o.max_len = max_len;
    const auto greedy = decode(m.model, m.memories, o);
    std::vector<std::vector<int32_t>> captions;
    captions.reserve(greedy.size());
    for (const auto& c : greedy) captions.push_back(c.tokens);
    const auto forced = teacher_force(m.model, m.memories, captions, o);
    for (size_t i = 0; i < greedy.size(); ++i) {
      EXPECT_NEAR(forced[i].logprob, greedy[i].logprob, 1e-4f * std::fabs(greedy[i].logprob));
      EXPECT_EQ(forced[i].finished, greedy[i].finished);
    }
  }
}

// An <eos> the model prefers is finished, even on the forced step: here min_len holds <eos>
// back until the limit, where it is also the model's best choice.
TEST_P(FormatContract, EosAtTheLimitThatTheModelPrefersIsFinished) {
  BiasedModel m(GetParam(), {{kEosId, 30.0f}});
  for (const int beam : {1, 3}) {
    DecodeOptions o;
    o.beam = beam;
    const auto early = decode(m.model, m.memories, o);  // min_len 1: one word, then <eos>
    for (const DecodedCaption& c : early) {
      EXPECT_EQ(c.tokens.size(), 1u);
      EXPECT_TRUE(c.finished);
      EXPECT_GT(c.steps.back().logprob, -1e-3f);
    }
    o.max_len = 3;
    o.min_len = 3;
    for (const DecodedCaption& c : decode(m.model, m.memories, o)) {
      EXPECT_EQ(c.tokens.size(), 3u);
      EXPECT_TRUE(c.finished) << "beam " << beam;
    }
  }
}

// score = logprob / ((5 + steps) / 6)^alpha, steps counting the <eos> step; logprob is the sum
// of the steps' log-probabilities.
TEST_P(FormatContract, ScoreIsTheGnmtLengthNormalisedLogprob) {
  BiasedModel m(GetParam(), {});
  for (const float alpha : {0.0f, 0.6f, 1.0f}) {
    for (const int beam : {1, 2}) {
      DecodeOptions o;
      o.beam = beam;
      o.length_penalty = alpha;
      for (const DecodedCaption& c : decode(m.model, m.memories, o)) {
        float sum = 0.0f;
        for (const StepRecord& s : c.steps) sum += s.logprob;
        EXPECT_NEAR(c.logprob, sum, 1e-4f * std::max(1.0f, std::fabs(sum)));
        EXPECT_NEAR(c.score, expected_score(c, alpha), 1e-5f * std::max(1.0f, std::fabs(c.score)));
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, FormatContract,
                         ::testing::Values(FusionKind::Concat, FusionKind::Separate,
                                           FusionKind::Parallel, FusionKind::Hierarchical,
                                           FusionKind::Gated),
                         [](const auto& info) { return std::string(fusion_name(info.param)); });

// ---- What each memory added (slot norms, the image share) -------------------------------------

class SlotNorms : public ::testing::TestWithParam<FusionKind> {};

// "The image's norm is the norm of the vector the image branch added to the residual" (for
// hierarchical: beta_image * v_image, not the image attention's output c_image). With the
// context branch's last linear map zeroed, the context adds nothing and everything the fusion
// added, y - x, is the image's: its norm must be the image's slot norm.
TEST_P(SlotNorms, TheImageNormIsTheNormOfWhatTheImageBranchAdded) {
  const FusionKind kind = GetParam();
  BlockConfig c;
  c.d_model = 16;
  c.num_heads = 2;
  c.d_hidden = 32;
  c.dropout = 0.0f;
  const auto fusion = make_fusion(kind, c);
  Rng rng(5);
  fusion->init(rng);
  ParameterList params;
  fusion->collect("", params);
  const std::string silenced = kind == FusionKind::Hierarchical ? "combine_value_context." : "attn_context.out_proj.";
  int zeroed = 0;
  for (const NamedParameter& p : params) {
    if (p.name.rfind(silenced, 0) == 0) {
      p.param->value.fill(0.0f);
      ++zeroed;
    }
    if (p.name.rfind("gate_", 0) == 0) p.param->value[0] = 0.7f;  // open the gated sub-layers
  }
  ASSERT_GT(zeroed, 0) << "no parameter starts with " << silenced;
  const int64_t B = 2, T = 3, Li = 5, Lc = 4, d = c.d_model;
  const Tensor image = glimpse::testing::random_tensor({B * Li, d}, rng);
  const Tensor context = glimpse::testing::random_tensor({B * Lc, d}, rng);
  const MemorySlot slots[2] = {{&image, Li, nullptr}, {&context, Lc, nullptr}};
  const Tensor x = glimpse::testing::random_tensor({B * T, d}, rng);
  Tensor y;
  fusion->forward(x, slots, B, T, y, false);
  const Tensor& norms = fusion->contribution_norms();
  for (int64_t r = 0; r < B * T; ++r) {
    double added = 0.0;
    for (int64_t e = 0; e < d; ++e) added += std::pow(static_cast<double>(y[r * d + e] - x[r * d + e]), 2);
    EXPECT_NEAR(norms[r * 2], std::sqrt(added), 1e-4 * std::sqrt(added)) << "row " << r;
    EXPECT_EQ(norms[r * 2 + 1], 0.0f) << "row " << r;
  }
}

INSTANTIATE_TEST_SUITE_P(TwoSlotStrategies, SlotNorms,
                         ::testing::Values(FusionKind::Separate, FusionKind::Parallel,
                                           FusionKind::Hierarchical, FusionKind::Gated),
                         [](const auto& info) { return std::string(fusion_name(info.param)); });

// ---- Preprocessing ----------------------------------------------------------------------------

vision::Image gradient_image(int w, int h) {
  vision::Image im;
  im.width = w;
  im.height = h;
  im.rgb.resize(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = im.pixel(x, y);
      p[0] = static_cast<uint8_t>((x * 37 + y * 11) % 256);
      p[1] = static_cast<uint8_t>((x * 5 + y * 53) % 256);
      p[2] = static_cast<uint8_t>((x * y + 7) % 256);
    }
  return im;
}

// "The resized image is 8-bit: every model input is (k / 255 - mean) / std for an integer k."
TEST(FormatContractPreprocess, ResizedPixelsAreRoundedTo8BitsBeforeNormalising) {
  vision::PreprocessConfig c;
  c.image_size = 32;
  c.patch_size = 8;
  c.mean = {0.485f, 0.456f, 0.406f};
  c.std = {0.229f, 0.224f, 0.225f};
  for (const auto& [w, h] : std::vector<std::pair<int, int>>{{50, 41}, {20, 13}, {64, 64}, {77, 20}}) {
    const vision::PreparedImage p = vision::prepare_image(gradient_image(w, h), c);
    const int64_t per_channel = int64_t{c.patch_size} * c.patch_size;
    for (int64_t r = 0; r < p.patches.rows(); ++r)
      for (int64_t j = 0; j < p.patches.cols(); ++j) {
        const int ch = static_cast<int>(j / per_channel);
        // Letterbox padding is the mean colour itself (exactly 0), not an 8-bit level.
        if (p.patches[r * p.patches.cols() + j] == 0.0f) continue;
        const float level = (p.patches[r * p.patches.cols() + j] * c.std[ch] + c.mean[ch]) * 255.0f;
        ASSERT_NEAR(level, std::round(level), 2e-3f) << w << "x" << h << " patch " << r << " element " << j;
      }
  }
}

// "A 2:1 shrink is INTER_AREA: each pixel is its 2 x 2 block's mean, halves rounded up."
TEST(FormatContractPreprocess, HalvingAveragesEachTwoByTwoBlockRoundingHalvesUp) {
  vision::PreprocessConfig c;
  c.image_size = 8;
  c.patch_size = 8;
  c.mode = vision::ResizeMode::Stretch;
  c.mean = {0, 0, 0};
  c.std = {1, 1, 1};
  const vision::Image im = gradient_image(16, 16);
  const vision::PreparedImage p = vision::prepare_image(im, c);
  for (int ch = 0; ch < 3; ++ch)
    for (int y = 0; y < 8; ++y)
      for (int x = 0; x < 8; ++x) {
        const int sum = im.pixel(2 * x, 2 * y)[ch] + im.pixel(2 * x + 1, 2 * y)[ch] +
                        im.pixel(2 * x, 2 * y + 1)[ch] + im.pixel(2 * x + 1, 2 * y + 1)[ch];
        const float got = p.patches[(ch * 8 + y) * 8 + x] * 255.0f;
        const int rounded_mean = (sum + 2) / 4;  // the 2x2 mean in whole levels, rounded
        EXPECT_NEAR(got, static_cast<float>(rounded_mean), 1e-3f) << "channel " << ch << " (" << x << ", " << y << ")";
      }
}

// "letterbox: sides rounded to the nearest pixel, offset (S - side) / 2 rounded down, padding
// normalises to exactly 0."
TEST(FormatContractPreprocess, LetterboxOffsetsRoundDownAndPaddingIsZero) {
  vision::PreprocessConfig c;
  c.image_size = 16;
  c.patch_size = 16;  // one patch: element (ch, y, x) is ch * 256 + y * 16 + x
  // 100 x 37 at 16: scale 0.16, height round(5.92) = 6, offset (16 - 6) / 2 = 5 rows.
  // 100 x 47: height round(7.52) = 8, offset 4; 100 x 28: round(4.48) = 4, offset 6;
  // 100 x 59: round(9.44) = 9, offset 3 (3.5 rounded down).
  for (const auto& [h, side, offset] : std::vector<std::tuple<int, int, int>>{{37, 6, 5}, {47, 8, 4}, {28, 4, 6}, {59, 9, 3}}) {
    // With mean 0.5, content never normalises to 0 (that would be level 127.5).
    const vision::Image im = gradient_image(100, h);
    const vision::PreparedImage p = vision::prepare_image(im, c);
    EXPECT_FLOAT_EQ(p.grid.offset_y, static_cast<float>(offset)) << "height " << h;
    EXPECT_FLOAT_EQ(p.grid.offset_x, 0.0f);
    for (int y = 0; y < 16; ++y) {
      const bool content = y >= offset && y < offset + side;
      for (int x = 0; x < 16; ++x)
        for (int ch = 0; ch < 3; ++ch) {
          const float v = p.patches[ch * 256 + y * 16 + x];
          if (content) {
            EXPECT_NE(v, 0.0f) << "height " << h << " row " << y;
          } else {
            EXPECT_EQ(v, 0.0f) << "height " << h << " row " << y;
          }
        }
    }
  }
}

}  // namespace
