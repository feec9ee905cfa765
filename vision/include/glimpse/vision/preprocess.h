// Image → model input: resize to the model's square size, normalise, cut into P×P patches.
// Keeps the geometry that maps each patch back to a box on the original picture, so every
// attention weight can be drawn where it belongs.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "glimpse/core/tensor.h"
#include "glimpse/vision/image.h"

namespace glimpse::vision {

enum class ResizeMode {
  Letterbox,   // scale the longer side to S, centre, pad with the mean colour (no distortion, nothing cut)
  Stretch,     // scale each side to S independently
  CenterCrop,  // scale the shorter side to S, cut the centre square
};

const char* resize_mode_name(ResizeMode mode);
ResizeMode resize_mode_from_name(const std::string& name);

struct PreprocessConfig {
  int image_size = 128;  // S: the model sees S×S pixels
  int patch_size = 16;   // P: S must be a multiple of P
  ResizeMode mode = ResizeMode::Letterbox;
  std::array<float, 3> mean{0.5f, 0.5f, 0.5f};  // per RGB channel, on [0, 1] values
  std::array<float, 3> std{0.5f, 0.5f, 0.5f};

  int grid_side() const { return image_size / patch_size; }
  int num_patches() const { return grid_side() * grid_side(); }
  int patch_dim() const { return 3 * patch_size * patch_size; }
};

// Throws glimpse::Error naming the field.
void validate(const PreprocessConfig& config);

struct PixelBox {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;  // original-image pixels, x1/y1 exclusive
};

struct PatchGrid {
  int rows = 0, cols = 0;
  int image_width = 0, image_height = 0;  // the original picture
  // Model pixel (u, v) in [0, S)² shows original pixel (u - offset_x) / scale_x, likewise y.
  float scale_x = 1, scale_y = 1, offset_x = 0, offset_y = 0;
  std::vector<PixelBox> boxes;  // one per patch, row-major, clipped to the picture (may be empty
                                // for patches that lie wholly in letterbox padding)
};

struct PreparedImage {
  // [rows*cols, 3*P*P]: patch (r, c) flattened channel-major (c, y, x), the layout of a
  // Conv2d(3, d, kernel=P, stride=P) weight flattened to [d, 3*P*P].
  Tensor patches;
  PatchGrid grid;
};

PreparedImage prepare_image(const Image& image, const PreprocessConfig& config);

}  // namespace glimpse::vision
