// The captioning model end to end: cached decoding against full recomputation, greedy against
// beam 1, batches against single images, recorded attention against teacher forcing, and the
// whole model's gradient against finite differences — for every fusion strategy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "glimpse/core/activations.h"
#include "glimpse/core/error.h"
#include "glimpse/model/decode_session.h"
#include "glimpse/model/decoding.h"
#include "model_fixture.h"

namespace {

using namespace glimpse;
using namespace glimpse::model;
using glimpse::testing::TinyInputs;
using glimpse::testing::tiny_config;

// Row-wise log-softmax of logits [n, V].
Tensor log_softmax(const Tensor& logits) {
  Tensor out(logits.shape());
  const int64_t V = logits.cols();
  for (int64_t r = 0; r < logits.rows(); ++r) {
    const float* z = logits.data() + r * V;
    float mx = z[0];
    for (int64_t j = 1; j < V; ++j) mx = std::max(mx, z[j]);
    double sum = 0;
    for (int64_t j = 0; j < V; ++j) sum += std::exp(static_cast<double>(z[j] - mx));
    for (int64_t j = 0; j < V; ++j) out[r * V + j] = z[j] - mx - static_cast<float>(std::log(sum));
  }
  return out;
}

// <bos> w1 ... wn: the decoder input that reproduces a decoded caption's steps.
std::vector<int32_t> teacher_input(const DecodedCaption& c) {
  std::vector<int32_t> ids = {kBosId};
  ids.insert(ids.end(), c.tokens.begin(), c.tokens.end());
  return ids;
}

class ModelTest : public ::testing::TestWithParam<FusionKind> {};

TEST_P(ModelTest, CachedDecodingEqualsFullRecomputation) {
  const ModelConfig cfg = tiny_config(GetParam());
  CaptionModel m(cfg, 3);
  TinyInputs data(cfg, {3, 1}, 5);
  EncodedMemories enc;
  m.encode(data.inputs(), enc);
  // Feed a fixed token sequence through the cache, compare every step's log-probabilities
  // with the teacher-forced computation over the whole sequence (tolerance 1e-5 absolute).
  const std::vector<int32_t> seq = {kBosId, 7, 9, 4, 12, 5, 8, 20};
  const int64_t T = static_cast<int64_t>(seq.size());
  std::vector<int32_t> batch_ids;
  for (int64_t b = 0; b < data.batch; ++b) batch_ids.insert(batch_ids.end(), seq.begin(), seq.end());
  Tensor logits;
  m.forward(data.inputs(), batch_ids.data(), T, logits, false);
  const Tensor full = log_softmax(logits);
  DecodeSession session(m, enc, 1, T, true);
  const int64_t V = cfg.vocab_size;
  for (int64_t pos = 0; pos < T; ++pos) {
    const Tensor& step = session.step(std::vector<int32_t>(static_cast<size_t>(data.batch), seq[static_cast<size_t>(pos)]), pos);
    for (int64_t b = 0; b < data.batch; ++b)
      for (int64_t j = 0; j < V; ++j)
        ASSERT_NEAR(step[b * V + j], full[(b * T + pos) * V + j], 1e-5f) << "pos " << pos << " b " << b;
  }
}

TEST_P(ModelTest, BeamOfOneEqualsGreedy) {
  const ModelConfig cfg = tiny_config(GetParam());
  CaptionModel m(cfg, 4);
  TinyInputs data(cfg, {2, 5, 0}, 6);
  EncodedMemories enc;
  m.encode(data.inputs(), enc);
  DecodeOptions greedy;
  DecodeOptions beam1;
  beam1.beam = 1;
  const auto a = greedy_decode(m, enc, greedy);
  const auto b = beam_decode(m, enc, beam1);
  ASSERT_EQ(a.size(), 3u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].tokens, b[i].tokens);
    EXPECT_EQ(a[i].finished, b[i].finished);
    EXPECT_NEAR(a[i].logprob, b[i].logprob, 1e-5f);
    ASSERT_EQ(a[i].steps.size(), b[i].steps.size());
    for (size_t s = 0; s < a[i].steps.size(); ++s) EXPECT_EQ(a[i].steps[s].image, b[i].steps[s].image);
  }
}

// Bans one token, and keeps every word list it was asked about (decoding is serial here).
class BanToken final : public WordBan {
 public:
  explicit BanToken(int32_t token) : token_(token) {}
  void ban(int64_t image, const std::vector<int32_t>& words, float* logprobs) const override {
    asked.push_back(words);
    images.push_back(image);
    logprobs[token_] = -std::numeric_limits<float>::infinity();
  }
  mutable std::vector<std::vector<int32_t>> asked;
  mutable std::vector<int64_t> images;

 private:
  int32_t token_;
};

TEST_P(ModelTest, WordBanIsAskedBeforeEveryChoiceOfGreedyAndBeamSearch) {
  const ModelConfig cfg = tiny_config(GetParam());
  CaptionModel m(cfg, 4);
  TinyInputs data(cfg, {2, 5, 0}, 6);
  EncodedMemories enc;
  m.encode(data.inputs(), enc);
  for (int beam : {1, 3}) {
    DecodeOptions o;
    o.beam = beam;
    o.max_len = 6;
    const auto free = decode(m, enc, o);
    // The first word of the first image's caption, banned: no caption may hold it.
    ASSERT_FALSE(free[0].tokens.empty());
    const int32_t banned = free[0].tokens[0];
    BanToken ban(banned);
    o.word_ban = &ban;
    const auto held = decode(m, enc, o);
    for (size_t i = 0; i < held.size(); ++i) {
      EXPECT_EQ(std::count(held[i].tokens.begin(), held[i].tokens.end(), banned), 0) << "beam " << beam;
      // Every prefix of the caption (the empty one and the whole, before <eos>) was asked about.
      for (size_t n = 0; n <= held[i].tokens.size(); ++n) {
        const std::vector<int32_t> prefix(held[i].tokens.begin(), held[i].tokens.begin() + static_cast<std::ptrdiff_t>(n));
        EXPECT_NE(std::find(ban.asked.begin(), ban.asked.end(), prefix), ban.asked.end())
            << "beam " << beam << " image " << i << " prefix of " << n;
      }
    }
    EXPECT_NE(held[0].tokens, free[0].tokens);
    // Every image was asked about, under its own index.
    for (int64_t i = 0; i < data.batch; ++i)
      EXPECT_NE(std::find(ban.images.begin(), ban.images.end(), i), ban.images.end()) << "beam " << beam;
    EXPECT_TRUE(std::all_of(ban.images.begin(), ban.images.end(), [&](int64_t i) { return i >= 0 && i < data.batch; }));
  }
}

TEST_P(ModelTest, BatchEqualsOneByOne) {
  const ModelConfig cfg = tiny_config(GetParam());
  CaptionModel m(cfg, 5);
  TinyInputs data(cfg, {4, 2, 0}, 7);
  for (int beam : {1, 3}) {
    DecodeOptions o;
    o.beam = beam;
    EncodedMemories enc;
    m.encode(data.inputs(), enc);
    const auto batched = decode(m, enc, o);
    for (int64_t b = 0; b < data.batch; ++b) {
      TinyInputs one = data.single(cfg, b);
      EncodedMemories enc1;
      m.encode(one.inputs(), enc1);
      const auto alone = decode(m, enc1, o);
      const DecodedCaption& x = batched[static_cast<size_t>(b)];
      const DecodedCaption& y = alone[0];
      ASSERT_EQ(x.tokens, y.tokens) << "beam " << beam << " image " << b;
      EXPECT_NEAR(x.logprob, y.logprob, 1e-4f);
      ASSERT_EQ(x.steps.size(), y.steps.size());
      for (size_t s = 0; s < x.steps.size(); ++s) {
        ASSERT_EQ(x.steps[s].image.size(), y.steps[s].image.size());
        for (size_t i = 0; i < x.steps[s].image.size(); ++i)
          ASSERT_NEAR(x.steps[s].image[i], y.steps[s].image[i], 1e-5f);
        // Context maps: the batch pads to the longest context; the real tokens agree and the
        // padding gets exactly zero.
        const int64_t Lb = data.context_len, L1 = one.context_len;
        const int64_t rows = cfg.decoder_layers * cfg.num_heads;
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t t = 0; t < Lb; ++t) {
            const float v = x.steps[s].context[static_cast<size_t>(r * Lb + t)];
            if (t < L1) ASSERT_NEAR(v, y.steps[s].context[static_cast<size_t>(r * L1 + t)], 1e-5f);
            else ASSERT_EQ(v, 0.0f);
          }
      }
    }
  }
}

TEST_P(ModelTest, TeacherForcingTheWinningBeamReproducesItsAttention) {
  const FusionKind kind = GetParam();
  const ModelConfig cfg = tiny_config(kind);
  CaptionModel m(cfg, 6);
  TinyInputs data(cfg, {3}, 8);
  EncodedMemories enc;
  m.encode(data.inputs(), enc);
  DecodeOptions o;
  o.beam = 4;
  const DecodedCaption best = beam_decode(m, enc, o)[0];
  const std::vector<int32_t> ids = teacher_input(best);
  const int64_t T = static_cast<int64_t>(ids.size());
  ASSERT_GE(static_cast<int64_t>(best.steps.size()), T);  // a step per input position
  Tensor logits;
  m.forward(data.inputs(), ids.data(), T, logits, false);
  const int64_t N = cfg.image.num_patches(), Lc = data.context_len, H = cfg.num_heads;
  for (int l = 0; l < cfg.decoder_layers; ++l) {
    const Fusion& f = m.decoder().block(l).fusion();
    for (int64_t t = 0; t < T; ++t)
      for (int64_t h = 0; h < H; ++h) {
        const StepRecord& rec = best.steps[static_cast<size_t>(t)];
        for (int64_t j = 0; j < N + Lc; ++j) {
          float teacher;
          if (kind == FusionKind::Concat) {
            teacher = f.probabilities(0)[(h * T + t) * (N + Lc) + j];
          } else if (j < N) {
            teacher = f.probabilities(0)[(h * T + t) * N + j];
          } else {
            teacher = f.probabilities(1)[(h * T + t) * Lc + (j - N)];
          }
          const float recorded = j < N ? rec.image[static_cast<size_t>((l * H + h) * N + j)]
                                       : rec.context[static_cast<size_t>((l * H + h) * Lc + j - N)];
          ASSERT_NEAR(recorded, teacher, 1e-5f) << "layer " << l << " step " << t << " head " << h;
        }
      }
  }
  // And the recorded log-probabilities are the teacher-forced ones.
  const Tensor lp = log_softmax(logits);
  for (int64_t t = 0; t < T && t < static_cast<int64_t>(best.steps.size()); ++t)
    EXPECT_NEAR(best.steps[static_cast<size_t>(t)].logprob,
                lp[t * cfg.vocab_size + best.steps[static_cast<size_t>(t)].token], 1e-5f);
}

TEST_P(ModelTest, RecordedAttentionSumsToOneOverEachMemory) {
  const FusionKind kind = GetParam();
  const ModelConfig cfg = tiny_config(kind);
  CaptionModel m(cfg, 7);
  TinyInputs data(cfg, {3, 0}, 9);
  EncodedMemories enc;
  m.encode(data.inputs(), enc);
  const auto caps = greedy_decode(m, enc, DecodeOptions{});
  const int64_t N = cfg.image.num_patches(), Lc = data.context_len;
  for (size_t b = 0; b < caps.size(); ++b)
    for (const StepRecord& rec : caps[b].steps)
      for (int64_t r = 0; r < cfg.decoder_layers * cfg.num_heads; ++r) {
        double img = 0, ctx = 0;
        for (int64_t j = 0; j < N; ++j) img += rec.image[static_cast<size_t>(r * N + j)];
        for (int64_t j = 0; j < Lc; ++j) ctx += rec.context[static_cast<size_t>(r * Lc + j)];
        const bool has_context = b == 0;
        if (kind == FusionKind::Concat) {
          EXPECT_NEAR(img + ctx, 1.0, 1e-5);  // one softmax over the union
        } else {
          EXPECT_NEAR(img, 1.0, 1e-5);
          EXPECT_NEAR(ctx, has_context ? 1.0 : 0.0, 1e-5);  // no context: nothing to attend
        }
      }
}

TEST_P(ModelTest, WholeModelGradientMatchesFiniteDifferences) {
  // loss = sum(logits * R) + sum(object_logits * Q) (the training-only object head on the image
  // memory, train/object_classes.h); central differences with h = 1e-3 on a few coordinates of
  // every parameter tensor; |numeric - analytic| <= 2e-2 * max(1, |analytic|) (float32 forward).
  ModelConfig cfg = tiny_config(GetParam());
  cfg.object_classes = 3;
  CaptionModel m(cfg, 8);
  TinyInputs data(cfg, {3, 2}, 10);
  const std::vector<int32_t> ids = {kBosId, 5, 6, 7, kBosId, 9, 10, 11};
  Tensor logits, object_logits;
  m.forward(data.inputs(), ids.data(), 4, logits, true);
  m.object_logits(object_logits);
  ASSERT_EQ(object_logits.shape(), (Shape{2 * m.num_patches(), 3}));
  Rng rng(11);
  Tensor R = glimpse::testing::random_tensor(logits.shape(), rng);
  Tensor Q = glimpse::testing::random_tensor(object_logits.shape(), rng);
  zero_grads(m.parameters());
  m.backward(R, &Q);
  auto loss = [&] {
    Tensor out, objects;
    m.forward(data.inputs(), ids.data(), 4, out, true);
    m.object_logits(objects);
    double s = 0;
    for (int64_t i = 0; i < out.size(); ++i) s += static_cast<double>(out[i]) * R[i];
    for (int64_t i = 0; i < objects.size(); ++i) s += static_cast<double>(objects[i]) * Q[i];
    return s;
  };
  // h is small because embeddings start at std 0.02: LayerNorm is far from linear over a
  // step comparable to that scale.
  const float h = 1e-3f;
  int checked = 0;
  for (const auto& np : m.parameters()) {
    Tensor& w = np.param->value;
    for (int probe = 0; probe < 3; ++probe) {
      const int64_t i = static_cast<int64_t>(rng.next() % static_cast<uint64_t>(w.size()));
      const float keep = w[i];
      w[i] = keep + h;
      const double up = loss();
      w[i] = keep - h;
      const double down = loss();
      w[i] = keep;
      const double numeric = (up - down) / (2.0 * h);
      const double analytic = np.param->grad[i];
      EXPECT_NEAR(numeric, analytic, 2e-2 * std::max(1.0, std::fabs(analytic))) << np.name << "[" << i << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 60);
}

TEST_P(ModelTest, ObjectPresenceIsTheLargestPatchProbabilityOfEachClass) {
  // object_presence() (what --min-object-presence reads) against the teacher-forced object
  // logits of the same images: per image and class, the largest over patches of the patch's
  // softmax probability, recomputed here in double; |diff| <= 1e-5 (float softmax).
  ModelConfig cfg = tiny_config(GetParam());
  cfg.object_classes = 4;
  CaptionModel m(cfg, 9);
  TinyInputs data(cfg, {3, 2}, 12);
  const std::vector<int32_t> ids = {kBosId, 5, 6, kBosId, 9, 10};
  Tensor logits, object_logits;
  m.forward(data.inputs(), ids.data(), 3, logits, false);
  m.object_logits(object_logits);
  EncodedMemories memories;
  m.encode(data.inputs(), memories);
  Tensor presence;
  m.object_presence(memories, presence);
  const int64_t n = m.num_patches(), classes = cfg.object_classes;
  ASSERT_EQ(presence.shape(), (Shape{2, classes}));
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t c = 0; c < classes; ++c) {
      double best = 0;
      for (int64_t t = 0; t < n; ++t) {
        const float* row = object_logits.data() + (i * n + t) * classes;
        double z = 0;
        for (int64_t k = 0; k < classes; ++k) z += std::exp(static_cast<double>(row[k]) - row[c]);
        best = std::max(best, 1.0 / z);
      }
      EXPECT_NEAR(presence.data()[i * classes + c], best, 1e-5) << "image " << i << " class " << c;
    }
  CaptionModel headless(tiny_config(GetParam()), 9);
  EXPECT_FALSE(headless.has_object_head());
  EXPECT_TRUE(m.has_object_head());
  headless.encode(data.inputs(), memories);
  EXPECT_THROW(headless.object_presence(memories, presence), Error);
}

INSTANTIATE_TEST_SUITE_P(AllStrategies, ModelTest,
                         ::testing::Values(FusionKind::Concat, FusionKind::Separate,
                                           FusionKind::Parallel, FusionKind::Hierarchical,
                                           FusionKind::Gated),
                         [](const auto& info) { return std::string(fusion_name(info.param)); });

}  // namespace
