#include "fusion_panel.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include "attention_maps.h"
#include "color_scale.h"

namespace glimpse::gui {
namespace {

void bar(float value, float top, float width, ImU32 colour) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float h = ImGui::GetTextLineHeight();
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(p, ImVec2(p.x + width, p.y + h), IM_COL32(50, 50, 58, 255));
  if (top > 0)
    draw->AddRectFilled(p, ImVec2(p.x + width * std::clamp(value / top, 0.0f, 1.0f), p.y + h), colour);
  ImGui::Dummy(ImVec2(width, h));
}

void context_tokens(const CaptionResult& result, const StepAttention& a, const MapSettings& map) {
  ImGui::TextUnformatted("Context tokens: attention from this word (bars relative to the largest)");
  if (result.context_tokens.empty()) {
    ImGui::TextDisabled("  (no context text)");
    return;
  }
  if (result.context_dropped_tokens > 0)
    ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "  %lld context tokens did not fit the model",
                       static_cast<long long>(result.context_dropped_tokens));
  if (a.empty()) return;
  const std::vector<float> weights = a.context_map(map.layer, map.head);
  float top = 0;
  for (float v : weights) top = std::max(top, v);
  if (!ImGui::BeginTable("context", 3, ImGuiTableFlags_SizingFixedFit)) return;
  for (size_t i = 0; i < result.context_tokens.size(); ++i) {
    const float v = i < weights.size() ? weights[i] : 0.0f;
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(result.context_tokens[i].c_str());
    ImGui::TableNextColumn();
    bar(v, top, 160, IM_COL32(110, 190, 255, 255));
    ImGui::TableNextColumn();
    ImGui::Text("%.3f", v);
  }
  ImGui::EndTable();
}

// Rows: layers then the overall share; columns: words. Colour: viridis of the image share.
void share_by_layer_chart(const Caption& caption, StepKind step, int selected, float width) {
  int layers = 0;
  for (const Word& w : caption.words) layers = std::max(layers, step_of(w, step).layers);
  if (layers == 0 || caption.words.empty()) return;
  const int n = static_cast<int>(caption.words.size());
  const float label_w = 64;
  const float cell_w = std::clamp((width - label_w) / n, 6.0f, 48.0f);
  const float cell_h = ImGui::GetTextLineHeight() + 2;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  for (int r = 0; r <= layers; ++r) {
    const float y = p.y + r * cell_h;
    const std::string label = r < layers ? "layer " + std::to_string(r + 1) : "all";
    draw->AddText(ImVec2(p.x, y), ImGui::GetColorU32(ImGuiCol_Text), label.c_str());
    for (int i = 0; i < n; ++i) {
      const StepAttention& a = step_of(caption.words[static_cast<size_t>(i)], step);
      if (a.empty()) continue;
      const float share = r < layers ? (r < static_cast<int>(a.image_share_by_layer.size())
                                            ? a.image_share_by_layer[static_cast<size_t>(r)] : 0.0f)
                                     : a.image_share;
      const ImVec2 c0(p.x + label_w + i * cell_w, y), c1(c0.x + cell_w - 1, y + cell_h - 1);
      draw->AddRectFilled(c0, c1, color_of(ColorMap::Viridis, share));
      if (i == selected) draw->AddRect(c0, c1, IM_COL32(255, 150, 40, 255), 0, 0, 2);
      if (ImGui::IsMouseHoveringRect(c0, c1))
        ImGui::SetTooltip("\"%s\" %s: image %.0f%%, context %.0f%%",
                          caption.words[static_cast<size_t>(i)].text.c_str(), label.c_str(),
                          100 * share, 100 * (1 - share));
    }
  }
  ImGui::Dummy(ImVec2(label_w + n * cell_w, (layers + 1) * cell_h));
  ImGui::TextDisabled("colour: image share, viridis (dark = context, yellow = image); hover a cell");
}

void gates_table(const CaptionResult& result) {
  if (result.gates.empty()) return;
  ImGui::TextUnformatted("Gates tanh(alpha) per decoder layer");
  if (!ImGui::BeginTable("gates", 5, ImGuiTableFlags_SizingFixedFit)) return;
  for (size_t l = 0; l + 1 < result.gates.size(); l += 2) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::Text("layer %zu", l / 2 + 1);
    ImGui::TableNextColumn();
    ImGui::Text("image %+.3f", result.gates[l]);
    ImGui::TableNextColumn();
    bar(std::abs(result.gates[l]), 1.0f, 90, IM_COL32(255, 180, 60, 255));
    ImGui::TableNextColumn();
    ImGui::Text("context %+.3f", result.gates[l + 1]);
    ImGui::TableNextColumn();
    bar(std::abs(result.gates[l + 1]), 1.0f, 90, IM_COL32(110, 190, 255, 255));
  }
  ImGui::EndTable();
}

}  // namespace

const char* share_meaning(FusionStrategy fusion) {
  return fusion == FusionStrategy::Concat
             ? "concat: patches and context tokens share one softmax; the image share is its mass on the patches."
             : "the image share is the image sub-layer's output norm over both sub-layers' norms.";
}

void share_strip(const char* id, const Caption& caption, StepKind step, int selected, ImVec2 size) {
  const int n = static_cast<int>(caption.words.size());
  const ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::PushID(id);
  ImGui::Dummy(size);
  ImGui::PopID();
  if (n == 0) return;
  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(40, 40, 48, 255));
  const float w = size.x / n;
  for (int i = 0; i < n; ++i) {
    const StepAttention& a = step_of(caption.words[static_cast<size_t>(i)], step);
    if (a.empty()) continue;
    const float x0 = p.x + i * w + 1, x1 = p.x + (i + 1) * w - 1;
    const float y_split = p.y + size.y * (1 - std::clamp(a.image_share, 0.0f, 1.0f));
    draw->AddRectFilled(ImVec2(x0, y_split), ImVec2(x1, p.y + size.y), IM_COL32(255, 170, 60, 255));
    draw->AddRectFilled(ImVec2(x0, p.y), ImVec2(x1, y_split), IM_COL32(90, 160, 240, 255));
    if (i == selected) draw->AddRect(ImVec2(x0 - 1, p.y), ImVec2(x1 + 1, p.y + size.y), IM_COL32(255, 255, 255, 255), 0, 0, 2);
    if (ImGui::IsMouseHoveringRect(ImVec2(x0, p.y), ImVec2(x1, p.y + size.y)))
      ImGui::SetTooltip("\"%s\": image %.0f%%, context %.0f%%", caption.words[static_cast<size_t>(i)].text.c_str(),
                        100 * a.image_share, 100 * (1 - a.image_share));
  }
}

void fusion_panel(const CaptionResult& result, const Caption& caption, int word,
                  const MapSettings& map, ImVec2 size) {
  const StepKind step = map.step;
  ImGui::BeginChild("fusion", size, false);
  ImGui::Text("Fusion: %s", fusion_name(result.fusion));
  ImGui::TextWrapped("%s", share_meaning(result.fusion));
  ImGui::Separator();
  if (word >= 0 && word < static_cast<int>(caption.words.size())) {
    const Word& w = caption.words[static_cast<size_t>(word)];
    const StepAttention& a = step_of(w, step);
    ImGui::Text("Word %d \"%s\": image %.0f%%, context %.0f%%", word + 1, w.text.c_str(),
                100 * a.image_share, 100 * (1 - a.image_share));
    context_tokens(result, a, map);
  }
  ImGui::Separator();
  ImGui::TextUnformatted("Image share per word and layer");
  share_by_layer_chart(caption, step, word, ImGui::GetContentRegionAvail().x);
  ImGui::TextUnformatted("Image (orange) vs context (blue) per word");
  share_strip("strip", caption, step, word, ImVec2(std::min(ImGui::GetContentRegionAvail().x, 40.0f * caption.words.size()), 60));
  ImGui::Separator();
  gates_table(result);
  ImGui::EndChild();
}

}  // namespace glimpse::gui
