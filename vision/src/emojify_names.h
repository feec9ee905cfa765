// The file names of emojify.js's artwork (libjs-emojify): 2014 gemoji short names ("dog.png",
// "hocho.png"), which no shipped table maps to code points. Derived at run time from EmojiOne's
// index (ruby-gemojione: code point -> short name and aliases, mostly gemoji's), plus the two
// gemoji names that index lacks, restricted to emoji of Emoji 1.0 and older (emoji-test.txt):
// emojify.js draws nothing newer, and a newer emoji may reuse an old name for another picture
// (gemoji's "egg" was U+1F373 cooking, which emojify draws; U+1F95A egg came in Emoji 3.0).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace glimpse::vision {

class EmojifyNames {
 public:
  // Throws glimpse::Error naming the file (and its package) when either is missing or bad.
  EmojifyNames(const std::string& gemoji_index, const std::string& emoji_test);

  // Candidate file names ("<short name>.png") of `cp`'s picture; empty when emojify.js
  // cannot have one.
  std::vector<std::string> file_names(char32_t cp) const;

 private:
  std::unordered_map<char32_t, std::vector<std::string>> names_;
};

}  // namespace glimpse::vision
