// The scripted mode: waits until the captions the view needs are there (or failed, or the
// timeout passed), renders the requested frames, optionally times word switches (selecting every
// word in turn, one frame each), then writes the screenshot, the layout and the exports, and
// asks the loop to end.
#pragma once

#include <chrono>
#include <vector>

#include "caption_jobs.h"
#include "gui_state.h"
#include "launch_options.h"

namespace glimpse::gui {

class ScriptRun {
 public:
  explicit ScriptRun(const LaunchOptions& options);
  // Before the frame's UI: drives the selected word while timing word switches.
  void before_frame(GuiState& state);
  // After rendering, before the swap: returns true when the run is over.
  bool after_render(GuiState& state, CaptionJobs& jobs, float frame_ms);
  // True while waiting for captions: the loop may sleep instead of drawing flat out.
  bool waiting() const { return phase_ == Phase::Waiting; }
  // Lets the export tasks finish before the window closes.
  void drain(CaptionJobs& jobs);

 private:
  enum class Phase { Waiting, Frames, WordSwitch, Settle, Done };
  void shoot(GuiState& state, CaptionJobs& jobs);

  LaunchOptions options_;
  Phase phase_ = Phase::Waiting;
  std::chrono::steady_clock::time_point start_;
  int frames_seen_ = 0, counted_ = 0, switch_word_ = 0, restore_word_ = 0;
  int pending_tasks_ = 0;
  std::vector<float> frame_ms_, switch_ms_;
};

}  // namespace glimpse::gui
