#include "model_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace glimpse::gui {
namespace fs = std::filesystem;

ModelPicker::ModelPicker() : shipped_(shipped_models()), dialog_("Open a model", {".safetensors"}) {}

void ModelPicker::draw(const char* id, std::string& wanted, std::string& edit) {
  ImGui::PushID(id);
  std::string preview = fs::path(wanted).filename().string();
  for (const auto& m : shipped_)
    if (fs::path(m.path) == fs::path(wanted)) preview = m.name + " (shipped)";
  ImGui::SetNextItemWidth(-1);
  if (ImGui::BeginCombo("##shipped", preview.empty() ? "pick a model" : preview.c_str())) {
    for (const auto& m : shipped_)
      if (ImGui::Selectable(m.name.c_str(), fs::path(m.path) == fs::path(wanted))) {
        wanted = m.path;
        edit = m.path;
      }
    ImGui::EndCombo();
  }
  ImGui::SetNextItemWidth(-110);
  if (ImGui::InputTextWithHint("##path", "model.safetensors", &edit, ImGuiInputTextFlags_EnterReturnsTrue))
    wanted = edit;
  ImGui::SameLine();
  if (ImGui::Button("Load")) wanted = edit;
  ImGui::SameLine();
  if (ImGui::Button("...")) dialog_.open(fs::path(wanted).parent_path());
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("choose a .safetensors file");
  if (auto picked = dialog_.draw()) {
    wanted = *picked;
    edit = *picked;
  }
  ImGui::PopID();
}

std::string domain_notice(const ModelCard& card) {
  std::string d = card.domain;
  std::transform(d.begin(), d.end(), d.begin(), [](unsigned char c) { return std::tolower(c); });
  if (d.find("emoji") != std::string::npos)
    return "Trained on emoji scenes: photographs will get odd captions.";
  if (d.empty()) return "The checkpoint does not say what it was trained on.";
  return {};
}

void model_card(const ModelCard& card) {
  ImGui::TextWrapped("%s", card.summary().c_str());
  if (const std::string notice = domain_notice(card); !notice.empty())
  {
    ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1.0f));
    ImGui::TextWrapped("%s", notice.c_str());
    ImGui::PopStyleColor();
  }
  if (!ImGui::BeginTable("card", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
  // The value column takes the rest of the width: wrapped text needs a width to wrap at.
  ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  const auto row = [](const char* key, const std::string& value) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", key);
    ImGui::TableNextColumn();
    ImGui::TextWrapped("%s", value.c_str());
  };
  row("fusion", fusion_name(card.fusion));
  row("parameters", std::to_string(card.parameters));
  row("d_model / heads", std::to_string(card.d_model) + " / " + std::to_string(card.heads));
  row("layers", "encoder " + std::to_string(card.encoder_layers) + ", context " +
                    std::to_string(card.context_layers) + ", decoder " + std::to_string(card.decoder_layers));
  row("input", std::to_string(card.image_size) + " px, " + std::to_string(card.grid_rows) + "x" +
                   std::to_string(card.grid_cols) + " patches of " + std::to_string(card.patch_size));
  row("vocabulary", std::to_string(card.vocabulary.size()) + " tokens");
  row("caption / context", "up to " + std::to_string(card.max_words) + " words / " +
                               std::to_string(card.max_context_tokens) + " tokens");
  row("domain", card.domain.empty() ? "(not recorded)" : card.domain);
  std::string data;
  for (const auto& d : card.training_data) data += (data.empty() ? "" : ", ") + d;
  row("training data", data.empty() ? "(not recorded)" : data);
  // A run started from another model's weights: its steps continue that model's training.
  const std::string& init = card.started_from;
  if (!init.empty())
    row("started from", fs::path(init).filename().string() + " (glimpse train --init; recorded as " + init + ")");
  std::string steps = card.training_steps >= 0 ? std::to_string(card.training_steps) : "(not recorded)";
  if (!init.empty() && card.training_steps >= 0) steps += " in this run, continuing from the weights it started from";
  row("training steps", steps);
  char cider[32];
  std::snprintf(cider, sizeof cider, "%.3f", card.best_validation_cider_d);
  row("best CIDEr-D", card.best_validation_cider_d >= 0 ? cider : "(not recorded)");
  row("file", card.path);
  ImGui::EndTable();
}

}  // namespace glimpse::gui
