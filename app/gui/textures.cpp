#include "textures.h"

#include <GL/gl.h>

#include <algorithm>
#include <cmath>
#include <utility>

namespace glimpse::gui {
namespace {

unsigned upload(int width, int height, GLenum format, const uint8_t* pixels) {
  GLuint name = 0;
  glGenTextures(1, &name);
  glBindTexture(GL_TEXTURE_2D, name);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  // RGB rows of odd widths are not 4-byte aligned.
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  glTexImage2D(GL_TEXTURE_2D, 0, format == GL_RGB ? GL_RGB8 : GL_RGBA8, width, height, 0, format,
               GL_UNSIGNED_BYTE, pixels);
  return name;
}

uint8_t to_byte(float v) {
  return static_cast<uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
}

}  // namespace

Texture::~Texture() {
  if (name_ != 0) glDeleteTextures(1, &name_);
}

Texture::Texture(Texture&& other) noexcept
    : name_(std::exchange(other.name_, 0)), width_(other.width_), height_(other.height_) {}

Texture& Texture::operator=(Texture&& other) noexcept {
  if (this != &other) {
    if (name_ != 0) glDeleteTextures(1, &name_);
    name_ = std::exchange(other.name_, 0);
    width_ = other.width_;
    height_ = other.height_;
  }
  return *this;
}

Texture Texture::from_rgb(const Image& image) {
  Texture t;
  if (image.empty()) return t;
  GLint max_side = 0;
  glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_side);
  const int step = max_side > 0 ? (std::max(image.width, image.height) + max_side - 1) / max_side : 1;
  if (step > 1) {
    // Larger than the GPU takes: every step-th pixel (drawing only; the model saw all of them).
    Image small;
    small.width = image.width / step;
    small.height = image.height / step;
    small.rgb.resize(static_cast<size_t>(small.width) * small.height * 3);
    for (int y = 0; y < small.height; ++y)
      for (int x = 0; x < small.width; ++x)
        for (int c = 0; c < 3; ++c)
          small.rgb[(static_cast<size_t>(y) * small.width + x) * 3 + c] =
              image.rgb[(static_cast<size_t>(y) * step * image.width + static_cast<size_t>(x) * step) * 3 + c];
    t.name_ = upload(small.width, small.height, GL_RGB, small.rgb.data());
  } else {
    t.name_ = upload(image.width, image.height, GL_RGB, image.rgb.data());
  }
  // The size of the picture, not of the texture: layouts map picture pixels.
  t.width_ = image.width;
  t.height_ = image.height;
  return t;
}

Texture Texture::from_rgba(int width, int height, const std::vector<uint8_t>& rgba) {
  Texture t;
  if (width <= 0 || height <= 0) return t;
  t.name_ = upload(width, height, GL_RGBA, rgba.data());
  t.width_ = width;
  t.height_ = height;
  return t;
}

std::vector<uint8_t> colorize(const HeatMap& heat, ColorMap map, bool fade) {
  const auto& table = color_map_table(map);
  std::vector<uint8_t> rgba(heat.values.size() * 4);
  for (size_t i = 0; i < heat.values.size(); ++i) {
    const Rgb& c = table[to_byte(heat.values[i])];
    rgba[4 * i + 0] = c[0];
    rgba[4 * i + 1] = c[1];
    rgba[4 * i + 2] = c[2];
    // pow < 1: mid weights stay visible, near-zero ones stay nearly transparent.
    rgba[4 * i + 3] = fade ? to_byte(std::pow(std::clamp(heat.values[i], 0.0f, 1.0f), 0.6f)) : 255;
  }
  return rgba;
}

std::vector<uint8_t> colorize_signed(const HeatMap& positive, const HeatMap& negative) {
  const size_t n = std::min(positive.values.size(), negative.values.size());
  std::vector<uint8_t> rgba(n * 4);
  for (size_t i = 0; i < n; ++i) {
    // Bilinear interpolation is linear, so interp(pos) - interp(neg) = interp(pos - neg).
    const float v = std::clamp(positive.values[i] - negative.values[i], -1.0f, 1.0f);
    const float m = std::abs(v);
    rgba[4 * i + 0] = v >= 0 ? 220 : to_byte(0.15f);
    rgba[4 * i + 1] = to_byte(0.25f * (1.0f - m));
    rgba[4 * i + 2] = v >= 0 ? to_byte(0.15f) : 230;
    rgba[4 * i + 3] = to_byte(std::sqrt(m));
  }
  return rgba;
}

}  // namespace glimpse::gui
