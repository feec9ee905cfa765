// Whether a caption does what its context text asks. Each rule reads the caption's tokens
// (text::tokenize) and mentions (ObjectLexicon::find_mentions) against the image record's
// object boxes; the wordings are the scene generator's own (vision/scene_captions.h).
// docs/evaluation.md, "Context following", has the definitions with examples:
//   * count: every mention is of a scene object and is preceded by the number word of that
//     object's copies ("two small red apples": number, then size/colour words, then the noun
//     phrase; "one" is 1, "a"/"an" is no number); every scene object is mentioned; a stated
//     total ("five objects") equals the number of boxes;
//   * where: the caption mentions an object, and every mention is of a scene object and is
//     directly followed by a position phrase (vision::region_phrases, longest match) of a
//     region one of its copies is in (box centre, vision::region_of);
//   * brief: the caption mentions an object and has no position phrase, no size word
//     (vision::size_words) outside mentions, and no background ("background");
//   * keywords: every scene object the context cues (context_cue) is mentioned;
//   * distractors: no context-induced hallucination (context_hallucinations);
//   * mixed: both of the above.
// The "none" context has no rule of its own: the plain metrics are its.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/vision/caption_dataset.h"

namespace glimpse::eval {

// The context kinds with a rule, in report order.
const std::vector<std::string>& followed_context_kinds();  // keywords distractors mixed brief where count

// An entry's kind as reported: the instruction ("brief", "where", "count") for kind
// "instruction", otherwise the kind itself.
std::string context_kind_key(const vision::ContextEntry& entry);

bool is_distractor_kind(const std::string& kind);  // "distractors" or "mixed"

// How many captions of one context kind were judged, and how many followed it.
struct FollowTally {
  int64_t captions = 0;
  int64_t followed = 0;
  std::optional<double> rate() const;  // followed / captions; none without captions
};

// The rules one by one; `tokens`: text::tokenize(caption).
bool follows_count(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens,
                   const std::vector<vision::ObjectBox>& objects);
// Throws glimpse::Error when the record has no image size (its regions are unknown).
bool follows_where(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens,
                   const vision::ImageRecord& image);
bool follows_brief(const ObjectLexicon& lexicon, const std::vector<std::string>& tokens);
// The scene objects (distinct names, sorted) that `context_tokens` cues.
std::vector<std::string> cued_scene_objects(const ObjectLexicon& lexicon, const std::vector<std::string>& scene,
                                            const std::vector<std::string>& context_tokens);

// The rule for `context`'s kind applied to `caption_tokens` of `image`. None when there is
// no rule: a kind without one, or keywords that cue no object of the scene.
std::optional<bool> follows_context(const ObjectLexicon& lexicon, const vision::ImageRecord& image,
                                    const vision::ContextEntry& context,
                                    const std::vector<std::string>& caption_tokens);

}  // namespace glimpse::eval
