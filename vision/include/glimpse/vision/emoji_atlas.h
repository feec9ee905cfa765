// Emoji artwork for the scene generator, in two art styles that Debian ships: Noto Color Emoji
// (a CBDT colour font, rendered with FreeType) and EmojiOne (PNG files from ruby-gemojione).
// Every glyph is cropped to its visible pixels and kept as premultiplied RGBA, so that scaling
// and rotating it (both resample) blend colour and coverage together and leave no dark fringes.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "glimpse/vision/scene_catalogue.h"

namespace glimpse::vision {

enum class ArtStyle { Noto, EmojiOne };

const char* art_style_name(ArtStyle style);  // "noto" | "emojione"
ArtStyle art_style_from_name(const std::string& name);

struct ArtPaths {
  std::string noto_font = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf";
  std::string emojione_dir = "/usr/share/rubygems-integration/all/gems/gemojione-3.3.0/assets/png";
};

// 8-bit RGBA with colour premultiplied by alpha (R <= A, G <= A, B <= A), row-major.
struct Sprite {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgba;

  const uint8_t* pixel(int x, int y) const {
    return rgba.data() + (static_cast<size_t>(y) * width + x) * 4;
  }
};

class EmojiAtlas {
 public:
  // Loads every catalogue object's artwork in `style`. Throws glimpse::Error naming the font or
  // file and the object when the artwork is missing, unreadable, or not a colour glyph.
  EmojiAtlas(const SceneCatalogue& catalogue, ArtStyle style, const ArtPaths& paths = {},
             size_t cache_bytes = size_t{64} << 20);

  ArtStyle style() const { return style_; }
  int size() const { return static_cast<int>(glyphs_.size()); }

  // Object `object`'s artwork at its native resolution, cropped to its non-transparent pixels.
  const Sprite& glyph(int object) const;

  // The artwork scaled so that its longer side is `longer_side` pixels (aspect kept). Scaled
  // sprites are cached per (object, size) up to `cache_bytes` in all; safe to call from several
  // threads.
  std::shared_ptr<const Sprite> scaled(int object, int longer_side) const;

 private:
  ArtStyle style_;
  std::vector<Sprite> glyphs_;
  size_t cache_limit_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<uint64_t, std::shared_ptr<const Sprite>> cache_;
  mutable size_t cache_used_ = 0;
};

// Scales `sprite` so that its longer side is `longer_side` pixels (area averaging when
// shrinking, bilinear when enlarging).
Sprite scale_sprite(const Sprite& sprite, int longer_side);

// Rotates `sprite` by `degrees` (counter-clockwise) about its centre, onto a canvas just large
// enough to hold the result; bilinear, transparent outside.
Sprite rotate_sprite(const Sprite& sprite, float degrees);

}  // namespace glimpse::vision
