#include "glimpse/vision/scene_generator.h"

#include "glimpse/core/error.h"

namespace glimpse::vision {
namespace {

uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t split_stream(SceneSplit split) {
  switch (split) {
    case SceneSplit::Train: return 1;
    case SceneSplit::Val: return 2;
    case SceneSplit::Test:
    case SceneSplit::TestStyle: return 3;
  }
  return 0;
}

// Separate generators for the layout, the captions and the contexts, so that a change in the
// caption grammar does not move a single object.
enum Stream : uint64_t { kLayoutStream = 1, kCaptionStream = 2, kContextStream = 3 };

}  // namespace

uint64_t scene_seed(uint64_t seed, SceneSplit split, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ split_stream(split)) ^ index);
}

SceneGenerator::SceneGenerator(const SceneCatalogue& catalogue, const EmojiAtlas* atlas,
                               const SceneGeneratorOptions& options)
    : catalogue_(catalogue), atlas_(atlas), options_(options), holdout_(catalogue) {
  validate(options.layout);
  check(atlas == nullptr || atlas->size() == catalogue.size(), "SceneGenerator",
        "the atlas has " + std::to_string(atlas ? atlas->size() : 0) + " glyphs for " +
            std::to_string(catalogue.size()) + " catalogue objects");
  check(options.contexts_per_image >= 0 && options.contexts_per_image <= 6, "SceneGenerator",
        "contexts per image must be in [0, 6]");
}

GeneratedScene SceneGenerator::describe(uint64_t index) const {
  const uint64_t base = scene_seed(options_.seed, options_.split, index);
  GeneratedScene s;
  s.index = index;
  Rng layout_rng(splitmix64(base ^ kLayoutStream));
  s.layout = sample_layout(catalogue_, holdout_, options_.split, options_.layout, layout_rng);
  Rng caption_rng(splitmix64(base ^ kCaptionStream));
  s.captions = caption_scene(s.layout, catalogue_, CaptionInstruction::Plain, caption_rng);
  Rng context_rng(splitmix64(base ^ kContextStream));
  s.contexts = draw_contexts(s.layout, catalogue_, s.captions, options_.contexts_per_image, context_rng);
  return s;
}

GeneratedScene SceneGenerator::generate(uint64_t index) const {
  check(atlas_ != nullptr, "SceneGenerator::generate", "this generator has no artwork (atlas)");
  GeneratedScene s = describe(index);
  s.rendered = render_scene(s.layout, *atlas_);
  return s;
}

}  // namespace glimpse::vision
