// Which scene objects a caption names. The lexicon maps every phrase that can name a catalogue
// object (its caption name, noun, plural and synonyms, tokenised as captions are) to the
// objects it may denote; find_mentions() reads a caption's tokens with it.
//
// Phrases and their objects, for each catalogue entry:
//   * name, noun and the catalogue's plural ("red apple", "apple", "apples");
//   * the plural of the name when it ends with the noun ("red apples");
//   * each synonym, and a naive plural of it ("bike", "bikes") unless the synonym already ends
//     in "s" ("grapes") or the plural is a phrase of another object.
// A phrase shared by several entries denotes all of them: "apple" -> {green apple, red apple}.
//
// Matching is greedy, left to right, longest phrase first, without overlaps: "a red apple" is
// one mention of {red apple}, not "red" + "apple". One exception keeps colour adjectives from
// being read as objects: a one-word phrase that is also a catalogue colour ("orange") is a
// colour, not a mention, when the next token starts another mention ("an orange basketball"),
// is a colour word, "background" or a pattern adjective ("striped", "checked", "dotted"), or is
// "and" followed by a colour word ("on an orange and blue background"). A caption that opens with
// one of the generator's picture lead-ins ("a picture of", vision::picture_lead_ins) is read
// after it: the picture is the image itself, not a catalogue picture frame.
#pragma once

#include <string>
#include <utility>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "glimpse/vision/scene_catalogue.h"

namespace glimpse::eval {

struct Mention {
  int first = 0, last = 0;              // token indices, inclusive
  std::vector<std::string> candidates;  // object names the phrase may denote, sorted
};

class ObjectLexicon {
 public:
  explicit ObjectLexicon(const vision::SceneCatalogue& catalogue);

  std::vector<Mention> find_mentions(const std::vector<std::string>& tokens) const;

  // The objects `phrase` (tokenised text) denotes; empty when it names none.
  const std::vector<std::string>& objects_named(const std::string& phrase) const;

  // Phrases (tokenised) that point at object `name` in context text: its name, noun and
  // vision::context_words (the words the scene generator draws context from: keywords and
  // synonyms, or the category when it has neither). Empty for a name the catalogue lacks.
  const std::vector<std::vector<std::string>>& cue_phrases(const std::string& name) const;

  // True for a catalogue colour word ("red", "orange").
  bool is_colour_word(const std::string& token) const { return colour_words_.count(token) > 0; }

  size_t phrase_count() const { return phrases_.size(); }
  // Every catalogue object's name, sorted by bytes: the order train::ObjectClasses numbers a
  // dataset's objects in (class i + 1 is object_names()[i] when the data has every object).
  const std::vector<std::string>& object_names() const { return object_names_; }
  // Every phrase (tokens joined by spaces) with the objects it denotes, sorted.
  const std::unordered_map<std::string, std::vector<std::string>>& phrases() const { return phrases_; }

 private:
  // Adds `phrase` for `object`; generated phrases are skipped when another object has them.
  void add(const std::string& phrase, const std::string& object, bool generated);
  // The length (0: none) and objects of the longest phrase starting at tokens[at].
  std::pair<size_t, const std::vector<std::string>*> longest_phrase_at(const std::vector<std::string>& tokens,
                                                                        size_t at) const;
  bool reads_as_colour(const std::vector<std::string>& tokens, size_t at) const;

  std::unordered_map<std::string, std::vector<std::string>> phrases_;  // joined tokens -> objects
  std::vector<std::string> object_names_;
  size_t longest_ = 1;                                                 // tokens
  std::unordered_set<std::string> colour_words_;
  std::unordered_map<std::string, std::vector<std::vector<std::string>>> cues_;
  std::vector<std::vector<std::string>> lead_ins_;  // tokenised vision::picture_lead_ins
};

}  // namespace glimpse::eval
