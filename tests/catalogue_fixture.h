// Hand-made catalogue entries for tests that need a small object lexicon of their own
// (test_grounding.cpp, test_object_mention_ban.cpp, test_attention_loss.cpp).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "glimpse/vision/scene_catalogue.h"

namespace glimpse::testing {

inline vision::SceneObject scene_object(const std::string& name, const std::string& noun, const std::string& plural,
                                        const std::string& colour = "", std::vector<std::string> synonyms = {},
                                        std::vector<std::string> keywords = {}) {
  vision::SceneObject o;
  o.name = name;
  o.noun = noun;
  o.plural = plural;
  o.colour = colour;
  o.synonyms = std::move(synonyms);
  o.keywords = std::move(keywords);
  return o;
}

}  // namespace glimpse::testing
