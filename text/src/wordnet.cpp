// Follows nltk/corpus/reader/wordnet.py (NLTK 3.8): _load_lemma_pos_offset_map,
// _load_exception_map, _morphy, synsets and _synset_from_pos_and_line, limited to what
// synonym look-up needs.
#include "glimpse/text/wordnet.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "glimpse/core/error.h"

namespace glimpse::text {
namespace {

constexpr std::array<const char*, 4> kFileSuffix = {"noun", "verb", "adj", "adv"};
constexpr std::array<char, 4> kPosLetter = {'n', 'v', 'a', 'r'};

struct Substitution {
  std::string_view old_suffix;
  std::string_view new_suffix;
};

// NLTK's MORPHOLOGICAL_SUBSTITUTIONS, in its order (the order decides which forms come first).
const std::vector<Substitution>& substitutions(WordNet::Pos pos) {
  static const std::array<std::vector<Substitution>, 4> kRules = {{
      {{"s", ""}, {"ses", "s"}, {"ves", "f"}, {"xes", "x"}, {"zes", "z"}, {"ches", "ch"},
       {"shes", "sh"}, {"men", "man"}, {"ies", "y"}},
      {{"s", ""}, {"ies", "y"}, {"es", "e"}, {"es", ""}, {"ed", "e"}, {"ed", ""}, {"ing", "e"},
       {"ing", ""}},
      {{"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"}},
      {},
  }};
  return kRules[pos];
}

std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("WordNet: cannot open " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error("WordNet: error reading " + path);
  return buffer.str();
}

std::vector<std::string_view> split_whitespace(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (i < line.size()) {
    while (i < line.size() && space(line[i])) ++i;
    size_t j = i;
    while (j < line.size() && !space(line[j])) ++j;
    if (j > i) fields.push_back(line.substr(i, j - i));
    i = j;
  }
  return fields;
}

// Parses a non-negative integer field; `base` 10 or 16. Throws naming `where`.
uint64_t parse_unsigned(std::string_view s, int base, const std::string& where) {
  if (s.empty() || s.size() > 12) throw Error(where + ": bad number '" + std::string(s) + "'");
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      throw Error(where + ": bad number '" + std::string(s) + "'");
    }
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  return v;
}

// Calls fn(line, line_number) for every line of `text`.
template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  size_t start = 0;
  int64_t number = 1;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    fn(text.substr(start, end - start), number);
    start = end + 1;
    ++number;
  }
}

// "lemma pos synset_cnt p_cnt [ptr_symbol...] sense_cnt tagsense_cnt synset_offset..."
void parse_index(const std::string& text, const std::string& file, char pos_letter,
                 std::unordered_map<std::string, std::vector<uint32_t>>& index) {
  for_each_line(text, [&](std::string_view line, int64_t number) {
    if (line.empty() || line.front() == ' ') return;  // licence header
    const std::string where = "WordNet " + file + " line " + std::to_string(number);
    const std::vector<std::string_view> f = split_whitespace(line);
    if (f.empty()) return;
    size_t k = 0;
    auto next = [&]() -> std::string_view {
      if (k >= f.size()) throw Error(where + ": line ends early");
      return f[k++];
    };
    const std::string lemma(next());
    const std::string_view pos = next();
    if (pos.size() != 1 || pos[0] != pos_letter) {
      throw Error(where + ": part of speech '" + std::string(pos) + "', expected '" +
                  std::string(1, pos_letter) + "'");
    }
    const uint64_t n_synsets = parse_unsigned(next(), 10, where);
    if (n_synsets == 0) throw Error(where + ": no synsets");
    const uint64_t n_pointers = parse_unsigned(next(), 10, where);
    for (uint64_t p = 0; p < n_pointers; ++p) next();
    if (parse_unsigned(next(), 10, where) != n_synsets) {
      throw Error(where + ": sense count differs from synset count");
    }
    next();  // senses ranked by frequency
    std::vector<uint32_t> offsets;
    offsets.reserve(n_synsets);
    for (uint64_t s = 0; s < n_synsets; ++s) {
      const uint64_t offset = parse_unsigned(next(), 10, where);
      if (offset > UINT32_MAX) throw Error(where + ": synset offset out of range");
      offsets.push_back(static_cast<uint32_t>(offset));
    }
    index[lemma] = std::move(offsets);
  });
}

// "inflected_form base_form..." per line.
void parse_exceptions(const std::string& text,
                      std::unordered_map<std::string, std::vector<std::string>>& exceptions) {
  for_each_line(text, [&](std::string_view line, int64_t) {
    const std::vector<std::string_view> f = split_whitespace(line);
    if (f.empty()) return;
    exceptions[std::string(f[0])] = std::vector<std::string>(f.begin() + 1, f.end());
  });
}

// NLTK's (.*?)(\(.*\))?$ on a lemma name: drops a trailing adjective marker such as "(a)".
std::string strip_syntactic_marker(std::string_view name) {
  if (name.size() >= 2 && name.back() == ')') {
    const size_t open = name.find('(');
    if (open != std::string_view::npos && open < name.size() - 1) {
      return std::string(name.substr(0, open));
    }
  }
  return std::string(name);
}

}  // namespace

WordNet::WordNet(const std::string& directory) : directory_(directory) {
  std::error_code ec;
  if (!std::filesystem::is_directory(directory, ec)) {
    throw Error("WordNet: no such folder " + directory);
  }
  for (int p = 0; p < 4; ++p) {
    PosData& d = pos_[p];
    const std::string suffix = kFileSuffix[p];
    const std::string index_name = "index." + suffix;
    parse_index(read_whole_file(directory + "/" + index_name), index_name, kPosLetter[p], d.index);
    parse_exceptions(read_whole_file(directory + "/" + suffix + ".exc"), d.exceptions);
    d.data_name = "data." + suffix;
    d.data = read_whole_file(directory + "/" + d.data_name);
  }
}

std::optional<WordNet> WordNet::load_debian_if_installed() {
  std::error_code ec;
  if (!std::filesystem::is_directory(kDebianDirectory, ec)) return std::nullopt;
  return WordNet(kDebianDirectory);
}

bool WordNet::in_index(const std::string& form, Pos pos) const {
  return pos_[pos].index.count(form) > 0;
}

std::vector<std::string> WordNet::morphy(const std::string& form, Pos pos) const {
  const std::vector<Substitution>& rules = substitutions(pos);
  auto apply_rules = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    for (const std::string& f : forms) {
      for (const Substitution& s : rules) {
        if (f.size() >= s.old_suffix.size() &&
            std::string_view(f).substr(f.size() - s.old_suffix.size()) == s.old_suffix) {
          out.push_back(f.substr(0, f.size() - s.old_suffix.size()) + std::string(s.new_suffix));
        }
      }
    }
    return out;
  };
  auto filter_forms = [&](const std::vector<std::string>& forms) {
    std::vector<std::string> out;
    for (const std::string& f : forms) {
      if (in_index(f, pos) && std::find(out.begin(), out.end(), f) == out.end()) out.push_back(f);
    }
    return out;
  };

  // 0. The exception list decides alone when it knows the form.
  const auto& exceptions = pos_[pos].exceptions;
  if (const auto it = exceptions.find(form); it != exceptions.end()) {
    std::vector<std::string> candidates{form};
    candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    return filter_forms(candidates);
  }
  // 1-2. One round of rules; the form itself counts too.
  std::vector<std::string> forms = apply_rules({form});
  std::vector<std::string> first{form};
  first.insert(first.end(), forms.begin(), forms.end());
  std::vector<std::string> results = filter_forms(first);
  if (!results.empty()) return results;
  // 3. Further rounds until some form is in the index. Every rule shortens the form or (men ->
  // man) makes one that no rule applies to again, so this ends.
  while (!forms.empty()) {
    forms = apply_rules(forms);
    results = filter_forms(forms);
    if (!results.empty()) return results;
  }
  return {};
}

std::vector<std::string> WordNet::synset_lemmas(Pos pos, uint32_t offset) const {
  const PosData& d = pos_[pos];
  const std::string where = "WordNet " + d.data_name + " offset " + std::to_string(offset);
  if (offset >= d.data.size()) throw Error(where + ": past the end of the file");
  size_t end = d.data.find('\n', offset);
  if (end == std::string::npos) end = d.data.size();
  std::string_view line = std::string_view(d.data).substr(offset, end - offset);
  const size_t bar = line.find('|');
  if (bar != std::string_view::npos) line = line.substr(0, bar);

  // "synset_offset lex_filenum ss_type w_cnt word lex_id [word lex_id...] p_cnt ..."
  const std::vector<std::string_view> f = split_whitespace(line);
  std::string expected = std::to_string(offset);
  expected.insert(0, expected.size() < 8 ? 8 - expected.size() : 0, '0');
  if (f.empty() || f[0] != expected) throw Error(where + ": no synset starts there");
  if (f.size() < 4) throw Error(where + ": synset line ends early");
  const uint64_t n_lemmas = parse_unsigned(f[3], 16, where);
  if (f.size() < 4 + 2 * n_lemmas) throw Error(where + ": synset line ends early");
  std::vector<std::string> names;
  names.reserve(n_lemmas);
  for (uint64_t i = 0; i < n_lemmas; ++i) names.push_back(strip_syntactic_marker(f[4 + 2 * i]));
  return names;
}

std::set<std::string> WordNet::synonyms(const std::string& word) const {
  std::string lemma = word;
  for (char& c : lemma) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  std::set<std::string> names{word};
  for (Pos pos : {kNoun, kVerb, kAdjective, kAdverb}) {
    for (const std::string& form : morphy(lemma, pos)) {
      for (uint32_t offset : pos_[pos].index.at(form)) {
        for (std::string& name : synset_lemmas(pos, offset)) {
          if (name.find('_') == std::string::npos) names.insert(std::move(name));
        }
      }
    }
  }
  return names;
}

}  // namespace glimpse::text
