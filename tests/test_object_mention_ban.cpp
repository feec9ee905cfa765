// eval::ObjectRepeatBan: which next tokens it bans after which words, on a small catalogue
// with one-word, two-word, colour-named and synonym objects; and `glimpse eval`'s use of it is
// in test_cli.cpp (ShippedModel).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/eval/object_repeat_ban.h"
#include "glimpse/text/tokenizer.h"
#include "glimpse/text/vocabulary.h"
#include "catalogue_fixture.h"
#include "glimpse/vision/scene_catalogue.h"

namespace {

using namespace glimpse;

using glimpse::testing::scene_object;

vision::SceneCatalogue small_catalogue() {
  vision::SceneCatalogue c;
  c.objects = {scene_object("dog", "dog", "dogs"),
               scene_object("cat", "cat", "cats"),
               scene_object("red apple", "apple", "apples", "red"),
               scene_object("green apple", "apple", "apples", "green"),
               scene_object("teddy bear", "teddy bear", "teddy bears", "", {"teddy"}),
               scene_object("wine glass", "wine glass", "wine glasses"),
               scene_object("wine bottle", "wine bottle", "wine bottles"),
               scene_object("orange", "orange", "oranges", "orange"),
               scene_object("basketball", "basketball", "basketballs", "orange")};
  return c;
}

class ObjectRepeatBanTest : public ::testing::Test {
 protected:
  ObjectRepeatBanTest()
      : lexicon_(small_catalogue()),
        vocab_({"a", "an", "and", "dog", "dogs", "cat", "cats", "red", "green", "apple", "apples", "teddy", "bear",
                "bears", "wine", "glass", "glasses", "bottle", "bottles", "orange", "oranges", "basketball",
                "background", "left", "of", "the", "to"}),
        ban_(lexicon_, vocab_) {}

  // The tokens banned after `words`, in vocabulary order.
  std::vector<std::string> banned_after(const std::string& words) const {
    std::vector<int32_t> ids;
    for (const std::string& t : text::tokenize(words)) ids.push_back(vocab_.id(t));
    std::vector<float> logp(static_cast<size_t>(vocab_.size()), -1.0f);
    ban_.ban(ids, logp.data());
    std::vector<std::string> out;
    for (int32_t id = 0; id < vocab_.size(); ++id) {
      const float v = logp[static_cast<size_t>(id)];
      if (v == -std::numeric_limits<float>::infinity()) {
        out.push_back(vocab_.token(id));
      } else {
        EXPECT_EQ(v, -1.0f) << "a token's log-probability changed without a ban: " << vocab_.token(id);
      }
    }
    return out;
  }

  eval::ObjectLexicon lexicon_;
  text::Vocabulary vocab_;
  eval::ObjectRepeatBan ban_;
};

using Tokens = std::vector<std::string>;

TEST_F(ObjectRepeatBanTest, NothingIsBannedBeforeAnObjectIsNamed) {
  EXPECT_EQ(banned_after(""), Tokens{});
  EXPECT_EQ(banned_after("a"), Tokens{});
  EXPECT_EQ(banned_after("a red"), Tokens{});
}

TEST_F(ObjectRepeatBanTest, ANamedObjectIsBannedInEveryPhraseThatNamesOnlyIt) {
  // "dog" and its plural; "cat" stays free.
  EXPECT_EQ(banned_after("a dog and a"), (Tokens{"dog", "dogs"}));
  EXPECT_EQ(banned_after("two dogs and a"), (Tokens{"dog", "dogs"}));
  EXPECT_EQ(banned_after("a dog and a cat to the left of a"), (Tokens{"dog", "dogs", "cat", "cats"}));
}

TEST_F(ObjectRepeatBanTest, ATwoWordPhraseIsBannedAtItsLastWordAndAtAFirstWordThatLeadsNowhereElse) {
  // "wine glass" named: after "a wine", "glass" (and "glasses") would repeat it; "bottle" is free.
  EXPECT_EQ(banned_after("a wine glass and a wine"), (Tokens{"glass", "glasses"}));
  // "wine" still leads to the wine bottle, so it is not banned...
  EXPECT_EQ(banned_after("a wine glass and a"), Tokens{});
  // ...until both are named.
  EXPECT_EQ(banned_after("a wine glass and a wine bottle and a"), (Tokens{"wine"}));
}

TEST_F(ObjectRepeatBanTest, AMentionThatMayStillGrowIsNotNamedYet) {
  // "teddy" alone names the teddy bear, but "a teddy" may go on to "a teddy bear": not a repeat.
  EXPECT_EQ(banned_after("a teddy"), Tokens{});
  // Once named, the synonym is banned, and after "teddy" so are the longer phrases' last words
  // (and "teddy" again, the synonym on its own).
  EXPECT_EQ(banned_after("a teddy bear and a"), (Tokens{"teddy"}));
  EXPECT_EQ(banned_after("a teddy bear and a teddy"), (Tokens{"teddy", "bear", "bears"}));
}

TEST_F(ObjectRepeatBanTest, AWordForSeveralObjectsBansEachOfThemButNotTheOtherWayRound) {
  // "apple" may be either apple: both colour-named phrases repeat it.
  EXPECT_EQ(banned_after("an apple and a red"), (Tokens{"apple", "apples"}));
  EXPECT_EQ(banned_after("an apple and a green"), (Tokens{"apple", "apples"}));
  // "a red apple" does not name the green one: "green apple" stays free, and so does "apple".
  EXPECT_EQ(banned_after("a red apple and a green"), Tokens{});
  EXPECT_EQ(banned_after("a red apple and a red"), (Tokens{"apple", "apples"}));
}

TEST_F(ObjectRepeatBanTest, ColourWordsAreNeverBanned) {
  // "orange" the fruit is named; the word may still be a colour ("an orange basketball"), so
  // only the plural is banned.
  EXPECT_EQ(banned_after("an orange and a"), (Tokens{"oranges"}));
  // "an orange basketball": the colour, then the ball; the last "orange" here is open.
  EXPECT_EQ(banned_after("an orange basketball and an orange"), (Tokens{"basketball"}));
  // A last word that may be either is not named yet.
  EXPECT_EQ(banned_after("a dog and an orange"), (Tokens{"dog", "dogs"}));
}

TEST_F(ObjectRepeatBanTest, PhrasesWithAWordTheVocabularyLacksAreLeftOut) {
  // The lexicon also holds "teddys" (the generated plural of the synonym), which this
  // vocabulary lacks, and "orange", a colour word: neither is one of the ban's phrases.
  EXPECT_GT(ban_.phrase_count(), 0u);
  EXPECT_LT(ban_.phrase_count(), lexicon_.phrase_count());
}

}  // namespace
