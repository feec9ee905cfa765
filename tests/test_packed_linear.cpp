// Pre-packed inference matmuls (core/packed_linear.h): packed fp32 equals the plain Linear,
// bf16 within bf16 rounding, the shipped model encodes the same through the pack, bf16 captions
// equal fp32 captions on generated scenes, and an explicit bf16 on a CPU without it is an error.
// The decoder's per-token step through the fp32 pack decodes what the layers decode, for every
// fusion, greedy and beam, and training drops that pack too.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <thread>

#include "glimpse/core/activations.h"
#include "glimpse/core/error.h"
#include "glimpse/core/linear.h"
#include "glimpse/core/packed_linear.h"
#include "glimpse/core/threads.h"
#include "bf16_round.h"
#include "glimpse/model/checkpoint.h"
#include "glimpse/model/decoding.h"
#include "model_fixture.h"
#include "test_files.h"
#include "test_util.h"

namespace glimpse {
namespace {

using testing::max_abs_diff;
using testing::random_tensor;
using testing::relative_error;

// fp32 packed vs Eigen/sgemm: the same products summed in another order, ~1e-6 relative at
// K <= 576; 1e-5 leaves room for the fused GELU's erf approximation (oneDNN's is ~1 ulp).
constexpr float kFp32Tolerance = 1e-5f;
// bf16 keeps 8 significand bits: each input rounds by <= 2^-9 relative, so a K-term dot
// product of random-sign terms is off by ~2^-9 relative to its magnitude.
constexpr float kBf16Tolerance = 1e-2f;

// The plain layer's output, with the epilogue applied the unfused way.
Tensor reference(const Linear& lin, const Tensor& x, LinearEpilogue epilogue, const Tensor& residual) {
  Tensor y;
  lin.forward(x, y);
  if (epilogue == LinearEpilogue::GeluErf) gelu_forward(y, y, GeluKind::Erf);
  if (epilogue == LinearEpilogue::GeluTanh) gelu_forward(y, y, GeluKind::Tanh);
  if (epilogue == LinearEpilogue::Accumulate)
    for (int64_t i = 0; i < y.size(); ++i) y[i] += residual[i];
  return y;
}

void expect_packed_matches(Precision precision, float tolerance) {
  Rng rng(11);
  for (const bool bias : {true, false})
    for (const LinearEpilogue ep : {LinearEpilogue::None, LinearEpilogue::GeluErf, LinearEpilogue::Accumulate}) {
      Linear lin(96, 80, bias);
      lin.init(rng);
      const PackedLinear packed(lin.weight.value.data(), bias ? lin.bias.value.data() : nullptr, 80, 96,
                                precision, ep);
      for (const int64_t rows : {1, 2, 7, 64, 65, 131}) {
        const Tensor x = random_tensor({rows, 96}, rng);
        const Tensor residual = random_tensor({rows, 80}, rng);
        const Tensor want = reference(lin, x, ep, residual);
        Tensor got = residual;  // Accumulate adds into it; the others overwrite it
        packed.apply(x, got);
        EXPECT_LE(relative_error(got, want), tolerance)
            << precision_name(precision) << " rows " << rows << " bias " << bias << " epilogue "
            << static_cast<int>(ep) << " (" << packed.implementation(rows) << ")";
      }
    }
}

TEST(PackedLinear, Fp32EqualsThePlainLinearForEveryRowCountWithAndWithoutBiasAndGelu) {
  expect_packed_matches(Precision::Fp32, kFp32Tolerance);
}

TEST(PackedLinear, Bf16IsWithinBf16RoundingOfThePlainLinear) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "no AVX512-BF16/AMX-BF16 here (oneDNN: " << onednn_cpu_isa_name() << ")";
  expect_packed_matches(Precision::Bf16, kBf16Tolerance);
}

TEST(PackedLinear, ConcurrentCallsOfOnePackAgreeWithOneCall) {
  Rng rng(5);
  Linear lin(64, 48);
  lin.init(rng);
  const PackedLinear packed(lin.weight.value.data(), lin.bias.value.data(), 48, 64, Precision::Fp32);
  std::vector<Tensor> inputs, outputs(8);
  for (int i = 0; i < 8; ++i) inputs.push_back(random_tensor({3 + i * 9, 64}, rng));
#pragma omp parallel for num_threads(4)
  for (int i = 0; i < 8; ++i) packed.apply(inputs[static_cast<size_t>(i)], outputs[static_cast<size_t>(i)]);
  for (int i = 0; i < 8; ++i) {
    Tensor want;
    packed.apply(inputs[static_cast<size_t>(i)], want);
    EXPECT_EQ(max_abs_diff(outputs[static_cast<size_t>(i)], want), 0.0f) << "input " << i;
  }
}

// The fp32 panel kernel (core/src/fp32_panel_gemm.h: CPUs without AVX-512, or oneDNN capped
// below avx512_core by ONEDNN_MAX_CPU_ISA, as the second ctest run of this program does): a
// row's output is bit for bit the same whatever batch it is in and however many threads run,
// for odd sizes (a panel tail) and every epilogue, and within kFp32Tolerance of the plain layer.
TEST(PackedLinear, Fp32PanelRowsDoNotDependOnTheBatchOrTheThreads) {
  Rng rng(17);
  Linear lin(97, 83);  // 83 outputs: five full 16-wide panels and a tail of 3
  lin.init(rng);
  const int threads = num_threads();
  for (const LinearEpilogue ep :
       {LinearEpilogue::None, LinearEpilogue::GeluErf, LinearEpilogue::GeluTanh, LinearEpilogue::Accumulate}) {
    const PackedLinear packed(lin.weight.value.data(), lin.bias.value.data(), 83, 97, Precision::Fp32, ep);
    if (packed.implementation(8) != "glimpse avx2 fp32 panels")
      GTEST_SKIP() << "oneDNN runs fp32 here (" << packed.implementation(8) << ", ISA " << onednn_cpu_isa_name()
                   << "); ONEDNN_MAX_CPU_ISA=AVX2 selects the panel kernel";
    const Tensor x = random_tensor({65, 97}, rng);
    const Tensor residual = random_tensor({65, 83}, rng);
    const Tensor want = reference(lin, x, ep, residual);
    // Each row alone, on one thread: what every batch below must reproduce exactly.
    set_threads(1);
    Tensor alone = residual;
    for (int64_t r = 0; r < 65; ++r) packed.apply(x.data() + r * 97, 1, alone.data() + r * 83);
    EXPECT_LE(relative_error(alone, want), kFp32Tolerance) << static_cast<int>(ep);
    for (const int t : {1, 2})
      for (const int64_t rows : {2, 3, 4, 5, 6, 7, 11, 13, 64, 65}) {
        set_threads(t);
        Tensor got = residual;
        for (int64_t r0 = 0; r0 < 65; r0 += rows)
          packed.apply(x.data() + r0 * 97, std::min<int64_t>(rows, 65 - r0), got.data() + r0 * 83);
        EXPECT_EQ(max_abs_diff(got, alone), 0.0f)
            << "epilogue " << static_cast<int>(ep) << " batches of " << rows << ", " << t << " threads";
      }
  }
  set_threads(threads);
}

// --- bf16 with hi+lo weights (Bf16Weights::HiLo) ---------------------------------------------

// x with every value rounded to bf16, as the pack rounds its source.
Tensor rounded_to_bf16(const Tensor& x) {
  Tensor y = x;
  for (int64_t i = 0; i < y.size(); ++i) y[i] = detail::bf16_to_float(detail::round_to_bf16(x[i]));
  return y;
}

// hi + lo keep W to 16 significand bits (lo rounds by <= 2^-9 of itself, itself <= 2^-9 of W:
// ~2^-17 relative), so against the fp32 layer fed the rounded source the pack is off by fp32
// summation order and lo's rounding only: measured 1.1e-6 to 2.4e-6 relative, bound 1e-5.
// Rounded weights are off from the same reference by 2^-9 of W: measured 8e-4 to 2.1e-3, at
// least 100x further. Every row count (one row does not take the rounded-weight GEMV) and every
// epilogue.
TEST(PackedLinear, Bf16HiLoWeightsLeaveOnlyTheSourceRounding) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "no AVX512-BF16/AMX-BF16 here (oneDNN: " << onednn_cpu_isa_name() << ")";
  constexpr float kHiLoTolerance = 1e-5f;
  Rng rng(23);
  for (const LinearEpilogue ep : {LinearEpilogue::None, LinearEpilogue::GeluErf, LinearEpilogue::Accumulate}) {
    Linear lin(160, 72);
    lin.init(rng);
    const PackedLinear hilo(lin.weight.value.data(), lin.bias.value.data(), 72, 160, Precision::Bf16, ep,
                            Bf16Weights::HiLo);
    const PackedLinear rounded(lin.weight.value.data(), lin.bias.value.data(), 72, 160, Precision::Bf16, ep,
                               Bf16Weights::Rounded);
    EXPECT_EQ(hilo.bf16_weights(), Bf16Weights::HiLo);
    EXPECT_EQ(hilo.in_features(), 160);
    for (const int64_t rows : {1, 5, 64}) {
      EXPECT_NE(hilo.implementation(rows).find("hi+lo weights"), std::string::npos) << hilo.implementation(rows);
      const Tensor x = random_tensor({rows, 160}, rng);
      const Tensor residual = random_tensor({rows, 72}, rng);
      const Tensor want = reference(lin, rounded_to_bf16(x), ep, residual);
      Tensor got_hilo = residual, got_rounded = residual;
      hilo.apply(x, got_hilo);
      rounded.apply(x, got_rounded);
      const float e_hilo = relative_error(got_hilo, want), e_rounded = relative_error(got_rounded, want);
      EXPECT_LE(e_hilo, kHiLoTolerance) << "rows " << rows << " epilogue " << static_cast<int>(ep);
      EXPECT_GE(e_rounded, 100 * e_hilo) << "rows " << rows << " epilogue " << static_cast<int>(ep);
    }
  }
  // An fp32 pack ignores the request.
  Linear lin(8, 4);
  lin.init(rng);
  EXPECT_EQ(PackedLinear(lin.weight.value.data(), nullptr, 4, 8, Precision::Fp32, LinearEpilogue::None,
                         Bf16Weights::HiLo)
                .bf16_weights(),
            Bf16Weights::Rounded);
}

// --- the one-row bf16 GEMV (core/src/bf16_gemv.h) -------------------------------------------

// One-row bf16 calls run the hand-written GEMV where the CPU has AVX512-BF16; rows > 1 stay on
// oneDNN. Both multiply the same bf16-rounded inputs exactly and sum the products in fp32, in
// another order: ~1e-6 relative at K <= 768, plus the GELUs' erf/tanh approximations (oneDNN's
// and Eigen's, each within ~1.5e-6). A wrong weight, pair, block, bias or epilogue is off by
// far more than 1e-5.
constexpr float kGemvVsOneDnnTolerance = 1e-5f;

bool cpu_runs_the_gemv() {
  return cpu_has_bf16() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bf16");
}

// Restores the thread count a test changed.
struct ThreadCountGuard {
  int saved = num_threads();
  ~ThreadCountGuard() { set_threads(saved); }
};

TEST(PackedLinear, Bf16OneRowGemvMatchesThePlainLinearAndOneDnnForOddShapesAndEveryEpilogue) {
  if (!cpu_runs_the_gemv()) GTEST_SKIP() << "no AVX512-BF16 here (oneDNN: " << onednn_cpu_isa_name() << ")";
  const ThreadCountGuard guard;
  Rng rng(23);
  // {out, in}: tails of a 16-output block and of a 4-block run, odd in (a padded pair), a single
  // pair, the decoder's shapes (576x192 and 1037x192 split over threads, 192x768 deep K).
  const std::array<std::array<int64_t, 2>, 8> shapes = {
      {{37, 19}, {16, 2}, {1, 1}, {17, 3}, {1037, 192}, {576, 192}, {192, 768}, {100, 65}}};
  for (const int threads : {1, 2}) {
    set_threads(threads);
    for (const auto& [out, in] : shapes)
      for (const bool bias : {true, false})
        for (const LinearEpilogue ep : {LinearEpilogue::None, LinearEpilogue::GeluErf, LinearEpilogue::GeluTanh,
                                        LinearEpilogue::Accumulate}) {
          Linear lin(in, out, bias);
          lin.init(rng);
          if (bias) lin.bias.value = random_tensor({out}, rng, 0.5f);  // larger than init's
          const PackedLinear packed(lin.weight.value.data(), bias ? lin.bias.value.data() : nullptr, out, in,
                                    Precision::Bf16, ep);
          const std::string what = "out " + std::to_string(out) + " in " + std::to_string(in) + " bias " +
                                   std::to_string(bias) + " epilogue " + std::to_string(static_cast<int>(ep)) +
                                   " threads " + std::to_string(threads);
          ASSERT_EQ(packed.implementation(1), "glimpse avx512_bf16 gemv") << what;
          ASSERT_NE(packed.implementation(2), "glimpse avx512_bf16 gemv") << what;
          // Two rows for oneDNN; the GEMV gets the first.
          const Tensor x2 = random_tensor({2, in}, rng);
          const Tensor residual2 = random_tensor({2, out}, rng);
          Tensor x({1, in}), residual({1, out});
          std::copy_n(x2.data(), in, x.data());
          std::copy_n(residual2.data(), out, residual.data());
          Tensor got = residual, onednn2 = residual2;
          packed.apply(x, got);
          packed.apply(x2, onednn2);
          Tensor onednn({1, out});
          std::copy_n(onednn2.data(), out, onednn.data());
          EXPECT_LE(relative_error(got, reference(lin, x, ep, residual)), kBf16Tolerance) << what;
          EXPECT_LE(relative_error(got, onednn), kGemvVsOneDnnTolerance) << what;
        }
  }
}

// Concurrent one-row calls, from an OpenMP team (the GEMV runs serially inside it) and from
// plain threads (each splits its call over its own team), give exactly one call's result: every
// output block is summed in the same order whatever the split.
TEST(PackedLinear, Bf16OneRowGemvConcurrentCallsAgreeWithOneCall) {
  if (!cpu_runs_the_gemv()) GTEST_SKIP() << "no AVX512-BF16 here (oneDNN: " << onednn_cpu_isa_name() << ")";
  const ThreadCountGuard guard;
  Rng rng(29);
  Linear lin(192, 1037);
  lin.init(rng);
  lin.bias.value = random_tensor({1037}, rng, 0.5f);
  const PackedLinear packed(lin.weight.value.data(), lin.bias.value.data(), 1037, 192, Precision::Bf16,
                            LinearEpilogue::GeluErf);
  ASSERT_EQ(packed.implementation(1), "glimpse avx512_bf16 gemv");
  std::vector<Tensor> inputs, want(8), team(8), threads(8);
  for (int i = 0; i < 8; ++i) inputs.push_back(random_tensor({1, 192}, rng));
  set_threads(1);
  for (size_t i = 0; i < 8; ++i) packed.apply(inputs[i], want[i]);
  set_threads(2);
#pragma omp parallel for num_threads(4)
  for (int i = 0; i < 8; ++i) packed.apply(inputs[static_cast<size_t>(i)], team[static_cast<size_t>(i)]);
  std::vector<std::thread> workers;
  for (size_t t = 0; t < 4; ++t)
    workers.emplace_back([&, t] {
      adopt_thread_count();
      for (int rep = 0; rep < 50; ++rep)
        for (size_t i = t; i < 8; i += 4) packed.apply(inputs[i], threads[i]);
    });
  for (std::thread& w : workers) w.join();
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(max_abs_diff(team[i], want[i]), 0.0f) << "omp team, input " << i;
    EXPECT_EQ(max_abs_diff(threads[i], want[i]), 0.0f) << "std::thread, input " << i;
  }
}

TEST(Precision, ExplicitBf16WithoutBf16HardwareIsAClearErrorAndAutoFallsBackToFp32) {
  set_bf16_support_override(0);
  try {
    resolve_precision(PrecisionRequest::Bf16);
    ADD_FAILURE() << "bf16 accepted on a CPU without it";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("AVX512-BF16 or AMX-BF16"), std::string::npos) << e.what();
  }
  EXPECT_THROW(PackedLinear(std::vector<float>(4, 1.0f).data(), nullptr, 2, 2, Precision::Bf16), Error);
  EXPECT_EQ(resolve_precision(PrecisionRequest::Auto), Precision::Fp32);
  EXPECT_EQ(resolve_precision(PrecisionRequest::Fp32), Precision::Fp32);
  set_bf16_support_override(1);
  EXPECT_EQ(resolve_precision(PrecisionRequest::Auto), Precision::Bf16);
  set_bf16_support_override(-1);
  EXPECT_THROW(parse_precision_request("fp16"), Error);
  EXPECT_EQ(parse_precision_request("auto"), PrecisionRequest::Auto);
}

// --- models ------------------------------------------------------------------------------

std::vector<float> greedy_logprobs(const model::CaptionModel& m, const model::EncodedMemories& enc,
                                   std::vector<int32_t>* tokens) {
  model::DecodeOptions o;
  std::vector<float> lp;
  for (const auto& c : model::greedy_decode(m, enc, o))
    for (const auto& s : c.steps) {
      lp.push_back(s.logprob);
      tokens->push_back(s.token);
    }
  return lp;
}

// Every fusion's tiny model: packed and unpacked encodings agree, and training forward drops
// the pack (it is a snapshot of weights that training changes).
TEST(PackedModel, TinyModelsEncodeTheSameThroughTheFp32PackAndTrainingDropsIt) {
  for (const FusionKind f : {FusionKind::Concat, FusionKind::Separate, FusionKind::Parallel,
                             FusionKind::Hierarchical, FusionKind::Gated}) {
    const model::ModelConfig c = testing::tiny_config(f);
    model::CaptionModel m(c, 3);
    const testing::TinyInputs in(c, {3, 0, 5}, 9);
    model::EncodedMemories plain, packed;
    m.encode(in.inputs(), plain);
    m.prepare_inference(Precision::Fp32);
    ASSERT_TRUE(m.inference_packed());
    m.encode(in.inputs(), packed);
    EXPECT_LE(max_abs_diff(packed.image, plain.image), 1e-5f) << fusion_name(f);
    if (in.context_len > 0) {
      EXPECT_LE(max_abs_diff(packed.context, plain.context), 1e-5f) << fusion_name(f);
    }
    for (size_t l = 0; l < plain.kv.size(); ++l)
      for (int s = 0; s < plain.slots; ++s)
        EXPECT_LE(max_abs_diff(packed.kv[l][static_cast<size_t>(s)], plain.kv[l][static_cast<size_t>(s)]), 1e-5f)
            << fusion_name(f) << " layer " << l << " slot " << s;
    std::vector<int32_t> ids(static_cast<size_t>(in.batch * 4), 1);
    Tensor logits;
    m.forward(in.inputs(), ids.data(), 4, logits, /*training=*/true);
    EXPECT_FALSE(m.inference_packed()) << "training forward must drop the pack";
  }
}

// Log-probabilities go through ~10 matmuls of the tiny models: fp32 reassociation moves them by
// ~1e-6 relative; a wrong weight, bias or epilogue moves them by 1e-2 or more.
constexpr double kStepLogprobTolerance = 1e-5;

void expect_same_captions(const std::vector<model::DecodedCaption>& want,
                          const std::vector<model::DecodedCaption>& got, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  auto near = [](double a, double b) {
    return std::fabs(a - b) <= kStepLogprobTolerance * std::max(1.0, std::fabs(a));
  };
  for (size_t i = 0; i < want.size(); ++i) {
    ASSERT_EQ(got[i].tokens, want[i].tokens) << what << " caption " << i;
    EXPECT_TRUE(near(want[i].logprob, got[i].logprob)) << what << " caption " << i << ": " << want[i].logprob
                                                        << " vs " << got[i].logprob;
    ASSERT_EQ(got[i].steps.size(), want[i].steps.size()) << what << " caption " << i;
    for (size_t t = 0; t < want[i].steps.size(); ++t) {
      const model::StepRecord &a = want[i].steps[t], &b = got[i].steps[t];
      const std::string where = what + " caption " + std::to_string(i) + " step " + std::to_string(t);
      ASSERT_EQ(a.top.size(), b.top.size()) << where;
      for (size_t k = 0; k < a.top.size(); ++k) {
        EXPECT_EQ(a.top[k].token, b.top[k].token) << where << " top " << k;
        EXPECT_TRUE(near(a.top[k].logprob, b.top[k].logprob))
            << where << " top " << k << ": " << a.top[k].logprob << " vs " << b.top[k].logprob;
      }
      // Attention records and each memory's contribution norm come out of the packed step too.
      ASSERT_EQ(a.image.size(), b.image.size()) << where;
      for (size_t j = 0; j < a.image.size(); ++j) EXPECT_NEAR(a.image[j], b.image[j], 1e-5) << where;
      ASSERT_EQ(a.slot_norms.size(), b.slot_norms.size()) << where;
      for (size_t j = 0; j < a.slot_norms.size(); ++j)
        EXPECT_NEAR(a.slot_norms[j], b.slot_norms[j], 1e-5 * std::max(1.0f, a.slot_norms[j])) << where;
    }
  }
}

// Every fusion's tiny model decodes the same memories with and without the decoder step pack:
// one image and five (rows > 1), greedy and beam (n hypotheses per image), with attention
// records (the fusions' out_proj writes the branch, for its norm) and without (it adds
// straight into the residual). fp32 packs the step only when asked (StepPacking::Always).
TEST(PackedModel, Fp32DecoderStepPackDecodesWhatTheLayersDecodeForEveryFusion) {
  for (const FusionKind f : {FusionKind::Concat, FusionKind::Separate, FusionKind::Parallel,
                             FusionKind::Hierarchical, FusionKind::Gated}) {
    const model::ModelConfig c = testing::tiny_config(f);
    model::CaptionModel m(c, 4);
    // Gates start closed (tanh 0 = 0), which would hide the gated branch: open them.
    for (const NamedParameter& p : m.parameters())
      if (p.name.find(".gate_") != std::string::npos)
        p.param->value[0] = p.name.find("image") != std::string::npos ? 0.8f : -0.5f;
    const testing::TinyInputs five(c, {3, 0, 5, 2, 1}, 9);
    const testing::TinyInputs one = five.single(c, 2);
    for (const testing::TinyInputs* in : {&one, &five}) {
      model::EncodedMemories memories;
      m.drop_inference_pack();
      m.encode(in->inputs(), memories);
      for (const int beam : {1, 3})
        for (const bool records : {true, false}) {
          model::DecodeOptions o;
          o.beam = beam;
          o.keep_records = records;
          o.top_k = 4;
          m.drop_inference_pack();
          const auto plain = model::decode(m, memories, o);
          m.prepare_inference(Precision::Fp32, model::CaptionModel::StepPacking::Always);
          ASSERT_NE(m.decoder_step_pack(), nullptr);
          const auto packed = model::decode(m, memories, o);
          expect_same_captions(plain, packed,
                               std::string(fusion_name(f)) + " batch " + std::to_string(in->batch) +
                                   " beam " + std::to_string(beam) + " records " + std::to_string(records));
        }
    }
  }
}

// fp32 packs the encoders but not the step unless asked (caption_model.h says why); bf16
// packs both.
// In fp32 the step is packed when asked, and where packs run the panel kernel (whose rows do
// not depend on the batch, unlike the layers' gemm:jit there: caption_model.h).
TEST(PackedModel, Fp32PacksTheDecoderStepWhenAskedOrWherePacksUseThePanelKernel) {
  const model::ModelConfig c = testing::tiny_config(FusionKind::Concat);
  model::CaptionModel m(c, 5);
  m.prepare_inference(Precision::Fp32);
  EXPECT_TRUE(m.inference_packed());
  EXPECT_EQ(m.decoder_step_pack() != nullptr, fp32_packs_use_panel_kernel()) << onednn_cpu_isa_name();
  m.prepare_inference(Precision::Fp32, model::CaptionModel::StepPacking::Always);
  EXPECT_NE(m.decoder_step_pack(), nullptr);
  if (cpu_has_bf16()) {
    m.prepare_inference(Precision::Bf16);
    EXPECT_NE(m.decoder_step_pack(), nullptr);
  }
}

TEST(PackedModel, TrainingForwardDropsTheDecoderStepPack) {
  const model::ModelConfig c = testing::tiny_config(FusionKind::Separate);
  model::CaptionModel m(c, 5);
  const testing::TinyInputs in(c, {2, 4}, 3);
  m.prepare_inference(Precision::Fp32, model::CaptionModel::StepPacking::Always);
  ASSERT_NE(m.decoder_step_pack(), nullptr);
  std::vector<int32_t> ids(static_cast<size_t>(in.batch * 4), 1);
  Tensor logits;
  m.forward(in.inputs(), ids.data(), 4, logits, /*training=*/true);
  EXPECT_EQ(m.decoder_step_pack(), nullptr) << "training forward must drop the decoder step pack";
  EXPECT_FALSE(m.inference_packed());
}

std::filesystem::path source_tree() { return std::filesystem::path(__FILE__).parent_path().parent_path(); }

// The shipped model, fp32 pack against its own layers: log-probabilities of the greedy caption
// of a few inputs agree to 1e-4 (float reassociation through 8 layers; a wrong weight or bias
// moves them by 1e-1 or more) and the captions are the same.
TEST(PackedModel, ShippedModelGreedyLogProbsMatchTheUnpackedPath) {
  const auto path = source_tree() / "assets" / "models" / "concat.safetensors";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " not found";
  model::Checkpoint ck = model::load_checkpoint(path.string());
  model::CaptionModel& m = *ck.model;
  const model::ModelConfig& c = m.config();
  for (uint64_t seed : {1u, 2u, 3u}) {
    Rng rng(seed);
    const Tensor patches = random_tensor({c.image.num_patches(), c.image.patch_dim()}, rng);
    std::vector<int32_t> ctx = {4, 5, 6};
    std::vector<uint8_t> pad(ctx.size(), 0);
    model::ModelInputs mi;
    mi.batch = 1;
    mi.patches = &patches;
    mi.context_ids = ctx.data();
    mi.context_padding = pad.data();
    mi.context_len = seed == 2 ? 0 : 3;
    model::EncodedMemories a, b;
    m.drop_inference_pack();
    m.encode(mi, a);
    std::vector<int32_t> ta, tb;
    const auto la = greedy_logprobs(m, a, &ta);
    m.prepare_inference(Precision::Fp32);
    m.encode(mi, b);
    const auto lb = greedy_logprobs(m, b, &tb);
    ASSERT_EQ(ta, tb) << "seed " << seed;
    for (size_t i = 0; i < la.size(); ++i) EXPECT_NEAR(la[i], lb[i], 1e-4) << "seed " << seed << " step " << i;
  }
}

// bf16 against fp32 on 100 generated test scenes of the shipped catalogue through the CLI
// (what a user runs): the captions agree on at least 95 % of the images. The scenes are drawn
// from the whole catalogue the shipped model is trained on: on scenes of the 64-object subset
// (once used here) the stage-9 concat agrees on only 56-57 of 60, right at the bar, while it
// agrees on 100 of 100 of these and on 489 of 500 fresh `test` scenes (AMD EPYC, both trees).
TEST(PackedModel, Bf16CaptionsEqualFp32CaptionsOnGeneratedScenes) {
  if (!cpu_has_bf16()) GTEST_SKIP() << "no AVX512-BF16/AMX-BF16 here (oneDNN: " << onednn_cpu_isa_name() << ")";
  const auto root = source_tree();
  const auto dir = testing::fresh_temp_dir("glimpse-packed", "scenes");
  const std::string cli = GLIMPSE_CLI;
  const std::string gen = cli + " scenes --count 100 --seed 7 --size 128 --split test --out " + dir.string() +
                          " >/dev/null";
  ASSERT_EQ(std::system(gen.c_str()), 0) << gen;
  std::string images;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".png") images += " " + e.path().string();
  auto captions = [&](const char* precision) {
    const std::string cmd = cli + " caption --model " + (root / "assets" / "models" / "concat.safetensors").string() +
                            " --precision " + precision + images;
    std::map<std::string, std::string> out;
    FILE* p = popen(cmd.c_str(), "r");
    char line[4096];
    while (p && std::fgets(line, sizeof line, p)) {
      std::string s(line);
      const auto tab = s.find('\t');
      if (tab != std::string::npos) out[s.substr(0, tab)] = s.substr(tab + 1);
    }
    if (p) {
      EXPECT_EQ(pclose(p), 0) << cmd;
    }
    return out;
  };
  const auto fp32 = captions("fp32"), bf16 = captions("bf16");
  ASSERT_EQ(fp32.size(), 100u);
  ASSERT_EQ(bf16.size(), fp32.size());
  int same = 0;
  for (const auto& [image, caption] : fp32) same += bf16.at(image) == caption;
  EXPECT_GE(same * 100, 95 * static_cast<int>(fp32.size())) << same << " of " << fp32.size() << " identical";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace glimpse
