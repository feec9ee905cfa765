// The word vocabulary shared by the caption decoder and the context encoder: token <-> id,
// encoding text to ids with truncation, decoding ids back to text, and a JSON form that is
// stored in the checkpoint's safetensors __metadata__.
//
// Ids 0..3 are the special tokens <pad> <bos> <eos> <unk>; words follow in the order the
// builder chose (descending training count, then byte-wise alphabetical), so the same
// training text always gives the same ids.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace glimpse::text {

struct EncodedText {
  std::vector<int32_t> ids;
  // Tokens of the text that did not fit in max_len and were left out (0 when it fitted).
  int64_t dropped_tokens = 0;
  bool truncated() const { return dropped_tokens > 0; }
};

class Vocabulary {
 public:
  static constexpr int32_t kPad = 0;
  static constexpr int32_t kBos = 1;
  static constexpr int32_t kEos = 2;
  static constexpr int32_t kUnk = 3;
  static constexpr int32_t kNumSpecial = 4;
  static const std::vector<std::string>& special_tokens();  // {"<pad>", "<bos>", "<eos>", "<unk>"}

  // A vocabulary of the special tokens followed by `words` in the given order. Throws
  // glimpse::Error for a duplicate, empty or whitespace-containing word or a special token
  // among `words`.
  explicit Vocabulary(const std::vector<std::string>& words = {});

  int32_t size() const { return static_cast<int32_t>(tokens_.size()); }
  // The id of `token`, or kUnk when it is not in the vocabulary.
  int32_t id(std::string_view token) const;
  bool contains(std::string_view token) const;
  // The token of `id`; throws glimpse::Error when id is outside [0, size()).
  const std::string& token(int32_t id) const;
  const std::vector<std::string>& tokens() const { return tokens_; }

  // Tokenises `text` (tokenizer.h) and maps each token to its id; unknown words, and words
  // that spell a special token such as "<eos>", become <unk>. With `add_bos_eos` the ids are
  // framed as <bos> ... <eos> and max_len counts the frame. Text that does not fit keeps its
  // first tokens (and the closing <eos>); the rest are counted in dropped_tokens. Throws
  // glimpse::Error when max_len < 0, or < 2 with add_bos_eos.
  EncodedText encode(std::string_view text, int64_t max_len, bool add_bos_eos = false) const;
  EncodedText encode_tokens(const std::vector<std::string>& tokens, int64_t max_len,
                            bool add_bos_eos = false) const;

  // The tokens of `ids` up to the first <eos>, leaving out <pad> and <bos>; <unk> stays as
  // "<unk>". Throws glimpse::Error for an id outside the vocabulary.
  std::vector<std::string> decode_tokens(const std::vector<int32_t>& ids) const;
  // decode_tokens joined with single spaces.
  std::string decode(const std::vector<int32_t>& ids) const;

  // {"format": "glimpse-vocabulary", "version": 1, "tokens": ["<pad>", "<bos>", ...]}
  std::string to_json() const;
  // Parses and validates to_json()'s form; `what` names the source in errors (e.g. the
  // checkpoint path). Throws glimpse::Error for malformed JSON, a wrong format or version, a
  // missing or misplaced special token, a non-string, empty or whitespace-containing entry,
  // or a duplicate token.
  static Vocabulary from_json(std::string_view json, const std::string& what);

 private:
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int32_t> ids_;
};

// Counts the tokens of training captions and contexts and builds the vocabulary from them.
class VocabularyBuilder {
 public:
  void add_text(std::string_view text);  // tokenises with tokenize()
  void add_tokens(const std::vector<std::string>& tokens);

  // Words seen at least `min_count` times (min_count >= 1, else glimpse::Error), ordered by
  // descending count, then byte-wise alphabetically. Words that spell a special token are
  // left out.
  Vocabulary build(int64_t min_count) const;

  const std::map<std::string, int64_t>& counts() const { return counts_; }

 private:
  std::map<std::string, int64_t> counts_;
};

}  // namespace glimpse::text
