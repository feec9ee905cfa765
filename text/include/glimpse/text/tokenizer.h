// Word-level tokenisation of captions and context text, in the manner of the Penn Treebank
// tokenizer that coco-caption runs before scoring:
//   * ASCII letters are lowercased (other characters pass through unchanged);
//   * text is read as UTF-8: every ill-formed sequence (a stray continuation byte, a truncated
//     or overlong sequence, a surrogate, a byte C0, C1 or F5..FF) becomes U+FFFD, one per
//     maximal ill-formed subpart as Unicode recommends, so tokens are always valid UTF-8;
//   * typographic quotes (U+2018/U+2019 and U+201C/U+201D) become ' and ";
//   * whitespace separates words;
//   * . , ; : ! ? ' " ( ) [ ] { } are split off as tokens of their own, except that
//     . , : between two digits stay inside the number ("3.5", "1,000", "10:30"), a "." that
//     starts a number stays with it (".5"), and a run of dots is one token ("...");
//   * clitics are split as PTB does: "dog's" -> dog 's, "they're" -> they 're, "don't" ->
//     do n't, "can't" -> ca n't; an apostrophe between letters that is not a clitic stays
//     ("o'clock", "rock'n'roll");
//   * hyphens, slashes and other characters stay inside words ("black-and-white", "24/7").
// Joining the tokens with single spaces and tokenising again gives the same tokens.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace glimpse::text {

std::vector<std::string> tokenize(std::string_view text);

// True for a token made only of punctuation (the split characters above, '-' and '`'), such as
// "." "," "..." "--" "(". coco-caption drops these before computing caption metrics.
bool is_punctuation_token(std::string_view token);

// tokenize() without punctuation tokens: the form in which captions are scored.
std::vector<std::string> tokenize_for_scoring(std::string_view text);

// The tokens joined with single spaces.
std::string join_tokens(const std::vector<std::string>& tokens);

}  // namespace glimpse::text
