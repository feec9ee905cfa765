#include "sample_strip.h"

#include <imgui.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "open_image.h"

namespace glimpse::gui {
namespace fs = std::filesystem;

std::vector<std::pair<std::string, std::vector<std::string>>> read_sample_contexts(
    const fs::path& captions_json) {
  std::vector<std::pair<std::string, std::vector<std::string>>> out;
  std::ifstream in(captions_json);
  if (!in) return out;
  try {
    const auto j = nlohmann::json::parse(in);
    std::map<int64_t, size_t> by_id;
    for (const auto& img : j.at("images")) {
      by_id[img.at("id").get<int64_t>()] = out.size();
      out.push_back({img.at("file_name").get<std::string>(), {}});
    }
    if (j.contains("context"))
      for (const auto& c : j.at("context"))
        if (auto it = by_id.find(c.at("image_id").get<int64_t>()); it != by_id.end())
          out[it->second].second.push_back(c.at("text").get<std::string>());
  } catch (const std::exception&) {
    out.clear();
  }
  return out;
}

void SampleStrip::load(const fs::path& dir) {
  scenes_.clear();
  if (dir.empty()) return;
  for (auto& [file, contexts] : read_sample_contexts(dir / "captions.json")) {
    SampleScene scene;
    scene.path = (dir / file).string();
    scene.contexts = std::move(contexts);
    try {
      scene.thumbnail = Texture::from_rgb(load_image(scene.path));
    } catch (const std::exception&) {
      continue;
    }
    scenes_.push_back(std::move(scene));
  }
}

void SampleStrip::draw(GuiState& state) {
  if (scenes_.empty()) {
    ImGui::TextDisabled("no sample scenes found");
    return;
  }
  const float side = std::clamp((ImGui::GetContentRegionAvail().x - 8) / 4 - 8, 32.0f, 72.0f);
  const SampleScene* current = nullptr;
  for (size_t i = 0; i < scenes_.size(); ++i) {
    const SampleScene& s = scenes_[i];
    if (i % 4 != 0) ImGui::SameLine();
    ImGui::PushID(static_cast<int>(i));
    const bool open = fs::path(state.inputs.image_path) == fs::path(s.path);
    if (open) current = &s;
    const ImVec4 border = open ? ImVec4(1.0f, 0.6f, 0.15f, 1.0f) : ImVec4(0, 0, 0, 0);
    if (ImGui::ImageButton(s.thumbnail.id(), ImVec2(side, side), ImVec2(0, 0), ImVec2(1, 1), 2, border)) {
      open_image(state, s.path);
      const std::string context = s.contexts.empty() ? "" : s.contexts.front();
      state.context_edit = context;
      state.inputs.context = context;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("%s\ncontext: %s", fs::path(s.path).filename().string().c_str(),
                        s.contexts.empty() ? "(none)" : s.contexts.front().c_str());
    ImGui::PopID();
  }
  if (current && !current->contexts.empty()) {
    ImGui::SetNextItemWidth(-1);
    if (ImGui::BeginCombo("##sample-contexts", "contexts of this scene")) {
      for (const std::string& c : current->contexts)
        if (ImGui::Selectable(c.c_str(), c == state.inputs.context)) {
          state.context_edit = c;
          state.inputs.context = c;
        }
      if (ImGui::Selectable("(no context)", state.inputs.context.empty())) {
        state.context_edit.clear();
        state.inputs.context.clear();
      }
      ImGui::EndCombo();
    }
  }
}

}  // namespace glimpse::gui
