#include "glimpse/vision/scene_generator.h"

#include <algorithm>

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
enum Stream : uint64_t { kLayoutStream = 1, kCaptionStream = 2, kContextStream = 3, kStyleStream = 4 };

}  // namespace

uint64_t scene_seed(uint64_t seed, SceneSplit split, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ split_stream(split)) ^ index);
}

SceneGenerator::SceneGenerator(const SceneCatalogue& catalogue, const EmojiAtlas* atlas,
                               const SceneGeneratorOptions& options)
    : SceneGenerator(catalogue, atlas ? std::vector<const EmojiAtlas*>{atlas} : std::vector<const EmojiAtlas*>{},
                     options) {}

SceneGenerator::SceneGenerator(const SceneCatalogue& catalogue, std::vector<const EmojiAtlas*> atlases,
                               const SceneGeneratorOptions& options)
    : catalogue_(catalogue), atlases_(std::move(atlases)), options_(options), holdout_(catalogue) {
  validate(options.layout);
  for (const EmojiAtlas* a : atlases_) {
    check(a != nullptr, "SceneGenerator", "null atlas in the style list");
    check(a->size() == catalogue.size(), "SceneGenerator",
          "the " + std::string(art_style_name(a->style())) + " atlas has " + std::to_string(a->size()) +
              " glyphs for " + std::to_string(catalogue.size()) + " catalogue objects");
  }
  if (!atlases_.empty())
    for (int i = 0; i < catalogue.size(); ++i) {
      const bool drawn = std::any_of(atlases_.begin(), atlases_.end(), [i](const EmojiAtlas* a) { return a->has(i); });
      check(drawn, "SceneGenerator",
            "no art style given draws catalogue object '" + catalogue.objects[static_cast<size_t>(i)].name + "'");
    }
  check(options.contexts_per_image >= 0 && options.contexts_per_image <= 6, "SceneGenerator",
        "contexts per image must be in [0, 6]");
}

size_t SceneGenerator::pick_atlas(const SceneLayout& layout, uint64_t base) const {
  std::vector<size_t> able;
  for (size_t k = 0; k < atlases_.size(); ++k) {
    const bool all = std::all_of(layout.objects.begin(), layout.objects.end(),
                                 [&](const PlacedObject& p) { return atlases_[k]->has(p.object); });
    if (all) able.push_back(k);
  }
  check(!able.empty(), "SceneGenerator",
        "no art style given draws every object of the scene (use a catalogue from art_coverage)");
  if (able.size() == 1) return able.front();
  return able[static_cast<size_t>(splitmix64(base ^ kStyleStream) % able.size())];
}

GeneratedScene SceneGenerator::describe(uint64_t index) const {
  const uint64_t base = scene_seed(options_.seed, options_.split, index);
  GeneratedScene s;
  s.index = index;
  Rng layout_rng(splitmix64(base ^ kLayoutStream));
  s.layout = sample_layout(catalogue_, holdout_, options_.split, options_.layout, layout_rng);
  s.style = atlases_.empty() ? default_art_style(options_.split) : atlases_[pick_atlas(s.layout, base)]->style();
  Rng caption_rng(splitmix64(base ^ kCaptionStream));
  s.captions = caption_scene(s.layout, catalogue_, CaptionInstruction::Plain, caption_rng);
  Rng context_rng(splitmix64(base ^ kContextStream));
  s.contexts = draw_contexts(s.layout, catalogue_, s.captions, options_.contexts_per_image, context_rng);
  return s;
}

GeneratedScene SceneGenerator::generate(uint64_t index) const {
  check(!atlases_.empty(), "SceneGenerator::generate", "this generator has no artwork (atlas)");
  GeneratedScene s = describe(index);
  const uint64_t base = scene_seed(options_.seed, options_.split, index);
  s.rendered = render_scene(s.layout, *atlases_[pick_atlas(s.layout, base)]);
  return s;
}

}  // namespace glimpse::vision
