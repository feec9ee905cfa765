// eval::ObjectMentionBan: which next tokens each rule bans after which words, on a small
// catalogue with one-word, two-word, colour-named and synonym objects; `glimpse eval`'s use of
// it is in test_cli.cpp (ShippedModel).
#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "glimpse/eval/object_mentions.h"
#include "glimpse/core/error.h"
#include "glimpse/core/tensor.h"
#include "glimpse/eval/object_mention_ban.h"
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
               scene_object("basketball", "basketball", "basketballs", "orange"),
               scene_object("hot dog", "hot dog", "hot dogs"),
               scene_object("top hat", "top hat", "top hats")};
  return c;
}

class NoRepeatsTest : public ::testing::Test {
 protected:
  NoRepeatsTest()
      : lexicon_(small_catalogue()),
        vocab_({"a", "an", "and", "dog", "dogs", "cat", "cats", "red", "green", "apple", "apples", "teddy", "bear",
                "bears", "wine", "glass", "glasses", "bottle", "bottles", "orange", "oranges", "basketball",
                "background", "left", "of", "the", "to", "hot", "top", "hat", "hats", "at"}),
        ban_(lexicon_, vocab_, {.no_repeats = true}) {}

  // The tokens `ban` bans after `words` for image `image`, in vocabulary order.
  std::vector<std::string> banned_after(const std::string& words, const eval::ObjectMentionBan* ban = nullptr,
                                        int64_t image = 0) const {
    std::vector<int32_t> ids;
    for (const std::string& t : text::tokenize(words)) ids.push_back(vocab_.id(t));
    std::vector<float> logp(static_cast<size_t>(vocab_.size()), -1.0f);
    (ban != nullptr ? *ban : ban_).ban(image, ids, logp.data());
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
  eval::ObjectMentionBan ban_;
};

using Tokens = std::vector<std::string>;

TEST_F(NoRepeatsTest, NothingIsBannedBeforeAnObjectIsNamed) {
  EXPECT_EQ(banned_after(""), Tokens{});
  EXPECT_EQ(banned_after("a"), Tokens{});
  EXPECT_EQ(banned_after("a red"), Tokens{});
}

TEST_F(NoRepeatsTest, ANamedObjectIsBannedInEveryPhraseThatNamesOnlyIt) {
  // "dog" and its plural; "cat" stays free.
  EXPECT_EQ(banned_after("a dog and a"), (Tokens{"dog", "dogs"}));
  EXPECT_EQ(banned_after("two dogs and a"), (Tokens{"dog", "dogs"}));
  EXPECT_EQ(banned_after("a dog and a cat to the left of a"), (Tokens{"dog", "dogs", "cat", "cats"}));
}

TEST_F(NoRepeatsTest, ATwoWordPhraseIsBannedAtItsLastWordOnly) {
  // "wine glass" named: after "a wine", "glass" (and "glasses") would repeat it; "bottle" is free.
  EXPECT_EQ(banned_after("a wine glass and a wine"), (Tokens{"glass", "glasses"}));
  // "wine" itself is never banned: a first word may have other uses.
  EXPECT_EQ(banned_after("a wine glass and a"), Tokens{});
  EXPECT_EQ(banned_after("a wine glass and a wine bottle and a"), Tokens{});
  EXPECT_EQ(banned_after("a wine glass and a wine bottle and a wine"), (Tokens{"glass", "glasses", "bottle", "bottles"}));
}

TEST_F(NoRepeatsTest, AMentionThatMayStillGrowIsNotNamedYet) {
  // "teddy" alone names the teddy bear, but "a teddy" may go on to "a teddy bear": not a repeat.
  EXPECT_EQ(banned_after("a teddy"), Tokens{});
  // Once named, the synonym is banned, and after "teddy" so are the longer phrases' last words
  // (and "teddy" again, the synonym on its own).
  EXPECT_EQ(banned_after("a teddy bear and a"), (Tokens{"teddy"}));
  EXPECT_EQ(banned_after("a teddy bear and a teddy"), (Tokens{"teddy", "bear", "bears"}));
}

TEST_F(NoRepeatsTest, AWordForSeveralObjectsBansEachOfThemButNotTheOtherWayRound) {
  // "apple" may be either apple: both colour-named phrases repeat it.
  EXPECT_EQ(banned_after("an apple and a red"), (Tokens{"apple", "apples"}));
  EXPECT_EQ(banned_after("an apple and a green"), (Tokens{"apple", "apples"}));
  // "a red apple" does not name the green one: "green apple" stays free, and so does "apple".
  EXPECT_EQ(banned_after("a red apple and a green"), Tokens{});
  EXPECT_EQ(banned_after("a red apple and a red"), (Tokens{"apple", "apples"}));
}

TEST_F(NoRepeatsTest, ColourWordsAreNeverBanned) {
  // "orange" the fruit is named; the word may still be a colour ("an orange basketball"), so
  // only the plural is banned.
  EXPECT_EQ(banned_after("an orange and a"), (Tokens{"oranges"}));
  // "an orange basketball": the colour, then the ball; the last "orange" here is open.
  EXPECT_EQ(banned_after("an orange basketball and an orange"), (Tokens{"basketball"}));
  // A last word that may be either is not named yet.
  EXPECT_EQ(banned_after("a dog and an orange"), (Tokens{"dog", "dogs"}));
}

TEST_F(NoRepeatsTest, PhrasesWithAWordTheVocabularyLacksAreLeftOut) {
  // The lexicon also holds "teddys" (the generated plural of the synonym), which this
  // vocabulary lacks, and "orange", a colour word: neither is one of the ban's phrases.
  EXPECT_GT(ban_.phrase_count(), 0u);
  EXPECT_LT(ban_.phrase_count(), lexicon_.phrase_count());
}

// The unseen-object rule, with two images: the first shows a dog, a red apple and a hot dog,
// the second a top hat and a dog (presence 0.9; every other object 0.1).
class UnseenTest : public NoRepeatsTest {
 protected:
  UnseenTest() : unseen_(make_ban()) {}

  eval::ObjectMentionBan make_ban() const {
    const auto& objects = lexicon_.object_names();
    Tensor presence({2, 1 + static_cast<int64_t>(objects.size())});
    const std::vector<std::vector<std::string>> shown = {{"dog", "red apple", "hot dog"}, {"top hat", "dog"}};
    for (int64_t i = 0; i < 2; ++i)
      for (size_t o = 0; o < objects.size(); ++o) {
        const auto& s = shown[static_cast<size_t>(i)];
        presence[i * presence.shape()[1] + 1 + static_cast<int64_t>(o)] =
            std::find(s.begin(), s.end(), objects[o]) != s.end() ? 0.9f : 0.1f;
      }
    return eval::ObjectMentionBan(lexicon_, vocab_, {.min_presence = 0.5f}).for_images(presence);
  }

  // `base` and `more`, in vocabulary order.
  Tokens plus(Tokens base, const Tokens& more) const {
    base.insert(base.end(), more.begin(), more.end());
    std::sort(base.begin(), base.end(), [&](const std::string& a, const std::string& b) { return vocab_.id(a) < vocab_.id(b); });
    return base;
  }

  eval::ObjectMentionBan unseen_;
  // One-word phrases of unseen objects: banned after any word.
  const Tokens unseen_words_0_ = {"cat", "cats", "teddy", "oranges", "basketball"};
  const Tokens unseen_words_1_ = {"cat", "cats", "apple", "apples", "teddy", "oranges", "basketball"};
};

TEST_F(UnseenTest, ObjectsTheHeadDoesNotSeeInThisImageAreBanned) {
  EXPECT_EQ(banned_after("a", &unseen_, 0), unseen_words_0_);
  EXPECT_EQ(banned_after("a", &unseen_, 1), unseen_words_1_);
  // "apple" may be the red one, which image 0 shows; "green apple" is unseen there.
  EXPECT_EQ(banned_after("a red", &unseen_, 0), unseen_words_0_);
  EXPECT_EQ(banned_after("a green", &unseen_, 0), plus(unseen_words_0_, {"apple", "apples"}));
  EXPECT_EQ(banned_after("a wine", &unseen_, 0), plus(unseen_words_0_, {"glass", "glasses", "bottle", "bottles"}));
}

TEST_F(UnseenTest, AWordIsJudgedByTheLongestPhraseItFinishes) {
  // After "a hot", "dog" finishes "hot dog": allowed in image 0, which shows a hot dog...
  EXPECT_EQ(banned_after("a hot", &unseen_, 0), unseen_words_0_);
  // ...and banned in image 1, which shows a dog but no hot dog.
  EXPECT_EQ(banned_after("a hot", &unseen_, 1), plus(unseen_words_1_, {"dog", "dogs"}));
  EXPECT_EQ(banned_after("a", &unseen_, 1).size(), unseen_words_1_.size());  // "dog" alone is seen
}

TEST_F(UnseenTest, AFirstWordOfAnUnseenPhraseIsNotBanned) {
  // The top hat is unseen in image 0, but "top" has other uses ("at the top").
  EXPECT_EQ(banned_after("a dog at the", &unseen_, 0), unseen_words_0_);
  EXPECT_EQ(banned_after("a top", &unseen_, 0), plus(unseen_words_0_, {"hat", "hats"}));
  EXPECT_EQ(banned_after("a top", &unseen_, 1), unseen_words_1_);
}

TEST_F(UnseenTest, PresenceOfTheWrongShapeOrNoneIsAClearError) {
  const eval::ObjectMentionBan bare(lexicon_, vocab_, {.min_presence = 0.5f});
  std::vector<float> logp(static_cast<size_t>(vocab_.size()), 0.0f);
  EXPECT_THROW(bare.ban(0, {}, logp.data()), Error);
  EXPECT_THROW(bare.for_images(Tensor({2, 3})), Error);
  EXPECT_THROW(unseen_.ban(2, {}, logp.data()), Error);  // two images only
  EXPECT_THROW(eval::ObjectMentionBan(lexicon_, vocab_, {.min_presence = 1.5f}), Error);
  EXPECT_THROW(eval::ObjectMentionBan(lexicon_, vocab_, {.min_presence = -0.1f}), Error);
  const eval::ObjectMentionRules nan_rules{.min_presence = std::numeric_limits<float>::quiet_NaN()};
  EXPECT_TRUE(nan_rules.any());  // so evaluate() builds the ban, whose check refuses it
  EXPECT_THROW(eval::ObjectMentionBan(lexicon_, vocab_, nan_rules), Error);
  EXPECT_EQ(eval::describe({.no_repeats = true, .min_presence = 0.5f}), ", no object named twice, no object seen below 0.50");
}

// A banned one-word phrase whose word also begins an allowed longer one: the dog is unseen, the
// dog house seen. Without the "goes on" rule "dog" would be banned after "a", and the dog house
// could never be named.
TEST(ObjectMentionBanGoingOn, ABannedWordThatBeginsAnAllowedPhraseStaysOpen) {
  vision::SceneCatalogue c;
  c.objects = {scene_object("dog", "dog", "dogs"), scene_object("dog house", "dog house", "dog houses")};
  const eval::ObjectLexicon lexicon(c);
  const text::Vocabulary vocab({"a", "and", "dog", "dogs", "house", "houses"});
  auto banned_after = [&](const eval::ObjectMentionBan& ban, const std::string& words) {
    std::vector<int32_t> ids;
    for (const std::string& t : text::tokenize(words)) ids.push_back(vocab.id(t));
    std::vector<float> logp(static_cast<size_t>(vocab.size()), 0.0f);
    ban.ban(0, ids, logp.data());
    Tokens out;
    for (int32_t id = 0; id < vocab.size(); ++id)
      if (logp[static_cast<size_t>(id)] == -std::numeric_limits<float>::infinity()) out.push_back(vocab.token(id));
    return out;
  };
  // lexicon.object_names() is {"dog", "dog house"}: columns 1 and 2.
  Tensor presence({1, 3});
  presence[1] = 0.1f;
  presence[2] = 0.9f;
  const auto unseen = eval::ObjectMentionBan(lexicon, vocab, {.min_presence = 0.5f}).for_images(presence);
  EXPECT_EQ(banned_after(unseen, "a"), Tokens{"dogs"});  // "dog" may go on to "dog house"
  EXPECT_EQ(banned_after(unseen, "a dog"), Tokens{"dogs"});  // "house" finishes the dog house
  presence[2] = 0.1f;  // neither seen: nothing to go on with
  const auto neither = eval::ObjectMentionBan(lexicon, vocab, {.min_presence = 0.5f}).for_images(presence);
  EXPECT_EQ(banned_after(neither, "a"), (Tokens{"dog", "dogs"}));
  EXPECT_EQ(banned_after(neither, "a dog"), (Tokens{"dog", "dogs", "house", "houses"}));  // any next "dog" too
  // The repeat rule the same way: "dog" after a dog house may be the dog.
  const eval::ObjectMentionBan repeats(lexicon, vocab, {.no_repeats = true});
  EXPECT_EQ(banned_after(repeats, "a dog house and a"), Tokens{});
  EXPECT_EQ(banned_after(repeats, "a dog house and a dog"), (Tokens{"house", "houses"}));
  EXPECT_EQ(banned_after(repeats, "a dog and a"), (Tokens{"dogs"}));
}

}  // namespace
