// Attention over the patch grid → one value per ORIGINAL-image pixel. The grid is interpolated
// bilinearly between patch centres in the model's pixel space, and each original pixel is
// looked up through the preprocessing geometry (PatchGrid), so letterboxed, stretched and
// centre-cropped pictures all get the weight of the patch that actually showed them.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "glimpse/vision/preprocess.h"

namespace glimpse::vision {

enum class Normalization {
  Max,    // divide by the largest value of the map: the most-attended spot is always the hottest
  Fixed,  // keep the weights as they are, clamped to [0, 1]: maps of different words compare
};

const char* normalization_name(Normalization normalization);
// "max" or "fixed"; throws glimpse::Error naming the unknown name.
Normalization normalization_from_name(const std::string& name);

struct HeatMap {
  int width = 0, height = 0;
  std::vector<float> values;  // row-major, width*height, each in [0, 1]

  float at(int x, int y) const { return values[static_cast<size_t>(y) * width + x]; }
};

// Throws glimpse::Error starting with `where` unless `grid` is a usable geometry (positive
// sizes, finite positive scales, one box per patch) and `weights` holds rows*cols finite,
// non-negative values.
void validate_attention(const PatchGrid& grid, std::span<const float> weights,
                        const std::string& where);

// The side of one patch in model pixels (P). PatchGrid stores where each patch falls on the
// original picture but not P itself; boxes are clipped only where a patch leaves the picture,
// and every preprocessing mode keeps at least one axis unpadded, so the widest box extent
// (in model pixels) is P.
float model_patch_size(const PatchGrid& grid);

// Row-major index of the largest weight (the first one on ties).
int argmax_patch(std::span<const float> weights);

// Original-size map of `weights` (row-major over grid.rows × grid.cols). Pixel (x, y), at
// model position u = (x + 0.5)·scale_x + offset_x (likewise v), is interpolated between the
// four nearest patch centres; beyond the outermost centres the edge value is held.
HeatMap attention_heat_map(const PatchGrid& grid, std::span<const float> weights,
                           Normalization normalization);

}  // namespace glimpse::vision
