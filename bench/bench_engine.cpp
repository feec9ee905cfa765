// Google Benchmark programs for the engine: GEMM at the model's shapes on Eigen and on
// OpenBLAS side by side (counters report GFLOP/s), cross-attention and one decoder block,
// forward and backward, and one training step of a small captioning model. `glimpse bench`
// runs the same workloads beside PyTorch.
#include <benchmark/benchmark.h>

#include "glimpse/core/attention.h"
#include "glimpse/core/random.h"
#include "glimpse/core/threads.h"
#include "train_workloads.h"
#include "workloads.h"

namespace {

using namespace glimpse;

bench::BlockWorkload default_workload() { return bench::BlockWorkload{}; }

Tensor random_tensor(const Shape& shape, Rng& rng) {
  Tensor t(shape);
  for (int64_t i = 0; i < t.size(); ++i) t[i] = rng.normal();
  return t;
}

void BM_Gemm(benchmark::State& state, GemmBackend backend, size_t index) {
  const auto c = bench::model_gemm_cases(default_workload()).at(index);
  Rng rng(1);
  Tensor a = random_tensor({c.M * c.K}, rng), b = random_tensor({c.K * c.N}, rng), out({c.M * c.N});
  const int64_t lda = c.trans_a ? c.M : c.K, ldb = c.trans_b ? c.K : c.N;
  for (auto _ : state) {
    gemm_with(backend, c.trans_a, c.trans_b, c.M, c.N, c.K, 1.0f, a.data(), lda, b.data(), ldb,
              0.0f, out.data(), c.N);
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(c.flops(), benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(c.name);
}

// Google Benchmark calls it with a non-const State&, which `for (auto _ : state)` needs.
// cppcheck-suppress constParameterCallback
void BM_CrossAttention(benchmark::State& state, bool backward) {
  const auto w = default_workload();
  const int64_t d = w.config.d_model;
  Rng rng(2);
  MultiHeadAttention attn(d, w.config.num_heads);
  attn.init(rng);
  Tensor x = random_tensor({w.batch * w.len_t, d}, rng), mem = random_tensor({w.batch * w.len_m, d}, rng);
  Tensor dy = random_tensor({w.batch * w.len_t, d}, rng), y, dx, dmem;
  attn.forward(x, mem, w.batch, w.len_t, w.len_m, {}, y);
  for (auto _ : state) {
    if (backward) attn.backward(x, mem, dy, &dx, &dmem);
    else attn.forward(x, mem, w.batch, w.len_t, w.len_m, {}, y);
  }
}

void BM_DecoderBlock(benchmark::State& state) {
  const auto w = default_workload();
  const int64_t d = w.config.d_model;
  Rng rng(3);
  DecoderBlock block(w.config);
  block.init(rng);
  Tensor x = random_tensor({w.batch * w.len_t, d}, rng), mem = random_tensor({w.batch * w.len_m, d}, rng);
  Tensor dy = random_tensor({w.batch * w.len_t, d}, rng), y, dx, dmem({w.batch * w.len_m, d});
  for (auto _ : state) {
    block.forward(x, mem, w.batch, w.len_t, w.len_m, nullptr, y, true);
    block.backward(x, mem, dy, dx, &dmem);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(3.0 * bench::decoder_block_forward_flops(w),
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

// One full training step (forward, loss, backward, clip, AdamW) of a small model: d_model 128,
// 4 heads, 2/1/2 layers, 64 patches, batch 8 x 16 caption tokens, 4 context tokens.
void BM_TrainStep(benchmark::State& state) {
  model::ModelConfig c;
  c.d_model = 128;
  c.num_heads = 4;
  c.d_hidden = 512;
  c.encoder_layers = 2;
  c.context_layers = 1;
  c.decoder_layers = 2;
  c.vocab_size = 500;
  model::CaptionModel m(c, 1);
  const auto batch = bench::make_train_batch(c, 8, 16, 4);
  const bench::TrainHyper hyper;
  train::TrainingStep trainer(m, hyper.settings());
  trainer.run(batch, hyper.lr);
  for (auto _ : state) benchmark::DoNotOptimize(trainer.run(batch, hyper.lr));
  state.counters["GFLOP/s"] = benchmark::Counter(bench::train_step_flops(c, 8, 16, 4),
                                                 benchmark::Counter::kIsIterationInvariantRate);
  state.counters["samples/s"] = benchmark::Counter(8, benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  init_threads();
  const size_t n = bench::model_gemm_cases(default_workload()).size();
  for (size_t i = 0; i < n; ++i) {
    benchmark::RegisterBenchmark(("gemm/eigen/" + std::to_string(i)).c_str(), BM_Gemm, GemmBackend::Eigen, i)
        ->UseRealTime();
    benchmark::RegisterBenchmark(("gemm/openblas/" + std::to_string(i)).c_str(), BM_Gemm, GemmBackend::Blas, i)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark("cross_attention/forward", BM_CrossAttention, false)->UseRealTime();
  benchmark::RegisterBenchmark("cross_attention/backward", BM_CrossAttention, true)->UseRealTime();
  benchmark::RegisterBenchmark("decoder_block/forward+backward", BM_DecoderBlock)->UseRealTime();
  benchmark::RegisterBenchmark("train_step/small", BM_TrainStep)->UseRealTime();
  return 0;
}

const int registered = register_all();

}  // namespace

BENCHMARK_MAIN();
