#include "decoding_panel.h"

#include <imgui.h>
#include <imgui_stdlib.h>

#include <algorithm>

namespace glimpse::gui {

void decoding_panel(GuiState& state) {
  ImGui::SetNextItemWidth(-70);
  if (ImGui::InputTextWithHint("##context", "context text (optional)", &state.context_edit,
                               ImGuiInputTextFlags_EnterReturnsTrue))
    state.inputs.context = state.context_edit;
  ImGui::SameLine();
  if (ImGui::Button("Caption")) state.inputs.context = state.context_edit;
  if (state.context_edit != state.inputs.context)
    ImGui::TextDisabled("Enter or Caption: re-caption with this context");
  DecodeSettings& d = state.inputs.decode;
  ImGui::PushItemWidth(120);
  int mode = d.beam > 1 ? 1 : 0;
  if (ImGui::RadioButton("greedy", &mode, 0)) d.beam = 1;
  ImGui::SameLine();
  if (ImGui::RadioButton("beam", &mode, 1) && d.beam < 2) d.beam = 3;
  if (d.beam > 1) {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(90);
    ImGui::InputInt("k", &d.beam);
    d.beam = std::clamp(d.beam, 2, 16);
    ImGui::SliderFloat("length penalty", &d.length_penalty, 0.0f, 2.0f, "%.2f");
  }
  ImGui::InputInt("max words (0: any)", &d.max_words);
  d.max_words = std::clamp(d.max_words, 0, 64);
  ImGui::InputInt("no-repeat n-gram", &d.no_repeat_ngram);
  d.no_repeat_ngram = std::clamp(d.no_repeat_ngram, 0, 8);
  ImGui::InputInt("alternatives", &d.top_k);
  d.top_k = std::clamp(d.top_k, 0, 32);
  ImGui::PopItemWidth();
}

}  // namespace glimpse::gui
