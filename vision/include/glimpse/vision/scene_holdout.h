// The compositional hold-out between the scene splits. Some object pairs, and one of the nine
// positions of every object, never occur in `train` (nor `val`); every `test` scene contains
// at least one of them. `test-style` is `test` drawn in the art style held out of training.
// Membership is a hash of the object names, so it does not depend on the catalogue's order,
// the seed or the scene count.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "glimpse/vision/art_style.h"
#include "glimpse/vision/scene_catalogue.h"

namespace glimpse::vision {

enum class SceneSplit { Train, Val, Test, TestStyle };

const char* split_name(SceneSplit split);  // "train" | "val" | "test" | "test-style"
SceneSplit split_from_name(const std::string& name);
// Noto for train/val/test; EmojiOne for test-style.
ArtStyle default_art_style(SceneSplit split);

// The 3x3 grid of positions, row-major from the top left.
constexpr int kSceneRegions = 9;
// The cell that holds point (x, y) of a `canvas`-pixel square image.
int region_of(float x, float y, int canvas);

// 64-bit FNV-1a.
uint64_t fnv1a64(std::string_view text);

class SceneHoldOut {
 public:
  // One pair in `pair_modulus` is held out.
  explicit SceneHoldOut(const SceneCatalogue& catalogue, int pair_modulus = 10);

  // fnv1a64("pair:" + the two names in byte order, joined by "|") % pair_modulus == 0.
  // Two copies of one object are never a held-out pair.
  bool pair_held_out(int a, int b) const;
  // fnv1a64("region:" + name) % 9: the one position where `object` is never seen in training.
  int held_out_region(int object) const { return held_out_region_[static_cast<size_t>(object)]; }
  bool position_held_out(int object, int region) const {
    return held_out_region(object) == region;
  }
  // Objects that form a held-out pair with `object`.
  const std::vector<int>& held_out_partners(int object) const {
    return partners_[static_cast<size_t>(object)];
  }

 private:
  const SceneCatalogue* catalogue_;
  int pair_modulus_;
  std::vector<int> held_out_region_;
  std::vector<std::vector<int>> partners_;
};

}  // namespace glimpse::vision
