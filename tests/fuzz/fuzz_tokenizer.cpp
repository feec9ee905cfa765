// Fuzzes the caption tokenizer on arbitrary bytes (invalid UTF-8, NULs, lone halves of the
// typographic quotes included) and checks the properties text/tokenizer.h promises:
//   * no token is empty or holds whitespace, and every token is valid UTF-8 (nlohmann::json,
//     which writes tokens into vocabularies and JSON results, refuses anything else);
//   * joining the tokens with single spaces and tokenising again gives the same tokens;
//   * tokenize_for_scoring is tokenize without the punctuation tokens.
// A broken property aborts with the tokens concerned.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "glimpse/text/tokenizer.h"

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

[[noreturn]] void fail(const char* property, const std::vector<std::string>& tokens) {
  std::fprintf(stderr, "fuzz_tokenizer: %s; tokens:", property);
  for (const auto& t : tokens) std::fprintf(stderr, " [%s]", t.c_str());
  std::fprintf(stderr, "\n");
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace glimpse::text;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::vector<std::string> tokens = tokenize(text);
  for (const auto& t : tokens) {
    if (t.empty()) fail("an empty token", tokens);
    for (char c : t)
      if (is_space(c)) fail("a token holds whitespace", tokens);
    try {
      (void)nlohmann::json(t).dump();
    } catch (const nlohmann::json::type_error&) {
      fail("a token is not valid UTF-8", tokens);
    }
  }
  const std::vector<std::string> again = tokenize(join_tokens(tokens));
  if (again != tokens) fail("tokenize(join_tokens(t)) != t", again);

  std::vector<std::string> words;
  for (const auto& t : tokens)
    if (!is_punctuation_token(t)) words.push_back(t);
  if (tokenize_for_scoring(text) != words) fail("tokenize_for_scoring is not tokenize less punctuation", words);
  return 0;
}
