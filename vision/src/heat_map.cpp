#include "glimpse/vision/heat_map.h"

#include <algorithm>
#include <cmath>

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

// One axis of the bilinear lookup: pixel p takes (1 - w1)·cell[i0] + w1·cell[i1].
struct Tap {
  int i0 = 0, i1 = 0;
  float w1 = 0.0f;
};

// Taps for every pixel along one axis of the original picture. Computed once per axis (not per
// pixel) because the mapping is separable: x depends only on the column, y only on the row.
std::vector<Tap> axis_taps(int pixels, int cells, float scale, float offset, float patch) {
  std::vector<Tap> taps(static_cast<size_t>(pixels));
  const float last = static_cast<float>(cells - 1);
  for (int p = 0; p < pixels; ++p) {
    const float model = (static_cast<float>(p) + 0.5f) * scale + offset;
    // Cell coordinate measured from patch centres: patch c's centre is at model (c + 0.5)·P.
    const float g = std::clamp(model / patch - 0.5f, 0.0f, last);
    Tap& t = taps[static_cast<size_t>(p)];
    t.i0 = std::min(static_cast<int>(g), cells - 1);
    t.i1 = std::min(t.i0 + 1, cells - 1);
    t.w1 = g - static_cast<float>(t.i0);
  }
  return taps;
}

std::string grid_size_str(const PatchGrid& grid) {
  return std::to_string(grid.rows) + "*" + std::to_string(grid.cols);
}

}  // namespace

const char* normalization_name(Normalization normalization) {
  switch (normalization) {
    case Normalization::Max: return "max";
    case Normalization::Fixed: return "fixed";
  }
  return "?";
}

Normalization normalization_from_name(const std::string& name) {
  if (name == "max") return Normalization::Max;
  if (name == "fixed") return Normalization::Fixed;
  throw Error("normalization: unknown name '" + name + "' (expected max or fixed)");
}

void validate_attention(const PatchGrid& grid, std::span<const float> weights,
                        const std::string& where) {
  check(grid.rows >= 1 && grid.cols >= 1 && grid.rows <= 4096 && grid.cols <= 4096, where,
        "patch grid must have 1..4096 rows and columns, got " + grid_size_str(grid));
  check(grid.image_width >= 1 && grid.image_height >= 1, where,
        "patch grid has no picture size (" + std::to_string(grid.image_width) + "x" +
            std::to_string(grid.image_height) + ")");
  check(std::isfinite(grid.scale_x) && std::isfinite(grid.scale_y) && grid.scale_x > 0.0f &&
            grid.scale_y > 0.0f && std::isfinite(grid.offset_x) && std::isfinite(grid.offset_y),
        where, "patch grid scales must be finite and positive and offsets finite");
  const size_t patches = static_cast<size_t>(grid.rows) * static_cast<size_t>(grid.cols);
  check(grid.boxes.size() == patches, where,
        "patch grid has " + std::to_string(grid.boxes.size()) + " boxes, expected rows*cols = " +
            grid_size_str(grid) + " = " + std::to_string(patches));
  check(weights.size() == patches, where,
        "weights has " + std::to_string(weights.size()) + " values, expected rows*cols = " +
            grid_size_str(grid) + " = " + std::to_string(patches));
  // Messages are built only on failure: this runs for every weight of every overlay.
  for (size_t i = 0; i < weights.size(); ++i) {
    if (std::isfinite(weights[i]) && weights[i] >= 0.0f) continue;
    const std::string which = "weight " + std::to_string(i) + " of " + std::to_string(patches);
    if (!std::isfinite(weights[i])) throw Error(where + ": " + which + " is not finite");
    throw Error(where + ": " + which + " is negative (" + std::to_string(weights[i]) + ")");
  }
}

float model_patch_size(const PatchGrid& grid) {
  float patch = 0.0f;
  for (const PixelBox& b : grid.boxes)
    patch = std::max({patch, (b.x1 - b.x0) * grid.scale_x, (b.y1 - b.y0) * grid.scale_y});
  check(std::isfinite(patch) && patch > 0.0f, "model_patch_size",
        "every patch box of the " + grid_size_str(grid) + " grid is empty");
  return patch;
}

int argmax_patch(std::span<const float> weights) {
  check(!weights.empty(), "argmax_patch", "no weights");
  return static_cast<int>(std::max_element(weights.begin(), weights.end()) - weights.begin());
}

HeatMap attention_heat_map(const PatchGrid& grid, std::span<const float> weights,
                           Normalization normalization) {
  validate_attention(grid, weights, "attention_heat_map");
  const float patch = model_patch_size(grid);
  const int W = grid.image_width, H = grid.image_height;
  const std::vector<Tap> xs = axis_taps(W, grid.cols, grid.scale_x, grid.offset_x, patch);
  const std::vector<Tap> ys = axis_taps(H, grid.rows, grid.scale_y, grid.offset_y, patch);

  HeatMap map;
  map.width = W;
  map.height = H;
  map.values.resize(static_cast<size_t>(W) * H);
  std::vector<float> row_blend(static_cast<size_t>(grid.cols));  // grid row blended for this y
  float peak = 0.0f;
  for (int y = 0; y < H; ++y) {
    const Tap& ty = ys[static_cast<size_t>(y)];
    const float* r0 = weights.data() + static_cast<size_t>(ty.i0) * grid.cols;
    const float* r1 = weights.data() + static_cast<size_t>(ty.i1) * grid.cols;
    for (int c = 0; c < grid.cols; ++c) row_blend[c] = r0[c] + ty.w1 * (r1[c] - r0[c]);
    float* out = map.values.data() + static_cast<size_t>(y) * W;
    for (int x = 0; x < W; ++x) {
      const Tap& tx = xs[static_cast<size_t>(x)];
      const float v = row_blend[tx.i0] + tx.w1 * (row_blend[tx.i1] - row_blend[tx.i0]);
      out[x] = v;
      peak = std::max(peak, v);
    }
  }

  switch (normalization) {
    case Normalization::Max:
      // An all-zero map stays zero (the colour map's coldest colour), not NaN.
      if (peak > 0.0f) {
        const float inv = 1.0f / peak;
        for (float& v : map.values) v = std::min(v * inv, 1.0f);
      }
      break;
    case Normalization::Fixed:
      for (float& v : map.values) v = std::min(v, 1.0f);
      break;
  }
  return map;
}

}  // namespace glimpse::vision
