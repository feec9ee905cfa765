#include "glimpse/text/tokenizer.h"

#include <array>

namespace glimpse::text {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Characters that become tokens of their own (subject to the number and clitic rules).
bool is_split_char(char c) {
  switch (c) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '\'': case '"':
    case '(': case ')': case '[': case ']': case '{': case '}':
      return true;
    default:
      return false;
  }
}

// PTB's clitics after the apostrophe: 's 'm 'd 'll 're 've ("n't" is handled apart because
// its apostrophe sits inside the clitic).
bool is_apostrophe_clitic(std::string_view letters) {
  static constexpr std::array<std::string_view, 6> kClitics = {"s", "m", "d", "ll", "re", "ve"};
  for (std::string_view c : kClitics) {
    if (letters == c) return true;
  }
  return false;
}

// Lowercases ASCII and maps typographic single/double quotes (UTF-8 E2 80 98/99/9C/9D) to
// their ASCII forms, so that "dog’s" splits like "dog's".
std::string normalise(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (i + 2 < text.size() && static_cast<unsigned char>(text[i]) == 0xE2 &&
        static_cast<unsigned char>(text[i + 1]) == 0x80) {
      const unsigned char third = static_cast<unsigned char>(text[i + 2]);
      if (third == 0x98 || third == 0x99) {
        out += '\'';
        i += 2;
        continue;
      }
      if (third == 0x9C || third == 0x9D) {
        out += '"';
        i += 2;
        continue;
      }
    }
    out += to_lower(text[i]);
  }
  return out;
}

// Splits one whitespace-free chunk into tokens, appending them to `out`.
void split_chunk(std::string_view s, std::vector<std::string>& out) {
  std::string word;
  auto flush = [&] {
    if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  };
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (!is_split_char(c)) {
      word += c;
      ++i;
      continue;
    }
    const bool next_is_digit = i + 1 < s.size() && is_digit(s[i + 1]);
    // "3.5", "1,000", "10:30": the separator stays inside the number.
    if ((c == '.' || c == ',' || c == ':') && !word.empty() && is_digit(word.back()) &&
        next_is_digit) {
      word += c;
      ++i;
      continue;
    }
    // ".5" at the start of a word is a number too.
    if (c == '.' && word.empty() && next_is_digit) {
      word += c;
      ++i;
      continue;
    }
    if (c == '.') {  // "." or an ellipsis "..."
      flush();
      size_t j = i;
      while (j < s.size() && s[j] == '.') ++j;
      out.emplace_back(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c == '\'') {
      size_t j = i + 1;
      while (j < s.size() && is_letter(s[j])) ++j;
      const std::string_view letters = s.substr(i + 1, j - i - 1);
      const bool letters_end_word = j == s.size() || is_split_char(s[j]);
      if (letters_end_word && is_apostrophe_clitic(letters)) {  // dog's -> dog 's
        flush();
        out.push_back("'" + std::string(letters));
        i = j;
        continue;
      }
      if (letters_end_word && letters == "t" && !word.empty() && word.back() == 'n') {
        word.pop_back();  // don't -> do n't
        flush();
        out.emplace_back("n't");
        i = j;
        continue;
      }
      if (!word.empty() && !letters.empty()) {  // o'clock
        word += c;
        ++i;
        continue;
      }
    }
    flush();
    out.emplace_back(1, c);
    ++i;
  }
  flush();
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text) {
  const std::string normalised = normalise(text);
  const std::string_view s = normalised;
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    if (j > i) split_chunk(s.substr(i, j - i), tokens);
    i = j;
  }
  return tokens;
}

bool is_punctuation_token(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (!is_split_char(c) && c != '-' && c != '`') return false;
  }
  return true;
}

std::vector<std::string> tokenize_for_scoring(std::string_view text) {
  std::vector<std::string> tokens = tokenize(text);
  std::erase_if(tokens, [](const std::string& t) { return is_punctuation_token(t); });
  return tokens;
}

std::string join_tokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out += ' ';
    out += tokens[i];
  }
  return out;
}

}  // namespace glimpse::text
