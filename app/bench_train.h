// `glimpse bench --train`: full training steps of the captioning model (forward, loss,
// backward, clipping, AdamW) beside PyTorch 1.13 eager on the same weights and batch, in the
// same run; the step's achieved GFLOP/s against OpenBLAS sgemm; and a dropout-free check that
// both sides compute the same losses.
#pragma once

#include <cstdint>
#include <string>

namespace glimpse::app {

struct TrainBenchOptions {
  std::string model;        // checkpoint; empty = --config or the default config, random weights
  std::string config;       // model config JSON (fields not given keep their defaults)
  int64_t vocab = 0;        // > 0: vocabulary size of the default/--config model
  int64_t batch = 32;
  int64_t caption_len = 16;
  int64_t context_len = 4;
  double min_seconds = 2.0;
  int threads = 1;
  bool torch = true;
  std::string python = "/usr/bin/python3";
  bool as_json = false;
  int check_steps = 3;
};

void run_train_bench(const TrainBenchOptions& options);

}  // namespace glimpse::app
