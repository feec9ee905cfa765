#include "glimpse/vision/scene_holdout.h"

#include <algorithm>

#include "glimpse/core/error.h"

namespace glimpse::vision {

const char* split_name(SceneSplit split) {
  switch (split) {
    case SceneSplit::Train: return "train";
    case SceneSplit::Val: return "val";
    case SceneSplit::Test: return "test";
    case SceneSplit::TestStyle: return "test-style";
  }
  return "?";
}

SceneSplit split_from_name(const std::string& name) {
  if (name == "train") return SceneSplit::Train;
  if (name == "val") return SceneSplit::Val;
  if (name == "test") return SceneSplit::Test;
  if (name == "test-style") return SceneSplit::TestStyle;
  throw Error("split '" + name + "': expected train, val, test or test-style");
}

ArtStyle default_art_style(SceneSplit split) {
  return split == SceneSplit::TestStyle ? ArtStyle::EmojiOne : ArtStyle::Noto;
}

int region_of(float x, float y, int canvas) {
  auto cell = [canvas](float v) {
    const int c = static_cast<int>(3.0f * v / static_cast<float>(canvas));
    return std::clamp(c, 0, 2);
  };
  return cell(y) * 3 + cell(x);
}

uint64_t fnv1a64(std::string_view text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

SceneHoldOut::SceneHoldOut(const SceneCatalogue& catalogue, int pair_modulus)
    : catalogue_(&catalogue), pair_modulus_(pair_modulus) {
  check(pair_modulus >= 2, "SceneHoldOut", "pair modulus must be at least 2");
  const int n = catalogue.size();
  held_out_region_.resize(static_cast<size_t>(n));
  partners_.resize(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i)
    held_out_region_[static_cast<size_t>(i)] =
        static_cast<int>(fnv1a64("region:" + catalogue.objects[static_cast<size_t>(i)].name) %
                         kSceneRegions);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      if (pair_held_out(i, j)) {
        partners_[static_cast<size_t>(i)].push_back(j);
        partners_[static_cast<size_t>(j)].push_back(i);
      }
}

bool SceneHoldOut::pair_held_out(int a, int b) const {
  if (a == b) return false;
  const std::string& na = catalogue_->objects[static_cast<size_t>(a)].name;
  const std::string& nb = catalogue_->objects[static_cast<size_t>(b)].name;
  const std::string key = na < nb ? "pair:" + na + "|" + nb : "pair:" + nb + "|" + na;
  return fnv1a64(key) % static_cast<uint64_t>(pair_modulus_) == 0;
}

}  // namespace glimpse::vision
