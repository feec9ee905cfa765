#include "script_run.h"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <thread>
#include <utility>

#include "caption_flow.h"
#include "export_panel.h"
#include "drop_target.h"
#include "open_image.h"
#include "screenshot.h"
#include "timing_stats.h"

namespace glimpse::gui {

ScriptRun::ScriptRun(const LaunchOptions& options) : options_(options), start_(std::chrono::steady_clock::now()) {}

void ScriptRun::before_frame(GuiState& state) {
  if (phase_ == Phase::WordSwitch) state.selected_word = switch_word_;
  if (phase_ == Phase::Settle) state.selected_word = restore_word_;
}

bool ScriptRun::after_render(GuiState& state, CaptionJobs& jobs, float frame_ms) {
  ++frames_seen_;
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const Caption* caption = state.slot(Slot::A).caption();
  const int words = caption ? static_cast<int>(caption->words.size()) : 0;
  switch (phase_) {
    case Phase::Waiting:
      // Two frames first: the first one submits the jobs.
      if (frames_seen_ >= 2 && !waiting_for_captions(state) && !state.maps_painting &&
          !state.picking_file) {
        // As if the user opened another picture (typed, dropped, or picked in the dialog): its
        // caption (or error) is waited for too.
        if (!options_.then_open.empty()) {
          open_image(state, std::exchange(options_.then_open, {}));
          frames_seen_ = 0;
          return false;
        }
        if (!options_.then_drop.empty()) {
          queue_dropped_path(std::exchange(options_.then_drop, {}));
          frames_seen_ = 0;
          return false;
        }
        if (std::exchange(options_.then_browse, false)) {
          state.browse_requested = true;
          frames_seen_ = 0;
          return false;
        }
        phase_ = Phase::Frames;
      }
      if (waited > options_.timeout_s) {
        std::cerr << "glimpse-gui: gave up waiting for the captions after " << options_.timeout_s << " s\n";
        phase_ = Phase::Frames;
      }
      return false;
    case Phase::Frames:
      frame_ms_.push_back(frame_ms);
      if (++counted_ < std::max(1, options_.frames)) return false;
      restore_word_ = state.selected_word;
      if (options_.timings && words > 0) {
        phase_ = Phase::WordSwitch;
        switch_word_ = 0;
        return false;
      }
      phase_ = Phase::Settle;
      return false;
    case Phase::WordSwitch:
      switch_ms_.push_back(frame_ms);
      if (++switch_word_ < words) return false;
      phase_ = Phase::Settle;
      return false;
    case Phase::Settle:
      shoot(state, jobs);
      phase_ = Phase::Done;
      return true;
    case Phase::Done:
      return true;
  }
  return true;
}

void ScriptRun::shoot(GuiState& state, CaptionJobs& jobs) {
  if (options_.timings)
    std::printf(
        "glimpse-gui timings: frames=%zu frame_ms_median=%.2f frame_ms_max=%.2f words=%zu "
        "word_switch_ms_median=%.2f word_switch_ms_max=%.2f maps_build_ms=%.2f\n",
        frame_ms_.size(), median_ms(frame_ms_), max_ms(frame_ms_), switch_ms_.size(), median_ms(switch_ms_),
        max_ms(switch_ms_), state.times.last_maps_build_ms);
  std::fflush(stdout);
  try {
    save_png(options_.screenshot, read_framebuffer(state.layout.framebuffer_width, state.layout.framebuffer_height));
  } catch (const std::exception& e) {
    std::cerr << "glimpse-gui: " << e.what() << "\n";
  }
  if (!options_.export_view.empty()) {
    state.pending_view_export = options_.export_view;
    finish_view_export(state, jobs);
    ++pending_tasks_;
  }
  if (!options_.export_sheet.empty() && state.slot(Slot::A).result) {
    export_sheet(state, jobs, options_.export_sheet);
    ++pending_tasks_;
  }
  if (!options_.export_json.empty() && state.slot(Slot::A).result) {
    export_json(state, jobs, options_.export_json);
    ++pending_tasks_;
  }
  if (!options_.layout_json.empty()) {
    try {
      write_file_atomic(options_.layout_json, layout_json(state.layout));
    } catch (const std::exception& e) {
      std::cerr << "glimpse-gui: " << e.what() << "\n";
    }
  }
}

void ScriptRun::drain(CaptionJobs& jobs) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (pending_tasks_ > 0 && std::chrono::steady_clock::now() < deadline) {
    for (const TaskOutcome& t : jobs.take_tasks()) {
      --pending_tasks_;
      if (!t.error.empty()) std::cerr << "glimpse-gui: " << t.error << "\n";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace glimpse::gui
