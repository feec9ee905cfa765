#include "train_workloads.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "glimpse/core/error.h"
#include "glimpse/core/parameter.h"
#include "glimpse/core/random.h"
#include "glimpse/core/safetensors.h"
#include "workloads.h"

namespace glimpse::bench {

namespace {
constexpr int32_t kPad = 0, kBos = 1, kEos = 2, kFirstWord = 4;
}  // namespace

train::TrainingBatch make_train_batch(const model::ModelConfig& c, int64_t B, int64_t T, int64_t Lc,
                            uint64_t seed) {
  check(B >= 1, "bench --train", "batch must be at least 1");
  check(T >= 2 && T <= c.max_caption_len, "bench --train",
        "caption length must be in [2, max_caption_len = " + std::to_string(c.max_caption_len) +
            "], got " + std::to_string(T));
  check(Lc >= 0 && Lc <= c.max_context_len, "bench --train",
        "context length must be in [0, max_context_len = " + std::to_string(c.max_context_len) +
            "], got " + std::to_string(Lc));
  check(c.vocab_size > kFirstWord, "bench --train", "the vocabulary needs at least one word");
  Rng rng(seed);
  auto word = [&] {
    return static_cast<int32_t>(kFirstWord + rng.next() % static_cast<uint64_t>(c.vocab_size - kFirstWord));
  };
  train::TrainingBatch b;
  b.batch = b.input.batch = B;
  b.caption_len = T;
  b.input.context_len = Lc;
  Tensor& patches = b.input.patches;
  patches = Tensor({B * c.image.num_patches(), c.image.patch_dim()});
  for (int64_t i = 0; i < patches.size(); ++i) patches[i] = rng.uniform(-1.0f, 1.0f);
  for (int64_t s = 0; s < B; ++s) {
    const int64_t real = Lc > 0 ? 1 + s % Lc : 0;  // at least one real context token
    for (int64_t j = 0; j < Lc; ++j) {
      b.input.context_ids.push_back(j < real ? word() : kPad);
      b.input.context_padding.push_back(j < real ? 0 : 1);
    }
    // Even samples fill all T positions; odd ones end early and are padded (ignored targets).
    const int64_t words = s % 2 == 0 ? T - 1 : std::max<int64_t>(1, (T - 1) / 2 - s % 3);
    std::vector<int32_t> w;
    for (int64_t j = 0; j < words; ++j) w.push_back(word());
    for (int64_t t = 0; t < T; ++t) {
      b.caption_inputs.push_back(t == 0 ? kBos : t <= words ? w[static_cast<size_t>(t - 1)] : kPad);
      b.caption_targets.push_back(t < words ? w[static_cast<size_t>(t)] : t == words ? kEos : kPad);
    }
    b.target_tokens += words + 1;
  }
  return b;
}

train::StepSettings TrainHyper::settings() const {
  train::StepSettings s;
  s.adam.lr = lr;
  s.adam.weight_decay = weight_decay;
  s.label_smoothing = label_smoothing;
  s.clip = max_grad_norm;
  s.bf16_matmuls = bf16_matmuls;
  return s;
}

// GEMM FLOPs of one training step, forward + backward. Every matrix product of an [m x k] by a
// [k x n] matrix costs 2·m·n·k FLOPs in the forward pass; its backward computes both the input
// gradient and the weight gradient, two products of the same size, so 2 × that. The one
// exception is the patch embedding, whose input is pixels: its backward computes only the
// weight gradient (1 ×). Counted per layer (B = batch, d = d_model, h = d_hidden):
//   projections   rows × out × in for Q/K/V (packed 3d), out_proj, FFN up (h) and down
//   attention     QKᵀ and AV: per sequence and head len_q × len_k × d/heads, all heads
//                 together 2·len_q·len_k·d each, times B — the full score matrix, causal or not
//                 (the engine computes every score and masks afterwards)
//   encoders      ViT over N patches, context encoder over Lc tokens (padding included)
//   decoder       causal self-attention over T, the fusion's cross-attention (concat: one over
//                 N + Lc memory rows; separate/gated/parallel: one per memory; hierarchical: the
//                 same plus its combine_query / combine_key / combine_value linears), the FFN
//   logits        B·T × V × d (tied or not)
// Not counted: LayerNorm, softmax, GELU, dropout, embeddings, the loss and AdamW (all O(size),
// not GEMMs).
double train_step_flops(const model::ModelConfig& c, int64_t batch, int64_t caption_len,
                        int64_t context_len) {
  const double B = static_cast<double>(batch), T = static_cast<double>(caption_len),
               Lc = static_cast<double>(context_len);
  const double d = static_cast<double>(c.d_model), h = static_cast<double>(c.d_hidden),
               V = static_cast<double>(c.vocab_size);
  const double N = static_cast<double>(c.image.num_patches()),
               P = static_cast<double>(c.image.patch_dim());
  auto mm = [](double m, double n, double k) { return 2.0 * m * n * k; };
  // Self-attention over sequences of `len` rows (B of them) and its output projection.
  auto self_attention = [&](double len) {
    return mm(B * len, 3 * d, d) + 2 * B * mm(len, len, d) + mm(B * len, d, d);
  };
  auto ffn = [&](double len) { return mm(B * len, h, d) + mm(B * len, d, h); };
  // Cross-attention of T queries per sample over `len_k` memory rows per sample.
  auto cross_attention = [&](double len_k) {
    return mm(B * T, d, d) + mm(B * len_k, 2 * d, d) + 2 * B * mm(T, len_k, d) + mm(B * T, d, d);
  };
  double fusion = 0;
  switch (c.fusion) {
    case FusionKind::Concat: fusion = cross_attention(N + Lc); break;
    case FusionKind::Separate:
    case FusionKind::Gated:
    case FusionKind::Parallel: fusion = cross_attention(N) + cross_attention(Lc); break;
    case FusionKind::Hierarchical:
      fusion = cross_attention(N) + cross_attention(Lc) + mm(B * T, d, d)  // combine_query
               + 2 * 2 * mm(B * T, d, d);                              // key/value per memory
      break;
  }
  const double patch_embed = mm(B * N, d, P);
  double forward = patch_embed;
  forward += c.encoder_layers * (self_attention(N) + ffn(N));
  if (context_len > 0) forward += c.context_layers * (self_attention(Lc) + ffn(Lc));
  forward += c.decoder_layers * (self_attention(T) + fusion + ffn(T));
  forward += mm(B * T, V, d);
  const double backward = 2 * (forward - patch_embed) + patch_embed;
  return forward + backward;
}

TrainTimes time_training(model::CaptionModel& model, const train::TrainingBatch& b, const TrainHyper& h,
                         double min_seconds) {
  train::TrainingStep trainer(model, h.settings());
  TrainTimes t;
  // seconds_per_call: one warm-up call, then the median of calls lasting min_seconds in all.
  t.step_ms = 1e3 * seconds_per_call([&] { trainer.run(b, h.lr); }, min_seconds);
  t.forward_ms = 1e3 * seconds_per_call([&] { trainer.forward(b); }, min_seconds / 4);
  t.samples_per_s = static_cast<double>(b.batch) / (t.step_ms * 1e-3);
  t.step_flops = train_step_flops(model.config(), b.batch, b.caption_len, b.input.context_len);
  t.gflops = t.step_flops / (t.step_ms * 1e-3) * 1e-9;
  return t;
}

std::vector<float> dropout_free_losses(const model::CaptionModel& model, const train::TrainingBatch& b,
                                       const TrainHyper& h, int steps) {
  model::ModelConfig cfg = model.config();
  cfg.dropout = 0.0f;
  model::CaptionModel copy(cfg, 0);
  const ParameterList& from = model.parameters();
  const ParameterList& to = copy.parameters();
  check(from.size() == to.size(), "bench --train", "parameter lists differ");
  for (size_t i = 0; i < from.size(); ++i) {
    check(from[i].name == to[i].name && from[i].param->value.shape() == to[i].param->value.shape(),
          "bench --train", "parameter " + from[i].name + " differs");
    std::memcpy(to[i].param->value.data(), from[i].param->value.data(),
                sizeof(float) * static_cast<size_t>(from[i].param->value.size()));
  }
  train::TrainingStep trainer(copy, h.settings());
  std::vector<float> losses;
  losses.reserve(static_cast<size_t>(steps));
  for (int s = 0; s < steps; ++s) losses.push_back(trainer.run(b, h.lr));
  return losses;
}

SgemmReference measure_sgemm(const model::ModelConfig& c, const train::TrainingBatch& b, double min_seconds) {
  BlockWorkload w;
  w.config = c.block(0);
  w.batch = b.batch;
  w.len_t = b.caption_len;
  w.len_m = c.image.num_patches() + b.input.context_len;
  w.vocab = c.vocab_size;
  const auto cases = model_gemm_cases(w);
  double flops = 0, seconds = 0;
  for (const auto& g : cases) {
    flops += g.flops();
    seconds += time_gemm(GemmBackend::Blas, g, min_seconds / (2.0 * static_cast<double>(cases.size())));
  }
  SgemmReference r;
  r.time_weighted_gflops = flops / seconds * 1e-9;
  const GemmCase rep{"representative", 2048, 1024, 256, false, true};
  r.representative_gflops = rep.flops() / time_gemm(GemmBackend::Blas, rep, min_seconds / 4) * 1e-9;
  return r;
}

TrainBenchResult run_train_workload(model::CaptionModel& model, const train::TrainingBatch& b,
                                    const TrainHyper& h, double min_seconds, int check_steps) {
  TrainBenchResult r;
  // The check first: it copies the initial weights, which the timed steps then change.
  // Both checks start from the initial weights, so their losses compare (bf16 against fp32).
  TrainHyper bf16 = h;
  bf16.bf16_matmuls = true;
  const bool has_bf16 = cpu_has_bf16();
  if (check_steps > 0) r.check_losses = dropout_free_losses(model, b, h, check_steps);
  if (check_steps > 0 && has_bf16) r.bf16_check_losses = dropout_free_losses(model, b, bf16, check_steps);
  r.times = time_training(model, b, h, min_seconds);
  if (has_bf16) {
    r.bf16_times = time_training(model, b, bf16, min_seconds);
    const int64_t d = model.config().d_model;
    r.bf16_kernel = bf16_gemm_implementation(false, true, b.batch * model.num_patches(), 3 * d, d);
  }
  r.sgemm = measure_sgemm(model.config(), b, min_seconds);
  return r;
}

void save_train_batch(const std::string& path, const train::TrainingBatch& b, const model::CaptionModel& model) {
  auto ids = [](const auto& v, int64_t rows, int64_t cols) {
    Tensor t({rows, cols});
    for (int64_t i = 0; i < t.size(); ++i) t[i] = static_cast<float>(v[static_cast<size_t>(i)]);
    return t;
  };
  std::map<std::string, Tensor> tensors;
  tensors["patches"] = b.input.patches;
  tensors["inputs"] = ids(b.caption_inputs, b.batch, b.caption_len);
  tensors["targets"] = ids(b.caption_targets, b.batch, b.caption_len);
  if (b.input.context_len > 0) {
    tensors["context_ids"] = ids(b.input.context_ids, b.batch, b.input.context_len);
    tensors["context_padding"] = ids(b.input.context_padding, b.batch, b.input.context_len);
  }
  nlohmann::json no_decay = nlohmann::json::array();
  for (const auto& p : model.parameters())
    if (!p.param->decay) no_decay.push_back(p.name);
  save_safetensors(path, tensors,
                   {{"no_decay", no_decay.dump()},
                    {"batch", std::to_string(b.batch)},
                    {"caption_len", std::to_string(b.caption_len)},
                    {"context_len", std::to_string(b.input.context_len)}});
}

}  // namespace glimpse::bench
