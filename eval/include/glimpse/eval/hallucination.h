// Hallucinated objects: mentions of objects that are not in the scene, and the ones the
// context text put there.
//
// A caption hallucinates when it has a mention none of whose candidates is in the scene
// (CaptionMentions::hallucinated is not empty).
//
// An object is cued by a context text when one of its cue phrases (ObjectLexicon::cue_phrases:
// name, noun, and vision::context_words — CLDR keywords and synonyms, or the category when it
// has neither — tokenised) occurs as a contiguous token run in the tokenised context.
//
// A context-induced hallucination is a hallucinated mention one of whose candidate objects
// the context cues. "space, bar" as context and a caption naming a rocket (keyword "space")
// that the scene lacks is one; naming an absent dog there is a plain hallucination, not
// context-induced.
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

// The first cue phrase of `object` found in `context_tokens` (tokenize(context)), or null when
// the context does not cue it.
const std::vector<std::string>* context_cue(const ObjectLexicon& lexicon, const std::string& object,
                                            const std::vector<std::string>& context_tokens);

// `scene`: the scene's distinct object names, sorted; `context_tokens`: tokenize(context).
std::vector<ContextHallucination> context_hallucinations(const ObjectLexicon& lexicon,
                                                         const std::vector<Mention>& mentions,
                                                         const std::vector<std::string>& scene,
                                                         const std::vector<std::string>& context_tokens);

}  // namespace glimpse::eval
