// The emoji-scene generator: scene `index` of a (seed, split) is a pure function of those
// three numbers — layout, art style, image, boxes, captions and contexts — so scenes can be
// made in any order, on any number of threads, and `test-style` scene i is `test` scene i in
// the other art style. Given several art styles, each scene is drawn in one of those that draw
// all of its objects, drawn from its own random stream (the layout does not depend on it).
#pragma once

#include <cstdint>
#include <vector>

#include "glimpse/vision/emoji_atlas.h"
#include "glimpse/vision/scene_captions.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/vision/scene_context.h"
#include "glimpse/vision/scene_holdout.h"
#include "glimpse/vision/scene_layout.h"
#include "glimpse/vision/scene_renderer.h"

namespace glimpse::vision {

struct SceneGeneratorOptions {
  SceneSplit split = SceneSplit::Train;
  uint64_t seed = 1;
  LayoutOptions layout;
  int contexts_per_image = 2;
};

struct GeneratedScene {
  uint64_t index = 0;
  ArtStyle style = ArtStyle::Noto;    // the style it is drawn in (default_art_style if none)
  SceneLayout layout;
  RenderedScene rendered;             // empty image when only described
  std::vector<std::string> captions;  // plain references (the empty context)
  std::vector<SceneContext> contexts;
};

// The seed of scene `index`: splitmix64 of (seed, split stream, index); test and test-style
// share a stream.
uint64_t scene_seed(uint64_t seed, SceneSplit split, uint64_t index);

class SceneGenerator {
 public:
  // `atlas` may be null for a generator that only describes scenes (no images).
  SceneGenerator(const SceneCatalogue& catalogue, const EmojiAtlas* atlas,
                 const SceneGeneratorOptions& options);
  // One atlas per art style, all of `catalogue`; every catalogue object must be drawn by at
  // least one of them (art_coverage gives such a catalogue).
  SceneGenerator(const SceneCatalogue& catalogue, std::vector<const EmojiAtlas*> atlases,
                 const SceneGeneratorOptions& options);

  // Layout, image, boxes, captions and contexts of scene `index`. Thread-safe.
  GeneratedScene generate(uint64_t index) const;
  // The same without drawing the image (boxes empty).
  GeneratedScene describe(uint64_t index) const;

  const SceneHoldOut& holdout() const { return holdout_; }
  const SceneGeneratorOptions& options() const { return options_; }

 private:
  const SceneCatalogue& catalogue_;
  // Which atlas draws `layout`: one of those that have all its objects.
  size_t pick_atlas(const SceneLayout& layout, uint64_t base) const;

  std::vector<const EmojiAtlas*> atlases_;
  SceneGeneratorOptions options_;
  SceneHoldOut holdout_;
};

}  // namespace glimpse::vision
