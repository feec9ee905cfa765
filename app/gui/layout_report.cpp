#include "layout_report.h"

#include <nlohmann/json.hpp>

namespace glimpse::gui {

std::string layout_json(const LayoutReport& r) {
  nlohmann::json panels = nlohmann::json::array();
  for (const PanelRect& p : r.panels)
    panels.push_back({{"name", p.name},
                      {"rect", {p.x0, p.y0, p.x1, p.y1}},
                      {"image_size", {p.image_width, p.image_height}},
                      {"word", p.word}});
  const nlohmann::json j = {{"framebuffer", {r.framebuffer_width, r.framebuffer_height}},
                            {"view", r.view},
                            {"panels", panels},
                            {"captions", r.captions},
                            {"image", r.image},
                            {"error", r.error},
                            {"status", r.status},
                            {"view_rect", r.view_rect}};
  return j.dump(2) + "\n";
}

}  // namespace glimpse::gui
