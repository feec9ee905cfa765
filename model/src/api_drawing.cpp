// Pictures and attention drawing for front ends (glimpse.h): image I/O and the heat maps,
// overlays and sheets of vision/, over the API's plain values.
#include <algorithm>
#include <cmath>

#include "api_convert.h"
#include "glimpse/core/error.h"
#include "glimpse/glimpse.h"
#include "glimpse/vision/attention_sheet.h"
#include "glimpse/vision/overlay.h"

namespace glimpse {

Image load_image(const std::string& path) { return api::to_public(vision::load_image(path)); }

void save_png(const std::string& path, const Image& image) {
  vision::save_png(path, api::to_vision(image));
}

const char* color_map_name(ColorMap map) { return vision::color_map_name(api::to_vision(map)); }

ColorMap color_map_from_name(const std::string& name) {
  switch (vision::color_map_from_name(name)) {
    case vision::ColorMap::Viridis: return ColorMap::Viridis;
    case vision::ColorMap::Inferno: return ColorMap::Inferno;
    case vision::ColorMap::Turbo: return ColorMap::Turbo;
  }
  throw Error("unknown colour map '" + name + "'");
}

const std::array<Rgb, 256>& color_map_table(ColorMap map) {
  return vision::color_map_table(api::to_vision(map));
}

int argmax_patch(const std::vector<float>& weights) { return vision::argmax_patch(weights); }

HeatMap heat_map(const PatchGrid& grid, const std::vector<float>& weights,
                 Normalization normalization, int max_side) {
  check(max_side >= 0, "heat_map", "max_side must be >= 0, got " + std::to_string(max_side));
  vision::PatchGrid g = api::to_vision(grid);
  const int longer = std::max(grid.image_width, grid.image_height);
  if (max_side > 0 && longer > max_side) {
    // The same geometry for a picture scaled by f: pixel x' shows original (x' + 0.5) / f - 0.5,
    // so the model position keeps the offset and the scale grows by 1 / f.
    const double f = static_cast<double>(max_side) / longer;
    const int w = std::max(1, static_cast<int>(std::lround(grid.image_width * f)));
    const int h = std::max(1, static_cast<int>(std::lround(grid.image_height * f)));
    const float fx = static_cast<float>(w) / static_cast<float>(grid.image_width);
    const float fy = static_cast<float>(h) / static_cast<float>(grid.image_height);
    g.image_width = w;
    g.image_height = h;
    g.scale_x /= fx;
    g.scale_y /= fy;
    for (auto& b : g.boxes) b = {b.x0 * fx, b.y0 * fy, b.x1 * fx, b.y1 * fy};
  }
  vision::HeatMap v = vision::attention_heat_map(g, weights, api::to_vision(normalization));
  HeatMap out{v.width, v.height, std::move(v.values), 1.0f};
  if (normalization == Normalization::Max)
    out.scale_top = weights.empty() ? 1.0f : *std::max_element(weights.begin(), weights.end());
  return out;
}

namespace {
vision::OverlayOptions overlay_options(const OverlayStyle& s) {
  vision::OverlayOptions o;
  o.color_map = api::to_vision(s.color_map);
  o.normalization = api::to_vision(s.normalization);
  o.alpha = s.alpha;
  o.outline_argmax = s.outline_argmax;
  o.label = s.label;
  return o;
}
}  // namespace

Image render_overlay(const Image& picture, const PatchGrid& grid, const std::vector<float>& weights,
                     const OverlayStyle& style) {
  return api::to_public(vision::render_overlay(api::to_vision(picture), api::to_vision(grid), weights,
                                               overlay_options(style)));
}

Image render_attention_sheet(const Image& picture, const PatchGrid& grid,
                             const std::vector<SheetTile>& tiles, int columns,
                             const OverlayStyle& style, int tile_width) {
  std::vector<vision::WordAttention> words;
  words.reserve(tiles.size());
  for (const SheetTile& t : tiles) words.push_back({t.label, t.weights});
  vision::OverlayOptions o = overlay_options(style);
  o.label.clear();
  vision::LabelledGridOptions grid_options;
  grid_options.tile_width = tile_width;
  return api::to_public(vision::word_attention_sheet(api::to_vision(picture), api::to_vision(grid),
                                                     words, columns, o, grid_options));
}

}  // namespace glimpse
