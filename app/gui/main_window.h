// One frame of the app: the sidebar (picture, models, context and decoding, map settings,
// export, performance), the caption chips, the view tabs, the status bar and the error modal.
// It lays the panels out; each panel edits its part of GuiState.
#pragma once

#include <filesystem>

#include "caption_jobs.h"
#include "gui_state.h"
#include "model_panel.h"
#include "open_image.h"
#include "sample_strip.h"
#include "view_caches.h"

namespace glimpse::gui {

class MainWindow {
 public:
  explicit MainWindow(const std::filesystem::path& samples_dir);
  void draw(GuiState& state, CaptionJobs& jobs);
  const SampleStrip& samples() const { return samples_; }

 private:
  void sidebar(GuiState& state, CaptionJobs& jobs, ImVec2 size);
  void caption_header(GuiState& state);
  void view_tabs(GuiState& state);
  void overlay_view(GuiState& state, ImVec2 size);
  void status_bar(GuiState& state);
  void error_modal(GuiState& state);

  OpenImagePanel open_image_;
  SampleStrip samples_;
  ModelPicker picker_a_, picker_b_;
  ViewCaches caches_;
};

}  // namespace glimpse::gui
