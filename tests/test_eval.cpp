// Evaluation on a tiny fixed dataset: the scorer with captions and attention given by hand
// (exact metric values), and evaluate() with a tiny random model (its report agrees with the
// metrics recomputed from the captions it reports, and is deterministic).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "eval_fixture.h"
#include "glimpse/core/error.h"
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

TEST_F(EvalTest, ScorerRunsThePointingGameAndSharesOnGivenAttention) {
  // 2 layers x 2 heads over a 2x2 grid of the 32x32 image 000.png.
  vision::PatchGrid grid;
  grid.rows = grid.cols = 2;
  grid.image_width = grid.image_height = 32;
  grid.boxes = {{0, 0, 16, 16}, {16, 0, 32, 16}, {0, 16, 16, 32}, {16, 16, 32, 32}};
  auto pointing_at = [](int patch, float mass) {
    model::StepRecord s;
    for (int r = 0; r < 4; ++r)
      for (int j = 0; j < 4; ++j) s.image.push_back((j == patch ? 0.7f : 0.1f) * mass);
    return s;
  };
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
