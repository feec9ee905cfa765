// The Porter stemmer exactly as NLTK's nltk.stem.porter.PorterStemmer() runs it in its default
// NLTK_EXTENSIONS mode (the stemmer nltk.translate.meteor_score uses): Porter's 1980 steps
// with Martin Porter's later changes plus NLTK's own (irregular forms such as dying -> die,
// "ies"/"ied" on four-letter words, step 1c only after a consonant, "alli" and "logi" rules,
// words of one or two letters left alone).
//
// Words are handled as byte strings with ASCII lowercasing; NLTK works on Unicode code points
// and lowercases every script, so the two agree on ASCII words (all that tokenize() produces
// from English text) and may differ on words with non-ASCII letters.
#pragma once

#include <string>
#include <string_view>

namespace glimpse::text {

std::string porter_stem(std::string_view word);

}  // namespace glimpse::text
