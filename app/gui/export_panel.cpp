#include "export_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "attention_maps.h"
#include "screenshot.h"

namespace glimpse::gui {

std::string view_settings_json(const GuiState& s) {
  const nlohmann::json view = {
      {"view", kViewNames[static_cast<size_t>(s.view)]},
      {"selected_word", s.selected_word},
      {"hypothesis", s.slot(Slot::A).hypothesis},
      {"layer", s.map.layer},
      {"head", s.map.head},
      {"step", s.map.step == StepKind::Predicted ? "predicted" : "input"},
      {"color_map", color_map_name(s.map.color_map)},
      {"normalization", s.map.normalization == Normalization::Max ? "max" : "fixed"},
      {"alpha", s.look.alpha},
      {"selected_patches", s.selected_patches}};
  return nlohmann::json{{"view_settings", view}}.dump();
}

void export_sheet(const GuiState& state, CaptionJobs& jobs, const std::string& path) {
  const CaptionSlot& a = state.slot(Slot::A);
  const Caption* caption = a.caption();
  if (!caption || !a.image) return;
  std::vector<SheetTile> tiles;
  for (size_t i = 0; i < caption->words.size(); ++i)
    tiles.push_back({std::to_string(i + 1) + ": " + caption->words[i].text,
                     word_weights(caption->words[i], state.map)});
  OverlayStyle style;
  style.color_map = state.map.color_map;
  style.normalization = state.map.normalization;
  style.alpha = state.look.alpha;
  style.outline_argmax = state.look.outline_argmax;
  const int columns = std::max(1, static_cast<int>(std::ceil(std::sqrt(tiles.size() + 1.0))));
  jobs.submit_task([image = a.image, result = a.result, tiles = std::move(tiles), style, columns, path] {
    save_png(path, render_attention_sheet(*image, result->grid, tiles, columns, style));
    return "caption sheet written to " + path;
  });
}

void export_json(const GuiState& state, CaptionJobs& jobs, const std::string& path) {
  const CaptionSlot& a = state.slot(Slot::A);
  if (!a.result || !a.model) return;
  JsonOptions options;
  options.all_hypotheses = a.result->hypotheses.size() > 1;
  options.extra_json = view_settings_json(state);
  jobs.submit_task([model = a.model, result = a.result, image = a.image_path, options, path] {
    write_file_atomic(path, caption_json(image, model->card(), *result, options));
    return "attention JSON written to " + path;
  });
}

void finish_view_export(GuiState& state, CaptionJobs& jobs) {
  if (state.pending_view_export.empty() || state.layout.view_rect.size() != 4) return;
  const auto& r = state.layout.view_rect;
  Image image = read_framebuffer(static_cast<int>(r[0]), static_cast<int>(r[1]), static_cast<int>(r[2]),
                                 static_cast<int>(r[3]), state.layout.framebuffer_width,
                                 state.layout.framebuffer_height);
  jobs.submit_task([image = std::move(image), path = std::exchange(state.pending_view_export, {})] {
    save_png(path, image);
    return "view written to " + path;
  });
}

void export_panel(GuiState& state, CaptionJobs& jobs) {
  const bool have = state.slot(Slot::A).result != nullptr;
  ImGui::BeginDisabled(!have);
  const auto line = [](const char* id, std::string& path, const char* button) {
    ImGui::PushID(id);
    ImGui::SetNextItemWidth(-120);
    ImGui::InputText("##path", &path);
    ImGui::SameLine();
    const bool clicked = ImGui::Button(button, ImVec2(-1, 0));
    ImGui::PopID();
    return clicked;
  };
  if (line("view", state.export_view_path, "view PNG")) state.pending_view_export = state.export_view_path;
  if (line("sheet", state.export_sheet_path, "sheet PNG")) export_sheet(state, jobs, state.export_sheet_path);
  if (line("json", state.export_json_path, "JSON")) export_json(state, jobs, state.export_json_path);
  ImGui::EndDisabled();
}

}  // namespace glimpse::gui
