// The training loop of `glimpse train`: teacher-forced cross-entropy with label smoothing,
// AdamW under a warm-up + cosine schedule, global-norm clipping; periodic validation that
// keeps the best model; a training state saved atomically every few steps, from which
// `--resume` continues exactly (same weights, optimiser moments, data order and dropout masks
// as an uninterrupted run); data-parallel over MPI ranks (gradients summed with allreduce,
// rank 0 alone writes files); a NaN/Inf loss stops the run and leaves the last good state.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "glimpse/train/communicator.h"
#include "glimpse/train/train_options.h"

namespace glimpse::train {

struct TrainResult {
  int64_t steps_done = 0;     // steps completed in total (resumed runs included)
  bool finished = false;      // reached options.steps
  bool diverged = false;      // stopped on a NaN/Inf loss or gradient
  int64_t resumed_from = 0;   // the step this process started at
  double best_score = 0;      // best validation CIDEr-D (or -loss without an evaluator)
  int64_t best_step = -1;
  std::string message;        // why it stopped, for the user
};

// Asks a running training to stop at the end of its current step, saving its state (safe to
// call from a signal handler: `glimpse train` calls it on SIGINT and SIGTERM).
void request_stop();
bool stop_requested();

// Runs the whole training described by `options` on `comm`'s ranks, reporting progress on
// `progress_out` (rank 0 only). Throws glimpse::Error for bad options, data or state files.
TrainResult run_training(const TrainOptions& options, const Communicator& comm,
                         std::ostream& progress_out);

}  // namespace glimpse::train
