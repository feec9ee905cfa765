// Timed training steps of the whole captioning model: zero grads, teacher-forced forward,
// cross-entropy (pad ignored, label smoothing), backward, global-norm clipping, AdamW. Shared by
// `glimpse bench --train` (which runs bench/torch_train_peer.py beside it) and the Google
// Benchmark program; also the analytic GEMM FLOP count of one step.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/model/caption_model.h"
#include "glimpse/train/training_batch.h"
#include "glimpse/train/training_step.h"

namespace glimpse::bench {

// One fixed, random batch, in the trainer's own batch type: B images' random patches, B
// contexts of `context_len` tokens (sample b has 1 + b % context_len real tokens, the rest
// <pad>), teacher-forced caption inputs <bos> w1 ... and targets w1 ... <eos>, padded at the end
// (ids 0 = <pad>) for every odd sample.
train::TrainingBatch make_train_batch(const model::ModelConfig& config, int64_t batch,
                                      int64_t caption_len, int64_t context_len, uint64_t seed = 11);

// The step's settings, as also passed to the PyTorch peer.
struct TrainHyper {
  float lr = 1e-4f;
  float weight_decay = 0.01f;
  float label_smoothing = 0.1f;
  float max_grad_norm = 1.0f;
  int32_t pad_id = 0;  // ignored target
  bool bf16_matmuls = false;  // StepSettings::bf16_matmuls (not passed to the PyTorch peer)

  train::StepSettings settings() const;
};

// GEMM FLOPs of one training step (forward + backward) at these shapes; see the .cpp for what
// is counted.
double train_step_flops(const model::ModelConfig& config, int64_t batch, int64_t caption_len,
                        int64_t context_len);

struct TrainTimes {
  double step_ms = 0;        // median full step
  double forward_ms = 0;     // median forward + loss (training mode), no backward
  double samples_per_s = 0;  // batch / step time
  double step_flops = 0;     // train_step_flops()
  double gflops = 0;         // step_flops / step time
};

// Times full steps on `model` (its weights and optimiser state change): one warm-up step, then
// the median of steps repeated for at least `min_seconds`; the forward split takes a quarter.
TrainTimes time_training(model::CaptionModel& model, const train::TrainingBatch& batch,
                         const TrainHyper& hyper, double min_seconds);

// The losses of `steps` consecutive training steps on a copy of `model` with dropout off
// (the weights of `model` are copied; `model` is untouched). Loss i is the forward loss of step
// i + 1, so entry 0 is the loss of the initial weights and later entries check the backward,
// clipping and AdamW too.
std::vector<float> dropout_free_losses(const model::CaptionModel& model, const train::TrainingBatch& batch,
                                       const TrainHyper& hyper, int steps);

// OpenBLAS sgemm at the shapes one step of this model multiplies: the time-weighted GFLOP/s
// over bench::model_gemm_cases and one representative shape (2048 x 1024 x 256).
struct SgemmReference {
  double time_weighted_gflops = 0;
  double representative_gflops = 0;
};
SgemmReference measure_sgemm(const model::ModelConfig& config, const train::TrainingBatch& batch,
                             double min_seconds);

// Everything the C++ side of `glimpse bench --train` measures.
struct TrainBenchResult {
  TrainTimes times;
  SgemmReference sgemm;
  std::vector<float> check_losses;  // dropout_free_losses
  // The same step with bf16 matmuls, measured when the CPU has bf16 (else empty / nullopt).
  std::optional<TrainTimes> bf16_times;
  std::vector<float> bf16_check_losses;
  std::string bf16_kernel;  // oneDNN's kernel for the step's largest projection shape (patch QKV)
};
TrainBenchResult run_train_workload(model::CaptionModel& model, const train::TrainingBatch& batch,
                                    const TrainHyper& hyper, double min_seconds, int check_steps);

// Writes the batch (ids as F32, exact below 2^24) for the PyTorch peer, with the names of the
// parameters AdamW does not decay in the metadata ("no_decay": JSON list).
void save_train_batch(const std::string& path, const train::TrainingBatch& batch,
                      const model::CaptionModel& model);

}  // namespace glimpse::bench
