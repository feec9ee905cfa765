#include "color_scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace glimpse::gui {

ImU32 color_of(ColorMap map, float value) {
  const Rgb& c = color_map_table(map)[static_cast<size_t>(std::clamp(value, 0.0f, 1.0f) * 255.0f)];
  return IM_COL32(c[0], c[1], c[2], 255);
}

namespace {

ImU32 signed_color(float v) {  // v in [-1, 1], matching textures.cpp colorize_signed over grey
  const float m = std::min(1.0f, std::abs(v));
  const auto mix = [m](float from, float to) { return static_cast<int>(255 * (from + (to - from) * m)); };
  return v >= 0 ? IM_COL32(mix(0.5f, 0.86f), mix(0.5f, 0.0f), mix(0.5f, 0.15f), 255)
                : IM_COL32(mix(0.5f, 0.15f), mix(0.5f, 0.0f), mix(0.5f, 0.9f), 255);
}

}  // namespace

void color_scale_bar(ColorMap map, float top, bool signed_scale, ImVec2 size) {
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 p = ImGui::GetCursorScreenPos();
  const float bar_w = 14.0f;
  const float text_h = ImGui::GetTextLineHeight();
  const float y0 = p.y + text_h * 0.5f, y1 = p.y + size.y - text_h * 0.5f;
  constexpr int kSegments = 64;
  for (int i = 0; i < kSegments; ++i) {
    // Top of the bar is the top of the scale.
    const float t0 = 1.0f - static_cast<float>(i) / kSegments;
    const float t1 = 1.0f - static_cast<float>(i + 1) / kSegments;
    const float ya = y0 + (y1 - y0) * i / kSegments, yb = y0 + (y1 - y0) * (i + 1) / kSegments;
    const ImU32 ca = signed_scale ? signed_color(2 * t0 - 1) : color_of(map, t0);
    const ImU32 cb = signed_scale ? signed_color(2 * t1 - 1) : color_of(map, t1);
    draw->AddRectFilledMultiColor(ImVec2(p.x, ya), ImVec2(p.x + bar_w, yb + 1), ca, ca, cb, cb);
  }
  draw->AddRect(ImVec2(p.x, y0), ImVec2(p.x + bar_w, y1), IM_COL32(200, 200, 200, 255));
  constexpr int kTicks = 5;
  for (int i = 0; i < kTicks; ++i) {
    const float t = static_cast<float>(i) / (kTicks - 1);
    const float y = y1 - (y1 - y0) * t;
    const float value = signed_scale ? top * (2 * t - 1) : top * t;
    char label[32];
    std::snprintf(label, sizeof label, signed_scale ? "%+.3f" : "%.3f", value);
    draw->AddLine(ImVec2(p.x + bar_w, y), ImVec2(p.x + bar_w + 4, y), IM_COL32(220, 220, 220, 255));
    draw->AddText(ImVec2(p.x + bar_w + 6, y - text_h * 0.5f), ImGui::GetColorU32(ImGuiCol_Text), label);
  }
  ImGui::Dummy(size);
}

}  // namespace glimpse::gui
