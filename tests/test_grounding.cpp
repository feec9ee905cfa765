// Grounding metrics on hand-computed cases: the object lexicon (longest match, plurals, shared
// nouns, synonyms, colour words), object-mention precision/recall, hallucinations cued by
// context text, the image share of a step, the pointing game with hand-made attention, and
// whether captions follow their context (count, where, brief, keywords, distractors, mixed),
// on hand-written captions and on the scene generator's own targets.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "catalogue_fixture.h"
#include "glimpse/core/error.h"
#include "glimpse/model/attention_share.h"
#include "glimpse/eval/context_following.h"
#include "glimpse/eval/hallucination.h"
#include "glimpse/eval/mention_scores.h"
#include "glimpse/eval/object_mentions.h"
#include "glimpse/eval/pointing_game.h"
#include "glimpse/text/tokenizer.h"
#include "glimpse/vision/scene_context.h"
#include "glimpse/vision/scene_layout.h"

namespace glimpse::eval {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

const ObjectLexicon& shipped_lexicon() {
  static const ObjectLexicon lexicon(vision::load_scene_catalogue(
      (fs::path(__FILE__).parent_path().parent_path() / "assets" / "scene-objects.json").string()));
  return lexicon;
}

using glimpse::testing::scene_object;

// A small catalogue whose every phrase the tests below can count by hand.
vision::SceneCatalogue small_catalogue() {
  vision::SceneCatalogue c;
  c.objects = {scene_object("dog", "dog", "dogs", "", {}, {"pet"}),
               scene_object("cat", "cat", "cats", "", {}, {"pet"}),
               scene_object("red apple", "apple", "apples", "red", {}, {"fruit"}),
               scene_object("green apple", "apple", "apples", "green", {}, {"fruit"}),
               scene_object("bicycle", "bicycle", "bicycles", "", {"bike"}, {"cycle"}),
               scene_object("rocket", "rocket", "rockets", "", {}, {"space", "launch pad"}),
               scene_object("pair of scissors", "pair of scissors", "pairs of scissors", "", {"scissors"}, {}),
               scene_object("orange", "orange", "oranges", "orange", {"tangerine"}, {"fruit"}),
               scene_object("basketball", "basketball", "basketballs", "orange", {}, {"ball"})};
  return c;
}

// The mentions of `caption` as "first-last:candidate|candidate" strings.
Names mentions(const ObjectLexicon& lex, const std::string& caption) {
  Names out;
  for (const Mention& m : lex.find_mentions(text::tokenize(caption))) {
    std::string s = std::to_string(m.first) + "-" + std::to_string(m.last) + ":";
    for (size_t i = 0; i < m.candidates.size(); ++i) s += (i ? "|" : "") + m.candidates[i];
    out.push_back(s);
  }
  return out;
}

TEST(Grounding, LongestPhraseWinsAndSharedNounsDenoteEveryEntry) {
  const ObjectLexicon lex(small_catalogue());
  EXPECT_EQ(mentions(lex, "a red apple"), Names({"1-2:red apple"}));
  EXPECT_EQ(mentions(lex, "two apples"), Names({"1-1:green apple|red apple"}));
  EXPECT_EQ(mentions(lex, "an apple"), Names({"1-1:green apple|red apple"}));
  EXPECT_EQ(mentions(lex, "two red apples and a green apple"), Names({"1-2:red apple", "5-6:green apple"}));
  EXPECT_EQ(mentions(lex, "a pair of scissors on the left"), Names({"1-3:pair of scissors"}));
  EXPECT_EQ(mentions(lex, "three pairs of scissors"), Names({"1-3:pair of scissors"}));
  EXPECT_EQ(mentions(lex, "some scissors"), Names({"1-1:pair of scissors"}));
  EXPECT_EQ(mentions(lex, "a dog above a cat"), Names({"1-1:dog", "4-4:cat"}));
  EXPECT_EQ(mentions(lex, "nothing to see here"), Names());
  EXPECT_EQ(mentions(lex, ""), Names());
}

TEST(Grounding, SynonymsAndTheirPluralsNameTheirObject) {
  const ObjectLexicon lex(small_catalogue());
  EXPECT_EQ(mentions(lex, "a bike"), Names({"1-1:bicycle"}));
  EXPECT_EQ(mentions(lex, "two bikes"), Names({"1-1:bicycle"}));
  EXPECT_EQ(mentions(lex, "two tangerines"), Names({"1-1:orange"}));
  EXPECT_EQ(lex.objects_named("Bikes"), Names({"bicycle"}));
  EXPECT_TRUE(lex.objects_named("pet").empty());  // keywords cue context text, they do not name
}

TEST(Grounding, ColourWordsBeforeANounAreColoursNotObjects) {
  const ObjectLexicon lex(small_catalogue());
  EXPECT_EQ(mentions(lex, "an orange basketball"), Names({"2-2:basketball"}));
  EXPECT_EQ(mentions(lex, "a dog on an orange background"), Names({"1-1:dog"}));
  EXPECT_EQ(mentions(lex, "a dog on an orange striped background"), Names({"1-1:dog"}));
  EXPECT_EQ(mentions(lex, "a dog on an orange and green background"), Names({"1-1:dog"}));
  // The fruit itself.
  EXPECT_EQ(mentions(lex, "an orange and a dog"), Names({"1-1:orange", "4-4:dog"}));
  EXPECT_EQ(mentions(lex, "a dog and an orange"), Names({"1-1:dog", "4-4:orange"}));
  EXPECT_EQ(mentions(lex, "an orange on the left"), Names({"1-1:orange"}));
}

TEST(Grounding, ShippedCatalogueReadsSceneCaptions) {
  const ObjectLexicon& lex = shipped_lexicon();
  EXPECT_GT(lex.phrase_count(), 326u * 3);
  EXPECT_EQ(mentions(lex, "a red apple"), Names({"1-2:red apple"}));
  EXPECT_EQ(mentions(lex, "two apples"), Names({"1-1:green apple|red apple"}));
  EXPECT_EQ(mentions(lex, "a bike"), Names({"1-1:bicycle"}));
  EXPECT_EQ(mentions(lex, "a chicken leg next to a chicken"), Names({"1-2:chicken leg", "6-6:chicken"}));
  EXPECT_EQ(mentions(lex, "three mice and a fire truck"), Names({"1-1:mouse", "4-5:fire engine"}));
  EXPECT_EQ(mentions(lex, "a pair of scissors and two blue books"),
            Names({"1-3:pair of scissors", "6-7:blue book"}));
  EXPECT_EQ(mentions(lex, "an orange basketball on an orange background"), Names({"2-2:basketball"}));
  EXPECT_EQ(mentions(lex, "two oranges"), Names({"1-1:orange"}));
  // The generator's lead-in speaks of the image: no picture frame, but a picture later is one.
  EXPECT_EQ(mentions(lex, "a picture of a dog"), Names({"4-4:dog"}));
  EXPECT_EQ(mentions(lex, "a dog and a picture"), Names({"1-1:dog", "4-4:picture frame"}));
}

TEST(Grounding, MentionPrecisionRecallAndF1FromKnownCounts) {
  const ObjectLexicon lex(small_catalogue());
  // Scene {cat, dog, red apple}: "dog" twice and "apple"/"red apple" count once each; "bike"
  // and "bicycle" are one hallucinated object.
  const auto a = score_mentions(lex, text::tokenize("a dog , a red apple , an apple , a dog , a bike and a bicycle"),
                                {"cat", "dog", "red apple"});
  EXPECT_EQ(a.counts.true_positives, 2);
  EXPECT_EQ(a.counts.false_positives, 1);
  EXPECT_EQ(a.counts.scene_objects, 3);
  EXPECT_EQ(a.counts.recalled, 2);
  EXPECT_EQ(a.recalled, Names({"dog", "red apple"}));
  ASSERT_EQ(a.hallucinated.size(), 1u);
  EXPECT_EQ(a.hallucinated[0], Names({"bicycle"}));
  EXPECT_DOUBLE_EQ(*a.counts.precision(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*a.counts.recall(), 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(*a.counts.f1(), 2.0 / 3.0);

  // "two apples" in a scene with both apples recalls both with one true positive.
  const auto b = score_mentions(lex, text::tokenize("two apples"), {"green apple", "red apple"});
  EXPECT_EQ(b.counts.true_positives, 1);
  EXPECT_EQ(b.counts.recalled, 2);

  MentionCounts sum;
  sum += a.counts;
  sum += b.counts;  // TP 3, FP 1, recalled 4 of 5
  EXPECT_DOUBLE_EQ(*sum.precision(), 0.75);
  EXPECT_DOUBLE_EQ(*sum.recall(), 0.8);
  EXPECT_DOUBLE_EQ(*sum.f1(), 2 * 0.75 * 0.8 / 1.55);

  // No mentions and no objects: undefined, not zero.
  const auto c = score_mentions(lex, text::tokenize("a blur"), {});
  EXPECT_FALSE(c.counts.precision());
  EXPECT_FALSE(c.counts.recall());
  EXPECT_FALSE(c.counts.f1());
  // Objects but no mentions: nothing recalled, F1 0 although precision is undefined.
  const auto d = score_mentions(lex, text::tokenize("a blur"), {"dog"});
  EXPECT_FALSE(d.counts.precision());
  EXPECT_DOUBLE_EQ(*d.counts.recall(), 0.0);
  EXPECT_DOUBLE_EQ(*d.counts.f1(), 0.0);
  EXPECT_EQ(scene_object_names({{"dog", 0, 0, 1, 1}, {"cat", 0, 0, 1, 1}, {"dog", 2, 2, 1, 1}}), Names({"cat", "dog"}));
}

TEST(Grounding, ContextInducedHallucinationsNeedAnAbsentObjectTheContextCues) {
  const ObjectLexicon lex(small_catalogue());
  const Names scene{"dog"};
  auto induced = [&](const std::string& caption, const std::string& context) {
    Names out;
    const auto tokens = text::tokenize(caption);
    for (const auto& h : context_hallucinations(lex, lex.find_mentions(tokens), scene, text::tokenize(context)))
      out.push_back(h.object + " <- " + text::join_tokens(h.cue));
    return out;
  };
  // The rocket is absent and "space" cues it; the cat is absent but not cued.
  EXPECT_EQ(induced("a dog , a rocket and a cat", "space, bar"), Names({"rocket <- space"}));
  // A multi-word keyword must occur as a phrase.
  EXPECT_EQ(induced("a rocket", "launch pad"), Names({"rocket <- launch pad"}));
  EXPECT_EQ(induced("a rocket", "pad launch"), Names());
  // Present objects are never hallucinations, whatever the context says.
  EXPECT_EQ(induced("a dog", "pet"), Names());
  // A shared noun: "apple" is cued through either apple's keywords or noun.
  EXPECT_EQ(induced("an apple", "fruit"), Names({"green apple <- fruit"}));
  EXPECT_EQ(induced("a bike", "bike"), Names({"bicycle <- bike"}));
  // The shipped catalogue's keywords.
  const ObjectLexicon& real = shipped_lexicon();
  const auto tokens = text::tokenize("a rocket and a dog");
  const auto h = context_hallucinations(real, real.find_mentions(tokens), {"dog"}, text::tokenize("space, bar"));
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].object, "rocket");
}

// A 96x96 scene: two dogs, top left and bottom right, and a red apple in the centre.
vision::ImageRecord two_dogs_and_an_apple() {
  vision::ImageRecord r;
  r.file_name = "dogs.png";
  r.width = r.height = 96;
  r.objects = {{"dog", 2, 2, 20, 20}, {"dog", 70, 70, 20, 20}, {"red apple", 38, 38, 20, 20}};
  return r;
}

TEST(Grounding, CountNeedsEveryObjectWithItsNumberAndARightTotal) {
  const ObjectLexicon& lex = shipped_lexicon();
  const auto scene = two_dogs_and_an_apple().objects;
  auto count = [&](const std::string& caption) { return follows_count(lex, text::tokenize(caption), scene); };
  EXPECT_TRUE(count("two dogs and one red apple"));
  EXPECT_TRUE(count("one red apple and two small dogs"));  // size and colour words may stand between
  EXPECT_TRUE(count("one little red apple , two dogs"));
  EXPECT_TRUE(count("there are three objects : two dogs and one red apple"));
  EXPECT_TRUE(count("three objects : one apple and two dogs"));  // a shared noun counts for its scene object
  EXPECT_FALSE(count("a dog and one red apple"));     // "a" is no number, and there are two
  EXPECT_FALSE(count("two dogs and a red apple"));    // "a" is no number even for one
  EXPECT_FALSE(count("one dog and one red apple"));   // wrong number
  EXPECT_FALSE(count("three dogs and one red apple"));
  EXPECT_FALSE(count("two dogs"));                    // the apple is not counted
  EXPECT_FALSE(count("two dogs , one red apple and one cat"));  // the scene has no cat
  EXPECT_FALSE(count("there are four objects : two dogs and one red apple"));  // wrong total
  EXPECT_FALSE(count("two objects : two dogs and one red apple"));
  // One object: "one dog" is counted, "a dog" is not.
  const std::vector<vision::ObjectBox> one_dog{{"dog", 0, 0, 10, 10}};
  EXPECT_TRUE(follows_count(lex, text::tokenize("one dog"), one_dog));
  EXPECT_TRUE(follows_count(lex, text::tokenize("there is one object : one dog"), one_dog));
  EXPECT_FALSE(follows_count(lex, text::tokenize("a dog"), one_dog));
  EXPECT_FALSE(follows_count(lex, text::tokenize("two dogs"), one_dog));
}

TEST(Grounding, WhereNeedsAPositionOfTheObjectsOwnRegionAfterEveryMention) {
  const ObjectLexicon& lex = shipped_lexicon();
  const vision::ImageRecord image = two_dogs_and_an_apple();
  auto where = [&](const std::string& caption) { return follows_where(lex, text::tokenize(caption), image); };
  EXPECT_TRUE(where("two dogs in the top left corner and at the bottom right , a red apple in the center"));
  EXPECT_TRUE(where("a red apple in the middle and two dogs at the bottom right"));  // any of the group's regions
  EXPECT_TRUE(where("two dogs at the top left"));       // the longest phrase: "at the top left", region 0
  EXPECT_FALSE(where("two dogs at the top"));           // region 1: no dog there
  EXPECT_FALSE(where("a red apple on the left and two dogs at the top left"));  // wrong region for the apple
  EXPECT_FALSE(where("a red apple in the center and two dogs"));                // the dogs' position is missing
  EXPECT_FALSE(where("a red apple , in the center"));  // the phrase must follow the noun phrase directly
  EXPECT_FALSE(where("a cat in the center"));           // the scene has no cat
  EXPECT_FALSE(where("in the center"));                 // no object named
  // A wide image: thirds of its own width and height.
  vision::ImageRecord wide;
  wide.file_name = "wide.png";
  wide.width = 300;
  wide.height = 90;
  wide.objects = {{"dog", 250, 5, 20, 20}};
  EXPECT_TRUE(follows_where(lex, text::tokenize("a dog in the top right corner"), wide));
  wide.width = wide.height = 0;
  EXPECT_THROW(follows_where(lex, text::tokenize("a dog in the top right corner"), wide), Error);
}

TEST(Grounding, BriefMeansNoPositionNoSizeAndNoBackground) {
  const ObjectLexicon& lex = shipped_lexicon();
  auto brief = [&](const std::string& caption) { return follows_brief(lex, text::tokenize(caption)); };
  EXPECT_TRUE(brief("two dogs and a red apple"));
  EXPECT_TRUE(brief("two brown dogs and an apple"));
  EXPECT_FALSE(brief("two small dogs and a red apple"));
  EXPECT_FALSE(brief("two dogs and a big red apple"));
  EXPECT_FALSE(brief("two dogs on the left and a red apple"));
  EXPECT_FALSE(brief("two dogs and a red apple on a blue background"));
  EXPECT_FALSE(brief("there is"));  // names nothing
  // The size words are the generator's.
  for (const auto size : {vision::SizeClass::Small, vision::SizeClass::Large})
    for (const std::string& w : vision::size_words(size)) EXPECT_FALSE(brief("a " + w + " dog")) << w;
}

TEST(Grounding, KeywordsDistractorsAndMixedFollowTheirCues) {
  const ObjectLexicon& lex = shipped_lexicon();
  const vision::ImageRecord image = two_dogs_and_an_apple();
  auto follows = [&](const std::string& kind, const std::string& context, const std::string& caption) {
    return follows_context(lex, image, {kind, "plain", context, {}}, text::tokenize(caption));
  };
  using Verdict = std::optional<bool>;
  // "pet" cues the dog (and the absent cat); "fruit" the red apple.
  EXPECT_EQ(cued_scene_objects(lex, {"dog", "red apple"}, text::tokenize("pet")), Names({"dog"}));
  EXPECT_EQ(follows("keywords", "pet", "two dogs"), Verdict(true));
  EXPECT_EQ(follows("keywords", "pet", "a red apple"), Verdict(false));
  EXPECT_EQ(follows("keywords", "fruit, pet", "two dogs"), Verdict(false));
  EXPECT_EQ(follows("keywords", "fruit, pet", "two dogs and an apple"), Verdict(true));
  EXPECT_EQ(follows("keywords", "space", "two dogs"), Verdict());  // cues nothing in the scene: not judged
  // Distractors: no absent object that the context cues.
  EXPECT_EQ(follows("distractors", "space", "two dogs and a rocket"), Verdict(false));
  EXPECT_EQ(follows("distractors", "space", "two dogs and a cat"), Verdict(true));  // the cat is not cued
  // Mixed: both.
  EXPECT_EQ(follows("mixed", "pet, space", "two dogs"), Verdict(true));
  EXPECT_EQ(follows("mixed", "pet, space", "a red apple"), Verdict(false));
  EXPECT_EQ(follows("mixed", "pet, space", "two dogs and a rocket"), Verdict(false));
  // Instructions are judged by their own rule; kinds without a rule are not judged.
  EXPECT_EQ(follows_context(lex, image, {"instruction", "count", "how many", {}},
                            text::tokenize("two dogs and one red apple")),
            Verdict(true));
  EXPECT_EQ(follows("other", "pet", "two dogs"), Verdict());
  EXPECT_EQ(context_kind_key({"instruction", "where", "say where", {}}), "where");
  EXPECT_EQ(context_kind_key({"mixed", "plain", "pet", {}}), "mixed");
}

TEST(Grounding, AnObjectWithoutKeywordsIsCuedByItsCategoryAsTheGeneratorDoes) {
  vision::SceneCatalogue c;
  c.objects = {scene_object("trumpet", "trumpet", "trumpets")};
  c.objects[0].category = "instrument";
  const ObjectLexicon lex(c);
  EXPECT_EQ(vision::context_words(c.objects[0]), Names({"instrument"}));
  EXPECT_EQ(cued_scene_objects(lex, {"trumpet"}, text::tokenize("instrument")), Names({"trumpet"}));
}

// Every target caption the generator writes for a context follows it: the rules read the
// generator's own grammar.
TEST(Grounding, TheGeneratorsTargetsFollowTheirContexts) {
  const vision::SceneCatalogue catalogue = vision::load_scene_catalogue(
      (fs::path(__FILE__).parent_path().parent_path() / "assets" / "scene-objects.json").string());
  const ObjectLexicon lex(catalogue);
  const vision::SceneHoldOut holdout(catalogue);
  Rng rng(11);
  std::map<std::string, int> judged;
  for (int scene = 0; scene < 300; ++scene) {
    const vision::SceneLayout layout =
        vision::sample_layout(catalogue, holdout, vision::SceneSplit::Train, vision::LayoutOptions{}, rng);
    vision::ImageRecord image;
    image.file_name = "scene " + std::to_string(scene);
    image.width = image.height = layout.canvas;
    for (const vision::PlacedObject& p : layout.objects) {
      const float half = 0.5f * static_cast<float>(p.size);
      image.objects.push_back({catalogue.objects[static_cast<size_t>(p.object)].name, p.cx - half, p.cy - half,
                               2 * half, 2 * half});
    }
    const auto plain = vision::caption_scene(layout, catalogue, vision::CaptionInstruction::Plain, rng);
    for (const vision::SceneContext& c : vision::draw_contexts(layout, catalogue, plain, 6, rng)) {
      const vision::ContextEntry entry{vision::context_kind_name(c.kind), vision::instruction_name(c.instruction),
                                       c.text, c.captions};
      for (const std::string& caption : c.captions) {
        const auto verdict = follows_context(lex, image, entry, text::tokenize(caption));
        if (!verdict) continue;
        EXPECT_TRUE(*verdict) << context_kind_key(entry) << " '" << c.text << "': " << caption;
        ++judged[context_kind_key(entry)];
      }
    }
  }
  for (const std::string& kind : followed_context_kinds()) EXPECT_GT(judged[kind], 100) << kind;
}

TEST(Grounding, ImageShareIsAttentionMassForConcatAndSlotNormRatioOtherwise) {
  model::StepRecord concat;  // 2 layers, 2 heads, 2 patches (the rest of the mass on context)
  concat.image = {0.5f, 0.25f, 0.25f, 0.25f,   // layer 0: heads mass 0.75 and 0.5
                  1.0f, 0.0f, 0.0f, 0.0f};     // layer 1: 1.0 and 0.0
  const auto by_layer = model::image_share_by_layer(concat, 2, 2, 2);
  EXPECT_FLOAT_EQ(by_layer[0], 0.625f);
  EXPECT_FLOAT_EQ(by_layer[1], 0.5f);
  EXPECT_FLOAT_EQ(model::image_share(concat, 2, 2, 2), 0.5625f);
  model::StepRecord separate = concat;
  separate.slot_norms = {3.0f, 1.0f, 0.0f, 0.0f};  // layer 1 added nothing: share 1
  EXPECT_FLOAT_EQ(model::image_share(separate, 2, 2, 2), (0.75f + 1.0f) / 2);
  EXPECT_THROW(model::image_share(concat, 3, 2, 2), Error);
}

// A 32x32 picture cut into 2x2 patches of 16 px; centres (8, 8), (24, 8), (8, 24), (24, 24).
vision::PatchGrid grid_2x2() {
  vision::PatchGrid g;
  g.rows = g.cols = 2;
  g.image_width = g.image_height = 32;
  g.boxes = {{0, 0, 16, 16}, {16, 0, 32, 16}, {0, 16, 16, 32}, {16, 16, 32, 32}};
  return g;
}

// A step whose attention (2 layers x 2 heads x 4 patches) is given per layer and head.
model::StepRecord step(const std::vector<std::vector<float>>& maps) {
  model::StepRecord s;
  for (const auto& m : maps) s.image.insert(s.image.end(), m.begin(), m.end());
  return s;
}

model::StepRecord pointing_at(int patch) {
  std::vector<float> m(4, 0.1f);
  m[static_cast<size_t>(patch)] = 0.7f;
  return step({m, m, m, m});
}

TEST(Grounding, PointingGameScoresPredictedAndInputStepsPerLayerAndOverall) {
  const ObjectLexicon lex(small_catalogue());
  const vision::PatchGrid grid = grid_2x2();
  // The dog covers the top-left patch's centre; tolerance 1/16 * 32 = 2 px.
  const std::vector<vision::ObjectBox> objects = {{"dog", 0, 0, 10, 10}};
  const Names words = text::tokenize("a dog and a cat");  // the cat is absent: no trial
  std::vector<model::StepRecord> steps(6, pointing_at(3));
  // Predicting "dog": layer 0 points at the dog; layer 1's heads disagree (argmax of their
  // mean is patch 3: a miss); the mean over all layers still points at the dog.
  steps[1] = step({{0.7f, 0.1f, 0.1f, 0.1f}, {0.7f, 0.1f, 0.1f, 0.1f},
                   {0.1f, 0.1f, 0.1f, 0.7f}, {0.2f, 0.1f, 0.1f, 0.6f}});
  steps[2] = pointing_at(1);  // "dog" as input: a miss everywhere
  PointingGame game(2, 2);
  game.add(words, steps, grid, objects, lex.find_mentions(words));
  const PointingResult& r = game.result();
  EXPECT_EQ(r.predicted.by_layer[0].hits, 1);
  EXPECT_EQ(r.predicted.by_layer[0].trials, 1);
  EXPECT_EQ(r.predicted.by_layer[1].hits, 0);
  EXPECT_EQ(r.predicted.by_layer[1].trials, 1);
  EXPECT_EQ(r.predicted.all.hits, 1);
  EXPECT_EQ(r.predicted.all.trials, 1);
  EXPECT_EQ(r.input.all.hits, 0);
  EXPECT_EQ(r.input.all.trials, 1);
  EXPECT_EQ(r.input.by_layer[0].hits + r.input.by_layer[1].hits, 0);
  EXPECT_DOUBLE_EQ(*r.predicted.all.chance(), 0.25);  // one patch centre of four
  EXPECT_DOUBLE_EQ(*r.input.all.accuracy(), 0.0);

  // A second caption cut at the length limit (no <eos> step): "dog" is its last word, so it has
  // a predicted trial and no input trial. Two dogs: pointing at the second one is a hit.
  const std::vector<vision::ObjectBox> two_dogs = {{"dog", 0, 0, 10, 10}, {"dog", 20, 20, 10, 10}};
  const Names cut = text::tokenize("two dogs");
  game.add(cut, {pointing_at(0), pointing_at(3)}, grid, two_dogs, lex.find_mentions(cut));
  EXPECT_EQ(game.result().predicted.all.trials, 2);
  EXPECT_EQ(game.result().predicted.all.hits, 2);
  EXPECT_EQ(game.result().input.all.trials, 1);
  EXPECT_DOUBLE_EQ(*game.result().predicted.all.chance(), (0.25 + 0.5) / 2);
}

TEST(Grounding, PointingToleranceEdgeIsInclusive) {
  const ObjectLexicon lex(small_catalogue());
  const vision::PatchGrid grid = grid_2x2();
  const Names words = text::tokenize("a dog");
  auto hits = [&](float w, float tolerance) {
    PointingGame game(2, 2, PointingOptions{tolerance});
    game.add(words, {pointing_at(0), pointing_at(0), pointing_at(0)}, grid, {{"dog", 0, 0, w, w}},
             lex.find_mentions(words));
    return game.result().predicted.all.hits;
  };
  EXPECT_EQ(hits(6.0f, 1.0f / 16), 1);   // grown edge at 6 + 2 = 8: the centre, inclusive
  EXPECT_EQ(hits(5.5f, 1.0f / 16), 0);   // 7.5 < 8
  EXPECT_EQ(hits(5.5f, 1.0f / 8), 1);    // 5.5 + 4 >= 8
  EXPECT_EQ(hits(8.0f, 0.0f), 1);        // no tolerance: the box itself
}

TEST(Grounding, PointingGameHelpers) {
  EXPECT_FALSE(patch_hits({5, 5, 5, 9}, {{0, 0, 100, 100}}));  // an empty (letterbox) patch
  EXPECT_TRUE(patch_hits({0, 0, 4, 4}, {{2, 2, 3, 3}}));
  // Layer- and head-mean vs one layer's head mean.
  const std::vector<float> image = {0.9f, 0.1f, 0.9f, 0.1f, 0.0f, 1.0f, 0.4f, 0.6f};  // 2 layers x 2 heads x 2
  EXPECT_EQ(pointed_patch(image, 2, 2, 2, 0), 0);
  EXPECT_EQ(pointed_patch(image, 2, 2, 2, 1), 1);
  EXPECT_EQ(pointed_patch(image, 2, 2, 2, -1), 0);  // 2.2 vs 1.8
  // cppcheck-suppress unusedScopedObject ; made only to see the constructor refuse it
  EXPECT_THROW(PointingGame(0, 2), Error);
  // A record of the wrong size is refused.
  const ObjectLexicon lex(small_catalogue());
  const Names words = text::tokenize("a dog");
  PointingGame game(2, 2);
  model::StepRecord bad;
  bad.image.assign(3, 0.0f);
  EXPECT_THROW(game.add(words, {bad, bad}, grid_2x2(), {{"dog", 0, 0, 4, 4}}, lex.find_mentions(words)), Error);
}

}  // namespace
}  // namespace glimpse::eval
