// A line-by-line port of nltk/stem/porter.py (NLTK 3.8, mode NLTK_EXTENSIONS). The structure
// follows NLTK's on purpose, including its rule-list semantics: the first rule whose suffix
// matches decides, and a failed condition stops the list.
#include "glimpse/text/porter_stemmer.h"

#include <span>
#include <unordered_map>

namespace glimpse::text {
namespace {

bool is_vowel_letter(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }

// Porter's consonant: not a e i o u, and not a 'y' that follows a consonant. Along a run of
// y's the answer alternates, so it is computed from the letter before the run instead of
// recursing letter by letter as NLTK does (same answer, no deep recursion on long words).
bool is_consonant(std::string_view w, size_t i) {
  if (is_vowel_letter(w[i])) return false;
  if (w[i] != 'y') return true;
  size_t run_start = i;
  while (run_start > 0 && w[run_start - 1] == 'y') --run_start;
  const bool first_y_is_consonant = run_start == 0 || is_vowel_letter(w[run_start - 1]);
  return ((i - run_start) % 2 == 0) ? first_y_is_consonant : !first_y_is_consonant;
}

// m in [C](VC){m}[V]: the number of vowel->consonant transitions.
int measure(std::string_view stem) {
  int m = 0;
  bool previous_consonant = true;
  for (size_t i = 0; i < stem.size(); ++i) {
    bool consonant;
    if (is_vowel_letter(stem[i])) {
      consonant = false;
    } else if (stem[i] == 'y') {
      consonant = i == 0 || !previous_consonant;
    } else {
      consonant = true;
    }
    if (i > 0 && !previous_consonant && consonant) ++m;
    previous_consonant = consonant;
  }
  return m;
}

bool has_positive_measure(std::string_view stem) { return measure(stem) > 0; }

bool contains_vowel(std::string_view stem) {
  for (size_t i = 0; i < stem.size(); ++i) {
    if (!is_consonant(stem, i)) return true;
  }
  return false;
}

// *d: ends with a double consonant.
bool ends_double_consonant(std::string_view w) {
  return w.size() >= 2 && w[w.size() - 1] == w[w.size() - 2] && is_consonant(w, w.size() - 1);
}

// *o: ends consonant-vowel-consonant, the last not w, x or y; NLTK also accepts a two-letter
// vowel-consonant word.
bool ends_cvc(std::string_view w) {
  const size_t n = w.size();
  if (n >= 3 && is_consonant(w, n - 3) && !is_consonant(w, n - 2) && is_consonant(w, n - 1) &&
      w[n - 1] != 'w' && w[n - 1] != 'x' && w[n - 1] != 'y') {
    return true;
  }
  return n == 2 && !is_consonant(w, 0) && is_consonant(w, 1);
}

bool ends_with(std::string_view w, std::string_view suffix) {
  return w.size() >= suffix.size() && w.substr(w.size() - suffix.size()) == suffix;
}

std::string replace_suffix(std::string_view w, std::string_view suffix,
                           std::string_view replacement) {
  return std::string(w.substr(0, w.size() - suffix.size())) + std::string(replacement);
}

// A rule's condition sees the stem left after removing the suffix and the whole word.
using Condition = bool (*)(std::string_view stem, std::string_view word);

struct Rule {
  std::string_view suffix;  // "*d": the word ends with a double consonant
  std::string_view replacement;
  Condition condition;      // nullptr: unconditional
};

bool m_gt_0(std::string_view stem, std::string_view) { return has_positive_measure(stem); }
bool m_gt_1(std::string_view stem, std::string_view) { return measure(stem) > 1; }

std::string apply_rule_list(std::string_view word, std::span<const Rule> rules) {
  for (const Rule& rule : rules) {
    if (rule.suffix == "*d" && ends_double_consonant(word)) {
      // NLTK's only "*d" rule (step 1b) replaces the double letter by one copy of it.
      const std::string_view stem = word.substr(0, word.size() - 2);
      if (!rule.condition || rule.condition(stem, word)) {
        return std::string(stem) + word.back();
      }
      return std::string(word);
    }
    if (ends_with(word, rule.suffix)) {
      const std::string_view stem = word.substr(0, word.size() - rule.suffix.size());
      if (!rule.condition || rule.condition(stem, word)) {
        return std::string(stem) + std::string(rule.replacement);
      }
      return std::string(word);
    }
  }
  return std::string(word);
}

std::string step1a(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"sses", "ss", nullptr}, {"ies", "i", nullptr}, {"ss", "ss", nullptr}, {"s", "", nullptr}};
  if (ends_with(w, "ies") && w.size() == 4) return replace_suffix(w, "ies", "ie");
  return apply_rule_list(w, kRules);
}

std::string step1b(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"at", "ate", nullptr},
      {"bl", "ble", nullptr},
      {"iz", "ize", nullptr},
      // (*d and not (*L or *S or *Z)) -> single letter
      {"*d", "",
       [](std::string_view, std::string_view word) {
         return word.back() != 'l' && word.back() != 's' && word.back() != 'z';
       }},
      // (m=1 and *o) -> E
      {"", "e",
       [](std::string_view stem, std::string_view) { return measure(stem) == 1 && ends_cvc(stem); }},
  };
  if (ends_with(w, "ied")) return replace_suffix(w, "ied", w.size() == 4 ? "ie" : "i");
  if (ends_with(w, "eed")) {
    const std::string_view stem = w.substr(0, w.size() - 3);
    return measure(stem) > 0 ? std::string(stem) + "ee" : std::string(w);
  }
  std::string_view intermediate;
  bool removed = false;
  for (std::string_view suffix : {std::string_view("ed"), std::string_view("ing")}) {
    if (ends_with(w, suffix)) {
      intermediate = w.substr(0, w.size() - suffix.size());
      if (contains_vowel(intermediate)) {
        removed = true;
        break;
      }
    }
  }
  if (!removed) return std::string(w);
  return apply_rule_list(intermediate, kRules);
}

std::string step1c(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"y", "i", [](std::string_view stem, std::string_view) {
         return stem.size() > 1 && is_consonant(stem, stem.size() - 1);
       }}};
  return apply_rule_list(w, kRules);
}

std::string step2(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"ational", "ate", m_gt_0}, {"tional", "tion", m_gt_0}, {"enci", "ence", m_gt_0},
      {"anci", "ance", m_gt_0},   {"izer", "ize", m_gt_0},    {"bli", "ble", m_gt_0},
      {"alli", "al", m_gt_0},     {"entli", "ent", m_gt_0},   {"eli", "e", m_gt_0},
      {"ousli", "ous", m_gt_0},   {"ization", "ize", m_gt_0}, {"ation", "ate", m_gt_0},
      {"ator", "ate", m_gt_0},    {"alism", "al", m_gt_0},    {"iveness", "ive", m_gt_0},
      {"fulness", "ful", m_gt_0}, {"ousness", "ous", m_gt_0}, {"aliti", "al", m_gt_0},
      {"iviti", "ive", m_gt_0},   {"biliti", "ble", m_gt_0},  {"fulli", "ful", m_gt_0},
      // NLTK keeps the 'l' of "logi" with the stem so that geo-, theo- work.
      {"logi", "log",
       [](std::string_view, std::string_view word) {
         return has_positive_measure(word.substr(0, word.size() - 3));
       }},
  };
  if (ends_with(w, "alli") && has_positive_measure(w.substr(0, w.size() - 4))) {
    return step2(replace_suffix(w, "alli", "al"));
  }
  return apply_rule_list(w, kRules);
}

std::string step3(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"icate", "ic", m_gt_0}, {"ative", "", m_gt_0}, {"alize", "al", m_gt_0},
      {"iciti", "ic", m_gt_0}, {"ical", "ic", m_gt_0}, {"ful", "", m_gt_0},
      {"ness", "", m_gt_0}};
  return apply_rule_list(w, kRules);
}

std::string step4(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"al", "", m_gt_1},   {"ance", "", m_gt_1}, {"ence", "", m_gt_1},  {"er", "", m_gt_1},
      {"ic", "", m_gt_1},   {"able", "", m_gt_1}, {"ible", "", m_gt_1},  {"ant", "", m_gt_1},
      {"ement", "", m_gt_1}, {"ment", "", m_gt_1}, {"ent", "", m_gt_1},
      // (m>1 and (*S or *T)) ION ->
      {"ion", "",
       [](std::string_view stem, std::string_view) {
         return measure(stem) > 1 && (stem.back() == 's' || stem.back() == 't');
       }},
      {"ou", "", m_gt_1},   {"ism", "", m_gt_1},  {"ate", "", m_gt_1},   {"iti", "", m_gt_1},
      {"ous", "", m_gt_1},  {"ive", "", m_gt_1},  {"ize", "", m_gt_1}};
  return apply_rule_list(w, kRules);
}

// Both conditions are tried, unlike a rule list (see NLTK's comment on step 5a).
std::string step5a(std::string_view w) {
  if (ends_with(w, "e")) {
    const std::string_view stem = w.substr(0, w.size() - 1);
    if (measure(stem) > 1) return std::string(stem);
    if (measure(stem) == 1 && !ends_cvc(stem)) return std::string(stem);
  }
  return std::string(w);
}

std::string step5b(std::string_view w) {
  static constexpr Rule kRules[] = {
      {"ll", "l", [](std::string_view, std::string_view word) {
         return measure(word.substr(0, word.size() - 1)) > 1;
       }}};
  return apply_rule_list(w, kRules);
}

// NLTK_EXTENSIONS' table of irregular forms: form -> stem.
const std::unordered_map<std::string, std::string>& irregular_forms() {
  static const std::unordered_map<std::string, std::string> kForms = {
      {"sky", "sky"},         {"skies", "sky"},      {"dying", "die"},
      {"lying", "lie"},       {"tying", "tie"},      {"news", "news"},
      {"innings", "inning"},  {"inning", "inning"},  {"outings", "outing"},
      {"outing", "outing"},   {"cannings", "canning"}, {"canning", "canning"},
      {"howe", "howe"},       {"proceed", "proceed"}, {"exceed", "exceed"},
      {"succeed", "succeed"}};
  return kForms;
}

}  // namespace

std::string porter_stem(std::string_view word) {
  std::string stem(word);
  for (char& c : stem) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  // NLTK looks the word up before lowercasing it.
  const auto& irregular = irregular_forms();
  if (const auto it = irregular.find(std::string(word)); it != irregular.end()) return it->second;
  if (word.size() <= 2) return stem;
  stem = step1a(stem);
  stem = step1b(stem);
  stem = step1c(stem);
  stem = step2(stem);
  stem = step3(stem);
  stem = step4(stem);
  stem = step5a(stem);
  stem = step5b(stem);
  return stem;
}

}  // namespace glimpse::text
