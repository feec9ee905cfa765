#include "open_image.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <filesystem>
#include <utility>

#include "drop_target.h"

namespace glimpse::gui {

void open_image(GuiState& state, const std::string& path) {
  state.image_path_edit = path;
  state.inputs.image_path = path;
}

OpenImagePanel::OpenImagePanel()
    : dialog_("Open a picture", {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tga", ".ppm", ".pgm"}) {}

void OpenImagePanel::draw(GuiState& state) {
  for (const std::string& path : take_dropped_paths()) open_image(state, path);
  ImGui::SetNextItemWidth(-60);
  if (ImGui::InputTextWithHint("##path", "picture file (or drop one on the window)", &state.image_path_edit,
                               ImGuiInputTextFlags_EnterReturnsTrue))
    open_image(state, state.image_path_edit);
  ImGui::SameLine();
  if (ImGui::Button("Open")) open_image(state, state.image_path_edit);
  if (ImGui::Button(dialog_.native_available() ? "Browse..." : "Browse (in app)..."))
    state.browse_requested = true;
  if (std::exchange(state.browse_requested, false)) {
    const std::filesystem::path current(state.inputs.image_path);
    dialog_.open(current.has_parent_path() ? current.parent_path() : std::filesystem::current_path());
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##recent", "recent files")) {
    for (const std::string& path : state.settings.recent_images)
      if (ImGui::Selectable(path.c_str())) open_image(state, path);
    if (state.settings.recent_images.empty()) ImGui::TextDisabled("none yet");
    ImGui::EndCombo();
  }
  if (auto picked = dialog_.draw()) open_image(state, *picked);
  state.picking_file = dialog_.busy();
}

}  // namespace glimpse::gui
