#include "glimpse/eval/hallucination.h"

#include <algorithm>

#include "glimpse/eval/mention_scores.h"

namespace glimpse::eval {

const std::vector<std::string>* context_cue(const ObjectLexicon& lexicon, const std::string& object,
                                            const std::vector<std::string>& context_tokens) {
  for (const std::vector<std::string>& cue : lexicon.cue_phrases(object))
    if (std::search(context_tokens.begin(), context_tokens.end(), cue.begin(), cue.end()) != context_tokens.end())
      return &cue;
  return nullptr;
}

std::vector<ContextHallucination> context_hallucinations(const ObjectLexicon& lexicon,
                                                         const std::vector<Mention>& mentions,
                                                         const std::vector<std::string>& scene,
                                                         const std::vector<std::string>& context_tokens) {
  std::vector<ContextHallucination> out;
  for (const Mention& m : mentions) {
    if (mention_in_scene(m, scene)) continue;
    for (const std::string& object : m.candidates)
      if (const auto* cue = context_cue(lexicon, object, context_tokens)) {
        out.push_back({m, object, *cue});
        break;
      }
  }
  return out;
}

}  // namespace glimpse::eval
