// Exports: the current view as PNG (read back from the framebuffer after the frame, colour scale
// and labels included), the caption sheet (render_attention_sheet) and the attention JSON
// (caption_json, with the view settings merged in). Files are written by the worker.
#pragma once

#include "caption_jobs.h"
#include "gui_state.h"

namespace glimpse::gui {

void export_panel(GuiState& state, CaptionJobs& jobs);
void export_sheet(const GuiState& state, CaptionJobs& jobs, const std::string& path);
void export_json(const GuiState& state, CaptionJobs& jobs, const std::string& path);
// After rendering: if a view export is pending, reads the view's region and hands it to the
// worker to write.
void finish_view_export(GuiState& state, CaptionJobs& jobs);
// The view settings as a JSON object (for JsonOptions::extra_json).
std::string view_settings_json(const GuiState& state);

}  // namespace glimpse::gui
