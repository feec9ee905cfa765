// Fusion strategies inside the decoder block: cached decode steps reproduce the full
// teacher-forced computation, attention over each memory sums to 1, gates behave as documented.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "glimpse/core/transformer_blocks.h"
#include "test_util.h"

namespace {

using namespace glimpse;
using glimpse::testing::max_abs_diff;
using glimpse::testing::random_tensor;

constexpr int64_t kD = 16, kHeads = 4, kB = 2, kT = 5, kLi = 6, kLc = 4;

BlockConfig small_config() {
  BlockConfig c;
  c.d_model = kD;
  c.num_heads = kHeads;
  c.d_hidden = 32;
  c.dropout = 0.0f;
  return c;
}

// Memories for one test: image [B*Li, d], context [B*Lc, d] with padding (batch 1 has its last
// two context tokens padded), and the joint [img ; ctx] memory concat fusion reads.
struct Memories {
  Tensor image, context, joint;
  std::vector<uint8_t> context_padding, joint_padding;
  MemorySlot slots[2];

  explicit Memories(Rng& rng)
      : image(random_tensor({kB * kLi, kD}, rng)),
        context(random_tensor({kB * kLc, kD}, rng)),
        context_padding{0, 0, 0, 0, 0, 0, 1, 1} {
    joint.resize({kB * (kLi + kLc), kD});
    for (int64_t b = 0; b < kB; ++b) {
      for (int64_t j = 0; j < kLi; ++j)
        for (int64_t e = 0; e < kD; ++e)
          joint[(b * (kLi + kLc) + j) * kD + e] = image[(b * kLi + j) * kD + e];
      for (int64_t j = 0; j < kLc; ++j)
        for (int64_t e = 0; e < kD; ++e)
          joint[(b * (kLi + kLc) + kLi + j) * kD + e] = context[(b * kLc + j) * kD + e];
      for (int64_t j = 0; j < kLi; ++j) joint_padding.push_back(0);
      for (int64_t j = 0; j < kLc; ++j) joint_padding.push_back(context_padding[b * kLc + j]);
    }
  }

  const MemorySlot* for_kind(FusionKind kind) {
    if (kind == FusionKind::Concat) {
      slots[0] = {&joint, kLi + kLc, joint_padding.data()};
    } else {
      slots[0] = {&image, kLi, nullptr};
      slots[1] = {&context, kLc, context_padding.data()};
    }
    return slots;
  }
};

class FusionTest : public ::testing::TestWithParam<FusionKind> {};

TEST_P(FusionTest, CachedDecodeStepsEqualTheFullMaskedComputation) {
  const FusionKind kind = GetParam();
  Rng rng(7);
  DecoderBlock block(small_config(), kind);
  block.init(rng);
  // Open the gates so the gated variant is not trivially the no-memory model.
  ParameterList params;
  block.collect("", params);
  for (auto& p : params)
    if (p.name.rfind("gate_", 0) == 0) p.param->value[0] = 0.7f;
  Memories mem(rng);
  const MemorySlot* slots = mem.for_kind(kind);
  const int n_slots = fusion_slot_count(kind);

  Tensor x = random_tensor({kB * kT, kD}, rng), y_full;
  block.forward(x, slots, kB, kT, y_full, /*training=*/false);

  // Memory K/V once, then one step per position.
  Tensor kv[2];
  std::vector<KeyValueView> views[2];
  const KeyValueView* view_ptrs[2] = {nullptr, nullptr};
  for (int s = 0; s < n_slots; ++s) {
    block.fusion().slot_attention(s).project_key_values(*slots[s].values, kv[s]);
    const int64_t len = slots[s].len;
    for (int64_t b = 0; b < kB; ++b) {
      const float* base = kv[s].data() + b * len * 2 * kD;
      views[s].push_back({base, base + kD, 2 * kD, len,
                          slots[s].padding ? slots[s].padding + b * len : nullptr});
    }
    view_ptrs[s] = views[s].data();
  }
  SelfAttentionCache cache;
  block.init_cache(cache, kB, kT);
  DecoderStepScratch scratch;
  std::vector<float> probs0(static_cast<size_t>(kB * kHeads * slots[0].len));
  float* probs0_rows[kB] = {probs0.data(), probs0.data() + kHeads * slots[0].len};
  FusionStepTaps taps;
  taps.probs[0] = probs0_rows;
  for (int64_t pos = 0; pos < kT; ++pos) {
    Tensor xt({kB, kD}), yt;
    for (int64_t b = 0; b < kB; ++b)
      for (int64_t e = 0; e < kD; ++e) xt[b * kD + e] = x[(b * kT + pos) * kD + e];
    block.step(xt, pos, cache, view_ptrs, scratch, yt, taps);
    for (int64_t b = 0; b < kB; ++b)
      for (int64_t e = 0; e < kD; ++e)
        ASSERT_NEAR(yt[b * kD + e], y_full[(b * kT + pos) * kD + e], 1e-5f)
            << fusion_name(kind) << " b=" << b << " pos=" << pos;
    // The step's slot-0 probabilities equal the full forward's row for this position.
    const Tensor& full_probs = block.fusion().probabilities(0);
    const int64_t L = slots[0].len;
    for (int64_t b = 0; b < kB; ++b)
      for (int64_t h = 0; h < kHeads; ++h)
        for (int64_t j = 0; j < L; ++j)
          ASSERT_NEAR(probs0_rows[b][h * L + j],
                      full_probs[((b * kHeads + h) * kT + pos) * L + j], 1e-6f);
  }
}

TEST_P(FusionTest, AttentionOverEachMemorySumsToOneAndPaddingGetsZero) {
  const FusionKind kind = GetParam();
  Rng rng(8);
  DecoderBlock block(small_config(), kind);
  block.init(rng);
  Memories mem(rng);
  const MemorySlot* slots = mem.for_kind(kind);
  Tensor x = random_tensor({kB * kT, kD}, rng), y;
  block.forward(x, slots, kB, kT, y, false);
  for (int s = 0; s < fusion_slot_count(kind); ++s) {
    const Tensor& p = block.fusion().probabilities(s);
    const int64_t L = slots[s].len;
    ASSERT_EQ(p.shape(), (Shape{kB, kHeads, kT, L}));
    for (int64_t row = 0; row < kB * kHeads * kT; ++row) {
      const int64_t b = row / (kHeads * kT);
      double sum = 0;
      for (int64_t j = 0; j < L; ++j) {
        const float v = p[row * L + j];
        if (slots[s].padding && slots[s].padding[b * L + j]) {
          EXPECT_EQ(v, 0.0f);
        }
        sum += v;
      }
      EXPECT_NEAR(sum, 1.0, 1e-5) << fusion_name(kind) << " slot " << s;  // concat: over the union
    }
  }
}

TEST_P(FusionTest, MemoryGradientsAccumulateAcrossCalls) {
  const FusionKind kind = GetParam();
  Rng rng(9);
  DecoderBlock block(small_config(), kind);
  block.init(rng);
  Memories mem(rng);
  const MemorySlot* slots = mem.for_kind(kind);
  Tensor x = random_tensor({kB * kT, kD}, rng), y, dx;
  block.forward(x, slots, kB, kT, y, false);
  Tensor dy = random_tensor(y.shape(), rng);
  Tensor g1[2], g2[2];
  Tensor* once[2] = {nullptr, nullptr};
  Tensor* twice[2] = {nullptr, nullptr};
  for (int s = 0; s < fusion_slot_count(kind); ++s) {
    g1[s] = Tensor(slots[s].values->shape(), 0.0f);
    g2[s] = Tensor(slots[s].values->shape(), 0.0f);
    once[s] = &g1[s];
    twice[s] = &g2[s];
  }
  block.backward(x, slots, dy, dx, once);
  block.backward(x, slots, dy, dx, twice);
  block.backward(x, slots, dy, dx, twice);
  for (int s = 0; s < fusion_slot_count(kind); ++s)
    for (int64_t i = 0; i < g1[s].size(); ++i) ASSERT_NEAR(g2[s][i], 2 * g1[s][i], 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, FusionTest,
                         ::testing::Values(FusionKind::Concat, FusionKind::Separate,
                                           FusionKind::Parallel, FusionKind::Hierarchical,
                                           FusionKind::Gated),
                         [](const auto& info) { return std::string(fusion_name(info.param)); });

TEST(GatedFusion, ClosedContextGateEqualsTheModelWithoutContextSublayers) {
  // Gated fusion with alpha_context = 0 (its initial value) and the image gate fully open
  // (tanh(20) rounds to 1.0f) must equal a block with no context sub-layer at all: a concat
  // block reading the image alone, with the same weights.
  Rng rng(10);
  DecoderBlock gated(small_config(), FusionKind::Gated);
  gated.init(rng);
  ParameterList gp;
  gated.collect("", gp);
  for (const auto& p : gp)
    if (p.name == "gate_image") p.param->value[0] = 20.0f;
  DecoderBlock image_only(small_config(), FusionKind::Concat);
  ParameterList ip;
  image_only.collect("", ip);
  auto find = [&](const std::string& name) -> Parameter* {
    for (const auto& p : gp)
      if (p.name == name) return p.param;
    return nullptr;
  };
  for (const auto& p : ip) {
    std::string name = p.name;
    if (name.rfind("norm2.", 0) == 0) name = "norm_image." + name.substr(6);
    if (name.rfind("multihead_attn.", 0) == 0) name = "attn_image." + name.substr(15);
    Parameter* src = find(name);
    ASSERT_NE(src, nullptr) << name;
    p.param->value = src->value;
  }
  Memories mem(rng);
  Tensor x = random_tensor({kB * kT, kD}, rng), y_gated, y_image_only;
  gated.forward(x, mem.for_kind(FusionKind::Gated), kB, kT, y_gated, false);
  image_only.forward(x, mem.image, kB, kT, kLi, nullptr, y_image_only, false);
  EXPECT_EQ(max_abs_diff(y_gated, y_image_only), 0.0f);

  // The closed context slot contributes exactly nothing, whatever the context holds.
  const Tensor& norms = gated.fusion().contribution_norms();
  for (int64_t r = 0; r < kB * kT; ++r) {
    EXPECT_EQ(norms[r * 2 + 1], 0.0f);
    EXPECT_GT(norms[r * 2], 0.0f);
  }
  const auto gates = gated.fusion().gate_values();
  ASSERT_EQ(gates.size(), 2u);
  EXPECT_EQ(gates[0], 1.0f);
  EXPECT_EQ(gates[1], 0.0f);
}

TEST(HierarchicalFusion, EmptyContextLeavesOnlyTheImage) {
  Rng rng(11);
  DecoderBlock block(small_config(), FusionKind::Hierarchical);
  block.init(rng);
  Memories mem(rng);
  Tensor empty({0, kD});
  MemorySlot slots[2] = {{&mem.image, kLi, nullptr}, {&empty, 0, nullptr}};
  Tensor x = random_tensor({kB * kT, kD}, rng), y, dx;
  block.forward(x, slots, kB, kT, y, true);
  EXPECT_TRUE(y.all_finite());
  const Tensor& norms = block.fusion().contribution_norms();
  for (int64_t r = 0; r < kB * kT; ++r) EXPECT_EQ(norms[r * 2 + 1], 0.0f);
  Tensor dy = random_tensor(y.shape(), rng), dimg(mem.image.shape(), 0.0f), dctx({0, kD});
  Tensor* d_slots[2] = {&dimg, &dctx};
  block.backward(x, slots, dy, dx, d_slots);
  EXPECT_TRUE(dx.all_finite());
  EXPECT_TRUE(dimg.all_finite());
}

}  // namespace
