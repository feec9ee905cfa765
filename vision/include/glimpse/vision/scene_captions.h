// Reference captions for a scene layout, from the grammar documented in docs/dataset.md:
// noun phrases with articles, counts ("two cats"), size and colour attributes; 3x3 positions
// ("on the left"); relations between objects ("a small dog to the left of a red apple"); and
// the background ("on a blue background"). An instruction narrows what the captions say.
#pragma once

#include <string>
#include <vector>

#include "glimpse/core/random.h"
#include "glimpse/vision/scene_catalogue.h"
#include "glimpse/vision/scene_layout.h"

namespace glimpse::vision {

enum class CaptionInstruction {
  Plain,  // any template: lists, positions, relations, attributes, background
  Brief,  // the objects only: counts and names (colour optional), nothing else
  Where,  // every object with its position
  Count,  // every object with an explicit number ("one dog and two cats")
};

const char* instruction_name(CaptionInstruction instruction);  // "plain" | "brief" | ...
CaptionInstruction instruction_from_name(const std::string& name);

// Distinct captions: 3-5 for Plain, 1-3 for the others (a single uncoloured object has only
// so many ways to be named briefly). Every caption names every object (noun or plural).
std::vector<std::string> caption_scene(const SceneLayout& layout, const SceneCatalogue& catalogue,
                                       CaptionInstruction instruction, Rng& rng);

// The wordings of position `region` (0 = top left ... 8 = bottom right), e.g. "on the left".
const std::vector<std::string>& region_phrases(int region);
// The phrases a caption may start with that speak of the image, not of an object in it.
const std::vector<std::string>& picture_lead_ins();  // "a picture of", "an image of", "a drawing of"
// The words captions use for an object's size: "small" / "little" for SizeClass::Small,
// "large" / "big" for SizeClass::Large, none for Medium.
const std::vector<std::string>& size_words(SizeClass size);
// "zero" .. "ten"; digits beyond.
std::string number_word(int n);
// "a" or "an" for the phrase that follows.
const char* indefinite_article(const std::string& phrase);

}  // namespace glimpse::vision
