#include "image_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "color_scale.h"

namespace glimpse::gui {
namespace {

// Picture pixels <-> screen pixels for this frame.
struct Mapping {
  ImVec2 origin;  // screen position of picture pixel (0, 0)
  float scale = 1.0f;
  ImVec2 to_screen(float x, float y) const { return {origin.x + x * scale, origin.y + y * scale}; }
  ImVec2 to_picture(ImVec2 s) const { return {(s.x - origin.x) / scale, (s.y - origin.y) / scale}; }
};

int patch_at(const PatchGrid& grid, ImVec2 p) {
  for (int i = 0; i < grid.size(); ++i) {
    const PatchBox& b = grid.boxes[static_cast<size_t>(i)];
    if (b.x1 > b.x0 && p.x >= b.x0 && p.x < b.x1 && p.y >= b.y0 && p.y < b.y1) return i;
  }
  return -1;
}

std::vector<int> patches_in(const PatchGrid& grid, ImVec2 a, ImVec2 b) {
  const float x0 = std::min(a.x, b.x), x1 = std::max(a.x, b.x);
  const float y0 = std::min(a.y, b.y), y1 = std::max(a.y, b.y);
  std::vector<int> hits;
  for (int i = 0; i < grid.size(); ++i) {
    const PatchBox& p = grid.boxes[static_cast<size_t>(i)];
    if (p.x1 > p.x0 && p.x0 < x1 && p.x1 > x0 && p.y0 < y1 && p.y1 > y0) hits.push_back(i);
  }
  return hits;
}

void handle_input(ImageViewState& view, const ImageViewContent& c, const Mapping& m,
                  ImVec2 panel_min, ImVec2 panel_size, std::vector<int>* selection,
                  ImageViewResult& result) {
  const ImGuiIO& io = ImGui::GetIO();
  const bool hovered = ImGui::IsItemHovered();
  const bool active = ImGui::IsItemActive();
  if (hovered && io.MouseWheel != 0.0f) {
    // Zoom around the cursor: the picture point under it stays put.
    const float factor = std::pow(1.15f, io.MouseWheel);
    const float new_zoom = std::clamp(view.zoom * factor, 0.2f, 40.0f);
    const ImVec2 centre(panel_min.x + panel_size.x * 0.5f + view.pan_x,
                        panel_min.y + panel_size.y * 0.5f + view.pan_y);
    const float k = new_zoom / view.zoom;
    view.pan_x += (io.MousePos.x - centre.x) * (1 - k);
    view.pan_y += (io.MousePos.y - centre.y) * (1 - k);
    view.zoom = new_zoom;
  }
  if (hovered && ImGui::IsMouseDoubleClicked(ImGuiMouseButton_Left)) {
    view.zoom = 1.0f;
    view.pan_x = view.pan_y = 0.0f;
  }
  const bool can_select = selection && c.grid && c.grid->size() > 0;
  if (ImGui::IsItemActivated() && io.KeyShift && can_select) {
    view.box_selecting = true;
    const ImVec2 p = m.to_picture(io.MousePos);
    view.box_x = p.x;
    view.box_y = p.y;
  }
  if (active && !view.box_selecting && ImGui::IsMouseDragging(ImGuiMouseButton_Left)) {
    view.pan_x += io.MouseDelta.x;
    view.pan_y += io.MouseDelta.y;
  }
  if (ImGui::IsItemDeactivated() && can_select) {
    const ImVec2 drag = ImGui::GetMouseDragDelta(ImGuiMouseButton_Left);
    const bool clicked = std::abs(drag.x) < 3 && std::abs(drag.y) < 3;
    const ImVec2 p = m.to_picture(io.MousePos);
    if (view.box_selecting && !clicked) {
      *selection = patches_in(*c.grid, ImVec2(view.box_x, view.box_y), p);
      result.selection_changed = true;
    } else if (clicked) {
      const int patch = patch_at(*c.grid, p);
      if (!io.KeyCtrl) selection->clear();
      if (patch >= 0) {
        if (auto it = std::find(selection->begin(), selection->end(), patch); it != selection->end())
          selection->erase(it);
        else
          selection->push_back(patch);
      }
      result.selection_changed = true;
    }
    view.box_selecting = false;
  }
  if (hovered && selection && ImGui::IsMouseClicked(ImGuiMouseButton_Right) && !selection->empty()) {
    selection->clear();
    result.selection_changed = true;
  }
}

void draw_patch_marks(ImDrawList* draw, const ImageViewContent& c, const Mapping& m,
                      const std::vector<int>* selection) {
  if (!c.grid) return;
  const auto box_rect = [&](int i, ImVec2& a, ImVec2& b) {
    const PatchBox& p = c.grid->boxes[static_cast<size_t>(i)];
    a = m.to_screen(p.x0, p.y0);
    b = m.to_screen(p.x1, p.y1);
    return p.x1 > p.x0;
  };
  ImVec2 a, b;
  if (c.look.grid_lines)
    for (int i = 0; i < c.grid->size(); ++i)
      if (box_rect(i, a, b)) draw->AddRect(a, b, IM_COL32(255, 255, 255, 70));
  if (selection)
    for (int i : *selection)
      if (i >= 0 && i < c.grid->size() && box_rect(i, a, b)) {
        draw->AddRectFilled(a, b, IM_COL32(255, 255, 255, 60));
        draw->AddRect(a, b, IM_COL32(255, 255, 255, 230), 0.0f, 0, 2.0f);
      }
  if (c.overlay && c.look.outline_argmax && c.overlay->argmax >= 0 &&
      c.overlay->argmax < c.grid->size() && box_rect(c.overlay->argmax, a, b)) {
    draw->AddRect(a, b, IM_COL32(0, 0, 0, 200), 0.0f, 0, 4.0f);
    draw->AddRect(a, b, IM_COL32(0, 255, 255, 255), 0.0f, 0, 2.0f);
  }
}

void patch_tooltip(const ImageViewContent& c, const Mapping& m) {
  if (!c.grid || !ImGui::IsItemHovered() || ImGui::IsItemActive()) return;
  const int patch = patch_at(*c.grid, m.to_picture(ImGui::GetIO().MousePos));
  if (patch < 0) return;
  ImGui::BeginTooltip();
  ImGui::Text("patch %d (row %d, column %d)", patch, patch / c.grid->cols, patch % c.grid->cols);
  if (c.overlay && patch < static_cast<int>(c.overlay->weights.size()))
    ImGui::Text(c.signed_overlay ? "difference %+.4f" : "attention %.4f",
                c.overlay->weights[static_cast<size_t>(patch)]);
  ImGui::EndTooltip();
}

}  // namespace

PanelRect panel_rect(const char* name, const ImageViewResult& drawn, const Texture* picture, int word) {
  const ImVec2 k = ImGui::GetIO().DisplayFramebufferScale;
  PanelRect r;
  r.name = name;
  r.x0 = drawn.image_min.x * k.x;
  r.y0 = drawn.image_min.y * k.y;
  r.x1 = drawn.image_max.x * k.x;
  r.y1 = drawn.image_max.y * k.y;
  r.image_width = picture ? picture->width() : 0;
  r.image_height = picture ? picture->height() : 0;
  r.word = word;
  return r;
}

ImageViewResult image_view(const char* id, ImageViewState& view, const ImageViewContent& c,
                           ImVec2 size, std::vector<int>* selection) {
  ImageViewResult result;
  const bool with_bar = c.look.scale_bar && c.overlay;
  const float bar_width = with_bar ? 78.0f : 0.0f;
  const ImVec2 panel_min = ImGui::GetCursorScreenPos();
  const ImVec2 panel_size(std::max(16.0f, size.x - bar_width), std::max(16.0f, size.y));
  ImGui::PushID(id);
  ImGui::InvisibleButton("##image", panel_size, ImGuiButtonFlags_MouseButtonLeft);
  ImDrawList* draw = ImGui::GetWindowDrawList();
  const ImVec2 panel_max(panel_min.x + panel_size.x, panel_min.y + panel_size.y);
  draw->AddRectFilled(panel_min, panel_max, IM_COL32(28, 28, 32, 255));

  if (!c.picture || !c.picture->valid()) {
    const ImVec2 t = ImGui::CalcTextSize(c.empty_text);
    draw->AddText(ImVec2(panel_min.x + (panel_size.x - t.x) * 0.5f, panel_min.y + (panel_size.y - t.y) * 0.5f),
                  IM_COL32(180, 180, 180, 255), c.empty_text);
    ImGui::PopID();
    return result;
  }
  const float w = static_cast<float>(c.picture->width()), h = static_cast<float>(c.picture->height());
  Mapping m;
  m.scale = std::min(panel_size.x / w, panel_size.y / h) * view.zoom;
  m.origin = ImVec2(panel_min.x + panel_size.x * 0.5f + view.pan_x - w * m.scale * 0.5f,
                    panel_min.y + panel_size.y * 0.5f + view.pan_y - h * m.scale * 0.5f);
  handle_input(view, c, m, panel_min, panel_size, selection, result);
  // Recompute after zoom/pan changed this frame.
  m.scale = std::min(panel_size.x / w, panel_size.y / h) * view.zoom;
  m.origin = ImVec2(panel_min.x + panel_size.x * 0.5f + view.pan_x - w * m.scale * 0.5f,
                    panel_min.y + panel_size.y * 0.5f + view.pan_y - h * m.scale * 0.5f);

  draw->PushClipRect(panel_min, panel_max, true);
  result.image_min = m.origin;
  result.image_max = m.to_screen(w, h);
  draw->AddImage(c.picture->id(), result.image_min, result.image_max);
  if (c.overlay && c.overlay->texture.valid()) {
    const int alpha = static_cast<int>(std::lround(std::clamp(c.look.alpha, 0.0f, 1.0f) * 255.0f));
    if (alpha > 0)
      draw->AddImage(c.overlay->texture.id(), result.image_min, result.image_max, ImVec2(0, 0),
                     ImVec2(1, 1), IM_COL32(255, 255, 255, alpha));
  }
  draw_patch_marks(draw, c, m, selection);
  if (view.box_selecting && ImGui::IsItemActive()) {
    const ImVec2 a = m.to_screen(view.box_x, view.box_y);
    draw->AddRectFilled(a, ImGui::GetIO().MousePos, IM_COL32(120, 180, 255, 50));
    draw->AddRect(a, ImGui::GetIO().MousePos, IM_COL32(120, 180, 255, 220));
  }
  draw->PopClipRect();
  patch_tooltip(c, m);

  if (with_bar) {
    ImGui::SameLine(0, 6);
    color_scale_bar(c.color_map, c.overlay->scale_top, c.signed_overlay, ImVec2(bar_width - 6, panel_size.y));
  }
  ImGui::PopID();
  return result;
}

}  // namespace glimpse::gui
