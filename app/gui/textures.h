// GL textures the app draws: the picture, and attention maps coloured into RGBA. Uploading is
// the only GL work outside the ImGui backend; a Texture owns its GL name.
#pragma once

#include <cstdint>
#include <vector>

#include <imgui.h>

#include "glimpse/glimpse.h"

namespace glimpse::gui {

class Texture {
 public:
  Texture() = default;
  ~Texture();
  Texture(Texture&& other) noexcept;
  Texture& operator=(Texture&& other) noexcept;
  Texture(const Texture&) = delete;
  Texture& operator=(const Texture&) = delete;

  static Texture from_rgb(const Image& image);
  static Texture from_rgba(int width, int height, const std::vector<uint8_t>& rgba);

  bool valid() const { return name_ != 0; }
  ImTextureID id() const { return reinterpret_cast<ImTextureID>(static_cast<intptr_t>(name_)); }
  int width() const { return width_; }
  int height() const { return height_; }

 private:
  unsigned name_ = 0;
  int width_ = 0, height_ = 0;
};

// The heat values through a colour-map table. fade: each pixel's opacity is its value, so that
// patches the word ignores leave the picture as it is; else opaque. The overlay's overall
// transparency is a tint when drawing, so changing it never recolours anything.
std::vector<uint8_t> colorize(const HeatMap& heat, ColorMap map, bool fade);
// A signed map (positive - negative, each in [0, 1]) on a diverging red/blue scale whose alpha
// grows with |value|, so values near zero leave the picture visible.
std::vector<uint8_t> colorize_signed(const HeatMap& positive, const HeatMap& negative);

}  // namespace glimpse::gui
