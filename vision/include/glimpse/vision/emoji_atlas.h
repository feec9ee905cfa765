// One art style's artwork for every catalogue object it draws, loaded once (ArtSource), with a
// cache of the sizes the scene renderer asks for. Glyphs are cropped to their visible pixels
// and kept as premultiplied RGBA (sprite.h).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "glimpse/vision/art_source.h"
#include "glimpse/vision/art_style.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/vision/sprite.h"

namespace glimpse::vision {

class EmojiAtlas {
 public:
  // Loads the artwork of every catalogue object that `source` draws (ArtSource::has); the
  // others are absent (`has` false) and asking for them is a glimpse::Error naming the object.
  // Throws glimpse::Error naming the font or file and the object when artwork is unreadable.
  EmojiAtlas(const SceneCatalogue& catalogue, const ArtSource& source, size_t cache_bytes = size_t{64} << 20);
  // The same with make_art_source(style, paths); requires every catalogue object to be drawn
  // (a glimpse::Error names the first that is not).
  EmojiAtlas(const SceneCatalogue& catalogue, ArtStyle style, const ArtPaths& paths = {},
             size_t cache_bytes = size_t{64} << 20);

  ArtStyle style() const { return style_; }
  int size() const { return static_cast<int>(glyphs_.size()); }
  bool has(int object) const;
  int drawn() const;  // objects that have artwork

  // Object `object`'s artwork at its native resolution, cropped to its non-transparent pixels.
  const Sprite& glyph(int object) const;

  // The artwork scaled so that its longer side is `longer_side` pixels (aspect kept). Scaled
  // sprites are cached per (object, size) up to `cache_bytes` in all; safe to call from several
  // threads.
  std::shared_ptr<const Sprite> scaled(int object, int longer_side) const;

 private:
  void load(const SceneCatalogue& catalogue, const ArtSource& source, bool require_all);

  ArtStyle style_;
  std::vector<std::optional<Sprite>> glyphs_;
  std::vector<std::string> names_;
  size_t cache_limit_;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<uint64_t, std::shared_ptr<const Sprite>> cache_;
  mutable size_t cache_used_ = 0;
};

}  // namespace glimpse::vision
