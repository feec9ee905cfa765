// Hallucinated objects: mentions of objects that are not in the scene, and the ones the
// context text put there.
//
// A caption hallucinates when it has a mention none of whose candidates is in the scene
// (CaptionMentions::hallucinated is not empty).
//
// A context-induced hallucination is such a mention where, in addition, one of its candidate
// objects is cued by the context text: one of that object's cue phrases (name, noun, synonym
// or CLDR keyword, tokenised) occurs as a contiguous token run in the tokenised context.
// "space, bar" as context and a caption naming a rocket (keyword "space") that the scene
// lacks is one; naming an absent dog there is a plain hallucination, not context-induced.
#pragma once

#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"

namespace glimpse::eval {

struct ContextHallucination {
  Mention mention;
  std::string object;              // the absent candidate the context cued
  std::vector<std::string> cue;    // the cue phrase found in the context
};

// `scene`: the scene's distinct object names, sorted; `context_tokens`: tokenize(context).
std::vector<ContextHallucination> context_hallucinations(const ObjectLexicon& lexicon,
                                                         const std::vector<Mention>& mentions,
                                                         const std::vector<std::string>& scene,
                                                         const std::vector<std::string>& context_tokens);

}  // namespace glimpse::eval
