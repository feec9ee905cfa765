// What a generated scene shows, independent of the art style: which objects, where, how big,
// how turned, on which background, with which camera effects. The same layout drawn in Noto
// and in EmojiOne gives the `test` and `test-style` images of one scene, with one set of
// captions.
#pragma once

#include <vector>

#include "glimpse/core/random.h"
#include "glimpse/vision/scene_background.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/vision/scene_holdout.h"

namespace glimpse::vision {

enum class SizeClass { Small, Medium, Large };

struct PlacedObject {
  int object = 0;           // catalogue index
  float cx = 0, cy = 0;     // centre, pixels
  int size = 0;             // longer side of the upright artwork, pixels
  float rotation = 0;       // degrees, counter-clockwise
  float brightness = 1;     // multiplier on the artwork's colour
  int region = 4;           // region_of(cx, cy): 0 = top left ... 8 = bottom right
};

struct SceneEffects {
  float brightness = 1.0f;  // multiplier on the whole image
  float blur_sigma = 0.0f;  // Gaussian blur, pixels; 0 = none
  int jpeg_quality = 0;     // JPEG round trip at this quality; 0 = none
};

struct SceneLayout {
  int canvas = 128;
  BackgroundSpec background;
  std::vector<PlacedObject> objects;  // in drawing order (later ones on top)
  SceneEffects effects;
};

struct LayoutOptions {
  int canvas = 128;
  int min_objects = 1;
  int max_objects = 4;
  float repeat_probability = 0.2f;  // chance that an added object repeats one already chosen
  float region_probability = 0.6f;  // chance of placing in a chosen 3x3 cell (else anywhere)
  float max_rotation = 15.0f;       // degrees
  float max_overlap = 0.2f;         // of the smaller object's area, between object extents
  bool effects = true;              // brightness, blur and JPEG artefacts
};

// Sizes as fractions of the canvas: below kSmallSize "small", from kLargeSize "large".
constexpr float kSmallSize = 0.26f;
constexpr float kLargeSize = 0.40f;
SizeClass size_class(int size, int canvas);

// The square (side = size * (|cos| + |sin|)) that holds an object's artwork at any aspect.
float object_extent(const PlacedObject& o);

// Draws a layout for `split`. train and val: no held-out pair, no object in its held-out
// position. test and test-style: at least one held-out pair or held-out position.
SceneLayout sample_layout(const SceneCatalogue& catalogue, const SceneHoldOut& holdout,
                          SceneSplit split, const LayoutOptions& options, Rng& rng);

// Whether the layout contains a held-out pair or an object in its held-out position.
bool has_held_out_combination(const SceneLayout& layout, const SceneHoldOut& holdout);

void validate(const LayoutOptions& options);

}  // namespace glimpse::vision
