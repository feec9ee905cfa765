// Where this frame drew what, for --layout-json: tests and docs map patch boxes to screen
// pixels with it and read the texts shown without OCR.
#pragma once

#include <string>
#include <vector>

namespace glimpse::gui {

struct PanelRect {
  std::string name;               // "main", "compare-a", "compare-b", "compare-diff", ...
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // the picture's rectangle, framebuffer pixels
  int image_width = 0, image_height = 0;
  int word = -1;                  // the word whose map is drawn over it (-1: none)
};

struct LayoutReport {
  int framebuffer_width = 0, framebuffer_height = 0;
  std::vector<PanelRect> panels;
  std::vector<std::string> captions;  // per slot shown: A, then B
  std::string image;                  // the picture model A's caption is of
  std::string view;
  std::string error;                  // the error text on screen ("" = none)
  std::string status;
  std::vector<float> view_rect;       // the exported view region x0 y0 x1 y1
};

std::string layout_json(const LayoutReport& report);

}  // namespace glimpse::gui
