// The training benchmark's workload (bench/train_workloads.h): the analytic FLOP count against a
// hand count, the batch's teacher-forcing layout, that repeated steps learn, and that the
// no-PyTorch path of `glimpse bench --train` returns positive figures. No wall-clock asserts.
#include <gtest/gtest.h>

#include <cmath>

#include "glimpse/core/precision.h"
#include "train_workloads.h"

namespace glimpse {
namespace {

model::ModelConfig tiny() {
  model::ModelConfig c;
  c.image.image_size = 16;
  c.image.patch_size = 8;  // 2x2 grid: N = 4 patches of 3*8*8 = 192 values
  c.d_model = 8;
  c.num_heads = 2;
  c.d_hidden = 16;
  c.dropout = 0.0f;
  c.encoder_layers = 1;
  c.context_layers = 1;
  c.decoder_layers = 1;
  c.vocab_size = 10;
  c.max_caption_len = 4;
  c.max_context_len = 2;
  c.fusion = FusionKind::Concat;
  return c;
}

TEST(BenchTrain, FlopCountMatchesHandCount) {
  // B = 2, T = 3, Lc = 2, N = 4, P = 192, d = 8, h = 16, V = 10; mm(m, n, k) = 2mnk.
  //   patch embed   mm(8, 8, 192)                                            = 24576
  //   ViT layer     qkv mm(8,24,8) 3072 + QK^T,AV 2*2*mm(4,4,8) 1024
  //                 + out mm(8,8,8) 1024 + FFN 2*mm(8,16,8) 4096              =  9216
  //   context layer qkv mm(4,24,8) 1536 + 2*2*mm(2,2,8) 256 + out 512 + FFN 2048 = 4352
  //   decoder layer self: qkv mm(6,24,8) 2304 + 2*2*mm(3,3,8) 576 + out 768 = 3648
  //                 cross over 4+2 rows: q 768 + kv mm(12,16,8) 3072
  //                 + 2*2*mm(3,6,8) 1152 + out 768 = 5760;  FFN 3072         = 12480
  //   logits        mm(6, 10, 8)                                             =   960
  //   forward = 51584; backward = 2 * (51584 - 24576) + 24576 (patch embed: weight grad
  //   only) = 78592; total 130176.
  EXPECT_DOUBLE_EQ(bench::train_step_flops(tiny(), 2, 3, 2), 130176.0);
  // Without a context the context encoder and its memory rows drop out.
  const double no_ctx = bench::train_step_flops(tiny(), 2, 3, 0);
  EXPECT_LT(no_ctx, 130176.0);
  EXPECT_GT(no_ctx, 0.0);
}

TEST(BenchTrain, BatchIsTeacherForcedWithPadding) {
  const auto c = tiny();
  const auto b = bench::make_train_batch(c, 4, 4, 2);
  ASSERT_EQ(b.caption_inputs.size(), 16u);
  ASSERT_EQ(b.caption_targets.size(), 16u);
  int padded_targets = 0, padded_context = 0;
  for (int64_t s = 0; s < 4; ++s) {
    EXPECT_EQ(b.caption_inputs[static_cast<size_t>(s * 4)], 1);  // <bos>
    bool has_eos = false;
    for (int64_t t = 0; t < 4; ++t) {
      const int32_t tgt = b.caption_targets[static_cast<size_t>(s * 4 + t)];
      if (tgt == 0) ++padded_targets;
      if (tgt == 2) has_eos = true;
      if (t + 1 < 4 && tgt > 2) {
        EXPECT_EQ(b.caption_inputs[static_cast<size_t>(s * 4 + t + 1)], tgt);
      }
      EXPECT_GE(tgt, 0);
      EXPECT_LT(tgt, c.vocab_size);
    }
    EXPECT_TRUE(has_eos);
    EXPECT_EQ(b.input.context_padding[static_cast<size_t>(s * 2)], 0);  // a real context token first
    for (int64_t j = 0; j < 2; ++j) padded_context += b.input.context_padding[static_cast<size_t>(s * 2 + j)];
  }
  EXPECT_GT(padded_targets, 0);
  EXPECT_GT(padded_context, 0);
}

TEST(BenchTrain, RepeatedStepsReduceTheLoss) {
  const auto c = tiny();
  model::CaptionModel m(c, 3);
  const auto b = bench::make_train_batch(c, 4, 4, 2, 5);
  bench::TrainHyper h;
  h.lr = 3e-3f;
  train::TrainingStep trainer(m, h.settings());
  std::vector<float> losses;
  losses.reserve(12);
  for (int i = 0; i < 12; ++i) losses.push_back(trainer.run(b, h.lr));
  for (float l : losses) EXPECT_TRUE(std::isfinite(l));
  EXPECT_LT(losses.back(), losses.front() - 0.05f);
}

TEST(BenchTrain, DropoutFreeLossesIgnoreTheConfiguredDropout) {
  auto c = tiny();
  model::CaptionModel plain(c, 4);
  c.dropout = 0.3f;
  model::CaptionModel dropping(c, 4);
  const auto b = bench::make_train_batch(c, 3, 4, 2);
  const auto a = bench::dropout_free_losses(plain, b, {}, 2);
  const auto d = bench::dropout_free_losses(dropping, b, {}, 2);
  ASSERT_EQ(a.size(), 2u);
  ASSERT_EQ(d.size(), 2u);
  EXPECT_FLOAT_EQ(a[0], d[0]);
  EXPECT_FLOAT_EQ(a[1], d[1]);
  EXPECT_NE(a[0], a[1]);  // the update moved the weights
}

TEST(BenchTrain, WorkloadWithoutTorchReturnsPositiveFigures) {
  auto c = tiny();
  c.dropout = 0.1f;
  model::CaptionModel m(c, 6);
  const auto b = bench::make_train_batch(c, 4, 4, 2);
  const auto r = bench::run_train_workload(m, b, {}, 0.01, 2);
  EXPECT_GT(r.times.step_ms, 0.0);
  EXPECT_GT(r.times.forward_ms, 0.0);
  EXPECT_GT(r.times.samples_per_s, 0.0);
  EXPECT_DOUBLE_EQ(r.times.step_flops, bench::train_step_flops(c, 4, 4, 2));
  EXPECT_GT(r.times.gflops, 0.0);
  EXPECT_GT(r.sgemm.time_weighted_gflops, 0.0);
  EXPECT_GT(r.sgemm.representative_gflops, 0.0);
  ASSERT_EQ(r.check_losses.size(), 2u);
  for (float l : r.check_losses) EXPECT_TRUE(std::isfinite(l) && l > 0.0f);
  // The bf16 step is measured exactly where the CPU has bf16. This model is below
  // kBf16GemmMinMacs everywhere, so its bf16 check losses are the fp32 ones (tests/test_gemm_bf16
  // compares the two precisions where bf16 runs).
  if (cpu_has_bf16()) {
    ASSERT_TRUE(r.bf16_times.has_value());
    EXPECT_GT(r.bf16_times->step_ms, 0.0);
    EXPECT_GT(r.bf16_times->gflops, 0.0);
    EXPECT_NE(r.bf16_kernel.find("bf16"), std::string::npos) << r.bf16_kernel;
    EXPECT_EQ(r.bf16_check_losses, r.check_losses);
  } else {
    EXPECT_FALSE(r.bf16_times.has_value());
    EXPECT_TRUE(r.bf16_check_losses.empty());
  }
}

}  // namespace
}  // namespace glimpse
