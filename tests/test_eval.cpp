// Evaluation on a tiny fixed dataset: the scorer with captions and attention given by hand
// (exact metric values), and evaluate() with a tiny random model (its report agrees with the
// metrics recomputed from the captions it reports, and is deterministic).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "eval_fixture.h"
#include "glimpse/core/error.h"
#include "glimpse/eval/bootstrap.h"
#include "glimpse/eval/evaluate.h"
#include "glimpse/text/tokenizer.h"
#include "model_fixture.h"

namespace glimpse::eval {
namespace {

namespace fs = std::filesystem;
using Names = std::vector<std::string>;

class EvalTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    lexicon_ = new ObjectLexicon(vision::load_scene_catalogue(glimpse::testing::shipped_catalogue_path()));
  }
  static void TearDownTestSuite() { delete lexicon_; }
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("glimpse_test_eval_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    data_ = vision::load_caption_dataset(glimpse::testing::write_eval_dataset(dir_));
    ASSERT_EQ(data_.images.size(), 3u) << data_.report.summary();
  }
  void TearDown() override { fs::remove_all(dir_); }

  static GeneratedCaption text_only(const std::string& caption) {
    GeneratedCaption g;
    g.words = text::tokenize(caption);
    return g;
  }

  static ObjectLexicon* lexicon_;
  fs::path dir_;
  vision::CaptionDataset data_;
};

ObjectLexicon* EvalTest::lexicon_ = nullptr;

TEST_F(EvalTest, ScorerGivesKnownValuesForGivenCaptions) {
  EvalScorer s(data_, *lexicon_, nullptr, 2, 2);
  const Names captions = {"a dog and a rocket", "a cat", "a bike"};
  for (size_t i = 0; i < 3; ++i) s.add(i, text_only(captions[i]));
  s.add_with_context(0, data_.images[0].contexts[0], text_only("a rocket and a dog"));  // "space, bar"
  s.add_with_context(1, data_.images[1].contexts[0], text_only("a cat"));              // "pet, space"
  const EvalReport r = s.finish();

  EXPECT_EQ(r.images, 3);
  // Caption metrics are text::evaluate_captions' on the same corpus.
  std::vector<text::CaptionSample> samples;
  for (size_t i = 0; i < 3; ++i) samples.push_back(text::make_caption_sample(captions[i], data_.images[i].captions));
  const text::CaptionMetrics m = text::evaluate_captions(samples, nullptr);
  EXPECT_EQ(r.metrics.bleu, m.bleu);
  EXPECT_EQ(r.metrics.meteor, m.meteor);
  EXPECT_EQ(r.metrics.rouge_l, m.rouge_l);
  EXPECT_EQ(r.metrics.cider_d, m.cider_d);
  // Objects: dog, cat, bicycle named (TP 3), rocket hallucinated (FP 1); the red apple missed.
  EXPECT_EQ(r.mentions.true_positives, 3);
  EXPECT_EQ(r.mentions.false_positives, 1);
  EXPECT_EQ(r.mentions.recalled, 3);
  EXPECT_EQ(r.mentions.scene_objects, 4);
  EXPECT_DOUBLE_EQ(*r.mentions.precision(), 0.75);
  EXPECT_DOUBLE_EQ(*r.mentions.recall(), 0.75);
  EXPECT_DOUBLE_EQ(*r.mentions.f1(), 0.75);
  EXPECT_EQ(r.hallucinating_captions, 1);
  EXPECT_DOUBLE_EQ(*r.hallucination_rate(), 1.0 / 3.0);
  // "space" cued the rocket; the cat caption under "pet, space" names nothing absent.
  EXPECT_EQ(r.distractor_captions, 2);
  EXPECT_EQ(r.distractor_hallucinating, 1);
  EXPECT_DOUBLE_EQ(*r.distractor_hallucination_rate(), 0.5);
  ASSERT_EQ(r.per_image.size(), 3u);
  EXPECT_EQ(r.per_image[0].file_name, "000.png");
  EXPECT_EQ(r.per_image[0].caption, "a dog and a rocket");
  EXPECT_EQ(r.per_image[0].objects, Names({"dog", "red apple"}));
  EXPECT_EQ(r.per_image[0].recalled, Names({"dog"}));
  EXPECT_EQ(r.per_image[0].hallucinated, Names({"rocket"}));
  ASSERT_EQ(r.per_image[0].with_context.size(), 1u);
  EXPECT_EQ(r.per_image[0].with_context[0].induced, Names({"rocket"}));
  EXPECT_EQ(r.per_image[2].references, data_.images[2].captions);
  // Text only: no pointing trials, no shares: "n/a", not 0.
  EXPECT_EQ(r.pointing.predicted.all.trials, 0);
  EXPECT_FALSE(r.pointing.predicted.all.accuracy());
  EXPECT_FALSE(r.shares.image());
  EXPECT_FALSE(r.captions_per_second());
  const nlohmann::json j = to_json(r);
  EXPECT_TRUE(j["pointing"]["predicted"]["all"]["accuracy"].is_null());
  EXPECT_DOUBLE_EQ(j["objects"]["precision"].get<double>(), 0.75);
  EXPECT_EQ(j["per_image"][0]["hallucinated"], nlohmann::json::array({"rocket"}));
}

// "Named twice": two mentions of one object, present ("a dog ... a dog") or absent ("a rocket
// ... a rocket"); synonyms of one object count as the same ("bikes" ... "bicycle"), and a
// plural with a count is one mention.
TEST_F(EvalTest, ScorerCountsCaptionsThatNameAnObjectTwice) {
  EvalScorer s(data_, *lexicon_, nullptr, 2, 2);
  const Names captions = {"a dog at the left and a dog at the right", "a cat and a rocket and a rocket",
                          "two bikes"};
  for (size_t i = 0; i < 3; ++i) s.add(i, text_only(captions[i]));
  const EvalReport r = s.finish();
  EXPECT_EQ(r.repeating_captions, 2);
  EXPECT_DOUBLE_EQ(*r.no_repeat_rate(), 1.0 / 3.0);
  EXPECT_EQ(r.per_image[0].repeated, Names({"dog"}));
  EXPECT_EQ(r.per_image[1].repeated, Names({"rocket"}));
  EXPECT_TRUE(r.per_image[2].repeated.empty());
  EXPECT_EQ(to_json(r)["repetition"]["repeating"], 2);

  EvalScorer synonyms(data_, *lexicon_, nullptr, 2, 2);
  synonyms.add(2, text_only("two bikes next to a bicycle"));
  EXPECT_EQ(synonyms.finish().repeating_captions, 1);
}

TEST_F(EvalTest, ScorerTalliesContextFollowingPerKind) {
  EvalScorer s(data_, *lexicon_, nullptr, 2, 2);
  const Names captions = {"a dog and a red apple", "a cat", "two bikes"};
  for (size_t i = 0; i < 3; ++i) s.add(i, text_only(captions[i]));
  const auto& img0 = data_.images[0].contexts;  // distractors "space, bar", keywords "pet"
  s.add_with_context(0, img0[0], text_only("a rocket and a dog"));                 // induced: not followed
  s.add_with_context(0, img0[1], text_only("a red apple"));                        // the cued dog missing
  s.add_with_context(1, data_.images[1].contexts[0], text_only("a cat"));          // mixed "pet, space"
  s.add_with_context(2, data_.images[2].contexts[0], text_only("two bicycles"));   // count "how many"
  const EvalReport r = s.finish();
  auto tally = [&](const std::string& kind) {
    const FollowTally t = r.followed(kind);
    return std::to_string(t.followed) + "/" + std::to_string(t.captions);
  };
  EXPECT_EQ(tally("distractors"), "0/1");
  EXPECT_EQ(tally("keywords"), "0/1");
  EXPECT_EQ(tally("mixed"), "1/1");
  EXPECT_EQ(tally("count"), "1/1");
  EXPECT_EQ(tally("where"), "0/0");
  EXPECT_FALSE(r.followed("where").rate());
  EXPECT_DOUBLE_EQ(*r.followed("count").rate(), 1.0);
  // The distractor rows keep counting the distractor kinds only.
  EXPECT_EQ(r.distractor_captions, 2);
  EXPECT_EQ(r.distractor_hallucinating, 1);
  ASSERT_EQ(r.per_image[0].with_context.size(), 2u);
  EXPECT_EQ(r.per_image[0].with_context[1].kind, "keywords");
  EXPECT_EQ(r.per_image[0].with_context[1].followed, std::optional<bool>(false));
  EXPECT_EQ(r.per_image[2].with_context[0].kind, "count");
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["context_following"]["count"]["captions"], 1);
  EXPECT_DOUBLE_EQ(j["context_following"]["mixed"]["rate"].get<double>(), 1.0);
  EXPECT_TRUE(j["context_following"]["brief"]["rate"].is_null());
  EXPECT_EQ(j["per_image"][2]["with_context"][0]["followed"], true);
}

TEST_F(EvalTest, ContextSelectionsByName) {
  for (const auto sel : {ContextSelection::None, ContextSelection::Distractors, ContextSelection::All})
    EXPECT_EQ(context_selection_from_name(context_selection_name(sel)), sel);
  EXPECT_THROW(context_selection_from_name("some"), Error);
  EXPECT_EQ(selected_contexts(data_.images[0], ContextSelection::All).size(), 2u);
  EXPECT_EQ(selected_contexts(data_.images[0], ContextSelection::Distractors).size(), 1u);
  EXPECT_EQ(selected_contexts(data_.images[2], ContextSelection::Distractors).size(), 0u);
  EXPECT_TRUE(selected_contexts(data_.images[0], ContextSelection::None).empty());
}

// A 2x2 patch grid over the 32x32 test images.
vision::PatchGrid two_by_two_grid() {
  vision::PatchGrid grid;
  grid.rows = grid.cols = 2;
  grid.image_width = grid.image_height = 32;
  grid.boxes = {{0, 0, 16, 16}, {16, 0, 32, 16}, {0, 16, 16, 32}, {16, 16, 32, 32}};
  return grid;
}

// A step record of 2 layers x 2 heads whose attention peaks on `patch`, total mass `mass`.
model::StepRecord pointing_at(int patch, float mass) {
  model::StepRecord s;
  for (int r = 0; r < 4; ++r)
    for (int j = 0; j < 4; ++j) s.image.push_back((j == patch ? 0.7f : 0.1f) * mass);
  return s;
}

TEST_F(EvalTest, ScorerRunsThePointingGameAndSharesOnGivenAttention) {
  // 2 layers x 2 heads over a 2x2 grid of the 32x32 image 000.png.
  const vision::PatchGrid grid = two_by_two_grid();
  GeneratedCaption c = text_only("a dog and a red apple");  // dog at (0,0)-(12,12), apple at (18,18)-(28,28)
  c.grid = grid;
  // Word 1 "dog" points at patch 0 (hit); word 5 "apple" at patch 0 (miss); the inputs at 3.
  c.steps = {pointing_at(2, 1), pointing_at(0, 1), pointing_at(3, 1), pointing_at(2, 1),
             pointing_at(2, 1), pointing_at(0, 0.5f), pointing_at(3, 0.5f)};
  EvalScorer s(data_, *lexicon_, nullptr, 2, 2);
  s.add(0, c);
  s.add(1, text_only("a cat"));
  const EvalReport r = s.finish();
  EXPECT_EQ(r.pointing.predicted.all.trials, 2);
  EXPECT_EQ(r.pointing.predicted.all.hits, 1);
  EXPECT_EQ(r.pointing.predicted.by_layer[1].hits, 1);
  EXPECT_EQ(r.pointing.input.all.trials, 2);
  EXPECT_EQ(r.pointing.input.all.hits, 1);  // patch 3's centre (24, 24) is on the apple
  // Concat-style records: the image share is the attention mass, 1 for four words, 0.5 for "apple".
  EXPECT_EQ(r.shares.words, 6);
  EXPECT_NEAR(*r.shares.image(), (5 * 1.0 + 0.5) / 6, 1e-6);
  EXPECT_NEAR(*r.shares.context(), 0.5 / 6, 1e-6);
}

// ---- bootstrap intervals -------------------------------------------------------------------------

// A report with something in every row: pointing and shares on image 0, context captions.
EvalReport scored_with_everything(const vision::CaptionDataset& data, const ObjectLexicon& lexicon) {
  const vision::PatchGrid grid = two_by_two_grid();
  auto words = [](const std::string& caption) {
    GeneratedCaption g;
    g.words = text::tokenize(caption);
    return g;
  };
  GeneratedCaption c = words("a dog and a red apple");
  c.grid = grid;
  c.steps = {pointing_at(2, 1), pointing_at(0, 1), pointing_at(3, 1), pointing_at(2, 1),
             pointing_at(2, 1), pointing_at(0, 0.5f), pointing_at(3, 0.5f)};
  GeneratedCaption distracted = words("a rocket and a dog");
  distracted.grid = grid;
  distracted.steps = {pointing_at(1, 0.5f), pointing_at(1, 0.5f), pointing_at(1, 1), pointing_at(1, 1),
                      pointing_at(0, 1)};
  EvalScorer s(data, lexicon, nullptr, 2, 2);
  s.add(0, c);
  s.add(1, words("a cat and a rocket"));
  s.add(2, words("two bikes"));
  s.add_with_context(0, data.images[0].contexts[0], distracted);          // distractors "space, bar"
  s.add_with_context(0, data.images[0].contexts[1], words("a dog"));      // keywords "pet"
  s.add_with_context(1, data.images[1].contexts[0], words("a cat"));      // mixed "pet, space"
  s.add_with_context(2, data.images[2].contexts[0], words("two bicycles"));  // count
  return s.finish();
}

// Each tallied metric as the report states it, by key.
std::map<std::string, std::optional<double>> report_values(const EvalReport& r) {
  std::map<std::string, std::optional<double>> v;
  for (size_t n = 0; n < 4; ++n) v["bleu_" + std::to_string(n + 1)] = r.metrics.bleu[n];
  v["meteor"] = r.metrics.meteor;
  v["rouge_l"] = r.metrics.rouge_l;
  v["cider_d"] = r.metrics.cider_d;
  v["object_precision"] = r.mentions.precision();
  v["object_recall"] = r.mentions.recall();
  v["object_f1"] = r.mentions.f1();
  v["hallucination_rate"] = r.hallucination_rate();
  v["no_repeat_rate"] = r.no_repeat_rate();
  v["distractor_hallucination_rate"] = r.distractor_hallucination_rate();
  for (const std::string& kind : followed_context_kinds()) v[kind + "_followed"] = r.followed(kind).rate();
  v["image_share"] = r.shares.image();
  v["context_share"] = r.shares.context();
  v["image_share_distractor"] = r.distractor_shares.image();
  v["context_share_distractor"] = r.distractor_shares.context();
  for (const auto& [name, step] : {std::pair{"predicted", &r.pointing.predicted}, std::pair{"input", &r.pointing.input}}) {
    const std::string key = std::string("pointing_") + name + "_";
    v[key + "all"] = step->all.accuracy();
    for (size_t l = 0; l < step->by_layer.size(); ++l)
      v[key + "layer_" + std::to_string(l + 1)] = step->by_layer[l].accuracy();
    v[key + "chance"] = step->all.chance();
  }
  return v;
}

std::vector<ImageTallies> tallies_of(const EvalReport& r) {
  std::vector<ImageTallies> out;
  for (const ImageResult& i : r.per_image) out.push_back(i.tallies);
  return out;
}

TEST_F(EvalTest, BootstrapIdentityResampleGivesEveryMetric) {
  const EvalReport r = scored_with_everything(data_, *lexicon_);
  ASSERT_GT(r.pointing.predicted.all.trials, 0);
  ASSERT_GT(r.distractor_shares.words, 0);
  const ImageTallies all = sum_tallies(tallies_of(r), {0, 1, 2});
  const auto expected = report_values(r);
  const std::vector<TalliedMetric> metrics = tallied_metrics(2);
  ASSERT_EQ(metrics.size(), expected.size());
  for (const TalliedMetric& m : metrics) {
    ASSERT_TRUE(expected.count(m.key)) << m.key;
    const std::optional<double> want = expected.at(m.key), got = m.value(all);
    ASSERT_EQ(got.has_value(), want.has_value()) << m.key;
    if (want) {
      EXPECT_NEAR(*got, *want, 1e-9) << m.key;
    }
  }
}

TEST_F(EvalTest, BootstrapIntervalsContainThePointValueAndAreDeterministic) {
  EvalReport r = scored_with_everything(data_, *lexicon_);
  add_bootstrap_intervals(r, {});
  const auto values = report_values(r);
  ASSERT_FALSE(r.ci95.empty());
  for (const auto& [key, ci] : r.ci95) {
    ASSERT_TRUE(values.at(key)) << key;
    EXPECT_LE(ci.lo, ci.hi) << key;
    EXPECT_LE(ci.lo, *values.at(key) + 1e-12) << key;
    EXPECT_GE(ci.hi, *values.at(key) - 1e-12) << key;
  }
  // Undefined on the full set (no "where" captions): no interval either.
  EXPECT_FALSE(r.ci95.count("where_followed"));

  EvalReport again = scored_with_everything(data_, *lexicon_);
  add_bootstrap_intervals(again, {});
  for (const auto& [key, ci] : r.ci95) {
    EXPECT_EQ(again.ci95.at(key).lo, ci.lo) << key;
    EXPECT_EQ(again.ci95.at(key).hi, ci.hi) << key;
  }
  // The seed fixes the draws (with three images the intervals themselves may coincide).
  std::mt19937_64 a(kBootstrapSeed), b(kBootstrapSeed), c(kBootstrapSeed + 1);
  const std::vector<size_t> draw = draw_resample(a, 50);
  EXPECT_EQ(draw_resample(b, 50), draw);
  EXPECT_NE(draw_resample(c, 50), draw);
  add_bootstrap_intervals(again, {0});
  EXPECT_TRUE(again.ci95.empty());

  const nlohmann::json j = to_json(r);
  EXPECT_DOUBLE_EQ(j["intervals"]["object_f1"]["value"].get<double>(), *r.mentions.f1());
  EXPECT_EQ(j["intervals"]["object_f1"]["ci95"][0].get<double>(), r.ci95.at("object_f1").lo);
  EXPECT_EQ(j["intervals"]["object_f1"]["ci95"][1].get<double>(), r.ci95.at("object_f1").hi);
  EXPECT_DOUBLE_EQ(j["objects"]["f1"].get<double>(), *r.mentions.f1());  // the old field stays
}

TEST(EvalBootstrap, ImagesThatAllScoreTheSameGiveZeroWidthIntervals) {
  ImageTallies one;
  one.images = 1;
  one.captions.images = 1;
  one.captions.bleu.matches = {5, 3, 2, 1};
  one.captions.bleu.candidates = {6, 5, 4, 3};
  one.captions.bleu.candidate_length = 6;
  one.captions.bleu.reference_length = 7;
  one.captions.meteor = 0.3;
  one.captions.rouge_l = 0.55;
  one.captions.cider_d = 0.7;
  one.mentions = {2, 1, 3, 2};
  one.hallucinating_captions = 1;
  one.pointing.predicted.by_layer = {{1, 2, 0.5}};
  one.pointing.predicted.all = {1, 2, 0.5};
  one.shares = {5, 4.0};
  one.following["brief"] = {2, 1};
  const std::vector<ImageTallies> images(5, one);
  const auto ci = bootstrap_intervals(images, 1, {});
  ASSERT_FALSE(ci.empty());
  for (const TalliedMetric& m : tallied_metrics(1)) {
    const auto v = m.value(one);
    if (!v) {
      EXPECT_FALSE(ci.count(m.key)) << m.key;
      continue;
    }
    ASSERT_TRUE(ci.count(m.key)) << m.key;
    EXPECT_NEAR(ci.at(m.key).lo, *v, 1e-12) << m.key;
    EXPECT_NEAR(ci.at(m.key).hi, *v, 1e-12) << m.key;
  }
}

// Four images with object counts chosen by hand; the interval is the one computed directly
// from the same draws: F1 of the summed counts, then the 2.5th / 97.5th percentile with
// linear interpolation between order statistics.
TEST(EvalBootstrap, KnownSmallCaseMatchesADirectComputation) {
  const int64_t tp[] = {3, 1, 0, 2}, fp[] = {0, 2, 1, 0}, objects[] = {3, 2, 2, 4}, recalled[] = {3, 1, 0, 2};
  std::vector<ImageTallies> images(4);
  for (size_t i = 0; i < 4; ++i) {
    images[i].images = 1;
    images[i].captions.images = 1;
    images[i].mentions = {tp[i], fp[i], objects[i], recalled[i]};
  }
  const BootstrapOptions options{400, 7};
  const auto ci = bootstrap_intervals(images, 0, options);

  std::mt19937_64 rng(options.seed);
  std::vector<double> f1;
  for (int b = 0; b < options.resamples; ++b) {
    int64_t t = 0, f = 0, o = 0, r = 0;
    for (const size_t i : draw_resample(rng, 4)) {
      t += tp[i];
      f += fp[i];
      o += objects[i];
      r += recalled[i];
    }
    const double p = t + f > 0 ? static_cast<double>(t) / static_cast<double>(t + f) : 0.0;
    const double rec = static_cast<double>(r) / static_cast<double>(o);
    f1.push_back(p + rec > 0 ? 2 * p * rec / (p + rec) : 0.0);
  }
  std::sort(f1.begin(), f1.end());
  // 400 values: the 2.5th percentile sits at 0.025 * 399 = 9.975, the 97.5th at 389.025.
  const double lo = f1[9] + 0.975 * (f1[10] - f1[9]);
  const double hi = f1[389] + 0.025 * (f1[390] - f1[389]);
  EXPECT_NEAR(ci.at("object_f1").lo, lo, 1e-12);
  EXPECT_NEAR(ci.at("object_f1").hi, hi, 1e-12);

  // The draws are uniform over the images: each of the 4 appears about a quarter of the time.
  std::mt19937_64 draws(1);
  std::vector<int> seen(4, 0);
  for (int b = 0; b < 4000; ++b)
    for (const size_t i : draw_resample(draws, 4)) ++seen[i];
  for (const int n : seen) EXPECT_NEAR(n, 4000, 300);
}

// Paired differences draw the same images for both models: B - A of the summed counts per
// draw, then the same percentiles. Checked against that direct computation on hand-made
// counts; a model against itself differs by exactly 0 in every resample.
TEST(EvalBootstrap, PairedDifferencesUseTheSameDrawForBothModels) {
  const int64_t tp_a[] = {3, 1, 0, 2, 1}, tp_b[] = {3, 2, 1, 2, 2}, objects[] = {3, 2, 2, 4, 2};
  std::vector<ImageTallies> a(5), b(5);
  for (size_t i = 0; i < 5; ++i) {
    for (auto* t : {&a[i], &b[i]}) {
      t->images = 1;
      t->captions.images = 1;
    }
    a[i].mentions = {tp_a[i], 1, objects[i], tp_a[i]};
    b[i].mentions = {tp_b[i], 0, objects[i], tp_b[i]};
    a[i].hallucinating_captions = 1;
  }
  const BootstrapOptions options{300, 11};
  const auto d = paired_differences(a, b, 0, options);
  ASSERT_TRUE(d.count("object_recall"));
  EXPECT_NEAR(d.at("object_recall").value, 10.0 / 13.0 - 7.0 / 13.0, 1e-12);
  EXPECT_NEAR(d.at("hallucination_rate").value, -1.0, 1e-12);

  std::mt19937_64 rng(options.seed);
  std::vector<double> diffs;
  for (int r = 0; r < options.resamples; ++r) {
    int64_t ra = 0, rb = 0, o = 0;
    for (const size_t i : draw_resample(rng, 5)) {
      ra += tp_a[i];
      rb += tp_b[i];
      o += objects[i];
    }
    diffs.push_back(static_cast<double>(rb - ra) / static_cast<double>(o));
  }
  const Interval want = percentile_interval(diffs);
  EXPECT_NEAR(d.at("object_recall").ci95.lo, want.lo, 1e-12);
  EXPECT_NEAR(d.at("object_recall").ci95.hi, want.hi, 1e-12);
  // B recalls at least as much on every image and more on three: the interval is above 0.
  EXPECT_TRUE(d.at("object_recall").excludes_zero());

  for (const auto& [key, same] : paired_differences(a, a, 0, options)) {
    EXPECT_EQ(same.value, 0.0) << key;
    EXPECT_EQ(same.ci95.lo, 0.0) << key;
    EXPECT_EQ(same.ci95.hi, 0.0) << key;
    EXPECT_FALSE(same.excludes_zero()) << key;
  }
  EXPECT_THROW(paired_differences(a, std::vector<ImageTallies>(4, b[0]), 0, options), Error);
  EXPECT_THROW(paired_differences(a, b, 0, {0, 1}), Error);
}

TEST(EvalBootstrap, PercentilesInterpolateBetweenOrderStatistics) {
  std::vector<double> values;
  for (int i = 100; i >= 0; --i) values.push_back(i);
  const Interval ci = percentile_interval(values);
  EXPECT_NEAR(ci.lo, 2.5, 1e-12);
  EXPECT_NEAR(ci.hi, 97.5, 1e-12);
  EXPECT_EQ(percentile_interval({4.0}).lo, 4.0);
  EXPECT_THROW(percentile_interval({}), Error);
}

TEST_F(EvalTest, ScorerRefusesMisuse) {
  EvalScorer s(data_, *lexicon_, nullptr, 2, 2);
  EXPECT_THROW(s.finish(), Error);
  EXPECT_THROW(s.add(3, text_only("a cat")), Error);
  EXPECT_THROW(s.add_with_context(0, data_.images[0].contexts[0], text_only("a cat")), Error);
  s.add(0, text_only("a dog"));
  EXPECT_THROW(s.add(0, text_only("a dog")), Error);
}

class EvalModelTest : public EvalTest, public ::testing::WithParamInterface<FusionKind> {};

TEST_P(EvalModelTest, ReportAgreesWithItsCaptionsAndIsDeterministic) {
  const text::Vocabulary vocab = glimpse::testing::eval_vocabulary(data_);
  auto cfg = glimpse::testing::tiny_config(GetParam());
  cfg.vocab_size = vocab.size();
  model::CaptionModel m(cfg, 17);
  EvalOptions o;
  o.batch = 2;  // two batches for three images
  const EvalReport r = evaluate(m, vocab, data_, *lexicon_, nullptr, o);

  EXPECT_EQ(r.fusion, fusion_name(GetParam()));
  EXPECT_EQ(r.images, 3);
  ASSERT_EQ(r.per_image.size(), 3u);
  // Image 0 has a distractor and a keywords context, image 1 a mixed one, image 2 a count one.
  EXPECT_EQ(r.distractor_captions, 2);
  EXPECT_EQ(r.captions_decoded, 7);
  // Every context caption is judged by its kind's rule; the tallies agree with the captions.
  std::map<std::string, FollowTally> following;
  for (size_t i = 0; i < 3; ++i) {
    ASSERT_EQ(r.per_image[i].with_context.size(), data_.images[i].contexts.size());
    for (size_t k = 0; k < data_.images[i].contexts.size(); ++k) {
      const ContextCaption& c = r.per_image[i].with_context[k];
      const auto verdict = follows_context(*lexicon_, data_.images[i], data_.images[i].contexts[k],
                                           text::tokenize(c.caption));
      EXPECT_EQ(c.followed, verdict);
      if (!verdict) continue;
      following[c.kind].captions += 1;
      following[c.kind].followed += *verdict ? 1 : 0;
    }
  }
  for (const std::string kind : {"keywords", "distractors", "mixed", "count"}) {
    EXPECT_EQ(r.followed(kind).captions, 1) << kind;
    EXPECT_EQ(r.followed(kind).followed, following[kind].followed) << kind;
  }
  EXPECT_EQ(r.followed("brief").captions, 0);
  EXPECT_EQ(r.followed("where").captions, 0);
  EXPECT_GT(r.decode_seconds, 0.0);
  ASSERT_TRUE(r.captions_per_second());

  // Recompute the text metrics and the object counts from the reported captions.
  std::vector<text::CaptionSample> samples;
  MentionCounts counts;
  int64_t trials = 0, hallucinating = 0;
  for (size_t i = 0; i < 3; ++i) {
    const ImageResult& ir = r.per_image[i];
    EXPECT_EQ(ir.file_name, data_.images[i].file_name);
    EXPECT_EQ(ir.references, data_.images[i].captions);
    samples.push_back(text::make_caption_sample(ir.caption, ir.references));
    const Names words = text::tokenize(ir.caption);
    const CaptionMentions cm = score_mentions(*lexicon_, words, scene_object_names(data_.images[i].objects));
    counts += cm.counts;
    hallucinating += cm.hallucinated.empty() ? 0 : 1;
    for (const Mention& mention : cm.mentions) trials += mention_in_scene(mention, cm.recalled) ? 1 : 0;
  }
  const text::CaptionMetrics tm = text::evaluate_captions(samples, nullptr);
  EXPECT_EQ(r.metrics.bleu, tm.bleu);
  EXPECT_EQ(r.metrics.cider_d, tm.cider_d);
  EXPECT_EQ(r.metrics.meteor, tm.meteor);
  EXPECT_EQ(r.metrics.rouge_l, tm.rouge_l);
  EXPECT_EQ(r.mentions.true_positives, counts.true_positives);
  EXPECT_EQ(r.mentions.false_positives, counts.false_positives);
  EXPECT_EQ(r.mentions.recalled, counts.recalled);
  EXPECT_EQ(r.mentions.scene_objects, 4);
  EXPECT_EQ(r.hallucinating_captions, hallucinating);
  // One predicted trial per mention of a present object; each layer sees the same trials.
  EXPECT_EQ(r.pointing.predicted.all.trials, trials);
  ASSERT_EQ(r.pointing.predicted.by_layer.size(), 2u);
  for (const auto& t : r.pointing.predicted.by_layer) EXPECT_EQ(t.trials, trials);
  EXPECT_LE(r.pointing.input.all.trials, trials);
  // Shares: fractions; the empty context leaves everything to the image.
  ASSERT_TRUE(r.shares.image());
  EXPECT_NEAR(*r.shares.image(), 1.0, 1e-5);
  ASSERT_TRUE(r.distractor_shares.image());
  EXPECT_GE(*r.distractor_shares.image(), 0.0);
  EXPECT_LE(*r.distractor_shares.image(), 1.0 + 1e-6);

  // Deterministic, and independent of the batch size up to float reassociation in the shares.
  o.batch = 16;
  const EvalReport again = evaluate(m, vocab, data_, *lexicon_, nullptr, o);
  nlohmann::json a = to_json(r), b = to_json(again);
  for (auto* j : {&a, &b}) {
    j->erase("speed");
    j->erase("shares");
  }
  EXPECT_EQ(a, b);
  EXPECT_NEAR(*again.shares.image(), *r.shares.image(), 1e-5);
  EXPECT_NEAR(*again.distractor_shares.image(), *r.distractor_shares.image(), 1e-5);

  // --limit and --contexts none.
  o.max_images = 2;
  o.contexts = ContextSelection::None;
  const EvalReport two = evaluate(m, vocab, data_, *lexicon_, nullptr, o);
  EXPECT_EQ(two.images, 2);
  EXPECT_EQ(two.distractor_captions, 0);
  EXPECT_FALSE(two.distractor_hallucination_rate());
  EXPECT_EQ(two.per_image[1].caption, r.per_image[1].caption);
  EXPECT_EQ(two.captions_decoded, 2);
  EXPECT_TRUE(two.following.empty());
  // --contexts distractors: the distractor and mixed entries only.
  o.contexts = ContextSelection::Distractors;
  const EvalReport distractors = evaluate(m, vocab, data_, *lexicon_, nullptr, o);
  EXPECT_EQ(distractors.captions_decoded, 4);
  EXPECT_EQ(distractors.followed("distractors").captions, 1);
  EXPECT_EQ(distractors.followed("mixed").captions, 1);
  EXPECT_EQ(distractors.followed("keywords").captions, 0);
}

INSTANTIATE_TEST_SUITE_P(Fusions, EvalModelTest,
                         ::testing::Values(FusionKind::Concat, FusionKind::Separate, FusionKind::Gated),
                         [](const auto& info) { return std::string(fusion_name(info.param)); });

TEST_F(EvalTest, EvaluateRefusesBadInput) {
  const text::Vocabulary vocab = glimpse::testing::eval_vocabulary(data_);
  auto cfg = glimpse::testing::tiny_config(FusionKind::Concat);
  cfg.vocab_size = vocab.size();
  model::CaptionModel m(cfg, 3);
  EvalOptions o;
  o.batch = 0;
  EXPECT_THROW(evaluate(m, vocab, data_, *lexicon_, nullptr, o), Error);
  o = {};
  o.beam = 0;
  EXPECT_THROW(evaluate(m, vocab, data_, *lexicon_, nullptr, o), Error);
  // A vocabulary that does not fit the model.
  EXPECT_THROW(evaluate(m, text::Vocabulary({"a"}), data_, *lexicon_, nullptr, {}), Error);
  vision::CaptionDataset empty;
  EXPECT_THROW(evaluate(m, vocab, empty, *lexicon_, nullptr, {}), Error);
  // The unseen-object rule reads an object head; this model has none (tiny_config), and says so.
  o = {};
  o.mention_rules.min_presence = 0.5f;
  try {
    evaluate(m, vocab, data_, *lexicon_, nullptr, o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("object head"), std::string::npos) << e.what();
  }
  // An image that vanished after loading is named.
  fs::remove(dir_ / "001.png");
  try {
    evaluate(m, vocab, data_, *lexicon_, nullptr, {});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("001.png"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace glimpse::eval
