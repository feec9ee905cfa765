#include "glimpse/eval/hallucination.h"

#include <algorithm>

#include "glimpse/eval/mention_scores.h"

namespace glimpse::eval {

std::vector<ContextHallucination> context_hallucinations(const ObjectLexicon& lexicon,
                                                         const std::vector<Mention>& mentions,
                                                         const std::vector<std::string>& scene,
                                                         const std::vector<std::string>& context_tokens) {
  std::vector<ContextHallucination> out;
  for (const Mention& m : mentions) {
    if (mention_in_scene(m, scene)) continue;
    for (const std::string& object : m.candidates) {
      const auto& cues = lexicon.cue_phrases(object);
      const auto cue = std::find_if(cues.begin(), cues.end(), [&](const std::vector<std::string>& c) {
        return std::search(context_tokens.begin(), context_tokens.end(), c.begin(), c.end()) !=
               context_tokens.end();
      });
      if (cue != cues.end()) {
        out.push_back({m, object, *cue});
        break;
      }
    }
  }
  return out;
}

}  // namespace glimpse::eval
