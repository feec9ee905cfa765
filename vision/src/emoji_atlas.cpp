#include "glimpse/vision/emoji_atlas.h"

#include "glimpse/core/error.h"

namespace glimpse::vision {

EmojiAtlas::EmojiAtlas(const SceneCatalogue& catalogue, const ArtSource& source, size_t cache_bytes)
    : style_(source.style()), cache_limit_(cache_bytes) {
  load(catalogue, source, false);
}

EmojiAtlas::EmojiAtlas(const SceneCatalogue& catalogue, ArtStyle style, const ArtPaths& paths,
                       size_t cache_bytes)
    : style_(style), cache_limit_(cache_bytes) {
  load(catalogue, *make_art_source(style, paths), true);
}

void EmojiAtlas::load(const SceneCatalogue& catalogue, const ArtSource& source, bool require_all) {
  glyphs_.reserve(catalogue.objects.size());
  for (const auto& o : catalogue.objects) {
    names_.push_back(o.name);
    // With every object required, load() itself reports the missing file or glyph.
    if (require_all || source.has(o)) glyphs_.emplace_back(source.load(o));
    else glyphs_.emplace_back(std::nullopt);
  }
}

bool EmojiAtlas::has(int object) const {
  return object >= 0 && object < size() && glyphs_[static_cast<size_t>(object)].has_value();
}

int EmojiAtlas::drawn() const {
  int n = 0;
  for (const auto& g : glyphs_) n += g.has_value();
  return n;
}

const Sprite& EmojiAtlas::glyph(int object) const {
  check(object >= 0 && object < size(), "EmojiAtlas::glyph",
        "object " + std::to_string(object) + " out of range [0, " + std::to_string(size()) + ")");
  const auto& g = glyphs_[static_cast<size_t>(object)];
  if (!g)
    throw Error("emoji '" + names_[static_cast<size_t>(object)] + "': art style " + art_style_name(style_) +
                " has no artwork for it");
  return *g;
}

std::shared_ptr<const Sprite> EmojiAtlas::scaled(int object, int longer_side) const {
  const Sprite& base = glyph(object);
  check(longer_side >= 1 && longer_side <= 8192, "EmojiAtlas::scaled",
        "size " + std::to_string(longer_side) + " px out of range [1, 8192]");
  const uint64_t key = (static_cast<uint64_t>(object) << 32) | static_cast<uint32_t>(longer_side);
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    const auto it = cache_.find(key);
    if (it != cache_.end()) return it->second;
  }
  auto sprite = std::make_shared<const Sprite>(scale_sprite(base, longer_side));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  const size_t bytes = sprite->rgba.size();
  if (cache_used_ + bytes <= cache_limit_) {
    const auto [it, inserted] = cache_.emplace(key, sprite);
    if (inserted) cache_used_ += bytes;
    return it->second;
  }
  return sprite;
}

}  // namespace glimpse::vision
