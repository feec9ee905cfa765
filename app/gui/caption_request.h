// What the UI asks the worker for, and what comes back. Plain values: the outcome's results
// are immutable and shared, so the UI thread reads them while the worker moves on.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "glimpse/glimpse.h"

namespace glimpse::gui {

// Which caption a job fills: the main model's, the compared model's, or the compared model
// reading the main model's caption (Model::score).
enum class Slot { A = 0, B = 1, Forced = 2 };
inline constexpr int kSlotCount = 3;

// A job's progress, written by the worker, read by the UI's spinner.
struct JobProgress {
  std::atomic<int> step{0};
  std::atomic<int> max_steps{0};
  std::atomic<bool> cancel{false};
};

struct CaptionRequest {
  Slot slot = Slot::A;
  std::string model_path;
  std::string image_path;
  std::string context;
  DecodeSettings settings;
  std::string forced_caption;  // non-empty: score this text instead of decoding
};

bool same_request(const CaptionRequest& a, const CaptionRequest& b);

// The stage a job failed at: what the UI puts back.
enum class FailedStage { None, Model, Image, Caption };

struct CaptionOutcome {
  uint64_t job = 0;
  CaptionRequest request;
  std::shared_ptr<const Model> model;    // set once the model loaded, even if a later stage failed
  std::shared_ptr<const Image> image;    // likewise for the picture
  std::shared_ptr<const CaptionResult> result;
  std::string error;                     // non-empty: the stage that failed and why
  FailedStage failed = FailedStage::None;
  bool cancelled = false;                // superseded: the UI drops it
  bool encoder_skipped = false;          // the picture's encoding was reused (with_context / cache)
  double encode_ms = 0, decode_ms = 0;

  bool ok() const { return result != nullptr && error.empty() && !cancelled; }
};

}  // namespace glimpse::gui
