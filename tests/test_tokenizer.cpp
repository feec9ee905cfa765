// Tokenizer and vocabulary: PTB-style splitting, special tokens, encoding with truncation,
// decoding, and the JSON form stored in checkpoints (round trip and refusal of bad input).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "glimpse/core/error.h"
#include "glimpse/text/tokenizer.h"
#include "glimpse/text/vocabulary.h"

namespace {

using glimpse::Error;
using glimpse::text::EncodedText;
using glimpse::text::is_punctuation_token;
using glimpse::text::join_tokens;
using glimpse::text::tokenize;
using glimpse::text::tokenize_for_scoring;
using glimpse::text::Vocabulary;
using glimpse::text::VocabularyBuilder;
using Tokens = std::vector<std::string>;

struct SplitCase {
  std::string text;
  Tokens tokens;
};

const std::vector<SplitCase>& split_cases() {
  static const std::vector<SplitCase> cases = {
      {"A dog's ball.", {"a", "dog", "'s", "ball", "."}},
      {"Don't stop!", {"do", "n't", "stop", "!"}},
      {"I can't; won't.", {"i", "ca", "n't", ";", "wo", "n't", "."}},
      {"They're here, aren't they?", {"they", "'re", "here", ",", "are", "n't", "they", "?"}},
      {"I'm sure we'd go, we'll see, I've seen", {"i", "'m", "sure", "we", "'d", "go", ",", "we",
                                                  "'ll", "see", ",", "i", "'ve", "seen"}},
      {"The dogs' bowls", {"the", "dogs", "'", "bowls"}},
      {"a black-and-white photo of a t-shirt", {"a", "black-and-white", "photo", "of", "a", "t-shirt"}},
      {"3.5 kg, 1,000 people at 10:30", {"3.5", "kg", ",", "1,000", "people", "at", "10:30"}},
      {"costs .5 dollars; 24/7", {"costs", ".5", "dollars", ";", "24/7"}},
      {"(a cat) [on] {the mat}",
       {"(", "a", "cat", ")", "[", "on", "]", "{", "the", "mat", "}"}},
      {"\"Hello\" said she...", {"\"", "hello", "\"", "said", "she", "..."}},
      {"It's 5 o'clock", {"it", "'s", "5", "o'clock"}},
      {"rock'n'roll", {"rock'n'roll"}},
      {"'quoted'", {"'", "quoted", "'"}},
      {"x.y end.", {"x", ".", "y", "end", "."}},
      {"5. next", {"5", ".", "next"}},
      {"dog,cat:bird", {"dog", ",", "cat", ":", "bird"}},
      {"Wait!?", {"wait", "!", "?"}},
      {"dog\xE2\x80\x99s \xE2\x80\x9Ctoy\xE2\x80\x9D", {"dog", "'s", "\"", "toy", "\""}},
      {"  a\tb\nc\r\n  ", {"a", "b", "c"}},
      {"HELLO World", {"hello", "world"}},
      {"caf\xC3\xA9 \xC3\x9C", {"caf\xC3\xA9", "\xC3\x9C"}},  // non-ASCII bytes kept as they are
      {"<eos> <unk>", {"<eos>", "<unk>"}},
      {"", {}},
      {"   ", {}},
  };
  return cases;
}

TEST(Tokenizer, SplitsPunctuationAndClitics) {
  for (const SplitCase& c : split_cases()) {
    EXPECT_EQ(tokenize(c.text), c.tokens) << "text: " << c.text;
  }
}

TEST(Tokenizer, JoinedTokensTokeniseToThemselves) {
  for (const SplitCase& c : split_cases()) {
    const Tokens once = tokenize(c.text);
    EXPECT_EQ(tokenize(join_tokens(once)), once) << "text: " << c.text;
  }
}

// Seeded random strings over the characters the rules treat specially: the tokens never are
// empty or hold whitespace, and tokenising the joined tokens gives them back.
TEST(Tokenizer, RandomTextKeepsTheInvariants) {
  const std::vector<std::string> pieces = {
      "a", "n", "t", "s", "ll", "re", "o", "Dog", "5", "0", ".", ",", ":", ";", "!", "?", "'",
      "\"", "(", ")", "[", "}", "-", "/", " ", "  ", "\t", "\n", "\xE2\x80\x99", "\xE2\x80\x9C",
      "\xE2\x80", "\xC3\xA9", "<eos>"};
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 3000; ++trial) {
    std::string text;
    const int n = static_cast<int>(rng() % 24);
    for (int i = 0; i < n; ++i) text += pieces[rng() % pieces.size()];
    const Tokens tokens = tokenize(text);
    for (const std::string& t : tokens) {
      EXPECT_FALSE(t.empty()) << "text: " << text;
      EXPECT_EQ(t.find_first_of(" \t\n\r\v\f"), std::string::npos) << "text: " << text;
    }
    EXPECT_EQ(tokenize(join_tokens(tokens)), tokens) << "text: " << text;
  }
}

TEST(Tokenizer, PunctuationTokens) {
  for (const char* t : {".", ",", "...", "--", "-", "(", ")", "'", "\"", "``", "?!", "{", "]"}) {
    EXPECT_TRUE(is_punctuation_token(t)) << t;
  }
  for (const char* t : {"", "a", "'s", "n't", "3.5", "t-shirt", "o'clock", "<unk>"}) {
    EXPECT_FALSE(is_punctuation_token(t)) << t;
  }
  EXPECT_EQ(tokenize_for_scoring("A dog's ball... (red)! -- \"yes\""),
            (Tokens{"a", "dog", "'s", "ball", "red", "yes"}));
}

// Three captions whose counts are: a 3, dog 3, then once each: ! . cat runs the.
VocabularyBuilder example_builder() {
  VocabularyBuilder b;
  b.add_text("A dog. A cat!");
  b.add_text("the dog runs");
  b.add_tokens({"a", "dog"});
  return b;
}

TEST(Vocabulary, SpecialTokensComeFirst) {
  const Vocabulary v;
  ASSERT_EQ(v.size(), 4);
  EXPECT_EQ(v.token(Vocabulary::kPad), "<pad>");
  EXPECT_EQ(v.token(Vocabulary::kBos), "<bos>");
  EXPECT_EQ(v.token(Vocabulary::kEos), "<eos>");
  EXPECT_EQ(v.token(Vocabulary::kUnk), "<unk>");
  EXPECT_EQ(v.id("<eos>"), Vocabulary::kEos);
  EXPECT_EQ(v.id("dog"), Vocabulary::kUnk);
  EXPECT_FALSE(v.contains("dog"));
}

TEST(Vocabulary, BuildOrdersByCountThenAlphabetically) {
  const Vocabulary v = example_builder().build(1);
  EXPECT_EQ(v.tokens(), (Tokens{"<pad>", "<bos>", "<eos>", "<unk>", "a", "dog", "!", ".", "cat",
                                "runs", "the"}));
  const Vocabulary frequent = example_builder().build(2);
  EXPECT_EQ(frequent.tokens(), (Tokens{"<pad>", "<bos>", "<eos>", "<unk>", "a", "dog"}));
  EXPECT_THROW(example_builder().build(0), Error);
}

TEST(Vocabulary, BuildDoesNotDependOnInputOrder) {
  VocabularyBuilder forward, backward;
  const std::vector<std::string> texts = {"a man rides a horse", "two horses", "a man", "zebra"};
  for (const std::string& t : texts) forward.add_text(t);
  for (auto it = texts.rbegin(); it != texts.rend(); ++it) backward.add_text(*it);
  EXPECT_EQ(forward.build(1).tokens(), backward.build(1).tokens());
}

TEST(Vocabulary, SpecialSpellingsInTextAreNotWords) {
  VocabularyBuilder b;
  b.add_text("<eos> <unk> <pad> dog");
  const Vocabulary v = b.build(1);
  EXPECT_EQ(v.size(), 5);  // the specials and "dog"
  const EncodedText e = v.encode("dog <eos> <bos> dog", 10);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{4, Vocabulary::kUnk, Vocabulary::kUnk, 4}));
}

TEST(Vocabulary, EncodeDecodeRoundTrip) {
  const Vocabulary v = example_builder().build(1);
  const EncodedText e = v.encode("The dog runs!", 16, /*add_bos_eos=*/true);
  EXPECT_EQ(e.ids, (std::vector<int32_t>{Vocabulary::kBos, 10, 5, 9, 6, Vocabulary::kEos}));
  EXPECT_FALSE(e.truncated());
  EXPECT_EQ(v.decode(e.ids), "the dog runs !");
  EXPECT_EQ(v.encode(v.decode(e.ids), 16, true).ids, e.ids);

  const EncodedText unknown = v.encode("a zebra", 8);
  EXPECT_EQ(unknown.ids, (std::vector<int32_t>{4, Vocabulary::kUnk}));
  EXPECT_EQ(v.decode(unknown.ids), "a <unk>");
}

TEST(Vocabulary, EncodeTruncatesAndReports) {
  const Vocabulary v = example_builder().build(1);
  const EncodedText framed = v.encode("a dog a dog a dog", 5, true);
  EXPECT_EQ(framed.ids, (std::vector<int32_t>{Vocabulary::kBos, 4, 5, 4, Vocabulary::kEos}));
  EXPECT_EQ(framed.dropped_tokens, 3);
  EXPECT_TRUE(framed.truncated());

  const EncodedText bare = v.encode("a dog a dog a dog", 2);
  EXPECT_EQ(bare.ids, (std::vector<int32_t>{4, 5}));
  EXPECT_EQ(bare.dropped_tokens, 4);

  const EncodedText only_frame = v.encode("a dog", 2, true);
  EXPECT_EQ(only_frame.ids, (std::vector<int32_t>{Vocabulary::kBos, Vocabulary::kEos}));
  EXPECT_EQ(only_frame.dropped_tokens, 2);

  EXPECT_EQ(v.encode("a dog", 0).ids.size(), 0u);
  EXPECT_EQ(v.encode("", 3, true).ids, (std::vector<int32_t>{Vocabulary::kBos, Vocabulary::kEos}));
  EXPECT_THROW(v.encode("a dog", 1, true), Error);
  EXPECT_THROW(v.encode("a dog", -1), Error);
}

TEST(Vocabulary, DecodeStopsAtEosAndSkipsPadAndBos) {
  const Vocabulary v = example_builder().build(1);
  EXPECT_EQ(v.decode({Vocabulary::kBos, 4, Vocabulary::kPad, 5, Vocabulary::kEos, 6}), "a dog");
  EXPECT_EQ(v.decode_tokens({Vocabulary::kEos, 4}), Tokens{});
  EXPECT_EQ(v.decode({}), "");
  EXPECT_THROW(v.decode({4, 99}), Error);
  EXPECT_THROW(v.decode({-1}), Error);
  EXPECT_THROW(v.token(v.size()), Error);
}

TEST(Vocabulary, ConstructorRefusesBadWords) {
  EXPECT_THROW(Vocabulary({"dog", "dog"}), Error);
  EXPECT_THROW(Vocabulary({"dog", "<unk>"}), Error);
  EXPECT_THROW(Vocabulary({""}), Error);
  EXPECT_THROW(Vocabulary({"two words"}), Error);
}

TEST(Vocabulary, JsonRoundTrip) {
  const Vocabulary v = example_builder().build(1);
  const std::string json = v.to_json();
  const Vocabulary back = Vocabulary::from_json(json, "test");
  EXPECT_EQ(back.tokens(), v.tokens());
  for (int32_t id = 0; id < v.size(); ++id) EXPECT_EQ(back.id(v.token(id)), id);
  EXPECT_EQ(back.to_json(), json);
  // Non-ASCII words survive.
  const Vocabulary unicode({"caf\xC3\xA9", "\xE2\x9C\x93"});
  EXPECT_EQ(Vocabulary::from_json(unicode.to_json(), "test").tokens(), unicode.tokens());
}

TEST(Vocabulary, MalformedJsonIsRefused) {
  const std::string head = R"({"format": "glimpse-vocabulary", "version": 1, "tokens": )";
  const std::string specials = R"("<pad>", "<bos>", "<eos>", "<unk>")";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not JSON", "{"},
      {"trailing garbage", head + "[" + specials + "]} x"},
      {"array root", "[" + specials + "]"},
      {"no tokens", R"({"format": "glimpse-vocabulary", "version": 1})"},
      {"tokens not an array", head + R"("<pad>"})"},
      {"number entry", head + "[" + specials + ", 7]}"},
      {"null entry", head + "[" + specials + ", null]}"},
      {"nested array entry", head + "[" + specials + R"(, ["dog"]])"},
      {"duplicate", head + "[" + specials + R"(, "dog", "cat", "dog"]})"},
      {"special repeated", head + "[" + specials + R"(, "<eos>"]})"},
      {"no specials", head + R"(["dog", "cat"]})"},
      {"empty list", head + "[]}"},
      {"specials cut short", head + R"(["<pad>", "<bos>", "<eos>"]})"},
      {"specials out of order", head + R"(["<bos>", "<pad>", "<eos>", "<unk>"]})"},
      {"empty word", head + "[" + specials + R"(, ""]})"},
      {"word with space", head + "[" + specials + R"(, "hot dog"]})"},
      {"wrong format", R"({"format": "bpe", "version": 1, "tokens": [)" + specials + "]}"},
      {"no format", R"({"version": 1, "tokens": [)" + specials + "]}"},
      {"future version", R"({"format": "glimpse-vocabulary", "version": 2, "tokens": [)" +
                             specials + "]}"},
      {"string version", R"({"format": "glimpse-vocabulary", "version": "1", "tokens": [)" +
                             specials + "]}"},
  };
  for (const auto& [name, json] : cases) {
    try {
      Vocabulary::from_json(json, "model.safetensors");
      ADD_FAILURE() << name << ": accepted " << json;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("model.safetensors"), std::string::npos)
          << name << ": message does not name the source: " << e.what();
    }
  }
  // The minimal valid document is accepted.
  EXPECT_EQ(Vocabulary::from_json(head + "[" + specials + "]}", "test").size(), 4);
}

}  // namespace
