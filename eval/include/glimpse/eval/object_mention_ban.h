// Decoding rules on which objects a caption may name, read with the eval lexicon (greedy and
// beam search ask them before every choice: model::WordBan). Two rules, each optional:
//   * no repeats: scene captions name every object of a scene once, and the trained models
//     repeat a named object in about one caption in ten ("a tent to the left of a cup, with a
//     tent at the top right"). What counts as named is what eval reads: find_mentions() over
//     the words so far. A phrase repeats when the objects it denotes are all among those of
//     one earlier mention ("apple" -> {green apple, red apple} bans "red apple" afterwards;
//     "red apple" does not ban "apple", which may mean the green one).
//   * unseen objects: no object that the model's own object head (the patch-object classifier
//     trained beside the captions, CaptionModel::object_presence) gives less than
//     `min_presence` anywhere in the image. A phrase is unseen when every object it may denote
//     is ("apple" stays while either apple is seen).
// A phrase that breaks a rule is banned at its last token, when its other tokens end the
// caption so far ("a wine" + "glass"), unless that token would also finish or go on with an
// allowed phrase ("a hot" + "dog" while the hot dog is allowed and the dog is not). Only last
// tokens: a first word of an object phrase may have other uses ("top" of "top hat" in "at the
// top"; an earlier version that banned such words took "where" instructions followed from
// 58 % to 31 %). Colour words are never banned: "orange" is also a colour ("an orange and
// blue background"), and which it is shows only at the next word.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "glimpse/core/tensor.h"
#include "glimpse/eval/object_mentions.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse::eval {

struct ObjectMentionRules {
  bool no_repeats = false;
  float min_presence = 0.0f;  // > 0: ban objects whose presence in the image is below this
  // != 0, not > 0: a negative or NaN threshold reaches ObjectMentionBan's check, not silence.
  bool any() const { return no_repeats || min_presence != 0.0f; }
};

// What the rules ban, as reports say it after the search ("greedy"): "" for none,
// ", no object named twice", ", no object seen below 0.30", or both.
std::string describe(const ObjectMentionRules& rules);

class ObjectMentionBan final : public model::WordBan {
 public:
  // The lexicon and vocabulary must outlive the ban and its copies. Phrases with a token the
  // vocabulary lacks cannot be generated and are left out.
  ObjectMentionBan(const ObjectLexicon& lexicon, const text::Vocabulary& vocabulary, ObjectMentionRules rules);

  const ObjectMentionRules& rules() const { return rules_; }
  // The ban for one batch of images, with the object head's presence for them: [images,
  // 1 + lexicon.object_names().size()] (class 0 background, class i + 1 lexicon.object_names()[i]).
  // Needed before ban() when rules().min_presence > 0.
  ObjectMentionBan for_images(Tensor presence) const;

  void ban(int64_t image, const std::vector<int32_t>& words, float* logprobs) const override;

  size_t phrase_count() const { return tables_->phrases.size(); }

 private:
  struct Phrase {
    std::vector<int32_t> ids;
    std::vector<std::string> objects;  // sorted
    std::vector<int64_t> classes;      // presence columns of `objects`
  };
  // A proper prefix of some phrases, as a next token would make it: that token and the
  // phrases it would go on with.
  struct GoingOn {
    int32_t last = 0;
    std::vector<size_t> extensions;  // indices into phrases
  };
  // Keyed by all but the last token ("head"), so that ban() looks up the few phrases and
  // prefixes the next token can complete from the words' last tokens instead of scanning all.
  struct Tables {
    std::vector<Phrase> phrases;
    std::map<std::vector<int32_t>, std::vector<size_t>> finishing;  // head -> phrases
    std::map<std::vector<int32_t>, std::vector<GoingOn>> going_on;  // head -> prefixes
    std::set<std::vector<int32_t>> prefixes;                        // every proper prefix
    size_t longest_head = 0;
  };

  bool repeats(const Phrase& phrase, const std::vector<Mention>& named) const;

  const ObjectLexicon* lexicon_;
  const text::Vocabulary* vocabulary_;
  ObjectMentionRules rules_;
  std::shared_ptr<const Tables> tables_;  // shared by for_images() copies
  // for_images(): per image, 1 for each phrase every object of which is unseen there
  // ([images * phrases], image-major). It depends on the image only, so it is read once here
  // rather than at every step.
  std::vector<uint8_t> unseen_;
  int64_t images_ = 0;
};

}  // namespace glimpse::eval
