// Attention supervision (train/attention_loss.h): which words get targets and on which patches,
// the loss's value, its gradient through every fusion strategy against finite differences, and
// that training with it moves the attention onto the named object.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "glimpse/core/error.h"
#include "glimpse/eval/object_mentions.h"
#include "glimpse/text/tokenizer.h"
#include "glimpse/train/attention_loss.h"
#include "glimpse/train/training_step.h"
#include "glimpse/vision/preprocess.h"
#include "catalogue_fixture.h"
#include "model_fixture.h"

namespace glimpse {
namespace {

using testing::TinyInputs;
using testing::scene_object;


eval::ObjectLexicon small_lexicon() {
  vision::SceneCatalogue c;
  c.objects = {scene_object("dog", "dog", "dogs"), scene_object("cat", "cat", "cats"),
               scene_object("basketball", "basketball", "basketballs", "orange"),
               scene_object("orange", "orange", "oranges", "orange")};
  return eval::ObjectLexicon(c);
}

// A 32x32 picture in 8-px patches: a 4x4 grid, patch centres at 4, 12, 20, 28.
vision::PatchGrid grid_32() {
  vision::PreprocessConfig pc;
  pc.image_size = 32;
  pc.patch_size = 8;
  vision::Image img;
  img.width = img.height = 32;
  img.rgb.assign(32 * 32 * 3, 0);
  return vision::prepare_image(img, pc).grid;
}

std::vector<int> hit_patches(const train::AttentionTargets& t, size_t row) {
  std::vector<int> out;
  for (int64_t p = 0; p < t.patches; ++p)
    if (t.hits[row * static_cast<size_t>(t.patches) + static_cast<size_t>(p)]) out.push_back(static_cast<int>(p));
  return out;
}

TEST(AttentionTargets, AreTheWordsNamingASceneObjectWithThePatchesOnIt) {
  const eval::ObjectLexicon lexicon = small_lexicon();
  const vision::PatchGrid grid = grid_32();
  const std::vector<vision::ObjectBox> objects = {{"dog", 0, 0, 14, 14}, {"basketball", 16, 16, 12, 12},
                                                  {"dog", 18, 0, 10, 6}};
  // a dog and an orange basketball next to a cat
  // 0 1   2   3  4      5          6    7  8 9
  // "orange" is the basketball's colour, not an object; the cat is not in the scene.
  const auto words = text::tokenize("a dog and an orange basketball next to a cat");
  train::AttentionTargets t;
  train::add_attention_targets(lexicon, words, 10, 100, grid, objects, 0.0f, t);
  EXPECT_EQ(t.patches, 16);
  ASSERT_EQ(t.rows, (std::vector<int64_t>{101, 105}));
  // Both dogs: [0, 14]^2 holds centres 4 and 12; [18, 28] x [0, 6] holds (x 20 and 28, y 4).
  EXPECT_EQ(hit_patches(t, 0), (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(hit_patches(t, 1), (std::vector<int>{10, 11, 14, 15}));

  // Words past the kept length were cut from the batch: no targets for them.
  train::AttentionTargets cut;
  train::add_attention_targets(lexicon, words, 5, 0, grid, objects, 0.0f, cut);
  EXPECT_EQ(cut.rows, (std::vector<int64_t>{1}));

  // The tolerance grows each box as the pointing game does: 1/4 of 32 px = 8 px around the
  // basketball reaches the centres at 12.
  train::AttentionTargets grown;
  train::add_attention_targets(lexicon, text::tokenize("a basketball"), 2, 0, grid, objects, 0.25f, grown);
  EXPECT_EQ(hit_patches(grown, 0), (std::vector<int>{5, 6, 7, 9, 10, 11, 13, 14, 15}));

  // An object too small to hold a patch centre gives no target (nothing could score a hit).
  train::AttentionTargets tiny;
  train::add_attention_targets(lexicon, text::tokenize("a cat"), 2, 0, grid, {{"cat", 5, 5, 2, 2}}, 0.0f, tiny);
  EXPECT_TRUE(tiny.rows.empty());
  EXPECT_TRUE(tiny.hits.empty());
}

// Targets of a tiny model's batch (16 patches): 2 images x T = 4 positions, rows spread over
// both images.
train::AttentionTargets tiny_targets(int64_t N) {
  EXPECT_EQ(N, 16);
  train::AttentionTargets t;
  t.patches = N;
  t.rows = {1, 3, 4, 6};
  t.hits.assign(t.rows.size() * static_cast<size_t>(N), 0);
  const std::vector<std::vector<int>> on = {{0, 1, 4, 5}, {15}, {6, 7, 10}, {2, 3, 6, 7, 8, 12}};
  for (size_t r = 0; r < on.size(); ++r)
    for (int p : on[r]) t.hits[r * static_cast<size_t>(N) + static_cast<size_t>(p)] = 1;
  return t;
}

class AttentionLossGradient : public ::testing::TestWithParam<FusionKind> {};

// The loss's gradient, from probability_grad() through the decoder, the fusion and both
// encoders, against central differences of the loss itself. Tolerance: |num - ana| <= 2e-3 +
// 3e-2 |ana| per coordinate (float forward, step 1e-2).
TEST_P(AttentionLossGradient, MatchesFiniteDifferences) {
  const model::ModelConfig c = testing::tiny_config(GetParam());
  model::CaptionModel m(c, 5);
  Rng rng(9);
  for (const auto& np : m.parameters())
    for (int64_t i = 0; i < np.param->value.size(); ++i) np.param->value[i] += 0.3f * rng.normal();
  const TinyInputs inputs(c, {3, 1}, 11);
  const std::vector<int32_t> ids = {1, 5, 6, 7, 1, 8, 9, 10};  // B = 2, T = 4
  const int64_t T = 4;
  const train::AttentionTargets targets = tiny_targets(m.num_patches());
  train::AttentionLoss loss;
  Tensor logits;
  auto value = [&] {
    m.forward(inputs.inputs(), ids.data(), T, logits, /*training=*/false);
    return static_cast<double>(loss.forward(m, targets));
  };

  const double base = value();
  ASSERT_GT(base, 0.0);
  zero_grads(m.parameters());
  loss.backward(m, targets, 1.0f / static_cast<float>(targets.count()));  // forward() is the mean
  Tensor d_logits(logits.shape(), 0.0f);
  m.backward(d_logits);

  const std::vector<std::string> probed = {"decoder.layers.0.", "decoder.layers.1.", "vision.patch_embed.weight",
                                           "vision.layers.0.", "decoder.token_embed.weight"};
  int checked = 0;
  for (const auto& np : m.parameters()) {
    bool wanted = false;
    for (const std::string& prefix : probed) wanted = wanted || np.name.rfind(prefix, 0) == 0;
    if (!wanted) continue;
    Tensor& w = np.param->value;
    const Tensor analytic = np.param->grad;
    for (int k = 0; k < 4; ++k) {
      const int64_t i = static_cast<int64_t>(rng.next() % static_cast<uint64_t>(w.size()));
      const float orig = w[i];
      w[i] = orig + 1e-2f;
      const double up = value();
      w[i] = orig - 1e-2f;
      const double down = value();
      w[i] = orig;
      const double numeric = (up - down) / 2e-2;
      EXPECT_LE(std::fabs(numeric - analytic[i]), 2e-3 + 3e-2 * std::fabs(analytic[i]))
          << np.name << "[" << i << "] numeric " << numeric << " analytic " << analytic[i];
      ++checked;
    }
  }
  EXPECT_GT(checked, 40);
  EXPECT_EQ(value(), base) << "the loss is not reproducible after the sweep";
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, AttentionLossGradient,
                         ::testing::Values(FusionKind::Concat, FusionKind::Separate, FusionKind::Parallel,
                                           FusionKind::Hierarchical, FusionKind::Gated),
                         [](const ::testing::TestParamInfo<FusionKind>& info) {
                           return std::string(fusion_name(info.param));
                         });

// The loss is -log of the layer- and head-mean share of image attention on the hit patches:
// uniform attention over N patches with k hits gives -log(k / N) for every strategy but
// concat, whose image share is computed from its image columns alone.
TEST(AttentionLoss, IsMinusTheLogOfTheImageAttentionShareOnTheObject) {
  for (FusionKind kind : {FusionKind::Separate, FusionKind::Concat}) {
    const model::ModelConfig c = testing::tiny_config(kind);
    model::CaptionModel m(c, 3);
    // Zero query projections in every image attention: equal scores, so uniform attention.
    for (int l = 0; l < m.decoder().layers(); ++l) {
      MultiHeadAttention& a = m.image_attention(l);
      for (int64_t i = 0; i < c.d_model * c.d_model; ++i) a.in_proj_weight.value[i] = 0.0f;
      for (int64_t i = 0; i < c.d_model; ++i) a.in_proj_bias.value[i] = 0.0f;
    }
    const TinyInputs inputs(c, {2, 2}, 4);
    const std::vector<int32_t> ids = {1, 5, 6, 7, 1, 8, 9, 10};
    Tensor logits;
    m.forward(inputs.inputs(), ids.data(), 4, logits, false);
    const train::AttentionTargets targets = tiny_targets(m.num_patches());
    train::AttentionLoss loss;
    const double expected = -(std::log(4.0 / 16) + std::log(1.0 / 16) + std::log(3.0 / 16) + std::log(6.0 / 16)) / 4;
    EXPECT_NEAR(loss.forward(m, targets), expected, 1e-5) << fusion_name(kind);
    EXPECT_EQ(loss.counted(), 4);
  }
}

TEST(AttentionLoss, RefusesTargetsThatDoNotFitTheBatch) {
  const model::ModelConfig c = testing::tiny_config(FusionKind::Concat);
  model::CaptionModel m(c, 3);
  train::AttentionLoss loss;
  train::AttentionTargets targets = tiny_targets(m.num_patches());
  EXPECT_THROW(loss.forward(m, targets), Error);  // no forward yet
  const TinyInputs inputs(c, {2, 2}, 4);
  const std::vector<int32_t> ids = {1, 5, 6, 7, 1, 8, 9, 10};
  Tensor logits;
  m.forward(inputs.inputs(), ids.data(), 4, logits, false);
  targets.rows.back() = 8;  // B * T = 8 rows: one past the end
  EXPECT_THROW(loss.forward(m, targets), Error);
  train::AttentionTargets other = tiny_targets(m.num_patches());
  other.patches = 9;  // targets made for another patch grid
  other.hits.resize(other.rows.size() * 9);
  EXPECT_THROW(loss.forward(m, other), Error);
  train::AttentionTargets short_hits = tiny_targets(m.num_patches());
  short_hits.hits.pop_back();
  EXPECT_THROW(loss.forward(m, short_hits), Error);
  EXPECT_EQ(loss.forward(m, train::AttentionTargets{}), 0.0f);  // no targets: no loss
}

// A few steps of the caption loss plus attention supervision on one batch raise the image
// attention share on the targets far above what the caption loss alone gives them.
TEST(AttentionLoss, TrainingWithItMovesTheAttentionOntoTheObject) {
  const model::ModelConfig c = testing::tiny_config(FusionKind::Concat);
  const TinyInputs inputs(c, {3, 1}, 11);
  const std::vector<int32_t> ids = {1, 5, 6, 7, 1, 8, 9, 10};
  const std::vector<int32_t> targets_ids = {5, 6, 7, 2, 8, 9, 10, 2};
  auto trained_share = [&](float weight) {
    model::CaptionModel m(c, 5);
    train::StepSettings s;
    s.attention_weight = weight;
    s.label_smoothing = 0.0f;
    train::TrainingStep step(m, s);
    train::TrainingBatch batch;
    batch.batch = 2;
    batch.caption_len = 4;
    batch.caption_inputs = ids;
    batch.caption_targets = targets_ids;
    batch.target_tokens = 8;
    batch.attention_targets = tiny_targets(m.num_patches());
    batch.input.patches = inputs.patches;
    batch.input.context_ids = inputs.context_ids;
    batch.input.context_padding = inputs.context_padding;
    batch.input.context_len = inputs.context_len;
    batch.input.batch = 2;
    for (int i = 0; i < 60; ++i) step.run(batch, 3e-3f);
    Tensor logits;
    m.forward(batch.inputs(), ids.data(), 4, logits, false);
    train::AttentionLoss loss;
    return std::exp(-static_cast<double>(loss.forward(m, batch.attention_targets)));  // geometric-mean share
  };
  const double without = trained_share(0.0f), with = trained_share(1.0f);
  EXPECT_GT(with, 0.8) << "without supervision " << without;
  EXPECT_GT(with, 2 * without);
}

}  // namespace
}  // namespace glimpse
