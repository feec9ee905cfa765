// Caption metrics. BLEU, METEOR, the Porter stemmer and WordNet synonyms are compared with
// NLTK's own results (tests/metrics/make_fixtures.py, Debian's python3-nltk); ROUGE-L and
// CIDEr-D, which NLTK does not have, against values worked out by hand from coco-caption's
// definitions; WordNet parsing and morphy also against a small hand-written database.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "glimpse/core/error.h"
#include "glimpse/text/metrics.h"
#include "glimpse/text/porter_stemmer.h"
#include "glimpse/text/wordnet.h"

namespace {

using glimpse::Error;
using namespace glimpse::text;
using json = nlohmann::json;

// Both sides compute in double with the same operations, so only rounding separates them.
constexpr double kBleuTolerance = 1e-9;
constexpr double kMeteorTolerance = 1e-9;
constexpr double kHandTolerance = 1e-12;

const json& fixtures() {
  static const json data = [] {
    const char* dir = std::getenv("GLIMPSE_METRICS_DIR");
    if (dir == nullptr) {
      throw std::runtime_error(
          "GLIMPSE_METRICS_DIR is not set: run through ctest, which runs "
          "tests/metrics/make_fixtures.py first");
    }
    const std::string path = std::string(dir) + "/metrics.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return data;
}

Tokens tokens_of(const json& j) { return j.get<Tokens>(); }

std::vector<CaptionSample> samples_of(const json& corpus) {
  std::vector<CaptionSample> samples;
  for (const json& s : corpus) {
    CaptionSample sample;
    sample.candidate = tokens_of(s["candidate"]);
    for (const json& r : s["references"]) sample.references.push_back(tokens_of(r));
    samples.push_back(std::move(sample));
  }
  return samples;
}

Tokens words(const std::string& s) {
  Tokens out;
  std::string w;
  for (char c : s + " ") {
    if (c == ' ') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  return out;
}

// ---- BLEU ---------------------------------------------------------------------------------

TEST(Bleu, MatchesNltkCorpusBleu) {
  int corpora = 0;
  for (const json& c : fixtures()["bleu"]) {
    const std::array<double, 4> bleu = corpus_bleu(samples_of(c["samples"]));
    for (int n = 0; n < 4; ++n) {
      EXPECT_NEAR(bleu[n], c["expected"][n].get<double>(), kBleuTolerance)
          << "corpus " << c["name"] << ", BLEU-" << n + 1;
    }
    ++corpora;
  }
  EXPECT_GE(corpora, 30);
}

// Candidates shorter than n: coco counts len - n + 1 = 0 candidate n-grams for them, so a
// corpus of perfect captions scores 1. (nltk counts max(1, 0) = 1 and would give
// BLEU-3 = (1 * 1 * 2/3)^(1/3) = 0.874 and BLEU-4 = (1 * 1 * 2/3 * 1/2)^(1/4) = 0.760.)
TEST(Bleu, ShortCandidatesCountNoHigherOrderNgrams) {
  const std::vector<CaptionSample> corpus = {{words("a dog"), {words("a dog")}},
                                             {words("a big red ball"), {words("a big red ball")}}};
  const std::array<double, 4> bleu = corpus_bleu(corpus);
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(bleu[n], 1.0, kHandTolerance) << "BLEU-" << n + 1;
}

// "a dog" against "a dog runs fast": c = 2, r = 4, BP = exp(1 - 4/2) = e^-1; unigram and bigram
// precisions are 1; there is no trigram, so BLEU-3 and BLEU-4 are 0.
TEST(Bleu, BrevityPenaltyByHand) {
  const std::array<double, 4> bleu = corpus_bleu({{words("a dog"), {words("a dog runs fast")}}});
  EXPECT_NEAR(bleu[0], std::exp(-1.0), kHandTolerance);
  EXPECT_NEAR(bleu[1], std::exp(-1.0), kHandTolerance);
  EXPECT_EQ(bleu[2], 0.0);
  EXPECT_EQ(bleu[3], 0.0);
  // An empty candidate: BP = 0.
  EXPECT_EQ(corpus_bleu({{{}, {words("a dog")}}})[0], 0.0);
}

TEST(Bleu, RefusesEmptyInput) {
  EXPECT_THROW(corpus_bleu({}), Error);
  EXPECT_THROW(corpus_bleu({{words("a dog"), {}}}), Error);
}

// ---- ROUGE-L ------------------------------------------------------------------------------

// candidate c = "a dog runs on the grass" (6 tokens)
//   r1 = "a dog is running on grass" (6): LCS "a dog on grass" = 4 -> P = 4/6, R = 4/6
//   r2 = "the grass" (2):                 LCS "the grass" = 2      -> P = 2/6, R = 2/2
// coco maximises P and R separately: P = 2/3, R = 1, so
//   F = (1 + 1.44) (2/3)(1) / (1 + 1.44 (2/3)) = (4.88/3) / 1.96 = 122/147 = 0.829932
// (the best F of a single reference would be 2/3 from r1).
TEST(RougeL, HandComputed) {
  const Tokens candidate = words("a dog runs on the grass");
  const std::vector<Tokens> refs = {words("a dog is running on grass"), words("the grass")};
  EXPECT_NEAR(rouge_l(candidate, refs), 122.0 / 147.0, kHandTolerance);
  EXPECT_NEAR(rouge_l(candidate, {refs[0]}), 2.0 / 3.0, kHandTolerance);
  // Identical: P = R = 1, F = 2.44 / 2.44 = 1.
  EXPECT_NEAR(rouge_l(candidate, {candidate}), 1.0, kHandTolerance);
  // No common word, an empty candidate, an empty reference: 0.
  EXPECT_EQ(rouge_l(words("x y"), refs), 0.0);
  EXPECT_EQ(rouge_l({}, refs), 0.0);
  EXPECT_EQ(rouge_l(candidate, {{}}), 0.0);
  // LCS is order-sensitive: "grass the" shares only one in-order word with "the grass":
  // P = 1/2, R = 1/2, F = 2.44 * 0.25 / (0.5 + 0.72) = 0.61 / 1.22 = 0.5.
  EXPECT_NEAR(rouge_l(words("grass the"), {words("the grass")}), 0.5, kHandTolerance);
  EXPECT_THROW(rouge_l(candidate, {}), Error);

  const CorpusScore corpus = corpus_rouge_l({{candidate, refs}, {words("x y"), refs}});
  EXPECT_NEAR(corpus.mean, 61.0 / 147.0, kHandTolerance);
  ASSERT_EQ(corpus.per_image.size(), 2u);
  EXPECT_EQ(corpus.per_image[1], 0.0);
}

// ---- CIDEr-D ------------------------------------------------------------------------------

// Three images, N = 3, so an n-gram in the references of one image has IDF weight
// u = ln 3 - ln 1 = ln 3, one in two images v = ln 3 - ln 2 = ln 1.5, and an n-gram in no
// reference ln 3 - ln max(1, 0) = u. Weights are tf * IDF.
//   image 1: c = "x x y", refs {"x y"}        df: x 1, y 2 (images 1, 2), "x y" 1
//   image 2: c = "y z",   refs {"y z", "q"}   df: z 1, "y z" 1, q 1
//   image 3: c = "w",     refs {"w w"}        df: w 1, "w w" 1
// Image 1, unigrams: c = {x: 2u, y: v}, r = {x: u, y: v}; clipped dot = min(2u, u) u + v v
//   = u^2 + v^2; |c| = sqrt(4u^2 + v^2), |r| = sqrt(u^2 + v^2) -> sqrt(u^2+v^2)/sqrt(4u^2+v^2)
//   = 0.524117. Bigrams: c = {"x x": u, "x y": u}, r = {"x y": u} -> u^2 / (sqrt2 u * u) = 1/sqrt2.
//   No trigrams -> 0. Lengths (bigram counts) 2 vs 1: penalty exp(-1/72) = 0.986207.
//   CIDEr-D = 10 * mean over n of the sums / 1 reference
//           = 2.5 exp(-1/72) (0.524117 + 0.707107) = 3.035605.
// Image 2: against "y z" unigrams and bigrams are identical (1, 1), against "q" nothing (0):
//   10 * (1 + 1 + 0 + 0) / 4 / 2 references = 2.5.
// Image 3: unigrams c = {w: u}, r = {w: 2u}: min(u, 2u) 2u / (u * 2u) = 1; c has no bigram,
//   so its zero-norm orders give 0; lengths 0 vs 1: 10 * 1/4 * exp(-1/72) = 2.465518.
TEST(CiderD, HandComputed) {
  const std::vector<CaptionSample> corpus = {{words("x x y"), {words("x y")}},
                                             {words("y z"), {words("y z"), words("q")}},
                                             {words("w"), {words("w w")}}};
  const double u = std::log(3.0);
  const double v = std::log(1.5);
  const double penalty = std::exp(-1.0 / 72.0);
  const double expected1 =
      2.5 * penalty * (std::sqrt(u * u + v * v) / std::sqrt(4 * u * u + v * v) + 1 / std::sqrt(2.0));
  const double expected3 = 2.5 * penalty;

  const CorpusScore score = corpus_cider_d(corpus);
  ASSERT_EQ(score.per_image.size(), 3u);
  EXPECT_NEAR(score.per_image[0], expected1, kHandTolerance);
  EXPECT_NEAR(score.per_image[0], 3.035605, 1e-6);
  EXPECT_NEAR(score.per_image[1], 2.5, kHandTolerance);
  EXPECT_NEAR(score.per_image[2], expected3, kHandTolerance);
  EXPECT_NEAR(score.mean, (expected1 + 2.5 + expected3) / 3.0, kHandTolerance);
}

// With a single image every reference n-gram is in all (one) documents: IDF ln 1 - ln 1 = 0,
// and n-grams in no reference get ln 1 - ln 1 = 0 too, so CIDEr-D is 0 whatever the caption.
TEST(CiderD, SingleImageScoresZero) {
  const Tokens c = words("a dog on the grass");
  EXPECT_EQ(corpus_cider_d({{c, {c}}}).mean, 0.0);
  EXPECT_THROW(corpus_cider_d({}), Error);
  EXPECT_THROW(corpus_cider_d({{c, {}}}), Error);
}

// ---- METEOR against NLTK --------------------------------------------------------------------

TEST(Meteor, ExactAndStemMatchingAgreesWithNltk) {
  const Meteor meteor(nullptr);
  EXPECT_FALSE(meteor.uses_synonyms());
  int cases = 0;
  for (const json& c : fixtures()["meteor"]) {
    std::vector<Tokens> refs;
    for (const json& r : c["references"]) refs.push_back(tokens_of(r));
    EXPECT_NEAR(meteor.score(tokens_of(c["candidate"]), refs), c["exact_stem"].get<double>(),
                kMeteorTolerance)
        << "candidate " << c["candidate"] << " references " << c["references"];
    ++cases;
  }
  EXPECT_GE(cases, 300);
}

std::optional<WordNet>& debian_wordnet() {
  static std::optional<WordNet> wordnet = WordNet::load_debian_if_installed();
  return wordnet;
}

// Empty when both this process and the fixture script had Debian's WordNet.
std::string why_no_wordnet_comparison() {
  const std::string where = std::string(" (") + WordNet::kDebianDirectory + ")";
  if (!debian_wordnet()) {
    return "wordnet-base is not installed" + where + ": METEOR runs with exact and stem matching only";
  }
  if (!fixtures()["wordnet"].get<bool>()) {
    return "the fixtures were made without wordnet-base" + where + "; rerun make_fixtures.py";
  }
  return "";
}

TEST(Meteor, WithWordNetAgreesWithNltk) {
  if (const std::string why = why_no_wordnet_comparison(); !why.empty()) GTEST_SKIP() << why;
  const Meteor meteor(&*debian_wordnet());
  EXPECT_TRUE(meteor.uses_synonyms());
  int differs_from_exact_stem = 0;
  for (const json& c : fixtures()["meteor"]) {
    std::vector<Tokens> refs;
    for (const json& r : c["references"]) refs.push_back(tokens_of(r));
    const double expected = c["with_wordnet"].get<double>();
    EXPECT_NEAR(meteor.score(tokens_of(c["candidate"]), refs), expected, kMeteorTolerance)
        << "candidate " << c["candidate"] << " references " << c["references"];
    if (expected != c["exact_stem"].get<double>()) ++differs_from_exact_stem;
  }
  // The fixture really exercises the synonym stage.
  EXPECT_GE(differs_from_exact_stem, 50);
}

TEST(PorterStemmer, AgreesWithNltk) {
  int words_checked = 0;
  for (const auto& [word, stem] : fixtures()["stems"].items()) {
    EXPECT_EQ(porter_stem(word), stem.get<std::string>()) << "word '" << word << "'";
    ++words_checked;
  }
  EXPECT_GE(words_checked, 1000);
}

TEST(WordNet, SynonymsAgreeWithNltk) {
  if (const std::string why = why_no_wordnet_comparison(); !why.empty()) GTEST_SKIP() << why;
  int words_checked = 0;
  for (const auto& [word, names] : fixtures()["synonyms"].items()) {
    const std::vector<std::string> expected = names.get<std::vector<std::string>>();
    const std::set<std::string> got = debian_wordnet()->synonyms(word);
    EXPECT_EQ(std::vector<std::string>(got.begin(), got.end()), expected) << "word '" << word << "'";
    ++words_checked;
  }
  EXPECT_GE(words_checked, 1000);
}

// ---- WordNet files, by hand ----------------------------------------------------------------

// A tiny database in the real file format, written to a temporary folder.
class MiniWordNet : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("glimpse_wordnet_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
    const std::string header = "  1 This is a licence header line.\n";
    std::string data_noun = header;
    dog_offset_ = data_noun.size();
    data_noun += synset_line(dog_offset_, "n", "02 dog 0 domestic_dog 0", "a domesticated canid");
    hound_offset_ = data_noun.size();
    data_noun += synset_line(hound_offset_, "n", "02 hound 0 dog 1", "a hunting dog");
    const size_t mouse_offset = data_noun.size();
    data_noun += synset_line(mouse_offset, "n", "01 mouse 0", "a small rodent");
    std::string data_adj = header;
    const size_t big_offset = data_adj.size();
    data_adj += synset_line(big_offset, "a", "02 big(a) 0 large 0", "above average in size");

    write("data.noun", data_noun);
    index_noun_ = header + "dog n 2 1 @ 2 0 " + std::to_string(dog_offset_) + " " +
                  std::to_string(hound_offset_) + "  \n" + "hound n 1 0 1 0 " +
                  std::to_string(hound_offset_) + "  \n" + "mouse n 1 0 1 0 " +
                  std::to_string(mouse_offset) + "  \n";
    write("index.noun", index_noun_);
    write("noun.exc", "mice mouse\n");
    write("data.adj", data_adj);
    write("index.adj", header + "big a 1 0 1 0 " + std::to_string(big_offset) + "  \n" +
                           "large a 1 0 1 0 " + std::to_string(big_offset) + "  \n");
    write("adj.exc", "bigger big\n");
    for (const char* pos : {"verb", "adv"}) {
      write(std::string("data.") + pos, header);
      write(std::string("index.") + pos, header);
      write(std::string(pos) + ".exc", "");
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static std::string synset_line(size_t offset, const std::string& pos, const std::string& lemmas,
                                 const std::string& gloss) {
    char number[16];
    std::snprintf(number, sizeof(number), "%08zu", offset);
    return std::string(number) + " 05 " + pos + " " + lemmas + " 000 | " + gloss + "  \n";
  }
  void write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }

  std::filesystem::path dir_;
  size_t dog_offset_ = 0;
  size_t hound_offset_ = 0;
  std::string index_noun_;
};

TEST_F(MiniWordNet, MorphyAndSynonyms) {
  const WordNet wn(dir_.string());
  EXPECT_EQ(wn.morphy("dogs", WordNet::kNoun), std::vector<std::string>{"dog"});  // rule s -> ""
  EXPECT_EQ(wn.morphy("mice", WordNet::kNoun), std::vector<std::string>{"mouse"});  // exception
  EXPECT_EQ(wn.morphy("bigger", WordNet::kAdjective), std::vector<std::string>{"big"});
  EXPECT_TRUE(wn.morphy("cats", WordNet::kNoun).empty());

  // dog is in both synsets; "domestic_dog" is a multi-word lemma and left out.
  EXPECT_EQ(wn.synonyms("dog"), (std::set<std::string>{"dog", "hound"}));
  EXPECT_EQ(wn.synonyms("dogs"), (std::set<std::string>{"dogs", "dog", "hound"}));
  EXPECT_EQ(wn.synonyms("Dog"), (std::set<std::string>{"Dog", "dog", "hound"}));
  EXPECT_EQ(wn.synonyms("hound"), (std::set<std::string>{"hound", "dog"}));
  EXPECT_EQ(wn.synonyms("mice"), (std::set<std::string>{"mice", "mouse"}));
  // The adjective marker "(a)" is stripped from "big(a)".
  EXPECT_EQ(wn.synonyms("bigger"), (std::set<std::string>{"bigger", "big", "large"}));
  EXPECT_EQ(wn.synonyms("cat"), (std::set<std::string>{"cat"}));
}

// "a hound" against "a dog": "a" matches exactly; "hound" and "dog" have different stems but
// are WordNet synonyms. With synonyms: 2 matches, P = R = 1, F = 1 / (0.9 + 0.1) = 1, one chunk,
// fragmentation 1/2, penalty 0.5 * (1/2)^3 = 0.0625 -> 0.9375. Without: 1 match, P = R = 1/2,
// F = 0.25 / (0.45 + 0.05) = 0.5, fragmentation 1/1, penalty 0.5 -> 0.25.
TEST_F(MiniWordNet, MeteorUsesSynonyms) {
  const WordNet wn(dir_.string());
  EXPECT_NEAR(Meteor(&wn).score(words("a hound"), {words("a dog")}), 0.9375, kHandTolerance);
  EXPECT_NEAR(Meteor(nullptr).score(words("a hound"), {words("a dog")}), 0.25, kHandTolerance);
}

TEST_F(MiniWordNet, MalformedFilesAreRefused) {
  // The sense count differs from the synset count on line 2 of index.noun.
  write("index.noun", "  1 header\ndog n 2 0 1 0 " + std::to_string(dog_offset_) + "\n");
  try {
    WordNet wn(dir_.string());
    ADD_FAILURE() << "accepted a bad index line";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("index.noun line 2"), std::string::npos) << e.what();
  }
  // An offset that does not start a synset loads but fails on use, naming the data file.
  write("index.noun", "dog n 1 0 1 0 " + std::to_string(dog_offset_ + 3) + "\n");
  const WordNet shifted(dir_.string());
  try {
    shifted.synonyms("dog");
    ADD_FAILURE() << "followed a bad offset";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("data.noun"), std::string::npos) << e.what();
  }
  write("index.noun", "dog n 1 0 1 0 99999999\n");
  EXPECT_THROW(WordNet(dir_.string()).synonyms("dog"), Error);
  // A missing file, a missing folder.
  write("index.noun", index_noun_);
  std::filesystem::remove(dir_ / "adv.exc");
  try {
    WordNet wn(dir_.string());
    ADD_FAILURE() << "loaded without adv.exc";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("adv.exc"), std::string::npos) << e.what();
  }
  EXPECT_THROW(WordNet((dir_ / "absent").string()), Error);
}

// ---- all metrics together -------------------------------------------------------------------

TEST(CaptionMetrics, EvaluateCombinesTheMetrics) {
  const std::vector<CaptionSample> samples = samples_of(fixtures()["bleu"][0]["samples"]);
  const WordNet* wn = debian_wordnet() ? &*debian_wordnet() : nullptr;
  const CaptionMetrics m = evaluate_captions(samples, wn);
  EXPECT_EQ(m.images, static_cast<int64_t>(samples.size()));
  EXPECT_EQ(m.bleu, corpus_bleu(samples));
  EXPECT_EQ(m.rouge_l, corpus_rouge_l(samples).mean);
  EXPECT_EQ(m.cider_d, corpus_cider_d(samples).mean);
  EXPECT_EQ(m.meteor, Meteor(wn).corpus_score(samples).mean);
  EXPECT_EQ(m.meteor_used_wordnet, wn != nullptr);
  EXPECT_THROW(evaluate_captions({}, wn), Error);
}

// The per-image pieces reproduce the corpus metrics: summed over every image (the bootstrap's
// identity resample) they give each metric, and BLEU of any multiset of images is the corpus
// BLEU of those samples (the sums are exact; only CIDEr-D keeps the full set's frequencies).
TEST(CaptionMetrics, PerImageScoresSumToTheCorpusMetrics) {
  const std::vector<CaptionSample> samples = samples_of(fixtures()["bleu"][0]["samples"]);
  ASSERT_GE(samples.size(), 2u);
  const WordNet* wn = debian_wordnet() ? &*debian_wordnet() : nullptr;
  const std::vector<ImageCaptionScores> per_image = per_image_caption_scores(samples, wn);
  ASSERT_EQ(per_image.size(), samples.size());
  ImageCaptionScores total;
  for (const ImageCaptionScores& s : per_image) total += s;
  const CaptionMetrics m = caption_metrics(total, wn != nullptr);
  const std::array<double, 4> bleu = corpus_bleu(samples);
  for (size_t n = 0; n < 4; ++n) EXPECT_NEAR(m.bleu[n], bleu[n], 1e-9) << "BLEU-" << n + 1;
  EXPECT_NEAR(m.meteor, Meteor(wn).corpus_score(samples).mean, 1e-9);
  EXPECT_NEAR(m.rouge_l, corpus_rouge_l(samples).mean, 1e-9);
  EXPECT_NEAR(m.cider_d, corpus_cider_d(samples).mean, 1e-9);
  EXPECT_EQ(m.images, static_cast<int64_t>(samples.size()));

  // A resample: the first image twice and the last once.
  const std::vector<size_t> drawn = {0, 0, samples.size() - 1};
  std::vector<CaptionSample> resampled;
  ImageCaptionScores resampled_total;
  for (const size_t i : drawn) {
    resampled.push_back(samples[i]);
    resampled_total += per_image[i];
  }
  const CaptionMetrics r = caption_metrics(resampled_total, wn != nullptr);
  const std::array<double, 4> resampled_bleu = corpus_bleu(resampled);
  for (size_t n = 0; n < 4; ++n) EXPECT_NEAR(r.bleu[n], resampled_bleu[n], 1e-9) << "BLEU-" << n + 1;
  EXPECT_NEAR(r.rouge_l, corpus_rouge_l(resampled).mean, 1e-9);
  EXPECT_NEAR(r.meteor, Meteor(wn).corpus_score(resampled).mean, 1e-9);
  EXPECT_NEAR(r.cider_d, (2 * per_image[0].cider_d + per_image.back().cider_d) / 3, 1e-9);
}

// Raw captions are tokenised for scoring: case and punctuation do not count, so a candidate
// equal to its references up to those scores BLEU = ROUGE-L = 1, and METEOR
// 1 - 0.5 (1/6)^3 for six words in one chunk.
TEST(CaptionMetrics, RawCaptionsAreTokenisedForScoring) {
  const std::vector<CaptionSample> samples = {
      make_caption_sample("A dog runs on the grass.", {"a dog runs on the grass", "A DOG RUNS ON THE GRASS!"}),
      make_caption_sample("Two cats, sleeping together", {"two cats sleeping together ..."})};
  EXPECT_EQ(samples[0].candidate, words("a dog runs on the grass"));
  const CaptionMetrics m = evaluate_captions(samples, nullptr);
  for (int n = 0; n < 4; ++n) EXPECT_NEAR(m.bleu[n], 1.0, kHandTolerance);
  EXPECT_NEAR(m.rouge_l, 1.0, kHandTolerance);
  const double meteor6 = 1 - 0.5 * std::pow(1.0 / 6.0, 3);
  const double meteor4 = 1 - 0.5 * std::pow(1.0 / 4.0, 3);
  EXPECT_NEAR(m.meteor, (meteor6 + meteor4) / 2, kHandTolerance);
  EXPECT_FALSE(m.meteor_used_wordnet);
}

}  // namespace
