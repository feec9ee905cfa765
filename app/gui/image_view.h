// A picture fitted to its panel with zoom (wheel, around the cursor) and pan (drag; double-click
// resets), an attention map over it (alpha as a tint), patch grid lines, the argmax patch
// outlined, and patch selection (click, ctrl-click adds, shift-drag boxes, right-click clears).
#pragma once

#include <vector>

#include <imgui.h>

#include "attention_maps.h"
#include "gui_state.h"
#include "textures.h"

namespace glimpse::gui {

struct ImageViewContent {
  const Texture* picture = nullptr;
  const PatchGrid* grid = nullptr;         // null: patch boxes not known (no caption yet)
  const AttentionMap* overlay = nullptr;   // null: the plain picture
  OverlayLook look;
  bool signed_overlay = false;             // a difference map (diverging scale)
  ColorMap color_map = ColorMap::Inferno;  // for the scale bar
  const char* empty_text = "no picture";   // drawn when there is no picture
};

struct ImageViewResult {
  ImVec2 image_min{0, 0}, image_max{0, 0};  // where the whole picture lies on screen
  bool selection_changed = false;
};

// The panel for --layout-json, in framebuffer pixels.
PanelRect panel_rect(const char* name, const ImageViewResult& drawn, const Texture* picture, int word);

// `selection` null: the panel does not select patches.
ImageViewResult image_view(const char* id, ImageViewState& view, const ImageViewContent& content,
                           ImVec2 size, std::vector<int>* selection);

}  // namespace glimpse::gui
