#include "api_convert.h"

namespace glimpse::api {

vision::Image to_vision(const Image& image) {
  return vision::Image{image.width, image.height, image.rgb};
}

Image to_public(vision::Image image) {
  return Image{image.width, image.height, std::move(image.rgb)};
}

vision::PatchGrid to_vision(const PatchGrid& g) {
  vision::PatchGrid v;
  v.rows = g.rows;
  v.cols = g.cols;
  v.image_width = g.image_width;
  v.image_height = g.image_height;
  v.scale_x = g.scale_x;
  v.scale_y = g.scale_y;
  v.offset_x = g.offset_x;
  v.offset_y = g.offset_y;
  v.boxes.reserve(g.boxes.size());
  for (const PatchBox& b : g.boxes) v.boxes.push_back({b.x0, b.y0, b.x1, b.y1});
  return v;
}

PatchGrid to_public(const vision::PatchGrid& grid) {
  PatchGrid g;
  g.rows = grid.rows;
  g.cols = grid.cols;
  g.image_width = grid.image_width;
  g.image_height = grid.image_height;
  g.scale_x = grid.scale_x;
  g.scale_y = grid.scale_y;
  g.offset_x = grid.offset_x;
  g.offset_y = grid.offset_y;
  g.boxes.reserve(grid.boxes.size());
  for (const vision::PixelBox& b : grid.boxes) g.boxes.push_back({b.x0, b.y0, b.x1, b.y1});
  return g;
}

vision::ColorMap to_vision(ColorMap map) {
  switch (map) {
    case ColorMap::Viridis: return vision::ColorMap::Viridis;
    case ColorMap::Inferno: return vision::ColorMap::Inferno;
    case ColorMap::Turbo: return vision::ColorMap::Turbo;
  }
  throw Error("unknown colour map");
}

vision::Normalization to_vision(Normalization n) {
  return n == Normalization::Max ? vision::Normalization::Max : vision::Normalization::Fixed;
}

FusionStrategy to_public(FusionKind f) {
  switch (f) {
    case FusionKind::Concat: return FusionStrategy::Concat;
    case FusionKind::Separate: return FusionStrategy::Separate;
    case FusionKind::Parallel: return FusionStrategy::Parallel;
    case FusionKind::Hierarchical: return FusionStrategy::Hierarchical;
    case FusionKind::Gated: return FusionStrategy::Gated;
  }
  throw Error("unknown fusion kind");
}

}  // namespace glimpse::api
