#include "attention_views.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace glimpse::gui {
namespace {

// One picture with a map over it, fitted into `size` with a label strip above; returns clicked.
bool map_tile(const char* id, const Texture* picture, const AttentionMap* map, float alpha,
              ImVec2 size, const std::string& label, bool highlighted) {
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const bool clicked = ImGui::InvisibleButton(id, size);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const float label_h = ImGui::GetTextLineHeight() + 2;
  draw->AddRectFilled(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(28, 28, 32, 255));
  draw->PushClipRect(p, ImVec2(p.x + size.x, p.y + size.y), true);
  draw->AddText(ImVec2(p.x + 3, p.y + 1), IM_COL32(230, 230, 230, 255), label.c_str());
  draw->PopClipRect();
  if (picture) {
    const float w = static_cast<float>(picture->width()), h = static_cast<float>(picture->height());
    const float s = std::min((size.x - 4) / w, (size.y - label_h - 2) / h);
    const ImVec2 a(p.x + (size.x - w * s) * 0.5f, p.y + label_h);
    const ImVec2 b(a.x + w * s, a.y + h * s);
    draw->AddImage(picture->id(), a, b);
    if (map && map->texture.valid())
      draw->AddImage(map->texture.id(), a, b, ImVec2(0, 0), ImVec2(1, 1),
                     IM_COL32(255, 255, 255, static_cast<int>(std::clamp(alpha, 0.0f, 1.0f) * 255)));
  }
  if (highlighted)
    draw->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(255, 150, 40, 255), 0, 0, 2.0f);
  else if (ImGui::IsItemHovered())
    draw->AddRect(p, ImVec2(p.x + size.x, p.y + size.y), IM_COL32(200, 200, 200, 255));
  return clicked;
}

// Largest square-ish tile that fits `count` tiles in `size` (aspect: tile height / width).
int best_columns(int count, ImVec2 size, float aspect) {
  int best = 1;
  float best_side = 0;
  for (int cols = 1; cols <= count; ++cols) {
    const int rows = (count + cols - 1) / cols;
    const float side = std::min(size.x / cols, size.y / (rows * aspect));
    if (side > best_side) {
      best_side = side;
      best = cols;
    }
  }
  return best;
}

// A grid tile's caption: "L2 H3", "mean L H1", "L1 max H". Appended piece by piece: GCC 12 at
// -O3 warns, falsely, -Wrestrict on `"L" + std::to_string(n)` (its operator+(const char*,
// string&&) inlined).
std::string tile_label(int layer, int head) {
  std::string label = layer < 0 ? "mean L" : "L";
  if (layer >= 0) label += std::to_string(layer + 1);
  label += head == -1 ? " mean H" : head == -2 ? " max H" : " H";
  if (head >= 0) label += std::to_string(head + 1);
  return label;
}

}  // namespace

bool map_settings_panel(MapSettings& map, OverlayLook& look, int layers, int heads) {
  const MapSettings before = map;
  std::string layer_label = map.layer < 0 ? "mean of layers" : "layer " + std::to_string(map.layer + 1);
  if (ImGui::BeginCombo("layer", layer_label.c_str())) {
    if (ImGui::Selectable("mean of layers", map.layer < 0)) map.layer = -1;
    for (int l = 0; l < layers; ++l)
      if (ImGui::Selectable(("layer " + std::to_string(l + 1)).c_str(), map.layer == l)) map.layer = l;
    ImGui::EndCombo();
  }
  std::string head_label = map.head == -1 ? "mean of heads"
                           : map.head == -2 ? "max of heads"
                                            : "head " + std::to_string(map.head + 1);
  if (ImGui::BeginCombo("head", head_label.c_str())) {
    if (ImGui::Selectable("mean of heads", map.head == -1)) map.head = -1;
    if (ImGui::Selectable("max of heads", map.head == -2)) map.head = -2;
    for (int h = 0; h < heads; ++h)
      if (ImGui::Selectable(("head " + std::to_string(h + 1)).c_str(), map.head == h)) map.head = h;
    ImGui::EndCombo();
  }
  int step = map.step == StepKind::Predicted ? 0 : 1;
  ImGui::RadioButton("predicting the word", &step, 0);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("the step that chose the word");
  ImGui::SameLine();
  ImGui::RadioButton("reading it", &step, 1);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("the next step, where the word is the decoder's input\n(last word: the <eos> step)");
  map.step = step == 0 ? StepKind::Predicted : StepKind::Input;
  int colours = static_cast<int>(map.color_map);
  ImGui::Combo("colours", &colours, "viridis\0inferno\0turbo\0");
  map.color_map = static_cast<ColorMap>(colours);
  int norm = static_cast<int>(map.normalization);
  ImGui::Combo("scale", &norm, "max of the map\0fixed 0..1\0");
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("max: each map's hottest patch is the top colour\nfixed: weights as they are, maps compare");
  map.normalization = static_cast<Normalization>(norm);
  ImGui::SliderFloat("alpha", &look.alpha, 0.0f, 1.0f, "%.2f");
  ImGui::Checkbox("fade low weights", &map.fade);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("on: a patch's colour is as opaque as its weight is high\noff: the whole map is drawn at the alpha above");
  ImGui::Checkbox("grid", &look.grid_lines);
  ImGui::SameLine();
  ImGui::Checkbox("argmax", &look.outline_argmax);
  ImGui::SameLine();
  ImGui::Checkbox("scale bar", &look.scale_bar);
  return !(map == before);
}

void layer_head_grid(const LayerHeadMaps& maps, const Texture* picture, const OverlayLook& look,
                     MapSettings& map, ImVec2 size) {
  if (maps.layers() == 0) {
    ImGui::TextDisabled("no attention recorded for this word and step");
    return;
  }
  const int rows = maps.layers() + 1, cols = maps.heads() + 2;
  const float gap = 4, row_gap = ImGui::GetStyle().ItemSpacing.y;
  const float label_h = ImGui::GetTextLineHeight() + 4;
  const float tile_w = std::floor(std::min((size.x - gap * cols) / cols,
                                           (size.y - row_gap * rows) / rows - label_h));
  const ImVec2 tile(std::max(tile_w, 24.0f), std::max(tile_w, 24.0f) + label_h);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      if (c > 0) ImGui::SameLine(0, gap);
      const int layer = r < maps.layers() ? r : -1;
      const int head = c < maps.heads() ? c : (c == maps.heads() ? -1 : -2);
      const std::string label = tile_label(layer, head);
      const std::string id = "tile" + std::to_string(r * cols + c);
      if (map_tile(id.c_str(), picture, maps.at(r, c), look.alpha, tile, label,
                   map.layer == layer && map.head == head)) {
        map.layer = layer;
        map.head = head;
      }
      if (ImGui::IsItemHovered()) ImGui::SetTooltip("click: show %s in the overlay", label.c_str());
    }
  }
}

void caption_sheet(const Caption& caption, const WordMaps& maps, const Texture* picture,
                   const OverlayLook& look, int& selected, ImVec2 size) {
  const int count = static_cast<int>(caption.words.size()) + 1;
  const float label_h = ImGui::GetTextLineHeight() + 4;
  const float aspect = picture ? static_cast<float>(picture->height()) / static_cast<float>(picture->width()) : 1.0f;
  const int cols = best_columns(count, ImVec2(size.x, size.y), aspect + label_h / 160.0f);
  const float gap = 4, row_gap = ImGui::GetStyle().ItemSpacing.y;
  const float w = std::floor((size.x - gap * cols) / cols);
  const int rows = (count + cols - 1) / cols;
  const float h = std::min(w * aspect + label_h, std::floor((size.y - row_gap * rows) / rows));
  for (int i = 0; i < count; ++i) {
    if (i % cols != 0) ImGui::SameLine(0, gap);
    const int word = i - 1;
    const std::string label = word < 0 ? std::string("picture")
                                       : std::to_string(word + 1) + ": " + caption.words[static_cast<size_t>(word)].text;
    const std::string id = "sheet" + std::to_string(i);
    if (map_tile(id.c_str(), picture, word < 0 ? nullptr : maps.at(word), look.alpha, ImVec2(w, h), label,
                 word >= 0 && word == selected) && word >= 0)
      selected = word;
  }
}

}  // namespace glimpse::gui
