#include "glimpse/vision/scene_layout.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "glimpse/core/error.h"
#include "scene_random.h"

namespace glimpse::vision {
namespace {

using namespace scene_random;

constexpr int kPlacementAttempts = 40;
constexpr int kLayoutAttempts = 100;

bool training_like(SceneSplit split) { return split == SceneSplit::Train || split == SceneSplit::Val; }

// Object sizes (fractions of the canvas) by how many objects share it.
void size_range(int count, float& lo, float& hi) {
  if (count <= 1) {
    lo = 0.28f, hi = 0.60f;
  } else if (count == 2) {
    lo = 0.22f, hi = 0.46f;
  } else {
    lo = 0.18f, hi = 0.38f;
  }
}

// Centre coordinates along one axis that keep an object of extent `ext` inside the canvas,
// intersected with cell `cell` (0..2) of the 3x3 grid, or the whole axis for cell = -1.
bool centre_range(int canvas, float ext, int cell, float& lo, float& hi) {
  lo = 0.5f * ext + 1.0f;
  hi = static_cast<float>(canvas) - 0.5f * ext - 1.0f;
  if (cell >= 0) {
    const float third = static_cast<float>(canvas) / 3.0f;
    lo = std::max(lo, cell * third);
    hi = std::min(hi, (cell + 1) * third - 0.01f);
  }
  return lo <= hi;
}

float overlap_fraction(const PlacedObject& a, const PlacedObject& b) {
  const float ea = object_extent(a), eb = object_extent(b);
  const float ix = std::min(a.cx + 0.5f * ea, b.cx + 0.5f * eb) -
                   std::max(a.cx - 0.5f * ea, b.cx - 0.5f * eb);
  const float iy = std::min(a.cy + 0.5f * ea, b.cy + 0.5f * eb) -
                   std::max(a.cy - 0.5f * ea, b.cy - 0.5f * eb);
  if (ix <= 0.0f || iy <= 0.0f) return 0.0f;
  return ix * iy / std::min(ea * ea, eb * eb);
}

// Places `object` (forced into `forced_region` when >= 0) among `placed`; false if no attempt
// satisfied the canvas, overlap and hold-out constraints.
bool place(int object, int forced_region, int count, bool avoid_held_out_positions,
           const std::vector<PlacedObject>& placed, const SceneHoldOut& holdout,
           const LayoutOptions& o, Rng& rng, PlacedObject& out) {
  float size_lo = 0, size_hi = 0;
  size_range(count, size_lo, size_hi);
  for (int attempt = 0; attempt < kPlacementAttempts; ++attempt) {
    PlacedObject p;
    p.object = object;
    // Later attempts shrink the object so that crowded scenes and corner cells still fit.
    const float shrink = 1.0f - 0.5f * static_cast<float>(attempt) / kPlacementAttempts;
    p.size = std::max(8, static_cast<int>(std::lround(
                             rng.uniform(size_lo, size_hi) * shrink * static_cast<float>(o.canvas))));
    p.rotation = chance(rng, 0.5f) ? rng.uniform(-o.max_rotation, o.max_rotation) : 0.0f;
    p.brightness = chance(rng, 0.3f) ? rng.uniform(0.85f, 1.15f) : 1.0f;
    int region = forced_region;
    if (region < 0 && chance(rng, o.region_probability)) region = below(rng, kSceneRegions);
    const float ext = object_extent(p);
    float xlo, xhi, ylo, yhi;
    if (!centre_range(o.canvas, ext, region < 0 ? -1 : region % 3, xlo, xhi) ||
        !centre_range(o.canvas, ext, region < 0 ? -1 : region / 3, ylo, yhi))
      continue;
    p.cx = rng.uniform(xlo, xhi);
    p.cy = rng.uniform(ylo, yhi);
    p.region = region_of(p.cx, p.cy, o.canvas);
    if (forced_region >= 0 && p.region != forced_region) continue;
    if (avoid_held_out_positions && holdout.position_held_out(object, p.region)) continue;
    bool clear = true;
    for (const auto& q : placed)
      if (overlap_fraction(p, q) > o.max_overlap) clear = false;
    if (!clear) continue;
    out = p;
    return true;
  }
  return false;
}

// Chooses the objects of a scene. For test splits the first one or two carry the held-out
// combination (a pair, or an object whose held-out position it must take: `forced_region`).
std::vector<int> choose_objects(const SceneCatalogue& cat, const SceneHoldOut& holdout,
                                SceneSplit split, int count, const LayoutOptions& o, Rng& rng,
                                int& forced_region) {
  std::vector<int> ids;
  forced_region = -1;
  if (!training_like(split)) {
    const int a = below(rng, cat.size());
    const auto& partners = holdout.held_out_partners(a);
    ids.push_back(a);
    if (count >= 2 && !partners.empty() && chance(rng, 0.5f)) {
      ids.push_back(pick(rng, partners));
    } else {
      forced_region = holdout.held_out_region(a);
    }
  }
  while (static_cast<int>(ids.size()) < count) {
    if (!ids.empty() && chance(rng, o.repeat_probability)) {
      ids.push_back(pick(rng, ids));
      continue;
    }
    int candidate = -1;
    for (int attempt = 0; attempt < 100 && candidate < 0; ++attempt) {
      const int c = below(rng, cat.size());
      bool ok = true;
      if (training_like(split))
        for (const int id : ids)
          if (holdout.pair_held_out(c, id)) ok = false;
      if (ok) candidate = c;
    }
    if (candidate < 0) break;
    ids.push_back(candidate);
  }
  return ids;
}

}  // namespace

SizeClass size_class(int size, int canvas) {
  const float f = static_cast<float>(size) / static_cast<float>(canvas);
  if (f < kSmallSize) return SizeClass::Small;
  if (f >= kLargeSize) return SizeClass::Large;
  return SizeClass::Medium;
}

float object_extent(const PlacedObject& o) {
  const float r = o.rotation * std::numbers::pi_v<float> / 180.0f;
  return static_cast<float>(o.size) * (std::fabs(std::cos(r)) + std::fabs(std::sin(r)));
}

void validate(const LayoutOptions& o) {
  check(o.canvas >= 32 && o.canvas <= 4096, "scene layout",
        "canvas " + std::to_string(o.canvas) + " px is outside [32, 4096]");
  check(o.min_objects >= 1 && o.min_objects <= o.max_objects && o.max_objects <= 4, "scene layout",
        "object counts must satisfy 1 <= min <= max <= 4 (got " + std::to_string(o.min_objects) +
            ".." + std::to_string(o.max_objects) + ")");
  check(o.max_rotation >= 0.0f && o.max_rotation <= 45.0f, "scene layout",
        "max rotation must be in [0, 45] degrees");
  check(o.max_overlap >= 0.0f && o.max_overlap <= 1.0f, "scene layout",
        "max overlap must be in [0, 1]");
}

bool has_held_out_combination(const SceneLayout& layout, const SceneHoldOut& holdout) {
  const auto& objs = layout.objects;
  for (size_t i = 0; i < objs.size(); ++i) {
    if (holdout.position_held_out(objs[i].object, objs[i].region)) return true;
    for (size_t j = i + 1; j < objs.size(); ++j)
      if (holdout.pair_held_out(objs[i].object, objs[j].object)) return true;
  }
  return false;
}

SceneLayout sample_layout(const SceneCatalogue& catalogue, const SceneHoldOut& holdout,
                          SceneSplit split, const LayoutOptions& o, Rng& rng) {
  validate(o);
  check(catalogue.size() >= 2, "scene layout", "the catalogue needs at least two objects");
  const bool train = training_like(split);
  for (int attempt = 0; attempt < kLayoutAttempts; ++attempt) {
    SceneLayout layout;
    layout.canvas = o.canvas;
    layout.background = sample_background(rng);
    // 1..4 objects, two and three most often.
    static const std::vector<float> count_weights = {0.2f, 0.35f, 0.25f, 0.2f};
    int count = 0;
    do count = 1 + weighted(rng, count_weights);
    while (count < o.min_objects || count > o.max_objects);

    int forced_region = -1;
    const std::vector<int> ids = choose_objects(catalogue, holdout, split, count, o, rng, forced_region);
    for (size_t i = 0; i < ids.size(); ++i) {
      PlacedObject p;
      const int region = i == 0 ? forced_region : -1;
      if (place(ids[i], region, count, train, layout.objects, holdout, o, rng, p))
        layout.objects.push_back(p);
      else if (i == 0 || (!train && i == 1 && forced_region < 0))
        break;  // the held-out carrier did not fit: draw the scene again
    }
    if (static_cast<int>(layout.objects.size()) < o.min_objects) continue;
    if (train == has_held_out_combination(layout, holdout)) continue;

    if (o.effects) {
      if (chance(rng, 0.5f)) layout.effects.brightness = rng.uniform(0.85f, 1.15f);
      if (chance(rng, 0.25f))
        layout.effects.blur_sigma = rng.uniform(0.3f, 0.9f) * static_cast<float>(o.canvas) / 128.0f;
      if (chance(rng, 0.25f)) layout.effects.jpeg_quality = 30 + below(rng, 56);
    }
    return layout;
  }
  throw Error("scene layout: no layout satisfied the " + std::string(split_name(split)) +
              " constraints in " + std::to_string(kLayoutAttempts) + " attempts (canvas " +
              std::to_string(o.canvas) + " px, " + std::to_string(o.min_objects) + ".." +
              std::to_string(o.max_objects) + " objects)");
}

}  // namespace glimpse::vision
