// A decoding rule that keeps a caption from naming one object twice ("a tent to the left of a
// cup, with a tent at the top right"): scene captions name every object of a scene once, and
// the trained models repeat a named object in about one caption in ten instead of naming the
// scene's next object. Greedy and beam search ask it before every choice (model::WordBan).
//
// What counts as named is what eval reads: ObjectLexicon::find_mentions over the words so far.
// A phrase is banned when the objects it denotes are all among those of one earlier mention
// ("apple" -> {green apple, red apple} bans "red apple" afterwards; "red apple" does not ban
// "apple", which may mean the green one). Two kinds of token are banned:
//   * the last token of a banned phrase whose other tokens end the caption so far ("wine" +
//     "glass" after "a wine glass ... a wine");
//   * a token that would start, or go on with, only banned phrases and no phrase of its own
//     ("wine" when "wine glass" is named and every other "wine ..." phrase too), so that greedy
//     decoding does not walk into a phrase it may not finish.
// Colour words are never banned: "orange" is also a colour ("an orange and blue background"),
// and which it is shows only at the next word.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/model/decoding.h"
#include "glimpse/text/vocabulary.h"

namespace glimpse::eval {

class ObjectRepeatBan final : public model::WordBan {
 public:
  // Both must outlive the ban. Phrases with a token the vocabulary lacks cannot be generated
  // and are left out.
  ObjectRepeatBan(const ObjectLexicon& lexicon, const text::Vocabulary& vocabulary);

  void ban(const std::vector<int32_t>& words, float* logprobs) const override;

  size_t phrase_count() const { return phrases_.size(); }

 private:
  struct Phrase {
    std::vector<int32_t> ids;
    std::vector<std::string> objects;  // sorted
  };
  // A proper prefix of some phrases: those phrases, and whether it may stand without them.
  struct Prefix {
    std::vector<size_t> extensions;  // indices into phrases_
    bool stands_alone = false;  // the prefix is a phrase, or begins with a colour word
  };

  const ObjectLexicon& lexicon_;
  const text::Vocabulary& vocabulary_;
  std::vector<Phrase> phrases_;
  std::map<std::vector<int32_t>, Prefix> prefixes_;
};

}  // namespace glimpse::eval
