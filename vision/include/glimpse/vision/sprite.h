// A piece of artwork in premultiplied RGBA, and the resampling the scene renderer applies to
// it. Premultiplied, so that scaling and rotating (both resample) blend colour and coverage
// together and leave no dark fringes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace glimpse::vision {

// 8-bit RGBA with colour premultiplied by alpha (R <= A, G <= A, B <= A), row-major.
struct Sprite {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;

  const uint8_t* pixel(int x, int y) const {
    return rgba.data() + (static_cast<size_t>(y) * width + x) * 4;
  }
};

// Crops premultiplied RGBA pixels (rows of `pitch` bytes) to those with alpha > 0. Throws
// glimpse::Error naming `what` when every pixel is transparent.
Sprite crop_to_visible(const uint8_t* rgba, int width, int height, size_t pitch, const std::string& what);

// Decodes an image file (PNG with straight alpha, palette, grey or no alpha) into a cropped
// premultiplied sprite. Throws glimpse::Error naming `what` and the file when it is missing or
// cannot be decoded; `missing_hint` says what installs it.
Sprite load_image_sprite(const std::string& path, const std::string& what, const std::string& missing_hint);

// Scales `sprite` so that its longer side is `longer_side` pixels (area averaging when
// shrinking, bilinear when enlarging).
Sprite scale_sprite(const Sprite& sprite, int longer_side);

// Rotates `sprite` by `degrees` (counter-clockwise) about its centre, onto a canvas just large
// enough to hold the result; bilinear, transparent outside.
Sprite rotate_sprite(const Sprite& sprite, float degrees);

}  // namespace glimpse::vision
