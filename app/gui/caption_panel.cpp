#include "caption_panel.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "attention_maps.h"

namespace glimpse::gui {
namespace {

ImVec4 mix(ImVec4 a, ImVec4 b, float t) {
  return {a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t, a.z + (b.z - a.z) * t, a.w + (b.w - a.w) * t};
}

void alternatives_table(const Word& word, const StepAttention& a) {
  if (a.top.empty()) return;
  if (!ImGui::BeginTable("alternatives", 3, ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_RowBg))
    return;
  ImGui::TableSetupColumn("token");
  ImGui::TableSetupColumn("log-prob");
  ImGui::TableSetupColumn("p");
  ImGui::TableHeadersRow();
  for (const Alternative& alt : a.top) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    if (alt.id == word.id)
      ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.3f, 1.0f), "%s", alt.text.c_str());
    else
      ImGui::TextUnformatted(alt.text.c_str());
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", alt.logprob);
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", std::exp(alt.logprob));
  }
  ImGui::EndTable();
}

}  // namespace

void word_details(const Word& word, StepKind step) {
  const StepAttention& a = step_of(word, step);
  ImGui::TextWrapped("\"%s\"  log-prob %.3f  (p = %.3f)", word.text.c_str(), word.logprob, std::exp(word.logprob));
  if (a.empty()) {
    ImGui::TextDisabled("no attention recorded for this step");
    return;
  }
  ImGui::TextWrapped("image entropy %.2f nats (%.0f%% of uniform: the bar under the chip)", a.image_entropy,
                     100.0f * a.image_entropy_normalised);
  ImGui::Text("image share %.0f%%", 100.0f * a.image_share);
  // The alternatives belong to the step that chose the word.
  alternatives_table(word, word.predicted);
}

bool caption_chips(const char* id, const Caption& caption, StepKind step,
                   const std::vector<float>* reverse_mass, int& selected, int& hovered) {
  ImGui::PushID(id);
  const ImGuiStyle& style = ImGui::GetStyle();
  const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
  float max_mass = 0.0f;
  if (reverse_mass)
    for (float m : *reverse_mass) max_mass = std::max(max_mass, m);
  const ImVec4 base = style.Colors[ImGuiCol_Button];
  const ImVec4 picked = ImVec4(0.85f, 0.45f, 0.10f, 1.0f);
  const ImVec4 shaded = ImVec4(0.15f, 0.65f, 0.55f, 1.0f);
  bool changed = false;
  const int n = static_cast<int>(caption.words.size());
  for (int i = 0; i < n; ++i) {
    const Word& w = caption.words[static_cast<size_t>(i)];
    const float chip_w = ImGui::CalcTextSize(w.text.c_str()).x + style.FramePadding.x * 2;
    if (i > 0) {
      ImGui::SameLine(0, 4);
      if (ImGui::GetCursorScreenPos().x + chip_w > right) ImGui::NewLine();
    }
    ImGui::PushID(i);
    ImGui::BeginGroup();
    ImVec4 colour = base;
    if (reverse_mass && max_mass > 0 && i < static_cast<int>(reverse_mass->size()))
      colour = mix(base, shaded, (*reverse_mass)[static_cast<size_t>(i)] / max_mass);
    if (i == selected) colour = picked;
    ImGui::PushStyleColor(ImGuiCol_Button, colour);
    if (ImGui::Button(w.text.c_str()) && selected != i) {
      selected = i;
      changed = true;
    }
    ImGui::PopStyleColor();
    if (ImGui::IsItemHovered()) {
      hovered = i;
      ImGui::BeginTooltip();
      word_details(w, step);
      if (reverse_mass && i < static_cast<int>(reverse_mass->size()))
        ImGui::Text("attention on the selected patches: %.3f", (*reverse_mass)[static_cast<size_t>(i)]);
      ImGui::EndTooltip();
    }
    // The entropy bar: full = uniform over the patches, so equal bars everywhere show a map
    // that does not depend on the word.
    const StepAttention& a = step_of(w, step);
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImDrawList* draw = ImGui::GetWindowDrawList();
    draw->AddRectFilled(p, ImVec2(p.x + chip_w, p.y + 4), IM_COL32(60, 60, 70, 255));
    if (!a.empty())
      draw->AddRectFilled(p, ImVec2(p.x + chip_w * std::clamp(a.image_entropy_normalised, 0.0f, 1.0f), p.y + 4),
                          IM_COL32(120, 200, 255, 255));
    ImGui::Dummy(ImVec2(chip_w, 5));
    ImGui::EndGroup();
    ImGui::PopID();
  }
  if (!caption.finished) {
    ImGui::SameLine();
    ImGui::TextDisabled("(cut at the word limit)");
  }
  ImGui::PopID();
  return changed;
}

bool hypothesis_list(const CaptionResult& result, int& hypothesis) {
  bool changed = false;
  for (int i = 0; i < static_cast<int>(result.hypotheses.size()); ++i) {
    const Caption& c = result.hypotheses[static_cast<size_t>(i)];
    char head[48];
    std::snprintf(head, sizeof head, "#%d  %.3f  ", i + 1, c.score);
    const std::string label = head + c.text + "##hyp" + std::to_string(i);
    if (ImGui::Selectable(label.c_str(), hypothesis == i) && hypothesis != i) {
      hypothesis = i;
      changed = true;
    }
    if (ImGui::IsItemHovered())
      ImGui::SetTooltip("score %.3f (log-prob %.3f, length penalty applied)%s", c.score, c.logprob,
                        c.finished ? "" : ", cut at the word limit");
  }
  return changed;
}

}  // namespace glimpse::gui
