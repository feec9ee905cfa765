// Synonym look-up in the WordNet 3.0 database files (Debian's wordnet-base installs them in
// /usr/share/wordnet), read directly: index.{noun,verb,adj,adv} map lemmas to synset offsets,
// {noun,verb,adj,adv}.exc list irregular inflections, data.* hold the synsets.
//
// synonyms() reproduces what nltk.translate.meteor_score collects for a hypothesis word:
// wordnet.synsets(word) for nouns, verbs, adjectives and adverbs, with NLTK's morphy
// (exception lists first, then its suffix rules, applied repeatedly until a form is in the
// index), and the names of all lemmas of those synsets that contain no '_', plus the word.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace glimpse::text {

class WordNet {
 public:
  enum Pos { kNoun = 0, kVerb = 1, kAdjective = 2, kAdverb = 3 };

  static constexpr const char* kDebianDirectory = "/usr/share/wordnet";

  // Reads the database in `directory`. Throws glimpse::Error naming the file (and line) for a
  // missing, unreadable or malformed file.
  explicit WordNet(const std::string& directory);

  // The database in kDebianDirectory, or nullopt when that folder does not exist (wordnet-base
  // not installed). A folder that exists but is damaged still throws.
  static std::optional<WordNet> load_debian_if_installed();

  const std::string& directory() const { return directory_; }

  // The base forms NLTK's morphy finds for `form` as part of speech `pos`.
  std::vector<std::string> morphy(const std::string& form, Pos pos) const;

  // Lemma names of every synset of `word` (lowercased) in any part of speech, without
  // multi-word lemmas (those containing '_'), plus `word` itself. Names keep WordNet's case.
  // Throws glimpse::Error when the index points at a synset that data.* lacks.
  std::set<std::string> synonyms(const std::string& word) const;

 private:
  struct PosData {
    std::unordered_map<std::string, std::vector<uint32_t>> index;  // lemma -> synset offsets
    std::unordered_map<std::string, std::vector<std::string>> exceptions;  // form -> bases
    std::string data;       // the whole data.<pos> file
    std::string data_name;  // "data.noun", for errors
  };

  bool in_index(const std::string& form, Pos pos) const;
  // Lemma names (syntactic markers such as "(a)" removed) of the synset at `offset`.
  std::vector<std::string> synset_lemmas(Pos pos, uint32_t offset) const;

  std::string directory_;
  std::array<PosData, 4> pos_;
};

}  // namespace glimpse::text
